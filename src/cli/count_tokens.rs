//! `bedrock-lite count-tokens [-m MODEL] [--system TEXT] [PROMPT]`: how many
//! input tokens a prompt is, by CountTokens. The prompt is the argument or
//! stdin; an inference profile (or application profile ARN) is mapped to its
//! foundation model, which CountTokens takes. Prints the number, or
//! `{"model": ..., "inputTokens": N}` with `--json`.

use bedrock_lite::types::{ConverseRequest, CountTokensRequest, Message};
use lexopt::Arg;
use serde_json::json;

use crate::args::{self, Globals};
use crate::context;
use crate::error::CliError;

/// Runs `bedrock-lite count-tokens ...`.
pub fn run(parser: &mut lexopt::Parser, globals: &mut Globals) -> Result<(), CliError> {
    let mut model = None;
    let mut system = None;
    let mut words = Vec::new();
    while let Some(flag) = args::next_flag(parser, globals)? {
        match flag.as_arg() {
            Arg::Short('m') | Arg::Long("model") => {
                model = Some(args::string_value(parser, "--model")?)
            }
            Arg::Long("system") => system = Some(args::string_value(parser, "--system")?),
            Arg::Value(v) => words.push(args::os_to_string(v, "PROMPT")?),
            other => return Err(args::unexpected(&other, "count-tokens")),
        }
    }
    let client = context::client(globals, model.as_deref())?;
    let model = context::model(&client)?;
    let prompt = match words.is_empty() {
        true => args::read_stdin_text()?,
        false => words.join(" "),
    };
    if prompt.is_empty() {
        return Err(CliError::usage(
            "empty prompt: pass PROMPT or pipe it on stdin",
        ));
    }
    let mut request = ConverseRequest::new().message(Message::user(prompt));
    if let Some(system) = system {
        request = request.system(system);
    }
    let counted = context::runtime()?
        .block_on(client.count_tokens(&model, &CountTokensRequest::converse(&request)))
        .map_err(|e| context::bedrock_failure(e, model.id()))?;
    if globals.json {
        println!(
            "{}",
            json!({ "model": model.id(), "inputTokens": counted.input_tokens })
        );
    } else {
        println!("{}", counted.input_tokens);
    }
    Ok(())
}
