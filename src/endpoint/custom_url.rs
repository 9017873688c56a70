//! Checks on a custom endpoint URL (`--endpoint-url`, `AWS_ENDPOINT_URL*`, the
//! config file): `https://` to any host, plain `http://` only to a loopback
//! host, no credentials, query or fragment; the answer is the URL in the form
//! an HTTP client sends it, without a trailing `/`, keeping any path prefix.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::http::HttpUrl;

/// The normalised base URL, or why `url` cannot be an endpoint.
pub(crate) fn check(url: &str) -> Result<String, String> {
    let trimmed = url.trim();
    if trimmed.is_empty() {
        return Err("the URL is empty".to_owned());
    }
    let parsed = HttpUrl::parse(trimmed).map_err(|e| e.to_string())?;
    let host = parsed.host();
    if !parsed.is_https() && !is_loopback(host) {
        return Err(format!(
            "plain http:// is only allowed to a loopback host (127.0.0.0/8, ::1, localhost), \
             not `{host}`; use https://"
        ));
    }
    if parsed.userinfo().is_some() {
        return Err("the URL must not contain a user name or password".to_owned());
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err("the URL must not have a query (`?`) or fragment (`#`)".to_owned());
    }
    let base = format!(
        "{}://{}{}",
        parsed.scheme(),
        parsed.authority(),
        parsed.path()
    );
    Ok(base.trim_end_matches('/').to_owned())
}

/// Whether a (normalised) host names this machine: `localhost`, 127.0.0.0/8 or
/// `::1` (also as an IPv4-mapped IPv6 address).
fn is_loopback(host: &str) -> bool {
    if let Ok(v6) = host.parse::<Ipv6Addr>() {
        return v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback());
    }
    host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
        || host.eq_ignore_ascii_case("localhost")
        || host.eq_ignore_ascii_case("localhost.")
}

/// `url` as it may appear in a message: any `user:password@` replaced by `***@`,
/// control characters escaped, so that the message stays one line and secret-free.
pub(super) fn redacted(url: &str) -> String {
    let shown = match url.find("://") {
        Some(at) => {
            let (scheme, rest) = url.split_at(at + 3);
            let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            match rest[..authority_end].rfind('@') {
                Some(user_end) => format!("{scheme}***{}", &rest[user_end..]),
                None => url.to_owned(),
            }
        }
        None => url.to_owned(),
    };
    shown.escape_debug().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn https_anywhere_with_path_prefix_kept() {
        assert_eq!(
            check("https://example.com").as_deref(),
            Ok("https://example.com")
        );
        assert_eq!(
            check(" https://example.com/ ").as_deref(),
            Ok("https://example.com")
        );
        assert_eq!(
            check("https://Proxy.Example.com:8443/bedrock/v1/").as_deref(),
            Ok("https://proxy.example.com:8443/bedrock/v1")
        );
        assert_eq!(
            check("https://example.com:443//").as_deref(),
            Ok("https://example.com")
        );
    }

    #[test]
    fn plain_http_only_to_loopback() {
        for url in [
            "http://127.0.0.1:4000",
            "http://127.9.8.7",
            "http://localhost:8080/",
            "http://LOCALHOST",
            "http://[::1]:9000",
            "http://[::ffff:127.0.0.1]",
        ] {
            assert!(check(url).is_ok(), "{url}: {:?}", check(url));
        }
        assert_eq!(
            check("http://localhost:8080/").as_deref(),
            Ok("http://localhost:8080")
        );
        for url in [
            "http://example.com",
            "http://10.0.0.1",
            "http://128.0.0.1",
            "http://[::2]",
            "http://localhost.example.com",
            "http://127.0.0.1.nip.io",
        ] {
            let why = check(url).expect_err(url);
            assert!(why.contains("loopback"), "{url}: {why}");
        }
    }

    #[test]
    fn other_urls_are_refused_with_a_reason() {
        let refused = [
            ("", "empty"),
            ("   ", "empty"),
            ("example.com", "relative URL"),
            ("ftp://example.com", "scheme"),
            ("file:///etc/passwd", "scheme"),
            ("https://user:pw@example.com", "user name or password"),
            ("https://example.com/?x=1", "query"),
            ("https://example.com/#top", "fragment"),
            ("https://", "host"),
        ];
        for (url, reason) in refused {
            let why = check(url).expect_err(url);
            assert!(why.contains(reason), "{url}: {why}");
        }
    }

    #[test]
    fn redaction_hides_credentials_and_keeps_one_line() {
        assert_eq!(redacted("https://u:secret@h/p@q"), "https://***@h/p@q");
        assert_eq!(redacted("https://h/a@b"), "https://h/a@b");
        assert_eq!(redacted("x\ny"), "x\\ny");
    }

    proptest! {
        #[test]
        fn checking_never_panics_and_accepts_only_clean_urls(url in any::<String>()) {
            if let Ok(base) = check(&url) {
                prop_assert!(base.starts_with("https://") || base.starts_with("http://"));
                prop_assert!(!base.ends_with('/'));
                prop_assert!(!base.contains(['?', '#']));
            }
            prop_assert!(!redacted(&url).contains('\n'));
        }
    }
}
