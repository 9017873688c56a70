//! # bedrock-lite
//!
//! A small, fast Amazon Bedrock client that does not use the AWS SDK. The parts that
//! matter are written here, as pure code that can be fuzzed and benchmarked alone:
//!
//! * [`eventstream`]: the `application/vnd.amazon.eventstream` frame codec: an
//!   incremental, zero-copy decoder and an encoder.
//! * [`sigv4`]: AWS Signature Version 4 request signing, with a cached signing key.
//! * [`credentials`]: the AWS credential chain and region resolution.
//! * [`endpoint`]: `bedrock` and `bedrock-runtime` endpoints for every partition,
//!   FIPS, dual-stack and endpoint overrides.
//! * [`models`]: model refs (ids, inference profiles, ARNs).
//! * [`bedrock`]: typed Converse / ConverseStream shapes and stream events, and the
//!   runtime [`bedrock::client::Client`].
//! * [`transport`]: the signed send: retries, clock-skew correction, typed errors.
//!
//! The modules follow the path a request takes (see `DESIGN.md`): each uses only
//! the ones before it.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod base64;
pub mod bedrock;
pub mod config;
pub mod credentials;
pub mod embeddings;
#[cfg(feature = "emulator")]
pub mod emulator;
pub mod endpoint;
pub mod env;
pub mod eventstream;
#[cfg(feature = "gateway")]
pub mod gateway;
pub mod http;
pub mod model_ref;
pub mod models;
pub mod sigv4;
pub mod token;
pub mod transport;
pub mod types;
