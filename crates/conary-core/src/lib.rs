//! Conary's model of software: everything else in the workspace rests on it.
//!
//! `conary-core` has no I/O, no network and no async. It owns:
//!
//! - [`version`]: labels (`host@ns:tag`), branches (`/label`, `/label//shadow`,
//!   `/label/1.2-3/child`), revisions (`1.2.3-4-2`, dotted shadow counts),
//!   versions with commit timestamps, shadow and branch arithmetic, and the
//!   abbreviated forms users type and read.
//! - [`flavor`]: instruction sets and use flags (`ssl,!pam is: x86(i686,sse2)`),
//!   satisfaction and scoring with the original Conary's table.
//! - [`deps`]: dependency classes (`soname:`, `file:`, `trove:`, …), dependency
//!   sets and "provides satisfies requires".
//! - [`name`]: trove names and kinds (package, component, group, fileset, …).
//! - [`digest`]: BLAKE3 digests, pathIds and fileIds.
//! - [`encoding`]: the canonical binary encoding (magic, format number,
//!   tag-length-value records) that digests and signatures are computed over.
//! - [`files`]: file streams (type, mode, owner, group, contents digest, …)
//!   and the fileId that identifies them.
//! - [`trove`] and [`troveinfo`]: trove manifests (files, strong and weak
//!   references, redirects) and what is known about them (build facts,
//!   metadata, scripts, capsules).
//! - [`spec`]: trove specs (`name=version[flavor]`) and the change specs of
//!   `conary update` and `conary erase` (`+foo`, `-foo`, `foo=1.0--2.0`).
//!
//! Every type is parsed at the edge with [`std::str::FromStr`] and printed with
//! [`std::fmt::Display`]; every parser returns a typed error that names the text
//! at fault, and never panics.

pub mod config;
pub mod deps;
pub mod digest;
pub mod encoding;
pub mod files;
pub mod flavor;
pub mod name;
pub mod spec;
pub mod trove;
pub mod troveinfo;
pub mod version;
