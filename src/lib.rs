//! # bedrock-lite
//!
//! A small, fast Amazon Bedrock client that does not use the AWS SDK. The parts that
//! matter are written here, as pure code that can be fuzzed and benchmarked alone.
//!
//! One import line serves a program: [`Settings`] resolves everything once (flags,
//! env, config file, AWS profile, defaults), [`Client`] speaks Bedrock with the model
//! rules, the guardrail and the region handling applied.
//!
//! ```no_run
//! use bedrock_lite::{Client, ConverseRequest, Message, Settings};
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::new(Settings::resolve()?);
//! let request = ConverseRequest::new()
//!     .system("Answer briefly.")
//!     .message(Message::user("Hello"));
//! let mut stream = client.converse_stream("us.anthropic.claude-sonnet-4-6", &request).await?;
//! let mut turn = stream.accumulator();
//! while let Some(event) = stream.next_event().await {
//!     let event = event?;
//!     if let Some(text) = event.text() {
//!         print!("{text}");
//!     }
//!     turn.push(&event.parse()?)?;
//! }
//! let reply = turn.finish()?; // the whole assistant message, stop reason, usage
//! println!("\n({} output tokens)", reply.usage.output_tokens);
//! # Ok(()) }
//! ```
//!
//! The modules, in the order a request meets them (each uses only those before it):
//!
//! * leaves, pure and I/O-free, from the crate `bedrock-lite-wire` (compiled
//!   beside the TLS stack) and re-exported here: [`base64`],
//!   [`datetime`] (UTC dates in RFC 3339, SigV4 and HTTP forms),
//!   [`eventstream`] (the `application/vnd.amazon.eventstream` frame codec),
//!   [`sigv4`] (request signing), [`model_ref`] (model ids, profiles, ARNs), and
//!   [`types`] (the Bedrock API shapes); and [`env`](mod@env) (variables, files,
//!   clock);
//! * [`http`]: the one HTTP interface and retry policy;
//! * [`config`]: the config file; [`credentials`]: the AWS credential chain;
//!   [`endpoint`]: where requests go; [`settings`]: all of them resolved once;
//! * [`models`]: the known-model catalog, request rules, discovery logic
//!   (feature `discovery`); `embeddings`: per-family embedding bodies (feature
//!   `embeddings`);
//! * [`transport`]: the signed send, retries, clock skew, typed service errors;
//! * [`bedrock`]: the [`Client`], its streams and its errors; [`token`]: short-term
//!   Bedrock API keys.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod bedrock;
pub mod config;
pub mod credentials;
#[cfg(feature = "embeddings")]
pub mod embeddings;
#[cfg(feature = "emulator")]
pub mod emulator;
pub mod endpoint;
pub mod env;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
#[cfg(feature = "gateway")]
pub mod gateway;
pub mod http;
pub mod models;
#[cfg(any(feature = "emulator", feature = "gateway"))]
pub mod server;
pub mod settings;
pub mod token;
pub mod transport;

pub use bedrock_lite_wire::{base64, datetime, eventstream, model_ref, sigv4, types};

pub use bedrock::accumulator::{AccumulateError, Accumulator};
pub use bedrock::client::{CallOptions, Client};
pub use bedrock::error::BedrockError;
pub use bedrock::stream::{ConverseStream, Event, StreamError};
pub use model_ref::ModelRef;
pub use settings::Settings;
pub use types::{ContentBlock, ConverseRequest, ConverseResponse, Message, StreamEvent, Tool};
