//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test binary uses a different subset

use std::path::PathBuf;

#[cfg(feature = "cli")]
pub mod cli;
pub mod frames;
pub mod proxy;
pub mod python;
pub mod raw_http;
pub mod relay;
#[cfg(all(feature = "cli", feature = "gateway", feature = "emulator"))]
pub mod serve;
pub mod sso_cache;
pub mod tls;

/// The folder of official test vectors: `$BEDROCK_LITE_VECTORS`, else
/// `../shared/testdata` beside the project.
///
/// Returns `None` (after saying so loudly on stderr) when the folder is
/// missing, so that a developer without it still gets the other tests; with
/// `BEDROCK_LITE_REQUIRE_VECTORS=1` (set by `.ci/run`) a missing folder panics.
pub fn vectors_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("BEDROCK_LITE_VECTORS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata"),
    };
    if dir.is_dir() {
        return Some(dir);
    }
    let required = std::env::var("BEDROCK_LITE_REQUIRE_VECTORS").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "test vectors missing: {} does not exist (BEDROCK_LITE_REQUIRE_VECTORS=1)",
        dir.display()
    );
    eprintln!(
        "\n!!!! TEST VECTORS MISSING: {} does not exist; vector tests did NOT run !!!!\n\
         !!!! set BEDROCK_LITE_VECTORS to the shared testdata folder             !!!!\n",
        dir.display()
    );
    None
}

/// A sub-folder of the vectors, with the same missing-folder rules.
pub fn vectors(sub: &str) -> Option<PathBuf> {
    let dir = vectors_dir()?.join(sub);
    assert!(dir.is_dir(), "vector folder {} is missing", dir.display());
    Some(dir)
}

/// Settings for a client of the emulator at `endpoint`: the demo keys,
/// `us-east-1`, no home folder (so no config file or AWS profile), IMDS off,
/// quick retries. Adjust with the builder's other methods.
#[cfg(feature = "emulator")]
pub fn emulator_settings(endpoint: &str) -> bedrock_lite::settings::SettingsBuilder {
    use bedrock_lite::credentials::{Auth, Credentials};
    use bedrock_lite::emulator::{DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY};
    bedrock_lite::Settings::builder()
        .env(bedrock_lite::env::Env::from_vars([
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("HOME", "/nonexistent/bedrock-lite-test-home"),
        ]))
        .region("us-east-1")
        .endpoint_url(endpoint)
        .credentials(Auth::SigV4(Credentials::new(
            DEMO_ACCESS_KEY_ID,
            DEMO_SECRET_ACCESS_KEY,
        )))
        .retry(bedrock_lite::http::RetryPolicy {
            initial_backoff: std::time::Duration::from_millis(5),
            ..bedrock_lite::http::RetryPolicy::STANDARD
        })
}

/// A client of the emulator at `endpoint` with [`emulator_settings`].
#[cfg(feature = "emulator")]
pub fn emulator_client(endpoint: &str) -> bedrock_lite::Client {
    bedrock_lite::Client::new(emulator_settings(endpoint).resolve().expect("settings"))
}
