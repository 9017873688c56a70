//! Arbitrary bytes as control-plane answers, split at NUL bytes into
//! ListFoundationModels, ListInferenceProfiles and GetInferenceProfile bodies,
//! configured model ids (one a line) and a provider filter (comma-separated);
//! what reads goes through `models::discovery::discover` (with and without
//! inference profiles) and `profile_for_model`. Nothing may panic; the list is
//! sorted without duplicates and every entry comes from the input of its kind.
#![no_main]

use bedrock_lite::config::{ConfiguredModel, Discovery};
use bedrock_lite::model_ref::ModelRef;
use bedrock_lite::models::discovery::{discover, profile_for_model, ModelEntryKind};
use bedrock_lite::types::{
    GetInferenceProfileResponse, InferenceProfileSummary, ListFoundationModelsResponse,
    ListInferenceProfilesResponse,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut sections = data.split(|&b| b == 0);
    let mut next = || sections.next().unwrap_or_default();
    let (foundation, listed, got, configured, filter) = (next(), next(), next(), next(), next());

    let foundation = serde_json::from_slice::<ListFoundationModelsResponse>(foundation)
        .map(|r| r.model_summaries)
        .unwrap_or_default();
    let mut profiles: Vec<InferenceProfileSummary> =
        serde_json::from_slice::<ListInferenceProfilesResponse>(listed)
            .map(|r| r.inference_profile_summaries)
            .unwrap_or_default();
    if let Ok(profile) = serde_json::from_slice::<GetInferenceProfileResponse>(got) {
        profiles.push(profile);
    }
    let configured: Vec<ConfiguredModel> = String::from_utf8_lossy(configured)
        .lines()
        .map(|id| ConfiguredModel {
            id: id.to_owned(),
            name: None,
            reasoning: None,
            input: None,
            context_window: Some(1000),
            max_tokens: None,
            cost: None,
        })
        .collect();
    let provider_filter: Vec<String> = String::from_utf8_lossy(filter)
        .split(',')
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
        .collect();

    for include_inference_profiles in [true, false] {
        let settings = Discovery {
            provider_filter: provider_filter.clone(),
            include_inference_profiles,
            ..Discovery::default()
        };
        let models = discover(&foundation, &profiles, &settings, "us-east-1", &configured);
        for pair in models.windows(2) {
            assert!(pair[0].id < pair[1].id, "sorted, no duplicates");
        }
        for model in &models {
            let from_input = match model.kind {
                ModelEntryKind::FoundationModel => {
                    foundation.iter().any(|m| m.model_id == model.id)
                }
                ModelEntryKind::InferenceProfile => {
                    include_inference_profiles
                        && profiles.iter().any(|p| p.callable_id() == model.id)
                }
                ModelEntryKind::Configured => configured.iter().any(|c| {
                    c.id == model.id
                        || ModelRef::parse(&c.id).is_ok_and(|parsed| parsed.id() == model.id)
                }),
            };
            assert!(from_input, "{model:?} comes from nowhere");
        }
    }

    for model in &foundation {
        if let Some(profile) = profile_for_model(&model.model_id, &profiles) {
            assert!(profiles.iter().any(|p| p.callable_id() == profile));
        }
    }
});
