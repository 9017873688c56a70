use super::*;
use crate::types::parse_event;
use proptest::prelude::*;
use serde_json::{json, Value};

fn meta() -> CompletionMeta {
    CompletionMeta {
        id: "chatcmpl-x".into(),
        created: 42,
        model: "m".into(),
    }
}

fn event(kind: &str, payload: Value) -> StreamEvent<'static> {
    let bytes = payload.to_string().into_bytes();
    parse_event(kind, &bytes).expect("event").into_owned()
}

fn start() -> StreamEvent<'static> {
    event("messageStart", json!({"role": "assistant"}))
}

fn text(block: u32, text: &str) -> StreamEvent<'static> {
    event(
        "contentBlockDelta",
        json!({"contentBlockIndex": block, "delta": {"text": text}}),
    )
}

fn tool_start(block: u32, id: &str, name: &str) -> StreamEvent<'static> {
    event(
        "contentBlockStart",
        json!({"contentBlockIndex": block, "start": {"toolUse": {"toolUseId": id, "name": name}}}),
    )
}

fn tool_input(block: u32, input: &str) -> StreamEvent<'static> {
    event(
        "contentBlockDelta",
        json!({"contentBlockIndex": block, "delta": {"toolUse": {"input": input}}}),
    )
}

fn reasoning(block: u32, delta: Value) -> StreamEvent<'static> {
    event(
        "contentBlockDelta",
        json!({"contentBlockIndex": block, "delta": {"reasoningContent": delta}}),
    )
}

fn block_stop(block: u32) -> StreamEvent<'static> {
    event("contentBlockStop", json!({"contentBlockIndex": block}))
}

fn stop(reason: &str) -> StreamEvent<'static> {
    event("messageStop", json!({"stopReason": reason}))
}

fn metadata() -> StreamEvent<'static> {
    event(
        "metadata",
        json!({"usage": {"inputTokens": 3, "outputTokens": 4, "totalTokens": 7, "cacheReadInputTokens": 10},
               "metrics": {"latencyMs": 1}}),
    )
}

/// Runs `events`, then the clean end, and returns every SSE event.
fn run(include_usage: bool, events: &[StreamEvent<'static>]) -> Vec<String> {
    let mut stream = ChunkStream::new(meta(), include_usage);
    let mut out: Vec<String> = events.iter().flat_map(|e| stream.push(e)).collect();
    out.extend(stream.finish());
    out
}

/// The JSON of each `data:` event (not `[DONE]`).
fn payloads(events: &[String]) -> Vec<Value> {
    events
        .iter()
        .filter_map(|e| e.strip_prefix("data: "))
        .filter_map(|e| e.strip_suffix("\n\n"))
        .filter(|e| *e != "[DONE]")
        .map(|e| serde_json::from_str(e).expect("json"))
        .collect()
}

#[test]
fn text_stream_with_usage() {
    let out = run(
        true,
        &[
            start(),
            text(0, "Hel"),
            text(0, "lo"),
            block_stop(0),
            stop("end_turn"),
            metadata(),
        ],
    );
    let chunks = payloads(&out);
    assert_eq!(chunks.len(), 5);
    for chunk in &chunks {
        assert_eq!(chunk["id"], "chatcmpl-x");
        assert_eq!(chunk["object"], "chat.completion.chunk");
        assert_eq!(
            (chunk["created"].clone(), chunk["model"].clone()),
            (json!(42), json!("m"))
        );
    }
    assert_eq!(
        chunks[0]["choices"],
        json!([{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": null}])
    );
    assert_eq!(chunks[1]["choices"][0]["delta"], json!({"content": "Hel"}));
    assert_eq!(chunks[2]["choices"][0]["delta"], json!({"content": "lo"}));
    assert_eq!(
        chunks[3]["choices"],
        json!([{"index": 0, "delta": {}, "finish_reason": "stop"}])
    );
    assert_eq!(chunks[4]["choices"], json!([]));
    assert_eq!(
        chunks[4]["usage"],
        json!({"prompt_tokens": 13, "completion_tokens": 4, "total_tokens": 17,
               "prompt_tokens_details": {"cached_tokens": 10}})
    );
    assert_eq!(out.last().map(String::as_str), Some(DONE));
}

#[test]
fn no_usage_chunk_unless_asked() {
    let out = run(
        false,
        &[start(), text(0, "x"), stop("max_tokens"), metadata()],
    );
    let chunks = payloads(&out);
    assert_eq!(chunks.len(), 3);
    assert_eq!(chunks[2]["choices"][0]["finish_reason"], "length");
    assert!(chunks.iter().all(|c| c.get("usage").is_none()));
}

#[test]
fn tool_calls_are_numbered_in_order_of_appearance() {
    let out = run(
        false,
        &[
            start(),
            text(0, "Checking."),
            tool_start(3, "tooluse_a", "get_weather"),
            tool_input(3, "{\"city\":"),
            tool_start(1, "tooluse_b", "get_time"),
            tool_input(3, "\"Paris\"}"),
            tool_input(1, "{}"),
            stop("tool_use"),
        ],
    );
    let chunks = payloads(&out);
    let calls: Vec<&Value> = chunks
        .iter()
        .filter_map(|c| c["choices"][0]["delta"].get("tool_calls"))
        .collect();
    assert_eq!(
        calls,
        [
            &json!([{"index": 0, "id": "tooluse_a", "type": "function", "function": {"name": "get_weather", "arguments": ""}}]),
            &json!([{"index": 0, "function": {"arguments": "{\"city\":"}}]),
            &json!([{"index": 1, "id": "tooluse_b", "type": "function", "function": {"name": "get_time", "arguments": ""}}]),
            &json!([{"index": 0, "function": {"arguments": "\"Paris\"}"}}]),
            &json!([{"index": 1, "function": {"arguments": "{}"}}]),
        ]
    );
    assert_eq!(
        chunks.last().expect("final")["choices"][0]["finish_reason"],
        "tool_calls"
    );
}

#[test]
fn reasoning_goes_to_reasoning_content_and_signed_details_to_the_final_chunk() {
    let mut stream = ChunkStream::new(meta(), false);
    let events = [
        start(),
        reasoning(0, json!({"text": "Let me "})),
        reasoning(0, json!({"text": "think."})),
        reasoning(0, json!({"signature": "sig-"})),
        reasoning(0, json!({"signature": "abc"})),
        block_stop(0),
        reasoning(1, json!({"redactedContent": "AAEC"})),
        block_stop(1),
        text(2, "Answer"),
        tool_start(3, "t1", "f"),
        stop("tool_use"),
    ];
    let out: Vec<String> = events.iter().flat_map(|e| stream.push(e)).collect();
    let chunks = payloads(&out);
    assert_eq!(
        chunks[1]["choices"][0]["delta"],
        json!({"reasoning_content": "Let me "})
    );
    assert_eq!(
        chunks[2]["choices"][0]["delta"],
        json!({"reasoning_content": "think."})
    );
    assert!(chunks.iter().all(|c| !c["choices"][0]["delta"]["content"]
        .as_str()
        .unwrap_or("")
        .contains("think")));
    let last = chunks.last().expect("final");
    assert_eq!(
        last["choices"][0],
        json!({"index": 0, "finish_reason": "tool_calls", "delta": {"reasoning_details": [
            {"type": "reasoning.text", "text": "Let me think.", "signature": "sig-abc"},
            {"type": "reasoning.encrypted", "data": "AAEC"}
        ]}})
    );
    assert_eq!(stream.tool_call_ids(), ["t1"]);
    assert_eq!(stream.reasoning_details().len(), 2);
    // Unsigned reasoning is streamed but not in the details.
    let out = run(
        false,
        &[
            start(),
            reasoning(0, json!({"text": "plain"})),
            stop("end_turn"),
        ],
    );
    assert!(!out.iter().any(|e| e.contains("reasoning_details")));
}

#[test]
fn a_cut_stream_ends_with_an_error_and_no_finish_reason() {
    let out = run(false, &[start(), text(0, "partial")]);
    assert_eq!(out.len(), 3);
    assert!(!out.iter().any(|e| e.contains("finish_reason\":\"")));
    let error: Value = serde_json::from_str(
        out[2]
            .strip_prefix("data: ")
            .and_then(|e| e.strip_suffix("\n\n"))
            .expect("event"),
    )
    .expect("json");
    assert_eq!(error["error"]["code"], "stream_incomplete");
    assert!(!out.iter().any(|e| e == DONE));
}

#[test]
fn a_reported_failure_ends_the_stream_once() {
    let mut stream = ChunkStream::new(meta(), true);
    stream.push(&start());
    assert_eq!(stream.keepalive(), Some(KEEPALIVE));
    let error = GatewayError::new(503, "bedrock_unreachable", "connection reset");
    let out = stream.fail(&error);
    assert_eq!(out, [error.to_sse_event()]);
    assert!(stream.is_ended());
    assert!(stream.fail(&error).is_empty());
    assert!(stream.finish().is_empty());
    assert!(stream.push(&text(0, "late")).is_empty());
    assert_eq!(stream.keepalive(), None);
    assert_eq!(stream.finish_reason(), None);
}

#[test]
fn usage_is_sent_at_the_end_when_metadata_came_early() {
    let out = run(true, &[start(), metadata(), text(0, "x"), stop("end_turn")]);
    let chunks = payloads(&out);
    assert_eq!(chunks.last().expect("usage")["usage"]["total_tokens"], 17);
    assert_eq!(out.last().map(String::as_str), Some(DONE));
    // Stopped without metadata: no invented usage.
    let out = run(true, &[start(), stop("end_turn")]);
    assert!(!out.iter().any(|e| e.contains("usage")));
}

/// A random ConverseStream event.
fn any_event() -> impl Strategy<Value = StreamEvent<'static>> {
    prop_oneof![
        Just(start()),
        (0u32..6, "[a-z ]{0,5}").prop_map(|(b, t)| text(b, &t)),
        (0u32..6, "[a-z0-9]{1,6}").prop_map(|(b, id)| tool_start(b, &id, "f")),
        (0u32..6, "[{}a-z:]{0,5}").prop_map(|(b, i)| tool_input(b, &i)),
        (0u32..6).prop_map(|b| reasoning(b, json!({"text": "r"}))),
        (0u32..6).prop_map(|b| reasoning(b, json!({"signature": "s"}))),
        (0u32..6).prop_map(block_stop),
        Just(stop("end_turn")),
        Just(stop("tool_use")),
        Just(metadata()),
        Just(event("somethingNew", json!({}))),
    ]
}

proptest! {
    /// Tool calls are numbered 0..n in order of appearance, whatever the block
    /// indexes; `choices[].index` is always 0; the role comes first; and no
    /// `finish_reason` ever appears without a `messageStop`.
    #[test]
    fn contract_holds_for_any_event_sequence(events in proptest::collection::vec(any_event(), 0..40), cut in any::<bool>()) {
        let mut stream = ChunkStream::new(meta(), true);
        let mut out: Vec<String> = events.iter().flat_map(|e| stream.push(e)).collect();
        if cut {
            out.extend(stream.fail(&GatewayError::new(503, "cut", "network")));
        } else {
            out.extend(stream.finish());
        }
        let stopped = events.iter().any(|e| matches!(e, StreamEvent::MessageStop(_)));
        let chunks = payloads(&out);
        let mut next_new = 0u64;
        let mut finishes = 0;
        for (n, chunk) in chunks.iter().enumerate() {
            if chunk.get("error").is_some() {
                prop_assert_eq!(n, chunks.len() - 1, "the error event is last");
                continue;
            }
            if let Some(choices) = chunk["choices"].as_array() {
                for choice in choices {
                    prop_assert_eq!(&choice["index"], &json!(0));
                    if n == 0 {
                        prop_assert_eq!(&choice["delta"]["role"], &json!("assistant"));
                    }
                    if !choice["finish_reason"].is_null() {
                        finishes += 1;
                    }
                    for call in choice["delta"]["tool_calls"].as_array().into_iter().flatten() {
                        let index = call["index"].as_u64().expect("index");
                        if call.get("id").is_some() {
                            prop_assert_eq!(index, next_new, "a new call takes the next number");
                            next_new += 1;
                        } else {
                            prop_assert!(index < next_new, "a piece belongs to a started call");
                        }
                    }
                }
            }
        }
        prop_assert!(finishes <= 1);
        if finishes == 1 {
            prop_assert!(stopped, "finish_reason only after messageStop");
        }
        prop_assert_eq!(out.iter().any(|e| e == DONE), stopped && !cut);
        prop_assert!(stream.is_ended());
    }
}

/// A text reply streams as the role, the text, the finish reason and `[DONE]`.
#[test]
fn a_text_reply_streams_as_role_text_finish_and_done() -> Result<(), crate::types::EventParseError>
{
    use crate::gateway::chunks::ChunkStream;
    use crate::gateway::from_bedrock::CompletionMeta;
    use crate::types::parse_event;
    let meta = CompletionMeta {
        id: "chatcmpl-1".into(),
        created: 0,
        model: "m".into(),
    };
    let mut stream = ChunkStream::new(meta, false);
    let mut out = Vec::new();
    for (kind, payload) in [
        ("messageStart", r#"{"role":"assistant"}"#),
        (
            "contentBlockDelta",
            r#"{"contentBlockIndex":0,"delta":{"text":"Hi"}}"#,
        ),
        ("messageStop", r#"{"stopReason":"end_turn"}"#),
    ] {
        out.extend(stream.push(&parse_event(kind, payload.as_bytes())?));
    }
    out.extend(stream.finish());
    assert_eq!(out.len(), 4);
    assert!(out[1].contains(r#""delta":{"content":"Hi"}"#));
    assert!(out[2].contains(r#""finish_reason":"stop""#));
    assert_eq!(out[3], "data: [DONE]\n\n");
    Ok(())
}
