//! Container credentials: the ECS task role endpoint and EKS Pod Identity.
//!
//! `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` is appended to `http://169.254.170.2`;
//! otherwise `AWS_CONTAINER_CREDENTIALS_FULL_URI` is used as it is, if it is `https`
//! or its host is allowed: loopback, `169.254.170.2` (ECS), `169.254.170.23` or
//! `fd00:ec2::23` (EKS Pod Identity); a hostname must resolve to allowed addresses
//! only. The `Authorization` header is the contents of
//! `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (read on every call, as the token
//! rotates), else `AWS_CONTAINER_AUTHORIZATION_TOKEN`, sent as is.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;
use std::time::Duration;

use super::json_credentials::{self, JsonCredentialsError};
use super::{Credentials, CredentialsError};
use crate::env::Env;
use bytes::Bytes;

use crate::http::{
    fetch_with_retries, one_line, url_for_messages, Attempt, BoxFuture, HttpClient, HttpRequest,
    HttpUrl,
};

/// The name this source goes by in errors.
const SOURCE: &str = "container";
/// The ECS agent's address, the base of a relative URI.
const ECS_BASE: &str = "http://169.254.170.2";
const RELATIVE_URI: &str = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
const FULL_URI: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
const TOKEN_FILE: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
const TOKEN: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
/// The longest a DNS lookup of the full URI's host may take.
const DNS_TIMEOUT: Duration = Duration::from_secs(2);

/// Resolves a hostname to its addresses, to check a full URI's host.
pub trait Dns: Send + Sync {
    /// All the addresses `host` resolves to.
    fn lookup<'a>(&'a self, host: &'a str) -> BoxFuture<'a, io::Result<Vec<IpAddr>>>;
}

/// The system resolver (through tokio).
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemDns;

impl Dns for SystemDns {
    fn lookup<'a>(&'a self, host: &'a str) -> BoxFuture<'a, io::Result<Vec<IpAddr>>> {
        Box::pin(async move {
            let addresses = tokio::net::lookup_host((host, 0)).await?;
            Ok(addresses.map(|address| address.ip()).collect())
        })
    }
}

/// Loads credentials from the container endpoint: [`CredentialsError::NotLoaded`]
/// when neither URI variable is set.
pub async fn load(http: &dyn HttpClient, env: &Env) -> Result<Credentials, CredentialsError> {
    let url = endpoint_url(env, &SystemDns).await?;
    let mut headers = vec![("accept".to_owned(), "application/json".to_owned())];
    if let Some(token) = authorization(env)? {
        headers.push(("authorization".to_owned(), token));
    }
    let request = HttpRequest {
        method: "GET".to_owned(),
        uri: url,
        headers,
        body: Bytes::new(),
        connect_timeout: Duration::from_secs(2),
        response_timeout: Duration::from_secs(5),
        direct: false,
    };
    let shown = url_for_messages(&request.uri);
    let fail = |detail: String| CredentialsError::ProviderError {
        source: SOURCE,
        message: format!("GET {shown} failed: {detail}"),
    };
    fetch_with_retries(http, &request, |outcome| {
        let response = match outcome {
            Ok(response) => response,
            Err(e) => return Attempt::Retry(Err(fail(e.to_string()))),
        };
        let status = response.status;
        let success = (200..300).contains(&status);
        let detail = match json_credentials::parse(&response.body) {
            Ok(creds) if success => return Attempt::Done(Ok(creds)),
            // An unparseable success is retried, as the SDK does.
            Err(JsonCredentialsError::Invalid(why)) if success => {
                return Attempt::Retry(Err(fail(why)))
            }
            Err(JsonCredentialsError::Refused {
                code,
                message: Some(message),
            }) => {
                format!(
                    "{}: {} (HTTP {status})",
                    one_line(&code),
                    one_line(&message)
                )
            }
            Err(JsonCredentialsError::Refused {
                code,
                message: None,
            }) => {
                format!("{} (HTTP {status})", one_line(&code))
            }
            _ => format!("HTTP {status}"),
        };
        match status >= 500 || status == 429 {
            true => Attempt::Retry(Err(fail(detail))),
            false => Attempt::Done(Err(fail(detail))),
        }
    })
    .await
}

/// The credentials URL the environment configures, checked as described in the module
/// documentation; `dns` resolves a full URI's hostname.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use bedrock_lite::credentials::{container};
/// use bedrock_lite::env::Env;
/// let env = Env::from_vars([("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/creds?a=1")]);
/// let url = container::endpoint_url(&env, &container::SystemDns).await.unwrap();
/// assert_eq!(url, "http://169.254.170.2/creds?a=1");
/// # });
/// ```
pub async fn endpoint_url(env: &Env, dns: &dyn Dns) -> Result<String, CredentialsError> {
    if let Some(relative) = env.non_blank_var(RELATIVE_URI) {
        let separator = if relative.starts_with('/') { "" } else { "/" };
        let url = format!("{ECS_BASE}{separator}{relative}");
        HttpUrl::parse(&url).map_err(|e| invalid(RELATIVE_URI, relative, &e.to_string()))?;
        return Ok(url);
    }
    let Some(full) = env.non_blank_var(FULL_URI) else {
        return Err(CredentialsError::NotLoaded {
            source: SOURCE,
            reason: format!("neither {RELATIVE_URI} nor {FULL_URI} is set"),
        });
    };
    let url = HttpUrl::parse(full).map_err(|e| invalid(FULL_URI, full, &e.to_string()))?;
    if url.is_https() {
        return Ok(full.to_owned());
    }
    let host = url.host();
    let allowed = match host.parse() {
        Ok(ip) => is_allowed(ip),
        Err(_) => {
            let addresses = tokio::time::timeout(DNS_TIMEOUT, dns.lookup(host))
                .await
                .unwrap_or_else(|_| Err(io::Error::new(io::ErrorKind::TimedOut, "timed out")))
                .map_err(|e| invalid(FULL_URI, full, &format!("cannot resolve `{host}`: {e}")))?;
            !addresses.is_empty() && addresses.into_iter().all(is_allowed)
        }
    };
    match allowed {
        true => Ok(full.to_owned()),
        false => Err(invalid(
            FULL_URI,
            full,
            "an http URL must point at a loopback address, the ECS agent (169.254.170.2) \
             or EKS Pod Identity (169.254.170.23, fd00:ec2::23); use https otherwise",
        )),
    }
}

/// Whether plain HTTP may be used to reach `ip`.
fn is_allowed(ip: IpAddr) -> bool {
    const ECS: Ipv4Addr = Ipv4Addr::new(169, 254, 170, 2);
    const EKS_V4: Ipv4Addr = Ipv4Addr::new(169, 254, 170, 23);
    const EKS_V6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x23);
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    };
    ip.is_loopback()
        || ip == IpAddr::V4(ECS)
        || ip == IpAddr::V4(EKS_V4)
        || ip == IpAddr::V6(EKS_V6)
}

/// An invalid-configuration error naming the variable and its value.
fn invalid(variable: &str, value: &str, why: &str) -> CredentialsError {
    CredentialsError::InvalidConfig {
        source: SOURCE,
        message: format!("{variable} `{value}` cannot be used: {why}"),
    }
}

/// The `Authorization` header value: the token file's contents, else the token
/// variable; `None` if neither is set. The value itself never goes into an error.
fn authorization(env: &Env) -> Result<Option<String>, CredentialsError> {
    let (token, origin) = if let Some(file) = env.non_blank_var(TOKEN_FILE) {
        let text =
            env.read_to_string(Path::new(file))
                .map_err(|e| CredentialsError::InvalidConfig {
                    source: SOURCE,
                    message: format!("cannot read {TOKEN_FILE} `{file}`: {e}"),
                })?;
        (text, format!("{TOKEN_FILE} `{file}`"))
    } else if let Some(token) = env.non_blank_var(TOKEN) {
        (token.to_owned(), TOKEN.to_owned())
    } else {
        return Ok(None);
    };
    let token = token.trim();
    let header_safe = token
        .bytes()
        .all(|b| b == b'\t' || (0x20..0x7f).contains(&b));
    if token.is_empty() || !header_safe {
        return Err(CredentialsError::InvalidConfig {
            source: SOURCE,
            message: format!(
                "the authorization token from {origin} is empty or has characters an HTTP header cannot carry"
            ),
        });
    }
    Ok(Some(token.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_hosts() {
        for ip in [
            "127.0.0.1",
            "127.1.2.3",
            "::1",
            "169.254.170.2",
            "169.254.170.23",
            "fd00:ec2::23",
            "::ffff:127.0.0.1",
        ] {
            assert!(
                is_allowed(ip.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))),
                "{ip}"
            );
        }
        for ip in [
            "169.254.169.254",
            "192.168.1.1",
            "10.0.0.1",
            "fd00:ec2::254",
            "0.0.0.0",
        ] {
            assert!(
                !is_allowed(ip.parse().unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))),
                "{ip}"
            );
        }
    }

    #[test]
    fn the_token_file_wins_and_bad_tokens_are_rejected_without_echo() {
        let env = Env::from_vars([(TOKEN, "Basic abc")]);
        assert_eq!(authorization(&env), Ok(Some("Basic abc".to_owned())));
        let env = Env::from_vars([(TOKEN, "line1\nSECRETLINE2")]);
        let message = authorization(&env).unwrap_err().to_string();
        assert!(!message.contains("SECRETLINE2"), "{message}");
        let env = Env::from_vars([(TOKEN_FILE, "/definitely/not/here"), (TOKEN, "t")]);
        assert!(authorization(&env)
            .unwrap_err()
            .to_string()
            .contains("/definitely/not/here"));
        assert_eq!(authorization(&Env::from_vars([("X", "y")])), Ok(None));
    }
}
