use super::*;
use crate::config::ConfiguredModel;
use crate::types::{
    FoundationModelLifecycle, GetInferenceProfileResponse, InferenceProfileModel,
    ListFoundationModelsResponse, ListInferenceProfilesResponse,
};

fn fm(id: &str, provider: &str, types: &[&str]) -> FoundationModelSummary {
    FoundationModelSummary {
        model_arn: format!("arn:aws:bedrock:us-east-1::foundation-model/{id}"),
        model_id: id.to_owned(),
        model_name: Some(format!("name of {id}")),
        provider_name: Some(provider.to_owned()),
        input_modalities: vec!["TEXT".into()],
        output_modalities: vec!["TEXT".into()],
        response_streaming_supported: Some(true),
        inference_types_supported: types.iter().map(|t| (*t).to_owned()).collect(),
        model_lifecycle: Some(FoundationModelLifecycle {
            status: "ACTIVE".into(),
        }),
        ..Default::default()
    }
}

fn profile(id: &str, backing: &[&str]) -> InferenceProfileSummary {
    InferenceProfileSummary {
        inference_profile_name: format!("profile {id}"),
        inference_profile_arn: format!(
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/{id}"
        ),
        inference_profile_id: id.to_owned(),
        status: "ACTIVE".into(),
        profile_type: "SYSTEM_DEFINED".into(),
        models: backing
            .iter()
            .map(|b| InferenceProfileModel {
                model_arn: Some(format!("arn:aws:bedrock:us-east-1::foundation-model/{b}")),
            })
            .collect(),
        ..Default::default()
    }
}

fn ids(models: &[DiscoveredModel]) -> Vec<&str> {
    models.iter().map(|m| m.id.as_str()).collect()
}

const HAIKU: &str = "anthropic.claude-3-haiku-20240307-v1:0";
const OPUS: &str = "anthropic.claude-opus-4-1-20250805-v1:0";
const COHERE: &str = "cohere.command-r-v1:0";

#[test]
fn responses_parse_from_the_wire() {
    let list: ListFoundationModelsResponse = serde_json::from_str(
        r#"{"modelSummaries":[{"modelArn":"arn:aws:bedrock:us-east-1::foundation-model/x.y","modelId":"x.y",
        "modelName":"Y","providerName":"X","inputModalities":["TEXT","IMAGE"],"outputModalities":["TEXT"],
        "responseStreamingSupported":true,"customizationsSupported":[],"inferenceTypesSupported":["ON_DEMAND","INFERENCE_PROFILE"],
        "modelLifecycle":{"status":"ACTIVE","startOfLifeTime":"2024-01-01T00:00:00Z"},"somethingNew":1}]}"#,
    )
    .expect("parses");
    let model = &list.model_summaries[0];
    assert!(model.is_usable_for_chat() && model.supports_on_demand());
    let profiles: ListInferenceProfilesResponse = serde_json::from_str(
        r#"{"inferenceProfileSummaries":[{"inferenceProfileName":"US Y","inferenceProfileArn":"arn:aws:bedrock:us-east-1:1:inference-profile/us.x.y",
        "inferenceProfileId":"us.x.y","status":"ACTIVE","type":"SYSTEM_DEFINED","createdAt":"2024-01-01T00:00:00Z",
        "models":[{"modelArn":"arn:aws:bedrock:us-west-2::foundation-model/x.y"}]}],"nextToken":"abc"}"#,
    )
    .expect("parses");
    assert_eq!(profiles.next_token.as_deref(), Some("abc"));
    assert_eq!(
        profiles.inference_profile_summaries[0].backing_model_id(),
        Some("x.y")
    );
    let app: GetInferenceProfileResponse = serde_json::from_str(
        r#"{"inferenceProfileName":"mine","inferenceProfileArn":"arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc",
        "inferenceProfileId":"abc","status":"ACTIVE","type":"APPLICATION","models":[{"modelArn":"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-opus-4-7"}]}"#,
    )
    .expect("parses");
    assert_eq!(app.backing_model_id(), Some("anthropic.claude-opus-4-7"));
    assert!(app.callable_id().starts_with("arn:"));
}

#[test]
fn filters_streaming_text_active_and_provider() {
    let mut legacy = fm("anthropic.claude-v2:1", "Anthropic", &["ON_DEMAND"]);
    legacy.model_lifecycle = Some(FoundationModelLifecycle {
        status: "LEGACY".into(),
    });
    let mut embed = fm("amazon.titan-embed-text-v2:0", "Amazon", &["ON_DEMAND"]);
    embed.output_modalities = vec!["EMBEDDING".into()];
    let mut no_stream = fm("amazon.titan-text-express-v1", "Amazon", &["ON_DEMAND"]);
    no_stream.response_streaming_supported = Some(false);
    let mistral = fm(
        "mistral.mistral-large-2407-v1:0",
        "Mistral AI",
        &["ON_DEMAND"],
    );
    let cohere = fm(COHERE, "Cohere", &["ON_DEMAND"]);
    let all = [legacy, embed, no_stream, mistral, cohere];
    let settings = Discovery::default();
    let found = discover(&all, &[], &settings, "us-east-1", &[]);
    assert_eq!(ids(&found), [COHERE, "mistral.mistral-large-2407-v1:0"]);

    for filter in [["MISTRAL"], ["mistral ai"]] {
        let settings = Discovery {
            provider_filter: filter.map(String::from).to_vec(),
            ..Discovery::default()
        };
        let found = discover(&all, &[], &settings, "us-east-1", &[]);
        assert_eq!(
            ids(&found),
            ["mistral.mistral-large-2407-v1:0"],
            "{filter:?}"
        );
        assert_eq!(found[0].provider, "mistral");
    }
    // The same filter applies to profiles, by backing model or by id.
    let profiles = [
        profile(&format!("us.{HAIKU}"), &[HAIKU]),
        profile("us.meta.llama3-3-70b-instruct-v1:0", &[]),
    ];
    let settings = Discovery {
        provider_filter: vec!["Anthropic".into()],
        ..Discovery::default()
    };
    let found = discover(
        &[fm(HAIKU, "Anthropic", &["ON_DEMAND"])],
        &profiles,
        &settings,
        "us-east-1",
        &[],
    );
    assert_eq!(ids(&found), [format!("us.{HAIKU}")]);
    let settings = Discovery {
        provider_filter: vec!["meta".into()],
        ..Discovery::default()
    };
    let found = discover(
        &[fm(HAIKU, "Anthropic", &["ON_DEMAND"])],
        &profiles,
        &settings,
        "us-east-1",
        &[],
    );
    assert_eq!(ids(&found), ["us.meta.llama3-3-70b-instruct-v1:0"]);
    assert_eq!(found[0].provider, "meta");
}

#[test]
fn dedup_lists_profiles_instead_of_bare_ids() {
    let foundation = [
        fm(HAIKU, "Anthropic", &["ON_DEMAND"]),
        fm(OPUS, "Anthropic", &["INFERENCE_PROFILE"]),
        fm(COHERE, "Cohere", &["ON_DEMAND"]),
        fm(
            "anthropic.claude-sonnet-4-5-20250929-v1:0",
            "Anthropic",
            &["INFERENCE_PROFILE"],
        ),
    ];
    let profiles = [
        profile(&format!("us.{HAIKU}"), &[HAIKU]),
        profile(&format!("global.{OPUS}"), &[OPUS]),
        profile(&format!("us.{OPUS}"), &[OPUS]),
    ];
    let found = discover(
        &foundation,
        &profiles,
        &Discovery::default(),
        "us-east-1",
        &[],
    );
    // Haiku: the profile only. Opus: both profiles. Cohere: on demand, no profile.
    // Sonnet 4.5: no ON_DEMAND and no profile, so not offered.
    assert_eq!(
        ids(&found),
        [
            COHERE.to_owned(),
            format!("global.{OPUS}"),
            format!("us.{HAIKU}"),
            format!("us.{OPUS}")
        ]
    );
    let kinds: Vec<ModelEntryKind> = found.iter().map(|m| m.kind).collect();
    assert_eq!(kinds[0], ModelEntryKind::FoundationModel);
    assert!(kinds[1..]
        .iter()
        .all(|k| *k == ModelEntryKind::InferenceProfile));

    // Without profiles: foundation models with ON_DEMAND only.
    let settings = Discovery {
        include_inference_profiles: false,
        ..Discovery::default()
    };
    let found = discover(&foundation, &profiles, &settings, "us-east-1", &[]);
    assert_eq!(ids(&found), [HAIKU, COHERE]);
    assert!(found
        .iter()
        .all(|m| m.kind == ModelEntryKind::FoundationModel));
}

#[test]
fn profiles_inherit_backing_caps_else_table_else_defaults() {
    let mut haiku = fm(HAIKU, "Anthropic", &["INFERENCE_PROFILE"]);
    haiku.input_modalities = vec!["TEXT".into(), "IMAGE".into()];
    let profiles = [
        profile(&format!("us.{HAIKU}"), &[HAIKU]),
        // Backing model not in the list: the table by the profile's id.
        profile(&format!("eu.{OPUS}"), &[OPUS]),
        // Nothing known: the defaults.
        profile("us.acme.mystery-v1:0", &["acme.mystery-v1:0"]),
    ];
    let settings = Discovery {
        default_context_window: 1234,
        default_max_tokens: 56,
        ..Discovery::default()
    };
    let found = discover(&[haiku], &profiles, &settings, "eu-west-1", &[]);
    let by_id = |id: &str| found.iter().find(|m| m.id == id).expect(id).clone();
    let h = by_id(&format!("us.{HAIKU}"));
    assert_eq!(
        (h.context_window, h.max_tokens, h.reasoning),
        (200_000, 4096, false)
    );
    assert_eq!(h.input, ["text", "image"]);
    assert_eq!(h.region, "eu-west-1");
    assert_eq!(h.name, format!("profile us.{HAIKU}"));
    let o = by_id(&format!("eu.{OPUS}"));
    assert_eq!(
        (o.context_window, o.max_tokens, o.reasoning),
        (200_000, 32_000, true)
    );
    assert_eq!(o.input, ["text", "image"]);
    let m = by_id("us.acme.mystery-v1:0");
    assert_eq!(
        (m.context_window, m.max_tokens, m.reasoning),
        (1234, 56, false)
    );
    assert_eq!(m.input, ["text"]);
    assert_eq!(m.provider, "acme");
}

#[test]
fn configured_models_override_and_add() {
    let configured = [
        ConfiguredModel {
            id: COHERE.into(),
            name: Some("My Cohere".into()),
            reasoning: None,
            input: None,
            context_window: Some(64_000),
            max_tokens: None,
            cost: None,
        },
        ConfiguredModel {
            id: "arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/abc".into(),
            name: None,
            reasoning: Some(true),
            input: Some(vec!["text".into(), "image".into()]),
            context_window: None,
            max_tokens: Some(999),
            cost: None,
        },
    ];
    let found = discover(
        &[fm(COHERE, "Cohere", &["ON_DEMAND"])],
        &[],
        &Discovery::default(),
        "us-east-1",
        &configured,
    );
    assert_eq!(found.len(), 2);
    let app = &found[0];
    assert_eq!(app.kind, ModelEntryKind::Configured);
    assert_eq!(app.region, "eu-west-1");
    assert_eq!(
        (app.context_window, app.max_tokens, app.reasoning),
        (32_000, 999, true)
    );
    let cohere = &found[1];
    assert_eq!(cohere.kind, ModelEntryKind::FoundationModel);
    assert_eq!(
        (
            cohere.name.as_str(),
            cohere.context_window,
            cohere.max_tokens
        ),
        ("My Cohere", 64_000, 4096)
    );

    let json = serde_json::to_value(cohere).expect("json");
    assert_eq!(
        json,
        serde_json::json!({"id": COHERE, "name": "My Cohere", "provider": "cohere", "kind": "foundation-model",
            "region": "us-east-1", "contextWindow": 64000, "maxTokens": 4096, "reasoning": false,
            "input": ["text"], "streaming": true})
    );
    assert_eq!(
        serde_json::to_value(app).expect("json")["kind"],
        "configured"
    );
}

#[test]
fn an_amazon_bedrock_prefixed_model_is_the_same_model() {
    let configured = |id: String| ConfiguredModel {
        id,
        name: Some("Mine".into()),
        reasoning: Some(true),
        input: None,
        context_window: Some(100_000),
        max_tokens: None,
        cost: None,
    };
    let profiles = [profile(&format!("us.{OPUS}"), &[OPUS])];
    let foundation = [fm(OPUS, "Anthropic", &["INFERENCE_PROFILE"])];
    let found = discover(
        &foundation,
        &profiles,
        &Discovery::default(),
        "us-east-1",
        &[configured(format!("amazon-bedrock/us.{OPUS}"))],
    );
    assert_eq!(ids(&found), [format!("us.{OPUS}")]);
    let entry = &found[0];
    assert_eq!(entry.kind, ModelEntryKind::InferenceProfile);
    assert_eq!(
        (entry.name.as_str(), entry.context_window, entry.reasoning),
        ("Mine", 100_000, true)
    );

    // Not discovered: added once, under the id without the prefix.
    let found = discover(
        &[],
        &[],
        &Discovery::default(),
        "us-east-1",
        &[configured(format!("amazon-bedrock/{COHERE}"))],
    );
    assert_eq!(ids(&found), [COHERE]);
    assert_eq!(found[0].kind, ModelEntryKind::Configured);
    assert_eq!(found[0].provider, "cohere");

    // Both spellings configured: one row, the later one's values on top.
    let mut later = configured(COHERE.to_owned());
    later.name = Some("Later".into());
    let found = discover(
        &[fm(COHERE, "Cohere", &["ON_DEMAND"])],
        &[],
        &Discovery::default(),
        "us-east-1",
        &[configured(format!("amazon-bedrock/{COHERE}")), later],
    );
    assert_eq!(ids(&found), [COHERE]);
    assert_eq!(
        (found[0].name.as_str(), found[0].context_window),
        ("Later", 100_000)
    );
}

#[test]
fn output_is_deterministic() {
    let foundation = [
        fm(COHERE, "Cohere", &["ON_DEMAND"]),
        fm(HAIKU, "Anthropic", &["ON_DEMAND"]),
    ];
    let profiles = [
        profile(&format!("us.{OPUS}"), &[OPUS]),
        profile(&format!("eu.{OPUS}"), &[OPUS]),
    ];
    let a = discover(&foundation, &profiles, &Discovery::default(), "r", &[]);
    let mut reversed_f = foundation.to_vec();
    reversed_f.reverse();
    let mut reversed_p = profiles.to_vec();
    reversed_p.reverse();
    assert_eq!(
        a,
        discover(&reversed_f, &reversed_p, &Discovery::default(), "r", &[])
    );
}

#[test]
fn profile_hint_for_on_demand_errors() {
    let mut app = profile("abc", &[OPUS]);
    app.profile_type = "APPLICATION".into();
    let profiles = [
        app,
        profile(&format!("us.{OPUS}"), &[OPUS]),
        profile(&format!("global.{OPUS}"), &[OPUS]),
    ];
    assert_eq!(
        profile_for_model(OPUS, &profiles),
        Some(format!("us.{OPUS}"))
    );
    assert_eq!(
        profile_for_model(&format!("amazon-bedrock/{OPUS}"), &profiles[2..]),
        Some(format!("global.{OPUS}"))
    );
    assert_eq!(
        profile_for_model(OPUS, &profiles[..1]),
        Some("arn:aws:bedrock:us-east-1:123456789012:inference-profile/abc".to_owned())
    );
    assert_eq!(profile_for_model(COHERE, &profiles), None);
}
