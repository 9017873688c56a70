//! The token usage the emulator reports: rough token counts, and an emulated
//! prompt cache.
//!
//! A token is a word of text (of text blocks, reasoning, system prompts and
//! tool descriptions); a tool call counts one plus the words of its input; a
//! block without text (an image, a document...) counts one.
//!
//! The prompt is read in Bedrock's order (tools, then system, then messages)
//! and cut at its `cachePoint`s. Each prefix that ends at a cache point is
//! hashed; the hashes live in the emulator's shared state (a bounded LRU of
//! prefixes, never expiring while it holds them). A request whose longest
//! cached prefix covers `r` tokens reads them from the cache
//! (`cacheReadInputTokens`), writes the tokens from there to its last cache
//! point (`cacheWriteInputTokens`), and counts the rest as `inputTokens`.
//! A request without a cache point reports no cache counters.

use sha2::{Digest, Sha256};

use super::super::script::Shared;
use crate::types::{
    CitationGeneratedContent, ContentBlock, ConversationRole, ConverseRequest,
    GuardrailConverseContentBlock, ReasoningContentBlock, SystemContentBlock, Tool,
    ToolResultContentBlock,
};

/// One piece of the prompt, in Bedrock's order.
enum Piece<'a> {
    Tool(&'a Tool),
    System(&'a SystemContentBlock),
    Block(&'a ConversationRole, &'a ContentBlock),
}

impl Piece<'_> {
    fn is_cache_point(&self) -> bool {
        matches!(
            self,
            Piece::Tool(Tool::CachePoint(_))
                | Piece::System(SystemContentBlock::CachePoint(_))
                | Piece::Block(_, ContentBlock::CachePoint(_))
        )
    }

    fn tokens(&self) -> u32 {
        if self.is_cache_point() {
            return 0;
        }
        match self {
            Piece::Tool(Tool::ToolSpec(spec)) => 1 + spec.description.as_deref().map_or(0, words),
            Piece::Tool(_) => 1,
            Piece::System(SystemContentBlock::Text(text)) => words(text),
            Piece::System(SystemContentBlock::GuardContent(guarded)) => guard_tokens(guarded),
            Piece::System(_) => 1,
            Piece::Block(_, block) => block_tokens(block),
        }
    }

    /// Feeds the piece to a prefix hash (a tag, then its JSON).
    fn hash_into(&self, hasher: &mut Sha256) {
        let (tag, json) = match self {
            Piece::Tool(tool) => ("tool", serde_json::to_vec(tool)),
            Piece::System(block) => ("system", serde_json::to_vec(block)),
            Piece::Block(role, block) => (role.as_str(), serde_json::to_vec(block)),
        };
        hasher.update(tag.as_bytes());
        hasher.update([0]);
        hasher.update(json.unwrap_or_default());
        hasher.update([0]);
    }
}

/// The pieces of `request`'s prompt.
fn pieces(request: &ConverseRequest) -> impl Iterator<Item = Piece<'_>> {
    let tools = request
        .tool_config
        .iter()
        .flat_map(|config| &config.tools)
        .map(Piece::Tool);
    let system = request.system.iter().map(Piece::System);
    let messages = request.messages.iter().flat_map(|message| {
        message
            .content
            .iter()
            .map(move |block| Piece::Block(&message.role, block))
    });
    tools.chain(system).chain(messages)
}

/// The words of `text`, as tokens.
pub(super) fn words(text: &str) -> u32 {
    u32::try_from(text.split_whitespace().count()).unwrap_or(u32::MAX)
}

/// The tokens of one content block (of the prompt or of an answer).
pub(super) fn block_tokens(block: &ContentBlock) -> u32 {
    match block {
        ContentBlock::Text(text) => words(text),
        ContentBlock::ToolUse(call) => 1 + words(&call.input.to_string()),
        ContentBlock::ToolResult(result) => result
            .content
            .iter()
            .map(|item| match item {
                ToolResultContentBlock::Text(text) => words(text),
                ToolResultContentBlock::Json(json) => words(&json.to_string()),
                _ => 1,
            })
            .fold(0, u32::saturating_add),
        ContentBlock::ReasoningContent(ReasoningContentBlock::ReasoningText(reasoning)) => {
            words(&reasoning.text)
        }
        ContentBlock::CitationsContent(cited) => cited
            .content
            .iter()
            .map(|piece| match piece {
                CitationGeneratedContent::Text(text) => words(text),
                CitationGeneratedContent::Unknown(_) => 1,
            })
            .fold(0, u32::saturating_add),
        ContentBlock::GuardContent(guarded) => guard_tokens(guarded),
        ContentBlock::CachePoint(_) => 0,
        _ => 1,
    }
}

fn guard_tokens(guarded: &GuardrailConverseContentBlock) -> u32 {
    match guarded {
        GuardrailConverseContentBlock::Text(text) => words(&text.text),
        _ => 1,
    }
}

/// The input tokens of `request`: what Converse reports as input when nothing
/// is cached, and what CountTokens answers.
pub(crate) fn count_words(request: &ConverseRequest) -> u32 {
    pieces(request)
        .map(|piece| piece.tokens())
        .fold(0, u32::saturating_add)
}

/// How a request's input tokens divide between the prompt cache and the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct InputUsage {
    /// Tokens neither read from nor written to the cache.
    pub(super) input: u32,
    /// Tokens read from the cache (`None` without a cache point).
    pub(super) cache_read: Option<u32>,
    /// Tokens written to the cache (`None` without a cache point).
    pub(super) cache_write: Option<u32>,
}

/// The input usage of `request`, reading and updating the prompt cache in
/// `shared`.
pub(super) fn input_usage(request: &ConverseRequest, shared: &Shared) -> InputUsage {
    let total = count_words(request);
    let mut hasher = Sha256::new();
    let mut tokens = 0u32;
    // The hash and the tokens of each prefix that ends at a cache point.
    let mut prefixes: Vec<([u8; 32], u32)> = Vec::new();
    for piece in pieces(request) {
        if piece.is_cache_point() {
            prefixes.push((hasher.clone().finalize().into(), tokens));
        } else {
            piece.hash_into(&mut hasher);
            tokens = tokens.saturating_add(piece.tokens());
        }
    }
    let Some(&(_, cached_end)) = prefixes.last() else {
        return InputUsage {
            input: total,
            cache_read: None,
            cache_write: None,
        };
    };
    let hashes: Vec<[u8; 32]> = prefixes.iter().map(|(hash, _)| *hash).collect();
    let hits = shared.cache_prefixes(&hashes);
    let read = hits
        .checked_sub(1)
        .and_then(|at| prefixes.get(at))
        .map_or(0, |(_, tokens)| *tokens);
    InputUsage {
        input: total.saturating_sub(cached_end),
        cache_read: Some(read),
        cache_write: Some(cached_end.saturating_sub(read)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{CachePointBlock, CachePointType, Message, UnknownMembers};

    fn cache_point() -> CachePointBlock {
        CachePointBlock {
            r#type: CachePointType::Default,
            ttl: None,
            extra: UnknownMembers::new(),
        }
    }

    fn cached_request(system: &str, prompt: &str) -> ConverseRequest {
        let mut request = ConverseRequest::new()
            .system(system)
            .message(Message::user(prompt));
        request
            .system
            .push(SystemContentBlock::CachePoint(cache_point()));
        request
    }

    #[test]
    fn counts_words_of_system_and_messages() {
        let request = ConverseRequest::new()
            .system("be brief")
            .message(Message::user("one two  three"));
        assert_eq!(count_words(&request), 5);
        let shared = Shared::default();
        assert_eq!(
            input_usage(&request, &shared),
            InputUsage {
                input: 5,
                cache_read: None,
                cache_write: None
            }
        );
    }

    #[test]
    fn a_prefix_is_written_once_then_read() {
        let shared = Shared::default();
        let first = cached_request("a long system prompt", "hi there");
        assert_eq!(
            input_usage(&first, &shared),
            InputUsage {
                input: 2,
                cache_read: Some(0),
                cache_write: Some(4)
            }
        );
        let again = cached_request("a long system prompt", "something else");
        assert_eq!(
            input_usage(&again, &shared),
            InputUsage {
                input: 2,
                cache_read: Some(4),
                cache_write: Some(0)
            }
        );
        let other = cached_request("another system prompt", "hi there");
        assert_eq!(input_usage(&other, &shared).cache_write, Some(3));
    }

    #[test]
    fn a_longer_prefix_reads_the_shorter_and_writes_the_rest() {
        let shared = Shared::default();
        let first = cached_request("system words", "first turn");
        input_usage(&first, &shared);
        let mut longer = cached_request("system words", "first turn");
        longer.messages[0]
            .content
            .push(ContentBlock::CachePoint(cache_point()));
        longer.messages.push(Message::user("next question"));
        assert_eq!(
            input_usage(&longer, &shared),
            InputUsage {
                input: 2,
                cache_read: Some(2),
                cache_write: Some(2)
            }
        );
    }
}
