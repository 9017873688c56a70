//! The emulator's side of embeddings: a family's response to a request body,
//! with deterministic vectors.

use serde_json::{json, Value};

use super::family::Family;

/// What the emulated model answers to one InvokeModel call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmulatedResponse {
    /// The response body.
    pub body: Vec<u8>,
    /// The input tokens (a word of an input text is a token), for the
    /// `X-Amzn-Bedrock-Input-Token-Count` header.
    pub input_tokens: u64,
}

/// The response the model `model_id` would give to the InvokeModel
/// `body`, with deterministic unit vectors derived from each text (the same
/// text and length always give the same vector), or a one-line reason the
/// request is invalid (for a `ValidationException`).
pub fn emulated_response(model_id: &str, body: &[u8]) -> Result<EmulatedResponse, String> {
    let family = Family::detect(model_id).map_err(|error| error.to_string())?;
    let request: Value =
        serde_json::from_slice(body).map_err(|error| format!("the body is not JSON: {error}"))?;
    let input_tokens: u64;
    let response = match family {
        Family::TitanV1 | Family::TitanV2 => {
            let text = string(&request, &["inputText"])?;
            let dims = dimensions(family, &request, &["dimensions"])?;
            let embedding = vector(text, dims);
            let tokens = words(text);
            input_tokens = tokens;
            if family == Family::TitanV1 {
                json!({ "embedding": embedding, "inputTextTokenCount": tokens })
            } else {
                json!({
                    "embedding": embedding,
                    "inputTextTokenCount": tokens,
                    "embeddingsByType": { "float": embedding },
                })
            }
        }
        Family::NovaMultimodal => {
            if request.get("taskType").and_then(Value::as_str) != Some("SINGLE_EMBEDDING") {
                return Err("taskType must be SINGLE_EMBEDDING".to_owned());
            }
            one_of(
                family.spec().input_types,
                &request,
                &["singleEmbeddingParams", "embeddingPurpose"],
            )?;
            one_of(
                family.spec().truncate,
                &request,
                &["singleEmbeddingParams", "text", "truncationMode"],
            )?;
            let text = string(&request, &["singleEmbeddingParams", "text", "value"])?;
            input_tokens = words(text);
            let dims = dimensions(
                family,
                &request,
                &["singleEmbeddingParams", "embeddingDimension"],
            )?;
            json!({ "embeddings": [{ "embeddingType": "TEXT", "embedding": vector(text, dims) }] })
        }
        Family::CohereV3 | Family::CohereV4 => {
            one_of(family.spec().input_types, &request, &["input_type"])?;
            let texts = request
                .get("texts")
                .and_then(Value::as_array)
                .filter(|texts| texts.len() <= family.max_batch())
                .and_then(|texts| texts.iter().map(Value::as_str).collect::<Option<Vec<_>>>())
                .ok_or_else(|| {
                    format!(
                        "texts must be an array of at most {} strings",
                        family.max_batch()
                    )
                })?;
            input_tokens = texts.iter().map(|text| words(text)).sum();
            let dims = dimensions(family, &request, &["output_dimension"])?;
            let vectors: Vec<Vec<f32>> = texts.iter().map(|text| vector(text, dims)).collect();
            let by_type = family == Family::CohereV4 || request.get("embedding_types").is_some();
            let (embeddings, response_type) = if by_type {
                (json!({ "float": vectors }), "embeddings_by_type")
            } else {
                (json!(vectors), "embeddings_floats")
            };
            json!({
                "id": format!("emulated-{:016x}", fnv1a(body)),
                "embeddings": embeddings,
                "response_type": response_type,
                "texts": texts,
            })
        }
        Family::Marengo27 | Family::Marengo30 => {
            if request.get("inputType").and_then(Value::as_str) != Some("text") {
                return Err("inputType must be text (the emulator embeds text only)".to_owned());
            }
            let path: &[&str] = if family == Family::Marengo27 {
                &["inputText"]
            } else {
                &["text", "inputText"]
            };
            let text = string(&request, path)?;
            input_tokens = words(text);
            let dims = family.default_dimensions() as usize;
            json!({ "data": [{ "embedding": vector(text, dims) }] })
        }
    };
    let body = serde_json::to_vec(&response).map_err(|error| error.to_string())?;
    Ok(EmulatedResponse { body, input_tokens })
}

/// The words of `text`: the emulator's tokens.
fn words(text: &str) -> u64 {
    u64::try_from(text.split_whitespace().count()).unwrap_or(u64::MAX)
}

/// The value at `path` in `request`.
fn at<'v>(request: &'v Value, path: &[&str]) -> Option<&'v Value> {
    path.iter().try_fold(request, |value, key| value.get(key))
}

/// The string at `path`, or an error naming it.
fn string<'v>(request: &'v Value, path: &[&str]) -> Result<&'v str, String> {
    at(request, path)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{} must be a string", path.join(".")))
}

/// Checks that the string at `path` is one of `allowed`.
fn one_of(allowed: &[&str], request: &Value, path: &[&str]) -> Result<(), String> {
    let value = string(request, path)?;
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(format!(
            "{} must be one of {}",
            path.join("."),
            allowed.join(", ")
        ))
    }
}

/// The vector length asked for at `path` (the family's default when absent),
/// checked against what the family takes.
fn dimensions(family: Family, request: &Value, path: &[&str]) -> Result<usize, String> {
    let Some(value) = at(request, path) else {
        return Ok(family.default_dimensions() as usize);
    };
    let allowed = family.spec().dimensions;
    value
        .as_u64()
        .and_then(|dims| u32::try_from(dims).ok())
        .filter(|dims| allowed.contains(dims))
        .map(|dims| dims as usize)
        .ok_or_else(|| {
            let values: Vec<String> = allowed.iter().map(ToString::to_string).collect();
            format!("{} must be one of {}", path.join("."), values.join(", "))
        })
}

/// FNV-1a, 64 bits.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A unit vector of `dims` numbers drawn from a generator seeded by `text`.
pub(super) fn vector(text: &str, dims: usize) -> Vec<f32> {
    // xorshift64*, seeded with the text's hash (never zero).
    let mut state = fnv1a(text.as_bytes()) | 1;
    let raw: Vec<f64> = (0..dims)
        .map(|_| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            let bits = state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11;
            bits as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
        })
        .collect();
    let norm = raw.iter().map(|x| x * x).sum::<f64>().sqrt();
    let scale = if norm > 0.0 { 1.0 / norm } else { 0.0 };
    raw.iter().map(|x| (x * scale) as f32).collect()
}
