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

/// Declares the gateway's inner modules: crate-private, and public only with
/// the `fuzzing` feature, for the fuzz targets and the measurements under
/// `benches/` (not a stable API). A library user gets [`Gateway`] and [`keys`].
macro_rules! inner_modules {
    ($($(#[$attr:meta])* $name:ident;)*) => {
        $(
            $(#[$attr])*
            #[cfg(feature = "fuzzing")]
            pub mod $name;
            $(#[$attr])*
            #[cfg(not(feature = "fuzzing"))]
            pub(crate) mod $name;
        )*
    };
}

inner_modules! {
    access_log;
    chunks;
    #[cfg(feature = "embeddings")]
    embeddings;
    errors;
    from_bedrock;
    limits;
    openai;
    reasoning_cache;
    server;
    sse;
    to_bedrock;
}
mod fields;
pub mod keys;
mod random;

pub use random::RandomError;
pub use server::{Gateway, ListenRefused};
