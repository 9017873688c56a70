//! The shared config and credentials files: locations, parsing, profile resolution.
//!
//! * [`location`]: where the two files are.
//! * [`ProfileSet`]: both files parsed and merged with the AWS SDK rules.
//! * [`SharedConfig`]: the merged files plus the selected profile (`--profile`,
//!   then `AWS_PROFILE`, then `default`), with the settings other modules read
//!   from it (region, IMDS endpoint, endpoint overrides).
//! * [`CredentialPlan`]: how the selected profile produces credentials
//!   (static keys, a chain of roles, `credential_process`, SSO, web identity).

pub mod location;

mod endpoints;
mod execute;
mod parse;
mod profile_set;
mod resolve;
mod section;

pub(crate) use execute::{fetch, Sources};
pub use location::ProfileFileLocations;
pub use parse::ProfileParseError;
pub use profile_set::{ProfileSet, SourceFile};
pub use resolve::{BaseSource, CredentialPlan, NamedSource, RoleToAssume, SsoSettings};
pub use section::{Origin, Property, Section};

use std::io;
use std::path::Path;

use super::CredentialsError;
use crate::env::Env;

const SOURCE: &str = "profile";

/// The profile used when neither `--profile` nor `AWS_PROFILE` names one.
pub const DEFAULT_PROFILE: &str = "default";

/// The shared files as loaded for one resolution, and the selected profile.
#[derive(Clone, Debug)]
pub struct SharedConfig {
    profiles: ProfileSet,
    selected: String,
    locations: ProfileFileLocations,
}

impl SharedConfig {
    /// Reads and parses both files; `profile_override` (e.g. `--profile`) wins
    /// over `AWS_PROFILE`. A missing file counts as empty.
    ///
    /// Errors: a malformed line or an unreadable file, as
    /// [`CredentialsError::InvalidConfig`] naming the file and line.
    pub fn load(env: &Env, profile_override: Option<&str>) -> Result<Self, CredentialsError> {
        let locations = ProfileFileLocations::from_env(env);
        let config = read_optional(env, &locations.config)?;
        let credentials = read_optional(env, &locations.credentials)?;
        let config_path = locations.config.display().to_string();
        let credentials_path = locations.credentials.display().to_string();
        let profiles = ProfileSet::parse(
            SourceFile {
                path: &config_path,
                contents: &config,
            },
            SourceFile {
                path: &credentials_path,
                contents: &credentials,
            },
        )
        .map_err(|e| CredentialsError::InvalidConfig {
            source: SOURCE,
            message: e.to_string(),
        })?;
        Ok(SharedConfig {
            profiles,
            selected: selected_profile_name(env, profile_override),
            locations,
        })
    }

    /// Wraps already-parsed files (for tests and for callers that parse themselves).
    pub fn new(
        profiles: ProfileSet,
        selected: impl Into<String>,
        locations: ProfileFileLocations,
    ) -> Self {
        SharedConfig {
            profiles,
            selected: selected.into(),
            locations,
        }
    }

    /// Every profile, SSO session and services section.
    pub fn profile_set(&self) -> &ProfileSet {
        &self.profiles
    }

    /// The selected profile's name.
    pub fn selected_name(&self) -> &str {
        &self.selected
    }

    /// The selected profile, if it is defined.
    pub fn selected(&self) -> Option<&Section> {
        self.profiles.profile(&self.selected)
    }

    /// Where the files were read from.
    pub fn locations(&self) -> &ProfileFileLocations {
        &self.locations
    }

    /// A setting of the selected profile, trimmed; `None` when unset or blank.
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.selected()?.non_blank(key)
    }

    /// The selected profile's `region`.
    pub fn region(&self) -> Option<&str> {
        self.setting("region")
    }

    /// The selected profile's `ec2_metadata_service_endpoint`.
    pub fn ec2_metadata_service_endpoint(&self) -> Option<&str> {
        self.setting("ec2_metadata_service_endpoint")
    }

    /// The selected profile's `ec2_metadata_service_endpoint_mode` (`IPv4` or `IPv6`).
    pub fn ec2_metadata_service_endpoint_mode(&self) -> Option<&str> {
        self.setting("ec2_metadata_service_endpoint_mode")
    }

    /// "`/home/me/.aws/config` or `/home/me/.aws/credentials`", for messages.
    fn files_description(&self) -> String {
        format!(
            "{} or {}",
            self.locations.config.display(),
            self.locations.credentials.display()
        )
    }
}

/// The profile to use: `profile_override`, then `AWS_PROFILE`, then `default`
/// (blank values count as unset).
pub fn selected_profile_name(env: &Env, profile_override: Option<&str>) -> String {
    profile_override
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .or_else(|| env.non_blank_var("AWS_PROFILE"))
        .unwrap_or(DEFAULT_PROFILE)
        .to_owned()
}

/// The file's text, or empty when it does not exist.
fn read_optional(env: &Env, path: &Path) -> Result<String, CredentialsError> {
    match env.read_to_string(path) {
        Ok(text) => Ok(text),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(CredentialsError::InvalidConfig {
            source: SOURCE,
            message: if e.kind() == io::ErrorKind::InvalidData {
                format!("{} is not valid UTF-8", path.display())
            } else {
                format!("cannot read {}: {e}", path.display())
            },
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_order() {
        let env = Env::from_vars([("AWS_PROFILE", "from-env")]);
        assert_eq!(selected_profile_name(&env, Some("flag")), "flag");
        assert_eq!(selected_profile_name(&env, Some(" ")), "from-env");
        assert_eq!(selected_profile_name(&env, None), "from-env");
        let blank = Env::from_vars([("AWS_PROFILE", "  ")]);
        assert_eq!(selected_profile_name(&blank, None), "default");
    }

    #[test]
    fn missing_files_are_empty_and_malformed_ones_name_file_and_line() {
        let root =
            std::env::temp_dir().join(format!("bedrock-lite-profile-{}", std::process::id()));
        let aws = root.join("home/.aws");
        std::fs::create_dir_all(&aws).expect("mkdir");
        let env = Env::from_vars([("HOME", "/home")]).with_fs_root(&root);
        let empty = SharedConfig::load(&env, None).expect("no files is fine");
        assert!(empty.profile_set().is_empty());

        std::fs::write(
            aws.join("config"),
            "[default]\nregion = eu-west-1\n[profile broken\n",
        )
        .expect("write");
        let err = SharedConfig::load(&env, None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "profile: invalid configuration: /home/.aws/config line 3: Profile definition must end with ']'"
        );

        std::fs::write(aws.join("config"), b"[default]\nregion = \xff\n").expect("write");
        let err = SharedConfig::load(&env, None).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("/home/.aws/config is not valid UTF-8"),
            "{err}"
        );

        std::fs::write(aws.join("config"), "[default]\nregion = eu-west-1\n").expect("write");
        let loaded = SharedConfig::load(&env, None).expect("loads");
        assert_eq!(loaded.region(), Some("eu-west-1"));
        std::fs::remove_dir_all(&root).expect("cleanup");
    }
}
