//! The signed send: the only part of the Bedrock path that touches the network.
//!
//! [`Transport`] owns one pooled reqwest client (rustls on `ring`), the SigV4
//! [`Signer`] with its signing-key cache, the credentials (explicit, or the
//! default chain behind a [`CredentialsCache`]: resolved lazily, once, shared by
//! concurrent callers) and the clock-skew offset. [`Transport::send`] signs a
//! JSON `POST` or a `GET` (or sets `Authorization: Bearer` for a bearer token), sends it,
//! retries, corrects the clock and types the service's errors.
//!
//! **Retries** follow the AWS SDKs' *standard* mode: at most `max_attempts`
//! attempts (default 3); before retry *n* (1-based) a random wait in
//! `[0, min(initial_backoff × 2^(n-1), 20 s)]` ("full jitter"; `initial_backoff`
//! is 1 s by default, as in the Rust SDK). Retried: throttling (a throttling
//! code or HTTP 429), HTTP 500/502/503/504 and the transient codes
//! (`ModelNotReadyException`, `InternalServerException`...), connection and read
//! failures and timeouts. Nothing is retried once a successful response has been
//! handed over: errors in a stream's body go to the caller. (The standard mode's
//! retry quota, a per-client token bucket, is not implemented.)
//!
//! **Clock skew**: a 403 that says the signature expired or the request time is
//! too skewed (`RequestTimeTooSkewed`, `RequestExpired`, `InvalidSignatureException`
//! with "expired") is answered by taking the offset between the response's `Date`
//! header and the local clock, re-signing once with the corrected time (this
//! does not count as an attempt), and keeping the offset for later requests.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use sha2::{Digest, Sha256};

use crate::bedrock::error::{BedrockError, ErrorResponse};
use crate::credentials::cache::CredentialsCache;
use crate::credentials::chain::DefaultChain;
use crate::credentials::Auth;
use crate::endpoint::SIGNING_NAME;
use crate::env::Env;
use crate::http::{
    backoff, build_reqwest_client, error_from_reqwest, url_for_messages, ReqwestClient,
};
use crate::sigv4::{Payload, SignableRequest, Signer, SigningIdentity, SigningScope};

/// The longest wait between two attempts (the standard mode's cap).
pub const MAX_BACKOFF: Duration = Duration::from_secs(20);

/// The largest error body read (the rest is ignored).
const MAX_ERROR_BODY: usize = 64 * 1024;

/// How a [`Transport`] is set up.
#[derive(Debug, Clone)]
pub struct TransportConfig {
    /// Where the clock comes from (and, for the default chain, variables and files).
    pub env: Env,
    /// The profile for the default chain (`--profile`).
    pub profile: Option<String>,
    /// The region the default chain uses for STS calls.
    pub region: Option<String>,
    /// Explicit credentials or bearer token; `None`: the default chain, cached.
    pub auth: Option<Auth>,
    /// Time allowed to connect.
    pub connect_timeout: Duration,
    /// Time allowed for the response headers, and for an error body's chunks.
    pub read_timeout: Duration,
    /// Attempts per request (at least 1).
    pub max_attempts: u32,
    /// The backoff before the first retry, at most (doubling after).
    pub initial_backoff: Duration,
}

/// The signed, retrying sender; see the module docs. Share it (it is `Sync`).
pub struct Transport {
    http: reqwest::Client,
    signer: Signer,
    credentials: CredentialSource,
    env: Env,
    /// Service time minus local time, in milliseconds.
    skew_ms: AtomicI64,
    read_timeout: Duration,
    max_attempts: u32,
    initial_backoff: Duration,
}

/// Where a transport's credentials come from.
enum CredentialSource {
    Explicit(Auth),
    Chain(Arc<CredentialsCache>),
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("skew_ms", &self.skew_ms.load(Ordering::Relaxed))
            .field("max_attempts", &self.max_attempts)
            .finish_non_exhaustive()
    }
}

/// One request to send: a JSON `POST` or a `GET` (with an empty body).
#[derive(Debug, Clone, Copy)]
pub struct ServiceRequest<'a> {
    /// `POST` (JSON body) or `GET`.
    pub method: Method,
    /// The absolute URL, its path percent-encoded once as it travels.
    pub url: &'a str,
    /// The SigV4 signing region.
    pub region: &'a str,
    /// The `accept` header.
    pub accept: &'a str,
    /// The JSON body (empty for `GET`).
    pub body: &'a Bytes,
}

/// The HTTP methods Bedrock's APIs use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Runtime calls (Converse, InvokeModel...).
    Post,
    /// Control-plane reads (ListFoundationModels...).
    Get,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Post => "POST",
            Method::Get => "GET",
        }
    }
}

/// What one attempt came to, when it failed.
struct Failure {
    error: BedrockError,
    /// For a clock-skew error with a `Date` header: the service's offset (ms).
    skew_ms: Option<i64>,
}

impl From<BedrockError> for Failure {
    fn from(error: BedrockError) -> Self {
        Failure {
            error,
            skew_ms: None,
        }
    }
}

impl Transport {
    /// A transport with no connection and no credentials yet (both on first use).
    pub fn new(config: TransportConfig) -> Result<Transport, BedrockError> {
        let http = build_reqwest_client(config.connect_timeout, None)
            .map_err(|e| BedrockError::Config(e.to_string()))?;
        let credentials = match config.auth {
            Some(auth) => CredentialSource::Explicit(auth),
            None => {
                let chain = DefaultChain::new(
                    config.env.clone(),
                    Arc::new(ReqwestClient::new()),
                    config.profile,
                )
                .with_region(config.region);
                let env = config.env.clone();
                let cache = CredentialsCache::new(chain).with_clock(Arc::new(move || env.now()));
                CredentialSource::Chain(Arc::new(cache))
            }
        };
        Ok(Transport {
            http,
            signer: Signer::default(),
            credentials,
            env: config.env,
            skew_ms: AtomicI64::new(0),
            read_timeout: config.read_timeout,
            max_attempts: config.max_attempts.max(1),
            initial_backoff: config.initial_backoff,
        })
    }

    /// The clock-skew offset in use: service time minus local time.
    pub fn clock_skew_ms(&self) -> i64 {
        self.skew_ms.load(Ordering::Relaxed)
    }

    /// The signing time: the clock plus the skew offset.
    fn now(&self) -> SystemTime {
        apply_offset(self.env.now(), self.clock_skew_ms())
    }

    /// Sends `request` with retries and clock-skew correction (module docs) and
    /// returns the response once its status is 2xx; its body is the caller's.
    pub async fn send(
        &self,
        request: &ServiceRequest<'_>,
    ) -> Result<reqwest::Response, BedrockError> {
        let url = reqwest::Url::parse(request.url)
            .map_err(|e| BedrockError::Config(format!("invalid URL `{}`: {e}", request.url)))?;
        let auth = match &self.credentials {
            CredentialSource::Explicit(auth) => auth.clone(),
            CredentialSource::Chain(cache) => cache.get().await?.auth,
        };
        let body_sha256: [u8; 32] = Sha256::digest(request.body).into();
        let mut attempt = 1;
        let mut skew_corrected = false;
        loop {
            let failure = match self.attempt(&url, request, &auth, body_sha256).await {
                Ok(response) => return Ok(response),
                Err(failure) => failure,
            };
            if let (Some(offset), false) = (failure.skew_ms, skew_corrected) {
                self.skew_ms.store(offset, Ordering::Relaxed);
                skew_corrected = true;
                continue;
            }
            if !failure.error.is_retryable() || attempt >= self.max_attempts {
                return Err(failure.error);
            }
            tokio::time::sleep(backoff(attempt, self.initial_backoff, MAX_BACKOFF)).await;
            attempt += 1;
        }
    }

    async fn attempt(
        &self,
        url: &reqwest::Url,
        request: &ServiceRequest<'_>,
        auth: &Auth,
        body_sha256: [u8; 32],
    ) -> Result<reqwest::Response, Failure> {
        let method = request.method.as_str();
        let mut builder = match request.method {
            Method::Post => self
                .http
                .post(url.clone())
                .header("content-type", "application/json")
                .body(request.body.clone()),
            Method::Get => self.http.get(url.clone()),
        }
        .header("accept", request.accept);
        match auth {
            Auth::Bearer(token) => {
                builder = builder.header("authorization", format!("Bearer {}", token.expose()));
            }
            Auth::SigV4(credentials) => {
                let host = match (url.host_str(), url.port()) {
                    (Some(host), Some(port)) => format!("{host}:{port}"),
                    (Some(host), None) => host.to_owned(),
                    (None, _) => {
                        return Err(BedrockError::Config(format!(
                            "the URL `{}` has no host",
                            url_for_messages(request.url)
                        ))
                        .into())
                    }
                };
                let post_headers = [
                    ("content-type", "application/json"),
                    ("accept", request.accept),
                ];
                let get_headers = [("accept", request.accept)];
                let headers: &[(&str, &str)] = match request.method {
                    Method::Post => &post_headers,
                    Method::Get => &get_headers,
                };
                let signable = SignableRequest {
                    method,
                    path: url.path(),
                    query: url.query().unwrap_or(""),
                    headers,
                    host: Some(&host),
                    payload: Payload::Sha256(body_sha256),
                };
                let identity = SigningIdentity {
                    access_key_id: &credentials.access_key_id,
                    secret_access_key: credentials.secret_access_key.expose(),
                    session_token: credentials.session_token.as_ref().map(|t| t.expose()),
                };
                let scope = SigningScope {
                    region: request.region,
                    service: SIGNING_NAME,
                    time: self.now(),
                };
                let signature = self
                    .signer
                    .sign_headers(&signable, &identity, &scope)
                    .map_err(|e| BedrockError::Config(format!("cannot sign the request: {e}")))?;
                for (name, value) in signature.headers() {
                    builder = builder.header(name, value);
                }
            }
        }
        let sent = tokio::time::timeout(self.read_timeout, builder.send()).await;
        let response = match sent {
            Err(_) => {
                return Err(BedrockError::Network(format!(
                    "{method} {}: no response within {:.1} s",
                    url_for_messages(request.url),
                    self.read_timeout.as_secs_f64()
                ))
                .into())
            }
            Ok(Err(e)) => {
                return Err(BedrockError::Network(format!(
                    "{method} {}: {}",
                    url_for_messages(request.url),
                    error_from_reqwest(&e)
                ))
                .into())
            }
            Ok(Ok(response)) => response,
        };
        let status = response.status().as_u16();
        if (200..300).contains(&status) {
            return Ok(response);
        }
        Err(self.read_error(response).await)
    }

    /// Reads an error response into a typed error (and a skew offset when it
    /// says the clock is off).
    async fn read_error(&self, mut response: reqwest::Response) -> Failure {
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let error_type = header("x-amzn-errortype");
        let date = header("date");
        let mut body = Vec::new();
        while body.len() < MAX_ERROR_BODY {
            match tokio::time::timeout(self.read_timeout, response.chunk()).await {
                Ok(Ok(Some(chunk))) => body.extend_from_slice(&chunk),
                _ => break,
            }
        }
        body.truncate(MAX_ERROR_BODY);
        let parsed = ErrorResponse::parse(status, error_type.as_deref(), &body);
        let skew_ms = if parsed.is_clock_skew() {
            date.as_deref()
                .and_then(|date| skew_from_date(date, self.env.now()))
        } else {
            None
        };
        Failure {
            error: parsed.into_error(),
            skew_ms,
        }
    }
}

/// `time` moved by `offset_ms` milliseconds (either way).
fn apply_offset(time: SystemTime, offset_ms: i64) -> SystemTime {
    let magnitude = Duration::from_millis(offset_ms.unsigned_abs());
    let moved = if offset_ms >= 0 {
        time.checked_add(magnitude)
    } else {
        time.checked_sub(magnitude)
    };
    moved.unwrap_or(time)
}

/// The offset (ms) between an HTTP `Date` header (IMF-fixdate, e.g.
/// `Sun, 06 Nov 1994 08:49:37 GMT`) and `now`: positive when the service is ahead.
pub(crate) fn skew_from_date(date: &str, now: SystemTime) -> Option<i64> {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let service = time::PrimitiveDateTime::parse(date.trim(), format)
        .ok()?
        .assume_utc();
    let local = time::OffsetDateTime::from(now);
    i64::try_from((service - local).whole_milliseconds()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skew_offset_from_a_date_header() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777); // 1994-11-06 08:49:37
        assert_eq!(
            skew_from_date("Sun, 06 Nov 1994 08:49:37 GMT", now),
            Some(0)
        );
        assert_eq!(
            skew_from_date("Sun, 06 Nov 1994 09:04:37 GMT", now),
            Some(15 * 60 * 1000)
        );
        assert_eq!(
            skew_from_date("Sun, 06 Nov 1994 08:39:37 GMT", now),
            Some(-10 * 60 * 1000)
        );
        assert_eq!(skew_from_date("yesterday", now), None);
        assert_eq!(skew_from_date("", now), None);
    }

    #[test]
    fn offsets_move_the_clock_both_ways() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        assert_eq!(apply_offset(now, 1_500), now + Duration::from_millis(1_500));
        assert_eq!(
            apply_offset(now, -1_500),
            now - Duration::from_millis(1_500)
        );
    }

    #[test]
    fn backoff_stays_within_the_standard_bounds() {
        let base = Duration::from_secs(1);
        for attempt in 1..40u32 {
            let ceiling = base
                .saturating_mul(1u32 << (attempt - 1).min(20))
                .min(MAX_BACKOFF);
            for _ in 0..20 {
                assert!(backoff(attempt, base, MAX_BACKOFF) <= ceiling, "{attempt}");
            }
        }
    }
}
