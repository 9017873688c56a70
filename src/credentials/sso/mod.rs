//! IAM Identity Center (SSO): the token that `aws sso login` cached, exchanged for role
//! credentials with the SSO portal's `GetRoleCredentials`.
//!
//! The token is read from `~/.aws/sso/cache/<sha1 hex of the identifier>.json`, the
//! identifier being the `sso_session` name, or the start URL in the legacy
//! configuration. This module does not refresh tokens: an expired one is an error that
//! tells the user to run `aws sso login` again.

mod sha1;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Deserialize;

use super::json_credentials::parse_rfc3339;
use super::profile::location::expand_home;
use super::sts::resolve_endpoint;
use super::{Credentials, CredentialsError, Secret};
use crate::env::Env;
use bytes::Bytes;

use crate::http::{
    fetch_with_retries, one_line, url_for_messages, Attempt, BufferedResponse, HttpClient,
    HttpRequest, SERVICE_CONNECT_TIMEOUT, SERVICE_READ_TIMEOUT,
};
use crate::sigv4::percent_encode;

/// The name this source goes by in errors.
const SOURCE: &str = "sso";

/// Which role to get credentials for, and where the SSO token is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SsoParams {
    /// `sso_start_url` (of the profile, or of its `[sso-session]`).
    pub start_url: String,
    /// `sso_region`: the region of the SSO portal.
    pub sso_region: String,
    /// `sso_account_id`.
    pub account_id: String,
    /// `sso_role_name`.
    pub role_name: String,
    /// The `sso_session` name; `None` for the legacy configuration.
    pub session_name: Option<String>,
}

/// The token cache file's contents that matter. The token is wrapped in [`Secret`] as
/// soon as it is read.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CachedToken {
    access_token: Option<String>,
    expires_at: Option<String>,
}

/// The portal's answer to `GetRoleCredentials`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoleCredentialsOutput {
    role_credentials: Option<RoleCredentials>,
}

/// `roleCredentials`; `expiration` is in milliseconds since the epoch.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoleCredentials {
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
    session_token: Option<String>,
    expiration: Option<i64>,
}

/// Gets the role's credentials from the SSO portal with the cached SSO token.
pub async fn role_credentials(
    http: &dyn HttpClient,
    env: &Env,
    params: &SsoParams,
) -> Result<Credentials, CredentialsError> {
    let token = cached_token(env, params)?;
    let endpoint = resolve_endpoint(env, SOURCE, "SSO", "portal.sso", &params.sso_region, None)?;
    let request = HttpRequest {
        method: "GET".to_owned(),
        uri: format!(
            "{endpoint}/federation/credentials?account_id={}&role_name={}",
            percent_encode(&params.account_id),
            percent_encode(&params.role_name)
        ),
        headers: vec![(
            "x-amz-sso_bearer_token".to_owned(),
            token.expose().to_owned(),
        )],
        body: Bytes::new(),
        connect_timeout: SERVICE_CONNECT_TIMEOUT,
        response_timeout: SERVICE_READ_TIMEOUT,
        direct: false,
    };
    let shown = url_for_messages(&request.uri);
    let fail = |detail: String| CredentialsError::ProviderError {
        source: SOURCE,
        message: format!(
            "GetRoleCredentials for role `{}` in account {} at {shown} failed: {detail}",
            params.role_name, params.account_id
        ),
    };
    fetch_with_retries(http, &request, |outcome| match outcome {
        Err(e) => Attempt::Retry(Err(fail(e.to_string()))),
        Ok(response) if (200..300).contains(&response.status) => {
            Attempt::Done(parse_role_credentials(&response.body, &params.account_id).map_err(fail))
        }
        Ok(response) => {
            let retryable = response.status >= 500 || response.status == 429;
            let error = Err(fail(service_error(&response)));
            match retryable {
                true => Attempt::Retry(error),
                false => Attempt::Done(error),
            }
        }
    })
    .await
}

/// Reads the cached SSO token and checks that it has not expired.
fn cached_token(env: &Env, params: &SsoParams) -> Result<Secret, CredentialsError> {
    let identifier = params.session_name.as_deref().unwrap_or(&params.start_url);
    let path = expand_home(
        &format!(
            "~/.aws/sso/cache/{}.json",
            sha1::sha1_hex(identifier.as_bytes())
        ),
        env,
    );
    let shown = path.display().to_string();
    let login = login_hint(params);
    let error = |what: String| CredentialsError::ProviderError {
        source: SOURCE,
        message: format!("{what}; run `{login}` to sign in"),
    };
    let text = env
        .read_to_string(&path)
        .map_err(|e| error(format!("failed to read `{shown}`: {e}")))?;
    token_from_cache(&text, &shown, env.now()).map_err(error)
}

/// The token in `text`, an SSO token cache file's contents, if it has not
/// expired at `now`. Errors name the file as `shown`, never the token.
pub(crate) fn token_from_cache(text: &str, shown: &str, now: SystemTime) -> Result<Secret, String> {
    let cached: CachedToken = serde_json::from_str(text)
        .map_err(|e| format!("the SSO token cache `{shown}` is not valid JSON ({e})"))?;
    let token = cached
        .access_token
        .filter(|t| !t.trim().is_empty())
        .map(Secret::new)
        .ok_or_else(|| format!("the SSO token cache `{shown}` has no `accessToken`"))?;
    let expires_at = cached.expires_at.unwrap_or_default();
    let expiry = parse_cache_expiry(&expires_at)
        .ok_or_else(|| format!("the SSO token cache `{shown}` has no valid `expiresAt`"))?;
    if expiry <= now {
        return Err(format!(
            "the SSO token in `{shown}` expired at {}",
            one_line(&expires_at)
        ));
    }
    Ok(token)
}

/// An SSO cache file's `expiresAt`: RFC 3339, or the `2021-12-11T07:18:18UTC`
/// that AWS CLI v2 wrote before 2.1.14 (botocore reads both).
fn parse_cache_expiry(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    match text.strip_suffix("UTC") {
        Some(naive) => parse_rfc3339(&format!("{naive}Z")),
        None => parse_rfc3339(text),
    }
}

/// The `aws sso login` command for this configuration.
fn login_hint(params: &SsoParams) -> String {
    match &params.session_name {
        Some(session) => format!("aws sso login --sso-session {session}"),
        None => "aws sso login".to_owned(),
    }
}

/// Reads `roleCredentials` from the portal's answer; the account id is the one asked for.
pub(crate) fn parse_role_credentials(body: &[u8], account_id: &str) -> Result<Credentials, String> {
    let output: RoleCredentialsOutput = serde_json::from_slice(body)
        .map_err(|e| format!("the response is not the expected JSON ({e})"))?;
    let creds = output
        .role_credentials
        .ok_or("the response has no `roleCredentials`")?;
    let required = |value: Option<String>, name: &str| {
        value
            .filter(|v| !v.is_empty())
            .ok_or_else(|| format!("the response has no `roleCredentials.{name}`"))
    };
    let access_key_id = required(creds.access_key_id, "accessKeyId")?;
    let secret = Secret::new(required(creds.secret_access_key, "secretAccessKey")?);
    let token = Secret::new(required(creds.session_token, "sessionToken")?);
    let expiry = creds
        .expiration
        .and_then(|millis| u64::try_from(millis).ok())
        .and_then(|millis| UNIX_EPOCH.checked_add(Duration::from_millis(millis)))
        .ok_or("the response has no valid `roleCredentials.expiration`")?;
    Ok(Credentials {
        access_key_id,
        secret_access_key: secret,
        session_token: Some(token),
        expiry: Some(expiry),
        account_id: Some(account_id.to_owned()),
    })
}

/// `Type: message (HTTP status)` of a portal error answer, with a hint on 401/403.
pub(crate) fn service_error(response: &BufferedResponse) -> String {
    #[derive(Deserialize)]
    struct ErrorBody {
        #[serde(alias = "Message")]
        message: Option<String>,
        #[serde(rename = "__type")]
        kind: Option<String>,
    }
    let body: Option<ErrorBody> = serde_json::from_slice(&response.body).ok();
    let kind = response
        .header("x-amzn-errortype")
        .map(str::to_owned)
        .or_else(|| body.as_ref().and_then(|b| b.kind.clone()))
        .map(|kind| kind.split([':', '#']).next().unwrap_or_default().to_owned())
        .filter(|kind| !kind.is_empty());
    let message = body.and_then(|b| b.message).map(|m| one_line(&m));
    let mut detail = match (kind, message) {
        (Some(kind), Some(message)) => format!("{}: {message}", one_line(&kind)),
        (Some(kind), None) => one_line(&kind),
        (None, Some(message)) => message,
        (None, None) => "no error details in the response".to_owned(),
    };
    detail.push_str(&format!(" (HTTP {})", response.status));
    if matches!(response.status, 401 | 403) {
        detail.push_str("; the SSO session may have ended: run `aws sso login`");
    }
    detail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_credentials_are_parsed_with_the_requested_account() {
        let body = br#"{"roleCredentials":{"accessKeyId":"ASIA","secretAccessKey":"s",
            "sessionToken":"t","expiration":1234567890000}}"#;
        let creds = parse_role_credentials(body, "123456789").expect("valid");
        assert_eq!(creds.access_key_id, "ASIA");
        assert_eq!(
            creds.expiry,
            Some(UNIX_EPOCH + Duration::from_secs(1_234_567_890))
        );
        assert_eq!(creds.account_id.as_deref(), Some("123456789"));
        for bad in [
            &br#"{}"#[..],
            br#"{"roleCredentials":{"accessKeyId":"A","secretAccessKey":"s","sessionToken":"t"}}"#,
            br#"{"roleCredentials":{"accessKeyId":"A","secretAccessKey":"s","sessionToken":"t","expiration":-1}}"#,
            b"not json",
        ] {
            assert!(parse_role_credentials(bad, "1").is_err());
        }
    }

    #[test]
    fn cache_expiry_reads_rfc3339_and_the_old_utc_suffix() {
        let at = |seconds| Some(UNIX_EPOCH + Duration::from_secs(seconds));
        assert_eq!(
            parse_cache_expiry("2021-12-11T07:18:18Z"),
            at(1_639_207_098)
        );
        assert_eq!(
            parse_cache_expiry("2021-12-11T07:18:18UTC"),
            at(1_639_207_098)
        );
        assert_eq!(
            parse_cache_expiry(" 2021-12-11T07:18:18UTC\n"),
            at(1_639_207_098)
        );
        for bad in [
            "",
            "UTC",
            "2021-12-11T07:18:18+00:00UTC",
            "2021-12-11T07:18:18ZUTC",
            "2021-12-11UTC",
        ] {
            assert_eq!(parse_cache_expiry(bad), None, "{bad}");
        }
        let cache = r#"{"accessToken":"t","expiresAt":"2100-01-01T00:00:00UTC"}"#;
        assert!(token_from_cache(cache, "c.json", UNIX_EPOCH).is_ok());
        let expired = r#"{"accessToken":"t","expiresAt":"2000-01-01T00:00:00UTC"}"#;
        let error = token_from_cache(expired, "c.json", SystemTime::now()).expect_err("expired");
        assert!(
            error.contains("expired at 2000-01-01T00:00:00UTC"),
            "{error}"
        );
    }

    #[test]
    fn portal_errors_name_the_type_and_hint_at_login() {
        let response = BufferedResponse {
            status: 401,
            headers: vec![(
                "x-amzn-errortype".into(),
                "UnauthorizedException:http://x".into(),
            )],
            body: Bytes::from_static(br#"{"message":"Session token not found or invalid"}"#),
        };
        assert_eq!(
            service_error(&response),
            "UnauthorizedException: Session token not found or invalid (HTTP 401); \
             the SSO session may have ended: run `aws sso login`"
        );
    }
}
