use super::*;
use proptest::prelude::*;
use serde_json::json;

fn parse(body: Value) -> Result<ChatRequest, GatewayError> {
    ChatRequest::from_json(body.to_string().as_bytes())
}

fn with_messages(messages: Value) -> Value {
    json!({"model": "amazon.nova-pro-v1:0", "messages": messages})
}

/// The field a bad body is refused for.
fn refused_param(body: Value) -> String {
    let error = parse(body.clone()).expect_err(&body.to_string());
    assert_eq!(error.status(), 400, "{body}");
    assert_eq!(error.kind().as_str(), "invalid_request_error");
    error.param().unwrap_or("").to_owned()
}

#[test]
fn reads_every_field_of_the_contract() {
    let request = parse(json!({
        "model": "amazon-bedrock/us.anthropic.claude-sonnet-4-5",
        "messages": [
            {"role": "system", "content": [{"type": "text", "text": "Sys", "cache_control": {"type": "ephemeral"}}]},
            {"role": "developer", "content": "Dev"},
            {"role": "user", "content": [
                {"type": "text", "text": "Look"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw==", "detail": "low"},
                 "cache_control": {"type": "ephemeral", "ttl": "1h"}}
            ]},
            {"role": "assistant", "content": null, "reasoning_content": "hmm",
             "reasoning_details": [
                {"type": "reasoning.text", "text": "T", "signature": "S"},
                {"type": "reasoning.summary", "summary": "skipped"},
                {"type": "reasoning.encrypted", "data": "AAE="}
             ],
             "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{\"a\":1}"}}]},
            {"role": "tool", "tool_call_id": "call_1", "content": "42"}
        ],
        "max_tokens": 10, "max_completion_tokens": 20, "temperature": 1.5, "top_p": 0.5,
        "stop": "END", "stream": true, "stream_options": {"include_usage": true},
        "tools": [{"type": "function", "function": {"name": "f", "description": "d",
                   "parameters": {"type": "object"}, "strict": true}, "cache_control": {"type": "ephemeral"}}],
        "tool_choice": {"type": "function", "function": {"name": "f"}},
        "reasoning_effort": "medium",
        "n": 1, "user": "ignored", "some_future_field": {"x": 1}
    }))
    .expect("reads");
    assert_eq!(
        request.model,
        "amazon-bedrock/us.anthropic.claude-sonnet-4-5"
    );
    assert_eq!(request.max_tokens, Some(20), "max_completion_tokens wins");
    assert_eq!((request.temperature, request.top_p), (Some(1.5), Some(0.5)));
    assert_eq!(request.stop, ["END"]);
    assert!(request.stream && request.include_usage);
    assert_eq!(request.reasoning_effort, Some(Effort::Medium));
    assert_eq!(
        request.tool_choice,
        Some(ToolChoiceOption::Function("f".into()))
    );
    let tool = &request.tools[0];
    assert_eq!(tool.name, "f");
    assert_eq!(tool.parameters, Some(json!({"type": "object"})));
    assert_eq!((tool.strict, tool.cache.is_some()), (Some(true), true));
    let [ChatMessage::System(system), ChatMessage::System(developer), ChatMessage::User(user), ChatMessage::Assistant(assistant), ChatMessage::Tool(tool_result)] =
        request.messages.as_slice()
    else {
        panic!("five messages of the right kinds: {:?}", request.messages);
    };
    assert_eq!(system[0].cache, Some(CacheControl { ttl: None }));
    assert_eq!(developer[0].text, "Dev");
    assert_eq!(
        user[1],
        UserPart::Image(ImagePart {
            url: "data:image/png;base64,iVBORw==".into(),
            cache: Some(CacheControl {
                ttl: Some(CacheTtl::OneHour)
            }),
        })
    );
    assert_eq!(
        assistant.reasoning_details,
        [
            ReasoningDetail::Text {
                text: "T".into(),
                signature: Some("S".into())
            },
            ReasoningDetail::Encrypted {
                data: "AAE=".into()
            }
        ]
    );
    assert_eq!(assistant.tool_calls[0].arguments, "{\"a\":1}");
    assert!(assistant.content.is_empty());
    assert_eq!(tool_result.tool_call_id, "call_1");
    assert_eq!(tool_result.content[0].text, "42");
}

#[test]
fn wrong_types_are_400s_naming_the_field() {
    let user = |content: Value| with_messages(json!([{"role": "user", "content": content}]));
    let cases = [
        (json!({"messages": []}), "model"),
        (json!({"model": "", "messages": []}), "model"),
        (json!({"model": "m"}), "messages"),
        (json!({"model": "m", "messages": {}}), "messages"),
        (with_messages(json!([])), "messages"),
        (with_messages(json!(["hi"])), "messages[0]"),
        (with_messages(json!([{"content": "x"}])), "messages[0].role"),
        (
            with_messages(json!([{"role": "robot", "content": "x"}])),
            "messages[0].role",
        ),
        (
            with_messages(json!([{"role": "user"}])),
            "messages[0].content",
        ),
        (user(json!(7)), "messages[0].content"),
        (
            user(json!([{"type": "text"}])),
            "messages[0].content[0].text",
        ),
        (
            user(json!([{"type": "input_audio"}])),
            "messages[0].content[0].type",
        ),
        (
            user(json!([{"type": "image_url", "image_url": "x"}])),
            "messages[0].content[0].image_url",
        ),
        (
            user(json!([{"type": "image_url", "image_url": {"url": 1}}])),
            "messages[0].content[0].image_url.url",
        ),
        (
            user(json!([{"type": "text", "text": "a", "cache_control": {"type": "persistent"}}])),
            "messages[0].content[0].cache_control.type",
        ),
        (
            user(
                json!([{"type": "text", "text": "a", "cache_control": {"type": "ephemeral", "ttl": "2h"}}]),
            ),
            "messages[0].content[0].cache_control.ttl",
        ),
        (
            with_messages(json!([{"role": "system", "content": [{"type": "image_url"}]}])),
            "messages[0].content[0].type",
        ),
        (
            with_messages(json!([{"role": "tool", "content": "x"}])),
            "messages[0].tool_call_id",
        ),
        (
            with_messages(
                json!([{"role": "assistant", "tool_calls": [{"id": "c", "type": "custom"}]}]),
            ),
            "messages[0].tool_calls[0].type",
        ),
        (
            with_messages(
                json!([{"role": "assistant", "tool_calls": [{"id": "c", "function": {"arguments": "{}"}}]}]),
            ),
            "messages[0].tool_calls[0].function.name",
        ),
        (
            with_messages(
                json!([{"role": "assistant", "tool_calls": [{"id": "c", "function": {"name": "f", "arguments": {}}}]}]),
            ),
            "messages[0].tool_calls[0].function.arguments",
        ),
        (
            with_messages(
                json!([{"role": "assistant", "reasoning_details": [{"type": "reasoning.text"}]}]),
            ),
            "messages[0].reasoning_details[0].text",
        ),
        (
            with_messages(json!([{"role": "assistant", "reasoning_content": 5}])),
            "messages[0].reasoning_content",
        ),
    ];
    for (body, param) in cases {
        assert_eq!(refused_param(body.clone()), param, "{body}");
    }
    let top_level = [
        ("max_tokens", json!("100")),
        ("max_tokens", json!(0)),
        ("max_completion_tokens", json!(-1)),
        ("temperature", json!(3)),
        ("temperature", json!("hot")),
        ("top_p", json!(1.5)),
        ("stop", json!(5)),
        ("stop", json!(["a", 5])),
        ("stream", json!("yes")),
        ("stream_options", json!(true)),
        ("tools", json!({})),
        ("tools", json!([{"type": "code_interpreter"}])),
        ("tool_choice", json!("any")),
        ("tool_choice", json!({"type": "function"})),
        ("reasoning_effort", json!("extreme")),
        ("n", json!(2)),
    ];
    for (field, value) in top_level {
        let mut body = with_messages(json!([{"role": "user", "content": "hi"}]));
        body[field] = value.clone();
        let param = refused_param(body);
        assert!(
            param.starts_with(field),
            "{field} = {value}: refused for {param}"
        );
    }
}

#[test]
fn bad_json_and_non_objects() {
    let error = ChatRequest::from_json(b"{not json").expect_err("bad json");
    assert_eq!((error.status(), error.code()), (400, "invalid_json"));
    let error = ChatRequest::from_json(b"[1]").expect_err("array");
    assert_eq!(error.message(), "request body: expected a JSON object");
}

#[test]
fn nulls_and_optional_forms() {
    let request = parse(json!({
        "model": "m",
        "messages": [{"role": "user", "content": "hi"},
                     {"role": "assistant", "content": [{"type": "refusal", "refusal": "no"}]}],
        "temperature": null, "tools": null, "tool_choice": "none", "stop": ["a", "b"],
        "reasoning_effort": "none", "stream_options": {"include_usage": null}
    }))
    .expect("reads");
    assert_eq!(request.temperature, None);
    assert_eq!(request.tool_choice, Some(ToolChoiceOption::None));
    assert_eq!(request.stop, ["a", "b"]);
    assert_eq!(request.reasoning_effort, None);
    assert!(!request.include_usage && !request.stream);
    let ChatMessage::Assistant(turn) = &request.messages[1] else {
        panic!("assistant");
    };
    assert_eq!(turn.content[0].text, "no");
    let minimal = parse(json!({"model": "m", "messages": [{"role": "user", "content": "x"}], "reasoning_effort": "minimal"}))
        .expect("reads");
    assert_eq!(minimal.reasoning_effort, Some(Effort::Low));
}

#[test]
fn response_shapes_serialise_as_openai_clients_read_them() {
    let chunk = ChatCompletionChunk {
        id: "chatcmpl-1",
        object: "chat.completion.chunk",
        created: 7,
        model: "m",
        choices: vec![ChunkChoice {
            index: 0,
            delta: Delta {
                tool_calls: &[ToolCallDelta {
                    index: 0,
                    id: Some("t"),
                    r#type: Some("function"),
                    function: FunctionDelta {
                        name: Some("f"),
                        arguments: "",
                    },
                }],
                ..Delta::default()
            },
            finish_reason: None,
        }],
        usage: None,
    };
    assert_eq!(
        serde_json::to_value(&chunk).expect("json"),
        json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 7, "model": "m",
               "choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "id": "t", "type": "function",
                            "function": {"name": "f", "arguments": ""}}]}, "finish_reason": null}]})
    );
    let list = ModelList::new(vec![
        ModelObject::new("meta.llama3-3-70b-instruct-v1:0", 5),
        ModelObject::new(
            "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/x",
            5,
        ),
    ]);
    assert_eq!(
        serde_json::to_value(&list).expect("json"),
        json!({"object": "list", "data": [
            {"id": "meta.llama3-3-70b-instruct-v1:0", "object": "model", "created": 5, "owned_by": "meta"},
            {"id": "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/x", "object": "model", "created": 5, "owned_by": "amazon-bedrock"}
        ]})
    );
}

proptest! {
    /// No JSON body makes the reader panic, and every refusal is a 400.
    #[test]
    fn never_panics_on_any_json(body in arbitrary_json()) {
        if let Err(error) = ChatRequest::from_json(body.to_string().as_bytes()) {
            prop_assert_eq!(error.status(), 400);
        }
    }

    /// Any bytes at all: a 400, never a panic.
    #[test]
    fn never_panics_on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        if let Err(error) = ChatRequest::from_json(&bytes) {
            prop_assert_eq!(error.status(), 400);
        }
    }
}

/// JSON values shaped like chat requests, with every member sometimes of the
/// wrong type.
fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-3.0f64..3.0).prop_map(Value::from),
        prop_oneof![
            Just("user"),
            Just("assistant"),
            Just("system"),
            Just("tool"),
            Just("text"),
            Just("image_url"),
            Just("function"),
            Just("reasoning.text"),
            Just("data:image/png;base64,AAAA"),
            Just("low"),
            Just("")
        ]
        .prop_map(Value::from),
    ];
    let keys = prop_oneof![
        Just("model"),
        Just("messages"),
        Just("role"),
        Just("content"),
        Just("type"),
        Just("text"),
        Just("image_url"),
        Just("url"),
        Just("tool_calls"),
        Just("function"),
        Just("name"),
        Just("arguments"),
        Just("id"),
        Just("tool_call_id"),
        Just("tools"),
        Just("tool_choice"),
        Just("stop"),
        Just("max_tokens"),
        Just("temperature"),
        Just("stream_options"),
        Just("include_usage"),
        Just("cache_control"),
        Just("reasoning_details"),
        Just("reasoning_effort"),
        Just("parameters")
    ];
    leaf.prop_recursive(4, 64, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::btree_map(keys.clone().prop_map(str::to_owned), inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// A request reads; a bad one names its field.
#[test]
fn reads_a_request_and_names_a_bad_field() -> Result<(), crate::gateway::errors::GatewayError> {
    use crate::gateway::openai::{ChatMessage, ChatRequest};
    let body = br#"{"model": "amazon.nova-lite-v1:0", "messages": [{"role": "user", "content": "Hi"}], "stream": true}"#;
    let request = ChatRequest::from_json(body)?;
    assert_eq!(request.model, "amazon.nova-lite-v1:0");
    assert!(request.stream && matches!(request.messages[0], ChatMessage::User(_)));

    let bad = br#"{"model": "m", "messages": [{"role": "user", "content": 7}]}"#;
    let error = ChatRequest::from_json(bad).unwrap_err();
    assert_eq!(error.param(), Some("messages[0].content"));
    Ok(())
}

/// A model's `owned_by` is its provider.
#[test]
fn owned_by_is_the_provider() {
    use crate::gateway::openai::ModelObject;
    let model = ModelObject::new("us.anthropic.claude-sonnet-4-5-20250929-v1:0", 0);
    assert_eq!(model.owned_by, "anthropic");
}
