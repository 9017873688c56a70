//! `chat --session FILE`: a conversation kept in a JSON file
//! `{"messages": [...]}` (Bedrock `Message` shapes). It is read before the call,
//! sent as the history, and rewritten atomically with the new user turn and the
//! whole assistant message only when the call succeeded. A missing file starts a
//! new conversation; an unreadable or invalid one exits 2 naming it, untouched.
//! Members other than `messages` are kept as they were.

use std::path::{Path, PathBuf};

use bedrock_lite::types::{ConversationRole, Message};
use serde_json::{Map, Value};

use crate::error::{CliError, Exit};

/// The largest session file read (a long conversation with attachments).
const MAX_SESSION_BYTES: u64 = 256 * 1024 * 1024;

/// A conversation and the file it lives in.
#[derive(Debug)]
pub struct Session {
    path: PathBuf,
    /// The file's other members, written back unchanged.
    rest: Map<String, Value>,
    /// The conversation so far.
    pub messages: Vec<Message>,
}

impl Session {
    /// Reads `path` (a missing file is an empty conversation).
    pub fn load(path: &Path) -> Result<Session, CliError> {
        let shown = path.display();
        let fail = |why: String| CliError::new("session", format!("{shown}: {why}"), Exit::Usage);
        let text = match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Session {
                    path: path.to_owned(),
                    rest: Map::new(),
                    messages: Vec::new(),
                })
            }
            Err(e) => return Err(fail(e.to_string())),
            Ok(meta) if !meta.is_file() => return Err(fail("not a file".to_owned())),
            Ok(meta) if meta.len() > MAX_SESSION_BYTES => {
                return Err(fail(format!("larger than {MAX_SESSION_BYTES} bytes")))
            }
            Ok(_) => std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?,
        };
        let value: Value =
            serde_json::from_str(&text).map_err(|e| fail(format!("not JSON: {e}")))?;
        let Value::Object(mut rest) = value else {
            return Err(fail("expected an object {\"messages\": [...]}".to_owned()));
        };
        let messages: Vec<Message> = match rest.remove("messages") {
            None => Vec::new(),
            Some(list) => serde_json::from_value(list)
                .map_err(|e| fail(format!("messages: not a list of Bedrock messages: {e}")))?,
        };
        // Content blocks this version does not know are kept (Bedrock may
        // have added them); a role other than Bedrock's two is a broken file.
        if let Some((at, message)) = messages
            .iter()
            .enumerate()
            .find(|(_, m)| !matches!(m.role, ConversationRole::User | ConversationRole::Assistant))
        {
            return Err(fail(format!(
                "messages[{at}]: role `{}` is not `user` or `assistant`",
                message.role
            )));
        }
        Ok(Session {
            path: path.to_owned(),
            rest,
            messages,
        })
    }

    /// Writes the conversation back, atomically (a temporary file, then a rename).
    pub fn save(&self) -> Result<(), CliError> {
        let mut document = self.rest.clone();
        let messages = serde_json::to_value(&self.messages)
            .map_err(|e| CliError::new("session", e.to_string(), Exit::Other))?;
        document.insert("messages".to_owned(), messages);
        let mut text = serde_json::to_vec_pretty(&Value::Object(document))
            .map_err(|e| CliError::new("session", e.to_string(), Exit::Other))?;
        text.push(b'\n');
        bedrock_lite::config::write_atomically(&self.path, &text).map_err(|e| {
            CliError::new(
                "session",
                format!("{}: cannot write: {e}", self.path.display()),
                Exit::Other,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bedrock_lite::types::ContentBlock;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("bedrock-lite-session-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join(name)
    }

    #[test]
    fn a_missing_file_is_a_new_conversation_and_other_members_survive() {
        let path = temp("round-trip.json");
        let _ = std::fs::remove_file(&path);
        let mut session = Session::load(&path).expect("missing is fine");
        assert!(session.messages.is_empty());
        session.messages.push(Message {
            role: ConversationRole::User,
            content: vec![ContentBlock::Text("hi".into())],
            extra: Default::default(),
        });
        session.save().expect("saved");
        let back = Session::load(&path).expect("reads");
        assert_eq!(back.messages, session.messages);
        std::fs::write(&path, r#"{"title": "kept", "messages": []}"#).unwrap();
        let session = Session::load(&path).unwrap();
        session.save().unwrap();
        let written: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(written["title"], "kept");
    }

    #[test]
    fn bad_files_exit_2_naming_the_file() {
        for (name, text) in [
            ("not-json.json", "{nope"),
            ("array.json", "[1, 2]"),
            ("bad-messages.json", r#"{"messages": [{"role": "user"}]}"#),
            (
                "bad-role.json",
                r#"{"messages": [{"role": "user", "content": []}, {"role": "system", "content": []}]}"#,
            ),
        ] {
            let path = temp(name);
            std::fs::write(&path, text).unwrap();
            let error = Session::load(&path).unwrap_err();
            assert_eq!(error.exit_code(), 2, "{name}");
            assert!(error.to_string().contains(name), "{error}");
            assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "untouched");
        }
    }
}
