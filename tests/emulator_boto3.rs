//! The emulator against unmodified boto3: `tests/python/boto3_emulator.py`
//! calls every operation the emulator serves (Converse, ConverseStream,
//! InvokeModel, InvokeModelWithResponseStream, CountTokens, ApplyGuardrail,
//! ListFoundationModels, GetFoundationModel, ListInferenceProfiles,
//! GetInferenceProfile) through the official SDK's own signing, serialising
//! and event-stream parsing, and checks the answers.
//!
//! boto3 is installed with pip into a venv in the target folder, once, and
//! reused ([`common::python`]). When it cannot be installed (no `python3`, no
//! PyPI), the test fails with `BEDROCK_LITE_REQUIRE_VECTORS=1` (CI) and says
//! so loudly otherwise.
#![cfg(feature = "emulator")]

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use bedrock_lite::emulator::{Emulator, DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY};

/// How long the whole script may take.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(300);

#[test]
fn unmodified_boto3_calls_every_operation() {
    let python = match common::python::python_with("boto3", "boto3") {
        Ok(python) => python,
        Err(why) => return common::python::unavailable("boto3", "the boto3 test", &why),
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/boto3_emulator.py");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let emulator = Emulator::start(0).await.expect("the emulator starts");
        let mut command = Command::new(python);
        command
            .arg(script)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("EMULATOR_ENDPOINT", emulator.endpoint())
            .env("AWS_ACCESS_KEY_ID", DEMO_ACCESS_KEY_ID)
            .env("AWS_SECRET_ACCESS_KEY", DEMO_SECRET_ACCESS_KEY)
            .env("AWS_CONFIG_FILE", "/nonexistent/bedrock-lite-test/config")
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                "/nonexistent/bedrock-lite-test/credentials",
            )
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("PYTHONUNBUFFERED", "1");
        // The emulator serves on this thread while the script runs on another.
        let script_run = tokio::task::spawn_blocking(move || command.output());
        let output = tokio::time::timeout(SCRIPT_TIMEOUT, script_run)
            .await
            .expect("the boto3 script finishes in time")
            .expect("the script's thread")
            .expect("python runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        println!("{stdout}");
        eprintln!("{}", String::from_utf8_lossy(&output.stderr));
        assert!(
            output.status.success(),
            "the boto3 checks failed ({}):\n{stdout}",
            output.status
        );
        assert!(stdout.contains("every check passed"), "{stdout}");

        let requests = emulator.requests();
        for (method, suffix) in [
            ("POST", "/converse"),
            ("POST", "/converse-stream"),
            ("POST", "/invoke"),
            ("POST", "/invoke-with-response-stream"),
            ("POST", "/count-tokens"),
            ("POST", "/apply"),
            ("GET", "/foundation-models"),
            (
                "GET",
                "/foundation-models/anthropic.claude-3-haiku-20240307-v1%3A0",
            ),
            ("GET", "/inference-profiles"),
            ("GET", "/inference-profiles/us.anthropic.claude-sonnet-4-6"),
        ] {
            assert!(
                requests.iter().any(|r| r.method == method
                    && r.path
                        .split('?')
                        .next()
                        .is_some_and(|p| p.ends_with(suffix))),
                "boto3 never sent {method} ...{suffix}"
            );
        }
        assert!(
            requests.iter().all(|r| r
                .header("authorization")
                .is_some_and(|a| a.starts_with("AWS4-HMAC-SHA256 "))),
            "every boto3 request was SigV4-signed (and accepted, or a check failed)"
        );
    });
}
