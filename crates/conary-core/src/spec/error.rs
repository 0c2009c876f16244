//! The error type of the spec module.

use std::fmt;

use crate::flavor::FlavorError;
use crate::name::NameError;
use crate::version::VersionError;

/// Which kind of spec an error is about, as its message names it.
///
/// ```rust
/// use conary_core::spec::SpecKind;
/// assert_eq!(SpecKind::Change.to_string(), "change spec");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SpecKind {
    /// A trove spec, `NAME[=VERSION][[FLAVOR]]`.
    Trove,
    /// A change spec, `[+|-]NAME…` or `NAME=OLD--NEW`.
    Change,
}

impl fmt::Display for SpecKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SpecKind::Trove => "trove spec",
            SpecKind::Change => "change spec",
        })
    }
}

/// Why a text is not a valid trove spec or change spec.
///
/// Every message names the whole spec as the user typed it.
///
/// ```rust
/// use conary_core::spec::{SpecError, TroveSpec};
///
/// let error = "foo=[ssl".parse::<TroveSpec>().expect_err("no closing bracket");
/// assert!(matches!(error, SpecError::MissingBracket { .. }));
/// assert_eq!(error.to_string(), "invalid trove spec 'foo=[ssl': missing ']'");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    /// The spec is empty or only whitespace.
    #[error("invalid {kind} '{spec}': empty spec")]
    Empty {
        /// Trove spec or change spec.
        kind: SpecKind,
        /// The spec at fault.
        spec: String,
    },
    /// Nothing comes before `=`, `[` or `--`.
    #[error("invalid {kind} '{spec}': missing trove name")]
    MissingName {
        /// Trove spec or change spec.
        kind: SpecKind,
        /// The spec at fault.
        spec: String,
    },
    /// The trove name is not valid.
    #[error("invalid {kind} '{spec}': {source}")]
    Name {
        /// Trove spec or change spec.
        kind: SpecKind,
        /// The spec at fault.
        spec: String,
        /// What is wrong with the name.
        source: NameError,
    },
    /// Nothing comes after `=`.
    #[error("invalid {kind} '{spec}': empty version after '='")]
    EmptyVersion {
        /// Trove spec or change spec.
        kind: SpecKind,
        /// The spec at fault.
        spec: String,
    },
    /// More than one `=` in one trove spec.
    #[error("invalid {kind} '{spec}': more than one '='")]
    TooManyEquals {
        /// Trove spec or change spec.
        kind: SpecKind,
        /// The spec at fault.
        spec: String,
    },
    /// The version is not a valid version spec.
    #[error("invalid {kind} '{spec}': {source}")]
    Version {
        /// Trove spec or change spec.
        kind: SpecKind,
        /// The spec at fault.
        spec: String,
        /// What is wrong with the version.
        source: VersionError,
    },
    /// A `[` is never closed.
    #[error("invalid {kind} '{spec}': missing ']'")]
    MissingBracket {
        /// Trove spec or change spec.
        kind: SpecKind,
        /// The spec at fault.
        spec: String,
    },
    /// A `]` without a `[` before it, or a second `[`.
    #[error("invalid {kind} '{spec}': unexpected '{bracket}'")]
    StrayBracket {
        /// Trove spec or change spec.
        kind: SpecKind,
        /// The spec at fault.
        spec: String,
        /// The bracket out of place.
        bracket: char,
    },
    /// Text after the flavor, which must come last.
    #[error("invalid {kind} '{spec}': unexpected '{text}' after the flavor")]
    TextAfterFlavor {
        /// Trove spec or change spec.
        kind: SpecKind,
        /// The spec at fault.
        spec: String,
        /// The text after `]`.
        text: String,
    },
    /// The text in brackets is not a valid flavor.
    #[error("invalid {kind} '{spec}': {source}")]
    Flavor {
        /// Trove spec or change spec.
        kind: SpecKind,
        /// The spec at fault.
        spec: String,
        /// What is wrong with the flavor.
        source: FlavorError,
    },
    /// A `--` in a trove spec: it only separates the sides of a transition.
    #[error("invalid trove spec '{spec}': '--' belongs in change specs only (NAME=OLD--NEW)")]
    UnexpectedTransition {
        /// The spec at fault.
        spec: String,
    },
    /// A change spec with more than one `--`.
    #[error("invalid change spec '{spec}': more than one '--'")]
    TooManyTransitions {
        /// The spec at fault.
        spec: String,
    },
    /// A transition marked with `+` or `-`, which only mark installs and erases.
    #[error("invalid change spec '{spec}': '+' and '-' cannot mark a transition")]
    MarkedTransition {
        /// The spec at fault.
        spec: String,
    },
    /// A transition with neither a version nor a flavor on either side (`foo--`).
    #[error("invalid change spec '{spec}': nothing on either side of '--'")]
    EmptyTransition {
        /// The spec at fault.
        spec: String,
    },
    /// A transition was expected, but the change spec has no `--`.
    #[error("invalid change spec '{spec}': not a transition (NAME=OLD--NEW)")]
    NotATransition {
        /// The spec at fault.
        spec: String,
    },
}
