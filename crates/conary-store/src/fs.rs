//! [`FsStore`]: blobs as files in fan-out directories (`file:///path`).
//!
//! Layout under the store's root: blob `abcdef…` lives at `ab/cdef…` (the
//! first byte of the digest names one of 256 directories, each of which
//! holds about 4,000 blobs per million stored, which hashed directories
//! such as ext4's handle well), and `tmp/` holds blobs being written.
//!
//! Stores written by earlier versions used two levels, `ab/cd/ef…`: with a
//! few thousand blobs nearly every blob had a directory of its own, each
//! created and synced. Their blobs stay where they are; every read looks
//! in both places (one level first), `iter` lists both, and new blobs go
//! to the one-level place. Nothing is ever moved, so readers and writers
//! of either version can share a store.
//!
//! A blob is streamed into a temporary file under `tmp/` while it is hashed,
//! synced, made read-only and renamed to its name; then the directory is
//! synced. Readers therefore never see a partial blob, and a blob's name
//! never points at contents that are not durable. Two writers of the same
//! contents both rename identical files to the same name, so the result is
//! the same whoever wins; a writer that finds the blob already there just
//! drops its temporary file.
//!
//! A [`Batch`] (see [`crate::batch`]) writes its blobs to `tmp/` without
//! syncing, and its [`sync`](Batch::sync) makes them durable together
//! before renaming them into place, then makes the renames durable: two
//! `syncfs` calls per batch on Linux ([`Durability::FileSystem`]), or an
//! fsync per blob and per directory elsewhere ([`Durability::EachFile`]).
//!
//! A blob may also be kept compressed, as the zstd frame it arrived in
//! ([`Batch::put_frame`], see [`crate::frame`]): then it lives at
//! `ab/cdef….zst`, a plain `.zst` file that `zstd -d` decodes to the
//! blob's contents. Every read looks there first; `get` decodes and
//! verifies, [`BlobStore::get_frame`] hands the frame out as it is. A blob
//! is never stored both ways by this code (whichever is there first is
//! kept); a store holding both forms of a blob (two writers racing) is
//! still correct, as both decode to the same contents.
//!
//! A crash can leave files in `tmp/`, which are never read. Opening a store
//! removes those older than an hour (a writer still using one keeps its
//! modification time fresh).

mod batch;
mod iter;

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use conary_util::{create_dir_all_synced, fsync_dir};

use crate::batch::Batch;
use crate::blob_store::BlobStore;
use crate::digest::Digest;
use crate::error::StoreError;
use crate::url::StoreUrl;
use crate::verify::VerifyingReader;

/// Size of the buffer blobs are copied through.
const CHUNK: usize = 256 * 1024;

/// Name of the directory holding blobs being written.
const TEMP_DIR: &str = "tmp";

/// A blob file kept as a frame, its header already read.
type FrameFile = io::Chain<io::Cursor<Vec<u8>>, File>;

/// The suffix of blobs kept as zstd frames.
const FRAME_SUFFIX: &str = ".zst";

/// Temporary files older than this are left over from a crash.
const STALE_TEMPORARY: Duration = Duration::from_secs(3600);

/// How [`Batch::sync`] of an [`FsStore`] makes its blobs durable.
///
/// ```rust
/// use conary_store::fs::Durability;
/// let dir = tempfile::tempdir()?;
/// let store = conary_store::FsStore::open(dir.path())?.with_durability(Durability::EachFile);
/// assert_eq!(store.durability(), Durability::EachFile);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    /// One `syncfs(2)` of the store's file system for the contents of the
    /// batch's new blobs, and one more once they are renamed into place.
    /// Cheap for many blobs, but it also waits for whatever else is being
    /// written to the same file system. The default on Linux; elsewhere
    /// (no `syncfs`) a store asked for it uses [`Durability::EachFile`].
    FileSystem,
    /// An fsync of each new blob as the batch writes it, and one of each
    /// directory on the way to each blob in `sync`.
    EachFile,
}

impl Durability {
    /// [`Durability::FileSystem`] where `syncfs` covers the whole file
    /// system (Linux), [`Durability::EachFile`] elsewhere.
    pub fn platform_default() -> Self {
        if conary_util::syncfs_covers_file_system() {
            Self::FileSystem
        } else {
            Self::EachFile
        }
    }
}

/// A blob store in a directory of the local file system.
///
/// ```rust
/// use conary_store::{BlobStore, FsStore};
/// let dir = tempfile::tempdir()?;
/// let store = FsStore::open(dir.path())?;
/// let (digest, _) = store.put_bytes(b"contents")?;
/// let hex = digest.to_string();
/// assert_eq!(store.blob_path(&digest), dir.path().join(&hex[..2]).join(&hex[2..]));
/// assert_eq!(store.url().to_string(), format!("file://{}", dir.path().display()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct FsStore {
    root: PathBuf,
    temp_dir: PathBuf,
    durability: Durability,
}

impl FsStore {
    /// Opens the store in directory `root`, creating it (and its parents)
    /// when missing, and removes temporary files left over from a crash.
    pub fn open(root: impl AsRef<Path>) -> Result<Self, StoreError> {
        let root = std::path::absolute(root.as_ref())
            .map_err(|error| StoreError::io("resolve", root.as_ref(), error))?;
        let temp_dir = root.join(TEMP_DIR);
        create_dir_all_synced(&temp_dir)?;
        remove_stale_temporaries(&temp_dir, SystemTime::now())?;
        Ok(Self {
            root,
            temp_dir,
            durability: Durability::platform_default(),
        })
    }

    /// This store, its batches syncing as `durability` says
    /// ([`Durability::FileSystem`] only where `syncfs` covers the file
    /// system).
    #[must_use]
    pub fn with_durability(mut self, durability: Durability) -> Self {
        self.durability = match durability {
            Durability::FileSystem if !conary_util::syncfs_covers_file_system() => {
                Durability::EachFile
            }
            other => other,
        };
        self
    }

    /// How this store's batches make blobs durable.
    pub fn durability(&self) -> Durability {
        self.durability
    }

    /// The store's directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The file that holds (or would hold) blob `digest` when it is stored
    /// from now on: `ab/cdef…`. Blobs stored by earlier versions may be at
    /// [`legacy_blob_path`](FsStore::legacy_blob_path) instead.
    pub fn blob_path(&self, digest: &Digest) -> PathBuf {
        let hex = digest.to_string();
        let (first, rest) = hex.split_at(2);
        self.root.join(first).join(rest)
    }

    /// Where stores written by earlier versions keep blob `digest`, two
    /// levels deep: `ab/cd/ef…`. Read, never written.
    pub fn legacy_blob_path(&self, digest: &Digest) -> PathBuf {
        let hex = digest.to_string();
        let (first, rest) = hex.split_at(2);
        let (second, name) = rest.split_at(2);
        self.root.join(first).join(second).join(name)
    }

    /// The file that holds (or would hold) blob `digest` when it is kept
    /// compressed: `ab/cdef….zst`, one zstd frame (see [`crate::frame`]).
    pub fn frame_path(&self, digest: &Digest) -> PathBuf {
        let mut path = self.blob_path(digest).into_os_string();
        path.push(FRAME_SUFFIX);
        PathBuf::from(path)
    }

    /// The file holding blob `digest`, in any form or layout, if it is
    /// stored.
    fn locate(&self, digest: &Digest) -> Result<Option<PathBuf>, StoreError> {
        for path in [
            self.frame_path(digest),
            self.blob_path(digest),
            self.legacy_blob_path(digest),
        ] {
            if self.exists(&path)? {
                return Ok(Some(path));
            }
        }
        Ok(None)
    }

    /// A new temporary file under `tmp/`, named `prefix…`.
    fn temporary(&self, prefix: &str) -> Result<tempfile::NamedTempFile, StoreError> {
        tempfile::Builder::new()
            .prefix(prefix)
            .tempfile_in(&self.temp_dir)
            .map_err(|error| StoreError::io("create temporary file in", &self.temp_dir, error))
    }

    /// Makes the temporary file at `path` read-only, as blobs are.
    fn freeze(file: &File, path: &Path) -> Result<(), StoreError> {
        let permissions = file
            .metadata()
            .map_err(|error| StoreError::io("inspect", path, error))?
            .permissions();
        file.set_permissions(read_only(permissions))
            .map_err(|error| StoreError::io("make read-only", path, error))
    }

    /// Copies `reader` into `file`, returning the digest and size.
    fn copy_hashing(
        reader: &mut dyn Read,
        file: &mut File,
        path: &Path,
    ) -> Result<(Digest, u64), StoreError> {
        let mut hasher = blake3::Hasher::new();
        let mut buffer = vec![0u8; CHUNK];
        let mut size: u64 = 0;
        loop {
            let count = match reader.read(&mut buffer) {
                Ok(0) => break,
                Ok(count) => count,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(source) => return Err(StoreError::ReadInput { source }),
            };
            let chunk = buffer.get(..count).ok_or_else(|| StoreError::ReadInput {
                source: io::Error::other("reader returned more bytes than asked for"),
            })?;
            hasher.update(chunk);
            file.write_all(chunk)
                .map_err(|error| StoreError::io("write", path, error))?;
            size = size
                .checked_add(chunk.len() as u64)
                .ok_or(StoreError::TooLarge)?;
        }
        Ok((crate::digest::from_hash(hasher.finalize()), size))
    }

    /// Opens blob `digest` kept as a frame: its declared content size and
    /// a reader of the whole frame (header included); `None` when it is
    /// not kept compressed.
    fn open_frame(&self, digest: &Digest) -> Result<Option<(u64, FrameFile)>, StoreError> {
        let path = self.frame_path(digest);
        let mut file = match File::open(&path) {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(StoreError::io("open", &path, error)),
        };
        let mut header = Vec::with_capacity(crate::frame::MAX_HEADER_LEN);
        (&mut file)
            .take(crate::frame::MAX_HEADER_LEN as u64)
            .read_to_end(&mut header)
            .map_err(|error| StoreError::io("read", &path, error))?;
        let size = crate::frame::content_size(&header).map_err(|error| {
            StoreError::io(
                "read the frame header of",
                &path,
                io::Error::new(io::ErrorKind::InvalidData, error),
            )
        })?;
        Ok(Some((size, io::Cursor::new(header).chain(file))))
    }

    fn exists(&self, path: &Path) -> Result<bool, StoreError> {
        match fs::symlink_metadata(path) {
            Ok(metadata) => Ok(metadata.is_file()),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(error) => Err(StoreError::io("inspect", path, error)),
        }
    }
}

impl BlobStore for FsStore {
    fn url(&self) -> StoreUrl {
        StoreUrl::File(self.root.clone())
    }

    fn put(&self, reader: &mut dyn Read) -> Result<(Digest, u64), StoreError> {
        let mut temp = self.temporary("put-")?;
        let temp_path = temp.path().to_path_buf();
        let (digest, size) = Self::copy_hashing(reader, temp.as_file_mut(), &temp_path)?;
        if self.locate(&digest)?.is_some() {
            return Ok((digest, size));
        }
        let destination = self.blob_path(&digest);
        let file = temp.as_file();
        file.sync_all()
            .map_err(|error| StoreError::io("sync", &temp_path, error))?;
        Self::freeze(file, &temp_path)?;
        let directory = destination.parent().unwrap_or(&self.root);
        create_dir_all_synced(directory)?;
        temp.persist(&destination)
            .map_err(|error| StoreError::io("rename blob to", &destination, error.error))?;
        fsync_dir(directory)?;
        Ok((digest, size))
    }

    fn batch(&self) -> Box<dyn Batch + '_> {
        Box::new(batch::FsBatch::new(self))
    }

    fn get(&self, digest: &Digest) -> Result<Box<dyn Read + Send>, StoreError> {
        if let Some((size, reader)) = self.open_frame(digest)? {
            let path = self.frame_path(digest);
            let decoder = crate::frame::decoder(io::BufReader::with_capacity(CHUNK, reader), size)
                .map_err(|error| StoreError::io("start decoding", &path, error))?;
            return Ok(Box::new(VerifyingReader::new(decoder, *digest, Some(size))));
        }
        for path in [self.blob_path(digest), self.legacy_blob_path(digest)] {
            let file = match File::open(&path) {
                Ok(file) => file,
                Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
                Err(error) => return Err(StoreError::io("open", &path, error)),
            };
            let size = file
                .metadata()
                .map_err(|error| StoreError::io("inspect", &path, error))?
                .len();
            return Ok(Box::new(VerifyingReader::new(file, *digest, Some(size))));
        }
        Err(StoreError::NotFound { digest: *digest })
    }

    fn get_frame(&self, digest: &Digest) -> Result<Option<Vec<u8>>, StoreError> {
        let Some((_, mut reader)) = self.open_frame(digest)? else {
            return Ok(None);
        };
        let mut frame = Vec::new();
        reader
            .read_to_end(&mut frame)
            .map_err(|error| StoreError::io("read", self.frame_path(digest), error))?;
        Ok(Some(frame))
    }

    fn contains(&self, digest: &Digest) -> Result<bool, StoreError> {
        Ok(self.locate(digest)?.is_some())
    }

    fn size(&self, digest: &Digest) -> Result<u64, StoreError> {
        if let Some((size, _)) = self.open_frame(digest)? {
            return Ok(size);
        }
        for path in [self.blob_path(digest), self.legacy_blob_path(digest)] {
            match fs::metadata(&path) {
                Ok(metadata) => return Ok(metadata.len()),
                Err(error) if error.kind() == io::ErrorKind::NotFound => {}
                Err(error) => return Err(StoreError::io("inspect", &path, error)),
            }
        }
        Err(StoreError::NotFound { digest: *digest })
    }

    fn iter(&self) -> Box<dyn Iterator<Item = Result<Digest, StoreError>> + '_> {
        Box::new(iter::FsIter::new(&self.root))
    }
}

/// Blobs are never changed in place: `0444` on Unix (readable by all, like
/// git's objects), read-only elsewhere.
fn read_only(mut permissions: fs::Permissions) -> fs::Permissions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        permissions.set_mode(0o444);
    }
    #[cfg(not(unix))]
    permissions.set_readonly(true);
    permissions
}

/// Removes the files in `temp_dir` last modified more than
/// [`STALE_TEMPORARY`] before `now`: temporary blobs of writers that
/// crashed.
fn remove_stale_temporaries(temp_dir: &Path, now: SystemTime) -> Result<(), StoreError> {
    let entries =
        fs::read_dir(temp_dir).map_err(|error| StoreError::io("list", temp_dir, error))?;
    for entry in entries {
        let entry = entry.map_err(|error| StoreError::io("list", temp_dir, error))?;
        let path = entry.path();
        let metadata = match entry.metadata() {
            Ok(metadata) => metadata,
            Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
            Err(error) => return Err(StoreError::io("inspect", &path, error)),
        };
        let stale = metadata
            .modified()
            .ok()
            .and_then(|modified| now.duration_since(modified).ok())
            .is_some_and(|age| age > STALE_TEMPORARY);
        if metadata.is_file() && stale {
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(error) if error.kind() == io::ErrorKind::NotFound => {}
                Err(error) => {
                    return Err(StoreError::io("remove stale temporary file", &path, error));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reopening_finds_stored_blobs() {
        let dir = tempfile::tempdir().expect("temp dir");
        let digest = {
            let store = FsStore::open(dir.path().join("store")).expect("open");
            store.put_bytes(b"kept").expect("put").0
        };
        let store = FsStore::open(dir.path().join("store")).expect("reopen");
        assert_eq!(store.get_bytes(&digest).expect("get"), b"kept");
    }

    #[test]
    fn no_temporary_files_are_left_behind() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = FsStore::open(dir.path()).expect("open");
        store.put_bytes(b"one").expect("put");
        store.put_bytes(b"one").expect("put again");
        let mut failing = io::Read::chain(&b"partial"[..], FailingReader);
        store.put(&mut failing).expect_err("reader fails");
        let temp: Vec<_> = fs::read_dir(dir.path().join(TEMP_DIR))
            .expect("list tmp")
            .collect();
        assert!(temp.is_empty(), "{temp:?}");
    }

    fn temporaries(dir: &Path) -> Vec<PathBuf> {
        fs::read_dir(dir.join(TEMP_DIR))
            .expect("list tmp")
            .map(|entry| entry.expect("entry").path())
            .collect()
    }

    #[test]
    fn batches_leave_no_temporary_files_behind() {
        for durability in [Durability::FileSystem, Durability::EachFile] {
            let dir = tempfile::tempdir().expect("temp dir");
            let store = FsStore::open(dir.path())
                .expect("open")
                .with_durability(durability);
            let mut batch = store.batch();
            let (digest, _) = batch.put_bytes(b"published").expect("put");
            batch.put_bytes(b"published").expect("put again");
            assert_eq!(temporaries(dir.path()).len(), 1, "{durability:?}");
            batch.sync().expect("sync");
            assert!(temporaries(dir.path()).is_empty(), "{durability:?}");
            let metadata = fs::metadata(store.blob_path(&digest)).expect("published");
            assert!(metadata.permissions().readonly());
            {
                let mut dropped = store.batch();
                dropped.put_bytes(b"dropped").expect("put");
                assert_eq!(temporaries(dir.path()).len(), 1);
            }
            assert!(temporaries(dir.path()).is_empty(), "{durability:?}");
        }
    }

    #[test]
    fn opening_removes_stale_temporary_files_only() {
        let dir = tempfile::tempdir().expect("temp dir");
        drop(FsStore::open(dir.path()).expect("create"));
        let stale = dir.path().join(TEMP_DIR).join("batch-crashed");
        let fresh = dir.path().join(TEMP_DIR).join("put-in-progress");
        fs::write(&stale, b"left by a crash").expect("stale");
        fs::write(&fresh, b"being written").expect("fresh");
        let an_hour_ago = SystemTime::now() - STALE_TEMPORARY - Duration::from_secs(60);
        File::options()
            .write(true)
            .open(&stale)
            .and_then(|file| file.set_modified(an_hour_ago))
            .expect("age the stale file");
        drop(FsStore::open(dir.path()).expect("reopen"));
        assert_eq!(temporaries(dir.path()), [fresh]);
    }

    /// Stores `bytes` as an earlier version did, two levels deep.
    fn put_legacy(store: &FsStore, bytes: &[u8]) -> Digest {
        let digest = Digest::of(bytes);
        let path = store.legacy_blob_path(&digest);
        fs::create_dir_all(path.parent().expect("parent")).expect("directories");
        fs::write(&path, bytes).expect("legacy blob");
        digest
    }

    #[test]
    fn blobs_of_the_two_level_layout_are_still_found() {
        for durability in [Durability::FileSystem, Durability::EachFile] {
            let dir = tempfile::tempdir().expect("temp dir");
            let store = FsStore::open(dir.path())
                .expect("open")
                .with_durability(durability);
            let old = put_legacy(&store, b"stored by an earlier version");
            assert!(store.contains(&old).expect("contains"));
            assert_eq!(store.size(&old).expect("size"), 28);
            assert_eq!(
                store.get_bytes(&old).expect("get"),
                b"stored by an earlier version"
            );
            // Storing the same contents again writes nothing new.
            store
                .put_bytes(b"stored by an earlier version")
                .expect("put");
            let mut batch = store.batch();
            batch
                .put_bytes(b"stored by an earlier version")
                .expect("batch put");
            assert!(batch.rely_on(&old).expect("rely_on"));
            let (new, _) = batch.put_bytes(b"stored now").expect("batch put");
            batch.sync().expect("sync");
            assert!(!store.blob_path(&old).exists(), "{durability:?}");
            assert!(store.blob_path(&new).is_file());
            let mut expected = vec![old, new];
            expected.sort_unstable();
            let listed: Vec<Digest> = store.iter().collect::<Result<_, _>>().expect("iter");
            assert_eq!(listed, expected);
        }
    }

    #[test]
    fn iteration_merges_both_layouts_in_order() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = FsStore::open(dir.path()).expect("open");
        let mut expected = Vec::new();
        for seed in 0..600u32 {
            let bytes = seed.to_le_bytes();
            let digest = if seed % 3 == 0 {
                put_legacy(&store, &bytes)
            } else {
                store.put_bytes(&bytes).expect("put").0
            };
            expected.push(digest);
        }
        // A blob in both places (an old and a new writer) is listed once.
        let both = put_legacy(&store, b"both");
        store.put_bytes(b"both").expect("put");
        fs::create_dir_all(store.blob_path(&both).parent().expect("parent")).expect("dir");
        fs::copy(store.legacy_blob_path(&both), store.blob_path(&both)).expect("copy");
        expected.push(both);
        expected.sort_unstable();
        let listed: Vec<Digest> = store.iter().collect::<Result<_, _>>().expect("iter");
        assert_eq!(listed, expected);
    }

    #[test]
    fn frames_are_kept_compressed_and_checked_when_read() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = FsStore::open(dir.path()).expect("open");
        let data: Vec<u8> = (0..100_000u32)
            .flat_map(|n| (n % 97).to_le_bytes())
            .collect();
        let frame = crate::frame::compress(&data, 3).expect("compress");
        let mut batch = store.batch();
        let (digest, size) = batch.put_frame(&frame).expect("put_frame");
        batch.sync().expect("sync");
        assert_eq!(size, data.len() as u64);
        // On disk: the frame itself, as `ab/cdef….zst`, nothing plain.
        assert_eq!(
            fs::read(store.frame_path(&digest)).expect("frame file"),
            frame
        );
        assert!(!store.blob_path(&digest).exists());
        assert_eq!(
            store.get_frame(&digest).expect("get_frame"),
            Some(frame.clone())
        );
        assert_eq!(store.get_bytes(&digest).expect("get"), data);
        assert_eq!(store.size(&digest).expect("size"), size);
        // A plain put of the same contents stores nothing new.
        store.put_bytes(&data).expect("put");
        assert!(!store.blob_path(&digest).exists());
        // Reopened, the store still finds it.
        let store = FsStore::open(dir.path()).expect("reopen");
        assert_eq!(
            store.iter().collect::<Result<Vec<_>, _>>().expect("iter"),
            [digest]
        );
        // Damage inside the frame is found when reading.
        let path = store.frame_path(&digest);
        let mut damaged = frame.clone();
        let middle = damaged.len() / 2;
        damaged[middle] ^= 0x55;
        let mut permissions = fs::metadata(&path).expect("stat").permissions();
        #[allow(
            clippy::permissions_set_readonly_false,
            reason = "the test damages a read-only blob on purpose"
        )]
        permissions.set_readonly(false);
        fs::set_permissions(&path, permissions).expect("writable");
        fs::write(&path, &damaged).expect("damage");
        assert!(store.get_bytes(&digest).is_err());
        // A damaged header is an error too, not a wrong size.
        fs::write(&path, b"garbage").expect("damage header");
        assert!(store.get(&digest).is_err());
        assert!(store.size(&digest).is_err());
    }

    #[test]
    fn plain_stores_of_earlier_versions_read_alongside_frames() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = FsStore::open(dir.path()).expect("open");
        let old = put_legacy(&store, b"two levels deep, plain");
        let (plain, _) = store.put_bytes(b"one level, plain").expect("put");
        let mut batch = store.batch();
        let frame = crate::frame::compress(b"one level, compressed", 3).expect("compress");
        let (compressed, _) = batch.put_frame(&frame).expect("put_frame");
        // Contents already stored plain are relied on, not stored again.
        let again = crate::frame::compress(b"two levels deep, plain", 3).expect("compress");
        assert_eq!(batch.put_frame(&again).expect("put_frame").0, old);
        batch.sync().expect("sync");
        assert!(!store.frame_path(&old).exists());
        for (digest, bytes) in [
            (old, &b"two levels deep, plain"[..]),
            (plain, b"one level, plain"),
            (compressed, b"one level, compressed"),
        ] {
            assert_eq!(store.get_bytes(&digest).expect("get"), bytes);
            assert_eq!(store.size(&digest).expect("size"), bytes.len() as u64);
        }
        assert_eq!(store.get_frame(&old).expect("get_frame"), None);
        assert_eq!(store.get_frame(&plain).expect("get_frame"), None);
        let mut expected = vec![old, plain, compressed];
        expected.sort_unstable();
        let listed: Vec<Digest> = store.iter().collect::<Result<_, _>>().expect("iter");
        assert_eq!(listed, expected);
    }

    #[test]
    fn blobs_are_read_only() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = FsStore::open(dir.path()).expect("open");
        let (digest, _) = store.put_bytes(b"frozen").expect("put");
        let metadata = fs::metadata(store.blob_path(&digest)).expect("metadata");
        assert!(metadata.permissions().readonly());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(metadata.permissions().mode() & 0o777, 0o444);
        }
    }

    #[test]
    fn stray_files_are_not_blobs() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = FsStore::open(dir.path()).expect("open");
        let (digest, _) = store.put_bytes(b"real").expect("put");
        let leaf = store.blob_path(&digest);
        let leaf_dir = leaf.parent().expect("leaf dir");
        fs::write(leaf_dir.join("README"), b"x").expect("stray file");
        fs::write(leaf_dir.join("Z".repeat(60)), b"x").expect("stray file");
        fs::create_dir(dir.path().join("zz")).expect("stray dir");
        fs::write(dir.path().join("ab"), b"not a directory").expect("stray file");
        let found: Vec<_> = store.iter().collect();
        assert!(
            found
                .iter()
                .any(|item| matches!(item, Ok(found) if *found == digest))
        );
        let digests: Vec<_> = found.into_iter().filter_map(Result::ok).collect();
        assert_eq!(digests, [digest]);
    }

    #[test]
    fn missing_root_directory_is_an_iteration_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = FsStore::open(dir.path().join("store")).expect("open");
        fs::remove_dir_all(dir.path().join("store")).expect("remove");
        let items: Vec<_> = store.iter().collect();
        assert!(
            matches!(items.as_slice(), [Err(StoreError::Io { .. })]),
            "{items:?}"
        );
    }

    struct FailingReader;

    impl Read for FailingReader {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::other("network went away"))
        }
    }
}
