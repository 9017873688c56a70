//! Reading request JSON by hand, with the path of every value kept, so that a
//! field of the wrong type is a 400 that names it (`messages[2].content:
//! expected a string or an array of content parts`). A member that is absent
//! and one that is `null` read the same: not given.

use serde_json::{Map, Value};

use super::errors::GatewayError;

/// A JSON value and where it is in the request (`messages[2].content`).
#[derive(Debug, Clone)]
pub(crate) struct Located<'a> {
    value: &'a Value,
    path: String,
}

impl<'a> Located<'a> {
    /// The whole request body.
    pub fn root(value: &'a Value) -> Located<'a> {
        Located {
            value,
            path: String::new(),
        }
    }

    /// The raw value.
    pub fn value(&self) -> &'a Value {
        self.value
    }

    /// A 400 naming this value: `path: problem`.
    pub fn error(&self, problem: impl std::fmt::Display) -> GatewayError {
        if self.path.is_empty() {
            GatewayError::invalid_request(format_args!("request body: {problem}"))
        } else {
            GatewayError::invalid_field(self.path.clone(), problem)
        }
    }

    /// The value as an object, or a 400 `expected {what}`.
    pub fn object(&self, what: &str) -> Result<Object<'a>, GatewayError> {
        match self.value {
            Value::Object(map) => Ok(Object {
                map,
                path: self.path.clone(),
            }),
            _ => Err(self.error(format_args!("expected {what}"))),
        }
    }

    /// The value as a string.
    pub fn str(&self) -> Result<&'a str, GatewayError> {
        self.value
            .as_str()
            .ok_or_else(|| self.error("expected a string"))
    }

    /// The value as a boolean.
    pub fn bool(&self) -> Result<bool, GatewayError> {
        self.value
            .as_bool()
            .ok_or_else(|| self.error("expected true or false"))
    }

    /// The value as a whole number from `min` to `u32::MAX`.
    pub fn u32_at_least(&self, min: u32) -> Result<u32, GatewayError> {
        let number = self
            .value
            .as_u64()
            .ok_or_else(|| self.error("expected a whole number"))?;
        u32::try_from(number)
            .ok()
            .filter(|&n| n >= min)
            .ok_or_else(|| {
                self.error(format_args!(
                    "expected a whole number from {min} to {}",
                    u32::MAX
                ))
            })
    }

    /// The value as a number from `min` to `max`.
    pub fn f32_within(&self, min: f32, max: f32) -> Result<f32, GatewayError> {
        let number = self
            .value
            .as_f64()
            .ok_or_else(|| self.error("expected a number"))?;
        if !(f64::from(min)..=f64::from(max)).contains(&number) {
            return Err(self.error(format_args!("expected a number from {min} to {max}")));
        }
        // Inside [min, max], so the narrowing keeps the value (to f32 precision).
        Ok(number as f32)
    }

    /// The value as an array of located items (`path[0]`, `path[1]`...), or a
    /// 400 `expected {what}`.
    pub fn array(&self, what: &str) -> Result<Vec<Located<'a>>, GatewayError> {
        let items = self
            .value
            .as_array()
            .ok_or_else(|| self.error(format_args!("expected {what}")))?;
        Ok(items
            .iter()
            .enumerate()
            .map(|(index, value)| Located {
                value,
                path: format!("{}[{index}]", self.path),
            })
            .collect())
    }
}

/// A JSON object and where it is.
#[derive(Debug, Clone)]
pub(crate) struct Object<'a> {
    map: &'a Map<String, Value>,
    path: String,
}

impl<'a> Object<'a> {
    /// The member `key`, when present and not `null`.
    pub fn get(&self, key: &str) -> Option<Located<'a>> {
        match self.map.get(key) {
            None | Some(Value::Null) => None,
            Some(value) => Some(Located {
                value,
                path: self.member_path(key),
            }),
        }
    }

    /// The member `key`, or a 400 saying it is required.
    pub fn require(&self, key: &str) -> Result<Located<'a>, GatewayError> {
        self.get(key).ok_or_else(|| {
            Located {
                value: &Value::Null,
                path: self.member_path(key),
            }
            .error("required")
        })
    }

    /// The path of member `key`.
    fn member_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_name_the_value_at_fault() {
        let body = json!({"messages": [{"role": "user"}, {"role": "user", "content": 7}]});
        let root = Located::root(&body)
            .object("a JSON object")
            .expect("object");
        let messages = root
            .require("messages")
            .expect("present")
            .array("an array")
            .expect("array");
        let second = messages[1].object("a message").expect("object");
        let error = second
            .require("content")
            .and_then(|c| c.str().map(drop))
            .expect_err("number");
        assert_eq!(error.param(), Some("messages[1].content"));
        assert_eq!(error.message(), "messages[1].content: expected a string");
        let missing = messages[0]
            .object("a message")
            .expect("object")
            .require("content")
            .expect_err("absent");
        assert_eq!(missing.message(), "messages[0].content: required");
    }

    #[test]
    fn null_reads_as_absent_and_numbers_are_checked() {
        let body = json!({"a": null, "n": 0, "f": 2.5, "big": 5_000_000_000u64});
        let root = Located::root(&body).object("an object").expect("object");
        assert!(root.get("a").is_none());
        assert!(root.get("zzz").is_none());
        let n = root.get("n").expect("n");
        assert_eq!(n.u32_at_least(0).expect("zero"), 0);
        assert_eq!(n.u32_at_least(1).expect_err("too small").param(), Some("n"));
        assert!(root.get("big").expect("big").u32_at_least(1).is_err());
        assert!(root.get("f").expect("f").u32_at_least(1).is_err());
        assert_eq!(
            root.get("f").expect("f").f32_within(0.0, 2.5).expect("in"),
            2.5
        );
        assert!(root.get("f").expect("f").f32_within(0.0, 2.0).is_err());
        let error = Located::root(&json!([1]))
            .object("a JSON object")
            .expect_err("array");
        assert_eq!(error.message(), "request body: expected a JSON object");
        assert_eq!(error.param(), None);
    }
}
