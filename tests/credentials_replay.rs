//! The official credential test vectors (smithy-rs), replayed without a network:
//!
//! * every case folder of `credentials/default-credential-provider-chain/` and
//!   `credentials/profile-provider/`: `env.json` becomes the [`Env`], `fs/` its fake
//!   filesystem root, and `http-traffic.json` is served by [`Replayer`], which checks
//!   each request against the recording in order and answers with the recorded
//!   response; the [`DefaultChain`]'s answer is compared with `test-case.json`;
//! * `imds-endpoint-tests.json` against [`imds::resolve_endpoint`];
//! * `ecs-tests.json` against [`container::endpoint_url`] with a fake DNS (`localhost`
//!   resolves to loopback addresses, every other name to a public address, as in the
//!   smithy-rs harness).
//!
//! What the replayer checks in each request: the method; the URL (query parameters in
//! any order); the headers that do not vary between runs (`content-type`, `accept`,
//! the IMDS token headers, the SSO bearer token) when the recording has them; for STS
//! calls, that a request recorded as SigV4-signed is signed for the `sts` service
//! (with `x-amz-security-token` exactly when the recording signed one) and that an
//! unsigned one (`AssumeRoleWithWebIdentity`) is not; and for form bodies, the same
//! parameter names with the same `Action` and `Version`. It also requires every
//! recorded exchange to be used.
//!
//! Not compared, because the recordings do not match their own fixtures there: the
//! `RoleArn`, `RoleSessionName` and `WebIdentityToken` values (e.g.
//! `web_identity_token_env` records `123456789123` where its `env.json` says
//! `123456789012`, and `web_identity_token_source_profile` records a different token
//! than its `fs/token.jwt`), the signature and date, and the user-agent headers.
//! `tests/credentials_loopback.rs` and the unit tests check those values instead.
//!
//! The clock is fixed per case at the `Date` of the first recorded response (the time
//! the traffic was recorded, when the recorded credentials were fresh), else at
//! 2021-08-01T00:00:00Z. Without it, IMDS would (rightly) extend the long-expired
//! recorded credentials.
//!
//! The profile-provider cases test the profile provider alone; they run through the
//! chain with `AWS_EC2_METADATA_DISABLED=true` added, so that a profile that is not
//! configured ends the chain instead of reaching IMDS, and an `Ok` answer must come
//! from the profile.
//!
//! Skipped cases: none.

mod common;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bedrock_lite::credentials::chain::DefaultChain;
use bedrock_lite::credentials::profile::{
    selected_profile_name, ProfileFileLocations, ProfileSet, SharedConfig, SourceFile,
};
use bedrock_lite::credentials::{
    container, imds, Auth, CredentialSource, CredentialsError, ResolvedAuth,
};
use bedrock_lite::env::Env;
use bedrock_lite::http::{BoxFuture, HttpClient, HttpError, HttpRequest, HttpResponse};
use serde_json::Value;

/// Headers compared by value when the recording has them.
const STABLE_HEADERS: [&str; 5] = [
    "content-type",
    "accept",
    "x-aws-ec2-metadata-token",
    "x-aws-ec2-metadata-token-ttl-seconds",
    "x-amz-sso_bearer_token",
];

/// Form parameters whose values are compared.
const STABLE_FORM_FIELDS: [&str; 2] = ["Action", "Version"];

/// The clock when a case has no recorded response with a `Date`.
const DEFAULT_NOW: u64 = 1_627_776_000; // 2021-08-01T00:00:00Z

/// How a case that expects an error must fail, where we know it: `NotLoaded` when no
/// source was configured (the chain's own "nothing found"), `Stops` when a configured
/// source failed. Cases not listed (e.g. held-back ones) only need an error.
const EXPECTED_ERROR_KINDS: [(&str, ErrorKind); 10] = [
    ("imds_default_chain_error", ErrorKind::NotLoaded),
    ("imds_disabled", ErrorKind::NotLoaded),
    ("empty_config", ErrorKind::NotLoaded),
    ("imds_token_fail", ErrorKind::Stops),
    ("profile_overrides_web_identity", ErrorKind::Stops),
    ("sso_no_token_file", ErrorKind::Stops),
    ("web_identity_source_profile_no_env", ErrorKind::Stops),
    ("invalid_sso_credentials_config", ErrorKind::Stops),
    ("credential_process_failure", ErrorKind::Stops),
    ("credential_process_invalid", ErrorKind::Stops),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ErrorKind {
    NotLoaded,
    Stops,
}

// ------------------------------------------------------------------------------------
// Recorded traffic

/// One recorded request and its response.
#[derive(Debug)]
struct Exchange {
    method: String,
    uri: String,
    /// Lower-case names, first value.
    headers: HashMap<String, String>,
    body: Vec<u8>,
    response: Option<Recorded>,
}

/// A recorded response, its body gathered from the recording's data events.
#[derive(Debug)]
struct Recorded {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// The exchanges of `http-traffic.json`, in the order their requests were made.
fn load_traffic(path: &Path) -> Result<Vec<Exchange>, String> {
    let traffic = read_json(path)?;
    let events = traffic
        .get("events")
        .and_then(Value::as_array)
        .ok_or("no `events` array")?;
    let mut order: Vec<u64> = Vec::new();
    let mut exchanges: HashMap<u64, Exchange> = HashMap::new();
    for event in events {
        let id = event
            .get("connection_id")
            .and_then(Value::as_u64)
            .ok_or("event without connection_id")?;
        let action = event.get("action").ok_or("event without action")?;
        if let Some(request) = action.pointer("/Request/request") {
            order.push(id);
            exchanges.insert(
                id,
                Exchange {
                    method: string_at(request, "/method")?,
                    uri: string_at(request, "/uri")?,
                    headers: first_values(request.get("headers")),
                    body: Vec::new(),
                    response: None,
                },
            );
        } else if let Some(data) = action.get("Data") {
            let exchange = exchanges.get_mut(&id).ok_or("data before its request")?;
            let bytes = body_bytes(data.get("data").ok_or("Data without data")?)?;
            match data.get("direction").and_then(Value::as_str) {
                Some("Request") => exchange.body.extend(bytes),
                Some("Response") => match exchange.response.as_mut() {
                    Some(response) => response.body.extend(bytes),
                    None => return Err("response data before the response".into()),
                },
                other => return Err(format!("unknown data direction {other:?}")),
            }
        } else if let Some(response) = action.pointer("/Response/response") {
            let exchange = exchanges
                .get_mut(&id)
                .ok_or("response before its request")?;
            let ok = response
                .get("Ok")
                .ok_or("only `Ok` recorded responses are supported")?;
            let status = ok
                .get("status")
                .and_then(Value::as_u64)
                .ok_or("no status")?;
            exchange.response = Some(Recorded {
                status: u16::try_from(status).map_err(|e| e.to_string())?,
                headers: first_values(ok.get("headers")).into_iter().collect(),
                body: Vec::new(),
            });
        }
    }
    order
        .into_iter()
        .map(|id| {
            exchanges
                .remove(&id)
                .ok_or_else(|| format!("connection {id} reused"))
        })
        .collect()
}

/// `{"name": ["v1", ...]}` as lower-case name → first value.
fn first_values(headers: Option<&Value>) -> HashMap<String, String> {
    let Some(Value::Object(map)) = headers else {
        return HashMap::new();
    };
    map.iter()
        .filter_map(|(name, values)| {
            let first = values.get(0)?.as_str()?;
            Some((name.to_ascii_lowercase(), first.to_owned()))
        })
        .collect()
}

fn body_bytes(data: &Value) -> Result<Vec<u8>, String> {
    if let Some(text) = data.get("Utf8").and_then(Value::as_str) {
        return Ok(text.as_bytes().to_vec());
    }
    if let Some(encoded) = data.get("Base64").and_then(Value::as_str) {
        return bedrock_lite::base64::decode(encoded).map_err(|e| format!("{e:?}"));
    }
    Err(format!("unknown body encoding: {data}"))
}

/// The `Date` of the first recorded response, as the case's "now".
fn recorded_now(exchanges: &[Exchange]) -> SystemTime {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    exchanges
        .iter()
        .filter_map(|e| {
            let headers = &e.response.as_ref()?.headers;
            headers
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case("date"))
                .map(|(_, value)| value.as_str())
        })
        .find_map(|date| time::PrimitiveDateTime::parse(date, &format).ok())
        .map(|date| SystemTime::from(date.assume_utc()))
        .unwrap_or(UNIX_EPOCH + Duration::from_secs(DEFAULT_NOW))
}

// ------------------------------------------------------------------------------------
// The replaying HTTP client

/// Serves recorded exchanges in order and notes every way a request differs.
#[derive(Debug)]
struct Replayer {
    exchanges: Mutex<VecDeque<Exchange>>,
    problems: Mutex<Vec<String>>,
}

impl Replayer {
    fn new(exchanges: Vec<Exchange>) -> Self {
        Replayer {
            exchanges: Mutex::new(exchanges.into()),
            problems: Mutex::default(),
        }
    }

    /// What went wrong, including recorded exchanges never asked for.
    fn problems(&self) -> Vec<String> {
        let mut problems = self
            .problems
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let left = self
            .exchanges
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        problems.extend(
            left.iter()
                .map(|e| format!("recorded {} {} was never requested", e.method, e.uri)),
        );
        problems
    }
}

impl HttpClient for Replayer {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, HttpError>> {
        let next = self
            .exchanges
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop_front();
        let answer = match next {
            None => {
                self.problems
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(format!(
                        "unexpected request {} {}",
                        request.method, request.uri
                    ));
                Err(HttpError::Connect("no more recorded traffic".into()))
            }
            Some(recorded) => {
                let differences = compare(&recorded, &request);
                self.problems
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .extend(
                        differences
                            .into_iter()
                            .map(|d| format!("{} {}: {d}", request.method, request.uri)),
                    );
                recorded
                    .response
                    .map(|r| HttpResponse {
                        status: r.status,
                        headers: r.headers,
                        body: r.body.into(),
                    })
                    .ok_or_else(|| HttpError::Other("no recorded response".into()))
            }
        };
        Box::pin(async move { answer })
    }
}

/// How `actual` differs from the `recorded` request, in the parts that are stable.
fn compare(recorded: &Exchange, actual: &HttpRequest) -> Vec<String> {
    let mut problems = Vec::new();
    if !recorded.method.eq_ignore_ascii_case(&actual.method) {
        problems.push(format!("method: recorded {}", recorded.method));
    }
    if normalized_url(&recorded.uri) != normalized_url(&actual.uri) {
        problems.push(format!("URL: recorded {}", recorded.uri));
    }
    let header = |name: &str| {
        actual
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    for name in STABLE_HEADERS {
        if let Some(expected) = recorded.headers.get(name) {
            if header(name) != Some(expected.as_str()) {
                problems.push(format!(
                    "header {name}: recorded {expected:?}, sent {:?}",
                    header(name)
                ));
            }
        }
    }
    let recorded_body = String::from_utf8_lossy(&recorded.body);
    if recorded_body.starts_with("Action=") {
        match recorded.headers.get("authorization") {
            Some(signed) if signed.starts_with("AWS4-HMAC-SHA256") => {
                let sent = header("authorization").unwrap_or_default();
                if !sent.starts_with("AWS4-HMAC-SHA256 Credential=")
                    || !sent.contains("/sts/aws4_request")
                {
                    problems.push(format!("not SigV4-signed for sts: authorization {sent:?}"));
                }
                let recorded_token = signed.contains("x-amz-security-token");
                if recorded_token != header("x-amz-security-token").is_some() {
                    problems.push(format!("x-amz-security-token: recorded {recorded_token}"));
                }
            }
            _ => {
                if header("authorization").is_some() {
                    problems.push("signed, but the recording is unsigned".into());
                }
            }
        }
        let expected = form(&recorded_body);
        let sent = form(&String::from_utf8_lossy(&actual.body));
        if expected.keys().ne(sent.keys()) {
            problems.push(format!(
                "form fields: recorded {:?}, sent {:?}",
                expected.keys().collect::<Vec<_>>(),
                sent.keys().collect::<Vec<_>>()
            ));
        }
        for field in STABLE_FORM_FIELDS {
            if expected.get(field) != sent.get(field) {
                problems.push(format!(
                    "form field {field}: recorded {:?}",
                    expected.get(field)
                ));
            }
        }
    }
    problems
}

/// Scheme, host, port, path (`/` when empty) and sorted query pairs.
fn normalized_url(url: &str) -> Option<(String, Vec<(String, String)>)> {
    let parsed = bedrock_lite::http::HttpUrl::parse(url).ok()?;
    let mut query: Vec<(String, String)> = parsed
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (k.to_owned(), v.to_owned())
        })
        .collect();
    query.sort();
    let base = format!(
        "{}://{}:{}{}",
        parsed.scheme(),
        parsed.host(),
        parsed.port(),
        parsed.path()
    );
    Some((base, query))
}

/// The names and (still encoded) values of a form body.
fn form(body: &str) -> BTreeMap<String, String> {
    body.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => (k.to_owned(), v.to_owned()),
            None => (pair.to_owned(), String::new()),
        })
        .collect()
}

// ------------------------------------------------------------------------------------
// Case folders

/// Runs every case folder of `suite`; returns how many passed, or every failure.
async fn run_suite(suite: &str, profile_only: bool) -> Option<Result<usize, Vec<String>>> {
    let dir = common::vectors("credentials")?.join(suite);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|path| path.is_dir())
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no cases in {}", dir.display());
    let mut failures = Vec::new();
    for case in &cases {
        let name = case
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Err(why) = run_case(case, &name, profile_only).await {
            failures.push(format!("{suite}/{name}: {why}"));
        }
    }
    eprintln!(
        "{suite}: {} of {} cases passed",
        cases.len() - failures.len(),
        cases.len()
    );
    Some(if failures.is_empty() {
        Ok(cases.len())
    } else {
        Err(failures)
    })
}

/// Cases whose STS or SSO endpoint override is plain `http://` to a remote
/// host: the SDKs accept it, we refuse it on purpose (tokens never go in clear).
const PLAIN_HTTP_OVERRIDES: &[(&str, &str)] = &[
    (
        "assume_role_override_global_env_url",
        "http://aws.global-env-override",
    ),
    (
        "assume_role_override_global_profile_url",
        "http://aws.global-profile-override",
    ),
    (
        "assume_role_override_service_profile_url",
        "http://aws.service-profile-override",
    ),
    (
        "sso_override_global_env_url",
        "http://aws.global-env-override",
    ),
];

async fn run_case(case: &Path, name: &str, profile_only: bool) -> Result<(), String> {
    let vars: HashMap<String, String> = serde_json::from_value(read_json(&case.join("env.json"))?)
        .map_err(|e| format!("env.json: {e}"))?;
    let mut env = Env::from_vars(vars);
    if profile_only && env.var("AWS_EC2_METADATA_DISABLED").is_none() {
        env.set_var("AWS_EC2_METADATA_DISABLED", "true");
    }
    let exchanges = load_traffic(&case.join("http-traffic.json"))
        .map_err(|e| format!("http-traffic.json: {e}"))?;
    let env = env
        .with_fs_root(case.join("fs"))
        .with_now(recorded_now(&exchanges));
    let test_case = read_json(&case.join("test-case.json"))?;
    let replayer = Arc::new(Replayer::new(exchanges));
    let result = DefaultChain::new(env, replayer.clone(), None)
        .resolve()
        .await;
    if let Some(url) = PLAIN_HTTP_OVERRIDES.iter().find(|(case, _)| *case == name) {
        // Where the SDKs send session and SSO tokens in clear to a remote
        // http:// endpoint, we refuse, naming it (and send nothing).
        return match &result {
            Err(CredentialsError::InvalidConfig { message, .. })
                if message.contains(url.1)
                    && message.contains("plain http:// is only allowed to a loopback host") =>
            {
                Ok(())
            }
            other => Err(format!(
                "expected a refusal of the plain-http endpoint {}, got {other:?}",
                url.1
            )),
        };
    }

    check_result(
        name,
        test_case
            .get("result")
            .ok_or("test-case.json has no result")?,
        &result,
        profile_only,
    )?;
    let problems = replayer.problems();
    match problems.is_empty() {
        true => Ok(()),
        false => Err(format!("traffic differs: {}", problems.join("; "))),
    }
}

fn check_result(
    name: &str,
    expected: &Value,
    actual: &Result<ResolvedAuth, CredentialsError>,
    profile_only: bool,
) -> Result<(), String> {
    if let Some(fragment) = expected.get("ErrorContains").and_then(Value::as_str) {
        let error = match actual {
            Ok(resolved) => {
                return Err(format!(
                    "expected an error like {fragment:?}, got credentials from {}",
                    resolved.source
                ))
            }
            Err(error) => error,
        };
        let kind = match error {
            CredentialsError::NotLoaded { .. } => ErrorKind::NotLoaded,
            _ => ErrorKind::Stops,
        };
        return match EXPECTED_ERROR_KINDS.iter().find(|(case, _)| *case == name) {
            Some((_, expected_kind)) if *expected_kind != kind => Err(format!(
                "expected a {expected_kind:?} error like {fragment:?}, got: {error}"
            )),
            _ => Ok(()),
        };
    }
    let expected = expected
        .get("Ok")
        .ok_or("result is neither Ok nor ErrorContains")?;
    let resolved = actual
        .as_ref()
        .map_err(|e| format!("expected credentials, got error: {e}"))?;
    if profile_only && !matches!(resolved.source, CredentialSource::Profile { .. }) {
        return Err(format!(
            "credentials came from {}, not the profile",
            resolved.source
        ));
    }
    let Auth::SigV4(creds) = &resolved.auth else {
        return Err("expected SigV4 credentials, got a bearer token".into());
    };
    let text = |key: &str| expected.get(key).and_then(Value::as_str).map(str::to_owned);
    let actual_expiry = creds
        .expiry
        .and_then(|e| e.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_secs());
    let comparisons = [
        (
            "access_key_id",
            text("access_key_id"),
            Some(creds.access_key_id.clone()),
        ),
        (
            "secret_access_key",
            text("secret_access_key"),
            Some(creds.secret_access_key.expose().to_owned()),
        ),
        (
            "session_token",
            text("session_token"),
            creds.session_token.as_ref().map(|t| t.expose().to_owned()),
        ),
        ("account_id", text("account_id"), creds.account_id.clone()),
        (
            "expiry",
            expected
                .get("expiry")
                .and_then(Value::as_u64)
                .map(|e| e.to_string()),
            actual_expiry.map(|e| e.to_string()),
        ),
    ];
    let wrong: Vec<String> = comparisons
        .into_iter()
        .filter(|(_, want, got)| want != got)
        .map(|(field, want, got)| format!("{field}: expected {want:?}, got {got:?}"))
        .collect();
    match wrong.is_empty() {
        true => Ok(()),
        false => Err(format!("from {}: {}", resolved.source, wrong.join(", "))),
    }
}

#[tokio::test]
async fn default_chain_cases_replay() {
    match run_suite("default-credential-provider-chain", false).await {
        None => {}
        Some(Ok(passed)) => assert!(passed > 0),
        Some(Err(failures)) => panic!(
            "{} case(s) failed:\n{}",
            failures.len(),
            failures.join("\n")
        ),
    }
}

#[tokio::test]
async fn profile_provider_cases_replay() {
    match run_suite("profile-provider", true).await {
        None => {}
        Some(Ok(passed)) => assert!(passed > 0),
        Some(Err(failures)) => panic!(
            "{} case(s) failed:\n{}",
            failures.len(),
            failures.join("\n")
        ),
    }
}

// ------------------------------------------------------------------------------------
// JSON suites

fn read_json(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn string_at(value: &Value, pointer: &str) -> Result<String, String> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("missing {pointer}"))
}

/// The `tests` array of a JSON suite.
fn json_suite(file: &str) -> Option<Vec<Value>> {
    let path = common::vectors("credentials")?.join(file);
    let suite = read_json(&path).unwrap_or_else(|e| panic!("{e}"));
    let tests = suite.get("tests").and_then(Value::as_array).cloned();
    let tests = tests.unwrap_or_else(|| panic!("{file} has no tests array"));
    assert!(!tests.is_empty(), "{file} has no tests");
    Some(tests)
}

/// Compares `actual` with a `{"Ok": value}` / `{"Err" | "ErrorContains": fragment}` result.
fn check_generic(
    docs: &str,
    expected: &Value,
    actual: Result<String, CredentialsError>,
) -> Option<String> {
    let fragment = expected
        .get("Err")
        .or_else(|| expected.get("ErrorContains"))
        .and_then(Value::as_str);
    match (expected.get("Ok").and_then(Value::as_str), fragment, actual) {
        (Some(want), _, Ok(got)) if want == got => None,
        (Some(want), _, got) => Some(format!("{docs}: expected {want}, got {got:?}")),
        (None, Some(_), Err(_)) => None,
        (None, Some(fragment), Ok(got)) => Some(format!(
            "{docs}: expected an error like {fragment:?}, got {got}"
        )),
        (None, None, _) => Some(format!("{docs}: unknown result shape {expected}")),
    }
}

#[test]
fn imds_endpoint_cases() {
    let Some(tests) = json_suite("imds-endpoint-tests.json") else {
        return;
    };
    let mut failures = Vec::new();
    for test in &tests {
        let docs = test.get("docs").and_then(Value::as_str).unwrap_or("?");
        let vars: HashMap<String, String> =
            serde_json::from_value(test.get("env").cloned().unwrap_or_default())
                .unwrap_or_else(|e| panic!("{docs}: env: {e}"));
        let env = Env::from_vars(vars);
        let fs: HashMap<String, String> =
            serde_json::from_value(test.get("fs").cloned().unwrap_or_default())
                .unwrap_or_else(|e| panic!("{docs}: fs: {e}"));
        // The case's files, by the names its environment gives them.
        let file = |variable: &str| {
            env.var(variable)
                .and_then(|name| fs.get(name))
                .cloned()
                .unwrap_or_default()
        };
        let (config_text, credentials_text) =
            (file("AWS_CONFIG_FILE"), file("AWS_SHARED_CREDENTIALS_FILE"));
        let profiles = ProfileSet::parse(
            SourceFile {
                path: "config",
                contents: &config_text,
            },
            SourceFile {
                path: "credentials",
                contents: &credentials_text,
            },
        )
        .unwrap_or_else(|e| panic!("{docs}: {e}"));
        let locations = ProfileFileLocations {
            config: "config".into(),
            credentials: "credentials".into(),
        };
        let shared = SharedConfig::new(profiles, selected_profile_name(&env, None), locations);
        let config = imds::EndpointConfig {
            endpoint: test
                .get("endpoint_override")
                .and_then(Value::as_str)
                .map(str::to_owned),
            endpoint_mode: test
                .get("mode_override")
                .and_then(Value::as_str)
                .map(str::to_owned),
            profile_endpoint: shared.ec2_metadata_service_endpoint().map(str::to_owned),
            profile_endpoint_mode: shared
                .ec2_metadata_service_endpoint_mode()
                .map(str::to_owned),
        };
        let token_url =
            imds::resolve_endpoint(&env, &config).map(|base| format!("{base}/latest/api/token"));
        if let Some(result) = test.get("result") {
            if let Some(failure) = check_generic(docs, result, token_url) {
                failures.push(failure);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        tests.len(),
        failures.join("\n")
    );
}

/// `localhost` → two loopback addresses; any other name → a public address.
struct FakeDns;

impl container::Dns for FakeDns {
    fn lookup<'a>(&'a self, host: &'a str) -> BoxFuture<'a, io::Result<Vec<IpAddr>>> {
        let addresses: &[&str] = match host {
            "localhost" => &["127.0.0.1", "127.0.0.2"],
            _ => &["72.21.210.29"],
        };
        let parsed = addresses.iter().filter_map(|a| a.parse().ok()).collect();
        Box::pin(async move { Ok(parsed) })
    }
}

#[tokio::test]
async fn ecs_uri_cases() {
    let Some(tests) = json_suite("ecs-tests.json") else {
        return;
    };
    let mut failures = Vec::new();
    for test in &tests {
        let docs = test.get("docs").and_then(Value::as_str).unwrap_or("?");
        let vars: HashMap<String, String> =
            serde_json::from_value(test.get("env").cloned().unwrap_or_default())
                .unwrap_or_else(|e| panic!("{docs}: env: {e}"));
        let url = container::endpoint_url(&Env::from_vars(vars), &FakeDns).await;
        if let Some(result) = test.get("result") {
            if let Some(failure) = check_generic(docs, result, url) {
                failures.push(failure);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        tests.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn ecs_without_variables_is_not_loaded_and_bad_hosts_stop_the_chain() {
    let result = container::endpoint_url(&Env::from_vars([("HOME", "/h")]), &FakeDns).await;
    assert!(
        matches!(result, Err(CredentialsError::NotLoaded { .. })),
        "{result:?}"
    );
    for url in [
        "http://192.168.1.1/creds",
        "http://example.com/creds",
        "http://[fd00:ec2::254]/",
        "ftp://127.0.0.1/",
    ] {
        let env = Env::from_vars([("AWS_CONTAINER_CREDENTIALS_FULL_URI", url)]);
        let result = container::endpoint_url(&env, &FakeDns).await;
        assert!(
            matches!(result, Err(CredentialsError::InvalidConfig { .. })),
            "{url}: {result:?}"
        );
    }
    for url in [
        "http://localhost:8080/creds",
        "http://[::1]/creds",
        "http://[fd00:ec2::23]/v1/credentials",
    ] {
        let env = Env::from_vars([("AWS_CONTAINER_CREDENTIALS_FULL_URI", url)]);
        assert_eq!(
            container::endpoint_url(&env, &FakeDns).await,
            Ok(url.to_owned())
        );
    }
}
