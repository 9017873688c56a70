//! Hashing plumbing: the byte sinks canonical text is written into, HMAC keying,
//! and lowercase hex.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// HMAC-SHA256, the MAC of SigV4.
pub(crate) type HmacSha256 = Hmac<Sha256>;

/// Where canonical text goes: a hasher or MAC on the fast path, a `String`
/// when the text itself is wanted (to explain a signature).
pub(crate) trait Sink {
    /// Appends `bytes`.
    fn put(&mut self, bytes: &[u8]);

    /// Appends `text`.
    fn put_str(&mut self, text: &str) {
        self.put(text.as_bytes());
    }
}

/// A SHA-256 hasher fed through a small stack buffer: the canonical request
/// arrives in dozens of short pieces, and gathering them costs less than one
/// hasher `update` each.
pub(crate) struct BufferedSha256 {
    hasher: Sha256,
    buffer: [u8; 256],
    len: usize,
}

impl BufferedSha256 {
    pub(crate) fn new() -> Self {
        BufferedSha256 {
            hasher: Sha256::new(),
            buffer: [0; 256],
            len: 0,
        }
    }

    /// The digest of everything put.
    pub(crate) fn finalize(mut self) -> [u8; 32] {
        self.flush();
        self.hasher.finalize().into()
    }

    fn flush(&mut self) {
        self.hasher
            .update(self.buffer.get(..self.len).unwrap_or_default());
        self.len = 0;
    }
}

impl Sink for BufferedSha256 {
    fn put(&mut self, bytes: &[u8]) {
        if self.len + bytes.len() > self.buffer.len() {
            self.flush();
        }
        match self.buffer.get_mut(self.len..self.len + bytes.len()) {
            Some(free) => {
                free.copy_from_slice(bytes);
                self.len += bytes.len();
            }
            // Longer than the whole buffer (which was just flushed).
            None => self.hasher.update(bytes),
        }
    }
}

impl Sink for HmacSha256 {
    fn put(&mut self, bytes: &[u8]) {
        Mac::update(self, bytes);
    }
}

impl Sink for String {
    /// Every caller writes UTF-8 (input text or ASCII escapes), so the lossy
    /// conversion borrows and never replaces anything.
    fn put(&mut self, bytes: &[u8]) {
        self.push_str(&String::from_utf8_lossy(bytes));
    }

    fn put_str(&mut self, text: &str) {
        self.push_str(text);
    }
}

/// An HMAC-SHA256 state keyed with `key`, ready for `update`.
pub(crate) fn keyed_hmac(key: &[u8]) -> HmacSha256 {
    // HMAC pads short keys and hashes long ones, so hmac 0.12 accepts every
    // length: `new_from_slice` cannot fail here, whatever the input.
    HmacSha256::new_from_slice(key).expect("HMAC-SHA256 accepts keys of any length")
}

/// HMAC-SHA256 of `data` under `key`.
pub(crate) fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = keyed_hmac(key);
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// SHA-256 of `data`.
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// Lowercase hex of a 32-byte digest, as ASCII bytes (no allocation).
pub(crate) fn hex32(digest: &[u8; 32]) -> [u8; 64] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 64];
    for (index, byte) in digest.iter().enumerate() {
        // index < 32, so both positions are inside the 64 bytes.
        out[2 * index] = DIGITS[usize::from(byte >> 4)];
        out[2 * index + 1] = DIGITS[usize::from(byte & 0x0f)];
    }
    out
}

/// Appends ASCII bytes (hex digits) to a `String`. ASCII is always UTF-8; the
/// lossy arm only keeps the function total.
pub(crate) fn push_ascii(out: &mut String, ascii: &[u8]) {
    match std::str::from_utf8(ascii) {
        Ok(text) => out.push_str(text),
        Err(_) => out.push_str(&String::from_utf8_lossy(ascii)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_buffered_hasher_hashes_what_was_put_in_any_pieces() {
        let text: Vec<u8> = (0..2000u32).map(|i| (i % 251) as u8).collect();
        for piece in [1, 7, 64, 255, 256, 257, 1000] {
            let mut sink = BufferedSha256::new();
            for chunk in text.chunks(piece) {
                sink.put(chunk);
            }
            assert_eq!(sink.finalize(), sha256(&text), "pieces of {piece}");
        }
    }

    #[test]
    fn hex_matches_the_hex_crate() {
        let digest = sha256(b"abc");
        assert_eq!(hex32(&digest).as_slice(), hex::encode(digest).as_bytes());
    }

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
