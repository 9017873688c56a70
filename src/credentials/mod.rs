//! AWS credentials and the chain that finds them, as the AWS SDKs do it.
//!
//! Order (DESIGN.md): `AWS_BEARER_TOKEN_BEDROCK`, environment keys, the profile
//! in the shared files, web identity, container credentials, IMDSv2. A source that
//! is not configured passes to the next ([`CredentialsError::NotLoaded`]); a
//! source that is configured but broken stops the chain with an error naming the
//! source, the file and the key.
//!
//! Every outside input goes through [`Env`](crate::env::Env) (variables, files, clock) and
//! [`crate::http::HttpClient`], so the whole chain can be replayed in tests.

use std::fmt;
use std::time::SystemTime;

/// A secret string (secret access key, session token, bearer token).
///
/// It never shows itself in `Debug` or `Display`; read it with [`Secret::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself: only for signing and for the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("** redacted **")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("** redacted **")
    }
}

/// AWS access keys for SigV4, with an optional session token and expiry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// The access key id (not a secret, but shown masked by the CLI).
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: Secret,
    /// The session token of temporary credentials.
    pub session_token: Option<Secret>,
    /// When the credentials stop working; `None` for long-term keys.
    pub expiry: Option<SystemTime>,
    /// The account the keys belong to, when the source says.
    pub account_id: Option<String>,
}

impl Credentials {
    /// Long-term keys with no token and no expiry.
    ///
    /// ```
    /// use bedrock_lite::credentials::Credentials;
    /// let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    /// assert!(!format!("{creds:?}").contains("wJalr"));
    /// ```
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            secret_access_key: Secret::new(secret_access_key),
            session_token: None,
            expiry: None,
            account_id: None,
        }
    }
}

/// What a request is authenticated with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Auth {
    /// SigV4-signed with these keys.
    SigV4(Credentials),
    /// `Authorization: Bearer <token>` (a Bedrock API key), not SigV4-signed.
    Bearer(Secret),
}

/// Which source of the chain answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CredentialSource {
    /// `AWS_BEARER_TOKEN_BEDROCK`.
    BearerTokenEnv,
    /// `AWS_ACCESS_KEY_ID` and friends.
    Environment,
    /// A profile in the shared files; `via` says how (`static keys`,
    /// `assume role`, `credential_process`, `sso`, `web identity`).
    Profile {
        /// The profile name.
        name: String,
        /// How the profile produced credentials.
        via: &'static str,
    },
    /// `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`.
    WebIdentity,
    /// The ECS / EKS container credentials endpoint.
    Container,
    /// EC2 instance metadata (IMDSv2).
    Imds,
    /// Given in code.
    Explicit,
}

impl fmt::Display for CredentialSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialSource::BearerTokenEnv => f.write_str("env:AWS_BEARER_TOKEN_BEDROCK"),
            CredentialSource::Environment => f.write_str("env"),
            CredentialSource::Profile { name, via } => write!(f, "profile:{name} ({via})"),
            CredentialSource::WebIdentity => f.write_str("web-identity"),
            CredentialSource::Container => f.write_str("container"),
            CredentialSource::Imds => f.write_str("imds"),
            CredentialSource::Explicit => f.write_str("explicit"),
        }
    }
}

/// The chain's answer: how to authenticate, and who said so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedAuth {
    /// The credentials or token.
    pub auth: Auth,
    /// The source that answered.
    pub source: CredentialSource,
}

/// Why credentials could not be had.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialsError {
    /// The source is not configured here; the chain moves on.
    NotLoaded {
        /// The source, e.g. `imds`.
        source: &'static str,
        /// Why, e.g. `AWS_EC2_METADATA_DISABLED is true`.
        reason: String,
    },
    /// The source is configured but its configuration is wrong: stops the chain.
    InvalidConfig {
        /// The source, e.g. `profile`.
        source: &'static str,
        /// What is wrong, naming the file and key.
        message: String,
    },
    /// The source is configured but failed (HTTP, process, parse): stops the chain.
    ProviderError {
        /// The source, e.g. `sts`.
        source: &'static str,
        /// What failed.
        message: String,
    },
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialsError::NotLoaded { source, reason } => {
                write!(f, "{source}: not configured: {reason}")
            }
            CredentialsError::InvalidConfig { source, message } => {
                write!(f, "{source}: invalid configuration: {message}")
            }
            CredentialsError::ProviderError { source, message } => write!(f, "{source}: {message}"),
        }
    }
}

impl std::error::Error for CredentialsError {}

// Local sources and the chain itself.
pub mod cache;
pub mod chain;
pub mod environment;
pub mod process;
pub mod profile;
pub mod region;

// Sources that talk HTTP through `crate::http::HttpClient`.
pub mod container;
pub mod imds;
pub(crate) mod json_credentials;
pub mod sso;
pub mod sts;
pub mod web_identity;
