//! The Bedrock control plane's listings (`bedrock.<region>...`), for model
//! discovery (feature `discovery`): ListFoundationModels and
//! ListInferenceProfiles (every page), in the client's region unless said
//! otherwise. The lookups a call needs (GetInferenceProfile,
//! GetFoundationModel) are in [`super::operations`].

use super::client::{parse_json, Client};
use super::error::BedrockError;
use crate::sigv4::percent_encode;
use crate::types::{
    FoundationModelSummary, InferenceProfileSummary, ListFoundationModelsResponse,
    ListInferenceProfilesResponse,
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
        self.list_foundation_models_in(self.region(), filter).await
    }

    /// ListFoundationModels with `filter`, in `region`.
    pub async fn list_foundation_models_in(
        &self,
        region: &str,
        filter: &FoundationModelFilter,
    ) -> Result<Vec<FoundationModelSummary>, BedrockError> {
        let query = filter.query();
        let path = if query.is_empty() {
            "/foundation-models".to_owned()
        } else {
            format!("/foundation-models?{query}")
        };
        let body = self
            .control_get("ListFoundationModels", region, &path)
            .await?;
        let response: ListFoundationModelsResponse =
            parse_json(&body, &format!("the response to GET {path}"))?;
        Ok(response.model_summaries)
    }

    /// ListInferenceProfiles, every page; `type_equals` is `SYSTEM_DEFINED`,
    /// `APPLICATION`, or `None` for the service's default.
    pub async fn list_inference_profiles(
        &self,
        type_equals: Option<&str>,
    ) -> Result<Vec<InferenceProfileSummary>, BedrockError> {
        self.list_inference_profiles_in(self.region(), type_equals)
            .await
    }

    /// ListInferenceProfiles in `region`, every page.
    pub async fn list_inference_profiles_in(
        &self,
        region: &str,
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
            let body = self
                .control_get("ListInferenceProfiles", region, &path)
                .await?;
            let page: ListInferenceProfilesResponse =
                parse_json(&body, "the response to GET /inference-profiles")?;
            profiles.extend(page.inference_profile_summaries);
            match page.next_token.filter(|t| !t.is_empty()) {
                Some(token) if Some(&token) != next_token.as_ref() => next_token = Some(token),
                _ => return Ok(profiles),
            }
        }
        Err(BedrockError::InvalidResponse {
            what: "ListInferenceProfiles".to_owned(),
            problem: format!("more than {MAX_PAGES} pages"),
        })
    }
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
