//! Tests of the delta store: entries, pairing, and changesets made with
//! and without it.

use std::path::Path;

use conary_api::Job;
use conary_changeset::{
    ChangeSetBuilder, ChangeSetReader, ContentKind, MemContents, delta_encoding, write_changeset,
};

use super::*;
use crate::cache::CACHE_DIR;
use crate::testutil::{Bundle, admin, repository, version};

const LIB: &str = "/usr/lib/libfoo.so";
const NOISE: &str = "/usr/share/foo/random";
const SAME: &str = "/usr/share/foo/same";

/// Pseudo-random bytes (xorshift).
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// The files of version `n` of foo:lib: a library changed a little each
/// version, contents changed wholly, and a file that never changes.
fn files(n: u8) -> Vec<(&'static str, Vec<u8>)> {
    let mut lib = noise(1, 80_000);
    lib[1000] = n;
    lib.extend_from_slice(format!("version {n}").as_bytes());
    vec![
        (LIB, lib),
        (NOISE, noise(10 + u64::from(n), 20_000)),
        (SAME, noise(5, 3_000)),
    ]
}

/// Commits version `n` of foo:lib through a real changeset (so its
/// contents are stored as frames, as an import stores them).
fn commit_version(repository: &Repository, n: u8) -> TroveTuple {
    let files = files(n);
    let borrowed: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(path, bytes)| (*path, bytes.as_slice()))
        .collect();
    let mut bundle = Bundle::default();
    let v = version(&format!("/conary.example.com@rpl:2/1.{n}-1-1"));
    bundle.component("foo:lib", &v, &borrowed);
    let mut contents = MemContents::new();
    for bytes in bundle.contents.values() {
        contents.insert(bytes.clone());
    }
    let mut builder = ChangeSetBuilder::new();
    for trove in &bundle.troves {
        builder
            .add_absolute(trove.clone(), &bundle.streams)
            .expect("add");
    }
    let changeset = builder.build(&NoContentsHere, &contents).expect("build");
    let bytes = write_changeset(Vec::new(), &changeset, &contents).expect("write");
    let reader = ChangeSetReader::new(&bytes[..]).expect("reader");
    let result = repository.commit(reader, &admin()).expect("commit");
    result.committed.into_iter().next().expect("one trove")
}

use conary_changeset::NoContents as NoContentsHere;

/// The relative changeset old → new, as a client asks for it (the
/// changeset cache emptied first, so it is made).
fn update(repository: &Repository, old: &TroveTuple, new: &TroveTuple) -> Vec<u8> {
    let _ = fs::remove_dir_all(repository.dir().join(CACHE_DIR));
    let job = Job::update(
        new.name.clone(),
        (old.version.clone(), old.flavor.clone()),
        (new.version.clone(), new.flavor.clone()),
    );
    let mut out = Vec::new();
    repository
        .changeset(&[job], false, &admin(), &mut out)
        .expect("changeset");
    out
}

/// The kinds of the contents of a changeset, by path of the new trove.
fn kinds(bytes: &[u8]) -> Vec<ContentKind> {
    let reader = ChangeSetReader::new(bytes).expect("reader");
    reader
        .changeset()
        .contents
        .values()
        .map(|contents| contents.kind)
        .collect()
}

/// Every entry file under `dir`.
fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(listing) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in listing {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

fn key() -> DeltaKey {
    DeltaKey {
        target: Digest::of(b"target"),
        base: Digest::of(b"base"),
        encoding: delta_encoding(9),
    }
}

#[test]
fn entries_round_trip_and_damage_is_refused() {
    let key = key();
    let kept = StoredDelta {
        base_size: 100,
        size: 120,
        len: 5,
        frame: Some(b"delta".to_vec()),
    };
    let record = StoredDelta {
        frame: None,
        len: 500,
        ..kept.clone()
    };
    for delta in [&kept, &record] {
        let bytes = encode(&key, delta);
        assert_eq!(parse(&bytes, &key).as_ref(), Some(delta));
        // Every truncation and every flipped byte is refused.
        for len in 0..bytes.len() {
            assert_eq!(parse(&bytes[..len], &key), None, "truncated to {len}");
        }
        for at in 0..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x10;
            assert_eq!(parse(&damaged, &key), None, "flip at {at}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(parse(&longer, &key), None);
    }
    // An entry is only ever read for the key it was written for: another
    // encoding (level, format, zstd), target or base is refused.
    let bytes = encode(&key, &kept);
    for other in [
        DeltaKey {
            encoding: delta_encoding(19),
            ..key
        },
        DeltaKey {
            target: key.base,
            ..key
        },
        DeltaKey {
            base: key.target,
            ..key
        },
    ] {
        assert_eq!(parse(&bytes, &other), None);
    }
}

#[test]
fn the_store_keeps_files_and_removes_damaged_ones() {
    let (dir, repository) = repository();
    let (base, _) = repository.store().put_bytes(b"base").expect("base");
    let key = DeltaKey { base, ..key() };
    let files = repository.writable_delta_files();
    assert_eq!(files.get(&key), None, "nothing yet, not even a directory");
    let delta = StoredDelta {
        base_size: 4,
        size: 6,
        len: 3,
        frame: Some(b"abc".to_vec()),
    };
    files.put(&key, &delta);
    let path = files.entry_path(&key);
    assert!(path.starts_with(dir.path().join(DELTAS_DIR).join(key.encoding.to_string())));
    assert_eq!(files.get(&key), Some(delta.clone()));
    assert_eq!(entries(&dir.path().join(DELTAS_DIR)), vec![path.clone()]);
    // A delta whose base left the store is not used.
    let gone = DeltaKey {
        base: Digest::of(b"not stored"),
        ..key
    };
    files.put(&gone, &delta);
    assert_eq!(files.get(&gone), None);
    // A damaged entry is a miss, counted and removed.
    let mut bytes = fs::read(&path).expect("entry");
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    fs::write(&path, &bytes).expect("damage");
    assert_eq!(files.get(&key), None);
    assert!(!path.exists());
    assert_eq!(files.damaged.get(), 1);
    // The store requests use reads only.
    let read_only = repository.delta_files();
    read_only.put(&key, &delta);
    assert_eq!(read_only.get(&key), None);
    assert!(!path.exists());
}

#[test]
fn prepared_deltas_serve_the_update_with_the_same_bytes() {
    let (dir, repository) = repository();
    let deltas_dir = dir.path().join(DELTAS_DIR);
    let v1 = commit_version(&repository, 1);
    let v2 = commit_version(&repository, 2);
    // Made without the store; requests do not write it.
    let made = update(&repository, &v1, &v2);
    let rollback = update(&repository, &v2, &v1);
    assert!(
        kinds(&made)
            .iter()
            .any(|kind| matches!(kind, ContentKind::Delta { .. }))
    );
    assert!(!deltas_dir.exists(), "requests only read the store");

    assert_eq!(
        repository.predecessors(&v2, 3).expect("earlier"),
        vec![v1.clone()]
    );
    assert_eq!(repository.predecessors(&v1, 3).expect("first"), Vec::new());
    let report = repository
        .prepare_deltas(&[v1.clone(), v2.clone()], &PrepareOptions::default())
        .expect("prepare");
    // v1 has no earlier version; v2 pairs with v1 both ways, and two
    // contents changed each way (the unchanged file needs nothing).
    assert_eq!(report.failed, Vec::<String>::new());
    assert_eq!((report.pairs, report.contents), (2, 4));
    assert_eq!((report.kept, report.found), (4, 0));
    assert_eq!(entries(&deltas_dir).len(), 4);
    let bytes: u64 = entries(&deltas_dir)
        .iter()
        .map(|path| fs::metadata(path).expect("entry").len())
        .sum();
    assert_eq!(report.bytes, bytes);

    // The requests now find every delta, and answer the same bytes.
    assert_eq!(update(&repository, &v1, &v2), made);
    assert_eq!(update(&repository, &v2, &v1), rollback);
    assert_eq!(
        entries(&deltas_dir).len(),
        4,
        "nothing made at request time"
    );
    let again = repository
        .prepare_deltas(std::slice::from_ref(&v2), &PrepareOptions::default())
        .expect("prepare again");
    assert_eq!((again.kept, again.found), (0, 4));
}

#[test]
fn stored_records_are_used_and_damaged_entries_made_again() {
    let (dir, repository) = repository();
    let v1 = commit_version(&repository, 1);
    let v2 = commit_version(&repository, 2);
    let options = PrepareOptions {
        depth: 1,
        reverse: false,
    };
    repository
        .prepare_deltas(std::slice::from_ref(&v2), &options)
        .expect("prepare");
    let made = update(&repository, &v1, &v2);
    let files = repository.delta_files();
    let lib_key = |n: u8| DeltaKey {
        target: Digest::of(&files_of(n, LIB)),
        base: Digest::of(&files_of(n - 1, LIB)),
        encoding: delta_encoding(conary_changeset::DEFAULT_DELTA_LEVEL),
    };
    let key = lib_key(2);
    let path = files.entry_path(&key);
    let good = fs::read(&path).expect("the library's delta is stored");
    let delta = parse(&good, &key).expect("intact");
    assert!(delta.frame.is_some(), "the library deltas well");
    // A record saying the full payload is smaller is obeyed: the request
    // reads the store.
    let full_is_smaller = StoredDelta {
        len: 1 << 30,
        frame: None,
        ..delta.clone()
    };
    fs::write(&path, encode(&key, &full_is_smaller)).expect("record");
    let full = update(&repository, &v1, &v2);
    assert_ne!(full, made);
    assert!(
        kinds(&full)
            .iter()
            .all(|kind| !matches!(kind, ContentKind::Delta { .. })),
        "{:?}",
        kinds(&full)
    );
    // A damaged entry is removed and the delta made again; preparing
    // stores it again, exactly as it was.
    let mut damaged = good.clone();
    let middle = damaged.len() - 10;
    damaged[middle] ^= 0x01;
    fs::write(&path, &damaged).expect("damage");
    assert_eq!(update(&repository, &v1, &v2), made);
    assert!(!path.exists(), "the damaged entry is removed");
    let report = repository
        .prepare_deltas(std::slice::from_ref(&v2), &options)
        .expect("again");
    assert_eq!((report.kept, report.found), (1, 1));
    assert_eq!(fs::read(&path).expect("made again"), good);
    // Deleting the whole store breaks nothing.
    fs::remove_dir_all(dir.path().join(DELTAS_DIR)).expect("delete");
    assert_eq!(update(&repository, &v1, &v2), made);
}

/// The contents of `path` in version `n`.
fn files_of(n: u8, path: &str) -> Vec<u8> {
    files(n)
        .into_iter()
        .find(|(file, _)| *file == path)
        .map(|(_, bytes)| bytes)
        .expect("a file of the fixture")
}

#[test]
fn earlier_versions_are_paired_up_to_the_depth() {
    let (_dir, repository) = repository();
    let tuples: Vec<TroveTuple> = (1..=4).map(|n| commit_version(&repository, n)).collect();
    let earlier = repository.predecessors(&tuples[3], 2).expect("earlier");
    assert_eq!(earlier, vec![tuples[2].clone(), tuples[1].clone()]);
    let options = PrepareOptions {
        depth: 2,
        reverse: false,
    };
    let report = repository
        .prepare_deltas(&tuples[3..], &options)
        .expect("prepare");
    assert_eq!((report.pairs, report.kept), (2, 4));
    // The entries pair v4's contents with v3's and v2's, not v1's.
    let names: Vec<String> = entries(&repository.dir().join(DELTAS_DIR))
        .iter()
        .map(|path| {
            path.file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    for (target, base, stored) in [(4, 3, true), (4, 2, true), (4, 1, false), (3, 2, false)] {
        for path in [LIB, NOISE] {
            let name = format!(
                "{}-{}",
                Digest::of(&files_of(target, path)),
                Digest::of(&files_of(base, path))
            );
            assert_eq!(names.contains(&name), stored, "{path} v{base} -> v{target}");
        }
    }
}

#[test]
fn temporary_files_a_crashed_writer_left_are_removed_by_the_next_writer() {
    let (_dir, repository) = repository();
    let (base, _) = repository.store().put_bytes(b"base").expect("base");
    let key = DeltaKey { base, ..key() };
    let delta = StoredDelta {
        base_size: 4,
        size: 6,
        len: 3,
        frame: Some(b"abc".to_vec()),
    };
    let path = repository.writable_delta_files().entry_path(&key);
    let bucket = path.parent().expect("bucket").to_path_buf();
    fs::create_dir_all(&bucket).expect("bucket");
    let stale = bucket.join("tmp-crashed");
    let fresh = bucket.join("tmp-writing");
    fs::write(&stale, b"partial").expect("stale");
    fs::write(&fresh, b"partial").expect("fresh");
    let long_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 3600);
    File::options()
        .write(true)
        .open(&stale)
        .and_then(|file| file.set_modified(long_ago))
        .expect("age");
    repository.writable_delta_files().put(&key, &delta);
    assert!(!stale.exists(), "left over from a crash: removed");
    assert!(fresh.exists(), "another writer's file in progress: kept");
    assert!(path.exists());
}
