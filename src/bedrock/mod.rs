//! The Bedrock client: [`client::Client`] (Converse, ConverseStream,
//! InvokeModel), the other runtime operations ([`operations`]: CountTokens,
//! ApplyGuardrail, GetFoundationModel, GetInferenceProfile,
//! InvokeModelWithResponseStream), stream decoding ([`stream`]), whole replies
//! from streams ([`accumulator`]) and typed errors ([`error`]); with the
//! `discovery` feature, the control plane's listings (`control`) and discovery
//! as a service (`discovery`); with the `embeddings` feature, embeddings
//! (`embed`).

pub mod accumulator;
pub mod client;
#[cfg(feature = "discovery")]
pub mod control;
#[cfg(feature = "discovery")]
pub mod discovery;
#[cfg(feature = "embeddings")]
pub mod embed;
pub mod error;
pub mod operations;
pub mod stream;
