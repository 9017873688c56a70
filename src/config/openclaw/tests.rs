use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::config::{json5, Config};

fn run(source: Value) -> Import {
    import(&source, "config.json").expect("an object imports")
}

fn left_out(import: &Import) -> Vec<(&str, Option<&str>)> {
    import
        .left_out
        .iter()
        .map(|l| (l.path.as_str(), l.reason.as_deref()))
        .collect()
}

fn imported(import: &Import) -> Vec<(&str, &str)> {
    import
        .imported
        .iter()
        .map(|i| (i.key.as_str(), i.from.as_str()))
        .collect()
}

/// The OpenClaw docs' Bedrock examples, together, as JSON5.
const OPENCLAW: &str = r#"{
  // from the provider page
  models: {
    bedrockDiscovery: { enabled: false, region: 'us-west-2', includeInferenceProfiles: false },
    providers: {
      "amazon-bedrock": {
        baseUrl: "https://bedrock-runtime.us-east-1.amazonaws.com",
        api: "bedrock-converse-stream",
        auth: "aws-sdk",
        apiKey: "do-not-print-me",
        models: [
          {
            id: "amazon-bedrock/us.anthropic.claude-opus-4-6-v1:0",
            name: "Claude Opus 4.6 (Bedrock)",
            reasoning: true,
            input: ["text", "image"],
            cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, currency: 'USD' },
            contextWindow: 200000,
            maxTokens: 8192,
            compat: { x: 1 },
          },
          { id: "openai/gpt-5" },
          { name: "no id" },
        ],
      },
      openai: { apiKey: "sk-secret" },
    },
  },
  agents: {
    defaults: {
      model: { primary: "amazon-bedrock/us.anthropic.claude-opus-4-6-v1:0", fallbacks: [] },
      memorySearch: { provider: "bedrock", model: "amazon.titan-embed-text-v2:0" },
      workspace: "~/work",
    },
  },
  plugins: {
    entries: {
      "amazon-bedrock": {
        enabled: true,
        config: {
          discovery: { enabled: true, region: "us-east-1", providerFilter: ["anthropic", "amazon"],
                       refreshInterval: 3600, defaultContextWindow: 32000, defaultMaxTokens: 4096 },
          guardrail: { guardrailIdentifier: "abc123", guardrailVersion: "1",
                       streamProcessingMode: "sync", trace: "enabled" },
        },
      },
      telegram: { config: { token: "secret" } },
    },
  },
  channels: { telegram: { botToken: "secret" } },
}"#;

#[test]
fn the_openclaw_docs_examples_import() {
    let source = json5::parse(OPENCLAW).expect("JSON5");
    let import = run(source);
    assert_eq!(
        import.document,
        json!({
            "region": "us-east-1",
            "model": "us.anthropic.claude-opus-4-6-v1:0",
            "discovery": {
                "enabled": true, "region": "us-east-1", "providerFilter": ["anthropic", "amazon"],
                "refreshInterval": 3600, "defaultContextWindow": 32000, "defaultMaxTokens": 4096,
                "includeInferenceProfiles": false,
            },
            "guardrail": { "guardrailIdentifier": "abc123", "guardrailVersion": "1",
                           "streamProcessingMode": "sync", "trace": "enabled" },
            "models": [{
                "id": "us.anthropic.claude-opus-4-6-v1:0", "name": "Claude Opus 4.6 (Bedrock)",
                "reasoning": true, "input": ["text", "image"],
                "cost": { "input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0 },
                "contextWindow": 200000, "maxTokens": 8192,
            }],
            "embeddings": { "model": "amazon.titan-embed-text-v2:0" },
        })
    );
    let (config, warnings) = Config::from_value(&import.document, "config.json").expect("valid");
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(config.models.len(), 1);

    let imported = imported(&import);
    assert!(imported.contains(&("model", "agents.defaults.model.primary")));
    assert!(imported.contains(&("embeddings.model", "agents.defaults.memorySearch.model")));
    assert!(imported.contains(&("region", "models.providers.amazon-bedrock.baseUrl")));
    assert!(imported.contains(&("models[0]", "models.providers.amazon-bedrock.models[0]")));
    assert!(imported.contains(&(
        "discovery.includeInferenceProfiles",
        "models.bedrockDiscovery.includeInferenceProfiles"
    )));
    assert!(imported.contains(&(
        "guardrail.trace",
        "plugins.entries.amazon-bedrock.config.guardrail.trace"
    )));
    let region_note = import
        .imported
        .iter()
        .find(|i| i.key == "region")
        .and_then(|i| i.note.clone());
    assert_eq!(
        region_note.as_deref(),
        Some("the standard endpoint of us-east-1")
    );

    let left = left_out(&import);
    for expected in [
        ("agents.defaults.model.fallbacks", None),
        ("agents.defaults.workspace", None),
        ("channels", None),
        (
            "models.bedrockDiscovery.enabled",
            Some("overridden by plugins.entries.amazon-bedrock.config.discovery.enabled"),
        ),
        (
            "models.bedrockDiscovery.region",
            Some("overridden by plugins.entries.amazon-bedrock.config.discovery.region"),
        ),
        ("models.providers.amazon-bedrock.api", None),
        ("models.providers.amazon-bedrock.apiKey", None),
        ("models.providers.amazon-bedrock.auth", None),
        ("models.providers.amazon-bedrock.models[0].compat", None),
        (
            "models.providers.amazon-bedrock.models[0].cost.currency",
            None,
        ),
        (
            "models.providers.amazon-bedrock.models[1]",
            Some("a \"openai\" model, not an Amazon Bedrock one"),
        ),
        (
            "models.providers.amazon-bedrock.models[2]",
            Some("models[1].id: is required"),
        ),
        ("models.providers.openai", None),
        ("plugins.entries.amazon-bedrock.enabled", None),
        ("plugins.entries.telegram", None),
    ] {
        assert!(left.contains(&expected), "{expected:?} not in {left:#?}");
    }
    assert_eq!(left.len(), 15, "{left:#?}");
    // Only paths are reported: no value reaches the lists.
    let shown = format!("{:?}{:?}", import.imported, import.left_out);
    assert!(
        !shown.contains("secret") && !shown.contains("do-not-print-me"),
        "{shown}"
    );
}

#[test]
fn base_urls() {
    for (url, expected) in [
        (
            "https://bedrock-runtime.eu-central-1.amazonaws.com/",
            json!({"region": "eu-central-1"}),
        ),
        (
            "https://bedrock-runtime.cn-north-1.amazonaws.com.cn",
            json!({"region": "cn-north-1"}),
        ),
        (
            "https://bedrock-runtime.us-east-1.api.aws",
            json!({"endpoints": {"runtime": "https://bedrock-runtime.us-east-1.api.aws"}}),
        ),
        (
            "https://proxy.example.com/bedrock/",
            json!({"endpoints": {"runtime": "https://proxy.example.com/bedrock/"}}),
        ),
        (
            "http://127.0.0.1:4599",
            json!({"endpoints": {"runtime": "http://127.0.0.1:4599"}}),
        ),
    ] {
        let import = run(json!({"models": {"providers": {"amazon-bedrock": {"baseUrl": url}}}}));
        assert_eq!(import.document, expected, "{url}");
    }
    let import = run(
        json!({"models": {"providers": {"amazon-bedrock": {"baseUrl": "http://example.com"}}}}),
    );
    assert_eq!(import.document, json!({}));
    let (path, reason) = left_out(&import)[0];
    assert_eq!(path, "models.providers.amazon-bedrock.baseUrl");
    assert!(
        reason.is_some_and(
            |r| r.starts_with("endpoints.runtime: expected an http(s) URL: plain http://")
        ),
        "{reason:?}"
    );
}

#[test]
fn refused_values_are_left_out_and_the_rest_imported() {
    let import = run(json!({
        "plugins": {"entries": {"amazon-bedrock": {"config": {
            "discovery": {"enabled": "sometimes", "region": "eu-west-1", "refreshIntervl": 5},
            "guardrail": {"trace": "enabled"},
        }}}},
        "agents": {"defaults": {"model": "amazon-bedrock/bad model"}},
    }));
    assert_eq!(
        import.document,
        json!({"discovery": {"region": "eu-west-1"}})
    );
    let left = left_out(&import);
    assert!(
        left.contains(&(
            "plugins.entries.amazon-bedrock.config.discovery.enabled",
            Some("discovery.enabled: expected \"auto\", true or false, got \"sometimes\"")
        )),
        "{left:#?}"
    );
    assert!(left.contains(&(
        "plugins.entries.amazon-bedrock.config.discovery.refreshIntervl",
        Some("bedrock-lite has no discovery.refreshIntervl; did you mean discovery.refreshInterval?")
    )), "{left:#?}");
    assert!(
        left.contains(&(
            "plugins.entries.amazon-bedrock.config.guardrail.trace",
            Some("guardrail.guardrailIdentifier: is required")
        )),
        "{left:#?}"
    );
    assert!(
        left.iter()
            .any(|(path, reason)| *path == "agents.defaults.model"
                && reason.is_some_and(|r| r.contains("invalid model ref"))),
        "{left:#?}"
    );
}

#[test]
fn models_and_memory_search_of_other_providers_stay_out() {
    let import = run(json!({"agents": {"defaults": {
        "model": {"primary": "openai/gpt-5"},
        "memorySearch": {"provider": "openai", "model": "text-embedding-3-small"},
    }}}));
    assert_eq!(import.document, json!({}));
    assert_eq!(
        left_out(&import),
        [
            (
                "agents.defaults.memorySearch",
                Some("its provider is \"openai\", not \"bedrock\"")
            ),
            (
                "agents.defaults.model.primary",
                Some("a \"openai\" model, not an Amazon Bedrock one")
            ),
        ]
    );
    let import = run(json!({"agents": {"defaults": {
        "model": "amazon-bedrock/global.anthropic.claude-sonnet-4-6",
        "memorySearch": {"model": "cohere.embed-v4:0"},
    }}}));
    assert_eq!(
        import.document,
        json!({"model": "global.anthropic.claude-sonnet-4-6", "embeddings": {"model": "cohere.embed-v4:0"}})
    );
    let import = run(
        json!({"agents": {"defaults": {"memorySearch": {"provider": "auto", "model": "text-embedding-3-small"}}}}),
    );
    assert_eq!(import.document, json!({}));
}

#[test]
fn only_objects_import() {
    for source in [json!([]), json!("x"), json!(null)] {
        let error = import(&source, "config.json").expect_err("not an object");
        assert_eq!(
            error.to_string(),
            "config.json: the OpenClaw config's top level is not an object"
        );
    }
    assert_eq!(run(json!({})).document, json!({}));
}

/// OpenClaw-shaped values: the paths the import reads, with any JSON below.
fn openclaw_like() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "[a-z./:-]{0,12}".prop_map(Value::String),
        Just(json!("amazon-bedrock/us.anthropic.claude-opus-4-6-v1:0")),
        Just(json!("https://bedrock-runtime.us-east-1.amazonaws.com")),
    ];
    let names = prop::sample::select(vec![
        "models",
        "providers",
        "amazon-bedrock",
        "baseUrl",
        "bedrockDiscovery",
        "plugins",
        "entries",
        "config",
        "discovery",
        "guardrail",
        "agents",
        "defaults",
        "model",
        "primary",
        "memorySearch",
        "provider",
        "id",
        "cost",
        "input",
        "enabled",
        "region",
        "trace",
        "guardrailIdentifier",
        "guardrailVersion",
        "contextWindow",
        "x",
    ]);
    leaf.prop_recursive(7, 96, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(names.clone(), inner, 0..6).prop_map(|m| {
                Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            }),
        ]
    })
}

proptest! {
    #[test]
    fn any_import_is_a_valid_config(source in openclaw_like()) {
        if let Ok(import) = import(&source, "config.json") {
            prop_assert!(Config::from_value(&import.document, "config.json").is_ok());
            prop_assert!(import.imported.iter().all(|i| keys::shape_of(&i.key).is_some()));
        }
    }
}
