//! The region chain: an explicit region (`--region`), `AWS_REGION`,
//! `AWS_DEFAULT_REGION`, the selected profile's `region`, then `us-east-1`.
//! Blank values count as unset. The answer says which source gave it.

use std::fmt;

use super::profile::SharedConfig;
use super::CredentialsError;
use crate::env::Env;

/// The region used when nothing names one.
pub const DEFAULT_REGION: &str = "us-east-1";

/// Where the region came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegionSource {
    /// Given in code or on the command line.
    Explicit,
    /// `AWS_REGION`.
    AwsRegion,
    /// `AWS_DEFAULT_REGION`.
    AwsDefaultRegion,
    /// The `region` key of this profile.
    Profile(String),
    /// Nothing named one: [`DEFAULT_REGION`].
    Default,
}

impl fmt::Display for RegionSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegionSource::Explicit => f.write_str("explicit"),
            RegionSource::AwsRegion => f.write_str("env:AWS_REGION"),
            RegionSource::AwsDefaultRegion => f.write_str("env:AWS_DEFAULT_REGION"),
            RegionSource::Profile(name) => write!(f, "profile:{name}"),
            RegionSource::Default => f.write_str("default"),
        }
    }
}

/// A region and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedRegion {
    /// The region, e.g. `eu-west-1`.
    pub region: String,
    /// Which source gave it.
    pub source: RegionSource,
}

/// Resolves the region, reading the shared files only if neither `explicit`
/// nor the environment names one.
///
/// ```
/// use bedrock_lite::credentials::{region};
/// use bedrock_lite::env::Env;
/// let env = Env::from_vars([("AWS_REGION", " "), ("AWS_DEFAULT_REGION", "eu-west-3")]);
/// let found = region::resolve(None, &env, None)?;
/// assert_eq!(found.region, "eu-west-3");
/// assert_eq!(found.source, region::RegionSource::AwsDefaultRegion);
/// # Ok::<(), bedrock_lite::credentials::CredentialsError>(())
/// ```
pub fn resolve(
    explicit: Option<&str>,
    env: &Env,
    profile_override: Option<&str>,
) -> Result<ResolvedRegion, CredentialsError> {
    if let Some(found) = from_explicit_or_env(explicit, env) {
        return Ok(found);
    }
    let config = SharedConfig::load(env, profile_override)?;
    Ok(from_profile_or_default(&config))
}

/// Resolves the region with shared files already loaded.
pub fn resolve_with(explicit: Option<&str>, env: &Env, config: &SharedConfig) -> ResolvedRegion {
    from_explicit_or_env(explicit, env).unwrap_or_else(|| from_profile_or_default(config))
}

fn from_explicit_or_env(explicit: Option<&str>, env: &Env) -> Option<ResolvedRegion> {
    let found = |region: &str, source| ResolvedRegion {
        region: region.to_owned(),
        source,
    };
    if let Some(region) = explicit.map(str::trim).filter(|r| !r.is_empty()) {
        return Some(found(region, RegionSource::Explicit));
    }
    if let Some(region) = env.non_blank_var("AWS_REGION") {
        return Some(found(region, RegionSource::AwsRegion));
    }
    env.non_blank_var("AWS_DEFAULT_REGION")
        .map(|region| found(region, RegionSource::AwsDefaultRegion))
}

fn from_profile_or_default(config: &SharedConfig) -> ResolvedRegion {
    match config.region() {
        Some(region) => ResolvedRegion {
            region: region.to_owned(),
            source: RegionSource::Profile(config.selected_name().to_owned()),
        },
        None => ResolvedRegion {
            region: DEFAULT_REGION.to_owned(),
            source: RegionSource::Default,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::profile::{ProfileFileLocations, ProfileSet, SourceFile};
    use proptest::prelude::*;

    fn config(text: &str, selected: &str) -> SharedConfig {
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
        SharedConfig::new(files, selected, locations)
    }

    const FILES: &str = "[default]\nregion = eu-central-1\n[profile dev]\nregion = ap-south-1\n[profile blank]\nregion =\n";

    #[test]
    fn profile_region_of_the_selected_profile() {
        let env = Env::from_vars([("HOME", "/nowhere")]);
        let dev = resolve_with(None, &env, &config(FILES, "dev"));
        assert_eq!(dev.region, "ap-south-1");
        assert_eq!(dev.source, RegionSource::Profile("dev".into()));
        assert_eq!(dev.source.to_string(), "profile:dev");
        let blank = resolve_with(None, &env, &config(FILES, "blank"));
        assert_eq!(
            (blank.region.as_str(), blank.source),
            ("us-east-1", RegionSource::Default)
        );
        let missing = resolve_with(None, &env, &config(FILES, "nope"));
        assert_eq!(missing.source, RegionSource::Default);
    }

    #[test]
    fn files_are_read_only_when_env_does_not_answer() {
        // A directory as the config file cannot be read: only matters if it is read.
        let mut env = Env::from_vars([("AWS_CONFIG_FILE", "/")]);
        assert!(matches!(
            resolve(None, &env, None),
            Err(CredentialsError::InvalidConfig { .. })
        ));
        env.set_var("AWS_REGION", "sa-east-1");
        let found = resolve(Some(" "), &env, None).expect("env answers");
        assert_eq!(
            (found.region.as_str(), found.source),
            ("sa-east-1", RegionSource::AwsRegion)
        );
        let explicit = resolve(Some("eu-north-1"), &env, None).expect("flag answers");
        assert_eq!(explicit.source, RegionSource::Explicit);
    }

    proptest! {
        /// The first non-blank source in chain order wins.
        #[test]
        fn first_non_blank_wins(
            explicit in proptest::option::of("( |[a-z]{2}-[a-z]{4}-[1-9])"),
            aws_region in proptest::option::of("( |[a-z]{2}-[a-z]{4}-[1-9])"),
            default_region in proptest::option::of("( |[a-z]{2}-[a-z]{4}-[1-9])"),
            profile_region in proptest::option::of("[a-z]{2}-[a-z]{4}-[1-9]"),
        ) {
            let mut env = Env::from_vars([("HOME", "/nowhere")]);
            if let Some(v) = &aws_region { env.set_var("AWS_REGION", v.clone()); }
            if let Some(v) = &default_region { env.set_var("AWS_DEFAULT_REGION", v.clone()); }
            let text = profile_region.as_ref().map(|r| format!("[default]\nregion = {r}")).unwrap_or_default();
            let found = resolve_with(explicit.as_deref(), &env, &config(&text, "default"));
            let candidates = [
                (explicit.clone(), RegionSource::Explicit),
                (aws_region.clone(), RegionSource::AwsRegion),
                (default_region.clone(), RegionSource::AwsDefaultRegion),
                (profile_region.clone(), RegionSource::Profile("default".into())),
            ];
            let expected = candidates
                .into_iter()
                .find_map(|(v, source)| v.filter(|v| !v.trim().is_empty()).map(|v| (v, source)))
                .unwrap_or_else(|| (DEFAULT_REGION.to_owned(), RegionSource::Default));
            prop_assert_eq!((found.region, found.source), expected);
        }
    }
}
