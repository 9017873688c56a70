//! The runtime client against the emulator, over real loopback HTTP.
//!
//! Our signer and codec are never checked only against themselves: every
//! SigV4 request the emulator records is re-signed by the official `aws-sigv4`
//! crate and must carry the same `Authorization`, and several streams are
//! framed by the official `aws-smithy-eventstream` encoder.
#![cfg(feature = "emulator")]

use std::time::{Duration, SystemTime};

mod common;

use bedrock_lite::bedrock::error::BedrockError;
use bedrock_lite::bedrock::stream::{ConverseStream, StreamError};
use bedrock_lite::credentials::{Auth, Credentials, Secret};
use bedrock_lite::emulator::{
    Emulator, RecordedRequest, Reply, DEMO_ACCESS_KEY_ID, DEMO_BEARER_TOKEN, DEMO_SECRET_ACCESS_KEY,
};
use bedrock_lite::settings::{SettingsBuilder, Timeouts};
use bedrock_lite::transport::{ServiceError, ServiceErrorKind};
use bedrock_lite::types::{
    ContentBlock, ContentBlockDelta, ContentBlockStart, ConversationRole, ConverseOutput,
    ConverseRequest, Message, ReasoningContentBlock, ReasoningContentBlockDelta, StopReason,
    StreamEvent, StreamExceptionKind,
};
use bedrock_lite::Client;
use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A model id with a `:`, so that path encoding is exercised too.
const MODEL: &str = "anthropic.claude-3-haiku-20240307-v1:0";

fn config(emulator: &Emulator) -> SettingsBuilder {
    common::emulator_settings(&emulator.endpoint()).timeouts(Timeouts {
        idle: Duration::from_secs(10),
        ..Timeouts::default()
    })
}

fn build(settings: SettingsBuilder) -> Client {
    Client::new(settings.resolve().expect("settings"))
}

fn client(emulator: &Emulator) -> Client {
    build(config(emulator))
}

fn prompt(text: &str) -> ConverseRequest {
    ConverseRequest {
        messages: vec![Message::user(text)],
        ..ConverseRequest::default()
    }
}

/// What a stream delivered: the event types, the text, the tool input, the
/// reasoning, and how it ended.
#[derive(Debug, Default)]
struct Collected {
    types: Vec<String>,
    text: String,
    tool_input: String,
    tool_name: Option<String>,
    reasoning: String,
    signature: Option<String>,
    stop_reason: Option<StopReason>,
    error: Option<BedrockError>,
}

async fn collect(mut stream: ConverseStream) -> Collected {
    let mut out = Collected::default();
    while let Some(item) = stream.next_event().await {
        let event = match item {
            Ok(event) => event,
            Err(error) => {
                out.error = Some(error.into());
                break;
            }
        };
        out.types.push(event.event_type().to_owned());
        match event.parse().expect("a valid event") {
            StreamEvent::ContentBlockDelta(delta) => match delta.delta {
                ContentBlockDelta::Text(text) => out.text.push_str(&text),
                ContentBlockDelta::ToolUse(tool) => out.tool_input.push_str(&tool.input),
                ContentBlockDelta::ReasoningContent(ReasoningContentBlockDelta::Text(text)) => {
                    out.reasoning.push_str(&text)
                }
                ContentBlockDelta::ReasoningContent(ReasoningContentBlockDelta::Signature(s)) => {
                    out.signature = Some(s.into_owned())
                }
                _ => {}
            },
            StreamEvent::ContentBlockStart(start) => {
                if let ContentBlockStart::ToolUse(tool) = start.start {
                    out.tool_name = Some(tool.name);
                }
            }
            StreamEvent::MessageStop(stop) => out.stop_reason = Some(stop.stop_reason),
            _ => {}
        }
    }
    out
}

async fn stream_once(client: &Client, text: &str) -> Collected {
    let stream = client
        .converse_stream(MODEL, &prompt(text))
        .await
        .expect("the stream starts");
    collect(stream).await
}

/// The `Authorization` the official `aws-sigv4` crate computes for `request`
/// (the demo keys, the request's own `X-Amz-Date`, region and service from its
/// credential scope, and the headers its `SignedHeaders` names).
fn official_authorization(request: &RecordedRequest) -> String {
    use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
    let authorization = request.header("authorization").unwrap_or_default();
    let field = |name: &str| {
        authorization
            .split(&format!("{name}="))
            .nth(1)
            .and_then(|rest| rest.split(',').next())
            .unwrap_or_default()
            .to_owned()
    };
    let credential = field("Credential");
    let scope: Vec<&str> = credential.split('/').collect();
    let signed_headers = field("SignedHeaders");
    let headers: Vec<(&str, &str)> = signed_headers
        .split(';')
        .filter(|name| !["host", "x-amz-date", "x-amz-security-token"].contains(name))
        .filter_map(|name| Some((name, request.header(name)?)))
        .collect();
    let amz_date = request.header("x-amz-date").expect("an X-Amz-Date");
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    let time: SystemTime = time::PrimitiveDateTime::parse(amz_date, format)
        .expect("a valid X-Amz-Date")
        .assume_utc()
        .into();
    let uri = format!(
        "http://{}{}",
        request.header("host").expect("a Host"),
        request.path
    );
    let identity = aws_credential_types::Credentials::new(
        DEMO_ACCESS_KEY_ID,
        DEMO_SECRET_ACCESS_KEY,
        None,
        None,
        "test",
    )
    .into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(scope[2])
        .name(scope[3])
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .expect("signing params")
        .into();
    let signable = SignableRequest::new(
        &request.method,
        &uri,
        headers.into_iter(),
        SignableBody::Bytes(&request.body),
    )
    .expect("a signable request");
    let (instructions, _) = sign(signable, &params).expect("signed").into_parts();
    let authorization = instructions
        .headers()
        .find(|(name, _)| name.eq_ignore_ascii_case("authorization"))
        .map(|(_, value)| value.to_owned())
        .expect("an Authorization header");
    authorization
}

/// Every SigV4 request the emulator received carries the official signature.
fn assert_official_signatures(emulator: &Emulator) {
    let requests = emulator.requests();
    assert!(!requests.is_empty());
    for request in requests {
        let ours = request.header("authorization").expect("signed");
        assert_eq!(ours, official_authorization(&request), "{}", request.path);
    }
}

fn smithy_frame(message_type: &str, type_header: &str, name: &str, payload: &str) -> Vec<u8> {
    use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
    let message = Message::new(payload.as_bytes().to_vec())
        .add_header(Header::new(
            type_header.to_owned(),
            HeaderValue::String(name.to_owned().into()),
        ))
        .add_header(Header::new(
            ":content-type",
            HeaderValue::String("application/json".into()),
        ))
        .add_header(Header::new(
            ":message-type",
            HeaderValue::String(message_type.to_owned().into()),
        ));
    let mut out = Vec::new();
    aws_smithy_eventstream::frame::write_message_to(&message, &mut out).expect("encodes");
    out
}

fn smithy_event(event_type: &str, payload: &str) -> Vec<u8> {
    smithy_frame("event", ":event-type", event_type, payload)
}

/// A whole stream, framed by `aws-smithy-eventstream`, saying `pieces`.
fn smithy_stream(pieces: &[&str]) -> Vec<u8> {
    let mut body = smithy_event("messageStart", r#"{"role":"assistant","p":"abc"}"#);
    for piece in pieces {
        let payload =
            serde_json::json!({"contentBlockIndex":0,"delta":{"text":piece},"p":"abcdef"});
        body.extend(smithy_event("contentBlockDelta", &payload.to_string()));
    }
    body.extend(smithy_event(
        "contentBlockStop",
        r#"{"contentBlockIndex":0}"#,
    ));
    body.extend(smithy_event("messageStop", r#"{"stopReason":"end_turn"}"#));
    body.extend(smithy_event(
        "metadata",
        r#"{"usage":{"inputTokens":1,"outputTokens":2,"totalTokens":3},"metrics":{"latencyMs":7}}"#,
    ));
    body
}

fn chunks_of(body: &[u8], size: usize) -> Vec<Bytes> {
    body.chunks(size).map(Bytes::copy_from_slice).collect()
}

#[tokio::test]
async fn a_normal_stream_echoes_and_is_signed_as_aws_sigv4_signs() {
    let emulator = Emulator::start(0).await.expect("starts");
    let client = client(&emulator);
    let got = stream_once(&client, "hello there").await;
    assert!(got.error.is_none(), "{:?}", got.error);
    assert_eq!(got.text, "You said: hello there");
    assert_eq!(
        got.types,
        [
            "messageStart",
            "contentBlockDelta",
            "contentBlockDelta",
            "contentBlockDelta",
            "contentBlockDelta",
            "contentBlockStop",
            "messageStop",
            "metadata"
        ]
    );
    assert_eq!(got.stop_reason, Some(StopReason::EndTurn));
    let requests = emulator.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "POST");
    assert_eq!(
        requests[0].path,
        "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream"
    );
    assert_official_signatures(&emulator);
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_stream_split_at_every_byte_boundary() {
    let emulator = Emulator::start(0).await.expect("starts");
    let client = client(&emulator);
    let body = smithy_stream(&["héllo ", "wörld ", "🎉"]);
    emulator.script(Reply::Frames(chunks_of(&body, 1)));
    let got = stream_once(&client, "x").await;
    assert!(got.error.is_none(), "{:?}", got.error);
    assert_eq!(got.text, "héllo wörld 🎉");
    assert_eq!(got.types.len(), 7);
    assert_official_signatures(&emulator);
}

#[tokio::test]
async fn multi_byte_utf8_split_across_chunks() {
    let emulator = Emulator::start(0).await.expect("starts");
    let client = client(&emulator);
    let body = smithy_stream(&["日本語", "🎉é"]);
    // Split inside every multi-byte character of the payload: cut just after
    // each lead byte.
    let mut chunks = Vec::new();
    let mut start = 0;
    for (at, byte) in body.iter().enumerate() {
        if *byte >= 0xC0 {
            chunks.push(Bytes::copy_from_slice(&body[start..=at]));
            start = at + 1;
        }
    }
    chunks.push(Bytes::copy_from_slice(&body[start..]));
    assert!(chunks.len() > 4);
    emulator.script(Reply::Frames(chunks));
    let got = stream_once(&client, "x").await;
    assert!(got.error.is_none(), "{:?}", got.error);
    assert_eq!(got.text, "日本語🎉é");
}

#[tokio::test]
async fn each_exception_mid_stream_is_typed_with_its_retryability() {
    let emulator = Emulator::start(0).await.expect("starts");
    let client = client(&emulator);
    let cases = [
        ("throttlingException", StreamExceptionKind::Throttling, true),
        (
            "modelStreamErrorException",
            StreamExceptionKind::ModelStreamError,
            false,
        ),
        (
            "validationException",
            StreamExceptionKind::Validation,
            false,
        ),
        (
            "internalServerException",
            StreamExceptionKind::InternalServer,
            true,
        ),
        (
            "serviceUnavailableException",
            StreamExceptionKind::ServiceUnavailable,
            true,
        ),
    ];
    let count = cases.len();
    for (exception_type, kind, retryable) in cases {
        emulator.script(Reply::ExceptionAfter {
            events: 2,
            exception_type: exception_type.into(),
            message: format!("{exception_type} happened"),
        });
        let got = stream_once(&client, "one two").await;
        assert_eq!(got.text, "You ", "{exception_type}");
        let Some(BedrockError::Stream(StreamError::Exception(exception))) = &got.error else {
            panic!("{exception_type}: {:?}", got.error);
        };
        assert_eq!(exception.kind, kind);
        assert_eq!(
            exception.message.as_deref(),
            Some(&*format!("{exception_type} happened"))
        );
        assert_eq!(
            got.error.as_ref().map(BedrockError::is_retryable),
            Some(retryable)
        );
    }
    // Exceptions in the body are never retried: one request each.
    assert_eq!(emulator.requests().len(), count);
}

#[tokio::test]
async fn an_exception_framed_by_smithy_is_read() {
    let emulator = Emulator::start(0).await.expect("starts");
    let client = client(&emulator);
    let mut body = smithy_event("messageStart", r#"{"role":"assistant"}"#);
    body.extend(smithy_frame(
        "exception",
        ":exception-type",
        "modelStreamErrorException",
        r#"{"message":"model failed","originalStatusCode":500,"originalMessage":"boom"}"#,
    ));
    emulator.script(Reply::Frames(vec![Bytes::from(body)]));
    let got = stream_once(&client, "x").await;
    let Some(BedrockError::Stream(StreamError::Exception(exception))) = got.error else {
        panic!("{:?}", got.error);
    };
    assert_eq!(exception.kind, StreamExceptionKind::ModelStreamError);
    assert_eq!(exception.original_status_code, Some(500));
}

#[tokio::test]
async fn a_connection_cut_inside_a_frame() {
    let emulator = Emulator::start(0).await.expect("starts");
    let client = client(&emulator);
    emulator.script(Reply::DropAfter { bytes: 150 });
    let got = stream_once(&client, "a long enough prompt to make several frames").await;
    assert!(
        matches!(
            got.error,
            Some(BedrockError::Stream(
                StreamError::Network(_) | StreamError::Decode(_) | StreamError::EndedEarly
            ))
        ),
        "{:?}",
        got.error
    );
    assert!(got.stop_reason.is_none());
}

#[tokio::test]
async fn a_bad_crc_is_an_invalid_response() {
    let emulator = Emulator::start(0).await.expect("starts");
    let client = client(&emulator);
    let mut body = smithy_stream(&["hello"]);
    // A byte of the first frame's payload: its message CRC no longer matches.
    body[40] ^= 0x01;
    emulator.script(Reply::Frames(vec![Bytes::from(body)]));
    let got = stream_once(&client, "x").await;
    assert!(
        matches!(
            got.error,
            Some(BedrockError::Stream(StreamError::Decode(_)))
        ),
        "{:?}",
        got.error
    );
    assert!(got.types.is_empty());
}

#[tokio::test]
async fn throttling_then_success_is_retried() {
    let emulator = Emulator::start(0).await.expect("starts");
    let client = client(&emulator);
    emulator.script(Reply::Throttle);
    let got = stream_once(&client, "again").await;
    assert!(got.error.is_none(), "{:?}", got.error);
    assert_eq!(got.text, "You said: again");
    assert_eq!(emulator.requests().len(), 2);
    assert_official_signatures(&emulator);
}

#[tokio::test]
async fn unavailable_every_time_stops_after_max_attempts() {
    let emulator = Emulator::start(0).await.expect("starts");
    let client = client(&emulator);
    for _ in 0..10 {
        emulator.script(Reply::Status {
            status: 503,
            error_type: "ServiceUnavailableException".into(),
            message: "Bedrock is unable to process your request.".into(),
        });
    }
    let error = client
        .converse_stream(MODEL, &prompt("x"))
        .await
        .expect_err("unavailable");
    assert!(
        matches!(&error, BedrockError::Service(ServiceError { status: 503, code, kind: ServiceErrorKind::Unavailable, .. }) if code == "ServiceUnavailableException"),
        "{error:?}"
    );
    assert_eq!(emulator.requests().len(), 3);
}

#[tokio::test]
async fn a_skewed_server_clock_is_corrected_once() {
    let emulator = Emulator::start(0).await.expect("starts");
    let client = client(&emulator);
    emulator.script(Reply::SkewedClock { offset_secs: 3600 });
    let got = stream_once(&client, "late").await;
    assert!(got.error.is_none(), "{:?}", got.error);
    assert_eq!(got.text, "You said: late");
    assert_eq!(emulator.requests().len(), 2);
    let second = stream_once(&client, "again").await;
    assert!(second.error.is_none(), "{:?}", second.error);
    assert_eq!(emulator.requests().len(), 3, "the offset is kept");
    assert_official_signatures(&emulator);
}

#[tokio::test]
async fn bearer_token_auth_sends_no_sigv4() {
    let emulator = Emulator::start(0).await.expect("starts");
    let client = build(config(&emulator).credentials(Auth::Bearer(Secret::new(DEMO_BEARER_TOKEN))));
    let got = stream_once(&client, "token").await;
    assert!(got.error.is_none(), "{:?}", got.error);
    assert_eq!(got.text, "You said: token");
    let requests = emulator.requests();
    assert_eq!(
        requests[0].header("authorization"),
        Some(&*format!("Bearer {DEMO_BEARER_TOKEN}"))
    );
    assert_eq!(requests[0].header("x-amz-date"), None);
}

#[tokio::test]
async fn wrong_credentials_are_refused_without_retries() {
    let emulator = Emulator::start(0).await.expect("starts");
    let wrong_key = build(config(&emulator).credentials(Auth::SigV4(Credentials::new(
        "AKIAWRONGKEY",
        DEMO_SECRET_ACCESS_KEY,
    ))));
    let error = wrong_key
        .converse(MODEL, &prompt("x"))
        .await
        .expect_err("refused");
    assert!(
        matches!(&error, BedrockError::Service(ServiceError { kind: ServiceErrorKind::AuthRefused, code, .. }) if code == "UnrecognizedClientException"),
        "{error:?}"
    );
    let wrong_secret = build(config(&emulator).credentials(Auth::SigV4(Credentials::new(
        DEMO_ACCESS_KEY_ID,
        "not-the-secret",
    ))));
    let error = wrong_secret
        .converse(MODEL, &prompt("x"))
        .await
        .expect_err("refused");
    assert!(
        matches!(&error, BedrockError::Service(ServiceError { kind: ServiceErrorKind::AuthRefused, code, .. }) if code == "InvalidSignatureException"),
        "{error:?}"
    );
    assert_eq!(emulator.requests().len(), 2);
}

#[tokio::test]
async fn a_validation_error_is_a_service_error() {
    let emulator = Emulator::start(0).await.expect("starts");
    let client = client(&emulator);
    emulator.script(Reply::Status {
        status: 400,
        error_type: "ValidationException".into(),
        message: "The provided model identifier is invalid.".into(),
    });
    let error = client
        .converse(MODEL, &prompt("x"))
        .await
        .expect_err("rejected");
    assert_eq!(
        error,
        BedrockError::Service(ServiceError {
            status: 400,
            code: "ValidationException".into(),
            message: "The provided model identifier is invalid.".into(),
            kind: ServiceErrorKind::Rejected,
        })
    );
}

#[tokio::test]
async fn tool_use_streams_its_input() {
    let emulator = Emulator::start(0).await.expect("starts");
    let client = client(&emulator);
    let input = serde_json::json!({"city": "Paris", "units": "metric"});
    emulator.script(Reply::ToolUse {
        name: "get_weather".into(),
        input: input.clone(),
    });
    let got = stream_once(&client, "weather?").await;
    assert!(got.error.is_none(), "{:?}", got.error);
    assert_eq!(got.tool_name.as_deref(), Some("get_weather"));
    let parsed: serde_json::Value = serde_json::from_str(&got.tool_input).expect("JSON input");
    assert_eq!(parsed, input);
    assert_eq!(got.stop_reason, Some(StopReason::ToolUse));
}

#[tokio::test]
async fn reasoning_streams_before_the_text() {
    let emulator = Emulator::start(0).await.expect("starts");
    let client = client(&emulator);
    emulator.script(Reply::Reasoning {
        reasoning: "Let me think about it.".into(),
        text: "Forty-two.".into(),
    });
    let got = stream_once(&client, "why?").await;
    assert!(got.error.is_none(), "{:?}", got.error);
    assert_eq!(got.reasoning, "Let me think about it.");
    assert!(got.signature.is_some());
    assert_eq!(got.text, "Forty-two.");
}

#[tokio::test]
async fn converse_without_streaming() {
    let emulator = Emulator::start(0).await.expect("starts");
    let client = client(&emulator);
    let response = client
        .converse(MODEL, &prompt("hi"))
        .await
        .expect("a response");
    let ConverseOutput::Message(message) = &response.output else {
        panic!("{:?}", response.output);
    };
    assert_eq!(message.role, ConversationRole::Assistant);
    assert_eq!(message.content, [ContentBlock::Text("You said: hi".into())]);
    assert_eq!(response.stop_reason, StopReason::EndTurn);
    assert_eq!(response.usage.input_tokens, 1);
    assert_eq!(
        emulator.requests()[0].path,
        "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"
    );

    emulator.script(Reply::Reasoning {
        reasoning: "hmm".into(),
        text: "ok".into(),
    });
    let response = client
        .converse(MODEL, &prompt("hi"))
        .await
        .expect("a response");
    let ConverseOutput::Message(message) = &response.output else {
        panic!("{:?}", response.output);
    };
    assert!(matches!(
        &message.content[0],
        ContentBlock::ReasoningContent(ReasoningContentBlock::ReasoningText(r)) if r.text == "hmm"
    ));
    assert_official_signatures(&emulator);
}

#[tokio::test]
async fn a_drip_slower_than_the_idle_timeout_times_out() {
    let emulator = Emulator::start(0).await.expect("starts");
    let client = build(config(&emulator).timeouts(Timeouts {
        idle: Duration::from_millis(200),
        ..Timeouts::default()
    }));
    emulator.script(Reply::Drip {
        delay: Duration::from_millis(1500),
    });
    let stream = client
        .converse_stream(MODEL, &prompt("slow"))
        .await
        .expect("headers arrive at once");
    let got = collect(stream).await;
    assert!(
        matches!(
            got.error,
            Some(BedrockError::Stream(StreamError::IdleTimeout(_)))
        ),
        "{:?}",
        got.error
    );
}

/// Sends raw bytes and returns the status line of the answer.
async fn raw_exchange(emulator: &Emulator, request: &[u8]) -> String {
    let address = emulator.endpoint().trim_start_matches("http://").to_owned();
    let mut socket = tokio::net::TcpStream::connect(address)
        .await
        .expect("connects");
    socket.write_all(request).await.expect("writes");
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), socket.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn malformed_and_unknown_requests_get_errors_not_panics() {
    let emulator = Emulator::start(0).await.expect("starts");
    let bad: [&[u8]; 5] = [
        b"GARBAGE\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: nope\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
        b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"\xff\xfe / HTTP/1.1\r\n\r\n",
    ];
    // hyper refuses what is not HTTP/1.1: a 4xx answer, or the connection closed.
    let refused =
        |status_line: &str| status_line.is_empty() || status_line.starts_with("HTTP/1.1 4");
    for request in bad {
        let answer = raw_exchange(&emulator, request).await;
        assert!(refused(&answer), "{request:?}: {answer}");
    }
    let huge = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(1_000_000));
    let answer = raw_exchange(&emulator, huge.as_bytes()).await;
    assert!(refused(&answer), "{answer}");
    let unsigned = b"POST /model/m/converse HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    assert_eq!(
        raw_exchange(&emulator, unsigned).await,
        "HTTP/1.1 403 Forbidden"
    );
    let bearer = |target: &str| {
        format!(
            "GET {target} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {DEMO_BEARER_TOKEN}\r\nConnection: close\r\n\r\n"
        )
    };
    assert_eq!(
        raw_exchange(&emulator, bearer("/no-such-operation").as_bytes()).await,
        "HTTP/1.1 404 Not Found"
    );
    assert_eq!(
        raw_exchange(&emulator, bearer("/foundation-models").as_bytes()).await,
        "HTTP/1.1 200 OK"
    );
    // Still serving.
    let got = stream_once(&client(&emulator), "still there?").await;
    assert_eq!(got.text, "You said: still there?");
}
