//! Source control for `cvc`: checkouts of `NAME:source` troves, the
//! `CONARY` state file, commits with their change logs and source counts,
//! diffs and logs. No network here: the repository is a
//! [`conary_api::TroveSource`] and commits go through a caller's function
//! (the CLI's network source, or a local repository in tests).
//!
//! Where to start reading:
//!
//! - [`CheckoutState`] (`state.rs`): the `CONARY` file.
//! - [`Checkout`], [`new_package`], [`checkout`] (`working.rs`): a checkout
//!   directory, `add` and `remove`.
//! - [`commit_checkout`] (`commit.rs`) and [`commit_version`]
//!   (`numbering.rs`): what a commit writes and what it is numbered.
//! - [`fetch_source`], [`resolve_source`] (`repo.rs`): reading source
//!   versions back; [`diff_checkout`], [`diff_versions`] (`diff.rs`);
//!   [`source_log`] (`log.rs`).
//! - [`merge_checkout`] (`merge.rs`): `cvc merge` on a shadow's checkout.
//!
//! The recipe's `name` and `version` are read by a line-based stand-in
//! (`recipe_meta.rs`) until the Starlark evaluator provides them.

mod commit;
mod diff;
mod error;
mod log;
mod merge;
mod numbering;
mod repo;
mod state;
mod working;

#[cfg(test)]
mod tests;

pub use commit::{CommitRequest, commit_checkout};
pub use diff::{FileSet, diff_checkout, diff_file_sets, diff_versions};
pub use error::SourceError;
pub use log::{LogEntry, source_log};
pub use merge::{MergeOutcome, MergeReport, describe_merge, merge_checkout};
pub use numbering::commit_version;
pub use repo::{
    SourceFile, SourceVersion, fetch_source, resolve_source, source_name, source_versions,
};
pub use state::{CheckoutState, STATE_FILE, TrackedFile, check_file_name};
pub use working::{Checkout, WorkingFile, checkout, new_package, recipe_skeleton};
