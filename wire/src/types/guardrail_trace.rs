//! What a guardrail found (`GuardrailTraceAssessment`), returned in a response's
//! or stream's `trace` when the request asked for it. Read-only diagnostics:
//! the enumerated fields (`action`, `type`, `confidence`, ...) are kept as
//! strings, with their known values in the docs, and a missing member reads as
//! its zero value (see [`crate::types`]).

use std::collections::BTreeMap;

use serde::Serialize;

use super::read::read_json;
use super::wire::{wire_union, EmptyObject};

/// The guardrail's assessment of the input and output (`GuardrailTraceAssessment`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GuardrailTraceAssessment {
    /// The model's output before the guardrail acted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub model_output: Vec<String>,
    /// The input assessment, by guardrail id.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub input_assessment: BTreeMap<String, GuardrailAssessment>,
    /// The output assessments, by guardrail id.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub output_assessments: BTreeMap<String, Vec<GuardrailAssessment>>,
    /// Why the guardrail acted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action_reason: Option<String>,
}

read_json!(GuardrailTraceAssessment default {
    model_output: "modelOutput",
    input_assessment: "inputAssessment",
    output_assessments: "outputAssessments",
    action_reason: "actionReason",
});

/// One guardrail's findings, by policy (`GuardrailAssessment`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GuardrailAssessment {
    /// Denied topics.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic_policy: Option<GuardrailTopicPolicyAssessment>,
    /// Content filters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_policy: Option<GuardrailContentPolicyAssessment>,
    /// Word filters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub word_policy: Option<GuardrailWordPolicyAssessment>,
    /// Sensitive information filters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sensitive_information_policy: Option<GuardrailSensitiveInformationPolicyAssessment>,
    /// Contextual grounding checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contextual_grounding_policy: Option<GuardrailContextualGroundingPolicyAssessment>,
    /// Automated reasoning checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub automated_reasoning_policy: Option<GuardrailAutomatedReasoningPolicyAssessment>,
    /// Units and latency used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invocation_metrics: Option<GuardrailInvocationMetrics>,
    /// Which guardrail this was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applied_guardrail_details: Option<AppliedGuardrailDetails>,
}

read_json!(GuardrailAssessment default {
    topic_policy: "topicPolicy",
    content_policy: "contentPolicy",
    word_policy: "wordPolicy",
    sensitive_information_policy: "sensitiveInformationPolicy",
    contextual_grounding_policy: "contextualGroundingPolicy",
    automated_reasoning_policy: "automatedReasoningPolicy",
    invocation_metrics: "invocationMetrics",
    applied_guardrail_details: "appliedGuardrailDetails",
});

/// Denied topics found (`GuardrailTopicPolicyAssessment`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GuardrailTopicPolicyAssessment {
    /// The topics.
    pub topics: Vec<GuardrailTopic>,
}

read_json!(GuardrailTopicPolicyAssessment default { topics: "topics" });

/// A denied topic (`GuardrailTopic`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GuardrailTopic {
    /// The topic's name.
    pub name: String,
    /// `DENY`.
    pub r#type: String,
    /// `BLOCKED` or `NONE`.
    pub action: String,
    /// Whether it was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detected: Option<bool>,
}

read_json!(GuardrailTopic default {
    name: "name",
    r#type: "type",
    action: "action",
    detected: "detected",
});

/// Content filters that matched (`GuardrailContentPolicyAssessment`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GuardrailContentPolicyAssessment {
    /// The filters.
    pub filters: Vec<GuardrailContentFilter>,
}

read_json!(GuardrailContentPolicyAssessment default { filters: "filters" });

/// A content filter (`GuardrailContentFilter`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GuardrailContentFilter {
    /// `INSULTS`, `HATE`, `SEXUAL`, `VIOLENCE`, `MISCONDUCT` or `PROMPT_ATTACK`.
    pub r#type: String,
    /// `NONE`, `LOW`, `MEDIUM` or `HIGH`.
    pub confidence: String,
    /// `NONE`, `LOW`, `MEDIUM` or `HIGH`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter_strength: Option<String>,
    /// `BLOCKED` or `NONE`.
    pub action: String,
    /// Whether it was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detected: Option<bool>,
}

read_json!(GuardrailContentFilter default {
    r#type: "type",
    confidence: "confidence",
    filter_strength: "filterStrength",
    action: "action",
    detected: "detected",
});

/// Word filters that matched (`GuardrailWordPolicyAssessment`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GuardrailWordPolicyAssessment {
    /// Custom words.
    pub custom_words: Vec<GuardrailCustomWord>,
    /// Managed word lists.
    pub managed_word_lists: Vec<GuardrailManagedWord>,
}

read_json!(GuardrailWordPolicyAssessment default {
    custom_words: "customWords",
    managed_word_lists: "managedWordLists",
});

/// A custom word (`GuardrailCustomWord`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GuardrailCustomWord {
    /// The text that matched.
    pub r#match: String,
    /// `BLOCKED` or `NONE`.
    pub action: String,
    /// Whether it was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detected: Option<bool>,
}

read_json!(GuardrailCustomWord default {
    r#match: "match",
    action: "action",
    detected: "detected",
});

/// A word from a managed list (`GuardrailManagedWord`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GuardrailManagedWord {
    /// The text that matched.
    pub r#match: String,
    /// `PROFANITY`.
    pub r#type: String,
    /// `BLOCKED` or `NONE`.
    pub action: String,
    /// Whether it was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detected: Option<bool>,
}

read_json!(GuardrailManagedWord default {
    r#match: "match",
    r#type: "type",
    action: "action",
    detected: "detected",
});

/// Sensitive information found (`GuardrailSensitiveInformationPolicyAssessment`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GuardrailSensitiveInformationPolicyAssessment {
    /// Personal information.
    pub pii_entities: Vec<GuardrailPiiEntityFilter>,
    /// Custom patterns.
    pub regexes: Vec<GuardrailRegexFilter>,
}

read_json!(GuardrailSensitiveInformationPolicyAssessment default {
    pii_entities: "piiEntities",
    regexes: "regexes",
});

/// Personal information found (`GuardrailPiiEntityFilter`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GuardrailPiiEntityFilter {
    /// The text that matched.
    pub r#match: String,
    /// The entity type: `EMAIL`, `PHONE`, `NAME`, `US_SOCIAL_SECURITY_NUMBER`, ...
    pub r#type: String,
    /// `ANONYMIZED`, `BLOCKED` or `NONE`.
    pub action: String,
    /// Whether it was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detected: Option<bool>,
}

read_json!(GuardrailPiiEntityFilter default {
    r#match: "match",
    r#type: "type",
    action: "action",
    detected: "detected",
});

/// A custom pattern found (`GuardrailRegexFilter`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GuardrailRegexFilter {
    /// The pattern's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The text that matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub r#match: Option<String>,
    /// The pattern.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regex: Option<String>,
    /// `ANONYMIZED`, `BLOCKED` or `NONE`.
    pub action: String,
    /// Whether it was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detected: Option<bool>,
}

read_json!(GuardrailRegexFilter default {
    name: "name",
    r#match: "match",
    regex: "regex",
    action: "action",
    detected: "detected",
});

/// Contextual grounding results (`GuardrailContextualGroundingPolicyAssessment`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GuardrailContextualGroundingPolicyAssessment {
    /// The checks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<GuardrailContextualGroundingFilter>,
}

read_json!(GuardrailContextualGroundingPolicyAssessment default { filters: "filters" });

/// A contextual grounding check (`GuardrailContextualGroundingFilter`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GuardrailContextualGroundingFilter {
    /// `GROUNDING` or `RELEVANCE`.
    pub r#type: String,
    /// The threshold, 0 to 1.
    pub threshold: f64,
    /// The score, 0 to 1.
    pub score: f64,
    /// `BLOCKED` or `NONE`.
    pub action: String,
    /// Whether it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detected: Option<bool>,
}

read_json!(GuardrailContextualGroundingFilter default {
    r#type: "type",
    threshold: "threshold",
    score: "score",
    action: "action",
    detected: "detected",
});

/// Automated reasoning results (`GuardrailAutomatedReasoningPolicyAssessment`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GuardrailAutomatedReasoningPolicyAssessment {
    /// The findings.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<GuardrailAutomatedReasoningFinding>,
}

read_json!(GuardrailAutomatedReasoningPolicyAssessment default { findings: "findings" });

wire_union! {
    /// One automated reasoning finding (`GuardrailAutomatedReasoningFinding`).
    #[derive(Debug, Clone, PartialEq)]
    pub enum GuardrailAutomatedReasoningFinding {
        /// `valid`: the claims follow from the premises.
        Valid(GuardrailAutomatedReasoningValidFinding) = "valid",
        /// `invalid`: the claims contradict the rules.
        Invalid(GuardrailAutomatedReasoningContradictionFinding) = "invalid",
        /// `satisfiable`: the claims may or may not hold.
        Satisfiable(GuardrailAutomatedReasoningSatisfiableFinding) = "satisfiable",
        /// `impossible`: the premises contradict each other or the rules.
        Impossible(GuardrailAutomatedReasoningContradictionFinding) = "impossible",
        /// `translationAmbiguous`: the text has several readings.
        TranslationAmbiguous(GuardrailAutomatedReasoningTranslationAmbiguousFinding) = "translationAmbiguous",
        /// `tooComplex`: too complex to check.
        TooComplex(EmptyObject) = "tooComplex",
        /// `noTranslations`: nothing could be translated to logic.
        NoTranslations(EmptyObject) = "noTranslations",
    }
}

/// A `valid` finding (`GuardrailAutomatedReasoningValidFinding`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GuardrailAutomatedReasoningValidFinding {
    /// The text as logic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translation: Option<GuardrailAutomatedReasoningTranslation>,
    /// A scenario in which the claims hold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claims_true_scenario: Option<GuardrailAutomatedReasoningScenario>,
    /// The rules that support the claims.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub supporting_rules: Vec<GuardrailAutomatedReasoningRule>,
    /// A warning about the logic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logic_warning: Option<GuardrailAutomatedReasoningLogicWarning>,
}

read_json!(GuardrailAutomatedReasoningValidFinding default {
    translation: "translation",
    claims_true_scenario: "claimsTrueScenario",
    supporting_rules: "supportingRules",
    logic_warning: "logicWarning",
});

/// An `invalid` or `impossible` finding (`GuardrailAutomatedReasoningInvalidFinding`,
/// `GuardrailAutomatedReasoningImpossibleFinding`, which have the same members).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GuardrailAutomatedReasoningContradictionFinding {
    /// The text as logic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translation: Option<GuardrailAutomatedReasoningTranslation>,
    /// The rules contradicted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub contradicting_rules: Vec<GuardrailAutomatedReasoningRule>,
    /// A warning about the logic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logic_warning: Option<GuardrailAutomatedReasoningLogicWarning>,
}

read_json!(GuardrailAutomatedReasoningContradictionFinding default {
    translation: "translation",
    contradicting_rules: "contradictingRules",
    logic_warning: "logicWarning",
});

/// A `satisfiable` finding (`GuardrailAutomatedReasoningSatisfiableFinding`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GuardrailAutomatedReasoningSatisfiableFinding {
    /// The text as logic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translation: Option<GuardrailAutomatedReasoningTranslation>,
    /// A scenario in which the claims hold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claims_true_scenario: Option<GuardrailAutomatedReasoningScenario>,
    /// A scenario in which they do not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claims_false_scenario: Option<GuardrailAutomatedReasoningScenario>,
    /// A warning about the logic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logic_warning: Option<GuardrailAutomatedReasoningLogicWarning>,
}

read_json!(GuardrailAutomatedReasoningSatisfiableFinding default {
    translation: "translation",
    claims_true_scenario: "claimsTrueScenario",
    claims_false_scenario: "claimsFalseScenario",
    logic_warning: "logicWarning",
});

/// A `translationAmbiguous` finding (`GuardrailAutomatedReasoningTranslationAmbiguousFinding`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GuardrailAutomatedReasoningTranslationAmbiguousFinding {
    /// The readings (at most 2).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<GuardrailAutomatedReasoningTranslationOption>,
    /// Scenarios that tell the readings apart (at most 2).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub difference_scenarios: Vec<GuardrailAutomatedReasoningScenario>,
}

read_json!(GuardrailAutomatedReasoningTranslationAmbiguousFinding default {
    options: "options",
    difference_scenarios: "differenceScenarios",
});

/// One reading of ambiguous text (`GuardrailAutomatedReasoningTranslationOption`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GuardrailAutomatedReasoningTranslationOption {
    /// Its translations.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub translations: Vec<GuardrailAutomatedReasoningTranslation>,
}

read_json!(GuardrailAutomatedReasoningTranslationOption default { translations: "translations" });

/// Text as logic (`GuardrailAutomatedReasoningTranslation`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GuardrailAutomatedReasoningTranslation {
    /// The premises.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub premises: Vec<GuardrailAutomatedReasoningStatement>,
    /// The claims.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub claims: Vec<GuardrailAutomatedReasoningStatement>,
    /// Premises that could not be translated.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub untranslated_premises: Vec<GuardrailAutomatedReasoningInputTextReference>,
    /// Claims that could not be translated.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub untranslated_claims: Vec<GuardrailAutomatedReasoningInputTextReference>,
    /// Confidence in the translation, 0 to 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
}

read_json!(GuardrailAutomatedReasoningTranslation default {
    premises: "premises",
    claims: "claims",
    untranslated_premises: "untranslatedPremises",
    untranslated_claims: "untranslatedClaims",
    confidence: "confidence",
});

/// A statement in logic and words (`GuardrailAutomatedReasoningStatement`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GuardrailAutomatedReasoningStatement {
    /// As logic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logic: Option<String>,
    /// In words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub natural_language: Option<String>,
}

read_json!(GuardrailAutomatedReasoningStatement default {
    logic: "logic",
    natural_language: "naturalLanguage",
});

/// Text that could not be translated (`GuardrailAutomatedReasoningInputTextReference`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GuardrailAutomatedReasoningInputTextReference {
    /// The text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

read_json!(GuardrailAutomatedReasoningInputTextReference default { text: "text" });

/// A scenario (`GuardrailAutomatedReasoningScenario`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GuardrailAutomatedReasoningScenario {
    /// Its statements.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub statements: Vec<GuardrailAutomatedReasoningStatement>,
}

read_json!(GuardrailAutomatedReasoningScenario default { statements: "statements" });

/// A policy rule (`GuardrailAutomatedReasoningRule`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GuardrailAutomatedReasoningRule {
    /// The rule's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    /// The policy version's ARN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_version_arn: Option<String>,
}

read_json!(GuardrailAutomatedReasoningRule default {
    identifier: "identifier",
    policy_version_arn: "policyVersionArn",
});

/// A warning about the logic (`GuardrailAutomatedReasoningLogicWarning`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GuardrailAutomatedReasoningLogicWarning {
    /// `ALWAYS_FALSE` or `ALWAYS_TRUE`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
    /// The premises concerned.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub premises: Vec<GuardrailAutomatedReasoningStatement>,
    /// The claims concerned.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub claims: Vec<GuardrailAutomatedReasoningStatement>,
}

read_json!(GuardrailAutomatedReasoningLogicWarning default {
    r#type: "type",
    premises: "premises",
    claims: "claims",
});

/// Units and latency a guardrail used (`GuardrailInvocationMetrics`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GuardrailInvocationMetrics {
    /// Processing time in milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guardrail_processing_latency: Option<u64>,
    /// Units used, by policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<GuardrailUsage>,
    /// How much of the content was guarded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guardrail_coverage: Option<GuardrailCoverage>,
}

read_json!(GuardrailInvocationMetrics default {
    guardrail_processing_latency: "guardrailProcessingLatency",
    usage: "usage",
    guardrail_coverage: "guardrailCoverage",
});

/// Units used, by policy (`GuardrailUsage`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GuardrailUsage {
    /// Denied topics.
    pub topic_policy_units: u32,
    /// Content filters.
    pub content_policy_units: u32,
    /// Word filters.
    pub word_policy_units: u32,
    /// Sensitive information filters.
    pub sensitive_information_policy_units: u32,
    /// Sensitive information filters, free of charge.
    pub sensitive_information_policy_free_units: u32,
    /// Contextual grounding.
    pub contextual_grounding_policy_units: u32,
    /// Content filters on images.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_policy_image_units: Option<u32>,
    /// Automated reasoning.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub automated_reasoning_policy_units: Option<u32>,
    /// Automated reasoning policies run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub automated_reasoning_policies: Option<u32>,
}

read_json!(GuardrailUsage default {
    topic_policy_units: "topicPolicyUnits",
    content_policy_units: "contentPolicyUnits",
    word_policy_units: "wordPolicyUnits",
    sensitive_information_policy_units: "sensitiveInformationPolicyUnits",
    sensitive_information_policy_free_units: "sensitiveInformationPolicyFreeUnits",
    contextual_grounding_policy_units: "contextualGroundingPolicyUnits",
    content_policy_image_units: "contentPolicyImageUnits",
    automated_reasoning_policy_units: "automatedReasoningPolicyUnits",
    automated_reasoning_policies: "automatedReasoningPolicies",
});

/// How much of the content was guarded (`GuardrailCoverage`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GuardrailCoverage {
    /// Text characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text_characters: Option<GuardedCount>,
    /// Images.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub images: Option<GuardedCount>,
}

read_json!(GuardrailCoverage default { text_characters: "textCharacters", images: "images" });

/// Guarded out of total (`GuardrailTextCharactersCoverage`, `GuardrailImageCoverage`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GuardedCount {
    /// How many were guarded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guarded: Option<u32>,
    /// How many there were.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u32>,
}

read_json!(GuardedCount default { guarded: "guarded", total: "total" });

/// Which guardrail produced an assessment (`AppliedGuardrailDetails`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AppliedGuardrailDetails {
    /// Its id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guardrail_id: Option<String>,
    /// Its version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guardrail_version: Option<String>,
    /// Its ARN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guardrail_arn: Option<String>,
    /// Why it applied: `REQUEST`, `ACCOUNT_ENFORCED`, `ORGANIZATION_ENFORCED`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub guardrail_origin: Vec<String>,
    /// `SELF` or `CROSS_ACCOUNT`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guardrail_ownership: Option<String>,
}

read_json!(AppliedGuardrailDetails default {
    guardrail_id: "guardrailId",
    guardrail_version: "guardrailVersion",
    guardrail_arn: "guardrailArn",
    guardrail_origin: "guardrailOrigin",
    guardrail_ownership: "guardrailOwnership",
});
