//! The default credential chain's order and fall-through rules, with a fake
//! HTTP client that records every request (and answers none: "no network"),
//! plus the purely local cases of the official case folders.
//!
//! Local case folders run here (no HTTP traffic needed):
//! default-credential-provider-chain/{environment_variables,
//! environment_variables_blank, prefer_environment, profile_static_keys,
//! profile_overrides_web_identity, web_identity_source_profile_no_env,
//! imds_disabled} and profile-provider/{credential_process,
//! credential_process_failure, credential_process_invalid, empty_config,
//! invalid_sso_credentials_config}.
//!
//! Skipped here, with the reason: every other case folder needs recorded HTTP
//! traffic (STS, the SSO portal, the container endpoint, IMDS) replayed; those
//! run in the replay tests over the same folders, which call `DefaultChain`.

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use bedrock_lite::credentials::cache::CredentialsCache;
use bedrock_lite::credentials::chain::DefaultChain;
use bedrock_lite::credentials::{
    Auth, CredentialSource, Credentials, CredentialsError, ResolvedAuth, Secret,
};
use bedrock_lite::env::Env;
use bedrock_lite::http::{BoxFuture, HttpClient, HttpError, HttpRequest, HttpResponse};
use serde_json::Value;

/// Records each request as `METHOD uri` and fails it as if offline.
#[derive(Debug, Default)]
struct Offline {
    requests: Mutex<Vec<String>>,
}

impl Offline {
    fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("lock").clone()
    }
}

impl HttpClient for Offline {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, HttpError>> {
        self.requests
            .lock()
            .expect("lock")
            .push(format!("{} {}", request.method, request.uri));
        Box::pin(async { Err(HttpError::Connect("offline (test)".into())) })
    }
}

/// A fake filesystem root holding `/home/.aws/{config,credentials}`, removed on drop.
struct FakeHome {
    root: PathBuf,
}

impl FakeHome {
    fn new(config: Option<&str>, credentials: Option<&str>) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let root = std::env::temp_dir().join(format!(
            "bedrock-lite-chain-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        let aws = root.join("home/.aws");
        std::fs::create_dir_all(&aws).expect("mkdir");
        if let Some(text) = config {
            std::fs::write(aws.join("config"), text).expect("write config");
        }
        if let Some(text) = credentials {
            std::fs::write(aws.join("credentials"), text).expect("write credentials");
        }
        FakeHome { root }
    }

    fn env(&self, vars: &[(&str, &str)]) -> Env {
        let mut env = Env::from_vars(vars.iter().copied()).with_fs_root(&self.root);
        env.set_var("HOME", "/home");
        env
    }
}

impl Drop for FakeHome {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn resolve(env: Env) -> (Result<ResolvedAuth, CredentialsError>, Vec<String>) {
    let http = Arc::new(Offline::default());
    let chain = DefaultChain::new(env, http.clone(), None);
    let result = runtime().block_on(chain.resolve());
    (result, http.requests())
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn sigv4(resolved: &ResolvedAuth) -> &Credentials {
    match &resolved.auth {
        Auth::SigV4(credentials) => credentials,
        Auth::Bearer(_) => panic!("expected SigV4 credentials, got a bearer token"),
    }
}

const PROFILE_KEYS: &str =
    "[default]\naws_access_key_id = PROFILEKEY\naws_secret_access_key = profilesecret\n";

/// Every combination of the three local sources: the first configured one in
/// chain order answers, and nothing goes to the network.
#[test]
fn first_configured_local_source_answers() {
    for mask in 0..8u8 {
        let (bearer, env_keys, profile) = (mask & 1 != 0, mask & 2 != 0, mask & 4 != 0);
        let home = FakeHome::new(profile.then_some(PROFILE_KEYS), None);
        let mut vars = vec![("AWS_EC2_METADATA_DISABLED", "true")];
        if bearer {
            vars.push(("AWS_BEARER_TOKEN_BEDROCK", "bedrock-api-key-token"));
        }
        if env_keys {
            vars.extend([
                ("AWS_ACCESS_KEY_ID", "ENVKEY"),
                ("AWS_SECRET_ACCESS_KEY", "envsecret"),
            ]);
        }
        let (result, requests) = resolve(home.env(&vars));
        let expected = if bearer {
            Some(CredentialSource::BearerTokenEnv)
        } else if env_keys {
            Some(CredentialSource::Environment)
        } else if profile {
            Some(CredentialSource::Profile {
                name: "default".into(),
                via: "static keys",
            })
        } else {
            None
        };
        match (result, expected) {
            (Ok(resolved), Some(source)) => {
                assert_eq!(resolved.source, source, "mask {mask}");
                match &resolved.auth {
                    Auth::Bearer(token) => assert_eq!(token.expose(), "bedrock-api-key-token"),
                    Auth::SigV4(c) if env_keys => assert_eq!(c.access_key_id, "ENVKEY"),
                    Auth::SigV4(c) => assert_eq!(c.access_key_id, "PROFILEKEY"),
                }
            }
            (Err(CredentialsError::NotLoaded { .. }), None) => {}
            (other, expected) => panic!("mask {mask}: got {other:?}, expected {expected:?}"),
        }
        assert!(requests.is_empty(), "mask {mask}: {requests:?}");
    }
}

#[test]
fn nothing_configured_lists_every_source_tried() {
    let home = FakeHome::new(None, None);
    let (result, requests) = resolve(home.env(&[]));
    let Err(CredentialsError::NotLoaded { source, reason }) = result else {
        panic!("expected not loaded, got {result:?}");
    };
    assert_eq!(source, "chain");
    assert!(
        reason.starts_with("no usable credentials; tried "),
        "{reason}"
    );
    let mut position = 0;
    for name in [
        "bearer (",
        "env (",
        "profile (",
        "web-identity (",
        "container (",
        "imds (",
    ] {
        let found = reason[position..]
            .find(name)
            .unwrap_or_else(|| panic!("{name} missing or out of order in {reason}"));
        position += found;
    }
    assert!(!reason.contains('\n'));
    // IMDS was asked (and found offline), last.
    assert!(!requests.is_empty());
    assert!(
        requests.iter().all(|r| r.contains("169.254.169.254")),
        "{requests:?}"
    );
}

#[test]
fn half_configured_environment_stops_the_chain() {
    let home = FakeHome::new(Some(PROFILE_KEYS), None);
    let (result, requests) = resolve(home.env(&[("AWS_ACCESS_KEY_ID", "ENVKEY")]));
    assert_eq!(
        result.unwrap_err().to_string(),
        "env: invalid configuration: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"
    );
    assert!(requests.is_empty());
}

#[test]
fn malformed_config_stops_the_chain_naming_file_and_line() {
    let home = FakeHome::new(
        Some("[default]\nregion = us-east-1\nnot a property\n"),
        None,
    );
    let (result, requests) = resolve(home.env(&[]));
    assert_eq!(
        result.unwrap_err(),
        CredentialsError::InvalidConfig {
            source: "profile",
            message: "/home/.aws/config line 3: Expected an '=' sign defining a property".into(),
        }
    );
    assert!(requests.is_empty(), "{requests:?}");
}

#[test]
fn broken_profile_does_not_fall_through_to_imds() {
    let config = "[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/r\n";
    let home = FakeHome::new(Some(config), None);
    let (result, requests) = resolve(home.env(&[("AWS_PROFILE", "dev")]));
    let error = result.unwrap_err();
    assert_eq!(
        error.to_string(),
        "profile: invalid configuration: profile `dev` key `role_arn` (/home/.aws/config line 2): \
         needs `source_profile` or `credential_source`, and neither is set"
    );
    assert!(requests.is_empty());
}

#[test]
fn profile_without_credentials_falls_through() {
    let home = FakeHome::new(Some("[default]\nregion = eu-west-1\n"), None);
    let (result, _) = resolve(home.env(&[("AWS_EC2_METADATA_DISABLED", "true")]));
    let Err(CredentialsError::NotLoaded { reason, .. }) = result else {
        panic!("expected not loaded, got {result:?}");
    };
    assert!(
        reason.contains("profile (profile `default` has no credential keys)"),
        "{reason}"
    );
}

#[test]
fn unknown_selected_profile_falls_through() {
    let home = FakeHome::new(Some(PROFILE_KEYS), None);
    let http = Arc::new(Offline::default());
    let env = home.env(&[("AWS_EC2_METADATA_DISABLED", "true")]);
    let chain = DefaultChain::new(env, http, Some("nope".into()));
    let result = runtime().block_on(chain.resolve());
    let Err(CredentialsError::NotLoaded { reason, .. }) = result else {
        panic!("expected not loaded, got {result:?}");
    };
    assert!(
        reason.contains(
            "profile `nope` is not defined in /home/.aws/config or /home/.aws/credentials"
        ),
        "{reason}"
    );
}

#[test]
fn profile_override_beats_aws_profile() {
    let config = "[profile a]\naws_access_key_id = AKEY\naws_secret_access_key = a\n\
                  [profile b]\naws_access_key_id = BKEY\naws_secret_access_key = b\n";
    let home = FakeHome::new(Some(config), None);
    let env = home.env(&[("AWS_PROFILE", "a")]);
    let chain = DefaultChain::new(env, Arc::new(Offline::default()), Some("b".into()));
    let resolved = runtime().block_on(chain.resolve()).expect("profile b");
    assert_eq!(sigv4(&resolved).access_key_id, "BKEY");
    assert_eq!(
        resolved.source,
        CredentialSource::Profile {
            name: "b".into(),
            via: "static keys"
        }
    );
}

#[test]
fn an_explicit_profile_takes_env_keys_out_but_aws_profile_does_not() {
    let config = "[profile b]\naws_access_key_id = BKEY\naws_secret_access_key = b\n";
    let home = FakeHome::new(Some(config), None);
    let keys = [
        ("AWS_ACCESS_KEY_ID", "ENVKEY"),
        ("AWS_SECRET_ACCESS_KEY", "e"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ];
    // `--profile b`: the profile answers although env keys are set.
    let explicit = DefaultChain::new(
        home.env(&keys),
        Arc::new(Offline::default()),
        Some("b".into()),
    );
    let resolved = runtime().block_on(explicit.resolve()).expect("profile b");
    assert_eq!(sigv4(&resolved).access_key_id, "BKEY");
    // `AWS_PROFILE=b`: the SDKs' order, env keys first.
    let mut with_env_profile = keys.to_vec();
    with_env_profile.push(("AWS_PROFILE", "b"));
    let sdk_order = DefaultChain::new(
        home.env(&with_env_profile),
        Arc::new(Offline::default()),
        None,
    );
    let resolved = runtime().block_on(sdk_order.resolve()).expect("env keys");
    assert_eq!(resolved.source, CredentialSource::Environment);
    // The bearer token still comes first, explicit profile or not.
    let mut with_token = keys.to_vec();
    with_token.push(("AWS_BEARER_TOKEN_BEDROCK", "bedrock-api-key-x"));
    let bearer = DefaultChain::new(
        home.env(&with_token),
        Arc::new(Offline::default()),
        Some("b".into()),
    );
    let resolved = runtime().block_on(bearer.resolve()).expect("token");
    assert_eq!(resolved.source, CredentialSource::BearerTokenEnv);
    // An explicit profile without keys does not fall back to env keys.
    let empty = FakeHome::new(Some("[profile c]\nregion = eu-west-1\n"), None);
    let result = runtime().block_on(
        DefaultChain::new(
            empty.env(&keys),
            Arc::new(Offline::default()),
            Some("c".into()),
        )
        .resolve(),
    );
    let Err(CredentialsError::NotLoaded { reason, .. }) = result else {
        panic!("expected not loaded, got {result:?}");
    };
    assert!(
        reason.contains("the profile `c` was given explicitly"),
        "{reason}"
    );
}

#[test]
fn credential_process_profile_with_account_fallback() {
    let config = "[default]\ncredential_process = printf '{\"Version\":1,\"AccessKeyId\":\"PROC\",\"SecretAccessKey\":\"s\"}'\naws_account_id = 111122223333\n";
    let home = FakeHome::new(Some(config), None);
    let (result, requests) = resolve(home.env(&[]));
    let resolved = result.expect("process credentials");
    assert_eq!(
        resolved.source,
        CredentialSource::Profile {
            name: "default".into(),
            via: "credential_process"
        }
    );
    let credentials = sigv4(&resolved);
    assert_eq!(credentials.access_key_id, "PROC");
    assert_eq!(credentials.account_id.as_deref(), Some("111122223333"));
    assert!(requests.is_empty());
}

#[test]
fn a_cache_over_the_chain_resolves_static_keys_once() {
    let home = FakeHome::new(Some(PROFILE_KEYS), None);
    let http = Arc::new(Offline::default());
    let chain = DefaultChain::new(home.env(&[]), http, None);
    let cache = CredentialsCache::new(chain);
    let rt = runtime();
    let first = rt.block_on(cache.get()).expect("first");
    // Changing the files does not matter any more: long-term keys are kept.
    std::fs::write(home.root.join("home/.aws/config"), "[default]\nbroken").expect("write");
    let second = rt.block_on(cache.get()).expect("cached");
    assert_eq!(first, second);
}

// ---------------------------------------------------------------------------
// The official case folders that need no HTTP traffic.

/// What a local case folder must give, besides what its `test-case.json` says.
enum Expect {
    /// The credentials of `test-case.json`.
    Credentials,
    /// Every source passed.
    NotLoaded,
    /// The chain stopped with an error whose message contains this.
    Stops(&'static str),
}

const LOCAL_CASES: &[(&str, &str, Expect)] = &[
    (
        "default-credential-provider-chain",
        "environment_variables",
        Expect::Credentials,
    ),
    (
        "default-credential-provider-chain",
        "environment_variables_blank",
        Expect::Credentials,
    ),
    (
        "default-credential-provider-chain",
        "prefer_environment",
        Expect::Credentials,
    ),
    (
        "default-credential-provider-chain",
        "profile_static_keys",
        Expect::Credentials,
    ),
    (
        "default-credential-provider-chain",
        "profile_overrides_web_identity",
        Expect::Stops("in profile `A`: env: not configured"),
    ),
    (
        "default-credential-provider-chain",
        "web_identity_source_profile_no_env",
        Expect::Stops("`web_identity_token_file` was specified but `role_arn` was missing"),
    ),
    (
        "default-credential-provider-chain",
        "imds_disabled",
        Expect::NotLoaded,
    ),
    (
        "profile-provider",
        "credential_process",
        Expect::Credentials,
    ),
    (
        "profile-provider",
        "credential_process_failure",
        Expect::Stops("exited with code 1"),
    ),
    (
        "profile-provider",
        "credential_process_invalid",
        Expect::Stops("invalid JSON in response"),
    ),
    ("profile-provider", "empty_config", Expect::NotLoaded),
    (
        "profile-provider",
        "invalid_sso_credentials_config",
        Expect::Stops("selected profile will resolve an access token instead of credentials"),
    ),
];

#[test]
fn local_case_folders() {
    let Some(dir) = common::vectors("credentials") else {
        return;
    };
    for (folder, case, expect) in LOCAL_CASES {
        run_case(&dir.join(folder).join(case), expect);
    }
}

fn run_case(case: &Path, expect: &Expect) {
    let name = case.display().to_string();
    let read_json = |file: &str| -> Value {
        let text = std::fs::read_to_string(case.join(file))
            .unwrap_or_else(|e| panic!("{name}/{file}: {e}"));
        serde_json::from_str(&text).expect("valid JSON")
    };
    let vars: Vec<(String, String)> = read_json("env.json")
        .as_object()
        .expect("env object")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().expect("string").to_owned()))
        .collect();
    let env = Env::from_vars(vars)
        .with_fs_root(case.join("fs"))
        .with_now(UNIX_EPOCH);
    let http = Arc::new(Offline::default());
    let chain = DefaultChain::new(env, http.clone(), None);
    let result = runtime().block_on(chain.resolve());
    let expected = &read_json("test-case.json")["result"];
    match (expect, result) {
        (Expect::Credentials, Ok(resolved)) => {
            let ok = &expected["Ok"];
            let credentials = sigv4(&resolved);
            assert_eq!(credentials.access_key_id, ok["access_key_id"], "{name}");
            assert_eq!(
                credentials.secret_access_key.expose(),
                ok["secret_access_key"],
                "{name}"
            );
            assert_eq!(
                credentials.session_token.as_ref().map(Secret::expose),
                ok["session_token"].as_str(),
                "{name}"
            );
            assert_eq!(
                credentials.account_id.as_deref(),
                ok["account_id"].as_str(),
                "{name}"
            );
            let expiry = ok["expiry"]
                .as_u64()
                .map(|s| UNIX_EPOCH + Duration::from_secs(s));
            assert_eq!(credentials.expiry, expiry, "{name}");
        }
        (Expect::NotLoaded, Err(CredentialsError::NotLoaded { .. })) => {
            assert!(expected["ErrorContains"].is_string(), "{name}");
        }
        (Expect::Stops(wanted), Err(error)) => {
            assert!(expected["ErrorContains"].is_string(), "{name}");
            assert!(
                !matches!(error, CredentialsError::NotLoaded { .. }),
                "{name}: {error}"
            );
            let message = error.to_string();
            assert!(message.contains(wanted), "{name}: {message}");
            assert!(!message.contains('\n'), "{name}: {message}");
        }
        (_, other) => panic!("{name}: unexpected {other:?}"),
    }
    // Nothing local needs the network; only IMDS may be tried, at the very end.
    assert!(
        http.requests()
            .iter()
            .all(|r| r.contains("169.254.169.254")),
        "{name}: {:?}",
        http.requests()
    );
}
