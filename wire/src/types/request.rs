//! The body of a Converse or ConverseStream request. The model id goes in the
//! path, not here. Only what is set is written: `None` and empty lists and maps
//! are left out.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::content::{CachePointBlock, GuardrailConverseContentBlock, Message};
use super::read::read_json;
use super::wire::{string_enum, wire_union, EmptyObject};

/// The body of `POST /model/{modelId}/converse` and `.../converse-stream`
/// (`ConverseRequest` / `ConverseStreamRequest`, which differ only in
/// [`GuardrailConfiguration::stream_processing_mode`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConverseRequest {
    /// The conversation so far, ending with the user's turn.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<Message>,
    /// System prompts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub system: Vec<SystemContentBlock>,
    /// Sampling settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inference_config: Option<InferenceConfiguration>,
    /// The tools the model may call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_config: Option<ToolConfiguration>,
    /// The guardrail to apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guardrail_config: Option<GuardrailConfiguration>,
    /// Model-specific request fields, passed through as they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_model_request_fields: Option<Value>,
    /// Values for the variables of a prompt from Prompt management.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub prompt_variables: BTreeMap<String, PromptVariableValues>,
    /// JSON pointers (`/stop_sequence`) of model-specific response fields to return.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub additional_model_response_field_paths: Vec<String>,
    /// Key-value pairs recorded with the invocation log.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub request_metadata: BTreeMap<String, String>,
    /// Latency-optimised inference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub performance_config: Option<PerformanceConfiguration>,
    /// The service tier to run on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_tier: Option<ServiceTier>,
    /// The shape of the output (structured output, effort).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_config: Option<OutputConfig>,
}

read_json!(ConverseRequest {
    messages: "messages" default,
    system: "system" default,
    inference_config: "inferenceConfig" default,
    tool_config: "toolConfig" default,
    guardrail_config: "guardrailConfig" default,
    additional_model_request_fields: "additionalModelRequestFields" default,
    prompt_variables: "promptVariables" default,
    additional_model_response_field_paths: "additionalModelResponseFieldPaths" default,
    request_metadata: "requestMetadata" default,
    performance_config: "performanceConfig" default,
    service_tier: "serviceTier" default,
    output_config: "outputConfig" default,
});

impl ConverseRequest {
    /// An empty request, to build in a line:
    ///
    /// ```
    /// # use bedrock_lite_wire as bedrock_lite;
    /// use bedrock_lite::types::{ConverseRequest, Message, Tool};
    /// let schema = serde_json::json!({"type": "object", "properties": {"city": {"type": "string"}}});
    /// let request = ConverseRequest::new()
    ///     .system("Answer briefly.")
    ///     .message(Message::user("What is the weather in Paris?"))
    ///     .tool(Tool::new("get_weather", "The current weather in a city", schema))
    ///     .max_tokens(512);
    /// let json = serde_json::to_value(&request)?;
    /// assert_eq!(json["system"], serde_json::json!([{"text": "Answer briefly."}]));
    /// assert_eq!(json["toolConfig"]["tools"][0]["toolSpec"]["name"], "get_weather");
    /// assert_eq!(json["inferenceConfig"], serde_json::json!({"maxTokens": 512}));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn new() -> ConverseRequest {
        ConverseRequest::default()
    }

    /// Adds a system prompt text block.
    pub fn system(mut self, text: impl Into<String>) -> ConverseRequest {
        self.system.push(SystemContentBlock::Text(text.into()));
        self
    }

    /// Adds a message at the end of the conversation.
    pub fn message(mut self, message: Message) -> ConverseRequest {
        self.messages.push(message);
        self
    }

    /// Adds a tool the model may call.
    pub fn tool(mut self, tool: Tool) -> ConverseRequest {
        match &mut self.tool_config {
            Some(config) => config.tools.push(tool),
            None => {
                self.tool_config = Some(ToolConfiguration {
                    tools: vec![tool],
                    tool_choice: None,
                })
            }
        }
        self
    }

    /// Sets the most tokens to generate.
    pub fn max_tokens(mut self, max_tokens: u32) -> ConverseRequest {
        self.inference_config
            .get_or_insert_with(InferenceConfiguration::default)
            .max_tokens = Some(max_tokens);
        self
    }
}

wire_union! {
    /// A system prompt block (`SystemContentBlock`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum SystemContentBlock {
        /// `text`: the prompt text (not empty).
        Text(String) = "text",
        /// `guardContent`: content for the guardrail to assess.
        GuardContent(GuardrailConverseContentBlock) = "guardContent",
        /// `cachePoint`: a prompt-cache checkpoint.
        CachePoint(CachePointBlock) = "cachePoint",
    }
}

/// Sampling settings (`InferenceConfiguration`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InferenceConfiguration {
    /// The most tokens to generate (at least 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    /// Randomness, 0 to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f32>,
    /// Nucleus sampling mass, 0 to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f32>,
    /// Texts that stop generation (at most 2500).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stop_sequences: Vec<String>,
}

read_json!(InferenceConfiguration {
    max_tokens: "maxTokens" default,
    temperature: "temperature" default,
    top_p: "topP" default,
    stop_sequences: "stopSequences" default,
});

/// The tools the model may call (`ToolConfiguration`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolConfiguration {
    /// The tools (at least one).
    pub tools: Vec<Tool>,
    /// Whether and which tool the model must call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<ToolChoice>,
}

read_json!(ToolConfiguration { tools: "tools", tool_choice: "toolChoice" default });

wire_union! {
    /// One entry of the tool list (`Tool`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Tool {
        /// `toolSpec`: a tool the caller runs.
        ToolSpec(ToolSpecification) = "toolSpec",
        /// `systemTool`: a tool the service runs.
        SystemTool(SystemTool) = "systemTool",
        /// `cachePoint`: a prompt-cache checkpoint after the tools so far.
        CachePoint(CachePointBlock) = "cachePoint",
    }
}

impl Tool {
    /// A tool the caller runs: its name, what it does (for the model) and the
    /// JSON schema of its input.
    pub fn new(name: impl Into<String>, description: impl Into<String>, schema: Value) -> Tool {
        Tool::ToolSpec(ToolSpecification {
            name: name.into(),
            description: Some(description.into()),
            input_schema: ToolInputSchema::Json(schema),
            strict: None,
        })
    }
}

/// A tool the caller runs (`ToolSpecification`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolSpecification {
    /// Its name (`[a-zA-Z0-9_-]+`, at most 64).
    pub name: String,
    /// What it does, for the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The JSON schema of its input.
    pub input_schema: ToolInputSchema,
    /// Whether the model must follow the schema strictly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strict: Option<bool>,
}

read_json!(ToolSpecification {
    name: "name",
    description: "description" default,
    input_schema: "inputSchema",
    strict: "strict" default,
});

wire_union! {
    /// A tool's input schema (`ToolInputSchema`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum ToolInputSchema {
        /// `json`: a JSON schema.
        Json(Value) = "json",
    }
}

/// A tool the service runs (`SystemTool`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemTool {
    /// Its name.
    pub name: String,
}

read_json!(SystemTool { name: "name" });

wire_union! {
    /// Whether and which tool the model must call (`ToolChoice`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum ToolChoice {
        /// `auto`: the model decides.
        Auto(EmptyObject) = "auto",
        /// `any`: the model must call some tool.
        Any(EmptyObject) = "any",
        /// `tool`: the model must call this tool.
        Tool(SpecificToolChoice) = "tool",
    }
}

/// The tool the model must call (`SpecificToolChoice`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpecificToolChoice {
    /// Its name.
    pub name: String,
}

read_json!(SpecificToolChoice { name: "name" });

string_enum! {
    /// Whether the guardrail trace is returned (`GuardrailTrace`).
    pub enum GuardrailTrace {
        /// Returned.
        Enabled = "enabled",
        /// Not returned.
        Disabled = "disabled",
        /// Returned in full, with the passing filters too.
        EnabledFull = "enabled_full",
    }
}

string_enum! {
    /// How a guardrail checks a stream (`GuardrailStreamProcessingMode`).
    pub enum GuardrailStreamProcessingMode {
        /// Each chunk is checked before it is sent.
        Sync = "sync",
        /// Chunks are sent at once and checked in the background.
        Async = "async",
    }
}

/// The guardrail to apply (`GuardrailConfiguration`, or
/// `GuardrailStreamConfiguration` with `streamProcessingMode`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GuardrailConfiguration {
    /// The guardrail id or ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guardrail_identifier: Option<String>,
    /// Its version, or `DRAFT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guardrail_version: Option<String>,
    /// Whether its trace is returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<GuardrailTrace>,
    /// ConverseStream only (leave `None` for Converse): how the stream is checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_processing_mode: Option<GuardrailStreamProcessingMode>,
}

read_json!(GuardrailConfiguration {
    guardrail_identifier: "guardrailIdentifier" default,
    guardrail_version: "guardrailVersion" default,
    trace: "trace" default,
    stream_processing_mode: "streamProcessingMode" default,
});

wire_union! {
    /// A value of a prompt variable (`PromptVariableValues`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum PromptVariableValues {
        /// `text`: text.
        Text(String) = "text",
    }
}

string_enum! {
    /// Latency setting (`PerformanceConfigLatency`).
    pub enum PerformanceConfigLatency {
        /// Standard inference.
        Standard = "standard",
        /// Latency-optimised inference.
        Optimized = "optimized",
    }
}

/// Latency-optimised inference (`PerformanceConfiguration`); also in responses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PerformanceConfiguration {
    /// The latency setting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<PerformanceConfigLatency>,
}

read_json!(PerformanceConfiguration { latency: "latency" default });

string_enum! {
    /// A service tier (`ServiceTierType`).
    pub enum ServiceTierType {
        /// Priority.
        Priority = "priority",
        /// The default tier.
        Default = "default",
        /// Flex (cheaper, slower).
        Flex = "flex",
        /// Reserved capacity.
        Reserved = "reserved",
    }
}

/// The service tier to run on (`ServiceTier`); also in responses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceTier {
    /// The tier.
    pub r#type: ServiceTierType,
}

read_json!(ServiceTier { r#type: "type" });

/// The shape of the output (`OutputConfig`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutputConfig {
    /// Structured output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_format: Option<OutputFormat>,
    /// How much effort the model spends (model-specific, at most 16 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effort: Option<String>,
}

read_json!(OutputConfig { text_format: "textFormat" default, effort: "effort" default });

string_enum! {
    /// A structured output kind (`OutputFormatType`).
    pub enum OutputFormatType {
        /// Output that follows a JSON schema.
        JsonSchema = "json_schema",
    }
}

/// Structured output (`OutputFormat`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutputFormat {
    /// The kind.
    pub r#type: OutputFormatType,
    /// The structure the output follows.
    pub structure: OutputFormatStructure,
}

read_json!(OutputFormat {
    r#type: "type",
    structure: "structure"
});

wire_union! {
    /// The structure structured output follows (`OutputFormatStructure`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum OutputFormatStructure {
        /// `jsonSchema`: a JSON schema.
        JsonSchema(JsonSchemaDefinition) = "jsonSchema",
    }
}

/// A JSON schema for structured output (`JsonSchemaDefinition`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JsonSchemaDefinition {
    /// The schema, as JSON text.
    pub schema: String,
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What it describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

read_json!(JsonSchemaDefinition {
    schema: "schema",
    name: "name" default,
    description: "description" default,
});
