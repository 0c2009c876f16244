//! Looking at what is on disk: file types, contents digests, the stream a
//! file on disk would have.

use std::fs::{self, File};
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt as _, MetadataExt as _};
use std::path::Path;

use conary_core::digest::{Digest, Hasher};
use conary_core::files::{FileKind, FileStream, Mode};

use super::attrs::Ids;
use crate::error::SystemError;

/// What is at a path on disk (not following a symlink there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Disk {
    /// Nothing.
    Missing,
    /// A directory.
    Dir,
    /// A regular file.
    Regular,
    /// Anything else (symlink, device, fifo, socket).
    Other,
}

impl Disk {
    pub(crate) fn exists(&self) -> bool {
        *self != Disk::Missing
    }
}

/// What is at `path`.
pub(crate) fn inspect(path: &Path) -> Result<Disk, SystemError> {
    match fs::symlink_metadata(path) {
        Ok(metadata) if metadata.is_dir() => Ok(Disk::Dir),
        Ok(metadata) if metadata.is_file() => Ok(Disk::Regular),
        Ok(_) => Ok(Disk::Other),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(Disk::Missing),
        Err(error) if error.raw_os_error() == Some(20) => Ok(Disk::Missing), // ENOTDIR
        Err(error) => Err(SystemError::io("inspect", path, error)),
    }
}

/// The size of the buffer files are read through.
const BUFFER_LEN: usize = 256 << 10;

thread_local! {
    /// One read buffer per thread: a transaction hashes and copies
    /// hundreds of files, and zeroing a fresh buffer for each cost more
    /// than hashing most of them.
    static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Runs `use_buffer` with this thread's read buffer ([`BUFFER_LEN`]
/// bytes; a fresh one when it is already in use further up the stack).
pub(crate) fn with_buffer<T>(use_buffer: impl FnOnce(&mut [u8]) -> T) -> T {
    BUFFER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buffer) => {
            if buffer.len() < BUFFER_LEN {
                buffer.resize(BUFFER_LEN, 0);
            }
            use_buffer(&mut buffer)
        }
        Err(_) => use_buffer(&mut vec![0u8; BUFFER_LEN]),
    })
}

/// The digest and size of the regular file at `path`.
pub(crate) fn hash_file(path: &Path) -> Result<(Digest, u64), SystemError> {
    let file = File::open(path).map_err(SystemError::io_with("open", path))?;
    with_buffer(|buffer| hash_with(file, buffer, path))
}

fn hash_with(mut file: File, buffer: &mut [u8], path: &Path) -> Result<(Digest, u64), SystemError> {
    let mut hasher = Hasher::new();
    let mut size = 0u64;
    loop {
        let read = file
            .read(buffer)
            .map_err(SystemError::io_with("read", path))?;
        let Some(chunk) = buffer.get(..read).filter(|chunk| !chunk.is_empty()) else {
            break;
        };
        hasher.update(chunk);
        size = size.saturating_add(read as u64);
    }
    Ok((hasher.finalize(), size))
}

/// The digest of a regular file at `path`, `None` for anything else.
pub(crate) fn digest_if_regular(path: &Path) -> Result<Option<Digest>, SystemError> {
    if inspect(path)? == Disk::Regular {
        Ok(Some(hash_file(path)?.0))
    } else {
        Ok(None)
    }
}

/// True when the directory at `path` has no entries.
pub(crate) fn dir_is_empty(path: &Path) -> Result<bool, SystemError> {
    let mut entries = fs::read_dir(path).map_err(SystemError::io_with("list", path))?;
    Ok(entries.next().is_none())
}

/// The stream the file at `path` has on disk (no flags, tags or
/// dependencies; owner and group named through the root's `ids`), or
/// `None` when nothing is there.
pub(crate) fn disk_stream(path: &Path, ids: &Ids) -> Result<Option<FileStream>, SystemError> {
    let metadata = match fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) if error.raw_os_error() == Some(20) => return Ok(None),
        Err(error) => return Err(SystemError::io("inspect", path, error)),
    };
    let file_type = metadata.file_type();
    let device = || {
        let rdev = metadata.rdev();
        (rustix::fs::major(rdev), rustix::fs::minor(rdev))
    };
    let kind = if file_type.is_file() {
        let (digest, size) = hash_file(path)?;
        FileKind::Regular {
            size,
            digest,
            link_group: None,
        }
    } else if file_type.is_dir() {
        FileKind::Directory
    } else if file_type.is_symlink() {
        let target = fs::read_link(path).map_err(SystemError::io_with("read symlink", path))?;
        FileKind::Symlink {
            target: target.to_string_lossy().into_owned(),
        }
    } else if file_type.is_char_device() {
        let (major, minor) = device();
        FileKind::CharDevice { major, minor }
    } else if file_type.is_block_device() {
        let (major, minor) = device();
        FileKind::BlockDevice { major, minor }
    } else if file_type.is_fifo() {
        FileKind::Fifo
    } else {
        FileKind::Socket
    };
    let mode = Mode::new(metadata.mode() & 0o7777)
        .map_err(|e| SystemError::corrupt(format!("mode of '{}': {e}", path.display())))?;
    let mut stream = FileStream::new(
        kind,
        mode,
        &ids.user_name(metadata.uid()),
        &ids.group_name(metadata.gid()),
    );
    stream.mtime = u64::try_from(metadata.mtime()).unwrap_or(0);
    Ok(Some(stream))
}
