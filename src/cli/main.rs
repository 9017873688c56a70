//! `bedrock-lite`: the command-line tool. See the README for every command.
//!
//! Each command lives in its own module and exposes `run(parser, globals)`.
//! Errors travel as [`CliError`], which knows its exit code and prints as one
//! line `error: <kind>: <message>` on stderr.
#![forbid(unsafe_code)]

mod args;
mod chat;
mod config;
mod context;
mod credentials;
#[cfg(feature = "emulator")]
mod demo;
mod embed;
#[cfg(feature = "emulator")]
mod emulate;
mod error;
mod eventstream;
mod models;
mod sigv4;
mod token;

use std::process::ExitCode;

use args::Globals;
use error::CliError;

const USAGE: &str = "\
usage: bedrock-lite [GLOBAL FLAGS] <command> [ARGS]

commands:
  demo                                              stream a chat through a built-in emulator (no AWS account)
  emulate [--port P]                                run the Bedrock emulator on loopback (default port 4599)
  chat [-m MODEL] [--system TEXT] [--max-tokens N] [--temperature F] [--top-p F] [--no-stream] [--stats] [PROMPT]
                                                    one turn with a model; the answer streams to stdout
  models list [--provider P] [--refresh]           discovered and configured models (table, or --json)
  models status [--probe]                           region, credential source, discovery mode; --probe makes one signed call
  embed [-m MODEL] [--dimensions N] [--input-type T] TEXT...
                                                    embeddings as JSON {model, embeddings}
  eventstream decode [FILE|-]                       decode a captured event-stream body to JSON lines
  sigv4 sign --request FILE --context FILE [--query] sign a raw HTTP request (SigV4 test-suite layout)
  credentials                                       which credential source answered (never a secret)
  token [--expires-in SECONDS]                      mint a short-term Bedrock API key (at most 12 hours)
  token inspect TOKEN                               tell when a Bedrock API key expires
  config get KEY | set KEY VALUE | unset KEY | path dotted keys into the config file

global flags:
  --region R  --profile P  --endpoint-url URL  --config FILE  --json  -v
";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("{err}");
            ExitCode::from(err.exit_code())
        }
    }
}

fn run() -> Result<(), CliError> {
    let mut parser = lexopt::Parser::from_env();
    let mut globals = Globals::default();
    let command = args::next_word(&mut parser, &mut globals)?;
    match command.as_deref() {
        Some("chat") => chat::run(&mut parser, &mut globals),
        Some("eventstream") => eventstream::run(&mut parser, &mut globals),
        Some("sigv4") => sigv4::run(&mut parser, &mut globals),
        Some("credentials") => credentials::run(&mut parser, &mut globals),
        #[cfg(feature = "emulator")]
        Some("emulate") => emulate::run(&mut parser, &mut globals),
        #[cfg(feature = "emulator")]
        Some("demo") => demo::run(&mut parser, &mut globals),
        Some("models") => models::run(&mut parser, &mut globals),
        Some("embed") => embed::run(&mut parser, &mut globals),
        Some("token") => token::run(&mut parser, &mut globals),
        Some("config") => config::run(&mut parser, &mut globals),
        Some("help") | None => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(CliError::usage(format!(
            "unknown command `{other}`; run `bedrock-lite help`"
        ))),
    }
}
