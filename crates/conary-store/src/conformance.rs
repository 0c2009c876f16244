//! The conformance suite that every [`BlobStore`] backend passes.
//!
//! A backend joins the suite by implementing [`Backend`] (how to make a fresh
//! store and how to damage a blob behind its back) and running [`run`] from
//! a test:
//!
//! ```rust
//! use conary_store::conformance::{self, MemBackend};
//! conformance::run(&mut MemBackend::default()).map_err(conformance::report)?;
//! # Ok::<(), String>(())
//! ```
//!
//! The checks are plain functions listed in [`CHECKS`], so a failure names
//! the check and what went wrong instead of panicking inside a library.

use std::fmt;
use std::io::{self, Read};
use std::path::PathBuf;
use std::thread;

use crate::blob_store::BlobStore;
use crate::digest::Digest;
use crate::error::StoreError;
use crate::fs::{Durability, FsStore};
use crate::memory::MemStore;

/// A backend under test.
pub trait Backend {
    /// A new, empty store.
    fn create(&mut self) -> Result<Box<dyn BlobStore>, StoreError>;

    /// Damages one byte of blob `digest` in the store most recently returned
    /// by [`create`](Backend::create), bypassing the store (bit rot).
    fn corrupt(&mut self, digest: &Digest) -> Result<(), String>;
}

/// A check that failed, and why.
///
/// ```rust
/// let failure = conary_store::conformance::Failure { check: "dedup", message: "two blobs".into() };
/// assert_eq!(failure.to_string(), "dedup: two blobs");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The name of the check, as in [`CHECKS`].
    pub check: &'static str,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.check, self.message)
    }
}

/// One check of the suite: `Err` says what went wrong.
pub type Check = fn(&mut dyn Backend) -> Result<(), String>;

/// Every check, by name.
pub const CHECKS: &[(&str, Check)] = &[
    ("round_trip", round_trip),
    ("dedup", dedup),
    ("missing_blob", missing_blob),
    ("corrupt_blob_detected", corrupt_blob_detected),
    ("empty_blob", empty_blob),
    ("large_blob_streamed", large_blob_streamed),
    ("concurrent_puts", concurrent_puts),
    ("iter_is_sorted", iter_is_sorted),
    ("failed_put_stores_nothing", failed_put_stores_nothing),
    ("batch_round_trip", batch_round_trip),
    ("batch_dedup", batch_dedup),
    ("batch_publishes_only_on_sync", batch_publishes_only_on_sync),
    ("concurrent_batches", concurrent_batches),
    ("batch_frames", batch_frames),
];

/// Size of the blob [`large_blob_streamed`] stores without holding it.
pub const LARGE_BLOB_SIZE: u64 = 20 * 1024 * 1024;

/// Runs every check on stores from `backend`; returns all failures.
pub fn run(backend: &mut dyn Backend) -> Result<(), Vec<Failure>> {
    let failures: Vec<Failure> = CHECKS
        .iter()
        .filter_map(|(check, function)| {
            function(backend)
                .err()
                .map(|message| Failure { check, message })
        })
        .collect();
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures)
    }
}

/// Formats the failures of [`run`] one per line, for a test's error.
pub fn report(failures: Vec<Failure>) -> String {
    failures
        .iter()
        .map(Failure::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Adds what was being done to an error.
trait Context<T> {
    fn context(self, what: &str) -> Result<T, String>;
}

impl<T, E: fmt::Display> Context<T> for Result<T, E> {
    fn context(self, what: &str) -> Result<T, String> {
        self.map_err(|error| format!("{what}: {error}"))
    }
}

fn ensure(condition: bool, message: impl FnOnce() -> String) -> Result<(), String> {
    if condition { Ok(()) } else { Err(message()) }
}

fn all_digests(store: &dyn BlobStore) -> Result<Vec<Digest>, String> {
    store.iter().collect::<Result<_, _>>().context("iter")
}

/// Stores blobs of awkward sizes and reads them back through every method.
pub fn round_trip(backend: &mut dyn Backend) -> Result<(), String> {
    let store = backend.create().context("create store")?;
    let sizes = [1u64, 17, 4095, 4096, 4097, 65_536, 65_537, 1024 * 1024 + 3];
    for (seed, size) in (1u64..).zip(sizes) {
        let bytes = PatternReader::new(seed, size).into_vec();
        let expected = Digest::of(&bytes);
        let (digest, stored_size) = if seed % 2 == 0 {
            store.put_bytes(&bytes).context("put_bytes")?
        } else {
            let mut reader = PatternReader::new(seed, size).with_chunk(1000);
            store.put(&mut reader).context("put")?
        };
        ensure(digest == expected, || {
            format!("put of {size} bytes returned {digest}, expected {expected}")
        })?;
        ensure(stored_size == size, || {
            format!("put of {size} bytes reported {stored_size}")
        })?;
        ensure(store.contains(&digest).context("contains")?, || {
            format!("{digest} not contained after put")
        })?;
        let reported = store.size(&digest).context("size")?;
        ensure(reported == size, || {
            format!("size of {digest} is {reported}, expected {size}")
        })?;
        ensure(
            store.get_bytes(&digest).context("get_bytes")? == bytes,
            || format!("get_bytes of {digest} returned other bytes"),
        )?;
        let mut streamed = Vec::new();
        store
            .get(&digest)
            .context("get")?
            .read_to_end(&mut streamed)
            .context("read")?;
        ensure(streamed == bytes, || {
            format!("get of {digest} returned other bytes")
        })?;
    }
    Ok(())
}

/// The same contents stored twice (whole, then in small reads) are one blob.
pub fn dedup(backend: &mut dyn Backend) -> Result<(), String> {
    let store = backend.create().context("create store")?;
    let bytes = PatternReader::new(7, 100_000).into_vec();
    let (first, _) = store.put_bytes(&bytes).context("first put")?;
    let mut reader = PatternReader::new(7, 100_000).with_chunk(7);
    let (second, size) = store.put(&mut reader).context("second put")?;
    ensure(first == second && size == 100_000, || {
        format!("same contents gave {first} and {second} ({size} bytes)")
    })?;
    let digests = all_digests(store.as_ref())?;
    ensure(digests == [first], || {
        format!("store holds {digests:?}, expected one blob")
    })?;
    ensure(
        store.get_bytes(&first).context("get_bytes")? == bytes,
        || "stored contents changed on the second put".into(),
    )
}

/// A digest that was never stored is reported as missing everywhere.
pub fn missing_blob(backend: &mut dyn Backend) -> Result<(), String> {
    let store = backend.create().context("create store")?;
    store.put_bytes(b"present").context("put")?;
    let absent = Digest::of(b"absent");
    ensure(!store.contains(&absent).context("contains")?, || {
        "contains is true for a missing blob".into()
    })?;
    let not_found = |result: Result<(), StoreError>, method: &str| match result {
        Err(StoreError::NotFound { digest }) if digest == absent => Ok(()),
        other => Err(format!("{method} of a missing blob gave {other:?}")),
    };
    not_found(store.get(&absent).map(drop), "get")?;
    not_found(store.get_bytes(&absent).map(drop), "get_bytes")?;
    not_found(store.size(&absent).map(drop), "size")
}

/// A blob damaged behind the store's back fails to read, with its digest.
pub fn corrupt_blob_detected(backend: &mut dyn Backend) -> Result<(), String> {
    let store = backend.create().context("create store")?;
    let bytes = PatternReader::new(11, 100_000).into_vec();
    let (digest, _) = store.put_bytes(&bytes).context("put")?;
    backend.corrupt(&digest).context("corrupt")?;
    match store.get_bytes(&digest) {
        Err(StoreError::Corrupt { expected, actual }) if expected == digest && actual != digest => {
        }
        Err(StoreError::WrongSize { digest: named, .. }) if named == digest => {}
        other => {
            return Err(format!(
                "get_bytes of a corrupt blob gave {:?}",
                other.map(|b| b.len())
            ));
        }
    }
    let mut sink = Vec::new();
    let error = store
        .get(&digest)
        .context("get")?
        .read_to_end(&mut sink)
        .err()
        .ok_or("reading a corrupt blob to the end succeeded")?;
    ensure(error.kind() == io::ErrorKind::InvalidData, || {
        format!("reading a corrupt blob failed with {error:?}, expected invalid data")
    })
}

/// The empty blob is a blob like any other.
pub fn empty_blob(backend: &mut dyn Backend) -> Result<(), String> {
    let store = backend.create().context("create store")?;
    let (digest, size) = store.put_bytes(b"").context("put")?;
    ensure(digest == Digest::of(b"") && size == 0, || {
        format!("empty put returned {digest} and {size} bytes")
    })?;
    ensure(store.contains(&digest).context("contains")?, || {
        "empty blob not contained".into()
    })?;
    ensure(store.size(&digest).context("size")? == 0, || {
        "empty blob has a size".into()
    })?;
    ensure(
        store.get_bytes(&digest).context("get_bytes")?.is_empty(),
        || "empty blob read back non-empty".into(),
    )
}

/// A 20 MiB blob goes in and out as a stream, never as one buffer here.
pub fn large_blob_streamed(backend: &mut dyn Backend) -> Result<(), String> {
    let store = backend.create().context("create store")?;
    let expected = PatternReader::new(3, LARGE_BLOB_SIZE)
        .digest()
        .context("hash")?;
    let mut reader = PatternReader::new(3, LARGE_BLOB_SIZE).with_chunk(65_521);
    let (digest, size) = store.put(&mut reader).context("put")?;
    ensure(digest == expected && size == LARGE_BLOB_SIZE, || {
        format!("large put returned {digest} and {size} bytes, expected {expected}")
    })?;
    let mut hasher = blake3::Hasher::new();
    let copied = io::copy(&mut store.get(&digest).context("get")?, &mut hasher).context("read")?;
    ensure(
        copied == LARGE_BLOB_SIZE && crate::digest::from_hash(hasher.finalize()) == expected,
        || format!("large blob read back as {copied} other bytes"),
    )?;
    ensure(
        store.size(&digest).context("size")? == LARGE_BLOB_SIZE,
        || "large blob has the wrong size".into(),
    )
}

/// Threads storing the same contents at once all succeed with one blob.
pub fn concurrent_puts(backend: &mut dyn Backend) -> Result<(), String> {
    let store = backend.create().context("create store")?;
    let bytes = PatternReader::new(5, 2 * 1024 * 1024).into_vec();
    let expected = Digest::of(&bytes);
    let results: Vec<Result<(Digest, u64), String>> = thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|thread| {
                let store = store.as_ref();
                let bytes = &bytes;
                scope.spawn(move || {
                    let mut reader = io::Cursor::new(bytes);
                    let result = if thread % 2 == 0 {
                        store.put(&mut reader)
                    } else {
                        store.put_bytes(bytes)
                    };
                    result.context("put")
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|_| Err("thread panicked".into()))
            })
            .collect()
    });
    for result in results {
        let (digest, size) = result?;
        ensure(digest == expected && size == bytes.len() as u64, || {
            format!("concurrent put returned {digest} and {size} bytes")
        })?;
    }
    let digests = all_digests(store.as_ref())?;
    ensure(digests == [expected], || {
        format!("store holds {digests:?}, expected one blob")
    })?;
    ensure(
        store.get_bytes(&expected).context("get_bytes")? == bytes,
        || "concurrently stored blob reads back different".into(),
    )
}

/// Iteration yields every stored digest once, in ascending order.
pub fn iter_is_sorted(backend: &mut dyn Backend) -> Result<(), String> {
    let store = backend.create().context("create store")?;
    ensure(all_digests(store.as_ref())?.is_empty(), || {
        "a new store is not empty".into()
    })?;
    let mut expected = Vec::new();
    for seed in 0..64u64 {
        let (digest, _) = store
            .put_bytes(&PatternReader::new(seed, seed * 3).into_vec())
            .context("put")?;
        expected.push(digest);
    }
    expected.sort_unstable();
    expected.dedup();
    let digests = all_digests(store.as_ref())?;
    ensure(digests == expected, || {
        format!(
            "iter gave {} digests, expected {} in order",
            digests.len(),
            expected.len()
        )
    })
}

/// When the reader fails half way, the store is left as it was.
pub fn failed_put_stores_nothing(backend: &mut dyn Backend) -> Result<(), String> {
    let store = backend.create().context("create store")?;
    let mut reader = PatternReader::new(9, 300_000).chain(FailingReader);
    match store.put(&mut reader) {
        Err(StoreError::ReadInput { .. }) => {}
        other => return Err(format!("put from a failing reader gave {other:?}")),
    }
    let digests = all_digests(store.as_ref())?;
    ensure(digests.is_empty(), || {
        format!("failed put left {digests:?}")
    })
}

/// Blobs put into a batch are invisible until `sync`, then read back
/// whole through every method; the batch is empty again afterwards.
pub fn batch_round_trip(backend: &mut dyn Backend) -> Result<(), String> {
    let store = backend.create().context("create store")?;
    let sizes = [0u64, 1, 4095, 4096, 65_537, 1024 * 1024 + 3];
    let mut batch = store.batch();
    let mut expected = Vec::new();
    for (seed, size) in (100u64..).zip(sizes) {
        let bytes = PatternReader::new(seed, size).into_vec();
        let (digest, stored_size) = if seed % 2 == 0 {
            batch.put_bytes(&bytes).context("batch put_bytes")?
        } else {
            let mut reader = PatternReader::new(seed, size).with_chunk(999);
            batch.put(&mut reader).context("batch put")?
        };
        ensure(digest == Digest::of(&bytes) && stored_size == size, || {
            format!("batch put of {size} bytes returned {digest} and {stored_size} bytes")
        })?;
        ensure(!store.contains(&digest).context("contains")?, || {
            format!("{digest} is visible before the batch synced")
        })?;
        match store.get(&digest) {
            Err(StoreError::NotFound { .. }) => {}
            Err(error) => return Err(format!("get before sync: {error}")),
            Ok(_) => return Err(format!("get of {digest} succeeded before the batch synced")),
        }
        expected.push((digest, bytes));
    }
    ensure(all_digests(store.as_ref())?.is_empty(), || {
        "iter lists blobs before the batch synced".into()
    })?;
    ensure(batch.len() == sizes.len(), || {
        format!(
            "batch holds {} blobs, expected {}",
            batch.len(),
            sizes.len()
        )
    })?;
    batch.sync().context("sync")?;
    ensure(batch.is_empty(), || {
        "the batch is not empty after sync".into()
    })?;
    for (digest, bytes) in &expected {
        ensure(
            store.size(digest).context("size")? == bytes.len() as u64,
            || format!("size of {digest} is wrong after sync"),
        )?;
        ensure(
            store.get_bytes(digest).context("get_bytes")? == *bytes,
            || format!("{digest} reads back different after sync"),
        )?;
    }
    let mut digests: Vec<Digest> = expected.iter().map(|(digest, _)| *digest).collect();
    digests.sort_unstable();
    ensure(all_digests(store.as_ref())? == digests, || {
        "iter after sync does not list the batch's blobs in order".into()
    })?;
    batch.sync().context("sync of an empty batch")
}

/// Contents put into a batch as zstd frames read back plain and whole,
/// under the digest of their decoded bytes; a frame the store keeps
/// ([`BlobStore::get_frame`]) decodes to them; a bad frame stores nothing
/// and leaves the batch usable; contents already stored plain are not
/// stored again.
pub fn batch_frames(backend: &mut dyn Backend) -> Result<(), String> {
    let store = backend.create().context("create store")?;
    let plain = PatternReader::new(31, 9_000).into_vec();
    let (plain_digest, _) = store.put_bytes(&plain).context("put plain")?;
    let mut batch = store.batch();
    let mut expected = Vec::new();
    for (seed, size) in (40u64..).zip([0u64, 1, 70_000, 1024 * 1024 + 5]) {
        let bytes = PatternReader::new(seed, size).into_vec();
        let frame = crate::frame::compress(&bytes, 3).context("compress")?;
        let (digest, stored_size) = batch.put_frame(&frame).context("put_frame")?;
        ensure(digest == Digest::of(&bytes) && stored_size == size, || {
            format!("put_frame of {size} bytes returned {digest} and {stored_size} bytes")
        })?;
        expected.push((digest, bytes));
    }
    let mut bad = crate::frame::compress(b"a frame cut short", 3).context("compress")?;
    bad.truncate(bad.len() - 2);
    match batch.put_frame(&bad) {
        Err(StoreError::BadFrame { .. }) => {}
        other => return Err(format!("put_frame of a truncated frame gave {other:?}")),
    }
    let again = crate::frame::compress(&plain, 3).context("compress")?;
    let (digest, _) = batch.put_frame(&again).context("put_frame of stored")?;
    ensure(digest == plain_digest, || {
        "digest of stored contents".into()
    })?;
    ensure(batch.len() == expected.len() + 1, || {
        format!("batch holds {} blobs", batch.len())
    })?;
    batch.sync().context("sync")?;
    ensure(
        store
            .get_frame(&plain_digest)
            .context("get_frame")?
            .is_none(),
        || "contents stored plain came back as a frame".into(),
    )?;
    ensure(
        store.get_bytes(&plain_digest).context("get")? == plain,
        || "contents stored plain changed".into(),
    )?;
    for (digest, bytes) in &expected {
        ensure(store.contains(digest).context("contains")?, || {
            format!("{digest} is missing after sync")
        })?;
        ensure(
            store.size(digest).context("size")? == bytes.len() as u64,
            || format!("size of {digest} is wrong"),
        )?;
        ensure(store.get_bytes(digest).context("get")? == *bytes, || {
            format!("{digest} reads back different")
        })?;
        if let Some(frame) = store.get_frame(digest).context("get_frame")? {
            ensure(
                crate::frame::check(&frame).context("check frame")?
                    == (*digest, bytes.len() as u64),
                || format!("the frame of {digest} decodes to other contents"),
            )?;
        }
    }
    let mut digests: Vec<Digest> = expected.iter().map(|(digest, _)| *digest).collect();
    digests.push(plain_digest);
    digests.sort_unstable();
    ensure(all_digests(store.as_ref())? == digests, || {
        "iter does not list the frames' blobs in order".into()
    })
}

/// Contents put twice into a batch, or already stored, are one blob; the
/// batch relies on stored blobs instead of writing them again.
pub fn batch_dedup(backend: &mut dyn Backend) -> Result<(), String> {
    let store = backend.create().context("create store")?;
    let stored = PatternReader::new(21, 50_000).into_vec();
    let (stored_digest, _) = store.put_bytes(&stored).context("put")?;
    let fresh = PatternReader::new(22, 70_000).into_vec();
    let mut batch = store.batch();
    let (first, _) = batch.put_bytes(&fresh).context("first batch put")?;
    let mut reader = PatternReader::new(22, 70_000).with_chunk(13);
    let (second, size) = batch.put(&mut reader).context("second batch put")?;
    ensure(first == second && size == 70_000, || {
        format!("same contents gave {first} and {second} ({size} bytes)")
    })?;
    let (again, _) = batch
        .put_bytes(&stored)
        .context("batch put of stored contents")?;
    ensure(again == stored_digest, || {
        format!("stored contents put again gave {again}")
    })?;
    ensure(batch.rely_on(&stored_digest).context("rely_on")?, || {
        "rely_on a stored blob returned false".into()
    })?;
    ensure(batch.rely_on(&first).context("rely_on")?, || {
        "rely_on a blob put into the batch returned false".into()
    })?;
    let absent = Digest::of(b"never stored anywhere");
    ensure(!batch.rely_on(&absent).context("rely_on")?, || {
        "rely_on a missing blob returned true".into()
    })?;
    ensure(batch.len() == 2, || {
        format!("batch counts {} blobs, expected 2", batch.len())
    })?;
    batch.sync().context("sync")?;
    let mut expected = vec![stored_digest, first];
    expected.sort_unstable();
    let digests = all_digests(store.as_ref())?;
    ensure(digests == expected, || {
        format!("store holds {digests:?}, expected {expected:?}")
    })?;
    ensure(
        store.get_bytes(&first).context("get_bytes")? == fresh
            && store.get_bytes(&stored_digest).context("get_bytes")? == stored,
        || "deduplicated blobs read back different".into(),
    )?;
    let mut only_relied = store.batch();
    ensure(only_relied.rely_on(&first).context("rely_on")?, || {
        "rely_on a synced blob returned false".into()
    })?;
    only_relied.sync().context("sync of relied-on blobs")
}

/// A dropped batch publishes nothing; a failed put in a batch keeps
/// nothing and leaves the batch usable.
pub fn batch_publishes_only_on_sync(backend: &mut dyn Backend) -> Result<(), String> {
    let store = backend.create().context("create store")?;
    let dropped = PatternReader::new(31, 10_000).into_vec();
    {
        let mut batch = store.batch();
        batch.put_bytes(&dropped).context("put")?;
    }
    ensure(
        !store.contains(&Digest::of(&dropped)).context("contains")?,
        || "a dropped batch published its blob".into(),
    )?;
    let mut batch = store.batch();
    let mut failing = PatternReader::new(32, 300_000).chain(FailingReader);
    match batch.put(&mut failing) {
        Err(StoreError::ReadInput { .. }) => {}
        other => return Err(format!("batch put from a failing reader gave {other:?}")),
    }
    let (kept, _) = batch.put_bytes(b"after the failure").context("put")?;
    ensure(batch.len() == 1, || {
        format!("batch counts {} blobs after a failed put", batch.len())
    })?;
    batch.sync().context("sync")?;
    let digests = all_digests(store.as_ref())?;
    ensure(digests == [kept], || {
        format!("store holds {digests:?}, expected only {kept}")
    })
}

/// Batches on several threads storing the same contents all succeed,
/// with one blob.
pub fn concurrent_batches(backend: &mut dyn Backend) -> Result<(), String> {
    let store = backend.create().context("create store")?;
    let shared = PatternReader::new(41, 300_000).into_vec();
    let results: Vec<Result<Digest, String>> = thread::scope(|scope| {
        let handles: Vec<_> = (0..4u64)
            .map(|thread| {
                let store = store.as_ref();
                let shared = &shared;
                scope.spawn(move || {
                    let mut batch = store.batch();
                    batch.put_bytes(shared).context("put shared")?;
                    let own = PatternReader::new(50 + thread, 1000 + thread).into_vec();
                    let (digest, _) = batch.put_bytes(&own).context("put own")?;
                    batch.sync().context("sync")?;
                    Ok(digest)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|_| Err("thread panicked".into()))
            })
            .collect()
    });
    let mut expected = vec![Digest::of(&shared)];
    for result in results {
        expected.push(result?);
    }
    expected.sort_unstable();
    let digests = all_digests(store.as_ref())?;
    ensure(digests == expected, || {
        format!(
            "store holds {} blobs, expected {}",
            digests.len(),
            expected.len()
        )
    })?;
    ensure(
        store.get_bytes(&Digest::of(&shared)).context("get_bytes")? == shared,
        || "the shared blob reads back different".into(),
    )
}

/// A reader whose every read fails.
#[derive(Debug)]
struct FailingReader;

impl Read for FailingReader {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        Err(io::Error::other("the connection was reset"))
    }
}

/// A deterministic stream of pseudo-random bytes (xorshift), for blobs of
/// any size that are never held in memory.
///
/// ```rust
/// use std::io::Read;
/// use conary_store::conformance::PatternReader;
/// let bytes = PatternReader::new(1, 10).into_vec();
/// assert_eq!(bytes.len(), 10);
/// assert_eq!(bytes, PatternReader::new(1, 10).into_vec());
/// ```
#[derive(Clone, Debug)]
pub struct PatternReader {
    state: u64,
    /// The current word's bytes, of which `used` have been handed out.
    word: [u8; 8],
    used: usize,
    remaining: u64,
    chunk: usize,
}

impl PatternReader {
    /// `size` bytes determined by `seed`.
    pub fn new(seed: u64, size: u64) -> Self {
        Self {
            state: seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1,
            word: [0; 8],
            used: 8,
            remaining: size,
            chunk: usize::MAX,
        }
    }

    /// Returns at most `chunk` bytes per read, like a network stream would.
    pub fn with_chunk(mut self, chunk: usize) -> Self {
        self.chunk = chunk.max(1);
        self
    }

    /// All the bytes, for sizes that fit in memory.
    pub fn into_vec(mut self) -> Vec<u8> {
        let mut bytes = Vec::new();
        // Reading from this reader cannot fail.
        let _ = self.read_to_end(&mut bytes);
        bytes
    }

    /// The digest of the whole stream, computed by streaming it.
    pub fn digest(mut self) -> io::Result<Digest> {
        let mut hasher = blake3::Hasher::new();
        io::copy(&mut self, &mut hasher)?;
        Ok(crate::digest::from_hash(hasher.finalize()))
    }

    fn next_word(&mut self) -> u64 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        self.state
    }
}

impl Read for PatternReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let wanted = buf.len().min(self.chunk);
        let count =
            usize::try_from(self.remaining).map_or(wanted, |remaining| remaining.min(wanted));
        let Some(out) = buf.get_mut(..count) else {
            return Ok(0);
        };
        // The stream does not depend on how it is cut into reads: finish the
        // current word, then whole words, then start a new word.
        let (head, body) = out.split_at_mut((8 - self.used).min(count));
        for byte in head {
            *byte = self.word.get(self.used).copied().unwrap_or(0);
            self.used += 1;
        }
        let mut words = body.chunks_exact_mut(8);
        for word in &mut words {
            word.copy_from_slice(&self.next_word().to_le_bytes());
        }
        let tail = words.into_remainder();
        if !tail.is_empty() {
            self.word = self.next_word().to_le_bytes();
            self.used = 0;
            for byte in tail {
                *byte = self.word.get(self.used).copied().unwrap_or(0);
                self.used += 1;
            }
        }
        self.remaining -= count as u64;
        Ok(count)
    }
}

/// Runs the suite on fresh [`MemStore`]s.
///
/// ```rust
/// use conary_store::conformance::{Backend, MemBackend};
/// let store = MemBackend::default().create()?;
/// assert_eq!(store.url().to_string(), "memory:");
/// # Ok::<(), conary_store::StoreError>(())
/// ```
#[derive(Debug, Default)]
pub struct MemBackend {
    current: Option<MemStore>,
}

impl Backend for MemBackend {
    fn create(&mut self) -> Result<Box<dyn BlobStore>, StoreError> {
        let store = MemStore::new();
        self.current = Some(store.clone());
        Ok(Box::new(store))
    }

    fn corrupt(&mut self, digest: &Digest) -> Result<(), String> {
        let store = self.current.as_ref().ok_or("no store was created")?;
        let size = store.size(digest).context("size")?;
        let middle = usize::try_from(size / 2).map_err(|_| "blob too large")?;
        ensure(store.flip_byte(digest, middle), || {
            format!("no byte {middle} in {digest}")
        })
    }
}

/// Runs the suite on fresh [`FsStore`]s in a temporary directory, and
/// corrupts a blob by flipping a byte of its file.
///
/// ```rust
/// use conary_store::conformance::{Backend, FsBackend};
/// let mut backend = FsBackend::new()?;
/// let store = backend.create()?;
/// assert!(store.url().to_string().starts_with("file:///"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct FsBackend {
    directory: tempfile::TempDir,
    created: usize,
    current: Option<FsStore>,
    durability: Durability,
}

impl FsBackend {
    /// A backend whose stores live under a new temporary directory.
    pub fn new() -> io::Result<Self> {
        Ok(Self {
            directory: tempfile::tempdir()?,
            created: 0,
            current: None,
            durability: Durability::platform_default(),
        })
    }

    /// This backend, its stores' batches syncing as `durability` says.
    #[must_use]
    pub fn with_durability(mut self, durability: Durability) -> Self {
        self.durability = durability;
        self
    }
}

impl Backend for FsBackend {
    fn create(&mut self) -> Result<Box<dyn BlobStore>, StoreError> {
        self.created = self.created.saturating_add(1);
        let root: PathBuf = self
            .directory
            .path()
            .join(format!("store-{}", self.created));
        let store = FsStore::open(root)?.with_durability(self.durability);
        self.current = Some(store.clone());
        Ok(Box::new(store))
    }

    fn corrupt(&mut self, digest: &Digest) -> Result<(), String> {
        let store = self.current.as_ref().ok_or("no store was created")?;
        let path = store.blob_path(digest);
        let mut bytes = std::fs::read(&path).context("read blob file")?;
        let middle = bytes.len() / 2;
        let byte = bytes.get_mut(middle).ok_or("blob is empty")?;
        *byte ^= 0xff;
        let mut permissions = std::fs::metadata(&path)
            .context("stat blob file")?
            .permissions();
        #[allow(
            clippy::permissions_set_readonly_false,
            reason = "the test damages a read-only blob on purpose"
        )]
        permissions.set_readonly(false);
        std::fs::set_permissions(&path, permissions).context("make blob writable")?;
        std::fs::write(&path, bytes).context("write damaged blob")
    }
}
