//! Encoding messages: used by tests, the round trip, and the emulator.

use bytes::{BufMut, Bytes, BytesMut};

use super::header::find_duplicate;
use super::{
    Header, HeaderValue, Message, MAX_HEADERS_LEN, MAX_PAYLOAD_LEN, PRELUDE_LEN, TRAILER_LEN,
};

/// Why a message could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncodeError {
    /// A header name is empty or longer than 255 bytes.
    HeaderNameLength {
        /// The name (lossy).
        name: String,
    },
    /// A string or byte-array value is longer than 65,535 bytes.
    HeaderValueTooLong {
        /// The header's name.
        name: String,
    },
    /// Two headers share a name.
    DuplicateHeader {
        /// The repeated name.
        name: String,
    },
    /// The header block is over 128 KiB.
    HeadersTooLarge {
        /// Its length.
        length: usize,
    },
    /// The payload is over 24 MiB.
    PayloadTooLarge {
        /// Its length.
        length: usize,
    },
}

impl std::fmt::Display for EncodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EncodeError::HeaderNameLength { name } => {
                write!(f, "header name `{name}` must be 1 to 255 bytes")
            }
            EncodeError::HeaderValueTooLong { name } => {
                write!(f, "header `{name}` value exceeds 65535 bytes")
            }
            EncodeError::DuplicateHeader { name } => {
                write!(f, "header `{name}` appears more than once")
            }
            EncodeError::HeadersTooLarge { length } => write!(
                f,
                "header block of {length} bytes exceeds the {MAX_HEADERS_LEN}-byte limit"
            ),
            EncodeError::PayloadTooLarge { length } => write!(
                f,
                "payload of {length} bytes exceeds the {MAX_PAYLOAD_LEN}-byte limit"
            ),
        }
    }
}

impl std::error::Error for EncodeError {}

/// Appends one encoded frame (prelude, headers, payload, CRCs) to `out`.
///
/// ```
/// # use bedrock_lite_wire as bedrock_lite;
/// use bedrock_lite::eventstream::{encode_frame, Decoder, Header, HeaderValue};
/// let mut frame = bytes::BytesMut::new();
/// let headers = [Header::new(":event-type", HeaderValue::String("messageStop".into()))];
/// encode_frame(&headers, b"{}", &mut frame).unwrap();
///
/// let mut decoder = Decoder::new();
/// decoder.push(frame.freeze());
/// let message = decoder.next_message().unwrap().unwrap();
/// assert_eq!(message.str_header(":event-type"), Some("messageStop"));
/// assert_eq!(&message.payload()[..], b"{}");
/// ```
pub fn encode_frame(
    headers: &[Header],
    payload: &[u8],
    out: &mut BytesMut,
) -> Result<(), EncodeError> {
    let mut headers_len = 0usize;
    for header in headers {
        let name = header.name.as_bytes();
        if name.is_empty() || name.len() > 255 {
            return Err(EncodeError::HeaderNameLength {
                name: header.name.to_string(),
            });
        }
        if header.value.encoded_len() > 2 + usize::from(u16::MAX) {
            return Err(EncodeError::HeaderValueTooLong {
                name: header.name.to_string(),
            });
        }
        headers_len += 1 + name.len() + 1 + header.value.encoded_len();
    }
    let mut names: Vec<&[u8]> = headers.iter().map(|h| &h.name.as_bytes()[..]).collect();
    if let Some(name) = find_duplicate(&mut names) {
        return Err(EncodeError::DuplicateHeader {
            name: String::from_utf8_lossy(name).into_owned(),
        });
    }
    if headers_len > MAX_HEADERS_LEN {
        return Err(EncodeError::HeadersTooLarge {
            length: headers_len,
        });
    }
    if payload.len() > MAX_PAYLOAD_LEN {
        return Err(EncodeError::PayloadTooLarge {
            length: payload.len(),
        });
    }
    let total_len = PRELUDE_LEN + headers_len + payload.len() + 4;
    let start = out.len();
    out.reserve(total_len);
    // Both lengths are bounded by the caps above, far below u32::MAX.
    out.put_u32(total_len as u32);
    out.put_u32(headers_len as u32);
    let prelude_crc = crc32fast::hash(&out[start..start + 8]);
    out.put_u32(prelude_crc);
    for header in headers {
        let name = header.name.as_bytes();
        out.put_u8(name.len() as u8);
        out.put_slice(name);
        out.put_u8(header.value.type_code());
        put_value(&header.value, out);
    }
    out.put_slice(payload);
    let message_crc = crc32fast::hash(&out[start..]);
    out.put_u32(message_crc);
    Ok(())
}

fn put_value(value: &HeaderValue, out: &mut BytesMut) {
    match value {
        HeaderValue::Bool(_) => {}
        HeaderValue::Byte(v) => out.put_i8(*v),
        HeaderValue::Short(v) => out.put_i16(*v),
        HeaderValue::Int(v) => out.put_i32(*v),
        HeaderValue::Long(v) | HeaderValue::Timestamp(v) => out.put_i64(*v),
        HeaderValue::ByteArray(b) => {
            out.put_u16(b.len() as u16);
            out.put_slice(b);
        }
        HeaderValue::String(s) => {
            out.put_u16(s.as_bytes().len() as u16);
            out.put_slice(s.as_bytes());
        }
        HeaderValue::Uuid(u) => out.put_slice(u),
    }
}

impl Message {
    /// Builds a message from headers and a payload, checking them as
    /// [`encode_frame`] does.
    pub fn new(headers: &[Header], payload: &[u8]) -> Result<Self, EncodeError> {
        let mut frame = BytesMut::new();
        encode_frame(headers, payload, &mut frame)?;
        let headers_end = frame.len() - TRAILER_LEN - payload.len();
        Ok(Message::from_checked_frame(frame.freeze(), headers_end))
    }

    /// The message as one wire frame (no copy: the frame it was decoded from).
    pub fn to_frame(&self) -> Bytes {
        self.frame().clone()
    }
}
