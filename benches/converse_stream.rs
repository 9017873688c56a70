//! ConverseStream end to end over loopback: a tiny HTTP/1.1 server (a plain
//! thread) streams N `contentBlockDelta` frames (chunked transfer encoding, the
//! frames pre-encoded in batches of 1,000), and the library's `Client` signs the
//! request, reads the body chunk by chunk, decodes and parses every event.
//!
//! Reported per event, for N = 10,000 and 100,000:
//! * CPU time of the client thread (`/proc/thread-self/schedstat`, ns on CPU;
//!   the server thread is not counted), measured without the heap profiler;
//! * heap allocations (dhat's `total_blocks`, whole process, the server's
//!   writes included: it allocates nothing per frame), in a second pass with
//!   the profiler on;
//! * peak heap (dhat's `max_bytes` since the profiler started): flat when the
//!   stream grows tenfold.
//!
//! Run: `cargo bench --bench converse_stream`

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bedrock_lite::credentials::{Auth, Credentials};
use bedrock_lite::env::Env;
use bedrock_lite::eventstream::encode_frame;
use bedrock_lite::settings::{Settings, Timeouts};
use bedrock_lite::types::{ContentBlockDelta, ConverseRequest, Message, StreamEvent};
use bedrock_lite::Client;
use bytes::BytesMut;

#[path = "../tests/common/mod.rs"]
mod common;
use common::frames::{delta_frames, event_headers, padded_delta};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// Deltas per pre-encoded batch.
const BATCH: usize = 1_000;
const MODEL: &str = "anthropic.claude-3-haiku-20240307-v1:0";

/// `data` as one HTTP/1.1 chunk.
fn http_chunk(data: &[u8]) -> Vec<u8> {
    let mut out = format!("{:x}\r\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
    out
}

/// One HTTP chunk of `BATCH` text deltas.
fn delta_batch() -> Vec<u8> {
    http_chunk(&delta_frames(BATCH, padded_delta))
}

/// The HTTP chunk that opens the message, and the one that closes it (then the
/// last, empty chunk).
fn start_and_end() -> (Vec<u8>, Vec<u8>) {
    let mut start = BytesMut::new();
    encode_frame(
        &event_headers("messageStart"),
        br#"{"role":"assistant"}"#,
        &mut start,
    )
    .unwrap();
    let mut end = BytesMut::new();
    encode_frame(
        &event_headers("contentBlockStop"),
        br#"{"contentBlockIndex":0}"#,
        &mut end,
    )
    .unwrap();
    encode_frame(
        &event_headers("messageStop"),
        br#"{"stopReason":"end_turn"}"#,
        &mut end,
    )
    .unwrap();
    let metadata = br#"{"usage":{"inputTokens":5,"outputTokens":100000,"totalTokens":100005},"metrics":{"latencyMs":1}}"#;
    encode_frame(&event_headers("metadata"), metadata, &mut end).unwrap();
    let mut end = http_chunk(&end);
    end.extend_from_slice(b"0\r\n\r\n");
    (http_chunk(&start), end)
}

/// Serves one ConverseStream response of `deltas` deltas per connection.
fn serve(listener: TcpListener, deltas: Arc<AtomicUsize>) {
    let batch = delta_batch();
    let (start, end) = start_and_end();
    let head = b"HTTP/1.1 200 OK\r\ncontent-type: application/vnd.amazon.eventstream\r\n\
                 transfer-encoding: chunked\r\nconnection: close\r\n\r\n";
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        if read_request(&mut stream).is_err() {
            continue;
        }
        let batches = deltas.load(Ordering::SeqCst) / BATCH;
        let _ = (|| -> std::io::Result<()> {
            stream.write_all(head)?;
            stream.write_all(&start)?;
            for _ in 0..batches {
                stream.write_all(&batch)?;
            }
            stream.write_all(&end)
        })();
    }
}

/// Reads a request's head and its `content-length` body (into a stack buffer).
fn read_request(stream: &mut TcpStream) -> std::io::Result<()> {
    let mut buffer = [0u8; 16 * 1024];
    let mut filled = 0;
    loop {
        let n = stream.read(&mut buffer[filled..])?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        filled += n;
        let received = &buffer[..filled];
        if let Some(at) = received.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&received[..at]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if filled >= at + 4 + length {
                return Ok(());
            }
        }
        if filled == buffer.len() {
            return Err(std::io::ErrorKind::InvalidData.into());
        }
    }
}

/// Nanoseconds this thread has spent on a CPU.
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Streams one response; returns (events, text deltas, text bytes).
async fn stream_once(client: &Client, request: &ConverseRequest) -> (usize, usize, usize) {
    let mut stream = client.converse_stream(MODEL, request).await.unwrap();
    let (mut events, mut deltas, mut bytes) = (0, 0, 0);
    loop {
        while let Some(event) = stream.next_buffered() {
            let event = event.unwrap();
            events += 1;
            if let StreamEvent::ContentBlockDelta(delta) = event.parse().unwrap() {
                if let ContentBlockDelta::Text(text) = delta.delta {
                    deltas += 1;
                    bytes += text.len();
                }
            }
        }
        if !stream.read_more().await.unwrap() {
            break;
        }
    }
    (events, deltas, bytes)
}

fn main() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let deltas = Arc::new(AtomicUsize::new(BATCH));
    let served = Arc::clone(&deltas);
    std::thread::spawn(move || serve(listener, served));

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let settings = Settings::builder()
        .env(Env::from_vars([(
            "HOME",
            "/nonexistent/bedrock-lite-bench-home",
        )]))
        .region("us-east-1")
        .endpoint_url(format!("http://127.0.0.1:{port}"))
        .credentials(Auth::SigV4(Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        )))
        .timeouts(Timeouts {
            idle: Duration::from_secs(10),
            ..Timeouts::default()
        })
        .resolve()
        .unwrap();
    let client = Client::new(settings);
    let request = ConverseRequest {
        messages: vec![Message::user("Say hello 100,000 times.")],
        ..ConverseRequest::default()
    };
    let sizes = [10_000usize, 100_000];

    // Warm-up: connection setup, lazy statics, the signing key.
    runtime.block_on(stream_once(&client, &request));

    // Pass 1: CPU time, no profiler.
    let mut cpu = Vec::new();
    for &n in &sizes {
        deltas.store(n, Ordering::SeqCst);
        let mut best = u64::MAX;
        let mut wall = Duration::MAX;
        for _ in 0..5 {
            let started = Instant::now();
            let before = thread_cpu_ns();
            let (_, got, _) = runtime.block_on(stream_once(&client, &request));
            best = best.min(thread_cpu_ns() - before);
            wall = wall.min(started.elapsed());
            assert_eq!(got, n);
        }
        cpu.push((best, wall));
    }

    // Pass 2: allocations and peak heap, with the profiler.
    let _profiler = dhat::Profiler::builder().testing().build();
    println!("| deltas | events | CPU ns/event (client thread) | wall ms | allocations/event | peak heap | heap after |");
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (&n, &(cpu_ns, wall)) in sizes.iter().zip(&cpu) {
        deltas.store(n, Ordering::SeqCst);
        let before = dhat::HeapStats::get();
        let (events, got, _) = runtime.block_on(stream_once(&client, &request));
        let after = dhat::HeapStats::get();
        assert_eq!(got, n);
        let blocks = after.total_blocks - before.total_blocks;
        println!(
            "| {n} | {events} | {:.0} | {:.1} | {:.4} ({blocks} in all) | {} KiB | {} KiB |",
            cpu_ns as f64 / events as f64,
            wall.as_secs_f64() * 1000.0,
            blocks as f64 / events as f64,
            after.max_bytes / 1024,
            after.curr_bytes / 1024,
        );
    }
}
