//! The OpenAI wire shapes the gateway takes and gives, with OpenAI's field
//! names: the chat completion request ([`ChatRequest::from_json`]), the
//! `chat.completion` response ([`ChatCompletion`]) and its stream chunks
//! ([`ChatCompletionChunk`]), and the models list ([`ModelList`]).
//! The embeddings shapes are in `super::embeddings` (feature `embeddings`).
//!
//! Requests are read by hand from JSON so that a field of the wrong type is a
//! 400 `invalid_request_error` naming it (`messages[2].content`); fields this
//! gateway does not know are ignored, and `null` reads as not given.

use serde::Serialize;
use serde_json::Value;

use super::errors::GatewayError;
use super::fields::{Located, Object};
use crate::models::rules::Effort;
use crate::types::CacheTtl;

/// A prompt-cache marker on a content part, system part or tool:
/// `cache_control: {"type": "ephemeral", "ttl"?: "5m" | "1h"}`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CacheControl {
    /// How long the entry lives, when given.
    pub ttl: Option<CacheTtl>,
}

/// A text part (or a whole string content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextPart {
    /// The text.
    pub text: String,
    /// Its `cache_control`.
    pub cache: Option<CacheControl>,
}

/// An `image_url` part of a user message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImagePart {
    /// `image_url.url`: a `data:` URL or any other URL (refused when mapped).
    pub url: String,
    /// Its `cache_control`.
    pub cache: Option<CacheControl>,
}

/// A part of a user message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserPart {
    /// `text`.
    Text(TextPart),
    /// `image_url`.
    Image(ImagePart),
}

/// A tool call of an assistant message (`tool_calls[]`, `function` type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolCall {
    /// `id`.
    pub id: String,
    /// `function.name`.
    pub name: String,
    /// `function.arguments`: JSON text.
    pub arguments: String,
}

/// One signed reasoning block, as `reasoning_details[]` carries it (in
/// requests and responses).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type")]
pub enum ReasoningDetail {
    /// `{"type": "reasoning.text", "text", "signature"}`.
    #[serde(rename = "reasoning.text")]
    Text {
        /// The reasoning.
        text: String,
        /// The provider's signature over it.
        #[serde(skip_serializing_if = "Option::is_none")]
        signature: Option<String>,
    },
    /// `{"type": "reasoning.encrypted", "data"}`: redacted reasoning, base64.
    #[serde(rename = "reasoning.encrypted")]
    Encrypted {
        /// The encrypted reasoning, standard base64.
        data: String,
    },
}

impl ReasoningDetail {
    /// Its size in bytes (text, signature, data), for cache accounting.
    pub fn size(&self) -> usize {
        match self {
            ReasoningDetail::Text { text, signature } => {
                text.len() + signature.as_ref().map_or(0, String::len)
            }
            ReasoningDetail::Encrypted { data } => data.len(),
        }
    }
}

/// An assistant message of the conversation so far.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AssistantTurn {
    /// `content`: text (and `refusal`) parts.
    pub content: Vec<TextPart>,
    /// `tool_calls`.
    pub tool_calls: Vec<ToolCall>,
    /// `reasoning_details`: the turn's signed reasoning, in order (types other
    /// than `reasoning.text` and `reasoning.encrypted` are skipped).
    /// `reasoning_content` is accepted but not kept: reasoning without its
    /// signature cannot go back to Bedrock.
    pub reasoning_details: Vec<ReasoningDetail>,
}

/// A `tool` message: the result of a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolResult {
    /// `tool_call_id`.
    pub tool_call_id: String,
    /// `content`: text parts.
    pub content: Vec<TextPart>,
}

/// One message of `messages`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatMessage {
    /// `system` or `developer`.
    System(Vec<TextPart>),
    /// `user`.
    User(Vec<UserPart>),
    /// `assistant`.
    Assistant(AssistantTurn),
    /// `tool`.
    Tool(ToolResult),
}

/// A `function` tool of `tools`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionTool {
    /// `function.name`.
    pub name: String,
    /// `function.description`.
    pub description: Option<String>,
    /// `function.parameters`: a JSON schema.
    pub parameters: Option<Value>,
    /// `function.strict`.
    pub strict: Option<bool>,
    /// The tool's `cache_control`.
    pub cache: Option<CacheControl>,
}

/// `tool_choice`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolChoiceOption {
    /// `"auto"`.
    Auto,
    /// `"required"`.
    Required,
    /// `"none"`.
    None,
    /// `{"type": "function", "function": {"name"}}`.
    Function(String),
}

/// A chat completion request (`POST /v1/chat/completions`), read and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    /// `model`, as given.
    pub model: String,
    /// `messages`, in order.
    pub messages: Vec<ChatMessage>,
    /// `max_completion_tokens`, else `max_tokens`.
    pub max_tokens: Option<u32>,
    /// `temperature` (0 to 2).
    pub temperature: Option<f32>,
    /// `top_p` (0 to 1).
    pub top_p: Option<f32>,
    /// `stop`: a string or a list.
    pub stop: Vec<String>,
    /// `stream`.
    pub stream: bool,
    /// `stream_options.include_usage`.
    pub include_usage: bool,
    /// `tools`.
    pub tools: Vec<FunctionTool>,
    /// `tool_choice`.
    pub tool_choice: Option<ToolChoiceOption>,
    /// `reasoning_effort`: `low`, `medium`, `high` (`minimal` reads as `low`,
    /// `none` as not given).
    pub reasoning_effort: Option<Effort>,
}

impl ChatRequest {
    /// Reads a request body. Bad JSON, a missing required field or a field of
    /// the wrong type is a 400 naming it.
    pub fn from_json(body: &[u8]) -> Result<ChatRequest, GatewayError> {
        let value: Value =
            serde_json::from_slice(body).map_err(|e| GatewayError::invalid_json(&e))?;
        let root = Located::root(&value).object("a JSON object")?;
        let model = root.require("model")?;
        let model = non_empty(&model)?.to_owned();
        let messages = root
            .require("messages")?
            .array("an array of messages")?
            .iter()
            .map(message)
            .collect::<Result<Vec<_>, _>>()?;
        if messages.is_empty() {
            return Err(GatewayError::invalid_field(
                "messages",
                "expected at least one message",
            ));
        }
        if let Some(n) = root.get("n") {
            if n.u32_at_least(1)? != 1 {
                return Err(n.error("only 1 choice is supported"));
            }
        }
        let max_tokens = match root.get("max_completion_tokens") {
            Some(at) => Some(at.u32_at_least(1)?),
            None => root
                .get("max_tokens")
                .map(|at| at.u32_at_least(1))
                .transpose()?,
        };
        let stream_options = root
            .get("stream_options")
            .map(|at| at.object("an object"))
            .transpose()?;
        let include_usage = match stream_options.and_then(|options| options.get("include_usage")) {
            Some(at) => at.bool()?,
            None => false,
        };
        Ok(ChatRequest {
            model,
            messages,
            max_tokens,
            temperature: root
                .get("temperature")
                .map(|at| at.f32_within(0.0, 2.0))
                .transpose()?,
            top_p: root
                .get("top_p")
                .map(|at| at.f32_within(0.0, 1.0))
                .transpose()?,
            stop: root
                .get("stop")
                .map(|at| stop(&at))
                .transpose()?
                .unwrap_or_default(),
            stream: root
                .get("stream")
                .map(|at| at.bool())
                .transpose()?
                .unwrap_or(false),
            include_usage,
            tools: match root.get("tools") {
                Some(at) => at
                    .array("an array of tools")?
                    .iter()
                    .map(tool)
                    .collect::<Result<_, _>>()?,
                None => Vec::new(),
            },
            tool_choice: root
                .get("tool_choice")
                .map(|at| tool_choice(&at))
                .transpose()?,
            reasoning_effort: match root.get("reasoning_effort") {
                Some(at) => reasoning_effort(&at)?,
                None => None,
            },
        })
    }
}

/// A string that is not empty.
fn non_empty<'a>(at: &Located<'a>) -> Result<&'a str, GatewayError> {
    let text = at.str()?;
    if text.is_empty() {
        return Err(at.error("expected a non-empty string"));
    }
    Ok(text)
}

/// One message, by its `role`.
fn message(at: &Located<'_>) -> Result<ChatMessage, GatewayError> {
    let object = at.object("a message object")?;
    let role = object.require("role")?;
    match role.str()? {
        "system" | "developer" => Ok(ChatMessage::System(text_parts(
            &object.require("content")?,
            false,
        )?)),
        "user" => Ok(ChatMessage::User(user_parts(&object.require("content")?)?)),
        "assistant" => assistant(&object).map(ChatMessage::Assistant),
        "tool" => Ok(ChatMessage::Tool(ToolResult {
            tool_call_id: non_empty(&object.require("tool_call_id")?)?.to_owned(),
            content: text_parts(&object.require("content")?, false)?,
        })),
        other => Err(role.error(format_args!(
            "unsupported role `{}` (expected system, developer, user, assistant or tool)",
            other.escape_debug()
        ))),
    }
}

/// An assistant message.
fn assistant(object: &Object<'_>) -> Result<AssistantTurn, GatewayError> {
    if let Some(at) = object.get("reasoning_content") {
        at.str()?;
    }
    Ok(AssistantTurn {
        content: match object.get("content") {
            Some(at) => text_parts(&at, true)?,
            None => Vec::new(),
        },
        tool_calls: match object.get("tool_calls") {
            Some(at) => at
                .array("an array of tool calls")?
                .iter()
                .map(tool_call)
                .collect::<Result<_, _>>()?,
            None => Vec::new(),
        },
        reasoning_details: match object.get("reasoning_details") {
            Some(at) => reasoning_details(&at)?,
            None => Vec::new(),
        },
    })
}

/// `tool_calls[i]`.
fn tool_call(at: &Located<'_>) -> Result<ToolCall, GatewayError> {
    let object = at.object("a tool call object")?;
    if let Some(kind) = object.get("type") {
        if kind.str()? != "function" {
            return Err(kind.error("only `function` tool calls are supported"));
        }
    }
    let function = object.require("function")?.object("an object")?;
    Ok(ToolCall {
        id: non_empty(&object.require("id")?)?.to_owned(),
        name: non_empty(&function.require("name")?)?.to_owned(),
        arguments: match function.get("arguments") {
            Some(arguments) => arguments.str()?.to_owned(),
            None => String::new(),
        },
    })
}

/// `reasoning_details`: the known types, in order; others skipped.
fn reasoning_details(at: &Located<'_>) -> Result<Vec<ReasoningDetail>, GatewayError> {
    let mut details = Vec::new();
    for item in at.array("an array of reasoning details")? {
        let object = item.object("a reasoning detail object")?;
        let kind = object.require("type")?;
        match kind.str()? {
            "reasoning.text" => details.push(ReasoningDetail::Text {
                text: object.require("text")?.str()?.to_owned(),
                signature: object
                    .get("signature")
                    .map(|at| at.str().map(str::to_owned))
                    .transpose()?,
            }),
            "reasoning.encrypted" => details.push(ReasoningDetail::Encrypted {
                data: object.require("data")?.str()?.to_owned(),
            }),
            _ => {}
        }
    }
    Ok(details)
}

/// Content that is a string or an array of `text` parts (and, for the
/// assistant, `refusal` parts).
fn text_parts(at: &Located<'_>, refusals: bool) -> Result<Vec<TextPart>, GatewayError> {
    if let Some(text) = at.value().as_str() {
        return Ok(vec![TextPart {
            text: text.to_owned(),
            cache: None,
        }]);
    }
    let what = "a string or an array of content parts";
    let mut parts = Vec::new();
    for item in at.array(what)? {
        let object = item.object("a content part object")?;
        let kind = object.require("type")?;
        let text = match kind.str()? {
            "text" => object.require("text")?.str()?,
            "refusal" if refusals => object.require("refusal")?.str()?,
            other => {
                return Err(kind.error(format_args!(
                    "unsupported content part type `{}` here (expected text)",
                    other.escape_debug()
                )))
            }
        };
        parts.push(TextPart {
            text: text.to_owned(),
            cache: cache_control(&object)?,
        });
    }
    Ok(parts)
}

/// A user message's content: a string or `text` and `image_url` parts.
fn user_parts(at: &Located<'_>) -> Result<Vec<UserPart>, GatewayError> {
    if let Some(text) = at.value().as_str() {
        return Ok(vec![UserPart::Text(TextPart {
            text: text.to_owned(),
            cache: None,
        })]);
    }
    let mut parts = Vec::new();
    for item in at.array("a string or an array of content parts")? {
        let object = item.object("a content part object")?;
        let kind = object.require("type")?;
        let cache = cache_control(&object)?;
        parts.push(match kind.str()? {
            "text" => UserPart::Text(TextPart {
                text: object.require("text")?.str()?.to_owned(),
                cache,
            }),
            "image_url" => {
                let image = object.require("image_url")?.object("an object")?;
                if let Some(detail) = image.get("detail") {
                    detail.str()?;
                }
                UserPart::Image(ImagePart {
                    url: non_empty(&image.require("url")?)?.to_owned(),
                    cache,
                })
            }
            other => {
                return Err(kind.error(format_args!(
                    "unsupported content part type `{}` (expected text or image_url)",
                    other.escape_debug()
                )))
            }
        });
    }
    Ok(parts)
}

/// The `cache_control` member of `object`, when given.
fn cache_control(object: &Object<'_>) -> Result<Option<CacheControl>, GatewayError> {
    let Some(at) = object.get("cache_control") else {
        return Ok(None);
    };
    let control = at.object("an object")?;
    let kind = control.require("type")?;
    if kind.str()? != "ephemeral" {
        return Err(kind.error("expected \"ephemeral\""));
    }
    let ttl = match control.get("ttl") {
        Some(ttl) => Some(match ttl.str()? {
            "5m" => CacheTtl::FiveMinutes,
            "1h" => CacheTtl::OneHour,
            _ => return Err(ttl.error("expected \"5m\" or \"1h\"")),
        }),
        None => None,
    };
    Ok(Some(CacheControl { ttl }))
}

/// `stop`: a string or an array of strings.
fn stop(at: &Located<'_>) -> Result<Vec<String>, GatewayError> {
    if let Some(text) = at.value().as_str() {
        return Ok(vec![text.to_owned()]);
    }
    at.array("a string or an array of strings")?
        .iter()
        .map(|item| item.str().map(str::to_owned))
        .collect()
}

/// `tools[i]`.
fn tool(at: &Located<'_>) -> Result<FunctionTool, GatewayError> {
    let object = at.object("a tool object")?;
    let kind = object.require("type")?;
    if kind.str()? != "function" {
        return Err(kind.error("only `function` tools are supported"));
    }
    let function = object.require("function")?.object("an object")?;
    let parameters = match function.get("parameters") {
        Some(at) => {
            at.object("a JSON schema object")?;
            Some(at.value().clone())
        }
        None => None,
    };
    Ok(FunctionTool {
        name: non_empty(&function.require("name")?)?.to_owned(),
        description: function
            .get("description")
            .map(|at| at.str().map(str::to_owned))
            .transpose()?,
        parameters,
        strict: function.get("strict").map(|at| at.bool()).transpose()?,
        cache: cache_control(&object)?,
    })
}

/// `tool_choice`: a string or `{"type": "function", "function": {"name"}}`.
fn tool_choice(at: &Located<'_>) -> Result<ToolChoiceOption, GatewayError> {
    if let Some(text) = at.value().as_str() {
        return match text {
            "auto" => Ok(ToolChoiceOption::Auto),
            "required" => Ok(ToolChoiceOption::Required),
            "none" => Ok(ToolChoiceOption::None),
            _ => Err(at.error("expected \"auto\", \"required\", \"none\" or a function choice")),
        };
    }
    let object = at.object("a string or a function choice object")?;
    let kind = object.require("type")?;
    if kind.str()? != "function" {
        return Err(kind.error("expected \"function\""));
    }
    let function = object.require("function")?.object("an object")?;
    Ok(ToolChoiceOption::Function(
        non_empty(&function.require("name")?)?.to_owned(),
    ))
}

/// `reasoning_effort`.
fn reasoning_effort(at: &Located<'_>) -> Result<Option<Effort>, GatewayError> {
    match at.str()? {
        "none" => Ok(None),
        "minimal" => Ok(Some(Effort::Low)),
        other => Effort::parse(other)
            .map(Some)
            .ok_or_else(|| at.error("expected \"low\", \"medium\" or \"high\"")),
    }
}

/// Why the model stopped, in OpenAI's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    /// `stop`: the turn ended or a stop sequence was written.
    Stop,
    /// `length`: the token limit or the context window was reached.
    Length,
    /// `tool_calls`: the model wants tools called.
    ToolCalls,
    /// `content_filter`: a guardrail or content filter stopped it.
    ContentFilter,
}

/// A function call in a response message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FunctionCall {
    /// The tool's name.
    pub name: String,
    /// The input, as JSON text.
    pub arguments: String,
}

/// A tool call in a response message (`tool_calls[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResponseToolCall {
    /// Bedrock's `toolUseId`.
    pub id: String,
    /// Always `function`.
    pub r#type: &'static str,
    /// The call.
    pub function: FunctionCall,
}

/// The assistant's message in a `chat.completion`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResponseMessage {
    /// Always `assistant`.
    pub role: &'static str,
    /// The text; `null` when the model only called tools.
    pub content: Option<String>,
    /// The tool calls, when any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ResponseToolCall>,
    /// The readable reasoning, when any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasoning_content: Option<String>,
    /// The signed reasoning, to send back with this message.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasoning_details: Vec<ReasoningDetail>,
}

/// The one choice of a `chat.completion`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    /// Always 0.
    pub index: u32,
    /// The message.
    pub message: ResponseMessage,
    /// Why the model stopped.
    pub finish_reason: FinishReason,
}

/// `usage.prompt_tokens_details`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PromptTokensDetails {
    /// Prompt tokens read from the cache.
    pub cached_tokens: u64,
}

/// Token usage of a completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Usage {
    /// Input tokens, cache reads and cache writes together.
    pub prompt_tokens: u64,
    /// Output tokens.
    pub completion_tokens: u64,
    /// Prompt plus completion tokens.
    pub total_tokens: u64,
    /// Cached prompt tokens.
    pub prompt_tokens_details: PromptTokensDetails,
}

/// A `chat.completion` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChatCompletion {
    /// `chatcmpl-...`.
    pub id: String,
    /// Always `chat.completion`.
    pub object: &'static str,
    /// Unix seconds.
    pub created: u64,
    /// The model, as the request named it.
    pub model: String,
    /// One choice.
    pub choices: Vec<Choice>,
    /// Token usage.
    pub usage: Usage,
}

/// A tool call piece in a stream chunk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ToolCallDelta<'a> {
    /// The call's number in the message: 0, 1, 2... in order of appearance.
    pub index: u32,
    /// The call's id (first piece only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<&'a str>,
    /// `function` (first piece only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub r#type: Option<&'static str>,
    /// The name (first piece only) and a piece of the arguments.
    pub function: FunctionDelta<'a>,
}

/// The function part of a [`ToolCallDelta`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FunctionDelta<'a> {
    /// The tool's name (first piece only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    /// A piece of the arguments' JSON text.
    pub arguments: &'a str,
}

/// What a stream chunk adds to the message.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Delta<'a> {
    /// `assistant`, in the first chunk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<&'static str>,
    /// More text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<&'a str>,
    /// More readable reasoning.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasoning_content: Option<&'a str>,
    /// Tool call pieces.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub tool_calls: &'a [ToolCallDelta<'a>],
    /// The signed reasoning, in the final chunk.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub reasoning_details: &'a [ReasoningDetail],
}

/// The one choice of a stream chunk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChunkChoice<'a> {
    /// Always 0.
    pub index: u32,
    /// What it adds.
    pub delta: Delta<'a>,
    /// Set in the final chunk only (`null` before).
    pub finish_reason: Option<FinishReason>,
}

/// A `chat.completion.chunk`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChatCompletionChunk<'a> {
    /// The completion's id (the same in every chunk).
    pub id: &'a str,
    /// Always `chat.completion.chunk`.
    pub object: &'static str,
    /// Unix seconds.
    pub created: u64,
    /// The model, as the request named it.
    pub model: &'a str,
    /// One choice, or none in the usage chunk.
    pub choices: Vec<ChunkChoice<'a>>,
    /// Token usage, in the usage chunk only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
}

/// One entry of the models list (`GET /v1/models`, `GET /v1/models/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelObject {
    /// The model ref clients send back.
    pub id: String,
    /// Always `model`.
    pub object: &'static str,
    /// Unix seconds.
    pub created: u64,
    /// The model's provider (`anthropic`, `amazon`...), else `amazon-bedrock`.
    pub owned_by: String,
}

impl ModelObject {
    /// The entry for model ref `id`; `owned_by` is its provider when the ref shows one.
    pub fn new(id: impl Into<String>, created: u64) -> ModelObject {
        let id = id.into();
        let owned_by = crate::model_ref::ModelRef::parse(&id)
            .ok()
            .and_then(|parsed| parsed.provider().map(str::to_owned))
            .unwrap_or_else(|| "amazon-bedrock".to_owned());
        ModelObject {
            id,
            object: "model",
            created,
            owned_by,
        }
    }
}

/// The models list, `{"object": "list", "data": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelList {
    /// Always `list`.
    pub object: &'static str,
    /// The models.
    pub data: Vec<ModelObject>,
}

impl ModelList {
    /// The list of `models`.
    pub fn new(models: Vec<ModelObject>) -> ModelList {
        ModelList {
            object: "list",
            data: models,
        }
    }
}

#[cfg(test)]
mod tests;
