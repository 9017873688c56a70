//! The Bedrock control plane (`bedrock.<region>...`): ListFoundationModels,
//! ListInferenceProfiles (every page) and GetInferenceProfile; and the model
//! rules, which may need GetInferenceProfile to know an application profile's model.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::de::DeserializeOwned;

use super::client::Client;
use super::error::BedrockError;
use crate::model_ref::{ModelKind, ModelRef};
use crate::models::rules;
use crate::sigv4::percent_encode;
use crate::types::{
    ConverseRequest, FoundationModelSummary, GetInferenceProfileResponse, InferenceProfileSummary,
    ListFoundationModelsResponse, ListInferenceProfilesResponse,
};

/// ListFoundationModels' filters (all optional), as the API names them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FoundationModelFilter {
    /// `byProvider`, e.g. `anthropic`.
    pub by_provider: Option<String>,
    /// `byCustomizationType`: `FINE_TUNING`, `CONTINUED_PRE_TRAINING`, `DISTILLATION`.
    pub by_customization_type: Option<String>,
    /// `byOutputModality`: `TEXT`, `IMAGE`, `EMBEDDING`.
    pub by_output_modality: Option<String>,
    /// `byInferenceType`: `ON_DEMAND`, `PROVISIONED`.
    pub by_inference_type: Option<String>,
}

impl FoundationModelFilter {
    /// The query string (without `?`), parameters in a fixed order.
    fn query(&self) -> String {
        [
            ("byProvider", &self.by_provider),
            ("byCustomizationType", &self.by_customization_type),
            ("byOutputModality", &self.by_output_modality),
            ("byInferenceType", &self.by_inference_type),
        ]
        .iter()
        .filter_map(|(name, value)| Some(format!("{name}={}", percent_encode(value.as_deref()?))))
        .collect::<Vec<_>>()
        .join("&")
    }
}

/// The most pages of inference profiles read before giving up (a loop guard).
const MAX_PAGES: usize = 100;

impl Client {
    /// ListFoundationModels with `filter`.
    pub async fn list_foundation_models(
        &self,
        filter: &FoundationModelFilter,
    ) -> Result<Vec<FoundationModelSummary>, BedrockError> {
        let query = filter.query();
        let path = if query.is_empty() {
            "/foundation-models".to_owned()
        } else {
            format!("/foundation-models?{query}")
        };
        let response: ListFoundationModelsResponse = parse(&path, &self.control_get(&path).await?)?;
        Ok(response.model_summaries)
    }

    /// ListInferenceProfiles, every page; `type_equals` is `SYSTEM_DEFINED`,
    /// `APPLICATION`, or `None` for the service's default.
    pub async fn list_inference_profiles(
        &self,
        type_equals: Option<&str>,
    ) -> Result<Vec<InferenceProfileSummary>, BedrockError> {
        let mut profiles = Vec::new();
        let mut next_token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut query = vec!["maxResults=1000".to_owned()];
            if let Some(kind) = type_equals {
                query.push(format!("type={}", percent_encode(kind)));
            }
            if let Some(token) = &next_token {
                query.push(format!("nextToken={}", percent_encode(token)));
            }
            let path = format!("/inference-profiles?{}", query.join("&"));
            let page: ListInferenceProfilesResponse =
                parse("/inference-profiles", &self.control_get(&path).await?)?;
            profiles.extend(page.inference_profile_summaries);
            match page.next_token.filter(|t| !t.is_empty()) {
                Some(token) if Some(&token) != next_token.as_ref() => next_token = Some(token),
                _ => return Ok(profiles),
            }
        }
        Err(BedrockError::InvalidResponse(format!(
            "ListInferenceProfiles returned more than {MAX_PAGES} pages"
        )))
    }

    /// GetInferenceProfile by id or ARN.
    pub async fn get_inference_profile(
        &self,
        identifier: &str,
    ) -> Result<GetInferenceProfileResponse, BedrockError> {
        let path = format!("/inference-profiles/{}", percent_encode(identifier));
        parse(&path, &self.control_get(&path).await?)
    }
}

/// Base models of application inference profiles, resolved once per process
/// (`None`: the lookup failed, so the ref's text is matched instead).
static RESOLVED_PROFILES: Mutex<BTreeMap<String, Option<String>>> = Mutex::new(BTreeMap::new());

impl Client {
    /// Applies the per-model request rules ([`crate::models::rules`]) to
    /// `request` for `model`, resolving an application inference profile ARN to
    /// its base model with GetInferenceProfile (once; on failure the ref's text
    /// is matched). Returns notes on what was dropped, for `-v`.
    pub async fn apply_model_rules(
        &self,
        model: &str,
        request: &mut ConverseRequest,
    ) -> Vec<String> {
        let is_application_profile = ModelRef::parse(model)
            .is_ok_and(|r| *r.kind() == ModelKind::ApplicationInferenceProfile);
        let resolved = if is_application_profile {
            self.resolve_application_profile(model).await
        } else {
            None
        };
        rules::apply(request, model, resolved.as_deref())
    }

    async fn resolve_application_profile(&self, arn: &str) -> Option<String> {
        let known = RESOLVED_PROFILES
            .lock()
            .ok()
            .and_then(|cache| cache.get(arn).cloned());
        if let Some(base) = known {
            return base;
        }
        let base = self
            .get_inference_profile(arn)
            .await
            .ok()
            .and_then(|profile| profile.backing_model_id().map(str::to_owned));
        if let Ok(mut cache) = RESOLVED_PROFILES.lock() {
            cache.insert(arn.to_owned(), base.clone());
        }
        base
    }
}

fn parse<T: DeserializeOwned>(path: &str, body: &[u8]) -> Result<T, BedrockError> {
    serde_json::from_slice(body).map_err(|e| {
        BedrockError::InvalidResponse(format!("the response to GET {path} is not valid: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_query_encodes_set_filters_only() {
        assert_eq!(FoundationModelFilter::default().query(), "");
        let filter = FoundationModelFilter {
            by_provider: Some("Meta Llama".into()),
            by_output_modality: Some("TEXT".into()),
            ..Default::default()
        };
        assert_eq!(
            filter.query(),
            "byProvider=Meta%20Llama&byOutputModality=TEXT"
        );
    }
}
