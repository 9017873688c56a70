//! CountTokens (`POST /model/{modelId}/count-tokens`): how many input tokens a
//! Converse or InvokeModel request would use, without running the model. It
//! takes a foundation model id (or its ARN), not an inference profile.

use serde::Serialize;
use serde_json::Value;

use super::content::Message;
use super::read::read_json;
use super::request::{ConverseRequest, SystemContentBlock, ToolConfiguration};
use super::wire::{wire_union, Blob};

/// The body of a CountTokens request (`CountTokensRequest`; the model id goes
/// in the path).
///
/// ```
/// # use bedrock_lite_wire as bedrock_lite;
/// use bedrock_lite::types::{ConverseRequest, CountTokensRequest, Message};
/// let converse = ConverseRequest::new().message(Message::user("Hi"));
/// let body = serde_json::to_string(&CountTokensRequest::converse(&converse))?;
/// assert_eq!(body, r#"{"input":{"converse":{"messages":[{"role":"user","content":[{"text":"Hi"}]}]}}}"#);
/// let body = serde_json::to_string(&CountTokensRequest::invoke_model(br#"{"inputText":"Hi"}"#.to_vec()))?;
/// assert_eq!(body, r#"{"input":{"invokeModel":{"body":"eyJpbnB1dFRleHQiOiJIaSJ9"}}}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CountTokensRequest {
    /// What to count.
    pub input: CountTokensInput,
}

read_json!(CountTokensRequest { input: "input" });

impl CountTokensRequest {
    /// Counts the tokens of a Converse request: its messages, system prompts,
    /// tool configuration and model-specific fields (the rest does not count).
    pub fn converse(request: &ConverseRequest) -> Self {
        CountTokensRequest {
            input: CountTokensInput::Converse(ConverseTokensRequest::from(request)),
        }
    }

    /// Counts the tokens of an InvokeModel request body (the model's own JSON).
    pub fn invoke_model(body: impl Into<Vec<u8>>) -> Self {
        CountTokensRequest {
            input: CountTokensInput::InvokeModel(InvokeModelTokensRequest {
                body: Blob(body.into()),
            }),
        }
    }
}

wire_union! {
    /// What to count (`CountTokensInput`, a union: exactly one member).
    #[derive(Debug, Clone, PartialEq)]
    pub enum CountTokensInput {
        /// `invokeModel`: an InvokeModel body.
        InvokeModel(InvokeModelTokensRequest) = "invokeModel",
        /// `converse`: the parts of a Converse request that count.
        Converse(ConverseTokensRequest) = "converse",
    }
}

/// An InvokeModel body to count (`InvokeModelTokensRequest`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvokeModelTokensRequest {
    /// The body, in the model's own format (base64 on the wire).
    pub body: Blob,
}

read_json!(InvokeModelTokensRequest { body: "body" });

/// The parts of a Converse request that count (`ConverseTokensRequest`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConverseTokensRequest {
    /// The conversation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<Message>,
    /// System prompts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub system: Vec<SystemContentBlock>,
    /// The tools the model may call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_config: Option<ToolConfiguration>,
    /// Model-specific request fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_model_request_fields: Option<Value>,
}

read_json!(ConverseTokensRequest {
    messages: "messages" default,
    system: "system" default,
    tool_config: "toolConfig" default,
    additional_model_request_fields: "additionalModelRequestFields" default,
});

impl From<&ConverseRequest> for ConverseTokensRequest {
    fn from(request: &ConverseRequest) -> Self {
        ConverseTokensRequest {
            messages: request.messages.clone(),
            system: request.system.clone(),
            tool_config: request.tool_config.clone(),
            additional_model_request_fields: request.additional_model_request_fields.clone(),
        }
    }
}

impl From<ConverseTokensRequest> for ConverseRequest {
    /// The Converse request with these parts (and nothing else set).
    fn from(tokens: ConverseTokensRequest) -> Self {
        ConverseRequest {
            messages: tokens.messages,
            system: tokens.system,
            tool_config: tokens.tool_config,
            additional_model_request_fields: tokens.additional_model_request_fields,
            ..ConverseRequest::default()
        }
    }
}

/// The CountTokens response body (`CountTokensResponse`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CountTokensResponse {
    /// The input tokens the request would use.
    #[serde(default)]
    pub input_tokens: u32,
}

read_json!(CountTokensResponse { input_tokens: "inputTokens" default });
