//! ConverseStream responses: [`EventReader`] (pure: chunks in, events out) and
//! [`ConverseStream`] (the reader over the HTTP body, with an idle timeout).
//!
//! Each body chunk is pushed into the event-stream [`Decoder`] as the `Bytes`
//! reqwest handed over (no copy); each [`Event`] holds its decoded [`Message`],
//! which shares those bytes; [`Event::parse`] reads the payload with text deltas
//! borrowed from it. Exception frames end the stream with a typed error; a
//! stream that ends without `messageStop`, or inside a frame, is an error.
//! Unknown event types are yielded like any other.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;

use super::error::BedrockError;
use crate::eventstream::{Decoder, Message};
use crate::types::{parse_event, parse_exception, StreamEvent};

/// One ConverseStream event: a decoded event-stream message with
/// `:message-type` `event`, sharing the received bytes.
#[derive(Clone, Debug)]
pub struct Event {
    message: Message,
}

impl Event {
    /// The `:event-type` header, e.g. `contentBlockDelta`.
    pub fn event_type(&self) -> &str {
        self.message.str_header(":event-type").unwrap_or_default()
    }

    /// The typed event, borrowing text deltas from the frame (no copy when the
    /// JSON string has no escapes). An unknown event type is
    /// [`StreamEvent::Unknown`], not an error.
    pub fn parse(&self) -> Result<StreamEvent<'_>, BedrockError> {
        parse_event(self.event_type(), self.payload())
            .map_err(|e| BedrockError::InvalidResponse(e.to_string()))
    }

    /// The JSON payload.
    pub fn payload(&self) -> &[u8] {
        self.message.payload()
    }

    /// The whole message (headers and payload).
    pub fn message(&self) -> &Message {
        &self.message
    }
}

/// Where an [`EventReader`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReaderState {
    /// Reading; `messageStop` not seen yet.
    Open,
    /// `messageStop` seen (the `metadata` event may follow).
    Stopped,
    /// An error was returned; nothing more comes.
    Failed,
}

/// Turns ConverseStream body chunks into [`Event`]s, with no I/O.
///
/// * `:message-type` `event`: yielded (any `:event-type`, known or not);
/// * `exception`: [`BedrockError::StreamException`] (typed by `:exception-type`);
/// * `error`: [`BedrockError::InvalidResponse`] with `:error-code` and `:error-message`;
/// * a bad frame (CRC, lengths, headers), a missing `:message-type` or
///   `:event-type`, or an end ([`finish`](Self::finish)) before `messageStop`
///   or inside a frame: [`BedrockError::InvalidResponse`].
///
/// After an error the reader yields nothing more, and `finish` reports no new error.
///
/// ```
/// use bedrock_lite::bedrock::stream::EventReader;
/// use bedrock_lite::eventstream::{encode_frame, Header, HeaderValue};
/// let mut body = bytes::BytesMut::new();
/// for (event, payload) in [("contentBlockDelta", r#"{"delta":{"text":"Hi"},"contentBlockIndex":0}"#),
///                          ("messageStop", r#"{"stopReason":"end_turn"}"#)] {
///     let headers = [Header::new(":message-type", HeaderValue::String("event".into())),
///                    Header::new(":event-type", HeaderValue::String(event.into()))];
///     encode_frame(&headers, payload.as_bytes(), &mut body).unwrap();
/// }
/// let mut reader = EventReader::new();
/// reader.push(body.freeze());
/// assert_eq!(reader.next()?.unwrap().event_type(), "contentBlockDelta");
/// assert_eq!(reader.next()?.unwrap().event_type(), "messageStop");
/// assert!(reader.next()?.is_none());
/// reader.finish()?;
/// # Ok::<(), bedrock_lite::bedrock::error::BedrockError>(())
/// ```
#[derive(Debug)]
pub struct EventReader {
    decoder: Decoder,
    state: ReaderState,
}

impl Default for EventReader {
    fn default() -> Self {
        Self::new()
    }
}

impl EventReader {
    /// A reader waiting for the first chunk.
    pub fn new() -> Self {
        EventReader {
            decoder: Decoder::new(),
            state: ReaderState::Open,
        }
    }

    /// Hands over the next body chunk (kept, not copied).
    pub fn push(&mut self, chunk: Bytes) {
        if self.state != ReaderState::Failed {
            self.decoder.push(chunk);
        }
    }

    /// The next complete event; `Ok(None)` when more bytes are needed (or after an error).
    // Not `Iterator::next`: `Ok(None)` means "push more", not the end.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<Event>, BedrockError> {
        if self.state == ReaderState::Failed {
            return Ok(None);
        }
        let result = self.read_next();
        if result.is_err() {
            self.state = ReaderState::Failed;
        }
        result
    }

    fn read_next(&mut self) -> Result<Option<Event>, BedrockError> {
        let Some(message) = self
            .decoder
            .next_message()
            .map_err(|e| BedrockError::InvalidResponse(format!("event stream: {e}")))?
        else {
            return Ok(None);
        };
        match message.str_header(":message-type") {
            Some("event") => {
                match message.str_header(":event-type") {
                    None => {
                        return Err(BedrockError::InvalidResponse(
                            "event stream: an event without an `:event-type` header".into(),
                        ))
                    }
                    Some("messageStop") => self.state = ReaderState::Stopped,
                    Some(_) => {}
                }
                Ok(Some(Event { message }))
            }
            Some("exception") => {
                let kind = message.str_header(":exception-type").ok_or_else(|| {
                    BedrockError::InvalidResponse(
                        "event stream: an exception without an `:exception-type` header".into(),
                    )
                })?;
                let exception = parse_exception(kind, message.payload())
                    .map_err(|e| BedrockError::InvalidResponse(e.to_string()))?;
                Err(BedrockError::StreamException(exception))
            }
            Some("error") => {
                let code = message.str_header(":error-code").unwrap_or("unknown");
                let text = message.str_header(":error-message").unwrap_or("");
                Err(BedrockError::InvalidResponse(format!(
                    "event stream error `{}`: {}",
                    code.escape_debug(),
                    text.escape_debug()
                )))
            }
            Some(other) => Err(BedrockError::InvalidResponse(format!(
                "event stream: unknown `:message-type` `{}`",
                other.escape_debug()
            ))),
            None => Err(BedrockError::InvalidResponse(
                "event stream: a message without a `:message-type` header".into(),
            )),
        }
    }

    /// Says the body has ended: an error if it ended inside a frame or before
    /// `messageStop`. Call after [`next`](Self::next) has returned `Ok(None)`.
    pub fn finish(&mut self) -> Result<(), BedrockError> {
        match self.state {
            ReaderState::Failed => Ok(()),
            _ => {
                let result = self
                    .decoder
                    .finish()
                    .map_err(|e| BedrockError::InvalidResponse(format!("event stream: {e}")))
                    .and_then(|()| match self.state {
                        ReaderState::Stopped => Ok(()),
                        _ => Err(BedrockError::InvalidResponse(
                            "the stream ended before `messageStop`".into(),
                        )),
                    });
                if result.is_err() {
                    self.state = ReaderState::Failed;
                }
                result
            }
        }
    }
}

/// The future of one body read, owning the response while it runs (used only
/// when the stream is polled through [`futures_core::Stream`]).
type PendingRead = Pin<Box<dyn Future<Output = (reqwest::Response, ChunkResult)> + Send + 'static>>;

/// What one body read came to.
type ChunkResult = Result<Option<Bytes>, BedrockError>;

/// A ConverseStream response: [`Event`]s as they arrive.
///
/// Read it with [`next_event`](Self::next_event), or as a
/// [`futures_core::Stream`]. For the lowest overhead, drain what has arrived
/// with [`next_buffered`](Self::next_buffered) and then [`read_more`](Self::read_more)
/// (one network read): the CLI flushes its output between the two.
///
/// A body read that waits longer than the idle timeout ends the stream with
/// [`BedrockError::IdleTimeout`]. Nothing is retried here: once events flow,
/// errors are the caller's.
pub struct ConverseStream {
    body: Option<reqwest::Response>,
    pending: Option<PendingRead>,
    reader: EventReader,
    idle_timeout: Duration,
    done: bool,
}

impl std::fmt::Debug for ConverseStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConverseStream")
            .field("reader", &self.reader)
            .field("idle_timeout", &self.idle_timeout)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl ConverseStream {
    /// A stream over the body of a successful ConverseStream response.
    pub(crate) fn new(response: reqwest::Response, idle_timeout: Duration) -> Self {
        ConverseStream {
            body: Some(response),
            pending: None,
            reader: EventReader::new(),
            idle_timeout,
            done: false,
        }
    }

    /// The next event, `None` at the end (after `messageStop` and the body's end)
    /// or after an error has been returned.
    pub async fn next_event(&mut self) -> Option<Result<Event, BedrockError>> {
        loop {
            if let Some(item) = self.next_buffered() {
                return Some(item);
            }
            match self.read_more().await {
                Ok(true) => {}
                Ok(false) => return None,
                Err(error) => return Some(Err(error)),
            }
        }
    }

    /// The next event among the bytes already received, with no I/O; `None`
    /// when more must be read.
    pub fn next_buffered(&mut self) -> Option<Result<Event, BedrockError>> {
        if self.done {
            return None;
        }
        match self.reader.next() {
            Ok(Some(event)) => Some(Ok(event)),
            Ok(None) => None,
            Err(error) => {
                self.done = true;
                Some(Err(error))
            }
        }
    }

    /// Reads one more chunk of the body (waiting at most the idle timeout).
    /// `Ok(true)`: more bytes for [`next_buffered`](Self::next_buffered);
    /// `Ok(false)`: the stream is over and complete; an error ends it.
    pub async fn read_more(&mut self) -> Result<bool, BedrockError> {
        if self.done {
            return Ok(false);
        }
        let result = if let Some(pending) = self.pending.take() {
            let (response, result) = pending.await;
            self.body = Some(response);
            result
        } else if let Some(body) = self.body.as_mut() {
            read_chunk(body, self.idle_timeout).await
        } else {
            Ok(None)
        };
        self.settle(result)
    }

    /// Feeds a read's result to the reader.
    fn settle(&mut self, result: ChunkResult) -> Result<bool, BedrockError> {
        match result {
            Ok(Some(chunk)) => {
                self.reader.push(chunk);
                Ok(true)
            }
            Ok(None) => {
                self.done = true;
                self.body = None;
                self.reader.finish().map(|()| false)
            }
            Err(error) => {
                self.done = true;
                self.body = None;
                Err(error)
            }
        }
    }
}

/// One body chunk, waiting at most `idle`.
pub(crate) async fn read_chunk(body: &mut reqwest::Response, idle: Duration) -> ChunkResult {
    match tokio::time::timeout(idle, body.chunk()).await {
        Err(_) => Err(BedrockError::IdleTimeout(idle)),
        Ok(Ok(chunk)) => Ok(chunk),
        Ok(Err(e)) => Err(BedrockError::Network(format!(
            "reading the stream: {}",
            crate::http::error_from_reqwest(&e)
        ))),
    }
}

impl futures_core::Stream for ConverseStream {
    type Item = Result<Event, BedrockError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.next_buffered() {
                return Poll::Ready(Some(item));
            }
            if this.done {
                return Poll::Ready(None);
            }
            if this.pending.is_none() {
                let Some(mut body) = this.body.take() else {
                    return Poll::Ready(None);
                };
                let idle = this.idle_timeout;
                this.pending = Some(Box::pin(async move {
                    let result = read_chunk(&mut body, idle).await;
                    (body, result)
                }));
            }
            let Some(pending) = this.pending.as_mut() else {
                return Poll::Ready(None);
            };
            let (response, result) = match pending.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(done) => done,
            };
            this.pending = None;
            this.body = Some(response);
            match this.settle(result) {
                Ok(true) => {}
                Ok(false) => return Poll::Ready(None),
                Err(error) => return Poll::Ready(Some(Err(error))),
            }
        }
    }
}

#[cfg(test)]
mod tests;
