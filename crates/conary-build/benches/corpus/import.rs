//! Importing the corpus into a repository, as the server does it: each
//! `.deb` imported into memory, written as an absolute changeset, and
//! committed from a `ChangeSetReader`; sequentially, or with one thread per
//! core importing while the main thread commits.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use conary_build::import::{ContentSink, ImportCandidate, ImportOptions, import_deb};
use conary_changeset::{ChangeSetReader, ContentSource, NoContents, PayloadId, write_changeset};
use conary_core::digest::Digest;
use conary_core::version::Label;
use conary_repository::{Credentials, Identity, Repository};
use conary_store::{BlobStore, FsStore};

use crate::measure::{BenchResult, Clock, Times};

/// Keeps contents in memory like `MemorySink`, timing apart the reading
/// of each file from the package (decompression, tar, and the importer's
/// own BLAKE3) and the hashing and keeping of what was read.
#[derive(Default)]
struct TimedSink {
    blobs: BTreeMap<Digest, Vec<u8>>,
    read: Duration,
    hash: Duration,
}

impl ContentSink for TimedSink {
    fn put(&mut self, contents: &mut dyn Read) -> io::Result<Digest> {
        let start = Instant::now();
        let mut bytes = Vec::new();
        contents.read_to_end(&mut bytes)?;
        let read = Instant::now();
        let digest = Digest::of(&bytes);
        self.blobs.entry(digest).or_insert(bytes);
        self.read += read - start;
        self.hash += read.elapsed();
        Ok(digest)
    }
}

impl ContentSource for TimedSink {
    fn open(&self, digest: &Digest) -> io::Result<Option<Box<dyn Read + '_>>> {
        Ok(self
            .blobs
            .get(digest)
            .map(|bytes| Box::new(bytes.as_slice()) as Box<dyn Read + '_>))
    }
}

/// One package imported and written as an absolute changeset.
pub struct Prepared {
    ccs: Vec<u8>,
    troves: usize,
    /// Size of each distinct contents of the package.
    contents: BTreeMap<Digest, u64>,
    import: Duration,
    read: Duration,
    hash: Duration,
    write: Duration,
}

impl Prepared {
    /// (import, write) times.
    pub fn times(&self) -> (Duration, Duration) {
        (self.import, self.write)
    }
}

/// Imports `candidate` into memory and writes its absolute changeset.
pub fn prepare(candidate: &ImportCandidate, label: &Label) -> BenchResult<Prepared> {
    let file = BufReader::new(File::open(&candidate.path)?);
    let start = Instant::now();
    let mut sink = TimedSink::default();
    let imported = import_deb(file, label, &ImportOptions::default(), &mut sink)?;
    let imported_at = Instant::now();
    let changeset = imported.to_changeset(&sink)?;
    let ccs = write_changeset(Vec::new(), &changeset, &sink)?;
    let write = imported_at.elapsed();
    Ok(Prepared {
        ccs,
        troves: imported.troves().count(),
        contents: sink
            .blobs
            .iter()
            .map(|(digest, bytes)| (*digest, bytes.len() as u64))
            .collect(),
        import: imported_at - start,
        read: sink.read,
        hash: sink.hash,
        write,
    })
}

/// Commits a prepared package through a `ChangeSetReader`, as the server's
/// commit endpoint does, and checks that every trove is new.
fn commit(repository: &Repository, identity: &Identity, prepared: &Prepared) -> BenchResult<()> {
    let result = repository.commit(ChangeSetReader::new(&prepared.ccs[..])?, identity)?;
    if result.committed.len() != prepared.troves {
        return Err(format!(
            "committed {} troves of {}",
            result.committed.len(),
            prepared.troves
        )
        .into());
    }
    Ok(())
}

/// A fresh repository in `dir` and an admin user of it.
pub fn fresh_repository(dir: &Path) -> BenchResult<(Repository, Identity)> {
    let repository = Repository::init(dir, crate::SERVER)?;
    repository.add_user("bench", "bench-password", true)?;
    let identity = repository.authenticate(&Credentials::Basic {
        user: "bench".into(),
        password: "bench-password".into(),
    })?;
    Ok((repository, identity))
}

/// What a sequential import measured.
#[derive(Default)]
pub struct Import {
    /// The whole import.
    pub times: Times,
    /// `import_deb`, of which `read` and `hash`.
    pub import: Duration,
    /// Reading each file from the package (decompression, tar, BLAKE3).
    pub read: Duration,
    /// Hashing and keeping the contents.
    pub hash: Duration,
    /// Making and writing the absolute changeset.
    pub write: Duration,
    /// `Repository::commit`.
    pub commit: Duration,
    /// The commit's decoding of payloads, replayed.
    pub decode: Duration,
    /// The commit's putting of contents into a store batch and syncing
    /// it, replayed.
    pub put: Duration,
    /// Bytes of the changesets.
    pub ccs_bytes: u64,
    /// Contents the changesets carry, each package's counted once.
    pub payloads: usize,
    /// Size of each distinct contents of the corpus.
    pub contents: BTreeMap<Digest, u64>,
    /// Bytes each distinct contents takes compressed in a `.ccs`.
    pub compressed: BTreeMap<Digest, u64>,
}

/// Imports every candidate, in order, into a fresh repository in `dir`,
/// then replays the commits' parts into a scratch store in `scratch`; with
/// `verbose`, prints one line per package. Returns the measures and the
/// identity that committed.
pub fn sequential(
    candidates: &[ImportCandidate],
    dir: &Path,
    scratch: &Path,
    label: &Label,
    verbose: bool,
) -> BenchResult<(Import, Identity)> {
    let (repository, identity) = fresh_repository(dir)?;
    let mut import = Import::default();
    let mut changesets = Vec::with_capacity(candidates.len());
    let clock = Clock::start();
    for candidate in candidates {
        let prepared = prepare(candidate, label)?;
        let start = Instant::now();
        commit(&repository, &identity, &prepared)?;
        let committed = start.elapsed();
        if verbose {
            let new = prepared
                .contents
                .keys()
                .filter(|digest| !import.contents.contains_key(digest))
                .count();
            crate::report::package_line(candidate, &prepared, committed, new);
        }
        import.import += prepared.import;
        import.read += prepared.read;
        import.hash += prepared.hash;
        import.write += prepared.write;
        import.commit += committed;
        import.ccs_bytes += prepared.ccs.len() as u64;
        import.payloads += prepared.contents.len();
        import.contents.extend(&prepared.contents);
        changesets.push(prepared.ccs);
    }
    import.times = clock.stop();
    // Closing the repository checkpoints its write-ahead log.
    drop(repository);
    (import.decode, import.put) = replay_commit(&changesets, scratch, &mut import.compressed)?;
    Ok((import, identity))
}

/// The commit's parts replayed on the written changesets, in the same order
/// into a fresh blob store, as the commit does them: decoding each payload
/// not yet stored (zstd and BLAKE3 verification; the others are skipped),
/// and putting it into one store batch per changeset, synced at its end.
/// Also notes the compressed size of each contents in `compressed`.
fn replay_commit(
    changesets: &[Vec<u8>],
    scratch: &Path,
    compressed: &mut BTreeMap<Digest, u64>,
) -> BenchResult<(Duration, Duration)> {
    let store = FsStore::open(scratch)?;
    let (mut decode, mut put) = (Duration::ZERO, Duration::ZERO);
    for bytes in changesets {
        let mut reader = ChangeSetReader::new(&bytes[..])?;
        while let Some((PayloadId::Contents(digest), stored)) = reader.skip_payload()? {
            compressed.insert(digest, stored);
        }
        let mut reader = ChangeSetReader::new(&bytes[..])?;
        let mut batch = store.batch();
        while let Some(PayloadId::Contents(digest)) = reader.peek_payload() {
            let start = Instant::now();
            if store.contains(&conary_store::Digest::from_bytes(*digest.as_bytes()))? {
                reader.skip_payload()?;
                decode += start.elapsed();
                continue;
            }
            let Some(mut payload) = reader.next_payload(&NoContents)? else {
                break;
            };
            let contents = payload.read_to_vec()?;
            drop(payload);
            let decoded = Instant::now();
            batch.put_bytes(&contents)?;
            decode += decoded - start;
            put += decoded.elapsed();
        }
        reader.finish()?;
        let start = Instant::now();
        batch.sync()?;
        put += start.elapsed();
    }
    Ok((decode, put))
}

/// Imports every candidate into a fresh repository in `dir` with one
/// thread per core importing and writing changesets while the main thread
/// commits them in import order; returns the times and the thread count.
pub fn parallel(
    candidates: &[ImportCandidate],
    dir: &Path,
    label: &Label,
) -> BenchResult<(Times, usize)> {
    let (repository, identity) = fresh_repository(dir)?;
    let workers = std::thread::available_parallelism().map_or(2, usize::from);
    let clock = Clock::start();
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| -> BenchResult<()> {
        let (sender, receiver) = mpsc::channel();
        for _ in 0..workers {
            let sender = sender.clone();
            let next = &next;
            scope.spawn(move || {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(candidate) = candidates.get(index) else {
                        break;
                    };
                    if sender.send((index, prepare(candidate, label))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        let mut waiting = BTreeMap::new();
        let mut committed = 0;
        for (index, prepared) in receiver {
            waiting.insert(index, prepared?);
            while let Some(prepared) = waiting.remove(&committed) {
                commit(&repository, &identity, &prepared)?;
                committed += 1;
            }
        }
        if committed != candidates.len() {
            return Err(format!("committed {committed} of {}", candidates.len()).into());
        }
        Ok(())
    })?;
    Ok((clock.stop(), workers))
}
