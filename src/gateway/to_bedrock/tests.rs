use super::*;
use crate::gateway::openai::ChatRequest;
use proptest::prelude::*;
use serde_json::json;

const NOVA: &str = "us.amazon.nova-pro-v1:0";
const CLAUDE: &str = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const LLAMA: &str = "meta.llama3-3-70b-instruct-v1:0";

fn chat(body: Value) -> ChatRequest {
    ChatRequest::from_json(body.to_string().as_bytes()).expect("valid request")
}

fn map_with(body: Value, options: MappingOptions) -> Result<Mapped, GatewayError> {
    to_converse(&chat(body), &options, None)
}

fn map(body: Value) -> Result<Mapped, GatewayError> {
    map_with(body, MappingOptions::default())
}

/// The request as its JSON text reads back (f32 values as written on the wire).
fn request_json(body: Value) -> Value {
    let text = serde_json::to_string(&map(body).expect("maps").request).expect("json");
    serde_json::from_str(&text).expect("reads back")
}

fn messages(model: &str, messages: Value) -> Value {
    json!({"model": model, "messages": messages})
}

fn weather_call(id: &str) -> Value {
    json!({"id": id, "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}})
}

fn weather_tool() -> Value {
    json!({"type": "function", "function": {"name": "get_weather", "description": "Weather",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}})
}

#[test]
fn a_tool_round_trip() {
    let body = json!({
        "model": CLAUDE,
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Weather in Paris?"},
            {"role": "assistant", "content": "Checking.", "tool_calls": [weather_call("tooluse_1")]},
            {"role": "tool", "tool_call_id": "tooluse_1", "content": "Sunny"}
        ],
        "tools": [weather_tool()],
        "tool_choice": "required",
        "max_completion_tokens": 200, "temperature": 0.2, "top_p": 0.9, "stop": ["END", ""]
    });
    assert_eq!(
        request_json(body),
        json!({
            "messages": [
                {"role": "user", "content": [{"text": "Weather in Paris?"}]},
                {"role": "assistant", "content": [
                    {"text": "Checking."},
                    {"toolUse": {"toolUseId": "tooluse_1", "name": "get_weather", "input": {"city": "Paris"}}}
                ]},
                {"role": "user", "content": [
                    {"toolResult": {"toolUseId": "tooluse_1", "content": [{"text": "Sunny"}]}}
                ]}
            ],
            "system": [{"text": "Be brief."}],
            "inferenceConfig": {"maxTokens": 200, "temperature": 0.2, "topP": 0.9, "stopSequences": ["END"]},
            "toolConfig": {
                "tools": [{"toolSpec": {"name": "get_weather", "description": "Weather",
                    "inputSchema": {"json": {"type": "object", "properties": {"city": {"type": "string"}}}}}}],
                "toolChoice": {"any": {}}
            }
        })
    );
}

#[test]
fn tool_choices() {
    let base = |choice: Value| {
        json!({"model": NOVA, "messages": [{"role": "user", "content": "hi"}],
               "tools": [weather_tool()], "tool_choice": choice})
    };
    let config = |choice: Value| request_json(base(choice)).get("toolConfig").cloned();
    assert_eq!(
        config(json!({"type": "function", "function": {"name": "get_weather"}})).expect("config")
            ["toolChoice"],
        json!({"tool": {"name": "get_weather"}})
    );
    assert!(config(json!("auto"))
        .expect("config")
        .get("toolChoice")
        .is_none());
    assert_eq!(config(json!("none")), None, "none: tools left out");
    let error = map(base(
        json!({"type": "function", "function": {"name": "other"}}),
    ))
    .expect_err("unknown function");
    assert_eq!(error.param(), Some("tool_choice"));
    let no_tools = json!({"model": NOVA, "messages": [{"role": "user", "content": "hi"}], "tool_choice": "required"});
    assert_eq!(
        map(no_tools).expect_err("no tools").param(),
        Some("tool_choice")
    );
    let twice = json!({"model": NOVA, "messages": [{"role": "user", "content": "hi"}],
                       "tools": [weather_tool(), weather_tool()]});
    assert_eq!(
        map(twice).expect_err("twice").param(),
        Some("tools[1].function.name")
    );
}

#[test]
fn tool_history_needs_tools_and_keeps_them_with_none() {
    let history = json!([
        {"role": "user", "content": "Weather?"},
        {"role": "assistant", "tool_calls": [weather_call("t1")]},
        {"role": "tool", "tool_call_id": "t1", "content": "Sunny"}
    ]);
    let error = map(messages(NOVA, history.clone())).expect_err("no tools");
    assert_eq!(error.param(), Some("tools"));
    let mut body = messages(NOVA, history);
    body["tools"] = json!([weather_tool()]);
    body["tool_choice"] = json!("none");
    let mapped = map(body).expect("maps");
    let config = mapped.request.tool_config.expect("tools kept");
    assert_eq!((config.tools.len(), config.tool_choice), (1, None));
    assert!(mapped
        .notes
        .iter()
        .any(|n| n.contains("tool_choice \"none\"")));
}

#[test]
fn blank_text_is_dropped_then_empty_messages_then_roles_merged() {
    let body = messages(
        LLAMA,
        json!([
            {"role": "user", "content": "first"},
            {"role": "assistant", "content": "   "},
            {"role": "user", "content": [{"type": "text", "text": "\n"}, {"type": "text", "text": "second"}]},
            {"role": "system", "content": "  "},
            {"role": "assistant", "content": "reply"},
            {"role": "assistant", "content": [{"type": "text", "text": "more"}]},
            {"role": "user", "content": ""}
        ]),
    );
    let request = request_json(body);
    assert_eq!(
        request["messages"],
        json!([
            {"role": "user", "content": [{"text": "first"}, {"text": "second"}]},
            {"role": "assistant", "content": [{"text": "reply"}, {"text": "more"}]}
        ])
    );
    assert!(request.get("system").is_none());
}

#[test]
fn a_conversation_starting_with_the_assistant_gets_a_user_turn() {
    let mapped = map(messages(
        NOVA,
        json!([
            {"role": "system", "content": "S"},
            {"role": "assistant", "content": "Hello! How can I help?"},
            {"role": "user", "content": "Hi"}
        ]),
    ))
    .expect("maps");
    let first = &mapped.request.messages[0];
    assert_eq!(first.role, ConversationRole::User);
    assert_eq!(
        first.content,
        [ContentBlock::Text(LEADING_USER_TEXT.into())]
    );
    assert_eq!(mapped.request.messages.len(), 3);
    assert_eq!(mapped.notes.len(), 1);
    let error = map(messages(
        NOVA,
        json!([{"role": "system", "content": "only"}, {"role": "user", "content": " "}]),
    ))
    .expect_err("nothing left");
    assert_eq!(error.param(), Some("messages"));
}

#[test]
fn tool_results_must_answer_the_call_before_them() {
    let mut orphan = messages(
        NOVA,
        json!([
            {"role": "user", "content": "hi"},
            {"role": "assistant", "tool_calls": [weather_call("t1")]},
            {"role": "tool", "tool_call_id": "t2", "content": "Sunny"}
        ]),
    );
    orphan["tools"] = json!([weather_tool()]);
    let error = map(orphan).expect_err("orphan");
    assert_eq!(error.param(), Some("messages[2].tool_call_id"));
    assert!(error.message().contains("`t2`"), "{error}");

    let mut unanswered = messages(
        NOVA,
        json!([
            {"role": "user", "content": "hi"},
            {"role": "assistant", "tool_calls": [weather_call("t1"), weather_call("t2")]},
            {"role": "tool", "tool_call_id": "t1", "content": "Sunny"},
            {"role": "assistant", "content": "ok"},
            {"role": "user", "content": "thanks"}
        ]),
    );
    unanswered["tools"] = json!([weather_tool()]);
    let error = map(unanswered).expect_err("unanswered");
    assert_eq!(error.param(), Some("messages[1].tool_calls"));
    assert!(error.message().contains("`t2`"), "{error}");
}

#[test]
fn tool_results_go_first_in_a_merged_user_turn() {
    let mut body = messages(
        NOVA,
        json!([
            {"role": "user", "content": "hi"},
            {"role": "assistant", "tool_calls": [weather_call("t1"), weather_call("t2")]},
            {"role": "tool", "tool_call_id": "t1", "content": "A"},
            {"role": "user", "content": [{"type": "text", "text": "note", "cache_control": {"type": "ephemeral"}}]},
            {"role": "tool", "tool_call_id": "t2", "content": [{"type": "text", "text": "B"}, {"type": "text", "text": " "}]}
        ]),
    );
    body["tools"] = json!([weather_tool()]);
    let request = request_json(body);
    assert_eq!(
        request["messages"][2]["content"],
        json!([
            {"toolResult": {"toolUseId": "t1", "content": [{"text": "A"}]}},
            {"toolResult": {"toolUseId": "t2", "content": [{"text": "B"}]}},
            {"text": "note"},
            {"cachePoint": {"type": "default"}}
        ])
    );
}

#[test]
fn reasoning_leads_a_merged_assistant_turn() {
    let body = messages(
        CLAUDE,
        json!([
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": "one"},
            {"role": "assistant", "content": "two",
             "reasoning_details": [{"type": "reasoning.text", "text": "R", "signature": "S"}]}
        ]),
    );
    let request = request_json(body);
    assert_eq!(
        request["messages"][1]["content"],
        json!([
            {"reasoningContent": {"reasoningText": {"text": "R", "signature": "S"}}},
            {"text": "one"},
            {"text": "two"}
        ])
    );
}

#[test]
fn arguments_must_be_a_json_object() {
    let call = |arguments: &str| {
        let mut body = messages(
            NOVA,
            json!([
                {"role": "user", "content": "hi"},
                {"role": "assistant", "tool_calls": [{"id": "c9", "type": "function",
                    "function": {"name": "get_weather", "arguments": arguments}}]},
                {"role": "tool", "tool_call_id": "c9", "content": "x"}
            ]),
        );
        body["tools"] = json!([weather_tool()]);
        map(body)
    };
    let error = call("{not json").expect_err("bad json");
    assert_eq!(
        error.param(),
        Some("messages[1].tool_calls[0].function.arguments")
    );
    assert!(
        error.message().contains("call `c9` (get_weather)"),
        "{error}"
    );
    assert!(call("[1, 2]").is_err());
    let empty = call("").expect("empty arguments read as {}");
    let ContentBlock::ToolUse(use_block) = &empty.request.messages[1].content[0] else {
        panic!("tool use");
    };
    assert_eq!(use_block.input, json!({}));
}

#[test]
fn tool_ids_outside_bedrocks_pattern_are_replaced_consistently() {
    let odd = "call/with spaces and a very long tail that goes past sixty-four characters";
    let mut body = messages(
        NOVA,
        json!([
            {"role": "user", "content": "hi"},
            {"role": "assistant", "tool_calls": [weather_call(odd)]},
            {"role": "tool", "tool_call_id": odd, "content": "x"}
        ]),
    );
    body["tools"] = json!([weather_tool()]);
    let request = map(body).expect("maps").request;
    let ContentBlock::ToolUse(call) = &request.messages[1].content[0] else {
        panic!("tool use");
    };
    let ContentBlock::ToolResult(result) = &request.messages[2].content[0] else {
        panic!("tool result");
    };
    assert_eq!(call.tool_use_id, result.tool_use_id);
    assert!(call.tool_use_id.starts_with("call_") && call.tool_use_id.len() == 37);
    assert_eq!(bedrock_tool_id("tooluse_AbC.1:2-x"), "tooluse_AbC.1:2-x");
}

#[test]
fn images_from_data_urls() {
    let user = |url: &str| {
        messages(
            NOVA,
            json!([{"role": "user", "content": [{"type": "text", "text": "What is this?"},
                {"type": "image_url", "image_url": {"url": url}}]}]),
        )
    };
    let request = request_json(user("data:image/jpeg;base64,/9j/\n4A=="));
    assert_eq!(
        request["messages"][0]["content"][1],
        json!({"image": {"format": "jpeg", "source": {"bytes": "/9j/4A=="}}})
    );
    for (url, problem) in [
        ("https://example.com/cat.png", "only data: URLs"),
        ("data:image/tiff;base64,AAAA", "PNG, JPEG, GIF or WebP"),
        ("data:image/png,rawdata", "only base64"),
        ("data:image/png;base64,@@@@", "not base64"),
        ("data:image/png;base64", "comma"),
    ] {
        let error = map(user(url)).expect_err(url);
        assert_eq!(
            error.param(),
            Some("messages[0].content[1].image_url.url"),
            "{url}"
        );
        assert!(error.message().contains(problem), "{url}: {error}");
    }
}

#[test]
fn reasoning_details_lead_the_assistant_turn_as_received() {
    let mut body = messages(
        CLAUDE,
        json!([
            {"role": "user", "content": "Weather?"},
            {"role": "assistant", "content": "Let me check.", "tool_calls": [weather_call("t1")],
             "reasoning_details": [
                {"type": "reasoning.text", "text": "I should call the tool.", "signature": "c2lnbmVk"},
                {"type": "reasoning.encrypted", "data": "AAEC"}
             ]},
            {"role": "tool", "tool_call_id": "t1", "content": "Sunny"}
        ]),
    );
    body["tools"] = json!([weather_tool()]);
    body["reasoning_effort"] = json!("low");
    let mapped = map(body).expect("maps");
    let request = serde_json::to_value(&mapped.request).expect("json");
    assert_eq!(
        request["messages"][1]["content"],
        json!([
            {"reasoningContent": {"reasoningText": {"text": "I should call the tool.", "signature": "c2lnbmVk"}}},
            {"reasoningContent": {"redactedContent": "AAEC"}},
            {"text": "Let me check."},
            {"toolUse": {"toolUseId": "t1", "name": "get_weather", "input": {"city": "Paris"}}}
        ])
    );
    assert_eq!(
        request["additionalModelRequestFields"],
        json!({"thinking": {"type": "enabled", "budget_tokens": 1024}})
    );
    assert_eq!(request["inferenceConfig"]["maxTokens"], json!(1024 + 4096));
    let bad = messages(
        CLAUDE,
        json!([{"role": "user", "content": "x"}, {"role": "assistant", "content": "y",
               "reasoning_details": [{"type": "reasoning.encrypted", "data": "not base64!"}]}]),
    );
    assert_eq!(
        map(bad).expect_err("bad data").param(),
        Some("messages[1].reasoning_details[0].data")
    );
}

#[test]
fn reasoning_effort_is_refused_for_models_without_a_switch() {
    let mut body = messages(LLAMA, json!([{"role": "user", "content": "x"}]));
    body["reasoning_effort"] = json!("high");
    let error = map(body).expect_err("no switch");
    assert_eq!(
        (error.status(), error.param()),
        (400, Some("reasoning_effort"))
    );
    let mut forced = messages(CLAUDE, json!([{"role": "user", "content": "x"}]));
    forced["reasoning_effort"] = json!("high");
    forced["tools"] = json!([weather_tool()]);
    forced["tool_choice"] = json!("required");
    assert!(map(forced)
        .expect_err("forced tool")
        .message()
        .contains("forces a tool call"));
}

#[test]
fn temperature_above_one_is_lowered() {
    let mut body = messages(NOVA, json!([{"role": "user", "content": "x"}]));
    body["temperature"] = json!(1.7);
    let mapped = map(body).expect("maps");
    assert_eq!(
        mapped.request.inference_config.and_then(|c| c.temperature),
        Some(1.0)
    );
    assert_eq!(mapped.notes.len(), 1);
}

#[test]
fn model_refs_are_checked_and_stripped() {
    let mapped = map(messages(
        "amazon-bedrock/us.amazon.nova-pro-v1:0",
        json!([{"role": "user", "content": "x"}]),
    ))
    .expect("maps");
    assert_eq!(mapped.model_id, NOVA);
    let error = map(messages(
        "has space",
        json!([{"role": "user", "content": "x"}]),
    ))
    .expect_err("bad ref");
    assert_eq!(error.param(), Some("model"));
}

#[test]
fn cache_control_becomes_cache_points_after_the_marked_item() {
    let body = json!({
        "model": CLAUDE,
        "messages": [
            {"role": "system", "content": [{"type": "text", "text": "Long rules", "cache_control": {"type": "ephemeral", "ttl": "1h"}}]},
            {"role": "user", "content": [{"type": "text", "text": "Doc", "cache_control": {"type": "ephemeral"}}, {"type": "text", "text": "Q"}]}
        ],
        "tools": [{"type": "function", "function": {"name": "f"}, "cache_control": {"type": "ephemeral"}}]
    });
    let request = request_json(body);
    assert_eq!(
        request["system"],
        json!([{"text": "Long rules"}, {"cachePoint": {"type": "default", "ttl": "1h"}}])
    );
    assert_eq!(
        request["messages"][0]["content"],
        json!([{"text": "Doc"}, {"cachePoint": {"type": "default"}}, {"text": "Q"}])
    );
    assert_eq!(
        request["toolConfig"]["tools"],
        json!([{"toolSpec": {"name": "f", "inputSchema": {"json": {"type": "object", "properties": {}}}}},
               {"cachePoint": {"type": "default"}}])
    );
}

#[test]
fn at_most_four_cache_points_and_the_later_ones_win() {
    let marked =
        |text: &str| json!({"type": "text", "text": text, "cache_control": {"type": "ephemeral"}});
    let body = json!({
        "model": CLAUDE,
        "messages": [
            {"role": "system", "content": [marked("s1")]},
            {"role": "user", "content": [marked("u1"), marked("u2"), marked("u3"), marked("u4")]}
        ],
        "tools": [{"type": "function", "function": {"name": "f"}, "cache_control": {"type": "ephemeral"}}]
    });
    let request = request_json(body);
    let points = |value: &Value| {
        value.as_array().map_or(0, |blocks| {
            blocks
                .iter()
                .filter(|b| b.get("cachePoint").is_some())
                .count()
        })
    };
    assert_eq!(points(&request["toolConfig"]["tools"]), 0);
    assert_eq!(points(&request["system"]), 0);
    assert_eq!(points(&request["messages"][0]["content"]), 4);
}

#[test]
fn automatic_prompt_caching_for_models_that_take_it() {
    let body = json!({
        "model": CLAUDE,
        "messages": [{"role": "system", "content": "Rules"}, {"role": "user", "content": "Q"}],
        "tools": [weather_tool()]
    });
    let auto = MappingOptions {
        prompt_caching: PromptCaching::Auto,
    };
    let request = map_with(body.clone(), auto).expect("maps").request;
    assert!(matches!(
        request.system.last(),
        Some(SystemContentBlock::CachePoint(_))
    ));
    let tools = request.tool_config.expect("tools").tools;
    assert!(matches!(tools.last(), Some(Tool::CachePoint(_))));
    // Off: none; a model without caching: none.
    let off = map(body.clone()).expect("maps").request;
    assert!(!matches!(
        off.system.last(),
        Some(SystemContentBlock::CachePoint(_))
    ));
    let mut llama = body;
    llama["model"] = json!(LLAMA);
    let request = map_with(llama, auto).expect("maps").request;
    assert_eq!(request.system.len(), 1);
}

#[test]
fn a_final_assistant_text_loses_its_trailing_whitespace() {
    let body = messages(
        CLAUDE,
        json!([
            {"role": "user", "content": "Start the list "},
            {"role": "assistant", "content": [{"type": "text", "text": "  1. "}, {"type": "text", "text": "apples \n", "cache_control": {"type": "ephemeral"}}]}
        ]),
    );
    let mapped = map(body).expect("maps");
    let request = serde_json::to_value(&mapped.request).expect("json");
    assert_eq!(
        request["messages"][1]["content"],
        json!([{"text": "  1. "}, {"text": "apples"}, {"cachePoint": {"type": "default"}}]),
        "only the end of the final text is trimmed"
    );
    assert_eq!(
        request["messages"][0]["content"],
        json!([{"text": "Start the list "}]),
        "a user turn keeps its whitespace"
    );
    assert!(mapped
        .notes
        .iter()
        .any(|note| note.contains("trailing whitespace")));
    // An assistant turn before the last one keeps its text as it is.
    let earlier = request_json(messages(
        CLAUDE,
        json!([
            {"role": "user", "content": "a"},
            {"role": "assistant", "content": "b \n"},
            {"role": "user", "content": "c"}
        ]),
    ));
    assert_eq!(earlier["messages"][1]["content"], json!([{"text": "b \n"}]));
}

#[test]
fn a_tool_message_without_text_gets_a_placeholder() {
    for content in [json!(""), json!("  "), json!([])] {
        let mut body = messages(
            NOVA,
            json!([
                {"role": "user", "content": "hi"},
                {"role": "assistant", "tool_calls": [weather_call("t1")]},
                {"role": "tool", "tool_call_id": "t1", "content": content}
            ]),
        );
        body["tools"] = json!([weather_tool()]);
        let request = request_json(body);
        assert_eq!(
            request["messages"][2]["content"],
            json!([{"toolResult": {"toolUseId": "t1", "content": [{"text": EMPTY_TOOL_RESULT_TEXT}]}}]),
            "{content}"
        );
    }
    assert!(!is_blank(EMPTY_TOOL_RESULT_TEXT));
}

#[test]
fn cache_control_is_dropped_for_a_model_without_caching() {
    let marked = json!({"type": "ephemeral"});
    let body = json!({
        "model": LLAMA,
        "messages": [
            {"role": "system", "content": [{"type": "text", "text": "Rules", "cache_control": marked}]},
            {"role": "user", "content": [{"type": "text", "text": "Q", "cache_control": marked}]}
        ],
        "tools": [{"type": "function", "function": {"name": "f"}, "cache_control": marked}]
    });
    let mapped = map(body).expect("maps");
    let text = serde_json::to_string(&mapped.request).expect("json");
    assert!(!text.contains("cachePoint"), "{text}");
    assert!(
        mapped
            .notes
            .iter()
            .any(|note| note.contains("dropped 3 cache point")),
        "{:?}",
        mapped.notes
    );
}

#[test]
fn cache_control_is_kept_for_a_model_not_known() {
    let marked = json!({"type": "ephemeral"});
    let profile = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123";
    for model in ["anthropic.claude-opus-9-v1:0", profile] {
        let body = json!({
            "model": model,
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": "Q", "cache_control": marked}]}
            ]
        });
        let mapped = map(body).expect("maps");
        let text = serde_json::to_string(&mapped.request).expect("json");
        assert_eq!(text.matches("cachePoint").count(), 1, "{model}: {text}");
        assert!(
            !mapped.notes.iter().any(|note| note.contains("cache point")),
            "{model}: {:?}",
            mapped.notes
        );
    }
}

/// A random conversation of system, user and assistant text messages (some
/// blank, some marked for caching).
fn any_conversation() -> impl Strategy<Value = Value> {
    let text = prop_oneof![
        Just(""),
        Just(" "),
        Just("\n\t"),
        Just("hi"),
        Just("a b"),
        Just(" x ")
    ];
    let part = (text.clone(), any::<bool>()).prop_map(|(text, cache)| {
        if cache {
            json!({"type": "text", "text": text, "cache_control": {"type": "ephemeral"}})
        } else {
            json!({"type": "text", "text": text})
        }
    });
    let content = prop_oneof![
        text.prop_map(Value::from),
        proptest::collection::vec(part, 1..4).prop_map(Value::from),
    ];
    let role = prop_oneof![
        Just("system"),
        Just("developer"),
        Just("user"),
        Just("assistant")
    ];
    proptest::collection::vec(
        (role, content).prop_map(|(role, content)| json!({"role": role, "content": content})),
        1..12,
    )
    .prop_map(Value::from)
}

proptest! {
    /// Any message list maps to Bedrock messages that start with the user,
    /// alternate roles, hold no blank text and at most four cache points, and
    /// no message is empty; or, when nothing is left to send, to a 400.
    #[test]
    fn any_conversation_maps_to_an_acceptable_one(conversation in any_conversation(), auto in any::<bool>()) {
        let body = json!({"model": CLAUDE, "messages": conversation});
        let options = MappingOptions {
            prompt_caching: if auto { PromptCaching::Auto } else { PromptCaching::Off },
        };
        let has_content = conversation.as_array().into_iter().flatten().any(|m| {
            let role = m["role"].as_str().unwrap_or("");
            let blank = |t: &Value| t.as_str().is_none_or(|t| t.trim().is_empty());
            (role == "user" || role == "assistant")
                && match &m["content"] {
                    Value::Array(parts) => parts.iter().any(|p| !blank(&p["text"])),
                    other => !blank(other),
                }
        });
        match map_with(body, options) {
            Err(error) => {
                prop_assert!(!has_content, "refused: {}", error);
                prop_assert_eq!(error.param(), Some("messages"));
            }
            Ok(mapped) => {
                let messages = &mapped.request.messages;
                prop_assert!(has_content);
                prop_assert_eq!(&messages[0].role, &ConversationRole::User);
                for pair in messages.windows(2) {
                    prop_assert_ne!(&pair[0].role, &pair[1].role);
                }
                let mut points = mapped.request.system.iter()
                    .filter(|b| matches!(b, SystemContentBlock::CachePoint(_))).count();
                for message in messages {
                    prop_assert!(!message.content.is_empty());
                    prop_assert!(!matches!(message.content.first(), Some(ContentBlock::CachePoint(_))));
                    for block in &message.content {
                        if let ContentBlock::Text(text) = block {
                            prop_assert!(!text.trim().is_empty());
                        }
                        points += usize::from(matches!(block, ContentBlock::CachePoint(_)));
                    }
                }
                for block in &mapped.request.system {
                    if let SystemContentBlock::Text(text) = block {
                        prop_assert!(!text.trim().is_empty());
                    }
                }
                prop_assert!(points <= MAX_CACHE_POINTS);
                if let Some(last) = messages.last().filter(|m| m.role == ConversationRole::Assistant) {
                    let final_text = last.content.iter().rev()
                        .find(|b| !matches!(b, ContentBlock::CachePoint(_)));
                    if let Some(ContentBlock::Text(text)) = final_text {
                        prop_assert_eq!(text.trim_end(), text.as_str());
                    }
                }
            }
        }
    }
}

/// The model ref, the system prompt and max_tokens map; blank text is dropped.
#[test]
fn maps_model_system_and_drops_blank_text() -> Result<(), crate::gateway::errors::GatewayError> {
    use crate::gateway::openai::ChatRequest;
    use crate::gateway::to_bedrock::{to_converse, MappingOptions};
    let body = br#"{"model": "amazon-bedrock/us.amazon.nova-pro-v1:0", "max_tokens": 100,
      "messages": [{"role": "system", "content": "Be brief."},
                   {"role": "user", "content": "Hi"}, {"role": "user", "content": "  "}]}"#;
    let mapped = to_converse(
        &ChatRequest::from_json(body)?,
        &MappingOptions::default(),
        None,
    )?;
    assert_eq!(mapped.model_id, "us.amazon.nova-pro-v1:0");
    assert_eq!(
        serde_json::to_value(&mapped.request).unwrap(),
        serde_json::json!({
            "messages": [{"role": "user", "content": [{"text": "Hi"}]}],
            "system": [{"text": "Be brief."}],
            "inferenceConfig": {"maxTokens": 100}
        })
    );
    Ok(())
}
