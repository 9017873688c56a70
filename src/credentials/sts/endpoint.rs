//! Endpoints of the AWS services that credential sources call (STS, the SSO portal):
//! configured URLs from the environment, else the regional hostname of the region's
//! partition, with the FIPS and dual-stack variants.

use crate::credentials::CredentialsError;
use crate::env::Env;

/// Resolves the base URL (no trailing `/`) of a service, in the SDK's order:
/// `AWS_ENDPOINT_URL_<service_key>`, then `configured` (the endpoint the profile gives),
/// then `AWS_ENDPOINT_URL`, then `https://{label}[-fips].{region}.{dns suffix}`.
/// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` turns off the environment variables;
/// `AWS_USE_FIPS_ENDPOINT` / `AWS_USE_DUALSTACK_ENDPOINT` pick the variant.
pub(crate) fn resolve(
    env: &Env,
    source: &'static str,
    service_key: &str,
    label: &str,
    region: &str,
    configured: Option<&str>,
) -> Result<String, CredentialsError> {
    let ignore_env = is_true(env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    let service_var = format!("AWS_ENDPOINT_URL_{service_key}");
    let env_url = |name: &str| match ignore_env {
        true => None,
        false => env.non_blank_var(name),
    };
    let chosen = env_url(&service_var)
        .map(|url| (url, service_var.as_str()))
        .or_else(|| configured.map(|url| (url, "the profile's endpoint setting")))
        .or_else(|| env_url("AWS_ENDPOINT_URL").map(|url| (url, "AWS_ENDPOINT_URL")));
    match chosen {
        Some((url, origin)) => validated(url, origin, source),
        None => regional(
            source,
            label,
            region,
            is_true(env, "AWS_USE_FIPS_ENDPOINT"),
            is_true(env, "AWS_USE_DUALSTACK_ENDPOINT"),
        ),
    }
}

/// `https://{label}[-fips].{region}.{suffix}`, the suffix being the DNS suffix (or the
/// dual-stack one) of the region's partition ([`crate::endpoint::partition_of`]).
pub(crate) fn regional(
    source: &'static str,
    label: &str,
    region: &str,
    fips: bool,
    dual_stack: bool,
) -> Result<String, CredentialsError> {
    let valid = !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !valid {
        return Err(CredentialsError::InvalidConfig {
            source,
            message: format!(
                "`{region}` is not a valid AWS region (set AWS_REGION or the profile's `region`)"
            ),
        });
    }
    let partition = crate::endpoint::partition_of(region);
    let suffix = match dual_stack {
        true => partition.dual_stack_dns_suffix,
        false => partition.dns_suffix,
    };
    let fips = if fips { "-fips" } else { "" };
    Ok(format!("https://{label}{fips}.{region}.{suffix}"))
}

/// `url` if it is an absolute `http(s)` URL with a host, without its trailing `/`.
/// The same checks as for Bedrock's own endpoints: `https://`, or plain
/// `http://` only to a loopback host (session and SSO tokens never go in clear).
fn validated(url: &str, origin: &str, source: &'static str) -> Result<String, CredentialsError> {
    crate::endpoint::check_custom_url(url).map_err(|why| CredentialsError::InvalidConfig {
        source,
        message: format!("invalid endpoint URL `{url}` from {origin}: {why}"),
    })
}

/// Whether the variable is set to `true` (any case).
fn is_true(env: &Env, name: &str) -> bool {
    env.non_blank_var(name)
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sts(env: &[(&str, &str)], region: &str, configured: Option<&str>) -> String {
        let env = Env::from_vars(env.iter().copied());
        resolve(&env, "sts", "STS", "sts", region, configured).unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn regional_hostnames_per_partition_and_variant() {
        assert_eq!(
            sts(&[], "us-east-1", None),
            "https://sts.us-east-1.amazonaws.com"
        );
        assert_eq!(
            sts(&[], "cn-north-1", None),
            "https://sts.cn-north-1.amazonaws.com.cn"
        );
        assert_eq!(
            sts(&[], "us-gov-west-1", None),
            "https://sts.us-gov-west-1.amazonaws.com"
        );
        assert_eq!(
            sts(&[], "us-isob-east-1", None),
            "https://sts.us-isob-east-1.sc2s.sgov.gov"
        );
        let both = [
            ("AWS_USE_FIPS_ENDPOINT", "TRUE"),
            ("AWS_USE_DUALSTACK_ENDPOINT", "true"),
        ];
        assert_eq!(
            sts(&both, "us-east-1", None),
            "https://sts-fips.us-east-1.api.aws"
        );
        let fips = [
            ("AWS_USE_FIPS_ENDPOINT", "true"),
            ("AWS_USE_DUALSTACK_ENDPOINT", "false"),
        ];
        assert_eq!(
            sts(&fips, "us-east-2", None),
            "https://sts-fips.us-east-2.amazonaws.com"
        );
    }

    #[test]
    fn configured_endpoints_in_sdk_order() {
        let global = ("AWS_ENDPOINT_URL", "https://global/");
        let service = ("AWS_ENDPOINT_URL_STS", "https://service");
        assert_eq!(sts(&[global], "us-east-1", None), "https://global");
        assert_eq!(
            sts(&[global], "us-east-1", Some("http://127.0.0.1:8080")),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            sts(&[global, service], "us-east-1", Some("https://p")),
            "https://service"
        );
        let ignore = ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
        assert_eq!(
            sts(&[global, service, ignore], "eu-west-1", None),
            "https://sts.eu-west-1.amazonaws.com"
        );
    }

    #[test]
    fn bad_regions_and_urls_are_configuration_errors() {
        for region in ["", "us-east-1.evil.com/", "US-EAST-1"] {
            assert!(
                sts(&[], region, None).contains("invalid configuration"),
                "{region}"
            );
        }
        // Plain http:// only to loopback: session and SSO tokens never go in clear.
        for url in [
            "not a url",
            "ftp://x",
            "file:///etc/passwd",
            "http://sts.example.com",
            "http://10.0.0.1:8080",
        ] {
            let message = sts(&[("AWS_ENDPOINT_URL", url)], "us-east-1", None);
            assert!(message.contains("AWS_ENDPOINT_URL"), "{message}");
        }
    }
}
