//! Property tests for the event-stream codec: our encode → decode round trip
//! under arbitrary chunking, and a differential check against the official
//! `aws-smithy-eventstream` crate (same bytes from both encoders, same messages
//! from both decoders, mutated frames refused by both).

use std::collections::BTreeMap;

use aws_smithy_eventstream::frame::{read_message_from, write_message_to};
use aws_smithy_types::event_stream::{
    Header as SdkHeader, HeaderValue as SdkValue, Message as SdkMessage,
};
use aws_smithy_types::DateTime;
use bedrock_lite::eventstream::{
    decode_all, encode_frame, DecodeError, Decoder, Header, HeaderValue, Message,
};
use bytes::{Bytes, BytesMut};
use proptest::prelude::*;

fn header_value() -> impl Strategy<Value = HeaderValue> {
    prop_oneof![
        any::<bool>().prop_map(HeaderValue::Bool),
        any::<i8>().prop_map(HeaderValue::Byte),
        any::<i16>().prop_map(HeaderValue::Short),
        any::<i32>().prop_map(HeaderValue::Int),
        any::<i64>().prop_map(HeaderValue::Long),
        prop::collection::vec(any::<u8>(), 0..64).prop_map(|b| HeaderValue::ByteArray(b.into())),
        ".{0,40}".prop_map(|s| HeaderValue::String(s.into())),
        // Timestamps the SDK's DateTime can hold in milliseconds.
        (-(1i64 << 50)..(1i64 << 50)).prop_map(HeaderValue::Timestamp),
        any::<[u8; 16]>().prop_map(HeaderValue::Uuid),
    ]
}

/// Headers with unique names (1 to 30 bytes, any UTF-8), and a payload.
fn message_parts() -> impl Strategy<Value = (Vec<Header>, Vec<u8>)> {
    (
        prop::collection::btree_map("[:a-zA-Z0-9_\\-é😀]{1,30}", header_value(), 0..8),
        prop::collection::vec(any::<u8>(), 0..300),
    )
        .prop_map(
            |(headers, payload): (BTreeMap<String, HeaderValue>, Vec<u8>)| {
                let headers = headers
                    .into_iter()
                    .filter(|(name, _)| name.len() <= 255)
                    .map(|(name, value)| Header::new(name, value))
                    .collect();
                (headers, payload)
            },
        )
}

fn encode(parts: &[(Vec<Header>, Vec<u8>)]) -> Bytes {
    let mut out = BytesMut::new();
    for (headers, payload) in parts {
        encode_frame(headers, payload, &mut out).expect("encodable message");
    }
    out.freeze()
}

/// Splits `stream` at the given cut points (taken modulo its length).
fn split(stream: &Bytes, cuts: &[usize]) -> Vec<Bytes> {
    let mut points: Vec<usize> = cuts
        .iter()
        .map(|c| {
            if stream.is_empty() {
                0
            } else {
                c % stream.len()
            }
        })
        .collect();
    points.push(0);
    points.push(stream.len());
    points.sort_unstable();
    points.dedup();
    points
        .windows(2)
        .map(|w| stream.slice(w[0]..w[1]))
        .collect()
}

fn decode_chunks(chunks: &[Bytes]) -> Result<Vec<Message>, DecodeError> {
    let mut decoder = Decoder::new();
    let mut out = Vec::new();
    for chunk in chunks {
        decoder.push(chunk.clone());
        while let Some(message) = decoder.next_message()? {
            out.push(message);
        }
    }
    decoder.finish()?;
    Ok(out)
}

/// What a decoder yields for `chunks`: each message's frame, pulled with the
/// owned or the lending API, then the error or truncation that ended it, if any.
fn frames_and_end(chunks: &[Bytes], lend: bool) -> (Vec<Vec<u8>>, Option<String>) {
    let mut decoder = Decoder::new();
    let mut frames = Vec::new();
    for chunk in chunks {
        decoder.push(chunk.clone());
        loop {
            let next = if lend {
                decoder
                    .next_message_ref()
                    .map(|m| m.map(|m| (m.frame().to_vec(), m.payload().to_vec())))
            } else {
                decoder
                    .next_message()
                    .map(|m| m.map(|m| (m.frame().to_vec(), m.payload().to_vec())))
            };
            match next {
                Ok(Some((frame, payload))) => {
                    assert!(frame.len() >= 16 + payload.len());
                    frames.push(frame);
                }
                Ok(None) => break,
                Err(e) => return (frames, Some(e.to_string())),
            }
        }
    }
    (frames, decoder.finish().err().map(|e| e.to_string()))
}

fn same_as(message: &Message, headers: &[Header], payload: &[u8]) -> bool {
    message.headers().collect::<Vec<_>>() == headers && message.payload() == payload
}

fn to_sdk(headers: &[Header], payload: &[u8]) -> SdkMessage {
    let headers = headers
        .iter()
        .map(|h| {
            let value = match &h.value {
                HeaderValue::Bool(v) => SdkValue::Bool(*v),
                HeaderValue::Byte(v) => SdkValue::Byte(*v),
                HeaderValue::Short(v) => SdkValue::Int16(*v),
                HeaderValue::Int(v) => SdkValue::Int32(*v),
                HeaderValue::Long(v) => SdkValue::Int64(*v),
                HeaderValue::ByteArray(b) => SdkValue::ByteArray(b.clone()),
                HeaderValue::String(s) => SdkValue::String(s.as_str().to_owned().into()),
                HeaderValue::Timestamp(ms) => SdkValue::Timestamp(DateTime::from_millis(*ms)),
                HeaderValue::Uuid(u) => SdkValue::Uuid(u128::from_be_bytes(*u)),
            };
            SdkHeader::new(h.name.as_str().to_owned(), value)
        })
        .collect();
    SdkMessage::new_from_parts(headers, Bytes::copy_from_slice(payload))
}

fn from_sdk(message: &SdkMessage) -> (Vec<Header>, Vec<u8>) {
    let headers = message
        .headers()
        .iter()
        .map(|h| {
            let value = match h.value() {
                SdkValue::Bool(v) => HeaderValue::Bool(*v),
                SdkValue::Byte(v) => HeaderValue::Byte(*v),
                SdkValue::Int16(v) => HeaderValue::Short(*v),
                SdkValue::Int32(v) => HeaderValue::Int(*v),
                SdkValue::Int64(v) => HeaderValue::Long(*v),
                SdkValue::ByteArray(b) => HeaderValue::ByteArray(b.clone()),
                SdkValue::String(s) => HeaderValue::String(s.as_str().to_owned().into()),
                SdkValue::Timestamp(t) => HeaderValue::Timestamp(t.to_millis().unwrap()),
                SdkValue::Uuid(u) => HeaderValue::Uuid(u.to_be_bytes()),
                other => panic!("unknown SDK header value {other:?}"),
            };
            Header::new(h.name().as_str().to_owned(), value)
        })
        .collect();
    (headers, message.payload().to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever we encode decodes to the same messages however the bytes are chunked.
    #[test]
    fn round_trip_under_any_chunking(
        parts in prop::collection::vec(message_parts(), 1..5),
        cuts in prop::collection::vec(any::<usize>(), 0..12),
    ) {
        let stream = encode(&parts);
        let messages = decode_chunks(&split(&stream, &cuts)).expect("valid stream");
        prop_assert_eq!(messages.len(), parts.len());
        for (message, (headers, payload)) in messages.iter().zip(&parts) {
            prop_assert!(same_as(message, headers, payload), "{:?}", message);
            // Re-encoding a decoded message gives the same frame back.
            let mut again = BytesMut::new();
            encode_frame(&message.headers().collect::<Vec<_>>(), message.payload(), &mut again).unwrap();
            prop_assert_eq!(&again[..], &message.to_frame()[..]);
        }
        let joined: Vec<u8> = messages.iter().flat_map(|m| m.to_frame().to_vec()).collect();
        prop_assert_eq!(&joined[..], &stream[..]);
    }

    /// Lending and owning pull the same frames and end with the same error,
    /// for valid and corrupted streams under any chunking; a lent message
    /// copied with `to_message` equals the owned one.
    #[test]
    fn lent_and_owned_messages_agree(
        parts in prop::collection::vec(message_parts(), 1..5),
        cuts in prop::collection::vec(any::<usize>(), 0..12),
        flip in prop::option::of((any::<usize>(), 1u8..=255)),
    ) {
        let mut stream = encode(&parts).to_vec();
        if let Some((at, bits)) = flip {
            let at = at % stream.len();
            stream[at] ^= bits;
        }
        let stream = Bytes::from(stream);
        let chunks = split(&stream, &cuts);
        let owned = frames_and_end(&chunks, false);
        let lent = frames_and_end(&chunks, true);
        prop_assert_eq!(&owned, &lent);
        if flip.is_none() {
            prop_assert_eq!(owned.0.len(), parts.len());
            prop_assert_eq!(owned.1, None);
        }
        let mut decoder = Decoder::new();
        decoder.push(stream);
        if let Ok(Some(lent)) = decoder.next_message_ref() {
            let copy = lent.to_message();
            prop_assert_eq!(copy.payload(), lent.payload());
            prop_assert_eq!(copy.header_block(), lent.header_block());
            let first = decode_all(Bytes::copy_from_slice(lent.frame()));
            prop_assert_eq!(first.ok().map(|m| m[0].clone()), Some(copy));
        }
    }

    /// One byte at a time.
    #[test]
    fn round_trip_byte_by_byte(parts in prop::collection::vec(message_parts(), 1..3)) {
        let stream = encode(&parts);
        let chunks: Vec<Bytes> = (0..stream.len()).map(|i| stream.slice(i..i + 1)).collect();
        let messages = decode_chunks(&chunks).expect("valid stream");
        prop_assert_eq!(messages.len(), parts.len());
        for (message, (headers, payload)) in messages.iter().zip(&parts) {
            prop_assert!(same_as(message, headers, payload));
        }
    }

    /// The official encoder and ours write the same bytes; each decoder reads the
    /// other's output to the same message.
    #[test]
    fn same_bytes_and_messages_as_the_sdk((headers, payload) in message_parts()) {
        let ours = encode(&[(headers.clone(), payload.clone())]);
        let mut theirs = Vec::new();
        write_message_to(&to_sdk(&headers, &payload), &mut theirs).unwrap();
        prop_assert_eq!(&ours[..], &theirs[..]);

        let sdk_read = read_message_from(&mut &ours[..]).expect("SDK reads our frame");
        prop_assert_eq!(from_sdk(&sdk_read), (headers.clone(), payload.clone()));
        let ours_read = decode_all(Bytes::from(theirs)).expect("we read the SDK's frame");
        prop_assert_eq!(ours_read.len(), 1);
        prop_assert!(same_as(&ours_read[0], &headers, &payload));
    }

    /// Any single corrupted byte, or any truncation, is refused by both decoders.
    #[test]
    fn mutated_frames_refused_by_both(
        (headers, payload) in message_parts(),
        position in any::<usize>(),
        flip in 1u8..=255,
        cut in any::<usize>(),
    ) {
        let frame = encode(&[(headers, payload)]).to_vec();
        let mut corrupted = frame.clone();
        let at = position % corrupted.len();
        corrupted[at] ^= flip;
        prop_assert!(decode_all(Bytes::from(corrupted.clone())).is_err(), "we accepted a flip at {}", at);
        prop_assert!(read_message_from(&mut &corrupted[..]).is_err(), "SDK accepted a flip at {}", at);

        // Anything from 1 byte to all but the last one.
        let truncated = &frame[..1 + cut % (frame.len() - 1)];
        let result = decode_all(Bytes::copy_from_slice(truncated));
        let is_truncated = matches!(result, Err(DecodeError::Truncated { .. }));
        prop_assert!(is_truncated, "truncation not reported as such: {:?}", result);
        prop_assert!(read_message_from(&mut &truncated[..]).is_err());
    }

    /// A corrupted header block with both CRCs recomputed (so only the header
    /// checks can catch it): whatever the SDK accepts we accept identically,
    /// except where the spec lets us be stricter (repeated or empty names).
    #[test]
    fn corrupted_headers_agree_with_the_sdk(
        (headers, payload) in message_parts(),
        edits in prop::collection::vec((any::<usize>(), any::<u8>()), 1..4),
    ) {
        let mut frame = encode(&[(headers, payload)]).to_vec();
        let headers_len = u32::from_be_bytes(frame[4..8].try_into().unwrap()) as usize;
        prop_assume!(headers_len > 0);
        for (at, byte) in edits {
            frame[12 + at % headers_len] = byte;
        }
        let prelude_crc = crc32fast::hash(&frame[..8]);
        frame[8..12].copy_from_slice(&prelude_crc.to_be_bytes());
        let end = frame.len() - 4;
        let message_crc = crc32fast::hash(&frame[..end]);
        frame[end..].copy_from_slice(&message_crc.to_be_bytes());

        let ours = decode_all(Bytes::from(frame.clone()));
        let theirs = read_message_from(&mut &frame[..]);
        match (ours, theirs) {
            (Ok(ours), Ok(theirs)) => {
                let (headers, payload) = from_sdk(&theirs);
                prop_assert!(same_as(&ours[0], &headers, &payload));
            }
            (Ok(ours), Err(e)) => prop_assert!(false, "we accepted {:?}, the SDK refused: {}", ours, e),
            (Err(e), Ok(_)) => prop_assert!(
                matches!(e, DecodeError::DuplicateHeader { .. } | DecodeError::EmptyHeaderName { .. }),
                "we refused what the SDK accepted: {}", e
            ),
            (Err(_), Err(_)) => {}
        }
    }
}

#[test]
fn a_spanning_frame_is_copied_once_and_a_contained_one_not_at_all() {
    let stream = encode(&[
        (
            vec![Header::new("a", HeaderValue::Int(1))],
            b"first".to_vec(),
        ),
        (vec![], b"second".to_vec()),
    ]);
    let first_len = 12 + 7 + 5 + 4 + 4;
    // One chunk holding the first frame whole and the start of the second.
    let chunk = stream.slice(..first_len + 3);
    let mut decoder = Decoder::new();
    decoder.push(chunk.clone());
    let first = decoder.next_message().unwrap().unwrap();
    // The payload is a view into the pushed chunk itself: no copy.
    let chunk_range = chunk.as_ptr() as usize..chunk.as_ptr() as usize + chunk.len();
    assert!(chunk_range.contains(&(first.payload().as_ptr() as usize)));
    assert!(decoder.next_message().unwrap().is_none());
    decoder.push(stream.slice(first_len + 3..));
    let second = decoder.next_message().unwrap().unwrap();
    assert_eq!(second.payload(), b"second");
    decoder.finish().unwrap();
}
