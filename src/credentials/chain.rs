//! The default credential chain, in the order of DESIGN.md:
//!
//! 1. `AWS_BEARER_TOKEN_BEDROCK` (a Bedrock API key, sent as a bearer token);
//! 2. access keys in the environment, unless a profile was given explicitly
//!    (`--profile`, as botocore does; `AWS_PROFILE` keeps this order);
//! 3. the selected profile of the shared files;
//! 4. web identity from `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`;
//! 5. the container credentials endpoint (ECS, EKS Pod Identity);
//! 6. IMDSv2.
//!
//! A source that is not configured ([`CredentialsError::NotLoaded`]) passes to
//! the next; any other error stops the chain and is returned. When no source
//! is configured, the error lists every source and why it passed.

use std::fmt;
use std::sync::{Arc, OnceLock};

use super::cache::ResolveAuth;
use super::imds::ImdsProvider;
use super::profile::{self, SharedConfig, Sources};
use super::{
    container, environment, region, web_identity, Auth, CredentialSource, Credentials,
    CredentialsError, ResolvedAuth,
};
use crate::env::Env;
use crate::http::{BoxFuture, HttpClient};

/// The default chain over an [`Env`] and an [`HttpClient`].
///
/// ```
/// use std::sync::Arc;
/// use bedrock_lite::credentials::{chain::DefaultChain, CredentialSource};
/// use bedrock_lite::env::Env;
/// # use bedrock_lite::http::*;
/// # #[derive(Debug)] struct NoNetwork;
/// # impl HttpClient for NoNetwork {
/// #     fn send(&self, _: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, HttpError>> {
/// #         Box::pin(async { Err(HttpError::Connect("no network".into())) })
/// #     }
/// # }
/// let env = Env::from_vars([("AWS_ACCESS_KEY_ID", "AKID"), ("AWS_SECRET_ACCESS_KEY", "secret")]);
/// let chain = DefaultChain::new(env, Arc::new(NoNetwork), None);
/// let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
/// let resolved = runtime.block_on(chain.resolve())?;
/// assert_eq!(resolved.source, CredentialSource::Environment);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct DefaultChain {
    env: Env,
    http: Arc<dyn HttpClient>,
    profile_override: Option<String>,
    region_override: Option<String>,
    /// Built on first use, with the profile's IMDS endpoint settings, then kept
    /// for its token cache and its last credentials.
    imds: OnceLock<ImdsProvider>,
}

impl DefaultChain {
    /// A chain reading `env`, calling out through `http`, using the profile
    /// `profile_override` (e.g. `--profile`) instead of `AWS_PROFILE` when given;
    /// an explicit profile also takes the environment's access keys out of the
    /// chain (the bearer token still comes first).
    pub fn new(env: Env, http: Arc<dyn HttpClient>, profile_override: Option<String>) -> Self {
        DefaultChain {
            env,
            http,
            profile_override,
            region_override: None,
            imds: OnceLock::new(),
        }
    }

    /// Uses `region` (e.g. `--region`) for STS calls instead of the region chain's answer.
    pub fn with_region(mut self, region: Option<String>) -> Self {
        self.region_override = region;
        self
    }

    /// The environment the chain reads.
    pub fn env(&self) -> &Env {
        &self.env
    }

    /// Asks each source in turn; see the module docs.
    pub async fn resolve(&self) -> Result<ResolvedAuth, CredentialsError> {
        let env = &self.env;
        let http = self.http.as_ref();
        let mut passed = Vec::new();

        if let Some(token) = settle(environment::bearer_token(env), &mut passed)? {
            return Ok(ResolvedAuth {
                auth: Auth::Bearer(token),
                source: CredentialSource::BearerTokenEnv,
            });
        }
        let env_keys = match &self.profile_override {
            // An explicitly given profile takes the environment's keys out.
            Some(profile) => Err(CredentialsError::NotLoaded {
                source: "env",
                reason: format!("the profile `{profile}` was given explicitly"),
            }),
            None => environment::credentials(env),
        };
        if let Some(credentials) = settle(env_keys, &mut passed)? {
            return Ok(sigv4(credentials, CredentialSource::Environment));
        }

        let config = SharedConfig::load(env, self.profile_override.as_deref())?;
        let region = region::resolve_with(self.region_override.as_deref(), env, &config).region;
        let imds = self.imds.get_or_init(|| {
            ImdsProvider::new(
                config.ec2_metadata_service_endpoint().map(str::to_owned),
                config
                    .ec2_metadata_service_endpoint_mode()
                    .map(str::to_owned),
            )
        });

        let sources = Sources {
            http,
            env,
            imds,
            region: &region,
            config: &config,
        };
        if let Some(resolved) = settle(from_profile(&config, &sources).await, &mut passed)? {
            return Ok(resolved);
        }

        let web_identity = match web_identity::params_from_env(env, &region) {
            Some(mut params) => {
                if params.endpoint_override.is_none() {
                    params.endpoint_override = config.sts_endpoint(env, &region)?;
                }
                web_identity::assume_role_with_web_identity(http, env, &params).await
            }
            None => Err(CredentialsError::NotLoaded {
                source: "web-identity",
                reason: "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not both set".into(),
            }),
        };
        if let Some(credentials) = settle(web_identity, &mut passed)? {
            return Ok(sigv4(credentials, CredentialSource::WebIdentity));
        }
        if let Some(credentials) = settle(container::load(http, env).await, &mut passed)? {
            return Ok(sigv4(credentials, CredentialSource::Container));
        }
        if let Some(credentials) = settle(imds.credentials(http, env).await, &mut passed)? {
            return Ok(sigv4(credentials, CredentialSource::Imds));
        }

        Err(CredentialsError::NotLoaded {
            source: "chain",
            reason: format!("no usable credentials; tried {}", passed.join(", ")),
        })
    }
}

impl fmt::Debug for DefaultChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DefaultChain")
            .field("env", &self.env)
            .field("http", &self.http)
            .field("profile_override", &self.profile_override)
            .field("region_override", &self.region_override)
            .finish_non_exhaustive()
    }
}

impl ResolveAuth for DefaultChain {
    fn resolve(&self) -> BoxFuture<'_, Result<ResolvedAuth, CredentialsError>> {
        Box::pin(DefaultChain::resolve(self))
    }
}

/// The profile step: plan, then carry the plan out.
async fn from_profile(
    config: &SharedConfig,
    sources: &Sources<'_>,
) -> Result<ResolvedAuth, CredentialsError> {
    let plan = config.credential_plan()?;
    let credentials = profile::fetch(&plan, sources).await?;
    Ok(sigv4(
        credentials,
        CredentialSource::Profile {
            name: plan.profile.clone(),
            via: plan.via(),
        },
    ))
}

fn sigv4(credentials: Credentials, source: CredentialSource) -> ResolvedAuth {
    ResolvedAuth {
        auth: Auth::SigV4(credentials),
        source,
    }
}

/// A source's answer: `Ok(Some(_))` stops the chain with it, `Ok(None)` moves
/// on (noting why in `passed`), `Err(_)` stops the chain with the error.
fn settle<T>(
    result: Result<T, CredentialsError>,
    passed: &mut Vec<String>,
) -> Result<Option<T>, CredentialsError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(CredentialsError::NotLoaded { source, reason }) => {
            passed.push(format!("{source} ({reason})"));
            Ok(None)
        }
        Err(error) => Err(error),
    }
}
