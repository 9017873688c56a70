//! ApplyGuardrail (`POST /guardrail/{guardrailIdentifier}/version/{guardrailVersion}/apply`):
//! a guardrail's verdict on content, without a model call. The guardrail's id
//! and version go in the path; the findings reuse the assessment shapes of
//! [`GuardrailAssessment`].

use serde::Serialize;

use super::content::{GuardrailConverseContentBlock, GuardrailConverseTextBlock};
use super::guardrail_trace::{GuardrailAssessment, GuardrailCoverage, GuardrailUsage};
use super::read::read_json;
use super::wire::string_enum;

string_enum! {
    /// Whose content it is (`GuardrailContentSource`).
    pub enum GuardrailContentSource {
        /// A user's input.
        Input = "INPUT",
        /// A model's output.
        Output = "OUTPUT",
    }
}

string_enum! {
    /// What the response reports (`GuardrailOutputScope`).
    pub enum GuardrailOutputScope {
        /// Only what the guardrail acted on (the default).
        Interventions = "INTERVENTIONS",
        /// Every policy's result, those that passed too.
        Full = "FULL",
    }
}

string_enum! {
    /// What the guardrail did (`GuardrailAction`).
    pub enum GuardrailAction {
        /// Nothing: the content passes.
        None = "NONE",
        /// It blocked or masked the content.
        GuardrailIntervened = "GUARDRAIL_INTERVENED",
    }
}

/// A block of content to assess (`GuardrailContentBlock`: text, with optional
/// qualifiers, or an image). Its members are those of the Converse
/// `guardContent` block, so the type is shared.
pub type GuardrailContentBlock = GuardrailConverseContentBlock;

/// The body of an ApplyGuardrail request (`ApplyGuardrailRequest`).
///
/// ```
/// # use bedrock_lite_wire as bedrock_lite;
/// use bedrock_lite::types::{ApplyGuardrailRequest, GuardrailContentSource};
/// let request = ApplyGuardrailRequest::text(GuardrailContentSource::Input, "Hello");
/// assert_eq!(
///     serde_json::to_string(&request)?,
///     r#"{"source":"INPUT","content":[{"text":{"text":"Hello"}}]}"#
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplyGuardrailRequest {
    /// Whose content it is.
    pub source: GuardrailContentSource,
    /// The content, in order.
    pub content: Vec<GuardrailContentBlock>,
    /// What the response reports (the service's default: interventions only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_scope: Option<GuardrailOutputScope>,
}

read_json!(ApplyGuardrailRequest {
    source: "source",
    content: "content",
    output_scope: "outputScope" default,
});

impl ApplyGuardrailRequest {
    /// A request to assess one text block from `source`.
    pub fn text(source: GuardrailContentSource, text: impl Into<String>) -> Self {
        ApplyGuardrailRequest {
            source,
            content: vec![GuardrailContentBlock::Text(GuardrailConverseTextBlock {
                text: text.into(),
                qualifiers: Vec::new(),
                extra: Default::default(),
            })],
            output_scope: None,
        }
    }
}

/// The ApplyGuardrail response body (`ApplyGuardrailResponse`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplyGuardrailResponse {
    /// Policy units used.
    #[serde(default)]
    pub usage: GuardrailUsage,
    /// What the guardrail did.
    pub action: GuardrailAction,
    /// Why it acted, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_reason: Option<String>,
    /// The content to use instead (the blocked message or the masked text),
    /// when it acted.
    #[serde(default)]
    pub outputs: Vec<GuardrailOutputContent>,
    /// What each policy found.
    #[serde(default)]
    pub assessments: Vec<GuardrailAssessment>,
    /// How much of the content was guarded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guardrail_coverage: Option<GuardrailCoverage>,
}

read_json!(ApplyGuardrailResponse {
    usage: "usage" default,
    action: "action",
    action_reason: "actionReason" default,
    outputs: "outputs" default,
    assessments: "assessments" default,
    guardrail_coverage: "guardrailCoverage" default,
});

impl ApplyGuardrailResponse {
    /// Whether the guardrail blocked or masked the content.
    pub fn intervened(&self) -> bool {
        self.action == GuardrailAction::GuardrailIntervened
    }

    /// The output texts, in order.
    pub fn output_texts(&self) -> impl Iterator<Item = &str> {
        self.outputs
            .iter()
            .filter_map(|output| output.text.as_deref())
    }
}

/// A replacement for the content (`GuardrailOutputContent`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GuardrailOutputContent {
    /// The text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

read_json!(GuardrailOutputContent { text: "text" default });

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::GuardrailWordPolicyAssessment;

    #[test]
    fn reads_a_response_as_the_service_sends_it() {
        let body = r#"{
            "usage": {"topicPolicyUnits": 1, "contentPolicyUnits": 1, "wordPolicyUnits": 1,
                      "sensitiveInformationPolicyUnits": 1, "sensitiveInformationPolicyFreeUnits": 0,
                      "contextualGroundingPolicyUnits": 0},
            "action": "GUARDRAIL_INTERVENED",
            "actionReason": "Guardrail blocked.",
            "outputs": [{"text": "Sorry."}],
            "assessments": [{"wordPolicy": {"customWords": [{"match": "X", "action": "BLOCKED", "detected": true}]}}],
            "guardrailCoverage": {"textCharacters": {"guarded": 5, "total": 5}},
            "newMember": 1
        }"#;
        let response: ApplyGuardrailResponse = serde_json::from_str(body).expect("reads");
        assert!(response.intervened());
        assert_eq!(response.output_texts().collect::<Vec<_>>(), ["Sorry."]);
        assert_eq!(response.usage.word_policy_units, 1);
        let words = response
            .assessments
            .first()
            .and_then(|a| a.word_policy.as_ref());
        assert_eq!(
            words.map(|w: &GuardrailWordPolicyAssessment| w.custom_words.len()),
            Some(1)
        );
        let minimal: ApplyGuardrailResponse =
            serde_json::from_str(r#"{"action":"NONE"}"#).expect("reads");
        assert!(!minimal.intervened());
        assert!(serde_json::from_str::<ApplyGuardrailResponse>("{}").is_err());
        let newer: ApplyGuardrailResponse =
            serde_json::from_str(r#"{"action":"FUTURE"}"#).expect("reads");
        assert_eq!(newer.action, GuardrailAction::Unknown("FUTURE".into()));
    }
}
