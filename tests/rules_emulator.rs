//! Model rules, the on-demand hint and guardrails, end to end against the
//! emulator: what actually goes on the wire is read back from the emulator.
#![cfg(all(feature = "cli", feature = "emulator"))]

use std::io::Write;
use std::process::{Command, Output};

use std::sync::{Arc, Mutex};

use bedrock_lite::bedrock::client::CallOptions;
use bedrock_lite::bedrock::error::BedrockError;
use bedrock_lite::emulator::{Emulator, Reply, DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY};
use bedrock_lite::types::{ConverseRequest, InferenceConfiguration};
use bedrock_lite::Client;
use serde_json::Value;

mod common;

/// A client of `emulator` whose notes (what `-v` prints) go into `notes`.
fn client_noting(emulator: &Emulator, notes: &Arc<Mutex<Vec<String>>>) -> Client {
    let sink = Arc::clone(notes);
    let settings = common::emulator_settings(&emulator.endpoint())
        .notes(Arc::new(move |note: &str| {
            sink.lock().unwrap().push(note.to_owned())
        }))
        .resolve()
        .unwrap();
    Client::new(settings)
}

fn client(emulator: &Emulator) -> Client {
    client_noting(emulator, &Arc::default())
}

/// The body of the last Converse request the emulator received.
fn last_converse_body(emulator: &Emulator) -> Value {
    let requests = emulator.requests();
    let request = requests
        .iter()
        .rev()
        .find(|r| r.method == "POST")
        .expect("a POST");
    serde_json::from_slice(&request.body).unwrap()
}

fn with_temperature() -> ConverseRequest {
    ConverseRequest {
        inference_config: Some(InferenceConfiguration {
            temperature: Some(0.5),
            top_p: Some(0.9),
            ..Default::default()
        }),
        additional_model_request_fields: Some(
            serde_json::json!({ "temperature": 0.5, "top_k": 5 }),
        ),
        ..Default::default()
    }
}

#[tokio::test]
async fn opus_4_7_loses_temperature_for_every_kind_of_ref_and_others_keep_it() {
    let emulator = Emulator::start(0).await.unwrap();
    let notes: Arc<Mutex<Vec<String>>> = Arc::default();
    let client = client_noting(&emulator, &notes);
    let arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/emuapp1";
    for model in [
        "anthropic.claude-opus-4-7",
        "us.anthropic.claude-opus-4-7",
        "global.anthropic.claude-opus-4-7",
        "eu.anthropic.claude-opus-4.7",
        "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-opus-4-7",
        arn,
    ] {
        notes.lock().unwrap().clear();
        client.converse(model, &with_temperature()).await.unwrap();
        let sent = last_converse_body(&emulator);
        let config = &sent["inferenceConfig"];
        assert!(config.get("temperature").is_none(), "{model}: {sent}");
        assert_eq!(config["topP"], 0.9, "{model}: other parameters stay");
        let fields = &sent["additionalModelRequestFields"];
        assert!(fields.get("temperature").is_none(), "{model}");
        assert_eq!(fields["top_k"], 5);
        let notes = notes.lock().unwrap();
        assert!(
            notes.iter().any(|n| n.contains("temperature")),
            "{model}: {notes:?}"
        );
    }
    // The application profile was resolved with GetInferenceProfile, once.
    let lookups = emulator
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.starts_with("/inference-profiles/"))
        .count();
    assert_eq!(lookups, 1);

    for model in [
        "anthropic.claude-sonnet-4-6",
        "us.anthropic.claude-opus-4-6-v1:0",
        "amazon.nova-micro-v1:0",
    ] {
        client.converse(model, &with_temperature()).await.unwrap();
        let sent = last_converse_body(&emulator);
        assert_eq!(sent["inferenceConfig"]["temperature"], 0.5, "{model}");
    }
    // The opt-out sends the request as it is.
    let raw = CallOptions {
        model_rules: false,
        ..CallOptions::default()
    };
    client
        .converse_with("anthropic.claude-opus-4-7", &with_temperature(), raw)
        .await
        .unwrap();
    let sent = last_converse_body(&emulator);
    assert_eq!(sent["inferenceConfig"]["temperature"], 0.5);
}

#[tokio::test]
async fn an_on_demand_refusal_names_the_inference_profile_to_use() {
    let emulator = Emulator::start(0).await.unwrap();
    emulator.script(Reply::Status {
        status: 400,
        error_type: "ValidationException".into(),
        message: "Invocation of model ID anthropic.claude-sonnet-4-6 with on-demand throughput isn't supported. Retry your request with the ID or ARN of an inference profile that contains this model.".into(),
    });
    let error = client(&emulator)
        .converse("anthropic.claude-sonnet-4-6", &ConverseRequest::default())
        .await
        .unwrap_err();
    let BedrockError::Service(service) = &error else {
        panic!("{error}");
    };
    let message = &service.message;
    assert!(
        message.contains("inference profile `us.anthropic.claude-sonnet-4-6`")
            || message.contains("inference profile `global.anthropic.claude-sonnet-4-6`"),
        "{message}"
    );
}

/// Runs the binary off the runtime's thread, so the emulator keeps serving.
async fn run(emulator: &Emulator, config: &str, args: &[&str]) -> Output {
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let home =
        std::env::temp_dir().join(format!("bedrock-lite-rules-{}-{run}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let config_path = home.join("config.json");
    std::fs::File::create(&config_path)
        .unwrap()
        .write_all(config.as_bytes())
        .unwrap();
    let endpoint = emulator.endpoint();
    let mut command = Command::new(env!("CARGO_BIN_EXE_bedrock-lite"));
    command
        .args(["--endpoint-url", &endpoint, "--config"])
        .arg(&config_path)
        .args(args)
        .env_clear()
        .env("HOME", &home)
        .env("AWS_ACCESS_KEY_ID", DEMO_ACCESS_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", DEMO_SECRET_ACCESS_KEY)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    let _ = std::fs::remove_dir_all(&home);
    output
}

/// The body of the last request the emulator received.
fn last_body(emulator: &Emulator) -> Value {
    let requests = emulator.requests();
    serde_json::from_slice(&requests.last().unwrap().body).unwrap()
}

#[tokio::test]
async fn guardrail_config_goes_on_both_operations_in_the_right_shape() {
    let emulator = Emulator::start(0).await.unwrap();
    let config = r#"{"guardrail": {"guardrailIdentifier": "gr-1", "guardrailVersion": "2",
        "streamProcessingMode": "async", "trace": "enabled_full"}}"#;
    let output = run(
        &emulator,
        config,
        &["chat", "-m", "amazon.nova-micro-v1:0", "hi"],
    )
    .await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let streamed = last_body(&emulator);
    assert_eq!(
        streamed["guardrailConfig"],
        serde_json::json!({"guardrailIdentifier": "gr-1", "guardrailVersion": "2",
            "streamProcessingMode": "async", "trace": "enabled_full"})
    );
    let output = run(
        &emulator,
        config,
        &["chat", "--no-stream", "-m", "amazon.nova-micro-v1:0", "hi"],
    )
    .await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let whole = last_body(&emulator);
    assert_eq!(
        whole["guardrailConfig"],
        serde_json::json!({"guardrailIdentifier": "gr-1", "guardrailVersion": "2",
            "trace": "enabled_full"}),
        "Converse takes no streamProcessingMode"
    );

    // Invalid values are config errors naming the key.
    let bad = r#"{"guardrail": {"guardrailIdentifier": "gr-1", "guardrailVersion": "2", "trace": "loud"}}"#;
    let output = run(
        &emulator,
        bad,
        &["chat", "-m", "amazon.nova-micro-v1:0", "hi"],
    )
    .await;
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("guardrail.trace"));
}

#[tokio::test]
async fn chat_drops_temperature_for_opus_4_7_with_a_note_under_v() {
    let emulator = Emulator::start(0).await.unwrap();
    let args = [
        "-v",
        "chat",
        "-m",
        "global.anthropic.claude-opus-4-7",
        "--temperature",
        "0.3",
        "hi",
    ];
    let output = run(&emulator, "{}", &args).await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("dropped `temperature`"));
    let body = last_body(&emulator);
    assert!(
        body["inferenceConfig"].get("temperature").is_none(),
        "{body}"
    );

    let args = [
        "chat",
        "-m",
        "amazon.nova-micro-v1:0",
        "--temperature",
        "0.3",
        "hi",
    ];
    let output = run(&emulator, "{}", &args).await;
    assert!(output.status.success());
    assert_eq!(last_body(&emulator)["inferenceConfig"]["temperature"], 0.3);
}

#[tokio::test]
async fn an_application_profile_is_looked_up_in_its_own_region() {
    let emulator = Emulator::start(0).await.unwrap();
    let notes: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = Arc::clone(&notes);
    let settings = common::emulator_settings(&emulator.endpoint())
        .region("eu-west-1")
        .notes(Arc::new(move |note: &str| {
            sink.lock().unwrap().push(note.to_owned())
        }))
        .resolve()
        .unwrap();
    let client = Client::new(settings);
    let arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/emuapp1";
    client.converse(arn, &with_temperature()).await.unwrap();

    // The rule applied: the profile's base model (Opus 4.7) was found.
    let sent = last_converse_body(&emulator);
    assert!(
        sent["inferenceConfig"].get("temperature").is_none(),
        "{sent}"
    );
    // GetInferenceProfile was signed for the ARN's region, not the client's.
    let requests = emulator.requests();
    let lookup = requests
        .iter()
        .find(|r| r.method == "GET" && r.path.starts_with("/inference-profiles/"))
        .expect("a GetInferenceProfile request");
    let authorization = lookup.header("authorization").unwrap();
    assert!(
        authorization.contains("/us-east-1/bedrock/aws4_request"),
        "{authorization}"
    );
    // `-v` names the region each call goes to, the lookup's included.
    let notes = notes.lock().unwrap();
    let at = format!("in us-east-1 at {}", emulator.endpoint());
    for operation in [
        "GetInferenceProfile GET /inference-profiles/",
        "Converse `arn:",
    ] {
        assert!(
            notes
                .iter()
                .any(|n| n.starts_with(operation) && n.ends_with(&at)),
            "{operation}: {notes:?}"
        );
    }
}

#[tokio::test]
async fn the_config_guardrail_can_be_left_off_and_a_requests_own_is_kept() {
    use bedrock_lite::types::{GuardrailConfiguration, Message};
    let emulator = Emulator::start(0).await.unwrap();
    let dir = std::env::temp_dir().join(format!(
        "bedrock-lite-guardrail-opt-out-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config.json");
    std::fs::write(
        &config,
        r#"{"guardrail": {"guardrailIdentifier": "gr-1", "guardrailVersion": "2"}}"#,
    )
    .unwrap();
    let settings = common::emulator_settings(&emulator.endpoint())
        .config_file(&config)
        .resolve()
        .unwrap();
    let client = Client::new(settings);
    let model = "amazon.nova-micro-v1:0";
    let request = ConverseRequest {
        messages: vec![Message::user("hi")],
        ..ConverseRequest::default()
    };
    // By default the config's guardrail goes on.
    client.converse(model, &request).await.unwrap();
    assert_eq!(
        last_body(&emulator)["guardrailConfig"]["guardrailIdentifier"],
        "gr-1"
    );
    // The per-request opt-out leaves it off.
    let without = CallOptions {
        guardrail: false,
        ..CallOptions::default()
    };
    client
        .converse_with(model, &request, without)
        .await
        .unwrap();
    assert!(last_body(&emulator).get("guardrailConfig").is_none());
    // A request that names its own guardrail keeps it.
    let own = ConverseRequest {
        guardrail_config: Some(GuardrailConfiguration {
            guardrail_identifier: Some("own-1".to_owned()),
            guardrail_version: Some("7".to_owned()),
            ..GuardrailConfiguration::default()
        }),
        ..request.clone()
    };
    client.converse(model, &own).await.unwrap();
    assert_eq!(
        last_body(&emulator)["guardrailConfig"],
        serde_json::json!({"guardrailIdentifier": "own-1", "guardrailVersion": "7"})
    );
    let _ = std::fs::remove_dir_all(&dir);
}
