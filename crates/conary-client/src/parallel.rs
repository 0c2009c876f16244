//! Many blobs at once: [`RepositoryClient::fetch_blobs`] and the sinks it
//! writes into.
//!
//! Downloads run on a few threads that share the transport's connection
//! pool. Each blob goes to its own [`BlobWriter`], committed only once its
//! digest is checked; a failed blob's writer is dropped, which throws its
//! bytes away, so nothing half-written or corrupt claims to be a blob.

use std::collections::BTreeSet;
use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use conary_core::digest::Digest;

use crate::error::{ClientError, chain};
use crate::progress::Progress;
use crate::transport::RepositoryClient;

/// Where downloaded blobs go: one writer per blob.
///
/// ```rust
/// use std::collections::BTreeMap;
/// use std::io::{self, Write};
/// use std::sync::Mutex;
/// use conary_client::{BlobSink, BlobWriter};
/// use conary_core::digest::Digest;
///
/// /// Keeps verified blobs in memory.
/// #[derive(Default)]
/// struct Memory(Mutex<BTreeMap<Digest, Vec<u8>>>);
/// struct Pending<'a> { sink: &'a Memory, digest: Digest, bytes: Vec<u8> }
///
/// impl Write for Pending<'_> {
///     fn write(&mut self, buf: &[u8]) -> io::Result<usize> { self.bytes.write(buf) }
///     fn flush(&mut self) -> io::Result<()> { Ok(()) }
/// }
/// impl BlobWriter for Pending<'_> {
///     fn commit(self: Box<Self>) -> io::Result<()> {
///         self.sink.0.lock().map_err(|_| io::Error::other("poisoned"))?.insert(self.digest, self.bytes);
///         Ok(())
///     }
/// }
/// impl BlobSink for Memory {
///     fn create(&self, digest: &Digest) -> io::Result<Box<dyn BlobWriter + '_>> {
///         Ok(Box::new(Pending { sink: self, digest: *digest, bytes: Vec::new() }))
///     }
/// }
///
/// let memory = Memory::default();
/// let digest = Digest::of(b"abc");
/// let mut writer = memory.create(&digest)?;
/// writer.write_all(b"abc")?;
/// writer.commit()?;
/// assert_eq!(memory.0.lock().expect("lock")[&digest], b"abc");
/// # Ok::<(), io::Error>(())
/// ```
pub trait BlobSink: Sync {
    /// A writer for the blob `digest`.
    fn create(&self, digest: &Digest) -> io::Result<Box<dyn BlobWriter + '_>>;
}

/// Receives one blob. Dropping it without [`commit`](BlobWriter::commit)
/// throws away what it received.
pub trait BlobWriter: Write + Send {
    /// Keeps the blob: called once, after its digest was checked.
    fn commit(self: Box<Self>) -> io::Result<()>;
}

/// Writes each blob to `DIRECTORY/<digest>`: first to a temporary file in
/// the same directory, renamed into place once verified.
///
/// ```rust
/// use conary_core::digest::Digest;
/// let sink = conary_client::DirectorySink::new("/var/cache/conary/blobs");
/// let digest = Digest::of(b"");
/// assert_eq!(sink.path_of(&digest), std::path::Path::new("/var/cache/conary/blobs").join(digest.to_string()));
/// ```
#[derive(Clone, Debug)]
pub struct DirectorySink {
    directory: PathBuf,
}

impl DirectorySink {
    /// A sink writing into `directory`, which must exist.
    pub fn new(directory: impl Into<PathBuf>) -> DirectorySink {
        DirectorySink {
            directory: directory.into(),
        }
    }

    /// Where the blob `digest` ends up.
    pub fn path_of(&self, digest: &Digest) -> PathBuf {
        self.directory.join(digest.to_string())
    }
}

impl BlobSink for DirectorySink {
    fn create(&self, digest: &Digest) -> io::Result<Box<dyn BlobWriter + '_>> {
        let file = tempfile::Builder::new()
            .prefix(".blob-")
            .suffix(".part")
            .tempfile_in(&self.directory)
            .map_err(|error| in_file(&self.directory, error))?;
        Ok(Box::new(DirectoryWriter {
            file,
            target: self.path_of(digest),
        }))
    }
}

/// Adds the path to an I/O error's message.
fn in_file(path: &Path, error: io::Error) -> io::Error {
    io::Error::new(error.kind(), format!("{}: {error}", path.display()))
}

/// A blob on its way into a [`DirectorySink`].
struct DirectoryWriter {
    file: tempfile::NamedTempFile,
    target: PathBuf,
}

impl Write for DirectoryWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file
            .write(buf)
            .map_err(|error| in_file(self.file.path(), error))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl BlobWriter for DirectoryWriter {
    fn commit(self: Box<Self>) -> io::Result<()> {
        let DirectoryWriter { file, target } = *self;
        file.persist(&target)
            .map(|_| ())
            .map_err(|error| in_file(&target, error.error))
    }
}

/// What [`RepositoryClient::fetch_blobs`] downloaded.
///
/// ```rust
/// let summary = conary_client::FetchSummary { blobs: 2, bytes: 10 };
/// assert_eq!(summary.to_string(), "2 blobs, 10 bytes");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FetchSummary {
    /// Blobs downloaded (each digest once).
    pub blobs: u64,
    /// Bytes written.
    pub bytes: u64,
}

impl fmt::Display for FetchSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} blobs, {} bytes", self.blobs, self.bytes)
    }
}

impl RepositoryClient {
    /// Downloads every blob of `digests` (each once) into `sink`, at most
    /// `parallelism` at a time (at least one), reporting to `progress`.
    /// Stops starting new downloads at the first failure and returns it;
    /// blobs already committed stay.
    pub fn fetch_blobs(
        &self,
        digests: &[Digest],
        sink: &dyn BlobSink,
        parallelism: usize,
        progress: &dyn Progress,
    ) -> Result<FetchSummary, ClientError> {
        let queue: Vec<Digest> = digests
            .iter()
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let next = AtomicUsize::new(0);
        let failed = AtomicBool::new(false);
        let first_error: Mutex<Option<ClientError>> = Mutex::new(None);
        let blobs = AtomicU64::new(0);
        let bytes = AtomicU64::new(0);
        let workers = parallelism.clamp(1, queue.len().max(1));
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| {
                    while !failed.load(Ordering::Relaxed) {
                        let Some(digest) = queue.get(next.fetch_add(1, Ordering::Relaxed)) else {
                            break;
                        };
                        match self.fetch_into(digest, sink, progress) {
                            Ok(size) => {
                                blobs.fetch_add(1, Ordering::Relaxed);
                                bytes.fetch_add(size, Ordering::Relaxed);
                            }
                            Err(error) => {
                                failed.store(true, Ordering::Relaxed);
                                let mut slot = first_error
                                    .lock()
                                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                                slot.get_or_insert(error);
                            }
                        }
                    }
                });
            }
        });
        match first_error
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
        {
            Some(error) => Err(error),
            None => Ok(FetchSummary {
                blobs: blobs.into_inner(),
                bytes: bytes.into_inner(),
            }),
        }
    }

    /// Downloads one blob into a new writer of `sink` and commits it.
    pub(crate) fn fetch_into(
        &self,
        digest: &Digest,
        sink: &dyn BlobSink,
        progress: &dyn Progress,
    ) -> Result<u64, ClientError> {
        let url = || self.server.endpoint(&format!("blobs/{digest}")).to_string();
        let write_error = |error: io::Error| ClientError::Write {
            digest: *digest,
            url: url(),
            reason: chain(&error),
        };
        let mut writer = sink.create(digest).map_err(write_error)?;
        let size = self.download(digest, &mut writer, progress)?;
        writer.commit().map_err(write_error)?;
        progress.on_blob_done(digest, size);
        Ok(size)
    }
}
