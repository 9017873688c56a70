//! Arbitrary bytes as an STS answer (the Query protocol's XML), the text after
//! the first NUL byte, if any, being an element name to look up: the
//! credentials reader for `AssumeRole` and `AssumeRoleWithWebIdentity`, the
//! error reader, and the XML reader's `element` / `text`. Nothing may panic;
//! errors are one line; credentials that read are complete; an element's
//! content ends where its closing tag starts.
#![no_main]

use bedrock_lite::fuzzing::{sts_credentials, sts_error, sts_xml_element, sts_xml_text};
use bedrock_lite::http::BufferedResponse;
use bytes::Bytes;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (body, name) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], String::from_utf8_lossy(&data[at + 1..])),
        None => (data, "Credentials".into()),
    };

    for action in ["AssumeRole", "AssumeRoleWithWebIdentity"] {
        match sts_credentials(body, action) {
            Ok(credentials) => {
                assert!(!credentials.access_key_id.is_empty());
                assert!(!credentials.secret_access_key.expose().is_empty());
                assert!(credentials.session_token.is_some() && credentials.expiry.is_some());
            }
            Err(message) => assert!(!message.contains('\n'), "{message:?}"),
        }
    }

    for status in [400, 503] {
        let response = BufferedResponse {
            status,
            headers: Vec::new(),
            body: Bytes::copy_from_slice(body),
        };
        let (detail, retryable) = sts_error(&response);
        assert!(!detail.chars().any(char::is_control), "{detail:?}");
        assert!(detail.ends_with(&format!("(HTTP {status})")));
        assert!(retryable || status < 500);
    }

    let Ok(xml) = std::str::from_utf8(body) else {
        return;
    };
    if let Some(content) = sts_xml_element(xml, &name) {
        if !content.is_empty() {
            // The content is a slice of `xml`, just before `</name>`.
            let end = content.as_ptr() as usize - xml.as_ptr() as usize + content.len();
            let after = xml
                .get(end..)
                .expect("the content lies inside the document");
            assert!(after.starts_with(&format!("</{name}>")));
            assert!(!content.contains(&format!("</{name}>")));
        }
    }
    let _ = sts_xml_text(xml, &name);
});
