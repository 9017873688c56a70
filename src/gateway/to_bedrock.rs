//! A chat completion request → the model id and the Converse request
//! ([`to_converse`]).
//!
//! * `system` and `developer` messages → `system` (in order, wherever they are);
//! * `user` text and `image_url` parts (a `data:` URL, base64, of a PNG, JPEG,
//!   GIF or WebP image → an image block; any other URL → 400);
//! * `assistant`: its `reasoning_details` → the turn's leading
//!   `reasoningContent` blocks, exactly as received (`reasoning.text` → text
//!   and signature, `reasoning.encrypted` → `redactedContent`); its text; its
//!   `tool_calls` → `toolUse` blocks (arguments parsed as JSON; bad JSON → 400
//!   naming the call);
//! * `tool` messages → `toolResult` blocks in a user message;
//! * `cache_control: {"type": "ephemeral"}` on a part, a system part or a
//!   tool → a `cachePoint` right after it; with [`PromptCaching::Auto`] and a
//!   model that takes cache points, one after the system prompt and one after
//!   the tools; at most [`MAX_CACHE_POINTS`] in all, the later ones winning
//!   (in prompt order: tools, system, messages);
//! * `max_completion_tokens` / `max_tokens`, `temperature`, `top_p`, `stop` →
//!   `inferenceConfig`; `tools` → `toolConfig.tools[].toolSpec`; `tool_choice`
//!   `auto` (the default), `required` → `any`, a function → `tool`, `none` →
//!   tools left out;
//! * `reasoning_effort` → the model family's reasoning switch
//!   ([`rules::apply_reasoning`]).
//!
//! Histories Bedrock would refuse are fixed where the meaning is clear, else
//! refused with a 400 that says why: blank text is dropped, then messages left
//! empty, then consecutive messages of the same role are merged (tool results
//! first in a user turn); a conversation that starts with the assistant gets a
//! short user turn before it; a final assistant message (a prefill) loses the
//! trailing whitespace of its text; a tool message with no text answers with
//! [`EMPTY_TOOL_RESULT_TEXT`]; `cache_control` on a model that does not take
//! cache points is dropped; a `temperature` over 1 is lowered to 1 (Bedrock's
//! range); tool-call ids outside Bedrock's pattern are replaced by a stable
//! digest (in the call and its result alike); a tool result whose call is not
//! in the assistant turn just before it, or a call (before the last turn)
//! with no result after it, is a 400.

use std::borrow::Cow;
use std::collections::HashSet;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::errors::GatewayError;
use super::openai::{
    AssistantTurn, CacheControl, ChatMessage, ChatRequest, ReasoningDetail, TextPart,
    ToolChoiceOption, ToolResult, UserPart,
};
use crate::model_ref::ModelRef;
use crate::models::rules::{self, ReasoningLevel};
use crate::types::{
    Blob, CachePointBlock, CachePointType, ContentBlock, ConversationRole, ConverseRequest,
    ImageBlock, ImageFormat, InferenceConfiguration, MediaSource, Message, ReasoningContentBlock,
    ReasoningTextBlock, SpecificToolChoice, SystemContentBlock, Tool, ToolChoice,
    ToolConfiguration, ToolInputSchema, ToolResultBlock, ToolResultContentBlock, ToolSpecification,
    ToolUseBlock,
};

/// The most cache points a request may hold (Bedrock's limit).
pub const MAX_CACHE_POINTS: usize = 4;

/// The text of the user turn put before a conversation that starts with the
/// assistant (Bedrock wants the user first).
pub const LEADING_USER_TEXT: &str = "(conversation start)";

/// The text of a tool result whose `tool` message has no text (empty or
/// blank content). Bedrock needs something there: `toolResult.content` is
/// required, an empty list is refused, and so is blank text ("The text field
/// ... is blank"). A short non-blank text block is the shape every model that
/// takes tool results accepts (a `json` block is not taken by every model), and
/// it says what happened.
pub const EMPTY_TOOL_RESULT_TEXT: &str = "(no output)";

/// `gateway.promptCaching`, as the config file reads it: `Off` (the default)
/// puts cache points only where the request asks (`cache_control`); `Auto`
/// also after the system prompt and after the tools, for models that take them.
pub use crate::config::PromptCaching;

/// The gateway's settings that shape every mapping.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct MappingOptions {
    /// `gateway.promptCaching`.
    pub prompt_caching: PromptCaching,
}

/// A request ready for Converse or ConverseStream.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapped {
    /// The model id or ARN for the request path (without `amazon-bedrock/`).
    pub model_id: String,
    /// The request body (the guardrail and the model rules are the client's).
    pub request: ConverseRequest,
    /// What was changed to make the request acceptable (for `-v` and logs).
    pub notes: Vec<String>,
}

/// Maps a chat completion request to Converse; see the module docs.
/// `resolved_base` is the base model of an application inference profile when
/// the caller resolved it (for the reasoning and caching rules).
pub fn to_converse(
    chat: &ChatRequest,
    options: &MappingOptions,
    resolved_base: Option<&str>,
) -> Result<Mapped, GatewayError> {
    let model = ModelRef::parse(&chat.model)
        .map_err(|error| GatewayError::invalid_field("model", error))?;
    let mut notes = Vec::new();
    let system = system_blocks(&chat.messages);
    let mut turns = Vec::new();
    for (index, message) in chat.messages.iter().enumerate() {
        if let Some(turn) = turn(index, message)? {
            turns.push(turn);
        }
    }
    let turns = merge(turns);
    let turns = start_with_user(turns, &mut notes)?;
    check_tool_pairs(&turns)?;
    let history_has_tools = turns
        .iter()
        .any(|turn| !turn.tool_uses.is_empty() || !turn.tool_results.is_empty());
    let mut request = ConverseRequest {
        messages: turns
            .into_iter()
            .map(|turn| Message {
                role: turn.role,
                content: turn.blocks,
                extra: Default::default(),
            })
            .collect(),
        system,
        inference_config: inference_config(chat, &mut notes),
        tool_config: tool_config(chat, history_has_tools, &mut notes)?,
        ..ConverseRequest::default()
    };
    // Automatic cache points only where caching is known to work; the ones a
    // client marked are dropped only where Bedrock is known to refuse them (a
    // model this version does not know gets them, and Bedrock decides).
    if options.prompt_caching == PromptCaching::Auto
        && rules::supports_prompt_caching(&chat.model, resolved_base)
    {
        add_automatic_cache_points(&mut request);
    }
    if rules::refuses_prompt_caching(&chat.model, resolved_base) {
        let dropped = limit_cache_points(&mut request, 0);
        if dropped > 0 {
            notes.push(format!(
                "dropped {dropped} cache point(s) of `cache_control`: model `{}` does not take prompt caching",
                chat.model
            ));
        }
    } else {
        limit_cache_points(&mut request, MAX_CACHE_POINTS);
    }
    trim_final_assistant_text(&mut request.messages, &mut notes);
    if let Some(effort) = chat.reasoning_effort {
        let reasoning_notes = rules::apply_reasoning(
            &mut request,
            &chat.model,
            resolved_base,
            ReasoningLevel::Effort(effort),
        )
        .map_err(|error| GatewayError::from_reasoning(&error))?;
        notes.extend(reasoning_notes);
    }
    Ok(Mapped {
        model_id: model.id().to_owned(),
        request,
        notes,
    })
}

/// Whether text is blank (empty or only whitespace): Bedrock refuses it.
fn is_blank(text: &str) -> bool {
    text.trim().is_empty()
}

/// A cache point block for a `cache_control`.
fn cache_point(control: &CacheControl) -> CachePointBlock {
    CachePointBlock {
        r#type: CachePointType::Default,
        ttl: control.ttl.clone(),
        extra: Default::default(),
    }
}

/// Every system and developer message's non-blank text, in order, each
/// followed by its cache point when marked.
fn system_blocks(messages: &[ChatMessage]) -> Vec<SystemContentBlock> {
    let mut blocks = Vec::new();
    for message in messages {
        let ChatMessage::System(parts) = message else {
            continue;
        };
        for part in parts.iter().filter(|part| !is_blank(&part.text)) {
            blocks.push(SystemContentBlock::Text(part.text.clone()));
            if let Some(control) = &part.cache {
                blocks.push(SystemContentBlock::CachePoint(cache_point(control)));
            }
        }
    }
    blocks
}

/// One user or assistant turn being built.
#[derive(Debug)]
struct Turn {
    role: ConversationRole,
    blocks: Vec<ContentBlock>,
    /// The `messages` index each turn's tool calls came from, with their ids.
    tool_uses: Vec<(usize, String)>,
    /// The `messages` index each tool result came from, with its call id.
    tool_results: Vec<(usize, String)>,
}

impl Turn {
    fn new(role: ConversationRole) -> Turn {
        Turn {
            role,
            blocks: Vec::new(),
            tool_uses: Vec::new(),
            tool_results: Vec::new(),
        }
    }

    /// Adds a block, and a cache point after it when marked.
    fn push(&mut self, block: ContentBlock, cache: Option<&CacheControl>) {
        self.blocks.push(block);
        if let Some(control) = cache {
            self.blocks
                .push(ContentBlock::CachePoint(cache_point(control)));
        }
    }
}

/// The turn for `messages[index]`: `None` for system messages and for
/// messages with nothing left once blank text is dropped.
fn turn(index: usize, message: &ChatMessage) -> Result<Option<Turn>, GatewayError> {
    let turn = match message {
        ChatMessage::System(_) => return Ok(None),
        ChatMessage::User(parts) => {
            let mut turn = Turn::new(ConversationRole::User);
            for (at, part) in parts.iter().enumerate() {
                match part {
                    UserPart::Text(text) if !is_blank(&text.text) => {
                        turn.push(ContentBlock::Text(text.text.clone()), text.cache.as_ref())
                    }
                    UserPart::Text(_) => {}
                    UserPart::Image(image) => {
                        let path = format!("messages[{index}].content[{at}].image_url.url");
                        turn.push(
                            ContentBlock::Image(image_block(&image.url, &path)?),
                            image.cache.as_ref(),
                        );
                    }
                }
            }
            turn
        }
        ChatMessage::Assistant(assistant) => assistant_turn(index, assistant)?,
        ChatMessage::Tool(result) => tool_result_turn(index, result),
    };
    Ok((!turn.blocks.is_empty()).then_some(turn))
}

/// An assistant message: reasoning first, then text, then tool calls.
fn assistant_turn(index: usize, assistant: &AssistantTurn) -> Result<Turn, GatewayError> {
    let mut turn = Turn::new(ConversationRole::Assistant);
    for (at, detail) in assistant.reasoning_details.iter().enumerate() {
        let block = match detail {
            ReasoningDetail::Text { text, signature } => {
                ReasoningContentBlock::ReasoningText(ReasoningTextBlock {
                    text: text.clone(),
                    signature: signature.clone(),
                    extra: Default::default(),
                })
            }
            ReasoningDetail::Encrypted { data } => {
                let bytes = crate::base64::decode(data).map_err(|error| {
                    GatewayError::invalid_field(
                        format!("messages[{index}].reasoning_details[{at}].data"),
                        format_args!("not base64 ({error})"),
                    )
                })?;
                ReasoningContentBlock::RedactedContent(Blob(bytes))
            }
        };
        turn.push(ContentBlock::ReasoningContent(block), None);
    }
    for part in assistant
        .content
        .iter()
        .filter(|part| !is_blank(&part.text))
    {
        turn.push(ContentBlock::Text(part.text.clone()), part.cache.as_ref());
    }
    for (at, call) in assistant.tool_calls.iter().enumerate() {
        let path = format!("messages[{index}].tool_calls[{at}].function.arguments");
        let input = if is_blank(&call.arguments) {
            json!({})
        } else {
            serde_json::from_str::<Value>(&call.arguments).map_err(|error| {
                GatewayError::invalid_field(
                    path.clone(),
                    format_args!(
                        "the arguments of call `{}` ({}) are not valid JSON: {error}",
                        call.id, call.name
                    ),
                )
            })?
        };
        if !input.is_object() {
            return Err(GatewayError::invalid_field(
                path,
                format_args!(
                    "the arguments of call `{}` ({}) must be a JSON object",
                    call.id, call.name
                ),
            ));
        }
        let id = bedrock_tool_id(&call.id).into_owned();
        turn.tool_uses.push((index, id.clone()));
        turn.push(
            ContentBlock::ToolUse(ToolUseBlock {
                tool_use_id: id,
                name: call.name.clone(),
                input,
                r#type: None,
                extra: Default::default(),
            }),
            None,
        );
    }
    Ok(turn)
}

/// A tool message: a user turn with one tool result (its text parts, blank
/// ones dropped; [`EMPTY_TOOL_RESULT_TEXT`] when none is left), then a cache
/// point when any part was marked.
fn tool_result_turn(index: usize, result: &ToolResult) -> Turn {
    let mut turn = Turn::new(ConversationRole::User);
    let mut content: Vec<ToolResultContentBlock> = result
        .content
        .iter()
        .filter(|part| !is_blank(&part.text))
        .map(|part: &TextPart| ToolResultContentBlock::Text(part.text.clone()))
        .collect();
    if content.is_empty() {
        content.push(ToolResultContentBlock::Text(
            EMPTY_TOOL_RESULT_TEXT.to_owned(),
        ));
    }
    let id = bedrock_tool_id(&result.tool_call_id).into_owned();
    turn.tool_results.push((index, id.clone()));
    let cache = result.content.iter().find_map(|part| part.cache.as_ref());
    turn.push(
        ContentBlock::ToolResult(ToolResultBlock {
            tool_use_id: id,
            content,
            status: None,
            r#type: None,
            extra: Default::default(),
        }),
        cache,
    );
    turn
}

/// The image block for an `image_url` (`data:image/...;base64,...`).
fn image_block(url: &str, path: &str) -> Result<ImageBlock, GatewayError> {
    let fail = |problem: &str| GatewayError::invalid_field(path, problem);
    let Some(rest) = url.strip_prefix("data:") else {
        return Err(fail(
            "only data: URLs are supported (the gateway does not fetch images)",
        ));
    };
    let (header, data) = rest
        .split_once(',')
        .ok_or_else(|| fail("a data: URL needs a comma before its data"))?;
    let media_type = header
        .strip_suffix(";base64")
        .ok_or_else(|| fail("only base64 data: URLs are supported"))?;
    let format = match media_type.to_ascii_lowercase().as_str() {
        "image/png" => ImageFormat::Png,
        "image/jpeg" | "image/jpg" => ImageFormat::Jpeg,
        "image/gif" => ImageFormat::Gif,
        "image/webp" => ImageFormat::Webp,
        _ => return Err(fail("the image must be PNG, JPEG, GIF or WebP (image/png, image/jpeg, image/gif, image/webp)")),
    };
    let data: Cow<'_, str> = if data.bytes().any(|b| b.is_ascii_whitespace()) {
        Cow::Owned(data.split_ascii_whitespace().collect())
    } else {
        Cow::Borrowed(data)
    };
    let bytes = crate::base64::decode(&data)
        .map_err(|error| fail(&format!("the image data is not base64 ({error})")))?;
    if bytes.is_empty() {
        return Err(fail("the image data is empty"));
    }
    Ok(ImageBlock {
        format,
        source: MediaSource::Bytes(Blob(bytes)),
        error: None,
        extra: Default::default(),
    })
}

/// A tool-call id Bedrock takes (`[a-zA-Z0-9_.:-]`, 1 to 64): the id itself
/// when it fits, else `call_` and the first 32 hex digits of its SHA-256 (the
/// same for the call and its result).
fn bedrock_tool_id(id: &str) -> Cow<'_, str> {
    let fits = (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-'));
    if fits {
        Cow::Borrowed(id)
    } else {
        let digest = hex::encode(Sha256::digest(id.as_bytes()));
        Cow::Owned(format!("call_{}", digest.get(..32).unwrap_or(&digest)))
    }
}

/// Merges consecutive turns of the same role. As Bedrock wants them, the
/// tool results go first in a user turn, and the reasoning first in an
/// assistant turn (each with its cache points, otherwise in order).
fn merge(turns: Vec<Turn>) -> Vec<Turn> {
    let mut merged: Vec<Turn> = Vec::with_capacity(turns.len());
    for turn in turns {
        match merged.last_mut() {
            Some(last) if last.role == turn.role => {
                last.blocks.extend(turn.blocks);
                last.tool_uses.extend(turn.tool_uses);
                last.tool_results.extend(turn.tool_results);
            }
            _ => merged.push(turn),
        }
    }
    for turn in &mut merged {
        let first: fn(&ContentBlock) -> bool = match turn.role {
            ConversationRole::User => |block| matches!(block, ContentBlock::ToolResult(_)),
            _ => |block| matches!(block, ContentBlock::ReasoningContent(_)),
        };
        turn.blocks = to_front(std::mem::take(&mut turn.blocks), first);
    }
    merged
}

/// The blocks with those that match `first` first, each unit (a block and the
/// cache points after it) kept whole and otherwise in order.
fn to_front(blocks: Vec<ContentBlock>, first: fn(&ContentBlock) -> bool) -> Vec<ContentBlock> {
    let mut units: Vec<Vec<ContentBlock>> = Vec::new();
    for block in blocks {
        match (&block, units.last_mut()) {
            (ContentBlock::CachePoint(_), Some(unit)) => unit.push(block),
            _ => units.push(vec![block]),
        }
    }
    let (front, others): (Vec<_>, Vec<_>) = units
        .into_iter()
        .partition(|unit| unit.first().is_some_and(first));
    front.into_iter().chain(others).flatten().collect()
}

/// Puts a user turn before a conversation that starts with the assistant;
/// refuses a conversation with no turns at all.
fn start_with_user(
    mut turns: Vec<Turn>,
    notes: &mut Vec<String>,
) -> Result<Vec<Turn>, GatewayError> {
    match turns.first() {
        None => Err(GatewayError::invalid_field(
            "messages",
            "nothing to send: there is no user or assistant message with content (blank text is dropped)",
        )),
        Some(first) if first.role == ConversationRole::Assistant => {
            let mut opening = Turn::new(ConversationRole::User);
            opening.push(ContentBlock::Text(LEADING_USER_TEXT.to_owned()), None);
            turns.insert(0, opening);
            notes.push(format!(
                "added a user turn `{LEADING_USER_TEXT}` before the first assistant message: Bedrock wants the user first"
            ));
            Ok(turns)
        }
        Some(_) => Ok(turns),
    }
}

/// Checks that each tool result answers a call of the assistant turn just
/// before it, and that each call before the last turn has a result right after.
fn check_tool_pairs(turns: &[Turn]) -> Result<(), GatewayError> {
    for (at, turn) in turns.iter().enumerate() {
        if turn.tool_results.is_empty() {
            continue;
        }
        let called: HashSet<&str> = at
            .checked_sub(1)
            .and_then(|before| turns.get(before))
            .map(|before| before.tool_uses.iter().map(|(_, id)| id.as_str()).collect())
            .unwrap_or_default();
        if let Some((index, id)) = turn
            .tool_results
            .iter()
            .find(|(_, id)| !called.contains(id.as_str()))
        {
            return Err(GatewayError::invalid_field(
                format!("messages[{index}].tool_call_id"),
                format_args!(
                    "the tool result for call `{id}` answers no tool call of the assistant message just before it"
                ),
            ));
        }
    }
    for (at, turn) in turns.iter().enumerate() {
        let Some(next) = turns.get(at + 1) else {
            break;
        };
        let answered: HashSet<&str> = next
            .tool_results
            .iter()
            .map(|(_, id)| id.as_str())
            .collect();
        if let Some((index, id)) = turn
            .tool_uses
            .iter()
            .find(|(_, id)| !answered.contains(id.as_str()))
        {
            return Err(GatewayError::invalid_field(
                format!("messages[{index}].tool_calls"),
                format_args!(
                    "tool call `{id}` has no tool message with its result right after the assistant message"
                ),
            ));
        }
    }
    Ok(())
}

/// `inferenceConfig`, when anything is set.
fn inference_config(chat: &ChatRequest, notes: &mut Vec<String>) -> Option<InferenceConfiguration> {
    let temperature = chat.temperature.map(|temperature| {
        if temperature > 1.0 {
            notes.push(format!(
                "lowered `temperature` from {temperature} to 1: Bedrock takes 0 to 1"
            ));
            1.0
        } else {
            temperature
        }
    });
    let config = InferenceConfiguration {
        max_tokens: chat.max_tokens,
        temperature,
        top_p: chat.top_p,
        stop_sequences: chat
            .stop
            .iter()
            .filter(|s| !s.is_empty())
            .cloned()
            .collect(),
    };
    (config != InferenceConfiguration::default()).then_some(config)
}

/// `toolConfig` from `tools` and `tool_choice`.
fn tool_config(
    chat: &ChatRequest,
    history_has_tools: bool,
    notes: &mut Vec<String>,
) -> Result<Option<ToolConfiguration>, GatewayError> {
    if chat.tools.is_empty() {
        if matches!(
            chat.tool_choice,
            Some(ToolChoiceOption::Required | ToolChoiceOption::Function(_))
        ) {
            return Err(GatewayError::invalid_field(
                "tool_choice",
                "a tool choice needs `tools`",
            ));
        }
        if history_has_tools {
            return Err(GatewayError::invalid_field(
                "tools",
                "the messages hold tool calls or results, and Bedrock accepts them only with the tools defined: send `tools` too (with tool_choice \"none\" if no call is wanted)",
            ));
        }
        return Ok(None);
    }
    let mut names = HashSet::new();
    let mut tools = Vec::new();
    for (at, tool) in chat.tools.iter().enumerate() {
        if !names.insert(tool.name.as_str()) {
            return Err(GatewayError::invalid_field(
                format!("tools[{at}].function.name"),
                format_args!("tool `{}` is defined twice", tool.name),
            ));
        }
        tools.push(Tool::ToolSpec(ToolSpecification {
            name: tool.name.clone(),
            description: tool
                .description
                .clone()
                .filter(|description| !is_blank(description)),
            input_schema: ToolInputSchema::Json(
                tool.parameters
                    .clone()
                    .unwrap_or_else(|| json!({"type": "object", "properties": {}})),
            ),
            strict: tool.strict,
        }));
        if let Some(control) = &tool.cache {
            tools.push(Tool::CachePoint(cache_point(control)));
        }
    }
    let tool_choice = match &chat.tool_choice {
        None | Some(ToolChoiceOption::Auto) => None,
        Some(ToolChoiceOption::Required) => Some(ToolChoice::Any(Default::default())),
        Some(ToolChoiceOption::Function(name)) => {
            if !names.contains(name.as_str()) {
                return Err(GatewayError::invalid_field(
                    "tool_choice",
                    format_args!("function `{name}` is not in `tools`"),
                ));
            }
            Some(ToolChoice::Tool(SpecificToolChoice { name: name.clone() }))
        }
        Some(ToolChoiceOption::None) if history_has_tools => {
            notes.push(
                "kept `tools` despite tool_choice \"none\": Bedrock needs them for the tool calls in the messages, and has no \"none\" choice".to_owned(),
            );
            None
        }
        Some(ToolChoiceOption::None) => return Ok(None),
    };
    Ok(Some(ToolConfiguration { tools, tool_choice }))
}

/// [`PromptCaching::Auto`]: a cache point after the system prompt and after
/// the tools, where there is none already.
fn add_automatic_cache_points(request: &mut ConverseRequest) {
    let point = || CachePointBlock {
        r#type: CachePointType::Default,
        ttl: None,
        extra: Default::default(),
    };
    if !request.system.is_empty()
        && !matches!(
            request.system.last(),
            Some(SystemContentBlock::CachePoint(_))
        )
    {
        request.system.push(SystemContentBlock::CachePoint(point()));
    }
    if let Some(config) = request.tool_config.as_mut() {
        if !matches!(config.tools.last(), Some(Tool::CachePoint(_))) {
            config.tools.push(Tool::CachePoint(point()));
        }
    }
}

/// Trims the trailing whitespace of the last text of a final assistant turn
/// (a prefill): Bedrock refuses "final assistant content cannot end with
/// trailing whitespace". The text is not blank (blank text was dropped).
fn trim_final_assistant_text(messages: &mut [Message], notes: &mut Vec<String>) {
    let Some(last) = messages.last_mut() else {
        return;
    };
    if last.role != ConversationRole::Assistant {
        return;
    }
    let final_block = last
        .content
        .iter_mut()
        .rev()
        .find(|block| !matches!(block, ContentBlock::CachePoint(_)));
    if let Some(ContentBlock::Text(text)) = final_block {
        let kept = text.trim_end().len();
        if kept < text.len() {
            text.truncate(kept);
            notes.push(
                "trimmed the trailing whitespace of the final assistant message: Bedrock refuses it"
                    .to_owned(),
            );
        }
    }
}

/// Keeps at most `max` cache points, dropping the earliest in prompt order
/// (tools, system, messages); answers how many were dropped.
fn limit_cache_points(request: &mut ConverseRequest, max: usize) -> usize {
    let in_tools = request.tool_config.as_ref().map_or(0, |config| {
        config
            .tools
            .iter()
            .filter(|tool| matches!(tool, Tool::CachePoint(_)))
            .count()
    });
    let in_system = request
        .system
        .iter()
        .filter(|block| matches!(block, SystemContentBlock::CachePoint(_)))
        .count();
    let in_messages = request
        .messages
        .iter()
        .flat_map(|message| &message.content)
        .filter(|block| matches!(block, ContentBlock::CachePoint(_)))
        .count();
    let mut excess = (in_tools + in_system + in_messages).saturating_sub(max);
    let dropped = excess;
    let mut drop_point = |is_point: bool| {
        if is_point && excess > 0 {
            excess -= 1;
            false
        } else {
            true
        }
    };
    if let Some(config) = request.tool_config.as_mut() {
        config
            .tools
            .retain(|tool| drop_point(matches!(tool, Tool::CachePoint(_))));
    }
    request
        .system
        .retain(|block| drop_point(matches!(block, SystemContentBlock::CachePoint(_))));
    for message in &mut request.messages {
        message
            .content
            .retain(|block| drop_point(matches!(block, ContentBlock::CachePoint(_))));
    }
    dropped
}

#[cfg(test)]
mod tests;
