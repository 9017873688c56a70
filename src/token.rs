//! Bedrock short-term API keys: minted from IAM credentials, and inspected.
//!
//! A short-term key is a SigV4-presigned `POST https://bedrock.amazonaws.com/?Action=CallWithBearerToken`
//! URL for the service `bedrock` in one region, without its `https://`, with
//! `&Version=1` appended, base64-encoded, behind the prefix `bedrock-api-key-`.
//! Bedrock accepts it as `Authorization: Bearer <key>` until the presigned URL
//! expires (at most 12 hours, and never after the credentials that signed it).

use std::time::{Duration, SystemTime};

use crate::base64;
use crate::credentials::Credentials;
use crate::datetime;
use crate::http::presign_url;
use crate::sigv4::SigningIdentity;

/// What every Bedrock API key starts with.
pub const API_KEY_PREFIX: &str = "bedrock-api-key-";
/// The longest a short-term key may live.
pub const MAX_LIFETIME: Duration = Duration::from_secs(12 * 60 * 60);

const TOKEN_URL: &str = "https://bedrock.amazonaws.com/?Action=CallWithBearerToken";
const TOKEN_VERSION: &str = "&Version=1";

/// Why a key could not be minted or read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenError {
    /// The requested lifetime is zero or over 12 hours.
    InvalidLifetime(Duration),
    /// Signing failed.
    Signing(String),
    /// The text is not a Bedrock short-term API key; says why.
    Malformed(String),
}

impl std::fmt::Display for TokenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenError::InvalidLifetime(d) => write!(
                f,
                "lifetime of {} s is out of range: 1 to {} s",
                d.as_secs(),
                MAX_LIFETIME.as_secs()
            ),
            TokenError::Signing(m) => write!(f, "cannot sign the key: {m}"),
            TokenError::Malformed(m) => write!(f, "not a Bedrock short-term API key: {m}"),
        }
    }
}

impl std::error::Error for TokenError {}

/// Mints a short-term API key for `region`, valid for `lifetime` from `now`.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use bedrock_lite::credentials::Credentials;
/// use bedrock_lite::token;
/// let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
/// let now = SystemTime::now();
/// let key = token::mint(&creds, "us-west-2", Duration::from_secs(900), now).unwrap();
/// assert!(key.starts_with("bedrock-api-key-"));
/// let info = token::inspect(&key).unwrap();
/// assert_eq!(info.region, "us-west-2");
/// assert_eq!(info.lifetime, Duration::from_secs(900));
/// ```
pub fn mint(
    credentials: &Credentials,
    region: &str,
    lifetime: Duration,
    now: SystemTime,
) -> Result<String, TokenError> {
    if lifetime.is_zero() || lifetime > MAX_LIFETIME {
        return Err(TokenError::InvalidLifetime(lifetime));
    }
    let identity = SigningIdentity {
        access_key_id: &credentials.access_key_id,
        secret_access_key: credentials.secret_access_key.expose(),
        session_token: credentials.session_token.as_ref().map(|t| t.expose()),
    };
    let url = presign_url(
        "POST", TOKEN_URL, &identity, region, "bedrock", lifetime, now,
    )
    .map_err(|e| TokenError::Signing(e.to_string()))?;
    let unsigned = url.strip_prefix("https://").unwrap_or(&url);
    Ok(format!(
        "{API_KEY_PREFIX}{}",
        base64::encode(format!("{unsigned}{TOKEN_VERSION}").as_bytes())
    ))
}

/// The longest a SigV4 presigned URL (and so a short-term key) can live: 7 days.
const MAX_PRESIGNED_LIFETIME: Duration = Duration::from_secs(7 * 24 * 3600);

/// What a short-term key says about itself (nothing secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    /// The region the key works in.
    pub region: String,
    /// The access key id that signed it.
    pub access_key_id: String,
    /// When it was signed.
    pub issued_at: SystemTime,
    /// How long it lives from `issued_at`.
    pub lifetime: Duration,
    /// Whether it was signed with temporary credentials (a session token), which
    /// may expire before the key does.
    pub temporary_credentials: bool,
}

impl TokenInfo {
    /// When the key stops working (at the latest). [`inspect`] refuses keys
    /// whose expiry cannot be represented, so this does not saturate in practice.
    pub fn expires_at(&self) -> SystemTime {
        self.issued_at
            .checked_add(self.lifetime)
            .unwrap_or(self.issued_at)
    }
}

/// Reads a short-term key: its region, signer and expiry. Long-term keys (which
/// are not presigned URLs) are refused with an error saying so.
pub fn inspect(key: &str) -> Result<TokenInfo, TokenError> {
    let malformed = |m: &str| TokenError::Malformed(m.to_owned());
    let encoded = key
        .trim()
        .strip_prefix(API_KEY_PREFIX)
        .ok_or_else(|| malformed("it does not start with `bedrock-api-key-`"))?;
    let decoded =
        base64::decode(encoded).map_err(|e| malformed(&format!("{e} after the prefix")))?;
    let url = String::from_utf8(decoded).map_err(|_| {
        malformed("it decodes to binary data (a long-term key? those carry no expiry)")
    })?;
    let (_, query) = url
        .split_once('?')
        .ok_or_else(|| malformed("it holds no presigned URL (a long-term key?)"))?;
    let param = |name: &str| {
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
            .ok_or_else(|| malformed(&format!("its URL has no {name}")))
    };
    let credential = percent_decode(param("X-Amz-Credential")?);
    let mut scope = credential.split('/');
    let access_key_id = scope.next().unwrap_or_default().to_owned();
    let region = scope
        .nth(1)
        .filter(|r| !r.is_empty())
        .ok_or_else(|| malformed("its X-Amz-Credential has no region"))?
        .to_owned();
    let issued_at = datetime::parse_amz_date(param("X-Amz-Date")?)
        .ok_or_else(|| malformed("its X-Amz-Date is not a yyyymmddThhmmssZ time"))?;
    let lifetime = param("X-Amz-Expires")?
        .parse::<u64>()
        .map_err(|_| malformed("its X-Amz-Expires is not a number of seconds"))?;
    if lifetime > MAX_PRESIGNED_LIFETIME.as_secs() {
        return Err(malformed(&format!(
            "its X-Amz-Expires of {lifetime} s is more than a presigned URL can live ({} s)",
            MAX_PRESIGNED_LIFETIME.as_secs()
        )));
    }
    let lifetime = Duration::from_secs(lifetime);
    if issued_at.checked_add(lifetime).is_none() {
        return Err(malformed(
            "its X-Amz-Date and X-Amz-Expires give no representable expiry",
        ));
    }
    Ok(TokenInfo {
        region,
        access_key_id,
        issued_at,
        lifetime,
        temporary_credentials: param("X-Amz-Security-Token").is_ok(),
    })
}

/// Decodes `%XX` escapes (the credential scope's `/` travels as `%2F`).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = bytes
            .get(i + 1..i + 3)
            .filter(|_| bytes[i] == b'%')
            .and_then(|hex| u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Secret;
    use proptest::prelude::*;

    fn creds(token: Option<&str>) -> Credentials {
        let mut c = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        c.session_token = token.map(Secret::new);
        c
    }

    #[test]
    fn minted_key_is_a_presigned_call_with_bearer_token_url() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let key = mint(&creds(Some("SESSION")), "eu-central-1", MAX_LIFETIME, now).unwrap();
        let url = String::from_utf8(base64::decode(&key[API_KEY_PREFIX.len()..]).unwrap()).unwrap();
        assert!(
            url.starts_with("bedrock.amazonaws.com/?Action=CallWithBearerToken&"),
            "{url}"
        );
        assert!(url.ends_with("&Version=1"), "{url}");
        assert!(url.contains("X-Amz-Algorithm=AWS4-HMAC-SHA256"));
        assert!(url.contains(
            "X-Amz-Credential=AKIDEXAMPLE%2F20231114%2Feu-central-1%2Fbedrock%2Faws4_request"
        ));
        assert!(url.contains("X-Amz-Expires=43200"));
        assert!(url.contains("X-Amz-Security-Token=SESSION"));
        assert!(url.contains("X-Amz-Signature="));
        assert!(!key.contains("wJalr") && !url.contains("wJalr"));

        let info = inspect(&key).unwrap();
        assert_eq!(info.region, "eu-central-1");
        assert_eq!(info.access_key_id, "AKIDEXAMPLE");
        assert_eq!(info.issued_at, now);
        assert_eq!(info.expires_at(), now + MAX_LIFETIME);
        assert!(info.temporary_credentials);
    }

    #[test]
    fn an_expiry_that_cannot_be_represented_is_refused_not_a_panic() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let key = mint(&creds(None), "us-east-1", MAX_LIFETIME, now).unwrap();
        let url = String::from_utf8(base64::decode(&key[API_KEY_PREFIX.len()..]).unwrap()).unwrap();
        for expires in ["18446744073709551615", "604801"] {
            let crafted = url.replace("X-Amz-Expires=43200", &format!("X-Amz-Expires={expires}"));
            let crafted = format!("{API_KEY_PREFIX}{}", base64::encode(crafted.as_bytes()));
            let error = inspect(&crafted).unwrap_err().to_string();
            assert!(error.contains("X-Amz-Expires"), "{error}");
        }
        let far = url.replace("X-Amz-Date=20231114T221320Z", "X-Amz-Date=99991231T235959Z");
        let far = format!("{API_KEY_PREFIX}{}", base64::encode(far.as_bytes()));
        if let Ok(info) = inspect(&far) {
            assert!(info.expires_at() >= info.issued_at);
        }
    }

    #[test]
    fn lifetime_is_bounded() {
        let now = SystemTime::now();
        assert!(mint(&creds(None), "us-east-1", Duration::ZERO, now).is_err());
        assert!(mint(
            &creds(None),
            "us-east-1",
            MAX_LIFETIME + Duration::from_secs(1),
            now
        )
        .is_err());
        assert!(
            !inspect(&mint(&creds(None), "us-east-1", Duration::from_secs(60), now).unwrap())
                .unwrap()
                .temporary_credentials
        );
    }

    #[test]
    fn malformed_keys_are_refused_with_a_reason() {
        for key in [
            "",
            "sk-123",
            "bedrock-api-key-!!!!",
            "bedrock-api-key-QUJD",                 // "ABC": no URL
            "bedrock-api-key-/w==",                 // binary
            "bedrock-api-key-YT9YLUFtei1EYXRlPXg=", // a?X-Amz-Date=x
        ] {
            let err = inspect(key).unwrap_err().to_string();
            assert!(
                err.starts_with("not a Bedrock short-term API key"),
                "{key}: {err}"
            );
            assert!(!err.contains('\n'));
        }
    }

    proptest! {
        #[test]
        fn inspect_never_panics(text in ".{0,200}") {
            let _ = inspect(&text);
            let _ = inspect(&format!("{API_KEY_PREFIX}{}", base64::encode(text.as_bytes())));
        }
    }
}
