//! Making writes durable: fsync of directories, of batches, of a whole file system.
//!
//! A rename is only durable once the directory holding the new name has been
//! synced, and a new directory only once its parent has. Installing thousands
//! of files with one fsync each is slow, so callers that write many files can
//! instead sync them together ([`fsync_batch`]) or sync the whole file system
//! once at the end of a transaction ([`syncfs`]).

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use crate::error::UtilError;

/// Flushes a directory's entries (new, renamed or removed names) to disk.
///
/// ```rust
/// let dir = tempfile::tempdir()?;
/// conary_util::fsync_dir(dir.path())?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn fsync_dir(dir: &Path) -> Result<(), UtilError> {
    let handle = File::open(dir).map_err(UtilError::io_with("open directory", dir))?;
    handle
        .sync_all()
        .map_err(UtilError::io_with("sync directory", dir))
}

/// The directory holding `path`'s entry (`.` for a bare file name).
pub(crate) fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Syncs the contents of every file in `paths`, then each directory holding
/// them once.
///
/// ```rust
/// let dir = tempfile::tempdir()?;
/// let files = [dir.path().join("a"), dir.path().join("b")];
/// for file in &files {
///     std::fs::write(file, b"data")?;
/// }
/// conary_util::fsync_batch(&files)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn fsync_batch<P: AsRef<Path>>(paths: &[P]) -> Result<(), UtilError> {
    let mut directories = BTreeSet::new();
    for path in paths {
        let path = path.as_ref();
        let handle = File::open(path).map_err(UtilError::io_with("open", path))?;
        handle
            .sync_all()
            .map_err(UtilError::io_with("sync", path))?;
        directories.insert(parent_dir(path));
    }
    directories.into_iter().try_for_each(fsync_dir)
}

/// Flushes everything written to the file system that holds `path` (Linux's
/// `syncfs(2)`); elsewhere it syncs `path` alone (see
/// [`syncfs_covers_file_system`]).
///
/// ```rust
/// let dir = tempfile::tempdir()?;
/// conary_util::syncfs(dir.path())?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn syncfs(path: &Path) -> Result<(), UtilError> {
    let handle = File::open(path).map_err(UtilError::io_with("open", path))?;
    #[cfg(target_os = "linux")]
    {
        rustix::fs::syncfs(&handle)
            .map_err(|errno| UtilError::io("sync file system of", path, errno.into()))
    }
    #[cfg(not(target_os = "linux"))]
    {
        handle.sync_all().map_err(UtilError::io_with("sync", path))
    }
}

/// Whether [`syncfs`] flushes the whole file system (on Linux) rather than
/// only the path it is given. Callers that rely on one `syncfs` to make many
/// files durable sync each file and directory themselves when it does not.
///
/// ```rust
/// assert_eq!(conary_util::syncfs_covers_file_system(), cfg!(target_os = "linux"));
/// ```
pub const fn syncfs_covers_file_system() -> bool {
    cfg!(target_os = "linux")
}

/// Creates `dir` and any missing parents, syncing the parent of each
/// directory it creates so the new entries survive a crash.
///
/// Safe to race with another process creating the same directories.
///
/// ```rust
/// let root = tempfile::tempdir()?;
/// conary_util::create_dir_all_synced(&root.path().join("a/b/c"))?;
/// assert!(root.path().join("a/b/c").is_dir());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn create_dir_all_synced(dir: &Path) -> Result<(), UtilError> {
    let mut missing: Vec<PathBuf> = Vec::new();
    let mut current = Some(dir);
    while let Some(path) = current {
        if path.as_os_str().is_empty() || path.is_dir() {
            break;
        }
        missing.push(path.to_path_buf());
        current = path.parent();
    }
    for path in missing.iter().rev() {
        match fs::create_dir(path) {
            Ok(()) => fsync_dir(parent_dir(path))?,
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists && path.is_dir() => {}
            Err(error) => return Err(UtilError::io("create directory", path, error)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_of_bare_name_is_current_dir() {
        assert_eq!(parent_dir(Path::new("file")), Path::new("."));
        assert_eq!(parent_dir(Path::new("/a/file")), Path::new("/a"));
        assert_eq!(parent_dir(Path::new("/")), Path::new("."));
    }

    #[test]
    fn create_dir_all_synced_refuses_a_file_in_the_way() {
        let root = tempfile::tempdir().expect("temp dir");
        fs::write(root.path().join("file"), b"x").expect("write");
        let error =
            create_dir_all_synced(&root.path().join("file/sub")).expect_err("file in the way");
        assert!(
            error.to_string().starts_with("cannot create directory"),
            "{error}"
        );
    }

    #[test]
    fn fsync_batch_reports_a_missing_file() {
        let root = tempfile::tempdir().expect("temp dir");
        let missing = root.path().join("missing");
        let error = fsync_batch(&[&missing]).expect_err("missing file");
        assert!(error.to_string().contains("missing"), "{error}");
    }
}
