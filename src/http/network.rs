//! [`NetworkClient`]: the real [`HttpClient`], on hyper's HTTP/1.1 client,
//! tokio's TCP and rustls (the `ring` provider).
//!
//! * Connections are pooled per (scheme, host, port, route) and reused once a
//!   response body has been read to its end; a body dropped before its end
//!   closes its connection (so a cancelled stream stops at once). Idle
//!   connections are dropped after [`IDLE_LIFETIME`].
//! * Proxies come from the environment ([`ProxySettings`]), except for
//!   requests marked `direct` (IMDS): an `http://` target is asked of the
//!   proxy in absolute form, an `https://` one goes through a `CONNECT` tunnel;
//!   a proxy's `user:password` goes as `Proxy-Authorization: Basic`. Errors
//!   reaching it name it: `proxy 127.0.0.1:3128 (from HTTPS_PROXY): ...`.
//! * Server certificates are checked against the system's roots plus any extra
//!   ones ([`ExtraRoots`]); the system store is read at the first `https://`
//!   connection, never for plain `http://`.
//! * Timeouts: connecting (TCP, proxy tunnel, TLS) may take the request's
//!   `connect_timeout`; the response head must arrive within its
//!   `response_timeout` of sending (connecting included). The body streams
//!   with no timeout of its own: its reader applies one.
//! * No redirect is ever followed (the AWS SDKs' behaviour): a 3xx is an answer.

use std::collections::HashMap;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body::{Body as _, Frame, SizeHint};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use super::proxy::{ProxyRoute, ProxySettings};
use super::trust::{self, ExtraRoots};
use super::url::HttpUrl;
use super::{Body, BoxFuture, ChunkSource, HttpClient, HttpError, HttpRequest, HttpResponse};
use crate::env::Env;

/// How long an idle pooled connection is kept (servers close theirs after
/// about a minute; this stays well under it).
pub const IDLE_LIFETIME: Duration = Duration::from_secs(30);

/// The most idle connections kept per destination.
const MAX_IDLE_PER_KEY: usize = 32;

/// The real [`HttpClient`] (module docs). Cheap to share behind an `Arc`.
///
/// ```no_run
/// use bedrock_lite::http::{HttpClient, NetworkClient};
/// let client = NetworkClient::new();
/// # let _ = &client as &dyn HttpClient;
/// ```
#[derive(Default)]
pub struct NetworkClient {
    proxies: ProxySettings,
    extra_roots: ExtraRoots,
    /// Built at the first `https://` connection (`Err`: why TLS cannot work).
    tls: OnceLock<Result<tokio_rustls::TlsConnector, String>>,
    pool: Arc<Pool>,
}

impl std::fmt::Debug for NetworkClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NetworkClient")
            .field("proxies", &self.proxies)
            .field("extra_roots", &self.extra_roots)
            .finish_non_exhaustive()
    }
}

/// Where a connection goes: the destination and the way there.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    https: bool,
    authority: String,
    /// The proxy's `host:port`, when through one.
    proxy: Option<String>,
}

/// A connection ready for a request, and since when it has been idle.
type Idle = (SendRequest<RequestBody>, Instant);

/// Idle connections, by destination.
#[derive(Default)]
struct Pool {
    idle: Mutex<HashMap<Key, Vec<Idle>>>,
}

impl Pool {
    /// An idle connection to `key` that is still open, if any.
    fn take(&self, key: &Key) -> Option<SendRequest<RequestBody>> {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        let list = idle.get_mut(key)?;
        while let Some((sender, since)) = list.pop() {
            if !sender.is_closed() && since.elapsed() < IDLE_LIFETIME {
                return Some(sender);
            }
        }
        None
    }

    fn put(&self, key: Key, sender: SendRequest<RequestBody>) {
        if sender.is_closed() {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        let list = idle.entry(key).or_default();
        list.retain(|(sender, since)| !sender.is_closed() && since.elapsed() < IDLE_LIFETIME);
        if list.len() < MAX_IDLE_PER_KEY {
            list.push((sender, Instant::now()));
        }
    }
}

/// A request body held whole.
pub(crate) struct RequestBody(Option<Bytes>);

impl http_body::Body for RequestBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.get_mut().0.take().map(|bytes| Ok(Frame::data(bytes))))
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.0.as_ref().map_or(0, |b| b.len() as u64))
    }
}

/// What a connection runs over: TCP, TLS over TCP, or TLS through a tunnel.
trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

impl NetworkClient {
    /// A client with the process environment's proxies and no extra roots;
    /// no connection is made until the first request.
    pub fn new() -> Self {
        Self::from_env(&Env::real())
    }

    /// A client with `env`'s proxies and no extra roots.
    pub fn from_env(env: &Env) -> Self {
        Self::from_proxies(ProxySettings::from_env(env))
    }

    /// A client with these proxies (read once, e.g. checked with
    /// [`ProxySettings::check`] first) and no extra roots.
    ///
    /// ```no_run
    /// use bedrock_lite::env::Env;
    /// use bedrock_lite::http::{NetworkClient, ProxySettings};
    /// let proxies = ProxySettings::from_env(&Env::real());
    /// proxies.check()?;
    /// let client = NetworkClient::from_proxies(proxies);
    /// # Ok::<(), String>(())
    /// ```
    pub fn from_proxies(proxies: ProxySettings) -> Self {
        NetworkClient {
            proxies,
            ..Self::default()
        }
    }

    /// Also trusts these roots.
    pub fn with_extra_roots(mut self, roots: ExtraRoots) -> Self {
        self.extra_roots = roots;
        self
    }

    /// The TLS connector, built on first use (the system store is read then).
    fn tls(&self) -> Result<tokio_rustls::TlsConnector, HttpError> {
        self.tls
            .get_or_init(|| {
                let config = trust::client_config(&self.extra_roots)?;
                Ok(tokio_rustls::TlsConnector::from(Arc::new(config)))
            })
            .clone()
            .map_err(HttpError::Connect)
    }

    async fn send_inner(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let url = HttpUrl::parse(&request.uri)
            .map_err(|e| HttpError::Other(format!("invalid URL: {e}")))?;
        let proxy = match request.direct {
            true => None,
            false => self.proxies.route(&url).map_err(HttpError::Connect)?,
        };
        let key = Key {
            https: url.is_https(),
            authority: url.authority(),
            proxy: proxy.as_ref().map(|proxy| proxy.url.authority()),
        };
        let response_timeout = request.response_timeout;
        // A silent proxy is named: over plain http the request goes out as soon
        // as the proxy's port accepts, so its silence shows up here.
        let through = proxy
            .as_ref()
            .map(|proxy| format!(" through {proxy}"))
            .unwrap_or_default();
        let exchange = self.exchange(&url, proxy.as_ref(), &key, request);
        let (response, sender) = tokio::time::timeout(response_timeout, exchange)
            .await
            .map_err(|_| {
                HttpError::Timeout(format!(
                    "no response within {:.1} s{through}",
                    response_timeout.as_secs_f64()
                ))
            })??;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                (name.as_str().to_owned(), value)
            })
            .collect();
        let body = IncomingBody {
            body: response.into_body(),
            return_to: Some((Arc::clone(&self.pool), key, sender)),
        };
        Ok(HttpResponse {
            status,
            headers,
            body: Body::from_source(body),
        })
    }

    /// Sends on a pooled connection (once more on a fresh one if the pooled
    /// one turns out closed before the request went), or on a fresh one.
    async fn exchange(
        &self,
        url: &HttpUrl,
        proxy: Option<&ProxyRoute>,
        key: &Key,
        request: HttpRequest,
    ) -> Result<
        (
            hyper::Response<hyper::body::Incoming>,
            SendRequest<RequestBody>,
        ),
        HttpError,
    > {
        if let Some(mut sender) = self.pool.take(key) {
            if sender.ready().await.is_ok() {
                let outgoing = self.build(url, proxy, &request)?;
                match sender.send_request(outgoing).await {
                    Ok(response) => return Ok((response, sender)),
                    // Not sent: the server had closed the idle connection.
                    Err(e) if e.is_canceled() || e.is_closed() => {}
                    Err(e) => return Err(HttpError::Other(describe(&e, &self.proxies))),
                }
            }
        }
        let mut sender = self.connect(url, proxy, request.connect_timeout).await?;
        let outgoing = self.build(url, proxy, &request)?;
        let response = sender
            .send_request(outgoing)
            .await
            .map_err(|e| HttpError::Other(describe(&e, &self.proxies)))?;
        Ok((response, sender))
    }

    /// The hyper request: the target in origin form (absolute form through an
    /// `http://` proxy), `Host`, the request's headers, its body.
    fn build(
        &self,
        url: &HttpUrl,
        proxy: Option<&ProxyRoute>,
        request: &HttpRequest,
    ) -> Result<hyper::Request<RequestBody>, HttpError> {
        let target = match (proxy, url.is_https()) {
            (Some(_), false) => format!("http://{}{}", url.authority(), url.path_and_query()),
            _ => url.path_and_query(),
        };
        let mut builder = hyper::Request::builder()
            .method(request.method.as_str())
            .uri(target)
            .header("host", url.authority());
        let auth = proxy.and_then(|proxy| proxy_authorization(&proxy.url));
        if let (Some(auth), false) = (auth, url.is_https()) {
            builder = builder.header("proxy-authorization", auth);
        }
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        builder
            .body(RequestBody(Some(request.body.clone())))
            .map_err(|e| HttpError::Other(format!("invalid request: {e}")))
    }

    /// A new connection to `url` (through `proxy`), ready for a request.
    /// Taking more than `timeout` is an error naming `url` and the proxy.
    async fn connect(
        &self,
        url: &HttpUrl,
        proxy: Option<&ProxyRoute>,
        timeout: Duration,
    ) -> Result<SendRequest<RequestBody>, HttpError> {
        let shown = match proxy {
            Some(proxy) => format!("{} through {proxy}", url.without_secrets()),
            None => url.without_secrets(),
        };
        let connecting = async {
            let stream = tcp(url, proxy).await?;
            let io: Box<dyn Io> = match (proxy, url.is_https()) {
                (_, false) => Box::new(stream),
                (None, true) => Box::new(self.tls_over(stream, url).await?),
                (Some(proxy), true) => {
                    let tunnel = tunnel(stream, proxy, url, &self.proxies).await?;
                    Box::new(self.tls_over(tunnel, url).await?)
                }
            };
            let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(io))
                .await
                .map_err(|e| HttpError::Connect(describe(&e, &self.proxies)))?;
            tokio::spawn(async move {
                // Ends with the connection; its errors reach the request.
                let _ = connection.await;
            });
            Ok(sender)
        };
        tokio::time::timeout(timeout, connecting)
            .await
            .map_err(|_| {
                HttpError::Connect(format!(
                    "connecting to {shown} took more than {:.1} s",
                    timeout.as_secs_f64()
                ))
            })?
    }

    /// TLS over `io`, checking the certificate against `url`'s host.
    async fn tls_over<S: AsyncRead + AsyncWrite + Unpin>(
        &self,
        io: S,
        url: &HttpUrl,
    ) -> Result<tokio_rustls::client::TlsStream<S>, HttpError> {
        let connector = self.tls()?;
        let name =
            rustls::pki_types::ServerName::try_from(url.host().to_owned()).map_err(|_| {
                HttpError::Connect(format!("`{}` is not a TLS server name", url.host()))
            })?;
        connector
            .connect(name, io)
            .await
            .map_err(|e| HttpError::Connect(format!("TLS with {}: {e}", url.host())))
    }
}

impl HttpClient for NetworkClient {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, HttpError>> {
        Box::pin(self.send_inner(request))
    }
}

/// A TCP connection to `url`'s host and port, or to `proxy`'s when through
/// one (then its error names the proxy and its variable).
async fn tcp(url: &HttpUrl, proxy: Option<&ProxyRoute>) -> Result<TcpStream, HttpError> {
    let (host, port) = match proxy {
        Some(proxy) => (proxy.url.host(), proxy.url.port()),
        None => (url.host(), url.port()),
    };
    let stream = TcpStream::connect((host, port)).await.map_err(|e| {
        HttpError::Connect(match proxy {
            Some(proxy) => format!("{proxy}: {e}"),
            None => format!("{host}:{port}: {e}"),
        })
    })?;
    // Best effort: small frames go out at once.
    let _ = stream.set_nodelay(true);
    Ok(stream)
}

/// A `CONNECT` tunnel through `proxy` (connected to by `stream`) to `url`'s
/// host and port.
async fn tunnel(
    stream: TcpStream,
    proxy: &ProxyRoute,
    url: &HttpUrl,
    proxies: &ProxySettings,
) -> Result<TokioIo<hyper::upgrade::Upgraded>, HttpError> {
    let fail = |e: hyper::Error| HttpError::Connect(format!("{proxy}: {}", describe(&e, proxies)));
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(fail)?;
    tokio::spawn(async move {
        let _ = connection.with_upgrades().await;
    });
    let target = format!("{}:{}", url.host_for_connect(), url.port());
    let mut request = hyper::Request::builder()
        .method("CONNECT")
        .uri(target.as_str())
        .header("host", target.as_str());
    if let Some(auth) = proxy_authorization(&proxy.url) {
        request = request.header("proxy-authorization", auth);
    }
    let request = request
        .body(RequestBody(None))
        .map_err(|e| HttpError::Connect(format!("{proxy}: {e}")))?;
    let response = sender.send_request(request).await.map_err(fail)?;
    if !response.status().is_success() {
        return Err(HttpError::Connect(format!(
            "{proxy} refused the tunnel to {target}: HTTP {}",
            response.status().as_u16()
        )));
    }
    let upgraded = hyper::upgrade::on(response).await.map_err(fail)?;
    Ok(TokioIo::new(upgraded))
}

/// `Basic <base64(user:password)>` for a proxy URL with user info.
fn proxy_authorization(proxy: &HttpUrl) -> Option<String> {
    let userinfo = proxy.userinfo()?;
    let decoded = String::from_utf8_lossy(&crate::sigv4::percent_decode(userinfo)).into_owned();
    Some(format!(
        "Basic {}",
        crate::base64::encode(decoded.as_bytes())
    ))
}

/// A hyper error and its causes on one line, without proxy credentials.
fn describe(error: &hyper::Error, proxies: &ProxySettings) -> String {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.ends_with(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    proxies.redact(&message).replace(['\n', '\r'], " ")
}

/// A response body as a [`ChunkSource`]; read to its end, its connection goes
/// back to the pool.
struct IncomingBody {
    body: hyper::body::Incoming,
    return_to: Option<(Arc<Pool>, Key, SendRequest<RequestBody>)>,
}

impl ChunkSource for IncomingBody {
    fn poll_chunk(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, HttpError>>> {
        let this = &mut *self;
        loop {
            match Pin::new(&mut this.body).poll_frame(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => {
                    if let Some((pool, key, sender)) = this.return_to.take() {
                        pool.put(key, sender);
                    }
                    return Poll::Ready(None);
                }
                Poll::Ready(Some(Err(e))) => {
                    this.return_to = None;
                    return Poll::Ready(Some(Err(HttpError::Other(e.to_string()))));
                }
                Poll::Ready(Some(Ok(frame))) => {
                    if let Ok(data) = frame.into_data() {
                        return Poll::Ready(Some(Ok(data)));
                    }
                }
            }
        }
    }
}
