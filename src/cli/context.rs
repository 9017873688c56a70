//! What commands share before they talk to AWS: a runtime, the [`Settings`]
//! built from the global flags (the one place they are merged), the client,
//! and the mapping of library errors onto the exit codes of DESIGN.md.

use std::sync::Arc;

use bedrock_lite::bedrock::error::BedrockError;
use bedrock_lite::bedrock::stream::StreamError;
use bedrock_lite::credentials::CredentialsError;
use bedrock_lite::model_ref::ModelRef;
use bedrock_lite::settings::{Settings, SettingsError};
use bedrock_lite::transport::{ServiceError, ServiceErrorKind};
use bedrock_lite::Client;

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

/// The settings for this command line: the global flags, then env, the config
/// file, the AWS profile and the defaults. `model` is the command's `-m`
/// (parsed here: a bad ref exits 2 naming it). With `-v`, the config's
/// warnings go to stderr now and the client's notes as they come.
pub fn settings(globals: &Globals, model: Option<&str>) -> Result<Settings, CliError> {
    let mut builder = Settings::builder();
    if let Some(region) = &globals.region {
        builder = builder.region(region);
    }
    if let Some(profile) = &globals.profile {
        builder = builder.profile(profile);
    }
    if let Some(url) = &globals.endpoint_url {
        builder = builder.endpoint_url(url);
    }
    if let Some(path) = &globals.config {
        builder = builder.config_file(path);
    }
    if let Some(model) = model {
        let model = ModelRef::parse(model).map_err(|e| CliError::usage(e.to_string()))?;
        builder = builder.model(model);
    }
    if globals.verbose > 0 {
        builder = builder.notes(Arc::new(|note: &str| eprintln!("note: {note}")));
    }
    let settings = builder.resolve().map_err(settings_error)?;
    for exposed in &settings.exposed_files {
        eprintln!("warning: {exposed}");
    }
    if globals.verbose > 0 {
        for warning in &settings.warnings {
            eprintln!("warning: {warning}");
        }
    }
    Ok(settings)
}

/// A client over [`settings`]; with `-v`, says where its calls go by default.
pub fn client(globals: &Globals, model: Option<&str>) -> Result<Client, CliError> {
    let client = Client::new(settings(globals, model)?);
    if globals.verbose > 0 {
        eprintln!(
            "note: region {}, runtime endpoint {}",
            client.region(),
            client.endpoint_url()
        );
    }
    Ok(client)
}

/// The model a command runs on: `-m`, else the config's `model` (exit 2
/// saying how to set one when there is neither).
pub fn model(client: &Client) -> Result<ModelRef, CliError> {
    client.settings().model.clone().ok_or_else(|| {
        CliError::usage(
            "no model: pass -m MODEL, or set one with `bedrock-lite config set model MODEL`",
        )
    })
}

/// The CLI error for settings that cannot be resolved (exit 2).
pub fn settings_error(error: SettingsError) -> CliError {
    match error {
        SettingsError::Profile(error) => credentials_error(error),
        other => CliError::new("config", other.to_string(), Exit::Usage),
    }
}

/// The CLI error for a chain error: exit 2 for bad configuration, else 3.
pub fn credentials_error(error: CredentialsError) -> CliError {
    let exit = match error {
        CredentialsError::InvalidConfig { .. } => Exit::Usage,
        _ => Exit::Credentials,
    };
    let message = match error {
        CredentialsError::NotLoaded { reason, .. } => format!(
            "{reason}; set AWS_PROFILE or --profile, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, \
             or AWS_BEARER_TOKEN_BEDROCK (`bedrock-lite credentials` shows the chain)"
        ),
        other => other.to_string(),
    };
    CliError::new("credentials", message, exit)
}

/// What a person can do about a service error, when there is something.
fn service_hint(error: &ServiceError, model: &str) -> Option<String> {
    match (error.kind, error.code.as_str()) {
        // `models list` and `guardrail apply` name what they were doing, not a model.
        (ServiceErrorKind::Rejected, "AccessDeniedException") if model == "discovery" => Some(
            "this identity's IAM policy lacks bedrock:ListFoundationModels / \
             bedrock:ListInferenceProfiles"
                .to_owned(),
        ),
        (ServiceErrorKind::Rejected, "AccessDeniedException")
            if model.starts_with("guardrail ") =>
        {
            Some(format!(
                "this identity's IAM policy lacks bedrock:ApplyGuardrail for {model}"
            ))
        }
        (ServiceErrorKind::Rejected, "AccessDeniedException") => Some(format!(
            "model access for `{model}` may need enabling in the Bedrock console \
             (Model access), or this identity's IAM policy lacks bedrock:InvokeModel / \
             bedrock:InvokeModelWithResponseStream for it"
        )),
        (ServiceErrorKind::AuthRefused, _) => Some(
            "check the keys and the clock, or refresh the session (`aws sso login`); \
             `bedrock-lite credentials` shows which source answered"
                .to_owned(),
        ),
        _ => None,
    }
}

/// The CLI error for a Bedrock error about `model` (or what was being done);
/// exit 6 if output had started.
pub fn bedrock_failure_at(error: BedrockError, model: &str, output_started: bool) -> CliError {
    let (kind, exit) = match &error {
        BedrockError::Config(_) | BedrockError::Signing(_) => ("config", Exit::Usage),
        BedrockError::ModelRef(_) => ("usage", Exit::Usage),
        BedrockError::Credentials(e) => {
            let cli = credentials_error(e.clone());
            return if output_started {
                CliError::new("stream", cli.to_string(), Exit::StreamBroken)
            } else {
                cli
            };
        }
        BedrockError::Service(e) => match e.kind {
            ServiceErrorKind::AuthRefused => ("auth", Exit::Credentials),
            ServiceErrorKind::Throttled => ("throttled", Exit::Unavailable),
            ServiceErrorKind::Unavailable => ("service", Exit::Unavailable),
            _ => ("service", Exit::Rejected),
        },
        BedrockError::Network { .. } => ("network", Exit::Unavailable),
        BedrockError::Stream(e) => (
            "stream",
            match e {
                StreamError::Exception(_) if error.is_retryable() => Exit::Unavailable,
                StreamError::Exception(_) => Exit::Rejected,
                StreamError::IdleTimeout(_) | StreamError::Network(_) => Exit::Unavailable,
                _ => Exit::Other,
            },
        ),
        #[cfg(feature = "embeddings")]
        BedrockError::Embed(e) => match e.is_usage() {
            true => ("usage", Exit::Usage),
            false => ("response", Exit::Other),
        },
        BedrockError::InvalidResponse { .. } => ("response", Exit::Other),
        _ => ("error", Exit::Other),
    };
    let exit = if output_started {
        Exit::StreamBroken
    } else {
        exit
    };
    let hint = match &error {
        BedrockError::Service(e) => service_hint(e, model),
        _ => None,
    };
    let message = match hint {
        Some(hint) => format!("model `{model}`: {error}; {hint}"),
        None => format!("model `{model}`: {error}"),
    };
    CliError::new(kind, message, exit)
}

/// [`bedrock_failure_at`] before any output.
pub fn bedrock_failure(error: BedrockError, what: &str) -> CliError {
    bedrock_failure_at(error, what, false)
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
        let shown = error.to_string();
        assert!(
            shown.starts_with(
                "error: credentials: no usable credentials; tried env (unset); set AWS_PROFILE"
            ),
            "{shown}"
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

    /// A Bedrock error answer with `status` and `code`.
    fn service(status: u16, code: &str) -> BedrockError {
        BedrockError::Service(ServiceError::parse(
            status,
            Some(code),
            b"{\"message\":\"m\"}",
        ))
    }

    #[test]
    fn service_errors_follow_the_contract() {
        let exit = |error, started| bedrock_failure_at(error, "m", started).exit_code();
        assert_eq!(exit(service(400, "ValidationException"), false), 4);
        assert_eq!(exit(service(503, "ServiceUnavailableException"), false), 5);
        assert_eq!(exit(service(429, "ThrottlingException"), false), 5);
        assert_eq!(exit(service(403, "UnrecognizedClientException"), false), 3);
        assert_eq!(exit(service(400, "ValidationException"), true), 6);
        assert_eq!(exit(BedrockError::Config("x".into()), false), 2);
        assert_eq!(
            exit(BedrockError::Stream(StreamError::EndedEarly), false),
            1
        );
        assert_eq!(exit(BedrockError::Stream(StreamError::EndedEarly), true), 6);
        let denied = bedrock_failure_at(service(403, "AccessDeniedException"), "x.y", false);
        assert_eq!(denied.exit_code(), 4);
        let shown = denied.to_string();
        assert!(
            shown.contains("Bedrock console") && shown.contains("bedrock:InvokeModel"),
            "{shown}"
        );
        assert_eq!(
            bedrock_failure_at(service(400, "ValidationException"), "anthropic.x", false)
                .to_string(),
            "error: service: model `anthropic.x`: ValidationException (HTTP 400): m"
        );
    }

    #[test]
    fn access_denied_names_the_permission_of_what_was_being_done() {
        let hint =
            |what: &str| bedrock_failure(service(403, "AccessDeniedException"), what).to_string();
        let discovery = hint("discovery");
        assert!(
            discovery.contains("bedrock:ListFoundationModels"),
            "{discovery}"
        );
        assert!(!discovery.contains("Model access"), "{discovery}");
        let guardrail = hint("guardrail gr-1");
        assert!(
            guardrail.contains("bedrock:ApplyGuardrail for guardrail gr-1"),
            "{guardrail}"
        );
        let model = hint("anthropic.x");
        assert!(
            model.contains("Model access") && model.contains("bedrock:InvokeModel"),
            "{model}"
        );
    }
}
