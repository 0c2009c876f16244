//! Three-way merges of locally changed files on update: the pristine
//! stream installed (base, in the database), what is on disk (local) and
//! the incoming stream (new).
//!
//! Where to start reading:
//!
//! - [`attrs`]: every attribute (type, contents identity, mode, owner,
//!   group, mtime) merged on its own — taken from new where the machine did
//!   not change it, kept where the package did not change it, a conflict
//!   where both changed it differently. [`attrs::merge_stream`] is what the
//!   apply planner calls for a file that both the machine and the update
//!   touch.
//! - [`text`]: the contents of config files merged as text
//!   ([`text::merge_text`]); a conflict leaves `PATH.conflicts` beside the
//!   file ([`text::conflicts_path`]).
//!
//! - [`local`] and [`restore`]: local changes seen as such (`localcs`,
//!   `remove`) and written back through the journal (`restore`, migrate).
//!
//! The apply planner (`apply/plan.rs`) and stager (`apply/stage.rs`) hook
//! into these; the policy for whole files (`transient`, `initialContents`,
//! `--replace-*`, files the administrator deleted) is decided there with
//! the helpers of this module.

pub mod attrs;
pub mod local;
pub mod restore;
pub mod text;

pub(crate) mod hooks;

#[cfg(test)]
mod tests;
