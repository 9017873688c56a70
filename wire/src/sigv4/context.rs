//! The signing inputs of a raw request, in the layout of the SigV4 test suite's
//! `context.json` (credentials, region, service, RFC 3339 timestamp, and the
//! `normalize`, `sign_body`, `omit_session_token`, `expiration_in_seconds` switches).

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Deserialize;

use super::signer::{SessionTokenPlacement, SignatureLocation, SigningScope, SigningSettings};
use super::SigningIdentity;

/// Signing inputs read from a `context.json`. `Debug` hides the secret and token.
pub struct SigningContext {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    /// The region of the credential scope.
    pub region: String,
    /// The service of the credential scope.
    pub service: String,
    /// The signing time (`timestamp`).
    pub time: SystemTime,
    /// `normalize`, `sign_body` and `omit_session_token`.
    pub settings: SigningSettings,
    /// `expiration_in_seconds`: how long a presigned request stays valid.
    pub expires_in: Option<Duration>,
}

/// Why a `context.json` could not be used. `Display` is one line and never
/// repeats a value from the file.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ContextError {
    /// Not JSON, or not the expected fields.
    Json(String),
    /// `timestamp` is not an RFC 3339 time from 1970 on.
    Timestamp,
    /// Query signing was asked for and `expiration_in_seconds` is missing.
    MissingExpiration,
}

impl fmt::Display for ContextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContextError::Json(why) => write!(f, "{why}"),
            ContextError::Timestamp => {
                write!(f, "`timestamp` is not an RFC 3339 time from 1970 on")
            }
            ContextError::MissingExpiration => {
                write!(f, "query signing needs `expiration_in_seconds`")
            }
        }
    }
}

impl std::error::Error for ContextError {}

#[derive(Deserialize)]
struct ContextFile {
    credentials: CredentialsFile,
    region: String,
    service: String,
    timestamp: String,
    #[serde(default = "normalize_by_default")]
    normalize: bool,
    #[serde(default)]
    sign_body: bool,
    #[serde(default)]
    omit_session_token: bool,
    #[serde(default)]
    expiration_in_seconds: Option<u64>,
}

fn normalize_by_default() -> bool {
    true
}

#[derive(Deserialize)]
struct CredentialsFile {
    access_key_id: String,
    secret_access_key: String,
    #[serde(default)]
    token: Option<String>,
}

impl SigningContext {
    /// Reads a `context.json`.
    pub fn from_json(text: &str) -> Result<Self, ContextError> {
        let file: ContextFile = serde_json::from_str(text).map_err(describe_json_error)?;
        // Whole seconds: a fraction is dropped; a time before 1970 is refused.
        let seconds = crate::datetime::parse_rfc3339(&file.timestamp)
            .and_then(|timestamp| timestamp.duration_since(UNIX_EPOCH).ok())
            .ok_or(ContextError::Timestamp)?
            .as_secs();
        let time = UNIX_EPOCH
            .checked_add(Duration::from_secs(seconds))
            .ok_or(ContextError::Timestamp)?;
        Ok(SigningContext {
            access_key_id: file.credentials.access_key_id,
            secret_access_key: file.credentials.secret_access_key,
            session_token: file.credentials.token,
            region: file.region,
            service: file.service,
            time,
            settings: SigningSettings {
                normalize_path: file.normalize,
                content_sha256_header: file.sign_body,
                session_token: if file.omit_session_token {
                    SessionTokenPlacement::AddedAfterSigning
                } else {
                    SessionTokenPlacement::Signed
                },
            },
            expires_in: file.expiration_in_seconds.map(Duration::from_secs),
        })
    }

    /// The credentials to sign with.
    pub fn identity(&self) -> SigningIdentity<'_> {
        SigningIdentity {
            access_key_id: &self.access_key_id,
            secret_access_key: &self.secret_access_key,
            session_token: self.session_token.as_deref(),
        }
    }

    /// Region, service and time.
    pub fn scope(&self) -> SigningScope<'_> {
        SigningScope {
            region: &self.region,
            service: &self.service,
            time: self.time,
        }
    }

    /// Header signing, or query signing for `expiration_in_seconds`.
    pub fn location(&self, query: bool) -> Result<SignatureLocation, ContextError> {
        if !query {
            return Ok(SignatureLocation::Headers);
        }
        let expires_in = self.expires_in.ok_or(ContextError::MissingExpiration)?;
        Ok(SignatureLocation::Query { expires_in })
    }
}

impl fmt::Debug for SigningContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningContext")
            .field("identity", &self.identity())
            .field("region", &self.region)
            .field("service", &self.service)
            .field("time", &self.time)
            .field("settings", &self.settings)
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

/// serde_json quotes offending values ("invalid type: string \"...\""), which
/// could be a secret: keep its message only for missing fields and syntax.
fn describe_json_error(err: serde_json::Error) -> ContextError {
    let place = format!("line {} column {}", err.line(), err.column());
    let message = err.to_string();
    ContextError::Json(match err.classify() {
        serde_json::error::Category::Data if message.starts_with("missing field") => message,
        serde_json::error::Category::Data => {
            format!("a field has the wrong type or value at {place}")
        }
        serde_json::error::Category::Io | serde_json::error::Category::Syntax => {
            format!("not valid JSON at {place}")
        }
        serde_json::error::Category::Eof => "the JSON ends too early".to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONTEXT: &str = r#"{
        "credentials": {"access_key_id": "AKIDEXAMPLE", "secret_access_key": "SECRET", "token": "TOKEN"},
        "expiration_in_seconds": 3600, "normalize": false, "region": "us-east-1",
        "service": "service", "sign_body": true, "timestamp": "2015-08-30T12:36:00Z",
        "omit_session_token": true
    }"#;

    #[test]
    fn reads_the_suite_layout() {
        let context = SigningContext::from_json(CONTEXT).expect("valid");
        assert_eq!(
            context.time,
            UNIX_EPOCH + Duration::from_secs(1_440_938_160)
        );
        assert_eq!(
            context.settings,
            SigningSettings {
                normalize_path: false,
                content_sha256_header: true,
                session_token: SessionTokenPlacement::AddedAfterSigning,
            }
        );
        assert_eq!(
            context.location(true),
            Ok(SignatureLocation::Query {
                expires_in: Duration::from_secs(3600)
            })
        );
        assert_eq!(context.identity().session_token, Some("TOKEN"));
    }

    #[test]
    fn debug_hides_secrets() {
        let context = SigningContext::from_json(CONTEXT).expect("valid");
        let debug = format!("{context:?}");
        assert!(
            !debug.contains("SECRET") && !debug.contains("TOKEN"),
            "{debug}"
        );
        assert!(debug.contains("AKIDEXAMPLE"));
    }

    #[test]
    fn errors_never_echo_values() {
        let wrong_type = CONTEXT.replace("\"TOKEN\"", "[\"TOKEN\"]");
        let err = SigningContext::from_json(&wrong_type).expect_err("wrong type");
        assert!(!err.to_string().contains("TOKEN"), "{err}");
        let missing = SigningContext::from_json(r#"{"credentials": {}}"#).expect_err("missing");
        assert!(err.to_string().contains("line"), "{err}");
        assert!(
            missing.to_string().starts_with("missing field"),
            "{missing}"
        );
        let bad_time = CONTEXT.replace("2015-08-30T12:36:00Z", "yesterday");
        assert_eq!(
            SigningContext::from_json(&bad_time).err(),
            Some(ContextError::Timestamp)
        );
    }
}
