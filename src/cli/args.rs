//! Argument handling shared by every command: the global flags, which may
//! appear anywhere on the line, and small helpers over `lexopt`.
//!
//! A command reads its arguments like this (global flags are taken on the way):
//!
//! ```ignore
//! while let Some(flag) = args::next_flag(parser, globals)? {
//!     match flag.as_arg() {
//!         Arg::Long("query") => query = true,
//!         Arg::Long("request") => request = Some(PathBuf::from(args::value(parser, "--request")?)),
//!         Arg::Value(v) => positional.push(v),
//!         other => return Err(args::unexpected(&other, "sigv4 sign")),
//!     }
//! }
//! ```

use std::ffi::OsString;
use std::path::PathBuf;

use lexopt::Arg;

use crate::error::CliError;

/// Flags every command accepts, wherever they appear on the line.
#[derive(Debug, Default)]
#[allow(dead_code)] // fields are read by the commands that need them
pub struct Globals {
    /// `--region R`
    pub region: Option<String>,
    /// `--profile P`
    pub profile: Option<String>,
    /// `--endpoint-url URL` (both Bedrock services)
    pub endpoint_url: Option<String>,
    /// `--config FILE`
    pub config: Option<PathBuf>,
    /// `--json`: machine-readable output
    pub json: bool,
    /// `-v`: diagnostics on stderr (repeatable)
    pub verbose: u8,
    /// The command words read so far (`models list`), for help hints.
    pub command: String,
}

/// One argument, owned, so that `parser` is free to read a flag's value.
#[derive(Debug, Clone)]
pub enum Flag {
    /// `--name`
    Long(String),
    /// `-c`
    Short(char),
    /// A positional value.
    Value(OsString),
}

impl Flag {
    /// The argument as a `lexopt::Arg`, for matching with string patterns.
    pub fn as_arg(&self) -> Arg<'_> {
        match self {
            Flag::Long(name) => Arg::Long(name),
            Flag::Short(c) => Arg::Short(*c),
            Flag::Value(v) => Arg::Value(v.clone()),
        }
    }
}

/// The next argument that is not a global flag (global flags are taken into
/// `globals` on the way); `None` at the end of the line.
pub fn next_flag(
    parser: &mut lexopt::Parser,
    globals: &mut Globals,
) -> Result<Option<Flag>, CliError> {
    loop {
        let next = parser
            .next()
            .map_err(|e| CliError::usage(format!("{e}; {}", help_hint(&globals.command))))?;
        let flag = match next {
            None => return Ok(None),
            Some(Arg::Long(name)) => Flag::Long(name.to_owned()),
            Some(Arg::Short(c)) => Flag::Short(c),
            Some(Arg::Value(v)) => Flag::Value(v),
        };
        if !globals.take(&flag, parser)? {
            return Ok(Some(flag));
        }
    }
}

impl Globals {
    /// Takes `flag` if it is a global flag (reading its value from `parser`).
    /// Returns whether it was one.
    fn take(&mut self, flag: &Flag, parser: &mut lexopt::Parser) -> Result<bool, CliError> {
        match flag.as_arg() {
            Arg::Long("region") => self.region = Some(string_value(parser, "--region")?),
            Arg::Long("profile") => self.profile = Some(string_value(parser, "--profile")?),
            Arg::Long("endpoint-url") => {
                self.endpoint_url = Some(string_value(parser, "--endpoint-url")?)
            }
            Arg::Long("config") => self.config = Some(value(parser, "--config")?.into()),
            Arg::Long("json") => self.json = true,
            Arg::Short('v') | Arg::Long("verbose") => self.verbose = self.verbose.saturating_add(1),
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// Reads the value of `flag` (a flag with no value after it is a usage error
/// that says how to get help).
pub fn value(parser: &mut lexopt::Parser, flag: &str) -> Result<OsString, CliError> {
    parser
        .value()
        .map_err(|_| CliError::usage(format!("flag `{flag}` needs a value; {}", help_hint(""))))
}

/// Reads the value of `flag` as UTF-8 text.
pub fn string_value(parser: &mut lexopt::Parser, flag: &str) -> Result<String, CliError> {
    os_to_string(value(parser, flag)?, flag)
}

/// Converts an argument to UTF-8 text, naming `what` if it is not.
pub fn os_to_string(value: OsString, what: &str) -> Result<String, CliError> {
    value
        .into_string()
        .map_err(|v| CliError::usage(format!("{what}: not valid UTF-8: {v:?}")))
}

/// All of stdin, less one trailing newline (a prompt or text piped in).
pub fn read_stdin_text() -> Result<String, CliError> {
    use std::io::Read;
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| CliError::io("stdin", e))?;
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    // The buffer grew by doubling: give back what a long prompt left unused.
    text.shrink_to_fit();
    Ok(text)
}

/// Reads the next positional word (a command or subcommand name), taking any
/// global flags on the way. `None` at the end of the line.
pub fn next_word(
    parser: &mut lexopt::Parser,
    globals: &mut Globals,
) -> Result<Option<String>, CliError> {
    match next_flag(parser, globals)? {
        None => Ok(None),
        Some(Flag::Value(v)) => {
            let word = os_to_string(v, "command")?;
            if !globals.command.is_empty() {
                globals.command.push(' ');
            }
            globals.command.push_str(&word);
            Ok(Some(word))
        }
        Some(other) => Err(CliError::usage(format!(
            "unexpected {} before the command; run `bedrock-lite --help`",
            describe(&other.as_arg())
        ))),
    }
}

/// Describes an argument for an error message (`--flag`, `-f` or `value`).
pub fn describe(arg: &Arg<'_>) -> String {
    match arg {
        Arg::Long(name) => format!("flag `--{name}`"),
        Arg::Short(c) => format!("flag `-{c}`"),
        Arg::Value(v) => format!("argument `{}`", v.to_string_lossy()),
    }
}

/// The usage error for an argument the command does not take; it says how
/// to get the command's help.
pub fn unexpected(arg: &Arg<'_>, command: &str) -> CliError {
    CliError::usage(format!(
        "`{command}` does not take {}; {}",
        describe(arg),
        help_hint(command)
    ))
}

/// How to get the help of `command` (the overview when it is empty).
pub fn help_hint(command: &str) -> String {
    match command {
        "" => "run `bedrock-lite --help`".to_owned(),
        command => format!("run `bedrock-lite {command} --help`"),
    }
}
