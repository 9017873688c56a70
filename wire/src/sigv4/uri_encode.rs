//! Percent-encoding as SigV4 defines it: every byte outside the RFC 3986
//! unreserved set (`A-Z a-z 0-9 - . _ ~`) becomes `%XX` with upper-case hex.

use std::borrow::Cow;

use super::digest::Sink;

/// Whether `/` is kept as is (a whole path) or encoded (one segment, a query part).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slash {
    Keep,
    Encode,
}

/// Percent-encodes `text` as one path segment or one query name or value: a
/// model id `anthropic.claude-v2:1` becomes `anthropic.claude-v2%3A1`, and an
/// ARN keeps its `/` inside one segment (`...inference-profile%2Fus.x`).
///
/// Use it to put a model id or ARN into a Bedrock path for the wire; the signer
/// then encodes that path once more, as AWS does on its side.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    write_encoded(&mut out, text.as_bytes(), Slash::Encode);
    out
}

fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

/// Writes `bytes` percent-encoded into `sink`, in runs so a hasher sees few
/// `update` calls.
pub(crate) fn write_encoded<S: Sink>(sink: &mut S, bytes: &[u8], slash: Slash) {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let keep = |b: u8| is_unreserved(b) || (b == b'/' && slash == Slash::Keep);
    let mut rest = bytes;
    while !rest.is_empty() {
        let run = rest.iter().position(|&b| !keep(b)).unwrap_or(rest.len());
        let (kept, tail) = rest.split_at(run);
        if !kept.is_empty() {
            sink.put(kept);
        }
        let Some((&byte, tail)) = tail.split_first() else {
            break;
        };
        sink.put(&[
            b'%',
            DIGITS[usize::from(byte >> 4)],
            DIGITS[usize::from(byte & 0x0f)],
        ]);
        rest = tail;
    }
}

/// Decodes `%XX` escapes; a `%` not followed by two hex digits stays as it is,
/// and `+` stays a plus (AWS does not read it as a space). Borrows when there
/// is nothing to decode.
pub fn percent_decode(text: &str) -> Cow<'_, [u8]> {
    let bytes = text.as_bytes();
    if !bytes.contains(&b'%') {
        return Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    while let Some((&byte, tail)) = rest.split_first() {
        let escaped = match (byte, tail) {
            (b'%', [high, low, ..]) => hex_value(*high)
                .zip(hex_value(*low))
                .map(|(high, low)| high << 4 | low),
            _ => None,
        };
        match escaped {
            Some(decoded) => {
                out.push(decoded);
                rest = tail.get(2..).unwrap_or_default();
            }
            None => {
                out.push(byte);
                rest = tail;
            }
        }
    }
    Cow::Owned(out)
}

fn hex_value(digit: u8) -> Option<u8> {
    char::from(digit)
        .to_digit(16)
        .and_then(|value| u8::try_from(value).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn encodes_a_model_id_and_an_arn_for_one_segment() {
        assert_eq!(
            percent_encode("us.anthropic.claude-sonnet-4-6-20251001-v1:0"),
            "us.anthropic.claude-sonnet-4-6-20251001-v1%3A0"
        );
        assert_eq!(
            percent_encode("arn:aws:bedrock:us-east-1:123:inference-profile/x"),
            "arn%3Aaws%3Abedrock%3Aus-east-1%3A123%3Ainference-profile%2Fx"
        );
        assert_eq!(percent_encode("a b+ሴ"), "a%20b%2B%E1%88%B4");
    }

    #[test]
    fn keeps_slashes_only_when_asked() {
        let mut path = String::new();
        write_encoded(&mut path, b"/a b/c%3A", Slash::Keep);
        assert_eq!(path, "/a%20b/c%253A");
    }

    #[test]
    fn decodes_valid_escapes_and_keeps_the_rest() {
        assert_eq!(&*percent_decode("%E1%88%B4=%zz%4"), "ሴ=%zz%4".as_bytes());
        assert_eq!(&*percent_decode("c+d"), b"c+d");
        assert_eq!(&*percent_decode("%2b%2B"), b"++");
    }

    proptest! {
        #[test]
        fn decoding_undoes_encoding(text in any::<String>()) {
            let encoded = percent_encode(&text);
            prop_assert!(encoded.bytes().all(|b| is_unreserved(b) || b == b'%'));
            prop_assert_eq!(&*percent_decode(&encoded), text.as_bytes());
        }
    }
}
