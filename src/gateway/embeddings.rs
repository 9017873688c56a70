//! `POST /v1/embeddings` ↔ [`crate::embeddings`]: the OpenAI request read into
//! what [`Client::embed`](crate::bedrock::client::Client::embed) takes
//! ([`EmbeddingsRequest::from_json`]), and its vectors written back in OpenAI's
//! shape ([`EmbeddingsResponse::new`]). The family bodies, batching and
//! option checks are the embeddings module's.
//!
//! * `input`: a string or a list of strings (at most 2048, none empty);
//! * `model`; `dimensions` → the family's dimension field (Titan v2
//!   `dimensions`, Cohere v4 `output_dimension`, Nova `embeddingDimension`);
//! * `input_type` → Cohere's `input_type` (Nova's `embeddingPurpose`);
//! * `encoding_format`: `float` (the default) or `base64` (little-endian
//!   32-bit floats, as the official clients decode them).
//!
//! `usage.prompt_tokens` (and `total_tokens`) is the sum of every InvokeModel
//! call's input tokens ([`Embeddings::input_tokens`]: Bedrock's
//! `X-Amzn-Bedrock-Input-Token-Count` header, else Titan's
//! `inputTextTokenCount`); the server counts them against the key's `tpm`.

use serde::Serialize;
use serde_json::Value;

use super::errors::GatewayError;
use super::fields::Located;
use crate::embeddings::{EmbedOptions, Embeddings};

/// The most inputs one request takes (OpenAI's limit).
pub const MAX_INPUTS: usize = 2048;

/// How the vectors are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum EncodingFormat {
    /// A JSON array of numbers.
    #[default]
    Float,
    /// Base64 of the little-endian 32-bit floats.
    Base64,
}

/// An embeddings request, read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddingsRequest {
    /// `model`, as given.
    pub model: String,
    /// `input`, as a list.
    pub inputs: Vec<String>,
    /// `dimensions` and `input_type`, for the family.
    pub options: EmbedOptions,
    /// `encoding_format`.
    pub encoding_format: EncodingFormat,
}

impl EmbeddingsRequest {
    /// Reads a request body; a missing or wrong field is a 400 naming it.
    pub fn from_json(body: &[u8]) -> Result<EmbeddingsRequest, GatewayError> {
        let value: Value =
            serde_json::from_slice(body).map_err(|e| GatewayError::invalid_json(&e))?;
        let root = Located::root(&value).object("a JSON object")?;
        let model = root.require("model")?;
        let model_name = model.str()?;
        if model_name.is_empty() {
            return Err(model.error("expected a non-empty string"));
        }
        let input = root.require("input")?;
        let inputs = match input.value().as_str() {
            Some(text) => vec![text_input(&input, text)?],
            None => {
                let items = input.array("a string or an array of strings")?;
                if items.is_empty() {
                    return Err(input.error("expected at least one input"));
                }
                if items.len() > MAX_INPUTS {
                    return Err(input.error(format_args!("at most {MAX_INPUTS} inputs")));
                }
                items
                    .iter()
                    .map(|item| match item.value() {
                        Value::String(text) => text_input(item, text),
                        Value::Number(_) | Value::Array(_) => {
                            Err(item.error("token arrays are not supported; send the text"))
                        }
                        _ => Err(item.error("expected a string")),
                    })
                    .collect::<Result<_, _>>()?
            }
        };
        let encoding_format = match root.get("encoding_format") {
            None => EncodingFormat::Float,
            Some(at) => match at.str()? {
                "float" => EncodingFormat::Float,
                "base64" => EncodingFormat::Base64,
                _ => return Err(at.error("expected \"float\" or \"base64\"")),
            },
        };
        Ok(EmbeddingsRequest {
            model: model_name.to_owned(),
            inputs,
            options: EmbedOptions {
                dimensions: root
                    .get("dimensions")
                    .map(|at| at.u32_at_least(1))
                    .transpose()?,
                input_type: root
                    .get("input_type")
                    .map(|at| at.str().map(str::to_owned))
                    .transpose()?,
                ..EmbedOptions::default()
            },
            encoding_format,
        })
    }
}

/// One input text, which must not be empty.
fn text_input(at: &Located<'_>, text: &str) -> Result<String, GatewayError> {
    if text.is_empty() {
        return Err(at.error("must not be empty"));
    }
    Ok(text.to_owned())
}

/// A vector as written: numbers or base64.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum EmbeddingVector {
    /// `encoding_format: "float"`.
    Float(Vec<f32>),
    /// `encoding_format: "base64"`.
    Base64(String),
}

/// One entry of `data`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmbeddingObject {
    /// Always `embedding`.
    pub object: &'static str,
    /// The input's position.
    pub index: usize,
    /// The vector.
    pub embedding: EmbeddingVector,
}

/// The response's `usage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EmbeddingUsage {
    /// Input tokens.
    pub prompt_tokens: u64,
    /// The same.
    pub total_tokens: u64,
}

/// The response, `{"object": "list", "data": [...], "model", "usage"}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmbeddingsResponse {
    /// Always `list`.
    pub object: &'static str,
    /// One entry per input, in input order.
    pub data: Vec<EmbeddingObject>,
    /// The model, as the request named it.
    pub model: String,
    /// Token usage (see the module docs).
    pub usage: EmbeddingUsage,
}

impl EmbeddingsResponse {
    /// The response for `embeddings`, written as `format` asks.
    pub fn new(embeddings: Embeddings, format: EncodingFormat) -> EmbeddingsResponse {
        let data = embeddings
            .embeddings
            .into_iter()
            .enumerate()
            .map(|(index, vector)| EmbeddingObject {
                object: "embedding",
                index,
                embedding: match format {
                    EncodingFormat::Float => EmbeddingVector::Float(vector),
                    EncodingFormat::Base64 => {
                        let bytes: Vec<u8> = vector
                            .iter()
                            .flat_map(|number| number.to_le_bytes())
                            .collect();
                        EmbeddingVector::Base64(crate::base64::encode(&bytes))
                    }
                },
            })
            .collect();
        EmbeddingsResponse {
            object: "list",
            data,
            model: embeddings.model,
            usage: EmbeddingUsage {
                prompt_tokens: embeddings.input_tokens,
                total_tokens: embeddings.input_tokens,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn error(body: &str) -> GatewayError {
        EmbeddingsRequest::from_json(body.as_bytes()).expect_err(body)
    }

    #[test]
    fn reads_a_single_string_and_the_options() {
        let request = EmbeddingsRequest::from_json(
            br#"{"model": "cohere.embed-v4:0", "input": "hello", "dimensions": 512, "input_type": "search_query", "user": "x"}"#,
        )
        .expect("reads");
        assert_eq!(request.inputs, ["hello"]);
        assert_eq!(request.options.dimensions, Some(512));
        assert_eq!(request.options.input_type.as_deref(), Some("search_query"));
        assert_eq!(request.encoding_format, EncodingFormat::Float);
    }

    #[test]
    fn bad_fields_are_named() {
        let cases = [
            (r#"{"input": "a"}"#, "model"),
            (r#"{"model": "m"}"#, "input"),
            (r#"{"model": "m", "input": []}"#, "input"),
            (r#"{"model": "m", "input": ["a", ""]}"#, "input[1]"),
            (r#"{"model": "m", "input": [[1, 2]]}"#, "input[0]"),
            (r#"{"model": "m", "input": [1, 2]}"#, "input[0]"),
            (
                r#"{"model": "m", "input": "a", "dimensions": "256"}"#,
                "dimensions",
            ),
            (
                r#"{"model": "m", "input": "a", "dimensions": 0}"#,
                "dimensions",
            ),
            (
                r#"{"model": "m", "input": "a", "encoding_format": "int8"}"#,
                "encoding_format",
            ),
            (
                r#"{"model": "m", "input": "a", "input_type": 3}"#,
                "input_type",
            ),
        ];
        for (body, param) in cases {
            let error = error(body);
            assert_eq!(
                (error.status(), error.param()),
                (400, Some(param)),
                "{body}"
            );
        }
        assert_eq!(error("{").code(), "invalid_json");
        let many = format!(
            r#"{{"model": "m", "input": [{}]}}"#,
            vec![r#""a""#; MAX_INPUTS + 1].join(",")
        );
        assert_eq!(error(&many).param(), Some("input"));
    }

    #[test]
    fn float_responses_keep_the_order() {
        let response = EmbeddingsResponse::new(
            Embeddings {
                model: "amazon.titan-embed-text-v2:0".into(),
                embeddings: vec![vec![0.5], vec![-1.25]],
                input_tokens: 4,
            },
            EncodingFormat::Float,
        );
        assert_eq!(
            serde_json::to_value(response).expect("json"),
            serde_json::json!({
                "object": "list",
                "data": [
                    {"object": "embedding", "index": 0, "embedding": [0.5]},
                    {"object": "embedding", "index": 1, "embedding": [-1.25]}
                ],
                "model": "amazon.titan-embed-text-v2:0",
                "usage": {"prompt_tokens": 4, "total_tokens": 4}
            })
        );
    }

    proptest! {
        /// Base64 vectors decode to the same little-endian floats.
        #[test]
        fn base64_round_trips(vector in proptest::collection::vec(-1e6f32..1e6, 0..64)) {
            let response = EmbeddingsResponse::new(
                Embeddings { model: "m".into(), embeddings: vec![vector.clone()], input_tokens: 0 },
                EncodingFormat::Base64,
            );
            let EmbeddingVector::Base64(text) = &response.data[0].embedding else {
                return Err(TestCaseError::fail("base64 expected"));
            };
            let bytes = crate::base64::decode(text).expect("base64");
            let back: Vec<f32> = bytes
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            prop_assert_eq!(back, vector);
        }
    }

    /// A request's inputs, dimensions and encoding are read.
    #[test]
    fn reads_inputs_dimensions_and_encoding() -> Result<(), crate::gateway::errors::GatewayError> {
        use crate::gateway::embeddings::{EmbeddingsRequest, EncodingFormat};
        let body = br#"{"model": "amazon.titan-embed-text-v2:0", "input": ["a", "b"], "dimensions": 256, "encoding_format": "base64"}"#;
        let request = EmbeddingsRequest::from_json(body)?;
        assert_eq!(request.inputs, ["a", "b"]);
        assert_eq!(request.options.dimensions, Some(256));
        assert_eq!(request.encoding_format, EncodingFormat::Base64);
        Ok(())
    }

    /// `encoding_format: base64` gives little-endian float32.
    #[test]
    fn base64_is_little_endian_float32() {
        use crate::embeddings::Embeddings;
        use crate::gateway::embeddings::{EmbeddingsResponse, EncodingFormat};
        let vectors = Embeddings {
            model: "m".into(),
            embeddings: vec![vec![1.0, -2.0]],
            input_tokens: 3,
        };
        let json =
            serde_json::to_value(EmbeddingsResponse::new(vectors, EncodingFormat::Base64)).unwrap();
        assert_eq!(json["data"][0]["embedding"], "AACAPwAAAMA=");
        assert_eq!(
            json["usage"],
            serde_json::json!({"prompt_tokens": 3, "total_tokens": 3})
        );
    }
}
