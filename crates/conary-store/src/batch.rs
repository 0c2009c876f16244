//! [`Batch`]: many puts made durable together, with one sync at the end.
//!
//! [`BlobStore::put`](crate::BlobStore::put) makes each blob durable
//! before it returns, which costs a few fsyncs per blob. A repository
//! commit stores hundreds or thousands of blobs and needs them durable only
//! once, before the database transaction that references them commits. A
//! batch writes each blob without syncing and publishes them all in
//! [`Batch::sync`].
//!
//! The rules every backend keeps:
//!
//! - A blob put into a batch is invisible (to `get`, `contains`, `size`,
//!   `iter`) until `sync` publishes it, and it is published only once its
//!   contents are durable. So whatever a reader can see is whole, and a
//!   crash before `sync` leaves at most unpublished leftovers (temporary
//!   files a later open removes).
//! - When `sync` returns `Ok`, every blob put into the batch and every blob
//!   passed to [`Batch::rely_on`] is durable: contents and name.
//! - A batch dropped without `sync` publishes nothing.
//!
//! ```rust
//! use conary_store::{BlobStore, MemStore};
//! let store = MemStore::new();
//! let mut batch = store.batch();
//! let (digest, _) = batch.put_bytes(b"one of many")?;
//! assert!(!store.contains(&digest)?, "not published yet");
//! batch.sync()?;
//! assert_eq!(store.get_bytes(&digest)?, b"one of many");
//! # Ok::<(), conary_store::StoreError>(())
//! ```

use std::fmt;
use std::io::Read;

use crate::digest::Digest;
use crate::error::StoreError;

/// A group of puts into one store, made durable and visible together by
/// [`sync`](Batch::sync). Get one from [`crate::BlobStore::batch`]; see the
/// [module documentation](self) for the rules.
///
/// ```rust
/// use conary_store::{BlobStore, MemStore};
/// let store = MemStore::new();
/// let (kept, _) = store.put_bytes(b"already stored")?;
/// let mut batch = store.batch();
/// batch.put_bytes(b"new")?;
/// assert!(batch.rely_on(&kept)?);
/// assert_eq!(batch.len(), 2);
/// batch.sync()?;
/// assert!(batch.is_empty());
/// # Ok::<(), conary_store::StoreError>(())
/// ```
pub trait Batch: Send + fmt::Debug {
    /// Stores everything `reader` yields, hashing while writing, as
    /// [`crate::BlobStore::put`] does, but without making it durable or
    /// visible: [`sync`](Batch::sync) does both. Returns the digest and
    /// size. Contents already stored, or already put into this batch, are
    /// not written again (they count as [relied on](Batch::rely_on)). When
    /// reading fails, nothing is kept and the batch stays usable.
    fn put(&mut self, reader: &mut dyn Read) -> Result<(Digest, u64), StoreError>;

    /// Stores `bytes`, as [`put`](Batch::put) does.
    fn put_bytes(&mut self, bytes: &[u8]) -> Result<(Digest, u64), StoreError> {
        let mut reader = bytes;
        self.put(&mut reader)
    }

    /// Stores the contents of the zstd `frame` (checked as
    /// [`crate::frame::check`] does; a frame refused stores nothing), as
    /// [`put`](Batch::put) does, and returns their digest and size. A
    /// backend that can keeps the frame as it is (see [`crate::frame`]);
    /// the others store the decoded contents.
    fn put_frame(&mut self, frame: &[u8]) -> Result<(Digest, u64), StoreError> {
        let contents = crate::frame::decode(frame)?;
        self.put_bytes(&contents)
    }

    /// Notes that the caller will rely on blob `digest`, which it did not
    /// put through this batch, still being there after a crash (because it
    /// is about to record a reference to it): [`sync`](Batch::sync) then
    /// makes sure it is durable too, even when another writer published it
    /// a moment ago. Returns whether the blob is stored (or put into this
    /// batch); when it is not, nothing is noted.
    fn rely_on(&mut self, digest: &Digest) -> Result<bool, StoreError>;

    /// How many distinct blobs the next [`sync`](Batch::sync) will make
    /// durable (put into the batch, or relied on).
    fn len(&self) -> usize;

    /// Whether there is nothing for [`sync`](Batch::sync) to do.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Makes every blob put into the batch durable and then visible, and
    /// every blob relied on durable; afterwards the batch is empty and can
    /// be used again. On error, blobs not yet published are dropped: some
    /// may have been published, none is referenced by anything yet.
    fn sync(&mut self) -> Result<(), StoreError>;
}
