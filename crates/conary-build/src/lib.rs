//! cvc: source troves, recipes, cooking, policy, groups, shadows, promote, .deb import.
//!
//! This crate is a placeholder in the layered workspace of `docs/ARCHITECTURE.md`;
//! its contents arrive with the issue that needs them.

pub mod deb;
