//! A loopback Bedrock runtime emulator: `bedrock-lite emulate`, `bedrock-lite
//! demo` and the integration tests talk to it instead of AWS.
//!
//! It is a small HTTP/1.1 server on `127.0.0.1` that checks every request's
//! SigV4 signature (with [`crate::sigv4`], against the demo keys) or bearer
//! token, and serves `POST /model/{modelId}/converse`,
//! `POST /model/{modelId}/converse-stream`, `POST /model/{modelId}/invoke`
//! (embeddings, and text in the model's own format),
//! `POST /model/{modelId}/invoke-with-response-stream`,
//! `POST /model/{modelId}/count-tokens`,
//! `POST /guardrail/{id}/version/{version}/apply` (a word filter: text with
//! [`GUARDRAIL_TRIGGER`] is blocked), and the control plane's
//! `GET /foundation-models`, `GET /foundation-models/{id}`,
//! `GET /inference-profiles` and `GET /inference-profiles/{id}` from a
//! region-dependent catalogue, with replies shaped as Bedrock sends
//! them: JSON bodies, real event-stream frames with the `p` padding member, and
//! errors with `x-amzn-ErrorType`. By default it echoes the last user message;
//! tests [`script`](Emulator::script) other replies: throttling, exceptions in
//! the middle of a stream, cut connections, slow streams, a skewed clock.
//!
//! The parts: `server` (HTTP), `auth` (the signature check), `routes` (which
//! operation a request names), `converse` (the replies), `catalogue` (the
//! control plane), `invoke` (InvokeModel and InvokeModelWithResponseStream),
//! `count_tokens` (CountTokens), `guardrail` (ApplyGuardrail), `script` (the
//! queue of [`Reply`]s) and `frames` (event-stream frames).

mod auth;
mod catalogue;
mod converse;
mod count_tokens;
mod frames;
mod guardrail;
mod invoke;
mod routes;
mod script;
mod server;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use guardrail::{GUARDRAIL_BLOCKED_MESSAGE, GUARDRAIL_TRIGGER};
pub use script::Reply;
pub use server::RecordedRequest;

use script::Shared;

/// The access key id the emulator accepts (SigV4). Public: a demo value, not a secret.
pub const DEMO_ACCESS_KEY_ID: &str = "AKIDEMULATOR0DEMO0KEY";
/// The secret access key the emulator accepts. Public: a demo value that works
/// nowhere but the emulator.
pub const DEMO_SECRET_ACCESS_KEY: &str = "emulator/demo/secret/key/not/a/real/one";
/// The bearer token (`Authorization: Bearer`) the emulator accepts.
pub const DEMO_BEARER_TOKEN: &str = "bedrock-api-key-emulator-demo";

/// A running emulator. It serves in a tokio task until dropped or
/// [`shutdown`](Emulator::shutdown); dropping it closes every connection.
pub struct Emulator {
    address: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl Emulator {
    /// Binds `127.0.0.1:port` (`0`: any free port) and starts serving. Must be
    /// called inside a tokio runtime.
    pub async fn start(port: u16) -> std::io::Result<Emulator> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await?;
        let address = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        let task = tokio::spawn(server::serve(listener, Arc::clone(&shared)));
        Ok(Emulator {
            address,
            shared,
            task,
        })
    }

    /// The base URL to pass as `--endpoint-url`: `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Queues `reply` for the next request that needs one (first in, first
    /// out). With none queued, the emulator echoes the prompt.
    pub fn script(&self, reply: Reply) {
        self.shared.push(reply);
    }

    /// Every well-formed request received so far, in order (refused ones
    /// included; the most recent 10,000).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.requests()
    }

    /// Stops serving and closes every connection.
    pub async fn shutdown(mut self) {
        self.task.abort();
        // The task ends only by being aborted, so its outcome says nothing.
        let _ = (&mut self.task).await;
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}
