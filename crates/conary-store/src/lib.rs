//! Content-addressed blob store (BLAKE3) behind a trait.
//!
//! This crate is a placeholder in the layered workspace of `docs/ARCHITECTURE.md`;
//! its contents arrive with the issue that needs them.
