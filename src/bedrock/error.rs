//! [`BedrockError`]: what can go wrong calling Bedrock, typed by layer so that
//! callers (and the CLI's exit codes) can tell bad settings, refused
//! credentials, rejected requests, throttling and broken streams apart. Each
//! variant carries the lower layer's own error ([`ServiceError`],
//! [`CredentialsError`], [`HttpError`], [`StreamError`]), reachable through
//! `source()`.

use std::fmt;

use super::stream::StreamError;
use crate::credentials::CredentialsError;
use crate::http::HttpError;
use crate::model_ref::ModelRefError;
use crate::sigv4::SigningError;
use crate::transport::{ServiceError, ServiceErrorKind, TransportError};

/// An error from the Bedrock client.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum BedrockError {
    /// Bad settings or a request that cannot be sent as it is: region,
    /// endpoint, options a model does not take.
    Config(String),
    /// A model ref that cannot be parsed.
    ModelRef(ModelRefError),
    /// No usable credentials.
    Credentials(CredentialsError),
    /// The request could not be signed.
    Signing(SigningError),
    /// The service answered with an error (after the retries that apply).
    Service(ServiceError),
    /// No (whole) response: connecting or reading failed (after the retries
    /// that apply).
    Network {
        /// What was being done, e.g. `POST https://host/model/x/converse`.
        request: String,
        /// What failed.
        source: HttpError,
    },
    /// A ConverseStream (or InvokeModelWithResponseStream) that broke.
    Stream(StreamError),
    /// An embedding request a model's family does not take, or an answer it
    /// would not give (feature `embeddings`).
    #[cfg(feature = "embeddings")]
    Embed(crate::embeddings::EmbedError),
    /// A response body that is not what the API says.
    InvalidResponse {
        /// Which response, e.g. ``the Converse response of model `x` ``.
        what: String,
        /// What is wrong with it.
        problem: String,
    },
}

impl BedrockError {
    /// Whether trying the same request again may work: throttling,
    /// unavailability, network failures and the transient stream failures.
    pub fn is_retryable(&self) -> bool {
        match self {
            BedrockError::Service(error) => error.is_retryable(),
            BedrockError::Network { .. } => true,
            BedrockError::Stream(error) => error.is_retryable(),
            _ => false,
        }
    }

    /// The service's error kind, when the service answered with an error.
    pub fn service_kind(&self) -> Option<ServiceErrorKind> {
        match self {
            BedrockError::Service(error) => Some(error.kind),
            _ => None,
        }
    }
}

impl fmt::Display for BedrockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BedrockError::Config(message) => write!(f, "{message}"),
            BedrockError::ModelRef(error) => write!(f, "{error}"),
            BedrockError::Credentials(error) => write!(f, "{error}"),
            BedrockError::Signing(error) => write!(f, "cannot sign the request: {error}"),
            BedrockError::Service(error) => write!(f, "{error}"),
            BedrockError::Network { request, source } => write!(f, "{request}: {source}"),
            BedrockError::Stream(error) => write!(f, "{error}"),
            #[cfg(feature = "embeddings")]
            BedrockError::Embed(error) => write!(f, "{error}"),
            BedrockError::InvalidResponse { what, problem } => {
                write!(f, "invalid response: {what}: {problem}")
            }
        }
    }
}

impl std::error::Error for BedrockError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BedrockError::ModelRef(error) => Some(error),
            BedrockError::Credentials(error) => Some(error),
            BedrockError::Signing(error) => Some(error),
            BedrockError::Service(error) => Some(error),
            BedrockError::Network { source, .. } => Some(source),
            BedrockError::Stream(error) => Some(error),
            #[cfg(feature = "embeddings")]
            BedrockError::Embed(error) => Some(error),
            BedrockError::Config(_) | BedrockError::InvalidResponse { .. } => None,
        }
    }
}

impl From<CredentialsError> for BedrockError {
    fn from(error: CredentialsError) -> Self {
        BedrockError::Credentials(error)
    }
}

impl From<ModelRefError> for BedrockError {
    fn from(error: ModelRefError) -> Self {
        BedrockError::ModelRef(error)
    }
}

impl From<StreamError> for BedrockError {
    fn from(error: StreamError) -> Self {
        BedrockError::Stream(error)
    }
}

impl From<TransportError> for BedrockError {
    fn from(error: TransportError) -> Self {
        match error {
            TransportError::Credentials(e) => BedrockError::Credentials(e),
            TransportError::Signing(e) => BedrockError::Signing(e),
            TransportError::Http { request, source } => BedrockError::Network { request, source },
            TransportError::Service(e) => BedrockError::Service(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error;

    #[test]
    fn layers_stay_typed_and_reachable() {
        let service = ServiceError::parse(429, Some("ThrottlingException"), b"{}");
        let error = BedrockError::from(TransportError::Service(service.clone()));
        assert_eq!(error, BedrockError::Service(service));
        assert_eq!(error.service_kind(), Some(ServiceErrorKind::Throttled));
        assert!(error.is_retryable());
        let source = error.source().expect("a source");
        assert!(source.downcast_ref::<ServiceError>().is_some());
        let network = BedrockError::from(TransportError::Http {
            request: "POST http://127.0.0.1:9/model/m/converse".into(),
            source: HttpError::Connect("refused".into()),
        });
        assert_eq!(
            network.to_string(),
            "POST http://127.0.0.1:9/model/m/converse: connection failed: refused"
        );
        assert!(network.is_retryable());
        assert!(!BedrockError::Config("x".into()).is_retryable());
    }
}
