//! Load from one process against the emulator on loopback: many concurrent
//! streams, many sequential calls on pooled connections, and the process's
//! memory and file descriptors across the run. `#[ignore]`d so that `cargo
//! test` stays fast; run them (release, to measure the real thing) with
//!
//! ```sh
//! cargo test --release --test load -- --ignored --nocapture --test-threads 1
//! ```
//!
//! The emulator runs as a process of its own (`bedrock-lite emulate`), so
//! that this process's memory and descriptors are the client's alone (the
//! emulator's are printed beside them); the two cores of the machine each
//! carry one side. Every loop is bounded in count and in time, and everything
//! listens on 127.0.0.1 only. The figures go to stdout; RELIABILITY.md,
//! "Load", keeps the last ones.
#![cfg(all(feature = "emulator", feature = "cli"))]

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bedrock_lite::{Client, ConverseRequest, Message};

use common::cli::ScratchDir;
use common::relay::Relay;

/// Concurrent ConverseStream calls in one wave.
const STREAMS: usize = 1_000;
/// Waves of concurrent streams, one after the other.
const WAVES: usize = 16;
/// Text deltas per stream (one per word).
const DELTAS: usize = 1_000;
/// Sequential Converse calls.
const CALLS: usize = 10_000;
/// The most TCP connections the sequential calls may open: a handful.
const MAX_CONNECTS: usize = 5;
/// How long either test may run.
const LIMIT: Duration = Duration::from_secs(600);

/// The emulator, in a process of its own (`bedrock-lite emulate`), so that
/// this process's figures are the client's alone.
struct EmulatorProcess {
    child: Child,
    address: SocketAddr,
    _home: ScratchDir,
}

impl EmulatorProcess {
    fn start() -> EmulatorProcess {
        let home = ScratchDir::new("load-emulator");
        let mut child = Command::new(common::cli::BIN)
            .args(["--json", "emulate", "--port", "0"])
            .env_clear()
            .env("HOME", home.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the emulator starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the emulator's first line");
        let info: serde_json::Value = serde_json::from_str(&line).expect("JSON");
        let address = info["endpoint"]
            .as_str()
            .and_then(|url| url.strip_prefix("http://"))
            .and_then(|address| address.parse().ok())
            .unwrap_or_else(|| panic!("an endpoint: {line}"));
        EmulatorProcess {
            child,
            address,
            _home: home,
        }
    }

    fn endpoint(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The emulator process's memory and descriptors.
    fn sample(&self) -> Sample {
        Sample::of(&format!("/proc/{}", self.child.id()))
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
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
    /// This process now.
    fn now() -> Sample {
        Sample::of("/proc/self")
    }

    /// The process whose `/proc` folder is `proc`, now.
    fn of(proc: &str) -> Sample {
        let status = std::fs::read_to_string(format!("{proc}/status")).expect("a status file");
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
            fds: std::fs::read_dir(format!("{proc}/fd"))
                .expect("an fd folder")
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

/// The prompt of the `tag`th stream: the emulator echoes it as `You said:
/// <prompt>`, one delta per word, so [`DELTAS`] - 2 words make [`DELTAS`] deltas.
fn tagged_prompt(tag: usize) -> String {
    (0..DELTAS - 2)
        .map(|i| format!("s{tag}w{i}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A library client of `endpoint`.
fn client(endpoint: &str) -> Client {
    Client::new(
        common::emulator_settings(endpoint)
            .resolve()
            .expect("settings"),
    )
}

/// The `tag`th ConverseStream call: checks that its text is exactly the
/// echo of its prompt, in [`DELTAS`] deltas.
async fn stream_once(client: Client, tag: usize) {
    let prompt = tagged_prompt(tag);
    let request = ConverseRequest::new().message(Message::user(prompt.as_str()));
    let mut stream = client
        .converse_stream("amazon.nova-micro-v1:0", &request)
        .await
        .unwrap_or_else(|e| panic!("stream {tag}: {e}"));
    let mut text = String::new();
    let mut deltas = 0;
    while let Some(event) = stream.next_event().await {
        let event = event.unwrap_or_else(|e| panic!("stream {tag}: {e}"));
        if let Some(piece) = event.text() {
            text.push_str(&piece);
            deltas += 1;
        }
    }
    assert_eq!(deltas, DELTAS, "stream {tag}");
    assert!(
        text == format!("You said: {prompt}"),
        "stream {tag}'s text differs"
    );
}

/// One wave of [`STREAMS`] concurrent streams, each checked.
async fn wave(client: &Client) -> Duration {
    let started = Instant::now();
    let mut calls = tokio::task::JoinSet::new();
    for tag in 0..STREAMS {
        calls.spawn(stream_once(client.clone(), tag));
    }
    while let Some(joined) = calls.join_next().await {
        joined.expect("the stream is whole");
    }
    started.elapsed()
}

#[tokio::test]
#[ignore = "load test: cargo test --release --test load -- --ignored --nocapture"]
async fn a_thousand_concurrent_streams_of_a_thousand_deltas() {
    require_descriptors(2 * STREAMS as u64);
    let emulator = EmulatorProcess::start();
    let client = client(&emulator.endpoint());
    let before = Sample::now();
    let run = async {
        let mut waves = Vec::new();
        for _ in 0..WAVES {
            let elapsed = wave(&client).await;
            waves.push((elapsed, Sample::now(), emulator.sample()));
        }
        waves
    };
    let waves = tokio::time::timeout(LIMIT, run)
        .await
        .expect("the waves end in time");
    let frames = (STREAMS * (DELTAS + 5)) as f64;
    println!("client before: {before}");
    for (number, (elapsed, client, emulator)) in waves.iter().enumerate() {
        println!(
            "wave {}: {:.2} s ({:.0} frames/s); client: {client}; emulator: {emulator}",
            number + 1,
            elapsed.as_secs_f64(),
            frames / elapsed.as_secs_f64()
        );
    }
    // Flat: the first waves fill the connection pool and grow the pools of
    // memory (here for about ten waves); after that, nothing grows with the
    // number of waves.
    let base = waves[WAVES - 5].1;
    for (_, after, _) in &waves[WAVES - 4..] {
        assert!(after.fds <= base.fds, "descriptors grew: {base} -> {after}");
        assert!(
            after.rss_kib <= base.rss_kib + base.rss_kib / 100 + 2 * 1024,
            "memory grew: {base} -> {after}"
        );
    }
    // Closing the client closes every connection.
    drop(client);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let end = Sample::now();
    println!("client closed: {end}");
    assert!(
        end.fds <= before.fds,
        "descriptors leaked: {before} -> {end}"
    );
}

#[tokio::test]
#[ignore = "load test: cargo test --release --test load -- --ignored --nocapture"]
async fn ten_thousand_sequential_calls_on_pooled_connections() {
    let emulator = EmulatorProcess::start();
    // The relay counts the TCP connections the client opens.
    let relay = Relay::start(emulator.address).await;
    let client = client(&relay.url());
    let request = ConverseRequest::new().message(Message::user("ping"));
    let before = Sample::now();
    let mut samples = Vec::new();
    let run = async {
        let started = Instant::now();
        for call in 0..CALLS {
            let reply = client
                .converse("amazon.nova-micro-v1:0", &request)
                .await
                .unwrap_or_else(|e| panic!("call {call}: {e}"));
            assert_eq!(reply.text(), "You said: ping", "call {call}");
            if (call + 1) % (CALLS / 10) == 0 {
                samples.push((call + 1, Sample::now(), emulator.sample()));
            }
        }
        started.elapsed()
    };
    let elapsed = tokio::time::timeout(LIMIT, run)
        .await
        .expect("the calls end in time");
    let connects = relay.connections();
    println!(
        "{CALLS} calls in {:.2} s ({:.0} calls/s, {:.0} µs each) over {connects} TCP connection(s)",
        elapsed.as_secs_f64(),
        CALLS as f64 / elapsed.as_secs_f64(),
        elapsed.as_micros() as f64 / CALLS as f64
    );
    println!("client before:      {before}");
    for (calls, client, emulator) in &samples {
        println!("after {calls:>5} calls: client: {client}; emulator: {emulator}");
    }
    assert!(
        (1..=MAX_CONNECTS).contains(&connects),
        "{connects} connections for {CALLS} sequential calls"
    );
    // Flat from the first sample on.
    let base = samples[0].1;
    for (_, after, _) in &samples[1..] {
        assert!(after.fds <= base.fds, "descriptors grew: {base} -> {after}");
        assert!(
            after.rss_kib <= base.rss_kib + 2 * 1024,
            "memory grew: {base} -> {after}"
        );
    }
}
