//! The replies: Converse and ConverseStream answers, and errors as Bedrock
//! sends them.
//!
//! Every answer is first one [`ConverseResponse`]: the emulated model's
//! (`model`), a scripted one, or a scripted whole reply. Converse sends it as
//! its body; ConverseStream sends the events
//! [`stream_events`](crate::bedrock::accumulator::stream_events) makes of it,
//! so the two always agree. `usage` counts the tokens (CountTokens counts
//! with [`usage::count_words`] too) and runs the emulated prompt cache.

mod model;
pub(super) mod usage;

pub(crate) use model::last_user_text;

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
use crate::bedrock::accumulator::stream_events;
use crate::types::{
    ContentBlock, ConversationRole, ConverseMetrics, ConverseOutput, ConverseRequest,
    ConverseResponse, Message, StopReason, TokenUsage,
};

/// The `x-amzn-ErrorType` suffix Bedrock sends after the code.
const ERROR_TYPE_SUFFIX: &str = ":http://internal.amazon.com/coral/com.amazon.bedrock/";
/// The content type of a ConverseStream body.
pub(crate) const EVENT_STREAM: &str = "application/vnd.amazon.eventstream";

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
    /// Content and a stop reason; usage and latency are counted.
    Content(Vec<ContentBlock>, StopReason),
    /// A whole scripted reply, sent as it is.
    Whole(Box<ConverseResponse>),
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
        Operation::Converse(_)
            | Operation::ConverseStream(_)
            | Operation::InvokeModelWithResponseStream(_)
    ) {
        if let Some(response) = scripted_error(shared) {
            return response;
        }
    }
    let model_id = match &operation {
        Operation::Converse(model_id) | Operation::ConverseStream(model_id) => model_id,
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
    };
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
    if let Some(message) =
        model::shape_refusal(model_id, &converse).or_else(|| model::refusal(&converse))
    {
        return error(400, "ValidationException", &message);
    }
    let streaming = matches!(operation, Operation::ConverseStream(_));
    let modelled = || {
        let (content, stop_reason) = model::answer(&converse);
        Answer::Content(content, stop_reason)
    };
    let (answer, delivery) = match shared.pop() {
        None | Some(Reply::SkewedClock { .. }) => (modelled(), Delivery::Whole),
        Some(Reply::Text(text)) => (
            Answer::Content(vec![ContentBlock::Text(text)], StopReason::EndTurn),
            Delivery::Whole,
        ),
        Some(Reply::ToolUse { name, input }) => {
            let call = model::tool_call(&converse, &name, input);
            let content = vec![ContentBlock::ToolUse(call)];
            (
                Answer::Content(content, StopReason::ToolUse),
                Delivery::Whole,
            )
        }
        Some(Reply::Reasoning { reasoning, text }) => {
            let content = vec![model::signed_reasoning(reasoning), ContentBlock::Text(text)];
            (
                Answer::Content(content, StopReason::EndTurn),
                Delivery::Whole,
            )
        }
        Some(Reply::Converse(reply)) => (Answer::Whole(reply), Delivery::Whole),
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
                modelled(),
                Delivery::ExceptionAfter {
                    events,
                    exception_type,
                    message,
                },
            )
        }
        Some(Reply::DropAfter { bytes }) => (modelled(), Delivery::DropAfter(bytes)),
        Some(Reply::Drip { delay }) => (modelled(), Delivery::Drip(delay)),
    };
    let reply = match answer {
        Answer::Whole(reply) => *reply,
        Answer::Content(content, stop_reason) => {
            reply_of(&converse, shared, content, stop_reason, started)
        }
    };
    let built = if streaming {
        stream_response(&reply, delivery)
    } else {
        converse_response(&reply, delivery)
    };
    built.unwrap_or_else(|message| error(500, "InternalServerException", &message))
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

/// The whole reply of the model to `request`: `content`, its usage (the
/// prompt cache consulted) and the time taken since `started`.
fn reply_of(
    request: &ConverseRequest,
    shared: &Shared,
    content: Vec<ContentBlock>,
    stop_reason: StopReason,
    started: Instant,
) -> ConverseResponse {
    let input = usage::input_usage(request, shared);
    let output_tokens = content
        .iter()
        .map(usage::block_tokens)
        .fold(0, u32::saturating_add);
    let total_tokens = [
        input.input,
        output_tokens,
        input.cache_read.unwrap_or(0),
        input.cache_write.unwrap_or(0),
    ]
    .into_iter()
    .fold(0, u32::saturating_add);
    ConverseResponse {
        output: ConverseOutput::Message(Message::new(ConversationRole::Assistant, content)),
        stop_reason,
        usage: TokenUsage {
            input_tokens: input.input,
            output_tokens,
            total_tokens,
            cache_read_input_tokens: input.cache_read,
            cache_write_input_tokens: input.cache_write,
            ..TokenUsage::default()
        },
        metrics: ConverseMetrics {
            latency_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        },
        additional_model_response_fields: None,
        trace: None,
        performance_config: None,
        service_tier: None,
    }
}

/// A ConverseStream response carrying `reply`.
fn stream_response(reply: &ConverseResponse, delivery: Delivery) -> Result<Response, String> {
    let events = stream_events(reply).map_err(|e| format!("the scripted reply: {e}"))?;
    let mut chunks = events
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

/// A Converse response carrying `reply`.
fn converse_response(reply: &ConverseResponse, delivery: Delivery) -> Result<Response, String> {
    let body = Bytes::from(serde_json::to_vec(reply).map_err(|e| e.to_string())?);
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
}
