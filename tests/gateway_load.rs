//! Load on `bedrock-lite serve` (ignored: run by hand, see BENCHMARKS.md):
//!
//! ```sh
//! cargo test --release --test gateway_load -- --ignored --nocapture
//! ```
//!
//! 1. Added latency: 300 streams one after another straight to the emulator
//!    (the library client, signing included) and 300 through the gateway (a
//!    plain HTTP/1.1 client); time to first byte of each, medians compared.
//! 2. 1,000 streaming requests at once through one `serve` process, each
//!    frame dripped 100 ms apart by the emulator so that all are in flight
//!    together; every answer must carry its own text and end with `[DONE]`.
//!    Then the gateway's peak RSS (`VmHWM`).
#![cfg(all(feature = "cli", feature = "gateway", feature = "emulator"))]

mod common;

use std::time::{Duration, Instant};

use bedrock_lite::emulator::{Emulator, Reply};
use bedrock_lite::{ConverseRequest, Message};
use common::serve::{Aws, Serve, TempDir};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const MODEL: &str = "us.anthropic.claude-sonnet-4-6";
const SEQUENTIAL: usize = 300;
const CONCURRENT: usize = 1000;

/// A streamed chat completion through the gateway at `address`: the time to
/// the first `data:` byte, and the whole response.
async fn through_gateway(address: &str, prompt: &str) -> (Duration, Vec<u8>) {
    let body =
        json!({"model": MODEL, "stream": true, "messages": [{"role": "user", "content": prompt}]})
            .to_string();
    let started = Instant::now();
    let mut socket = TcpStream::connect(address).await.expect("connect");
    let request = format!(
        "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    socket.write_all(request.as_bytes()).await.expect("send");
    let mut response = Vec::new();
    let mut first = None;
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        let n = socket.read(&mut buffer).await.expect("read");
        if n == 0 {
            break;
        }
        response.extend_from_slice(&buffer[..n]);
        if first.is_none() && response.windows(6).any(|w| w == b"data: ") {
            first = Some(started.elapsed());
        }
    }
    (first.expect("a first event"), response)
}

/// The text of a chunked SSE response, and whether it ended with `[DONE]`.
fn streamed_text(response: &[u8]) -> (String, bool) {
    let text = String::from_utf8_lossy(response);
    let (_, mut rest) = text.split_once("\r\n\r\n").expect("a head");
    let mut body = String::new();
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).expect("a chunk size");
        if size == 0 {
            break;
        }
        body.push_str(&tail[..size]);
        rest = &tail[size + 2..];
    }
    let mut content = String::new();
    let mut done = false;
    for event in body.split("\n\n").filter(|event| !event.is_empty()) {
        match event.strip_prefix("data: ") {
            Some("[DONE]") => done = true,
            Some(json) => {
                let chunk: Value = serde_json::from_str(json).expect("a chunk");
                if let Some(piece) = chunk["choices"][0]["delta"]["content"].as_str() {
                    content.push_str(piece);
                }
            }
            None => {}
        }
    }
    (content, done)
}

/// The median and 90th percentile of `samples`, in milliseconds.
fn percentiles(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize].as_secs_f64() * 1e3;
    (at(0.5), at(0.9))
}

/// The CPU time (user + system) process `pid` has used.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc");
    // The fields after the command (which may hold spaces) in parentheses.
    let (_, fields) = stat.rsplit_once(") ").expect("a stat line");
    let fields: Vec<&str> = fields.split(' ').collect();
    let ticks: u64 =
        fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime");
    // Linux reports in clock ticks of 1/100 s (USER_HZ).
    Duration::from_millis(ticks * 10)
}

/// A `/proc/<pid>/status` field, in KiB.
fn proc_status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc");
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("the field")
}

#[test]
#[ignore = "load: run by hand with --release, see BENCHMARKS.md"]
fn a_thousand_concurrent_streams_through_one_gateway() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let emulator = runtime
        .block_on(Emulator::start(0))
        .expect("the emulator starts");
    let dir = TempDir::new("gateway-load");
    let config = dir.path().join("config.json");
    std::fs::write(&config, r#"{"gateway": {"maxConcurrent": 2000}}"#).expect("config");
    let serve = Serve::start(
        dir.path(),
        &config,
        Some(&emulator.endpoint()),
        Aws::DemoKeys,
        &[],
    );
    let address = serve.url.trim_start_matches("http://").to_owned();
    let started_kib = proc_status_kib(serve.pid(), "VmRSS:");

    // 1. Time to first byte, one stream at a time.
    let client = common::emulator_client(&emulator.endpoint());
    let (direct, gateway) = runtime.block_on(async {
        let mut direct = Vec::new();
        let mut gateway = Vec::new();
        for n in 0..SEQUENTIAL {
            let prompt = format!("latency probe {n}");
            let request = ConverseRequest::new().message(Message::user(prompt.as_str()));
            let started = Instant::now();
            let mut stream = client
                .converse_stream(MODEL, &request)
                .await
                .expect("a stream");
            stream.next_event().await.expect("an event").expect("valid");
            direct.push(started.elapsed());
            while stream.next_event().await.is_some() {}
            let (first, response) = through_gateway(&address, &prompt).await;
            gateway.push(first);
            assert_eq!(streamed_text(&response).0, format!("You said: {prompt}"));
        }
        (direct, gateway)
    });
    let (direct_p50, direct_p90) = percentiles(direct);
    let (gateway_p50, gateway_p90) = percentiles(gateway);

    // 2. A thousand at once.
    for _ in 0..CONCURRENT {
        emulator.script(Reply::Drip {
            delay: Duration::from_millis(100),
        });
    }
    let cpu_before = cpu_time(serve.pid());
    let started = Instant::now();
    let results = runtime.block_on(async {
        let tasks: Vec<_> = (0..CONCURRENT)
            .map(|n| {
                let address = address.clone();
                tokio::spawn(async move {
                    let prompt = format!("load request {n}");
                    let (first, response) = through_gateway(&address, &prompt).await;
                    let (text, done) = streamed_text(&response);
                    (first, text == format!("You said: {prompt}") && done)
                })
            })
            .collect();
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.expect("a task"));
        }
        results
    });
    let wall = started.elapsed();
    let cpu = cpu_time(serve.pid()) - cpu_before;
    let correct = results.iter().filter(|(_, ok)| *ok).count();
    let (load_p50, load_p90) = percentiles(results.iter().map(|(first, _)| *first).collect());
    let peak_kib = proc_status_kib(serve.pid(), "VmHWM:");

    println!("| | value |");
    println!("| --- | ---: |");
    println!(
        "| time to first byte, straight to the emulator (p50 / p90) | {direct_p50:.2} / {direct_p90:.2} ms |"
    );
    println!(
        "| time to first byte through the gateway (p50 / p90) | {gateway_p50:.2} / {gateway_p90:.2} ms |"
    );
    println!(
        "| added latency (p50) | {:.2} ms |",
        gateway_p50 - direct_p50
    );
    println!("| {CONCURRENT} concurrent streams: correct | {correct} / {CONCURRENT} |");
    println!(
        "| {CONCURRENT} concurrent streams: wall time | {:.2} s |",
        wall.as_secs_f64()
    );
    println!(
        "| {CONCURRENT} concurrent streams: time to first byte (p50 / p90) | {load_p50:.0} / {load_p90:.0} ms |"
    );
    println!(
        "| {CONCURRENT} concurrent streams: gateway CPU time (user + sys) | {:.2} s ({:.2} ms per stream) |",
        cpu.as_secs_f64(),
        cpu.as_secs_f64() * 1e3 / CONCURRENT as f64
    );
    println!("| gateway RSS after start | {started_kib} KiB |");
    println!("| gateway peak RSS (VmHWM) | {peak_kib} KiB |");
    assert_eq!(correct, CONCURRENT, "every stream carried its own text");
}
