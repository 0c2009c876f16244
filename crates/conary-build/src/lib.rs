//! cvc: source troves, recipes, cooking, policy, groups, shadows, promote, .deb import.
//!
//! Where to start reading:
//!
//! - [`deb`]: a streaming reader of Debian binary packages (`.deb`), their
//!   control files, versions and relationships, and the component policy.
//! - [`import`]: `cvc import-deb`, which turns a `.deb` into a package trove
//!   and its components, with file streams and contents.
//! - [`policy`]: packaging policy, which turns a build's destdir into
//!   component troves, a package trove and their changeset.
//!
//! Recipes, cooking, groups, shadows and promote arrive with the issues
//! that need them.

pub mod deb;
pub mod import;
pub mod policy;
pub mod recipe;
