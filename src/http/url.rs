//! [`HttpUrl`]: an absolute `http://` or `https://` URL, checked and taken
//! apart (scheme, user info, host, port, path, query, fragment). Only URLs
//! already percent-encoded are accepted: a space, a control or a non-ASCII
//! character is refused, not encoded, so that what is signed is what is sent.

use std::fmt;
use std::net::Ipv6Addr;

/// An absolute http(s) URL.
///
/// ```
/// use bedrock_lite::http::HttpUrl;
/// let url = HttpUrl::parse("HTTPS://Bedrock-Runtime.us-east-1.amazonaws.com:443/model/a%3Ab/converse?x=1")?;
/// assert!(url.is_https());
/// assert_eq!(url.host(), "bedrock-runtime.us-east-1.amazonaws.com");
/// assert_eq!(url.port(), 443);
/// assert_eq!(url.authority(), "bedrock-runtime.us-east-1.amazonaws.com");
/// assert_eq!(url.path_and_query(), "/model/a%3Ab/converse?x=1");
/// # Ok::<(), bedrock_lite::http::UrlError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct HttpUrl {
    https: bool,
    userinfo: Option<String>,
    /// Lower case; an IPv6 address without its brackets.
    host: String,
    /// The port written in the URL, when it is not the scheme's default.
    port: Option<u16>,
    /// `/` when empty.
    path: String,
    query: Option<String>,
    fragment: Option<String>,
}

/// Why a text is not an http(s) URL this crate sends requests to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlError(String);

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UrlError {}

fn error(message: impl Into<String>) -> UrlError {
    UrlError(message.into())
}

impl HttpUrl {
    /// Parses `text` (see the module docs for what is refused).
    pub fn parse(text: &str) -> Result<HttpUrl, UrlError> {
        let Some((scheme, rest)) = text.split_once("://") else {
            return Err(error(
                "relative URL without a base: expected http:// or https://",
            ));
        };
        let https = match scheme.to_ascii_lowercase().as_str() {
            "https" => true,
            "http" => false,
            other => {
                return Err(error(format!(
                    "the scheme must be http or https, not `{}`",
                    other.escape_debug()
                )))
            }
        };
        if let Some(bad) = rest.chars().find(|c| !is_url_char(*c)) {
            return Err(error(if bad.is_ascii() {
                format!(
                    "`{}` cannot appear in a URL; percent-encode it",
                    bad.escape_debug()
                )
            } else {
                "it holds a non-ASCII character; percent-encode it".to_owned()
            }));
        }
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(authority_end);
        let (userinfo, host_port) = match authority.rsplit_once('@') {
            Some((userinfo, host_port)) => (Some(userinfo.to_owned()), host_port),
            None => (None, authority),
        };
        let (host, port) = split_host_port(host_port)?;
        let default_port = if https { 443 } else { 80 };
        let (before_fragment, fragment) = match tail.split_once('#') {
            Some((before, fragment)) => (before, Some(fragment.to_owned())),
            None => (tail, None),
        };
        let (path, query) = match before_fragment.split_once('?') {
            Some((path, query)) => (path, Some(query.to_owned())),
            None => (before_fragment, None),
        };
        Ok(HttpUrl {
            https,
            userinfo,
            host,
            port: port.filter(|port| *port != default_port),
            path: if path.is_empty() { "/" } else { path }.to_owned(),
            query,
            fragment,
        })
    }

    /// Whether the scheme is `https`.
    pub fn is_https(&self) -> bool {
        self.https
    }

    /// `http` or `https`.
    pub fn scheme(&self) -> &'static str {
        match self.https {
            true => "https",
            false => "http",
        }
    }

    /// The `user:password` part, if any (never show it).
    pub fn userinfo(&self) -> Option<&str> {
        self.userinfo.as_deref()
    }

    /// The host, lower case (an IPv6 address without brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port, the scheme's default when none is written.
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(if self.https { 443 } else { 80 })
    }

    /// `host[:port]` as a `Host` header gives it: IPv6 in brackets, the port
    /// only when it is not the scheme's default.
    pub fn authority(&self) -> String {
        let host = match self.host.contains(':') {
            true => format!("[{}]", self.host),
            false => self.host.clone(),
        };
        match self.port {
            Some(port) => format!("{host}:{port}"),
            None => host,
        }
    }

    /// The host as a `CONNECT` target writes it: IPv6 in brackets.
    pub fn host_for_connect(&self) -> String {
        match self.host.contains(':') {
            true => format!("[{}]", self.host),
            false => self.host.clone(),
        }
    }

    /// The path (at least `/`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The query, without `?`.
    pub fn query(&self) -> Option<&str> {
        self.query.as_deref()
    }

    /// The fragment, without `#`.
    pub fn fragment(&self) -> Option<&str> {
        self.fragment.as_deref()
    }

    /// The path and query as a request target (`/a/b?c`).
    pub fn path_and_query(&self) -> String {
        match &self.query {
            Some(query) => format!("{}?{query}", self.path),
            None => self.path.clone(),
        }
    }

    /// `scheme://authority/path` with no user info, query or fragment: what
    /// a message may show.
    pub fn without_secrets(&self) -> String {
        format!("{}://{}{}", self.scheme(), self.authority(), self.path)
    }
}

impl fmt::Debug for HttpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HttpUrl({})", self.without_secrets())
    }
}

/// The characters a URL may hold after its scheme: RFC 3986's unreserved,
/// reserved and `%`.
fn is_url_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c)
}

/// The host (lower case, IPv6 unbracketed) and the port, if written.
fn split_host_port(host_port: &str) -> Result<(String, Option<u16>), UrlError> {
    let (host, port) = if let Some(rest) = host_port.strip_prefix('[') {
        let (address, after) = rest
            .split_once(']')
            .ok_or_else(|| error("an IPv6 address without its closing `]`"))?;
        address
            .parse::<Ipv6Addr>()
            .map_err(|_| error(format!("`{address}` is not an IPv6 address")))?;
        let port = match after {
            "" => None,
            _ => Some(
                after
                    .strip_prefix(':')
                    .ok_or_else(|| error("unexpected text after the IPv6 address"))?,
            ),
        };
        (address.to_ascii_lowercase(), port)
    } else {
        match host_port.rsplit_once(':') {
            Some((host, port)) => (host.to_ascii_lowercase(), Some(port)),
            None => (host_port.to_ascii_lowercase(), None),
        }
    };
    if host.is_empty() {
        return Err(error("the URL has no host"));
    }
    if !host.contains(':')
        && !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
    {
        return Err(error(format!(
            "`{}` is not a host name",
            host.escape_debug()
        )));
    }
    let port = match port {
        None | Some("") => None,
        Some(digits) => Some(
            digits
                .parse::<u16>()
                .ok()
                .filter(|_| digits.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(|| error(format!("`{}` is not a port", digits.escape_debug())))?,
        ),
    };
    Ok((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parts() {
        let url = HttpUrl::parse("http://u:p@[::1]:8080/a/b?c=d#e").expect("valid");
        assert!(!url.is_https());
        assert_eq!(url.userinfo(), Some("u:p"));
        assert_eq!((url.host(), url.port()), ("::1", 8080));
        assert_eq!(url.authority(), "[::1]:8080");
        assert_eq!(url.path_and_query(), "/a/b?c=d");
        assert_eq!(url.fragment(), Some("e"));
        assert_eq!(url.without_secrets(), "http://[::1]:8080/a/b");
        assert!(!format!("{url:?}").contains("u:p"));
        let bare = HttpUrl::parse("https://H.example:443").expect("valid");
        assert_eq!(
            (bare.authority(), bare.path()),
            ("h.example".to_owned(), "/")
        );
        assert_eq!(bare.port(), 443);
    }

    #[test]
    fn refusals_say_why() {
        for (text, why) in [
            ("example.com", "relative URL"),
            ("ftp://x", "scheme"),
            ("https://", "no host"),
            ("https://a b", "percent-encode"),
            ("https://é.com", "non-ASCII"),
            ("https://h:99999", "not a port"),
            ("https://h:8x", "not a port"),
            ("https://[::1", "closing"),
            ("https://[zz]", "IPv6"),
            ("https://h%41", "host name"),
        ] {
            let error = HttpUrl::parse(text).expect_err(text).to_string();
            assert!(error.contains(why), "{text}: {error}");
        }
    }

    proptest! {
        #[test]
        fn parsing_never_panics_and_authorities_reparse(text in "\\PC{0,60}") {
            if let Ok(url) = HttpUrl::parse(&text) {
                let again = HttpUrl::parse(&format!("{}://{}{}", url.scheme(), url.authority(), url.path_and_query()))
                    .expect("the parts make a URL");
                prop_assert_eq!(again.host(), url.host());
                prop_assert_eq!(again.port(), url.port());
            }
        }
    }
}
