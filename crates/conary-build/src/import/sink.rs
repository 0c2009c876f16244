//! Where imported file contents go: [`ContentSink`] and its implementations.
//!
//! The importer streams each regular file once: it hashes the contents with
//! BLAKE3 while the sink reads them, then checks that the sink read them to
//! the end and named them by the same digest. [`MemorySink`] and
//! [`StoreSink`] are also changeset content sources, to write the changeset
//! of an import (see [`ImportedPackage::to_changeset`](super::ImportedPackage::to_changeset)).

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Read};

use conary_core::digest::{Digest, Hasher};
use conary_store::BlobStore;

/// Stores file contents, addressed by their BLAKE3 digest.
///
/// ```rust
/// use conary_build::import::{ContentSink, MemorySink};
/// let mut sink = MemorySink::new();
/// let digest = sink.put(&mut &b"hello"[..])?;
/// assert_eq!(sink.get(&digest), Some(&b"hello"[..]));
/// # Ok::<(), std::io::Error>(())
/// ```
pub trait ContentSink {
    /// Reads `contents` to the end, stores them, and returns their digest.
    fn put(&mut self, contents: &mut dyn Read) -> io::Result<Digest>;
}

/// Keeps contents in memory, by digest; for tests and small imports.
///
/// ```rust
/// let sink = conary_build::import::MemorySink::new();
/// assert!(sink.is_empty());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemorySink {
    blobs: BTreeMap<Digest, Vec<u8>>,
}

impl MemorySink {
    /// An empty sink.
    pub fn new() -> MemorySink {
        MemorySink::default()
    }

    /// The contents stored under `digest`.
    pub fn get(&self, digest: &Digest) -> Option<&[u8]> {
        self.blobs.get(digest).map(Vec::as_slice)
    }

    /// The number of distinct contents stored.
    pub fn len(&self) -> usize {
        self.blobs.len()
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.blobs.is_empty()
    }

    /// Every stored contents, by digest.
    pub fn blobs(&self) -> &BTreeMap<Digest, Vec<u8>> {
        &self.blobs
    }
}

impl ContentSink for MemorySink {
    fn put(&mut self, contents: &mut dyn Read) -> io::Result<Digest> {
        let mut bytes = Vec::new();
        contents.read_to_end(&mut bytes)?;
        let digest = Digest::of(&bytes);
        self.blobs.entry(digest).or_insert(bytes);
        Ok(digest)
    }
}

/// Stores nothing: only hashes. For computing troves (and their digests)
/// without keeping the contents, e.g. to see whether an import would change
/// anything.
///
/// ```rust
/// use conary_build::import::{ContentSink, DigestOnlySink};
/// let digest = DigestOnlySink.put(&mut &b""[..])?;
/// assert_eq!(digest, conary_core::digest::Digest::of(b""));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DigestOnlySink;

impl ContentSink for DigestOnlySink {
    fn put(&mut self, contents: &mut dyn Read) -> io::Result<Digest> {
        let mut hasher = Hasher::new();
        let mut buffer = vec![0u8; 64 << 10];
        loop {
            let read = contents.read(&mut buffer)?;
            if read == 0 {
                return Ok(hasher.finalize());
            }
            hasher.update(buffer.get(..read).unwrap_or_default());
        }
    }
}

/// Stores contents in a [`BlobStore`] (a repository's blob store).
///
/// ```rust
/// use conary_build::import::{ContentSink, StoreSink};
/// let store = conary_store::open_store("memory:").expect("memory store");
/// let digest = StoreSink::new(store.as_ref()).put(&mut &b"hello"[..])?;
/// assert_eq!(store.get_bytes(&conary_store::Digest::from_bytes(*digest.as_bytes())).expect("stored"), b"hello");
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct StoreSink<'a> {
    store: &'a dyn BlobStore,
}

impl<'a> StoreSink<'a> {
    /// A sink over `store`.
    pub fn new(store: &'a dyn BlobStore) -> StoreSink<'a> {
        StoreSink { store }
    }

    /// The store contents go to.
    pub fn store(&self) -> &'a dyn BlobStore {
        self.store
    }
}

impl fmt::Debug for StoreSink<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("StoreSink")
            .field("store", &self.store.url().to_string())
            .finish()
    }
}

impl ContentSink for StoreSink<'_> {
    fn put(&mut self, contents: &mut dyn Read) -> io::Result<Digest> {
        let (digest, _size) = self.store.put(contents).map_err(io::Error::other)?;
        Ok(Digest::from_bytes(*digest.as_bytes()))
    }
}

/// A reader that hashes and counts what passes through it.
pub(crate) struct HashingReader<'a> {
    inner: &'a mut dyn Read,
    hasher: Hasher,
    read: u64,
}

impl<'a> HashingReader<'a> {
    pub(crate) fn new(inner: &'a mut dyn Read) -> HashingReader<'a> {
        HashingReader {
            inner,
            hasher: Hasher::new(),
            read: 0,
        }
    }

    /// The digest and the count of the bytes read so far.
    pub(crate) fn finish(&self) -> (Digest, u64) {
        (self.hasher.finalize(), self.read)
    }
}

impl Read for HashingReader<'_> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buffer)?;
        let data = buffer.get(..read).unwrap_or_default();
        self.hasher.update(data);
        self.read = self.read.saturating_add(read as u64);
        Ok(read)
    }
}
