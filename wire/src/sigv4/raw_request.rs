//! Raw HTTP request text, the layout of the SigV4 test suite's `request.txt`:
//! a request line, `Name:value` header lines, a blank line, then the body.
//!
//! The request target is taken as it is written, even with a raw space
//! (`GET /example space/ HTTP/1.1`): the version is split off the end. In the
//! query, though, a raw space ends the query and what follows is not signed: so
//! the legacy suite's `post-vanilla-query-space` and
//! `post-vanilla-query-nonunreserved` cases read. A header
//! line that starts with a space or tab continues the previous one (obsolete
//! folding); the continuation is joined to the value with one space. Lines may
//! end in LF or CRLF.

use std::fmt;

use super::context::SigningContext;
use super::signer::{HeaderPair, Payload, SignableRequest, SignatureOutput, Signer};
use super::SigningError;

/// A parsed raw request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawRequest {
    method: String,
    target: String,
    /// `HTTP/1.1`, when the request line ends with a version.
    version: Option<String>,
    headers: Vec<RawHeader>,
    body: Vec<u8>,
}

/// One header: its value unfolded, and its lines as written (kept so that an
/// untouched header is rendered exactly as it came).
#[derive(Clone, Debug, PartialEq, Eq)]
struct RawHeader {
    name: String,
    value: String,
    written: Option<String>,
}

impl HeaderPair for RawHeader {
    fn name(&self) -> &str {
        &self.name
    }

    fn value(&self) -> &str {
        &self.value
    }
}

/// Why raw request text could not be read. `Display` is one line.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RawRequestError {
    /// The request line and headers are not UTF-8.
    NotUtf8,
    /// The request line is not `METHOD TARGET [VERSION]`.
    RequestLine,
    /// A header line has no `:` (the line number is 1-based).
    HeaderLine(usize),
    /// The first header line starts with whitespace: there is nothing to continue.
    DanglingContinuation(usize),
}

impl fmt::Display for RawRequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RawRequestError::NotUtf8 => write!(f, "the request line and headers are not UTF-8"),
            RawRequestError::RequestLine => {
                write!(f, "the first line is not `METHOD TARGET [HTTP/x.y]`")
            }
            RawRequestError::HeaderLine(line) => {
                write!(f, "line {line} is not a `Name:value` header")
            }
            RawRequestError::DanglingContinuation(line) => {
                write!(
                    f,
                    "line {line} continues a header but no header precedes it"
                )
            }
        }
    }
}

impl std::error::Error for RawRequestError {}

/// What signing a raw request gives: the texts AWS compares and the signed
/// request in the same raw layout.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedRawRequest {
    /// The canonical request.
    pub canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// The signature, 64 lowercase hex digits.
    pub signature: String,
    /// The request with the signature added (as a header or in the query);
    /// a body that is not UTF-8 is shown with replacement characters.
    pub signed_request: String,
}

impl fmt::Debug for SignedRawRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The texts can hold the session token.
        f.debug_struct("SignedRawRequest")
            .field("signature", &self.signature)
            .finish_non_exhaustive()
    }
}

impl RawRequest {
    /// Parses raw request text.
    pub fn parse(text: &[u8]) -> Result<Self, RawRequestError> {
        let (head, body) = split_head(text);
        let head = std::str::from_utf8(head).map_err(|_| RawRequestError::NotUtf8)?;
        let mut lines = head
            .split('\n')
            .map(|line| line.strip_suffix('\r').unwrap_or(line));
        let (method, target, version) = parse_request_line(lines.next().unwrap_or_default())?;
        let mut headers: Vec<RawHeader> = Vec::new();
        for (index, line) in lines.enumerate() {
            let line_number = index + 2;
            if line.starts_with([' ', '\t']) {
                let previous = headers
                    .last_mut()
                    .ok_or(RawRequestError::DanglingContinuation(line_number))?;
                previous.value.push(' ');
                previous.value.push_str(line.trim_matches([' ', '\t']));
                if let Some(written) = &mut previous.written {
                    written.push('\n');
                    written.push_str(line);
                }
                continue;
            }
            let (name, value) = line
                .split_once(':')
                .ok_or(RawRequestError::HeaderLine(line_number))?;
            headers.push(RawHeader {
                name: name.to_owned(),
                value: value.to_owned(),
                written: Some(line.to_owned()),
            });
        }
        Ok(RawRequest {
            method: method.to_owned(),
            target: target.to_owned(),
            version: version.map(str::to_owned),
            headers,
            body: body.to_vec(),
        })
    }

    /// The method.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The request target (path and query) as written.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// Each header as `(name, value)`, folded values joined.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers
            .iter()
            .map(|header| (header.name.as_str(), header.value.as_str()))
    }

    /// The body (empty for none).
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Signs the request with `context`, with headers or in the query as
    /// `location` says, keeping the canonical request and string to sign.
    pub fn sign(
        &self,
        context: &SigningContext,
        location: super::SignatureLocation,
    ) -> Result<SignedRawRequest, SigningError> {
        let (path, query) = self.path_and_query();
        let request = SignableRequest {
            method: &self.method,
            path,
            query,
            headers: &self.headers,
            host: None,
            payload: Payload::Bytes(&self.body),
        };
        let signer = Signer::new(context.settings);
        let explanation =
            signer.explain(&request, &context.identity(), &context.scope(), location)?;
        Ok(SignedRawRequest {
            signature: explanation.output.signature().to_owned(),
            signed_request: self.with_signature(&explanation.output),
            canonical_request: explanation.canonical_request,
            string_to_sign: explanation.string_to_sign,
        })
    }

    /// The path and query to sign: the target split at its first `?`, the query
    /// cut at its first raw space (see the module documentation).
    fn path_and_query(&self) -> (&str, &str) {
        let (path, query) = self.target.split_once('?').unwrap_or((&self.target, ""));
        (path, query.split(' ').next().unwrap_or_default())
    }

    /// This request with `output` applied, in the raw layout.
    fn with_signature(&self, output: &SignatureOutput<'_>) -> String {
        let mut target = self.target.clone();
        let mut headers = self.headers.clone();
        match output {
            SignatureOutput::Headers(signature) => signature.apply_with(
                &mut headers,
                |header| &header.name,
                |name, value| RawHeader {
                    name: name.to_owned(),
                    value: value.to_owned(),
                    written: None,
                },
            ),
            SignatureOutput::Query(signature) => {
                target.push(if target.contains('?') { '&' } else { '?' });
                target.push_str(signature.query());
            }
        }
        let mut text = format!("{} {target}", self.method);
        if let Some(version) = &self.version {
            text.push(' ');
            text.push_str(version);
        }
        text.push('\n');
        for header in &headers {
            match &header.written {
                Some(written) => text.push_str(written),
                None => {
                    text.push_str(&header.name);
                    text.push(':');
                    text.push_str(&header.value);
                }
            }
            text.push('\n');
        }
        text.push('\n');
        text.push_str(&String::from_utf8_lossy(&self.body));
        text
    }
}

/// Splits at the first blank line: the head before it (without its last line
/// break), the body after it (empty when there is no blank line).
fn split_head(text: &[u8]) -> (&[u8], &[u8]) {
    let mut offset = 0;
    for line in text.split_inclusive(|&b| b == b'\n') {
        let content = line.strip_suffix(b"\n").unwrap_or(line);
        let content = content.strip_suffix(b"\r").unwrap_or(content);
        let (head, rest) = text.split_at(offset);
        if content.is_empty() && offset > 0 {
            return (
                without_line_break(head),
                rest.get(line.len()..).unwrap_or_default(),
            );
        }
        offset += line.len();
    }
    (without_line_break(text), &[])
}

fn without_line_break(text: &[u8]) -> &[u8] {
    let text = text.strip_suffix(b"\n").unwrap_or(text);
    text.strip_suffix(b"\r").unwrap_or(text)
}

/// `METHOD TARGET [VERSION]`; the target may hold spaces.
fn parse_request_line(line: &str) -> Result<(&str, &str, Option<&str>), RawRequestError> {
    let (method, rest) = line.split_once(' ').ok_or(RawRequestError::RequestLine)?;
    let (target, version) = match rest.rsplit_once(' ') {
        Some((target, version)) if version.starts_with("HTTP/") => (target, Some(version)),
        _ => (rest, None),
    };
    if method.is_empty() || target.is_empty() {
        return Err(RawRequestError::RequestLine);
    }
    Ok((method, target, version))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(name: &str, value: &str, written: &str) -> RawHeader {
        RawHeader {
            name: name.into(),
            value: value.into(),
            written: Some(written.into()),
        }
    }

    #[test]
    fn parses_a_raw_space_folded_headers_and_a_body() {
        let text = b"POST /example space/?a=b HTTP/1.1\r\nHost:example.com\nMy-Header1:value1\n  value2\n\tvalue3\n\nParam1=value1\n";
        let request = RawRequest::parse(text).expect("valid");
        assert_eq!(
            request,
            RawRequest {
                method: "POST".into(),
                target: "/example space/?a=b".into(),
                version: Some("HTTP/1.1".into()),
                headers: vec![
                    header("Host", "example.com", "Host:example.com"),
                    header(
                        "My-Header1",
                        "value1 value2 value3",
                        "My-Header1:value1\n  value2\n\tvalue3"
                    ),
                ],
                body: b"Param1=value1\n".to_vec(),
            }
        );
    }

    #[test]
    fn a_raw_space_ends_the_query_but_not_the_path() {
        let request = RawRequest::parse(b"POST /a b/?p aram=1 x HTTP/1.1\n").expect("valid");
        assert_eq!(request.target(), "/a b/?p aram=1 x");
        assert_eq!(request.path_and_query(), ("/a b/", "p"));
    }

    #[test]
    fn a_request_may_end_without_a_blank_line_or_version() {
        let request = RawRequest::parse(b"GET /x\nHost:h").expect("valid");
        assert_eq!(request.version, None);
        assert_eq!(request.headers, vec![header("Host", "h", "Host:h")]);
        assert!(request.body.is_empty());
        let bare = RawRequest::parse(b"GET /\n").expect("valid");
        assert!(bare.headers.is_empty());
    }

    #[test]
    fn refuses_malformed_text_with_a_line_number() {
        assert_eq!(RawRequest::parse(b""), Err(RawRequestError::RequestLine));
        assert_eq!(
            RawRequest::parse(b"GET\n"),
            Err(RawRequestError::RequestLine)
        );
        assert_eq!(
            RawRequest::parse(b"GET / HTTP/1.1\nHost\n"),
            Err(RawRequestError::HeaderLine(2))
        );
        assert_eq!(
            RawRequest::parse(b"GET / HTTP/1.1\n folded\n"),
            Err(RawRequestError::DanglingContinuation(2))
        );
        assert_eq!(
            RawRequest::parse(b"GET /\xff HTTP/1.1\n"),
            Err(RawRequestError::NotUtf8)
        );
    }
}
