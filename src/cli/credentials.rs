//! `bedrock-lite credentials`: which source of the credential chain answered,
//! the access key id with all but its last 4 characters masked, the expiry and
//! the region. Never a secret.
//!
//! ```text
//! source:        profile:dev (assume role)
//! kind:          sigv4
//! access key id: ****************WXYZ
//! expiry:        2030-01-01T00:00:00Z
//! region:        eu-west-1 (from profile:dev)
//! ```
//!
//! With `--json`: `{"source", "accessKeyId", "expiry", "region", "kind"}`.
//! Exit 3 when no source has usable credentials, 2 for a configuration error.

use std::time::SystemTime;

use bedrock_lite::credentials::profile::SharedConfig;
use bedrock_lite::credentials::{Auth, ResolvedAuth};
use bedrock_lite::datetime;
use bedrock_lite::settings::Settings;
use serde_json::json;

use crate::args::{self, Globals};
use crate::context;
use crate::error::CliError;

use bedrock_lite::token::API_KEY_PREFIX;

/// Runs `bedrock-lite credentials [--json]`.
pub fn run(parser: &mut lexopt::Parser, globals: &mut Globals) -> Result<(), CliError> {
    if let Some(flag) = args::next_flag(parser, globals)? {
        return Err(args::unexpected(&flag.as_arg(), "credentials"));
    }
    let settings = context::settings(globals, None)?;
    if globals.verbose > 0 {
        // Ignored sections and keys (a malformed file stopped `settings` already).
        if let Ok(config) = SharedConfig::load(&settings.env, globals.profile.as_deref()) {
            for warning in config.profile_set().warnings() {
                eprintln!("warning: {warning}");
            }
        }
    }
    let resolved = resolve(&settings)?;
    let origin = settings.region_origin.to_string();
    let report = Report::new(&resolved, &settings.region, &origin);
    if globals.json {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.to_text());
    }
    Ok(())
}

/// What the command shows: nothing in it is secret.
struct Report {
    source: String,
    kind: &'static str,
    key: String,
    expiry: Option<String>,
    region: String,
    region_source: String,
}

impl Report {
    fn new(resolved: &ResolvedAuth, region: &str, region_origin: &str) -> Self {
        let (kind, key, expiry) = match &resolved.auth {
            Auth::SigV4(credentials) => (
                "sigv4",
                mask_access_key_id(&credentials.access_key_id),
                credentials.expiry.map(rfc3339),
            ),
            Auth::Bearer(token) => ("bearer", mask_bearer_token(token.expose()), None),
        };
        Report {
            source: resolved.source.to_string(),
            kind,
            key,
            expiry,
            region: region.to_owned(),
            region_source: region_origin.to_owned(),
        }
    }

    fn to_text(&self) -> String {
        let key_label = match self.kind {
            "bearer" => "bearer token: ",
            _ => "access key id:",
        };
        format!(
            "source:        {}\nkind:          {}\n{key_label} {}\nexpiry:        {}\nregion:        {} (from {})\n",
            self.source,
            self.kind,
            self.key,
            self.expiry.as_deref().unwrap_or("never"),
            self.region,
            self.region_source,
        )
    }

    fn to_json(&self) -> serde_json::Value {
        json!({
            "source": self.source,
            "accessKeyId": self.key,
            "expiry": self.expiry,
            "region": self.region,
            "kind": self.kind,
        })
    }
}

/// The credentials the settings' chain resolves to (exit 3 when none, 2 for
/// a configuration error).
pub fn resolve(settings: &Settings) -> Result<ResolvedAuth, CliError> {
    context::runtime()?
        .block_on(settings.credentials.resolve())
        .map_err(context::credentials_error)
}

/// All but the last 4 characters replaced by `*` (all of them when there are 4 or fewer).
pub fn mask_access_key_id(key_id: &str) -> String {
    let count = key_id.chars().count();
    let shown = if count > 4 { 4 } else { 0 };
    key_id
        .chars()
        .enumerate()
        .map(|(i, c)| if i + shown < count { '*' } else { c })
        .collect()
}

/// A Bedrock API key shown as its well-known prefix and a fixed mask, so that
/// not even its length shows.
fn mask_bearer_token(token: &str) -> String {
    let prefix = if token.starts_with(API_KEY_PREFIX) {
        API_KEY_PREFIX
    } else {
        ""
    };
    format!("{prefix}********")
}

/// `time` as RFC 3339 in UTC, e.g. `2030-01-01T00:00:00Z`.
pub fn rfc3339(time: SystemTime) -> String {
    let Some(seconds) = datetime::unix_seconds(time) else {
        return "a time out of range".to_owned();
    };
    datetime::format_rfc3339(seconds)
        .unwrap_or_else(|| format!("{seconds} seconds after 1970-01-01T00:00:00Z"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bedrock_lite::credentials::{CredentialSource, Credentials, Secret};
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn access_key_ids_keep_only_their_last_four_characters() {
        assert_eq!(
            mask_access_key_id("AKIAIOSFODNN7EXAMPLE"),
            "****************MPLE"
        );
        assert_eq!(mask_access_key_id("ABCDE"), "*BCDE");
        assert_eq!(mask_access_key_id("ABCD"), "****");
        assert_eq!(mask_access_key_id(""), "");
        assert_eq!(mask_access_key_id("ÄÖÜßabcd"), "****abcd");
    }

    #[test]
    fn bearer_tokens_show_at_most_their_prefix() {
        assert_eq!(
            mask_bearer_token("bedrock-api-key-c2VjcmV0"),
            "bedrock-api-key-********"
        );
        assert_eq!(mask_bearer_token("opaque-secret"), "********");
    }

    #[test]
    fn rfc3339_in_utc() {
        let at = UNIX_EPOCH + Duration::from_secs(1_893_456_000);
        assert_eq!(rfc3339(at), "2030-01-01T00:00:00Z");
        assert_eq!(
            rfc3339(UNIX_EPOCH - Duration::from_secs(1)),
            "1969-12-31T23:59:59Z"
        );
    }

    #[test]
    fn report_never_contains_secrets() {
        let resolved = ResolvedAuth {
            auth: Auth::SigV4(Credentials {
                access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
                secret_access_key: Secret::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
                session_token: Some(Secret::new("FwoGZXIvYXdzEXAMPLETOKEN")),
                expiry: Some(UNIX_EPOCH + Duration::from_secs(1_893_456_000)),
                account_id: Some("123456789012".into()),
            }),
            source: CredentialSource::Profile {
                name: "dev".into(),
                via: "assume role",
            },
        };
        let report = Report::new(&resolved, "eu-west-1", "profile:dev");
        let text = report.to_text();
        assert_eq!(
            text,
            "source:        profile:dev (assume role)\nkind:          sigv4\n\
             access key id: ****************MPLE\nexpiry:        2030-01-01T00:00:00Z\n\
             region:        eu-west-1 (from profile:dev)\n"
        );
        assert_eq!(
            report.to_json(),
            json!({"source": "profile:dev (assume role)", "accessKeyId": "****************MPLE",
                   "expiry": "2030-01-01T00:00:00Z", "region": "eu-west-1", "kind": "sigv4"})
        );
        for secret in ["wJalr", "FwoGZ", "AKIAIOSFODNN7"] {
            assert!(!text.contains(secret));
            assert!(!report.to_json().to_string().contains(secret));
        }
    }

    #[test]
    fn bearer_report() {
        let resolved = ResolvedAuth {
            auth: Auth::Bearer(Secret::new("bedrock-api-key-c2VjcmV0")),
            source: CredentialSource::BearerTokenEnv,
        };
        let report = Report::new(&resolved, "eu-west-1", "profile:dev");
        assert!(report
            .to_text()
            .contains("bearer token:  bedrock-api-key-********\n"));
        assert!(report.to_text().contains("expiry:        never\n"));
        let json = report.to_json();
        assert_eq!(json["kind"], "bearer");
        assert_eq!(json["expiry"], serde_json::Value::Null);
        assert_eq!(json["source"], "env:AWS_BEARER_TOKEN_BEDROCK");
        assert!(!json.to_string().contains("c2VjcmV0"));
    }
}
