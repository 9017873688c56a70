//! Where requests go: the base URL of the `bedrock` (control plane) and
//! `bedrock-runtime` services for a region, and how to sign for it.
//!
//! The order is the AWS SDKs': an explicit endpoint (`--endpoint-url`, for both
//! services), then `AWS_ENDPOINT_URL_BEDROCK` / `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`,
//! then `AWS_ENDPOINT_URL`, then the endpoint from the config file, then the
//! services' endpoint rule set (identical for both services but for the label):
//!
//! | FIPS | dual-stack | URL |
//! | --- | --- | --- |
//! | no | no | `https://{service}.{region}.{dnsSuffix}` |
//! | yes | no | `https://{service}-fips.{region}.{dnsSuffix}` |
//! | no | yes | `https://{service}.{region}.{dualStackDnsSuffix}` |
//! | yes | yes | `https://{service}-fips.{region}.{dualStackDnsSuffix}` |
//!
//! with the suffixes of the region's [`Partition`]. FIPS and dual-stack come from
//! `AWS_USE_FIPS_ENDPOINT` / `AWS_USE_DUALSTACK_ENDPOINT` (`true` or `false`, any
//! case; blank is unset); asking for either together with a custom endpoint is an
//! error, as in the rule set. `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` turns
//! off the endpoint variables and the config file's endpoint (not an explicit
//! one). Requests to either service are signed with the name `bedrock` and the
//! request region.

mod custom_url;
mod partition;

pub(crate) use custom_url::check as check_custom_url;
pub use partition::{partition_of, partitions, Partition};

use std::fmt;

use crate::env::Env;

/// The SigV4 signing name of both Bedrock services.
pub const SIGNING_NAME: &str = "bedrock";

/// A Bedrock service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    /// The control plane: ListFoundationModels, ListInferenceProfiles, GetInferenceProfile, ...
    Bedrock,
    /// The runtime: Converse, ConverseStream, InvokeModel, ...
    BedrockRuntime,
}

impl Service {
    /// The first hostname label: `bedrock` or `bedrock-runtime`.
    pub fn endpoint_prefix(self) -> &'static str {
        match self {
            Service::Bedrock => "bedrock",
            Service::BedrockRuntime => "bedrock-runtime",
        }
    }

    /// The service's own endpoint variable: `AWS_ENDPOINT_URL_BEDROCK` or
    /// `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`.
    pub fn endpoint_env_var(self) -> &'static str {
        match self {
            Service::Bedrock => "AWS_ENDPOINT_URL_BEDROCK",
            Service::BedrockRuntime => "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
        }
    }
}

/// Which setting chose the endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointSource {
    /// The endpoint given in code or with `--endpoint-url`.
    Explicit,
    /// The service's own variable ([`Service::endpoint_env_var`]).
    ServiceEnv(Service),
    /// `AWS_ENDPOINT_URL`.
    GlobalEnv,
    /// The endpoint in the config file.
    Config,
    /// The endpoint rule set, for the region's partition (its id).
    Rules {
        /// The partition id, e.g. `aws-cn`.
        partition: &'static str,
    },
}

impl fmt::Display for EndpointSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EndpointSource::Explicit => f.write_str("the explicit endpoint (--endpoint-url)"),
            EndpointSource::ServiceEnv(service) => f.write_str(service.endpoint_env_var()),
            EndpointSource::GlobalEnv => f.write_str("AWS_ENDPOINT_URL"),
            EndpointSource::Config => f.write_str("the config file"),
            EndpointSource::Rules { partition } => {
                write!(f, "the endpoint rules for partition {partition}")
            }
        }
    }
}

/// A resolved endpoint: where to send requests and how to sign them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The base URL without a trailing `/`, e.g.
    /// `https://bedrock-runtime.us-east-1.amazonaws.com`; a custom endpoint keeps
    /// its path prefix. Operation paths (`/model/{id}/converse`) go after it.
    pub url: String,
    /// The SigV4 signing region: the request region. `None` only for a custom
    /// endpoint given without a region, which the rule set allows but which
    /// cannot be signed with SigV4.
    pub signing_region: Option<String>,
    /// The SigV4 signing name: always [`SIGNING_NAME`].
    pub signing_name: &'static str,
    /// Which setting chose the URL.
    pub source: EndpointSource,
}

/// The endpoint settings that do not come from the environment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EndpointSettings<'a> {
    /// The request region (from the region chain).
    pub region: Option<&'a str>,
    /// An explicit endpoint for both services (`--endpoint-url`); wins over everything.
    pub endpoint_url: Option<&'a str>,
    /// The endpoint from the config file; the environment variables win over it.
    pub configured_url: Option<&'a str>,
}

/// Why no endpoint could be resolved. Each message is one line and names the
/// setting at fault; the rule set's own messages are kept at the start.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndpointError {
    /// No region, and no custom endpoint.
    MissingRegion,
    /// The region cannot be part of a hostname.
    InvalidRegion {
        /// The region as given.
        region: String,
    },
    /// FIPS was asked for together with a custom endpoint.
    FipsWithCustomEndpoint {
        /// Where the custom endpoint came from.
        source: EndpointSource,
    },
    /// Dual-stack was asked for together with a custom endpoint.
    DualStackWithCustomEndpoint {
        /// Where the custom endpoint came from.
        source: EndpointSource,
    },
    /// A custom endpoint that is not a usable URL.
    InvalidUrl {
        /// The URL as given, with any user name and password hidden.
        url: String,
        /// Where it came from.
        source: EndpointSource,
        /// What is wrong with it.
        reason: String,
    },
    /// A boolean variable that is neither `true` nor `false`.
    InvalidFlag {
        /// The variable, e.g. `AWS_USE_FIPS_ENDPOINT`.
        variable: &'static str,
        /// Its value.
        value: String,
    },
}

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EndpointError::MissingRegion => f.write_str(
                "Invalid Configuration: Missing Region \
                 (set --region, AWS_REGION, AWS_DEFAULT_REGION, the config file's `region` \
                 or the profile's `region`)",
            ),
            EndpointError::InvalidRegion { region } => write!(
                f,
                "invalid region `{}`: expected lowercase letters, digits and hyphens, like `us-east-1`",
                region.escape_debug()
            ),
            EndpointError::FipsWithCustomEndpoint { source } => write!(
                f,
                "Invalid Configuration: FIPS and custom endpoint are not supported \
                 (the endpoint comes from {source}; unset AWS_USE_FIPS_ENDPOINT or the endpoint)"
            ),
            EndpointError::DualStackWithCustomEndpoint { source } => write!(
                f,
                "Invalid Configuration: Dualstack and custom endpoint are not supported \
                 (the endpoint comes from {source}; unset AWS_USE_DUALSTACK_ENDPOINT or the endpoint)"
            ),
            EndpointError::InvalidUrl {
                url,
                source,
                reason,
            } => write!(f, "invalid endpoint URL `{url}` from {source}: {reason}"),
            EndpointError::InvalidFlag { variable, value } => write!(
                f,
                "invalid {variable} value `{}`: expected `true` or `false`",
                value.escape_debug()
            ),
        }
    }
}

impl std::error::Error for EndpointError {}

/// Resolves the endpoint of `service`, reading the endpoint, FIPS and
/// dual-stack variables from `env` (see the module docs for the order).
///
/// ```
/// use bedrock_lite::env::Env;
/// use bedrock_lite::endpoint::{resolve, EndpointSettings, Service};
/// let settings = EndpointSettings { region: Some("eu-west-1"), ..Default::default() };
///
/// let env = Env::from_vars([("AWS_USE_DUALSTACK_ENDPOINT", "true")]);
/// let endpoint = resolve(Service::BedrockRuntime, &settings, &env)?;
/// assert_eq!(endpoint.url, "https://bedrock-runtime.eu-west-1.api.aws");
/// assert_eq!(endpoint.signing_region.as_deref(), Some("eu-west-1"));
/// assert_eq!(endpoint.signing_name, "bedrock");
///
/// let env = Env::from_vars([("AWS_ENDPOINT_URL_BEDROCK", "http://localhost:4000/")]);
/// assert_eq!(resolve(Service::Bedrock, &settings, &env)?.url, "http://localhost:4000");
/// # Ok::<(), bedrock_lite::endpoint::EndpointError>(())
/// ```
pub fn resolve(
    service: Service,
    settings: &EndpointSettings<'_>,
    env: &Env,
) -> Result<Endpoint, EndpointError> {
    let use_fips = flag(env, "AWS_USE_FIPS_ENDPOINT")?;
    let use_dual_stack = flag(env, "AWS_USE_DUALSTACK_ENDPOINT")?;
    let region = settings.region.filter(|region| !region.is_empty());
    let Some((url, source)) = custom_endpoint(service, settings, env)? else {
        return from_rules(service, region, use_fips, use_dual_stack);
    };
    if use_fips {
        return Err(EndpointError::FipsWithCustomEndpoint { source });
    }
    if use_dual_stack {
        return Err(EndpointError::DualStackWithCustomEndpoint { source });
    }
    let url = custom_url::check(url).map_err(|reason| EndpointError::InvalidUrl {
        url: custom_url::redacted(url),
        source,
        reason,
    })?;
    Ok(Endpoint {
        url,
        signing_region: region.map(str::to_owned),
        signing_name: SIGNING_NAME,
        source,
    })
}

/// The custom endpoint that wins, if any: explicit, then the service's variable,
/// then `AWS_ENDPOINT_URL`, then the config file. Blank variables are unset.
fn custom_endpoint<'a>(
    service: Service,
    settings: &EndpointSettings<'a>,
    env: &'a Env,
) -> Result<Option<(&'a str, EndpointSource)>, EndpointError> {
    if let Some(url) = settings.endpoint_url {
        return Ok(Some((url, EndpointSource::Explicit)));
    }
    if flag(env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")? {
        return Ok(None);
    }
    let service_var = service.endpoint_env_var();
    Ok(env
        .non_blank_var(service_var)
        .map(|url| (url, EndpointSource::ServiceEnv(service)))
        .or_else(|| {
            env.non_blank_var("AWS_ENDPOINT_URL")
                .map(|url| (url, EndpointSource::GlobalEnv))
        })
        .or_else(|| {
            settings
                .configured_url
                .map(|url| (url, EndpointSource::Config))
        }))
}

/// The rule set's regional branch: `https://{prefix}[-fips].{region}.{suffix}`.
fn from_rules(
    service: Service,
    region: Option<&str>,
    use_fips: bool,
    use_dual_stack: bool,
) -> Result<Endpoint, EndpointError> {
    let region = region.ok_or(EndpointError::MissingRegion)?;
    if !is_host_label(region) {
        return Err(EndpointError::InvalidRegion {
            region: region.to_owned(),
        });
    }
    let partition = partition_of(region);
    let fips = if use_fips { "-fips" } else { "" };
    let suffix = if use_dual_stack {
        partition.dual_stack_dns_suffix
    } else {
        partition.dns_suffix
    };
    Ok(Endpoint {
        url: format!(
            "https://{}{fips}.{region}.{suffix}",
            service.endpoint_prefix()
        ),
        signing_region: Some(region.to_owned()),
        signing_name: SIGNING_NAME,
        source: EndpointSource::Rules {
            partition: partition.id,
        },
    })
}

/// Whether `region` can stand as one hostname label: 1 to 63 lowercase ASCII
/// letters, digits and inner hyphens. (The rule set itself does not check, but a
/// region outside this would make a broken or misleading hostname.)
fn is_host_label(region: &str) -> bool {
    (1..=63).contains(&region.len())
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !region.starts_with('-')
        && !region.ends_with('-')
}

/// A boolean variable as the SDKs read it: `true` / `false` in any case; unset
/// or blank is `false`.
fn flag(env: &Env, variable: &'static str) -> Result<bool, EndpointError> {
    match env.non_blank_var(variable) {
        None => Ok(false),
        Some(value) if value.eq_ignore_ascii_case("true") => Ok(true),
        Some(value) if value.eq_ignore_ascii_case("false") => Ok(false),
        Some(value) => Err(EndpointError::InvalidFlag {
            variable,
            value: value.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const RUNTIME: Service = Service::BedrockRuntime;

    fn env(vars: &[(&str, &str)]) -> Env {
        Env::from_vars(vars.iter().copied())
    }

    fn url(service: Service, settings: EndpointSettings<'_>, vars: &[(&str, &str)]) -> String {
        match resolve(service, &settings, &env(vars)) {
            Ok(endpoint) => endpoint.url,
            Err(error) => format!("error: {error}"),
        }
    }

    fn in_region(region: &str) -> EndpointSettings<'_> {
        EndpointSettings {
            region: Some(region),
            ..Default::default()
        }
    }

    #[test]
    fn overrides_in_sdk_order() {
        let all = EndpointSettings {
            region: Some("us-west-2"),
            endpoint_url: Some("https://explicit.example"),
            configured_url: Some("https://config.example"),
        };
        let service_var = (
            "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
            "https://runtime-env.example",
        );
        let control_var = ("AWS_ENDPOINT_URL_BEDROCK", "https://control-env.example");
        let global_var = ("AWS_ENDPOINT_URL", "https://global-env.example");
        let vars = [service_var, control_var, global_var];

        let endpoint = resolve(RUNTIME, &all, &env(&vars)).expect("resolves");
        assert_eq!(endpoint.url, "https://explicit.example");
        assert_eq!(endpoint.source, EndpointSource::Explicit);
        assert_eq!(endpoint.signing_region.as_deref(), Some("us-west-2"));
        assert_eq!(endpoint.signing_name, "bedrock");

        let no_explicit = EndpointSettings {
            endpoint_url: None,
            ..all
        };
        assert_eq!(
            url(RUNTIME, no_explicit, &vars),
            "https://runtime-env.example"
        );
        assert_eq!(
            url(Service::Bedrock, no_explicit, &vars),
            "https://control-env.example"
        );
        // The other service's variable does not count; the global one does.
        assert_eq!(
            url(RUNTIME, no_explicit, &[control_var, global_var]),
            "https://global-env.example"
        );
        assert_eq!(
            url(RUNTIME, no_explicit, &[control_var]),
            "https://config.example"
        );
        // Blank variables are unset.
        assert_eq!(
            url(
                RUNTIME,
                no_explicit,
                &[("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", " ")]
            ),
            "https://config.example"
        );
        let rules = resolve(RUNTIME, &in_region("us-west-2"), &env(&[])).expect("resolves");
        assert_eq!(rules.url, "https://bedrock-runtime.us-west-2.amazonaws.com");
        assert_eq!(rules.source, EndpointSource::Rules { partition: "aws" });
    }

    #[test]
    fn ignoring_configured_endpoints_keeps_the_explicit_one() {
        let ignore = ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE");
        let global = ("AWS_ENDPOINT_URL", "https://global-env.example");
        let configured = EndpointSettings {
            configured_url: Some("https://config.example"),
            ..in_region("eu-central-1")
        };
        assert_eq!(
            url(RUNTIME, configured, &[ignore, global]),
            "https://bedrock-runtime.eu-central-1.amazonaws.com"
        );
        let explicit = EndpointSettings {
            endpoint_url: Some("https://explicit.example"),
            ..configured
        };
        assert_eq!(
            url(RUNTIME, explicit, &[ignore, global]),
            "https://explicit.example"
        );
    }

    #[test]
    fn custom_endpoints_are_checked_and_named_in_errors() {
        let explicit = |endpoint| EndpointSettings {
            endpoint_url: Some(endpoint),
            ..in_region("us-east-1")
        };
        assert_eq!(
            url(RUNTIME, explicit("http://127.0.0.1:8080/"), &[]),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            url(RUNTIME, explicit("https://gw.example/prefix/"), &[]),
            "https://gw.example/prefix"
        );
        let refused = url(RUNTIME, explicit("http://gw.example"), &[]);
        assert!(
            refused.contains("--endpoint-url") && refused.contains("loopback"),
            "{refused}"
        );
        let refused = url(
            RUNTIME,
            in_region("us-east-1"),
            &[(
                "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
                "https://me:hunter2@gw.example",
            )],
        );
        assert!(
            refused.contains("AWS_ENDPOINT_URL_BEDROCK_RUNTIME"),
            "{refused}"
        );
        assert!(!refused.contains("hunter2"), "{refused}");
    }

    #[test]
    fn fips_or_dual_stack_with_a_custom_endpoint_is_an_error() {
        let global = ("AWS_ENDPOINT_URL", "https://gw.example");
        let fips = url(
            RUNTIME,
            in_region("us-east-1"),
            &[global, ("AWS_USE_FIPS_ENDPOINT", "true")],
        );
        assert!(
            fips.starts_with(
                "error: Invalid Configuration: FIPS and custom endpoint are not supported"
            ) && fips.contains("AWS_ENDPOINT_URL"),
            "{fips}"
        );
        let dual = url(
            RUNTIME,
            in_region("us-east-1"),
            &[global, ("AWS_USE_DUALSTACK_ENDPOINT", "True")],
        );
        assert!(
            dual.contains("Dualstack and custom endpoint are not supported"),
            "{dual}"
        );
        // `false` is fine.
        let off = url(
            RUNTIME,
            in_region("us-east-1"),
            &[global, ("AWS_USE_FIPS_ENDPOINT", "FALSE")],
        );
        assert_eq!(off, "https://gw.example");
    }

    #[test]
    fn flags_must_be_true_or_false() {
        let message = url(
            RUNTIME,
            in_region("us-east-1"),
            &[("AWS_USE_FIPS_ENDPOINT", "yes")],
        );
        assert!(
            message.contains("AWS_USE_FIPS_ENDPOINT") && message.contains("`yes`"),
            "{message}"
        );
        let both = [
            ("AWS_USE_FIPS_ENDPOINT", "true"),
            ("AWS_USE_DUALSTACK_ENDPOINT", "true"),
        ];
        assert_eq!(
            url(Service::Bedrock, in_region("us-gov-west-1"), &both),
            "https://bedrock-fips.us-gov-west-1.api.aws"
        );
    }

    #[test]
    fn regions_are_required_and_must_be_host_labels() {
        assert!(url(RUNTIME, EndpointSettings::default(), &[]).contains("Missing Region"));
        assert!(url(RUNTIME, in_region(""), &[]).contains("Missing Region"));
        let message = EndpointError::MissingRegion.to_string();
        for setting in ["--region", "AWS_REGION", "config file's `region`"] {
            assert!(message.contains(setting), "{message}");
        }
        for bad in [
            "US-EAST-1",
            "us-east-1.evil.com/",
            "-us",
            "us east",
            "a".repeat(64).as_str(),
        ] {
            assert!(
                url(RUNTIME, in_region(bad), &[]).contains("invalid region"),
                "{bad}"
            );
        }
        // A custom endpoint needs no region (the rule set allows it), but has none to sign with.
        let endpoint = resolve(
            RUNTIME,
            &EndpointSettings {
                endpoint_url: Some("https://gw.example"),
                ..Default::default()
            },
            &env(&[]),
        )
        .expect("resolves");
        assert_eq!(endpoint.signing_region, None);
    }

    proptest! {
        #[test]
        fn no_region_panics_and_good_ones_make_https_hosts(region in any::<String>(), fips: bool, dual: bool) {
            let vars = [
                ("AWS_USE_FIPS_ENDPOINT", if fips { "true" } else { "false" }),
                ("AWS_USE_DUALSTACK_ENDPOINT", if dual { "true" } else { "false" }),
            ];
            if let Ok(endpoint) = resolve(RUNTIME, &in_region(&region), &env(&vars)) {
                let host = endpoint.url.strip_prefix("https://bedrock-runtime").expect("rule-set URL");
                prop_assert_eq!(host.starts_with("-fips."), fips);
                let label = format!(".{region}.");
                prop_assert!(host.contains(&label));
                prop_assert!(crate::http::HttpUrl::parse(&endpoint.url).is_ok());
            }
        }

        #[test]
        fn region_like_strings_resolve(region in "[a-z]{2,4}(-[a-z]{2,9}){1,2}-[0-9]{1,2}") {
            let endpoint = resolve(RUNTIME, &in_region(&region), &env(&[])).expect("valid label");
            prop_assert_eq!(endpoint.signing_region.as_deref(), Some(region.as_str()));
        }
    }
}
