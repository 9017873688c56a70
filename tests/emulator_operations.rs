//! The client's other operations against the emulator, over loopback HTTP:
//! CountTokens (and its mapping of profiles to foundation models),
//! ApplyGuardrail, GetFoundationModel and InvokeModelWithResponseStream.
#![cfg(feature = "emulator")]

use std::future::poll_fn;
use std::pin::Pin;
use std::time::Duration;

use bedrock_lite::bedrock::error::BedrockError;
use bedrock_lite::bedrock::operations::InvokeStream;
use bedrock_lite::bedrock::stream::StreamError;
use bedrock_lite::emulator::{Emulator, Reply, GUARDRAIL_BLOCKED_MESSAGE, GUARDRAIL_TRIGGER};
use bedrock_lite::settings::Timeouts;
use bedrock_lite::Client;

mod common;
use bedrock_lite::types::{
    ApplyGuardrailRequest, ContentBlock, ConversationRole, ConverseRequest, CountTokensRequest,
    GuardrailAction, GuardrailContentBlock, GuardrailContentSource,
    GuardrailConverseContentQualifier, GuardrailConverseTextBlock, Message, StreamExceptionKind,
    SystemContentBlock,
};
use proptest::prelude::*;
use serde_json::{json, Value};

/// A model id with a `:`, so that path encoding is exercised too.
const MODEL: &str = "anthropic.claude-3-haiku-20240307-v1:0";
/// The emulator's application profile, which routes to Claude Opus 4.7.
const APP_PROFILE: &str =
    "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/emuapp1";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

fn client_with(emulator: &Emulator, idle_timeout: Duration) -> Client {
    let settings = common::emulator_settings(&emulator.endpoint())
        .timeouts(Timeouts {
            idle: idle_timeout,
            ..Timeouts::default()
        })
        .resolve()
        .expect("settings");
    Client::new(settings)
}

fn client(emulator: &Emulator) -> Client {
    client_with(emulator, Duration::from_secs(10))
}

fn user(text: &str) -> Message {
    Message {
        role: ConversationRole::User,
        content: vec![ContentBlock::Text(text.into())],
        extra: Default::default(),
    }
}

fn anthropic_body(text: &str) -> Value {
    json!({
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 100,
        "messages": [{ "role": "user", "content": text }],
    })
}

/// The paths of the requests the emulator received, in order.
fn paths(emulator: &Emulator) -> Vec<String> {
    emulator
        .requests()
        .into_iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

fn service_code(error: &BedrockError) -> Option<(u16, &str)> {
    match error {
        BedrockError::Service(error) => Some((error.status, error.code.as_str())),
        _ => None,
    }
}

/// A conversation of alternating turns, each of some text blocks.
fn conversations() -> impl Strategy<Value = ConverseRequest> {
    let text = "[a-zA-Z0-9]{1,8}( {1,2}[a-zA-Z0-9,.]{1,8}){0,6}";
    let turn = proptest::collection::vec(text, 1..4);
    (
        proptest::collection::vec(turn, 1..5),
        proptest::collection::vec(text, 0..3),
    )
        .prop_map(|(turns, system)| {
            let last = turns.len() - 1;
            ConverseRequest {
                messages: turns
                    .into_iter()
                    .enumerate()
                    .map(|(index, texts)| Message {
                        // The last turn is the user's, the ones before alternate.
                        role: if (last - index) % 2 == 0 {
                            ConversationRole::User
                        } else {
                            ConversationRole::Assistant
                        },
                        content: texts.into_iter().map(ContentBlock::Text).collect(),
                        extra: Default::default(),
                    })
                    .collect(),
                system: system.into_iter().map(SystemContentBlock::Text).collect(),
                ..ConverseRequest::default()
            }
        })
}

#[test]
fn count_tokens_equals_the_input_tokens_converse_reports() {
    let runtime = runtime();
    let emulator = runtime.block_on(Emulator::start(0)).expect("starts");
    let client = client(&emulator);
    proptest!(ProptestConfig::with_cases(24), |(request in conversations())| {
        let (counted, used) = runtime.block_on(async {
            let counted = client
                .count_tokens(MODEL, &CountTokensRequest::converse(&request))
                .await
                .expect("counts");
            let used = client.converse(MODEL, &request).await.expect("answers");
            (counted.input_tokens, used.usage.input_tokens)
        });
        prop_assert_eq!(counted, used);
    });
}

#[test]
fn count_tokens_of_an_invoke_model_body_equals_its_usage() {
    runtime().block_on(async {
        let emulator = Emulator::start(0).await.expect("starts");
        let client = client(&emulator);
        let body = anthropic_body("count these four words");
        let counted = client
            .count_tokens(
                MODEL,
                &CountTokensRequest::invoke_model(body.to_string().into_bytes()),
            )
            .await
            .expect("counts");
        let answer: Value =
            serde_json::from_slice(&client.invoke(MODEL, &body).await.expect("answers"))
                .expect("JSON");
        assert_eq!(counted.input_tokens, 4);
        assert_eq!(answer["usage"]["input_tokens"], json!(4));
        assert_eq!(
            answer["content"][0]["text"],
            "You said: count these four words"
        );
    });
}

#[test]
fn count_tokens_takes_profiles_by_their_foundation_model() {
    runtime().block_on(async {
        let emulator = Emulator::start(0).await.expect("starts");
        let client = client(&emulator);
        let request = CountTokensRequest::converse(&ConverseRequest {
            messages: vec![user("one two three")],
            ..ConverseRequest::default()
        });
        let counted = client
            .count_tokens("us.anthropic.claude-sonnet-4-6", &request)
            .await
            .expect("counts");
        assert_eq!(counted.input_tokens, 3);
        let counted = client
            .count_tokens(APP_PROFILE, &request)
            .await
            .expect("counts");
        assert_eq!(counted.input_tokens, 3);
        assert_eq!(
            paths(&emulator),
            [
                "POST /model/anthropic.claude-sonnet-4-6/count-tokens".to_owned(),
                format!(
                    "GET /inference-profiles/{}",
                    "arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aapplication-inference-profile%2Femuapp1"
                ),
                "POST /model/arn%3Aaws%3Abedrock%3Aus-east-1%3A%3Afoundation-model%2Fanthropic.claude-opus-4-7/count-tokens"
                    .to_owned(),
            ]
        );

        for (model, expected) in [
            (MODEL, MODEL),
            ("global.anthropic.claude-haiku-4-5", "anthropic.claude-haiku-4-5"),
            ("amazon-bedrock/eu.amazon.nova-pro-v1:0", "amazon.nova-pro-v1:0"),
            (
                "arn:aws:bedrock:eu-west-3:123456789012:inference-profile/eu.amazon.nova-lite-v1:0",
                "arn:aws:bedrock:eu-west-3::foundation-model/amazon.nova-lite-v1:0",
            ),
            (
                "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc",
                "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc",
            ),
        ] {
            assert_eq!(
                client.foundation_model_for(model).await.expect("maps").id(),
                expected,
                "{model}"
            );
        }
        let unknown = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/nope";
        let error = client.count_tokens(unknown, &request).await.unwrap_err();
        assert_eq!(service_code(&error), Some((404, "ResourceNotFoundException")), "{error}");
        let error = client.count_tokens("bad model", &request).await.unwrap_err();
        assert!(
            matches!(error, BedrockError::Config(_) | BedrockError::ModelRef(_)),
            "{error}"
        );
    });
}

#[test]
fn apply_guardrail_passes_or_blocks() {
    runtime().block_on(async {
        let emulator = Emulator::start(0).await.expect("starts");
        let client = client(&emulator);
        let harmless = ApplyGuardrailRequest::text(GuardrailContentSource::Input, "What is 2+2?");
        let verdict = client
            .apply_guardrail("abc123", "DRAFT", &harmless)
            .await
            .expect("applies");
        assert_eq!(verdict.action, GuardrailAction::None);
        assert!(!verdict.intervened());
        assert_eq!(verdict.output_texts().count(), 0);
        assert_eq!(verdict.usage.word_policy_units, 1);

        let blocked = ApplyGuardrailRequest::text(
            GuardrailContentSource::Output,
            format!("the answer is {GUARDRAIL_TRIGGER}"),
        );
        let arn = "arn:aws:bedrock:us-east-1:123456789012:guardrail/abc123";
        let verdict = client
            .apply_guardrail(arn, "7", &blocked)
            .await
            .expect("applies");
        assert!(verdict.intervened());
        assert_eq!(verdict.output_texts().collect::<Vec<_>>(), [GUARDRAIL_BLOCKED_MESSAGE]);
        let details = verdict
            .assessments
            .first()
            .and_then(|a| a.applied_guardrail_details.as_ref())
            .expect("details");
        assert_eq!(details.guardrail_arn.as_deref(), Some(arn));
        assert_eq!(details.guardrail_version.as_deref(), Some("7"));

        let query_only = ApplyGuardrailRequest {
            content: vec![GuardrailContentBlock::Text(GuardrailConverseTextBlock {
                text: GUARDRAIL_TRIGGER.into(),
                qualifiers: vec![GuardrailConverseContentQualifier::Query],
                extra: Default::default(),
            })],
            ..harmless.clone()
        };
        let verdict = client
            .apply_guardrail("abc123", "1", &query_only)
            .await
            .expect("applies");
        assert!(!verdict.intervened(), "a query is not guarded");

        let error = client
            .apply_guardrail("abc123", "0", &harmless)
            .await
            .unwrap_err();
        assert_eq!(service_code(&error), Some((400, "ValidationException")), "{error}");
        let sent = emulator.requests().len();
        let error = client.apply_guardrail("", "1", &harmless).await.unwrap_err();
        assert!(
            matches!(error, BedrockError::Config(_) | BedrockError::ModelRef(_)),
            "{error}"
        );
        assert_eq!(emulator.requests().len(), sent, "nothing sent");
        assert_eq!(
            paths(&emulator),
            [
                "POST /guardrail/abc123/version/DRAFT/apply",
                "POST /guardrail/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aguardrail%2Fabc123/version/7/apply",
                "POST /guardrail/abc123/version/1/apply",
                "POST /guardrail/abc123/version/0/apply",
            ]
        );
    });
}

#[test]
fn get_foundation_model_by_id_or_arn() {
    runtime().block_on(async {
        let emulator = Emulator::start(0).await.expect("starts");
        let client = client(&emulator);
        let model = client.get_foundation_model(MODEL).await.expect("found");
        assert_eq!(model.model_id, MODEL);
        assert_eq!(model.provider_name.as_deref(), Some("Anthropic"));
        assert!(model.is_usable_for_chat());
        let by_arn = client
            .get_foundation_model(&model.model_arn)
            .await
            .expect("found by ARN");
        assert_eq!(by_arn, model);
        let error = client
            .get_foundation_model("acme.nothing-v1")
            .await
            .unwrap_err();
        assert_eq!(
            service_code(&error),
            Some((404, "ResourceNotFoundException")),
            "{error}"
        );
        assert_eq!(
            paths(&emulator).first().map(String::as_str),
            Some("GET /foundation-models/anthropic.claude-3-haiku-20240307-v1%3A0")
        );
    });
}

/// Every chunk of `stream` as JSON, through `next_chunk`, and the error that ended it.
async fn chunks(mut stream: InvokeStream) -> (Vec<Value>, Option<StreamError>) {
    let mut pieces = Vec::new();
    while let Some(chunk) = stream.next_chunk().await {
        match chunk {
            Ok(bytes) => pieces.push(serde_json::from_slice(&bytes).expect("a JSON chunk")),
            Err(error) => {
                assert!(
                    stream.next_chunk().await.is_none(),
                    "nothing after an error"
                );
                return (pieces, Some(error));
            }
        }
    }
    (pieces, None)
}

/// The text of Anthropic `content_block_delta` chunks, joined.
fn anthropic_text(pieces: &[Value]) -> String {
    pieces
        .iter()
        .filter(|p| p["type"] == "content_block_delta")
        .filter_map(|p| p["delta"]["text"].as_str())
        .collect()
}

#[test]
fn invoke_with_response_stream_yields_the_models_chunks() {
    runtime().block_on(async {
        let emulator = Emulator::start(0).await.expect("starts");
        let client = client(&emulator);
        let stream = client
            .invoke_with_response_stream(
                "us.anthropic.claude-sonnet-4-6",
                &anthropic_body("hello there"),
            )
            .await
            .expect("streams");
        let (pieces, error) = chunks(stream).await;
        assert!(error.is_none(), "{error:?}");
        assert_eq!(anthropic_text(&pieces), "You said: hello there");
        let types: Vec<&str> = pieces.iter().filter_map(|p| p["type"].as_str()).collect();
        assert_eq!(types.first(), Some(&"message_start"));
        assert_eq!(types.last(), Some(&"message_stop"));
        assert!(types.contains(&"message_delta"));

        // The same through the `Stream` trait, with the `outputText` format.
        let mut stream = client
            .invoke_with_response_stream("amazon.nova-micro-v1:0", &json!({"inputText": "a b c"}))
            .await
            .expect("streams");
        let mut text = String::new();
        let mut last = Value::Null;
        while let Some(chunk) =
            poll_fn(|cx| futures_core::Stream::poll_next(Pin::new(&mut stream), cx)).await
        {
            last = serde_json::from_slice(&chunk.expect("a chunk")).expect("JSON");
            text.push_str(last["outputText"].as_str().expect("outputText"));
        }
        assert_eq!(text, "You said: a b c");
        assert_eq!(last["completionReason"], "FINISH");

        emulator.script(Reply::Text("scripted answer".into()));
        let stream = client
            .invoke_with_response_stream(MODEL, &anthropic_body("ignored"))
            .await
            .expect("streams");
        assert_eq!(anthropic_text(&chunks(stream).await.0), "scripted answer");
        assert!(paths(&emulator)
            .iter()
            .all(|p| p.ends_with("/invoke-with-response-stream")));
    });
}

#[test]
fn invoke_with_response_stream_failures() {
    runtime().block_on(async {
        let emulator = Emulator::start(0).await.expect("starts");
        let client = client(&emulator);
        emulator.script(Reply::ExceptionAfter {
            events: 3,
            exception_type: "modelStreamErrorException".into(),
            message: "the model broke".into(),
        });
        let stream = client
            .invoke_with_response_stream(MODEL, &anthropic_body("one two three four"))
            .await
            .expect("starts streaming");
        let (pieces, error) = chunks(stream).await;
        assert_eq!(pieces.len(), 3);
        let Some(StreamError::Exception(exception)) = error else {
            panic!("a stream exception: {error:?}");
        };
        assert_eq!(exception.kind, StreamExceptionKind::ModelStreamError);
        assert_eq!(exception.message.as_deref(), Some("the model broke"));

        emulator.script(Reply::DropAfter { bytes: 40 });
        let stream = client
            .invoke_with_response_stream(MODEL, &anthropic_body("cut me"))
            .await
            .expect("starts streaming");
        let (pieces, error) = chunks(stream).await;
        assert!(pieces.is_empty());
        assert!(error.is_some(), "a cut stream is an error");

        emulator.script(Reply::Throttle);
        let stream = client
            .invoke_with_response_stream(MODEL, &anthropic_body("after a retry"))
            .await
            .expect("retried");
        assert_eq!(
            anthropic_text(&chunks(stream).await.0),
            "You said: after a retry"
        );

        let error = client
            .invoke_with_response_stream("amazon.titan-embed-text-v2:0", &json!({"inputText": "x"}))
            .await
            .unwrap_err();
        assert_eq!(
            service_code(&error),
            Some((400, "ValidationException")),
            "{error}"
        );
        let error = client
            .invoke_with_response_stream(MODEL, &json!({"prompt": "no messages"}))
            .await
            .unwrap_err();
        assert_eq!(
            service_code(&error),
            Some((400, "ValidationException")),
            "{error}"
        );

        let impatient = client_with(&emulator, Duration::from_millis(200));
        emulator.script(Reply::Drip {
            delay: Duration::from_secs(2),
        });
        let stream = impatient
            .invoke_with_response_stream(MODEL, &anthropic_body("slowly"))
            .await
            .expect("headers come at once");
        let (_, error) = chunks(stream).await;
        assert!(
            matches!(error, Some(StreamError::IdleTimeout(_))),
            "{error:?}"
        );
    });
}
