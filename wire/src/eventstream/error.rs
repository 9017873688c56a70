//! Why a byte stream is not a valid event stream.

use std::fmt;

/// A decoding failure. Each is terminal: the stream cannot be resynchronised,
/// so a [`Decoder`](super::Decoder) that returned one returns it again on every
/// later call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// The CRC-32 of the first 8 bytes does not match the prelude CRC.
    PreludeCrcMismatch {
        /// The CRC in the frame.
        expected: u32,
        /// The CRC of the bytes received.
        computed: u32,
    },
    /// The CRC-32 of the frame does not match its trailing message CRC.
    MessageCrcMismatch {
        /// The CRC in the frame.
        expected: u32,
        /// The CRC of the bytes received.
        computed: u32,
    },
    /// `total_length` is below the 16 bytes of prelude and trailer.
    FrameTooShort {
        /// The declared total length.
        total_length: u32,
    },
    /// `headers_length` does not fit in the frame (`> total_length - 16`).
    HeadersLengthOutOfRange {
        /// The declared headers length.
        headers_length: u32,
        /// The declared total length.
        total_length: u32,
    },
    /// The payload is larger than the cap (24 MiB), refused from the prelude.
    PayloadTooLarge {
        /// The declared payload length.
        length: u64,
        /// The cap.
        max: usize,
    },
    /// The header block is larger than the cap (128 KiB), refused from the prelude.
    HeadersTooLarge {
        /// The declared headers length.
        length: u32,
        /// The cap.
        max: usize,
    },
    /// A header's encoding runs past the end of the header block.
    HeaderTruncated {
        /// Byte offset of the header within the header block.
        offset: usize,
        /// Which field was cut short (`name length`, `name`, `value type`, `value`...).
        field: &'static str,
    },
    /// A header name of length zero.
    EmptyHeaderName {
        /// Byte offset of the header within the header block.
        offset: usize,
    },
    /// A header name that is not UTF-8.
    HeaderNameNotUtf8 {
        /// Byte offset of the header within the header block.
        offset: usize,
    },
    /// A header value type code outside 0..=9.
    InvalidHeaderType {
        /// The header's name.
        name: String,
        /// The type code found.
        type_code: u8,
    },
    /// A string header whose value is not UTF-8.
    HeaderValueNotUtf8 {
        /// The header's name.
        name: String,
    },
    /// The same header name twice in one message.
    DuplicateHeader {
        /// The repeated name.
        name: String,
    },
    /// The stream ended inside a frame.
    Truncated {
        /// Bytes of the unfinished frame received.
        received: usize,
        /// Bytes the frame needs (12 until the prelude is complete).
        needed: usize,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use DecodeError::*;
        match self {
            PreludeCrcMismatch { expected, computed } => write!(
                f,
                "prelude CRC mismatch: frame says {expected:#010x}, bytes give {computed:#010x}"
            ),
            MessageCrcMismatch { expected, computed } => write!(
                f,
                "message CRC mismatch: frame says {expected:#010x}, bytes give {computed:#010x}"
            ),
            FrameTooShort { total_length } => write!(
                f,
                "frame total length {total_length} is below the 16-byte minimum"
            ),
            HeadersLengthOutOfRange {
                headers_length,
                total_length,
            } => write!(
                f,
                "headers length {headers_length} does not fit in a frame of total length {total_length}"
            ),
            PayloadTooLarge { length, max } => {
                write!(f, "payload of {length} bytes exceeds the {max}-byte limit")
            }
            HeadersTooLarge { length, max } => {
                write!(f, "header block of {length} bytes exceeds the {max}-byte limit")
            }
            HeaderTruncated { offset, field } => write!(
                f,
                "header at offset {offset} is cut short: its {field} runs past the header block"
            ),
            EmptyHeaderName { offset } => write!(f, "header at offset {offset} has an empty name"),
            HeaderNameNotUtf8 { offset } => {
                write!(f, "header name at offset {offset} is not valid UTF-8")
            }
            InvalidHeaderType { name, type_code } => write!(
                f,
                "header `{name}` has invalid value type {type_code} (valid: 0-9)"
            ),
            HeaderValueNotUtf8 { name } => {
                write!(f, "string header `{name}` is not valid UTF-8")
            }
            DuplicateHeader { name } => write!(f, "header `{name}` appears more than once"),
            Truncated { received, needed } => write!(
                f,
                "stream truncated: it ends inside a frame ({received} of {needed} bytes received)"
            ),
        }
    }
}

impl std::error::Error for DecodeError {}
