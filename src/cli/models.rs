//! `bedrock-lite models list [--provider P] [--refresh]` and
//! `bedrock-lite models status [--probe]`.

use std::time::{Duration, Instant};

use bedrock_lite::bedrock::control::FoundationModelFilter;
use bedrock_lite::bedrock::error::BedrockError;
use bedrock_lite::config::DiscoveryMode;
use bedrock_lite::models::discovery::DiscoveredModel;
use bedrock_lite::transport::ServiceErrorKind;
use lexopt::Arg;
use serde_json::json;

use crate::args::{self, Globals};
use crate::context;
use crate::error::CliError;

/// Runs `bedrock-lite models ...`.
pub fn run(parser: &mut lexopt::Parser, globals: &mut Globals) -> Result<(), CliError> {
    match args::next_word(parser, globals)?.as_deref() {
        Some("list") => list(parser, globals),
        Some("status") => status(parser, globals),
        Some(other) => Err(CliError::usage(format!(
            "unknown subcommand `models {other}`; expected `models list` or `models status`"
        ))),
        None => Err(CliError::usage("expected `models list` or `models status`")),
    }
}

fn list(parser: &mut lexopt::Parser, globals: &mut Globals) -> Result<(), CliError> {
    let mut provider: Option<String> = None;
    let mut refresh = false;
    while let Some(flag) = args::next_flag(parser, globals)? {
        match flag.as_arg() {
            Arg::Long("provider") => provider = Some(args::string_value(parser, "--provider")?),
            Arg::Long("refresh") => refresh = true,
            other => return Err(args::unexpected(&other, "models list")),
        }
    }
    let client = context::client(globals, None)?;
    if !client.discovery_is_active() && globals.verbose > 0 {
        eprintln!(
            "note: discovery is off (discovery.enabled is auto and no AWS_BEARER_TOKEN_BEDROCK, AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY or AWS_PROFILE is set); listing configured models"
        );
    }
    let found = context::runtime()?
        .block_on(client.discover_models(refresh))
        .map_err(|e| context::bedrock_failure(e, "discovery"))?;
    for warning in &found.warnings {
        eprintln!("warning: {warning}");
    }
    let mut models = found.models;
    if let Some(wanted) = &provider {
        models.retain(|m| m.provider.eq_ignore_ascii_case(wanted.trim()));
    }
    if globals.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&models).unwrap_or_else(|_| "[]".to_owned())
        );
    } else {
        print!("{}", table(&models));
    }
    Ok(())
}

/// The readable table of `models list`.
fn table(models: &[DiscoveredModel]) -> String {
    let mut rows = vec![[
        "ID".to_owned(),
        "KIND".to_owned(),
        "PROVIDER".to_owned(),
        "CONTEXT".to_owned(),
        "MAX OUT".to_owned(),
        "INPUT".to_owned(),
        "REASONING".to_owned(),
    ]];
    for m in models {
        rows.push([
            m.id.clone(),
            serde_json::to_value(m.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            m.provider.clone(),
            m.context_window.to_string(),
            m.max_tokens.to_string(),
            m.input.join(","),
            if m.reasoning { "yes" } else { "" }.to_owned(),
        ]);
    }
    let widths: Vec<usize> = (0..7)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in &rows {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    if models.is_empty() {
        out.push_str("(no models: turn discovery on with `bedrock-lite config set discovery.enabled true`, or add `models` to the config)\n");
    }
    out
}

fn status(parser: &mut lexopt::Parser, globals: &mut Globals) -> Result<(), CliError> {
    let mut probe = false;
    while let Some(flag) = args::next_flag(parser, globals)? {
        match flag.as_arg() {
            Arg::Long("probe") => probe = true,
            other => return Err(args::unexpected(&other, "models status")),
        }
    }
    let client = context::client(globals, None)?;
    let settings = client.settings();
    let runtime = context::runtime()?;
    let mode = match settings.config.discovery.enabled {
        DiscoveryMode::Auto => "auto",
        DiscoveryMode::On => "on (forced)",
        DiscoveryMode::Off => "off",
    };
    let active = client.discovery_is_active();
    let credentials = runtime.block_on(settings.credentials.resolve());
    let (source, credentials_error) = match &credentials {
        Ok(resolved) => (resolved.source.to_string(), None),
        Err(error) => ("none".to_owned(), Some(error.to_string())),
    };
    let cache_age = match credentials {
        Ok(_) => runtime.block_on(client.discovery_cache_age()),
        Err(_) => None,
    };
    let region = client.discovery_region().to_owned();
    let mut report = json!({
        "region": region,
        "credentialSource": source,
        "discovery": { "mode": mode, "active": active, "cacheAgeSeconds": cache_age.map(|a| a.as_secs()) },
    });
    if let Some(why) = &credentials_error {
        report["credentialsError"] = json!(why);
    }
    let mut probe_error = None;
    if probe {
        let started = Instant::now();
        let filter = FoundationModelFilter {
            by_output_modality: Some("TEXT".into()),
            ..FoundationModelFilter::default()
        };
        let result = runtime.block_on(client.list_foundation_models_in(&region, &filter));
        let latency = started.elapsed();
        report["probe"] = match &result {
            Ok(models) => {
                json!({ "ok": true, "operation": "ListFoundationModels", "latencyMs": millis(latency), "models": models.len() })
            }
            Err(e) => {
                json!({ "ok": false, "operation": "ListFoundationModels", "latencyMs": millis(latency), "error": e.to_string(), "hint": hint(e) })
            }
        };
        probe_error = result.err();
    }
    if globals.json {
        println!("{report}");
    } else {
        println!("region:      {region}");
        match &credentials_error {
            None => println!("credentials: {source}"),
            Some(why) => println!("credentials: none ({why})"),
        }
        println!(
            "discovery:   {mode}{}",
            if active { ", active" } else { ", inactive" }
        );
        match cache_age {
            Some(age) => println!("cache:       {} s old", age.as_secs()),
            None => println!("cache:       empty"),
        }
        if let Some(probe) = report.get("probe") {
            if probe["ok"] == true {
                println!(
                    "probe:       ok, ListFoundationModels in {} ms",
                    probe["latencyMs"]
                );
            } else {
                println!(
                    "probe:       FAILED: {}",
                    probe["error"].as_str().unwrap_or("")
                );
                println!("hint:        {}", probe["hint"].as_str().unwrap_or(""));
            }
        }
    }
    match probe_error {
        Some(error) => Err(context::bedrock_failure(error, "probe")),
        None => Ok(()),
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// What to do about a failed probe.
fn hint(error: &BedrockError) -> &'static str {
    match (error, error.service_kind()) {
        (BedrockError::Credentials(_), _) => "no usable credentials: run `bedrock-lite credentials` to see the chain",
        (_, Some(ServiceErrorKind::AuthRefused)) => "the credentials were refused: check the keys, the clock, or refresh the SSO session (`aws sso login`)",
        (BedrockError::Service(e), _) if e.status == 403 => "access denied: grant bedrock:ListFoundationModels to this identity",
        (_, Some(ServiceErrorKind::Throttled)) => "throttled: try again shortly",
        (BedrockError::Network { .. }, _) => "network failure: check the region, --endpoint-url and connectivity",
        (BedrockError::Config(_), _) => "check --region, --endpoint-url and the config file",
        _ => "see the error above",
    }
}
