//! What bedrock-lite knows of common Bedrock text models without asking:
//! context window, most output tokens, reasoning and input modalities, by base
//! model id prefix (the longest matching prefix wins).
//!
//! The table is data, and approximate: the figures come from the model cards
//! and AWS documentation as known when it was written, rounded to what Bedrock
//! accepts by default (extended windows behind beta flags are not counted).
//! Figures that are least certain are marked `approx`. A config file's `models`
//! entries override the table.

use crate::model_ref::ModelRef;

/// Text only.
const TEXT: &[&str] = &["text"];
/// Text and images.
const VISION: &[&str] = &["text", "image"];

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownModel {
    /// The base model id prefix this row covers (no geography prefix).
    pub prefix: &'static str,
    /// Context window, tokens.
    pub context_window: u32,
    /// Most output tokens.
    pub max_tokens: u32,
    /// Whether the model can reason (extended thinking).
    pub reasoning: bool,
    /// Input modalities.
    pub input: &'static [&'static str],
    /// Whether the figures are a best guess.
    pub approx: bool,
}

/// A row of figures from the model card.
const fn row(
    prefix: &'static str,
    context_window: u32,
    max_tokens: u32,
    reasoning: bool,
    input: &'static [&'static str],
) -> KnownModel {
    KnownModel {
        prefix,
        context_window,
        max_tokens,
        reasoning,
        input,
        approx: false,
    }
}

/// A row whose figures are a best guess.
const fn approx(
    prefix: &'static str,
    context_window: u32,
    max_tokens: u32,
    reasoning: bool,
    input: &'static [&'static str],
) -> KnownModel {
    KnownModel {
        approx: true,
        ..row(prefix, context_window, max_tokens, reasoning, input)
    }
}

/// The table.
pub const KNOWN_MODELS: &[KnownModel] = &[
    // Anthropic Claude.
    row("anthropic.claude-3-haiku", 200_000, 4096, false, VISION),
    row("anthropic.claude-3-sonnet", 200_000, 4096, false, VISION),
    row("anthropic.claude-3-opus", 200_000, 4096, false, VISION),
    row("anthropic.claude-3-5-haiku", 200_000, 8192, false, TEXT),
    row("anthropic.claude-3-5-sonnet", 200_000, 8192, false, VISION),
    row("anthropic.claude-3-7-sonnet", 200_000, 64_000, true, VISION),
    row("anthropic.claude-sonnet-4", 200_000, 64_000, true, VISION),
    row("anthropic.claude-sonnet-4-5", 200_000, 64_000, true, VISION),
    approx("anthropic.claude-sonnet-4-6", 200_000, 64_000, true, VISION),
    row("anthropic.claude-haiku-4-5", 200_000, 64_000, true, VISION),
    row("anthropic.claude-opus-4", 200_000, 32_000, true, VISION),
    row("anthropic.claude-opus-4-1", 200_000, 32_000, true, VISION),
    row("anthropic.claude-opus-4-5", 200_000, 64_000, true, VISION),
    approx("anthropic.claude-opus-4-6", 200_000, 128_000, true, VISION),
    approx("anthropic.claude-opus-4-7", 200_000, 128_000, true, VISION),
    // Amazon Nova.
    approx("amazon.nova-micro", 128_000, 10_000, false, TEXT),
    approx("amazon.nova-lite", 300_000, 10_000, false, VISION),
    approx("amazon.nova-pro", 300_000, 10_000, false, VISION),
    approx("amazon.nova-premier", 1_000_000, 32_000, true, VISION),
    // Meta Llama.
    row("meta.llama3-8b", 8192, 2048, false, TEXT),
    row("meta.llama3-70b", 8192, 2048, false, TEXT),
    row("meta.llama3-1", 128_000, 2048, false, TEXT),
    row("meta.llama3-2-1b", 128_000, 2048, false, TEXT),
    row("meta.llama3-2-3b", 128_000, 2048, false, TEXT),
    row("meta.llama3-2-11b", 128_000, 2048, false, VISION),
    row("meta.llama3-2-90b", 128_000, 2048, false, VISION),
    row("meta.llama3-3", 128_000, 2048, false, TEXT),
    approx("meta.llama4-scout", 3_500_000, 8192, false, VISION),
    approx("meta.llama4-maverick", 1_000_000, 8192, false, VISION),
    // Mistral.
    row("mistral.mistral-7b", 32_000, 8192, false, TEXT),
    row("mistral.mixtral-8x7b", 32_000, 4096, false, TEXT),
    row("mistral.mistral-large-2402", 32_000, 8192, false, TEXT),
    row("mistral.mistral-large-2407", 128_000, 8192, false, TEXT),
    row("mistral.mistral-small", 32_000, 8192, false, TEXT),
    approx("mistral.pixtral-large", 128_000, 8192, false, VISION),
    // Cohere.
    row("cohere.command-r", 128_000, 4096, false, TEXT),
    // DeepSeek.
    approx("deepseek.r1", 128_000, 32_768, true, TEXT),
    approx("deepseek.v3", 128_000, 8192, false, TEXT),
    // OpenAI open-weight models.
    approx("openai.gpt-oss", 128_000, 32_768, true, TEXT),
];

/// The row for a model ref or base model id: the longest prefix of its base
/// model id (geography prefix and ARN dropped when the ref shows them).
///
/// ```
/// use bedrock_lite::models::catalog;
/// let row = catalog::lookup("us.anthropic.claude-opus-4-1-20250805-v1:0").expect("known");
/// assert_eq!(row.prefix, "anthropic.claude-opus-4-1");
/// assert!(catalog::lookup("acme.unknown-v1:0").is_none());
/// ```
pub fn lookup(model: &str) -> Option<&'static KnownModel> {
    let parsed = ModelRef::parse(model).ok();
    let base = parsed
        .as_ref()
        .and_then(ModelRef::base_model_id)
        .unwrap_or(model);
    KNOWN_MODELS
        .iter()
        .filter(|row| base.starts_with(row.prefix))
        .max_by_key(|row| row.prefix.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_prefix_wins() {
        let cases = [
            (
                "anthropic.claude-opus-4-20250514-v1:0",
                "anthropic.claude-opus-4",
            ),
            ("anthropic.claude-opus-4-7", "anthropic.claude-opus-4-7"),
            (
                "eu.anthropic.claude-sonnet-4-5-20250929-v1:0",
                "anthropic.claude-sonnet-4-5",
            ),
            (
                "global.anthropic.claude-sonnet-4-20250514-v1:0",
                "anthropic.claude-sonnet-4",
            ),
            ("meta.llama3-2-11b-instruct-v1:0", "meta.llama3-2-11b"),
            (
                "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0",
                "amazon.nova-pro",
            ),
            ("cohere.command-r-plus-v1:0", "cohere.command-r"),
        ];
        for (id, prefix) in cases {
            assert_eq!(lookup(id).map(|r| r.prefix), Some(prefix), "{id}");
        }
        assert!(lookup("anthropic.claude-v2:1").is_none());
    }

    #[test]
    fn rows_are_sane_and_prefixes_unique() {
        for (i, row) in KNOWN_MODELS.iter().enumerate() {
            assert!(row.context_window >= row.max_tokens, "{}", row.prefix);
            assert!(row.input.contains(&"text"), "{}", row.prefix);
            assert!(
                KNOWN_MODELS
                    .iter()
                    .skip(i + 1)
                    .all(|o| o.prefix != row.prefix),
                "{}",
                row.prefix
            );
        }
    }
}
