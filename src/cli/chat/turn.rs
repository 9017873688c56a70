//! One turn of `chat`: the request sent, the answer written as it arrives
//! (ConverseStream) or at once (Converse), and what `--stats` reports.
//!
//! Hot path: the current-thread runtime, no task per frame; text deltas go into
//! a `BufWriter` on stdout, flushed once per network read (after the reader has
//! drained what arrived), not per delta. The events are folded into the whole
//! assistant message only when a conversation keeps it (`--session`, the
//! interactive loop).

use std::io::Write;
use std::time::{Duration, Instant};

use bedrock_lite::bedrock::accumulator::Accumulator;
use bedrock_lite::bedrock::error::BedrockError;
use bedrock_lite::bedrock::stream::{ConverseStream, Event};
use bedrock_lite::config::Cost;
use bedrock_lite::model_ref::ModelRef;
use bedrock_lite::types::{
    ContentBlock, ContentBlockDelta, ConverseMetrics, ConverseOutput, ConverseRequest,
    ConverseResponse, Message, ReasoningContentBlock, ReasoningContentBlockDelta, StopReason,
    StreamEvent, TokenUsage,
};
use bedrock_lite::Client;

use crate::context;
use crate::error::{CliError, Exit};

/// How a turn's answer is written.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    /// `--json`: one JSON object per event (the whole response with Converse).
    pub json: bool,
    /// `--no-stream`: Converse instead of ConverseStream.
    pub no_stream: bool,
    /// Fold the events into the assistant message (a conversation keeps it).
    pub keep_message: bool,
}

/// What a turn came to.
#[derive(Debug, Default)]
pub struct Answer {
    /// Usage, latency, first token.
    pub report: Report,
    /// The whole assistant message, when [`Output::keep_message`] asked for it.
    pub message: Option<Message>,
}

/// Runs one turn: `request` to `model`, the answer to `out`.
pub async fn run(
    client: &Client,
    model: &ModelRef,
    request: &ConverseRequest,
    output: Output,
    out: &mut impl Write,
) -> Result<Answer, CliError> {
    let started = Instant::now();
    if output.no_stream {
        converse(client, model, request, output, out).await
    } else {
        converse_stream(client, model, request, output, out, started).await
    }
}

/// What `--stats` reports.
#[derive(Debug, Default)]
pub struct Report {
    usage: TokenUsage,
    metrics: ConverseMetrics,
    first_token: Option<Duration>,
}

impl Report {
    /// The `stats:` line; with `rates` (the model's `cost` in the config), the
    /// cost of this turn too.
    pub fn summary(&self, total: Duration, rates: Option<&Cost>) -> String {
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
        ) + &rates
            .map(|rates| format!(", cost ${:.6}", self.cost(rates)))
            .unwrap_or_default()
    }

    /// The cost in USD of the usage Bedrock returned at `rates` (per million tokens).
    pub fn cost(&self, rates: &Cost) -> f64 {
        let usage = &self.usage;
        let tokens = |n: u32| f64::from(n) / 1_000_000.0;
        tokens(usage.input_tokens) * rates.input
            + tokens(usage.output_tokens) * rates.output
            + tokens(usage.cache_read_input_tokens.unwrap_or(0)) * rates.cache_read
            + tokens(usage.cache_write_input_tokens.unwrap_or(0)) * rates.cache_write
    }
}

/// ConverseStream: text (or JSON events) to `out` as it arrives.
async fn converse_stream(
    client: &Client,
    model: &ModelRef,
    request: &ConverseRequest,
    output: Output,
    out: &mut impl Write,
    started: Instant,
) -> Result<Answer, CliError> {
    let json = output.json;
    let mut whole = output.keep_message.then(Accumulator::new);
    let mut stream: ConverseStream = client
        .converse_stream(model, request)
        .await
        .map_err(|e| context::bedrock_failure_at(e, model.id(), false))?;
    let mut report = Report::default();
    let mut reasoning = ReasoningLine::default();
    let mut wrote = false;
    loop {
        while let Some(item) = stream.next_buffered() {
            let handled = item.map_err(BedrockError::from).and_then(|event| {
                let parsed = event.parse()?;
                let folded = match whole.as_mut() {
                    Some(whole) => whole.push(&parsed).map_err(|e| e.to_string()),
                    None => Ok(()),
                };
                Ok((
                    handle_event(
                        &event,
                        &parsed,
                        json,
                        out,
                        &mut report,
                        &mut reasoning,
                        started,
                    ),
                    folded,
                ))
            });
            match handled {
                Ok((Ok(()), Ok(()))) => {}
                Ok((Err(io), _)) => return Err(CliError::io("stdout", io)),
                Ok((_, Err(unfoldable))) => {
                    let _ = out.flush();
                    return Err(CliError::new(
                        "stream",
                        format!("model `{model}`: {unfoldable}"),
                        Exit::Other,
                    ));
                }
                Err(error) => {
                    reasoning.end();
                    return Err(broken(error, model, out, wrote, &report, json));
                }
            }
            wrote |= report.first_token.is_some() || json;
        }
        out.flush().map_err(|e| CliError::io("stdout", e))?;
        match stream.read_more().await {
            Ok(true) => {}
            Ok(false) => break,
            Err(error) => {
                reasoning.end();
                return Err(broken(error.into(), model, out, wrote, &report, json));
            }
        }
    }
    reasoning.end();
    if !json {
        out.write_all(b"\n")
            .map_err(|e| CliError::io("stdout", e))?;
    }
    out.flush().map_err(|e| CliError::io("stdout", e))?;
    let message = match whole {
        None => None,
        Some(whole) => Some(assistant_message(whole.finish().map_err(|e| {
            CliError::new("stream", format!("model `{model}`: {e}"), Exit::Other)
        })?)?),
    };
    Ok(Answer { report, message })
}

/// The assistant's message of a whole reply.
fn assistant_message(response: ConverseResponse) -> Result<Message, CliError> {
    match response.output {
        ConverseOutput::Message(message) => Ok(message),
        ConverseOutput::Unknown(_) => Err(CliError::new(
            "response",
            "the reply holds no message this version can read",
            Exit::Other,
        )),
    }
}

/// The error for a stream that failed: exit 6 once output has started (the
/// partial output is flushed first; text is ended with a newline, JSON lines
/// already are).
fn broken(
    error: BedrockError,
    model: &ModelRef,
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
    context::bedrock_failure_at(error, model.id(), started)
}

/// Reasoning text as it streams to stderr, ended with a newline when its
/// block stops, so that what follows on stderr starts a line of its own.
#[derive(Debug, Default)]
struct ReasoningLine {
    /// Text was written and its line not ended yet.
    open: bool,
}

impl ReasoningLine {
    fn write(&mut self, text: &str) -> std::io::Result<()> {
        std::io::stderr().write_all(text.as_bytes())?;
        self.open |= !text.is_empty();
        Ok(())
    }

    fn end(&mut self) {
        if std::mem::take(&mut self.open) {
            eprintln!();
        }
    }
}

/// Writes one event: text to `out` (JSON: `{"<event type>": <its payload as
/// received>}`), reasoning to stderr, usage and metrics into `report`.
fn handle_event(
    raw: &Event,
    event: &StreamEvent<'_>,
    json: bool,
    out: &mut impl Write,
    report: &mut Report,
    reasoning: &mut ReasoningLine,
    started: Instant,
) -> std::io::Result<()> {
    if json {
        out.write_all(b"{")?;
        serde_json::to_writer(&mut *out, raw.event_type())?;
        out.write_all(b":")?;
        out.write_all(raw.payload())?;
        out.write_all(b"}\n")?;
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
                reasoning.write(text)?;
            }
            _ => {}
        },
        StreamEvent::ContentBlockStop(_) => reasoning.end(),
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
    model: &ModelRef,
    request: &ConverseRequest,
    output: Output,
    out: &mut impl Write,
) -> Result<Answer, CliError> {
    let json = output.json;
    let response: ConverseResponse = client
        .converse(model, request)
        .await
        .map_err(|e| context::bedrock_failure_at(e, model.id(), false))?;
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
    let report = Report {
        usage: response.usage.clone(),
        metrics: response.metrics,
        first_token: None,
    };
    let message = match output.keep_message {
        true => Some(assistant_message(response)?),
        false => None,
    };
    Ok(Answer { report, message })
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
            report.summary(Duration::from_millis(50), None),
            "stats: tokens in 3 out 5 cache read 2 cache write 0; \
             time to first token 7 ms, total 50 ms, service latency 42 ms"
        );
        let rates = Cost {
            input: 3.0,
            output: 15.0,
            cache_read: 0.3,
            cache_write: 3.75,
        };
        // 3 × 3 + 5 × 15 + 2 × 0.3 = 84.6 dollars per million tokens.
        assert!(report
            .summary(Duration::from_millis(50), Some(&rates))
            .ends_with(", cost $0.000085"));
        assert!((report.cost(&rates) - 84.6e-6).abs() < 1e-12);
    }
}
