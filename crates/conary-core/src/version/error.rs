//! The error type of the version module.

/// Everything that can go wrong while parsing or computing labels, revisions,
/// branches and versions.
///
/// Every message names the text at fault and says what is wrong with it.
///
/// ```rust
/// use conary_core::version::{Label, VersionError};
/// let error = "foo@bar".parse::<Label>().expect_err("no tag");
/// assert!(matches!(error, VersionError::InvalidLabel { .. }));
/// assert_eq!(error.to_string(), "invalid label 'foo@bar': missing ':' after namespace");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, thiserror::Error)]
pub enum VersionError {
    /// A label (`host@namespace:tag`) is malformed.
    #[error("invalid label '{text}': {reason}")]
    InvalidLabel {
        /// The text that was parsed.
        text: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A source or build count (`1`, `3.1`) is malformed.
    #[error("invalid serial number '{text}': {reason}")]
    InvalidSerialNumber {
        /// The text that was parsed.
        text: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A revision (`upstream-source[-build]`) is malformed.
    #[error("invalid revision '{text}': {reason}")]
    InvalidRevision {
        /// The text that was parsed.
        text: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A commit timestamp (`SECONDS.mmm`) is malformed.
    #[error("invalid timestamp '{text}': {reason}")]
    InvalidTimestamp {
        /// The text that was parsed.
        text: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A branch or version string is malformed as a whole.
    #[error("invalid version '{text}': {reason}")]
    InvalidVersion {
        /// The whole version or branch string.
        text: String,
        /// What is wrong with it.
        reason: String,
    },
    /// One element (a label or a revision) of a branch or version string is
    /// malformed.
    #[error("invalid version '{text}': {cause}")]
    InvalidVersionPart {
        /// The whole version or branch string.
        text: String,
        /// The error of the element at fault.
        cause: Box<VersionError>,
    },
    /// A version spec typed by a user (`:devel`, `2.2.3-4`, `label/1.0`) is
    /// malformed.
    #[error("invalid version spec '{text}': {reason}")]
    InvalidSpec {
        /// The whole spec.
        text: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A revision has more dotted parts in its counts than the shadow depth
    /// of the branch it is put on allows.
    #[error(
        "revision '{revision}' has too many shadow serial numbers for branch '{branch}' \
         (shadow depth {depth})"
    )]
    TooManyShadowCounts {
        /// The revision.
        revision: String,
        /// The branch.
        branch: String,
        /// The shadow depth of the branch.
        depth: usize,
    },
    /// A source revision (no build count) cannot follow a binary branch
    /// point: the text form could not be read back.
    #[error("source revision '{revision}' cannot follow the binary revision of branch '{branch}'")]
    SourceAfterBinary {
        /// The source revision.
        revision: String,
        /// The branch whose last branch point has a build count.
        branch: String,
    },
    /// A shadow or branch was asked onto the label it already is on.
    #[error("cannot shadow or branch '{version}' onto its own label '{label}'")]
    SameLabel {
        /// The version or branch.
        version: String,
        /// The label.
        label: String,
    },
    /// A shadow was asked onto a label that is already in the branch path.
    #[error("shadowing '{branch}' onto '{label}' would make a circular shadow")]
    CircularShadow {
        /// The branch.
        branch: String,
        /// The label already present in it.
        label: String,
    },
    /// Incrementing a source or build count would overflow.
    #[error("serial number '{count}' cannot be incremented: it would overflow")]
    CountOverflow {
        /// The count.
        count: String,
    },
    /// The number of timestamps given does not match the number of
    /// revisions in a version.
    #[error("version '{version}' has {expected} revisions but {found} timestamps were given")]
    TimestampCount {
        /// The version.
        version: String,
        /// Its number of revisions.
        expected: usize,
        /// The number of timestamps given.
        found: usize,
    },
    /// A partial version spec needs an install label path and none was given.
    #[error("version spec '{spec}' needs an install label path and none was given")]
    LabelPathNeeded {
        /// The spec.
        spec: String,
    },
    /// The next version computed already exists.
    #[error("version '{version}' already exists")]
    VersionExists {
        /// The version.
        version: String,
    },
}

impl VersionError {
    pub(crate) fn label(text: &str, reason: impl Into<String>) -> Self {
        Self::InvalidLabel {
            text: text.to_owned(),
            reason: reason.into(),
        }
    }

    pub(crate) fn serial(text: &str, reason: impl Into<String>) -> Self {
        Self::InvalidSerialNumber {
            text: text.to_owned(),
            reason: reason.into(),
        }
    }

    pub(crate) fn revision(text: &str, reason: impl Into<String>) -> Self {
        Self::InvalidRevision {
            text: text.to_owned(),
            reason: reason.into(),
        }
    }

    pub(crate) fn timestamp(text: &str, reason: impl Into<String>) -> Self {
        Self::InvalidTimestamp {
            text: text.to_owned(),
            reason: reason.into(),
        }
    }

    pub(crate) fn version(text: &str, reason: impl Into<String>) -> Self {
        Self::InvalidVersion {
            text: text.to_owned(),
            reason: reason.into(),
        }
    }

    pub(crate) fn spec(text: &str, reason: impl Into<String>) -> Self {
        Self::InvalidSpec {
            text: text.to_owned(),
            reason: reason.into(),
        }
    }

    pub(crate) fn in_version(text: &str, cause: VersionError) -> Self {
        Self::InvalidVersionPart {
            text: text.to_owned(),
            cause: Box::new(cause),
        }
    }
}
