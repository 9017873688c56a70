//! Where the shared files are: `$AWS_CONFIG_FILE` or `~/.aws/config`, and
//! `$AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`, with `~` expanded
//! to the home directory (`$HOME`; on Windows then `%USERPROFILE%`, then
//! `%HOMEDRIVE%%HOMEPATH%`). `file-location-tests.json` pins this down.

use std::path::{Path, PathBuf};

use crate::env::Env;

/// The paths of the two shared files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileFileLocations {
    /// The config file (`[profile NAME]` sections).
    pub config: PathBuf,
    /// The credentials file (`[NAME]` sections).
    pub credentials: PathBuf,
}

impl ProfileFileLocations {
    /// The locations `env` selects.
    ///
    /// ```
    /// use bedrock_lite::credentials::{profile::ProfileFileLocations};
    /// use bedrock_lite::env::Env;
    /// let env = Env::from_vars([("HOME", "/home/ann"), ("AWS_CONFIG_FILE", "~/cfg")]);
    /// let found = ProfileFileLocations::from_env(&env);
    /// assert_eq!(found.config, std::path::Path::new("/home/ann/cfg"));
    /// assert_eq!(found.credentials, std::path::Path::new("/home/ann/.aws/credentials"));
    /// ```
    pub fn from_env(env: &Env) -> Self {
        let path = |variable: &str, default: &str| {
            let chosen = env
                .var(variable)
                .filter(|v| !v.trim().is_empty())
                .unwrap_or(default);
            expand_home(chosen, env)
        };
        ProfileFileLocations {
            config: path("AWS_CONFIG_FILE", "~/.aws/config"),
            credentials: path("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials"),
        }
    }
}

/// The home directory `env` names, if any.
pub fn home_dir(env: &Env) -> Option<String> {
    if let Some(home) = env.non_blank_var("HOME") {
        return Some(home.to_owned());
    }
    if !cfg!(windows) {
        return None;
    }
    if let Some(profile) = env.non_blank_var("USERPROFILE") {
        return Some(profile.to_owned());
    }
    match (
        env.non_blank_var("HOMEDRIVE"),
        env.non_blank_var("HOMEPATH"),
    ) {
        (Some(drive), Some(path)) => Some(format!("{drive}{path}")),
        _ => None,
    }
}

/// Expands a leading `~` (alone or followed by a path separator) to the home
/// directory. Other paths, and `~` when there is no home, stay as they are.
pub fn expand_home(path: &str, env: &Env) -> PathBuf {
    let rest = match path.strip_prefix('~') {
        Some("") => "",
        Some(rest) if rest.starts_with('/') || (cfg!(windows) && rest.starts_with('\\')) => {
            rest.trim_start_matches(['/', '\\'])
        }
        _ => return PathBuf::from(path),
    };
    match home_dir(env) {
        Some(home) if rest.is_empty() => PathBuf::from(home),
        Some(home) => Path::new(&home).join(rest),
        None => PathBuf::from(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tilde_is_expanded_only_at_the_start_before_a_separator() {
        let env = Env::from_vars([("HOME", "/h")]);
        assert_eq!(expand_home("~", &env), Path::new("/h"));
        assert_eq!(expand_home("~/a/b", &env), Path::new("/h/a/b"));
        assert_eq!(expand_home("~user/a", &env), Path::new("~user/a"));
        assert_eq!(expand_home("/a/~/b", &env), Path::new("/a/~/b"));
    }

    #[test]
    fn without_home_the_path_is_kept() {
        let env = Env::from_vars([("HOME", " ")]);
        assert_eq!(expand_home("~/x", &env), Path::new("~/x"));
    }

    #[test]
    fn blank_override_means_default() {
        let env = Env::from_vars([("HOME", "/h"), ("AWS_SHARED_CREDENTIALS_FILE", "")]);
        let found = ProfileFileLocations::from_env(&env);
        assert_eq!(found.credentials, Path::new("/h/.aws/credentials"));
    }
}
