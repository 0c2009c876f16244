// STUB: replaced by the real module at merge
//! Dependencies: classes, dependency sets and satisfaction.
//!
//! This is a minimal stand-in that keeps the text it was given.

use std::fmt;
use std::str::FromStr;

/// An error from parsing a dependency set (stub: never returned).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DepError {
    /// The text could not be parsed.
    #[error("invalid dependency '{0}'")]
    Invalid(String),
}

/// A dependency set such as `soname: ELF64/libc.so.6(GLIBC_2.34 SysV x86_64)`
/// (stub: keeps its text; empty is the empty set).
///
/// ```rust
/// let deps: conary_core::deps::DependencySet = "trove: foo:runtime".parse().expect("deps");
/// assert_eq!(deps.to_string(), "trove: foo:runtime");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DependencySet(String);

impl FromStr for DependencySet {
    type Err = DepError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(DependencySet(text.to_owned()))
    }
}

impl fmt::Display for DependencySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
