//! The built `bedrock-lite serve` as a child process: started in a clean
//! environment with its own HOME and config file, its ready line read, its
//! access log (stderr) collected, killed when dropped.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bedrock_lite::emulator::{DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY};

/// How long `serve` may take to print its ready line.
const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// A config file at `dir/name` holding `value`, readable by its owner only
/// (as `config set` writes it: a looser mode draws a warning on stderr).
pub fn write_config(dir: &Path, name: &str, value: &serde_json::Value) -> PathBuf {
    use std::os::unix::fs::OpenOptionsExt;
    let path = dir.join(name);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .expect("a new config file");
    std::io::Write::write_all(&mut file, value.to_string().as_bytes()).expect("the config written");
    path
}

/// A temporary folder, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new empty folder named after `tag`.
    pub fn new(tag: &str) -> TempDir {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let path =
            std::env::temp_dir().join(format!("bedrock-lite-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).expect("a temporary folder");
        TempDir(path)
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The binary with `args`, in a clean environment whose HOME is `home` and
/// whose config file is `config` (no AWS credentials, IMDS off).
pub fn command(home: &Path, config: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_bedrock-lite"));
    command
        .args(args)
        .env_clear()
        .env("HOME", home)
        .env("BEDROCK_LITE_CONFIG", config)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", home.join("aws-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("aws-credentials"))
        .stdin(Stdio::null());
    command
}

/// Runs the binary with `args` (see [`command`]) to the end.
pub fn run(home: &Path, config: &Path, args: &[&str]) -> Output {
    command(home, config, args)
        .output()
        .expect("the binary runs")
}

/// `gateway key add NAME ARGS...`: the new key it printed.
pub fn add_key(home: &Path, config: &Path, name: &str, args: &[&str]) -> String {
    let mut line = vec!["gateway", "key", "add", name];
    line.extend_from_slice(args);
    let output = run(home, config, &line);
    assert!(
        output.status.success(),
        "gateway key add {name}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// Whether `serve` gets the emulator's demo keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aws {
    /// `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` = the demo keys.
    DemoKeys,
    /// No AWS credentials anywhere.
    None,
}

/// A running `bedrock-lite serve`.
pub struct Serve {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    log: Arc<Mutex<Vec<String>>>,
    more_stdout: Arc<Mutex<Vec<String>>>,
}

impl Serve {
    /// Starts `bedrock-lite [--endpoint-url ENDPOINT] serve --listen
    /// 127.0.0.1:0 EXTRA...` and waits for its ready line.
    pub fn start(
        home: &Path,
        config: &Path,
        endpoint: Option<&str>,
        aws: Aws,
        extra: &[&str],
    ) -> Serve {
        Serve::start_with_env(home, config, endpoint, aws, extra, &[])
    }

    /// [`Serve::start`], with `env` added to its environment.
    pub fn start_with_env(
        home: &Path,
        config: &Path,
        endpoint: Option<&str>,
        aws: Aws,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> Serve {
        let mut args = Vec::new();
        if let Some(endpoint) = endpoint {
            args.extend(["--endpoint-url", endpoint]);
        }
        args.extend(["serve", "--listen", "127.0.0.1:0"]);
        args.extend_from_slice(extra);
        let mut command = command(home, config, &args);
        command.envs(env.iter().copied());
        if aws == Aws::DemoKeys {
            command
                .env("AWS_ACCESS_KEY_ID", DEMO_ACCESS_KEY_ID)
                .env("AWS_SECRET_ACCESS_KEY", DEMO_SECRET_ACCESS_KEY);
        }
        let (mut serve, line) = Serve::spawn(command);
        serve.url = ready_url(&line);
        assert!(serve.url.starts_with("http://127.0.0.1:"), "{line}");
        serve
    }

    /// Spawns `command` (a `serve` command line) and waits for the first line
    /// of its stdout, which it returns.
    pub fn spawn(mut command: Command) -> (Serve, String) {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("serve starts");
        let log = Arc::new(Mutex::new(Vec::new()));
        if let Some(stderr) = child.stderr.take() {
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    log.lock().unwrap_or_else(|e| e.into_inner()).push(line);
                }
            });
        }
        let stdout = child.stdout.take().expect("serve's stdout");
        let (sender, ready) = std::sync::mpsc::channel();
        let more_stdout = Arc::new(Mutex::new(Vec::new()));
        let more = Arc::clone(&more_stdout);
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let _ = sender.send(lines.next());
            for line in lines.map_while(Result::ok) {
                more.lock().unwrap_or_else(|e| e.into_inner()).push(line);
            }
        });
        let serve = Serve {
            child,
            url: String::new(),
            log,
            more_stdout,
        };
        let line = match ready.recv_timeout(READY_TIMEOUT) {
            Ok(Some(Ok(line))) => line,
            other => panic!(
                "serve printed no ready line ({other:?}); stderr: {:?}",
                serve.log()
            ),
        };
        (serve, line)
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What stdout got after the ready line (the contract: nothing).
    pub fn more_stdout(&self) -> Vec<String> {
        self.more_stdout
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The lines on stderr so far (the access log).
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Waits up to `timeout` for a stderr line that `wanted` accepts.
    pub fn wait_for_log(&self, timeout: Duration, wanted: impl Fn(&str) -> bool) -> Option<String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(line) = self.log().into_iter().find(|line| wanted(line)) {
                return Some(line);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends the signal `name` (`TERM`, `INT`) to the gateway.
    pub fn signal(&self, name: &str) {
        let sent = Command::new("kill")
            .args([&format!("-{name}"), &self.pid().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "kill -{name} {}", self.pid());
    }

    /// Waits up to `timeout` for the exit status.
    pub fn wait(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The URL of a ready line `listening on http://HOST:PORT`.
pub fn ready_url(line: &str) -> String {
    let url = line
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("not a ready line: {line:?}"));
    assert!(url.starts_with("http://"), "{line}");
    url.to_owned()
}
