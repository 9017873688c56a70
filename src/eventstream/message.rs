//! [`Message`]: one decoded frame, sharing the bytes it was decoded from.

use bytes::Bytes;

use super::header::{header_at, read_span};
use super::{Header, HeaderValue};

/// One event-stream message: its header block (already checked) and payload,
/// both slices of the received bytes.
///
/// Headers are read from the block on demand, so decoding a message allocates
/// nothing per header.
#[derive(Clone, PartialEq, Eq)]
pub struct Message {
    headers: Bytes,
    payload: Bytes,
}

impl Message {
    /// A message from a header block that has been checked, and a payload.
    pub(super) fn from_checked_parts(headers: Bytes, payload: Bytes) -> Self {
        Message { headers, payload }
    }

    /// The headers, in wire order.
    pub fn headers(&self) -> Headers<'_> {
        Headers {
            block: &self.headers,
            offset: 0,
        }
    }

    /// The header named `name`, if present.
    pub fn header(&self, name: &str) -> Option<HeaderValue> {
        self.headers()
            .find(|h| h.name.as_str() == name)
            .map(|h| h.value)
    }

    /// The text of the string header named `name`, borrowed from the message
    /// (no reference count touched): the fast path for `:event-type` and friends.
    pub fn str_header(&self, name: &str) -> Option<&str> {
        let block = &self.headers[..];
        let mut offset = 0;
        while offset < block.len() {
            let span = read_span(block, offset).ok()?;
            if span.type_code == 7 && block.get(span.name.clone()) == Some(name.as_bytes()) {
                return std::str::from_utf8(block.get(span.value)?).ok();
            }
            offset = span.end;
        }
        None
    }

    /// The encoded header block, as it was on the wire.
    pub fn header_block(&self) -> &Bytes {
        &self.headers
    }

    /// The payload.
    pub fn payload(&self) -> &Bytes {
        &self.payload
    }
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Message")
            .field("headers", &self.headers().collect::<Vec<_>>())
            .field("payload_len", &self.payload.len())
            .finish()
    }
}

/// Iterator over a message's headers, in wire order.
#[derive(Debug, Clone)]
pub struct Headers<'a> {
    block: &'a Bytes,
    offset: usize,
}

impl Iterator for Headers<'_> {
    type Item = Header;

    fn next(&mut self) -> Option<Header> {
        if self.offset >= self.block.len() {
            return None;
        }
        // The block was checked when the message was decoded or built, so this
        // read succeeds; should it not, iteration simply ends.
        let span = read_span(self.block, self.offset).ok()?;
        self.offset = span.end;
        Some(header_at(self.block, &span))
    }
}
