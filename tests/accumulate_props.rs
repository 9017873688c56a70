//! Streamed then accumulated equals what Converse returns.
//!
//! For any reply a stream can carry (text, tool calls, signed and redacted
//! reasoning, citations, tool results, images, blocks of kinds this version
//! does not know, members it does not know, several blocks), the events
//! `stream_events` makes of it, sent through their wire payloads in any
//! interleaving of the blocks, fold back into the same reply. Then the same
//! over HTTP: the emulator, scripted with the reply, answers Converse with it
//! and ConverseStream with its events, and the client's stream, folded by the
//! `Accumulator`, equals the client's Converse answer.
#![cfg(feature = "emulator")]

use bedrock_lite::bedrock::accumulator::{stream_events, Accumulator};
use bedrock_lite::emulator::{Emulator, Reply};
use bedrock_lite::Client;

mod common;
use bedrock_lite::types::{
    parse_event, Blob, CacheTtl, Citation, CitationGeneratedContent, CitationLocation,
    CitationSourceContent, CitationsContentBlock, ContentBlock, ConversationRole, ConverseMetrics,
    ConverseOutput, ConverseRequest, ConverseResponse, ConverseTrace, DocumentSpan, ErrorBlock,
    ImageBlock, ImageFormat, MediaSource, Message, PerformanceConfigLatency,
    PerformanceConfiguration, PromptRouterTrace, ReasoningContentBlock, ReasoningTextBlock,
    S3Location, ServiceTier, ServiceTierType, StopReason, StreamEvent, TokenUsage, ToolResultBlock,
    ToolResultContentBlock, ToolResultStatus, ToolUseBlock, ToolUseType, UnknownMembers,
    WebLocation,
};
use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;

const MODEL: &str = "anthropic.claude-3-haiku-20240307-v1:0";

fn text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[a-zA-Z0-9 ,.]{0,24}"]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        // Eighths: floats that every JSON reader reads back exactly.
        (-8000i32..8000).prop_map(|n| Value::from(f64::from(n) / 8.0)),
        text().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::Array),
            btree_map(text(), inner, 0..4).prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// Members no structure knows (`future...`), with any values.
fn extra() -> impl Strategy<Value = UnknownMembers> {
    prop_oneof![
        2 => Just(UnknownMembers::new()),
        1 => btree_map("future[A-Za-z]{0,6}", json_value(), 1..3)
            .prop_map(|members| members.into_iter().collect()),
    ]
}

fn citation() -> impl Strategy<Value = Citation> {
    let location = prop_oneof![
        (option::of(text()), option::of(text()), extra()).prop_map(|(url, domain, extra)| {
            CitationLocation::Web(WebLocation { url, domain, extra })
        }),
        (
            option::of(0u32..9),
            option::of(0u32..999),
            option::of(0u32..999),
            extra()
        )
            .prop_map(|(document_index, start, end, extra)| {
                CitationLocation::DocumentPage(DocumentSpan {
                    document_index,
                    start,
                    end,
                    extra,
                })
            }),
        json_value().prop_map(|value| CitationLocation::Unknown(
            serde_json::json!({"futureLocation": value})
        )),
    ];
    (
        option::of(text()),
        option::of(text()),
        vec(text().prop_map(CitationSourceContent::Text), 0..3),
        option::of(location),
        extra(),
    )
        .prop_map(
            |(title, source, source_content, location, extra)| Citation {
                title,
                source,
                source_content,
                location,
                extra,
            },
        )
}

/// A block of an assistant reply that a stream carries.
fn block() -> impl Strategy<Value = ContentBlock> {
    let tool_input = prop_oneof![
        Just(serde_json::json!({})),
        json_value(),
        btree_map("[a-z]{1,8}", json_value(), 1..4)
            .prop_map(|map| Value::Object(map.into_iter().collect())),
    ];
    let media = prop_oneof![
        vec(any::<u8>(), 0..32).prop_map(|bytes| MediaSource::Bytes(Blob(bytes))),
        (text(), extra()).prop_map(|(uri, extra)| MediaSource::S3Location(S3Location {
            uri,
            bucket_owner: None,
            extra,
        })),
    ];
    let result_item = prop_oneof![
        text().prop_map(ToolResultContentBlock::Text),
        json_value().prop_map(ToolResultContentBlock::Json),
        json_value().prop_map(|value| {
            ToolResultContentBlock::Unknown(serde_json::json!({"futureItem": value}))
        }),
    ];
    prop_oneof![
        3 => text().prop_map(ContentBlock::Text),
        2 => (text(), text(), tool_input, any::<bool>(), extra()).prop_map(
            |(tool_use_id, name, input, server, extra)| {
                ContentBlock::ToolUse(ToolUseBlock {
                    tool_use_id,
                    name,
                    input,
                    r#type: server.then_some(ToolUseType::ServerToolUse),
                    extra,
                })
            }
        ),
        2 => (text(), option::of(text())).prop_map(|(text, signature)| {
            ContentBlock::ReasoningContent(ReasoningContentBlock::ReasoningText(
                ReasoningTextBlock {
                    text,
                    signature,
                    extra: UnknownMembers::new(),
                },
            ))
        }),
        1 => vec(any::<u8>(), 0..64).prop_map(|bytes| {
            ContentBlock::ReasoningContent(ReasoningContentBlock::RedactedContent(Blob(bytes)))
        }),
        1 => (option::of(text()), vec(citation(), 1..3)).prop_map(|(text, citations)| {
            ContentBlock::CitationsContent(CitationsContentBlock {
                content: text.map(CitationGeneratedContent::Text).into_iter().collect(),
                citations,
                extra: UnknownMembers::new(),
            })
        }),
        1 => (
            text(),
            vec(result_item, 0..3),
            option::of(Just(ToolResultStatus::Success)),
            option::of(text()),
            extra()
        )
            .prop_map(|(tool_use_id, content, status, r#type, extra)| {
                ContentBlock::ToolResult(ToolResultBlock {
                    tool_use_id,
                    content,
                    status,
                    r#type,
                    extra,
                })
            }),
        1 => (
            prop_oneof![Just("png"), Just("webp"), Just("avif")],
            media,
            option::of((option::of(text()), extra()).prop_map(|(message, extra)| ErrorBlock { message, extra })),
            extra()
        )
            .prop_map(|(format, source, error, extra)| {
                ContentBlock::Image(ImageBlock {
                    format: ImageFormat::from(format),
                    source,
                    error,
                    extra,
                })
            }),
        1 => ("future[A-Z][a-z]{0,6}", json_value()).prop_map(|(name, value)| {
            let mut members = serde_json::Map::new();
            members.insert(name, value);
            ContentBlock::Unknown(Value::Object(members))
        }),
    ]
}

/// A reply a stream can carry: any blocks, stop reason, usage, metrics and
/// the rest of what `messageStop` and `metadata` carry.
fn reply() -> impl Strategy<Value = ConverseResponse> {
    let stop_reason = prop_oneof![
        Just("end_turn"),
        Just("tool_use"),
        Just("max_tokens"),
        Just("a_future_reason"),
    ]
    .prop_map(StopReason::from);
    let usage = (
        0u32..100_000,
        0u32..100_000,
        option::of(0u32..1000),
        option::of(0u32..1000),
    )
        .prop_map(|(input, output, read, write)| TokenUsage {
            input_tokens: input,
            output_tokens: output,
            total_tokens: input + output + read.unwrap_or(0) + write.unwrap_or(0),
            cache_read_input_tokens: read,
            cache_write_input_tokens: write,
            cache_details: write
                .map(|tokens| bedrock_lite::types::CacheDetail {
                    ttl: CacheTtl::FiveMinutes,
                    input_tokens: tokens,
                })
                .into_iter()
                .collect(),
        });
    let extras = (
        option::of(json_value().prop_filter("null reads as absent", |v| !v.is_null())),
        option::of(
            option::of("[a-z.:-]{1,20}").prop_map(|invoked_model_id| ConverseTrace {
                guardrail: None,
                prompt_router: Some(PromptRouterTrace { invoked_model_id }),
            }),
        ),
        any::<bool>(),
        any::<bool>(),
    );
    (
        vec(block(), 0..5),
        stop_reason,
        usage,
        0u64..100_000,
        extras,
    )
        .prop_map(
            |(content, stop_reason, usage, latency_ms, (fields, trace, optimized, flex))| {
                ConverseResponse {
                    output: ConverseOutput::Message(Message::new(
                        ConversationRole::Assistant,
                        content,
                    )),
                    stop_reason,
                    usage,
                    metrics: ConverseMetrics { latency_ms },
                    additional_model_response_fields: fields,
                    trace,
                    performance_config: optimized.then_some(PerformanceConfiguration {
                        latency: Some(PerformanceConfigLatency::Optimized),
                    }),
                    service_tier: flex.then_some(ServiceTier {
                        r#type: ServiceTierType::Flex,
                    }),
                }
            },
        )
}

/// The events of `events` with the blocks interleaved as `choices` say: the
/// message's own events stay first and last, each block's events keep their
/// order.
fn interleave<'a>(events: Vec<StreamEvent<'a>>, choices: &[usize]) -> Vec<StreamEvent<'a>> {
    let index_of = |event: &StreamEvent<'_>| match event {
        StreamEvent::ContentBlockStart(e) => Some(e.content_block_index),
        StreamEvent::ContentBlockDelta(e) => Some(e.content_block_index),
        StreamEvent::ContentBlockStop(e) => Some(e.content_block_index),
        _ => None,
    };
    let mut head = Vec::new();
    let mut tail = Vec::new();
    let mut blocks: Vec<std::collections::VecDeque<StreamEvent<'a>>> = Vec::new();
    for event in events {
        match index_of(&event) {
            Some(index) => {
                let index = usize::try_from(index).expect("small");
                if blocks.len() <= index {
                    blocks.resize_with(index + 1, Default::default);
                }
                blocks[index].push_back(event);
            }
            None if blocks.is_empty() => head.push(event),
            None => tail.push(event),
        }
    }
    let mut out = head;
    let mut choice = choices.iter().cycle();
    loop {
        let open: Vec<usize> = (0..blocks.len())
            .filter(|i| !blocks[*i].is_empty())
            .collect();
        if open.is_empty() {
            break;
        }
        let pick = open[choice.next().copied().unwrap_or(0) % open.len()];
        out.extend(blocks[pick].pop_front());
    }
    out.extend(tail);
    out
}

/// Folds events as a client receives them: each written to its payload and
/// read back from it.
fn fold_through_payloads(events: &[StreamEvent<'_>]) -> ConverseResponse {
    let mut turn = Accumulator::new();
    for event in events {
        let payload = event.to_payload().expect("writes");
        let read = parse_event(event.event_type(), &payload).expect("reads");
        turn.push(&read).expect("folds");
    }
    turn.finish().expect("a whole reply")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn streamed_then_accumulated_is_the_reply(
        reply in reply(),
        choices in vec(0usize..8, 1..16),
    ) {
        let events = stream_events(&reply).expect("a stream carries it");
        prop_assert_eq!(fold_through_payloads(&events), reply.clone());
        let interleaved = interleave(events, &choices);
        prop_assert_eq!(fold_through_payloads(&interleaved), reply);
    }
}

/// The same reply scripted twice: Converse's answer, and ConverseStream's
/// folded.
async fn both_ways(
    emulator: &Emulator,
    client: &Client,
    reply: &ConverseResponse,
) -> (ConverseResponse, ConverseResponse) {
    let request = ConverseRequest::new().message(Message::user("anything"));
    emulator.script(Reply::Converse(Box::new(reply.clone())));
    let whole = client.converse(MODEL, &request).await.expect("Converse");
    emulator.script(Reply::Converse(Box::new(reply.clone())));
    let mut stream = client
        .converse_stream(MODEL, &request)
        .await
        .expect("ConverseStream");
    let mut turn = Accumulator::new();
    while let Some(event) = stream.next_event().await {
        let event = event.expect("an event");
        turn.push(&event.parse().expect("a valid event"))
            .expect("folds");
    }
    (whole, turn.finish().expect("a whole reply"))
}

#[test]
fn over_http_the_stream_folds_into_the_converse_answer() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let emulator = runtime.block_on(Emulator::start(0)).expect("starts");
    let client = {
        let _entered = runtime.enter();
        common::emulator_client(&emulator.endpoint())
    };
    let mut runner = TestRunner::new(Config::with_cases(32));
    runner
        .run(&reply(), |reply| {
            let (whole, folded) = runtime.block_on(both_ways(&emulator, &client, &reply));
            prop_assert_eq!(&whole, &reply);
            prop_assert_eq!(&folded, &whole);
            Ok(())
        })
        .expect("every case");
}
