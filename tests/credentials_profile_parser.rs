//! The shared config / credentials file parser against the cross-SDK suite
//! `credentials/profile-parser-tests.json`, plus property tests: no input makes
//! it panic, and generated well-formed files parse back to what was written.
//!
//! Every case of the suite runs; none is skipped.

mod common;

use std::collections::BTreeMap;

use bedrock_lite::credentials::profile::{ProfileSet, Section, SourceFile};
use proptest::prelude::*;
use serde_json::Value;

type Sections = BTreeMap<String, BTreeMap<String, String>>;

const CONFIG_PATH: &str = "~/.aws/config";
const CREDENTIALS_PATH: &str = "~/.aws/credentials";

fn parse(config: &str, credentials: &str) -> Result<ProfileSet, String> {
    ProfileSet::parse(
        SourceFile {
            path: CONFIG_PATH,
            contents: config,
        },
        SourceFile {
            path: CREDENTIALS_PATH,
            contents: credentials,
        },
    )
    .map_err(|e| e.to_string())
}

fn flatten<'a>(sections: impl Iterator<Item = &'a Section>) -> Sections {
    sections
        .map(|s| {
            let properties = s
                .properties()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            (s.name().to_owned(), properties)
        })
        .collect()
}

fn expected_sections(value: Option<&Value>) -> Sections {
    let Some(Value::Object(sections)) = value else {
        return Sections::new();
    };
    sections
        .iter()
        .map(|(name, properties)| {
            let properties = properties
                .as_object()
                .expect("properties are an object")
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().expect("string value").to_owned()))
                .collect();
            (name.clone(), properties)
        })
        .collect()
}

#[test]
fn profile_parser_suite() {
    let Some(dir) = common::vectors("credentials") else {
        return;
    };
    let text = std::fs::read_to_string(dir.join("profile-parser-tests.json")).expect("readable");
    let suite: Value = serde_json::from_str(&text).expect("valid JSON");
    let tests = suite["tests"].as_array().expect("a list of tests");
    assert!(!tests.is_empty());
    let mut failures = Vec::new();
    for test in tests {
        let name = test["name"].as_str().expect("name");
        let input = &test["input"];
        let config = input["configFile"].as_str().unwrap_or_default();
        let credentials = input["credentialsFile"].as_str().unwrap_or_default();
        let output = &test["output"];
        let parsed = parse(config, credentials);
        let outcome = match (parsed, output.get("errorContaining")) {
            (Err(error), Some(expected)) => {
                let expected = expected.as_str().expect("string");
                if error.contains(expected) {
                    Ok(())
                } else {
                    Err(format!("error {error:?} does not contain {expected:?}"))
                }
            }
            (Ok(set), Some(expected)) => Err(format!(
                "expected an error containing {expected}, got {set:?}"
            )),
            (Err(error), None) => Err(format!("unexpected error {error}")),
            (Ok(set), None) => {
                let config = &output["config"];
                let profiles = expected_sections(config.get("profiles"));
                let sso_sessions = expected_sections(config.get("sso_sessions"));
                let actual_profiles = flatten(set.profiles());
                let actual_sessions = flatten(set.sso_sessions());
                if actual_profiles != profiles {
                    Err(format!(
                        "profiles: expected {profiles:?}, got {actual_profiles:?}"
                    ))
                } else if actual_sessions != sso_sessions {
                    Err(format!(
                        "sso_sessions: expected {sso_sessions:?}, got {actual_sessions:?}"
                    ))
                } else {
                    Ok(())
                }
            }
        };
        if let Err(why) = outcome {
            failures.push(format!("{name}: {why}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn parse_errors_name_file_and_line() {
    let error = parse("[default]\nregion = x\n", "[a]\nk = v\n\nbroken line").unwrap_err();
    assert_eq!(
        error,
        "~/.aws/credentials line 4: Expected an '=' sign defining a property"
    );
}

// ---------------------------------------------------------------------------
// Property tests.

/// One generated property: its key (rendered upper-case when `shout`), its
/// first-line value and its continuation lines.
#[derive(Clone, Debug)]
struct Prop {
    key: String,
    shout: bool,
    first: String,
    more: Vec<String>,
}

impl Prop {
    /// The value the parser must produce.
    fn expected(&self) -> String {
        std::iter::once(self.first.as_str())
            .chain(self.more.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// A value that a comment marker cannot cut: no whitespace before `#` or `;`.
const VALUE: &str = "([A-Za-z0-9=:/._+-][A-Za-z0-9=:/._+#;-]{0,16})?";
const NAME: &str = "[A-Za-z0-9_./%@:+-]{1,12}";
const KEY: &str = "[a-z0-9_-]{1,10}";

fn prop_strategy() -> impl Strategy<Value = Prop> {
    let continued = (
        "[A-Za-z0-9=:/._+-][A-Za-z0-9=:/._+#;-]{0,16}",
        prop::collection::vec(
            "[A-Za-z0-9#;=:-]([A-Za-z0-9 #;=:-]{0,12}[A-Za-z0-9#;=:-])?",
            0..3,
        ),
    );
    let sub_properties = prop::collection::vec(("[a-z0-9_]{1,8}", "[A-Za-z0-9:/._+-]{0,10}"), 1..3)
        .prop_map(|subs| {
            let lines = subs
                .into_iter()
                .map(|(k, v)| format!("{k} = {v}").trim_end().to_owned());
            (String::new(), lines.collect::<Vec<_>>())
        });
    let single = VALUE.prop_map(|v| (v, Vec::new()));
    (
        KEY,
        any::<bool>(),
        prop_oneof![single, continued, sub_properties],
    )
        .prop_map(|(key, shout, (first, more))| Prop {
            key,
            shout,
            first,
            more,
        })
}

type Profiles = BTreeMap<String, Vec<Prop>>;

fn profiles_strategy() -> impl Strategy<Value = Profiles> {
    prop::collection::btree_map(NAME, prop::collection::vec(prop_strategy(), 0..4), 0..4)
}

/// Renders profiles as a file, with varied spacing and comments. `prefix` is
/// `"profile "` for the config file and `""` for the credentials file.
fn render(profiles: &Profiles, prefix: &str, noise: &[u8]) -> String {
    let mut noise = noise.iter().copied().cycle();
    let mut next = move || noise.next().unwrap_or(0);
    let mut out = String::new();
    for (name, props) in profiles {
        if next() % 3 == 0 {
            out.push_str("# a comment ; with both markers\n");
        }
        let after_header =
            ["", " ; trailing comment", "# adjacent", " \t"][usize::from(next() % 4)];
        out.push_str(&format!("[{prefix}{name}]{after_header}\n"));
        for prop in props {
            let key = if prop.shout {
                prop.key.to_uppercase()
            } else {
                prop.key.clone()
            };
            let before = [" ", "", "\t", "  "][usize::from(next() % 4)];
            let after = [" ", "", "\t "][usize::from(next() % 3)];
            out.push_str(&format!("{key}{before}={after}{}\n", prop.first));
            for line in &prop.more {
                if next() % 4 == 0 {
                    out.push_str(";comment inside a block\n\t \n");
                }
                let indent = [" ", "\t", "   "][usize::from(next() % 3)];
                out.push_str(&format!(
                    "{indent}{line}{}\n",
                    [" ", ""][usize::from(next() % 2)]
                ));
            }
        }
        if next() % 2 == 0 {
            out.push('\n');
        }
    }
    out
}

/// What merging must give: the config file first, then the credentials file,
/// the last value of a key winning.
fn merged(config: &Profiles, credentials: &Profiles) -> Sections {
    let mut out = Sections::new();
    for profiles in [config, credentials] {
        for (name, props) in profiles {
            let section = out.entry(name.clone()).or_default();
            for prop in props {
                section.insert(prop.key.clone(), prop.expected());
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn well_formed_files_round_trip(
        config in profiles_strategy(),
        credentials in profiles_strategy(),
        noise in prop::collection::vec(any::<u8>(), 1..32),
    ) {
        let config_text = render(&config, "profile ", &noise);
        let credentials_text = render(&credentials, "", &noise);
        let set = parse(&config_text, &credentials_text)
            .map_err(|e| TestCaseError::fail(format!("{e}\n--- config\n{config_text}\n--- credentials\n{credentials_text}")))?;
        prop_assert_eq!(flatten(set.profiles()), merged(&config, &credentials));
        prop_assert!(set.warnings().is_empty(), "{:?}", set.warnings());
    }

    #[test]
    fn arbitrary_text_never_panics(config in ".{0,300}", credentials in ".{0,300}") {
        check_any_input(&config, &credentials)?;
    }

    #[test]
    fn ini_like_text_never_panics(
        config in "([\\[\\] =#;a-z\t\r\n]|profile |sso-session |services ){0,200}",
        credentials in "([\\[\\] =#;a-z\t\r\n]|default){0,200}",
    ) {
        check_any_input(&config, &credentials)?;
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        check_any_input(&text, "")?;
        check_any_input("", &text)?;
    }
}

/// Parsing either succeeds or fails on a line that exists, in one of the files,
/// with a one-line message.
fn check_any_input(config: &str, credentials: &str) -> Result<(), TestCaseError> {
    if let Err(error) = parse(config, credentials) {
        prop_assert!(!error.contains('\n'), "{}", error);
        let (file, lines) = if error.starts_with(CONFIG_PATH) {
            (CONFIG_PATH, config.lines().count())
        } else {
            (CREDENTIALS_PATH, credentials.lines().count())
        };
        let line: usize = error
            .strip_prefix(file)
            .and_then(|rest| rest.strip_prefix(" line "))
            .and_then(|rest| rest.split(':').next())
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| TestCaseError::fail(format!("no file and line in {error:?}")))?;
        prop_assert!((1..=lines).contains(&line), "line {} of {}", line, lines);
    }
    Ok(())
}
