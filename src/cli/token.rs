//! `bedrock-lite token [--expires-in SECONDS]`: mints a short-term Bedrock API
//! key from the resolved IAM credentials; `bedrock-lite token inspect TOKEN`
//! tells when a key expires (and never prints it back).

use std::time::{Duration, SystemTime};

use bedrock_lite::credentials::Auth;
use bedrock_lite::token::{self, TokenInfo, MAX_LIFETIME};
use lexopt::Arg;
use serde_json::json;

use crate::args::{self, Flag, Globals};
use crate::context;
use crate::credentials::{mask_access_key_id, rfc3339};
use crate::error::{CliError, Exit};

/// Runs `bedrock-lite token ...`.
pub fn run(parser: &mut lexopt::Parser, globals: &mut Globals) -> Result<(), CliError> {
    let mut lifetime = MAX_LIFETIME;
    while let Some(flag) = args::next_flag(parser, globals)? {
        match flag.as_arg() {
            Arg::Long("expires-in") => {
                let text = args::string_value(parser, "--expires-in")?;
                lifetime = text
                    .parse::<u64>()
                    .ok()
                    .map(Duration::from_secs)
                    .filter(|d| !d.is_zero() && *d <= MAX_LIFETIME)
                    .ok_or_else(|| {
                        CliError::usage(format!(
                            "--expires-in `{text}`: expected seconds from 1 to {}",
                            MAX_LIFETIME.as_secs()
                        ))
                    })?;
            }
            Arg::Value(v) if v == "inspect" => return inspect(parser, globals),
            _ => return Err(args::unexpected(&flag.as_arg(), "token")),
        }
    }
    mint(globals, lifetime)
}

fn mint(globals: &Globals, lifetime: Duration) -> Result<(), CliError> {
    let settings = context::settings(globals, None)?;
    let resolved = crate::credentials::resolve(&settings)?;
    let region = &settings.region;
    let Auth::SigV4(credentials) = &resolved.auth else {
        return Err(CliError::new(
            "credentials",
            format!(
                "minting a key needs IAM credentials, but {} is a bearer token; unset AWS_BEARER_TOKEN_BEDROCK",
                resolved.source
            ),
            Exit::Credentials,
        ));
    };
    let now = SystemTime::now();
    let key = token::mint(credentials, region, lifetime, now)
        .map_err(|e| CliError::new("token", e.to_string(), Exit::Other))?;
    let expires = now + lifetime;
    // A key stops working when the credentials that signed it do.
    let works_until = credentials.expiry.map_or(expires, |c| c.min(expires));
    if works_until < expires {
        eprintln!(
            "warning: the credentials from {} expire at {}, and the key with them",
            resolved.source,
            rfc3339(works_until)
        );
    }
    if globals.json {
        println!(
            "{}",
            json!({ "token": key, "region": region, "expiresAt": rfc3339(works_until), "source": resolved.source.to_string() })
        );
    } else {
        println!("{key}");
    }
    Ok(())
}

fn inspect(parser: &mut lexopt::Parser, globals: &mut Globals) -> Result<(), CliError> {
    let mut key = None;
    while let Some(flag) = args::next_flag(parser, globals)? {
        match flag {
            Flag::Value(v) if key.is_none() => key = Some(args::os_to_string(v, "TOKEN")?),
            other => return Err(args::unexpected(&other.as_arg(), "token inspect")),
        }
    }
    let key = match key {
        Some(key) if key != "-" => key,
        _ => {
            let mut text = String::new();
            std::io::stdin()
                .read_line(&mut text)
                .map_err(|e| CliError::io("stdin", e))?;
            text
        }
    };
    let info =
        token::inspect(&key).map_err(|e| CliError::new("token", e.to_string(), Exit::Usage))?;
    print_info(&info, globals.json);
    Ok(())
}

fn print_info(info: &TokenInfo, json: bool) {
    let now = SystemTime::now();
    let expires = info.expires_at();
    let remaining = expires
        .duration_since(now)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let expired = remaining == 0;
    if json {
        println!(
            "{}",
            json!({
                "region": info.region,
                "accessKeyId": mask_access_key_id(&info.access_key_id),
                "issuedAt": rfc3339(info.issued_at),
                "expiresAt": rfc3339(expires),
                "expired": expired,
                "secondsLeft": remaining,
                "temporaryCredentials": info.temporary_credentials,
            })
        );
        return;
    }
    println!("region:        {}", info.region);
    println!("access key id: {}", mask_access_key_id(&info.access_key_id));
    println!("issued:        {}", rfc3339(info.issued_at));
    if expired {
        println!("expires:       {} (expired)", rfc3339(expires));
    } else {
        println!(
            "expires:       {} (in {}h {:02}m)",
            rfc3339(expires),
            remaining / 3600,
            remaining % 3600 / 60
        );
    }
    if info.temporary_credentials {
        println!(
            "note:          signed with temporary credentials; it stops working when they expire"
        );
    }
}
