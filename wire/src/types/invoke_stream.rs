//! InvokeModelWithResponseStream (`POST /model/{modelId}/invoke-with-response-stream`):
//! an event stream whose `chunk` events each carry a piece of the model's own
//! response (its JSON, in the model's format) as base64 `bytes`. Exceptions
//! travel as for ConverseStream ([`super::parse_exception`]), with one more
//! type, `modelTimeoutException`.

use serde::{Deserialize, Serialize};

use super::wire::Blob;

/// The `:event-type` of a response piece.
pub const CHUNK_EVENT_TYPE: &str = "chunk";

/// The payload of a `chunk` event (`PayloadPart`).
///
/// ```
/// # use bedrock_lite_wire as bedrock_lite;
/// use bedrock_lite::types::PayloadPart;
/// let part: PayloadPart = serde_json::from_str(r#"{"bytes":"eyJhIjoxfQ==","p":"abc"}"#)?;
/// assert_eq!(part.bytes.0, br#"{"a":1}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
///
/// One per chunk of the stream: read straight from the frame (serde's derive),
/// the base64 decoded from the payload without copying it first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayloadPart {
    /// The piece of the model's response. `Debug` shows only its length.
    #[serde(default)]
    pub bytes: Blob,
}
