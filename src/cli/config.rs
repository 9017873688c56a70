//! `bedrock-lite config get KEY | set KEY VALUE | unset KEY | path | import [FILE] [--force]`:
//! dotted keys into the config file, and the import of an OpenClaw config.
//!
//! VALUE is read as JSON when it parses, else as a string. OpenClaw's dotted
//! paths are aliases of our keys (`config::canonical_key`). A key that is not
//! set exits 1 (as `git config` does); a config error exits 2. A missing config
//! file is an empty one; writing creates it (`0600`, its folder `0700`).

use std::path::{Path, PathBuf};

use bedrock_lite::config::openclaw::{self, Import};
use bedrock_lite::config::{self, json5, ConfigDocument, ConfigError};
use bedrock_lite::env::Env;
use lexopt::Arg;

use crate::args::{self, Globals};
use crate::error::{CliError, Exit};

const USAGE: &str = "\
usage: bedrock-lite config get KEY
       bedrock-lite config set KEY VALUE
       bedrock-lite config unset KEY
       bedrock-lite config path
       bedrock-lite config import [FILE] [--force]

KEY is dotted (discovery.region, models[0].id); OpenClaw's paths are aliases
(plugins.entries.amazon-bedrock.config.discovery.* and models.bedrockDiscovery.*
-> discovery.*, plugins.entries.amazon-bedrock.config.guardrail.* -> guardrail.*,
agents.defaults.model.primary -> model, agents.defaults.memorySearch.model ->
embeddings.model). VALUE is read as JSON when it parses, else as a string.
import reads an OpenClaw config (JSON5; default ~/.openclaw/openclaw.json) and
writes the equivalent config; --force replaces a different existing one.
";

/// Runs `config SUBCOMMAND ...`.
pub fn run(parser: &mut lexopt::Parser, globals: &mut Globals) -> Result<(), CliError> {
    let mut words = Vec::new();
    let mut force = false;
    while let Some(flag) = args::next_flag(parser, globals)? {
        match flag.as_arg() {
            Arg::Value(v) => words.push(args::os_to_string(v, "config argument")?),
            Arg::Long("force") => force = true,
            Arg::Long("help") | Arg::Short('h') => {
                print!("{USAGE}");
                return Ok(());
            }
            other => return Err(args::unexpected(&other, "config")),
        }
    }
    let env = Env::real();
    let path = &config_path(globals, &env)?;
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    if force && words.first() != Some(&"import") {
        return Err(CliError::usage("`--force` goes with `config import` only"));
    }
    match words.as_slice() {
        ["path"] => {
            println!("{}", path.display());
            Ok(())
        }
        ["get", key] => get(path, key, globals.json),
        ["set", key, value] => {
            let key = canonical(key);
            let mut document = ConfigDocument::load(path).map_err(config_error)?;
            document.set(&key, value).map_err(config_error)?;
            save(&mut document)
        }
        ["unset", key] => {
            let key = canonical(key);
            let mut document = ConfigDocument::load(path).map_err(config_error)?;
            if !document.unset(&key).map_err(config_error)? {
                return Err(not_set(&key));
            }
            save(&mut document)
        }
        ["import"] | ["import", _] => {
            let source = match words.get(1) {
                Some(file) => PathBuf::from(file),
                None => openclaw::default_path(&env).ok_or_else(|| {
                    CliError::usage(
                        "config import: no FILE given and no $HOME for ~/.openclaw/openclaw.json",
                    )
                })?,
            };
            import(&source, path, force, globals.json)
        }
        _ => Err(CliError::usage(
            "expected `config get KEY`, `config set KEY VALUE`, `config unset KEY`, \
             `config path` or `config import [FILE] [--force]`; run `bedrock-lite config --help`",
        )),
    }
}

/// The config file's path: `--config`, `$BEDROCK_LITE_CONFIG`, else under `$HOME`.
pub fn config_path(globals: &Globals, env: &Env) -> Result<PathBuf, CliError> {
    let location = config::locate(globals.config.as_deref(), env).ok_or_else(|| {
        CliError::new(
            "config",
            "no config path: set --config, $BEDROCK_LITE_CONFIG or $HOME",
            Exit::Usage,
        )
    })?;
    Ok(location.path)
}

/// Our key for `key`: itself, or the key an OpenClaw path stands for (with a
/// note on stderr).
fn canonical(key: &str) -> String {
    match config::canonical_key(key) {
        Some(ours) => {
            eprintln!("note: {key} is OpenClaw's name for {ours}; using {ours}");
            ours
        }
        None => key.to_owned(),
    }
}

fn get(path: &Path, key: &str, json: bool) -> Result<(), CliError> {
    let key = config::canonical_key(key).unwrap_or_else(|| key.to_owned());
    let document = ConfigDocument::load(path).map_err(config_error)?;
    let value = document
        .get(&key)
        .map_err(config_error)?
        .ok_or_else(|| not_set(&key))?;
    match value {
        serde_json::Value::String(text) if !json => println!("{text}"),
        other => println!("{other}"),
    }
    Ok(())
}

/// Validates and saves, printing the warnings (unknown keys, a file that was
/// open to others) on stderr.
pub fn save(document: &mut ConfigDocument) -> Result<(), CliError> {
    for warning in document.save().map_err(config_error)? {
        eprintln!("warning: {warning}");
    }
    Ok(())
}

/// `config import`: reads the OpenClaw config at `source` and writes ours at
/// `target`, unless a different config is there and `force` is not given.
fn import(source: &Path, target: &Path, force: bool, json: bool) -> Result<(), CliError> {
    let shown = source.display();
    let text = std::fs::read_to_string(source).map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_owned(),
            _ => e.to_string(),
        };
        CliError::new("config", format!("{shown}: {why}"), Exit::Usage)
    })?;
    let openclaw = json5::parse(&text)
        .map_err(|e| CliError::new("config", format!("{shown}: {e}"), Exit::Usage))?;
    let plan = openclaw::import(&openclaw, &target.display().to_string()).map_err(config_error)?;
    let unchanged = match ConfigDocument::load(target) {
        Ok(existing) if !existing.exists() => false,
        Ok(existing) if existing.value() == &plan.document => true,
        Ok(_) if force => false,
        Ok(_) => {
            return Err(CliError::new(
                "config",
                format!(
                "{} exists and differs from the imported config; run with --force to replace it",
                target.display()
            ),
                Exit::Usage,
            ))
        }
        Err(_) if force => false,
        Err(e) => {
            return Err(CliError::new(
                "config",
                format!("{e}; run with --force to replace it"),
                Exit::Usage,
            ))
        }
    };
    if !unchanged {
        let mut document =
            ConfigDocument::with_value(target, plan.document.clone()).map_err(config_error)?;
        save(&mut document)?;
    }
    report(&plan, target, unchanged, json);
    Ok(())
}

/// What the import did, on stdout: one line per key imported and per path
/// left out, then the file; or one JSON object with `--json`.
fn report(plan: &Import, target: &Path, unchanged: bool, json: bool) {
    if json {
        let imported: Vec<serde_json::Value> = plan
            .imported
            .iter()
            .map(|i| serde_json::json!({"key": i.key, "from": i.from, "note": i.note}))
            .collect();
        let left_out: Vec<serde_json::Value> = plan
            .left_out
            .iter()
            .map(|l| serde_json::json!({"path": l.path, "reason": l.reason}))
            .collect();
        println!(
            "{}",
            serde_json::json!({
                "path": target.display().to_string(),
                "changed": !unchanged,
                "imported": imported,
                "leftOut": left_out,
            })
        );
        return;
    }
    for item in &plan.imported {
        let (key, from) = (one_line(&item.key), one_line(&item.from));
        match &item.note {
            Some(note) => println!("imported {key} from {from} ({note})"),
            None => println!("imported {key} from {from}"),
        }
    }
    for item in &plan.left_out {
        let path = one_line(&item.path);
        match &item.reason {
            Some(reason) => println!("left out {path}: {}", one_line(reason)),
            None => println!("left out {path}"),
        }
    }
    if unchanged {
        println!("unchanged {}", target.display());
    } else {
        println!("wrote {}", target.display());
    }
}

/// `text` with control characters escaped, so that an odd key in the OpenClaw
/// file cannot break a line of the report.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The CLI error for a config file that cannot be used (exit 2).
pub fn config_error(error: ConfigError) -> CliError {
    CliError::new("config", error.to_string(), Exit::Usage)
}

/// A key that is not set (exit 1), naming the known key it may be a
/// misspelling of.
fn not_set(key: &str) -> CliError {
    let hint = config::suggest(key)
        .map(|known| format!(" (did you mean {known}?)"))
        .unwrap_or_default();
    CliError::new("config", format!("{key} is not set{hint}"), Exit::Other)
}
