//! Why policy could not package a destdir.

use std::io;
use std::path::PathBuf;

use conary_changeset::ChangeSetError;

use crate::recipe::model::Location;

/// Why [`apply_policy`](super::apply_policy), [`Packaged::to_troves`](super::Packaged::to_troves)
/// or [`BuiltTroves::to_changeset`](super::BuiltTroves::to_changeset) failed.
///
/// Paths are absolute as installed (`/usr/bin/hello`) unless they name
/// a file on disk; an error caused by a directive starts with its
/// `FILE:LINE:COLUMN`.
///
/// ```rust
/// use conary_build::policy::PolicyError;
/// let error = PolicyError::BrokenSymlink { path: "/usr/lib/libfoo.so".into(), target: "libfoo.so.9".into() };
/// assert_eq!(error.to_string(), "broken symlink /usr/lib/libfoo.so -> libfoo.so.9");
/// ```
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// A directive's pattern is not a valid regular expression.
    #[error("{at}: invalid pattern '{pattern}': {reason}")]
    InvalidPattern {
        /// The directive.
        at: Location,
        /// The pattern as given.
        pattern: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A `ComponentSpec` names no valid component.
    #[error("{at}: invalid component name '{component}': {reason}")]
    InvalidComponent {
        /// The directive.
        at: Location,
        /// The component as given.
        component: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A `Requires` or `Provides` dependency does not parse.
    #[error("{at}: invalid dependency '{dependency}': {reason}")]
    InvalidDependency {
        /// The directive.
        at: Location,
        /// The dependency as given.
        dependency: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A `TagSpec` tag or an `Ownership` user or group is not a valid name.
    #[error("{at}: invalid {what} '{name}': use letters, digits and '_ . + -'")]
    InvalidName {
        /// The directive.
        at: Location,
        /// `tag`, `user` or `group`.
        what: &'static str,
        /// The name as given.
        name: String,
    },
    /// The package name is not a valid trove name.
    #[error("invalid package name '{name}': {reason}")]
    InvalidPackageName {
        /// The name as given.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Reading the destdir failed.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The path on disk.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The destdir holds nothing to package (or only excluded directories).
    #[error("nothing was installed into the destdir")]
    NothingInstalled,
    /// A path of the destdir is not UTF-8.
    #[error("path {path} in the destdir is not UTF-8")]
    NotUtf8 {
        /// The path, lossily converted.
        path: String,
    },
    /// A destdir entry is a fifo, device or socket.
    #[error("{path} is a {kind}: only regular files, directories and symlinks can be packaged")]
    UnsupportedFile {
        /// The path as installed.
        path: String,
        /// `fifo`, `character device`, `block device` or `socket`.
        kind: &'static str,
    },
    /// A relative symlink points at nothing in the destdir.
    #[error("broken symlink {path} -> {target}")]
    BrokenSymlink {
        /// The link.
        path: String,
        /// Its target as written.
        target: String,
    },
    /// A symlink's target goes above the root with `..`.
    #[error("symlink {path} -> {target} points outside the destdir")]
    EscapingSymlink {
        /// The link.
        path: String,
        /// Its target as written.
        target: String,
    },
    /// Resolving a symlink met too many symlinks.
    #[error("symlink {path} -> {target}: too many levels of symbolic links")]
    SymlinkLoop {
        /// The link.
        path: String,
        /// Its target as written.
        target: String,
    },
    /// A file is marked with two flags that exclude each other.
    #[error("{at}: {path} cannot be both {first} and {second}")]
    ConflictingFlags {
        /// The directive that set the second flag.
        at: Location,
        /// The file.
        path: String,
        /// The flag set first (`config`, `initialContents`).
        first: &'static str,
        /// The other flag.
        second: &'static str,
    },
    /// A dependency found in a file is not valid.
    #[error("{path}: invalid dependency '{dependency}': {reason}")]
    DiscoveredDependency {
        /// The file.
        path: String,
        /// The dependency's text.
        dependency: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A permission mode from disk was refused.
    #[error("{path}: invalid mode {mode:o}")]
    Mode {
        /// The file.
        path: String,
        /// The mode bits.
        mode: u32,
    },
    /// Building the flavor from ELF machine types failed.
    #[error("{path}: cannot record instruction set '{arch}': {reason}")]
    Flavor {
        /// The ELF file.
        path: String,
        /// The instruction set.
        arch: String,
        /// What is wrong.
        reason: String,
    },
    /// A tag description in the destdir cannot be read or has an invalid
    /// filter (`line` 0: the whole file).
    #[error("{path}:{line}: {reason}")]
    TagDescription {
        /// The description, as installed (`/etc/conary/tags/NAME`).
        path: String,
        /// Its line, from 1.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// Building or writing the changeset failed.
    #[error("cannot build the changeset: {0}")]
    ChangeSet(#[from] ChangeSetError),
}
