//! The HTTP/1.1 server: request line, headers and a `Content-Length` body in;
//! a `Content-Length` or chunked body out, with drips and cuts on demand.
//! Malformed or oversized requests get a 400 and the connection closes; nothing
//! here panics on any input.

use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

use super::auth::http_date;
use super::converse;
use super::script::Shared;

/// The largest request line plus headers accepted.
const MAX_HEAD: usize = 64 * 1024;
/// The largest request body accepted.
const MAX_BODY: usize = 16 * 1024 * 1024;
/// The most headers in one request.
const MAX_HEADERS: usize = 100;
/// How long a connection may take to send a whole request.
const READ_TIMEOUT: Duration = Duration::from_secs(60);

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

/// Accepts connections until the task is aborted; dropping the set of
/// connection tasks with it closes them all.
pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        match listener.accept().await {
            Ok((stream, _)) => {
                connections.spawn(connection(stream, Arc::clone(&shared)));
            }
            // Out of file descriptors and the like: wait and go on.
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// Why no request could be read.
enum ReadError {
    /// The client closed the connection between requests (or failed to send).
    Closed,
    /// The bytes are not an acceptable HTTP/1.1 request.
    Malformed(String),
}

/// Serves the requests of one connection, one after the other (keep-alive).
async fn connection(mut stream: TcpStream, shared: Arc<Shared>) {
    // Best effort: small frames go out at once.
    let _ = stream.set_nodelay(true);
    let mut buffer = BytesMut::with_capacity(8 * 1024);
    loop {
        let read = tokio::time::timeout(READ_TIMEOUT, read_request(&mut stream, &mut buffer)).await;
        let request = match read {
            Ok(Ok(request)) => request,
            Ok(Err(ReadError::Malformed(message))) => {
                let response = converse::error(400, "ValidationException", &message);
                let _ = write_response(&mut stream, response, &shared, true).await;
                return;
            }
            Ok(Err(ReadError::Closed)) | Err(_) => return,
        };
        let close = request
            .header("connection")
            .is_some_and(|value| value.eq_ignore_ascii_case("close"));
        let response = converse::respond(&shared, &request);
        shared.record(request);
        let cut = response.drop_after.is_some();
        if write_response(&mut stream, response, &shared, close)
            .await
            .is_err()
            || cut
            || close
        {
            return;
        }
    }
}

/// Reads one request into `buffer` (which keeps any bytes past it).
async fn read_request(
    stream: &mut TcpStream,
    buffer: &mut BytesMut,
) -> Result<RecordedRequest, ReadError> {
    let head_len = loop {
        let end = find_head_end(buffer);
        if end.unwrap_or(buffer.len()) > MAX_HEAD {
            return Err(ReadError::Malformed(format!(
                "request headers exceed {MAX_HEAD} bytes"
            )));
        }
        if let Some(end) = end {
            break end;
        }
        read_more(stream, buffer).await?;
    };
    let head = buffer.split_to(head_len);
    let mut request = parse_head(&head)?;
    if request.header("transfer-encoding").is_some() {
        return Err(ReadError::Malformed(
            "chunked request bodies are not supported; send Content-Length".into(),
        ));
    }
    let length = match request.header("content-length") {
        None => 0,
        Some(value) => value
            .parse::<usize>()
            .ok()
            .filter(|_| value.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| ReadError::Malformed(format!("bad Content-Length `{value}`")))?,
    };
    if length > MAX_BODY {
        return Err(ReadError::Malformed(format!(
            "request body of {length} bytes exceeds {MAX_BODY} bytes"
        )));
    }
    while buffer.len() < length {
        read_more(stream, buffer).await?;
    }
    request.body = buffer.split_to(length).freeze();
    Ok(request)
}

/// Reads what the socket has into `buffer`; end of stream is [`ReadError::Closed`].
async fn read_more(stream: &mut TcpStream, buffer: &mut BytesMut) -> Result<(), ReadError> {
    buffer.reserve(8 * 1024);
    match stream.read_buf(buffer).await {
        Ok(0) | Err(_) => Err(ReadError::Closed),
        Ok(_) => Ok(()),
    }
}

/// The length of the head, blank line included, once it is all in `buffer`.
fn find_head_end(buffer: &[u8]) -> Option<usize> {
    buffer
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .map(|at| at + 4)
}

/// The method, target and headers of a head that ends with a blank line
/// (the body is left empty).
fn parse_head(head: &[u8]) -> Result<RecordedRequest, ReadError> {
    let text = std::str::from_utf8(head)
        .map_err(|_| ReadError::Malformed("request head is not UTF-8".into()))?;
    let mut lines = text.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ReadError::Malformed("malformed request line".into()));
    };
    if !is_token(method) || !target.starts_with('/') || !matches!(version, "HTTP/1.1" | "HTTP/1.0")
    {
        return Err(ReadError::Malformed("malformed request line".into()));
    }
    let mut headers = Vec::new();
    for line in lines.filter(|line| !line.is_empty()) {
        let Some((name, value)) = line.split_once(':') else {
            return Err(ReadError::Malformed("malformed header line".into()));
        };
        if !is_token(name) || headers.len() >= MAX_HEADERS {
            return Err(ReadError::Malformed("malformed or too many headers".into()));
        }
        headers.push((name.to_owned(), value.trim_matches([' ', '\t']).to_owned()));
    }
    Ok(RecordedRequest {
        method: method.to_owned(),
        path: target.to_owned(),
        headers,
        body: Bytes::new(),
    })
}

/// An HTTP token (RFC 9110): a method or a header name.
fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Writes `response`; stops after `drop_after` body bytes when set.
async fn write_response(
    stream: &mut TcpStream,
    response: Response,
    shared: &Shared,
    close: bool,
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        response.status,
        reason(response.status)
    );
    let date = http_date(shared.now());
    head.push_str(&format!("date: {date}\r\n"));
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if close {
        head.push_str("connection: close\r\n");
    }
    let mut budget = response.drop_after.unwrap_or(usize::MAX);
    match response.body {
        Body::Full(body) => {
            head.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
            stream.write_all(head.as_bytes()).await?;
            let sent = body.len().min(budget);
            stream
                .write_all(body.get(..sent).unwrap_or_default())
                .await?;
        }
        Body::Chunked { chunks, delay } => {
            head.push_str("transfer-encoding: chunked\r\n\r\n");
            stream.write_all(head.as_bytes()).await?;
            stream.flush().await?;
            for chunk in chunks.iter().filter(|chunk| !chunk.is_empty()) {
                if let Some(delay) = delay {
                    tokio::time::sleep(delay).await;
                }
                let sent = chunk.len().min(budget);
                stream
                    .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                    .await?;
                stream
                    .write_all(chunk.get(..sent).unwrap_or_default())
                    .await?;
                if sent < chunk.len() {
                    break;
                }
                budget -= sent;
                stream.write_all(b"\r\n").await?;
                stream.flush().await?;
            }
            if response.drop_after.is_none() {
                stream.write_all(b"0\r\n\r\n").await?;
            }
        }
    }
    stream.flush().await?;
    if response.drop_after.is_some() {
        stream.shutdown().await?;
    }
    Ok(())
}

/// The reason phrase of the statuses the emulator sends.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        424 => "Failed Dependency",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_head() {
        let head = b"POST /model/m/converse HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n";
        let Ok(request) = parse_head(head) else {
            panic!("a valid head");
        };
        assert_eq!(request.method, "POST");
        assert_eq!(request.path, "/model/m/converse");
        assert_eq!(request.header("content-length"), Some("2"));
    }

    #[test]
    fn refuses_malformed_heads() {
        for head in [
            &b"GARBAGE\r\n\r\n"[..],
            b"POST x HTTP/1.1\r\n\r\n",
            b"POST / HTTP/2\r\n\r\n",
            b"POST / HTTP/1.1\r\nno colon\r\n\r\n",
            b"POST / HTTP/1.1\r\nbad name: v\r\n\r\n",
            b"\xff / HTTP/1.1\r\n\r\n",
        ] {
            assert!(parse_head(head).is_err());
        }
    }

    proptest::proptest! {
        #[test]
        fn any_head_parses_or_is_refused(head in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let _ = parse_head(&head);
            let _ = find_head_end(&head);
        }
    }

    #[test]
    fn finds_the_end_of_a_head() {
        assert_eq!(find_head_end(b"GET / HTTP/1.1\r\n\r\nbody"), Some(18));
        assert_eq!(find_head_end(b"GET / HTTP/1.1\r\n"), None);
    }
}
