//! [`MemStore`]: blobs in memory (`memory:`), for tests and caches.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{Cursor, Read};
use std::sync::{Arc, PoisonError, RwLock};

use crate::blob_store::BlobStore;
use crate::digest::Digest;
use crate::error::StoreError;
use crate::url::StoreUrl;
use crate::verify::VerifyingReader;

type Blobs = BTreeMap<Digest, Arc<[u8]>>;

/// A blob store in memory. Clones share the same blobs.
///
/// [`put`](BlobStore::put) necessarily holds each blob in memory; reads are
/// verified like every other backend's.
///
/// ```rust
/// use conary_store::{BlobStore, MemStore};
/// let store = MemStore::new();
/// let (digest, _) = store.put_bytes(b"contents")?;
/// assert!(store.clone().contains(&digest)?);
/// assert_eq!(store.url().to_string(), "memory:");
/// # Ok::<(), conary_store::StoreError>(())
/// ```
#[derive(Clone, Default)]
pub struct MemStore {
    blobs: Arc<RwLock<Blobs>>,
}

impl MemStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Flips the bits of the byte at `offset` of blob `digest`, to simulate
    /// bit rot: the [`crate::conformance`] suite uses it to check that reads
    /// detect corruption. Returns whether there was such a byte to flip.
    pub fn flip_byte(&self, digest: &Digest, offset: usize) -> bool {
        let mut blobs = self.blobs.write().unwrap_or_else(PoisonError::into_inner);
        let Some(blob) = blobs.get_mut(digest) else {
            return false;
        };
        let mut damaged = blob.to_vec();
        let Some(byte) = damaged.get_mut(offset) else {
            return false;
        };
        *byte ^= 0xff;
        *blob = damaged.into();
        true
    }

    fn blob(&self, digest: &Digest) -> Option<Arc<[u8]>> {
        let blobs = self.blobs.read().unwrap_or_else(PoisonError::into_inner);
        blobs.get(digest).cloned()
    }
}

impl fmt::Debug for MemStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self
            .blobs
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        f.debug_struct("MemStore").field("blobs", &count).finish()
    }
}

impl BlobStore for MemStore {
    fn url(&self) -> StoreUrl {
        StoreUrl::Memory
    }

    fn put(&self, reader: &mut dyn Read) -> Result<(Digest, u64), StoreError> {
        let mut bytes = Vec::new();
        reader
            .read_to_end(&mut bytes)
            .map_err(|source| StoreError::ReadInput { source })?;
        let digest = Digest::of(&bytes);
        let size = bytes.len() as u64;
        let mut blobs = self.blobs.write().unwrap_or_else(PoisonError::into_inner);
        blobs.entry(digest).or_insert_with(|| bytes.into());
        Ok((digest, size))
    }

    fn get(&self, digest: &Digest) -> Result<Box<dyn Read + Send>, StoreError> {
        let blob = self
            .blob(digest)
            .ok_or(StoreError::NotFound { digest: *digest })?;
        Ok(Box::new(VerifyingReader::new(
            Cursor::new(blob),
            *digest,
            None,
        )))
    }

    fn contains(&self, digest: &Digest) -> Result<bool, StoreError> {
        Ok(self.blob(digest).is_some())
    }

    fn size(&self, digest: &Digest) -> Result<u64, StoreError> {
        self.blob(digest)
            .map(|blob| blob.len() as u64)
            .ok_or(StoreError::NotFound { digest: *digest })
    }

    fn iter(&self) -> Box<dyn Iterator<Item = Result<Digest, StoreError>> + '_> {
        let digests: Vec<Digest> = self
            .blobs
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .keys()
            .copied()
            .collect();
        Box::new(digests.into_iter().map(Ok))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flip_byte_needs_an_existing_byte() {
        let store = MemStore::new();
        let (digest, _) = store.put_bytes(b"ab").expect("put");
        assert!(!store.flip_byte(&digest, 2));
        assert!(!store.flip_byte(&Digest::of(b"other"), 0));
        assert!(store.flip_byte(&digest, 1));
        assert!(matches!(
            store.get_bytes(&digest),
            Err(StoreError::Corrupt { .. })
        ));
        assert_eq!(format!("{store:?}"), "MemStore { blobs: 1 }");
    }
}
