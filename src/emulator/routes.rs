//! Which operation a request names. New operations (the control plane's
//! `ListFoundationModels`, `InvokeModel`...) are new variants here and new
//! arms in `converse::respond`.

/// An operation the emulator serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Operation {
    /// `POST /model/{modelId}/converse`.
    Converse,
    /// `POST /model/{modelId}/converse-stream`.
    ConverseStream,
}

/// The operation for `method` and the request target, if it is one the
/// emulator serves.
pub(crate) fn route(method: &str, target: &str) -> Option<Operation> {
    let path = target.split_once('?').map_or(target, |(path, _)| path);
    let mut segments = path.strip_prefix('/')?.split('/');
    let (Some("model"), Some(model_id), Some(action), None) = (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) else {
        return None;
    };
    if method != "POST" || model_id.is_empty() {
        return None;
    }
    match action {
        "converse" => Some(Operation::Converse),
        "converse-stream" => Some(Operation::ConverseStream),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert_eq!(
            route("POST", "/model/a%3Ab/converse"),
            Some(Operation::Converse)
        );
        assert_eq!(
            route("POST", "/model/m/converse-stream?x=1"),
            Some(Operation::ConverseStream)
        );
        for (method, target) in [
            ("GET", "/model/m/converse"),
            ("POST", "/model//converse"),
            ("POST", "/model/m/invoke-nope"),
            ("POST", "/model/m/converse/more"),
            ("POST", "/"),
            ("POST", ""),
        ] {
            assert_eq!(route(method, target), None, "{method} {target}");
        }
    }
}
