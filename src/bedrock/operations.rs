//! The operations beyond Converse: CountTokens, ApplyGuardrail,
//! GetFoundationModel, and InvokeModelWithResponseStream, whose body is read
//! by [`ChunkReader`] (pure: frames in, the model's chunks out) inside
//! [`InvokeStream`] (the reader over the HTTP body, with the idle timeout).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use serde::de::DeserializeOwned;

use super::client::{serialise, Client, Operation};
use super::error::BedrockError;
use super::stream::read_chunk;
use crate::eventstream::Decoder;
use crate::model_ref::{ModelKind, ModelRef};
use crate::sigv4::percent_encode;
use crate::types::{
    parse_exception, ApplyGuardrailRequest, ApplyGuardrailResponse, CountTokensRequest,
    CountTokensResponse, FoundationModelDetails, GetFoundationModelResponse, PayloadPart,
    CHUNK_EVENT_TYPE,
};

impl Client {
    /// CountTokens: the input tokens `request` would use on `model`.
    ///
    /// CountTokens takes a foundation model, so `model` is first mapped to one
    /// by [`foundation_model_for`](Self::foundation_model_for): an inference
    /// profile id to its base model, an application profile ARN through
    /// GetInferenceProfile.
    pub async fn count_tokens(
        &self,
        model: &str,
        request: &CountTokensRequest,
    ) -> Result<CountTokensResponse, BedrockError> {
        let foundation_model = self.foundation_model_for(model).await?;
        let body = serialise(&foundation_model, request)?;
        let response = self
            .send(Operation::CountTokens, &foundation_model, body)
            .await?;
        let body = self
            .read_body(response, Operation::CountTokens, &foundation_model)
            .await?;
        parse_json(
            &body,
            &format!("the CountTokens response of model `{foundation_model}`"),
        )
    }

    /// The foundation model CountTokens is asked about for `model`: a
    /// foundation model id or ARN (or any other ARN) is kept; a system
    /// inference profile (`us.anthropic.x`) gives its base model
    /// (`anthropic.x`); an application inference profile ARN (or a profile
    /// whose base model its id does not show) is resolved with
    /// GetInferenceProfile. A profile ARN gives the base model's ARN in the
    /// same region, so the request goes where the profile lives.
    pub async fn foundation_model_for(&self, model: &str) -> Result<String, BedrockError> {
        let model_ref = ModelRef::parse(model).map_err(|e| BedrockError::Config(e.to_string()))?;
        let base = match model_ref.kind() {
            ModelKind::FoundationModel | ModelKind::OtherArn { .. } => {
                return Ok(model_ref.id().to_owned())
            }
            ModelKind::InferenceProfile { .. } | ModelKind::ApplicationInferenceProfile => {
                match model_ref.base_model_id() {
                    Some(base) => base.to_owned(),
                    None => self
                        .get_inference_profile(model_ref.id())
                        .await?
                        .backing_model_id()
                        .map(str::to_owned)
                        .ok_or_else(|| {
                            BedrockError::InvalidResponse(format!(
                                "GetInferenceProfile names no foundation model for `{}`",
                                model_ref.id()
                            ))
                        })?,
                }
            }
        };
        Ok(match model_ref.arn() {
            Some(arn) => format!(
                "arn:{}:bedrock:{}::foundation-model/{base}",
                arn.partition, arn.region
            ),
            None => base,
        })
    }

    /// ApplyGuardrail: the verdict of guardrail `guardrail_identifier` (an id
    /// or ARN) at `guardrail_version` (a number or `DRAFT`) on `request`'s content.
    pub async fn apply_guardrail(
        &self,
        guardrail_identifier: &str,
        guardrail_version: &str,
        request: &ApplyGuardrailRequest,
    ) -> Result<ApplyGuardrailResponse, BedrockError> {
        if guardrail_identifier.is_empty() || guardrail_version.is_empty() {
            return Err(BedrockError::Config(
                "ApplyGuardrail needs a guardrail identifier and a version".into(),
            ));
        }
        let path = format!(
            "/guardrail/{}/version/{}/apply",
            percent_encode(guardrail_identifier),
            percent_encode(guardrail_version)
        );
        let what = format!(
            "the ApplyGuardrail response of guardrail `{guardrail_identifier}` version `{guardrail_version}`"
        );
        let body = serialise(guardrail_identifier, request)?;
        parse_json(&self.runtime_post(&path, body, &what).await?, &what)
    }

    /// GetFoundationModel: the details of a foundation model, by id or ARN.
    pub async fn get_foundation_model(
        &self,
        model_identifier: &str,
    ) -> Result<FoundationModelDetails, BedrockError> {
        let path = format!("/foundation-models/{}", percent_encode(model_identifier));
        let what = format!("the response to GET {path}");
        let response: GetFoundationModelResponse =
            parse_json(&self.control_get(&path).await?, &what)?;
        response
            .model_details
            .ok_or_else(|| BedrockError::InvalidResponse(format!("{what} has no `modelDetails`")))
    }

    /// InvokeModelWithResponseStream: `body` in the model's own format; the
    /// model's answer comes back in pieces ([`InvokeStream`]), each the bytes
    /// of one `chunk` event (for most models one JSON object each, e.g.
    /// Anthropic's `content_block_delta`).
    pub async fn invoke_with_response_stream(
        &self,
        model: &str,
        body: serde_json::Value,
    ) -> Result<InvokeStream, BedrockError> {
        let response = self
            .send(
                Operation::InvokeModelWithResponseStream,
                model,
                serialise(model, &body)?,
            )
            .await?;
        Ok(InvokeStream::new(response, self.idle_timeout()))
    }
}

/// Reads a JSON response body; `what` names it in the error.
fn parse_json<T: DeserializeOwned>(body: &[u8], what: &str) -> Result<T, BedrockError> {
    serde_json::from_slice(body)
        .map_err(|e| BedrockError::InvalidResponse(format!("{what} is not valid: {e}")))
}

/// Turns InvokeModelWithResponseStream body chunks into the model's chunks, with no I/O.
///
/// * `:message-type` `event` with `:event-type` `chunk`: its payload's
///   `bytes`, base64-decoded; other event types (none today) are skipped;
/// * `exception`: [`BedrockError::StreamException`] (typed by `:exception-type`);
/// * `error`: [`BedrockError::InvalidResponse`] with `:error-code` and `:error-message`;
/// * a bad frame, a missing `:message-type` or `:event-type`, or an end
///   ([`finish`](Self::finish)) inside a frame: [`BedrockError::InvalidResponse`].
///
/// After an error the reader yields nothing more, and `finish` reports no new error.
///
/// ```
/// use bedrock_lite::bedrock::operations::ChunkReader;
/// use bedrock_lite::eventstream::{encode_frame, Header, HeaderValue};
/// let mut body = bytes::BytesMut::new();
/// let headers = [Header::new(":message-type", HeaderValue::String("event".into())),
///                Header::new(":event-type", HeaderValue::String("chunk".into()))];
/// // {"outputText":"Hi"}, base64
/// encode_frame(&headers, br#"{"bytes":"eyJvdXRwdXRUZXh0IjoiSGkifQ=="}"#, &mut body).unwrap();
/// let mut reader = ChunkReader::new();
/// reader.push(body.freeze());
/// assert_eq!(reader.next()?.unwrap(), &br#"{"outputText":"Hi"}"#[..]);
/// assert!(reader.next()?.is_none());
/// reader.finish()?;
/// # Ok::<(), bedrock_lite::bedrock::error::BedrockError>(())
/// ```
#[derive(Debug, Default)]
pub struct ChunkReader {
    decoder: Decoder,
    failed: bool,
}

impl ChunkReader {
    /// A reader waiting for the first body chunk.
    pub fn new() -> Self {
        ChunkReader::default()
    }

    /// Hands over the next body chunk (kept, not copied).
    pub fn push(&mut self, chunk: Bytes) {
        if !self.failed {
            self.decoder.push(chunk);
        }
    }

    /// The next model chunk; `Ok(None)` when more bytes are needed (or after an error).
    // Not `Iterator::next`: `Ok(None)` means "push more", not the end.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<Bytes>, BedrockError> {
        if self.failed {
            return Ok(None);
        }
        let result = self.read_next();
        self.failed = result.is_err();
        result
    }

    fn read_next(&mut self) -> Result<Option<Bytes>, BedrockError> {
        loop {
            let Some(message) = self
                .decoder
                .next_message()
                .map_err(|e| BedrockError::InvalidResponse(format!("event stream: {e}")))?
            else {
                return Ok(None);
            };
            match message.str_header(":message-type") {
                Some("event") => match message.str_header(":event-type") {
                    Some(CHUNK_EVENT_TYPE) => {
                        let part: PayloadPart =
                            serde_json::from_slice(message.payload()).map_err(|e| {
                                BedrockError::InvalidResponse(format!(
                                    "invalid `chunk` event payload: {e}"
                                ))
                            })?;
                        return Ok(Some(Bytes::from(part.bytes.0)));
                    }
                    Some(_) => {}
                    None => {
                        return Err(BedrockError::InvalidResponse(
                            "event stream: an event without an `:event-type` header".into(),
                        ))
                    }
                },
                Some("exception") => {
                    let kind = message.str_header(":exception-type").ok_or_else(|| {
                        BedrockError::InvalidResponse(
                            "event stream: an exception without an `:exception-type` header".into(),
                        )
                    })?;
                    let exception = parse_exception(kind, message.payload())
                        .map_err(|e| BedrockError::InvalidResponse(e.to_string()))?;
                    return Err(BedrockError::StreamException(exception));
                }
                Some("error") => {
                    let code = message.str_header(":error-code").unwrap_or("unknown");
                    let text = message.str_header(":error-message").unwrap_or("");
                    return Err(BedrockError::InvalidResponse(format!(
                        "event stream error `{}`: {}",
                        code.escape_debug(),
                        text.escape_debug()
                    )));
                }
                Some(other) => {
                    return Err(BedrockError::InvalidResponse(format!(
                        "event stream: unknown `:message-type` `{}`",
                        other.escape_debug()
                    )))
                }
                None => {
                    return Err(BedrockError::InvalidResponse(
                        "event stream: a message without a `:message-type` header".into(),
                    ))
                }
            }
        }
    }

    /// Says the body has ended: an error if it ended inside a frame. Call
    /// after [`next`](Self::next) has returned `Ok(None)`.
    pub fn finish(&mut self) -> Result<(), BedrockError> {
        if self.failed {
            return Ok(());
        }
        let result = self
            .decoder
            .finish()
            .map_err(|e| BedrockError::InvalidResponse(format!("event stream: {e}")));
        self.failed = result.is_err();
        result
    }
}

/// The future of one body read, owning the response while it runs.
type PendingRead = Pin<
    Box<
        dyn Future<Output = (reqwest::Response, Result<Option<Bytes>, BedrockError>)>
            + Send
            + 'static,
    >,
>;

/// An InvokeModelWithResponseStream response: the model's chunks as they arrive.
///
/// Read it with [`next_chunk`](Self::next_chunk), or as a
/// [`futures_core::Stream`]. A body read that waits longer than the idle
/// timeout ends the stream with [`BedrockError::IdleTimeout`]; nothing is
/// retried once chunks flow.
pub struct InvokeStream {
    body: Option<reqwest::Response>,
    pending: Option<PendingRead>,
    reader: ChunkReader,
    idle_timeout: Duration,
    done: bool,
}

impl std::fmt::Debug for InvokeStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InvokeStream")
            .field("reader", &self.reader)
            .field("idle_timeout", &self.idle_timeout)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl InvokeStream {
    fn new(response: reqwest::Response, idle_timeout: Duration) -> Self {
        InvokeStream {
            body: Some(response),
            pending: None,
            reader: ChunkReader::new(),
            idle_timeout,
            done: false,
        }
    }

    /// The next chunk of the model's answer; `None` at the end of the body
    /// or after an error has been returned.
    pub async fn next_chunk(&mut self) -> Option<Result<Bytes, BedrockError>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_chunk(cx)).await
    }

    fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, BedrockError>>> {
        loop {
            if self.done {
                return Poll::Ready(None);
            }
            match self.reader.next() {
                Ok(Some(chunk)) => return Poll::Ready(Some(Ok(chunk))),
                Ok(None) => {}
                Err(error) => {
                    self.done = true;
                    return Poll::Ready(Some(Err(error)));
                }
            }
            if self.pending.is_none() {
                let Some(mut body) = self.body.take() else {
                    return Poll::Ready(None);
                };
                let idle = self.idle_timeout;
                self.pending = Some(Box::pin(async move {
                    let result = read_chunk(&mut body, idle).await;
                    (body, result)
                }));
            }
            let Some(pending) = self.pending.as_mut() else {
                return Poll::Ready(None);
            };
            let (body, result) = match pending.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(done) => done,
            };
            self.pending = None;
            match result {
                Ok(Some(chunk)) => {
                    self.body = Some(body);
                    self.reader.push(chunk);
                }
                Ok(None) => {
                    self.done = true;
                    return Poll::Ready(self.reader.finish().err().map(Err));
                }
                Err(error) => {
                    self.done = true;
                    return Poll::Ready(Some(Err(error)));
                }
            }
        }
    }
}

impl futures_core::Stream for InvokeStream {
    type Item = Result<Bytes, BedrockError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_chunk(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eventstream::{encode_frame, Header, HeaderValue};
    use crate::types::StreamExceptionKind;
    use bytes::BytesMut;

    fn frame(headers: &[(&'static str, &str)], payload: &[u8]) -> Bytes {
        let headers: Vec<Header> = headers
            .iter()
            .map(|(name, value)| {
                Header::new(*name, HeaderValue::String((*value).to_owned().into()))
            })
            .collect();
        let mut out = BytesMut::new();
        encode_frame(&headers, payload, &mut out).expect("encodes");
        out.freeze()
    }

    fn chunk(bytes: &[u8]) -> Bytes {
        let payload = serde_json::json!({ "bytes": crate::base64::encode(bytes), "p": "abc" });
        frame(
            &[(":message-type", "event"), (":event-type", "chunk")],
            payload.to_string().as_bytes(),
        )
    }

    #[test]
    fn yields_chunks_skips_unknown_events_and_ends_without_a_stop() {
        let mut reader = ChunkReader::new();
        reader.push(chunk(b"one"));
        reader.push(frame(
            &[(":message-type", "event"), (":event-type", "newEvent")],
            b"{}",
        ));
        let two = chunk(b"two");
        let (head, tail) = two.split_at(7);
        reader.push(Bytes::copy_from_slice(head));
        assert_eq!(reader.next().expect("ok").as_deref(), Some(&b"one"[..]));
        assert_eq!(reader.next().expect("ok"), None);
        reader.push(Bytes::copy_from_slice(tail));
        assert_eq!(reader.next().expect("ok").as_deref(), Some(&b"two"[..]));
        assert_eq!(reader.next().expect("ok"), None);
        reader.finish().expect("a complete body");
    }

    #[test]
    fn exceptions_are_typed_and_end_the_stream() {
        let mut reader = ChunkReader::new();
        reader.push(chunk(b"one"));
        reader.push(frame(
            &[
                (":message-type", "exception"),
                (":exception-type", "modelStreamErrorException"),
            ],
            br#"{"message":"boom","originalStatusCode":500,"originalMessage":"model"}"#,
        ));
        reader.push(chunk(b"never"));
        assert!(reader.next().expect("ok").is_some());
        let Err(BedrockError::StreamException(exception)) = reader.next() else {
            panic!("an exception");
        };
        assert_eq!(exception.kind, StreamExceptionKind::ModelStreamError);
        assert_eq!(exception.original_status_code, Some(500));
        assert_eq!(reader.next().expect("nothing more"), None);
        reader.finish().expect("no second error");
    }

    #[test]
    fn malformed_streams_are_errors() {
        let cases: Vec<(Bytes, &str)> = vec![
            (frame(&[(":event-type", "chunk")], b"{}"), "`:message-type`"),
            (frame(&[(":message-type", "event")], b"{}"), "`:event-type`"),
            (
                frame(
                    &[(":message-type", "event"), (":event-type", "chunk")],
                    b"{\"bytes\":1}",
                ),
                "invalid `chunk` event payload",
            ),
            (
                frame(
                    &[(":message-type", "event"), (":event-type", "chunk")],
                    b"{\"bytes\":\"*\"}",
                ),
                "invalid `chunk` event payload",
            ),
            (
                frame(
                    &[
                        (":message-type", "error"),
                        (":error-code", "Boom"),
                        (":error-message", "bad"),
                    ],
                    b"",
                ),
                "event stream error `Boom`: bad",
            ),
            (
                frame(&[(":message-type", "other")], b""),
                "unknown `:message-type`",
            ),
            (
                frame(&[(":message-type", "exception")], b"{}"),
                "`:exception-type`",
            ),
            (
                Bytes::from_static(&[0, 0, 0, 99, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
                "event stream",
            ),
        ];
        for (body, expected) in cases {
            let mut reader = ChunkReader::new();
            reader.push(body);
            let error = reader.next().expect_err(expected).to_string();
            assert!(error.contains(expected), "{error} / {expected}");
        }
        let mut cut = ChunkReader::new();
        let whole = chunk(b"x");
        cut.push(whole.slice(..whole.len() - 1));
        assert_eq!(cut.next().expect("waits"), None);
        assert!(cut.finish().is_err());
    }

    proptest::proptest! {
        #[test]
        fn any_split_of_any_chunks_reads_back(
            pieces in proptest::collection::vec(proptest::collection::vec(proptest::num::u8::ANY, 0..64), 0..6),
            cuts in proptest::collection::vec(proptest::num::usize::ANY, 0..8),
        ) {
            let body: Vec<u8> = pieces.iter().flat_map(|p| chunk(p).to_vec()).collect();
            let mut at: Vec<usize> = cuts.iter().map(|c| c % (body.len() + 1)).collect();
            at.sort_unstable();
            let mut reader = ChunkReader::new();
            let mut read = Vec::new();
            let mut start = 0;
            for end in at.into_iter().chain([body.len()]) {
                reader.push(Bytes::copy_from_slice(&body[start..end]));
                start = end;
                while let Some(piece) = reader.next().expect("valid") {
                    read.push(piece.to_vec());
                }
            }
            reader.finish().expect("complete");
            proptest::prop_assert_eq!(read, pieces);
        }

        #[test]
        fn any_bytes_read_or_fail_without_panicking(body in proptest::collection::vec(proptest::num::u8::ANY, 0..256)) {
            let mut reader = ChunkReader::new();
            reader.push(Bytes::from(body));
            while let Ok(Some(_)) = reader.next() {}
            let _ = reader.finish();
        }
    }
}
