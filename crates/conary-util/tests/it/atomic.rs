//! Atomic writes seen by concurrent readers.

use std::fs;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use conary_util::{AtomicFile, atomic_write};

/// Readers racing with writers see one complete version or another, never a
/// mix or a truncated file.
#[test]
fn readers_never_see_a_partial_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("state");
    let versions: Vec<Vec<u8>> = (0..4u8).map(|byte| vec![byte; 64 * 1024]).collect();
    atomic_write(&path, &versions[0]).expect("initial write");
    let done = AtomicBool::new(false);
    thread::scope(|scope| {
        for version in &versions {
            let path = &path;
            scope.spawn(move || {
                for _ in 0..20 {
                    let mut file = AtomicFile::create(path).expect("create");
                    for chunk in version.chunks(1000) {
                        file.write_all(chunk).expect("write");
                    }
                    file.commit().expect("commit");
                }
            });
        }
        scope.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                let contents = fs::read(&path).expect("read");
                assert!(
                    versions.contains(&contents),
                    "saw a partial file of {} bytes",
                    contents.len()
                );
            }
        });
        thread::sleep(std::time::Duration::from_millis(10));
        done.store(true, Ordering::Relaxed);
    });
    let leftovers: Vec<_> = fs::read_dir(dir.path()).expect("read dir").collect();
    assert_eq!(leftovers.len(), 1, "temporary files are gone");
}

#[test]
fn permissions_set_before_commit_are_kept() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("script");
    let mut file = AtomicFile::create(&path).expect("create");
    file.write_all(b"#!/bin/sh\n").expect("write");
    file.as_file()
        .set_permissions(fs::Permissions::from_mode(0o755))
        .expect("chmod");
    file.commit().expect("commit");
    let mode = fs::metadata(&path).expect("metadata").permissions().mode();
    assert_eq!(mode & 0o777, 0o755);
}
