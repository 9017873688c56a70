//! The signer: header signing and presigning over request parts, with a cached
//! signing key, and the same computation with its texts kept ([`Signer::explain`]).

use std::borrow::Cow;
use std::fmt;
use std::time::{Duration, SystemTime};

use hmac::Mac;

use super::amz_date::AmzDate;
use super::canonical::{
    check_method, is_header_value, CanonicalHeaders, CanonicalQuery, CanonicalRequest, HeaderEntry,
    SignerHeader,
};
use super::digest::{hex32, push_ascii, sha256, BufferedSha256, Sink};
use super::error::SigningError;
use super::key_cache::SigningKeyCache;
use super::uri_encode::{write_encoded, Slash};
use super::SigningIdentity;

const ALGORITHM: &str = "AWS4-HMAC-SHA256";
const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
const X_AMZ_DATE: &str = "X-Amz-Date";
const X_AMZ_SECURITY_TOKEN: &str = "X-Amz-Security-Token";
const X_AMZ_CONTENT_SHA256: &str = "x-amz-content-sha256";
/// The same names in lower case, as they enter the canonical request (a header
/// set all in lower case needs no case folding).
const LOWER_X_AMZ_DATE: &str = "x-amz-date";
const LOWER_X_AMZ_SECURITY_TOKEN: &str = "x-amz-security-token";
const AUTHORIZATION: &str = "Authorization";
const X_AMZ_ALGORITHM: &str = "X-Amz-Algorithm";
const X_AMZ_CREDENTIAL: &str = "X-Amz-Credential";
const X_AMZ_EXPIRES: &str = "X-Amz-Expires";
const X_AMZ_SIGNED_HEADERS: &str = "X-Amz-SignedHeaders";
const X_AMZ_SIGNATURE: &str = "X-Amz-Signature";
/// The query parameters presigning adds; a URL that has one is already signed.
const QUERY_AUTH_PARAMS: [&str; 7] = [
    X_AMZ_ALGORITHM,
    X_AMZ_CREDENTIAL,
    X_AMZ_DATE,
    X_AMZ_EXPIRES,
    X_AMZ_SECURITY_TOKEN,
    X_AMZ_SIGNED_HEADERS,
    X_AMZ_SIGNATURE,
];
/// AWS refuses presigned URLs valid for longer than 7 days.
const MAX_EXPIRY_SECONDS: u64 = 7 * 24 * 3600;

/// A header as a name and a value; implemented for `(name, value)` tuples of
/// `String` or `&str`.
pub trait HeaderPair {
    /// The header name, any case.
    fn name(&self) -> &str;
    /// The header value, as it will be sent.
    fn value(&self) -> &str;
}

impl<N: AsRef<str>, V: AsRef<str>> HeaderPair for (N, V) {
    fn name(&self) -> &str {
        self.0.as_ref()
    }

    fn value(&self) -> &str {
        self.1.as_ref()
    }
}

/// What the canonical request says about the body.
#[derive(Clone, Copy)]
pub enum Payload<'a> {
    /// The body itself; the signer hashes it.
    Bytes(&'a [u8]),
    /// The SHA-256 of the body, computed by the caller.
    Sha256([u8; 32]),
    /// `UNSIGNED-PAYLOAD`: the body is not covered by the signature.
    Unsigned,
}

impl fmt::Debug for Payload<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Payload::Bytes(body) => write!(f, "Bytes({} bytes)", body.len()),
            Payload::Sha256(digest) => write!(f, "Sha256({})", hex::encode(digest)),
            Payload::Unsigned => write!(f, "Unsigned"),
        }
    }
}

/// A request as the signer sees it.
#[derive(Clone, Copy, Debug)]
pub struct SignableRequest<'a, H: HeaderPair = (&'a str, &'a str)> {
    /// `GET`, `POST`...
    pub method: &'a str,
    /// The path as it travels: already percent-encoded once (see
    /// [`percent_encode`](super::percent_encode)).
    pub path: &'a str,
    /// The raw query string, without `?` (empty for none).
    pub query: &'a str,
    /// Every header that will be sent, `Host` included if it is set by hand.
    pub headers: &'a [H],
    /// The `Host` value to sign when `headers` has no `Host` (from the URL).
    pub host: Option<&'a str>,
    /// The body, or its hash.
    pub payload: Payload<'a>,
}

/// Region, service and time: what the credential scope is made of.
#[derive(Clone, Copy, Debug)]
pub struct SigningScope<'a> {
    /// `us-east-1`...
    pub region: &'a str,
    /// The signing name of the service: `bedrock` for both Bedrock endpoints.
    pub service: &'a str,
    /// The signing time; pass a skew-corrected clock here.
    pub time: SystemTime,
}

/// Where the session token goes relative to the signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionTokenPlacement {
    /// In the canonical request, so the signature covers it (what AWS expects).
    Signed,
    /// Added after signing, outside the canonical request (a few services, and
    /// the suite's `omit_session_token`).
    AddedAfterSigning,
}

/// How requests are signed; the defaults suit every AWS service but S3.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SigningSettings {
    /// Remove `.`/`..` segments and collapse `//` in the path before signing.
    pub normalize_path: bool,
    /// Header signing also adds and signs `x-amz-content-sha256`.
    pub content_sha256_header: bool,
    /// Where the session token goes.
    pub session_token: SessionTokenPlacement,
}

impl SigningSettings {
    /// Normalised paths, no `x-amz-content-sha256`, the session token signed.
    pub const DEFAULT: SigningSettings = SigningSettings {
        normalize_path: true,
        content_sha256_header: false,
        session_token: SessionTokenPlacement::Signed,
    };
}

impl Default for SigningSettings {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Where the signature goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureLocation {
    /// `Authorization` and `X-Amz-*` headers.
    Headers,
    /// Query parameters (a presigned URL) valid for `expires_in`.
    Query {
        /// How long the URL stays valid (1 second to 7 days).
        expires_in: Duration,
    },
}

/// The headers a header signature adds, in the order the suite lists them.
/// `Debug` hides the session token.
#[derive(Clone, PartialEq, Eq)]
pub struct HeaderSignature<'a> {
    amz_date: String,
    security_token: Option<&'a str>,
    content_sha256: Option<String>,
    authorization: String,
}

impl HeaderSignature<'_> {
    /// `(name, value)` of each header to set: `X-Amz-Security-Token` (with a
    /// session token), `X-Amz-Date`, `x-amz-content-sha256` (when enabled) and
    /// `Authorization`. Each replaces any header of the same name.
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            self.security_token
                .map(|token| (X_AMZ_SECURITY_TOKEN, token)),
            Some((X_AMZ_DATE, self.amz_date.as_str())),
            self.content_sha256
                .as_deref()
                .map(|hash| (X_AMZ_CONTENT_SHA256, hash)),
            Some((AUTHORIZATION, self.authorization.as_str())),
        ]
        .into_iter()
        .flatten()
    }

    /// Sets [`headers`](Self::headers) in `headers`: each replaces the first
    /// header of the same name (any case, keeping its place) and drops the
    /// others, or is appended.
    pub fn apply_to(&self, headers: &mut Vec<(String, String)>) {
        self.apply_with(
            headers,
            |header| header.0.as_str(),
            |name, value| (name.to_owned(), value.to_owned()),
        );
    }

    /// [`apply_to`](Self::apply_to) over any header type: `name_of` reads a
    /// header's name, `make` builds a header from a name and a value.
    pub(crate) fn apply_with<T>(
        &self,
        headers: &mut Vec<T>,
        name_of: impl Fn(&T) -> &str,
        make: impl Fn(&str, &str) -> T,
    ) {
        for (name, value) in self.headers() {
            let mut seen = false;
            headers.retain_mut(|header| {
                if !name_of(header).eq_ignore_ascii_case(name) {
                    return true;
                }
                if seen {
                    return false;
                }
                seen = true;
                let kept_name = name_of(header).to_owned();
                *header = make(&kept_name, value);
                true
            });
            if !seen {
                headers.push(make(name, value));
            }
        }
    }

    /// The `Authorization` header value.
    pub fn authorization(&self) -> &str {
        &self.authorization
    }

    /// The signature: 64 lowercase hex digits.
    pub fn signature(&self) -> &str {
        let start = self.authorization.len().saturating_sub(64);
        self.authorization.get(start..).unwrap_or_default()
    }
}

impl fmt::Debug for HeaderSignature<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HeaderSignature")
            .field("amz_date", &self.amz_date)
            .field("security_token", &self.security_token.map(|_| "<redacted>"))
            .field("content_sha256", &self.content_sha256)
            .field("authorization", &self.authorization)
            .finish()
    }
}

/// The query parameters a presignature adds. A presigned URL is a bearer
/// credential until it expires, so `Debug` shows none of it.
#[derive(Clone, PartialEq, Eq)]
pub struct QuerySignature {
    query: String,
    signature_start: usize,
}

impl QuerySignature {
    /// The encoded parameters to append to the URL's query (after `?` or `&`):
    /// `X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-SignedHeaders`,
    /// `X-Amz-Expires`, `X-Amz-Security-Token` (with a session token) and
    /// `X-Amz-Signature`, in that order.
    pub fn query(&self) -> &str {
        &self.query
    }

    /// The signature: 64 lowercase hex digits.
    pub fn signature(&self) -> &str {
        self.query.get(self.signature_start..).unwrap_or_default()
    }
}

impl fmt::Debug for QuerySignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QuerySignature").finish_non_exhaustive()
    }
}

/// A header signature or a presignature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignatureOutput<'a> {
    /// Headers to set.
    Headers(HeaderSignature<'a>),
    /// Query parameters to append.
    Query(QuerySignature),
}

impl SignatureOutput<'_> {
    /// The signature: 64 lowercase hex digits.
    pub fn signature(&self) -> &str {
        match self {
            SignatureOutput::Headers(headers) => headers.signature(),
            SignatureOutput::Query(query) => query.signature(),
        }
    }
}

/// A signature with the texts it was computed from: what AWS recomputes and
/// compares when it answers `SignatureDoesNotMatch`. The canonical request can
/// hold the session token, so `Debug` shows only sizes.
#[derive(Clone, PartialEq, Eq)]
pub struct Explanation<'a> {
    /// The canonical request (no trailing newline).
    pub canonical_request: String,
    /// The string to sign (no trailing newline).
    pub string_to_sign: String,
    /// The signature and where it goes.
    pub output: SignatureOutput<'a>,
}

impl fmt::Debug for Explanation<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Explanation")
            .field("canonical_request_len", &self.canonical_request.len())
            .field("string_to_sign", &self.string_to_sign)
            .field("output", &self.output)
            .finish()
    }
}

/// The texts [`Signer::explain`] keeps.
#[derive(Default)]
struct Transcript {
    canonical_request: String,
    string_to_sign: String,
}

/// Signs requests with SigV4, caching signing keys per (secret, date, region,
/// service). Thread-safe; share one per client.
#[derive(Debug, Default)]
pub struct Signer {
    settings: SigningSettings,
    keys: SigningKeyCache,
}

impl Signer {
    /// A signer with `settings` and an empty key cache.
    pub const fn new(settings: SigningSettings) -> Self {
        Signer {
            settings,
            keys: SigningKeyCache::new(),
        }
    }

    /// The settings this signer applies.
    pub fn settings(&self) -> SigningSettings {
        self.settings
    }

    /// Signs `request` with headers: returns the headers to set.
    pub fn sign_headers<'i, H: HeaderPair>(
        &self,
        request: &SignableRequest<'_, H>,
        identity: &SigningIdentity<'i>,
        scope: &SigningScope<'_>,
    ) -> Result<HeaderSignature<'i>, SigningError> {
        self.sign_with_headers(request, identity, scope, None)
    }

    /// Presigns `request` for `expires_in`: returns the query parameters to add.
    /// A session token goes into the query (`X-Amz-Security-Token`).
    pub fn presign<H: HeaderPair>(
        &self,
        request: &SignableRequest<'_, H>,
        identity: &SigningIdentity<'_>,
        scope: &SigningScope<'_>,
        expires_in: Duration,
    ) -> Result<QuerySignature, SigningError> {
        self.sign_with_query(request, identity, scope, expires_in, None)
    }

    /// Signs like [`sign_headers`](Self::sign_headers) or
    /// [`presign`](Self::presign), and also returns the canonical request and
    /// string to sign.
    pub fn explain<'i, H: HeaderPair>(
        &self,
        request: &SignableRequest<'_, H>,
        identity: &SigningIdentity<'i>,
        scope: &SigningScope<'_>,
        location: SignatureLocation,
    ) -> Result<Explanation<'i>, SigningError> {
        let mut transcript = Transcript::default();
        let output = match location {
            SignatureLocation::Headers => SignatureOutput::Headers(self.sign_with_headers(
                request,
                identity,
                scope,
                Some(&mut transcript),
            )?),
            SignatureLocation::Query { expires_in } => SignatureOutput::Query(
                self.sign_with_query(request, identity, scope, expires_in, Some(&mut transcript))?,
            ),
        };
        Ok(Explanation {
            canonical_request: transcript.canonical_request,
            string_to_sign: transcript.string_to_sign,
            output,
        })
    }

    fn sign_with_headers<'i, H: HeaderPair>(
        &self,
        request: &SignableRequest<'_, H>,
        identity: &SigningIdentity<'i>,
        scope: &SigningScope<'_>,
        transcript: Option<&mut Transcript>,
    ) -> Result<HeaderSignature<'i>, SigningError> {
        let common = Common::new(request, identity, scope)?;
        if identity
            .session_token
            .is_some_and(|token| !is_header_value(token))
        {
            return Err(SigningError::InvalidSessionToken);
        }
        let content_sha256 = self
            .settings
            .content_sha256_header
            .then_some(&*common.payload_hash);
        let signer_headers = [
            Some((LOWER_X_AMZ_DATE, common.date.date_time(), true)),
            identity.session_token.map(|token| {
                let signed = self.settings.session_token == SessionTokenPlacement::Signed;
                (LOWER_X_AMZ_SECURITY_TOKEN, token, signed)
            }),
            content_sha256.map(|hash| (X_AMZ_CONTENT_SHA256, hash, true)),
        ]
        .into_iter()
        .flatten()
        .map(|(name, value, signed)| SignerHeader {
            entry: HeaderEntry { name, value },
            signed,
        });
        let mut query = CanonicalQuery::parse(request.query);
        query.sort();
        let canonical = CanonicalRequest {
            method: request.method,
            path: request.path,
            normalize_path: self.settings.normalize_path,
            query,
            headers: canonical_headers(request, signer_headers)?,
            payload_hash: &common.payload_hash,
        };
        let signature = self.signature(&canonical, &common, identity, scope, transcript);

        let signed_names = canonical.headers.signed_names();
        let mut authorization = String::with_capacity(
            ALGORITHM.len() + common.credential_scope.len() + signed_names.len() + 128,
        );
        authorization.push_str(ALGORITHM);
        authorization.push_str(" Credential=");
        authorization.push_str(identity.access_key_id);
        authorization.push('/');
        authorization.push_str(&common.credential_scope);
        authorization.push_str(", SignedHeaders=");
        authorization.push_str(signed_names);
        authorization.push_str(", Signature=");
        push_ascii(&mut authorization, &signature);
        Ok(HeaderSignature {
            content_sha256: content_sha256.map(str::to_owned),
            amz_date: common.date.into_string(),
            security_token: identity.session_token,
            authorization,
        })
    }

    fn sign_with_query<H: HeaderPair>(
        &self,
        request: &SignableRequest<'_, H>,
        identity: &SigningIdentity<'_>,
        scope: &SigningScope<'_>,
        expires_in: Duration,
        transcript: Option<&mut Transcript>,
    ) -> Result<QuerySignature, SigningError> {
        let common = Common::new(request, identity, scope)?;
        let expires = expires_in.as_secs();
        if !(1..=MAX_EXPIRY_SECONDS).contains(&expires) {
            return Err(SigningError::InvalidExpiry(expires));
        }
        let mut canonical = CanonicalRequest {
            method: request.method,
            path: request.path,
            normalize_path: self.settings.normalize_path,
            query: CanonicalQuery::parse(request.query),
            headers: canonical_headers(request, std::iter::empty())?,
            payload_hash: &common.payload_hash,
        };
        if let Some(name) = canonical.query.find_name(&QUERY_AUTH_PARAMS) {
            return Err(SigningError::AlreadySigned(name.to_owned()));
        }
        let credential = format!("{}/{}", identity.access_key_id, common.credential_scope);
        let expires = expires.to_string();
        let token = identity.session_token;
        // The parameters in the order the suite's signed requests list them.
        let mut params = vec![
            (X_AMZ_ALGORITHM, ALGORITHM),
            (X_AMZ_CREDENTIAL, credential.as_str()),
            (X_AMZ_DATE, common.date.date_time()),
            (X_AMZ_SIGNED_HEADERS, canonical.headers.signed_names()),
            (X_AMZ_EXPIRES, expires.as_str()),
        ];
        params.extend(token.map(|token| (X_AMZ_SECURITY_TOKEN, token)));
        for &(name, value) in &params {
            let signed = name != X_AMZ_SECURITY_TOKEN
                || self.settings.session_token == SessionTokenPlacement::Signed;
            if signed {
                canonical.query.push(name, value);
            }
        }
        canonical.query.sort();
        let signature = self.signature(&canonical, &common, identity, scope, transcript);

        let mut out = String::with_capacity(256 + token.map_or(0, |token| token.len() * 3));
        for (name, value) in params {
            out.push_str(name);
            out.push('=');
            write_encoded(&mut out, value.as_bytes(), Slash::Encode);
            out.push('&');
        }
        out.push_str(X_AMZ_SIGNATURE);
        out.push('=');
        let signature_start = out.len();
        push_ascii(&mut out, &signature);
        Ok(QuerySignature {
            query: out,
            signature_start,
        })
    }

    /// Hashes the canonical request, builds the string to sign, and MACs it with
    /// the cached signing key: the signature as 64 hex digits.
    fn signature(
        &self,
        canonical: &CanonicalRequest<'_>,
        common: &Common,
        identity: &SigningIdentity<'_>,
        scope: &SigningScope<'_>,
        mut transcript: Option<&mut Transcript>,
    ) -> [u8; 64] {
        let canonical_digest = match transcript.as_deref_mut() {
            Some(transcript) => {
                canonical.write_to(&mut transcript.canonical_request);
                sha256(transcript.canonical_request.as_bytes())
            }
            None => {
                let mut hasher = BufferedSha256::new();
                canonical.write_to(&mut hasher);
                hasher.finalize()
            }
        };
        let canonical_hex = hex32(&canonical_digest);
        let mut mac = self.keys.keyed_mac(
            identity.secret_access_key,
            common.date.date(),
            scope.region,
            scope.service,
        );
        write_string_to_sign(&mut mac, common, &canonical_hex);
        if let Some(transcript) = transcript {
            write_string_to_sign(&mut transcript.string_to_sign, common, &canonical_hex);
        }
        hex32(&mac.finalize().into_bytes().into())
    }
}

/// What header signing and presigning both start from.
struct Common {
    date: AmzDate,
    /// `20150830/us-east-1/service/aws4_request`
    credential_scope: String,
    /// Lowercase hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`.
    payload_hash: Cow<'static, str>,
}

impl Common {
    fn new<H: HeaderPair>(
        request: &SignableRequest<'_, H>,
        identity: &SigningIdentity<'_>,
        scope: &SigningScope<'_>,
    ) -> Result<Self, SigningError> {
        check_method(request.method)?;
        check_scope_field(identity.access_key_id, "access key id")?;
        check_scope_field(scope.region, "region")?;
        check_scope_field(scope.service, "service")?;
        let date = AmzDate::new(scope.time)?;
        let mut credential_scope =
            String::with_capacity(24 + scope.region.len() + scope.service.len());
        for part in [
            date.date(),
            "/",
            scope.region,
            "/",
            scope.service,
            "/aws4_request",
        ] {
            credential_scope.push_str(part);
        }
        let hex_of = |digest: [u8; 32]| {
            let mut hex = String::with_capacity(64);
            push_ascii(&mut hex, &hex32(&digest));
            Cow::Owned(hex)
        };
        let payload_hash = match request.payload {
            Payload::Bytes(body) => hex_of(sha256(body)),
            Payload::Sha256(digest) => hex_of(digest),
            Payload::Unsigned => Cow::Borrowed(UNSIGNED_PAYLOAD),
        };
        Ok(Common {
            date,
            credential_scope,
            payload_hash,
        })
    }
}

/// The request's headers, `host` and the signer's own, sorted and checked.
fn canonical_headers<'a, H: HeaderPair>(
    request: &SignableRequest<'a, H>,
    signer_headers: impl Iterator<Item = SignerHeader<'a>> + Clone,
) -> Result<CanonicalHeaders<'a>, SigningError> {
    let entries = request.headers.iter().map(|header| HeaderEntry {
        name: header.name(),
        value: header.value(),
    });
    CanonicalHeaders::new(entries, request.host, signer_headers)
}

/// `AWS4-HMAC-SHA256\n<date time>\n<scope>\n<hex SHA-256 of the canonical request>`
fn write_string_to_sign<S: Sink>(sink: &mut S, common: &Common, canonical_hex: &[u8; 64]) {
    sink.put_str(ALGORITHM);
    sink.put(b"\n");
    sink.put_str(common.date.date_time());
    sink.put(b"\n");
    sink.put_str(&common.credential_scope);
    sink.put(b"\n");
    sink.put(canonical_hex);
}

/// Refuses what would corrupt `Credential=<key id>/<date>/<region>/<service>/...`.
fn check_scope_field(value: &str, field: &'static str) -> Result<(), SigningError> {
    let corrupting = |b: u8| b == b'/' || b == b',' || b == b' ' || b.is_ascii_control();
    if value.is_empty() || value.bytes().any(corrupting) {
        Err(SigningError::InvalidScopeField(field))
    } else {
        Ok(())
    }
}
