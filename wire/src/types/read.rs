//! Reading the shapes from a JSON value already parsed, through one
//! non-generic function per shape ([`ReadJson`]) instead of serde's derived
//! visitors. A derived `Deserialize` is compiled again for every input it
//! reads from (inlining the JSON parser each time) and is most of this
//! crate's build time; here the JSON text is parsed once into a
//! [`serde_json::Value`] and each shape reads its members from that.
//! [`read_json!`] declares a shape's reader and its `Deserialize`.
//!
//! The streaming hot path (text deltas) does not come here: it keeps its
//! borrowed reader (see `stream.rs`).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::wire::{Blob, EmptyObject};

/// Why a value did not read as a shape, and where: the path of members and
/// indices from the value read down to the one at fault. Shown on one line as
/// `` `output.message.content[1].toolUse`: missing field `toolUseId` ``.
#[derive(Debug)]
pub(crate) struct ReadError {
    /// The path, innermost first (each level adds its step on the way out).
    path: Vec<Step>,
    message: String,
}

/// One step of a [`ReadError`]'s path.
#[derive(Debug)]
enum Step {
    Member(String),
    Index(usize),
}

impl ReadError {
    /// An error at the value being read.
    pub(crate) fn new(message: impl Into<String>) -> Self {
        ReadError {
            path: Vec::new(),
            message: message.into(),
        }
    }

    /// The same error, seen from the object holding member `name`.
    fn in_member(mut self, name: &str) -> Self {
        self.path.push(Step::Member(name.to_owned()));
        self
    }

    /// The same error, seen from the array holding item `index`.
    fn in_item(mut self, index: usize) -> Self {
        self.path.push(Step::Index(index));
        self
    }
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            return f.write_str(&self.message);
        }
        f.write_str("`")?;
        for (i, step) in self.path.iter().rev().enumerate() {
            match step {
                // Map keys come from the input: escaped, so the line stays one.
                Step::Member(name) if i == 0 => write!(f, "{}", name.escape_debug())?,
                Step::Member(name) => write!(f, ".{}", name.escape_debug())?,
                Step::Index(index) => write!(f, "[{index}]")?,
            }
        }
        write!(f, "`: {}", self.message)
    }
}

/// A shape read from a parsed JSON value; the error names the member at
/// fault ([`ReadError`]).
pub(crate) trait ReadJson: Sized {
    /// Reads `value` as this shape.
    fn read_json(value: Value) -> Result<Self, ReadError>;

    /// What a member that is absent reads as: `None` (absent is an error)
    /// unless the type has a natural absence (`Option`).
    fn when_absent() -> Option<Self> {
        None
    }
}

/// `invalid type: <what the value is>, expected <expected>`, in serde's words.
pub(crate) fn invalid_type(value: &Value, expected: &str) -> ReadError {
    let found = match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("boolean `{b}`"),
        Value::Number(n) if n.is_f64() => format!("floating point `{n}`"),
        Value::Number(n) => format!("integer `{n}`"),
        Value::String(s) => format!("string {s:?}"),
        Value::Array(_) => "sequence".to_owned(),
        Value::Object(_) => "map".to_owned(),
    };
    ReadError::new(format!("invalid type: {found}, expected {expected}"))
}

impl ReadJson for Value {
    fn read_json(value: Value) -> Result<Self, ReadError> {
        Ok(value)
    }
}

impl ReadJson for String {
    fn read_json(value: Value) -> Result<Self, ReadError> {
        match value {
            Value::String(text) => Ok(text),
            other => Err(invalid_type(&other, "a string")),
        }
    }
}

impl ReadJson for bool {
    fn read_json(value: Value) -> Result<Self, ReadError> {
        match value {
            Value::Bool(b) => Ok(b),
            other => Err(invalid_type(&other, "a boolean")),
        }
    }
}

/// An integer member that must fit `T`.
fn read_integer<T: TryFrom<u64> + TryFrom<i64>>(
    value: Value,
    expected: &str,
) -> Result<T, ReadError> {
    let fits = match &value {
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => T::try_from(u).ok(),
            (None, Some(i)) => T::try_from(i).ok(),
            _ => None,
        },
        _ => None,
    };
    fits.ok_or_else(|| match &value {
        Value::Number(n) if !n.is_f64() => {
            ReadError::new(format!("invalid value: integer `{n}`, expected {expected}"))
        }
        other => invalid_type(other, expected),
    })
}

impl ReadJson for u32 {
    fn read_json(value: Value) -> Result<Self, ReadError> {
        read_integer(value, "u32")
    }
}

impl ReadJson for u64 {
    fn read_json(value: Value) -> Result<Self, ReadError> {
        read_integer(value, "u64")
    }
}

impl ReadJson for f64 {
    fn read_json(value: Value) -> Result<Self, ReadError> {
        match &value {
            Value::Number(n) => n.as_f64().ok_or_else(|| invalid_type(&value, "f64")),
            other => Err(invalid_type(other, "f64")),
        }
    }
}

impl ReadJson for f32 {
    fn read_json(value: Value) -> Result<Self, ReadError> {
        // As serde_json reads an `f32`: the nearest value to the number read.
        f64::read_json(value).map(|number| number as f32)
    }
}

impl ReadJson for Blob {
    fn read_json(value: Value) -> Result<Self, ReadError> {
        match value {
            Value::String(text) => crate::base64::decode(&text)
                .map(Blob)
                .map_err(|e| ReadError::new(format!("invalid base64 blob: {e}"))),
            other => Err(invalid_type(&other, "a base64 string")),
        }
    }
}

impl ReadJson for EmptyObject {
    fn read_json(value: Value) -> Result<Self, ReadError> {
        match value {
            Value::Object(_) => Ok(EmptyObject {}),
            other => Err(invalid_type(&other, "struct EmptyObject")),
        }
    }
}

impl<T: ReadJson> ReadJson for Option<T> {
    fn read_json(value: Value) -> Result<Self, ReadError> {
        match value {
            Value::Null => Ok(None),
            value => T::read_json(value).map(Some),
        }
    }

    fn when_absent() -> Option<Self> {
        Some(None)
    }
}

impl<T: ReadJson> ReadJson for Vec<T> {
    fn read_json(value: Value) -> Result<Self, ReadError> {
        match value {
            Value::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, item)| T::read_json(item).map_err(|e| e.in_item(i)))
                .collect(),
            other => Err(invalid_type(&other, "a sequence")),
        }
    }
}

impl<T: ReadJson> ReadJson for BTreeMap<String, T> {
    fn read_json(value: Value) -> Result<Self, ReadError> {
        match value {
            Value::Object(members) => members
                .into_iter()
                .map(|(name, item)| match T::read_json(item) {
                    Ok(item) => Ok((name, item)),
                    Err(e) => Err(e.in_member(&name)),
                })
                .collect(),
            other => Err(invalid_type(&other, "a map")),
        }
    }
}

/// The members of a JSON object being read as a structure: each member is
/// taken out by name, and what is left is the members this version does not
/// know.
pub(crate) struct Members(Map<String, Value>);

impl Members {
    /// The members of `value`, which must be an object (`shape` names the
    /// structure in the error).
    pub(crate) fn of(value: Value, shape: &str) -> Result<Self, ReadError> {
        match value {
            Value::Object(members) => Ok(Members(members)),
            other => Err(invalid_type(&other, &format!("struct {shape}"))),
        }
    }

    /// The member `name`: an error when it is absent (unless `T` may be,
    /// like `Option`) or does not read.
    pub(crate) fn take<T: ReadJson>(&mut self, name: &str) -> Result<T, ReadError> {
        match self.0.remove(name) {
            Some(value) => T::read_json(value).map_err(|e| e.in_member(name)),
            None => {
                T::when_absent().ok_or_else(|| ReadError::new(format!("missing field `{name}`")))
            }
        }
    }

    /// The member `name`, or its default when it is absent.
    ///
    /// Its match repeats [`take`](Self::take)'s on purpose: a shared helper
    /// returning `Option<T>` cost 20 KiB of the static CLI (adc8138).
    pub(crate) fn take_or_default<T: ReadJson + Default>(
        &mut self,
        name: &str,
    ) -> Result<T, ReadError> {
        match self.0.remove(name) {
            Some(value) => T::read_json(value).map_err(|e| e.in_member(name)),
            None => Ok(T::default()),
        }
    }

    /// The members not taken: the ones this version does not know.
    pub(crate) fn rest(self) -> Map<String, Value> {
        self.0
    }
}

/// Declares how a structure reads from JSON: `read_json!(Shape { field:
/// "wireName", ... })`, where every member must be present (an `Option` may
/// be absent), or `read_json!(Shape default { ... })`, where an absent member
/// reads as its default. `field: "wireName" default` makes one member
/// default in a strict structure; a last `..field` keeps the members this
/// version does not know. It implements [`ReadJson`] and a `Deserialize` that
/// parses the input into a `Value` once and reads from that.
macro_rules! read_json {
    ($shape:ident default { $( $field:ident : $wire:literal ),* $(, ..$rest:ident)? $(,)? }) => {
        $crate::types::read::read_json!(@impl $shape { $( $field : $wire default ),* $(, ..$rest)? });
    };
    ($shape:ident { $( $field:ident : $wire:literal $($default:ident)? ),* $(, ..$rest:ident)? $(,)? }) => {
        $crate::types::read::read_json!(@impl $shape { $( $field : $wire $($default)? ),* $(, ..$rest)? });
    };
    (@impl $shape:ident { $( $field:ident : $wire:literal $($default:ident)? ),* $(, ..$rest:ident)? }) => {
        impl $crate::types::read::ReadJson for $shape {
            fn read_json(value: serde_json::Value) -> Result<Self, $crate::types::read::ReadError> {
                #[allow(unused_mut)]
                let mut members = $crate::types::read::Members::of(value, stringify!($shape))?;
                Ok($shape {
                    $( $field: $crate::types::read::read_json!(@member members, $wire $($default)?), )*
                    $( $rest: members.rest(), )?
                })
            }
        }

        $crate::types::read::deserialize_via_value!($shape);
    };
    (@member $members:ident, $wire:literal default) => {
        $members.take_or_default($wire)?
    };
    (@member $members:ident, $wire:literal) => {
        $members.take($wire)?
    };
}

pub(crate) use read_json;

/// Implements `Deserialize` for a [`ReadJson`] shape: the input is read into
/// a `Value` (one generic instantiation per input, shared by every shape) and
/// the shape from that.
macro_rules! deserialize_via_value {
    ($shape:ty) => {
        impl<'de> serde::Deserialize<'de> for $shape {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
                <$shape as $crate::types::read::ReadJson>::read_json(value)
                    .map_err(<D::Error as serde::de::Error>::custom)
            }
        }
    };
}

pub(crate) use deserialize_via_value;

/// Reads a union object (see `wire_union!`): `is_known` tells the member
/// names this version knows, and `read_member` reads a known member's value
/// (`Ok(None)` for a `null` its type cannot take, which counts as absent). One
/// known member with a value is the answer; a second one is an error. With
/// none, the answer is `unknown` of the object of the unknown members (`{}`
/// when there were none).
pub(crate) fn read_union<T>(
    value: Value,
    union: &str,
    is_known: fn(&str) -> bool,
    mut read_member: impl FnMut(&str, Value) -> Result<Option<T>, ReadError>,
    unknown: impl FnOnce(Value) -> T,
) -> Result<T, ReadError> {
    let members = match value {
        Value::Object(members) => members,
        other => return Err(invalid_type(&other, &format!("a {union} object"))),
    };
    let mut found: Option<(String, T)> = None;
    let mut unknown_members = Map::new();
    for (name, value) in members {
        if !is_known(&name) {
            unknown_members.insert(name, value);
            continue;
        }
        let Some(read) = read_member(&name, value).map_err(|e| e.in_member(&name))? else {
            continue;
        };
        if let Some((first, _)) = &found {
            return Err(ReadError::new(format!(
                "more than one member: `{first}` and `{name}`"
            )));
        }
        found = Some((name, read));
    }
    Ok(match found {
        Some((_, value)) => value,
        None => unknown(Value::Object(unknown_members)),
    })
}

/// A known union member's value, or `None` for a `null` that its type cannot
/// take.
pub(crate) fn read_union_member<T: ReadJson>(value: Value) -> Result<Option<T>, ReadError> {
    match value {
        Value::Null => Ok(T::read_json(Value::Null).ok()),
        value => T::read_json(value).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{ContentBlock, GuardrailTraceAssessment, TokenUsage, ToolUseBlock};
    use serde_json::json;

    fn read<T: ReadJson>(value: Value) -> Result<T, String> {
        T::read_json(value).map_err(|e| e.to_string())
    }

    #[test]
    fn errors_name_the_path_on_one_line() {
        let trace = json!({"inputAssessment": {"guard\nrail": {"topicPolicy": {"topics": [
            {"name": "a"}, {"name": 5}
        ]}}}});
        let error = read::<GuardrailTraceAssessment>(trace).unwrap_err();
        assert_eq!(
            error,
            "`inputAssessment.guard\\nrail.topicPolicy.topics[1].name`: \
             invalid type: integer `5`, expected a string"
        );
        let error = read::<ToolUseBlock>(json!({"name": "t", "input": {}})).unwrap_err();
        assert_eq!(error, "missing field `toolUseId`");
        let error = read::<ToolUseBlock>(json!([1])).unwrap_err();
        assert_eq!(
            error,
            "invalid type: sequence, expected struct ToolUseBlock"
        );
    }

    #[test]
    fn integers_must_fit() {
        assert_eq!(read::<u32>(json!(4_294_967_295_u64)), Ok(u32::MAX));
        assert_eq!(
            read::<u32>(json!(4_294_967_296_u64)).unwrap_err(),
            "invalid value: integer `4294967296`, expected u32"
        );
        assert_eq!(
            read::<u64>(json!(-1)).unwrap_err(),
            "invalid value: integer `-1`, expected u64"
        );
        assert_eq!(
            read::<u32>(json!(1.5)).unwrap_err(),
            "invalid type: floating point `1.5`, expected u32"
        );
        assert_eq!(read::<f64>(json!(3)), Ok(3.0));
        assert_eq!(read::<f32>(json!(0.5)), Ok(0.5));
    }

    #[test]
    fn absent_members_read_as_their_absence_or_default() {
        // A structure of defaults reads from `{}`; a `null` is not a number.
        let usage: TokenUsage = read(json!({"inputTokens": 3})).unwrap();
        assert_eq!((usage.input_tokens, usage.output_tokens), (3, 0));
        assert!(read::<TokenUsage>(json!({"inputTokens": null})).is_err());
        // An `Option` may be absent or `null`; a `Vec` may not be `null`.
        assert_eq!(read::<Option<String>>(Value::Null), Ok(None));
        assert!(read::<Vec<String>>(Value::Null).is_err());
    }

    #[test]
    fn unions_take_a_known_member_and_keep_unknown_ones_whole() {
        // A `null` member gives way to another known one.
        let block: ContentBlock = read(json!({"image": null, "text": "hi"})).unwrap();
        assert_eq!(block, ContentBlock::Text("hi".into()));
        let novel = json!({"hologram": {"frames": [1]}, "other": null});
        assert_eq!(
            read::<ContentBlock>(novel.clone()),
            Ok(ContentBlock::Unknown(novel))
        );
        assert_eq!(
            read::<ContentBlock>(json!("text")).unwrap_err(),
            "invalid type: string \"text\", expected a ContentBlock object"
        );
        assert_eq!(
            read::<ContentBlock>(json!({"text": 1})).unwrap_err(),
            "`text`: invalid type: integer `1`, expected a string"
        );
    }
}
