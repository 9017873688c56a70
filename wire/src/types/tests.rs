//! Request and response shapes: the wire names, what is left out, round trips,
//! and tolerant reading of realistic responses. (Stream events: `stream.rs`.)

use std::collections::BTreeMap;

use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use serde_json::{json, Value};

use super::*;

fn user(content: Vec<ContentBlock>) -> Message {
    Message::new(ConversationRole::User, content)
}

fn cache_point(ttl: Option<CacheTtl>) -> CachePointBlock {
    CachePointBlock {
        r#type: CachePointType::Default,
        ttl,
        extra: UnknownMembers::new(),
    }
}

#[test]
fn a_minimal_request_writes_only_what_is_set() {
    let request = ConverseRequest {
        messages: vec![user(vec![ContentBlock::Text("Hi".into())])],
        inference_config: Some(InferenceConfiguration {
            max_tokens: Some(512),
            ..Default::default()
        }),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_string(&request).expect("writes"),
        r#"{"messages":[{"role":"user","content":[{"text":"Hi"}]}],"inferenceConfig":{"maxTokens":512}}"#
    );
    assert_eq!(
        serde_json::to_string(&ConverseRequest::default()).expect("writes"),
        "{}"
    );
}

#[test]
fn a_full_request_uses_the_model_names() {
    let image = ImageBlock {
        format: ImageFormat::Png,
        source: MediaSource::Bytes(Blob(b"\x89PNG".to_vec())),
        error: None,
        extra: UnknownMembers::new(),
    };
    let request = ConverseRequest {
        messages: vec![
            user(vec![
                ContentBlock::Text("Describe these.".into()),
                ContentBlock::Image(image.clone()),
                ContentBlock::Document(DocumentBlock {
                    format: Some(DocumentFormat::Pdf),
                    name: "report".into(),
                    source: DocumentSource::S3Location(S3Location {
                        uri: "s3://bucket/report.pdf".into(),
                        bucket_owner: Some("123456789012".into()),
                        extra: UnknownMembers::new(),
                    }),
                    context: Some("Q3".into()),
                    citations: Some(CitationsConfig {
                        enabled: true,
                        extra: UnknownMembers::new(),
                    }),
                    extra: UnknownMembers::new(),
                }),
                ContentBlock::Video(VideoBlock {
                    format: VideoFormat::ThreeGp,
                    source: MediaSource::Bytes(Blob(vec![0, 1])),
                    extra: UnknownMembers::new(),
                }),
                ContentBlock::GuardContent(GuardrailConverseContentBlock::Text(
                    GuardrailConverseTextBlock {
                        text: "guard me".into(),
                        qualifiers: vec![GuardrailConverseContentQualifier::GuardContent],
                        extra: UnknownMembers::new(),
                    },
                )),
                ContentBlock::CachePoint(cache_point(Some(CacheTtl::OneHour))),
            ]),
            Message {
                role: ConversationRole::Assistant,
                content: vec![
                    ContentBlock::ReasoningContent(ReasoningContentBlock::ReasoningText(
                        ReasoningTextBlock {
                            text: "Let me look.".into(),
                            signature: Some("sig".into()),
                            extra: UnknownMembers::new(),
                        },
                    )),
                    ContentBlock::ReasoningContent(ReasoningContentBlock::RedactedContent(Blob(
                        b"xyz".to_vec(),
                    ))),
                    ContentBlock::ToolUse(ToolUseBlock {
                        tool_use_id: "tooluse_1".into(),
                        name: "lookup".into(),
                        input: json!({"q": "weather"}),
                        r#type: None,
                        extra: UnknownMembers::new(),
                    }),
                ],
                extra: UnknownMembers::new(),
            },
            user(vec![ContentBlock::ToolResult(ToolResultBlock {
                tool_use_id: "tooluse_1".into(),
                content: vec![
                    ToolResultContentBlock::Json(json!({"temp": 21})),
                    ToolResultContentBlock::Text("sunny".into()),
                    ToolResultContentBlock::Image(image),
                ],
                status: Some(ToolResultStatus::Success),
                r#type: None,
                extra: UnknownMembers::new(),
            })]),
        ],
        system: vec![
            SystemContentBlock::Text("Be brief.".into()),
            SystemContentBlock::CachePoint(cache_point(None)),
        ],
        inference_config: Some(InferenceConfiguration {
            max_tokens: Some(1024),
            temperature: Some(0.5),
            top_p: Some(0.25),
            stop_sequences: vec!["END".into()],
        }),
        tool_config: Some(ToolConfiguration {
            tools: vec![
                Tool::ToolSpec(ToolSpecification {
                    name: "lookup".into(),
                    description: Some("Looks things up".into()),
                    input_schema: ToolInputSchema::Json(json!({"type": "object"})),
                    strict: Some(true),
                }),
                Tool::SystemTool(SystemTool {
                    name: "nova_grounding".into(),
                }),
                Tool::CachePoint(cache_point(None)),
            ],
            tool_choice: Some(ToolChoice::Tool(SpecificToolChoice {
                name: "lookup".into(),
            })),
        }),
        guardrail_config: Some(GuardrailConfiguration {
            guardrail_identifier: Some("abc123".into()),
            guardrail_version: Some("1".into()),
            trace: Some(GuardrailTrace::EnabledFull),
            stream_processing_mode: Some(GuardrailStreamProcessingMode::Async),
        }),
        additional_model_request_fields: Some(json!({"top_k": 5})),
        prompt_variables: BTreeMap::from([(
            "topic".to_owned(),
            PromptVariableValues::Text("rust".into()),
        )]),
        additional_model_response_field_paths: vec!["/stop_sequence".into()],
        request_metadata: BTreeMap::from([("team".to_owned(), "ml".to_owned())]),
        performance_config: Some(PerformanceConfiguration {
            latency: Some(PerformanceConfigLatency::Optimized),
        }),
        service_tier: Some(ServiceTier {
            r#type: ServiceTierType::Flex,
        }),
        output_config: Some(OutputConfig {
            text_format: Some(OutputFormat {
                r#type: OutputFormatType::JsonSchema,
                structure: OutputFormatStructure::JsonSchema(JsonSchemaDefinition {
                    schema: r#"{"type":"object"}"#.into(),
                    name: Some("answer".into()),
                    description: None,
                }),
            }),
            effort: Some("high".into()),
        }),
    };
    let expected = json!({
        "messages": [
            {"role": "user", "content": [
                {"text": "Describe these."},
                {"image": {"format": "png", "source": {"bytes": "iVBORw=="}}},
                {"document": {"format": "pdf", "name": "report",
                    "source": {"s3Location": {"uri": "s3://bucket/report.pdf", "bucketOwner": "123456789012"}},
                    "context": "Q3", "citations": {"enabled": true}}},
                {"video": {"format": "three_gp", "source": {"bytes": "AAE="}}},
                {"guardContent": {"text": {"text": "guard me", "qualifiers": ["guard_content"]}}},
                {"cachePoint": {"type": "default", "ttl": "1h"}}
            ]},
            {"role": "assistant", "content": [
                {"reasoningContent": {"reasoningText": {"text": "Let me look.", "signature": "sig"}}},
                {"reasoningContent": {"redactedContent": "eHl6"}},
                {"toolUse": {"toolUseId": "tooluse_1", "name": "lookup", "input": {"q": "weather"}}}
            ]},
            {"role": "user", "content": [
                {"toolResult": {"toolUseId": "tooluse_1", "status": "success", "content": [
                    {"json": {"temp": 21}},
                    {"text": "sunny"},
                    {"image": {"format": "png", "source": {"bytes": "iVBORw=="}}}
                ]}}
            ]}
        ],
        "system": [{"text": "Be brief."}, {"cachePoint": {"type": "default"}}],
        "inferenceConfig": {"maxTokens": 1024, "temperature": 0.5, "topP": 0.25, "stopSequences": ["END"]},
        "toolConfig": {
            "tools": [
                {"toolSpec": {"name": "lookup", "description": "Looks things up",
                    "inputSchema": {"json": {"type": "object"}}, "strict": true}},
                {"systemTool": {"name": "nova_grounding"}},
                {"cachePoint": {"type": "default"}}
            ],
            "toolChoice": {"tool": {"name": "lookup"}}
        },
        "guardrailConfig": {"guardrailIdentifier": "abc123", "guardrailVersion": "1",
            "trace": "enabled_full", "streamProcessingMode": "async"},
        "additionalModelRequestFields": {"top_k": 5},
        "promptVariables": {"topic": {"text": "rust"}},
        "additionalModelResponseFieldPaths": ["/stop_sequence"],
        "requestMetadata": {"team": "ml"},
        "performanceConfig": {"latency": "optimized"},
        "serviceTier": {"type": "flex"},
        "outputConfig": {"textFormat": {"type": "json_schema",
            "structure": {"jsonSchema": {"schema": "{\"type\":\"object\"}", "name": "answer"}}},
            "effort": "high"}
    });
    assert_eq!(serde_json::to_value(&request).expect("writes"), expected);
    let back: ConverseRequest = serde_json::from_value(expected).expect("reads");
    assert_eq!(back, request);
}

#[test]
fn tool_choices_are_empty_objects() {
    let auto = serde_json::to_string(&ToolChoice::Auto(EmptyObject {})).expect("writes");
    assert_eq!(auto, r#"{"auto":{}}"#);
    let any: ToolChoice = serde_json::from_str(r#"{"any":{}}"#).expect("reads");
    assert_eq!(any, ToolChoice::Any(EmptyObject {}));
}

#[test]
fn a_realistic_response_reads_with_unknown_members_kept() {
    let body = json!({
        "output": {"message": {"role": "assistant", "content": [
            {"reasoningContent": {"reasoningText": {"text": "Thinking", "signature": "EqQBCkgIARABGAIiQM"}}},
            {"text": "Here you go."},
            {"toolUse": {"toolUseId": "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", "name": "top_song",
                "input": {"sign": "WZPZ"}}},
            {"hologram": {"frames": 3}},
            {"citationsContent": {"content": [{"text": "cited"}], "citations": [
                {"title": "Doc", "sourceContent": [{"text": "passage"}],
                 "location": {"documentChar": {"documentIndex": 0, "start": 3, "end": 9}}},
                {"location": {"webPageRange": {"url": "https://example.com"}}}
            ]}}
        ]}},
        "stopReason": "tool_use",
        "usage": {"inputTokens": 30, "outputTokens": 12, "totalTokens": 42,
            "cacheReadInputTokens": 20, "cacheWriteInputTokens": 0,
            "cacheDetails": [{"ttl": "5m", "inputTokens": 20}], "futureCounter": 1},
        "metrics": {"latencyMs": 1234},
        "additionalModelResponseFields": {"stop_sequence": null},
        "performanceConfig": {"latency": "standard"},
        "serviceTier": {"type": "default"},
        "someNewTopLevelField": {"x": [1, 2]}
    });
    let response: ConverseResponse = serde_json::from_value(body.clone()).expect("reads");
    assert_eq!(response.stop_reason, StopReason::ToolUse);
    assert_eq!(response.usage.total_tokens, 42);
    assert_eq!(response.usage.cache_read_input_tokens, Some(20));
    assert_eq!(response.metrics.latency_ms, 1234);
    let ConverseOutput::Message(message) = &response.output else {
        panic!("a message: {:?}", response.output);
    };
    assert_eq!(message.role, ConversationRole::Assistant);
    assert_eq!(
        message.content[1],
        ContentBlock::Text("Here you go.".into())
    );
    let ContentBlock::ToolUse(tool_use) = &message.content[2] else {
        panic!("a tool use");
    };
    assert_eq!(tool_use.input["sign"], "WZPZ");
    assert_eq!(
        message.content[3],
        ContentBlock::Unknown(json!({"hologram": {"frames": 3}}))
    );
    let ContentBlock::CitationsContent(cited) = &message.content[4] else {
        panic!("citations");
    };
    assert_eq!(
        cited.citations[0].location,
        Some(CitationLocation::DocumentChar(DocumentSpan {
            document_index: Some(0),
            start: Some(3),
            end: Some(9),
            extra: UnknownMembers::new(),
        }))
    );
    assert!(matches!(
        cited.citations[1].location,
        Some(CitationLocation::Unknown(_))
    ));

    // The message goes back into the next request unchanged, unknown block included.
    let again = serde_json::to_value(message).expect("writes");
    assert_eq!(again, body["output"]["message"]);
}

#[test]
fn unknown_enum_values_and_union_members_are_kept() {
    let body = json!({
        "output": {"futureOutput": {"a": 1}},
        "stopReason": "brand_new_reason",
        "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2},
        "metrics": {"latencyMs": 5}
    });
    let response: ConverseResponse = serde_json::from_value(body.clone()).expect("reads");
    assert_eq!(
        response.stop_reason,
        StopReason::Unknown("brand_new_reason".into())
    );
    assert_eq!(
        response.output,
        ConverseOutput::Unknown(json!({"futureOutput": {"a": 1}}))
    );
    assert_eq!(serde_json::to_value(&response).expect("writes"), body);
    let image: ImageBlock =
        serde_json::from_value(json!({"format": "avif", "source": {"bytes": "AA=="}}))
            .expect("reads");
    assert_eq!(image.format, ImageFormat::Unknown("avif".into()));
}

#[test]
fn a_known_union_member_that_does_not_read_is_an_error_naming_it() {
    let error = serde_json::from_str::<ContentBlock>(r#"{"toolUse": {"name": "x", "input": {}}}"#)
        .expect_err("no toolUseId");
    assert_eq!(error.to_string(), "`toolUse`: missing field `toolUseId`");
    let body = json!({
        "output": {"message": {"role": "assistant", "content": [
            {"text": "fine"},
            {"toolResult": {"toolUseId": "t", "content": [{"image": {"format": "png", "source": {"bytes": 7}}}]}}
        ]}},
        "stopReason": "end_turn"
    });
    let message = serde_json::from_value::<ConverseResponse>(body)
        .expect_err("a bad image")
        .to_string();
    assert_eq!(
        message,
        "`output.message.content[1].toolResult.content[0].image.source.bytes`: \
         invalid type: integer `7`, expected a base64 string"
    );
    assert!(!message.contains('\n'), "{message}");
    // A text where a structure belongs, and a structure where text belongs.
    assert!(serde_json::from_str::<ContentBlock>(r#"{"reasoningContent": "x"}"#).is_err());
    assert!(serde_json::from_str::<SystemContentBlock>(r#"{"text": {"a": 1}}"#).is_err());
    assert!(serde_json::from_str::<Tool>(r#"{"toolSpec": {"name": "t"}}"#).is_err());
    assert!(serde_json::from_str::<ToolChoice>(r#"{"tool": {}}"#).is_err());
}

#[test]
fn unknown_union_members_are_kept_whole_and_nulls_give_way() {
    let novel = json!({"hologram": {"frames": [1, 2]}, "other": null});
    let block: ContentBlock = serde_json::from_value(novel.clone()).expect("reads");
    assert_eq!(block, ContentBlock::Unknown(novel.clone()));
    assert_eq!(block.member_name(), "hologram");
    assert_eq!(serde_json::to_value(&block).expect("writes"), novel);
    // A null known member is absent, unless null is a value of its type.
    let block: ContentBlock =
        serde_json::from_str(r#"{"text": null, "image": null, "hologram": 1}"#).expect("reads");
    assert_eq!(block, ContentBlock::Unknown(json!({"hologram": 1})));
    let json: ToolResultContentBlock = serde_json::from_str(r#"{"json": null}"#).expect("reads");
    assert_eq!(json, ToolResultContentBlock::Json(Value::Null));
    // Two known members are an error whatever their order (as the AWS SDKs'
    // "mixed variants"), a `null` beside a value is not.
    for mixed in [
        r#"{"text": "a", "image": {"format": "png", "source": {"bytes": ""}}}"#,
        r#"{"image": {"format": "png", "source": {"bytes": ""}}, "text": "a"}"#,
    ] {
        let error = serde_json::from_str::<ContentBlock>(mixed).expect_err("two members");
        assert!(
            error.to_string().starts_with("more than one member: `"),
            "{error}"
        );
    }
    for with_null in [
        r#"{"text": "a", "image": null}"#,
        r#"{"image": null, "text": "a"}"#,
    ] {
        let block: ContentBlock = serde_json::from_str(with_null).expect("reads");
        assert_eq!(block, ContentBlock::Text("a".into()));
    }
    // The same rules where a union is read straight from the stream's frame.
    for mixed in [
        r#"{"contentBlockIndex": 0, "delta": {"text": "a", "toolUse": {"input": "{}"}}}"#,
        r#"{"contentBlockIndex": 0, "delta": {"toolUse": {"input": "{}"}, "text": "a"}}"#,
    ] {
        let error = parse_event("contentBlockDelta", mixed.as_bytes()).expect_err("two members");
        assert!(
            error.to_string().contains("more than one member: `"),
            "{error}"
        );
    }
    let payload = br#"{"contentBlockIndex": 0, "delta": {"toolUse": null, "x": 1, "text": "a"}}"#;
    let StreamEvent::ContentBlockDelta(event) =
        parse_event("contentBlockDelta", payload).expect("reads")
    else {
        panic!("a delta");
    };
    assert_eq!(event.delta, ContentBlockDelta::Text("a".into()));
    assert!(ContentBlock::is_known_member("citationsContent"));
    assert!(!ContentBlock::is_known_member("hologram"));
}

#[test]
fn missing_response_counters_read_as_zero_but_missing_unions_do_not() {
    let body = json!({"output": {"message": {"role": "assistant", "content": []}}, "stopReason": "end_turn"});
    let response: ConverseResponse = serde_json::from_value(body).expect("reads");
    assert_eq!(response.usage, TokenUsage::default());
    assert_eq!(response.metrics.latency_ms, 0);
    let error = serde_json::from_value::<ConverseResponse>(json!({"stopReason": "end_turn"}))
        .expect_err("no output");
    assert!(error.to_string().contains("output"), "{error}");
}

#[test]
fn a_guardrail_trace_reads() {
    let body = json!({
        "output": {"message": {"role": "assistant", "content": [{"text": "Sorry."}]}},
        "stopReason": "guardrail_intervened",
        "usage": {"inputTokens": 5, "outputTokens": 2, "totalTokens": 7},
        "metrics": {"latencyMs": 80},
        "trace": {
            "guardrail": {
                "modelOutput": ["raw output"],
                "inputAssessment": {"abc123": {
                    "contentPolicy": {"filters": [{"type": "VIOLENCE", "confidence": "HIGH",
                        "filterStrength": "HIGH", "action": "BLOCKED", "detected": true}]},
                    "topicPolicy": {"topics": [{"name": "Finance", "type": "DENY", "action": "BLOCKED"}]},
                    "wordPolicy": {"customWords": [{"match": "darn", "action": "NONE"}]},
                    "sensitiveInformationPolicy": {
                        "piiEntities": [{"match": "a@b.c", "type": "EMAIL", "action": "ANONYMIZED"}],
                        "regexes": [{"name": "id", "match": "X-1", "regex": "X-\\d", "action": "BLOCKED"}]},
                    "contextualGroundingPolicy": {"filters": [{"type": "GROUNDING", "threshold": 0.75,
                        "score": 0.5, "action": "BLOCKED", "detected": true}]},
                    "automatedReasoningPolicy": {"findings": [
                        {"valid": {"supportingRules": [{"identifier": "r1"}]}},
                        {"tooComplex": {}},
                        {"quantumLeap": {}}
                    ]},
                    "invocationMetrics": {"guardrailProcessingLatency": 120,
                        "usage": {"topicPolicyUnits": 1, "contentPolicyUnits": 1, "wordPolicyUnits": 1,
                            "sensitiveInformationPolicyUnits": 1, "sensitiveInformationPolicyFreeUnits": 0,
                            "contextualGroundingPolicyUnits": 0},
                        "guardrailCoverage": {"textCharacters": {"guarded": 10, "total": 12}}},
                    "appliedGuardrailDetails": {"guardrailId": "abc123", "guardrailOrigin": ["REQUEST"]}
                }},
                "outputAssessments": {"abc123": [{"wordPolicy": {"customWords": []}}]},
                "actionReason": "Guardrail blocked."
            },
            "promptRouter": {"invokedModelId": "arn:aws:bedrock:us-east-1::foundation-model/x.y"}
        }
    });
    let response: ConverseResponse = serde_json::from_value(body).expect("reads");
    let trace = response.trace.expect("a trace");
    let guardrail = trace.guardrail.expect("a guardrail trace");
    let input = &guardrail.input_assessment["abc123"];
    let filter = &input.content_policy.as_ref().expect("content").filters[0];
    assert_eq!(
        (filter.r#type.as_str(), filter.action.as_str()),
        ("VIOLENCE", "BLOCKED")
    );
    let grounding = &input
        .contextual_grounding_policy
        .as_ref()
        .expect("grounding")
        .filters[0];
    assert_eq!(grounding.threshold, 0.75);
    let findings = &input
        .automated_reasoning_policy
        .as_ref()
        .expect("reasoning")
        .findings;
    assert!(matches!(
        findings[1],
        GuardrailAutomatedReasoningFinding::TooComplex(_)
    ));
    assert!(matches!(
        findings[2],
        GuardrailAutomatedReasoningFinding::Unknown(_)
    ));
    // `managedWordLists` is missing: read as empty.
    let words = guardrail.output_assessments["abc123"][0]
        .word_policy
        .as_ref()
        .expect("words");
    assert!(words.managed_word_lists.is_empty());
    let usage = input
        .invocation_metrics
        .as_ref()
        .and_then(|m| m.usage.as_ref())
        .expect("usage");
    assert_eq!(usage.topic_policy_units, 1);
    assert_eq!(
        trace
            .prompt_router
            .and_then(|p| p.invoked_model_id)
            .as_deref(),
        Some("arn:aws:bedrock:us-east-1::foundation-model/x.y")
    );
}

// Strategies for round trips. Every structure a message carries gets members
// this version does not know (`extra`), which must come back as they went;
// unions get only known members (their unknown members are tested above).

fn text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[a-zA-Z0-9 _.-]{0,12}"]
}

fn blob() -> impl Strategy<Value = Blob> {
    vec(any::<u8>(), 1..48).prop_map(Blob)
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
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::Array),
            btree_map(text(), inner, 0..4).prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// Members no structure knows (every name starts `future`), with any values.
fn extra() -> impl Strategy<Value = UnknownMembers> {
    prop_oneof![
        Just(UnknownMembers::new()),
        btree_map("future[A-Za-z0-9]{0,8}", json_value(), 1..3)
            .prop_map(|members| members.into_iter().collect()),
    ]
}

fn s3() -> impl Strategy<Value = S3Location> {
    (text(), option::of("[0-9]{12}"), extra()).prop_map(|(uri, bucket_owner, extra)| S3Location {
        uri,
        bucket_owner,
        extra,
    })
}

fn media() -> impl Strategy<Value = MediaSource> {
    prop_oneof![
        blob().prop_map(MediaSource::Bytes),
        s3().prop_map(MediaSource::S3Location)
    ]
}

fn error_block() -> impl Strategy<Value = Option<ErrorBlock>> {
    option::of(
        (option::of(text()), extra()).prop_map(|(message, extra)| ErrorBlock { message, extra }),
    )
}

fn image() -> impl Strategy<Value = ImageBlock> {
    (
        prop_oneof![Just("png"), Just("jpeg"), Just("gif"), Just("webp")],
        media(),
        error_block(),
        extra(),
    )
        .prop_map(|(format, source, error, extra)| ImageBlock {
            format: ImageFormat::from(format),
            source,
            error,
            extra,
        })
}

fn citations_config() -> impl Strategy<Value = Option<CitationsConfig>> {
    option::of(
        (any::<bool>(), extra()).prop_map(|(enabled, extra)| CitationsConfig { enabled, extra }),
    )
}

fn document() -> impl Strategy<Value = DocumentBlock> {
    let source = prop_oneof![
        blob().prop_map(DocumentSource::Bytes),
        s3().prop_map(DocumentSource::S3Location),
        text().prop_map(DocumentSource::Text),
        vec(text().prop_map(DocumentContentBlock::Text), 0..3).prop_map(DocumentSource::Content),
    ];
    (
        option::of(prop_oneof![
            Just(DocumentFormat::Pdf),
            Just(DocumentFormat::Md)
        ]),
        text(),
        source,
        option::of(text()),
        citations_config(),
        extra(),
    )
        .prop_map(
            |(format, name, source, context, citations, extra)| DocumentBlock {
                format,
                name,
                source,
                context,
                citations,
                extra,
            },
        )
}

fn search_result() -> impl Strategy<Value = SearchResultBlock> {
    let passage =
        (text(), extra()).prop_map(|(text, extra)| SearchResultContentBlock { text, extra });
    (
        text(),
        text(),
        vec(passage, 0..3),
        citations_config(),
        extra(),
    )
        .prop_map(
            |(source, title, content, citations, extra)| SearchResultBlock {
                source,
                title,
                content,
                citations,
                extra,
            },
        )
}

fn tool_result() -> impl Strategy<Value = ToolResultBlock> {
    let block = prop_oneof![
        json_value().prop_map(ToolResultContentBlock::Json),
        text().prop_map(ToolResultContentBlock::Text),
        image().prop_map(ToolResultContentBlock::Image),
        document().prop_map(ToolResultContentBlock::Document),
        search_result().prop_map(ToolResultContentBlock::SearchResult),
    ];
    (
        text(),
        vec(block, 0..3),
        option::of(prop_oneof![
            Just(ToolResultStatus::Success),
            Just(ToolResultStatus::Error)
        ]),
        option::of(text()),
        extra(),
    )
        .prop_map(
            |(tool_use_id, content, status, r#type, extra)| ToolResultBlock {
                tool_use_id,
                content,
                status,
                r#type,
                extra,
            },
        )
}

fn span() -> impl Strategy<Value = DocumentSpan> {
    (
        option::of(0u32..9),
        option::of(0u32..999),
        option::of(0u32..999),
        extra(),
    )
        .prop_map(|(document_index, start, end, extra)| DocumentSpan {
            document_index,
            start,
            end,
            extra,
        })
}

fn citation() -> impl Strategy<Value = Citation> {
    let location = prop_oneof![
        (option::of(text()), option::of(text()), extra()).prop_map(|(url, domain, extra)| {
            CitationLocation::Web(WebLocation { url, domain, extra })
        }),
        span().prop_map(CitationLocation::DocumentChar),
        span().prop_map(CitationLocation::DocumentPage),
        span().prop_map(CitationLocation::DocumentChunk),
        (
            option::of(0u32..9),
            option::of(0u32..9),
            option::of(0u32..9),
            extra()
        )
            .prop_map(|(search_result_index, start, end, extra)| {
                CitationLocation::SearchResultLocation(SearchResultLocation {
                    search_result_index,
                    start,
                    end,
                    extra,
                })
            }),
    ];
    (
        option::of(text()),
        option::of(text()),
        vec(text().prop_map(CitationSourceContent::Text), 0..2),
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

fn content_block() -> impl Strategy<Value = ContentBlock> {
    prop_oneof![
        text().prop_map(ContentBlock::Text),
        image().prop_map(ContentBlock::Image),
        document().prop_map(ContentBlock::Document),
        (media(), extra()).prop_map(|(source, extra)| ContentBlock::Video(VideoBlock {
            format: VideoFormat::Mp4,
            source,
            extra,
        })),
        (media(), error_block(), extra()).prop_map(|(source, error, extra)| {
            ContentBlock::Audio(AudioBlock {
                format: AudioFormat::XAac,
                source,
                error,
                extra,
            })
        }),
        (text(), text(), json_value(), extra()).prop_map(|(tool_use_id, name, input, extra)| {
            ContentBlock::ToolUse(ToolUseBlock {
                tool_use_id,
                name,
                input,
                r#type: None,
                extra,
            })
        }),
        tool_result().prop_map(ContentBlock::ToolResult),
        (text(), option::of(text()), extra()).prop_map(|(text, signature, extra)| {
            ContentBlock::ReasoningContent(ReasoningContentBlock::ReasoningText(
                ReasoningTextBlock {
                    text,
                    signature,
                    extra,
                },
            ))
        }),
        blob().prop_map(|blob| ContentBlock::ReasoningContent(
            ReasoningContentBlock::RedactedContent(blob)
        )),
        (
            option::of(prop_oneof![
                Just(CacheTtl::FiveMinutes),
                Just(CacheTtl::OneHour)
            ]),
            extra()
        )
            .prop_map(|(ttl, extra)| ContentBlock::CachePoint(CachePointBlock {
                r#type: CachePointType::Default,
                ttl,
                extra,
            })),
        (
            text(),
            vec(Just(GuardrailConverseContentQualifier::Query), 0..2),
            extra()
        )
            .prop_map(|(text, qualifiers, extra)| ContentBlock::GuardContent(
                GuardrailConverseContentBlock::Text(GuardrailConverseTextBlock {
                    text,
                    qualifiers,
                    extra,
                })
            )),
        search_result().prop_map(ContentBlock::SearchResult),
        (
            vec(text().prop_map(CitationGeneratedContent::Text), 0..2),
            vec(citation(), 0..3),
            extra()
        )
            .prop_map(|(content, citations, extra)| {
                ContentBlock::CitationsContent(CitationsContentBlock {
                    content,
                    citations,
                    extra,
                })
            }),
        (option::of(text()), option::of(text()), extra()).prop_map(|(r#type, name, extra)| {
            ContentBlock::ToolAddition(ToolChangeBlock {
                tool: ToolReference {
                    r#type,
                    name,
                    server_name: None,
                    extra,
                },
                extra: UnknownMembers::new(),
            })
        }),
    ]
}

fn message() -> impl Strategy<Value = Message> {
    (any::<bool>(), vec(content_block(), 0..4), extra()).prop_map(|(assistant, content, extra)| {
        let role = if assistant {
            ConversationRole::Assistant
        } else {
            ConversationRole::User
        };
        Message {
            extra,
            ..Message::new(role, content)
        }
    })
}

fn unit_float() -> impl Strategy<Value = f32> {
    (0u8..=100).prop_map(|n| f32::from(n) / 100.0)
}

fn request() -> impl Strategy<Value = ConverseRequest> {
    let inference = option::of(
        (
            option::of(1u32..200_000),
            option::of(unit_float()),
            option::of(unit_float()),
            vec(text(), 0..3),
        )
            .prop_map(|(max_tokens, temperature, top_p, stop_sequences)| {
                InferenceConfiguration {
                    max_tokens,
                    temperature,
                    top_p,
                    stop_sequences,
                }
            }),
    );
    let tools = option::of(
        (
            vec((text(), option::of(text()), json_value()), 1..3),
            option::of(text()),
        )
            .prop_map(|(specs, forced)| ToolConfiguration {
                tools: specs
                    .into_iter()
                    .map(|(name, description, schema)| {
                        Tool::ToolSpec(ToolSpecification {
                            name,
                            description,
                            input_schema: ToolInputSchema::Json(schema),
                            strict: None,
                        })
                    })
                    .collect(),
                tool_choice: Some(match forced {
                    Some(name) => ToolChoice::Tool(SpecificToolChoice { name }),
                    None => ToolChoice::Auto(EmptyObject {}),
                }),
            }),
    );
    let guardrail = option::of((option::of(text()), option::of(text())).prop_map(
        |(guardrail_identifier, guardrail_version)| GuardrailConfiguration {
            guardrail_identifier,
            guardrail_version,
            trace: Some(GuardrailTrace::Enabled),
            stream_processing_mode: None,
        },
    ));
    (
        vec(message(), 0..4),
        vec(text().prop_map(SystemContentBlock::Text), 0..2),
        inference,
        tools,
        guardrail,
        // `Some(null)` would read back as `None`: not a value a caller means to send.
        option::of(json_value().prop_filter("not null", |v| !v.is_null())),
        btree_map(text(), text(), 0..3),
    )
        .prop_map(
            |(
                messages,
                system,
                inference_config,
                tool_config,
                guardrail_config,
                extra,
                metadata,
            )| {
                ConverseRequest {
                    messages,
                    system,
                    inference_config,
                    tool_config,
                    guardrail_config,
                    additional_model_request_fields: extra,
                    request_metadata: metadata,
                    ..Default::default()
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn requests_round_trip(request in request()) {
        let json = serde_json::to_string(&request).expect("writes");
        let back: ConverseRequest = serde_json::from_str(&json).expect("reads");
        prop_assert_eq!(back, request);
    }

    /// Any message, its structures carrying members this version does not
    /// know, reads back to the same value and writes back to the same JSON.
    #[test]
    fn unknown_members_of_structures_survive_a_round_trip(message in message()) {
        let json = serde_json::to_value(&message).expect("writes");
        let back: Message = serde_json::from_value(json.clone()).expect("reads");
        prop_assert_eq!(serde_json::to_value(&back).expect("writes"), json);
        let text = serde_json::to_string(&message).expect("writes");
        prop_assert_eq!(serde_json::from_str::<Message>(&text).expect("reads"), message);
    }

    #[test]
    fn responses_round_trip(message in message(), input in 0u32..1000, output in 0u32..1000) {
        let response = ConverseResponse {
            output: ConverseOutput::Message(message),
            stop_reason: StopReason::EndTurn,
            usage: TokenUsage {
                input_tokens: input,
                output_tokens: output,
                total_tokens: input + output,
                ..Default::default()
            },
            metrics: ConverseMetrics { latency_ms: 9 },
            additional_model_response_fields: None,
            trace: None,
            performance_config: None,
            service_tier: None,
        };
        let json = serde_json::to_vec(&response).expect("writes");
        prop_assert_eq!(serde_json::from_slice::<ConverseResponse>(&json).expect("reads"), response);
    }
}
