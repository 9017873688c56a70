//! imds (in progress).
