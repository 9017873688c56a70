//! `bedrock-lite sigv4` (in progress).

use crate::args::Globals;
use crate::error::CliError;

/// Runs `bedrock-lite sigv4 ...`.
pub fn run(_parser: &mut lexopt::Parser, _globals: &mut Globals) -> Result<(), CliError> {
    Err(CliError::usage("`sigv4` is not built yet"))
}
