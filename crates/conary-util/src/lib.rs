//! Atomic writes, locks, temp files and path safety shared by Conary's crates.
//!
//! This crate is a placeholder in the layered workspace of `docs/ARCHITECTURE.md`;
//! its contents arrive with the issue that needs them.
