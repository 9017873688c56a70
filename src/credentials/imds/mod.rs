//! EC2 instance metadata (IMDSv2) credentials, as the AWS SDK for Rust gets them.
//!
//! 1. `PUT /latest/api/token` with `x-aws-ec2-metadata-token-ttl-seconds: 21600`; the
//!    token is reused until 120 s before it expires. No reachable IMDS (a laptop) means
//!    "not loaded"; a 403 means IMDS is disabled for this instance: an error.
//! 2. `GET /latest/meta-data/iam/security-credentials/` gives the role name; a 404
//!    means no role is attached: "not loaded".
//! 3. `GET /latest/meta-data/iam/security-credentials/<role>` gives the credentials
//!    document (see `json_credentials.rs`).
//!
//! Each request may take 1 s to connect and 1 s to answer; 5xx and 401 (an expired
//! token: a new one is fetched) are retried, up to 4 attempts. There is no IMDSv1
//! fallback. For static stability, credentials that come back already expired are used
//! for another 10–15 minutes, and when a refresh fails the last credentials retrieved
//! are returned instead of the error; both print a warning on stderr.

mod endpoint;

pub use endpoint::{resolve_endpoint, EndpointConfig};

use std::time::{Duration, SystemTime};

use super::json_credentials::{self, JsonCredentialsError};
use super::{Credentials, CredentialsError, Secret};
use crate::env::Env;
use bytes::Bytes;

use crate::http::{
    fetch, one_line, random_up_to, Attempt, BufferedResponse, HttpClient, HttpRequest, RetryPolicy,
};

/// The name this source goes by in errors.
const SOURCE: &str = "imds";
/// Token lifetime asked for, in seconds (6 hours).
const TOKEN_TTL_SECONDS: u64 = 21_600;
/// A token is replaced this long before it expires.
const TOKEN_REFRESH_BUFFER: Duration = Duration::from_secs(120);
/// Connect and read timeouts of every IMDS request.
const TIMEOUT: Duration = Duration::from_secs(1);
/// Attempts per request (retries on 5xx and 401).
const RETRY: RetryPolicy = RetryPolicy {
    max_attempts: 4,
    ..RetryPolicy::CREDENTIALS
};
/// Expired credentials are used for this long, plus up to [`EXTENSION_JITTER`].
const EXTENSION: Duration = Duration::from_secs(600);
/// Random extra extension, so that many instances do not all retry at once.
const EXTENSION_JITTER: Duration = Duration::from_secs(300);
const ROLE_PATH: &str = "/latest/meta-data/iam/security-credentials/";

/// The IMDS credentials source. Keep one per chain: it caches the session token and
/// the last credentials retrieved.
#[derive(Debug, Default)]
pub struct ImdsProvider {
    endpoint: EndpointConfig,
    token: tokio::sync::Mutex<Option<Token>>,
    last_retrieved: std::sync::Mutex<Option<Credentials>>,
}

/// A session token and when it stops working.
#[derive(Clone, Debug)]
struct Token {
    value: Secret,
    endpoint: String,
    expires_at: SystemTime,
}

impl ImdsProvider {
    /// A provider configured by the profile's `ec2_metadata_service_endpoint` and
    /// `ec2_metadata_service_endpoint_mode` (the environment variables win over them).
    pub fn new(profile_endpoint: Option<String>, profile_endpoint_mode: Option<String>) -> Self {
        ImdsProvider {
            endpoint: EndpointConfig {
                profile_endpoint,
                profile_endpoint_mode,
                ..EndpointConfig::default()
            },
            ..ImdsProvider::default()
        }
    }

    /// Uses this endpoint, whatever the environment and profile say.
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint.endpoint = Some(endpoint.into());
        self
    }

    /// Uses this endpoint mode (`IPv4` / `IPv6`) unless an endpoint is configured.
    pub fn with_endpoint_mode(mut self, mode: impl Into<String>) -> Self {
        self.endpoint.endpoint_mode = Some(mode.into());
        self
    }

    /// The instance role's credentials. [`CredentialsError::NotLoaded`] when
    /// `AWS_EC2_METADATA_DISABLED` is `true`, when no IMDS answers, or when no role is
    /// attached.
    pub async fn credentials(
        &self,
        http: &dyn HttpClient,
        env: &Env,
    ) -> Result<Credentials, CredentialsError> {
        if env
            .non_blank_var("AWS_EC2_METADATA_DISABLED")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        {
            return Err(CredentialsError::NotLoaded {
                source: SOURCE,
                reason: "AWS_EC2_METADATA_DISABLED is true".to_owned(),
            });
        }
        let base = resolve_endpoint(env, &self.endpoint)?;
        let result = self.retrieve(http, env, &base).await;
        let mut last = self
            .last_retrieved
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match result {
            Ok(creds) => {
                *last = Some(creds.clone());
                Ok(extend_if_expired(creds, env.now()))
            }
            Err(error) => match last.clone() {
                Some(previous) => {
                    eprintln!(
                        "warning: {error}; using the credentials IMDS gave last time instead"
                    );
                    Ok(extend_if_expired(previous, env.now()))
                }
                None => Err(error),
            },
        }
    }

    /// The three steps: token, role name, credentials.
    async fn retrieve(
        &self,
        http: &dyn HttpClient,
        env: &Env,
        base: &str,
    ) -> Result<Credentials, CredentialsError> {
        let role_url = format!("{base}{ROLE_PATH}");
        let response = self.get(http, env, base, &role_url).await?;
        if response.status == 404 {
            return Err(CredentialsError::NotLoaded {
                source: SOURCE,
                reason: format!(
                    "no IAM role is attached to this instance (HTTP 404 from {role_url})"
                ),
            });
        }
        let role = String::from_utf8_lossy(&expect_success(&response, &role_url)?.body)
            .trim()
            .to_owned();
        let valid_role = !role.is_empty()
            && role.len() <= 128
            && role
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
        if !valid_role {
            return Err(error(format!(
                "{role_url} did not answer with a valid IAM role name"
            )));
        }
        let creds_url = format!("{role_url}{role}");
        let response = self.get(http, env, base, &creds_url).await?;
        json_credentials::parse(&expect_success(&response, &creds_url)?.body).map_err(|e| match e {
            JsonCredentialsError::Refused { code, message } => {
                let message = message
                    .map(|m| format!(": {}", one_line(&m)))
                    .unwrap_or_default();
                let detail = format!("{creds_url} refused: {}{message}", one_line(&code));
                match code == "AssumeRoleUnauthorizedAccess" {
                    true => CredentialsError::InvalidConfig {
                        source: SOURCE,
                        message: format!(
                            "{detail} (does the role `{role}` have a trust relationship with EC2?)"
                        ),
                    },
                    false => error(detail),
                }
            }
            JsonCredentialsError::Invalid(why) => error(format!("{creds_url}: {why}")),
        })
    }

    /// A `GET` with the session token, retried on 5xx and on 401 (with a new token).
    async fn get(
        &self,
        http: &dyn HttpClient,
        env: &Env,
        base: &str,
        url: &str,
    ) -> Result<BufferedResponse, CredentialsError> {
        RETRY
            .run(|_| async move {
                let token = match self.token(http, env, base).await {
                    Ok(token) => token,
                    Err(error) => return Attempt::Done(Err(error)),
                };
                let request = HttpRequest {
                    method: "GET".to_owned(),
                    uri: url.to_owned(),
                    headers: vec![(
                        "x-aws-ec2-metadata-token".to_owned(),
                        token.expose().to_owned(),
                    )],
                    body: Bytes::new(),
                    connect_timeout: TIMEOUT,
                    response_timeout: TIMEOUT,
                    direct: true,
                };
                let response = match fetch(http, request).await {
                    Ok(response) => response,
                    Err(e) => return Attempt::Done(Err(error(format!("GET {url}: {e}")))),
                };
                if response.status == 401 {
                    // The token expired or was revoked: the next attempt fetches a new one.
                    *self.token.lock().await = None;
                }
                match response.status == 401 || response.status >= 500 {
                    true => Attempt::Retry(Ok(response)),
                    false => Attempt::Done(Ok(response)),
                }
            })
            .await
    }

    /// The cached session token, or a new one if it is missing or about to expire.
    async fn token(
        &self,
        http: &dyn HttpClient,
        env: &Env,
        base: &str,
    ) -> Result<Secret, CredentialsError> {
        let mut cached = self.token.lock().await;
        let now = env.now();
        if let Some(token) = cached.as_ref() {
            if token.endpoint == base && now + TOKEN_REFRESH_BUFFER < token.expires_at {
                return Ok(token.value.clone());
            }
        }
        let token = fetch_token(http, base, now).await?;
        let value = token.value.clone();
        *cached = Some(token);
        Ok(value)
    }
}

/// `PUT /latest/api/token`, retried on 5xx. Getting no answer at all means there is no
/// IMDS here: "not loaded".
async fn fetch_token(
    http: &dyn HttpClient,
    base: &str,
    now: SystemTime,
) -> Result<Token, CredentialsError> {
    let url = format!("{base}/latest/api/token");
    let request = HttpRequest {
        method: "PUT".to_owned(),
        uri: url.clone(),
        headers: vec![(
            "x-aws-ec2-metadata-token-ttl-seconds".to_owned(),
            TOKEN_TTL_SECONDS.to_string(),
        )],
        body: Bytes::new(),
        connect_timeout: TIMEOUT,
        response_timeout: TIMEOUT,
        direct: true,
    };
    let (request, shown) = (&request, url.as_str());
    let response = RETRY
        .run(|_| async move {
            match fetch(http, request.clone()).await {
                Err(e) => Attempt::Done(Err(CredentialsError::NotLoaded {
                    source: SOURCE,
                    reason: format!("no instance metadata service answered at {shown} ({e})"),
                })),
                Ok(response) if response.status >= 500 => Attempt::Retry(Ok(response)),
                Ok(response) => Attempt::Done(Ok(response)),
            }
        })
        .await?;
    match response.status {
        200..=299 => {}
        400 => return Err(error(format!("PUT {url}: the token request was refused as invalid (HTTP 400)"))),
        403 => {
            return Err(error(format!(
                "PUT {url}: request forbidden: IMDS is disabled or this instance's metadata options forbid it (HTTP 403)"
            )))
        }
        status => return Err(error(format!("PUT {url}: HTTP {status}"))),
    }
    let ttl = response
        .header("x-aws-ec2-metadata-token-ttl-seconds")
        .and_then(|ttl| ttl.trim().parse::<u64>().ok())
        .ok_or_else(|| {
            error(format!(
                "PUT {url}: the answer has no valid x-aws-ec2-metadata-token-ttl-seconds header"
            ))
        })?;
    let value = String::from_utf8_lossy(&response.body).trim().to_owned();
    if value.is_empty() || !value.bytes().all(|b| (0x21..0x7f).contains(&b)) {
        return Err(error(format!("PUT {url}: the answer is not a valid token")));
    }
    Ok(Token {
        value: Secret::new(value),
        endpoint: base.to_owned(),
        expires_at: now.checked_add(Duration::from_secs(ttl)).unwrap_or(now),
    })
}

/// `response` if its status is 2xx, else an error naming the URL and status.
fn expect_success<'a>(
    response: &'a BufferedResponse,
    url: &str,
) -> Result<&'a BufferedResponse, CredentialsError> {
    match response.status {
        200..=299 => Ok(response),
        status => Err(error(format!("GET {url}: HTTP {status}"))),
    }
}

/// Credentials that expired already get another 10–15 minutes (the SDK's static
/// stability: an IMDS outage must not stop an instance that has credentials).
fn extend_if_expired(mut creds: Credentials, now: SystemTime) -> Credentials {
    if creds.expiry.is_some_and(|expiry| now >= expiry) {
        let extension = EXTENSION + random_up_to(EXTENSION_JITTER);
        eprintln!(
            "warning: imds: the credentials IMDS returned have expired; attempting credential \
             expiration extension due to a credential service availability issue: using them \
             for another {} s",
            extension.as_secs()
        );
        creds.expiry = now.checked_add(extension);
    }
    creds
}

/// A provider error of this source.
fn error(message: String) -> CredentialsError {
    CredentialsError::ProviderError {
        source: SOURCE,
        message,
    }
}

#[cfg(test)]
mod tests;
