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
//!
//! The process gets [`Limits`]: a time limit (60 s by default;
//! `BEDROCK_LITE_CREDENTIAL_PROCESS_TIMEOUT` in seconds sets another) and a
//! cap on its output (64 KiB of stdout, 64 KiB of stderr kept). A process that
//! runs over either is killed, with everything it started (its process group,
//! on unix), and the error says which limit it hit.

use std::io::Read;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use serde_json::{Map, Value};

use super::{Credentials, CredentialsError, Secret};

const SOURCE: &str = "credential_process";

/// How much of the process's stderr an error message quotes, at most.
const STDERR_EXCERPT_CHARS: usize = 200;

/// The variable that sets the time limit, in seconds.
pub const TIMEOUT_VAR: &str = "BEDROCK_LITE_CREDENTIAL_PROCESS_TIMEOUT";

/// What a credential process may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How long it may run.
    pub timeout: Duration,
    /// The most bytes of stdout read (credentials are a few hundred bytes).
    pub max_output: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: Duration::from_secs(60),
            max_output: 64 * 1024,
        }
    }
}

impl Limits {
    /// The defaults, with the time limit from `TIMEOUT_VAR` when `env` sets it
    /// (a value that is not a whole number of seconds above zero is an error
    /// naming the variable).
    pub fn from_env(env: &crate::env::Env) -> Result<Limits, CredentialsError> {
        let Some(text) = env.non_blank_var(TIMEOUT_VAR) else {
            return Ok(Limits::default());
        };
        let seconds = text
            .parse::<u64>()
            .ok()
            .filter(|s| (1..=24 * 3600).contains(s))
            .ok_or_else(|| CredentialsError::InvalidConfig {
                source: SOURCE,
                message: format!(
                    "{TIMEOUT_VAR} `{}`: expected seconds from 1 to 86400",
                    text.escape_debug()
                ),
            })?;
        Ok(Limits {
            timeout: Duration::from_secs(seconds),
            ..Limits::default()
        })
    }
}

/// Runs `command` under the default [`Limits`] and parses the credentials it prints.
pub async fn load(command: &str) -> Result<Credentials, CredentialsError> {
    load_with(command, Limits::default()).await
}

/// Runs `command` under `limits` and parses the credentials it prints.
///
/// The process runs on tokio's blocking pool when called inside a runtime, so
/// that it never stalls the runtime's threads.
pub async fn load_with(command: &str, limits: Limits) -> Result<Credentials, CredentialsError> {
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
                .spawn_blocking(move || run(&owned, limits))
                .await
                .map_err(|e| failure(format!("the process runner stopped: {e}")))?
        }
        Err(_) => run(command, limits),
    }?;
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

/// What a finished process gave.
struct Finished {
    status: ExitStatus,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

/// Runs `command` with `sh -c`, within `limits` (module docs).
fn run(command: &str, limits: Limits) -> Result<Finished, CredentialsError> {
    let (shell, flag) = if cfg!(windows) {
        ("cmd.exe", "/C")
    } else {
        ("sh", "-c")
    };
    let mut builder = Command::new(shell);
    builder
        .arg(flag)
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut builder, 0);
    let mut child = builder
        .spawn()
        .map_err(|e| failure(format!("could not start the shell: {e}")))?;
    let stdout = child
        .stdout
        .take()
        .map(|pipe| read_capped(pipe, limits.max_output));
    let stderr = child
        .stderr
        .take()
        .map(|pipe| read_capped(pipe, limits.max_output));
    let deadline = Instant::now() + limits.timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => {}
            Err(e) => {
                stop(&mut child);
                return Err(failure(format!("could not wait for the process: {e}")));
            }
        }
        if stdout.as_ref().is_some_and(Capped::overflowed) {
            stop(&mut child);
            return Err(failure(format!(
                "its output is over {} bytes; it was stopped",
                limits.max_output
            )));
        }
        if Instant::now() >= deadline {
            stop(&mut child);
            return Err(failure(format!(
                "it did not finish within {} s; it was stopped (set {TIMEOUT_VAR} for more time)",
                limits.timeout.as_secs()
            )));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    // Something the process started may still hold its pipes open: wait for
    // them until the deadline, then stop the whole group.
    let pending =
        |reader: &Option<Capped>| reader.as_ref().is_some_and(|r| !r.thread.is_finished());
    while (pending(&stdout) || pending(&stderr)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    if pending(&stdout) || pending(&stderr) {
        stop(&mut child);
    }
    let (stdout, overflow) = join(stdout);
    if overflow {
        return Err(failure(format!(
            "its output is over {} bytes",
            limits.max_output
        )));
    }
    let (stderr, _) = join(stderr);
    Ok(Finished {
        status,
        stdout,
        stderr,
    })
}

/// A pipe read on its own thread: at most `cap` bytes kept, and whether
/// there was more (then reading stops, and the process is stopped).
struct Capped {
    thread: JoinHandle<Vec<u8>>,
    overflow: Arc<AtomicBool>,
}

impl Capped {
    fn overflowed(&self) -> bool {
        self.overflow.load(Ordering::Relaxed)
    }
}

fn read_capped(mut pipe: impl Read + Send + 'static, cap: usize) -> Capped {
    let overflow = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&overflow);
    let thread = std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buffer = [0u8; 8192];
        loop {
            match pipe.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let room = cap.saturating_sub(kept.len());
                    let chunk = buffer.get(..n).unwrap_or_default();
                    kept.extend_from_slice(chunk.get(..n.min(room)).unwrap_or_default());
                    if n > room {
                        flag.store(true, Ordering::Relaxed);
                        break;
                    }
                }
            }
        }
        kept
    });
    Capped { thread, overflow }
}

/// The bytes a reader kept, and whether there was more.
fn join(reader: Option<Capped>) -> (Vec<u8>, bool) {
    match reader {
        Some(reader) => {
            let overflow = reader.overflowed();
            (reader.thread.join().unwrap_or_default(), overflow)
        }
        None => (Vec::new(), false),
    }
}

/// Kills the process and everything it started, and reaps it.
fn stop(child: &mut Child) {
    #[cfg(unix)]
    {
        // The process leads its own group (`process_group(0)`): kill the group.
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--"])
            .arg(format!("-{}", child.id()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    let _ = child.kill();
    let _ = child.wait();
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
    super::json_credentials::parse_rfc3339(text)
        .ok_or_else(|| "`Expiration` is not an RFC 3339 date-time".to_owned())
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

    fn run_limited(command: &str, limits: Limits) -> Result<Credentials, CredentialsError> {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(load_with(command, limits))
    }

    #[test]
    fn a_process_that_hangs_is_stopped_at_the_time_limit() {
        let limits = Limits {
            timeout: Duration::from_millis(300),
            ..Limits::default()
        };
        let started = std::time::Instant::now();
        let error = run_limited("sleep 30", limits).unwrap_err().to_string();
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        assert!(
            error.contains("did not finish within") && error.contains(TIMEOUT_VAR),
            "{error}"
        );
        // A child that keeps the output pipe open is stopped with its parent.
        let started = std::time::Instant::now();
        let error = run_limited(
            r#"(sleep 30 &) ; echo '{"Version":1,"AccessKeyId":"A","SecretAccessKey":"S"}'"#,
            limits,
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        assert!(error.is_ok(), "{error:?}");
    }

    #[test]
    fn output_over_the_cap_is_stopped() {
        let limits = Limits {
            max_output: 1024,
            ..Limits::default()
        };
        let started = std::time::Instant::now();
        let error = run_limited("yes secretsecretsecret", limits)
            .unwrap_err()
            .to_string();
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(error.contains("over 1024 bytes"), "{error}");
        assert!(!error.contains("secretsecret"), "{error}");
    }

    #[test]
    fn the_time_limit_comes_from_the_environment() {
        use crate::env::Env;
        assert_eq!(
            Limits::from_env(&Env::from_vars([("X", "1")])),
            Ok(Limits::default())
        );
        let set = Limits::from_env(&Env::from_vars([(TIMEOUT_VAR, "5")])).expect("valid");
        assert_eq!(set.timeout, Duration::from_secs(5));
        for bad in ["0", "soon", "-1", "999999"] {
            let error = Limits::from_env(&Env::from_vars([(TIMEOUT_VAR, bad)])).unwrap_err();
            assert!(error.to_string().contains(TIMEOUT_VAR), "{error}");
        }
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
        // Whitespace around the date is allowed, as in every other credentials document.
        let spaced = parse_output(
            br#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":"S","Expiration":" 2022-05-02T18:36:00Z\n"}"#,
        )
        .expect("reads");
        assert_eq!(
            spaced.expiry,
            Some(UNIX_EPOCH + Duration::from_secs(1_651_516_560))
        );
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
                json["Expiration"] = crate::datetime::format_rfc3339(secs).expect("in range").into();
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
