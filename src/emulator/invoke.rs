//! `POST /model/{modelId}/invoke`: embeddings from
//! [`crate::embeddings::emulated_response`] (deterministic vectors per model
//! family); a body the family does not accept gets 400 `ValidationException`.

use super::converse::error;
use super::server::{RecordedRequest, Response};
use crate::embeddings::emulated_response;

/// Answers InvokeModel on `model_id` (decoded).
pub(crate) fn respond(model_id: &str, request: &RecordedRequest) -> Response {
    match emulated_response(model_id, &request.body) {
        Ok(body) => Response::full(200, "application/json", body),
        Err(message) => error(400, "ValidationException", &message),
    }
}
