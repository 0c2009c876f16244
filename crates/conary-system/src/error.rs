//! The one error type of the system side: database, transactions, rollbacks.

use std::io;
use std::path::{Path, PathBuf};

use conary_api::SourceError;
use conary_changeset::ChangeSetError;
use conary_core::digest::Digest;
use conary_util::UtilError;

/// Everything that can go wrong with the local database, applying a
/// changeset to a root, or rolling back.
///
/// Messages are one lowercase line naming the trove, path or file at fault;
/// [`SystemError::hint`] gives the command-line option that would get past a
/// refusal, for the CLI to print.
///
/// ```rust
/// use conary_system::SystemError;
/// let error = SystemError::FileConflict {
///     path: "/usr/bin/foo".into(),
///     reason: "it is owned by bar:runtime=/a@b:c/1-1-1[]".into(),
///     hint: Some("--replace-managed-files"),
/// };
/// assert_eq!(error.to_string(), "file conflict at '/usr/bin/foo': it is owned by bar:runtime=/a@b:c/1-1-1[]");
/// assert_eq!(error.hint(), Some("--replace-managed-files"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SystemError {
    /// A file-system helper (lock, path safety, atomic write) failed.
    #[error(transparent)]
    Util(#[from] UtilError),

    /// The system model could not be read, evaluated or written.
    #[error(transparent)]
    Model(#[from] crate::model::ModelError),

    /// Reading or writing a file failed.
    #[error("cannot {action} '{}': {source}", path.display())]
    Io {
        /// What was being done, e.g. `write`.
        action: &'static str,
        /// The file at fault.
        path: PathBuf,
        /// The error the system reported.
        #[source]
        source: io::Error,
    },

    /// A statement of the local database failed.
    #[error("local database error while {action}: {source}")]
    Database {
        /// What was being done.
        action: &'static str,
        /// The error SQLite reported.
        #[source]
        source: rusqlite::Error,
    },

    /// The local database holds something this program cannot read.
    #[error("local database is corrupt: {reason}")]
    Corrupt {
        /// What is wrong.
        reason: String,
    },

    /// The database was written by a newer version of this program.
    #[error(
        "local database '{}' has schema version {found}, newer than the {known} this program knows: upgrade conary",
        path.display()
    )]
    SchemaTooNew {
        /// The database file.
        path: PathBuf,
        /// The version recorded in the database.
        found: i64,
        /// The newest version this program can use.
        known: i64,
    },

    /// A read-only open found no database under the root.
    #[error("no conary database at '{}'", path.display())]
    NoDatabase {
        /// Where the database was looked for.
        path: PathBuf,
    },

    /// The changeset could not be read or is not valid.
    #[error(transparent)]
    Changeset(#[from] ChangeSetError),

    /// The trove source (repository) could not give what was needed.
    #[error("cannot fetch {what}: {source}")]
    Source {
        /// What was asked for.
        what: String,
        /// The error the source reported.
        #[source]
        source: SourceError,
    },

    /// The changeset does not fit what is installed.
    #[error("cannot apply the changeset: {reason}")]
    Job {
        /// What does not fit, naming the trove.
        reason: String,
    },

    /// A pinned trove would be replaced or erased.
    #[error("trove {trove} is pinned: unpin it first")]
    Pinned {
        /// The trove, as `name=version[flavor]`.
        trove: String,
    },

    /// A file of the changeset collides with a file on the machine.
    #[error("file conflict at '{path}': {reason}")]
    FileConflict {
        /// The path, as installed (`/usr/bin/foo`).
        path: String,
        /// Who owns the file there, or what is there.
        reason: String,
        /// The option that replaces it anyway, if one does.
        hint: Option<&'static str>,
    },

    /// A path of the changeset would be written outside the root, or
    /// through something that is not a directory.
    #[error("unsafe path '{path}': {reason}")]
    UnsafePath {
        /// The path, as installed.
        path: String,
        /// What is wrong.
        reason: String,
    },

    /// Contents the changeset refers to are not on the machine and no
    /// trove source could give them.
    #[error("contents {digest} of '{path}' are not available: {reason}")]
    ContentsUnavailable {
        /// The digest of the contents.
        digest: Digest,
        /// A path that needs them.
        path: String,
        /// Why they could not be had.
        reason: String,
    },

    /// A binary delta cannot be applied: the installed file it is made
    /// against was changed on disk.
    #[error(
        "cannot update '{path}': the changeset carries a delta against contents {base}, and the file on disk differs"
    )]
    DeltaBase {
        /// The installed file.
        path: String,
        /// The contents the delta needs.
        base: Digest,
    },

    /// A locally changed file cannot be merged with its update.
    #[error("cannot merge '{path}': {reason}")]
    MergeConflict {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
        /// The option that takes the new contents anyway.
        hint: &'static str,
    },

    /// The rollback asked for does not exist.
    #[error("no rollback {what}: {reason}")]
    NoRollback {
        /// The rollback asked for (`3`, `r.7`).
        what: String,
        /// Why it cannot be done.
        reason: String,
    },

    /// A textual argument could not be parsed.
    #[error("invalid {what} '{text}': {reason}")]
    Parse {
        /// What was being parsed.
        what: &'static str,
        /// The text at fault.
        text: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl SystemError {
    /// An I/O error on `path`.
    pub(crate) fn io(action: &'static str, path: impl AsRef<Path>, source: io::Error) -> Self {
        SystemError::Io {
            action,
            path: path.as_ref().to_path_buf(),
            source,
        }
    }

    /// A closure turning an I/O error on `path` into this error.
    pub(crate) fn io_with(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> Self {
        let path = path.to_path_buf();
        move |source| SystemError::Io {
            action,
            path,
            source,
        }
    }

    /// A closure turning a database error into this error.
    pub(crate) fn db(action: &'static str) -> impl FnOnce(rusqlite::Error) -> Self {
        move |source| SystemError::Database { action, source }
    }

    /// A corrupt-database error.
    pub(crate) fn corrupt(reason: impl Into<String>) -> Self {
        SystemError::Corrupt {
            reason: reason.into(),
        }
    }

    /// A changeset that does not fit the machine.
    pub(crate) fn job(reason: impl Into<String>) -> Self {
        SystemError::Job {
            reason: reason.into(),
        }
    }

    /// The command-line option that would get past this refusal, if any.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            SystemError::FileConflict { hint, .. } => *hint,
            SystemError::MergeConflict { hint, .. } => Some(hint),
            _ => None,
        }
    }
}
