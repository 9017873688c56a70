//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test binary uses a different subset

use std::path::PathBuf;

pub mod frames;

/// The folder of official test vectors: `$BEDROCK_LITE_VECTORS`, else
/// `../shared/testdata` beside the project.
///
/// Returns `None` (after saying so loudly on stderr) when the folder is
/// missing, so that a developer without it still gets the other tests; with
/// `BEDROCK_LITE_REQUIRE_VECTORS=1` (set by `.ci/run`) a missing folder panics.
pub fn vectors_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("BEDROCK_LITE_VECTORS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata"),
    };
    if dir.is_dir() {
        return Some(dir);
    }
    let required = std::env::var("BEDROCK_LITE_REQUIRE_VECTORS").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "test vectors missing: {} does not exist (BEDROCK_LITE_REQUIRE_VECTORS=1)",
        dir.display()
    );
    eprintln!(
        "\n!!!! TEST VECTORS MISSING: {} does not exist; vector tests did NOT run !!!!\n\
         !!!! set BEDROCK_LITE_VECTORS to the shared testdata folder             !!!!\n",
        dir.display()
    );
    None
}

/// A sub-folder of the vectors, with the same missing-folder rules.
pub fn vectors(sub: &str) -> Option<PathBuf> {
    let dir = vectors_dir()?.join(sub);
    assert!(dir.is_dir(), "vector folder {} is missing", dir.display());
    Some(dir)
}
