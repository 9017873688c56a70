//! Errors in OpenAI's shape, `{"error": {"message", "type", "param", "code"}}`,
//! with their HTTP status ([`GatewayError`]), and the one mapping from the
//! crate's Bedrock errors to them ([`GatewayError::from_bedrock`]).
//!
//! Every message is one line and names the field, header or model at fault;
//! none holds a key, a prompt or a secret.

use std::fmt;

use serde::Serialize;

use crate::bedrock::error::BedrockError;
use crate::bedrock::stream::StreamError;
use crate::models::rules::ReasoningError;
use crate::transport::{ServiceError, ServiceErrorKind};
use crate::types::StreamExceptionKind;

/// The `type` of an OpenAI error body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorType {
    /// `invalid_request_error`: 400, 404, 413.
    InvalidRequest,
    /// `authentication_error`: 401.
    Authentication,
    /// `permission_error`: 403.
    Permission,
    /// `rate_limit_error`: 429.
    RateLimit,
    /// `server_error`: 500.
    Server,
    /// `service_unavailable_error`: 503.
    Unavailable,
}

impl ErrorType {
    /// The value of the body's `type`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorType::InvalidRequest => "invalid_request_error",
            ErrorType::Authentication => "authentication_error",
            ErrorType::Permission => "permission_error",
            ErrorType::RateLimit => "rate_limit_error",
            ErrorType::Server => "server_error",
            ErrorType::Unavailable => "service_unavailable_error",
        }
    }

    /// The type that goes with an HTTP status.
    fn for_status(status: u16) -> ErrorType {
        match status {
            401 => ErrorType::Authentication,
            403 => ErrorType::Permission,
            429 => ErrorType::RateLimit,
            503 => ErrorType::Unavailable,
            500..=599 => ErrorType::Server,
            _ => ErrorType::InvalidRequest,
        }
    }
}

/// An error answer of the gateway: status, OpenAI error type, code, message,
/// the request field at fault and, for 429, when to try again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayError {
    status: u16,
    kind: ErrorType,
    code: String,
    message: String,
    param: Option<String>,
    retry_after: Option<u64>,
}

/// The JSON body: `{"error": {...}}`.
#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    message: &'a str,
    r#type: &'static str,
    param: Option<&'a str>,
    code: &'a str,
}

impl GatewayError {
    /// An error with this status and code; the type follows the status.
    pub fn new(status: u16, code: impl Into<String>, message: impl fmt::Display) -> GatewayError {
        GatewayError {
            status,
            kind: ErrorType::for_status(status),
            code: code.into(),
            message: one_line(&message.to_string()),
            param: None,
            retry_after: None,
        }
    }

    /// 400: the body is not JSON.
    pub fn invalid_json(error: &serde_json::Error) -> GatewayError {
        GatewayError::new(
            400,
            "invalid_json",
            format_args!("the request body is not valid JSON: {error}"),
        )
    }

    /// 400: the request field `param` (a path such as `messages[2].content`) is
    /// wrong; the message is `param: problem`.
    pub fn invalid_field(param: impl Into<String>, problem: impl fmt::Display) -> GatewayError {
        let param = param.into();
        GatewayError {
            param: Some(param.clone()),
            ..GatewayError::new(400, "invalid_value", format_args!("{param}: {problem}"))
        }
    }

    /// 400: the request as a whole cannot be served; the message says why.
    pub fn invalid_request(problem: impl fmt::Display) -> GatewayError {
        GatewayError::new(400, "invalid_request", problem)
    }

    /// 401: no `Authorization: Bearer` key where keys are configured.
    pub fn missing_key() -> GatewayError {
        GatewayError::new(
            401,
            "missing_api_key",
            "this gateway needs a key: send `Authorization: Bearer <key>`",
        )
    }

    /// 401: the key given is not one of the gateway's (the key is not repeated).
    pub fn invalid_key() -> GatewayError {
        GatewayError::new(
            401,
            "invalid_api_key",
            "the key in the `Authorization` header is not a key of this gateway",
        )
    }

    /// 403: the key may not use this model.
    pub fn model_not_allowed(key_name: &str, model: &str) -> GatewayError {
        GatewayError {
            param: Some("model".to_owned()),
            ..GatewayError::new(
                403,
                "model_not_allowed",
                format_args!("key `{key_name}` may not use model `{model}`"),
            )
        }
    }

    /// 404: no such model.
    pub fn model_not_found(model: &str) -> GatewayError {
        GatewayError {
            param: Some("model".to_owned()),
            ..GatewayError::new(
                404,
                "model_not_found",
                format_args!("model `{model}` does not exist"),
            )
        }
    }

    /// 413: the request body is over `limit` bytes.
    pub fn body_too_large(limit: usize) -> GatewayError {
        GatewayError::new(
            413,
            "body_too_large",
            format_args!("the request body is over the gateway's limit of {limit} bytes"),
        )
    }

    /// 429 with `Retry-After: seconds`: key `key_name` is over its `limit`
    /// (e.g. `60 requests per minute`).
    pub fn rate_limited(key_name: &str, limit: &str, seconds: u64) -> GatewayError {
        GatewayError {
            retry_after: Some(seconds),
            ..GatewayError::new(
                429,
                "rate_limit_exceeded",
                format_args!(
                    "key `{key_name}` is over its limit of {limit}; try again in {seconds} s"
                ),
            )
        }
    }

    /// 429: `max` upstream calls are already in flight (`gateway.maxConcurrent`).
    pub fn too_many_concurrent(max: usize) -> GatewayError {
        GatewayError {
            retry_after: Some(1),
            ..GatewayError::new(
                429,
                "too_many_concurrent_requests",
                format_args!("the gateway already has {max} requests in flight; try again shortly"),
            )
        }
    }

    /// The error for a failed Bedrock call. This is the one place where the
    /// crate's errors meet OpenAI statuses:
    ///
    /// | Bedrock | status |
    /// | --- | --- |
    /// | `ValidationException` (and other 4xx not below) | 400 |
    /// | `AccessDeniedException` | 403 |
    /// | `ResourceNotFoundException` | 404 |
    /// | throttling, `ServiceQuotaExceededException` | 429 |
    /// | `ServiceUnavailableException`, `ModelNotReadyException`, `ModelTimeoutException`, other retryable 5xx, network failures, idle timeouts | 503 |
    /// | no usable AWS credentials, credentials refused, bad settings, invalid responses, anything else | 500 |
    pub fn from_bedrock(error: &BedrockError) -> GatewayError {
        let (status, code) = match error {
            BedrockError::Credentials(_) => (500, "no_aws_credentials"),
            BedrockError::Service(ServiceError {
                kind: ServiceErrorKind::AuthRefused,
                ..
            }) => (500, "aws_credentials_refused"),
            BedrockError::Service(ServiceError {
                kind: ServiceErrorKind::Throttled,
                code,
                ..
            }) => (429, code.as_str()),
            BedrockError::Service(service) => (service_status(service), service.code.as_str()),
            BedrockError::Network { .. } => (503, "bedrock_unreachable"),
            BedrockError::Stream(StreamError::IdleTimeout(_)) => (503, "bedrock_idle_timeout"),
            BedrockError::Stream(StreamError::Network(_)) => (503, "bedrock_unreachable"),
            BedrockError::Stream(StreamError::Exception(exception)) => {
                let status = match exception.kind {
                    StreamExceptionKind::Validation => 400,
                    StreamExceptionKind::Throttling => 429,
                    StreamExceptionKind::ServiceUnavailable => 503,
                    _ => 500,
                };
                (status, exception.kind.as_str())
            }
            BedrockError::ModelRef(_) => (400, "invalid_model"),
            #[cfg(feature = "embeddings")]
            BedrockError::Embed(embed) => return GatewayError::from_embed(embed),
            BedrockError::Stream(_) | BedrockError::InvalidResponse { .. } => {
                (500, "bedrock_invalid_response")
            }
            _ => (500, "gateway_misconfigured"),
        };
        let message = match error {
            BedrockError::Credentials(problem) => {
                format!("the gateway has no usable AWS credentials: {problem}")
            }
            other => format!("Bedrock: {other}"),
        };
        GatewayError::new(status, code, message)
    }

    /// The error for an embeddings request a model's family does not take (400)
    /// or an answer it would not give (500).
    #[cfg(feature = "embeddings")]
    pub fn from_embed(error: &crate::embeddings::EmbedError) -> GatewayError {
        use crate::embeddings::EmbedError;
        let (status, code) = match error {
            EmbedError::InvalidModel { .. } | EmbedError::UnknownFamily { .. } => {
                (400, "invalid_model")
            }
            EmbedError::OptionNotTaken { .. } | EmbedError::BadOptionValue { .. } => {
                (400, "invalid_value")
            }
            EmbedError::Malformed { .. } => (500, "bedrock_invalid_response"),
        };
        let error_param = match error {
            EmbedError::OptionNotTaken { option, .. }
            | EmbedError::BadOptionValue { option, .. } => Some(*option),
            EmbedError::InvalidModel { .. } | EmbedError::UnknownFamily { .. } => Some("model"),
            EmbedError::Malformed { .. } => None,
        };
        GatewayError {
            param: error_param.map(str::to_owned),
            ..GatewayError::new(status, code, error)
        }
    }

    /// 400 on `reasoning_effort`: the model cannot reason as asked.
    pub fn from_reasoning(error: &ReasoningError) -> GatewayError {
        GatewayError::invalid_field("reasoning_effort", error)
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The OpenAI error type.
    pub fn kind(&self) -> ErrorType {
        self.kind
    }

    /// The error code, e.g. `invalid_value` or Bedrock's `ValidationException`.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The one-line message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The request field at fault, when there is one.
    pub fn param(&self) -> Option<&str> {
        self.param.as_deref()
    }

    /// The `Retry-After` header value in seconds, for 429s that know it.
    pub fn retry_after(&self) -> Option<u64> {
        self.retry_after
    }

    /// The JSON body, `{"error": {"message", "type", "param", "code"}}`.
    pub fn to_json(&self) -> String {
        let body = Body {
            error: Inner {
                message: &self.message,
                r#type: self.kind.as_str(),
                param: self.param.as_deref(),
                code: &self.code,
            },
        };
        // A struct of strings always serialises.
        serde_json::to_string(&body).unwrap_or_default()
    }

    /// The body as the server-sent event that ends a stream that failed after
    /// it started: `data: {"error": {...}}` and a blank line.
    pub fn to_sse_event(&self) -> String {
        format!("data: {}\n\n", self.to_json())
    }
}

/// `text` on one line: line breaks and other control characters become spaces.
/// Unlike `http::one_line` it does not shorten: the end of a Bedrock validation
/// message is often the part that says what to fix.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The status for a Bedrock service error by code, then by its own status.
fn service_status(error: &ServiceError) -> u16 {
    let (status, code, retryable) = (error.status, error.code.as_str(), error.is_retryable());
    match code {
        "ValidationException" => 400,
        "AccessDeniedException" => 403,
        "ResourceNotFoundException" => 404,
        "ServiceQuotaExceededException" => 429,
        "ServiceUnavailableException" | "ModelNotReadyException" | "ModelTimeoutException" => 503,
        _ if retryable => 503,
        _ => match status {
            403 => 403,
            404 => 404,
            429 => 429,
            400..=499 => 400,
            _ => 500,
        },
    }
}

impl fmt::Display for GatewayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status,
            self.kind.as_str(),
            self.message
        )
    }
}

impl std::error::Error for GatewayError {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::CredentialsError;
    use crate::http::HttpError;
    use crate::types::StreamException;
    use std::time::Duration;

    fn service(status: u16, code: &str) -> BedrockError {
        BedrockError::Service(ServiceError::parse(
            status,
            Some(code),
            br#"{"message":"the service said so"}"#,
        ))
    }

    #[test]
    fn bedrock_errors_map_to_the_contract_statuses() {
        let cases = [
            (service(400, "ValidationException"), 400),
            (service(403, "AccessDeniedException"), 403),
            (service(404, "ResourceNotFoundException"), 404),
            (service(429, "ModelNotReadyException"), 503),
            (service(503, "ServiceUnavailableException"), 503),
            (service(408, "ModelTimeoutException"), 503),
            (service(400, "ServiceQuotaExceededException"), 429),
            (service(424, "ModelErrorException"), 400),
            (service(500, "InternalServerException"), 503),
            (service(501, "NotImplemented"), 500),
            (service(400, "ThrottlingException"), 429),
            (
                BedrockError::Network {
                    request: "POST https://x/model/m/converse".into(),
                    source: HttpError::Other("connection reset".into()),
                },
                503,
            ),
            (
                BedrockError::Stream(StreamError::IdleTimeout(Duration::from_secs(30))),
                503,
            ),
            (BedrockError::Stream(StreamError::EndedEarly), 500),
            (BedrockError::Config("no region".into()), 500),
            (service(403, "ExpiredTokenException"), 500),
        ];
        for (error, status) in cases {
            let mapped = GatewayError::from_bedrock(&error);
            assert_eq!(mapped.status(), status, "{error}");
            assert_eq!(mapped.kind(), ErrorType::for_status(status));
            assert!(mapped.message().contains(&error.to_string()), "{mapped}");
        }
        let throttled = GatewayError::from_bedrock(&service(429, "ThrottlingException"));
        assert_eq!(throttled.code(), "ThrottlingException");
        assert_eq!(throttled.kind().as_str(), "rate_limit_error");
    }

    #[test]
    fn stream_exceptions_map_by_kind() {
        let exception = |kind| {
            BedrockError::Stream(StreamError::Exception(StreamException {
                kind,
                message: Some("m".into()),
                original_status_code: None,
                original_message: None,
            }))
        };
        let cases = [
            (StreamExceptionKind::Validation, 400),
            (StreamExceptionKind::Throttling, 429),
            (StreamExceptionKind::ServiceUnavailable, 503),
            (StreamExceptionKind::InternalServer, 500),
            (StreamExceptionKind::ModelStreamError, 500),
        ];
        for (kind, status) in cases {
            let mapped = GatewayError::from_bedrock(&exception(kind.clone()));
            assert_eq!(mapped.status(), status, "{kind}");
            assert_eq!(mapped.code(), kind.as_str());
        }
    }

    #[test]
    fn missing_credentials_are_500_and_name_the_problem() {
        let error = BedrockError::Credentials(CredentialsError::NotLoaded {
            source: "chain",
            reason: "no source answered".into(),
        });
        let mapped = GatewayError::from_bedrock(&error);
        assert_eq!(mapped.status(), 500);
        assert_eq!(mapped.code(), "no_aws_credentials");
        assert_eq!(
            mapped.message(),
            "the gateway has no usable AWS credentials: chain: not configured: no source answered"
        );
    }

    #[test]
    fn gateway_errors_have_their_statuses_and_types() {
        let cases = [
            (GatewayError::missing_key(), 401, "authentication_error"),
            (GatewayError::invalid_key(), 401, "authentication_error"),
            (
                GatewayError::model_not_allowed("team-a", "m"),
                403,
                "permission_error",
            ),
            (
                GatewayError::model_not_found("m"),
                404,
                "invalid_request_error",
            ),
            (
                GatewayError::body_too_large(32 << 20),
                413,
                "invalid_request_error",
            ),
            (
                GatewayError::rate_limited("team-a", "60 requests per minute", 7),
                429,
                "rate_limit_error",
            ),
            (
                GatewayError::too_many_concurrent(256),
                429,
                "rate_limit_error",
            ),
        ];
        for (error, status, kind) in cases {
            assert_eq!(error.status(), status, "{error}");
            let body: serde_json::Value = serde_json::from_str(&error.to_json()).expect("json");
            assert_eq!(body["error"]["type"], kind);
            assert_eq!(body["error"]["message"], error.message());
            assert_eq!(body["error"]["code"], error.code());
        }
        let limited = GatewayError::rate_limited("team-a", "60 requests per minute", 7);
        assert_eq!(limited.retry_after(), Some(7));
        assert!(limited.message().contains("team-a"));
    }

    #[test]
    fn messages_are_one_line_and_sse_events_are_data_lines() {
        let error = GatewayError::invalid_request("two\nlines\r\nhere");
        assert!(!error.message().contains(['\n', '\r']));
        let event = error.to_sse_event();
        assert!(event.starts_with("data: {\"error\":"));
        assert!(event.ends_with("}\n\n"));
        assert_eq!(event.matches('\n').count(), 2);
    }

    #[test]
    #[cfg(feature = "embeddings")]
    fn embed_errors_name_the_option() {
        let error = crate::embeddings::EmbedError::OptionNotTaken {
            model: "amazon.titan-embed-text-v1".into(),
            option: "dimensions",
            takes: "(none)".into(),
        };
        let mapped = GatewayError::from_embed(&error);
        assert_eq!((mapped.status(), mapped.param()), (400, Some("dimensions")));
        let embed = BedrockError::Embed(error);
        assert_eq!(GatewayError::from_bedrock(&embed).status(), 400);
    }

    /// An invalid field is a 400 in OpenAI's error shape, naming the field.
    #[test]
    fn an_invalid_field_is_a_400_in_openai_shape() {
        use crate::gateway::errors::GatewayError;
        let error = GatewayError::invalid_field(
            "messages[2].content",
            "expected a string or an array of content parts",
        );
        assert_eq!(error.status(), 400);
        assert_eq!(
            error.to_json(),
            r#"{"error":{"message":"messages[2].content: expected a string or an array of content parts","type":"invalid_request_error","param":"messages[2].content","code":"invalid_value"}}"#
        );
    }
}
