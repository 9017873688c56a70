//! [`ProfileSet`]: the config and credentials files parsed, validated and merged
//! with the AWS SDK rules.
//!
//! * Config file: `[default]` or `[profile NAME]` are profiles; `[sso-session NAME]`
//!   and `[services NAME]` are their own kinds; a bare `[NAME]` (other than
//!   `default`) is ignored. If the file has a `[profile default]`, every bare
//!   `[default]` in it is ignored entirely.
//! * Credentials file: only bare `[NAME]` sections; `[profile NAME]` is ignored.
//! * Names and keys must match `[A-Za-z0-9_\-/.%@:+]+`; others are dropped with
//!   a warning (see [`ProfileSet::warnings`]), not refused.
//! * Duplicate sections merge; a repeated key keeps its last value; the
//!   credentials file is merged last, so its values win.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use super::parse::{parse_file, ProfileParseError, RawSection, WHITESPACE};
use super::section::{Origin, Property, Section};

/// The text of one shared file, and the path to name in messages.
#[derive(Clone, Copy, Debug)]
pub struct SourceFile<'a> {
    /// The path as the user would name it (shown in errors and warnings).
    pub path: &'a str,
    /// The file's text (empty when the file does not exist).
    pub contents: &'a str,
}

/// Which of the two shared files a text came from: their section rules differ.
#[derive(Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Config,
    Credentials,
}

/// Profiles, SSO sessions and `[services]` sections merged from both files.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ProfileSet {
    profiles: BTreeMap<String, Section>,
    sso_sessions: BTreeMap<String, Section>,
    services: BTreeMap<String, Section>,
    warnings: Vec<String>,
}

impl ProfileSet {
    /// Parses and merges the config file and the credentials file.
    ///
    /// ```
    /// use bedrock_lite::credentials::profile::{ProfileSet, SourceFile};
    /// let set = ProfileSet::parse(
    ///     SourceFile { path: "~/.aws/config", contents: "[profile dev]\nregion = eu-west-1" },
    ///     SourceFile { path: "~/.aws/credentials", contents: "[dev]\nregion = us-east-2" },
    /// )?;
    /// assert_eq!(set.profile("dev").and_then(|p| p.get("region")), Some("us-east-2"));
    /// # Ok::<(), bedrock_lite::credentials::profile::ProfileParseError>(())
    /// ```
    pub fn parse(
        config: SourceFile<'_>,
        credentials: SourceFile<'_>,
    ) -> Result<Self, ProfileParseError> {
        let mut set = ProfileSet::default();
        for (kind, source) in [
            (FileKind::Config, config),
            (FileKind::Credentials, credentials),
        ] {
            let file: Arc<str> = Arc::from(source.path);
            let sections = parse_file(&file, source.contents)?;
            set.merge_file(kind, &file, sections);
        }
        Ok(set)
    }

    /// The profile called `name`.
    pub fn profile(&self, name: &str) -> Option<&Section> {
        self.profiles.get(name)
    }

    /// Every profile, sorted by name.
    pub fn profiles(&self) -> impl Iterator<Item = &Section> {
        self.profiles.values()
    }

    /// The `[sso-session NAME]` section called `name`.
    pub fn sso_session(&self, name: &str) -> Option<&Section> {
        self.sso_sessions.get(name)
    }

    /// Every `[sso-session NAME]` section, sorted by name.
    pub fn sso_sessions(&self) -> impl Iterator<Item = &Section> {
        self.sso_sessions.values()
    }

    /// The `[services NAME]` section called `name`.
    pub fn services(&self, name: &str) -> Option<&Section> {
        self.services.get(name)
    }

    /// Whether no profile is defined at all.
    pub fn is_empty(&self) -> bool {
        self.profiles.is_empty()
    }

    /// What was ignored, one line each (`~/.aws/config line 3: ...`).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    fn merge_file(&mut self, kind: FileKind, file: &Arc<str>, sections: Vec<RawSection<'_>>) {
        let targets: Vec<Result<Target, String>> = sections
            .iter()
            .map(|section| Target::classify(kind, section.header))
            .collect();
        let has_prefixed_default = targets.iter().any(
            |t| matches!(t, Ok(Target::Profile { name, prefixed: true }) if name == "default"),
        );
        for (section, target) in sections.into_iter().zip(targets) {
            let at = format!("{file} line {}", section.line);
            let (name, map) = match target {
                Err(why) => {
                    self.warnings.push(format!("{at}: section ignored: {why}"));
                    continue;
                }
                Ok(Target::Profile { name, prefixed }) => {
                    if has_prefixed_default && name == "default" && !prefixed {
                        self.warnings.push(format!(
                            "{at}: section [default] ignored: [profile default] takes priority"
                        ));
                        continue;
                    }
                    (name, &mut self.profiles)
                }
                Ok(Target::SsoSession(name)) => (name, &mut self.sso_sessions),
                Ok(Target::Services(name)) => (name, &mut self.services),
            };
            let merged = map
                .entry(name.clone())
                .or_insert_with(|| Section::new(name));
            for property in section.properties {
                if !is_valid_name(&property.key) {
                    self.warnings.push(format!(
                        "{file} line {}: key {:?} ignored: not a valid name",
                        property.line, property.key
                    ));
                    continue;
                }
                let origin = Origin {
                    file: Arc::clone(file),
                    line: property.line,
                };
                merged.insert(
                    property.key,
                    Property {
                        value: property.value,
                        origin,
                    },
                );
            }
        }
    }
}

impl fmt::Debug for ProfileSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProfileSet")
            .field("profiles", &self.profiles.values().collect::<Vec<_>>())
            .field(
                "sso_sessions",
                &self.sso_sessions.values().collect::<Vec<_>>(),
            )
            .field("services", &self.services.values().collect::<Vec<_>>())
            .field("warnings", &self.warnings)
            .finish()
    }
}

/// Where a section's properties go.
enum Target {
    /// A profile; `prefixed` for `[profile NAME]` as opposed to a bare `[NAME]`.
    Profile {
        name: String,
        prefixed: bool,
    },
    SsoSession(String),
    Services(String),
}

impl Target {
    /// Decides what the section header `header` is in a file of `kind`, or why it is ignored.
    fn classify(kind: FileKind, header: &str) -> Result<Target, String> {
        let header = header.trim_matches(WHITESPACE);
        let (prefix, name) = match header.split_once(WHITESPACE) {
            Some((prefix, name)) => (Some(prefix.trim()), name.trim()),
            None => (None, header.trim()),
        };
        match (kind, prefix) {
            (FileKind::Config, Some(prefix)) => {
                if !is_valid_name(name) {
                    return Err(format!("{name:?} is not a valid name"));
                }
                let name = name.to_owned();
                match prefix {
                    "profile" => Ok(Target::Profile {
                        name,
                        prefixed: true,
                    }),
                    "sso-session" => Ok(Target::SsoSession(name)),
                    "services" => Ok(Target::Services(name)),
                    other => Err(format!("unknown section type {other:?}")),
                }
            }
            (FileKind::Config, None) if name == "default" => Ok(Target::Profile {
                name: name.to_owned(),
                prefixed: false,
            }),
            (FileKind::Config, None) => Err(format!(
                "[{name}]: profiles in the config file need a prefix, as in [profile {name}]"
            )),
            (FileKind::Credentials, Some("profile")) => Err(format!(
                "[profile {name}]: profiles in the credentials file take no `profile` prefix"
            )),
            (FileKind::Credentials, Some(prefix)) => Err(format!(
                "[{prefix} {name}] belongs in the config file, not the credentials file"
            )),
            (FileKind::Credentials, None) if is_valid_name(name) => Ok(Target::Profile {
                name: name.to_owned(),
                prefixed: false,
            }),
            (FileKind::Credentials, None) => Err(format!("{name:?} is not a valid name")),
        }
    }
}

/// Whether `name` matches `[A-Za-z0-9_\-/.%@:+]+`.
fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-/.%@:+".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(config: &str, credentials: &str) -> ProfileSet {
        ProfileSet::parse(
            SourceFile {
                path: "config",
                contents: config,
            },
            SourceFile {
                path: "credentials",
                contents: credentials,
            },
        )
        .expect("parses")
    }

    #[test]
    fn valid_names() {
        assert!(is_valid_name("some-thing:long/the_one%only.foo@bar+"));
        assert!(!is_valid_name("foo!bar"));
        assert!(!is_valid_name("in valid"));
        assert!(!is_valid_name(""));
    }

    #[test]
    fn ignored_sections_and_keys_are_warned_about_with_their_line() {
        let set = parse(
            "[profile ok]\nin valid = 1\n[nope]\n[sso-sesion x]",
            "[profile p]",
        );
        assert_eq!(
            set.warnings(),
            [
                "config line 2: key \"in valid\" ignored: not a valid name",
                "config line 3: section ignored: [nope]: profiles in the config file need a prefix, as in [profile nope]",
                "config line 4: section ignored: unknown section type \"sso-sesion\"",
                "credentials line 1: section ignored: [profile p]: profiles in the credentials file take no `profile` prefix",
            ]
        );
        assert!(set.profile("ok").is_some_and(Section::is_empty));
    }

    #[test]
    fn services_sections_keep_sub_properties() {
        let set = parse("[services s]\nsts =\n  endpoint_url = http://x:1/a=b\n", "");
        let services = set.services("s").expect("services section");
        assert_eq!(
            services.sub_properties("sts"),
            [("endpoint_url", "http://x:1/a=b")]
        );
    }

    #[test]
    fn origin_is_the_last_definition() {
        let set = parse("[default]\nregion = a", "[default]\n\nregion = b");
        let property = set
            .profile("default")
            .and_then(|p| p.property("region"))
            .expect("region");
        assert_eq!(property.value, "b");
        assert_eq!(property.origin.to_string(), "credentials line 3");
    }

    #[test]
    fn debug_never_shows_values() {
        let set = parse("[default]\naws_secret_access_key = hunter2", "");
        assert!(!format!("{set:?}").contains("hunter2"));
        assert!(format!("{set:?}").contains("aws_secret_access_key"));
    }
}
