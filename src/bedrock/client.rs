//! [`Client`]: the Bedrock runtime and control plane, built from [`Settings`].
//!
//! `POST /model/{modelId}/converse`, `.../converse-stream` and `.../invoke`
//! on the runtime endpoint, the model id or ARN percent-encoded once in the
//! path (the signer encodes it again for the canonical request), a JSON body,
//! SigV4 for the service `bedrock`, or a bearer token. Before each Converse or
//! ConverseStream call the client applies what the CLI used to apply by hand
//! ([`CallOptions`] opts out per request):
//!
//! * the per-model rules ([`crate::models::rules`]), an application inference
//!   profile resolved to its base model with GetInferenceProfile (in the ARN's
//!   own region, once per client);
//! * the config's guardrail, unless the request names its own;
//! * the region: an ARN's own region; else, with the `discovery` feature and
//!   unless the region was given explicitly, the discovery region for a model
//!   discovery found there; else the client's region.
//!
//! Retries, clock skew and error typing: [`crate::transport`].

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;

use super::error::BedrockError;
use super::stream::ConverseStream;
use crate::endpoint::{Service, SIGNING_NAME};
use crate::http::{BoxFuture, HttpResponse};
use crate::model_ref::{ModelKind, ModelRef, ModelRefError};
use crate::models::rules;
use crate::settings::Settings;
use crate::transport::{Method, ServiceError, ServiceRequest, Transport, TransportConfig};
use crate::types::{ConverseRequest, ConverseResponse};

/// InvokeModel's response header that counts the input tokens (lower-case).
pub const INPUT_TOKEN_COUNT_HEADER: &str = "x-amzn-bedrock-input-token-count";

/// The largest non-streaming response body read.
const MAX_RESPONSE_BODY: usize = 32 * 1024 * 1024;

/// A model given as a parsed [`ModelRef`] or as text (parsed on the way in;
/// a ref that does not parse is [`BedrockError::ModelRef`]).
pub trait IntoModelRef {
    /// The parsed ref.
    fn into_model_ref(self) -> Result<ModelRef, ModelRefError>;
}

impl IntoModelRef for ModelRef {
    fn into_model_ref(self) -> Result<ModelRef, ModelRefError> {
        Ok(self)
    }
}

impl IntoModelRef for &ModelRef {
    fn into_model_ref(self) -> Result<ModelRef, ModelRefError> {
        Ok(self.clone())
    }
}

impl IntoModelRef for &str {
    fn into_model_ref(self) -> Result<ModelRef, ModelRefError> {
        ModelRef::parse(self)
    }
}

impl IntoModelRef for &String {
    fn into_model_ref(self) -> Result<ModelRef, ModelRefError> {
        ModelRef::parse(self)
    }
}

impl IntoModelRef for String {
    fn into_model_ref(self) -> Result<ModelRef, ModelRefError> {
        ModelRef::parse(&self)
    }
}

/// What a Converse or ConverseStream call leaves out of what the client
/// does by default (module docs).
///
/// ```no_run
/// # async fn demo(client: bedrock_lite::Client, request: bedrock_lite::types::ConverseRequest) -> Result<(), bedrock_lite::BedrockError> {
/// use bedrock_lite::bedrock::client::CallOptions;
/// let raw = CallOptions { model_rules: false, guardrail: false };
/// let reply = client.converse_with("anthropic.claude-opus-4-7", &request, raw).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallOptions {
    /// Apply the per-model rules (drop parameters a model rejects).
    pub model_rules: bool,
    /// Attach the config's guardrail when the request names none.
    pub guardrail: bool,
}

impl Default for CallOptions {
    fn default() -> Self {
        CallOptions {
            model_rules: true,
            guardrail: true,
        }
    }
}

/// A Bedrock client. Cheap to clone (shared state): one connection pool, one
/// credentials cache, one clock-skew offset, one discovery cache (feature
/// `discovery`).
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    settings: Settings,
    transport: Transport,
    /// The runtime endpoint's base URL in the client's region.
    endpoint_url: String,
    /// Base models of application inference profiles (`None`: the lookup
    /// failed, so the ref's text is matched instead).
    profile_bases: Mutex<HashMap<String, Option<String>>>,
    #[cfg(feature = "discovery")]
    discovery: super::discovery::DiscoveryService,
}

/// The runtime operations on `/model/{modelId}/...`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
        match self.is_streaming() {
            true => "application/vnd.amazon.eventstream",
            false => "application/json",
        }
    }

    /// The operation's name, for messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Operation::Converse => "Converse",
            Operation::ConverseStream => "ConverseStream",
            Operation::InvokeModel => "InvokeModel",
            Operation::InvokeModelWithResponseStream => "InvokeModelWithResponseStream",
            Operation::CountTokens => "CountTokens",
        }
    }

    /// Whether the answer is an event stream (its head comes at once; then
    /// the idle timeout applies).
    fn is_streaming(self) -> bool {
        matches!(
            self,
            Operation::ConverseStream | Operation::InvokeModelWithResponseStream
        )
    }
}

impl Client {
    /// A client over `settings`: no I/O until the first call (credentials and
    /// connections come then).
    pub fn new(settings: Settings) -> Client {
        let transport = Transport::new(TransportConfig {
            env: settings.env.clone(),
            http: Arc::clone(&settings.http),
            credentials: settings.credentials.clone(),
            connect_timeout: settings.timeouts.connect,
            retry: settings.retry,
        });
        // `Settings` checked this endpoint when it was resolved.
        let endpoint_url = settings
            .endpoint(Service::BedrockRuntime, &settings.region)
            .map(|endpoint| endpoint.url)
            .unwrap_or_default();
        Client {
            inner: Arc::new(Inner {
                settings,
                transport,
                endpoint_url,
                profile_bases: Mutex::default(),
                #[cfg(feature = "discovery")]
                discovery: Default::default(),
            }),
        }
    }

    /// The settings the client was built from.
    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// The request region.
    pub fn region(&self) -> &str {
        &self.inner.settings.region
    }

    /// The runtime endpoint's base URL in the request region.
    pub fn endpoint_url(&self) -> &str {
        &self.inner.endpoint_url
    }

    /// The clock-skew offset learnt so far (service minus local time, ms).
    pub fn clock_skew_ms(&self) -> i64 {
        self.inner.transport.clock_skew_ms()
    }

    #[cfg(feature = "discovery")]
    pub(crate) fn discovery_service(&self) -> &super::discovery::DiscoveryService {
        &self.inner.discovery
    }

    /// Converse: the whole answer at once, with the model rules and the
    /// config's guardrail applied.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// use bedrock_lite::{Client, ConverseRequest, Message, Settings};
    /// let client = Client::new(Settings::resolve()?);
    /// let request = ConverseRequest::new().message(Message::user("Hi"));
    /// let reply = client.converse("us.anthropic.claude-sonnet-4-6", &request).await?;
    /// # Ok(()) }
    /// ```
    pub async fn converse(
        &self,
        model: impl IntoModelRef,
        request: &ConverseRequest,
    ) -> Result<ConverseResponse, BedrockError> {
        self.converse_with(model, request, CallOptions::default())
            .await
    }

    /// [`converse`](Self::converse), leaving out what `options` turns off.
    pub async fn converse_with(
        &self,
        model: impl IntoModelRef,
        request: &ConverseRequest,
        options: CallOptions,
    ) -> Result<ConverseResponse, BedrockError> {
        let model = model.into_model_ref()?;
        let body = self
            .prepare(&model, request, options, Operation::Converse)
            .await?;
        let response = self.send(Operation::Converse, &model, body).await?;
        let what = format!("the Converse response of model `{model}`");
        let body = self.read_body(response, &what).await?;
        parse_json(&body, &what)
    }

    /// ConverseStream: events as they come, with the model rules and the
    /// config's guardrail applied.
    pub async fn converse_stream(
        &self,
        model: impl IntoModelRef,
        request: &ConverseRequest,
    ) -> Result<ConverseStream, BedrockError> {
        self.converse_stream_with(model, request, CallOptions::default())
            .await
    }

    /// [`converse_stream`](Self::converse_stream), leaving out what `options`
    /// turns off.
    pub async fn converse_stream_with(
        &self,
        model: impl IntoModelRef,
        request: &ConverseRequest,
        options: CallOptions,
    ) -> Result<ConverseStream, BedrockError> {
        let model = model.into_model_ref()?;
        let body = self
            .prepare(&model, request, options, Operation::ConverseStream)
            .await?;
        let response = self.send(Operation::ConverseStream, &model, body).await?;
        Ok(ConverseStream::new(
            response.body,
            self.inner.settings.timeouts.idle,
        ))
    }

    /// InvokeModel (`POST /model/{id}/invoke`): a JSON body in the model's own
    /// format, its JSON answer back (embeddings use it).
    pub async fn invoke(
        &self,
        model: impl IntoModelRef,
        body: &serde_json::Value,
    ) -> Result<Bytes, BedrockError> {
        let model = model.into_model_ref()?;
        Ok(self.invoke_response(&model, body).await?.0)
    }

    /// InvokeModel's body and the input tokens of its
    /// [`INPUT_TOKEN_COUNT_HEADER`] (`None` when absent or not a number).
    pub(crate) async fn invoke_response(
        &self,
        model: &ModelRef,
        body: &serde_json::Value,
    ) -> Result<(Bytes, Option<u64>), BedrockError> {
        let body = serialise(model, body)?;
        let response = self.send(Operation::InvokeModel, model, body).await?;
        let input_tokens = response
            .headers
            .iter()
            .find(|(name, _)| name == INPUT_TOKEN_COUNT_HEADER)
            .and_then(|(_, value)| value.trim().parse().ok());
        let what = format!("the InvokeModel response of model `{model}`");
        let body = self.read_body(response, &what).await?;
        Ok((body, input_tokens))
    }

    /// The request body of `request` for `model`, with the model rules and the
    /// guardrail applied as `options` says (a copy only when something changes).
    ///
    /// Boxed, like [`Transport::send`], so that the generic operations that
    /// await it do not carry this code into every calling program.
    fn prepare<'a>(
        &'a self,
        model: &'a ModelRef,
        request: &'a ConverseRequest,
        options: CallOptions,
        operation: Operation,
    ) -> BoxFuture<'a, Result<Bytes, BedrockError>> {
        Box::pin(self.prepare_unboxed(model, request, options, operation))
    }

    /// [`prepare`](Self::prepare)'s body.
    async fn prepare_unboxed(
        &self,
        model: &ModelRef,
        request: &ConverseRequest,
        options: CallOptions,
        operation: Operation,
    ) -> Result<Bytes, BedrockError> {
        let settings = &self.inner.settings;
        let mut request = Cow::Borrowed(request);
        if options.model_rules {
            let base = self.application_profile_base(model).await;
            for note in rules::apply(&mut request, model, base.as_deref()) {
                settings.note(|| note);
            }
        }
        if let (true, Some(guardrail), None) = (
            options.guardrail,
            settings.config.guardrail.as_ref(),
            request.guardrail_config.as_ref(),
        ) {
            rules::owned(&mut request).guardrail_config = Some(match operation.is_streaming() {
                true => guardrail.to_stream_config(),
                false => guardrail.to_converse_config(),
            });
            settings.note(|| {
                format!(
                    "guardrail `{}` version {} attached",
                    guardrail.guardrail_identifier, guardrail.guardrail_version
                )
            });
        }
        serialise(model, &*request)
    }

    /// The base model of an application inference profile ARN, asked of
    /// GetInferenceProfile in the ARN's region and remembered per client; `None` for any
    /// other ref (its text shows its model), or when the lookup fails. The
    /// model rules match on it.
    pub async fn application_profile_base(&self, model: &ModelRef) -> Option<String> {
        if *model.kind() != ModelKind::ApplicationInferenceProfile {
            return None;
        }
        let cache = &self.inner.profile_bases;
        let known = cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(model.id())
            .cloned();
        if let Some(base) = known {
            return base;
        }
        let region = model.region().unwrap_or(self.region());
        // Only an answer is remembered (the profile, or a definite "no such
        // profile"): a throttled or failed lookup is asked again on the next
        // call, so a long-lived client does not lose the rules for its life.
        let (base, answered) = match self.get_inference_profile_in(region, model.id()).await {
            Ok(profile) => (profile.backing_model_id().map(str::to_owned), true),
            Err(error) => {
                self.inner.settings.note(|| {
                    format!("GetInferenceProfile for `{model}` failed ({error}); the model rules match its ARN")
                });
                (None, is_not_found(&error))
            }
        };
        if answered {
            cache
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(model.id().to_owned(), base.clone());
        }
        base
    }

    /// The region a call for `model` goes to (module docs).
    pub async fn region_for(&self, model: &ModelRef) -> String {
        if let Some(region) = model.region() {
            return region.to_owned();
        }
        #[cfg(feature = "discovery")]
        if let Some(region) = self.discovered_region(model).await {
            return region;
        }
        self.inner.settings.region.clone()
    }

    /// Sends one runtime operation for `model` (the body prepared) and returns
    /// the 2xx response; with the `discovery` feature, adds the inference
    /// profile to use when the model cannot be invoked on demand.
    ///
    /// Boxed, like [`prepare`](Self::prepare).
    pub(crate) fn send<'a>(
        &'a self,
        operation: Operation,
        model: &'a ModelRef,
        body: Bytes,
    ) -> BoxFuture<'a, Result<HttpResponse, BedrockError>> {
        Box::pin(self.send_unboxed(operation, model, body))
    }

    /// [`send`](Self::send)'s body.
    async fn send_unboxed(
        &self,
        operation: Operation,
        model: &ModelRef,
        body: Bytes,
    ) -> Result<HttpResponse, BedrockError> {
        let settings = &self.inner.settings;
        let region = self.region_for(model).await;
        let endpoint = settings
            .endpoint(Service::BedrockRuntime, &region)
            .map_err(|e| BedrockError::Config(e.to_string()))?;
        let url = format!(
            "{}/model/{}/{}",
            endpoint.url,
            model.path_segment(),
            operation.path()
        );
        settings.note(|| {
            format!(
                "{} `{model}` in {region} at {}",
                operation.name(),
                endpoint.url
            )
        });
        let timeouts = settings.timeouts;
        let request = ServiceRequest {
            method: Method::Post,
            url: &url,
            region: &region,
            service: SIGNING_NAME,
            accept: operation.accept(),
            body,
            response_timeout: match operation.is_streaming() {
                true => timeouts.idle,
                false => timeouts.response,
            },
        };
        match self.inner.transport.send(&request).await {
            // A stream answered with JSON (an error body under a 2xx status,
            // from a proxy or the service) is no event stream: say what it says.
            Ok(response) if operation.is_streaming() && is_json(&response) => {
                let what = format!("the {} response of model `{model}`", operation.name());
                let status = response.status;
                let body = self.read_body(response, &what).await?;
                let says = carried_error(status, &body).unwrap_or_default();
                Err(BedrockError::InvalidResponse {
                    what,
                    problem: format!("a JSON body instead of an event stream{says}"),
                })
            }
            Ok(response) => Ok(response),
            Err(error) => {
                let error = BedrockError::from(error);
                #[cfg(feature = "discovery")]
                let error = self.with_profile_hint(model, error).await;
                Err(error)
            }
        }
    }

    /// A signed JSON `POST` of `body` to `path` on the runtime endpoint of the
    /// client's region, for operations not on a model (ApplyGuardrail); waits
    /// for the answer as long as a non-streaming call does.
    pub(crate) async fn runtime_post(
        &self,
        path: &str,
        body: Bytes,
    ) -> Result<HttpResponse, BedrockError> {
        let settings = &self.inner.settings;
        let region = self.region();
        let endpoint = settings
            .endpoint(Service::BedrockRuntime, region)
            .map_err(|e| BedrockError::Config(e.to_string()))?;
        let url = format!("{}{path}", endpoint.url);
        settings.note(|| format!("POST {path} in {region} at {}", endpoint.url));
        let request = ServiceRequest {
            method: Method::Post,
            url: &url,
            region,
            service: SIGNING_NAME,
            accept: "application/json",
            body,
            response_timeout: settings.timeouts.response,
        };
        Ok(self.inner.transport.send(&request).await?)
    }

    /// A signed `GET` for `operation` (its name, for `-v`) on the control
    /// plane of `region`; returns the body.
    pub(crate) async fn control_get(
        &self,
        operation: &str,
        region: &str,
        path_and_query: &str,
    ) -> Result<Bytes, BedrockError> {
        let settings = &self.inner.settings;
        let endpoint = settings
            .endpoint(Service::Bedrock, region)
            .map_err(|e| BedrockError::Config(e.to_string()))?;
        let url = format!("{}{path_and_query}", endpoint.url);
        settings.note(|| {
            format!(
                "{operation} GET {path_and_query} in {region} at {}",
                endpoint.url
            )
        });
        let response = self
            .inner
            .transport
            .send(&ServiceRequest {
                method: Method::Get,
                url: &url,
                region,
                service: SIGNING_NAME,
                accept: "application/json",
                body: Bytes::new(),
                response_timeout: settings.timeouts.idle,
            })
            .await?;
        self.read_body(response, &format!("GET {path_and_query}"))
            .await
    }

    /// Reads a whole response body (at most 32 MiB), each chunk within the
    /// idle timeout; `what` names it in errors.
    pub(crate) async fn read_body(
        &self,
        response: HttpResponse,
        what: &str,
    ) -> Result<Bytes, BedrockError> {
        response
            .body
            .collect(MAX_RESPONSE_BODY, self.idle_timeout())
            .await
            .map_err(|source| BedrockError::Network {
                request: format!("reading {what}"),
                source,
            })
    }

    fn idle_timeout(&self) -> Duration {
        self.inner.settings.timeouts.idle
    }
}

/// Whether `error` is the service saying the resource does not exist (HTTP
/// 404), an answer that asking again would not change.
fn is_not_found(error: &BedrockError) -> bool {
    matches!(error, BedrockError::Service(service) if service.status == 404)
}

/// `value` as a JSON request body for `model`.
pub(crate) fn serialise(
    model: &ModelRef,
    value: &impl serde::Serialize,
) -> Result<Bytes, BedrockError> {
    let mut body = serde_json::to_vec(value).map_err(|e| {
        BedrockError::Config(format!("cannot serialise the request for `{model}`: {e}"))
    })?;
    // The buffer grew by doubling; the body lives until the call ends (a long
    // prompt would otherwise hold twice its size).
    body.shrink_to_fit();
    Ok(Bytes::from(body))
}

/// Reads a JSON response body; `what` names it in errors.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(
    body: &[u8],
    what: &str,
) -> Result<T, BedrockError> {
    serde_json::from_slice(body).map_err(|e| BedrockError::InvalidResponse {
        what: what.to_owned(),
        problem: format!("{e}{}", carried_error(200, body).unwrap_or_default()),
    })
}

/// Whether a response says its body is JSON.
fn is_json(response: &HttpResponse) -> bool {
    response
        .header("content-type")
        .is_some_and(|value| value.to_ascii_lowercase().contains("json"))
}

/// `; the body is an error answer: <code> (HTTP <status>): <message>` when a
/// successful response's JSON body is an error answer (it has a `message`)
/// rather than the one expected.
fn carried_error(status: u16, body: &[u8]) -> Option<String> {
    let json: serde_json::Value = serde_json::from_slice(body).ok()?;
    json.get("message").or_else(|| json.get("Message"))?;
    let error = ServiceError::parse(status, None, body);
    Some(format!(
        "; the body is an error answer: {} (HTTP {status}): {}",
        error.code, error.message
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::{Auth, Credentials};
    use crate::env::Env;

    fn settings(vars: &[(&str, &str)]) -> crate::settings::SettingsBuilder {
        // One folder per test thread: tests run in parallel, and a file
        // rewritten by one while another reads it would read empty.
        let dir = std::env::temp_dir().join(format!(
            "bedrock-lite-client-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let empty = dir.join("empty.json");
        std::fs::write(&empty, "{}").expect("write");
        let mut env = Env::from_vars(vars.iter().copied());
        env.set_var("HOME", dir.to_string_lossy());
        Settings::builder().env(env).config_file(empty)
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
        let settings = settings(&[
            ("AWS_REGION", "us-east-1"),
            ("AWS_SECRET_ACCESS_KEY", "s3cr3t-env"),
        ])
        .credentials(Auth::SigV4(Credentials::new(
            "AKIDEXAMPLE",
            "s3cr3t-explicit",
        )))
        .resolve()
        .expect("resolves");
        let shown = format!("{:?}", Client::new(settings));
        assert!(!shown.contains("s3cr3t"), "{shown}");
    }

    #[test]
    fn region_and_endpoint() {
        let client = Client::new(
            settings(&[("AWS_REGION", "eu-west-3")])
                .resolve()
                .expect("resolves"),
        );
        assert_eq!(client.region(), "eu-west-3");
        assert_eq!(
            client.endpoint_url(),
            "https://bedrock-runtime.eu-west-3.amazonaws.com"
        );
        let client = Client::new(
            settings(&[("AWS_REGION", "eu-west-3")])
                .region("us-west-2")
                .endpoint_url("http://127.0.0.1:9/")
                .resolve()
                .expect("resolves"),
        );
        assert_eq!(client.region(), "us-west-2");
        assert_eq!(client.endpoint_url(), "http://127.0.0.1:9");
    }

    /// Answers each request with the next scripted `(status, body)`, and
    /// counts the requests.
    #[derive(Debug, Default)]
    struct Script {
        answers: Mutex<std::collections::VecDeque<(u16, &'static str)>>,
        sent: Mutex<usize>,
    }

    impl crate::http::HttpClient for Script {
        fn send(
            &self,
            _request: crate::http::HttpRequest,
        ) -> crate::http::BoxFuture<'_, Result<HttpResponse, crate::http::HttpError>> {
            *self.sent.lock().unwrap() += 1;
            let (status, body) = self.answers.lock().unwrap().pop_front().unwrap();
            let answer = HttpResponse {
                status,
                headers: vec![("content-type".into(), "application/json".into())],
                body: crate::http::Body::from(body.to_owned()),
            };
            Box::pin(async move { Ok(answer) })
        }
    }

    #[tokio::test]
    async fn only_an_answered_profile_lookup_is_remembered() {
        const ARN: &str =
            "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/app1";
        const GONE: &str =
            "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/gone";
        let script = Arc::new(Script::default());
        script.answers.lock().unwrap().extend([
            (429, r#"{"__type":"ThrottlingException","message":"slow down"}"#),
            (200, r#"{"inferenceProfileId":"app1","type":"APPLICATION","models":[{"modelArn":"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-opus-4-7"}]}"#),
            (404, r#"{"__type":"ResourceNotFoundException","message":"no such profile"}"#),
        ]);
        let client = Client::new(
            settings(&[("AWS_REGION", "us-east-1")])
                .credentials(Auth::SigV4(Credentials::new("AKIDEXAMPLE", "secret")))
                .http(script.clone())
                .retry(crate::http::RetryPolicy {
                    max_attempts: 1,
                    ..crate::http::RetryPolicy::STANDARD
                })
                .resolve()
                .expect("resolves"),
        );
        let app = ModelRef::parse(ARN).unwrap();
        // Throttled: no base, and asked again on the next call.
        assert_eq!(client.application_profile_base(&app).await, None);
        let base = Some("anthropic.claude-opus-4-7".to_owned());
        assert_eq!(client.application_profile_base(&app).await, base);
        assert_eq!(client.application_profile_base(&app).await, base);
        assert_eq!(*script.sent.lock().unwrap(), 2, "the answer is remembered");
        // A definite "not found" is remembered too.
        let gone = ModelRef::parse(GONE).unwrap();
        assert_eq!(client.application_profile_base(&gone).await, None);
        assert_eq!(client.application_profile_base(&gone).await, None);
        assert_eq!(*script.sent.lock().unwrap(), 3);
    }

    #[test]
    fn an_error_answer_under_a_success_status_is_named() {
        let body = br#"{"__type":"InternalServerException","message":"went wrong"}"#;
        assert_eq!(
            carried_error(200, body).as_deref(),
            Some("; the body is an error answer: InternalServerException (HTTP 200): went wrong")
        );
        assert_eq!(carried_error(200, br#"{"output":{}}"#), None);
        assert_eq!(carried_error(200, b"not json"), None);
        let error = parse_json::<ConverseResponse>(body, "the answer").unwrap_err();
        assert!(
            error.to_string().ends_with("(HTTP 200): went wrong"),
            "{error}"
        );
    }
}
