//! Endpoint resolution against the official botocore endpoint tests for
//! `bedrock` and `bedrock-runtime` (`testdata/endpoints/*.json`), and the
//! partition table against `reference/botocore/partitions.json`.

mod common;

use std::path::{Path, PathBuf};

use bedrock_lite::endpoint::{partition_of, partitions, resolve, EndpointSettings, Service};
use bedrock_lite::env::Env;
use serde_json::Value;

/// Runs one upstream case: `params` (`Region`, `UseFIPS`, `UseDualStack`,
/// `Endpoint`) in, `expect.endpoint.url` or `expect.error` out. `Endpoint` is
/// passed as the explicit endpoint and the flags through their variables, so the
/// whole public path is exercised.
fn run_case(service: Service, case: &Value) -> Result<(), String> {
    let params = &case["params"];
    let flag = |name: &str| params[name].as_bool().unwrap_or(false).to_string();
    let env = Env::from_vars([
        ("AWS_USE_FIPS_ENDPOINT", flag("UseFIPS")),
        ("AWS_USE_DUALSTACK_ENDPOINT", flag("UseDualStack")),
    ]);
    let settings = EndpointSettings {
        region: params["Region"].as_str(),
        endpoint_url: params["Endpoint"].as_str(),
        configured_url: None,
    };
    let got = resolve(service, &settings, &env);
    let expect = &case["expect"];
    match (
        expect["endpoint"]["url"].as_str(),
        expect["error"].as_str(),
        got,
    ) {
        (Some(url), None, Ok(endpoint)) => {
            if endpoint.url != url {
                return Err(format!("got {}, expected {url}", endpoint.url));
            }
            if endpoint.signing_name != "bedrock" {
                return Err(format!("signing name {}", endpoint.signing_name));
            }
            if endpoint.signing_region.as_deref() != params["Region"].as_str() {
                return Err(format!("signing region {:?}", endpoint.signing_region));
            }
            Ok(())
        }
        (None, Some(message), Err(error)) if error.to_string().contains(message) => Ok(()),
        (_, _, got) => Err(format!("got {got:?}, expected {expect}")),
    }
}

fn service_of(file: &Path) -> Service {
    match file.file_name().and_then(|name| name.to_str()) {
        Some("bedrock-endpoint-tests.json") => Service::Bedrock,
        Some("bedrock-runtime-endpoint-tests.json") => Service::BedrockRuntime,
        other => panic!("an endpoint test file for an unknown service: {other:?}"),
    }
}

#[test]
fn official_endpoint_tests() {
    let Some(dir) = common::vectors("endpoints") else {
        return;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("readable vector folder")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    assert_eq!(
        files.len(),
        2,
        "expected the bedrock and bedrock-runtime files in {}",
        dir.display()
    );
    let mut failures = Vec::new();
    let mut count = 0;
    for file in &files {
        let service = service_of(file);
        let text = std::fs::read_to_string(file).expect("readable file");
        let suite: Value = serde_json::from_str(&text).expect("valid JSON");
        let cases = suite["testCases"].as_array().expect("testCases array");
        assert!(!cases.is_empty(), "{} has no cases", file.display());
        for case in cases {
            count += 1;
            if let Err(why) = run_case(service, case) {
                failures.push(format!("{:?} `{}`: {why}", service, case["documentation"]));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The kinds of case the shared folder holds back, built from the rule set by hand.
#[test]
fn rule_set_cases_beyond_the_shared_files() {
    let cases = [
        (
            r#"{"Region":"cn-north-1","UseFIPS":true,"UseDualStack":true}"#,
            r#"{"endpoint":{"url":"https://bedrock-runtime-fips.cn-north-1.api.amazonwebservices.com.cn"}}"#,
        ),
        (
            r#"{"Region":"us-gov-east-1","UseFIPS":true,"UseDualStack":false}"#,
            r#"{"endpoint":{"url":"https://bedrock-runtime-fips.us-gov-east-1.amazonaws.com"}}"#,
        ),
        (
            r#"{"Region":"us-iso-east-1","UseFIPS":true,"UseDualStack":false}"#,
            r#"{"endpoint":{"url":"https://bedrock-runtime-fips.us-iso-east-1.c2s.ic.gov"}}"#,
        ),
        (
            r#"{"Region":"us-isob-east-1","UseFIPS":false,"UseDualStack":false}"#,
            r#"{"endpoint":{"url":"https://bedrock-runtime.us-isob-east-1.sc2s.sgov.gov"}}"#,
        ),
        (
            r#"{"Region":"us-isof-south-1","UseFIPS":false,"UseDualStack":true}"#,
            r#"{"endpoint":{"url":"https://bedrock-runtime.us-isof-south-1.api.aws.hci.ic.gov"}}"#,
        ),
        (
            r#"{"Region":"eu-isoe-west-1","UseFIPS":true,"UseDualStack":false}"#,
            r#"{"endpoint":{"url":"https://bedrock-runtime-fips.eu-isoe-west-1.cloud.adc-e.uk"}}"#,
        ),
        (
            r#"{"Region":"eusc-de-east-1","UseFIPS":false,"UseDualStack":true}"#,
            r#"{"endpoint":{"url":"https://bedrock-runtime.eusc-de-east-1.api.amazonwebservices.eu"}}"#,
        ),
        (
            r#"{"Region":"us-east-1","UseFIPS":true,"UseDualStack":false,"Endpoint":"https://example.com"}"#,
            r#"{"error":"Invalid Configuration: FIPS and custom endpoint are not supported"}"#,
        ),
        (
            r#"{"UseFIPS":false,"Endpoint":"https://example.com"}"#,
            r#"{"endpoint":{"url":"https://example.com"}}"#,
        ),
    ];
    for (params, expect) in cases {
        let case = serde_json::json!({
            "params": serde_json::from_str::<Value>(params).expect("params"),
            "expect": serde_json::from_str::<Value>(expect).expect("expect"),
        });
        run_case(Service::BedrockRuntime, &case).unwrap_or_else(|why| panic!("{params}: {why}"));
    }
}

/// Our partition table is `partitions.json`: same ids, suffixes and order, every
/// listed region in its own partition, and FIPS and dual-stack everywhere.
#[test]
fn partitions_match_partitions_json() {
    let file =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/botocore/partitions.json");
    let Ok(text) = std::fs::read_to_string(&file) else {
        eprintln!(
            "!!!! {} missing; partition table NOT checked !!!!",
            file.display()
        );
        return;
    };
    let json: Value = serde_json::from_str(&text).expect("valid JSON");
    let listed = json["partitions"].as_array().expect("partitions array");
    let ours: Vec<_> = partitions().collect();
    assert_eq!(ours.len(), listed.len());
    for (partition, theirs) in ours.iter().zip(listed) {
        let outputs = &theirs["outputs"];
        assert_eq!(theirs["id"], partition.id);
        assert_eq!(
            outputs["dnsSuffix"], partition.dns_suffix,
            "{}",
            partition.id
        );
        assert_eq!(
            outputs["dualStackDnsSuffix"], partition.dual_stack_dns_suffix,
            "{}",
            partition.id
        );
        assert_eq!(outputs["supportsFIPS"], true, "{}", partition.id);
        assert_eq!(outputs["supportsDualStack"], true, "{}", partition.id);
        let regions = theirs["regions"].as_object().expect("regions object");
        for region in regions.keys() {
            assert_eq!(partition_of(region).id, partition.id, "{region}");
        }
        let implicit = outputs["implicitGlobalRegion"]
            .as_str()
            .expect("implicitGlobalRegion");
        assert_eq!(partition_of(implicit).id, partition.id, "{implicit}");
    }
}
