//! [`EmbedPlan`]: a model and its options, validated once; the request bodies
//! for a list of texts, and the vectors read back out of each response.

use std::fmt::{Debug, Display};
use std::ops::Range;

use serde_json::{json, Map, Value};

use super::family::{Family, Spec};
use super::{EmbedError, EmbedOptions};

/// A model's family and its validated options, ready to make request bodies
/// and read responses.
#[derive(Debug, Clone, PartialEq)]
pub struct EmbedPlan {
    model: String,
    family: Family,
    dimensions: u32,
    dimensions_given: bool,
    normalize: Option<bool>,
    input_type: Option<&'static str>,
    truncate: Option<&'static str>,
    embedding_types: Option<Vec<&'static str>>,
}

/// One InvokeModel call: the inputs it embeds (a range of indices into the
/// caller's texts) and its JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The indices of the texts this call embeds, in order.
    pub inputs: Range<usize>,
    /// The request body.
    pub body: Value,
}

impl EmbedPlan {
    /// Detects the family of `model` and checks `options` against what it takes.
    ///
    /// Errors name the model and the option at fault, and list what the family
    /// does take.
    pub fn new(model: &str, options: &EmbedOptions) -> Result<EmbedPlan, EmbedError> {
        let family = Family::detect(model)?;
        let spec = family.spec();
        let check = Check { model, spec: &spec };
        let dimensions = check.choose("dimensions", options.dimensions, spec.dimensions)?;
        if options.normalize.is_some() && !spec.normalize {
            return Err(check.not_taken("normalize"));
        }
        let input_type = check
            .choose(
                "input_type",
                options.input_type.as_deref(),
                spec.input_types,
            )?
            .or(spec.input_types.first().copied());
        let truncate = check.choose("truncate", options.truncate.as_deref(), spec.truncate)?;
        let embedding_types = match &options.embedding_types {
            None => None,
            Some(types) => Some(check.embedding_types(types)?),
        };
        Ok(EmbedPlan {
            model: model.to_owned(),
            family,
            dimensions: dimensions.unwrap_or(family.default_dimensions()),
            dimensions_given: dimensions.is_some(),
            normalize: options.normalize,
            input_type,
            truncate,
            embedding_types,
        })
    }

    /// The model ref, as given.
    pub fn model(&self) -> &str {
        &self.model
    }

    /// The model's family.
    pub fn family(&self) -> Family {
        self.family
    }

    /// The length every returned vector must have: the requested dimensions,
    /// else the family's default.
    pub fn dimensions(&self) -> u32 {
        self.dimensions
    }

    /// The calls that embed `inputs`: one per text for the single-text
    /// families, batches of up to [`Family::max_batch`] for Cohere, in input order.
    pub fn calls(&self, inputs: &[String]) -> Vec<Call> {
        let batch = self.family.max_batch();
        inputs
            .chunks(batch)
            .enumerate()
            .map(|(n, texts)| {
                let start = n * batch;
                Call {
                    inputs: start..start + texts.len(),
                    body: self.body(texts),
                }
            })
            .collect()
    }

    /// The body for `texts` (exactly one for the single-text families).
    fn body(&self, texts: &[String]) -> Value {
        let text = texts.first();
        let mut body = match self.family {
            Family::TitanV1 | Family::TitanV2 => json!({ "inputText": text }),
            Family::NovaMultimodal => {
                let truncation = self
                    .truncate
                    .or(self.family.spec().truncate.first().copied());
                json!({
                    "taskType": "SINGLE_EMBEDDING",
                    "singleEmbeddingParams": {
                        "embeddingPurpose": self.input_type,
                        "embeddingDimension": self.dimensions,
                        "text": { "truncationMode": truncation, "value": text },
                    },
                })
            }
            Family::CohereV3 | Family::CohereV4 => {
                json!({ "texts": texts, "input_type": self.input_type })
            }
            Family::Marengo27 => json!({ "inputType": "text", "inputText": text }),
            Family::Marengo30 => json!({ "inputType": "text", "text": { "inputText": text } }),
        };
        let Some(fields) = body.as_object_mut() else {
            return body;
        };
        let mut put = |key: &str, value: Value| {
            fields.insert(key.to_owned(), value);
        };
        match self.family {
            Family::TitanV2 => {
                if self.dimensions_given {
                    put("dimensions", json!(self.dimensions));
                }
                if let Some(normalize) = self.normalize {
                    put("normalize", json!(normalize));
                }
            }
            Family::CohereV3 | Family::CohereV4 => {
                if let Some(truncate) = self.truncate {
                    put("truncate", json!(truncate));
                }
                // v4 answers by type; ask for floats when nothing was asked.
                let types = match (&self.embedding_types, self.family) {
                    (Some(types), _) => Some(types.clone()),
                    (None, Family::CohereV4) => Some(vec!["float"]),
                    (None, _) => None,
                };
                if let Some(types) = types {
                    put("embedding_types", json!(types));
                }
                if self.family == Family::CohereV4 && self.dimensions_given {
                    put("output_dimension", json!(self.dimensions));
                }
            }
            Family::Marengo27 => {
                if let Some(truncate) = self.truncate {
                    put("textTruncate", json!(truncate));
                }
            }
            Family::TitanV1 | Family::NovaMultimodal | Family::Marengo30 => {}
        }
        body
    }

    /// Reads the vectors out of one response `body` for a call of `count` texts.
    ///
    /// A body that is not JSON, a missing field, a count other than `count`, a
    /// vector of the wrong length, or anything but finite 32-bit numbers is an
    /// [`EmbedError::Malformed`] naming the model and the field.
    pub fn parse_response(&self, body: &[u8], count: usize) -> Result<Vec<Vec<f32>>, EmbedError> {
        let value: Value = serde_json::from_slice(body)
            .map_err(|error| self.malformed("body", format!("not JSON ({error})")))?;
        let Some(object) = value.as_object() else {
            return Err(self.malformed("body", format!("{} instead of an object", kind(&value))));
        };
        let (field, vectors) = match self.family {
            Family::TitanV1 | Family::TitanV2 => (
                "embedding",
                vec![self.vector(object.get("embedding"), "embedding")?],
            ),
            Family::NovaMultimodal => self.single_item(object, "embeddings")?,
            Family::Marengo27 | Family::Marengo30 => self.single_item(object, "data")?,
            Family::CohereV3 | Family::CohereV4 => match object.get("embeddings") {
                Some(Value::Object(by_type)) => (
                    "embeddings.float",
                    self.vectors(by_type.get("float"), "embeddings.float")?,
                ),
                other => ("embeddings", self.vectors(other, "embeddings")?),
            },
        };
        if vectors.len() != count {
            return Err(self.malformed(
                field,
                format!("{} embeddings for {count} input texts", vectors.len()),
            ));
        }
        Ok(vectors)
    }

    /// The input tokens a response body reports, for the families that put
    /// them there (Titan's `inputTextTokenCount`); `None` otherwise, or when
    /// the body does not hold a count.
    pub fn body_input_tokens(&self, body: &[u8]) -> Option<u64> {
        match self.family {
            Family::TitanV1 | Family::TitanV2 => serde_json::from_slice::<Value>(body)
                .ok()?
                .get("inputTextTokenCount")?
                .as_u64(),
            _ => None,
        }
    }

    /// The one vector of `object[key]`, an array of one `{"embedding": [...]}`.
    fn single_item(
        &self,
        object: &Map<String, Value>,
        key: &'static str,
    ) -> Result<(&'static str, Vec<Vec<f32>>), EmbedError> {
        let items = self.array(object.get(key), key)?;
        let [item] = items else {
            return Err(self.malformed(key, format!("{} items instead of one", items.len())));
        };
        let field = format!("{key}[0].embedding");
        Ok((key, vec![self.vector(item.get("embedding"), &field)?]))
    }

    /// An array of vectors.
    fn vectors(&self, value: Option<&Value>, field: &str) -> Result<Vec<Vec<f32>>, EmbedError> {
        self.array(value, field)?
            .iter()
            .enumerate()
            .map(|(i, vector)| self.vector(Some(vector), &format!("{field}[{i}]")))
            .collect()
    }

    /// One vector of exactly [`EmbedPlan::dimensions`] finite numbers.
    fn vector(&self, value: Option<&Value>, field: &str) -> Result<Vec<f32>, EmbedError> {
        let numbers = self.array(value, field)?;
        if numbers.len() != self.dimensions as usize {
            return Err(self.malformed(
                field,
                format!("{} numbers, expected {}", numbers.len(), self.dimensions),
            ));
        }
        numbers
            .iter()
            .enumerate()
            .map(|(i, number)| {
                let Some(wide) = number.as_f64() else {
                    return Err(self.malformed(
                        &format!("{field}[{i}]"),
                        format!("{} instead of a number", kind(number)),
                    ));
                };
                let narrow = wide as f32;
                if narrow.is_finite() {
                    Ok(narrow)
                } else {
                    Err(self.malformed(
                        &format!("{field}[{i}]"),
                        format!("{wide:e} does not fit a 32-bit float"),
                    ))
                }
            })
            .collect()
    }

    /// `value` as an array, or an error naming `field`.
    fn array<'v>(&self, value: Option<&'v Value>, field: &str) -> Result<&'v [Value], EmbedError> {
        match value {
            Some(Value::Array(items)) => Ok(items),
            None | Some(Value::Null) => Err(self.malformed(field, "missing".to_owned())),
            Some(other) => {
                Err(self.malformed(field, format!("{} instead of an array", kind(other))))
            }
        }
    }

    fn malformed(&self, field: &str, problem: String) -> EmbedError {
        EmbedError::Malformed {
            model: self.model.clone(),
            field: field.to_owned(),
            problem,
        }
    }
}

/// What a JSON value is, for error messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Checks options against one family's [`Spec`], naming the model.
struct Check<'a> {
    model: &'a str,
    spec: &'a Spec,
}

impl Check<'_> {
    /// `given` when it is one of `allowed`; an error when the family takes no
    /// such option, or not that value.
    fn choose<T, V>(
        &self,
        option: &'static str,
        given: Option<V>,
        allowed: &'static [T],
    ) -> Result<Option<T>, EmbedError>
    where
        T: Copy + PartialEq<V> + Display,
        V: Debug,
    {
        let Some(given) = given else {
            return Ok(None);
        };
        if allowed.is_empty() {
            return Err(self.not_taken(option));
        }
        match allowed.iter().find(|value| **value == given) {
            Some(value) => Ok(Some(*value)),
            None => Err(self.bad_value(option, format!("{given:?}"), one_of(allowed))),
        }
    }

    /// The requested embedding types, each one the family takes, `float` among them.
    fn embedding_types(&self, given: &[String]) -> Result<Vec<&'static str>, EmbedError> {
        const OPTION: &str = "embedding_types";
        let allowed = self.spec.embedding_types;
        if allowed.is_empty() {
            return Err(self.not_taken(OPTION));
        }
        let chosen = given
            .iter()
            .map(|name| {
                self.choose(OPTION, Some(name.as_str()), allowed)
                    .map(Option::unwrap_or_default)
            })
            .collect::<Result<Vec<_>, _>>()?;
        if !chosen.contains(&"float") {
            return Err(self.bad_value(
                OPTION,
                format!("{given:?}"),
                format!(
                    "a list that includes \"float\" (float vectors are what is returned); {}",
                    one_of(allowed)
                ),
            ));
        }
        Ok(chosen)
    }

    fn not_taken(&self, option: &'static str) -> EmbedError {
        EmbedError::OptionNotTaken {
            model: self.model.to_owned(),
            option,
            takes: takes(self.spec),
        }
    }

    fn bad_value(&self, option: &'static str, value: String, expected: String) -> EmbedError {
        EmbedError::BadOptionValue {
            model: self.model.to_owned(),
            option,
            value,
            expected,
        }
    }
}

/// `one of a, b, c`.
fn one_of<T: Display>(allowed: &[T]) -> String {
    let values: Vec<String> = allowed.iter().map(ToString::to_string).collect();
    format!("one of {}", values.join(", "))
}

/// The options a family takes, with their values: `dimensions (256, 512, 1024),
/// normalize`, or `(none)`.
fn takes(spec: &Spec) -> String {
    let list = |values: Vec<String>| format!("({})", values.join(", "));
    let strings = |values: &[&str]| list(values.iter().map(ToString::to_string).collect());
    let mut parts = Vec::new();
    if !spec.dimensions.is_empty() {
        let dims = spec.dimensions.iter().map(ToString::to_string).collect();
        parts.push(format!("dimensions {}", list(dims)));
    }
    if spec.normalize {
        parts.push("normalize (true, false)".to_owned());
    }
    for (option, values) in [
        ("input_type", spec.input_types),
        ("truncate", spec.truncate),
        ("embedding_types", spec.embedding_types),
    ] {
        if !values.is_empty() {
            parts.push(format!("{option} {}", strings(values)));
        }
    }
    if parts.is_empty() {
        "(none)".to_owned()
    } else {
        parts.join(", ")
    }
}
