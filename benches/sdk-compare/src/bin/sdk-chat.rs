//! `sdk-chat REGION ENDPOINT_URL MODEL PROMPT COUNT`: runs ConverseStream COUNT
//! times, one after the other on one `aws-sdk-bedrockruntime` client, reads every
//! event and prints `events=N text_bytes=N elapsed_s=F`. Credentials come from the
//! SDK's default chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY). The twin of
//! `lite-chat`.

use std::time::Instant;

use aws_config::{BehaviorVersion, Region};
use aws_sdk_bedrockruntime::types::{
    ContentBlock, ContentBlockDelta, ConversationRole, ConverseStreamOutput, Message,
};
use aws_sdk_bedrockruntime::Client;

#[path = "../harness.rs"]
mod harness;
use harness::{Args, Error};

fn main() -> Result<(), Error> {
    harness::drive("sdk-chat", run)
}

async fn run(args: Args) -> Result<(), Error> {
    let started = Instant::now();
    let config = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(args.region))
        .endpoint_url(args.endpoint)
        .load()
        .await;
    let client = Client::new(&config);
    let message = Message::builder()
        .role(ConversationRole::User)
        .content(ContentBlock::Text(args.prompt))
        .build()?;
    let (mut events, mut text_bytes) = (0usize, 0usize);
    for _ in 0..args.count {
        let mut output = client
            .converse_stream()
            .model_id(&args.model)
            .messages(message.clone())
            .send()
            .await?;
        while let Some(event) = output.stream.recv().await? {
            events += 1;
            if let ConverseStreamOutput::ContentBlockDelta(delta) = event {
                if let Some(ContentBlockDelta::Text(text)) = delta.delta {
                    text_bytes += text.len();
                }
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    harness::report(events, text_bytes, elapsed);
    Ok(())
}
