//! The body of a Converse response, and the usage, metrics and trace that a
//! ConverseStream's `metadata` event carries too.

use serde::Serialize;
use serde_json::Value;

use super::content::{CacheTtl, Message, ToolUseBlock};
use super::guardrail_trace::GuardrailTraceAssessment;
use super::read::read_json;
use super::request::{PerformanceConfiguration, ServiceTier};
use super::wire::{string_enum, wire_union};

/// The body of a Converse response (`ConverseResponse`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConverseResponse {
    /// What the model said.
    pub output: ConverseOutput,
    /// Why it stopped.
    pub stop_reason: StopReason,
    /// Tokens used.
    #[serde(default)]
    pub usage: TokenUsage,
    /// How long it took.
    #[serde(default)]
    pub metrics: ConverseMetrics,
    /// Model-specific fields asked for with `additionalModelResponseFieldPaths`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_model_response_fields: Option<Value>,
    /// The guardrail and prompt router trace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<ConverseTrace>,
    /// The latency setting used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub performance_config: Option<PerformanceConfiguration>,
    /// The service tier used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_tier: Option<ServiceTier>,
}

read_json!(ConverseResponse {
    output: "output",
    stop_reason: "stopReason",
    usage: "usage" default,
    metrics: "metrics" default,
    additional_model_response_fields: "additionalModelResponseFields" default,
    trace: "trace" default,
    performance_config: "performanceConfig" default,
    service_tier: "serviceTier" default,
});

impl ConverseResponse {
    /// The assistant's message (`None` for an output member this version does
    /// not know).
    pub fn message(&self) -> Option<&Message> {
        match &self.output {
            ConverseOutput::Message(message) => Some(message),
            ConverseOutput::Unknown(_) => None,
        }
    }

    /// The assistant's message, to go back into the conversation unchanged.
    pub fn into_message(self) -> Option<Message> {
        match self.output {
            ConverseOutput::Message(message) => Some(message),
            ConverseOutput::Unknown(_) => None,
        }
    }

    /// The text of the reply ([`Message::text`]; empty without a message).
    ///
    /// ```
    /// # use bedrock_lite_wire as bedrock_lite;
    /// use bedrock_lite::types::ConverseResponse;
    /// let body = r#"{"output": {"message": {"role": "assistant", "content": [
    ///     {"text": "Let me check. "},
    ///     {"toolUse": {"toolUseId": "tooluse_1", "name": "get_weather", "input": {"city": "Paris"}}}
    /// ]}}, "stopReason": "tool_use"}"#;
    /// let reply: ConverseResponse = serde_json::from_str(body)?;
    /// assert_eq!(reply.text(), "Let me check. ");
    /// let call = reply.tool_uses().next().expect("a tool call");
    /// assert_eq!((call.name.as_str(), &call.input["city"]), ("get_weather", &serde_json::json!("Paris")));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn text(&self) -> String {
        self.message().map(Message::text).unwrap_or_default()
    }

    /// The tool calls the reply asks for, in order.
    pub fn tool_uses(&self) -> impl Iterator<Item = &ToolUseBlock> {
        self.message().into_iter().flat_map(Message::tool_uses)
    }
}

wire_union! {
    /// What the model said (`ConverseOutput`).
    #[derive(Debug, Clone, PartialEq)]
    pub enum ConverseOutput {
        /// `message`: the assistant's message.
        Message(Message) = "message",
    }
}

string_enum! {
    /// Why the model stopped (`StopReason`).
    pub enum StopReason {
        /// It finished its turn.
        EndTurn = "end_turn",
        /// It wants a tool called.
        ToolUse = "tool_use",
        /// It reached `maxTokens`.
        MaxTokens = "max_tokens",
        /// It wrote a stop sequence.
        StopSequence = "stop_sequence",
        /// The guardrail intervened.
        GuardrailIntervened = "guardrail_intervened",
        /// Content filters stopped it.
        ContentFiltered = "content_filtered",
        /// Its output could not be parsed.
        MalformedModelOutput = "malformed_model_output",
        /// Its tool call could not be parsed.
        MalformedToolUse = "malformed_tool_use",
        /// The context window is full.
        ModelContextWindowExceeded = "model_context_window_exceeded",
    }
}

/// Tokens used (`TokenUsage`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TokenUsage {
    /// Input tokens.
    pub input_tokens: u32,
    /// Output tokens.
    pub output_tokens: u32,
    /// Input plus output tokens.
    pub total_tokens: u32,
    /// Input tokens read from the prompt cache.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_read_input_tokens: Option<u32>,
    /// Input tokens written to the prompt cache.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_write_input_tokens: Option<u32>,
    /// Cache writes by time to live.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cache_details: Vec<CacheDetail>,
}

read_json!(TokenUsage default {
    input_tokens: "inputTokens",
    output_tokens: "outputTokens",
    total_tokens: "totalTokens",
    cache_read_input_tokens: "cacheReadInputTokens",
    cache_write_input_tokens: "cacheWriteInputTokens",
    cache_details: "cacheDetails",
});

/// Cache writes for one time to live (`CacheDetail`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CacheDetail {
    /// The time to live.
    pub ttl: CacheTtl,
    /// Input tokens written with it.
    #[serde(default)]
    pub input_tokens: u32,
}

read_json!(CacheDetail { ttl: "ttl", input_tokens: "inputTokens" default });

/// How long the call took (`ConverseMetrics`, `ConverseStreamMetrics`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConverseMetrics {
    /// Milliseconds.
    pub latency_ms: u64,
}

read_json!(ConverseMetrics default { latency_ms: "latencyMs" });

/// The guardrail and prompt router trace (`ConverseTrace`, `ConverseStreamTrace`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConverseTrace {
    /// What the guardrail found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guardrail: Option<GuardrailTraceAssessment>,
    /// Which model a prompt router chose.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt_router: Option<PromptRouterTrace>,
}

read_json!(ConverseTrace default { guardrail: "guardrail", prompt_router: "promptRouter" });

/// Which model a prompt router chose (`PromptRouterTrace`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PromptRouterTrace {
    /// The model's id or ARN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoked_model_id: Option<String>,
}

read_json!(PromptRouterTrace default { invoked_model_id: "invokedModelId" });
