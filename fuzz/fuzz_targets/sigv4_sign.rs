//! Arbitrary request parts, credentials, scope, settings, URLs, raw request text
//! and context JSON through every SigV4 entry point: nothing may panic, and
//! whatever signs must sign consistently (64 lowercase hex digits, and the same
//! signature with and without the explained texts).
#![no_main]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use arbitrary::Arbitrary;
use bedrock_lite::http::{presign_url, sign_http_request, HttpRequest};
use bedrock_lite::sigv4::{
    Payload, RawRequest, SessionTokenPlacement, SignableRequest, SignatureLocation, Signer,
    SigningContext, SigningIdentity, SigningScope, SigningSettings,
};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    method: &'a str,
    path: &'a str,
    query: &'a str,
    headers: Vec<(&'a str, &'a str)>,
    host: Option<&'a str>,
    body: &'a [u8],
    body_digest: Option<[u8; 32]>,
    unsigned_payload: bool,
    access_key_id: &'a str,
    secret: &'a str,
    token: Option<&'a str>,
    region: &'a str,
    service: &'a str,
    seconds: u64,
    expires_in: u64,
    normalize_path: bool,
    content_sha256_header: bool,
    token_after_signing: bool,
    url: &'a str,
    raw_request: &'a [u8],
    context_json: &'a str,
}

fuzz_target!(|input: Input<'_>| {
    let settings = SigningSettings {
        normalize_path: input.normalize_path,
        content_sha256_header: input.content_sha256_header,
        session_token: if input.token_after_signing {
            SessionTokenPlacement::AddedAfterSigning
        } else {
            SessionTokenPlacement::Signed
        },
    };
    let payload = match (input.unsigned_payload, input.body_digest) {
        (true, _) => Payload::Unsigned,
        (false, Some(digest)) => Payload::Sha256(digest),
        (false, None) => Payload::Bytes(input.body),
    };
    let request = SignableRequest {
        method: input.method,
        path: input.path,
        query: input.query,
        headers: &input.headers,
        host: input.host,
        payload,
    };
    let identity = SigningIdentity {
        access_key_id: input.access_key_id,
        secret_access_key: input.secret,
        session_token: input.token,
    };
    let time = UNIX_EPOCH
        .checked_add(Duration::from_secs(input.seconds))
        .unwrap_or(SystemTime::UNIX_EPOCH);
    let scope = SigningScope {
        region: input.region,
        service: input.service,
        time,
    };
    let expires_in = Duration::from_secs(input.expires_in);
    let signer = Signer::new(settings);

    let headers = signer.sign_headers(&request, &identity, &scope);
    if let Ok(headers) = &headers {
        check_consistent(
            &signer,
            &request,
            &identity,
            &scope,
            SignatureLocation::Headers,
            headers.signature(),
        );
    }
    let query = signer.presign(&request, &identity, &scope, expires_in);
    if let Ok(query) = &query {
        let location = SignatureLocation::Query { expires_in };
        check_consistent(
            &signer,
            &request,
            &identity,
            &scope,
            location,
            query.signature(),
        );
    }

    let mut http = HttpRequest {
        method: input.method.to_owned(),
        uri: input.url.to_owned(),
        headers: input
            .headers
            .iter()
            .map(|&(name, value)| (name.to_owned(), value.to_owned()))
            .collect(),
        body: input.body.to_vec().into(),
        connect_timeout: Duration::from_secs(1),
        response_timeout: Duration::from_secs(1),
        direct: false,
    };
    let _ = sign_http_request(&mut http, &identity, input.region, input.service, time);
    let _ = presign_url(
        input.method,
        input.url,
        &identity,
        input.region,
        input.service,
        expires_in,
        time,
    );

    if let (Ok(raw), Ok(context)) = (
        RawRequest::parse(input.raw_request),
        SigningContext::from_json(input.context_json),
    ) {
        for query in [false, true] {
            if let Ok(location) = context.location(query) {
                let _ = raw.sign(&context, location);
            }
        }
    }
});

/// `explain` agrees with the fast path.
fn check_consistent(
    signer: &Signer,
    request: &SignableRequest<'_, (&str, &str)>,
    identity: &SigningIdentity<'_>,
    scope: &SigningScope<'_>,
    location: SignatureLocation,
    signature: &str,
) {
    assert_eq!(signature.len(), 64);
    assert!(signature
        .bytes()
        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    let explanation = signer
        .explain(request, identity, scope, location)
        .expect("what signs also explains");
    assert_eq!(explanation.output.signature(), signature);
    assert!(explanation.string_to_sign.starts_with("AWS4-HMAC-SHA256\n"));
}
