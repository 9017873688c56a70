//! Faults of the network, the service and the files, each ending in one clear
//! error (through the CLI: one `error: ...` line on stderr and the documented
//! exit code; else the library's typed error), none panicking or hanging:
//! every CLI run is killed (failing the test) past its time limit, and every
//! library call runs under a timeout.
//!
//! The servers are on loopback only: the emulator, a scripted raw HTTP server
//! (`common::raw_http`), a relay that trickles bytes (`common::relay`) and a
//! rustls server (`common::tls`). What each test shows is listed in
//! RELIABILITY.md, "Faults".
#![cfg(all(feature = "emulator", feature = "cli"))]

mod common;

use std::future::Future;
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use bedrock_lite::bedrock::stream::StreamError;
use bedrock_lite::emulator::{Emulator, Reply};
use bedrock_lite::http::{HttpError, HttpRequest, RetryPolicy};
use bedrock_lite::settings::Timeouts;
use bedrock_lite::transport::ServiceErrorKind;
use bedrock_lite::{BedrockError, ConverseRequest, Message};
use bytes::{Bytes, BytesMut};

use common::cli::{Ran, Run, ScratchDir};
use common::raw_http::{self, RawServer, Step};
use common::relay::Relay;

/// A model id the emulator accepts.
const MODEL: &str = "amazon.nova-micro-v1:0";
/// The prompt of most tests, and the echo the emulator streams back for it.
const PROMPT: &str = "one two three four five six seven eight nine ten eleven twelve";
const ECHO: &str = "You said: one two three four five six seven eight nine ten eleven twelve";
/// The address-space cap (MiB) under which the binary must handle a frame or
/// a file that claims gigabytes: far below what obeying the claim would take.
const ADDRESS_SPACE_MIB: u64 = 1024;

/// Runs `future`, failing the test if it takes longer than `limit`.
async fn within<T>(limit: Duration, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(limit, future)
        .await
        .unwrap_or_else(|_| panic!("still running after {limit:?}"))
}

/// `bedrock-lite --endpoint-url ENDPOINT chat -m MODEL ARGS... PROMPT` with the
/// demo keys, in a fresh home.
fn chat(endpoint: &str, args: &[&str]) -> (Run, ScratchDir) {
    let home = ScratchDir::new("faults-home");
    let mut all = vec!["--endpoint-url", endpoint, "chat", "-m", MODEL];
    all.extend_from_slice(args);
    all.push(PROMPT);
    (Run::new(home.path(), &all).demo_keys(), home)
}

/// Runs a chat against `endpoint` with `args` and returns what it gave.
async fn run_chat(endpoint: &str, args: &[&str]) -> Ran {
    let (run, _home) = chat(endpoint, args);
    run.run().await
}

/// A library client of `endpoint` with these timeouts and quick retries.
fn client(endpoint: &str, timeouts: Timeouts) -> bedrock_lite::Client {
    bedrock_lite::Client::new(
        common::emulator_settings(endpoint)
            .timeouts(timeouts)
            .resolve()
            .expect("settings"),
    )
}

fn request() -> ConverseRequest {
    ConverseRequest::new().message(Message::user(PROMPT))
}

/// Streams a chat through the library: the text received, then how the
/// stream ended (`None`: complete).
async fn stream_text(
    client: &bedrock_lite::Client,
) -> Result<(String, Option<StreamError>), BedrockError> {
    let mut stream = client.converse_stream(MODEL, &request()).await?;
    let mut text = String::new();
    while let Some(event) = stream.next_event().await {
        match event {
            Ok(event) => text.push_str(&event.text().unwrap_or_default()),
            Err(error) => return Ok((text, Some(error))),
        }
    }
    Ok((text, None))
}

/// One event-stream frame with these headers and payload.
fn frame(event_type: &'static str, payload: &str) -> Bytes {
    let mut out = BytesMut::new();
    bedrock_lite::eventstream::encode_frame(
        &common::frames::event_headers(event_type),
        payload.as_bytes(),
        &mut out,
    )
    .expect("encodes");
    out.freeze()
}

/// 4 KiB of reproducible noise (xorshift), no valid UTF-8 or JSON.
fn noise() -> Bytes {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    Bytes::from(
        (0..4096)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state.to_le_bytes()[0] | 0x80
            })
            .collect::<Vec<u8>>(),
    )
}

/// A prelude whose total length claims 4 GiB - 1, with a valid prelude CRC,
/// and a few bytes after it.
fn four_gib_prelude() -> Bytes {
    let mut out = Vec::new();
    out.extend_from_slice(&u32::MAX.to_be_bytes());
    out.extend_from_slice(&16u32.to_be_bytes());
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_be_bytes());
    out.extend_from_slice(&[0x5a; 64]);
    Bytes::from(out)
}

// ---------------------------------------------------------------------------
// Broken streams

#[tokio::test]
async fn a_connection_cut_inside_the_first_frame_exits_5_with_nothing_printed() {
    let emulator = Emulator::start(0).await.expect("starts");
    emulator.script(Reply::DropAfter { bytes: 20 });
    let ran = run_chat(&emulator.endpoint(), &[]).await;
    assert_eq!(ran.stdout(), "");
    ran.assert_one_error_line(5, &["error: stream: ", MODEL]);

    // The library: a typed network error of the stream, no text.
    emulator.script(Reply::DropAfter { bytes: 20 });
    let client = client(&emulator.endpoint(), Timeouts::default());
    let (text, error) = within(Duration::from_secs(10), stream_text(&client))
        .await
        .expect("the head arrived");
    assert_eq!(text, "");
    assert!(matches!(error, Some(StreamError::Network(_))), "{error:?}");
}

#[tokio::test]
async fn a_stream_cut_after_output_started_exits_6_and_keeps_what_it_printed() {
    let emulator = Emulator::start(0).await.expect("starts");
    // Cuts a few frames into the answer (the echo's frames are 90 to 160 bytes).
    for cut in [700, 1100] {
        emulator.script(Reply::DropAfter { bytes: cut });
        let ran = run_chat(&emulator.endpoint(), &[]).await;
        let printed = ran.stdout();
        ran.assert_one_error_line(6, &["error: stream: "]);
        assert!(
            printed.starts_with("You said: "),
            "cut at {cut}: {printed:?}"
        );
        let text = printed.trim_end_matches('\n');
        assert!(
            ECHO.starts_with(text) && text.len() < ECHO.len(),
            "cut at {cut}: kept {printed:?}, a strict prefix of the answer"
        );
    }
}

#[tokio::test]
async fn a_frame_claiming_4_gib_is_refused_before_allocating() {
    let emulator = Emulator::start(0).await.expect("starts");
    let start = frame("messageStart", r#"{"role":"assistant"}"#);
    // After a good frame, and as the very first bytes.
    for body in [vec![start, four_gib_prelude()], vec![four_gib_prelude()]] {
        emulator.script(Reply::Frames(body));
        let (run, _home) = chat(&emulator.endpoint(), &[]);
        let ran = run.address_space_mib(ADDRESS_SPACE_MIB).run().await;
        ran.assert_one_error_line(1, &["invalid event stream"]);
    }
    // The same cap lets a normal answer through: the cap is not what failed.
    let (run, _home) = chat(&emulator.endpoint(), &[]);
    let ran = run.address_space_mib(ADDRESS_SPACE_MIB).run().await;
    assert_eq!(ran.code(), Some(0), "{}", ran.stderr());
    assert_eq!(ran.stdout(), format!("{ECHO}\n"));

    // The library: a typed decode error, at once.
    emulator.script(Reply::Frames(vec![four_gib_prelude()]));
    let client = client(&emulator.endpoint(), Timeouts::default());
    let (text, error) = within(Duration::from_secs(10), stream_text(&client))
        .await
        .expect("the head arrived");
    assert_eq!(text, "");
    assert!(matches!(error, Some(StreamError::Decode(_))), "{error:?}");
}

#[tokio::test]
async fn garbage_labelled_as_an_event_stream_exits_1() {
    let emulator = Emulator::start(0).await.expect("starts");
    let mut bad_crc = frame(
        "contentBlockDelta",
        r#"{"contentBlockIndex":0,"delta":{"text":"x"}}"#,
    )
    .to_vec();
    if let Some(last) = bad_crc.last_mut() {
        *last ^= 0xff;
    }
    let bodies: Vec<(&str, Bytes)> = vec![
        ("noise", noise()),
        (
            "html",
            Bytes::from_static(b"<html><body>502 Bad Gateway</body></html>\n"),
        ),
        ("a bad message CRC", Bytes::from(bad_crc)),
        (
            "a short prelude",
            Bytes::from_static(&[0, 0, 0, 9, 0, 0, 0, 0, 1, 2, 3, 4, 5]),
        ),
    ];
    for (what, body) in bodies {
        emulator.script(Reply::Frames(vec![body]));
        let ran = run_chat(&emulator.endpoint(), &[]).await;
        assert_eq!(ran.stdout(), "", "{what}");
        ran.assert_one_error_line(1, &["invalid event stream"]);
    }
}

#[tokio::test]
async fn status_200_with_an_error_json_body_is_an_error_naming_its_message() {
    let body = r#"{"__type":"InternalServerException","message":"Something went wrong upstream"}"#;
    let server = RawServer::answering(
        Ipv4Addr::LOCALHOST,
        raw_http::response(200, &[("content-type", "application/json")], body),
    )
    .await;
    // Converse: the body is not a Converse answer.
    let ran = run_chat(&server.url(), &["--no-stream"]).await;
    assert_eq!(ran.stdout(), "");
    ran.assert_one_error_line(1, &[MODEL, "Something went wrong upstream"]);
    // ConverseStream: the body is not an event stream.
    let ran = run_chat(&server.url(), &[]).await;
    assert_eq!(ran.stdout(), "");
    ran.assert_one_error_line(1, &[MODEL, "Something went wrong upstream"]);
}

// ---------------------------------------------------------------------------
// Slow servers

/// A server that streams "Half an answer", then holds the connection open
/// and sends nothing more.
async fn stalled_after_half_an_answer() -> RawServer {
    let events = [
        frame("messageStart", r#"{"role":"assistant"}"#),
        frame(
            "contentBlockDelta",
            r#"{"contentBlockIndex":0,"delta":{"text":"Half an answer"}}"#,
        ),
    ]
    .concat();
    RawServer::start(Ipv4Addr::LOCALHOST, move |_| {
        vec![
            Step::Write(raw_http::head(
                200,
                &[("content-type", "application/vnd.amazon.eventstream")],
                Some(events.len() + 1000),
            )),
            Step::Write(Bytes::from(events.clone())),
            Step::Hold,
        ]
    })
    .await
}

#[tokio::test]
async fn a_stall_after_some_events_ends_in_an_idle_timeout() {
    let server = stalled_after_half_an_answer().await;
    let idle = Duration::from_millis(300);
    let client = client(
        &server.url(),
        Timeouts {
            idle,
            ..Timeouts::default()
        },
    );
    let started = Instant::now();
    let (text, error) = within(Duration::from_secs(10), stream_text(&client))
        .await
        .expect("the head arrived");
    assert_eq!(text, "Half an answer");
    assert_eq!(error, Some(StreamError::IdleTimeout(idle)));
    assert!(started.elapsed() < idle * 5, "{:?}", started.elapsed());
    assert_eq!(server.seen().len(), 1, "a stream is never sent again");
}

#[tokio::test]
async fn the_cli_idle_timeout_is_set_by_its_variable() {
    let server = stalled_after_half_an_answer().await;
    let (run, _home) = chat(&server.url(), &[]);
    let ran = run
        .env("BEDROCK_LITE_IDLE_TIMEOUT", "1")
        .limit(Duration::from_secs(20))
        .run()
        .await;
    assert_eq!(ran.stdout().trim_end(), "Half an answer");
    ran.assert_one_error_line(6, &["error: stream: ", "1.0 s (idle timeout)"]);
    assert!(ran.elapsed < Duration::from_secs(10), "{:?}", ran.elapsed);
    assert_eq!(server.seen().len(), 1, "a stream is never sent again");

    let (run, _home) = chat(&server.url(), &[]);
    let ran = run.env("BEDROCK_LITE_IDLE_TIMEOUT", "0").run().await;
    ran.assert_one_error_line(
        2,
        &["error: config: BEDROCK_LITE_IDLE_TIMEOUT `0`: expected seconds from 1 to 86400"],
    );
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn a_stall_before_the_response_head_times_out_without_a_resend() {
    let server = RawServer::hanging(Ipv4Addr::LOCALHOST).await;
    let idle = Duration::from_millis(300);
    let client = client(
        &server.url(),
        Timeouts {
            idle,
            ..Timeouts::default()
        },
    );
    let started = Instant::now();
    let error = within(Duration::from_secs(10), stream_text(&client))
        .await
        .expect_err("no head");
    assert_timed_out(&error);
    assert!(started.elapsed() < idle * 5, "{:?}", started.elapsed());
    // A POST that may have run (and be billed) is not sent again.
    assert_eq!(server.seen().len(), 1);
    let shown = error.to_string();
    assert!(
        shown.contains("converse-stream") && !shown.contains('\n'),
        "{shown}"
    );
}

#[tokio::test]
async fn a_one_byte_drip_within_the_idle_timeout_arrives_whole() {
    let emulator = Emulator::start(0).await.expect("starts");
    let relay = Relay::with_trickle(
        emulator
            .endpoint()
            .trim_start_matches("http://")
            .parse()
            .expect("an address"),
        Some(Duration::from_millis(1)),
    )
    .await;
    // The library, with an idle timeout far below the whole answer's time
    // (and above the time the response head takes, which is a total).
    let idle = Duration::from_secs(1);
    let client = client(
        &relay.url(),
        Timeouts {
            idle,
            ..Timeouts::default()
        },
    );
    let started = Instant::now();
    let (text, error) = within(Duration::from_secs(60), stream_text(&client))
        .await
        .expect("a stream");
    assert_eq!(error, None);
    assert_eq!(text, ECHO);
    assert!(
        started.elapsed() > idle,
        "the drip took longer than the idle timeout: {:?}",
        started.elapsed()
    );
    // The CLI.
    let ran = run_chat(&relay.url(), &[]).await;
    assert_eq!(ran.code(), Some(0), "{}", ran.stderr());
    assert_eq!(ran.stdout(), format!("{ECHO}\n"));
}

// ---------------------------------------------------------------------------
// Throttling

#[tokio::test]
async fn a_429_storm_is_retried_a_bounded_number_of_times() {
    let emulator = Emulator::start(0).await.expect("starts");
    for _ in 0..50 {
        emulator.script(Reply::Throttle);
    }
    // The CLI: the standard policy, 3 attempts, at most 1 s + 2 s of backoff.
    let ran = run_chat(&emulator.endpoint(), &[]).await;
    ran.assert_one_error_line(5, &["error: throttled: ", "ThrottlingException"]);
    assert_eq!(emulator.requests().len(), 3);
    assert!(ran.elapsed < Duration::from_secs(6), "{:?}", ran.elapsed);

    // The library: exactly `max_attempts`, and no more than the backoff ceilings.
    let policy = RetryPolicy {
        max_attempts: 5,
        initial_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(80),
    };
    let client = bedrock_lite::Client::new(
        common::emulator_settings(&emulator.endpoint())
            .retry(policy)
            .resolve()
            .expect("settings"),
    );
    let before = emulator.requests().len();
    let started = Instant::now();
    let error = within(Duration::from_secs(10), client.converse(MODEL, &request()))
        .await
        .expect_err("throttled");
    assert_eq!(error.service_kind(), Some(ServiceErrorKind::Throttled));
    assert_eq!(emulator.requests().len() - before, 5);
    // Backoff ceilings 20 + 40 + 80 + 80 ms, plus the calls themselves.
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

// ---------------------------------------------------------------------------
// Redirects and TLS

#[tokio::test]
async fn a_redirect_to_another_host_is_never_followed() {
    // The other host: 127.0.0.2, which must never be asked anything.
    let elsewhere = RawServer::answering(
        Ipv4Addr::new(127, 0, 0, 2),
        raw_http::response(200, &[], "{}"),
    )
    .await;
    let location = format!("{}/model/{MODEL}/converse-stream", elsewhere.url());
    let redirecting = RawServer::answering(
        Ipv4Addr::LOCALHOST,
        raw_http::response(302, &[("location", &location)], ""),
    )
    .await;
    // SigV4, then a bearer token.
    let ran = run_chat(&redirecting.url(), &[]).await;
    ran.assert_one_error_line(
        4,
        &[
            MODEL,
            "302",
            "a redirect to http://127.0.0.2:",
            "not followed",
        ],
    );
    let (run, _home) = chat(&redirecting.url(), &["--no-stream"]);
    let ran = run
        .env("AWS_BEARER_TOKEN_BEDROCK", "bedrock-api-key-redirect-test")
        .run()
        .await;
    ran.assert_one_error_line(
        4,
        &[
            MODEL,
            "302",
            "a redirect to http://127.0.0.2:",
            "not followed",
        ],
    );
    let asked = redirecting.seen();
    assert_eq!(asked.len(), 2, "one request each, not retried");
    assert!(asked[0]
        .header("authorization")
        .is_some_and(|a| a.starts_with("AWS4-HMAC-SHA256")));
    assert_eq!(
        asked[1].header("authorization"),
        Some("Bearer bedrock-api-key-redirect-test")
    );
    assert!(elsewhere.seen().is_empty(), "the redirect was followed");

    // The HTTP client itself hands the 302 back.
    let http = common::emulator_settings(&redirecting.url())
        .resolve()
        .expect("settings")
        .http;
    let response = http
        .send(HttpRequest {
            method: "GET".into(),
            uri: format!("{}/anything", redirecting.url()),
            headers: vec![("authorization".into(), "Bearer secret".into())],
            body: Bytes::new(),
            connect_timeout: Duration::from_secs(2),
            response_timeout: Duration::from_secs(5),
            direct: true,
        })
        .await
        .expect("a response");
    assert_eq!(response.status, 302);
    assert!(elsewhere.seen().is_empty(), "the redirect was followed");
}

#[tokio::test]
async fn a_tls_certificate_for_another_name_is_refused() {
    let dir = ScratchDir::new("faults-tls");
    let other = ScratchDir::new("faults-tls-other");
    let (Some(for_localhost), Some(for_other)) = (
        common::tls::TestCerts::generate(dir.path(), "localhost"),
        common::tls::TestCerts::generate(other.path(), "other.example"),
    ) else {
        return;
    };
    let rejection = common::tls::answer_saying("reached over TLS");
    // The control: the same kind of certificate, for the right name, trusted
    // the same way, is accepted (the request arrives and its answer is shown).
    let server = common::tls::TlsServer::start(&for_localhost, rejection.clone());
    let endpoint = format!("https://localhost:{}", server.port());
    let (run, _home) = chat(&endpoint, &[]);
    let ran = run.env("AWS_CA_BUNDLE", &for_localhost.ca).run().await;
    ran.assert_one_error_line(4, &["reached over TLS"]);
    assert_eq!(server.requests(), 1);

    // A certificate for `other.example`, its CA trusted, reached as `localhost`
    // and as `127.0.0.1`: refused, nothing sent.
    let server = common::tls::TlsServer::start(&for_other, rejection);
    for host in ["localhost", "127.0.0.1"] {
        let endpoint = format!("https://{host}:{}", server.port());
        let (run, _home) = chat(&endpoint, &[]);
        let ran = run.env("AWS_CA_BUNDLE", &for_other.ca).run().await;
        let line = ran.assert_one_error_line(5, &["error: network: ", "certificate"]);
        assert!(!line.contains("reached over TLS"), "{line}");
    }
    assert_eq!(server.handshakes(), 0);
    assert_eq!(server.requests(), 0);
}

#[tokio::test]
async fn a_profile_ca_bundle_is_trusted_and_without_it_the_certificate_is_refused() {
    let dir = ScratchDir::new("faults-profile-ca");
    let Some(certs) = common::tls::TestCerts::generate(dir.path(), "localhost") else {
        return;
    };
    let rejection = common::tls::answer_saying("reached over TLS");
    let server = common::tls::TlsServer::start(&certs, rejection);
    let endpoint = format!("https://localhost:{}", server.port());
    let profiles = format!(
        "[profile tls]\nregion = us-east-1\nca_bundle = {}\n[profile plain]\nregion = us-east-1\n",
        certs.ca.display()
    );
    // With the profile's bundle: the certificate is trusted, the call arrives.
    let (run, home) = chat(&endpoint, &[]);
    home.write(".aws/config", &profiles);
    let ran = run.env("AWS_PROFILE", "tls").run().await;
    ran.assert_one_error_line(4, &["reached over TLS"]);
    assert_eq!(server.requests(), 1);
    // Without it: the certificate error, nothing sent.
    let (run, home) = chat(&endpoint, &[]);
    home.write(".aws/config", &profiles);
    let ran = run.env("AWS_PROFILE", "plain").run().await;
    ran.assert_one_error_line(5, &["error: network: ", "certificate"]);
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn a_bad_profile_ca_bundle_is_an_error_naming_the_profile_and_the_file() {
    let (run, home) = chat("https://localhost:9", &[]);
    let missing = home.path().join("missing-ca.pem");
    home.write(
        ".aws/config",
        format!(
            "[profile corp]\nregion = us-east-1\nca_bundle = {}\n",
            missing.display()
        ),
    );
    let ran = run.env("AWS_PROFILE", "corp").run().await;
    ran.assert_one_error_line(
        2,
        &[
            "error: config: `ca_bundle` in profile `corp`: ",
            &missing.display().to_string(),
        ],
    );
    // A file that is there but holds no certificate: said at the first https
    // connection (once TCP is up), naming the profile and the file.
    let server = RawServer::hanging(Ipv4Addr::LOCALHOST).await;
    let endpoint = format!("https://localhost:{}", server.addr().port());
    let (run, home) = chat(&endpoint, &[]);
    let garbage = home.write("garbage-ca.pem", "not a certificate\n");
    home.write(
        ".aws/config",
        format!(
            "[profile corp]\nregion = us-east-1\nca_bundle = {}\n",
            garbage.display()
        ),
    );
    let ran = run.env("AWS_PROFILE", "corp").run().await;
    ran.assert_one_error_line(
        5,
        &[
            "`ca_bundle` in profile `corp`: ",
            &garbage.display().to_string(),
            "no PEM certificate",
        ],
    );
}

#[tokio::test]
async fn an_unreadable_ca_bundle_is_a_config_error_naming_it_and_its_variable() {
    let home = ScratchDir::new("faults-ca-bundle");
    let ran = Run::new(home.path(), &["chat", "-m", "m", "hi"])
        .demo_keys()
        .env("AWS_CA_BUNDLE", "/nonexistent")
        .run()
        .await;
    ran.assert_one_error_line(2, &["AWS_CA_BUNDLE", "/nonexistent"]);
}

// ---------------------------------------------------------------------------
// Credential sources that hang or answer garbage

/// A server answering 200 with [`noise`] to everything.
async fn garbage_server() -> RawServer {
    RawServer::answering(Ipv4Addr::LOCALHOST, raw_http::response(200, &[], noise())).await
}

/// `bedrock-lite credentials` in `home` with `env`, at most `limit`.
async fn credentials(home: &ScratchDir, env: &[(&str, &str)], limit: Duration) -> Ran {
    let mut run = Run::new(home.path(), &["credentials"]).limit(limit);
    for (name, value) in env {
        run = run.env(name, value);
    }
    run.run().await
}

#[tokio::test]
async fn an_imds_that_hangs_or_answers_garbage_ends_the_chain_naming_it() {
    let (hanging, garbage) = (
        RawServer::hanging(Ipv4Addr::LOCALHOST).await,
        garbage_server().await,
    );
    let home = ScratchDir::new("faults-imds");
    let imds = |server: &RawServer| {
        let home = &home;
        let endpoint = server.url();
        async move {
            let run = Run::new(home.path(), &["credentials"])
                .env_remove("AWS_EC2_METADATA_DISABLED")
                .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", endpoint)
                .limit(Duration::from_secs(30));
            run.run().await
        }
    };
    let (hung, answered) = tokio::join!(imds(&hanging), imds(&garbage));
    // A silent IMDS is "not on EC2": the chain ends with every source named.
    hung.assert_one_error_line(3, &["error: credentials: ", "imds"]);
    assert!(hung.elapsed < Duration::from_secs(10), "{:?}", hung.elapsed);
    assert!(!hanging.seen().is_empty(), "IMDS was asked");
    answered.assert_one_error_line(3, &["error: credentials: ", "imds"]);
    assert!(
        answered.elapsed < Duration::from_secs(10),
        "{:?}",
        answered.elapsed
    );
    assert!(!garbage.seen().is_empty(), "IMDS was asked");
}

/// The shared files of a profile `role` that assumes a role with `base`'s keys.
fn assume_role_home() -> ScratchDir {
    let home = ScratchDir::new("faults-sts");
    home.write(
        ".aws/config",
        "[profile role]\nrole_arn = arn:aws:iam::123456789012:role/faults\nsource_profile = base\n\
         [profile base]\nregion = us-east-1\n",
    );
    home.write(
        ".aws/credentials",
        "[base]\naws_access_key_id = AKIDBASE0000FAULTS\naws_secret_access_key = base-secret-for-faults\n",
    );
    home
}

#[tokio::test]
async fn an_sts_that_hangs_or_answers_garbage_is_an_error_naming_sts() {
    let (hanging, garbage) = (
        RawServer::hanging(Ipv4Addr::LOCALHOST).await,
        garbage_server().await,
    );
    let home = assume_role_home();
    let sts = |server: &RawServer| {
        let url = server.url();
        let home = &home;
        async move {
            let env = [
                ("AWS_PROFILE", "role"),
                ("AWS_REGION", "us-east-1"),
                ("AWS_ENDPOINT_URL_STS", url.as_str()),
            ];
            credentials(home, &env, Duration::from_secs(60)).await
        }
    };
    let (hung, answered) = tokio::join!(sts(&hanging), sts(&garbage));
    // Three attempts of at most 10 s each (STS's read timeout), then the error.
    let line =
        hung.assert_one_error_line(3, &["error: credentials: ", "sts: AssumeRole", "timed out"]);
    assert!(
        line.contains("arn:aws:iam::123456789012:role/faults"),
        "{line}"
    );
    assert!(hung.elapsed < Duration::from_secs(40), "{:?}", hung.elapsed);
    assert_eq!(hanging.seen().len(), 3);
    answered.assert_one_error_line(3, &["error: credentials: ", "sts: AssumeRole"]);
    assert!(
        answered.elapsed < Duration::from_secs(5),
        "{:?}",
        answered.elapsed
    );
    assert_eq!(garbage.seen().len(), 1, "a garbage answer is final");
}

#[tokio::test]
async fn an_sso_portal_that_hangs_or_answers_garbage_is_an_error_naming_sso() {
    let (hanging, garbage) = (
        RawServer::hanging(Ipv4Addr::LOCALHOST).await,
        garbage_server().await,
    );
    let home = ScratchDir::new("faults-sso");
    home.write(
        ".aws/config",
        "[profile dev]\nsso_session = faults\nsso_account_id = 123456789012\nsso_role_name = Faults\n\
         [sso-session faults]\nsso_region = us-east-1\nsso_start_url = https://faults.awsapps.com/start\n",
    );
    home.write(
        &common::sso_cache::file_for("faults"),
        r#"{"accessToken":"sso-token-for-faults","expiresAt":"2100-01-01T00:00:00Z"}"#,
    );
    let sso = |server: &RawServer| {
        let url = server.url();
        let home = &home;
        async move {
            let env = [
                ("AWS_PROFILE", "dev"),
                ("AWS_ENDPOINT_URL_SSO", url.as_str()),
            ];
            credentials(home, &env, Duration::from_secs(60)).await
        }
    };
    let (hung, answered) = tokio::join!(sso(&hanging), sso(&garbage));
    hung.assert_one_error_line(
        3,
        &[
            "error: credentials: ",
            "sso: GetRoleCredentials",
            "timed out",
        ],
    );
    assert!(hung.elapsed < Duration::from_secs(40), "{:?}", hung.elapsed);
    assert_eq!(hanging.seen().len(), 3);
    answered.assert_one_error_line(3, &["error: credentials: ", "sso: GetRoleCredentials"]);
    assert!(
        answered.elapsed < Duration::from_secs(5),
        "{:?}",
        answered.elapsed
    );
    // The token went to the portal, never to the output.
    assert_eq!(
        garbage.seen()[0].header("x-amz-sso_bearer_token"),
        Some("sso-token-for-faults")
    );
    for ran in [&hung, &answered] {
        assert!(!ran.stderr().contains("sso-token-for-faults"));
    }
}

/// `chat` against a loopback server with profile `p` whose credentials come
/// from `credential_process = COMMAND`, the process limited to `TIMEOUT` s.
async fn chat_with_credential_process(command: &str, timeout: &str) -> Ran {
    let server = RawServer::hanging(Ipv4Addr::LOCALHOST).await;
    let home = ScratchDir::new("faults-process");
    home.write(
        ".aws/config",
        format!("[profile p]\nregion = us-east-1\ncredential_process = {command}\n"),
    );
    let endpoint = server.url();
    let ran = Run::new(
        home.path(),
        &["--endpoint-url", &endpoint, "chat", "-m", MODEL, PROMPT],
    )
    .env("AWS_PROFILE", "p")
    .env("BEDROCK_LITE_CREDENTIAL_PROCESS_TIMEOUT", timeout)
    .limit(Duration::from_secs(20))
    .run()
    .await;
    assert!(
        server.seen().is_empty(),
        "nothing is sent without credentials"
    );
    ran
}

#[tokio::test]
async fn a_credential_process_that_hangs_is_stopped_at_its_time_limit() {
    let ran = chat_with_credential_process("sleep 30", "1").await;
    ran.assert_one_error_line(
        3,
        &[
            "profile `p`",
            "did not finish within 1 s",
            "BEDROCK_LITE_CREDENTIAL_PROCESS_TIMEOUT",
        ],
    );
    assert!(ran.elapsed < Duration::from_secs(8), "{:?}", ran.elapsed);
}

#[tokio::test]
async fn a_credential_process_that_prints_endlessly_is_stopped_at_the_cap() {
    // The time limit is far off: the output cap alone stops it.
    let ran = chat_with_credential_process("yes", "60").await;
    ran.assert_one_error_line(3, &["profile `p`", "output is over 65536 bytes"]);
    assert!(ran.elapsed < Duration::from_secs(8), "{:?}", ran.elapsed);
}

// ---------------------------------------------------------------------------
// Credential files that are unreadable, empty, binary or huge

/// `credentials` with `contents` as the shared credentials file.
async fn with_credentials_file(contents: &[u8]) -> (Ran, ScratchDir) {
    let home = ScratchDir::new("faults-files");
    home.write(".aws/credentials", contents);
    (credentials(&home, &[], Duration::from_secs(30)).await, home)
}

#[tokio::test]
async fn an_empty_credentials_file_is_no_credentials() {
    let (ran, _home) = with_credentials_file(b"").await;
    ran.assert_one_error_line(3, &["no usable credentials", "profile"]);
}

#[tokio::test]
async fn a_binary_credentials_file_is_an_error_naming_it() {
    let (ran, home) = with_credentials_file(&noise()).await;
    let path = home.path().join(".aws/credentials");
    ran.assert_one_error_line(2, &[&path.display().to_string(), "UTF-8"]);
    // Valid UTF-8 but control characters and NULs.
    let (ran, home) = with_credentials_file(b"\0\x01[default\x02\n\x7f\x1b[31m = \0\n").await;
    let path = home.path().join(".aws/credentials");
    ran.assert_one_error_line(2, &[&path.display().to_string()]);
    assert!(
        !ran.stderr().contains('\u{1b}'),
        "a terminal escape went out"
    );
}

#[tokio::test]
async fn an_unreadable_credentials_file_is_an_error_naming_it() {
    use std::os::unix::fs::PermissionsExt;
    // A folder where the file should be: unreadable for everyone, root included.
    let home = ScratchDir::new("faults-files");
    std::fs::create_dir_all(home.path().join(".aws/credentials")).expect("a folder");
    let ran = credentials(&home, &[], Duration::from_secs(30)).await;
    let path = home.path().join(".aws/credentials");
    ran.assert_one_error_line(2, &[&path.display().to_string(), "cannot read"]);

    // Mode 000: root reads it anyway, so that case only runs for other users.
    let running_as_root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.starts_with(b"0\n"));
    if running_as_root {
        eprintln!("note: running as root, which reads a mode-000 file: that case is skipped");
        return;
    }
    let home = ScratchDir::new("faults-files");
    let path = home.write(".aws/credentials", "[default]\n");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let ran = credentials(&home, &[], Duration::from_secs(30)).await;
    ran.assert_one_error_line(2, &[&path.display().to_string(), "ermission denied"]);
}

#[tokio::test]
async fn huge_files_are_refused_with_little_memory() {
    // Sparse files of 4 GiB: free to make, and far above the address-space cap.
    let home = ScratchDir::new("faults-files");
    let huge = |relative: &str| {
        let path = home.write(relative, "");
        std::fs::File::options()
            .write(true)
            .open(&path)
            .and_then(|file| file.set_len(4 << 30))
            .expect("a sparse file");
        path
    };
    let credentials_file = huge(".aws/credentials");
    let ran = Run::new(home.path(), &["credentials"])
        .address_space_mib(ADDRESS_SPACE_MIB)
        .limit(Duration::from_secs(30))
        .run()
        .await;
    ran.assert_one_error_line(2, &[&credentials_file.display().to_string(), "larger than"]);
    assert!(ran.elapsed < Duration::from_secs(5), "{:?}", ran.elapsed);

    std::fs::remove_file(&credentials_file).expect("rm");
    let config_file = huge(".config/bedrock-lite/config.json");
    let ran = Run::new(home.path(), &["credentials"])
        .address_space_mib(ADDRESS_SPACE_MIB)
        .limit(Duration::from_secs(30))
        .run()
        .await;
    ran.assert_one_error_line(2, &[&config_file.display().to_string(), "larger than"]);
    assert!(ran.elapsed < Duration::from_secs(5), "{:?}", ran.elapsed);
}

#[tokio::test]
async fn a_non_streaming_call_waits_for_its_own_response_timeout() {
    let server = RawServer::hanging(Ipv4Addr::LOCALHOST).await;
    let response = Duration::from_millis(800);
    let client = client(
        &server.url(),
        Timeouts {
            idle: Duration::from_millis(100),
            response,
            ..Timeouts::default()
        },
    );
    let started = Instant::now();
    let error = within(Duration::from_secs(10), client.converse(MODEL, &request()))
        .await
        .expect_err("no answer");
    let waited = started.elapsed();
    assert_timed_out(&error);
    // Converse is not cut at the (much shorter) idle timeout of streams...
    assert!(waited >= response, "{waited:?}");
    assert!(waited < response * 4, "{waited:?}");
    // ...and a POST that may have run is not sent again.
    assert_eq!(server.seen().len(), 1);
}

/// Asserts that `error` is a network timeout.
fn assert_timed_out(error: &BedrockError) {
    assert!(
        matches!(
            error,
            BedrockError::Network {
                source: HttpError::Timeout(_),
                ..
            }
        ),
        "{error:?}"
    );
}
