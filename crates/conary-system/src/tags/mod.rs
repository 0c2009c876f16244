//! Dynamic tags: files carry tags in their streams (`shlib`, `info-file`,
//! …); tag descriptions installed in `<root>/etc/conary/tags/NAME` name a
//! handler program that a transaction calls with the tagged paths it
//! writes or removes.
//!
//! Where to start reading:
//!
//! - [`description`]: the description file format ([`TagDescription`]).
//! - [`commands`]: one phase's calls, coalesced per handler, in the
//!   original's order ([`Phase::ORDER`]), run or written to `--tag-script`.
//! - `job.rs`: what a transaction does with tags before files change and
//!   after the commit (new handlers run over every installed file with
//!   their tag).
//! - [`builtin`]: `shlib`, `user-info`, `group-info`.

pub mod builtin;
pub mod commands;
pub mod description;
pub(crate) mod job;

use std::path::PathBuf;

pub use commands::TagCommands;
pub use description::{
    DataSource, Phase, TAG_DIR, TagDescription, load_all, load_each, valid_tag_name,
};

/// What can go wrong reading tag descriptions.
#[derive(Debug, thiserror::Error)]
pub enum TagError {
    /// A line of a description file is wrong (`line` 0: the whole file).
    #[error("{path}:{line}: {reason}")]
    Syntax {
        /// The description file, inside the root.
        path: String,
        /// Its line, from 1.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// A description file or directory cannot be read.
    #[error("cannot read '{}': {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

#[cfg(test)]
mod tests;
