//! The official `openai` Python client against `bedrock-lite serve` (the
//! built binary) in front of the emulator: `tests/python/gateway_openai.py`
//! runs phase by phase; before each scripted phase this test queues the
//! emulator's replies (several tool calls, a slow stream, cut and idle streams,
//! upstream errors). Then it checks what Python cannot see: what reached
//! Bedrock (the image, the history with blank text dropped, never a gateway
//! key) and the access log (one line per request, never a key).
//!
//! Five gateways run: the main one (keys `full`, `other`, `limited` to one
//! model, `rpm` at 2 requests per minute, `tpm` and `tpm_embed` at 3 tokens
//! per minute; keepalive every second), one with no AWS credentials (for the
//! 500), one with `maxConcurrent` 1, one with `promptCaching: "auto"`, and
//! one whose Bedrock idle timeout is 1 s (`BEDROCK_LITE_IDLE_TIMEOUT`).
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
    tpm: String,
    tpm_embed: String,
}

impl Keys {
    fn all(&self) -> [&str; 6] {
        [
            &self.full,
            &self.other,
            &self.limited,
            &self.rpm,
            &self.tpm,
            &self.tpm_embed,
        ]
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

/// A whole Converse reply: `content` blocks (JSON), `stopReason` `stop`.
fn converse_reply(content: Value, stop: &str) -> Reply {
    let reply = json!({
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": stop,
        "usage": {"inputTokens": 4, "outputTokens": 2, "totalTokens": 6},
        "metrics": {"latencyMs": 3}
    });
    Reply::Converse(Box::new(
        serde_json::from_value(reply).expect("a Converse response"),
    ))
}

/// The redacted reasoning the `redacted` phase scripts (base64 of its bytes,
/// as Bedrock's JSON and the script carry it).
const REDACTED_BASE64: &str = "AAFyZWRhY3RlZC1yZWFzb25pbmf/";

/// The InvokeModel bodies the emulator received for `model`, as JSON.
fn invoke_bodies(emulator: &Emulator, model: &str) -> Vec<Value> {
    let path = format!("/model/{model}/invoke");
    emulator
        .requests()
        .iter()
        .filter(|request| request.path.replace("%3A", ":") == path)
        .filter_map(|request| serde_json::from_slice(&request.body).ok())
        .collect()
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
        tpm: add_key(home, &main_config, "tpm", &["--tpm", "3"]),
        tpm_embed: add_key(home, &main_config, "tpm_embed", &["--tpm", "3"]),
    };
    let main = Serve::start(home, &main_config, Some(&endpoint), Aws::DemoKeys, &[]);
    let no_aws_config = config(home, "no-aws.json", json!({}));
    let no_aws = Serve::start(home, &no_aws_config, Some(&endpoint), Aws::None, &[]);
    let busy_config = config(home, "busy.json", json!({"gateway": {"maxConcurrent": 1}}));
    let busy = Serve::start(home, &busy_config, Some(&endpoint), Aws::DemoKeys, &[]);
    let auto_config = config(
        home,
        "auto.json",
        json!({"gateway": {"promptCaching": "auto"}}),
    );
    let auto = Serve::start(home, &auto_config, Some(&endpoint), Aws::DemoKeys, &[]);
    let idle = Serve::start_with_env(
        home,
        &no_aws_config,
        Some(&endpoint),
        Aws::DemoKeys,
        &[],
        &[("BEDROCK_LITE_IDLE_TIMEOUT", "1")],
    );
    let env = [
        ("GATEWAY_URL", main.url.as_str()),
        ("NO_AWS_URL", no_aws.url.as_str()),
        ("BUSY_URL", busy.url.as_str()),
        ("KEY_FULL", keys.full.as_str()),
        ("KEY_OTHER", keys.other.as_str()),
        ("KEY_LIMITED", keys.limited.as_str()),
        ("KEY_RPM", keys.rpm.as_str()),
        ("KEY_TPM", keys.tpm.as_str()),
        ("KEY_TPM_EMBED", keys.tpm_embed.as_str()),
        ("AUTO_URL", auto.url.as_str()),
        ("IDLE_URL", idle.url.as_str()),
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

    // promptCaching "auto": cache points after the tools and the system prompt
    // of a model that caches; none for one that does not.
    let auto_bodies: Vec<&Value> = bodies
        .iter()
        .filter(|body| {
            body["messages"][0]["content"][0]["text"]
                .as_str()
                .is_some_and(|text| text.starts_with("auto caching "))
        })
        .collect();
    assert_eq!(auto_bodies.len(), 4, "the auto-caching requests");
    for body in &auto_bodies {
        let cached = body["messages"][0]["content"][0]["text"] != "auto caching apples";
        let tools = body["toolConfig"]["tools"].as_array().expect("tools");
        let system = body["system"].as_array().expect("system");
        let point = json!({"cachePoint": {"type": "default"}});
        assert_eq!(
            (tools.last() == Some(&point), system.last() == Some(&point)),
            (cached, cached),
            "cache points after the tools and the system prompt only for a model that caches: {body}"
        );
        assert_eq!(
            body.to_string().matches("cachePoint").count(),
            if cached { 2 } else { 0 }
        );
    }
    // The fix-ups reached Bedrock as Bedrock takes them.
    let no_cache = bodies
        .iter()
        .find(|body| body["messages"][0]["content"][0]["text"] == "no cache model")
        .expect("the no-cache-model request reached Bedrock");
    assert!(
        !no_cache.to_string().contains("cachePoint"),
        "cache_control dropped for a model without caching: {no_cache}"
    );
    let prefill = bodies
        .iter()
        .find(|body| body["messages"][0]["content"][0]["text"] == "prefill question")
        .expect("the prefill request reached Bedrock");
    assert_eq!(
        prefill["messages"][1]["content"],
        json!([{"text": "The answer is"}])
    );
    let placeholders = bodies
        .iter()
        .filter(|body| {
            body["messages"][2]["content"][0]["toolResult"]["content"]
                == json!([{"text": "(no output)"}])
        })
        .count();
    assert_eq!(
        placeholders, 2,
        "an empty tool result became the placeholder"
    );
    // Embeddings: the request's options in each family's fields.
    let v4 = invoke_bodies(&emulator, "cohere.embed-v4:0");
    assert!(
        v4.iter().any(|body| body["output_dimension"] == 256
            && body["input_type"] == "classification"
            && body["texts"] == json!(["red apple", "green pear tree", "blue"])),
        "Cohere v4: dimensions → output_dimension, input_type, the list batched: {v4:?}"
    );
    let v3 = invoke_bodies(&emulator, "cohere.embed-english-v3");
    assert!(
        v3.iter().any(|body| body["input_type"] == "search_query"),
        "Cohere v3: input_type: {v3:?}"
    );
    let nova = invoke_bodies(&emulator, "amazon.nova-2-multimodal-embeddings-v1:0");
    assert_eq!(
        nova.len(),
        6,
        "Nova: one call per text (two requests of three)"
    );
    assert!(nova
        .iter()
        .all(|body| body["singleEmbeddingParams"]["embeddingDimension"] == 384));

    for stop in ["max_tokens", "guardrail_intervened", "content_filtered"] {
        for _ in 0..2 {
            emulator.script(converse_reply(json!([{"text": "Partial answer"}]), stop));
        }
    }
    phase(&python, "finish_reasons", &env);

    for _ in 0..2 {
        emulator.script(converse_reply(
            json!([
                {"reasoningContent": {"redactedContent": REDACTED_BASE64}},
                {"toolUse": {"toolUseId": "tooluse_redacted", "name": "get_weather", "input": {"city": "Paris"}}}
            ]),
            "tool_use",
        ));
    }
    phase(&python, "redacted", &env);
    let follow = converse_bodies(&emulator)
        .into_iter()
        .find(|body| {
            body["messages"][2]["content"][0]["toolResult"]["content"] == json!([{"text": "hail"}])
        })
        .expect("the redacted follow-up reached Bedrock");
    assert_eq!(
        follow["messages"][1]["content"][0],
        json!({"reasoningContent": {"redactedContent": REDACTED_BASE64}}),
        "reasoning.encrypted went back as the same redactedContent block"
    );

    // A frame whose prelude checksum is wrong: the decoder fails.
    for _ in 0..2 {
        let mut garbage = vec![0u8, 0, 0, 32, 0, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef];
        garbage.extend_from_slice(b"not an event-stream frame");
        emulator.script(Reply::Frames(vec![garbage.into()]));
    }
    phase(&python, "decoder_error", &env);

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

    for _ in 0..2 {
        emulator.script(Reply::Drip {
            delay: Duration::from_secs(3),
        });
    }
    phase(&python, "idle", &env);

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
    assert!(has(
        " POST /v1/chat/completions 429 key=tpm model=us.anthropic.claude-sonnet-4-6 "
    ));
    assert!(has(" POST /v1/embeddings 200 key=tpm_embed "));
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
