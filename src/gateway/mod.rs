//! The OpenAI-compatible gateway (`bedrock-lite serve`, feature `gateway`): the
//! pure parts, so that the HTTP server is a thin layer on top.
//!
//! * [`openai`]: the OpenAI wire shapes, read with errors that name the field.
//! * [`to_bedrock`]: a chat completion request → a Converse request.
//! * [`from_bedrock`]: a Converse response → a `chat.completion`.
//! * [`chunks`]: ConverseStream events → `chat.completion.chunk` server-sent events.
//! * [`errors`]: errors in OpenAI's shape, and the status of each Bedrock error.
//! * [`keys`]: gateway keys (`blk-...`): making them, checking `Authorization`,
//!   the per-key model allow-list.
//! * [`limits`]: per-key requests and tokens per minute.
//! * [`reasoning_cache`]: each turn's signed reasoning, kept for clients that
//!   do not send `reasoning_details` back.
//! * `embeddings`: `POST /v1/embeddings` ↔ `crate::embeddings` (feature
//!   `embeddings`).
//! * [`server`]: the HTTP side ([`Gateway`]): routes, keys, limits, the calls
//!   to Bedrock; [`sse`]: the body of a streamed completion;
//!   [`access_log`]: one line per request.
//!
//! A chat request goes: [`openai::ChatRequest::from_json`] →
//! [`keys::Keys::authorize`] and [`keys::KeyEntry::check_model`] →
//! [`limits::RateLimiter::admit`] → [`reasoning_cache::ReasoningCache::restore`]
//! → [`to_bedrock::to_converse`] → the client's Converse (then
//! [`from_bedrock::chat_completion`]) or ConverseStream (then a
//! [`chunks::ChunkStream`] per response) → [`reasoning_cache::ReasoningCache::remember`]
//! and [`limits::RateLimiter::record_tokens`].

pub mod access_log;
pub mod chunks;
#[cfg(feature = "embeddings")]
pub mod embeddings;
pub mod errors;
mod fields;
pub mod from_bedrock;
pub mod keys;
pub mod limits;
pub mod openai;
mod random;
pub mod reasoning_cache;
pub mod server;
pub mod sse;
pub mod to_bedrock;

pub use random::RandomError;
pub use server::{Gateway, ListenRefused};
