//! A user's model ref, parsed: a foundation model id
//! (`anthropic.claude-3-haiku-20240307-v1:0`), a system inference profile id
//! with a geography prefix (`us.`, `eu.`, `apac.`, `ap.`, `au.`, `jp.`,
//! `us-gov.`, `global.`), a full ARN (`arn:aws:bedrock:REGION:ACCOUNT:TYPE/ID`,
//! in any partition), or any of these behind `amazon-bedrock/` (the provider
//! prefix OpenClaw users write), which is dropped.
//!
//! The id or ARN goes into request paths as one percent-encoded segment
//! ([`ModelRef::path_segment`]); a ref that carries a region (an ARN) should be
//! sent to that region ([`ModelRef::region`]).

use std::fmt;
use std::str::FromStr;

use crate::sigv4::percent_encode;

/// The prefix that OpenClaw model refs put before the Bedrock id.
const PROVIDER_PREFIX: &str = "amazon-bedrock/";

/// The longest model id Bedrock accepts (`ConversationalModelId`).
const MAX_LEN: usize = 2048;

/// The geography of a system inference profile: its id's first label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Geo {
    /// `us.`: United States regions.
    Us,
    /// `eu.`: European regions.
    Eu,
    /// `apac.`: Asia Pacific regions (the older prefix).
    Apac,
    /// `ap.`: Asia Pacific regions.
    Ap,
    /// `au.`: Australian regions.
    Au,
    /// `jp.`: Japanese regions.
    Jp,
    /// `us-gov.`: AWS GovCloud (US) regions.
    UsGov,
    /// `global.`: any commercial region.
    Global,
}

impl Geo {
    const ALL: [Geo; 8] = [
        Geo::Us,
        Geo::Eu,
        Geo::Apac,
        Geo::Ap,
        Geo::Au,
        Geo::Jp,
        Geo::UsGov,
        Geo::Global,
    ];

    /// The prefix without its dot: `us`, `eu`, `apac`, `ap`, `au`, `jp`, `us-gov`, `global`.
    pub fn prefix(self) -> &'static str {
        match self {
            Geo::Us => "us",
            Geo::Eu => "eu",
            Geo::Apac => "apac",
            Geo::Ap => "ap",
            Geo::Au => "au",
            Geo::Jp => "jp",
            Geo::UsGov => "us-gov",
            Geo::Global => "global",
        }
    }

    /// The geography and the rest of `id`, when `id` is `<geo>.<rest>` with a
    /// non-empty rest.
    fn split(id: &str) -> Option<(Geo, &str)> {
        Geo::ALL.into_iter().find_map(|geo| {
            let rest = id.strip_prefix(geo.prefix())?.strip_prefix('.')?;
            (!rest.is_empty()).then_some((geo, rest))
        })
    }
}

/// What a model ref names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelKind {
    /// A foundation model, by id or `foundation-model/` ARN. (A bare id with no
    /// geography prefix counts as one; Bedrock also takes a few other bare ids,
    /// such as an application inference profile's, which cannot be told apart.)
    FoundationModel,
    /// A system (cross-region) inference profile, by id or `inference-profile/`
    /// ARN; `geo` is `None` only for an ARN whose id has a prefix not known here.
    InferenceProfile {
        /// The geography prefix.
        geo: Option<Geo>,
    },
    /// An `application-inference-profile/` ARN: requests go to its region.
    ApplicationInferenceProfile,
    /// Any other model ARN: `provisioned-model`, `custom-model`,
    /// `custom-model-deployment`, `imported-model`, `prompt`, `prompt-router`, a
    /// SageMaker `endpoint`, or a resource type newer than this code.
    OtherArn {
        /// The resource type, e.g. `provisioned-model`.
        resource_type: String,
    },
}

/// The parts of a model ARN, `arn:PARTITION:SERVICE:REGION:ACCOUNT:TYPE/ID`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arn {
    /// `aws`, `aws-cn`, `aws-us-gov`, ...
    pub partition: String,
    /// `bedrock`, or `sagemaker` for a SageMaker endpoint.
    pub service: String,
    /// The region the resource lives in.
    pub region: String,
    /// The owning account (12 digits); empty for a foundation model.
    pub account: String,
    /// The resource type, e.g. `application-inference-profile`.
    pub resource_type: String,
    /// The resource id after the first `/` (it may itself contain `/` and `:`).
    pub resource_id: String,
}

/// A parsed model ref.
///
/// ```
/// # use bedrock_lite_wire as bedrock_lite;
/// use bedrock_lite::model_ref::{Geo, ModelKind, ModelRef};
/// let model: ModelRef = "amazon-bedrock/us.anthropic.claude-3-haiku-20240307-v1:0".parse()?;
/// assert_eq!(model.id(), "us.anthropic.claude-3-haiku-20240307-v1:0");
/// assert_eq!(model.kind(), &ModelKind::InferenceProfile { geo: Some(Geo::Us) });
/// assert_eq!(model.provider(), Some("anthropic"));
/// assert_eq!(model.base_model_id(), Some("anthropic.claude-3-haiku-20240307-v1:0"));
/// assert_eq!(model.path_segment(), "us.anthropic.claude-3-haiku-20240307-v1%3A0");
///
/// let arn = "arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/a1b2c3d4e5f6";
/// let model = ModelRef::parse(arn)?;
/// assert_eq!(model.kind(), &ModelKind::ApplicationInferenceProfile);
/// assert_eq!(model.region(), Some("eu-west-1"));
/// # Ok::<(), bedrock_lite::model_ref::ModelRefError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelRef {
    id: String,
    kind: ModelKind,
    arn: Option<Arn>,
}

impl ModelRef {
    /// Parses a model ref; see the module docs for the forms.
    ///
    /// Errors name the ref: empty, longer than 2048 bytes, whitespace or control
    /// characters anywhere, a character no model id has, or a malformed ARN.
    pub fn parse(text: &str) -> Result<ModelRef, ModelRefError> {
        let fail = |problem| ModelRefError {
            reference: text.to_owned(),
            problem,
        };
        let id = text.strip_prefix(PROVIDER_PREFIX).unwrap_or(text);
        if id.is_empty() {
            return Err(fail(Problem::Empty));
        }
        if id.len() > MAX_LEN {
            return Err(fail(Problem::TooLong));
        }
        if let Some(c) = id.chars().find(|c| c.is_whitespace() || c.is_control()) {
            return Err(fail(if c.is_whitespace() {
                Problem::Whitespace
            } else {
                Problem::ControlCharacter
            }));
        }
        if let Some(rest) = id.strip_prefix("arn:") {
            let arn = parse_arn(rest).map_err(|why| fail(Problem::MalformedArn(why)))?;
            return Ok(ModelRef {
                id: id.to_owned(),
                kind: arn_kind(&arn),
                arn: Some(arn),
            });
        }
        if let Some(c) = id.chars().find(|&c| !is_id_char(c)) {
            return Err(fail(Problem::InvalidCharacter(c)));
        }
        let kind = match Geo::split(id) {
            Some((geo, _)) => ModelKind::InferenceProfile { geo: Some(geo) },
            None => ModelKind::FoundationModel,
        };
        Ok(ModelRef {
            id: id.to_owned(),
            kind,
            arn: None,
        })
    }

    /// The model id or ARN as Bedrock takes it (without `amazon-bedrock/`).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The id percent-encoded once as one path segment for the wire
    /// (`:` → `%3A`, `/` → `%2F`), as in `/model/{segment}/converse`.
    pub fn path_segment(&self) -> String {
        percent_encode(&self.id)
    }

    /// What the ref names.
    pub fn kind(&self) -> &ModelKind {
        &self.kind
    }

    /// The ARN's parts, when the ref is an ARN.
    pub fn arn(&self) -> Option<&Arn> {
        self.arn.as_ref()
    }

    /// The region an ARN names, where requests for it must go (Bedrock takes an
    /// application inference profile, and any other ARN, only in its own region).
    /// `None` for ids, which work in the request region.
    pub fn region(&self) -> Option<&str> {
        self.arn.as_ref().map(|arn| arn.region.as_str())
    }

    /// The foundation model id without a geography prefix: the id itself for a
    /// foundation model, `anthropic.claude-...` for `us.anthropic.claude-...`, the
    /// same from a `foundation-model/` or `inference-profile/` ARN. `None` when
    /// the ref does not show it (an application inference profile, other ARNs).
    pub fn base_model_id(&self) -> Option<&str> {
        let id = match &self.arn {
            Some(arn) => arn.resource_id.as_str(),
            None => self.id.as_str(),
        };
        match self.kind {
            ModelKind::FoundationModel => Some(id),
            ModelKind::InferenceProfile { geo: Some(_) } => Geo::split(id).map(|(_, rest)| rest),
            _ => None,
        }
    }

    /// The model provider, the base model id's first label: `anthropic`,
    /// `amazon`, `meta`, `mistral`, `cohere`, ... `None` when the base model id
    /// is unknown or has no `.`.
    pub fn provider(&self) -> Option<&str> {
        self.base_model_id()?
            .split_once('.')
            .map(|(provider, _)| provider)
            .filter(|provider| !provider.is_empty())
    }
}

impl FromStr for ModelRef {
    type Err = ModelRefError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        ModelRef::parse(text)
    }
}

impl fmt::Display for ModelRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id)
    }
}

/// Why a model ref was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Nothing (or nothing after `amazon-bedrock/`).
    Empty,
    /// Longer than Bedrock's 2048-byte limit.
    TooLong,
    /// Contains whitespace.
    Whitespace,
    /// Contains a control character.
    ControlCharacter,
    /// An id (not an ARN) with a character outside `A-Z a-z 0-9 - . _ :`.
    InvalidCharacter(char),
    /// Starts with `arn:` but is not a model ARN; says what is wrong.
    MalformedArn(&'static str),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Empty => f.write_str("it is empty"),
            Problem::TooLong => write!(f, "it is longer than {MAX_LEN} bytes"),
            Problem::Whitespace => f.write_str("it contains whitespace"),
            Problem::ControlCharacter => f.write_str("it contains a control character"),
            Problem::InvalidCharacter(c) => write!(
                f,
                "`{}` cannot appear in a model id (expected letters, digits, `-`, `.`, `_`, `:`)",
                c.escape_debug()
            ),
            Problem::MalformedArn(why) => write!(f, "malformed ARN: {why}"),
        }
    }
}

/// A model ref that could not be parsed; the message names the ref.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ModelRefError {
    /// The ref as given.
    pub reference: String,
    /// What is wrong with it.
    pub problem: Problem,
}

impl fmt::Display for ModelRefError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SHOWN: usize = 120;
        let shown: String = self.reference.chars().take(SHOWN).collect();
        let more = if shown.len() < self.reference.len() {
            "..."
        } else {
            ""
        };
        write!(
            f,
            "invalid model ref `{}{more}`: {}",
            shown.escape_debug(),
            self.problem
        )
    }
}

impl std::error::Error for ModelRefError {}

/// Characters of a model id (the id branches of `ConversationalModelId`).
fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | ':')
}

/// Parses what follows `arn:`: `PARTITION:SERVICE:REGION:ACCOUNT:TYPE/ID`.
fn parse_arn(rest: &str) -> Result<Arn, &'static str> {
    let mut parts = rest.splitn(5, ':');
    let mut next = || parts.next().unwrap_or_default();
    let (partition, service, region, account, resource) = (next(), next(), next(), next(), next());
    if resource.is_empty() {
        return Err("expected arn:PARTITION:SERVICE:REGION:ACCOUNT:TYPE/ID");
    }
    let lower_label = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    let partition_ok =
        partition == "aws" || partition.strip_prefix("aws-").is_some_and(lower_label);
    if !partition_ok {
        return Err("the partition is not `aws` or `aws-...`");
    }
    if !matches!(service, "bedrock" | "sagemaker") {
        return Err("the service is not `bedrock` (or `sagemaker`)");
    }
    if !lower_label(region) {
        return Err("the region is missing or not a region name");
    }
    let Some((resource_type, resource_id)) = resource.split_once('/') else {
        return Err("the resource is not TYPE/ID");
    };
    if !resource_type
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b == b'-')
        || resource_type.is_empty()
    {
        return Err("the resource type is not lowercase letters and `-`");
    }
    if resource_id.is_empty() || !resource_id.chars().all(|c| is_id_char(c) || c == '/') {
        return Err("the resource id is empty or has characters no model id has");
    }
    let twelve_digits = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    let foundation_model = resource_type == "foundation-model";
    if !(twelve_digits || (foundation_model && account.is_empty())) {
        return Err("the account is not 12 digits");
    }
    if service == "sagemaker" && resource_type != "endpoint" {
        return Err("a SageMaker ARN must name an `endpoint/`");
    }
    Ok(Arn {
        partition: partition.to_owned(),
        service: service.to_owned(),
        region: region.to_owned(),
        account: account.to_owned(),
        resource_type: resource_type.to_owned(),
        resource_id: resource_id.to_owned(),
    })
}

fn arn_kind(arn: &Arn) -> ModelKind {
    match (arn.service.as_str(), arn.resource_type.as_str()) {
        ("bedrock", "foundation-model") => ModelKind::FoundationModel,
        ("bedrock", "inference-profile") => ModelKind::InferenceProfile {
            geo: Geo::split(&arn.resource_id).map(|(geo, _)| geo),
        },
        ("bedrock", "application-inference-profile") => ModelKind::ApplicationInferenceProfile,
        _ => ModelKind::OtherArn {
            resource_type: arn.resource_type.clone(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(text: &str) -> ModelRef {
        ModelRef::parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    /// `%XX` decoding for the round-trip check (the encoder's inverse).
    fn percent_decode(text: &str) -> Option<String> {
        let mut bytes = Vec::new();
        let mut rest = text.as_bytes();
        while let Some((&b, tail)) = rest.split_first() {
            if b == b'%' {
                let hex = std::str::from_utf8(tail.get(..2)?).ok()?;
                bytes.push(u8::from_str_radix(hex, 16).ok()?);
                rest = tail.get(2..)?;
            } else {
                bytes.push(b);
                rest = tail;
            }
        }
        String::from_utf8(bytes).ok()
    }

    #[test]
    fn foundation_model_ids() {
        let model = parse("anthropic.claude-3-haiku-20240307-v1:0");
        assert_eq!(model.kind(), &ModelKind::FoundationModel);
        assert_eq!(model.provider(), Some("anthropic"));
        assert_eq!(model.base_model_id(), Some(model.id()));
        assert_eq!(model.region(), None);
        assert_eq!(
            model.path_segment(),
            "anthropic.claude-3-haiku-20240307-v1%3A0"
        );
        assert_eq!(
            parse("amazon.titan-embed-text-v2:0").provider(),
            Some("amazon")
        );
        assert_eq!(
            parse("meta.llama3-2-11b-instruct-v1:0").provider(),
            Some("meta")
        );
        // A bare id with no provider label.
        assert_eq!(parse("a1b2c3d4e5f6").provider(), None);
    }

    #[test]
    fn inference_profiles_for_every_geography() {
        for (prefix, geo) in [
            ("us", Geo::Us),
            ("eu", Geo::Eu),
            ("apac", Geo::Apac),
            ("ap", Geo::Ap),
            ("au", Geo::Au),
            ("jp", Geo::Jp),
            ("us-gov", Geo::UsGov),
            ("global", Geo::Global),
        ] {
            let id = format!("{prefix}.anthropic.claude-sonnet-4-6-20251001-v1:0");
            let model = parse(&id);
            assert_eq!(
                model.kind(),
                &ModelKind::InferenceProfile { geo: Some(geo) },
                "{id}"
            );
            assert_eq!(model.provider(), Some("anthropic"), "{id}");
            assert_eq!(
                model.base_model_id(),
                Some("anthropic.claude-sonnet-4-6-20251001-v1:0")
            );
            assert_eq!(model.id(), id);
        }
        // Not a geography: `usa.` and a bare `us.`.
        assert_eq!(parse("usa.model-v1").kind(), &ModelKind::FoundationModel);
        assert_eq!(parse("us.").kind(), &ModelKind::FoundationModel);
    }

    #[test]
    fn the_provider_prefix_is_dropped() {
        let model = parse("amazon-bedrock/eu.amazon.nova-pro-v1:0");
        assert_eq!(model.id(), "eu.amazon.nova-pro-v1:0");
        assert_eq!(model.provider(), Some("amazon"));
        let arn = parse(
            "amazon-bedrock/arn:aws:bedrock:us-west-2::foundation-model/cohere.command-r-v1:0",
        );
        assert_eq!(arn.region(), Some("us-west-2"));
    }

    #[test]
    fn arns_of_every_kind() {
        let model = parse("arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-v2:1");
        assert_eq!(model.kind(), &ModelKind::FoundationModel);
        assert_eq!(model.base_model_id(), Some("anthropic.claude-v2:1"));
        assert_eq!(model.provider(), Some("anthropic"));
        assert_eq!(
            model.path_segment(),
            "arn%3Aaws%3Abedrock%3Aus-east-1%3A%3Afoundation-model%2Fanthropic.claude-v2%3A1"
        );

        let model = parse("arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.meta.llama3-2-1b-instruct-v1:0");
        assert_eq!(
            model.kind(),
            &ModelKind::InferenceProfile { geo: Some(Geo::Eu) }
        );
        assert_eq!(model.provider(), Some("meta"));
        assert_eq!(model.region(), Some("eu-central-1"));

        let model = parse("arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:application-inference-profile/abc123def456");
        assert_eq!(model.kind(), &ModelKind::ApplicationInferenceProfile);
        assert_eq!(model.region(), Some("us-gov-west-1"));
        assert_eq!(model.provider(), None);
        assert_eq!(model.base_model_id(), None);
        let arn = model.arn().expect("an ARN");
        assert_eq!(
            (arn.partition.as_str(), arn.account.as_str()),
            ("aws-us-gov", "123456789012")
        );

        for (text, resource_type) in [
            ("arn:aws-cn:bedrock:cn-north-1:123456789012:provisioned-model/abcdefghijkl", "provisioned-model"),
            ("arn:aws:bedrock:us-east-1:123456789012:custom-model/amazon.titan-text-express-v1:0:8k/abcdefghijkl", "custom-model"),
            ("arn:aws:bedrock:us-east-1:123456789012:imported-model/abcdefghijkl", "imported-model"),
            ("arn:aws:bedrock:us-east-1:123456789012:prompt/ABCDEFGHIJ:3", "prompt"),
            ("arn:aws:bedrock:us-east-1:123456789012:default-prompt-router/anthropic.claude:1", "default-prompt-router"),
            ("arn:aws:sagemaker:us-east-1:123456789012:endpoint/my-endpoint", "endpoint"),
        ] {
            let model = parse(text);
            assert_eq!(
                model.kind(),
                &ModelKind::OtherArn { resource_type: resource_type.to_owned() },
                "{text}"
            );
            assert_eq!(model.provider(), None);
        }
        // An inference profile with a prefix not known here.
        let model =
            parse("arn:aws:bedrock:ca-central-1:123456789012:inference-profile/ca.x.y-v1:0");
        assert_eq!(model.kind(), &ModelKind::InferenceProfile { geo: None });
        assert_eq!(model.base_model_id(), None);
    }

    #[test]
    fn bad_refs_are_errors_that_name_the_ref() {
        let cases: &[(&str, &str)] = &[
            ("", "empty"),
            ("amazon-bedrock/", "empty"),
            (" anthropic.claude-v2", "whitespace"),
            ("anthropic.claude-v2\n", "whitespace"),
            ("anthropic\u{7}claude", "control character"),
            ("anthropic/claude", "`/` cannot appear"),
            ("anthropic.claude-é", "`é` cannot appear"),
            ("arn:aws:bedrock", "expected arn:PARTITION"),
            (
                "arn:gcp:bedrock:us-east-1:123456789012:provisioned-model/x",
                "partition",
            ),
            ("arn:aws:s3:us-east-1:123456789012:bucket/x", "service"),
            (
                "arn:aws:bedrock::123456789012:provisioned-model/x",
                "region",
            ),
            (
                "arn:aws:bedrock:us-east-1:12345:provisioned-model/x",
                "account",
            ),
            ("arn:aws:bedrock:us-east-1::provisioned-model/x", "account"),
            (
                "arn:aws:bedrock:us-east-1:123456789012:provisioned-model",
                "TYPE/ID",
            ),
            (
                "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/",
                "resource id",
            ),
            ("arn:aws:bedrock:us-east-1:123456789012:/x", "resource type"),
            (
                "arn:aws:sagemaker:us-east-1:123456789012:model/x",
                "SageMaker",
            ),
        ];
        for (text, reason) in cases {
            let error = ModelRef::parse(text).expect_err(text);
            let message = error.to_string();
            assert!(message.contains(reason), "{text:?}: {message}");
            assert!(message.starts_with("invalid model ref `"), "{message}");
            assert!(!message.contains('\n'), "{message}");
            assert_eq!(error.reference, *text);
        }
        let long = "a".repeat(MAX_LEN + 1);
        let message = ModelRef::parse(&long).expect_err("too long").to_string();
        assert!(
            message.contains("longer than 2048") && message.len() < 300,
            "{message}"
        );
    }

    fn geo() -> impl Strategy<Value = Geo> {
        proptest::sample::select(Geo::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn parsing_never_panics_and_segments_round_trip(text in prop_oneof![
            any::<String>(),
            "(amazon-bedrock/)?[A-Za-z0-9._:/ -]{0,40}",
            "arn:[a-z-]{0,12}:[a-z]{0,10}:[a-z0-9-]{0,12}:[0-9]{0,13}:[a-z-]{0,20}/?[A-Za-z0-9._:/-]{0,20}",
        ]) {
            if let Ok(model) = ModelRef::parse(&text) {
                let segment = model.path_segment();
                prop_assert!(segment.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)));
                prop_assert_eq!(percent_decode(&segment), Some(model.id().to_owned()));
                prop_assert!(text.ends_with(model.id()));
            }
        }

        #[test]
        fn profile_ids_split_into_geo_provider_and_base(
            geo in geo(),
            provider in "[a-z]{2,12}",
            model in "[a-z0-9][a-z0-9-]{0,40}(:[0-9]{1,2})?",
            prefixed: bool,
        ) {
            let base = format!("{provider}.{model}");
            let id = format!("{}.{base}", geo.prefix());
            let text = if prefixed { format!("{PROVIDER_PREFIX}{id}") } else { id.clone() };
            let parsed = ModelRef::parse(&text).expect("valid");
            prop_assert_eq!(parsed.id(), id.as_str());
            prop_assert_eq!(parsed.kind(), &ModelKind::InferenceProfile { geo: Some(geo) });
            prop_assert_eq!(parsed.provider(), Some(provider.as_str()));
            prop_assert_eq!(parsed.base_model_id(), Some(base.as_str()));
            prop_assert_eq!(percent_decode(&parsed.path_segment()), Some(id));
        }

        #[test]
        fn arns_keep_their_region_and_parts(
            partition in "aws(-[a-z]{2,6}){0,2}",
            region in "[a-z]{2}(-[a-z]{3,9})?-[a-z]{4,9}-[0-9]",
            account in "[0-9]{12}",
            resource_id in "[a-z0-9]{12}",
        ) {
            let text = format!("arn:{partition}:bedrock:{region}:{account}:application-inference-profile/{resource_id}");
            let parsed = ModelRef::parse(&text).expect("valid");
            prop_assert_eq!(parsed.region(), Some(region.as_str()));
            prop_assert_eq!(parsed.kind(), &ModelKind::ApplicationInferenceProfile);
            let arn = parsed.arn().expect("an ARN");
            prop_assert_eq!(&arn.partition, &partition);
            prop_assert_eq!(&arn.resource_id, &resource_id);
            prop_assert_eq!(percent_decode(&parsed.path_segment()), Some(text));
        }
    }
}
