//! Killing a transaction at every step: an install, an update, a
//! rollback, a restore (and migrate's write-back), and an install with
//! post-phase hooks (each must run exactly once, replayed by recovery when
//! the crash followed the commit), run in a child process (this test executable, re-run on its
//! `crash::child` test) that aborts at one crash point
//! (`CONARY_CRASH_AT`, honoured because the tests build conary-system with
//! its `crash-points` feature). The next open must recover the root to
//! exactly the old or exactly the new state, files and database agreeing,
//! and the operation must then run again cleanly.

use std::collections::BTreeMap;
use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use conary_core::trove::TroveTuple;
use conary_repository::{LocalSource, Repository};
use conary_system::apply::{ApplyOptions, NoProgress, apply_changeset};
use conary_system::db::Database;
use conary_system::journal::RecoveryOutcome;
use conary_system::rollback::{self, RollbackTarget};
use conary_system::verify::{VerifyOptions, verify};

use crate::fixtures::{
    Entry, Repo, copy_root, install_job, leftovers, login, run_jobs, snapshot, update_job,
};

const OLD: &str = "libexpat1_2.5.0-1+deb12u2_amd64.deb";
const NEW: &str = "libexpat1_2.5.0-1+deb12u5_amd64.deb";

/// What the child does, from its environment.
fn child_operation(root: &Path) {
    let repository =
        Repository::open(env::var_os("CONARY_TEST_REPO").expect("repo")).expect("open repo");
    let source = LocalSource::new(&repository, login(&repository));
    let mut db = Database::open(root).expect("open");
    match env::var("CONARY_TEST_CHILD").expect("operation").as_str() {
        "apply" => {
            let bytes =
                fs::read(env::var_os("CONARY_TEST_CHANGESET").expect("changeset")).expect("read");
            let reader = conary_changeset::ChangeSetReader::new(&bytes[..]).expect("reader");
            apply_changeset(
                &mut db,
                &[],
                reader,
                Some(&source),
                &ApplyOptions::default(),
                &NoProgress,
            )
            .expect("apply");
        }
        "rollback" => {
            rollback::rollback(
                &mut db,
                RollbackTarget::Count(1),
                Some(&source),
                &ApplyOptions::default(),
                &NoProgress,
            )
            .expect("rollback");
        }
        "restore" | "restore-all" => {
            let all = env::var("CONARY_TEST_CHILD").expect("operation") == "restore-all";
            let troves = db.installed().expect("installed");
            let restored = conary_system::merge::local::restore(&db, &troves, all, Some(&source))
                .expect("restore");
            assert!(!restored.paths.is_empty(), "something to restore");
        }
        "hooks" => {
            crate::tags::install(&mut db, &hooked_trove(), &crate::tags::options())
                .expect("install");
        }
        other => panic!("unknown operation {other}"),
    }
}

/// The child's entry point; does nothing in a normal test run.
#[test]
fn child() {
    if let Some(root) = env::var_os("CONARY_TEST_ROOT")
        && env::var_os("CONARY_TEST_CHILD").is_some()
    {
        child_operation(Path::new(&root));
    }
}

/// The state of a root: its files and its installed troves.
#[derive(Debug, Clone, PartialEq, Eq)]
struct State {
    files: BTreeMap<String, Entry>,
    troves: Vec<TroveTuple>,
    rollbacks: usize,
}

fn state(root: &Path) -> State {
    let db = Database::open_readonly(root).expect("open");
    State {
        files: snapshot(root),
        troves: db.installed().expect("installed"),
        rollbacks: rollback::list(&db).expect("list").len(),
    }
}

struct Scenario<'a> {
    repo: &'a Repo,
    operation: &'a str,
    changeset: Option<PathBuf>,
    /// Steps the operation must pass (beyond journal, staged, commit).
    steps: &'a [&'a str],
    /// Whether every recovered root verifies clean (false when the root
    /// starts with local changes, which an undo keeps).
    verify_clean: bool,
}

impl Scenario<'_> {
    /// Runs the child on `root`, aborting at `crash_at`; logs the crash
    /// points passed to `log`. Returns whether it exited cleanly.
    fn run_child(&self, root: &Path, crash_at: Option<&str>, log: Option<&Path>) -> bool {
        let mut command = Command::new(env::current_exe().expect("test executable"));
        command
            .args(["crash::child", "--exact", "--nocapture", "--test-threads=1"])
            .env("CONARY_TEST_CHILD", self.operation)
            .env("CONARY_TEST_ROOT", root)
            .env("CONARY_TEST_REPO", self.repo.path())
            .env_remove("CONARY_CRASH_AT")
            .env_remove("CONARY_CRASH_LOG");
        if let Some(changeset) = &self.changeset {
            command.env("CONARY_TEST_CHANGESET", changeset);
        }
        if let Some(point) = crash_at {
            command.env("CONARY_CRASH_AT", point);
        }
        if let Some(log) = log {
            command.env("CONARY_CRASH_LOG", log);
        }
        let output = command.output().expect("child runs");
        output.status.success()
    }

    /// Crashes the operation on copies of `base` at every step and checks
    /// each recovery. Returns (undone, completed) counts.
    fn crash_everywhere(&self, base: &Path) -> (usize, usize) {
        let before = state(base);
        let scratch = tempfile::tempdir().expect("scratch");
        let log = scratch.path().join("points");
        let clean = copy_root(base);
        assert!(
            self.run_child(clean.path(), None, Some(&log)),
            "{} runs cleanly",
            self.operation
        );
        let after = state(clean.path());
        assert_ne!(before, after, "{} changes something", self.operation);
        let points: Vec<String> = fs::read_to_string(&log)
            .expect("crash points were logged: is the crash-points feature on?")
            .lines()
            .map(str::to_owned)
            .collect();
        for step in ["journal:1", "staged:1", "committed:1", "done:1"] {
            assert!(
                points.iter().any(|point| point == step),
                "{step} in {points:?}"
            );
        }
        for step in self.steps {
            let prefix = format!("{step}:");
            assert!(
                points.iter().any(|point| point.starts_with(&prefix)),
                "{step} in {points:?}"
            );
        }
        let (mut undone, mut completed) = (0, 0);
        for point in &points {
            let root = copy_root(base);
            assert!(
                !self.run_child(root.path(), Some(point), None),
                "crashed at {point}"
            );
            let db = Database::open(root.path()).expect("recovering open");
            let recovery = db.recovery().copied();
            assert!(
                !self.verify_clean
                    || verify(&db, None, VerifyOptions::default())
                        .expect("verify")
                        .is_empty(),
                "{point}"
            );
            drop(db);
            assert!(
                leftovers(root.path()).is_empty(),
                "{point}: {:?}",
                leftovers(root.path())
            );
            assert!(
                !root.path().join("var/lib/conarydb/journal").exists(),
                "{point}"
            );
            let recovered = state(root.path());
            let rollback_dirs = fs::read_dir(root.path().join("var/lib/conarydb/rollbacks"))
                .map(|entries| entries.count())
                .unwrap_or(0);
            assert_eq!(
                rollback_dirs, recovered.rollbacks,
                "{point}: rollback directories"
            );
            if recovered == before {
                undone += 1;
                if point != "journal:1" || recovery.is_some() {
                    assert_eq!(
                        recovery.map(|r| r.outcome),
                        Some(RecoveryOutcome::Undone),
                        "{point}"
                    );
                }
                // The next command runs the operation again, cleanly.
                assert!(self.run_child(root.path(), None, None), "{point}: rerun");
                assert_eq!(state(root.path()), after, "{point}: rerun");
            } else {
                assert_eq!(
                    recovered, after,
                    "{point}: neither the old nor the new state"
                );
                completed += 1;
                if point != "done:1" {
                    assert_eq!(
                        recovery.map(|r| r.outcome),
                        Some(RecoveryOutcome::Completed),
                        "{point}"
                    );
                }
            }
        }
        (undone, completed)
    }
}

/// A repository with both versions of libexpat1, and a root with the
/// database created.
fn setup() -> (Repo, Vec<TroveTuple>, tempfile::TempDir) {
    let repo = Repo::new();
    let tuples = repo.import(&[OLD, NEW]);
    let root = tempfile::tempdir().expect("root");
    drop(Database::open(root.path()).expect("create database"));
    (repo, tuples, root)
}

fn write_changeset(repo: &Repo, jobs: &[conary_api::Job], dir: &Path) -> PathBuf {
    let path = dir.join("changeset.ccs");
    fs::write(&path, repo.changeset(jobs)).expect("write changeset");
    path
}

#[test]
fn install_recovers_from_a_crash_at_every_step() {
    let (repo, tuples, root) = setup();
    let scratch = tempfile::tempdir().expect("scratch");
    let scenario = Scenario {
        repo: &repo,
        operation: "apply",
        changeset: Some(write_changeset(
            &repo,
            &[install_job(&tuples[0])],
            scratch.path(),
        )),
        verify_clean: true,
        steps: &[
            "rollback-entry",
            "mkdir",
            "stage",
            "rename",
            "renamed",
            "finished",
        ],
    };
    let (undone, completed) = scenario.crash_everywhere(root.path());
    assert!(
        undone >= 10 && completed >= 2,
        "undone {undone}, completed {completed}"
    );
}

#[test]
fn update_recovers_from_a_crash_at_every_step() {
    let (repo, tuples, root) = setup();
    let mut db = Database::open(root.path()).expect("open");
    run_jobs(&mut db, &repo, &[install_job(&tuples[0])]);
    drop(db);
    let scratch = tempfile::tempdir().expect("scratch");
    let scenario = Scenario {
        repo: &repo,
        operation: "apply",
        changeset: Some(write_changeset(
            &repo,
            &[update_job(&tuples[0], &tuples[1])],
            scratch.path(),
        )),
        verify_clean: true,
        steps: &[
            "rollback-entry",
            "stage",
            "backup",
            "rename",
            "finish-backup",
        ],
    };
    let (undone, completed) = scenario.crash_everywhere(root.path());
    assert!(
        undone >= 10 && completed >= 2,
        "undone {undone}, completed {completed}"
    );
}

#[test]
fn rollback_recovers_from_a_crash_at_every_step() {
    let (repo, tuples, root) = setup();
    let mut db = Database::open(root.path()).expect("open");
    run_jobs(&mut db, &repo, &[install_job(&tuples[0])]);
    run_jobs(&mut db, &repo, &[update_job(&tuples[0], &tuples[1])]);
    drop(db);
    let scenario = Scenario {
        repo: &repo,
        operation: "rollback",
        changeset: None,
        steps: &["stage", "backup", "rename", "finish-backup"],
        verify_clean: true,
    };
    let (undone, completed) = scenario.crash_everywhere(root.path());
    assert!(
        undone >= 10 && completed >= 2,
        "undone {undone}, completed {completed}"
    );
}

/// A root with the old libexpat1 installed, then changed by hand: its
/// documentation directory deleted, its library symlink deleted and, with
/// `edit`, its library overwritten.
fn damaged_root(edit: bool) -> (Repo, tempfile::TempDir) {
    let (repo, tuples, root) = setup();
    let mut db = Database::open(root.path()).expect("open");
    run_jobs(&mut db, &repo, &[install_job(&tuples[0])]);
    drop(db);
    let doc = root.path().join("usr/share/doc/libexpat1");
    fs::remove_dir_all(&doc).expect("remove the documentation");
    let files = snapshot(root.path());
    let link = files
        .iter()
        .find(|(path, entry)| path.starts_with("usr/lib") && matches!(entry, Entry::Link { .. }))
        .map(|(path, _)| path.clone())
        .expect("a library symlink");
    fs::remove_file(root.path().join(&link)).expect("remove the symlink");
    if edit {
        let library = files
            .iter()
            .find(|(path, entry)| {
                path.starts_with("usr/lib") && matches!(entry, Entry::File { .. })
            })
            .map(|(path, _)| path.clone())
            .expect("a library");
        fs::write(root.path().join(library), b"edited by hand").expect("edit");
    }
    (repo, root)
}

#[test]
fn restore_recovers_from_a_crash_at_every_step() {
    let (repo, root) = damaged_root(false);
    let scenario = Scenario {
        repo: &repo,
        operation: "restore",
        changeset: None,
        steps: &["mkdir", "stage", "rename", "renamed", "finished"],
        verify_clean: false,
    };
    let (undone, completed) = scenario.crash_everywhere(root.path());
    assert!(
        undone >= 6 && completed >= 2,
        "undone {undone}, completed {completed}"
    );
    // The restored root verifies clean.
    let clean = copy_root(root.path());
    assert!(scenario.run_child(clean.path(), None, None));
    let db = Database::open(clean.path()).expect("open");
    assert!(
        verify(&db, None, VerifyOptions::default())
            .expect("verify")
            .is_empty()
    );
}

#[test]
fn migrate_write_back_recovers_from_a_crash_at_every_step() {
    let (repo, root) = damaged_root(true);
    let scenario = Scenario {
        repo: &repo,
        operation: "restore-all",
        changeset: None,
        steps: &["mkdir", "stage", "backup", "rename", "finish-backup"],
        verify_clean: false,
    };
    let (undone, completed) = scenario.crash_everywhere(root.path());
    assert!(
        undone >= 6 && completed >= 2,
        "undone {undone}, completed {completed}"
    );
    let clean = copy_root(root.path());
    assert!(scenario.run_child(clean.path(), None, None));
    let db = Database::open(clean.path()).expect("open");
    assert!(
        verify(&db, None, VerifyOptions::default())
            .expect("verify")
            .is_empty()
    );
}

#[test]
fn a_read_only_open_recovers_when_no_one_holds_the_lock() {
    let (repo, tuples, root) = setup();
    let scratch = tempfile::tempdir().expect("scratch");
    let scenario = Scenario {
        repo: &repo,
        operation: "apply",
        changeset: Some(write_changeset(
            &repo,
            &[install_job(&tuples[0])],
            scratch.path(),
        )),
        steps: &[],
        verify_clean: true,
    };
    assert!(!scenario.run_child(root.path(), Some("rename:2"), None));
    assert!(root.path().join("var/lib/conarydb/journal").exists());
    let db = Database::open_readonly(root.path()).expect("open");
    assert_eq!(
        db.recovery().map(|r| r.outcome),
        Some(RecoveryOutcome::Undone)
    );
    assert!(!db.is_writable());
    assert!(db.installed().expect("installed").is_empty());
    assert!(leftovers(root.path()).is_empty());
}

/// Tag descriptions `t1` (files preupdate and files update) and `t2`
/// (files update), whose handlers log `NAME ARGV…` to
/// `$CONARY_ROOT/handler.log`, as a trove to install first.
fn tag_handler_trove() -> crate::tags::Made {
    let one = b"#!/bin/sh\necho \"one $*\" >> \"$CONARY_ROOT/handler.log\"\n".to_vec();
    let two = b"#!/bin/sh\necho \"two $*\" >> \"$CONARY_ROOT/handler.log\"\n".to_vec();
    let t1: &[u8] = b"file /usr/libexec/conary/tags/one\n\
implements files preupdate\nimplements files update\n";
    let t2: &[u8] = b"file /usr/libexec/conary/tags/two\nimplements files update\n";
    crate::tags::make(
        "tagger:runtime",
        "1-1-1",
        &[
            crate::tags::file("/etc/conary/tags/t1", t1, &[]),
            crate::tags::file("/etc/conary/tags/t2", t2, &[]),
            crate::tags::program("/usr/libexec/conary/tags/one", &one),
            crate::tags::program("/usr/libexec/conary/tags/two", &two),
        ],
    )
}

/// A trove with a file tagged `t1` and `t2` and pre- and postInstall scripts that
/// log their slot to `$CONARY_ROOT/scripts.log`.
fn hooked_trove() -> crate::tags::Made {
    let mut made = crate::tags::make(
        "hooked:runtime",
        "1-1-1",
        &[crate::tags::file(
            "/usr/share/hooked",
            b"data",
            &["t1", "t2"],
        )],
    );
    for slot in [
        conary_core::troveinfo::ScriptSlot::PreInstall,
        conary_core::troveinfo::ScriptSlot::PostInstall,
    ] {
        made.trove.info.scripts.set(
            slot,
            conary_core::troveinfo::TroveScript::new(&format!(
                "#!/bin/sh\necho {slot} >> \"$CONARY_ROOT/scripts.log\"\n"
            )),
        );
    }
    made
}

fn read_log(root: &Path, name: &str) -> String {
    fs::read_to_string(root.join(name)).unwrap_or_default()
}

#[test]
fn post_phase_hooks_run_exactly_once_after_a_crash_that_follows_the_commit() {
    let repo = Repo::new();
    let base = tempfile::tempdir().expect("root");
    let mut db = Database::open(base.path()).expect("open");
    crate::tags::install(&mut db, &tag_handler_trove(), &crate::tags::options())
        .expect("install the tag handler");
    drop(db);
    let _ = fs::remove_file(base.path().join("handler.log"));
    let scenario = Scenario {
        repo: &repo,
        operation: "hooks",
        changeset: None,
        steps: &[],
        verify_clean: true,
    };
    let scratch = tempfile::tempdir().expect("scratch");
    let points_log = scratch.path().join("points");
    let clean = copy_root(base.path());
    assert!(scenario.run_child(clean.path(), None, Some(&points_log)));
    let handler_log = read_log(clean.path(), "handler.log");
    let scripts_log = read_log(clean.path(), "scripts.log");
    assert_eq!(
        handler_log,
        "one files preupdate /usr/share/hooked\none files update /usr/share/hooked\ntwo files update /usr/share/hooked\n"
    );
    assert_eq!(scripts_log, "preInstall\npostInstall\n");
    let points: Vec<String> = fs::read_to_string(&points_log)
        .expect("points")
        .lines()
        .map(str::to_owned)
        .collect();
    // post-hook: the built-ins, each handler call, the script.
    for step in [
        "committed:1",
        "done:1",
        "post-hook:1",
        "post-hook:2",
        "post-hook:3",
        "post-hook:4",
    ] {
        assert!(points.iter().any(|p| p == step), "{step} in {points:?}");
    }
    let (mut before_commit, mut after_commit) = (0, 0);
    for point in &points {
        let root = copy_root(base.path());
        assert!(
            !scenario.run_child(root.path(), Some(point), None),
            "crashed at {point}"
        );
        let db = Database::open(root.path()).expect("recovering open");
        let installed = db
            .installed()
            .expect("installed")
            .iter()
            .any(|tuple| tuple.name.to_string() == "hooked:runtime");
        assert!(db.hook_notes().is_empty(), "{point}: {:?}", db.hook_notes());
        drop(db);
        assert!(
            !root.path().join("var/lib/conarydb/hooks-pending").exists(),
            "{point}"
        );
        let handlers = read_log(root.path(), "handler.log");
        let scripts = read_log(root.path(), "scripts.log");
        if installed {
            after_commit += 1;
            assert_eq!(handlers, handler_log, "{point}: each handler call once");
            assert_eq!(scripts, scripts_log, "{point}: each script once");
        } else {
            before_commit += 1;
            assert_eq!(
                handlers, "one files preupdate /usr/share/hooked\n",
                "{point}: no post phase for an undone transaction"
            );
            assert_eq!(scripts, "preInstall\n", "{point}");
        }
        // A second open runs nothing more.
        drop(Database::open(root.path()).expect("open again"));
        assert_eq!(read_log(root.path(), "handler.log"), handlers, "{point}");
        assert_eq!(read_log(root.path(), "scripts.log"), scripts, "{point}");
    }
    assert!(
        before_commit >= 3 && after_commit >= 6,
        "before {before_commit}, after {after_commit}"
    );
}
