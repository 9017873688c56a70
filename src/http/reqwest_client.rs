//! [`ReqwestClient`]: the real [`HttpClient`], reqwest over rustls with the
//! `ring` crypto provider.

use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::Body as _;

use super::{Body, BoxFuture, ChunkSource, HttpClient, HttpError, HttpRequest, HttpResponse};

/// The real [`HttpClient`]: reqwest over rustls with the `ring` crypto provider.
///
/// HTTP/1.1 (`http://` and `https://`), pooled connections, no proxy and no
/// redirects (as the AWS SDK's own client), server certificates checked against
/// the platform's roots. reqwest sets the connect timeout per client, so one
/// client is kept per distinct connect timeout (in practice three: IMDS, the
/// container endpoint, AWS services).
///
/// Timeouts: connecting may take the request's `connect_timeout`; the response
/// head must arrive within its `response_timeout` of sending (connecting
/// included). The body streams with no timeout of its own: its reader applies
/// one ([`Body::collect`], the ConverseStream idle timeout).
///
/// ```no_run
/// use bedrock_lite::http::{HttpClient, ReqwestClient};
/// let client = ReqwestClient::new();
/// # let _ = &client as &dyn HttpClient;
/// ```
#[derive(Debug, Default)]
pub struct ReqwestClient {
    clients: Mutex<Vec<(Duration, reqwest::Client)>>,
}

impl ReqwestClient {
    /// A client with no connections yet; they are made on first use.
    pub fn new() -> Self {
        Self::default()
    }

    /// The reqwest client for this connect timeout, built on first use.
    fn client_for(&self, connect: Duration) -> Result<reqwest::Client, HttpError> {
        // A poisoned lock only means another thread panicked while holding it; the
        // list of clients is still sound.
        let mut clients = self
            .clients
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, client)) = clients.iter().find(|(key, _)| *key == connect) {
            return Ok(client.clone());
        }
        // reqwest's `rustls-no-provider` feature needs a process-wide crypto provider.
        // Installing fails only when one is installed already, which is fine too.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .connect_timeout(connect)
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| {
                HttpError::Other(format!("cannot build the HTTP client: {}", chain(&e)))
            })?;
        clients.push((connect, client.clone()));
        Ok(client)
    }

    async fn send_inner(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let client = self.client_for(request.connect_timeout)?;
        let method = reqwest::Method::from_bytes(request.method.as_bytes())
            .map_err(|_| HttpError::Other("invalid HTTP method".to_owned()))?;
        let url = reqwest::Url::parse(&request.uri)
            .map_err(|e| HttpError::Other(format!("invalid URL: {e}")))?;
        let mut builder = client.request(method, url).body(request.body);
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let response = tokio::time::timeout(request.response_timeout, builder.send())
            .await
            .map_err(|_| {
                HttpError::Timeout(format!(
                    "no response within {:.1} s",
                    request.response_timeout.as_secs_f64()
                ))
            })?
            .map_err(|e| error_from_reqwest(&e))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                let value = String::from_utf8_lossy(v.as_bytes()).into_owned();
                (k.as_str().to_owned(), value)
            })
            .collect();
        Ok(HttpResponse {
            status,
            headers,
            body: Body::from_source(ReqwestBody(reqwest::Body::from(response))),
        })
    }
}

impl HttpClient for ReqwestClient {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, HttpError>> {
        Box::pin(self.send_inner(request))
    }
}

/// A reqwest body as a [`ChunkSource`] (data frames; trailers are skipped).
struct ReqwestBody(reqwest::Body);

impl ChunkSource for ReqwestBody {
    fn poll_chunk(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, HttpError>>> {
        loop {
            let frame = match Pin::new(&mut self.0).poll_frame(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(error_from_reqwest(&e)))),
                Poll::Ready(Some(Ok(frame))) => frame,
            };
            if let Ok(data) = frame.into_data() {
                return Poll::Ready(Some(Ok(data)));
            }
        }
    }
}

/// Maps a reqwest error onto [`HttpError`], with its causes on one line (the caller
/// names the URL).
fn error_from_reqwest(error: &reqwest::Error) -> HttpError {
    let message = chain(error);
    if error.is_connect() {
        HttpError::Connect(message)
    } else if error.is_timeout() {
        HttpError::Timeout(message)
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
