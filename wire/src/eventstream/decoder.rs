//! The incremental decoder: push chunks as they arrive, pull whole messages.

use std::collections::VecDeque;

use bytes::{Bytes, BytesMut};

use super::crc::crc32_8;
use super::header::{check_block, validate_block};
use super::{
    DecodeError, Message, MessageRef, MAX_HEADERS_LEN, MAX_PAYLOAD_LEN, PRELUDE_LEN, TRAILER_LEN,
};

/// The size of each shared allocation for frames that span chunks.
const SPILL_CAPACITY: usize = 16 * 1024;

/// A checked prelude: the frame's lengths, trusted only after its CRC matched.
#[derive(Debug, Clone, Copy)]
struct Prelude {
    total_len: usize,
    headers_len: usize,
}

/// An incremental, zero-copy event-stream decoder. It does no I/O: the caller
/// pushes chunks of bytes as they come off the socket and pulls complete
/// messages.
///
/// A frame that lies inside one chunk is returned as slices of that chunk (no
/// copy); a frame that spans chunks is copied once, when its last byte arrives.
///
/// Two ways to pull: [`next_message`](Decoder::next_message) hands out an owned
/// [`Message`] that shares the chunk (one reference count per message), and
/// [`next_message_ref`](Decoder::next_message_ref) lends a [`MessageRef`] until
/// the next call (no reference count at all: the fastest way to read a stream
/// whose messages are consumed at once).
///
/// ```
/// # use bedrock_lite_wire as bedrock_lite;
/// use bedrock_lite::eventstream::{encode_frame, Decoder, Header, HeaderValue};
/// let mut wire = bytes::BytesMut::new();
/// encode_frame(&[Header::new("n", HeaderValue::Int(7))], b"hello", &mut wire).unwrap();
/// let wire = wire.freeze();
///
/// let mut decoder = Decoder::new();
/// decoder.push(wire.slice(..5)); // a frame may arrive in pieces
/// assert!(decoder.next_message().unwrap().is_none());
/// decoder.push(wire.slice(5..));
/// let message = decoder.next_message().unwrap().unwrap();
/// assert_eq!(&message.payload()[..], b"hello");
/// decoder.finish().unwrap(); // nothing left over
/// ```
#[derive(Debug, Default)]
pub struct Decoder {
    chunks: VecDeque<Bytes>,
    /// Bytes at the start of the front chunk already handed out. The chunk is
    /// released when the next call finds it used up, so a lent [`MessageRef`]
    /// stays valid until then.
    consumed: usize,
    /// Room for frames that span chunks: they are copied here, and many share
    /// one allocation. Holds exactly the last spilled frame until the next copy.
    spill: BytesMut,
    /// Bytes received and not handed out yet.
    buffered: usize,
    prelude: Option<Prelude>,
    failed: Option<DecodeError>,
    /// A fresh `crc32fast` hasher, cloned for each frame so that its CPU feature
    /// detection runs once per decoder rather than once per frame.
    hasher: crc32fast::Hasher,
    /// The last header block that passed every check: a stream repeats the same
    /// few blocks (Bedrock's `contentBlockDelta` frames all carry the same three
    /// headers), and a block equal to one already checked needs no new check.
    memo: BlockMemo,
    /// Frames at the start of the front chunk that already passed every check,
    /// waiting to be handed out.
    ahead: Ahead,
}

/// How many whole frames of the front chunk are checked in one go.
const AHEAD: usize = 16;

/// Frames checked ahead of time: `(total_len, headers_end)` of each of the
/// frames that lie back to back at the start of the front chunk, the first at
/// `frames[next]`.
///
/// Checking a few frames in a row, then handing them out, lets the CPU overlap
/// the CRCs of consecutive frames: handing an owned [`Message`] out takes an
/// atomic reference count (the `Bytes` it shares), which would otherwise stall
/// every CRC behind the previous frame's. The checks are the same and are pure, so
/// the order of results and errors does not change: checking stops at the first
/// frame that is incomplete or fails a check, and that frame goes through the
/// full path only when it is reached.
#[derive(Debug, Default, Clone)]
struct Ahead {
    frames: [(u32, u32); AHEAD],
    next: usize,
    len: usize,
}

/// A copy of one checked header block of at most [`BlockMemo::CAPACITY`] bytes.
#[derive(Debug, Clone)]
struct BlockMemo {
    bytes: [u8; BlockMemo::CAPACITY],
    len: usize,
}

impl Default for BlockMemo {
    fn default() -> Self {
        BlockMemo {
            bytes: [0; BlockMemo::CAPACITY],
            len: 0,
        }
    }
}

impl BlockMemo {
    const CAPACITY: usize = 128;

    /// Whether `block` is one that passed [`check_block`]; checks it if it is
    /// not the one remembered, and remembers it if it passes.
    #[inline(always)]
    fn check(&mut self, block: &[u8]) -> bool {
        if self.bytes.get(..self.len) == Some(block) {
            return true;
        }
        if !check_block(block) {
            return false;
        }
        if let Some(slot) = self.bytes.get_mut(..block.len()) {
            slot.copy_from_slice(block);
            self.len = block.len();
        }
        true
    }
}

impl Decoder {
    /// A decoder waiting for its first bytes.
    pub fn new() -> Self {
        Decoder {
            chunks: VecDeque::with_capacity(4),
            ..Decoder::default()
        }
    }

    /// Hands the decoder the next chunk of the stream. Cheap: the chunk is kept,
    /// not copied.
    pub fn push(&mut self, chunk: Bytes) {
        if !chunk.is_empty() {
            self.buffered += chunk.len();
            self.chunks.push_back(chunk);
        }
    }

    /// The next complete message, `Ok(None)` if more bytes are needed.
    ///
    /// The prelude CRC is checked as soon as 12 bytes are in, before the frame's
    /// length is trusted; oversize frames are refused then, before any of them is
    /// buffered. Any error is terminal and is returned again on later calls.
    #[inline]
    pub fn next_message(&mut self) -> Result<Option<Message>, DecodeError> {
        let Some(found) = self.next_frame()? else {
            return Ok(None);
        };
        let frame = match (found.place, self.chunks.front()) {
            (Place::Front { .. }, Some(front)) => front.slice_ref(self.handed_out(found)),
            _ => self.spill.split().freeze(),
        };
        Ok(Some(Message::from_checked_frame(frame, found.headers_end)))
    }

    /// The next complete message, lent until the next call on the decoder;
    /// `Ok(None)` if more bytes are needed. The same checks, errors and order as
    /// [`next_message`](Decoder::next_message), without touching a reference
    /// count: use it when each message is read before the next is pulled, and
    /// [`MessageRef::to_message`] for any that must be kept.
    ///
    /// ```
    /// # use bedrock_lite_wire as bedrock_lite;
    /// use bedrock_lite::eventstream::{encode_frame, Decoder, Header, HeaderValue};
    /// let mut wire = bytes::BytesMut::new();
    /// let headers = [Header::new(":event-type", HeaderValue::String("chunk".into()))];
    /// encode_frame(&headers, b"one", &mut wire).unwrap();
    /// encode_frame(&headers, b"two", &mut wire).unwrap();
    ///
    /// let mut decoder = Decoder::new();
    /// decoder.push(wire.freeze());
    /// let mut payloads = Vec::new();
    /// while let Some(message) = decoder.next_message_ref().unwrap() {
    ///     assert_eq!(message.str_header(":event-type"), Some("chunk"));
    ///     payloads.push(message.payload().to_vec());
    /// }
    /// assert_eq!(payloads, [b"one", b"two"]);
    /// ```
    #[inline]
    pub fn next_message_ref(&mut self) -> Result<Option<MessageRef<'_>>, DecodeError> {
        let Some(found) = self.next_frame()? else {
            return Ok(None);
        };
        Ok(Some(MessageRef::from_checked_frame(
            self.handed_out(found),
            found.headers_end,
        )))
    }

    /// Finds, checks and hands out the next whole frame: where it lies, its
    /// length and where its header block ends.
    #[inline]
    fn next_frame(&mut self) -> Result<Option<Found>, DecodeError> {
        self.release_front();
        if self.ahead.next == self.ahead.len {
            self.check_ahead();
        }
        let ready = self.ahead.frames.get(self.ahead.next..self.ahead.len);
        if let Some(&[(total_len, headers_end), ..]) = ready {
            self.ahead.next += 1;
            let (len, headers_end) = (total_len as usize, headers_end as usize);
            let start = self.consumed;
            self.consumed += len;
            self.buffered -= len;
            return Ok(Some(Found {
                place: Place::Front { start },
                len,
                headers_end,
            }));
        }
        self.next_frame_slow()
    }

    /// Drops the front chunk once every byte of it has been handed out.
    #[inline]
    fn release_front(&mut self) {
        if self
            .chunks
            .front()
            .is_some_and(|f| f.len() == self.consumed)
        {
            self.chunks.pop_front();
            self.consumed = 0;
        }
    }

    /// The bytes of a frame just handed out: in the front chunk or the spill
    /// buffer, where they stay until the next call.
    #[inline]
    fn handed_out(&self, found: Found) -> &[u8] {
        found.bytes_in(&self.chunks, &self.spill)
    }

    /// The bytes of the front chunk not handed out yet.
    fn front_rest(&self) -> &[u8] {
        self.chunks
            .front()
            .and_then(|front| front.get(self.consumed..))
            .unwrap_or_default()
    }

    /// Checks up to [`AHEAD`] whole frames at the start of the front chunk (see
    /// [`Ahead`]); none while a frame is in progress or after an error.
    #[inline]
    fn check_ahead(&mut self) {
        self.ahead.next = 0;
        self.ahead.len = 0;
        if self.prelude.is_some() || self.failed.is_some() {
            return;
        }
        let Some(front) = self.chunks.front() else {
            return;
        };
        let mut rest: &[u8] = front.get(self.consumed..).unwrap_or_default();
        let mut count = 0;
        for slot in &mut self.ahead.frames {
            match whole_valid_frame(rest, &self.hasher, &mut self.memo) {
                Some((total_len, headers_end)) => {
                    // Both are below the frame size cap, far below u32::MAX.
                    *slot = (total_len as u32, headers_end as u32);
                    rest = rest.get(total_len..).unwrap_or_default();
                    count += 1;
                }
                None => break,
            }
        }
        self.ahead.len = count;
    }

    /// Everything the fast path in [`Decoder::next_frame`] leaves: frames that
    /// span chunks or are not complete yet, errors, and the end of the buffer.
    #[inline(never)]
    fn next_frame_slow(&mut self) -> Result<Option<Found>, DecodeError> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        match self.decode_next() {
            Err(err) => {
                self.failed = Some(err.clone());
                Err(err)
            }
            ok => ok,
        }
    }

    /// Says the stream has ended: an error if it ended inside a frame.
    pub fn finish(&self) -> Result<(), DecodeError> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        if self.buffered == 0 {
            return Ok(());
        }
        Err(DecodeError::Truncated {
            received: self.buffered,
            needed: self.prelude.map_or(PRELUDE_LEN, |p| p.total_len),
        })
    }

    /// Bytes received but not yet returned as messages.
    pub fn buffered_len(&self) -> usize {
        self.buffered
    }

    fn decode_next(&mut self) -> Result<Option<Found>, DecodeError> {
        let prelude = match self.prelude {
            Some(prelude) => prelude,
            None => {
                if self.buffered < PRELUDE_LEN {
                    return Ok(None);
                }
                let prelude = read_prelude(&self.prelude_bytes())?;
                self.prelude = Some(prelude);
                prelude
            }
        };
        if self.buffered < prelude.total_len {
            return Ok(None);
        }
        let place = self.take_frame(prelude.total_len);
        self.prelude = None;
        let mut found = Found {
            place,
            len: prelude.total_len,
            headers_end: 0,
        };
        let frame = found.bytes_in(&self.chunks, &self.spill);
        found.headers_end = check_frame(frame, prelude, &self.hasher, &mut self.memo)?;
        Ok(Some(found))
    }

    /// The first 12 buffered bytes (there are at least 12).
    fn prelude_bytes(&self) -> [u8; PRELUDE_LEN] {
        if let Some(prelude) = self.front_rest().first_chunk() {
            return *prelude;
        }
        let mut out = [0u8; PRELUDE_LEN];
        let mut filled = 0;
        let rest =
            std::iter::once(self.front_rest()).chain(self.chunks.iter().skip(1).map(|c| &c[..]));
        for chunk in rest {
            let n = chunk.len().min(PRELUDE_LEN - filled);
            out[filled..filled + n].copy_from_slice(&chunk[..n]);
            filled += n;
            if filled == PRELUDE_LEN {
                break;
            }
        }
        out
    }

    /// Hands out the next `len` buffered bytes (there are at least `len`): in
    /// place when the front chunk holds them all, else copied once into the
    /// spill buffer.
    fn take_frame(&mut self, len: usize) -> Place {
        self.buffered -= len;
        if self.front_rest().len() >= len {
            let start = self.consumed;
            self.consumed += len;
            return Place::Front { start };
        }
        self.spill.clear();
        if self.spill.capacity() < len {
            self.spill = BytesMut::with_capacity(len.max(SPILL_CAPACITY));
        }
        let mut copied = 0;
        while copied < len {
            let Some(front) = self.chunks.front() else {
                break;
            };
            let rest = front.get(self.consumed..).unwrap_or_default();
            let n = rest.len().min(len - copied);
            self.spill.extend_from_slice(&rest[..n]);
            self.consumed += n;
            copied += n;
            if self.consumed == front.len() {
                self.chunks.pop_front();
                self.consumed = 0;
            }
        }
        Place::Spill
    }
}

/// Where a handed-out frame lies.
#[derive(Debug, Clone, Copy)]
enum Place {
    /// In the front chunk, from `start`.
    Front { start: usize },
    /// Copied to the start of the spill buffer (it spanned chunks).
    Spill,
}

/// A frame that passed every check and was handed out.
#[derive(Debug, Clone, Copy)]
struct Found {
    place: Place,
    len: usize,
    headers_end: usize,
}

impl Found {
    /// The frame's bytes, given the decoder's chunks and spill buffer.
    #[inline]
    fn bytes_in<'a>(&self, chunks: &'a VecDeque<Bytes>, spill: &'a BytesMut) -> &'a [u8] {
        let frame = match self.place {
            Place::Front { start } => chunks
                .front()
                .and_then(|front| front.get(start..start + self.len)),
            Place::Spill => spill.get(..self.len),
        };
        frame.unwrap_or_default()
    }
}

/// Checks the prelude CRC, then the lengths and size caps.
fn read_prelude(bytes: &[u8; PRELUDE_LEN]) -> Result<Prelude, DecodeError> {
    let word = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    let (total_length, headers_length, expected) = (word(0), word(4), word(8));
    let computed = crc32_8(&[
        bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
    ]);
    if computed != expected {
        return Err(DecodeError::PreludeCrcMismatch { expected, computed });
    }
    let overhead = (PRELUDE_LEN + TRAILER_LEN) as u32;
    if total_length < overhead {
        return Err(DecodeError::FrameTooShort { total_length });
    }
    if headers_length > total_length - overhead {
        return Err(DecodeError::HeadersLengthOutOfRange {
            headers_length,
            total_length,
        });
    }
    if headers_length as usize > MAX_HEADERS_LEN {
        return Err(DecodeError::HeadersTooLarge {
            length: headers_length,
            max: MAX_HEADERS_LEN,
        });
    }
    let payload_len = u64::from(total_length - overhead - headers_length);
    if payload_len > MAX_PAYLOAD_LEN as u64 {
        return Err(DecodeError::PayloadTooLarge {
            length: payload_len,
            max: MAX_PAYLOAD_LEN,
        });
    }
    Ok(Prelude {
        total_len: total_length as usize,
        headers_len: headers_length as usize,
    })
}

/// Checks the message CRC and the headers of a whole frame; where its header
/// block ends.
fn check_frame(
    frame: &[u8],
    prelude: Prelude,
    hasher: &crc32fast::Hasher,
    memo: &mut BlockMemo,
) -> Result<usize, DecodeError> {
    // `take_frame` hands over exactly `total_len` bytes and `read_prelude`
    // bounded the header block by it; a shorter frame is refused, not indexed.
    let too_short = || DecodeError::FrameTooShort {
        total_length: frame.len() as u32,
    };
    let (body, trailer) = frame
        .get(..prelude.total_len)
        .and_then(|f| f.split_last_chunk::<TRAILER_LEN>())
        .ok_or_else(too_short)?;
    let expected = u32::from_be_bytes(*trailer);
    // The message CRC covers the whole frame before it, the prelude included:
    // one pass, as the prelude's 8 bytes cost next to nothing inside it.
    let mut hasher = hasher.clone();
    hasher.update(body);
    let computed = hasher.finalize();
    if computed != expected {
        return Err(DecodeError::MessageCrcMismatch { expected, computed });
    }
    let headers_end = PRELUDE_LEN + prelude.headers_len;
    let block = body.get(PRELUDE_LEN..headers_end).ok_or_else(too_short)?;
    if !memo.check(block) {
        validate_block(block)?;
    }
    Ok(headers_end)
}

/// The hot path: if `chunk` starts with a whole frame that passes every check,
/// its total length and where its header block ends; `None` for anything else
/// (an incomplete or invalid frame), which the caller hands to the full path.
///
/// Performs exactly the checks of [`read_prelude`] and [`check_frame`], in the
/// same order, without building errors.
#[inline(always)]
fn whole_valid_frame(
    chunk: &[u8],
    hasher: &crc32fast::Hasher,
    memo: &mut BlockMemo,
) -> Option<(usize, usize)> {
    let prelude: &[u8; PRELUDE_LEN] = chunk.first_chunk()?;
    let [t0, t1, t2, t3, h0, h1, h2, h3, c0, c1, c2, c3] = *prelude;
    if crc32_8(&[t0, t1, t2, t3, h0, h1, h2, h3]) != u32::from_be_bytes([c0, c1, c2, c3]) {
        return None;
    }
    let total_len = u32::from_be_bytes([t0, t1, t2, t3]) as usize;
    let headers_len = u32::from_be_bytes([h0, h1, h2, h3]) as usize;
    let overhead = PRELUDE_LEN + TRAILER_LEN;
    let room = total_len.checked_sub(overhead)?;
    if headers_len > room || headers_len > MAX_HEADERS_LEN || room - headers_len > MAX_PAYLOAD_LEN {
        return None;
    }
    let frame = chunk.get(..total_len)?;
    let body_end = total_len - TRAILER_LEN;
    let (body, trailer) = frame.split_at(body_end);
    let mut hasher = hasher.clone();
    hasher.update(body);
    if trailer != hasher.finalize().to_be_bytes() {
        return None;
    }
    let headers_end = PRELUDE_LEN + headers_len;
    if !memo.check(&body[PRELUDE_LEN..headers_end]) {
        return None;
    }
    Some((total_len, headers_end))
}

/// Decodes a whole captured stream at once.
///
/// ```
/// # use bedrock_lite_wire as bedrock_lite;
/// let messages = bedrock_lite::eventstream::decode_all(bytes::Bytes::new()).unwrap();
/// assert!(messages.is_empty());
/// ```
pub fn decode_all(stream: Bytes) -> Result<Vec<Message>, DecodeError> {
    let mut decoder = Decoder::new();
    decoder.push(stream);
    let mut messages = Vec::new();
    while let Some(message) = decoder.next_message()? {
        messages.push(message);
    }
    decoder.finish()?;
    Ok(messages)
}
