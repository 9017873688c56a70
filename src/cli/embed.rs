//! `bedrock-lite embed [-m MODEL] [--dimensions N] [--input-type T] TEXT...`:
//! embeddings as JSON `{model, embeddings: [[...]]}`.

use bedrock_lite::bedrock::client::{Client, ClientConfig};
use bedrock_lite::embeddings::{EmbedError, EmbedOptions, ErrorClass, DEFAULT_MODEL};
use bedrock_lite::env::Env;
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
    let env = Env::real();
    let config = context::read_config(globals, &env)?;
    let from_config = config.embeddings.as_ref();
    let model = model
        .or_else(|| from_config.map(|e| e.model.clone()))
        .unwrap_or_else(|| DEFAULT_MODEL.to_owned());
    if options.dimensions.is_none() {
        options.dimensions = from_config.and_then(|e| e.dimensions);
    }
    let region = context::resolve_region(globals, &env, &config)?;
    let client = Client::new(ClientConfig {
        env,
        profile: globals.profile.clone(),
        region: Some(region),
        endpoint_url: globals.endpoint_url.clone(),
        ..ClientConfig::default()
    })
    .map_err(|e| context::bedrock_failure(e, &model))?;
    context::note_client(globals, &client);
    let runtime = context::runtime()?;
    let embeddings = runtime
        .block_on(client.embed(&model, &texts, &options))
        .map_err(embed_failure)?;
    let json = serde_json::to_string(&embeddings)
        .map_err(|e| CliError::new("embed", e.to_string(), Exit::Other))?;
    println!("{json}");
    Ok(())
}

fn embed_failure(error: EmbedError) -> CliError {
    let exit = match error.class() {
        ErrorClass::Usage => Exit::Usage,
        ErrorClass::Credentials => Exit::Credentials,
        ErrorClass::Rejected => Exit::Rejected,
        ErrorClass::Unavailable => Exit::Unavailable,
        ErrorClass::Other => Exit::Other,
    };
    CliError::new("embed", error.to_string(), exit)
}
