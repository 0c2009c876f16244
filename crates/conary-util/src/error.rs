//! The one error type of this crate.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Everything that can go wrong in `conary-util`.
///
/// Every message is lowercase and names the path at fault. Errors that wrap an
/// [`io::Error`] expose it through [`std::error::Error::source`] rather than
/// repeating it in the message, so a report that walks the chain says each
/// thing once.
///
/// ```rust
/// let error = "usr/../etc".parse::<conary_util::RelPath>().expect_err("climbs out");
/// assert_eq!(error.to_string(), "unsafe path 'usr/../etc': it contains a '..' component");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UtilError {
    /// An operating-system call on `path` failed.
    #[error("cannot {action} '{}'", path.display())]
    Io {
        /// What was being done, e.g. `create temporary file in`.
        action: &'static str,
        /// The path the operation was about.
        path: PathBuf,
        /// The error the operating system reported.
        #[source]
        source: io::Error,
    },

    /// A path meant to stay under a root is not a safe relative path.
    #[error("unsafe path '{}': {problem}", path.escape_debug())]
    UnsafePath {
        /// The path as given.
        path: String,
        /// What is wrong with it.
        problem: PathProblem,
    },

    /// A directory on the way to a path under a root is a symlink whose target
    /// lies outside the root (or cannot be resolved), so following it could
    /// write anywhere on the machine.
    #[error(
        "refusing to follow symlink '{}' -> '{}': it {}",
        link.display(),
        target.display(),
        if *.dangling { "cannot be resolved" } else { "points outside the root" }
    )]
    SymlinkEscape {
        /// The symlink under the root.
        link: PathBuf,
        /// What the symlink points to, as stored in it.
        target: PathBuf,
        /// True when the target does not exist, so the link cannot be checked.
        dangling: bool,
    },

    /// A component on the way to a path under a root exists and is neither a
    /// directory nor a symlink to one.
    #[error("cannot use '{}' as a directory: it is not a directory", path.display())]
    NotADirectory {
        /// The offending component, joined to the root.
        path: PathBuf,
    },

    /// Another process holds the advisory lock.
    #[error("another conary process holds the lock at '{}'{}", path.display(), holder_suffix(*.pid))]
    Locked {
        /// The lock file.
        path: PathBuf,
        /// The process id the holder wrote into the lock file, when readable.
        pid: Option<u32>,
    },
}

impl UtilError {
    /// Builds an [`UtilError::Io`] for `action` on `path`.
    pub(crate) fn io(action: &'static str, path: impl AsRef<Path>, source: io::Error) -> Self {
        Self::Io {
            action,
            path: path.as_ref().to_path_buf(),
            source,
        }
    }

    /// Returns a closure for `map_err` that wraps an [`io::Error`].
    pub(crate) fn io_with(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> Self {
        move |source| Self::io(action, path, source)
    }
}

fn holder_suffix(pid: Option<u32>) -> String {
    pid.map(|pid| format!(" (pid {pid})")).unwrap_or_default()
}

/// Why a relative path was rejected by [`crate::RelPath`] or [`crate::safe_join`].
///
/// ```rust
/// use conary_util::{PathProblem, UtilError};
/// let error = "a//b".parse::<conary_util::RelPath>().expect_err("empty component");
/// assert!(matches!(error, UtilError::UnsafePath { problem: PathProblem::EmptyComponent, .. }));
/// assert_eq!(PathProblem::NulByte.to_string(), "it contains a NUL byte");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum PathProblem {
    /// The path is the empty string.
    Empty,
    /// The path starts with `/`, so joining it would replace the root.
    Absolute,
    /// A component is `..`, which could climb out of the root.
    ParentComponent,
    /// A component is `.`; paths have one spelling, without it.
    CurrentComponent,
    /// Two `/` in a row, or a trailing `/`.
    EmptyComponent,
    /// A NUL byte, which the operating system would silently cut the path at.
    NulByte,
    /// Longer than [`crate::rel_path::MAX_PATH_LEN`] bytes.
    TooLong,
    /// A component longer than [`crate::rel_path::MAX_COMPONENT_LEN`] bytes.
    ComponentTooLong,
    /// The path is not valid UTF-8.
    NotUtf8,
    /// A path expected to start at the root (`/usr/bin/x`) does not start with `/`.
    NotRooted,
}

impl fmt::Display for PathProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Empty => "it is empty",
            Self::Absolute => "it is absolute (starts with '/')",
            Self::ParentComponent => "it contains a '..' component",
            Self::CurrentComponent => "it contains a '.' component",
            Self::EmptyComponent => "it contains an empty component ('//' or a trailing '/')",
            Self::NulByte => "it contains a NUL byte",
            Self::TooLong => "it is longer than 4096 bytes",
            Self::ComponentTooLong => "a component is longer than 255 bytes",
            Self::NotUtf8 => "it is not valid UTF-8",
            Self::NotRooted => "it does not start with '/'",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_lowercase_and_name_the_path() {
        let cases: Vec<(UtilError, &str)> = vec![
            (
                UtilError::io("rename", "/a/b", io::Error::other("x")),
                "cannot rename '/a/b'",
            ),
            (
                UtilError::UnsafePath {
                    path: "a/../b".into(),
                    problem: PathProblem::ParentComponent,
                },
                "unsafe path 'a/../b': it contains a '..' component",
            ),
            (
                UtilError::UnsafePath {
                    path: "a\0b".into(),
                    problem: PathProblem::NulByte,
                },
                "unsafe path 'a\\0b': it contains a NUL byte",
            ),
            (
                UtilError::SymlinkEscape {
                    link: "/r/lib".into(),
                    target: "/usr/lib".into(),
                    dangling: false,
                },
                "refusing to follow symlink '/r/lib' -> '/usr/lib': it points outside the root",
            ),
            (
                UtilError::SymlinkEscape {
                    link: "/r/lib".into(),
                    target: "nowhere".into(),
                    dangling: true,
                },
                "refusing to follow symlink '/r/lib' -> 'nowhere': it cannot be resolved",
            ),
            (
                UtilError::NotADirectory {
                    path: "/r/etc".into(),
                },
                "cannot use '/r/etc' as a directory: it is not a directory",
            ),
            (
                UtilError::Locked {
                    path: "/r/lock".into(),
                    pid: Some(42),
                },
                "another conary process holds the lock at '/r/lock' (pid 42)",
            ),
            (
                UtilError::Locked {
                    path: "/r/lock".into(),
                    pid: None,
                },
                "another conary process holds the lock at '/r/lock'",
            ),
        ];
        for (error, expected) in cases {
            assert_eq!(error.to_string(), expected);
        }
    }
}
