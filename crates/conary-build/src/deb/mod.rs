//! Reading Debian binary packages (`.deb`) for `cvc import-deb`.
//!
//! This module reads a `.deb` and maps what it finds to Conary's terms; it
//! does not build troves or touch a repository ([`crate::import`] builds
//! the troves). Start at [`DebReader`]:
//!
//! ```rust,no_run
//! use conary_build::deb::{DebError, DebReader, component_for, deb_to_conary_upstream};
//! let reader = DebReader::new(std::io::BufReader::new(std::fs::File::open("x.deb")?))?;
//! let metadata = reader.metadata().clone();
//! let upstream = deb_to_conary_upstream(&metadata.control().version()?);
//! reader.for_each_entry(|entry, _contents| {
//!     let component = component_for(entry, metadata.is_conffile(&entry.path));
//!     let _ = (component, &upstream);
//!     Ok::<(), DebError>(())
//! })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The package format
//!
//! A `.deb` (`deb(5)`) is an `ar` archive of `debian-binary` (`2.0\n`),
//! `control.tar[.gz|.xz|.zst|.bz2|.lzma]` and
//! `data.tar[.gz|.xz|.zst|.bz2|.lzma]`, in that order; members whose name
//! starts with `_` (signatures) are skipped. The reader streams: it needs
//! only [`std::io::Read`], holds `control.tar` in memory (bounded) and hands
//! each `data.tar` entry to a visitor with a reader of its contents.
//!
//! Hostile input is refused with a one-line [`DebError`] naming the member
//! and path at fault, never a panic: wrong magic, a bad `debian-binary`,
//! members out of order, unknown compression, truncation anywhere, corrupt
//! compressed data, paths with `..`, absolute paths, NUL or newlines,
//! duplicate paths, hard links to anything but an earlier regular file, and
//! sizes or counts over [`DebLimits`]. No declared size is trusted for an
//! allocation.
//!
//! # Versions
//!
//! [`DebVersion`] (`conary-core`'s type, re-exported here) parses
//! `[epoch:]upstream[-revision]` and orders versions exactly as
//! `dpkg --compare-versions` does ([`DebVersion::cmp_dpkg`]).
//!
//! A Debian version becomes the upstream part of a Conary revision
//! (`upstream-sourcecount-buildcount`) by a reversible substitution,
//! [`deb_to_conary_upstream`] and its inverse [`conary_upstream_to_deb`]:
//! `:` becomes `;` and `-` becomes `_`, every other character stays. Conary
//! forbids `:` and `-` in an upstream version; Debian forbids `;` and `_`,
//! so the mapping is a bijection and the inverse recovers epoch, upstream
//! and revision with dpkg's own parsing rules (epoch before the first `:`,
//! revision after the last `-`).
//!
//! | Debian version | Conary upstream |
//! |---|---|
//! | `1.22.1-9+deb12u9` | `1.22.1_9+deb12u9` |
//! | `5:7.0.15-1~deb12u7` | `5;7.0.15_1~deb12u7` |
//! | `20230311+deb12u1` | `20230311+deb12u1` |
//! | `1:2.3-4-5` (upstream `2.3-4`, revision `5`) | `1;2.3_4_5` |
//!
//! Conary orders a branch by commit time, so the importer must compare
//! Debian versions with `cmp_dpkg` to commit newer packages later.
//!
//! # Components
//!
//! [`component_for`] assigns each file a [`ComponentSuffix`] by the rules of
//! the original Conary's component filters; see [`component`] for the table
//! and the deliberate differences. Conffiles get the `config` flag whatever
//! their component.

mod ar;
pub mod component;
mod compression;
mod control;
mod data;
mod entry;
mod error;
mod metadata;
mod reader;
mod relation;
mod stream;
pub mod version_map;

#[cfg(test)]
pub(crate) mod test_support;
#[cfg(test)]
mod tests;

pub use component::{ComponentSuffix, component_for};
pub use compression::Compression;
pub use conary_core::deps::{DebConstraint, DebRelation, DebVersion};
pub use control::DebControl;
pub use entry::{DebEntry, DebEntryKind, DebOwner};
pub use error::{DebError, escape};
pub use metadata::{Conffile, DebMetadata, MAINTAINER_SCRIPTS};
pub use reader::{DebLimits, DebReader, DebSummary, fuzz_read};
pub use relation::{DebAlternative, DebRelationError, DebRelations};
pub use version_map::{NotImportedError, conary_upstream_to_deb, deb_to_conary_upstream};
