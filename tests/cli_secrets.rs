//! No secret ever reaches the CLI's output or a library type's `Debug`.
//!
//! Every command and error path runs with known secrets in the environment
//! and in files: a secret access key and session token (environment and
//! shared credentials file), a bearer token, an SSO token in the SSO cache, a
//! proxy password in `HTTPS_PROXY` / `HTTP_PROXY`, a gateway key in the config,
//! a web identity token, a container authorization token and a
//! `credential_process` that prints a secret. Then none of them may appear in
//! stdout or stderr, nor in the `Debug` (or `Display`) text of `Settings`,
//! `Client`, credentials and errors. Also checks `credentials` and `token`
//! from the outside.
#![cfg(all(feature = "emulator", feature = "cli"))]

mod common;

use std::net::Ipv4Addr;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use bedrock_lite::credentials::{Auth, Credentials, CredentialsError, Secret};
use bedrock_lite::emulator::{Emulator, DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY};
use bedrock_lite::env::Env;
use bedrock_lite::{Client, ConverseRequest, Message, Settings};
use serde_json::Value;

use common::cli::{Ran, Run, ScratchDir};
use common::raw_http::{self, RawServer};

const SECRET_KEY: &str = "SeCrEtKeY0123456789abcdefghijSECRET";
const SESSION_TOKEN: &str = "SeSsIoNtOkEn0123456789SESSIONTOKEN";
const PROFILE_SECRET: &str = "PrOfIlEsEcReT0123456789PROFILESECRET";
const PROFILE_TOKEN: &str = "PrOfIlEtOkEn0123456789PROFILETOKEN";
const BEARER: &str = "bedrock-api-key-QmVBcmVyU2VDckVUMDEyMzQ1Njc4OQ==";
const SSO_TOKEN: &str = "SsOaCcEsStOkEn0123456789SSOTOKEN";
const PROXY_PASSWORD: &str = "PrOxYpAsSwOrD0123456789";
const GATEWAY_KEY: &str = "blk-GaTeWaYkEy0123456789GATEWAYKEYabcdefghijk";
const PROCESS_SECRET: &str = "PrOcEsSsEcReT0123456789PROCESS";
const WEB_IDENTITY_TOKEN: &str = "WeBiDeNtItYtOkEn0123456789WEBID";
const CONTAINER_TOKEN: &str = "CoNtAiNeRtOkEn0123456789CONTAINER";

/// Every secret, and the telling parts of encoded ones.
const SECRETS: [&str; 12] = [
    SECRET_KEY,
    SESSION_TOKEN,
    PROFILE_SECRET,
    PROFILE_TOKEN,
    BEARER,
    "QmVBcmVyU2VDckVU",
    SSO_TOKEN,
    PROXY_PASSWORD,
    GATEWAY_KEY,
    PROCESS_SECRET,
    WEB_IDENTITY_TOKEN,
    CONTAINER_TOKEN,
];

/// The SHA-256 (hex) of [`GATEWAY_KEY`], as `gateway key add` stores it.
const GATEWAY_KEY_SHA256: &str = "fd73cce603d7e18b98cbf83e098b70fe297fd5c8856f11e8b4c0a3af73b4cc1e";

/// A proxy URL carrying [`PROXY_PASSWORD`]; nothing listens there.
fn proxy_url() -> String {
    format!("http://proxyuser:{PROXY_PASSWORD}@127.0.0.1:9")
}

/// A scratch home with secrets in every file the tool may read: the shared
/// credentials and config files (profiles of each credential source), the
/// SSO cache, a web identity token file, the config file with gateway keys
/// and an OpenClaw config to import.
fn home() -> ScratchDir {
    let home = ScratchDir::new("cli-secrets");
    home.write(
        ".aws/credentials",
        format!(
            "[default]\naws_access_key_id = AKIDPROFILE0000WXYZ\naws_secret_access_key = {PROFILE_SECRET}\n\
             aws_session_token = {PROFILE_TOKEN}\n\
             [broken]\naws_access_key_id = AKIDBROKEN00000WXYZ\naws_session_token = {PROFILE_TOKEN}\n"
        ),
    );
    home.write(
        ".aws/config",
        format!(
            "[default]\nregion = eu-west-3\n\
             [profile sso]\nsso_session = secrets\nsso_account_id = 123456789012\nsso_role_name = R\n\
             [sso-session secrets]\nsso_region = us-east-1\nsso_start_url = https://secrets.awsapps.com/start\n\
             [profile role]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = default\n\
             [profile process]\ncredential_process = sh -c 'echo \"{{\\\"Version\\\": 1, \\\"SecretAccessKey\\\": \\\"{PROCESS_SECRET}\\\"\"; echo the login expired >&2; exit 1'\n\
             [profile process-json]\ncredential_process = sh -c 'echo \"{{\\\"Version\\\": 1, \\\"SecretAccessKey\\\": \\\"{PROCESS_SECRET}\\\", broken\"'\n"
        ),
    );
    home.write(
        &common::sso_cache::file_for("secrets"),
        format!(r#"{{"accessToken":"{SSO_TOKEN}","expiresAt":"2100-01-01T00:00:00Z"}}"#),
    );
    home.write("web-identity-token", WEB_IDENTITY_TOKEN);
    home.write(
        ".config/bedrock-lite/config.json",
        format!(
            r#"{{"gateway":{{"keys":[{{"name":"team","sha256":"{GATEWAY_KEY_SHA256}"}}]}},
                "guardrail":{{"guardrailIdentifier":"g1","guardrailVersion":"1"}}}}"#
        ),
    );
    home.write(
        "openclaw.json",
        format!(
            r#"{{ // an OpenClaw config with secrets where people put them
              env: {{ AWS_SECRET_ACCESS_KEY: "{SECRET_KEY}", AWS_BEARER_TOKEN_BEDROCK: "{BEARER}" }},
              models: {{ providers: {{ "amazon-bedrock": {{ apiKey: "{BEARER}", models: [] }} }} }},
              plugins: {{ entries: {{ "amazon-bedrock": {{ config: {{ discovery: {{ enabled: true }} }} }} }} }},
            }}"#
        ),
    );
    home
}

/// Fails the test if any secret is in `text`.
fn assert_no_secret(text: &str, what: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what} shows `{secret}`: {text}");
    }
    let basic = proxy_basic_credentials();
    assert!(
        !text.contains(&basic),
        "{what} shows the proxy's Basic credentials: {text}"
    );
}

/// `proxyuser:PROXY_PASSWORD` in base64, as a `Proxy-Authorization` carries it.
fn proxy_basic_credentials() -> String {
    bedrock_lite::base64::encode(format!("proxyuser:{PROXY_PASSWORD}").as_bytes())
}

fn assert_output_has_no_secret(ran: &Ran, what: &str) {
    assert_no_secret(&ran.stdout(), &format!("`{what}` (stdout)"));
    assert_no_secret(&ran.stderr(), &format!("`{what}` (stderr)"));
}

/// One environment: names and values.
type Vars = Vec<(&'static str, String)>;

/// Access keys and a session token in the environment, a proxy password.
fn env_keys() -> Vars {
    vec![
        ("AWS_ACCESS_KEY_ID", "AKIDENV00000000ABCD".into()),
        ("AWS_SECRET_ACCESS_KEY", SECRET_KEY.into()),
        ("AWS_SESSION_TOKEN", SESSION_TOKEN.into()),
        ("HTTPS_PROXY", proxy_url()),
    ]
}

/// A bearer token in the environment, a proxy password.
fn env_bearer() -> Vars {
    vec![
        ("AWS_BEARER_TOKEN_BEDROCK", BEARER.into()),
        ("HTTPS_PROXY", proxy_url()),
    ]
}

/// Every command (with and without `-v`, and with `--json`): its arguments
/// after the global flags.
fn commands(fixture: &str) -> Vec<Vec<&str>> {
    let model = "amazon.nova-micro-v1:0";
    let base: Vec<Vec<&str>> = vec![
        vec!["chat", "-m", model, "hi"],
        vec!["chat", "-m", model, "--no-stream", "hi"],
        vec!["count-tokens", "-m", model, "hi"],
        vec!["guardrail", "apply", "--id", "g1", "--version", "1", "hi"],
        vec!["embed", "-m", "amazon.titan-embed-text-v2:0", "hi"],
        vec!["models", "list"],
        vec!["models", "status"],
        vec!["models", "status", "--probe"],
        vec!["credentials"],
        vec!["token"],
        vec!["token", "inspect", BEARER],
        vec!["config", "get", "gateway"],
        vec!["config", "path"],
        vec!["gateway", "key", "list"],
        vec!["eventstream", "decode", fixture],
        vec!["no-such-command"],
    ];
    let mut all = Vec::new();
    for args in base {
        let mut verbose = vec!["-v"];
        verbose.extend_from_slice(&args);
        let mut json = vec!["--json", "-v"];
        json.extend_from_slice(&args);
        all.extend([args, verbose, json]);
    }
    all
}

/// Runs `args` in `home` with `vars` (and `--endpoint-url endpoint` first).
fn run(home: &ScratchDir, vars: &Vars, endpoint: &str, args: &[&str]) -> Ran {
    let mut all = vec!["--endpoint-url", endpoint];
    all.extend_from_slice(args);
    let mut run = Run::new(home.path(), &all).limit(Duration::from_secs(30));
    for (name, value) in vars {
        run = run.env(name, value);
    }
    run.run_blocking()
}

/// Runs every one of `commands` as [`run`] does, many at a time (most of
/// their time is spent waiting on the network or on retries), and checks
/// that none prints a secret. Returns how many succeeded.
fn run_all_without_secrets(
    home: &ScratchDir,
    vars: &Vars,
    endpoint: &str,
    commands: &[Vec<&str>],
) -> usize {
    let mut succeeded = 0;
    for batch in commands.chunks(24) {
        std::thread::scope(|scope| {
            let runs: Vec<_> = batch
                .iter()
                .map(|args| scope.spawn(move || (args.join(" "), run(home, vars, endpoint, args))))
                .collect();
            for handle in runs {
                let (what, ran) = handle.join().expect("the run ends");
                assert_output_has_no_secret(&ran, &what);
                succeeded += usize::from(ran.code() == Some(0));
            }
        });
    }
    succeeded
}

fn fixture() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/converse-stream.bin").to_owned()
}

#[tokio::test]
async fn no_command_prints_a_secret_when_calls_succeed_or_are_refused() {
    let emulator = Emulator::start(0).await.expect("starts");
    let endpoint = emulator.endpoint();
    tokio::task::spawn_blocking(move || {
        let home = home();
        let fixture = fixture();
        // The demo keys (accepted) with a session token, and the secrets
        // around them; then secrets the emulator refuses (403).
        let mut demo = vec![
            ("AWS_ACCESS_KEY_ID", DEMO_ACCESS_KEY_ID.to_owned()),
            ("AWS_SECRET_ACCESS_KEY", DEMO_SECRET_ACCESS_KEY.to_owned()),
            ("HTTPS_PROXY", proxy_url()),
        ];
        demo.push(("NO_PROXY", "example.com".into()));
        let commands = commands(&fixture);
        // The demo keys' runs reach the service and succeed; the others are refused.
        let succeeded = run_all_without_secrets(&home, &demo, &endpoint, &commands);
        assert!(succeeded >= 30, "{succeeded} runs succeeded");
        for vars in [env_keys(), env_bearer()] {
            run_all_without_secrets(&home, &vars, &endpoint, &commands);
        }
    })
    .await
    .expect("the runs end");
    drop(emulator);
}

#[tokio::test]
async fn no_command_prints_a_secret_when_the_network_fails() {
    // A proxy (with a password in its URL) that refuses everything: 407 to
    // plain requests and to `CONNECT`s alike. Nothing listens at the endpoint.
    let proxy = RawServer::answering(
        Ipv4Addr::LOCALHOST,
        raw_http::response(407, &[("proxy-authenticate", "Basic realm=\"test\"")], ""),
    )
    .await;
    let proxy_url = format!(
        "http://proxyuser:{PROXY_PASSWORD}@127.0.0.1:{}",
        proxy.addr().port()
    );
    let used = tokio::task::spawn_blocking(move || {
        let home = home();
        let fixture = fixture();
        for (mut vars, endpoint) in [
            (env_keys(), "http://127.0.0.1:9"),
            (env_bearer(), "https://127.0.0.1:9"),
        ] {
            vars.retain(|(name, _)| *name != "HTTPS_PROXY");
            vars.push(("HTTP_PROXY", proxy_url.clone()));
            vars.push(("HTTPS_PROXY", proxy_url.clone()));
            run_all_without_secrets(&home, &vars, endpoint, &commands(&fixture));
        }
    });
    used.await.expect("the runs end");
    // The proxy was used, with the password (as Basic credentials).
    let asked = proxy.seen();
    assert!(
        asked.iter().any(|r| r.method == "CONNECT"),
        "no HTTPS call went through the proxy"
    );
    assert!(
        asked.iter().any(|r| r.method != "CONNECT"),
        "no HTTP call went through the proxy"
    );
    let basic = format!("Basic {}", proxy_basic_credentials());
    assert!(
        asked
            .iter()
            .all(|r| r.header("proxy-authorization") == Some(basic.as_str())),
        "the proxy credentials were not sent"
    );
}

#[test]
fn failing_credentials_of_every_source_print_no_secret() {
    let home = home();
    let nowhere = "http://127.0.0.1:9".to_owned();
    let no_shared_credentials = (
        "AWS_SHARED_CREDENTIALS_FILE",
        "/nonexistent/credentials".to_owned(),
    );
    let proxy = ("HTTPS_PROXY", proxy_url());
    let token_file = home.path().join("web-identity-token");
    let sources: Vec<(&str, Vars)> = vec![
        (
            "env: a key id without its secret",
            vec![
                ("AWS_ACCESS_KEY_ID", "AKIDENV00000000ABCD".into()),
                ("AWS_SESSION_TOKEN", SESSION_TOKEN.into()),
                proxy.clone(),
            ],
        ),
        (
            "profile: a key id without its secret",
            vec![("AWS_PROFILE", "broken".into()), proxy.clone()],
        ),
        (
            "credential_process: fails, a secret on stdout",
            vec![("AWS_PROFILE", "process".into())],
        ),
        (
            "credential_process: broken JSON with a secret",
            vec![("AWS_PROFILE", "process-json".into())],
        ),
        (
            "sso: the portal is unreachable",
            vec![
                ("AWS_PROFILE", "sso".into()),
                ("AWS_ENDPOINT_URL_SSO", nowhere.clone()),
            ],
        ),
        (
            "sts: unreachable",
            vec![
                ("AWS_PROFILE", "role".into()),
                ("AWS_ENDPOINT_URL_STS", nowhere.clone()),
            ],
        ),
        (
            "web identity: STS unreachable",
            vec![
                no_shared_credentials.clone(),
                (
                    "AWS_WEB_IDENTITY_TOKEN_FILE",
                    token_file.display().to_string(),
                ),
                ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/r".into()),
                ("AWS_ENDPOINT_URL_STS", nowhere.clone()),
            ],
        ),
        (
            "container: unreachable",
            vec![
                no_shared_credentials.clone(),
                (
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                    format!("{nowhere}/credentials"),
                ),
                ("AWS_CONTAINER_AUTHORIZATION_TOKEN", CONTAINER_TOKEN.into()),
            ],
        ),
        (
            "imds: unreachable",
            vec![
                no_shared_credentials.clone(),
                ("AWS_EC2_METADATA_DISABLED", "false".into()),
                ("AWS_EC2_METADATA_SERVICE_ENDPOINT", nowhere.clone()),
            ],
        ),
    ];
    for (source, vars) in sources {
        for args in [
            &["credentials"][..],
            &["-v", "credentials", "--json"],
            &["-v", "chat", "-m", "amazon.nova-micro-v1:0", "hi"],
            &["token"],
        ] {
            let ran = run(&home, &vars, &nowhere, args);
            assert_ne!(ran.code(), Some(0), "{source}: {}", ran.stdout());
            assert_output_has_no_secret(&ran, &format!("{source}: {}", args.join(" ")));
        }
    }
    // The process's stderr is its diagnostics, shown as botocore shows it
    // (so a process must not print secrets there); its stdout never is.
    let process = vec![("AWS_PROFILE", "process".into())];
    let ran = run(&home, &process, &nowhere, &["credentials"]);
    ran.assert_one_error_line(3, &["credential_process", "the login expired"]);
}

#[test]
fn config_commands_print_no_secret() {
    let home = home();
    let vars = env_keys();
    let openclaw = home.path().join("openclaw.json");
    let openclaw = openclaw.to_str().expect("a UTF-8 path");
    for args in [
        &["config", "import", openclaw][..],
        &["config", "import", openclaw, "--force"],
        &["-v", "--json", "config", "import", openclaw, "--force"],
        &["config", "set", "region", "eu-west-1"],
        &["-v", "config", "get", "gateway.keys"],
        &["config", "get", "region"],
        // A raw gateway key where its hash belongs: refused without echoing it.
        &["config", "set", "gateway.keys[0].sha256", GATEWAY_KEY],
        &["-v", "config", "get", "gateway"],
        &["-v", "gateway", "key", "list"],
    ] {
        let ran = run(&home, &vars, "http://127.0.0.1:9", args);
        assert_output_has_no_secret(&ran, &args.join(" "));
    }
    // What `config import` wrote holds no secret either.
    let written = std::fs::read_to_string(home.path().join(".config/bedrock-lite/config.json"))
        .expect("the config file");
    assert_no_secret(&written, "the imported config file");
}

#[test]
fn emulate_prints_no_secret_on_startup() {
    let home = home();
    let mut child = Command::new(common::cli::BIN)
        .args(["-v", "emulate", "--port", "0"])
        .env_clear()
        .env("HOME", home.path())
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .env("AWS_SESSION_TOKEN", SESSION_TOKEN)
        .env("AWS_BEARER_TOKEN_BEDROCK", BEARER)
        .env("HTTPS_PROXY", proxy_url())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    // Its startup lines, then stop it.
    std::thread::sleep(Duration::from_millis(1500));
    let _ = child.kill();
    let output = child.wait_with_output().expect("the binary ends");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("http://127.0.0.1:"), "{stdout}");
    assert_no_secret(&stdout, "emulate (stdout)");
    assert_no_secret(&String::from_utf8_lossy(&output.stderr), "emulate (stderr)");
}

#[tokio::test]
async fn library_debug_and_errors_show_no_secret() {
    let home = home();
    let vars: Vec<(&str, String)> = vec![
        ("HOME", home.path().display().to_string()),
        ("AWS_ACCESS_KEY_ID", "AKIDENV00000000ABCD".into()),
        ("AWS_SECRET_ACCESS_KEY", SECRET_KEY.into()),
        ("AWS_SESSION_TOKEN", SESSION_TOKEN.into()),
        ("AWS_BEARER_TOKEN_BEDROCK", BEARER.into()),
        ("HTTPS_PROXY", proxy_url()),
        ("HTTP_PROXY", proxy_url()),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", CONTAINER_TOKEN.into()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
    ];
    let env = Env::from_vars(vars.iter().map(|(k, v)| (*k, v.as_str())));
    let settings = Settings::builder()
        .env(env.clone())
        .endpoint_url("http://127.0.0.1:9")
        .resolve()
        .expect("settings");
    assert_no_secret(&format!("{settings:?}"), "Settings");
    let client = Client::new(settings.clone());
    assert_no_secret(&format!("{client:?}"), "Client");
    let resolved = settings
        .credentials
        .resolve()
        .await
        .expect("the bearer token");
    assert_no_secret(&format!("{resolved:?}"), "the resolved credentials");
    assert_no_secret(&format!("{:?}", resolved.auth), "Auth");
    let http = Arc::clone(&settings.http);
    assert_no_secret(&format!("{http:?}"), "the HTTP client");
    // SigV4 credentials, from the environment (no bearer token) and by hand.
    let keys = Env::from_vars(
        vars.iter()
            .filter(|(name, _)| *name != "AWS_BEARER_TOKEN_BEDROCK")
            .map(|(name, value)| (*name, value.as_str())),
    );
    let sigv4 = Settings::builder()
        .env(keys)
        .endpoint_url("http://127.0.0.1:9")
        .resolve()
        .expect("settings")
        .credentials
        .resolve()
        .await
        .expect("the environment's keys");
    assert!(matches!(sigv4.auth, Auth::SigV4(_)), "{sigv4:?}");
    assert_no_secret(&format!("{sigv4:?} {:?}", sigv4.auth), "SigV4 credentials");
    let mut credentials = Credentials::new("AKIDBYHAND000000ABCD", SECRET_KEY);
    credentials.session_token = Some(Secret::new(SESSION_TOKEN));
    assert_no_secret(&format!("{credentials:?}"), "Credentials");

    // A call through the unreachable proxy: the error, its Debug and its sources.
    let request = ConverseRequest::new().message(Message::user("hi"));
    let error = client
        .converse("amazon.nova-micro-v1:0", &request)
        .await
        .expect_err("nothing listens");
    assert_no_secret(&format!("{error} {error:?}"), "BedrockError");
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        assert_no_secret(&format!("{cause} {cause:?}"), "a cause");
        source = cause.source();
    }
    // The HTTP client's own error.
    let error = http
        .send(bedrock_lite::http::HttpRequest {
            method: "GET".into(),
            uri: "http://127.0.0.1:9/".into(),
            headers: vec![("authorization".into(), format!("Bearer {BEARER}"))],
            body: bytes::Bytes::new(),
            connect_timeout: Duration::from_secs(2),
            response_timeout: Duration::from_secs(5),
            direct: false,
        })
        .await
        .expect_err("nothing listens");
    assert_no_secret(&format!("{error} {error:?}"), "HttpError");

    // Credentials errors of the profile sources (only the home's files set).
    let home_only = home.path().display().to_string();
    for profile in ["broken", "process", "process-json"] {
        let env = Env::from_vars([("HOME", home_only.as_str())]);
        let chain = bedrock_lite::credentials::chain::DefaultChain::new(
            env,
            Arc::clone(&http),
            Some(profile.into()),
        );
        let error: CredentialsError = chain.resolve().await.expect_err("fails");
        assert_no_secret(&format!("{error} {error:?}"), profile);
    }
}

#[test]
fn credentials_masks_the_key_id_and_names_the_source() {
    let home = home();
    let keys = vec![
        ("AWS_ACCESS_KEY_ID", "AKIDENV00000000ABCD".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", SECRET_KEY.to_owned()),
    ];
    let ran = run(
        &home,
        &keys,
        "http://127.0.0.1:9",
        &["credentials", "--json"],
    );
    assert!(ran.output.status.success(), "{}", ran.stderr());
    let json: Value = serde_json::from_slice(&ran.output.stdout).expect("JSON");
    assert_eq!(json["accessKeyId"], "***************ABCD");
    assert_eq!(json["source"], "env");
    assert_eq!(json["region"], "eu-west-3");

    let ran = run(
        &home,
        &vec![],
        "http://127.0.0.1:9",
        &["credentials", "--json"],
    );
    let json: Value = serde_json::from_slice(&ran.output.stdout).expect("JSON");
    assert_eq!(json["source"], "profile:default (static keys)");
    assert_eq!(json["accessKeyId"], "***************WXYZ");

    // A key id without its secret names the missing variable: a config error.
    let key_only = vec![("AWS_ACCESS_KEY_ID", "AKIDENV00000000ABCD".to_owned())];
    let ran = run(&home, &key_only, "http://127.0.0.1:9", &["credentials"]);
    ran.assert_one_error_line(2, &["AWS_SECRET_ACCESS_KEY"]);
}

#[test]
fn token_mints_a_key_that_inspect_reads_back() {
    let home = home();
    let env = vec![
        ("AWS_ACCESS_KEY_ID", "AKIDENV00000000ABCD".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", SECRET_KEY.to_owned()),
        ("AWS_REGION", "ap-southeast-2".to_owned()),
    ];
    let nowhere = "http://127.0.0.1:9";
    let ran = run(&home, &env, nowhere, &["token", "--expires-in", "900"]);
    assert!(ran.output.status.success(), "{}", ran.stderr());
    let key = ran.stdout().trim().to_owned();
    assert!(key.starts_with("bedrock-api-key-"), "{key}");

    let ran = run(
        &home,
        &vec![],
        nowhere,
        &["--json", "token", "inspect", &key],
    );
    assert!(ran.output.status.success(), "{}", ran.stderr());
    let json: Value = serde_json::from_slice(&ran.output.stdout).expect("JSON");
    assert_eq!(json["region"], "ap-southeast-2");
    assert_eq!(json["expired"], false);
    let left = json["secondsLeft"].as_u64().expect("a number");
    assert!((800..=900).contains(&left), "{left}");
    assert_eq!(json["accessKeyId"], "***************ABCD");

    // Out-of-range lifetimes and bearer-only auth are refused.
    let ran = run(&home, &env, nowhere, &["token", "--expires-in", "43201"]);
    assert_eq!(ran.code(), Some(2));
    let bearer = vec![("AWS_BEARER_TOKEN_BEDROCK", BEARER.to_owned())];
    let ran = run(&home, &bearer, nowhere, &["token"]);
    assert_eq!(ran.code(), Some(3));
    let ran = run(&home, &vec![], nowhere, &["token", "inspect", "not-a-key"]);
    assert_eq!(ran.code(), Some(2));
}
