//! Splits an absolute `http(s)` URL into what signing needs: the `Host` value,
//! the path and the query. Only URLs already percent-encoded are accepted: a
//! space or non-ASCII character would be encoded by the HTTP client after
//! signing, and the signature would no longer match.

use super::error::SigningError;

/// The parts of a URL that enter a signature.
#[derive(Debug, PartialEq, Eq)]
pub struct UrlParts<'a> {
    /// The URL up to the end of the path (no query, no fragment).
    pub base: &'a str,
    /// The `Host` header value: lower-case host, and the port unless it is the
    /// scheme's default (what HTTP clients send).
    pub host: String,
    /// The path, `/` when empty.
    pub path: &'a str,
    /// The query, without `?` (empty for none).
    pub query: &'a str,
}

/// Splits `url`; see the module documentation for what is refused.
pub fn split_url(url: &str) -> Result<UrlParts<'_>, SigningError> {
    if let Some(bad) = url.bytes().find(|&b| !is_uri_byte(b)) {
        return Err(SigningError::InvalidUrl(if bad.is_ascii() {
            "it holds a space, a control character or a character that must be percent-encoded"
        } else {
            "it holds a non-ASCII character; percent-encode it first"
        }));
    }
    let (scheme, rest) = url
        .split_once("://")
        .ok_or(SigningError::InvalidUrl("it has no scheme (https://...)"))?;
    let default_port = if scheme.eq_ignore_ascii_case("https") {
        "443"
    } else if scheme.eq_ignore_ascii_case("http") {
        "80"
    } else {
        return Err(SigningError::InvalidUrl(
            "the scheme is neither http nor https",
        ));
    };
    let before_fragment = rest.split_once('#').map_or(rest, |(before, _)| before);
    let authority_end = before_fragment
        .find(['/', '?'])
        .unwrap_or(before_fragment.len());
    let (authority, path_and_query) = before_fragment.split_at(authority_end);
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let host_and_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = match host_and_port.rsplit_once(':') {
        // `[::1]:443` has a port; `[::1]` does not.
        Some((host, port)) if !port.contains(']') => {
            if !port.bytes().all(|b| b.is_ascii_digit()) {
                return Err(SigningError::InvalidUrl("the port is not a number"));
            }
            if port == default_port || port.is_empty() {
                host.to_owned()
            } else {
                host_and_port.to_owned()
            }
        }
        _ => host_and_port.to_owned(),
    };
    if host.is_empty() || host.starts_with(':') {
        return Err(SigningError::InvalidUrl("it has no host"));
    }
    let base_len = scheme.len() + "://".len() + authority.len() + path.len();
    Ok(UrlParts {
        base: url.get(..base_len).unwrap_or(url),
        host: host.to_ascii_lowercase(),
        path: if path.is_empty() { "/" } else { path },
        query,
    })
}

/// The characters RFC 3986 allows in a URI: unreserved, reserved and `%`.
fn is_uri_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=%".contains(&byte)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_a_bedrock_url() {
        let url = "https://bedrock-runtime.us-east-1.amazonaws.com/model/a%3Ab/converse?x=1#frag";
        let parts = split_url(url).expect("valid");
        assert_eq!(
            parts,
            UrlParts {
                base: "https://bedrock-runtime.us-east-1.amazonaws.com/model/a%3Ab/converse",
                host: "bedrock-runtime.us-east-1.amazonaws.com".into(),
                path: "/model/a%3Ab/converse",
                query: "x=1",
            }
        );
    }

    #[test]
    fn keeps_only_non_default_ports_and_drops_user_info() {
        let host = |url| split_url(url).map(|parts| parts.host);
        assert_eq!(host("https://Example.COM:443"), Ok("example.com".into()));
        assert_eq!(host("http://example.com:80/"), Ok("example.com".into()));
        assert_eq!(
            host("http://u:p@example.com:8080?a"),
            Ok("example.com:8080".into())
        );
        assert_eq!(host("https://[::1]:8443/x"), Ok("[::1]:8443".into()));
        assert_eq!(host("https://[::1]/x"), Ok("[::1]".into()));
        assert_eq!(
            split_url("https://h?q").map(|p| (p.path, p.query)),
            Ok(("/", "q"))
        );
    }

    #[test]
    fn refuses_what_cannot_be_signed_as_it_will_travel() {
        for url in [
            "example.com/path",
            "ftp://example.com/",
            "https:///path",
            "https://:443/",
            "https://host:port/",
            "https://host/a b",
            "https://host/ሴ",
            "https://host/\n",
        ] {
            assert!(split_url(url).is_err(), "{url:?} was accepted");
        }
    }
}
