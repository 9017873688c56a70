//! AWS Signature Version 4 request signing (pure: no I/O, the clock is an argument).
//!
//! Signing a request takes four steps:
//!
//! 1. The *canonical request* (module `canonical`): method, path, query, headers
//!    and payload hash in the one text form AWS recomputes on its side.
//! 2. The *string to sign* (module `signer`): algorithm, time, credential scope
//!    and the SHA-256 of the canonical request.
//! 3. The *signature*: the HMAC of the string to sign under the *signing key*,
//!    which four HMACs derive from the secret, date, region and service (module
//!    `key_cache`, which keeps it, so that a warm signature costs one hash of the
//!    canonical request and one HMAC).
//! 4. The signature goes either into headers (`Authorization`, `X-Amz-Date`,
//!    `X-Amz-Security-Token`) or into the query string (a presigned URL).
//!
//! Entry points:
//!
//! * [`Signer`]: the fast path for a transport: sign a request given as parts
//!   ([`SignableRequest`]) and get the headers to add ([`HeaderSignature`]) or the
//!   query to append ([`QuerySignature`]).
//! * `http::sign` (outside this pure module) applies it to a buffered HTTP
//!   request or presigns a URL, with a process-wide key cache.
//! * [`Signer::explain`] and [`RawRequest`]: the canonical request and string to
//!   sign that AWS compares, for debugging `SignatureDoesNotMatch`; `RawRequest`
//!   reads raw request text and a [`SigningContext`] the test suite's
//!   `context.json`, as `bedrock-lite sigv4 sign` does.
//!
//! The rules are those for every service except S3: the path, already
//! percent-encoded once as it travels, is encoded once more (a model id `a:b`
//! travels as `a%3Ab` and is signed as `a%253Ab`; [`percent_encode`] makes the
//! wire form).

mod amz_date;
mod canonical;
mod context;
mod digest;
mod error;
mod key_cache;
mod raw_request;
mod signer;
mod uri_encode;
mod url;

pub use context::{ContextError, SigningContext};
pub use error::SigningError;
pub use raw_request::{RawRequest, RawRequestError, SignedRawRequest};
pub use signer::{
    Explanation, HeaderPair, HeaderSignature, Payload, QuerySignature, SessionTokenPlacement,
    SignableRequest, SignatureLocation, SignatureOutput, Signer, SigningScope, SigningSettings,
};
pub use uri_encode::percent_decode;
pub use uri_encode::percent_encode;
pub use url::{split_url, UrlParts};

/// The credentials a request is signed with. Borrowed, so that the caller decides
/// where secrets live; `Debug` shows only the access key id.
#[derive(Clone, Copy)]
pub struct SigningIdentity<'a> {
    /// The access key id (`AKIA...`, `ASIA...`); it appears in the signed request.
    pub access_key_id: &'a str,
    /// The secret access key; it never leaves this module except through HMAC.
    pub secret_access_key: &'a str,
    /// The session token of temporary credentials, sent as `X-Amz-Security-Token`.
    pub session_token: Option<&'a str>,
}

impl std::fmt::Debug for SigningIdentity<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningIdentity")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("session_token", &self.session_token.map(|_| "<redacted>"))
            .finish()
    }
}
