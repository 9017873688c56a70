//! Messages and their content blocks: what requests send and responses return
//! (a response's message goes back unchanged into the next request).

use serde::Serialize;
use serde_json::Value;

use super::read::read_json;
use super::wire::{string_enum, wire_union, Blob, UnknownMembers};

string_enum! {
    /// Who wrote a message (`ConversationRole`).
    pub enum ConversationRole {
        /// The user.
        User = "user",
        /// The model.
        Assistant = "assistant",
        /// The system.
        System = "system",
    }
}

/// One turn of the conversation (`Message`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// Who wrote it.
    pub role: ConversationRole,
    /// What it says, in order.
    pub content: Vec<ContentBlock>,
    /// Members this version does not know, kept as received and written back.
    #[serde(flatten)]
    pub extra: UnknownMembers,
}

read_json!(Message {
    role: "role",
    content: "content",
    ..extra
});

impl Message {
    /// A message of `role` with `content`.
    pub fn new(role: ConversationRole, content: Vec<ContentBlock>) -> Message {
        Message {
            role,
            content,
            extra: UnknownMembers::new(),
        }
    }

    /// A user message with one text block.
    ///
    /// ```
    /// # use bedrock_lite_wire as bedrock_lite;
    /// use bedrock_lite::types::Message;
    /// let json = serde_json::to_string(&Message::user("Hello"))?;
    /// assert_eq!(json, r#"{"role":"user","content":[{"text":"Hello"}]}"#);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn user(text: impl Into<String>) -> Message {
        Message::new(
            ConversationRole::User,
            vec![ContentBlock::Text(text.into())],
        )
    }

    /// An assistant message with one text block, for a history written by
    /// hand. (A reply goes back into the history as it came, with
    /// [`ConverseResponse::into_message`](crate::types::ConverseResponse::into_message),
    /// so that its reasoning signatures and tool calls stay as they were.)
    pub fn assistant(text: impl Into<String>) -> Message {
        Message::new(
            ConversationRole::Assistant,
            vec![ContentBlock::Text(text.into())],
        )
    }

    /// A user message carrying the result of the tool call `tool_use_id`:
    /// text (from a `&str` or `String`) or a JSON document (from a
    /// [`serde_json::Value`]).
    ///
    /// ```
    /// # use bedrock_lite_wire as bedrock_lite;
    /// use bedrock_lite::types::Message;
    /// let message = Message::tool_result("tooluse_1", serde_json::json!({"temperature": 21}));
    /// assert_eq!(
    ///     serde_json::to_value(&message)?,
    ///     serde_json::json!({"role": "user", "content": [{"toolResult": {
    ///         "toolUseId": "tooluse_1", "content": [{"json": {"temperature": 21}}]}}]})
    /// );
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn tool_result(
        tool_use_id: impl Into<String>,
        content: impl Into<ToolResultContentBlock>,
    ) -> Message {
        let result = ToolResultBlock {
            tool_use_id: tool_use_id.into(),
            content: vec![content.into()],
            status: None,
            r#type: None,
            extra: UnknownMembers::new(),
        };
        Message::new(
            ConversationRole::User,
            vec![ContentBlock::ToolResult(result)],
        )
    }

    /// The text of the message: its `text` blocks and the text of its
    /// `citationsContent` blocks, joined in order.
    pub fn text(&self) -> String {
        let mut text = String::new();
        for block in &self.content {
            match block {
                ContentBlock::Text(piece) => text.push_str(piece),
                ContentBlock::CitationsContent(cited) => {
                    for piece in &cited.content {
                        if let CitationGeneratedContent::Text(piece) = piece {
                            text.push_str(piece);
                        }
                    }
                }
                _ => {}
            }
        }
        text
    }

    /// The tool calls the message asks for, in order.
    pub fn tool_uses(&self) -> impl Iterator<Item = &ToolUseBlock> {
        self.content.iter().filter_map(|block| match block {
            ContentBlock::ToolUse(call) => Some(call),
            _ => None,
        })
    }
}

wire_union! {
    /// One block of a message (`ContentBlock`, a union: exactly one member).
    ///
    /// A member this version does not know is kept whole as raw JSON in
    /// [`ContentBlock::Unknown`] and written back as it came; a known member
    /// that does not read is an error naming it.
    #[derive(Debug, Clone, PartialEq)]
    pub enum ContentBlock {
        /// `text`: plain text.
        Text(String) = "text",
        /// `image`: an image.
        Image(ImageBlock) = "image",
        /// `document`: a document.
        Document(DocumentBlock) = "document",
        /// `video`: a video.
        Video(VideoBlock) = "video",
        /// `audio`: an audio clip.
        Audio(AudioBlock) = "audio",
        /// `toolUse`: the model asks for a tool call.
        ToolUse(ToolUseBlock) = "toolUse",
        /// `toolResult`: the result of a tool call.
        ToolResult(ToolResultBlock) = "toolResult",
        /// `guardContent`: content for the guardrail to assess.
        GuardContent(GuardrailConverseContentBlock) = "guardContent",
        /// `cachePoint`: a prompt-cache checkpoint.
        CachePoint(CachePointBlock) = "cachePoint",
        /// `reasoningContent`: the model's reasoning.
        ReasoningContent(ReasoningContentBlock) = "reasoningContent",
        /// `citationsContent`: generated text with its citations.
        CitationsContent(CitationsContentBlock) = "citationsContent",
        /// `searchResult`: a search result given to the model.
        SearchResult(SearchResultBlock) = "searchResult",
        /// `toolAddition`: a tool added to the conversation.
        ToolAddition(ToolChangeBlock) = "toolAddition",
        /// `toolRemoval`: a tool removed from the conversation.
        ToolRemoval(ToolChangeBlock) = "toolRemoval",
    }
}

string_enum! {
    /// The format of an image (`ImageFormat`).
    pub enum ImageFormat {
        /// PNG.
        Png = "png",
        /// JPEG.
        Jpeg = "jpeg",
        /// GIF.
        Gif = "gif",
        /// WebP.
        Webp = "webp",
    }
}

/// An image (`ImageBlock`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageBlock {
    /// Its format.
    pub format: ImageFormat,
    /// Its bytes or where they are.
    pub source: MediaSource,
    /// Why the image could not be processed (responses only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBlock>,
    /// Members this version does not know, kept as received and written back.
    #[serde(flatten)]
    pub extra: UnknownMembers,
}

read_json!(ImageBlock { format: "format", source: "source", error: "error" default, ..extra });

wire_union! {
    /// Where media bytes come from (`ImageSource`, `VideoSource`, `AudioSource`,
    /// and `GuardrailConverseImageSource`, which takes `bytes` only).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum MediaSource {
        /// `bytes`: the raw bytes (base64 on the wire).
        Bytes(Blob) = "bytes",
        /// `s3Location`: an object in Amazon S3.
        S3Location(S3Location) = "s3Location",
    }
}

/// An object in Amazon S3 (`S3Location`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct S3Location {
    /// The `s3://bucket/key` URI.
    pub uri: String,
    /// The account that owns the bucket, when not the caller's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket_owner: Option<String>,
    /// Members this version does not know, kept as received and written back.
    #[serde(flatten)]
    pub extra: UnknownMembers,
}

read_json!(S3Location { uri: "uri", bucket_owner: "bucketOwner" default, ..extra });

/// Why a block could not be processed (`ErrorBlock`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBlock {
    /// What went wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Members this version does not know, kept as received and written back.
    #[serde(flatten)]
    pub extra: UnknownMembers,
}

read_json!(ErrorBlock { message: "message" default, ..extra });

string_enum! {
    /// The format of a document (`DocumentFormat`).
    pub enum DocumentFormat {
        /// PDF.
        Pdf = "pdf",
        /// CSV.
        Csv = "csv",
        /// Word 97-2003.
        Doc = "doc",
        /// Word.
        Docx = "docx",
        /// Excel 97-2003.
        Xls = "xls",
        /// Excel.
        Xlsx = "xlsx",
        /// HTML.
        Html = "html",
        /// Plain text.
        Txt = "txt",
        /// Markdown.
        Md = "md",
    }
}

/// A document (`DocumentBlock`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentBlock {
    /// Its format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<DocumentFormat>,
    /// Its name (letters, digits, spaces, `-`, `(`, `)`, `[`, `]`).
    pub name: String,
    /// Its content or where it is.
    pub source: DocumentSource,
    /// Context for the model about the document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// Whether the model should cite it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citations: Option<CitationsConfig>,
    /// Members this version does not know, kept as received and written back.
    #[serde(flatten)]
    pub extra: UnknownMembers,
}

read_json!(DocumentBlock {
    format: "format" default,
    name: "name",
    source: "source",
    context: "context" default,
    citations: "citations" default,
    ..extra,
});

wire_union! {
    /// Where a document comes from (`DocumentSource`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum DocumentSource {
        /// `bytes`: the raw bytes (base64 on the wire).
        Bytes(Blob) = "bytes",
        /// `s3Location`: an object in Amazon S3.
        S3Location(S3Location) = "s3Location",
        /// `text`: the document as text.
        Text(String) = "text",
        /// `content`: the document as text blocks.
        Content(Vec<DocumentContentBlock>) = "content",
    }
}

wire_union! {
    /// A block of a document given as content (`DocumentContentBlock`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum DocumentContentBlock {
        /// `text`: text.
        Text(String) = "text",
    }
}

/// Whether citations are on for a document or search result (`CitationsConfig`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CitationsConfig {
    /// On or off.
    pub enabled: bool,
    /// Members this version does not know, kept as received and written back.
    #[serde(flatten)]
    pub extra: UnknownMembers,
}

read_json!(CitationsConfig {
    enabled: "enabled",
    ..extra
});

string_enum! {
    /// The format of a video (`VideoFormat`).
    pub enum VideoFormat {
        /// Matroska.
        Mkv = "mkv",
        /// QuickTime.
        Mov = "mov",
        /// MPEG-4.
        Mp4 = "mp4",
        /// WebM.
        Webm = "webm",
        /// Flash video.
        Flv = "flv",
        /// MPEG.
        Mpeg = "mpeg",
        /// MPEG (`.mpg`).
        Mpg = "mpg",
        /// Windows Media.
        Wmv = "wmv",
        /// 3GPP.
        ThreeGp = "three_gp",
    }
}

/// A video (`VideoBlock`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VideoBlock {
    /// Its format.
    pub format: VideoFormat,
    /// Its bytes or where they are.
    pub source: MediaSource,
    /// Members this version does not know, kept as received and written back.
    #[serde(flatten)]
    pub extra: UnknownMembers,
}

read_json!(VideoBlock {
    format: "format",
    source: "source",
    ..extra
});

string_enum! {
    /// The format of an audio clip (`AudioFormat`).
    pub enum AudioFormat {
        /// MP3.
        Mp3 = "mp3",
        /// Opus.
        Opus = "opus",
        /// WAV.
        Wav = "wav",
        /// AAC.
        Aac = "aac",
        /// FLAC.
        Flac = "flac",
        /// MPEG-4 audio.
        Mp4 = "mp4",
        /// Ogg.
        Ogg = "ogg",
        /// Matroska.
        Mkv = "mkv",
        /// Matroska audio.
        Mka = "mka",
        /// AAC (`x-aac`).
        XAac = "x-aac",
        /// MPEG-4 audio (`m4a`).
        M4a = "m4a",
        /// MPEG.
        Mpeg = "mpeg",
        /// MPEG audio (`mpga`).
        Mpga = "mpga",
        /// Raw PCM.
        Pcm = "pcm",
        /// WebM.
        Webm = "webm",
    }
}

/// An audio clip (`AudioBlock`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AudioBlock {
    /// Its format.
    pub format: AudioFormat,
    /// Its bytes or where they are.
    pub source: MediaSource,
    /// Why the clip could not be processed (responses only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBlock>,
    /// Members this version does not know, kept as received and written back.
    #[serde(flatten)]
    pub extra: UnknownMembers,
}

read_json!(AudioBlock { format: "format", source: "source", error: "error" default, ..extra });

string_enum! {
    /// What kind of tool use a block is (`ToolUseType`).
    pub enum ToolUseType {
        /// A tool run by the service itself.
        ServerToolUse = "server_tool_use",
    }
}

/// The model asks for a tool call (`ToolUseBlock`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolUseBlock {
    /// The id that the result must quote.
    pub tool_use_id: String,
    /// The tool's name.
    pub name: String,
    /// The input, as a JSON document.
    pub input: Value,
    /// Set for tools the service runs itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<ToolUseType>,
    /// Members this version does not know, kept as received and written back.
    #[serde(flatten)]
    pub extra: UnknownMembers,
}

read_json!(ToolUseBlock {
    tool_use_id: "toolUseId",
    name: "name",
    input: "input",
    r#type: "type" default,
    ..extra,
});

string_enum! {
    /// How a tool call went (`ToolResultStatus`).
    pub enum ToolResultStatus {
        /// It worked.
        Success = "success",
        /// It failed.
        Error = "error",
    }
}

/// The result of a tool call (`ToolResultBlock`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolResultBlock {
    /// The `toolUseId` of the call.
    pub tool_use_id: String,
    /// What the tool returned.
    pub content: Vec<ToolResultContentBlock>,
    /// Whether it worked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ToolResultStatus>,
    /// The kind of tool result, for tools the service runs itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
    /// Members this version does not know, kept as received and written back.
    #[serde(flatten)]
    pub extra: UnknownMembers,
}

read_json!(ToolResultBlock {
    tool_use_id: "toolUseId",
    content: "content",
    status: "status" default,
    r#type: "type" default,
    ..extra,
});

wire_union! {
    /// One block of a tool result (`ToolResultContentBlock`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum ToolResultContentBlock {
        /// `json`: a JSON document.
        Json(Value) = "json",
        /// `text`: text.
        Text(String) = "text",
        /// `image`: an image.
        Image(ImageBlock) = "image",
        /// `document`: a document.
        Document(DocumentBlock) = "document",
        /// `video`: a video.
        Video(VideoBlock) = "video",
        /// `searchResult`: a search result.
        SearchResult(SearchResultBlock) = "searchResult",
    }
}

impl From<&str> for ToolResultContentBlock {
    fn from(text: &str) -> Self {
        ToolResultContentBlock::Text(text.to_owned())
    }
}

impl From<String> for ToolResultContentBlock {
    fn from(text: String) -> Self {
        ToolResultContentBlock::Text(text)
    }
}

impl From<Value> for ToolResultContentBlock {
    fn from(json: Value) -> Self {
        ToolResultContentBlock::Json(json)
    }
}

/// A search result given to the model (`SearchResultBlock`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchResultBlock {
    /// Where it was found (a URL or other source name).
    pub source: String,
    /// Its title.
    pub title: String,
    /// Its text, in blocks.
    pub content: Vec<SearchResultContentBlock>,
    /// Whether the model should cite it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citations: Option<CitationsConfig>,
    /// Members this version does not know, kept as received and written back.
    #[serde(flatten)]
    pub extra: UnknownMembers,
}

read_json!(SearchResultBlock {
    source: "source",
    title: "title",
    content: "content",
    citations: "citations" default,
    ..extra,
});

/// One block of a search result's text (`SearchResultContentBlock`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchResultContentBlock {
    /// The text.
    pub text: String,
    /// Members this version does not know, kept as received and written back.
    #[serde(flatten)]
    pub extra: UnknownMembers,
}

read_json!(SearchResultContentBlock {
    text: "text",
    ..extra
});

wire_union! {
    /// Content for the guardrail to assess (`GuardrailConverseContentBlock`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum GuardrailConverseContentBlock {
        /// `text`: text, with what it is for.
        Text(GuardrailConverseTextBlock) = "text",
        /// `image`: an image.
        Image(GuardrailConverseImageBlock) = "image",
    }
}

string_enum! {
    /// What guarded text is for (`GuardrailConverseContentQualifier`).
    pub enum GuardrailConverseContentQualifier {
        /// The source for a grounding check.
        GroundingSource = "grounding_source",
        /// The query for a relevance check.
        Query = "query",
        /// Content to guard.
        GuardContent = "guard_content",
    }
}

/// Text for the guardrail (`GuardrailConverseTextBlock`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GuardrailConverseTextBlock {
    /// The text.
    pub text: String,
    /// What the text is for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub qualifiers: Vec<GuardrailConverseContentQualifier>,
    /// Members this version does not know, kept as received and written back.
    #[serde(flatten)]
    pub extra: UnknownMembers,
}

read_json!(GuardrailConverseTextBlock { text: "text", qualifiers: "qualifiers" default, ..extra });

string_enum! {
    /// The format of a guarded image (`GuardrailConverseImageFormat`).
    pub enum GuardrailConverseImageFormat {
        /// PNG.
        Png = "png",
        /// JPEG.
        Jpeg = "jpeg",
    }
}

/// An image for the guardrail (`GuardrailConverseImageBlock`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GuardrailConverseImageBlock {
    /// Its format.
    pub format: GuardrailConverseImageFormat,
    /// Its bytes (only `bytes` is accepted here).
    pub source: MediaSource,
    /// Members this version does not know, kept as received and written back.
    #[serde(flatten)]
    pub extra: UnknownMembers,
}

read_json!(GuardrailConverseImageBlock {
    format: "format",
    source: "source",
    ..extra
});

string_enum! {
    /// The kind of cache point (`CachePointType`).
    pub enum CachePointType {
        /// The only kind.
        Default = "default",
    }
}

string_enum! {
    /// How long a cache entry lives (`CacheTTL`).
    pub enum CacheTtl {
        /// Five minutes.
        FiveMinutes = "5m",
        /// One hour.
        OneHour = "1h",
    }
}

/// A prompt-cache checkpoint (`CachePointBlock`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CachePointBlock {
    /// The kind (`default`).
    pub r#type: CachePointType,
    /// How long the entry lives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<CacheTtl>,
    /// Members this version does not know, kept as received and written back.
    #[serde(flatten)]
    pub extra: UnknownMembers,
}

read_json!(CachePointBlock { r#type: "type", ttl: "ttl" default, ..extra });

wire_union! {
    /// The model's reasoning (`ReasoningContentBlock`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum ReasoningContentBlock {
        /// `reasoningText`: readable reasoning with its signature.
        ReasoningText(ReasoningTextBlock) = "reasoningText",
        /// `redactedContent`: reasoning encrypted by the provider (base64 on the wire).
        RedactedContent(Blob) = "redactedContent",
    }
}

/// Readable reasoning (`ReasoningTextBlock`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReasoningTextBlock {
    /// The reasoning.
    pub text: String,
    /// The provider's signature over it, to send back unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// Members this version does not know, kept as received and written back.
    #[serde(flatten)]
    pub extra: UnknownMembers,
}

read_json!(ReasoningTextBlock { text: "text", signature: "signature" default, ..extra });

/// Generated text with its citations (`CitationsContentBlock`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CitationsContentBlock {
    /// The generated text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub content: Vec<CitationGeneratedContent>,
    /// What it cites.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub citations: Vec<Citation>,
    /// Members this version does not know, kept as received and written back.
    #[serde(flatten)]
    pub extra: UnknownMembers,
}

read_json!(CitationsContentBlock {
    content: "content" default,
    citations: "citations" default,
    ..extra,
});

wire_union! {
    /// A piece of cited generated text (`CitationGeneratedContent`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum CitationGeneratedContent {
        /// `text`: text.
        Text(String) = "text",
    }
}

/// One citation (`Citation`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Citation {
    /// The cited source's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The cited source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The cited passages.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_content: Vec<CitationSourceContent>,
    /// Where in the source they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<CitationLocation>,
    /// Members this version does not know, kept as received and written back.
    #[serde(flatten)]
    pub extra: UnknownMembers,
}

read_json!(Citation {
    title: "title" default,
    source: "source" default,
    source_content: "sourceContent" default,
    location: "location" default,
    ..extra,
});

wire_union! {
    /// A cited passage (`CitationSourceContent`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum CitationSourceContent {
        /// `text`: text.
        Text(String) = "text",
    }
}

wire_union! {
    /// Where a citation points (`CitationLocation`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum CitationLocation {
        /// `web`: a web page.
        Web(WebLocation) = "web",
        /// `documentChar`: a character range of a document.
        DocumentChar(DocumentSpan) = "documentChar",
        /// `documentPage`: a page range of a document.
        DocumentPage(DocumentSpan) = "documentPage",
        /// `documentChunk`: a chunk range of a document.
        DocumentChunk(DocumentSpan) = "documentChunk",
        /// `searchResultLocation`: a block range of a search result.
        SearchResultLocation(SearchResultLocation) = "searchResultLocation",
    }
}

/// A cited web page (`WebLocation`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebLocation {
    /// The page URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Its domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Members this version does not know, kept as received and written back.
    #[serde(flatten)]
    pub extra: UnknownMembers,
}

read_json!(WebLocation { url: "url" default, domain: "domain" default, ..extra });

/// A range in a document (`DocumentCharLocation`, `DocumentPageLocation`,
/// `DocumentChunkLocation`: characters, pages or chunks).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentSpan {
    /// Which document of the request (from 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_index: Option<u32>,
    /// The first unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<u32>,
    /// The end unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<u32>,
    /// Members this version does not know, kept as received and written back.
    #[serde(flatten)]
    pub extra: UnknownMembers,
}

read_json!(DocumentSpan {
    document_index: "documentIndex" default,
    start: "start" default,
    end: "end" default,
    ..extra,
});

/// A range in a search result (`SearchResultLocation`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchResultLocation {
    /// Which search result (from 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_result_index: Option<u32>,
    /// The first content block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<u32>,
    /// The end content block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<u32>,
    /// Members this version does not know, kept as received and written back.
    #[serde(flatten)]
    pub extra: UnknownMembers,
}

read_json!(SearchResultLocation {
    search_result_index: "searchResultIndex" default,
    start: "start" default,
    end: "end" default,
    ..extra,
});

/// A tool added to or removed from the conversation (`ToolAdditionBlock`,
/// `ToolRemovalBlock`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolChangeBlock {
    /// The tool.
    pub tool: ToolReference,
    /// Members this version does not know, kept as received and written back.
    #[serde(flatten)]
    pub extra: UnknownMembers,
}

read_json!(ToolChangeBlock {
    tool: "tool",
    ..extra
});

/// Names a tool (`ToolReference`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolReference {
    /// The kind of tool.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
    /// The tool's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The server that provides it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_name: Option<String>,
    /// Members this version does not know, kept as received and written back.
    #[serde(flatten)]
    pub extra: UnknownMembers,
}

read_json!(ToolReference {
    r#type: "type" default,
    name: "name" default,
    server_name: "serverName" default,
    ..extra,
});
