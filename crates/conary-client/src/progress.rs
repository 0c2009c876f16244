//! [`Progress`]: how downloads report what they do. The CLI implements it
//! (bars, counts); the library never prints.

use conary_core::digest::Digest;

use crate::error::ClientError;

/// Receives the events of blob downloads. Every method has an empty
/// default; implementations are shared between download threads.
///
/// ```rust
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use conary_core::digest::Digest;
///
/// #[derive(Default)]
/// struct Count { bytes: AtomicU64, items: AtomicU64 }
/// impl conary_client::Progress for Count {
///     fn on_blob_bytes(&self, _: &Digest, bytes: u64) { self.bytes.fetch_add(bytes, Ordering::Relaxed); }
///     fn on_blob_done(&self, _: &Digest, _: u64) { self.items.fetch_add(1, Ordering::Relaxed); }
/// }
/// let count = Count::default();
/// conary_client::Progress::on_blob_done(&count, &Digest::of(b""), 0);
/// assert_eq!(count.items.load(Ordering::Relaxed), 1);
/// ```
pub trait Progress: Sync {
    /// A blob starts downloading; `size` when the server says it.
    fn on_blob_start(&self, digest: &Digest, size: Option<u64>) {
        let _ = (digest, size);
    }

    /// `bytes` more bytes of a blob were received and written.
    fn on_blob_bytes(&self, digest: &Digest, bytes: u64) {
        let _ = (digest, bytes);
    }

    /// Attempt number `attempt` failed with `error` and is tried again.
    fn on_blob_retry(&self, digest: &Digest, attempt: u32, error: &ClientError) {
        let _ = (digest, attempt, error);
    }

    /// A blob arrived whole and verified: `size` bytes.
    fn on_blob_done(&self, digest: &Digest, size: u64) {
        let _ = (digest, size);
    }
}

/// Reports nothing.
///
/// ```rust
/// conary_client::Progress::on_blob_bytes(&conary_client::NoProgress, &conary_core::digest::Digest::of(b""), 1);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}
