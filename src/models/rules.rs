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
use std::borrow::Cow;

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

    /// Whether the request sets the parameter.
    fn is_set(self, request: &ConverseRequest) -> bool {
        let in_config = match (self, request.inference_config.as_ref()) {
            (Param::Temperature, Some(config)) => config.temperature.is_some(),
            (_, None) => false,
        };
        let in_fields = request
            .additional_model_request_fields
            .as_ref()
            .and_then(serde_json::Value::as_object)
            .is_some_and(|fields| fields.contains_key(self.name()));
        in_config || in_fields
    }

    /// Removes the parameter from the request.
    fn remove(self, request: &mut ConverseRequest) {
        if let (Param::Temperature, Some(config)) = (self, request.inference_config.as_mut()) {
            config.temperature = None;
        }
        if let Some(fields) = request
            .additional_model_request_fields
            .as_mut()
            .and_then(serde_json::Value::as_object_mut)
        {
            fields.remove(self.name());
        }
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

/// Drops the parameters the model rejects from `request` (copying it only
/// when something is dropped), returning one note per dropped parameter (for
/// `-v`). `resolved_base` is the base model id when the caller resolved it (an
/// application inference profile).
///
/// ```
/// use std::borrow::Cow;
/// use bedrock_lite::model_ref::ModelRef;
/// use bedrock_lite::types::{ConverseRequest, InferenceConfiguration};
/// use bedrock_lite::models::rules;
/// let original = ConverseRequest {
///     inference_config: Some(InferenceConfiguration { temperature: Some(0.5), ..Default::default() }),
///     ..Default::default()
/// };
/// let mut request = Cow::Borrowed(&original);
/// let model = ModelRef::parse("global.anthropic.claude-opus-4-7")?;
/// let notes = rules::apply(&mut request, &model, None);
/// assert_eq!(notes.len(), 1);
/// assert_eq!(request.inference_config.as_ref().unwrap().temperature, None);
/// # Ok::<(), bedrock_lite::model_ref::ModelRefError>(())
/// ```
pub fn apply(
    request: &mut Cow<'_, ConverseRequest>,
    model: &ModelRef,
    resolved_base: Option<&str>,
) -> Vec<String> {
    let target = normalise(
        resolved_base
            .or_else(|| model.base_model_id())
            .unwrap_or(model.id()),
    );
    let mut notes = Vec::new();
    for rule in RULES.iter().filter(|rule| matches(&target, rule.model)) {
        for param in rule.drop {
            if param.is_set(request) {
                param.remove(request.to_mut());
                notes.push(format!(
                    "dropped `{}`: {} does not accept it (rule `{}`)",
                    param.name(),
                    model,
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

    /// [`apply`] on `request` in place; checks that a copy is made exactly
    /// when something is dropped.
    fn run(request: &mut ConverseRequest, model: &str, base: Option<&str>) -> Vec<String> {
        let model = ModelRef::parse(model).expect("a model ref");
        let mut cow = Cow::Borrowed(&*request);
        let notes = apply(&mut cow, &model, base);
        let owned = match cow {
            Cow::Owned(changed) => Some(changed),
            Cow::Borrowed(_) => None,
        };
        assert_eq!(owned.is_some(), !notes.is_empty(), "{model}");
        if let Some(changed) = owned {
            *request = changed;
        }
        notes
    }
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
            let notes = run(&mut req, model, None);
            assert!(dropped(&req), "{model}");
            assert_eq!(notes.len(), 1, "{model}");
            let id = model.trim_start_matches("amazon-bedrock/");
            assert!(notes[0].contains("temperature") && notes[0].contains(id));
        }
    }

    #[test]
    fn application_profiles_use_the_resolved_base_model() {
        let arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123";
        let mut req = request();
        run(&mut req, arn, Some("anthropic.claude-opus-4-7"));
        assert!(dropped(&req));
        // Unresolved: the opaque ARN does not match, and nothing is dropped.
        let mut req = request();
        assert!(run(&mut req, arn, None).is_empty());
        assert_eq!(req, request());
    }

    #[test]
    fn other_models_keep_temperature() {
        for model in [
            "anthropic.claude-opus-4-6-v1:0",
            "us.anthropic.claude-sonnet-4-7",
            "anthropic.claude-opus-4-70",
            "amazon.nova-pro-v1:0",
        ] {
            let mut req = request();
            assert!(run(&mut req, model, None).is_empty(), "{model}");
            assert_eq!(req, request(), "{model}");
        }
    }

    #[test]
    fn nothing_to_drop_gives_no_notes() {
        let mut req = ConverseRequest::default();
        assert!(run(&mut req, "anthropic.claude-opus-4-7", None).is_empty());
        let mut req = ConverseRequest {
            additional_model_request_fields: Some(json!("not an object")),
            ..Default::default()
        };
        assert!(run(&mut req, "anthropic.claude-opus-4-7", None).is_empty());
    }
}
