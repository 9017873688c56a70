//! Arbitrary bytes as every JSON credentials document: the IMDS / container
//! document, `credential_process` output (and its stderr), an SSO token cache
//! file, the SSO portal's `GetRoleCredentials` answer and its error answer.
//! Nothing may panic and errors are one line. When the bytes are a JSON
//! object, changing only its secrets (`SecretAccessKey`, `Token`,
//! `SessionToken`, `accessToken`, at any depth) changes no reader's answer as
//! `Debug` or error text shows it: no secret reaches either.
#![no_main]

use std::time::{Duration, UNIX_EPOCH};

use bedrock_lite::credentials::process::parse_output;
use bedrock_lite::fuzzing::{
    credential_process_stderr, json_credentials, sso_cached_token, sso_error, sso_role_credentials,
};
use bedrock_lite::http::BufferedResponse;
use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// The clock the SSO token's expiry is compared with: 2025-01-01T00:00:00Z.
const NOW: Duration = Duration::from_secs(1_735_689_600);

/// Member names whose values are secrets (compared in lower case).
const SECRET_NAMES: [&str; 4] = ["secretaccesskey", "token", "sessiontoken", "accesstoken"];

fuzz_target!(|data: &[u8]| {
    read_all(data);
    if let Some(excerpt) = credential_process_stderr(data) {
        assert!(!excerpt.chars().any(char::is_control), "{excerpt:?}");
        assert!(excerpt.chars().count() <= 201);
    }

    let Ok(mut document @ Value::Object(_)) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let before = read_all(&serde_json::to_vec(&document).expect("a value writes"));
    if change_secrets(&mut document) {
        let after = read_all(&serde_json::to_vec(&document).expect("a value writes"));
        assert_eq!(before, after, "a secret shows through");
    }
});

/// Every reader's answer to `body`, as `Debug` text; errors must be one line.
fn read_all(body: &[u8]) -> Vec<String> {
    fn shown<T: std::fmt::Debug>(answer: Result<T, String>) -> String {
        if let Err(message) = &answer {
            assert!(!message.chars().any(char::is_control), "{message:?}");
        }
        format!("{answer:?}")
    }
    let mut answers = vec![
        shown(json_credentials(body)),
        shown(parse_output(body)),
        shown(sso_role_credentials(body, "123456789012")),
    ];
    if let Ok(text) = std::str::from_utf8(body) {
        answers.push(shown(sso_cached_token(text, UNIX_EPOCH + NOW)));
    }
    for status in [403, 500] {
        let response = BufferedResponse {
            status,
            headers: Vec::new(),
            body: Bytes::copy_from_slice(body),
        };
        let detail = sso_error(&response);
        assert!(!detail.chars().any(char::is_control), "{detail:?}");
        answers.push(detail);
    }
    answers
}

/// Rotates the letters and digits of every secret string in `value` (`a`→`b`,
/// `Z`→`A`, `9`→`0`), keeping lengths and blanks; whether anything changed.
fn change_secrets(value: &mut Value) -> bool {
    match value {
        Value::Object(members) => {
            let mut changed = false;
            for (name, member) in members.iter_mut() {
                changed |= match member {
                    Value::String(text) if SECRET_NAMES.contains(&name.to_lowercase().as_str()) => {
                        let rotated: String = text.chars().map(rotate).collect();
                        let differs = rotated != *text;
                        *text = rotated;
                        differs
                    }
                    _ => change_secrets(member),
                };
            }
            changed
        }
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |changed, item| change_secrets(item) | changed),
        _ => false,
    }
}

fn rotate(c: char) -> char {
    let next = |first: u8, count: u8| char::from(first + (c as u8 - first + 1) % count);
    match c {
        'a'..='z' => next(b'a', 26),
        'A'..='Z' => next(b'A', 26),
        '0'..='9' => next(b'0', 10),
        _ => c,
    }
}
