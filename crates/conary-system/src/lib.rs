//! One machine: the local database, update planning, applying a job's
//! changeset to a root crash-safely, rollbacks and verify.
//!
//! Where to start reading:
//!
//! - [`db::Database`]: `<root>/var/lib/conarydb/` — what is installed
//!   (pristine troves and file streams, references, dependencies, pins,
//!   install times, config contents), the lock, and the read API the
//!   planner and the CLI's queries use.
//! - [`plan`]: the update planner (specs in, jobs out).
//! - [`apply::apply_changeset`]: the executor. It takes the jobs the
//!   planner chose and the changeset a trove source made for them, plans
//!   every file operation (refusing conflicts before touching anything),
//!   then stages, renames and commits under a [`journal`].
//! - [`journal`]: how an interrupted transaction is completed or undone by
//!   the next [`db::Database::open`].
//! - [`rollback`]: the stack of inverse changesets (`rblist`, `rollback`,
//!   `rmrollback`).
//! - [`verify`]: what on disk differs from the database.
//! - [`merge`]: three-way merges of what the machine changed with what an
//!   update changes (attributes one by one, config files as text), and
//!   local changes as a changeset (`localcs`), `restore` and `remove`.
//! - [`model`]: the system model (`/etc/conary/system-model`) and what a
//!   sync to it must change.
//! - [`tags`] and [`scripts`]: what a transaction runs around its file
//!   changes — tag handlers named by `<root>/etc/conary/tags/NAME` (in the
//!   original's phase order, one call per handler and action) with the
//!   `shlib`, `user-info` and `group-info` built-ins, and the troves'
//!   scripts (a failing pre-script aborts before anything changed).
//!
//! Nothing here talks to the network: contents the machine lacks come from
//! a [`conary_api::TroveSource`] handed in by the caller.
//!
//! ```rust
//! use conary_system::apply::{ApplyOptions, NoProgress, apply_changeset};
//! use conary_system::db::Database;
//! let root = tempfile::tempdir()?;
//! let mut db = Database::open(root.path())?;
//! let empty = conary_changeset::write_changeset(Vec::new(), &Default::default(), &conary_changeset::NoContents)?;
//! let reader = conary_changeset::ChangeSetReader::new(&empty[..])?;
//! let report = apply_changeset(&mut db, &[], reader, None, &ApplyOptions::default(), &NoProgress)?;
//! assert!(report.installed.is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod crash;
mod error;
mod parallel;

pub mod apply;
pub mod db;
pub mod journal;
pub mod merge;
pub mod model;
pub mod plan;
pub mod rollback;
pub mod scripts;
pub mod tags;
pub mod verify;

pub use error::SystemError;
