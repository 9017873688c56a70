//! The signature check: the `Authorization` header's SigV4 signature is
//! recomputed over the request with the demo secret (by [`crate::sigv4`]) and
//! compared; or the header is the demo bearer token.

use std::time::{Duration, SystemTime};

use super::server::RecordedRequest;
use super::{DEMO_ACCESS_KEY_ID, DEMO_BEARER_TOKEN, DEMO_SECRET_ACCESS_KEY};
use crate::datetime;
use crate::sigv4::{Payload, SignableRequest, Signer, SigningIdentity, SigningScope};

/// How far a request's `X-Amz-Date` may be from the emulator's clock.
const MAX_SKEW: Duration = Duration::from_secs(5 * 60);

/// Why a request is refused: a 403 with this code and message.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Refusal {
    /// `UnrecognizedClientException`, `InvalidSignatureException`...
    pub(crate) code: &'static str,
    /// The message, worded as Bedrock words it.
    pub(crate) message: String,
}

impl Refusal {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Refusal {
            code,
            message: message.into(),
        }
    }

    fn invalid_signature(message: impl Into<String>) -> Self {
        Refusal::new("InvalidSignatureException", message)
    }
}

/// The parts of an `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...` value.
struct Authorization<'a> {
    access_key_id: &'a str,
    region: &'a str,
    service: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

fn parse_authorization(value: &str) -> Option<Authorization<'_>> {
    let rest = value.strip_prefix("AWS4-HMAC-SHA256 ")?;
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (name, value) = part.trim().split_once('=')?;
        match name {
            "Credential" => credential = Some(value),
            "SignedHeaders" => signed_headers = Some(value),
            "Signature" => signature = Some(value),
            _ => return None,
        }
    }
    let mut scope = credential?.split('/');
    let (Some(access_key_id), Some(_date), Some(region), Some(service), Some("aws4_request"), None) = (
        scope.next(),
        scope.next(),
        scope.next(),
        scope.next(),
        scope.next(),
        scope.next(),
    ) else {
        return None;
    };
    Some(Authorization {
        access_key_id,
        region,
        service,
        signed_headers: signed_headers?.split(';').collect(),
        signature: signature?,
    })
}

/// `time` as `20150830T123600Z`; empty for a time outside years 0 to 9999.
fn format_amz_date(time: SystemTime) -> String {
    datetime::unix_seconds(time)
        .and_then(datetime::format_amz_date)
        .unwrap_or_default()
}

/// `time` as an HTTP `Date` (IMF-fixdate: `Sun, 30 Aug 2015 12:36:00 GMT`); empty
/// for a time outside years 0 to 9999.
pub(crate) fn http_date(time: SystemTime) -> String {
    datetime::unix_seconds(time)
        .and_then(datetime::format_http_date)
        .unwrap_or_default()
}

/// The region of the request's SigV4 credential scope; `None` for a bearer
/// token or a missing or malformed `Authorization` header.
pub(crate) fn signing_region(request: &RecordedRequest) -> Option<&str> {
    parse_authorization(request.header("authorization")?).map(|a| a.region)
}

/// Checks the request's credentials against the demo ones, at `now`.
pub(crate) fn check(
    signer: &Signer,
    request: &RecordedRequest,
    now: SystemTime,
) -> Result<(), Refusal> {
    let Some(value) = request.header("authorization") else {
        return Err(Refusal::new(
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        ));
    };
    if let Some(token) = value.strip_prefix("Bearer ") {
        return if token == DEMO_BEARER_TOKEN {
            Ok(())
        } else {
            Err(Refusal::new(
                "UnrecognizedClientException",
                "Invalid API Key format: Must start with pre-defined prefix",
            ))
        };
    }
    let authorization = parse_authorization(value).ok_or_else(|| {
        Refusal::new(
            "IncompleteSignatureException",
            "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters",
        )
    })?;
    if authorization.access_key_id != DEMO_ACCESS_KEY_ID {
        return Err(Refusal::new(
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        ));
    }
    let amz_date = request.header("x-amz-date").unwrap_or_default();
    let signed_at = datetime::parse_amz_date(amz_date).ok_or_else(|| {
        Refusal::new(
            "IncompleteSignatureException",
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
        )
    })?;
    check_clock(amz_date, signed_at, now)?;
    let headers: Vec<(&str, &str)> = request
        .headers
        .iter()
        .filter(|(name, _)| {
            authorization
                .signed_headers
                .iter()
                .any(|signed| signed.eq_ignore_ascii_case(name))
        })
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    let (path, query) = request.path.split_once('?').unwrap_or((&request.path, ""));
    let signable = SignableRequest {
        method: &request.method,
        path,
        query,
        headers: &headers,
        host: None,
        payload: Payload::Bytes(&request.body),
    };
    let identity = SigningIdentity {
        access_key_id: DEMO_ACCESS_KEY_ID,
        secret_access_key: DEMO_SECRET_ACCESS_KEY,
        session_token: request.header("x-amz-security-token"),
    };
    let scope = SigningScope {
        region: authorization.region,
        service: authorization.service,
        time: signed_at,
    };
    let expected = signer
        .sign_headers(&signable, &identity, &scope)
        .map_err(|e| Refusal::invalid_signature(format!("The request cannot be signed: {e}")))?;
    if !constant_time_eq(expected.signature(), authorization.signature) {
        return Err(Refusal::invalid_signature(
            "The request signature we calculated does not match the signature you provided. \
             Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
        ));
    }
    Ok(())
}

/// A 403 "Signature expired" / "not yet current" when `signed_at` is more than
/// five minutes from `now`, worded as AWS words it.
fn check_clock(amz_date: &str, signed_at: SystemTime, now: SystemTime) -> Result<(), Refusal> {
    let now_text = format_amz_date(now);
    if signed_at + MAX_SKEW < now {
        let earliest = format_amz_date(now - MAX_SKEW);
        return Err(Refusal::invalid_signature(format!(
            "Signature expired: {amz_date} is now earlier than {earliest} ({now_text} - 5 min.)"
        )));
    }
    if signed_at > now + MAX_SKEW {
        let latest = format_amz_date(now + MAX_SKEW);
        return Err(Refusal::invalid_signature(format!(
            "Signature not yet current: {amz_date} is still later than {latest} ({now_text} + 5 min.)"
        )));
    }
    Ok(())
}

/// Compares two strings in time that depends only on their lengths.
fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |diff, (x, y)| diff | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amz_dates_round_trip() {
        let time = datetime::parse_amz_date("20150830T123600Z").expect("a valid date");
        assert_eq!(format_amz_date(time), "20150830T123600Z");
        assert!(datetime::parse_amz_date("2015-08-30").is_none());
        assert!(datetime::parse_amz_date("").is_none());
        assert_eq!(http_date(time), "Sun, 30 Aug 2015 12:36:00 GMT");
    }

    #[test]
    fn parses_authorization() {
        let value = "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc";
        let parsed = parse_authorization(value).expect("valid");
        assert_eq!(parsed.access_key_id, "AKID");
        assert_eq!(parsed.region, "us-east-1");
        assert_eq!(parsed.signed_headers, ["host", "x-amz-date"]);
        assert!(parse_authorization("AWS4-HMAC-SHA256 Credential=a/b").is_none());
        assert!(parse_authorization("Basic x").is_none());
    }

    #[test]
    fn refuses_skew() {
        let now = datetime::parse_amz_date("20150830T123600Z").expect("valid");
        let early = now - Duration::from_secs(301);
        let refusal = check_clock("20150830T123059Z", early, now).expect_err("expired");
        assert_eq!(
            refusal.message,
            "Signature expired: 20150830T123059Z is now earlier than 20150830T123100Z (20150830T123600Z - 5 min.)"
        );
        assert!(check_clock("", now + Duration::from_secs(301), now).is_err());
        assert!(check_clock("", now - Duration::from_secs(299), now).is_ok());
    }
}
