//! A local HTTPS server (rustls, ring) with a certificate made at test time by
//! the `openssl` command: a test CA and a server certificate it signed for one
//! DNS name. Trust the CA (its PEM file through `AWS_CA_BUNDLE`) and reach the
//! server under another name to see the name check refuse it.
//!
//! Bounded: the server accepts at most 16 connections, each with 5 s read
//! and write timeouts, and stops when dropped (or after 60 s).

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// A test CA and a server certificate signed by it.
pub struct TestCerts {
    /// The CA certificate (PEM): what the client trusts.
    pub ca: PathBuf,
    /// The server certificate (PEM).
    pub cert: PathBuf,
    /// The server's private key (PEM).
    pub key: PathBuf,
}

impl TestCerts {
    /// Makes a CA and a certificate for `dns_name` in `dir` with `openssl`.
    /// `None` (said loudly on stderr) when `openssl` is not on the machine;
    /// in CI (`CI` set, or `BEDROCK_LITE_REQUIRE_VECTORS=1` as `.ci/run` sets
    /// it) a missing `openssl` fails the test instead.
    pub fn generate(dir: &Path, dns_name: &str) -> Option<TestCerts> {
        if Command::new("openssl").arg("version").output().is_err() {
            let required = std::env::var_os("CI").is_some_and(|v| !v.is_empty())
                || std::env::var("BEDROCK_LITE_REQUIRE_VECTORS").is_ok_and(|v| v == "1");
            assert!(
                !required,
                "`openssl` is not on this machine, and CI requires the TLS tests \
                 (CI or BEDROCK_LITE_REQUIRE_VECTORS=1): install it"
            );
            eprintln!("\n!!!! `openssl` is not on this machine: the TLS test did NOT run !!!!\n");
            return None;
        }
        let ca = dir.join("ca.pem");
        let ca_key = dir.join("ca.key");
        let cert = dir.join("server.pem");
        let key = dir.join("server.key");
        let csr = dir.join("server.csr");
        let extensions = dir.join("server.ext");
        std::fs::write(
            &extensions,
            format!(
                "basicConstraints = critical, CA:FALSE\n\
                 keyUsage = critical, digitalSignature\n\
                 extendedKeyUsage = serverAuth\n\
                 subjectAltName = DNS:{dns_name}\n"
            ),
        )
        .expect("extensions file");
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
        ];
        openssl(
            &[
                &["req", "-x509"][..],
                &ec,
                &["-days", "2", "-subj", "/CN=bedrock-lite test CA"],
                &["-addext", "basicConstraints = critical, CA:TRUE"],
                &["-addext", "keyUsage = critical, keyCertSign"],
            ]
            .concat(),
            &[("-keyout", &ca_key), ("-out", &ca)],
        );
        openssl(
            &[&["req"][..], &ec, &["-subj", &format!("/CN={dns_name}")]].concat(),
            &[("-keyout", &key), ("-out", &csr)],
        );
        openssl(
            &["x509", "-req", "-days", "2", "-set_serial", "2"],
            &[
                ("-in", &csr),
                ("-CA", &ca),
                ("-CAkey", &ca_key),
                ("-extfile", &extensions),
                ("-out", &cert),
            ],
        );
        Some(TestCerts { ca, cert, key })
    }
}

/// Runs `openssl args... path-args...` and fails the test if it fails.
fn openssl(args: &[&str], paths: &[(&str, &PathBuf)]) {
    let mut command = Command::new("openssl");
    command.args(args);
    for (flag, path) in paths {
        command.arg(flag).arg(path);
    }
    let output = command.output().expect("openssl runs");
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A Bedrock `ValidationException` answer saying `message`: what a test's
/// [`TlsServer`] serves to show that a request reached it.
pub fn answer_saying(message: &str) -> bytes::Bytes {
    super::raw_http::response(
        400,
        &[
            ("content-type", "application/json"),
            ("x-amzn-errortype", "ValidationException"),
        ],
        format!(r#"{{"message":"{message}"}}"#),
    )
}

/// A running HTTPS server on 127.0.0.1.
pub struct TlsServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    /// Connections whose handshake completed.
    handshakes: Arc<AtomicUsize>,
    /// Requests read after a handshake.
    requests: Arc<AtomicUsize>,
}

impl TlsServer {
    /// Serves `response` (a whole HTTP response) to each request, over TLS
    /// with `certs`' server certificate.
    pub fn start(certs: &TestCerts, response: bytes::Bytes) -> TlsServer {
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&certs.cert)
            .expect("the certificate file")
            .collect::<Result<_, _>>()
            .expect("a PEM certificate");
        let key = PrivateKeyDer::from_pem_file(&certs.key).expect("a PEM key");
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .expect("a server config");
        let config = Arc::new(config);
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1");
        listener.set_nonblocking(true).expect("non-blocking");
        let addr = listener.local_addr().expect("local address");
        let stop = Arc::new(AtomicBool::new(false));
        let handshakes = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(AtomicUsize::new(0));
        let (flag, shook, read) = (stop.clone(), handshakes.clone(), requests.clone());
        std::thread::spawn(move || {
            let started = Instant::now();
            let mut served = 0;
            while !flag.load(Ordering::Relaxed)
                && served < 16
                && started.elapsed() < Duration::from_secs(60)
            {
                match listener.accept() {
                    Ok((stream, _)) => {
                        served += 1;
                        serve(stream, &config, &response, &shook, &read);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        TlsServer {
            addr,
            stop,
            handshakes,
            requests,
        }
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Connections whose TLS handshake completed.
    pub fn handshakes(&self) -> usize {
        self.handshakes.load(Ordering::Relaxed)
    }

    /// Requests read over a completed handshake.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// One connection: the handshake, one request head, the response.
fn serve(
    stream: std::net::TcpStream,
    config: &Arc<rustls::ServerConfig>,
    response: &[u8],
    handshakes: &AtomicUsize,
    requests: &AtomicUsize,
) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
    let Ok(connection) = rustls::ServerConnection::new(Arc::clone(config)) else {
        return;
    };
    let mut tls = rustls::StreamOwned::new(connection, stream);
    while tls.conn.is_handshaking() {
        if tls.conn.complete_io(&mut tls.sock).is_err() {
            return;
        }
    }
    handshakes.fetch_add(1, Ordering::Relaxed);
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 64 * 1024 {
        match tls.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    requests.fetch_add(1, Ordering::Relaxed);
    let _ = tls.write_all(response);
    let _ = tls.flush();
    tls.conn.send_close_notify();
    let _ = tls.conn.complete_io(&mut tls.sock);
}
