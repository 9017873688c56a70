//! `lite-chat REGION ENDPOINT_URL MODEL PROMPT COUNT`: runs ConverseStream COUNT
//! times, one after the other on one bedrock-lite client, reads every event and
//! prints `events=N text_bytes=N elapsed_s=F`. Credentials come from the
//! default chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY). The twin of `sdk-chat`.

use std::time::Instant;

use bedrock_lite::types::{ContentBlockDelta, ConverseRequest, Message, StreamEvent};
use bedrock_lite::{Client, Settings};

#[path = "../harness.rs"]
mod harness;
use harness::{Args, Error};

fn main() -> Result<(), Error> {
    harness::drive("lite-chat", run)
}

async fn run(args: Args) -> Result<(), Error> {
    let started = Instant::now();
    let settings = Settings::builder()
        .region(args.region)
        .endpoint_url(args.endpoint)
        .resolve()?;
    let client = Client::new(settings);
    let request = ConverseRequest {
        messages: vec![Message::user(args.prompt)],
        ..ConverseRequest::default()
    };
    let (mut events, mut text_bytes) = (0usize, 0usize);
    for _ in 0..args.count {
        let mut stream = client.converse_stream(&args.model, &request).await?;
        while let Some(event) = stream.next_event().await {
            let event = event?;
            events += 1;
            if let StreamEvent::ContentBlockDelta(delta) = event.parse()? {
                if let ContentBlockDelta::Text(text) = delta.delta {
                    text_bytes += text.len();
                }
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    harness::report(events, text_bytes, elapsed);
    Ok(())
}
