//! ConverseStream events (`ConverseStreamOutput`): one JSON payload per
//! event-stream message, named by its `:event-type` header, or an exception
//! named by `:exception-type`.
//!
//! The hot path is `contentBlockDelta` with a text delta: [`parse_event`] reads
//! it straight from the frame's payload, and the text is a `Cow::Borrowed` slice
//! of the payload whenever the JSON string has no escapes, so a delta reaches the
//! caller without copying. The service's `p` padding member, like every member
//! this version does not know, is skipped without being copied. The other
//! events, a few per content block, are parsed into a `Value` and read from it.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::content::{
    CitationLocation, ConversationRole, ErrorBlock, ImageFormat, MediaSource, ToolResultStatus,
    ToolUseType,
};
use super::read::read_json;
use super::request::{PerformanceConfiguration, ServiceTier};
use super::response::{ConverseMetrics, ConverseTrace, StopReason, TokenUsage};
use super::wire::{string_enum, unknown_member, wire_union, Blob, CowStr, UnknownMembers};

/// One ConverseStream event. Text deltas borrow from the payload (`'a`); use
/// [`StreamEvent::into_owned`] to keep an event past its frame.
///
/// Serialises as the `ConverseStreamOutput` union, `{"contentBlockDelta": {...}}`;
/// an unknown event as `{"<event type>": {}}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum StreamEvent<'a> {
    /// `messageStart`: the assistant's message begins.
    MessageStart(MessageStartEvent),
    /// `contentBlockStart`: a tool use (or other non-text block) begins.
    ContentBlockStart(ContentBlockStartEvent),
    /// `contentBlockDelta`: a piece of a content block.
    ContentBlockDelta(ContentBlockDeltaEvent<'a>),
    /// `contentBlockStop`: a content block ends.
    ContentBlockStop(ContentBlockStopEvent),
    /// `messageStop`: the message ends, with the stop reason.
    MessageStop(MessageStopEvent),
    /// `metadata`: usage, metrics and trace, after `messageStop`.
    Metadata(ConverseStreamMetadataEvent),
    /// An event type this version does not know (its name); its payload is skipped.
    #[serde(untagged, serialize_with = "unknown_member")]
    Unknown(String),
}

/// `messageStart` (`MessageStartEvent`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageStartEvent {
    /// Who writes the message (`assistant`).
    pub role: ConversationRole,
}

read_json!(MessageStartEvent { role: "role" });

/// `contentBlockStart` (`ContentBlockStartEvent`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContentBlockStartEvent {
    /// What begins.
    pub start: ContentBlockStart,
    /// Its index in the message.
    #[serde(default)]
    pub content_block_index: u32,
}

read_json!(ContentBlockStartEvent {
    start: "start",
    content_block_index: "contentBlockIndex" default,
});

wire_union! {
    /// What a content block starts with (`ContentBlockStart`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum ContentBlockStart {
        /// `toolUse`: a tool call; its input follows in deltas.
        ToolUse(ToolUseBlockStart) = "toolUse",
        /// `toolResult`: the result of a tool the service ran.
        ToolResult(ToolResultBlockStart) = "toolResult",
        /// `image`: a generated image.
        Image(ImageBlockStart) = "image",
    }
}

/// The start of a tool call (`ToolUseBlockStart`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolUseBlockStart {
    /// The id that the result must quote.
    pub tool_use_id: String,
    /// The tool's name.
    pub name: String,
    /// Set for tools the service runs itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<ToolUseType>,
    /// Members this version does not know, kept as received (an accumulated
    /// stream carries them on to the block's `extra`).
    #[serde(flatten)]
    pub extra: UnknownMembers,
}

read_json!(ToolUseBlockStart {
    tool_use_id: "toolUseId",
    name: "name",
    r#type: "type" default,
    ..extra,
});

/// The start of a tool result (`ToolResultBlockStart`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolResultBlockStart {
    /// The `toolUseId` of the call.
    pub tool_use_id: String,
    /// The kind of tool result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
    /// Whether it worked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ToolResultStatus>,
    /// Members this version does not know, kept as received (an accumulated
    /// stream carries them on to the block's `extra`).
    #[serde(flatten)]
    pub extra: UnknownMembers,
}

read_json!(ToolResultBlockStart {
    tool_use_id: "toolUseId",
    r#type: "type" default,
    status: "status" default,
    ..extra,
});

/// The start of an image (`ImageBlockStart`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageBlockStart {
    /// Its format.
    pub format: ImageFormat,
    /// Members this version does not know, kept as received (an accumulated
    /// stream carries them on to the block's `extra`).
    #[serde(flatten)]
    pub extra: UnknownMembers,
}

read_json!(ImageBlockStart {
    format: "format",
    ..extra
});

/// `contentBlockDelta` (`ContentBlockDeltaEvent`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContentBlockDeltaEvent<'a> {
    /// The piece.
    #[serde(borrow)]
    pub delta: ContentBlockDelta<'a>,
    /// The index of the block it belongs to.
    #[serde(default)]
    pub content_block_index: u32,
}

wire_union! {
    /// A piece of a content block (`ContentBlockDelta`). Its text borrows from
    /// the payload when unescaped; a member this version does not know is kept
    /// whole (`Unknown`).
    #[derive(Debug, Clone, PartialEq)]
    pub enum ContentBlockDelta<'a> {
        /// `text`: more text (borrowed from the payload when unescaped).
        Text(Cow<'a, str> as CowStr<'a>) = "text",
        /// `toolUse`: more of a tool call's JSON input.
        ToolUse(ToolUseBlockDelta<'a>) = "toolUse",
        /// `toolResult`: more of a tool result.
        ToolResult(Vec<ToolResultBlockDelta>) = "toolResult",
        /// `reasoningContent`: more reasoning.
        ReasoningContent(ReasoningContentBlockDelta<'a>) = "reasoningContent",
        /// `citation`: a citation of the text so far.
        Citation(CitationsDelta) = "citation",
        /// `image`: image data.
        Image(ImageBlockDelta) = "image",
    }
}

/// More of a tool call's input (`ToolUseBlockDelta`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolUseBlockDelta<'a> {
    /// A piece of the input's JSON text (concatenate, then parse).
    #[serde(borrow)]
    pub input: Cow<'a, str>,
}

wire_union! {
    /// More of a tool result (`ToolResultBlockDelta`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum ToolResultBlockDelta {
        /// `text`: text.
        Text(String) = "text",
        /// `json`: a JSON document.
        Json(Value) = "json",
    }
}

wire_union! {
    /// More reasoning (`ReasoningContentBlockDelta`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum ReasoningContentBlockDelta<'a> {
        /// `text`: more reasoning text (borrowed from the payload when unescaped).
        Text(Cow<'a, str> as CowStr<'a>) = "text",
        /// `redactedContent`: encrypted reasoning.
        RedactedContent(Blob) = "redactedContent",
        /// `signature`: the signature over the reasoning text.
        Signature(Cow<'a, str> as CowStr<'a>) = "signature",
    }
}

/// A citation of the text so far (`CitationsDelta`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CitationsDelta {
    /// The cited source's title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The cited source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The cited passages.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub source_content: Vec<CitationSourceContentDelta>,
    /// Where in the source they are.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<CitationLocation>,
    /// Members this version does not know, kept as received (an accumulated
    /// stream carries them on to the block's `extra`).
    #[serde(flatten)]
    pub extra: UnknownMembers,
}

read_json!(CitationsDelta default {
    title: "title",
    source: "source",
    source_content: "sourceContent",
    location: "location",
    ..extra,
});

/// A cited passage (`CitationSourceContentDelta`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CitationSourceContentDelta {
    /// Its text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

read_json!(CitationSourceContentDelta default { text: "text" });

/// Image data (`ImageBlockDelta`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ImageBlockDelta {
    /// The image's bytes or where they are.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<MediaSource>,
    /// Why the image could not be made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBlock>,
}

read_json!(ImageBlockDelta default { source: "source", error: "error" });

/// `contentBlockStop` (`ContentBlockStopEvent`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ContentBlockStopEvent {
    /// The index of the block that ends.
    pub content_block_index: u32,
}

read_json!(ContentBlockStopEvent default { content_block_index: "contentBlockIndex" });

/// `messageStop` (`MessageStopEvent`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageStopEvent {
    /// Why the model stopped.
    pub stop_reason: StopReason,
    /// Model-specific fields asked for with `additionalModelResponseFieldPaths`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_model_response_fields: Option<Value>,
}

read_json!(MessageStopEvent {
    stop_reason: "stopReason",
    additional_model_response_fields: "additionalModelResponseFields" default,
});

/// `metadata` (`ConverseStreamMetadataEvent`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConverseStreamMetadataEvent {
    /// Tokens used.
    pub usage: TokenUsage,
    /// How long it took.
    pub metrics: ConverseMetrics,
    /// The guardrail and prompt router trace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<ConverseTrace>,
    /// The latency setting used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub performance_config: Option<PerformanceConfiguration>,
    /// The service tier used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_tier: Option<ServiceTier>,
}

read_json!(ConverseStreamMetadataEvent default {
    usage: "usage",
    metrics: "metrics",
    trace: "trace",
    performance_config: "performanceConfig",
    service_tier: "serviceTier",
});

string_enum! {
    /// The exception members of `ConverseStreamOutput` (the `:exception-type` header).
    pub enum StreamExceptionKind {
        /// `internalServerException`: the service failed.
        InternalServer = "internalServerException",
        /// `modelStreamErrorException`: the model failed mid-stream.
        ModelStreamError = "modelStreamErrorException",
        /// `validationException`: the request was invalid.
        Validation = "validationException",
        /// `throttlingException`: too many requests.
        Throttling = "throttlingException",
        /// `serviceUnavailableException`: the service is unavailable.
        ServiceUnavailable = "serviceUnavailableException",
    }
}

/// An exception sent inside the stream (`:message-type` `exception`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamException {
    /// Which exception (from the `:exception-type` header).
    pub kind: StreamExceptionKind,
    /// The service's message.
    pub message: Option<String>,
    /// For `modelStreamErrorException`: the status code the model returned.
    pub original_status_code: Option<u16>,
    /// For `modelStreamErrorException`: the model's own message.
    pub original_message: Option<String>,
}

impl fmt::Display for StreamException {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)?;
        if let Some(message) = &self.message {
            write!(f, ": {}", message.escape_debug())?;
        }
        if let Some(code) = self.original_status_code {
            write!(f, " (model status {code}")?;
            if let Some(original) = &self.original_message {
                write!(f, ": {}", original.escape_debug())?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// A payload that is not the JSON its event or exception type calls for.
#[derive(Debug)]
pub struct EventParseError {
    /// The `:event-type` or `:exception-type`.
    pub event_type: String,
    /// What the JSON parser found.
    pub source: serde_json::Error,
}

impl fmt::Display for EventParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid `{}` event payload: {}",
            self.event_type.escape_debug(),
            self.source
        )
    }
}

impl std::error::Error for EventParseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Reads the payload of an event message whose `:event-type` is `event_type`.
/// An unknown event type is [`StreamEvent::Unknown`], not an error; a payload
/// that is not the JSON its type calls for is an error.
///
/// ```
/// # use bedrock_lite_wire as bedrock_lite;
/// use std::borrow::Cow;
/// use bedrock_lite::types::{parse_event, ContentBlockDelta, StreamEvent};
/// let payload = br#"{"contentBlockIndex":0,"delta":{"text":"Hello"},"p":"abcdefgh"}"#;
/// let StreamEvent::ContentBlockDelta(event) = parse_event("contentBlockDelta", payload)? else {
///     panic!("a delta");
/// };
/// assert!(matches!(event.delta, ContentBlockDelta::Text(Cow::Borrowed("Hello"))));
/// # Ok::<(), bedrock_lite::types::EventParseError>(())
/// ```
pub fn parse_event<'a>(
    event_type: &str,
    payload: &'a [u8],
) -> Result<StreamEvent<'a>, EventParseError> {
    let parsed = match event_type {
        "contentBlockDelta" => serde_json::from_slice(payload).map(StreamEvent::ContentBlockDelta),
        "messageStart" => serde_json::from_slice(payload).map(StreamEvent::MessageStart),
        "contentBlockStart" => serde_json::from_slice(payload).map(StreamEvent::ContentBlockStart),
        "contentBlockStop" => serde_json::from_slice(payload).map(StreamEvent::ContentBlockStop),
        "messageStop" => serde_json::from_slice(payload).map(StreamEvent::MessageStop),
        "metadata" => serde_json::from_slice(payload).map(StreamEvent::Metadata),
        other => return Ok(StreamEvent::Unknown(other.to_owned())),
    };
    parsed.map_err(|source| EventParseError {
        event_type: event_type.to_owned(),
        source,
    })
}

/// The JSON members of an exception payload.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExceptionPayload {
    #[serde(default, alias = "Message")]
    message: Option<String>,
    #[serde(default)]
    original_status_code: Option<u16>,
    #[serde(default)]
    original_message: Option<String>,
}

/// Reads the payload of an exception message whose `:exception-type` is
/// `exception_type` (unknown types are kept in [`StreamExceptionKind::Unknown`]).
pub fn parse_exception(
    exception_type: &str,
    payload: &[u8],
) -> Result<StreamException, EventParseError> {
    let body: ExceptionPayload =
        serde_json::from_slice(payload).map_err(|source| EventParseError {
            event_type: exception_type.to_owned(),
            source,
        })?;
    Ok(StreamException {
        kind: StreamExceptionKind::from(exception_type),
        message: body.message,
        original_status_code: body.original_status_code,
        original_message: body.original_message,
    })
}

impl StreamEvent<'_> {
    /// The text of a text delta (what a chat prints as it arrives); `None`
    /// for any other event.
    ///
    /// ```
    /// # use bedrock_lite_wire as bedrock_lite;
    /// use bedrock_lite::types::parse_event;
    /// let event = parse_event("contentBlockDelta", br#"{"contentBlockIndex":0,"delta":{"text":"Hi"}}"#)?;
    /// assert_eq!(event.text(), Some("Hi"));
    /// # Ok::<(), bedrock_lite::types::EventParseError>(())
    /// ```
    pub fn text(&self) -> Option<&str> {
        match self {
            StreamEvent::ContentBlockDelta(ContentBlockDeltaEvent {
                delta: ContentBlockDelta::Text(text),
                ..
            }) => Some(text),
            _ => None,
        }
    }

    /// The `:event-type` this event travels under (its union member name).
    pub fn event_type(&self) -> &str {
        match self {
            StreamEvent::MessageStart(_) => "messageStart",
            StreamEvent::ContentBlockStart(_) => "contentBlockStart",
            StreamEvent::ContentBlockDelta(_) => "contentBlockDelta",
            StreamEvent::ContentBlockStop(_) => "contentBlockStop",
            StreamEvent::MessageStop(_) => "messageStop",
            StreamEvent::Metadata(_) => "metadata",
            StreamEvent::Unknown(event_type) => event_type,
        }
    }

    /// The JSON payload this event travels with (the inverse of [`parse_event`];
    /// `{}` for an unknown event).
    pub fn to_payload(&self) -> Result<Vec<u8>, serde_json::Error> {
        match self {
            StreamEvent::MessageStart(event) => serde_json::to_vec(event),
            StreamEvent::ContentBlockStart(event) => serde_json::to_vec(event),
            StreamEvent::ContentBlockDelta(event) => serde_json::to_vec(event),
            StreamEvent::ContentBlockStop(event) => serde_json::to_vec(event),
            StreamEvent::MessageStop(event) => serde_json::to_vec(event),
            StreamEvent::Metadata(event) => serde_json::to_vec(event),
            StreamEvent::Unknown(_) => Ok(b"{}".to_vec()),
        }
    }

    /// The same event, owning its text.
    pub fn into_owned(self) -> StreamEvent<'static> {
        match self {
            StreamEvent::MessageStart(event) => StreamEvent::MessageStart(event),
            StreamEvent::ContentBlockStart(event) => StreamEvent::ContentBlockStart(event),
            StreamEvent::ContentBlockDelta(event) => {
                StreamEvent::ContentBlockDelta(ContentBlockDeltaEvent {
                    delta: event.delta.into_owned(),
                    content_block_index: event.content_block_index,
                })
            }
            StreamEvent::ContentBlockStop(event) => StreamEvent::ContentBlockStop(event),
            StreamEvent::MessageStop(event) => StreamEvent::MessageStop(event),
            StreamEvent::Metadata(event) => StreamEvent::Metadata(event),
            StreamEvent::Unknown(event_type) => StreamEvent::Unknown(event_type),
        }
    }
}

/// `Cow::Owned` of any `Cow`.
fn owned(text: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(text.into_owned())
}

impl ContentBlockDelta<'_> {
    /// The same delta, owning its text.
    pub fn into_owned(self) -> ContentBlockDelta<'static> {
        match self {
            ContentBlockDelta::Text(text) => ContentBlockDelta::Text(owned(text)),
            ContentBlockDelta::ToolUse(delta) => ContentBlockDelta::ToolUse(ToolUseBlockDelta {
                input: owned(delta.input),
            }),
            ContentBlockDelta::ToolResult(delta) => ContentBlockDelta::ToolResult(delta),
            ContentBlockDelta::ReasoningContent(delta) => {
                ContentBlockDelta::ReasoningContent(match delta {
                    ReasoningContentBlockDelta::Text(text) => {
                        ReasoningContentBlockDelta::Text(owned(text))
                    }
                    ReasoningContentBlockDelta::RedactedContent(blob) => {
                        ReasoningContentBlockDelta::RedactedContent(blob)
                    }
                    ReasoningContentBlockDelta::Signature(text) => {
                        ReasoningContentBlockDelta::Signature(owned(text))
                    }
                    ReasoningContentBlockDelta::Unknown(value) => {
                        ReasoningContentBlockDelta::Unknown(value)
                    }
                })
            }
            ContentBlockDelta::Citation(delta) => ContentBlockDelta::Citation(delta),
            ContentBlockDelta::Image(delta) => ContentBlockDelta::Image(delta),
            ContentBlockDelta::Unknown(value) => ContentBlockDelta::Unknown(value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::PerformanceConfigLatency;
    use proptest::prelude::*;
    use serde_json::json;

    fn parse<'a>(event_type: &str, payload: &'a [u8]) -> StreamEvent<'a> {
        parse_event(event_type, payload).unwrap_or_else(|e| panic!("{e}"))
    }

    fn delta(payload: &[u8]) -> ContentBlockDelta<'_> {
        match parse("contentBlockDelta", payload) {
            StreamEvent::ContentBlockDelta(event) => event.delta,
            other => panic!("not a delta: {other:?}"),
        }
    }

    #[test]
    fn a_text_delta_without_escapes_borrows_from_the_payload() {
        let payload = br#"{"contentBlockIndex":2,"delta":{"text":"Hello, world"},"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"}"#;
        let StreamEvent::ContentBlockDelta(event) = parse("contentBlockDelta", payload) else {
            panic!("a delta");
        };
        assert_eq!(event.content_block_index, 2);
        let ContentBlockDelta::Text(Cow::Borrowed(text)) = event.delta else {
            panic!("a borrowed text delta: {:?}", event.delta);
        };
        assert_eq!(text, "Hello, world");
        let payload_range = payload.as_ptr_range();
        assert!(
            payload_range.contains(&text.as_ptr()),
            "the text points into the payload"
        );
    }

    #[test]
    fn an_escaped_text_delta_is_owned_and_unescaped() {
        let payload =
            br#"{"p":"ab","delta":{"text":"line\n\"quoted\" \u00e9"},"contentBlockIndex":0}"#;
        let ContentBlockDelta::Text(text) = delta(payload) else {
            panic!("a text delta");
        };
        assert!(matches!(text, Cow::Owned(_)));
        assert_eq!(text, "line\n\"quoted\" é");
    }

    #[test]
    fn tool_use_is_streamed_as_start_input_pieces_and_stop() {
        let start = parse(
            "contentBlockStart",
            br#"{"contentBlockIndex":1,"start":{"toolUse":{"toolUseId":"tooluse_abc","name":"get_weather"}},"p":"xyz"}"#,
        );
        assert_eq!(
            start,
            StreamEvent::ContentBlockStart(ContentBlockStartEvent {
                start: ContentBlockStart::ToolUse(ToolUseBlockStart {
                    tool_use_id: "tooluse_abc".into(),
                    name: "get_weather".into(),
                    r#type: None,
                    extra: UnknownMembers::new(),
                }),
                content_block_index: 1,
            })
        );
        let ContentBlockDelta::ToolUse(piece) =
            delta(br#"{"contentBlockIndex":1,"delta":{"toolUse":{"input":"{\"city\":"}}}"#)
        else {
            panic!("a tool use delta");
        };
        assert_eq!(piece.input, r#"{"city":"#);
        let ContentBlockDelta::ToolUse(piece) =
            delta(br#"{"contentBlockIndex":1,"delta":{"toolUse":{"input":"Paris"}}}"#)
        else {
            panic!("a tool use delta");
        };
        assert!(matches!(piece.input, Cow::Borrowed("Paris")));
        let stop = parse("contentBlockStop", br#"{"contentBlockIndex":1,"p":"abcd"}"#);
        assert_eq!(
            stop,
            StreamEvent::ContentBlockStop(ContentBlockStopEvent {
                content_block_index: 1
            })
        );
    }

    #[test]
    fn reasoning_and_citation_deltas() {
        assert_eq!(
            delta(
                br#"{"contentBlockIndex":0,"delta":{"reasoningContent":{"text":"Let me think"}}}"#
            ),
            ContentBlockDelta::ReasoningContent(ReasoningContentBlockDelta::Text(
                "Let me think".into()
            ))
        );
        assert_eq!(
            delta(br#"{"contentBlockIndex":0,"delta":{"reasoningContent":{"signature":"EqoBCkgIAR"}}}"#),
            ContentBlockDelta::ReasoningContent(ReasoningContentBlockDelta::Signature("EqoBCkgIAR".into()))
        );
        assert_eq!(
            delta(br#"{"contentBlockIndex":0,"delta":{"reasoningContent":{"redactedContent":"AAEC"}}}"#),
            ContentBlockDelta::ReasoningContent(ReasoningContentBlockDelta::RedactedContent(Blob(vec![0, 1, 2])))
        );
        let ContentBlockDelta::Citation(citation) = delta(
            br#"{"contentBlockIndex":3,"delta":{"citation":{"title":"Doc","sourceContent":[{"text":"quote"}],"location":{"documentPage":{"documentIndex":0,"start":1,"end":2}},"new":1}}}"#,
        ) else {
            panic!("a citation delta");
        };
        assert_eq!(citation.title.as_deref(), Some("Doc"));
        assert_eq!(citation.source_content[0].text.as_deref(), Some("quote"));
        assert!(matches!(
            citation.location,
            Some(CitationLocation::DocumentPage(_))
        ));
    }

    #[test]
    fn unknown_events_members_and_fields_are_tolerated() {
        assert_eq!(
            parse("somethingNew", b"not even json"),
            StreamEvent::Unknown("somethingNew".into())
        );
        let novel = delta(br#"{"contentBlockIndex":0,"delta":{"hologram":{"x":[1,{"y":2}]}}}"#);
        assert_eq!(novel.member_name(), "hologram");
        assert_eq!(
            novel,
            ContentBlockDelta::Unknown(json!({"hologram": {"x": [1, {"y": 2}]}}))
        );
        // Null and unknown members give way to the known one; extra fields are ignored.
        assert_eq!(
            delta(br#"{"extra":true,"delta":{"__type":"x","toolUse":null,"text":"hi"},"contentBlockIndex":0}"#),
            ContentBlockDelta::Text("hi".into())
        );
        assert_eq!(
            delta(br#"{"contentBlockIndex":0,"delta":{"reasoningContent":{"summary":"s"}}}"#),
            ContentBlockDelta::ReasoningContent(ReasoningContentBlockDelta::Unknown(
                json!({"summary": "s"})
            ))
        );
        assert_eq!(
            delta(br#"{"contentBlockIndex":0,"delta":{}}"#),
            ContentBlockDelta::Unknown(json!({}))
        );
        let start = parse(
            "contentBlockStart",
            br#"{"contentBlockIndex":0,"start":{"newStart":{"a":1}}}"#,
        );
        assert_eq!(
            start,
            StreamEvent::ContentBlockStart(ContentBlockStartEvent {
                start: ContentBlockStart::Unknown(json!({"newStart": {"a": 1}})),
                content_block_index: 0,
            })
        );
    }

    #[test]
    fn message_start_stop_and_metadata() {
        assert_eq!(
            parse(
                "messageStart",
                br#"{"p":"abcdefghijklmnopqrstuvwxyzABCDEFGH","role":"assistant"}"#
            ),
            StreamEvent::MessageStart(MessageStartEvent {
                role: ConversationRole::Assistant
            })
        );
        let StreamEvent::MessageStop(stop) = parse(
            "messageStop",
            br#"{"p":"abc","stopReason":"max_tokens","additionalModelResponseFields":{"stop_sequence":"END"}}"#,
        ) else {
            panic!("a stop");
        };
        assert_eq!(stop.stop_reason, StopReason::MaxTokens);
        assert_eq!(
            stop.additional_model_response_fields,
            Some(json!({"stop_sequence": "END"}))
        );
        let StreamEvent::Metadata(metadata) = parse(
            "metadata",
            br#"{"metrics":{"latencyMs":812},"p":"abcdef","usage":{"inputTokens":12,"outputTokens":34,"totalTokens":46,"cacheReadInputTokens":0},"trace":{"guardrail":{"actionReason":"No action."}},"performanceConfig":{"latency":"optimized"}}"#,
        ) else {
            panic!("metadata");
        };
        assert_eq!(metadata.usage.total_tokens, 46);
        assert_eq!(metadata.metrics.latency_ms, 812);
        let guardrail = metadata
            .trace
            .and_then(|t| t.guardrail)
            .expect("a guardrail trace");
        assert_eq!(guardrail.action_reason.as_deref(), Some("No action."));
        assert_eq!(
            metadata.performance_config.and_then(|p| p.latency),
            Some(PerformanceConfigLatency::Optimized)
        );
    }

    #[test]
    fn bad_payloads_are_one_line_errors_naming_the_event() {
        for (event_type, payload) in [
            ("contentBlockDelta", &b"{\"delta\":{\"text\":5}}"[..]),
            ("messageStop", b"{}"),
            ("metadata", b"[1, 2"),
            (
                "contentBlockDelta",
                b"{\"delta\":{\"reasoningContent\":{\"redactedContent\":\"@@\"}}}",
            ),
        ] {
            let error = parse_event(event_type, payload).expect_err(event_type);
            let message = error.to_string();
            assert!(
                message.starts_with(&format!("invalid `{event_type}` event payload: ")),
                "{message}"
            );
            assert!(!message.contains('\n'), "{message}");
        }
    }

    #[test]
    fn exceptions_read_with_their_kind() {
        let exception = parse_exception(
            "modelStreamErrorException",
            br#"{"message":"Model failed","originalStatusCode":424,"originalMessage":"upstream\nbroke"}"#,
        )
        .expect("reads");
        assert_eq!(exception.kind, StreamExceptionKind::ModelStreamError);
        assert_eq!(exception.original_status_code, Some(424));
        assert_eq!(
            exception.to_string(),
            "modelStreamErrorException: Model failed (model status 424: upstream\\nbroke)"
        );
        let throttled =
            parse_exception("throttlingException", br#"{"Message":"Too many requests"}"#)
                .expect("reads");
        assert_eq!(throttled.kind, StreamExceptionKind::Throttling);
        assert_eq!(throttled.message.as_deref(), Some("Too many requests"));
        let novel = parse_exception("quotaException", b"{}").expect("reads");
        assert_eq!(
            novel.kind,
            StreamExceptionKind::Unknown("quotaException".into())
        );
        assert_eq!(novel.to_string(), "quotaException");
        assert!(parse_exception("validationException", b"oops").is_err());
    }

    #[test]
    fn events_serialise_as_the_union() {
        let event = parse(
            "contentBlockDelta",
            br#"{"contentBlockIndex":0,"delta":{"text":"Hi"}}"#,
        );
        assert_eq!(
            serde_json::to_value(&event).expect("writes"),
            json!({"contentBlockDelta": {"delta": {"text": "Hi"}, "contentBlockIndex": 0}})
        );
        let unknown = StreamEvent::Unknown("newEvent".into());
        assert_eq!(
            serde_json::to_value(&unknown).expect("writes"),
            json!({"newEvent": {}})
        );
        let unknown_delta = ContentBlockDelta::Unknown(json!({"hologram": {}}));
        assert_eq!(
            serde_json::to_value(&unknown_delta).expect("writes"),
            json!({"hologram": {}})
        );
    }

    fn any_event() -> impl Strategy<Value = StreamEvent<'static>> {
        let text = any::<String>();
        let index = 0u32..64;
        prop_oneof![
            Just(StreamEvent::MessageStart(MessageStartEvent {
                role: ConversationRole::Assistant
            })),
            (text, text, index.clone()).prop_map(|(tool_use_id, name, i)| {
                StreamEvent::ContentBlockStart(ContentBlockStartEvent {
                    start: ContentBlockStart::ToolUse(ToolUseBlockStart {
                        tool_use_id,
                        name,
                        r#type: None,
                        extra: UnknownMembers::new(),
                    }),
                    content_block_index: i,
                })
            }),
            (text, index.clone()).prop_map(|(t, i)| StreamEvent::ContentBlockDelta(
                ContentBlockDeltaEvent {
                    delta: ContentBlockDelta::Text(Cow::Owned(t)),
                    content_block_index: i,
                }
            )),
            (text, index.clone()).prop_map(|(t, i)| StreamEvent::ContentBlockDelta(
                ContentBlockDeltaEvent {
                    delta: ContentBlockDelta::ToolUse(ToolUseBlockDelta {
                        input: Cow::Owned(t)
                    }),
                    content_block_index: i,
                }
            )),
            (text, index.clone()).prop_map(|(t, i)| StreamEvent::ContentBlockDelta(
                ContentBlockDeltaEvent {
                    delta: ContentBlockDelta::ReasoningContent(
                        ReasoningContentBlockDelta::Signature(Cow::Owned(t))
                    ),
                    content_block_index: i,
                }
            )),
            (proptest::collection::vec(any::<u8>(), 0..40), index.clone()).prop_map(
                |(bytes, i)| {
                    StreamEvent::ContentBlockDelta(ContentBlockDeltaEvent {
                        delta: ContentBlockDelta::ReasoningContent(
                            ReasoningContentBlockDelta::RedactedContent(Blob(bytes)),
                        ),
                        content_block_index: i,
                    })
                }
            ),
            index
                .clone()
                .prop_map(|i| StreamEvent::ContentBlockStop(ContentBlockStopEvent {
                    content_block_index: i
                })),
            prop_oneof![Just("end_turn"), Just("tool_use"), Just("a_new_reason")].prop_map(
                |reason| {
                    StreamEvent::MessageStop(MessageStopEvent {
                        stop_reason: StopReason::from(reason),
                        additional_model_response_fields: None,
                    })
                }
            ),
            (0u32..100_000, 0u32..100_000, any::<u64>()).prop_map(|(input, output, latency)| {
                StreamEvent::Metadata(ConverseStreamMetadataEvent {
                    usage: TokenUsage {
                        input_tokens: input,
                        output_tokens: output,
                        total_tokens: input + output,
                        ..Default::default()
                    },
                    metrics: ConverseMetrics {
                        latency_ms: latency,
                    },
                    ..Default::default()
                })
            }),
            "[a-z][a-zA-Z]{0,12}"
                .prop_filter("not a known event", |name| parse_event(name, b"").is_ok())
                .prop_map(StreamEvent::Unknown),
        ]
    }

    proptest! {
        #[test]
        fn text_deltas_borrow_exactly_when_unescaped(text in any::<String>(), padding in "[a-zA-Z0-9]{0,40}") {
            let payload = serde_json::to_vec(&json!({"contentBlockIndex": 0, "delta": {"text": text}, "p": padding}))
                .expect("writes");
            let ContentBlockDelta::Text(got) = delta(&payload) else {
                panic!("a text delta");
            };
            let needs_escape = text.chars().any(|c| c == '"' || c == '\\' || c.is_ascii_control());
            prop_assert_eq!(matches!(got, Cow::Borrowed(_)), !needs_escape);
            prop_assert_eq!(got, text);
        }

        #[test]
        fn events_round_trip_through_type_and_payload(event in any_event()) {
            let payload = event.to_payload().expect("writes");
            let back = parse_event(event.event_type(), &payload).expect("reads").into_owned();
            prop_assert_eq!(back, event);
        }

        #[test]
        fn no_payload_panics(event_type in prop_oneof![
            Just("contentBlockDelta"), Just("contentBlockStart"), Just("messageStop"), Just("metadata"),
        ], payload in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = parse_event(event_type, &payload);
            let _ = parse_exception(event_type, &payload);
        }
    }
}
