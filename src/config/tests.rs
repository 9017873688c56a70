use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::json;

use super::*;

/// A fresh directory under the system temp dir.
fn temp_dir() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "bedrock-lite-config-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn check(value: serde_json::Value) -> Result<(Config, Vec<String>), ConfigError> {
    Config::from_value(&value, "config.json")
}

fn error(value: serde_json::Value) -> String {
    check(value).expect_err("invalid").to_string()
}

#[test]
fn the_design_example_reads() {
    let (config, warnings) = check(json!({
      "region": "us-east-1",
      "model": "us.anthropic.claude-sonnet-4-6-20251001-v1:0",
      "discovery": {
        "enabled": "auto", "region": "us-east-1", "providerFilter": ["anthropic", "amazon"],
        "refreshInterval": 3600, "defaultContextWindow": 32000, "defaultMaxTokens": 4096,
        "includeInferenceProfiles": true
      },
      "guardrail": { "guardrailIdentifier": "abc123", "guardrailVersion": "1",
        "streamProcessingMode": "sync", "trace": "enabled" },
      "models": [
        { "id": "us.anthropic.claude-opus-4-6-v1:0", "name": "Claude Opus 4.6", "reasoning": true,
          "input": ["text", "image"], "contextWindow": 200000, "maxTokens": 8192,
          "cost": { "input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0 } }
      ],
      "embeddings": { "model": "amazon.titan-embed-text-v2:0", "dimensions": 1024 }
    }))
    .expect("valid");
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(config.region.as_deref(), Some("us-east-1"));
    assert_eq!(config.discovery.provider_filter, ["anthropic", "amazon"]);
    assert_eq!(config.discovery.enabled, DiscoveryMode::Auto);
    let guardrail = config.guardrail.expect("guardrail");
    assert_eq!(
        guardrail.stream_processing_mode,
        Some(GuardrailStreamProcessingMode::Sync)
    );
    let model = &config.models[0];
    assert_eq!(
        (model.context_window, model.max_tokens),
        (Some(200_000), Some(8192))
    );
    assert_eq!(model.cost, Some(Cost::default()));
    assert_eq!(
        config.embeddings.expect("embeddings").dimensions,
        Some(1024)
    );
}

#[test]
fn defaults_and_modes() {
    let (config, _) = check(json!({})).expect("valid");
    assert_eq!(config, Config::default());
    assert_eq!(config.discovery.refresh_interval, 3600);
    assert_eq!(config.discovery.default_context_window, 32_000);
    assert_eq!(config.discovery.default_max_tokens, 4096);
    assert!(config.discovery.include_inference_profiles);
    for (value, mode) in [
        (json!(true), DiscoveryMode::On),
        (json!(false), DiscoveryMode::Off),
        (json!("auto"), DiscoveryMode::Auto),
    ] {
        let (config, _) =
            check(json!({"discovery": {"enabled": value, "refreshInterval": 0}})).expect("valid");
        assert_eq!(config.discovery.enabled, mode);
        assert_eq!(config.discovery.refresh_interval, 0);
    }
}

#[test]
fn errors_name_the_file_and_the_key() {
    let cases = [
        (json!({"guardrail": {"guardrailIdentifier": "g", "guardrailVersion": "1", "streamProcessingMode": "fast"}}),
         "config.json: guardrail.streamProcessingMode: expected \"sync\" or \"async\", got \"fast\""),
        (json!({"guardrail": {"guardrailIdentifier": "g", "guardrailVersion": "1", "trace": "on"}}),
         "config.json: guardrail.trace: expected \"enabled\", \"disabled\" or \"enabled_full\", got \"on\""),
        (json!({"guardrail": {"guardrailVersion": "1"}}), "config.json: guardrail.guardrailIdentifier: is required"),
        (json!({"discovery": {"enabled": "yes"}}), "config.json: discovery.enabled: expected \"auto\", true or false, got \"yes\""),
        (json!({"discovery": {"refreshInterval": -1}}), "config.json: discovery.refreshInterval: expected a whole number"),
        (json!({"discovery": {"defaultContextWindow": 0}}), "config.json: discovery.defaultContextWindow: expected a whole number from 1"),
        (json!({"discovery": {"providerFilter": "anthropic"}}), "config.json: discovery.providerFilter: expected a list of strings"),
        (json!({"discovery": {"providerFilter": ["a", 3]}}), "config.json: discovery.providerFilter[1]: expected a string"),
        (json!({"discovery": {"includeInferenceProfiles": "yes"}}), "config.json: discovery.includeInferenceProfiles: expected true or false"),
        (json!({"discovery": []}), "config.json: discovery: expected an object, got a list"),
        (json!({"region": 5}), "config.json: region: expected a string, got a number"),
        (json!({"model": "bad model"}), "config.json: model: invalid model ref"),
        (json!({"models": [{"id": "a.b"}, {"name": "x"}]}), "config.json: models[1].id: is required"),
        (json!({"models": [{"id": "a.b", "input": ["text", "smell"]}]}), "config.json: models[0].input[1]: expected one of text, image"),
        (json!({"models": [{"id": "a.b", "cost": {"input": -1}}]}), "config.json: models[0].cost.input: expected a number of at least 0"),
        (json!({"embeddings": {"dimensions": 3}}), "config.json: embeddings.model: is required"),
        (json!([1]), "config.json: the top level is not a JSON object"),
    ];
    for (value, expected) in cases {
        let message = error(value);
        assert!(
            message.starts_with(expected),
            "{message}\n  expected {expected}"
        );
        assert!(!message.contains('\n'));
    }
}

#[test]
fn unknown_keys_are_warnings() {
    let (config, warnings) = check(json!({
        "discovery": {"refreshIntervl": 5, "region": "eu-west-1"},
        "colour": "blue",
        "models": [{"id": "a.b", "extra": 1}]
    }))
    .expect("valid");
    assert_eq!(config.discovery.region.as_deref(), Some("eu-west-1"));
    assert_eq!(
        warnings,
        [
            "config.json: unknown key colour",
            "config.json: unknown key discovery.refreshIntervl",
            "config.json: unknown key models[0].extra",
        ]
    );
}

#[test]
fn guardrail_configs() {
    let guardrail = Guardrail {
        guardrail_identifier: "abc123".into(),
        guardrail_version: "DRAFT".into(),
        stream_processing_mode: Some(GuardrailStreamProcessingMode::Async),
        trace: Some(GuardrailTrace::EnabledFull),
    };
    let converse = serde_json::to_value(guardrail.to_converse_config()).expect("json");
    assert_eq!(
        converse,
        json!({"guardrailIdentifier": "abc123", "guardrailVersion": "DRAFT", "trace": "enabled_full"})
    );
    let stream = serde_json::to_value(guardrail.to_stream_config()).expect("json");
    assert_eq!(stream["streamProcessingMode"], "async");
    assert_eq!(stream["trace"], "enabled_full");
}

#[test]
fn discovery_runs_by_mode_and_env_markers() {
    let auto = Config::default();
    let run = |config: &Config, vars: &[(&str, &str)]| {
        discovery_should_run(config, &Env::from_vars(vars.iter().copied()))
    };
    assert!(!run(&auto, &[]));
    assert!(run(&auto, &[("AWS_BEARER_TOKEN_BEDROCK", "t")]));
    assert!(run(&auto, &[("AWS_PROFILE", "dev")]));
    assert!(run(
        &auto,
        &[
            ("AWS_ACCESS_KEY_ID", "AKIA"),
            ("AWS_SECRET_ACCESS_KEY", "s")
        ]
    ));
    assert!(!run(&auto, &[("AWS_ACCESS_KEY_ID", "AKIA")]));
    assert!(!run(
        &auto,
        &[("AWS_PROFILE", "  "), ("AWS_BEARER_TOKEN_BEDROCK", "")]
    ));
    let mut on = Config::default();
    on.discovery.enabled = DiscoveryMode::On;
    assert!(run(&on, &[]));
    let mut off = Config::default();
    off.discovery.enabled = DiscoveryMode::Off;
    assert!(!run(&off, &[("AWS_PROFILE", "dev")]));
}

#[test]
fn locations() {
    let env = Env::from_vars([("HOME", "/home/ann")]);
    let found = locate(None, &env).expect("path");
    assert_eq!(
        found.path,
        Path::new("/home/ann/.config/bedrock-lite/config.json")
    );
    assert!(!found.explicit);
    let env = Env::from_vars([("HOME", "/home/ann"), ("XDG_CONFIG_HOME", "/xdg")]);
    assert_eq!(
        locate(None, &env).expect("path").path,
        Path::new("/xdg/bedrock-lite/config.json")
    );
    let env = Env::from_vars([("HOME", "/home/ann"), ("XDG_CONFIG_HOME", "relative")]);
    assert_eq!(
        locate(None, &env).expect("path").path,
        Path::new("/home/ann/.config/bedrock-lite/config.json")
    );
    let env = Env::from_vars([("BEDROCK_LITE_CONFIG", "/etc/b.json"), ("HOME", "/h")]);
    let found = locate(None, &env).expect("path");
    assert_eq!(
        (found.path.as_path(), found.explicit),
        (Path::new("/etc/b.json"), true)
    );
    let flag = locate(Some(Path::new("/flag.json")), &env).expect("path");
    assert_eq!(flag.path, Path::new("/flag.json"));
    assert_eq!(locate(None, &Env::from_vars([("X", "y")])), None);
}

#[test]
fn missing_files() {
    let dir = temp_dir();
    let default = ConfigLocation {
        path: dir.join("config.json"),
        explicit: false,
    };
    assert_eq!(
        Config::load(&default).expect("empty"),
        (Config::default(), Vec::new())
    );
    let explicit = ConfigLocation {
        explicit: true,
        ..default
    };
    assert!(Config::load(&explicit)
        .expect_err("missing")
        .to_string()
        .ends_with("config.json: no such file"));
}

#[test]
fn dotted_keys_round_trip_and_save_atomically() {
    let dir = temp_dir();
    let path = dir.join("nested").join("config.json");
    let mut doc = ConfigDocument::load(&path).expect("missing is empty");
    assert!(!doc.exists());
    doc.set("discovery.providerFilter", r#"["anthropic"]"#)
        .expect("set");
    doc.set("discovery.region", "eu-west-1").expect("set");
    doc.set("discovery.enabled", "true").expect("set");
    doc.set("discovery.refreshInterval", "0").expect("set");
    doc.set("models", r#"[{"id": "a.b"}]"#).expect("set");
    doc.set("models.0.name", "Mine").expect("set");
    doc.set("models[0].maxTokens", "100").expect("set");
    assert!(doc.save().expect("saved").is_empty());
    assert!(!std::fs::read_dir(path.parent().expect("dir"))
        .expect("dir")
        .any(|e| {
            e.map(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
                .unwrap_or(false)
        }));

    let doc = ConfigDocument::load(&path).expect("load");
    assert_eq!(
        doc.get("discovery.region").expect("key"),
        Some(&json!("eu-west-1"))
    );
    assert_eq!(
        doc.get("discovery.providerFilter").expect("key"),
        Some(&json!(["anthropic"]))
    );
    assert_eq!(
        doc.get("discovery.enabled").expect("key"),
        Some(&json!(true))
    );
    assert_eq!(
        doc.get("models[0].name").expect("key"),
        Some(&json!("Mine"))
    );
    assert_eq!(
        doc.get("models.0.maxTokens").expect("key"),
        Some(&json!(100))
    );
    assert_eq!(doc.get("discovery.nothing").expect("key"), None);
    assert_eq!(doc.get("region.deeper").expect("key"), None);
    let (config, _) = Config::load(&ConfigLocation {
        path: path.clone(),
        explicit: true,
    })
    .expect("valid");
    assert_eq!(config.discovery.enabled, DiscoveryMode::On);
    assert_eq!(config.models[0].max_tokens, Some(100));

    let mut doc = doc;
    assert!(doc.unset("discovery.region").expect("unset"));
    assert!(!doc.unset("discovery.region").expect("unset"));
    assert!(doc.unset("models[0]").expect("unset"));
    doc.save().expect("saved");
    let doc = ConfigDocument::load(&path).expect("load");
    assert_eq!(doc.get("discovery.region").expect("key"), None);
    assert_eq!(doc.get("models").expect("key"), Some(&json!([])));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn invalid_documents_are_not_saved() {
    let dir = temp_dir();
    let path = dir.join("config.json");
    let mut doc = ConfigDocument::load(&path).expect("empty");
    doc.set("guardrail.streamProcessingMode", "fast")
        .expect("set");
    let message = doc.save().expect_err("invalid").to_string();
    assert!(
        message.contains("guardrail.guardrailIdentifier: is required"),
        "{message}"
    );
    assert!(!path.exists());
    doc.set("guardrail.guardrailIdentifier", "g").expect("set");
    doc.set("guardrail.guardrailVersion", "1").expect("set");
    let message = doc.save().expect_err("invalid").to_string();
    assert!(
        message.contains(
            "guardrail.streamProcessingMode: expected \"sync\" or \"async\", got \"fast\""
        ),
        "{message}"
    );
    assert!(!path.exists());
    doc.set("guardrail.streamProcessingMode", "sync")
        .expect("set");
    doc.set("discovery.refreshIntervl", "5").expect("set");
    let warnings = doc.save().expect("valid");
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].ends_with("unknown key discovery.refreshIntervl"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_keys_and_non_objects() {
    let mut doc = ConfigDocument::empty("config.json");
    for key in ["", "a..b", ".a", "a.", "a[x]", "a[0", "a[0]b"] {
        let message = doc.set(key, "1").expect_err(key).to_string();
        assert!(
            message.starts_with("config.json: ") && message.contains("invalid key"),
            "{message}"
        );
    }
    doc.set("region", "us-east-1").expect("set");
    let message = doc
        .set("region.x", "1")
        .expect_err("not an object")
        .to_string();
    assert_eq!(
        message,
        "config.json: region.x: cannot set it: `region` is a string, not an object"
    );
    doc.set("models", "[]").expect("set");
    assert!(doc.set("models.3", "{}").is_err());
    assert!(doc.set("models.0.id", "a").is_err());
    doc.set("models.0", r#"{"id": "a.b"}"#).expect("append");
    assert_eq!(doc.get("models[0].id").expect("get"), Some(&json!("a.b")));
}

#[test]
fn unreadable_documents_name_the_file() {
    let dir = temp_dir();
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("config.json");
    std::fs::write(&path, "{ nope").expect("write");
    let message = ConfigDocument::load(&path)
        .expect_err("not json")
        .to_string();
    assert!(
        message.starts_with(&format!("{}: not valid JSON", path.display())),
        "{message}"
    );
    std::fs::write(&path, "[]").expect("write");
    assert!(ConfigDocument::load(&path).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}
