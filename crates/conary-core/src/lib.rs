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
//! - [`config`]: the `conaryrc` configuration (`key value` lines and
//!   `[context]` sections), parsed from text handed in by the caller.
//!
//! Every type is parsed at the edge with [`std::str::FromStr`] and printed with
//! [`std::fmt::Display`]; every parser returns a typed error that names the text
//! at fault, and never panics. The text forms are described in
//! `docs/FORMATS.md` (§14), next to the canonical binary encoding.
//!
//! ```rust
//! use conary_core::deps::DependencySet;
//! use conary_core::flavor::Flavor;
//! use conary_core::trove::{Trove, TroveTuple};
//! use conary_core::version::Version;
//!
//! let version = Version::thaw("/conary.example.com@plat:1/1700000000.000:2.2.3-4-2")?;
//! let flavor: Flavor = "ssl is: x86_64".parse()?;
//! let mut package = Trove::new("openssl".parse()?, version.clone(), flavor.clone());
//! package.add_strong_ref(TroveTuple::new("openssl:lib".parse()?, version, flavor), true);
//! package.provides = "trove: openssl".parse::<DependencySet>()?;
//! let bytes = package.encode();
//! assert_eq!(Trove::decode(&bytes)?, package);
//! assert_eq!(package.version.to_string(), "/conary.example.com@plat:1/2.2.3-4-2");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

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
