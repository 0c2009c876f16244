//! `--test` (`ApplyOptions::test`): every check a real run makes, and
//! nothing on the machine changes; and the per-file progress of a real run.

use std::cell::RefCell;
use std::fs;

use conary_system::SystemError;
use conary_system::apply::{ApplyOptions, Progress, Step};
use conary_system::db::Database;
use conary_system::rollback;

use crate::fixtures::{Repo, apply, install_job, leftovers, run_jobs, snapshot, synthetic};

const EXPAT: &str = "libexpat1_2.5.0-1+deb12u5_amd64.deb";

fn test_mode() -> ApplyOptions {
    ApplyOptions {
        test: true,
        ..ApplyOptions::default()
    }
}

#[test]
fn a_test_run_reports_the_troves_and_changes_nothing() {
    let repo = Repo::new();
    let expat = repo.import(&[EXPAT]).remove(0);
    let root = tempfile::tempdir().expect("root");
    let jobs = [install_job(&expat)];
    let bytes = repo.changeset(&jobs);

    // A root without a database: an in-memory one stands for it.
    let mut empty = Database::in_memory(root.path()).expect("in memory");
    let report = apply(&mut empty, &repo, &jobs, &bytes, &test_mode()).expect("test run");
    assert!(report.installed.contains(&expat), "{report:?}");
    assert!(report.files_written > 0);
    assert!(!report.rollback_recorded);
    assert_eq!(fs::read_dir(root.path()).expect("root").count(), 0);

    // A real database, opened read-only.
    drop(Database::open(root.path()).expect("create"));
    let before = snapshot(root.path());
    let mut db = Database::open_readonly(root.path()).expect("read-only");
    let report = apply(&mut db, &repo, &jobs, &bytes, &test_mode()).expect("test run");
    assert!(report.installed.contains(&expat));
    assert_eq!(snapshot(root.path()), before);
    assert!(db.installed().expect("installed").is_empty());
    assert!(rollback::list(&db).expect("list").is_empty());
    assert!(leftovers(root.path()).is_empty());
}

#[test]
fn a_test_run_refuses_what_a_real_run_refuses() {
    let repo = Repo::new();
    let expat = repo.import(&[EXPAT]).remove(0);
    let clash = synthetic(
        &repo,
        "clash:runtime",
        "1-1-1",
        &[(
            "/lib/x86_64-linux-gnu/libexpat.so.1.8.10",
            b"not expat\n",
            false,
        )],
    );
    let root = tempfile::tempdir().expect("root");
    let mut db = Database::open(root.path()).expect("open");
    run_jobs(&mut db, &repo, &[install_job(&expat)]);
    let before = snapshot(root.path());
    let jobs = [install_job(&clash)];
    let bytes = repo.changeset(&jobs);
    let error = apply(&mut db, &repo, &jobs, &bytes, &test_mode()).expect_err("conflict");
    assert!(matches!(error, SystemError::FileConflict { .. }), "{error}");
    assert_eq!(error.hint(), Some("--replace-managed-files"));
    assert_eq!(snapshot(root.path()), before);
}

/// Records what a transaction reports.
#[derive(Default)]
struct Recorder {
    steps: RefCell<Vec<Step>>,
    files: RefCell<Vec<(String, u64)>>,
}

impl Progress for Recorder {
    fn step(&self, step: Step) {
        self.steps.borrow_mut().push(step);
    }
    fn file_staged(&self, path: &str, bytes: u64) {
        self.files.borrow_mut().push((path.to_owned(), bytes));
    }
}

#[test]
fn a_real_run_reports_each_file_staged() {
    let repo = Repo::new();
    let expat = repo.import(&[EXPAT]).remove(0);
    let root = tempfile::tempdir().expect("root");
    let mut db = Database::open(root.path()).expect("open");
    let jobs = [install_job(&expat)];
    let bytes = repo.changeset(&jobs);
    let recorder = Recorder::default();
    let reader = conary_changeset::ChangeSetReader::new(&bytes[..]).expect("reads");
    let source = repo.source();
    let report = conary_system::apply::apply_changeset(
        &mut db,
        &jobs,
        reader,
        Some(&source),
        &ApplyOptions::default(),
        &recorder,
    )
    .expect("applies");
    let files = recorder.files.borrow();
    assert_eq!(files.len(), report.files_written);
    let steps = recorder.steps.borrow();
    assert_eq!(
        steps.first(),
        Some(&Step::Planned {
            write: report.files_written,
            remove: 0
        })
    );
    assert_eq!(steps.last(), Some(&Step::Committed));
    let (path, size) = files
        .iter()
        .find(|(path, _)| path == "/lib/x86_64-linux-gnu/libexpat.so.1.8.10")
        .expect("the library was staged");
    let on_disk = fs::metadata(root.path().join(path.trim_start_matches('/'))).expect("lib");
    assert_eq!(*size, on_disk.len());
}
