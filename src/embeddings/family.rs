//! The embedding model families, told apart by model id, and what each takes.

use std::fmt;

use crate::model_ref::ModelRef;

use super::EmbedError;

/// An embedding model family: one request and response body layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// Amazon Titan Text Embeddings G1 (`amazon.titan-embed-text-v1`): one text
    /// a call, 1536 dimensions, no options.
    TitanV1,
    /// Amazon Titan Text Embeddings V2 (`amazon.titan-embed-text-v2:0`): one text
    /// a call, `dimensions` 256, 512 or 1024, `normalize`.
    TitanV2,
    /// Amazon Nova Multimodal Embeddings (`amazon.nova-2-multimodal-embeddings-v1:0`),
    /// text only: one text a call, `embeddingDimension` 256, 384, 1024 or 3072.
    NovaMultimodal,
    /// Cohere Embed v3, English or multilingual: up to 96 texts a call.
    CohereV3,
    /// Cohere Embed v4 (`cohere.embed-v4:0`): up to 96 texts a call,
    /// `output_dimension` 256, 512, 1024 or 1536.
    CohereV4,
    /// TwelveLabs Marengo Embed 2.7, text only: one text a call, 1024 dimensions.
    Marengo27,
    /// TwelveLabs Marengo Embed 3.0, text only: one text a call, 512 dimensions.
    Marengo30,
}

/// What a family takes: the accepted values of each option (empty: not taken).
pub(super) struct Spec {
    /// `dimensions`, ascending (the default is [`Family::default_dimensions`]).
    pub dimensions: &'static [u32],
    /// `normalize`.
    pub normalize: bool,
    /// `input_type`, with the default first (sent even when not given).
    pub input_types: &'static [&'static str],
    /// `truncate`, with the value sent when none is given first where the API
    /// requires one (Nova).
    pub truncate: &'static [&'static str],
    /// `embedding_types`.
    pub embedding_types: &'static [&'static str],
}

/// Cohere's `input_type` values (the API requires one).
const COHERE_INPUT_TYPES: &[&str] = &[
    "search_document",
    "search_query",
    "classification",
    "clustering",
];

/// Cohere's `embedding_types` values.
const COHERE_EMBEDDING_TYPES: &[&str] = &["float", "int8", "uint8", "binary", "ubinary"];

impl Family {
    /// Every family, in the order error messages list them.
    pub const ALL: [Family; 7] = [
        Family::TitanV1,
        Family::TitanV2,
        Family::NovaMultimodal,
        Family::CohereV3,
        Family::CohereV4,
        Family::Marengo27,
        Family::Marengo30,
    ];

    /// The foundation model ids of the family. A base model id belongs to the
    /// family when it is one of these up to its first `:`, with or without a
    /// `:` suffix (`amazon.titan-embed-text-v1:2:8k` is Titan v1).
    pub fn model_ids(self) -> &'static [&'static str] {
        match self {
            Family::TitanV1 => &["amazon.titan-embed-text-v1"],
            Family::TitanV2 => &["amazon.titan-embed-text-v2:0"],
            Family::NovaMultimodal => &["amazon.nova-2-multimodal-embeddings-v1:0"],
            Family::CohereV3 => &["cohere.embed-english-v3", "cohere.embed-multilingual-v3"],
            Family::CohereV4 => &["cohere.embed-v4:0"],
            Family::Marengo27 => &["twelvelabs.marengo-embed-2-7-v1:0"],
            Family::Marengo30 => &["twelvelabs.marengo-embed-3-0-v1:0"],
        }
    }

    /// The family of a model ref: a model id, an inference profile id (`us.`...),
    /// or an ARN that shows its base model.
    pub fn detect(model: &str) -> Result<Family, EmbedError> {
        let parsed = ModelRef::parse(model).map_err(|error| EmbedError::InvalidModel {
            message: error.to_string(),
        })?;
        let base = parsed.base_model_id().unwrap_or_default();
        Family::from_base_id(base).ok_or_else(|| EmbedError::UnknownFamily {
            model: model.to_owned(),
        })
    }

    /// The family whose ids `base` (a foundation model id) is a version of.
    pub(super) fn from_base_id(base: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|family| {
            family.model_ids().iter().any(|id| {
                let stem = id.split(':').next().unwrap_or(id);
                base.strip_prefix(stem)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(':'))
            })
        })
    }

    /// The most texts one call takes: 96 for Cohere, 1 for the others.
    pub fn max_batch(self) -> usize {
        match self {
            Family::CohereV3 | Family::CohereV4 => 96,
            _ => 1,
        }
    }

    /// The length of the vectors the family returns when no `dimensions` is given.
    pub fn default_dimensions(self) -> u32 {
        match self {
            Family::TitanV1 => 1536,
            Family::TitanV2 | Family::CohereV3 | Family::Marengo27 => 1024,
            Family::NovaMultimodal => 3072,
            Family::CohereV4 => 1536,
            Family::Marengo30 => 512,
        }
    }

    /// What the family takes.
    pub(super) fn spec(self) -> Spec {
        let none = Spec {
            dimensions: &[],
            normalize: false,
            input_types: &[],
            truncate: &[],
            embedding_types: &[],
        };
        match self {
            Family::TitanV1 | Family::Marengo30 => none,
            Family::TitanV2 => Spec {
                dimensions: &[256, 512, 1024],
                normalize: true,
                ..none
            },
            Family::NovaMultimodal => Spec {
                dimensions: &[256, 384, 1024, 3072],
                input_types: &[
                    "GENERIC_INDEX",
                    "GENERIC_RETRIEVAL",
                    "TEXT_RETRIEVAL",
                    "IMAGE_RETRIEVAL",
                    "VIDEO_RETRIEVAL",
                    "DOCUMENT_RETRIEVAL",
                    "AUDIO_RETRIEVAL",
                    "CLASSIFICATION",
                    "CLUSTERING",
                ],
                truncate: &["END", "START", "NONE"],
                ..none
            },
            Family::CohereV3 => Spec {
                input_types: COHERE_INPUT_TYPES,
                truncate: &["NONE", "START", "END"],
                embedding_types: COHERE_EMBEDDING_TYPES,
                ..none
            },
            Family::CohereV4 => Spec {
                dimensions: &[256, 512, 1024, 1536],
                input_types: COHERE_INPUT_TYPES,
                truncate: &["NONE", "LEFT", "RIGHT"],
                embedding_types: COHERE_EMBEDDING_TYPES,
                ..none
            },
            Family::Marengo27 => Spec {
                truncate: &["end", "none"],
                ..none
            },
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Family::TitanV1 => "Amazon Titan Text Embeddings G1",
            Family::TitanV2 => "Amazon Titan Text Embeddings V2",
            Family::NovaMultimodal => "Amazon Nova Multimodal Embeddings",
            Family::CohereV3 => "Cohere Embed v3",
            Family::CohereV4 => "Cohere Embed v4",
            Family::Marengo27 => "TwelveLabs Marengo Embed 2.7",
            Family::Marengo30 => "TwelveLabs Marengo Embed 3.0",
        })
    }
}

/// Every supported model id, comma-separated, for error messages.
pub(super) fn supported_ids() -> String {
    Family::ALL
        .iter()
        .flat_map(|family| family.model_ids())
        .copied()
        .collect::<Vec<_>>()
        .join(", ")
}
