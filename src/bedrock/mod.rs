//! The Bedrock client: [`client::Client`] (Converse, ConverseStream,
//! InvokeModel), the other runtime operations ([`operations`]: CountTokens,
//! ApplyGuardrail, GetFoundationModel, InvokeModelWithResponseStream), the
//! control plane ([`control`]), discovery as a service ([`discovery`]),
//! embeddings ([`embed`]), stream decoding ([`stream`]), whole replies from
//! streams ([`accumulator`]) and typed errors
//! ([`error`]).

pub mod accumulator;
pub mod client;
pub mod control;
pub mod discovery;
pub mod embed;
pub mod error;
pub mod operations;
pub mod stream;
