//! Decoding frames that lie inside one chunk allocates nothing per frame, and
//! lending them allocates nothing per frame even across chunks: counted with
//! dhat's heap profiler as the global allocator.

mod common;

use bedrock_lite::eventstream::Decoder;
use bytes::Bytes;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// `count` ConverseStream-shaped frames back to back.
fn stream(count: usize) -> Bytes {
    common::frames::delta_frames(count, |i| {
        format!(
            r#"{{"contentBlockIndex":0,"delta":{{"text":"token {i} "}},"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01"}}"#
        )
    })
}

/// Decodes every frame of `chunk` and reads each one's headers and payload,
/// returning (frames, heap blocks allocated meanwhile).
fn count_allocations(decoder: &mut Decoder, chunk: Bytes) -> (usize, u64) {
    let before = dhat::HeapStats::get().total_blocks;
    decoder.push(chunk);
    let mut frames = 0;
    let mut checksum = 0usize;
    while let Some(message) = decoder.next_message().unwrap() {
        frames += 1;
        checksum += message.str_header(":event-type").map_or(0, str::len);
        for header in message.headers() {
            checksum += header.name.as_str().len();
        }
        checksum += message.payload().len();
    }
    assert!(checksum > 0);
    (frames, dhat::HeapStats::get().total_blocks - before)
}

#[test]
fn zero_allocations_per_frame_inside_one_chunk() {
    let _profiler = dhat::Profiler::builder().testing().build();

    // A chunk whose storage is already shared (as a network chunk is): zero, flat.
    let chunk = stream(1000);
    let _shared = chunk.clone();
    let mut decoder = Decoder::new();
    let (frames, blocks) = count_allocations(&mut decoder, chunk);
    assert_eq!(frames, 1000);
    assert_eq!(blocks, 0, "{blocks} allocations for {frames} frames");

    // A chunk freshly made from a Vec: `bytes` allocates once to share it, then
    // nothing per frame, so 10 frames and 1000 frames cost the same.
    let mut decoder = Decoder::new();
    let (_, few) = count_allocations(&mut decoder, Bytes::from(stream(10).to_vec()));
    let mut decoder = Decoder::new();
    let (_, many) = count_allocations(&mut decoder, Bytes::from(stream(1000).to_vec()));
    assert!(
        few <= 1 && many == few,
        "10 frames: {few} allocations, 1000 frames: {many}"
    );

    lending_allocates_nothing_per_frame_even_across_chunks();
}

/// Lending ([`Decoder::next_message_ref`]) allocates nothing per frame or per
/// chunk, even for frames that span chunks (called from the one test: dhat
/// allows one profiler at a time).
fn lending_allocates_nothing_per_frame_even_across_chunks() {
    let stream = stream(1000);
    let chunks: Vec<Bytes> = (0..stream.len())
        .step_by(1024)
        .map(|start| stream.slice(start..(start + 1024).min(stream.len())))
        .collect();
    let before = dhat::HeapStats::get().total_blocks;
    let mut decoder = Decoder::new();
    let (mut frames, mut checksum) = (0, 0);
    for chunk in &chunks {
        decoder.push(chunk.clone());
        while let Some(message) = decoder.next_message_ref().unwrap() {
            frames += 1;
            checksum += message.str_header(":event-type").map_or(0, str::len);
            checksum += message.payload().len();
        }
    }
    decoder.finish().unwrap();
    let blocks = dhat::HeapStats::get().total_blocks - before;
    assert_eq!(frames, 1000);
    assert!(checksum > 0);
    // The decoder's chunk queue and its spill buffer for frames that span
    // chunks, each allocated once: nothing per frame or per chunk.
    assert!(
        blocks <= 2,
        "{blocks} allocations for {frames} frames in {} chunks",
        chunks.len()
    );
}
