//! `bedrock-lite embed [-m MODEL] [--dimensions N] [--input-type T] TEXT...`:
//! embeddings as JSON `{model, embeddings: [[...]]}`.

use bedrock_lite::embeddings::EmbedOptions;
use lexopt::Arg;

use crate::args::{self, Globals};
use crate::context;
use crate::error::{CliError, Exit};

/// Runs `bedrock-lite embed ...`.
pub fn run(parser: &mut lexopt::Parser, globals: &mut Globals) -> Result<(), CliError> {
    let mut model = None;
    let mut options = EmbedOptions::default();
    let mut texts = Vec::new();
    while let Some(flag) = args::next_flag(parser, globals)? {
        match flag.as_arg() {
            Arg::Short('m') | Arg::Long("model") => {
                model = Some(args::string_value(parser, "--model")?)
            }
            Arg::Long("dimensions") => {
                let text = args::string_value(parser, "--dimensions")?;
                options.dimensions = Some(text.parse().map_err(|_| {
                    CliError::usage(format!("--dimensions `{text}`: expected a whole number"))
                })?);
            }
            Arg::Long("input-type") => {
                options.input_type = Some(args::string_value(parser, "--input-type")?)
            }
            Arg::Value(v) => texts.push(args::os_to_string(v, "TEXT")?),
            other => return Err(args::unexpected(&other, "embed")),
        }
    }
    if texts.is_empty() {
        return Err(CliError::usage("embed needs at least one TEXT"));
    }
    let client = context::client(globals, None)?;
    let (model, options) = client.embedding_defaults(model, options);
    let embeddings = context::runtime()?
        .block_on(client.embed(&model, &texts, &options))
        .map_err(|e| context::bedrock_failure(e, &model))?;
    let json = serde_json::to_string(&embeddings)
        .map_err(|e| CliError::new("embed", e.to_string(), Exit::Other))?;
    println!("{json}");
    Ok(())
}
