//! Control-plane shapes (`bedrock` 2023-04-20): ListFoundationModels,
//! GetFoundationModel, ListInferenceProfiles and GetInferenceProfile.
//! Enumerations are kept as their wire strings, so that values newer than this
//! code still read.

use super::read::read_json;
use serde::Serialize;

use crate::model_ref::ModelRef;

/// The `ListFoundationModels` response body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListFoundationModelsResponse {
    /// The models.
    #[serde(default)]
    pub model_summaries: Vec<FoundationModelSummary>,
}

read_json!(ListFoundationModelsResponse { model_summaries: "modelSummaries" default });

/// A foundation model (`FoundationModelSummary`). Enumerations are kept as
/// their wire strings, so that values newer than this code still read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FoundationModelSummary {
    /// Its ARN.
    #[serde(default)]
    pub model_arn: String,
    /// Its id, e.g. `anthropic.claude-3-haiku-20240307-v1:0`.
    pub model_id: String,
    /// Its display name.
    #[serde(default)]
    pub model_name: Option<String>,
    /// Its provider's name, e.g. `Anthropic`.
    #[serde(default)]
    pub provider_name: Option<String>,
    /// `TEXT`, `IMAGE`, `EMBEDDING`, ...
    #[serde(default)]
    pub input_modalities: Vec<String>,
    /// `TEXT`, `IMAGE`, `EMBEDDING`, ...
    #[serde(default)]
    pub output_modalities: Vec<String>,
    /// Whether it streams responses.
    #[serde(default)]
    pub response_streaming_supported: Option<bool>,
    /// `FINE_TUNING`, `CONTINUED_PRE_TRAINING`, `DISTILLATION`.
    #[serde(default)]
    pub customizations_supported: Vec<String>,
    /// `ON_DEMAND`, `PROVISIONED`, `INFERENCE_PROFILE`.
    #[serde(default)]
    pub inference_types_supported: Vec<String>,
    /// Its lifecycle.
    #[serde(default)]
    pub model_lifecycle: Option<FoundationModelLifecycle>,
}

read_json!(FoundationModelSummary {
    model_arn: "modelArn" default,
    model_id: "modelId",
    model_name: "modelName" default,
    provider_name: "providerName" default,
    input_modalities: "inputModalities" default,
    output_modalities: "outputModalities" default,
    response_streaming_supported: "responseStreamingSupported" default,
    customizations_supported: "customizationsSupported" default,
    inference_types_supported: "inferenceTypesSupported" default,
    model_lifecycle: "modelLifecycle" default,
});

/// A foundation model's details (`FoundationModelDetails`, from
/// GetFoundationModel): the same members as a summary.
pub type FoundationModelDetails = FoundationModelSummary;

/// The `GetFoundationModel` response body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GetFoundationModelResponse {
    /// The model.
    #[serde(default)]
    pub model_details: Option<FoundationModelDetails>,
}

read_json!(GetFoundationModelResponse { model_details: "modelDetails" default });

/// A foundation model's lifecycle (`FoundationModelLifecycle`; the dates are not read).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FoundationModelLifecycle {
    /// `ACTIVE` or `LEGACY`.
    #[serde(default)]
    pub status: String,
}

read_json!(FoundationModelLifecycle { status: "status" default });

impl FoundationModelSummary {
    /// Streams, outputs text, and is `ACTIVE` (a missing lifecycle counts as active).
    pub fn is_usable_for_chat(&self) -> bool {
        let active = self
            .model_lifecycle
            .as_ref()
            .is_none_or(|l| l.status.eq_ignore_ascii_case("ACTIVE"));
        let text = self
            .output_modalities
            .iter()
            .any(|m| m.eq_ignore_ascii_case("TEXT"));
        active && text && self.response_streaming_supported == Some(true)
    }

    /// Whether it can be called by its bare id (`ON_DEMAND` throughput).
    pub fn supports_on_demand(&self) -> bool {
        self.inference_types_supported
            .iter()
            .any(|t| t.eq_ignore_ascii_case("ON_DEMAND"))
    }
}

/// The `ListInferenceProfiles` response body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListInferenceProfilesResponse {
    /// The profiles.
    #[serde(default)]
    pub inference_profile_summaries: Vec<InferenceProfileSummary>,
    /// The token for the next page, if any.
    #[serde(default)]
    pub next_token: Option<String>,
}

read_json!(ListInferenceProfilesResponse {
    inference_profile_summaries: "inferenceProfileSummaries" default,
    next_token: "nextToken" default,
});

/// An inference profile (`InferenceProfileSummary`; the dates are not read).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InferenceProfileSummary {
    /// Its name.
    #[serde(default)]
    pub inference_profile_name: String,
    /// Its ARN.
    #[serde(default)]
    pub inference_profile_arn: String,
    /// Its id: `us.anthropic.claude-...` for a system profile, opaque for an
    /// application profile.
    #[serde(default)]
    pub inference_profile_id: String,
    /// What it is for.
    #[serde(default)]
    pub description: Option<String>,
    /// `ACTIVE`.
    #[serde(default)]
    pub status: String,
    /// `SYSTEM_DEFINED` or `APPLICATION`.
    #[serde(default, rename = "type")]
    pub profile_type: String,
    /// The foundation models it routes to.
    #[serde(default)]
    pub models: Vec<InferenceProfileModel>,
}

read_json!(InferenceProfileSummary {
    inference_profile_name: "inferenceProfileName" default,
    inference_profile_arn: "inferenceProfileArn" default,
    inference_profile_id: "inferenceProfileId" default,
    description: "description" default,
    status: "status" default,
    profile_type: "type" default,
    models: "models" default,
});

/// The `GetInferenceProfile` response body: the same members as a summary.
pub type GetInferenceProfileResponse = InferenceProfileSummary;

/// A model behind an inference profile (`InferenceProfileModel`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InferenceProfileModel {
    /// The foundation model's ARN.
    #[serde(default)]
    pub model_arn: Option<String>,
}

read_json!(InferenceProfileModel { model_arn: "modelArn" default });

impl InferenceProfileSummary {
    /// Whether it is an application profile (called by ARN).
    pub fn is_application(&self) -> bool {
        self.profile_type.eq_ignore_ascii_case("APPLICATION")
    }

    /// The id to call it by: the ARN for an application profile, else the id.
    pub fn callable_id(&self) -> &str {
        if self.is_application() && !self.inference_profile_arn.is_empty() {
            &self.inference_profile_arn
        } else {
            &self.inference_profile_id
        }
    }

    /// The foundation model ids it routes to, from its models' ARNs.
    pub fn backing_model_ids(&self) -> impl Iterator<Item = &str> {
        self.models.iter().filter_map(|m| {
            let arn = m.model_arn.as_deref()?;
            arn.split_once(":foundation-model/").map(|(_, id)| id)
        })
    }

    /// Its base model: the backing model its id names (`us.X` → `X`), else the
    /// first backing model. For an application profile from
    /// `GetInferenceProfile`, this resolves the ARN to a model id.
    pub fn backing_model_id(&self) -> Option<&str> {
        let named = ModelRef::parse(&self.inference_profile_id)
            .ok()
            .and_then(|r| r.base_model_id().map(str::to_owned));
        self.backing_model_ids()
            .find(|id| named.as_deref() == Some(*id))
            .or_else(|| self.backing_model_ids().next())
    }
}
