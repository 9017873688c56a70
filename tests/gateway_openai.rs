//! The official `openai` Python client against `bedrock-lite serve` (the
//! built binary) in front of the emulator: `tests/python/gateway_openai.py`
//! runs phase by phase; before each scripted phase this test queues the
//! emulator's replies (several tool calls, a slow stream, cut streams,
//! upstream errors). Then it checks what Python cannot see: what reached
//! Bedrock (the image, the history with blank text dropped, never a gateway
//! key) and the access log (one line per request, never a key).
//!
//! Three gateways run: the main one (keys `full`, `other`, `limited` to one
//! model, `rpm` at 2 requests per minute; keepalive every second), one with
//! no AWS credentials (for the 500), and one with `maxConcurrent` 1.
//!
//! The `openai` package is installed with pip into the tests' venv
//! ([`common::python`]); without PyPI the test fails under
//! `BEDROCK_LITE_REQUIRE_VECTORS=1` and says so loudly otherwise.
#![cfg(all(
    feature = "cli",
    feature = "gateway",
    feature = "emulator",
    feature = "discovery"
))]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use bedrock_lite::emulator::{Emulator, Reply};
use common::serve::{add_key, write_config, Aws, Serve, TempDir};
use serde_json::{json, Value};

/// The 1x1 PNG the script sends (base64, as the data: URL and Bedrock's JSON carry it).
const PNG_BASE64: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

/// The gateway's keys, by name.
struct Keys {
    full: String,
    other: String,
    limited: String,
    rpm: String,
}

impl Keys {
    fn all(&self) -> [&str; 4] {
        [&self.full, &self.other, &self.limited, &self.rpm]
    }
}

/// Runs one phase of the script; fails the test with its output if a check failed.
fn phase(python: &Path, name: &str, env: &[(&str, &str)]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/gateway_openai.py");
    let output = Command::new(python)
        .arg(script)
        .arg(name)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("PYTHONUNBUFFERED", "1")
        .envs(env.iter().copied())
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}");
    eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        output.status.success() && stdout.contains("every check passed"),
        "phase {name} failed ({}):\n{stdout}",
        output.status
    );
}

/// A config file at `dir/name` holding `value`.
fn config(dir: &Path, name: &str, value: Value) -> PathBuf {
    write_config(dir, name, &value)
}

/// A Converse reply with text, then three tool calls (content blocks 1 to 3).
fn three_tool_calls() -> Reply {
    let reply = json!({
        "output": {"message": {"role": "assistant", "content": [
            {"text": "Calling three tools."},
            {"toolUse": {"toolUseId": "tooluse_a", "name": "get_weather", "input": {"city": "Paris"}}},
            {"toolUse": {"toolUseId": "tooluse_b", "name": "get_time", "input": {"zone": "UTC"}}},
            {"toolUse": {"toolUseId": "tooluse_c", "name": "get_weather", "input": {"city": "Oslo"}}}
        ]}},
        "stopReason": "tool_use",
        "usage": {"inputTokens": 5, "outputTokens": 9, "totalTokens": 14},
        "metrics": {"latencyMs": 3}
    });
    Reply::Converse(Box::new(
        serde_json::from_value(reply).expect("a Converse response"),
    ))
}

/// The Converse requests the emulator received, as JSON, with their headers.
fn converse_bodies(emulator: &Emulator) -> Vec<Value> {
    emulator
        .requests()
        .iter()
        .filter(|request| request.path.contains("/converse"))
        .filter_map(|request| serde_json::from_slice(&request.body).ok())
        .collect()
}

#[test]
fn the_openai_client_against_serve() {
    let python = match common::python::python_with("openai", "openai") {
        Ok(python) => python,
        Err(why) => {
            return common::python::unavailable("openai", "the gateway's openai test", &why)
        }
    };
    // The emulator serves on the runtime's threads while this one runs processes.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let emulator = runtime
        .block_on(Emulator::start(0))
        .expect("the emulator starts");
    let endpoint = emulator.endpoint();
    let dir = TempDir::new("gateway-openai");
    let home = dir.path();
    let main_config = config(
        home,
        "config.json",
        json!({"gateway": {"keepaliveSeconds": 1}}),
    );
    let keys = Keys {
        full: add_key(home, &main_config, "full", &[]),
        other: add_key(home, &main_config, "other", &[]),
        limited: add_key(
            home,
            &main_config,
            "limited",
            &["--models", "us.amazon.nova-micro-v1:0"],
        ),
        rpm: add_key(home, &main_config, "rpm", &["--rpm", "2"]),
    };
    let main = Serve::start(home, &main_config, Some(&endpoint), Aws::DemoKeys, &[]);
    let no_aws_config = config(home, "no-aws.json", json!({}));
    let no_aws = Serve::start(home, &no_aws_config, Some(&endpoint), Aws::None, &[]);
    let busy_config = config(home, "busy.json", json!({"gateway": {"maxConcurrent": 1}}));
    let busy = Serve::start(home, &busy_config, Some(&endpoint), Aws::DemoKeys, &[]);
    let env = [
        ("GATEWAY_URL", main.url.as_str()),
        ("NO_AWS_URL", no_aws.url.as_str()),
        ("BUSY_URL", busy.url.as_str()),
        ("KEY_FULL", keys.full.as_str()),
        ("KEY_OTHER", keys.other.as_str()),
        ("KEY_LIMITED", keys.limited.as_str()),
        ("KEY_RPM", keys.rpm.as_str()),
    ];

    phase(&python, "main", &env);
    let bodies = converse_bodies(&emulator);
    let image = bodies
        .iter()
        .find(|body| body["messages"][0]["content"][0]["text"] == "Describe this image")
        .expect("the image request reached Bedrock");
    assert_eq!(
        image["messages"][0]["content"][1],
        json!({"image": {"format": "png", "source": {"bytes": PNG_BASE64}}}),
        "the data: URL became an image block"
    );
    assert!(
        bodies.iter().any(|body| body["messages"]
            == json!([{"role": "user", "content": [{"text": "Hello"}, {"text": "again"}]}])),
        "blank text was dropped before the user turns were merged"
    );
    let reasoning = bodies
        .iter()
        .find(|body| body["messages"][0]["content"][0]["text"] == "Hello thinker")
        .expect("the reasoning request reached Bedrock");
    assert_eq!(
        reasoning["additionalModelRequestFields"]["thinking"],
        json!({"type": "enabled", "budget_tokens": 1024}),
        "reasoning_effort low is a 1024-token thinking budget"
    );
    for (effort, budget) in [("medium", 4096), ("high", 16384)] {
        let sent = bodies
            .iter()
            .find(|body| body["messages"][0]["content"][0]["text"] == format!("{effort} thinker"))
            .unwrap_or_else(|| panic!("the {effort} reasoning request reached Bedrock"));
        assert_eq!(
            sent["additionalModelRequestFields"]["thinking"],
            json!({"type": "enabled", "budget_tokens": budget}),
            "reasoning_effort {effort}"
        );
        let inference = &sent["inferenceConfig"];
        assert!(
            inference.get("temperature").is_none() && inference.get("topP").is_none(),
            "thinking drops temperature and top_p: {inference}"
        );
        assert!(
            inference["maxTokens"]
                .as_u64()
                .is_some_and(|max| max > budget),
            "maxTokens above the budget: {inference}"
        );
        assert_eq!(
            sent["system"],
            json!([{"text": "Be brief."}]),
            "a developer message is a system prompt"
        );
    }
    let cached = bodies
        .iter()
        .find(|body| body["messages"][0]["content"][0]["text"] == "first question")
        .expect("the cache request reached Bedrock");
    assert_eq!(
        cached["system"][1],
        json!({"cachePoint": {"type": "default"}}),
        "cache_control became a cache point after the system text"
    );

    let user_part = bodies
        .iter()
        .find(|body| body["messages"][0]["content"][0]["text"] == "cache the user part")
        .expect("the user-part cache request reached Bedrock");
    assert_eq!(
        user_part["messages"][0]["content"][1],
        json!({"cachePoint": {"type": "default"}}),
        "cache_control on a user part became a cache point after it"
    );
    let tools = user_part["toolConfig"]["tools"].as_array().expect("tools");
    assert_eq!(
        tools.last(),
        Some(&json!({"cachePoint": {"type": "default"}})),
        "cache_control on a tool became a cache point after it: {tools:?}"
    );
    let five = bodies
        .iter()
        .find(|body| body["messages"][0]["content"][0]["text"] == "five cache points")
        .expect("the five-mark request reached Bedrock");
    let points = five.to_string().matches("cachePoint").count();
    assert_eq!(points, 4, "at most four cache points: {five}");
    assert_eq!(
        five["messages"][0]["content"]
            .as_array()
            .and_then(|c| c.last()),
        Some(&json!({"cachePoint": {"type": "default"}})),
        "the later marks win: {five}"
    );

    emulator.script(three_tool_calls());
    emulator.script(three_tool_calls());
    phase(&python, "tool_indexes", &env);

    emulator.script(Reply::Drip {
        delay: Duration::from_millis(1300),
    });
    phase(&python, "keepalive", &env);

    for _ in 0..2 {
        emulator.script(Reply::DropAfter { bytes: 200 });
    }
    phase(&python, "cut", &env);

    // The client retries throttling and unavailability: three attempts each.
    for _ in 0..3 {
        emulator.script(Reply::Throttle);
    }
    for _ in 0..3 {
        emulator.script(Reply::Status {
            status: 503,
            error_type: "ServiceUnavailableException".into(),
            message: "Bedrock is having a moment".into(),
        });
    }
    emulator.script(Reply::Status {
        status: 404,
        error_type: "ResourceNotFoundException".into(),
        message: "Model not found".into(),
    });
    emulator.script(Reply::Status {
        status: 403,
        error_type: "AccessDeniedException".into(),
        message: "You don't have access to the model with the specified model ID.".into(),
    });
    // Retryable as ServiceUnavailable is: three attempts.
    for _ in 0..3 {
        emulator.script(Reply::Status {
            status: 429,
            error_type: "ModelNotReadyException".into(),
            message: "Model is not ready for inference".into(),
        });
    }
    phase(&python, "upstream_errors", &env);

    emulator.script(Reply::Drip {
        delay: Duration::from_millis(1000),
    });
    phase(&python, "busy", &env);

    // No gateway key ever went to Bedrock: the gateway signs with AWS keys.
    for request in emulator.requests() {
        let authorization = request.header("authorization").unwrap_or_default();
        assert!(
            authorization.starts_with("AWS4-HMAC-SHA256 "),
            "{authorization}"
        );
        for key in keys.all() {
            assert!(
                request
                    .headers
                    .iter()
                    .all(|(_, value)| !value.contains(key)),
                "a gateway key reached Bedrock"
            );
        }
    }

    // The access log: one line per request, the key's name, never a key.
    let log = main.log();
    for key in keys.all() {
        assert!(
            log.iter().all(|line| !line.contains(key)),
            "a key reached the log"
        );
    }
    let has = |fragment: &str| log.iter().any(|line| line.contains(fragment));
    assert!(has(
        " POST /v1/chat/completions 403 key=limited model=us.anthropic.claude-sonnet-4-6 "
    ));
    assert!(has(
        " POST /v1/chat/completions 429 key=rpm model=us.anthropic.claude-sonnet-4-6 "
    ));
    assert!(has(" GET /v1/models 401 key=- model=- "));
    assert!(has(" GET /health 200 key=- "));
    assert!(has(" POST /v1/chat/completions 413 key=full "));
    assert!(has(" stream=done"));
    assert!(has(" stream=error"));
    let streamed = log
        .iter()
        .filter(|line| line.contains("stream=done") && line.contains("key=full"))
        .count();
    assert!(
        streamed >= 100,
        "one line per streamed request ({streamed})"
    );
    assert!(
        busy.log()
            .iter()
            .any(|line| line.contains("stream=client_gone")),
        "the busy gateway logged the stream whose client went away: {:?}",
        busy.log()
    );
    assert!(
        main.more_stdout().is_empty() && no_aws.more_stdout().is_empty(),
        "serve prints one line to stdout"
    );
}
