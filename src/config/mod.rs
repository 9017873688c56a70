//! The config file (DESIGN.md, "Config file"): where it lives ([`locate`]), its
//! typed form ([`Config`], read and validated by [`Config::from_value`]), and
//! the raw JSON document that `bedrock-lite config get/set/unset` edits by
//! dotted key ([`ConfigDocument`]).
//!
//! Invalid values are errors that name the file and the dotted key at fault
//! (`config.json: guardrail.streamProcessingMode: expected "sync" or "async", got "fast"`);
//! unknown keys are warnings (`config.json: unknown key discovery.refreshIntervl`).

mod document;
mod validate;

use std::fmt;
use std::path::{Path, PathBuf};

use crate::credentials::profile::location::home_dir;
use crate::env::Env;
use crate::types::{GuardrailConfiguration, GuardrailStreamProcessingMode, GuardrailTrace};

pub use document::ConfigDocument;

/// The environment variable that names the config file.
pub const CONFIG_ENV_VAR: &str = "BEDROCK_LITE_CONFIG";

/// The config file, validated. Every key is optional; see DESIGN.md.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// `region`: the default region.
    pub region: Option<String>,
    /// `model`: the default model ref.
    pub model: Option<String>,
    /// `discovery`: model discovery settings.
    pub discovery: Discovery,
    /// `guardrail`: the guardrail applied to every Converse call.
    pub guardrail: Option<Guardrail>,
    /// `models`: models added or overridden by hand.
    pub models: Vec<ConfiguredModel>,
    /// `embeddings`: the default embedding model.
    pub embeddings: Option<Embeddings>,
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

/// A config file that cannot be used: one line naming the file and the key.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// Where the config file is, and whether the user named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigLocation {
    /// The path in use.
    pub path: PathBuf,
    /// `true` when `--config` or `$BEDROCK_LITE_CONFIG` named it (then a missing
    /// file is an error when loading); `false` for the default path.
    pub explicit: bool,
}

/// The config file: `flag` (`--config FILE`), else `$BEDROCK_LITE_CONFIG`, else
/// `$XDG_CONFIG_HOME/bedrock-lite/config.json`, else
/// `~/.config/bedrock-lite/config.json`; `None` when there is no home either.
pub fn locate(flag: Option<&Path>, env: &Env) -> Option<ConfigLocation> {
    let explicit = flag
        .map(Path::to_path_buf)
        .or_else(|| env.non_blank_var(CONFIG_ENV_VAR).map(PathBuf::from));
    if let Some(path) = explicit {
        return Some(ConfigLocation {
            path,
            explicit: true,
        });
    }
    let path = xdg_dir(env, "XDG_CONFIG_HOME", ".config")?
        .join("bedrock-lite")
        .join("config.json");
    Some(ConfigLocation {
        path,
        explicit: false,
    })
}

/// An XDG base directory: `$VAR` when it is an absolute path, else `~/fallback`.
pub(crate) fn xdg_dir(env: &Env, var: &str, fallback: &str) -> Option<PathBuf> {
    env.non_blank_var(var)
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| home_dir(env).map(|home| Path::new(&home).join(fallback)))
}

impl Config {
    /// Reads and validates the config file at `location`; a missing default file
    /// is an empty config. Returns the config and the unknown-key warnings.
    pub fn load(location: &ConfigLocation) -> Result<(Config, Vec<String>), ConfigError> {
        let document = ConfigDocument::load(&location.path)?;
        if !document.exists() && location.explicit {
            return Err(ConfigError::new(
                &document.display_name(),
                None,
                "no such file",
            ));
        }
        document.validate()
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

/// Writes `bytes` to `path` atomically: a temporary file in the same directory
/// (created if missing), then a rename over the target.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.{nanos}.tmp", std::process::id()));
    let written = std::fs::write(&temp, bytes).and_then(|()| std::fs::rename(&temp, path));
    if written.is_err() {
        // Best effort: do not leave the temporary file behind.
        let _ = std::fs::remove_file(&temp);
    }
    written
}

#[cfg(test)]
mod tests;
