//! [`Message`]: one decoded frame, sharing the bytes it was decoded from; and
//! [`MessageRef`]: the same, lent by the decoder.

use bytes::Bytes;

use super::header::{find_str_value, header_at, locate_span};
use super::{Header, HeaderValue, PRELUDE_LEN, TRAILER_LEN};

/// One event-stream message: a whole, checked frame, held as one slice of the
/// received bytes.
///
/// Headers are read from the frame on demand, so decoding a message allocates
/// nothing per header, and the payload is a view into the frame.
#[derive(Clone, PartialEq, Eq)]
pub struct Message {
    frame: Bytes,
    headers_end: usize,
}

impl Message {
    /// A message from a frame whose CRCs, lengths and headers have been checked;
    /// its header block ends at `headers_end`.
    pub(super) fn from_checked_frame(frame: Bytes, headers_end: usize) -> Self {
        Message { frame, headers_end }
    }

    /// The headers, in wire order.
    pub fn headers(&self) -> Headers<'_> {
        Headers {
            frame: &self.frame,
            block: self.header_block(),
            offset: 0,
        }
    }

    /// The header named `name`, if present.
    pub fn header(&self, name: &str) -> Option<HeaderValue> {
        self.headers()
            .find(|h| h.name.as_str() == name)
            .map(|h| h.value)
    }

    /// The message as a borrowed view, for the readers it shares with
    /// [`MessageRef`].
    #[inline]
    pub fn view(&self) -> MessageRef<'_> {
        MessageRef::from_checked_frame(&self.frame, self.headers_end)
    }

    /// The text of the string header named `name`; see [`MessageRef::str_header`].
    #[inline]
    pub fn str_header(&self, name: &str) -> Option<&str> {
        self.view().str_header(name)
    }

    /// The raw bytes of the string header named `name`; see
    /// [`MessageRef::str_header_bytes`].
    #[inline]
    pub fn str_header_bytes(&self, name: &str) -> Option<&[u8]> {
        self.view().str_header_bytes(name)
    }

    /// The encoded header block, as it was on the wire.
    pub fn header_block(&self) -> &[u8] {
        self.view().header_block()
    }

    /// The payload.
    pub fn payload(&self) -> &[u8] {
        self.view().payload()
    }

    /// The payload as `Bytes` sharing the received chunk (no copy).
    pub fn payload_bytes(&self) -> Bytes {
        let payload = self.payload();
        self.frame.slice_ref(payload)
    }

    /// The whole frame, as it was on the wire (no copy).
    pub fn frame(&self) -> &Bytes {
        &self.frame
    }
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Message")
            .field("headers", &self.headers().collect::<Vec<_>>())
            .field("payload_len", &self.payload().len())
            .finish()
    }
}

/// One decoded message lent by [`Decoder::next_message_ref`](super::Decoder::next_message_ref):
/// a whole, checked frame borrowed from the decoder's buffer until its next call.
///
/// Reading it touches no reference count and allocates nothing; keep a message
/// past the next call with [`to_message`](MessageRef::to_message).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct MessageRef<'a> {
    frame: &'a [u8],
    headers_end: usize,
}

impl<'a> MessageRef<'a> {
    /// A view of a frame whose CRCs, lengths and headers have been checked; its
    /// header block ends at `headers_end`.
    #[inline]
    pub(super) fn from_checked_frame(frame: &'a [u8], headers_end: usize) -> Self {
        MessageRef { frame, headers_end }
    }

    /// The text of the string header named `name`: the fast path for
    /// `:event-type` and friends (no allocation).
    ///
    /// The text is usually borrowed from the frame; for the values Bedrock
    /// sends on nearly every frame (`event`, `contentBlockDelta`,
    /// `application/json`, ...) it is an equal `&'static str` instead, which
    /// spares a UTF-8 validation per call. Either way it equals the header's bytes.
    #[inline]
    pub fn str_header(&self, name: &str) -> Option<&'a str> {
        let value = find_str_value(self.header_block(), name.as_bytes())?;
        match well_known(value) {
            Some(text) => Some(text),
            None => std::str::from_utf8(value).ok(),
        }
    }

    /// The raw bytes of the string header named `name` (no UTF-8 step; they
    /// were checked when the message was decoded): for comparisons such as
    /// `message.str_header_bytes(":event-type") == Some(b"contentBlockDelta")`.
    #[inline]
    pub fn str_header_bytes(&self, name: &str) -> Option<&'a [u8]> {
        find_str_value(self.header_block(), name.as_bytes())
    }

    /// The encoded header block, as it was on the wire.
    #[inline]
    pub fn header_block(&self) -> &'a [u8] {
        self.frame
            .get(PRELUDE_LEN..self.headers_end)
            .unwrap_or_default()
    }

    /// The payload.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        self.frame
            .get(self.headers_end..self.frame.len().saturating_sub(TRAILER_LEN))
            .unwrap_or_default()
    }

    /// The whole frame, as it was on the wire.
    pub fn frame(&self) -> &'a [u8] {
        self.frame
    }

    /// An owned [`Message`] with a copy of the frame, to keep past the
    /// decoder's next call.
    pub fn to_message(&self) -> Message {
        Message::from_checked_frame(Bytes::copy_from_slice(self.frame), self.headers_end)
    }
}

impl std::fmt::Debug for MessageRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessageRef")
            .field("frame_len", &self.frame.len())
            .field("header_block_len", &self.header_block().len())
            .field("payload_len", &self.payload().len())
            .finish()
    }
}

/// Iterator over a message's headers, in wire order.
#[derive(Debug, Clone)]
pub struct Headers<'a> {
    frame: &'a Bytes,
    block: &'a [u8],
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
        let span = locate_span(self.block, self.offset).ok()?;
        self.offset = span.end;
        Some(header_at(self.frame, PRELUDE_LEN, &span))
    }
}

/// The static copy of `value` if it is one of the string header values that
/// Bedrock streams repeat on every frame; `None` otherwise. The length is
/// matched first, so each comparison is of known size and inlined.
#[inline]
fn well_known(value: &[u8]) -> Option<&'static str> {
    let text = match value.len() {
        5 if value == b"event" => "event",
        5 if value == b"error" => "error",
        5 if value == b"chunk" => "chunk",
        8 if value == b"metadata" => "metadata",
        9 if value == b"exception" => "exception",
        11 if value == b"messageStop" => "messageStop",
        12 if value == b"messageStart" => "messageStart",
        16 if value == b"contentBlockStop" => "contentBlockStop",
        16 if value == b"application/json" => "application/json",
        17 if value == b"contentBlockDelta" => "contentBlockDelta",
        17 if value == b"contentBlockStart" => "contentBlockStart",
        _ => return None,
    };
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::well_known;

    #[test]
    fn well_known_values_are_exact() {
        for text in [
            "event",
            "contentBlockDelta",
            "application/json",
            "messageStop",
        ] {
            assert_eq!(well_known(text.as_bytes()), Some(text));
        }
        for bytes in [
            &b"Event"[..],
            b"contentBlockDeltb",
            b"",
            b"application/jsoN",
            b"\xffvent",
        ] {
            assert_eq!(well_known(bytes), None);
        }
    }
}
