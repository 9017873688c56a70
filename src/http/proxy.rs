//! Proxies from the environment, as curl and the AWS SDKs read them:
//! `HTTPS_PROXY` for `https://` URLs, `HTTP_PROXY` for `http://` URLs,
//! `ALL_PROXY` for both when the specific one is unset (each also in lower
//! case, which wins), and `NO_PROXY` / `no_proxy`: a comma-separated list of
//! `*` (no proxy at all), host names (`example.com` matches it and every
//! sub-domain; a leading `.` or `*.` means the same), IP addresses, CIDR blocks
//! (`10.0.0.0/8`), each optionally with `:port` (then only that port). Requests
//! marked direct (IMDS) never use a proxy.
//!
//! A proxy URL's user name and password are sent to the proxy, and never
//! shown: [`ProxySettings`]'s `Debug` and [`ProxySettings::redact`] hide them.

use std::fmt;
use std::net::IpAddr;

use crate::env::Env;

/// The proxies the environment configures.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ProxySettings {
    http: Option<String>,
    https: Option<String>,
    no_proxy: Vec<NoProxyRule>,
}

/// One `NO_PROXY` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
enum NoProxyRule {
    /// `*`: nothing is proxied.
    Everything,
    /// A host name and its sub-domains.
    Domain { name: String, port: Option<u16> },
    /// An address, or a block of them.
    Network {
        address: IpAddr,
        prefix: u8,
        port: Option<u16>,
    },
}

impl ProxySettings {
    /// The proxies `env` configures (none when no variable is set).
    ///
    /// ```
    /// use bedrock_lite::env::Env;
    /// use bedrock_lite::http::ProxySettings;
    /// let env = Env::from_vars([
    ///     ("HTTPS_PROXY", "http://proxy.corp:3128"),
    ///     ("NO_PROXY", "localhost,.internal,10.0.0.0/8"),
    /// ]);
    /// let proxies = ProxySettings::from_env(&env);
    /// assert_eq!(proxies.proxy_for("https", "bedrock-runtime.us-east-1.amazonaws.com", 443), Some("http://proxy.corp:3128"));
    /// assert_eq!(proxies.proxy_for("https", "api.internal", 443), None);
    /// assert_eq!(proxies.proxy_for("http", "10.1.2.3", 80), None);
    /// ```
    pub fn from_env(env: &Env) -> ProxySettings {
        let var = |name: &str| {
            env.non_blank_var(&name.to_ascii_lowercase())
                .or_else(|| env.non_blank_var(name))
                .map(str::to_owned)
        };
        let all = var("ALL_PROXY");
        ProxySettings {
            http: var("HTTP_PROXY").or_else(|| all.clone()),
            https: var("HTTPS_PROXY").or(all),
            no_proxy: var("NO_PROXY")
                .map(|list| parse_no_proxy(&list))
                .unwrap_or_default(),
        }
    }

    /// Whether any proxy is configured.
    pub fn is_empty(&self) -> bool {
        self.http.is_none() && self.https.is_none()
    }

    /// The proxy URL for a request to `scheme://host:port`, or `None` to
    /// connect directly.
    pub fn proxy_for(&self, scheme: &str, host: &str, port: u16) -> Option<&str> {
        let proxy = match scheme {
            "https" => self.https.as_deref()?,
            "http" => self.http.as_deref()?,
            _ => return None,
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let exempt = self.no_proxy.iter().any(|rule| rule.matches(host, port));
        (!exempt).then_some(proxy)
    }

    /// `text` with any proxy password (and user name) replaced by `****`, for
    /// messages.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for proxy in [&self.http, &self.https].into_iter().flatten() {
            if let Some(userinfo) = userinfo(proxy) {
                out = out.replace(userinfo, "****");
            }
        }
        out
    }
}

impl fmt::Debug for ProxySettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = |proxy: &Option<String>| proxy.as_deref().map(|p| self.redact(p));
        f.debug_struct("ProxySettings")
            .field("http", &shown(&self.http))
            .field("https", &shown(&self.https))
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

/// The `user:password` part of a URL, if it has one.
fn userinfo(url: &str) -> Option<&str> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next()?;
    let (userinfo, _) = authority.rsplit_once('@')?;
    (!userinfo.is_empty()).then_some(userinfo)
}

fn parse_no_proxy(list: &str) -> Vec<NoProxyRule> {
    list.split([',', ' '])
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .filter_map(parse_rule)
        .collect()
}

fn parse_rule(entry: &str) -> Option<NoProxyRule> {
    if entry == "*" {
        return Some(NoProxyRule::Everything);
    }
    let (host, port) = split_port(entry);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if let Some((address, prefix)) = host.split_once('/') {
        let address: IpAddr = address.parse().ok()?;
        let max = if address.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.parse::<u8>().ok().filter(|p| *p <= max)?;
        return Some(NoProxyRule::Network {
            address,
            prefix,
            port,
        });
    }
    if let Ok(address) = host.parse::<IpAddr>() {
        let prefix = if address.is_ipv4() { 32 } else { 128 };
        return Some(NoProxyRule::Network {
            address,
            prefix,
            port,
        });
    }
    let name = host
        .trim_start_matches("*.")
        .trim_start_matches('.')
        .to_ascii_lowercase();
    (!name.is_empty()).then_some(NoProxyRule::Domain { name, port })
}

/// `host:port` split; IPv6 addresses keep their colons (`[::1]:8080`, `::1`).
fn split_port(entry: &str) -> (&str, Option<u16>) {
    if let Some(rest) = entry.strip_prefix('[') {
        if let Some((host, after)) = rest.split_once(']') {
            let port = after.strip_prefix(':').and_then(|p| p.parse().ok());
            return (host, port);
        }
    }
    match entry.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => match port.parse() {
            Ok(port) => (host, Some(port)),
            Err(_) => (entry, None),
        },
        _ => (entry, None),
    }
}

impl NoProxyRule {
    fn matches(&self, host: &str, port: u16) -> bool {
        let port_ok = |wanted: &Option<u16>| wanted.is_none_or(|wanted| wanted == port);
        match self {
            NoProxyRule::Everything => true,
            NoProxyRule::Domain { name, port: wanted } => {
                let host = host.trim_end_matches('.').to_ascii_lowercase();
                let name = name.trim_end_matches('.');
                port_ok(wanted)
                    && (host == name
                        || host
                            .strip_suffix(name)
                            .is_some_and(|prefix| prefix.ends_with('.')))
            }
            NoProxyRule::Network {
                address,
                prefix,
                port: wanted,
            } => {
                port_ok(wanted)
                    && host
                        .parse::<IpAddr>()
                        .is_ok_and(|ip| in_network(ip, *address, *prefix))
            }
        }
    }
}

fn in_network(ip: IpAddr, network: IpAddr, prefix: u8) -> bool {
    match (ip, network) {
        (IpAddr::V4(ip), IpAddr::V4(network)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(network) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(network)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(network) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(vars: &[(&str, &str)]) -> ProxySettings {
        ProxySettings::from_env(&Env::from_vars(vars.iter().copied()))
    }

    #[test]
    fn variables_by_scheme_with_lower_case_winning() {
        let proxies = settings(&[
            ("HTTP_PROXY", "http://upper:1"),
            ("http_proxy", "http://lower:2"),
            ("ALL_PROXY", "http://all:3"),
        ]);
        assert_eq!(
            proxies.proxy_for("http", "a.com", 80),
            Some("http://lower:2")
        );
        assert_eq!(
            proxies.proxy_for("https", "a.com", 443),
            Some("http://all:3")
        );
        assert_eq!(proxies.proxy_for("ftp", "a.com", 21), None);
        assert!(settings(&[]).is_empty());
        assert_eq!(
            settings(&[("HTTPS_PROXY", "  ")]).proxy_for("https", "a.com", 443),
            None
        );
    }

    #[test]
    fn no_proxy_rules() {
        let proxies = settings(&[
            ("HTTPS_PROXY", "http://p:1"),
            (
                "NO_PROXY",
                "example.com, .internal,*.corp.net,10.0.0.0/8,192.168.1.7,::1,localhost:8443,[fd00::/8]",
            ),
        ]);
        let direct = |host: &str, port| proxies.proxy_for("https", host, port).is_none();
        assert!(direct("example.com", 443));
        assert!(direct("api.example.com", 443));
        assert!(!direct("notexample.com", 443));
        assert!(direct("svc.internal", 443));
        assert!(direct("internal", 443));
        assert!(direct("a.corp.net", 443));
        assert!(direct("10.200.0.1", 443));
        assert!(!direct("11.0.0.1", 443));
        assert!(direct("192.168.1.7", 443));
        assert!(!direct("192.168.1.8", 443));
        assert!(direct("[::1]", 443));
        assert!(direct("localhost", 8443));
        assert!(!direct("localhost", 443));
        assert!(direct("fd00::1", 443));
        assert!(!direct("bedrock-runtime.us-east-1.amazonaws.com", 443));
        let all = settings(&[("HTTPS_PROXY", "http://p:1"), ("no_proxy", "*")]);
        assert_eq!(all.proxy_for("https", "anything", 443), None);
    }

    #[test]
    fn proxy_credentials_are_never_shown() {
        let proxies = settings(&[("HTTPS_PROXY", "http://alice:s3cr3t@proxy.corp:3128")]);
        assert!(!format!("{proxies:?}").contains("s3cr3t"));
        assert_eq!(
            proxies.redact("cannot reach http://alice:s3cr3t@proxy.corp:3128"),
            "cannot reach http://****@proxy.corp:3128"
        );
    }

    proptest::proptest! {
        #[test]
        fn no_list_panics(list in "\\PC{0,80}", host in "[a-z0-9.:\\[\\]]{0,30}", port in proptest::num::u16::ANY) {
            let proxies = settings(&[("HTTPS_PROXY", "http://p:1"), ("NO_PROXY", &list)]);
            let _ = proxies.proxy_for("https", &host, port);
        }
    }
}
