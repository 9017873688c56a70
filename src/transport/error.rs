//! The transport's errors: [`TransportError`], and [`ServiceError`], an AWS
//! service's error answer read as the AWS SDKs read the `restJson1` protocol:
//! the code is the `x-amzn-ErrorType` header up to its first `:`, else the body's
//! `__type` after its `#` (or `code`); the message is the body's `message` or
//! `Message`. Every message is one line and never holds a secret.

use std::fmt;

use crate::credentials::CredentialsError;
use crate::http::{one_line, HttpError};
use crate::sigv4::SigningError;

/// What kind of error a service answered with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ServiceErrorKind {
    /// Throttled (a throttling code, or HTTP 429).
    Throttled,
    /// The credentials or the signature were refused (401, or 403 with an auth code).
    AuthRefused,
    /// The request was rejected: validation, access denied, not found...
    Rejected,
    /// The service failed or is unavailable (5xx, `ModelNotReadyException`...).
    Unavailable,
}

/// An error answer from an AWS service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceError {
    /// The HTTP status.
    pub status: u16,
    /// The error code, e.g. `ValidationException`.
    pub code: String,
    /// The service's message, on one line.
    pub message: String,
    /// What kind of error it is.
    pub kind: ServiceErrorKind,
}

impl ServiceError {
    /// Whether the same request may work later: throttling and unavailability.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind,
            ServiceErrorKind::Throttled | ServiceErrorKind::Unavailable
        )
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ServiceError {
            status,
            code,
            message,
            ..
        } = self;
        match self.kind {
            ServiceErrorKind::AuthRefused => {
                write!(
                    f,
                    "the service refused the credentials: {code} (HTTP {status}): {message}"
                )
            }
            ServiceErrorKind::Throttled => {
                write!(f, "{code} (HTTP {status}, throttled): {message}")
            }
            _ => write!(f, "{code} (HTTP {status}): {message}"),
        }
    }
}

impl std::error::Error for ServiceError {}

/// Why the transport could not deliver a request, or what the service answered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportError {
    /// No usable credentials.
    Credentials(CredentialsError),
    /// The request could not be signed (a URL with characters that must be encoded).
    Signing(SigningError),
    /// No (whole) response: connecting or reading failed, after the retries
    /// that apply.
    Http {
        /// `POST https://host/path` (no query, no user info).
        request: String,
        /// What failed.
        source: HttpError,
    },
    /// The service answered with an error (after the retries that apply).
    Service(ServiceError),
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportError::Credentials(e) => write!(f, "{e}"),
            TransportError::Signing(e) => write!(f, "cannot sign the request: {e}"),
            TransportError::Http { request, source } => write!(f, "{request}: {source}"),
            TransportError::Service(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TransportError::Credentials(e) => Some(e),
            TransportError::Signing(e) => Some(e),
            TransportError::Http { source, .. } => Some(source),
            TransportError::Service(e) => Some(e),
        }
    }
}

impl From<CredentialsError> for TransportError {
    fn from(error: CredentialsError) -> Self {
        TransportError::Credentials(error)
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

impl ServiceError {
    /// Reads an error answer: the code from `x-amzn-ErrorType` (`error_type`, up
    /// to its first `:`), else the body's `__type` (after its `#`) or `code`; the
    /// message from `message` / `Message`. With neither, the code is the HTTP
    /// status' reason. Throttling (a throttling code or HTTP 429) is
    /// [`ServiceErrorKind::Throttled`]; 401, or 403 with an auth code,
    /// [`ServiceErrorKind::AuthRefused`]; 500/502/503/504 and the transient codes
    /// [`ServiceErrorKind::Unavailable`]; anything else
    /// [`ServiceErrorKind::Rejected`].
    ///
    /// ```
    /// use bedrock_lite::transport::{ServiceError, ServiceErrorKind};
    /// let error = ServiceError::parse(
    ///     400,
    ///     Some("ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/"),
    ///     br#"{"message":"bad input"}"#,
    /// );
    /// assert_eq!((error.code.as_str(), error.kind), ("ValidationException", ServiceErrorKind::Rejected));
    /// ```
    pub fn parse(status: u16, error_type: Option<&str>, body: &[u8]) -> ServiceError {
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
        // A code is kept on one line; one left empty (blank, or nothing but
        // control characters) counts as none.
        let from_header = error_type
            .and_then(|value| value.split(':').next())
            .map(one_line)
            .filter(|code| !code.is_empty());
        let from_body = parsed
            .kind
            .as_deref()
            .map(|kind| kind.rsplit('#').next().unwrap_or(kind))
            .or(parsed.code.as_deref())
            .map(one_line)
            .filter(|code| !code.is_empty());
        let code = from_header
            .or(from_body)
            .unwrap_or_else(|| default_code(status).to_owned());
        let message = match parsed.message {
            Some(message) => one_line(&message),
            None if body.is_empty() || is_json(body) => String::from("(no message)"),
            None => one_line(&String::from_utf8_lossy(body)),
        };
        let code_is = |list: &[&str]| list.contains(&code.as_str());
        let kind = if code_is(THROTTLING_CODES) || (status == 429 && !code_is(TRANSIENT_CODES)) {
            ServiceErrorKind::Throttled
        } else if matches!(status, 401 | 403) && (code_is(AUTH_CODES) || status == 401) {
            ServiceErrorKind::AuthRefused
        } else if matches!(status, 500 | 502 | 503 | 504) || code_is(TRANSIENT_CODES) {
            ServiceErrorKind::Unavailable
        } else {
            ServiceErrorKind::Rejected
        };
        ServiceError {
            status,
            code,
            message,
            kind,
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
}

fn is_json(body: &[u8]) -> bool {
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

    fn parse(status: u16, header: Option<&str>, body: &str) -> ServiceError {
        ServiceError::parse(status, header, body.as_bytes())
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
        assert!(error.is_retryable());
    }

    #[test]
    fn on_demand_validation_message_is_kept_intact() {
        let text =
            "Invocation of model ID anthropic.claude-3-7-sonnet-20250219-v1:0 with on-demand \
                    throughput isn't supported. Retry your request with the ID or ARN of an \
                    inference profile that contains this model.";
        let body = format!(r#"{{"message":"{text}"}}"#);
        let error = parse(400, Some("ValidationException"), &body);
        assert_eq!(
            error,
            ServiceError {
                status: 400,
                code: "ValidationException".into(),
                message: text.into(),
                kind: ServiceErrorKind::Rejected,
            }
        );
    }

    #[test]
    fn classification() {
        let kind = |status, header, body| parse(status, header, body).kind;
        assert_eq!(
            kind(429, None, r#"{"message":"slow down"}"#),
            ServiceErrorKind::Throttled
        );
        assert_eq!(
            kind(400, Some("ThrottlingException"), "{}"),
            ServiceErrorKind::Throttled
        );
        assert_eq!(
            kind(429, Some("ModelNotReadyException"), "{}"),
            ServiceErrorKind::Unavailable
        );
        for status in [500, 502, 503, 504] {
            assert!(parse(status, None, "").is_retryable(), "{status}");
        }
        let refused = parse(403, Some("UnrecognizedClientException"), "{}");
        assert_eq!(refused.kind, ServiceErrorKind::AuthRefused);
        assert!(!refused.is_retryable());
        assert_eq!(
            kind(403, Some("AccessDeniedException"), "{}"),
            ServiceErrorKind::Rejected
        );
        assert_eq!(kind(401, None, "{}"), ServiceErrorKind::AuthRefused);
        assert!(!parse(400, Some("ValidationException"), "{}").is_retryable());
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
    fn no_body_panics_and_messages_are_one_line() {
        proptest::proptest!(|(status in 100u16..600, body in proptest::collection::vec(proptest::num::u8::ANY, 0..200), header in proptest::option::of("\\PC{0,20}"))| {
            let error = ServiceError::parse(status, header.as_deref(), &body);
            proptest::prop_assert!(!error.to_string().contains('\n'));
            proptest::prop_assert!(!error.code.is_empty());
        });
        let control = ServiceError::parse(400, None, b"{\"__type\":\"\\u0001\"}");
        assert_eq!(control.code, "BadRequest");
    }
}
