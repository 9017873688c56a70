//! The CLI never prints a secret: every command is run with a known secret
//! access key, session token and bearer token in the environment and in the
//! shared files, and none of them may appear in stdout or stderr. Also checks
//! `credentials` and `token` from the outside.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

/// One environment variable: name and value.
type EnvVar<'a> = (&'a str, &'a str);

const BIN: &str = env!("CARGO_BIN_EXE_bedrock-lite");
const SECRET_KEY: &str = "SeCrEtKeY0123456789abcdefghijSECRET";
const SESSION_TOKEN: &str = "SeSsIoNtOkEn0123456789SESSIONTOKEN";
const PROFILE_SECRET: &str = "PrOfIlEsEcReT0123456789PROFILESECRET";
const BEARER: &str = "bedrock-api-key-QmVBcmVyU2VDckVUMDEyMzQ1Njc4OQ==";

/// A scratch home with shared files holding a profile secret.
fn home() -> tempdir::Dir {
    let dir = tempdir::Dir::new("cli-secrets");
    std::fs::create_dir_all(dir.path().join(".aws")).unwrap();
    std::fs::write(
        dir.path().join(".aws/credentials"),
        format!("[default]\naws_access_key_id = AKIDPROFILE0000WXYZ\naws_secret_access_key = {PROFILE_SECRET}\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join(".aws/config"),
        "[default]\nregion = eu-west-3\n",
    )
    .unwrap();
    dir
}

fn run(home: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env_clear()
        .env("HOME", home)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        // Nothing listens here: anything that goes to the network fails fast.
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().unwrap()
}

fn assert_no_secret(output: &Output, what: &str) {
    for stream in [&output.stdout, &output.stderr] {
        let text = String::from_utf8_lossy(stream);
        for secret in [
            SECRET_KEY,
            SESSION_TOKEN,
            PROFILE_SECRET,
            BEARER,
            "QmVBcmVyU2VDckVU",
        ] {
            assert!(!text.contains(secret), "{what} printed a secret: {text}");
        }
    }
}

#[test]
fn no_command_prints_a_secret() {
    let home = home();
    let keys = [
        ("AWS_ACCESS_KEY_ID", "AKIDENV00000000ABCD"),
        ("AWS_SECRET_ACCESS_KEY", SECRET_KEY),
        ("AWS_SESSION_TOKEN", SESSION_TOKEN),
    ];
    let bearer = [("AWS_BEARER_TOKEN_BEDROCK", BEARER)];
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/converse-stream.bin");
    let key_without_secret = [("AWS_ACCESS_KEY_ID", "AKIDENV00000000ABCD")];
    let commands: Vec<(&[EnvVar], Vec<&str>)> = vec![
        (&keys, vec!["credentials"]),
        (&keys, vec!["credentials", "--json"]),
        (&[], vec!["credentials", "--json"]),
        (&bearer, vec!["credentials"]),
        (&bearer, vec!["credentials", "--json"]),
        (&key_without_secret, vec!["credentials"]),
        (&keys, vec!["token", "--json"]),
        (&bearer, vec!["token"]),
        (&keys, vec!["token", "inspect", BEARER]),
        (&keys, vec!["eventstream", "decode", fixture]),
        (&keys, vec!["chat", "-m", "amazon.nova-micro-v1:0", "hi"]),
        (
            &bearer,
            vec!["chat", "-m", "amazon.nova-micro-v1:0", "--no-stream", "hi"],
        ),
        (&keys, vec!["models", "list", "--json"]),
        (&keys, vec!["models", "status", "--probe"]),
        (&keys, vec!["no-such-command"]),
        (&keys, vec!["-v", "credentials"]),
    ];
    for (env, args) in commands {
        let output = run(home.path(), env, &args);
        assert_no_secret(&output, &args.join(" "));
    }
}

#[test]
fn credentials_masks_the_key_id_and_names_the_source() {
    let home = home();
    let output = run(
        home.path(),
        &[
            ("AWS_ACCESS_KEY_ID", "AKIDENV00000000ABCD"),
            ("AWS_SECRET_ACCESS_KEY", SECRET_KEY),
        ],
        &["credentials", "--json"],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["accessKeyId"], "***************ABCD");
    assert_eq!(json["source"], "env");
    assert_eq!(json["region"], "eu-west-3");

    let output = run(home.path(), &[], &["credentials", "--json"]);
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["source"], "profile:default (static keys)");
    assert_eq!(json["accessKeyId"], "***************WXYZ");

    // A key id without its secret names the missing variable: a config error.
    let output = run(
        home.path(),
        &[("AWS_ACCESS_KEY_ID", "AKIDENV00000000ABCD")],
        &["credentials"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("AWS_SECRET_ACCESS_KEY"));
}

#[test]
fn token_mints_a_key_that_inspect_reads_back() {
    let home = home();
    let env = [
        ("AWS_ACCESS_KEY_ID", "AKIDENV00000000ABCD"),
        ("AWS_SECRET_ACCESS_KEY", SECRET_KEY),
        ("AWS_REGION", "ap-southeast-2"),
    ];
    let output = run(home.path(), &env, &["token", "--expires-in", "900"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let key = String::from_utf8(output.stdout).unwrap().trim().to_owned();
    assert!(key.starts_with("bedrock-api-key-"), "{key}");

    let output = run(home.path(), &[], &["--json", "token", "inspect", &key]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["region"], "ap-southeast-2");
    assert_eq!(json["expired"], false);
    let left = json["secondsLeft"].as_u64().unwrap();
    assert!((800..=900).contains(&left), "{left}");
    assert_eq!(json["accessKeyId"], "***************ABCD");

    // Out-of-range lifetimes and bearer-only auth are refused.
    let output = run(home.path(), &env, &["token", "--expires-in", "43201"]);
    assert_eq!(output.status.code(), Some(2));
    let output = run(
        home.path(),
        &[("AWS_BEARER_TOKEN_BEDROCK", BEARER)],
        &["token"],
    );
    assert_eq!(output.status.code(), Some(3));
    let output = run(home.path(), &[], &["token", "inspect", "not-a-key"]);
    assert_eq!(output.status.code(), Some(2));
}

/// A minimal temporary directory, removed on drop.
mod tempdir {
    use std::path::{Path, PathBuf};

    pub struct Dir(PathBuf);

    impl Dir {
        pub fn new(prefix: &str) -> Self {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos();
            let path =
                std::env::temp_dir().join(format!("{prefix}-{}-{nanos}", std::process::id()));
            std::fs::create_dir_all(&path).unwrap();
            Dir(path)
        }

        pub fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
