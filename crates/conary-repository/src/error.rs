//! The one error type of this crate.

use std::io;
use std::path::PathBuf;

use conary_store::StoreError;
use conary_util::UtilError;

/// Everything that can go wrong with a repository.
///
/// Messages are lowercase and name the path, name or text at fault; wrapped
/// errors are reachable through [`std::error::Error::source`]. The server
/// maps [`MissingCredentials`](RepositoryError::MissingCredentials) and
/// [`BadCredentials`](RepositoryError::BadCredentials) to `401`.
///
/// ```rust
/// use conary_repository::RepositoryError;
/// let dir = tempfile::tempdir()?;
/// let error = conary_repository::Repository::open(dir.path()).expect_err("empty directory");
/// assert!(matches!(error, RepositoryError::NotARepository { .. }));
/// assert_eq!(error.to_string(), format!("'{}' is not a repository: it has no config file", dir.path().display()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RepositoryError {
    /// A directory given to [`crate::Repository::open`] holds no repository.
    #[error("'{}' is not a repository: {reason}", path.display())]
    NotARepository {
        /// The directory.
        path: PathBuf,
        /// What is missing.
        reason: &'static str,
    },

    /// [`crate::Repository::init`] found a repository (or parts of one)
    /// where it was asked to create one.
    #[error("'{}' already exists: refusing to overwrite a repository", path.display())]
    AlreadyExists {
        /// The file found.
        path: PathBuf,
    },

    /// The database was written by a newer version of this program.
    #[error(
        "database '{}' has schema version {found}, newer than the {known} this program knows: upgrade conary-repos",
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

    /// A query or statement failed.
    #[error("database error while {action}")]
    Database {
        /// What was being done.
        action: &'static str,
        /// The error SQLite reported.
        #[source]
        source: rusqlite::Error,
    },

    /// The database holds something this program cannot make sense of.
    #[error("corrupt repository database: {reason}")]
    Corrupt {
        /// What is wrong.
        reason: String,
    },

    /// An operating-system call on a path of the repository failed.
    #[error("cannot {action} '{}'", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file or directory involved.
        path: PathBuf,
        /// The error the operating system reported.
        #[source]
        source: io::Error,
    },

    /// A line of the repository's config file is wrong.
    #[error("{}:{line}: {reason}", path.display())]
    InvalidConfig {
        /// The config file.
        path: PathBuf,
        /// The line number, from 1.
        line: usize,
        /// What is wrong.
        reason: String,
    },

    /// The config file names the server differently from the database.
    #[error("config names the server '{config}' but the database was created for '{database}'")]
    NameMismatch {
        /// The name in the config file.
        config: String,
        /// The name recorded in the database.
        database: String,
    },

    /// A server, user, role or entitlement class name that cannot be used.
    #[error("invalid {kind} name '{name}': {reason}")]
    InvalidName {
        /// What kind of name (`server`, `user`, `role`, `entitlement class`).
        kind: &'static str,
        /// The name as given.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// A label or trove-name pattern that cannot be used.
    #[error("invalid {kind} pattern '{pattern}': {reason}")]
    InvalidPattern {
        /// `label` or `trove`.
        kind: &'static str,
        /// The pattern as given.
        pattern: String,
        /// What is wrong with it.
        reason: String,
    },

    /// Text that should name an action (`read`, `write`, `admin`).
    #[error("invalid action '{text}': expected read, write or admin")]
    InvalidAction {
        /// The text as given.
        text: String,
    },

    /// Text that should be an entitlement key is not one.
    #[error("invalid entitlement key: expected 64 lowercase hex digits")]
    InvalidKey,

    /// A user, role or class that is already there.
    #[error("{kind} '{name}' already exists")]
    Duplicate {
        /// What kind of thing.
        kind: &'static str,
        /// Its name.
        name: String,
    },

    /// A user, role or class that does not exist.
    #[error("{kind} '{name}' does not exist")]
    NotFound {
        /// What kind of thing.
        kind: &'static str,
        /// Its name.
        name: String,
    },

    /// A password that cannot be set.
    #[error("invalid password for user '{user}': {reason}")]
    InvalidPassword {
        /// The user.
        user: String,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// Hashing a password failed, or a stored hash cannot be read.
    #[error("password hashing failed: {reason}")]
    PasswordHash {
        /// What the hashing library reported.
        reason: String,
    },

    /// The system's random number generator failed.
    #[error("cannot generate a random key: {reason}")]
    Random {
        /// What the generator reported.
        reason: String,
    },

    /// A request without credentials, and anonymous access is off.
    #[error("credentials required: anonymous access is off")]
    MissingCredentials,

    /// Unknown user, wrong password or unknown entitlement key (which of
    /// them is deliberately not said).
    #[error("bad credentials")]
    BadCredentials,

    /// The caller may not do this to this trove (HTTP 403). Nothing was
    /// changed.
    #[error("{subject} may not {action} {trove}")]
    Denied {
        /// Who asked (`user alice`, `anonymous`, …).
        subject: String,
        /// What was refused (`commit`, `mark removed`, …).
        action: &'static str,
        /// The trove, `name=version[flavor]`, or the label.
        trove: String,
    },

    /// A trove that is not in the repository, or that the caller may not
    /// read (which of them is deliberately not said).
    #[error("trove {trove} is not in the repository")]
    TroveNotFound {
        /// The trove, `name=version[flavor]`.
        trove: String,
    },

    /// Contents that are not in the repository, or that no trove the
    /// caller may read holds.
    #[error("contents {digest} are not in the repository")]
    ContentsNotFound {
        /// The digest, in hex.
        digest: String,
    },

    /// A commit brings a trove that is already stored under the same name,
    /// version and flavor, with a different manifest. Versions are never
    /// rewritten.
    #[error("trove {trove} is already in the repository with different contents")]
    Conflict {
        /// The trove, `name=version[flavor]`.
        trove: String,
    },

    /// A commit or request this repository refuses as malformed or
    /// incomplete (HTTP 400): what is wrong, naming the trove, file or
    /// version at fault.
    #[error("invalid commit: {reason}")]
    InvalidCommit {
        /// What is wrong.
        reason: String,
    },

    /// A request that cannot be answered as asked (HTTP 400).
    #[error("invalid request: {reason}")]
    InvalidRequest {
        /// What is wrong.
        reason: String,
    },

    /// A changeset could not be read or written.
    #[error("changeset error: {reason}")]
    Changeset {
        /// What the changeset code reported.
        reason: String,
        /// Whether the changeset came from the caller (a bad upload) rather
        /// than from the repository.
        from_caller: bool,
    },

    /// The blob store failed.
    #[error(transparent)]
    Store(#[from] StoreError),

    /// A file-system helper failed (atomic writes, directories).
    #[error(transparent)]
    Util(#[from] UtilError),
}

impl RepositoryError {
    /// A [`RepositoryError::Io`] for `action` on `path`.
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }

    /// A closure wrapping a SQLite error with what was being done.
    pub(crate) fn database(action: &'static str) -> impl FnOnce(rusqlite::Error) -> Self {
        move |source| Self::Database { action, source }
    }

    /// Whether this error is about the caller's credentials (HTTP 401)
    /// rather than the repository.
    pub fn is_authentication(&self) -> bool {
        matches!(self, Self::MissingCredentials | Self::BadCredentials)
    }

    /// Whether the caller is known but not allowed (HTTP 403).
    pub fn is_denied(&self) -> bool {
        matches!(self, Self::Denied { .. })
    }

    /// Whether what was asked for does not exist, or is hidden from the
    /// caller (HTTP 404).
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            Self::TroveNotFound { .. } | Self::ContentsNotFound { .. }
        ) || matches!(self, Self::Store(StoreError::NotFound { .. }))
    }

    /// Whether the request conflicts with what is stored (HTTP 409).
    pub fn is_conflict(&self) -> bool {
        matches!(self, Self::Conflict { .. })
    }

    /// Whether the request itself is at fault (HTTP 400): a malformed or
    /// incomplete commit, or a question that cannot be answered.
    pub fn is_invalid_request(&self) -> bool {
        matches!(
            self,
            Self::InvalidCommit { .. }
                | Self::InvalidRequest { .. }
                | Self::Changeset {
                    from_caller: true,
                    ..
                }
        )
    }

    /// A [`RepositoryError::InvalidCommit`].
    pub(crate) fn invalid_commit(reason: impl Into<String>) -> Self {
        Self::InvalidCommit {
            reason: reason.into(),
        }
    }

    /// A [`RepositoryError::InvalidRequest`].
    pub(crate) fn invalid_request(reason: impl Into<String>) -> Self {
        Self::InvalidRequest {
            reason: reason.into(),
        }
    }

    /// A [`RepositoryError::Corrupt`].
    pub(crate) fn corrupt(reason: impl Into<String>) -> Self {
        Self::Corrupt {
            reason: reason.into(),
        }
    }
}

/// `error` and its sources on one line (`a: b: c`).
pub(crate) fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
