//! The signed send: every Bedrock request goes out through `Transport::send`.
//!
//! `Transport` holds the one [`HttpClient`] (pooled connections), the
//! credentials ([`CredentialsProvider`]: fixed, or a chain behind its cache) and the
//! clock-skew offset. It builds each request's headers once, signs exactly those
//! (SigV4 for the service's signing name, or `Authorization: Bearer` for a
//! bearer token), sends them, retries, corrects the clock and types the
//! service's errors ([`ServiceError`]).
//!
//! **Retries** follow the [`RetryPolicy`] given (by default the AWS SDKs'
//! *standard* mode: 3 attempts, full-jitter backoff from 1 s up to 20 s).
//! Retried: throttling (a throttling code or HTTP 429), HTTP 500/502/503/504 and
//! the transient codes (`ModelNotReadyException`, `InternalServerException`...),
//! and connection failures. A request that got no answer in time after it was
//! sent is retried only if it is a `GET`: a `POST` may have been run (and
//! billed). Nothing is retried once a successful response has been handed
//! over: errors in a stream's body go to the caller. (The standard mode's
//! retry quota, a per-client token bucket, is not implemented.)
//!
//! **Clock skew**: a 403 that says the signature expired or the request time is
//! too skewed (`RequestTimeTooSkewed`, `RequestExpired`, `InvalidSignatureException`
//! with "expired") is answered by taking the offset between the response's `Date`
//! header and the local clock, re-signing once with the corrected time (this
//! does not count as an attempt), and keeping the offset for later requests.

mod error;

pub use error::{ServiceError, ServiceErrorKind, TransportError};

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;

use crate::credentials::cache::CredentialsProvider;
use crate::credentials::Auth;
use crate::env::Env;
use crate::http::{
    sign_http_request, url_for_messages, Attempt, BoxFuture, HttpClient, HttpError, HttpRequest,
    HttpResponse, RetryPolicy,
};
use crate::sigv4::SigningIdentity;

/// The largest error body read (the rest is ignored).
const MAX_ERROR_BODY: usize = 64 * 1024;

/// How a [`Transport`] is set up.
#[derive(Debug, Clone)]
pub(crate) struct TransportConfig {
    /// Where the clock comes from.
    pub env: Env,
    /// The HTTP client every request goes through.
    pub http: Arc<dyn HttpClient>,
    /// The credentials.
    pub credentials: CredentialsProvider,
    /// Time allowed to connect.
    pub connect_timeout: Duration,
    /// Attempts and backoff.
    pub retry: RetryPolicy,
}

/// The signed, retrying sender; see the module docs. Share it (it is `Sync`).
pub(crate) struct Transport {
    http: Arc<dyn HttpClient>,
    credentials: CredentialsProvider,
    env: Env,
    /// Service time minus local time, in milliseconds.
    skew_ms: AtomicI64,
    connect_timeout: Duration,
    retry: RetryPolicy,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("credentials", &self.credentials)
            .field("skew_ms", &self.skew_ms.load(Ordering::Relaxed))
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// One request to send: a JSON `POST` or a `GET` (with an empty body).
#[derive(Debug, Clone)]
pub(crate) struct ServiceRequest<'a> {
    /// `POST` (JSON body) or `GET`.
    pub method: Method,
    /// The absolute URL, its path percent-encoded once as it travels.
    pub url: &'a str,
    /// The SigV4 signing region.
    pub region: &'a str,
    /// The SigV4 signing name (`bedrock`).
    pub service: &'a str,
    /// The `accept` header.
    pub accept: &'a str,
    /// The JSON body (empty for `GET`).
    pub body: Bytes,
    /// Time allowed for the response head once the request is sent. A request
    /// that times out after it was sent is never retried (a `POST` could be
    /// billed twice); a `GET` is.
    pub response_timeout: Duration,
}

/// The HTTP methods Bedrock's APIs use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
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

impl Transport {
    /// A transport with no connection and no credentials yet (both on first use).
    pub fn new(config: TransportConfig) -> Transport {
        Transport {
            http: config.http,
            credentials: config.credentials,
            env: config.env,
            skew_ms: AtomicI64::new(0),
            connect_timeout: config.connect_timeout,
            retry: config.retry,
        }
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
    ///
    /// The future is boxed: a caller's `async` code that awaits it then holds a
    /// pointer, and the whole signed send (credentials, signing, retries, the
    /// connection) is compiled once, in this crate, instead of again in every
    /// program that calls the client (BENCHMARKS.md, "session 22").
    pub fn send<'a>(
        &'a self,
        request: &'a ServiceRequest<'_>,
    ) -> BoxFuture<'a, Result<HttpResponse, TransportError>> {
        Box::pin(self.send_unboxed(request))
    }

    /// [`send`](Self::send)'s body.
    async fn send_unboxed(
        &self,
        request: &ServiceRequest<'_>,
    ) -> Result<HttpResponse, TransportError> {
        let auth = self.credentials.resolve().await?.auth;
        let shown = format!(
            "{} {}",
            request.method.as_str(),
            url_for_messages(request.url)
        );
        let (auth, shown) = (&auth, shown.as_str());
        self.retry
            .run(|_| async move {
                let mut skew_corrected = false;
                loop {
                    let outcome = self.attempt(request, auth, shown).await;
                    match outcome {
                        Ok(response) => return Attempt::Done(Ok(response)),
                        Err(Failure::Skewed(offset, _)) if !skew_corrected => {
                            // Re-sign at once with the service's time: not an attempt.
                            self.skew_ms.store(offset, Ordering::Relaxed);
                            skew_corrected = true;
                        }
                        Err(failure) => {
                            let retry = failure.is_retryable(request.method);
                            let error = failure.into_error();
                            return match retry {
                                true => Attempt::Retry(Err(error)),
                                false => Attempt::Done(Err(error)),
                            };
                        }
                    }
                }
            })
            .await
    }

    /// One signed send.
    async fn attempt(
        &self,
        request: &ServiceRequest<'_>,
        auth: &Auth,
        shown: &str,
    ) -> Result<HttpResponse, Failure> {
        let mut headers = Vec::with_capacity(6);
        if request.method == Method::Post {
            headers.push(("content-type".to_owned(), "application/json".to_owned()));
        }
        headers.push(("accept".to_owned(), request.accept.to_owned()));
        let mut http_request = HttpRequest {
            method: request.method.as_str().to_owned(),
            uri: request.url.to_owned(),
            headers,
            body: request.body.clone(),
            connect_timeout: self.connect_timeout,
            response_timeout: request.response_timeout,
            direct: false,
        };
        match auth {
            Auth::Bearer(token) => http_request.headers.push((
                "authorization".to_owned(),
                format!("Bearer {}", token.expose()),
            )),
            Auth::SigV4(credentials) => {
                let identity = SigningIdentity {
                    access_key_id: &credentials.access_key_id,
                    secret_access_key: credentials.secret_access_key.expose(),
                    session_token: credentials.session_token.as_ref().map(|t| t.expose()),
                };
                sign_http_request(
                    &mut http_request,
                    &identity,
                    request.region,
                    request.service,
                    self.now(),
                )
                .map_err(|e| Failure::Final(TransportError::Signing(e)))?;
            }
        }
        let response = self
            .http
            .send(http_request)
            .await
            .map_err(|source| Failure::Http {
                request: shown.to_owned(),
                source,
            })?;
        if (200..300).contains(&response.status) {
            return Ok(response);
        }
        Err(self.read_error(response, request.response_timeout).await)
    }

    /// Reads an error response into a typed error (and a skew offset when it
    /// says the clock is off).
    async fn read_error(&self, response: HttpResponse, idle: Duration) -> Failure {
        let date = response.header("date").map(str::to_owned);
        let error_type = response.header("x-amzn-errortype").map(str::to_owned);
        let location = response.header("location").map(str::to_owned);
        let status = response.status;
        // A body that is cut, slow or huge still leaves the status and code.
        let body = response
            .body
            .collect(MAX_ERROR_BODY, idle)
            .await
            .unwrap_or_default();
        let mut error = ServiceError::parse(status, error_type.as_deref(), &body);
        if let (300..=399, Some(location)) = (status, &location) {
            // Redirects are never followed (a signed request would follow
            // its `Authorization` to another host): say where it pointed.
            error.message = format!("a redirect to {}, not followed", url_for_messages(location));
        }
        let offset = match error.is_clock_skew() {
            true => date
                .as_deref()
                .and_then(|date| skew_from_date(date, self.env.now())),
            false => None,
        };
        match offset {
            Some(offset) => Failure::Skewed(offset, error),
            None => Failure::Service(error),
        }
    }
}

/// What one attempt came to, when it failed.
enum Failure {
    /// The service answered with an error.
    Service(ServiceError),
    /// The service said the clock is off, by this much (ms).
    Skewed(i64, ServiceError),
    /// No (whole) response.
    Http { request: String, source: HttpError },
    /// Not worth another attempt.
    Final(TransportError),
}

impl Failure {
    fn is_retryable(&self, method: Method) -> bool {
        match self {
            Failure::Service(error) | Failure::Skewed(_, error) => error.is_retryable(),
            // Sent, and perhaps billed: only an idempotent read is sent again.
            Failure::Http {
                source: HttpError::Timeout(_),
                ..
            } => method == Method::Get,
            Failure::Http { .. } => true,
            Failure::Final(_) => false,
        }
    }

    fn into_error(self) -> TransportError {
        match self {
            Failure::Service(error) | Failure::Skewed(_, error) => TransportError::Service(error),
            Failure::Http { request, source } => TransportError::Http { request, source },
            Failure::Final(error) => error,
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
    let service = crate::datetime::parse_http_date(date.trim())?;
    match service.duration_since(now) {
        Ok(ahead) => i64::try_from(ahead.as_millis()).ok(),
        Err(behind) => i64::try_from(behind.duration().as_millis())
            .ok()
            .map(|ms| -ms),
    }
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
}
