//! Conary repository engine: metadata database, commits, queries, changeset generation, access control.
//!
//! This crate is a placeholder in the layered workspace of `docs/ARCHITECTURE.md`;
//! its contents arrive with the issue that needs them.
