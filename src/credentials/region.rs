//! region (in progress).
