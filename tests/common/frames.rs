//! ConverseStream-shaped event-stream frames, as Bedrock sends them, for the
//! tests and benches that need a realistic stream.

use bedrock_lite::eventstream::{encode_frame, Header, HeaderValue};
use bytes::{Bytes, BytesMut};

/// The three string headers on every ConverseStream event frame.
pub fn event_headers(event_type: &'static str) -> [Header; 3] {
    [
        Header::new(":event-type", HeaderValue::String(event_type.into())),
        Header::new(
            ":content-type",
            HeaderValue::String("application/json".into()),
        ),
        Header::new(":message-type", HeaderValue::String("event".into())),
    ]
}

/// The `i`th of a run of text-delta payloads: a short word and Bedrock's `p`
/// padding, 0 to 61 characters long, varying from frame to frame.
pub fn padded_delta(i: usize) -> String {
    let padding = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let text = ["Hello", " world", ", how", " are", " you"][i % 5];
    format!(
        r#"{{"contentBlockIndex":0,"delta":{{"text":"{text}"}},"p":"{}"}}"#,
        &padding[..(i * 7) % padding.len()]
    )
}

/// `count` `contentBlockDelta` frames back to back, the `i`th with payload `payload(i)`.
pub fn delta_frames(count: usize, payload: impl Fn(usize) -> String) -> Bytes {
    let headers = event_headers("contentBlockDelta");
    let mut out = BytesMut::new();
    for i in 0..count {
        encode_frame(&headers, payload(i).as_bytes(), &mut out).expect("encodes");
    }
    out.freeze()
}
