//! The HTTP/1.1 server under the gateway and the emulator: hyper's server (no
//! hand-written parser), keep-alive, a header-read timeout, a request-body cap,
//! and a graceful stop (stop accepting, let requests in flight finish for a
//! grace period, then close what is left).
//!
//! A [`Handler`] answers each request with a [`Response`] whose [`ResponseBody`]
//! is either whole or a stream of chunks (event streams, server-sent events).
//! A client that goes away drops the response body, and with it whatever the
//! stream was reading from (a Bedrock stream is cancelled at once).

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body as _, Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// A request as the handler gets it.
pub type Request = hyper::Request<Incoming>;
/// A response as the handler gives it.
pub type Response = hyper::Response<ResponseBody>;

/// A boxed `Send` future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A source of response chunks: `Ready(None)` ends the body, an error cuts the
/// connection (the client sees a truncated response).
pub trait ChunkStream: Send {
    /// The next chunk.
    fn poll_chunk(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, std::io::Error>>>;
}

/// A response body: whole, or streamed.
pub struct ResponseBody {
    inner: BodyInner,
}

enum BodyInner {
    Full(Option<Bytes>),
    Stream(Pin<Box<dyn ChunkStream>>),
}

impl ResponseBody {
    /// A whole body.
    pub fn full(bytes: impl Into<Bytes>) -> ResponseBody {
        let bytes = bytes.into();
        ResponseBody {
            inner: BodyInner::Full((!bytes.is_empty()).then_some(bytes)),
        }
    }

    /// A body that streams from `stream` (sent chunked).
    pub fn stream(stream: impl ChunkStream + 'static) -> ResponseBody {
        ResponseBody {
            inner: BodyInner::Stream(Box::pin(stream)),
        }
    }
}

impl http_body::Body for ResponseBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        match &mut self.get_mut().inner {
            BodyInner::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            BodyInner::Stream(stream) => stream
                .as_mut()
                .poll_chunk(cx)
                .map(|chunk| chunk.map(|chunk| chunk.map(Frame::data))),
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self.inner, BodyInner::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match &self.inner {
            BodyInner::Full(bytes) => {
                SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
            BodyInner::Stream(_) => SizeHint::default(),
        }
    }
}

/// Answers requests.
pub trait Handler: Send + Sync + 'static {
    /// The response to `request` from `peer`.
    fn handle(&self, request: Request, peer: SocketAddr) -> BoxFuture<'_, Response>;
}

/// How the server treats connections.
#[derive(Debug, Clone, Copy)]
pub struct ServerOptions {
    /// Time allowed for a request's head to arrive (and for the next request on
    /// a kept-alive connection).
    pub header_timeout: Duration,
    /// After a stop is asked for: how long requests in flight may go on.
    pub grace: Duration,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            header_timeout: Duration::from_secs(30),
            grace: Duration::from_secs(30),
        }
    }
}

/// Serves `listener` with `handler` until `stop` resolves, then stops
/// accepting, lets connections finish their requests for `options.grace`, and
/// returns (closing whatever is left).
pub async fn serve(
    listener: TcpListener,
    handler: Arc<dyn Handler>,
    options: ServerOptions,
    stop: impl Future<Output = ()>,
) {
    let (stopping, stop_seen) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(stop);
    loop {
        while connections.try_join_next().is_some() {}
        tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    let handler = Arc::clone(&handler);
                    let stop_seen = stop_seen.clone();
                    connections.spawn(connection(stream, peer, handler, options, stop_seen));
                }
                // Out of file descriptors and the like: wait and go on.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            },
        }
    }
    drop(listener);
    let _ = stopping.send(true);
    let drained = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(options.grace, drained).await.is_err() {
        connections.abort_all();
    }
}

/// Serves one connection until it closes, or until a stop is asked for and its
/// request in flight (if any) is done.
async fn connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    handler: Arc<dyn Handler>,
    options: ServerOptions,
    mut stop_seen: watch::Receiver<bool>,
) {
    let service = hyper::service::service_fn(move |request: Request| {
        let handler = Arc::clone(&handler);
        async move { Ok::<_, Infallible>(handler.handle(request, peer).await) }
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(options.header_timeout)
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    let stopping = tokio::select! {
        _ = connection.as_mut() => false,
        seen = stop_seen.wait_for(|stop| *stop) => seen.is_ok(),
    };
    if stopping {
        connection.as_mut().graceful_shutdown();
        let _ = connection.await;
    }
}

/// Why a request body could not be read.
#[derive(Debug)]
pub enum BodyError {
    /// Larger than the cap.
    TooLarge {
        /// The cap, in bytes.
        limit: usize,
    },
    /// The connection failed while reading it.
    Io(String),
}

/// Reads a whole request body: at most `limit` bytes (a `Content-Length`
/// over it is refused before anything is read).
pub async fn read_body(
    request: Request,
    limit: usize,
) -> Result<(hyper::http::request::Parts, Bytes), BodyError> {
    let (parts, mut body) = request.into_parts();
    let declared = body.size_hint().lower();
    if usize::try_from(declared).map_or(true, |n| n > limit) {
        return Err(BodyError::TooLarge { limit });
    }
    let mut collected = bytes::BytesMut::new();
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let frame = frame.map_err(|e| BodyError::Io(e.to_string()))?;
        if let Ok(data) = frame.into_data() {
            if collected.len().saturating_add(data.len()) > limit {
                return Err(BodyError::TooLarge { limit });
            }
            collected.extend_from_slice(&data);
        }
    }
    Ok((parts, collected.freeze()))
}
