//! Atomic file replacement: readers see the old contents or the new, never a mix.
//!
//! The new contents go to a temporary file in the destination's directory
//! (so the rename cannot cross file systems), which is synced, renamed over
//! the destination, and then the directory is synced so the rename itself
//! survives a crash. A temporary file that is never committed is removed when
//! dropped.

use std::ffi::OsString;
use std::fmt;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::error::UtilError;
use crate::sync::{fsync_dir, parent_dir};

/// Replaces `path` with `bytes` atomically and durably.
///
/// ```rust
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("conaryrc");
/// conary_util::atomic_write(&path, b"installLabelPath conary.example.com@rpl:2\n")?;
/// assert_eq!(std::fs::read(&path)?, b"installLabelPath conary.example.com@rpl:2\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn atomic_write(path: impl AsRef<Path>, bytes: &[u8]) -> Result<(), UtilError> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(bytes)
        .map_err(UtilError::io_with("write", file.temp.path()))?;
    file.commit()
}

/// A file being written that replaces its destination only on
/// [`commit`](AtomicFile::commit); dropping it uncommitted leaves the
/// destination untouched and removes the temporary file.
///
/// The temporary file is created with mode `0600`; set other permissions
/// through [`as_file`](AtomicFile::as_file) before committing.
///
/// ```rust
/// use std::io::Write;
/// let dir = tempfile::tempdir()?;
/// let mut file = conary_util::AtomicFile::create(dir.path().join("big"))?;
/// for chunk in 0..4u8 {
///     file.write_all(&[chunk; 1024])?;
/// }
/// file.commit()?;
/// assert_eq!(std::fs::metadata(dir.path().join("big"))?.len(), 4096);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct AtomicFile {
    temp: NamedTempFile,
    destination: PathBuf,
}

impl AtomicFile {
    /// Starts writing a new version of `destination`, whose directory must exist.
    pub fn create(destination: impl AsRef<Path>) -> Result<Self, UtilError> {
        let destination = destination.as_ref();
        let Some(name) = destination.file_name() else {
            return Err(UtilError::io(
                "create temporary file for",
                destination,
                io::Error::new(io::ErrorKind::InvalidInput, "the path has no file name"),
            ));
        };
        let mut prefix = OsString::from(".");
        prefix.push(name);
        prefix.push(".");
        let directory = parent_dir(destination);
        let temp = tempfile::Builder::new()
            .prefix(&prefix)
            .suffix(".tmp")
            .tempfile_in(directory)
            .map_err(UtilError::io_with("create temporary file in", directory))?;
        Ok(Self {
            temp,
            destination: destination.to_path_buf(),
        })
    }

    /// The path this file will replace.
    pub fn destination(&self) -> &Path {
        &self.destination
    }

    /// The open temporary file, e.g. to set permissions or seek.
    pub fn as_file(&self) -> &File {
        self.temp.as_file()
    }

    /// Syncs the contents, renames them over the destination and syncs the
    /// directory.
    pub fn commit(mut self) -> Result<(), UtilError> {
        self.temp
            .flush()
            .map_err(UtilError::io_with("write", self.temp.path()))?;
        self.temp
            .as_file()
            .sync_all()
            .map_err(UtilError::io_with("sync", self.temp.path()))?;
        let destination = self.destination;
        self.temp.persist(&destination).map_err(|error| {
            UtilError::io("rename temporary file to", &destination, error.error)
        })?;
        fsync_dir(parent_dir(&destination))
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.temp.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.temp.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.temp.flush()
    }
}

impl fmt::Debug for AtomicFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AtomicFile")
            .field("destination", &self.destination)
            .field("temp", &self.temp.path())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .expect("read dir")
            .map(|entry| {
                entry
                    .expect("entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    }

    #[test]
    fn replaces_existing_contents() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("file");
        atomic_write(&path, b"old").expect("first write");
        atomic_write(&path, b"new contents").expect("second write");
        assert_eq!(fs::read(&path).expect("read"), b"new contents");
        assert_eq!(entries(dir.path()), ["file"]);
    }

    #[test]
    fn uncommitted_file_leaves_destination_alone() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("file");
        atomic_write(&path, b"old").expect("write");
        {
            let mut file = AtomicFile::create(&path).expect("create");
            file.write_all(b"half written").expect("write");
            assert_eq!(
                entries(dir.path()).len(),
                2,
                "temporary file beside the destination"
            );
        }
        assert_eq!(fs::read(&path).expect("read"), b"old");
        assert_eq!(entries(dir.path()), ["file"]);
    }

    #[test]
    fn missing_directory_is_named_in_the_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("missing/file");
        let error = atomic_write(&path, b"x").expect_err("directory is missing");
        let message = error.to_string();
        assert!(
            message.starts_with("cannot create temporary file in '"),
            "{message}"
        );
        assert!(message.ends_with("missing'"), "{message}");
    }

    #[test]
    fn path_without_file_name_is_rejected() {
        let error = AtomicFile::create("/").expect_err("no file name");
        assert_eq!(error.to_string(), "cannot create temporary file for '/'");
    }
}
