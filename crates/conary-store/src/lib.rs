//! Content-addressed storage of file contents, named by their BLAKE3 digest.
//!
//! A repository keeps every file's contents once, under the hash of those
//! contents, and never deletes any. This crate owns that storage and nothing
//! above it (what a blob *is* belongs to troves and changesets):
//!
//! - [`BlobStore`]: the object-safe trait every backend implements: `put`
//!   streams and hashes, `get` returns a reader that verifies while reading,
//!   and there is no delete; [`Batch`] stores many blobs and makes them
//!   durable with one sync.
//! - Backends, chosen by URL through [`open_store`] / [`StoreUrl`]:
//!   [`FsStore`] (`file:///path`, fan-out directories, atomic renames) and
//!   [`MemStore`] (`memory:`). Object storage comes later, behind the same
//!   trait.
//! - [`frame`]: blobs kept as the zstd frames they arrived in, served
//!   compressed by [`BlobStore::get_frame`] and plain by `get`.
//! - [`conformance`]: the one suite of checks that every backend passes.
//! - [`Digest`]: the 32-byte name of a blob (`conary_core::digest::Digest`,
//!   re-exported), shown as lowercase hex, and
//!   [`VerifyingReader`], which checks a stream against it.
//!
//! ```rust
//! let store = conary_store::open_store("memory:")?;
//! let (digest, size) = store.put(&mut &b"hello"[..])?;
//! assert_eq!(size, 5);
//! assert_eq!(digest, conary_store::Digest::of(b"hello"));
//! assert_eq!(store.get_bytes(&digest)?, b"hello");
//! # Ok::<(), conary_store::StoreError>(())
//! ```

pub mod batch;
pub mod blob_store;
pub mod conformance;
pub mod digest;
pub mod error;
pub mod frame;
pub mod fs;
pub mod memory;
pub mod url;
pub mod verify;

pub use batch::Batch;
pub use blob_store::BlobStore;
pub use digest::{DIGEST_LEN, Digest, DigestError};
pub use error::StoreError;
pub use fs::FsStore;
pub use memory::MemStore;
pub use url::{StoreUrl, open_store};
pub use verify::VerifyingReader;
