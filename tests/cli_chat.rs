//! `bedrock-lite chat` through the built binary against an emulator started in
//! the test: `--attach`, `--reasoning`, `--session`, the interactive loop on a
//! terminal, `--stats` with cost, and the errors a person acts on. The request
//! body the emulator received is the evidence.
#![cfg(all(feature = "emulator", feature = "cli"))]

mod cli_support;

use std::path::Path;
use std::process::Command;

use bedrock_lite::emulator::{Emulator, Reply};
use bedrock_lite::types::ConverseResponse;
use serde_json::{json, Value};

use cli_support::{
    assert_exit, converse_bodies, only_converse_body, output, read_json, stderr, stdout, Home,
};

const SONNET: &str = "anthropic.claude-sonnet-4-5-20250929-v1:0";
/// The emulator's application inference profile (its base model is Claude Opus 4.7).
const APP_PROFILE: &str =
    "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/emuapp1";

async fn emulator() -> Emulator {
    Emulator::start(0).await.expect("the emulator starts")
}

/// `chat -m MODEL ARGS...` against `emulator`, in `home`, with the demo keys.
async fn chat(
    home: &Home,
    emulator: &Emulator,
    model: &str,
    args: &[&str],
) -> std::process::Output {
    output(home.chat_command(emulator, model, args), None).await
}

/// The bytes of a `{"bytes": "<base64>"}` source, decoded by the SDK's decoder.
fn source_bytes(block: &Value) -> Vec<u8> {
    let text = block["source"]["bytes"]
        .as_str()
        .unwrap_or_else(|| panic!("base64 bytes in {block}"));
    aws_smithy_types::base64::decode(text).expect("valid base64")
}

// --attach ------------------------------------------------------------------

#[tokio::test]
async fn attachments_become_image_document_and_video_blocks_before_the_text() {
    let emu = emulator().await;
    let home = Home::new("cli-chat-attach");
    // (file name, block kind, Bedrock format)
    let files = [
        ("cat.png", "image", "png"),
        ("photo.jpeg", "image", "jpeg"),
        ("photo2.JPG", "image", "jpeg"),
        ("anim.gif", "image", "gif"),
        ("pic.webp", "image", "webp"),
        ("Q3 report_final.v2.pdf", "document", "pdf"),
        ("table.csv", "document", "csv"),
        ("letter.doc", "document", "doc"),
        ("letter-2.docx", "document", "docx"),
        ("sheet.xls", "document", "xls"),
        ("sheet [new].xlsx", "document", "xlsx"),
        ("page.html", "document", "html"),
        ("notes.txt", "document", "txt"),
        ("README.md", "document", "md"),
        ("clip.mp4", "video", "mp4"),
        ("clip.mov", "video", "mov"),
        ("clip.mkv", "video", "mkv"),
        ("clip.webm", "video", "webm"),
        ("clip.flv", "video", "flv"),
        ("clip.mpeg", "video", "mpeg"),
        ("clip.mpg", "video", "mpg"),
        ("clip.wmv", "video", "wmv"),
        ("clip.3gp", "video", "three_gp"),
    ];
    let mut args: Vec<String> = Vec::new();
    let mut contents = Vec::new();
    for (index, (name, _, _)) in files.iter().enumerate() {
        // Distinct bytes per file, with every byte value somewhere.
        let bytes: Vec<u8> = (0..=255u8).cycle().skip(index).take(300 + index).collect();
        let path = home.write(name, &bytes);
        args.push("--attach".into());
        args.push(path.to_string_lossy().into_owned());
        contents.push(bytes);
    }
    args.push("what are these?".into());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = chat(&home, &emu, "some.model", &args).await;
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "You said: what are these?\n");

    let body = only_converse_body(&emu);
    let messages = body["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 1, "{body}");
    assert_eq!(messages[0]["role"], "user");
    let content = messages[0]["content"].as_array().expect("content");
    assert_eq!(content.len(), files.len() + 1, "{body}");
    for (((name, kind, format), bytes), block) in files.iter().zip(&contents).zip(content) {
        let inner = &block[*kind];
        assert_eq!(
            block.as_object().map(|o| o.len()),
            Some(1),
            "{name}: {block}"
        );
        assert_eq!(inner["format"], *format, "{name}: {block}");
        assert_eq!(&source_bytes(inner), bytes, "{name}");
        if *kind == "document" {
            assert!(inner["name"].is_string(), "{name}: {block}");
        } else {
            assert!(inner.get("name").is_none(), "{name}: {block}");
        }
    }
    let names: Vec<&str> = content
        .iter()
        .filter_map(|b| b["document"]["name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "Q3 report final v2",
            "table",
            "letter",
            "letter-2",
            "sheet",
            "sheet [new]",
            "page",
            "notes",
            "README",
        ]
    );
    assert_eq!(content.last(), Some(&json!({"text": "what are these?"})));
}

#[tokio::test]
async fn an_attachment_alone_needs_no_prompt_text() {
    let emu = emulator().await;
    let home = Home::new("cli-chat-attach-alone");
    let path = home.write("cat.png", b"\x89PNG\r\n");
    let path = path.to_string_lossy();
    let out = output(
        home.chat_command(&emu, "some.model", &["--attach", &path]),
        Some(""),
    )
    .await;
    assert_exit(&out, 0);
    let body = only_converse_body(&emu);
    let content = body["messages"][0]["content"].as_array().expect("content");
    assert_eq!(content.len(), 1, "{body}");
    assert_eq!(content[0]["image"]["format"], "png");
}

/// Asserts that `chat` with `args` exits 2 with a message naming `file`
/// (and containing `why`), and that nothing reached the emulator.
async fn assert_refused(home: &Home, args: &[&str], file: &str, why: &str) {
    let emu = emulator().await;
    let out = chat(home, &emu, "some.model", args).await;
    assert_exit(&out, 2);
    assert_eq!(stdout(&out), "");
    let message = stderr(&out);
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(message.contains(file), "{message} does not name {file}");
    assert!(message.contains(why), "{message} does not say {why}");
    assert!(
        emu.requests().is_empty(),
        "nothing is sent: {:?}",
        emu.requests()
    );
}

#[tokio::test]
async fn bad_attachments_exit_2_naming_the_file_and_nothing_is_sent() {
    let home = Home::new("cli-chat-attach-bad");
    let good = home
        .write("good.png", b"png")
        .to_string_lossy()
        .into_owned();
    let missing = home.path("missing.png").to_string_lossy().into_owned();
    assert_refused(
        &home,
        &["--attach", &good, "--attach", &missing, "hi"],
        "missing.png",
        "No such file",
    )
    .await;
    let zip = home
        .write("archive.zip", b"PK")
        .to_string_lossy()
        .into_owned();
    assert_refused(
        &home,
        &["--attach", &zip, "hi"],
        "archive.zip",
        "unknown file type `.zip`",
    )
    .await;
    let noext = home.write("README", b"x").to_string_lossy().into_owned();
    assert_refused(&home, &["--attach", &noext, "hi"], "README", "extension").await;

    let sized = |name: &str, len: u64| {
        let path = home.path(name);
        std::fs::File::create(&path)
            .and_then(|file| file.set_len(len))
            .expect("a sized file");
        path.to_string_lossy().into_owned()
    };
    let image = sized("big.jpg", 3_750_001);
    assert_refused(&home, &["--attach", &image, "hi"], "big.jpg", "limit").await;
    let document = sized("big.pdf", 4_500_001);
    assert_refused(&home, &["--attach", &document, "hi"], "big.pdf", "limit").await;
    // The limits themselves are allowed.
    let emu = emulator().await;
    let image = sized("edge.webp", 3_750_000);
    let document = sized("edge.txt", 4_500_000);
    let out = chat(
        &home,
        &emu,
        "some.model",
        &["--attach", &image, "--attach", &document, "hi"],
    )
    .await;
    assert_exit(&out, 0);
    let body = only_converse_body(&emu);
    let content = &body["messages"][0]["content"];
    assert_eq!(source_bytes(&content[0]["image"]).len(), 3_750_000);
    assert_eq!(source_bytes(&content[1]["document"]).len(), 4_500_000);
}

// --reasoning -----------------------------------------------------------------

#[tokio::test]
async fn reasoning_turns_claude_thinking_on_for_every_kind_of_ref() {
    let emu = emulator().await;
    let home = Home::new("cli-chat-reasoning");
    let arn = format!("arn:aws:bedrock:us-east-1::foundation-model/{SONNET}");
    let profile = format!("us.{SONNET}");
    let provider = format!("amazon-bedrock/us.{SONNET}");
    for model in [
        SONNET,
        profile.as_str(),
        arn.as_str(),
        provider.as_str(),
        APP_PROFILE,
    ] {
        let before = converse_bodies(&emu).len();
        let out = chat(
            &home,
            &emu,
            model,
            &[
                "-v",
                "--reasoning",
                "2048",
                "--temperature",
                "0.5",
                "--top-p",
                "0.9",
                "hi",
            ],
        )
        .await;
        assert_exit(&out, 0);
        assert_eq!(
            stdout(&out),
            "You said: hi\n",
            "{model}: reasoning stays off stdout"
        );
        let notes = stderr(&out);
        assert!(
            notes.contains("The user said: hi. I will repeat it."),
            "{model}: the reasoning goes to stderr: {notes}"
        );
        assert!(
            notes.contains("dropped `temperature`") && notes.contains("dropped `topP`"),
            "{model}: -v notes what was dropped: {notes}"
        );
        let bodies = converse_bodies(&emu);
        assert_eq!(bodies.len(), before + 1, "{model}");
        let sent = &bodies[before];
        assert_eq!(
            sent["additionalModelRequestFields"]["thinking"],
            json!({"type": "enabled", "budget_tokens": 2048}),
            "{model}: {sent}"
        );
        let config = &sent["inferenceConfig"];
        assert!(config.get("temperature").is_none(), "{model}: {sent}");
        assert!(config.get("topP").is_none(), "{model}: {sent}");
        let max_tokens = config["maxTokens"].as_u64().expect("maxTokens");
        assert!(max_tokens > 2048, "{model}: {sent}");
    }
    // Without -v nothing is said of the dropped parameters; an explicit
    // --max-tokens above the budget is kept as it is.
    let out = chat(
        &home,
        &emu,
        SONNET,
        &[
            "--reasoning",
            "1024",
            "--max-tokens",
            "3000",
            "--temperature",
            "0.5",
            "hi",
        ],
    )
    .await;
    assert_exit(&out, 0);
    assert!(!stderr(&out).contains("dropped"), "{}", stderr(&out));
    let bodies = converse_bodies(&emu);
    let sent = bodies.last().expect("a request");
    assert_eq!(
        sent["inferenceConfig"],
        json!({"maxTokens": 3000}),
        "{sent}"
    );
    assert_eq!(
        sent["additionalModelRequestFields"],
        json!({"thinking": {"type": "enabled", "budget_tokens": 1024}})
    );
}

#[tokio::test]
async fn reasoning_on_an_application_profile_whose_base_cannot_be_read_says_so() {
    let emu = emulator().await;
    emu.script(Reply::Status {
        status: 403,
        error_type: "AccessDeniedException".into(),
        message: "not allowed to read the profile".into(),
    });
    let home = Home::new("cli-chat-reasoning-unresolved");
    let out = chat(&home, &emu, APP_PROFILE, &["--reasoning", "2048", "hi"]).await;
    assert_exit(&out, 2);
    let message = stderr(&out);
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(
        message.contains("no known reasoning switch")
            && message.contains("its base model could not be read"),
        "{message}"
    );
    assert!(converse_bodies(&emu).is_empty(), "nothing is sent");
}

#[tokio::test]
async fn reasoning_follows_the_rule_table_for_other_families() {
    let emu = emulator().await;
    let home = Home::new("cli-chat-reasoning-families");
    for (model, budget, fields) in [
        (
            "amazon.nova-2-lite-v1:0",
            "2048",
            json!({"reasoningConfig": {"type": "enabled", "maxReasoningEffort": "medium"}}),
        ),
        (
            "us.amazon.nova-2-lite-v1:0",
            "1000",
            json!({"reasoningConfig": {"type": "enabled", "maxReasoningEffort": "low"}}),
        ),
        (
            "openai.gpt-oss-120b-1:0",
            "20000",
            json!({"reasoning_effort": "high"}),
        ),
    ] {
        let before = converse_bodies(&emu).len();
        let out = chat(&home, &emu, model, &["--reasoning", budget, "hi"]).await;
        assert_exit(&out, 0);
        let bodies = converse_bodies(&emu);
        assert_eq!(bodies.len(), before + 1);
        assert_eq!(
            bodies[before]["additionalModelRequestFields"], fields,
            "{model}: {}",
            bodies[before]
        );
    }
    // A model that always reasons is sent as it is, with a note under -v.
    let out = chat(
        &home,
        &emu,
        "us.deepseek.r1-v1:0",
        &["-v", "--reasoning", "2048", "hi"],
    )
    .await;
    assert_exit(&out, 0);
    assert!(stderr(&out).contains("always reasons"), "{}", stderr(&out));
    let bodies = converse_bodies(&emu);
    let sent = bodies.last().expect("a request");
    assert!(sent.get("additionalModelRequestFields").is_none(), "{sent}");
}

#[tokio::test]
async fn reasoning_goes_to_stderr_on_lines_of_its_own() {
    for no_stream in [false, true] {
        let emu = emulator().await;
        let home = Home::new("cli-chat-reasoning-lines");
        let mut args = vec!["--reasoning", "1024", "--stats", "hi"];
        if no_stream {
            args.insert(0, "--no-stream");
        }
        let out = chat(&home, &emu, SONNET, &args).await;
        assert_exit(&out, 0);
        assert_eq!(stdout(&out), "You said: hi\n");
        let text = stderr(&out);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text:?}");
        assert_eq!(lines[0], "The user said: hi. I will repeat it.", "{text:?}");
        assert!(lines[1].starts_with("stats: "), "{text:?}");
        assert_eq!(
            only_converse_body(&emu)["additionalModelRequestFields"]["thinking"]["budget_tokens"],
            1024
        );
    }
}

#[tokio::test]
async fn reasoning_that_cannot_be_sent_exits_2_before_anything_is_sent() {
    let home = Home::new("cli-chat-reasoning-bad");
    for (model, args, why) in [
        (
            SONNET,
            &["--reasoning", "2048", "--max-tokens", "2048", "hi"][..],
            "--max-tokens 2048 must be greater than the --reasoning budget 2048",
        ),
        (
            SONNET,
            &["--reasoning", "2048", "--max-tokens", "100", "hi"][..],
            "--max-tokens 100",
        ),
        (
            "some.model",
            &["--reasoning", "2048", "hi"][..],
            "model some.model has no known reasoning switch",
        ),
        (
            "anthropic.claude-3-haiku-20240307-v1:0",
            &["--reasoning", "2048", "hi"][..],
            "model anthropic.claude-3-haiku-20240307-v1:0 does not reason",
        ),
        (
            SONNET,
            &["--reasoning", "500", "hi"][..],
            "takes a thinking budget of at least 1024 tokens, not 500",
        ),
    ] {
        let emu = emulator().await;
        let out = chat(&home, &emu, model, args).await;
        assert_exit(&out, 2);
        let message = stderr(&out);
        assert!(message.contains(why), "{model} {args:?}: {message}");
        assert_eq!(message.lines().count(), 1, "{message}");
        assert!(
            emu.requests().is_empty(),
            "{model} {args:?}: nothing is sent"
        );
    }
}

// --session -------------------------------------------------------------------

/// `{"messages": [...]}` of `path`.
fn session_messages(path: &Path) -> Vec<Value> {
    read_json(path)["messages"]
        .as_array()
        .expect("a messages list")
        .clone()
}

#[tokio::test]
async fn a_session_starts_keeps_and_sends_the_conversation() {
    let emu = emulator().await;
    let home = Home::new("cli-chat-session");
    let file = home.path("talk.json");
    let path = file.to_string_lossy().into_owned();
    let out = chat(&home, &emu, "some.model", &["--session", &path, "first"]).await;
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "You said: first\n");
    assert_eq!(
        session_messages(&file),
        [
            json!({"role": "user", "content": [{"text": "first"}]}),
            json!({"role": "assistant", "content": [{"text": "You said: first"}]}),
        ]
    );
    let out = chat(
        &home,
        &emu,
        "some.model",
        &["--session", &path, "--no-stream", "second"],
    )
    .await;
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "You said: second\n");
    let bodies = converse_bodies(&emu);
    assert_eq!(bodies.len(), 2);
    assert_eq!(
        bodies[1]["messages"],
        json!([
            {"role": "user", "content": [{"text": "first"}]},
            {"role": "assistant", "content": [{"text": "You said: first"}]},
            {"role": "user", "content": [{"text": "second"}]},
        ])
    );
    let messages = session_messages(&file);
    assert_eq!(messages.len(), 4);
    assert_eq!(
        messages[3],
        json!({"role": "assistant", "content": [{"text": "You said: second"}]})
    );
}

#[tokio::test]
async fn a_session_keeps_the_whole_assistant_message() {
    let emu = emulator().await;
    let home = Home::new("cli-chat-session-whole");
    for no_stream in [false, true] {
        let file = home.path(&format!("whole-{no_stream}.json"));
        let path = file.to_string_lossy().into_owned();
        let mut args = vec!["--session", path.as_str()];
        if no_stream {
            args.push("--no-stream");
        }
        emu.script(Reply::Reasoning {
            reasoning: "Let me think about it.".into(),
            text: "Forty-two.".into(),
        });
        let out = chat(&home, &emu, SONNET, &[&args[..], &["why?"][..]].concat()).await;
        assert_exit(&out, 0);
        assert_eq!(stdout(&out), "Forty-two.\n");
        emu.script(Reply::ToolUse {
            name: "get_weather".into(),
            input: json!({"city": "Paris", "days": [1, 2]}),
        });
        let out = chat(
            &home,
            &emu,
            SONNET,
            &[&args[..], &["weather?"][..]].concat(),
        )
        .await;
        assert_exit(&out, 0);

        let messages = session_messages(&file);
        assert_eq!(messages.len(), 4, "{messages:?}");
        let reasoning = &messages[1]["content"][0]["reasoningContent"]["reasoningText"];
        assert_eq!(reasoning["text"], "Let me think about it.", "{messages:?}");
        let signature = reasoning["signature"]
            .as_str()
            .expect("the signature is kept");
        assert!(!signature.is_empty());
        assert_eq!(messages[1]["content"][1], json!({"text": "Forty-two."}));
        assert_eq!(messages[1]["content"].as_array().map(Vec::len), Some(2));
        let call = &messages[3]["content"][0]["toolUse"];
        assert_eq!(call["name"], "get_weather", "{messages:?}");
        assert_eq!(call["input"], json!({"city": "Paris", "days": [1, 2]}));
        assert!(
            call["toolUseId"].as_str().is_some_and(|id| !id.is_empty()),
            "{call}"
        );
        assert_eq!(messages[3]["role"], "assistant");
    }
}

#[tokio::test]
async fn an_invalid_session_file_exits_2_naming_it_and_stays_untouched() {
    let home = Home::new("cli-chat-session-bad");
    for (name, text) in [
        ("not-json.json", "{\"messages\": ["),
        ("list.json", "[]"),
        (
            "bad-role.json",
            r#"{"messages": [{"role": "robot", "content": [{"text": "beep"}]}]}"#,
        ),
        ("not-messages.json", r#"{"messages": {"role": "user"}}"#),
    ] {
        let emu = emulator().await;
        let file = home.write(name, text);
        let path = file.to_string_lossy().into_owned();
        let out = chat(&home, &emu, "some.model", &["--session", &path, "hi"]).await;
        assert_exit(&out, 2);
        assert!(stderr(&out).contains(&path), "{name}: {}", stderr(&out));
        assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
        assert_eq!(std::fs::read_to_string(&file).expect("still there"), text);
        assert!(emu.requests().is_empty(), "{name}: nothing is sent");
    }
    let dir = home.path("a-folder.json");
    std::fs::create_dir_all(&dir).expect("a folder");
    let emu = emulator().await;
    let out = chat(
        &home,
        &emu,
        "some.model",
        &["--session", &dir.to_string_lossy(), "hi"],
    )
    .await;
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("a-folder.json"), "{}", stderr(&out));
}

#[tokio::test]
async fn a_failed_call_leaves_the_session_as_it_was() {
    let home = Home::new("cli-chat-session-fail");
    let stored = serde_json::to_string_pretty(&json!({
        "title": "kept",
        "messages": [
            {"role": "user", "content": [{"text": "earlier"}]},
            {"role": "assistant", "content": [{"text": "You said: earlier"}]},
        ]
    }))
    .expect("JSON");
    let rejected = Reply::Status {
        status: 400,
        error_type: "ValidationException".into(),
        message: "Malformed input request.".into(),
    };
    let broken = Reply::ExceptionAfter {
        events: 3,
        exception_type: "modelStreamErrorException".into(),
        message: "The model stopped.".into(),
    };
    for (replies, extra, code) in [
        (vec![rejected.clone()], &[][..], 4),
        (vec![rejected], &["--no-stream"][..], 4),
        (vec![Reply::Throttle; 5], &[][..], 5),
        (vec![broken], &[][..], 6),
    ] {
        let emu = emulator().await;
        for reply in replies {
            emu.script(reply);
        }
        let file = home.write("kept.json", &stored);
        let path = file.to_string_lossy().into_owned();
        let args = [&["--session", path.as_str()][..], extra, &["now"][..]].concat();
        let out = chat(&home, &emu, "some.model", &args).await;
        assert_exit(&out, code);
        assert_eq!(
            std::fs::read_to_string(&file).expect("the file"),
            stored,
            "exit {code}: the file is as it was"
        );
        let sent = converse_bodies(&emu);
        assert!(!sent.is_empty(), "exit {code}: the call was made");
        assert_eq!(sent[0]["messages"].as_array().map(Vec::len), Some(3));
    }
    // And it still works after the failures, keeping the other members.
    let emu = emulator().await;
    let file = home.path("kept.json");
    let out = chat(
        &home,
        &emu,
        "some.model",
        &["--session", &file.to_string_lossy(), "now"],
    )
    .await;
    assert_exit(&out, 0);
    let kept = read_json(&file);
    assert_eq!(kept["title"], "kept");
    assert_eq!(kept["messages"].as_array().map(Vec::len), Some(4));
}

// Interactive mode --------------------------------------------------------------

/// `command` run with its stdin, stdout and stderr on a pseudo-terminal, by
/// util-linux `script`; what is piped to it is typed in, and the end of the
/// pipe is Ctrl-D. Echo is turned off before `command` starts, so what it
/// writes to the screen (stdout) is never interleaved with what is typed.
#[cfg(target_os = "linux")]
fn in_terminal(command: &Command) -> Command {
    let quote =
        |word: &std::ffi::OsStr| format!("'{}'", word.to_string_lossy().replace('\'', r"'\''"));
    let line: Vec<String> = std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(quote)
        .collect();
    let shell_line = format!("stty -echo && exec {}", line.join(" "));
    let mut terminal = Command::new("script");
    terminal
        .args(["--quiet", "--return", "--command", &shell_line, "/dev/null"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (key, value) in command.get_envs() {
        if let Some(value) = value {
            terminal.env(key, value);
        }
    }
    terminal
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn on_a_terminal_chat_loops_over_turns_until_ctrl_d() {
    let emu = emulator().await;
    let home = Home::new("cli-chat-interactive");
    let file = home.path("loop.json");
    let path = file.to_string_lossy().into_owned();
    let command = home.chat_command(&emu, "some.model", &["--session", &path]);
    let out = output(in_terminal(&command), Some("hello\nagain\n")).await;
    assert_exit(&out, 0);
    let screen = stdout(&out).replace("\r\n", "\n");
    // What was typed shows only if it arrived before echo was turned off.
    let typed = screen
        .strip_suffix("> You said: hello\n> You said: again\n> \n")
        .unwrap_or_else(|| panic!("{screen:?}"));
    assert!(["", "hello\nagain\n"].contains(&typed), "{screen:?}");
    let bodies = converse_bodies(&emu);
    assert_eq!(bodies.len(), 2, "{bodies:?}");
    assert_eq!(
        bodies[1]["messages"],
        json!([
            {"role": "user", "content": [{"text": "hello"}]},
            {"role": "assistant", "content": [{"text": "You said: hello"}]},
            {"role": "user", "content": [{"text": "again"}]},
        ])
    );
    assert_eq!(emu.requests()[1].path, "/model/some.model/converse-stream");
    let messages = session_messages(&file);
    assert_eq!(messages.len(), 4, "{messages:?}");
    assert_eq!(messages[3]["content"], json!([{"text": "You said: again"}]));
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn on_a_terminal_exit_leaves_the_loop() {
    let emu = emulator().await;
    let home = Home::new("cli-chat-interactive-exit");
    let command = home.chat_command(&emu, "some.model", &[]);
    // Ctrl-D follows `/exit` here; leaving on Ctrl-D would end the screen
    // with a newline after the last prompt, leaving on `/exit` does not.
    // (Typing more after `/exit` would prove it too, but `script` then waits
    // two seconds for the unread input.)
    let out = output(in_terminal(&command), Some("hello\n/exit\n")).await;
    assert_exit(&out, 0);
    let screen = stdout(&out).replace("\r\n", "\n");
    assert!(screen.ends_with("> You said: hello\n> "), "{screen:?}");
    assert_eq!(converse_bodies(&emu).len(), 1);
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn on_a_terminal_a_failed_turn_is_reported_and_left_out() {
    let emu = emulator().await;
    emu.script(Reply::Status {
        status: 400,
        error_type: "ValidationException".into(),
        message: "Malformed input request.".into(),
    });
    let home = Home::new("cli-chat-interactive-failed");
    let file = home.path("loop.json");
    let path = file.to_string_lossy().into_owned();
    let command = home.chat_command(&emu, "some.model", &["--session", &path]);
    let out = output(in_terminal(&command), Some("rejected\naccepted\n")).await;
    assert_exit(&out, 0);
    let screen = stdout(&out);
    assert!(screen.contains("Malformed input request."), "{screen:?}");
    assert!(screen.contains("You said: accepted"), "{screen:?}");
    let bodies = converse_bodies(&emu);
    assert_eq!(bodies.len(), 2);
    assert_eq!(
        bodies[1]["messages"],
        json!([{"role": "user", "content": [{"text": "accepted"}]}])
    );
    assert_eq!(
        session_messages(&file),
        [
            json!({"role": "user", "content": [{"text": "accepted"}]}),
            json!({"role": "assistant", "content": [{"text": "You said: accepted"}]}),
        ]
    );
}

#[tokio::test]
async fn without_a_terminal_chat_reads_one_prompt_from_stdin() {
    let emu = emulator().await;
    let home = Home::new("cli-chat-piped");
    let out = output(
        home.chat_command(&emu, "some.model", &[]),
        Some("hello\nagain\n"),
    )
    .await;
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "You said: hello\nagain\n");
    assert_eq!(converse_bodies(&emu).len(), 1);
}

// --stats -------------------------------------------------------------------------

/// A whole reply with known usage: 1200 in, 340 out, 5000 cache read, 800 cache write.
fn reply_with_usage() -> Reply {
    let response: ConverseResponse = serde_json::from_value(json!({
        "output": {"message": {"role": "assistant", "content": [{"text": "Priced."}]}},
        "stopReason": "end_turn",
        "usage": {
            "inputTokens": 1200,
            "outputTokens": 340,
            "totalTokens": 7340,
            "cacheReadInputTokens": 5000,
            "cacheWriteInputTokens": 800
        },
        "metrics": {"latencyMs": 12}
    }))
    .expect("a ConverseResponse");
    Reply::Converse(Box::new(response))
}

/// The `stats:` line of a run.
fn stats_line(out: &std::process::Output) -> String {
    let text = stderr(out);
    text.lines()
        .find(|line| line.starts_with("stats: "))
        .unwrap_or_else(|| panic!("no stats line in {text}"))
        .to_owned()
}

#[tokio::test]
async fn stats_add_the_cost_when_the_config_has_rates_for_the_model() {
    let rates = json!({"input": 3, "output": 15, "cacheRead": 0.3, "cacheWrite": 3.75});
    // 1200 × 3 + 340 × 15 + 5000 × 0.3 + 800 × 3.75 = 13200 dollars per million tokens.
    for (configured, asked, no_stream) in [
        ("some.model", "some.model", false),
        ("amazon-bedrock/some.model", "some.model", false),
        ("some.model", "amazon-bedrock/some.model", true),
    ] {
        let emu = emulator().await;
        let home = Home::new("cli-chat-cost");
        home.write_config(&json!({"models": [
            {"id": "other.model", "cost": {"input": 1000, "output": 1000, "cacheRead": 0, "cacheWrite": 0}},
            {"id": configured, "cost": rates},
        ]}));
        emu.script(reply_with_usage());
        let mut args = vec!["--stats", "hi"];
        if no_stream {
            args.insert(0, "--no-stream");
        }
        let out = chat(&home, &emu, asked, &args).await;
        assert_exit(&out, 0);
        assert_eq!(stdout(&out), "Priced.\n");
        let line = stats_line(&out);
        assert!(
            line.contains("tokens in 1200 out 340 cache read 5000 cache write 800"),
            "{line}"
        );
        assert!(
            line.ends_with(", cost $0.013200"),
            "{configured} / {asked}: {line}"
        );
    }
}

#[tokio::test]
async fn stats_without_rates_have_no_cost() {
    for config in [
        json!({}),
        json!({"models": [{"id": "some.model"}]}),
        json!({"models": [{"id": "other.model", "cost": {"input": 3, "output": 15, "cacheRead": 0, "cacheWrite": 0}}]}),
    ] {
        let emu = emulator().await;
        let home = Home::new("cli-chat-no-cost");
        home.write_config(&config);
        emu.script(reply_with_usage());
        let out = chat(&home, &emu, "some.model", &["--stats", "hi"]).await;
        assert_exit(&out, 0);
        let line = stats_line(&out);
        assert!(line.contains("tokens in 1200 out 340"), "{line}");
        assert!(!line.contains("cost"), "{config}: {line}");
    }
}

// Errors a person acts on --------------------------------------------------------

#[tokio::test]
async fn access_denied_names_model_access_and_the_iam_actions() {
    let emu = emulator().await;
    let home = Home::new("cli-chat-denied");
    emu.script(Reply::Status {
        status: 403,
        error_type: "AccessDeniedException".into(),
        message: "You don't have access to the model with the specified model ID.".into(),
    });
    let out = chat(&home, &emu, SONNET, &["hi"]).await;
    assert_exit(&out, 4);
    let message = stderr(&out);
    assert_eq!(message.lines().count(), 1, "{message}");
    for part in [
        SONNET,
        "You don't have access",
        "Bedrock console",
        "bedrock:InvokeModel",
    ] {
        assert!(message.contains(part), "{message} lacks {part}");
    }
}

#[tokio::test]
async fn no_credentials_say_which_variables_and_flags_set_them() {
    let emu = emulator().await;
    let home = Home::new("cli-chat-no-credentials");
    let endpoint = emu.endpoint();
    let command = home.command(&["--endpoint-url", &endpoint, "chat", "-m", SONNET, "hi"]);
    let out = output(command, None).await;
    assert_exit(&out, 3);
    let message = stderr(&out);
    assert!(message.starts_with("error: credentials: "), "{message}");
    assert_eq!(message.lines().count(), 1, "{message}");
    for part in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_PROFILE",
        "--profile",
        "AWS_BEARER_TOKEN_BEDROCK",
    ] {
        assert!(message.contains(part), "{message} lacks {part}");
    }
    assert!(emu.requests().is_empty());
}

#[tokio::test]
async fn no_model_says_the_flag_and_the_config_key() {
    let emu = emulator().await;
    let home = Home::new("cli-chat-no-model");
    let endpoint = emu.endpoint();
    let out = output(
        home.command_with_keys(&["--endpoint-url", &endpoint, "chat", "hi"]),
        None,
    )
    .await;
    assert_exit(&out, 2);
    let message = stderr(&out);
    assert!(
        message.contains("-m MODEL") && message.contains("config set model"),
        "{message}"
    );
    assert!(emu.requests().is_empty());
    // The config's `model` is then used.
    home.write_config(&json!({"model": "configured.model"}));
    let out = output(
        home.command_with_keys(&["--endpoint-url", &endpoint, "chat", "hi"]),
        None,
    )
    .await;
    assert_exit(&out, 0);
    assert_eq!(
        emu.requests()[0].path,
        "/model/configured.model/converse-stream"
    );
}

// models status without credentials -----------------------------------------------

#[tokio::test]
#[cfg(feature = "discovery")]
async fn models_status_without_credentials_says_none_and_why() {
    let emu = emulator().await;
    let home = Home::new("cli-status-none");
    let endpoint = emu.endpoint();
    let out = output(
        home.command(&["--endpoint-url", &endpoint, "models", "status"]),
        None,
    )
    .await;
    assert_exit(&out, 0);
    let text = stdout(&out);
    let line = text
        .lines()
        .find(|line| line.starts_with("credentials: "))
        .unwrap_or_else(|| panic!("no credentials line: {text}"));
    assert!(line.starts_with("credentials: none ("), "{line}");
    assert!(
        line.contains("AWS_ACCESS_KEY_ID"),
        "why, with what sets them: {line}"
    );

    let out = output(
        home.command(&["--endpoint-url", &endpoint, "--json", "models", "status"]),
        None,
    )
    .await;
    assert_exit(&out, 0);
    let report: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(report["credentialSource"], "none", "{report}");
    assert!(report["credentialsError"].is_string(), "{report}");

    let out = output(
        home.command(&["--endpoint-url", &endpoint, "models", "status", "--probe"]),
        None,
    )
    .await;
    assert_exit(&out, 3);
    assert!(
        stdout(&out).contains("credentials: none ("),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).starts_with("error: credentials: "),
        "{}",
        stderr(&out)
    );
    assert!(emu.requests().is_empty(), "no call without credentials");
}
