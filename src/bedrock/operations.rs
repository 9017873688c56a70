//! The operations beyond Converse: CountTokens, ApplyGuardrail,
//! GetFoundationModel, GetInferenceProfile, and InvokeModelWithResponseStream, whose body is an
//! [`EventStream`] without a closing event, read as the model's own chunks by
//! [`InvokeStream`].

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;

use super::client::{parse_json, serialise, Client, IntoModelRef, Operation};
use super::error::BedrockError;
use super::stream::{Event, EventReader, EventStream, StreamError};
use crate::model_ref::{ModelKind, ModelRef};
use crate::sigv4::percent_encode;
use crate::types::{
    ApplyGuardrailRequest, ApplyGuardrailResponse, CountTokensRequest, CountTokensResponse,
    FoundationModelDetails, GetFoundationModelResponse, GetInferenceProfileResponse, PayloadPart,
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
        model: impl IntoModelRef,
        request: &CountTokensRequest,
    ) -> Result<CountTokensResponse, BedrockError> {
        let foundation_model = self.foundation_model_for(model).await?;
        let body = serialise(&foundation_model, request)?;
        let response = self
            .send(Operation::CountTokens, &foundation_model, body)
            .await?;
        let what = format!("the CountTokens response of model `{foundation_model}`");
        parse_json(&self.read_body(response, &what).await?, &what)
    }

    /// The foundation model CountTokens is asked about for `model`: a
    /// foundation model id or ARN (or any other ARN) is kept; a system
    /// inference profile (`us.anthropic.x`) gives its base model
    /// (`anthropic.x`); an application inference profile ARN (or a profile
    /// whose base model its id does not show) is resolved with
    /// GetInferenceProfile. A profile ARN gives the base model's ARN in the
    /// same region, so the request goes where the profile lives.
    pub async fn foundation_model_for(
        &self,
        model: impl IntoModelRef,
    ) -> Result<ModelRef, BedrockError> {
        let model = model.into_model_ref()?;
        let base = match model.kind() {
            ModelKind::FoundationModel | ModelKind::OtherArn { .. } => return Ok(model),
            ModelKind::InferenceProfile { .. } | ModelKind::ApplicationInferenceProfile => {
                match model.base_model_id() {
                    Some(base) => base.to_owned(),
                    None => self
                        .get_inference_profile(model.id())
                        .await?
                        .backing_model_id()
                        .map(str::to_owned)
                        .ok_or_else(|| BedrockError::InvalidResponse {
                            what: format!("GetInferenceProfile for `{model}`"),
                            problem: "it names no foundation model".to_owned(),
                        })?,
                }
            }
        };
        let id = match model.arn() {
            Some(arn) => format!(
                "arn:{}:bedrock:{}::foundation-model/{base}",
                arn.partition, arn.region
            ),
            None => base,
        };
        Ok(ModelRef::parse(&id)?)
    }

    /// The guardrail id and version an ApplyGuardrail call uses: `id` and
    /// `version` as given, else the config's `guardrail` (`None` where neither
    /// gives one): what `bedrock-lite guardrail apply` sends.
    pub fn guardrail_defaults(
        &self,
        id: Option<String>,
        version: Option<String>,
    ) -> (Option<String>, Option<String>) {
        let configured = self.settings().config.guardrail.as_ref();
        (
            id.or_else(|| configured.map(|g| g.guardrail_identifier.clone())),
            version.or_else(|| configured.map(|g| g.guardrail_version.clone())),
        )
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
        let body = serde_json::to_vec(request)
            .map(Bytes::from)
            .map_err(|e| BedrockError::Config(format!("cannot serialise {what}: {e}")))?;
        let response = self.runtime_post(&path, body).await?;
        parse_json(&self.read_body(response, &what).await?, &what)
    }

    /// GetFoundationModel: the details of a foundation model, by id or ARN.
    pub async fn get_foundation_model(
        &self,
        model_identifier: &str,
    ) -> Result<FoundationModelDetails, BedrockError> {
        let path = format!("/foundation-models/{}", percent_encode(model_identifier));
        let what = format!("the response to GET {path}");
        let body = self
            .control_get("GetFoundationModel", self.region(), &path)
            .await?;
        let response: GetFoundationModelResponse = parse_json(&body, &what)?;
        response
            .model_details
            .ok_or_else(|| BedrockError::InvalidResponse {
                what,
                problem: "it has no `modelDetails`".to_owned(),
            })
    }

    /// GetInferenceProfile by id or ARN, in the client's region (an ARN is
    /// asked in its own region).
    pub async fn get_inference_profile(
        &self,
        identifier: &str,
    ) -> Result<GetInferenceProfileResponse, BedrockError> {
        let arn_region = ModelRef::parse(identifier)
            .ok()
            .and_then(|model| model.region().map(str::to_owned));
        let region = arn_region.as_deref().unwrap_or(self.region());
        self.get_inference_profile_in(region, identifier).await
    }

    /// GetInferenceProfile by id or ARN, in `region`.
    pub async fn get_inference_profile_in(
        &self,
        region: &str,
        identifier: &str,
    ) -> Result<GetInferenceProfileResponse, BedrockError> {
        let path = format!("/inference-profiles/{}", percent_encode(identifier));
        let body = self
            .control_get("GetInferenceProfile", region, &path)
            .await?;
        parse_json(&body, &format!("the response to GET {path}"))
    }

    /// InvokeModelWithResponseStream: `body` in the model's own format; the
    /// model's answer comes back in pieces ([`InvokeStream`]), each the bytes
    /// of one `chunk` event (for most models one JSON object each, e.g.
    /// Anthropic's `content_block_delta`).
    pub async fn invoke_with_response_stream(
        &self,
        model: impl IntoModelRef,
        body: &serde_json::Value,
    ) -> Result<InvokeStream, BedrockError> {
        let model = model.into_model_ref()?;
        let response = self
            .send(
                Operation::InvokeModelWithResponseStream,
                &model,
                serialise(&model, body)?,
            )
            .await?;
        let events = EventStream::with_reader(
            response.body,
            self.settings().timeouts.idle,
            EventReader::without_stop_event(),
        );
        Ok(InvokeStream { events })
    }
}

/// An InvokeModelWithResponseStream response: the model's chunks as they
/// arrive (the `bytes` of each `chunk` event; other event types, none today,
/// are skipped). The body may end after any whole frame; exceptions and
/// broken frames end it with a [`StreamError`], an idle body with
/// [`StreamError::IdleTimeout`].
#[derive(Debug)]
pub struct InvokeStream {
    events: EventStream,
}

impl InvokeStream {
    /// A stream over an InvokeModelWithResponseStream body.
    pub fn new(body: crate::http::Body, idle_timeout: std::time::Duration) -> InvokeStream {
        InvokeStream {
            events: EventStream::with_reader(body, idle_timeout, EventReader::without_stop_event()),
        }
    }

    /// The next chunk of the model's answer; `None` at the end or after an error.
    pub async fn next_chunk(&mut self) -> Option<Result<Bytes, StreamError>> {
        std::future::poll_fn(|cx| self.poll_chunk(cx)).await
    }

    fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, StreamError>>> {
        loop {
            let event = match self.events.poll_event(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(error))) => return Poll::Ready(Some(Err(error))),
                Poll::Ready(Some(Ok(event))) => event,
            };
            if event.event_type() == CHUNK_EVENT_TYPE {
                return Poll::Ready(Some(chunk_bytes(&event)));
            }
        }
    }
}

/// The model's bytes in a `chunk` event.
fn chunk_bytes(event: &Event) -> Result<Bytes, StreamError> {
    serde_json::from_slice::<PayloadPart>(event.payload())
        .map(|part| Bytes::from(part.bytes.0))
        .map_err(|e| StreamError::Event {
            event_type: CHUNK_EVENT_TYPE.to_owned(),
            problem: e.to_string(),
        })
}

impl futures_core::Stream for InvokeStream {
    type Item = Result<Bytes, StreamError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_chunk(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eventstream::{encode_frame, Header, HeaderValue};
    use crate::http::Body;
    use crate::types::StreamExceptionKind;
    use bytes::BytesMut;

    /// Reads every chunk of a body made of `pieces`, then how it ended.
    fn read_all(pieces: Vec<Bytes>) -> (Vec<Vec<u8>>, Option<StreamError>) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let mut stream =
            InvokeStream::new(Body::from_chunks(pieces), std::time::Duration::from_secs(5));
        runtime.block_on(async {
            let mut read = Vec::new();
            while let Some(chunk) = stream.next_chunk().await {
                match chunk {
                    Ok(bytes) => read.push(bytes.to_vec()),
                    Err(error) => return (read, Some(error)),
                }
            }
            (read, None)
        })
    }

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
        let two = chunk(b"two");
        let (head, tail) = two.split_at(7);
        let body = vec![
            chunk(b"one"),
            frame(
                &[(":message-type", "event"), (":event-type", "newEvent")],
                b"{}",
            ),
            Bytes::copy_from_slice(head),
            Bytes::copy_from_slice(tail),
        ];
        assert_eq!(
            read_all(body),
            (vec![b"one".to_vec(), b"two".to_vec()], None)
        );
    }

    #[test]
    fn exceptions_are_typed_and_end_the_stream() {
        let body = vec![
            chunk(b"one"),
            frame(
                &[
                    (":message-type", "exception"),
                    (":exception-type", "modelStreamErrorException"),
                ],
                br#"{"message":"boom","originalStatusCode":500,"originalMessage":"model"}"#,
            ),
            chunk(b"never"),
        ];
        let (read, error) = read_all(body);
        assert_eq!(read, vec![b"one".to_vec()]);
        let Some(StreamError::Exception(exception)) = error else {
            panic!("an exception: {error:?}");
        };
        assert_eq!(exception.kind, StreamExceptionKind::ModelStreamError);
        assert_eq!(exception.original_status_code, Some(500));
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
                "an error frame `Boom`: bad",
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
            let (_, error) = read_all(vec![body]);
            let error = error.expect(expected).to_string();
            assert!(error.contains(expected), "{error} / {expected}");
        }
        let whole = chunk(b"x");
        let (_, error) = read_all(vec![whole.slice(..whole.len() - 1)]);
        assert!(matches!(error, Some(StreamError::Decode(_))), "{error:?}");
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
            let mut split = Vec::new();
            let mut start = 0;
            for end in at.into_iter().chain([body.len()]) {
                split.push(Bytes::copy_from_slice(&body[start..end]));
                start = end;
            }
            proptest::prop_assert_eq!(read_all(split), (pieces, None));
        }

        #[test]
        fn any_bytes_read_or_fail_without_panicking(body in proptest::collection::vec(proptest::num::u8::ANY, 0..256)) {
            let _ = read_all(vec![Bytes::from(body)]);
        }
    }
}
