//! The Bedrock APIs: typed request and response shapes ([`types`]).

pub mod types;
