//! The canonical request: the one text form of a request that both sides hash.
//!
//! ```text
//! POST                                   method, as given
//! /model/a%253Ab/converse                path: normalised, then percent-encoded once more
//! X-Amz-Date=...&a=1                     query: decoded, re-encoded, sorted by name then value
//! content-type:application/json          headers: lower-case names, sorted; values trimmed,
//! host:bedrock-runtime...                  inner runs of spaces folded, repeats joined by ','
//! x-amz-date:20150830T123600Z
//!                                        (blank line)
//! content-type;host;x-amz-date           signed headers
//! e3b0c442...                            payload hash, or UNSIGNED-PAYLOAD
//! ```

use std::borrow::Cow;
use std::cmp::Ordering;

use super::digest::Sink;
use super::error::SigningError;
use super::uri_encode::{percent_decode, percent_encode, write_encoded, Slash};

/// Headers never signed: proxies and HTTP stacks add or change them after
/// signing. The same list as `aws-sigv4`, plus the hop-by-hop `connection`.
const UNSIGNED_HEADERS: [&str; 5] = [
    "authorization",
    "connection",
    "transfer-encoding",
    "user-agent",
    "x-amzn-trace-id",
];

/// The canonical request of one signature, ready to be written into a hasher.
pub(crate) struct CanonicalRequest<'a> {
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    pub(crate) normalize_path: bool,
    pub(crate) query: CanonicalQuery,
    pub(crate) headers: CanonicalHeaders<'a>,
    /// Lowercase hex of the payload's SHA-256, or `UNSIGNED-PAYLOAD`.
    pub(crate) payload_hash: &'a str,
}

impl CanonicalRequest<'_> {
    /// Writes the canonical request (no trailing newline).
    pub(crate) fn write_to<S: Sink>(&self, sink: &mut S) {
        sink.put_str(self.method);
        sink.put(b"\n");
        write_canonical_path(sink, self.path, self.normalize_path);
        sink.put(b"\n");
        self.query.write_to(sink);
        sink.put(b"\n");
        self.headers.write_to(sink);
        sink.put(b"\n");
        sink.put_str(self.headers.signed_names());
        sink.put(b"\n");
        sink.put_str(self.payload_hash);
    }
}

/// Checks that `method` is an HTTP token.
pub(crate) fn check_method(method: &str) -> Result<(), SigningError> {
    if is_token(method) {
        Ok(())
    } else {
        Err(SigningError::InvalidMethod)
    }
}

/// Writes the canonical URI: `path` made absolute, normalised if asked, and
/// percent-encoded once more (except `/`).
fn write_canonical_path<S: Sink>(sink: &mut S, path: &str, normalize: bool) {
    let absolute = if path.starts_with('/') {
        Cow::Borrowed(path)
    } else {
        Cow::Owned(format!("/{path}"))
    };
    let path = if normalize {
        normalize_path(&absolute)
    } else {
        absolute
    };
    write_encoded(sink, path.as_bytes(), Slash::Keep);
}

/// Removes `.` and `..` segments (RFC 3986 section 5.2.4) and empty segments
/// (`//`), keeping a trailing slash. `path` starts with `/`.
fn normalize_path(path: &str) -> Cow<'_, str> {
    if !needs_normalization(path) {
        return Cow::Borrowed(path);
    }
    let mut kept: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                kept.pop();
            }
            name => kept.push(name),
        }
    }
    let mut normalized = String::with_capacity(path.len());
    for segment in &kept {
        normalized.push('/');
        normalized.push_str(segment);
    }
    // "/a/", "/a/." and "/a/b/.." all name a directory: keep the slash.
    if normalized.is_empty() || path.ends_with('/') || path.ends_with("/.") || path.ends_with("/..")
    {
        normalized.push('/');
    }
    Cow::Owned(normalized)
}

/// Whether `path` has a `.` or `..` segment, or an empty one before its end.
fn needs_normalization(path: &str) -> bool {
    // Each of those starts with `/.` or `//`; most paths have neither.
    if !any_adjacent(path.as_bytes(), |a, b| {
        a == b'/' && (b == b'/' || b == b'.')
    }) {
        return false;
    }
    let mut segments = path.split('/').skip(1).peekable();
    while let Some(segment) = segments.next() {
        let last = segments.peek().is_none();
        if segment == "." || segment == ".." || (segment.is_empty() && !last) {
            return true;
        }
    }
    false
}

/// Query parameters, each name and value decoded and re-encoded the SigV4 way.
#[derive(Default)]
pub(crate) struct CanonicalQuery {
    pairs: Vec<(String, String)>,
}

impl CanonicalQuery {
    /// Reads a raw query string (without `?`). Empty pieces (`a=1&&b=2`) are
    /// skipped, a piece without `=` has an empty value, `+` is a literal plus.
    pub(crate) fn parse(query: &str) -> Self {
        let pairs = query
            .split('&')
            .filter(|piece| !piece.is_empty())
            .map(|piece| {
                let (name, value) = piece.split_once('=').unwrap_or((piece, ""));
                (reencode(name), reencode(value))
            })
            .collect();
        CanonicalQuery { pairs }
    }

    /// The first parameter whose name is one of `names` (ASCII case ignored).
    pub(crate) fn find_name(&self, names: &[&str]) -> Option<&str> {
        self.pairs
            .iter()
            .map(|(name, _)| name.as_str())
            .find(|name| names.iter().any(|n| n.eq_ignore_ascii_case(name)))
    }

    /// Adds a parameter from its plain (unencoded) name and value.
    pub(crate) fn push(&mut self, name: &str, value: &str) {
        self.pairs
            .push((percent_encode(name), percent_encode(value)));
    }

    /// Sorts by encoded name, then encoded value (byte order).
    pub(crate) fn sort(&mut self) {
        self.pairs.sort_unstable();
    }

    fn write_to<S: Sink>(&self, sink: &mut S) {
        for (index, (name, value)) in self.pairs.iter().enumerate() {
            if index > 0 {
                sink.put(b"&");
            }
            sink.put_str(name);
            sink.put(b"=");
            sink.put_str(value);
        }
    }
}

/// Decodes then encodes one query name or value, so that `%E1%88%B4` and a raw
/// `ሴ` both become `%E1%88%B4`.
fn reencode(component: &str) -> String {
    let mut out = String::with_capacity(component.len());
    write_encoded(&mut out, &percent_decode(component), Slash::Encode);
    out
}

/// One header to sign, as given (the name is lower-cased when written).
#[derive(Clone, Copy)]
pub(crate) struct HeaderEntry<'a> {
    pub(crate) name: &'a str,
    pub(crate) value: &'a str,
}

/// A header the signer sets itself (`X-Amz-Date`...): any copy in the request
/// is dropped, and it is signed unless it is added only after signing.
#[derive(Clone, Copy)]
pub(crate) struct SignerHeader<'a> {
    pub(crate) entry: HeaderEntry<'a>,
    pub(crate) signed: bool,
}

/// The signed headers, sorted, with the `SignedHeaders` list.
pub(crate) struct CanonicalHeaders<'a> {
    entries: Vec<HeaderEntry<'a>>,
    signed_names: String,
}

impl<'a> CanonicalHeaders<'a> {
    /// Collects the headers to sign: the request's (minus [`UNSIGNED_HEADERS`]
    /// and minus those the signer sets), `host` when the request has none, then
    /// the signer's signed ones. Checks every request name and value.
    pub(crate) fn new(
        request: impl ExactSizeIterator<Item = HeaderEntry<'a>>,
        host: Option<&'a str>,
        signer: impl Iterator<Item = SignerHeader<'a>> + Clone,
    ) -> Result<Self, SigningError> {
        let mut entries = Vec::with_capacity(request.len() + signer.clone().count() + 1);
        let mut has_host = false;
        for entry in request {
            check_header(entry)?;
            has_host |= entry.name.eq_ignore_ascii_case("host");
            let replaced = signer
                .clone()
                .any(|own| own.entry.name.eq_ignore_ascii_case(entry.name));
            let unsigned = UNSIGNED_HEADERS
                .iter()
                .any(|name| name.eq_ignore_ascii_case(entry.name));
            if !replaced && !unsigned {
                entries.push(entry);
            }
        }
        if !has_host {
            let host = HeaderEntry {
                name: "host",
                value: host.ok_or(SigningError::MissingHost)?,
            };
            check_header(host)?;
            entries.push(host);
        }
        entries.extend(signer.filter(|own| own.signed).map(|own| own.entry));
        // Stable: repeated headers keep their order when their values are joined.
        entries.sort_by(|a, b| cmp_ignore_ascii_case(a.name, b.name));

        let mut signed_names = String::with_capacity(entries.len() * 16);
        for group in entries.chunk_by(|a, b| a.name.eq_ignore_ascii_case(b.name)) {
            if let Some(first) = group.first() {
                if !signed_names.is_empty() {
                    signed_names.push(';');
                }
                push_lowercase(&mut signed_names, first.name);
            }
        }
        Ok(CanonicalHeaders {
            entries,
            signed_names,
        })
    }

    /// `host;x-amz-date;...`: the lower-case names, sorted, without repeats.
    pub(crate) fn signed_names(&self) -> &str {
        &self.signed_names
    }

    /// Writes one `name:value` line per distinct name; repeated headers are joined
    /// with `,` in their original order.
    fn write_to<S: Sink>(&self, sink: &mut S) {
        let groups = self
            .entries
            .chunk_by(|a, b| a.name.eq_ignore_ascii_case(b.name));
        for (group, name) in groups.zip(self.signed_names.split(';')) {
            sink.put_str(name);
            sink.put(b":");
            for (index, entry) in group.iter().enumerate() {
                if index > 0 {
                    sink.put(b",");
                }
                write_header_value(sink, entry.value);
            }
            sink.put(b"\n");
        }
    }
}

/// Appends `name` in lower case (names are ASCII tokens, checked before).
fn push_lowercase(out: &mut String, name: &str) {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        out.extend(name.chars().map(|c| c.to_ascii_lowercase()));
    } else {
        out.push_str(name);
    }
}

/// Compares two header names as their lower-case forms would compare.
fn cmp_ignore_ascii_case(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|b| b.to_ascii_lowercase())
        .cmp(b.bytes().map(|b| b.to_ascii_lowercase()))
}

/// Writes a header value trimmed of spaces and tabs, with inner runs of spaces
/// folded into one.
fn write_header_value<S: Sink>(sink: &mut S, value: &str) {
    let mut rest = value.trim_matches([' ', '\t']);
    if !has_double_space(rest.as_bytes()) {
        sink.put_str(rest);
        return;
    }
    while let Some(run) = rest.find("  ") {
        let (kept, tail) = rest.split_at(run + 1);
        sink.put_str(kept);
        rest = tail.trim_start_matches(' ');
    }
    sink.put_str(rest);
}

/// Whether two spaces follow each other.
fn has_double_space(bytes: &[u8]) -> bool {
    any_adjacent(bytes, |a, b| a == b' ' && b == b' ')
}

/// Whether some byte and the one after it satisfy `pair`. A fold without early
/// exit compiles to a vectorised loop: cheap on a long value that has no match,
/// like a session token.
fn any_adjacent(bytes: &[u8], pair: impl Fn(u8, u8) -> bool) -> bool {
    let next = bytes.get(1..).unwrap_or_default();
    bytes
        .iter()
        .zip(next)
        .fold(false, |found, (&a, &b)| found | pair(a, b))
}

/// Checks a header name (an HTTP token) and value (no control character but tab).
fn check_header(entry: HeaderEntry<'_>) -> Result<(), SigningError> {
    if !is_token(entry.name) {
        return Err(SigningError::InvalidHeaderName(entry.name.to_owned()));
    }
    if !is_header_value(entry.value) {
        return Err(SigningError::InvalidHeaderValue(entry.name.to_owned()));
    }
    Ok(())
}

/// Whether `text` is a non-empty HTTP token (RFC 9110 `tchar`s).
pub(crate) fn is_token(text: &str) -> bool {
    const TCHAR: [bool; 256] = {
        let mut table = [false; 256];
        let mut byte = 0;
        while byte < 256 {
            let b = byte as u8;
            table[byte] = b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'!' | b'#'
                        | b'$'
                        | b'%'
                        | b'&'
                        | b'\''
                        | b'*'
                        | b'+'
                        | b'-'
                        | b'.'
                        | b'^'
                        | b'_'
                        | b'`'
                        | b'|'
                        | b'~'
                );
            byte += 1;
        }
        table
    };
    !text.is_empty() && text.bytes().all(|b| TCHAR[usize::from(b)])
}

/// Whether `text` can be a header value: no control character except tab.
pub(crate) fn is_header_value(text: &str) -> bool {
    // A fold without early exit compiles to a vectorised loop; values are short
    // or (a session token) long and valid, so exiting early gains nothing.
    text.bytes().fold(true, |valid, b| {
        valid & (b == b'\t' || (b >= 0x20 && b != 0x7f))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn canonical_path(path: &str, normalize: bool) -> String {
        let mut out = String::new();
        write_canonical_path(&mut out, path, normalize);
        out
    }

    fn canonical_query(query: &str) -> String {
        let mut parsed = CanonicalQuery::parse(query);
        parsed.sort();
        let mut out = String::new();
        parsed.write_to(&mut out);
        out
    }

    fn no_signer() -> std::iter::Empty<SignerHeader<'static>> {
        std::iter::empty()
    }

    fn header(name: &'static str, value: &'static str) -> HeaderEntry<'static> {
        HeaderEntry { name, value }
    }

    #[test]
    fn normalizes_dot_segments_and_empty_segments() {
        let cases = [
            ("/", "/"),
            ("", "/"),
            ("//", "/"),
            ("/./", "/"),
            ("/example/..", "/"),
            ("/example1/example2/../..", "/"),
            ("//example//", "/example/"),
            ("/./example", "/example"),
            ("/a/b/..", "/a/"),
            ("/a/b/.", "/a/b/"),
            ("/../a", "/a"),
            ("a/b", "/a/b"),
            ("/a.b/..c/...", "/a.b/..c/..."),
        ];
        for (path, want) in cases {
            assert_eq!(canonical_path(path, true), want, "path {path:?}");
        }
        assert_eq!(canonical_path("//example//", false), "//example//");
        assert_eq!(canonical_path("/./", false), "/./");
    }

    #[test]
    fn encodes_the_wire_path_once_more() {
        assert_eq!(
            canonical_path("/model/us.anthropic.claude-v2%3A1/converse", true),
            "/model/us.anthropic.claude-v2%253A1/converse"
        );
        assert_eq!(
            canonical_path("/example space/ሴ", false),
            "/example%20space/%E1%88%B4"
        );
    }

    #[test]
    fn canonicalizes_queries() {
        assert_eq!(canonical_query(""), "");
        assert_eq!(
            canonical_query("Param2=value2&Param1=value1"),
            "Param1=value1&Param2=value2"
        );
        assert_eq!(
            canonical_query("Param1=value2&Param1=Value1"),
            "Param1=Value1&Param1=value2"
        );
        assert_eq!(
            canonical_query("Param-3=Value3&Param=Value2&%E1%88%B4=Value1"),
            "%E1%88%B4=Value1&Param=Value2&Param-3=Value3"
        );
        assert_eq!(canonical_query("ሴ=bar"), "%E1%88%B4=bar");
        assert_eq!(canonical_query("c+d"), "c%2Bd=");
        assert_eq!(canonical_query("a=1&&b&"), "a=1&b=");
        assert_eq!(canonical_query("k=a=b%2f"), "k=a%3Db%2F");
    }

    #[test]
    fn sorts_lowercases_trims_folds_and_joins_headers() {
        let request = [
            header("My-Header1", "value4"),
            header("Host", "example.amazonaws.com"),
            header("my-header1", "  a   b \t"),
            header("My-Header2", "\"a   b   c\""),
            header("User-Agent", "not signed"),
            header("X-Amz-Date", "replaced"),
            header("x-amz-security-token", "replaced"),
        ];
        let signer = [
            SignerHeader {
                entry: header("X-Amz-Date", "20150830T123600Z"),
                signed: true,
            },
            SignerHeader {
                entry: header("X-Amz-Security-Token", "token"),
                signed: false,
            },
        ];
        let headers =
            CanonicalHeaders::new(request.into_iter(), None, signer.into_iter()).expect("valid");
        let mut text = String::new();
        headers.write_to(&mut text);
        assert_eq!(
            text,
            "host:example.amazonaws.com\nmy-header1:value4,a b\nmy-header2:\"a b c\"\nx-amz-date:20150830T123600Z\n"
        );
        assert_eq!(
            headers.signed_names(),
            "host;my-header1;my-header2;x-amz-date"
        );
    }

    proptest! {
        #[test]
        fn header_values_fold_like_the_naive_rule(value in "[ \ta-c]{0,24}") {
            let mut naive = String::new();
            for c in value.trim_matches([' ', '\t']).chars() {
                if !(c == ' ' && naive.ends_with(' ')) {
                    naive.push(c);
                }
            }
            let mut ours = String::new();
            write_header_value(&mut ours, &value);
            prop_assert_eq!(ours, naive);
        }
    }

    #[test]
    fn adds_host_only_when_missing() {
        let headers = CanonicalHeaders::new([].into_iter(), Some("example.com:8443"), no_signer())
            .expect("valid");
        assert_eq!(headers.signed_names(), "host");
        let missing = CanonicalHeaders::new([].into_iter(), None, no_signer());
        assert_eq!(missing.err(), Some(SigningError::MissingHost));
    }

    #[test]
    fn refuses_bad_header_names_and_values() {
        let bad_name =
            CanonicalHeaders::new([header("Bé", "x")].into_iter(), Some("h"), no_signer());
        assert_eq!(
            bad_name.err(),
            Some(SigningError::InvalidHeaderName("Bé".into()))
        );
        let bad_value =
            CanonicalHeaders::new([header("a", "x\ny")].into_iter(), Some("h"), no_signer());
        assert_eq!(
            bad_value.err(),
            Some(SigningError::InvalidHeaderValue("a".into()))
        );
        let empty_name =
            CanonicalHeaders::new([header("", "x")].into_iter(), Some("h"), no_signer());
        assert!(empty_name.is_err());
    }
}
