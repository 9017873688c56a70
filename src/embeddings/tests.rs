use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use proptest::prelude::*;
use serde_json::{json, Value};

use super::emulate::vector;
use super::*;

const TITAN_V1: &str = "amazon.titan-embed-text-v1";
const TITAN_V2: &str = "amazon.titan-embed-text-v2:0";
const NOVA: &str = "amazon.nova-2-multimodal-embeddings-v1:0";
const COHERE_V3: &str = "cohere.embed-english-v3";
const COHERE_V4: &str = "cohere.embed-v4:0";
const MARENGO_27: &str = "twelvelabs.marengo-embed-2-7-v1:0";
const MARENGO_30: &str = "twelvelabs.marengo-embed-3-0-v1:0";

fn texts(items: &[&str]) -> Vec<String> {
    items.iter().map(|text| (*text).to_owned()).collect()
}

fn plan(model: &str, options: &EmbedOptions) -> EmbedPlan {
    EmbedPlan::new(model, options).unwrap_or_else(|error| panic!("{error}"))
}

fn bodies(model: &str, options: &EmbedOptions, inputs: &[&str]) -> Vec<Value> {
    plan(model, options)
        .calls(&texts(inputs))
        .into_iter()
        .map(|call| call.body)
        .collect()
}

fn error(model: &str, options: &EmbedOptions) -> String {
    let message = EmbedPlan::new(model, options)
        .expect_err("an invalid option")
        .to_string();
    assert!(!message.contains('\n'), "{message}");
    message
}

/// A JSON array of `n` numbers.
fn numbers(n: usize, value: f32) -> Value {
    json!(vec![value; n])
}

#[test]
fn families_are_told_apart_by_model_ref() {
    for (model, family) in [
        (TITAN_V1, Family::TitanV1),
        ("amazon.titan-embed-text-v1:2:8k", Family::TitanV1),
        (TITAN_V2, Family::TitanV2),
        ("us.amazon.titan-embed-text-v2:0", Family::TitanV2),
        (NOVA, Family::NovaMultimodal),
        ("global.amazon.nova-2-multimodal-embeddings-v1:0", Family::NovaMultimodal),
        (COHERE_V3, Family::CohereV3),
        ("cohere.embed-multilingual-v3", Family::CohereV3),
        ("amazon-bedrock/cohere.embed-multilingual-v3", Family::CohereV3),
        (COHERE_V4, Family::CohereV4),
        ("eu.cohere.embed-v4:0", Family::CohereV4),
        (MARENGO_27, Family::Marengo27),
        ("us.twelvelabs.marengo-embed-2-7-v1:0", Family::Marengo27),
        (MARENGO_30, Family::Marengo30),
        (
            "arn:aws:bedrock:us-west-2::foundation-model/amazon.titan-embed-text-v2:0",
            Family::TitanV2,
        ),
        (
            "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.twelvelabs.marengo-embed-3-0-v1:0",
            Family::Marengo30,
        ),
    ] {
        assert_eq!(Family::detect(model), Ok(family), "{model}");
    }
}

#[test]
fn unknown_models_list_the_supported_ones() {
    for model in [
        "anthropic.claude-3-haiku-20240307-v1:0",
        "amazon.titan-embed-text-v20",
        "amazon.titan-embed-image-v1",
        "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123",
    ] {
        let error = Family::detect(model).expect_err(model);
        assert!(error.is_usage());
        let message = error.to_string();
        assert!(message.starts_with(model), "{message}");
        for family in Family::ALL {
            for id in family.model_ids() {
                assert!(message.contains(id), "{message}");
            }
        }
    }
    let error = Family::detect("not a model").expect_err("whitespace");
    assert!(matches!(error, EmbedError::InvalidModel { .. }));
    assert!(error.to_string().contains("`not a model`"), "{error}");
}

#[test]
fn titan_request_shapes() {
    let none = EmbedOptions::default();
    assert_eq!(
        bodies(TITAN_V1, &none, &["a", "b"]),
        [json!({"inputText": "a"}), json!({"inputText": "b"})]
    );
    assert_eq!(bodies(TITAN_V2, &none, &["a"]), [json!({"inputText": "a"})]);
    let options = EmbedOptions {
        dimensions: Some(512),
        normalize: Some(false),
        ..EmbedOptions::default()
    };
    assert_eq!(
        bodies(TITAN_V2, &options, &["hello"]),
        [json!({"inputText": "hello", "dimensions": 512, "normalize": false})]
    );
    assert_eq!(plan(TITAN_V2, &options).dimensions(), 512);
    assert_eq!(plan(TITAN_V2, &none).dimensions(), 1024);
    assert_eq!(plan(TITAN_V1, &none).dimensions(), 1536);
}

#[test]
fn nova_request_shape() {
    assert_eq!(
        bodies(NOVA, &EmbedOptions::default(), &["hi"]),
        [json!({
            "taskType": "SINGLE_EMBEDDING",
            "singleEmbeddingParams": {
                "embeddingPurpose": "GENERIC_INDEX",
                "embeddingDimension": 3072,
                "text": {"truncationMode": "END", "value": "hi"},
            },
        })]
    );
    let options = EmbedOptions {
        dimensions: Some(384),
        input_type: Some("TEXT_RETRIEVAL".to_owned()),
        truncate: Some("NONE".to_owned()),
        ..EmbedOptions::default()
    };
    assert_eq!(
        bodies(NOVA, &options, &["q"]),
        [json!({
            "taskType": "SINGLE_EMBEDDING",
            "singleEmbeddingParams": {
                "embeddingPurpose": "TEXT_RETRIEVAL",
                "embeddingDimension": 384,
                "text": {"truncationMode": "NONE", "value": "q"},
            },
        })]
    );
}

#[test]
fn cohere_request_shapes() {
    assert_eq!(
        bodies(COHERE_V3, &EmbedOptions::default(), &["a", "b"]),
        [json!({"texts": ["a", "b"], "input_type": "search_document"})]
    );
    let options = EmbedOptions {
        input_type: Some("search_query".to_owned()),
        truncate: Some("END".to_owned()),
        embedding_types: Some(vec!["float".to_owned(), "int8".to_owned()]),
        ..EmbedOptions::default()
    };
    assert_eq!(
        bodies(COHERE_V3, &options, &["q"]),
        [json!({
            "texts": ["q"],
            "input_type": "search_query",
            "truncate": "END",
            "embedding_types": ["float", "int8"],
        })]
    );
    assert_eq!(
        bodies(COHERE_V4, &EmbedOptions::default(), &["a"]),
        [json!({"texts": ["a"], "input_type": "search_document", "embedding_types": ["float"]})]
    );
    let options = EmbedOptions {
        dimensions: Some(256),
        input_type: Some("clustering".to_owned()),
        truncate: Some("RIGHT".to_owned()),
        ..EmbedOptions::default()
    };
    assert_eq!(
        bodies(COHERE_V4, &options, &["a"]),
        [json!({
            "texts": ["a"],
            "input_type": "clustering",
            "embedding_types": ["float"],
            "output_dimension": 256,
            "truncate": "RIGHT",
        })]
    );
}

#[test]
fn marengo_request_shapes() {
    assert_eq!(
        bodies(MARENGO_27, &EmbedOptions::default(), &["a"]),
        [json!({"inputType": "text", "inputText": "a"})]
    );
    let options = EmbedOptions {
        truncate: Some("none".to_owned()),
        ..EmbedOptions::default()
    };
    assert_eq!(
        bodies(MARENGO_27, &options, &["a"]),
        [json!({"inputType": "text", "inputText": "a", "textTruncate": "none"})]
    );
    assert_eq!(
        bodies(MARENGO_30, &EmbedOptions::default(), &["a"]),
        [json!({"inputType": "text", "text": {"inputText": "a"}})]
    );
    assert_eq!(
        plan(MARENGO_27, &EmbedOptions::default()).dimensions(),
        1024
    );
    assert_eq!(plan(MARENGO_30, &EmbedOptions::default()).dimensions(), 512);
}

#[test]
fn options_a_family_does_not_take_list_what_it_takes() {
    let dims = |n| EmbedOptions {
        dimensions: Some(n),
        ..EmbedOptions::default()
    };
    assert_eq!(
        error(TITAN_V1, &dims(1024)),
        "amazon.titan-embed-text-v1 does not take dimensions; it takes: (none)"
    );
    assert_eq!(
        error(TITAN_V2, &dims(300)),
        "amazon.titan-embed-text-v2:0 does not take dimensions 300; dimensions is one of 256, 512, 1024"
    );
    let input_type = EmbedOptions {
        input_type: Some("search_query".to_owned()),
        ..EmbedOptions::default()
    };
    assert_eq!(
        error("us.amazon.titan-embed-text-v2:0", &input_type),
        "us.amazon.titan-embed-text-v2:0 does not take input_type; it takes: dimensions (256, 512, 1024), normalize (true, false)"
    );
    assert_eq!(
        error(COHERE_V3, &dims(512)),
        "cohere.embed-english-v3 does not take dimensions; it takes: input_type (search_document, search_query, classification, clustering), truncate (NONE, START, END), embedding_types (float, int8, uint8, binary, ubinary)"
    );
    assert_eq!(
        error(COHERE_V4, &dims(3072)),
        "cohere.embed-v4:0 does not take dimensions 3072; dimensions is one of 256, 512, 1024, 1536"
    );
    assert_eq!(
        error(NOVA, &dims(512)),
        "amazon.nova-2-multimodal-embeddings-v1:0 does not take dimensions 512; dimensions is one of 256, 384, 1024, 3072"
    );
    let bad_input_type = EmbedOptions {
        input_type: Some("query".to_owned()),
        ..EmbedOptions::default()
    };
    assert_eq!(
        error(COHERE_V3, &bad_input_type),
        "cohere.embed-english-v3 does not take input_type \"query\"; input_type is one of search_document, search_query, classification, clustering"
    );
    let truncate = |value: &str| EmbedOptions {
        truncate: Some(value.to_owned()),
        ..EmbedOptions::default()
    };
    assert!(error(COHERE_V4, &truncate("START")).contains("truncate is one of NONE, LEFT, RIGHT"));
    assert!(error(MARENGO_27, &truncate("END")).contains("truncate is one of end, none"));
    assert_eq!(
        error(MARENGO_30, &truncate("end")),
        "twelvelabs.marengo-embed-3-0-v1:0 does not take truncate; it takes: (none)"
    );
    let normalize = EmbedOptions {
        normalize: Some(true),
        ..EmbedOptions::default()
    };
    assert!(error(COHERE_V4, &normalize).starts_with("cohere.embed-v4:0 does not take normalize; it takes: dimensions (256, 512, 1024, 1536), input_type"));
    let types = |list: &[&str]| EmbedOptions {
        embedding_types: Some(texts(list)),
        ..EmbedOptions::default()
    };
    assert!(
        error(TITAN_V2, &types(&["float"])).contains("does not take embedding_types; it takes:")
    );
    assert_eq!(
        error(COHERE_V4, &types(&["int8"])),
        "cohere.embed-v4:0 does not take embedding_types [\"int8\"]; embedding_types is a list that includes \"float\" (float vectors are what is returned); one of float, int8, uint8, binary, ubinary"
    );
    assert!(error(COHERE_V3, &types(&["float", "f16"])).contains("embedding_types \"f16\""));
    assert!(error(COHERE_V3, &types(&[])).contains("embedding_types []"));
    assert_eq!(
        EmbedPlan::new(TITAN_V1, &dims(1)).map_err(|e| e.is_usage()),
        Err(true)
    );
}

#[test]
fn cohere_batches_up_to_96_texts_in_order() {
    let inputs: Vec<String> = (0..97).map(|i| format!("text {i}")).collect();
    let calls = plan(COHERE_V3, &EmbedOptions::default()).calls(&inputs);
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].inputs, 0..96);
    assert_eq!(calls[1].inputs, 96..97);
    assert_eq!(calls[0].body["texts"], json!(inputs[..96]));
    assert_eq!(calls[1].body["texts"], json!(["text 96"]));
    let single = plan(TITAN_V2, &EmbedOptions::default()).calls(&inputs);
    assert_eq!(single.len(), 97);
    assert!(single
        .iter()
        .enumerate()
        .all(|(i, call)| call.inputs == (i..i + 1)));
    assert!(plan(COHERE_V4, &EmbedOptions::default())
        .calls(&[])
        .is_empty());
}

#[test]
fn responses_are_parsed_per_family() {
    let none = EmbedOptions::default();
    let titan = json!({
        "embedding": numbers(1024, 0.25),
        "inputTextTokenCount": 3,
        "embeddingsByType": {"float": numbers(1024, 0.25)},
    });
    let parsed = plan(TITAN_V2, &none).parse_response(titan.to_string().as_bytes(), 1);
    assert_eq!(parsed, Ok(vec![vec![0.25; 1024]]));

    let titan_v1 = json!({"embedding": numbers(1536, -1.5), "inputTextTokenCount": 2});
    let parsed = plan(TITAN_V1, &none).parse_response(titan_v1.to_string().as_bytes(), 1);
    assert_eq!(parsed, Ok(vec![vec![-1.5; 1536]]));

    let nova = json!({"embeddings": [{
        "embeddingType": "TEXT",
        "embedding": numbers(3072, 0.5),
        "truncatedCharLength": 12,
    }]});
    let parsed = plan(NOVA, &none).parse_response(nova.to_string().as_bytes(), 1);
    assert_eq!(parsed, Ok(vec![vec![0.5; 3072]]));

    let floats = json!({
        "id": "6d1b3c1c-0000",
        "embeddings": [numbers(1024, 0.1), numbers(1024, 0.2)],
        "response_type": "embeddings_floats",
        "texts": ["a", "b"],
    });
    let parsed = plan(COHERE_V3, &none).parse_response(floats.to_string().as_bytes(), 2);
    assert_eq!(parsed, Ok(vec![vec![0.1; 1024], vec![0.2; 1024]]));

    let by_type = json!({
        "id": "x",
        "embeddings": {"float": [numbers(256, 0.3)], "int8": [vec![1; 256]]},
        "response_type": "embeddings_by_type",
        "texts": ["a"],
    });
    let options = EmbedOptions {
        dimensions: Some(256),
        ..EmbedOptions::default()
    };
    let parsed = plan(COHERE_V4, &options).parse_response(by_type.to_string().as_bytes(), 1);
    assert_eq!(parsed, Ok(vec![vec![0.3; 256]]));

    let marengo = json!({"data": [{"embedding": numbers(512, 0.75)}]});
    let parsed = plan(MARENGO_30, &none).parse_response(marengo.to_string().as_bytes(), 1);
    assert_eq!(parsed, Ok(vec![vec![0.75; 512]]));
}

#[test]
fn malformed_responses_name_the_model_and_field() {
    let titan = plan(TITAN_V2, &EmbedOptions::default());
    let cohere = plan(COHERE_V3, &EmbedOptions::default());
    let nova = plan(NOVA, &EmbedOptions::default());
    let mut with_string = vec![json!(0.5); 1024];
    with_string[7] = json!("0.5");
    let cases: Vec<(&EmbedPlan, String, usize, &str)> = vec![
        (
            &titan,
            "not json".to_owned(),
            1,
            "amazon.titan-embed-text-v2:0: body: not JSON",
        ),
        (
            &titan,
            "[1, 2]".to_owned(),
            1,
            "body: an array instead of an object",
        ),
        (&titan, "{}".to_owned(), 1, "embedding: missing"),
        (
            &titan,
            json!({"embedding": null}).to_string(),
            1,
            "embedding: missing",
        ),
        (
            &titan,
            json!({"embedding": "x"}).to_string(),
            1,
            "embedding: a string instead of an array",
        ),
        (
            &titan,
            json!({"embedding": numbers(1000, 0.1)}).to_string(),
            1,
            "embedding: 1000 numbers, expected 1024",
        ),
        (
            &titan,
            json!({"embedding": with_string}).to_string(),
            1,
            "embedding[7]: a string instead of a number",
        ),
        (
            &titan,
            format!("{{\"embedding\": [1e39{}]}}", ", 0".repeat(1023)),
            1,
            "embedding[0]: 1e39 does not fit a 32-bit float",
        ),
        (
            &cohere,
            json!({"embeddings": [numbers(1024, 0.1)]}).to_string(),
            2,
            "embeddings: 1 embeddings for 2 input texts",
        ),
        (
            &cohere,
            json!({"embeddings": {"int8": []}}).to_string(),
            1,
            "embeddings.float: missing",
        ),
        (
            &cohere,
            json!({"embeddings": [numbers(1024, 0.1), numbers(3, 0.1)]}).to_string(),
            2,
            "embeddings[1]: 3 numbers, expected 1024",
        ),
        (
            &cohere,
            json!({"embeddings": [[true]]}).to_string(),
            1,
            "embeddings[0]: 1 numbers, expected 1024",
        ),
        (
            &nova,
            json!({"embeddings": []}).to_string(),
            1,
            "embeddings: 0 items instead of one",
        ),
        (
            &nova,
            json!({"embeddings": [{"embedding": numbers(3072, 0.0)}, {}]}).to_string(),
            1,
            "embeddings: 2 items instead of one",
        ),
        (
            &nova,
            json!({"embeddings": [{"embedding": [null]}]}).to_string(),
            1,
            "embeddings[0].embedding: 1 numbers, expected 3072",
        ),
        (
            &nova,
            json!({"embeddings": [{}]}).to_string(),
            1,
            "embeddings[0].embedding: missing",
        ),
    ];
    for (plan, body, count, expected) in cases {
        let error = plan
            .parse_response(body.as_bytes(), count)
            .expect_err(expected);
        assert!(!error.is_usage());
        let message = error.to_string();
        assert!(
            message.starts_with(&format!("malformed response from {}: ", plan.model())),
            "{message}"
        );
        assert!(
            message.contains(expected),
            "{message} (expected {expected})"
        );
        assert!(!message.contains('\n'), "{message}");
    }
}

#[test]
fn emulated_responses_round_trip_through_parsing() {
    let cases: Vec<(&str, EmbedOptions, usize)> = vec![
        (TITAN_V1, EmbedOptions::default(), 1536),
        (TITAN_V2, EmbedOptions::default(), 1024),
        (
            "us.amazon.titan-embed-text-v2:0",
            EmbedOptions {
                dimensions: Some(256),
                normalize: Some(true),
                ..EmbedOptions::default()
            },
            256,
        ),
        (
            NOVA,
            EmbedOptions {
                dimensions: Some(1024),
                ..EmbedOptions::default()
            },
            1024,
        ),
        (NOVA, EmbedOptions::default(), 3072),
        (COHERE_V3, EmbedOptions::default(), 1024),
        (
            "cohere.embed-multilingual-v3",
            EmbedOptions {
                embedding_types: Some(texts(&["float", "binary"])),
                ..EmbedOptions::default()
            },
            1024,
        ),
        (COHERE_V4, EmbedOptions::default(), 1536),
        (
            COHERE_V4,
            EmbedOptions {
                dimensions: Some(512),
                ..EmbedOptions::default()
            },
            512,
        ),
        (MARENGO_27, EmbedOptions::default(), 1024),
        (MARENGO_30, EmbedOptions::default(), 512),
    ];
    let inputs = texts(&["alpha", "beta", "gamma"]);
    for (model, options, dims) in cases {
        let plan = plan(model, &options);
        let mut vectors = Vec::new();
        for call in plan.calls(&inputs) {
            let body = serde_json::to_vec(&call.body).expect("serialisable");
            let response =
                emulated_response(model, &body).unwrap_or_else(|e| panic!("{model}: {e}"));
            vectors.extend(
                plan.parse_response(&response.body, call.inputs.len())
                    .unwrap_or_else(|e| panic!("{e}")),
            );
        }
        assert_eq!(vectors.len(), 3, "{model}");
        for (vector, text) in vectors.iter().zip(&inputs) {
            assert_eq!(vector.len(), dims, "{model}");
            assert_eq!(vector, &super::emulate::vector(text, dims), "{model}");
            let norm: f32 = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
            assert!((norm - 1.0).abs() < 1e-3, "{model}: {norm}");
        }
        assert_ne!(vectors[0], vectors[1], "{model}");
    }
}

#[test]
fn the_emulator_refuses_bad_requests() {
    let refuse = |model: &str, body: Value| {
        emulated_response(model, body.to_string().as_bytes()).expect_err("refused")
    };
    assert!(
        refuse(TITAN_V2, json!({"inputText": "a", "dimensions": 300}))
            .contains("dimensions must be one of 256, 512, 1024")
    );
    assert!(refuse(TITAN_V1, json!({"text": "a"})).contains("inputText must be a string"));
    assert!(refuse(COHERE_V3, json!({"texts": ["a"]})).contains("input_type"));
    let many: Vec<String> = (0..97).map(|i| i.to_string()).collect();
    assert!(refuse(
        COHERE_V4,
        json!({"texts": many, "input_type": "search_query"})
    )
    .contains("at most 96"));
    assert!(refuse(NOVA, json!({"taskType": "SEGMENTED_EMBEDDING"})).contains("SINGLE_EMBEDDING"));
    assert!(refuse(MARENGO_30, json!({"inputType": "video"})).contains("text"));
    assert!(refuse("anthropic.claude-v2", json!({})).contains("not an embedding model"));
    assert!(emulated_response(TITAN_V1, b"{")
        .expect_err("not JSON")
        .contains("not JSON"));
}

#[test]
fn embeddings_serialise_as_the_cli_prints_them() {
    let embeddings = Embeddings {
        model: DEFAULT_MODEL.to_owned(),
        embeddings: vec![vec![0.5, -1.0], vec![0.25]],
        input_tokens: 7,
    };
    assert_eq!(
        serde_json::to_string(&embeddings).expect("serialisable"),
        r#"{"model":"amazon.titan-embed-text-v2:0","embeddings":[[0.5,-1.0],[0.25]]}"#
    );
}

/// A fake InvokeModel: answers like the emulator after a delay that makes
/// later inputs finish first, counting the calls in flight.
#[derive(Clone, Default)]
struct Fake {
    in_flight: Arc<AtomicUsize>,
    most_in_flight: Arc<AtomicUsize>,
    calls: Arc<AtomicUsize>,
    finished: Arc<Mutex<Vec<String>>>,
}

/// What the fake `invoke` fails with: the plan's error, or the call's own.
#[derive(Debug, PartialEq)]
enum Failure {
    Embed(EmbedError),
    Call(String),
}

impl From<EmbedError> for Failure {
    fn from(error: EmbedError) -> Self {
        Failure::Embed(error)
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Embed(error) => write!(f, "{error}"),
            Failure::Call(message) => f.write_str(message),
        }
    }
}

impl Fake {
    fn invoke(
        &self,
        model: &'static str,
        body: Value,
    ) -> impl std::future::Future<Output = Result<Invoked, Failure>> {
        let fake = self.clone();
        async move {
            let now = fake.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            fake.most_in_flight.fetch_max(now, Ordering::SeqCst);
            fake.calls.fetch_add(1, Ordering::SeqCst);
            let text = body["inputText"]
                .as_str()
                .or(body["texts"][0].as_str())
                .unwrap_or_default()
                .to_owned();
            let index: u64 = text.trim_start_matches("text ").parse().unwrap_or(0);
            // Reverse order, with a pseudo-random jitter of 0-3 ms.
            let jitter = index.wrapping_mul(2_654_435_761) % 4;
            tokio::time::sleep(Duration::from_millis(2 * (40 - index.min(40)) + jitter)).await;
            fake.in_flight.fetch_sub(1, Ordering::SeqCst);
            fake.finished.lock().expect("not poisoned").push(text);
            let bytes = serde_json::to_vec(&body).unwrap_or_default();
            let response = emulated_response(model, &bytes).map_err(Failure::Call)?;
            Ok(Invoked {
                body: response.body.into(),
                input_tokens: Some(response.input_tokens),
            })
        }
    }
}

#[tokio::test]
async fn results_keep_input_order_under_out_of_order_completion() {
    let inputs: Vec<String> = (0..24).map(|i| format!("text {i}")).collect();
    let fake = Fake::default();
    let options = EmbedOptions {
        dimensions: Some(256),
        ..EmbedOptions::default()
    };
    let result = embed_with(TITAN_V2, &inputs, &options, 5, |body| {
        fake.invoke(TITAN_V2, body)
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(result.model, TITAN_V2);
    assert_eq!(result.embeddings.len(), 24);
    for (got, text) in result.embeddings.iter().zip(&inputs) {
        assert_eq!(got, &vector(text, 256));
    }
    assert_eq!(fake.calls.load(Ordering::SeqCst), 24);
    assert_eq!(fake.most_in_flight.load(Ordering::SeqCst), 5);
    let finished = fake.finished.lock().expect("not poisoned").clone();
    assert_ne!(
        finished, inputs,
        "the calls should have finished out of order"
    );
}

#[tokio::test]
async fn concurrency_is_bounded_and_at_least_one() {
    let inputs: Vec<String> = (0..6).map(|i| format!("text {i}")).collect();
    for (concurrency, expected) in [(0, 1), (1, 1), (2, 2), (100, 6)] {
        let fake = Fake::default();
        let result = embed_with(
            MARENGO_30,
            &inputs,
            &EmbedOptions::default(),
            concurrency,
            |body| fake.invoke(MARENGO_30, body),
        )
        .await;
        assert_eq!(result.map(|r| r.embeddings.len()), Ok(6));
        assert_eq!(
            fake.most_in_flight.load(Ordering::SeqCst),
            expected,
            "{concurrency}"
        );
    }
}

#[tokio::test]
async fn cohere_inputs_are_batched_through_the_driver() {
    let inputs: Vec<String> = (0..97).map(|i| format!("text {i}")).collect();
    let fake = Fake::default();
    let result = embed_with(
        COHERE_V4,
        &inputs,
        &EmbedOptions::default(),
        DEFAULT_CONCURRENCY,
        |body| fake.invoke(COHERE_V4, body),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(fake.calls.load(Ordering::SeqCst), 2);
    assert_eq!(result.embeddings.len(), 97);
    // Each input is two words: the two calls' headers summed.
    assert_eq!(result.input_tokens, 2 * 97);
    for (got, text) in result.embeddings.iter().zip(&inputs) {
        assert_eq!(got, &vector(text, 1536));
    }
}

#[tokio::test]
async fn the_first_error_ends_the_request() {
    let inputs = texts(&["a", "b", "c"]);
    let calls = AtomicUsize::new(0);
    let result = embed_with(TITAN_V1, &inputs, &EmbedOptions::default(), 1, |_| {
        let n = calls.fetch_add(1, Ordering::SeqCst);
        async move {
            if n == 1 {
                Err(Failure::Call("ThrottlingException: slow down".to_owned()))
            } else {
                Ok(json!({"embedding": numbers(1536, 0.0)})
                    .to_string()
                    .into_bytes())
            }
        }
    })
    .await;
    let error = result.expect_err("throttled");
    assert_eq!(
        error,
        Failure::Call("ThrottlingException: slow down".to_owned())
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2);

    // A malformed response is an error too, and options are checked before any call.
    let result = embed_with(TITAN_V1, &inputs, &EmbedOptions::default(), 2, |_| async {
        Ok::<_, Failure>(b"{\"embedding\": [1, 2]}".to_vec())
    })
    .await;
    assert!(matches!(
        result,
        Err(Failure::Embed(EmbedError::Malformed { .. }))
    ));
    let options = EmbedOptions {
        dimensions: Some(8),
        ..EmbedOptions::default()
    };
    let result = embed_with::<Failure, _, _, Vec<u8>>(TITAN_V1, &inputs, &options, 2, |_| async {
        panic!("no call should be made")
    })
    .await;
    assert!(matches!(
        result,
        Err(Failure::Embed(EmbedError::OptionNotTaken { .. }))
    ));
}

#[tokio::test]
async fn input_tokens_come_from_the_header_else_from_titans_body() {
    let inputs = texts(&["one two three", "four"]);
    let answer = |body: Value| {
        let bytes = serde_json::to_vec(&body).expect("serialisable");
        emulated_response(TITAN_V2, &bytes).expect("answered")
    };
    // No header: Titan's inputTextTokenCount, summed.
    let bare =
        embed_with::<Failure, _, _, _>(TITAN_V2, &inputs, &EmbedOptions::default(), 2, |body| {
            let response = answer(body);
            async move { Ok(response.body) }
        })
        .await
        .expect("embedded");
    assert_eq!(bare.input_tokens, 4);
    // The header wins over the body.
    let headed =
        embed_with::<Failure, _, _, _>(TITAN_V2, &inputs, &EmbedOptions::default(), 2, |body| {
            let response = answer(body);
            async move {
                Ok(Invoked {
                    body: response.body.into(),
                    input_tokens: Some(10),
                })
            }
        })
        .await
        .expect("embedded");
    assert_eq!(headed.input_tokens, 20);
    // Neither: 0 (Cohere's body has no count).
    let none =
        embed_with::<Failure, _, _, _>(COHERE_V3, &inputs, &EmbedOptions::default(), 1, |body| {
            let bytes = serde_json::to_vec(&body).expect("serialisable");
            let response = emulated_response(COHERE_V3, &bytes).expect("answered");
            async move { Ok(response.body) }
        })
        .await
        .expect("embedded");
    assert_eq!((none.embeddings.len(), none.input_tokens), (2, 0));
}

#[tokio::test]
async fn no_inputs_make_no_calls() {
    let result = embed_with::<Failure, _, _, Vec<u8>>(
        COHERE_V3,
        &[],
        &EmbedOptions::default(),
        4,
        |_| async { panic!("no call should be made") },
    )
    .await;
    assert_eq!(
        result,
        Ok(Embeddings {
            model: COHERE_V3.to_owned(),
            embeddings: Vec::new(),
            input_tokens: 0,
        })
    );
}

proptest! {
    #[test]
    fn parsing_never_panics(
        body in prop_oneof![
            any::<Vec<u8>>(),
            "\\{\"(embedding|embeddings|data)\": ?(\\[|\\{|null|1e400|\"x\")[0-9.,\\[\\]{}\" :a-z-]{0,40}"
                .prop_map(String::into_bytes),
        ],
        family in 0..Family::ALL.len(),
        count in 0usize..3,
    ) {
        let family = Family::ALL[family];
        let model = family.model_ids()[0];
        let _ = plan(model, &EmbedOptions::default()).parse_response(&body, count);
        let _ = emulated_response(model, &body);
    }
}
