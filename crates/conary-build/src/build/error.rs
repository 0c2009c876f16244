//! The error type of the build executor.

use std::io;
use std::path::PathBuf;

use thiserror::Error;

use crate::build::macros::MacroError;
use crate::recipe::model::Location;

/// Why a build action (or the build around it) failed.
///
/// Errors of an action are wrapped in [`BuildError::Action`] (or are a
/// [`BuildError::CommandFailed`]), so the message starts with the recipe
/// location and the action's name:
///
/// ```rust
/// use conary_build::build::BuildError;
/// use conary_build::recipe::model::Location;
/// let at = Location { file: "hello.recipe".into(), line: 12, column: 5 };
/// let err = BuildError::Action {
///     at,
///     action: "Install",
///     problem: Box::new(BuildError::OutsideDestdir { path: "/../../etc/passwd".into() }),
/// };
/// assert_eq!(err.to_string(), "hello.recipe:12:5: Install: '/../../etc/passwd' is outside the destdir");
/// ```
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum BuildError {
    /// An action of the recipe failed.
    #[error("{at}: {action}: {problem}")]
    Action {
        /// Where the recipe called it.
        at: Location,
        /// The action's name as a recipe writes it (`addArchive`, `Install`).
        action: &'static str,
        /// What went wrong.
        #[source]
        problem: Box<BuildError>,
    },
    /// A command (Configure, Make, MakeInstall, Run, addPatch) exited
    /// unsuccessfully; its output is in the build log.
    #[error("{at}: {action} failed ({status}); see the build log")]
    CommandFailed {
        /// Where the recipe called it.
        at: Location,
        /// The action's name.
        action: &'static str,
        /// How it ended: `exit status 2`, `killed by signal 9`.
        status: String,
    },
    /// A source file named by the recipe is not in the source trove.
    #[error("'{name}' not found in the source trove")]
    SourceNotFound {
        /// The name in the recipe.
        name: String,
    },
    /// A URL source is not in the local source cache.
    #[error("source '{url}' is not in the source cache {}", cache_text(cache.as_ref()))]
    NotInCache {
        /// The URL in the recipe.
        url: String,
        /// The cache directory, if there is one.
        cache: Option<PathBuf>,
    },
    /// A source name cannot name a file (empty, `..`, a URL without a file).
    #[error("'{name}' does not name a source file")]
    BadSourceName {
        /// The name in the recipe.
        name: String,
    },
    /// A string of the action could not be expanded.
    #[error(transparent)]
    Macro(#[from] MacroError),
    /// A destdir path climbs out of the destdir (or resolves outside it
    /// through a symlink).
    #[error("'{path}' is outside the destdir")]
    OutsideDestdir {
        /// The path as given (macros expanded).
        path: String,
    },
    /// A build-directory path climbs out of the build directory (or
    /// resolves outside it through a symlink).
    #[error("'{path}' is outside the build directory")]
    OutsideBuildDir {
        /// The path as given (macros expanded).
        path: String,
    },
    /// A destdir path is not absolute.
    #[error("'{path}' is not an absolute path (paths in the destdir start with '/')")]
    NotAbsolute {
        /// The path as given.
        path: String,
    },
    /// Symlinks on the way to a path refer to each other too often.
    #[error("too many levels of symlinks resolving '{path}'")]
    SymlinkLoop {
        /// The path as given.
        path: String,
    },
    /// A path the action needs does not exist.
    #[error("'{path}' does not exist")]
    NotFound {
        /// The path as given.
        path: String,
    },
    /// A path to copy is a device, FIFO or socket.
    #[error("'{path}' is not a regular file, directory or symlink")]
    SpecialFile {
        /// The path as given (or found in a copied tree).
        path: String,
    },
    /// A pattern matched no path.
    #[error("'{pattern}' matches nothing")]
    NoMatch {
        /// The pattern as given.
        pattern: String,
    },
    /// A directory was to be removed without `recursive`, but is not empty.
    #[error("'{path}' is a directory that is not empty (use recursive=True)")]
    DirectoryNotEmpty {
        /// The path as given.
        path: String,
    },
    /// An archive's name has no known extension.
    #[error(
        "unsupported archive '{name}': expected .tar, .tar.gz, .tgz, .tar.bz2, .tar.xz or .tar.zst"
    )]
    ArchiveKind {
        /// The archive's name.
        name: String,
    },
    /// An archive could not be read.
    #[error("cannot read archive '{archive}': {source}")]
    Archive {
        /// The archive's name.
        archive: String,
        /// The reader's error.
        #[source]
        source: io::Error,
    },
    /// An archive entry is unsafe or cannot be unpacked.
    #[error("archive '{archive}': entry '{entry}' {problem}")]
    ArchiveEntry {
        /// The archive's name.
        archive: String,
        /// The entry's path as stored (escaped).
        entry: String,
        /// What is wrong, e.g. `has an absolute path`.
        problem: String,
    },
    /// A file to expand macros in is not UTF-8.
    #[error("cannot expand macros in '{name}': it is not UTF-8 text")]
    NotText {
        /// The source's name.
        name: String,
    },
    /// An `Environment` name cannot name a variable.
    #[error("invalid environment variable name '{name}'")]
    EnvironmentName {
        /// The name as given.
        name: String,
    },
    /// The build directory or destdir is missing or not empty.
    #[error("{what} '{}' {problem}", path.display())]
    Dirs {
        /// `build directory` or `destdir`.
        what: &'static str,
        /// The directory.
        path: PathBuf,
        /// `does not exist`, `is not empty`.
        problem: &'static str,
    },
    /// A program could not be started.
    #[error("cannot run '{program}': {source}")]
    Spawn {
        /// The program, e.g. `patch`, `sh`.
        program: String,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// The build log could not be written.
    #[error("cannot write the build log: {source}")]
    Log {
        /// The writer's error.
        #[source]
        source: io::Error,
    },
    /// An operating-system call failed.
    #[error("cannot {action} '{}': {source}", path.display())]
    Io {
        /// What was being done, e.g. `create directory`.
        action: &'static str,
        /// The path it was done to.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
}

impl BuildError {
    /// Returns a closure for `map_err` that wraps an [`io::Error`].
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(io::Error) -> Self {
        let path = path.into();
        move |source| BuildError::Io {
            action,
            path,
            source,
        }
    }
}

fn cache_text(cache: Option<&PathBuf>) -> String {
    match cache {
        Some(dir) => format!("'{}' (builds never download)", dir.display()),
        None => "(none is configured; builds never download)".to_owned(),
    }
}
