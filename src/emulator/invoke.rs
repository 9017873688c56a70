//! `POST /model/{modelId}/invoke` and `.../invoke-with-response-stream`: the
//! model's own JSON in and out.
//!
//! * An embedding model answers InvokeModel with
//!   [`crate::embeddings::emulated_response`] (deterministic vectors per
//!   family); it does not stream.
//! * Any other model echoes the last user text (`You said: ...`), or a
//!   scripted [`Reply::Text`] when streaming, in its provider's format: an
//!   `anthropic.` model takes the Anthropic messages body (`anthropic_version`,
//!   `max_tokens`, `messages`) and answers with a message, or streams
//!   `message_start`, `content_block_start`, one `content_block_delta` per
//!   word, `content_block_stop`, `message_delta` and `message_stop` (with
//!   `amazon-bedrock-invocationMetrics`); the others take `inputText` (or
//!   `prompt`) and answer `{"results": [{"outputText"}]}`, or stream one
//!   `{"outputText"}` chunk per word, the last with `completionReason` `FINISH`.
//!
//! Each streamed piece is one `chunk` event frame whose payload is
//! `{"bytes": <base64 of the piece>}`. Input tokens are counted by the
//! emulator's Converse count over the body read as a conversation, which
//! CountTokens shares ([`input_tokens`]); an embedding model counts the words
//! of its input texts. InvokeModel answers carry the count in Bedrock's
//! `X-Amzn-Bedrock-Input-Token-Count` header.

use std::time::Instant;

use bytes::Bytes;
use serde::Deserialize;
use serde_json::{json, Value};

use super::converse::{self, error, throttled, EVENT_STREAM};
use super::frames;
use super::script::{Reply, Shared};
use super::server::{Body, RecordedRequest, Response};
use crate::bedrock::client::INPUT_TOKEN_COUNT_HEADER;
use crate::embeddings::{emulated_response, Family};
use crate::model_ref::ModelRef;
use crate::types::{
    ContentBlock, ConversationRole, ConverseRequest, Message, PayloadPart, SystemContentBlock,
};

/// The id of every emulated Anthropic message.
const MESSAGE_ID: &str = "msg_bdrk_emulator0";

/// The body format a model takes and answers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// Anthropic's messages API.
    Anthropic,
    /// `inputText` / `prompt` in, `outputText` out.
    OutputText,
}

impl Format {
    fn of(model_id: &str) -> Format {
        let provider = ModelRef::parse(model_id)
            .ok()
            .and_then(|model| model.provider().map(str::to_owned));
        match provider.as_deref() {
            Some("anthropic") => Format::Anthropic,
            _ => Format::OutputText,
        }
    }
}

/// A 400 `ValidationException` for a body the model does not take.
fn malformed(why: &str) -> Response {
    error(
        400,
        "ValidationException",
        &format!("Malformed input request: {why}, please reformat your input and try again."),
    )
}

/// Answers InvokeModel on `model_id` (decoded).
pub(crate) fn respond(model_id: &str, request: &RecordedRequest) -> Response {
    if Family::detect(model_id).is_ok() {
        return match emulated_response(model_id, &request.body) {
            Ok(answer) => counted(
                Response::full(200, "application/json", answer.body),
                answer.input_tokens,
            ),
            Err(message) => error(400, "ValidationException", &message),
        };
    }
    let format = Format::of(model_id);
    let conversation = match read_body(format, &request.body) {
        Ok(conversation) => conversation,
        Err(why) => return malformed(&why),
    };
    let text = echo(&conversation);
    let input_tokens = converse::usage::count_words(&conversation);
    let output_tokens = count(text.split_inclusive(' ').count());
    let body = match format {
        Format::Anthropic => json!({
            "id": MESSAGE_ID,
            "type": "message",
            "role": "assistant",
            "model": base_model(model_id),
            "content": [{ "type": "text", "text": text }],
            "stop_reason": "end_turn",
            "stop_sequence": null,
            "usage": { "input_tokens": input_tokens, "output_tokens": output_tokens },
        }),
        Format::OutputText => json!({
            "inputTextTokenCount": input_tokens,
            "results": [{
                "tokenCount": output_tokens,
                "outputText": text,
                "completionReason": "FINISH",
            }],
        }),
    };
    counted(
        Response::full(200, "application/json", body.to_string()),
        input_tokens.into(),
    )
}

/// `response` with Bedrock's `X-Amzn-Bedrock-Input-Token-Count` header.
fn counted(mut response: Response, input_tokens: u64) -> Response {
    response
        .headers
        .push((INPUT_TOKEN_COUNT_HEADER, input_tokens.to_string()));
    response
}

/// Answers InvokeModelWithResponseStream on `model_id` (decoded), taking the
/// next scripted reply: `Throttle` and `Status` are error responses; `Text`
/// is the answer; `Frames` are sent as they are; `ExceptionAfter`,
/// `DropAfter` and `Drip` shape the delivery of the echo; the others are
/// taken and ignored.
pub(crate) fn respond_stream(
    shared: &Shared,
    model_id: &str,
    request: &RecordedRequest,
) -> Response {
    let started = Instant::now();
    let mut scripted = shared.pop();
    match scripted {
        Some(Reply::Throttle) => return throttled(),
        Some(Reply::Status {
            status,
            ref error_type,
            ref message,
        }) => return error(status, error_type, message),
        Some(Reply::Frames(ref mut chunks)) => {
            let mut response = Response::full(200, EVENT_STREAM, Bytes::new());
            response.body = Body::Chunked {
                chunks: std::mem::take(chunks),
                delay: None,
            };
            return response;
        }
        _ => {}
    }
    if Family::detect(model_id).is_ok() {
        return error(
            400,
            "ValidationException",
            "The model is unsupported for streaming.",
        );
    }
    let format = Format::of(model_id);
    let conversation = match read_body(format, &request.body) {
        Ok(conversation) => conversation,
        Err(why) => return malformed(&why),
    };
    let text = match &mut scripted {
        Some(Reply::Text(text)) => std::mem::take(text),
        _ => echo(&conversation),
    };
    let input_tokens = converse::usage::count_words(&conversation);
    let chunks = stream_pieces(format, model_id, &text, input_tokens, started)
        .iter()
        .enumerate()
        .map(|(index, piece)| {
            let part = PayloadPart {
                bytes: piece.to_string().into_bytes().into(),
            };
            frames::chunk(&part, index)
        })
        .collect::<Result<Vec<Bytes>, String>>();
    let mut chunks = match chunks {
        Ok(chunks) => chunks,
        Err(message) => return error(500, "InternalServerException", &message),
    };
    let mut response = Response::full(200, EVENT_STREAM, Bytes::new());
    let mut delay = None;
    match scripted {
        Some(Reply::ExceptionAfter {
            events,
            exception_type,
            message,
        }) => {
            chunks.truncate(events);
            match frames::exception(&exception_type, &message, events) {
                Ok(frame) => chunks.push(frame),
                Err(message) => return error(500, "InternalServerException", &message),
            }
        }
        Some(Reply::DropAfter { bytes }) => response.drop_after = Some(bytes),
        Some(Reply::Drip { delay: wait }) => delay = Some(wait),
        _ => {}
    }
    response.body = Body::Chunked { chunks, delay };
    response
}

/// The pieces of a streamed answer `text`, in `format`.
fn stream_pieces(
    format: Format,
    model_id: &str,
    text: &str,
    input_tokens: u32,
    started: Instant,
) -> Vec<Value> {
    let words: Vec<&str> = text.split_inclusive(' ').collect();
    let output_tokens = count(words.len());
    let metrics = |started: Instant| {
        let latency = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        json!({
            "inputTokenCount": input_tokens,
            "outputTokenCount": output_tokens,
            "invocationLatency": latency,
            "firstByteLatency": latency,
        })
    };
    match format {
        Format::Anthropic => {
            let mut pieces = vec![
                json!({
                    "type": "message_start",
                    "message": {
                        "id": MESSAGE_ID,
                        "type": "message",
                        "role": "assistant",
                        "model": base_model(model_id),
                        "content": [],
                        "stop_reason": null,
                        "stop_sequence": null,
                        "usage": { "input_tokens": input_tokens, "output_tokens": 1 },
                    },
                }),
                json!({
                    "type": "content_block_start",
                    "index": 0,
                    "content_block": { "type": "text", "text": "" },
                }),
            ];
            pieces.extend(words.iter().map(|word| {
                json!({
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": { "type": "text_delta", "text": word },
                })
            }));
            pieces.push(json!({ "type": "content_block_stop", "index": 0 }));
            pieces.push(json!({
                "type": "message_delta",
                "delta": { "stop_reason": "end_turn", "stop_sequence": null },
                "usage": { "output_tokens": output_tokens },
            }));
            pieces.push(json!({
                "type": "message_stop",
                "amazon-bedrock-invocationMetrics": metrics(started),
            }));
            pieces
        }
        Format::OutputText => {
            let last = words.len().saturating_sub(1);
            let words = if words.is_empty() { vec![""] } else { words };
            words
                .iter()
                .enumerate()
                .map(|(index, word)| {
                    let mut piece = json!({
                        "outputText": word,
                        "index": 0,
                        "totalOutputTextTokenCount": count(index + 1),
                        "completionReason": null,
                        "inputTextTokenCount": input_tokens,
                    });
                    if index == last {
                        piece["completionReason"] = json!("FINISH");
                        piece["amazon-bedrock-invocationMetrics"] = metrics(started);
                    }
                    piece
                })
                .collect()
        }
    }
}

/// The emulated answer to `conversation`: its last user text, echoed.
fn echo(conversation: &ConverseRequest) -> String {
    format!("You said: {}", converse::last_user_text(conversation))
}

/// The base model id of `model_id` (for Anthropic's `model` member).
fn base_model(model_id: &str) -> String {
    ModelRef::parse(model_id)
        .ok()
        .and_then(|model| model.base_model_id().map(str::to_owned))
        .unwrap_or_else(|| model_id.to_owned())
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// An Anthropic messages body, as far as the emulator reads it.
#[derive(Deserialize)]
struct AnthropicBody {
    /// Required, as Bedrock requires it; not used.
    #[serde(rename = "anthropic_version")]
    _version: String,
    /// Required, as Bedrock requires it; not used.
    #[serde(rename = "max_tokens")]
    _max_tokens: u32,
    messages: Vec<AnthropicMessage>,
    #[serde(default)]
    system: Option<AnthropicContent>,
}

#[derive(Deserialize)]
struct AnthropicMessage {
    role: String,
    content: AnthropicContent,
}

/// Content: a string, or blocks of which the `text` ones are read.
#[derive(Deserialize)]
#[serde(untagged)]
enum AnthropicContent {
    Text(String),
    Blocks(Vec<Value>),
}

impl AnthropicContent {
    fn texts(self) -> Vec<String> {
        match self {
            AnthropicContent::Text(text) => vec![text],
            AnthropicContent::Blocks(blocks) => blocks
                .iter()
                .filter(|block| block.get("type").and_then(Value::as_str) == Some("text"))
                .filter_map(|block| block.get("text").and_then(Value::as_str))
                .map(str::to_owned)
                .collect(),
        }
    }
}

/// An `inputText` / `prompt` body.
#[derive(Deserialize)]
struct PromptBody {
    #[serde(rename = "inputText", alias = "prompt")]
    input_text: String,
}

/// A model body read as a Converse conversation of its texts, so that the
/// Converse echo and token count apply to it.
fn read_body(format: Format, body: &[u8]) -> Result<ConverseRequest, String> {
    let texts = |texts: Vec<String>| texts.into_iter().map(ContentBlock::Text).collect();
    match format {
        Format::Anthropic => {
            let body: AnthropicBody = serde_json::from_slice(body).map_err(|e| e.to_string())?;
            let mut messages = Vec::with_capacity(body.messages.len());
            for message in body.messages {
                let role = match message.role.as_str() {
                    "user" => ConversationRole::User,
                    "assistant" => ConversationRole::Assistant,
                    other => return Err(format!("role `{other}` is not user or assistant")),
                };
                messages.push(Message::new(role, texts(message.content.texts())));
            }
            let system = body
                .system
                .map(|system| {
                    system
                        .texts()
                        .into_iter()
                        .map(SystemContentBlock::Text)
                        .collect()
                })
                .unwrap_or_default();
            Ok(ConverseRequest {
                messages,
                system,
                ..ConverseRequest::default()
            })
        }
        Format::OutputText => {
            let body: PromptBody = serde_json::from_slice(body).map_err(|e| e.to_string())?;
            Ok(ConverseRequest {
                messages: vec![Message::user(body.input_text)],
                ..ConverseRequest::default()
            })
        }
    }
}

/// The input tokens of an InvokeModel `body` for `model_id`, counted as the
/// emulator counts a Converse request's (for CountTokens); `Err` is why the
/// body is malformed.
pub(crate) fn input_tokens(model_id: &str, body: &[u8]) -> Result<u32, String> {
    let conversation = read_body(Format::of(model_id), body)?;
    Ok(converse::usage::count_words(&conversation))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_follow_the_provider() {
        assert_eq!(
            Format::of("us.anthropic.claude-sonnet-4-6"),
            Format::Anthropic
        );
        assert_eq!(
            Format::of("arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-v2:1"),
            Format::Anthropic
        );
        assert_eq!(Format::of("amazon.nova-pro-v1:0"), Format::OutputText);
        assert_eq!(Format::of("not a model"), Format::OutputText);
    }

    #[test]
    fn bodies_read_as_conversations() {
        let anthropic = br#"{"anthropic_version":"bedrock-2023-05-31","max_tokens":10,
            "system":"Be brief.",
            "messages":[{"role":"user","content":"one two"},{"role":"assistant","content":[{"type":"text","text":"x"}]},
                        {"role":"user","content":[{"type":"text","text":"three"},{"type":"image","source":{}}]}]}"#;
        let conversation = read_body(Format::Anthropic, anthropic).expect("valid");
        assert_eq!(converse::last_user_text(&conversation), "three");
        assert_eq!(
            conversation.system,
            [SystemContentBlock::Text("Be brief.".into())]
        );
        // The system prompt counts too, as it does for Converse.
        assert_eq!(input_tokens("anthropic.claude-v2:1", anthropic), Ok(6));
        for bad in [
            &br#"{"max_tokens":10,"messages":[]}"#[..],
            br#"{"anthropic_version":"v","max_tokens":10}"#,
            br#"{"anthropic_version":"v","max_tokens":10,"messages":[{"role":"robot","content":"x"}]}"#,
            b"not json",
        ] {
            assert!(read_body(Format::Anthropic, bad).is_err());
        }
        assert_eq!(
            input_tokens("amazon.titan-text-express-v1", br#"{"inputText":"a b c"}"#),
            Ok(3)
        );
        assert_eq!(
            input_tokens("meta.llama3-8b-instruct-v1:0", br#"{"prompt":"a b"}"#),
            Ok(2)
        );
        assert!(input_tokens("meta.llama3-8b-instruct-v1:0", br#"{"text":"a"}"#).is_err());
    }

    #[test]
    fn streamed_pieces_join_back_to_the_text() {
        let text = "You said: hello there";
        let started = Instant::now();
        let anthropic = stream_pieces(Format::Anthropic, "anthropic.claude-v2:1", text, 2, started);
        let joined: String = anthropic
            .iter()
            .filter(|piece| piece["type"] == "content_block_delta")
            .filter_map(|piece| piece["delta"]["text"].as_str())
            .collect();
        assert_eq!(joined, text);
        assert_eq!(
            anthropic.first().map(|p| p["type"].clone()),
            Some(json!("message_start"))
        );
        assert_eq!(
            anthropic.last().map(|p| p["type"].clone()),
            Some(json!("message_stop"))
        );
        let titan = stream_pieces(
            Format::OutputText,
            "amazon.titan-text-express-v1",
            text,
            2,
            started,
        );
        let joined: String = titan
            .iter()
            .filter_map(|p| p["outputText"].as_str())
            .collect();
        assert_eq!(joined, text);
        assert_eq!(
            titan.last().map(|p| p["completionReason"].clone()),
            Some(json!("FINISH"))
        );
        assert!(titan
            .iter()
            .rev()
            .skip(1)
            .all(|p| p["completionReason"].is_null()));
        let empty = stream_pieces(
            Format::OutputText,
            "amazon.titan-text-express-v1",
            "",
            0,
            started,
        );
        assert_eq!(empty.len(), 1);
    }
}
