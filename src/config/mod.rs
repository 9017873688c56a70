//! The config file (DESIGN.md, "Config file"): where it lives ([`locate`]), its
//! typed form ([`Config`], read and validated by [`Config::from_value`]), the
//! raw JSON document that `bedrock-lite config get/set/unset` edits by dotted
//! key ([`ConfigDocument`]), OpenClaw's names for our keys ([`canonical_key`]),
//! and the import of an OpenClaw config ([`openclaw`], read by [`json5`]).
//!
//! A missing file is an empty config, wherever its path came from (as a missing
//! `AWS_CONFIG_FILE` is for the AWS SDKs). Invalid values are errors that name
//! the file and the dotted key at fault
//! (`config.json: guardrail.streamProcessingMode: expected "sync" or "async", got "fast"`);
//! unknown keys are warnings that name a known key when one is close
//! (`config.json: unknown key discovery.refreshIntervl (did you mean discovery.refreshInterval?)`).
//! The file is written private (`0600`, its folder `0700`) and atomically.

mod document;
pub mod json5;
mod keys;
pub mod openclaw;
mod private_file;
mod validate;

use std::fmt;
use std::path::{Path, PathBuf};

use crate::credentials::profile::location::home_dir;
use crate::env::Env;
use crate::types::{GuardrailConfiguration, GuardrailStreamProcessingMode, GuardrailTrace};

pub use document::ConfigDocument;
pub use keys::{canonical_key, suggest};
pub(crate) use private_file::shared_mode;
pub use private_file::write_atomically;

/// The environment variable that names the config file.
pub const CONFIG_ENV_VAR: &str = "BEDROCK_LITE_CONFIG";

/// The config file, validated. Every key is optional; see DESIGN.md.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// `region`: the default region.
    pub region: Option<String>,
    /// `model`: the default model ref.
    pub model: Option<String>,
    /// `discovery`: model discovery settings (read in every build; without
    /// the `discovery` feature they have no effect).
    pub discovery: Discovery,
    /// `guardrail`: the guardrail applied to every Converse call.
    pub guardrail: Option<Guardrail>,
    /// `models`: models added or overridden by hand.
    pub models: Vec<ConfiguredModel>,
    /// `embeddings`: the default embedding model (read in every build;
    /// without the `embeddings` feature it has no effect).
    pub embeddings: Option<Embeddings>,
    /// `endpoints`: the Bedrock endpoints to use instead of the region's.
    pub endpoints: Endpoints,
    /// `gateway`: the OpenAI-compatible gateway (`bedrock-lite serve`).
    pub gateway: Gateway,
}

/// `discovery.enabled`: when model discovery runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum DiscoveryMode {
    /// `"auto"` (the default): only when an AWS env marker is present.
    #[default]
    Auto,
    /// `true`: always (for IMDS, SSO, shared-file auth).
    On,
    /// `false`: never.
    Off,
}

/// The `discovery` object.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Discovery {
    /// `enabled`: `"auto"`, `true` or `false`.
    pub enabled: DiscoveryMode,
    /// `region`: the region discovery asks (else the resolved region).
    pub region: Option<String>,
    /// `providerFilter`: provider names to keep (case-insensitive); empty keeps all.
    pub provider_filter: Vec<String>,
    /// `refreshInterval`: cache lifetime in seconds; 0 turns caching off.
    pub refresh_interval: u64,
    /// `defaultContextWindow`: for models nothing else describes.
    pub default_context_window: u32,
    /// `defaultMaxTokens`: for models nothing else describes.
    pub default_max_tokens: u32,
    /// `includeInferenceProfiles`: list inference profiles too.
    pub include_inference_profiles: bool,
}

impl Default for Discovery {
    fn default() -> Self {
        Discovery {
            enabled: DiscoveryMode::Auto,
            region: None,
            provider_filter: Vec::new(),
            refresh_interval: 3600,
            default_context_window: 32_000,
            default_max_tokens: 4096,
            include_inference_profiles: true,
        }
    }
}

/// The `guardrail` object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guardrail {
    /// `guardrailIdentifier`: the guardrail id or ARN.
    pub guardrail_identifier: String,
    /// `guardrailVersion`: a version number or `DRAFT`.
    pub guardrail_version: String,
    /// `streamProcessingMode`: `"sync"` or `"async"` (ConverseStream only).
    pub stream_processing_mode: Option<GuardrailStreamProcessingMode>,
    /// `trace`: `"enabled"`, `"disabled"` or `"enabled_full"`.
    pub trace: Option<GuardrailTrace>,
}

impl Guardrail {
    /// The `guardrailConfig` of a Converse request (no `streamProcessingMode`).
    pub fn to_converse_config(&self) -> GuardrailConfiguration {
        GuardrailConfiguration {
            guardrail_identifier: Some(self.guardrail_identifier.clone()),
            guardrail_version: Some(self.guardrail_version.clone()),
            trace: self.trace.clone(),
            stream_processing_mode: None,
        }
    }

    /// The `guardrailConfig` of a ConverseStream request (with `streamProcessingMode`).
    pub fn to_stream_config(&self) -> GuardrailConfiguration {
        GuardrailConfiguration {
            stream_processing_mode: self.stream_processing_mode.clone(),
            ..self.to_converse_config()
        }
    }
}

/// One entry of `models`: a model added by hand, or overrides for a discovered one.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfiguredModel {
    /// `id`: the model ref.
    pub id: String,
    /// `name`: a display name.
    pub name: Option<String>,
    /// `reasoning`: whether the model reasons.
    pub reasoning: Option<bool>,
    /// `input`: input modalities (`text`, `image`, `document`, `video`, `audio`).
    pub input: Option<Vec<String>>,
    /// `contextWindow`: tokens.
    pub context_window: Option<u32>,
    /// `maxTokens`: most output tokens.
    pub max_tokens: Option<u32>,
    /// `cost`: prices per million tokens.
    pub cost: Option<Cost>,
}

/// `models[].cost`: prices per million tokens.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Cost {
    /// `input`.
    pub input: f64,
    /// `output`.
    pub output: f64,
    /// `cacheRead`.
    pub cache_read: f64,
    /// `cacheWrite`.
    pub cache_write: f64,
}

/// The `embeddings` object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Embeddings {
    /// `model`: the embedding model id.
    pub model: String,
    /// `dimensions`: the output size.
    pub dimensions: Option<u32>,
}

/// The `endpoints` object: base URLs for the two Bedrock services, as
/// `--endpoint-url` gives for both. Each is an `https://` URL (or `http://` to a
/// loopback host), stored without a trailing `/`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Endpoints {
    /// `runtime`: the `bedrock-runtime` endpoint (Converse, InvokeModel, ...).
    pub runtime: Option<String>,
    /// `control`: the `bedrock` control-plane endpoint (model and profile lists).
    pub control: Option<String>,
}

/// The `gateway` object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gateway {
    /// `maxConcurrent`: requests served at once (default 256).
    pub max_concurrent: u32,
    /// `keys`: the keys clients may use; none serves unauthenticated on loopback.
    pub keys: Vec<GatewayKey>,
    /// `promptCaching`: whether the gateway adds cache points itself.
    pub prompt_caching: PromptCaching,
    /// `keepaliveSeconds`: silence before a `: keepalive` line in a stream (default 15).
    pub keepalive_seconds: u32,
    /// `idleTimeoutSeconds`: how long a request may stall (a body that stops
    /// arriving → 408; a stream the client stops reading is dropped) (default 30).
    pub idle_timeout_seconds: u32,
    /// `listen`: `HOST:PORT` to serve on, when `--listen` is not given.
    pub listen: Option<String>,
}

impl Default for Gateway {
    fn default() -> Self {
        Gateway {
            max_concurrent: 256,
            keys: Vec::new(),
            prompt_caching: PromptCaching::default(),
            keepalive_seconds: 15,
            idle_timeout_seconds: 30,
            listen: None,
        }
    }
}

/// `gateway.promptCaching`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum PromptCaching {
    /// `"auto"`: cache points after the system prompt and after the tools.
    Auto,
    /// `"off"` (the default): only the cache points clients ask for.
    #[default]
    Off,
}

/// One entry of `gateway.keys`: a client key, stored as its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayKey {
    /// `name`: who holds the key (unique).
    pub name: String,
    /// `sha256`: the SHA-256 of the key, 64 lower-case hex digits.
    pub sha256: String,
    /// `models`: the model refs the key may use; `None` allows every model.
    pub models: Option<Vec<String>>,
    /// `rpm`: requests per minute allowed.
    pub rpm: Option<u32>,
    /// `tpm`: tokens per minute allowed.
    pub tpm: Option<u32>,
}

/// A config file that cannot be used: one line naming the file and the key.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConfigError {
    /// The file, as it is shown.
    pub file: String,
    /// The dotted key at fault (`guardrail.trace`, `models[0].id`); `None` for
    /// the file as a whole (unreadable, not JSON).
    pub key: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl ConfigError {
    fn new(file: &str, key: Option<&str>, message: impl Into<String>) -> Self {
        ConfigError {
            file: file.to_owned(),
            key: key.map(str::to_owned),
            message: message.into().replace(['\n', '\r'], " "),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.key {
            Some(key) => write!(f, "{}: {key}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

/// Where the config file is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigLocation {
    /// The path in use.
    pub path: PathBuf,
}

/// The config file: `flag` (`--config FILE`), else `$BEDROCK_LITE_CONFIG`, else
/// `$XDG_CONFIG_HOME/bedrock-lite/config.json`, else
/// `~/.config/bedrock-lite/config.json`; `None` when there is no home either.
pub fn locate(flag: Option<&Path>, env: &Env) -> Option<ConfigLocation> {
    let path = match flag
        .map(Path::to_path_buf)
        .or_else(|| env.non_blank_var(CONFIG_ENV_VAR).map(PathBuf::from))
    {
        Some(named) => named,
        None => xdg_dir(env, "XDG_CONFIG_HOME", ".config")?
            .join("bedrock-lite")
            .join("config.json"),
    };
    Some(ConfigLocation { path })
}

/// An XDG base directory: `$VAR` when it is an absolute path, else `~/fallback`.
pub(crate) fn xdg_dir(env: &Env, var: &str, fallback: &str) -> Option<PathBuf> {
    env.non_blank_var(var)
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| home_dir(env).map(|home| Path::new(&home).join(fallback)))
}

impl Config {
    /// Reads and validates the config file at `location`; a missing file is an
    /// empty config. Returns the config and the unknown-key warnings.
    pub fn load(location: &ConfigLocation) -> Result<(Config, Vec<String>), ConfigError> {
        ConfigDocument::load(&location.path)?.validate()
    }

    /// Validates a parsed config document; errors and warnings name `file`.
    pub fn from_value(
        value: &serde_json::Value,
        file: &str,
    ) -> Result<(Config, Vec<String>), ConfigError> {
        validate::config(value, file)
    }
}

/// Whether model discovery runs: `true` forces it, `false` turns it off, and
/// `"auto"` runs only when an env marker is present (`AWS_BEARER_TOKEN_BEDROCK`,
/// `AWS_ACCESS_KEY_ID` with `AWS_SECRET_ACCESS_KEY`, or `AWS_PROFILE`, non-blank).
pub fn discovery_should_run(config: &Config, env: &Env) -> bool {
    match config.discovery.enabled {
        DiscoveryMode::On => true,
        DiscoveryMode::Off => false,
        DiscoveryMode::Auto => {
            let set = |name| env.non_blank_var(name).is_some();
            set("AWS_BEARER_TOKEN_BEDROCK")
                || (set("AWS_ACCESS_KEY_ID") && set("AWS_SECRET_ACCESS_KEY"))
                || set("AWS_PROFILE")
        }
    }
}

#[cfg(test)]
mod tests;
