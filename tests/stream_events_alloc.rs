//! A ConverseStream text delta goes from the network chunk to the caller's
//! `&str` without a heap allocation: frames decoded in place, payloads parsed
//! with `parse_event`, counted with dhat's heap profiler as the global allocator.

use std::borrow::Cow;

use bedrock_lite::eventstream::Decoder;
use bedrock_lite::types::{parse_event, ContentBlockDelta, StreamEvent};
use bytes::Bytes;

mod common;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// `count` text-delta frames as Bedrock sends them, with `p` padding.
fn stream(count: usize) -> Bytes {
    common::frames::delta_frames(count, |i| {
        format!(
            r#"{{"contentBlockIndex":0,"delta":{{"text":"token {i} "}},"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01"}}"#
        )
    })
}

#[test]
fn text_deltas_reach_the_caller_without_allocating() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let chunk = stream(500);
    let _shared = chunk.clone(); // shared storage, as a network chunk is
    let mut decoder = Decoder::new();

    let before = dhat::HeapStats::get().total_blocks;
    decoder.push(chunk);
    let mut deltas = 0;
    let mut text_bytes = 0;
    while let Some(message) = decoder.next_message().expect("valid frames") {
        let event_type = message.str_header(":event-type").expect("an event type");
        match parse_event(event_type, message.payload()).expect("a valid payload") {
            StreamEvent::ContentBlockDelta(event) => match event.delta {
                ContentBlockDelta::Text(Cow::Borrowed(text)) => {
                    deltas += 1;
                    text_bytes += text.len();
                }
                other => panic!("not a borrowed text delta: {other:?}"),
            },
            other => panic!("not a delta: {other:?}"),
        }
    }
    let blocks = dhat::HeapStats::get().total_blocks - before;

    assert_eq!(deltas, 500);
    assert!(text_bytes > 0);
    assert_eq!(blocks, 0, "{blocks} allocations for {deltas} text deltas");
}
