//! [`BedrockError`]: what can go wrong calling the Bedrock runtime, typed so that
//! callers (and the CLI's exit codes) can tell bad settings, refused credentials,
//! rejected requests, throttling and broken streams apart.
//!
//! Service errors are read as the AWS SDKs read the `restJson1` protocol: the
//! code is the `x-amzn-ErrorType` header up to its first `:`, else the body's
//! `__type` after its `#` (or `code`); the message is the body's `message` or
//! `Message`. Every message is one line and never holds a secret.

use std::fmt;
use std::time::Duration;

use crate::credentials::CredentialsError;
use crate::http::one_line;
use crate::types::{StreamException, StreamExceptionKind};

/// An error from the Bedrock runtime client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BedrockError {
    /// Bad settings: region, endpoint, model ref.
    Config(String),
    /// No usable credentials.
    Credentials(CredentialsError),
    /// The service refused the credentials or the signature (401/403
    /// `UnrecognizedClientException`, `InvalidSignatureException`, `ExpiredToken`...).
    AuthRefused {
        /// The error code.
        code: String,
        /// The service's message.
        message: String,
    },
    /// The service rejected the request (validation, access denied, not found...),
    /// or failed (`retryable`) and kept failing after the retries.
    Service {
        /// The HTTP status.
        status: u16,
        /// The error code, e.g. `ValidationException`.
        code: String,
        /// The service's message, intact.
        message: String,
        /// Whether the error is transient (5xx, timeouts).
        retryable: bool,
    },
    /// Throttled, and still throttled after the retries.
    Throttled {
        /// The error code, e.g. `ThrottlingException`.
        code: String,
        /// The service's message.
        message: String,
    },
    /// Connecting or reading failed (after the retries, where they apply).
    Network(String),
    /// An exception frame in the middle of a stream.
    StreamException(StreamException),
    /// The stream sent nothing for this long.
    IdleTimeout(Duration),
    /// A response that is not what the protocol says: a bad frame, bad JSON, a
    /// stream that ends without `messageStop` or inside a frame.
    InvalidResponse(String),
}

impl BedrockError {
    /// Whether trying the same request again may work: throttling, 5xx,
    /// network failures, idle timeouts and the transient stream exceptions.
    pub fn is_retryable(&self) -> bool {
        match self {
            BedrockError::Throttled { .. }
            | BedrockError::Network(_)
            | BedrockError::IdleTimeout(_) => true,
            BedrockError::Service { retryable, .. } => *retryable,
            BedrockError::StreamException(exception) => matches!(
                exception.kind,
                StreamExceptionKind::Throttling
                    | StreamExceptionKind::InternalServer
                    | StreamExceptionKind::ServiceUnavailable
            ),
            BedrockError::Config(_)
            | BedrockError::Credentials(_)
            | BedrockError::AuthRefused { .. }
            | BedrockError::InvalidResponse(_) => false,
        }
    }
}

impl fmt::Display for BedrockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BedrockError::Config(message) => write!(f, "{message}"),
            BedrockError::Credentials(error) => write!(f, "{error}"),
            BedrockError::AuthRefused { code, message } => {
                write!(f, "the service refused the credentials: {code}: {message}")
            }
            BedrockError::Service {
                status,
                code,
                message,
                ..
            } => write!(f, "{code} (HTTP {status}): {message}"),
            BedrockError::Throttled { code, message } => {
                write!(f, "{code} (throttled after retries): {message}")
            }
            BedrockError::Network(message) => write!(f, "{message}"),
            BedrockError::StreamException(exception) => {
                let retry = if self.is_retryable() {
                    "retryable"
                } else {
                    "not retryable"
                };
                write!(f, "stream exception ({retry}): {exception}")
            }
            BedrockError::IdleTimeout(after) => write!(
                f,
                "the stream sent nothing for {:.1} s (idle timeout)",
                after.as_secs_f64()
            ),
            BedrockError::InvalidResponse(message) => write!(f, "invalid response: {message}"),
        }
    }
}

impl std::error::Error for BedrockError {}

impl From<CredentialsError> for BedrockError {
    fn from(error: CredentialsError) -> Self {
        BedrockError::Credentials(error)
    }
}

/// Error codes that mean "slow down" (the AWS SDKs' throttling list).
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// Error codes that are transient whatever their status (the SDKs' list, plus
/// Bedrock's `ModelNotReadyException`, which its API model marks retryable).
const TRANSIENT_CODES: &[&str] = &[
    "RequestTimeout",
    "RequestTimeoutException",
    "InternalServerException",
    "InternalFailure",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "ModelNotReadyException",
];

/// Error codes that mean the credentials or signature were refused.
const AUTH_CODES: &[&str] = &[
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "IncompleteSignatureException",
    "MissingAuthenticationTokenException",
    "MissingAuthenticationToken",
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
    "RequestExpired",
    "RequestTimeTooSkewed",
    "InvalidAccessKeyId",
    "AuthFailure",
];

/// A service error as read from a response: status, code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ErrorResponse {
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl ErrorResponse {
    /// Reads the code and message of an error response: the code from
    /// `x-amzn-ErrorType` (`error_type`, up to its first `:`), else the body's
    /// `__type` (after its `#`) or `code`; the message from `message` / `Message`.
    /// With neither, the code is the HTTP status' reason.
    pub fn parse(status: u16, error_type: Option<&str>, body: &[u8]) -> ErrorResponse {
        #[derive(serde::Deserialize, Default)]
        #[serde(default)]
        struct Body {
            #[serde(rename = "__type")]
            kind: Option<String>,
            #[serde(alias = "Code")]
            code: Option<String>,
            #[serde(alias = "Message", alias = "errorMessage")]
            message: Option<String>,
        }
        let parsed: Body = serde_json::from_slice(body).unwrap_or_default();
        let from_header = error_type
            .and_then(|value| value.split(':').next())
            .map(str::trim)
            .filter(|code| !code.is_empty());
        let from_body = parsed
            .kind
            .as_deref()
            .map(|kind| kind.rsplit('#').next().unwrap_or(kind))
            .or(parsed.code.as_deref())
            .map(str::trim)
            .filter(|code| !code.is_empty());
        let code = match from_header.or(from_body) {
            Some(code) => one_line(code),
            None => default_code(status).to_owned(),
        };
        let message = match parsed.message {
            Some(message) => one_line(&message),
            None if body.is_empty() || parsed_is_json(body) => String::from("(no message)"),
            None => one_line(&String::from_utf8_lossy(body)),
        };
        ErrorResponse {
            status,
            code,
            message,
        }
    }

    /// Whether this error says the request's time is too far from the
    /// service's: `RequestTimeTooSkewed`, `RequestExpired`, or a signature
    /// error whose message says "expired" / "Signature expired".
    pub fn is_clock_skew(&self) -> bool {
        let code = self.code.as_str();
        if matches!(code, "RequestTimeTooSkewed" | "RequestExpired") {
            return true;
        }
        let expired = self.message.to_ascii_lowercase().contains("expired");
        let signature_error = matches!(
            code,
            "InvalidSignatureException" | "SignatureDoesNotMatch" | "AuthFailure"
        );
        (signature_error && expired) || self.message.contains("Signature expired")
    }

    /// The typed error. Throttling (a throttling code or HTTP 429) becomes
    /// [`BedrockError::Throttled`]; 401/403 with an auth code
    /// [`BedrockError::AuthRefused`]; anything else [`BedrockError::Service`],
    /// retryable for 500/502/503/504 and the transient codes.
    pub fn into_error(self) -> BedrockError {
        let ErrorResponse {
            status,
            code,
            message,
        } = self;
        let code_is = |list: &[&str]| list.contains(&code.as_str());
        if code_is(THROTTLING_CODES) || (status == 429 && !code_is(TRANSIENT_CODES)) {
            return BedrockError::Throttled { code, message };
        }
        if matches!(status, 401 | 403) && (code_is(AUTH_CODES) || status == 401) {
            return BedrockError::AuthRefused { code, message };
        }
        let retryable = matches!(status, 500 | 502 | 503 | 504) || code_is(TRANSIENT_CODES);
        BedrockError::Service {
            status,
            code,
            message,
            retryable,
        }
    }
}

fn parsed_is_json(body: &[u8]) -> bool {
    serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok()
}

/// A code for an error response that names none.
fn default_code(status: u16) -> &'static str {
    match status {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        408 => "RequestTimeout",
        429 => "TooManyRequests",
        500 => "InternalServerError",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        _ => "UnknownError",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(status: u16, header: Option<&str>, body: &str) -> ErrorResponse {
        ErrorResponse::parse(status, header, body.as_bytes())
    }

    #[test]
    fn code_from_the_header_wins_and_stops_at_the_colon() {
        let error = parse(
            400,
            Some("ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/"),
            r#"{"__type":"com.amazon#Other","message":"bad input"}"#,
        );
        assert_eq!(error.code, "ValidationException");
        assert_eq!(error.message, "bad input");
    }

    #[test]
    fn code_from_type_after_the_hash_and_capital_message() {
        let error = parse(
            404,
            None,
            r#"{"__type":"com.amazon.bedrock#ResourceNotFoundException","Message":"no such model"}"#,
        );
        assert_eq!(error.code, "ResourceNotFoundException");
        assert_eq!(error.message, "no such model");
        let error = parse(400, None, r#"{"__type":"ValidationException"}"#);
        assert_eq!(error.code, "ValidationException");
        assert_eq!(error.message, "(no message)");
    }

    #[test]
    fn non_json_bodies_and_missing_codes() {
        let error = parse(502, None, "<html>bad\ngateway</html>");
        assert_eq!(error.code, "BadGateway");
        assert_eq!(error.message, "<html>bad gateway</html>");
        assert!(error.into_error().is_retryable());
    }

    #[test]
    fn on_demand_validation_message_is_kept_intact() {
        let text =
            "Invocation of model ID anthropic.claude-3-7-sonnet-20250219-v1:0 with on-demand \
                    throughput isn't supported. Retry your request with the ID or ARN of an \
                    inference profile that contains this model.";
        let body = format!(r#"{{"message":"{text}"}}"#);
        let error = parse(400, Some("ValidationException"), &body).into_error();
        assert_eq!(
            error,
            BedrockError::Service {
                status: 400,
                code: "ValidationException".into(),
                message: text.into(),
                retryable: false,
            }
        );
    }

    #[test]
    fn classification() {
        let throttled = parse(429, None, r#"{"message":"slow down"}"#).into_error();
        assert!(matches!(throttled, BedrockError::Throttled { .. }));
        assert!(throttled.is_retryable());
        let throttled = parse(400, Some("ThrottlingException"), "{}").into_error();
        assert!(matches!(throttled, BedrockError::Throttled { .. }));
        let not_ready = parse(429, Some("ModelNotReadyException"), "{}").into_error();
        assert!(matches!(
            not_ready,
            BedrockError::Service {
                retryable: true,
                ..
            }
        ));
        for status in [500, 502, 503, 504] {
            assert!(
                parse(status, None, "").into_error().is_retryable(),
                "{status}"
            );
        }
        let refused = parse(403, Some("UnrecognizedClientException"), "{}").into_error();
        assert!(matches!(refused, BedrockError::AuthRefused { .. }));
        assert!(!refused.is_retryable());
        let denied = parse(403, Some("AccessDeniedException"), "{}").into_error();
        assert!(matches!(
            denied,
            BedrockError::Service {
                status: 403,
                retryable: false,
                ..
            }
        ));
        let validation = parse(400, Some("ValidationException"), "{}").into_error();
        assert!(!validation.is_retryable());
    }

    #[test]
    fn clock_skew_detection() {
        let skewed = parse(
            403,
            Some("InvalidSignatureException"),
            r#"{"message":"Signature expired: 20240101T000000Z is now earlier than 20240101T000500Z"}"#,
        );
        assert!(skewed.is_clock_skew());
        assert!(parse(403, Some("RequestTimeTooSkewed"), "{}").is_clock_skew());
        assert!(!parse(
            403,
            Some("InvalidSignatureException"),
            r#"{"message":"bad"}"#
        )
        .is_clock_skew());
        assert!(!parse(403, Some("AccessDeniedException"), "{}").is_clock_skew());
    }

    #[test]
    fn stream_exception_retryability() {
        let exception = |kind| {
            BedrockError::StreamException(StreamException {
                kind,
                message: Some("m".into()),
                original_status_code: None,
                original_message: None,
            })
        };
        assert!(exception(StreamExceptionKind::Throttling).is_retryable());
        assert!(exception(StreamExceptionKind::ServiceUnavailable).is_retryable());
        assert!(exception(StreamExceptionKind::InternalServer).is_retryable());
        assert!(!exception(StreamExceptionKind::Validation).is_retryable());
        assert!(!exception(StreamExceptionKind::ModelStreamError).is_retryable());
        let shown = exception(StreamExceptionKind::Throttling).to_string();
        assert_eq!(
            shown,
            "stream exception (retryable): throttlingException: m"
        );
    }
}
