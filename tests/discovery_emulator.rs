//! Model discovery against the emulator's control plane, through the library:
//! ListFoundationModels filters, ListInferenceProfiles pagination and regions,
//! GetInferenceProfile, then [`discover`] over the fetched lists and the
//! discovery cache over a counting fetch.
#![cfg(all(feature = "emulator", feature = "discovery"))]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use bedrock_lite::bedrock::control::FoundationModelFilter;
use bedrock_lite::bedrock::error::BedrockError;
use bedrock_lite::config::Discovery;
use bedrock_lite::emulator::{Emulator, Reply};
use bedrock_lite::http::RetryPolicy;
use bedrock_lite::transport::{ServiceError, ServiceErrorKind};
use bedrock_lite::Client;

mod common;
use bedrock_lite::models::cache::{CacheKey, DiscoveryCache, Origin};
use bedrock_lite::models::discovery::{discover, DiscoveredModel, ModelEntryKind};
use bedrock_lite::types::{FoundationModelSummary, InferenceProfileSummary};

const OPUS: &str = "anthropic.claude-opus-4-7";
const APP_PROFILE: &str =
    "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/emuapp1";

fn client_in(emulator: &Emulator, region: &str) -> Client {
    let settings = common::emulator_settings(&emulator.endpoint())
        .region(region)
        .retry(RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::STANDARD
        })
        .resolve()
        .expect("settings");
    Client::new(settings)
}

fn client(emulator: &Emulator) -> Client {
    client_in(emulator, "us-east-1")
}

fn ids_of_models(models: &[FoundationModelSummary]) -> Vec<&str> {
    models.iter().map(|m| m.model_id.as_str()).collect()
}

/// Both profile types, as `models list` fetches them.
async fn all_profiles(client: &Client) -> Vec<InferenceProfileSummary> {
    let mut profiles = client
        .list_inference_profiles(Some("SYSTEM_DEFINED"))
        .await
        .expect("system profiles");
    profiles.extend(
        client
            .list_inference_profiles(Some("APPLICATION"))
            .await
            .expect("application profiles"),
    );
    profiles
}

async fn catalogue(client: &Client) -> (Vec<FoundationModelSummary>, Vec<InferenceProfileSummary>) {
    let foundation = client
        .list_foundation_models(&FoundationModelFilter::default())
        .await
        .expect("foundation models");
    (foundation, all_profiles(client).await)
}

fn find<'a>(models: &'a [DiscoveredModel], id: &str) -> Option<&'a DiscoveredModel> {
    models.iter().find(|m| m.id == id)
}

#[tokio::test]
async fn foundation_model_filters() {
    let emu = Emulator::start(0).await.expect("emulator");
    let client = client(&emu);
    let all = client
        .list_foundation_models(&FoundationModelFilter::default())
        .await
        .expect("all");
    assert!(all.len() >= 10, "{:?}", ids_of_models(&all));
    let opus = all.iter().find(|m| m.model_id == OPUS).expect("opus 4.7");
    assert_eq!(
        opus.model_arn,
        format!("arn:aws:bedrock:us-east-1::foundation-model/{OPUS}")
    );
    assert_eq!(opus.inference_types_supported, ["INFERENCE_PROFILE"]);
    assert_eq!(opus.provider_name.as_deref(), Some("Anthropic"));

    let anthropic = client
        .list_foundation_models(&FoundationModelFilter {
            by_provider: Some("ANTHROPIC".into()),
            ..Default::default()
        })
        .await
        .expect("anthropic");
    assert!(!anthropic.is_empty());
    assert!(anthropic
        .iter()
        .all(|m| m.model_id.starts_with("anthropic.")));

    let embeddings = client
        .list_foundation_models(&FoundationModelFilter {
            by_output_modality: Some("EMBEDDING".into()),
            ..Default::default()
        })
        .await
        .expect("embedding models");
    assert!(ids_of_models(&embeddings).contains(&"amazon.titan-embed-text-v2:0"));
    assert!(embeddings
        .iter()
        .all(|m| m.output_modalities == ["EMBEDDING"]));

    let on_demand_amazon = client
        .list_foundation_models(&FoundationModelFilter {
            by_provider: Some("amazon".into()),
            by_inference_type: Some("ON_DEMAND".into()),
            by_output_modality: Some("TEXT".into()),
            ..Default::default()
        })
        .await
        .expect("amazon text on demand");
    assert_eq!(
        ids_of_models(&on_demand_amazon),
        [
            "amazon.nova-micro-v1:0",
            "amazon.nova-lite-v1:0",
            "amazon.nova-pro-v1:0"
        ]
    );
    let fine_tunable = client
        .list_foundation_models(&FoundationModelFilter {
            by_customization_type: Some("FINE_TUNING".into()),
            ..Default::default()
        })
        .await
        .expect("fine-tunable");
    assert_eq!(fine_tunable.len(), 3);

    let refused = client
        .list_foundation_models(&FoundationModelFilter {
            by_output_modality: Some("SMELL".into()),
            ..Default::default()
        })
        .await;
    assert!(
        matches!(&refused, Err(BedrockError::Service(ServiceError { status: 400, code, .. })) if code == "ValidationException"),
        "{refused:?}"
    );
    let requests = emu.requests();
    assert!(requests.iter().any(|r| r.path
        == "/foundation-models?byProvider=amazon&byOutputModality=TEXT&byInferenceType=ON_DEMAND"));
}

#[tokio::test]
async fn inference_profiles_are_paginated_and_follow_the_region() {
    let emu = Emulator::start(0).await.expect("emulator");
    let system = client(&emu)
        .list_inference_profiles(Some("SYSTEM_DEFINED"))
        .await
        .expect("system profiles");
    let pages = emu
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/inference-profiles?"))
        .count();
    // Two a page: every page was followed.
    assert_eq!(pages, system.len().div_ceil(2));
    assert!(pages >= 3);
    assert!(emu
        .requests()
        .iter()
        .any(|r| r.path.contains("nextToken=2")));
    let ids: Vec<&str> = system
        .iter()
        .map(|p| p.inference_profile_id.as_str())
        .collect();
    assert!(ids.contains(&"us.anthropic.claude-sonnet-4-6"), "{ids:?}");
    assert!(ids.contains(&"global.anthropic.claude-opus-4-7"), "{ids:?}");
    assert!(ids.contains(&"us.amazon.nova-pro-v1:0"), "{ids:?}");
    assert!(system.iter().all(|p| p.profile_type == "SYSTEM_DEFINED"));
    let nova = system
        .iter()
        .find(|p| p.inference_profile_id == "us.amazon.nova-micro-v1:0")
        .expect("nova micro profile");
    assert_eq!(nova.backing_model_id(), Some("amazon.nova-micro-v1:0"));

    let eu = client_in(&emu, "eu-west-1")
        .list_inference_profiles(Some("SYSTEM_DEFINED"))
        .await
        .expect("eu profiles");
    assert!(!eu.is_empty());
    assert!(eu.iter().all(|p| p.inference_profile_id.starts_with("eu.")
        || p.inference_profile_id.starts_with("global.")));
    assert!(eu
        .iter()
        .any(|p| p.inference_profile_id == "eu.anthropic.claude-haiku-4-5-20251001-v1:0"));
    assert!(eu.iter().all(|p| p
        .inference_profile_arn
        .starts_with("arn:aws:bedrock:eu-west-1:")));

    let application = client(&emu)
        .list_inference_profiles(Some("APPLICATION"))
        .await
        .expect("application profiles");
    assert_eq!(application.len(), 1);
    assert_eq!(application[0].callable_id(), APP_PROFILE);
}

#[tokio::test]
async fn get_inference_profile_by_arn_and_id() {
    let emu = Emulator::start(0).await.expect("emulator");
    let client = client(&emu);
    let profile = client
        .get_inference_profile(APP_PROFILE)
        .await
        .expect("the app profile");
    assert_eq!(profile.inference_profile_arn, APP_PROFILE);
    assert!(profile.is_application());
    assert_eq!(profile.backing_model_id(), Some(OPUS));
    let by_id = client
        .get_inference_profile("us.anthropic.claude-opus-4-7")
        .await
        .expect("by id");
    assert_eq!(by_id.backing_model_id(), Some(OPUS));
    let missing = client.get_inference_profile("us.acme.nothing-v1:0").await;
    assert!(
        matches!(&missing, Err(BedrockError::Service(ServiceError { status: 404, code, .. })) if code == "ResourceNotFoundException"),
        "{missing:?}"
    );
}

#[tokio::test]
async fn scripted_errors_apply_to_the_control_plane() {
    let emu = Emulator::start(0).await.expect("emulator");
    let client = client(&emu);
    emu.script(Reply::Status {
        status: 403,
        error_type: "AccessDeniedException".into(),
        message: "not allowed".into(),
    });
    let denied = client
        .list_foundation_models(&FoundationModelFilter::default())
        .await;
    assert!(
        matches!(&denied, Err(BedrockError::Service(ServiceError { status: 403, code, .. })) if code == "AccessDeniedException"),
        "{denied:?}"
    );
    emu.script(Reply::Throttle);
    assert!(matches!(
        client.list_inference_profiles(None).await,
        Err(BedrockError::Service(ServiceError {
            kind: ServiceErrorKind::Throttled,
            ..
        }))
    ));
    // Other reply kinds do not change a control-plane answer.
    emu.script(Reply::Text("ignored".into()));
    assert!(client.get_inference_profile(APP_PROFILE).await.is_ok());
}

#[tokio::test]
async fn discover_filters_and_deduplicates() {
    let emu = Emulator::start(0).await.expect("emulator");
    let (foundation, profiles) = catalogue(&client(&emu)).await;
    let models = discover(
        &foundation,
        &profiles,
        &Discovery::default(),
        "us-east-1",
        &[],
    );
    let ids: Vec<&str> = models.iter().map(|m| m.id.as_str()).collect();

    // A model with a profile appears only as the profile.
    for bare in ["amazon.nova-pro-v1:0", OPUS, "anthropic.claude-sonnet-4-6"] {
        assert!(!ids.contains(&bare), "{bare} in {ids:?}");
    }
    let nova = find(&models, "us.amazon.nova-pro-v1:0").expect("nova pro profile");
    assert_eq!(nova.kind, ModelEntryKind::InferenceProfile);
    assert_eq!(nova.provider, "amazon");
    // ON_DEMAND-only models are listed bare.
    let haiku3 = find(&models, "anthropic.claude-3-haiku-20240307-v1:0").expect("claude 3 haiku");
    assert_eq!(haiku3.kind, ModelEntryKind::FoundationModel);
    assert!(ids.contains(&"meta.llama3-8b-instruct-v1:0"));
    // Embedding, image, legacy and non-streaming models are dropped.
    for dropped in [
        "amazon.titan-embed-text-v2:0",
        "cohere.embed-english-v3",
        "amazon.titan-image-generator-v2:0",
        "anthropic.claude-v2:1",
        "ai21.jamba-instruct-v1:0",
    ] {
        assert!(!ids.contains(&dropped), "{dropped} in {ids:?}");
    }
    // Inheritance: the profile takes the backing model's capabilities.
    let opus = find(&models, "us.anthropic.claude-opus-4-7").expect("opus profile");
    assert!(opus.reasoning);
    assert_eq!(opus.input, ["text", "image"]);
    assert_eq!(opus.region, "us-east-1");
    let app = find(&models, APP_PROFILE).expect("the application profile");
    assert_eq!(app.kind, ModelEntryKind::InferenceProfile);
    assert_eq!(app.provider, "anthropic");
    assert_eq!(app.context_window, opus.context_window);
    assert!(ids.contains(&"global.anthropic.claude-opus-4-7"));

    // An INFERENCE_PROFILE-only model without a profile is not offered.
    let without_opus_profiles: Vec<InferenceProfileSummary> = profiles
        .iter()
        .filter(|p| p.backing_model_id() != Some(OPUS))
        .cloned()
        .collect();
    let models = discover(
        &foundation,
        &without_opus_profiles,
        &Discovery::default(),
        "us-east-1",
        &[],
    );
    assert!(models.iter().all(|m| !m.id.contains("opus-4-7")));
}

#[tokio::test]
async fn discover_settings() {
    let emu = Emulator::start(0).await.expect("emulator");
    let (foundation, profiles) = catalogue(&client(&emu)).await;
    let anthropic_only = Discovery {
        provider_filter: vec!["AnThRoPiC".into()],
        ..Discovery::default()
    };
    let models = discover(&foundation, &profiles, &anthropic_only, "us-east-1", &[]);
    assert!(!models.is_empty());
    assert!(
        models.iter().all(|m| m.provider == "anthropic"),
        "{models:?}"
    );
    // The filter treats profiles the same way.
    assert!(models
        .iter()
        .any(|m| m.kind == ModelEntryKind::InferenceProfile));
    assert!(find(&models, "us.amazon.nova-lite-v1:0").is_none());

    let meta = Discovery {
        provider_filter: vec!["Meta".into()],
        ..Discovery::default()
    };
    let models = discover(&foundation, &profiles, &meta, "us-east-1", &[]);
    let ids: Vec<&str> = models.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["meta.llama3-8b-instruct-v1:0"]);

    let no_profiles = Discovery {
        include_inference_profiles: false,
        ..Discovery::default()
    };
    let models = discover(&foundation, &profiles, &no_profiles, "us-east-1", &[]);
    assert!(models
        .iter()
        .all(|m| m.kind == ModelEntryKind::FoundationModel));
    // Without profiles, the on-demand Nova models are listed bare; profile-only ones are not.
    assert!(find(&models, "amazon.nova-pro-v1:0").is_some());
    assert!(find(&models, OPUS).is_none());

    // In Europe: `eu.` profiles, and no Meta model there.
    let eu = client_in(&emu, "eu-west-1");
    let (foundation, profiles) = catalogue(&eu).await;
    let models = discover(
        &foundation,
        &profiles,
        &Discovery::default(),
        "eu-west-1",
        &[],
    );
    assert!(find(&models, "eu.anthropic.claude-sonnet-4-6").is_some());
    assert!(models
        .iter()
        .all(|m| !m.id.starts_with("us.") && m.region == "eu-west-1"));
    assert!(models.iter().all(|m| m.provider != "meta"));
}

#[tokio::test]
async fn the_cache_hits_refreshes_and_serves_stale() {
    let emu = Emulator::start(0).await.expect("emulator");
    let client = client(&emu);
    let fetches = AtomicUsize::new(0);
    let fetch = || async {
        fetches.fetch_add(1, Ordering::SeqCst);
        client
            .list_foundation_models(&FoundationModelFilter::default())
            .await
    };
    let cache: DiscoveryCache<Vec<FoundationModelSummary>> = DiscoveryCache::new(None, 3600);
    let key = CacheKey::new("us-east-1", "identity", &Discovery::default());
    let now = SystemTime::now();

    let first = cache
        .get_or_refresh(&key, now, false, fetch())
        .await
        .expect("fetched");
    assert_eq!(first.origin, Origin::Fetched);
    let requests = emu.requests().len();
    assert_eq!(requests, 1);

    let hit = cache
        .get_or_refresh(&key, now + Duration::from_secs(10), false, fetch())
        .await
        .expect("cached");
    assert_eq!(hit.origin, Origin::Cached);
    assert_eq!(hit.value, first.value);
    assert_eq!(emu.requests().len(), requests, "a hit sends nothing");
    assert_eq!(fetches.load(Ordering::SeqCst), 1);

    let forced = cache
        .get_or_refresh(&key, now + Duration::from_secs(20), true, fetch())
        .await
        .expect("refreshed");
    assert_eq!(forced.origin, Origin::Fetched);
    assert_eq!(emu.requests().len(), requests + 1);

    emu.script(Reply::Status {
        status: 500,
        error_type: "InternalServerException".into(),
        message: "boom".into(),
    });
    let stale = cache
        .get_or_refresh(&key, now + Duration::from_secs(7200), false, fetch())
        .await
        .expect("stale");
    assert_eq!(stale.origin, Origin::Stale);
    assert_eq!(stale.value, first.value);
    assert!(
        stale.warning.as_deref().is_some_and(|w| w.contains("boom")),
        "{:?}",
        stale.warning
    );
    assert_eq!(emu.requests().len(), requests + 2);
    assert_eq!(fetches.load(Ordering::SeqCst), 3);
}
