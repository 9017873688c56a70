//! `bedrock-lite config get KEY | set KEY VALUE | unset KEY | path`: dotted keys
//! into the config file. VALUE is read as JSON when it parses, else as a string.
//! A key that is not set exits 1 (as `git config` does); a config error exits 2.

use bedrock_lite::config::{self, ConfigDocument, ConfigError};
use bedrock_lite::env::Env;
use lexopt::Arg;

use crate::args::{self, Globals};
use crate::error::{CliError, Exit};

/// Runs `config SUBCOMMAND ...`.
pub fn run(parser: &mut lexopt::Parser, globals: &mut Globals) -> Result<(), CliError> {
    let mut words = Vec::new();
    while let Some(flag) = args::next_flag(parser, globals)? {
        match flag.as_arg() {
            Arg::Value(v) => words.push(args::os_to_string(v, "config argument")?),
            other => return Err(args::unexpected(&other, "config")),
        }
    }
    let env = Env::real();
    let location = config::locate(globals.config.as_deref(), &env).ok_or_else(|| {
        CliError::new(
            "config",
            "no config path: set --config, $BEDROCK_LITE_CONFIG or $HOME",
            Exit::Usage,
        )
    })?;
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["path"] => {
            println!("{}", location.path.display());
            Ok(())
        }
        ["get", key] => {
            let document = ConfigDocument::load(&location.path).map_err(config_error)?;
            let value = document
                .get(key)
                .map_err(config_error)?
                .ok_or_else(|| not_set(key))?;
            match value {
                serde_json::Value::String(text) if !globals.json => println!("{text}"),
                other => println!("{other}"),
            }
            Ok(())
        }
        ["set", key, value] => {
            let mut document = ConfigDocument::load(&location.path).map_err(config_error)?;
            document.set(key, value).map_err(config_error)?;
            save(&mut document)
        }
        ["unset", key] => {
            let mut document = ConfigDocument::load(&location.path).map_err(config_error)?;
            if !document.unset(key).map_err(config_error)? {
                return Err(not_set(key));
            }
            save(&mut document)
        }
        _ => Err(CliError::usage(
            "expected `config get KEY`, `config set KEY VALUE`, `config unset KEY` or `config path`",
        )),
    }
}

/// Validates and saves, printing unknown-key warnings on stderr.
fn save(document: &mut ConfigDocument) -> Result<(), CliError> {
    for warning in document.save().map_err(config_error)? {
        eprintln!("warning: {warning}");
    }
    Ok(())
}

fn config_error(error: ConfigError) -> CliError {
    CliError::new("config", error.to_string(), Exit::Usage)
}

fn not_set(key: &str) -> CliError {
    CliError::new("config", format!("{key} is not set"), Exit::Other)
}
