//! [`Body`]: a response body that arrives in chunks, from the network or from
//! bytes a test hands over.

use std::fmt;
use std::future::poll_fn;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Bytes, BytesMut};

use super::HttpError;

/// A source of body chunks, polled like a stream. [`super::NetworkClient`]
/// adapts the network's; tests make their own (a chunk at a time, a stall, a
/// broken connection).
pub trait ChunkSource: Send {
    /// The next chunk: `Ready(None)` at the end of the body.
    fn poll_chunk(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, HttpError>>>;
}

/// A response body, read chunk by chunk ([`Body::chunk`], [`Body::poll_chunk`])
/// or whole ([`Body::collect`]). Bytes are handed over as they came, never copied.
///
/// ```
/// use bedrock_lite::http::Body;
/// # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
/// let mut body = Body::from_chunks(["Hello, ", "world"]);
/// assert_eq!(body.chunk().await?.as_deref(), Some(&b"Hello, "[..]));
/// let rest = body.collect(1024, std::time::Duration::from_secs(1)).await?;
/// assert_eq!(&rest[..], b"world");
/// # Ok::<(), bedrock_lite::http::HttpError>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Body {
    source: Source,
}

enum Source {
    /// Chunks already in memory, handed out front first.
    Chunks(std::collections::VecDeque<Bytes>),
    /// Chunks still to come.
    Stream(Pin<Box<dyn ChunkSource>>),
}

impl Body {
    /// An empty body.
    pub fn empty() -> Body {
        Body::from_chunks(std::iter::empty::<Bytes>())
    }

    /// A body of these chunks, in order.
    pub fn from_chunks<C: Into<Bytes>>(chunks: impl IntoIterator<Item = C>) -> Body {
        let chunks = chunks
            .into_iter()
            .map(Into::into)
            .filter(|chunk: &Bytes| !chunk.is_empty())
            .collect();
        Body {
            source: Source::Chunks(chunks),
        }
    }

    /// A body whose chunks come from `source`.
    pub fn from_source(source: impl ChunkSource + 'static) -> Body {
        Body {
            source: Source::Stream(Box::pin(source)),
        }
    }

    /// The next chunk, as a poll.
    pub fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, HttpError>>> {
        match &mut self.source {
            Source::Chunks(chunks) => Poll::Ready(chunks.pop_front().map(Ok)),
            Source::Stream(stream) => stream.as_mut().poll_chunk(cx),
        }
    }

    /// The next chunk; `None` at the end of the body.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, HttpError> {
        poll_fn(|cx| self.poll_chunk(cx)).await.transpose()
    }

    /// The rest of the body in one buffer: at most `limit` bytes (more is
    /// [`HttpError::TooLarge`]), each chunk within `idle` of the one before (else
    /// [`HttpError::Timeout`]).
    pub async fn collect(mut self, limit: usize, idle: Duration) -> Result<Bytes, HttpError> {
        let mut first: Option<Bytes> = None;
        let mut joined = BytesMut::new();
        loop {
            let chunk = tokio::time::timeout(idle, self.chunk())
                .await
                .map_err(|_| {
                    HttpError::Timeout(format!(
                        "the body sent nothing for {:.1} s",
                        idle.as_secs_f64()
                    ))
                })??;
            let Some(chunk) = chunk else { break };
            let so_far = first.as_ref().map_or(0, Bytes::len) + joined.len();
            if so_far.saturating_add(chunk.len()) > limit {
                return Err(HttpError::TooLarge { limit });
            }
            match first.take() {
                None if joined.is_empty() => first = Some(chunk),
                None => joined.extend_from_slice(&chunk),
                Some(earlier) => {
                    joined.extend_from_slice(&earlier);
                    joined.extend_from_slice(&chunk);
                }
            }
        }
        // One chunk (the common case) is handed over without a copy.
        Ok(first.unwrap_or_else(|| joined.freeze()))
    }
}

impl From<Bytes> for Body {
    fn from(bytes: Bytes) -> Body {
        Body::from_chunks([bytes])
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Body {
        Body::from(Bytes::from(bytes))
    }
}

impl From<&'static str> for Body {
    fn from(text: &'static str) -> Body {
        Body::from(Bytes::from_static(text.as_bytes()))
    }
}

impl From<String> for Body {
    fn from(text: String) -> Body {
        Body::from(Bytes::from(text))
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Source::Chunks(chunks) => write!(f, "Body({} chunks in memory)", chunks.len()),
            Source::Stream(_) => f.write_str("Body(streaming)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A source that waits forever.
    struct Stall;
    impl ChunkSource for Stall {
        fn poll_chunk(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Bytes, HttpError>>> {
            Poll::Pending
        }
    }

    fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(future)
    }

    #[test]
    fn collect_joins_chunks_and_keeps_one_chunk_whole() {
        let body = Body::from_chunks(["ab", "", "cd", "e"]);
        let joined = block_on(body.collect(5, Duration::from_secs(1))).expect("fits");
        assert_eq!(&joined[..], b"abcde");
        let single = Bytes::from_static(b"whole");
        let pointer = single.as_ptr();
        let back = block_on(Body::from(single).collect(5, Duration::from_secs(1))).expect("fits");
        assert_eq!(back.as_ptr(), pointer, "one chunk is not copied");
        assert!(block_on(Body::empty().collect(0, Duration::from_secs(1)))
            .expect("empty")
            .is_empty());
    }

    #[test]
    fn collect_refuses_more_than_the_limit() {
        let body = Body::from_chunks(["abc", "def"]);
        let error = block_on(body.collect(5, Duration::from_secs(1))).unwrap_err();
        assert_eq!(error, HttpError::TooLarge { limit: 5 });
    }

    #[test]
    fn collect_gives_up_on_a_stalled_body() {
        let error =
            block_on(Body::from_source(Stall).collect(5, Duration::from_millis(20))).unwrap_err();
        assert!(matches!(error, HttpError::Timeout(_)), "{error}");
    }
}
