//! The emulated model: what it answers to a request with nothing scripted,
//! and the requests it refuses as Bedrock's Claude models do.
//!
//! * With no tools, it echoes the last user message: `You said: <text>`.
//! * With tools (`toolConfig`) and a last user message that is not a tool
//!   result, it calls a tool: the one `toolChoice` names, else the first whose
//!   name the prompt mentions, else the first. Its input is the first JSON
//!   object written in the prompt, else `{"<property>": "<prompt>"}` for the
//!   schema's first required property (or its first property), else `{}`.
//!   Unless `toolChoice` forces a tool, a short text block comes first.
//! * When the last user message carries tool results, it answers with a text
//!   that quotes each: ``The tool `get_weather` returned: {"temp":21}.``
//! * With `additionalModelRequestFields.thinking.type == "enabled"`, the
//!   answer starts with a reasoning block signed by the emulator.
//!
//! Whatever the model, it refuses (400 `ValidationException`) shapes Bedrock
//! refuses ([`shape_refusal`]): a `cachePoint` for a model without prompt
//! caching (the rule table's [`rules::refuses_prompt_caching`]), a final
//! assistant turn whose text ends with whitespace, and a `toolResult` with no
//! content or blank text.
//!
//! With thinking on, it refuses (400 `ValidationException`, in Bedrock's
//! words) a forced tool choice, and a last assistant turn that has a tool
//! call but does not start with reasoning, or whose reasoning has a missing
//! or wrong signature.

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::models::rules;
use crate::types::{
    ContentBlock, ConversationRole, ConverseRequest, ReasoningContentBlock, ReasoningTextBlock,
    StopReason, SystemContentBlock, Tool, ToolChoice, ToolInputSchema, ToolResultContentBlock,
    ToolSpecification, ToolUseBlock, UnknownMembers,
};

/// The key of the emulator's reasoning signatures (not a secret: the emulator
/// only checks that reasoning comes back as it was sent).
const SIGNING_KEY: &[u8] = b"bedrock-lite emulator reasoning signature v1";

/// How Bedrock introduces the errors it relays from the model.
const MODEL_ERRORS: &str = "The model returned the following errors: ";

/// The most `{` of a prompt tried as the start of a JSON tool input.
const MAX_JSON_STARTS: usize = 16;

/// What the model answers to `request`: its content and stop reason.
pub(super) fn answer(request: &ConverseRequest) -> (Vec<ContentBlock>, StopReason) {
    let prompt = last_user_text(request);
    let (reasoning, mut content, stop_reason) = if let Some(quotes) = tool_results(request) {
        (
            "The tool results are in; I will quote them.".to_owned(),
            vec![ContentBlock::Text(quotes)],
            StopReason::EndTurn,
        )
    } else if let Some(tool) = chosen_tool(request, &prompt) {
        let call = tool_call(request, &tool.name, tool_input(tool, &prompt));
        let mut content = Vec::new();
        if !forces_tool(request) {
            content.push(ContentBlock::Text(format!("I will call `{}`.", tool.name)));
        }
        content.push(ContentBlock::ToolUse(call));
        (
            format!(
                "The user asks: {prompt}. The tool `{}` can answer.",
                tool.name
            ),
            content,
            StopReason::ToolUse,
        )
    } else {
        (
            format!("The user said: {prompt}. I will repeat it."),
            vec![ContentBlock::Text(format!("You said: {prompt}"))],
            StopReason::EndTurn,
        )
    };
    if thinking_enabled(request) {
        content.insert(0, signed_reasoning(reasoning));
    }
    (content, stop_reason)
}

/// A reasoning block with the emulator's signature over its text.
pub(super) fn signed_reasoning(text: String) -> ContentBlock {
    let signature = Some(signature(&text));
    ContentBlock::ReasoningContent(ReasoningContentBlock::ReasoningText(ReasoningTextBlock {
        text,
        signature,
        extra: UnknownMembers::new(),
    }))
}

/// The emulator's signature over reasoning `text` (base64 of a keyed SHA-256).
fn signature(text: &str) -> String {
    let digest = Sha256::new()
        .chain_update(SIGNING_KEY)
        .chain_update(text.as_bytes())
        .finalize();
    crate::base64::encode(&digest)
}

/// A call of tool `name` with `input`; its id is the same for the same
/// request, so that Converse and ConverseStream agree.
pub(super) fn tool_call(request: &ConverseRequest, name: &str, input: Value) -> ToolUseBlock {
    let digest = Sha256::new()
        .chain_update(request.messages.len().to_le_bytes())
        .chain_update(name.as_bytes())
        .chain_update(input.to_string().as_bytes())
        .chain_update(last_user_text(request).as_bytes())
        .finalize();
    let id = hex::encode(digest);
    ToolUseBlock {
        tool_use_id: format!("tooluse_{}", id.get(..22).unwrap_or(&id)),
        name: name.to_owned(),
        input,
        r#type: None,
        extra: UnknownMembers::new(),
    }
}

/// Why Bedrock would refuse `request` to `model_id` for its shape (the
/// `ValidationException` message), or `None`. The cache-point and
/// trailing-whitespace messages are Bedrock's; the empty-toolResult one is
/// worded after its blank-text message.
pub(super) fn shape_refusal(model_id: &str, request: &ConverseRequest) -> Option<String> {
    if rules::refuses_prompt_caching(model_id, None) && has_cache_point(request) {
        return Some(
            "You invoked an unsupported model or your request did not allow prompt caching. \
             See the documentation for more information."
                .to_owned(),
        );
    }
    if let Some(last) = request
        .messages
        .last()
        .filter(|message| message.role == ConversationRole::Assistant)
    {
        let final_block = last
            .content
            .iter()
            .rev()
            .find(|block| !matches!(block, ContentBlock::CachePoint(_)));
        if let Some(ContentBlock::Text(text)) = final_block {
            if text.trim_end() != text {
                return Some(format!(
                    "{MODEL_ERRORS}messages: final assistant content cannot end with trailing whitespace"
                ));
            }
        }
    }
    for (at, message) in request.messages.iter().enumerate() {
        for (index, block) in message.content.iter().enumerate() {
            let ContentBlock::ToolResult(result) = block else {
                continue;
            };
            if result.content.is_empty() {
                return Some(format!(
                    "The toolResult content at messages.{at}.content.{index} is empty. Add content to the toolResult, and try again."
                ));
            }
            let blank = result.content.iter().position(
                |item| matches!(item, ToolResultContentBlock::Text(text) if text.trim().is_empty()),
            );
            if let Some(item) = blank {
                return Some(format!(
                    "The text field in the ToolResultContentBlock object at messages.{at}.content.{index}.toolResult.content.{item} is blank. Add text to the text field, and try again."
                ));
            }
        }
    }
    None
}

/// Whether `request` holds a cache point anywhere (tools, system, messages).
fn has_cache_point(request: &ConverseRequest) -> bool {
    let in_tools = request.tool_config.iter().any(|config| {
        config
            .tools
            .iter()
            .any(|tool| matches!(tool, Tool::CachePoint(_)))
    });
    let in_system = request
        .system
        .iter()
        .any(|block| matches!(block, SystemContentBlock::CachePoint(_)));
    let in_messages = request
        .messages
        .iter()
        .flat_map(|message| &message.content)
        .any(|block| matches!(block, ContentBlock::CachePoint(_)));
    in_tools || in_system || in_messages
}

/// Why Bedrock would refuse `request` (the `ValidationException` message),
/// or `None`.
pub(super) fn refusal(request: &ConverseRequest) -> Option<String> {
    if !thinking_enabled(request) {
        return None;
    }
    if forces_tool(request) {
        return Some(format!(
            "{MODEL_ERRORS}Thinking may not be enabled when tool_choice forces tool use."
        ));
    }
    let (at, message) = request
        .messages
        .iter()
        .enumerate()
        .rev()
        .find(|(_, message)| message.role == ConversationRole::Assistant)?;
    let calls_a_tool = message
        .content
        .iter()
        .any(|block| matches!(block, ContentBlock::ToolUse(_)));
    let starts_with_reasoning = matches!(
        message.content.first(),
        Some(ContentBlock::ReasoningContent(_))
    );
    if calls_a_tool && !starts_with_reasoning {
        let found = message.content.first().map_or("nothing", block_type);
        return Some(format!(
            "{MODEL_ERRORS}messages.{at}.content.0.type: Expected `thinking` or \
             `redacted_thinking`, but found `{found}`. When `thinking` is enabled, a final \
             `assistant` message must start with a thinking block (preceeding the lastmost set \
             of `tool_use` and `tool_result` blocks). We recommend you include thinking blocks \
             from previous turns. To avoid this requirement, disable `thinking`. Please consult \
             our documentation at \
             https://docs.claude.com/en/docs/build-with-claude/extended-thinking"
        ));
    }
    message
        .content
        .iter()
        .enumerate()
        .find_map(|(index, block)| signature_refusal(at, index, block))
}

/// The refusal of a reasoning block whose signature is missing or not the
/// emulator's.
fn signature_refusal(message: usize, index: usize, block: &ContentBlock) -> Option<String> {
    let ContentBlock::ReasoningContent(ReasoningContentBlock::ReasoningText(reasoning)) = block
    else {
        return None;
    };
    match &reasoning.signature {
        None => Some(format!(
            "{MODEL_ERRORS}messages.{message}.content.{index}.thinking.signature: Field required"
        )),
        Some(sent) if *sent != signature(&reasoning.text) => Some(format!(
            "{MODEL_ERRORS}messages.{message}.content.{index}: Invalid `signature` in `thinking` block"
        )),
        Some(_) => None,
    }
}

/// The Anthropic name of a block's type, as Claude's errors say it.
fn block_type(block: &ContentBlock) -> &str {
    match block {
        ContentBlock::Text(_) => "text",
        ContentBlock::ToolUse(_) => "tool_use",
        ContentBlock::ToolResult(_) => "tool_result",
        ContentBlock::Image(_) => "image",
        ContentBlock::Document(_) => "document",
        other => other.member_name(),
    }
}

/// Whether the request turns Claude's extended thinking on.
fn thinking_enabled(request: &ConverseRequest) -> bool {
    request
        .additional_model_request_fields
        .as_ref()
        .and_then(|fields| fields.pointer("/thinking/type"))
        .is_some_and(|kind| kind == "enabled")
}

/// Whether `toolChoice` makes the model call a tool (`any` or `tool`).
fn forces_tool(request: &ConverseRequest) -> bool {
    request.tool_config.as_ref().is_some_and(|config| {
        matches!(
            config.tool_choice,
            Some(ToolChoice::Any(_) | ToolChoice::Tool(_))
        )
    })
}

/// The text of the last user message (its text blocks joined by spaces).
pub(crate) fn last_user_text(request: &ConverseRequest) -> String {
    let Some(message) = request
        .messages
        .iter()
        .rev()
        .find(|message| message.role == ConversationRole::User)
    else {
        return String::new();
    };
    let texts: Vec<&str> = message
        .content
        .iter()
        .filter_map(|block| match block {
            ContentBlock::Text(text) => Some(text.as_str()),
            _ => None,
        })
        .collect();
    texts.join(" ")
}

/// When the last message is the user's and carries tool results: a sentence
/// quoting each, naming the tool its call in the turn before named.
fn tool_results(request: &ConverseRequest) -> Option<String> {
    let (last, history) = request.messages.split_last()?;
    if last.role != ConversationRole::User {
        return None;
    }
    let calls: Vec<&ToolUseBlock> = history
        .iter()
        .rev()
        .find(|message| message.role == ConversationRole::Assistant)
        .map(|message| message.tool_uses().collect())
        .unwrap_or_default();
    let quotes: Vec<String> = last
        .content
        .iter()
        .filter_map(|block| match block {
            ContentBlock::ToolResult(result) => Some(result),
            _ => None,
        })
        .map(|result| {
            let name = calls
                .iter()
                .find(|call| call.tool_use_id == result.tool_use_id)
                .map_or(result.tool_use_id.as_str(), |call| call.name.as_str());
            format!("The tool `{name}` returned: {}.", quote(&result.content))
        })
        .collect();
    (!quotes.is_empty()).then(|| quotes.join(" "))
}

/// A tool result's content as text: its texts and compact JSON documents.
fn quote(content: &[ToolResultContentBlock]) -> String {
    let parts: Vec<String> = content
        .iter()
        .map(|item| match item {
            ToolResultContentBlock::Text(text) => text.clone(),
            ToolResultContentBlock::Json(json) => json.to_string(),
            other => format!("({})", other.member_name()),
        })
        .collect();
    parts.join(" ")
}

/// The tool the model calls, if the request offers any.
fn chosen_tool<'a>(request: &'a ConverseRequest, prompt: &str) -> Option<&'a ToolSpecification> {
    let config = request.tool_config.as_ref()?;
    let specs = || {
        config.tools.iter().filter_map(|tool| match tool {
            Tool::ToolSpec(spec) => Some(spec),
            _ => None,
        })
    };
    let named = match &config.tool_choice {
        Some(ToolChoice::Tool(choice)) => Some(choice.name.as_str()),
        _ => None,
    };
    named
        .and_then(|name| specs().find(|spec| spec.name == name))
        .or_else(|| specs().find(|spec| prompt.contains(spec.name.as_str())))
        .or_else(|| specs().next())
}

/// The input the model gives `tool` for `prompt`.
fn tool_input(tool: &ToolSpecification, prompt: &str) -> Value {
    if let Some(written) = json_object_in(prompt) {
        return written;
    }
    let ToolInputSchema::Json(schema) = &tool.input_schema else {
        return Value::Object(serde_json::Map::new());
    };
    let required = schema
        .pointer("/required/0")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let first = schema
        .get("properties")
        .and_then(Value::as_object)
        .and_then(|properties| properties.keys().next().cloned());
    let mut input = serde_json::Map::new();
    if let Some(property) = required.or(first) {
        input.insert(property, Value::String(prompt.to_owned()));
    }
    Value::Object(input)
}

/// The first JSON object written in `text`, if any.
fn json_object_in(text: &str) -> Option<Value> {
    text.match_indices('{')
        .take(MAX_JSON_STARTS)
        .find_map(|(at, _)| {
            let rest = text.get(at..)?;
            let value = serde_json::Deserializer::from_str(rest)
                .into_iter::<Value>()
                .next()?
                .ok()?;
            value.is_object().then_some(value)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Message;
    use serde_json::json;

    fn user(text: &str) -> Message {
        Message::user(text)
    }

    fn with_tools(messages: Vec<Message>) -> ConverseRequest {
        let schema = json!({"type": "object", "properties": {"units": {}, "city": {}}, "required": ["city"]});
        let mut request = ConverseRequest::new()
            .tool(Tool::new("get_time", "The time", json!({"type": "object"})))
            .tool(Tool::new("get_weather", "The weather", schema));
        request.messages = messages;
        request
    }

    fn thinking(mut request: ConverseRequest) -> ConverseRequest {
        request.additional_model_request_fields =
            Some(json!({"thinking": {"type": "enabled", "budget_tokens": 1024}}));
        request
    }

    #[test]
    fn echoes_without_tools() {
        let request = ConverseRequest::new().message(user("a")).message(user("b"));
        let (content, stop) = answer(&request);
        assert_eq!(content, [ContentBlock::Text("You said: b".into())]);
        assert_eq!(stop, StopReason::EndTurn);
    }

    #[test]
    fn calls_the_tool_the_prompt_names_with_the_prompt_as_input() {
        let request = with_tools(vec![user("get_weather for Paris")]);
        let (content, stop) = answer(&request);
        assert_eq!(stop, StopReason::ToolUse);
        let [ContentBlock::Text(intro), ContentBlock::ToolUse(call)] = content.as_slice() else {
            panic!("{content:?}");
        };
        assert_eq!(intro, "I will call `get_weather`.");
        assert_eq!(call.name, "get_weather");
        assert_eq!(call.input, json!({"city": "get_weather for Paris"}));
        assert!(call.tool_use_id.starts_with("tooluse_"));
        assert_eq!(call.tool_use_id.len(), "tooluse_".len() + 22);
        // The same request, the same id.
        assert_eq!(answer(&request).0, content);
    }

    #[test]
    fn a_json_object_in_the_prompt_is_the_input_and_the_first_tool_is_the_default() {
        let request = with_tools(vec![user(
            r#"use {"zone": "UTC", "n": [1, {"a": 2}]} please {"#,
        )]);
        let (content, _) = answer(&request);
        let call = content
            .iter()
            .find_map(|block| match block {
                ContentBlock::ToolUse(call) => Some(call),
                _ => None,
            })
            .expect("a call");
        assert_eq!(call.name, "get_time");
        assert_eq!(call.input, json!({"zone": "UTC", "n": [1, {"a": 2}]}));
    }

    #[test]
    fn a_forced_tool_has_no_text_before_it() {
        let mut request = with_tools(vec![user("anything")]);
        if let Some(config) = request.tool_config.as_mut() {
            config.tool_choice = Some(ToolChoice::Tool(crate::types::SpecificToolChoice {
                name: "get_weather".into(),
            }));
        }
        let (content, _) = answer(&request);
        assert!(
            matches!(content.as_slice(), [ContentBlock::ToolUse(call)] if call.name == "get_weather"),
            "{content:?}"
        );
        assert!(refusal(&thinking(request))
            .expect("refused")
            .contains("Thinking may not be enabled when tool_choice forces tool use"));
    }

    #[test]
    fn tool_results_are_quoted_by_tool_name() {
        let call = tool_call(&ConverseRequest::new(), "get_weather", json!({}));
        let request = with_tools(vec![
            user("weather?"),
            Message::new(
                ConversationRole::Assistant,
                vec![ContentBlock::ToolUse(call.clone())],
            ),
            Message::tool_result(call.tool_use_id.clone(), json!({"temp": 21})),
        ]);
        let (content, stop) = answer(&request);
        assert_eq!(
            content,
            [ContentBlock::Text(
                r#"The tool `get_weather` returned: {"temp":21}."#.into()
            )]
        );
        assert_eq!(stop, StopReason::EndTurn);
    }

    #[test]
    fn thinking_signs_its_reasoning_and_checks_it_back() {
        let first = thinking(with_tools(vec![user("weather in Paris?")]));
        let (content, _) = answer(&first);
        let ContentBlock::ReasoningContent(ReasoningContentBlock::ReasoningText(reasoning)) =
            &content[0]
        else {
            panic!("{content:?}");
        };
        assert_eq!(
            reasoning.signature.as_deref(),
            Some(signature(&reasoning.text).as_str())
        );
        let call = content
            .iter()
            .find_map(|block| match block {
                ContentBlock::ToolUse(call) => Some(call.clone()),
                _ => None,
            })
            .expect("a call");
        let next = |assistant: Vec<ContentBlock>| {
            thinking(with_tools(vec![
                user("weather in Paris?"),
                Message::new(ConversationRole::Assistant, assistant),
                Message::tool_result(call.tool_use_id.clone(), "sunny"),
            ]))
        };
        // Sent back whole: accepted.
        assert_eq!(refusal(&next(content.clone())), None);
        // Without the reasoning: refused as Bedrock does.
        let without: Vec<ContentBlock> = content.iter().skip(1).cloned().collect();
        let message = refusal(&next(without)).expect("refused");
        assert!(
            message.contains("messages.1.content.0.type: Expected `thinking` or `redacted_thinking`, but found `text`"),
            "{message}"
        );
        let only_call = vec![ContentBlock::ToolUse(call.clone())];
        assert!(refusal(&next(only_call))
            .expect("refused")
            .contains("but found `tool_use`"));
        // A changed reasoning text or a missing signature: refused.
        let mut changed = content.clone();
        if let ContentBlock::ReasoningContent(ReasoningContentBlock::ReasoningText(r)) =
            &mut changed[0]
        {
            r.text.push('!');
        }
        assert!(refusal(&next(changed))
            .expect("refused")
            .ends_with("messages.1.content.0: Invalid `signature` in `thinking` block"));
        let mut unsigned = content;
        if let ContentBlock::ReasoningContent(ReasoningContentBlock::ReasoningText(r)) =
            &mut unsigned[0]
        {
            r.signature = None;
        }
        assert!(refusal(&next(unsigned))
            .expect("refused")
            .ends_with("messages.1.content.0.thinking.signature: Field required"));
    }

    #[test]
    fn shapes_bedrock_refuses() {
        const CLAUDE: &str = "us.anthropic.claude-sonnet-4-6";
        const LLAMA: &str = "meta.llama3-3-70b-instruct-v1:0";
        let mut cached = ConverseRequest::new().system("Rules").message(user("hi"));
        cached.system.push(SystemContentBlock::CachePoint(
            crate::types::CachePointBlock {
                r#type: crate::types::CachePointType::Default,
                ttl: None,
                extra: UnknownMembers::new(),
            },
        ));
        assert_eq!(shape_refusal(CLAUDE, &cached), None);
        assert!(shape_refusal(LLAMA, &cached)
            .expect("refused")
            .contains("did not allow prompt caching"));

        let prefill = |text: &str| {
            ConverseRequest::new()
                .message(user("hi"))
                .message(Message::new(
                    ConversationRole::Assistant,
                    vec![ContentBlock::Text(text.into())],
                ))
        };
        assert_eq!(shape_refusal(LLAMA, &prefill("Sure")), None);
        assert!(shape_refusal(LLAMA, &prefill("Sure \n"))
            .expect("refused")
            .contains("final assistant content cannot end with trailing whitespace"));

        let call = tool_call(&ConverseRequest::new(), "get_time", json!({}));
        let answered = |result: Message| {
            with_tools(vec![
                user("time?"),
                Message::new(
                    ConversationRole::Assistant,
                    vec![ContentBlock::ToolUse(call.clone())],
                ),
                result,
            ])
        };
        let id = call.tool_use_id.as_str();
        assert_eq!(
            shape_refusal(CLAUDE, &answered(Message::tool_result(id, "12:00"))),
            None
        );
        let mut empty = Message::tool_result(id, "x");
        if let Some(ContentBlock::ToolResult(result)) = empty.content.first_mut() {
            result.content.clear();
        }
        assert!(shape_refusal(CLAUDE, &answered(empty))
            .expect("refused")
            .contains("messages.2.content.0 is empty"));
        assert!(
            shape_refusal(CLAUDE, &answered(Message::tool_result(id, " ")))
                .expect("refused")
                .contains("is blank")
        );
    }

    #[test]
    fn without_thinking_nothing_is_refused() {
        let call = tool_call(&ConverseRequest::new(), "get_time", json!({}));
        let request = with_tools(vec![
            user("time?"),
            Message::new(
                ConversationRole::Assistant,
                vec![ContentBlock::ToolUse(call)],
            ),
            Message::tool_result("x", "12:00"),
        ]);
        assert_eq!(refusal(&request), None);
    }
}
