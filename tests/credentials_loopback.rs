//! The HTTP credential sources over real sockets, through [`NetworkClient`], against a
//! tiny HTTP/1.1 responder on 127.0.0.1 written here: IMDSv2 (token flow, token reuse,
//! a 401 that needs a new token, an IMDS that accepts connections but never answers,
//! no IMDS at all), STS `AssumeRole` (SigV4-signed, with its credential scope) and its
//! error answers, `AssumeRoleWithWebIdentity` (unsigned), the SSO portal, and the
//! container endpoint with an authorization token file and a retried 500.
//!
//! Every server stops by itself: it serves a bounded number of connections and the
//! test's runtime ends it.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bedrock_lite::credentials::chain::DefaultChain;
use bedrock_lite::credentials::imds::ImdsProvider;
use bedrock_lite::credentials::sso::{self, SsoParams};
use bedrock_lite::credentials::sts::{self, AssumeRoleParams};
use bedrock_lite::credentials::web_identity::{self, WebIdentityParams};
use bedrock_lite::credentials::{container, Credentials, CredentialsError, Secret};
use bedrock_lite::env::Env;
use bedrock_lite::http::{HttpClient, HttpError, HttpRequest, NetworkClient};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Connections one test server accepts before it stops.
const MAX_CONNECTIONS: usize = 32;

/// A request as the server saw it.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    /// Path and query.
    target: String,
    /// Lower-case names.
    headers: HashMap<String, String>,
    body: String,
}

/// Status, extra headers and body.
type Reply = (u16, Vec<(&'static str, String)>, String);
type Handler = Arc<dyn Fn(&Seen) -> Reply + Send + Sync>;

/// A loopback HTTP server and what it was asked.
struct Server {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    async fn start(handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local address");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Handler = Arc::new(handler);
        let log = seen.clone();
        tokio::spawn(async move {
            for _ in 0..MAX_CONNECTIONS {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(serve(stream, handler.clone(), log.clone()));
            }
        });
        Server { addr, seen }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Reads one request (head, then `content-length` bytes), answers, closes.
async fn serve(mut stream: TcpStream, handler: Handler, log: Arc<Mutex<Vec<Seen>>>) {
    let mut buffer = Vec::new();
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        let mut chunk = [0u8; 4096];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
        if buffer.len() > 64 * 1024 {
            return;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_owned();
    let target = request_line.next().unwrap_or_default().to_owned();
    let headers: HashMap<String, String> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = buffer[head_end + 4..].to_vec();
    while body.len() < length.min(1024 * 1024) {
        let mut chunk = [0u8; 4096];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    let seen = Seen {
        method,
        target,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    log.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(seen.clone());
    let (status, extra, reply_body) = handler(&seen);
    let mut response = format!(
        "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n",
        reply_body.len()
    );
    for (name, value) in extra {
        response.push_str(&format!("{name}: {value}\r\n"));
    }
    response.push_str("\r\n");
    response.push_str(&reply_body);
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// A listener that accepts connections and never answers (holding each for 10 s).
async fn silent_listener() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("local address");
    tokio::spawn(async move {
        for _ in 0..MAX_CONNECTIONS {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_secs(10)).await;
                drop(stream);
            });
        }
    });
    addr
}

/// A fresh folder under the system temp dir, for a fake filesystem root.
fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "bedrock-lite-loopback-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

const IMDS_CREDENTIALS: &str = r#"{"Code":"Success","Type":"AWS-HMAC","AccessKeyId":"ASIALOOPBACK",
    "SecretAccessKey":"loopback-secret","Token":"loopback-token","Expiration":"2100-01-01T00:00:00Z"}"#;

/// An IMDS that hands out tokens `T1`, `T2`... and answers 401 to the first GET made
/// with `T1` when `expire_first_token` is set.
fn fake_imds(expire_first_token: bool) -> impl Fn(&Seen) -> Reply + Send + Sync {
    let tokens = Mutex::new(0);
    let expired_once = Mutex::new(false);
    move |seen: &Seen| {
        let ttl = ("x-aws-ec2-metadata-token-ttl-seconds", "21600".to_owned());
        if seen.method == "PUT" && seen.target == "/latest/api/token" {
            if seen
                .headers
                .get("x-aws-ec2-metadata-token-ttl-seconds")
                .map(String::as_str)
                != Some("21600")
            {
                return (400, vec![], String::new());
            }
            let mut count = tokens.lock().unwrap_or_else(PoisonError::into_inner);
            *count += 1;
            return (200, vec![ttl], format!("T{count}"));
        }
        let token = seen
            .headers
            .get("x-aws-ec2-metadata-token")
            .cloned()
            .unwrap_or_default();
        if token.is_empty() {
            return (401, vec![], String::new());
        }
        let mut expired = expired_once.lock().unwrap_or_else(PoisonError::into_inner);
        if expire_first_token && token == "T1" && !*expired {
            *expired = true;
            return (401, vec![], String::new());
        }
        match seen.target.as_str() {
            "/latest/meta-data/iam/security-credentials/" => (200, vec![], "loopback-role".into()),
            "/latest/meta-data/iam/security-credentials/loopback-role" => {
                (200, vec![], IMDS_CREDENTIALS.into())
            }
            _ => (404, vec![], String::new()),
        }
    }
}

/// `METHOD target token` of each request.
fn summary(seen: &[Seen]) -> Vec<String> {
    seen.iter()
        .map(|s| {
            let token = s
                .headers
                .get("x-aws-ec2-metadata-token")
                .map(String::as_str)
                .unwrap_or("-");
            format!("{} {} {token}", s.method, s.target)
        })
        .collect()
}

#[tokio::test]
async fn imds_v2_token_flow_and_token_reuse() {
    let server = Server::start(fake_imds(false)).await;
    let env = Env::from_vars([("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url())]);
    let http = NetworkClient::new();
    let provider = ImdsProvider::new(None, None);
    let creds = provider
        .credentials(&http, &env)
        .await
        .expect("credentials from IMDS");
    assert_eq!(creds.access_key_id, "ASIALOOPBACK");
    assert_eq!(creds.secret_access_key.expose(), "loopback-secret");
    assert_eq!(
        creds.session_token.as_ref().map(Secret::expose),
        Some("loopback-token")
    );
    assert_eq!(
        creds.expiry,
        Some(UNIX_EPOCH + Duration::from_secs(4_102_444_800))
    );
    provider
        .credentials(&http, &env)
        .await
        .expect("credentials again");
    assert_eq!(
        summary(&server.seen()),
        [
            "PUT /latest/api/token -",
            "GET /latest/meta-data/iam/security-credentials/ T1",
            "GET /latest/meta-data/iam/security-credentials/loopback-role T1",
            "GET /latest/meta-data/iam/security-credentials/ T1",
            "GET /latest/meta-data/iam/security-credentials/loopback-role T1",
        ]
    );
}

#[tokio::test]
async fn imds_401_gets_a_new_token() {
    let server = Server::start(fake_imds(true)).await;
    let http = NetworkClient::new();
    // The profile's endpoint setting, as the chain passes it.
    let provider = ImdsProvider::new(Some(server.url()), None);
    let creds = provider
        .credentials(&http, &Env::from_vars([("HOME", "/nowhere")]))
        .await;
    assert_eq!(
        creds.map(|c| c.access_key_id),
        Ok("ASIALOOPBACK".to_owned())
    );
    assert_eq!(
        summary(&server.seen()),
        [
            "PUT /latest/api/token -",
            "GET /latest/meta-data/iam/security-credentials/ T1",
            "PUT /latest/api/token -",
            "GET /latest/meta-data/iam/security-credentials/ T2",
            "GET /latest/meta-data/iam/security-credentials/loopback-role T2",
        ]
    );
}

#[tokio::test]
async fn a_silent_imds_is_given_up_on_in_about_a_second() {
    let addr = silent_listener().await;
    let endpoint = format!("http://{addr}");
    let http = NetworkClient::new();

    let started = Instant::now();
    let result = ImdsProvider::new(None, None)
        .credentials(
            &http,
            &Env::from_vars([("AWS_EC2_METADATA_SERVICE_ENDPOINT", endpoint.as_str())]),
        )
        .await;
    let provider_time = started.elapsed();
    assert!(
        matches!(result, Err(CredentialsError::NotLoaded { .. })),
        "{result:?}"
    );

    // The whole chain, with nothing else configured: it must end "not loaded", fast.
    let home = scratch_dir("silent-imds");
    let env = Env::from_vars([
        ("HOME", "/home"),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", endpoint.as_str()),
    ])
    .with_fs_root(&home);
    let started = Instant::now();
    let result = DefaultChain::new(env, Arc::new(NetworkClient::new()), None)
        .resolve()
        .await;
    let chain_time = started.elapsed();
    let _ = std::fs::remove_dir_all(&home);
    eprintln!(
        "silent IMDS: provider gave up after {provider_time:?}, the chain after {chain_time:?}"
    );
    assert!(
        matches!(result, Err(CredentialsError::NotLoaded { .. })),
        "{result:?}"
    );
    assert!(provider_time < Duration::from_secs(5), "{provider_time:?}");
    assert!(chain_time < Duration::from_secs(5), "{chain_time:?}");
}

#[tokio::test]
async fn no_imds_at_all_is_not_loaded_at_once() {
    // Bind then drop a listener: nothing listens on that port any more.
    let addr = TcpListener::bind("127.0.0.1:0")
        .await
        .and_then(|l| l.local_addr())
        .expect("port");
    let env = Env::from_vars([(
        "AWS_EC2_METADATA_SERVICE_ENDPOINT",
        format!("http://{addr}"),
    )]);
    let started = Instant::now();
    let result = ImdsProvider::new(None, None)
        .credentials(&NetworkClient::new(), &env)
        .await;
    assert!(
        matches!(result, Err(CredentialsError::NotLoaded { .. })),
        "{result:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

const ASSUME_ROLE_OK: &str = r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser><AssumedRoleId>AROA:s</AssumedRoleId><Arn>arn:aws:sts::210987654321:assumed-role/r/s</Arn></AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAASSUMED</AccessKeyId><SecretAccessKey>assumed-secret</SecretAccessKey>
      <SessionToken>assumed-token</SessionToken><Expiration>2024-05-06T13:00:00Z</Expiration>
    </Credentials>
  </AssumeRoleResult>
</AssumeRoleResponse>"#;

fn base_credentials() -> Credentials {
    Credentials {
        session_token: Some(Secret::new("base-token")),
        ..Credentials::new("AKIDBASE", "base-secret")
    }
}

/// 2024-05-06T12:00:00Z.
fn may_6_noon() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_714_996_800)
}

#[tokio::test]
async fn sts_assume_role_is_sigv4_signed_with_the_sts_scope() {
    let server = Server::start(|_: &Seen| {
        (
            200,
            vec![("content-type", "text/xml".into())],
            ASSUME_ROLE_OK.into(),
        )
    })
    .await;
    let env = Env::from_vars([("HOME", "/nowhere")]).with_now(may_6_noon());
    let params = AssumeRoleParams {
        role_arn: "arn:aws:iam::210987654321:role/r".into(),
        session_name: None,
        external_id: Some("ext id".into()),
        duration_seconds: Some(900),
        region: "us-west-2".into(),
        endpoint_override: Some(server.url()),
    };
    let creds = sts::assume_role(&NetworkClient::new(), &env, &base_credentials(), &params)
        .await
        .expect("assumed role");
    assert_eq!(creds.access_key_id, "ASIAASSUMED");
    assert_eq!(creds.secret_access_key.expose(), "assumed-secret");
    assert_eq!(
        creds.session_token.as_ref().map(Secret::expose),
        Some("assumed-token")
    );
    assert_eq!(creds.expiry, Some(may_6_noon() + Duration::from_secs(3600)));
    assert_eq!(creds.account_id.as_deref(), Some("210987654321"));

    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    let request = &seen[0];
    assert_eq!(
        (request.method.as_str(), request.target.as_str()),
        ("POST", "/")
    );
    let authorization = request
        .headers
        .get("authorization")
        .cloned()
        .unwrap_or_default();
    assert!(
        authorization.starts_with(
            "AWS4-HMAC-SHA256 Credential=AKIDBASE/20240506/us-west-2/sts/aws4_request,"
        ),
        "{authorization}"
    );
    assert_eq!(
        authorization.split("Signature=").nth(1),
        Some(official_signature(request, may_6_noon()).as_str()),
        "the signature the server received is not the one the official aws-sigv4 computes"
    );
    assert_eq!(
        request.headers.get("x-amz-date").map(String::as_str),
        Some("20240506T120000Z")
    );
    assert_eq!(
        request
            .headers
            .get("x-amz-security-token")
            .map(String::as_str),
        Some("base-token")
    );
    assert_eq!(
        request.headers.get("content-type").map(String::as_str),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        request.body,
        "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A210987654321%3Arole%2Fr\
         &RoleSessionName=assume-role-from-profile-1714996800000&ExternalId=ext%20id&DurationSeconds=900"
    );
}

/// What the official `aws-sigv4` crate signs for the request the server received (same
/// keys, time, region and service, and the headers our signature says it signed).
fn official_signature(request: &Seen, time: SystemTime) -> String {
    use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
    let authorization = request
        .headers
        .get("authorization")
        .cloned()
        .unwrap_or_default();
    let signed: Vec<&str> = authorization
        .split("SignedHeaders=")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .map(|names| names.split(';').collect())
        .unwrap_or_default();
    // aws-sigv4 adds host, x-amz-date and x-amz-security-token itself.
    let headers: Vec<(&str, &str)> = signed
        .iter()
        .filter(|name| !["host", "x-amz-date", "x-amz-security-token"].contains(name))
        .filter_map(|name| Some((*name, request.headers.get(*name)?.as_str())))
        .collect();
    let uri = format!(
        "http://{}{}",
        request.headers.get("host").cloned().unwrap_or_default(),
        request.target
    );
    let identity = aws_credential_types::Credentials::new(
        "AKIDBASE",
        "base-secret",
        Some("base-token".to_owned()),
        None,
        "test",
    )
    .into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region("us-west-2")
        .name("sts")
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .expect("signing params")
        .into();
    let signable = SignableRequest::new(
        &request.method,
        &uri,
        headers.into_iter(),
        SignableBody::Bytes(request.body.as_bytes()),
    )
    .expect("signable request");
    sign(signable, &params)
        .expect("official signature")
        .signature()
        .to_owned()
}

#[tokio::test]
async fn sts_errors_name_code_and_message_and_are_retried_only_when_transient() {
    let calls = Mutex::new(0);
    let server = Server::start(move |_: &Seen| {
        let mut calls = calls.lock().unwrap_or_else(PoisonError::into_inner);
        *calls += 1;
        match *calls {
            1 => (503, vec![], "<html>busy</html>".into()),
            _ => (
                403,
                vec![],
                "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>\
                 <Message>User: arn:aws:iam::1:user/u is not authorized to perform: sts:AssumeRole</Message>\
                 </Error></ErrorResponse>"
                    .into(),
            ),
        }
    })
    .await;
    let params = AssumeRoleParams {
        role_arn: "arn:aws:iam::1:role/r".into(),
        session_name: Some("s".into()),
        external_id: None,
        duration_seconds: None,
        region: "us-east-1".into(),
        endpoint_override: Some(server.url()),
    };
    let error = sts::assume_role(
        &NetworkClient::new(),
        &Env::from_vars([("HOME", "/x")]),
        &base_credentials(),
        &params,
    )
    .await
    .unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, CredentialsError::ProviderError { source: "sts", .. }),
        "{message}"
    );
    assert!(
        message.contains("AccessDenied: User: arn:aws:iam::1:user/u is not authorized"),
        "{message}"
    );
    assert!(
        message.contains("arn:aws:iam::1:role/r") && message.contains("HTTP 403"),
        "{message}"
    );
    assert!(
        !message.contains("base-secret") && !message.contains('\n'),
        "{message}"
    );
    assert_eq!(
        server.seen().len(),
        2,
        "one retry after the 503, none after the 403"
    );
}

#[tokio::test]
async fn web_identity_is_unsigned_and_sends_the_token_file() {
    let reply = ASSUME_ROLE_OK.replace("AssumeRoleResult", "AssumeRoleWithWebIdentityResult");
    let server = Server::start(move |_: &Seen| (200, vec![], reply.clone())).await;
    let root = scratch_dir("web-identity");
    std::fs::write(root.join("token.jwt"), "header.payload.sig\n").expect("write token");
    let env = Env::from_vars([
        ("AWS_WEB_IDENTITY_TOKEN_FILE", "/token.jwt"),
        ("AWS_ROLE_ARN", "arn:aws:iam::210987654321:role/web"),
        ("AWS_ENDPOINT_URL_STS", server.url().as_str()),
    ])
    .with_fs_root(&root)
    .with_now(may_6_noon());
    let params: WebIdentityParams =
        web_identity::params_from_env(&env, "eu-west-1").expect("configured");
    let creds =
        web_identity::assume_role_with_web_identity(&NetworkClient::new(), &env, &params).await;
    let _ = std::fs::remove_dir_all(&root);
    assert_eq!(creds.map(|c| c.access_key_id), Ok("ASIAASSUMED".to_owned()));
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert!(!seen[0].headers.contains_key("authorization"));
    assert_eq!(
        seen[0].body,
        "Action=AssumeRoleWithWebIdentity&Version=2011-06-15\
         &RoleArn=arn%3Aaws%3Aiam%3A%3A210987654321%3Arole%2Fweb\
         &RoleSessionName=web-identity-token-1714996800000&WebIdentityToken=header.payload.sig"
    );
}

#[tokio::test]
async fn sso_portal_gets_the_cached_token() {
    let server = Server::start(|seen: &Seen| {
        match seen
            .headers
            .get("x-amz-sso_bearer_token")
            .map(String::as_str)
        {
            Some("cached-access-token") => (
                200,
                vec![],
                r#"{"roleCredentials":{"accessKeyId":"ASIASSO","secretAccessKey":"sso-secret",
                "sessionToken":"sso-token","expiration":1714999999000}}"#
                    .into(),
            ),
            _ => (
                401,
                vec![("x-amzn-errortype", "UnauthorizedException".into())],
                r#"{"message":"no"}"#.into(),
            ),
        }
    })
    .await;
    let root = scratch_dir("sso");
    let cache = root.join("home/.aws/sso/cache");
    std::fs::create_dir_all(&cache).expect("mkdir");
    // sha1("dev")
    std::fs::write(
        cache.join("34c6fceca75e456f25e7e99531e2425c6c1de443.json"),
        r#"{"accessToken":"cached-access-token","expiresAt":"2024-05-06T20:00:00Z"}"#,
    )
    .expect("write token");
    let env = Env::from_vars([
        ("HOME", "/home"),
        ("AWS_ENDPOINT_URL_SSO", server.url().as_str()),
    ])
    .with_fs_root(&root)
    .with_now(may_6_noon());
    let params = SsoParams {
        start_url: "https://d-abc.awsapps.com/start".into(),
        sso_region: "us-east-1".into(),
        account_id: "012345678901".into(),
        role_name: "Reader".into(),
        session_name: Some("dev".into()),
    };
    let http = NetworkClient::new();
    let creds = sso::role_credentials(&http, &env, &params)
        .await
        .expect("sso credentials");
    assert_eq!(creds.access_key_id, "ASIASSO");
    assert_eq!(creds.account_id.as_deref(), Some("012345678901"));
    assert_eq!(
        server.seen()[0].target,
        "/federation/credentials?account_id=012345678901&role_name=Reader"
    );

    // Once the cached token has expired, the user is told to sign in again.
    let later = env
        .clone()
        .with_now(may_6_noon() + Duration::from_secs(9 * 3600));
    let message = sso::role_credentials(&http, &later, &params)
        .await
        .unwrap_err()
        .to_string();
    let _ = std::fs::remove_dir_all(&root);
    assert!(
        message.contains("aws sso login --sso-session dev"),
        "{message}"
    );
    assert!(!message.contains("cached-access-token"), "{message}");
    assert_eq!(server.seen().len(), 1, "no call with an expired token");
}

#[tokio::test]
async fn container_endpoint_sends_the_token_file_and_retries_a_500() {
    let calls = Mutex::new(0);
    let server =
        Server::start(move |_: &Seen| {
            let mut calls = calls.lock().unwrap_or_else(PoisonError::into_inner);
            *calls += 1;
            match *calls {
            1 => (500, vec![], r#"{"code":"InternalError","message":"try again"}"#.into()),
            _ => (
                200,
                vec![("content-type", "application/json".into())],
                r#"{"AccessKeyId":"ASIACONTAINER","SecretAccessKey":"c-secret","Token":"c-token",
                    "AccountId":"123456789012","Expiration":"2100-01-01T00:00:00Z"}"#
                    .into(),
            ),
        }
        })
        .await;
    let root = scratch_dir("container");
    std::fs::write(root.join("eks-token"), "Bearer pod-identity-token\n").expect("write token");
    let full_uri = format!("{}/v1/credentials?x=1", server.url());
    let env = Env::from_vars([
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", full_uri.as_str()),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/eks-token"),
        (
            "AWS_CONTAINER_AUTHORIZATION_TOKEN",
            "the file wins over this",
        ),
    ])
    .with_fs_root(&root);
    let creds = container::load(&NetworkClient::new(), &env).await;
    let _ = std::fs::remove_dir_all(&root);
    let creds = creds.expect("container credentials");
    assert_eq!(creds.access_key_id, "ASIACONTAINER");
    assert_eq!(creds.account_id.as_deref(), Some("123456789012"));
    let seen = server.seen();
    assert_eq!(seen.len(), 2, "the 500 is retried once");
    for request in &seen {
        assert_eq!(
            (request.method.as_str(), request.target.as_str()),
            ("GET", "/v1/credentials?x=1")
        );
        assert_eq!(
            request.headers.get("authorization").map(String::as_str),
            Some("Bearer pod-identity-token")
        );
        assert_eq!(
            request.headers.get("accept").map(String::as_str),
            Some("application/json")
        );
    }
}

#[tokio::test]
async fn https_to_a_plain_http_server_is_an_error_not_a_panic() {
    // The TLS client (rustls on ring, platform verifier) is built and tries a handshake;
    // the server waits for an HTTP request that never comes.
    let server = Server::start(|_: &Seen| (200, vec![], "not TLS".into())).await;
    let request = HttpRequest {
        method: "GET".into(),
        uri: format!("https://{}/", server.addr),
        headers: vec![],
        body: Default::default(),
        connect_timeout: Duration::from_secs(1),
        response_timeout: Duration::from_secs(1),
        direct: false,
    };
    // The handshake never completes: connecting (TLS included) times out, and
    // the request is known not to have been sent.
    let result = NetworkClient::new().send(request).await;
    assert!(matches!(result, Err(HttpError::Connect(_))), "{result:?}");
}

#[tokio::test]
async fn container_refusals_name_code_and_message_and_are_not_retried() {
    let server = Server::start(|_: &Seen| {
        let body = r#"{"code":"AccessDenied","message":"token rejected"}"#;
        (403, vec![], body.into())
    })
    .await;
    let env = Env::from_vars([
        (
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            format!("{}/creds", server.url()),
        ),
        (
            "AWS_CONTAINER_AUTHORIZATION_TOKEN",
            "Basic c2VjcmV0".to_owned(),
        ),
    ]);
    let error = container::load(&NetworkClient::new(), &env)
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(matches!(
        error,
        CredentialsError::ProviderError {
            source: "container",
            ..
        }
    ));
    assert!(
        message.contains("AccessDenied: token rejected (HTTP 403)"),
        "{message}"
    );
    assert!(
        message.contains("/creds") && !message.contains("c2VjcmV0"),
        "{message}"
    );
    assert_eq!(server.seen().len(), 1);
}
