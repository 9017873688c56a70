//! `bedrock-lite eventstream decode`, run as a user runs it.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_bedrock-lite");

fn fixture() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/converse-stream.bin"
    ))
    .unwrap()
}

fn decode_stdin(input: &[u8]) -> Output {
    let mut child = Command::new(BIN)
        .args(["eventstream", "decode", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn lines(output: &Output) -> Vec<Value> {
    String::from_utf8(output.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn decodes_the_fixture_file_to_one_json_line_per_message() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/converse-stream.bin");
    let output = Command::new(BIN)
        .args(["eventstream", "decode", path])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let messages = lines(&output);
    let events: Vec<&str> = messages
        .iter()
        .map(|m| {
            let headers = m["headers"].as_array().unwrap();
            let h = headers.iter().find(|h| h["name"] == ":event-type").unwrap();
            assert_eq!(h["type"], "string");
            h["value"].as_str().unwrap()
        })
        .collect();
    assert_eq!(
        events,
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
    let payload = bedrock_lite::base64::decode(messages[1]["payload"].as_str().unwrap()).unwrap();
    let payload: Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(payload["delta"]["text"], "Hello");
    // Stdin gives the same output.
    assert_eq!(decode_stdin(&fixture()).stdout, output.stdout);
}

#[test]
fn invalid_frame_prints_the_messages_before_it_then_fails_with_exit_1() {
    let mut input = fixture();
    let second_frame_start = u32::from_be_bytes(input[..4].try_into().unwrap()) as usize;
    input[second_frame_start + 20] ^= 0x01; // inside the second frame's headers
    let output = decode_stdin(&input);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        lines(&output).len(),
        1,
        "the first message is still printed"
    );
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with("error: eventstream: stdin: message CRC mismatch"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1);
}

#[test]
fn truncated_stream_fails_with_exit_1() {
    let input = fixture();
    let output = decode_stdin(&input[..input.len() - 3]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(lines(&output).len(), 6);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("truncated"), "{stderr}");
}

#[test]
fn every_header_type_has_the_contract_json_shape() {
    use bedrock_lite::eventstream::{encode_frame, Header, HeaderValue};
    let headers = [
        Header::new("t", HeaderValue::Bool(true)),
        Header::new("f", HeaderValue::Bool(false)),
        Header::new("b", HeaderValue::Byte(-49)),
        Header::new("s", HeaderValue::Short(-2)),
        Header::new("i", HeaderValue::Int(40972)),
        Header::new("l", HeaderValue::Long(-42424242)),
        Header::new("y", HeaderValue::ByteArray(b"hi!?".to_vec().into())),
        Header::new("str", HeaderValue::String("héllo".into())),
        Header::new("ts", HeaderValue::Timestamp(8675309)),
        Header::new(
            "u",
            HeaderValue::Uuid(*b"\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10"),
        ),
    ];
    let mut frame = bytes::BytesMut::new();
    encode_frame(&headers, b"{}", &mut frame).unwrap();
    let output = decode_stdin(&frame);
    assert!(output.status.success());
    let line = &lines(&output)[0];
    let expected: Value = serde_json::json!({
        "headers": [
            {"name": "t", "type": "bool", "value": true},
            {"name": "f", "type": "bool", "value": false},
            {"name": "b", "type": "byte", "value": -49},
            {"name": "s", "type": "short", "value": -2},
            {"name": "i", "type": "int", "value": 40972},
            {"name": "l", "type": "long", "value": -42424242},
            {"name": "y", "type": "bytes", "value": "aGkhPw=="},
            {"name": "str", "type": "string", "value": "héllo"},
            {"name": "ts", "type": "timestamp", "value": 8675309},
            {"name": "u", "type": "uuid", "value": "01020304-0506-0708-090a-0b0c0d0e0f10"},
        ],
        "payload": "e30=",
    });
    assert_eq!(line, &expected);
}

#[test]
fn usage_errors_exit_2() {
    let output = Command::new(BIN)
        .args(["eventstream", "decode", "/no/such/file"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("/no/such/file"));
    // A folder is an unreadable input too, refused the same way.
    let folder = std::env::temp_dir();
    let output = Command::new(BIN)
        .args(["eventstream", "decode"])
        .arg(&folder)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: io: cannot open") && stderr.contains("directory"),
        "{stderr}"
    );
    let output = Command::new(BIN)
        .args(["eventstream", "encode"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let output = Command::new(BIN)
        .args(["no-such-command"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.starts_with("error: usage: "), "{stderr}");
}
