//! The one HTTP interface everything that talks to the network goes through:
//! the Bedrock transport and the credential providers (STS, SSO, the container
//! endpoint, IMDS) alike, so that every path can be replayed in tests without
//! sockets.
//!
//! * [`HttpClient`] sends an [`HttpRequest`] and answers an [`HttpResponse`]
//!   whose [`Body`] streams; [`NetworkClient`] is the real one (hyper's HTTP/1.1
//!   client, tokio, rustls).
//! * [`fetch`] reads a whole response ([`BufferedResponse`]), for the small
//!   JSON and XML documents of the credential endpoints.
//! * [`RetryPolicy`] is the one retry policy: the caller judges each attempt.
//! * [`sign_http_request`] signs a request in place: the headers that are
//!   signed are the headers that are sent.

mod body;
mod network;
mod proxy;
mod retry;
mod sign;
mod trust;
mod url;

pub use body::{Body, ChunkSource};
pub use network::NetworkClient;
pub use proxy::ProxySettings;
pub use retry::{Attempt, RetryPolicy};
pub use sign::{presign_url, sign_http_request};
pub use trust::ExtraRoots;
pub use url::{HttpUrl, UrlError};

pub(crate) use retry::random_up_to;

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;

/// A boxed, `Send` future, as returned by [`HttpClient::send`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One HTTP request with its whole body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    /// `GET`, `PUT`, `POST`...
    pub method: String,
    /// The absolute URL, its path percent-encoded as it travels.
    pub uri: String,
    /// Header names and values, in order: exactly what is sent (the client adds
    /// only `host` from the URL and `content-length`).
    pub headers: Vec<(String, String)>,
    /// The body (empty for none).
    pub body: Bytes,
    /// Time allowed to connect.
    pub connect_timeout: Duration,
    /// Time allowed for the response head once the request is sent
    /// (connecting included).
    pub response_timeout: Duration,
    /// Connect directly, never through a proxy (IMDS, as the AWS SDKs do).
    pub direct: bool,
}

/// One HTTP response; its body streams.
#[derive(Debug)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Header names (lower-case) and values.
    pub headers: Vec<(String, String)>,
    /// The body, still to be read.
    pub body: Body,
}

/// One HTTP response read whole (see [`fetch`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BufferedResponse {
    /// The status code.
    pub status: u16,
    /// Header names (lower-case) and values.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Bytes,
}

impl HttpResponse {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

impl BufferedResponse {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Why a request got no (whole) response.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HttpError {
    /// Could not connect (refused, unreachable, DNS, connect timeout): the
    /// request was not sent.
    Connect(String),
    /// The response (or the next piece of its body) did not come in time; the
    /// request may have been sent.
    Timeout(String),
    /// The body is larger than its reader accepts.
    TooLarge {
        /// The most bytes accepted.
        limit: usize,
    },
    /// Anything else (a broken connection, a malformed response).
    Other(String),
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HttpError::Connect(m) => write!(f, "connection failed: {m}"),
            HttpError::Timeout(m) => write!(f, "timed out: {m}"),
            HttpError::TooLarge { limit } => {
                write!(f, "the response body is larger than {limit} bytes")
            }
            HttpError::Other(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for HttpError {}

impl HttpError {
    /// The same error with `note` after its message.
    pub fn with_note(self, note: &str) -> HttpError {
        match self {
            HttpError::Connect(m) => HttpError::Connect(format!("{m} ({note})")),
            HttpError::Timeout(m) => HttpError::Timeout(format!("{m} ({note})")),
            HttpError::Other(m) => HttpError::Other(format!("{m} ({note})")),
            too_large @ HttpError::TooLarge { .. } => too_large,
        }
    }
}

/// Sends HTTP requests. Implemented by [`NetworkClient`] and by test replayers.
pub trait HttpClient: Send + Sync + std::fmt::Debug {
    /// Sends `request` and returns the response once its head has arrived.
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, HttpError>>;
}

/// Connect timeout for calls to AWS services (STS, the SSO portal), as the SDK's default.
pub(crate) const SERVICE_CONNECT_TIMEOUT: Duration = Duration::from_millis(3100);
/// Time allowed for an AWS service (STS, the SSO portal) to answer once connected.
pub(crate) const SERVICE_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The largest body [`fetch`] reads; credential documents are tiny.
pub const MAX_FETCH_BYTES: usize = 1024 * 1024;

/// Sends `request` and reads the whole response: at most [`MAX_FETCH_BYTES`],
/// each body chunk within the request's `response_timeout` of the one before.
pub async fn fetch(
    http: &dyn HttpClient,
    request: HttpRequest,
) -> Result<BufferedResponse, HttpError> {
    let idle = request.response_timeout;
    let response = http.send(request).await?;
    let body = response.body.collect(MAX_FETCH_BYTES, idle).await?;
    Ok(BufferedResponse {
        status: response.status,
        headers: response.headers,
        body,
    })
}

/// [`fetch`] under [`RetryPolicy::CREDENTIALS`]: `judge` decides after each
/// attempt whether to try again.
pub(crate) async fn fetch_with_retries<T>(
    http: &dyn HttpClient,
    request: &HttpRequest,
    judge: impl Fn(Result<BufferedResponse, HttpError>) -> Attempt<T>,
) -> T {
    let judge = &judge;
    RetryPolicy::CREDENTIALS
        .run(|_| async move { judge(fetch(http, request.clone()).await) })
        .await
}

/// `scheme://host[:port]/path` of `uri`, without query or user info, for messages.
pub(crate) fn url_for_messages(uri: &str) -> String {
    match HttpUrl::parse(uri) {
        Ok(url) => url.without_secrets(),
        Err(_) => "<invalid URL>".to_owned(),
    }
}

/// `text` on one line, at most 300 characters (text from a service going into
/// an error message), counted after the blank and control characters it
/// starts with, so that padding never hides the text.
pub(crate) fn one_line(text: &str) -> String {
    let flat: String = text
        .trim_start_matches(|c: char| c.is_whitespace() || c.is_control())
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(300)
        .collect();
    flat.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_counts_its_300_characters_after_leading_padding() {
        let padded = format!("\u{b}{}ThrottlingException  ", "\n".repeat(400));
        assert_eq!(one_line(&padded), "ThrottlingException");
        assert_eq!(one_line("a\r\nb"), "a  b");
        assert_eq!(one_line(&"x".repeat(500)).len(), 300);
        assert_eq!(one_line("\n\t "), "");
    }

    #[test]
    fn urls_in_messages_lose_query_and_user_info() {
        assert_eq!(
            url_for_messages("https://user:pw@portal.example.com/fed/creds?account_id=1"),
            "https://portal.example.com/fed/creds"
        );
        assert_eq!(url_for_messages("not a url"), "<invalid URL>");
    }
}
