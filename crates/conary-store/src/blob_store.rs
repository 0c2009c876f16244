//! The [`BlobStore`] trait that every backend implements.

use std::fmt;
use std::io::Read;

use crate::batch::Batch;
use crate::digest::Digest;
use crate::error::StoreError;
use crate::url::StoreUrl;

/// An append-only, content-addressed store of blobs named by their
/// [`Digest`].
///
/// There is no delete: a repository never forgets contents it has accepted.
/// [`put`](BlobStore::put) makes each blob durable before it returns; a
/// [`batch`](BlobStore::batch) makes many durable with one sync.
/// Every backend (see [`crate::StoreUrl`]) passes the same
/// [`crate::conformance`] suite. The trait is object safe and synchronous;
/// stores are shared between threads.
///
/// ```rust
/// use conary_store::{BlobStore, MemStore};
/// let store: Box<dyn BlobStore> = Box::new(MemStore::new());
/// let (digest, size) = store.put_bytes(b"#!/bin/sh\n")?;
/// assert_eq!(size, 10);
/// assert_eq!(store.get_bytes(&digest)?, b"#!/bin/sh\n");
/// # Ok::<(), conary_store::StoreError>(())
/// ```
pub trait BlobStore: Send + Sync + fmt::Debug {
    /// Where this store lives, as a URL that [`crate::open_store`] accepts.
    fn url(&self) -> StoreUrl;

    /// Stores everything `reader` yields, hashing while writing, without
    /// holding the whole blob in memory (except in memory backends). Returns
    /// the blob's digest and size. Storing contents that are already there is
    /// not an error and stores nothing new. When reading fails, nothing is
    /// stored. Callers limit the size of untrusted input (e.g. with
    /// [`Read::take`]).
    fn put(&self, reader: &mut dyn Read) -> Result<(Digest, u64), StoreError>;

    /// Stores `bytes`, as [`put`](BlobStore::put) does.
    fn put_bytes(&self, bytes: &[u8]) -> Result<(Digest, u64), StoreError> {
        let mut reader = bytes;
        self.put(&mut reader)
    }

    /// Starts a [`Batch`]: puts that are made durable and visible together
    /// by one [`Batch::sync`], for callers storing many blobs at once.
    fn batch(&self) -> Box<dyn Batch + '_>;

    /// Opens blob `digest` for reading. The reader verifies the contents as
    /// it goes and fails at the end of the stream when they do not match
    /// their digest (see [`crate::VerifyingReader`]): read to the end before
    /// trusting the bytes.
    fn get(&self, digest: &Digest) -> Result<Box<dyn Read + Send>, StoreError>;

    /// Reads the whole of blob `digest` into memory, verified; corruption is
    /// reported as [`StoreError::Corrupt`] or [`StoreError::WrongSize`].
    fn get_bytes(&self, digest: &Digest) -> Result<Vec<u8>, StoreError> {
        let mut reader = self.get(digest)?;
        let mut bytes = Vec::new();
        reader
            .read_to_end(&mut bytes)
            .map_err(|error| StoreError::from_read(*digest, error))?;
        Ok(bytes)
    }

    /// Blob `digest` as the zstd frame it is stored as (see
    /// [`crate::frame`]), for serving it compressed without compressing it
    /// again; `Ok(None)` when it is stored plain (or not at all). The frame
    /// was checked when it was stored and its header is checked now, but
    /// its contents are not verified: whoever decodes it checks them
    /// against `digest`, as a changeset reader does.
    fn get_frame(&self, digest: &Digest) -> Result<Option<Vec<u8>>, StoreError> {
        let _ = digest;
        Ok(None)
    }

    /// Whether blob `digest` is stored (its contents are not checked).
    fn contains(&self, digest: &Digest) -> Result<bool, StoreError>;

    /// The size in bytes of blob `digest`, or [`StoreError::NotFound`].
    fn size(&self, digest: &Digest) -> Result<u64, StoreError>;

    /// Every stored digest, in ascending order. Blobs stored while iterating
    /// may or may not be seen.
    fn iter(&self) -> Box<dyn Iterator<Item = Result<Digest, StoreError>> + '_>;
}
