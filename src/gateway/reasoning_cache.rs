//! Each turn's signed reasoning, kept in memory for clients that echo only the
//! standard fields: a turn that called tools is remembered by its tool-call
//! ids ([`ReasoningCache::remember`]); when an assistant message with those ids
//! comes back without `reasoning_details`, they are put back
//! ([`ReasoningCache::restore`]), so that Bedrock gets the signed reasoning
//! that a thinking-enabled tool turn needs.
//!
//! Bounded: least recently used entries go first once there are more than
//! `max_entries` or they hold more than `max_bytes`; an entry unused for the
//! time to live (an hour by default) is gone. Entries are scoped by gateway
//! key, so one key never gets another's reasoning. Per process: with several
//! replicas, clients that do not keep `reasoning_details` need sticky sessions.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::openai::{ChatMessage, ChatRequest, ReasoningDetail};

/// What each entry is counted as on top of its keys and reasoning.
const ENTRY_OVERHEAD: usize = 128;

/// The cache's bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheLimits {
    /// The most entries (turns) kept.
    pub max_entries: usize,
    /// The most bytes of ids and reasoning kept (an entry larger than this is not kept).
    pub max_bytes: usize,
    /// How long an unused entry is kept.
    pub ttl: Duration,
}

impl Default for CacheLimits {
    /// 10,000 turns, 64 MiB, one hour.
    fn default() -> Self {
        CacheLimits {
            max_entries: 10_000,
            max_bytes: 64 << 20,
            ttl: Duration::from_secs(3600),
        }
    }
}

/// One remembered turn.
#[derive(Debug)]
struct Entry {
    details: Vec<ReasoningDetail>,
    size: usize,
    used: Instant,
    /// Its place in the recency order.
    tick: u64,
}

#[derive(Debug, Default)]
struct State {
    entries: HashMap<String, Entry>,
    /// Recency order: tick → entry key, least recently used first.
    order: BTreeMap<u64, String>,
    next_tick: u64,
    bytes: usize,
}

impl State {
    fn remove(&mut self, key: &str) {
        if let Some(entry) = self.entries.remove(key) {
            self.order.remove(&entry.tick);
            self.bytes = self.bytes.saturating_sub(entry.size);
        }
    }

    /// Removes the least recently used entry; whether there was one.
    fn evict_oldest(&mut self) -> bool {
        match self.order.pop_first() {
            Some((_, key)) => {
                if let Some(entry) = self.entries.remove(&key) {
                    self.bytes = self.bytes.saturating_sub(entry.size);
                }
                true
            }
            None => false,
        }
    }

    /// Drops entries unused for `ttl` (the least recently used go first, so
    /// the sweep stops at the first fresh one).
    fn expire(&mut self, now: Instant, ttl: Duration) {
        while let Some(key) = self.order.first_key_value().map(|(_, key)| key.clone()) {
            let stale = self
                .entries
                .get(&key)
                .is_none_or(|entry| now.saturating_duration_since(entry.used) >= ttl);
            if !stale {
                break;
            }
            self.remove(&key);
        }
    }

    fn touch(&mut self, key: &str, now: Instant) {
        let tick = self.next_tick;
        if let Some(entry) = self.entries.get_mut(key) {
            self.order.remove(&entry.tick);
            entry.tick = tick;
            entry.used = now;
            self.order.insert(tick, key.to_owned());
            self.next_tick += 1;
        }
    }
}

/// The cache, shared by the server's tasks.
#[derive(Debug)]
pub struct ReasoningCache {
    limits: CacheLimits,
    state: Mutex<State>,
}

/// The entry key: the gateway key's scope and the turn's tool-call ids, in order.
fn entry_key<'a>(scope: &str, tool_call_ids: impl IntoIterator<Item = &'a str>) -> String {
    let ids: Vec<&str> = tool_call_ids.into_iter().collect();
    // A JSON array of strings keeps the parts apart whatever they hold.
    serde_json::to_string(&(scope, ids)).unwrap_or_default()
}

impl ReasoningCache {
    /// An empty cache with these bounds.
    pub fn new(limits: CacheLimits) -> ReasoningCache {
        ReasoningCache {
            limits,
            state: Mutex::new(State::default()),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Remembers the signed reasoning `details` of a turn that made the tool
    /// calls `tool_call_ids`, for gateway key `scope`. Nothing is kept for a
    /// turn without tool calls or without signed reasoning.
    pub fn remember(
        &self,
        scope: &str,
        tool_call_ids: &[&str],
        details: &[ReasoningDetail],
        now: Instant,
    ) {
        if tool_call_ids.is_empty() || details.is_empty() {
            return;
        }
        let key = entry_key(scope, tool_call_ids.iter().copied());
        let size =
            ENTRY_OVERHEAD + key.len() + details.iter().map(ReasoningDetail::size).sum::<usize>();
        if size > self.limits.max_bytes || self.limits.max_entries == 0 {
            return;
        }
        let mut state = self.state();
        state.remove(&key);
        state.expire(now, self.limits.ttl);
        while state.entries.len() >= self.limits.max_entries
            || state.bytes + size > self.limits.max_bytes
        {
            if !state.evict_oldest() {
                break;
            }
        }
        let tick = state.next_tick;
        state.next_tick += 1;
        state.order.insert(tick, key.clone());
        state.bytes += size;
        state.entries.insert(
            key,
            Entry {
                details: details.to_vec(),
                size,
                used: now,
                tick,
            },
        );
    }

    /// Puts the remembered reasoning back into every assistant message of
    /// `request` that made tool calls and carries no `reasoning_details`;
    /// returns how many messages got it.
    pub fn restore(&self, scope: &str, request: &mut ChatRequest, now: Instant) -> usize {
        let mut restored = 0;
        let mut state = self.state();
        state.expire(now, self.limits.ttl);
        for message in &mut request.messages {
            let ChatMessage::Assistant(turn) = message else {
                continue;
            };
            if turn.tool_calls.is_empty() || !turn.reasoning_details.is_empty() {
                continue;
            }
            let key = entry_key(scope, turn.tool_calls.iter().map(|call| call.id.as_str()));
            if let Some(entry) = state.entries.get(&key) {
                turn.reasoning_details = entry.details.clone();
                state.touch(&key, now);
                restored += 1;
            }
        }
        restored
    }

    /// How many turns are kept.
    #[cfg(any(test, feature = "fuzzing"))]
    pub fn len(&self) -> usize {
        self.state().entries.len()
    }

    /// Whether nothing is kept.
    #[cfg(any(test, feature = "fuzzing"))]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes kept, as counted against `max_bytes`.
    #[cfg(any(test, feature = "fuzzing"))]
    pub fn bytes(&self) -> usize {
        self.state().bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::openai::{AssistantTurn, ToolCall};
    use proptest::prelude::*;

    fn detail(text: &str) -> ReasoningDetail {
        ReasoningDetail::Text {
            text: text.to_owned(),
            signature: Some(format!("sig-{text}")),
        }
    }

    fn request_with(ids: &[&str]) -> ChatRequest {
        ChatRequest {
            model: "m".into(),
            messages: vec![ChatMessage::Assistant(AssistantTurn {
                tool_calls: ids
                    .iter()
                    .map(|id| ToolCall {
                        id: (*id).to_owned(),
                        name: "f".into(),
                        arguments: "{}".into(),
                    })
                    .collect(),
                ..AssistantTurn::default()
            })],
            max_tokens: None,
            temperature: None,
            top_p: None,
            stop: Vec::new(),
            stream: false,
            include_usage: false,
            tools: Vec::new(),
            tool_choice: None,
            reasoning_effort: None,
        }
    }

    fn restored(
        cache: &ReasoningCache,
        scope: &str,
        ids: &[&str],
        now: Instant,
    ) -> Vec<ReasoningDetail> {
        let mut request = request_with(ids);
        cache.restore(scope, &mut request, now);
        match &request.messages[0] {
            ChatMessage::Assistant(turn) => turn.reasoning_details.clone(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn restores_by_the_turns_ids_and_scope_only() {
        let cache = ReasoningCache::new(CacheLimits::default());
        let now = Instant::now();
        cache.remember("a", &["t1", "t2"], &[detail("x")], now);
        assert_eq!(restored(&cache, "a", &["t1", "t2"], now), [detail("x")]);
        assert!(restored(&cache, "b", &["t1", "t2"], now).is_empty());
        assert!(restored(&cache, "a", &["t1"], now).is_empty());
        // Messages that carry their own reasoning are left alone.
        let mut request = request_with(&["t1", "t2"]);
        if let ChatMessage::Assistant(turn) = &mut request.messages[0] {
            turn.reasoning_details = vec![detail("own")];
        }
        assert_eq!(cache.restore("a", &mut request, now), 0);
        // Nothing is kept without tool calls or reasoning.
        cache.remember("a", &[], &[detail("y")], now);
        cache.remember("a", &["t3"], &[], now);
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn entries_expire_an_hour_after_their_last_use() {
        let cache = ReasoningCache::new(CacheLimits::default());
        let start = Instant::now();
        cache.remember("a", &["t1"], &[detail("x")], start);
        let later = start + Duration::from_secs(3000);
        assert_eq!(restored(&cache, "a", &["t1"], later).len(), 1);
        // Used at 3000 s: still there at 6000 s, gone at 6600 s.
        assert_eq!(
            restored(&cache, "a", &["t1"], start + Duration::from_secs(6000)).len(),
            1
        );
        assert!(restored(&cache, "a", &["t1"], start + Duration::from_secs(9700)).is_empty());
        assert!(cache.is_empty());
        assert_eq!(cache.bytes(), 0);
    }

    #[test]
    fn least_recently_used_goes_first() {
        let limits = CacheLimits {
            max_entries: 2,
            ..CacheLimits::default()
        };
        let cache = ReasoningCache::new(limits);
        let now = Instant::now();
        cache.remember("a", &["t1"], &[detail("1")], now);
        cache.remember("a", &["t2"], &[detail("2")], now);
        restored(&cache, "a", &["t1"], now); // t1 is now the most recent
        cache.remember("a", &["t3"], &[detail("3")], now);
        assert_eq!(cache.len(), 2);
        assert!(restored(&cache, "a", &["t2"], now).is_empty());
        assert_eq!(restored(&cache, "a", &["t1"], now).len(), 1);
        assert_eq!(restored(&cache, "a", &["t3"], now).len(), 1);
    }

    proptest! {
        /// Whatever is remembered, the cache stays within its bounds and its
        /// byte count matches what it holds.
        #[test]
        fn stays_within_bounds(
            turns in proptest::collection::vec(("[a-d]{1,2}", 0usize..3000), 1..60),
            max_entries in 1usize..8,
            max_bytes in 200usize..6000,
        ) {
            let cache = ReasoningCache::new(CacheLimits { max_entries, max_bytes, ttl: Duration::from_secs(3600) });
            let now = Instant::now();
            for (id, len) in &turns {
                cache.remember("s", &[id.as_str()], &[detail(&"r".repeat(*len))], now);
                prop_assert!(cache.len() <= max_entries);
                prop_assert!(cache.bytes() <= max_bytes);
                let state = cache.state();
                prop_assert_eq!(state.bytes, state.entries.values().map(|e| e.size).sum::<usize>());
                prop_assert_eq!(state.order.len(), state.entries.len());
            }
        }
    }

    /// Remembered reasoning comes back for the turn with the same tool-call id.
    #[test]
    fn restores_remembered_reasoning_by_tool_call_id(
    ) -> Result<(), crate::gateway::errors::GatewayError> {
        use crate::gateway::openai::{ChatMessage, ChatRequest, ReasoningDetail};
        use crate::gateway::reasoning_cache::{CacheLimits, ReasoningCache};
        use std::time::Instant;
        let cache = ReasoningCache::new(CacheLimits::default());
        let signed = ReasoningDetail::Text {
            text: "Check the weather".into(),
            signature: Some("sig".into()),
        };
        cache.remember(
            "team-a",
            &["tooluse_1"],
            std::slice::from_ref(&signed),
            Instant::now(),
        );

        let body = br#"{"model": "m", "messages": [
            {"role": "user", "content": "Weather?"},
            {"role": "assistant", "content": null, "tool_calls": [{"id": "tooluse_1", "type": "function",
                "function": {"name": "get_weather", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "tooluse_1", "content": "Sunny"}]}"#;
        let mut request = ChatRequest::from_json(body)?;
        assert_eq!(cache.restore("team-a", &mut request, Instant::now()), 1);
        let ChatMessage::Assistant(turn) = &request.messages[1] else {
            panic!("assistant")
        };
        assert_eq!(turn.reasoning_details, [signed]);
        Ok(())
    }
}
