//! Endpoint settings from the environment and the selected profile: configured
//! endpoint URLs (`AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, the
//! profile's `[services]` section, its `endpoint_url`), FIPS and dual-stack,
//! and `sts_regional_endpoints`, so that the STS calls of a profile go where the
//! AWS SDKs would send them.

use super::SharedConfig;
use crate::credentials::{sts, CredentialsError};
use crate::env::Env;

/// The one STS endpoint of the `aws` partition that serves every region.
const STS_GLOBAL_ENDPOINT: &str = "https://sts.amazonaws.com";

/// Regions where `sts_regional_endpoints = legacy` means the global STS endpoint.
const STS_LEGACY_GLOBAL_REGIONS: &[&str] = &[
    "ap-northeast-1",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "aws-global",
    "ca-central-1",
    "eu-central-1",
    "eu-north-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

impl SharedConfig {
    /// The endpoint URL configured for one service, in the AWS SDK order (a
    /// service-specific setting beats a global one, and the environment beats
    /// the file): `AWS_ENDPOINT_URL_<env_suffix>`, then in the selected profile's
    /// `services` section `<services_key> =` / `endpoint_url = ...`, then
    /// `AWS_ENDPOINT_URL`, then the profile's `endpoint_url`. None of them counts when
    /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` (or the profile's
    /// `ignore_configured_endpoint_urls`) is `true`.
    ///
    /// `env_suffix` is e.g. `STS` or `BEDROCK_RUNTIME`; `services_key` e.g. `sts`
    /// or `bedrock_runtime`.
    pub fn configured_endpoint_url(
        &self,
        env: &Env,
        env_suffix: &str,
        services_key: &str,
    ) -> Option<String> {
        if self.flag(
            env,
            "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
            "ignore_configured_endpoint_urls",
        ) {
            return None;
        }
        let from_services_section = || {
            let section = self.profile_set().services(self.setting("services")?)?;
            section
                .sub_properties(services_key)
                .into_iter()
                .find(|(key, value)| key.eq_ignore_ascii_case("endpoint_url") && !value.is_empty())
                .map(|(_, value)| value)
        };
        env.non_blank_var(&format!("AWS_ENDPOINT_URL_{env_suffix}"))
            .or_else(from_services_section)
            .or_else(|| env.non_blank_var("AWS_ENDPOINT_URL"))
            .or_else(|| self.setting("endpoint_url"))
            .map(str::to_owned)
    }

    /// Whether FIPS endpoints are asked for (`AWS_USE_FIPS_ENDPOINT`, else the
    /// profile's `use_fips_endpoint`).
    pub fn use_fips_endpoint(&self, env: &Env) -> bool {
        self.flag(env, "AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint")
    }

    /// Whether dual-stack endpoints are asked for (`AWS_USE_DUALSTACK_ENDPOINT`,
    /// else the profile's `use_dualstack_endpoint`).
    pub fn use_dualstack_endpoint(&self, env: &Env) -> bool {
        self.flag(env, "AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint")
    }

    /// The STS endpoint for `region` when it differs from the default
    /// `https://sts.<region>.amazonaws.com`: a configured URL
    /// ([`SharedConfig::configured_endpoint_url`]), the FIPS or dual-stack host
    /// ([`sts::default_endpoint`]), or the global endpoint for
    /// `sts_regional_endpoints = legacy` (env `AWS_STS_REGIONAL_ENDPOINTS`).
    ///
    /// Errors: FIPS or dual-stack asked for with a region that is not valid.
    ///
    /// ```
    /// use bedrock_lite::credentials::{profile::*};
    /// use bedrock_lite::env::Env;
    /// let files = ProfileSet::parse(
    ///     SourceFile { path: "config", contents: "[default]\nuse_fips_endpoint = true" },
    ///     SourceFile { path: "credentials", contents: "" },
    /// )?;
    /// let locations = ProfileFileLocations { config: "config".into(), credentials: "credentials".into() };
    /// let config = SharedConfig::new(files, "default", locations);
    /// let env = Env::from_vars([("AWS_USE_DUALSTACK_ENDPOINT", "true")]);
    /// let endpoint = config.sts_endpoint(&env, "us-east-1").expect("a valid region");
    /// assert_eq!(endpoint.as_deref(), Some("https://sts-fips.us-east-1.api.aws"));
    /// # Ok::<(), ProfileParseError>(())
    /// ```
    pub fn sts_endpoint(
        &self,
        env: &Env,
        region: &str,
    ) -> Result<Option<String>, CredentialsError> {
        if let Some(url) = self.configured_endpoint_url(env, "STS", "sts") {
            return Ok(Some(url));
        }
        let fips = self.use_fips_endpoint(env);
        let dualstack = self.use_dualstack_endpoint(env);
        if fips || dualstack {
            return sts::default_endpoint(region, fips, dualstack).map(Some);
        }
        let legacy = env
            .non_blank_var("AWS_STS_REGIONAL_ENDPOINTS")
            .or_else(|| self.setting("sts_regional_endpoints"))
            .is_some_and(|mode| mode.eq_ignore_ascii_case("legacy"));
        Ok((legacy && STS_LEGACY_GLOBAL_REGIONS.contains(&region))
            .then(|| STS_GLOBAL_ENDPOINT.to_owned()))
    }

    /// A boolean setting: the variable if set, else the profile key; `true` in any case means true.
    fn flag(&self, env: &Env, variable: &str, key: &str) -> bool {
        env.non_blank_var(variable)
            .or_else(|| self.setting(key))
            .is_some_and(|value| value.eq_ignore_ascii_case("true"))
    }
}

#[cfg(test)]
mod tests {
    use super::super::{ProfileFileLocations, ProfileSet, SourceFile};
    use super::*;

    fn config(text: &str) -> SharedConfig {
        let files = ProfileSet::parse(
            SourceFile {
                path: "config",
                contents: text,
            },
            SourceFile {
                path: "credentials",
                contents: "",
            },
        )
        .expect("parses");
        let locations = ProfileFileLocations {
            config: "config".into(),
            credentials: "credentials".into(),
        };
        SharedConfig::new(files, "default", locations)
    }

    const SERVICES: &str = "[default]\nendpoint_url = http://profile-global\nservices = s\n\
                            [services s]\nsts =\n  endpoint_url = http://profile-sts\n";

    #[test]
    fn endpoint_url_precedence() {
        let files = config(SERVICES);
        let sts = |vars: &[(&str, &str)]| {
            files.configured_endpoint_url(&Env::from_vars(vars.iter().copied()), "STS", "sts")
        };
        assert_eq!(sts(&[]).as_deref(), Some("http://profile-sts"));
        assert_eq!(
            sts(&[("AWS_ENDPOINT_URL", "http://env-global")]).as_deref(),
            Some("http://profile-sts")
        );
        assert_eq!(
            sts(&[
                ("AWS_ENDPOINT_URL", "http://env-global"),
                ("AWS_ENDPOINT_URL_STS", "http://env-sts")
            ])
            .as_deref(),
            Some("http://env-sts")
        );
        assert_eq!(
            sts(&[("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE")]),
            None
        );
        let other = |vars: &[(&str, &str)]| {
            files.configured_endpoint_url(
                &Env::from_vars(vars.iter().copied()),
                "BEDROCK",
                "bedrock",
            )
        };
        assert_eq!(other(&[]).as_deref(), Some("http://profile-global"));
        assert_eq!(
            other(&[("AWS_ENDPOINT_URL", "http://env-global")]).as_deref(),
            Some("http://env-global")
        );
    }

    #[test]
    fn sts_endpoint_variants() {
        let env = |vars: &[(&str, &str)]| Env::from_vars(vars.iter().copied());
        let sts = |files: &SharedConfig, vars: &[(&str, &str)], region: &str| {
            files
                .sts_endpoint(&env(vars), region)
                .expect("valid region")
        };
        let plain = config("[default]\nregion = us-east-1");
        assert_eq!(sts(&plain, &[], "us-east-1"), None);
        assert_eq!(
            sts(&plain, &[("AWS_USE_FIPS_ENDPOINT", "true")], "us-west-2").as_deref(),
            Some("https://sts-fips.us-west-2.amazonaws.com")
        );
        assert!(plain
            .sts_endpoint(
                &env(&[("AWS_USE_DUALSTACK_ENDPOINT", "true")]),
                "not a region"
            )
            .is_err());
        let legacy = config("[default]\nsts_regional_endpoints = legacy");
        assert_eq!(
            sts(&legacy, &[], "eu-west-1").as_deref(),
            Some("https://sts.amazonaws.com")
        );
        assert_eq!(sts(&legacy, &[], "ap-east-1"), None);
        assert_eq!(
            sts(
                &legacy,
                &[("AWS_STS_REGIONAL_ENDPOINTS", "regional")],
                "eu-west-1"
            ),
            None
        );
        // The profile's FIPS setting, and a configured URL winning over it.
        let fips = config("[default]\nuse_fips_endpoint = true\n");
        assert_eq!(
            sts(&fips, &[], "us-east-1").as_deref(),
            Some("https://sts-fips.us-east-1.amazonaws.com")
        );
        assert_eq!(
            sts(&fips, &[("AWS_USE_FIPS_ENDPOINT", "false")], "us-east-1"),
            None
        );
        let both = config("[default]\nuse_fips_endpoint = true\nendpoint_url = http://mine\n");
        assert_eq!(sts(&both, &[], "us-east-1").as_deref(), Some("http://mine"));
    }
}
