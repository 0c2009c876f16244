//! Trove names and kinds.
