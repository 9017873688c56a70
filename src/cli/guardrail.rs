//! `bedrock-lite guardrail apply [--source input|output] [--id ID] [--version V]
//! [TEXT]`: checks TEXT (or stdin) with a guardrail (ApplyGuardrail). The id and
//! version default to the config's `guardrail`. Prints the action on the first
//! line (`NONE` or `GUARDRAIL_INTERVENED`), then any output text; `--json`
//! prints the whole response.

use bedrock_lite::types::{ApplyGuardrailRequest, GuardrailContentSource};
use lexopt::Arg;

use crate::args::{self, Globals};
use crate::context;
use crate::error::{CliError, Exit};

/// Runs `bedrock-lite guardrail ...`.
pub fn run(parser: &mut lexopt::Parser, globals: &mut Globals) -> Result<(), CliError> {
    match args::next_word(parser, globals)?.as_deref() {
        Some("apply") => apply(parser, globals),
        Some(other) => Err(CliError::usage(format!(
            "unknown subcommand `guardrail {other}`; run `bedrock-lite guardrail apply --help`"
        ))),
        None => Err(CliError::usage(
            "expected `guardrail apply`; run `bedrock-lite guardrail apply --help`",
        )),
    }
}

fn apply(parser: &mut lexopt::Parser, globals: &mut Globals) -> Result<(), CliError> {
    let mut source = GuardrailContentSource::Input;
    let mut id = None;
    let mut version = None;
    let mut words = Vec::new();
    while let Some(flag) = args::next_flag(parser, globals)? {
        match flag.as_arg() {
            Arg::Long("source") => {
                source = match args::string_value(parser, "--source")?.as_str() {
                    "input" | "INPUT" => GuardrailContentSource::Input,
                    "output" | "OUTPUT" => GuardrailContentSource::Output,
                    other => {
                        return Err(CliError::usage(format!(
                            "--source `{other}`: expected `input` or `output`"
                        )))
                    }
                }
            }
            Arg::Long("id") => id = Some(args::string_value(parser, "--id")?),
            Arg::Long("version") => version = Some(args::string_value(parser, "--version")?),
            Arg::Value(v) => words.push(args::os_to_string(v, "TEXT")?),
            other => return Err(args::unexpected(&other, "guardrail apply")),
        }
    }
    let client = context::client(globals, None)?;
    let (id, version) = client.guardrail_defaults(id, version);
    let id = id.ok_or_else(|| {
        CliError::usage(
            "no guardrail: pass --id ID --version V, or set guardrail.guardrailIdentifier \
                 and guardrail.guardrailVersion with `bedrock-lite config set`",
        )
    })?;
    let version = version.ok_or_else(|| {
        CliError::usage("no guardrail version: pass --version V, or set guardrail.guardrailVersion")
    })?;
    let text = match words.is_empty() {
        true => args::read_stdin_text()?,
        false => words.join(" "),
    };
    if text.is_empty() {
        return Err(CliError::usage("empty text: pass TEXT or pipe it on stdin"));
    }
    let request = ApplyGuardrailRequest::text(source, text);
    let verdict = context::runtime()?
        .block_on(client.apply_guardrail(&id, &version, &request))
        .map_err(|e| context::bedrock_failure(e, &format!("guardrail {id}")))?;
    if globals.json {
        let json = serde_json::to_string(&verdict)
            .map_err(|e| CliError::new("guardrail", e.to_string(), Exit::Other))?;
        println!("{json}");
        return Ok(());
    }
    println!("{}", verdict.action);
    for text in verdict.output_texts() {
        println!("{text}");
    }
    Ok(())
}
