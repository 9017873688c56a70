//! The body of a streamed chat completion: Bedrock's ConverseStream events
//! through the [`ChunkStream`] state machine, out as server-sent events
//! ([`SseBody`]).
//!
//! * What is ready goes out together (one HTTP chunk per read from Bedrock,
//!   at most [`FLUSH_AT`] bytes), as soon as Bedrock goes quiet again;
//! * while Bedrock is silent, a `: keepalive` comment goes out every
//!   `keepalive` (`gateway.keepaliveSeconds`);
//! * a Bedrock stream that fails or ends before `messageStop` ends the body
//!   with an error event ([`ChunkStream::fail`], [`ChunkStream::finish`]);
//! * the body owns Bedrock's stream: a client that goes away drops the body,
//!   and with it the stream (the upstream connection is closed at once).
//!
//! When the outcome is known (the last event is out, or the client went
//! away), the body calls its `on_end` once with the state machine (usage,
//! tool calls, signed reasoning) and how the stream ended.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use tokio::time::{Instant, Sleep};

use super::access_log::StreamEnd;
use super::chunks::ChunkStream;
use super::errors::GatewayError;
use crate::bedrock::error::BedrockError;
use crate::bedrock::stream::{ConverseStream, Event, StreamError};
use crate::server;

/// How many bytes of events are gathered before they go out without waiting
/// for Bedrock to go quiet.
pub const FLUSH_AT: usize = 16 * 1024;

/// What runs once when the stream's outcome is known.
pub type OnEnd = Box<dyn FnOnce(&ChunkStream, StreamEnd) + Send>;

/// A streamed chat completion's body (see the module docs).
pub struct SseBody {
    events: ConverseStream,
    chunks: ChunkStream,
    keepalive: Duration,
    quiet: Pin<Box<Sleep>>,
    /// Events made and not yet sent.
    out: String,
    /// How the stream ended, once it has.
    end: Option<StreamEnd>,
    on_end: Option<OnEnd>,
}

impl SseBody {
    /// A body reading `events` through `chunks`, with a keepalive comment
    /// after each `keepalive` of silence, calling `on_end` once at the end.
    pub fn new(
        events: ConverseStream,
        chunks: ChunkStream,
        keepalive: Duration,
        on_end: OnEnd,
    ) -> SseBody {
        SseBody {
            events,
            chunks,
            keepalive,
            quiet: Box::pin(tokio::time::sleep(keepalive)),
            out: String::new(),
            end: None,
            on_end: Some(on_end),
        }
    }

    /// Turns what Bedrock's stream gave (an event, an error, its end) into
    /// the events to send.
    fn handle(&mut self, item: Option<Result<Event, StreamError>>) {
        let events = match item {
            Some(Ok(event)) => match event.parse() {
                Ok(parsed) => self.chunks.push(&parsed),
                Err(error) => self.fail(error),
            },
            Some(Err(error)) => self.fail(error),
            None => {
                let events = self.chunks.finish();
                self.ended(match self.chunks.finish_reason() {
                    Some(_) => StreamEnd::Done,
                    None => StreamEnd::Error,
                });
                events
            }
        };
        for event in events {
            self.out.push_str(&event);
        }
    }

    /// The error event for a broken Bedrock stream.
    fn fail(&mut self, error: StreamError) -> Vec<String> {
        let error = GatewayError::from_bedrock(&BedrockError::Stream(error));
        let events = self.chunks.fail(&error);
        self.ended(StreamEnd::Error);
        events
    }

    /// Records the outcome and runs `on_end` (once).
    fn ended(&mut self, end: StreamEnd) {
        self.end = Some(end);
        if let Some(on_end) = self.on_end.take() {
            on_end(&self.chunks, end);
        }
    }

    /// The gathered events as one chunk, and the keepalive timer restarted.
    fn flush(&mut self) -> Bytes {
        self.quiet.as_mut().reset(Instant::now() + self.keepalive);
        Bytes::from(std::mem::take(&mut self.out))
    }
}

impl server::ChunkStream for SseBody {
    fn poll_chunk(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, std::io::Error>>> {
        let this = self.get_mut();
        loop {
            if this.end.is_some() {
                return Poll::Ready((!this.out.is_empty()).then(|| Ok(this.flush())));
            }
            match Pin::new(&mut this.events).poll_next(cx) {
                Poll::Ready(item) => {
                    this.handle(item);
                    if this.out.len() >= FLUSH_AT {
                        return Poll::Ready(Some(Ok(this.flush())));
                    }
                }
                Poll::Pending if !this.out.is_empty() => {
                    return Poll::Ready(Some(Ok(this.flush())));
                }
                Poll::Pending => {
                    if this.quiet.as_mut().poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    if let Some(comment) = this.chunks.keepalive() {
                        this.out.push_str(comment);
                    }
                    return Poll::Ready(Some(Ok(this.flush())));
                }
            }
        }
    }
}

impl Drop for SseBody {
    fn drop(&mut self) {
        if self.end.is_none() {
            self.ended(StreamEnd::ClientGone);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eventstream::{encode_frame, Header, HeaderValue};
    use crate::gateway::from_bedrock::CompletionMeta;
    use crate::http::{Body, ChunkSource, HttpError};
    use crate::server::ChunkStream as _;
    use std::sync::{Arc, Mutex};
    use tokio::sync::mpsc;

    /// Body chunks the test sends when it wants; an `Err` breaks the body.
    struct Channel(mpsc::UnboundedReceiver<Result<Bytes, HttpError>>);

    impl ChunkSource for Channel {
        fn poll_chunk(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
        ) -> Poll<Option<Result<Bytes, HttpError>>> {
            self.0.poll_recv(cx)
        }
    }

    fn frame(event: &str, payload: &str) -> Result<Bytes, HttpError> {
        let headers = [
            Header::new(":message-type", HeaderValue::String("event".into())),
            Header::new(":event-type", HeaderValue::String(event.to_owned().into())),
        ];
        let mut out = bytes::BytesMut::new();
        encode_frame(&headers, payload.as_bytes(), &mut out).expect("a frame");
        Ok(out.freeze())
    }

    type Ends = Arc<Mutex<Vec<StreamEnd>>>;

    /// A body over a channel the test feeds, recording each `on_end`.
    fn body(
        keepalive: Duration,
    ) -> (
        SseBody,
        mpsc::UnboundedSender<Result<Bytes, HttpError>>,
        Ends,
    ) {
        let (sender, receiver) = mpsc::unbounded_channel();
        let events = ConverseStream::new(
            Body::from_source(Channel(receiver)),
            Duration::from_secs(600),
        );
        let meta = CompletionMeta {
            id: "chatcmpl-1".into(),
            created: 0,
            model: "m".into(),
        };
        let ends: Ends = Arc::default();
        let seen = Arc::clone(&ends);
        let on_end: OnEnd = Box::new(move |_, end| seen.lock().expect("lock").push(end));
        let body = SseBody::new(events, ChunkStream::new(meta, false), keepalive, on_end);
        (body, sender, ends)
    }

    async fn next(body: &mut SseBody) -> Option<String> {
        std::future::poll_fn(|cx| Pin::new(&mut *body).poll_chunk(cx))
            .await
            .map(|chunk| String::from_utf8(chunk.expect("a chunk").to_vec()).expect("UTF-8"))
    }

    #[tokio::test]
    async fn keepalives_while_silent_then_the_events_then_done() {
        let (mut body, sender, ends) = body(Duration::from_millis(30));
        assert_eq!(next(&mut body).await.as_deref(), Some(": keepalive\n\n"));
        assert_eq!(next(&mut body).await.as_deref(), Some(": keepalive\n\n"));
        for (event, payload) in [
            ("messageStart", r#"{"role":"assistant"}"#),
            (
                "contentBlockDelta",
                r#"{"contentBlockIndex":0,"delta":{"text":"Hi"}}"#,
            ),
            ("messageStop", r#"{"stopReason":"end_turn"}"#),
        ] {
            sender.send(frame(event, payload)).expect("sent");
        }
        let sent = next(&mut body).await.expect("the events");
        assert_eq!(
            sent.matches("data: ").count(),
            3,
            "gathered into one chunk: {sent}"
        );
        assert!(sent.contains(r#""content":"Hi""#) && sent.contains(r#""finish_reason":"stop""#));
        assert!(ends.lock().expect("lock").is_empty());
        drop(sender);
        assert_eq!(next(&mut body).await.as_deref(), Some("data: [DONE]\n\n"));
        assert_eq!(*ends.lock().expect("lock"), [StreamEnd::Done]);
        assert_eq!(next(&mut body).await, None);
        drop(body);
        assert_eq!(*ends.lock().expect("lock"), [StreamEnd::Done], "once");
    }

    #[tokio::test]
    async fn a_broken_stream_ends_with_an_error_event() {
        let (mut body, sender, ends) = body(Duration::from_secs(60));
        sender
            .send(frame("messageStart", r#"{"role":"assistant"}"#))
            .expect("sent");
        sender
            .send(Err(HttpError::Other("connection reset".into())))
            .expect("sent");
        let mut sent = String::new();
        while let Some(chunk) = next(&mut body).await {
            sent.push_str(&chunk);
        }
        assert!(
            sent.ends_with("\n\n") && sent.contains(r#"data: {"error":"#),
            "{sent}"
        );
        assert!(!sent.contains("[DONE]") && !sent.contains(r#""finish_reason":"stop""#));
        assert_eq!(*ends.lock().expect("lock"), [StreamEnd::Error]);
    }

    #[tokio::test]
    async fn a_client_that_goes_away_is_told_once() {
        let (mut body, sender, ends) = body(Duration::from_secs(60));
        sender
            .send(frame("messageStart", r#"{"role":"assistant"}"#))
            .expect("sent");
        assert!(next(&mut body)
            .await
            .is_some_and(|chunk| chunk.contains("assistant")));
        drop(body);
        assert_eq!(*ends.lock().expect("lock"), [StreamEnd::ClientGone]);
        assert!(sender.is_closed(), "the Bedrock stream went with the body");
    }
}
