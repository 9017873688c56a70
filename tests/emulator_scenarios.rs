//! The emulator's scripted scenarios, through the library client: a tool
//! round, reasoning with a signature (and Bedrock's refusal of a thinking
//! tool turn sent back without it), and prompt caching.
#![cfg(feature = "emulator")]

use bedrock_lite::bedrock::accumulator::Accumulator;
use bedrock_lite::bedrock::error::BedrockError;
use bedrock_lite::emulator::Emulator;
use bedrock_lite::Client;

mod common;
use bedrock_lite::types::{
    CachePointBlock, CachePointType, ContentBlock, ContentBlockDelta, ConversationRole,
    ConverseRequest, ConverseResponse, Message, ReasoningContentBlock, ReasoningContentBlockDelta,
    StopReason, StreamEvent, SystemContentBlock, Tool, UnknownMembers,
};
use serde_json::json;

const MODEL: &str = "us.anthropic.claude-sonnet-4-6";

fn client(emulator: &Emulator) -> Client {
    common::emulator_client(&emulator.endpoint())
}

fn weather_tool() -> Tool {
    Tool::new(
        "get_weather",
        "The current weather in a city",
        json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
    )
}

fn with_thinking(mut request: ConverseRequest) -> ConverseRequest {
    request.additional_model_request_fields =
        Some(json!({"thinking": {"type": "enabled", "budget_tokens": 1024}}));
    request
}

/// A streamed turn: the events' types, how many tool-input and reasoning
/// pieces came, and the reply folded from them.
struct Streamed {
    tool_input_pieces: usize,
    reasoning_pieces: usize,
    signatures: usize,
    reply: ConverseResponse,
}

async fn stream(client: &Client, request: &ConverseRequest) -> Streamed {
    let mut stream = client
        .converse_stream(MODEL, request)
        .await
        .expect("the stream starts");
    let mut turn = Accumulator::new();
    let (mut tool_input_pieces, mut reasoning_pieces, mut signatures) = (0, 0, 0);
    while let Some(event) = stream.next_event().await {
        let event = event.expect("an event");
        let event = event.parse().expect("a valid event");
        if let StreamEvent::ContentBlockDelta(delta) = &event {
            match &delta.delta {
                ContentBlockDelta::ToolUse(_) => tool_input_pieces += 1,
                ContentBlockDelta::ReasoningContent(ReasoningContentBlockDelta::Text(_)) => {
                    reasoning_pieces += 1
                }
                ContentBlockDelta::ReasoningContent(ReasoningContentBlockDelta::Signature(_)) => {
                    signatures += 1
                }
                _ => {}
            }
        }
        turn.push(&event).expect("folds");
    }
    Streamed {
        tool_input_pieces,
        reasoning_pieces,
        signatures,
        reply: turn.finish().expect("a whole reply"),
    }
}

/// Converse and ConverseStream give the same reply (the latency aside).
async fn same_both_ways(client: &Client, request: &ConverseRequest) -> Streamed {
    let whole = client.converse(MODEL, request).await.expect("Converse");
    let streamed = stream(client, request).await;
    assert_eq!(streamed.reply.message(), whole.message());
    assert_eq!(streamed.reply.stop_reason, whole.stop_reason);
    streamed
}

#[tokio::test]
async fn a_tool_round() {
    let emulator = Emulator::start(0).await.expect("starts");
    let client = client(&emulator);
    let request = ConverseRequest::new()
        .system("Answer briefly.")
        .message(Message::user(r#"Call get_weather with {"city": "Paris"}"#))
        .tool(Tool::new("get_time", "The time", json!({"type": "object"})))
        .tool(weather_tool());

    // The prompt names the tool and writes its input: the model calls it,
    // the input streamed in several pieces.
    let turn = same_both_ways(&client, &request).await;
    assert!(turn.tool_input_pieces >= 2, "{}", turn.tool_input_pieces);
    assert_eq!(turn.reply.stop_reason, StopReason::ToolUse);
    let call = turn.reply.tool_uses().next().expect("a tool call").clone();
    assert_eq!(call.name, "get_weather");
    assert_eq!(call.input, json!({"city": "Paris"}));
    assert!(
        call.tool_use_id.starts_with("tooluse_"),
        "{}",
        call.tool_use_id
    );

    // The result goes back; the answer quotes it.
    let request = request
        .message(turn.reply.into_message().expect("a message"))
        .message(Message::tool_result(
            call.tool_use_id.clone(),
            json!({"temperature": 21, "sky": "clear"}),
        ));
    let answer = same_both_ways(&client, &request).await;
    assert_eq!(answer.reply.stop_reason, StopReason::EndTurn);
    assert_eq!(
        answer.reply.text(),
        r#"The tool `get_weather` returned: {"sky":"clear","temperature":21}."#
    );

    // Without JSON in the prompt, the schema's required property gets the prompt.
    let plain = ConverseRequest::new()
        .message(Message::user("What is the weather in Paris?"))
        .tool(weather_tool());
    let reply = client.converse(MODEL, &plain).await.expect("Converse");
    let call = reply.tool_uses().next().expect("a tool call");
    assert_eq!(call.input, json!({"city": "What is the weather in Paris?"}));
    assert_eq!(reply.text(), "I will call `get_weather`.");
}

#[tokio::test]
async fn reasoning_with_a_signature_and_the_thinking_tool_turn_rule() {
    let emulator = Emulator::start(0).await.expect("starts");
    let client = client(&emulator);

    // Thinking on, no tools: signed reasoning, then the answer.
    let plain = with_thinking(ConverseRequest::new().message(Message::user("hello")));
    let turn = same_both_ways(&client, &plain).await;
    assert!(turn.reasoning_pieces >= 2, "{}", turn.reasoning_pieces);
    assert_eq!(turn.signatures, 1);
    let message = turn.reply.message().expect("a message");
    let Some(ContentBlock::ReasoningContent(ReasoningContentBlock::ReasoningText(reasoning))) =
        message.content.first()
    else {
        panic!("reasoning first: {message:?}");
    };
    assert!(!reasoning.text.is_empty());
    assert!(reasoning
        .signature
        .as_deref()
        .is_some_and(|s| !s.is_empty()));
    assert_eq!(turn.reply.text(), "You said: hello");

    // Thinking on, with a tool: reasoning, then the call.
    let request = with_thinking(
        ConverseRequest::new()
            .message(Message::user("weather in Paris?"))
            .tool(weather_tool()),
    );
    let turn = stream(&client, &request).await;
    let assistant = turn.reply.into_message().expect("a message");
    let call = assistant.tool_uses().next().expect("a call").clone();
    let result = Message::tool_result(call.tool_use_id.clone(), "sunny");

    // Sent back whole, signed reasoning first: the loop goes on.
    let whole = request
        .clone()
        .message(assistant.clone())
        .message(result.clone());
    let answer = client.converse(MODEL, &whole).await.expect("accepted");
    assert_eq!(answer.text(), "The tool `get_weather` returned: sunny.");

    // Sent back as the tool call alone: refused as Bedrock refuses it.
    let stripped = request.clone().message(Message::new(
        ConversationRole::Assistant,
        vec![ContentBlock::ToolUse(call)],
    ));
    let stripped = stripped.message(result.clone());
    for streaming in [false, true] {
        let error = if streaming {
            client.converse_stream(MODEL, &stripped).await.err()
        } else {
            client.converse(MODEL, &stripped).await.err()
        };
        let Some(BedrockError::Service(service)) = error else {
            panic!("a service error: {error:?}");
        };
        let message = service.message;
        assert_eq!(
            (service.status, service.code.as_str()),
            (400, "ValidationException")
        );
        assert!(
            message.contains(
                "messages.1.content.0.type: Expected `thinking` or `redacted_thinking`, \
                 but found `tool_use`"
            ),
            "{message}"
        );
    }

    // Reasoning whose text changed no longer matches its signature.
    let mut tampered = assistant;
    if let Some(ContentBlock::ReasoningContent(ReasoningContentBlock::ReasoningText(r))) =
        tampered.content.first_mut()
    {
        r.text.push_str(" (edited)");
    }
    let error = client
        .converse(MODEL, &request.message(tampered).message(result))
        .await
        .expect_err("refused");
    assert!(
        error
            .to_string()
            .contains("Invalid `signature` in `thinking` block"),
        "{error}"
    );
}

fn cache_point() -> CachePointBlock {
    CachePointBlock {
        r#type: CachePointType::Default,
        ttl: None,
        extra: UnknownMembers::new(),
    }
}

fn cached_prompt(question: &str) -> ConverseRequest {
    let mut request = ConverseRequest::new()
        .system("You are a careful assistant who answers in one short sentence.")
        .message(Message::user(question));
    request
        .system
        .push(SystemContentBlock::CachePoint(cache_point()));
    request
}

#[tokio::test]
async fn prompt_caching_writes_then_reads_a_prefix() {
    let emulator = Emulator::start(0).await.expect("starts");
    let client = client(&emulator);
    let system_tokens = 11;

    let first = client
        .converse(MODEL, &cached_prompt("What is Rust?"))
        .await
        .expect("Converse");
    assert_eq!(first.usage.cache_write_input_tokens, Some(system_tokens));
    assert_eq!(first.usage.cache_read_input_tokens, Some(0));
    assert_eq!(first.usage.input_tokens, 3);

    // The same prefix, another question, streamed: read from the cache.
    let again = stream(&client, &cached_prompt("And what is Go?"))
        .await
        .reply;
    assert_eq!(again.usage.cache_read_input_tokens, Some(system_tokens));
    assert_eq!(again.usage.cache_write_input_tokens, Some(0));
    assert_eq!(again.usage.input_tokens, 4);
    assert_eq!(
        again.usage.total_tokens,
        again.usage.input_tokens + again.usage.output_tokens + system_tokens
    );

    // Another prefix: written, not read.
    let mut other = cached_prompt("What is Rust?");
    other.system[0] = SystemContentBlock::Text("Be terse.".into());
    let other = client.converse(MODEL, &other).await.expect("Converse");
    assert_eq!(other.usage.cache_write_input_tokens, Some(2));
    assert_eq!(other.usage.cache_read_input_tokens, Some(0));

    // No cache point: no cache counters.
    let plain = client
        .converse(
            MODEL,
            &ConverseRequest::new().message(Message::user("What is Rust?")),
        )
        .await
        .expect("Converse");
    assert_eq!(plain.usage.cache_read_input_tokens, None);
    assert_eq!(plain.usage.cache_write_input_tokens, None);
}
