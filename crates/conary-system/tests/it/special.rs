//! Special files, hard links and owners, with and without privileges.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{FileTypeExt as _, MetadataExt as _};

use conary_changeset::{ChangeSetBuilder, MemContents, NoContents};
use conary_core::digest::{Digest, PathId};
use conary_core::files::{FileKind, FileStream, Mode};
use conary_core::trove::{Trove, TroveTuple};
use conary_system::apply::ApplyOptions;
use conary_system::db::Database;
use conary_system::verify::{VerifyOptions, verify};

use crate::fixtures::{LABEL, Repo, apply, install_job};

fn stream(kind: FileKind, mode: u32, owner: &str) -> FileStream {
    FileStream::new(kind, Mode::new(mode).expect("mode"), owner, owner)
}

/// Commits one trove with these files; returns its tuple.
fn commit(repo: &Repo, files: &[(&str, FileStream, Option<&[u8]>)]) -> TroveTuple {
    let version: conary_core::version::Version =
        format!("/{LABEL}/1-1-1").parse().expect("version");
    let mut trove = Trove::new(
        "special:runtime".parse().expect("name"),
        version.clone(),
        Default::default(),
    );
    let mut contents = MemContents::new();
    let mut streams = BTreeMap::new();
    for (path, stream, data) in files {
        if let Some(data) = data {
            contents.insert(data.to_vec());
        }
        trove.add_file(
            PathId::derive(path.as_bytes()),
            path,
            stream.file_id(),
            version.clone(),
        );
        streams.insert(stream.file_id(), stream.clone());
    }
    let mut builder = ChangeSetBuilder::new();
    builder.add_absolute(trove, &streams).expect("absolute");
    let changeset = builder.build(&NoContents, &contents).expect("build");
    repo.commit(&changeset, &contents).remove(0)
}

fn special_trove(repo: &Repo) -> TroveTuple {
    let data: &[u8] = b"linked\n";
    let group = Digest::of(b"link group");
    let linked = || {
        stream(
            FileKind::Regular {
                size: 7,
                digest: Digest::of(data),
                link_group: Some(group),
            },
            0o644,
            "root",
        )
    };
    let mut second = linked();
    second.mtime = 1;
    commit(
        repo,
        &[
            (
                "/dev/null",
                stream(FileKind::CharDevice { major: 1, minor: 3 }, 0o666, "root"),
                None,
            ),
            ("/run/fifo", stream(FileKind::Fifo, 0o600, "root"), None),
            ("/run/socket", stream(FileKind::Socket, 0o755, "root"), None),
            (
                "/usr/lib/link",
                stream(FileKind::Symlink { target: "a".into() }, 0o777, "root"),
                None,
            ),
            ("/usr/lib/a", linked(), Some(data)),
            ("/usr/lib/b", second, Some(data)),
            (
                "/var/lib/daemon-owned",
                stream(
                    FileKind::Regular {
                        size: 2,
                        digest: Digest::of(b"d\n"),
                        link_group: None,
                    },
                    0o640,
                    "daemon",
                ),
                Some(b"d\n"),
            ),
            (
                "/var/lib/ghost-owned",
                stream(
                    FileKind::Regular {
                        size: 2,
                        digest: Digest::of(b"g\n"),
                        link_group: None,
                    },
                    0o640,
                    "ghost",
                ),
                Some(b"g\n"),
            ),
        ],
    )
}

fn install(privileged: bool) -> (tempfile::TempDir, Database, Vec<String>) {
    let repo = Repo::new();
    let trove = special_trove(&repo);
    let root = tempfile::tempdir().expect("root");
    fs::create_dir(root.path().join("etc")).expect("etc");
    fs::write(
        root.path().join("etc/passwd"),
        "root:x:0:0::/root:/bin/sh\ndaemon:x:1:1::/:/bin/false\n",
    )
    .expect("passwd");
    fs::write(root.path().join("etc/group"), "root:x:0:\ndaemon:x:1:\n").expect("group");
    let mut db = Database::open(root.path()).expect("open");
    let options = ApplyOptions {
        privileged: Some(privileged),
        ..ApplyOptions::default()
    };
    let jobs = [install_job(&trove)];
    let bytes = repo.changeset(&jobs);
    let report = apply(&mut db, &repo, &jobs, &bytes, &options).expect("installs");
    let notes = report.notes.iter().map(ToString::to_string).collect();
    (root, db, notes)
}

#[test]
fn unprivileged_installs_skip_devices_and_owners_and_say_so() {
    let (root, db, notes) = install(false);
    assert!(
        notes.contains(&"/dev/null: device node not created: not running as root".to_owned()),
        "{notes:?}"
    );
    assert!(
        notes.contains(&"not running as root: file owners and groups are not set".to_owned()),
        "{notes:?}"
    );
    assert!(!root.path().join("dev/null").exists());
    assert!(
        fs::symlink_metadata(root.path().join("run/fifo"))
            .expect("fifo")
            .file_type()
            .is_fifo()
    );
    assert!(
        fs::symlink_metadata(root.path().join("run/socket"))
            .expect("socket")
            .file_type()
            .is_socket()
    );
    assert_eq!(
        fs::read_link(root.path().join("usr/lib/link"))
            .expect("link")
            .to_string_lossy(),
        "a"
    );
    let a = fs::metadata(root.path().join("usr/lib/a")).expect("a");
    let b = fs::metadata(root.path().join("usr/lib/b")).expect("b");
    assert_eq!(a.ino(), b.ino(), "hard links share an inode");
    assert_eq!(a.nlink(), 2);
    let problems: Vec<String> = verify(&db, None, VerifyOptions::default())
        .expect("verify")
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(problems, ["/dev/null: missing"]);
}

#[test]
fn privileged_installs_create_devices_and_set_owners_by_name() {
    if !rustix::process::geteuid().is_root() {
        return;
    }
    let (root, db, notes) = install(true);
    assert_eq!(
        notes,
        [
            "user 'ghost' does not exist in the root: using root",
            "group 'ghost' does not exist in the root: using root",
        ]
    );
    let device = fs::symlink_metadata(root.path().join("dev/null")).expect("device");
    assert!(device.file_type().is_char_device());
    assert_eq!(device.rdev(), rustix::fs::makedev(1, 3));
    let owned = fs::metadata(root.path().join("var/lib/daemon-owned")).expect("owned");
    assert_eq!(
        (owned.uid(), owned.gid(), owned.mode() & 0o7777),
        (1, 1, 0o640)
    );
    let ghost = fs::metadata(root.path().join("var/lib/ghost-owned")).expect("ghost");
    assert_eq!((ghost.uid(), ghost.gid()), (0, 0));
    let options = VerifyOptions { owners: true };
    let problems: Vec<String> = verify(&db, None, options)
        .expect("verify")
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        problems,
        ["/var/lib/ghost-owned: owner root, expected ghost, group root, expected ghost"]
    );
}
