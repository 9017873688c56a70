//! Every official event-stream vector under `<vectors>/eventstream/`: valid frames
//! decode to exactly the expected headers and payload (whole, one byte at a time,
//! and in 7-byte chunks); invalid ones are refused.

mod common;

use std::path::Path;

use bedrock_lite::base64;
use bedrock_lite::eventstream::{DecodeError, Decoder, HeaderValue, Message};
use bytes::Bytes;
use serde_json::Value;

/// One expected header: name, wire type code, value.
type ExpectedHeader = (String, u8, HeaderValue);

/// One expected message: its headers and payload.
#[derive(Debug)]
struct Expected {
    headers: Vec<ExpectedHeader>,
    payload: Vec<u8>,
}

/// Decodes `stream` fed in pieces of `chunk` bytes (0 = whole).
fn decode_chunked(stream: &[u8], chunk: usize) -> Result<Vec<Message>, DecodeError> {
    let stream = Bytes::copy_from_slice(stream);
    let mut decoder = Decoder::new();
    let mut messages = Vec::new();
    let step = if chunk == 0 {
        stream.len().max(1)
    } else {
        chunk
    };
    for start in (0..stream.len()).step_by(step) {
        decoder.push(stream.slice(start..(start + step).min(stream.len())));
        while let Some(message) = decoder.next_message()? {
            messages.push(message);
        }
    }
    decoder.finish()?;
    Ok(messages)
}

fn assert_decodes(name: &str, stream: &[u8], expected: &[Expected]) {
    for chunk in [0, 1, 7] {
        let messages = decode_chunked(stream, chunk)
            .unwrap_or_else(|e| panic!("{name} (chunk {chunk}): refused a valid stream: {e}"));
        assert_eq!(messages.len(), expected.len(), "{name}: message count");
        for (message, want) in messages.iter().zip(expected) {
            let got: Vec<ExpectedHeader> = message
                .headers()
                .map(|h| (h.name.to_string(), h.value.type_code(), h.value))
                .collect();
            assert_eq!(got, want.headers, "{name} (chunk {chunk}): headers");
            assert_eq!(message.payload(), &want.payload[..], "{name}: payload");
        }
    }
}

fn assert_refused(name: &str, stream: &[u8]) -> Vec<DecodeError> {
    [0, 1, 7]
        .into_iter()
        .map(|chunk| match decode_chunked(stream, chunk) {
            Ok(messages) => {
                panic!("{name} (chunk {chunk}): accepted an invalid stream: {messages:?}")
            }
            Err(err) => {
                let text = err.to_string();
                assert!(
                    !text.contains('\n'),
                    "{name}: error is not one line: {text}"
                );
                err
            }
        })
        .collect()
}

/// A header value as written in the manifests: 6 base64, 7 text, 9 uuid text.
fn manifest_value(type_code: u8, value: &Value) -> HeaderValue {
    let int = || value.as_i64().expect("integer header value");
    match type_code {
        0 | 1 => HeaderValue::Bool(value.as_bool().expect("bool value")),
        2 => HeaderValue::Byte(int() as i8),
        3 => HeaderValue::Short(int() as i16),
        4 => HeaderValue::Int(int() as i32),
        5 => HeaderValue::Long(int()),
        6 => HeaderValue::ByteArray(base64::decode(value.as_str().unwrap()).unwrap().into()),
        7 => HeaderValue::String(value.as_str().unwrap().to_owned().into()),
        8 => HeaderValue::Timestamp(int()),
        9 => {
            let hex: String = value.as_str().unwrap().replace('-', "");
            HeaderValue::Uuid(hex::decode(hex).unwrap().try_into().unwrap())
        }
        other => panic!("unknown type {other}"),
    }
}

fn manifest_messages(case: &Value) -> Vec<Expected> {
    case["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| Expected {
            headers: m["headers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| {
                    let code = h["type"].as_u64().unwrap() as u8;
                    (
                        h["name"].as_str().unwrap().to_owned(),
                        code,
                        manifest_value(code, &h["value"]),
                    )
                })
                .collect(),
            payload: base64::decode(m["payload_base64"].as_str().unwrap()).unwrap(),
        })
        .collect()
}

/// Builds the stream of a `generator` case (too big to store).
fn generate(case: &Value) -> Vec<u8> {
    let g = &case["generator"];
    let prelude = hex::decode(g["prelude_hex"].as_str().unwrap()).unwrap();
    let total = g["total_length"].as_u64().unwrap() as usize;
    let description = g["payload"].as_str().unwrap();
    assert!(
        description.contains("(0x30)"),
        "unknown generator: {description}"
    );
    let mut stream = prelude;
    stream.resize(total - 4, b'0');
    stream.extend(hex::decode(g["message_crc_hex"].as_str().unwrap()).unwrap());
    stream
}

fn run_manifest(dir: &Path) -> usize {
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let cases = manifest["cases"].as_array().expect("cases");
    for case in cases {
        let name = format!("{}/{}", dir.display(), case["name"].as_str().unwrap());
        let stream = match case["file"].as_str() {
            Some(file) => std::fs::read(dir.join(file)).unwrap(),
            None => generate(case),
        };
        match case["expect"].as_str().unwrap() {
            "success" => assert_decodes(&name, &stream, &manifest_messages(case)),
            "error" => {
                let errors = assert_refused(&name, &stream);
                // Where the order of checks is unambiguous, the kind must match too.
                match case["error_category"].as_str() {
                    Some("prelude_crc_mismatch") => errors.iter().for_each(|e| {
                        assert!(
                            matches!(e, DecodeError::PreludeCrcMismatch { .. }),
                            "{name}: {e}"
                        )
                    }),
                    Some("payload_too_large") => errors.iter().for_each(|e| {
                        assert!(
                            matches!(e, DecodeError::PayloadTooLarge { .. }),
                            "{name}: {e}"
                        )
                    }),
                    _ => {}
                }
            }
            other => panic!("{name}: unknown expectation {other}"),
        }
    }
    cases.len()
}

#[test]
fn manifest_suites() {
    let Some(root) = common::vectors("eventstream") else {
        return;
    };
    let mut total = 0;
    for suite in ["botocore", "smithy-rs", "aws-c-event-stream"] {
        let count = run_manifest(&root.join(suite));
        assert!(count > 0, "{suite}: no cases");
        total += count;
    }
    eprintln!("{total} manifest cases checked");
}

#[test]
fn aws_sdk_go_suite() {
    let Some(root) = common::vectors("eventstream/aws-sdk-go") else {
        return;
    };
    let mut seen = 0;
    for kind in ["positive", "negative"] {
        for entry in std::fs::read_dir(root.join("encoded").join(kind)).unwrap() {
            let path = entry.unwrap().path();
            let case = path.file_name().unwrap().to_str().unwrap().to_owned();
            let stream = std::fs::read(&path).unwrap();
            let decoded = std::fs::read(root.join("decoded").join(kind).join(&case)).unwrap();
            let name = format!("aws-sdk-go/{kind}/{case}");
            seen += 1;
            if kind == "negative" {
                let errors = assert_refused(&name, &stream);
                let text = String::from_utf8_lossy(&decoded);
                for err in errors {
                    let ok = match err {
                        DecodeError::PreludeCrcMismatch { .. } => text.contains("Prelude"),
                        DecodeError::MessageCrcMismatch { .. } => text.contains("Message"),
                        _ => false,
                    };
                    assert!(ok, "{name}: expected `{text}`, got `{err}`");
                }
                continue;
            }
            let json: Value = serde_json::from_slice(&decoded).unwrap();
            // In this suite strings (7), bytes (6) and uuids (9) are all base64.
            let headers = json["headers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| {
                    let code = h["type"].as_u64().unwrap() as u8;
                    let raw = || base64::decode(h["value"].as_str().unwrap()).unwrap();
                    let value = match code {
                        6 => HeaderValue::ByteArray(raw().into()),
                        7 => HeaderValue::String(String::from_utf8(raw()).unwrap().into()),
                        9 => HeaderValue::Uuid(raw().try_into().unwrap()),
                        _ => manifest_value(code, &h["value"]),
                    };
                    (h["name"].as_str().unwrap().to_owned(), code, value)
                })
                .collect();
            let payload = base64::decode(json["payload"].as_str().unwrap()).unwrap();
            assert_decodes(&name, &stream, &[Expected { headers, payload }]);
            // The CRCs in the file (some written as signed int32) match the frame's.
            let crc = |v: &Value| v.as_i64().unwrap() as u32;
            assert_eq!(
                u32::from_be_bytes(stream[8..12].try_into().unwrap()),
                crc(&json["prelude_crc"])
            );
            let tail = &stream[stream.len() - 4..];
            assert_eq!(
                u32::from_be_bytes(tail.try_into().unwrap()),
                crc(&json["message_crc"])
            );
        }
    }
    assert!(seen >= 6, "aws-sdk-go: only {seen} cases");
}
