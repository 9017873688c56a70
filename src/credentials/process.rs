//! `credential_process`: runs a command with `sh -c` (`cmd.exe /C` on Windows)
//! and reads credentials from the JSON it prints:
//!
//! ```json
//! {"Version": 1, "AccessKeyId": "...", "SecretAccessKey": "...",
//!  "SessionToken": "...", "Expiration": "2030-01-01T00:00:00Z", "AccountId": "..."}
//! ```
//!
//! `Version` must be 1; `SessionToken`, `Expiration` (RFC 3339) and `AccountId`
//! are optional; keys match case-insensitively. Credentials that are already
//! expired are returned as they are, with their expiry, as the AWS SDK for Rust
//! does: the cache then asks again on the next use.
//!
//! The process's stdout holds secrets, so no error ever quotes it (nor the
//! command line, whose arguments may be secret too). A failed process is
//! reported with its exit code and the first line of its stderr.

use std::process::{Command, Output, Stdio};
use std::time::SystemTime;

use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::{Credentials, CredentialsError, Secret};

const SOURCE: &str = "credential_process";

/// How much of the process's stderr an error message quotes, at most.
const STDERR_EXCERPT_CHARS: usize = 200;

/// Runs `command` and parses the credentials it prints.
///
/// The process runs on tokio's blocking pool when called inside a runtime, so
/// that it never stalls the runtime's threads.
pub async fn load(command: &str) -> Result<Credentials, CredentialsError> {
    let command = command.trim();
    if command.is_empty() {
        return Err(CredentialsError::InvalidConfig {
            source: SOURCE,
            message: "the command is empty".into(),
        });
    }
    let output = match tokio::runtime::Handle::try_current() {
        Ok(handle) => {
            let owned = command.to_owned();
            handle
                .spawn_blocking(move || run(&owned))
                .await
                .map_err(|e| failure(format!("the process runner stopped: {e}")))?
        }
        Err(_) => run(command),
    }
    .map_err(|e| failure(format!("could not start the shell: {e}")))?;
    if !output.status.success() {
        let status = match output.status.code() {
            Some(code) => format!("exited with code {code}"),
            None => "was terminated by a signal".to_owned(),
        };
        return Err(failure(match stderr_excerpt(&output.stderr) {
            Some(excerpt) => format!("{status}: {excerpt}"),
            None => status,
        }));
    }
    parse_output(&output.stdout).map_err(|e| failure(format!("could not parse response: {e}")))
}

fn run(command: &str) -> std::io::Result<Output> {
    let (shell, flag) = if cfg!(windows) {
        ("cmd.exe", "/C")
    } else {
        ("sh", "-c")
    };
    Command::new(shell)
        .arg(flag)
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
}

fn failure(message: String) -> CredentialsError {
    CredentialsError::ProviderError {
        source: SOURCE,
        message,
    }
}

/// The first non-blank line of `stderr`, without control characters, bounded.
pub(crate) fn stderr_excerpt(stderr: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(stderr);
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let mut excerpt: String = line
        .chars()
        .filter(|c| !c.is_control())
        .take(STDERR_EXCERPT_CHARS)
        .collect();
    if line.chars().count() > STDERR_EXCERPT_CHARS {
        excerpt.push('…');
    }
    Some(excerpt)
}

/// Parses the process's stdout. Error messages name fields, never values.
pub fn parse_output(stdout: &[u8]) -> Result<Credentials, String> {
    let text = std::str::from_utf8(stdout).map_err(|_| "the output is not UTF-8".to_owned())?;
    let json: Value = serde_json::from_str(text).map_err(|e| {
        format!(
            "invalid JSON in response (line {}, column {})",
            e.line(),
            e.column()
        )
    })?;
    let Value::Object(fields) = json else {
        return Err("the output is not a JSON object".into());
    };
    match field(&fields, "Version") {
        Some(v) if v.as_u64() == Some(1) => {}
        Some(Value::Number(n)) => return Err(format!("unsupported `Version` {n} (only 1 is)")),
        Some(_) => return Err("`Version` must be the number 1".into()),
        None => return Err("`Version` is missing".into()),
    }
    Ok(Credentials {
        access_key_id: required_string(&fields, "AccessKeyId")?.to_owned(),
        secret_access_key: Secret::new(required_string(&fields, "SecretAccessKey")?),
        session_token: optional_string(&fields, "SessionToken")?.map(Secret::new),
        expiry: optional_string(&fields, "Expiration")?
            .map(parse_rfc3339)
            .transpose()?,
        account_id: optional_string(&fields, "AccountId")?.map(str::to_owned),
    })
}

fn field<'a>(fields: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    fields
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

fn required_string<'a>(fields: &'a Map<String, Value>, name: &str) -> Result<&'a str, String> {
    optional_string(fields, name)?.ok_or_else(|| format!("`{name}` is missing"))
}

fn optional_string<'a>(
    fields: &'a Map<String, Value>,
    name: &str,
) -> Result<Option<&'a str>, String> {
    match field(fields, name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(format!("`{name}` is not a string")),
    }
}

fn parse_rfc3339(text: &str) -> Result<SystemTime, String> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map(SystemTime::from)
        .map_err(|_| "`Expiration` is not an RFC 3339 date-time".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::future::Future;
    use std::time::{Duration, UNIX_EPOCH};

    fn run_blocking(command: &str) -> Result<Credentials, CredentialsError> {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(load(command))
    }

    #[test]
    fn real_process_json_is_read() {
        let creds = run_blocking(
            r#"printf '%s' '{"Version": 1, "AccessKeyId": "ASIAPROC", "SecretAccessKey": "procsecret",
               "SessionToken": "proctoken", "Expiration": "2099-05-02T18:36:00+00:00", "AccountId": "123456789002"}'"#,
        )
        .expect("loads");
        assert_eq!(creds.access_key_id, "ASIAPROC");
        assert_eq!(creds.secret_access_key.expose(), "procsecret");
        assert_eq!(
            creds.session_token.as_ref().map(Secret::expose),
            Some("proctoken")
        );
        assert_eq!(creds.account_id.as_deref(), Some("123456789002"));
        assert_eq!(
            creds.expiry,
            Some(UNIX_EPOCH + Duration::from_secs(4_081_430_160))
        );
    }

    #[test]
    fn also_works_outside_a_runtime() {
        // No runtime: the process runs inline, so the first poll completes.
        let mut future = std::pin::pin!(load(
            r#"echo '{"Version":1,"AccessKeyId":"A","SecretAccessKey":"S"}'"#
        ));
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        match future.as_mut().poll(&mut context) {
            std::task::Poll::Ready(result) => {
                let creds = result.expect("loads");
                assert_eq!(creds.expiry, None);
                assert_eq!(creds.session_token, None);
            }
            std::task::Poll::Pending => panic!("inline run must not wait"),
        }
    }

    #[test]
    fn failing_process_reports_exit_code_and_stderr_but_not_stdout() {
        let err =
            run_blocking("echo stdoutsecret; echo '  first problem' >&2; echo second >&2; exit 3")
                .unwrap_err();
        let text = err.to_string();
        assert_eq!(
            text,
            "credential_process: exited with code 3: first problem"
        );
        assert!(matches!(err, CredentialsError::ProviderError { .. }));
    }

    #[test]
    fn failing_process_without_stderr() {
        let err = run_blocking("exit 1").unwrap_err();
        assert_eq!(err.to_string(), "credential_process: exited with code 1");
    }

    #[test]
    fn long_stderr_is_bounded() {
        let err = run_blocking("printf 'x%.0s' $(seq 1 1000) >&2; exit 2").unwrap_err();
        assert!(err.to_string().chars().count() < STDERR_EXCERPT_CHARS + 60);
    }

    #[test]
    fn invalid_json_is_a_parse_error() {
        let err = run_blocking("echo 'invalid json'").unwrap_err();
        assert_eq!(
            err.to_string(),
            "credential_process: could not parse response: invalid JSON in response (line 1, column 1)"
        );
    }

    #[test]
    fn version_must_be_one() {
        let err = run_blocking(r#"echo '{"Version":2,"AccessKeyId":"A","SecretAccessKey":"S"}'"#)
            .unwrap_err();
        assert!(
            err.to_string()
                .ends_with("unsupported `Version` 2 (only 1 is)"),
            "{err}"
        );
        assert_eq!(
            parse_output(br#"{"Version":"1","AccessKeyId":"A","SecretAccessKey":"S"}"#)
                .unwrap_err(),
            "`Version` must be the number 1"
        );
        assert_eq!(
            parse_output(br#"{"AccessKeyId":"A","SecretAccessKey":"S"}"#).unwrap_err(),
            "`Version` is missing"
        );
    }

    #[test]
    fn expired_credentials_keep_their_past_expiry() {
        let creds = run_blocking(
            r#"echo '{"Version":1,"AccessKeyId":"A","SecretAccessKey":"S","Expiration":"2022-05-02T18:36:00Z"}'"#,
        )
        .expect("expired credentials are still returned");
        assert_eq!(
            creds.expiry,
            Some(UNIX_EPOCH + Duration::from_secs(1_651_516_560))
        );
        assert!(creds.expiry < Some(SystemTime::now()));
    }

    #[test]
    fn bad_fields_are_named_without_their_values() {
        let err = parse_output(br#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":98765432}"#)
            .unwrap_err();
        assert_eq!(err, "`SecretAccessKey` is not a string");
        let err = parse_output(
            br#"{"version":1,"accesskeyid":"A","secretaccesskey":"S","expiration":"tomorrow"}"#,
        )
        .unwrap_err();
        assert_eq!(err, "`Expiration` is not an RFC 3339 date-time");
        assert_eq!(
            parse_output(b"[1]").unwrap_err(),
            "the output is not a JSON object"
        );
        assert_eq!(
            parse_output(b"\xff").unwrap_err(),
            "the output is not UTF-8"
        );
    }

    #[test]
    fn empty_command_is_a_config_error() {
        assert!(matches!(
            run_blocking("  "),
            Err(CredentialsError::InvalidConfig { .. })
        ));
    }

    proptest! {
        #[test]
        fn arbitrary_output_never_panics_nor_leaks(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            if let Err(message) = parse_output(&bytes) {
                let text = String::from_utf8_lossy(&bytes);
                // The message is one of our own, never an excerpt of the output.
                prop_assert!(!message.contains('\n'));
                if text.len() > 12 {
                    prop_assert!(!message.contains(text.as_ref()));
                }
            }
        }

        #[test]
        fn well_formed_output_round_trips(
            key in "[A-Z0-9]{4,20}",
            secret in "[A-Za-z0-9/+]{1,40}",
            token in proptest::option::of("[A-Za-z0-9/+=]{1,60}"),
            account in proptest::option::of("[0-9]{12}"),
            expiry_secs in proptest::option::of(0i64..4_000_000_000),
        ) {
            let mut json = serde_json::json!({"Version": 1, "AccessKeyId": key, "SecretAccessKey": secret});
            if let Some(token) = &token { json["SessionToken"] = token.clone().into(); }
            if let Some(account) = &account { json["AccountId"] = account.clone().into(); }
            if let Some(secs) = expiry_secs {
                let at = OffsetDateTime::from_unix_timestamp(secs).expect("in range");
                json["Expiration"] = at.format(&Rfc3339).expect("formats").into();
            }
            let creds = parse_output(json.to_string().as_bytes()).expect("parses");
            prop_assert_eq!(creds.access_key_id, key);
            prop_assert_eq!(creds.secret_access_key.expose(), secret);
            prop_assert_eq!(creds.session_token.map(|s| s.expose().to_owned()), token);
            prop_assert_eq!(creds.account_id, account);
            let expected = expiry_secs.map(|s| UNIX_EPOCH + Duration::from_secs(s as u64));
            prop_assert_eq!(creds.expiry, expected);
        }
    }
}
