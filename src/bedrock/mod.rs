//! The Bedrock runtime: the [`client::Client`] for Converse and ConverseStream,
//! stream decoding ([`stream`]), the other operations ([`operations`]:
//! CountTokens, ApplyGuardrail, GetFoundationModel,
//! InvokeModelWithResponseStream), the control plane ([`control`]) and typed
//! errors ([`error`]).

pub mod client;
pub mod control;
pub mod error;
pub mod operations;
pub mod stream;
