//! The built binary's `config get/set/unset/path/import`, in a clean environment
//! with a temporary HOME and XDG config folder: OpenClaw aliases, file modes,
//! missing files, unknown and misspelt keys, and the import of a JSON5
//! OpenClaw config.
#![cfg(feature = "cli")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

/// A temporary HOME, removed when dropped.
struct TempHome(PathBuf);

impl TempHome {
    fn new(tag: &str) -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let path = std::env::temp_dir().join(format!(
            "bedrock-lite-cli-config-{tag}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&path).expect("a temporary directory");
        TempHome(path)
    }

    /// The config file at the default path (under `$XDG_CONFIG_HOME`).
    fn config(&self) -> PathBuf {
        self.0.join("xdg").join("bedrock-lite").join("config.json")
    }

    fn read_config(&self) -> Value {
        let text = std::fs::read_to_string(self.config()).expect("the config file");
        serde_json::from_str(&text).expect("JSON")
    }

    /// Runs the binary with `args` and extra environment variables.
    fn run_with(&self, env: &[(&str, &str)], args: &[&str]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_bedrock-lite"));
        command
            .args(args)
            .env_clear()
            .env("HOME", &self.0)
            .env("XDG_CONFIG_HOME", self.0.join("xdg"))
            .env("XDG_CACHE_HOME", self.0.join("cache"))
            .env("AWS_CONFIG_FILE", self.0.join("aws-config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.0.join("aws-credentials"),
            )
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command.output().expect("the binary runs")
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_with(&[], args)
    }
}

impl Drop for TempHome {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts the exit code, showing stderr when it differs.
fn assert_exit(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        stdout(output),
        stderr(output)
    );
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn openclaw_paths_are_aliases_of_our_keys() {
    let home = TempHome::new("aliases");
    let guardrail = r#"{"guardrailIdentifier": "abc123", "guardrailVersion": "1"}"#;
    for (alias, ours, value, stored) in [
        (
            "plugins.entries.amazon-bedrock.config.discovery.enabled",
            "discovery.enabled",
            "true",
            json!(true),
        ),
        (
            "models.bedrockDiscovery.region",
            "discovery.region",
            "eu-west-1",
            json!("eu-west-1"),
        ),
        (
            "plugins.entries.amazon-bedrock.config.guardrail",
            "guardrail",
            guardrail,
            json!({"guardrailIdentifier": "abc123", "guardrailVersion": "1"}),
        ),
        (
            "plugins.entries.amazon-bedrock.config.guardrail.trace",
            "guardrail.trace",
            "enabled",
            json!("enabled"),
        ),
        (
            "agents.defaults.model.primary",
            "model",
            "us.anthropic.claude-opus-4-6-v1:0",
            json!("us.anthropic.claude-opus-4-6-v1:0"),
        ),
        (
            "agents.defaults.memorySearch.model",
            "embeddings.model",
            "amazon.titan-embed-text-v2:0",
            json!("amazon.titan-embed-text-v2:0"),
        ),
    ] {
        let set = home.run(&["config", "set", alias, value]);
        assert_exit(&set, 0);
        assert_eq!(stdout(&set), "", "{alias}");
        assert!(
            stderr(&set).contains(&format!("note: {alias} is OpenClaw's name for {ours}")),
            "{}",
            stderr(&set)
        );
        assert!(!stderr(&set).contains("unknown key"), "{}", stderr(&set));
        for key in [alias, ours] {
            let get = home.run(&["--json", "config", "get", key]);
            assert_exit(&get, 0);
            let got: Value = serde_json::from_str(stdout(&get).trim()).expect("JSON");
            assert_eq!(got, stored, "{key}");
        }
    }
    let file = home.read_config();
    assert_eq!(
        file["discovery"],
        json!({"enabled": true, "region": "eu-west-1"})
    );
    assert_eq!(file["guardrail"]["trace"], "enabled");
    assert_eq!(
        file["embeddings"],
        json!({"model": "amazon.titan-embed-text-v2:0"})
    );
    for foreign in ["plugins", "agents"] {
        assert!(file.get(foreign).is_none(), "{file}");
    }
    assert!(file["models"].is_null(), "{file}");

    let unset = home.run(&["config", "unset", "models.bedrockDiscovery.region"]);
    assert_exit(&unset, 0);
    assert_eq!(stdout(&unset), "");
    let get = home.run(&["config", "get", "discovery.region"]);
    assert_exit(&get, 1);
    assert_eq!(
        stderr(&get).trim(),
        "error: config: discovery.region is not set"
    );
    let get = home.run(&[
        "config",
        "get",
        "plugins.entries.amazon-bedrock.config.discovery.enabled",
    ]);
    assert_exit(&get, 0);
    assert_eq!(stdout(&get), "true\n");
}

#[cfg(unix)]
#[test]
fn written_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let home = TempHome::new("modes");
    assert_exit(&home.run(&["config", "set", "region", "eu-west-1"]), 0);
    let file = home.config();
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(file.parent().expect("folder")), 0o700);

    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let set = home.run(&["config", "set", "region", "us-west-2"]);
    assert_exit(&set, 0);
    assert_eq!(
        stderr(&set),
        format!(
            "warning: {}: was mode 0644, open to other users; written back as 0600\n",
            file.display()
        )
    );
    assert_eq!(mode(&file), 0o600);
    assert_eq!(home.read_config(), json!({"region": "us-west-2"}));

    let unset = home.run(&["config", "unset", "region"]);
    assert_exit(&unset, 0);
    assert_eq!(stderr(&unset), "");
    assert_eq!(mode(&file), 0o600);
}

#[test]
fn a_missing_config_file_is_an_empty_config() {
    let home = TempHome::new("missing");
    let missing = home.0.join("nowhere").join("config.json");
    let missing_text = missing.to_string_lossy().into_owned();

    // Named by --config, by $BEDROCK_LITE_CONFIG, or the default path.
    let by_flag = home.run(&["--config", &missing_text, "config", "get", "region"]);
    let by_env = home.run_with(
        &[("BEDROCK_LITE_CONFIG", &missing_text)],
        &["config", "get", "region"],
    );
    let by_default = home.run(&["config", "get", "region"]);
    for output in [&by_flag, &by_env, &by_default] {
        assert_exit(output, 1);
        assert_eq!(stderr(output).trim(), "error: config: region is not set");
    }

    // A command that reads the config runs as with an empty one.
    #[cfg(feature = "discovery")]
    {
        let list = home.run(&["--config", &missing_text, "--json", "models", "list"]);
        assert_exit(&list, 0);
        assert_eq!(stdout(&list).trim(), "[]");
    }

    let path = home.run(&["--config", &missing_text, "config", "path"]);
    assert_eq!(stdout(&path).trim(), missing_text);

    // `set` creates the file and its folder.
    let set = home.run(&[
        "--config",
        &missing_text,
        "config",
        "set",
        "region",
        "eu-west-1",
    ]);
    assert_exit(&set, 0);
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(&missing).expect("created")).expect("JSON");
    assert_eq!(written, json!({"region": "eu-west-1"}));
    assert!(!home.config().exists());
}

#[test]
fn unknown_and_misspelt_keys() {
    let home = TempHome::new("unknown");
    let file = home.config().display().to_string();
    for (key, warning) in [
        ("colour", format!("warning: {file}: unknown key colour\n")),
        (
            "discovery.refreshIntervl",
            format!("warning: {file}: unknown key discovery.refreshIntervl (did you mean discovery.refreshInterval?)\n"),
        ),
    ] {
        let set = home.run(&["config", "set", key, "5"]);
        assert_exit(&set, 0);
        assert!(stderr(&set).ends_with(&warning), "{}", stderr(&set));
        assert_eq!(stdout(&set), "");
        assert_exit(&home.run(&["config", "unset", key]), 0);
    }
    let set = home.run(&["config", "set", "gaurdrail.trace", "enabled"]);
    assert_exit(&set, 0);
    assert!(
        stderr(&set).contains("unknown key gaurdrail (did you mean guardrail?)"),
        "{}",
        stderr(&set)
    );
    let set = home.run(&[
        "config",
        "set",
        "plugins.entries.amazon-bedrock.config.discovery.refreshIntervl",
        "5",
    ]);
    assert!(
        stderr(&set).contains(
            "unknown key discovery.refreshIntervl (did you mean discovery.refreshInterval?)"
        ),
        "{}",
        stderr(&set)
    );

    let get = home.run(&["config", "get", "discovery.defaultMaxToken"]);
    assert_exit(&get, 1);
    assert_eq!(
        stderr(&get).trim(),
        "error: config: discovery.defaultMaxToken is not set (did you mean discovery.defaultMaxTokens?)"
    );

    for key in ["gaurdrail", "discovery.refreshIntervl"] {
        assert_exit(&home.run(&["config", "unset", key]), 0);
    }

    // Invalid values are still refused, naming the file and the key.
    let set = home.run(&["config", "set", "endpoints.runtime", "http://example.com"]);
    assert_exit(&set, 2);
    assert!(
        stderr(&set).starts_with(&format!(
            "error: config: {file}: endpoints.runtime: expected an http(s) URL: plain http://"
        )),
        "{}",
        stderr(&set)
    );
    let set = home.run(&[
        "config",
        "set",
        "endpoints.runtime",
        "https://bedrock.example.com/",
    ]);
    assert_exit(&set, 0);
    assert_eq!(stderr(&set), "");

    let force = home.run(&["config", "set", "region", "x", "--force"]);
    assert_exit(&force, 2);
    assert!(stderr(&force).contains("`--force` goes with `config import` only"));
}

/// An OpenClaw config in JSON5 as people write it.
const OPENCLAW: &str = r#"// ~/.openclaw/openclaw.json
{
  /* the provider */
  models: {
    providers: {
      'amazon-bedrock': {
        baseUrl: "https://bedrock-proxy.example.com/v1/",
        api: "bedrock-converse-stream",
        auth: "aws-sdk",
        models: [
          {
            id: "amazon-bedrock/us.anthropic.claude-opus-4-6-v1:0",
            name: 'Claude Opus 4.6 (Bedrock)',
            reasoning: true,
            input: ["text", "image",],
            cost: { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75, },
            contextWindow: 200000,
            maxTokens: 0x2000,
          },
        ],
      },
    },
  },
  agents: { defaults: { model: { primary: "amazon-bedrock/us.anthropic.claude-opus-4-6-v1:0" } } },
  plugins: { entries: { "amazon-bedrock": { config: {
    discovery: { enabled: true, region: "us-east-1", },
  } } } },
  channels: { telegram: { botToken: "123:secret-token" } },
}
"#;

#[test]
fn config_import_of_an_openclaw_file() {
    let home = TempHome::new("import");
    std::fs::create_dir_all(home.0.join(".openclaw")).expect("dir");
    std::fs::write(home.0.join(".openclaw").join("openclaw.json"), OPENCLAW).expect("write");
    let file = home.config();

    let import = home.run(&["config", "import"]);
    assert_exit(&import, 0);
    assert_eq!(
        stdout(&import),
        format!(
            "imported model from agents.defaults.model.primary\n\
             imported endpoints.runtime from models.providers.amazon-bedrock.baseUrl\n\
             imported models[0] from models.providers.amazon-bedrock.models[0]\n\
             imported discovery.enabled from plugins.entries.amazon-bedrock.config.discovery.enabled\n\
             imported discovery.region from plugins.entries.amazon-bedrock.config.discovery.region\n\
             left out channels\n\
             left out models.providers.amazon-bedrock.api\n\
             left out models.providers.amazon-bedrock.auth\n\
             wrote {}\n",
            file.display()
        )
    );
    assert!(!stdout(&import).contains("secret") && !stderr(&import).contains("secret"));
    let expected = json!({
        "model": "us.anthropic.claude-opus-4-6-v1:0",
        "endpoints": {"runtime": "https://bedrock-proxy.example.com/v1/"},
        "models": [{
            "id": "us.anthropic.claude-opus-4-6-v1:0", "name": "Claude Opus 4.6 (Bedrock)",
            "reasoning": true, "input": ["text", "image"],
            "cost": {"input": 15, "output": 75, "cacheRead": 1.5, "cacheWrite": 18.75},
            "contextWindow": 200000, "maxTokens": 8192,
        }],
        "discovery": {"enabled": true, "region": "us-east-1"},
    });
    assert_eq!(home.read_config(), expected);
    #[cfg(unix)]
    assert_eq!(mode(&file), 0o600);

    // The same import again changes nothing.
    let again = home.run(&["config", "import"]);
    assert_exit(&again, 0);
    assert!(stdout(&again).ends_with(&format!("unchanged {}\n", file.display())));

    // A different config is not overwritten without --force.
    assert_exit(&home.run(&["config", "set", "region", "eu-west-1"]), 0);
    let refused = home.run(&["config", "import"]);
    assert_exit(&refused, 2);
    assert_eq!(stdout(&refused), "");
    assert_eq!(
        stderr(&refused).trim(),
        format!(
            "error: config: {} exists and differs from the imported config; run with --force to replace it",
            file.display()
        )
    );
    assert_eq!(home.read_config()["region"], "eu-west-1");
    let forced = home.run(&["config", "import", "--force"]);
    assert_exit(&forced, 0);
    assert_eq!(home.read_config(), expected);

    // --json reports the same.
    let source = home.0.join(".openclaw").join("openclaw.json");
    let json = home.run(&["--json", "config", "import", &source.to_string_lossy()]);
    assert_exit(&json, 0);
    let report: Value = serde_json::from_str(stdout(&json).trim()).expect("JSON");
    assert_eq!(report["changed"], false);
    assert_eq!(
        report["imported"][0],
        json!({"key": "model", "from": "agents.defaults.model.primary", "note": null})
    );
    assert_eq!(
        report["leftOut"][0],
        json!({"path": "channels", "reason": null})
    );
}

#[test]
fn config_import_of_a_standard_endpoint_and_bad_files() {
    let home = TempHome::new("import-bad");
    let source = home.0.join("openclaw.json5");
    let source_text = source.to_string_lossy().into_owned();
    std::fs::write(
        &source,
        "{models: {providers: {'amazon-bedrock': {baseUrl: 'https://bedrock-runtime.eu-west-1.amazonaws.com'}}}}",
    )
    .expect("write");
    let import = home.run(&["config", "import", &source_text]);
    assert_exit(&import, 0);
    assert!(
        stdout(&import).starts_with(
            "imported region from models.providers.amazon-bedrock.baseUrl (the standard endpoint of eu-west-1)\n"
        ),
        "{}",
        stdout(&import)
    );
    assert_eq!(home.read_config(), json!({"region": "eu-west-1"}));

    std::fs::write(&source, "{\n  models: {\n    providers: [1 2],\n  },\n}").expect("write");
    let bad = home.run(&["config", "import", &source_text]);
    assert_exit(&bad, 2);
    assert_eq!(
        stderr(&bad).trim(),
        format!("error: config: {source_text}: line 3, column 19: expected `,` or `]`, found `2`")
    );

    let missing = home.0.join("missing.json").to_string_lossy().into_owned();
    let gone = home.run(&["config", "import", &missing]);
    assert_exit(&gone, 2);
    assert_eq!(
        stderr(&gone).trim(),
        format!("error: config: {missing}: no such file")
    );

    let no_default = home.run(&["--config", &missing, "config", "import"]);
    assert_exit(&no_default, 2);
    assert!(
        stderr(&no_default).contains(".openclaw/openclaw.json: no such file"),
        "{}",
        stderr(&no_default)
    );
    assert_eq!(home.read_config(), json!({"region": "eu-west-1"}));
}
