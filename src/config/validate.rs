//! Reads a config document into [`Config`], checking every value and naming
//! the dotted key of the first bad one; unknown keys become warnings.

use serde_json::{Map, Value};

use super::keys::{self, Field};
use super::{
    Config, ConfigError, ConfiguredModel, Cost, Discovery, DiscoveryMode, Embeddings, Endpoints,
    Gateway, GatewayKey, Guardrail, PromptCaching,
};
use crate::endpoint::{self, EndpointError, EndpointSettings, Service};
use crate::env::Env;
use crate::model_ref::ModelRef;
use crate::types::{GuardrailStreamProcessingMode, GuardrailTrace};

/// The input modalities a `models[].input` list may name.
const MODALITIES: &[&str] = &["text", "image", "document", "video", "audio"];

/// The reading context: the file for messages, and the warnings so far.
struct Reader<'f> {
    file: &'f str,
    warnings: Vec<String>,
}

/// One JSON object being read: its dotted path and its members.
struct Obj<'v> {
    path: String,
    map: &'v Map<String, Value>,
}

impl<'f> Reader<'f> {
    fn error(&self, key: &str, message: impl Into<String>) -> ConfigError {
        ConfigError::new(self.file, Some(key), message)
    }

    /// `value` as an object at `path`, warning about members not in `known`
    /// (naming the known key that an unknown one may be a misspelling of).
    fn object<'v>(
        &mut self,
        value: &'v Value,
        path: &str,
        known: &[Field],
    ) -> Result<Obj<'v>, ConfigError> {
        let Value::Object(map) = value else {
            return Err(self.error(path, format!("expected an object, got {}", kind(value))));
        };
        for key in map
            .keys()
            .filter(|k| !known.iter().any(|f| f.name == k.as_str()))
        {
            let dotted = join(path, key);
            let hint = keys::suggest(&dotted)
                .map(|known| format!(" (did you mean {known}?)"))
                .unwrap_or_default();
            self.warnings
                .push(format!("{}: unknown key {dotted}{hint}", self.file));
        }
        Ok(Obj {
            path: path.to_owned(),
            map,
        })
    }

    /// A member, `None` when absent or `null`.
    fn member<'v>(&self, obj: &Obj<'v>, key: &str) -> (String, Option<&'v Value>) {
        (
            join(&obj.path, key),
            obj.map.get(key).filter(|v| !v.is_null()),
        )
    }

    fn string(&self, obj: &Obj<'_>, key: &str) -> Result<Option<String>, ConfigError> {
        match self.member(obj, key) {
            (_, None) => Ok(None),
            (path, Some(Value::String(s))) if s.trim().is_empty() => {
                Err(self.error(&path, "expected a non-empty string, got \"\""))
            }
            (_, Some(Value::String(s))) => Ok(Some(s.clone())),
            (path, Some(other)) => {
                Err(self.error(&path, format!("expected a string, got {}", kind(other))))
            }
        }
    }

    fn required_string(&self, obj: &Obj<'_>, key: &str) -> Result<String, ConfigError> {
        self.string(obj, key)?
            .ok_or_else(|| self.error(&join(&obj.path, key), "is required"))
    }

    fn model_ref(&self, obj: &Obj<'_>, key: &str) -> Result<Option<String>, ConfigError> {
        let value = self.string(obj, key)?;
        if let Some(text) = &value {
            ModelRef::parse(text).map_err(|e| self.error(&join(&obj.path, key), e.to_string()))?;
        }
        Ok(value)
    }

    /// A Bedrock endpoint URL, checked as `--endpoint-url` is, in its
    /// normalised form (no trailing `/`).
    fn endpoint_url(&self, obj: &Obj<'_>, key: &str) -> Result<Option<String>, ConfigError> {
        let Some(url) = self.string(obj, key)? else {
            return Ok(None);
        };
        let settings = EndpointSettings {
            endpoint_url: Some(&url),
            ..EndpointSettings::default()
        };
        // Only the URL matters here: no region, no endpoint variables.
        let no_env = Env::from_vars(std::iter::empty::<(String, String)>());
        match endpoint::resolve(Service::BedrockRuntime, &settings, &no_env) {
            Ok(endpoint) => Ok(Some(endpoint.url)),
            Err(EndpointError::InvalidUrl { reason, .. }) => Err(self.error(
                &join(&obj.path, key),
                format!("expected an http(s) URL: {reason}"),
            )),
            Err(other) => Err(self.error(&join(&obj.path, key), other.to_string())),
        }
    }

    fn bool(&self, obj: &Obj<'_>, key: &str) -> Result<Option<bool>, ConfigError> {
        match self.member(obj, key) {
            (_, None) => Ok(None),
            (_, Some(Value::Bool(b))) => Ok(Some(*b)),
            (path, Some(other)) => Err(self.error(
                &path,
                format!("expected true or false, got {}", kind(other)),
            )),
        }
    }

    /// A whole number from `min` to `u32::MAX`.
    fn integer(&self, obj: &Obj<'_>, key: &str, min: u64) -> Result<Option<u64>, ConfigError> {
        self.integer_up_to(obj, key, min, u64::from(u32::MAX))
    }

    fn integer_up_to(
        &self,
        obj: &Obj<'_>,
        key: &str,
        min: u64,
        max: u64,
    ) -> Result<Option<u64>, ConfigError> {
        match self.member(obj, key) {
            (_, None) => Ok(None),
            (path, Some(value)) => match value.as_u64() {
                Some(n) if (min..=max).contains(&n) => Ok(Some(n)),
                _ => Err(self.error(
                    &path,
                    format!(
                        "expected a whole number from {min} to {max}, got {}",
                        show(value)
                    ),
                )),
            },
        }
    }

    fn u32(&self, obj: &Obj<'_>, key: &str) -> Result<Option<u32>, ConfigError> {
        Ok(self
            .integer(obj, key, 1)?
            .and_then(|n| u32::try_from(n).ok()))
    }

    fn price(&self, obj: &Obj<'_>, key: &str) -> Result<f64, ConfigError> {
        match self.member(obj, key) {
            (_, None) => Ok(0.0),
            (path, Some(value)) => match value.as_f64() {
                Some(n) if n.is_finite() && n >= 0.0 => Ok(n),
                _ => Err(self.error(
                    &path,
                    format!("expected a number of at least 0, got {}", show(value)),
                )),
            },
        }
    }

    /// A list of non-empty strings, each checked by `allowed` when given.
    fn string_list(
        &self,
        obj: &Obj<'_>,
        key: &str,
        allowed: Option<&[&str]>,
    ) -> Result<Option<Vec<String>>, ConfigError> {
        let (path, value) = self.member(obj, key);
        let Some(value) = value else {
            return Ok(None);
        };
        let Value::Array(items) = value else {
            return Err(self.error(
                &path,
                format!("expected a list of strings, got {}", kind(value)),
            ));
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let at = format!("{path}[{i}]");
                match item {
                    Value::String(s) if s.trim().is_empty() => {
                        Err(self.error(&at, "expected a non-empty string, got \"\""))
                    }
                    Value::String(s) => match allowed {
                        Some(list) if !list.contains(&s.as_str()) => Err(self.error(
                            &at,
                            format!("expected one of {}, got {}", list.join(", "), show(item)),
                        )),
                        _ => Ok(s.clone()),
                    },
                    other => {
                        Err(self.error(&at, format!("expected a string, got {}", kind(other))))
                    }
                }
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// A string from a fixed set, as `T`.
    fn choice<T: for<'s> From<&'s str>>(
        &self,
        obj: &Obj<'_>,
        key: &str,
        choices: &[&str],
    ) -> Result<Option<T>, ConfigError> {
        let (path, value) = self.member(obj, key);
        match value {
            None => Ok(None),
            Some(Value::String(s)) if choices.contains(&s.as_str()) => Ok(Some(T::from(s))),
            Some(other) => {
                let quoted: Vec<String> = choices.iter().map(|c| format!("\"{c}\"")).collect();
                Err(self.error(
                    &path,
                    format!("expected {}, got {}", or_list(&quoted), show(other)),
                ))
            }
        }
    }
}

/// Validates a whole config document.
pub(super) fn config(value: &Value, file: &str) -> Result<(Config, Vec<String>), ConfigError> {
    let mut reader = Reader {
        file,
        warnings: Vec::new(),
    };
    let root = reader
        .object(value, "", keys::ROOT)
        .map_err(|_| ConfigError::new(file, None, "the top level is not a JSON object"))?;
    let mut config = Config {
        region: reader.string(&root, "region")?,
        model: reader.model_ref(&root, "model")?,
        ..Config::default()
    };
    if let (path, Some(value)) = reader.member(&root, "discovery") {
        config.discovery = discovery(&mut reader, value, &path)?;
    }
    if let (path, Some(value)) = reader.member(&root, "guardrail") {
        config.guardrail = Some(guardrail(&mut reader, value, &path)?);
    }
    if let (path, Some(value)) = reader.member(&root, "models") {
        let Value::Array(items) = value else {
            return Err(reader.error(&path, format!("expected a list, got {}", kind(value))));
        };
        for (i, item) in items.iter().enumerate() {
            config.models.push(configured_model(
                &mut reader,
                item,
                &format!("{path}[{i}]"),
            )?);
        }
    }
    if let (path, Some(value)) = reader.member(&root, "embeddings") {
        let obj = reader.object(value, &path, keys::EMBEDDINGS)?;
        config.embeddings = Some(Embeddings {
            model: reader.required_string(&obj, "model")?,
            dimensions: reader.u32(&obj, "dimensions")?,
        });
    }
    if let (path, Some(value)) = reader.member(&root, "endpoints") {
        let obj = reader.object(value, &path, keys::ENDPOINTS)?;
        config.endpoints = Endpoints {
            runtime: reader.endpoint_url(&obj, "runtime")?,
            control: reader.endpoint_url(&obj, "control")?,
        };
    }
    if let (path, Some(value)) = reader.member(&root, "gateway") {
        config.gateway = gateway(&mut reader, value, &path)?;
    }
    Ok((config, reader.warnings))
}

fn gateway(reader: &mut Reader<'_>, value: &Value, path: &str) -> Result<Gateway, ConfigError> {
    let obj = reader.object(value, path, keys::GATEWAY)?;
    let defaults = Gateway::default();
    let mut keys = Vec::new();
    if let (keys_path, Some(value)) = reader.member(&obj, "keys") {
        let Value::Array(items) = value else {
            return Err(reader.error(&keys_path, format!("expected a list, got {}", kind(value))));
        };
        for (i, item) in items.iter().enumerate() {
            let at = format!("{keys_path}[{i}]");
            let key = gateway_key(reader, item, &at)?;
            if let Some(first) = keys.iter().position(|k: &GatewayKey| k.name == key.name) {
                return Err(reader.error(
                    &format!("{at}.name"),
                    format!("{:?} is already the name of {keys_path}[{first}]", key.name),
                ));
            }
            keys.push(key);
        }
    }
    let listen = reader.string(&obj, "listen")?;
    if let Some(listen) = &listen {
        if !is_host_port(listen) {
            return Err(reader.error(
                &join(path, "listen"),
                format!("expected HOST:PORT (like 127.0.0.1:4600), got {listen:?}"),
            ));
        }
    }
    Ok(Gateway {
        max_concurrent: reader
            .u32(&obj, "maxConcurrent")?
            .unwrap_or(defaults.max_concurrent),
        keys,
        prompt_caching: match reader
            .choice::<String>(&obj, "promptCaching", &["auto", "off"])?
            .as_deref()
        {
            Some("auto") => PromptCaching::Auto,
            Some(_) => PromptCaching::Off,
            None => defaults.prompt_caching,
        },
        keepalive_seconds: reader
            .u32(&obj, "keepaliveSeconds")?
            .unwrap_or(defaults.keepalive_seconds),
        idle_timeout_seconds: reader
            .u32(&obj, "idleTimeoutSeconds")?
            .unwrap_or(defaults.idle_timeout_seconds),
        listen,
    })
}

fn gateway_key(
    reader: &mut Reader<'_>,
    value: &Value,
    path: &str,
) -> Result<GatewayKey, ConfigError> {
    let obj = reader.object(value, path, keys::GATEWAY_KEY)?;
    let name = reader.required_string(&obj, "name")?;
    let sha256 = reader.required_string(&obj, "sha256")?.to_ascii_lowercase();
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(reader.error(
            &join(path, "sha256"),
            "expected the key's SHA-256 as 64 hex digits",
        ));
    }
    let models = reader.string_list(&obj, "models", None)?;
    for (i, model) in models.iter().flatten().enumerate() {
        ModelRef::parse(model)
            .map_err(|e| reader.error(&format!("{path}.models[{i}]"), e.to_string()))?;
    }
    Ok(GatewayKey {
        name,
        sha256,
        models,
        rpm: reader.u32(&obj, "rpm")?,
        tpm: reader.u32(&obj, "tpm")?,
    })
}

/// `HOST:PORT`: a non-empty host (an IPv6 address in brackets) and a port number.
fn is_host_port(text: &str) -> bool {
    let Some((host, port)) = text.rsplit_once(':') else {
        return false;
    };
    let host_ok = match host.strip_prefix('[') {
        Some(v6) => v6
            .strip_suffix(']')
            .is_some_and(|ip| ip.parse::<std::net::Ipv6Addr>().is_ok()),
        None => !host.is_empty() && !host.contains([':', '/', ' ']),
    };
    host_ok && port.parse::<u16>().is_ok()
}

fn discovery(reader: &mut Reader<'_>, value: &Value, path: &str) -> Result<Discovery, ConfigError> {
    let obj = reader.object(value, path, keys::DISCOVERY)?;
    let defaults = Discovery::default();
    let enabled = match reader.member(&obj, "enabled") {
        (_, None) => DiscoveryMode::Auto,
        (_, Some(Value::Bool(true))) => DiscoveryMode::On,
        (_, Some(Value::Bool(false))) => DiscoveryMode::Off,
        (_, Some(Value::String(s))) if s == "auto" => DiscoveryMode::Auto,
        (path, Some(other)) => {
            return Err(reader.error(
                &path,
                format!("expected \"auto\", true or false, got {}", show(other)),
            ))
        }
    };
    Ok(Discovery {
        enabled,
        region: reader.string(&obj, "region")?,
        provider_filter: reader
            .string_list(&obj, "providerFilter", None)?
            .unwrap_or_default(),
        refresh_interval: reader
            .integer_up_to(&obj, "refreshInterval", 0, u64::from(u32::MAX))?
            .unwrap_or(defaults.refresh_interval),
        default_context_window: reader
            .u32(&obj, "defaultContextWindow")?
            .unwrap_or(defaults.default_context_window),
        default_max_tokens: reader
            .u32(&obj, "defaultMaxTokens")?
            .unwrap_or(defaults.default_max_tokens),
        include_inference_profiles: reader
            .bool(&obj, "includeInferenceProfiles")?
            .unwrap_or(defaults.include_inference_profiles),
    })
}

fn guardrail(reader: &mut Reader<'_>, value: &Value, path: &str) -> Result<Guardrail, ConfigError> {
    let obj = reader.object(value, path, keys::GUARDRAIL)?;
    Ok(Guardrail {
        guardrail_identifier: reader.required_string(&obj, "guardrailIdentifier")?,
        // `config set guardrail.guardrailVersion 1` stores a number: take it as text.
        guardrail_version: match reader.member(&obj, "guardrailVersion") {
            (_, Some(Value::Number(n))) if n.is_u64() => n.to_string(),
            _ => reader.required_string(&obj, "guardrailVersion")?,
        },
        stream_processing_mode: reader.choice::<GuardrailStreamProcessingMode>(
            &obj,
            "streamProcessingMode",
            &["sync", "async"],
        )?,
        trace: reader.choice::<GuardrailTrace>(
            &obj,
            "trace",
            &["enabled", "disabled", "enabled_full"],
        )?,
    })
}

fn configured_model(
    reader: &mut Reader<'_>,
    value: &Value,
    path: &str,
) -> Result<ConfiguredModel, ConfigError> {
    let obj = reader.object(value, path, keys::MODEL)?;
    let id = reader.required_string(&obj, "id")?;
    ModelRef::parse(&id).map_err(|e| reader.error(&join(path, "id"), e.to_string()))?;
    let cost = match reader.member(&obj, "cost") {
        (_, None) => None,
        (cost_path, Some(value)) => {
            let cost = reader.object(value, &cost_path, keys::COST)?;
            Some(Cost {
                input: reader.price(&cost, "input")?,
                output: reader.price(&cost, "output")?,
                cache_read: reader.price(&cost, "cacheRead")?,
                cache_write: reader.price(&cost, "cacheWrite")?,
            })
        }
    };
    Ok(ConfiguredModel {
        id,
        name: reader.string(&obj, "name")?,
        reasoning: reader.bool(&obj, "reasoning")?,
        input: reader.string_list(&obj, "input", Some(MODALITIES))?,
        context_window: reader.u32(&obj, "contextWindow")?,
        max_tokens: reader.u32(&obj, "maxTokens")?,
        cost,
    })
}

/// `parent.key`, or `key` at the top level.
fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

/// What kind of JSON value this is, for messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// A short rendering of a value for messages (long ones are cut).
fn show(value: &Value) -> String {
    const MAX: usize = 60;
    let text = value.to_string();
    if text.chars().count() > MAX {
        format!("{}...", text.chars().take(MAX).collect::<String>())
    } else {
        text
    }
}

/// `a`, `a or b`, `a, b or c`.
fn or_list(items: &[String]) -> String {
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}
