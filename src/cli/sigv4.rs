//! `bedrock-lite sigv4 sign --request FILE --context FILE [--query]`: signs a raw
//! HTTP request (the SigV4 test suite's `request.txt` layout) with the inputs of
//! a `context.json`, and prints one JSON object
//! `{canonicalRequest, stringToSign, signature, signedRequest}`.
//!
//! It is the tool to reach for on `SignatureDoesNotMatch`: AWS's error message
//! quotes the canonical request and string to sign it computed, to compare with
//! ours. Exit 2 for a usage error or an unreadable file or context, 1 for a
//! request that cannot be signed.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use bedrock_lite::sigv4::{RawRequest, SigningContext};
use lexopt::Arg;
use serde_json::json;

use crate::args::{self, Globals};
use crate::error::{CliError, Exit};

const SIGN_USAGE: &str = "expected `sigv4 sign --request FILE --context FILE [--query]`";

/// Runs `bedrock-lite sigv4 ...`.
pub fn run(parser: &mut lexopt::Parser, globals: &mut Globals) -> Result<(), CliError> {
    match args::next_word(parser, globals)?.as_deref() {
        Some("sign") => sign(parser, globals),
        Some(other) => Err(CliError::usage(format!(
            "unknown subcommand `sigv4 {other}`; {SIGN_USAGE}"
        ))),
        None => Err(CliError::usage(SIGN_USAGE)),
    }
}

fn sign(parser: &mut lexopt::Parser, globals: &mut Globals) -> Result<(), CliError> {
    let mut request_file: Option<PathBuf> = None;
    let mut context_file: Option<PathBuf> = None;
    let mut query = false;
    while let Some(flag) = args::next_flag(parser, globals)? {
        match flag.as_arg() {
            Arg::Long("request") => request_file = Some(parser.value()?.into()),
            Arg::Long("context") => context_file = Some(parser.value()?.into()),
            Arg::Long("query") => query = true,
            other => return Err(args::unexpected(&other, "sigv4 sign")),
        }
    }
    let (Some(request_file), Some(context_file)) = (request_file, context_file) else {
        return Err(CliError::usage(SIGN_USAGE));
    };

    let context_text = fs::read_to_string(&context_file).map_err(|e| {
        failure(
            format!("cannot read {}: {e}", context_file.display()),
            Exit::Usage,
        )
    })?;
    let context = SigningContext::from_json(&context_text)
        .map_err(|e| failure(format!("{}: {e}", context_file.display()), Exit::Usage))?;
    let location = context
        .location(query)
        .map_err(|e| failure(format!("{}: {e}", context_file.display()), Exit::Usage))?;
    let request_bytes = fs::read(&request_file).map_err(|e| {
        failure(
            format!("cannot read {}: {e}", request_file.display()),
            Exit::Usage,
        )
    })?;

    let request = RawRequest::parse(&request_bytes).map_err(|e| unsignable(&request_file, e))?;
    let signed = request
        .sign(&context, location)
        .map_err(|e| unsignable(&request_file, e))?;
    let output = json!({
        "canonicalRequest": signed.canonical_request,
        "stringToSign": signed.string_to_sign,
        "signature": signed.signature,
        "signedRequest": signed.signed_request,
    });
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "{output}")
        .and_then(|()| stdout.flush())
        .map_err(|e| CliError::io("stdout", e))
}

fn failure(message: String, exit: Exit) -> CliError {
    CliError::new("sigv4", message, exit)
}

/// A request that was read but cannot be signed (exit 1).
fn unsignable(file: &Path, err: impl std::fmt::Display) -> CliError {
    failure(format!("{}: {err}", file.display()), Exit::Other)
}
