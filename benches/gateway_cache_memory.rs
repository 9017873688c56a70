//! The reasoning cache's memory at its size cap, counted by dhat's heap
//! profiler: what the process really holds against what the cache counts
//! (`ReasoningCache::bytes`, bounded by `max_bytes`). It prints the figures
//! BENCHMARKS.md quotes and fails if the heap strays from the count:
//!
//! ```sh
//! cargo bench --profile test --features fuzzing --bench gateway_cache_memory
//! ```
//!
//! The cache is internal to the gateway; the `fuzzing` feature makes it
//! reachable from here (`.ci/run` runs this).

use std::time::Instant;

use bedrock_lite::gateway::openai::ReasoningDetail;
use bedrock_lite::gateway::reasoning_cache::{CacheLimits, ReasoningCache};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// Fills a default-sized cache with `turns` turns of `text_len` bytes of
/// signed reasoning (a 512-byte signature, two tool calls); returns (entries
/// kept, bytes the cache counts, heap bytes it holds).
fn fill(turns: usize, text_len: usize) -> (usize, usize, usize) {
    let before = dhat::HeapStats::get().curr_bytes;
    let cache = ReasoningCache::new(CacheLimits::default());
    let now = Instant::now();
    for turn in 0..turns {
        let first = format!("tooluse_{turn:022}");
        let second = format!("tooluse_{:022}", turn + turns);
        let detail = ReasoningDetail::Text {
            text: "r".repeat(text_len),
            signature: Some("s".repeat(512)),
        };
        cache.remember("team-a", &[&first, &second], &[detail], now);
    }
    let held = dhat::HeapStats::get().curr_bytes - before;
    (cache.len(), cache.bytes(), held)
}

fn main() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let limits = CacheLimits::default();
    // Typical turns (2 KiB of reasoning): the entry cap binds.
    let (entries, counted, held) = fill(12_000, 2048);
    assert_eq!(entries, limits.max_entries);
    println!(
        "2 KiB turns: {entries} entries, {counted} bytes counted, {held} bytes of heap ({:.2}x)",
        held as f64 / counted as f64
    );
    assert!(held <= counted * 3 / 2, "{held} held for {counted} counted");
    // Large turns (32 KiB): the byte cap binds.
    let (entries, counted, held) = fill(4_000, 32 * 1024);
    assert!(entries < 4_000 && counted <= limits.max_bytes);
    println!(
        "32 KiB turns: {entries} entries, {counted} bytes counted (cap {}), {held} bytes of heap ({:.2}x)",
        limits.max_bytes,
        held as f64 / counted as f64
    );
    assert!(
        held <= limits.max_bytes * 5 / 4,
        "{held} held at the {} cap",
        limits.max_bytes
    );
}
