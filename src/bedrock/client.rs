//! [`Client`]: Converse and ConverseStream on the Bedrock runtime endpoint.
//!
//! `POST /model/{modelId}/converse` and `POST /model/{modelId}/converse-stream`,
//! the model id or ARN percent-encoded once in the path (the signer encodes it
//! again for the canonical request), a JSON body, `accept: application/json` or
//! `application/vnd.amazon.eventstream`, SigV4 for the service `bedrock` in the
//! request region, or a bearer token. A model ARN carries its own region, and the
//! request goes there. Retries, clock skew and error typing: [`crate::transport`].

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

use super::error::BedrockError;
use super::stream::ConverseStream;
use crate::credentials::{region, Auth};
use crate::endpoint::{self, Endpoint, EndpointSettings, Service};
use crate::env::Env;
use crate::model_ref::ModelRef;
use crate::transport::{Method, ServiceRequest, Transport, TransportConfig};
use crate::types::{ConverseRequest, ConverseResponse};

/// The default idle timeout of a stream (and the wait for response headers).
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// The default connect timeout (the AWS SDKs').
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_millis(3100);
/// The default number of attempts (the standard retry mode's).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;
/// The default backoff ceiling before the first retry (the Rust SDK's).
pub const DEFAULT_INITIAL_BACKOFF: Duration = Duration::from_secs(1);

/// The largest Converse response body read.
const MAX_RESPONSE_BODY: usize = 32 * 1024 * 1024;

/// How a [`Client`] is set up. `Debug` shows no secret.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Where variables, files and the clock come from ([`Env::real`] by default).
    pub env: Env,
    /// The profile (`--profile`).
    pub profile: Option<String>,
    /// The region (`--region`); `None`: the region chain.
    pub region: Option<String>,
    /// An endpoint for both services (`--endpoint-url`); `http://` only to loopback.
    pub endpoint_url: Option<String>,
    /// Explicit credentials or bearer token; `None`: the default chain (cached).
    pub auth: Option<Auth>,
    /// A stream that sends nothing for this long ends with
    /// [`BedrockError::IdleTimeout`]; also the wait for response headers.
    pub idle_timeout: Duration,
    /// Time allowed to connect.
    pub connect_timeout: Duration,
    /// Attempts per request (standard retry mode).
    pub max_attempts: u32,
    /// The backoff ceiling before the first retry; it doubles for each later
    /// retry, up to 20 s. The wait is a random part of it.
    pub initial_backoff: Duration,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            env: Env::real(),
            profile: None,
            region: None,
            endpoint_url: None,
            auth: None,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            initial_backoff: DEFAULT_INITIAL_BACKOFF,
        }
    }
}

/// A Bedrock runtime client. Cheap to clone (shared state): one connection
/// pool, one signing-key cache, one credentials cache, one clock-skew offset.
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    transport: Transport,
    env: Env,
    region: String,
    endpoint_url: Option<String>,
    endpoint: Endpoint,
    idle_timeout: Duration,
}

/// The runtime operations on a model (`POST /model/{modelId}/<path>`).
#[derive(Clone, Copy)]
pub(crate) enum Operation {
    Converse,
    ConverseStream,
    InvokeModel,
    InvokeModelWithResponseStream,
    CountTokens,
}

impl Operation {
    fn path(self) -> &'static str {
        match self {
            Operation::Converse => "converse",
            Operation::ConverseStream => "converse-stream",
            Operation::InvokeModel => "invoke",
            Operation::InvokeModelWithResponseStream => "invoke-with-response-stream",
            Operation::CountTokens => "count-tokens",
        }
    }

    fn accept(self) -> &'static str {
        match self {
            Operation::Converse | Operation::InvokeModel | Operation::CountTokens => {
                "application/json"
            }
            Operation::ConverseStream | Operation::InvokeModelWithResponseStream => {
                "application/vnd.amazon.eventstream"
            }
        }
    }

    fn name(self) -> &'static str {
        match self {
            Operation::Converse => "Converse",
            Operation::ConverseStream => "ConverseStream",
            Operation::InvokeModel => "InvokeModel",
            Operation::InvokeModelWithResponseStream => "InvokeModelWithResponseStream",
            Operation::CountTokens => "CountTokens",
        }
    }
}

impl Client {
    /// A client: resolves the region and the endpoint now (no I/O but local
    /// files); credentials and connections come on first use.
    pub fn new(config: ClientConfig) -> Result<Client, BedrockError> {
        let region = region::resolve(
            config.region.as_deref(),
            &config.env,
            config.profile.as_deref(),
        )?
        .region;
        let endpoint = runtime_endpoint(&region, config.endpoint_url.as_deref(), &config.env)?;
        let transport = Transport::new(TransportConfig {
            env: config.env.clone(),
            profile: config.profile,
            region: Some(region.clone()),
            auth: config.auth,
            connect_timeout: config.connect_timeout,
            read_timeout: config.idle_timeout,
            max_attempts: config.max_attempts,
            initial_backoff: config.initial_backoff,
        })?;
        Ok(Client {
            inner: Arc::new(Inner {
                transport,
                env: config.env,
                region,
                endpoint_url: config.endpoint_url,
                endpoint,
                idle_timeout: config.idle_timeout,
            }),
        })
    }

    /// The request region.
    pub fn region(&self) -> &str {
        &self.inner.region
    }

    /// The runtime endpoint's base URL for the request region.
    pub fn endpoint_url(&self) -> &str {
        &self.inner.endpoint.url
    }

    /// The clock-skew offset learnt so far (service minus local time, ms).
    pub fn clock_skew_ms(&self) -> i64 {
        self.inner.transport.clock_skew_ms()
    }

    /// Converse: the whole answer at once.
    pub async fn converse(
        &self,
        model: &str,
        request: &ConverseRequest,
    ) -> Result<ConverseResponse, BedrockError> {
        let response = self
            .send(Operation::Converse, model, serialise(model, request)?)
            .await?;
        let body = self.read_body(response, Operation::Converse, model).await?;
        serde_json::from_slice(&body).map_err(|e| {
            BedrockError::InvalidResponse(format!(
                "the Converse response of model `{model}` is not a ConverseResponse: {e}"
            ))
        })
    }

    /// InvokeModel (`POST /model/{id}/invoke`): a JSON body in the model's own
    /// format, its JSON answer back (used for embeddings).
    pub async fn invoke(
        &self,
        model: &str,
        body: serde_json::Value,
    ) -> Result<Vec<u8>, BedrockError> {
        let response = self
            .send(Operation::InvokeModel, model, serialise(model, &body)?)
            .await?;
        self.read_body(response, Operation::InvokeModel, model)
            .await
    }

    /// A signed `GET` on the control plane (`bedrock.<region>...`, or the
    /// endpoint override) in the client's region; returns the body.
    pub(crate) async fn control_get(&self, path_and_query: &str) -> Result<Vec<u8>, BedrockError> {
        let inner = &self.inner;
        let settings = EndpointSettings {
            region: Some(&inner.region),
            endpoint_url: inner.endpoint_url.as_deref(),
            configured_url: None,
        };
        let endpoint = endpoint::resolve(Service::Bedrock, &settings, &inner.env)
            .map_err(|e| BedrockError::Config(e.to_string()))?;
        let url = format!("{}{path_and_query}", endpoint.url);
        let response = inner
            .transport
            .send(&ServiceRequest {
                method: Method::Get,
                url: &url,
                region: &inner.region,
                accept: "application/json",
                body: &Bytes::new(),
            })
            .await?;
        read_limited(
            response,
            inner.idle_timeout,
            &format!("GET {path_and_query}"),
        )
        .await
    }

    /// A signed JSON `POST` of `body` to `path` on the runtime endpoint of the
    /// client's region (for operations not on a model); returns the body, and
    /// `what` names it in errors.
    pub(crate) async fn runtime_post(
        &self,
        path: &str,
        body: Bytes,
        what: &str,
    ) -> Result<Vec<u8>, BedrockError> {
        let inner = &self.inner;
        let url = format!("{}{path}", inner.endpoint.url);
        let response = inner
            .transport
            .send(&ServiceRequest {
                method: Method::Post,
                url: &url,
                region: &inner.region,
                accept: "application/json",
                body: &body,
            })
            .await?;
        read_limited(response, inner.idle_timeout, what).await
    }

    /// The stream idle timeout (also the wait for response headers).
    pub(crate) fn idle_timeout(&self) -> Duration {
        self.inner.idle_timeout
    }

    pub(crate) async fn read_body(
        &self,
        response: reqwest::Response,
        operation: Operation,
        model: &str,
    ) -> Result<Vec<u8>, BedrockError> {
        let what = format!("the {} response of model `{model}`", operation.name());
        read_limited(response, self.inner.idle_timeout, &what).await
    }

    /// ConverseStream: events as they come.
    pub async fn converse_stream(
        &self,
        model: &str,
        request: &ConverseRequest,
    ) -> Result<ConverseStream, BedrockError> {
        let response = self
            .send(Operation::ConverseStream, model, serialise(model, request)?)
            .await?;
        Ok(ConverseStream::new(response, self.inner.idle_timeout))
    }

    pub(crate) async fn send(
        &self,
        operation: Operation,
        model: &str,
        body: Bytes,
    ) -> Result<reqwest::Response, BedrockError> {
        let model_ref = ModelRef::parse(model).map_err(|e| BedrockError::Config(e.to_string()))?;
        let inner = &self.inner;
        let region = model_ref.region().unwrap_or(&inner.region);
        let other_endpoint;
        let endpoint = if region == inner.region {
            &inner.endpoint
        } else {
            other_endpoint = runtime_endpoint(region, inner.endpoint_url.as_deref(), &inner.env)?;
            &other_endpoint
        };
        let url = format!(
            "{}/model/{}/{}",
            endpoint.url,
            model_ref.path_segment(),
            operation.path()
        );
        let sent = inner
            .transport
            .send(&ServiceRequest {
                method: Method::Post,
                url: &url,
                region,
                accept: operation.accept(),
                body: &body,
            })
            .await;
        match sent {
            Err(BedrockError::Service {
                status,
                code,
                message,
                retryable,
            }) if message.contains("on-demand throughput") => {
                let message = match self.profile_hint(&model_ref).await {
                    Some(profile) => format!(
                        "{message}; call it through the inference profile `{profile}` instead"
                    ),
                    None => message,
                };
                Err(BedrockError::Service {
                    status,
                    code,
                    message,
                    retryable,
                })
            }
            other => other,
        }
    }

    /// The inference profile to use for a model that cannot be invoked on
    /// demand, if ListInferenceProfiles names one.
    async fn profile_hint(&self, model_ref: &ModelRef) -> Option<String> {
        let base = model_ref.base_model_id()?;
        let profiles = self
            .list_inference_profiles(Some("SYSTEM_DEFINED"))
            .await
            .ok()?;
        crate::models::discovery::profile_for_model(base, &profiles)
    }
}

/// A request as its JSON body.
pub(crate) fn serialise<T: serde::Serialize + ?Sized>(
    model: &str,
    request: &T,
) -> Result<Bytes, BedrockError> {
    serde_json::to_vec(request).map(Bytes::from).map_err(|e| {
        BedrockError::Config(format!("cannot serialise the request for `{model}`: {e}"))
    })
}

/// Reads a whole response body (at most [`MAX_RESPONSE_BODY`] bytes), each
/// read bounded by `idle_timeout`; `what` names it in errors.
async fn read_limited(
    mut response: reqwest::Response,
    idle_timeout: Duration,
    what: &str,
) -> Result<Vec<u8>, BedrockError> {
    let mut body = Vec::new();
    loop {
        let chunk = tokio::time::timeout(idle_timeout, response.chunk())
            .await
            .map_err(|_| BedrockError::IdleTimeout(idle_timeout))?
            .map_err(|e| {
                BedrockError::Network(format!(
                    "reading {what}: {}",
                    crate::http::error_from_reqwest(&e)
                ))
            })?;
        let Some(chunk) = chunk else {
            return Ok(body);
        };
        if body.len() + chunk.len() > MAX_RESPONSE_BODY {
            return Err(BedrockError::InvalidResponse(format!(
                "{what} is larger than {MAX_RESPONSE_BODY} bytes"
            )));
        }
        body.extend_from_slice(&chunk);
    }
}

/// The runtime endpoint for `region`.
fn runtime_endpoint(
    region: &str,
    endpoint_url: Option<&str>,
    env: &Env,
) -> Result<Endpoint, BedrockError> {
    let settings = EndpointSettings {
        region: Some(region),
        endpoint_url,
        configured_url: None,
    };
    endpoint::resolve(Service::BedrockRuntime, &settings, env)
        .map_err(|e| BedrockError::Config(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> ClientConfig {
        ClientConfig {
            env: Env::from_vars(vars.iter().copied()),
            ..ClientConfig::default()
        }
    }

    #[test]
    fn clients_are_shareable() {
        fn shareable<T: Clone + Send + Sync + 'static>() {}
        shareable::<Client>();
        fn sendable<T: Send + 'static>() {}
        sendable::<ConverseStream>();
    }

    #[test]
    fn debug_shows_no_secret() {
        let mut with_keys = config(&[
            ("AWS_REGION", "us-east-1"),
            ("AWS_SECRET_ACCESS_KEY", "s3cr3t-env"),
        ]);
        with_keys.auth = Some(Auth::SigV4(crate::credentials::Credentials::new(
            "AKIDEXAMPLE",
            "s3cr3t-explicit",
        )));
        let shown = format!(
            "{with_keys:?} {:?}",
            Client::new(with_keys.clone()).unwrap()
        );
        assert!(!shown.contains("s3cr3t"), "{shown}");
    }

    #[test]
    fn region_and_endpoint() {
        let client = Client::new(config(&[("AWS_REGION", "eu-west-3")])).unwrap();
        assert_eq!(client.region(), "eu-west-3");
        assert_eq!(
            client.endpoint_url(),
            "https://bedrock-runtime.eu-west-3.amazonaws.com"
        );
        let mut explicit = config(&[("AWS_REGION", "eu-west-3")]);
        explicit.region = Some("us-west-2".into());
        explicit.endpoint_url = Some("http://127.0.0.1:9/".into());
        let client = Client::new(explicit).unwrap();
        assert_eq!(client.region(), "us-west-2");
        assert_eq!(client.endpoint_url(), "http://127.0.0.1:9");
    }

    #[test]
    fn bad_settings_are_config_errors() {
        let mut remote_http = config(&[("AWS_REGION", "us-east-1")]);
        remote_http.endpoint_url = Some("http://example.com".into());
        let error = Client::new(remote_http).unwrap_err();
        assert!(matches!(error, BedrockError::Config(_)), "{error}");
        let error = Client::new(config(&[("AWS_REGION", "US EAST")])).unwrap_err();
        assert!(matches!(error, BedrockError::Config(_)), "{error}");
    }
}
