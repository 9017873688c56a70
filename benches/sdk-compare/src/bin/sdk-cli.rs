//! `sdk-cli MODEL [PROMPT]`: a one-turn chat command on `aws-sdk-bedrockruntime`,
//! written as SDK users write one (`#[tokio::main]` on the multi-thread runtime,
//! `aws_config::load_defaults`, each text delta printed and flushed as it
//! arrives), to be compared with `bedrock-lite chat -m MODEL [PROMPT]`.
//!
//! The prompt is the argument, else all of stdin less one trailing newline (as
//! `bedrock-lite chat` reads it). Region, endpoint and credentials come from
//! the SDK's defaults (`AWS_REGION`, `AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`...).
//! stdout gets the assistant's text, then one newline.

use std::error::Error;
use std::io::{Read, Write};

use aws_config::BehaviorVersion;
use aws_sdk_bedrockruntime::types::{
    ContentBlock, ContentBlockDelta, ConversationRole, ConverseStreamOutput, Message,
};
use aws_sdk_bedrockruntime::Client;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let model = args.next().ok_or("usage: sdk-cli MODEL [PROMPT]")?;
    let prompt = match args.next() {
        Some(prompt) => prompt,
        None => {
            let mut prompt = String::new();
            std::io::stdin().read_to_string(&mut prompt)?;
            if prompt.ends_with('\n') {
                prompt.pop();
            }
            prompt
        }
    };

    let config = aws_config::load_defaults(BehaviorVersion::latest()).await;
    let client = Client::new(&config);
    let message = Message::builder()
        .role(ConversationRole::User)
        .content(ContentBlock::Text(prompt))
        .build()?;
    let mut output = client
        .converse_stream()
        .model_id(model)
        .messages(message)
        .send()
        .await?;
    while let Some(event) = output.stream.recv().await? {
        if let ConverseStreamOutput::ContentBlockDelta(delta) = event {
            if let Some(ContentBlockDelta::Text(text)) = delta.delta {
                print!("{text}");
                std::io::stdout().flush()?;
            }
        }
    }
    println!();
    Ok(())
}
