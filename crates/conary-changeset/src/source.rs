//! Where contents come from: the [`ContentSource`] trait and three sources.
//!
//! Writers read the contents they compress from a source; delta encoding
//! and decoding read the old contents (the base) from one. A blob store, a
//! root file system or a repository implements the trait in the crate that
//! owns it; this crate has sources in memory ([`MemContents`]), in files
//! ([`FileContents`]) and none at all ([`NoContents`]).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

use conary_core::digest::{Digest, Hasher};

use crate::error::ChangeSetError;

/// Contents by digest.
///
/// Sources are not trusted: whatever they return is hashed and checked
/// against the digest it was asked for before it is used.
///
/// ```rust
/// use conary_changeset::{ContentSource, MemContents};
/// let mut contents = MemContents::new();
/// let digest = contents.insert(b"hello".to_vec());
/// let mut text = String::new();
/// contents.open(&digest)?.expect("present").read_to_string(&mut text)?;
/// assert_eq!(text, "hello");
/// # use std::io::Read;
/// # Ok::<(), std::io::Error>(())
/// ```
pub trait ContentSource {
    /// Opens the contents with `digest`, or `Ok(None)` when this source does
    /// not have them.
    fn open(&self, digest: &Digest) -> io::Result<Option<Box<dyn Read + '_>>>;

    /// The contents with `digest` as one zstd frame that declares their
    /// size, when this source keeps them compressed (a repository's blob
    /// store), so that a writer copies the frame into a full payload
    /// instead of compressing again; `Ok(None)` otherwise (the default).
    /// The frame must decode within the window a reader allows a full
    /// payload (no wider than its contents, at most 128 MiB). Its contents
    /// are not checked by the writer: a reader checks every payload
    /// against its digest.
    fn open_frame(&self, digest: &Digest) -> io::Result<Option<Vec<u8>>> {
        let _ = digest;
        Ok(None)
    }
}

impl<T: ContentSource + ?Sized> ContentSource for &T {
    fn open(&self, digest: &Digest) -> io::Result<Option<Box<dyn Read + '_>>> {
        (**self).open(digest)
    }

    fn open_frame(&self, digest: &Digest) -> io::Result<Option<Vec<u8>>> {
        (**self).open_frame(digest)
    }
}

/// Two sources, the first asked first: e.g. `(&new_contents, &old_contents)`
/// for a writer that needs both the new contents and the bases of deltas.
///
/// ```rust
/// use conary_changeset::{ContentSource, MemContents};
/// let (mut new, mut old) = (MemContents::new(), MemContents::new());
/// let digest = old.insert(b"old".to_vec());
/// assert!((&new, &old).open(&digest)?.is_some());
/// # new.insert(Vec::new());
/// # Ok::<(), std::io::Error>(())
/// ```
impl<A: ContentSource, B: ContentSource> ContentSource for (A, B) {
    fn open(&self, digest: &Digest) -> io::Result<Option<Box<dyn Read + '_>>> {
        match self.0.open(digest)? {
            Some(reader) => Ok(Some(reader)),
            None => self.1.open(digest),
        }
    }

    fn open_frame(&self, digest: &Digest) -> io::Result<Option<Vec<u8>>> {
        match self.0.open(digest)? {
            // The first source has the contents: its frame or none.
            Some(_) => self.0.open_frame(digest),
            None => self.1.open_frame(digest),
        }
    }
}

/// A source with nothing in it, e.g. the old contents of an absolute
/// changeset.
///
/// ```rust
/// use conary_changeset::{ContentSource, NoContents};
/// assert!(NoContents.open(&conary_core::digest::Digest::of(b"")).expect("no error").is_none());
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct NoContents;

impl ContentSource for NoContents {
    fn open(&self, _digest: &Digest) -> io::Result<Option<Box<dyn Read + '_>>> {
        Ok(None)
    }
}

/// Contents held in memory, by digest.
///
/// ```rust
/// use conary_changeset::MemContents;
/// let mut contents = MemContents::new();
/// let digest = contents.insert(b"data".to_vec());
/// assert_eq!(contents.get(&digest), Some(&b"data"[..]));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemContents {
    blobs: BTreeMap<Digest, Vec<u8>>,
}

impl MemContents {
    /// An empty source.
    pub fn new() -> MemContents {
        MemContents::default()
    }

    /// Keeps `bytes` and returns their digest.
    pub fn insert(&mut self, bytes: Vec<u8>) -> Digest {
        let digest = Digest::of(&bytes);
        self.blobs.insert(digest, bytes);
        digest
    }

    /// The contents with `digest`.
    pub fn get(&self, digest: &Digest) -> Option<&[u8]> {
        self.blobs.get(digest).map(Vec::as_slice)
    }

    /// The number of distinct contents kept.
    pub fn len(&self) -> usize {
        self.blobs.len()
    }

    /// True when nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.blobs.is_empty()
    }
}

impl ContentSource for MemContents {
    fn open(&self, digest: &Digest) -> io::Result<Option<Box<dyn Read + '_>>> {
        Ok(self
            .get(digest)
            .map(|bytes| Box::new(bytes) as Box<dyn Read + '_>))
    }
}

/// Contents in files, by digest: e.g. the files of a tree extracted from a
/// package, hashed once with [`FileContents::add`].
///
/// ```rust
/// let dir = tempfile::tempdir()?;
/// std::fs::write(dir.path().join("motd"), b"hi\n")?;
/// let mut contents = conary_changeset::FileContents::new();
/// let (digest, size) = contents.add(&dir.path().join("motd"))?;
/// assert_eq!((digest, size), (conary_core::digest::Digest::of(b"hi\n"), 3));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileContents {
    paths: BTreeMap<Digest, PathBuf>,
}

impl FileContents {
    /// An empty source.
    pub fn new() -> FileContents {
        FileContents::default()
    }

    /// Records that `path` holds the contents with `digest` (checked when
    /// they are read).
    pub fn insert(&mut self, digest: Digest, path: PathBuf) {
        self.paths.insert(digest, path);
    }

    /// Hashes the file at `path`, records it, and returns its digest and size.
    pub fn add(&mut self, path: &Path) -> io::Result<(Digest, u64)> {
        let mut reader = BufReader::new(File::open(path)?);
        let mut hasher = Hasher::new();
        let mut size = 0u64;
        let mut buffer = vec![0u8; 64 << 10];
        loop {
            let read = reader.read(&mut buffer)?;
            let Some(chunk) = buffer.get(..read).filter(|chunk| !chunk.is_empty()) else {
                break;
            };
            hasher.update(chunk);
            size = size.saturating_add(read as u64);
        }
        let digest = hasher.finalize();
        self.insert(digest, path.to_path_buf());
        Ok((digest, size))
    }

    /// The number of distinct contents recorded.
    pub fn len(&self) -> usize {
        self.paths.len()
    }

    /// True when nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }
}

impl ContentSource for FileContents {
    fn open(&self, digest: &Digest) -> io::Result<Option<Box<dyn Read + '_>>> {
        match self.paths.get(digest) {
            Some(path) => Ok(Some(Box::new(BufReader::new(File::open(path)?)))),
            None => Ok(None),
        }
    }
}

/// Reads the contents `digest` from `source` whole, refusing more than
/// `max` bytes, and checks them against their digest.
pub(crate) fn read_verified(
    source: &dyn ContentSource,
    digest: &Digest,
    max: u64,
    what: &'static str,
) -> Result<Vec<u8>, ChangeSetError> {
    let action = || format!("read {what} {digest}");
    let reader = source
        .open(digest)
        .map_err(|error| ChangeSetError::io(action(), error))?
        .ok_or(ChangeSetError::Unavailable {
            what,
            digest: *digest,
        })?;
    let mut bytes = Vec::new();
    reader
        .take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|error| ChangeSetError::io(action(), error))?;
    crate::validate::limit_u64(&format!("bytes in {what}"), bytes.len() as u64, max)?;
    let found = Digest::of(&bytes);
    if found != *digest {
        return Err(ChangeSetError::DigestMismatch {
            what,
            expected: *digest,
            found,
        });
    }
    Ok(bytes)
}

/// The frame `source` keeps for the contents `digest` of `size` bytes
/// ([`ContentSource::open_frame`]), when it is one whole zstd frame that
/// declares exactly that size; `None` otherwise (the caller compresses).
pub(crate) fn stored_frame(
    source: &dyn ContentSource,
    digest: &Digest,
    size: u64,
) -> Result<Option<Vec<u8>>, ChangeSetError> {
    let Some(frame) = source
        .open_frame(digest)
        .map_err(|error| ChangeSetError::io(format!("read contents {digest}"), error))?
    else {
        return Ok(None);
    };
    let declared = zstd::zstd_safe::get_frame_content_size(&frame)
        .ok()
        .flatten();
    let whole = zstd::zstd_safe::find_frame_compressed_size(&frame).ok() == Some(frame.len());
    Ok((declared == Some(size) && whole).then_some(frame))
}

/// Names one delta a [`DeltaStore`] keeps: the contents it makes
/// (`target`), the contents it is made against (`base`), and how it was
/// encoded ([`delta_encoding`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DeltaKey {
    /// The digest of the contents the delta makes.
    pub target: Digest,
    /// The digest of the contents it is made against.
    pub base: Digest,
    /// The encoding: see [`delta_encoding`].
    pub encoding: Digest,
}

/// A delta as [`crate::ChangeSetBuilder`] made it when weighing it
/// against the full payload, kept by a [`DeltaStore`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDelta {
    /// The size of the base contents.
    pub base_size: u64,
    /// The size of the target contents (pledged in the frame).
    pub size: u64,
    /// The length of the delta's zstd frame.
    pub len: u64,
    /// The frame itself, kept when it was smaller than the full payload
    /// when made; `None` records that the full payload was smaller (a
    /// builder that finds the delta smaller after all makes it again).
    pub frame: Option<Vec<u8>>,
}

/// Deltas made before, for [`crate::ChangeSetBuilder::build_using`]: a
/// delta found here is not made again, and a delta made is offered here.
/// Both are best effort: a store that fails answers `None` and drops
/// what it is given. A store hands back exactly what it was given for a
/// key (damaged entries are its to detect); the builder checks sizes.
pub trait DeltaStore {
    /// The delta kept under `key`, if any.
    fn get(&self, key: &DeltaKey) -> Option<StoredDelta>;

    /// Keeps `delta` under `key`.
    fn put(&self, key: &DeltaKey, delta: &StoredDelta);
}

/// The version of how deltas are encoded (`compress::encoder`: window,
/// long-distance matching, checksum, pledged size). Bump it whenever the
/// bytes of a delta change for the same contents and level.
const DELTA_ENCODING_VERSION: u32 = 1;

/// The encoding of deltas made at `delta_level` by this build: a digest of
/// the changeset format, the delta encoding's version, the level and the
/// zstd library's version, so that a stored delta is found only by a
/// builder that would make the same bytes.
///
/// ```rust
/// use conary_changeset::delta_encoding;
/// assert_eq!(delta_encoding(9), delta_encoding(9));
/// assert_ne!(delta_encoding(9), delta_encoding(19));
/// ```
pub fn delta_encoding(delta_level: i32) -> Digest {
    let mut hasher = Hasher::new();
    hasher.update(b"conary delta encoding\0");
    hasher.update(&crate::index::CHANGESET_FORMAT.number.to_le_bytes());
    hasher.update(&DELTA_ENCODING_VERSION.to_le_bytes());
    hasher.update(&delta_level.to_le_bytes());
    hasher.update(&zstd::zstd_safe::version_number().to_le_bytes());
    hasher.finalize()
}
