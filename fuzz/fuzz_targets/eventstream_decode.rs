//! Arbitrary bytes under arbitrary chunking: the decoder never panics, never
//! buffers more than the stream it was given, and anything it decodes
//! re-encodes to exactly the bytes it came from, whether messages are pulled
//! owned (`next_message`), lent (`next_message_ref`) or alternately.
#![no_main]

use bedrock_lite::eventstream::{encode_frame, Decoder};
use bytes::{Bytes, BytesMut};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the chunk size (1..=256) and the way messages are
    // pulled; the rest is the stream.
    let Some((&size, stream)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(size) + 1;
    let stream = Bytes::copy_from_slice(stream);
    let mut decoder = Decoder::new();
    let mut consumed = 0;
    let mut pulled = 0usize;
    for start in (0..stream.len()).step_by(chunk) {
        decoder.push(stream.slice(start..(start + chunk).min(stream.len())));
        loop {
            let lend = match size % 3 {
                0 => false,
                1 => true,
                _ => pulled % 2 == 1,
            };
            pulled += 1;
            let next = if lend {
                decoder
                    .next_message_ref()
                    .map(|m| m.map(|m| m.to_message()))
            } else {
                decoder.next_message()
            };
            match next {
                Ok(Some(message)) => {
                    let frame = message.to_frame();
                    assert_eq!(&frame[..], &stream[consumed..consumed + frame.len()]);
                    let headers: Vec<_> = message.headers().collect();
                    let mut again = BytesMut::new();
                    encode_frame(&headers, message.payload(), &mut again)
                        .expect("a decoded message re-encodes");
                    assert_eq!(&again[..], &frame[..]);
                    consumed += frame.len();
                }
                Ok(None) => break,
                Err(_) => return,
            }
        }
        // Memory stays bounded by what was pushed and not yet returned.
        assert!(decoder.buffered_len() <= stream.len() - consumed);
    }
    let _ = decoder.finish();
});
