//! Gateway keys: a new key is `blk-` and 43 base64url characters (32 random
//! bytes, no padding), shown once; the config keeps only its SHA-256 (hex) in
//! `gateway.keys[]` as `{name, sha256, models?, rpm?, tpm?}`.
//!
//! [`Keys::authorize`] checks `Authorization: Bearer <key>` by hashing the key
//! and comparing the hash with every stored one in constant time;
//! [`KeyEntry::check_model`] applies the key's model allow-list.
//!
//! ```
//! use bedrock_lite::gateway::keys::{key_hash, new_key, KeyEntry, Keys};
//! let key = new_key()?;
//! let entry = KeyEntry {
//!     name: "team-a".into(),
//!     sha256: key_hash(key.expose()),
//!     models: Some(vec!["us.anthropic.claude-sonnet-4-5".into()]),
//!     rpm: None,
//!     tpm: None,
//! };
//! let keys = Keys::new(vec![entry]);
//! let header = format!("Bearer {}", key.expose());
//! let found = keys.authorize(Some(&header)).unwrap().expect("a key");
//! assert_eq!(found.name, "team-a");
//! assert!(found.check_model("amazon-bedrock/us.anthropic.claude-sonnet-4-5").is_ok());
//! assert_eq!(found.check_model("amazon.nova-pro-v1:0").unwrap_err().status(), 403);
//! assert_eq!(keys.authorize(Some("Bearer blk-wrong")).unwrap_err().status(), 401);
//! # Ok::<(), bedrock_lite::gateway::RandomError>(())
//! ```

use std::hint::black_box;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::errors::GatewayError;
use super::limits::Limits;
use super::random::{random_bytes, RandomError};
use crate::config::GatewayKey;
use crate::credentials::Secret;
use crate::model_ref::ModelRef;

/// What every gateway key starts with.
pub const KEY_PREFIX: &str = "blk-";

/// The length of a key: the prefix and 43 base64url characters.
pub const KEY_LEN: usize = KEY_PREFIX.len() + 43;

/// One entry of `gateway.keys[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyEntry {
    /// `name`: who the key is for (in the access log).
    pub name: String,
    /// `sha256`: the key's SHA-256, hex.
    pub sha256: String,
    /// `models`: the models the key may use; absent: all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub models: Option<Vec<String>>,
    /// `rpm`: requests per minute; absent: no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rpm: Option<u32>,
    /// `tpm`: tokens (prompt and completion) per minute; absent: no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tpm: Option<u64>,
}

impl KeyEntry {
    /// Whether the key may use `model`: any model when it has no `models`
    /// list, else one whose id matches (`amazon-bedrock/x` and `x` are the
    /// same model). A 403 naming the key and the model otherwise.
    pub fn check_model(&self, model: &str) -> Result<(), GatewayError> {
        let Some(allowed) = &self.models else {
            return Ok(());
        };
        let wanted = model_id(model);
        if allowed.iter().any(|entry| model_id(entry) == wanted) {
            Ok(())
        } else {
            Err(GatewayError::model_not_allowed(&self.name, model))
        }
    }

    /// The key's request and token limits.
    pub fn limits(&self) -> Limits {
        Limits {
            requests_per_minute: self.rpm,
            tokens_per_minute: self.tpm,
        }
    }
}

impl From<&GatewayKey> for KeyEntry {
    /// The entry for a key of the config file's `gateway.keys[]`.
    fn from(key: &GatewayKey) -> KeyEntry {
        KeyEntry {
            name: key.name.clone(),
            sha256: key.sha256.clone(),
            models: key.models.clone(),
            rpm: key.rpm,
            tpm: key.tpm.map(u64::from),
        }
    }
}

/// A model ref's id (without `amazon-bedrock/`), or the text itself when it
/// does not parse.
fn model_id(model: &str) -> String {
    ModelRef::parse(model).map_or_else(|_| model.to_owned(), |parsed| parsed.id().to_owned())
}

/// A new key: `blk-` and 43 base64url characters of 32 random bytes.
pub fn new_key() -> Result<Secret, RandomError> {
    let bytes = random_bytes::<32>()?;
    let url_safe: String = crate::base64::encode(&bytes)
        .chars()
        .filter(|&c| c != '=')
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            other => other,
        })
        .collect();
    Ok(Secret::new(format!("{KEY_PREFIX}{url_safe}")))
}

/// The SHA-256 of a key, lowercase hex: what the config stores.
pub fn key_hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// Whether two digests are equal, looking at every byte whatever they hold.
fn same_digest(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let difference = a
        .iter()
        .zip(b)
        .fold(0u8, |acc, (x, y)| black_box(acc | (x ^ y)));
    difference == 0
}

/// The configured keys, with their hashes decoded once.
#[derive(Debug, Clone, Default)]
pub struct Keys {
    /// Each entry with its decoded hash (`None` when `sha256` is not 64 hex
    /// digits: such an entry never matches).
    entries: Vec<(KeyEntry, Option<[u8; 32]>)>,
}

impl Keys {
    /// The keys of `gateway.keys[]`.
    pub fn new(entries: Vec<KeyEntry>) -> Keys {
        let entries = entries
            .into_iter()
            .map(|entry| {
                let digest = hex::decode(entry.sha256.trim())
                    .ok()
                    .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok());
                (entry, digest)
            })
            .collect();
        Keys { entries }
    }

    /// Whether no key is configured (the gateway is open, on loopback only).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries, in config order.
    pub fn entries(&self) -> impl Iterator<Item = &KeyEntry> {
        self.entries.iter().map(|(entry, _)| entry)
    }

    /// Checks the `Authorization` header: with no keys configured, `None`
    /// (open); else the entry whose hash matches the bearer key, or a 401
    /// (missing header, another scheme, or an unknown key; the key is never
    /// repeated). Every stored hash is compared, in constant time.
    pub fn authorize(
        &self,
        authorization: Option<&str>,
    ) -> Result<Option<&KeyEntry>, GatewayError> {
        if self.entries.is_empty() {
            return Ok(None);
        }
        let header = authorization
            .map(str::trim)
            .filter(|header| !header.is_empty())
            .ok_or_else(GatewayError::missing_key)?;
        let key = header
            .split_once(' ')
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, key)| key.trim())
            .ok_or_else(GatewayError::invalid_key)?;
        let presented: [u8; 32] = Sha256::digest(key.as_bytes()).into();
        let mut found = None;
        for (entry, digest) in &self.entries {
            if let Some(digest) = digest {
                if same_digest(&presented, digest) && found.is_none() {
                    found = Some(entry);
                }
            }
        }
        found.map(Some).ok_or_else(GatewayError::invalid_key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn entry(name: &str, key: &str, models: Option<&[&str]>) -> KeyEntry {
        KeyEntry {
            name: name.into(),
            sha256: key_hash(key),
            models: models.map(|list| list.iter().map(|m| (*m).to_owned()).collect()),
            rpm: None,
            tpm: None,
        }
    }

    #[test]
    fn new_keys_have_the_documented_shape() {
        let a = new_key().expect("random");
        let b = new_key().expect("random");
        for key in [&a, &b] {
            let key = key.expose();
            assert_eq!(key.len(), KEY_LEN);
            let body = key.strip_prefix(KEY_PREFIX).expect("prefix");
            assert_eq!(body.len(), 43);
            assert!(body
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        }
        assert_ne!(a.expose(), b.expose());
        assert_eq!(format!("{a:?}"), "** redacted **");
    }

    #[test]
    fn hashes_are_sha256_hex() {
        assert_eq!(
            key_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn authorization_header_forms() {
        let keys = Keys::new(vec![
            entry("a", "blk-aaa", None),
            entry("b", "blk-bbb", None),
        ]);
        let name = |header: &str| {
            keys.authorize(Some(header))
                .map(|found| found.map(|entry| entry.name.clone()))
        };
        assert_eq!(name("Bearer blk-bbb"), Ok(Some("b".into())));
        assert_eq!(name("bearer   blk-aaa "), Ok(Some("a".into())));
        for wrong in [
            "Bearer blk-ccc",
            "Basic blk-aaa",
            "blk-aaa",
            "Bearer ",
            "Bearer",
        ] {
            let error = name(wrong).expect_err(wrong);
            assert_eq!(
                (error.status(), error.code()),
                (401, "invalid_api_key"),
                "{wrong}"
            );
            assert!(!error.message().contains("blk-"), "{wrong}");
        }
        for missing in [None, Some(""), Some("   ")] {
            let error = keys.authorize(missing).expect_err("missing");
            assert_eq!(error.code(), "missing_api_key");
        }
        // No keys configured: open.
        assert_eq!(Keys::new(Vec::new()).authorize(None), Ok(None));
    }

    #[test]
    fn malformed_stored_hashes_never_match() {
        let mut bad = entry("bad", "blk-aaa", None);
        bad.sha256 = "not hex".into();
        let keys = Keys::new(vec![bad]);
        assert!(keys.authorize(Some("Bearer blk-aaa")).is_err());
        let mut upper = entry("upper", "blk-aaa", None);
        upper.sha256 = upper.sha256.to_uppercase();
        let keys = Keys::new(vec![upper]);
        assert!(keys.authorize(Some("Bearer blk-aaa")).is_ok());
    }

    #[test]
    fn model_allow_lists_compare_ids() {
        let key = entry(
            "team",
            "k",
            Some(&[
                "amazon-bedrock/us.anthropic.claude-sonnet-4-5",
                "amazon.nova-pro-v1:0",
            ]),
        );
        assert!(key.check_model("us.anthropic.claude-sonnet-4-5").is_ok());
        assert!(key
            .check_model("amazon-bedrock/amazon.nova-pro-v1:0")
            .is_ok());
        let error = key
            .check_model("anthropic.claude-sonnet-4-5")
            .expect_err("other id");
        assert_eq!(error.status(), 403);
        assert_eq!(
            error.message(),
            "key `team` may not use model `anthropic.claude-sonnet-4-5`"
        );
        assert!(entry("all", "k", None)
            .check_model("anything at all")
            .is_ok());
        assert!(entry("none", "k", Some(&[]))
            .check_model("amazon.nova-pro-v1:0")
            .is_err());
    }

    #[test]
    fn entries_read_from_the_config_shape() {
        let entry: KeyEntry = serde_json::from_value(serde_json::json!({
            "name": "team-a", "sha256": "00", "models": ["m"], "rpm": 60, "tpm": 100000
        }))
        .expect("reads");
        assert_eq!(entry.limits().requests_per_minute, Some(60));
        assert_eq!(entry.limits().tokens_per_minute, Some(100_000));
    }

    proptest! {
        #[test]
        fn only_the_right_key_matches(keys in proptest::collection::vec("[a-zA-Z0-9_-]{1,20}", 1..5), probe in "[a-zA-Z0-9_-]{1,20}") {
            let entries: Vec<KeyEntry> = keys.iter().enumerate()
                .map(|(n, key)| entry(&n.to_string(), key, None)).collect();
            let store = Keys::new(entries);
            let result = store.authorize(Some(&format!("Bearer {probe}")));
            match keys.iter().position(|key| *key == probe) {
                Some(at) => prop_assert_eq!(result.expect("found").map(|e| e.name.clone()), Some(at.to_string())),
                None => prop_assert!(result.is_err()),
            }
        }
    }
}
