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
mod count_tokens;
mod credentials;
#[cfg(feature = "emulator")]
mod demo;
#[cfg(feature = "embeddings")]
mod embed;
#[cfg(feature = "emulator")]
mod emulate;
mod error;
mod eventstream;
#[cfg(feature = "gateway")]
mod gateway;
mod guardrail;
mod help;
#[cfg(feature = "discovery")]
mod models;
#[cfg(feature = "gateway")]
mod serve;
mod sigv4;
mod token;

use std::process::ExitCode;

use args::Globals;
use error::CliError;

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
    let line: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    if let Some(request) = help::requested(&line) {
        return help::answer(request);
    }
    let mut parser = lexopt::Parser::from_args(line);
    let mut globals = Globals::default();
    let command = args::next_word(&mut parser, &mut globals)?;
    match command.as_deref() {
        Some("chat") => chat::run(&mut parser, &mut globals),
        Some("count-tokens") => count_tokens::run(&mut parser, &mut globals),
        Some("guardrail") => guardrail::run(&mut parser, &mut globals),
        Some("eventstream") => eventstream::run(&mut parser, &mut globals),
        Some("sigv4") => sigv4::run(&mut parser, &mut globals),
        Some("credentials") => credentials::run(&mut parser, &mut globals),
        #[cfg(feature = "emulator")]
        Some("emulate") => emulate::run(&mut parser, &mut globals),
        #[cfg(feature = "emulator")]
        Some("demo") => demo::run(&mut parser, &mut globals),
        #[cfg(feature = "discovery")]
        Some("models") => models::run(&mut parser, &mut globals),
        #[cfg(feature = "embeddings")]
        Some("embed") => embed::run(&mut parser, &mut globals),
        Some("token") => token::run(&mut parser, &mut globals),
        Some("config") => config::run(&mut parser, &mut globals),
        #[cfg(feature = "gateway")]
        Some("serve") => serve::run(&mut parser, &mut globals),
        #[cfg(feature = "gateway")]
        Some("gateway") => gateway::run(&mut parser, &mut globals),
        Some(other) => Err(help::unknown_command(other)),
        None => Err(CliError::usage("no command; run `bedrock-lite --help`")),
    }
}
