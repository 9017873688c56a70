//! The built `bedrock-lite` binary, run in a clean environment with a scratch
//! home and a bound on its run time, for the fault and secrets tests.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_bedrock-lite");

/// A scratch folder under the system temp dir, removed on drop.
pub struct ScratchDir(PathBuf);

impl ScratchDir {
    /// A new, empty folder whose name starts with `prefix`.
    pub fn new(prefix: &str) -> ScratchDir {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "bedrock-lite-{prefix}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("a scratch folder");
        ScratchDir(path)
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `contents` to `relative` under the folder (parents created),
    /// mode 0600 as files with secrets should be, and returns its path.
    pub fn write(&self, relative: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let path = self.0.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("parent folders");
        }
        std::fs::write(&path, contents).expect("a scratch file");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("mode 0600");
        path
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One run of the binary: a clean environment (only `PATH`, `HOME` set to a
/// scratch home, IMDS off, the AWS shared files and the config file inside
/// that home) plus what the test adds.
pub struct Run {
    command: Command,
    stdin: Option<Vec<u8>>,
    limit: Duration,
    /// Shell words run before the binary (`ulimit -v ...`).
    shell_prefix: Option<String>,
    args: Vec<String>,
}

/// What a run gave: its output and how long it took.
#[derive(Debug)]
pub struct Ran {
    /// Exit status, stdout and stderr.
    pub output: Output,
    /// Wall time from spawn to exit.
    pub elapsed: Duration,
}

impl Ran {
    /// The exit code (`None`: killed by a signal).
    pub fn code(&self) -> Option<i32> {
        self.output.status.code()
    }

    /// Stdout as text.
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    /// Stderr as text.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// Asserts the contract of a failure: exit `code`, and stderr exactly one
    /// line `error: ...` that contains every one of `needles`. Returns that
    /// line (and prints it, seen with `--nocapture`).
    pub fn assert_one_error_line(&self, code: i32, needles: &[&str]) -> String {
        let stderr = self.stderr();
        assert_eq!(
            self.code(),
            Some(code),
            "exit code; stderr: {stderr}; stdout: {}",
            self.stdout()
        );
        assert_eq!(stderr.lines().count(), 1, "one error line: {stderr:?}");
        assert!(stderr.starts_with("error: "), "{stderr}");
        assert!(stderr.ends_with('\n'), "{stderr:?}");
        for needle in needles {
            assert!(stderr.contains(needle), "`{needle}` not in {stderr}");
        }
        // Shown with `--nocapture`, for the record (RELIABILITY.md).
        println!("exit {code}: {}", stderr.trim_end());
        stderr.trim_end().to_owned()
    }
}

impl Run {
    /// `bedrock-lite args...` with `home` as `HOME`; at most 60 s.
    pub fn new(home: &Path, args: &[&str]) -> Run {
        let mut run = Run {
            command: Command::new(BIN),
            stdin: None,
            limit: Duration::from_secs(60),
            shell_prefix: None,
            args: args.iter().map(|a| (*a).to_owned()).collect(),
        };
        run.command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", home.join(".aws/config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", home.join(".aws/credentials"))
            .env(
                "BEDROCK_LITE_CONFIG",
                home.join(".config/bedrock-lite/config.json"),
            );
        run
    }

    /// Sets (or replaces) an environment variable.
    pub fn env(mut self, name: &str, value: impl AsRef<std::ffi::OsStr>) -> Run {
        self.command.env(name, value);
        self
    }

    /// Removes an environment variable the run would otherwise get.
    pub fn env_remove(mut self, name: &str) -> Run {
        self.command.env_remove(name);
        self
    }

    /// The demo keys of the emulator, and `us-east-1`.
    #[cfg(feature = "emulator")]
    pub fn demo_keys(self) -> Run {
        use bedrock_lite::emulator::{DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY};
        self.env("AWS_ACCESS_KEY_ID", DEMO_ACCESS_KEY_ID)
            .env("AWS_SECRET_ACCESS_KEY", DEMO_SECRET_ACCESS_KEY)
            .env("AWS_REGION", "us-east-1")
    }

    /// Writes `text` to the binary's stdin (else stdin is empty).
    pub fn stdin(mut self, text: &str) -> Run {
        self.stdin = Some(text.as_bytes().to_vec());
        self
    }

    /// Kills the binary (and fails the test) if it runs longer than `limit`.
    pub fn limit(mut self, limit: Duration) -> Run {
        self.limit = limit;
        self
    }

    /// Runs the binary with its address space capped at `mib` MiB (`ulimit -v`):
    /// an allocation beyond that fails, and the binary aborts.
    pub fn address_space_mib(mut self, mib: u64) -> Run {
        self.shell_prefix = Some(format!("ulimit -v {}", mib * 1024));
        self
    }

    /// Runs the binary to its end, off the async runtime's thread (so that
    /// servers in the test's runtime keep serving meanwhile).
    pub async fn run(self) -> Ran {
        tokio::task::spawn_blocking(move || self.run_blocking())
            .await
            .expect("the blocking task ends")
    }

    /// Runs the binary to its end on this thread.
    pub fn run_blocking(mut self) -> Ran {
        if let Some(prefix) = &self.shell_prefix {
            // `sh -c 'ulimit ...; exec "$0" "$@"' BIN args...`
            let mut shell = Command::new("sh");
            shell
                .arg("-c")
                .arg(format!("{prefix} && exec \"$0\" \"$@\""))
                .arg(BIN)
                .args(&self.args)
                .env_clear()
                .envs(self.command.get_envs().filter_map(|(k, v)| Some((k, v?))));
            self.command = shell;
        } else {
            self.command.args(&self.args);
        }
        self.command
            .stdin(match self.stdin {
                Some(_) => Stdio::piped(),
                None => Stdio::null(),
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let started = Instant::now();
        let mut child = self.command.spawn().expect("the binary starts");
        if let (Some(input), Some(mut pipe)) = (self.stdin.take(), child.stdin.take()) {
            pipe.write_all(&input).expect("stdin");
        }
        // Read the pipes on their own threads so that a chatty child never blocks.
        let stdout = drain(child.stdout.take());
        let stderr = drain(child.stderr.take());
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break status;
            }
            if started.elapsed() > self.limit {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "`bedrock-lite {}` still ran after {:?}: killed",
                    self.args.join(" "),
                    self.limit
                );
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let elapsed = started.elapsed();
        Ran {
            output: Output {
                status,
                stdout: stdout.join().expect("stdout reader"),
                stderr: stderr.join().expect("stderr reader"),
            },
            elapsed,
        }
    }
}

/// Reads a pipe to its end on a thread.
fn drain(pipe: Option<impl std::io::Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}
