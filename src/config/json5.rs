//! A JSON5 reader (<https://spec.json5.org/>), for OpenClaw's config file:
//! JSON5 text to a [`serde_json::Value`].
//!
//! On top of JSON it takes `//` and `/* */` comments, unquoted (identifier)
//! keys, single-quoted strings, the escapes `\'`, `\v`, `\0`, `\xHH` and a `\`
//! before a line break (which joins the lines), a trailing comma in objects
//! and lists, hexadecimal numbers, a leading or trailing decimal point, a
//! leading `+`, `Infinity` and `NaN`, and the JSON5 white space (Unicode
//! space separators, the byte order mark, line and paragraph separators).
//!
//! JSON has no infinities and no NaN: they read as `null`, as
//! `JSON.stringify` writes them. Numbers are read as `serde_json` reads them;
//! a duplicate key keeps its last value, as JavaScript does. Nesting deeper
//! than [`MAX_DEPTH`] is an error, so that no input can exhaust the stack.
//!
//! ```
//! use bedrock_lite::config::json5;
//! let value = json5::parse("{
//!     // a comment
//!     region: 'us-east-1',
//!     limits: { maxTokens: 0x2000, ratio: .5, },
//! }")?;
//! assert_eq!(value, serde_json::json!({
//!     "region": "us-east-1",
//!     "limits": {"maxTokens": 8192, "ratio": 0.5},
//! }));
//!
//! let error = json5::parse("{ region: 'us-east-1' ").unwrap_err();
//! assert_eq!(error.to_string(), "line 1, column 23: expected `,` or `}`, found the end of the text");
//! # Ok::<(), json5::Json5Error>(())
//! ```

use std::fmt;

use serde_json::{Map, Number, Value};

/// The deepest nesting of objects and lists taken (as deep as `serde_json` reads).
pub const MAX_DEPTH: usize = 127;

/// Why a text is not JSON5: what was expected, and where (1-based line and
/// column, counted in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Json5Error {
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1, in characters.
    pub column: usize,
    /// What is wrong, one line.
    pub message: String,
}

impl fmt::Display for Json5Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for Json5Error {}

/// Parses one JSON5 value (with white space and comments around it).
pub fn parse(text: &str) -> Result<Value, Json5Error> {
    let mut parser = Parser { text, pos: 0 };
    parser.skip_blank()?;
    let value = parser.value(0)?;
    parser.skip_blank()?;
    match parser.peek() {
        None => Ok(value),
        Some(c) => {
            Err(parser.error_here(format!("expected the end of the text, found {}", shown(c))))
        }
    }
}

struct Parser<'t> {
    text: &'t str,
    /// A byte offset, always on a character boundary.
    pos: usize,
}

impl<'t> Parser<'t> {
    fn rest(&self) -> &str {
        self.text.get(self.pos..).unwrap_or_default()
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn peek_second(&self) -> Option<char> {
        self.rest().chars().nth(1)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn eat(&mut self, wanted: char) -> bool {
        if self.peek() == Some(wanted) {
            self.pos += wanted.len_utf8();
            true
        } else {
            false
        }
    }

    fn eat_str(&mut self, wanted: &str) -> bool {
        if self.rest().starts_with(wanted) {
            self.pos += wanted.len();
            true
        } else {
            false
        }
    }

    /// An error at byte offset `at`.
    fn error_at(&self, at: usize, message: impl Into<String>) -> Json5Error {
        let before = self.text.get(..at).unwrap_or(self.text);
        let mut line = 1;
        let mut column = 1;
        let mut chars = before.chars().peekable();
        while let Some(c) = chars.next() {
            let crlf = c == '\r' && chars.peek() == Some(&'\n');
            if is_line_terminator(c) && !crlf {
                line += 1;
                column = 1;
            } else if !crlf {
                column += 1;
            }
        }
        Json5Error {
            line,
            column,
            message: message.into(),
        }
    }

    fn error_here(&self, message: impl Into<String>) -> Json5Error {
        self.error_at(self.pos, message)
    }

    /// "expected X, found Y" at the current position.
    fn expected(&self, what: &str) -> Json5Error {
        let found = match self.peek() {
            Some(c) => shown(c),
            None => "the end of the text".to_owned(),
        };
        self.error_here(format!("expected {what}, found {found}"))
    }

    /// Skips white space and comments.
    fn skip_blank(&mut self) -> Result<(), Json5Error> {
        loop {
            match self.peek() {
                Some(c) if is_white_space(c) || is_line_terminator(c) => {
                    self.bump();
                }
                Some('/') if self.peek_second() == Some('/') => {
                    while self.peek().is_some_and(|c| !is_line_terminator(c)) {
                        self.bump();
                    }
                }
                Some('/') if self.peek_second() == Some('*') => {
                    let start = self.pos;
                    self.pos += 2;
                    match self.rest().find("*/") {
                        Some(end) => self.pos += end + 2,
                        None => return Err(self.error_at(start, "unterminated `/*` comment")),
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, Json5Error> {
        match self.peek() {
            Some('{') => self.object(depth + 1),
            Some('[') => self.array(depth + 1),
            Some(quote @ ('"' | '\'')) => {
                self.bump();
                self.string(quote).map(Value::String)
            }
            Some(c) if c.is_ascii_digit() || matches!(c, '+' | '-' | '.') => self.number(),
            Some(_) if self.rest().starts_with("Infinity") || self.rest().starts_with("NaN") => {
                self.number()
            }
            Some(c) if is_identifier_start(c) => {
                let start = self.pos;
                let word = self.identifier()?;
                match word.as_str() {
                    "null" => Ok(Value::Null),
                    "true" => Ok(Value::Bool(true)),
                    "false" => Ok(Value::Bool(false)),
                    _ => Err(self.error_at(
                        start,
                        format!(
                            "expected a value, found `{}` (strings need quotes)",
                            word.escape_debug()
                        ),
                    )),
                }
            }
            _ => Err(self.expected("a value")),
        }
    }

    fn enter(&self, depth: usize) -> Result<(), Json5Error> {
        if depth > MAX_DEPTH {
            Err(self.error_here(format!("nested deeper than {MAX_DEPTH} levels")))
        } else {
            Ok(())
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, Json5Error> {
        self.enter(depth)?;
        self.bump(); // `{`
        let mut map = Map::new();
        loop {
            self.skip_blank()?;
            if self.eat('}') {
                return Ok(Value::Object(map));
            }
            let key = match self.peek() {
                Some(quote @ ('"' | '\'')) => {
                    self.bump();
                    self.string(quote)?
                }
                Some(c) if is_identifier_start(c) || c == '\\' => self.identifier()?,
                _ => return Err(self.expected("a key or `}`")),
            };
            self.skip_blank()?;
            if !self.eat(':') {
                return Err(self.expected("`:` after the key"));
            }
            self.skip_blank()?;
            let value = self.value(depth)?;
            map.insert(key, value);
            self.skip_blank()?;
            if self.eat('}') {
                return Ok(Value::Object(map));
            }
            if !self.eat(',') {
                return Err(self.expected("`,` or `}`"));
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, Json5Error> {
        self.enter(depth)?;
        self.bump(); // `[`
        let mut items = Vec::new();
        loop {
            self.skip_blank()?;
            if self.eat(']') {
                return Ok(Value::Array(items));
            }
            items.push(self.value(depth)?);
            self.skip_blank()?;
            if self.eat(']') {
                return Ok(Value::Array(items));
            }
            if !self.eat(',') {
                return Err(self.expected("`,` or `]`"));
            }
        }
    }

    /// A string after its opening `quote`, up to and including the closing one.
    fn string(&mut self, quote: char) -> Result<String, Json5Error> {
        let start = self.pos.saturating_sub(1);
        let mut out = String::new();
        loop {
            let at = self.pos;
            match self.bump() {
                None => return Err(self.error_at(start, "unterminated string")),
                Some(c) if c == quote => return Ok(out),
                Some('\\') => self.escape(&mut out, at)?,
                Some('\n' | '\r') => {
                    return Err(self.error_at(
                        at,
                        "a line break in a string (end the line with `\\` to continue it)",
                    ))
                }
                Some(c) => out.push(c),
            }
        }
    }

    /// One escape after its `\` (at byte offset `at`), appended to `out`.
    fn escape(&mut self, out: &mut String, at: usize) -> Result<(), Json5Error> {
        let Some(c) = self.bump() else {
            return Err(self.error_at(at, "unterminated string"));
        };
        match c {
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\u{b}'),
            '0' if !self.peek().is_some_and(|d| d.is_ascii_digit()) => out.push('\0'),
            '0'..='9' => return Err(self.error_at(at, "octal escapes are not allowed")),
            'x' => {
                let code = self.hex_digits(2, at)?;
                out.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
            }
            'u' => out.push(self.unicode_escape(at)?),
            // A line continuation: the line break is dropped.
            '\r' => {
                self.eat('\n');
            }
            '\n' | '\u{2028}' | '\u{2029}' => {}
            other => out.push(other),
        }
        Ok(())
    }

    /// `count` hex digits.
    fn hex_digits(&mut self, count: usize, at: usize) -> Result<u32, Json5Error> {
        let mut code = 0;
        for _ in 0..count {
            let digit = self
                .peek()
                .and_then(|c| c.to_digit(16))
                .ok_or_else(|| self.error_at(at, format!("expected {count} hex digits")))?;
            self.bump();
            code = code * 16 + digit;
        }
        Ok(code)
    }

    /// The character of `\uXXXX` (after the `u`), joining a surrogate pair.
    fn unicode_escape(&mut self, at: usize) -> Result<char, Json5Error> {
        let first = self.hex_digits(4, at)?;
        let code = if (0xD800..0xDC00).contains(&first) {
            let low_at = self.pos;
            if !self.eat_str("\\u") {
                return Err(self.error_at(at, "a lone surrogate in a `\\u` escape"));
            }
            let second = self.hex_digits(4, low_at)?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err(self.error_at(at, "a lone surrogate in a `\\u` escape"));
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else {
            first
        };
        char::from_u32(code).ok_or_else(|| self.error_at(at, "a lone surrogate in a `\\u` escape"))
    }

    /// An identifier (an unquoted key, or `null`/`true`/`false`), with any
    /// `\uXXXX` escapes decoded.
    fn identifier(&mut self) -> Result<String, Json5Error> {
        let mut out = String::new();
        loop {
            let at = self.pos;
            let c = match self.peek() {
                Some('\\') => {
                    self.bump();
                    if !self.eat('u') {
                        return Err(self.error_at(at, "expected `\\u` in a key"));
                    }
                    let c = self.unicode_escape(at)?;
                    let fits = if out.is_empty() {
                        is_identifier_start(c)
                    } else {
                        is_identifier_part(c)
                    };
                    if !fits {
                        return Err(self.error_at(at, "the escape is not a key character"));
                    }
                    c
                }
                Some(c) if out.is_empty() && is_identifier_start(c) => {
                    self.bump();
                    c
                }
                Some(c) if !out.is_empty() && is_identifier_part(c) => {
                    self.bump();
                    c
                }
                _ if out.is_empty() => return Err(self.expected("a key")),
                _ => return Ok(out),
            };
            out.push(c);
        }
    }

    fn number(&mut self) -> Result<Value, Json5Error> {
        let start = self.pos;
        let negative = self.eat('-');
        if !negative {
            self.eat('+');
        }
        if self.eat_str("Infinity") || self.eat_str("NaN") {
            if self.peek().is_some_and(is_identifier_part) {
                return Err(self.expected("a delimiter after the number"));
            }
            return Ok(Value::Null);
        }
        if self.peek() == Some('0') && matches!(self.peek_second(), Some('x' | 'X')) {
            self.pos += 2;
            return self.hex_number(negative, start);
        }
        // The lexeme in JSON's form: a sign, digits, `.digits`, an exponent.
        let mut json = String::from(if negative { "-" } else { "" });
        let integer = self.digits();
        if integer.len() > 1 && integer.starts_with('0') {
            return Err(self.error_at(start, "a number may not start with 0"));
        }
        json.push_str(if integer.is_empty() { "0" } else { integer });
        if self.eat('.') {
            let fraction = self.digits();
            if integer.is_empty() && fraction.is_empty() {
                return Err(self.error_at(start, "expected digits around `.`"));
            }
            if !fraction.is_empty() {
                json.push('.');
                json.push_str(fraction);
            }
        } else if integer.is_empty() {
            return Err(self.expected("a digit"));
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            self.bump();
            json.push('e');
            if let Some(sign @ ('+' | '-')) = self.peek() {
                self.bump();
                json.push(sign);
            }
            let exponent = self.digits();
            if exponent.is_empty() {
                return Err(self.expected("the exponent's digits"));
            }
            json.push_str(exponent);
        }
        if self.peek().is_some_and(is_identifier_part) {
            return Err(self.expected("a delimiter after the number"));
        }
        Ok(json_number(&json))
    }

    /// A run of ASCII digits.
    fn digits(&mut self) -> &'t str {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        self.text.get(start..self.pos).unwrap_or_default()
    }

    /// Hex digits after `0x`.
    fn hex_number(&mut self, negative: bool, start: usize) -> Result<Value, Json5Error> {
        let mut exact: Option<u64> = Some(0);
        let mut float: f64 = 0.0;
        let mut any = false;
        while let Some(digit) = self.peek().and_then(|c| c.to_digit(16)) {
            self.bump();
            any = true;
            exact = exact
                .and_then(|m| m.checked_mul(16))
                .and_then(|m| m.checked_add(u64::from(digit)));
            float = float * 16.0 + f64::from(digit);
        }
        if !any {
            return Err(self.error_at(start, "expected hex digits after `0x`"));
        }
        if self.peek().is_some_and(is_identifier_part) {
            return Err(self.expected("a delimiter after the number"));
        }
        Ok(match (negative, exact) {
            (false, Some(magnitude)) => Value::from(magnitude),
            (true, Some(magnitude)) if magnitude <= i64::MIN.unsigned_abs() => {
                Value::from(0i64.saturating_sub_unsigned(magnitude))
            }
            (true, _) => float_value(-float),
            (false, None) => float_value(float),
        })
    }
}

/// A JSON number lexeme as `serde_json` reads it; one out of range is an
/// infinity, so `null`.
fn json_number(lexeme: &str) -> Value {
    match serde_json::from_str::<Number>(lexeme) {
        Ok(number) => Value::Number(number),
        Err(_) => float_value(lexeme.parse().unwrap_or(f64::NAN)),
    }
}

/// A float, or `null` when JSON cannot hold it.
fn float_value(float: f64) -> Value {
    Number::from_f64(float).map_or(Value::Null, Value::Number)
}

/// A character for an error message, escaped when it is not printable.
fn shown(c: char) -> String {
    if c.is_control() || (c.is_whitespace() && c != ' ') {
        format!("`{}`", c.escape_unicode())
    } else {
        format!("`{c}`")
    }
}

fn is_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

/// JSON5 white space: tab, vertical tab, form feed, space, no-break space,
/// the byte order mark, and the other Unicode space separators (Zs).
fn is_white_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\u{b}' | '\u{c}' | ' ' | '\u{a0}' | '\u{feff}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}'
    )
}

fn is_identifier_start(c: char) -> bool {
    c == '$' || c == '_' || c.is_alphabetic()
}

fn is_identifier_part(c: char) -> bool {
    is_identifier_start(c) || c.is_alphanumeric() || matches!(c, '\u{200c}' | '\u{200d}')
}

#[cfg(test)]
mod tests;
