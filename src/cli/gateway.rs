//! `bedrock-lite gateway key add NAME [--models M1,M2] [--rpm N] [--tpm N]`,
//! `gateway key list`, `gateway key remove NAME`: the keys of `bedrock-lite
//! serve`, in the config file's `gateway.keys[]`.
//!
//! `add` prints the new key once, on one line of stdout (with `--json`:
//! `{"name", "key"}`), and stores only its SHA-256 as `{name, sha256,
//! models?, rpm?, tpm?}`; a name already taken exits 2. `list` prints each
//! key's name, models and limits, never a hash (`--json`: an array). `remove`
//! of a name that is not there exits 1, as `config unset` of a key that is
//! not set does. The file is written as `config set` writes it (`0600`).

use bedrock_lite::config::{ConfigDocument, GatewayKey};
use bedrock_lite::env::Env;
use bedrock_lite::gateway::keys::{key_hash, new_key};
use bedrock_lite::model_ref::ModelRef;
use lexopt::Arg;
use serde_json::{json, Value};

use crate::args::{self, Globals};
use crate::config::{config_error, config_path, save};
use crate::error::{CliError, Exit};

/// The dotted key of the list in the config file.
const KEYS: &str = "gateway.keys";

/// What `gateway key add` was given besides the name.
#[derive(Debug, Default)]
struct NewKey {
    models: Option<Vec<String>>,
    rpm: Option<u32>,
    tpm: Option<u32>,
}

/// Runs `bedrock-lite gateway key ...`.
pub fn run(parser: &mut lexopt::Parser, globals: &mut Globals) -> Result<(), CliError> {
    let mut words = Vec::new();
    let mut options = NewKey::default();
    while let Some(flag) = args::next_flag(parser, globals)? {
        match flag.as_arg() {
            Arg::Value(v) => words.push(args::os_to_string(v, "gateway argument")?),
            Arg::Long("models") => {
                options.models = Some(models(&args::string_value(parser, "--models")?)?)
            }
            Arg::Long("rpm") => options.rpm = Some(limit(parser, "--rpm")?),
            Arg::Long("tpm") => options.tpm = Some(limit(parser, "--tpm")?),
            other => return Err(args::unexpected(&other, "gateway key")),
        }
    }
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let given = options.models.is_some() || options.rpm.is_some() || options.tpm.is_some();
    if given && !matches!(words.as_slice(), ["key", "add", _]) {
        return Err(CliError::usage(
            "`--models`, `--rpm` and `--tpm` go with `gateway key add NAME` only",
        ));
    }
    let path = config_path(globals, &Env::real())?;
    let mut document = ConfigDocument::load(&path).map_err(config_error)?;
    match words.as_slice() {
        ["key", "add", name] => add(&mut document, name, options, globals.json),
        ["key", "list"] => list(&document, globals.json),
        ["key", "remove", name] => remove(&mut document, name),
        _ => Err(CliError::usage(
            "expected `gateway key add NAME`, `gateway key list` or `gateway key remove NAME`; \
             run `bedrock-lite gateway key add --help`",
        )),
    }
}

/// `--models M1,M2`: model refs, each checked.
fn models(text: &str) -> Result<Vec<String>, CliError> {
    let models: Vec<String> = text
        .split(',')
        .map(str::trim)
        .filter(|model| !model.is_empty())
        .map(str::to_owned)
        .collect();
    if models.is_empty() {
        return Err(CliError::usage(
            "--models: expected model refs separated by commas",
        ));
    }
    for model in &models {
        ModelRef::parse(model).map_err(|e| CliError::usage(format!("--models: {e}")))?;
    }
    Ok(models)
}

/// `--rpm N` or `--tpm N`: a whole number from 1.
fn limit(parser: &mut lexopt::Parser, flag: &str) -> Result<u32, CliError> {
    let text = args::string_value(parser, flag)?;
    match text.parse::<u32>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(CliError::usage(format!(
            "{flag} `{text}`: expected a whole number from 1"
        ))),
    }
}

/// The configured keys (the document validated: a broken config exits 2).
fn configured(document: &ConfigDocument) -> Result<Vec<GatewayKey>, CliError> {
    let (config, _) = document.validate().map_err(config_error)?;
    Ok(config.gateway.keys)
}

/// The list as it stands in the document (empty when absent).
fn stored(document: &ConfigDocument) -> Result<Vec<Value>, CliError> {
    match document.get(KEYS).map_err(config_error)? {
        Some(Value::Array(items)) => Ok(items.clone()),
        // `configured` has checked the document: anything else is absent.
        _ => Ok(Vec::new()),
    }
}

/// `gateway key add NAME ...`.
fn add(
    document: &mut ConfigDocument,
    name: &str,
    options: NewKey,
    json: bool,
) -> Result<(), CliError> {
    if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(CliError::usage(format!(
            "gateway key add: NAME {name:?} must be non-empty, without spaces or control characters"
        )));
    }
    if configured(document)?.iter().any(|key| key.name == name) {
        return Err(CliError::new(
            "config",
            format!(
                "{}: a gateway key named `{name}` already exists; remove it first \
                 (`bedrock-lite gateway key remove {name}`)",
                document.display_name()
            ),
            Exit::Usage,
        ));
    }
    let key = new_key().map_err(|e| CliError::new("gateway", e.to_string(), Exit::Other))?;
    let mut entry = json!({ "name": name, "sha256": key_hash(key.expose()) });
    if let Some(models) = options.models {
        entry["models"] = json!(models);
    }
    if let Some(rpm) = options.rpm {
        entry["rpm"] = json!(rpm);
    }
    if let Some(tpm) = options.tpm {
        entry["tpm"] = json!(tpm);
    }
    let mut keys = stored(document)?;
    keys.push(entry);
    document
        .set_value(KEYS, Value::Array(keys))
        .map_err(config_error)?;
    save(document)?;
    if json {
        println!("{}", json!({ "name": name, "key": key.expose() }));
    } else {
        println!("{}", key.expose());
    }
    eprintln!(
        "note: key `{name}` saved in {}; it is shown only this once",
        document.display_name()
    );
    Ok(())
}

/// `gateway key list`: names, models and limits; never a hash.
fn list(document: &ConfigDocument, json: bool) -> Result<(), CliError> {
    let keys = configured(document)?;
    if json {
        let shown: Vec<Value> = keys
            .iter()
            .map(|key| json!({ "name": key.name, "models": key.models, "rpm": key.rpm, "tpm": key.tpm }))
            .collect();
        println!("{}", Value::Array(shown));
        return Ok(());
    }
    if keys.is_empty() {
        eprintln!(
            "note: no gateway keys in {}; `serve` is open, on loopback only",
            document.display_name()
        );
    }
    let number = |n: Option<u32>| n.map_or_else(|| "-".to_owned(), |n| n.to_string());
    for key in &keys {
        let models = key
            .models
            .as_ref()
            .map_or_else(|| "all".to_owned(), |models| models.join(","));
        println!(
            "{} models={models} rpm={} tpm={}",
            key.name,
            number(key.rpm),
            number(key.tpm)
        );
    }
    Ok(())
}

/// `gateway key remove NAME`.
fn remove(document: &mut ConfigDocument, name: &str) -> Result<(), CliError> {
    let at = configured(document)?
        .iter()
        .position(|key| key.name == name)
        .ok_or_else(|| {
            CliError::new(
                "config",
                format!(
                    "{}: there is no gateway key named `{name}` (`bedrock-lite gateway key list` shows them)",
                    document.display_name()
                ),
                Exit::Other,
            )
        })?;
    let mut keys = stored(document)?;
    if at < keys.len() {
        keys.remove(at);
    }
    document
        .set_value(KEYS, Value::Array(keys))
        .map_err(config_error)?;
    save(document)
}
