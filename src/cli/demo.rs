//! `bedrock-lite demo`: starts the emulator on a free loopback port and streams
//! one chat through the whole real path (credential chain from a temporary
//! profile, SigV4, HTTP, the event-stream decoder). No AWS account needed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bedrock_lite::bedrock::error::BedrockError;
use bedrock_lite::config::write_atomically;
use bedrock_lite::emulator::{Emulator, DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY};
use bedrock_lite::env::Env;
use bedrock_lite::settings::Settings;
use bedrock_lite::types::{ContentBlockDelta, ConverseRequest, Message, StreamEvent, TokenUsage};
use bedrock_lite::Client;

use crate::args::{self, Globals};
use crate::context;
use crate::error::{CliError, Exit};

/// The profile written into the temporary config file.
const PROFILE: &str = "bedrock-lite-demo";
/// The region of that profile.
const REGION: &str = "us-east-1";
/// The model asked (the emulator answers for any id; `:` tests path encoding).
const MODEL: &str = "bedrock-lite.echo-v1:0";
/// What the demo says.
const PROMPT: &str = "Hello from bedrock-lite! Is the whole path working?";

/// Runs `bedrock-lite demo`.
pub fn run(parser: &mut lexopt::Parser, globals: &mut Globals) -> Result<(), CliError> {
    if let Some(flag) = args::next_flag(parser, globals)? {
        return Err(args::unexpected(&flag.as_arg(), "demo"));
    }
    let home = TempHome::create()?;
    context::runtime()?.block_on(demo(&home.path))
}

/// A temporary directory with the demo's AWS config, removed when dropped:
/// made fresh (never one that already exists) and private (0700), its files
/// written 0600 without following a link planted at their paths.
struct TempHome {
    path: PathBuf,
}

impl TempHome {
    fn create() -> Result<Self, CliError> {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.subsec_nanos());
        let path =
            std::env::temp_dir().join(format!("bedrock-lite-demo-{}-{nanos}", std::process::id()));
        let mut folder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut folder, 0o700);
        folder
            .create(&path)
            .map_err(|e| CliError::io("creating a temporary directory", e))?;
        let home = TempHome { path };
        let config = format!(
            "[profile {PROFILE}]\nregion = {REGION}\naws_access_key_id = {DEMO_ACCESS_KEY_ID}\naws_secret_access_key = {DEMO_SECRET_ACCESS_KEY}\n"
        );
        write_atomically(&home.path.join("config"), config.as_bytes())
            .and_then(|()| write_atomically(&home.path.join("credentials"), b""))
            .map_err(|e| CliError::io("writing the demo's AWS config", e))?;
        Ok(home)
    }
}

impl Drop for TempHome {
    fn drop(&mut self) {
        // Best effort: a leftover directory in the temp dir holds only demo keys.
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// The demo's error: its one-line message, exit 1.
fn demo_error(error: BedrockError) -> CliError {
    CliError::new("demo", error.to_string(), Exit::Other)
}

async fn demo(home: &Path) -> Result<(), CliError> {
    let emulator = Emulator::start(0).await.map_err(|e| {
        CliError::new(
            "demo",
            format!("cannot start the emulator: {e}"),
            Exit::Other,
        )
    })?;
    let path_text = |name: &str| home.join(name).to_string_lossy().into_owned();
    let env = Env::from_vars([
        ("AWS_CONFIG_FILE", path_text("config")),
        ("AWS_SHARED_CREDENTIALS_FILE", path_text("credentials")),
        ("AWS_PROFILE", PROFILE.to_owned()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
        ("HOME", home.to_string_lossy().into_owned()),
    ]);
    let settings = Settings::builder()
        .env(env)
        .endpoint_url(emulator.endpoint())
        .resolve()
        .map_err(|e| CliError::new("demo", e.to_string(), Exit::Other))?;
    let client = Client::new(settings);

    println!(
        "bedrock-lite demo: one streamed chat through the real client, no AWS account needed\n"
    );
    println!(
        "  emulator     {} (in this process, loopback only)",
        emulator.endpoint()
    );
    println!("  credentials  profile `{PROFILE}` in a temporary AWS config file (demo keys)");
    println!("  region       {}", client.region());
    println!("  path         credential chain > SigV4 > HTTP/1.1 > event-stream decoder\n");
    println!("you:   {PROMPT}");
    print!("model: ");
    flush();

    let request = ConverseRequest {
        messages: vec![Message::user(PROMPT)],
        ..ConverseRequest::default()
    };
    let started = Instant::now();
    let mut stream = client
        .converse_stream(MODEL, &request)
        .await
        .map_err(demo_error)?;
    let mut events = 0usize;
    let mut first_token: Option<Duration> = None;
    let mut usage = TokenUsage::default();
    while let Some(event) = stream.next_event().await {
        let event = event.map_err(|e| demo_error(e.into()))?;
        events += 1;
        match event.parse().map_err(|e| demo_error(e.into()))? {
            StreamEvent::ContentBlockDelta(delta) => {
                if let ContentBlockDelta::Text(text) = delta.delta {
                    first_token.get_or_insert_with(|| started.elapsed());
                    print!("{text}");
                    flush();
                }
            }
            StreamEvent::Metadata(metadata) => usage = metadata.usage,
            _ => {}
        }
    }
    let total = started.elapsed();
    println!("\n");
    println!(
        "stats: {events} events, {} input + {} output tokens, first token after {}, total {}",
        usage.input_tokens,
        usage.output_tokens,
        first_token.map_or_else(|| "-".to_owned(), millis),
        millis(total)
    );
    println!(
        "\nNext: `bedrock-lite emulate` keeps an emulator running for your own tools;\n\
         `bedrock-lite chat \"...\"` talks to Amazon Bedrock with your AWS credentials."
    );
    emulator.shutdown().await;
    Ok(())
}

/// `1.23 ms`.
fn millis(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}

/// Shows what was printed so far (a closed stdout is not the demo's problem).
fn flush() {
    let _ = std::io::stdout().flush();
}
