//! Model discovery over parsed `ListFoundationModels` and
//! `ListInferenceProfiles` responses, with no I/O: filter, deduplicate, inherit
//! capabilities, add the configured models ([`discover`]); and the inference
//! profile to suggest when a model has no on-demand throughput
//! ([`profile_for_model`]).
//!
//! The rules:
//! * a foundation model is kept when it streams, outputs text and is `ACTIVE`;
//! * `providerFilter` matches a provider case-insensitively, by the provider
//!   name or the model id's first label, the same way for models and profiles
//!   (a profile's provider is its backing model's, else its id's label after
//!   the geography prefix);
//! * a foundation model reachable through an inference profile is listed as
//!   the profile(s), not by its bare id; alone, it is listed only when it
//!   supports `ON_DEMAND` throughput (`includeInferenceProfiles: false` lists
//!   foundation models only);
//! * a profile takes its backing model's capabilities, else the known-model
//!   table's ([`super::catalog`]), else the configured defaults;
//! * configured models override the entry with their id (`amazon-bedrock/<id>`
//!   is `<id>`), or are added as `configured` under the id without that prefix;
//! * the result is sorted by id.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::catalog;
use crate::config::{ConfiguredModel, Discovery};
use crate::model_ref::ModelRef;
use crate::types::{FoundationModelSummary, InferenceProfileSummary};

/// What a discovered model is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelEntryKind {
    /// `foundation-model`: called by its bare id.
    FoundationModel,
    /// `inference-profile`: a system or application inference profile.
    InferenceProfile,
    /// `configured`: added by hand in the config file.
    Configured,
}

/// One line of `models list`: the `--json` shape of DESIGN.md.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiscoveredModel {
    /// The id (or ARN) to call it by.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// Its provider, lower case (`anthropic`); empty when unknown.
    pub provider: String,
    /// What it is.
    pub kind: ModelEntryKind,
    /// The region it was discovered in (an ARN's own region for configured ARNs).
    pub region: String,
    /// Context window, tokens.
    pub context_window: u32,
    /// Most output tokens.
    pub max_tokens: u32,
    /// Whether it reasons.
    pub reasoning: bool,
    /// Input modalities, lower case: `text`, `image`, ...
    pub input: Vec<String>,
    /// Whether it streams.
    pub streaming: bool,
}

/// Context window, output tokens, reasoning and input of a model.
struct Capabilities {
    context_window: u32,
    max_tokens: u32,
    reasoning: bool,
    input: Vec<String>,
}

/// The capabilities of `id` (a model id or profile id): the known-model table
/// and the API's input modalities when `summary` is given, else the defaults.
fn capabilities(
    id: &str,
    summary: Option<&FoundationModelSummary>,
    settings: &Discovery,
) -> Capabilities {
    let known = catalog::lookup(id);
    let listed: Vec<String> = summary
        .map(|s| {
            s.input_modalities
                .iter()
                .map(|m| m.to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default();
    let input = if !listed.is_empty() {
        listed
    } else if let Some(row) = known {
        row.input.iter().map(|m| (*m).to_owned()).collect()
    } else {
        vec!["text".to_owned()]
    };
    Capabilities {
        context_window: known.map_or(settings.default_context_window, |k| k.context_window),
        max_tokens: known.map_or(settings.default_max_tokens, |k| k.max_tokens),
        reasoning: known.is_some_and(|k| k.reasoning),
        input,
    }
}

/// The provider label of a model id or ref (`anthropic`), lower case.
fn id_provider(id: &str) -> Option<String> {
    let parsed = ModelRef::parse(id).ok()?;
    parsed.provider().map(str::to_ascii_lowercase)
}

/// Whether the filter keeps a provider known by any of `names` (case-insensitive).
fn provider_allowed(filter: &[String], names: &[Option<&str>]) -> bool {
    filter.is_empty()
        || filter.iter().any(|wanted| {
            names
                .iter()
                .flatten()
                .any(|name| name.trim().eq_ignore_ascii_case(wanted.trim()))
        })
}

/// Builds the model list; see the module docs for the rules. `region` is the
/// region the responses came from.
pub fn discover(
    foundation: &[FoundationModelSummary],
    profiles: &[InferenceProfileSummary],
    settings: &Discovery,
    region: &str,
    configured: &[ConfiguredModel],
) -> Vec<DiscoveredModel> {
    let by_id: BTreeMap<&str, &FoundationModelSummary> = foundation
        .iter()
        .map(|m| (m.model_id.as_str(), m))
        .collect();
    let filter = &settings.provider_filter;
    let mut out: BTreeMap<String, DiscoveredModel> = BTreeMap::new();
    let mut covered: BTreeSet<&str> = BTreeSet::new();

    if settings.include_inference_profiles {
        for profile in profiles {
            let active = profile.status.is_empty() || profile.status.eq_ignore_ascii_case("ACTIVE");
            let backing_id = profile.backing_model_id();
            let backing = backing_id.and_then(|id| by_id.get(id).copied());
            if !active || backing.is_some_and(|b| !b.is_usable_for_chat()) {
                continue;
            }
            let label = backing_id
                .and_then(id_provider)
                .or_else(|| id_provider(&profile.inference_profile_id));
            let backing_provider = backing.and_then(|b| b.provider_name.as_deref());
            if !provider_allowed(filter, &[label.as_deref(), backing_provider]) {
                continue;
            }
            covered.extend(profile.backing_model_ids());
            let caps = capabilities(
                backing_id.unwrap_or(&profile.inference_profile_id),
                backing,
                settings,
            );
            let id = profile.callable_id().to_owned();
            let name = if profile.inference_profile_name.is_empty() {
                id.clone()
            } else {
                profile.inference_profile_name.clone()
            };
            let entry = DiscoveredModel {
                id: id.clone(),
                name,
                provider: label.unwrap_or_default(),
                kind: ModelEntryKind::InferenceProfile,
                region: region.to_owned(),
                context_window: caps.context_window,
                max_tokens: caps.max_tokens,
                reasoning: caps.reasoning,
                input: caps.input,
                streaming: backing.is_none_or(|b| b.response_streaming_supported == Some(true)),
            };
            out.insert(id, entry);
        }
    }

    for model in foundation {
        let id = model.model_id.as_str();
        if covered.contains(id) || !model.supports_on_demand() || !model.is_usable_for_chat() {
            continue;
        }
        let label = id_provider(id);
        if !provider_allowed(filter, &[label.as_deref(), model.provider_name.as_deref()]) {
            continue;
        }
        let caps = capabilities(id, Some(model), settings);
        let provider = label
            .or_else(|| model.provider_name.as_deref().map(str::to_ascii_lowercase))
            .unwrap_or_default();
        out.insert(
            id.to_owned(),
            DiscoveredModel {
                id: id.to_owned(),
                name: model.model_name.clone().unwrap_or_else(|| id.to_owned()),
                provider,
                kind: ModelEntryKind::FoundationModel,
                region: region.to_owned(),
                context_window: caps.context_window,
                max_tokens: caps.max_tokens,
                reasoning: caps.reasoning,
                input: caps.input,
                streaming: true,
            },
        );
    }

    for model in configured {
        // `amazon-bedrock/<id>` is the same model as `<id>`.
        let parsed = ModelRef::parse(&model.id).ok();
        let id = parsed.as_ref().map_or(model.id.as_str(), ModelRef::id);
        let entry = out.entry(id.to_owned()).or_insert_with(|| {
            let caps = capabilities(id, None, settings);
            DiscoveredModel {
                id: id.to_owned(),
                name: id.to_owned(),
                provider: id_provider(id).unwrap_or_default(),
                kind: ModelEntryKind::Configured,
                region: parsed
                    .as_ref()
                    .and_then(ModelRef::region)
                    .unwrap_or(region)
                    .to_owned(),
                context_window: caps.context_window,
                max_tokens: caps.max_tokens,
                reasoning: caps.reasoning,
                input: caps.input,
                streaming: true,
            }
        });
        apply_overrides(entry, model);
    }
    out.into_values().collect()
}

/// Puts a configured model's values over an entry.
fn apply_overrides(entry: &mut DiscoveredModel, model: &ConfiguredModel) {
    if let Some(name) = &model.name {
        entry.name.clone_from(name);
    }
    if let Some(reasoning) = model.reasoning {
        entry.reasoning = reasoning;
    }
    if let Some(input) = &model.input {
        entry.input.clone_from(input);
    }
    if let Some(context_window) = model.context_window {
        entry.context_window = context_window;
    }
    if let Some(max_tokens) = model.max_tokens {
        entry.max_tokens = max_tokens;
    }
}

/// The inference profile to use for `model_id` when Bedrock answers that
/// on-demand throughput isn't supported: a profile routing to its base model,
/// system profiles before application ones, regional before `global.`, then
/// by id. `None` when no profile routes to it.
///
/// ```
/// use bedrock_lite::models::discovery::profile_for_model;
/// use bedrock_lite::types::{InferenceProfileModel, InferenceProfileSummary};
/// let profile = InferenceProfileSummary {
///     inference_profile_id: "us.anthropic.claude-3-haiku-20240307-v1:0".into(),
///     profile_type: "SYSTEM_DEFINED".into(),
///     models: vec![InferenceProfileModel {
///         model_arn: Some("arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0".into()),
///     }],
///     ..Default::default()
/// };
/// assert_eq!(
///     profile_for_model("anthropic.claude-3-haiku-20240307-v1:0", &[profile]).as_deref(),
///     Some("us.anthropic.claude-3-haiku-20240307-v1:0"),
/// );
/// ```
pub fn profile_for_model(model_id: &str, profiles: &[InferenceProfileSummary]) -> Option<String> {
    let parsed = ModelRef::parse(model_id).ok();
    let base = parsed
        .as_ref()
        .and_then(ModelRef::base_model_id)
        .unwrap_or(model_id);
    profiles
        .iter()
        .filter(|p| p.backing_model_ids().any(|id| id == base))
        .min_by_key(|p| {
            (
                p.is_application(),
                p.inference_profile_id.starts_with("global."),
                p.callable_id(),
            )
        })
        .map(|p| p.callable_id().to_owned())
}

#[cfg(test)]
mod tests;
