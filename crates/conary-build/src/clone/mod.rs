//! Clone and promote (`cvc clone`, `cvc promote`): copying troves to a
//! related branch unchanged but for their versions.
//!
//! Start at [`plan`]: from the troves asked for, it builds the *clone
//! map* (every trove to copy, with the version it gets on the target),
//! recursing through groups and packages, adding each binary's `:source`
//! and every flavor built from the same cook; then it rewrites the copies
//! (references, `clonedFrom`, source version, build requirements and
//! loaded troves mapped onto the target) and refuses when lineage would
//! break. [`ClonePlan::changeset`] makes one changeset of the new troves
//! (atomic: one commit): file streams and contents are the originals',
//! the contents travel as references.
//!
//! Where troves go is [`Destination`]: one branch (`cvc clone`) or label
//! mappings (`cvc promote :qa--:prod`, see [`LabelMapping`]); the branch
//! rules are in [`labels`]. A trove already cloned from the same version
//! (a trove on the target with its revision whose `clonedFrom` is that
//! version) is reused, so promoting twice changes nothing. This module is
//! self-contained; relabelling a trove onto a branch is written here
//! ([`plan::relabel`]) so that it can later be shared with shadows.

pub mod labels;
pub mod plan;
#[cfg(test)]
mod tests;
mod versions;

use conary_api::SourceError;
use conary_changeset::ChangeSetError;
use conary_core::version::Branch;

pub use labels::{LabelMapping, check_related, reshape, target_for_label};
pub use plan::{CloneEntry, ClonePlan, plan};

/// Where a clone sends troves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Every trove on the branch of the first trove asked for goes to this
    /// branch (`cvc clone TARGET-BRANCH …`).
    Branch(Branch),
    /// Troves on each `from` label go to its `to` label (`cvc promote`).
    Labels(Vec<LabelMapping>),
}

/// How much to clone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloneOptions {
    /// Clone each binary's `:source` too (otherwise it must already be
    /// cloned to the target).
    pub with_sources: bool,
    /// Every flavor built from the same cook, not only those named.
    pub all_flavors: bool,
    /// Only troves included by default.
    pub default_only: bool,
    /// Clone the contents of groups, not the groups.
    pub exclude_groups: bool,
    /// Keep build requirements and loaded troves as they are instead of
    /// mapping them onto the target (and checking they are there).
    pub skip_build_info: bool,
    /// The changelog message of cloned sources.
    pub message: Option<String>,
}

impl Default for CloneOptions {
    fn default() -> Self {
        CloneOptions {
            with_sources: true,
            all_flavors: true,
            default_only: false,
            exclude_groups: false,
            skip_build_info: false,
            message: None,
        }
    }
}

/// Why a clone or promote cannot be done.
#[derive(Debug, thiserror::Error)]
pub enum CloneError {
    /// A `FROM--TO` argument is not valid.
    #[error("invalid label mapping '{text}': {reason}")]
    LabelMapping {
        /// The text at fault.
        text: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The target branch is not related to the trove's branch.
    #[error("cannot clone from {from} to {to}: {reason}")]
    Unrelated {
        /// The trove's branch.
        from: String,
        /// The target.
        to: String,
        /// Why.
        reason: String,
    },
    /// A revision does not fit the target branch.
    #[error("cannot put {version} on {branch}: {reason}")]
    Reshape {
        /// The version cloned.
        version: String,
        /// The target branch.
        branch: String,
        /// Why.
        reason: String,
    },
    /// The target already has a different trove with the clone's version.
    #[error("{existing} is already on the target and was not cloned from {from}")]
    Conflict {
        /// The trove on the target.
        existing: String,
        /// The version being cloned.
        from: String,
    },
    /// A trove needed for lineage (a source, a build requirement, a loaded
    /// recipe) is not on the target and is not being cloned.
    #[error("lineage would break: {what} {needed} of {trove} is not on {target}; {hint}")]
    Lineage {
        /// What kind of need (`source`, `build requirement`, `loaded trove`).
        what: &'static str,
        /// The trove needed.
        needed: String,
        /// The trove that needs it.
        trove: String,
        /// The target branch.
        target: String,
        /// What to do about it.
        hint: &'static str,
    },
    /// Nothing asked for is on a label or branch being cloned from.
    #[error("nothing to clone: {0}")]
    Nothing(String),
    /// The repository could not answer.
    #[error("repository: {0}")]
    Source(#[from] SourceError),
    /// The changeset could not be made or read.
    #[error("changeset: {0}")]
    ChangeSet(#[from] ChangeSetError),
    /// A local read or write failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}
