//! The SSO token cache's file names, as the AWS CLI writes them.

/// The SSO token cache file for `identifier` (an `sso_session` name, or a
/// legacy profile's start URL), relative to the home folder:
/// `.aws/sso/cache/<SHA-1 hex of identifier>.json`. The digest comes from the
/// `sha1sum` command (no SHA-1 crate among the dev-dependencies).
pub fn file_for(identifier: &str) -> String {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("sha1sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("sha1sum runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(identifier.as_bytes())
        .expect("write");
    let output = child.wait_with_output().expect("sha1sum ends");
    let digest = String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .next()
        .expect("a digest")
        .to_owned();
    assert_eq!(digest.len(), 40, "a SHA-1 digest: {digest}");
    format!(".aws/sso/cache/{digest}.json")
}
