//! `bedrock-lite chat [-m MODEL] [--system TEXT] [--max-tokens N] [--temperature F]
//! [--top-p F] [--attach FILE]... [--reasoning N] [--session FILE] [--no-stream]
//! [--stats] [PROMPT]`: a turn with a model, or a loop of turns.
//!
//! ConverseStream (Converse with `--no-stream`). The prompt is the argument, or
//! all of stdin less one trailing newline; with no argument while stdin is a
//! terminal, a loop of turns (prompt `> `, Ctrl-D or `/exit` to leave). stdout
//! gets exactly the assistant's text as it arrives, then one newline; reasoning
//! goes to stderr. With `--json`, stdout gets one JSON object per stream event,
//! `{"<event type>": <its payload as received>}`, or the whole ConverseResponse
//! with `--no-stream`. `--stats` prints token usage, latency and (with `cost`
//! rates in the config) the cost to stderr.
//!
//! `--attach` ([`attach`]), `--reasoning` (the model-rule table's reasoning
//! switch) and `--session` ([`session`]) shape the request; [`turn`] sends it.

mod attach;
mod session;
mod turn;

use std::io::{BufRead, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Instant;

use bedrock_lite::config::Cost;
use bedrock_lite::model_ref::{ModelKind, ModelRef};
use bedrock_lite::models::rules::{self, ReasoningLevel};
use bedrock_lite::types::{
    ContentBlock, ConversationRole, ConverseRequest, InferenceConfiguration, Message,
    SystemContentBlock,
};
use bedrock_lite::Client;
use lexopt::Arg;

use crate::args::{self, Globals};
use crate::context;
use crate::error::{CliError, Exit};
use session::Session;
use turn::Output;

/// What `chat` was asked to do.
#[derive(Debug, Default)]
struct Options {
    model: Option<String>,
    system: Option<String>,
    inference: InferenceConfiguration,
    attach: Vec<PathBuf>,
    reasoning: Option<u32>,
    session: Option<PathBuf>,
    no_stream: bool,
    stats: bool,
    prompt: Vec<String>,
}

/// Runs `bedrock-lite chat ...`.
pub fn run(parser: &mut lexopt::Parser, globals: &mut Globals) -> Result<(), CliError> {
    let options = parse(parser, globals)?;
    // Everything that can be checked locally is, before anything is sent.
    let attachments = options
        .attach
        .iter()
        .map(|path| attach::load(path))
        .collect::<Result<Vec<_>, _>>()?;
    let mut session = options.session.as_deref().map(Session::load).transpose()?;
    let client = context::client(globals, options.model.as_deref())?;
    let model = context::model(&client)?;
    let runtime = context::runtime()?;
    let template = runtime.block_on(template(&client, &model, &options, globals))?;
    let output = Output {
        json: globals.json,
        no_stream: options.no_stream,
        keep_message: session.is_some(),
    };
    let chat = Chat {
        client: &client,
        model: &model,
        template: &template,
        stats: options.stats.then(|| rates(&client, &model)),
        runtime: &runtime,
    };
    if options.prompt.is_empty() && std::io::stdin().is_terminal() {
        return chat.interactive(session.as_mut(), attachments, output);
    }
    let prompt = match options.prompt.is_empty() {
        true => args::read_stdin_text()?,
        false => options.prompt.join(" "),
    };
    if prompt.is_empty() && attachments.is_empty() {
        return Err(CliError::usage(
            "empty prompt: pass PROMPT or pipe it on stdin",
        ));
    }
    let user = user_message(attachments, prompt);
    // Copied only when a session keeps it: a long prompt is not held twice.
    let kept_user = session.is_some().then(|| user.clone());
    let history = session.as_ref().map_or(&[][..], |s| &s.messages[..]);
    let assistant = chat.turn(history, user, output)?;
    if let (Some(session), Some(user), Some(assistant)) = (session.as_mut(), kept_user, assistant) {
        session.messages.push(user);
        session.messages.push(assistant);
        session.save()?;
    }
    Ok(())
}

/// Reads `chat`'s flags and words.
fn parse(parser: &mut lexopt::Parser, globals: &mut Globals) -> Result<Options, CliError> {
    let mut options = Options::default();
    while let Some(flag) = args::next_flag(parser, globals)? {
        match flag.as_arg() {
            Arg::Short('m') | Arg::Long("model") => {
                options.model = Some(args::string_value(parser, "--model")?)
            }
            Arg::Long("system") => options.system = Some(args::string_value(parser, "--system")?),
            Arg::Long("max-tokens") => {
                options.inference.max_tokens = Some(number(parser, "--max-tokens")?)
            }
            Arg::Long("temperature") => {
                options.inference.temperature = Some(number(parser, "--temperature")?)
            }
            Arg::Long("top-p") => options.inference.top_p = Some(number(parser, "--top-p")?),
            Arg::Long("attach") => options.attach.push(args::value(parser, "--attach")?.into()),
            Arg::Long("reasoning") => options.reasoning = Some(number(parser, "--reasoning")?),
            Arg::Long("session") => {
                options.session = Some(args::value(parser, "--session")?.into())
            }
            Arg::Long("no-stream") => options.no_stream = true,
            Arg::Long("stats") => options.stats = true,
            Arg::Value(v) => options.prompt.push(args::os_to_string(v, "PROMPT")?),
            other => return Err(args::unexpected(&other, "chat")),
        }
    }
    Ok(options)
}

/// A number flag's value.
fn number<T: std::str::FromStr>(parser: &mut lexopt::Parser, flag: &str) -> Result<T, CliError> {
    let text = args::string_value(parser, flag)?;
    text.parse().map_err(|_| {
        CliError::usage(format!(
            "{flag} `{text}`: not a valid number; {}",
            args::help_hint("chat")
        ))
    })
}

/// The request every turn starts from: system prompt, inference settings and
/// the reasoning switch (the messages go in per turn).
async fn template(
    client: &Client,
    model: &ModelRef,
    options: &Options,
    globals: &Globals,
) -> Result<ConverseRequest, CliError> {
    let inference = &options.inference;
    let has_inference = inference.max_tokens.is_some()
        || inference.temperature.is_some()
        || inference.top_p.is_some();
    let mut request = ConverseRequest {
        system: options
            .system
            .iter()
            .map(|text| SystemContentBlock::Text(text.clone()))
            .collect(),
        inference_config: has_inference.then(|| inference.clone()),
        ..ConverseRequest::default()
    };
    if let Some(budget) = options.reasoning {
        let base = client.application_profile_base(model).await;
        let level = ReasoningLevel::Budget(budget);
        // Without its base model, an application profile is matched on its ARN.
        let unresolved = base.is_none() && *model.kind() == ModelKind::ApplicationInferenceProfile;
        let usage = |e: rules::ReasoningError| {
            let why = match unresolved {
                true => "; its base model could not be read (GetInferenceProfile; -v says why)",
                false => "",
            };
            CliError::usage(format!("--reasoning {budget}: {e}{why}"))
        };
        let switch = rules::reasoning_switch(model.id(), base.as_deref()).map_err(usage)?;
        if let (Some(floor), Some(max_tokens)) =
            (switch.max_tokens_floor(level), inference.max_tokens)
        {
            if max_tokens <= floor {
                return Err(CliError::usage(format!(
                    "--max-tokens {max_tokens} must be greater than the --reasoning budget {floor}"
                )));
            }
        }
        let notes = rules::apply_reasoning(&mut request, model.id(), base.as_deref(), level)
            .map_err(usage)?;
        if globals.verbose > 0 {
            for note in notes {
                eprintln!("note: {note}");
            }
        }
    }
    Ok(request)
}

/// The config's `cost` rates for `model` (`models[]` ids compared as model
/// refs, so `amazon-bedrock/<id>` is `<id>`).
fn rates(client: &Client, model: &ModelRef) -> Option<Cost> {
    client
        .settings()
        .config
        .models
        .iter()
        .find(|entry| ModelRef::parse(&entry.id).is_ok_and(|id| id.id() == model.id()))
        .and_then(|entry| entry.cost)
}

/// The user's turn: attachments first, then the text (when there is any).
fn user_message(attachments: Vec<ContentBlock>, text: String) -> Message {
    let mut content = attachments;
    if !text.is_empty() {
        content.push(ContentBlock::Text(text));
    }
    Message::new(ConversationRole::User, content)
}

/// What every turn of one `chat` shares.
struct Chat<'a> {
    client: &'a Client,
    model: &'a ModelRef,
    template: &'a ConverseRequest,
    /// `Some` with `--stats`: the model's cost rates, if configured.
    stats: Option<Option<Cost>>,
    runtime: &'a tokio::runtime::Runtime,
}

impl Chat<'_> {
    /// One turn after `history`; the assistant's whole message when `output`
    /// keeps it.
    fn turn(
        &self,
        history: &[Message],
        user: Message,
        output: Output,
    ) -> Result<Option<Message>, CliError> {
        let mut request = self.template.clone();
        request.messages = history.to_vec();
        request.messages.push(user);
        let stdout = std::io::stdout();
        let mut out = BufWriter::with_capacity(64 * 1024, stdout.lock());
        let started = Instant::now();
        let answer = self.runtime.block_on(turn::run(
            self.client,
            self.model,
            &request,
            output,
            &mut out,
        ))?;
        if let Some(rates) = &self.stats {
            eprintln!(
                "{}",
                answer.report.summary(started.elapsed(), rates.as_ref())
            );
        }
        Ok(answer.message)
    }

    /// The loop of turns on a terminal: `> `, a line, the answer; Ctrl-D or
    /// `/exit` leaves. The conversation is kept in memory (and in the session
    /// file after each turn, when there is one); attachments go with the first turn.
    fn interactive(
        &self,
        mut session: Option<&mut Session>,
        mut attachments: Vec<ContentBlock>,
        output: Output,
    ) -> Result<(), CliError> {
        let output = Output {
            keep_message: true,
            ..output
        };
        let mut history: Vec<Message> = session
            .as_ref()
            .map(|s| s.messages.clone())
            .unwrap_or_default();
        let stdin = std::io::stdin();
        let mut lines = stdin.lock();
        loop {
            print!("> ");
            std::io::stdout()
                .flush()
                .map_err(|e| CliError::io("stdout", e))?;
            let mut line = String::new();
            if lines
                .read_line(&mut line)
                .map_err(|e| CliError::io("stdin", e))?
                == 0
            {
                println!();
                return Ok(());
            }
            let text = line.trim_end_matches(['\n', '\r']);
            if text.trim() == "/exit" {
                return Ok(());
            }
            if text.trim().is_empty() {
                continue;
            }
            let user = user_message(std::mem::take(&mut attachments), text.to_owned());
            match self.turn(&history, user.clone(), output) {
                Ok(Some(assistant)) => {
                    history.push(user);
                    history.push(assistant);
                    if let Some(session) = session.as_deref_mut() {
                        session.messages.clone_from(&history);
                        session.save()?;
                    }
                }
                Ok(None) => {}
                // A failed turn is reported; the conversation goes on without it.
                Err(error) if error.exit_code() != Exit::Usage as u8 => eprintln!("{error}"),
                Err(error) => return Err(error),
            }
        }
    }
}
