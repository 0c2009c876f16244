// STUB: replaced by the real module at merge
//! Flavors: instruction sets and use flags.
//!
//! This is a minimal stand-in that keeps the text it was given.

use std::fmt;
use std::str::FromStr;

/// An error from parsing a flavor (stub: never returned).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlavorError {
    /// The text could not be parsed.
    #[error("invalid flavor '{0}'")]
    Invalid(String),
}

/// A flavor such as `is: x86_64` (stub: keeps its text; empty is the empty flavor).
///
/// ```rust
/// let flavor: conary_core::flavor::Flavor = "is: x86_64".parse().expect("flavor");
/// assert_eq!(flavor.to_string(), "is: x86_64");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Flavor(String);

impl FromStr for Flavor {
    type Err = FlavorError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(Flavor(text.to_owned()))
    }
}

impl fmt::Display for Flavor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
