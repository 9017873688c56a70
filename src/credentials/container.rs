//! container (in progress).
