//! The in-memory credentials cache: refresh ahead of expiry, one refresh shared by concurrent callers.
//!
//! * Credentials without an expiry (long-term keys, a bearer token from the
//!   environment) are resolved once and kept.
//! * Credentials with an expiry are resolved again once less than the refresh
//!   buffer remains: [`REFRESH_BUFFER`] reduced by a random jitter of up to 50%,
//!   so that many processes started together do not all refresh at once.
//! * Concurrent callers wait for one refresh and share its answer.
//! * If a refresh fails while the cached credentials have not yet expired,
//!   those are returned instead of the error.

use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::Mutex;

use super::{Auth, CredentialSource, CredentialsError, ResolvedAuth};
use crate::http::BoxFuture;

/// How long before expiry a refresh starts, at most.
pub const REFRESH_BUFFER: Duration = Duration::from_secs(5 * 60);

/// The largest part of [`REFRESH_BUFFER`] the jitter takes away.
const MAX_JITTER_FRACTION: f64 = 0.5;

/// Something that resolves credentials: the chain, or a test double.
pub trait ResolveAuth: Send + Sync {
    /// Resolves credentials afresh.
    fn resolve(&self) -> BoxFuture<'_, Result<ResolvedAuth, CredentialsError>>;
}

/// Where a client's credentials come from: fixed ones, or a chain behind its
/// cache. Cheap to clone (the cache is shared).
#[derive(Clone)]
pub enum CredentialsProvider {
    /// These credentials or this token, always (source [`CredentialSource::Explicit`]).
    Fixed(Auth),
    /// A chain (or any [`ResolveAuth`]) behind a [`CredentialsCache`].
    Cached(Arc<CredentialsCache>),
}

impl CredentialsProvider {
    /// The credentials to sign with now, and the source that gave them.
    pub async fn resolve(&self) -> Result<ResolvedAuth, CredentialsError> {
        match self {
            CredentialsProvider::Fixed(auth) => Ok(ResolvedAuth {
                auth: auth.clone(),
                source: CredentialSource::Explicit,
            }),
            CredentialsProvider::Cached(cache) => cache.get().await,
        }
    }
}

impl fmt::Debug for CredentialsProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialsProvider::Fixed(auth) => f.debug_tuple("Fixed").field(auth).finish(),
            CredentialsProvider::Cached(_) => f.write_str("Cached"),
        }
    }
}

/// A clock: returns the current time.
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// Caches what a [`ResolveAuth`] answers; see the module docs.
pub struct CredentialsCache {
    source: Box<dyn ResolveAuth>,
    clock: Clock,
    cached: Mutex<Option<Cached>>,
}

/// A cached answer and when to refresh it (`None`: never).
struct Cached {
    auth: ResolvedAuth,
    refresh_at: Option<SystemTime>,
}

impl Cached {
    fn expiry(&self) -> Option<SystemTime> {
        match &self.auth.auth {
            Auth::SigV4(credentials) => credentials.expiry,
            Auth::Bearer(_) => None,
        }
    }
}

impl CredentialsCache {
    /// A cache over `source`, with the system clock.
    pub fn new(source: impl ResolveAuth + 'static) -> Self {
        CredentialsCache {
            source: Box::new(source),
            clock: Arc::new(SystemTime::now),
            cached: Mutex::new(None),
        }
    }

    /// Uses `clock` instead of the system clock (e.g. `Env::now` or a test clock).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Cached credentials, or fresh ones when there are none yet or they are
    /// due for refresh. Says which source answered.
    pub async fn get(&self) -> Result<ResolvedAuth, CredentialsError> {
        let mut cached = self.cached.lock().await;
        let now = (self.clock)();
        if let Some(current) = cached.as_ref() {
            if current.refresh_at.is_none_or(|at| now < at) {
                return Ok(current.auth.clone());
            }
        }
        match self.source.resolve().await {
            Ok(auth) => {
                let mut fresh = Cached {
                    auth,
                    refresh_at: None,
                };
                fresh.refresh_at = fresh
                    .expiry()
                    .map(|expiry| refresh_time(expiry, REFRESH_BUFFER, random_fraction()));
                let answer = fresh.auth.clone();
                *cached = Some(fresh);
                Ok(answer)
            }
            Err(error) => match cached.as_ref() {
                Some(current) if current.expiry().is_none_or(|expiry| now < expiry) => {
                    Ok(current.auth.clone())
                }
                _ => Err(error),
            },
        }
    }
}

impl fmt::Debug for CredentialsCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialsCache").finish_non_exhaustive()
    }
}

/// When to refresh credentials expiring at `expiry`: `buffer` before it,
/// shortened by `jitter` (0 to 1) times [`MAX_JITTER_FRACTION`] of it.
fn refresh_time(expiry: SystemTime, buffer: Duration, jitter: f64) -> SystemTime {
    let jitter = if jitter.is_finite() {
        jitter.clamp(0.0, 1.0) * MAX_JITTER_FRACTION
    } else {
        0.0
    };
    let lead = buffer.mul_f64(1.0 - jitter);
    expiry.checked_sub(lead).unwrap_or(UNIX_EPOCH)
}

/// A number in `[0, 1]` from a randomly keyed hasher: enough for jitter, no `rand`.
fn random_fraction() -> f64 {
    let mut hasher = RandomState::new().build_hasher();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    hasher.write_u128(nanos);
    hasher.finish() as f64 / u64::MAX as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::{CredentialSource, Credentials, Secret};
    use proptest::prelude::*;
    use std::collections::VecDeque;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex as StdMutex;

    const T0: Duration = Duration::from_secs(1_700_000_000);

    /// Answers from a script (repeating the last one), counting calls, slowly.
    struct Scripted {
        calls: Arc<AtomicUsize>,
        answers: StdMutex<VecDeque<Result<ResolvedAuth, CredentialsError>>>,
    }

    impl Scripted {
        fn new(answers: Vec<Result<ResolvedAuth, CredentialsError>>) -> (Self, Arc<AtomicUsize>) {
            let calls = Arc::new(AtomicUsize::new(0));
            let scripted = Scripted {
                calls: Arc::clone(&calls),
                answers: StdMutex::new(answers.into()),
            };
            (scripted, calls)
        }
    }

    impl ResolveAuth for Scripted {
        fn resolve(&self) -> BoxFuture<'_, Result<ResolvedAuth, CredentialsError>> {
            Box::pin(async move {
                self.calls.fetch_add(1, Ordering::SeqCst);
                tokio::task::yield_now().await;
                tokio::time::sleep(Duration::from_millis(5)).await;
                let mut answers = self.answers.lock().expect("lock");
                if answers.len() > 1 {
                    answers.pop_front().expect("non-empty")
                } else {
                    answers.front().cloned().expect("a scripted answer")
                }
            })
        }
    }

    fn keys(id: &str, expiry: Option<Duration>) -> ResolvedAuth {
        ResolvedAuth {
            auth: Auth::SigV4(Credentials {
                access_key_id: id.into(),
                secret_access_key: Secret::new("secret"),
                session_token: None,
                expiry: expiry.map(|e| UNIX_EPOCH + e),
                account_id: None,
            }),
            source: CredentialSource::Imds,
        }
    }

    fn failure() -> Result<ResolvedAuth, CredentialsError> {
        Err(CredentialsError::ProviderError {
            source: "imds",
            message: "down".into(),
        })
    }

    /// A clock the test moves by hand.
    fn manual_clock() -> (Clock, Arc<StdMutex<SystemTime>>) {
        let now = Arc::new(StdMutex::new(UNIX_EPOCH + T0));
        let reader = Arc::clone(&now);
        (Arc::new(move || *reader.lock().expect("lock")), now)
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
    }

    fn key_id(auth: &ResolvedAuth) -> &str {
        match &auth.auth {
            Auth::SigV4(c) => &c.access_key_id,
            Auth::Bearer(_) => "bearer",
        }
    }

    #[test]
    fn concurrent_callers_share_one_resolve() {
        let (source, calls) = Scripted::new(vec![Ok(keys("A", None))]);
        let cache = Arc::new(CredentialsCache::new(source));
        runtime().block_on(async {
            let tasks: Vec<_> = (0..64)
                .map(|_| {
                    let cache = Arc::clone(&cache);
                    tokio::spawn(async move { cache.get().await })
                })
                .collect();
            for task in tasks {
                let auth = task.await.expect("task").expect("credentials");
                assert_eq!(key_id(&auth), "A");
                assert_eq!(auth.source, CredentialSource::Imds);
            }
        });
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn concurrent_callers_share_one_refresh() {
        let hour = Duration::from_secs(3600);
        let (source, calls) = Scripted::new(vec![
            Ok(keys("old", Some(T0 + hour))),
            Ok(keys("new", Some(T0 + 2 * hour))),
        ]);
        let (clock, now) = manual_clock();
        let cache = Arc::new(CredentialsCache::new(source).with_clock(clock));
        let rt = runtime();
        assert_eq!(key_id(&rt.block_on(cache.get()).expect("first")), "old");
        *now.lock().expect("lock") = UNIX_EPOCH + T0 + hour - Duration::from_secs(60);
        rt.block_on(async {
            let tasks: Vec<_> = (0..32)
                .map(|_| {
                    let cache = Arc::clone(&cache);
                    tokio::spawn(async move { cache.get().await })
                })
                .collect();
            for task in tasks {
                assert_eq!(key_id(&task.await.expect("task").expect("creds")), "new");
            }
        });
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn refresh_happens_within_the_buffer_only() {
        let hour = Duration::from_secs(3600);
        let (source, calls) = Scripted::new(vec![
            Ok(keys("1", Some(T0 + hour))),
            Ok(keys("2", Some(T0 + 3 * hour))),
        ]);
        let (clock, now) = manual_clock();
        let cache = CredentialsCache::new(source).with_clock(clock);
        let rt = runtime();
        let at = |offset: Duration| {
            *now.lock().expect("lock") = UNIX_EPOCH + T0 + offset;
            key_id(&rt.block_on(cache.get()).expect("credentials")).to_owned()
        };
        assert_eq!(at(Duration::ZERO), "1");
        // More than the whole buffer left: cached.
        assert_eq!(at(hour - REFRESH_BUFFER - Duration::from_secs(1)), "1");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // Less than half the buffer left: always refreshed, whatever the jitter.
        assert_eq!(at(hour - REFRESH_BUFFER / 2 + Duration::from_secs(1)), "2");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        assert_eq!(at(2 * hour), "2");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn credentials_without_expiry_are_never_refreshed() {
        let (source, calls) = Scripted::new(vec![Ok(keys("static", None)), failure()]);
        let (clock, now) = manual_clock();
        let cache = CredentialsCache::new(source).with_clock(clock);
        let rt = runtime();
        rt.block_on(cache.get()).expect("first");
        *now.lock().expect("lock") = UNIX_EPOCH + T0 + Duration::from_secs(10 * 365 * 86_400);
        assert_eq!(key_id(&rt.block_on(cache.get()).expect("cached")), "static");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn failed_refresh_keeps_unexpired_credentials_then_reports_the_error() {
        let hour = Duration::from_secs(3600);
        let (source, calls) = Scripted::new(vec![Ok(keys("1", Some(T0 + hour))), failure()]);
        let (clock, now) = manual_clock();
        let cache = CredentialsCache::new(source).with_clock(clock);
        let rt = runtime();
        rt.block_on(cache.get()).expect("first");
        *now.lock().expect("lock") = UNIX_EPOCH + T0 + hour - Duration::from_secs(10);
        assert_eq!(key_id(&rt.block_on(cache.get()).expect("still valid")), "1");
        *now.lock().expect("lock") = UNIX_EPOCH + T0 + hour;
        assert_eq!(
            rt.block_on(cache.get()).unwrap_err(),
            failure().unwrap_err()
        );
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn errors_are_not_cached() {
        let (source, calls) = Scripted::new(vec![failure(), Ok(keys("later", None))]);
        let cache = CredentialsCache::new(source);
        let rt = runtime();
        assert!(rt.block_on(cache.get()).is_err());
        assert_eq!(
            key_id(&rt.block_on(cache.get()).expect("second try")),
            "later"
        );
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn already_expired_credentials_are_asked_for_again_each_time() {
        let (source, calls) =
            Scripted::new(vec![Ok(keys("stale", Some(T0 - Duration::from_secs(1))))]);
        let (clock, _now) = manual_clock();
        let cache = CredentialsCache::new(source).with_clock(clock);
        let rt = runtime();
        rt.block_on(cache.get()).expect("first");
        rt.block_on(cache.get()).expect("second");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    proptest! {
        #[test]
        fn refresh_time_is_within_the_jittered_buffer(
            expiry_secs in 0u64..5_000_000_000,
            buffer_secs in 0u64..100_000,
            jitter in proptest::num::f64::ANY,
        ) {
            let expiry = UNIX_EPOCH + Duration::from_secs(expiry_secs);
            let buffer = Duration::from_secs(buffer_secs);
            let at = refresh_time(expiry, buffer, jitter);
            prop_assert!(at <= expiry);
            let earliest = expiry.checked_sub(buffer).unwrap_or(UNIX_EPOCH);
            let latest = expiry.checked_sub(buffer / 2).unwrap_or(UNIX_EPOCH);
            prop_assert!(at >= earliest && at <= latest + Duration::from_millis(1));
        }

        #[test]
        fn random_fraction_is_a_fraction(_round in 0..50u8) {
            let value = random_fraction();
            prop_assert!((0.0..=1.0).contains(&value));
        }
    }
}
