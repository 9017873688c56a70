//! Arbitrary text as a Bedrock short-term API key (`token::inspect`), both as
//! given and as the base64 behind `bedrock-api-key-` (so that the fuzzer works
//! on the presigned URL itself), and what the CLI then does with an accepted
//! key (`expires_at`). Nothing may panic, whatever `X-Amz-Date` and
//! `X-Amz-Expires` say; a refusal is one line that says what was expected.
#![no_main]

use bedrock_lite::base64;
use bedrock_lite::token::{inspect, API_KEY_PREFIX};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let wrapped = format!("{API_KEY_PREFIX}{}", base64::encode(data));
    for key in [text.as_ref(), wrapped.as_str()] {
        match inspect(key) {
            Ok(info) => {
                assert!(!info.region.is_empty());
                let _ = info.expires_at();
            }
            Err(error) => {
                let shown = error.to_string();
                assert!(shown.starts_with("not a Bedrock short-term API key: "));
                assert!(!shown.chars().any(char::is_control), "{shown:?}");
            }
        }
    }
});
