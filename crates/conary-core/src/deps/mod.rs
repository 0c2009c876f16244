//! Dependencies: classes, dependency sets and satisfaction.
//!
//! A trove *provides* a [`DependencySet`] and *requires* another. Each
//! [`Dependency`] has a [`DepClass`], a name and a set of flags, and reads
//! `class: name(flag flag)`:
//!
//! ```text
//! abi: ELF64(SysV x86_64)
//! file: /bin/sh
//! trove: foo:runtime
//! soname: ELF64/libc.so.6(GLIBC_2.34 SysV x86_64)
//! userinfo: apache
//! CIL: System.EnterpriseServices(1.0.5000.0 2.0.3600.0)
//! python: os(2.7 lib64)
//! perl: Foo::Bar
//! deb: libc6(>=2.34)
//! ```
//!
//! # Text form
//!
//! Flags are separated by spaces inside the parentheses; white space may
//! surround the name and the flags (`abi: ELF32 ( SysV x86 )`), and `()`
//! means no flags. A set prints one dependency per line, classes in id
//! order, names and flags sorted; it parses from that form and from
//! dependencies separated by any white space. Adding a dependency whose
//! class and name are already in a set merges the flags, so
//! `python: os(a) python: os(b)` is the set `python: os(a b)`.
//!
//! Each class checks its names and flags (see [`DepClass`]): a `file:`
//! dependency is an absolute path without flags, a `soname:` dependency
//! needs an ABI path (`ELF64/libc.so.6`) and flags, `userinfo:` and
//! `groupinfo:` take no flags, a `trove:` name is a valid
//! [`TroveName`](crate::name::TroveName).
//!
//! # Frozen form
//!
//! [`DependencySet::freeze`] writes the original's compact storage form:
//! each dependency is `ID#name:flag:flag`, dependencies are joined by `|`
//! in class id order then name order, a `:` inside a name is written `::`
//! and a `:` inside a flag `\:`. [`DependencySet::thaw`] reads it back.
//! Frozen data may hold a dependency the text form could not (a `soname:`
//! without flags, from an old repository): thaw accepts it, and its text
//! form then does not parse back with `FromStr`, only with
//! [`DependencySet::parse_stored`], which the canonical encoding of troves
//! and file streams uses.
//!
//! # Satisfaction
//!
//! A provide satisfies a requirement of the same class and name when the
//! provide's flags include every required flag:
//! `soname: ELF64/libc.so.6(GLIBC_2.2.5 GLIBC_2.34 SysV x86_64)` satisfies
//! `soname: ELF64/libc.so.6(GLIBC_2.34 SysV x86_64)`. `deb:` dependencies
//! compare versions instead (below).
//!
//! # Debian dependencies (`deb:`, ours)
//!
//! Packages imported from `.deb` files keep their Debian relationships as
//! `deb:` dependencies. The name is the Debian package name, optionally
//! with an architecture qualifier (`python3:any`); each flag is a version
//! constraint written without spaces, a relation followed by a version
//! ([`DebConstraint`]): `deb: libc6(>=2.34)`, `deb: foo(>=1.0 <<2.0)`.
//! Only relation flags are allowed, so the text stays one token per flag
//! and the frozen form needs nothing new (`:` in an epoch is escaped as in
//! any flag). The class id is 100, outside the original's range.
//!
//! - A package provides itself with its exact version: `deb: libc6(=2.36-9)`.
//!   A virtual package (`Provides: mail-transport-agent`) is provided
//!   without flags, or with `=VERSION` for a versioned provide.
//! - A requirement holds all its constraints at once (Debian's
//!   `foo (>= 1.0), foo (<< 2.0)` is `deb: foo(>=1.0 <<2.0)`). Each must be
//!   met by one of the provide's `=VERSION` flags, compared as dpkg does
//!   ([`DebVersion::cmp_dpkg`]). An unversioned provide satisfies only an
//!   unversioned requirement, as in Debian.
//! - Alternatives (`a | b`) are not a dependency: the importer chooses how
//!   to record them.
//!
//! ```rust
//! use conary_core::deps::DependencySet;
//!
//! let provides: DependencySet = "deb: libc6(=2.36-9) file: /bin/sh".parse()?;
//! let requires: DependencySet = "deb: libc6(>=2.34)\nfile: /bin/sh".parse()?;
//! assert!(provides.satisfies(&requires));
//! assert_eq!(requires.to_string(), "file: /bin/sh\ndeb: libc6(>=2.34)");
//! # Ok::<(), conary_core::deps::DepError>(())
//! ```

mod class;
mod debver;
mod dependency;
mod frozen;
mod set;

pub use class::{DepClass, FlagRule, UnknownClass};
pub use debver::{DebConstraint, DebRelation, DebVersion};
pub use dependency::Dependency;
pub use set::DependencySet;

/// Why a text is not a valid dependency, dependency set or Debian version.
///
/// ```rust
/// use conary_core::deps::Dependency;
///
/// let error = "file: bin/sh".parse::<Dependency>().expect_err("relative path");
/// assert_eq!(error.to_string(), "invalid file dependency 'file: bin/sh': not an absolute path");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DepError {
    /// The class tag before `:` names no dependency class.
    #[error("invalid dependency '{text}': unknown dependency class '{class}'")]
    UnknownClass {
        /// The dependency text at fault.
        text: String,
        /// The class tag.
        class: String,
    },
    /// The class tag names a flavor class (`is`, `use`, `target`, `oldsoname`).
    #[error("invalid dependency '{text}': '{class}:' is a flavor class, not a dependency class")]
    FlavorClass {
        /// The dependency text at fault.
        text: String,
        /// The class tag.
        class: String,
    },
    /// `unknown-ID` was written for the id of a class that has a name.
    #[error("invalid dependency '{text}': class '{tag}' is known, write '{class}:'")]
    KnownClassAsUnknown {
        /// The dependency text at fault.
        text: String,
        /// The `unknown-ID` tag as written.
        tag: String,
        /// The known class with that id.
        class: DepClass,
    },
    /// The text does not have the shape `class: name(flags)`.
    #[error("invalid dependency '{text}': {reason}")]
    Syntax {
        /// The dependency text at fault.
        text: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// The name is not valid for the class.
    #[error("invalid {class} dependency '{text}': {reason}")]
    InvalidName {
        /// The class of the dependency.
        class: DepClass,
        /// The dependency text at fault.
        text: String,
        /// What is wrong with the name.
        reason: String,
    },
    /// A flag is not valid for the class.
    #[error("invalid {class} dependency '{text}': invalid flag '{flag}': {reason}")]
    InvalidFlag {
        /// The class of the dependency.
        class: DepClass,
        /// The dependency text at fault.
        text: String,
        /// The flag at fault.
        flag: String,
        /// What is wrong with the flag.
        reason: String,
    },
    /// The class takes no flags, yet flags (or `()`) were given.
    #[error("invalid {class} dependency '{text}': flags not allowed")]
    FlagsNotAllowed {
        /// The class of the dependency.
        class: DepClass,
        /// The dependency text at fault.
        text: String,
    },
    /// The class needs flags, yet none were given.
    #[error("invalid {class} dependency '{text}': flags required")]
    FlagsRequired {
        /// The class of the dependency.
        class: DepClass,
        /// The dependency text at fault.
        text: String,
    },
    /// A single dependency was expected.
    #[error("invalid dependency '{text}': expected one dependency, found {count}")]
    NotOneDependency {
        /// The text at fault.
        text: String,
        /// How many dependencies it holds.
        count: usize,
    },
    /// A frozen dependency set is malformed.
    #[error("invalid frozen dependency '{text}': {reason}")]
    InvalidFrozen {
        /// The frozen dependency at fault.
        text: String,
        /// What is wrong.
        reason: String,
    },
    /// A Debian version is malformed.
    #[error("invalid Debian version '{text}': {reason}")]
    InvalidDebVersion {
        /// The version text at fault.
        text: String,
        /// What is wrong.
        reason: String,
    },
    /// A Debian version constraint (`>=2.34`) is malformed.
    #[error("invalid Debian version constraint '{text}': {reason}")]
    InvalidDebConstraint {
        /// The constraint text at fault.
        text: String,
        /// What is wrong.
        reason: String,
    },
}
