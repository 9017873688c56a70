//! Arbitrary text as a model ref (`ModelRef::parse`, ARNs included). Nothing
//! may panic. A ref that parses reads back to itself from its id, its path
//! segment is unreserved characters and `%XX` escapes that decode to its id,
//! and its base model id and provider are parts of what was given; a refusal
//! is one line.
#![no_main]

use bedrock_lite::model_ref::ModelRef;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let model = match ModelRef::parse(&text) {
        Ok(model) => model,
        Err(error) => {
            let shown = error.to_string();
            assert!(!shown.chars().any(char::is_control), "{shown:?}");
            return;
        }
    };
    let id = model.id();
    assert!(text.ends_with(id) && !id.is_empty() && id.len() <= 2048);
    assert_eq!(model.to_string(), id);
    assert_eq!(ModelRef::parse(id).as_ref(), Ok(&model));

    let segment = model.path_segment();
    assert_eq!(decode_segment(&segment).as_deref(), Some(id), "{segment}");

    assert_eq!(model.region().is_some(), model.arn().is_some());
    if let Some(arn) = model.arn() {
        assert!(id.starts_with("arn:") && id.ends_with(&arn.resource_id));
    }
    if let Some(base) = model.base_model_id() {
        assert!(id.ends_with(base) && !base.is_empty());
        if let Some(provider) = model.provider() {
            assert!(base.starts_with(provider) && !provider.is_empty());
        }
    }
});

/// The id a path segment encodes, if the segment holds only RFC 3986
/// unreserved characters and `%XX` escapes with upper-case hex digits.
fn decode_segment(segment: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(segment.len());
    let mut rest = segment.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        rest = tail;
        match byte {
            b'%' => {
                let hex = rest.get(..2)?;
                if !hex
                    .iter()
                    .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(b))
                {
                    return None;
                }
                bytes.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
                rest = rest.get(2..)?;
            }
            b if b.is_ascii_alphanumeric() || b"-._~".contains(&b) => bytes.push(b),
            _ => return None,
        }
    }
    String::from_utf8(bytes).ok()
}
