//! Per-key limits, per process: requests per minute and tokens per minute,
//! over a sliding window of the last 60 seconds. [`RateLimiter::admit`]
//! answers "allowed" (and counts the request) or "retry after N seconds";
//! [`RateLimiter::record_tokens`] counts a finished request's tokens. The
//! clock is the caller's (`now`), so tests drive it.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::errors::GatewayError;

/// The window the limits count over.
pub const WINDOW: Duration = Duration::from_secs(60);

/// A key's limits (`gateway.keys[].rpm` and `.tpm`); `None` is no limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Limits {
    /// Requests per minute.
    pub requests_per_minute: Option<u32>,
    /// Tokens (prompt and completion) per minute.
    pub tokens_per_minute: Option<u64>,
}

/// Which limit a request is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Over {
    /// The requests-per-minute limit.
    Requests(u32),
    /// The tokens-per-minute limit.
    Tokens(u64),
}

/// The answer to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Admission {
    /// Go ahead (the request is counted).
    Allowed,
    /// Over a limit: try again in `seconds` (at least 1).
    RetryAfter {
        /// Seconds until the request would be allowed.
        seconds: u64,
        /// The limit it is over.
        over: Over,
    },
}

impl Admission {
    /// `Ok` when allowed, else the 429 (with `Retry-After`) for key `key_name`.
    pub fn into_result(self, key_name: &str) -> Result<(), GatewayError> {
        match self {
            Admission::Allowed => Ok(()),
            Admission::RetryAfter { seconds, over } => {
                let limit = match over {
                    Over::Requests(n) => format!("{n} requests per minute"),
                    Over::Tokens(n) => format!("{n} tokens per minute"),
                };
                Err(GatewayError::rate_limited(key_name, &limit, seconds))
            }
        }
    }
}

/// One key's last minute.
#[derive(Debug, Default)]
struct Window {
    /// When each admitted request came.
    requests: VecDeque<Instant>,
    /// When each finished request's tokens were counted, and how many.
    tokens: VecDeque<(Instant, u64)>,
    /// The sum of `tokens`.
    token_sum: u64,
}

impl Window {
    /// Forgets what is older than the window.
    fn expire(&mut self, now: Instant) {
        let old = |at: Instant| now.saturating_duration_since(at) >= WINDOW;
        while self.requests.front().is_some_and(|&at| old(at)) {
            self.requests.pop_front();
        }
        while let Some(&(at, tokens)) = self.tokens.front() {
            if !old(at) {
                break;
            }
            self.token_sum = self.token_sum.saturating_sub(tokens);
            self.tokens.pop_front();
        }
    }

    /// Whole seconds (at least 1) from `now` until `at` leaves the window.
    fn seconds_until_expiry(at: Instant, now: Instant) -> u64 {
        let left = WINDOW.saturating_sub(now.saturating_duration_since(at));
        let seconds = left.as_secs() + u64::from(left.subsec_nanos() > 0);
        seconds.max(1)
    }

    /// Admits a request under `limits`, or says when to come back.
    fn admit(&mut self, limits: Limits, now: Instant) -> Admission {
        self.expire(now);
        if let Some(rpm) = limits.requests_per_minute {
            if self.requests.len() >= usize::try_from(rpm).unwrap_or(usize::MAX) {
                let seconds = self.requests.front().map_or(WINDOW.as_secs(), |&oldest| {
                    Window::seconds_until_expiry(oldest, now)
                });
                return Admission::RetryAfter {
                    seconds,
                    over: Over::Requests(rpm),
                };
            }
        }
        if let Some(tpm) = limits.tokens_per_minute {
            if self.token_sum >= tpm {
                // The first moment enough tokens have left the window.
                let mut remaining = self.token_sum;
                let mut seconds = WINDOW.as_secs();
                for &(at, tokens) in &self.tokens {
                    remaining = remaining.saturating_sub(tokens);
                    if remaining < tpm {
                        seconds = Window::seconds_until_expiry(at, now);
                        break;
                    }
                }
                return Admission::RetryAfter {
                    seconds,
                    over: Over::Tokens(tpm),
                };
            }
        }
        self.requests.push_back(now);
        Admission::Allowed
    }
}

/// The limits of every key, shared by the server's tasks.
#[derive(Debug, Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<String, Window>>,
}

impl RateLimiter {
    /// No requests seen yet.
    pub fn new() -> RateLimiter {
        RateLimiter::default()
    }

    /// Admits a request of key `key_name` under `limits` at `now` (counting
    /// it), or answers when to try again. Keys without limits are always admitted.
    pub fn admit(&self, key_name: &str, limits: Limits, now: Instant) -> Admission {
        if limits == Limits::default() {
            return Admission::Allowed;
        }
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        windows
            .entry(key_name.to_owned())
            .or_default()
            .admit(limits, now)
    }

    /// Counts `tokens` used by a finished request of key `key_name` at `now`
    /// (only for keys with a token limit).
    pub fn record_tokens(&self, key_name: &str, limits: Limits, tokens: u64, now: Instant) {
        if limits.tokens_per_minute.is_none() || tokens == 0 {
            return;
        }
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        let window = windows.entry(key_name.to_owned()).or_default();
        window.expire(now);
        window.tokens.push_back((now, tokens));
        window.token_sum = window.token_sum.saturating_add(tokens);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(start: Instant, millis: u64) -> Instant {
        start + Duration::from_millis(millis)
    }

    #[test]
    fn tokens_per_minute() {
        let limiter = RateLimiter::new();
        let limits = Limits {
            requests_per_minute: None,
            tokens_per_minute: Some(1000),
        };
        let start = Instant::now();
        assert_eq!(limiter.admit("k", limits, start), Admission::Allowed);
        limiter.record_tokens("k", limits, 600, at(start, 1_000));
        assert_eq!(
            limiter.admit("k", limits, at(start, 2_000)),
            Admission::Allowed
        );
        limiter.record_tokens("k", limits, 500, at(start, 20_000));
        // 1100 tokens in the window: over until the 600 leave (at 61 s).
        let answer = limiter.admit("k", limits, at(start, 30_500));
        assert_eq!(
            answer,
            Admission::RetryAfter {
                seconds: 31,
                over: Over::Tokens(1000)
            }
        );
        assert_eq!(
            limiter.admit("k", limits, at(start, 61_000)),
            Admission::Allowed
        );
        let error = answer.into_result("team-a").expect_err("limited");
        assert_eq!((error.status(), error.retry_after()), (429, Some(31)));
        assert!(error.message().contains("1000 tokens per minute"));
    }

    #[test]
    fn keys_are_counted_apart_and_unlimited_keys_pass() {
        let limiter = RateLimiter::new();
        let one = Limits {
            requests_per_minute: Some(1),
            tokens_per_minute: None,
        };
        let start = Instant::now();
        assert_eq!(limiter.admit("a", one, start), Admission::Allowed);
        assert_eq!(limiter.admit("b", one, start), Admission::Allowed);
        assert!(matches!(
            limiter.admit("a", one, start),
            Admission::RetryAfter { seconds: 60, .. }
        ));
        for _ in 0..1000 {
            assert_eq!(
                limiter.admit("c", Limits::default(), start),
                Admission::Allowed
            );
        }
        let zero = Limits {
            requests_per_minute: Some(0),
            tokens_per_minute: None,
        };
        assert!(matches!(
            limiter.admit("d", zero, start),
            Admission::RetryAfter { .. }
        ));
    }

    proptest! {
        /// However requests arrive, no 60-second window admits more than the
        /// limit, and a refused request is told a wait after which it is admitted.
        #[test]
        fn never_more_than_rpm_in_a_window(rpm in 1u32..10, gaps in proptest::collection::vec(0u64..20_000, 1..80)) {
            let limiter = RateLimiter::new();
            let limits = Limits { requests_per_minute: Some(rpm), tokens_per_minute: None };
            let start = Instant::now();
            let mut now = 0u64;
            let mut admitted: Vec<u64> = Vec::new();
            for gap in gaps {
                now += gap;
                match limiter.admit("k", limits, at(start, now)) {
                    Admission::Allowed => admitted.push(now),
                    Admission::RetryAfter { seconds, .. } => {
                        prop_assert!((1..=60).contains(&seconds));
                        let in_window = admitted.iter().filter(|&&t| now - t < 60_000).count();
                        prop_assert_eq!(in_window, rpm as usize);
                        let oldest = admitted.iter().copied().filter(|&t| now - t < 60_000).min().unwrap_or(now);
                        prop_assert!(oldest + 60_000 <= now + seconds * 1000);
                    }
                }
                let in_window = admitted.iter().filter(|&&t| now - t < 60_000).count();
                prop_assert!(in_window <= rpm as usize);
            }
        }
    }

    /// With two requests per minute, the third waits for the first to age out.
    #[test]
    fn two_requests_per_minute_then_retry_after() {
        use crate::gateway::limits::{Admission, Limits, RateLimiter};
        use std::time::{Duration, Instant};
        let limiter = RateLimiter::new();
        let limits = Limits {
            requests_per_minute: Some(2),
            tokens_per_minute: None,
        };
        let start = Instant::now();
        assert_eq!(limiter.admit("team-a", limits, start), Admission::Allowed);
        assert_eq!(
            limiter.admit("team-a", limits, start + Duration::from_secs(10)),
            Admission::Allowed
        );
        let third = limiter.admit("team-a", limits, start + Duration::from_secs(15));
        assert!(matches!(third, Admission::RetryAfter { seconds: 45, .. }));
        assert_eq!(
            limiter.admit("team-a", limits, start + Duration::from_secs(60)),
            Admission::Allowed
        );
    }
}
