//! SigV4: signing a Bedrock ConverseStream request (2 KiB JSON body, session
//! token) with ours, cold and warm (signing key cached), and with `aws-sigv4`,
//! next to the floor: the hashing the algorithm cannot avoid, timed alone.
//!
//! ```text
//! cargo bench --bench sigv4
//! ```
//!
//! * `ours/warm`: one `Signer` reused; the key is cached, so a signature is the
//!   body hash, one hash of the canonical request and one HMAC.
//! * `ours/cold`: a fresh `Signer` per signature (key derived each time).
//! * `aws-sigv4`: the official crate (it derives the key on every call).
//! * `floor/warm`: SHA-256 of the body and of the canonical request, plus the
//!   HMAC of the string to sign from a pre-keyed state.
//! * `floor/cold`: `floor/warm` plus the four HMACs that derive the key.
//!
//! The `..._precomputed_body_hash` group signs the same request given the body's
//! SHA-256 (as a transport that hashes while serialising would), so that the
//! signer's own work is not hidden behind the body hash: there the floor is one
//! hash of the canonical request and one HMAC.

use std::hint::black_box;
use std::time::{Duration, UNIX_EPOCH};

use aws_sigv4::http_request::{sign, SignableBody, SignableRequest as AwsRequest, SigningSettings};
use bedrock_lite::sigv4::{
    percent_encode, Payload, SignableRequest, SignatureLocation, Signer, SigningIdentity,
    SigningScope, SigningSettings as OurSettings,
};
use criterion::{criterion_group, criterion_main, Criterion};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const ACCESS_KEY_ID: &str = "ASIAEXAMPLEEXAMPLE12";
const HOST: &str = "bedrock-runtime.us-east-1.amazonaws.com";
const REGION: &str = "us-east-1";
const SERVICE: &str = "bedrock";

/// A ConverseStream body of exactly 2 KiB.
fn body() -> Vec<u8> {
    let head = r#"{"messages":[{"role":"user","content":[{"text":""#;
    let tail = r#""}]}],"inferenceConfig":{"maxTokens":1024,"temperature":0.5}}"#;
    let filler = "Explain AWS Signature Version 4 step by step. "
        .repeat(64)
        .chars()
        .take(2048 - head.len() - tail.len())
        .collect::<String>();
    format!("{head}{filler}{tail}").into_bytes()
}

fn bench_sigv4(c: &mut Criterion) {
    let body = body();
    assert_eq!(body.len(), 2048);
    let token = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN/+=".repeat(20);
    let path = format!(
        "/model/{}/converse-stream",
        percent_encode("us.anthropic.claude-sonnet-4-6-20251001-v1:0")
    );
    let url = format!("https://{HOST}{path}");
    let headers = [
        ("content-type", "application/json"),
        ("accept", "application/vnd.amazon.eventstream"),
    ];
    let time = UNIX_EPOCH + Duration::from_secs(1_763_000_000);
    let identity = SigningIdentity {
        access_key_id: ACCESS_KEY_ID,
        secret_access_key: SECRET,
        session_token: Some(&token),
    };
    let scope = SigningScope {
        region: REGION,
        service: SERVICE,
        time,
    };
    let request = SignableRequest {
        method: "POST",
        path: &path,
        query: "",
        headers: &headers,
        host: Some(HOST),
        payload: Payload::Bytes(&body),
    };

    let aws_identity = aws_credential_types::Credentials::new(
        ACCESS_KEY_ID,
        SECRET,
        Some(token.clone()),
        None,
        "bench",
    )
    .into();
    let aws_params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&aws_identity)
        .region(REGION)
        .name(SERVICE)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .expect("params")
        .into();
    let aws_signature = |body: &[u8]| {
        let request = AwsRequest::new(
            "POST",
            url.as_str(),
            headers.iter().copied(),
            SignableBody::Bytes(body),
        )
        .expect("request");
        sign(request, &aws_params).expect("signs").into_parts().1
    };

    // Both sign the same bytes: the comparison is fair.
    let warm = Signer::default();
    let ours = warm
        .sign_headers(&request, &identity, &scope)
        .expect("signs");
    assert_eq!(ours.signature(), aws_signature(&body));

    // The texts the floor hashes.
    let explanation = warm
        .explain(&request, &identity, &scope, SignatureLocation::Headers)
        .expect("signs");
    let canonical_request = explanation.canonical_request.clone();
    let string_to_sign = explanation.string_to_sign.clone();
    let date = string_to_sign
        .lines()
        .nth(2)
        .and_then(|scope| scope.get(..8))
        .expect("a credential scope")
        .to_owned();
    let signing_key = derive_key(SECRET, &date, REGION, SERVICE);
    let keyed = Hmac::<Sha256>::new_from_slice(&signing_key).expect("any key length");

    let mut group = c.benchmark_group("sigv4/converse_stream_2KiB");
    group.bench_function("ours/warm", |b| {
        b.iter(|| {
            warm.sign_headers(black_box(&request), &identity, &scope)
                .expect("signs")
        })
    });
    group.bench_function("ours/cold", |b| {
        b.iter(|| {
            Signer::new(OurSettings::DEFAULT)
                .sign_headers(black_box(&request), &identity, &scope)
                .expect("signs")
        })
    });
    group.bench_function("aws-sigv4", |b| b.iter(|| aws_signature(black_box(&body))));
    group.bench_function("floor/warm", |b| {
        b.iter(|| {
            floor(
                black_box(&body),
                &canonical_request,
                &string_to_sign,
                &keyed,
            )
        })
    });
    group.bench_function("floor/cold", |b| {
        b.iter(|| {
            let key = derive_key(black_box(SECRET), &date, REGION, SERVICE);
            let keyed = Hmac::<Sha256>::new_from_slice(&key).expect("any key length");
            floor(
                black_box(&body),
                &canonical_request,
                &string_to_sign,
                &keyed,
            )
        })
    });
    group.finish();

    // The same request with the body hash precomputed.
    let digest: [u8; 32] = Sha256::digest(&body).into();
    let hashed = SignableRequest {
        payload: Payload::Sha256(digest),
        ..request
    };
    let digest_hex = hex::encode(digest);
    let aws_hashed_signature = || {
        let body = SignableBody::Precomputed(digest_hex.clone());
        let request =
            AwsRequest::new("POST", url.as_str(), headers.iter().copied(), body).expect("request");
        sign(request, &aws_params).expect("signs").into_parts().1
    };
    let ours = warm
        .sign_headers(&hashed, &identity, &scope)
        .expect("signs");
    assert_eq!(ours.signature(), aws_hashed_signature());

    let mut group = c.benchmark_group("sigv4/converse_stream_precomputed_body_hash");
    group.bench_function("ours/warm", |b| {
        b.iter(|| {
            warm.sign_headers(black_box(&hashed), &identity, &scope)
                .expect("signs")
        })
    });
    group.bench_function("aws-sigv4", |b| b.iter(aws_hashed_signature));
    group.bench_function("floor/warm", |b| {
        b.iter(|| floor(b"", black_box(&canonical_request), &string_to_sign, &keyed))
    });
    group.finish();
}

/// The hashing a warm signature cannot avoid.
fn floor(
    body: &[u8],
    canonical_request: &str,
    string_to_sign: &str,
    keyed: &Hmac<Sha256>,
) -> [u8; 32] {
    let body_hash = Sha256::digest(body);
    let canonical_hash = Sha256::digest(canonical_request.as_bytes());
    let mut mac = keyed.clone();
    mac.update(string_to_sign.as_bytes());
    black_box((body_hash, canonical_hash));
    mac.finalize().into_bytes().into()
}

fn derive_key(secret: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
    let hmac = |key: &[u8], data: &str| -> [u8; 32] {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
        mac.update(data.as_bytes());
        mac.finalize().into_bytes().into()
    };
    let date_key = hmac(format!("AWS4{secret}").as_bytes(), date);
    let region_key = hmac(&date_key, region);
    let service_key = hmac(&region_key, service);
    hmac(&service_key, "aws4_request")
}

criterion_group!(benches, bench_sigv4);
criterion_main!(benches);
