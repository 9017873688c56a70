//! Per-model request rules: parameters some models reject, dropped before the
//! request is sent ([`apply`]). Today: Claude Opus 4.7 rejects `temperature`.
//!
//! A rule matches on the resolved base model id: a foundation id, a system
//! inference profile (`us.`, `eu.`, `ap.`, `apac.`, `au.`, `jp.`, `us-gov.`,
//! `global.`), an ARN of either, or an application inference profile whose base
//! model the caller resolved (`GetInferenceProfile`). Without a resolved base
//! model, the ref's own text is matched. Dotted versions (`opus-4.7`) match as
//! dashed ones (`opus-4-7`). Adding a model is one line in [`RULES`].

use crate::model_ref::ModelRef;
use crate::types::ConverseRequest;

/// A request parameter a model may reject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    /// `inferenceConfig.temperature` and `additionalModelRequestFields.temperature`.
    Temperature,
}

impl Param {
    /// The parameter's name in messages and in `additionalModelRequestFields`.
    pub fn name(self) -> &'static str {
        match self {
            Param::Temperature => "temperature",
        }
    }

    /// Removes the parameter from the request; whether it was there.
    fn remove(self, request: &mut ConverseRequest) -> bool {
        let in_config = match (self, request.inference_config.as_mut()) {
            (Param::Temperature, Some(config)) => config.temperature.take().is_some(),
            (_, None) => false,
        };
        let in_fields = request
            .additional_model_request_fields
            .as_mut()
            .and_then(serde_json::Value::as_object_mut)
            .is_some_and(|fields| fields.remove(self.name()).is_some());
        in_config || in_fields
    }
}

/// One rule: models whose normalised base id contains `model` (ending there or
/// before a non-digit) reject `drop`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// A normalised model id fragment (dashed version), e.g. `claude-opus-4-7`.
    pub model: &'static str,
    /// The parameters the model rejects.
    pub drop: &'static [Param],
}

/// The rules.
pub const RULES: &[Rule] = &[Rule {
    model: "claude-opus-4-7",
    drop: &[Param::Temperature],
}];

/// Drops the parameters the model rejects from `request`, returning one note
/// per dropped parameter (for `-v`). `model_ref` is the ref as the user gave
/// it; `resolved_base` the base model id when the caller resolved it (an
/// application inference profile).
///
/// ```
/// use bedrock_lite::types::{ConverseRequest, InferenceConfiguration};
/// use bedrock_lite::models::rules;
/// let mut request = ConverseRequest {
///     inference_config: Some(InferenceConfiguration { temperature: Some(0.5), ..Default::default() }),
///     ..Default::default()
/// };
/// let notes = rules::apply(&mut request, "global.anthropic.claude-opus-4-7", None);
/// assert_eq!(notes.len(), 1);
/// assert_eq!(request.inference_config.unwrap().temperature, None);
/// ```
pub fn apply(
    request: &mut ConverseRequest,
    model_ref: &str,
    resolved_base: Option<&str>,
) -> Vec<String> {
    let target = match resolved_base {
        Some(base) => normalise(base),
        None => {
            let parsed = ModelRef::parse(model_ref).ok();
            normalise(
                parsed
                    .as_ref()
                    .and_then(ModelRef::base_model_id)
                    .unwrap_or(model_ref),
            )
        }
    };
    let mut notes = Vec::new();
    for rule in RULES.iter().filter(|rule| matches(&target, rule.model)) {
        for param in rule.drop {
            if param.remove(request) {
                notes.push(format!(
                    "dropped `{}`: {} does not accept it (rule `{}`)",
                    param.name(),
                    model_ref,
                    rule.model
                ));
            }
        }
    }
    notes
}

/// Lower case, with a `.` between two digits turned into `-` (`4.7` → `4-7`).
fn normalise(id: &str) -> String {
    let chars: Vec<char> = id.chars().map(|c| c.to_ascii_lowercase()).collect();
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let digit_at = |j: Option<usize>| {
                j.and_then(|j| chars.get(j))
                    .is_some_and(char::is_ascii_digit)
            };
            if c == '.' && digit_at(i.checked_sub(1)) && digit_at(i.checked_add(1)) {
                '-'
            } else {
                c
            }
        })
        .collect()
}

/// Whether `fragment` occurs in `target` not followed by a digit (so
/// `opus-4-7` does not match `opus-4-70`).
fn matches(target: &str, fragment: &str) -> bool {
    target.match_indices(fragment).any(|(at, _)| {
        !target
            .get(at + fragment.len()..)
            .and_then(|rest| rest.chars().next())
            .is_some_and(|c| c.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::InferenceConfiguration;
    use serde_json::json;

    fn request() -> ConverseRequest {
        ConverseRequest {
            inference_config: Some(InferenceConfiguration {
                max_tokens: Some(100),
                temperature: Some(0.7),
                top_p: Some(0.9),
                stop_sequences: Vec::new(),
            }),
            additional_model_request_fields: Some(json!({"temperature": 0.2, "top_k": 5})),
            ..Default::default()
        }
    }

    fn dropped(request: &ConverseRequest) -> bool {
        let config = request.inference_config.as_ref().expect("config");
        let fields = request
            .additional_model_request_fields
            .as_ref()
            .expect("fields");
        config.temperature.is_none()
            && fields.get("temperature").is_none()
            && config.top_p == Some(0.9)
            && fields.get("top_k") == Some(&json!(5))
    }

    #[test]
    fn opus_4_7_loses_temperature_for_every_kind_of_ref() {
        let mut refs = vec![
            "anthropic.claude-opus-4-7".to_owned(),
            "anthropic.claude-opus-4-7-20260101-v1:0".to_owned(),
            "anthropic.claude-opus-4.7".to_owned(),
            "amazon-bedrock/anthropic.claude-opus-4-7".to_owned(),
            "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-opus-4-7".to_owned(),
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-opus-4-7"
                .to_owned(),
        ];
        for geo in ["us", "eu", "ap", "apac", "au", "jp", "us-gov", "global"] {
            refs.push(format!("{geo}.anthropic.claude-opus-4-7"));
            refs.push(format!("{geo}.anthropic.claude-opus-4.7-v1:0"));
        }
        for model in &refs {
            let mut req = request();
            let notes = apply(&mut req, model, None);
            assert!(dropped(&req), "{model}");
            assert_eq!(notes.len(), 1, "{model}");
            assert!(notes[0].contains("temperature") && notes[0].contains(model.as_str()));
        }
    }

    #[test]
    fn application_profiles_use_the_resolved_base_model() {
        let arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123";
        let mut req = request();
        apply(&mut req, arn, Some("anthropic.claude-opus-4-7"));
        assert!(dropped(&req));
        // Unresolved: the opaque ARN does not match, and nothing is dropped.
        let mut req = request();
        assert!(apply(&mut req, arn, None).is_empty());
        assert_eq!(req, request());
    }

    #[test]
    fn other_models_keep_temperature() {
        for model in [
            "anthropic.claude-opus-4-6-v1:0",
            "us.anthropic.claude-sonnet-4-7",
            "anthropic.claude-opus-4-70",
            "amazon.nova-pro-v1:0",
            "not a ref at all",
        ] {
            let mut req = request();
            assert!(apply(&mut req, model, None).is_empty(), "{model}");
            assert_eq!(req, request(), "{model}");
        }
    }

    #[test]
    fn nothing_to_drop_gives_no_notes() {
        let mut req = ConverseRequest::default();
        assert!(apply(&mut req, "anthropic.claude-opus-4-7", None).is_empty());
        let mut req = ConverseRequest {
            additional_model_request_fields: Some(json!("not an object")),
            ..Default::default()
        };
        assert!(apply(&mut req, "anthropic.claude-opus-4-7", None).is_empty());
    }
}
