//! [`Section`]: one merged `[profile ...]`, `[sso-session ...]` or `[services ...]`
//! section, with where each of its properties was defined.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use super::parse::WHITESPACE;

/// Where a property was defined: the file (as the user would name it) and the line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The file's path, as shown in messages.
    pub file: Arc<str>,
    /// The 1-based line number of the `key = value` line.
    pub line: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} line {}", self.file, self.line)
    }
}

/// One property's value and where it came from.
#[derive(Clone, PartialEq, Eq)]
pub struct Property {
    /// The value, trimmed; continuation lines are joined with `\n`.
    pub value: String,
    /// Where the property was defined (its last definition, when repeated).
    pub origin: Origin,
}

impl fmt::Debug for Property {
    // Values may be secrets (`aws_secret_access_key`): never print them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Property({})", self.origin)
    }
}

/// A merged section: its name and its properties (keys lower-cased).
///
/// `Debug` shows the keys but never the values, which may be secrets.
#[derive(Clone, PartialEq, Eq)]
pub struct Section {
    name: String,
    properties: BTreeMap<String, Property>,
}

impl Section {
    /// An empty section called `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Section {
            name: name.into(),
            properties: BTreeMap::new(),
        }
    }

    /// The section's name (`foo` for `[profile foo]`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The value of `key` (lower-case), as written, even if blank.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.properties.get(key).map(|p| p.value.as_str())
    }

    /// The value of `key`, trimmed; `None` when unset or blank.
    pub fn non_blank(&self, key: &str) -> Option<&str> {
        self.get(key).map(str::trim).filter(|v| !v.is_empty())
    }

    /// The property `key` with where it was defined.
    pub fn property(&self, key: &str) -> Option<&Property> {
        self.properties.get(key)
    }

    /// Every property as `(key, value)`, sorted by key.
    pub fn properties(&self) -> impl Iterator<Item = (&str, &str)> {
        self.properties
            .iter()
            .map(|(k, p)| (k.as_str(), p.value.as_str()))
    }

    /// Whether the section has no properties.
    pub fn is_empty(&self) -> bool {
        self.properties.is_empty()
    }

    /// Sets `key` (already validated and lower-cased), replacing any earlier value.
    pub(super) fn insert(&mut self, key: String, property: Property) {
        self.properties.insert(key, property);
    }

    /// The `name = value` lines nested under `key` (e.g. `sts =` then
    /// `  endpoint_url = ...` in a `[services]` section), trimmed, in order.
    /// Lines without `=` are skipped (the parser has already refused them).
    pub fn sub_properties(&self, key: &str) -> Vec<(&str, &str)> {
        self.get(key)
            .into_iter()
            .flat_map(|value| value.split('\n'))
            .filter_map(|line| line.split_once('='))
            .map(|(k, v)| (k.trim_matches(WHITESPACE), v.trim_matches(WHITESPACE)))
            .filter(|(k, _)| !k.is_empty())
            .collect()
    }

    /// Names `key` in this section for an error message, with where it was
    /// defined: ``profile `dev` key `role_arn` (~/.aws/config line 4)``.
    pub fn describe_key(&self, kind: &str, key: &str) -> String {
        match self.properties.get(key) {
            Some(p) => format!("{kind} `{}` key `{key}` ({})", self.name, p.origin),
            None => format!("{kind} `{}` key `{key}`", self.name),
        }
    }
}

impl fmt::Debug for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Section")
            .field("name", &self.name)
            .field("keys", &self.properties.keys().collect::<Vec<_>>())
            .finish()
    }
}
