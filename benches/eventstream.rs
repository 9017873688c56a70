//! Event-stream decoding, ours against `aws-smithy-eventstream`, on the same
//! 10,000 ConverseStream-shaped frames (`contentBlockDelta`, three string headers,
//! a JSON payload with Bedrock's `p` padding), fed whole and in 1 KiB chunks;
//! plus crc32fast over the same bytes, the physical floor (every byte must be
//! CRC'd once).
//!
//! Run: `cargo bench --bench eventstream`

use aws_smithy_eventstream::frame::{DecodedFrame, MessageFrameDecoder};
use bedrock_lite::eventstream::Decoder;
use bytes::{Buf, Bytes, BytesMut};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

#[path = "../tests/common/mod.rs"]
mod common;

const FRAMES: usize = 10_000;

fn converse_stream_body() -> Bytes {
    common::frames::delta_frames(FRAMES, common::frames::padded_delta)
}

/// Each frame of `body` (read from the total-length fields).
fn frame_slices(body: &Bytes) -> Vec<Bytes> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < body.len() {
        let len = u32::from_be_bytes(body[at..at + 4].try_into().unwrap()) as usize;
        out.push(body.slice(at..at + len - 4));
        at += len;
    }
    out
}

fn chunks(body: &Bytes, size: usize) -> Vec<Bytes> {
    (0..body.len())
        .step_by(size)
        .map(|start| body.slice(start..(start + size).min(body.len())))
        .collect()
}

/// Ours: push each chunk, pull every complete message, touch its event type and payload.
fn ours(chunks: &[Bytes]) -> usize {
    let mut decoder = Decoder::new();
    let mut seen = 0;
    for chunk in chunks {
        decoder.push(chunk.clone());
        while let Some(message) = decoder.next_message().unwrap() {
            seen += message.str_header(":event-type").map_or(0, str::len) + message.payload().len();
        }
    }
    seen
}

/// Ours, lending each message until the next call (no reference count).
fn ours_borrowed(chunks: &[Bytes]) -> usize {
    let mut decoder = Decoder::new();
    let mut seen = 0;
    for chunk in chunks {
        decoder.push(chunk.clone());
        while let Some(message) = decoder.next_message_ref().unwrap() {
            seen += message.str_header(":event-type").map_or(0, str::len) + message.payload().len();
        }
    }
    seen
}

/// The SDK's streaming decoder, fed the way its own HTTP body reader feeds it:
/// a buffer that chunks are appended to.
fn sdk(chunks: &[Bytes]) -> usize {
    let mut decoder = MessageFrameDecoder::new();
    let mut buffer = BytesMut::new();
    let mut seen = 0;
    for chunk in chunks {
        buffer.extend_from_slice(chunk);
        while let DecodedFrame::Complete(message) = decoder.decode_frame(&mut buffer).unwrap() {
            let event_type = message
                .headers()
                .iter()
                .find(|h| h.name().as_str() == ":event-type")
                .and_then(|h| h.value().as_string().ok().map(|s| s.as_str().len()));
            seen += event_type.unwrap_or(0) + message.payload().len();
        }
    }
    assert_eq!(buffer.remaining(), 0);
    seen
}

fn bench(c: &mut Criterion) {
    let body = converse_stream_body();
    let whole = std::slice::from_ref(&body);
    assert_eq!(ours(whole), sdk(whole));
    assert_eq!(ours_borrowed(whole), sdk(whole));
    let mut group = c.benchmark_group("eventstream_decode_10k_frames");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.sample_size(30);
    for (label, pieces) in [
        ("whole", vec![body.clone()]),
        ("1KiB_chunks", chunks(&body, 1024)),
    ] {
        group.bench_function(format!("bedrock_lite/{label}"), |b| {
            b.iter(|| ours(black_box(&pieces)))
        });
        group.bench_function(format!("bedrock_lite_borrowed/{label}"), |b| {
            b.iter(|| ours_borrowed(black_box(&pieces)))
        });
        group.bench_function(format!("aws_smithy_eventstream/{label}"), |b| {
            b.iter(|| sdk(black_box(&pieces)))
        });
    }
    group.bench_function("floor_crc32fast_whole_body", |b| {
        b.iter(|| crc32fast::hash(black_box(&body)))
    });
    // Each frame carries its own CRC, so the per-frame floor is one CRC per frame.
    let frames = frame_slices(&body);
    group.bench_function("floor_crc32fast_per_frame", |b| {
        b.iter(|| {
            black_box(&frames)
                .iter()
                .fold(0u32, |acc, f| acc ^ crc32fast::hash(f))
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
