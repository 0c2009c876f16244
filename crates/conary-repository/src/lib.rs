//! The Conary repository engine: a repository directory, its metadata
//! database, commits, queries, changeset generation, and who may do what.
//!
//! A repository is a directory (see [`repo`]): `config` (the server name),
//! `repository.db` (metadata in SQLite, WAL mode, schema versioned by
//! [`db`] migrations) and `contents/` (file contents in a
//! [`conary_store::FsStore`], each stored once however many troves hold
//! it). This crate owns that directory and nothing about HTTP, which is
//! `conary-server`'s. Where to start reading:
//!
//! - [`Repository`]: [`init`](Repository::init) and
//!   [`open`](Repository::open) a directory; manage users, roles, ACLs,
//!   entitlement classes and keys, and anonymous access ([`admin`]).
//! - [`Repository::authenticate`]: [`Credentials`] in, [`Identity`] out;
//!   [`Identity::can`] is the pure access check, by [`Action`], label and
//!   trove name.
//! - [`Repository::commit`]: a `.ccs` changeset in, checked (write
//!   permission per trove before anything is stored; contents referenced
//!   without being carried only when the committer may already read
//!   them), contents streamed into the store as one batch made durable
//!   with one sync, then troves recorded in one transaction, versions given
//!   their commit timestamps. Append-only: a trove is never rewritten; an
//!   admin may only [mark it removed](Repository::mark_removed).
//! - Queries ([`query`], [`inspect`]): [`Repository::trove_versions`] with
//!   a [`Query`] (labels, branches, latest or all versions, flavors, name
//!   globs), [`Repository::manifests`], [`Repository::files`],
//!   [`Repository::trove_details`], [`Repository::troves_with_path`],
//!   [`Repository::dep_suggestions`]. Troves a caller may not read are
//!   left out silently.
//! - [`Repository::changeset`]: changesets for jobs, absolute or relative,
//!   recursing into packages and groups, streamed to a writer.
//! - [`LocalSource`]: all of it as a [`conary_api::TroveSource`].
//!
//! Repositories refer to each other: a shadow or branch on server B of a
//! trove on server A keeps A's file versions for the files it did not
//! change, and their contents stay on A ([`contents_host`]).
//!
//! ```rust
//! use conary_repository::{Acl, Action, Credentials, Repository};
//! let dir = tempfile::tempdir()?;
//! let repository = Repository::init(dir.path(), "conary.example.com")?;
//! repository.add_user("alice", "secret", false)?;
//! repository.add_role("devel")?;
//! repository.grant_role("devel", "alice")?;
//! repository.add_acl("devel", &Acl::new("conary.example.com@rpl:*".parse()?, "ALL".parse()?).with_write())?;
//! let alice = repository.authenticate(&Credentials::Basic { user: "alice".into(), password: "secret".into() })?;
//! assert!(alice.can(Action::Write, "conary.example.com@rpl:2", "bash:runtime"));
//! assert!(!alice.can(Action::Write, "conary.example.com@other:2", "bash:runtime"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod access;
pub mod admin;
mod auth;
pub mod cache;
mod check;
mod commit;
pub mod config;
mod contents;
pub mod db;
pub mod deltas;
pub mod entitlement;
pub mod error;
mod generate;
pub mod inspect;
mod intern;
mod names;
mod password;
pub mod pattern;
pub mod query;
mod record;
mod remove;
pub mod repo;
mod source;
mod stamp;
mod suggest;
#[cfg(test)]
mod testutil;

pub use access::{Acl, Action, Credentials, Identity, Subject};
pub use admin::{EntitlementClass, RoleAcl, UserInfo};
pub use config::RepositoryConfig;
pub use entitlement::EntitlementKey;
pub use error::RepositoryError;
pub use generate::PlannedChangeset;
pub use inspect::{FileEntry, TroveDetails, contents_host};
pub use names::ANONYMOUS;
pub use pattern::{ALL, LabelPattern, TrovePattern};
pub use query::Query;
pub use record::CommitResult;
pub use repo::Repository;
pub use source::LocalSource;
