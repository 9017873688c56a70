//! `POST /model/{modelId}/count-tokens`: the input tokens of a Converse or
//! InvokeModel request, counted as the emulator counts them when it runs
//! that request (the same function), so CountTokens and the `usage` of the
//! call itself agree. Like Bedrock it takes a foundation model id or ARN
//! only: an inference profile gets 400 `ValidationException`.

use super::catalogue::json;
use super::converse::error;
use super::converse::usage::count_words;
use super::invoke;
use super::server::{RecordedRequest, Response};
use crate::model_ref::{ModelKind, ModelRef};
use crate::types::{ConverseRequest, CountTokensInput, CountTokensRequest, CountTokensResponse};

/// Answers CountTokens on `model_id` (decoded).
pub(crate) fn respond(model_id: &str, request: &RecordedRequest) -> Response {
    let is_foundation_model =
        ModelRef::parse(model_id).is_ok_and(|model| *model.kind() == ModelKind::FoundationModel);
    if !is_foundation_model {
        return error(
            400,
            "ValidationException",
            "The provided model identifier is invalid.",
        );
    }
    let malformed = |why: &str| {
        error(
            400,
            "ValidationException",
            &format!("Malformed input request: {why}"),
        )
    };
    let count: CountTokensRequest = match serde_json::from_slice(&request.body) {
        Ok(count) => count,
        Err(e) => return malformed(&e.to_string()),
    };
    let input_tokens = match count.input {
        CountTokensInput::Converse(converse) => count_words(&ConverseRequest::from(converse)),
        CountTokensInput::InvokeModel(invoke) => {
            match invoke::input_tokens(model_id, &invoke.body.0) {
                Ok(tokens) => tokens,
                Err(why) => return malformed(&format!("the invokeModel body: {why}")),
            }
        }
        CountTokensInput::Unknown(_) => {
            return malformed("input must have exactly one of `converse` or `invokeModel`")
        }
    };
    json(&CountTokensResponse { input_tokens })
}
