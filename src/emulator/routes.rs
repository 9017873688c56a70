//! Which operation a request names: the runtime's Converse, ConverseStream
//! and InvokeModel, and the control plane's ListFoundationModels,
//! ListInferenceProfiles and GetInferenceProfile.

use crate::sigv4::percent_decode;

/// An operation the emulator serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Operation {
    /// `POST /model/{modelId}/converse`.
    Converse,
    /// `POST /model/{modelId}/converse-stream`.
    ConverseStream,
    /// `POST /model/{modelId}/invoke`, with the decoded model id.
    InvokeModel(String),
    /// `GET /foundation-models`.
    ListFoundationModels,
    /// `GET /inference-profiles`.
    ListInferenceProfiles,
    /// `GET /inference-profiles/{id}`, with the decoded id or ARN.
    GetInferenceProfile(String),
}

/// A path segment with its `%XX` escapes decoded (invalid UTF-8 replaced).
pub(crate) fn decode(segment: &str) -> String {
    String::from_utf8_lossy(&percent_decode(segment)).into_owned()
}

/// The operation for `method` and the request target, if it is one the
/// emulator serves.
pub(crate) fn route(method: &str, target: &str) -> Option<Operation> {
    let path = target.split_once('?').map_or(target, |(path, _)| path);
    let segments: Vec<&str> = path.strip_prefix('/')?.split('/').collect();
    match (method, segments.as_slice()) {
        ("GET", ["foundation-models"]) => Some(Operation::ListFoundationModels),
        ("GET", ["inference-profiles"]) => Some(Operation::ListInferenceProfiles),
        ("GET", ["inference-profiles", id]) if !id.is_empty() => {
            Some(Operation::GetInferenceProfile(decode(id)))
        }
        ("POST", ["model", model_id, action]) if !model_id.is_empty() => match *action {
            "converse" => Some(Operation::Converse),
            "converse-stream" => Some(Operation::ConverseStream),
            "invoke" => Some(Operation::InvokeModel(decode(model_id))),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert_eq!(
            route("POST", "/model/a%3Ab/converse"),
            Some(Operation::Converse)
        );
        assert_eq!(
            route("POST", "/model/m/converse-stream?x=1"),
            Some(Operation::ConverseStream)
        );
        assert_eq!(
            route("POST", "/model/amazon.titan-embed-text-v2%3A0/invoke"),
            Some(Operation::InvokeModel(
                "amazon.titan-embed-text-v2:0".into()
            ))
        );
        assert_eq!(
            route("GET", "/foundation-models?byProvider=meta"),
            Some(Operation::ListFoundationModels)
        );
        assert_eq!(
            route("GET", "/inference-profiles?maxResults=1000"),
            Some(Operation::ListInferenceProfiles)
        );
        assert_eq!(
            route(
                "GET",
                "/inference-profiles/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ax%2Fy"
            ),
            Some(Operation::GetInferenceProfile(
                "arn:aws:bedrock:us-east-1:1:x/y".into()
            ))
        );
        for (method, target) in [
            ("GET", "/model/m/converse"),
            ("POST", "/model//converse"),
            ("POST", "/model//invoke"),
            ("POST", "/model/m/invoke-nope"),
            ("POST", "/model/m/converse/more"),
            ("POST", "/foundation-models"),
            ("GET", "/inference-profiles/"),
            ("GET", "/inference-profiles/a/b"),
            ("POST", "/"),
            ("POST", ""),
        ] {
            assert_eq!(route(method, target), None, "{method} {target}");
        }
    }
}
