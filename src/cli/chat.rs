//! `bedrock-lite chat [-m MODEL] [--system TEXT] [--max-tokens N] [--temperature F]
//! [--top-p F] [--no-stream] [--stats] [PROMPT]`: one turn with a model.
//!
//! ConverseStream (Converse with `--no-stream`). The prompt is the argument, or
//! all of stdin less one trailing newline. stdout gets exactly the assistant's
//! text as it arrives, then one newline; reasoning goes to stderr. With `--json`,
//! stdout gets one JSON object per stream event (the `ConverseStreamOutput`
//! union, e.g. `{"contentBlockDelta":{...}}`), or the whole ConverseResponse with
//! `--no-stream`. `--stats` prints token usage and latency to stderr.
//!
//! Hot path: the current-thread runtime, no task per frame; text deltas go into
//! a `BufWriter` on stdout, flushed once per network read (after the reader has
//! drained what arrived), not per delta.

use std::io::{BufWriter, Read, Write};
use std::time::{Duration, Instant};

use bedrock_lite::bedrock::client::{Client, ClientConfig};
use bedrock_lite::bedrock::error::BedrockError;
use bedrock_lite::bedrock::stream::ConverseStream;
use bedrock_lite::env::Env;
use bedrock_lite::types::{
    ContentBlock, ContentBlockDelta, ConverseMetrics, ConverseOutput, ConverseRequest,
    ConverseResponse, InferenceConfiguration, Message, ReasoningContentBlock,
    ReasoningContentBlockDelta, StopReason, StreamEvent, SystemContentBlock, TokenUsage,
};
use lexopt::Arg;

use crate::args::{self, Globals};
use crate::context;
use crate::error::CliError;

/// What `chat` was asked to do.
#[derive(Debug, Default)]
struct Options {
    model: Option<String>,
    system: Option<String>,
    inference: InferenceConfiguration,
    no_stream: bool,
    stats: bool,
    prompt: Vec<String>,
}

/// Runs `bedrock-lite chat ...`.
pub fn run(parser: &mut lexopt::Parser, globals: &mut Globals) -> Result<(), CliError> {
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
            Arg::Long("no-stream") => options.no_stream = true,
            Arg::Long("stats") => options.stats = true,
            Arg::Value(v) => options.prompt.push(args::os_to_string(v, "PROMPT")?),
            other => return Err(args::unexpected(&other, "chat")),
        }
    }
    let env = Env::real();
    let file = context::read_config(globals, &env)?;
    let model = options.model.take().or(file.model.clone()).ok_or_else(|| {
        CliError::usage("no model: pass -m MODEL or set `model` in the config file")
    })?;
    let prompt = if options.prompt.is_empty() {
        read_stdin_prompt()?
    } else {
        options.prompt.join(" ")
    };
    if prompt.is_empty() {
        return Err(CliError::usage(
            "empty prompt: pass PROMPT or pipe it on stdin",
        ));
    }
    let region = context::config_region(globals, &env, &file);
    let client = Client::new(ClientConfig {
        env,
        profile: globals.profile.clone(),
        region,
        endpoint_url: globals.endpoint_url.clone(),
        ..ClientConfig::default()
    })
    .map_err(|e| context::bedrock_failure_at(e, &model, false))?;
    context::note_client(globals, &client);
    let mut request = build_request(&options, prompt);
    request.guardrail_config = file.guardrail.as_ref().map(|guardrail| {
        if options.no_stream {
            guardrail.to_converse_config()
        } else {
            guardrail.to_stream_config()
        }
    });
    let runtime = context::runtime()?;
    for note in runtime.block_on(client.apply_model_rules(&model, &mut request)) {
        if globals.verbose > 0 {
            eprintln!("note: {note}");
        }
    }
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(64 * 1024, stdout.lock());
    let started = Instant::now();
    let report = if options.no_stream {
        runtime.block_on(converse(&client, &model, &request, globals.json, &mut out))?
    } else {
        runtime.block_on(converse_stream(
            &client,
            &model,
            &request,
            globals.json,
            &mut out,
            started,
        ))?
    };
    if options.stats {
        eprintln!("{}", report.summary(started.elapsed()));
    }
    Ok(())
}

/// A number flag's value.
fn number<T: std::str::FromStr>(parser: &mut lexopt::Parser, flag: &str) -> Result<T, CliError> {
    let text = args::string_value(parser, flag)?;
    text.parse()
        .map_err(|_| CliError::usage(format!("{flag} `{text}`: not a valid number")))
}

/// All of stdin, less one trailing newline.
fn read_stdin_prompt() -> Result<String, CliError> {
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
    Ok(text)
}

fn build_request(options: &Options, prompt: String) -> ConverseRequest {
    let inference = &options.inference;
    let has_inference = inference.max_tokens.is_some()
        || inference.temperature.is_some()
        || inference.top_p.is_some();
    ConverseRequest {
        messages: vec![Message::user(prompt)],
        system: options
            .system
            .iter()
            .map(|text| SystemContentBlock::Text(text.clone()))
            .collect(),
        inference_config: has_inference.then(|| inference.clone()),
        ..ConverseRequest::default()
    }
}

/// What `--stats` reports.
#[derive(Debug, Default)]
struct Report {
    usage: TokenUsage,
    metrics: ConverseMetrics,
    first_token: Option<Duration>,
}

impl Report {
    fn summary(&self, total: Duration) -> String {
        let usage = &self.usage;
        let first = self
            .first_token
            .map_or_else(|| "n/a".to_owned(), |t| format!("{} ms", t.as_millis()));
        format!(
            "stats: tokens in {} out {} cache read {} cache write {}; \
             time to first token {first}, total {} ms, service latency {} ms",
            usage.input_tokens,
            usage.output_tokens,
            usage.cache_read_input_tokens.unwrap_or(0),
            usage.cache_write_input_tokens.unwrap_or(0),
            total.as_millis(),
            self.metrics.latency_ms,
        )
    }
}

/// ConverseStream: text (or JSON events) to `out` as it arrives.
async fn converse_stream(
    client: &Client,
    model: &str,
    request: &ConverseRequest,
    json: bool,
    out: &mut impl Write,
    started: Instant,
) -> Result<Report, CliError> {
    let mut stream: ConverseStream = client
        .converse_stream(model, request)
        .await
        .map_err(|e| context::bedrock_failure_at(e, model, false))?;
    let mut report = Report::default();
    let mut wrote = false;
    loop {
        while let Some(item) = stream.next_buffered() {
            let handled = item.and_then(|event| {
                let parsed = event.parse()?;
                Ok(handle_event(&parsed, json, out, &mut report, started))
            });
            match handled {
                Ok(Ok(())) => {}
                Ok(Err(io)) => return Err(CliError::io("stdout", io)),
                Err(error) => return Err(broken(error, model, out, wrote, &report, json)),
            }
            wrote |= report.first_token.is_some() || json;
        }
        out.flush().map_err(|e| CliError::io("stdout", e))?;
        match stream.read_more().await {
            Ok(true) => {}
            Ok(false) => break,
            Err(error) => return Err(broken(error, model, out, wrote, &report, json)),
        }
    }
    if !json {
        out.write_all(b"\n")
            .map_err(|e| CliError::io("stdout", e))?;
    }
    out.flush().map_err(|e| CliError::io("stdout", e))?;
    Ok(report)
}

/// The error for a stream that failed: exit 6 once output has started (the
/// partial output is flushed first; text is ended with a newline, JSON lines
/// already are).
fn broken(
    error: BedrockError,
    model: &str,
    out: &mut impl Write,
    wrote: bool,
    report: &Report,
    json: bool,
) -> CliError {
    let started = wrote || report.first_token.is_some();
    if started && !json {
        let _ = out.write_all(b"\n");
    }
    let _ = out.flush();
    context::bedrock_failure_at(error, model, started)
}

/// Writes one event: text to `out` (JSON: the event), reasoning to stderr,
/// usage and metrics into `report`.
fn handle_event(
    event: &StreamEvent<'_>,
    json: bool,
    out: &mut impl Write,
    report: &mut Report,
    started: Instant,
) -> std::io::Result<()> {
    if json {
        serde_json::to_writer(&mut *out, event)?;
        out.write_all(b"\n")?;
    }
    match event {
        StreamEvent::ContentBlockDelta(delta) => match &delta.delta {
            ContentBlockDelta::Text(text) => {
                if report.first_token.is_none() {
                    report.first_token = Some(started.elapsed());
                }
                if !json {
                    out.write_all(text.as_bytes())?;
                }
            }
            ContentBlockDelta::ReasoningContent(ReasoningContentBlockDelta::Text(text))
                if !json =>
            {
                std::io::stderr().write_all(text.as_bytes())?;
            }
            _ => {}
        },
        StreamEvent::MessageStop(stop) => note_guardrail(&stop.stop_reason),
        StreamEvent::Metadata(metadata) => {
            report.usage = metadata.usage.clone();
            report.metrics = metadata.metrics;
        }
        _ => {}
    }
    Ok(())
}

/// Says on stderr when a guardrail stopped the answer (its trace is in `--json`).
fn note_guardrail(stop_reason: &StopReason) {
    if *stop_reason == StopReason::GuardrailIntervened {
        eprintln!("note: the guardrail intervened; run with --json to see its trace");
    }
}

/// Converse: the whole answer, then a newline (JSON: the whole response).
async fn converse(
    client: &Client,
    model: &str,
    request: &ConverseRequest,
    json: bool,
    out: &mut impl Write,
) -> Result<Report, CliError> {
    let response: ConverseResponse = client
        .converse(model, request)
        .await
        .map_err(|e| context::bedrock_failure_at(e, model, false))?;
    note_guardrail(&response.stop_reason);
    let written = if json {
        serde_json::to_writer(&mut *out, &response)
            .map_err(std::io::Error::from)
            .and_then(|()| out.write_all(b"\n"))
    } else {
        write_answer(&response, out)
    };
    written
        .and_then(|()| out.flush())
        .map_err(|e| CliError::io("stdout", e))?;
    Ok(Report {
        usage: response.usage.clone(),
        metrics: response.metrics,
        first_token: None,
    })
}

/// The text blocks to `out`, reasoning to stderr, then one newline.
fn write_answer(response: &ConverseResponse, out: &mut impl Write) -> std::io::Result<()> {
    if let ConverseOutput::Message(message) = &response.output {
        for block in &message.content {
            match block {
                ContentBlock::Text(text) => out.write_all(text.as_bytes())?,
                ContentBlock::ReasoningContent(ReasoningContentBlock::ReasoningText(reasoning)) => {
                    eprintln!("{}", reasoning.text);
                }
                _ => {}
            }
        }
    }
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_contract() {
        let service = |retryable| BedrockError::Service {
            status: 400,
            code: "ValidationException".into(),
            message: "bad".into(),
            retryable,
        };
        assert_eq!(
            context::bedrock_failure_at(service(false), "m", false).exit_code(),
            4
        );
        assert_eq!(
            context::bedrock_failure_at(service(true), "m", false).exit_code(),
            5
        );
        assert_eq!(
            context::bedrock_failure_at(service(false), "m", true).exit_code(),
            6
        );
        let throttled = BedrockError::Throttled {
            code: "ThrottlingException".into(),
            message: "slow".into(),
        };
        assert_eq!(
            context::bedrock_failure_at(throttled, "m", false).exit_code(),
            5
        );
        let refused = BedrockError::AuthRefused {
            code: "UnrecognizedClientException".into(),
            message: "no".into(),
        };
        assert_eq!(
            context::bedrock_failure_at(refused, "m", false).exit_code(),
            3
        );
        assert_eq!(
            context::bedrock_failure_at(BedrockError::Config("x".into()), "m", false).exit_code(),
            2
        );
        let invalid = BedrockError::InvalidResponse("bad CRC".into());
        assert_eq!(
            context::bedrock_failure_at(invalid.clone(), "m", false).exit_code(),
            1
        );
        assert_eq!(
            context::bedrock_failure_at(invalid, "m", true).exit_code(),
            6
        );
        let shown = context::bedrock_failure_at(service(false), "anthropic.x", false).to_string();
        assert_eq!(
            shown,
            "error: service: model `anthropic.x`: ValidationException (HTTP 400): bad"
        );
    }

    #[test]
    fn stats_summary() {
        let report = Report {
            usage: TokenUsage {
                input_tokens: 3,
                output_tokens: 5,
                total_tokens: 8,
                cache_read_input_tokens: Some(2),
                ..TokenUsage::default()
            },
            metrics: ConverseMetrics { latency_ms: 42 },
            first_token: Some(Duration::from_millis(7)),
        };
        assert_eq!(
            report.summary(Duration::from_millis(50)),
            "stats: tokens in 3 out 5 cache read 2 cache write 0; \
             time to first token 7 ms, total 50 ms, service latency 42 ms"
        );
    }
}
