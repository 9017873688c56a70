//! `bedrock-lite serve` and `bedrock-lite gateway key ...` (the built binary)
//! for what an HTTP client cannot check: the ready line and where the address
//! comes from, the refusal to serve an open gateway beyond loopback, the keys
//! as the config file stores them, a client that goes away cancelling the
//! Bedrock stream at once, the idle timeout (a stalled request body, a
//! client that stops reading), and SIGTERM letting a stream in flight finish.
//! The `openai` client's view is in `gateway_openai.rs`.
#![cfg(all(feature = "cli", feature = "gateway", feature = "emulator"))]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bedrock_lite::emulator::{Emulator, Reply};
use common::serve::{command, run, write_config, Aws, Serve, TempDir};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// A config file at `dir/config.json` holding `value`.
fn config(dir: &Path, value: Value) -> PathBuf {
    write_config(dir, "config.json", &value)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A multi-threaded runtime with the emulator on it (it serves while the
/// test's thread blocks).
fn emulator() -> (tokio::runtime::Runtime, Emulator) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let emulator = runtime
        .block_on(Emulator::start(0))
        .expect("the emulator starts");
    (runtime, emulator)
}

/// Sends a streamed chat completion on a new connection; returns the
/// connection with the response head read.
fn start_stream(url: &str, prompt: &str) -> TcpStream {
    let address = url.strip_prefix("http://").expect("an http URL");
    let mut socket = TcpStream::connect(address).expect("the gateway accepts");
    let head = send_stream(&mut socket, prompt);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    socket
}

/// Sends a streamed chat completion on `socket`; returns the response head.
fn send_stream(socket: &mut TcpStream, prompt: &str) -> String {
    socket
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("a read timeout");
    let body = json!({"model": "us.anthropic.claude-sonnet-4-6", "stream": true,
                      "messages": [{"role": "user", "content": prompt}]})
    .to_string();
    write!(
        socket,
        "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("the request goes out");
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let n = socket.read(&mut byte).expect("the response head");
        assert_eq!(n, 1, "the connection closed in the head: {}", text(&head));
        head.push(byte[0]);
    }
    text(&head)
}

#[test]
fn ready_line_comes_from_the_config_and_json_shapes_it() {
    let dir = TempDir::new("serve-ready");
    let config = config(dir.path(), json!({"gateway": {"listen": "127.0.0.1:0"}}));
    let (serve, line) = Serve::spawn(command(dir.path(), &config, &["serve", "--json"]));
    let ready: Value = serde_json::from_str(&line).expect("a JSON ready line");
    let url = ready["url"].as_str().expect("a url").to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{line}");
    assert_ne!(url, "http://127.0.0.1:0", "the port picked is shown");
    assert_eq!(ready.as_object().map(|o| o.len()), Some(1), "{line}");
    let mut socket = TcpStream::connect(url.trim_start_matches("http://")).expect("it listens");
    socket
        .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .expect("a request");
    let mut answer = String::new();
    socket.read_to_string(&mut answer).expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with(r#"{"status":"ok"}"#), "{answer}");
    drop(serve);
}

#[test]
fn an_open_gateway_serves_on_loopback_only() {
    let dir = TempDir::new("serve-open");
    let config = config(dir.path(), json!({}));
    let output = run(dir.path(), &config, &["serve", "--listen", "0.0.0.0:0"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty(), "{}", text(&output.stdout));
    let stderr = text(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: serve: refusing to listen on 0.0.0.0:0 with no gateway keys"),
        "{stderr}"
    );
    let output = run(dir.path(), &config, &["serve", "--listen", "nonsense"]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    assert!(text(&output.stderr).starts_with("error: usage: --listen `nonsense`"));

    // With a key, any address will do.
    common::serve::add_key(dir.path(), &config, "team", &[]);
    let (serve, line) = Serve::spawn(command(
        dir.path(),
        &config,
        &["serve", "--listen", "0.0.0.0:0"],
    ));
    assert!(line.starts_with("listening on http://0.0.0.0:"), "{line}");
    drop(serve);
}

#[test]
fn keys_are_stored_as_hashes_and_listed_without_them() {
    let dir = TempDir::new("gateway-keys");
    let config = config(dir.path(), json!({"region": "eu-west-1"}));
    let cli = |args: &[&str]| run(dir.path(), &config, args);

    let added = cli(&[
        "gateway",
        "key",
        "add",
        "team-a",
        "--models",
        "us.anthropic.claude-sonnet-4-6, amazon.nova-pro-v1:0",
        "--rpm",
        "60",
    ]);
    assert!(added.status.success(), "{}", text(&added.stderr));
    let stdout = text(&added.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let key = stdout.trim();
    let body = key.strip_prefix("blk-").expect("blk- prefix");
    assert_eq!(body.len(), 43, "{key}");
    assert!(body
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    let stderr = text(&added.stderr);
    assert!(!stderr.contains(key), "the key is printed once, on stdout");

    let json_add = cli(&["gateway", "key", "add", "team-b", "--tpm", "5000", "--json"]);
    assert!(json_add.status.success(), "{}", text(&json_add.stderr));
    let shown: Value = serde_json::from_slice(&json_add.stdout).expect("JSON");
    assert_eq!(shown["name"], "team-b");
    let key_b = shown["key"].as_str().expect("a key").to_owned();

    let stored: Value =
        serde_json::from_str(&std::fs::read_to_string(&config).expect("the config")).expect("JSON");
    assert_eq!(
        stored["region"], "eu-west-1",
        "the rest of the file is kept"
    );
    assert_eq!(
        stored["gateway"]["keys"],
        json!([
            {"name": "team-a", "sha256": hex::encode(Sha256::digest(key.as_bytes())),
             "models": ["us.anthropic.claude-sonnet-4-6", "amazon.nova-pro-v1:0"], "rpm": 60},
            {"name": "team-b", "sha256": hex::encode(Sha256::digest(key_b.as_bytes())), "tpm": 5000}
        ])
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&config)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let duplicate = cli(&["gateway", "key", "add", "team-a"]);
    assert_eq!(duplicate.status.code(), Some(2));
    assert!(duplicate.stdout.is_empty());
    assert!(text(&duplicate.stderr).contains("a gateway key named `team-a` already exists"));
    for bad in [
        &["gateway", "key", "add", "x", "--models", "bad model"][..],
        &["gateway", "key", "add", "x", "--rpm", "0"],
        &["gateway", "key", "add", "two words"],
        &["gateway", "key", "list", "--rpm", "3"],
        &["gateway", "key"],
    ] {
        let output = cli(bad);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{bad:?}: {}",
            text(&output.stderr)
        );
        assert_eq!(text(&output.stderr).lines().count(), 1, "{bad:?}");
    }

    let listed = cli(&["gateway", "key", "list"]);
    assert!(listed.status.success());
    let listed = text(&listed.stdout);
    assert_eq!(
        listed,
        "team-a models=us.anthropic.claude-sonnet-4-6,amazon.nova-pro-v1:0 rpm=60 tpm=-\n\
         team-b models=all rpm=- tpm=5000\n"
    );
    let listed_json = cli(&["gateway", "key", "list", "--json"]);
    let listed_json: Value = serde_json::from_slice(&listed_json.stdout).expect("JSON");
    assert_eq!(
        listed_json,
        json!([
            {"name": "team-a", "models": ["us.anthropic.claude-sonnet-4-6", "amazon.nova-pro-v1:0"], "rpm": 60, "tpm": null},
            {"name": "team-b", "models": null, "rpm": null, "tpm": 5000}
        ])
    );
    let text_of_file = std::fs::read_to_string(&config).expect("the config");
    for hash in [
        hex::encode(Sha256::digest(key.as_bytes())),
        hex::encode(Sha256::digest(key_b.as_bytes())),
    ] {
        assert!(text_of_file.contains(&hash));
        assert!(!listed.contains(&hash) && !listed_json.to_string().contains(&hash));
    }
    assert!(
        !text_of_file.contains(key),
        "the key itself is never stored"
    );

    let missing = cli(&["gateway", "key", "remove", "nobody"]);
    assert_eq!(
        missing.status.code(),
        Some(1),
        "as `config unset` of a key not set"
    );
    assert!(text(&missing.stderr).contains("there is no gateway key named `nobody`"));
    let removed = cli(&["gateway", "key", "remove", "team-a"]);
    assert!(removed.status.success(), "{}", text(&removed.stderr));
    let listed = text(&cli(&["gateway", "key", "list"]).stdout);
    assert_eq!(listed, "team-b models=all rpm=- tpm=5000\n");
}

#[test]
fn a_client_that_goes_away_cancels_the_bedrock_stream() {
    let (_runtime, emulator) = emulator();
    let dir = TempDir::new("serve-cancel");
    let config = config(dir.path(), json!({"gateway": {"keepaliveSeconds": 60}}));
    let serve = Serve::start(
        dir.path(),
        &config,
        Some(&emulator.endpoint()),
        Aws::DemoKeys,
        &[],
    );
    // Seven frames, 3 s apart: the whole stream would take 21 s.
    emulator.script(Reply::Drip {
        delay: Duration::from_secs(3),
    });
    let mut socket = start_stream(&serve.url, "go slowly");
    let mut first = [0u8; 64];
    let n = socket.read(&mut first).expect("the first event");
    assert!(n > 0);
    drop(socket);
    let gone = Instant::now();
    let line = serve
        .wait_for_log(Duration::from_secs(10), |line| {
            line.contains("stream=client_gone")
        })
        .expect("the stream was dropped");
    assert!(
        gone.elapsed() < Duration::from_millis(1500),
        "dropped {:?} after the client went (the next frame was due in 3 s): {line}",
        gone.elapsed()
    );
    assert!(
        line.contains(" POST /v1/chat/completions 200 key=- model=us.anthropic.claude-sonnet-4-6 "),
        "{line}"
    );
}

#[test]
fn sigterm_lets_a_stream_in_flight_finish() {
    a_stop_signal_lets_a_stream_in_flight_finish("TERM");
}

#[test]
fn sigint_lets_a_stream_in_flight_finish() {
    a_stop_signal_lets_a_stream_in_flight_finish("INT");
}

/// After `signal`, the gateway takes no new connection, lets the stream in
/// flight finish, and exits 0.
fn a_stop_signal_lets_a_stream_in_flight_finish(signal: &str) {
    let (_runtime, emulator) = emulator();
    let dir = TempDir::new("serve-stop");
    let config = config(dir.path(), json!({}));
    let mut serve = Serve::start(
        dir.path(),
        &config,
        Some(&emulator.endpoint()),
        Aws::DemoKeys,
        &[],
    );
    emulator.script(Reply::Drip {
        delay: Duration::from_millis(400),
    });
    let mut socket = start_stream(&serve.url, "finish me");
    let address = serve.url.trim_start_matches("http://").to_owned();
    let reader = std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = socket.read_to_string(&mut rest);
        (rest, Instant::now())
    });
    std::thread::sleep(Duration::from_millis(300));
    serve.signal(signal);
    let stopping = Instant::now();
    assert!(
        serve
            .wait_for_log(Duration::from_secs(5), |line| line
                .starts_with("stopping: no new connections"))
            .is_some(),
        "{:?}",
        serve.log()
    );
    assert!(
        TcpStream::connect(&address).is_err(),
        "no new connections once stopping"
    );
    let status = serve.wait(Duration::from_secs(20));
    let (body, finished) = reader.join().expect("the reader");
    assert!(
        finished.duration_since(stopping) > Duration::from_millis(1000),
        "the stream went on after the signal (seven frames 400 ms apart)"
    );
    assert!(body.contains(r#""content":"me""#), "{body}");
    assert!(body.contains(r#""finish_reason":"stop""#), "{body}");
    assert!(
        body.contains("data: [DONE]"),
        "the stream in flight finished: {body}"
    );
    assert_eq!(status.and_then(|s| s.code()), Some(0), "{:?}", serve.log());
    assert!(serve.log().iter().any(|line| line.ends_with("stream=done")));
}

#[test]
fn a_request_body_that_stops_arriving_gets_a_408() {
    let dir = TempDir::new("serve-idle-body");
    let config = config(dir.path(), json!({"gateway": {"idleTimeoutSeconds": 1}}));
    let serve = Serve::start(dir.path(), &config, None, Aws::DemoKeys, &[]);
    let address = serve.url.trim_start_matches("http://");
    let mut socket = TcpStream::connect(address).expect("the gateway accepts");
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("a read timeout");
    write!(
        socket,
        "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"model\": "
    )
    .expect("the request goes out");
    let sent = Instant::now();
    let mut answer = Vec::new();
    socket
        .read_to_end(&mut answer)
        .expect("the gateway answers and closes the connection");
    let waited = sent.elapsed();
    let answer = text(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains(r#""code":"request_timeout""#), "{answer}");
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(4),
        "answered after {waited:?} (idle timeout 1 s)"
    );
    assert!(
        serve
            .wait_for_log(Duration::from_secs(5), |line| line
                .contains(" POST /v1/chat/completions 408 "))
            .is_some(),
        "{:?}",
        serve.log()
    );
}

#[test]
fn a_client_that_stops_reading_frees_its_slot() {
    let (runtime, emulator) = emulator();
    let dir = TempDir::new("serve-idle-write");
    let config = config(
        dir.path(),
        json!({"gateway": {"maxConcurrent": 1, "idleTimeoutSeconds": 2, "keepaliveSeconds": 60}}),
    );
    let serve = Serve::start(
        dir.path(),
        &config,
        Some(&emulator.endpoint()),
        Aws::DemoKeys,
        &[],
    );
    // Far more text than the socket buffers between the gateway and a client
    // with a small receive buffer hold.
    emulator.script(Reply::Text("stalled ".repeat(200_000)));
    let address: std::net::SocketAddr = serve
        .url
        .trim_start_matches("http://")
        .parse()
        .expect("an address");
    let mut stalled = runtime
        .block_on(async {
            let socket = tokio::net::TcpSocket::new_v4()?;
            socket.set_recv_buffer_size(4096)?;
            socket.connect(address).await?.into_std()
        })
        .expect("the gateway accepts");
    stalled.set_nonblocking(false).expect("a blocking socket");
    let head = send_stream(&mut stalled, "never read");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    // The stalled stream holds the only slot...
    let mut second = TcpStream::connect(address).expect("the gateway accepts");
    let busy = send_stream(&mut second, "too soon");
    assert!(busy.starts_with("HTTP/1.1 429"), "{busy}");
    // ...until the gateway gives up writing to it.
    let line = serve
        .wait_for_log(Duration::from_secs(20), |line| {
            line.contains("stream=client_gone")
        })
        .expect("the stalled stream was dropped");
    assert!(line.contains(" 200 key=- "), "{line}");
    let mut third = start_stream(&serve.url, "my turn");
    let mut rest = Vec::new();
    let mut buffer = [0u8; 4096];
    while !text(&rest).contains("data: [DONE]") {
        let n = third.read(&mut buffer).expect("the stream");
        assert!(n > 0, "the stream ended early: {}", text(&rest));
        rest.extend_from_slice(&buffer[..n]);
    }
    assert!(
        text(&rest).contains(r#""content":"turn""#),
        "{}",
        text(&rest)
    );
    drop(stalled);
}
