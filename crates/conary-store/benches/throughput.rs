//! Put/get throughput of the blob store backends, in MB/s.
//!
//! `cargo bench -p conary-store` prints one line per backend and workload:
//! `put` one blob after the other, the same blobs put into one
//! [`conary_store::Batch`] and synced once (into another fresh store),
//! `put` of contents already stored, and `get` read to the end.
//! Plain `std::time::Instant` timing of one run each: numbers to notice
//! regressions by, not a statistical benchmark. Contents are generated in
//! memory first so the generator is not timed.
//!
//! `cargo test --all-targets` also runs this binary, without `--bench`: it
//! then runs tiny workloads once, as a smoke test that keeps CI fast.

#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use std::io;
use std::time::{Duration, Instant};

use conary_store::conformance::PatternReader;
use conary_store::{BlobStore, Digest, FsStore, MemStore};

const MB: f64 = 1_000_000.0;

struct Workload {
    name: &'static str,
    blobs: usize,
    size: usize,
}

const SMOKE_WORKLOADS: &[Workload] = &[
    Workload {
        name: "smoke (2 x 64 KiB)",
        blobs: 2,
        size: 64 * 1024,
    },
    Workload {
        name: "smoke (10 x 4 KiB)",
        blobs: 10,
        size: 4 * 1024,
    },
];

const WORKLOADS: &[Workload] = &[
    Workload {
        name: "large (16 x 16 MiB)",
        blobs: 16,
        size: 16 * 1024 * 1024,
    },
    Workload {
        name: "small (2000 x 4 KiB)",
        blobs: 2000,
        size: 4 * 1024,
    },
];

fn contents(workload: &Workload) -> Vec<Vec<u8>> {
    let template = PatternReader::new(42, workload.size as u64).into_vec();
    (0..workload.blobs)
        .map(|index| {
            let mut blob = template.clone();
            for (byte, tag) in blob.iter_mut().zip((index as u64).to_le_bytes()) {
                *byte ^= tag;
            }
            blob
        })
        .collect()
}

fn rate(bytes: usize, elapsed: Duration) -> String {
    let seconds = elapsed.as_secs_f64().max(1e-9);
    format!("{:>9.1} MB/s", bytes as f64 / MB / seconds)
}

/// Runs `workload` on `store`, and its batched put on a second store from
/// `fresh` (so that nothing is stored yet).
fn bench(
    backend: &str,
    store: &dyn BlobStore,
    fresh: &dyn Fn() -> io::Result<Box<dyn BlobStore>>,
    workload: &Workload,
) -> io::Result<()> {
    let blobs = contents(workload);
    let total = workload.blobs * workload.size;

    let start = Instant::now();
    let digests: Vec<Digest> = blobs
        .iter()
        .map(|blob| store.put_bytes(blob).map(|(digest, _)| digest))
        .collect::<Result<_, _>>()
        .map_err(io::Error::other)?;
    let put = start.elapsed();

    let start = Instant::now();
    for blob in &blobs {
        store.put_bytes(blob).map_err(io::Error::other)?;
    }
    let again = start.elapsed();

    let batched = fresh()?;
    let start = Instant::now();
    let mut batch = batched.batch();
    for blob in &blobs {
        batch.put_bytes(blob).map_err(io::Error::other)?;
    }
    batch.sync().map_err(io::Error::other)?;
    let batch_put = start.elapsed();

    let start = Instant::now();
    for digest in &digests {
        let mut reader = store.get(digest).map_err(io::Error::other)?;
        io::copy(&mut reader, &mut io::sink())?;
    }
    let get = start.elapsed();

    println!(
        "{backend:<6} {:<22} put {}   batch + sync {}   put existing {}   get (verified) {}",
        workload.name,
        rate(total, put),
        rate(total, batch_put),
        rate(total, again),
        rate(total, get)
    );
    Ok(())
}

fn main() -> io::Result<()> {
    let benchmarking = std::env::args().any(|argument| argument == "--bench");
    let workloads = if benchmarking {
        let hashed = PatternReader::new(1, 256 * 1024 * 1024).into_vec();
        let start = Instant::now();
        let _ = Digest::of(&hashed);
        println!(
            "blake3 one-shot over 256 MiB in memory: {}",
            rate(hashed.len(), start.elapsed())
        );
        WORKLOADS
    } else {
        SMOKE_WORKLOADS
    };
    for workload in workloads {
        let directory = tempfile::tempdir()?;
        let store = FsStore::open(directory.path().join("put")).map_err(io::Error::other)?;
        let batched = || -> io::Result<Box<dyn BlobStore>> {
            let store = FsStore::open(directory.path().join("batch")).map_err(io::Error::other)?;
            Ok(Box::new(store))
        };
        bench("file", &store, &batched, workload)?;
        let memory = || -> io::Result<Box<dyn BlobStore>> { Ok(Box::new(MemStore::new())) };
        bench("memory", &MemStore::new(), &memory, workload)?;
    }
    Ok(())
}
