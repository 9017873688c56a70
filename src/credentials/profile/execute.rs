//! Carries out a [`CredentialPlan`]: gets the base credentials, then assumes
//! each role in turn with STS.

use super::resolve::{BaseSource, CredentialPlan, NamedSource};
use super::SharedConfig;
use crate::credentials::imds::ImdsProvider;
use crate::credentials::sso::{self, SsoParams};
use crate::credentials::sts::{self, AssumeRoleParams};
use crate::credentials::web_identity::{self, WebIdentityParams};
use crate::credentials::{container, environment, process, Credentials, CredentialsError};
use crate::env::Env;
use crate::http::HttpClient;

/// What a plan may need to reach: the outside world and the settings of the
/// selected profile that apply to every step.
pub(crate) struct Sources<'a> {
    /// For STS, SSO, the container endpoint and IMDS.
    pub http: &'a dyn HttpClient,
    /// Variables, files and clock.
    pub env: &'a Env,
    /// The chain's IMDS provider (shared, for its token cache and static stability).
    pub imds: &'a ImdsProvider,
    /// The region for STS calls (the region chain's answer).
    pub region: &'a str,
    /// The shared files, for the endpoint settings of the selected profile.
    pub config: &'a SharedConfig,
}

impl Sources<'_> {
    /// Where STS calls go, when not the default regional endpoint.
    fn sts_endpoint(&self) -> Result<Option<String>, CredentialsError> {
        self.config.sts_endpoint(self.env, self.region)
    }
}

/// The credentials `plan` leads to.
pub(crate) async fn fetch(
    plan: &CredentialPlan,
    sources: &Sources<'_>,
) -> Result<Credentials, CredentialsError> {
    let mut credentials = base_credentials(&plan.base, sources).await?;
    if plan.roles.is_empty() {
        return Ok(credentials);
    }
    let sts_endpoint = sources.sts_endpoint()?;
    for role in &plan.roles {
        let params = AssumeRoleParams {
            role_arn: role.role_arn.clone(),
            session_name: role.session_name.clone(),
            external_id: role.external_id.clone(),
            duration_seconds: role.duration_seconds,
            region: sources.region.to_owned(),
            endpoint_override: sts_endpoint.clone(),
        };
        credentials = sts::assume_role(sources.http, sources.env, &credentials, &params)
            .await
            .map_err(|e| within(&role.profile, e))?;
    }
    Ok(credentials)
}

async fn base_credentials(
    base: &BaseSource,
    sources: &Sources<'_>,
) -> Result<Credentials, CredentialsError> {
    let Sources { http, env, .. } = *sources;
    match base {
        BaseSource::StaticKeys { credentials, .. } => Ok(credentials.clone()),
        BaseSource::Named { profile, source } => {
            let loaded = match source {
                NamedSource::Environment => environment::credentials(env),
                NamedSource::Ec2InstanceMetadata => sources.imds.credentials(http, env).await,
                NamedSource::EcsContainer => container::load(http, env).await,
            };
            loaded.map_err(|e| within(profile, e))
        }
        BaseSource::WebIdentity {
            profile,
            role_arn,
            token_file,
            session_name,
        } => {
            let params = WebIdentityParams {
                role_arn: role_arn.clone(),
                token_file: token_file.clone(),
                session_name: session_name.clone(),
                region: sources.region.to_owned(),
                endpoint_override: sources.sts_endpoint()?,
            };
            web_identity::assume_role_with_web_identity(http, env, &params)
                .await
                .map_err(|e| within(profile, e))
        }
        BaseSource::Sso { profile, settings } => {
            let params = SsoParams {
                start_url: settings.start_url.clone(),
                sso_region: settings.sso_region.clone(),
                account_id: settings.account_id.clone(),
                role_name: settings.role_name.clone(),
                session_name: settings.session_name.clone(),
            };
            sso::role_credentials(http, env, &params)
                .await
                .map_err(|e| within(profile, e))
        }
        BaseSource::Process {
            profile,
            command,
            account_id,
        } => {
            let limits = process::Limits::from_env(env).map_err(|e| within(profile, e))?;
            let mut credentials = process::load_with(command.expose(), limits)
                .await
                .map_err(|e| within(profile, e))?;
            if credentials.account_id.is_none() {
                credentials.account_id.clone_from(account_id);
            }
            Ok(credentials)
        }
    }
}

/// An error from a step of `profile`'s plan, saying so. A "not configured"
/// answer becomes a failure: the profile asked for that source, so the chain
/// must stop rather than move on to the next one.
fn within(profile: &str, error: CredentialsError) -> CredentialsError {
    let message = format!("in profile `{profile}`: {error}");
    match error {
        CredentialsError::InvalidConfig { .. } => CredentialsError::InvalidConfig {
            source: super::SOURCE,
            message,
        },
        CredentialsError::NotLoaded { .. } | CredentialsError::ProviderError { .. } => {
            CredentialsError::ProviderError {
                source: super::SOURCE,
                message,
            }
        }
    }
}
