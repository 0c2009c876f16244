//! The one error type of this crate.

use std::io;

use conary_core::digest::Digest;
use conary_core::encoding::DecodeError;

/// Everything that can go wrong while building, writing or reading a
/// changeset.
///
/// Messages are one lowercase line naming the trove, path or digest at
/// fault. Errors met inside a [`std::io::Read`] (a payload being read) travel
/// as an [`io::Error`] wrapping this type; [`ChangeSetError::from_io`] gets
/// them back.
///
/// ```rust
/// use conary_changeset::ChangeSetError;
/// let error = ChangeSetError::DuplicatePath { trove: "foo:runtime=/a@b:c/1-1-1[]".into(), path: "/etc/foo".into() };
/// assert_eq!(error.to_string(), "duplicate path '/etc/foo' in trove foo:runtime=/a@b:c/1-1-1[]");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChangeSetError {
    /// Reading or writing the underlying stream (or a content source) failed.
    #[error("cannot {action}: {source}")]
    Io {
        /// What was being done, e.g. `read the changeset`.
        action: String,
        /// The error the stream reported.
        #[source]
        source: io::Error,
    },
    /// The changeset ends before something it announced.
    #[error("truncated changeset: {what}")]
    Truncated {
        /// What was cut short.
        what: String,
    },
    /// The index is not a valid canonical encoding.
    #[error("invalid changeset index: {0}")]
    Index(#[from] DecodeError),
    /// A count or size exceeds a configured limit.
    #[error("changeset has {found} {what}, over the limit of {limit}")]
    Limit {
        /// What was counted (`troves`, `bytes of index`, …).
        what: String,
        /// The count or size found.
        found: u64,
        /// The largest accepted.
        limit: u64,
    },
    /// A path of a trove could escape the root it is installed under.
    #[error("unsafe path '{path}' in trove {trove}: {reason}")]
    UnsafePath {
        /// The trove, as `name=version[flavor]`.
        trove: String,
        /// The path, with control characters escaped.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Two files of one trove have the same path.
    #[error("duplicate path '{path}' in trove {trove}")]
    DuplicatePath {
        /// The trove, as `name=version[flavor]`.
        trove: String,
        /// The repeated path.
        path: String,
    },
    /// A file of an absolute trove change has no file stream.
    #[error("missing file stream {file_id} for '{path}' in trove {trove}")]
    MissingStream {
        /// The trove, as `name=version[flavor]`.
        trove: String,
        /// The file's path.
        path: String,
        /// The fileId whose stream is absent.
        file_id: String,
    },
    /// A regular file's contents have no entry in the content index.
    #[error("missing contents {digest} for '{path}' in trove {trove}")]
    MissingContents {
        /// The trove, as `name=version[flavor]`.
        trove: String,
        /// The file's path.
        path: String,
        /// The digest of the absent contents.
        digest: Digest,
    },
    /// The index contradicts itself (duplicates, orphans, bad references).
    #[error("inconsistent changeset: {reason}")]
    Inconsistent {
        /// What is wrong.
        reason: String,
    },
    /// Bytes do not hash to the digest they are announced under.
    #[error("{what} {expected} do not match their digest: found {found}")]
    DigestMismatch {
        /// What was checked (`contents`, `base contents`, `text diff`).
        what: &'static str,
        /// The digest announced.
        expected: Digest,
        /// The digest of the bytes found.
        found: Digest,
    },
    /// Bytes are not as long as announced.
    #[error("{what} {digest} are {found} bytes, but {expected} were announced")]
    SizeMismatch {
        /// What was checked (`contents`, `base contents`, `text diff`).
        what: &'static str,
        /// The digest announced.
        digest: Digest,
        /// The size announced.
        expected: u64,
        /// The size found (at least; reading stops early when over).
        found: u64,
    },
    /// Contents needed to write or read the changeset are not available.
    #[error("{what} {digest} are not available")]
    Unavailable {
        /// What is needed (`contents`, `base contents of a delta`).
        what: &'static str,
        /// Their digest.
        digest: Digest,
    },
    /// A payload's framing or compressed data is damaged.
    #[error("corrupt {what}: {reason}")]
    Corrupt {
        /// The payload, e.g. `contents 1f…`.
        what: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A textual form (a content kind, a text diff key) does not parse.
    #[error("invalid {what} '{text}': {reason}")]
    Parse {
        /// What was being parsed.
        what: &'static str,
        /// The text at fault.
        text: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A text diff does not apply to the text given.
    #[error("text diff does not apply: {reason}")]
    DiffConflict {
        /// What `diffy` reported.
        reason: String,
    },
    /// Bytes follow the last payload.
    #[error("trailing bytes after the last payload of the changeset, at byte {offset}")]
    TrailingBytes {
        /// Where the extra bytes start.
        offset: u64,
    },
    /// A writer or reader was finished before every payload went through it.
    #[error("{remaining} payloads of the changeset were not {action}")]
    Unfinished {
        /// How many payloads are left.
        remaining: usize,
        /// `written` or `read`.
        action: &'static str,
    },
}

impl ChangeSetError {
    /// An [`ChangeSetError::Io`] for `action`.
    pub(crate) fn io(action: impl Into<String>, source: io::Error) -> ChangeSetError {
        ChangeSetError::Io {
            action: action.into(),
            source,
        }
    }

    /// An [`ChangeSetError::Inconsistent`] with `reason`.
    pub(crate) fn inconsistent(reason: impl Into<String>) -> ChangeSetError {
        ChangeSetError::Inconsistent {
            reason: reason.into(),
        }
    }

    /// Recovers the error carried by an [`io::Error`] that a payload reader
    /// returned, or wraps a plain I/O error as [`ChangeSetError::Io`] for
    /// `action`.
    ///
    /// ```rust
    /// use conary_changeset::ChangeSetError;
    /// let inner = ChangeSetError::TrailingBytes { offset: 7 };
    /// let io: std::io::Error = inner.into();
    /// let back = ChangeSetError::from_io(io, "copy contents");
    /// assert!(matches!(back, ChangeSetError::TrailingBytes { offset: 7 }));
    /// ```
    pub fn from_io(error: io::Error, action: &str) -> ChangeSetError {
        match error.downcast::<ChangeSetError>() {
            Ok(inner) => inner,
            Err(error) => ChangeSetError::io(action, error),
        }
    }
}

impl From<ChangeSetError> for io::Error {
    fn from(error: ChangeSetError) -> io::Error {
        match error {
            ChangeSetError::Io { source, .. } => source,
            other => io::Error::new(io::ErrorKind::InvalidData, other),
        }
    }
}
