//! Line-level parsing of one shared config or credentials file, with the AWS
//! SDK rules (`profile-parser-tests.json` is authoritative).
//!
//! This stage only splits the text into sections and properties. Which
//! sections count (`[profile x]` vs `[x]`), name validation and merging are
//! done afterwards in [`super::profile_set`].
//!
//! The rules, line by line:
//! * blank lines (only spaces and tabs) and lines starting with `#` or `;` are skipped;
//! * `[name]` starts a section; on that line a comment may follow the `]` directly;
//! * a line starting with a space or tab continues the previous property: it is
//!   trimmed and appended after `\n`. If that property's first value was empty,
//!   the continuation lines are sub-properties and must look like `k = v`;
//! * any other line is `key = value`: both trimmed, the key lower-cased; a `#`
//!   or `;` starts a comment only after whitespace (`a = b#c` keeps `b#c`).

use std::fmt;
use std::sync::Arc;

/// The characters the AWS rules treat as whitespace when trimming.
pub(crate) const WHITESPACE: &[char] = &[' ', '\t'];

/// A malformed line in a shared config or credentials file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileParseError {
    /// The file, as the user would name it.
    pub file: Arc<str>,
    /// The 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: &'static str,
}

impl fmt::Display for ProfileParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} line {}: {}", self.file, self.line, self.message)
    }
}

impl std::error::Error for ProfileParseError {}

/// A `[...]` section as written, before any validation.
#[derive(Debug)]
pub(super) struct RawSection<'a> {
    /// The text between `[` and `]`, untrimmed.
    pub header: &'a str,
    /// The line of the `[...]`.
    pub line: usize,
    /// The properties, in file order (a repeated key appears twice).
    pub properties: Vec<RawProperty>,
}

/// A `key = value` property as parsed (key lower-cased, not yet validated).
#[derive(Debug)]
pub(super) struct RawProperty {
    pub key: String,
    pub value: String,
    pub line: usize,
}

const EXPECTED_SECTION: &str =
    "Expected a profile definition (a `[section]` line) before the first property";
const MISSING_CLOSING_BRACKET: &str = "Profile definition must end with ']'";
const CONTINUATION_WITHOUT_PROPERTY: &str =
    "Expected a property definition, found continuation (an indented line with no property above it)";

/// Splits `contents` (the file `file`) into raw sections.
pub(super) fn parse_file<'a>(
    file: &Arc<str>,
    contents: &'a str,
) -> Result<Vec<RawSection<'a>>, ProfileParseError> {
    let contents = contents.strip_prefix('\u{feff}').unwrap_or(contents);
    let mut sections: Vec<RawSection<'a>> = Vec::new();
    // `Some(sub_properties)` while an indented line may continue the last property.
    let mut open_property: Option<bool> = None;
    for (index, line) in contents.lines().enumerate() {
        let line_number = index + 1;
        let error = |message| ProfileParseError {
            file: Arc::clone(file),
            line: line_number,
            message,
        };
        if is_blank(line) || line.starts_with(['#', ';']) {
            continue;
        }
        if line.starts_with('[') {
            let header = section_header(line).ok_or_else(|| error(MISSING_CLOSING_BRACKET))?;
            sections.push(RawSection {
                header,
                line: line_number,
                properties: Vec::new(),
            });
            open_property = None;
            continue;
        }
        let section = sections.last_mut().ok_or_else(|| error(EXPECTED_SECTION))?;
        if line.starts_with(WHITESPACE) {
            let sub_properties =
                open_property.ok_or_else(|| error(CONTINUATION_WITHOUT_PROPERTY))?;
            if sub_properties {
                split_property(line).map_err(|e| error(e.message(Context::SubProperty)))?;
            }
            let property = section
                .properties
                .last_mut()
                .ok_or_else(|| error(CONTINUATION_WITHOUT_PROPERTY))?;
            property.value.push('\n');
            property.value.push_str(line.trim_matches(WHITESPACE));
        } else {
            let (key, value) =
                split_property(line).map_err(|e| error(e.message(Context::Property)))?;
            open_property = Some(value.is_empty());
            section.properties.push(RawProperty {
                key: key.to_ascii_lowercase(),
                value: value.to_owned(),
                line: line_number,
            });
        }
    }
    Ok(sections)
}

fn is_blank(line: &str) -> bool {
    line.trim_matches(WHITESPACE).is_empty()
}

/// The text between `[` and `]` of a section line, comments removed.
fn section_header(line: &str) -> Option<&str> {
    strip_comment(line, false)
        .strip_prefix('[')?
        .strip_suffix(']')
}

/// Whether a property line or a sub-property line is being read.
#[derive(Clone, Copy)]
enum Context {
    Property,
    SubProperty,
}

/// Why a `key = value` line is malformed.
enum PropertyError {
    NoEquals,
    NoName,
}

impl PropertyError {
    fn message(&self, context: Context) -> &'static str {
        match (self, context) {
            (PropertyError::NoEquals, Context::Property) => {
                "Expected an '=' sign defining a property"
            }
            (PropertyError::NoEquals, Context::SubProperty) => {
                "Expected an '=' sign defining a sub-property"
            }
            (PropertyError::NoName, Context::Property) => "Property did not have a name",
            (PropertyError::NoName, Context::SubProperty) => "Sub-property did not have a name",
        }
    }
}

/// Splits `key = value` (comments removed, both sides trimmed).
fn split_property(line: &str) -> Result<(&str, &str), PropertyError> {
    let (key, value) = strip_comment(line, true)
        .split_once('=')
        .ok_or(PropertyError::NoEquals)?;
    let key = key.trim_matches(WHITESPACE);
    if key.is_empty() {
        return Err(PropertyError::NoName);
    }
    Ok((key, value.trim_matches(WHITESPACE)))
}

/// Trims `line` and cuts it at the first comment marker (`#` or `;`). When
/// `needs_whitespace`, a marker only counts right after whitespace.
fn strip_comment(line: &str, needs_whitespace: bool) -> &str {
    let line = line.trim_matches(WHITESPACE);
    let mut after_whitespace = false;
    let mut end = line.len();
    for (index, c) in line.char_indices() {
        if matches!(c, '#' | ';') && (after_whitespace || !needs_whitespace) {
            end = index;
            break;
        }
        after_whitespace = c.is_whitespace();
    }
    line.get(..end).unwrap_or(line).trim_matches(WHITESPACE)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Section headers with their `(key, value)` properties.
    type Parsed = Vec<(String, Vec<(String, String)>)>;

    fn parse(text: &str) -> Result<Parsed, ProfileParseError> {
        let file: Arc<str> = Arc::from("test-config");
        Ok(parse_file(&file, text)?
            .into_iter()
            .map(|s| {
                let props = s.properties.into_iter().map(|p| (p.key, p.value)).collect();
                (s.header.to_owned(), props)
            })
            .collect())
    }

    #[test]
    fn comments_need_whitespace_only_in_values() {
        assert_eq!(strip_comment("name = value # c # d", true), "name = value");
        assert_eq!(strip_comment("name = value#c # d", true), "name = value#c");
        assert_eq!(strip_comment("name = value#c # d", false), "name = value");
        assert_eq!(strip_comment("[profile a];c", false), "[profile a]");
    }

    #[test]
    fn errors_carry_file_and_line() {
        let err = parse("[default]\nk = v\n\n= v").unwrap_err();
        assert_eq!(err.line, 4);
        assert_eq!(
            err.to_string(),
            "test-config line 4: Property did not have a name"
        );
    }

    #[test]
    fn indented_comment_lines_are_continuations() {
        // As in the AWS SDKs: only column-0 comments are skipped.
        let parsed = parse("[default]\na = b\n  # not a comment").unwrap();
        assert_eq!(parsed[0].1, vec![("a".into(), "b\n# not a comment".into())]);
        let err = parse("[default]\na =\n  # c").unwrap_err();
        assert_eq!(err.message, "Expected an '=' sign defining a sub-property");
    }

    #[test]
    fn byte_order_mark_is_ignored() {
        let parsed = parse("\u{feff}[default]\na = b").unwrap();
        assert_eq!(parsed[0].0, "default");
    }

    #[test]
    fn continuation_after_section_line_is_refused() {
        let err = parse("[a]\nk = v\n[b]\n  more").unwrap_err();
        assert!(err
            .message
            .contains("Expected a property definition, found continuation"));
        assert_eq!(err.line, 4);
    }
}
