//! Arbitrary bytes as the body of the gateway's `POST /v1/chat/completions`
//! and of its `POST /v1/embeddings`, through what the server runs before it
//! calls Bedrock.
//!
//! Chat: `ChatRequest::from_json` → `ReasoningCache::restore` →
//! `to_bedrock::to_converse` → the client's `models::rules::apply` → the JSON
//! body. The input's length picks the settings, so the seeds reach each case:
//! bit 0 set, the reasoning cache holds signed reasoning for the tool calls of
//! the first assistant message that has some (and none of its own); bit 1 set,
//! `gateway.promptCaching` is `auto` (an application inference profile's base
//! model is then a Claude Sonnet 4, as the client would resolve it).
//!
//! Embeddings: `EmbeddingsRequest::from_json` → `EmbedPlan::new` → the
//! InvokeModel calls; the emulator answers the first call and its vectors
//! read back.
//!
//! Nothing may panic. Every refusal is a 400 `invalid_request_error` whose
//! message is one line and not empty; a body that is not JSON is
//! `invalid_json`. A refusal of the readers or the mapping starts with the
//! field it names; one of the embeddings plan names `model`, `dimensions` or
//! `input_type`, and the model as given (unless the model ref is invalid). An accepted chat request maps to a
//! Converse request Bedrock's rules allow: messages that start with the user
//! and alternate, none empty, no blank text, cache points only after a block
//! and at most four, tool results first in a user turn and reasoning first in
//! an assistant turn, tool-use ids in Bedrock's pattern, each result answering
//! a call of the turn before and each call (but the last turn's) answered in
//! the turn after, tools defined whenever the history has tool blocks, tool
//! names unique and the chosen one defined, temperature and top_p within 0 to
//! 1; the body reads back as the same request, and every note is one line.
//! An accepted embeddings request has 1 to 2048 non-empty inputs, its calls
//! cover them in order in batches the family takes, and the emulator's answer
//! to the first call reads back as one vector of the plan's length per input.
#![no_main]

use std::borrow::Cow;
use std::collections::HashSet;
use std::time::Instant;

use bedrock_lite::embeddings::{emulated_response, EmbedError, EmbedPlan};
use bedrock_lite::gateway::embeddings::{EmbeddingsRequest, MAX_INPUTS};
use bedrock_lite::gateway::errors::{ErrorType, GatewayError};
use bedrock_lite::gateway::openai::{ChatMessage, ChatRequest, ReasoningDetail};
use bedrock_lite::gateway::reasoning_cache::{CacheLimits, ReasoningCache};
use bedrock_lite::gateway::to_bedrock::{
    to_converse, MappingOptions, PromptCaching, MAX_CACHE_POINTS,
};
use bedrock_lite::model_ref::{ModelKind, ModelRef};
use bedrock_lite::models::rules;
use bedrock_lite::types::{
    Blob, ContentBlock, ConversationRole, ConverseRequest, MediaSource, SystemContentBlock, Tool,
    ToolChoice,
};
use libfuzzer_sys::fuzz_target;

/// The gateway key scope the reasoning is remembered and restored under.
const SCOPE: &str = "fuzz";

/// The base model of an application inference profile, as resolved.
const PROFILE_BASE: &str = "anthropic.claude-sonnet-4-20250514-v1:0";

fuzz_target!(|data: &[u8]| {
    let not_json = serde_json::from_slice::<serde_json::Value>(data).is_err();
    chat(data, not_json);
    embeddings(data, not_json);
});

/// The chat completions path.
fn chat(data: &[u8], not_json: bool) {
    let mut chat = match ChatRequest::from_json(data) {
        Ok(chat) => chat,
        Err(error) => return check_field_refusal(&error, not_json),
    };
    assert!(!chat.model.is_empty() && !chat.messages.is_empty());

    let cache = ReasoningCache::new(CacheLimits::default());
    let now = Instant::now();
    let signed = ReasoningDetail::Text {
        text: "Look it up.".to_owned(),
        signature: Some("c2lnbmF0dXJl".to_owned()),
    };
    let remembered = if data.len() % 2 == 1 {
        first_unreasoned_tool_turn(&chat)
    } else {
        None
    };
    if let Some((_, ids)) = &remembered {
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        cache.remember(SCOPE, &ids, std::slice::from_ref(&signed), now);
    }
    let restored = cache.restore(SCOPE, &mut chat, now);
    assert_eq!(restored > 0, remembered.is_some(), "restored {restored}");
    if let Some((index, _)) = remembered {
        let Some(ChatMessage::Assistant(turn)) = chat.messages.get(index) else {
            panic!("messages[{index}] is no longer the assistant turn");
        };
        assert_eq!(turn.reasoning_details, [signed]);
    }

    let model = ModelRef::parse(&chat.model).ok();
    let auto = data.len() % 4 >= 2;
    let options = MappingOptions {
        prompt_caching: if auto {
            PromptCaching::Auto
        } else {
            PromptCaching::Off
        },
    };
    let base = model
        .as_ref()
        .filter(|model| auto && *model.kind() == ModelKind::ApplicationInferenceProfile)
        .map(|_| PROFILE_BASE);
    let mapped = match to_converse(&chat, &options, base) {
        Ok(mapped) => mapped,
        Err(error) => return check_field_refusal(&error, false),
    };
    let Some(model) = model else {
        panic!(
            "mapped a request whose model `{}` does not parse",
            chat.model
        );
    };
    assert_eq!(mapped.model_id, model.id());
    if chat.reasoning_effort.is_none() {
        let config = mapped.request.inference_config.as_ref();
        assert_eq!(config.and_then(|c| c.max_tokens), chat.max_tokens);
    }
    check_notes(&mapped.notes);
    check_converse(&mapped.request);

    // What the client does next: its model rules, then the JSON body.
    let mut request = Cow::Borrowed(&mapped.request);
    let notes = rules::apply(&mut request, &model, base);
    assert_eq!(notes.is_empty(), matches!(request, Cow::Borrowed(_)));
    check_notes(&notes);
    check_converse(&request);
    let body = serde_json::to_vec(&*request).expect("a Converse request serialises");
    let read: ConverseRequest =
        serde_json::from_slice(&body).expect("the Converse body reads back");
    assert!(
        read == *request,
        "read back differently: {}",
        String::from_utf8_lossy(&body)
    );
}

/// The index and tool-call ids of the first assistant message that made tool
/// calls and carries no reasoning.
fn first_unreasoned_tool_turn(chat: &ChatRequest) -> Option<(usize, Vec<String>)> {
    chat.messages
        .iter()
        .enumerate()
        .find_map(|(index, message)| match message {
            ChatMessage::Assistant(turn)
                if !turn.tool_calls.is_empty() && turn.reasoning_details.is_empty() =>
            {
                let ids = turn.tool_calls.iter().map(|call| call.id.clone()).collect();
                Some((index, ids))
            }
            _ => None,
        })
}

/// A refused request: a 400 whose message is one line and not empty;
/// `invalid_json` exactly when the body is not JSON.
fn check_refusal(error: &GatewayError, not_json: bool) {
    assert_eq!(error.status(), 400, "{error:?}");
    assert_eq!(error.kind(), ErrorType::InvalidRequest, "{error:?}");
    let message = error.message();
    assert!(!message.trim().is_empty(), "{error:?}");
    assert!(!message.chars().any(char::is_control), "{error:?}");
    assert_eq!(error.code() == "invalid_json", not_json, "{error:?}");
    assert!(error.param().is_none_or(|param| !param.is_empty()));
    let body: serde_json::Value =
        serde_json::from_str(&error.to_json()).expect("the error body is JSON");
    assert_eq!(body["error"]["message"].as_str(), Some(message));
}

/// A refusal of the request readers or the mapping: as [`check_refusal`],
/// and a message that starts with the field it names.
fn check_field_refusal(error: &GatewayError, not_json: bool) {
    check_refusal(error, not_json);
    if let Some(param) = error.param() {
        assert!(
            error.message().starts_with(&format!("{param}: ")),
            "{error:?}"
        );
    }
}

/// Notes go to the log, a line each.
fn check_notes(notes: &[String]) {
    for note in notes {
        assert!(
            !note.is_empty() && !note.chars().any(char::is_control),
            "{note:?}"
        );
    }
}

/// The Converse request of an accepted chat request; see the module docs.
fn check_converse(request: &ConverseRequest) {
    let messages = &request.messages;
    assert_eq!(
        messages.first().map(|message| &message.role),
        Some(&ConversationRole::User)
    );
    for pair in messages.windows(2) {
        assert_ne!(pair[0].role, pair[1].role, "roles do not alternate");
    }

    let mut cache_points = 0;
    let mut history_has_tools = false;
    let mut uses_before: HashSet<&str> = HashSet::new();
    for (at, message) in messages.iter().enumerate() {
        let blocks = &message.content;
        assert!(!blocks.is_empty(), "messages[{at}] is empty");
        assert!(
            !matches!(blocks.first(), Some(ContentBlock::CachePoint(_))),
            "messages[{at}] starts with a cache point"
        );
        for pair in blocks.windows(2) {
            assert!(
                !matches!(
                    pair,
                    [ContentBlock::CachePoint(_), ContentBlock::CachePoint(_)]
                ),
                "messages[{at}]: two cache points in a row"
            );
        }
        let leading: fn(&ContentBlock) -> bool = match message.role {
            ConversationRole::User => |block| matches!(block, ContentBlock::ToolResult(_)),
            _ => |block| matches!(block, ContentBlock::ReasoningContent(_)),
        };
        let mut past_leading = false;
        let mut uses: HashSet<&str> = HashSet::new();
        let mut results: HashSet<&str> = HashSet::new();
        for block in blocks {
            match block {
                ContentBlock::CachePoint(_) => {
                    cache_points += 1;
                    continue;
                }
                ContentBlock::Text(text) => {
                    assert!(!text.trim().is_empty(), "messages[{at}]: blank text")
                }
                ContentBlock::Image(image) => assert!(
                    matches!(&image.source, MediaSource::Bytes(Blob(bytes)) if !bytes.is_empty()),
                    "messages[{at}]: an image without bytes"
                ),
                ContentBlock::ToolUse(call) => {
                    assert_eq!(message.role, ConversationRole::Assistant);
                    assert!(is_bedrock_tool_id(&call.tool_use_id), "{call:?}");
                    assert!(call.input.is_object(), "{call:?}");
                    uses.insert(&call.tool_use_id);
                }
                ContentBlock::ToolResult(result) => {
                    assert_eq!(message.role, ConversationRole::User);
                    assert!(is_bedrock_tool_id(&result.tool_use_id), "{result:?}");
                    assert!(
                        uses_before.contains(result.tool_use_id.as_str()),
                        "messages[{at}]: a result for a call not made just before"
                    );
                    results.insert(&result.tool_use_id);
                }
                ContentBlock::ReasoningContent(_) => {
                    assert_eq!(message.role, ConversationRole::Assistant);
                }
                other => panic!("messages[{at}]: unexpected block {other:?}"),
            }
            if leading(block) {
                assert!(!past_leading, "messages[{at}]: out of order");
            } else {
                past_leading = true;
            }
        }
        if message.role == ConversationRole::User && at > 0 {
            for id in &uses_before {
                assert!(results.contains(id), "call `{id}` has no result after it");
            }
        }
        history_has_tools |= !uses.is_empty() || !results.is_empty();
        uses_before = uses;
    }

    let mut system_after_block = false;
    for block in &request.system {
        match block {
            SystemContentBlock::Text(text) => {
                assert!(!text.trim().is_empty(), "blank system text");
                system_after_block = true;
            }
            SystemContentBlock::CachePoint(_) => {
                assert!(system_after_block, "a system cache point after no block");
                system_after_block = false;
                cache_points += 1;
            }
            other => panic!("unexpected system block {other:?}"),
        }
    }

    match &request.tool_config {
        None => assert!(!history_has_tools, "tool blocks without tools"),
        Some(config) => {
            let mut names = HashSet::new();
            let mut after_tool = false;
            for tool in &config.tools {
                match tool {
                    Tool::ToolSpec(spec) => {
                        assert!(names.insert(spec.name.as_str()), "tool defined twice");
                        after_tool = true;
                    }
                    Tool::CachePoint(_) => {
                        assert!(after_tool, "a tool cache point after no tool");
                        after_tool = false;
                        cache_points += 1;
                    }
                    other => panic!("unexpected tool {other:?}"),
                }
            }
            assert!(!names.is_empty(), "a tool config without tools");
            if let Some(ToolChoice::Tool(choice)) = &config.tool_choice {
                assert!(names.contains(choice.name.as_str()), "{choice:?}");
            }
        }
    }
    assert!(
        cache_points <= MAX_CACHE_POINTS,
        "{cache_points} cache points"
    );

    if let Some(config) = &request.inference_config {
        for value in [config.temperature, config.top_p].into_iter().flatten() {
            assert!((0.0..=1.0).contains(&value), "{config:?}");
        }
        assert!(config.max_tokens.is_none_or(|n| n >= 1), "{config:?}");
        assert!(config.stop_sequences.iter().all(|s| !s.is_empty()));
    }
}

/// Bedrock's tool-use id pattern: `[a-zA-Z0-9_.:-]`, 1 to 64 characters.
fn is_bedrock_tool_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-'))
}

/// The embeddings path.
fn embeddings(data: &[u8], not_json: bool) {
    let request = match EmbeddingsRequest::from_json(data) {
        Ok(request) => request,
        Err(error) => return check_field_refusal(&error, not_json),
    };
    assert!(!request.model.is_empty());
    assert!((1..=MAX_INPUTS).contains(&request.inputs.len()));
    assert!(request.inputs.iter().all(|input| !input.is_empty()));

    let plan = match EmbedPlan::new(&request.model, &request.options) {
        Ok(plan) => plan,
        Err(error) => {
            assert!(error.is_usage(), "{error:?}");
            let refusal = GatewayError::from_embed(&error);
            check_refusal(&refusal, false);
            // It names a field the request sent, and the model as given.
            let param = refusal.param().unwrap_or_default();
            assert!(
                ["model", "dimensions", "input_type"].contains(&param),
                "{refusal:?}"
            );
            if !matches!(error, EmbedError::InvalidModel { .. }) {
                let model: String = (request.model.chars())
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .collect();
                assert!(refusal.message().contains(&model), "{refusal:?}");
            }
            return;
        }
    };
    let calls = plan.calls(&request.inputs);
    let batch = plan.family().max_batch();
    let mut next = 0;
    for call in &calls {
        assert_eq!(call.inputs.start, next, "calls out of order");
        assert!(
            (1..=batch).contains(&call.inputs.len()),
            "{:?}",
            call.inputs
        );
        next = call.inputs.end;
    }
    assert_eq!(next, request.inputs.len(), "inputs left out");

    let Some(first) = calls.first() else {
        panic!("no calls for {} inputs", request.inputs.len());
    };
    let body = serde_json::to_vec(&first.body).expect("a call body serialises");
    let answer = emulated_response(&request.model, &body)
        .unwrap_or_else(|why| panic!("the emulator refused {first:?}: {why}"));
    let vectors = plan
        .parse_response(&answer.body, first.inputs.len())
        .unwrap_or_else(|error| panic!("the emulator's answer does not read: {error}"));
    assert_eq!(vectors.len(), first.inputs.len());
    let dimensions = usize::try_from(plan.dimensions()).unwrap_or(usize::MAX);
    assert!(vectors.iter().all(|vector| vector.len() == dimensions));
}
