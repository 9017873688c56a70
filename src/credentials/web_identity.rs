//! Web identity: STS `AssumeRoleWithWebIdentity` with a token read from a file (EKS
//! IRSA, GitHub Actions OIDC...). Configured by `AWS_WEB_IDENTITY_TOKEN_FILE` +
//! `AWS_ROLE_ARN` (+ `AWS_ROLE_SESSION_NAME`), or by a profile's
//! `web_identity_token_file` + `role_arn`. The call is not signed: the token is the proof.

use std::path::PathBuf;

use super::sts;
use super::{Credentials, CredentialsError};
use crate::env::Env;
use crate::http::HttpClient;

/// The name this source goes by in errors.
const SOURCE: &str = "web-identity";

/// What `AssumeRoleWithWebIdentity` needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebIdentityParams {
    /// The role to assume.
    pub role_arn: String,
    /// The file holding the web identity token (a JWT), read on every call.
    pub token_file: PathBuf,
    /// The session name; default `web-identity-token-<unix millis>`.
    pub session_name: Option<String>,
    /// The region whose STS endpoint is called.
    pub region: String,
    /// The STS endpoint the profile configures (see
    /// [`sts::AssumeRoleParams::endpoint_override`] for the order).
    pub endpoint_override: Option<String>,
}

/// The parameters from `AWS_WEB_IDENTITY_TOKEN_FILE`, `AWS_ROLE_ARN` and
/// `AWS_ROLE_SESSION_NAME`; `None` (not configured) unless both of the first two are
/// set and not blank.
pub fn params_from_env(env: &Env, region: &str) -> Option<WebIdentityParams> {
    let token_file = env.non_blank_var("AWS_WEB_IDENTITY_TOKEN_FILE")?;
    let role_arn = env.non_blank_var("AWS_ROLE_ARN")?;
    Some(WebIdentityParams {
        role_arn: role_arn.to_owned(),
        token_file: PathBuf::from(token_file),
        session_name: env
            .non_blank_var("AWS_ROLE_SESSION_NAME")
            .map(str::to_owned),
        region: region.to_owned(),
        endpoint_override: None,
    })
}

/// Reads the token file and exchanges the token for the role's credentials.
pub async fn assume_role_with_web_identity(
    http: &dyn HttpClient,
    env: &Env,
    params: &WebIdentityParams,
) -> Result<Credentials, CredentialsError> {
    let file = params.token_file.display();
    let token =
        env.read_to_string(&params.token_file)
            .map_err(|e| CredentialsError::ProviderError {
                source: SOURCE,
                message: format!("cannot read the web identity token file `{file}`: {e}"),
            })?;
    let token = token.trim();
    if token.is_empty() {
        return Err(CredentialsError::InvalidConfig {
            source: SOURCE,
            message: format!("the web identity token file `{file}` is empty"),
        });
    }
    let endpoint = sts::resolve_endpoint(
        env,
        SOURCE,
        "STS",
        "sts",
        &params.region,
        params.endpoint_override.as_deref(),
    )?;
    let session_name = params
        .session_name
        .clone()
        .unwrap_or_else(|| sts::default_session_name("web-identity-token", env.now()));
    let request = sts::form_request(
        &endpoint,
        "AssumeRoleWithWebIdentity",
        &[
            ("RoleArn", &params.role_arn),
            ("RoleSessionName", &session_name),
            ("WebIdentityToken", token),
        ],
    );
    sts::call(
        http,
        &request,
        SOURCE,
        "AssumeRoleWithWebIdentity",
        &params.role_arn,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_params_need_both_file_and_role() {
        let full = Env::from_vars([
            ("AWS_WEB_IDENTITY_TOKEN_FILE", "/token.jwt"),
            ("AWS_ROLE_ARN", "arn:aws:iam::1:role/r"),
            ("AWS_ROLE_SESSION_NAME", "s"),
        ]);
        let params = params_from_env(&full, "eu-west-1").expect("configured");
        assert_eq!(params.token_file, PathBuf::from("/token.jwt"));
        assert_eq!(params.session_name.as_deref(), Some("s"));
        assert_eq!(params.region, "eu-west-1");
        let no_role = Env::from_vars([("AWS_WEB_IDENTITY_TOKEN_FILE", "/token.jwt")]);
        assert_eq!(params_from_env(&no_role, "us-east-1"), None);
        let blank_file = Env::from_vars([
            ("AWS_WEB_IDENTITY_TOKEN_FILE", " "),
            ("AWS_ROLE_ARN", "arn"),
        ]);
        assert_eq!(params_from_env(&blank_file, "us-east-1"), None);
    }
}
