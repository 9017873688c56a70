//! The control plane: `ListFoundationModels`, `GetFoundationModel`,
//! `ListInferenceProfiles` and `GetInferenceProfile` over a small,
//! region-dependent catalogue.
//!
//! The region is the request's SigV4 credential scope's (`us-east-1` for a
//! bearer token). Every region has the same foundation models except Meta's
//! and the image model, which only `us-*` regions have; the system inference
//! profiles take the region's geography prefix (`us-*`/`ca-*` → `us.`,
//! `eu-*` → `eu.`, `ap-*` → `apac.`, none elsewhere) and some are also
//! `global.`; one application profile (`emuapp1`) routes to Claude Opus 4.7.
//! ListInferenceProfiles pages two profiles at a time, so pagination is
//! always exercised; its `nextToken` is the next offset.

use serde::Serialize;

use super::auth;
use super::converse::error;
use super::routes::decode;
use super::server::{RecordedRequest, Response};
use crate::types::{
    FoundationModelLifecycle, FoundationModelSummary, GetFoundationModelResponse,
    InferenceProfileModel, InferenceProfileSummary, ListFoundationModelsResponse,
    ListInferenceProfilesResponse,
};

/// The account of the emulated profiles' (and guardrails') ARNs.
pub(crate) const ACCOUNT: &str = "123456789012";
/// The profiles on one ListInferenceProfiles page.
const PAGE_SIZE: usize = 2;
/// The region when the request is not SigV4-signed.
const DEFAULT_REGION: &str = "us-east-1";

/// One emulated foundation model.
struct ModelRow {
    id: &'static str,
    name: &'static str,
    provider: &'static str,
    input: &'static [&'static str],
    output: &'static [&'static str],
    streaming: bool,
    inference: &'static [&'static str],
    customizations: &'static [&'static str],
    legacy: bool,
    /// Only in `us-*` regions.
    us_only: bool,
}

const TEXT: &[&str] = &["TEXT"];
const TEXT_IMAGE: &[&str] = &["TEXT", "IMAGE"];
const ON_DEMAND: &[&str] = &["ON_DEMAND"];
const PROFILE_ONLY: &[&str] = &["INFERENCE_PROFILE"];
const BOTH: &[&str] = &["ON_DEMAND", "INFERENCE_PROFILE"];
const NOVA_CUSTOM: &[&str] = &["FINE_TUNING", "DISTILLATION"];

/// A model row with the common values; the table below sets the rest.
const fn row(id: &'static str, name: &'static str, provider: &'static str) -> ModelRow {
    ModelRow {
        id,
        name,
        provider,
        input: TEXT_IMAGE,
        output: TEXT,
        streaming: true,
        inference: ON_DEMAND,
        customizations: &[],
        legacy: false,
        us_only: false,
    }
}

const SONNET_4_6: &str = "anthropic.claude-sonnet-4-6";
const OPUS_4_7: &str = "anthropic.claude-opus-4-7";
const HAIKU_4_5: &str = "anthropic.claude-haiku-4-5-20251001-v1:0";
const NOVA_MICRO: &str = "amazon.nova-micro-v1:0";
const NOVA_LITE: &str = "amazon.nova-lite-v1:0";
const NOVA_PRO: &str = "amazon.nova-pro-v1:0";

/// The foundation models.
const MODELS: &[ModelRow] = &[
    ModelRow {
        inference: PROFILE_ONLY,
        ..row(SONNET_4_6, "Claude Sonnet 4.6", "Anthropic")
    },
    ModelRow {
        inference: PROFILE_ONLY,
        ..row(OPUS_4_7, "Claude Opus 4.7", "Anthropic")
    },
    ModelRow {
        inference: PROFILE_ONLY,
        ..row(HAIKU_4_5, "Claude Haiku 4.5", "Anthropic")
    },
    row(
        "anthropic.claude-3-haiku-20240307-v1:0",
        "Claude 3 Haiku",
        "Anthropic",
    ),
    ModelRow {
        input: TEXT,
        legacy: true,
        ..row("anthropic.claude-v2:1", "Claude", "Anthropic")
    },
    ModelRow {
        input: TEXT,
        inference: BOTH,
        customizations: NOVA_CUSTOM,
        ..row(NOVA_MICRO, "Nova Micro", "Amazon")
    },
    ModelRow {
        inference: BOTH,
        customizations: NOVA_CUSTOM,
        ..row(NOVA_LITE, "Nova Lite", "Amazon")
    },
    ModelRow {
        inference: BOTH,
        customizations: NOVA_CUSTOM,
        ..row(NOVA_PRO, "Nova Pro", "Amazon")
    },
    ModelRow {
        input: TEXT,
        output: &["EMBEDDING"],
        streaming: false,
        ..row(
            "amazon.titan-embed-text-v2:0",
            "Titan Text Embeddings V2",
            "Amazon",
        )
    },
    ModelRow {
        input: TEXT,
        output: &["EMBEDDING"],
        streaming: false,
        ..row("cohere.embed-english-v3", "Embed English", "Cohere")
    },
    ModelRow {
        output: &["IMAGE"],
        streaming: false,
        us_only: true,
        ..row(
            "amazon.titan-image-generator-v2:0",
            "Titan Image Generator G1 v2",
            "Amazon",
        )
    },
    ModelRow {
        input: TEXT,
        streaming: false,
        ..row("ai21.jamba-instruct-v1:0", "Jamba-Instruct", "AI21 Labs")
    },
    ModelRow {
        input: TEXT,
        us_only: true,
        ..row(
            "meta.llama3-8b-instruct-v1:0",
            "Llama 3 8B Instruct",
            "Meta",
        )
    },
];

/// The system profiles: model id, display name, whether there is a `global.` one too.
const SYSTEM_PROFILES: &[(&str, &str, bool)] = &[
    (SONNET_4_6, "Claude Sonnet 4.6", true),
    (OPUS_4_7, "Claude Opus 4.7", true),
    (HAIKU_4_5, "Claude Haiku 4.5", true),
    (NOVA_MICRO, "Nova Micro", false),
    (NOVA_LITE, "Nova Lite", false),
    (NOVA_PRO, "Nova Pro", false),
];

/// The region a request is answered for.
pub(crate) fn region_of(request: &RecordedRequest) -> String {
    auth::signing_region(request)
        .filter(|region| !region.is_empty())
        .unwrap_or(DEFAULT_REGION)
        .to_owned()
}

/// The decoded query parameters of the request target.
fn query(request: &RecordedRequest) -> Vec<(String, String)> {
    let Some((_, query)) = request.path.split_once('?') else {
        return Vec::new();
    };
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(name), decode(value))
        })
        .collect()
}

/// The value of the query parameter `name`, if given.
fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, value)| value.as_str())
}

/// A 200 response with `value` as its JSON body.
pub(crate) fn json(value: &impl Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => Response::full(200, "application/json", body),
        Err(e) => error(500, "InternalServerException", &e.to_string()),
    }
}

/// The 400 for an enumeration parameter given a value outside `allowed`.
fn check_enum(
    params: &[(String, String)],
    name: &str,
    allowed: &[&str],
) -> Result<Option<String>, Response> {
    match param(params, name) {
        None => Ok(None),
        Some(value) if allowed.contains(&value) => Ok(Some(value.to_owned())),
        Some(value) => Err(error(
            400,
            "ValidationException",
            &format!(
                "1 validation error detected: Value '{value}' at '{name}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
                allowed.join(", ")
            ),
        )),
    }
}

/// The foundation models of `region`.
fn foundation_models(region: &str) -> Vec<FoundationModelSummary> {
    let strings = |values: &[&str]| values.iter().map(|v| (*v).to_owned()).collect();
    MODELS
        .iter()
        .filter(|m| !m.us_only || region.starts_with("us-"))
        .map(|m| FoundationModelSummary {
            model_arn: format!("arn:aws:bedrock:{region}::foundation-model/{}", m.id),
            model_id: m.id.to_owned(),
            model_name: Some(m.name.to_owned()),
            provider_name: Some(m.provider.to_owned()),
            input_modalities: strings(m.input),
            output_modalities: strings(m.output),
            response_streaming_supported: Some(m.streaming),
            customizations_supported: strings(m.customizations),
            inference_types_supported: strings(m.inference),
            model_lifecycle: Some(FoundationModelLifecycle {
                status: if m.legacy { "LEGACY" } else { "ACTIVE" }.to_owned(),
            }),
        })
        .collect()
}

/// Answers ListFoundationModels with its four filters.
pub(crate) fn list_foundation_models(request: &RecordedRequest) -> Response {
    let params = query(request);
    let filters = (|| {
        Ok::<_, Response>((
            check_enum(
                &params,
                "byCustomizationType",
                &["FINE_TUNING", "CONTINUED_PRE_TRAINING", "DISTILLATION"],
            )?,
            check_enum(&params, "byOutputModality", &["TEXT", "IMAGE", "EMBEDDING"])?,
            check_enum(&params, "byInferenceType", &["ON_DEMAND", "PROVISIONED"])?,
        ))
    })();
    let (customization, output, inference) = match filters {
        Ok(filters) => filters,
        Err(response) => return response,
    };
    let provider = param(&params, "byProvider").map(str::trim);
    let has = |values: &[String], wanted: &Option<String>| {
        wanted.as_ref().is_none_or(|w| values.contains(w))
    };
    let model_summaries = foundation_models(&region_of(request))
        .into_iter()
        .filter(|m| {
            provider.is_none_or(|p| {
                m.provider_name
                    .as_deref()
                    .is_some_and(|name| name.eq_ignore_ascii_case(p))
                    || m.model_id
                        .split('.')
                        .next()
                        .is_some_and(|label| label.eq_ignore_ascii_case(p))
            }) && has(&m.customizations_supported, &customization)
                && has(&m.output_modalities, &output)
                && has(&m.inference_types_supported, &inference)
        })
        .collect();
    json(&ListFoundationModelsResponse { model_summaries })
}

/// Answers GetFoundationModel for an id or ARN (decoded) of the request's region.
pub(crate) fn get_foundation_model(request: &RecordedRequest, identifier: &str) -> Response {
    let found = foundation_models(&region_of(request))
        .into_iter()
        .find(|m| m.model_id == identifier || m.model_arn == identifier);
    match found {
        Some(model) => json(&GetFoundationModelResponse {
            model_details: Some(model),
        }),
        None => error(
            404,
            "ResourceNotFoundException",
            "Could not resolve the foundation model from the provided model identifier.",
        ),
    }
}

/// The geography prefix of the system profiles in `region`, if it has any.
fn geography(region: &str) -> Option<(&'static str, &'static str, &'static [&'static str])> {
    let prefix = region.split('-').next().unwrap_or_default();
    match prefix {
        "us" | "ca" => Some(("us", "US", &["us-east-1", "us-east-2", "us-west-2"])),
        "eu" => Some(("eu", "EU", &["eu-central-1", "eu-west-1", "eu-west-3"])),
        "ap" => Some((
            "apac",
            "APAC",
            &["ap-northeast-1", "ap-southeast-1", "ap-southeast-2"],
        )),
        _ => None,
    }
}

/// A system profile `prefix.model_id` routing to `model_id` in `regions`.
fn system_profile(
    region: &str,
    prefix: &str,
    label: &str,
    model_id: &str,
    name: &str,
    regions: &[&str],
) -> InferenceProfileSummary {
    let id = format!("{prefix}.{model_id}");
    InferenceProfileSummary {
        inference_profile_name: format!("{label} {name}"),
        inference_profile_arn: format!("arn:aws:bedrock:{region}:{ACCOUNT}:inference-profile/{id}"),
        inference_profile_id: id,
        description: Some(format!("Routes requests to {name} in {label} regions.")),
        status: "ACTIVE".to_owned(),
        profile_type: "SYSTEM_DEFINED".to_owned(),
        models: regions
            .iter()
            .map(|r| InferenceProfileModel {
                model_arn: Some(format!("arn:aws:bedrock:{r}::foundation-model/{model_id}")),
            })
            .collect(),
    }
}

/// Every inference profile of `region`: the system ones, then the application one.
fn inference_profiles(region: &str) -> Vec<InferenceProfileSummary> {
    let mut profiles = Vec::new();
    for (model_id, name, global) in SYSTEM_PROFILES {
        if let Some((prefix, label, regions)) = geography(region) {
            profiles.push(system_profile(
                region, prefix, label, model_id, name, regions,
            ));
        }
        if *global {
            profiles.push(system_profile(
                region,
                "global",
                "Global",
                model_id,
                name,
                &[region],
            ));
        }
    }
    profiles.push(InferenceProfileSummary {
        inference_profile_name: "emuapp1".to_owned(),
        inference_profile_arn: format!(
            "arn:aws:bedrock:{region}:{ACCOUNT}:application-inference-profile/emuapp1"
        ),
        inference_profile_id: "emuapp1".to_owned(),
        description: Some("An application profile for cost tracking.".to_owned()),
        status: "ACTIVE".to_owned(),
        profile_type: "APPLICATION".to_owned(),
        models: vec![InferenceProfileModel {
            model_arn: Some(format!(
                "arn:aws:bedrock:{region}::foundation-model/{OPUS_4_7}"
            )),
        }],
    });
    profiles
}

/// A 400 `ValidationException` with `message`.
fn invalid(message: &str) -> Response {
    error(400, "ValidationException", message)
}

/// Answers ListInferenceProfiles: `type` (default `SYSTEM_DEFINED`),
/// `maxResults` (1 to 1000) and `nextToken` (an offset), [`PAGE_SIZE`] a page.
pub(crate) fn list_inference_profiles(request: &RecordedRequest) -> Response {
    let params = query(request);
    let kind = match check_enum(&params, "type", &["SYSTEM_DEFINED", "APPLICATION"]) {
        Ok(kind) => kind.unwrap_or_else(|| "SYSTEM_DEFINED".to_owned()),
        Err(response) => return response,
    };
    let page_size = match param(&params, "maxResults").map(str::parse::<usize>) {
        None => PAGE_SIZE,
        Some(Ok(max)) if (1..=1000).contains(&max) => max.min(PAGE_SIZE),
        Some(_) => return invalid("maxResults must be a number from 1 to 1000"),
    };
    let profiles: Vec<InferenceProfileSummary> = inference_profiles(&region_of(request))
        .into_iter()
        .filter(|p| p.profile_type == kind)
        .collect();
    let start = match param(&params, "nextToken").map(str::parse::<usize>) {
        None => 0,
        Some(Ok(offset)) if offset > 0 && offset < profiles.len() => offset,
        Some(_) => return invalid("The pagination token is invalid."),
    };
    let end = start.saturating_add(page_size).min(profiles.len());
    json(&ListInferenceProfilesResponse {
        inference_profile_summaries: profiles.get(start..end).unwrap_or_default().to_vec(),
        next_token: (end < profiles.len()).then(|| end.to_string()),
    })
}

/// Answers GetInferenceProfile for an id or ARN (decoded).
pub(crate) fn get_inference_profile(request: &RecordedRequest, identifier: &str) -> Response {
    let found = inference_profiles(&region_of(request))
        .into_iter()
        .find(|p| p.inference_profile_id == identifier || p.inference_profile_arn == identifier);
    match found {
        Some(profile) => json(&profile),
        None => error(
            404,
            "ResourceNotFoundException",
            &format!("The inference profile {identifier} was not found."),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geography_follows_the_region() {
        let ids = |region: &str| -> Vec<String> {
            inference_profiles(region)
                .into_iter()
                .map(|p| p.inference_profile_id)
                .collect()
        };
        assert!(ids("us-west-2").contains(&format!("us.{OPUS_4_7}")));
        assert!(ids("eu-west-1").contains(&format!("eu.{NOVA_PRO}")));
        assert!(ids("ap-northeast-1").contains(&format!("apac.{HAIKU_4_5}")));
        let elsewhere = ids("me-central-1");
        assert!(elsewhere
            .iter()
            .all(|id| id.starts_with("global.") || id == "emuapp1"));
        assert!(foundation_models("eu-west-1")
            .iter()
            .all(|m| !m.model_id.starts_with("meta.")));
    }
}
