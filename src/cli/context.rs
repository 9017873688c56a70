//! What several commands need before they can talk to AWS: a runtime, the
//! resolved credentials and the region.

use std::sync::Arc;

use bedrock_lite::credentials::chain::DefaultChain;
use bedrock_lite::credentials::region::{self, ResolvedRegion};
use bedrock_lite::credentials::{CredentialsError, Env, ResolvedAuth};
use bedrock_lite::http::ReqwestClient;

use crate::args::Globals;
use crate::error::{CliError, Exit};

/// A single-threaded runtime: the CLI does one thing at a time, and a
/// current-thread runtime has no cross-thread wake-ups.
pub fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::new("runtime", e.to_string(), Exit::Other))
}

/// Resolves the credential chain (honouring `--profile` and `--region`) and the region.
pub fn resolve_auth(globals: &Globals) -> Result<(ResolvedAuth, ResolvedRegion), CliError> {
    let env = Env::real();
    let chain = DefaultChain::new(
        env.clone(),
        Arc::new(ReqwestClient::new()),
        globals.profile.clone(),
    )
    .with_region(globals.region.clone());
    let resolved = runtime()?
        .block_on(chain.resolve())
        .map_err(credentials_error)?;
    let region = region::resolve(globals.region.as_deref(), &env, globals.profile.as_deref())
        .map_err(credentials_error)?;
    Ok((resolved, region))
}

/// The CLI error for a chain error: exit 2 for bad configuration, else 3.
pub fn credentials_error(error: CredentialsError) -> CliError {
    let exit = match error {
        CredentialsError::InvalidConfig { .. } => Exit::Usage,
        CredentialsError::NotLoaded { .. } | CredentialsError::ProviderError { .. } => {
            Exit::Credentials
        }
    };
    let message = match error {
        CredentialsError::NotLoaded { reason, .. } => reason,
        other => other.to_string(),
    };
    CliError::new("credentials", message, exit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes() {
        let not_loaded = CredentialsError::NotLoaded {
            source: "chain",
            reason: "no usable credentials; tried env (unset)".into(),
        };
        let error = credentials_error(not_loaded);
        assert_eq!(error.exit_code(), 3);
        assert_eq!(
            error.to_string(),
            "error: credentials: no usable credentials; tried env (unset)"
        );
        let invalid = CredentialsError::InvalidConfig {
            source: "profile",
            message: "x".into(),
        };
        assert_eq!(credentials_error(invalid).exit_code(), 2);
        let failed = CredentialsError::ProviderError {
            source: "sts",
            message: "AccessDenied".into(),
        };
        assert_eq!(credentials_error(failed).exit_code(), 3);
    }
}
