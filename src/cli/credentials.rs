//! `bedrock-lite credentials` (in progress).

use crate::args::Globals;
use crate::error::CliError;

/// Runs `bedrock-lite credentials ...`.
pub fn run(_parser: &mut lexopt::Parser, _globals: &mut Globals) -> Result<(), CliError> {
    Err(CliError::usage("`credentials` is not built yet"))
}
