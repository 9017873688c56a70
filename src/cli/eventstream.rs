//! `bedrock-lite eventstream decode [FILE|-]`: a captured event-stream body to
//! one JSON line per message.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::PathBuf;

use bedrock_lite::base64;
use bedrock_lite::eventstream::{Decoder, HeaderValue, Message};
use bytes::BytesMut;
use lexopt::Arg;
use serde_json::{json, Value};

use crate::args::{self, Globals};
use crate::error::{CliError, Exit};

/// How much is read from the input at a time.
const READ_CHUNK: usize = 64 * 1024;

/// Runs `bedrock-lite eventstream ...`.
pub fn run(parser: &mut lexopt::Parser, globals: &mut Globals) -> Result<(), CliError> {
    match args::next_word(parser, globals)?.as_deref() {
        Some("decode") => decode(parser, globals),
        Some(other) => Err(CliError::usage(format!(
            "unknown subcommand `eventstream {other}`; expected `eventstream decode [FILE|-]`"
        ))),
        None => Err(CliError::usage("expected `eventstream decode [FILE|-]`")),
    }
}

fn decode(parser: &mut lexopt::Parser, globals: &mut Globals) -> Result<(), CliError> {
    let mut file: Option<PathBuf> = None;
    while let Some(flag) = args::next_flag(parser, globals)? {
        match flag.as_arg() {
            Arg::Value(path) if file.is_none() => file = Some(path.into()),
            other => return Err(args::unexpected(&other, "eventstream decode")),
        }
    }
    let (name, mut input): (String, Box<dyn Read>) = match file {
        Some(path) if path.as_os_str() != "-" => {
            let name = path.display().to_string();
            let cannot_open = |e: &dyn std::fmt::Display| {
                CliError::new("io", format!("cannot open {name}: {e}"), Exit::Usage)
            };
            let file = File::open(&path).map_err(|e| cannot_open(&e))?;
            if file.metadata().is_ok_and(|m| m.is_dir()) {
                return Err(cannot_open(&"it is a directory"));
            }
            (name, Box::new(file))
        }
        _ => ("stdin".to_owned(), Box::new(io::stdin().lock())),
    };

    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut decoder = Decoder::new();
    let mut buffer = BytesMut::new();
    loop {
        buffer.resize(READ_CHUNK, 0);
        let n = match input.read(&mut buffer) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(CliError::io(&format!("reading {name}"), e)),
        };
        if n == 0 {
            break;
        }
        buffer.truncate(n);
        decoder.push(buffer.split().freeze());
        loop {
            match decoder.next_message() {
                Ok(Some(message)) => write_line(&mut out, &message)?,
                Ok(None) => break,
                Err(err) => return Err(invalid(&mut out, &name, err)),
            }
        }
        // One flush per read, not per message.
        out.flush().map_err(|e| CliError::io("stdout", e))?;
    }
    decoder
        .finish()
        .map_err(|err| invalid(&mut out, &name, err))?;
    out.flush().map_err(|e| CliError::io("stdout", e))
}

/// The error for an invalid frame, after the messages before it are out.
fn invalid(out: &mut impl Write, name: &str, err: impl std::fmt::Display) -> CliError {
    let _ = out.flush();
    CliError::new("eventstream", format!("{name}: {err}"), Exit::Other)
}

fn write_line(out: &mut impl Write, message: &Message) -> Result<(), CliError> {
    let headers: Vec<Value> = message
        .headers()
        .map(|h| json!({ "name": h.name.as_str(), "type": h.value.type_name(), "value": value_json(&h.value) }))
        .collect();
    let line = json!({ "headers": headers, "payload": base64::encode(message.payload()) });
    serde_json::to_writer(&mut *out, &line).map_err(|e| CliError::io("stdout", e.into()))?;
    out.write_all(b"\n").map_err(|e| CliError::io("stdout", e))
}

fn value_json(value: &HeaderValue) -> Value {
    match value {
        HeaderValue::Bool(b) => json!(b),
        HeaderValue::Byte(v) => json!(v),
        HeaderValue::Short(v) => json!(v),
        HeaderValue::Int(v) => json!(v),
        HeaderValue::Long(v) | HeaderValue::Timestamp(v) => json!(v),
        HeaderValue::ByteArray(b) => json!(base64::encode(b)),
        HeaderValue::String(s) => json!(s.as_str()),
        HeaderValue::Uuid(u) => json!(uuid_text(u)),
    }
}

/// A UUID as hyphenated lowercase hex (8-4-4-4-12).
fn uuid_text(u: &[u8; 16]) -> String {
    let hex = hex::encode(u);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}
