//! Turns the selected profile into a [`CredentialPlan`]: a base source, then
//! the roles to assume with it, as the AWS SDKs do (`repr.rs` in aws-config).
//!
//! The walk starts at the selected profile:
//! * a profile with `role_arn` (and no `web_identity_token_file`) adds a role
//!   and needs exactly one of `source_profile` (walk on to that profile; naming
//!   itself means "my own keys") or `credential_source` (`Environment`,
//!   `Ec2InstanceMetadata`, `EcsContainer`);
//! * in any profile after the first, complete static keys end the walk;
//! * otherwise the profile is the base, checked in this order:
//!   `credential_source`, `web_identity_token_file` (+ `role_arn`), SSO,
//!   `credential_process`, static keys.
//!
//! Not configured (the chain moves on): no profiles at all, the selected or a
//! source profile not defined, or a selected profile without any credential
//! key. Anything else that is wrong stops the chain as
//! [`CredentialsError::InvalidConfig`] naming the profile, key, file and line.
//! Blank values count as unset.

use std::fmt;
use std::path::PathBuf;

use super::{Section, SharedConfig, SOURCE};
use crate::credentials::{Credentials, CredentialsError, Secret};

/// How the selected profile produces credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialPlan {
    /// The selected profile's name.
    pub profile: String,
    /// Where the first credentials come from.
    pub base: BaseSource,
    /// Roles to assume in turn, each with the credentials of the step before.
    pub roles: Vec<RoleToAssume>,
}

impl CredentialPlan {
    /// How the plan gets credentials, for [`crate::credentials::CredentialSource::Profile`].
    pub fn via(&self) -> &'static str {
        if !self.roles.is_empty() {
            return "assume role";
        }
        match self.base {
            BaseSource::StaticKeys { .. } => "static keys",
            BaseSource::Named { .. } => "credential_source",
            BaseSource::WebIdentity { .. } => "web identity",
            BaseSource::Sso { .. } => "sso",
            BaseSource::Process { .. } => "credential_process",
        }
    }
}

/// The start of a [`CredentialPlan`]; `profile` is the profile that defines it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BaseSource {
    /// `aws_access_key_id` + `aws_secret_access_key` (+ `aws_session_token`, `aws_account_id`).
    StaticKeys {
        /// The profile holding the keys.
        profile: String,
        /// The keys.
        credentials: Credentials,
    },
    /// `credential_source = ...`: a source of the default chain.
    Named {
        /// The profile naming the source.
        profile: String,
        /// Which source.
        source: NamedSource,
    },
    /// `role_arn` + `web_identity_token_file`.
    WebIdentity {
        /// The profile.
        profile: String,
        /// The role to assume.
        role_arn: String,
        /// The file holding the OIDC token.
        token_file: PathBuf,
        /// `role_session_name`.
        session_name: Option<String>,
    },
    /// IAM Identity Center (SSO).
    Sso {
        /// The profile.
        profile: String,
        /// Its SSO settings.
        settings: SsoSettings,
    },
    /// `credential_process = <command>`.
    Process {
        /// The profile.
        profile: String,
        /// The command line. Kept as a secret: its arguments may hold tokens.
        command: Secret,
        /// `aws_account_id`, used when the process does not say.
        account_id: Option<String>,
    },
}

/// The sources `credential_source` may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NamedSource {
    /// `Environment`: the access keys in the environment.
    Environment,
    /// `Ec2InstanceMetadata`: IMDSv2.
    Ec2InstanceMetadata,
    /// `EcsContainer`: the container credentials endpoint.
    EcsContainer,
}

impl NamedSource {
    /// Parses the (case-sensitive) name used in the config file.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "Environment" => Some(NamedSource::Environment),
            "Ec2InstanceMetadata" => Some(NamedSource::Ec2InstanceMetadata),
            "EcsContainer" => Some(NamedSource::EcsContainer),
            _ => None,
        }
    }
}

impl fmt::Display for NamedSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NamedSource::Environment => "Environment",
            NamedSource::Ec2InstanceMetadata => "Ec2InstanceMetadata",
            NamedSource::EcsContainer => "EcsContainer",
        })
    }
}

/// The SSO settings of a profile (from its `[sso-session]` or the legacy keys).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SsoSettings {
    /// `sso_start_url`.
    pub start_url: String,
    /// `sso_region`.
    pub sso_region: String,
    /// `sso_account_id`.
    pub account_id: String,
    /// `sso_role_name`.
    pub role_name: String,
    /// `sso_session`, when the profile uses an `[sso-session]` section.
    pub session_name: Option<String>,
}

/// One `role_arn` step of a plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleToAssume {
    /// The profile defining the role.
    pub profile: String,
    /// `role_arn`.
    pub role_arn: String,
    /// `external_id`.
    pub external_id: Option<String>,
    /// `role_session_name`.
    pub session_name: Option<String>,
    /// `duration_seconds` (900 to 43200).
    pub duration_seconds: Option<u32>,
}

/// Where the walk goes after a profile with `role_arn`.
enum Next<'a> {
    /// `source_profile = <another profile>`.
    Profile(&'a str),
    /// `source_profile` naming the profile itself, or `credential_source`.
    ThisProfileAsBase,
}

/// Why a profile could not be the base of a plan.
enum BaseError {
    /// It has no credential key at all.
    NoCredentials,
    /// It is configured wrongly.
    Invalid(CredentialsError),
}

impl SharedConfig {
    /// The plan for the selected profile. See the module docs for the rules.
    ///
    /// ```
    /// use bedrock_lite::credentials::profile::*;
    /// let files = ProfileSet::parse(
    ///     SourceFile { path: "config", contents: "[profile dev]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base" },
    ///     SourceFile { path: "credentials", contents: "[base]\naws_access_key_id = AKID\naws_secret_access_key = s" },
    /// )?;
    /// let locations = ProfileFileLocations { config: "config".into(), credentials: "credentials".into() };
    /// let plan = SharedConfig::new(files, "dev", locations).credential_plan().expect("a plan");
    /// assert_eq!(plan.via(), "assume role");
    /// assert!(matches!(plan.base, BaseSource::StaticKeys { ref profile, .. } if profile == "base"));
    /// # Ok::<(), ProfileParseError>(())
    /// ```
    pub fn credential_plan(&self) -> Result<CredentialPlan, CredentialsError> {
        let set = self.profile_set();
        if set.is_empty() {
            return Err(not_loaded(format!(
                "no profiles in {}",
                self.files_description()
            )));
        }
        let mut name = self.selected_name();
        let mut visited: Vec<&str> = Vec::new();
        let mut roles = Vec::new();
        let base = loop {
            let referrer = visited.last().copied();
            let Some(profile) = set.profile(name) else {
                // The name comes from outside (`AWS_PROFILE`, a value): keep it on one line.
                let shown = name.escape_debug();
                let which = match referrer {
                    Some(from) => format!("profile `{shown}` (source_profile of `{from}`)"),
                    None => format!("profile `{shown}`"),
                };
                return Err(not_loaded(format!(
                    "{which} is not defined in {}",
                    self.files_description()
                )));
            };
            if visited.contains(&name) {
                return Err(invalid(format!(
                    "source_profile loop: {} -> {name}",
                    visited.join(" -> ")
                )));
            }
            visited.push(name);
            if referrer.is_some() {
                // After the first profile, complete static keys end the walk.
                if let Ok(Some(credentials)) = static_keys(profile) {
                    break BaseSource::StaticKeys {
                        profile: name.to_owned(),
                        credentials,
                    };
                }
            }
            let Some(role) = role_to_assume(profile)? else {
                break base_source(self, profile).map_err(|e| match (e, referrer) {
                    (BaseError::Invalid(e), _) => e,
                    (BaseError::NoCredentials, None) => {
                        not_loaded(format!("profile `{name}` has no credential keys"))
                    }
                    (BaseError::NoCredentials, Some(from)) => invalid(format!(
                        "profile `{name}` (source_profile of `{from}`) has no credentials"
                    )),
                })?;
            };
            roles.push(role);
            match next_profile(profile)? {
                Next::Profile(source) => name = source,
                Next::ThisProfileAsBase => {
                    break base_source(self, profile).map_err(|e| match e {
                        BaseError::Invalid(e) => e,
                        BaseError::NoCredentials => invalid(format!(
                            "{}: names the profile itself but it has no static keys",
                            profile.describe_key("profile", "source_profile")
                        )),
                    })?;
                }
            }
        };
        roles.reverse();
        Ok(CredentialPlan {
            profile: self.selected_name().to_owned(),
            base,
            roles,
        })
    }
}

fn not_loaded(reason: String) -> CredentialsError {
    CredentialsError::NotLoaded {
        source: SOURCE,
        reason,
    }
}

fn invalid(message: String) -> CredentialsError {
    CredentialsError::InvalidConfig {
        source: SOURCE,
        message,
    }
}

/// An [`invalid`] error about `key` of `profile`, naming where it is defined.
fn invalid_key(profile: &Section, key: &str, problem: &str) -> CredentialsError {
    invalid(format!(
        "{}: {problem}",
        profile.describe_key("profile", key)
    ))
}

/// The role step of a profile with `role_arn`, unless `web_identity_token_file`
/// makes the role part of the web-identity base instead.
fn role_to_assume(profile: &Section) -> Result<Option<RoleToAssume>, CredentialsError> {
    if profile.non_blank("web_identity_token_file").is_some() {
        return Ok(None);
    }
    let Some(role_arn) = profile.non_blank("role_arn") else {
        return Ok(None);
    };
    let duration_seconds = match profile.non_blank("duration_seconds") {
        None => None,
        Some(text) => match text.parse::<u32>() {
            Ok(seconds) if (900..=43_200).contains(&seconds) => Some(seconds),
            _ => {
                return Err(invalid_key(
                    profile,
                    "duration_seconds",
                    &format!("{text:?} is not a number of seconds from 900 to 43200"),
                ))
            }
        },
    };
    Ok(Some(RoleToAssume {
        profile: profile.name().to_owned(),
        role_arn: role_arn.to_owned(),
        external_id: profile.non_blank("external_id").map(str::to_owned),
        session_name: profile.non_blank("role_session_name").map(str::to_owned),
        duration_seconds,
    }))
}

fn next_profile(profile: &Section) -> Result<Next<'_>, CredentialsError> {
    match (
        profile.non_blank("source_profile"),
        profile.non_blank("credential_source"),
    ) {
        (Some(_), Some(_)) => Err(invalid_key(
            profile,
            "credential_source",
            "set together with `source_profile`; only one of the two may be",
        )),
        (None, None) => Err(invalid_key(
            profile,
            "role_arn",
            "needs `source_profile` or `credential_source`, and neither is set",
        )),
        (Some(source), None) if source == profile.name() => Ok(Next::ThisProfileAsBase),
        (Some(source), None) => Ok(Next::Profile(source)),
        (None, Some(_)) => Ok(Next::ThisProfileAsBase),
    }
}

/// The base source a profile defines, checked in the SDK's order.
fn base_source(config: &SharedConfig, profile: &Section) -> Result<BaseSource, BaseError> {
    let name = profile.name().to_owned();
    if let Some(source) = profile.non_blank("credential_source") {
        let source = NamedSource::from_name(source).ok_or_else(|| {
            BaseError::Invalid(invalid_key(
                profile,
                "credential_source",
                &format!("{source:?} is not one of Environment, Ec2InstanceMetadata, EcsContainer"),
            ))
        })?;
        return Ok(BaseSource::Named {
            profile: name,
            source,
        });
    }
    match (
        profile.non_blank("role_arn"),
        profile.non_blank("web_identity_token_file"),
    ) {
        (Some(role_arn), Some(token_file)) => {
            return Ok(BaseSource::WebIdentity {
                profile: name,
                role_arn: role_arn.to_owned(),
                token_file: PathBuf::from(token_file),
                session_name: profile.non_blank("role_session_name").map(str::to_owned),
            })
        }
        (None, Some(_)) => {
            return Err(BaseError::Invalid(invalid_key(
                profile,
                "web_identity_token_file",
                "`web_identity_token_file` was specified but `role_arn` was missing",
            )))
        }
        _ => {}
    }
    if let Some(settings) = sso_settings(config, profile).map_err(BaseError::Invalid)? {
        return Ok(BaseSource::Sso {
            profile: name,
            settings,
        });
    }
    if let Some(command) = profile.non_blank("credential_process") {
        return Ok(BaseSource::Process {
            profile: name,
            command: Secret::new(command),
            account_id: profile.non_blank("aws_account_id").map(str::to_owned),
        });
    }
    match static_keys(profile).map_err(BaseError::Invalid)? {
        Some(credentials) => Ok(BaseSource::StaticKeys {
            profile: name,
            credentials,
        }),
        None => Err(BaseError::NoCredentials),
    }
}

/// The profile's static keys: `None` when it sets none of
/// `aws_access_key_id`, `aws_secret_access_key`, `aws_session_token`; an error
/// when it sets some but not both of the first two.
fn static_keys(profile: &Section) -> Result<Option<Credentials>, CredentialsError> {
    let key_id = profile.non_blank("aws_access_key_id");
    let secret = profile.non_blank("aws_secret_access_key");
    let token = profile.non_blank("aws_session_token");
    match (key_id, secret) {
        (Some(key_id), Some(secret)) => Ok(Some(Credentials {
            access_key_id: key_id.to_owned(),
            secret_access_key: Secret::new(secret),
            session_token: token.map(Secret::new),
            expiry: None,
            account_id: profile.non_blank("aws_account_id").map(str::to_owned),
        })),
        (None, None) if token.is_none() => Ok(None),
        (Some(_), None) => Err(invalid_key(
            profile,
            "aws_access_key_id",
            "set without `aws_secret_access_key`",
        )),
        (None, Some(_)) => Err(invalid_key(
            profile,
            "aws_secret_access_key",
            "set without `aws_access_key_id`",
        )),
        (None, None) => Err(invalid_key(
            profile,
            "aws_session_token",
            "set without `aws_access_key_id` and `aws_secret_access_key`",
        )),
    }
}

/// The profile's SSO settings, if it uses SSO at all.
fn sso_settings(
    config: &SharedConfig,
    profile: &Section,
) -> Result<Option<SsoSettings>, CredentialsError> {
    let account_id = profile.non_blank("sso_account_id");
    let role_name = profile.non_blank("sso_role_name");
    let session_name = profile.non_blank("sso_session");
    let mut start_url = profile.non_blank("sso_start_url");
    let mut sso_region = profile.non_blank("sso_region");
    if [account_id, role_name, session_name, start_url, sso_region]
        .iter()
        .all(Option::is_none)
    {
        return Ok(None);
    }
    if let Some(session_name) = session_name {
        for (key, value) in [("sso_start_url", start_url), ("sso_region", sso_region)] {
            if value.is_some() {
                return Err(invalid_key(
                    profile,
                    key,
                    &format!("`{key}` can only be specified in the [sso-session] config when a session name is given"),
                ));
            }
        }
        let session = config.profile_set().sso_session(session_name).ok_or_else(|| {
            let session_name = session_name.escape_debug();
            invalid_key(
                profile,
                "sso_session",
                &format!("sso-session named `{session_name}` was not found (no [sso-session {session_name}] section in the config file)"),
            )
        })?;
        start_url = session.non_blank("sso_start_url");
        sso_region = session.non_blank("sso_region");
    }
    let (account_id, role_name) = match (account_id, role_name) {
        (Some(account_id), Some(role_name)) => (account_id, role_name),
        (Some(_), None) => {
            return Err(invalid_key(
                profile,
                "sso_account_id",
                "if `sso_account_id` is set, then `sso_role_name` must also be set",
            ))
        }
        (None, Some(_)) => {
            return Err(invalid_key(
                profile,
                "sso_role_name",
                "if `sso_role_name` is set, then `sso_account_id` must also be set",
            ))
        }
        (None, None) => {
            return Err(invalid(format!(
                "profile `{}`: selected profile will resolve an access token instead of credentials since it doesn't have `sso_account_id` and `sso_role_name` set",
                profile.name()
            )))
        }
    };
    let missing = |key: &str| {
        invalid(format!(
            "profile `{}` uses SSO but `{key}` was missing{}",
            profile.name(),
            session_name
                .map(|s| format!(" from [sso-session {s}]"))
                .unwrap_or_default()
        ))
    };
    Ok(Some(SsoSettings {
        start_url: start_url
            .ok_or_else(|| missing("sso_start_url"))?
            .to_owned(),
        sso_region: sso_region.ok_or_else(|| missing("sso_region"))?.to_owned(),
        account_id: account_id.to_owned(),
        role_name: role_name.to_owned(),
        session_name: session_name.map(str::to_owned),
    }))
}

#[cfg(test)]
mod tests {
    use super::super::{ProfileFileLocations, ProfileSet, SourceFile};
    use super::*;
    use proptest::prelude::*;

    fn plan_for(
        config: &str,
        credentials: &str,
        selected: &str,
    ) -> Result<CredentialPlan, CredentialsError> {
        let files = ProfileSet::parse(
            SourceFile {
                path: "cfg",
                contents: config,
            },
            SourceFile {
                path: "creds",
                contents: credentials,
            },
        )
        .expect("parses");
        let locations = ProfileFileLocations {
            config: "cfg".into(),
            credentials: "creds".into(),
        };
        SharedConfig::new(files, selected, locations).credential_plan()
    }

    fn plan(config: &str, selected: &str) -> CredentialPlan {
        plan_for(config, "", selected).unwrap_or_else(|e| panic!("{e}"))
    }

    fn error(config: &str, selected: &str) -> String {
        match plan_for(config, "", selected) {
            Err(CredentialsError::InvalidConfig { message, .. }) => message,
            other => panic!("expected an invalid configuration, got {other:?}"),
        }
    }

    fn not_loaded(config: &str, credentials: &str, selected: &str) -> String {
        match plan_for(config, credentials, selected) {
            Err(CredentialsError::NotLoaded { reason, .. }) => reason,
            other => panic!("expected not loaded, got {other:?}"),
        }
    }

    fn role_arns(plan: &CredentialPlan) -> Vec<&str> {
        plan.roles.iter().map(|r| r.role_arn.as_str()).collect()
    }

    fn base_profile(plan: &CredentialPlan) -> &str {
        match &plan.base {
            BaseSource::StaticKeys { profile, .. }
            | BaseSource::Named { profile, .. }
            | BaseSource::WebIdentity { profile, .. }
            | BaseSource::Sso { profile, .. }
            | BaseSource::Process { profile, .. } => profile,
        }
    }

    const KEYS: &str = "aws_access_key_id = AKID\naws_secret_access_key = secret\n";

    #[test]
    fn static_keys_with_token_and_account() {
        let plan = plan(
            &format!("[default]\n{KEYS}aws_session_token = tok\naws_account_id = 123\n"),
            "default",
        );
        assert_eq!(plan.via(), "static keys");
        let BaseSource::StaticKeys { credentials, .. } = &plan.base else {
            panic!("static keys expected");
        };
        assert_eq!(credentials.access_key_id, "AKID");
        assert_eq!(credentials.secret_access_key.expose(), "secret");
        assert_eq!(
            credentials.session_token.as_ref().map(Secret::expose),
            Some("tok")
        );
        assert_eq!(credentials.account_id.as_deref(), Some("123"));
    }

    #[test]
    fn role_chain_runs_from_the_base_outwards() {
        let config = format!(
            "[profile a]\nrole_arn = ra\nsource_profile = b\nexternal_id = x\nrole_session_name = s\nduration_seconds = 3600\n\
             [profile b]\nrole_arn = rb\nsource_profile = c\n[profile c]\n{KEYS}"
        );
        let plan = plan(&config, "a");
        assert_eq!(plan.via(), "assume role");
        assert_eq!(base_profile(&plan), "c");
        assert_eq!(role_arns(&plan), ["rb", "ra"]);
        let outer = &plan.roles[1];
        assert_eq!(outer.profile, "a");
        assert_eq!(outer.external_id.as_deref(), Some("x"));
        assert_eq!(outer.session_name.as_deref(), Some("s"));
        assert_eq!(outer.duration_seconds, Some(3600));
    }

    #[test]
    fn static_keys_end_the_walk_after_the_first_profile_only() {
        let config = format!(
            "[profile a]\nrole_arn = ra\nsource_profile = b\n{KEYS}\
             [profile b]\nrole_arn = rb\nsource_profile = c\n{KEYS}[profile c]\n{KEYS}"
        );
        let plan = plan(&config, "a");
        assert_eq!(base_profile(&plan), "b");
        assert_eq!(role_arns(&plan), ["ra"]);
    }

    #[test]
    fn partial_keys_in_a_source_profile_do_not_end_the_walk() {
        let config = "[profile a]\nrole_arn = ra\nsource_profile = b\n\
                      [profile b]\naws_access_key_id = AKID\ncredential_process = make-creds\n";
        let plan = plan(config, "a");
        assert!(matches!(plan.base, BaseSource::Process { .. }));
    }

    #[test]
    fn self_reference_uses_the_profiles_own_keys() {
        let plan = plan(
            &format!("[profile a]\nrole_arn = ra\nsource_profile = a\n{KEYS}"),
            "a",
        );
        assert_eq!(base_profile(&plan), "a");
        assert_eq!(role_arns(&plan), ["ra"]);
        let message = error("[profile a]\nrole_arn = ra\nsource_profile = a\n", "a");
        assert!(
            message.contains("names the profile itself but it has no static keys"),
            "{message}"
        );
    }

    #[test]
    fn loops_are_refused() {
        let config = "[profile a]\nrole_arn = ra\nsource_profile = b\n[profile b]\nrole_arn = rb\nsource_profile = a\n";
        assert_eq!(error(config, "a"), "source_profile loop: a -> b -> a");
    }

    #[test]
    fn role_needs_exactly_one_source() {
        let both = error(
            "[default]\nrole_arn = r\nsource_profile = b\ncredential_source = Environment\n",
            "default",
        );
        assert_eq!(
            both,
            "profile `default` key `credential_source` (cfg line 4): set together with `source_profile`; only one of the two may be"
        );
        let neither = error("[default]\nrole_arn = r\n", "default");
        assert!(
            neither.starts_with("profile `default` key `role_arn` (cfg line 2): needs"),
            "{neither}"
        );
    }

    #[test]
    fn credential_source_names_a_chain_source() {
        for (name, source) in [
            ("Environment", NamedSource::Environment),
            ("Ec2InstanceMetadata", NamedSource::Ec2InstanceMetadata),
            ("EcsContainer", NamedSource::EcsContainer),
        ] {
            let plan = plan(
                &format!("[default]\nrole_arn = r\ncredential_source = {name}\n"),
                "default",
            );
            assert_eq!(
                plan.base,
                BaseSource::Named {
                    profile: "default".into(),
                    source
                }
            );
            assert_eq!(source.to_string(), name);
            assert_eq!(role_arns(&plan), ["r"]);
        }
        let unknown = error(
            "[default]\nrole_arn = r\ncredential_source = environment\n",
            "default",
        );
        assert!(
            unknown.contains("\"environment\" is not one of Environment"),
            "{unknown}"
        );
    }

    #[test]
    fn web_identity_profile() {
        let plan = plan(
            "[default]\nrole_arn = r\nweb_identity_token_file = /t.jwt\nrole_session_name = s\n",
            "default",
        );
        assert_eq!(plan.via(), "web identity");
        assert_eq!(
            plan.base,
            BaseSource::WebIdentity {
                profile: "default".into(),
                role_arn: "r".into(),
                token_file: "/t.jwt".into(),
                session_name: Some("s".into()),
            }
        );
        assert!(plan.roles.is_empty());
        let message = error("[default]\nweb_identity_token_file = /t.jwt\n", "default");
        assert!(
            message.ends_with("`web_identity_token_file` was specified but `role_arn` was missing")
        );
    }

    const SSO_SESSION: &str =
        "[sso-session dev]\nsso_region = us-east-1\nsso_start_url = https://d.awsapps.com/start\n";

    #[test]
    fn sso_with_a_session_section_and_legacy() {
        let with_session = plan(
            &format!("[default]\nsso_session = dev\nsso_account_id = 1\nsso_role_name = R\n{SSO_SESSION}"),
            "default",
        );
        assert_eq!(with_session.via(), "sso");
        let expected = SsoSettings {
            start_url: "https://d.awsapps.com/start".into(),
            sso_region: "us-east-1".into(),
            account_id: "1".into(),
            role_name: "R".into(),
            session_name: Some("dev".into()),
        };
        assert_eq!(
            with_session.base,
            BaseSource::Sso {
                profile: "default".into(),
                settings: expected.clone()
            }
        );
        let legacy = plan(
            "[default]\nsso_start_url = https://d.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 1\nsso_role_name = R\n",
            "default",
        );
        let legacy_settings = SsoSettings {
            session_name: None,
            ..expected
        };
        assert_eq!(
            legacy.base,
            BaseSource::Sso {
                profile: "default".into(),
                settings: legacy_settings
            }
        );
    }

    #[test]
    fn sso_validation() {
        let cases = [
            (
                format!("[default]\nsso_session = dev\nsso_region = us-east-1\nsso_account_id = 1\nsso_role_name = R\n{SSO_SESSION}"),
                "`sso_region` can only be specified in the [sso-session] config",
            ),
            (
                format!("[default]\nsso_session = dev\nsso_start_url = u\nsso_account_id = 1\nsso_role_name = R\n{SSO_SESSION}"),
                "`sso_start_url` can only be specified in the [sso-session] config",
            ),
            (
                "[default]\nsso_session = nope\nsso_account_id = 1\nsso_role_name = R\n".to_owned(),
                "sso-session named `nope` was not found",
            ),
            (
                format!("[default]\nsso_session = dev\nsso_account_id = 1\n{SSO_SESSION}"),
                "if `sso_account_id` is set, then `sso_role_name` must also be set",
            ),
            (
                format!("[default]\nsso_session = dev\nsso_role_name = R\n{SSO_SESSION}"),
                "if `sso_role_name` is set, then `sso_account_id` must also be set",
            ),
            (
                format!("[default]\nsso_session = dev\n{SSO_SESSION}"),
                "selected profile will resolve an access token instead of credentials",
            ),
            (
                "[default]\nsso_start_url = u\nsso_account_id = 1\nsso_role_name = R\n".to_owned(),
                "uses SSO but `sso_region` was missing",
            ),
            (
                "[default]\nsso_session = dev\nsso_account_id = 1\nsso_role_name = R\n[sso-session dev]\nsso_region = r\n".to_owned(),
                "uses SSO but `sso_start_url` was missing from [sso-session dev]",
            ),
        ];
        for (config, wanted) in cases {
            let message = error(&config, "default");
            assert!(
                message.contains(wanted),
                "{message} should contain {wanted}"
            );
        }
    }

    #[test]
    fn credential_process_with_account_fallback() {
        let plan = plan(
            "[default]\ncredential_process = get-creds --token abc\naws_account_id = 42\n",
            "default",
        );
        assert_eq!(plan.via(), "credential_process");
        let BaseSource::Process {
            command,
            account_id,
            ..
        } = &plan.base
        else {
            panic!("process expected");
        };
        assert_eq!(command.expose(), "get-creds --token abc");
        assert_eq!(account_id.as_deref(), Some("42"));
        assert!(!format!("{plan:?}").contains("--token abc"));
    }

    #[test]
    fn base_sources_are_checked_in_order() {
        // credential_process beats static keys, SSO beats credential_process.
        let process = plan(
            &format!("[default]\ncredential_process = p\n{KEYS}"),
            "default",
        );
        assert_eq!(process.via(), "credential_process");
        let sso = plan(
            &format!("[default]\ncredential_process = p\nsso_session = dev\nsso_account_id = 1\nsso_role_name = R\n{SSO_SESSION}"),
            "default",
        );
        assert_eq!(sso.via(), "sso");
    }

    #[test]
    fn partial_static_keys_name_the_key() {
        let key_only = error("[default]\naws_access_key_id = AKID\n", "default");
        assert_eq!(key_only, "profile `default` key `aws_access_key_id` (cfg line 2): set without `aws_secret_access_key`");
        let secret_only = error("[default]\naws_secret_access_key = s\n", "default");
        assert!(
            secret_only.contains("key `aws_secret_access_key`"),
            "{secret_only}"
        );
        assert!(!secret_only.contains("= s"));
        let token_only = error("[default]\naws_session_token = t\n", "default");
        assert!(
            token_only.contains("key `aws_session_token`"),
            "{token_only}"
        );
    }

    #[test]
    fn what_falls_through() {
        assert_eq!(not_loaded("", "", "default"), "no profiles in cfg or creds");
        assert_eq!(
            not_loaded("[profile x]\n", "", "default"),
            "profile `default` is not defined in cfg or creds"
        );
        assert_eq!(
            not_loaded("[profile x]\n", "", "y"),
            "profile `y` is not defined in cfg or creds"
        );
        assert_eq!(
            not_loaded(
                "[default]\nrole_arn = r\nsource_profile = gone\n",
                "",
                "default"
            ),
            "profile `gone` (source_profile of `default`) is not defined in cfg or creds"
        );
        assert_eq!(
            not_loaded("[default]\nregion = eu-west-1\n", "", "default"),
            "profile `default` has no credential keys"
        );
        // Blank values count as unset.
        assert_eq!(
            not_loaded(
                "[default]\nrole_arn =\naws_access_key_id = \t\n",
                "",
                "default"
            ),
            "profile `default` has no credential keys"
        );
        // A source profile without credentials, though, is a broken configuration.
        let message = error(
            "[default]\nrole_arn = r\nsource_profile = b\n[profile b]\nregion = x\n",
            "default",
        );
        assert_eq!(
            message,
            "profile `b` (source_profile of `default`) has no credentials"
        );
    }

    #[test]
    fn names_from_values_stay_on_one_line() {
        let reason = not_loaded(
            "[default]\nrole_arn = r\nsource_profile = a\n  b\n",
            "",
            "default",
        );
        assert_eq!(
            reason,
            "profile `a\\nb` (source_profile of `default`) is not defined in cfg or creds"
        );
        let message = error(
            "[default]\nsso_session = x\n  y\nsso_account_id = 1\nsso_role_name = R\n",
            "default",
        );
        assert!(
            message.contains("sso-session named `x\\ny` was not found"),
            "{message}"
        );
    }

    #[test]
    fn duration_seconds_must_be_in_range() {
        for bad in ["899", "43201", "-1", "1h"] {
            let message = error(&format!("[default]\nrole_arn = r\nsource_profile = b\nduration_seconds = {bad}\n[profile b]\n{KEYS}"), "default");
            assert!(
                message.contains("is not a number of seconds from 900 to 43200"),
                "{message}"
            );
        }
    }

    #[test]
    fn keys_from_the_credentials_file_complete_a_config_profile() {
        let plan = plan_for(
            "[default]\nrole_arn = r\nsource_profile = base\n[profile base]\nregion = us-east-1\n",
            &format!("[base]\n{KEYS}"),
            "default",
        )
        .expect("plan");
        assert_eq!(base_profile(&plan), "base");
    }

    proptest! {
        /// A straight chain p0 -> p1 -> ... -> pn ending in keys gives n roles,
        /// innermost first; pointing the last profile back into the chain instead
        /// gives a loop error naming the walk.
        #[test]
        fn chains_and_loops(length in 1usize..8, back_to in any::<prop::sample::Index>(), looped in any::<bool>()) {
            let mut config = String::new();
            for i in 0..length {
                config.push_str(&format!("[profile p{i}]\nrole_arn = r{i}\nsource_profile = p{}\n", i + 1));
            }
            let target = back_to.index(length + 1);
            if looped {
                config.push_str(&format!("[profile p{length}]\nrole_arn = r{length}\nsource_profile = p{target}\n"));
            } else {
                config.push_str(&format!("[profile p{length}]\n{KEYS}"));
            }
            let result = plan_for(&config, "", "p0");
            if !looped {
                let plan = result.map_err(|e| TestCaseError::fail(e.to_string()))?;
                let expected: Vec<String> = (0..length).rev().map(|i| format!("r{i}")).collect();
                prop_assert_eq!(role_arns(&plan), expected);
                prop_assert_eq!(base_profile(&plan), format!("p{length}"));
            } else if target == length {
                // Pointing at itself: "use my own keys", which it lacks.
                let invalid = matches!(result, Err(CredentialsError::InvalidConfig { .. }));
                prop_assert!(invalid, "{:?}", result);
            } else {
                let walk: Vec<String> = (0..=length).map(|i| format!("p{i}")).collect();
                let expected = format!("source_profile loop: {} -> p{target}", walk.join(" -> "));
                prop_assert_eq!(
                    result,
                    Err(CredentialsError::InvalidConfig { source: SOURCE, message: expected })
                );
            }
        }
    }
}
