//! A tool loop on the library: define a `get_weather` tool, stream a turn, run
//! the tool when the model asks for it, send the `toolResult` back, and print
//! the final answer. The assistant's turns go back into the history exactly as
//! they came (reasoning signatures and tool calls included).
//!
//! ```sh
//! cargo run --example tool_loop                                  # Amazon Bedrock, your AWS credentials
//! BEDROCK_LITE_EXAMPLE_EMULATOR=1 cargo run --example tool_loop  # offline, the built-in emulator
//! ```
//!
//! The model is the first argument (default `us.anthropic.claude-sonnet-4-6`).

use bedrock_lite::types::ConversationRole;
use bedrock_lite::{Client, ConverseRequest, Message, Settings, Tool};
use serde_json::json;

/// The tool: a stand-in for a weather service.
fn get_weather(input: &serde_json::Value) -> serde_json::Value {
    let city = input["city"].as_str().unwrap_or("somewhere");
    json!({ "city": city, "temperature_c": 21, "sky": "clear" })
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let model = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "us.anthropic.claude-sonnet-4-6".to_owned());
    let offline = std::env::var("BEDROCK_LITE_EXAMPLE_EMULATOR").is_ok_and(|v| v == "1");
    // Offline: the built-in emulator on a free loopback port, with its demo keys.
    let emulator = match offline {
        true => Some(bedrock_lite::emulator::Emulator::start(0).await?),
        false => None,
    };
    let settings = match &emulator {
        Some(emulator) => Settings::builder()
            .region("us-east-1")
            .endpoint_url(emulator.endpoint())
            .credentials(bedrock_lite::credentials::Auth::SigV4(
                bedrock_lite::credentials::Credentials::new(
                    bedrock_lite::emulator::DEMO_ACCESS_KEY_ID,
                    bedrock_lite::emulator::DEMO_SECRET_ACCESS_KEY,
                ),
            ))
            .resolve()?,
        None => Settings::resolve()?,
    };
    let client = Client::new(settings);

    let weather = Tool::new(
        "get_weather",
        "The current weather in a city",
        json!({
            "type": "object",
            "properties": { "city": { "type": "string" } },
            "required": ["city"],
        }),
    );
    let mut request = ConverseRequest::new()
        .system("Answer briefly. Use the tools you are given.")
        .tool(weather)
        .message(Message::user("What is the weather in Paris?"));

    for _turn in 0..4 {
        let mut stream = client.converse_stream(&model, &request).await?;
        let mut whole = stream.accumulator();
        while let Some(event) = stream.next_event().await {
            let event = event?;
            if let Some(text) = event.text() {
                print!("{text}");
            }
            whole.push(&event.parse()?)?;
        }
        println!();
        let reply = whole.finish()?;
        let calls: Vec<(String, serde_json::Value)> = reply
            .tool_uses()
            .map(|call| (call.tool_use_id.clone(), call.input.clone()))
            .collect();
        let Some(assistant) = reply.into_message() else {
            return Err("the reply holds no message".into());
        };
        request = request.message(assistant);
        if calls.is_empty() {
            return Ok(());
        }
        // Every call of the turn answered in one user message.
        let mut results = Vec::new();
        for (id, input) in calls {
            let output = get_weather(&input);
            println!("[tool get_weather({input}) -> {output}]");
            results.extend(Message::tool_result(id, output).content);
        }
        request = request.message(Message::new(ConversationRole::User, results));
    }
    Err("the model kept calling tools".into())
}
