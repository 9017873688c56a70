//! Entry points into the crate's private readers of outside input, for the
//! cargo-fuzz targets in `fuzz/` only: each is a thin call of the reader the
//! crate itself uses, not a stable API. Compiled only with the `fuzzing`
//! feature (off by default).
//!
//! Readers that are public already are fuzzed through their own API
//! ([`crate::credentials::process::parse_output`], [`crate::token::inspect`],
//! [`crate::model_ref::ModelRef::parse`], [`crate::transport::ServiceError::parse`],
//! the [`crate::types`] shapes...).

use std::time::SystemTime;

use crate::credentials::json_credentials::{self, JsonCredentialsError};
use crate::credentials::{process, sso, sts, Credentials, Secret};
use crate::http::BufferedResponse;

/// For fuzz targets only: the IMDS / container credentials document reader.
/// The error is what is wrong with a malformed document, as the providers
/// quote it, or a refusal (`Code` and `Message`, which they quote on one line)
/// as `Debug` text.
pub fn json_credentials(body: &[u8]) -> Result<Credentials, String> {
    json_credentials::parse(body).map_err(|e| match e {
        JsonCredentialsError::Invalid(why) => why,
        refused @ JsonCredentialsError::Refused { .. } => format!("{refused:?}"),
    })
}

/// For fuzz targets only: the first line of a `credential_process`'s stderr as
/// its error message quotes it.
pub fn credential_process_stderr(stderr: &[u8]) -> Option<String> {
    process::stderr_excerpt(stderr)
}

/// For fuzz targets only: the credentials in a successful STS answer to
/// `action` (`AssumeRole`, `AssumeRoleWithWebIdentity`).
pub fn sts_credentials(body: &[u8], action: &str) -> Result<Credentials, String> {
    sts::parse_credentials(body, action)
}

/// For fuzz targets only: the detail of an STS error answer, and whether it is
/// retried.
pub fn sts_error(response: &BufferedResponse) -> (String, bool) {
    sts::service_error(response)
}

/// For fuzz targets only: the STS XML reader's content of the first element
/// called `name`.
pub fn sts_xml_element<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    sts::xml::element(xml, name)
}

/// For fuzz targets only: the STS XML reader's decoded, trimmed text of the
/// first element called `name`.
pub fn sts_xml_text(xml: &str, name: &str) -> Option<String> {
    sts::xml::text(xml, name)
}

/// For fuzz targets only: the token in an SSO token cache file's `text`, if it
/// has not expired at `now` (errors name the file `cache.json`).
pub fn sso_cached_token(text: &str, now: SystemTime) -> Result<Secret, String> {
    sso::token_from_cache(text, "cache.json", now)
}

/// For fuzz targets only: the credentials in the SSO portal's
/// `GetRoleCredentials` answer, for `account_id`.
pub fn sso_role_credentials(body: &[u8], account_id: &str) -> Result<Credentials, String> {
    sso::parse_role_credentials(body, account_id)
}

/// For fuzz targets only: the detail of an SSO portal error answer.
pub fn sso_error(response: &BufferedResponse) -> String {
    sso::service_error(response)
}
