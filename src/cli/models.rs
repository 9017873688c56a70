//! `bedrock-lite models list [--provider P] [--refresh]` and
//! `bedrock-lite models status [--probe]`.

use std::time::{Duration, Instant, SystemTime};

use bedrock_lite::bedrock::client::{Client, ClientConfig};
use bedrock_lite::bedrock::control::FoundationModelFilter;
use bedrock_lite::bedrock::error::BedrockError;
use bedrock_lite::config::{discovery_should_run, Config, DiscoveryMode};
use bedrock_lite::credentials::{Auth, ResolvedAuth};
use bedrock_lite::env::Env;
use bedrock_lite::models::cache::{credential_identity, default_dir, CacheKey, DiscoveryCache};
use bedrock_lite::models::discovery::{discover, DiscoveredModel};
use bedrock_lite::types::{FoundationModelSummary, InferenceProfileSummary};
use lexopt::Arg;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::args::{self, Globals};
use crate::context;
use crate::error::CliError;

/// What discovery fetched from one region: cached as it came.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Catalogue {
    foundation: Vec<FoundationModelSummary>,
    profiles: Vec<InferenceProfileSummary>,
}

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

/// Everything discovery needs, resolved once.
struct Setup {
    env: Env,
    config: Config,
    region: String,
    resolved: Option<ResolvedAuth>,
}

impl Setup {
    fn new(globals: &Globals, need_auth: bool) -> Result<Setup, CliError> {
        let env = Env::real();
        let config = context::read_config(globals, &env)?;
        let region = match &config.discovery.region {
            Some(region) if globals.region.is_none() => region.clone(),
            _ => context::resolve_region(globals, &env, &config)?,
        };
        let resolved = if need_auth {
            Some(context::resolve_auth(globals)?.0)
        } else {
            None
        };
        Ok(Setup {
            env,
            config,
            region,
            resolved,
        })
    }

    fn client(&self, globals: &Globals) -> Result<Client, CliError> {
        let client = Client::new(ClientConfig {
            env: self.env.clone(),
            profile: globals.profile.clone(),
            region: Some(self.region.clone()),
            endpoint_url: globals.endpoint_url.clone(),
            auth: self.resolved.as_ref().map(|r| r.auth.clone()),
            ..ClientConfig::default()
        })
        .map_err(|e| context::bedrock_failure(e, "discovery"))?;
        context::note_client(globals, &client);
        Ok(client)
    }

    fn cache(&self) -> (DiscoveryCache<Catalogue>, CacheKey) {
        let identity = match self.resolved.as_ref().map(|r| &r.auth) {
            Some(Auth::SigV4(credentials)) => credential_identity(&credentials.access_key_id),
            Some(Auth::Bearer(token)) => credential_identity(token.expose()),
            None => String::new(),
        };
        let key = CacheKey::new(&self.region, &identity, &self.config.discovery);
        let cache = DiscoveryCache::new(
            default_dir(&self.env),
            self.config.discovery.refresh_interval,
        );
        (cache, key)
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
    let env = Env::real();
    let probe_config = context::read_config(globals, &env)?;
    let run_discovery = discovery_should_run(&probe_config, &env);
    let setup = Setup::new(globals, run_discovery)?;
    let catalogue = if run_discovery {
        let client = setup.client(globals)?;
        let (cache, key) = setup.cache();
        let runtime = context::runtime()?;
        let cached = runtime
            .block_on(cache.get_or_refresh(
                &key,
                SystemTime::now(),
                refresh,
                fetch(&client, globals),
            ))
            .map_err(|e| context::bedrock_failure(e, "discovery"))?;
        if let Some(warning) = &cached.warning {
            eprintln!("warning: {warning}");
        }
        cached.value
    } else {
        if globals.verbose > 0 {
            eprintln!(
                "note: discovery is off (discovery.enabled is auto and no AWS_BEARER_TOKEN_BEDROCK, AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY or AWS_PROFILE is set); listing configured models"
            );
        }
        Catalogue::default()
    };
    let mut models = discover(
        &catalogue.foundation,
        &catalogue.profiles,
        &setup.config.discovery,
        &setup.region,
        &setup.config.models,
    );
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

/// Fetches the foundation models and every inference profile. Access denied on
/// ListInferenceProfiles is a warning: discovery goes on with foundation models.
async fn fetch(client: &Client, globals: &Globals) -> Result<Catalogue, BedrockError> {
    let foundation = client
        .list_foundation_models(&FoundationModelFilter::default())
        .await?;
    let mut profiles = Vec::new();
    for kind in ["SYSTEM_DEFINED", "APPLICATION"] {
        match client.list_inference_profiles(Some(kind)).await {
            Ok(page) => profiles.extend(page),
            Err(BedrockError::Service {
                status: 403,
                code,
                message,
                ..
            }) => {
                eprintln!(
                    "warning: ListInferenceProfiles ({kind}) refused: {code}: {message}; listing foundation models only (grant bedrock:ListInferenceProfiles)"
                );
            }
            Err(other) => return Err(other),
        }
    }
    if globals.verbose > 0 {
        eprintln!(
            "note: fetched {} foundation models and {} inference profiles",
            foundation.len(),
            profiles.len()
        );
    }
    Ok(Catalogue {
        foundation,
        profiles,
    })
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
    let setup = Setup::new(globals, true)?;
    let resolved = setup.resolved.as_ref();
    let mode = match setup.config.discovery.enabled {
        DiscoveryMode::Auto => "auto",
        DiscoveryMode::On => "on (forced)",
        DiscoveryMode::Off => "off",
    };
    let active = discovery_should_run(&setup.config, &setup.env);
    let (cache, key) = setup.cache();
    let runtime = context::runtime()?;
    let cache_age = runtime.block_on(cache.age(&key, SystemTime::now()));
    let source = resolved.map(|r| r.source.to_string()).unwrap_or_default();
    let mut report = json!({
        "region": setup.region,
        "credentialSource": source,
        "discovery": { "mode": mode, "active": active, "cacheAgeSeconds": cache_age.map(|a| a.as_secs()) },
    });
    let mut probe_error = None;
    if probe {
        let client = setup.client(globals)?;
        let started = Instant::now();
        let filter = FoundationModelFilter {
            by_output_modality: Some("TEXT".into()),
            ..FoundationModelFilter::default()
        };
        let result = runtime.block_on(client.list_foundation_models(&filter));
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
        println!("region:      {}", setup.region);
        println!("credentials: {source}");
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
    match error {
        BedrockError::Credentials(_) => "no usable credentials: run `bedrock-lite credentials` to see the chain",
        BedrockError::AuthRefused { .. } => "the credentials were refused: check the keys, the clock, or refresh the SSO session (`aws sso login`)",
        BedrockError::Service { status: 403, .. } => "access denied: grant bedrock:ListFoundationModels to this identity",
        BedrockError::Throttled { .. } => "throttled: try again shortly",
        BedrockError::Network(_) => "network failure: check the region, --endpoint-url and connectivity",
        BedrockError::Config(_) => "check --region, --endpoint-url and the config file",
        _ => "see the error above",
    }
}
