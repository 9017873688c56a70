//! Which operation a request names: the runtime's Converse, ConverseStream,
//! InvokeModel, InvokeModelWithResponseStream, CountTokens and ApplyGuardrail,
//! and the control plane's ListFoundationModels, GetFoundationModel,
//! ListInferenceProfiles and GetInferenceProfile.

use crate::sigv4::percent_decode;

/// An operation the emulator serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Operation {
    /// `POST /model/{modelId}/converse`, with the decoded model id.
    Converse(String),
    /// `POST /model/{modelId}/converse-stream`, with the decoded model id.
    ConverseStream(String),
    /// `POST /model/{modelId}/invoke`, with the decoded model id.
    InvokeModel(String),
    /// `POST /model/{modelId}/invoke-with-response-stream`, with the decoded model id.
    InvokeModelWithResponseStream(String),
    /// `POST /model/{modelId}/count-tokens`, with the decoded model id.
    CountTokens(String),
    /// `POST /guardrail/{guardrailIdentifier}/version/{guardrailVersion}/apply`, decoded.
    ApplyGuardrail {
        /// The guardrail's id or ARN.
        identifier: String,
        /// Its version.
        version: String,
    },
    /// `GET /foundation-models`.
    ListFoundationModels,
    /// `GET /foundation-models/{modelIdentifier}`, with the decoded id or ARN.
    GetFoundationModel(String),
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
        ("GET", ["foundation-models", id]) if !id.is_empty() => {
            Some(Operation::GetFoundationModel(decode(id)))
        }
        ("GET", ["inference-profiles"]) => Some(Operation::ListInferenceProfiles),
        ("GET", ["inference-profiles", id]) if !id.is_empty() => {
            Some(Operation::GetInferenceProfile(decode(id)))
        }
        ("POST", ["model", model_id, action]) if !model_id.is_empty() => match *action {
            "converse" => Some(Operation::Converse(decode(model_id))),
            "converse-stream" => Some(Operation::ConverseStream(decode(model_id))),
            "invoke" => Some(Operation::InvokeModel(decode(model_id))),
            "invoke-with-response-stream" => {
                Some(Operation::InvokeModelWithResponseStream(decode(model_id)))
            }
            "count-tokens" => Some(Operation::CountTokens(decode(model_id))),
            _ => None,
        },
        ("POST", ["guardrail", identifier, "version", version, "apply"])
            if !identifier.is_empty() && !version.is_empty() =>
        {
            Some(Operation::ApplyGuardrail {
                identifier: decode(identifier),
                version: decode(version),
            })
        }
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
            Some(Operation::Converse("a:b".into()))
        );
        assert_eq!(
            route("POST", "/model/m/converse-stream?x=1"),
            Some(Operation::ConverseStream("m".into()))
        );
        assert_eq!(
            route("POST", "/model/amazon.titan-embed-text-v2%3A0/invoke"),
            Some(Operation::InvokeModel(
                "amazon.titan-embed-text-v2:0".into()
            ))
        );
        assert_eq!(
            route("POST", "/model/us.m%3A0/invoke-with-response-stream"),
            Some(Operation::InvokeModelWithResponseStream("us.m:0".into()))
        );
        assert_eq!(
            route("POST", "/model/m%3A0/count-tokens"),
            Some(Operation::CountTokens("m:0".into()))
        );
        assert_eq!(
            route(
                "POST",
                "/guardrail/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Aguardrail%2Fg1/version/DRAFT/apply"
            ),
            Some(Operation::ApplyGuardrail {
                identifier: "arn:aws:bedrock:us-east-1:1:guardrail/g1".into(),
                version: "DRAFT".into(),
            })
        );
        assert_eq!(
            route("GET", "/foundation-models/amazon.nova-pro-v1%3A0"),
            Some(Operation::GetFoundationModel("amazon.nova-pro-v1:0".into()))
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
            ("POST", "/foundation-models/m"),
            ("GET", "/foundation-models/"),
            ("GET", "/model/m/count-tokens"),
            ("POST", "/guardrail/g/version//apply"),
            ("POST", "/guardrail//version/1/apply"),
            ("POST", "/guardrail/g/version/1"),
            ("GET", "/guardrail/g/version/1/apply"),
            ("GET", "/inference-profiles/"),
            ("GET", "/inference-profiles/a/b"),
            ("POST", "/"),
            ("POST", ""),
        ] {
            assert_eq!(route(method, target), None, "{method} {target}");
        }
    }
}
