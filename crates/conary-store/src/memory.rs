//! [`MemStore`]: blobs in memory (`memory:`), for tests and caches.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::{self, Cursor, Read};
use std::path::PathBuf;
use std::sync::{Arc, PoisonError, RwLock};

use crate::batch::Batch;
use crate::blob_store::BlobStore;
use crate::digest::Digest;
use crate::error::StoreError;
use crate::url::StoreUrl;
use crate::verify::VerifyingReader;

type Blobs = BTreeMap<Digest, Arc<[u8]>>;

/// What [`MemStore::on_sync`] calls.
type SyncHook = Arc<dyn Fn(&[Digest]) -> Result<(), String> + Send + Sync>;

/// A blob store in memory. Clones share the same blobs.
///
/// [`put`](BlobStore::put) necessarily holds each blob in memory; reads are
/// verified like every other backend's. A [`Batch`] keeps its blobs apart
/// until [`Batch::sync`] publishes them, and [`MemStore::on_sync`] lets a
/// test watch (or fail) that moment.
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
    hook: Arc<RwLock<Option<SyncHook>>>,
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

    /// Calls `hook` at the start of every [`Batch::sync`] of this store
    /// (and its clones) with the digests the batch makes durable, in
    /// order, before any of them is published: the point at which a file
    /// store would sync. When `hook` returns `Err`, that sync fails and
    /// publishes nothing. Tests use it to see what a caller does before
    /// and after its blobs are durable.
    ///
    /// ```rust
    /// use std::sync::{Arc, Mutex};
    /// use conary_store::{BlobStore, MemStore};
    /// let store = MemStore::new();
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let log = Arc::clone(&seen);
    /// store.on_sync(move |digests| {
    ///     log.lock().expect("log").push(digests.len());
    ///     Ok(())
    /// });
    /// let mut batch = store.batch();
    /// batch.put_bytes(b"a")?;
    /// batch.put_bytes(b"b")?;
    /// batch.sync()?;
    /// assert_eq!(*seen.lock().expect("log"), [2]);
    /// # Ok::<(), conary_store::StoreError>(())
    /// ```
    pub fn on_sync(&self, hook: impl Fn(&[Digest]) -> Result<(), String> + Send + Sync + 'static) {
        *self.hook.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(hook));
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
        let (digest, bytes) = read_whole(reader)?;
        let size = bytes.len() as u64;
        let mut blobs = self.blobs.write().unwrap_or_else(PoisonError::into_inner);
        blobs.entry(digest).or_insert_with(|| bytes.into());
        Ok((digest, size))
    }

    fn batch(&self) -> Box<dyn Batch + '_> {
        Box::new(MemBatch {
            store: self,
            pending: BTreeMap::new(),
            relied: BTreeSet::new(),
        })
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

/// Reads all of `reader`, as a new blob's contents.
fn read_whole(reader: &mut dyn Read) -> Result<(Digest, Vec<u8>), StoreError> {
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .map_err(|source| StoreError::ReadInput { source })?;
    Ok((Digest::of(&bytes), bytes))
}

/// A [`Batch`] of a [`MemStore`]: blobs wait in the batch until `sync`.
struct MemBatch<'s> {
    store: &'s MemStore,
    pending: Blobs,
    relied: BTreeSet<Digest>,
}

impl fmt::Debug for MemBatch<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemBatch")
            .field("pending", &self.pending.len())
            .field("relied", &self.relied.len())
            .finish()
    }
}

impl Batch for MemBatch<'_> {
    fn put(&mut self, reader: &mut dyn Read) -> Result<(Digest, u64), StoreError> {
        let (digest, bytes) = read_whole(reader)?;
        let size = bytes.len() as u64;
        if !self.pending.contains_key(&digest) && !self.rely_on(&digest)? {
            self.pending.insert(digest, bytes.into());
        }
        Ok((digest, size))
    }

    fn rely_on(&mut self, digest: &Digest) -> Result<bool, StoreError> {
        if self.pending.contains_key(digest) {
            return Ok(true);
        }
        let stored = self.store.blob(digest).is_some();
        if stored {
            self.relied.insert(*digest);
        }
        Ok(stored)
    }

    fn len(&self) -> usize {
        self.pending.len() + self.relied.len()
    }

    fn sync(&mut self) -> Result<(), StoreError> {
        let pending = std::mem::take(&mut self.pending);
        let relied = std::mem::take(&mut self.relied);
        if pending.is_empty() && relied.is_empty() {
            return Ok(());
        }
        let hook = self
            .store
            .hook
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(hook) = hook {
            let mut digests: Vec<Digest> = pending.keys().chain(&relied).copied().collect();
            digests.sort_unstable();
            hook(&digests).map_err(|message| {
                StoreError::io("sync", PathBuf::from("memory:"), io::Error::other(message))
            })?;
        }
        let mut blobs = self
            .store
            .blobs
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        for (digest, bytes) in pending {
            blobs.entry(digest).or_insert(bytes);
        }
        Ok(())
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

    #[test]
    fn a_failing_sync_hook_publishes_nothing() {
        let store = MemStore::new();
        store.on_sync(|_| Err("disk on fire".into()));
        let mut batch = store.batch();
        let (digest, _) = batch.put_bytes(b"doomed").expect("put");
        let error = batch.sync().expect_err("hook fails");
        assert_eq!(error.to_string(), "cannot sync 'memory:'");
        assert!(!store.contains(&digest).expect("contains"));
        assert!(batch.is_empty(), "{batch:?}");
    }
}
