//! The error type of `.deb` import.

use std::io;

use conary_core::deps::DepError;
use conary_core::files::FileError;
use conary_core::name::NameError;
use conary_core::version::VersionError;
use thiserror::Error;

use crate::deb::{DebError, NotImportedError};

/// Why a `.deb` could not be imported.
///
/// Text taken from the package is escaped (see [`crate::deb::escape`]), so
/// every message stays on one line.
///
/// ```rust
/// use conary_build::import::ImportError;
/// let err = ImportError::Architecture { architecture: "mips".into() };
/// assert_eq!(
///     err.to_string(),
///     "unsupported architecture 'mips': expected all, amd64, i386, arm64, armhf, ppc64el, s390x or riscv64",
/// );
/// ```
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The package could not be read.
    #[error(transparent)]
    Deb(#[from] DebError),
    /// The content sink failed to store a file's contents.
    #[error("cannot store the contents of '{path}': {source}")]
    Sink {
        /// The file's path.
        path: String,
        /// The sink's error.
        #[source]
        source: io::Error,
    },
    /// The content sink returned without reading a file's contents to the end.
    #[error("the content sink read {read} of the {size} bytes of '{path}'")]
    SinkIncomplete {
        /// The file's path.
        path: String,
        /// Bytes the sink read.
        read: u64,
        /// The file's size.
        size: u64,
    },
    /// The content sink named a file's contents by another digest than the
    /// importer computed.
    #[error("the content sink stored '{path}' as {found}, but its contents hash to {expected}")]
    SinkDigest {
        /// The file's path.
        path: String,
        /// The digest the importer computed.
        expected: String,
        /// The digest the sink returned.
        found: String,
    },
    /// The `Architecture` field names an architecture without a flavor.
    #[error(
        "unsupported architecture '{architecture}': expected all, amd64, i386, arm64, armhf, ppc64el, s390x or riscv64"
    )]
    Architecture {
        /// The (escaped) field value.
        architecture: String,
    },
    /// The package name cannot name a package trove.
    #[error("debian package '{package}' cannot be imported: {reason}")]
    PackageName {
        /// The Debian package name.
        package: String,
        /// Why not.
        reason: String,
    },
    /// A trove name could not be formed.
    #[error(transparent)]
    TroveName(#[from] NameError),
    /// The Conary version could not be formed.
    #[error("cannot make a conary version of debian version '{version}': {source}")]
    Version {
        /// The Debian version.
        version: String,
        /// What is wrong.
        #[source]
        source: VersionError,
    },
    /// A relationship field cannot be expressed as `deb:` dependencies.
    #[error("invalid {field} field '{value}': {reason}")]
    Relation {
        /// The field (`Depends`, `Pre-Depends`, `Provides`).
        field: &'static str,
        /// The (escaped) relation at fault.
        value: String,
        /// What is wrong.
        reason: String,
    },
    /// A `deb:` dependency could not be formed.
    #[error("cannot express '{value}' of the {field} field as a deb: dependency: {source}")]
    Dependency {
        /// The field (`Depends`, `Pre-Depends`, `Provides`, `Package`).
        field: &'static str,
        /// The relation at fault.
        value: String,
        /// What is wrong.
        #[source]
        source: DepError,
    },
    /// A file's mode does not fit a file stream.
    #[error("invalid mode of '{path}': {source}")]
    Mode {
        /// The file's path.
        path: String,
        /// What is wrong.
        #[source]
        source: FileError,
    },
    /// A version on the branch was not made by the importer.
    #[error("version {version} on the branch is not an imported debian version: {source}")]
    ForeignVersion {
        /// The version on the branch.
        version: String,
        /// Why it is not.
        #[source]
        source: NotImportedError,
    },
    /// The package is older than the newest version of its branch.
    #[error(
        "refusing to import {package}={candidate}: the branch already has the newer {package}={newest} (force to import it anyway)"
    )]
    OlderThanBranch {
        /// The Debian package name.
        package: String,
        /// The Debian version being imported.
        candidate: String,
        /// The newest Debian version on the branch.
        newest: String,
    },
    /// A package file could not be opened.
    #[error("cannot open '{path}': {source}")]
    Open {
        /// The file's path.
        path: String,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A package file could not be read.
    #[error("cannot read '{path}': {source}")]
    Read {
        /// The file's path.
        path: String,
        /// The reader's error.
        #[source]
        source: Box<DebError>,
    },
}
