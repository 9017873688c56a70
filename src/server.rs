//! The HTTP/1.1 server under the gateway and the emulator: hyper's server (no
//! hand-written parser), keep-alive, a header-read timeout, an idle timeout
//! (a request body that stops arriving, a response the client stops reading),
//! a request-body cap, and a graceful stop (stop accepting, let requests in
//! flight finish for a grace period, then close what is left).
//!
//! A [`Handler`] answers each request with a [`Response`] whose [`ResponseBody`]
//! is either whole or a stream of chunks (event streams, server-sent events).
//! A client that goes away drops the response body, and with it whatever the
//! stream was reading from (a Bedrock stream is cancelled at once).

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body as _, Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Sleep;

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

/// The default [`ServerOptions::idle_timeout`] (30 s).
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// How the server treats connections.
#[derive(Debug, Clone, Copy)]
pub struct ServerOptions {
    /// Time allowed for a request's head to arrive (and for the next request on
    /// a kept-alive connection).
    pub header_timeout: Duration,
    /// How long a request in progress may stall: a request body that brings
    /// no bytes for this long is refused ([`read_body`] gives
    /// [`BodyError::Idle`]), and a response the client does not read for this
    /// long (the socket's send buffer stays full) closes the connection, which
    /// drops the response body and whatever it streams from.
    pub idle_timeout: Duration,
    /// After a stop is asked for: how long requests in flight may go on.
    pub grace: Duration,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            header_timeout: Duration::from_secs(30),
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
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
    stream: TcpStream,
    peer: SocketAddr,
    handler: Arc<dyn Handler>,
    options: ServerOptions,
    mut stop_seen: watch::Receiver<bool>,
) {
    let idle = options.idle_timeout;
    let service = hyper::service::service_fn(move |mut request: Request| {
        request.extensions_mut().insert(BodyIdleTimeout(idle));
        let handler = Arc::clone(&handler);
        async move { Ok::<_, Infallible>(handler.handle(request, peer).await) }
    });
    let stream = WriteIdle {
        stream,
        idle,
        stalled: None,
    };
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
    /// No bytes of it came for the server's idle timeout.
    Idle {
        /// The idle timeout.
        after: Duration,
    },
}

/// The idle timeout of the connection a request came on, for [`read_body`]
/// (the server puts it in each request's extensions).
#[derive(Debug, Clone, Copy)]
struct BodyIdleTimeout(Duration);

/// Reads a whole request body: at most `limit` bytes (a `Content-Length`
/// over it is refused before anything is read), each piece within the
/// server's [`ServerOptions::idle_timeout`] of the one before (else
/// [`BodyError::Idle`]). Answer that with a 408: hyper then closes the
/// connection after the response, as the rest of the body was never read.
pub async fn read_body(
    request: Request,
    limit: usize,
) -> Result<(hyper::http::request::Parts, Bytes), BodyError> {
    let (parts, mut body) = request.into_parts();
    let declared = body.size_hint().lower();
    if usize::try_from(declared).map_or(true, |n| n > limit) {
        return Err(BodyError::TooLarge { limit });
    }
    let idle = parts
        .extensions
        .get::<BodyIdleTimeout>()
        .map_or(DEFAULT_IDLE_TIMEOUT, |timeout| timeout.0);
    let mut collected = bytes::BytesMut::new();
    loop {
        let next = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx));
        let Some(frame) = tokio::time::timeout(idle, next)
            .await
            .map_err(|_| BodyError::Idle { after: idle })?
        else {
            break;
        };
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

/// A connection's socket whose writes fail once one has waited for the idle
/// timeout: a client that stops reading fills the socket's send buffer, and
/// the error makes hyper close the connection (dropping the response body).
struct WriteIdle {
    stream: TcpStream,
    idle: Duration,
    /// Started when a write found the send buffer full; cleared by any write
    /// that goes through.
    stalled: Option<Pin<Box<Sleep>>>,
}

impl WriteIdle {
    /// `poll` (a write's outcome) as it stands, or an error once writes have
    /// been waiting for the idle timeout.
    fn watch<T>(&mut self, cx: &mut Context<'_>, poll: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if poll.is_ready() {
            self.stalled = None;
            return poll;
        }
        let idle = self.idle;
        let stalled = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(idle)));
        match stalled.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!(
                    "the client read nothing for {:.1} s (idle timeout)",
                    idle.as_secs_f64()
                ),
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncRead for WriteIdle {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for WriteIdle {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.stream).poll_write(cx, buf);
        this.watch(cx, poll)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
        this.watch(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.stream).poll_flush(cx);
        this.watch(cx, poll)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Instant;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpSocket;

    const IDLE: Duration = Duration::from_millis(400);

    /// Reads the request body; 408 when it stalls, else an endless stream
    /// whose drop sets `dropped`.
    struct Stalls {
        dropped: Arc<AtomicBool>,
    }

    struct Endless {
        dropped: Arc<AtomicBool>,
    }

    impl ChunkStream for Endless {
        fn poll_chunk(
            self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
        ) -> Poll<Option<Result<Bytes, io::Error>>> {
            Poll::Ready(Some(Ok(Bytes::from(vec![b'x'; 64 * 1024]))))
        }
    }

    impl Drop for Endless {
        fn drop(&mut self) {
            self.dropped.store(true, Ordering::SeqCst);
        }
    }

    impl Handler for Stalls {
        fn handle(&self, request: Request, _peer: SocketAddr) -> BoxFuture<'_, Response> {
            Box::pin(async move {
                match read_body(request, 1024).await {
                    Err(BodyError::Idle { after }) => {
                        assert_eq!(after, IDLE);
                        let mut response = hyper::Response::new(ResponseBody::full("stalled"));
                        *response.status_mut() = hyper::StatusCode::REQUEST_TIMEOUT;
                        response
                    }
                    Err(other) => panic!("{other:?}"),
                    Ok(_) => hyper::Response::new(ResponseBody::stream(Endless {
                        dropped: Arc::clone(&self.dropped),
                    })),
                }
            })
        }
    }

    /// A server with the idle timeout [`IDLE`]; its address and the flag of
    /// the endless body's drop.
    async fn start() -> (SocketAddr, Arc<AtomicBool>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let dropped = Arc::new(AtomicBool::new(false));
        let handler = Arc::new(Stalls {
            dropped: Arc::clone(&dropped),
        });
        let options = ServerOptions {
            idle_timeout: IDLE,
            ..ServerOptions::default()
        };
        tokio::spawn(serve(listener, handler, options, std::future::pending()));
        (address, dropped)
    }

    #[tokio::test]
    async fn a_body_that_stops_arriving_gets_a_408_and_the_connection_closes() {
        let (address, _) = start().await;
        let mut client = tokio::net::TcpStream::connect(address).await.unwrap();
        client
            .write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789")
            .await
            .unwrap();
        let sent = Instant::now();
        let mut answer = Vec::new();
        tokio::time::timeout(Duration::from_secs(5), client.read_to_end(&mut answer))
            .await
            .expect("the connection closes")
            .unwrap();
        let waited = sent.elapsed();
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.ends_with("stalled"), "{answer}");
        assert!(
            waited >= IDLE && waited < IDLE + Duration::from_secs(2),
            "{waited:?}"
        );
    }

    #[tokio::test]
    async fn a_body_that_keeps_arriving_is_read_whole() {
        let (address, _) = start().await;
        let mut client = tokio::net::TcpStream::connect(address).await.unwrap();
        client
            .write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\n")
            .await
            .unwrap();
        for piece in [b"ab", b"cd", b"ef"] {
            tokio::time::sleep(IDLE / 2).await;
            client.write_all(piece).await.unwrap();
        }
        let mut head = [0u8; 12];
        client.read_exact(&mut head).await.unwrap();
        assert_eq!(&head, b"HTTP/1.1 200");
    }

    #[tokio::test]
    async fn a_client_that_stops_reading_is_dropped_with_its_body() {
        let (address, dropped) = start().await;
        let socket = TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        let mut client = socket.connect(address).await.unwrap();
        client
            .write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
            .await
            .unwrap();
        let sent = Instant::now();
        while !dropped.load(Ordering::SeqCst) {
            assert!(
                sent.elapsed() < IDLE + Duration::from_secs(5),
                "the endless body is still held"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(sent.elapsed() >= IDLE, "{:?}", sent.elapsed());
        drop(client);
    }
}
