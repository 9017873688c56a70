//! The Bedrock runtime: typed request and response shapes ([`types`]), the
//! [`client::Client`] for Converse and ConverseStream, stream decoding
//! ([`stream`]), whole replies from streams ([`accumulator`]) and typed errors
//! ([`error`]).

pub mod accumulator;
pub mod client;
pub mod control;
pub mod error;
pub mod stream;
