//! Many blobs at once, into a directory, through faults.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};

use conary_client::{ClientError, DirectorySink, NoProgress, Progress};
use conary_core::digest::Digest;

use crate::server::{Behaviour, TestServer, add_blob, bytes};

#[derive(Default)]
struct Counts {
    started: AtomicU64,
    bytes: AtomicU64,
    done: AtomicU64,
    retries: AtomicU64,
}

impl Progress for Counts {
    fn on_blob_start(&self, _: &Digest, _: Option<u64>) {
        self.started.fetch_add(1, Ordering::Relaxed);
    }
    fn on_blob_bytes(&self, _: &Digest, bytes: u64) {
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
    }
    fn on_blob_retry(&self, _: &Digest, _: u32, _: &ClientError) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }
    fn on_blob_done(&self, _: &Digest, _: u64) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }
}

/// The names of the files in `directory`.
fn listing(directory: &std::path::Path) -> BTreeSet<String> {
    std::fs::read_dir(directory)
        .expect("read dir")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

fn fifty_blobs(behaviour: &mut Behaviour) -> Vec<(Digest, Vec<u8>)> {
    (0..50u64)
        .map(|seed| {
            let data = bytes(100 + seed, (seed as usize * 7919) % 200_000);
            (add_blob(behaviour, data.clone()), data)
        })
        .collect()
}

#[test]
fn fifty_blobs_in_parallel_byte_for_byte() {
    let mut behaviour = Behaviour::default();
    let blobs = fifty_blobs(&mut behaviour);
    let server = TestServer::start(behaviour);
    let directory = tempfile::tempdir().expect("temp dir");
    let sink = DirectorySink::new(directory.path());
    let counts = Counts::default();
    let mut digests: Vec<Digest> = blobs.iter().map(|(digest, _)| *digest).collect();
    digests.extend(digests.clone()); // duplicates are fetched once
    let summary = server
        .client("")
        .fetch_blobs(&digests, &sink, 8, &counts)
        .expect("all blobs");
    let total: u64 = blobs.iter().map(|(_, data)| data.len() as u64).sum();
    assert_eq!((summary.blobs, summary.bytes), (50, total));
    assert_eq!(counts.done.load(Ordering::Relaxed), 50);
    assert_eq!(counts.started.load(Ordering::Relaxed), 50);
    assert_eq!(counts.bytes.load(Ordering::Relaxed), total);
    for (digest, data) in &blobs {
        let written = std::fs::read(sink.path_of(digest)).expect("blob file");
        assert!(written == *data, "blob {digest} differs");
    }
    let expected: BTreeSet<String> = blobs.iter().map(|(digest, _)| digest.to_string()).collect();
    assert_eq!(
        listing(directory.path()),
        expected,
        "no temporary files left"
    );
}

#[test]
fn parallel_downloads_survive_drops_and_server_errors() {
    let mut behaviour = Behaviour {
        honour_range: true,
        ..Behaviour::default()
    };
    let blobs = fifty_blobs(&mut behaviour);
    for (digest, data) in blobs.iter().step_by(5) {
        behaviour
            .drop_after
            .insert(digest.to_string(), data.len() / 3);
    }
    behaviour.fail_next.extend([500, 503, 500, 502]);
    let server = TestServer::start(behaviour);
    let directory = tempfile::tempdir().expect("temp dir");
    let sink = DirectorySink::new(directory.path());
    let counts = Counts::default();
    let digests: Vec<Digest> = blobs.iter().map(|(digest, _)| *digest).collect();
    let options = conary_client::Options {
        retry: conary_client::RetryPolicy {
            attempts: 6,
            ..crate::server::fast_options().retry
        },
        ..crate::server::fast_options()
    };
    server
        .client_with("", options)
        .fetch_blobs(&digests, &sink, 6, &counts)
        .expect("all blobs despite faults");
    for (digest, data) in &blobs {
        let written = std::fs::read(sink.path_of(digest)).expect("blob file");
        assert!(written == *data, "blob {digest} differs");
    }
    assert!(counts.retries.load(Ordering::Relaxed) >= 4);
}

#[test]
fn a_corrupt_blob_leaves_no_file_behind() {
    let mut behaviour = Behaviour::default();
    let good = add_blob(&mut behaviour, bytes(40, 50_000));
    let bad = add_blob(&mut behaviour, bytes(41, 50_000));
    behaviour.corrupt.insert(bad.to_string());
    let server = TestServer::start(behaviour);
    let directory = tempfile::tempdir().expect("temp dir");
    let sink = DirectorySink::new(directory.path());
    let error = server
        .client("")
        .fetch_blobs(&[bad, good], &sink, 1, &NoProgress)
        .expect_err("corrupt blob");
    assert!(
        matches!(&error, ClientError::Corrupt { digest, .. } if *digest == bad),
        "{error}"
    );
    let names = listing(directory.path());
    assert!(!names.contains(&bad.to_string()), "corrupt blob kept");
    assert!(
        names.iter().all(|name| !name.ends_with(".part")),
        "temporary file left: {names:?}"
    );
}

#[test]
fn a_missing_directory_is_a_write_error() {
    let mut behaviour = Behaviour::default();
    let digest = add_blob(&mut behaviour, bytes(42, 10));
    let server = TestServer::start(behaviour);
    let directory = tempfile::tempdir().expect("temp dir");
    let missing = directory.path().join("missing");
    let error = server
        .client("")
        .fetch_blobs(&[digest], &DirectorySink::new(&missing), 4, &NoProgress)
        .expect_err("no directory");
    assert!(matches!(error, ClientError::Write { .. }), "{error}");
    assert!(
        error.to_string().contains(&missing.display().to_string()),
        "{error}"
    );
}

#[test]
fn nothing_to_fetch() {
    let server = TestServer::start(Behaviour::default());
    let directory = tempfile::tempdir().expect("temp dir");
    let summary = server
        .client("")
        .fetch_blobs(&[], &DirectorySink::new(directory.path()), 4, &NoProgress)
        .expect("empty");
    assert_eq!((summary.blobs, summary.bytes), (0, 0));
    assert!(server.behaviour().requests.is_empty());
}
