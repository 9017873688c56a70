//! Arbitrary bytes as a config file and a credentials file (split at the first
//! NUL byte): parsing, merging and resolving every profile's credential plan
//! must never panic.
#![no_main]

use bedrock_lite::credentials::profile::{
    ProfileFileLocations, ProfileSet, SharedConfig, SourceFile,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (config, credentials) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let config = String::from_utf8_lossy(config);
    let credentials = String::from_utf8_lossy(credentials);
    let Ok(profiles) = ProfileSet::parse(
        SourceFile {
            path: "config",
            contents: &config,
        },
        SourceFile {
            path: "credentials",
            contents: &credentials,
        },
    ) else {
        return;
    };
    let locations = ProfileFileLocations {
        config: "config".into(),
        credentials: "credentials".into(),
    };
    let names: Vec<String> = profiles.profiles().map(|p| p.name().to_owned()).collect();
    for name in names.iter().map(String::as_str).chain(["default"]) {
        let shared = SharedConfig::new(profiles.clone(), name, locations.clone());
        let _ = shared.credential_plan();
        let _ = shared.region();
    }
});
