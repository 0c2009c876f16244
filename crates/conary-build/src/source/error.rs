//! The errors of source checkouts and source commits.

use std::path::PathBuf;

use conary_api::SourceError as RepositoryError;
use conary_changeset::ChangeSetError;
use conary_core::version::VersionError;

/// Why a checkout, commit, diff or log failed.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// A file of the checkout could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file at fault.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// The directory is not a checkout: it has no `CONARY` state file.
    #[error("{} is not a checkout (it has no CONARY file): run this in a directory made by cvc checkout or cvc newpkg", dir.display())]
    NotACheckout {
        /// The directory.
        dir: PathBuf,
    },
    /// A line of the `CONARY` state file is not valid.
    #[error("{}:{line}: {reason}", path.display())]
    State {
        /// The state file.
        path: PathBuf,
        /// The 1-based line number.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// A label names several branch instances of a trove.
    #[error("{what} names several branches: {branches}; name one whole, e.g. {example}")]
    AmbiguousLabel {
        /// The trove and label asked for.
        what: String,
        /// The branches found.
        branches: String,
        /// A spec naming one of them.
        example: String,
    },
    /// `cvc merge` cannot run in this checkout.
    #[error("cannot merge: {reason}")]
    Merge {
        /// Why.
        reason: String,
    },
    /// The recipe could not be evaluated (the message names its line).
    #[error("{0}")]
    Evaluation(#[from] crate::recipe::RecipeError),
    /// The recipe's top-level metadata could not be read.
    #[error("{file}: {reason}")]
    Recipe {
        /// The recipe file.
        file: String,
        /// What is wrong.
        reason: String,
    },
    /// The recipe names another package than the checkout.
    #[error("{file}: recipe name '{recipe}' differs from the checkout's '{checkout}'")]
    NameMismatch {
        /// The recipe file.
        file: String,
        /// The name in the recipe.
        recipe: String,
        /// The checkout's package name.
        checkout: String,
    },
    /// The recipe's `version` is empty.
    #[error("{file}: version is empty; set version = \"...\" in the recipe")]
    EmptyVersion {
        /// The recipe file.
        file: String,
    },
    /// Nothing differs from the checked-out version.
    #[error("no changes to commit")]
    NoChanges,
    /// A file name cannot be tracked.
    #[error("invalid file name '{name}': {reason}")]
    BadFileName {
        /// The name at fault.
        name: String,
        /// Why.
        reason: &'static str,
    },
    /// `add` of a file already tracked.
    #[error("{name} is already tracked")]
    AlreadyTracked {
        /// The file name.
        name: String,
    },
    /// `remove` of a file that is not tracked.
    #[error("{name} is not tracked")]
    NotTracked {
        /// The file name.
        name: String,
    },
    /// A file is tracked but missing from the checkout.
    #[error("{name} is tracked but missing; restore it or cvc remove it")]
    Missing {
        /// The file name.
        name: String,
    },
    /// The checkout directory exists already and is not empty.
    #[error("{}: directory exists and is not empty", path.display())]
    DirectoryExists {
        /// The directory.
        path: PathBuf,
    },
    /// No source trove answers the request.
    #[error("{what} not found")]
    NotFound {
        /// What was looked for (`NAME:source=SPEC on LABEL`).
        what: String,
    },
    /// A new package's source trove exists on the branch already.
    #[error("{trove} exists on {branch} already; cvc checkout it instead")]
    AlreadyExists {
        /// The source trove.
        trove: String,
        /// The branch.
        branch: String,
    },
    /// No label to look in or commit to.
    #[error("no label to use: set buildLabel in the configuration or give NAME=LABEL")]
    NoLabel,
    /// The branch moved on since the checkout.
    #[error(
        "the checkout is at {checked_out} but {latest} is the newest on its branch; check out again"
    )]
    Stale {
        /// The checked-out version.
        checked_out: String,
        /// The newest version on the branch.
        latest: String,
    },
    /// A name, version or revision is not valid.
    #[error("{what}: {source}")]
    Version {
        /// What was being parsed or computed.
        what: String,
        /// The error.
        source: VersionError,
    },
    /// The repository could not answer.
    #[error("{what}: {source}")]
    Repository {
        /// What was asked.
        what: String,
        /// The error.
        source: RepositoryError,
    },
    /// A changeset could not be built, written or read.
    #[error("{what}: {source}")]
    Changeset {
        /// What was done.
        what: String,
        /// The error.
        source: ChangeSetError,
    },
    /// A source trove from the repository is not what a source trove is.
    #[error("{trove}: {reason}")]
    BadTrove {
        /// The trove.
        trove: String,
        /// What is wrong.
        reason: String,
    },
    /// The commit target refused or failed.
    #[error("commit failed: {0}")]
    Commit(Box<dyn std::error::Error + Send + Sync>),
}

impl SourceError {
    /// An I/O error on `path`.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> SourceError {
        SourceError::Io {
            path: path.into(),
            source,
        }
    }

    /// A repository error while doing `what`.
    pub(crate) fn repository(what: impl Into<String>, source: RepositoryError) -> SourceError {
        SourceError::Repository {
            what: what.into(),
            source,
        }
    }

    /// A version error while doing `what`.
    pub(crate) fn version(what: impl Into<String>, source: VersionError) -> SourceError {
        SourceError::Version {
            what: what.into(),
            source,
        }
    }

    /// A changeset error while doing `what`.
    pub(crate) fn changeset(what: impl Into<String>, source: ChangeSetError) -> SourceError {
        SourceError::Changeset {
            what: what.into(),
            source,
        }
    }
}
