//! ConverseStream events → `chat.completion.chunk` server-sent events, with no
//! I/O ([`ChunkStream`]).
//!
//! The contract, exactly:
//! * the first chunk carries `delta.role` (`assistant`);
//! * text goes out as `delta.content`, reasoning as `delta.reasoning_content`
//!   (never inside `content`);
//! * tool calls are numbered 0, 1, 2... in order of appearance, whatever
//!   Bedrock's content-block index: `id`, `type` and `function.name` on the
//!   first piece of each, then `function.arguments` pieces;
//! * `messageStop` gives the final chunk, with `finish_reason` and, when the
//!   turn had signed reasoning, `delta.reasoning_details`;
//! * with `stream_options.include_usage`, a chunk with empty `choices` and the
//!   `usage` follows (from the `metadata` event); then `data: [DONE]`;
//! * `choices[].index` is always 0;
//! * a stream that ends without `messageStop`, or that the caller reports as
//!   failed, ends with one `data: {"error": {...}}` event and no made-up
//!   `finish_reason` (and no `[DONE]`).

use std::collections::BTreeMap;

use serde::Serialize;

use super::errors::GatewayError;
use super::from_bedrock::{finish_reason, usage, CompletionMeta};
use super::openai::{
    ChatCompletionChunk, ChunkChoice, Delta, FinishReason, FunctionDelta, ReasoningDetail,
    ToolCallDelta, Usage,
};
use crate::types::{ContentBlockDelta, ContentBlockStart, ReasoningContentBlockDelta, StreamEvent};

/// The SSE comment that keeps idle connections open.
pub const KEEPALIVE: &str = ": keepalive\n\n";

/// The event that ends a successful stream.
pub const DONE: &str = "data: [DONE]\n\n";

/// Where the stream is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Before `messageStop`.
    Open,
    /// `messageStop` seen and the final chunk sent.
    Stopped,
    /// `[DONE]` or an error event sent: nothing more goes out.
    Ended,
}

/// One reasoning block being received.
#[derive(Debug, Default)]
struct ReasoningBlock {
    text: String,
    signature: String,
    redacted: Vec<u8>,
}

impl ReasoningBlock {
    /// The block's `reasoning_details` entries: the signed text, the redacted part.
    fn into_details(self) -> impl Iterator<Item = ReasoningDetail> {
        let signed = (!self.signature.is_empty()).then_some(ReasoningDetail::Text {
            text: self.text,
            signature: Some(self.signature),
        });
        let redacted = (!self.redacted.is_empty()).then(|| ReasoningDetail::Encrypted {
            data: crate::base64::encode(&self.redacted),
        });
        signed.into_iter().chain(redacted)
    }
}

/// The state machine for one streamed completion: fed Bedrock's stream events
/// ([`push`](Self::push)), then the end of the stream ([`finish`](Self::finish))
/// or its failure ([`fail`](Self::fail)); each call returns the SSE events to
/// send, each a whole `data: ...\n\n` (or comment) text.
#[derive(Debug)]
pub struct ChunkStream {
    meta: CompletionMeta,
    include_usage: bool,
    phase: Phase,
    role_sent: bool,
    /// Tool call ids, by OpenAI index (their order of appearance).
    tool_call_ids: Vec<String>,
    /// Bedrock content-block index → OpenAI tool call index.
    tool_blocks: BTreeMap<u32, u32>,
    /// Reasoning blocks not yet stopped, by content-block index.
    reasoning_blocks: BTreeMap<u32, ReasoningBlock>,
    reasoning_details: Vec<ReasoningDetail>,
    finish_reason: Option<FinishReason>,
    usage: Option<Usage>,
    usage_sent: bool,
}

impl ChunkStream {
    /// A stream for the completion `meta`; `include_usage` is the request's
    /// `stream_options.include_usage`.
    pub fn new(meta: CompletionMeta, include_usage: bool) -> ChunkStream {
        ChunkStream {
            meta,
            include_usage,
            phase: Phase::Open,
            role_sent: false,
            tool_call_ids: Vec::new(),
            tool_blocks: BTreeMap::new(),
            reasoning_blocks: BTreeMap::new(),
            reasoning_details: Vec::new(),
            finish_reason: None,
            usage: None,
            usage_sent: false,
        }
    }

    /// The SSE events for one Bedrock stream event (often one, sometimes none).
    pub fn push(&mut self, event: &StreamEvent<'_>) -> Vec<String> {
        let mut out = Vec::new();
        if self.phase == Phase::Ended {
            return out;
        }
        match event {
            StreamEvent::MessageStart(_) => self.send_role(&mut out),
            StreamEvent::ContentBlockStart(start) => {
                if let ContentBlockStart::ToolUse(call) = &start.start {
                    self.send_role(&mut out);
                    let index = u32::try_from(self.tool_call_ids.len()).unwrap_or(u32::MAX);
                    self.tool_call_ids.push(call.tool_use_id.clone());
                    self.tool_blocks.insert(start.content_block_index, index);
                    let piece = [ToolCallDelta {
                        index,
                        id: Some(&call.tool_use_id),
                        r#type: Some("function"),
                        function: FunctionDelta {
                            name: Some(&call.name),
                            arguments: "",
                        },
                    }];
                    out.push(self.chunk(Delta {
                        tool_calls: &piece,
                        ..Delta::default()
                    }));
                }
            }
            StreamEvent::ContentBlockDelta(delta) => {
                self.delta(&delta.delta, delta.content_block_index, &mut out)
            }
            StreamEvent::ContentBlockStop(stop) => {
                if let Some(block) = self.reasoning_blocks.remove(&stop.content_block_index) {
                    self.reasoning_details.extend(block.into_details());
                }
            }
            StreamEvent::MessageStop(stop) if self.phase == Phase::Open => {
                let open = std::mem::take(&mut self.reasoning_blocks);
                self.reasoning_details
                    .extend(open.into_values().flat_map(ReasoningBlock::into_details));
                self.send_role(&mut out);
                let reason = finish_reason(&stop.stop_reason);
                self.finish_reason = Some(reason);
                self.phase = Phase::Stopped;
                let delta = Delta {
                    reasoning_details: &self.reasoning_details,
                    ..Delta::default()
                };
                out.push(self.sse(&self.chunk_with(delta, Some(reason))));
            }
            StreamEvent::MessageStop(_) => {}
            StreamEvent::Metadata(metadata) => {
                self.usage = Some(usage(&metadata.usage));
                if self.phase == Phase::Stopped {
                    self.send_usage(&mut out);
                }
            }
            StreamEvent::Unknown(_) => {}
        }
        out
    }

    /// The SSE events for the end of Bedrock's stream: after `messageStop`,
    /// the usage chunk (when asked for and not sent yet) and `[DONE]`; before
    /// it, an error event (the stream was cut). Nothing once the stream ended.
    pub fn finish(&mut self) -> Vec<String> {
        match self.phase {
            Phase::Ended => Vec::new(),
            Phase::Open => self.fail(&GatewayError::new(
                503,
                "stream_incomplete",
                "Bedrock's stream ended before the message was complete (no messageStop)",
            )),
            Phase::Stopped => {
                let mut out = Vec::new();
                self.send_usage(&mut out);
                out.push(DONE.to_owned());
                self.phase = Phase::Ended;
                out
            }
        }
    }

    /// The SSE event for a failure of Bedrock's stream (a network cut, a
    /// decoder error, an idle timeout, an exception): `data: {"error": ...}`,
    /// and nothing after it. Nothing once the stream ended.
    pub fn fail(&mut self, error: &GatewayError) -> Vec<String> {
        if self.phase == Phase::Ended {
            return Vec::new();
        }
        self.phase = Phase::Ended;
        vec![error.to_sse_event()]
    }

    /// The keepalive comment to send while Bedrock is silent (`: keepalive`),
    /// or `None` once the stream ended.
    pub fn keepalive(&self) -> Option<&'static str> {
        (self.phase != Phase::Ended).then_some(KEEPALIVE)
    }

    /// Whether nothing more goes out (`[DONE]` or an error event was sent).
    #[cfg(test)]
    pub fn is_ended(&self) -> bool {
        self.phase == Phase::Ended
    }

    /// The finish reason, once `messageStop` came.
    pub fn finish_reason(&self) -> Option<FinishReason> {
        self.finish_reason
    }

    /// The usage, once the `metadata` event came (for the access log and limits).
    pub fn usage(&self) -> Option<Usage> {
        self.usage
    }

    /// The ids of the tool calls so far, in order.
    pub fn tool_call_ids(&self) -> &[String] {
        &self.tool_call_ids
    }

    /// The turn's signed reasoning (complete once `messageStop` came), for the
    /// reasoning cache.
    pub fn reasoning_details(&self) -> &[ReasoningDetail] {
        &self.reasoning_details
    }

    /// Handles a content-block delta.
    fn delta(&mut self, delta: &ContentBlockDelta<'_>, block: u32, out: &mut Vec<String>) {
        match delta {
            ContentBlockDelta::Text(text) if !text.is_empty() => {
                self.send_role(out);
                out.push(self.chunk(Delta {
                    content: Some(text),
                    ..Delta::default()
                }));
            }
            ContentBlockDelta::ToolUse(input) if !input.input.is_empty() => {
                // A piece for a block with no `contentBlockStart` has no call to
                // belong to (no id, no name); it is dropped.
                if let Some(&index) = self.tool_blocks.get(&block) {
                    let piece = [ToolCallDelta {
                        index,
                        id: None,
                        r#type: None,
                        function: FunctionDelta {
                            name: None,
                            arguments: &input.input,
                        },
                    }];
                    out.push(self.chunk(Delta {
                        tool_calls: &piece,
                        ..Delta::default()
                    }));
                }
            }
            ContentBlockDelta::ReasoningContent(reasoning) => match reasoning {
                ReasoningContentBlockDelta::Text(text) if !text.is_empty() => {
                    self.reasoning_block(block).text.push_str(text);
                    self.send_role(out);
                    out.push(self.chunk(Delta {
                        reasoning_content: Some(text),
                        ..Delta::default()
                    }));
                }
                ReasoningContentBlockDelta::Signature(signature) => {
                    self.reasoning_block(block).signature.push_str(signature)
                }
                ReasoningContentBlockDelta::RedactedContent(blob) => self
                    .reasoning_block(block)
                    .redacted
                    .extend_from_slice(&blob.0),
                _ => {}
            },
            _ => {}
        }
    }

    /// The reasoning block being received at content-block index `block`.
    fn reasoning_block(&mut self, block: u32) -> &mut ReasoningBlock {
        self.reasoning_blocks.entry(block).or_default()
    }

    /// Sends the role chunk, once, before anything else.
    fn send_role(&mut self, out: &mut Vec<String>) {
        if !self.role_sent {
            self.role_sent = true;
            out.push(self.chunk(Delta {
                role: Some("assistant"),
                content: Some(""),
                ..Delta::default()
            }));
        }
    }

    /// Sends the usage chunk, once, when asked for and known.
    fn send_usage(&mut self, out: &mut Vec<String>) {
        if !self.include_usage || self.usage_sent {
            return;
        }
        if let Some(usage) = self.usage {
            self.usage_sent = true;
            let chunk = ChatCompletionChunk {
                id: &self.meta.id,
                object: "chat.completion.chunk",
                created: self.meta.created,
                model: &self.meta.model,
                choices: Vec::new(),
                usage: Some(usage),
            };
            out.push(self.sse(&chunk));
        }
    }

    /// The SSE event for a chunk with `delta` and no finish reason.
    fn chunk(&self, delta: Delta<'_>) -> String {
        self.sse(&self.chunk_with(delta, None))
    }

    /// A chunk of this completion with one choice.
    fn chunk_with<'a>(
        &'a self,
        delta: Delta<'a>,
        finish_reason: Option<FinishReason>,
    ) -> ChatCompletionChunk<'a> {
        ChatCompletionChunk {
            id: &self.meta.id,
            object: "chat.completion.chunk",
            created: self.meta.created,
            model: &self.meta.model,
            choices: vec![ChunkChoice {
                index: 0,
                delta,
                finish_reason,
            }],
            usage: None,
        }
    }

    /// `data: <json>` and a blank line. (The chunk shapes are plain structs
    /// of strings and numbers, which always serialise.)
    fn sse(&self, chunk: &impl Serialize) -> String {
        let json = serde_json::to_string(chunk).unwrap_or_default();
        format!("data: {json}\n\n")
    }
}

#[cfg(test)]
mod tests;
