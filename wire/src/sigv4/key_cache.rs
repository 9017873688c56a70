//! The signing key: `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region),
//! service), "aws4_request")`, cached as a ready-keyed HMAC state.
//!
//! A key is valid for one (secret, date, region, service). The cache keys on the
//! SHA-256 of the secret, never the secret itself, so rotated credentials never
//! reuse a key and no long-lived structure holds a secret in clear. Each entry
//! keeps the HMAC state already keyed with the signing key (inner and outer pads
//! absorbed), so a warm signature clones it and pays for the string to sign only.

use std::sync::{Mutex, PoisonError};

use super::digest::{hmac_sha256, keyed_hmac, sha256, HmacSha256};

/// How many (secret, date, region, service) keys are kept. A client talks to a
/// handful of regions at most; the oldest entry goes first.
const CAPACITY: usize = 4;

/// A small cache of derived signing keys; thread-safe, `Debug` shows no key.
pub(crate) struct SigningKeyCache {
    entries: Mutex<Vec<CachedKey>>,
}

struct CachedKey {
    secret_sha256: [u8; 32],
    date: String,
    region: String,
    service: String,
    keyed_mac: HmacSha256,
}

impl SigningKeyCache {
    /// An empty cache.
    pub(crate) const fn new() -> Self {
        SigningKeyCache {
            entries: Mutex::new(Vec::new()),
        }
    }

    /// An HMAC state keyed with the signing key for this scope, deriving and
    /// caching the key on a miss. `date` is the 8-digit scope date.
    pub(crate) fn keyed_mac(
        &self,
        secret: &str,
        date: &str,
        region: &str,
        service: &str,
    ) -> HmacSha256 {
        let secret_sha256 = sha256(secret.as_bytes());
        // A panic elsewhere while the lock was held leaves only whole entries
        // behind, so a poisoned cache is still a valid cache.
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let hit = entries.iter().find(|entry| {
            entry.secret_sha256 == secret_sha256
                && entry.date == date
                && entry.region == region
                && entry.service == service
        });
        if let Some(entry) = hit {
            return entry.keyed_mac.clone();
        }
        let keyed_mac = keyed_hmac(&derive_signing_key(secret, date, region, service));
        if entries.len() >= CAPACITY {
            entries.remove(0);
        }
        entries.push(CachedKey {
            secret_sha256,
            date: date.to_owned(),
            region: region.to_owned(),
            service: service.to_owned(),
            keyed_mac: keyed_mac.clone(),
        });
        keyed_mac
    }

    /// How many keys are cached.
    pub(crate) fn len(&self) -> usize {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

impl Default for SigningKeyCache {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for SigningKeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeyCache")
            .field("keys", &self.len())
            .finish_non_exhaustive()
    }
}

/// The SigV4 signing key for one secret, date, region and service.
pub(crate) fn derive_signing_key(
    secret: &str,
    date: &str,
    region: &str,
    service: &str,
) -> [u8; 32] {
    let mut first_key = Vec::with_capacity(4 + secret.len());
    first_key.extend_from_slice(b"AWS4");
    first_key.extend_from_slice(secret.as_bytes());
    let date_key = hmac_sha256(&first_key, date.as_bytes());
    let region_key = hmac_sha256(&date_key, region.as_bytes());
    let service_key = hmac_sha256(&region_key, service.as_bytes());
    hmac_sha256(&service_key, b"aws4_request")
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::Mac;

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    fn mac_of(cache: &SigningKeyCache, secret: &str, date: &str) -> [u8; 32] {
        let mut mac = cache.keyed_mac(secret, date, "us-east-1", "service");
        mac.update(b"string to sign");
        mac.finalize().into_bytes().into()
    }

    #[test]
    fn derives_the_documented_example_key() {
        // The example in the AWS General Reference ("Examples of how to derive a
        // signing key", iam, us-east-1, 20120215).
        let key = derive_signing_key(SECRET, "20120215", "us-east-1", "iam");
        assert_eq!(
            hex::encode(key),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
        );
    }

    #[test]
    fn a_cached_key_signs_like_a_fresh_one() {
        let cache = SigningKeyCache::new();
        let cold = mac_of(&cache, SECRET, "20150830");
        let warm = mac_of(&cache, SECRET, "20150830");
        let key = derive_signing_key(SECRET, "20150830", "us-east-1", "service");
        assert_eq!(cold, warm);
        assert_eq!(cold, hmac_sha256(&key, b"string to sign"));
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn a_rotated_secret_or_new_day_gets_its_own_key() {
        let cache = SigningKeyCache::new();
        let first = mac_of(&cache, SECRET, "20150830");
        let rotated = mac_of(&cache, "another-secret", "20150830");
        let next_day = mac_of(&cache, SECRET, "20150831");
        assert_ne!(first, rotated);
        assert_ne!(first, next_day);
        assert_eq!(cache.len(), 3);
    }

    #[test]
    fn keeps_at_most_capacity_keys() {
        let cache = SigningKeyCache::new();
        for day in 10..20 {
            mac_of(&cache, SECRET, &format!("201508{day}"));
        }
        assert_eq!(cache.len(), CAPACITY);
    }

    #[test]
    fn debug_shows_no_key_material() {
        let cache = SigningKeyCache::new();
        mac_of(&cache, SECRET, "20150830");
        assert_eq!(format!("{cache:?}"), "SigningKeyCache { keys: 1, .. }");
    }
}
