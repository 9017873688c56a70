//! The built binary's help and version, and its usage errors: what goes to
//! stdout and stderr and the exit code, as the command-line contract says.
#![cfg(feature = "cli")]

mod cli_support;

use std::process::Output;

use cli_support::{assert_exit, stderr, stdout, Home};

fn run(args: &[&str]) -> Output {
    let home = Home::new("cli-help");
    home.command(args).output().expect("the binary runs")
}

/// Asserts a successful run that printed `expected` on stdout and nothing on stderr.
#[track_caller]
fn assert_prints(args: &[&str], expected: &str) {
    let output = run(args);
    assert_exit(&output, 0);
    assert_eq!(stdout(&output), expected, "{args:?}");
    assert_eq!(stderr(&output), "", "{args:?}");
}

#[test]
fn help_flags_and_the_help_command_print_the_overview() {
    let overview = stdout(&run(&["--help"]));
    assert!(
        overview.contains("usage: bedrock-lite [GLOBAL FLAGS] <command> [ARGS]"),
        "{overview}"
    );
    for command in [
        "chat",
        "count-tokens",
        "guardrail apply",
        "credentials",
        "token inspect",
        "config import",
        "eventstream decode",
        "sigv4 sign",
    ] {
        assert!(overview.contains(&format!("\n  {command}")), "{command}");
    }
    for flag in [
        "--region R",
        "--endpoint-url URL",
        "--json",
        "-V, --version",
    ] {
        assert!(overview.contains(flag), "{flag}");
    }
    assert_prints(&["--help"], &overview);
    assert_prints(&["-h"], &overview);
    assert_prints(&["help"], &overview);
    assert_prints(&["--region", "eu-west-1", "--help"], &overview);
}

#[test]
fn a_commands_help_shows_its_usage_and_flags() {
    let chat = stdout(&run(&["chat", "--help"]));
    assert!(
        chat.starts_with("usage: bedrock-lite chat [-m MODEL]"),
        "{chat}"
    );
    for flag in [
        "-m, --model MODEL",
        "--system TEXT",
        "--max-tokens N",
        "--temperature F",
        "--top-p F",
        "--attach FILE",
        "--reasoning N",
        "--session FILE",
        "--no-stream",
        "--stats",
    ] {
        assert!(chat.contains(flag), "chat --help lacks {flag}:\n{chat}");
    }
    assert_prints(&["chat", "--help"], &chat);
    assert_prints(&["chat", "-h"], &chat);
    assert_prints(&["help", "chat"], &chat);
    assert_prints(&["chat", "-m", "x", "hello", "--help"], &chat);

    if cfg!(feature = "discovery") {
        let list = stdout(&run(&["models", "list", "--help"]));
        assert!(
            list.starts_with("usage: bedrock-lite models list [--provider P] [--refresh]"),
            "{list}"
        );
        assert!(list.contains("--provider P") && list.contains("--refresh"));
        assert!(!list.contains("--reasoning"), "only its own flags: {list}");
        assert_prints(&["models", "list", "--help"], &list);
        assert_prints(&["help", "models", "list"], &list);
    }

    if cfg!(feature = "gateway") {
        let add = stdout(&run(&["gateway", "key", "add", "--help"]));
        assert!(
            add.starts_with("usage: bedrock-lite gateway key add NAME [--models M1,M2]"),
            "{add}"
        );
        for flag in ["--models M1,M2", "--rpm N", "--tpm N"] {
            assert!(add.contains(flag), "{flag}: {add}");
        }
        assert_prints(&["gateway", "key", "add", "--help"], &add);
        assert_prints(&["gateway", "key", "add", "team-a", "--help"], &add);
    }
}

#[test]
fn a_groups_help_lists_its_commands() {
    let config = stdout(&run(&["config", "--help"]));
    assert!(
        config.contains("config get") && config.contains("config import"),
        "{config}"
    );
    assert!(!config.contains("chat"), "{config}");
    assert_prints(&["help", "config"], &config);
}

/// The commands a Cargo feature brings: the command words, the feature, and
/// whether this build has it.
const OPTIONAL_COMMANDS: &[(&str, &str, bool)] = &[
    ("demo", "emulator", cfg!(feature = "emulator")),
    ("emulate", "emulator", cfg!(feature = "emulator")),
    ("models list", "discovery", cfg!(feature = "discovery")),
    ("models status", "discovery", cfg!(feature = "discovery")),
    ("embed", "embeddings", cfg!(feature = "embeddings")),
    ("serve", "gateway", cfg!(feature = "gateway")),
    ("gateway key add", "gateway", cfg!(feature = "gateway")),
];

#[test]
fn a_command_is_listed_when_built_and_else_named_with_its_feature() {
    let overview = stdout(&run(&["--help"]));
    for (command, feature, built) in OPTIONAL_COMMANDS {
        let listed = overview.contains(&format!("\n  {command}"));
        assert_eq!(listed, *built, "{command}: {overview}");
        if *built {
            continue;
        }
        let first = command.split(' ').next().unwrap_or_default();
        let message =
            format!("`{first}` is not in this build (built without the `{feature}` feature)");
        let words: Vec<&str> = command.split(' ').collect();
        for args in [
            words.clone(),
            [words.as_slice(), &["--help"]].concat(),
            [&["help"], words.as_slice()].concat(),
        ] {
            assert_usage_error(&args, &[&message]);
        }
    }
}

#[test]
fn the_version_flags_print_the_version() {
    let version = format!("bedrock-lite {}\n", env!("CARGO_PKG_VERSION"));
    assert_prints(&["--version"], &version);
    assert_prints(&["-V"], &version);
    assert_prints(&["chat", "-V"], &version);
}

#[test]
fn help_words_after_the_separator_or_as_a_flags_value_are_not_help() {
    // `-h` as the system prompt, and a prompt after `--`, are sent as they are:
    // with no model configured the command itself runs and exits 2 on that.
    for args in [
        &["chat", "--system", "-h", "hi"][..],
        &["chat", "--", "--help"][..],
    ] {
        let output = run(args);
        assert_exit(&output, 2);
        assert!(stdout(&output).is_empty(), "{args:?}: {}", stdout(&output));
        assert!(stderr(&output).contains("no model"), "{}", stderr(&output));
    }
}

/// Asserts a usage error: exit 2, nothing on stdout, one line on stderr
/// containing each of `parts`.
#[track_caller]
fn assert_usage_error(args: &[&str], parts: &[&str]) {
    let output = run(args);
    assert_exit(&output, 2);
    assert_eq!(stdout(&output), "", "{args:?}");
    let message = stderr(&output);
    assert!(message.starts_with("error: usage: "), "{message}");
    assert_eq!(message.lines().count(), 1, "{message}");
    for part in parts {
        assert!(message.contains(part), "{args:?}: {message} lacks {part}");
    }
}

#[test]
fn a_wrong_flag_exits_2_naming_it_and_saying_how_to_get_help() {
    assert_usage_error(
        &["chat", "--bogus", "hi"],
        &["`--bogus`", "bedrock-lite chat --help"],
    );
    assert_usage_error(&["chat", "-x", "hi"], &["`-x`", "bedrock-lite chat --help"]);
    if cfg!(feature = "discovery") {
        assert_usage_error(
            &["models", "list", "--probe"],
            &["`--probe`", "bedrock-lite models list --help"],
        );
    }
    assert_usage_error(&["--bogus", "chat"], &["`--bogus`", "bedrock-lite --help"]);
    assert_usage_error(
        &["chat", "--max-tokens"],
        &["`--max-tokens` needs a value", "--help`"],
    );
    assert_usage_error(
        &["chat", "--stats=yes", "hi"],
        &["--stats", "bedrock-lite chat --help"],
    );
    assert_usage_error(
        &["chat", "--max-tokens", "many", "hi"],
        &["--max-tokens", "`many`", "bedrock-lite chat --help"],
    );
}

#[test]
fn an_unknown_command_exits_2_naming_it() {
    for args in [
        &["frobnicate"][..],
        &["frobnicate", "--help"][..],
        &["help", "frobnicate"][..],
        &["--region", "eu-west-1", "frobnicate", "now"][..],
    ] {
        assert_usage_error(args, &["`frobnicate`", "bedrock-lite --help"]);
    }
    if cfg!(feature = "discovery") {
        assert_usage_error(&["models", "frobnicate"], &["`models frobnicate`"]);
    }
}

/// The command paths the overview lists (`models list`, `gateway key add`...).
fn listed_commands() -> Vec<String> {
    let overview = stdout(&run(&["--help"]));
    let commands = overview
        .split("\ncommands:\n")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .expect("a commands section");
    commands
        .lines()
        .filter(|line| line.starts_with("  ") && !line.starts_with("   "))
        .map(|line| {
            line.split_whitespace()
                .take_while(|word| {
                    !word.starts_with('-')
                        && word
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

#[test]
fn every_command_the_help_lists_is_one_the_binary_runs() {
    let commands = listed_commands();
    assert!(commands.len() >= 15, "{commands:?}");
    let mut missing = Vec::new();
    for command in &commands {
        let mut args: Vec<&str> = command.split(' ').collect();
        args.push("--no-such-flag");
        let output = run(&args);
        let message = stderr(&output);
        if output.status.code() != Some(2)
            || !message.contains("does not take flag `--no-such-flag`")
        {
            missing.push(format!("{command}: {message}"));
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}
