//! Which IMDS endpoint to talk to (`imds-endpoint-tests.json` pins this down).

use crate::credentials::CredentialsError;
use crate::env::Env;

/// The IPv4 endpoint, the default.
const IPV4: &str = "http://169.254.169.254";
/// The IPv6 endpoint.
const IPV6: &str = "http://[fd00:ec2::254]";
const ENV_ENDPOINT: &str = "AWS_EC2_METADATA_SERVICE_ENDPOINT";
const ENV_MODE: &str = "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE";

/// The IMDS endpoint settings that do not come from the environment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EndpointConfig {
    /// An endpoint set in code; wins over everything.
    pub endpoint: Option<String>,
    /// An endpoint mode (`IPv4` / `IPv6`) set in code.
    pub endpoint_mode: Option<String>,
    /// The profile's `ec2_metadata_service_endpoint`.
    pub profile_endpoint: Option<String>,
    /// The profile's `ec2_metadata_service_endpoint_mode`.
    pub profile_endpoint_mode: Option<String>,
}

/// The IMDS base URL (no trailing `/`), in the SDK's order: the endpoint set in code,
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT`, the profile's `ec2_metadata_service_endpoint`,
/// then the mode (`IPv4` or `IPv6`, any case) set in code,
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE`, the profile's
/// `ec2_metadata_service_endpoint_mode`, else `http://169.254.169.254`.
/// An endpoint that is not an `http(s)` URL, or an unknown mode, is an invalid
/// configuration.
///
/// ```
/// use bedrock_lite::credentials::imds::{resolve_endpoint, EndpointConfig};
/// use bedrock_lite::env::Env;
/// let env = Env::from_vars([("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ipv6")]);
/// let url = resolve_endpoint(&env, &EndpointConfig::default()).unwrap();
/// assert_eq!(url, "http://[fd00:ec2::254]");
/// ```
pub fn resolve_endpoint(env: &Env, config: &EndpointConfig) -> Result<String, CredentialsError> {
    let endpoint = config
        .endpoint
        .as_deref()
        .map(|url| (url, "the endpoint set in code"))
        .or_else(|| {
            env.non_blank_var(ENV_ENDPOINT)
                .map(|url| (url, ENV_ENDPOINT))
        })
        .or_else(|| {
            let url = config.profile_endpoint.as_deref()?;
            Some((url, "the profile's ec2_metadata_service_endpoint"))
        });
    if let Some((url, origin)) = endpoint {
        return validated(url.trim(), origin);
    }
    let mode = config
        .endpoint_mode
        .as_deref()
        .map(|mode| (mode, "the endpoint mode set in code"))
        .or_else(|| env.non_blank_var(ENV_MODE).map(|mode| (mode, ENV_MODE)))
        .or_else(|| {
            let mode = config.profile_endpoint_mode.as_deref()?;
            Some((mode, "the profile's ec2_metadata_service_endpoint_mode"))
        });
    match mode {
        None => Ok(IPV4.to_owned()),
        Some((mode, _)) if mode.trim().eq_ignore_ascii_case("ipv4") => Ok(IPV4.to_owned()),
        Some((mode, _)) if mode.trim().eq_ignore_ascii_case("ipv6") => Ok(IPV6.to_owned()),
        Some((mode, origin)) => Err(CredentialsError::InvalidConfig {
            source: super::SOURCE,
            message: format!(
                "`{mode}` is not a valid endpoint mode (from {origin}); expected IPv4 or IPv6"
            ),
        }),
    }
}

/// `url` without its trailing `/`, if it is an `http(s)` URL with a host.
fn validated(url: &str, origin: &str) -> Result<String, CredentialsError> {
    let invalid = |why: String| CredentialsError::InvalidConfig {
        source: super::SOURCE,
        message: format!("invalid IMDS endpoint `{url}` from {origin}: {why}"),
    };
    crate::http::HttpUrl::parse(url).map_err(|e| invalid(e.to_string()))?;
    Ok(url.trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_settings_come_after_the_environment() {
        let config = EndpointConfig {
            profile_endpoint: Some("http://profile:1/".into()),
            ..EndpointConfig::default()
        };
        let env = Env::from_vars([(ENV_MODE, "IPv6")]);
        assert_eq!(
            resolve_endpoint(&env, &config),
            Ok("http://profile:1".into())
        );
        let env = Env::from_vars([(ENV_ENDPOINT, "http://env:2")]);
        assert_eq!(resolve_endpoint(&env, &config), Ok("http://env:2".into()));
        let config = EndpointConfig {
            profile_endpoint_mode: Some("IPv7".into()),
            ..EndpointConfig::default()
        };
        let error = resolve_endpoint(&Env::from_vars([("X", "")]), &config).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("`IPv7` is not a valid endpoint mode"),
            "{error}"
        );
        let env = Env::from_vars([(ENV_MODE, "ipv4")]);
        assert_eq!(resolve_endpoint(&env, &config), Ok(IPV4.into()));
    }

    #[test]
    fn endpoints_must_be_http_urls() {
        for url in ["not a uri", "ftp://x", "http://", "169.254.169.254"] {
            let env = Env::from_vars([(ENV_ENDPOINT, url)]);
            let result = resolve_endpoint(&env, &EndpointConfig::default());
            assert!(
                matches!(result, Err(CredentialsError::InvalidConfig { .. })),
                "{url}"
            );
        }
    }
}
