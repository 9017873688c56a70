//! What the tests of the built `bedrock-lite` binary share: a temporary HOME
//! with its own config and AWS files, the binary run in a clean environment
//! there (off the async runtime's thread, so an emulator in the test keeps
//! serving), and readers of what it printed and what the emulator received.
#![allow(dead_code)] // each test binary uses a different subset

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

#[cfg(feature = "emulator")]
use bedrock_lite::emulator::{Emulator, DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY};
use serde_json::Value;

/// A temporary HOME, removed when dropped. The binary run in it reads no
/// config, AWS profile or environment but what the test puts there.
pub struct Home(PathBuf);

impl Home {
    /// A new empty HOME; `tag` goes into its name.
    pub fn new(tag: &str) -> Home {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let path =
            std::env::temp_dir().join(format!("bedrock-lite-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).expect("a temporary directory");
        Home(path)
    }

    /// `name` inside the home.
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Writes `bytes` to `name` inside the home; returns its path.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, bytes).expect("a file in the temporary home");
        path
    }

    /// Writes the bedrock-lite config file at its default path.
    pub fn write_config(&self, config: &Value) {
        let path = self.path("xdg/bedrock-lite/config.json");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("the config folder");
        }
        std::fs::write(&path, config.to_string()).expect("the config file");
    }

    /// The binary with `args` in a clean environment: this HOME and XDG
    /// folders, empty AWS files, IMDS off, `us-east-1`, no credentials.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_bedrock-lite"));
        command
            .args(args)
            .env_clear()
            .env("HOME", &self.0)
            .env("XDG_CONFIG_HOME", self.path("xdg"))
            .env("XDG_CACHE_HOME", self.path("cache"))
            .env("AWS_CONFIG_FILE", self.path("aws-config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", self.path("aws-credentials"))
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_REGION", "us-east-1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    /// [`Home::command`] with the emulator's demo keys in the environment.
    #[cfg(feature = "emulator")]
    pub fn command_with_keys(&self, args: &[&str]) -> Command {
        let mut command = self.command(args);
        command
            .env("AWS_ACCESS_KEY_ID", DEMO_ACCESS_KEY_ID)
            .env("AWS_SECRET_ACCESS_KEY", DEMO_SECRET_ACCESS_KEY);
        command
    }

    /// `bedrock-lite --endpoint-url <emulator> chat -m MODEL ARGS...` with the
    /// demo keys.
    #[cfg(feature = "emulator")]
    pub fn chat_command(&self, emulator: &Emulator, model: &str, args: &[&str]) -> Command {
        let endpoint = emulator.endpoint();
        let mut line = vec!["--endpoint-url", &endpoint, "chat", "-m", model];
        line.extend_from_slice(args);
        self.command_with_keys(&line)
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `command` to its end on a blocking thread (so an emulator served by
/// the test's runtime keeps answering), with `stdin` written to it if given.
pub async fn output(mut command: Command, stdin: Option<&str>) -> Output {
    if stdin.is_some() {
        command.stdin(Stdio::piped());
    }
    let input = stdin.map(str::to_owned);
    tokio::task::spawn_blocking(move || {
        let mut child = command.spawn().expect("the binary runs");
        if let (Some(text), Some(mut pipe)) = (input, child.stdin.take()) {
            use std::io::Write;
            pipe.write_all(text.as_bytes()).expect("stdin");
        }
        child.wait_with_output().expect("the binary ends")
    })
    .await
    .expect("the blocking task ends")
}

/// What the binary wrote to stdout.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// What the binary wrote to stderr.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts the exit code, showing both streams when it differs.
#[track_caller]
pub fn assert_exit(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        stdout(output),
        stderr(output)
    );
}

/// The JSON bodies of the Converse and ConverseStream requests the emulator
/// received, oldest first.
#[cfg(feature = "emulator")]
pub fn converse_bodies(emulator: &Emulator) -> Vec<Value> {
    emulator
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/converse") || r.path.ends_with("/converse-stream"))
        .map(|r| serde_json::from_slice(&r.body).expect("a JSON request body"))
        .collect()
}

/// The one Converse or ConverseStream body the emulator received.
#[cfg(feature = "emulator")]
#[track_caller]
pub fn only_converse_body(emulator: &Emulator) -> Value {
    let mut bodies = converse_bodies(emulator);
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    bodies.remove(0)
}

/// Reads a JSON file.
#[track_caller]
pub fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("the file");
    serde_json::from_str(&text).expect("JSON")
}
