//! The replies: Converse and ConverseStream answers built from the typed
//! shapes of [`crate::types`], and errors as Bedrock sends them.

use std::borrow::Cow;
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::auth;
use super::catalogue;
use super::count_tokens;
use super::frames;
use super::guardrail;
use super::invoke;
use super::routes::{self, Operation};
use super::script::{Reply, Shared};
use super::server::{Body, RecordedRequest, Response};
use crate::types::{
    ContentBlock, ContentBlockDelta, ContentBlockDeltaEvent, ContentBlockStart,
    ContentBlockStartEvent, ContentBlockStopEvent, ConversationRole, ConverseMetrics,
    ConverseOutput, ConverseRequest, ConverseResponse, ConverseStreamMetadataEvent, Message,
    MessageStartEvent, MessageStopEvent, ReasoningContentBlock, ReasoningContentBlockDelta,
    ReasoningTextBlock, StopReason, StreamEvent, TokenUsage, ToolUseBlock, ToolUseBlockDelta,
    ToolUseBlockStart,
};

/// The `x-amzn-ErrorType` suffix Bedrock sends after the code.
const ERROR_TYPE_SUFFIX: &str = ":http://internal.amazon.com/coral/com.amazon.bedrock/";
/// The content type of a ConverseStream body.
pub(crate) const EVENT_STREAM: &str = "application/vnd.amazon.eventstream";
/// The signature sent with scripted reasoning.
const REASONING_SIGNATURE: &str = "emulator-reasoning-signature";
/// The id of a scripted tool call.
const TOOL_USE_ID: &str = "tooluse_emulator0";

/// An error response: `status`, `x-amzn-ErrorType` and `{"message": ...}`.
pub(crate) fn error(status: u16, code: &str, message: &str) -> Response {
    let body = serde_json::json!({ "message": message }).to_string();
    let mut response = Response::full(status, "application/json", body);
    response
        .headers
        .push(("x-amzn-ErrorType", format!("{code}{ERROR_TYPE_SUFFIX}")));
    response
}

/// For an operation other than Converse: the next scripted reply as an
/// error response when it is one (`Throttle`, `Status`); any other reply is
/// taken and ignored, and the request is answered normally.
fn scripted_error(shared: &Shared) -> Option<Response> {
    match shared.pop()? {
        Reply::Throttle => Some(throttled()),
        Reply::Status {
            status,
            error_type,
            message,
        } => Some(error(status, &error_type, &message)),
        _ => None,
    }
}

/// HTTP 429 `ThrottlingException`.
pub(crate) fn throttled() -> Response {
    error(
        429,
        "ThrottlingException",
        "Too many requests, please wait before trying again.",
    )
}

/// What the model "says".
enum Answer {
    Text(String),
    ToolUse {
        name: String,
        input: serde_json::Value,
    },
    Reasoning {
        reasoning: String,
        text: String,
    },
}

/// How the answer is delivered.
enum Delivery {
    Whole,
    ExceptionAfter {
        events: usize,
        exception_type: String,
        message: String,
    },
    DropAfter(usize),
    Drip(Duration),
}

/// Answers one request: the clock script, the credentials check, the route,
/// then the next scripted reply (or the echo).
pub(crate) fn respond(shared: &Shared, request: &RecordedRequest) -> Response {
    let started = Instant::now();
    shared.apply_clock_script();
    if let Err(refusal) = auth::check(&shared.signer, request, shared.now()) {
        return error(403, refusal.code, &refusal.message);
    }
    let Some(operation) = routes::route(&request.method, &request.path) else {
        return error(404, "UnknownOperationException", "Unknown operation");
    };
    if !matches!(
        operation,
        Operation::Converse
            | Operation::ConverseStream
            | Operation::InvokeModelWithResponseStream(_)
    ) {
        if let Some(response) = scripted_error(shared) {
            return response;
        }
    }
    match &operation {
        Operation::Converse | Operation::ConverseStream => {}
        Operation::InvokeModel(model_id) => return invoke::respond(model_id, request),
        Operation::InvokeModelWithResponseStream(model_id) => {
            return invoke::respond_stream(shared, model_id, request)
        }
        Operation::CountTokens(model_id) => return count_tokens::respond(model_id, request),
        Operation::ApplyGuardrail {
            identifier,
            version,
        } => return guardrail::respond(request, identifier, version),
        Operation::ListFoundationModels => return catalogue::list_foundation_models(request),
        Operation::GetFoundationModel(id) => return catalogue::get_foundation_model(request, id),
        Operation::ListInferenceProfiles => return catalogue::list_inference_profiles(request),
        Operation::GetInferenceProfile(id) => return catalogue::get_inference_profile(request, id),
    }
    let converse: ConverseRequest = match serde_json::from_slice(&request.body) {
        Ok(converse) => converse,
        Err(e) => {
            return error(
                400,
                "ValidationException",
                &format!("Malformed input request: {e}"),
            )
        }
    };
    let streaming = operation == Operation::ConverseStream;
    let echo = || Answer::Text(format!("You said: {}", last_user_text(&converse)));
    let (answer, delivery) = match shared.pop() {
        None | Some(Reply::SkewedClock { .. }) => (echo(), Delivery::Whole),
        Some(Reply::Text(text)) => (Answer::Text(text), Delivery::Whole),
        Some(Reply::ToolUse { name, input }) => (Answer::ToolUse { name, input }, Delivery::Whole),
        Some(Reply::Reasoning { reasoning, text }) => {
            (Answer::Reasoning { reasoning, text }, Delivery::Whole)
        }
        Some(Reply::Frames(chunks)) => {
            let mut response = Response::full(200, EVENT_STREAM, Bytes::new());
            response.body = Body::Chunked {
                chunks,
                delay: None,
            };
            return response;
        }
        Some(Reply::Throttle) => return throttled(),
        Some(Reply::Status {
            status,
            error_type,
            message,
        }) => return error(status, &error_type, &message),
        Some(Reply::ExceptionAfter {
            events,
            exception_type,
            message,
        }) => {
            if !streaming {
                let (status, code) = http_error_of(&exception_type);
                return error(status, &code, &message);
            }
            (
                echo(),
                Delivery::ExceptionAfter {
                    events,
                    exception_type,
                    message,
                },
            )
        }
        Some(Reply::DropAfter { bytes }) => (echo(), Delivery::DropAfter(bytes)),
        Some(Reply::Drip { delay }) => (echo(), Delivery::Drip(delay)),
    };
    let input_tokens = count_words(&converse);
    let built = if streaming {
        stream_response(&answer, delivery, input_tokens, started)
    } else {
        converse_response(answer, delivery, input_tokens, started)
    };
    built.unwrap_or_else(|message| error(500, "InternalServerException", &message))
}

/// The text of the last user message (its text blocks joined by spaces).
pub(crate) fn last_user_text(request: &ConverseRequest) -> String {
    let Some(message) = request
        .messages
        .iter()
        .rev()
        .find(|message| message.role == ConversationRole::User)
    else {
        return String::new();
    };
    let texts: Vec<&str> = message
        .content
        .iter()
        .filter_map(|block| match block {
            ContentBlock::Text(text) => Some(text.as_str()),
            _ => None,
        })
        .collect();
    texts.join(" ")
}

/// A rough token count: the words of every text block in the messages.
pub(crate) fn count_words(request: &ConverseRequest) -> u32 {
    let words = request
        .messages
        .iter()
        .flat_map(|message| &message.content)
        .map(|block| match block {
            ContentBlock::Text(text) => text.split_whitespace().count(),
            _ => 0,
        })
        .sum::<usize>();
    u32::try_from(words).unwrap_or(u32::MAX)
}

/// `text` in pieces of one word each, spaces kept, so the pieces join back to it.
pub(crate) fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split_inclusive(' ')
}

/// The HTTP status and code a stream exception type has as a Converse error.
fn http_error_of(exception_type: &str) -> (u16, String) {
    let mut chars = exception_type.chars();
    let code = chars
        .next()
        .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default();
    let status = match exception_type {
        "throttlingException" => 429,
        "validationException" => 400,
        "modelStreamErrorException" => 424,
        "serviceUnavailableException" => 503,
        _ => 500,
    };
    (status, code)
}

fn usage(input_tokens: u32, output_tokens: u32) -> TokenUsage {
    TokenUsage {
        input_tokens,
        output_tokens,
        total_tokens: input_tokens.saturating_add(output_tokens),
        ..TokenUsage::default()
    }
}

fn latency(started: Instant) -> ConverseMetrics {
    ConverseMetrics {
        latency_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    }
}

fn delta(index: u32, delta: ContentBlockDelta<'_>) -> StreamEvent<'_> {
    StreamEvent::ContentBlockDelta(ContentBlockDeltaEvent {
        delta,
        content_block_index: index,
    })
}

fn block_stop(index: u32) -> StreamEvent<'static> {
    StreamEvent::ContentBlockStop(ContentBlockStopEvent {
        content_block_index: index,
    })
}

/// Pushes one text delta per word of `text`, then the block's stop.
fn text_deltas<'a>(events: &mut Vec<StreamEvent<'a>>, index: u32, text: &'a str) {
    for word in words(text) {
        events.push(delta(index, ContentBlockDelta::Text(Cow::Borrowed(word))));
    }
    events.push(block_stop(index));
}

/// The events of `answer`, `messageStart` to `metadata`.
fn stream_events(answer: &Answer, input_tokens: u32, started: Instant) -> Vec<StreamEvent<'_>> {
    let mut events = vec![StreamEvent::MessageStart(MessageStartEvent {
        role: ConversationRole::Assistant,
    })];
    let stop_reason = match answer {
        Answer::Text(text) => {
            text_deltas(&mut events, 0, text);
            StopReason::EndTurn
        }
        Answer::ToolUse { name, input } => {
            events.push(StreamEvent::ContentBlockStart(ContentBlockStartEvent {
                start: ContentBlockStart::ToolUse(ToolUseBlockStart {
                    tool_use_id: TOOL_USE_ID.into(),
                    name: name.clone(),
                    r#type: None,
                }),
                content_block_index: 0,
            }));
            let json = input.to_string();
            let middle = (0..=json.len() / 2)
                .rev()
                .find(|at| json.is_char_boundary(*at))
                .unwrap_or(0);
            let (first, second) = json.split_at(middle);
            for piece in [first, second]
                .into_iter()
                .filter(|piece| !piece.is_empty())
            {
                let input = Cow::Owned(piece.to_owned());
                events.push(delta(
                    0,
                    ContentBlockDelta::ToolUse(ToolUseBlockDelta { input }),
                ));
            }
            events.push(block_stop(0));
            StopReason::ToolUse
        }
        Answer::Reasoning { reasoning, text } => {
            for word in words(reasoning) {
                let piece = ReasoningContentBlockDelta::Text(Cow::Borrowed(word));
                events.push(delta(0, ContentBlockDelta::ReasoningContent(piece)));
            }
            let signature =
                ReasoningContentBlockDelta::Signature(Cow::Borrowed(REASONING_SIGNATURE));
            events.push(delta(0, ContentBlockDelta::ReasoningContent(signature)));
            events.push(block_stop(0));
            text_deltas(&mut events, 1, text);
            StopReason::EndTurn
        }
    };
    let output_tokens = events
        .iter()
        .filter(|event| matches!(event, StreamEvent::ContentBlockDelta(_)))
        .count();
    events.push(StreamEvent::MessageStop(MessageStopEvent {
        stop_reason,
        additional_model_response_fields: None,
    }));
    events.push(StreamEvent::Metadata(ConverseStreamMetadataEvent {
        usage: usage(
            input_tokens,
            u32::try_from(output_tokens).unwrap_or(u32::MAX),
        ),
        metrics: latency(started),
        ..ConverseStreamMetadataEvent::default()
    }));
    events
}

/// A ConverseStream response.
fn stream_response(
    answer: &Answer,
    delivery: Delivery,
    input_tokens: u32,
    started: Instant,
) -> Result<Response, String> {
    let mut chunks = stream_events(answer, input_tokens, started)
        .iter()
        .enumerate()
        .map(|(index, event)| frames::event(event, index))
        .collect::<Result<Vec<Bytes>, String>>()?;
    let mut response = Response::full(200, EVENT_STREAM, Bytes::new());
    let mut delay = None;
    match delivery {
        Delivery::Whole => {}
        Delivery::ExceptionAfter {
            events,
            exception_type,
            message,
        } => {
            chunks.truncate(events);
            chunks.push(frames::exception(&exception_type, &message, events)?);
        }
        Delivery::DropAfter(bytes) => response.drop_after = Some(bytes),
        Delivery::Drip(wait) => delay = Some(wait),
    }
    response.body = Body::Chunked { chunks, delay };
    Ok(response)
}

/// A Converse response.
fn converse_response(
    answer: Answer,
    delivery: Delivery,
    input_tokens: u32,
    started: Instant,
) -> Result<Response, String> {
    let (content, stop_reason) = match answer {
        Answer::Text(text) => (vec![ContentBlock::Text(text)], StopReason::EndTurn),
        Answer::ToolUse { name, input } => (
            vec![ContentBlock::ToolUse(ToolUseBlock {
                tool_use_id: TOOL_USE_ID.into(),
                name,
                input,
                r#type: None,
            })],
            StopReason::ToolUse,
        ),
        Answer::Reasoning { reasoning, text } => (
            vec![
                ContentBlock::ReasoningContent(ReasoningContentBlock::ReasoningText(
                    ReasoningTextBlock {
                        text: reasoning,
                        signature: Some(REASONING_SIGNATURE.into()),
                    },
                )),
                ContentBlock::Text(text),
            ],
            StopReason::EndTurn,
        ),
    };
    let output_tokens = content
        .iter()
        .map(|block| match block {
            ContentBlock::Text(text) => words(text).count(),
            _ => 1,
        })
        .sum::<usize>();
    let reply = ConverseResponse {
        output: ConverseOutput::Message(Message {
            role: ConversationRole::Assistant,
            content,
        }),
        stop_reason,
        usage: usage(
            input_tokens,
            u32::try_from(output_tokens).unwrap_or(u32::MAX),
        ),
        metrics: latency(started),
        additional_model_response_fields: None,
        trace: None,
        performance_config: None,
        service_tier: None,
    };
    let body = Bytes::from(serde_json::to_vec(&reply).map_err(|e| e.to_string())?);
    let mut response = Response::full(200, "application/json", body.clone());
    match delivery {
        Delivery::Whole | Delivery::ExceptionAfter { .. } => {}
        Delivery::DropAfter(bytes) => response.drop_after = Some(bytes),
        Delivery::Drip(delay) => {
            response.body = Body::Chunked {
                chunks: vec![body],
                delay: Some(delay),
            }
        }
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exception_types_map_to_http_errors() {
        assert_eq!(
            http_error_of("throttlingException"),
            (429, "ThrottlingException".into())
        );
        assert_eq!(http_error_of("validationException").0, 400);
        assert_eq!(http_error_of("").0, 500);
    }

    #[test]
    fn words_join_back() {
        let text = "héllo  wörld ok";
        assert_eq!(words(text).collect::<String>(), text);
        assert_eq!(words("You said: hi").count(), 3);
    }

    #[test]
    fn echoes_the_last_user_message() {
        let request: ConverseRequest = serde_json::from_str(
            r#"{"messages":[{"role":"user","content":[{"text":"a"}]},{"role":"assistant","content":[{"text":"b"}]},{"role":"user","content":[{"text":"c"},{"text":"d"}]}]}"#,
        )
        .expect("valid");
        assert_eq!(last_user_text(&request), "c d");
        assert_eq!(count_words(&request), 4);
    }
}
