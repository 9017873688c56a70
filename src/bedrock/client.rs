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
use super::types::{ConverseRequest, ConverseResponse};
use crate::credentials::{region, Auth, Env};
use crate::endpoint::{self, Endpoint, EndpointSettings, Service};
use crate::models::model_ref::ModelRef;
use crate::transport::{PostRequest, Transport, TransportConfig};

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

/// The two runtime operations.
#[derive(Clone, Copy)]
enum Operation {
    Converse,
    ConverseStream,
}

impl Operation {
    fn path(self) -> &'static str {
        match self {
            Operation::Converse => "converse",
            Operation::ConverseStream => "converse-stream",
        }
    }

    fn accept(self) -> &'static str {
        match self {
            Operation::Converse => "application/json",
            Operation::ConverseStream => "application/vnd.amazon.eventstream",
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
        let mut response = self.send(Operation::Converse, model, request).await?;
        let mut body = Vec::new();
        loop {
            let chunk = tokio::time::timeout(self.inner.idle_timeout, response.chunk())
                .await
                .map_err(|_| BedrockError::IdleTimeout(self.inner.idle_timeout))?
                .map_err(|e| {
                    BedrockError::Network(format!(
                        "reading the Converse response of model `{model}`: {}",
                        crate::http::error_from_reqwest(&e)
                    ))
                })?;
            let Some(chunk) = chunk else { break };
            if body.len() + chunk.len() > MAX_RESPONSE_BODY {
                return Err(BedrockError::InvalidResponse(format!(
                    "the Converse response of model `{model}` is larger than {MAX_RESPONSE_BODY} bytes"
                )));
            }
            body.extend_from_slice(&chunk);
        }
        serde_json::from_slice(&body).map_err(|e| {
            BedrockError::InvalidResponse(format!(
                "the Converse response of model `{model}` is not a ConverseResponse: {e}"
            ))
        })
    }

    /// ConverseStream: events as they come.
    pub async fn converse_stream(
        &self,
        model: &str,
        request: &ConverseRequest,
    ) -> Result<ConverseStream, BedrockError> {
        let response = self.send(Operation::ConverseStream, model, request).await?;
        Ok(ConverseStream::new(response, self.inner.idle_timeout))
    }

    async fn send(
        &self,
        operation: Operation,
        model: &str,
        request: &ConverseRequest,
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
        let body = Bytes::from(serde_json::to_vec(request).map_err(|e| {
            BedrockError::Config(format!("cannot serialise the request for `{model}`: {e}"))
        })?);
        inner
            .transport
            .send(&PostRequest {
                url: &url,
                region,
                accept: operation.accept(),
                body: &body,
            })
            .await
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
