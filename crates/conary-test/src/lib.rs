//! Test support: real servers on free ports, fixtures, the corpus.
//!
//! This crate is a placeholder in the layered workspace of `docs/ARCHITECTURE.md`;
//! its contents arrive with the issue that needs them.
