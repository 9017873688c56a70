//! Every case of the official SigV4 vectors under `../shared/testdata/sigv4/`
//! (see its PROVENANCE.md): the aws-c-auth suite layout (`context.json`,
//! `request.txt`, `header-*` and `query-*` expectations) and the legacy botocore
//! layout (`.req`, `.creq`, `.sts`, `.authz`, `.sreq`).
//!
//! For each case and each signature location the case has, our canonical
//! request, string to sign, signature and signed request must equal the files
//! byte for byte. Two documented layout quirks are compared by value instead
//! (PROVENANCE.md, "Surprises"): the legacy `.sreq` files and the smithy-rs
//! `double-url-encode` case write `Authorization: ` with a space, and the latter
//! omits ` HTTP/1.1`. The same cases are also signed through the public
//! adapters (`sign_http_request`, `presign_url`) where their settings allow.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bedrock_lite::http::{presign_url, sign_http_request, HttpRequest};
use bedrock_lite::sigv4::{
    RawRequest, SignatureLocation, SignedRawRequest, SigningContext, SigningSettings,
};

/// The inputs every legacy botocore case shares (PROVENANCE.md): the example
/// credentials, `us-east-1`, service `service`, 2015-08-30T12:36:00Z.
const LEGACY_CONTEXT: &str = r#"{
    "credentials": {
        "access_key_id": "AKIDEXAMPLE",
        "secret_access_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    },
    "expiration_in_seconds": 3600,
    "normalize": true,
    "region": "us-east-1",
    "service": "service",
    "sign_body": false,
    "timestamp": "2015-08-30T12:36:00Z"
}"#;

/// Cases whose signed-request file differs from the suite's layout only in
/// documented ways (`Authorization: `, no ` HTTP/1.1`).
const SIGNED_REQUEST_LAYOUT_QUIRKS: [&str; 1] = ["double-url-encode"];

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn read_if_present(path: &Path) -> Option<String> {
    path.exists().then(|| read(path))
}

/// Every folder under `root`, depth first, sorted.
fn folders(root: &Path) -> Vec<PathBuf> {
    let mut found = vec![root.to_path_buf()];
    let mut index = 0;
    while let Some(dir) = found.get(index).cloned() {
        let mut children: Vec<PathBuf> = fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
            .map(|entry| entry.expect("directory entry").path())
            .filter(|path| path.is_dir())
            .collect();
        children.sort();
        found.extend(children);
        index += 1;
    }
    found
}

fn sign(request: &RawRequest, context: &SigningContext, query: bool) -> SignedRawRequest {
    let location = context
        .location(query)
        .expect("the context has what signing needs");
    request.sign(context, location).expect("the vector signs")
}

/// A signed request reduced to what the quirky layouts agree on: the request
/// line without its version, and each header as (name, value without leading
/// spaces).
fn by_value(text: &str) -> (String, Vec<(String, String)>, String) {
    let (head, body) = text.split_once("\n\n").unwrap_or((text, ""));
    let mut lines = head.lines();
    let request_line = lines.next().unwrap_or_default();
    let request_line = request_line
        .strip_suffix(" HTTP/1.1")
        .unwrap_or(request_line);
    let headers = lines
        .map(|line| {
            let (name, value) = line.split_once(':').expect("a header line");
            (name.to_owned(), value.trim_start().to_owned())
        })
        .collect();
    (request_line.to_owned(), headers, body.to_owned())
}

/// The signature in an `Authorization` header or an `X-Amz-Signature` parameter.
fn signature_in(signed_request: &str) -> String {
    let start = signed_request
        .find("Signature=")
        .expect("the signed request carries a signature")
        + "Signature=".len();
    signed_request[start..start + 64].to_owned()
}

/// Checks one aws-c-auth layout case; returns how many locations it had.
fn check_suite_case(dir: &Path) -> usize {
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let context = SigningContext::from_json(&read(&dir.join("context.json"))).expect("context");
    let request = RawRequest::parse(&fs::read(dir.join("request.txt")).expect("request"))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut locations = 0;
    for (variant, query) in [("header", false), ("query", true)] {
        let file = |suffix: &str| dir.join(format!("{variant}-{suffix}"));
        let Some(canonical_request) = read_if_present(&file("canonical-request.txt")) else {
            continue;
        };
        locations += 1;
        let signed = sign(&request, &context, query);
        let case = format!("{name} [{variant}]");
        assert_eq!(
            signed.canonical_request, canonical_request,
            "{case}: canonical request"
        );
        let string_to_sign = read(&file("string-to-sign.txt"));
        // double-url-encode's file ends with a newline (PROVENANCE.md).
        assert_eq!(
            signed.string_to_sign,
            string_to_sign.strip_suffix('\n').unwrap_or(&string_to_sign),
            "{case}: string to sign"
        );
        let signed_request = read(&file("signed-request.txt"));
        let signature = read_if_present(&file("signature.txt"))
            .unwrap_or_else(|| signature_in(&signed_request));
        assert_eq!(signed.signature, signature.trim(), "{case}: signature");
        if SIGNED_REQUEST_LAYOUT_QUIRKS.contains(&name) {
            assert_eq!(
                by_value(&signed.signed_request),
                by_value(&signed_request),
                "{case}"
            );
        } else {
            assert_eq!(
                signed.signed_request, signed_request,
                "{case}: signed request"
            );
        }
        check_adapters(&request, &context, query, &signed.signature, &case);
    }
    assert!(locations > 0, "{name}: neither header-* nor query-* files");
    locations
}

/// Signs the same request through `sign_http_request` / `presign_url` when the
/// case uses their settings (the defaults) and its target is a valid URL.
fn check_adapters(
    request: &RawRequest,
    context: &SigningContext,
    query: bool,
    want: &str,
    case: &str,
) {
    let host = request
        .headers()
        .find(|(name, _)| name.eq_ignore_ascii_case("host"))
        .map(|(_, value)| value);
    let url_safe = request.target().bytes().all(|b| b.is_ascii_graphic());
    let (Some(host), true, true) = (host, url_safe, context.settings == SigningSettings::DEFAULT)
    else {
        return;
    };
    let url = format!("https://{host}{}", request.target());
    let identity = context.identity();
    let signature = if query {
        if request.headers().count() != 1 || !request.body().is_empty() {
            return; // presign_url signs `host` and an empty body only
        }
        let presigned = presign_url(
            request.method(),
            &url,
            &identity,
            &context.region,
            &context.service,
            context.expires_in.expect("expiration"),
            context.time,
        )
        .unwrap_or_else(|e| panic!("{case}: presign_url: {e}"));
        signature_in(&presigned)
    } else {
        let mut http = HttpRequest {
            method: request.method().to_owned(),
            uri: url,
            headers: request
                .headers()
                .map(|(name, value)| (name.to_owned(), value.to_owned()))
                .collect(),
            body: request.body().to_vec().into(),
            connect_timeout: Duration::from_secs(1),
            response_timeout: Duration::from_secs(1),
            direct: false,
        };
        sign_http_request(
            &mut http,
            &identity,
            &context.region,
            &context.service,
            context.time,
        )
        .unwrap_or_else(|e| panic!("{case}: sign_http_request: {e}"));
        let authorization = http
            .headers
            .iter()
            .find(|(name, _)| name == "Authorization")
            .map(|(_, value)| value.clone())
            .expect("Authorization was set");
        signature_in(&authorization)
    };
    assert_eq!(signature, want, "{case}: adapter signature");
}

/// Checks one legacy botocore case (`<dir>/<name>.req` and friends).
fn check_legacy_case(dir: &Path, name: &str) {
    let file = |extension: &str| dir.join(format!("{name}.{extension}"));
    let context = SigningContext::from_json(LEGACY_CONTEXT).expect("context");
    let request = RawRequest::parse(&fs::read(file("req")).expect("request"))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let signed = sign(&request, &context, false);
    assert_eq!(
        signed.canonical_request,
        read(&file("creq")),
        "{name}: canonical request"
    );
    assert_eq!(
        signed.string_to_sign,
        read(&file("sts")),
        "{name}: string to sign"
    );
    let authorization = read(&file("authz"));
    assert_eq!(
        signed.signature,
        signature_in(&authorization),
        "{name}: signature"
    );
    assert!(
        signed
            .signed_request
            .contains(&format!("Authorization:{authorization}\n")),
        "{name}: Authorization header"
    );
    assert_eq!(
        by_value(&signed.signed_request),
        by_value(&read(&file("sreq"))),
        "{name}: signed request"
    );
}

#[test]
fn every_official_vector_signs_byte_for_byte() {
    let Some(root) = common::vectors("sigv4") else {
        return;
    };
    let (mut suite_checks, mut legacy_cases) = (0, 0);
    for dir in folders(&root) {
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if dir.join("context.json").exists() && dir.join("request.txt").exists() {
            suite_checks += check_suite_case(&dir);
        } else if dir.join(format!("{name}.req")).exists() {
            check_legacy_case(&dir, &name);
            legacy_cases += 1;
        } else {
            // Only grouping folders may hold no case; a stray file means a
            // layout this test does not know, which must not pass silently.
            let files: Vec<_> = fs::read_dir(&dir)
                .expect("list")
                .map(|entry| entry.expect("entry").path())
                .filter(|path| path.is_file() && dir != root)
                .collect();
            assert!(
                files.is_empty(),
                "unrecognised vector layout in {}: {files:?}",
                dir.display()
            );
        }
    }
    eprintln!("sigv4 vectors: {suite_checks} suite checks, {legacy_cases} legacy cases");
    assert!(
        suite_checks > 0 && legacy_cases > 0,
        "no vectors found under {}",
        root.display()
    );
}

#[test]
fn the_suite_context_needs_an_expiration_for_query_signing() {
    let context =
        SigningContext::from_json(&LEGACY_CONTEXT.replace("\"expiration_in_seconds\": 3600,", ""))
            .expect("context");
    assert!(context.location(true).is_err());
    assert_eq!(
        context.location(false).ok(),
        Some(SignatureLocation::Headers)
    );
}
