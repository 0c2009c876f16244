// STUB: replaced by the real module at merge
//! Versions: labels, branches, shadows and revisions.
//!
//! This is a minimal stand-in that keeps the text it was given, so that the
//! trove and file-stream code can be written against the shared contract.

use std::fmt;
use std::str::FromStr;

/// An error from parsing a version or branch (stub).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    /// The text was empty.
    #[error("invalid version '': empty")]
    Empty,
}

/// A branch such as `/conary.example.com@plat:1` (stub: keeps its text).
///
/// ```rust
/// let branch: conary_core::version::Branch = "/a.example.com@ns:1".parse().expect("branch");
/// assert_eq!(branch.to_string(), "/a.example.com@ns:1");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Branch(String);

impl FromStr for Branch {
    type Err = VersionError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.is_empty() {
            return Err(VersionError::Empty);
        }
        Ok(Branch(text.to_owned()))
    }
}

impl fmt::Display for Branch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A version such as `/conary.example.com@plat:1/2.2.3-4-2` (stub: keeps its text).
///
/// ```rust
/// let version = conary_core::version::Version::thaw("/a.example.com@ns:1/1.0:1-1-1").expect("version");
/// assert_eq!(version.freeze(), "/a.example.com@ns:1/1.0:1-1-1");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Version(String);

impl Version {
    /// The frozen form (stub: the text given).
    pub fn freeze(&self) -> String {
        self.0.clone()
    }

    /// Parses a frozen form (stub: keeps the text).
    pub fn thaw(text: &str) -> Result<Version, VersionError> {
        text.parse()
    }
}

impl FromStr for Version {
    type Err = VersionError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.is_empty() {
            return Err(VersionError::Empty);
        }
        Ok(Version(text.to_owned()))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
