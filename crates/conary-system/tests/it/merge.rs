//! Three-way merges on update: attributes merged one by one, config files
//! merged as text, transient and initialContents files, files the
//! administrator deleted, and rollbacks that give the machine its own
//! edits back byte for byte.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{PermissionsExt as _, symlink};
use std::path::Path;

use conary_changeset::{ChangeSetBuilder, MemContents, NoContents};
use conary_core::digest::PathId;
use conary_core::files::{FileFlags, FileKind, FileStream, Mode};
use conary_core::trove::{Trove, TroveTuple};
use conary_system::SystemError;
use conary_system::apply::{ApplyOptions, NoProgress};
use conary_system::db::Database;
use conary_system::rollback::{self, RollbackTarget};

use crate::fixtures::{LABEL, Repo, apply, install_job, run_jobs, snapshot, update_job};

/// One file of a hand-built trove.
#[derive(Clone)]
struct Spec {
    path: &'static str,
    /// Contents, or a symlink target when `link`.
    data: &'static [u8],
    link: bool,
    mode: u32,
    flags: u64,
    mtime: u64,
}

fn file(path: &'static str, data: &'static [u8]) -> Spec {
    Spec {
        path,
        data,
        link: false,
        mode: 0o644,
        flags: 0,
        mtime: 0,
    }
}

fn link(path: &'static str, target: &'static str) -> Spec {
    Spec {
        path,
        data: target.as_bytes(),
        link: true,
        mode: 0o777,
        flags: 0,
        mtime: 0,
    }
}

impl Spec {
    fn mode(mut self, mode: u32) -> Spec {
        self.mode = mode;
        self
    }
    fn mtime(mut self, mtime: u64) -> Spec {
        self.mtime = mtime;
        self
    }
    fn flag(mut self, flag: u64) -> Spec {
        self.flags |= flag;
        self
    }
}

/// Commits a trove `name=revision` with `files` to `repo`.
fn build(repo: &Repo, name: &str, revision: &str, files: &[Spec]) -> TroveTuple {
    let version: conary_core::version::Version =
        format!("/{LABEL}/{revision}").parse().expect("version");
    let mut trove = Trove::new(
        name.parse().expect("name"),
        version.clone(),
        Default::default(),
    );
    let mut contents = MemContents::new();
    let mut streams = BTreeMap::new();
    for spec in files {
        let kind = if spec.link {
            FileKind::Symlink {
                target: String::from_utf8(spec.data.to_vec()).expect("target"),
            }
        } else {
            FileKind::Regular {
                size: spec.data.len() as u64,
                digest: contents.insert(spec.data.to_vec()),
                link_group: None,
            }
        };
        let mut stream = FileStream::new(kind, Mode::new(spec.mode).expect("mode"), "root", "root");
        stream.flags = FileFlags::from_bits(spec.flags);
        stream.mtime = spec.mtime;
        trove.add_file(
            PathId::derive(spec.path.as_bytes()),
            spec.path,
            stream.file_id(),
            version.clone(),
        );
        streams.insert(stream.file_id(), stream);
    }
    let mut builder = ChangeSetBuilder::new();
    builder.add_primary(trove.tuple());
    builder.add_absolute(trove, &streams).expect("absolute");
    let changeset = builder.build(&NoContents, &contents).expect("build");
    repo.commit(&changeset, &contents)
        .into_iter()
        .next()
        .expect("committed")
}

fn mode_of(path: &Path) -> u32 {
    fs::symlink_metadata(path)
        .expect("stat")
        .permissions()
        .mode()
        & 0o7777
}

fn chmod(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

/// An update that must be refused with nothing changed.
fn refused(db: &mut Database, repo: &Repo, old: &TroveTuple, new: &TroveTuple) -> SystemError {
    let before = snapshot(db.root());
    let jobs = [update_job(old, new)];
    let bytes = repo.changeset(&jobs);
    let error = apply(db, repo, &jobs, &bytes, &ApplyOptions::default()).expect_err("refused");
    assert_eq!(snapshot(db.root()), before, "{error}");
    assert!(db.is_installed(old).expect("query"), "{error}");
    error
}

fn update(
    db: &mut Database,
    repo: &Repo,
    old: &TroveTuple,
    new: &TroveTuple,
    options: &ApplyOptions,
) {
    let jobs = [update_job(old, new)];
    let bytes = repo.changeset(&jobs);
    apply(db, repo, &jobs, &bytes, options).expect("updates");
}

fn setup(repo: &Repo, v1: &TroveTuple) -> (tempfile::TempDir, Database) {
    let root = tempfile::tempdir().expect("root");
    let mut db = Database::open(root.path()).expect("open");
    run_jobs(&mut db, repo, &[install_job(v1)]);
    (root, db)
}

#[test]
fn a_mode_the_administrator_changed_is_kept_with_the_new_contents() {
    let repo = Repo::new();
    let v1 = build(
        &repo,
        "tool:runtime",
        "1-1-1",
        &[file("/usr/bin/tool", b"one\n").mode(0o755)],
    );
    let v2 = build(
        &repo,
        "tool:runtime",
        "2-1-1",
        &[file("/usr/bin/tool", b"two\n").mode(0o755)],
    );
    let (root, mut db) = setup(&repo, &v1);
    let path = root.path().join("usr/bin/tool");
    chmod(&path, 0o700);
    update(&mut db, &repo, &v1, &v2, &ApplyOptions::default());
    assert_eq!(fs::read(&path).expect("read"), b"two\n");
    assert_eq!(mode_of(&path), 0o700);
}

#[test]
fn a_mode_the_package_changed_is_taken_and_local_contents_kept() {
    let repo = Repo::new();
    let v1 = build(
        &repo,
        "tool:runtime",
        "1-1-1",
        &[file("/usr/share/tool", b"one\n")],
    );
    let v2 = build(
        &repo,
        "tool:runtime",
        "2-1-1",
        &[file("/usr/share/tool", b"one\n").mode(0o600)],
    );
    let (root, mut db) = setup(&repo, &v1);
    let path = root.path().join("usr/share/tool");
    fs::write(&path, b"edited\n").expect("edit");
    update(&mut db, &repo, &v1, &v2, &ApplyOptions::default());
    assert_eq!(fs::read(&path).expect("read"), b"edited\n");
    assert_eq!(mode_of(&path), 0o600);
}

#[test]
fn a_mode_both_changed_differently_is_a_conflict_unless_replaced() {
    let repo = Repo::new();
    let v1 = build(
        &repo,
        "tool:runtime",
        "1-1-1",
        &[file("/usr/bin/tool", b"one\n").mode(0o755)],
    );
    let v2 = build(
        &repo,
        "tool:runtime",
        "2-1-1",
        &[file("/usr/bin/tool", b"one\n").mode(0o750)],
    );
    let (root, mut db) = setup(&repo, &v1);
    let path = root.path().join("usr/bin/tool");
    chmod(&path, 0o700);
    let error = refused(&mut db, &repo, &v1, &v2);
    assert!(
        matches!(error, SystemError::MergeConflict { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("/usr/bin/tool"), "{error}");
    assert!(error.to_string().contains("mode"), "{error}");
    assert_eq!(error.hint(), Some("--replace-modified-files"));
    let options = ApplyOptions {
        replace_modified_files: true,
        ..ApplyOptions::default()
    };
    update(&mut db, &repo, &v1, &v2, &options);
    assert_eq!(mode_of(&path), 0o750);
}

#[test]
fn a_mode_both_changed_the_same_way_is_no_conflict() {
    let repo = Repo::new();
    let v1 = build(
        &repo,
        "tool:runtime",
        "1-1-1",
        &[file("/usr/bin/tool", b"one\n").mode(0o755)],
    );
    let v2 = build(
        &repo,
        "tool:runtime",
        "2-1-1",
        &[file("/usr/bin/tool", b"two\n").mode(0o700)],
    );
    let (root, mut db) = setup(&repo, &v1);
    let path = root.path().join("usr/bin/tool");
    chmod(&path, 0o700);
    update(&mut db, &repo, &v1, &v2, &ApplyOptions::default());
    assert_eq!(
        (fs::read(&path).expect("read"), mode_of(&path)),
        (b"two\n".to_vec(), 0o700)
    );
}

#[test]
fn modified_contents_of_a_plain_file_are_a_conflict_unless_replaced() {
    let repo = Repo::new();
    let v1 = build(
        &repo,
        "tool:data",
        "1-1-1",
        &[file("/usr/share/tool/data", b"one\n")],
    );
    let v2 = build(
        &repo,
        "tool:data",
        "2-1-1",
        &[file("/usr/share/tool/data", b"two\n")],
    );
    let (root, mut db) = setup(&repo, &v1);
    let path = root.path().join("usr/share/tool/data");
    fs::write(&path, b"mine\n").expect("edit");
    let error = refused(&mut db, &repo, &v1, &v2);
    assert_eq!(error.hint(), Some("--replace-modified-files"), "{error}");
    let options = ApplyOptions {
        replace_modified_files: true,
        ..ApplyOptions::default()
    };
    update(&mut db, &repo, &v1, &v2, &options);
    assert_eq!(fs::read(&path).expect("read"), b"two\n");
}

/// Sets the mtime of `path` to `seconds` and `nanos`.
fn set_mtime(path: &Path, seconds: i64, nanos: u32) {
    let time = std::time::UNIX_EPOCH
        + std::time::Duration::from_secs(seconds.unsigned_abs())
        + std::time::Duration::from_nanos(u64::from(nanos));
    fs::File::options()
        .write(true)
        .open(path)
        .expect("open")
        .set_modified(time)
        .expect("set mtime");
}

/// As the original's `FileFromFilesystem` does, a plain file whose size,
/// mode and mtime are those installed is taken as unchanged without
/// hashing it; an edit that leaves a nanosecond part in the mtime (any
/// write does) is seen.
#[test]
fn a_plain_file_with_its_installed_size_mode_and_mtime_is_not_hashed() {
    const INSTALLED: u64 = 1_700_000_000;
    let repo = Repo::new();
    let v1 = build(
        &repo,
        "tool:data",
        "1-1-1",
        &[file("/usr/share/tool/data", b"one\n").mtime(INSTALLED)],
    );
    let v2 = build(
        &repo,
        "tool:data",
        "2-1-1",
        &[file("/usr/share/tool/data", b"two\n").mtime(INSTALLED + 1)],
    );
    let (root, mut db) = setup(&repo, &v1);
    let path = root.path().join("usr/share/tool/data");
    let installed = fs::symlink_metadata(&path).expect("stat");
    assert_eq!(
        std::os::unix::fs::MetadataExt::mtime(&installed),
        INSTALLED as i64
    );
    // Same size, whole-second mtime put back: taken as installed, and the
    // update writes its contents.
    fs::write(&path, b"ONE\n").expect("edit");
    set_mtime(&path, INSTALLED as i64, 0);
    update(&mut db, &repo, &v1, &v2, &ApplyOptions::default());
    assert_eq!(fs::read(&path).expect("read"), b"two\n");

    // The same edit with the mtime a write leaves is a local change.
    let root = tempfile::tempdir().expect("root");
    let mut db = Database::open(root.path()).expect("open");
    run_jobs(&mut db, &repo, &[install_job(&v1)]);
    let path = root.path().join("usr/share/tool/data");
    fs::write(&path, b"ONE\n").expect("edit");
    set_mtime(&path, INSTALLED as i64, 1);
    let error = refused(&mut db, &repo, &v1, &v2);
    assert_eq!(error.hint(), Some("--replace-modified-files"), "{error}");
}

#[test]
fn every_conflicting_config_file_gets_its_conflicts_and_nothing_else_changes() {
    let repo = Repo::new();
    let config = FileFlags::CONFIG;
    let v1 = build(
        &repo,
        "two:config",
        "1-1-1",
        &[
            file("/etc/two/a.conf", b"key = 1\n").flag(config),
            file("/etc/two/b.conf", b"key = 1\n").flag(config),
            file("/etc/two/c.conf", b"key = 1\nx\ny\nz\nother = 1\n").flag(config),
            file("/usr/share/two/data", b"one\n"),
        ],
    );
    let v2 = build(
        &repo,
        "two:config",
        "2-1-1",
        &[
            file("/etc/two/a.conf", b"key = 2\n").flag(config),
            file("/etc/two/b.conf", b"key = 2\n").flag(config),
            file("/etc/two/c.conf", b"key = 2\nx\ny\nz\nother = 1\n").flag(config),
            file("/usr/share/two/data", b"two\n"),
        ],
    );
    let (root, mut db) = setup(&repo, &v1);
    let etc = root.path().join("etc/two");
    fs::write(etc.join("a.conf"), b"key = 3\n").expect("edit");
    fs::write(etc.join("b.conf"), b"key = 4\n").expect("edit");
    // c merges cleanly, but the transaction fails as a whole.
    fs::write(etc.join("c.conf"), b"key = 1\nx\ny\nz\nother = 5\n").expect("edit");
    let before = snapshot(root.path());
    let stack = rollback::list(&db).expect("list").len();
    let jobs = [update_job(&v1, &v2)];
    let bytes = repo.changeset(&jobs);
    let error =
        apply(&mut db, &repo, &jobs, &bytes, &ApplyOptions::default()).expect_err("conflict");
    let text = error.to_string();
    assert!(
        text.contains("/etc/two/a.conf") && text.contains("/etc/two/b.conf"),
        "{text}"
    );
    assert!(!text.contains("c.conf"), "{text}");
    for name in ["a.conf", "b.conf"] {
        let conflicts = etc.join(format!("{name}.conflicts"));
        let marked = fs::read_to_string(&conflicts).expect("conflicts");
        assert!(marked.contains("<<<<<<<"), "{marked}");
        fs::remove_file(conflicts).expect("rm");
    }
    assert_eq!(snapshot(root.path()), before);
    assert!(db.is_installed(&v1).expect("query"));
    assert_eq!(rollback::list(&db).expect("list").len(), stack);
}

#[test]
fn a_file_that_becomes_config_keeps_the_local_contents() {
    let repo = Repo::new();
    let v1 = build(
        &repo,
        "b:runtime",
        "1-1-1",
        &[file("/etc/b.conf", b"a\nb\n")],
    );
    let v2 = build(
        &repo,
        "b:runtime",
        "2-1-1",
        &[file("/etc/b.conf", b"a\nb\nc\n").flag(FileFlags::CONFIG)],
    );
    let v3 = build(
        &repo,
        "b:runtime",
        "3-1-1",
        &[file("/etc/b.conf", b"A\nb\nc\n").flag(FileFlags::CONFIG)],
    );
    let (root, mut db) = setup(&repo, &v1);
    let path = root.path().join("etc/b.conf");
    fs::write(&path, b"a\nb\n# mine\n").expect("edit");
    update(&mut db, &repo, &v1, &v2, &ApplyOptions::default());
    assert_eq!(fs::read(&path).expect("read"), b"a\nb\n# mine\n");
    // From now on it merges: its pristine contents are known.
    let pristine = conary_core::digest::Digest::of(b"a\nb\nc\n");
    assert!(db.config_contents(&pristine).expect("query").is_some());
    update(&mut db, &repo, &v2, &v3, &ApplyOptions::default());
    assert_eq!(fs::read(&path).expect("read"), b"A\nb\n# mine\n");
}

#[test]
fn transient_files_are_always_replaced() {
    let repo = Repo::new();
    let transient = FileFlags::TRANSIENT;
    let v1 = build(
        &repo,
        "t:runtime",
        "1-1-1",
        &[file("/var/lib/t/state", b"one\n").flag(transient)],
    );
    let v2 = build(
        &repo,
        "t:runtime",
        "2-1-1",
        &[file("/var/lib/t/state", b"two\n")
            .flag(transient)
            .mode(0o600)],
    );
    let (root, mut db) = setup(&repo, &v1);
    let path = root.path().join("var/lib/t/state");
    fs::write(&path, b"mine\n").expect("edit");
    chmod(&path, 0o640);
    update(&mut db, &repo, &v1, &v2, &ApplyOptions::default());
    assert_eq!(fs::read(&path).expect("read"), b"two\n");
    assert_eq!(mode_of(&path), 0o600);
    // Even when deleted.
    let v3 = build(
        &repo,
        "t:runtime",
        "3-1-1",
        &[file("/var/lib/t/state", b"three\n").flag(transient)],
    );
    fs::remove_file(&path).expect("rm");
    update(&mut db, &repo, &v2, &v3, &ApplyOptions::default());
    assert_eq!(fs::read(&path).expect("read"), b"three\n");
}

#[test]
fn initial_contents_are_written_once_and_never_again() {
    let repo = Repo::new();
    let initial = FileFlags::INITIAL_CONTENTS;
    let v1 = build(
        &repo,
        "i:runtime",
        "1-1-1",
        &[
            file("/etc/i/seed", b"seed one\n").flag(initial),
            file("/etc/i/edited", b"seed one\n").flag(initial),
        ],
    );
    let v2 = build(
        &repo,
        "i:runtime",
        "2-1-1",
        &[
            file("/etc/i/seed", b"seed two\n").flag(initial),
            file("/etc/i/edited", b"seed two\n").flag(initial),
        ],
    );
    let (root, mut db) = setup(&repo, &v1);
    let seed = root.path().join("etc/i/seed");
    let edited = root.path().join("etc/i/edited");
    assert_eq!(fs::read(&seed).expect("read"), b"seed one\n");
    fs::write(&edited, b"mine\n").expect("edit");
    update(&mut db, &repo, &v1, &v2, &ApplyOptions::default());
    assert_eq!(fs::read(&seed).expect("read"), b"seed one\n");
    assert_eq!(fs::read(&edited).expect("read"), b"mine\n");
}

#[test]
fn files_the_administrator_deleted_stay_deleted() {
    let repo = Repo::new();
    let v1 = build(
        &repo,
        "d:runtime",
        "1-1-1",
        &[
            file("/etc/d.conf", b"one\n").flag(FileFlags::CONFIG),
            file("/usr/share/d/data", b"one\n"),
            file("/usr/share/d/kept", b"one\n"),
        ],
    );
    let v2 = build(
        &repo,
        "d:runtime",
        "2-1-1",
        &[
            file("/etc/d.conf", b"two\n").flag(FileFlags::CONFIG),
            file("/usr/share/d/data", b"two\n"),
            file("/usr/share/d/kept", b"two\n"),
        ],
    );
    let (root, mut db) = setup(&repo, &v1);
    fs::remove_file(root.path().join("etc/d.conf")).expect("rm");
    fs::remove_file(root.path().join("usr/share/d/data")).expect("rm");
    update(&mut db, &repo, &v1, &v2, &ApplyOptions::default());
    assert!(!root.path().join("etc/d.conf").exists());
    assert!(!root.path().join("usr/share/d/data").exists());
    assert_eq!(
        fs::read(root.path().join("usr/share/d/kept")).expect("read"),
        b"two\n"
    );
    assert!(db.is_installed(&v2).expect("query"));
}

#[test]
fn symlinks_the_administrator_retargeted_are_kept_or_conflict() {
    let repo = Repo::new();
    let v1 = build(
        &repo,
        "l:runtime",
        "1-1-1",
        &[link("/etc/l/a", "one"), link("/etc/l/b", "one")],
    );
    // The package changes b's target only.
    let v2 = build(
        &repo,
        "l:runtime",
        "2-1-1",
        &[link("/etc/l/a", "one"), link("/etc/l/b", "two")],
    );
    let v3 = build(
        &repo,
        "l:runtime",
        "3-1-1",
        &[link("/etc/l/a", "three"), link("/etc/l/b", "two")],
    );
    let (root, mut db) = setup(&repo, &v1);
    let a = root.path().join("etc/l/a");
    let b = root.path().join("etc/l/b");
    fs::remove_file(&a).expect("rm");
    symlink("mine", &a).expect("symlink");
    fs::remove_file(&b).expect("rm");
    fs::write(&b, b"a file now\n").expect("write");
    let error = refused(&mut db, &repo, &v1, &v2);
    assert!(error.to_string().contains("/etc/l/b"), "{error}");
    fs::remove_file(&b).expect("rm");
    symlink("one", &b).expect("symlink");
    update(&mut db, &repo, &v1, &v2, &ApplyOptions::default());
    assert_eq!(fs::read_link(&a).expect("a").to_str(), Some("mine"));
    assert_eq!(fs::read_link(&b).expect("b").to_str(), Some("two"));
    let error = refused(&mut db, &repo, &v2, &v3);
    assert!(error.to_string().contains("/etc/l/a"), "{error}");
}

#[test]
fn rollback_gives_back_the_administrators_edits_byte_for_byte() {
    let repo = Repo::new();
    let config = FileFlags::CONFIG;
    let v1 = build(
        &repo,
        "c:config",
        "1-1-1",
        &[
            file("/etc/c.conf", b"one\ntwo\nthree\nfour\n").flag(config),
            file("/usr/bin/c", b"bin one\n").mode(0o755),
        ],
    );
    let v2 = build(
        &repo,
        "c:config",
        "2-1-1",
        &[
            file("/etc/c.conf", b"ONE\ntwo\nthree\nfour\n").flag(config),
            file("/usr/bin/c", b"bin two\n").mode(0o755),
        ],
    );
    let (root, mut db) = setup(&repo, &v1);
    let conf = root.path().join("etc/c.conf");
    let bin = root.path().join("usr/bin/c");
    let edited = b"one\ntwo\nthree\nfour\n# the administrator's line\n";
    fs::write(&conf, edited).expect("edit");
    chmod(&conf, 0o600);
    chmod(&bin, 0o700);
    update(&mut db, &repo, &v1, &v2, &ApplyOptions::default());
    assert_eq!(
        fs::read(&conf).expect("merged"),
        b"ONE\ntwo\nthree\nfour\n# the administrator's line\n"
    );
    assert_eq!(mode_of(&conf), 0o600);
    assert_eq!(
        (fs::read(&bin).expect("bin"), mode_of(&bin)),
        (b"bin two\n".to_vec(), 0o700)
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
    assert_eq!(fs::read(&conf).expect("edited"), edited);
    assert_eq!(mode_of(&conf), 0o600);
    // The pristine contents are kept for the next merge.
    let pristine = conary_core::digest::Digest::of(b"one\ntwo\nthree\nfour\n");
    assert!(db.config_contents(&pristine).expect("query").is_some());
    assert_eq!(
        (fs::read(&bin).expect("bin"), mode_of(&bin)),
        (b"bin one\n".to_vec(), 0o700)
    );
    assert!(db.is_installed(&v1).expect("query"));
}

mod local {
    use super::*;
    use conary_changeset::ChangeSetReader;
    use conary_core::digest::Digest;
    use conary_system::merge::local::{forget, local_changeset, restore, write_local_changeset};

    fn installed() -> (Repo, TroveTuple, tempfile::TempDir, Database) {
        let repo = Repo::new();
        let v1 = build(
            &repo,
            "loc:config",
            "1-1-1",
            &[
                file("/etc/loc.conf", b"a\nb\n").flag(FileFlags::CONFIG),
                file("/usr/bin/loc", b"bin\n").mode(0o755),
                file("/usr/share/loc/gone", b"gone\n"),
                file("/usr/share/loc/same", b"same\n"),
            ],
        );
        let (root, db) = setup(&repo, &v1);
        (repo, v1, root, db)
    }

    #[test]
    fn localcs_is_a_relative_changeset_to_the_local_shadow() {
        let (_repo, v1, root, db) = installed();
        fs::write(root.path().join("etc/loc.conf"), b"a\nb\n# mine\n").expect("edit");
        chmod(&root.path().join("usr/bin/loc"), 0o700);
        fs::remove_file(root.path().join("usr/share/loc/gone")).expect("rm");
        let (changeset, _) =
            local_changeset(&db, std::slice::from_ref(&v1), false).expect("localcs");
        let (tuple, change) = changeset.troves.iter().next().expect("one trove");
        assert_eq!(changeset.troves.len(), 1);
        assert_eq!(change.old.as_ref(), Some(&v1));
        assert!(tuple.version.on_local_label(), "{tuple}");
        let paths: Vec<&str> = change.new.files.values().map(|f| f.path.as_str()).collect();
        assert!(!paths.contains(&"/usr/share/loc/gone"), "{paths:?}");
        assert!(paths.contains(&"/usr/share/loc/same"), "{paths:?}");
        // Only the changed files travel, with the machine's contents and mode.
        let mut changed: Vec<(u32, Option<Digest>)> = changeset
            .files
            .values()
            .map(|s| (u32::from(s.mode.bits()), s.content_digest()))
            .collect();
        changed.sort();
        assert_eq!(
            changed,
            vec![
                (0o644, Some(Digest::of(b"a\nb\n# mine\n"))),
                (0o700, Some(Digest::of(b"bin\n"))),
            ]
        );
        assert!(
            changeset
                .contents
                .contains_key(&Digest::of(b"a\nb\n# mine\n"))
        );

        let dir = tempfile::tempdir().expect("out dir");
        let out = dir.path().join("local.ccs");
        write_local_changeset(&db, std::slice::from_ref(&v1), false, &out).expect("written");
        let bytes = fs::read(&out).expect("read");
        let reader = ChangeSetReader::new(&bytes[..]).expect("a valid changeset");
        assert_eq!(reader.changeset().troves.len(), 1);
    }

    #[test]
    fn restore_recreates_removed_files_only() {
        let (repo, v1, root, db) = installed();
        fs::remove_file(root.path().join("usr/share/loc/gone")).expect("rm");
        fs::remove_file(root.path().join("etc/loc.conf")).expect("rm");
        fs::write(root.path().join("usr/bin/loc"), b"edited\n").expect("edit");
        let source = repo.source();
        let restored =
            restore(&db, std::slice::from_ref(&v1), false, Some(&source)).expect("restore");
        assert_eq!(restored.paths, ["/etc/loc.conf", "/usr/share/loc/gone"]);
        assert_eq!(
            fs::read(root.path().join("usr/share/loc/gone")).expect("read"),
            b"gone\n"
        );
        assert_eq!(
            fs::read(root.path().join("etc/loc.conf")).expect("read"),
            b"a\nb\n"
        );
        assert_eq!(
            fs::read(root.path().join("usr/bin/loc")).expect("read"),
            b"edited\n"
        );
        // `all` writes back local changes too.
        let restored =
            restore(&db, std::slice::from_ref(&v1), true, Some(&source)).expect("restore");
        assert_eq!(restored.paths, ["/usr/bin/loc"]);
        let bin = root.path().join("usr/bin/loc");
        assert_eq!(
            (fs::read(&bin).expect("read"), mode_of(&bin)),
            (b"bin\n".to_vec(), 0o755)
        );
        let problems =
            conary_system::verify::verify(&db, None, Default::default()).expect("verify");
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn forget_stops_managing_a_file_that_stays() {
        let (repo, v1, root, mut db) = installed();
        let owners = forget(&mut db, "/usr/share/loc/same").expect("forget");
        assert_eq!(owners, std::slice::from_ref(&v1));
        assert!(root.path().join("usr/share/loc/same").exists());
        assert!(
            db.owners("/usr/share/loc/same")
                .expect("owners")
                .iter()
                .all(|f| !f.is_present)
        );
        assert!(forget(&mut db, "/usr/share/loc/same").is_err());
        // An update leaves the forgotten file alone, and still forgets it.
        fs::write(root.path().join("usr/share/loc/same"), b"mine now\n").expect("edit");
        let v2 = build(
            &repo,
            "loc:config",
            "2-1-1",
            &[
                file("/etc/loc.conf", b"a\nb\n").flag(FileFlags::CONFIG),
                file("/usr/bin/loc", b"bin\n").mode(0o755),
                file("/usr/share/loc/gone", b"gone\n"),
                file("/usr/share/loc/same", b"same two\n"),
            ],
        );
        update(&mut db, &repo, &v1, &v2, &ApplyOptions::default());
        assert_eq!(
            fs::read(root.path().join("usr/share/loc/same")).expect("read"),
            b"mine now\n"
        );
        let owners = db.owners("/usr/share/loc/same").expect("owners");
        assert!(owners.iter().all(|f| !f.is_present), "{owners:?}");
        let v1 = v2;
        // An erase leaves the forgotten file alone.
        conary_system::apply::erase(
            &mut db,
            std::slice::from_ref(&v1),
            false,
            &ApplyOptions::default(),
            &NoProgress,
        )
        .expect("erased");
        assert!(!db.is_installed(&v1).expect("query"));
        assert!(root.path().join("usr/share/loc/same").exists());
        assert!(!root.path().join("usr/bin/loc").exists());
    }
}
