//! Help and version: `bedrock-lite --help` / `-h` / `help`, `help COMMAND`,
//! `COMMAND --help`, `--version` / `-V`. One table, [`COMMANDS`], gives both
//! the overview and each command's page; [`FEATURE_COMMANDS`] says which
//! commands a Cargo feature brings, so that help lists only the commands of
//! this build and a left-out one is named as such ([`unknown_command`]).
//!
//! The request for help is found before any command runs ([`requested`]):
//! `--help`, `-h`, `--version` or `-V` anywhere before `--`, or `help` as the
//! first word. Flags that take a value are skipped with their value, so
//! `chat --system -h` still sends `-h` as the system prompt.

use std::ffi::OsString;

use crate::error::CliError;

/// One command's help page.
pub struct CommandHelp {
    /// The command words, e.g. `models list`.
    pub path: &'static str,
    /// Its arguments after the words, e.g. `[--provider P] [--refresh]`.
    pub args: &'static str,
    /// What it does, one line.
    pub about: &'static str,
    /// Its flags and what each does.
    pub flags: &'static [(&'static str, &'static str)],
}

/// The global flags, accepted anywhere on the line.
const GLOBAL_FLAGS: &[(&str, &str)] = &[
    ("--region R", "the AWS region (else AWS_REGION, AWS_DEFAULT_REGION, the config's `region`, the profile's, us-east-1)"),
    ("--profile P", "the AWS profile (takes env access keys out of the chain, as botocore does)"),
    ("--endpoint-url URL", "one endpoint for both Bedrock services (http:// only to loopback)"),
    ("--config FILE", "the config file (else $BEDROCK_LITE_CONFIG, ~/.config/bedrock-lite/config.json)"),
    ("--json", "machine-readable output"),
    ("-v", "diagnostics on stderr: where calls go, model rules applied, ignored keys"),
    ("-h, --help", "this help, or a command's (`bedrock-lite COMMAND --help`)"),
    ("-V, --version", "the version"),
];

/// Every command, in the order the overview lists them.
pub const COMMANDS: &[CommandHelp] = &[
    CommandHelp {
        path: "demo",
        args: "",
        about: "stream a chat through the built-in emulator (no AWS account needed)",
        flags: &[],
    },
    CommandHelp {
        path: "emulate",
        args: "[--port P]",
        about: "run the Bedrock emulator on loopback and print its endpoint and demo credentials",
        flags: &[("--port P", "the port (default 4599; 0 picks a free one)")],
    },
    CommandHelp {
        path: "chat",
        args: "[-m MODEL] [--system TEXT] [--max-tokens N] [--temperature F] [--top-p F] [--attach FILE]... [--reasoning N] [--session FILE] [--no-stream] [--stats] [PROMPT]",
        about: "one turn with a model (ConverseStream); the answer streams to stdout. Without PROMPT: stdin, or a loop of turns when stdin is a terminal",
        flags: &[
            ("-m, --model MODEL", "a model id, inference profile id, ARN or amazon-bedrock/<id> (else the config's `model`)"),
            ("--system TEXT", "a system prompt"),
            ("--max-tokens N", "the most tokens to generate"),
            ("--temperature F", "randomness, 0 to 1"),
            ("--top-p F", "nucleus sampling mass, 0 to 1"),
            ("--attach FILE", "an image (png, jpeg, gif, webp), document (pdf, csv, doc, docx, xls, xlsx, html, txt, md) or video (mp4, mov, mkv, webm, flv, mpeg, mpg, wmv, 3gp) before the prompt; repeatable"),
            ("--reasoning N", "extended thinking with a budget of N tokens"),
            ("--session FILE", "keep the conversation in FILE ({\"messages\": [...]}), rewritten on success"),
            ("--no-stream", "use Converse: the whole answer at once"),
            ("--stats", "token usage, latency and cost on stderr"),
            ("--json", "one JSON object per stream event, as received"),
        ],
    },
    CommandHelp {
        path: "count-tokens",
        args: "[-m MODEL] [--system TEXT] [PROMPT]",
        about: "how many input tokens a prompt is (CountTokens)",
        flags: &[
            ("-m, --model MODEL", "the model (an inference profile is mapped to its base model)"),
            ("--system TEXT", "a system prompt"),
            ("--json", "print {\"model\", \"inputTokens\"}"),
        ],
    },
    CommandHelp {
        path: "guardrail apply",
        args: "[--source input|output] [--id ID] [--version V] [TEXT]",
        about: "check TEXT (or stdin) with a guardrail (ApplyGuardrail): the action, then any output text",
        flags: &[
            ("--source input|output", "what the text is (default input)"),
            ("--id ID", "the guardrail id or ARN (else the config's `guardrail.guardrailIdentifier`)"),
            ("--version V", "its version (else the config's `guardrail.guardrailVersion`)"),
            ("--json", "print the whole response"),
        ],
    },
    CommandHelp {
        path: "models list",
        args: "[--provider P] [--refresh]",
        about: "discovered and configured models (a table, or --json)",
        flags: &[
            ("--provider P", "only this provider's models"),
            ("--refresh", "ask Bedrock again instead of the cache"),
        ],
    },
    CommandHelp {
        path: "models status",
        args: "[--probe]",
        about: "region, credential source, discovery mode and cache",
        flags: &[("--probe", "make one signed call and report its latency")],
    },
    CommandHelp {
        path: "embed",
        args: "[-m MODEL] [--dimensions N] [--input-type T] TEXT...",
        about: "embeddings as JSON {model, embeddings}",
        flags: &[
            ("-m, --model MODEL", "the embedding model (else the config's `embeddings.model`)"),
            ("--dimensions N", "the vector length, where the family takes one"),
            ("--input-type T", "Cohere's input_type, Nova's embeddingPurpose"),
        ],
    },
    CommandHelp {
        path: "credentials",
        args: "",
        about: "which credential source answered, the masked access key id and the expiry (never a secret)",
        flags: &[],
    },
    CommandHelp {
        path: "token",
        args: "[--expires-in SECONDS]",
        about: "mint a short-term Bedrock API key from the resolved IAM credentials (at most 12 hours)",
        flags: &[("--expires-in SECONDS", "its lifetime (default 12 hours)")],
    },
    CommandHelp {
        path: "token inspect",
        args: "TOKEN",
        about: "tell when a Bedrock API key expires",
        flags: &[],
    },
    CommandHelp {
        path: "config get",
        args: "KEY",
        about: "a dotted key of the config file (OpenClaw's paths are aliases)",
        flags: &[],
    },
    CommandHelp {
        path: "config set",
        args: "KEY VALUE",
        about: "set a dotted key (VALUE is JSON when it parses, else a string); creates the file 0600",
        flags: &[],
    },
    CommandHelp {
        path: "config unset",
        args: "KEY",
        about: "remove a dotted key",
        flags: &[],
    },
    CommandHelp {
        path: "config path",
        args: "",
        about: "where the config file is",
        flags: &[],
    },
    CommandHelp {
        path: "config import",
        args: "[FILE] [--force]",
        about: "import an OpenClaw config (JSON5; default ~/.openclaw/openclaw.json)",
        flags: &[("--force", "overwrite a different existing config")],
    },
    CommandHelp {
        path: "serve",
        args: "[--listen HOST:PORT]",
        about: "the OpenAI-compatible gateway to Bedrock",
        flags: &[("--listen HOST:PORT", "where to listen (default 127.0.0.1:4600; port 0 picks a free one)")],
    },
    CommandHelp {
        path: "gateway key add",
        args: "NAME [--models M1,M2] [--rpm N] [--tpm N]",
        about: "a new gateway key, printed once (only its SHA-256 is stored)",
        flags: &[
            ("--models M1,M2", "the models the key may use"),
            ("--rpm N", "requests per minute"),
            ("--tpm N", "tokens per minute"),
        ],
    },
    CommandHelp {
        path: "gateway key list",
        args: "",
        about: "the gateway keys' names, models and limits (never a hash)",
        flags: &[],
    },
    CommandHelp {
        path: "gateway key remove",
        args: "NAME",
        about: "remove a gateway key",
        flags: &[],
    },
    CommandHelp {
        path: "eventstream decode",
        args: "[FILE|-]",
        about: "decode a captured event-stream body to one JSON line per message",
        flags: &[],
    },
    CommandHelp {
        path: "sigv4 sign",
        args: "--request FILE --context FILE [--query]",
        about: "sign a raw HTTP request (SigV4 test-suite layout) and print the steps as JSON",
        flags: &[
            ("--request FILE", "the raw request"),
            ("--context FILE", "the signing context (credentials, region, service, time)"),
            ("--query", "presign: put the signature in the query string"),
        ],
    },
];

/// The commands (by first word) that a Cargo feature brings: the word, the
/// feature, and whether this build has it.
const FEATURE_COMMANDS: &[(&str, &str, bool)] = &[
    ("demo", "emulator", cfg!(feature = "emulator")),
    ("emulate", "emulator", cfg!(feature = "emulator")),
    ("models", "discovery", cfg!(feature = "discovery")),
    ("embed", "embeddings", cfg!(feature = "embeddings")),
    ("serve", "gateway", cfg!(feature = "gateway")),
    ("gateway", "gateway", cfg!(feature = "gateway")),
];

/// The feature this build was made without that the command whose first word
/// is `word` needs.
fn missing_feature(word: &str) -> Option<&'static str> {
    FEATURE_COMMANDS
        .iter()
        .find(|(command, _, built)| *command == word && !built)
        .map(|(_, feature, _)| *feature)
}

/// The commands of this build, in the order the overview lists them.
fn built_commands() -> impl Iterator<Item = &'static CommandHelp> {
    COMMANDS.iter().filter(|command| {
        let first = command.path.split(' ').next().unwrap_or_default();
        missing_feature(first).is_none()
    })
}

/// The usage error (exit 2) for command words this build does not run: a
/// command left out of it, with the feature it needs, or an unknown one.
pub fn unknown_command(words: &str) -> CliError {
    let first = words.split(' ').next().unwrap_or_default();
    CliError::usage(match missing_feature(first) {
        Some(feature) => {
            format!("`{first}` is not in this build (built without the `{feature}` feature)")
        }
        None => format!("unknown command `{words}`; run `bedrock-lite --help`"),
    })
}

/// What the command line asks for before any command runs.
#[derive(Debug, PartialEq, Eq)]
pub enum Request {
    /// Help on these command words (empty: the overview).
    Help(Vec<String>),
    /// The version.
    Version,
}

/// Global flags that take a value (skipped with it).
const VALUE_FLAGS: &[&str] = &[
    "--region",
    "--profile",
    "--endpoint-url",
    "--config",
    "-m",
    "--model",
    "--system",
    "--max-tokens",
    "--temperature",
    "--top-p",
    "--attach",
    "--reasoning",
    "--session",
    "--provider",
    "--dimensions",
    "--input-type",
    "--expires-in",
    "--port",
    "--source",
    "--id",
    "--listen",
    "--models",
    "--rpm",
    "--tpm",
    "--request",
    "--context",
];

/// Whether the line asks for help or the version (module docs).
pub fn requested(args: &[OsString]) -> Option<Request> {
    let mut words = Vec::new();
    let mut iter = args.iter().map(|a| a.to_string_lossy());
    let mut version_flag_takes_value = false;
    while let Some(arg) = iter.next() {
        match arg.as_ref() {
            "--" => break,
            "-h" | "--help" => return Some(Request::Help(command_words(&words))),
            "-V" => return Some(Request::Version),
            // `guardrail apply --version V` names a guardrail version.
            "--version" if !version_flag_takes_value => return Some(Request::Version),
            "--version" => {
                iter.next();
            }
            flag if VALUE_FLAGS.contains(&flag) => {
                iter.next();
            }
            flag if flag.starts_with('-') => {}
            word => {
                words.push(word.to_owned());
                version_flag_takes_value = words.first().is_some_and(|w| w == "guardrail");
            }
        }
    }
    match words.first().map(String::as_str) {
        Some("help") => Some(Request::Help(command_words(&words[1..]))),
        None if args.is_empty() => Some(Request::Help(Vec::new())),
        _ => None,
    }
}

/// The longest prefix of `words` that names a command or a command group;
/// the first word alone when it names none (help on it is then refused).
fn command_words(words: &[String]) -> Vec<String> {
    (0..=words.len().min(3))
        .rev()
        .map(|n| &words[..n])
        .find(|prefix| {
            let path = prefix.join(" ");
            COMMANDS
                .iter()
                .any(|c| c.path == path || c.path.starts_with(&format!("{path} ")))
        })
        .filter(|prefix| !prefix.is_empty())
        .unwrap_or_else(|| words.get(..1).unwrap_or_default())
        .to_vec()
}

/// Prints what `request` asks for to stdout. Help on words that name no
/// command of this build is a usage error naming them.
pub fn answer(request: Request) -> Result<(), CliError> {
    match request {
        Request::Version => println!("{}", version()),
        Request::Help(words) => match text(&words) {
            Some(text) => print!("{text}"),
            None => return Err(unknown_command(&words.join(" "))),
        },
    }
    Ok(())
}

/// The help text for `words`: the overview, a command's page, or a group's
/// commands (e.g. `models`); `None` for words that name no command of this
/// build.
pub fn text(words: &[String]) -> Option<String> {
    if words.is_empty() {
        return Some(overview());
    }
    let path = words.join(" ");
    if let Some(command) = built_commands().find(|c| c.path == path) {
        return Some(page(command));
    }
    let group: Vec<&CommandHelp> = built_commands()
        .filter(|c| c.path.starts_with(&format!("{path} ")))
        .collect();
    if group.is_empty() {
        return None;
    }
    let mut out = format!("usage: bedrock-lite {path} <command> [ARGS]\n\ncommands:\n");
    for command in group {
        out.push_str(&format!(
            "  {}\n      {}\n",
            synopsis(command),
            command.about
        ));
    }
    out.push_str(&format!(
        "\nrun `bedrock-lite {path} <command> --help` for a command's flags\n"
    ));
    Some(out)
}

/// `bedrock-lite --help`.
fn overview() -> String {
    let mut out = String::from(
        "bedrock-lite: a small, fast Amazon Bedrock client, CLI and OpenAI-compatible gateway\n\n\
         usage: bedrock-lite [GLOBAL FLAGS] <command> [ARGS]\n\ncommands:\n",
    );
    for command in built_commands() {
        out.push_str(&format!(
            "  {}\n      {}\n",
            synopsis(command),
            command.about
        ));
    }
    out.push_str("\nglobal flags (anywhere on the line):\n");
    push_flags(&mut out, GLOBAL_FLAGS);
    out.push_str(
        "\nexit codes: 0 ok; 2 usage or config; 3 credentials; 4 rejected by the service;\n\
         5 throttled, unavailable or network; 6 the stream broke after output; 1 anything else\n\
         \nrun `bedrock-lite COMMAND --help` for a command's flags\n",
    );
    out
}

/// One command's page.
fn page(command: &CommandHelp) -> String {
    let mut out = format!(
        "usage: bedrock-lite {}\n\n{}\n",
        synopsis(command),
        command.about
    );
    if !command.flags.is_empty() {
        out.push_str("\nflags:\n");
        push_flags(&mut out, command.flags);
    }
    out.push_str(
        "\nglobal flags: --region R, --profile P, --endpoint-url URL, --config FILE, --json, -v\n",
    );
    out
}

fn synopsis(command: &CommandHelp) -> String {
    match command.args {
        "" => command.path.to_owned(),
        args => format!("{} {args}", command.path),
    }
}

fn push_flags(out: &mut String, flags: &[(&str, &str)]) {
    let width = flags.iter().map(|(f, _)| f.len()).max().unwrap_or(0);
    for (flag, what) in flags {
        out.push_str(&format!("  {flag:<width$}  {what}\n"));
    }
}

/// `bedrock-lite X.Y.Z`.
pub fn version() -> String {
    format!("bedrock-lite {}", env!("CARGO_PKG_VERSION"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(line: &str) -> Option<Request> {
        let args: Vec<OsString> = line.split_whitespace().map(OsString::from).collect();
        requested(&args)
    }

    fn help(words: &[&str]) -> Option<Request> {
        Some(Request::Help(
            words.iter().map(|w| (*w).to_owned()).collect(),
        ))
    }

    #[test]
    fn help_and_version_are_found_anywhere_before_the_separator() {
        assert_eq!(ask(""), help(&[]));
        assert_eq!(ask("--help"), help(&[]));
        assert_eq!(ask("-h"), help(&[]));
        assert_eq!(ask("help"), help(&[]));
        assert_eq!(ask("help chat"), help(&["chat"]));
        assert_eq!(ask("chat --help"), help(&["chat"]));
        assert_eq!(ask("--region eu-west-1 chat -m x -h"), help(&["chat"]));
        assert_eq!(ask("models list --help"), help(&["models", "list"]));
        assert_eq!(ask("models --help"), help(&["models"]));
        assert_eq!(
            ask("gateway key add team --help"),
            help(&["gateway", "key", "add"])
        );
        assert_eq!(ask("chat hello there --help"), help(&["chat"]));
        assert_eq!(ask("nonsense --help"), help(&["nonsense"]));
        assert_eq!(ask("help nonsense chat"), help(&["nonsense"]));
        assert_eq!(ask("--version"), Some(Request::Version));
        assert_eq!(ask("chat -V"), Some(Request::Version));
        assert_eq!(ask("chat --system -h hi"), None);
        assert_eq!(ask("chat -- --help"), None);
        assert_eq!(ask("guardrail apply --version 2 text"), None);
        assert_eq!(ask("chat hi"), None);
    }

    #[test]
    fn every_command_of_the_build_has_a_page_and_every_group_a_list() {
        for command in built_commands() {
            let words: Vec<String> = command.path.split(' ').map(str::to_owned).collect();
            let page = text(&words).expect(command.path);
            assert!(page.starts_with(&format!("usage: bedrock-lite {}", command.path)));
            for (flag, _) in command.flags {
                assert!(page.contains(flag), "{}: {flag}", command.path);
            }
        }
        for group in ["models", "config", "gateway", "gateway key", "token"] {
            let words: Vec<String> = group.split(' ').map(str::to_owned).collect();
            let built = missing_feature(&words[0]).is_none();
            assert_eq!(text(&words).is_some(), built, "{group}");
        }
        assert!(text(&["nope".to_owned()]).is_none());
        let overview = text(&[]).expect("overview");
        for command in COMMANDS {
            let built = built_commands().any(|c| c.path == command.path);
            let listed = overview.contains(&format!("\n  {}", command.path));
            assert_eq!(listed, built, "{}", command.path);
        }
        assert_eq!(
            version(),
            format!("bedrock-lite {}", env!("CARGO_PKG_VERSION"))
        );
    }

    #[test]
    fn a_command_left_out_of_the_build_is_named_with_its_feature() {
        for (word, feature, built) in FEATURE_COMMANDS {
            let first_word = |c: &CommandHelp| c.path.split(' ').next() == Some(*word);
            assert!(COMMANDS.iter().any(first_word), "{word} is a command");
            assert_eq!(built_commands().any(first_word), *built, "{word}");
            assert_eq!(text(&[(*word).to_owned()]).is_some(), *built, "{word}");
            if !built {
                let error = unknown_command(word);
                assert_eq!(error.exit_code(), 2);
                assert_eq!(
                    error.to_string(),
                    format!("error: usage: `{word}` is not in this build (built without the `{feature}` feature)")
                );
            }
        }
        assert_eq!(
            unknown_command("frobnicate").to_string(),
            "error: usage: unknown command `frobnicate`; run `bedrock-lite --help`"
        );
    }
}
