//! What several commands need before they can talk to AWS: a runtime, the
//! resolved credentials and the region.

use std::sync::Arc;

use bedrock_lite::bedrock::client::Client;
use bedrock_lite::bedrock::error::BedrockError;
use bedrock_lite::config::{self, Config};
use bedrock_lite::credentials::chain::DefaultChain;
use bedrock_lite::credentials::region::{self, ResolvedRegion};
use bedrock_lite::credentials::{CredentialsError, ResolvedAuth};
use bedrock_lite::env::Env;
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

/// The CLI error for a Bedrock error about `model` (or what was being done);
/// exit 6 if output had started.
pub fn bedrock_failure_at(error: BedrockError, model: &str, output_started: bool) -> CliError {
    let (kind, exit) = match &error {
        BedrockError::Config(_) => ("config", Exit::Usage),
        BedrockError::Credentials(e) => {
            let cli = credentials_error(e.clone());
            return if output_started {
                CliError::new("stream", cli.to_string(), Exit::StreamBroken)
            } else {
                cli
            };
        }
        BedrockError::AuthRefused { .. } => ("auth", Exit::Credentials),
        BedrockError::Service { retryable, .. } => (
            "service",
            if *retryable {
                Exit::Unavailable
            } else {
                Exit::Rejected
            },
        ),
        BedrockError::Throttled { .. } => ("throttled", Exit::Unavailable),
        BedrockError::Network(_) => ("network", Exit::Unavailable),
        BedrockError::StreamException(_) => (
            "stream",
            if error.is_retryable() {
                Exit::Unavailable
            } else {
                Exit::Rejected
            },
        ),
        BedrockError::IdleTimeout(_) => ("stream", Exit::Unavailable),
        BedrockError::InvalidResponse(_) => ("stream", Exit::Other),
    };
    let exit = if output_started {
        Exit::StreamBroken
    } else {
        exit
    };
    CliError::new(kind, format!("model `{model}`: {error}"), exit)
}

/// With `-v`, says on stderr where a command's calls go: the client's region
/// and runtime endpoint.
pub fn note_client(globals: &Globals, client: &Client) {
    if globals.verbose > 0 {
        eprintln!(
            "note: region {}, runtime endpoint {}",
            client.region(),
            client.endpoint_url()
        );
    }
}

/// [`bedrock_failure_at`] before any output.
pub fn bedrock_failure(error: BedrockError, what: &str) -> CliError {
    bedrock_failure_at(error, what, false)
}

/// The config file (`--config`, `$BEDROCK_LITE_CONFIG` or the default path; a
/// missing default file is an empty config). Unknown keys are reported with `-v`.
pub fn read_config(globals: &Globals, env: &Env) -> Result<Config, CliError> {
    let Some(location) = config::locate(globals.config.as_deref(), env) else {
        return Ok(Config::default());
    };
    let (config, warnings) =
        Config::load(&location).map_err(|e| CliError::new("config", e.to_string(), Exit::Usage))?;
    if globals.verbose > 0 {
        for warning in warnings {
            eprintln!("warning: {warning}");
        }
    }
    Ok(config)
}

/// The region a command asks for: `--region`, then `AWS_REGION` /
/// `AWS_DEFAULT_REGION`, then the config file's `region`; `None` leaves the
/// rest of the chain (the profile, then `us-east-1`) to the client.
pub fn config_region(globals: &Globals, env: &Env, config: &Config) -> Option<String> {
    globals.region.clone().or_else(|| {
        let from_env = ["AWS_REGION", "AWS_DEFAULT_REGION"]
            .iter()
            .any(|var| env.non_blank_var(var).is_some());
        config.region.clone().filter(|_| !from_env)
    })
}

/// The whole region chain: [`config_region`], then the profile, then `us-east-1`.
pub fn resolve_region(globals: &Globals, env: &Env, config: &Config) -> Result<String, CliError> {
    let explicit = config_region(globals, env, config);
    region::resolve(explicit.as_deref(), env, globals.profile.as_deref())
        .map(|r| r.region)
        .map_err(credentials_error)
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
