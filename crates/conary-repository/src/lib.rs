//! The Conary repository engine: a repository directory, its metadata
//! database, and who may do what in it.
//!
//! A repository is a directory (see [`repo`]): `config` (the server name),
//! `repository.db` (metadata in SQLite, WAL mode, schema versioned by
//! [`db`] migrations) and `contents/` (file contents in a
//! [`conary_store::FsStore`]). This crate owns that directory and nothing
//! about HTTP, which is `conary-server`'s. Trove metadata, commits, queries
//! and changeset generation arrive here next, as further migrations and
//! modules; today it holds access control:
//!
//! - [`Repository`]: [`init`](Repository::init) and
//!   [`open`](Repository::open) a directory; manage users, roles, ACLs,
//!   entitlement classes and keys, and anonymous access ([`admin`]).
//! - [`Repository::authenticate`]: [`Credentials`] in, [`Identity`] out.
//! - [`Identity::can`]: the pure access check, by [`Action`], label and
//!   trove name, with ACL patterns [`LabelPattern`] and [`TrovePattern`].
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
// Until the changeset crate lands, commits are reached from tests only.
#[allow(dead_code)]
mod check;
#[allow(dead_code)]
mod commit;
pub mod config;
mod contents;
pub mod db;
pub mod entitlement;
pub mod error;
pub mod inspect;
mod intern;
mod names;
mod password;
pub mod pattern;
pub mod query;
mod record;
mod remove;
pub mod repo;
mod stamp;
mod suggest;
#[cfg(test)]
mod testutil;

pub use access::{Acl, Action, Credentials, Identity, Subject};
pub use admin::{EntitlementClass, RoleAcl, UserInfo};
pub use config::RepositoryConfig;
pub use entitlement::EntitlementKey;
pub use error::RepositoryError;
pub use inspect::{FileEntry, TroveDetails, contents_host};
pub use names::ANONYMOUS;
pub use pattern::{ALL, LabelPattern, TrovePattern};
pub use query::Query;
pub use record::CommitResult;
pub use repo::Repository;
