//! Shared config and credentials files (in progress).
