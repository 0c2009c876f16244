//! truncation
