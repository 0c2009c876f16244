//! Small, careful file-system helpers shared by Conary's crates.
//!
//! Conary changes machines and repositories in place, so every write has to
//! survive a crash, stay under the root it was meant for, and not race with
//! another Conary process. This crate owns those three concerns and nothing
//! else:
//!
//! - [`atomic`]: [`atomic_write`] and the streaming [`AtomicFile`] (temporary
//!   file in the same directory, fsync, rename, fsync of the directory).
//! - [`rel_path`]: [`RelPath`], a relative path validated once, and
//!   [`safe_join`], which joins untrusted paths to a root without letting
//!   `..`, `/`, NUL bytes or symlinks lead out of it.
//! - [`lock`]: [`LockFile`], an advisory exclusive lock with an error that
//!   says which process holds it.
//! - [`sync`]: durability helpers ([`fsync_dir`], [`fsync_batch`],
//!   [`syncfs`], [`syncfs_covers_file_system`], [`create_dir_all_synced`]).
//!
//! All of them report one error type, [`UtilError`], whose messages name the
//! path at fault.
//!
//! ```rust
//! let root = tempfile::tempdir()?;
//! let _lock = conary_util::LockFile::try_acquire(root.path().join("lock"))?;
//! let path = conary_util::safe_join(root.path(), "etc/conaryrc")?;
//! conary_util::create_dir_all_synced(path.parent().expect("has a parent"))?;
//! conary_util::atomic_write(&path, b"flavor is: x86_64\n")?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod atomic;
pub mod error;
pub mod lock;
pub mod rel_path;
pub mod sync;

pub use atomic::{AtomicFile, atomic_write};
pub use error::{PathProblem, UtilError};
pub use lock::LockFile;
pub use rel_path::{RelPath, SafeRoot, safe_join};
pub use sync::{create_dir_all_synced, fsync_batch, fsync_dir, syncfs, syncfs_covers_file_system};
