//! Load from one process against the emulator on loopback: many concurrent
//! streams, many sequential calls on pooled connections, and the process's
//! memory and file descriptors across the run. `#[ignore]`d so that `cargo
//! test` stays fast; run them (release, to measure the real thing) with
//!
//! ```sh
//! cargo test --release --test load -- --ignored --nocapture --test-threads 1
//! ```
//!
//! The emulator serves from its own thread (its own runtime), the client from
//! the test's: the two cores of the machine each carry one side. Every loop is
//! bounded in count and in time, and everything listens on 127.0.0.1 only.
//! The figures go to stdout; RELIABILITY.md, "Load", keeps the last ones.
#![cfg(feature = "emulator")]

mod common;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bedrock_lite::emulator::{Emulator, Reply};
use bedrock_lite::{Client, ConverseRequest, Message};
use tokio::sync::{mpsc, oneshot};

use common::relay::Relay;

/// Concurrent ConverseStream calls in one wave.
const STREAMS: usize = 1_000;
/// Waves of concurrent streams, one after the other.
const WAVES: usize = 4;
/// Text deltas per stream (one per word).
const DELTAS: usize = 1_000;
/// Sequential Converse calls.
const CALLS: usize = 10_000;
/// The most TCP connections the sequential calls may open: a handful.
const MAX_CONNECTS: usize = 5;
/// How long either test may run.
const LIMIT: Duration = Duration::from_secs(600);

/// The emulator, serving from a thread of its own until dropped.
struct EmulatorThread {
    address: SocketAddr,
    replies: mpsc::UnboundedSender<Reply>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl EmulatorThread {
    fn start() -> EmulatorThread {
        let (address_tx, address_rx) = std::sync::mpsc::channel();
        let (replies, mut scripted) = mpsc::unbounded_channel::<Reply>();
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async move {
                let emulator = Emulator::start(0).await.expect("the emulator starts");
                let address = emulator.endpoint().trim_start_matches("http://").to_owned();
                address_tx.send(address).expect("the test waits");
                let script = async {
                    while let Some(reply) = scripted.recv().await {
                        emulator.script(reply);
                    }
                };
                tokio::select! {
                    _ = stopped => {}
                    () = script => {}
                }
                emulator.shutdown().await;
            });
        });
        let address = address_rx
            .recv()
            .expect("the emulator's address")
            .parse()
            .expect("an address");
        EmulatorThread {
            address,
            replies,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    fn script(&self, reply: Reply) {
        self.replies.send(reply).expect("the emulator runs");
    }

    fn endpoint(&self) -> String {
        format!("http://{}", self.address)
    }
}

impl Drop for EmulatorThread {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// This process's memory and descriptors at one moment.
#[derive(Debug, Clone, Copy)]
struct Sample {
    /// Resident set size, KiB.
    rss_kib: u64,
    /// Peak resident set size so far, KiB.
    hwm_kib: u64,
    /// Open file descriptors.
    fds: usize,
}

impl Sample {
    fn now() -> Sample {
        let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
        let field = |name: &str| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|kib| kib.parse::<u64>().ok())
                .expect("a /proc/self/status field")
        };
        Sample {
            rss_kib: field("VmRSS:"),
            hwm_kib: field("VmHWM:"),
            fds: std::fs::read_dir("/proc/self/fd")
                .expect("/proc/self/fd")
                .count(),
        }
    }
}

impl std::fmt::Display for Sample {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "RSS {:.1} MiB (peak {:.1} MiB), {} fds",
            self.rss_kib as f64 / 1024.0,
            self.hwm_kib as f64 / 1024.0,
            self.fds
        )
    }
}

/// Fails clearly when the process may not open the sockets a wave needs.
fn require_descriptors(needed: u64) {
    let limits = std::fs::read_to_string("/proc/self/limits").expect("/proc/self/limits");
    let soft: u64 = limits
        .lines()
        .find(|line| line.starts_with("Max open files"))
        .and_then(|line| line.split_whitespace().nth(3))
        .and_then(|soft| soft.parse().ok())
        .expect("the open-files limit");
    assert!(
        soft >= needed,
        "this test opens {needed} descriptors; the limit is {soft}: raise it with `ulimit -n {needed}`"
    );
}

/// The text the `tag`th stream is scripted to answer: [`DELTAS`] words.
fn tagged_text(tag: usize) -> String {
    (0..DELTAS)
        .map(|i| format!("s{tag}w{i} "))
        .collect::<String>()
}

/// A library client of `endpoint`.
fn client(endpoint: &str) -> Client {
    Client::new(
        common::emulator_settings(endpoint)
            .resolve()
            .expect("settings"),
    )
}

/// One ConverseStream call: the text it streamed, and how many deltas.
async fn stream_once(client: Client) -> (String, usize) {
    let request = ConverseRequest::new().message(Message::user("go"));
    let mut stream = client
        .converse_stream("amazon.nova-micro-v1:0", &request)
        .await
        .expect("a stream");
    let mut text = String::new();
    let mut deltas = 0;
    while let Some(event) = stream.next_event().await {
        let event = event.expect("an event");
        if let Some(piece) = event.text() {
            text.push_str(&piece);
            deltas += 1;
        }
    }
    (text, deltas)
}

/// One wave of [`STREAMS`] concurrent streams; each text must be exactly one
/// of the scripted ones, and every scripted one must come back once.
async fn wave(emulator: &EmulatorThread, client: &Client) -> Duration {
    for tag in 0..STREAMS {
        emulator.script(Reply::Text(tagged_text(tag)));
    }
    let started = Instant::now();
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..STREAMS {
        calls.spawn(stream_once(client.clone()));
    }
    let mut tags = BTreeSet::new();
    while let Some(joined) = calls.join_next().await {
        let (text, deltas) = joined.expect("the call ends");
        let tag: usize = text
            .strip_prefix('s')
            .and_then(|rest| rest.split('w').next())
            .and_then(|tag| tag.parse().ok())
            .unwrap_or_else(|| panic!("an untagged answer: {:.60}", text));
        assert_eq!(deltas, DELTAS, "stream {tag}");
        assert!(text == tagged_text(tag), "stream {tag}'s text differs");
        assert!(tags.insert(tag), "stream {tag} answered twice");
    }
    assert_eq!(tags.len(), STREAMS);
    started.elapsed()
}

#[tokio::test]
#[ignore = "load test: cargo test --release --test load -- --ignored --nocapture"]
async fn a_thousand_concurrent_streams_of_a_thousand_deltas() {
    require_descriptors(3 * STREAMS as u64);
    let emulator = EmulatorThread::start();
    let client = client(&emulator.endpoint());
    let before = Sample::now();
    let run = async {
        let mut waves = Vec::new();
        for _ in 0..WAVES {
            let elapsed = wave(&emulator, &client).await;
            waves.push((elapsed, Sample::now()));
        }
        waves
    };
    let waves = tokio::time::timeout(LIMIT, run)
        .await
        .expect("the waves end in time");
    let frames = (STREAMS * (DELTAS + 5)) as f64;
    println!("before:            {before}");
    for (number, (elapsed, after)) in waves.iter().enumerate() {
        println!(
            "wave {}: {:.2} s ({:.0} frames/s); after: {after}",
            number + 1,
            elapsed.as_secs_f64(),
            frames / elapsed.as_secs_f64()
        );
    }
    // Flat: from the second wave on, the pooled connections and buffers of
    // the first are reused; nothing grows with the number of waves.
    let base = waves[1].1;
    for (_, after) in &waves[2..] {
        assert!(after.fds <= base.fds + 8, "descriptors grew: {base} -> {after}");
        assert!(
            after.rss_kib <= base.rss_kib + base.rss_kib / 20 + 8 * 1024,
            "memory grew: {base} -> {after}"
        );
    }
    // Closing the client and the emulator closes every connection.
    drop(client);
    drop(emulator);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let end = Sample::now();
    println!("both closed:       {end}");
    assert!(end.fds <= before.fds + 8, "descriptors leaked: {before} -> {end}");
}

#[tokio::test]
#[ignore = "load test: cargo test --release --test load -- --ignored --nocapture"]
async fn ten_thousand_sequential_calls_on_pooled_connections() {
    let emulator = EmulatorThread::start();
    let relay = Relay::start(emulator.address).await;
    let client = client(&relay.url());
    let request = ConverseRequest::new().message(Message::user("ping"));
    let before = Sample::now();
    // Two rounds: the emulator keeps the last 10,000 requests it got (a
    // bounded log), so its memory grows through the first round by design;
    // through the second, nothing may grow.
    let mut samples = Vec::new();
    let mut rounds = Vec::new();
    let run = async {
        for round in 0..2 {
            let started = Instant::now();
            for call in 0..CALLS {
                let reply = client
                    .converse("amazon.nova-micro-v1:0", &request)
                    .await
                    .unwrap_or_else(|e| panic!("round {round}, call {call}: {e}"));
                assert_eq!(reply.text(), "You said: ping", "round {round}, call {call}");
                if call % (CALLS / 4) == CALLS / 4 - 1 {
                    samples.push(Sample::now());
                }
            }
            rounds.push((started.elapsed(), relay.connections()));
        }
    };
    tokio::time::timeout(LIMIT, run)
        .await
        .expect("the calls end in time");
    println!("before:        {before}");
    for (round, (elapsed, connects)) in rounds.iter().enumerate() {
        println!(
            "round {}: {CALLS} calls in {:.2} s ({:.0} calls/s, {:.0} µs each); \
             TCP connections opened so far: {connects}",
            round + 1,
            elapsed.as_secs_f64(),
            CALLS as f64 / elapsed.as_secs_f64(),
            elapsed.as_micros() as f64 / CALLS as f64
        );
    }
    for (quarter, sample) in samples.iter().enumerate() {
        println!("after {:>5} calls: {sample}", (quarter + 1) * CALLS / 4);
    }
    let connects = relay.connections();
    assert!(
        (1..=MAX_CONNECTS).contains(&connects),
        "{connects} connections for {} sequential calls",
        2 * CALLS
    );
    // Flat through the second round.
    let base = samples[3];
    for sample in &samples[4..] {
        assert!(
            sample.fds <= base.fds + 2,
            "descriptors grew: {base} -> {sample}"
        );
        assert!(
            sample.rss_kib <= base.rss_kib + 4 * 1024,
            "memory grew: {base} -> {sample}"
        );
    }
}
