//! The `application/vnd.amazon.eventstream` frame codec.
//!
//! A frame is a 12-byte prelude (total length, headers length, prelude CRC),
//! typed headers, a payload and a message CRC; see
//! `reference/eventstream-format.md`. This module is pure: it knows nothing of
//! HTTP or Bedrock, and can be fuzzed and benchmarked alone.
//!
//! * [`Decoder`]: incremental and zero-copy; push `Bytes` chunks, pull [`Message`]s
//!   (owned, sharing the chunk) or [`MessageRef`]s (lent, no reference count).
//! * [`encode_frame`]: the encoder, for every header type.
//!
//! Nothing here panics on any input: every malformed frame is a [`DecodeError`].

mod crc;
mod decoder;
mod encoder;
mod error;
mod header;
mod message;

pub use decoder::{decode_all, Decoder};
pub use encoder::{encode_frame, EncodeError};
pub use error::DecodeError;
pub use header::{Header, HeaderValue, StrBytes};
pub use message::{Headers, Message, MessageRef};

/// Bytes before the headers: total length, headers length, prelude CRC.
pub const PRELUDE_LEN: usize = 12;
/// Bytes after the payload: the message CRC.
pub const TRAILER_LEN: usize = 4;
/// The largest payload accepted or produced (24 MiB, the Smithy spec's limit).
/// Refused from the prelude, so an oversize frame is never buffered.
pub const MAX_PAYLOAD_LEN: usize = 24 * 1024 * 1024;
/// The largest header block accepted or produced (128 KiB).
pub const MAX_HEADERS_LEN: usize = 128 * 1024;
