//! The two sources that read only environment variables: the Bedrock bearer
//! token (`AWS_BEARER_TOKEN_BEDROCK`) and access keys (`AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY` or its older name `SECRET_ACCESS_KEY`,
//! `AWS_SESSION_TOKEN`, `AWS_ACCOUNT_ID`).
//!
//! A blank value counts as unset, and values are trimmed.

use super::{Credentials, CredentialsError, Secret};
use crate::env::Env;

/// The variable holding a Bedrock API key.
pub const BEARER_TOKEN_VAR: &str = "AWS_BEARER_TOKEN_BEDROCK";

const SOURCE: &str = "env";

/// The Bedrock API key from `AWS_BEARER_TOKEN_BEDROCK`.
///
/// [`CredentialsError::NotLoaded`] when it is unset or blank.
pub fn bearer_token(env: &Env) -> Result<Secret, CredentialsError> {
    env.non_blank_var(BEARER_TOKEN_VAR)
        .map(Secret::new)
        .ok_or_else(|| CredentialsError::NotLoaded {
            source: "bearer",
            reason: format!("{BEARER_TOKEN_VAR} is not set"),
        })
}

/// Access keys from the environment.
///
/// Neither key id nor secret set (or both blank): [`CredentialsError::NotLoaded`].
/// Only one of the two: [`CredentialsError::InvalidConfig`] naming the missing variable.
///
/// ```
/// use bedrock_lite::credentials::{environment};
/// use bedrock_lite::env::Env;
/// let env = Env::from_vars([("AWS_ACCESS_KEY_ID", "AKID"), ("AWS_SECRET_ACCESS_KEY", "s")]);
/// assert_eq!(environment::credentials(&env)?.access_key_id, "AKID");
/// # Ok::<(), bedrock_lite::credentials::CredentialsError>(())
/// ```
pub fn credentials(env: &Env) -> Result<Credentials, CredentialsError> {
    let key_id = env.non_blank_var("AWS_ACCESS_KEY_ID");
    let secret = env
        .non_blank_var("AWS_SECRET_ACCESS_KEY")
        .or_else(|| env.non_blank_var("SECRET_ACCESS_KEY"));
    let missing = |variable: &str, present: &str| CredentialsError::InvalidConfig {
        source: SOURCE,
        message: format!("{present} is set but {variable} is not"),
    };
    match (key_id, secret) {
        (Some(key_id), Some(secret)) => Ok(Credentials {
            access_key_id: key_id.to_owned(),
            secret_access_key: Secret::new(secret),
            session_token: env.non_blank_var("AWS_SESSION_TOKEN").map(Secret::new),
            expiry: None,
            account_id: env.non_blank_var("AWS_ACCOUNT_ID").map(str::to_owned),
        }),
        (Some(_), None) => Err(missing("AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID")),
        (None, Some(_)) => Err(missing("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")),
        (None, None) => Err(CredentialsError::NotLoaded {
            source: SOURCE,
            reason: "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn env(vars: &[(&str, &str)]) -> Env {
        Env::from_vars(vars.iter().copied())
    }

    #[test]
    fn full_set_with_token_and_account() {
        let creds = credentials(&env(&[
            ("AWS_ACCESS_KEY_ID", " AKID "),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("AWS_SESSION_TOKEN", "token"),
            ("AWS_ACCOUNT_ID", "123456789012"),
        ]))
        .expect("loads");
        assert_eq!(creds.access_key_id, "AKID");
        assert_eq!(creds.secret_access_key.expose(), "secret");
        assert_eq!(
            creds.session_token.as_ref().map(Secret::expose),
            Some("token")
        );
        assert_eq!(creds.account_id.as_deref(), Some("123456789012"));
        assert_eq!(creds.expiry, None);
    }

    #[test]
    fn old_secret_name_is_a_fallback() {
        let both = env(&[
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("AWS_SECRET_ACCESS_KEY", "new"),
            ("SECRET_ACCESS_KEY", "old"),
        ]);
        assert_eq!(
            credentials(&both)
                .expect("loads")
                .secret_access_key
                .expose(),
            "new"
        );
        let old = env(&[("AWS_ACCESS_KEY_ID", "AKID"), ("SECRET_ACCESS_KEY", "old")]);
        assert_eq!(
            credentials(&old).expect("loads").secret_access_key.expose(),
            "old"
        );
    }

    #[test]
    fn blank_both_is_not_loaded() {
        let blank = env(&[("AWS_ACCESS_KEY_ID", " "), ("AWS_SECRET_ACCESS_KEY", "\t")]);
        assert!(matches!(
            credentials(&blank),
            Err(CredentialsError::NotLoaded { .. })
        ));
        let token_only = env(&[("AWS_SESSION_TOKEN", "t")]);
        assert!(matches!(
            credentials(&token_only),
            Err(CredentialsError::NotLoaded { .. })
        ));
    }

    #[test]
    fn half_a_pair_names_the_missing_variable() {
        let no_secret = credentials(&env(&[("AWS_ACCESS_KEY_ID", "AKID")])).unwrap_err();
        assert_eq!(
            no_secret.to_string(),
            "env: invalid configuration: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"
        );
        let no_key = credentials(&env(&[
            ("AWS_SECRET_ACCESS_KEY", "s"),
            ("AWS_ACCESS_KEY_ID", ""),
        ]))
        .unwrap_err();
        assert!(
            matches!(&no_key, CredentialsError::InvalidConfig { message, .. }
            if message.ends_with("AWS_ACCESS_KEY_ID is not"))
        );
    }

    #[test]
    fn bearer_token_is_trimmed_and_blank_ignored() {
        let set = env(&[(BEARER_TOKEN_VAR, "  bedrock-api-key-abc\n")]);
        assert_eq!(
            bearer_token(&set).expect("set").expose(),
            "bedrock-api-key-abc"
        );
        let blank = env(&[(BEARER_TOKEN_VAR, "   ")]);
        assert!(matches!(
            bearer_token(&blank),
            Err(CredentialsError::NotLoaded { .. })
        ));
        // Another service's token does not count for Bedrock.
        let other = env(&[("AWS_BEARER_TOKEN_FOO", "x")]);
        assert!(bearer_token(&other).is_err());
    }

    proptest! {
        #[test]
        fn errors_never_contain_the_secret(secret in "[A-Za-z0-9/+]{8,40}") {
            let env = env(&[("AWS_SECRET_ACCESS_KEY", &secret)]);
            let err = credentials(&env).unwrap_err();
            let debug = format!("{err:?}");
            prop_assert!(!err.to_string().contains(&secret));
            prop_assert!(!debug.contains(&secret));
        }

        #[test]
        fn loaded_iff_both_halves_are_non_blank(key in "[ A-Z]{0,4}", secret in "[ a-z]{0,4}") {
            let env = env(&[("AWS_ACCESS_KEY_ID", &key), ("AWS_SECRET_ACCESS_KEY", &secret)]);
            let result = credentials(&env);
            let key_set = !key.trim().is_empty();
            let secret_set = !secret.trim().is_empty();
            match result {
                Ok(creds) => {
                    prop_assert!(key_set && secret_set);
                    prop_assert_eq!(creds.access_key_id, key.trim());
                }
                Err(CredentialsError::NotLoaded { .. }) => prop_assert!(!key_set && !secret_set),
                Err(_) => prop_assert!(key_set != secret_set),
            }
        }
    }
}
