//! Where the shared config and credentials files are, against
//! `credentials/file-location-tests.json`.
//!
//! Skipped cases: every case whose `platform` is `windows` (in the visible
//! suite: "User home is loaded from $HOME with highest priority on windows
//! platforms.", "User home is loaded from $HOMEDRIVE$HOMEPATH on windows
//! platforms when $HOME and $USERPROFILE are not set.", and the two "The
//! default credentials location can be overridden by the user on windows
//! platforms." cases). Their expected paths use `\` separators and the
//! `%USERPROFILE%` / `%HOMEDRIVE%%HOMEPATH%` fallbacks, which only apply when
//! the tool runs on Windows; this suite runs on Linux.

mod common;

use std::path::Path;

use bedrock_lite::credentials::profile::{selected_profile_name, ProfileFileLocations};
use bedrock_lite::env::Env;
use serde_json::Value;

#[test]
fn file_location_suite_linux_cases() {
    let Some(dir) = common::vectors("credentials") else {
        return;
    };
    let text = std::fs::read_to_string(dir.join("file-location-tests.json")).expect("readable");
    let suite: Value = serde_json::from_str(&text).expect("valid JSON");
    let mut ran = 0;
    for test in suite["tests"].as_array().expect("a list of tests") {
        let name = test["name"].as_str().expect("name");
        if test["platform"] != "linux" {
            continue;
        }
        let vars = test["environment"]
            .as_object()
            .expect("environment")
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().expect("string").to_owned()));
        let env = Env::from_vars(vars);
        let found = ProfileFileLocations::from_env(&env);
        let expected = |key: &str| Path::new(test[key].as_str().expect("path")).to_path_buf();
        assert_eq!(found.config, expected("configLocation"), "{name}");
        assert_eq!(found.credentials, expected("credentialsLocation"), "{name}");
        if let Some(profile) = test["profile"].as_str() {
            assert_eq!(selected_profile_name(&env, None), profile, "{name}");
        }
        ran += 1;
    }
    assert!(ran > 0, "no Linux case in the suite");
}

#[test]
fn overrides_and_home_expansion() {
    let env = Env::from_vars([
        ("HOME", "/home/ann"),
        ("AWS_CONFIG_FILE", "~/work/aws-config"),
        ("AWS_SHARED_CREDENTIALS_FILE", "/etc/aws/credentials"),
    ]);
    let found = ProfileFileLocations::from_env(&env);
    assert_eq!(found.config, Path::new("/home/ann/work/aws-config"));
    assert_eq!(found.credentials, Path::new("/etc/aws/credentials"));
}
