//! Typed serde shapes of the Converse and ConverseStream APIs, with the member
//! names of the API model (`bedrock-runtime` 2023-09-30) in camelCase.
//!
//! * [`ConverseRequest`]: the request body (both operations). Only what is set
//!   is written: `None`, empty lists and empty maps are left out.
//! * [`ConverseResponse`]: the Converse response body.
//! * [`parse_event`] / [`StreamEvent`] and [`parse_exception`] /
//!   [`StreamException`]: ConverseStream's events, read from an event-stream
//!   message's payload without copying text deltas.
//! * [`CountTokensRequest`], [`ApplyGuardrailRequest`], [`PayloadPart`] (the
//!   pieces of InvokeModelWithResponseStream) and the control plane's shapes
//!   ([`GetFoundationModelResponse`], ...): the other operations.
//!
//! Reading is tolerant, so that a response from a newer service still reads:
//! unknown members of a structure are ignored; an unknown member of a union (or
//! a known one in a shape this version cannot read) is kept (`Unknown`: the raw
//! JSON, written back unchanged; for stream deltas just its name); an
//! unknown value of an enumeration is kept as a string (`Unknown(String)`).
//! Structures that only responses carry read a missing member as its zero value
//! (0, empty, `None`), as the AWS SDKs' error correction does; a missing union or
//! enumeration member is still an error. Bytes (`Blob`) are base64 on the wire.
//!
//! Responses are parsed once into a `serde_json::Value` and each shape reads
//! its members from that through one non-generic function (`read.rs`), which
//! keeps the build small; an error names the path of the member at fault
//! (`` `output.message.content[1].toolUse`: missing field `toolUseId` ``). A
//! structure is a JSON object (never an array); a member given twice counts
//! once, the last one. The stream's text deltas keep a borrowed reader that
//! copies nothing.

mod apply_guardrail;
mod content;
mod control;
mod count_tokens;
mod guardrail_trace;
mod invoke_stream;
mod read;
mod request;
mod response;
mod stream;
mod wire;

pub use apply_guardrail::*;
pub use content::*;
pub use control::*;
pub use count_tokens::*;
pub use guardrail_trace::*;
pub use invoke_stream::*;
pub use request::*;
pub use response::*;
pub use stream::*;
pub use wire::{Blob, EmptyObject, UnknownMembers};

#[cfg(test)]
mod tests;
