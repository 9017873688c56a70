//! Per-model request rules: parameters some models reject, dropped before the
//! request is sent ([`apply`]; today: Claude Opus 4.7 rejects `temperature`);
//! how each model family switches reasoning on ([`apply_reasoning`], used by
//! the CLI's `--reasoning N` and the gateway's `reasoning_effort`); and which
//! models take prompt-cache points ([`supports_prompt_caching`]) and which are
//! known to refuse them ([`refuses_prompt_caching`]).
//!
//! A rule matches on the resolved base model id: a foundation id, a system
//! inference profile (`us.`, `eu.`, `ap.`, `apac.`, `au.`, `jp.`, `us-gov.`,
//! `global.`), an ARN of either, or an application inference profile whose base
//! model the caller resolved (`GetInferenceProfile`). Without a resolved base
//! model, the ref's own text is matched. Dotted versions (`opus-4.7`) match as
//! dashed ones (`opus-4-7`). Adding a model is one line in [`RULES`],
//! [`REASONING_RULES`] or [`PROMPT_CACHING_MODELS`].

use std::fmt;

use serde_json::{json, Map, Value};

use super::catalog;
use crate::model_ref::ModelRef;
use std::borrow::Cow;

use crate::types::{ConverseRequest, InferenceConfiguration, ToolChoice};

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
    let target = target(model.id(), resolved_base);
    let mut notes = Vec::new();
    for rule in RULES.iter().filter(|rule| matches(&target, rule.model)) {
        for param in rule.drop {
            if param.is_set(request) {
                param.remove(owned(request));
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

/// The normalised id the rules match on: the resolved base model when the
/// caller has one, else the ref's base model id, else the ref's own text.
fn target(model_ref: &str, resolved_base: Option<&str>) -> String {
    match resolved_base {
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
    }
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

/// A reasoning effort, as OpenAI's `reasoning_effort` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effort {
    /// `low`: a 1024-token thinking budget.
    Low,
    /// `medium`: a 4096-token thinking budget.
    Medium,
    /// `high`: a 16384-token thinking budget.
    High,
}

impl Effort {
    /// Every effort, lowest first.
    pub const ALL: [Effort; 3] = [Effort::Low, Effort::Medium, Effort::High];

    /// The effort named `text` (`low`, `medium`, `high`).
    pub fn parse(text: &str) -> Option<Effort> {
        Effort::ALL
            .into_iter()
            .find(|effort| effort.as_str() == text)
    }

    /// Its name.
    pub fn as_str(self) -> &'static str {
        match self {
            Effort::Low => "low",
            Effort::Medium => "medium",
            Effort::High => "high",
        }
    }

    /// The thinking budget in tokens it stands for: 1024, 4096 or 16384.
    pub fn budget_tokens(self) -> u32 {
        match self {
            Effort::Low => 1024,
            Effort::Medium => 4096,
            Effort::High => 16_384,
        }
    }

    /// The lowest effort whose budget covers `budget` tokens (`high` beyond 4096).
    pub fn covering(budget: u32) -> Effort {
        Effort::ALL
            .into_iter()
            .find(|effort| budget <= effort.budget_tokens())
            .unwrap_or(Effort::High)
    }
}

/// How much reasoning a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReasoningLevel {
    /// A thinking budget in tokens (the CLI's `--reasoning N`).
    Budget(u32),
    /// An effort (the gateway's `reasoning_effort`).
    Effort(Effort),
}

impl ReasoningLevel {
    /// The thinking budget in tokens: the budget itself, or the effort's.
    pub fn budget_tokens(self) -> u32 {
        match self {
            ReasoningLevel::Budget(tokens) => tokens,
            ReasoningLevel::Effort(effort) => effort.budget_tokens(),
        }
    }

    /// The effort: the effort itself, or the lowest one covering the budget.
    pub fn effort(self) -> Effort {
        match self {
            ReasoningLevel::Budget(tokens) => Effort::covering(tokens),
            ReasoningLevel::Effort(effort) => effort,
        }
    }
}

/// How a model family switches reasoning on (all in `additionalModelRequestFields`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReasoningSwitch {
    /// Anthropic Claude extended thinking: `thinking = {"type": "enabled",
    /// "budget_tokens": N}` (N at least 1024); `temperature`, `topP` and `top_k`
    /// are not allowed, `maxTokens` must exceed N, and a forced tool choice is refused.
    ClaudeThinking,
    /// Amazon Nova 2: `reasoningConfig = {"type": "enabled", "maxReasoningEffort":
    /// "low" | "medium" | "high"}`; with `high`, `temperature`, `topP` and
    /// `maxTokens` must be left unset.
    NovaReasoningConfig,
    /// OpenAI gpt-oss: `reasoning_effort = "low" | "medium" | "high"`.
    ReasoningEffortField,
    /// Models that always reason (DeepSeek-R1): nothing to switch on.
    AlwaysOn,
}

impl ReasoningSwitch {
    /// The budget `inferenceConfig.maxTokens` must exceed at `level`, for the
    /// families that have one (Claude); the CLI refuses an explicit
    /// `--max-tokens` at or below it.
    pub fn max_tokens_floor(self, level: ReasoningLevel) -> Option<u32> {
        match self {
            ReasoningSwitch::ClaudeThinking => Some(level.budget_tokens()),
            _ => None,
        }
    }
}

/// One row of the reasoning table: models whose normalised base id contains
/// `model` (as in [`Rule`]) switch reasoning on with `switch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReasoningRule {
    /// A normalised model id fragment, e.g. `anthropic.claude`.
    pub model: &'static str,
    /// How the family switches reasoning on.
    pub switch: ReasoningSwitch,
}

/// The reasoning table, one row per model family; the first matching row wins.
/// Models the [`catalog`] marks as not reasoning (Claude 3 and
/// 3.5, for instance) are refused before the table is read.
pub const REASONING_RULES: &[ReasoningRule] = &[
    ReasoningRule {
        model: "anthropic.claude",
        switch: ReasoningSwitch::ClaudeThinking,
    },
    ReasoningRule {
        model: "amazon.nova-2-lite",
        switch: ReasoningSwitch::NovaReasoningConfig,
    },
    ReasoningRule {
        model: "openai.gpt-oss",
        switch: ReasoningSwitch::ReasoningEffortField,
    },
    ReasoningRule {
        model: "deepseek.r1",
        switch: ReasoningSwitch::AlwaysOn,
    },
];

/// The smallest thinking budget Claude takes.
pub const CLAUDE_MIN_BUDGET: u32 = 1024;

/// The room left for the answer when `maxTokens` is raised above a Claude
/// thinking budget it did not cover (unset: budget + this).
pub const CLAUDE_ANSWER_TOKENS: u32 = 4096;

/// Why reasoning could not be switched on for a request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReasoningError {
    /// The model's family has no row in [`REASONING_RULES`].
    NoSwitch {
        /// The model ref, as given.
        model: String,
    },
    /// The catalog says the model does not reason.
    DoesNotReason {
        /// The model ref, as given.
        model: String,
    },
    /// A Claude thinking budget below [`CLAUDE_MIN_BUDGET`].
    BudgetTooSmall {
        /// The model ref, as given.
        model: String,
        /// The budget asked for.
        budget: u32,
    },
    /// Something else in the request rules reasoning out.
    Conflict {
        /// The model ref, as given.
        model: String,
        /// What it is.
        problem: &'static str,
    },
}

impl fmt::Display for ReasoningError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReasoningError::NoSwitch { model } => {
                write!(f, "model {model} has no known reasoning switch")
            }
            ReasoningError::DoesNotReason { model } => {
                write!(f, "model {model} does not reason")
            }
            ReasoningError::BudgetTooSmall { model, budget } => write!(
                f,
                "model {model} takes a thinking budget of at least {CLAUDE_MIN_BUDGET} tokens, not {budget}"
            ),
            ReasoningError::Conflict { model, problem } => {
                write!(f, "model {model}: {problem}")
            }
        }
    }
}

impl std::error::Error for ReasoningError {}

/// How `model_ref` switches reasoning on (`resolved_base` as in [`apply`]).
///
/// ```
/// use bedrock_lite::models::rules::{reasoning_switch, ReasoningSwitch};
/// let switch = reasoning_switch("amazon-bedrock/us.anthropic.claude-sonnet-4-5-v1:0", None)?;
/// assert_eq!(switch, ReasoningSwitch::ClaudeThinking);
/// let error = reasoning_switch("acme.chat-v1:0", None).unwrap_err();
/// assert_eq!(error.to_string(), "model acme.chat-v1:0 has no known reasoning switch");
/// # Ok::<(), bedrock_lite::models::rules::ReasoningError>(())
/// ```
pub fn reasoning_switch(
    model_ref: &str,
    resolved_base: Option<&str>,
) -> Result<ReasoningSwitch, ReasoningError> {
    let known = catalog::lookup(resolved_base.unwrap_or(model_ref));
    if known.is_some_and(|row| !row.reasoning) {
        return Err(ReasoningError::DoesNotReason {
            model: model_ref.to_owned(),
        });
    }
    let target = target(model_ref, resolved_base);
    REASONING_RULES
        .iter()
        .find(|rule| matches(&target, rule.model))
        .map(|rule| rule.switch)
        .ok_or_else(|| ReasoningError::NoSwitch {
            model: model_ref.to_owned(),
        })
}

/// `request` as its own copy, made the first time something changes.
///
/// Not inlined: the copy clones every shape a request can hold, and inlined
/// at each change it was 47 KiB of code in `apply` alone (`cargo bloat`).
#[inline(never)]
pub(crate) fn owned<'r>(request: &'r mut Cow<'_, ConverseRequest>) -> &'r mut ConverseRequest {
    request.to_mut()
}

/// Switches reasoning on in `request` at `level`, the way the model's family
/// takes it (see [`ReasoningSwitch`]), and returns one note per change made to
/// the rest of the request (a dropped parameter, a raised `maxTokens`).
///
/// ```
/// use bedrock_lite::models::rules::{apply_reasoning, Effort, ReasoningLevel};
/// use bedrock_lite::types::{ConverseRequest, InferenceConfiguration};
/// let mut request = ConverseRequest {
///     inference_config: Some(InferenceConfiguration { temperature: Some(0.5), ..Default::default() }),
///     ..Default::default()
/// };
/// let level = ReasoningLevel::Effort(Effort::Medium);
/// let notes = apply_reasoning(&mut request, "anthropic.claude-sonnet-4-5-v1:0", None, level)?;
/// assert_eq!(notes.len(), 2); // temperature dropped, maxTokens set above the budget
/// assert_eq!(
///     request.additional_model_request_fields,
///     Some(serde_json::json!({"thinking": {"type": "enabled", "budget_tokens": 4096}}))
/// );
/// assert_eq!(request.inference_config.unwrap().max_tokens, Some(4096 + 4096));
/// # Ok::<(), bedrock_lite::models::rules::ReasoningError>(())
/// ```
pub fn apply_reasoning(
    request: &mut ConverseRequest,
    model_ref: &str,
    resolved_base: Option<&str>,
    level: ReasoningLevel,
) -> Result<Vec<String>, ReasoningError> {
    let switch = reasoning_switch(model_ref, resolved_base)?;
    let conflict = |problem| ReasoningError::Conflict {
        model: model_ref.to_owned(),
        problem,
    };
    if request
        .additional_model_request_fields
        .as_ref()
        .is_some_and(|fields| !fields.is_object())
    {
        return Err(conflict(
            "additionalModelRequestFields is not a JSON object",
        ));
    }
    let mut notes = Vec::new();
    let mut dropped = Vec::new();
    let (field, value) = match switch {
        ReasoningSwitch::ClaudeThinking => {
            let budget = level.budget_tokens();
            if budget < CLAUDE_MIN_BUDGET {
                return Err(ReasoningError::BudgetTooSmall {
                    model: model_ref.to_owned(),
                    budget,
                });
            }
            let forced = request.tool_config.as_ref().is_some_and(|config| {
                matches!(
                    config.tool_choice,
                    Some(ToolChoice::Any(_) | ToolChoice::Tool(_))
                )
            });
            if forced {
                return Err(conflict(
                    "extended thinking cannot be combined with a tool choice that forces a tool call",
                ));
            }
            let config = request
                .inference_config
                .get_or_insert_with(Default::default);
            if config.temperature.take().is_some() {
                dropped.push("temperature");
            }
            if config.top_p.take().is_some() {
                dropped.push("topP");
            }
            if let Some(Value::Object(fields)) = request.additional_model_request_fields.as_mut() {
                for name in ["temperature", "top_p", "top_k"] {
                    if fields.remove(name).is_some() {
                        dropped.push(name);
                    }
                }
            }
            if let Some(note) = raise_max_tokens(config, budget, model_ref, resolved_base) {
                notes.push(note);
            }
            (
                "thinking",
                json!({"type": "enabled", "budget_tokens": budget}),
            )
        }
        ReasoningSwitch::NovaReasoningConfig => {
            let effort = level.effort();
            if let Some(config) = request
                .inference_config
                .as_mut()
                .filter(|_| effort == Effort::High)
            {
                for (name, present) in [
                    ("temperature", config.temperature.take().is_some()),
                    ("topP", config.top_p.take().is_some()),
                    ("maxTokens", config.max_tokens.take().is_some()),
                ] {
                    if present {
                        dropped.push(name);
                    }
                }
            }
            (
                "reasoningConfig",
                json!({"type": "enabled", "maxReasoningEffort": effort.as_str()}),
            )
        }
        ReasoningSwitch::ReasoningEffortField => {
            ("reasoning_effort", json!(level.effort().as_str()))
        }
        ReasoningSwitch::AlwaysOn => {
            notes.push(format!(
                "{model_ref} always reasons; there is nothing to switch on"
            ));
            return Ok(notes);
        }
    };
    if let Value::Object(fields) = request
        .additional_model_request_fields
        .get_or_insert_with(|| Value::Object(Map::new()))
    {
        fields.insert(field.to_owned(), value);
    }
    let mut dropped_once: Vec<&str> = Vec::new();
    for name in dropped {
        if !dropped_once.contains(&name) {
            dropped_once.push(name);
        }
    }
    let dropped_notes = dropped_once
        .iter()
        .map(|name| format!("dropped `{name}`: {model_ref} does not take it with reasoning on"));
    Ok(dropped_notes.chain(notes).collect())
}

/// Makes a Claude request's `maxTokens` exceed the thinking `budget`: unset, it
/// becomes budget + [`CLAUDE_ANSWER_TOKENS`]; at or below the budget, budget +
/// its value (the answer keeps what was asked for); either capped at the
/// catalog's output ceiling when that is above the budget. A note when changed.
fn raise_max_tokens(
    config: &mut InferenceConfiguration,
    budget: u32,
    model_ref: &str,
    resolved_base: Option<&str>,
) -> Option<String> {
    let wanted = match config.max_tokens {
        Some(given) if given > budget => return None,
        Some(given) => budget.saturating_add(given),
        None => budget.saturating_add(CLAUDE_ANSWER_TOKENS),
    };
    let raised = catalog::lookup(resolved_base.unwrap_or(model_ref))
        .map(|row| row.max_tokens)
        .filter(|&most| most > budget)
        .map_or(wanted, |most| wanted.min(most));
    Some(match config.max_tokens.replace(raised) {
        Some(given) => format!(
            "raised `maxTokens` from {given} to {raised}: it must exceed the thinking budget of {budget}"
        ),
        None => format!(
            "set `maxTokens` to {raised}: it must exceed the thinking budget of {budget}"
        ),
    })
}

/// Models that take prompt-cache points (`cachePoint` blocks), as normalised
/// model id fragments (matched as in [`Rule`]).
pub const PROMPT_CACHING_MODELS: &[&str] = &[
    "anthropic.claude-3-5-haiku",
    "anthropic.claude-3-7-sonnet",
    "anthropic.claude-sonnet-4",
    "anthropic.claude-opus-4",
    "anthropic.claude-haiku-4",
    "amazon.nova-micro",
    "amazon.nova-lite",
    "amazon.nova-pro",
    "amazon.nova-premier",
    "amazon.nova-2-lite",
];

/// Model families known to take no prompt-cache points (Bedrock refuses a
/// `cachePoint` for them), as normalised model id fragments (matched as in
/// [`Rule`]). A model in neither this list nor [`PROMPT_CACHING_MODELS`] is
/// one this version does not know.
pub const NO_PROMPT_CACHING_MODELS: &[&str] = &[
    "anthropic.claude-v2",
    "anthropic.claude-instant",
    "anthropic.claude-3-haiku",
    "anthropic.claude-3-sonnet",
    "anthropic.claude-3-opus",
    "anthropic.claude-3-5-sonnet",
    "meta.llama2",
    "meta.llama3",
    "meta.llama4",
    "mistral.",
    "cohere.command",
    "ai21.",
    "amazon.titan-text",
    "deepseek.",
    "openai.",
    "qwen.",
    "writer.",
];

/// Whether `model_ref` is known to refuse prompt-cache points: a model of
/// [`NO_PROMPT_CACHING_MODELS`] (`resolved_base` as in [`apply`]). A model this
/// version does not know, or an application profile whose base model is not
/// resolved, is not: cache points a caller asked for go to Bedrock, which decides.
///
/// ```
/// use bedrock_lite::models::rules::refuses_prompt_caching;
/// assert!(refuses_prompt_caching("meta.llama3-3-70b-instruct-v1:0", None));
/// assert!(!refuses_prompt_caching("us.anthropic.claude-sonnet-4-5-20250929-v1:0", None));
/// assert!(!refuses_prompt_caching("anthropic.claude-opus-9-v1:0", None)); // not known yet
/// ```
pub fn refuses_prompt_caching(model_ref: &str, resolved_base: Option<&str>) -> bool {
    let target = target(model_ref, resolved_base);
    NO_PROMPT_CACHING_MODELS
        .iter()
        .any(|fragment| matches(&target, fragment))
}

/// Whether `model_ref` takes prompt-cache points (`resolved_base` as in [`apply`]).
///
/// ```
/// use bedrock_lite::models::rules::supports_prompt_caching;
/// assert!(supports_prompt_caching("us.anthropic.claude-sonnet-4-5-20250929-v1:0", None));
/// assert!(!supports_prompt_caching("meta.llama3-3-70b-instruct-v1:0", None));
/// ```
pub fn supports_prompt_caching(model_ref: &str, resolved_base: Option<&str>) -> bool {
    let target = target(model_ref, resolved_base);
    PROMPT_CACHING_MODELS
        .iter()
        .any(|fragment| matches(&target, fragment))
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

    fn fields(request: &ConverseRequest) -> &serde_json::Value {
        request
            .additional_model_request_fields
            .as_ref()
            .expect("fields")
    }

    #[test]
    fn claude_thinking_for_every_kind_of_ref() {
        let refs = [
            "anthropic.claude-sonnet-4-5-20250929-v1:0",
            "us.anthropic.claude-opus-4-1-20250805-v1:0",
            "global.anthropic.claude-haiku-4-5",
            "amazon-bedrock/eu.anthropic.claude-3-7-sonnet-20250219-v1:0",
            "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-opus-4-6-v1:0",
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4.6",
        ];
        for model in refs {
            for effort in Effort::ALL {
                let mut req = request();
                let notes = apply_reasoning(&mut req, model, None, ReasoningLevel::Effort(effort))
                    .expect(model);
                let budget = effort.budget_tokens();
                assert_eq!(
                    fields(&req),
                    &json!({"thinking": {"type": "enabled", "budget_tokens": budget}}),
                    "{model}"
                );
                let config = req.inference_config.as_ref().expect("config");
                assert_eq!((config.temperature, config.top_p), (None, None), "{model}");
                assert_eq!(config.max_tokens, Some(budget + 100), "{model}");
                // temperature (in both places: one note), topP, top_k dropped;
                // maxTokens raised.
                assert_eq!(notes.len(), 4, "{model}: {notes:?}");
                assert!(notes.iter().any(|n| n.contains("`top_k`")));
            }
        }
    }

    #[test]
    fn effort_budgets_are_the_contract() {
        let budgets: Vec<u32> = Effort::ALL.iter().map(|e| e.budget_tokens()).collect();
        assert_eq!(budgets, [1024, 4096, 16_384]);
        assert_eq!(Effort::parse("medium"), Some(Effort::Medium));
        assert_eq!(Effort::parse("minimal"), None);
        assert_eq!(Effort::covering(1), Effort::Low);
        assert_eq!(Effort::covering(1024), Effort::Low);
        assert_eq!(Effort::covering(1025), Effort::Medium);
        assert_eq!(Effort::covering(100_000), Effort::High);
    }

    #[test]
    fn claude_max_tokens_is_raised_only_when_it_does_not_cover_the_budget() {
        let level = ReasoningLevel::Budget(2000);
        let model = "anthropic.claude-sonnet-4-5-v1:0";
        let mut req = ConverseRequest::default();
        apply_reasoning(&mut req, model, None, level).expect("applies");
        let max = req.inference_config.as_ref().and_then(|c| c.max_tokens);
        assert_eq!(max, Some(2000 + CLAUDE_ANSWER_TOKENS));

        let mut req = ConverseRequest {
            inference_config: Some(InferenceConfiguration {
                max_tokens: Some(3000),
                ..Default::default()
            }),
            ..Default::default()
        };
        let notes = apply_reasoning(&mut req, model, None, level).expect("applies");
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(req.inference_config.and_then(|c| c.max_tokens), Some(3000));

        // The catalog's output ceiling caps the raise (Opus 4: 32000).
        let mut req = ConverseRequest::default();
        apply_reasoning(
            &mut req,
            "anthropic.claude-opus-4-20250514-v1:0",
            None,
            ReasoningLevel::Budget(30_000),
        )
        .expect("applies");
        assert_eq!(
            req.inference_config.and_then(|c| c.max_tokens),
            Some(32_000)
        );
        assert_eq!(
            ReasoningSwitch::ClaudeThinking.max_tokens_floor(level),
            Some(2000)
        );
        assert_eq!(
            ReasoningSwitch::NovaReasoningConfig.max_tokens_floor(level),
            None
        );
    }

    #[test]
    fn claude_refusals() {
        let model = "anthropic.claude-sonnet-4-5-v1:0";
        let mut req = ConverseRequest::default();
        let error = apply_reasoning(&mut req, model, None, ReasoningLevel::Budget(1023))
            .expect_err("too small");
        assert_eq!(
            error.to_string(),
            "model anthropic.claude-sonnet-4-5-v1:0 takes a thinking budget of at least 1024 tokens, not 1023"
        );
        let mut req = ConverseRequest {
            tool_config: Some(crate::types::ToolConfiguration {
                tools: Vec::new(),
                tool_choice: Some(ToolChoice::Any(Default::default())),
            }),
            ..Default::default()
        };
        let error = apply_reasoning(&mut req, model, None, ReasoningLevel::Budget(2048))
            .expect_err("forced tool");
        assert!(error.to_string().contains("forces a tool call"), "{error}");
        let mut req = ConverseRequest {
            additional_model_request_fields: Some(json!([1])),
            ..Default::default()
        };
        assert!(matches!(
            apply_reasoning(&mut req, model, None, ReasoningLevel::Budget(2048)),
            Err(ReasoningError::Conflict { .. })
        ));
    }

    #[test]
    fn other_families() {
        let mut req = request();
        let notes = apply_reasoning(
            &mut req,
            "us.amazon.nova-2-lite-v1:0",
            None,
            ReasoningLevel::Effort(Effort::Low),
        )
        .expect("nova");
        assert!(notes.is_empty());
        assert_eq!(
            fields(&req)["reasoningConfig"],
            json!({"type": "enabled", "maxReasoningEffort": "low"})
        );
        assert_eq!(fields(&req)["top_k"], json!(5));
        assert_eq!(
            req.inference_config.as_ref().and_then(|c| c.temperature),
            Some(0.7)
        );

        let mut req = request();
        let notes = apply_reasoning(
            &mut req,
            "global.amazon.nova-2-lite-v1:0",
            None,
            ReasoningLevel::Budget(50_000),
        )
        .expect("nova high");
        assert_eq!(
            fields(&req)["reasoningConfig"]["maxReasoningEffort"],
            "high"
        );
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert_eq!(
            req.inference_config,
            Some(InferenceConfiguration::default())
        );

        let mut req = request();
        apply_reasoning(
            &mut req,
            "openai.gpt-oss-120b-1:0",
            None,
            ReasoningLevel::Effort(Effort::High),
        )
        .expect("gpt-oss");
        assert_eq!(fields(&req)["reasoning_effort"], "high");
        assert_eq!(req.inference_config, request().inference_config);

        let mut req = request();
        let notes = apply_reasoning(
            &mut req,
            "us.deepseek.r1-v1:0",
            None,
            ReasoningLevel::Effort(Effort::Low),
        )
        .expect("r1");
        assert_eq!(notes.len(), 1);
        assert_eq!(req, request());
    }

    #[test]
    fn models_without_a_switch_are_typed_errors() {
        for model in [
            "qwen.qwen3-32b-v1:0",
            "acme.unknown-model-v1:0",
            "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123",
        ] {
            let mut req = request();
            let error = apply_reasoning(&mut req, model, None, ReasoningLevel::Budget(2048))
                .expect_err(model);
            assert_eq!(
                error,
                ReasoningError::NoSwitch {
                    model: model.to_owned()
                }
            );
            assert_eq!(req, request(), "{model}: untouched");
        }
        for model in [
            "anthropic.claude-3-haiku-20240307-v1:0",
            "us.anthropic.claude-3-5-sonnet-20241022-v2:0",
            "meta.llama3-3-70b-instruct-v1:0",
        ] {
            let error = reasoning_switch(model, None).expect_err(model);
            assert_eq!(error.to_string(), format!("model {model} does not reason"));
        }
        // An application profile resolved to its base model uses that model's row.
        let arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123";
        assert_eq!(
            reasoning_switch(arn, Some("anthropic.claude-sonnet-4-5-20250929-v1:0")),
            Ok(ReasoningSwitch::ClaudeThinking)
        );
    }

    #[test]
    fn prompt_caching_models() {
        for model in [
            "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
            "anthropic.claude-opus-4-6-v1:0",
            "amazon-bedrock/amazon.nova-pro-v1:0",
            "global.amazon.nova-2-lite-v1:0",
        ] {
            assert!(supports_prompt_caching(model, None), "{model}");
        }
        for model in [
            "anthropic.claude-3-haiku-20240307-v1:0",
            "meta.llama3-3-70b-instruct-v1:0",
            "openai.gpt-oss-120b-1:0",
        ] {
            assert!(!supports_prompt_caching(model, None), "{model}");
            assert!(refuses_prompt_caching(model, None), "{model}");
        }
        // Known to cache, or not known at all: never refused.
        let profile = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123";
        for (model, base) in [
            ("us.anthropic.claude-3-7-sonnet-20250219-v1:0", None),
            ("anthropic.claude-3-5-haiku-20241022-v1:0", None),
            ("anthropic.claude-opus-9-v1:0", None),
            ("example.future-model-v1:0", None),
            (profile, None),
            (profile, Some("anthropic.claude-sonnet-4-5-20250929-v1:0")),
        ] {
            assert!(!refuses_prompt_caching(model, base), "{model}");
        }
        assert!(refuses_prompt_caching(
            profile,
            Some("meta.llama3-3-70b-instruct-v1:0")
        ));
        for model in [
            "mistral.mistral-large-2407-v1:0",
            "us.meta.llama4-scout-17b-instruct-v1:0",
            "anthropic.claude-3-5-sonnet-20241022-v2:0",
            "amazon.titan-text-express-v1",
        ] {
            assert!(refuses_prompt_caching(model, None), "{model}");
        }
        // No model is in both lists.
        for fragment in PROMPT_CACHING_MODELS {
            let model = format!("{fragment}-v1:0");
            assert!(!refuses_prompt_caching(&model, None), "{model}");
        }
    }

    proptest::proptest! {
        #[test]
        fn claude_max_tokens_always_exceeds_the_budget(
            budget in 1024u32..200_000,
            given in proptest::option::of(1u32..300_000),
        ) {
            let mut req = ConverseRequest {
                inference_config: Some(InferenceConfiguration { max_tokens: given, ..Default::default() }),
                ..Default::default()
            };
            apply_reasoning(&mut req, "anthropic.claude-sonnet-4-5-v1:0", None, ReasoningLevel::Budget(budget))
                .expect("applies");
            let max = req.inference_config.and_then(|c| c.max_tokens).expect("set");
            proptest::prop_assert!(max > budget);
            if let Some(given) = given.filter(|&g| g > budget) {
                proptest::prop_assert_eq!(max, given);
            }
        }
    }
}
