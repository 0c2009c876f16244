//! An advisory, exclusive lock held through a lock file.
//!
//! Conary takes one lock per root (and per repository) so that two commands
//! never change the same database or files at once. The lock is `flock(2)`
//! style (std's [`File::try_lock`]): it belongs to the open file, is released
//! when the [`LockFile`] is dropped or the process dies, and binds only
//! processes that take it. The lock file itself is never removed: removing
//! it would let a late comer lock a new file while the holder still holds the
//! old one.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use crate::error::UtilError;

/// A held exclusive lock; dropping it releases the lock.
///
/// The holder's process id is written into the file, so that the error seen
/// by a second process can say who holds it.
///
/// ```rust
/// use conary_util::LockFile;
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("lock");
/// let lock = LockFile::try_acquire(&path)?;
/// let error = LockFile::try_acquire(&path).expect_err("already held");
/// assert!(error.to_string().starts_with("another conary process holds the lock at"));
/// drop(lock);
/// LockFile::try_acquire(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct LockFile {
    file: File,
    path: PathBuf,
}

impl LockFile {
    /// Takes the lock at `path` (creating the file, not its directory), or
    /// fails at once with [`UtilError::Locked`] when another holder has it.
    pub fn try_acquire(path: impl AsRef<Path>) -> Result<Self, UtilError> {
        let path = path.as_ref();
        let mut file = open(path)?;
        match file.try_lock() {
            Ok(()) => Self::held(file, path),
            Err(TryLockError::WouldBlock) => Err(UtilError::Locked {
                path: path.to_path_buf(),
                pid: read_pid(&mut file),
            }),
            Err(TryLockError::Error(error)) => Err(UtilError::io("lock", path, error)),
        }
    }

    /// Takes the lock at `path`, waiting for the current holder to release it.
    pub fn acquire(path: impl AsRef<Path>) -> Result<Self, UtilError> {
        let path = path.as_ref();
        let file = open(path)?;
        file.lock().map_err(UtilError::io_with("lock", path))?;
        Self::held(file, path)
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Releases the lock now, reporting a failure that dropping would ignore.
    pub fn release(self) -> Result<(), UtilError> {
        self.file
            .unlock()
            .map_err(UtilError::io_with("unlock", &self.path))
    }

    fn held(mut file: File, path: &Path) -> Result<Self, UtilError> {
        let record = |file: &mut File| -> std::io::Result<()> {
            file.set_len(0)?;
            file.rewind()?;
            writeln!(file, "{}", std::process::id())
        };
        record(&mut file).map_err(UtilError::io_with("write process id to", path))?;
        Ok(Self {
            file,
            path: path.to_path_buf(),
        })
    }
}

fn open(path: &Path) -> Result<File, UtilError> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(UtilError::io_with("open lock file", path))
}

/// The process id recorded by the holder, if the file has one.
fn read_pid(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.rewind().ok()?;
    file.take(32).read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::thread;
    use std::time::Duration;

    use super::*;

    #[test]
    fn second_holder_is_told_who_holds_the_lock() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("lock");
        let lock = LockFile::try_acquire(&path).expect("first lock");
        assert_eq!(lock.path(), path);
        match LockFile::try_acquire(&path) {
            Err(UtilError::Locked { path: at, pid }) => {
                assert_eq!(at, path);
                assert_eq!(pid, Some(std::process::id()));
            }
            other => panic!("expected a lock error, got {other:?}"),
        }
        lock.release().expect("release");
        LockFile::try_acquire(&path).expect("lock after release");
    }

    #[test]
    fn blocking_acquire_waits_for_release() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("lock");
        let lock = LockFile::try_acquire(&path).expect("first lock");
        let (sender, receiver) = mpsc::channel();
        let waiter = {
            let path = path.clone();
            thread::spawn(move || {
                let second = LockFile::acquire(&path).expect("second lock");
                sender.send(()).expect("send");
                drop(second);
            })
        };
        assert!(
            receiver.recv_timeout(Duration::from_millis(100)).is_err(),
            "second holder must wait"
        );
        drop(lock);
        receiver
            .recv_timeout(Duration::from_secs(10))
            .expect("second holder gets the lock after release");
        waiter.join().expect("waiter thread");
    }

    #[test]
    fn missing_directory_is_named() {
        let dir = tempfile::tempdir().expect("temp dir");
        let error = LockFile::try_acquire(dir.path().join("no/lock")).expect_err("no directory");
        assert!(
            error.to_string().starts_with("cannot open lock file"),
            "{error}"
        );
    }
}
