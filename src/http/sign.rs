//! Signing a buffered [`HttpRequest`] or a URL, with one process-wide signer
//! (default settings) so that every caller shares the signing-key cache.

use std::time::{Duration, SystemTime};

use super::HttpRequest;
use crate::sigv4::{
    split_url, Payload, SignableRequest, Signer, SigningError, SigningIdentity, SigningScope,
    SigningSettings,
};

static SHARED_SIGNER: Signer = Signer::new(SigningSettings::DEFAULT);

/// Header-signs `request` in place: sets `X-Amz-Date`, `X-Amz-Security-Token`
/// (with a session token) and `Authorization`, replacing any header of the same
/// name. Signs every header present, and `host` from the URL when no `Host`
/// header is set.
pub fn sign_http_request(
    request: &mut HttpRequest,
    identity: &SigningIdentity<'_>,
    region: &str,
    service: &str,
    time: SystemTime,
) -> Result<(), SigningError> {
    let url = split_url(&request.uri)?;
    let signable = SignableRequest {
        method: &request.method,
        path: url.path,
        query: url.query,
        headers: &request.headers,
        host: Some(&url.host),
        payload: Payload::Bytes(&request.body),
    };
    let scope = SigningScope {
        region,
        service,
        time,
    };
    let signature = SHARED_SIGNER.sign_headers(&signable, identity, &scope)?;
    signature.apply_to(&mut request.headers);
    Ok(())
}

/// Presigns `method url` (no body) for `expires_in`, the session token included
/// in the signed query, and returns the presigned URL (without any fragment).
pub fn presign_url(
    method: &str,
    url: &str,
    identity: &SigningIdentity<'_>,
    region: &str,
    service: &str,
    expires_in: Duration,
    time: SystemTime,
) -> Result<String, SigningError> {
    let parts = split_url(url)?;
    let no_headers: &[(&str, &str)] = &[];
    let signable = SignableRequest {
        method,
        path: parts.path,
        query: parts.query,
        headers: no_headers,
        host: Some(&parts.host),
        payload: Payload::Bytes(&[]),
    };
    let scope = SigningScope {
        region,
        service,
        time,
    };
    let signature = SHARED_SIGNER.presign(&signable, identity, &scope, expires_in)?;
    let separator = if parts.query.is_empty() { "" } else { "&" };
    Ok(format!(
        "{}?{}{separator}{}",
        parts.base,
        parts.query,
        signature.query()
    ))
}
