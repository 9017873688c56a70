//! web_identity (in progress).
