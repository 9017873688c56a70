//! Embeddings through InvokeModel (`POST /model/{id}/invoke`, JSON in and out),
//! for the Amazon Titan Text Embeddings v1 and v2, Amazon Nova Multimodal
//! Embeddings (text), Cohere Embed v3 and v4, and TwelveLabs Marengo 2.7 and
//! 3.0 (text) families.
//!
//! Everything here is pure except [`embed_with`], which runs the calls through
//! a caller-supplied `invoke` function (the signed HTTP client, or a fake in
//! tests), at most `concurrency` at a time, and puts the vectors back in input
//! order. [`EmbedPlan`] holds the pure parts: it detects the family of a model
//! ref ([`Family`]), validates the options against what that family takes,
//! makes the request bodies (one text a call, or batches of up to 96 for
//! Cohere) and reads each response, which is untrusted: a missing field, the
//! wrong number of vectors, a vector of the wrong length or a non-number is an
//! error naming the model and the field. [`emulated_response`] answers a
//! request body the way the family's model would, with deterministic vectors,
//! for the emulator.
//!
//! Each call's input tokens come from Bedrock's `X-Amzn-Bedrock-Input-Token-Count`
//! response header ([`InvokeAnswer::header_input_tokens`]), else from the
//! body where the family reports them (Titan's `inputTextTokenCount`); their
//! sum is [`Embeddings::input_tokens`].
//!
//! ```
//! use bedrock_lite::embeddings::{EmbedOptions, EmbedPlan};
//! let options = EmbedOptions { dimensions: Some(256), ..EmbedOptions::default() };
//! let plan = EmbedPlan::new("us.amazon.titan-embed-text-v2:0", &options)?;
//! let calls = plan.calls(&["hello".to_owned()]);
//! assert_eq!(calls[0].body, serde_json::json!({"inputText": "hello", "dimensions": 256}));
//!
//! let error = EmbedPlan::new("amazon.titan-embed-text-v1", &options).unwrap_err();
//! assert_eq!(
//!     error.to_string(),
//!     "amazon.titan-embed-text-v1 does not take dimensions; it takes: (none)"
//! );
//! # Ok::<(), bedrock_lite::embeddings::EmbedError>(())
//! ```

mod emulate;
mod family;
mod plan;
#[cfg(test)]
mod tests;

use std::fmt;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::Poll;

use serde::Serialize;
use serde_json::Value;

pub use emulate::{emulated_response, EmulatedResponse};
pub use family::Family;
pub use plan::{Call, EmbedPlan};

/// The embedding model used when neither the command line nor the config names one.
pub const DEFAULT_MODEL: &str = "amazon.titan-embed-text-v2:0";

/// How many single-text calls [`embed_with`] callers are advised to run at once.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// Options for an embedding request. Each family takes only some of them
/// (see [`Family`]); one it does not take is an error that lists what it does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmbedOptions {
    /// The length of the vectors: Titan v2 `dimensions`, Nova
    /// `embeddingDimension`, Cohere v4 `output_dimension`.
    pub dimensions: Option<u32>,
    /// Titan v2 `normalize`.
    pub normalize: Option<bool>,
    /// Cohere `input_type` (default `search_document`), or Nova
    /// `embeddingPurpose` (default `GENERIC_INDEX`).
    pub input_type: Option<String>,
    /// Cohere `truncate`, Nova `truncationMode` (default `END`), Marengo 2.7
    /// `textTruncate`.
    pub truncate: Option<String>,
    /// Cohere `embedding_types`; it must include `float`, the vectors returned.
    pub embedding_types: Option<Vec<String>>,
}

/// The vectors for a list of texts, in input order; serialises as the CLI's
/// `{"model": ..., "embeddings": [[...], ...]}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Embeddings {
    /// The model ref, as given.
    pub model: String,
    /// One vector per input text, in input order.
    pub embeddings: Vec<Vec<f32>>,
    /// The input tokens of every call, summed (a call that reported none
    /// counts 0). Not part of the CLI's output.
    #[serde(skip)]
    pub input_tokens: u64,
}

/// One InvokeModel answer as [`embed_with`] reads it: its body, and the input
/// tokens of Bedrock's `X-Amzn-Bedrock-Input-Token-Count` header when it came with one.
pub trait InvokeAnswer {
    /// The response body.
    fn body(&self) -> &[u8];
    /// The input tokens the response header reported, if any.
    fn header_input_tokens(&self) -> Option<u64>;
}

/// A bare body (a fake or a recorded answer): no header.
impl InvokeAnswer for Vec<u8> {
    fn body(&self) -> &[u8] {
        self
    }

    fn header_input_tokens(&self) -> Option<u64> {
        None
    }
}

/// An InvokeModel answer with the input-token count of its header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoked {
    /// The response body.
    pub body: bytes::Bytes,
    /// The `X-Amzn-Bedrock-Input-Token-Count` header, when present and a number.
    pub input_tokens: Option<u64>,
}

impl InvokeAnswer for Invoked {
    fn body(&self) -> &[u8] {
        &self.body
    }

    fn header_input_tokens(&self) -> Option<u64> {
        self.input_tokens
    }
}

/// Why embedding failed. Every message is one line naming the model.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EmbedError {
    /// The model ref does not parse; the message names it.
    InvalidModel {
        /// The model-ref error, as text.
        message: String,
    },
    /// The model is not of a family known here (or, an application inference
    /// profile ARN, does not show its model).
    UnknownFamily {
        /// The model ref, as given.
        model: String,
    },
    /// The family does not take this option at all.
    OptionNotTaken {
        /// The model ref, as given.
        model: String,
        /// The option, e.g. `dimensions`.
        option: &'static str,
        /// What the family takes, e.g. `dimensions (256, 512, 1024), normalize (true, false)`.
        takes: String,
    },
    /// The family takes this option, but not this value.
    BadOptionValue {
        /// The model ref, as given.
        model: String,
        /// The option, e.g. `dimensions`.
        option: &'static str,
        /// The value given.
        value: String,
        /// What it takes instead, e.g. `one of 256, 512, 1024`.
        expected: String,
    },
    /// A response that is not what the family's model returns.
    Malformed {
        /// The model ref, as given.
        model: String,
        /// The field at fault, e.g. `embeddings[3]`.
        field: String,
        /// What is wrong with it.
        problem: String,
    },
}

impl EmbedError {
    /// Whether the request itself is wrong (a model or option this family does
    /// not take), as opposed to a malformed response.
    pub fn is_usage(&self) -> bool {
        !matches!(self, EmbedError::Malformed { .. })
    }
}

impl fmt::Display for EmbedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EmbedError::InvalidModel { message } => f.write_str(message),
            EmbedError::UnknownFamily { model } => write!(
                f,
                "{model} is not an embedding model known here; supported (also behind inference profiles): {}",
                family::supported_ids()
            ),
            EmbedError::OptionNotTaken {
                model,
                option,
                takes,
            } => write!(f, "{model} does not take {option}; it takes: {takes}"),
            EmbedError::BadOptionValue {
                model,
                option,
                value,
                expected,
            } => write!(
                f,
                "{model} does not take {option} {value}; {option} is {expected}"
            ),
            EmbedError::Malformed {
                model,
                field,
                problem,
            } => write!(f, "malformed response from {model}: {field}: {problem}"),
        }
    }
}

impl std::error::Error for EmbedError {}

/// Embeds `inputs` with `model`: validates the options, makes the calls, runs
/// them through `invoke` (which sends one body to `POST /model/{model}/invoke`
/// and returns the response: its body and token-count header) with at most
/// `concurrency` in flight (at least one), and returns the vectors in input
/// order with the input tokens summed (each call's header, else its body).
///
/// The first error ends the whole request (an [`EmbedError`] converted into
/// the caller's error type, or the call's own error); calls still in flight are
/// dropped. No inputs means no calls and no vectors.
pub async fn embed_with<E, F, Fut, B>(
    model: &str,
    inputs: &[String],
    options: &EmbedOptions,
    concurrency: usize,
    invoke: F,
) -> Result<Embeddings, E>
where
    E: From<EmbedError>,
    F: Fn(Value) -> Fut,
    Fut: Future<Output = Result<B, E>>,
    B: InvokeAnswer,
{
    let plan = EmbedPlan::new(model, options)?;
    let mut pending = plan.calls(inputs).into_iter();
    let mut in_flight: Vec<(std::ops::Range<usize>, Pin<Box<Fut>>)> = Vec::new();
    let mut slots: Vec<Option<Vec<f32>>> = vec![None; inputs.len()];
    let mut input_tokens = 0u64;
    loop {
        while in_flight.len() < concurrency.max(1) {
            let Some(call) = pending.next() else { break };
            in_flight.push((call.inputs, Box::pin(invoke(call.body))));
        }
        if in_flight.is_empty() {
            break;
        }
        let (done, outcome) = poll_fn(|cx| {
            for (n, (_, future)) in in_flight.iter_mut().enumerate() {
                if let Poll::Ready(outcome) = future.as_mut().poll(cx) {
                    return Poll::Ready((n, outcome));
                }
            }
            Poll::Pending
        })
        .await;
        let (range, _) = in_flight.swap_remove(done);
        let answer = outcome?;
        let vectors = plan.parse_response(answer.body(), range.len())?;
        let tokens = answer
            .header_input_tokens()
            .or_else(|| plan.body_input_tokens(answer.body()));
        input_tokens = input_tokens.saturating_add(tokens.unwrap_or(0));
        for (slot, vector) in slots
            .get_mut(range)
            .unwrap_or_default()
            .iter_mut()
            .zip(vectors)
        {
            *slot = Some(vector);
        }
    }
    Ok(Embeddings {
        model: model.to_owned(),
        embeddings: slots.into_iter().flatten().collect(),
        input_tokens,
    })
}
