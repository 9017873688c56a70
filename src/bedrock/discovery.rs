//! Model discovery as a service of the [`Client`] (feature `discovery`): list
//! (ListFoundationModels and both kinds of ListInferenceProfiles), filter,
//! deduplicate and inherit ([`crate::models::discovery::discover`]), cache (in
//! memory and on disk, for `discovery.refreshInterval`), and tolerate a refused
//! ListInferenceProfiles (a warning; foundation models are still listed).
//!
//! Discovery asks `discovery.region` when the config sets it and the region was
//! not given explicitly, else the client's region. A model it finds there is
//! then called in that region ([`Client::region_for`]). A model Bedrock will
//! not run on demand gets, in the error, the inference profile to call it
//! through.
//!
//! ```no_run
//! # async fn demo(client: bedrock_lite::Client) -> Result<(), bedrock_lite::BedrockError> {
//! let found = client.discover_models(false).await?;
//! for model in &found.models {
//!     println!("{} ({:?})", model.id, model.kind);
//! }
//! # Ok(()) }
//! ```

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::client::Client;
use super::control::FoundationModelFilter;
use super::error::BedrockError;
use crate::config::discovery_should_run;
use crate::credentials::Auth;
use crate::model_ref::ModelRef;
use crate::models::cache::{credential_identity, default_dir, CacheKey, DiscoveryCache, Origin};
use crate::models::discovery::{discover, profile_for_model, DiscoveredModel};
use crate::transport::ServiceErrorKind;
use crate::types::{FoundationModelSummary, InferenceProfileSummary};

/// What discovery fetched from one region: cached as it came.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Catalogue {
    foundation: Vec<FoundationModelSummary>,
    profiles: Vec<InferenceProfileSummary>,
}

/// The client's discovery cache, made on first use.
#[derive(Debug, Default)]
pub(crate) struct DiscoveryService {
    cache: std::sync::OnceLock<DiscoveryCache<Catalogue>>,
}

/// The models discovery found, with the configured ones merged in.
#[derive(Debug, Clone, PartialEq)]
pub struct DiscoveredModels {
    /// The models, sorted by id.
    pub models: Vec<DiscoveredModel>,
    /// The region discovery asked.
    pub region: String,
    /// Whether discovery ran (else only the configured models are listed).
    pub active: bool,
    /// How old the fetched part is.
    pub age: Duration,
    /// Where it came from (`None` when discovery did not run).
    pub origin: Option<Origin>,
    /// What went wrong on the way without stopping it (a refused
    /// ListInferenceProfiles, a stale cache, an unwritable cache file).
    pub warnings: Vec<String>,
}

impl Client {
    /// The region discovery asks: `discovery.region` unless the region was
    /// given explicitly, else the client's region.
    pub fn discovery_region(&self) -> &str {
        let settings = self.settings();
        match &settings.config.discovery.region {
            Some(region) if !settings.region_is_explicit() => region,
            _ => self.region(),
        }
    }

    /// Whether discovery runs: `discovery.enabled` `true`, or `"auto"` with an
    /// AWS env marker present (see DESIGN.md).
    pub fn discovery_is_active(&self) -> bool {
        let settings = self.settings();
        discovery_should_run(&settings.config, &settings.env)
    }

    /// The discovered models plus the configured ones (cached for
    /// `discovery.refreshInterval`; `refresh` fetches anew). With discovery
    /// off, the configured models only.
    pub async fn discover_models(&self, refresh: bool) -> Result<DiscoveredModels, BedrockError> {
        let settings = self.settings();
        let region = self.discovery_region().to_owned();
        let active = self.discovery_is_active();
        let mut warnings = Vec::new();
        let (catalogue, age, origin) = if active {
            let (cache, key) = self.discovery_cache(&region).await?;
            let fetch = self.fetch_catalogue(&region, &mut warnings);
            let cached = cache
                .get_or_refresh(&key, settings.env.now(), refresh, fetch)
                .await?;
            warnings.extend(cached.warning);
            (cached.value, cached.age, Some(cached.origin))
        } else {
            (Catalogue::default(), Duration::ZERO, None)
        };
        let models = discover(
            &catalogue.foundation,
            &catalogue.profiles,
            &settings.config.discovery,
            &region,
            &settings.config.models,
        );
        Ok(DiscoveredModels {
            models,
            region,
            active,
            age,
            origin,
            warnings,
        })
    }

    /// How old the cached discovery result is, without fetching; `None` when
    /// there is none (or no credentials to key it by).
    pub async fn discovery_cache_age(&self) -> Option<Duration> {
        let region = self.discovery_region().to_owned();
        let (cache, key) = self.discovery_cache(&region).await.ok()?;
        cache.age(&key, self.settings().env.now()).await
    }

    /// The region a model discovery found in `discovery.region` is called in,
    /// when the region was not given explicitly, discovery is active and that
    /// region is not the client's ([`Client::region_for`]).
    pub(crate) async fn discovered_region(&self, model: &ModelRef) -> Option<String> {
        let settings = self.settings();
        let region = settings.config.discovery.region.as_deref()?;
        if settings.region_is_explicit() || region == self.region() || !self.discovery_is_active() {
            return None;
        }
        let found = self.discover_models(false).await.ok()?;
        found
            .models
            .iter()
            .any(|entry| {
                entry.id == model.id()
                    && entry.kind != crate::models::discovery::ModelEntryKind::Configured
            })
            .then(|| region.to_owned())
    }

    /// The cache, and the key of `region` for the current credentials (the
    /// key holds a hash of the access key id or token, never the secret).
    async fn discovery_cache(
        &self,
        region: &str,
    ) -> Result<(&DiscoveryCache<Catalogue>, CacheKey), BedrockError> {
        let settings = self.settings();
        let resolved = settings.credentials.resolve().await?;
        let identity = match &resolved.auth {
            Auth::SigV4(credentials) => credential_identity(&credentials.access_key_id),
            Auth::Bearer(token) => credential_identity(token.expose()),
        };
        let key = CacheKey::new(region, &identity, &settings.config.discovery);
        let cache = self.discovery_service().cache.get_or_init(|| {
            DiscoveryCache::new(
                default_dir(&settings.env),
                settings.config.discovery.refresh_interval,
            )
        });
        Ok((cache, key))
    }

    /// `error` with the inference profile to call `model` through when
    /// Bedrock says it cannot be invoked on demand and ListInferenceProfiles
    /// names one ([`profile_for_model`]).
    pub(crate) async fn with_profile_hint(
        &self,
        model: &ModelRef,
        mut error: BedrockError,
    ) -> BedrockError {
        if let BedrockError::Service(service) = &mut error {
            if service.message.contains("on-demand throughput") {
                if let Some(profile) = self.profile_hint(model).await {
                    service.message.push_str(&format!(
                        "; call it through the inference profile `{profile}` instead"
                    ));
                }
            }
        }
        error
    }

    /// The inference profile to use for a model that cannot be invoked on
    /// demand, if ListInferenceProfiles names one.
    async fn profile_hint(&self, model: &ModelRef) -> Option<String> {
        let base = model.base_model_id()?;
        let profiles = self
            .list_inference_profiles(Some("SYSTEM_DEFINED"))
            .await
            .ok()?;
        profile_for_model(base, &profiles)
    }

    /// Fetches the foundation models and every inference profile of `region`.
    /// A refused ListInferenceProfiles is a warning: discovery goes on with
    /// foundation models.
    async fn fetch_catalogue(
        &self,
        region: &str,
        warnings: &mut Vec<String>,
    ) -> Result<Catalogue, BedrockError> {
        let foundation = self
            .list_foundation_models_in(region, &FoundationModelFilter::default())
            .await?;
        let mut profiles = Vec::new();
        for kind in ["SYSTEM_DEFINED", "APPLICATION"] {
            match self.list_inference_profiles_in(region, Some(kind)).await {
                Ok(page) => profiles.extend(page),
                Err(BedrockError::Service(error))
                    if error.status == 403 && error.kind == ServiceErrorKind::Rejected =>
                {
                    warnings.push(format!(
                        "ListInferenceProfiles ({kind}) refused: {}: {}; listing foundation models only (grant bedrock:ListInferenceProfiles)",
                        error.code, error.message
                    ));
                }
                Err(other) => return Err(other),
            }
        }
        self.settings().note(|| {
            format!(
                "discovery fetched {} foundation models and {} inference profiles in {region}",
                foundation.len(),
                profiles.len()
            )
        });
        Ok(Catalogue {
            foundation,
            profiles,
        })
    }
}
