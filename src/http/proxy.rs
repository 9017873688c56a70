//! Proxies from the environment, as curl and the AWS SDKs read them:
//! `HTTPS_PROXY` for `https://` URLs, `HTTP_PROXY` for `http://` URLs,
//! `ALL_PROXY` for both when the specific one is unset (each also in lower
//! case, which wins), and `NO_PROXY` / `no_proxy`: a comma-separated list of
//! `*` (no proxy at all), host names (`example.com` matches it and every
//! sub-domain; a leading `.` or `*.` means the same), IP addresses, CIDR blocks
//! (`10.0.0.0/8`), each optionally with `:port` (then only that port). Requests
//! marked direct (IMDS) never use a proxy. Loopback hosts get no exemption of
//! their own: list them in `NO_PROXY` (`localhost,127.0.0.1,::1`) to reach them
//! directly while a proxy is set.
//!
//! A proxy is an `http://` URL; one without a scheme (`proxy.corp:3128`) means
//! `http://`, as curl and the SDKs take it. Other schemes (`https://`,
//! `socks5://`...) are not supported: [`ProxySettings::check`] and every
//! request through such a proxy say so, naming the variable.
//!
//! A proxy URL's user name and password are sent to the proxy, and never
//! shown: every message, [`ProxySettings`]'s `Debug` and
//! [`ProxySettings::redact`] show a proxy URL with everything between its
//! `scheme://` and its last `@` replaced by `****`, so that a password holding
//! an unencoded `/`, `?`, `#` or `@` is hidden too.

use std::fmt;
use std::net::IpAddr;

use super::url::HttpUrl;
use crate::env::Env;

/// The proxies the environment configures.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ProxySettings {
    http: Option<Proxy>,
    https: Option<Proxy>,
    no_proxy: Vec<NoProxyRule>,
}

/// One configured proxy: its URL (with `http://` added when it had no
/// scheme) and the variable that set it.
#[derive(Clone, PartialEq, Eq)]
struct Proxy {
    url: String,
    variable: String,
}

impl Proxy {
    /// The URL, parsed; an error naming the variable (the URL shown without
    /// its user info) when it is no `http://` URL.
    fn parse(&self) -> Result<HttpUrl, String> {
        let shown = without_userinfo(&self.url);
        let fail = |why: String| format!("{} `{}`: {why}", self.variable, shown.escape_debug());
        let scheme = split_scheme(&self.url).map_or("", |(scheme, _)| scheme);
        if !scheme.eq_ignore_ascii_case("http") {
            return Err(fail(format!(
                "{}:// proxies are not supported; use an http:// proxy URL",
                scheme.to_ascii_lowercase()
            )));
        }
        // The reason is the shown URL's, which holds no secret; the user info
        // is then the one part left to fail.
        HttpUrl::parse(&shown).map_err(|e| fail(format!("not a proxy URL: {e}")))?;
        HttpUrl::parse(&self.url)
            .ok()
            .filter(|url| url.userinfo() == userinfo(&self.url))
            .ok_or_else(|| {
                fail(
                    "not a proxy URL: its user name or password holds a character to \
                     percent-encode (`/`, `?`, `#`, a space...)"
                        .to_owned(),
                )
            })
    }
}

/// A proxy a request goes through: its URL and the variable that set it.
/// Shown as `proxy HOST:PORT (from VARIABLE)`, never with its user info
/// (nor in `Debug`: [`HttpUrl`]'s hides it).
#[derive(Debug)]
pub(crate) struct ProxyRoute {
    /// The proxy's URL (its user info goes to the proxy).
    pub(crate) url: HttpUrl,
    /// The variable that set it (`HTTPS_PROXY`, `all_proxy`...).
    pub(crate) variable: String,
}

impl fmt::Display for ProxyRoute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "proxy {}:{} (from {})",
            self.url.host_for_connect(),
            self.url.port(),
            self.variable
        )
    }
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
    ///     ("HTTP_PROXY", "proxy.corp:8080"),
    ///     ("NO_PROXY", "localhost,.internal,10.0.0.0/8"),
    /// ]);
    /// let proxies = ProxySettings::from_env(&env);
    /// assert_eq!(proxies.proxy_for("https", "bedrock-runtime.us-east-1.amazonaws.com", 443), Some("http://proxy.corp:3128"));
    /// assert_eq!(proxies.proxy_for("http", "example.com", 80), Some("http://proxy.corp:8080"));
    /// assert_eq!(proxies.proxy_for("https", "api.internal", 443), None);
    /// assert_eq!(proxies.proxy_for("http", "10.1.2.3", 80), None);
    /// assert!(proxies.check().is_ok());
    /// ```
    pub fn from_env(env: &Env) -> ProxySettings {
        let var = |name: &str| {
            let lower = name.to_ascii_lowercase();
            let (variable, value) = match env.non_blank_var(&lower) {
                Some(value) => (lower, value),
                None => (name.to_owned(), env.non_blank_var(name)?),
            };
            Some((variable, value.trim().to_owned()))
        };
        let proxy = |name: &str| {
            var(name).map(|(variable, value)| Proxy {
                url: match split_scheme(&value) {
                    Some(_) => value,
                    None => format!("http://{value}"),
                },
                variable,
            })
        };
        let all = proxy("ALL_PROXY");
        ProxySettings {
            http: proxy("HTTP_PROXY").or_else(|| all.clone()),
            https: proxy("HTTPS_PROXY").or(all),
            no_proxy: var("NO_PROXY")
                .map(|(_, list)| parse_no_proxy(&list))
                .unwrap_or_default(),
        }
    }

    /// Whether any proxy is configured.
    pub fn is_empty(&self) -> bool {
        self.http.is_none() && self.https.is_none()
    }

    /// Whether every configured proxy is an `http://` URL; else a one-line
    /// error naming the variable and the URL (its user info hidden).
    ///
    /// ```
    /// use bedrock_lite::env::Env;
    /// use bedrock_lite::http::ProxySettings;
    /// let env = Env::from_vars([("HTTPS_PROXY", "socks5://proxy.corp:1080")]);
    /// let error = ProxySettings::from_env(&env).check().unwrap_err();
    /// assert!(error.starts_with("HTTPS_PROXY `socks5://proxy.corp:1080`: socks5:// proxies are not supported"));
    /// ```
    pub fn check(&self) -> Result<(), String> {
        for proxy in [&self.http, &self.https].into_iter().flatten() {
            proxy.parse()?;
        }
        Ok(())
    }

    /// The proxy URL for a request to `scheme://host:port`, or `None` to
    /// connect directly.
    pub fn proxy_for(&self, scheme: &str, host: &str, port: u16) -> Option<&str> {
        self.entry_for(scheme, host, port)
            .map(|proxy| proxy.url.as_str())
    }

    /// The proxy for a request to `url`, parsed (`None`: connect directly);
    /// an error naming the variable when it is no `http://` URL.
    pub(crate) fn route(&self, url: &HttpUrl) -> Result<Option<ProxyRoute>, String> {
        self.entry_for(url.scheme(), url.host(), url.port())
            .map(|proxy| {
                Ok(ProxyRoute {
                    url: proxy.parse()?,
                    variable: proxy.variable.clone(),
                })
            })
            .transpose()
    }

    fn entry_for(&self, scheme: &str, host: &str, port: u16) -> Option<&Proxy> {
        let proxy = match scheme {
            "https" => self.https.as_ref()?,
            "http" => self.http.as_ref()?,
            _ => return None,
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let exempt = self.no_proxy.iter().any(|rule| rule.matches(host, port));
        (!exempt).then_some(proxy)
    }

    /// `text` for messages: each proxy URL in it shown as the errors and
    /// `Debug` show it (its user info replaced by `****`), and any other
    /// `user:password@` of a proxy URL too.
    ///
    /// ```
    /// use bedrock_lite::env::Env;
    /// use bedrock_lite::http::ProxySettings;
    /// let env = Env::from_vars([("HTTPS_PROXY", "alice:pa/ss@proxy.corp:3128")]);
    /// let proxies = ProxySettings::from_env(&env);
    /// assert_eq!(
    ///     proxies.redact("no answer from http://alice:pa/ss@proxy.corp:3128"),
    ///     "no answer from http://****@proxy.corp:3128"
    /// );
    /// ```
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for proxy in [&self.http, &self.https].into_iter().flatten() {
            out = out.replace(&proxy.url, &without_userinfo(&proxy.url));
            if let Some(userinfo) = userinfo(&proxy.url).filter(|u| !u.is_empty()) {
                out = out.replace(&format!("{userinfo}@"), "****@");
            }
        }
        out
    }
}

impl fmt::Debug for ProxySettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = |proxy: &Option<Proxy>| proxy.as_ref().map(|p| without_userinfo(&p.url));
        f.debug_struct("ProxySettings")
            .field("http", &shown(&self.http))
            .field("https", &shown(&self.https))
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

/// `text`'s scheme and what follows its `://`, when it starts with one (a
/// letter, then letters, digits, `+`, `-` or `.`: RFC 3986's syntax, so that
/// `user:pa://ss@host` has none).
fn split_scheme(text: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = text.split_once("://")?;
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    valid.then_some((scheme, rest))
}

/// A proxy URL taken apart by position: its `scheme://` (empty without
/// one), its user info (everything up to the text's last `@`, so that a user
/// name or password holding an unencoded `/`, `?`, `#` or `@` is all of it)
/// and the rest.
fn split_userinfo(url: &str) -> (&str, Option<&str>, &str) {
    let after_scheme = split_scheme(url).map_or(url, |(_, rest)| rest);
    let scheme = url.strip_suffix(after_scheme).unwrap_or_default();
    match after_scheme.rsplit_once('@') {
        Some((userinfo, rest)) => (scheme, Some(userinfo), rest),
        None => (scheme, None, after_scheme),
    }
}

/// The user info of a proxy URL (see [`split_userinfo`]), if it has an `@`.
fn userinfo(url: &str) -> Option<&str> {
    split_userinfo(url).1
}

/// A proxy URL as every message shows it: its user info (see
/// [`split_userinfo`]) replaced by `****`.
fn without_userinfo(url: &str) -> String {
    match split_userinfo(url) {
        (scheme, Some(userinfo), rest) if !userinfo.is_empty() => format!("{scheme}****@{rest}"),
        _ => url.to_owned(),
    }
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
        // `fd00::/8`, `[fd00::/8]` or `[fd00::]/8`.
        let address: IpAddr = address.trim_end_matches(']').parse().ok()?;
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

/// `host:port` split; IPv6 addresses keep their colons (`[::1]:8080`, `::1`),
/// and a bracketed block its prefix (`[fd00::]/8`, no port).
fn split_port(entry: &str) -> (&str, Option<u16>) {
    if let Some(rest) = entry.strip_prefix('[') {
        if let Some((host, after)) = rest.split_once(']') {
            if after.starts_with('/') {
                return (entry, None);
            }
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
        assert!(!direct("fe00::1", 443));
        assert!(!direct("bedrock-runtime.us-east-1.amazonaws.com", 443));
        let all = settings(&[("HTTPS_PROXY", "http://p:1"), ("no_proxy", "*")]);
        assert_eq!(all.proxy_for("https", "anything", 443), None);
    }

    #[test]
    fn a_bracketed_ipv6_block_keeps_its_prefix_and_a_bracketed_address_its_port() {
        let proxies = settings(&[
            ("HTTPS_PROXY", "http://p:1"),
            ("NO_PROXY", "[fd00::]/8,[2001:db8::7]:8443"),
        ]);
        let direct = |host: &str, port| proxies.proxy_for("https", host, port).is_none();
        assert_eq!(
            parse_rule("[fd00::]/8"),
            parse_rule("fd00::/8"),
            "the same block"
        );
        assert!(direct("fd00::", 443));
        assert!(direct("fd12:3456::1", 443));
        assert!(direct("[fdff::1]", 80));
        assert!(!direct("fe00::1", 443));
        assert!(!direct("fc00::1", 443));
        assert_eq!(
            parse_rule("[2001:db8::7]:8443"),
            Some(NoProxyRule::Network {
                address: "2001:db8::7".parse().unwrap(),
                prefix: 128,
                port: Some(8443),
            })
        );
        assert!(direct("2001:db8::7", 8443));
        assert!(!direct("2001:db8::7", 443));
        assert!(!direct("2001:db8::8", 8443));
    }

    /// Every text a proxy URL in `variable` can reach: `check`'s and a
    /// request's error, the proxy a request goes through, `Debug`, `redact`.
    fn everything_shown(variable: &str, value: &str) -> Vec<String> {
        let proxies = settings(&[(variable, value)]);
        let target = HttpUrl::parse("https://bedrock.example/").unwrap();
        let route = proxies.route(&target);
        vec![
            proxies.check().err().unwrap_or_default(),
            match route {
                Ok(Some(route)) => route.to_string(),
                Ok(None) => String::new(),
                Err(error) => error,
            },
            format!("{proxies:?}"),
            proxies.redact(&format!("cannot reach {value}")),
        ]
    }

    #[test]
    fn a_password_with_reserved_characters_is_hidden_too() {
        for (value, shown, accepted) in [
            (
                "http://alice:pa/ss@proxy:3128",
                "http://****@proxy:3128",
                false,
            ),
            (
                "http://alice:pa#ss@proxy:3128",
                "http://****@proxy:3128",
                false,
            ),
            (
                "http://alice:pa?ss@proxy:3128",
                "http://****@proxy:3128",
                false,
            ),
            (
                "http://alice:p@ss@proxy:3128",
                "http://****@proxy:3128",
                true,
            ),
            ("alice:pa/ss@proxy:3128", "http://****@proxy:3128", false),
            ("alice:pa#ss@proxy:3128", "http://****@proxy:3128", false),
            ("alice:pa?ss@proxy:3128", "http://****@proxy:3128", false),
            ("alice:p@ss@proxy:3128", "http://****@proxy:3128", true),
            ("alice:pa://ss@proxy:3128", "http://****@proxy:3128", false),
            ("alice:pa ss@proxy:3128", "http://****@proxy:3128", false),
            // A password that happens to be a port, then a path.
            (
                "http://alice:3128/ss@proxy:3128",
                "http://****@proxy:3128",
                false,
            ),
        ] {
            let outputs = everything_shown("HTTPS_PROXY", value);
            for output in &outputs {
                for secret in [
                    "pa/ss", "pa#ss", "pa?ss", "p@ss", "pa://ss", "pa ss", "3128/ss",
                ] {
                    assert!(!output.contains(secret), "{value}: {output}");
                }
            }
            let [error, route, debug, redacted] = &outputs[..] else {
                unreachable!()
            };
            assert!(debug.contains(&format!("Some(\"{shown}\")")), "{debug}");
            let redacted_value = match value.starts_with("http://") {
                true => shown,
                false => "****@proxy:3128",
            };
            assert_eq!(redacted, &format!("cannot reach {redacted_value}"));
            match accepted {
                true => {
                    assert_eq!(error, "", "{value}");
                    assert_eq!(route, "proxy proxy:3128 (from HTTPS_PROXY)");
                }
                false => {
                    assert!(
                        error.starts_with(&format!("HTTPS_PROXY `{shown}`: not a proxy URL: ")),
                        "{value}: {error}"
                    );
                    assert!(error.contains("percent-encode"), "{value}: {error}");
                    assert_eq!(route, error);
                }
            }
        }
    }

    #[test]
    fn a_user_name_inside_the_scheme_is_hidden_where_it_stands() {
        let [_, _, debug, redacted] = &everything_shown("HTTP_PROXY", "http://p@proxy")[..] else {
            unreachable!()
        };
        assert!(debug.contains("Some(\"http://****@proxy\")"), "{debug}");
        assert_eq!(redacted, "cannot reach http://****@proxy");
        let error = settings(&[("HTTPS_PROXY", "socks5://s@proxy")])
            .check()
            .unwrap_err();
        assert!(
            error.starts_with("HTTPS_PROXY `socks5://****@proxy`: socks5:// proxies"),
            "{error}"
        );
        let error = settings(&[("HTTP_PROXY", "http://p@proxy:port")])
            .check()
            .unwrap_err();
        assert!(
            error.starts_with("HTTP_PROXY `http://****@proxy:port`: not a proxy URL: "),
            "{error}"
        );
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

    #[test]
    fn a_proxy_without_a_scheme_is_http() {
        let proxies = settings(&[("HTTPS_PROXY", "proxy.corp:3128"), ("http_proxy", " p2 ")]);
        assert_eq!(
            proxies.proxy_for("https", "a.com", 443),
            Some("http://proxy.corp:3128")
        );
        assert_eq!(proxies.proxy_for("http", "a.com", 80), Some("http://p2"));
        assert_eq!(proxies.check(), Ok(()));
        let url = HttpUrl::parse("https://a.com/x").unwrap();
        let route = proxies.route(&url).unwrap().unwrap();
        assert_eq!((route.url.host(), route.url.port()), ("proxy.corp", 3128));
        assert!(!route.url.is_https());
        assert_eq!(
            route.to_string(),
            "proxy proxy.corp:3128 (from HTTPS_PROXY)"
        );
    }

    #[test]
    fn other_proxy_schemes_are_refused_naming_the_variable() {
        for (variable, value, scheme) in [
            ("HTTPS_PROXY", "socks5://proxy.corp:1080", "socks5"),
            ("https_proxy", "SOCKS5H://proxy.corp:1080", "socks5h"),
            ("ALL_PROXY", "socks4://proxy.corp:1080", "socks4"),
            ("HTTP_PROXY", "https://proxy.corp:443", "https"),
        ] {
            let proxies = settings(&[(variable, value)]);
            let error = proxies.check().unwrap_err();
            assert!(
                error.starts_with(&format!(
                    "{variable} `{value}`: {scheme}:// proxies are not supported"
                )),
                "{error}"
            );
            assert_eq!(error.lines().count(), 1, "{error}");
            // A request through it fails the same way.
            let target = match variable {
                "HTTP_PROXY" => "http://a.com/",
                _ => "https://a.com/",
            };
            let url = HttpUrl::parse(target).unwrap();
            assert_eq!(proxies.route(&url).unwrap_err(), error);
        }
        // No password in the message.
        let proxies = settings(&[("HTTPS_PROXY", "socks5://alice:s3cr3t@proxy.corp:1080")]);
        let error = proxies.check().unwrap_err();
        assert!(!error.contains("s3cr3t"), "{error}");
        assert!(error.contains("socks5://****@proxy.corp:1080"), "{error}");
        // An http URL that does not parse names its variable too.
        let error = settings(&[("HTTP_PROXY", "http://proxy corp")])
            .check()
            .unwrap_err();
        assert!(
            error.starts_with("HTTP_PROXY `http://proxy corp`: not a proxy URL"),
            "{error}"
        );
    }

    /// A password of 3 to 16 characters, any of them, often one a URL
    /// reserves.
    fn password() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let reserved = proptest::sample::select(vec!['/', '?', '#', '@', ':', '%', '[', ']', ' ']);
        proptest::collection::vec(prop_oneof![reserved, any::<char>()], 3..16)
            .prop_map(String::from_iter)
    }

    proptest::proptest! {
        #[test]
        fn a_proxy_password_is_never_shown(
            password in password(),
            user in "[a-z]{1,8}",
            scheme in proptest::sample::select(vec!["http://", "HTTP://", "socks5://", ""]),
        ) {
            let value = |password: &str| format!("{scheme}{user}:{password}@proxy.corp:3128");
            // What the outputs hold whatever the password (fixed texts, the
            // host): a password found there is no leak.
            let fixed = [everything_shown("HTTPS_PROXY", &value("x")), everything_shown("HTTPS_PROXY", &value("/"))].concat();
            proptest::prop_assume!(!fixed.iter().any(|output| output.contains(&password)));
            for output in everything_shown("HTTPS_PROXY", &value(&password)) {
                proptest::prop_assert!(!output.contains(&password), "{output}");
            }
        }

        #[test]
        fn no_list_panics(list in "\\PC{0,80}", host in "[a-z0-9.:\\[\\]]{0,30}", port in proptest::num::u16::ANY) {
            let proxies = settings(&[("HTTPS_PROXY", "http://p:1"), ("NO_PROXY", &list)]);
            let _ = proxies.proxy_for("https", &host, port);
        }
    }
}
