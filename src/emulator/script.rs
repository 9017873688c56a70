//! The scripted replies and the state the server shares with [`super::Emulator`].

use std::collections::VecDeque;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use bytes::Bytes;

use super::server::RecordedRequest;
use crate::sigv4::{Signer, SigningSettings};
use crate::types::ConverseResponse;

/// The most requests kept for [`super::Emulator::requests`]; older ones are
/// forgotten, so a long `emulate` session does not grow without bound.
const MAX_RECORDED: usize = 10_000;

/// The most prompt prefixes the emulated prompt cache keeps; the least
/// recently used go first.
const MAX_CACHED_PREFIXES: usize = 1_000;

/// The largest clock offset applied (ten years), so the clock stays a date.
const MAX_CLOCK_OFFSET_SECS: i64 = 10 * 366 * 24 * 3600;

/// What the emulator answers to one request, instead of its echo.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// This text, as a Converse message or as one `contentBlockDelta` per word.
    Text(String),
    /// These raw body chunks, each written as it is (for frames made elsewhere,
    /// e.g. by `aws-smithy-eventstream`, or broken on purpose).
    Frames(Vec<Bytes>),
    /// A tool call: `stopReason` `tool_use`, the input streamed as JSON text.
    ToolUse {
        /// The tool's name.
        name: String,
        /// Its input.
        input: serde_json::Value,
    },
    /// A reasoning block (signed by the emulator), then a text block.
    Reasoning {
        /// The reasoning text.
        reasoning: String,
        /// The answer.
        text: String,
    },
    /// This whole reply, usage and metrics included: the body of a Converse
    /// call, or streamed by a ConverseStream call as
    /// [`stream_events`](crate::bedrock::accumulator::stream_events) makes it
    /// (a reply no stream carries exactly gets a 500 there).
    Converse(Box<ConverseResponse>),
    /// HTTP 429 `ThrottlingException`.
    Throttle,
    /// Any error response: `status`, `x-amzn-ErrorType: <error_type>:...` and
    /// `{"message": message}`.
    Status {
        /// The HTTP status.
        status: u16,
        /// The error code, e.g. `ValidationException`.
        error_type: String,
        /// The message.
        message: String,
    },
    /// The echo stream's first `events` frames, then an exception frame
    /// (`:exception-type` `exception_type`, e.g. `throttlingException`). A
    /// Converse call gets the same exception as an HTTP error.
    ExceptionAfter {
        /// How many event frames go first.
        events: usize,
        /// The exception's `:exception-type`.
        exception_type: String,
        /// Its message.
        message: String,
    },
    /// The echo, with the connection cut after `bytes` bytes of the body.
    DropAfter {
        /// Body bytes sent before the cut.
        bytes: usize,
    },
    /// The echo, each frame sent after `delay`.
    Drip {
        /// The wait before each frame.
        delay: Duration,
    },
    /// From this request on, the emulator's clock runs `offset_secs` ahead of
    /// the real one (behind when negative): a request signed more than 5 minutes
    /// away from it gets 403 "Signature expired", and every `Date` header
    /// shows the skewed time.
    SkewedClock {
        /// Seconds added to the real clock.
        offset_secs: i64,
    },
}

/// What the accept loop and every connection share with the [`super::Emulator`].
pub(crate) struct Shared {
    replies: Mutex<VecDeque<Reply>>,
    requests: Mutex<VecDeque<RecordedRequest>>,
    /// The SHA-256 of each cached prompt prefix, least recently used first.
    prompt_cache: Mutex<VecDeque<[u8; 32]>>,
    clock_offset_secs: AtomicI64,
    /// Recomputes signatures; its key cache makes a warm check one HMAC chain.
    pub(crate) signer: Signer,
}

impl Default for Shared {
    fn default() -> Self {
        Shared {
            replies: Mutex::default(),
            requests: Mutex::default(),
            prompt_cache: Mutex::default(),
            clock_offset_secs: AtomicI64::new(0),
            signer: Signer::new(SigningSettings::DEFAULT),
        }
    }
}

/// Locks `mutex`, ignoring poisoning (every critical section leaves its data whole).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    /// Queues a reply.
    pub(crate) fn push(&self, reply: Reply) {
        lock(&self.replies).push_back(reply);
    }

    /// Takes the next reply, if any.
    pub(crate) fn pop(&self) -> Option<Reply> {
        lock(&self.replies).pop_front()
    }

    /// Applies the [`Reply::SkewedClock`]s at the head of the queue: it changes the
    /// clock the signature is checked against, so it acts before the check.
    pub(crate) fn apply_clock_script(&self) {
        let mut replies = lock(&self.replies);
        while let Some(Reply::SkewedClock { offset_secs }) = replies.front() {
            self.clock_offset_secs
                .store(*offset_secs, Ordering::Relaxed);
            replies.pop_front();
        }
    }

    /// The emulator's clock: the real one plus the scripted offset.
    pub(crate) fn now(&self) -> SystemTime {
        let offset = self
            .clock_offset_secs
            .load(Ordering::Relaxed)
            .clamp(-MAX_CLOCK_OFFSET_SECS, MAX_CLOCK_OFFSET_SECS);
        let now = SystemTime::now();
        let shift = Duration::from_secs(offset.unsigned_abs());
        let shifted = if offset >= 0 {
            now.checked_add(shift)
        } else {
            now.checked_sub(shift)
        };
        shifted.unwrap_or(now)
    }

    /// Records a request.
    pub(crate) fn record(&self, request: RecordedRequest) {
        let mut requests = lock(&self.requests);
        if requests.len() >= MAX_RECORDED {
            requests.pop_front();
        }
        requests.push_back(request);
    }

    /// Looks the prompt prefixes `hashes` (shortest first) up in the prompt
    /// cache, then caches them all: answers how many of them, from the first,
    /// reach the longest one that was cached (0: none was).
    pub(crate) fn cache_prefixes(&self, hashes: &[[u8; 32]]) -> usize {
        let mut cache = lock(&self.prompt_cache);
        let hits = hashes
            .iter()
            .rposition(|hash| cache.contains(hash))
            .map_or(0, |at| at + 1);
        for hash in hashes {
            if let Some(at) = cache.iter().position(|cached| cached == hash) {
                cache.remove(at);
            }
            if cache.len() >= MAX_CACHED_PREFIXES {
                cache.pop_front();
            }
            cache.push_back(*hash);
        }
        hits
    }

    /// The recorded requests, oldest first.
    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.requests).iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(n: usize) -> [u8; 32] {
        let mut hash = [0; 32];
        hash[..8].copy_from_slice(&n.to_le_bytes());
        hash
    }

    #[test]
    fn the_prompt_cache_finds_the_longest_cached_prefix() {
        let shared = Shared::default();
        assert_eq!(shared.cache_prefixes(&[hash(1), hash(2)]), 0);
        assert_eq!(shared.cache_prefixes(&[hash(1), hash(3)]), 1);
        assert_eq!(shared.cache_prefixes(&[hash(1), hash(2), hash(4)]), 2);
        assert_eq!(shared.cache_prefixes(&[hash(9), hash(4)]), 2);
    }

    #[test]
    fn the_prompt_cache_is_bounded_and_forgets_the_least_recently_used() {
        let shared = Shared::default();
        shared.cache_prefixes(&[hash(0)]);
        for n in 1..MAX_CACHED_PREFIXES {
            shared.cache_prefixes(&[hash(n)]);
        }
        // Used again: now the most recent.
        assert_eq!(shared.cache_prefixes(&[hash(0)]), 1);
        shared.cache_prefixes(&[hash(MAX_CACHED_PREFIXES)]);
        assert_eq!(lock(&shared.prompt_cache).len(), MAX_CACHED_PREFIXES);
        // The least recently used (1) went; 0 stayed.
        assert_eq!(shared.cache_prefixes(&[hash(0)]), 1);
        assert_eq!(shared.cache_prefixes(&[hash(1)]), 0);
    }
}
