//! Typed headers: their values, and reading them out of a header block without
//! allocating.
//!
//! A header on the wire is `name_len: u8`, `name`, `type: u8`, then a value whose
//! size depends on the type (see `reference/eventstream-format.md`).

use std::ops::Range;

use bytes::Bytes;

use super::DecodeError;

/// Bytes that are known to be UTF-8: a string header value or a header name,
/// sharing the received chunk (no copy).
///
/// ```
/// # use bedrock_lite_wire as bedrock_lite;
/// use bedrock_lite::eventstream::StrBytes;
/// let s = StrBytes::from_static(":event-type");
/// assert_eq!(s.as_str(), ":event-type");
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct StrBytes(Bytes);

impl StrBytes {
    /// A string with `'static` storage (no allocation).
    pub const fn from_static(s: &'static str) -> Self {
        StrBytes(Bytes::from_static(s.as_bytes()))
    }

    /// Checks that `bytes` are UTF-8 and wraps them without copying.
    pub fn from_utf8(bytes: Bytes) -> Result<Self, std::str::Utf8Error> {
        std::str::from_utf8(&bytes)?;
        Ok(StrBytes(bytes))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        // Checked at construction; the fallback is unreachable but keeps this panic-free
        // without `unsafe`.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The underlying bytes.
    pub fn as_bytes(&self) -> &Bytes {
        &self.0
    }
}

impl From<String> for StrBytes {
    fn from(s: String) -> Self {
        StrBytes(Bytes::from(s))
    }
}

impl From<&'static str> for StrBytes {
    fn from(s: &'static str) -> Self {
        StrBytes::from_static(s)
    }
}

impl std::fmt::Debug for StrBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for StrBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A header value, one variant per wire type (0 and 1 are both [`HeaderValue::Bool`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderValue {
    /// Types 0 (true) and 1 (false).
    Bool(bool),
    /// Type 2: a signed 8-bit integer.
    Byte(i8),
    /// Type 3: a signed 16-bit integer.
    Short(i16),
    /// Type 4: a signed 32-bit integer.
    Int(i32),
    /// Type 5: a signed 64-bit integer.
    Long(i64),
    /// Type 6: bytes (at most 65,535).
    ByteArray(Bytes),
    /// Type 7: UTF-8 text (at most 65,535 bytes).
    String(StrBytes),
    /// Type 8: milliseconds since the Unix epoch.
    Timestamp(i64),
    /// Type 9: 16 bytes.
    Uuid([u8; 16]),
}

impl HeaderValue {
    /// The wire type code (0–9).
    pub fn type_code(&self) -> u8 {
        match self {
            HeaderValue::Bool(true) => 0,
            HeaderValue::Bool(false) => 1,
            HeaderValue::Byte(_) => 2,
            HeaderValue::Short(_) => 3,
            HeaderValue::Int(_) => 4,
            HeaderValue::Long(_) => 5,
            HeaderValue::ByteArray(_) => 6,
            HeaderValue::String(_) => 7,
            HeaderValue::Timestamp(_) => 8,
            HeaderValue::Uuid(_) => 9,
        }
    }

    /// The type's name in DESIGN.md's JSON: `bool`, `byte`, `short`, `int`, `long`,
    /// `bytes`, `string`, `timestamp`, `uuid`.
    pub fn type_name(&self) -> &'static str {
        match self {
            HeaderValue::Bool(_) => "bool",
            HeaderValue::Byte(_) => "byte",
            HeaderValue::Short(_) => "short",
            HeaderValue::Int(_) => "int",
            HeaderValue::Long(_) => "long",
            HeaderValue::ByteArray(_) => "bytes",
            HeaderValue::String(_) => "string",
            HeaderValue::Timestamp(_) => "timestamp",
            HeaderValue::Uuid(_) => "uuid",
        }
    }

    /// The text of a string value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            HeaderValue::String(s) => Some(s.as_str()),
            _ => None,
        }
    }

    /// The number of value bytes on the wire (after the type code).
    pub(super) fn encoded_len(&self) -> usize {
        match self {
            HeaderValue::Bool(_) => 0,
            HeaderValue::Byte(_) => 1,
            HeaderValue::Short(_) => 2,
            HeaderValue::Int(_) => 4,
            HeaderValue::Long(_) | HeaderValue::Timestamp(_) => 8,
            HeaderValue::ByteArray(b) => 2 + b.len(),
            HeaderValue::String(s) => 2 + s.as_bytes().len(),
            HeaderValue::Uuid(_) => 16,
        }
    }
}

/// One header: a name and a typed value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The header name (1–255 bytes of UTF-8).
    pub name: StrBytes,
    /// The value.
    pub value: HeaderValue,
}

impl Header {
    /// A header from a name and a value.
    ///
    /// ```
    /// # use bedrock_lite_wire as bedrock_lite;
    /// use bedrock_lite::eventstream::{Header, HeaderValue};
    /// let h = Header::new(":message-type", HeaderValue::String("event".into()));
    /// assert_eq!(h.value.as_str(), Some("event"));
    /// ```
    pub fn new(name: impl Into<StrBytes>, value: HeaderValue) -> Self {
        Header {
            name: name.into(),
            value,
        }
    }
}

/// Where one header lies in its header block: found by [`read_span`], which checks
/// everything, so building a [`Header`] from a span cannot fail.
#[derive(Debug, Clone)]
pub(super) struct HeaderSpan {
    pub name: Range<usize>,
    pub type_code: u8,
    /// The value bytes (after a length prefix, for types 6 and 7).
    pub value: Range<usize>,
    /// Offset of the next header.
    pub end: usize,
}

/// Reads the header that starts at `offset` in `block`, checking its lengths,
/// type code, and the UTF-8 of its name and (string) value.
pub(super) fn read_span(block: &[u8], offset: usize) -> Result<HeaderSpan, DecodeError> {
    let span = locate_span(block, offset)?;
    let name = &block[span.name.clone()];
    if !is_utf8(name) {
        return Err(DecodeError::HeaderNameNotUtf8 { offset });
    }
    if span.type_code == 7 && !is_utf8(&block[span.value.clone()]) {
        return Err(DecodeError::HeaderValueNotUtf8 {
            name: String::from_utf8_lossy(name).into_owned(),
        });
    }
    Ok(span)
}

/// Finds where the header at `offset` lies, checking its lengths and type code
/// but not its UTF-8: enough to walk a block that [`read_span`] already checked.
pub(super) fn locate_span(block: &[u8], offset: usize) -> Result<HeaderSpan, DecodeError> {
    let cut = |field| move || DecodeError::HeaderTruncated { offset, field };
    let name_len = usize::from(*block.get(offset).ok_or_else(cut("name length"))?);
    if name_len == 0 {
        return Err(DecodeError::EmptyHeaderName { offset });
    }
    let name = offset + 1..offset + 1 + name_len;
    let type_code = *block.get(name.end).ok_or_else(cut("name"))?;
    let start = name.end + 1;
    let (value, end) = match type_code {
        0 | 1 => (start..start, start),
        2..=5 | 8 | 9 => {
            let size = match type_code {
                2 => 1,
                3 => 2,
                4 => 4,
                9 => 16,
                _ => 8,
            };
            (start..start + size, start + size)
        }
        6 | 7 => {
            let prefix = block
                .get(start..start + 2)
                .ok_or_else(cut("value length"))?;
            let len = usize::from(u16::from_be_bytes([prefix[0], prefix[1]]));
            (start + 2..start + 2 + len, start + 2 + len)
        }
        _ => {
            return Err(DecodeError::InvalidHeaderType {
                name: String::from_utf8_lossy(&block[name]).into_owned(),
                type_code,
            })
        }
    };
    if end > block.len() {
        return Err(cut("value")());
    }
    Ok(HeaderSpan {
        name,
        type_code,
        value,
        end,
    })
}

/// UTF-8 check with a fast path for the usual all-ASCII header text.
fn is_utf8(bytes: &[u8]) -> bool {
    bytes.is_ascii() || std::str::from_utf8(bytes).is_ok()
}

/// How many names are compared pairwise before switching to a sort (keeps the
/// common case allocation-free and the worst case `n log n`).
const PAIRWISE_LIMIT: usize = 16;

/// Checks every header in `block` and that no name repeats.
pub(super) fn validate_block(block: &[u8]) -> Result<(), DecodeError> {
    // The first names seen, as (start, length): pairwise checks, no allocation.
    let mut small = [(0u32, 0u8); PAIRWISE_LIMIT];
    let mut count = 0;
    let mut many: Vec<&[u8]> = Vec::new();
    let mut offset = 0;
    let name_at =
        |(start, len): (u32, u8)| &block[start as usize..start as usize + usize::from(len)];
    while offset < block.len() {
        let span = read_span(block, offset)?;
        let name = &block[span.name.clone()];
        if count < PAIRWISE_LIMIT {
            if small[..count].iter().any(|&seen| name_at(seen) == name) {
                return Err(duplicate(name));
            }
            // A block is at most 128 KiB and a name at most 255 bytes.
            small[count] = (span.name.start as u32, name.len() as u8);
        } else {
            if many.is_empty() {
                many.extend(small.iter().map(|&seen| name_at(seen)));
            }
            many.push(name);
        }
        count += 1;
        offset = span.end;
    }
    match find_duplicate(&mut many) {
        Some(name) => Err(duplicate(name)),
        None => Ok(()),
    }
}

/// The fast, allocation-free check of a header block, for the decoder's hot
/// path: `true` only if [`validate_block`] accepts `block` (a property test
/// holds the two together). It answers `false` for any block it cannot clear
/// cheaply (a bad header, or more than [`PAIRWISE_LIMIT`] headers), and the
/// caller then runs [`validate_block`] for the verdict and the error.
///
/// Differences from [`validate_block`], for speed only: one `is_ascii` pass
/// over the whole block stands for every UTF-8 check when it succeeds (an
/// all-ASCII block has all-ASCII names and values); names are compared by a
/// cheap fingerprint before their bytes.
#[inline]
pub(super) fn check_block(block: &[u8]) -> bool {
    let ascii = is_ascii(block);
    // Name start and fingerprint of each header seen so far.
    let mut starts = [0u32; PAIRWISE_LIMIT];
    let mut prints = [0u32; PAIRWISE_LIMIT];
    let mut count = 0;
    let mut offset = 0;
    while let Some(&name_len) = block.get(offset) {
        let name_len = usize::from(name_len);
        let name_start = offset + 1;
        let name_end = name_start + name_len;
        let Some(&type_code) = block.get(name_end) else {
            return false;
        };
        let start = name_end + 1;
        let Some(end) = value_end(block, start, type_code) else {
            return false;
        };
        if end > block.len() || name_len == 0 || count == PAIRWISE_LIMIT {
            return false;
        }
        let name = &block[name_start..name_end];
        if !ascii
            && (std::str::from_utf8(name).is_err()
                || (type_code == 7 && std::str::from_utf8(&block[start + 2..end]).is_err()))
        {
            return false;
        }
        let print = fingerprint(name);
        for (&seen_start, &seen_print) in starts[..count].iter().zip(&prints[..count]) {
            if seen_print == print {
                let seen = seen_start as usize;
                if block.get(seen..seen + name_len) == Some(name) {
                    return false;
                }
            }
        }
        // A block is at most 128 KiB, so its offsets fit in a u32.
        starts[count] = name_start as u32;
        prints[count] = print;
        count += 1;
        offset = end;
    }
    true
}

/// `bytes.is_ascii()`, eight bytes at a time with no early exit: for the short
/// blocks of a frame this beats the standard library's byte loop.
#[inline]
fn is_ascii(bytes: &[u8]) -> bool {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let word = |b: &[u8]| u64::from_ne_bytes(<[u8; 8]>::try_from(b).unwrap_or([0xFF; 8]));
    let mut words = bytes.chunks_exact(8);
    let mut acc = 0u64;
    for chunk in &mut words {
        acc |= word(chunk);
    }
    let rest = words.remainder();
    if bytes.len() >= 8 {
        // The last 8 bytes, overlapping what the loop saw.
        acc |= word(&bytes[bytes.len() - 8..]);
    } else {
        for &b in rest {
            acc |= u64::from(b);
        }
    }
    acc & HIGH == 0
}

/// `a == b`, inlined for the short slices that header names and values are
/// (no call into `memcmp`): up to 16 bytes as two overlapping words.
#[inline(always)]
pub(super) fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    let len = a.len();
    if len != b.len() {
        return false;
    }
    let word8 = |s: &[u8], at: usize| {
        s.get(at..at + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            .map(u64::from_ne_bytes)
    };
    let word4 = |s: &[u8], at: usize| {
        s.get(at..at + 4)
            .and_then(|w| <[u8; 4]>::try_from(w).ok())
            .map(u32::from_ne_bytes)
    };
    match len {
        8..=16 => word8(a, 0) == word8(b, 0) && word8(a, len - 8) == word8(b, len - 8),
        4..=7 => word4(a, 0) == word4(b, 0) && word4(a, len - 4) == word4(b, len - 4),
        _ => a == b,
    }
}

/// A cheap summary of a non-empty name: equal names have equal fingerprints
/// (the length and three of its bytes).
#[inline]
fn fingerprint(name: &[u8]) -> u32 {
    let len = name.len();
    let at = |i: usize| u32::from(name.get(i).copied().unwrap_or(0));
    (len as u32 & 0xFF) | at(0) << 8 | at(len / 2) << 16 | at(len.wrapping_sub(1)) << 24
}

/// Where the value of a header of type `type_code` whose value starts at
/// `start` in `block` ends (not checked against the block's length); `None`
/// for an unknown type or a length prefix cut off by the block's end.
#[inline(always)]
fn value_end(block: &[u8], start: usize, type_code: u8) -> Option<usize> {
    Some(match type_code {
        0 | 1 => start,
        2 => start + 1,
        3 => start + 2,
        4 => start + 4,
        5 | 8 => start + 8,
        9 => start + 16,
        6 | 7 => match block.get(start..start + 2) {
            Some(&[hi, lo]) => start + 2 + usize::from(u16::from_be_bytes([hi, lo])),
            _ => return None,
        },
        _ => return None,
    })
}

/// The value bytes of the string header (type 7) named `name` in a block that
/// was checked when its message was built; `None` if there is none.
#[inline]
pub(super) fn find_str_value<'a>(block: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let mut offset = 0;
    while let Some(&name_len) = block.get(offset) {
        let name_end = offset + 1 + usize::from(name_len);
        let type_code = *block.get(name_end)?;
        let start = name_end + 1;
        let end = value_end(block, start, type_code)?;
        if type_code == 7 && usize::from(name_len) == name.len() {
            if let Some(candidate) = block.get(offset + 1..name_end) {
                if bytes_eq(candidate, name) {
                    return block.get(start + 2..end);
                }
            }
        }
        offset = end;
    }
    None
}

/// The first name (in sorted order) that appears twice; sorts `names`.
pub(super) fn find_duplicate<'a>(names: &mut [&'a [u8]]) -> Option<&'a [u8]> {
    names.sort_unstable();
    names
        .windows(2)
        .find(|pair| pair[0] == pair[1])
        .map(|pair| pair[0])
}

fn duplicate(name: &[u8]) -> DecodeError {
    DecodeError::DuplicateHeader {
        name: String::from_utf8_lossy(name).into_owned(),
    }
}

/// Builds the typed header for a span checked by [`read_span`]. The header
/// block starts at `base` in `frame`, which shares the received chunk, so
/// string and byte values are slices of it.
pub(super) fn header_at(frame: &Bytes, base: usize, span: &HeaderSpan) -> Header {
    let in_frame = |r: &Range<usize>| base + r.start..base + r.end;
    let bytes = &frame[in_frame(&span.value)];
    let fixed = |n| {
        let mut out = [0u8; 8];
        out[8 - n..].copy_from_slice(&bytes[..n]);
        i64::from_be_bytes(out)
    };
    let value = match span.type_code {
        0 => HeaderValue::Bool(true),
        1 => HeaderValue::Bool(false),
        2 => HeaderValue::Byte(i8::from_be_bytes([bytes[0]])),
        3 => HeaderValue::Short(i16::from_be_bytes([bytes[0], bytes[1]])),
        4 => HeaderValue::Int(fixed(4) as i32),
        5 => HeaderValue::Long(fixed(8)),
        6 => HeaderValue::ByteArray(frame.slice(in_frame(&span.value))),
        7 => HeaderValue::String(StrBytes(frame.slice(in_frame(&span.value)))),
        8 => HeaderValue::Timestamp(fixed(8)),
        _ => {
            let mut uuid = [0u8; 16];
            uuid.copy_from_slice(bytes);
            HeaderValue::Uuid(uuid)
        }
    };
    Header {
        name: StrBytes(frame.slice(in_frame(&span.name))),
        value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A header as raw parts, so that invalid ones can be built too.
    fn raw_header() -> impl Strategy<Value = (Vec<u8>, u8, Vec<u8>)> {
        let name = prop_oneof![
            prop::sample::select(vec![
                b":event-type".to_vec(),
                b":content-type".to_vec(),
                b":message-type".to_vec(),
                b":x".to_vec(),
                "é".as_bytes().to_vec(),
                vec![0xC3],
                vec![0xFF, b'a'],
                Vec::new(),
            ]),
            prop::collection::vec(any::<u8>(), 0..20),
        ];
        let value = prop_oneof![
            prop::sample::select(vec![
                b"contentBlockDelta".to_vec(),
                "naïve".as_bytes().to_vec(),
                vec![0xE2, 0x82],
                Vec::new(),
            ]),
            prop::collection::vec(any::<u8>(), 0..24),
        ];
        (name, prop_oneof![Just(7u8), 0..12u8], value)
    }

    fn encode(headers: &[(Vec<u8>, u8, Vec<u8>)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, type_code, value) in headers {
            out.push(name.len() as u8);
            out.extend_from_slice(name);
            out.push(*type_code);
            let fixed = match type_code {
                0 | 1 => Some(0),
                2 => Some(1),
                3 => Some(2),
                4 => Some(4),
                5 | 8 => Some(8),
                9 => Some(16),
                _ => None,
            };
            match fixed {
                Some(n) => out.extend((0..n).map(|i| value.get(i).copied().unwrap_or(0x80))),
                None => {
                    out.extend_from_slice(&(value.len() as u16).to_be_bytes());
                    out.extend_from_slice(value);
                }
            }
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        /// The fast check accepts exactly what the full validation accepts
        /// (for up to `PAIRWISE_LIMIT` headers; beyond, it defers).
        #[test]
        fn fast_check_agrees_with_validation(
            headers in prop::collection::vec(raw_header(), 0..20),
            mutation in prop::option::of((any::<prop::sample::Index>(), any::<u8>())),
            cut in prop::option::of(any::<prop::sample::Index>()),
        ) {
            let mut block = encode(&headers);
            let pristine = mutation.is_none() && cut.is_none();
            if let (Some((at, byte)), false) = (mutation, block.is_empty()) {
                let at = at.index(block.len());
                block[at] = byte;
            }
            if let Some(cut) = cut {
                block.truncate(cut.index(block.len() + 1));
            }
            let valid = validate_block(&block).is_ok();
            let fast = check_block(&block);
            prop_assert!(!fast || valid, "fast check accepted an invalid block");
            if pristine && headers.len() <= PAIRWISE_LIMIT {
                prop_assert_eq!(fast, valid);
            }
        }

        #[test]
        fn bytes_eq_is_slice_eq(a in prop::collection::vec(0..3u8, 0..24), b in prop::collection::vec(0..3u8, 0..24)) {
            prop_assert_eq!(bytes_eq(&a, &b), a == b);
            prop_assert!(bytes_eq(&a, &a.clone()));
        }
    }

    #[test]
    fn finds_string_values() {
        let block = encode(&[
            (b":n".to_vec(), 4, vec![0, 0, 0, 1]),
            (b":event-type".to_vec(), 7, b"messageStop".to_vec()),
            (b":bytes".to_vec(), 6, b"raw".to_vec()),
        ]);
        assert!(check_block(&block));
        assert_eq!(
            find_str_value(&block, b":event-type"),
            Some(&b"messageStop"[..])
        );
        assert_eq!(find_str_value(&block, b":bytes"), None);
        assert_eq!(find_str_value(&block, b":n"), None);
        assert_eq!(find_str_value(&block, b":event-typ"), None);
    }
}
