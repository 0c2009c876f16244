//! Versions: labels, branches, shadows and revisions.
//!
//! A [`Label`] (`host@namespace:tag`) names a line of development in a
//! repository. A [`Branch`] is a path of labels: a root label, then
//! shadows (`/label//shadow`) and branches off one revision
//! (`/label/1.2-3/child`). A [`Version`] is a branch plus a trailing
//! [`Revision`] (`upstream-source[-build]`), whose [`SerialNumber`] counts
//! carry one dotted part per shadow level (`1.2.3-3.1-1.1`). Every revision
//! of a committed version has a [`Timestamp`], and "newer" means "committed
//! later" ([`Version::cmp_by_time`]): upstream version strings are never
//! compared.
//!
//! The text forms abbreviate each label and revision against the previous
//! one; parsing expands them again. [`VersionSpec`] is what users type after
//! `name=` (`2.2.3-4`, `:devel`, `label/1.0`), resolved against an install
//! label path.
//!
//! ```rust
//! use conary_core::version::Version;
//! let v: Version = "/conary.rpath.com@rpl:devel//shadow/1.2.3-3".parse().expect("valid");
//! let changed = v.increment_source_count().expect("no overflow");
//! assert_eq!(changed.trailing_revision().to_string(), "1.2.3-3.1");
//! assert_eq!(changed.parent_version().expect("shadowed").to_string(),
//!            "/conary.rpath.com@rpl:devel/1.2.3-3");
//! ```

mod branch;
mod counts;
mod error;
mod label;
mod lineage;
mod path;
mod revision;
mod serial;
mod spec;
mod timestamp;
mod versioned;

pub use branch::{Branch, BranchStep};
pub use error::VersionError;
pub use label::Label;
pub use revision::Revision;
pub use serial::SerialNumber;
pub use spec::{LabelSpec, RevisionSpec, SpecQuery, VersionSpec};
pub use timestamp::Timestamp;
pub use versioned::Version;
