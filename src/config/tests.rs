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
            "config.json: unknown key discovery.refreshIntervl (did you mean discovery.refreshInterval?)",
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
    assert_eq!(found.path, Path::new("/etc/b.json"));
    let flag = locate(Some(Path::new("/flag.json")), &env).expect("path");
    assert_eq!(flag.path, Path::new("/flag.json"));
    assert_eq!(locate(None, &Env::from_vars([("X", "y")])), None);
}

#[test]
fn a_missing_file_is_an_empty_config() {
    let dir = temp_dir();
    for path in [dir.join("config.json"), dir.join("no").join("folder.json")] {
        let location = ConfigLocation { path };
        assert_eq!(
            Config::load(&location).expect("empty"),
            (Config::default(), Vec::new())
        );
    }
    assert!(!dir.exists());
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
    let (config, _) = Config::load(&ConfigLocation { path: path.clone() }).expect("valid");
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
    assert!(warnings[0].ends_with(
        "unknown key discovery.refreshIntervl (did you mean discovery.refreshInterval?)"
    ));
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

#[test]
fn endpoints_are_checked_urls() {
    let (config, warnings) = check(json!({"endpoints": {
        "runtime": "https://vpce-1.bedrock-runtime.us-east-1.vpce.amazonaws.com/",
        "control": "http://localhost:4599"
    }}))
    .expect("valid");
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(
        config.endpoints,
        Endpoints {
            runtime: Some("https://vpce-1.bedrock-runtime.us-east-1.vpce.amazonaws.com".into()),
            control: Some("http://localhost:4599".into()),
        }
    );
    for (value, expected) in [
        (json!({"endpoints": {"runtime": "http://example.com"}}),
         "config.json: endpoints.runtime: expected an http(s) URL: plain http:// is only allowed to a loopback host"),
        (json!({"endpoints": {"control": "ftp://example.com"}}),
         "config.json: endpoints.control: expected an http(s) URL: the scheme must be http or https"),
        (json!({"endpoints": {"control": "https://user:pw@example.com"}}),
         "config.json: endpoints.control: expected an http(s) URL: the URL must not contain a user name or password"),
        (json!({"endpoints": {"runtime": "not a url"}}), "config.json: endpoints.runtime: expected an http(s) URL: "),
        (json!({"endpoints": "https://example.com"}), "config.json: endpoints: expected an object, got a string"),
    ] {
        let message = error(value);
        assert!(message.starts_with(expected), "{message}\n  expected {expected}");
        assert!(!message.contains("pw@"), "{message}");
    }
}

#[test]
fn the_gateway_object() {
    let hash = "AB".repeat(32);
    let (config, warnings) = check(json!({"gateway": {
        "maxConcurrent": 8, "promptCaching": "auto", "keepaliveSeconds": 5, "idleTimeoutSeconds": 7, "listen": "[::1]:0",
        "keys": [
            {"name": "team-a", "sha256": hash, "models": ["amazon-bedrock/us.anthropic.claude-sonnet-4-6"], "rpm": 60},
            {"name": "team-b", "sha256": "0".repeat(64), "tpm": 1000}
        ]
    }}))
    .expect("valid");
    assert!(warnings.is_empty(), "{warnings:?}");
    let gateway = config.gateway;
    assert_eq!(
        (
            gateway.max_concurrent,
            gateway.prompt_caching,
            gateway.keepalive_seconds,
            gateway.idle_timeout_seconds
        ),
        (8, PromptCaching::Auto, 5, 7)
    );
    assert_eq!(gateway.listen.as_deref(), Some("[::1]:0"));
    assert_eq!(gateway.keys[0].sha256, "ab".repeat(32));
    assert_eq!(gateway.keys[0].rpm, Some(60));
    assert_eq!(gateway.keys[1].models, None);
    assert_eq!(gateway.keys[1].tpm, Some(1000));
    assert_eq!(Config::default().gateway, Gateway::default());
    assert_eq!(Gateway::default().max_concurrent, 256);
    assert_eq!(Gateway::default().prompt_caching, PromptCaching::Off);

    let key = |extra: serde_json::Value| {
        let mut key = json!({"name": "k", "sha256": "a".repeat(64)});
        if let (Some(key), Some(extra)) = (key.as_object_mut(), extra.as_object()) {
            key.extend(extra.clone());
        }
        key
    };
    for (value, expected) in [
        (
            json!({"gateway": {"promptCaching": "always"}}),
            "config.json: gateway.promptCaching: expected \"auto\" or \"off\", got \"always\"",
        ),
        (
            json!({"gateway": {"maxConcurrent": 0}}),
            "config.json: gateway.maxConcurrent: expected a whole number from 1",
        ),
        (
            json!({"gateway": {"listen": "localhost"}}),
            "config.json: gateway.listen: expected HOST:PORT",
        ),
        (
            json!({"gateway": {"listen": "host:99999"}}),
            "config.json: gateway.listen: expected HOST:PORT",
        ),
        (
            json!({"gateway": {"keys": {}}}),
            "config.json: gateway.keys: expected a list, got an object",
        ),
        (
            json!({"gateway": {"keys": [key(json!({"sha256": "abc"}))]}}),
            "config.json: gateway.keys[0].sha256: expected the key's SHA-256 as 64 hex digits",
        ),
        (
            json!({"gateway": {"keys": [key(json!({"name": null}))]}}),
            "config.json: gateway.keys[0].name: is required",
        ),
        (
            json!({"gateway": {"keys": [key(json!({})), key(json!({}))]}}),
            "config.json: gateway.keys[1].name: \"k\" is already the name of gateway.keys[0]",
        ),
        (
            json!({"gateway": {"keys": [key(json!({"models": ["ok.model", "bad model"]}))]}}),
            "config.json: gateway.keys[0].models[1]: invalid model ref",
        ),
        (
            json!({"gateway": {"keys": [key(json!({"rpm": 0}))]}}),
            "config.json: gateway.keys[0].rpm: expected a whole number from 1",
        ),
    ] {
        let message = error(value);
        assert!(
            message.starts_with(expected),
            "{message}\n  expected {expected}"
        );
    }
    let (_, warnings) =
        check(json!({"gateway": {"keepalive": 3, "keys": [key(json!({"modles": []}))]}}))
            .expect("valid");
    assert_eq!(
        warnings,
        [
            "config.json: unknown key gateway.keepalive",
            "config.json: unknown key gateway.keys[0].modles (did you mean gateway.keys[0].models?)",
        ]
    );
}

#[test]
fn misspelt_top_level_keys_name_the_known_one() {
    let (_, warnings) =
        check(json!({"gaurdrail": {"trace": "enabled"}, "modle": "x.y"})).expect("valid");
    assert_eq!(
        warnings,
        [
            "config.json: unknown key gaurdrail (did you mean guardrail?)",
            "config.json: unknown key modle (did you mean model?)",
        ]
    );
}

#[test]
fn documents_from_values() {
    let doc = ConfigDocument::with_value("c.json", json!({"region": "eu-west-1"})).expect("object");
    assert_eq!(doc.get("region").expect("key"), Some(&json!("eu-west-1")));
    assert!(!doc.exists());
    let message = ConfigDocument::with_value("c.json", json!([1]))
        .expect_err("not an object")
        .to_string();
    assert_eq!(message, "c.json: the top level is not a JSON object");
}

#[cfg(unix)]
#[test]
fn saving_keeps_the_file_private_and_says_when_it_was_not() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir();
    let path = dir.join("folder").join("config.json");
    let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
    let mut doc = ConfigDocument::load(&path).expect("empty");
    doc.set("region", "eu-west-1").expect("set");
    assert!(doc.save().expect("saved").is_empty());
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&dir.join("folder")), 0o700);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let warnings = doc.save().expect("saved");
    assert_eq!(
        warnings,
        [format!(
            "{}: was mode 0644, open to other users; written back as 0600",
            path.display()
        )]
    );
    assert_eq!(mode(&path), 0o600);
    assert!(doc.save().expect("saved").is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}
