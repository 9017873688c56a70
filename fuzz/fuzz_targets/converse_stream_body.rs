//! Arbitrary bytes under arbitrary chunking as a ConverseStream response body,
//! through `EventReader` and `Event::parse`: never a panic, and after an error
//! the reader yields nothing more.
#![no_main]

use bedrock_lite::bedrock::stream::EventReader;
use bytes::Bytes;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte seeds the chunk sizes (1..=256, varying chunk to chunk);
    // the rest is the body.
    let Some((&seed, body)) = data.split_first() else {
        return;
    };
    let body = Bytes::copy_from_slice(body);
    let mut reader = EventReader::new();
    let mut size = usize::from(seed) + 1;
    let mut start = 0;
    let mut failed = false;
    while start < body.len() {
        let end = (start + size).min(body.len());
        reader.push(body.slice(start..end));
        start = end;
        size = (size * 31 + 7) % 256 + 1;
        loop {
            match reader.next() {
                Ok(Some(event)) => {
                    assert!(!failed, "an event after an error");
                    let _ = event.event_type();
                    match event.parse() {
                        Ok(parsed) => {
                            let _ = format!("{parsed:?}");
                        }
                        Err(error) => assert!(!error.to_string().contains('\n')),
                    }
                }
                Ok(None) => break,
                Err(error) => {
                    assert!(!error.to_string().contains('\n'));
                    failed = true;
                    break;
                }
            }
        }
    }
    if let Err(error) = reader.finish() {
        assert!(!error.to_string().contains('\n'));
    }
});
