//! `bedrock-lite serve [--listen HOST:PORT]`: the OpenAI-compatible gateway
//! ([`bedrock_lite::gateway::Gateway`]) in the foreground.
//!
//! It listens on `--listen`, else the config's `gateway.listen`, else
//! `127.0.0.1:4600` (port 0 picks a free one), and when ready prints one line
//! to stdout: `listening on http://HOST:PORT` (`{"url": "http://HOST:PORT"}`
//! with `--json`). With no gateway keys configured it serves on loopback only
//! (elsewhere: exit 2). One access-log line per request goes to stderr.
//! A request body that stops arriving for `gateway.idleTimeoutSeconds` (30)
//! gets a 408, and a client that stops reading a response for as long is
//! disconnected. SIGINT or SIGTERM stops it: no new connections, requests in flight get up
//! to 30 s to finish, then exit 0.

use std::io::Write;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use bedrock_lite::gateway::Gateway;
use bedrock_lite::server::ServerOptions;
use lexopt::Arg;
use tokio::net::{TcpListener, TcpSocket};

use crate::args::{self, Globals};
use crate::context;
use crate::error::{CliError, Exit};

/// Where the gateway listens when neither `--listen` nor `gateway.listen` says.
const DEFAULT_LISTEN: &str = "127.0.0.1:4600";

/// Connections the kernel may queue before they are accepted (capped by the
/// system's `somaxconn`): a burst of clients is queued, not made to retry.
const LISTEN_BACKLOG: u32 = 4096;

/// Runs `bedrock-lite serve ...`.
pub fn run(parser: &mut lexopt::Parser, globals: &mut Globals) -> Result<(), CliError> {
    let mut listen = None;
    while let Some(flag) = args::next_flag(parser, globals)? {
        match flag.as_arg() {
            Arg::Long("listen") => listen = Some(args::string_value(parser, "--listen")?),
            other => return Err(args::unexpected(&other, "serve")),
        }
    }
    let client = context::client(globals, None)?;
    let listen = listen
        .or_else(|| client.settings().config.gateway.listen.clone())
        .unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
    let address = resolve(&listen)?;
    let idle_timeout = client.settings().config.gateway.idle_timeout_seconds;
    let access_log = Arc::new(|line: &str| eprintln!("{line}"));
    let gateway = Gateway::new(client, Some(access_log));
    gateway
        .check_listen_address(address)
        .map_err(|refused| CliError::new("serve", refused.to_string(), Exit::Usage))?;
    let json = globals.json;
    runtime()?.block_on(async move {
        let stop = stop_signal()?;
        let listener = bind(address).map_err(|e| {
            CliError::new(
                "serve",
                format!("cannot listen on {address}: {e}"),
                Exit::Other,
            )
        })?;
        let bound = listener
            .local_addr()
            .map_err(|e| CliError::io("the listening socket", e))?;
        announce(bound, json)?;
        let options = ServerOptions {
            idle_timeout: Duration::from_secs(u64::from(idle_timeout)),
            ..ServerOptions::default()
        };
        let grace = options.grace.as_secs();
        let stop = async move {
            stop.await;
            eprintln!("stopping: no new connections; requests in flight have {grace} s to finish");
        };
        gateway.serve(listener, options, stop).await;
        Ok(())
    })
}

/// `HOST:PORT` as an address (a name is looked up; its first address is used).
fn resolve(listen: &str) -> Result<SocketAddr, CliError> {
    let bad = |why: String| CliError::usage(format!("--listen `{listen}`: {why}"));
    listen
        .to_socket_addrs()
        .map_err(|e| bad(format!("expected HOST:PORT ({e})")))?
        .next()
        .ok_or_else(|| bad("the host has no address".to_owned()))
}

/// A listening socket on `address` with a deep accept queue.
fn bind(address: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = match address {
        SocketAddr::V4(_) => TcpSocket::new_v4()?,
        SocketAddr::V6(_) => TcpSocket::new_v6()?,
    };
    // As `TcpListener::bind` does: a restarted gateway gets its port back at once.
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(address)?;
    socket.listen(LISTEN_BACKLOG)
}

/// A runtime on every core: the gateway serves many clients at once.
fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::new("runtime", e.to_string(), Exit::Other))
}

/// The ready line on stdout, flushed (tests and supervisors wait for it).
fn announce(address: SocketAddr, json: bool) -> Result<(), CliError> {
    let url = format!("http://{address}");
    let line = if json {
        serde_json::json!({ "url": url }).to_string()
    } else {
        format!("listening on {url}")
    };
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}")
        .and_then(|()| stdout.flush())
        .map_err(|e| CliError::io("stdout", e))
}

/// Resolves at the first SIGINT or SIGTERM (Ctrl-C elsewhere). The handlers
/// are installed now, so that a signal that comes early is not lost.
#[cfg(unix)]
fn stop_signal() -> Result<impl std::future::Future<Output = ()>, CliError> {
    use tokio::signal::unix::{signal, SignalKind};
    let install = |kind: SignalKind, name: &str| {
        signal(kind)
            .map_err(|e| CliError::new("serve", format!("cannot handle {name}: {e}"), Exit::Other))
    };
    let mut interrupt = install(SignalKind::interrupt(), "SIGINT")?;
    let mut terminate = install(SignalKind::terminate(), "SIGTERM")?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}

/// Resolves at the first Ctrl-C.
#[cfg(not(unix))]
fn stop_signal() -> Result<impl std::future::Future<Output = ()>, CliError> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
