use std::cell::Cell;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;

fn temp_dir() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "bedrock-lite-cache-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn key() -> CacheKey {
    CacheKey::new(
        "us-east-1",
        &credential_identity("AKIDEXAMPLE"),
        &Discovery::default(),
    )
}

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000 + secs)
}

/// A fetch that counts itself and answers `answer`.
async fn fetch(
    count: &Cell<u32>,
    answer: Result<Vec<String>, &'static str>,
) -> Result<Vec<String>, &'static str> {
    count.set(count.get() + 1);
    tokio::task::yield_now().await;
    answer
}

fn list(item: &str) -> Result<Vec<String>, &'static str> {
    Ok(vec![item.to_owned()])
}

#[tokio::test]
async fn hits_misses_and_expiry() {
    let cache = DiscoveryCache::new(None, 60);
    let count = Cell::new(0);
    let first = cache
        .get_or_refresh(&key(), at(0), false, fetch(&count, list("a")))
        .await
        .expect("ok");
    assert_eq!((first.origin, count.get()), (Origin::Fetched, 1));
    let hit = cache
        .get_or_refresh(&key(), at(59), false, fetch(&count, list("b")))
        .await
        .expect("ok");
    assert_eq!(
        (hit.origin, hit.value.clone(), hit.age, count.get()),
        (
            Origin::Cached,
            vec!["a".to_owned()],
            Duration::from_secs(59),
            1
        )
    );
    assert_eq!(
        cache.age(&key(), at(30)).await,
        Some(Duration::from_secs(30))
    );
    let expired = cache
        .get_or_refresh(&key(), at(60), false, fetch(&count, list("c")))
        .await
        .expect("ok");
    assert_eq!(
        (expired.origin, expired.value, count.get()),
        (Origin::Fetched, vec!["c".to_owned()], 2)
    );
    let forced = cache
        .get_or_refresh(&key(), at(61), true, fetch(&count, list("d")))
        .await
        .expect("ok");
    assert_eq!((forced.value, count.get()), (vec!["d".to_owned()], 3));
    // Another key misses.
    let other = CacheKey::new(
        "eu-west-1",
        &credential_identity("AKIDEXAMPLE"),
        &Discovery::default(),
    );
    assert_eq!(cache.age(&other, at(61)).await, None);
    cache
        .get_or_refresh(&other, at(61), false, fetch(&count, list("e")))
        .await
        .expect("ok");
    assert_eq!(count.get(), 4);
}

#[tokio::test]
async fn zero_interval_never_caches() {
    let cache = DiscoveryCache::new(None, 0);
    let count = Cell::new(0);
    for _ in 0..3 {
        cache
            .get_or_refresh(&key(), at(0), false, fetch(&count, list("a")))
            .await
            .expect("ok");
    }
    assert_eq!(count.get(), 3);
    assert_eq!(cache.age(&key(), at(0)).await, None);
}

#[tokio::test]
async fn a_failed_refresh_serves_the_stale_entry() {
    let cache = DiscoveryCache::new(None, 60);
    let count = Cell::new(0);
    assert_eq!(
        cache
            .get_or_refresh(&key(), at(0), false, fetch(&count, Err("throttled")))
            .await,
        Err("throttled")
    );
    cache
        .get_or_refresh(&key(), at(0), false, fetch(&count, list("a")))
        .await
        .expect("ok");
    let stale = cache
        .get_or_refresh(&key(), at(100), false, fetch(&count, Err("throttled")))
        .await
        .expect("stale");
    assert_eq!(
        (stale.origin, stale.value, stale.age),
        (
            Origin::Stale,
            vec!["a".to_owned()],
            Duration::from_secs(100)
        )
    );
    let warning = stale.warning.expect("warning");
    assert!(
        warning.contains("throttled") && warning.contains("100s ago"),
        "{warning}"
    );
    assert_eq!(count.get(), 3);
}

#[tokio::test]
async fn concurrent_callers_share_one_refresh() {
    let cache = DiscoveryCache::new(None, 60);
    let count = Cell::new(0);
    let key = key();
    let (a, b, c) = tokio::join!(
        cache.get_or_refresh(&key, at(0), false, fetch(&count, list("a"))),
        cache.get_or_refresh(&key, at(0), false, fetch(&count, list("b"))),
        cache.get_or_refresh(&key, at(0), false, fetch(&count, list("c"))),
    );
    assert_eq!(count.get(), 1);
    let values: Vec<Vec<String>> = [a, b, c]
        .into_iter()
        .map(|r| r.expect("ok").value)
        .collect();
    assert!(
        values.iter().all(|v| v == &vec!["a".to_owned()]),
        "{values:?}"
    );
}

#[tokio::test]
async fn entries_persist_on_disk() {
    let dir = temp_dir();
    let count = Cell::new(0);
    let cache = DiscoveryCache::new(Some(dir.clone()), 60);
    let fetched = cache
        .get_or_refresh(&key(), at(0), false, fetch(&count, list("a")))
        .await
        .expect("ok");
    assert_eq!(fetched.warning, None);
    let files: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    assert_eq!(files, [format!("discovery-{}.json", key().as_str())]);
    assert!(!files[0].contains("AKIDEXAMPLE"));

    // A new process (a new cache) reads the entry from disk.
    let again = DiscoveryCache::<Vec<String>>::new(Some(dir.clone()), 60);
    assert_eq!(
        again.age(&key(), at(10)).await,
        Some(Duration::from_secs(10))
    );
    let hit = again
        .get_or_refresh(&key(), at(10), false, fetch(&count, list("b")))
        .await
        .expect("ok");
    assert_eq!(
        (hit.origin, hit.value, count.get()),
        (Origin::Cached, vec!["a".to_owned()], 1)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn keys_depend_on_region_identity_and_settings_but_not_secrets() {
    let base = key();
    assert_eq!(base, key());
    assert_eq!(base.as_str().len(), 64);
    assert_ne!(
        base,
        CacheKey::new(
            "us-west-2",
            &credential_identity("AKIDEXAMPLE"),
            &Discovery::default()
        )
    );
    assert_ne!(
        base,
        CacheKey::new(
            "us-east-1",
            &credential_identity("OTHER"),
            &Discovery::default()
        )
    );
    let filtered = Discovery {
        provider_filter: vec!["Anthropic".into()],
        ..Discovery::default()
    };
    assert_ne!(
        base,
        CacheKey::new("us-east-1", &credential_identity("AKIDEXAMPLE"), &filtered)
    );
    let same = Discovery {
        refresh_interval: 5,
        ..Discovery::default()
    };
    assert_eq!(
        base,
        CacheKey::new("us-east-1", &credential_identity("AKIDEXAMPLE"), &same)
    );
    assert!(!credential_identity("AKIDEXAMPLE").contains("AKID"));
}

#[test]
fn default_dir_follows_xdg() {
    assert_eq!(
        default_dir(&Env::from_vars([("HOME", "/h")])),
        Some(PathBuf::from("/h/.cache/bedrock-lite"))
    );
    assert_eq!(
        default_dir(&Env::from_vars([("HOME", "/h"), ("XDG_CACHE_HOME", "/c")])),
        Some(PathBuf::from("/c/bedrock-lite"))
    );
}
