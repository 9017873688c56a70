//! Arbitrary bytes as a Converse response body (`types::ConverseResponse`) and
//! as an error answer (`transport::ServiceError::parse`), the text after the
//! first NUL byte, if any, being the `x-amzn-ErrorType` header. Nothing may
//! panic; a response that reads writes back to a value that reads the same; an
//! error is one line whose code comes from the header when it names one.
#![no_main]

use bedrock_lite::transport::ServiceError;
use bedrock_lite::types::ConverseResponse;
use libfuzzer_sys::fuzz_target;

/// The statuses `ServiceError::parse` treats differently.
const STATUSES: [u16; 7] = [400, 401, 403, 404, 429, 500, 503];

fuzz_target!(|data: &[u8]| {
    let (body, header) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], Some(String::from_utf8_lossy(&data[at + 1..]))),
        None => (data, None),
    };

    if let Ok(response) = serde_json::from_slice::<ConverseResponse>(body) {
        let _ = format!("{response:?}");
        let written = serde_json::to_value(&response).expect("a response writes");
        let again: ConverseResponse =
            serde_json::from_value(written.clone()).expect("what was written reads");
        assert_eq!(again, response, "written as {written}");
    }

    let header = header.as_deref();
    for status in STATUSES {
        let error = ServiceError::parse(status, header, body);
        assert_eq!(error.status, status);
        assert!(!error.code.is_empty());
        assert!(error.message.chars().count() <= 300);
        let shown = error.to_string();
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
        let _ = (error.is_retryable(), error.is_clock_skew());
        let named = header
            .and_then(|h| h.split(':').next())
            .map(str::trim)
            .filter(|code| !code.is_empty() && code.chars().count() <= 300)
            .filter(|code| !code.chars().any(char::is_control));
        if let Some(named) = named {
            assert_eq!(error.code, named);
        }
    }
});
