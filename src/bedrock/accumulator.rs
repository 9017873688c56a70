//! Whole messages from streams.
//!
//! [`Accumulator`] folds the events of a ConverseStream into the reply that
//! Converse gives for the same answer, a [`ConverseResponse`], while the
//! caller still sees each event as it arrives. [`stream_events`] goes the
//! other way: the events that stream a given reply (the emulator streams its
//! answers with it; tests of stream consumers can too).
//!
//! How the events of one content block fold into the block:
//!
//! | events of the block | block |
//! | --- | --- |
//! | `text` deltas | `text` (the pieces joined) |
//! | `text` and `citation` deltas | `citationsContent`: the text, and the citations in order |
//! | start `toolUse`, `toolUse` deltas | `toolUse`, its input the pieces joined and parsed (no pieces: `{}`) |
//! | `reasoningContent` `text` / `signature` deltas | `reasoningContent.reasoningText` with its signature |
//! | `reasoningContent` `redactedContent` deltas | `reasoningContent.redactedContent` (the bytes joined) |
//! | start `toolResult`, `toolResult` deltas | `toolResult` (the items in order) |
//! | start `image`, `image` deltas | `image` |
//! | a start or first delta this version does not know | `Unknown`: the one piece as it came, or `{"start": ..., "deltas": [...]}` |
//!
//! Blocks come out in index order, whatever order their events interleave
//! in. Members of starts and citations this version does not know go on to
//! the block's `extra`. Events of a type this version does not know
//! ([`StreamEvent::Unknown`]) carry nothing to fold and are passed over.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

use crate::types::{
    Blob, Citation, CitationGeneratedContent, CitationSourceContent, CitationSourceContentDelta,
    CitationsContentBlock, CitationsDelta, ContentBlock, ContentBlockDelta, ContentBlockDeltaEvent,
    ContentBlockStart, ContentBlockStartEvent, ContentBlockStopEvent, ConversationRole,
    ConverseOutput, ConverseResponse, ConverseStreamMetadataEvent, ImageBlock, ImageBlockDelta,
    ImageBlockStart, Message, MessageStartEvent, MessageStopEvent, ReasoningContentBlock,
    ReasoningContentBlockDelta, ReasoningTextBlock, StreamEvent, ToolResultBlock,
    ToolResultBlockDelta, ToolResultBlockStart, ToolResultContentBlock, ToolUseBlock,
    ToolUseBlockDelta, ToolUseBlockStart, UnknownMembers,
};

/// Folds ConverseStream events into the whole reply, in the shape Converse
/// returns: message, stop reason, usage, metrics, trace, the model-specific
/// response fields, performance configuration and service tier.
///
/// ```
/// use bedrock_lite::bedrock::accumulator::Accumulator;
/// use bedrock_lite::types::{parse_event, StopReason};
/// let stream = [
///     ("messageStart", r#"{"role":"assistant"}"#),
///     ("contentBlockDelta", r#"{"contentBlockIndex":0,"delta":{"text":"Let me "}}"#),
///     ("contentBlockDelta", r#"{"contentBlockIndex":0,"delta":{"text":"check."}}"#),
///     ("contentBlockStop", r#"{"contentBlockIndex":0}"#),
///     ("contentBlockStart", r#"{"contentBlockIndex":1,"start":{"toolUse":{"toolUseId":"tooluse_1","name":"get_weather"}}}"#),
///     ("contentBlockDelta", r#"{"contentBlockIndex":1,"delta":{"toolUse":{"input":"{\"city\":"}}}"#),
///     ("contentBlockDelta", r#"{"contentBlockIndex":1,"delta":{"toolUse":{"input":"\"Paris\"}"}}}"#),
///     ("contentBlockStop", r#"{"contentBlockIndex":1}"#),
///     ("messageStop", r#"{"stopReason":"tool_use"}"#),
///     ("metadata", r#"{"usage":{"inputTokens":12,"outputTokens":9,"totalTokens":21},"metrics":{"latencyMs":300}}"#),
/// ];
/// let mut turn = Accumulator::new();
/// for (event_type, payload) in stream {
///     let event = parse_event(event_type, payload.as_bytes())?;
///     if let Some(text) = event.text() {
///         print!("{text}");
///     }
///     turn.push(&event)?;
/// }
/// let reply = turn.finish()?;
/// assert_eq!(reply.text(), "Let me check.");
/// assert_eq!(reply.stop_reason, StopReason::ToolUse);
/// let call = reply.tool_uses().next().expect("a tool call");
/// assert_eq!(call.input, serde_json::json!({"city": "Paris"}));
/// assert_eq!(reply.usage.total_tokens, 21);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Default)]
pub struct Accumulator {
    /// The role from `messageStart`; `None` before it.
    role: Option<ConversationRole>,
    /// The blocks begun and not yet stopped, by index.
    open: BTreeMap<u32, OpenBlock>,
    /// The stopped blocks, whole, by index.
    done: BTreeMap<u32, ContentBlock>,
    stop: Option<MessageStopEvent>,
    metadata: Option<ConverseStreamMetadataEvent>,
}

/// A content block being folded.
#[derive(Debug)]
enum OpenBlock {
    /// Text, and its citations once a `citation` delta came; `text` is `None`
    /// until a text delta comes.
    Text {
        text: Option<String>,
        citations: Vec<Citation>,
    },
    ToolUse {
        start: ToolUseBlockStart,
        input: String,
    },
    Reasoning {
        text: String,
        signature: Option<String>,
    },
    Redacted(Vec<u8>),
    ToolResult {
        start: ToolResultBlockStart,
        content: Vec<ToolResultContentBlock>,
    },
    Image {
        start: ImageBlockStart,
        data: ImageBlockDelta,
    },
    /// A block of a kind this version does not know: its pieces as they came.
    Unknown {
        start: Option<Value>,
        deltas: Vec<Value>,
    },
}

/// Why events could not be folded into a reply.
#[derive(Debug)]
#[non_exhaustive]
pub enum AccumulateError {
    /// An event came where it cannot: before `messageStart`, after
    /// `messageStop`, or out of its block's start-deltas-stop order.
    OutOfOrder {
        /// The event type, e.g. `contentBlockDelta`.
        event: &'static str,
        /// The block it is about, if any.
        index: Option<u32>,
        /// What is wrong, e.g. "the block has already stopped".
        problem: &'static str,
    },
    /// A delta of a different kind than its block (e.g. a `toolUse` delta for
    /// a text block), or of a kind this version does not know for a block of
    /// a known kind.
    UnexpectedDelta {
        /// The block's index.
        index: u32,
        /// The block's kind, e.g. `text`.
        block: &'static str,
        /// The delta's member, e.g. `toolUse` or `reasoningContent.signature`.
        delta: String,
    },
    /// A block that stopped without something its kind needs (an image
    /// without its source).
    Incomplete {
        /// The block's index.
        index: u32,
        /// The block's kind.
        block: &'static str,
        /// What is missing.
        missing: &'static str,
    },
    /// A tool call whose input, joined from its deltas, is not JSON.
    ToolInput {
        /// The tool's name.
        name: String,
        /// The call's id.
        tool_use_id: String,
        /// What the JSON parser found.
        source: serde_json::Error,
    },
    /// [`Accumulator::finish`] before `messageStop`: the reply is not whole.
    NoMessageStop,
}

impl fmt::Display for AccumulateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AccumulateError::OutOfOrder {
                event,
                index,
                problem,
            } => {
                write!(f, "`{event}` out of order")?;
                if let Some(index) = index {
                    write!(f, " for block {index}")?;
                }
                write!(f, ": {problem}")
            }
            AccumulateError::UnexpectedDelta {
                index,
                block,
                delta,
            } => write!(
                f,
                "block {index} is a `{block}` block and cannot take a `{}` delta",
                delta.escape_debug()
            ),
            AccumulateError::Incomplete {
                index,
                block,
                missing,
            } => write!(f, "block {index} (`{block}`) stopped without its {missing}"),
            AccumulateError::ToolInput {
                name,
                tool_use_id,
                source,
            } => write!(
                f,
                "the input of tool `{}` (toolUseId `{}`) is not JSON: {source}",
                name.escape_debug(),
                tool_use_id.escape_debug()
            ),
            AccumulateError::NoMessageStop => f.write_str("the stream ended before `messageStop`"),
        }
    }
}

impl std::error::Error for AccumulateError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AccumulateError::ToolInput { source, .. } => Some(source),
            _ => None,
        }
    }
}

fn out_of_order(event: &'static str, index: Option<u32>, problem: &'static str) -> AccumulateError {
    AccumulateError::OutOfOrder {
        event,
        index,
        problem,
    }
}

impl Accumulator {
    /// An accumulator waiting for `messageStart`.
    pub fn new() -> Accumulator {
        Accumulator::default()
    }

    /// Folds in the next event. Events must come in the stream's order: an
    /// event out of order, or a delta that does not fit its block, is an error
    /// (and the accumulator should then be dropped).
    pub fn push(&mut self, event: &StreamEvent<'_>) -> Result<(), AccumulateError> {
        match event {
            StreamEvent::MessageStart(start) => {
                if self.role.is_some() {
                    return Err(out_of_order("messageStart", None, "a second messageStart"));
                }
                self.role = Some(start.role.clone());
            }
            StreamEvent::ContentBlockStart(start) => {
                let index = start.content_block_index;
                self.expect_open("contentBlockStart", Some(index))?;
                if self.open.contains_key(&index) || self.done.contains_key(&index) {
                    return Err(out_of_order(
                        "contentBlockStart",
                        Some(index),
                        "the block has already begun",
                    ));
                }
                self.open.insert(index, OpenBlock::from_start(&start.start));
            }
            StreamEvent::ContentBlockDelta(event) => {
                let index = event.content_block_index;
                self.expect_open("contentBlockDelta", Some(index))?;
                if let Some(block) = self.open.get_mut(&index) {
                    block.apply(index, &event.delta)?;
                } else if self.done.contains_key(&index) {
                    return Err(out_of_order(
                        "contentBlockDelta",
                        Some(index),
                        "the block has already stopped",
                    ));
                } else {
                    let block = OpenBlock::from_first_delta(index, &event.delta)?;
                    self.open.insert(index, block);
                }
            }
            StreamEvent::ContentBlockStop(stop) => {
                let index = stop.content_block_index;
                self.expect_open("contentBlockStop", Some(index))?;
                match self.open.remove(&index) {
                    Some(block) => {
                        self.done.insert(index, block.finish(index)?);
                    }
                    None if self.done.contains_key(&index) => {
                        return Err(out_of_order(
                            "contentBlockStop",
                            Some(index),
                            "the block has already stopped",
                        ))
                    }
                    None => {
                        return Err(out_of_order(
                            "contentBlockStop",
                            Some(index),
                            "the block never began",
                        ))
                    }
                }
            }
            StreamEvent::MessageStop(stop) => {
                self.expect_open("messageStop", None)?;
                if let Some(index) = self.open.keys().next() {
                    return Err(out_of_order(
                        "messageStop",
                        Some(*index),
                        "the block has not stopped",
                    ));
                }
                self.stop = Some(stop.clone());
            }
            StreamEvent::Metadata(metadata) => {
                if self.role.is_none() {
                    return Err(out_of_order("metadata", None, "before messageStart"));
                }
                if self.metadata.is_some() {
                    return Err(out_of_order("metadata", None, "a second metadata event"));
                }
                self.metadata = Some(metadata.clone());
            }
            StreamEvent::Unknown(_) => {}
        }
        Ok(())
    }

    /// An error unless the message has started and not stopped.
    fn expect_open(&self, event: &'static str, index: Option<u32>) -> Result<(), AccumulateError> {
        if self.role.is_none() {
            Err(out_of_order(event, index, "before messageStart"))
        } else if self.stop.is_some() {
            Err(out_of_order(event, index, "after messageStop"))
        } else {
            Ok(())
        }
    }

    /// The whole reply. An error before `messageStop`; `metadata` may be
    /// missing (zero usage and metrics, no trace).
    pub fn finish(self) -> Result<ConverseResponse, AccumulateError> {
        let Some(stop) = self.stop else {
            return Err(AccumulateError::NoMessageStop);
        };
        let metadata = self.metadata.unwrap_or_default();
        let role = self.role.unwrap_or(ConversationRole::Assistant);
        Ok(ConverseResponse {
            output: ConverseOutput::Message(Message::new(role, self.done.into_values().collect())),
            stop_reason: stop.stop_reason,
            usage: metadata.usage,
            metrics: metadata.metrics,
            additional_model_response_fields: stop.additional_model_response_fields,
            trace: metadata.trace,
            performance_config: metadata.performance_config,
            service_tier: metadata.service_tier,
        })
    }
}

impl OpenBlock {
    /// A block begun by `contentBlockStart`.
    fn from_start(start: &ContentBlockStart) -> OpenBlock {
        match start {
            ContentBlockStart::ToolUse(start) => OpenBlock::ToolUse {
                start: start.clone(),
                input: String::new(),
            },
            ContentBlockStart::ToolResult(start) => OpenBlock::ToolResult {
                start: start.clone(),
                content: Vec::new(),
            },
            ContentBlockStart::Image(start) => OpenBlock::Image {
                start: start.clone(),
                data: ImageBlockDelta::default(),
            },
            ContentBlockStart::Unknown(start) => OpenBlock::Unknown {
                start: Some(start.clone()),
                deltas: Vec::new(),
            },
        }
    }

    /// A block begun by its first delta (blocks with no `contentBlockStart`:
    /// text, citations, reasoning, or a kind this version does not know).
    fn from_first_delta(
        index: u32,
        delta: &ContentBlockDelta<'_>,
    ) -> Result<OpenBlock, AccumulateError> {
        let mut block = match delta {
            ContentBlockDelta::Text(_) | ContentBlockDelta::Citation(_) => OpenBlock::Text {
                text: None,
                citations: Vec::new(),
            },
            ContentBlockDelta::ReasoningContent(ReasoningContentBlockDelta::RedactedContent(_)) => {
                OpenBlock::Redacted(Vec::new())
            }
            ContentBlockDelta::ReasoningContent(
                ReasoningContentBlockDelta::Text(_) | ReasoningContentBlockDelta::Signature(_),
            ) => OpenBlock::Reasoning {
                text: String::new(),
                signature: None,
            },
            ContentBlockDelta::ReasoningContent(ReasoningContentBlockDelta::Unknown(_))
            | ContentBlockDelta::Unknown(_) => OpenBlock::Unknown {
                start: None,
                deltas: Vec::new(),
            },
            ContentBlockDelta::ToolUse(_)
            | ContentBlockDelta::ToolResult(_)
            | ContentBlockDelta::Image(_) => {
                return Err(out_of_order(
                    "contentBlockDelta",
                    Some(index),
                    "a delta of a block that needs a contentBlockStart came before it",
                ))
            }
        };
        block.apply(index, delta)?;
        Ok(block)
    }

    /// The block's kind, for errors.
    fn kind(&self) -> &'static str {
        match self {
            OpenBlock::Text { .. } => "text",
            OpenBlock::ToolUse { .. } => "toolUse",
            OpenBlock::Reasoning { .. } => "reasoningContent.reasoningText",
            OpenBlock::Redacted(_) => "reasoningContent.redactedContent",
            OpenBlock::ToolResult { .. } => "toolResult",
            OpenBlock::Image { .. } => "image",
            OpenBlock::Unknown { .. } => "unknown",
        }
    }

    /// Folds in one delta.
    fn apply(&mut self, index: u32, delta: &ContentBlockDelta<'_>) -> Result<(), AccumulateError> {
        use ContentBlockDelta as Delta;
        use ReasoningContentBlockDelta as Reasoning;
        match (self, delta) {
            (OpenBlock::Text { text, .. }, Delta::Text(piece)) => {
                text.get_or_insert_with(String::new).push_str(piece);
            }
            (OpenBlock::Text { citations, .. }, Delta::Citation(citation)) => {
                citations.push(citation_of(citation));
            }
            (OpenBlock::ToolUse { input, .. }, Delta::ToolUse(piece)) => {
                input.push_str(&piece.input);
            }
            (
                OpenBlock::Reasoning { text, .. },
                Delta::ReasoningContent(Reasoning::Text(piece)),
            ) => {
                text.push_str(piece);
            }
            (
                OpenBlock::Reasoning { signature, .. },
                Delta::ReasoningContent(Reasoning::Signature(piece)),
            ) => {
                signature.get_or_insert_with(String::new).push_str(piece);
            }
            (
                OpenBlock::Redacted(bytes),
                Delta::ReasoningContent(Reasoning::RedactedContent(blob)),
            ) => {
                bytes.extend_from_slice(&blob.0);
            }
            (OpenBlock::ToolResult { content, .. }, Delta::ToolResult(items)) => {
                content.extend(items.iter().map(tool_result_content_of));
            }
            (OpenBlock::Image { data, .. }, Delta::Image(piece)) => {
                if piece.source.is_some() {
                    data.source.clone_from(&piece.source);
                }
                if piece.error.is_some() {
                    data.error.clone_from(&piece.error);
                }
            }
            (OpenBlock::Unknown { deltas, .. }, delta) => deltas.push(raw_delta(delta)),
            (block, delta) => {
                return Err(AccumulateError::UnexpectedDelta {
                    index,
                    block: block.kind(),
                    delta: delta_name(delta),
                })
            }
        }
        Ok(())
    }

    /// The whole block, at its `contentBlockStop`.
    fn finish(self, index: u32) -> Result<ContentBlock, AccumulateError> {
        Ok(match self {
            OpenBlock::Text { text, citations } if citations.is_empty() => {
                ContentBlock::Text(text.unwrap_or_default())
            }
            OpenBlock::Text { text, citations } => {
                ContentBlock::CitationsContent(CitationsContentBlock {
                    content: text
                        .map(CitationGeneratedContent::Text)
                        .into_iter()
                        .collect(),
                    citations,
                    extra: UnknownMembers::new(),
                })
            }
            OpenBlock::ToolUse { start, input } => {
                let input = if input.trim().is_empty() {
                    Value::Object(serde_json::Map::new())
                } else {
                    serde_json::from_str(&input).map_err(|source| AccumulateError::ToolInput {
                        name: start.name.clone(),
                        tool_use_id: start.tool_use_id.clone(),
                        source,
                    })?
                };
                ContentBlock::ToolUse(ToolUseBlock {
                    tool_use_id: start.tool_use_id,
                    name: start.name,
                    input,
                    r#type: start.r#type,
                    extra: start.extra,
                })
            }
            OpenBlock::Reasoning { text, signature } => ContentBlock::ReasoningContent(
                ReasoningContentBlock::ReasoningText(ReasoningTextBlock {
                    text,
                    signature,
                    extra: UnknownMembers::new(),
                }),
            ),
            OpenBlock::Redacted(bytes) => {
                ContentBlock::ReasoningContent(ReasoningContentBlock::RedactedContent(Blob(bytes)))
            }
            OpenBlock::ToolResult { start, content } => ContentBlock::ToolResult(ToolResultBlock {
                tool_use_id: start.tool_use_id,
                content,
                status: start.status,
                r#type: start.r#type,
                extra: start.extra,
            }),
            OpenBlock::Image { start, data } => {
                let Some(source) = data.source else {
                    return Err(AccumulateError::Incomplete {
                        index,
                        block: "image",
                        missing: "source",
                    });
                };
                ContentBlock::Image(ImageBlock {
                    format: start.format,
                    source,
                    error: data.error,
                    extra: start.extra,
                })
            }
            OpenBlock::Unknown { start, deltas } => {
                ContentBlock::Unknown(unknown_block(start, deltas))
            }
        })
    }
}

/// A block of a kind this version does not know: its one piece as it came, or
/// all of them as `{"start": ..., "deltas": [...]}`.
fn unknown_block(start: Option<Value>, mut deltas: Vec<Value>) -> Value {
    match (start, deltas.len()) {
        (Some(start), 0) => start,
        (None, 1) => deltas.pop().unwrap_or_default(),
        (start, _) => {
            let mut pieces = serde_json::Map::new();
            if let Some(start) = start {
                pieces.insert("start".into(), start);
            }
            pieces.insert("deltas".into(), Value::Array(deltas));
            Value::Object(pieces)
        }
    }
}

/// A delta as its union object, to keep in a block of an unknown kind.
fn raw_delta(delta: &ContentBlockDelta<'_>) -> Value {
    match delta {
        ContentBlockDelta::Unknown(value) => value.clone(),
        // Writing a delta to a `Value` cannot fail: every key is a string.
        known => serde_json::to_value(known).unwrap_or_default(),
    }
}

/// A delta's member name, `reasoningContent.<member>` for reasoning.
fn delta_name(delta: &ContentBlockDelta<'_>) -> String {
    match delta {
        ContentBlockDelta::ReasoningContent(reasoning) => {
            format!("reasoningContent.{}", reasoning.member_name())
        }
        other => other.member_name().to_owned(),
    }
}

fn citation_of(delta: &CitationsDelta) -> Citation {
    Citation {
        title: delta.title.clone(),
        source: delta.source.clone(),
        source_content: delta
            .source_content
            .iter()
            .filter_map(|passage| passage.text.clone().map(CitationSourceContent::Text))
            .collect(),
        location: delta.location.clone(),
        extra: delta.extra.clone(),
    }
}

fn tool_result_content_of(delta: &ToolResultBlockDelta) -> ToolResultContentBlock {
    match delta {
        ToolResultBlockDelta::Text(text) => ToolResultContentBlock::Text(text.clone()),
        ToolResultBlockDelta::Json(json) => ToolResultContentBlock::Json(json.clone()),
        ToolResultBlockDelta::Unknown(value) => ToolResultContentBlock::Unknown(value.clone()),
    }
}

/// A reply (or a part of one) that no ConverseStream carries exactly, so
/// [`stream_events`] cannot stream it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnstreamableReply {
    what: String,
}

impl fmt::Display for UnstreamableReply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} has no exact ConverseStream form", self.what)
    }
}

impl std::error::Error for UnstreamableReply {}

fn unstreamable(index: usize, what: impl fmt::Display) -> UnstreamableReply {
    UnstreamableReply {
        what: format!("block {index} ({what})"),
    }
}

/// The ConverseStream events that carry `reply`, in Bedrock's order:
/// `messageStart`, each block's start (for tool uses, tool results, images
/// and unknown blocks), deltas and stop, `messageStop`, `metadata`. Text and
/// reasoning go one word per delta and a tool call's input in three pieces;
/// text is borrowed from `reply`.
///
/// It streams only what folds back exactly: [`Accumulator`] turns the events
/// into `reply` again. A reply with a block a stream cannot carry (a document
/// in the reply, a `citationsContent` with more than one text piece, a member
/// the stream has no room for...) is an error.
///
/// ```
/// use bedrock_lite::bedrock::accumulator::{stream_events, Accumulator};
/// use bedrock_lite::types::ConverseResponse;
/// let reply: ConverseResponse = serde_json::from_str(r#"{
///     "output": {"message": {"role": "assistant", "content": [{"text": "Hello there"}]}},
///     "stopReason": "end_turn", "usage": {"inputTokens": 3, "outputTokens": 2, "totalTokens": 5},
///     "metrics": {"latencyMs": 40}}"#)?;
/// let events = stream_events(&reply)?;
/// let texts: Vec<_> = events.iter().filter_map(|event| event.text()).collect();
/// assert_eq!(texts, ["Hello ", "there"]);
/// let mut turn = Accumulator::new();
/// for event in &events {
///     turn.push(event)?;
/// }
/// assert_eq!(turn.finish()?, reply);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn stream_events(reply: &ConverseResponse) -> Result<Vec<StreamEvent<'_>>, UnstreamableReply> {
    let ConverseOutput::Message(message) = &reply.output else {
        return Err(UnstreamableReply {
            what: format!("the output member `{}`", reply.output.member_name()),
        });
    };
    if !message.extra.is_empty() {
        return Err(UnstreamableReply {
            what: "a message with members this version does not know".into(),
        });
    }
    let mut events = vec![StreamEvent::MessageStart(MessageStartEvent {
        role: message.role.clone(),
    })];
    for (position, block) in message.content.iter().enumerate() {
        let index =
            u32::try_from(position).map_err(|_| unstreamable(position, "too many blocks"))?;
        block_events(&mut events, index, block).map_err(|what| unstreamable(position, what))?;
        events.push(StreamEvent::ContentBlockStop(ContentBlockStopEvent {
            content_block_index: index,
        }));
    }
    events.push(StreamEvent::MessageStop(MessageStopEvent {
        stop_reason: reply.stop_reason.clone(),
        additional_model_response_fields: reply.additional_model_response_fields.clone(),
    }));
    events.push(StreamEvent::Metadata(ConverseStreamMetadataEvent {
        usage: reply.usage.clone(),
        metrics: reply.metrics,
        trace: reply.trace.clone(),
        performance_config: reply.performance_config.clone(),
        service_tier: reply.service_tier.clone(),
    }));
    Ok(events)
}

/// Pushes the start and deltas of one block (not its stop); or says what
/// about it no stream carries.
fn block_events<'a>(
    events: &mut Vec<StreamEvent<'a>>,
    index: u32,
    block: &'a ContentBlock,
) -> Result<(), String> {
    let delta = |delta: ContentBlockDelta<'a>| {
        StreamEvent::ContentBlockDelta(ContentBlockDeltaEvent {
            delta,
            content_block_index: index,
        })
    };
    let start = |start: ContentBlockStart| {
        StreamEvent::ContentBlockStart(ContentBlockStartEvent {
            start,
            content_block_index: index,
        })
    };
    match block {
        ContentBlock::Text(text) => {
            events.extend(text_pieces(text).map(|piece| delta(ContentBlockDelta::Text(piece))));
        }
        ContentBlock::CitationsContent(cited) => {
            if !cited.extra.is_empty() {
                return Err("`citationsContent` with members this version does not know".into());
            }
            match cited.content.as_slice() {
                [] => {}
                [CitationGeneratedContent::Text(text)] => events
                    .extend(text_pieces(text).map(|piece| delta(ContentBlockDelta::Text(piece)))),
                _ => return Err("`citationsContent` with content other than one text".into()),
            }
            if cited.citations.is_empty() {
                return Err("`citationsContent` without citations".into());
            }
            for citation in &cited.citations {
                events.push(delta(ContentBlockDelta::Citation(citation_delta(
                    citation,
                )?)));
            }
        }
        ContentBlock::ToolUse(call) => {
            events.push(start(ContentBlockStart::ToolUse(ToolUseBlockStart {
                tool_use_id: call.tool_use_id.clone(),
                name: call.name.clone(),
                r#type: call.r#type.clone(),
                extra: call.extra.clone(),
            })));
            // An empty input streams as no pieces at all, as Bedrock does.
            let empty = call
                .input
                .as_object()
                .is_some_and(serde_json::Map::is_empty);
            if !empty {
                let input = serde_json::to_string(&call.input).map_err(|e| e.to_string())?;
                for piece in thirds(&input) {
                    let piece = Cow::Owned(piece.to_owned());
                    events.push(delta(ContentBlockDelta::ToolUse(ToolUseBlockDelta {
                        input: piece,
                    })));
                }
            }
        }
        ContentBlock::ReasoningContent(ReasoningContentBlock::ReasoningText(reasoning)) => {
            if !reasoning.extra.is_empty() {
                return Err("`reasoningText` with members this version does not know".into());
            }
            let reasoning_delta = |piece| delta(ContentBlockDelta::ReasoningContent(piece));
            let signature = reasoning.signature.as_deref();
            let pieces = if reasoning.text.is_empty() && signature.is_some() {
                None
            } else {
                Some(text_pieces(&reasoning.text))
            };
            events.extend(
                pieces
                    .into_iter()
                    .flatten()
                    .map(|piece| reasoning_delta(ReasoningContentBlockDelta::Text(piece))),
            );
            if let Some(signature) = signature {
                events.push(reasoning_delta(ReasoningContentBlockDelta::Signature(
                    Cow::Borrowed(signature),
                )));
            }
        }
        ContentBlock::ReasoningContent(ReasoningContentBlock::RedactedContent(blob)) => {
            events.push(delta(ContentBlockDelta::ReasoningContent(
                ReasoningContentBlockDelta::RedactedContent(blob.clone()),
            )));
        }
        ContentBlock::ToolResult(result) => {
            events.push(start(ContentBlockStart::ToolResult(ToolResultBlockStart {
                tool_use_id: result.tool_use_id.clone(),
                r#type: result.r#type.clone(),
                status: result.status.clone(),
                extra: result.extra.clone(),
            })));
            let items = result
                .content
                .iter()
                .map(|item| match item {
                    ToolResultContentBlock::Text(text) => {
                        Ok(ToolResultBlockDelta::Text(text.clone()))
                    }
                    ToolResultContentBlock::Json(json) => {
                        Ok(ToolResultBlockDelta::Json(json.clone()))
                    }
                    ToolResultContentBlock::Unknown(value) => {
                        Ok(ToolResultBlockDelta::Unknown(value.clone()))
                    }
                    other => Err(format!(
                        "a `toolResult` with `{}` content",
                        other.member_name()
                    )),
                })
                .collect::<Result<Vec<_>, String>>()?;
            if !items.is_empty() {
                events.push(delta(ContentBlockDelta::ToolResult(items)));
            }
        }
        ContentBlock::Image(image) => {
            events.push(start(ContentBlockStart::Image(ImageBlockStart {
                format: image.format.clone(),
                extra: image.extra.clone(),
            })));
            events.push(delta(ContentBlockDelta::Image(ImageBlockDelta {
                source: Some(image.source.clone()),
                error: image.error.clone(),
            })));
        }
        ContentBlock::Unknown(value) => {
            // It goes as an unknown start, so it must read back as one.
            let Some(members) = value.as_object() else {
                return Err("an unknown block that is not a JSON object".into());
            };
            if let Some(name) = members
                .keys()
                .find(|name| ContentBlockStart::is_known_member(name))
            {
                return Err(format!("an unknown block with the member `{name}`"));
            }
            events.push(start(ContentBlockStart::Unknown(value.clone())));
        }
        other => return Err(format!("`{}`", other.member_name())),
    }
    Ok(())
}

/// The citation delta that carries `citation`.
fn citation_delta(citation: &Citation) -> Result<CitationsDelta, String> {
    let source_content = citation
        .source_content
        .iter()
        .map(|passage| match passage {
            CitationSourceContent::Text(text) => Ok(CitationSourceContentDelta {
                text: Some(text.clone()),
            }),
            CitationSourceContent::Unknown(_) => {
                Err("a citation passage this version does not know".to_owned())
            }
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(CitationsDelta {
        title: citation.title.clone(),
        source: citation.source.clone(),
        source_content,
        location: citation.location.clone(),
        extra: citation.extra.clone(),
    })
}

/// `text` one word per piece (spaces kept, so the pieces join back to it);
/// an empty text is one empty piece, so that the block still shows up.
fn text_pieces(text: &str) -> impl Iterator<Item = Cow<'_, str>> {
    let empty = text.is_empty().then_some(Cow::Borrowed(""));
    empty
        .into_iter()
        .chain(text.split_inclusive(' ').map(Cow::Borrowed))
}

/// `text` in at most three pieces, cut at character boundaries.
fn thirds(text: &str) -> Vec<&str> {
    let cut = |at: usize| {
        (0..=at)
            .rev()
            .find(|at| text.is_char_boundary(*at))
            .unwrap_or(0)
    };
    let first = cut(text.len() / 3);
    let second = cut(text.len() * 2 / 3).max(first);
    [
        text.get(..first),
        text.get(first..second),
        text.get(second..),
    ]
    .into_iter()
    .flatten()
    .filter(|piece| !piece.is_empty())
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{parse_event, StopReason};
    use serde_json::json;

    /// Folds `(event type, payload)` pairs, returning the first error.
    fn fold(events: &[(&str, Value)]) -> Result<ConverseResponse, AccumulateError> {
        let mut turn = Accumulator::new();
        for (event_type, payload) in events {
            let payload = payload.to_string();
            let event = parse_event(event_type, payload.as_bytes()).expect("a valid event");
            turn.push(&event)?;
        }
        turn.finish()
    }

    fn start() -> (&'static str, Value) {
        ("messageStart", json!({"role": "assistant"}))
    }

    fn stop_message() -> (&'static str, Value) {
        ("messageStop", json!({"stopReason": "end_turn"}))
    }

    fn text(index: u32, text: &str) -> (&'static str, Value) {
        (
            "contentBlockDelta",
            json!({"contentBlockIndex": index, "delta": {"text": text}}),
        )
    }

    fn stop(index: u32) -> (&'static str, Value) {
        ("contentBlockStop", json!({"contentBlockIndex": index}))
    }

    fn tool_start(index: u32) -> (&'static str, Value) {
        (
            "contentBlockStart",
            json!({"contentBlockIndex": index, "start": {"toolUse": {
                "toolUseId": "tooluse_1", "name": "get_weather", "futureMember": [1]}}}),
        )
    }

    fn tool_input(index: u32, piece: &str) -> (&'static str, Value) {
        (
            "contentBlockDelta",
            json!({"contentBlockIndex": index, "delta": {"toolUse": {"input": piece}}}),
        )
    }

    fn content(reply: &ConverseResponse) -> Value {
        serde_json::to_value(reply.message().expect("a message")).expect("writes")["content"]
            .clone()
    }

    #[test]
    fn interleaved_blocks_come_out_in_index_order() {
        let reply = fold(&[
            start(),
            tool_start(2),
            text(0, "Hello "),
            tool_input(2, "{\"city\""),
            (
                "contentBlockDelta",
                json!({"contentBlockIndex": 1, "delta": {"reasoningContent": {"text": "hm"}}}),
            ),
            text(0, "world"),
            tool_input(2, ": \"Paris\"}"),
            (
                "contentBlockDelta",
                json!({"contentBlockIndex": 1, "delta": {"reasoningContent": {"signature": "sig"}}}),
            ),
            stop(1),
            stop(2),
            stop(0),
            ("messageStop", json!({"stopReason": "tool_use", "additionalModelResponseFields": {"x": 1}})),
            ("metadata", json!({"usage": {"inputTokens": 1, "outputTokens": 2, "totalTokens": 3},
                "metrics": {"latencyMs": 4}, "serviceTier": {"type": "flex"}})),
        ])
        .expect("folds");
        assert_eq!(
            content(&reply),
            json!([
                {"text": "Hello world"},
                {"reasoningContent": {"reasoningText": {"text": "hm", "signature": "sig"}}},
                {"toolUse": {"toolUseId": "tooluse_1", "name": "get_weather",
                    "input": {"city": "Paris"}, "futureMember": [1]}}
            ])
        );
        assert_eq!(reply.stop_reason, StopReason::ToolUse);
        assert_eq!(
            reply.additional_model_response_fields,
            Some(json!({"x": 1}))
        );
        assert_eq!(reply.usage.total_tokens, 3);
        assert_eq!(reply.metrics.latency_ms, 4);
        assert!(reply.service_tier.is_some());
    }

    #[test]
    fn citations_redacted_reasoning_and_empty_tool_input() {
        let reply = fold(&[
            start(),
            text(0, "Cited"),
            (
                "contentBlockDelta",
                json!({"contentBlockIndex": 0, "delta": {"citation": {"title": "Doc",
                    "sourceContent": [{"text": "passage"}], "location": {"documentPage":
                    {"documentIndex": 0, "start": 1, "end": 2}}, "futureMember": true}}}),
            ),
            stop(0),
            (
                "contentBlockDelta",
                json!({"contentBlockIndex": 1, "delta": {"reasoningContent": {"redactedContent": "AAE="}}}),
            ),
            (
                "contentBlockDelta",
                json!({"contentBlockIndex": 1, "delta": {"reasoningContent": {"redactedContent": "Ag=="}}}),
            ),
            stop(1),
            tool_start(2),
            stop(2),
            stop_message(),
        ])
        .expect("folds");
        assert_eq!(
            content(&reply),
            json!([
                {"citationsContent": {"content": [{"text": "Cited"}], "citations": [{"title": "Doc",
                    "sourceContent": [{"text": "passage"}], "location": {"documentPage":
                    {"documentIndex": 0, "start": 1, "end": 2}}, "futureMember": true}]}},
                {"reasoningContent": {"redactedContent": "AAEC"}},
                {"toolUse": {"toolUseId": "tooluse_1", "name": "get_weather", "input": {},
                    "futureMember": [1]}}
            ])
        );
        // No metadata: zero usage.
        assert_eq!(reply.usage.total_tokens, 0);
    }

    #[test]
    fn tool_results_images_and_unknown_blocks_are_kept() {
        let reply = fold(&[
            start(),
            (
                "contentBlockStart",
                json!({"contentBlockIndex": 0, "start": {"toolResult": {"toolUseId": "t1", "status": "success"}}}),
            ),
            (
                "contentBlockDelta",
                json!({"contentBlockIndex": 0, "delta": {"toolResult": [{"text": "a"}, {"json": {"b": 1}}, {"hologram": 2}]}}),
            ),
            stop(0),
            (
                "contentBlockStart",
                json!({"contentBlockIndex": 1, "start": {"image": {"format": "png"}}}),
            ),
            (
                "contentBlockDelta",
                json!({"contentBlockIndex": 1, "delta": {"image": {"source": {"bytes": "AA=="}}}}),
            ),
            stop(1),
            (
                "contentBlockStart",
                json!({"contentBlockIndex": 2, "start": {"hologram": {"frames": 3}}}),
            ),
            stop(2),
            (
                "contentBlockStart",
                json!({"contentBlockIndex": 3, "start": {"scene": {"id": 1}}}),
            ),
            text(3, "a"),
            (
                "contentBlockDelta",
                json!({"contentBlockIndex": 3, "delta": {"scenePart": {"n": 1}}}),
            ),
            stop(3),
            (
                "contentBlockDelta",
                json!({"contentBlockIndex": 4, "delta": {"scenePart": {"n": 2}}}),
            ),
            stop(4),
            ("somethingNew", json!({})),
            stop_message(),
        ])
        .expect("folds");
        assert_eq!(
            content(&reply),
            json!([
                {"toolResult": {"toolUseId": "t1", "status": "success",
                    "content": [{"text": "a"}, {"json": {"b": 1}}, {"hologram": 2}]}},
                {"image": {"format": "png", "source": {"bytes": "AA=="}}},
                {"hologram": {"frames": 3}},
                {"start": {"scene": {"id": 1}}, "deltas": [{"text": "a"}, {"scenePart": {"n": 1}}]},
                {"scenePart": {"n": 2}}
            ])
        );
    }

    fn error_of(events: &[(&str, Value)]) -> String {
        fold(events).expect_err("refused").to_string()
    }

    #[test]
    fn events_out_of_order_are_errors() {
        assert_eq!(
            error_of(&[text(0, "a")]),
            "`contentBlockDelta` out of order for block 0: before messageStart"
        );
        assert_eq!(
            error_of(&[start(), start()]),
            "`messageStart` out of order: a second messageStart"
        );
        assert_eq!(
            error_of(&[start(), stop(3)]),
            "`contentBlockStop` out of order for block 3: the block never began"
        );
        assert_eq!(
            error_of(&[start(), text(0, "a"), stop(0), text(0, "b")]),
            "`contentBlockDelta` out of order for block 0: the block has already stopped"
        );
        assert_eq!(
            error_of(&[start(), text(0, "a"), stop(0), stop(0)]),
            "`contentBlockStop` out of order for block 0: the block has already stopped"
        );
        assert_eq!(
            error_of(&[start(), text(0, "a"), tool_start(0)]),
            "`contentBlockStart` out of order for block 0: the block has already begun"
        );
        assert_eq!(
            error_of(&[start(), tool_input(1, "{}")]),
            "`contentBlockDelta` out of order for block 1: a delta of a block that needs a contentBlockStart came before it"
        );
        assert_eq!(
            error_of(&[start(), text(0, "a"), stop_message()]),
            "`messageStop` out of order for block 0: the block has not stopped"
        );
        assert_eq!(
            error_of(&[start(), stop_message(), text(0, "late")]),
            "`contentBlockDelta` out of order for block 0: after messageStop"
        );
        assert_eq!(
            error_of(&[start(), text(0, "a"), stop(0)]),
            "the stream ended before `messageStop`"
        );
    }

    #[test]
    fn deltas_of_another_kind_are_errors() {
        assert_eq!(
            error_of(&[start(), text(0, "a"), tool_input(0, "{}")]),
            "block 0 is a `text` block and cannot take a `toolUse` delta"
        );
        assert_eq!(
            error_of(&[
                start(),
                (
                    "contentBlockDelta",
                    json!({"contentBlockIndex": 0, "delta": {"reasoningContent": {"text": "a"}}}),
                ),
                (
                    "contentBlockDelta",
                    json!({"contentBlockIndex": 0, "delta": {"reasoningContent": {"redactedContent": "AA=="}}}),
                ),
            ]),
            "block 0 is a `reasoningContent.reasoningText` block and cannot take a \
             `reasoningContent.redactedContent` delta"
        );
        assert_eq!(
            error_of(&[
                start(),
                text(0, "a"),
                (
                    "contentBlockDelta",
                    json!({"contentBlockIndex": 0, "delta": {"hologram": {}}}),
                ),
            ]),
            "block 0 is a `text` block and cannot take a `hologram` delta"
        );
        assert_eq!(
            error_of(&[
                start(),
                (
                    "contentBlockStart",
                    json!({"contentBlockIndex": 0, "start": {"image": {"format": "png"}}}),
                ),
                stop(0),
            ]),
            "block 0 (`image`) stopped without its source"
        );
    }

    #[test]
    fn a_tool_input_that_is_not_json_names_the_tool() {
        let error = fold(&[
            start(),
            tool_start(0),
            tool_input(0, "{\"city\": "),
            stop(0),
        ])
        .expect_err("refused");
        let message = error.to_string();
        assert!(
            message.starts_with(
                "the input of tool `get_weather` (toolUseId `tooluse_1`) is not JSON: EOF"
            ),
            "{message}"
        );
        assert!(std::error::Error::source(&error).is_some());
    }

    #[test]
    fn unstreamable_replies_say_what_cannot_stream() {
        let reply: ConverseResponse = serde_json::from_value(json!({
            "output": {"message": {"role": "assistant", "content": [
                {"text": "a"},
                {"document": {"name": "d", "source": {"text": "t"}}}
            ]}},
            "stopReason": "end_turn"
        }))
        .expect("reads");
        assert_eq!(
            stream_events(&reply).expect_err("a document").to_string(),
            "block 1 (`document`) has no exact ConverseStream form"
        );
    }

    #[test]
    fn pieces_join_back() {
        for text in ["", "a", "héllo wörld", "{\"a\":[1,2,3]}", "ééé"] {
            assert_eq!(thirds(text).concat(), text);
            assert!(thirds(text).len() <= 3);
            assert_eq!(text_pieces(text).collect::<String>(), text);
            assert!(text_pieces(text).count() >= 1);
        }
    }
}
