//! `bedrock-lite emulate [--port P]`: runs the loopback Bedrock emulator in the
//! foreground (until Ctrl-C) and tells how to point the CLI or an SDK at it.

use bedrock_lite::emulator::{
    Emulator, DEMO_ACCESS_KEY_ID, DEMO_BEARER_TOKEN, DEMO_SECRET_ACCESS_KEY,
};
use lexopt::Arg;
use serde_json::json;

use crate::args::{self, Globals};
use crate::context;
use crate::error::{CliError, Exit};

/// The port used without `--port`: stable, so that exported settings keep working.
const DEFAULT_PORT: u16 = 4599;

/// Runs `bedrock-lite emulate ...`.
pub fn run(parser: &mut lexopt::Parser, globals: &mut Globals) -> Result<(), CliError> {
    let mut port = DEFAULT_PORT;
    while let Some(flag) = args::next_flag(parser, globals)? {
        match flag.as_arg() {
            Arg::Long("port") => {
                let text = args::string_value(parser, "--port")?;
                port = text.parse().map_err(|_| {
                    CliError::usage(format!("--port `{text}`: expected 0 to 65535"))
                })?;
            }
            _ => return Err(args::unexpected(&flag.as_arg(), "emulate")),
        }
    }
    let json = globals.json;
    context::runtime()?.block_on(async move {
        let emulator = Emulator::start(port).await.map_err(|e| {
            CliError::new(
                "emulate",
                format!("cannot listen on 127.0.0.1:{port}: {e}; try --port 0 for any free port"),
                Exit::Other,
            )
        })?;
        print_instructions(&emulator.endpoint(), json);
        // Serves until the process is interrupted (Ctrl-C ends it).
        std::future::pending::<()>().await;
        Ok(())
    })
}

/// Prints the endpoint, the demo credentials and how to use them.
fn print_instructions(endpoint: &str, json: bool) {
    if json {
        let info = json!({
            "endpoint": endpoint,
            "accessKeyId": DEMO_ACCESS_KEY_ID,
            "secretAccessKey": DEMO_SECRET_ACCESS_KEY,
            "bearerToken": DEMO_BEARER_TOKEN,
            "region": "us-east-1",
        });
        println!("{info}");
        return;
    }
    println!(
        "\
bedrock-lite emulator: a Bedrock runtime on {endpoint} (Ctrl-C to stop)
It serves Converse and ConverseStream, echoing your prompt, and checks every signature.

It accepts only these DEMO credentials. They are public and work nowhere else:
  AWS_ACCESS_KEY_ID={DEMO_ACCESS_KEY_ID}
  AWS_SECRET_ACCESS_KEY={DEMO_SECRET_ACCESS_KEY}
  or AWS_BEARER_TOKEN_BEDROCK={DEMO_BEARER_TOKEN}

Point bedrock-lite at it (in another shell):
  export AWS_ACCESS_KEY_ID={DEMO_ACCESS_KEY_ID}
  export AWS_SECRET_ACCESS_KEY={DEMO_SECRET_ACCESS_KEY}
  export AWS_REGION=us-east-1
  bedrock-lite --endpoint-url {endpoint} chat -m any.model \"Hello\"

Point an AWS SDK or the AWS CLI at it (with the same exports):
  export AWS_ENDPOINT_URL_BEDROCK_RUNTIME={endpoint}
  aws bedrock-runtime converse --model-id any.model \\
    --messages '[{{\"role\":\"user\",\"content\":[{{\"text\":\"Hello\"}}]}}]'"
    );
}
