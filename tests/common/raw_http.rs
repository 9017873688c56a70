//! A scripted HTTP/1.1 server on a loopback address, for answers no real
//! server gives: a redirect, an error body under status 200, a reply that
//! stalls, garbage. Each connection reads one request (head, then
//! `content-length` bytes), records it, and plays the [`Step`]s the handler
//! chose for it, then closes.
//!
//! Bounded: it accepts at most [`MAX_CONNECTIONS`] connections, holds none
//! longer than [`MAX_HOLD`], and dropping the server ends every connection.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// Connections one server accepts; later ones are refused.
pub const MAX_CONNECTIONS: usize = 1024;
/// The longest a [`Step::Hold`] keeps a connection open.
pub const MAX_HOLD: Duration = Duration::from_secs(120);
/// The largest request head or body read.
const MAX_REQUEST: usize = 1024 * 1024;

/// A request as the server read it.
#[derive(Clone, Debug)]
pub struct RawRequest {
    /// `POST`, `GET`...
    pub method: String,
    /// Path and query.
    pub target: String,
    /// Names in lower case, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Bytes,
}

impl RawRequest {
    /// The first header named `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One thing the server does on a connection, in order.
#[derive(Clone, Debug)]
pub enum Step {
    /// Writes these bytes.
    Write(Bytes),
    /// Keeps the connection open and says nothing (at most [`MAX_HOLD`]).
    Hold,
}

/// What the handler answers for each request: the steps to play.
pub type Handler = Arc<dyn Fn(&RawRequest) -> Vec<Step> + Send + Sync>;

/// A running server; see the module docs.
pub struct RawServer {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<RawRequest>>>,
    task: JoinHandle<()>,
}

impl RawServer {
    /// Serves on `ip` (a loopback address), any free port.
    pub async fn start(
        ip: impl Into<IpAddr>,
        handler: impl Fn(&RawRequest) -> Vec<Step> + Send + Sync + 'static,
    ) -> RawServer {
        let listener = TcpListener::bind((ip.into(), 0)).await.expect("bind");
        let addr = listener.local_addr().expect("local address");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Handler = Arc::new(handler);
        let log = Arc::clone(&seen);
        let task = tokio::spawn(async move {
            // Dropping the set (when the task is aborted) ends every connection.
            let mut connections = JoinSet::new();
            for _ in 0..MAX_CONNECTIONS {
                let Ok((stream, _)) = listener.accept().await else {
                    break;
                };
                connections.spawn(serve(stream, Arc::clone(&handler), Arc::clone(&log)));
            }
            drop(listener);
            while connections.join_next().await.is_some() {}
        });
        RawServer { addr, seen, task }
    }

    /// Answers every request with `response` and closes.
    pub async fn answering(ip: impl Into<IpAddr>, response: Bytes) -> RawServer {
        RawServer::start(ip, move |_| vec![Step::Write(response.clone())]).await
    }

    /// Reads each request and never answers.
    pub async fn hanging(ip: impl Into<IpAddr>) -> RawServer {
        RawServer::start(ip, |_| vec![Step::Hold]).await
    }

    /// The address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://IP:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request read so far.
    pub fn seen(&self) -> Vec<RawRequest> {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A whole HTTP/1.1 response: status, headers, `content-length` and body;
/// the connection closes after it.
pub fn response(status: u16, headers: &[(&str, &str)], body: impl AsRef<[u8]>) -> Bytes {
    let body = body.as_ref();
    let mut out = head(status, headers, Some(body.len())).to_vec();
    out.extend_from_slice(body);
    Bytes::from(out)
}

/// The head of an HTTP/1.1 response (with `content-length` when given, and
/// `connection: close`).
pub fn head(status: u16, headers: &[(&str, &str)], content_length: Option<usize>) -> Bytes {
    let mut text = format!("HTTP/1.1 {status} Scripted\r\nconnection: close\r\n");
    if let Some(length) = content_length {
        text.push_str(&format!("content-length: {length}\r\n"));
    }
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    Bytes::from(text)
}

/// Reads one request, records it, plays the handler's steps, closes.
async fn serve(mut stream: TcpStream, handler: Handler, log: Arc<Mutex<Vec<RawRequest>>>) {
    let _ = stream.set_nodelay(true);
    let Some(request) = read_request(&mut stream).await else {
        return;
    };
    log.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(request.clone());
    for step in handler(&request) {
        let written = match step {
            Step::Write(bytes) => stream.write_all(&bytes).await,
            Step::Hold => {
                tokio::time::sleep(MAX_HOLD).await;
                Ok(())
            }
        };
        if written.is_err() {
            return;
        }
    }
    let _ = stream.shutdown().await;
}

/// The head and `content-length` body of one request; `None` if the peer
/// closed first or sent more than [`MAX_REQUEST`].
async fn read_request(stream: &mut TcpStream) -> Option<RawRequest> {
    let mut buffer = Vec::new();
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        if buffer.len() > MAX_REQUEST {
            return None;
        }
        let mut chunk = [0u8; 8192];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_owned();
    let target = request_line.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0)
        .min(MAX_REQUEST);
    let mut body = buffer.split_off(head_end + 4);
    while body.len() < length {
        let mut chunk = [0u8; 8192];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    Some(RawRequest {
        method,
        target,
        headers,
        body: Bytes::from(body),
    })
}
