//! Arbitrary bytes as a config file: the JSON5 reader must never panic, must
//! read every JSON document as `serde_json` does, and whatever it reads must
//! validate as our config and import as an OpenClaw config without a panic,
//! the import always giving a valid config.
#![no_main]

use bedrock_lite::config::{json5, openclaw, Config};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parsed = json5::parse(&text);
    if let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) {
        assert_eq!(parsed.as_ref().ok(), Some(&json), "JSON read differently");
    }
    let Ok(value) = parsed else {
        return;
    };
    let _ = Config::from_value(&value, "config.json");
    if let Ok(import) = openclaw::import(&value, "config.json") {
        assert!(Config::from_value(&import.document, "config.json").is_ok());
    }
});
