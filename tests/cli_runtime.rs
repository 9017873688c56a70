//! The built `bedrock-lite` binary against an emulator started in the test:
//! `chat` output, `--json`, `--stats`, stdin prompts and the exit codes of the
//! command-line contract; and `demo`.
#![cfg(all(feature = "cli", feature = "emulator"))]
#![cfg(all(feature = "emulator", feature = "cli"))]

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use bedrock_lite::emulator::{Emulator, Reply, DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY};

/// A temporary HOME, removed when dropped.
struct TempHome(PathBuf);

impl TempHome {
    fn new() -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let path = std::env::temp_dir().join(format!(
            "bedrock-lite-cli-runtime-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&path).expect("a temporary directory");
        TempHome(path)
    }
}

impl Drop for TempHome {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the binary with `args`, the demo keys (or `access_key_id`) in a clean
/// environment, and `stdin`; off the runtime's thread, so the emulator keeps
/// serving meanwhile.
async fn run_with(args: &[&str], access_key_id: &str, stdin: Option<&str>) -> Output {
    let home = TempHome::new();
    let mut command = Command::new(env!("CARGO_BIN_EXE_bedrock-lite"));
    command
        .args(args)
        .env_clear()
        .env("HOME", &home.0)
        .env("AWS_ACCESS_KEY_ID", access_key_id)
        .env("AWS_SECRET_ACCESS_KEY", DEMO_SECRET_ACCESS_KEY)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", home.0.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.0.join("credentials"))
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let input = stdin.map(str::to_owned);
    tokio::task::spawn_blocking(move || {
        let _home = home;
        let mut child = command.spawn().expect("the binary runs");
        if let (Some(text), Some(mut pipe)) = (input, child.stdin.take()) {
            use std::io::Write;
            pipe.write_all(text.as_bytes()).expect("stdin");
        }
        child.wait_with_output().expect("the binary ends")
    })
    .await
    .expect("the blocking task ends")
}

async fn chat(emulator: &Emulator, extra: &[&str]) -> Output {
    let endpoint = emulator.endpoint();
    let mut args = vec!["--endpoint-url", &endpoint, "chat", "-m", "some.model"];
    args.extend_from_slice(extra);
    run_with(&args, DEMO_ACCESS_KEY_ID, None).await
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test]
async fn chat_prints_exactly_the_answer() {
    let emulator = Emulator::start(0).await.expect("starts");
    let output = chat(&emulator, &["hi"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "You said: hi\n");
    let requests = emulator.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/model/some.model/converse-stream");
}

#[tokio::test]
async fn chat_reads_the_prompt_from_stdin() {
    let emulator = Emulator::start(0).await.expect("starts");
    let endpoint = emulator.endpoint();
    let output = run_with(
        &["--endpoint-url", &endpoint, "chat", "-m", "some.model"],
        DEMO_ACCESS_KEY_ID,
        Some("hi from stdin\n"),
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "You said: hi from stdin\n");
}

#[tokio::test]
async fn chat_without_streaming() {
    let emulator = Emulator::start(0).await.expect("starts");
    let output = chat(&emulator, &["--no-stream", "hi"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "You said: hi\n");
    assert_eq!(emulator.requests()[0].path, "/model/some.model/converse");
}

#[tokio::test]
async fn chat_json_prints_one_event_per_line() {
    let emulator = Emulator::start(0).await.expect("starts");
    let endpoint = emulator.endpoint();
    let output = run_with(
        &[
            "--json",
            "--endpoint-url",
            &endpoint,
            "chat",
            "-m",
            "some.model",
            "hi",
        ],
        DEMO_ACCESS_KEY_ID,
        None,
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let lines: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    assert!(lines.len() >= 5, "{lines:?}");
    assert!(lines[0].get("messageStart").is_some(), "{:?}", lines[0]);
    // Each event as received: the emulator's `p` padding member (which no
    // parsed event keeps) is still there.
    for line in &lines {
        let event = line.as_object().and_then(|o| o.values().next());
        assert!(
            event.is_some_and(|e| e.get("p").is_some_and(serde_json::Value::is_string)),
            "{line}"
        );
    }
    let text: String = lines
        .iter()
        .filter_map(|line| line.pointer("/contentBlockDelta/delta/text")?.as_str())
        .collect();
    assert_eq!(text, "You said: hi");
}

#[tokio::test]
async fn verbose_says_where_calls_go_on_stderr_only() {
    let emulator = Emulator::start(0).await.expect("starts");
    let output = chat(&emulator, &["-v", "hi"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "You said: hi\n");
    let notes = stderr(&output);
    assert!(
        notes.contains("note: region us-east-1, runtime endpoint ")
            && notes.contains(&emulator.endpoint()),
        "{notes}"
    );
    // The call itself names its operation, model, region and endpoint.
    let call = format!(
        "note: ConverseStream `some.model` in us-east-1 at {}\n",
        emulator.endpoint()
    );
    assert!(notes.contains(&call), "{notes}");
}

#[tokio::test]
async fn chat_stats_go_to_stderr() {
    let emulator = Emulator::start(0).await.expect("starts");
    let output = chat(&emulator, &["--stats", "hi"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "You said: hi\n");
    assert!(
        stderr(&output).to_lowercase().contains("token"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test]
async fn a_wrong_key_exits_3() {
    let emulator = Emulator::start(0).await.expect("starts");
    let endpoint = emulator.endpoint();
    let output = run_with(
        &[
            "--endpoint-url",
            &endpoint,
            "chat",
            "-m",
            "some.model",
            "hi",
        ],
        "AKIAWRONGKEYWRONGKEY",
        None,
    )
    .await;
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(stdout(&output).is_empty());
    let message = stderr(&output);
    assert!(message.starts_with("error: "), "{message}");
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(!message.contains(DEMO_SECRET_ACCESS_KEY));
}

#[tokio::test]
async fn a_validation_error_exits_4() {
    let emulator = Emulator::start(0).await.expect("starts");
    emulator.script(Reply::Status {
        status: 400,
        error_type: "ValidationException".into(),
        message: "The provided model identifier is invalid.".into(),
    });
    let output = chat(&emulator, &["hi"]).await;
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("The provided model identifier is invalid."),
        "{}",
        stderr(&output)
    );
}

#[tokio::test]
async fn unavailable_every_time_exits_5() {
    let emulator = Emulator::start(0).await.expect("starts");
    for _ in 0..10 {
        emulator.script(Reply::Status {
            status: 503,
            error_type: "ServiceUnavailableException".into(),
            message: "Bedrock is unable to process your request.".into(),
        });
    }
    let output = chat(&emulator, &["hi"]).await;
    assert_eq!(output.status.code(), Some(5), "{}", stderr(&output));
    assert_eq!(emulator.requests().len(), 3);
}

/// An emulator whose next stream breaks with a `modelStreamErrorException`
/// ("The model stopped.") after three events.
async fn emulator_breaking_after_three_events() -> Emulator {
    let emulator = Emulator::start(0).await.expect("starts");
    emulator.script(Reply::ExceptionAfter {
        events: 3,
        exception_type: "modelStreamErrorException".into(),
        message: "The model stopped.".into(),
    });
    emulator
}

#[tokio::test]
async fn a_stream_broken_after_output_exits_6() {
    let emulator = emulator_breaking_after_three_events().await;
    let output = chat(&emulator, &["hi"]).await;
    assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
    assert!(
        stdout(&output).starts_with("You said: "),
        "{}",
        stdout(&output)
    );
    assert!(
        stderr(&output).contains("The model stopped."),
        "{}",
        stderr(&output)
    );
}

#[tokio::test]
async fn a_json_stream_broken_after_output_ends_on_its_last_event_line() {
    let emulator = emulator_breaking_after_three_events().await;
    let output = chat(&emulator, &["--json", "hi"]).await;
    assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.ends_with("}\n"), "{text:?}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text:?}");
    for line in lines {
        let event: serde_json::Value = serde_json::from_str(line).expect("one JSON event per line");
        assert!(event.is_object(), "{line}");
    }
}

#[tokio::test]
async fn demo_streams_the_echo() {
    let output = run_with(&["demo"], DEMO_ACCESS_KEY_ID, None).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("You said: Hello from bedrock-lite! Is the whole path working?"),
        "{text}"
    );
    assert!(text.contains("stats: "), "{text}");
}

/// Runs `bedrock-lite --endpoint-url <emulator> ARGS...` with the demo keys.
async fn run_against(emulator: &Emulator, args: &[&str]) -> Output {
    let endpoint = emulator.endpoint();
    let mut all = vec!["--endpoint-url", endpoint.as_str()];
    all.extend_from_slice(args);
    run_with(&all, DEMO_ACCESS_KEY_ID, None).await
}

#[tokio::test]
async fn count_tokens_prints_the_number_and_asks_the_base_model() {
    let emulator = Emulator::start(0).await.expect("starts");
    let model = "us.anthropic.claude-3-haiku-20240307-v1:0";
    let plain = run_against(
        &emulator,
        &["count-tokens", "-m", model, "count these four words"],
    )
    .await;
    assert_eq!(plain.status.code(), Some(0), "{}", stderr(&plain));
    let count: u64 = stdout(&plain).trim().parse().expect("a number alone");
    assert!(count > 0, "{count}");
    // An inference profile id goes to CountTokens as its base model.
    let requests = emulator.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].path,
        "/model/anthropic.claude-3-haiku-20240307-v1%3A0/count-tokens"
    );
    let json = run_against(
        &emulator,
        &[
            "--json",
            "count-tokens",
            "-m",
            model,
            "count these four words",
        ],
    )
    .await;
    assert_eq!(json.status.code(), Some(0), "{}", stderr(&json));
    let shown: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(shown["inputTokens"], serde_json::json!(count));
    assert!(shown["model"].as_str().is_some(), "{shown}");
    // A longer prompt counts more.
    let longer = run_against(
        &emulator,
        &[
            "count-tokens",
            "-m",
            model,
            "count these four words and then some more of them",
        ],
    )
    .await;
    let more: u64 = stdout(&longer).trim().parse().expect("a number");
    assert!(more > count, "{more} <= {count}");
}

/// `bedrock-lite GLOBAL... guardrail apply --id abc123def456 --version 1 ARGS...`.
async fn guardrail_apply(emulator: &Emulator, global: &[&str], args: &[&str]) -> Output {
    let mut all = global.to_vec();
    all.extend_from_slice(&[
        "guardrail",
        "apply",
        "--id",
        "abc123def456",
        "--version",
        "1",
    ]);
    all.extend_from_slice(args);
    run_against(emulator, &all).await
}

#[tokio::test]
async fn guardrail_apply_prints_the_action_then_the_text() {
    let emulator = Emulator::start(0).await.expect("starts");
    let passed = guardrail_apply(&emulator, &[], &["a harmless line"]).await;
    assert_eq!(passed.status.code(), Some(0), "{}", stderr(&passed));
    assert_eq!(stdout(&passed).lines().next(), Some("NONE"));
    let trigger = format!(
        "this has {} in it",
        bedrock_lite::emulator::GUARDRAIL_TRIGGER
    );
    let blocked = guardrail_apply(&emulator, &[], &["--source", "output", &trigger]).await;
    assert_eq!(blocked.status.code(), Some(0), "{}", stderr(&blocked));
    let shown = stdout(&blocked);
    let mut lines = shown.lines();
    assert_eq!(lines.next(), Some("GUARDRAIL_INTERVENED"), "{shown}");
    assert_eq!(
        lines.next(),
        Some(bedrock_lite::emulator::GUARDRAIL_BLOCKED_MESSAGE),
        "{shown}"
    );
    let sent: serde_json::Value =
        serde_json::from_slice(&emulator.requests()[1].body).expect("JSON request");
    assert_eq!(sent["source"], "OUTPUT", "{sent}");
    let json = guardrail_apply(&emulator, &["--json"], &["a harmless line"]).await;
    let response: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(response["action"], "NONE", "{response}");
}
