//! Why a request could not be signed.

use std::fmt;

/// A request that cannot be signed. `Display` is one line and never shows a
/// secret, a session token or a header value.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SigningError {
    /// The URL could not be split into scheme, host, path and query.
    InvalidUrl(&'static str),
    /// The method is empty or not an HTTP token.
    InvalidMethod,
    /// A header name is empty or not an HTTP token (e.g. non-ASCII).
    InvalidHeaderName(String),
    /// A header value holds a control character (a line break, NUL...).
    InvalidHeaderValue(String),
    /// The session token cannot travel in a header (it holds a control character).
    InvalidSessionToken,
    /// The access key id, region or service is empty or holds `/`, a space or a
    /// control character, which would corrupt the credential scope.
    InvalidScopeField(&'static str),
    /// Neither a `Host` header nor a host to sign was given.
    MissingHost,
    /// The signing time is before 1970 or after the year 9999.
    TimeOutOfRange,
    /// A presigned URL must expire after 1 second to 7 days.
    InvalidExpiry(u64),
    /// The query already holds an authentication parameter (`X-Amz-Signature`...).
    AlreadySigned(String),
}

impl fmt::Display for SigningError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SigningError::InvalidUrl(why) => write!(f, "invalid URL: {why}"),
            SigningError::InvalidMethod => write!(f, "the HTTP method is empty or not a token"),
            SigningError::InvalidHeaderName(name) => {
                write!(f, "header name {name:?} is not a valid HTTP token")
            }
            SigningError::InvalidHeaderValue(name) => {
                write!(f, "the value of header {name:?} holds a control character")
            }
            SigningError::InvalidSessionToken => {
                write!(f, "the session token holds a control character")
            }
            SigningError::InvalidScopeField(field) => write!(
                f,
                "the {field} is empty or holds '/', whitespace or a control character"
            ),
            SigningError::MissingHost => {
                write!(f, "the request has no Host header and no host to sign")
            }
            SigningError::TimeOutOfRange => {
                write!(f, "the signing time is outside the years 1970 to 9999")
            }
            SigningError::InvalidExpiry(seconds) => write!(
                f,
                "a presigned URL must expire in 1 to 604800 seconds, not {seconds}"
            ),
            SigningError::AlreadySigned(name) => {
                write!(f, "the query already holds the signing parameter {name:?}")
            }
        }
    }
}

impl std::error::Error for SigningError {}
