//! [`Env`]: the process environment, filesystem and clock as the credential chain
//! sees them, so that tests can replay a recorded environment.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Environment variables, files and the clock, real or replayed.
///
/// ```
/// use bedrock_lite::env::Env;
/// let env = Env::from_vars([("AWS_REGION", "eu-west-1")]);
/// assert_eq!(env.var("AWS_REGION"), Some("eu-west-1"));
/// assert_eq!(env.var("AWS_PROFILE"), None);
/// ```
///
/// `Debug` shows variable names but never their values (some are secrets).
#[derive(Clone)]
pub struct Env {
    vars: HashMap<String, String>,
    fs_root: Option<PathBuf>,
    now: Option<SystemTime>,
}

impl std::fmt::Debug for Env {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<&str> = self.vars.keys().map(String::as_str).collect();
        names.sort_unstable();
        f.debug_struct("Env")
            .field("vars", &names)
            .field("fs_root", &self.fs_root)
            .field("now", &self.now)
            .finish()
    }
}

impl Env {
    /// The real process environment, filesystem and clock.
    pub fn real() -> Self {
        Env {
            vars: std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
            fs_root: None,
            now: None,
        }
    }

    /// An environment with just these variables, the real filesystem and clock.
    pub fn from_vars<K: Into<String>, V: Into<String>>(
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Env {
            vars: vars
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
            fs_root: None,
            now: None,
        }
    }

    /// Reads absolute paths under `root` instead of `/` (for replayed fake filesystems).
    pub fn with_fs_root(mut self, root: impl Into<PathBuf>) -> Self {
        self.fs_root = Some(root.into());
        self
    }

    /// Fixes the clock at `now`.
    pub fn with_now(mut self, now: SystemTime) -> Self {
        self.now = Some(now);
        self
    }

    /// Sets one variable.
    pub fn set_var(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.vars.insert(key.into(), value.into());
    }

    /// A variable's value, if set (blank values are returned as they are).
    pub fn var(&self, key: &str) -> Option<&str> {
        self.vars.get(key).map(String::as_str)
    }

    /// A variable's value, trimmed; `None` when unset or blank.
    pub fn non_blank_var(&self, key: &str) -> Option<&str> {
        self.var(key).map(str::trim).filter(|v| !v.is_empty())
    }

    /// The current time.
    pub fn now(&self) -> SystemTime {
        self.now.unwrap_or_else(SystemTime::now)
    }

    /// The path that `path` names on the (possibly fake) filesystem.
    pub fn resolve_path(&self, path: &Path) -> PathBuf {
        match &self.fs_root {
            Some(root) if path.is_absolute() => root.join(path.strip_prefix("/").unwrap_or(path)),
            _ => path.to_path_buf(),
        }
    }

    /// Reads a file as UTF-8 text, at most [`MAX_TEXT_FILE_BYTES`] of it
    /// (see [`read_text_file`]).
    pub fn read_to_string(&self, path: &Path) -> io::Result<String> {
        read_text_file(&self.resolve_path(path), MAX_TEXT_FILE_BYTES)
    }
}

/// The largest text file [`Env::read_to_string`] reads. Every file it is
/// for (the AWS shared files, token files, the SSO cache) is far smaller.
pub const MAX_TEXT_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Reads the UTF-8 text file at `path` if it holds at most `limit` bytes,
/// reading no more than that: a larger file is an
/// [`io::ErrorKind::FileTooLarge`] error, a file that is not UTF-8
/// [`io::ErrorKind::InvalidData`].
///
/// ```
/// let path = std::env::temp_dir().join(format!("read-text-file-{}", std::process::id()));
/// std::fs::write(&path, "four")?;
/// assert_eq!(bedrock_lite::env::read_text_file(&path, 4)?, "four");
/// let error = bedrock_lite::env::read_text_file(&path, 3).unwrap_err();
/// assert_eq!(error.kind(), std::io::ErrorKind::FileTooLarge);
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn read_text_file(path: &Path, limit: u64) -> io::Result<String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if u64::try_from(bytes.len()).map_or(true, |length| length > limit) {
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!("the file is larger than {limit} bytes"),
        ));
    }
    String::from_utf8(bytes)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "the file is not valid UTF-8"))
}
