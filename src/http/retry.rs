//! [`RetryPolicy`]: the one retry policy, shared by the credential providers
//! and the Bedrock transport. The caller judges each attempt; the policy
//! counts attempts and waits between them.

use std::future::Future;

use std::time::Duration;

/// How many attempts, and how long to wait between them: exponential backoff
/// with full jitter, a random wait in `[0, min(initial × 2^(n-1), max)]` before
/// retry *n* (1-based), as the AWS SDKs' standard mode does.
///
/// ```
/// use std::time::Duration;
/// use bedrock_lite::http::RetryPolicy;
/// let policy = RetryPolicy::STANDARD;
/// assert_eq!(policy.max_attempts, 3);
/// assert!(policy.backoff(1) <= Duration::from_secs(1));
/// assert!(policy.backoff(30) <= Duration::from_secs(20));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all (at least 1 is made).
    pub max_attempts: u32,
    /// The ceiling of the wait before the first retry; it doubles for each later one.
    pub initial_backoff: Duration,
    /// The ceiling of any wait.
    pub max_backoff: Duration,
}

/// What the caller makes of one attempt.
#[derive(Debug)]
pub enum Attempt<T> {
    /// Final: return this.
    Done(T),
    /// Worth another try; return this if no attempts are left.
    Retry(T),
}

impl RetryPolicy {
    /// The AWS SDKs' standard mode: 3 attempts, 1 s initial backoff, 20 s at most.
    pub const STANDARD: RetryPolicy = RetryPolicy {
        max_attempts: 3,
        initial_backoff: Duration::from_secs(1),
        max_backoff: Duration::from_secs(20),
    };

    /// For credential endpoints (STS, SSO, the container endpoint, IMDS):
    /// 3 attempts, quick (100 ms initial backoff, 2 s at most).
    pub const CREDENTIALS: RetryPolicy = RetryPolicy {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_secs(2),
    };

    /// The wait before retry number `retry` (1-based): random, at most
    /// `min(initial_backoff × 2^(retry-1), max_backoff)`.
    pub fn backoff(&self, retry: u32) -> Duration {
        let ceiling = self
            .initial_backoff
            .saturating_mul(1u32 << retry.saturating_sub(1).min(20))
            .min(self.max_backoff);
        random_up_to(ceiling)
    }

    /// Runs `attempt` (given the 1-based attempt number) until it answers
    /// [`Attempt::Done`] or the attempts run out, waiting [`backoff`](Self::backoff)
    /// between attempts; returns the last answer.
    pub async fn run<T, F, Fut>(&self, mut attempt: F) -> T
    where
        F: FnMut(u32) -> Fut,
        Fut: Future<Output = Attempt<T>>,
    {
        let mut number = 1;
        loop {
            match attempt(number).await {
                Attempt::Done(result) => return result,
                Attempt::Retry(result) if number >= self.max_attempts.max(1) => return result,
                Attempt::Retry(_) => {
                    tokio::time::sleep(self.backoff(number)).await;
                    number += 1;
                }
            }
        }
    }
}

/// A random duration in `[0, max]` (jitter; not for cryptography).
pub(crate) fn random_up_to(max: Duration) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    // Each `RandomState` is seeded differently, which is all the randomness jitter needs.
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    let nanos = u64::try_from(max.as_nanos()).unwrap_or(u64::MAX);
    Duration::from_nanos(random % nanos.saturating_add(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn backoff_stays_within_its_ceiling() {
        for policy in [RetryPolicy::STANDARD, RetryPolicy::CREDENTIALS] {
            for retry in 0..40u32 {
                let ceiling = policy
                    .initial_backoff
                    .saturating_mul(1u32 << retry.saturating_sub(1).min(20))
                    .min(policy.max_backoff);
                for _ in 0..10 {
                    assert!(policy.backoff(retry) <= ceiling, "{retry}");
                }
            }
        }
        assert_eq!(random_up_to(Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn run_stops_at_done_or_after_the_last_attempt() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let policy = RetryPolicy::CREDENTIALS;
        let calls = Cell::new(0);
        let last = runtime.block_on(policy.run(|n| {
            calls.set(calls.get() + 1);
            async move { Attempt::Retry(n) }
        }));
        assert_eq!((last, calls.get()), (3, 3));
        calls.set(0);
        let done = runtime.block_on(policy.run(|n| {
            calls.set(calls.get() + 1);
            async move {
                match n {
                    2 => Attempt::Done("second"),
                    _ => Attempt::Retry("again"),
                }
            }
        }));
        assert_eq!((done, calls.get()), ("second", 2));
        let once = RetryPolicy {
            max_attempts: 0,
            ..policy
        };
        assert_eq!(
            runtime.block_on(once.run(|n| async move { Attempt::Retry(n) })),
            1
        );
    }
}
