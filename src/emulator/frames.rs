//! Event-stream frames as Bedrock sends them: JSON payloads with a `p`
//! padding member, `:event-type` / `:exception-type`, `:content-type` and
//! `:message-type` headers; encoded by [`crate::eventstream::encode_frame`].

use bytes::{Bytes, BytesMut};
use serde_json::Value;

use crate::eventstream::{encode_frame, Header, HeaderValue};
use crate::types::{PayloadPart, StreamEvent, CHUNK_EVENT_TYPE};

/// Where padding is cut from (Bedrock pads with letters and digits).
const PADDING: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// The `p` padding of the `index`th frame: 1 to 40 characters, varying from
/// frame to frame as the service's does.
fn padding(index: usize) -> &'static str {
    PADDING
        .get(..index.wrapping_mul(7) % 40 + 1)
        .unwrap_or_default()
}

/// One frame: `headers` and `payload` (a JSON object) with `p` added.
fn frame(headers: &[Header], mut payload: Value, index: usize) -> Result<Bytes, String> {
    if let Value::Object(members) = &mut payload {
        members.insert("p".into(), Value::String(padding(index).into()));
    }
    let body = serde_json::to_vec(&payload).map_err(|e| e.to_string())?;
    let mut out = BytesMut::with_capacity(body.len() + 128);
    encode_frame(headers, &body, &mut out).map_err(|e| e.to_string())?;
    Ok(out.freeze())
}

fn string_header(name: &'static str, value: &str) -> Header {
    Header::new(name, HeaderValue::String(value.to_owned().into()))
}

/// The `index`th frame of a stream, carrying `event`.
pub(crate) fn event(event: &StreamEvent<'_>, index: usize) -> Result<Bytes, String> {
    let payload = event.to_payload().map_err(|e| e.to_string())?;
    let payload: Value = serde_json::from_slice(&payload).map_err(|e| e.to_string())?;
    let headers = [
        string_header(":event-type", event.event_type()),
        string_header(":content-type", "application/json"),
        string_header(":message-type", "event"),
    ];
    frame(&headers, payload, index)
}

/// The `index`th frame of an InvokeModelWithResponseStream body: a `chunk`
/// event carrying `part`.
pub(crate) fn chunk(part: &PayloadPart, index: usize) -> Result<Bytes, String> {
    let payload = serde_json::to_value(part).map_err(|e| e.to_string())?;
    let headers = [
        string_header(":event-type", CHUNK_EVENT_TYPE),
        string_header(":content-type", "application/json"),
        string_header(":message-type", "event"),
    ];
    frame(&headers, payload, index)
}

/// An exception frame (`:message-type` `exception`), the `index`th of its stream.
pub(crate) fn exception(
    exception_type: &str,
    message: &str,
    index: usize,
) -> Result<Bytes, String> {
    let headers = [
        string_header(":exception-type", exception_type),
        string_header(":content-type", "application/json"),
        string_header(":message-type", "exception"),
    ];
    frame(&headers, serde_json::json!({ "message": message }), index)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eventstream::Decoder;
    use crate::types::{parse_event, parse_exception, StreamExceptionKind};

    #[test]
    fn frames_decode_with_padding() {
        let stop = parse_event("messageStop", br#"{"stopReason":"end_turn"}"#).expect("valid");
        let mut decoder = Decoder::new();
        decoder.push(event(&stop, 3).expect("encodes"));
        decoder.push(exception("throttlingException", "slow down", 4).expect("encodes"));
        let first = decoder
            .next_message()
            .expect("complete")
            .expect("a message");
        assert_eq!(first.str_header(":event-type"), Some("messageStop"));
        assert_eq!(first.str_header(":message-type"), Some("event"));
        let json: Value = serde_json::from_slice(first.payload()).expect("JSON");
        assert_eq!(json["p"], padding(3));
        assert_eq!(
            parse_event("messageStop", first.payload()).expect("parses"),
            stop
        );
        let second = decoder
            .next_message()
            .expect("complete")
            .expect("a message");
        assert_eq!(second.str_header(":message-type"), Some("exception"));
        let parsed = parse_exception("throttlingException", second.payload()).expect("parses");
        assert_eq!(parsed.kind, StreamExceptionKind::Throttling);
        assert_eq!(parsed.message.as_deref(), Some("slow down"));
    }
}
