//! # bedrock-lite-wire
//!
//! The leaves of [bedrock-lite](https://docs.rs/bedrock-lite)'s request path,
//! pure and I/O-free. Use them through `bedrock-lite`, which re-exports each
//! module under the same name (`bedrock_lite::sigv4`, `bedrock_lite::types`, ...);
//! they live in a crate of their own so that a build compiles them beside the
//! TLS stack and the rest of the client.
//!
//! * [`base64`]; [`datetime`] (UTC dates in RFC 3339, SigV4 and HTTP forms);
//! * [`eventstream`]: the `application/vnd.amazon.eventstream` frame codec;
//! * [`sigv4`]: request signing; [`model_ref`]: model ids, profiles, ARNs;
//! * [`types`]: the Bedrock API shapes.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod base64;
pub mod datetime;
pub mod eventstream;
pub mod model_ref;
pub mod sigv4;
pub mod types;
