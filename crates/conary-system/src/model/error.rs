//! What can go wrong with a system model.

use std::path::PathBuf;

/// An error reading, evaluating or storing a system model.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// A line of the model is not a valid statement.
    #[error("system-model:{line}: {message}")]
    Syntax {
        /// The line, from 1.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
    /// A trove spec of the model is not valid.
    #[error("invalid trove spec '{spec}': {reason}")]
    Spec {
        /// The spec as written.
        spec: String,
        /// Why it is not valid.
        reason: String,
    },
    /// A statement this implementation reads but cannot carry out yet.
    #[error("system-model:{line}: {what} is not supported yet")]
    Unsupported {
        /// The line, from 1.
        line: usize,
        /// What is not supported.
        what: String,
    },
    /// An `include` line whose trove cannot be found or read.
    #[error("{at}: include {spec}: {reason}")]
    Include {
        /// Where the line is (`system-model:LINE`, or `TROVE:LINE` in an
        /// included model).
        at: String,
        /// The spec as written.
        spec: String,
        /// Why.
        reason: String,
    },
    /// A `search` line naming a trove that cannot be found or read.
    #[error("{at}: search {spec}: {reason}")]
    Search {
        /// Where the line is.
        at: String,
        /// The spec as written.
        spec: String,
        /// Why.
        reason: String,
    },
    /// An `include` line that includes a trove already being included.
    #[error("{at}: include {spec}: a cycle of includes ({chain})")]
    IncludeCycle {
        /// Where the line is.
        at: String,
        /// The spec as written.
        spec: String,
        /// The includes that lead back to the trove.
        chain: String,
    },
    /// A line of an included model is not a valid statement.
    #[error("{at}: {message}")]
    IncludedSyntax {
        /// `TROVE:LINE`.
        at: String,
        /// What is wrong with it.
        message: String,
    },
    /// An error in the model an `include` line read.
    #[error("in the model of {trove}: {source}")]
    Included {
        /// The included trove, `NAME=VERSION`.
        trove: String,
        /// The error.
        source: Box<ModelError>,
    },
    /// The model names no label to search.
    #[error("the system model has no 'search' line: there is nowhere to look for troves")]
    NoSearchPath,
    /// A model file could not be read or written.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A model file could not be written safely.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: conary_util::UtilError,
    },
    /// A model file is not UTF-8.
    #[error("{path} is not UTF-8 text")]
    NotUtf8 {
        /// The file.
        path: PathBuf,
    },
}

impl ModelError {
    pub(crate) fn spec(spec: &str, reason: &str) -> ModelError {
        ModelError::Spec {
            spec: spec.to_owned(),
            reason: reason.to_owned(),
        }
    }

    pub(crate) fn io(
        action: &'static str,
        path: &std::path::Path,
    ) -> impl FnOnce(std::io::Error) -> ModelError {
        let path = path.to_path_buf();
        move |source| ModelError::Io {
            action,
            path,
            source,
        }
    }
}
