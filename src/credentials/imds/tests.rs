//! IMDS provider behaviour against a scripted fake IMDS.

use super::*;
use crate::http::{Body, BoxFuture, HttpError, HttpResponse};
use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::UNIX_EPOCH;

const CREDS: &str = r#"{"Code":"Success","AccessKeyId":"ASIAIMDS","SecretAccessKey":"s",
    "Token":"t","Expiration":"2021-09-21T04:16:53Z"}"#;
/// 2021-09-21T04:16:53Z, the expiry in [`CREDS`].
const EXPIRY: u64 = 1_632_197_813;

/// Answers requests from a script, in order, and records what was asked.
#[derive(Debug, Default)]
struct Script {
    answers: Mutex<VecDeque<Result<HttpResponse, HttpError>>>,
    seen: Mutex<Vec<HttpRequest>>,
}

impl Script {
    fn new(answers: Vec<Result<HttpResponse, HttpError>>) -> Self {
        Script {
            answers: Mutex::new(answers.into()),
            seen: Mutex::default(),
        }
    }

    /// `METHOD path [token]` of each request seen.
    fn seen(&self) -> Vec<String> {
        let seen = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        seen.iter()
            .map(|r| {
                let path = r.uri.trim_start_matches("http://169.254.169.254");
                let token = r
                    .headers
                    .iter()
                    .find(|(k, _)| k == "x-aws-ec2-metadata-token")
                    .map(|(_, v)| format!(" {v}"))
                    .unwrap_or_default();
                format!("{} {path}{token}", r.method)
            })
            .collect()
    }
}

impl HttpClient for Script {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, HttpError>> {
        self.seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(request);
        let answer = self
            .answers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop_front()
            .unwrap_or_else(|| Err(HttpError::Other("script exhausted".into())));
        Box::pin(async move { answer })
    }
}

fn ok(status: u16, body: &str) -> Result<HttpResponse, HttpError> {
    Ok(HttpResponse {
        status,
        headers: vec![(
            "x-aws-ec2-metadata-token-ttl-seconds".into(),
            "21600".into(),
        )],
        body: Body::from(body.to_owned()),
    })
}

fn env_at(seconds: u64) -> Env {
    Env::from_vars([("HOME", "/nonexistent")]).with_now(UNIX_EPOCH + Duration::from_secs(seconds))
}

const ROLE: &str = "/latest/meta-data/iam/security-credentials/";

#[tokio::test]
async fn token_is_reused_and_a_401_fetches_a_new_one() {
    let script = Script::new(vec![
        ok(200, "tok1"),
        ok(200, "role"),
        ok(200, CREDS),
        ok(401, ""),
        ok(200, "tok2"),
        ok(200, "role"),
        ok(200, CREDS),
    ]);
    let provider = ImdsProvider::new(None, None);
    let env = env_at(EXPIRY - 3600);
    let first = provider.credentials(&script, &env).await.expect("first");
    assert_eq!(first.access_key_id, "ASIAIMDS");
    assert_eq!(first.expiry, Some(UNIX_EPOCH + Duration::from_secs(EXPIRY)));
    provider.credentials(&script, &env).await.expect("second");
    assert_eq!(
        script.seen(),
        [
            "PUT /latest/api/token".to_owned(),
            format!("GET {ROLE} tok1"),
            format!("GET {ROLE}role tok1"),
            format!("GET {ROLE} tok1"),
            "PUT /latest/api/token".to_owned(),
            format!("GET {ROLE} tok2"),
            format!("GET {ROLE}role tok2"),
        ]
    );
}

#[tokio::test]
async fn a_token_near_its_expiry_is_replaced() {
    let script = Script::new(vec![
        ok(200, "tok1"),
        ok(200, "role"),
        ok(200, CREDS),
        ok(200, "tok2"),
        ok(200, "role"),
        ok(200, CREDS),
    ]);
    let provider = ImdsProvider::new(None, None);
    let start = EXPIRY - 30_000;
    provider
        .credentials(&script, &env_at(start))
        .await
        .expect("first");
    // 21600 s TTL, refreshed 120 s early.
    let late = env_at(start + 21_600 - 119);
    provider.credentials(&script, &late).await.expect("second");
    assert!(
        script
            .seen()
            .iter()
            .filter(|r| r.starts_with("PUT"))
            .count()
            == 2
    );
}

#[tokio::test]
async fn server_errors_are_retried_up_to_four_attempts() {
    let script = Script::new(vec![
        ok(503, ""),
        ok(200, "tok"),
        ok(500, ""),
        ok(502, ""),
        ok(200, "role"),
        ok(503, ""),
        ok(200, CREDS),
    ]);
    let provider = ImdsProvider::new(None, None);
    let creds = provider.credentials(&script, &env_at(EXPIRY - 60)).await;
    assert_eq!(creds.map(|c| c.access_key_id), Ok("ASIAIMDS".to_owned()));

    let always_500 = Script::new(vec![
        ok(200, "tok"),
        ok(500, ""),
        ok(500, ""),
        ok(500, ""),
        ok(500, ""),
    ]);
    let provider = ImdsProvider::new(None, None);
    let error = provider
        .credentials(&always_500, &env_at(0))
        .await
        .unwrap_err();
    assert!(
        matches!(error, CredentialsError::ProviderError { .. }),
        "{error}"
    );
    assert_eq!(always_500.seen().len(), 5);
}

#[tokio::test]
async fn no_imds_no_role_and_disabled_are_not_loaded() {
    let unreachable = Script::new(vec![Err(HttpError::Timeout("connect".into()))]);
    let provider = ImdsProvider::new(None, None);
    let error = provider
        .credentials(&unreachable, &env_at(0))
        .await
        .unwrap_err();
    assert!(
        matches!(error, CredentialsError::NotLoaded { .. }),
        "{error}"
    );
    assert_eq!(
        unreachable.seen().len(),
        1,
        "connection failures are not retried"
    );

    let no_role = Script::new(vec![ok(200, "tok"), ok(404, "<html>")]);
    let error = provider
        .credentials(&no_role, &env_at(0))
        .await
        .unwrap_err();
    assert!(
        matches!(error, CredentialsError::NotLoaded { .. }),
        "{error}"
    );

    let untouched = Script::new(vec![]);
    let disabled = Env::from_vars([("AWS_EC2_METADATA_DISABLED", "TRUE")]);
    let error = provider
        .credentials(&untouched, &disabled)
        .await
        .unwrap_err();
    assert!(
        matches!(error, CredentialsError::NotLoaded { .. }),
        "{error}"
    );
    assert!(untouched.seen().is_empty());
}

#[tokio::test]
async fn forbidden_bad_ttl_and_refusals_are_errors() {
    let provider = ImdsProvider::new(None, None);
    let forbidden = Script::new(vec![ok(403, "")]);
    let error = provider
        .credentials(&forbidden, &env_at(0))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("request forbidden"), "{error}");
    assert!(matches!(error, CredentialsError::ProviderError { .. }));

    let no_ttl = Script::new(vec![Ok(HttpResponse {
        status: 200,
        headers: vec![],
        body: Body::from("tok"),
    })]);
    let error = provider.credentials(&no_ttl, &env_at(0)).await.unwrap_err();
    assert!(error.to_string().contains("ttl"), "{error}");

    let refused = r#"{"Code":"AssumeRoleUnauthorizedAccess","Message":"denied"}"#;
    let script = Script::new(vec![ok(200, "tok"), ok(200, "role"), ok(200, refused)]);
    let error = ImdsProvider::new(None, None)
        .credentials(&script, &env_at(0))
        .await
        .unwrap_err();
    assert!(
        matches!(error, CredentialsError::InvalidConfig { .. }),
        "{error}"
    );

    let script = Script::new(vec![ok(200, "tok"), ok(200, "../../etc\n/x")]);
    let error = ImdsProvider::new(None, None)
        .credentials(&script, &env_at(0))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("role name"), "{error}");
}

#[tokio::test]
async fn expired_credentials_are_extended_by_10_to_15_minutes() {
    let script = Script::new(vec![ok(200, "tok"), ok(200, "role"), ok(200, CREDS)]);
    let now = EXPIRY + 5;
    let creds = ImdsProvider::new(None, None)
        .credentials(&script, &env_at(now))
        .await
        .expect("creds");
    let expiry = creds
        .expiry
        .and_then(|e| e.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_secs());
    let expiry = expiry.unwrap_or_default();
    assert!((now + 600..=now + 900).contains(&expiry), "{expiry}");
}

#[tokio::test]
async fn the_last_credentials_are_used_when_a_refresh_fails() {
    let script = Script::new(vec![
        ok(200, "tok"),
        ok(200, "role"),
        ok(200, CREDS),
        ok(500, ""),
        ok(500, ""),
        ok(500, ""),
        ok(500, ""),
    ]);
    let provider = ImdsProvider::new(None, None);
    let first = provider
        .credentials(&script, &env_at(EXPIRY - 100))
        .await
        .expect("first");
    // Later, IMDS fails and the old credentials have expired: they come back, extended.
    let second = provider
        .credentials(&script, &env_at(EXPIRY + 100))
        .await
        .expect("fallback");
    assert_eq!(second.access_key_id, first.access_key_id);
    assert!(second.expiry > Some(UNIX_EPOCH + Duration::from_secs(EXPIRY + 100 + 599)));
}
