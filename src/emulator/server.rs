//! The emulator over the shared hyper server ([`crate::server`]): each request
//! is read whole (at most 16 MiB) and answered by [`converse::respond`]; the
//! answer goes out whole (`Content-Length`) or chunked, with drips (a wait
//! before each chunk) and cuts (the connection dropped after some bytes) on
//! demand. Malformed requests are hyper's to refuse.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use tokio::net::TcpListener;

use super::auth::http_date;
use super::converse;
use super::script::Shared;
use crate::server::{self as http_server, BodyError, ChunkStream, Handler, ResponseBody};

/// The largest request body accepted.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// How long a scripted cut waits for the bytes before it to go out.
const CUT_FLUSH: Duration = Duration::from_millis(20);

/// A request the emulator received, kept for tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// `POST`, `GET`...
    pub method: String,
    /// The request target as it travelled: path and query, percent-encoded.
    pub path: String,
    /// The headers in order, names as sent.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Bytes,
}

impl RecordedRequest {
    /// The first header named `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// A response, before it is written.
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: Body,
    /// Cut the connection after this many body bytes.
    pub(crate) drop_after: Option<usize>,
}

/// How the body goes out.
pub(crate) enum Body {
    /// All at once, with `Content-Length`.
    Full(Bytes),
    /// `Transfer-Encoding: chunked`, one HTTP chunk per piece, each after `delay`.
    Chunked {
        /// The pieces.
        chunks: Vec<Bytes>,
        /// The wait before each piece.
        delay: Option<Duration>,
    },
}

impl Response {
    /// A complete response with a `Content-Length` body.
    pub(crate) fn full(status: u16, content_type: &str, body: impl Into<Bytes>) -> Self {
        Response {
            status,
            headers: vec![("content-type", content_type.to_owned())],
            body: Body::Full(body.into()),
            drop_after: None,
        }
    }
}

/// Serves until the task is aborted; dropping the task closes every connection.
pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let handler: Arc<dyn Handler> = Arc::new(Emulated { shared });
    http_server::serve(
        listener,
        handler,
        http_server::ServerOptions::default(),
        std::future::pending(),
    )
    .await;
}

/// The emulator as a request handler.
struct Emulated {
    shared: Arc<Shared>,
}

impl Handler for Emulated {
    fn handle(
        &self,
        request: http_server::Request,
        _peer: SocketAddr,
    ) -> http_server::BoxFuture<'_, http_server::Response> {
        Box::pin(async move {
            let path = request.uri().path_and_query().map_or_else(
                || request.uri().path().to_owned(),
                |p| p.as_str().to_owned(),
            );
            let (parts, body) = match http_server::read_body(request, MAX_BODY).await {
                Ok(read) => read,
                Err(BodyError::TooLarge { limit }) => {
                    let message = format!("request body exceeds {limit} bytes");
                    return self.reply(converse::error(413, "ValidationException", &message));
                }
                Err(BodyError::Io(message)) => {
                    return self.reply(converse::error(400, "ValidationException", &message))
                }
                Err(BodyError::Idle { after }) => {
                    let message = format!("no request body bytes for {} s", after.as_secs_f64());
                    return self.reply(converse::error(408, "RequestTimeout", &message));
                }
            };
            let headers = parts
                .headers
                .iter()
                .map(|(name, value)| {
                    let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                    (name.as_str().to_owned(), value)
                })
                .collect();
            let recorded = RecordedRequest {
                method: parts.method.as_str().to_owned(),
                path,
                headers,
                body,
            };
            let response = converse::respond(&self.shared, &recorded);
            self.shared.record(recorded);
            self.reply(response)
        })
    }
}

impl Emulated {
    /// The hyper response for an emulator response: its `Date` on the
    /// emulator's (perhaps skewed) clock; drips and cuts as a chunk stream.
    fn reply(&self, response: Response) -> http_server::Response {
        let mut builder = hyper::Response::builder()
            .status(response.status)
            .header("date", http_date(self.shared.now()));
        for (name, value) in &response.headers {
            builder = builder.header(*name, value.as_str());
        }
        let body = match (response.body, response.drop_after) {
            (Body::Full(bytes), None) => ResponseBody::full(bytes),
            (Body::Full(bytes), Some(cut)) => {
                ResponseBody::stream(Scripted::new(vec![bytes], None, Some(cut)))
            }
            (Body::Chunked { chunks, delay }, cut) => {
                ResponseBody::stream(Scripted::new(chunks, delay, cut))
            }
        };
        builder.body(body).unwrap_or_else(|_| {
            hyper::Response::new(ResponseBody::full(Bytes::from_static(b"invalid response")))
        })
    }
}

/// A scripted body: its chunks in order, each after `delay`; cut (an error,
/// which drops the connection) once `cut` bytes have gone.
struct Scripted {
    chunks: std::collections::VecDeque<Bytes>,
    delay: Option<Duration>,
    wait: Option<Pin<Box<tokio::time::Sleep>>>,
    budget: Option<usize>,
}

impl Scripted {
    fn new(chunks: Vec<Bytes>, delay: Option<Duration>, cut: Option<usize>) -> Scripted {
        Scripted {
            chunks: chunks.into_iter().filter(|c| !c.is_empty()).collect(),
            delay,
            wait: None,
            budget: cut,
        }
    }
}

impl ChunkStream for Scripted {
    fn poll_chunk(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, std::io::Error>>> {
        use std::future::Future;
        let this = &mut *self;
        if this.budget == Some(0) {
            // Let what went before reach the client (hyper flushes while the
            // body is pending), then cut the connection.
            let wait = this
                .wait
                .get_or_insert_with(|| Box::pin(tokio::time::sleep(CUT_FLUSH)));
            if wait.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            this.chunks.clear();
            return Poll::Ready(Some(Err(std::io::Error::other("scripted cut"))));
        }
        if this.chunks.is_empty() {
            return Poll::Ready(None);
        }
        if let Some(delay) = this.delay {
            let wait = this
                .wait
                .get_or_insert_with(|| Box::pin(tokio::time::sleep(delay)));
            if wait.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            this.wait = None;
        }
        let Some(mut chunk) = this.chunks.pop_front() else {
            return Poll::Ready(None);
        };
        if let Some(budget) = this.budget.as_mut() {
            if chunk.len() > *budget {
                chunk.truncate(*budget);
            }
            *budget -= chunk.len();
        }
        Poll::Ready(Some(Ok(chunk)))
    }
}
