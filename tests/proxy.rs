//! Proxies end to end, through the CLI binary: a recording proxy on loopback
//! (`common::proxy`) in front of the emulator, fake STS, SSO, container and
//! IMDS endpoints (`common::raw_http`) and a TLS server (`common::tls`).
//!
//! * Bedrock calls, STS `AssumeRole`, SSO `GetRoleCredentials` and the
//!   container endpoint go through `HTTP_PROXY` (absolute-form requests);
//!   IMDS never does, whatever the proxy variables say.
//! * Loopback hosts get no exemption of their own: they are proxied unless
//!   `NO_PROXY` lists them (which is how these tests reach loopback fakes
//!   through a proxy at all).
//! * An `https://` call goes through a `CONNECT` tunnel, its server trusted
//!   through `AWS_CA_BUNDLE`.
//! * Proxy credentials go as `Proxy-Authorization: Basic` and are never
//!   printed, even with `-v` and an error.
//! * A proxy that is down or silent is named in the error, with the variable
//!   that set it.
#![cfg(all(feature = "emulator", feature = "cli"))]

mod common;

use std::net::Ipv4Addr;
use std::time::Duration;

use bedrock_lite::emulator::Emulator;
use bedrock_lite::env::Env;
use bedrock_lite::http::{HttpClient, HttpRequest, NetworkClient};

use common::cli::{Ran, Run, ScratchDir};
use common::proxy::RecordingProxy;
use common::raw_http::{self, RawRequest, RawServer, Step};

/// A model id the emulator accepts.
const MODEL: &str = "amazon.nova-micro-v1:0";
const PROMPT: &str = "through the proxy";
const ECHO: &str = "You said: through the proxy";
/// The password of the proxy URLs with credentials.
const PROXY_PASSWORD: &str = "PrOxYpAsS0123456789";
/// Every variable that could name a proxy.
const PROXY_VARIABLES: [&str; 6] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// `bedrock-lite [-v] --endpoint-url ENDPOINT chat -m MODEL PROMPT` with the
/// demo keys, in `home`.
fn chat(home: &ScratchDir, endpoint: &str, verbose: bool) -> Run {
    let mut args = vec!["--endpoint-url", endpoint, "chat", "-m", MODEL, PROMPT];
    if verbose {
        args.insert(0, "-v");
    }
    Run::new(home.path(), &args)
        .demo_keys()
        .limit(Duration::from_secs(30))
}

/// `bedrock-lite credentials` in `home` with `env`.
async fn credentials(home: &ScratchDir, env: &[(&str, &str)]) -> Ran {
    let mut run = Run::new(home.path(), &["credentials"]).limit(Duration::from_secs(30));
    for (name, value) in env {
        run = run.env(name, value);
    }
    run.run().await
}

/// Asserts a successful run whose stdout contains `needle`.
fn assert_success(ran: &Ran, needle: &str) {
    assert_eq!(
        ran.code(),
        Some(0),
        "stdout: {}; stderr: {}",
        ran.stdout(),
        ran.stderr()
    );
    assert!(ran.stdout().contains(needle), "{}", ran.stdout());
}

/// The one request the proxy saw: its method and target.
fn only_request(proxy: &RecordingProxy) -> (String, String) {
    let seen = proxy.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    (seen[0].method.clone(), seen[0].target.clone())
}

/// A 200 JSON (or XML) answer.
fn ok(content_type: &str, body: &str) -> Vec<Step> {
    vec![Step::Write(raw_http::response(
        200,
        &[("content-type", content_type)],
        body,
    ))]
}

#[tokio::test]
async fn bedrock_calls_go_through_the_proxy_unless_no_proxy_lists_the_host() {
    let emulator = Emulator::start(0).await.expect("starts");
    let endpoint = emulator.endpoint();
    let proxy = RecordingProxy::start().await;
    let home = ScratchDir::new("proxy-bedrock");

    // Loopback is proxied like any other host.
    let ran = chat(&home, &endpoint, false)
        .env("HTTP_PROXY", proxy.url())
        .run()
        .await;
    assert_success(&ran, ECHO);
    let (method, target) = only_request(&proxy);
    assert_eq!(method, "POST");
    let model_path = MODEL.replace(':', "%3A");
    assert_eq!(
        target,
        format!("{endpoint}/model/{model_path}/converse-stream")
    );

    // The lower-case variable, and a NO_PROXY rule for another port: proxied.
    let ran = chat(&home, &endpoint, false)
        .env("http_proxy", proxy.url())
        .env("NO_PROXY", "127.0.0.1:1,example.com")
        .run()
        .await;
    assert_success(&ran, ECHO);
    assert_eq!(proxy.seen().len(), 2);

    // NO_PROXY naming the host (or `*`): straight to the emulator.
    for no_proxy in ["127.0.0.1", "localhost,127.0.0.0/8", "*"] {
        let ran = chat(&home, &endpoint, false)
            .env("HTTP_PROXY", proxy.url())
            .env("no_proxy", no_proxy)
            .run()
            .await;
        assert_success(&ran, ECHO);
        assert_eq!(proxy.seen().len(), 2, "NO_PROXY={no_proxy} was proxied");
    }

    // A proxy that is down is a network error naming it and its variable:
    // the call really depends on it.
    let down = {
        let gone = RecordingProxy::start().await;
        gone.url()
    };
    let ran = chat(&home, &endpoint, false)
        .env("HTTP_PROXY", &down)
        .run()
        .await;
    let address = down.trim_start_matches("http://");
    ran.assert_one_error_line(5, &[&format!("proxy {address} (from HTTP_PROXY): ")]);
}

#[tokio::test]
async fn a_silent_proxy_is_a_timeout_naming_it() {
    // Connections complete in the kernel's backlog; nothing ever answers.
    let silent = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .expect("bind");
    let address = silent.local_addr().expect("address");
    let proxy_url = format!("http://alice:{PROXY_PASSWORD}@{address}");
    for variable in ["https_proxy", "ALL_PROXY"] {
        let client = NetworkClient::from_env(&Env::from_vars([(variable, proxy_url.as_str())]));
        let error = client
            .send(HttpRequest {
                method: "GET".into(),
                uri: "https://bedrock.example:8443/x".into(),
                headers: Vec::new(),
                body: bytes::Bytes::new(),
                connect_timeout: Duration::from_millis(300),
                response_timeout: Duration::from_secs(10),
                direct: false,
            })
            .await
            .expect_err("the proxy never answers")
            .to_string();
        let expected = format!(
            "connecting to https://bedrock.example:8443/x through proxy {address} \
             (from {variable}) took more than 0.3 s"
        );
        assert!(error.contains(&expected), "{error}");
        assert!(!error.contains(PROXY_PASSWORD), "{error}");
        assert_eq!(error.lines().count(), 1, "{error}");
    }
    // Over plain http the request goes out once the port accepts: the
    // silence is the response timeout's, and it names the proxy too.
    let client = NetworkClient::from_env(&Env::from_vars([("HTTP_PROXY", proxy_url.as_str())]));
    let error = client
        .send(HttpRequest {
            method: "GET".into(),
            uri: "http://127.0.0.1:9/x".into(),
            headers: Vec::new(),
            body: bytes::Bytes::new(),
            connect_timeout: Duration::from_secs(10),
            response_timeout: Duration::from_millis(300),
            direct: false,
        })
        .await
        .expect_err("the proxy never answers")
        .to_string();
    let expected = format!("no response within 0.3 s through proxy {address} (from HTTP_PROXY)");
    assert!(error.contains(&expected), "{error}");
    assert!(!error.contains(PROXY_PASSWORD), "{error}");
    assert_eq!(error.lines().count(), 1, "{error}");
}

/// The shared files of a profile `role` that assumes a role with `base`'s keys.
fn assume_role_home() -> ScratchDir {
    let home = ScratchDir::new("proxy-sts");
    home.write(
        ".aws/config",
        "[profile role]\nrole_arn = arn:aws:iam::123456789012:role/proxied\nsource_profile = base\n\
         [profile base]\nregion = us-east-1\n",
    );
    home.write(
        ".aws/credentials",
        "[base]\naws_access_key_id = AKIDBASE0000PROXY\naws_secret_access_key = base-secret-for-proxy\n",
    );
    home
}

const ASSUME_ROLE_OK: &str = r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser><AssumedRoleId>AROA:s</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/proxied/s</Arn></AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAPROXIEDSTS1</AccessKeyId><SecretAccessKey>sts-secret</SecretAccessKey>
      <SessionToken>sts-token</SessionToken><Expiration>2100-01-01T00:00:00Z</Expiration>
    </Credentials>
  </AssumeRoleResult>
</AssumeRoleResponse>"#;

#[tokio::test]
async fn sts_assume_role_goes_through_the_proxy() {
    let sts = RawServer::start(Ipv4Addr::LOCALHOST, |_| ok("text/xml", ASSUME_ROLE_OK)).await;
    let proxy = RecordingProxy::start().await;
    let home = assume_role_home();
    let ran = credentials(
        &home,
        &[
            ("AWS_PROFILE", "role"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_ENDPOINT_URL_STS", &sts.url()),
            ("HTTP_PROXY", &proxy.url()),
        ],
    )
    .await;
    assert_success(&ran, "STS1");
    assert_eq!(
        only_request(&proxy),
        ("POST".into(), format!("{}/", sts.url()))
    );
    // The signed request arrived as it was signed.
    let seen = sts.seen();
    assert_eq!(seen.len(), 1);
    assert!(
        seen[0]
            .header("authorization")
            .is_some_and(|a| a.starts_with("AWS4-HMAC-SHA256 Credential=AKIDBASE0000PROXY/")),
        "{:?}",
        seen[0].headers
    );
    assert!(String::from_utf8_lossy(&seen[0].body).contains("Action=AssumeRole"));
}

#[tokio::test]
async fn sso_get_role_credentials_goes_through_the_proxy() {
    let sso = RawServer::start(Ipv4Addr::LOCALHOST, |_| {
        ok(
            "application/json",
            r#"{"roleCredentials":{"accessKeyId":"ASIAPROXIEDSSO1","secretAccessKey":"sso-secret",
                "sessionToken":"sso-session","expiration":4102444800000}}"#,
        )
    })
    .await;
    let proxy = RecordingProxy::start().await;
    let home = ScratchDir::new("proxy-sso");
    home.write(
        ".aws/config",
        "[profile dev]\nsso_session = proxied\nsso_account_id = 123456789012\nsso_role_name = Proxied\n\
         region = us-east-1\n\
         [sso-session proxied]\nsso_region = us-east-1\nsso_start_url = https://proxied.awsapps.com/start\n",
    );
    home.write(
        &common::sso_cache::file_for("proxied"),
        r#"{"accessToken":"sso-token-through-proxy","expiresAt":"2100-01-01T00:00:00Z"}"#,
    );
    let ran = credentials(
        &home,
        &[
            ("AWS_PROFILE", "dev"),
            ("AWS_ENDPOINT_URL_SSO", &sso.url()),
            ("HTTP_PROXY", &proxy.url()),
        ],
    )
    .await;
    assert_success(&ran, "SSO1");
    let (method, target) = only_request(&proxy);
    assert_eq!(method, "GET");
    assert!(
        target.starts_with(&format!("{}/federation/credentials?", sso.url())),
        "{target}"
    );
    assert_eq!(
        sso.seen()[0].header("x-amz-sso_bearer_token"),
        Some("sso-token-through-proxy")
    );
}

#[tokio::test]
async fn the_container_endpoint_goes_through_the_proxy() {
    let container = RawServer::start(Ipv4Addr::LOCALHOST, |_| {
        ok(
            "application/json",
            r#"{"AccessKeyId":"ASIAPROXIEDCTR1","SecretAccessKey":"c-secret","Token":"c-token",
                "Expiration":"2100-01-01T00:00:00Z"}"#,
        )
    })
    .await;
    let proxy = RecordingProxy::start().await;
    let home = ScratchDir::new("proxy-container");
    let full_uri = format!("{}/v2/credentials/proxied", container.url());
    let ran = credentials(
        &home,
        &[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &full_uri),
            ("AWS_REGION", "us-east-1"),
            ("HTTP_PROXY", &proxy.url()),
        ],
    )
    .await;
    assert_success(&ran, "CTR1");
    assert_eq!(only_request(&proxy), ("GET".into(), full_uri));
    assert_eq!(container.seen().len(), 1);
}

/// An IMDSv2 on loopback: a token, a role, its credentials.
fn fake_imds(request: &RawRequest) -> Vec<Step> {
    const ROLE: &str = "/latest/meta-data/iam/security-credentials/";
    let answer = |body: &str| vec![Step::Write(raw_http::response(200, &[], body))];
    match (request.method.as_str(), request.target.as_str()) {
        ("PUT", "/latest/api/token") => vec![Step::Write(raw_http::response(
            200,
            &[("x-aws-ec2-metadata-token-ttl-seconds", "21600")],
            "imds-token",
        ))],
        ("GET", ROLE) => answer("proxied-role"),
        ("GET", path) if path == format!("{ROLE}proxied-role") => answer(
            r#"{"Code":"Success","Type":"AWS-HMAC","AccessKeyId":"ASIAPROXIEDIMDS1",
                "SecretAccessKey":"imds-secret","Token":"imds-token",
                "Expiration":"2100-01-01T00:00:00Z"}"#,
        ),
        _ => vec![Step::Write(raw_http::response(404, &[], ""))],
    }
}

#[tokio::test]
async fn imds_is_never_asked_through_a_proxy() {
    let imds = RawServer::start(Ipv4Addr::LOCALHOST, fake_imds).await;
    let proxy = RecordingProxy::start().await;
    let home = ScratchDir::new("proxy-imds");
    let mut run = Run::new(home.path(), &["credentials"])
        .env_remove("AWS_EC2_METADATA_DISABLED")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url())
        .env("AWS_REGION", "us-east-1")
        .limit(Duration::from_secs(30));
    for variable in PROXY_VARIABLES {
        run = run.env(variable, proxy.url());
    }
    let ran = run.run().await;
    assert_success(&ran, "MDS1");
    assert!(ran.stdout().contains("imds"), "{}", ran.stdout());
    assert_eq!(proxy.seen(), vec![], "IMDS went through the proxy");
    let asked: Vec<String> = imds
        .seen()
        .iter()
        .map(|r| format!("{} {}", r.method, r.target))
        .collect();
    assert!(
        asked.contains(&"PUT /latest/api/token".to_owned()),
        "{asked:?}"
    );
    assert!(
        asked.contains(&"GET /latest/meta-data/iam/security-credentials/proxied-role".to_owned()),
        "{asked:?}"
    );
}

#[tokio::test]
async fn https_goes_through_a_connect_tunnel_with_the_proxy_credentials() {
    let dir = ScratchDir::new("proxy-tls");
    let Some(certs) = common::tls::TestCerts::generate(dir.path(), "localhost") else {
        return;
    };
    let rejection = common::tls::answer_saying("reached through the tunnel");
    let server = common::tls::TlsServer::start(&certs, rejection);
    let proxy = RecordingProxy::start().await;
    let home = ScratchDir::new("proxy-tls-home");
    let endpoint = format!("https://localhost:{}", server.port());
    let ran = chat(&home, &endpoint, true)
        .env(
            "HTTPS_PROXY",
            proxy.url_with_credentials("alice", PROXY_PASSWORD),
        )
        .env("AWS_CA_BUNDLE", &certs.ca)
        .run()
        .await;
    // The TLS server's answer came back: the tunnel carried the whole call.
    assert_eq!(ran.code(), Some(4), "{}", ran.stderr());
    assert!(
        ran.stderr().contains("reached through the tunnel"),
        "{}",
        ran.stderr()
    );
    assert_eq!(server.requests(), 1);
    let seen = proxy.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].method, "CONNECT");
    assert_eq!(seen[0].target, format!("localhost:{}", server.port()));
    let expected = format!(
        "Basic {}",
        bedrock_lite::base64::encode(format!("alice:{PROXY_PASSWORD}").as_bytes())
    );
    assert_eq!(seen[0].authorization.as_deref(), Some(expected.as_str()));
    assert_no_proxy_password(&ran);
}

/// Neither the proxy password nor its `Basic` encoding in stdout or stderr.
fn assert_no_proxy_password(ran: &Ran) {
    let encoded = bedrock_lite::base64::encode(format!("alice:{PROXY_PASSWORD}").as_bytes());
    for output in [ran.stdout(), ran.stderr()] {
        assert!(!output.contains(PROXY_PASSWORD), "{output}");
        assert!(!output.contains(&encoded), "{output}");
    }
}

#[tokio::test]
async fn proxy_credentials_go_to_the_proxy_and_are_never_printed() {
    let refusing = RawServer::answering(
        Ipv4Addr::LOCALHOST,
        raw_http::response(
            403,
            &[
                ("content-type", "application/json"),
                ("x-amzn-errortype", "AccessDeniedException"),
            ],
            r#"{"message":"refused behind the proxy"}"#,
        ),
    )
    .await;
    let proxy = RecordingProxy::start().await;
    let home = ScratchDir::new("proxy-credentials");
    let proxy_url = proxy.url_with_credentials("alice", PROXY_PASSWORD);
    let ran = chat(&home, &refusing.url(), true)
        .env("HTTP_PROXY", &proxy_url)
        .run()
        .await;
    assert_eq!(ran.code(), Some(4), "{}", ran.stderr());
    assert!(ran.stderr().contains("refused behind the proxy"));
    let seen = proxy.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    let expected = format!(
        "Basic {}",
        bedrock_lite::base64::encode(format!("alice:{PROXY_PASSWORD}").as_bytes())
    );
    assert_eq!(seen[0].authorization.as_deref(), Some(expected.as_str()));
    assert_no_proxy_password(&ran);

    // The proxy down: an error naming it and its variable, and still no
    // password.
    let down = proxy.url_with_credentials("alice", PROXY_PASSWORD);
    let address = proxy.url().trim_start_matches("http://").to_owned();
    drop(proxy);
    for variable in ["HTTP_PROXY", "ALL_PROXY"] {
        let ran = chat(&home, &refusing.url(), true)
            .env(variable, &down)
            .run()
            .await;
        assert_eq!(ran.code(), Some(5), "{}", ran.stderr());
        let named = format!("proxy {address} (from {variable}): ");
        assert!(ran.stderr().contains(&named), "{}", ran.stderr());
        assert_no_proxy_password(&ran);
    }
    // A proxy URL that is refused names its variable, without the password.
    let socks = format!("socks5://alice:{PROXY_PASSWORD}@127.0.0.1:1080");
    let ran = chat(&home, &refusing.url(), true)
        .env("HTTPS_PROXY", &socks)
        .run()
        .await;
    assert_no_proxy_password(&ran);
    let ran = chat(&home, &refusing.url(), false)
        .env("HTTPS_PROXY", &socks)
        .run()
        .await;
    ran.assert_one_error_line(
        2,
        &[
            "error: config: HTTPS_PROXY `socks5://****@127.0.0.1:1080`: ",
            "socks5:// proxies are not supported",
        ],
    );
    assert_eq!(refusing.seen().len(), 1, "only the first call arrived");
}
