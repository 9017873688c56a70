//! The config file as a raw JSON document, edited by dotted key
//! (`discovery.region`, `models.0.id` or `models[0].id`) and saved atomically
//! as a private file.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::{shared_mode, write_atomically, Config, ConfigError};

/// The raw config document at a path (an empty object when the file is missing).
///
/// ```
/// use bedrock_lite::config::ConfigDocument;
/// let mut doc = ConfigDocument::empty("config.json");
/// doc.set("discovery.providerFilter", r#"["anthropic"]"#)?;
/// doc.set("discovery.region", "eu-west-1")?;
/// assert_eq!(doc.get("discovery.region")?, Some(&serde_json::json!("eu-west-1")));
/// assert!(doc.unset("discovery.region")?);
/// assert_eq!(doc.get("discovery.region")?, None);
/// # Ok::<(), bedrock_lite::config::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigDocument {
    path: PathBuf,
    root: Value,
    exists: bool,
}

/// One step of a dotted key.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// `name`, or a plain number (an index when the container is a list).
    Key(String),
    /// `[n]`.
    Index(usize),
}

impl ConfigDocument {
    /// An empty document that would be saved at `path`.
    pub fn empty(path: impl Into<PathBuf>) -> Self {
        ConfigDocument {
            path: path.into(),
            root: Value::Object(Map::new()),
            exists: false,
        }
    }

    /// A document holding `root` (a JSON object), to be saved at `path`.
    pub fn with_value(path: impl Into<PathBuf>, root: Value) -> Result<Self, ConfigError> {
        let mut document = ConfigDocument::empty(path);
        if !root.is_object() {
            return Err(ConfigError::new(
                &document.display_name(),
                None,
                "the top level is not a JSON object",
            ));
        }
        document.root = root;
        Ok(document)
    }

    /// Reads the document at `path`; a missing file is an empty document.
    /// Errors: unreadable, not JSON, or not an object at the top level.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let mut document = ConfigDocument::empty(path);
        let text = match crate::env::read_text_file(path, crate::env::MAX_TEXT_FILE_BYTES) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(document),
            Err(e) => {
                return Err(ConfigError::new(
                    &document.display_name(),
                    None,
                    e.to_string(),
                ))
            }
        };
        let root: Value = serde_json::from_str(&text).map_err(|e| {
            ConfigError::new(
                &document.display_name(),
                None,
                format!("not valid JSON: {e}"),
            )
        })?;
        if !root.is_object() {
            return Err(ConfigError::new(
                &document.display_name(),
                None,
                "the top level is not a JSON object",
            ));
        }
        document.root = root;
        document.exists = true;
        Ok(document)
    }

    /// The path the document is read from and saved to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the file existed when loaded.
    pub fn exists(&self) -> bool {
        self.exists
    }

    /// The file as error messages show it.
    pub fn display_name(&self) -> String {
        self.path.display().to_string()
    }

    /// The whole document.
    pub fn value(&self) -> &Value {
        &self.root
    }

    /// The value at a dotted key; `None` when it is not set.
    pub fn get(&self, key: &str) -> Result<Option<&Value>, ConfigError> {
        let steps = self.steps(key)?;
        let mut node = &self.root;
        for step in &steps {
            let next = match (node, step) {
                (Value::Object(map), Step::Key(name)) => map.get(name),
                (Value::Array(items), step) => index_of(step).and_then(|i| items.get(i)),
                _ => None,
            };
            match next {
                Some(value) => node = value,
                None => return Ok(None),
            }
        }
        Ok(Some(node))
    }

    /// Sets a dotted key to `raw`, read as JSON when it parses and as a string
    /// otherwise, creating intermediate objects. Not validated until
    /// [`save`](Self::save) or [`validate`](Self::validate).
    pub fn set(&mut self, key: &str, raw: &str) -> Result<(), ConfigError> {
        let value = serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_owned()));
        self.set_value(key, value)
    }

    /// Sets a dotted key to a JSON value, creating intermediate objects.
    pub fn set_value(&mut self, key: &str, value: Value) -> Result<(), ConfigError> {
        let steps = self.steps(key)?;
        let file = self.display_name();
        let mut node = &mut self.root;
        let mut walked = String::new();
        let (last, parents) = steps
            .split_last()
            .ok_or_else(|| ConfigError::new(&file, Some(key), "the key is empty"))?;
        for step in parents {
            node = child(node, step, &file, key, &walked)?;
            push_step(&mut walked, step);
        }
        let not_container = |node: &Value| {
            ConfigError::new(
                &file,
                Some(key),
                format!(
                    "cannot set it: {} is {}",
                    parent_name(&walked),
                    describe(node)
                ),
            )
        };
        match (node, last) {
            (Value::Object(map), Step::Key(name)) => {
                map.insert(name.clone(), value);
            }
            (Value::Array(items), step) => match index_of(step) {
                Some(i) if i < items.len() => {
                    if let Some(slot) = items.get_mut(i) {
                        *slot = value;
                    }
                }
                Some(i) if i == items.len() => items.push(value),
                _ => {
                    return Err(ConfigError::new(
                        &file,
                        Some(key),
                        format!("no such index in a list of {}", items.len()),
                    ))
                }
            },
            (node, _) => return Err(not_container(node)),
        }
        Ok(())
    }

    /// Removes a dotted key; `false` when it was not set.
    pub fn unset(&mut self, key: &str) -> Result<bool, ConfigError> {
        let steps = self.steps(key)?;
        let Some((last, parents)) = steps.split_last() else {
            return Ok(false);
        };
        let mut node = &mut self.root;
        for step in parents {
            let next = match (node, step) {
                (Value::Object(map), Step::Key(name)) => map.get_mut(name),
                (Value::Array(items), step) => index_of(step).and_then(|i| items.get_mut(i)),
                _ => None,
            };
            match next {
                Some(value) => node = value,
                None => return Ok(false),
            }
        }
        Ok(match (node, last) {
            (Value::Object(map), Step::Key(name)) => map.remove(name).is_some(),
            (Value::Array(items), step) => match index_of(step) {
                Some(i) if i < items.len() => {
                    items.remove(i);
                    true
                }
                _ => false,
            },
            _ => false,
        })
    }

    /// Validates the document: the config and its unknown-key warnings.
    pub fn validate(&self) -> Result<(Config, Vec<String>), ConfigError> {
        Config::from_value(&self.root, &self.display_name())
    }

    /// Validates, then writes the document atomically (a temporary file and a
    /// rename) with mode `0600`, creating the folder (`0700`). An invalid
    /// document is not written. Returns the warnings: unknown keys, and a file
    /// that others could read before (it is `0600` now).
    pub fn save(&mut self) -> Result<Vec<String>, ConfigError> {
        let (_, mut warnings) = self.validate()?;
        let mut text = serde_json::to_string_pretty(&self.root)
            .map_err(|e| ConfigError::new(&self.display_name(), None, e.to_string()))?;
        text.push('\n');
        if let Some(mode) = shared_mode(&self.path) {
            warnings.push(format!(
                "{}: was mode {mode:04o}, open to other users; written back as 0600",
                self.display_name()
            ));
        }
        write_atomically(&self.path, text.as_bytes()).map_err(|e| {
            ConfigError::new(&self.display_name(), None, format!("cannot save: {e}"))
        })?;
        self.exists = true;
        Ok(warnings)
    }

    /// Splits a dotted key into steps; empty segments are errors.
    fn steps(&self, key: &str) -> Result<Vec<Step>, ConfigError> {
        let bad = |why: &str| ConfigError::new(&self.display_name(), Some(key), why.to_owned());
        let mut steps = Vec::new();
        for segment in key.split('.') {
            let (name, mut rest) = segment.split_once('[').unwrap_or((segment, ""));
            if name.is_empty() {
                return Err(bad("invalid key: empty segment"));
            }
            steps.push(Step::Key(name.to_owned()));
            while !rest.is_empty() {
                let (index, after) = rest
                    .split_once(']')
                    .ok_or_else(|| bad("invalid key: unclosed `[`"))?;
                let index = index
                    .parse()
                    .map_err(|_| bad("invalid key: `[...]` must hold an index"))?;
                steps.push(Step::Index(index));
                rest = match after.strip_prefix('[') {
                    Some(more) => more,
                    None if after.is_empty() => "",
                    None => return Err(bad("invalid key: text after `]`")),
                };
            }
        }
        Ok(steps)
    }
}

/// The list index a step names, if any.
fn index_of(step: &Step) -> Option<usize> {
    match step {
        Step::Index(i) => Some(*i),
        Step::Key(name) => name.parse().ok(),
    }
}

/// Descends one step for `set`, creating a missing object member.
fn child<'v>(
    node: &'v mut Value,
    step: &Step,
    file: &str,
    key: &str,
    walked: &str,
) -> Result<&'v mut Value, ConfigError> {
    let error = |message: String| ConfigError::new(file, Some(key), message);
    match (node, step) {
        (Value::Object(map), Step::Key(name)) => Ok(map
            .entry(name.clone())
            .or_insert_with(|| Value::Object(Map::new()))),
        (Value::Array(items), step) => {
            let len = items.len();
            index_of(step)
                .and_then(|i| items.get_mut(i))
                .ok_or_else(|| {
                    error(format!(
                        "cannot set it: {} is a list of {len} with no such index",
                        parent_name(walked)
                    ))
                })
        }
        (node, _) => Err(error(format!(
            "cannot set it: {} is {}",
            parent_name(walked),
            describe(node)
        ))),
    }
}

/// Appends a step to a dotted path being walked.
fn push_step(walked: &mut String, step: &Step) {
    match step {
        Step::Key(name) if walked.is_empty() => walked.push_str(name),
        Step::Key(name) => {
            walked.push('.');
            walked.push_str(name);
        }
        Step::Index(i) => walked.push_str(&format!("[{i}]")),
    }
}

/// A walked path for messages; the top level is "the top level".
fn parent_name(walked: &str) -> String {
    if walked.is_empty() {
        "the top level".to_owned()
    } else {
        format!("`{walked}`")
    }
}

/// What a value is, for messages.
fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean, not an object",
        Value::Number(_) => "a number, not an object",
        Value::String(_) => "a string, not an object",
        Value::Array(_) => "a list (use an index)",
        Value::Object(_) => "an object",
    }
}
