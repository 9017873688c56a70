//! The built binary's `models list`, `models status` and `embed` against an
//! emulator started in the test, in a clean environment with a temporary
//! HOME, XDG cache and XDG config.
#![cfg(all(feature = "cli", feature = "emulator", feature = "discovery"))]

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use bedrock_lite::emulator::{Emulator, Reply, DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY};
use serde_json::Value;

/// A temporary HOME, removed when dropped.
struct TempHome(PathBuf);

impl TempHome {
    fn new(tag: &str) -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let path = std::env::temp_dir().join(format!(
            "bedrock-lite-cli-models-{tag}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&path).expect("a temporary directory");
        TempHome(path)
    }

    /// Writes `text` to `name` in the home; returns its path as text.
    fn write(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, text).expect("a file in the temporary home");
        path.to_string_lossy().into_owned()
    }
}

impl Drop for TempHome {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the binary with `args` in `home`, with the demo keys in the
/// environment when `keys`, off the runtime's thread so the emulator serves.
async fn run_in(home: &TempHome, keys: bool, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_bedrock-lite"));
    command
        .args(args)
        .env_clear()
        .env("HOME", &home.0)
        .env("XDG_CACHE_HOME", home.0.join("cache"))
        .env("XDG_CONFIG_HOME", home.0.join("config"))
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", home.0.join("aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            home.0.join("aws-credentials"),
        )
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if keys {
        command
            .env("AWS_ACCESS_KEY_ID", DEMO_ACCESS_KEY_ID)
            .env("AWS_SECRET_ACCESS_KEY", DEMO_SECRET_ACCESS_KEY);
    }
    tokio::task::spawn_blocking(move || command.output().expect("the binary runs"))
        .await
        .expect("the blocking task ends")
}

/// Runs `args` after `--endpoint-url <emulator>`, with the demo keys.
async fn run(emu: &Emulator, home: &TempHome, args: &[&str]) -> Output {
    let endpoint = emu.endpoint();
    let mut all = vec!["--endpoint-url", endpoint.as_str()];
    all.extend_from_slice(args);
    run_in(home, true, &all).await
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts success and parses stdout as JSON.
fn json_of(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "status {:?}, stderr: {}",
        output.status,
        stderr(output)
    );
    serde_json::from_str(&stdout(output)).expect("JSON on stdout")
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("an array")
        .iter()
        .filter_map(|m| m["id"].as_str().map(str::to_owned))
        .collect()
}

/// The control-plane requests the emulator has seen.
fn control_requests(emu: &Emulator) -> usize {
    emu.requests()
        .iter()
        .filter(|r| {
            r.path.starts_with("/foundation-models") || r.path.starts_with("/inference-profiles")
        })
        .count()
}

fn denied() -> Reply {
    Reply::Status {
        status: 403,
        error_type: "AccessDeniedException".into(),
        message: "User is not authorized to perform this action".into(),
    }
}

#[tokio::test]
async fn models_list_json_provider_and_table() {
    let emu = Emulator::start(0).await.expect("emulator");
    let home = TempHome::new("list");
    let list = json_of(&run(&emu, &home, &["models", "list", "--json"]).await);
    let entries = list.as_array().expect("an array");
    assert!(!entries.is_empty());
    for entry in entries {
        let keys: Vec<&str> = entry
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        assert_eq!(
            sorted,
            [
                "contextWindow",
                "id",
                "input",
                "kind",
                "maxTokens",
                "name",
                "provider",
                "reasoning",
                "region",
                "streaming"
            ]
        );
        assert_eq!(entry["region"], "us-east-1");
    }
    let kind_of = |id: &str| {
        entries
            .iter()
            .find(|e| e["id"] == id)
            .map(|e| e["kind"].clone())
            .unwrap_or(Value::Null)
    };
    assert_eq!(
        kind_of("us.anthropic.claude-sonnet-4-6"),
        "inference-profile"
    );
    assert_eq!(
        kind_of("anthropic.claude-3-haiku-20240307-v1:0"),
        "foundation-model"
    );
    assert_eq!(
        kind_of("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/emuapp1"),
        "inference-profile"
    );
    let all_ids = ids(&list);
    assert!(!all_ids
        .iter()
        .any(|id| id == "amazon.titan-embed-text-v2:0"));
    assert!(!all_ids.iter().any(|id| id == "amazon.nova-pro-v1:0"));

    let anthropic = json_of(
        &run(
            &emu,
            &home,
            &["models", "list", "--json", "--provider", "anthropic"],
        )
        .await,
    );
    assert!(!ids(&anthropic).is_empty());
    assert!(anthropic
        .as_array()
        .expect("an array")
        .iter()
        .all(|e| e["provider"] == "anthropic"));

    let table = run(&emu, &home, &["models", "list"]).await;
    assert!(table.status.success(), "{}", stderr(&table));
    let text = stdout(&table);
    let header = text.lines().next().expect("a header");
    assert!(
        header.starts_with("ID") && header.contains("KIND") && header.contains("CONTEXT"),
        "{text}"
    );
    assert!(text.contains("us.anthropic.claude-opus-4-7"), "{text}");
    assert!(text.contains("inference-profile"), "{text}");
}

#[tokio::test]
async fn the_cache_is_used_and_refresh_refetches() {
    let emu = Emulator::start(0).await.expect("emulator");
    let home = TempHome::new("cache");
    let first = json_of(&run(&emu, &home, &["models", "list", "--json"]).await);
    let fetched = control_requests(&emu);
    // ListFoundationModels, then every page of both profile types.
    assert!(fetched >= 4, "{fetched}");
    let second = json_of(&run(&emu, &home, &["models", "list", "--json"]).await);
    assert_eq!(second, first);
    assert_eq!(
        control_requests(&emu),
        fetched,
        "the second run is a cache hit"
    );
    let refreshed = json_of(&run(&emu, &home, &["models", "list", "--json", "--refresh"]).await);
    assert_eq!(refreshed, first);
    assert_eq!(control_requests(&emu), 2 * fetched);

    let status = json_of(&run(&emu, &home, &["models", "status", "--json"]).await);
    assert_eq!(status["region"], "us-east-1");
    assert!(status["discovery"]["cacheAgeSeconds"].is_u64(), "{status}");
}

#[tokio::test]
async fn discovery_auto_is_off_without_env_markers_and_forced_by_config() {
    let emu = Emulator::start(0).await.expect("emulator");
    let endpoint = emu.endpoint();
    let home = TempHome::new("auto");
    // Credentials from the shared file only: no environment marker.
    home.write(
        "aws-credentials",
        &format!(
            "[default]\naws_access_key_id = {DEMO_ACCESS_KEY_ID}\naws_secret_access_key = {DEMO_SECRET_ACCESS_KEY}\n"
        ),
    );
    let auto = home.write(
        "auto.json",
        r#"{"models": [{"id": "us.anthropic.claude-opus-4-7", "name": "My Opus"}]}"#,
    );
    let output = run_in(
        &home,
        false,
        &[
            "--endpoint-url",
            &endpoint,
            "--config",
            &auto,
            "models",
            "list",
            "--json",
        ],
    )
    .await;
    let list = json_of(&output);
    assert_eq!(ids(&list), ["us.anthropic.claude-opus-4-7"]);
    assert_eq!(list[0]["kind"], "configured");
    assert_eq!(list[0]["name"], "My Opus");
    assert_eq!(control_requests(&emu), 0, "discovery stayed off");

    let forced = home.write(
        "forced.json",
        r#"{"discovery": {"enabled": true}, "models": [{"id": "us.anthropic.claude-opus-4-7", "name": "My Opus"}]}"#,
    );
    let output = run_in(
        &home,
        false,
        &[
            "--endpoint-url",
            &endpoint,
            "--config",
            &forced,
            "models",
            "list",
            "--json",
        ],
    )
    .await;
    let list = json_of(&output);
    let found = ids(&list);
    assert!(found.len() > 1, "{found:?}");
    assert!(control_requests(&emu) > 0);
    let opus = list
        .as_array()
        .expect("an array")
        .iter()
        .find(|m| m["id"] == "us.anthropic.claude-opus-4-7")
        .expect("opus");
    // The configured name overrides the discovered profile's.
    assert_eq!(opus["name"], "My Opus");
    assert_eq!(opus["kind"], "inference-profile");
}

#[tokio::test]
async fn models_status_and_probe() {
    let emu = Emulator::start(0).await.expect("emulator");
    let home = TempHome::new("status");
    let status = json_of(&run(&emu, &home, &["models", "status", "--json"]).await);
    assert_eq!(status["region"], "us-east-1");
    assert!(
        status["discovery"]["active"].as_bool().expect("active"),
        "{status}"
    );
    assert!(status["discovery"]["cacheAgeSeconds"].is_null(), "{status}");
    assert!(
        status["credentialSource"]
            .as_str()
            .is_some_and(|s| !s.is_empty()),
        "{status}"
    );
    assert!(status.get("probe").is_none());
    assert_eq!(control_requests(&emu), 0);

    let probed = json_of(&run(&emu, &home, &["models", "status", "--json", "--probe"]).await);
    assert_eq!(probed["probe"]["ok"], true, "{probed}");
    assert!(probed["probe"]["latencyMs"].is_u64(), "{probed}");
    assert!(emu
        .requests()
        .iter()
        .any(|r| r.path == "/foundation-models?byOutputModality=TEXT"));

    let text = run(&emu, &home, &["models", "status", "--probe"]).await;
    assert!(text.status.success(), "{}", stderr(&text));
    assert!(
        stdout(&text).contains("probe:       ok"),
        "{}",
        stdout(&text)
    );

    emu.script(denied());
    let failed = run(&emu, &home, &["models", "status", "--probe"]).await;
    assert_eq!(failed.status.code(), Some(4), "stderr: {}", stderr(&failed));
    let out = stdout(&failed);
    assert!(out.contains("FAILED"), "{out}");
    assert!(out.contains("bedrock:ListFoundationModels"), "{out}");
}

#[tokio::test]
async fn access_denied_on_profiles_is_a_warning() {
    let emu = Emulator::start(0).await.expect("emulator");
    let home = TempHome::new("denied");
    // ListFoundationModels ignores the text reply; both profile listings are denied.
    emu.script(Reply::Text("ignored by the control plane".into()));
    emu.script(denied());
    emu.script(denied());
    let output = run(&emu, &home, &["models", "list", "--json"]).await;
    let list = json_of(&output);
    assert!(
        stderr(&output).contains("warning: ListInferenceProfiles"),
        "{}",
        stderr(&output)
    );
    let entries = list.as_array().expect("an array");
    assert!(!entries.is_empty());
    assert!(
        entries.iter().all(|e| e["kind"] == "foundation-model"),
        "{list}"
    );
    assert!(ids(&list).contains(&"amazon.nova-pro-v1:0".to_owned()));
}

fn invoke_requests(emu: &Emulator) -> usize {
    emu.requests()
        .iter()
        .filter(|r| r.path.ends_with("/invoke"))
        .count()
}

#[tokio::test]
async fn embed_default_batched_and_invalid_dimensions() {
    let emu = Emulator::start(0).await.expect("emulator");
    let home = TempHome::new("embed");
    let out = json_of(&run(&emu, &home, &["embed", "hello", "world"]).await);
    assert_eq!(out["model"], "amazon.titan-embed-text-v2:0");
    let vectors = out["embeddings"].as_array().expect("embeddings");
    assert_eq!(vectors.len(), 2);
    for vector in vectors {
        let values = vector.as_array().expect("a vector");
        assert_eq!(values.len(), 1024);
        assert!(values.iter().all(Value::is_f64));
    }
    assert_ne!(vectors[0], vectors[1]);
    assert_eq!(invoke_requests(&emu), 2);

    let cohere = json_of(
        &run(
            &emu,
            &home,
            &[
                "embed",
                "-m",
                "cohere.embed-english-v3",
                "--input-type",
                "search_query",
                "hello",
                "world",
            ],
        )
        .await,
    );
    assert_eq!(cohere["model"], "cohere.embed-english-v3");
    assert_eq!(cohere["embeddings"].as_array().map(Vec::len), Some(2));
    assert_eq!(invoke_requests(&emu), 3, "one request for both texts");
    let last = emu.requests().last().cloned().expect("a request");
    let body: Value = serde_json::from_slice(&last.body).expect("a JSON body");
    assert_eq!(body["input_type"], "search_query");

    let refused = run(&emu, &home, &["embed", "--dimensions", "300", "hello"]).await;
    assert_eq!(
        refused.status.code(),
        Some(2),
        "stderr: {}",
        stderr(&refused)
    );
    let message = stderr(&refused);
    for size in ["256", "512", "1024"] {
        assert!(message.contains(size), "{message}");
    }
    assert_eq!(invoke_requests(&emu), 3, "nothing sent");
}

#[tokio::test]
async fn embed_defaults_come_from_the_config() {
    let emu = Emulator::start(0).await.expect("emulator");
    let endpoint = emu.endpoint();
    let home = TempHome::new("embed-config");
    let config = home.write(
        "config.json",
        r#"{"embeddings": {"model": "amazon.titan-embed-text-v2:0", "dimensions": 256}}"#,
    );
    let out = json_of(
        &run_in(
            &home,
            true,
            &[
                "--endpoint-url",
                &endpoint,
                "--config",
                &config,
                "embed",
                "hi",
            ],
        )
        .await,
    );
    assert_eq!(out["model"], "amazon.titan-embed-text-v2:0");
    assert_eq!(out["embeddings"][0].as_array().map(Vec::len), Some(256));
    // A flag beats the config.
    let out = json_of(
        &run_in(
            &home,
            true,
            &[
                "--endpoint-url",
                &endpoint,
                "--config",
                &config,
                "embed",
                "--dimensions",
                "512",
                "hi",
            ],
        )
        .await,
    );
    assert_eq!(out["embeddings"][0].as_array().map(Vec::len), Some(512));
}
