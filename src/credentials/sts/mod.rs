//! STS, the AWS Security Token Service, over its Query protocol: `AssumeRole` here, and
//! the plumbing that [`super::web_identity`] shares (endpoint, form body, retries,
//! XML response and error parsing).
//!
//! A request is a form-encoded `POST /` to `https://sts.{region}.{partition suffix}`
//! (or a configured endpoint); the answer is XML, read by a small hand-written
//! extractor (`sts/xml.rs`) that cannot panic.

mod endpoint;
pub(crate) mod xml;

pub(crate) use endpoint::resolve as resolve_endpoint;

use std::time::{SystemTime, UNIX_EPOCH};

use super::json_credentials::parse_rfc3339;
use super::{Credentials, CredentialsError, Secret};
use crate::env::Env;
use crate::http::sign_http_request;
use bytes::Bytes;

use crate::http::{
    fetch_with_retries, one_line, url_for_messages, Attempt, BufferedResponse, HttpClient,
    HttpRequest, SERVICE_CONNECT_TIMEOUT, SERVICE_READ_TIMEOUT,
};
use crate::sigv4::{percent_encode, SigningIdentity};

/// The STS API version all requests name.
const API_VERSION: &str = "2011-06-15";
/// Error codes worth retrying (throttling, and the identity provider being unreachable).
const RETRYABLE_CODES: [&str; 5] = [
    "Throttling",
    "ThrottlingException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "IDPCommunicationError",
];

/// What `AssumeRole` needs besides the base credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssumeRoleParams {
    /// The role to assume (`role_arn`).
    pub role_arn: String,
    /// `role_session_name`; default `assume-role-from-profile-<unix millis>`.
    pub session_name: Option<String>,
    /// `external_id`, sent as `ExternalId`.
    pub external_id: Option<String>,
    /// `duration_seconds`, sent as `DurationSeconds`; STS's default (1 h) if `None`.
    pub duration_seconds: Option<u32>,
    /// The region whose STS endpoint is called and whose name is signed.
    pub region: String,
    /// The STS endpoint the profile configures (`[services]` `sts` → `endpoint_url`, or the
    /// profile's `endpoint_url`). `AWS_ENDPOINT_URL_STS` wins over it; it wins over
    /// `AWS_ENDPOINT_URL`.
    pub endpoint_override: Option<String>,
}

/// Calls STS `AssumeRole` with `base` (SigV4-signed for `sts` in `params.region`) and
/// returns the role's temporary credentials; their `account_id` comes from the
/// assumed-role ARN.
pub async fn assume_role(
    http: &dyn HttpClient,
    env: &Env,
    base: &Credentials,
    params: &AssumeRoleParams,
) -> Result<Credentials, CredentialsError> {
    const SOURCE: &str = "sts";
    let endpoint = resolve_endpoint(
        env,
        SOURCE,
        "STS",
        "sts",
        &params.region,
        params.endpoint_override.as_deref(),
    )?;
    let session_name = params
        .session_name
        .clone()
        .unwrap_or_else(|| default_session_name("assume-role-from-profile", env.now()));
    let duration = params.duration_seconds.map(|d| d.to_string());
    let mut fields = vec![
        ("RoleArn", params.role_arn.as_str()),
        ("RoleSessionName", session_name.as_str()),
    ];
    if let Some(external_id) = &params.external_id {
        fields.push(("ExternalId", external_id));
    }
    if let Some(duration) = &duration {
        fields.push(("DurationSeconds", duration));
    }
    let mut request = form_request(&endpoint, "AssumeRole", &fields);
    let identity = SigningIdentity {
        access_key_id: &base.access_key_id,
        secret_access_key: base.secret_access_key.expose(),
        session_token: base.session_token.as_ref().map(Secret::expose),
    };
    sign_http_request(&mut request, &identity, &params.region, "sts", env.now()).map_err(|e| {
        CredentialsError::ProviderError {
            source: SOURCE,
            message: format!(
                "cannot sign the AssumeRole request for `{}`: {e}",
                params.role_arn
            ),
        }
    })?;
    call(http, &request, SOURCE, "AssumeRole", &params.role_arn).await
}

/// The default STS endpoint of `region` with the FIPS / dual-stack variant chosen,
/// for callers that read `use_fips_endpoint` / `use_dualstack_endpoint` from a profile
/// and pass the result as [`AssumeRoleParams::endpoint_override`]. (The environment
/// variables `AWS_USE_FIPS_ENDPOINT` / `AWS_USE_DUALSTACK_ENDPOINT` are read anyway.)
pub fn default_endpoint(
    region: &str,
    use_fips: bool,
    use_dual_stack: bool,
) -> Result<String, CredentialsError> {
    endpoint::regional("sts", "sts", region, use_fips, use_dual_stack)
}

/// `{base}-{unix millis}`, the SDK's default session name.
pub(crate) fn default_session_name(base: &str, now: SystemTime) -> String {
    let millis = now
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    format!("{base}-{millis}")
}

/// An unsigned `POST {endpoint}/` with `Action={action}&Version=2011-06-15&{fields}`.
pub(crate) fn form_request(endpoint: &str, action: &str, fields: &[(&str, &str)]) -> HttpRequest {
    let mut body = format!("Action={action}&Version={API_VERSION}");
    for (name, value) in fields {
        body.push('&');
        body.push_str(name);
        body.push('=');
        body.push_str(&percent_encode(value));
    }
    HttpRequest {
        method: "POST".to_owned(),
        uri: format!("{endpoint}/"),
        headers: vec![(
            "content-type".to_owned(),
            "application/x-www-form-urlencoded".to_owned(),
        )],
        body: Bytes::from(body),
        connect_timeout: SERVICE_CONNECT_TIMEOUT,
        response_timeout: SERVICE_READ_TIMEOUT,
        direct: false,
    }
}

/// Sends an STS request (with retries) and reads the credentials out of the
/// `<{action}Result>` of the answer. Errors name `source`, the action, the role and the
/// endpoint, and STS's error `Code` and `Message`; never a secret or a response body.
pub(crate) async fn call(
    http: &dyn HttpClient,
    request: &HttpRequest,
    source: &'static str,
    action: &str,
    role_arn: &str,
) -> Result<Credentials, CredentialsError> {
    let shown = url_for_messages(&request.uri);
    let fail = |detail: String| CredentialsError::ProviderError {
        source,
        message: format!("{action} for role `{role_arn}` at {shown} failed: {detail}"),
    };
    fetch_with_retries(http, request, |outcome| match outcome {
        Err(e) => Attempt::Retry(Err(fail(e.to_string()))),
        Ok(response) if (200..300).contains(&response.status) => {
            Attempt::Done(parse_credentials(&response.body, action).map_err(fail))
        }
        Ok(response) => {
            let (detail, retryable) = service_error(&response);
            match retryable {
                true => Attempt::Retry(Err(fail(detail))),
                false => Attempt::Done(Err(fail(detail))),
            }
        }
    })
    .await
}

/// Reads `<{action}Result><Credentials>` and the account id of
/// `<AssumedRoleUser><Arn>` from a successful STS answer.
pub(crate) fn parse_credentials(body: &[u8], action: &str) -> Result<Credentials, String> {
    let text = std::str::from_utf8(body).map_err(|_| "the response is not UTF-8".to_owned())?;
    let result_name = format!("{action}Result");
    let result = xml::element(text, &result_name)
        .ok_or_else(|| format!("the response has no <{result_name}>"))?;
    let credentials =
        xml::element(result, "Credentials").ok_or("the response has no <Credentials>")?;
    let field = |name: &str| {
        xml::text(credentials, name)
            .filter(|value| !value.is_empty())
            .ok_or_else(|| format!("the response has no valid <{name}>"))
    };
    let access_key_id = field("AccessKeyId")?;
    let secret = field("SecretAccessKey")?;
    let token = field("SessionToken")?;
    let expiry =
        parse_rfc3339(&field("Expiration")?).ok_or("<Expiration> is not an RFC 3339 date-time")?;
    let account_id = xml::element(result, "AssumedRoleUser")
        .and_then(|user| xml::text(user, "Arn"))
        .and_then(|arn| arn.split(':').nth(4).map(str::to_owned))
        .filter(|account| !account.is_empty());
    Ok(Credentials {
        access_key_id,
        secret_access_key: Secret::new(secret),
        session_token: Some(Secret::new(token)),
        expiry: Some(expiry),
        account_id,
    })
}

/// `Code: Message (HTTP status)` of an STS error answer, and whether to retry it.
pub(crate) fn service_error(response: &BufferedResponse) -> (String, bool) {
    let body = String::from_utf8_lossy(&response.body);
    let error = xml::element(&body, "Error");
    // Both go into a one-line message; a code of nothing but control
    // characters counts as none.
    let code = error
        .and_then(|e| xml::text(e, "Code"))
        .map(|code| one_line(&code))
        .filter(|code| !code.is_empty());
    let message = error.and_then(|e| xml::text(e, "Message"));
    let retryable = response.status >= 500
        || response.status == 429
        || code
            .as_deref()
            .is_some_and(|code| RETRYABLE_CODES.contains(&code));
    let mut detail = match (code, message) {
        (Some(code), Some(message)) => format!("{code}: {}", one_line(&message)),
        (Some(code), None) => code,
        (None, _) => "no STS error in the response".to_owned(),
    };
    detail.push_str(&format!(" (HTTP {})", response.status));
    (detail, retryable)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const OK: &str = r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser>
      <AssumedRoleId>AROA:s</AssumedRoleId>
      <Arn>arn:aws:sts::130633740322:assumed-role/r/s</Arn>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIARCORRECT</AccessKeyId>
      <SecretAccessKey>secretkeycorrect</SecretAccessKey>
      <SessionToken>tok&amp;en</SessionToken>
      <Expiration>2021-09-21T18:41:26Z</Expiration>
    </Credentials>
  </AssumeRoleResult>
</AssumeRoleResponse>"#;

    #[test]
    fn parses_credentials_and_account_id() {
        let creds = parse_credentials(OK.as_bytes(), "AssumeRole").expect("valid");
        assert_eq!(creds.access_key_id, "ASIARCORRECT");
        assert_eq!(creds.secret_access_key.expose(), "secretkeycorrect");
        assert_eq!(
            creds.session_token.as_ref().map(Secret::expose),
            Some("tok&en")
        );
        assert_eq!(
            creds.expiry,
            Some(UNIX_EPOCH + Duration::from_secs(1_632_249_686))
        );
        assert_eq!(creds.account_id.as_deref(), Some("130633740322"));
    }

    #[test]
    fn wrong_action_missing_fields_and_garbage_are_errors() {
        assert!(parse_credentials(OK.as_bytes(), "AssumeRoleWithWebIdentity").is_err());
        let no_token = OK.replace("<SessionToken>tok&amp;en</SessionToken>", "");
        let message = parse_credentials(no_token.as_bytes(), "AssumeRole").unwrap_err();
        assert!(message.contains("SessionToken") && !message.contains("secretkeycorrect"));
        let bad_date = OK.replace("2021-09-21T18:41:26Z", "tomorrow");
        assert!(parse_credentials(bad_date.as_bytes(), "AssumeRole").is_err());
        for body in [&b""[..], b"\xff", &OK.as_bytes()[..OK.len() / 2]] {
            assert!(parse_credentials(body, "AssumeRole").is_err());
        }
    }

    #[test]
    fn error_answers_name_code_and_message_and_say_whether_to_retry() {
        let response = |status, body: &str| BufferedResponse {
            status,
            headers: vec![],
            body: Bytes::copy_from_slice(body.as_bytes()),
        };
        let denied = r#"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>
            <Message>User: x is not
authorized</Message></Error></ErrorResponse>"#;
        assert_eq!(
            service_error(&response(403, denied)),
            (
                "AccessDenied: User: x is not authorized (HTTP 403)".to_owned(),
                false
            )
        );
        let throttled = "<ErrorResponse><Error><Code>Throttling</Code></Error></ErrorResponse>";
        assert_eq!(
            service_error(&response(400, throttled)),
            ("Throttling (HTTP 400)".to_owned(), true)
        );
        assert!(service_error(&response(503, "<html>")).1);
    }

    #[test]
    fn form_bodies_are_percent_encoded() {
        let request = form_request(
            "https://sts.us-east-1.amazonaws.com",
            "AssumeRole",
            &[
                ("RoleArn", "arn:aws:iam::1:role/a"),
                ("RoleSessionName", "s"),
            ],
        );
        assert_eq!(request.uri, "https://sts.us-east-1.amazonaws.com/");
        assert_eq!(
            String::from_utf8_lossy(&request.body),
            "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fa&RoleSessionName=s"
        );
        let now = UNIX_EPOCH + Duration::from_millis(1_629_230_104_118);
        assert_eq!(
            default_session_name("web-identity-token", now),
            "web-identity-token-1629230104118"
        );
    }
}
