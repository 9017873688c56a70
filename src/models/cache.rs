//! The discovery cache: in memory and on disk (`$XDG_CACHE_HOME/bedrock-lite/`
//! or `~/.cache/bedrock-lite/`), keyed by region, credential identity (a hash,
//! never the secret) and the discovery settings that shape the result.
//!
//! Entries carry their fetch time and live `refreshInterval` seconds (0: no
//! caching). Concurrent callers of one key share one refresh; a failed refresh
//! serves the stale entry with a warning.

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::{write_atomically, xdg_dir, Discovery};
use crate::env::Env;

/// The cache directory: `$XDG_CACHE_HOME/bedrock-lite` (an absolute path), else
/// `~/.cache/bedrock-lite`; `None` without a home.
pub fn default_dir(env: &Env) -> Option<PathBuf> {
    xdg_dir(env, "XDG_CACHE_HOME", ".cache").map(|dir| dir.join("bedrock-lite"))
}

/// A credential identity for cache keys: the SHA-256 (hex) of an access key id
/// or bearer token, so the key never holds the credential itself.
pub fn credential_identity(access_key_id_or_token: &str) -> String {
    hex::encode(Sha256::digest(access_key_id_or_token.as_bytes()))
}

/// A cache key: a hash of the region, the credential identity and the
/// discovery settings that change the result.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheKey(String);

impl CacheKey {
    /// The key for `region`, a [`credential_identity`] and `settings`
    /// (`enabled` and `refreshInterval` do not change the result and are left out).
    pub fn new(region: &str, identity: &str, settings: &Discovery) -> Self {
        let mut filter: Vec<String> = settings
            .provider_filter
            .iter()
            .map(|p| p.trim().to_ascii_lowercase())
            .collect();
        filter.sort_unstable();
        filter.dedup();
        let canonical = serde_json::json!([
            region,
            identity,
            settings.region,
            filter,
            settings.default_context_window,
            settings.default_max_tokens,
            settings.include_inference_profiles,
        ]);
        CacheKey(hex::encode(Sha256::digest(
            canonical.to_string().as_bytes(),
        )))
    }

    /// The key as hex.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where a [`Cached`] value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Fetched just now.
    Fetched,
    /// A fresh cache entry.
    Cached,
    /// An expired entry, served because the refresh failed.
    Stale,
}

/// A value from [`DiscoveryCache::get_or_refresh`].
#[derive(Debug, Clone, PartialEq)]
pub struct Cached<T> {
    /// The value.
    pub value: T,
    /// How old it is.
    pub age: Duration,
    /// Where it came from.
    pub origin: Origin,
    /// A warning for stderr (a failed refresh, an unwritable cache file).
    pub warning: Option<String>,
}

/// An entry as kept in memory and on disk.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry<T> {
    /// Seconds since the Unix epoch.
    fetched_at: u64,
    value: T,
}

/// One key's entry, behind an async lock held across a refresh (single-flight).
type Slot<T> = Arc<tokio::sync::Mutex<Option<Entry<T>>>>;

/// The discovery cache for values of type `T` (e.g. the model list).
#[derive(Debug)]
pub struct DiscoveryCache<T> {
    dir: Option<PathBuf>,
    ttl: Duration,
    slots: Mutex<HashMap<CacheKey, Slot<T>>>,
}

impl<T: Clone + Serialize + DeserializeOwned> DiscoveryCache<T> {
    /// A cache whose entries live `refresh_interval` seconds (0: no caching),
    /// kept on disk under `dir` too when given.
    pub fn new(dir: Option<PathBuf>, refresh_interval: u64) -> Self {
        DiscoveryCache {
            dir,
            ttl: Duration::from_secs(refresh_interval),
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// The value for `key`: a fresh entry (memory, then disk), else what `fetch`
    /// gives, stored. Concurrent callers of one key wait for one refresh and
    /// share it. `force` refreshes even a fresh entry (`--refresh`). When the
    /// refresh fails and an entry exists, the entry is served with a warning;
    /// with none, the error is returned.
    pub async fn get_or_refresh<E: std::fmt::Display>(
        &self,
        key: &CacheKey,
        now: SystemTime,
        force: bool,
        fetch: impl Future<Output = Result<T, E>>,
    ) -> Result<Cached<T>, E> {
        let slot = self.slot(key);
        let mut entry = slot.lock().await;
        if entry.is_none() {
            *entry = self.read_disk(key);
        }
        let caching = !self.ttl.is_zero();
        if let Some(found) = entry.as_ref().filter(|_| caching && !force) {
            let age = age_of(found, now);
            if age < self.ttl {
                return Ok(Cached {
                    value: found.value.clone(),
                    age,
                    origin: Origin::Cached,
                    warning: None,
                });
            }
        }
        match fetch.await {
            Ok(value) => {
                let mut warning = None;
                if caching {
                    let fresh = Entry {
                        fetched_at: unix_seconds(now),
                        value: value.clone(),
                    };
                    warning = self.write_disk(key, &fresh).err();
                    *entry = Some(fresh);
                }
                Ok(Cached {
                    value,
                    age: Duration::ZERO,
                    origin: Origin::Fetched,
                    warning,
                })
            }
            Err(error) => match entry.as_ref() {
                Some(stale) => {
                    let age = age_of(stale, now);
                    Ok(Cached {
                        value: stale.value.clone(),
                        age,
                        origin: Origin::Stale,
                        warning: Some(format!(
                            "model discovery failed ({error}); using the list from {}s ago",
                            age.as_secs()
                        )),
                    })
                }
                None => Err(error),
            },
        }
    }

    /// How old the entry for `key` is (memory, then disk); `None` without one
    /// (for `models status`).
    pub async fn age(&self, key: &CacheKey, now: SystemTime) -> Option<Duration> {
        let slot = self.slot(key);
        let entry = slot.lock().await;
        match entry.as_ref() {
            Some(found) => Some(age_of(found, now)),
            None => self.read_disk(key).map(|found| age_of(&found, now)),
        }
    }

    /// The slot for `key`, made on first use.
    fn slot(&self, key: &CacheKey) -> Slot<T> {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(slots.entry(key.clone()).or_default())
    }

    fn file(&self, key: &CacheKey) -> Option<PathBuf> {
        self.dir
            .as_deref()
            .map(|dir| dir.join(format!("discovery-{}.json", key.as_str())))
    }

    /// The entry on disk; a missing or unreadable file is no entry.
    fn read_disk(&self, key: &CacheKey) -> Option<Entry<T>> {
        let text = std::fs::read_to_string(self.file(key)?).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Writes the entry to disk; the error is a warning to show.
    fn write_disk(&self, key: &CacheKey, entry: &Entry<T>) -> Result<(), String> {
        let Some(file) = self.file(key) else {
            return Ok(());
        };
        let shown =
            |e: &dyn std::fmt::Display| format!("{}: cannot write the cache: {e}", file.display());
        let text = serde_json::to_vec(entry).map_err(|e| shown(&e))?;
        write_atomically(&file, &text).map_err(|e| shown(&e))
    }
}

fn unix_seconds(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// The entry's age at `now` (zero for an entry from the future).
fn age_of<T>(entry: &Entry<T>, now: SystemTime) -> Duration {
    Duration::from_secs(unix_seconds(now).saturating_sub(entry.fetched_at))
}

#[cfg(test)]
mod tests;
