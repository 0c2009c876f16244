//! File conflicts, shared files, local changes and hostile paths: refused
//! before anything changes, unless an option says otherwise.

use std::fs;
use std::os::unix::fs::symlink;

use conary_system::SystemError;
use conary_system::apply::{ApplyOptions, NoProgress};
use conary_system::db::Database;
use conary_system::rollback::{self, RollbackTarget};
use conary_system::verify::{Problem, VerifyOptions, verify};

use crate::fixtures::{
    Repo, apply, install_job, leftovers, run_jobs, snapshot, synthetic, update_job,
};

const CURL: &str = "curl_7.88.1-10+deb12u15_amd64.deb";

/// Applies `jobs` expecting a refusal, and checks that nothing changed.
fn refused(
    db: &mut Database,
    repo: &Repo,
    jobs: &[conary_api::Job],
    options: &ApplyOptions,
) -> SystemError {
    let before = snapshot(db.root());
    let installed = db.installed().expect("installed");
    let stack = rollback::list(db).expect("list").len();
    let bytes = repo.changeset(jobs);
    let error = apply(db, repo, jobs, &bytes, options).expect_err("refused");
    assert_eq!(snapshot(db.root()), before, "{error}");
    assert_eq!(db.installed().expect("installed"), installed);
    assert_eq!(rollback::list(db).expect("list").len(), stack);
    assert!(!db.dir().join("journal").exists());
    assert!(leftovers(db.root()).is_empty());
    error
}

/// Like [`refused`] for a conflicting config merge: only `conflicts`
/// (with conflict markers) is left.
fn refused_leaving(
    db: &mut Database,
    repo: &Repo,
    jobs: &[conary_api::Job],
    conflicts: &std::path::Path,
) -> SystemError {
    let before = snapshot(db.root());
    let installed = db.installed().expect("installed");
    let bytes = repo.changeset(jobs);
    let error = apply(db, repo, jobs, &bytes, &ApplyOptions::default()).expect_err("refused");
    let marked = fs::read_to_string(conflicts).expect("conflicts left");
    assert!(
        marked.contains("<<<<<<<") && marked.contains(">>>>>>>"),
        "{marked}"
    );
    assert!(error.to_string().contains(".conflicts"), "{error}");
    fs::remove_file(conflicts).expect("remove conflicts");
    assert_eq!(snapshot(db.root()), before, "{error}");
    assert_eq!(db.installed().expect("installed"), installed);
    assert!(!db.dir().join("journal").exists());
    assert!(leftovers(db.root()).is_empty());
    error
}

#[test]
fn a_path_owned_by_another_trove_is_refused_unless_replaced() {
    let repo = Repo::new();
    let curl = repo.import(&[CURL]).remove(0);
    let evil = synthetic(
        &repo,
        "evil:runtime",
        "1-1-1",
        &[("/usr/bin/curl", b"not curl\n", false)],
    );
    let root = tempfile::tempdir().expect("root");
    let mut db = Database::open(root.path()).expect("open");
    run_jobs(&mut db, &repo, &[install_job(&curl)]);
    let original = fs::read(root.path().join("usr/bin/curl")).expect("curl");
    let error = refused(
        &mut db,
        &repo,
        &[install_job(&evil)],
        &ApplyOptions::default(),
    );
    assert!(matches!(error, SystemError::FileConflict { .. }), "{error}");
    assert!(
        error
            .to_string()
            .starts_with("file conflict at '/usr/bin/curl': it is owned by curl:runtime="),
        "{error}"
    );
    assert_eq!(error.hint(), Some("--replace-managed-files"));

    let options = ApplyOptions {
        replace_managed_files: true,
        ..ApplyOptions::default()
    };
    let bytes = repo.changeset(&[install_job(&evil)]);
    apply(&mut db, &repo, &[install_job(&evil)], &bytes, &options).expect("replaced");
    assert_eq!(
        fs::read(root.path().join("usr/bin/curl")).expect("curl"),
        b"not curl\n"
    );
    let owners = db.owners("/usr/bin/curl").expect("owners");
    let present: Vec<_> = owners
        .iter()
        .filter(|file| file.is_present)
        .map(|f| f.trove.name.to_string())
        .collect();
    assert_eq!(present, ["evil:runtime"]);
    assert!(
        verify(&db, None, VerifyOptions::default())
            .expect("verify")
            .is_empty()
    );

    let source = repo.source();
    rollback::rollback(
        &mut db,
        RollbackTarget::Count(1),
        Some(&source),
        &ApplyOptions::default(),
        &NoProgress,
    )
    .expect("rollback");
    assert_eq!(
        fs::read(root.path().join("usr/bin/curl")).expect("curl"),
        original
    );
    let owners = db.owners("/usr/bin/curl").expect("owners");
    assert_eq!(owners.len(), 1);
    assert!(owners[0].is_present);
    assert!(
        verify(&db, None, VerifyOptions::default())
            .expect("verify")
            .is_empty()
    );
}

#[test]
fn an_unowned_file_is_refused_unless_replaced_and_comes_back_on_rollback() {
    let repo = Repo::new();
    let curl = repo.import(&[CURL]).remove(0);
    let root = tempfile::tempdir().expect("root");
    fs::create_dir_all(root.path().join("usr/bin")).expect("dirs");
    fs::write(root.path().join("usr/bin/curl"), b"my own curl\n").expect("write");
    let mut db = Database::open(root.path()).expect("open");
    let error = refused(
        &mut db,
        &repo,
        &[install_job(&curl)],
        &ApplyOptions::default(),
    );
    assert_eq!(error.hint(), Some("--replace-unmanaged-files"), "{error}");

    let options = ApplyOptions::default().replace_files();
    let bytes = repo.changeset(&[install_job(&curl)]);
    apply(&mut db, &repo, &[install_job(&curl)], &bytes, &options).expect("replaced");
    crate::fixtures::assert_matches_dpkg(root.path(), CURL);
    let source = repo.source();
    rollback::rollback(
        &mut db,
        RollbackTarget::Count(1),
        Some(&source),
        &ApplyOptions::default(),
        &NoProgress,
    )
    .expect("rollback");
    assert_eq!(
        fs::read(root.path().join("usr/bin/curl")).expect("curl"),
        b"my own curl\n"
    );
    assert!(db.installed().expect("installed").is_empty());
}

#[test]
fn identical_files_are_shared_and_outlive_one_owner() {
    let repo = Repo::new();
    let a = synthetic(
        &repo,
        "a:runtime",
        "1-1-1",
        &[
            ("/usr/share/common", b"same\n", false),
            ("/usr/share/a", b"a\n", false),
        ],
    );
    let b = synthetic(
        &repo,
        "b:runtime",
        "1-1-1",
        &[("/usr/share/common", b"same\n", false)],
    );
    let root = tempfile::tempdir().expect("root");
    let mut db = Database::open(root.path()).expect("open");
    run_jobs(&mut db, &repo, &[install_job(&a), install_job(&b)]);
    assert_eq!(db.owners("/usr/share/common").expect("owners").len(), 2);
    conary_system::apply::erase(
        &mut db,
        std::slice::from_ref(&a),
        false,
        &ApplyOptions::default(),
        &NoProgress,
    )
    .expect("erase a");
    assert_eq!(
        fs::read(root.path().join("usr/share/common")).expect("kept"),
        b"same\n"
    );
    assert!(!root.path().join("usr/share/a").exists());
    assert!(
        verify(&db, None, VerifyOptions::default())
            .expect("verify")
            .is_empty()
    );
}

#[test]
fn local_config_changes_are_merged_kept_on_rollback_and_conflicts_refused() {
    let repo = Repo::new();
    let v1 = synthetic(
        &repo,
        "conf:config",
        "1-1-1",
        &[("/etc/conf.conf", b"a\nb\nc\n", true)],
    );
    let v2 = synthetic(
        &repo,
        "conf:config",
        "2-1-1",
        &[("/etc/conf.conf", b"a\nb\nc\nd\n", true)],
    );
    let v3 = synthetic(
        &repo,
        "conf:config",
        "3-1-1",
        &[("/etc/conf.conf", b"a\nX\nc\nd\n", true)],
    );
    let root = tempfile::tempdir().expect("root");
    let path = root.path().join("etc/conf.conf");
    let mut db = Database::open(root.path()).expect("open");
    run_jobs(&mut db, &repo, &[install_job(&v1)]);
    fs::write(&path, b"a\nB\nc\n").expect("local edit");
    let problems = verify(&db, None, VerifyOptions::default()).expect("verify");
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].problems, [Problem::Contents]);

    run_jobs(&mut db, &repo, &[update_job(&v1, &v2)]);
    assert_eq!(fs::read(&path).expect("merged"), b"a\nB\nc\nd\n");

    // A conflicting merge leaves PATH.conflicts and changes nothing else.
    let conflicts = root.path().join("etc/conf.conf.conflicts");
    let error = refused_leaving(&mut db, &repo, &[update_job(&v2, &v3)], &conflicts);
    assert_eq!(error.hint(), Some("--replace-config-files"), "{error}");
    let options = ApplyOptions {
        replace_config_files: true,
        ..ApplyOptions::default()
    };
    let bytes = repo.changeset(&[update_job(&v2, &v3)]);
    apply(&mut db, &repo, &[update_job(&v2, &v3)], &bytes, &options).expect("replaced");
    assert_eq!(fs::read(&path).expect("new"), b"a\nX\nc\nd\n");
    let orig = root.path().join("etc/conf.conf.conaryorig");
    assert_eq!(fs::read(&orig).expect("kept"), b"a\nB\nc\nd\n");

    let source = repo.source();
    rollback::rollback(
        &mut db,
        RollbackTarget::Count(2),
        Some(&source),
        &ApplyOptions::default(),
        &NoProgress,
    )
    .expect("rollback");
    assert_eq!(fs::read(&path).expect("local"), b"a\nB\nc\n");
    assert!(db.is_installed(&v1).expect("query"));
}

#[test]
fn a_symlink_out_of_the_root_is_never_followed() {
    let repo = Repo::new();
    let through = synthetic(
        &repo,
        "evil:runtime",
        "1-1-1",
        &[("/escape/passwd", b"owned\n", false)],
    );
    let outside = tempfile::tempdir().expect("outside");
    let root = tempfile::tempdir().expect("root");
    symlink(outside.path(), root.path().join("escape")).expect("symlink");
    let mut db = Database::open(root.path()).expect("open");
    let error = refused(
        &mut db,
        &repo,
        &[install_job(&through)],
        &ApplyOptions::default().replace_files(),
    );
    assert!(matches!(error, SystemError::UnsafePath { .. }), "{error}");
    assert!(fs::read_dir(outside.path()).expect("list").next().is_none());
}

#[test]
fn a_changeset_may_not_write_below_its_own_symlink() {
    use conary_changeset::{ChangeSetBuilder, MemContents, NoContents};
    use conary_core::digest::PathId;
    use conary_core::files::{FileKind, FileStream, Mode};
    use conary_core::trove::Trove;
    let repo = Repo::new();
    let outside = tempfile::tempdir().expect("outside");
    let version: conary_core::version::Version = format!("/{}/1-1-1", crate::fixtures::LABEL)
        .parse()
        .expect("version");
    let mut trove = Trove::new(
        "evil:runtime".parse().expect("name"),
        version.clone(),
        Default::default(),
    );
    let mut contents = MemContents::new();
    let link = FileStream::new(
        FileKind::Symlink {
            target: outside.path().display().to_string(),
        },
        Mode::new(0o777).expect("mode"),
        "root",
        "root",
    );
    let digest = contents.insert(b"owned\n".to_vec());
    let file = FileStream::new(
        FileKind::Regular {
            size: 6,
            digest,
            link_group: None,
        },
        Mode::new(0o644).expect("mode"),
        "root",
        "root",
    );
    trove.add_file(PathId::derive(b"/a"), "/a", link.file_id(), version.clone());
    trove.add_file(PathId::derive(b"/a/b"), "/a/b", file.file_id(), version);
    let streams = [(link.file_id(), link), (file.file_id(), file)]
        .into_iter()
        .collect();
    let mut builder = ChangeSetBuilder::new();
    builder.add_absolute(trove, &streams).expect("absolute");
    let changeset = builder.build(&NoContents, &contents).expect("build");
    let evil = repo.commit(&changeset, &contents).remove(0);
    let root = tempfile::tempdir().expect("root");
    let mut db = Database::open(root.path()).expect("open");
    let error = refused(
        &mut db,
        &repo,
        &[install_job(&evil)],
        &ApplyOptions::default().replace_files(),
    );
    assert!(
        error
            .to_string()
            .contains("which the changeset makes a symlink"),
        "{error}"
    );
    assert!(fs::read_dir(outside.path()).expect("list").next().is_none());
}

#[test]
fn a_second_writer_is_locked_out() {
    let root = tempfile::tempdir().expect("root");
    let db = Database::open(root.path()).expect("open");
    let error = Database::open(root.path()).expect_err("locked");
    assert!(
        error
            .to_string()
            .starts_with("another conary process holds the lock"),
        "{error}"
    );
    let reader = Database::open_readonly(root.path()).expect("readers are welcome");
    assert!(!reader.is_writable());
    drop(db);
    Database::open(root.path()).expect("free again");
}

#[test]
fn a_corrupt_payload_is_undone_in_process() {
    let repo = Repo::new();
    let curl = repo.import(&[CURL]).remove(0);
    let root = tempfile::tempdir().expect("root");
    let mut db = Database::open(root.path()).expect("open");
    let before = snapshot(root.path());
    let jobs = [install_job(&curl)];
    let mut bytes = repo.changeset(&jobs);
    // Flip a byte near the end: the index reads, the last payload does not
    // verify, after the journal is written and files are staged.
    let at = bytes.len() - 40;
    bytes[at] ^= 0xff;
    let error =
        apply(&mut db, &repo, &jobs, &bytes, &ApplyOptions::default()).expect_err("corrupt");
    assert!(matches!(error, SystemError::Changeset(_)), "{error}");
    assert_eq!(snapshot(root.path()), before);
    assert!(leftovers(root.path()).is_empty());
    assert!(!db.dir().join("journal").exists());
    assert!(db.installed().expect("installed").is_empty());
    assert!(rollback::list(&db).expect("list").is_empty());
    assert!(fs::read_dir(db.dir().join("rollbacks")).map_or(true, |mut dir| dir.next().is_none()));
}
