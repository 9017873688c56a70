//! EventReader: whole streams, every split, exceptions, broken ends.

use std::borrow::Cow;

use bytes::{Bytes, BytesMut};

use super::*;
use crate::eventstream::{encode_frame, Header, HeaderValue};
use crate::types::{ContentBlockDelta, StreamExceptionKind};

fn string(name: &'static str, value: &str) -> Header {
    Header::new(name, HeaderValue::String(value.to_owned().into()))
}

fn event(out: &mut BytesMut, event_type: &str, payload: &str) {
    let headers = [
        string(":message-type", "event"),
        string(":event-type", event_type),
        string(":content-type", "application/json"),
    ];
    encode_frame(&headers, payload.as_bytes(), out).unwrap();
}

fn exception(out: &mut BytesMut, exception_type: &str, payload: &str) {
    let headers = [
        string(":message-type", "exception"),
        string(":exception-type", exception_type),
    ];
    encode_frame(&headers, payload.as_bytes(), out).unwrap();
}

fn delta(out: &mut BytesMut, text: &str) {
    let payload = serde_json::json!({"contentBlockIndex": 0, "delta": {"text": text}, "p": "abc"});
    event(out, "contentBlockDelta", &payload.to_string());
}

/// A normal stream saying "Hello, wörld 👋".
fn normal_stream() -> Bytes {
    let mut out = BytesMut::new();
    event(&mut out, "messageStart", r#"{"role":"assistant"}"#);
    delta(&mut out, "Hello, ");
    delta(&mut out, "wörld ");
    delta(&mut out, "👋");
    event(&mut out, "contentBlockStop", r#"{"contentBlockIndex":0}"#);
    event(&mut out, "messageStop", r#"{"stopReason":"end_turn"}"#);
    event(
        &mut out,
        "metadata",
        r#"{"usage":{"inputTokens":3,"outputTokens":5,"totalTokens":8},"metrics":{"latencyMs":42}}"#,
    );
    out.freeze()
}

/// Feeds `chunks` and collects (event types, text) until the end, or the error.
fn run(chunks: &[Bytes]) -> Result<(Vec<String>, String), StreamError> {
    let mut reader = EventReader::new();
    let mut types = Vec::new();
    let mut text = String::new();
    let mut collect = |reader: &mut EventReader| -> Result<(), StreamError> {
        while let Some(event) = reader.next()? {
            if let StreamEvent::ContentBlockDelta(delta) = event.parse()? {
                if let ContentBlockDelta::Text(t) = delta.delta {
                    assert!(matches!(t, Cow::Borrowed(_)), "text deltas borrow");
                    text.push_str(&t);
                }
            }
            types.push(event.event_type().to_owned());
        }
        Ok(())
    };
    for chunk in chunks {
        reader.push(chunk.clone());
        collect(&mut reader)?;
    }
    reader.finish()?;
    Ok((types, text))
}

#[test]
fn a_normal_stream() {
    let (types, text) = run(&[normal_stream()]).unwrap();
    assert_eq!(
        types,
        [
            "messageStart",
            "contentBlockDelta",
            "contentBlockDelta",
            "contentBlockDelta",
            "contentBlockStop",
            "messageStop",
            "metadata"
        ]
    );
    assert_eq!(text, "Hello, wörld 👋");
}

#[test]
fn split_at_every_byte_boundary() {
    let body = normal_stream();
    let expected = run(std::slice::from_ref(&body)).unwrap();
    for at in 0..=body.len() {
        let chunks = [body.slice(..at), body.slice(at..)];
        assert_eq!(run(&chunks).unwrap(), expected, "split at {at}");
    }
    // And one byte at a time: multi-byte UTF-8 characters are cut across chunks.
    let bytes: Vec<Bytes> = (0..body.len()).map(|i| body.slice(i..i + 1)).collect();
    assert_eq!(run(&bytes).unwrap(), expected);
}

#[test]
fn each_exception_type_is_typed() {
    for (name, kind, retryable) in [
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
    ] {
        let mut out = BytesMut::new();
        event(&mut out, "messageStart", r#"{"role":"assistant"}"#);
        delta(&mut out, "partial");
        exception(
            &mut out,
            name,
            r#"{"message":"it broke","originalStatusCode":500,"originalMessage":"model"}"#,
        );
        let mut reader = EventReader::new();
        reader.push(out.freeze());
        assert_eq!(reader.next().unwrap().unwrap().event_type(), "messageStart");
        assert_eq!(
            reader.next().unwrap().unwrap().event_type(),
            "contentBlockDelta"
        );
        let error = reader.next().unwrap_err();
        let StreamError::Exception(ref exception) = error else {
            panic!("{name}: {error}");
        };
        assert_eq!(exception.kind, kind);
        assert_eq!(exception.message.as_deref(), Some("it broke"));
        assert_eq!(error.is_retryable(), retryable, "{name}");
        assert!(error.to_string().contains(name), "{error}");
        // Nothing after the error, and no second error at the end.
        assert!(reader.next().unwrap().is_none());
        reader.finish().unwrap();
    }
}

#[test]
fn error_frames_are_invalid_responses() {
    let mut out = BytesMut::new();
    let headers = [
        string(":message-type", "error"),
        string(":error-code", "InternalFailure"),
        string(":error-message", "oops"),
    ];
    encode_frame(&headers, b"", &mut out).unwrap();
    let error = run(&[out.freeze()]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid event stream: an error frame `InternalFailure`: oops"
    );
}

#[test]
fn missing_message_stop_is_an_error() {
    let mut out = BytesMut::new();
    event(&mut out, "messageStart", r#"{"role":"assistant"}"#);
    delta(&mut out, "cut");
    let error = run(&[out.freeze()]).unwrap_err();
    assert_eq!(error, StreamError::EndedEarly);
    assert!(error.to_string().contains("messageStop"), "{error}");
}

#[test]
fn a_truncated_frame_is_an_error() {
    let body = normal_stream();
    for cut in [1, 5, 12, 20] {
        let error = run(&[body.slice(..body.len() - cut)]).unwrap_err();
        assert!(
            matches!(error, StreamError::Decode(_) | StreamError::EndedEarly),
            "{error}"
        );
    }
}

#[test]
fn a_bad_crc_is_an_error() {
    let mut body = BytesMut::from(&normal_stream()[..]);
    let last = body.len() - 1;
    body[last] ^= 0xff;
    let error = run(&[body.freeze()]).unwrap_err();
    assert!(error.to_string().contains("CRC"), "{error}");
}

#[test]
fn unknown_event_types_are_yielded() {
    let mut out = BytesMut::new();
    event(&mut out, "messageStart", r#"{"role":"assistant"}"#);
    event(&mut out, "somethingNew", r#"{"x":1}"#);
    delta(&mut out, "ok");
    event(&mut out, "messageStop", r#"{"stopReason":"end_turn"}"#);
    let (types, text) = run(&[out.freeze()]).unwrap();
    assert_eq!(types[1], "somethingNew");
    assert_eq!(text, "ok");
}

#[test]
fn frames_without_the_needed_headers_are_errors() {
    let mut out = BytesMut::new();
    encode_frame(&[string(":event-type", "messageStart")], b"{}", &mut out).unwrap();
    let error = run(&[out.freeze()]).unwrap_err();
    assert!(error.to_string().contains(":message-type"), "{error}");
    let mut out = BytesMut::new();
    encode_frame(&[string(":message-type", "event")], b"{}", &mut out).unwrap();
    let error = run(&[out.freeze()]).unwrap_err();
    assert!(error.to_string().contains(":event-type"), "{error}");
}

#[test]
fn a_bad_payload_fails_in_parse_not_in_the_reader() {
    let mut out = BytesMut::new();
    event(&mut out, "contentBlockDelta", "not json");
    event(&mut out, "messageStop", r#"{"stopReason":"end_turn"}"#);
    let mut reader = EventReader::new();
    reader.push(out.freeze());
    let event = reader.next().unwrap().unwrap();
    let error = event.parse().unwrap_err();
    assert!(error.to_string().contains("contentBlockDelta"), "{error}");
}

/// A ConverseStream over an in-memory response body.
fn converse_stream(body: Bytes) -> ConverseStream {
    ConverseStream::new(crate::http::Body::from(body), Duration::from_secs(5))
}

fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

#[test]
fn converse_stream_yields_events_through_both_interfaces() {
    let (expected, _) = run(&[normal_stream()]).unwrap();
    let mut stream = converse_stream(normal_stream());
    let types = block_on(async {
        let mut types = Vec::new();
        while let Some(event) = stream.next_event().await {
            types.push(event.unwrap().event_type().to_owned());
        }
        types
    });
    assert_eq!(types, expected);

    let mut stream = converse_stream(normal_stream());
    let types = block_on(async {
        let mut types = Vec::new();
        let mut pinned = Pin::new(&mut stream);
        while let Some(event) =
            std::future::poll_fn(|cx| futures_core::Stream::poll_next(pinned.as_mut(), cx)).await
        {
            types.push(event.unwrap().event_type().to_owned());
        }
        types
    });
    assert_eq!(types, expected);
}

#[test]
fn converse_stream_reports_a_cut_body_once() {
    let body = normal_stream();
    let mut stream = converse_stream(body.slice(..body.len() - 3));
    let results = block_on(async {
        let mut results = Vec::new();
        while let Some(event) = stream.next_event().await {
            results.push(event.is_ok());
        }
        results
    });
    // Every event but the last (cut) one, then one error, then the end.
    assert_eq!(results.iter().filter(|ok| !**ok).count(), 1);
    assert_eq!(results.last(), Some(&false));
}
