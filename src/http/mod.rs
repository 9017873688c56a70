//! The small HTTP interface the credential providers (STS, SSO, the container
//! endpoint, IMDS) talk through, so tests can replay recorded traffic without
//! sockets. [`ReqwestClient`] is the real one.

mod sign;

pub use sign::{presign_url, sign_http_request};

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// A boxed, `Send` future, as returned by [`HttpClient::send`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One HTTP request, fully buffered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    /// `GET`, `PUT`, `POST`...
    pub method: String,
    /// The absolute URL.
    pub uri: String,
    /// Header names and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body (empty for none).
    pub body: Vec<u8>,
    /// Time allowed to connect.
    pub connect_timeout: Duration,
    /// Time allowed for the whole response once connected.
    pub read_timeout: Duration,
}

/// One HTTP response, fully buffered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Header names (lower-case) and values.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a request got no response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HttpError {
    /// Could not connect (refused, unreachable, DNS).
    Connect(String),
    /// The connect or read timeout passed.
    Timeout(String),
    /// Anything else (a broken connection, a malformed response).
    Other(String),
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HttpError::Connect(m) => write!(f, "connection failed: {m}"),
            HttpError::Timeout(m) => write!(f, "timed out: {m}"),
            HttpError::Other(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for HttpError {}

/// Sends buffered HTTP requests. Implemented by [`ReqwestClient`] and by test replayers.
pub trait HttpClient: Send + Sync + std::fmt::Debug {
    /// Sends `request` and returns the whole response.
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, HttpError>>;
}

/// Connect timeout for calls to AWS services (STS, the SSO portal), as the SDK's default.
pub(crate) const SERVICE_CONNECT_TIMEOUT: Duration = Duration::from_millis(3100);
/// Time allowed for an AWS service (STS, the SSO portal) to answer once connected.
pub(crate) const SERVICE_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The largest response body [`ReqwestClient`] accepts; credential documents are tiny.
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The real [`HttpClient`]: reqwest over rustls with the `ring` crypto provider.
///
/// HTTP/1.1 (`http://` and `https://`), no proxy and no redirects (as the AWS SDK's own
/// client), server certificates checked against the platform's roots. reqwest sets the
/// connect timeout per client, so one client is kept per distinct pair of timeouts
/// (in practice three: IMDS, the container endpoint, AWS services).
///
/// Timeouts: connecting may take `connect_timeout`; reqwest's read timeout starts when
/// the request is sent, so the response headers must arrive within `read_timeout` of
/// that (connecting included), and each later body chunk within `read_timeout` of the
/// one before; the whole exchange may take `connect_timeout + read_timeout`. That is
/// what lets a listener that accepts but never answers be given up on after the 1 s
/// IMDS read timeout.
///
/// ```no_run
/// use bedrock_lite::http::{HttpClient, ReqwestClient};
/// let client = ReqwestClient::new();
/// # let _ = &client as &dyn HttpClient;
/// ```
#[derive(Debug, Default)]
pub struct ReqwestClient {
    clients: std::sync::Mutex<Vec<((Duration, Duration), reqwest::Client)>>,
}

impl ReqwestClient {
    /// A client with no connections yet; they are made on first use.
    pub fn new() -> Self {
        Self::default()
    }

    /// The reqwest client for this pair of timeouts, built on first use.
    fn client_for(&self, connect: Duration, read: Duration) -> Result<reqwest::Client, HttpError> {
        // A poisoned lock only means another thread panicked while holding it; the
        // list of clients is still sound.
        let mut clients = self
            .clients
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, client)) = clients.iter().find(|(key, _)| *key == (connect, read)) {
            return Ok(client.clone());
        }
        // reqwest's read timeout runs from sending the request until the headers
        // arrive, then between body chunks.
        let client = build_reqwest_client(connect, Some(read))?;
        clients.push(((connect, read), client.clone()));
        Ok(client)
    }

    async fn send_inner(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let client = self.client_for(request.connect_timeout, request.read_timeout)?;
        let method = reqwest::Method::from_bytes(request.method.as_bytes())
            .map_err(|_| HttpError::Other("invalid HTTP method".to_owned()))?;
        let url = reqwest::Url::parse(&request.uri)
            .map_err(|e| HttpError::Other(format!("invalid URL: {e}")))?;
        let mut builder = client
            .request(method, url)
            .timeout(request.connect_timeout.saturating_add(request.read_timeout))
            .body(request.body);
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let mut response = builder.send().await.map_err(|e| error_from_reqwest(&e))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                let value = String::from_utf8_lossy(v.as_bytes()).into_owned();
                (k.as_str().to_owned(), value)
            })
            .collect();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| error_from_reqwest(&e))? {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(HttpError::Other(format!(
                    "response body larger than {MAX_BODY_BYTES} bytes"
                )));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

impl HttpClient for ReqwestClient {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, HttpError>> {
        Box::pin(self.send_inner(request))
    }
}

/// A pooled reqwest client over rustls (the `ring` provider): HTTP/1.1, no proxy,
/// no redirects (as the AWS SDK's own client), with `connect` as the connect
/// timeout and `read`, when given, as reqwest's read timeout. Shared by
/// [`ReqwestClient`] and the Bedrock transport.
pub(crate) fn build_reqwest_client(
    connect: Duration,
    read: Option<Duration>,
) -> Result<reqwest::Client, HttpError> {
    // reqwest's `rustls-no-provider` feature needs a process-wide crypto provider.
    // Installing fails only when one is installed already, which is fine too.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = reqwest::Client::builder()
        .connect_timeout(connect)
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none());
    if let Some(read) = read {
        builder = builder.read_timeout(read);
    }
    builder
        .build()
        .map_err(|e| HttpError::Other(format!("cannot build the HTTP client: {}", chain(&e))))
}

/// `scheme://host[:port]/path` of `uri`, without query or user info, for messages.
pub(crate) fn url_for_messages(uri: &str) -> String {
    match reqwest::Url::parse(uri) {
        Ok(mut url) => {
            url.set_query(None);
            url.set_fragment(None);
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.to_string()
        }
        Err(_) => "<invalid URL>".to_owned(),
    }
}

/// Maps a reqwest error onto [`HttpError`], with its causes on one line (the caller
/// names the URL).
pub(crate) fn error_from_reqwest(error: &reqwest::Error) -> HttpError {
    let message = chain(error);
    if error.is_timeout() {
        HttpError::Timeout(message)
    } else if error.is_connect() {
        HttpError::Connect(message)
    } else {
        HttpError::Other(message)
    }
}

/// An error and its sources, joined with `: `, on one line. reqwest errors carry their
/// URL, which is already given by the caller, so it is left out.
fn chain(error: &reqwest::Error) -> String {
    let mut message = String::new();
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(err) = current {
        let text = match err.downcast_ref::<reqwest::Error>() {
            Some(e) if e.url().is_some() => {
                // reqwest's own Display adds " for url (...)"; keep only the kind.
                let full = e.to_string();
                full.split(" for url (")
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            }
            _ => err.to_string(),
        };
        if !text.is_empty() && !message.ends_with(&text) {
            if !message.is_empty() {
                message.push_str(": ");
            }
            message.push_str(&text);
        }
        current = err.source();
    }
    message.replace(['\n', '\r'], " ")
}

/// `text` on one line, at most 300 characters (text from a service going into
/// an error message).
pub(crate) fn one_line(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(300)
        .collect();
    flat.trim().to_owned()
}

/// What a retry loop makes of one attempt (see [`send_with_retries`]).
pub(crate) enum Attempt<T> {
    /// Final: return this.
    Done(T),
    /// Worth another try; return this if no attempts are left.
    Retry(T),
}

/// Sends `request` up to `max_attempts` times, waiting with exponential backoff and
/// jitter between attempts; `judge` decides after each attempt whether to try again.
pub(crate) async fn send_with_retries<T>(
    http: &dyn HttpClient,
    request: &HttpRequest,
    max_attempts: u32,
    mut judge: impl FnMut(Result<HttpResponse, HttpError>) -> Attempt<T>,
) -> T {
    let mut attempt = 1;
    loop {
        match judge(http.send(request.clone()).await) {
            Attempt::Done(result) => return result,
            Attempt::Retry(result) if attempt >= max_attempts => return result,
            Attempt::Retry(_) => {
                tokio::time::sleep(retry_delay(attempt)).await;
                attempt += 1;
            }
        }
    }
}

/// The wait before retry number `attempt` (1-based): a random part of
/// 100 ms × 2^(attempt-1), capped at 2 s ("full jitter").
pub(crate) fn retry_delay(attempt: u32) -> Duration {
    backoff(attempt, Duration::from_millis(100), Duration::from_secs(2))
}

/// Exponential backoff with full jitter: a random duration in
/// `[0, min(base × 2^(attempt-1), cap)]` before retry number `attempt` (1-based).
pub(crate) fn backoff(attempt: u32, base: Duration, cap: Duration) -> Duration {
    let ceiling = base
        .saturating_mul(1u32 << attempt.saturating_sub(1).min(20))
        .min(cap);
    random_up_to(ceiling)
}

/// A random duration in `[0, max]` (jitter; not for cryptography).
pub(crate) fn random_up_to(max: Duration) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    // Each `RandomState` is seeded differently, which is all the randomness jitter needs.
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    let nanos = u64::try_from(max.as_nanos()).unwrap_or(u64::MAX);
    Duration::from_nanos(random % nanos.saturating_add(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_in_messages_lose_query_and_user_info() {
        assert_eq!(
            url_for_messages("https://user:pw@portal.example.com/fed/creds?account_id=1"),
            "https://portal.example.com/fed/creds"
        );
        assert_eq!(url_for_messages("not a url"), "<invalid URL>");
    }

    #[test]
    fn retry_delays_stay_under_their_ceiling() {
        for attempt in 0..40u32 {
            let ceiling = Duration::from_millis(100u64 << attempt.saturating_sub(1).min(5));
            assert!(retry_delay(attempt) <= ceiling.min(Duration::from_secs(2)));
        }
        assert_eq!(random_up_to(Duration::ZERO), Duration::ZERO);
    }
}
