//! The gateway's access log: one line per request, written when the answer is
//! complete (for a stream, when it ends or the client goes away):
//!
//! ```text
//! 2025-06-01T12:00:00.123Z POST /v1/chat/completions 200 key=team-a model=us.anthropic.claude-sonnet-4-6 duration_ms=532 input_tokens=12 output_tokens=40 stream=done
//! ```
//!
//! Time (UTC), method, path (no query), status, key name, model, duration,
//! input and output tokens (`-` when unknown), and for streams how they ended
//! ([`StreamEnd`]). Never a key, a prompt or a secret: the key appears by its
//! configured name only, and text from the client (path, model) is quoted and
//! escaped when it holds spaces, quotes or control characters, so that it
//! cannot forge a line.

use std::fmt;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

/// Where the lines go (the CLI writes them to stderr).
pub type AccessLogSink = Arc<dyn Fn(&str) + Send + Sync>;

/// The most characters of client-given text (path, model) a line keeps.
const MAX_FIELD_CHARS: usize = 256;

/// How a streamed answer ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StreamEnd {
    /// `done`: the final chunk and `data: [DONE]` went out.
    Done,
    /// `error`: Bedrock's stream failed and an error event went out.
    Error,
    /// `client_gone`: the client went away first; Bedrock's stream was dropped.
    ClientGone,
}

impl StreamEnd {
    /// The word in the log line.
    pub fn as_str(self) -> &'static str {
        match self {
            StreamEnd::Done => "done",
            StreamEnd::Error => "error",
            StreamEnd::ClientGone => "client_gone",
        }
    }
}

/// What the log line of one request says, filled in as the request is served.
#[derive(Debug, Clone)]
pub struct AccessEntry {
    at: SystemTime,
    started: Instant,
    method: String,
    path: String,
    /// The HTTP status sent.
    pub status: u16,
    /// The name of the key used, when the gateway has keys.
    pub key: Option<String>,
    /// The model asked for, as the client named it.
    pub model: Option<String>,
    /// Input tokens (prompt, cache reads and writes).
    pub input_tokens: Option<u64>,
    /// Output tokens.
    pub output_tokens: Option<u64>,
    /// For streamed answers: how the stream ended.
    pub stream: Option<StreamEnd>,
}

impl AccessEntry {
    /// The entry of a request that starts now.
    pub fn start(method: &str, path: &str) -> AccessEntry {
        AccessEntry {
            at: SystemTime::now(),
            started: Instant::now(),
            method: method.to_owned(),
            path: path.to_owned(),
            status: 0,
            key: None,
            model: None,
            input_tokens: None,
            output_tokens: None,
            stream: None,
        }
    }

    /// The line, with the duration up to now.
    pub fn line(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for AccessEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // RFC 3339 in UTC, to the millisecond.
        let time =
            crate::datetime::format_rfc3339_millis(self.at).unwrap_or_else(|| "-".to_owned());
        let number = |n: Option<u64>| n.map_or_else(|| "-".to_owned(), |n| n.to_string());
        write!(
            f,
            "{time} {} {} {} key={} model={} duration_ms={} input_tokens={} output_tokens={}",
            field(&self.method),
            field(&self.path),
            self.status,
            self.key.as_deref().map_or_else(|| "-".to_owned(), field),
            self.model.as_deref().map_or_else(|| "-".to_owned(), field),
            self.started.elapsed().as_millis(),
            number(self.input_tokens),
            number(self.output_tokens),
        )?;
        if let Some(end) = self.stream {
            write!(f, " stream={}", end.as_str())?;
        }
        Ok(())
    }
}

/// Client-given text as one log field: as it is when it is plain, else quoted
/// with escapes; at most [`MAX_FIELD_CHARS`] characters of it.
fn field(text: &str) -> String {
    let cut: String = text.chars().take(MAX_FIELD_CHARS).collect();
    let plain = !cut.is_empty()
        && cut
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && c != '"' && c != '\\');
    if plain {
        cut
    } else {
        format!("\"{}\"", cut.escape_debug())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_line_names_every_field() {
        let mut entry = AccessEntry::start("POST", "/v1/chat/completions");
        entry.status = 200;
        entry.key = Some("team-a".into());
        entry.model = Some("us.anthropic.claude-sonnet-4-6".into());
        entry.input_tokens = Some(12);
        entry.output_tokens = Some(40);
        entry.stream = Some(StreamEnd::ClientGone);
        let line = entry.line();
        let words: Vec<&str> = line.split(' ').collect();
        assert_eq!(words.len(), 10, "{line}");
        assert_eq!(words[0].len(), "2025-06-01T12:00:00.123Z".len(), "{line}");
        assert!(words[0].ends_with('Z') && words[0].contains('T'), "{line}");
        assert_eq!(
            &words[1..],
            [
                "POST",
                "/v1/chat/completions",
                "200",
                "key=team-a",
                "model=us.anthropic.claude-sonnet-4-6",
                words[6],
                "input_tokens=12",
                "output_tokens=40",
                "stream=client_gone"
            ]
        );
        assert!(words[6].starts_with("duration_ms="), "{line}");
        let bare = AccessEntry::start("GET", "/health");
        let line = bare.line();
        assert!(
            line.contains(" GET /health 0 key=- model=- duration_ms=")
                && line.ends_with(" input_tokens=- output_tokens=-"),
            "{line}"
        );
    }

    proptest! {
        /// Whatever the client sends as a model, the line stays one line of
        /// space-separated fields, and the model's field reads back as sent.
        #[test]
        fn client_text_cannot_forge_a_line(model in ".{0,40}") {
            let mut entry = AccessEntry::start("POST", "/v1/embeddings");
            entry.model = Some(model.clone());
            let line = entry.line();
            prop_assert!(!line.contains('\n') && !line.contains('\r'));
            let shown = field(&model);
            let expected = format!(" model={shown} ");
            prop_assert!(line.contains(&expected));
            prop_assert!(!shown.contains(' ') || shown.starts_with('"'));
            if shown.starts_with('"') {
                prop_assert!(shown.ends_with('"'));
                prop_assert!(!shown[1..shown.len() - 1].contains(' ') || model.contains(' '));
            } else {
                prop_assert_eq!(shown, model);
            }
        }
    }
}
