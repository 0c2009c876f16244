//! The one error type of this crate.

use std::io;
use std::path::PathBuf;

use conary_util::UtilError;

use crate::digest::Digest;

/// Everything that can go wrong with a blob store.
///
/// Messages are lowercase and name the blob, path or text at fault; wrapped
/// errors are reachable through [`std::error::Error::source`].
///
/// ```rust
/// use conary_store::{BlobStore, Digest, MemStore, StoreError};
/// let missing = Digest::of(b"never stored");
/// let error = MemStore::new().get_bytes(&missing).expect_err("not stored");
/// assert!(matches!(error, StoreError::NotFound { .. }));
/// assert_eq!(error.to_string(), format!("blob {missing} is not in the store"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// No blob with this digest is in the store.
    #[error("blob {digest} is not in the store")]
    NotFound {
        /// The digest asked for.
        digest: Digest,
    },

    /// A stored blob's contents no longer hash to its name.
    #[error("blob {expected} is corrupt: its contents hash to {actual}")]
    Corrupt {
        /// The blob's name.
        expected: Digest,
        /// What the bytes read actually hash to.
        actual: Digest,
    },

    /// A stored blob is not the size it should be.
    #[error("blob {digest} is corrupt: expected {expected} bytes, read {actual}")]
    WrongSize {
        /// The blob's name.
        digest: Digest,
        /// The size it should have.
        expected: u64,
        /// How many bytes were read (when too many, as soon as one is too many).
        actual: u64,
    },

    /// An operating-system call on a path of the store failed.
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

    /// Reading the contents of a blob being stored failed; nothing was stored.
    #[error("cannot read the contents of a new blob")]
    ReadInput {
        /// The reader's error.
        #[source]
        source: io::Error,
    },

    /// Reading a stored blob failed for a reason other than corruption.
    #[error("cannot read blob {digest}")]
    ReadBlob {
        /// The blob being read.
        digest: Digest,
        /// The error reported while reading.
        #[source]
        source: io::Error,
    },

    /// A blob larger than `u64::MAX` bytes: a broken reader.
    #[error("blob is too large: more than {} bytes", u64::MAX)]
    TooLarge,

    /// Compressed contents offered to the store (see [`crate::frame`]) are
    /// not one zstd frame that declares its size and decodes within the
    /// limits; nothing was stored.
    #[error("compressed blob refused: {reason}")]
    BadFrame {
        /// What is wrong with the frame.
        reason: String,
    },

    /// A store URL that cannot be used.
    #[error("invalid store url '{url}': {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },

    /// A file-system helper failed (creating directories, syncing, renaming).
    #[error(transparent)]
    Util(#[from] UtilError),
}

impl StoreError {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }

    /// Turns an error from reading blob `digest` (as returned by a reader from
    /// [`crate::BlobStore::get`]) back into a [`StoreError`]: corruption found
    /// by the verifying reader comes back as [`StoreError::Corrupt`] or
    /// [`StoreError::WrongSize`], anything else as [`StoreError::ReadBlob`].
    pub fn from_read(digest: Digest, error: io::Error) -> Self {
        if !error
            .get_ref()
            .is_some_and(|inner| inner.is::<StoreError>())
        {
            return Self::ReadBlob {
                digest,
                source: error,
            };
        }
        let kind = error.kind();
        match error
            .into_inner()
            .map(|inner| inner.downcast::<StoreError>())
        {
            Some(Ok(store_error)) => *store_error,
            Some(Err(other)) => Self::ReadBlob {
                digest,
                source: io::Error::new(kind, other),
            },
            None => Self::ReadBlob {
                digest,
                source: kind.into(),
            },
        }
    }
}
