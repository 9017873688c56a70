//! The CLI's error: a kind, a one-line message, and the exit code of DESIGN.md.

use std::fmt;

/// Exit codes of the command-line contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 1: anything else, including an invalid event-stream frame.
    Other = 1,
    /// 2: usage or config error.
    Usage = 2,
    /// 3: no usable credentials, or auth refused.
    Credentials = 3,
    /// 4: the service rejected the request.
    Rejected = 4,
    /// 5: throttled, unavailable or network failure after retries.
    Unavailable = 5,
    /// 6: the stream broke after output had started.
    StreamBroken = 6,
}

/// An error on its way to stderr: `error: <kind>: <message>`.
#[derive(Debug)]
pub struct CliError {
    kind: &'static str,
    message: String,
    exit: Exit,
}

impl CliError {
    /// An error of `kind` with `message` that exits with `exit`.
    pub fn new(kind: &'static str, message: impl Into<String>, exit: Exit) -> Self {
        // The contract is one line: fold any newline a source error carried.
        let message = message.into().replace(['\n', '\r'], " ");
        CliError {
            kind,
            message,
            exit,
        }
    }

    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new("usage", message, Exit::Usage)
    }

    /// An I/O error reading or writing `what` (exit 1).
    pub fn io(what: &str, err: std::io::Error) -> Self {
        Self::new("io", format!("{what}: {err}"), Exit::Other)
    }

    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        self.exit as u8
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}: {}", self.kind, self.message)
    }
}

impl From<lexopt::Error> for CliError {
    fn from(err: lexopt::Error) -> Self {
        CliError::usage(err.to_string())
    }
}
