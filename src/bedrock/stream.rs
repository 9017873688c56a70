//! ConverseStream responses: [`EventReader`] (pure: chunks in, events out) and
//! [`ConverseStream`] (the reader over the HTTP body, with an idle timeout).
//!
//! Each body chunk is pushed into the event-stream [`Decoder`] as the `Bytes`
//! the HTTP client handed over (no copy); each [`Event`] holds its decoded
//! [`Message`], which shares those bytes; [`Event::parse`] reads the payload with
//! text deltas borrowed from it. Exception frames end the stream with a typed
//! error; a stream that ends without `messageStop`, or inside a frame, is an
//! error. Unknown event types are yielded like any other. Every failure is a
//! [`StreamError`], typed up to the caller.

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;

use crate::eventstream::{DecodeError, Decoder, Message};
use crate::http::{Body, HttpError};
use crate::types::{
    parse_event, parse_exception, EventParseError, StreamEvent, StreamException,
    StreamExceptionKind,
};

/// Why a stream broke.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StreamError {
    /// A frame that is not a valid event-stream frame (lengths, CRCs, headers).
    Decode(DecodeError),
    /// A payload that is not the JSON its event type calls for.
    Event {
        /// The `:event-type` or `:exception-type`.
        event_type: String,
        /// What the JSON parser found.
        problem: String,
    },
    /// The service sent an exception frame (throttling, a model error...).
    Exception(StreamException),
    /// A frame the protocol does not allow here: no `:message-type` or
    /// `:event-type`, an `error` frame, an unknown message type.
    Protocol(String),
    /// The body ended before `messageStop`.
    EndedEarly,
    /// Nothing arrived for this long.
    IdleTimeout(Duration),
    /// Reading the body failed.
    Network(HttpError),
}

impl StreamError {
    /// Whether the same request may work if sent again: the transient
    /// exceptions (throttling, internal, unavailable), idle timeouts and
    /// network failures.
    pub fn is_retryable(&self) -> bool {
        match self {
            StreamError::Exception(exception) => exception_is_retryable(exception),
            StreamError::IdleTimeout(_) | StreamError::Network(_) => true,
            _ => false,
        }
    }
}

impl fmt::Display for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreamError::Decode(error) => write!(f, "invalid event stream: {error}"),
            StreamError::Event {
                event_type,
                problem,
            } => write!(
                f,
                "invalid `{}` event payload: {problem}",
                event_type.escape_debug()
            ),
            StreamError::Exception(exception) => {
                let retry = match exception_is_retryable(exception) {
                    true => "retryable",
                    false => "not retryable",
                };
                write!(f, "stream exception ({retry}): {exception}")
            }
            StreamError::Protocol(message) => write!(f, "invalid event stream: {message}"),
            StreamError::EndedEarly => f.write_str("the stream ended before `messageStop`"),
            StreamError::IdleTimeout(after) => write!(
                f,
                "the stream sent nothing for {:.1} s (idle timeout)",
                after.as_secs_f64()
            ),
            StreamError::Network(error) => write!(f, "reading the stream: {error}"),
        }
    }
}

impl std::error::Error for StreamError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StreamError::Decode(error) => Some(error),
            StreamError::Network(error) => Some(error),
            _ => None,
        }
    }
}

/// Whether an exception frame is transient: throttling, internal, unavailable.
fn exception_is_retryable(exception: &StreamException) -> bool {
    matches!(
        exception.kind,
        StreamExceptionKind::Throttling
            | StreamExceptionKind::InternalServer
            | StreamExceptionKind::ServiceUnavailable
    )
}

impl From<EventParseError> for StreamError {
    fn from(error: EventParseError) -> Self {
        StreamError::Event {
            event_type: error.event_type,
            problem: error.source.to_string(),
        }
    }
}

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
    pub fn parse(&self) -> Result<StreamEvent<'_>, StreamError> {
        Ok(parse_event(self.event_type(), self.payload())?)
    }

    /// The text of a text delta (borrowed from the frame when unescaped); `None`
    /// for any other event, or a payload that does not parse.
    pub fn text(&self) -> Option<Cow<'_, str>> {
        match self.parse().ok()? {
            StreamEvent::ContentBlockDelta(delta) => match delta.delta {
                crate::types::ContentBlockDelta::Text(text) => Some(text),
                _ => None,
            },
            _ => None,
        }
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
/// * `exception`: [`StreamError::Exception`] (typed by `:exception-type`);
/// * `error`: [`StreamError::Protocol`] with `:error-code` and `:error-message`;
/// * a bad frame (CRC, lengths, headers): [`StreamError::Decode`]; a missing
///   `:message-type` or `:event-type`: [`StreamError::Protocol`]; an end
///   ([`finish`](Self::finish)) before `messageStop`: [`StreamError::EndedEarly`].
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
/// # Ok::<(), bedrock_lite::bedrock::stream::StreamError>(())
/// ```
#[derive(Debug)]
pub struct EventReader {
    decoder: Decoder,
    state: ReaderState,
    /// The event that must come before the end (`messageStop`), if any.
    stop_event: Option<&'static str>,
}

impl Default for EventReader {
    fn default() -> Self {
        Self::new()
    }
}

impl EventReader {
    /// A ConverseStream reader waiting for the first chunk: the body must
    /// send `messageStop` before it ends.
    pub fn new() -> Self {
        EventReader {
            decoder: Decoder::new(),
            state: ReaderState::Open,
            stop_event: Some("messageStop"),
        }
    }

    /// A reader for a stream with no closing event (InvokeModelWithResponseStream):
    /// the body may end after any whole frame.
    pub fn without_stop_event() -> Self {
        EventReader {
            stop_event: None,
            ..EventReader::new()
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
    pub fn next(&mut self) -> Result<Option<Event>, StreamError> {
        if self.state == ReaderState::Failed {
            return Ok(None);
        }
        let result = self.read_next();
        if result.is_err() {
            self.state = ReaderState::Failed;
        }
        result
    }

    fn read_next(&mut self) -> Result<Option<Event>, StreamError> {
        let Some(message) = self.decoder.next_message().map_err(StreamError::Decode)? else {
            return Ok(None);
        };
        match message.str_header(":message-type") {
            Some("event") => {
                match message.str_header(":event-type") {
                    None => {
                        return Err(StreamError::Protocol(
                            "an event without an `:event-type` header".into(),
                        ))
                    }
                    Some(event_type) if Some(event_type) == self.stop_event => {
                        self.state = ReaderState::Stopped
                    }
                    Some(_) => {}
                }
                Ok(Some(Event { message }))
            }
            Some("exception") => {
                let kind = message.str_header(":exception-type").ok_or_else(|| {
                    StreamError::Protocol("an exception without an `:exception-type` header".into())
                })?;
                let exception = parse_exception(kind, message.payload())?;
                Err(StreamError::Exception(exception))
            }
            Some("error") => {
                let code = message.str_header(":error-code").unwrap_or("unknown");
                let text = message.str_header(":error-message").unwrap_or("");
                Err(StreamError::Protocol(format!(
                    "an error frame `{}`: {}",
                    code.escape_debug(),
                    text.escape_debug()
                )))
            }
            Some(other) => Err(StreamError::Protocol(format!(
                "unknown `:message-type` `{}`",
                other.escape_debug()
            ))),
            None => Err(StreamError::Protocol(
                "a message without a `:message-type` header".into(),
            )),
        }
    }

    /// Says the body has ended: an error if it ended inside a frame or before
    /// `messageStop`. Call after [`next`](Self::next) has returned `Ok(None)`.
    pub fn finish(&mut self) -> Result<(), StreamError> {
        match self.state {
            ReaderState::Failed => Ok(()),
            _ => {
                let result = match (self.decoder.finish(), self.state) {
                    (Err(error), _) => Err(StreamError::Decode(error)),
                    (Ok(()), ReaderState::Stopped) => Ok(()),
                    (Ok(()), _) if self.stop_event.is_none() => Ok(()),
                    (Ok(()), _) => Err(StreamError::EndedEarly),
                };
                if result.is_err() {
                    self.state = ReaderState::Failed;
                }
                result
            }
        }
    }
}

/// A ConverseStream response: an [`EventStream`] that ends at `messageStop`.
pub type ConverseStream = EventStream;

/// An event-stream response body (ConverseStream, InvokeModelWithResponseStream):
/// [`Event`]s as they arrive.
///
/// Read it with [`next_event`](Self::next_event), or as a
/// [`futures_core::Stream`]. For the lowest overhead, drain what has arrived
/// with [`next_buffered`](Self::next_buffered) and then [`read_more`](Self::read_more)
/// (one network read): the CLI flushes its output between the two.
///
/// A body read that waits longer than the idle timeout ends the stream with
/// [`StreamError::IdleTimeout`]. Nothing is retried here: once events flow,
/// errors are the caller's.
pub struct EventStream {
    body: Body,
    reader: EventReader,
    idle_timeout: Duration,
    /// The idle deadline of the read under way (polled reads only).
    idle: Option<Pin<Box<tokio::time::Sleep>>>,
    done: bool,
}

impl fmt::Debug for EventStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream")
            .field("reader", &self.reader)
            .field("idle_timeout", &self.idle_timeout)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl EventStream {
    /// An [`Accumulator`](super::accumulator::Accumulator) to fold this
    /// stream's events into the whole reply.
    pub fn accumulator(&self) -> super::accumulator::Accumulator {
        super::accumulator::Accumulator::new()
    }

    /// A stream over the body of a successful ConverseStream response (it must
    /// end with `messageStop`).
    pub fn new(body: Body, idle_timeout: Duration) -> Self {
        EventStream::with_reader(body, idle_timeout, EventReader::new())
    }

    /// A stream over an event-stream body read by `reader`.
    pub(crate) fn with_reader(body: Body, idle_timeout: Duration, reader: EventReader) -> Self {
        EventStream {
            body,
            reader,
            idle_timeout,
            idle: None,
            done: false,
        }
    }

    /// The next event, `None` at the end (after `messageStop` and the body's end)
    /// or after an error has been returned.
    pub async fn next_event(&mut self) -> Option<Result<Event, StreamError>> {
        std::future::poll_fn(|cx| self.poll_event(cx)).await
    }

    /// The next event among the bytes already received, with no I/O; `None`
    /// when more must be read.
    pub fn next_buffered(&mut self) -> Option<Result<Event, StreamError>> {
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
    pub async fn read_more(&mut self) -> Result<bool, StreamError> {
        std::future::poll_fn(|cx| self.poll_read(cx)).await
    }

    /// One body read, as a poll, under the idle timeout.
    fn poll_read(&mut self, cx: &mut Context<'_>) -> Poll<Result<bool, StreamError>> {
        if self.done {
            return Poll::Ready(Ok(false));
        }
        let read = match self.body.poll_chunk(cx) {
            Poll::Ready(read) => read,
            Poll::Pending => {
                let timeout = self.idle_timeout;
                let idle = self
                    .idle
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
                if idle.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                self.idle = None;
                return Poll::Ready(self.fail(StreamError::IdleTimeout(timeout)));
            }
        };
        self.idle = None;
        Poll::Ready(match read {
            Some(Ok(chunk)) => {
                self.reader.push(chunk);
                Ok(true)
            }
            None => {
                self.done = true;
                self.reader.finish().map(|()| false)
            }
            Some(Err(error)) => self.fail(StreamError::Network(error)),
        })
    }

    fn fail(&mut self, error: StreamError) -> Result<bool, StreamError> {
        self.done = true;
        self.body = Body::empty();
        Err(error)
    }

    pub(crate) fn poll_event(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Event, StreamError>>> {
        loop {
            if let Some(item) = self.next_buffered() {
                return Poll::Ready(Some(item));
            }
            match self.poll_read(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(true)) => {}
                Poll::Ready(Ok(false)) => return Poll::Ready(None),
                Poll::Ready(Err(error)) => return Poll::Ready(Some(Err(error))),
            }
        }
    }
}

impl futures_core::Stream for EventStream {
    type Item = Result<Event, StreamError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_event(cx)
    }
}

#[cfg(test)]
mod tests;
