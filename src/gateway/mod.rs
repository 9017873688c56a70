//! The OpenAI-compatible gateway (`bedrock-lite serve`, feature `gateway`).
//!
//! A library user gets [`Gateway`] (the server: routes, keys, limits, the
//! calls to Bedrock) and [`keys`] (making gateway keys and their hashes).
//! The rest is the gateway's own, in one module per step, pure where it can
//! be so that the HTTP side is a thin layer:
//!
//! * `openai`: the OpenAI wire shapes, read with errors that name the field.
//! * `to_bedrock`: a chat completion request → a Converse request.
//! * `from_bedrock`: a Converse response → a `chat.completion`.
//! * `chunks`: ConverseStream events → `chat.completion.chunk` server-sent
//!   events; `sse`: the body of a streamed completion.
//! * `errors`: errors in OpenAI's shape, and the status of each Bedrock error.
//! * `limits`: per-key requests and tokens per minute.
//! * `reasoning_cache`: each turn's signed reasoning, kept for clients that
//!   do not send `reasoning_details` back.
//! * `embeddings`: `POST /v1/embeddings` ↔ `crate::embeddings` (feature
//!   `embeddings`).
//! * `server`: the HTTP side; `access_log`: one line per request.
//!
//! A chat request goes: `ChatRequest::from_json` → `Keys::authorize` and
//! `KeyEntry::check_model` → `RateLimiter::admit` → `ReasoningCache::restore`
//! → `to_converse` → the client's Converse (then `chat_completion`) or
//! ConverseStream (then a `ChunkStream` per response) →
//! `ReasoningCache::remember` and `RateLimiter::record_tokens`.

// The gateway's inner modules: crate-private, and public only with the
// `fuzzing` feature, for the fuzz targets and the measurements under
// `benches/` (not a stable API). A library user gets [`Gateway`] and [`keys`].
// Written out pair by pair (not by a macro) so that rustfmt formats them.
#[cfg(feature = "fuzzing")]
pub mod access_log;
#[cfg(not(feature = "fuzzing"))]
pub(crate) mod access_log;
#[cfg(feature = "fuzzing")]
pub mod chunks;
#[cfg(not(feature = "fuzzing"))]
pub(crate) mod chunks;
#[cfg(all(feature = "embeddings", feature = "fuzzing"))]
pub mod embeddings;
#[cfg(all(feature = "embeddings", not(feature = "fuzzing")))]
pub(crate) mod embeddings;
#[cfg(feature = "fuzzing")]
pub mod errors;
#[cfg(not(feature = "fuzzing"))]
pub(crate) mod errors;
mod fields;
#[cfg(feature = "fuzzing")]
pub mod from_bedrock;
#[cfg(not(feature = "fuzzing"))]
pub(crate) mod from_bedrock;
pub mod keys;
#[cfg(feature = "fuzzing")]
pub mod limits;
#[cfg(not(feature = "fuzzing"))]
pub(crate) mod limits;
#[cfg(feature = "fuzzing")]
pub mod openai;
#[cfg(not(feature = "fuzzing"))]
pub(crate) mod openai;
mod random;
#[cfg(feature = "fuzzing")]
pub mod reasoning_cache;
#[cfg(not(feature = "fuzzing"))]
pub(crate) mod reasoning_cache;
#[cfg(feature = "fuzzing")]
pub mod server;
#[cfg(not(feature = "fuzzing"))]
pub(crate) mod server;
#[cfg(feature = "fuzzing")]
pub mod sse;
#[cfg(not(feature = "fuzzing"))]
pub(crate) mod sse;
#[cfg(feature = "fuzzing")]
pub mod to_bedrock;
#[cfg(not(feature = "fuzzing"))]
pub(crate) mod to_bedrock;

pub use random::RandomError;
pub use server::{Gateway, ListenRefused};
