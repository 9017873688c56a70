//! [`ReqwestClient`]: the real [`HttpClient`], reqwest over rustls with the
//! `ring` crypto provider.

use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::Body as _;

use super::proxy::ProxySettings;
use super::trust::{self, ExtraRoots};
use super::{Body, BoxFuture, ChunkSource, HttpClient, HttpError, HttpRequest, HttpResponse};
use crate::env::Env;

/// The real [`HttpClient`]: reqwest over rustls with the `ring` crypto provider.
///
/// HTTP/1.1 (`http://` and `https://`), pooled connections, no redirects (as
/// the AWS SDK's own client). Proxies come from the environment
/// ([`ProxySettings`]), except for requests marked `direct` (IMDS). Server
/// certificates are checked against the system's roots plus any extra ones
/// ([`ExtraRoots`], `AWS_CA_BUNDLE`); the system store is read at the first
/// `https://` request, never for plain `http://`. reqwest sets the connect
/// timeout, the proxy and the roots per client, so one client is kept per
/// distinct (connect timeout, direct, TLS) triple (in practice a handful).
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
    proxies: ProxySettings,
    extra_roots: ExtraRoots,
    clients: Mutex<Vec<(ClientKey, Built)>>,
}

/// What one reqwest client is built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ClientKey {
    connect: Duration,
    direct: bool,
    tls: bool,
}

/// A reqwest client, and whether its trust store was empty.
#[derive(Debug, Clone)]
struct Built {
    client: reqwest::Client,
    no_roots: bool,
}

impl ReqwestClient {
    /// A client with the process environment's proxies and no extra roots;
    /// no connection is made until the first request.
    pub fn new() -> Self {
        Self::from_env(&Env::real())
    }

    /// A client with `env`'s proxies and no extra roots.
    pub fn from_env(env: &Env) -> Self {
        ReqwestClient {
            proxies: ProxySettings::from_env(env),
            ..Self::default()
        }
    }

    /// Also trusts these roots.
    pub fn with_extra_roots(mut self, roots: ExtraRoots) -> Self {
        self.extra_roots = roots;
        self
    }

    /// The reqwest client for this key, built on first use.
    fn client_for(&self, key: ClientKey) -> Result<Built, HttpError> {
        // A poisoned lock only means another thread panicked while holding it; the
        // list of clients is still sound.
        let mut clients = self
            .clients
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, built)) = clients.iter().find(|(k, _)| *k == key) {
            return Ok(built.clone());
        }
        // reqwest's `rustls-no-provider` feature needs a process-wide crypto provider.
        // Installing fails only when one is installed already, which is fine too.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .connect_timeout(key.connect)
            .redirect(reqwest::redirect::Policy::none());
        builder = match (key.direct, self.proxies.is_empty()) {
            (false, false) => {
                let proxies = self.proxies.clone();
                builder.proxy(reqwest::Proxy::custom(move |url| {
                    let host = url.host_str()?;
                    let port = url.port_or_known_default()?;
                    proxies
                        .proxy_for(url.scheme(), host, port)
                        .map(str::to_owned)
                }))
            }
            _ => builder.no_proxy(),
        };
        // A plain-http client gets an empty trust store: nothing is read.
        let roots = match key.tls {
            true => trust::roots(&self.extra_roots),
            false => Vec::new(),
        };
        let no_roots = key.tls && roots.is_empty();
        let client = builder.tls_certs_only(roots).build().map_err(|e| {
            HttpError::Other(format!(
                "cannot build the HTTP client: {}",
                self.describe(&e)
            ))
        })?;
        let built = Built { client, no_roots };
        clients.push((key, built.clone()));
        Ok(built)
    }

    /// A reqwest error on one line, without proxy credentials.
    fn describe(&self, error: &reqwest::Error) -> String {
        self.proxies.redact(&chain(error))
    }

    async fn send_inner(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let key = ClientKey {
            connect: request.connect_timeout,
            direct: request.direct,
            tls: request.uri.starts_with("https:"),
        };
        let Built { client, no_roots } = self.client_for(key)?;
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
            .map_err(|e| {
                let mut error = error_from_reqwest(&e, &self.proxies);
                if no_roots {
                    error = error.with_note(
                        "no trusted root certificates: the system has none; set AWS_CA_BUNDLE \
                         to a PEM bundle, or use a build with the bundled-roots feature",
                    );
                }
                error
            })?;
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
            body: Body::from_source(ReqwestBody {
                body: reqwest::Body::from(response),
                proxies: self.proxies.clone(),
            }),
        })
    }
}

impl HttpClient for ReqwestClient {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, HttpError>> {
        Box::pin(self.send_inner(request))
    }
}

/// A reqwest body as a [`ChunkSource`] (data frames; trailers are skipped).
struct ReqwestBody {
    body: reqwest::Body,
    /// To keep proxy credentials out of error messages.
    proxies: ProxySettings,
}

impl ChunkSource for ReqwestBody {
    fn poll_chunk(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, HttpError>>> {
        loop {
            let this = &mut *self;
            let frame = match Pin::new(&mut this.body).poll_frame(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(e))) => {
                    return Poll::Ready(Some(Err(error_from_reqwest(&e, &this.proxies))))
                }
                Poll::Ready(Some(Ok(frame))) => frame,
            };
            if let Ok(data) = frame.into_data() {
                return Poll::Ready(Some(Ok(data)));
            }
        }
    }
}

/// Maps a reqwest error onto [`HttpError`], with its causes on one line (the caller
/// names the URL) and no proxy credentials.
fn error_from_reqwest(error: &reqwest::Error, proxies: &ProxySettings) -> HttpError {
    let message = proxies.redact(&chain(error));
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
