//! The .ccs changeset format: absolute and relative, streaming, zstd, binary deltas.
//!
//! This crate is a placeholder in the layered workspace of `docs/ARCHITECTURE.md`;
//! its contents arrive with the issue that needs them.
