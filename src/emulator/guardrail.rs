//! `POST /guardrail/{guardrailIdentifier}/version/{guardrailVersion}/apply`:
//! ApplyGuardrail with one word-filter rule. Any well-formed guardrail id
//! (`[a-z0-9]+` or a guardrail ARN) and version (a number or `DRAFT`) names
//! the emulated guardrail; guarded text that contains [`GUARDRAIL_TRIGGER`]
//! is blocked (`GUARDRAIL_INTERVENED`, the output is [`GUARDRAIL_BLOCKED_MESSAGE`]
//! and the assessment names the word); anything else passes (`NONE`). Text
//! whose qualifiers are only `grounding_source` or `query` is not guarded.
//! Usage counts one unit per started 1,000 guarded characters.

use std::time::Instant;

use super::catalogue::{json, region_of, ACCOUNT};
use super::converse::error;
use super::server::{RecordedRequest, Response};
use crate::types::{
    AppliedGuardrailDetails, ApplyGuardrailRequest, ApplyGuardrailResponse, GuardedCount,
    GuardrailAction, GuardrailAssessment, GuardrailContentBlock, GuardrailContentSource,
    GuardrailConverseContentQualifier, GuardrailConverseTextBlock, GuardrailCoverage,
    GuardrailCustomWord, GuardrailInvocationMetrics, GuardrailOutputContent, GuardrailOutputScope,
    GuardrailUsage, GuardrailWordPolicyAssessment,
};

/// The word the emulated guardrail blocks.
pub const GUARDRAIL_TRIGGER: &str = "BLOCKED-WORD";
/// What the emulated guardrail puts out instead of blocked content (Bedrock's
/// default blocked message).
pub const GUARDRAIL_BLOCKED_MESSAGE: &str = "Sorry, the model cannot answer this question.";

/// Characters per policy unit.
const CHARACTERS_PER_UNIT: u32 = 1000;

/// A 400 `ValidationException` for the value of `member`.
fn invalid(value: &str, member: &str, constraint: &str) -> Response {
    error(
        400,
        "ValidationException",
        &format!(
            "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {constraint}"
        ),
    )
}

/// Whether `identifier` is a guardrail id (`[a-z0-9]+`) or a guardrail ARN.
fn is_guardrail_identifier(identifier: &str) -> bool {
    let is_id = |id: &str| {
        !id.is_empty()
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    if let Some(rest) = identifier.strip_prefix("arn:") {
        let parts: Vec<&str> = rest.splitn(5, ':').collect();
        return matches!(
            parts.as_slice(),
            [partition, "bedrock", region, account, resource]
                if partition.starts_with("aws")
                    && !region.is_empty()
                    && account.len() == 12
                    && account.bytes().all(|b| b.is_ascii_digit())
                    && resource.strip_prefix("guardrail/").is_some_and(is_id)
        );
    }
    identifier.len() <= 2048 && is_id(identifier)
}

/// Whether `version` is `DRAFT` or a number from 1 to 99999999.
fn is_guardrail_version(version: &str) -> bool {
    version == "DRAFT"
        || (matches!(version.len(), 1..=8)
            && !version.starts_with('0')
            && version.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether the guardrail guards `text`: it has no qualifiers, or
/// `guard_content` among them.
fn is_guarded(text: &GuardrailConverseTextBlock) -> bool {
    text.qualifiers.is_empty()
        || text
            .qualifiers
            .contains(&GuardrailConverseContentQualifier::GuardContent)
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Answers ApplyGuardrail for guardrail `identifier` at `version` (decoded).
pub(crate) fn respond(request: &RecordedRequest, identifier: &str, version: &str) -> Response {
    let started = Instant::now();
    if !is_guardrail_identifier(identifier) {
        return invalid(
            identifier,
            "guardrailIdentifier",
            "Member must be a guardrail id or ARN",
        );
    }
    if !is_guardrail_version(version) {
        return invalid(
            version,
            "guardrailVersion",
            "Member must be DRAFT or a number from 1 to 99999999",
        );
    }
    let apply: ApplyGuardrailRequest = match serde_json::from_slice(&request.body) {
        Ok(apply) => apply,
        Err(e) => {
            return error(
                400,
                "ValidationException",
                &format!("Malformed input request: {e}"),
            )
        }
    };
    if let GuardrailContentSource::Unknown(source) = &apply.source {
        return invalid(
            source,
            "source",
            "Member must satisfy enum value set: [INPUT, OUTPUT]",
        );
    }
    if let Some(GuardrailOutputScope::Unknown(scope)) = &apply.output_scope {
        return invalid(
            scope,
            "outputScope",
            "Member must satisfy enum value set: [INTERVENTIONS, FULL]",
        );
    }
    if apply.content.is_empty() {
        return invalid(
            "[]",
            "content",
            "Member must have length greater than or equal to 1",
        );
    }
    let texts: Vec<&GuardrailConverseTextBlock> = apply
        .content
        .iter()
        .filter_map(|block| match block {
            GuardrailContentBlock::Text(text) => Some(text),
            _ => None,
        })
        .collect();
    let images = count(
        apply
            .content
            .iter()
            .filter(|block| matches!(block, GuardrailContentBlock::Image(_)))
            .count(),
    );
    let characters = |guarded_only: bool| {
        count(
            texts
                .iter()
                .filter(|text| !guarded_only || is_guarded(text))
                .map(|text| text.text.chars().count())
                .sum(),
        )
    };
    let (guarded, total) = (characters(true), characters(false));
    let blocked = texts
        .iter()
        .any(|text| is_guarded(text) && text.text.contains(GUARDRAIL_TRIGGER));
    let units = guarded.div_ceil(CHARACTERS_PER_UNIT);
    let usage = GuardrailUsage {
        topic_policy_units: units,
        content_policy_units: units,
        word_policy_units: units,
        sensitive_information_policy_units: units,
        content_policy_image_units: (images > 0).then_some(images),
        ..GuardrailUsage::default()
    };
    let coverage = GuardrailCoverage {
        text_characters: Some(GuardedCount {
            guarded: Some(guarded),
            total: Some(total),
        }),
        images: (images > 0).then_some(GuardedCount {
            guarded: Some(images),
            total: Some(images),
        }),
    };
    let full = apply.output_scope == Some(GuardrailOutputScope::Full);
    let word_policy = (blocked || full).then(|| GuardrailWordPolicyAssessment {
        custom_words: vec![GuardrailCustomWord {
            r#match: GUARDRAIL_TRIGGER.to_owned(),
            action: if blocked { "BLOCKED" } else { "NONE" }.to_owned(),
            detected: Some(blocked),
        }],
        managed_word_lists: Vec::new(),
    });
    let guardrail_arn = if identifier.starts_with("arn:") {
        identifier.to_owned()
    } else {
        format!(
            "arn:aws:bedrock:{}:{ACCOUNT}:guardrail/{identifier}",
            region_of(request)
        )
    };
    let assessment = GuardrailAssessment {
        word_policy,
        invocation_metrics: Some(GuardrailInvocationMetrics {
            guardrail_processing_latency: Some(
                u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            ),
            usage: Some(usage.clone()),
            guardrail_coverage: Some(coverage.clone()),
        }),
        applied_guardrail_details: Some(AppliedGuardrailDetails {
            guardrail_id: guardrail_arn.rsplit('/').next().map(str::to_owned),
            guardrail_version: Some(version.to_owned()),
            guardrail_arn: Some(guardrail_arn.clone()),
            guardrail_origin: vec!["REQUEST".to_owned()],
            guardrail_ownership: Some("SELF".to_owned()),
        }),
        ..GuardrailAssessment::default()
    };
    json(&ApplyGuardrailResponse {
        usage,
        action: if blocked {
            GuardrailAction::GuardrailIntervened
        } else {
            GuardrailAction::None
        },
        action_reason: blocked.then(|| "Guardrail blocked.".to_owned()),
        outputs: if blocked {
            vec![GuardrailOutputContent {
                text: Some(GUARDRAIL_BLOCKED_MESSAGE.to_owned()),
            }]
        } else {
            Vec::new()
        },
        assessments: vec![assessment],
        guardrail_coverage: Some(coverage),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_and_versions() {
        for good in [
            "abc123",
            "arn:aws:bedrock:us-east-1:123456789012:guardrail/abc123",
            "arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:guardrail/x1",
        ] {
            assert!(is_guardrail_identifier(good), "{good}");
        }
        for bad in [
            "",
            "ABC",
            "a-b",
            "arn:aws:bedrock:us-east-1:1234:guardrail/abc",
            "arn:aws:bedrock:us-east-1:123456789012:guardrail/",
            "arn:aws:s3:us-east-1:123456789012:guardrail/abc",
            "arn:aws:bedrock:us-east-1:123456789012:model/abc",
        ] {
            assert!(!is_guardrail_identifier(bad), "{bad}");
        }
        for good in ["DRAFT", "1", "12345678"] {
            assert!(is_guardrail_version(good), "{good}");
        }
        for bad in ["", "0", "01", "123456789", "draft", "1.0"] {
            assert!(!is_guardrail_version(bad), "{bad}");
        }
    }
}
