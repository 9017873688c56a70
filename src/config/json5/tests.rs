use proptest::prelude::*;
use serde_json::{json, Value};

use super::*;

fn ok(text: &str) -> Value {
    parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

fn err(text: &str) -> String {
    parse(text).expect_err(text).to_string()
}

#[test]
fn the_json5_extras() {
    let text = r#"
// A JSON5 document, from the spec's example and more.
{
  // comments
  unquoted: 'and you can quote me on that',
  singleQuotes: 'I can use "double quotes" here',
  lineBreaks: "Look, Mom! \
No \\n's!",
  hexadecimal: 0xdecaf,
  leadingDecimalPoint: .8675309, andTrailing: 8675309.,
  positiveSign: +1,
  trailingComma: 'in objects', andIn: ['arrays',],
  "backwardsCompatible": "with JSON",
  /* a block
     comment */ $dollar_key: null, _under: true, ünïcödé: false,
  escapes: '\x41\u00e9\v\0\'\/\q',
  surrogates: "\ud83d\ude00",
  exponents: [1e3, 2E-2, .5e1, 5.e1, -0x10, +0X1F],
  infinities: [Infinity, -Infinity, +Infinity, NaN, -NaN],
  null: 'a key may be a reserved word',
}
"#;
    assert_eq!(
        ok(text),
        json!({
            "unquoted": "and you can quote me on that",
            "singleQuotes": "I can use \"double quotes\" here",
            "lineBreaks": "Look, Mom! No \\n's!",
            "hexadecimal": 912559,
            "leadingDecimalPoint": 0.8675309, "andTrailing": 8675309,
            "positiveSign": 1,
            "trailingComma": "in objects", "andIn": ["arrays"],
            "backwardsCompatible": "with JSON",
            "$dollar_key": null, "_under": true, "ünïcödé": false,
            "escapes": "A\u{e9}\u{b}\u{0}'/q",
            "surrogates": "😀",
            "exponents": [1000.0, 0.02, 5.0, 50.0, -16, 31],
            "infinities": [null, null, null, null, null],
            "null": "a key may be a reserved word",
        })
    );
}

#[test]
fn white_space_and_line_continuations() {
    assert_eq!(
        ok("\u{feff}\u{a0}\u{2028}\u{3000}[1,\u{b}\u{c}2]\u{2029}"),
        json!([1, 2])
    );
    assert_eq!(ok("'a\\\r\nb\\\rc\\\u{2028}d'"), json!("abcd"));
    assert_eq!(ok("'raw\u{2028}separator'"), json!("raw\u{2028}separator"));
    assert_eq!(ok("{a\\u0062c: 1}"), json!({"abc": 1}));
    assert_eq!(ok("// only a comment before\n7 // and after"), json!(7));
    assert_eq!(ok("/**/7/***/"), json!(7));
}

#[test]
fn numbers_read_as_serde_json_reads_them() {
    assert_eq!(ok("0x10"), json!(16));
    assert_eq!(ok("0xFFFFFFFFFFFFFFFF"), json!(u64::MAX));
    assert_eq!(ok("-0x8000000000000000"), json!(i64::MIN));
    assert_eq!(
        ok("0x10000000000000000"),
        json!(18_446_744_073_709_551_616.0)
    );
    assert_eq!(ok("1e400"), Value::Null);
    assert_eq!(ok("[-1.5, 10, 2.50]"), json!([-1.5, 10, 2.5]));
    assert_eq!(ok("-0"), serde_json::from_str::<Value>("-0").expect("json"));
}

#[test]
fn errors_say_where_and_what() {
    for (text, expected) in [
        (
            "",
            "line 1, column 1: expected a value, found the end of the text",
        ),
        (
            "{a: 1,,}",
            "line 1, column 7: expected a key or `}`, found `,`",
        ),
        ("[1,,]", "line 1, column 4: expected a value, found `,`"),
        ("[,]", "line 1, column 2: expected a value, found `,`"),
        (
            "{\n  a 1}",
            "line 2, column 5: expected `:` after the key, found `1`",
        ),
        (
            "{a: yes}",
            "line 1, column 5: expected a value, found `yes` (strings need quotes)",
        ),
        ("'abc", "line 1, column 1: unterminated string"),
        ("\"a\nb\"", "line 1, column 3: a line break in a string"),
        ("/* open", "line 1, column 1: unterminated `/*` comment"),
        ("01", "line 1, column 1: a number may not start with 0"),
        (
            "1x",
            "line 1, column 2: expected a delimiter after the number, found `x`",
        ),
        ("0x", "line 1, column 1: expected hex digits after `0x`"),
        (
            "1e",
            "line 1, column 3: expected the exponent's digits, found the end of the text",
        ),
        (".", "line 1, column 1: expected digits around `.`"),
        (
            "-",
            "line 1, column 2: expected a digit, found the end of the text",
        ),
        ("'\\1'", "line 1, column 2: octal escapes are not allowed"),
        ("'\\x4'", "line 1, column 2: expected 2 hex digits"),
        ("'\\ud800'", "line 1, column 2: a lone surrogate"),
        ("'\\udc00'", "line 1, column 2: a lone surrogate"),
        (
            "1 2",
            "line 1, column 3: expected the end of the text, found `2`",
        ),
        (
            "\r\n\r\n  }",
            "line 3, column 3: expected a value, found `}`",
        ),
        (
            "{'a': 1 'b': 2}",
            "line 1, column 9: expected `,` or `}`, found `'`",
        ),
        (
            "Infinityx",
            "line 1, column 9: expected a delimiter after the number",
        ),
        ("{\\x41: 1}", "line 1, column 2: expected `\\u` in a key"),
        (
            "{a\\u0020b: 1}",
            "line 1, column 3: the escape is not a key character",
        ),
        (
            "'\u{1}\u{7f}ok' x",
            "line 1, column 8: expected the end of the text, found `x`",
        ),
    ] {
        let message = err(text);
        assert!(
            message.starts_with(expected),
            "{text:?}: {message}\n  expected {expected}"
        );
        assert!(!message.contains('\n'), "{message}");
    }
}

#[test]
fn the_depth_limit_is_serde_jsons() {
    for depth in [
        MAX_DEPTH - 2,
        MAX_DEPTH - 1,
        MAX_DEPTH,
        MAX_DEPTH + 1,
        10_000,
    ] {
        for (open, close) in [("[", "]"), ("{a:", "}")] {
            let text = format!("{}1{}", open.repeat(depth), close.repeat(depth));
            let json = text.replace("{a:", "{\"a\":");
            let ours = parse(&text);
            let theirs = serde_json::from_str::<Value>(&json);
            assert_eq!(ours.is_ok(), theirs.is_ok(), "depth {depth}");
            if let Err(e) = ours {
                assert_eq!(e.message, format!("nested deeper than {MAX_DEPTH} levels"));
            }
        }
    }
}

/// Any JSON value (numbers as `serde_json` makes them).
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| Number::from_f64(f).map_or(Value::Null, Value::Number)),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(any::<String>(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// How to write a value in JSON5's extra syntax, chosen by the test.
#[derive(Debug, Clone)]
struct Style {
    single_quotes: bool,
    bare_keys: bool,
    trailing_commas: bool,
    comments: bool,
    hex_integers: bool,
}

fn any_style() -> impl Strategy<Value = Style> {
    (
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(single_quotes, bare_keys, trailing_commas, comments, hex_integers)| Style {
                single_quotes,
                bare_keys,
                trailing_commas,
                comments,
                hex_integers,
            },
        )
}

/// A value written as JSON5 in `style` (the test's own writer).
fn write_json5(value: &Value, style: &Style, out: &mut String) {
    let blank = |out: &mut String| {
        if style.comments {
            out.push_str(" /* c */ // line\n\u{a0}");
        } else {
            out.push(' ');
        }
    };
    match value {
        Value::String(s) => write_string(s, style, out),
        Value::Number(n) if style.hex_integers && n.is_u64() => {
            out.push_str(&format!("0x{:X}", n.as_u64().unwrap_or_default()));
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                blank(out);
                write_json5(item, style, out);
                if i + 1 < items.len() || style.trailing_commas {
                    out.push(',');
                }
            }
            blank(out);
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                blank(out);
                let bare = style.bare_keys
                    && key.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                    && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if bare {
                    out.push_str(key);
                } else {
                    write_string(key, style, out);
                }
                out.push(':');
                blank(out);
                write_json5(item, style, out);
                if i + 1 < map.len() || style.trailing_commas {
                    out.push(',');
                }
            }
            blank(out);
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

fn write_string(s: &str, style: &Style, out: &mut String) {
    if !style.single_quotes {
        out.push_str(&Value::String(s.to_owned()).to_string());
        return;
    }
    out.push('\'');
    for c in s.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x100 && c.is_control() => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('\'');
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_json_document_reads_as_serde_json_reads_it(value in any_json(), pretty: bool) {
        let text = if pretty {
            serde_json::to_string_pretty(&value)
        } else {
            serde_json::to_string(&value)
        }.expect("serialises");
        let theirs: Value = serde_json::from_str(&text).expect("serde_json reads its own output");
        let ours = parse(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(ours, theirs);
    }

    #[test]
    fn json5_writing_reads_back(value in any_json(), style in any_style()) {
        let mut text = String::new();
        write_json5(&value, &style, &mut text);
        let expected: Value = serde_json::from_str(&value.to_string()).expect("json");
        let ours = parse(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(ours, expected);
    }

    #[test]
    fn garbage_never_panics(text in any::<String>()) {
        if let Err(e) = parse(&text) {
            prop_assert!(!e.message.contains('\n'));
            prop_assert!(e.line >= 1 && e.column >= 1);
        }
    }

    #[test]
    fn broken_documents_never_panic(
        value in any_json(),
        style in any_style(),
        cut in any::<prop::sample::Index>(),
        insert in prop::sample::select(vec!["", "/*", "'", "\\", "\\u", "0x", ",", "}", "[", "\n", "e", ".", "-"]),
    ) {
        let mut text = String::new();
        write_json5(&value, &style, &mut text);
        let mut at = cut.index(text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        text.insert_str(at, insert);
        let _ = parse(&text);
        let _ = parse(text.get(..at).unwrap_or_default());
    }
}
