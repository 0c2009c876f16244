// STUB: replaced by the real module at merge
//! Trove names and kinds.
//!
//! This is a minimal stand-in that keeps the text it was given.

use std::fmt;
use std::str::FromStr;

/// An error from parsing a trove name (stub).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// The text was empty.
    #[error("invalid trove name '': empty")]
    Empty,
}

/// A trove name such as `foo:runtime` (stub: keeps its text).
///
/// ```rust
/// let name: conary_core::name::TroveName = "foo:runtime".parse().expect("name");
/// assert_eq!(name.to_string(), "foo:runtime");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TroveName(String);

impl FromStr for TroveName {
    type Err = NameError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.is_empty() {
            return Err(NameError::Empty);
        }
        Ok(TroveName(text.to_owned()))
    }
}

impl fmt::Display for TroveName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
