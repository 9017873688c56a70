//! A Converse response as a `chat.completion` ([`chat_completion`]), and the
//! pieces the stream chunks share: [`finish_reason`], [`usage`] and the
//! completion's id, time and model ([`CompletionMeta`]).

use std::time::{SystemTime, UNIX_EPOCH};

use super::openai::{
    ChatCompletion, Choice, FinishReason, FunctionCall, PromptTokensDetails, ReasoningDetail,
    ResponseMessage, ResponseToolCall, Usage,
};
use super::random::{random_bytes, RandomError};
use crate::types::{
    ContentBlock, ConverseOutput, ConverseResponse, ReasoningContentBlock, StopReason, TokenUsage,
};

/// What every response and chunk of one completion repeats: its id, its time
/// and the model as the request named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionMeta {
    /// `chatcmpl-` and 24 random hex digits.
    pub id: String,
    /// Unix seconds.
    pub created: u64,
    /// The model, as the request named it.
    pub model: String,
}

impl CompletionMeta {
    /// A new completion of `model`: a random id, created now.
    pub fn new(model: impl Into<String>) -> Result<CompletionMeta, RandomError> {
        let created = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_secs());
        Ok(CompletionMeta {
            id: format!("chatcmpl-{}", hex::encode(random_bytes::<12>()?)),
            created,
            model: model.into(),
        })
    }
}

/// OpenAI's `finish_reason` for Bedrock's `stopReason`: `end_turn` and
/// `stop_sequence` → `stop`; `max_tokens` and a full context window → `length`;
/// `tool_use` → `tool_calls`; `guardrail_intervened` and `content_filtered` →
/// `content_filter`; anything else (malformed output, a newer reason) → `stop`.
pub fn finish_reason(stop: &StopReason) -> FinishReason {
    match stop {
        StopReason::EndTurn | StopReason::StopSequence => FinishReason::Stop,
        StopReason::MaxTokens | StopReason::ModelContextWindowExceeded => FinishReason::Length,
        StopReason::ToolUse => FinishReason::ToolCalls,
        StopReason::GuardrailIntervened | StopReason::ContentFiltered => {
            FinishReason::ContentFilter
        }
        StopReason::MalformedModelOutput
        | StopReason::MalformedToolUse
        | StopReason::Unknown(_) => FinishReason::Stop,
    }
}

/// OpenAI's usage for Bedrock's: `prompt_tokens` = input + cache read + cache
/// write; `prompt_tokens_details.cached_tokens` = cache read.
pub fn usage(usage: &TokenUsage) -> Usage {
    let cache_read = u64::from(usage.cache_read_input_tokens.unwrap_or(0));
    let cache_write = u64::from(usage.cache_write_input_tokens.unwrap_or(0));
    let prompt_tokens = u64::from(usage.input_tokens) + cache_read + cache_write;
    let completion_tokens = u64::from(usage.output_tokens);
    Usage {
        prompt_tokens,
        completion_tokens,
        total_tokens: prompt_tokens + completion_tokens,
        prompt_tokens_details: PromptTokensDetails {
            cached_tokens: cache_read,
        },
    }
}

/// The `reasoning_details` entry for a reasoning block: signed text or
/// redacted (encrypted) reasoning; `None` for unsigned text, which cannot be
/// sent back.
pub(crate) fn reasoning_detail(block: &ReasoningContentBlock) -> Option<ReasoningDetail> {
    match block {
        ReasoningContentBlock::ReasoningText(text) => text
            .signature
            .as_ref()
            .filter(|signature| !signature.is_empty())
            .map(|signature| ReasoningDetail::Text {
                text: text.text.clone(),
                signature: Some(signature.clone()),
            }),
        ReasoningContentBlock::RedactedContent(blob) => Some(ReasoningDetail::Encrypted {
            data: crate::base64::encode(&blob.0),
        }),
        ReasoningContentBlock::Unknown(_) => None,
    }
}

/// The `chat.completion` for a Converse response: one choice whose message
/// holds the text blocks (joined; `null` when the model only called tools),
/// the tool calls (`arguments` as JSON text), the readable reasoning as
/// `reasoning_content` and the signed reasoning as `reasoning_details`.
pub fn chat_completion(response: &ConverseResponse, meta: &CompletionMeta) -> ChatCompletion {
    let blocks: &[ContentBlock] = match &response.output {
        ConverseOutput::Message(message) => &message.content,
        ConverseOutput::Unknown(_) => &[],
    };
    let mut text: Option<String> = None;
    let mut reasoning: Option<String> = None;
    let mut tool_calls = Vec::new();
    let mut reasoning_details = Vec::new();
    for block in blocks {
        match block {
            ContentBlock::Text(piece) => text.get_or_insert_with(String::new).push_str(piece),
            ContentBlock::ToolUse(call) => tool_calls.push(ResponseToolCall {
                id: call.tool_use_id.clone(),
                r#type: "function",
                function: FunctionCall {
                    name: call.name.clone(),
                    arguments: call.input.to_string(),
                },
            }),
            ContentBlock::ReasoningContent(block) => {
                if let ReasoningContentBlock::ReasoningText(readable) = block {
                    reasoning
                        .get_or_insert_with(String::new)
                        .push_str(&readable.text);
                }
                reasoning_details.extend(reasoning_detail(block));
            }
            _ => {}
        }
    }
    let content = match text {
        Some(text) => Some(text),
        None if tool_calls.is_empty() => Some(String::new()),
        None => None,
    };
    ChatCompletion {
        id: meta.id.clone(),
        object: "chat.completion",
        created: meta.created,
        model: meta.model.clone(),
        choices: vec![Choice {
            index: 0,
            message: ResponseMessage {
                role: "assistant",
                content,
                tool_calls,
                reasoning_content: reasoning,
                reasoning_details,
            },
            finish_reason: finish_reason(&response.stop_reason),
        }],
        usage: usage(&response.usage),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn meta() -> CompletionMeta {
        CompletionMeta {
            id: "chatcmpl-test".into(),
            created: 1_700_000_000,
            model: "amazon-bedrock/us.anthropic.claude-sonnet-4-5".into(),
        }
    }

    fn response(content: serde_json::Value, stop: &str) -> ConverseResponse {
        serde_json::from_value(json!({
            "output": {"message": {"role": "assistant", "content": content}},
            "stopReason": stop,
            "usage": {"inputTokens": 12, "outputTokens": 7, "totalTokens": 19, "cacheReadInputTokens": 30},
            "metrics": {"latencyMs": 5}
        }))
        .expect("response")
    }

    #[test]
    fn text_reasoning_and_tool_calls() {
        let converse = response(
            json!([
                {"reasoningContent": {"reasoningText": {"text": "Think", "signature": "sig-1"}}},
                {"reasoningContent": {"redactedContent": "AAEC"}},
                {"text": "Let me "},
                {"text": "check."},
                {"toolUse": {"toolUseId": "tooluse_1", "name": "get_weather", "input": {"city": "Paris"}}}
            ]),
            "tool_use",
        );
        let completion = chat_completion(&converse, &meta());
        let body = serde_json::to_value(&completion).expect("json");
        assert_eq!(
            body,
            json!({
                "id": "chatcmpl-test",
                "object": "chat.completion",
                "created": 1_700_000_000,
                "model": "amazon-bedrock/us.anthropic.claude-sonnet-4-5",
                "choices": [{
                    "index": 0,
                    "message": {
                        "role": "assistant",
                        "content": "Let me check.",
                        "tool_calls": [{"id": "tooluse_1", "type": "function",
                            "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}],
                        "reasoning_content": "Think",
                        "reasoning_details": [
                            {"type": "reasoning.text", "text": "Think", "signature": "sig-1"},
                            {"type": "reasoning.encrypted", "data": "AAEC"}
                        ]
                    },
                    "finish_reason": "tool_calls"
                }],
                "usage": {"prompt_tokens": 42, "completion_tokens": 7, "total_tokens": 49,
                          "prompt_tokens_details": {"cached_tokens": 30}}
            })
        );
    }

    #[test]
    fn content_is_null_only_when_the_model_just_called_tools() {
        let only_tools = response(
            json!([{"toolUse": {"toolUseId": "t", "name": "f", "input": {}}}]),
            "tool_use",
        );
        let message = &chat_completion(&only_tools, &meta()).choices[0].message;
        assert_eq!(message.content, None);
        let nothing = response(json!([]), "max_tokens");
        let completion = chat_completion(&nothing, &meta());
        assert_eq!(completion.choices[0].message.content.as_deref(), Some(""));
        assert_eq!(completion.choices[0].finish_reason, FinishReason::Length);
        // Unsigned reasoning is readable but not sent back.
        let unsigned = response(
            json!([{"reasoningContent": {"reasoningText": {"text": "hmm"}}}, {"text": "ok"}]),
            "end_turn",
        );
        let message = &chat_completion(&unsigned, &meta()).choices[0].message;
        assert_eq!(message.reasoning_content.as_deref(), Some("hmm"));
        assert!(message.reasoning_details.is_empty());
    }

    #[test]
    fn finish_reasons_follow_the_contract() {
        let cases = [
            ("end_turn", FinishReason::Stop),
            ("stop_sequence", FinishReason::Stop),
            ("max_tokens", FinishReason::Length),
            ("model_context_window_exceeded", FinishReason::Length),
            ("tool_use", FinishReason::ToolCalls),
            ("guardrail_intervened", FinishReason::ContentFilter),
            ("content_filtered", FinishReason::ContentFilter),
            ("malformed_tool_use", FinishReason::Stop),
            ("something_new", FinishReason::Stop),
        ];
        for (stop, expected) in cases {
            assert_eq!(finish_reason(&StopReason::from(stop)), expected, "{stop}");
        }
    }

    #[test]
    fn meta_ids_are_random_and_well_formed() {
        let a = CompletionMeta::new("m").expect("random");
        let b = CompletionMeta::new("m").expect("random");
        assert_ne!(a.id, b.id);
        assert_eq!(a.id.len(), "chatcmpl-".len() + 24);
        assert!(a.id["chatcmpl-".len()..]
            .chars()
            .all(|c| c.is_ascii_hexdigit()));
        assert!(a.created > 1_600_000_000);
    }

    proptest::proptest! {
        #[test]
        fn usage_adds_up(input in 0u32..u32::MAX, output in 0u32..u32::MAX,
                         read in proptest::option::of(0u32..u32::MAX),
                         write in proptest::option::of(0u32..u32::MAX)) {
            let usage = usage(&TokenUsage {
                input_tokens: input, output_tokens: output, total_tokens: 0,
                cache_read_input_tokens: read, cache_write_input_tokens: write,
                ..Default::default()
            });
            proptest::prop_assert_eq!(usage.total_tokens, usage.prompt_tokens + usage.completion_tokens);
            proptest::prop_assert_eq!(
                usage.prompt_tokens,
                u64::from(input) + u64::from(read.unwrap_or(0)) + u64::from(write.unwrap_or(0))
            );
            proptest::prop_assert_eq!(usage.prompt_tokens_details.cached_tokens, u64::from(read.unwrap_or(0)));
        }
    }

    /// `prompt_tokens` counts cache reads and writes; `cached_tokens` the reads.
    #[test]
    fn prompt_tokens_count_cache_reads_and_writes() {
        use crate::gateway::from_bedrock::usage;
        use crate::types::TokenUsage;
        let bedrock = TokenUsage {
            input_tokens: 10,
            output_tokens: 5,
            total_tokens: 15,
            cache_read_input_tokens: Some(100),
            cache_write_input_tokens: Some(20),
            ..Default::default()
        };
        let usage = usage(&bedrock);
        assert_eq!(
            (
                usage.prompt_tokens,
                usage.completion_tokens,
                usage.total_tokens
            ),
            (130, 5, 135)
        );
        assert_eq!(usage.prompt_tokens_details.cached_tokens, 100);
    }
}
