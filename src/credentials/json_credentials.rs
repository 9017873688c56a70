//! The JSON credentials document that IMDS and the container endpoint serve:
//!
//! ```json
//! { "Code": "Success", "AccessKeyId": "...", "SecretAccessKey": "...", "Token": "...",
//!   "Expiration": "2021-09-21T04:16:53Z", "AccountId": "..." }
//! ```
//!
//! Keys are matched case-insensitively. `Code` absent or `Success` means success;
//! `Token` may be spelt `SessionToken` and `Expiration` `ExpiresAt`.

use std::time::SystemTime;

use serde_json::{Map, Value};

use super::{Credentials, Secret};

/// Why a credentials document gave no credentials. Never carries a secret.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum JsonCredentialsError {
    /// The document says the service refused (`Code` other than `Success`).
    Refused {
        /// The `Code` field.
        code: String,
        /// The `Message` field, if any.
        message: Option<String>,
    },
    /// The document is malformed; the text says what is wrong, never a value.
    Invalid(String),
}

/// Parses a credentials document.
pub(crate) fn parse(body: &[u8]) -> Result<Credentials, JsonCredentialsError> {
    let document: Map<String, Value> = serde_json::from_slice(body).map_err(|e| {
        JsonCredentialsError::Invalid(format!("the response is not a JSON object ({e})"))
    })?;
    if let Some(code) = optional_string(&document, &["Code"])? {
        if code != "Success" {
            return Err(JsonCredentialsError::Refused {
                code: code.to_owned(),
                message: optional_string(&document, &["Message"])?.map(str::to_owned),
            });
        }
    }
    let access_key_id = required_string(&document, &["AccessKeyId"])?;
    let secret = required_string(&document, &["SecretAccessKey"])?;
    let token = required_string(&document, &["Token", "SessionToken"])?;
    let expiration = required_string(&document, &["Expiration", "ExpiresAt"])?;
    let expiry = parse_rfc3339(expiration).ok_or_else(|| {
        JsonCredentialsError::Invalid("`Expiration` is not an RFC 3339 date-time".to_owned())
    })?;
    let account_id = optional_string(&document, &["AccountId"])?;
    Ok(Credentials {
        access_key_id: access_key_id.to_owned(),
        secret_access_key: Secret::new(secret),
        session_token: Some(Secret::new(token)),
        expiry: Some(expiry),
        account_id: account_id.map(str::to_owned),
    })
}

/// Parses an RFC 3339 date-time such as `2021-09-21T04:16:53Z`, around which
/// whitespace is allowed. `None` also when the time cannot be a `SystemTime` on
/// this platform.
pub(crate) fn parse_rfc3339(text: &str) -> Option<SystemTime> {
    crate::datetime::parse_rfc3339(text.trim())
}

/// The string under the first of `names` present (case-insensitive); `None` if absent.
fn optional_string<'a>(
    document: &'a Map<String, Value>,
    names: &[&str],
) -> Result<Option<&'a str>, JsonCredentialsError> {
    let found = names.iter().find_map(|name| {
        document
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| (*name, value))
    });
    match found {
        None | Some((_, Value::Null)) => Ok(None),
        Some((_, Value::String(text))) => Ok(Some(text)),
        Some((name, _)) => Err(JsonCredentialsError::Invalid(format!(
            "`{name}` is not a string"
        ))),
    }
}

/// Like [`optional_string`], but absence is an error naming the first of `names`.
fn required_string<'a>(
    document: &'a Map<String, Value>,
    names: &[&str],
) -> Result<&'a str, JsonCredentialsError> {
    optional_string(document, names)?.ok_or_else(|| {
        let name = names.first().copied().unwrap_or_default();
        JsonCredentialsError::Invalid(format!("the response has no `{name}`"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn parses_a_success_document_case_insensitively() {
        let body = br#"{"code":"Success","accesskeyid":"AKID","SECRETACCESSKEY":"s3cr3t",
            "SessionToken":"tok","ExpiresAt":"2009-02-13T23:31:30Z","AccountId":"123"}"#;
        let creds = parse(body).expect("valid");
        assert_eq!(creds.access_key_id, "AKID");
        assert_eq!(creds.secret_access_key.expose(), "s3cr3t");
        assert_eq!(
            creds.session_token.as_ref().map(Secret::expose),
            Some("tok")
        );
        assert_eq!(
            creds.expiry,
            Some(UNIX_EPOCH + Duration::from_secs(1_234_567_890))
        );
        assert_eq!(creds.account_id.as_deref(), Some("123"));
    }

    #[test]
    fn a_code_other_than_success_is_a_refusal() {
        let body = br#"{"Code":"AssumeRoleUnauthorizedAccess","Message":"no trust"}"#;
        assert_eq!(
            parse(body),
            Err(JsonCredentialsError::Refused {
                code: "AssumeRoleUnauthorizedAccess".into(),
                message: Some("no trust".into())
            })
        );
    }

    #[test]
    fn malformed_documents_are_errors_that_do_not_echo_values() {
        let cases: [&[u8]; 6] = [
            b"",
            b"[1]",
            br#"{"AccessKeyId":"A","SecretAccessKey":"TOPSECRET","Token":"t"}"#,
            br#"{"AccessKeyId":"A","SecretAccessKey":"TOPSECRET","Token":"t","Expiration":"soon"}"#,
            br#"{"AccessKeyId":1,"SecretAccessKey":"TOPSECRET","Token":"t","Expiration":"x"}"#,
            b"\xff\xfe",
        ];
        for body in cases {
            match parse(body) {
                Err(JsonCredentialsError::Invalid(message)) => {
                    assert!(!message.contains("TOPSECRET"), "{message}")
                }
                other => panic!("expected an error, got {other:?}"),
            }
        }
    }

    #[test]
    fn rfc3339_with_fractions_and_offsets() {
        assert_eq!(
            parse_rfc3339("2021-08-05T19:58:02.500+01:00"),
            Some(UNIX_EPOCH + Duration::from_millis(1_628_189_882_500))
        );
        assert_eq!(parse_rfc3339("2021-08-05"), None);
        assert_eq!(
            parse_rfc3339("1969-12-31T23:59:59.25Z"),
            UNIX_EPOCH.checked_sub(Duration::from_millis(750))
        );
    }
}
