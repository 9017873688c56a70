//! `bedrock-lite config import`: the bedrock-lite config equivalent to an
//! OpenClaw config (`~/.openclaw/openclaw.json`, read with [`json5`](super::json5)).
//!
//! What is imported:
//! * the paths that [`canonical_key`] maps (`plugins.entries.amazon-bedrock.config.discovery.*`
//!   and `models.bedrockDiscovery.*` → `discovery.*`, `plugins.entries.amazon-bedrock.config.guardrail.*`
//!   → `guardrail.*`, `agents.defaults.model.primary` (or `agents.defaults.model` as a string)
//!   → `model`, `agents.defaults.memorySearch.model` → `embeddings.model` when the memory
//!   search provider is Bedrock);
//! * `models.providers["amazon-bedrock"].models[]` → `models[]`, with the fields
//!   our `models[]` takes (`id`, `name`, `reasoning`, `input`, `contextWindow`,
//!   `maxTokens`, `cost`);
//! * `models.providers["amazon-bedrock"].baseUrl`: the standard endpoint of a
//!   region (`https://bedrock-runtime.us-east-1.amazonaws.com`) becomes `region`,
//!   so that requests are signed for the region they go to; any other URL
//!   becomes `endpoints.runtime`.
//!
//! A model written `amazon-bedrock/<id>` is stored as `<id>`; another provider's
//! model (`openai/...`) is left out. Everything else is left out and listed by
//! path (never by value: OpenClaw configs hold secrets). A value that our config
//! refuses is left out with the reason, and the rest is still imported.

use std::path::PathBuf;

use serde_json::{Map, Value};

use super::keys::{self, leads_to_alias, Field, Shape};
use super::{canonical_key, ConfigDocument, ConfigError};
use crate::credentials::profile::location::home_dir;
use crate::endpoint::{self, EndpointSettings, Service};
use crate::env::Env;
use crate::model_ref::ModelRef;

/// OpenClaw's name for the Amazon Bedrock provider (the `amazon-bedrock/` of model refs).
const PROVIDER: &str = "amazon-bedrock";

/// The provider's settings in an OpenClaw config.
const PROVIDER_PATH: &str = "models.providers.amazon-bedrock";

/// The default OpenClaw config, `~/.openclaw/openclaw.json`; `None` without a home.
pub fn default_path(env: &Env) -> Option<PathBuf> {
    home_dir(env).map(|home| PathBuf::from(home).join(".openclaw").join("openclaw.json"))
}

/// The result of an import: our config, and what went where.
#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    /// The bedrock-lite config (a JSON object), valid.
    pub document: Value,
    /// What was imported, in the order of the OpenClaw file.
    pub imported: Vec<Imported>,
    /// What was left out.
    pub left_out: Vec<LeftOut>,
}

/// One key of ours that an OpenClaw setting became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// Our dotted key (`discovery.region`, `models[0]`).
    pub key: String,
    /// The OpenClaw path it came from.
    pub from: String,
    /// How it was read, when that is not plain (`the standard endpoint of us-east-1`).
    pub note: Option<String>,
}

/// An OpenClaw setting that has no place in our config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    /// Its OpenClaw path.
    pub path: String,
    /// Why, when it is more than "bedrock-lite has no such setting".
    pub reason: Option<String>,
}

/// Maps an OpenClaw config to ours; see the module docs. `file` names our
/// config file in errors. Fails only when `openclaw` is not a JSON object.
///
/// ```
/// use bedrock_lite::config::{json5, openclaw};
/// let source = json5::parse(r#"{
///   models: { providers: { 'amazon-bedrock': {
///     baseUrl: 'https://bedrock-runtime.eu-west-1.amazonaws.com',
///     api: 'bedrock-converse-stream',
///     models: [{ id: 'us.anthropic.claude-opus-4-6-v1:0', contextWindow: 200000 }],
///   } } },
///   agents: { defaults: { model: { primary: 'amazon-bedrock/us.anthropic.claude-opus-4-6-v1:0' } } },
///   channels: { telegram: { botToken: 'secret' } },
/// }"#)?;
/// let import = openclaw::import(&source, "config.json")?;
/// assert_eq!(import.document, serde_json::json!({
///     "model": "us.anthropic.claude-opus-4-6-v1:0",
///     "region": "eu-west-1",
///     "models": [{ "id": "us.anthropic.claude-opus-4-6-v1:0", "contextWindow": 200000 }],
/// }));
/// let left_out: Vec<&str> = import.left_out.iter().map(|l| l.path.as_str()).collect();
/// assert_eq!(left_out, ["channels", "models.providers.amazon-bedrock.api"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn import(openclaw: &Value, file: &str) -> Result<Import, ConfigError> {
    let Value::Object(root) = openclaw else {
        return Err(ConfigError::new(
            file,
            None,
            "the OpenClaw config's top level is not an object",
        ));
    };
    let mut importer = Importer::default();
    for (name, value) in root {
        importer.walk(value, name);
    }
    importer.finish(file)
}

/// Where an imported value goes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// A dotted key of ours.
    Key(String),
    /// The next entry of `models`.
    Model,
}

#[derive(Debug, Clone)]
struct Item {
    target: Target,
    value: Value,
    from: String,
    note: Option<String>,
}

#[derive(Debug, Default)]
struct Importer {
    items: Vec<Item>,
    left_out: Vec<LeftOut>,
}

impl Importer {
    /// Imports or leaves out `value`, found at `path` in the OpenClaw config.
    fn walk(&mut self, value: &Value, path: &str) {
        match path {
            "models.providers.amazon-bedrock.models" => return self.models(value, path),
            "models.providers.amazon-bedrock.baseUrl" => return self.base_url(value, path),
            "agents.defaults.model" if value.is_string() => {
                return self.model_ref("model", value, path)
            }
            "agents.defaults.memorySearch" => {
                if let Some(reason) = memory_search_elsewhere(value) {
                    return self.leave_out(path, Some(reason));
                }
            }
            // Read by `memory_search_elsewhere`: Bedrock is what we are.
            "agents.defaults.memorySearch.provider" if value == "bedrock" => return,
            _ => {}
        }
        if let Some(key) = canonical_key(path) {
            return self.aliased(key, value, path);
        }
        match value {
            Value::Object(map) if leads_to_alias(path) || leads_to(PROVIDER_PATH, path) => {
                for (name, member) in map {
                    self.walk(member, &format!("{path}.{name}"));
                }
            }
            _ => self.leave_out(path, None),
        }
    }

    /// A path that [`canonical_key`] maps to our `key`.
    fn aliased(&mut self, key: String, value: &Value, path: &str) {
        match (keys::shape_of(&key), value) {
            (None, _) => {
                let reason = keys::suggest(&key)
                    .map(|known| format!("bedrock-lite has no {key}; did you mean {known}?"));
                self.leave_out(path, reason);
            }
            (Some(Shape::Object(_)), Value::Object(map)) => {
                for (name, member) in map {
                    self.walk(member, &format!("{path}.{name}"));
                }
            }
            _ if key == "model" || key == "embeddings.model" => self.model_ref(&key, value, path),
            _ => self.add(Target::Key(key), value.clone(), path, None),
        }
    }

    /// `models.providers["amazon-bedrock"].models`: each entry, with the fields
    /// our `models[]` takes.
    fn models(&mut self, value: &Value, path: &str) {
        let Value::Array(entries) = value else {
            return self.leave_out(path, Some("expected a list".to_owned()));
        };
        for (i, entry) in entries.iter().enumerate() {
            let at = format!("{path}[{i}]");
            let Value::Object(map) = entry else {
                self.leave_out(&at, Some("expected an object".to_owned()));
                continue;
            };
            let mut kept = self.known_fields(map, keys::MODEL, &at);
            if let Some(Value::String(id)) = kept.get("id") {
                match bedrock_model_id(id) {
                    Ok(id) => {
                        kept.insert("id".to_owned(), Value::String(id));
                    }
                    Err(reason) => {
                        self.leave_out(&at, Some(reason));
                        continue;
                    }
                }
            }
            self.add(Target::Model, Value::Object(kept), &at, None);
        }
    }

    /// The members of `map` that `fields` knows (recursively); the others are left out.
    fn known_fields(
        &mut self,
        map: &Map<String, Value>,
        fields: &[Field],
        path: &str,
    ) -> Map<String, Value> {
        let mut kept = Map::new();
        for (name, value) in map {
            let at = format!("{path}.{name}");
            match (fields.iter().find(|f| f.name == name.as_str()), value) {
                (
                    Some(Field {
                        shape: Shape::Object(inner),
                        ..
                    }),
                    Value::Object(members),
                ) => {
                    let members = self.known_fields(members, inner, &at);
                    kept.insert(name.clone(), Value::Object(members));
                }
                (Some(_), _) => {
                    kept.insert(name.clone(), value.clone());
                }
                (None, _) => self.leave_out(&at, None),
            }
        }
        kept
    }

    /// The provider's `baseUrl`: a region's standard endpoint gives `region`,
    /// any other URL `endpoints.runtime`.
    fn base_url(&mut self, value: &Value, path: &str) {
        match value.as_str().and_then(standard_endpoint_region) {
            Some(region) => {
                let note = format!("the standard endpoint of {region}");
                self.add(
                    Target::Key("region".to_owned()),
                    Value::String(region),
                    path,
                    Some(note),
                );
            }
            None => self.add(
                Target::Key("endpoints.runtime".to_owned()),
                value.clone(),
                path,
                None,
            ),
        }
    }

    /// A model ref going to our `key`, without `amazon-bedrock/`.
    fn model_ref(&mut self, key: &str, value: &Value, path: &str) {
        let value = match value {
            Value::String(text) => match bedrock_model_id(text) {
                Ok(id) => Value::String(id),
                Err(reason) => return self.leave_out(path, Some(reason)),
            },
            other => other.clone(),
        };
        self.add(Target::Key(key.to_owned()), value, path, None);
    }

    /// Adds an item; an earlier one for the same key is left out.
    fn add(&mut self, target: Target, value: Value, from: &str, note: Option<String>) {
        if target != Target::Model {
            if let Some(at) = self.items.iter().position(|item| item.target == target) {
                let earlier = self.items.remove(at);
                self.leave_out(&earlier.from, Some(format!("overridden by {from}")));
            }
        }
        self.items.push(Item {
            target,
            value,
            from: from.to_owned(),
            note,
        });
    }

    fn leave_out(&mut self, path: &str, reason: Option<String>) {
        self.left_out.push(LeftOut {
            path: path.to_owned(),
            reason,
        });
    }

    /// Our key for each item: its key, or `models[n]`.
    fn keys(&self) -> Vec<String> {
        let mut models = 0;
        self.items
            .iter()
            .map(|item| match &item.target {
                Target::Key(key) => key.clone(),
                Target::Model => {
                    models += 1;
                    format!("models[{}]", models - 1)
                }
            })
            .collect()
    }

    /// Builds and validates our config; an item that our config refuses is
    /// left out with the reason, and the rest is tried again.
    fn finish(mut self, file: &str) -> Result<Import, ConfigError> {
        loop {
            let error = match self.build(file) {
                Ok(document) => match document.validate() {
                    Ok(_) => {
                        let imported = self
                            .keys()
                            .into_iter()
                            .zip(self.items)
                            .map(|(key, item)| Imported {
                                key,
                                from: item.from,
                                note: item.note,
                            })
                            .collect();
                        return Ok(Import {
                            document: document.value().clone(),
                            imported,
                            left_out: self.left_out,
                        });
                    }
                    Err(error) => error,
                },
                Err(error) => error,
            };
            let culprits = self.culprits(error.key.as_deref());
            if culprits.is_empty() {
                return Err(error);
            }
            let reason = match &error.key {
                Some(key) => format!("{key}: {}", error.message),
                None => error.message.clone(),
            };
            for at in culprits.into_iter().rev() {
                let item = self.items.remove(at);
                self.leave_out(&item.from, Some(reason.clone()));
            }
        }
    }

    /// Our config with every item in place.
    fn build(&self, file: &str) -> Result<ConfigDocument, ConfigError> {
        let mut document = ConfigDocument::empty(file);
        let mut models = Vec::new();
        for item in &self.items {
            match &item.target {
                Target::Key(key) => document.set_value(key, item.value.clone())?,
                Target::Model => models.push(item.value.clone()),
            }
        }
        if !models.is_empty() {
            document.set_value("models", Value::Array(models))?;
        }
        Ok(document)
    }

    /// The items behind an error at our dotted `key`: the item at or above the
    /// key, else the items beside it (a required member missing).
    fn culprits(&self, key: Option<&str>) -> Vec<usize> {
        let Some(key) = key else {
            return Vec::new();
        };
        let keys = self.keys();
        let matching = |wanted: &dyn Fn(&str) -> bool| -> Vec<usize> {
            keys.iter()
                .enumerate()
                .filter(|(_, k)| wanted(k))
                .map(|(i, _)| i)
                .collect()
        };
        let at_or_above = matching(&|k| leads_to(key, k) || key.starts_with(&format!("{k}[")));
        if !at_or_above.is_empty() {
            return at_or_above;
        }
        match key.rsplit_once('.') {
            Some((parent, _)) => matching(&|k| leads_to(k, parent) && k != parent),
            None => Vec::new(),
        }
    }
}

/// Why `agents.defaults.memorySearch` is not ours: a provider other than
/// Bedrock; `None` for `"bedrock"` (or a model that is plainly a Bedrock one
/// with no provider, or `"auto"`).
fn memory_search_elsewhere(value: &Value) -> Option<String> {
    let provider = value.get("provider").and_then(Value::as_str);
    let model = value.get("model").and_then(Value::as_str);
    match provider {
        Some("bedrock") => None,
        Some(other) if other != "auto" => {
            Some(format!("its provider is {other:?}, not \"bedrock\""))
        }
        _ => match model.map(ModelRef::parse) {
            Some(Ok(parsed)) if parsed.provider().is_some() => None,
            Some(_) => Some("its model is not an Amazon Bedrock model".to_owned()),
            None => None,
        },
    }
}

/// `path` is `prefix` or lies under it.
fn leads_to(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

/// The Bedrock model id of an OpenClaw model ref: `amazon-bedrock/<id>` is
/// `<id>`; another provider's model, or a ref that is not one, is refused.
fn bedrock_model_id(text: &str) -> Result<String, String> {
    if let Some((provider, _)) = text.split_once('/') {
        if provider != PROVIDER && !text.starts_with("arn:") {
            return Err(format!("a {provider:?} model, not an Amazon Bedrock one"));
        }
    }
    ModelRef::parse(text)
        .map(|model| model.id().to_owned())
        .map_err(|e| e.to_string())
}

/// The region whose standard `bedrock-runtime` endpoint `url` is.
fn standard_endpoint_region(url: &str) -> Option<String> {
    let host = url.trim().strip_prefix("https://")?.trim_end_matches('/');
    let region = host.strip_prefix("bedrock-runtime.")?.split('.').next()?;
    let settings = EndpointSettings {
        region: Some(region),
        ..EndpointSettings::default()
    };
    let no_env = Env::from_vars(std::iter::empty::<(String, String)>());
    let standard = endpoint::resolve(Service::BedrockRuntime, &settings, &no_env).ok()?;
    (standard.url == format!("https://{host}")).then(|| region.to_owned())
}

#[cfg(test)]
mod tests;
