//! sso (in progress).
