//! `chat --attach FILE`: a file as an image, document or video block, chosen by
//! its extension, its bytes base64 in the request. Everything is checked before
//! anything is sent: a missing file, an unknown extension or a file over
//! Bedrock's size limit for its kind exits 2 naming the file.

use std::path::Path;

use bedrock_lite::types::{
    Blob, ContentBlock, DocumentBlock, DocumentFormat, DocumentSource, ImageBlock, ImageFormat,
    MediaSource, VideoBlock, VideoFormat,
};

use crate::error::CliError;

/// Bedrock's limit for one image (3.75 MB).
pub const MAX_IMAGE_BYTES: u64 = 3_750_000;
/// Bedrock's limit for one document (4.5 MB).
pub const MAX_DOCUMENT_BYTES: u64 = 4_500_000;
/// Bedrock's limit for a video sent inline (25 MB; larger ones go through S3).
pub const MAX_VIDEO_BYTES: u64 = 25_000_000;

/// The longest document name kept.
const MAX_NAME_CHARS: usize = 200;

/// What kind of block an extension makes.
enum Kind {
    Image(ImageFormat),
    Document(DocumentFormat),
    Video(VideoFormat),
}

impl Kind {
    /// The kind for a file extension (any case), if Bedrock takes it.
    fn of(extension: &str) -> Option<Kind> {
        Some(match extension.to_ascii_lowercase().as_str() {
            "png" => Kind::Image(ImageFormat::Png),
            "jpeg" | "jpg" => Kind::Image(ImageFormat::Jpeg),
            "gif" => Kind::Image(ImageFormat::Gif),
            "webp" => Kind::Image(ImageFormat::Webp),
            "pdf" => Kind::Document(DocumentFormat::Pdf),
            "csv" => Kind::Document(DocumentFormat::Csv),
            "doc" => Kind::Document(DocumentFormat::Doc),
            "docx" => Kind::Document(DocumentFormat::Docx),
            "xls" => Kind::Document(DocumentFormat::Xls),
            "xlsx" => Kind::Document(DocumentFormat::Xlsx),
            "html" => Kind::Document(DocumentFormat::Html),
            "txt" => Kind::Document(DocumentFormat::Txt),
            "md" => Kind::Document(DocumentFormat::Md),
            "mp4" => Kind::Video(VideoFormat::Mp4),
            "mov" => Kind::Video(VideoFormat::Mov),
            "mkv" => Kind::Video(VideoFormat::Mkv),
            "webm" => Kind::Video(VideoFormat::Webm),
            "flv" => Kind::Video(VideoFormat::Flv),
            "mpeg" => Kind::Video(VideoFormat::Mpeg),
            "mpg" => Kind::Video(VideoFormat::Mpg),
            "wmv" => Kind::Video(VideoFormat::Wmv),
            "3gp" => Kind::Video(VideoFormat::ThreeGp),
            _ => return None,
        })
    }

    fn limit(&self) -> (u64, &'static str) {
        match self {
            Kind::Image(_) => (MAX_IMAGE_BYTES, "images"),
            Kind::Document(_) => (MAX_DOCUMENT_BYTES, "documents"),
            Kind::Video(_) => (MAX_VIDEO_BYTES, "videos"),
        }
    }
}

/// The extensions `--attach` takes, for messages.
const TAKEN: &str = "png, jpeg, jpg, gif, webp (images); pdf, csv, doc, docx, xls, xlsx, html, \
                     txt, md (documents); mp4, mov, mkv, webm, flv, mpeg, mpg, wmv, 3gp (videos)";

/// The block for one attached file (module docs).
pub fn load(path: &Path) -> Result<ContentBlock, CliError> {
    let shown = path.display();
    let fail = |why: String| CliError::usage(format!("--attach {shown}: {why}"));
    let extension = path.extension().and_then(|e| e.to_str()).ok_or_else(|| {
        fail(format!(
            "no file extension to tell its kind; expected {TAKEN}"
        ))
    })?;
    let kind = Kind::of(extension).ok_or_else(|| {
        fail(format!(
            "unknown file type `.{extension}`; expected {TAKEN}"
        ))
    })?;
    let metadata = std::fs::metadata(path).map_err(|e| fail(e.to_string()))?;
    if !metadata.is_file() {
        return Err(fail("not a file".to_owned()));
    }
    let (limit, what) = kind.limit();
    if metadata.len() > limit {
        return Err(fail(format!(
            "{} bytes is over Bedrock's limit of {limit} bytes for {what}",
            metadata.len()
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
    // The file may have grown since it was measured.
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limit {
        return Err(fail(format!(
            "over Bedrock's limit of {limit} bytes for {what}"
        )));
    }
    let bytes = Blob(bytes);
    Ok(match kind {
        Kind::Image(format) => ContentBlock::Image(ImageBlock {
            format,
            source: MediaSource::Bytes(bytes),
            error: None,
            extra: Default::default(),
        }),
        Kind::Video(format) => ContentBlock::Video(VideoBlock {
            format,
            source: MediaSource::Bytes(bytes),
            extra: Default::default(),
        }),
        Kind::Document(format) => ContentBlock::Document(DocumentBlock {
            format: Some(format),
            name: document_name(path),
            source: DocumentSource::Bytes(bytes),
            context: None,
            citations: None,
            extra: Default::default(),
        }),
    })
}

/// A document's name from the file's stem, reduced to what Bedrock allows:
/// letters, digits, single spaces, `-`, `(`, `)`, `[`, `]`; anything else
/// becomes a space, runs of spaces become one; `document` when nothing is left.
pub fn document_name(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut name = String::new();
    for c in stem.chars() {
        let allowed = c.is_alphanumeric() || matches!(c, '-' | '(' | ')' | '[' | ']');
        if allowed {
            name.push(c);
        } else if !name.ends_with(' ') && !name.is_empty() {
            name.push(' ');
        }
    }
    let name: String = name.trim().chars().take(MAX_NAME_CHARS).collect();
    match name.trim() {
        "" => "document".to_owned(),
        trimmed => trimmed.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_names_keep_what_bedrock_allows() {
        let name = |file: &str| document_name(Path::new(file));
        assert_eq!(name("/x/Q3 report (final).pdf"), "Q3 report (final)");
        assert_eq!(name("notes_2024.v2.md"), "notes 2024 v2");
        assert_eq!(name("a__b  c.txt"), "a b c");
        assert_eq!(name("résumé.pdf"), "résumé");
        assert_eq!(name("___.txt"), "document");
        assert_eq!(name(".md"), "md");
        assert_eq!(name(&format!("{}.txt", "x".repeat(500))).len(), 200);
        proptest::proptest!(|(stem in "\\PC{0,60}")| {
            let name = document_name(Path::new(&format!("{stem}.txt")));
            proptest::prop_assert!(!name.is_empty());
            proptest::prop_assert!(!name.contains("  "));
            proptest::prop_assert!(name.chars().all(|c| c.is_alphanumeric() || " -()[]".contains(c)));
        });
    }

    #[test]
    fn kinds_by_extension_and_refusals_name_the_file() {
        let dir = std::env::temp_dir().join(format!("bedrock-lite-attach-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let png = dir.join("cat.PNG");
        std::fs::write(&png, b"\x89PNG").unwrap();
        assert!(matches!(
            load(&png),
            Ok(ContentBlock::Image(ImageBlock {
                format: ImageFormat::Png,
                ..
            }))
        ));
        let video = dir.join("clip.3gp");
        std::fs::write(&video, b"v").unwrap();
        assert!(matches!(
            load(&video),
            Ok(ContentBlock::Video(VideoBlock {
                format: VideoFormat::ThreeGp,
                ..
            }))
        ));
        let doc = dir.join("my notes.md");
        std::fs::write(&doc, b"# hi").unwrap();
        let Ok(ContentBlock::Document(block)) = load(&doc) else {
            panic!("a document");
        };
        assert_eq!(block.name, "my notes");
        for (file, why) in [
            (dir.join("missing.png"), "missing.png"),
            (dir.join("archive.zip"), "unknown file type `.zip`"),
            (dir.join("noext"), "no file extension"),
        ] {
            let error = load(&file).unwrap_err();
            assert_eq!(error.exit_code(), 2);
            assert!(error.to_string().contains(why), "{error}");
        }
        let big = dir.join("big.jpg");
        std::fs::File::create(&big)
            .unwrap()
            .set_len(MAX_IMAGE_BYTES + 1)
            .unwrap();
        let error = load(&big).unwrap_err();
        assert!(
            error.to_string().contains("big.jpg") && error.to_string().contains("limit"),
            "{error}"
        );
    }
}
