//! The lock file as other processes see it.

use std::fs;

use conary_util::{LockFile, UtilError};

#[test]
fn lock_file_records_the_holder_and_survives_release() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("conary.lock");
    let lock = LockFile::try_acquire(&path).expect("lock");
    let recorded = fs::read_to_string(&path).expect("read lock file");
    assert_eq!(recorded.trim(), std::process::id().to_string());
    let error = LockFile::try_acquire(&path).expect_err("held");
    assert!(matches!(error, UtilError::Locked { .. }));
    assert_eq!(
        error.to_string(),
        format!(
            "another conary process holds the lock at '{}' (pid {})",
            path.display(),
            std::process::id()
        )
    );
    drop(lock);
    assert!(path.exists(), "the lock file is never removed");
    let again = LockFile::acquire(&path).expect("lock again");
    again.release().expect("release");
}

#[test]
fn garbage_in_lock_file_gives_no_pid() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("conary.lock");
    let lock = LockFile::try_acquire(&path).expect("lock");
    fs::write(&path, b"not a pid").expect("overwrite");
    match LockFile::try_acquire(&path) {
        Err(UtilError::Locked { pid: None, .. }) => {}
        other => panic!("expected a lock error without pid, got {other:?}"),
    }
    drop(lock);
}
