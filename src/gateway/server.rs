//! The gateway's HTTP side ([`Gateway`]): routes, keys, limits and the calls to
//! Bedrock, over the shared hyper server ([`crate::server`]).
//!
//! | route | key | what |
//! | --- | --- | --- |
//! | `GET /health` | no | `{"status": "ok"}` |
//! | `GET /v1/models` | yes | discovery plus configured models (those the key may use); configured ones only without the `discovery` feature |
//! | `GET /v1/models/{id}` | yes | one of them; 404 when unknown |
//! | `POST /v1/chat/completions` | yes | Converse, or ConverseStream with `"stream": true` (SSE) |
//! | `POST /v1/embeddings` | yes | the embeddings path of the model's family (feature `embeddings`; else no such route) |
//!
//! Any other path is a 404 and a known path with another method a 405, both
//! in OpenAI's error shape. "Key: yes" means `Authorization: Bearer <key>`
//! when `gateway.keys` is not empty (401 missing or wrong); then a model
//! outside the key's list is a 403 and a key over its `rpm`/`tpm` a 429 with
//! `Retry-After`. Bodies over [`MAX_BODY`] are a 413; more than
//! `gateway.maxConcurrent` Bedrock calls at once, a 429; a body that stops
//! arriving for `gateway.idleTimeoutSeconds`, a 408 (and a stream whose client
//! stops reading for as long is dropped, freeing its slot). With no keys the
//! gateway is open, and so serves on loopback only
//! ([`Gateway::check_listen_address`]).
//!
//! A chat request goes through the steps in [`super`]'s docs; a streamed one
//! answers with an [`SseBody`] that owns the Bedrock stream (a client that
//! goes away cancels it) and the slot of `maxConcurrent` it holds. Every
//! request gets one access-log line ([`super::access_log`]).

use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use hyper::header::{HeaderValue, ALLOW, AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER};
use hyper::Method;
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::access_log::{AccessEntry, AccessLogSink, StreamEnd};
use super::chunks::ChunkStream;
use super::errors::GatewayError;
use super::from_bedrock::{chat_completion, CompletionMeta};
use super::keys::{KeyEntry, Keys};
use super::limits::RateLimiter;
use super::openai::{ChatRequest, ModelList, ModelObject, Usage};
use super::reasoning_cache::{CacheLimits, ReasoningCache};
use super::sse::SseBody;
use super::to_bedrock::{to_converse, MappingOptions};
use crate::bedrock::stream::ConverseStream;
use crate::model_ref::ModelRef;
use crate::server::{self, BodyError, BoxFuture, Handler, ResponseBody, ServerOptions};
use crate::Client;

/// The largest request body accepted (32 MiB).
pub const MAX_BODY: usize = 32 * 1024 * 1024;

/// The gateway: cheap to clone (shared state).
#[derive(Clone)]
pub struct Gateway {
    state: Arc<State>,
}

/// What every request shares.
struct State {
    client: Client,
    keys: Keys,
    limiter: RateLimiter,
    reasoning: ReasoningCache,
    /// One permit per Bedrock call in flight (`gateway.maxConcurrent`).
    upstream: Arc<Semaphore>,
    max_concurrent: usize,
    mapping: MappingOptions,
    keepalive: Duration,
    access_log: Option<AccessLogSink>,
}

impl fmt::Debug for Gateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gateway")
            .field("keys", &self.state.keys.entries().count())
            .field("max_concurrent", &self.state.max_concurrent)
            .field("keepalive", &self.state.keepalive)
            .finish_non_exhaustive()
    }
}

/// An open gateway (no keys configured) asked to listen beyond loopback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListenRefused {
    /// The address asked for.
    pub address: SocketAddr,
}

impl fmt::Display for ListenRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "refusing to listen on {} with no gateway keys configured: an open gateway serves on \
             loopback only; add a key with `bedrock-lite gateway key add NAME`, or listen on 127.0.0.1",
            self.address
        )
    }
}

impl std::error::Error for ListenRefused {}

impl Gateway {
    /// A gateway calling Bedrock through `client`, with the settings of the
    /// client's config (`gateway.*`); each request's access-log line goes to
    /// `access_log`.
    pub fn new(client: Client, access_log: Option<AccessLogSink>) -> Gateway {
        let config = &client.settings().config.gateway;
        let max_concurrent = usize::try_from(config.max_concurrent)
            .unwrap_or(usize::MAX)
            .clamp(1, Semaphore::MAX_PERMITS);
        let state = State {
            keys: Keys::new(config.keys.iter().map(KeyEntry::from).collect()),
            limiter: RateLimiter::new(),
            reasoning: ReasoningCache::new(CacheLimits::default()),
            upstream: Arc::new(Semaphore::new(max_concurrent)),
            max_concurrent,
            mapping: MappingOptions {
                prompt_caching: config.prompt_caching,
            },
            keepalive: Duration::from_secs(u64::from(config.keepalive_seconds.max(1))),
            access_log,
            client,
        };
        Gateway {
            state: Arc::new(state),
        }
    }

    /// Whether the gateway may listen on `address`: anywhere with keys
    /// configured, on loopback only without.
    pub fn check_listen_address(&self, address: SocketAddr) -> Result<(), ListenRefused> {
        if self.state.keys.is_empty() && !address.ip().is_loopback() {
            return Err(ListenRefused { address });
        }
        Ok(())
    }

    /// Serves `listener` until `stop` resolves, then lets requests in flight
    /// finish for `options.grace` ([`server::serve`]).
    pub async fn serve(
        &self,
        listener: TcpListener,
        options: ServerOptions,
        stop: impl Future<Output = ()>,
    ) {
        let handler: Arc<dyn Handler> = Arc::new(self.clone());
        server::serve(listener, handler, options, stop).await;
    }
}

impl Handler for Gateway {
    fn handle(
        &self,
        request: server::Request,
        _peer: SocketAddr,
    ) -> BoxFuture<'_, server::Response> {
        Box::pin(async move {
            let mut entry = AccessEntry::start(request.method().as_str(), request.uri().path());
            let route = match Route::find(request.method(), request.uri().path()) {
                Ok(route) => route,
                Err(miss) => {
                    let mut response = self.state.refuse(&mut entry, &miss.error);
                    if let Some(allow) = miss.allow {
                        response
                            .headers_mut()
                            .insert(ALLOW, HeaderValue::from_static(allow));
                    }
                    return response;
                }
            };
            match self.state.answer(route, request, &mut entry).await {
                Ok(Answer::Json(body)) => {
                    entry.status = 200;
                    self.state.log(&entry);
                    json_response(200, body)
                }
                Ok(Answer::Stream(start)) => self.stream_response(start, entry),
                Err(error) => self.state.refuse(&mut entry, &error),
            }
        })
    }
}

impl Gateway {
    /// The `200 text/event-stream` response of a started stream; its access
    /// line is written when the stream ends.
    fn stream_response(&self, start: Box<StreamStart>, mut entry: AccessEntry) -> server::Response {
        entry.status = 200;
        let state = Arc::clone(&self.state);
        let StreamStart {
            events,
            chunks,
            permit,
            key,
        } = *start;
        let on_end = Box::new(move |chunks: &ChunkStream, end: StreamEnd| {
            drop(permit);
            let now = Instant::now();
            if chunks.finish_reason().is_some() {
                let ids: Vec<&str> = chunks.tool_call_ids().iter().map(String::as_str).collect();
                state.reasoning.remember(
                    scope(key.as_ref()),
                    &ids,
                    chunks.reasoning_details(),
                    now,
                );
            }
            entry.stream = Some(end);
            if let Some(usage) = chunks.usage() {
                state.record_usage(key.as_ref(), &usage, &mut entry, now);
            }
            state.log(&entry);
        });
        let body = SseBody::new(events, chunks, self.state.keepalive, on_end);
        let mut response = hyper::Response::new(ResponseBody::stream(body));
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        // Asks proxies such as nginx not to hold the events back.
        headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
        response
    }
}

/// The reasoning cache's scope for a key: its name ("" for an open gateway).
fn scope(key: Option<&KeyEntry>) -> &str {
    key.map_or("", |key| key.name.as_str())
}

/// What a route answered.
enum Answer {
    /// `200` with this JSON body.
    Json(String),
    /// A ConverseStream that started (boxed: it is large, and one per stream).
    Stream(Box<StreamStart>),
}

/// A started ConverseStream and what its body keeps until it ends.
struct StreamStart {
    events: ConverseStream,
    chunks: ChunkStream,
    permit: OwnedSemaphorePermit,
    key: Option<KeyEntry>,
}

impl State {
    /// Serves one routed request.
    async fn answer(
        &self,
        route: Route,
        request: server::Request,
        entry: &mut AccessEntry,
    ) -> Result<Answer, GatewayError> {
        let api = match route {
            Route::Health => return Ok(Answer::Json(r#"{"status":"ok"}"#.to_owned())),
            Route::Api(api) => api,
        };
        let key = self.authorize(&request)?;
        entry.key = key.map(|key| key.name.clone());
        match api {
            Api::Models => to_json(&self.models(key).await?).map(Answer::Json),
            Api::Model(id) => {
                entry.model = Some(id.clone());
                to_json(&self.model(key, &id).await?).map(Answer::Json)
            }
            Api::ChatCompletions => {
                let body = read_body(request).await?;
                self.chat(&body, key, entry).await
            }
            #[cfg(feature = "embeddings")]
            Api::Embeddings => {
                let body = read_body(request).await?;
                self.embeddings(&body, key, entry).await.map(Answer::Json)
            }
        }
    }

    /// The key of `Authorization` (`None`: the gateway has no keys), or a 401.
    fn authorize(&self, request: &server::Request) -> Result<Option<&KeyEntry>, GatewayError> {
        let header = match request.headers().get(AUTHORIZATION) {
            None => None,
            Some(value) => Some(value.to_str().map_err(|_| GatewayError::invalid_key())?),
        };
        self.keys.authorize(header)
    }

    /// May `key` use `model` now? The model list (403), then the key's limits
    /// (429, counting the request).
    fn admit(&self, key: Option<&KeyEntry>, model: &str) -> Result<(), GatewayError> {
        let Some(key) = key else { return Ok(()) };
        key.check_model(model)?;
        self.limiter
            .admit(&key.name, key.limits(), Instant::now())
            .into_result(&key.name)
    }

    /// A slot for one Bedrock call, or a 429 when `maxConcurrent` are in flight.
    fn upstream_slot(&self) -> Result<OwnedSemaphorePermit, GatewayError> {
        Arc::clone(&self.upstream)
            .try_acquire_owned()
            .map_err(|_| GatewayError::too_many_concurrent(self.max_concurrent))
    }

    /// The models list: [`Self::known_models`], those `key` may use.
    async fn models(&self, key: Option<&KeyEntry>) -> Result<ModelList, GatewayError> {
        let models = self
            .known_models()
            .await?
            .into_iter()
            .filter(|model| key.is_none_or(|key| key.check_model(&model.id).is_ok()))
            .collect();
        Ok(ModelList::new(models))
    }

    /// Discovery plus configured models, `created` when the list was fetched.
    #[cfg(feature = "discovery")]
    async fn known_models(&self) -> Result<Vec<ModelObject>, GatewayError> {
        let _slot = self.upstream_slot()?;
        let found = self
            .client
            .discover_models(false)
            .await
            .map_err(|error| GatewayError::from_bedrock(&error))?;
        for warning in found.warnings {
            self.client.settings().note(|| warning);
        }
        let fetched = SystemTime::now()
            .checked_sub(found.age)
            .unwrap_or_else(SystemTime::now);
        let created = fetched
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_secs());
        let models = found
            .models
            .into_iter()
            .map(|model| {
                let mut object = ModelObject::new(model.id, created);
                if !model.provider.is_empty() {
                    object.owned_by = model.provider;
                }
                object
            })
            .collect();
        Ok(models)
    }

    /// The configured models, by the id they are called by (`amazon-bedrock/<id>`
    /// is `<id>`), sorted; a build without the `discovery` feature lists no
    /// others. `created` is now.
    #[cfg(not(feature = "discovery"))]
    async fn known_models(&self) -> Result<Vec<ModelObject>, GatewayError> {
        let ids: std::collections::BTreeSet<String> = self
            .client
            .settings()
            .config
            .models
            .iter()
            .map(|model| {
                ModelRef::parse(&model.id)
                    .map_or_else(|_| model.id.clone(), |parsed| parsed.id().to_owned())
            })
            .collect();
        let created = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_secs());
        Ok(ids
            .into_iter()
            .map(|id| ModelObject::new(id, created))
            .collect())
    }

    /// One model of the list: 403 when the key may not use it, 404 when unknown.
    async fn model(&self, key: Option<&KeyEntry>, id: &str) -> Result<ModelObject, GatewayError> {
        if let Some(key) = key {
            key.check_model(id)?;
        }
        let wanted = ModelRef::parse(id).map_err(|_| GatewayError::model_not_found(id))?;
        let list = self.models(key).await?;
        list.data
            .into_iter()
            .find(|model| ModelRef::parse(&model.id).is_ok_and(|found| found.id() == wanted.id()))
            .ok_or_else(|| GatewayError::model_not_found(id))
    }

    /// `POST /v1/chat/completions`.
    async fn chat(
        &self,
        body: &[u8],
        key: Option<&KeyEntry>,
        entry: &mut AccessEntry,
    ) -> Result<Answer, GatewayError> {
        let mut chat = ChatRequest::from_json(body)?;
        entry.model = Some(chat.model.clone());
        self.admit(key, &chat.model)?;
        let slot = self.upstream_slot()?;
        self.reasoning
            .restore(scope(key), &mut chat, Instant::now());
        let base = match ModelRef::parse(&chat.model) {
            Ok(model) => self.client.application_profile_base(&model).await,
            Err(_) => None,
        };
        let mapped = to_converse(&chat, &self.mapping, base.as_deref())?;
        for note in mapped.notes {
            self.client.settings().note(|| note);
        }
        let meta = CompletionMeta::new(chat.model.clone())?;
        let model = mapped.model_id.as_str();
        if chat.stream {
            let events = self
                .client
                .converse_stream(model, &mapped.request)
                .await
                .map_err(|error| GatewayError::from_bedrock(&error))?;
            return Ok(Answer::Stream(Box::new(StreamStart {
                events,
                chunks: ChunkStream::new(meta, chat.include_usage),
                permit: slot,
                key: key.cloned(),
            })));
        }
        let response = self
            .client
            .converse(model, &mapped.request)
            .await
            .map_err(|error| GatewayError::from_bedrock(&error))?;
        drop(slot);
        let completion = chat_completion(&response, &meta);
        let now = Instant::now();
        if let Some(choice) = completion.choices.first() {
            let message = &choice.message;
            let ids: Vec<&str> = message
                .tool_calls
                .iter()
                .map(|call| call.id.as_str())
                .collect();
            self.reasoning
                .remember(scope(key), &ids, &message.reasoning_details, now);
        }
        self.record_usage(key, &completion.usage, entry, now);
        to_json(&completion).map(Answer::Json)
    }

    /// `POST /v1/embeddings`.
    #[cfg(feature = "embeddings")]
    async fn embeddings(
        &self,
        body: &[u8],
        key: Option<&KeyEntry>,
        entry: &mut AccessEntry,
    ) -> Result<String, GatewayError> {
        use super::embeddings::{EmbeddingsRequest, EmbeddingsResponse};
        let request = EmbeddingsRequest::from_json(body)?;
        entry.model = Some(request.model.clone());
        self.admit(key, &request.model)?;
        let _slot = self.upstream_slot()?;
        let embeddings = self
            .client
            .embed(&request.model, &request.inputs, &request.options)
            .await
            .map_err(|error| GatewayError::from_bedrock(&error))?;
        let mut response = EmbeddingsResponse::new(embeddings, request.encoding_format);
        response.model = request.model;
        entry.input_tokens = Some(response.usage.prompt_tokens);
        self.count_tokens(key, response.usage.total_tokens, Instant::now());
        to_json(&response)
    }

    /// Counts a completion's tokens against the key's limits and in its log line.
    fn record_usage(
        &self,
        key: Option<&KeyEntry>,
        usage: &Usage,
        entry: &mut AccessEntry,
        now: Instant,
    ) {
        entry.input_tokens = Some(usage.prompt_tokens);
        entry.output_tokens = Some(usage.completion_tokens);
        self.count_tokens(key, usage.total_tokens, now);
    }

    /// Counts `tokens` against the key's `tpm`.
    fn count_tokens(&self, key: Option<&KeyEntry>, tokens: u64, now: Instant) {
        if let Some(key) = key {
            self.limiter
                .record_tokens(&key.name, key.limits(), tokens, now);
        }
    }

    /// The error response for `error`, logged.
    fn refuse(&self, entry: &mut AccessEntry, error: &GatewayError) -> server::Response {
        entry.status = error.status();
        self.log(entry);
        let mut response = json_response(error.status(), error.to_json());
        if let Some(seconds) = error.retry_after() {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }

    /// Writes the access-log line of `entry`.
    fn log(&self, entry: &AccessEntry) {
        if let Some(sink) = &self.access_log {
            sink(&entry.line());
        }
    }
}

/// The whole request body, at most [`MAX_BODY`] bytes (413 beyond; 408 when
/// it stops arriving for the server's idle timeout).
async fn read_body(request: server::Request) -> Result<Bytes, GatewayError> {
    match server::read_body(request, MAX_BODY).await {
        Ok((_, body)) => Ok(body),
        Err(BodyError::TooLarge { limit }) => Err(GatewayError::body_too_large(limit)),
        Err(BodyError::Io(problem)) => Err(GatewayError::invalid_request(format_args!(
            "the request body could not be read: {problem}"
        ))),
        Err(BodyError::Idle { after }) => Err(GatewayError::new(
            408,
            "request_timeout",
            format_args!(
                "the request body stopped arriving: nothing for {} s",
                after.as_secs_f64()
            ),
        )),
    }
}

/// A value as a JSON body. (The response shapes are plain structs of strings
/// and numbers; a failure would be a bug, answered as a 500.)
fn to_json(value: &impl Serialize) -> Result<String, GatewayError> {
    serde_json::to_string(value).map_err(|error| {
        GatewayError::new(
            500,
            "serialization_failed",
            format_args!("the response could not be written: {error}"),
        )
    })
}

/// A JSON response.
fn json_response(status: u16, body: String) -> server::Response {
    let mut response = hyper::Response::new(ResponseBody::full(body));
    *response.status_mut() =
        hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// The gateway's routes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Route {
    /// `GET /health`: no key needed.
    Health,
    /// The OpenAI API under `/v1/`.
    Api(Api),
}

/// The routes under `/v1/`, which need a key when the gateway has keys.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Api {
    Models,
    /// `/v1/models/{id}`, the id percent-decoded (it may hold `/`).
    Model(String),
    ChatCompletions,
    #[cfg(feature = "embeddings")]
    Embeddings,
}

/// A request no route takes: a 404, or a 405 with the method the path takes.
#[derive(Debug)]
struct Miss {
    error: GatewayError,
    allow: Option<&'static str>,
}

impl Route {
    /// The route for `method` and `path`.
    fn find(method: &Method, path: &str) -> Result<Route, Miss> {
        let (route, allowed) = match path {
            "/health" => (Route::Health, Method::GET),
            "/v1/models" => (Route::Api(Api::Models), Method::GET),
            "/v1/chat/completions" => (Route::Api(Api::ChatCompletions), Method::POST),
            #[cfg(feature = "embeddings")]
            "/v1/embeddings" => (Route::Api(Api::Embeddings), Method::POST),
            _ => match path.strip_prefix("/v1/models/").and_then(decoded_id) {
                Some(id) => (Route::Api(Api::Model(id)), Method::GET),
                None => {
                    return Err(Miss {
                        error: GatewayError::new(
                            404,
                            "not_found",
                            format_args!("no such route: {} {}", method, path.escape_debug()),
                        ),
                        allow: None,
                    })
                }
            },
        };
        if *method == allowed {
            return Ok(route);
        }
        let allow = if allowed == Method::GET {
            "GET"
        } else {
            "POST"
        };
        Err(Miss {
            error: GatewayError::new(
                405,
                "method_not_allowed",
                format_args!("{} takes {allow} only, not {method}", path.escape_debug()),
            ),
            allow: Some(allow),
        })
    }
}

/// A model id from a path: percent-decoded, UTF-8, not empty.
fn decoded_id(segment: &str) -> Option<String> {
    let bytes = crate::sigv4::percent_decode(segment);
    let id = String::from_utf8(bytes.into_owned()).ok()?;
    (!id.is_empty()).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_and_misses() {
        let find = |method: Method, path: &str| Route::find(&method, path);
        assert_eq!(find(Method::GET, "/health").ok(), Some(Route::Health));
        let api = |api| Some(Route::Api(api));
        assert_eq!(find(Method::GET, "/v1/models").ok(), api(Api::Models));
        assert_eq!(
            find(
                Method::GET,
                "/v1/models/amazon-bedrock/us.amazon.nova-pro-v1%3A0"
            )
            .ok(),
            api(Api::Model("amazon-bedrock/us.amazon.nova-pro-v1:0".into()))
        );
        assert_eq!(
            find(Method::POST, "/v1/chat/completions").ok(),
            api(Api::ChatCompletions)
        );
        #[cfg(feature = "embeddings")]
        assert_eq!(
            find(Method::POST, "/v1/embeddings").ok(),
            api(Api::Embeddings)
        );
        #[cfg(not(feature = "embeddings"))]
        assert_eq!(
            find(Method::POST, "/v1/embeddings").map_err(|miss| miss.error.status()),
            Err(404)
        );
        let wrong = find(Method::GET, "/v1/chat/completions").expect_err("405");
        assert_eq!((wrong.error.status(), wrong.allow), (405, Some("POST")));
        let wrong = find(Method::DELETE, "/v1/models/x").expect_err("405");
        assert_eq!((wrong.error.status(), wrong.allow), (405, Some("GET")));
        for path in [
            "/",
            "/v1",
            "/v1/models/",
            "/v1/completions",
            "/health/",
            "/v1/models/%FF",
        ] {
            let miss = find(Method::GET, path).expect_err(path);
            assert_eq!((miss.error.status(), miss.allow), (404, None), "{path}");
            assert_eq!(miss.error.kind().as_str(), "invalid_request_error");
        }
    }
}
