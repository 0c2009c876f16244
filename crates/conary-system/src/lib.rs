//! One machine: local database, update planning, applying jobs, rollbacks, tags, system model.
//!
//! This crate is a placeholder in the layered workspace of `docs/ARCHITECTURE.md`;
//! its contents arrive with the issue that needs them.

pub mod plan;
