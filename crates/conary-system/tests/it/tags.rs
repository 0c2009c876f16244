//! Tag handlers around install, update and erase: hand-made troves carrying
//! tags, a test handler that logs its argv and stdin, `--tag-script`, and
//! the `shlib` and `user-info` built-ins.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use conary_changeset::{ChangeSetBuilder, ChangeSetReader, MemContents, NoContents};
use conary_core::digest::{FileId, PathId};
use conary_core::files::{FileKind, FileStream, Mode};
use conary_core::trove::{Trove, TroveTuple};
use conary_system::SystemError;
use conary_system::apply::{ApplyOptions, ApplyReport, NoProgress, apply_changeset, erase};
use conary_system::db::Database;

/// A file of a hand-made trove.
pub struct Spec<'a> {
    pub path: &'a str,
    pub data: &'a [u8],
    pub mode: u32,
    pub tags: &'a [&'a str],
}

/// A regular file with `tags` (mode 0644).
pub fn file<'a>(path: &'a str, data: &'a [u8], tags: &'a [&'a str]) -> Spec<'a> {
    Spec {
        path,
        data,
        mode: 0o644,
        tags,
    }
}

/// An executable file (mode 0755), untagged.
pub fn program<'a>(path: &'a str, data: &'a [u8]) -> Spec<'a> {
    Spec {
        path,
        data,
        mode: 0o755,
        tags: &[],
    }
}

/// A trove with its streams and contents.
pub struct Made {
    pub trove: Trove,
    pub streams: BTreeMap<FileId, FileStream>,
    pub contents: MemContents,
}

/// Trove `name` at `revision` with `files`.
pub fn make(name: &str, revision: &str, files: &[Spec<'_>]) -> Made {
    let version: conary_core::version::Version = format!("/tags.example.com@test:1/{revision}")
        .parse()
        .expect("version");
    let mut trove = Trove::new(
        name.parse().expect("name"),
        version.clone(),
        Default::default(),
    );
    let mut contents = MemContents::new();
    let mut streams = BTreeMap::new();
    for spec in files {
        let digest = contents.insert(spec.data.to_vec());
        let kind = FileKind::Regular {
            size: spec.data.len() as u64,
            digest,
            link_group: None,
        };
        let mut stream = FileStream::new(kind, Mode::new(spec.mode).expect("mode"), "root", "root");
        stream.tags = spec.tags.iter().map(|tag| (*tag).to_owned()).collect();
        trove.add_file(
            PathId::derive(spec.path.as_bytes()),
            spec.path,
            stream.file_id(),
            version.clone(),
        );
        streams.insert(stream.file_id(), stream);
    }
    Made {
        trove,
        streams,
        contents,
    }
}

/// A root whose programs run unprivileged (prefixed with the root).
pub fn options() -> ApplyOptions {
    ApplyOptions {
        privileged: Some(false),
        ..ApplyOptions::default()
    }
}

/// Installs `made` fresh.
pub fn install(
    db: &mut Database,
    made: &Made,
    options: &ApplyOptions,
) -> Result<ApplyReport, SystemError> {
    let mut builder = ChangeSetBuilder::new();
    builder.add_primary(made.trove.tuple());
    builder
        .add_absolute(made.trove.clone(), &made.streams)
        .expect("absolute");
    apply(db, builder, &made.contents, options)
}

/// Updates `old` to `new`.
pub fn update(
    db: &mut Database,
    old: &Made,
    new: &Made,
    options: &ApplyOptions,
) -> Result<ApplyReport, SystemError> {
    let mut builder = ChangeSetBuilder::new();
    builder.add_primary(new.trove.tuple());
    let mut streams = old.streams.clone();
    streams.extend(new.streams.clone());
    builder
        .add_relative(&old.trove, new.trove.clone(), &streams)
        .expect("relative");
    apply(db, builder, &new.contents, options)
}

fn apply(
    db: &mut Database,
    builder: ChangeSetBuilder,
    contents: &MemContents,
    options: &ApplyOptions,
) -> Result<ApplyReport, SystemError> {
    let changeset = builder.build(&NoContents, contents).expect("build");
    let bytes = conary_changeset::write_changeset(Vec::new(), &changeset, contents).expect("write");
    let reader = ChangeSetReader::new(&bytes[..]).expect("read");
    apply_changeset(db, &[], reader, None, options, &NoProgress)
}

/// Erases `tuple`.
pub fn remove(db: &mut Database, tuple: &TroveTuple, options: &ApplyOptions) -> ApplyReport {
    erase(db, std::slice::from_ref(tuple), false, options, &NoProgress).expect("erase")
}

/// A handler logging `NAME ARGV…` and `NAME < LINE` for each stdin line
/// to `$CONARY_ROOT/handler.log`.
fn logger(name: &str) -> Vec<u8> {
    format!(
        "#!/bin/sh\nlog=\"$CONARY_ROOT/handler.log\"\necho \"{name} $*\" >> \"$log\"\nwhile read -r line; do echo \"{name} < $line\" >> \"$log\"; done\n"
    )
    .into_bytes()
}

const T1: &[u8] = b"file /usr/libexec/conary/tags/one\n\
implements files preupdate\nimplements files update\nimplements files preremove\n\
implements files remove\nimplements handler update\nimplements handler preremove\n";
const T2: &[u8] = b"file /usr/libexec/conary/tags/two\ndatasource stdin\n\
implements files update\nimplements files remove\n";

fn tagger() -> Made {
    let one = logger("one");
    let two = logger("two");
    make(
        "tagger:runtime",
        "1-1-1",
        &[
            file("/etc/conary/tags/t1", T1, &[]),
            file("/etc/conary/tags/t2", T2, &[]),
            program("/usr/libexec/conary/tags/one", &one),
            program("/usr/libexec/conary/tags/two", &two),
        ],
    )
}

fn log(root: &Path) -> Vec<String> {
    let path = root.join("handler.log");
    let text = fs::read_to_string(&path).unwrap_or_default();
    let _ = fs::remove_file(path);
    text.lines().map(str::to_owned).collect()
}

#[test]
fn handlers_run_once_per_action_in_phase_order() {
    let root = tempfile::tempdir().expect("root");
    let mut db = Database::open(root.path()).expect("db");
    let options = options();
    let report = install(&mut db, &tagger(), &options).expect("install tagger");
    // A new handler implementing "handler update" runs over the files
    // with its tag (none yet).
    assert_eq!(log(root.path()), ["one handler update"]);
    assert!(
        report
            .notes
            .iter()
            .all(|note| !note.message.contains("failed")),
        "{:?}",
        report.notes
    );

    let v1 = make(
        "foo:runtime",
        "1-1-1",
        &[
            file("/usr/share/foo/a", b"a1", &["t1", "t2"]),
            file("/usr/share/foo/b", b"b1", &["t1", "t2"]),
            file("/usr/share/foo/c", b"c1", &["t1"]),
            file("/usr/share/foo/plain", b"p", &[]),
        ],
    );
    install(&mut db, &v1, &options).expect("install foo");
    assert_eq!(
        log(root.path()),
        [
            "one files preupdate /usr/share/foo/a /usr/share/foo/b /usr/share/foo/c",
            "one files update /usr/share/foo/a /usr/share/foo/b /usr/share/foo/c",
            "two files update",
            "two < /usr/share/foo/a",
            "two < /usr/share/foo/b",
        ]
    );

    let v2 = make(
        "foo:runtime",
        "2-1-1",
        &[
            file("/usr/share/foo/a", b"a2", &["t1", "t2"]),
            file("/usr/share/foo/b", b"b1", &["t1", "t2"]),
            file("/usr/share/foo/d", b"d2", &["t1"]),
            file("/usr/share/foo/plain", b"p", &[]),
        ],
    );
    update(&mut db, &v1, &v2, &options).expect("update foo");
    assert_eq!(
        log(root.path()),
        [
            "one files preupdate /usr/share/foo/a /usr/share/foo/d",
            "one files preremove /usr/share/foo/c",
            "one files update /usr/share/foo/a /usr/share/foo/d",
            "two files update",
            "two < /usr/share/foo/a",
            "one files remove /usr/share/foo/c",
        ]
    );

    remove(&mut db, &v2.trove.tuple(), &options);
    assert_eq!(
        log(root.path()),
        [
            "one files preremove /usr/share/foo/a /usr/share/foo/b /usr/share/foo/d",
            "one files remove /usr/share/foo/a /usr/share/foo/b /usr/share/foo/d",
            "two files remove",
            "two < /usr/share/foo/a",
            "two < /usr/share/foo/b",
        ]
    );
}

#[test]
fn a_new_handler_runs_over_installed_files_and_a_removed_one_gets_preremove() {
    let root = tempfile::tempdir().expect("root");
    let mut db = Database::open(root.path()).expect("db");
    let options = options();
    let foo = make(
        "foo:runtime",
        "1-1-1",
        &[
            file("/usr/share/foo/a", b"a", &["t1", "t2"]),
            file("/usr/share/foo/b", b"b", &["t2"]),
        ],
    );
    install(&mut db, &foo, &options).expect("install foo");
    assert!(log(root.path()).is_empty(), "no description yet");
    let tagger = tagger();
    install(&mut db, &tagger, &options).expect("install tagger");
    // t1 implements "handler update"; t2 only "files update".
    assert_eq!(
        log(root.path()),
        [
            "one handler update /usr/share/foo/a",
            "two files update",
            "two < /usr/share/foo/a",
            "two < /usr/share/foo/b",
        ]
    );
    // A changed handler counts as a changed description.
    let mut changed = tagger.trove.clone();
    changed.version = "/tags.example.com@test:1/1-1-2".parse().expect("version");
    let new_two = logger("TWO");
    let v2 = make(
        "tagger:runtime",
        "1-1-2",
        &[
            file("/etc/conary/tags/t1", T1, &[]),
            file("/etc/conary/tags/t2", T2, &[]),
            program("/usr/libexec/conary/tags/one", &logger("one")),
            program("/usr/libexec/conary/tags/two", &new_two),
        ],
    );
    update(&mut db, &tagger, &v2, &options).expect("update tagger");
    assert_eq!(
        log(root.path()),
        [
            "TWO files update",
            "TWO < /usr/share/foo/a",
            "TWO < /usr/share/foo/b"
        ]
    );
    // Erasing the tagger: "handler preremove" with every file of the tag,
    // run by the handler about to go.
    remove(&mut db, &v2.trove.tuple(), &options);
    assert_eq!(log(root.path()), ["one handler preremove /usr/share/foo/a"]);
}

#[test]
fn tag_script_gets_the_calls_instead() {
    let root = tempfile::tempdir().expect("root");
    let script = tempfile::NamedTempFile::new().expect("script");
    let mut db = Database::open(root.path()).expect("db");
    let plain = options();
    install(&mut db, &tagger(), &plain).expect("install tagger");
    let _ = log(root.path());
    let options = ApplyOptions {
        tag_script: Some(PathBuf::from(script.path())),
        ..options()
    };
    let foo = make(
        "foo:runtime",
        "1-1-1",
        &[
            file("/usr/share/foo/a b", b"a", &["t1", "t2"]),
            file("/usr/lib/libfoo.so.1", b"elf", &["shlib"]),
        ],
    );
    install(&mut db, &foo, &options).expect("install foo");
    assert!(log(root.path()).is_empty(), "nothing ran");
    assert_eq!(
        fs::read_to_string(script.path()).expect("script"),
        "# /usr/libexec/conary/tags/one files preupdate '/usr/share/foo/a b'\n\
         /sbin/ldconfig\n\
         /usr/libexec/conary/tags/one files update '/usr/share/foo/a b'\n\
         /usr/libexec/conary/tags/two files update <<'EOF'\n\
         /usr/share/foo/a b\n\
         EOF\n"
    );
}

#[test]
fn shlib_maintains_ld_so_conf() {
    let root = tempfile::tempdir().expect("root");
    fs::create_dir_all(root.path().join("etc")).expect("etc");
    fs::write(
        root.path().join("etc/ld.so.conf"),
        "include /etc/ld.so.conf.d/*.conf\n/usr/lib/foo\n",
    )
    .expect("ld.so.conf");
    let mut db = Database::open(root.path()).expect("db");
    let libs = make(
        "libs:lib",
        "1-1-1",
        &[
            file("/usr/lib/foo/libfoo.so.1", b"1", &["shlib"]),
            file("/opt/bar/lib/libbar.so.2", b"2", &["shlib"]),
            file("/opt/bar/lib/libbaz.so.2", b"3", &["shlib"]),
        ],
    );
    let report = install(&mut db, &libs, &options()).expect("install");
    assert_eq!(
        fs::read_to_string(root.path().join("etc/ld.so.conf")).expect("read"),
        "include /etc/ld.so.conf.d/*.conf\n/usr/lib/foo\n/opt/bar/lib\n"
    );
    let messages: Vec<String> = report.notes.iter().map(ToString::to_string).collect();
    assert!(
        messages.contains(&"ldconfig skipped: not running as root".to_owned()),
        "{messages:?}"
    );
}

#[test]
fn user_info_adds_users_and_groups_once() {
    let root = tempfile::tempdir().expect("root");
    fs::create_dir_all(root.path().join("etc")).expect("etc");
    fs::write(
        root.path().join("etc/passwd"),
        "root:x:0:0:root:/root:/bin/bash\n",
    )
    .expect("passwd");
    fs::write(root.path().join("etc/group"), "root:x:0:\nwheel:x:10:\n").expect("group");
    let mut db = Database::open(root.path()).expect("db");
    let v1 = make(
        "alice:user",
        "1-1-1",
        &[
            file(
                "/etc/conary/userinfo/alice",
                b"USER=alice\nPREFERRED_UID=1001\nHOMEDIR=/home/alice\nSHELL=/bin/bash\nSUPPLEMENTAL=wheel\n",
                &["user-info"],
            ),
            file("/etc/conary/groupinfo/staff", b"GROUP=staff\nPREFERRED_GID=0\n", &["group-info"]),
        ],
    );
    install(&mut db, &v1, &options()).expect("install");
    let expect_passwd =
        "root:x:0:0:root:/root:/bin/bash\nalice:*:1001:1001::/home/alice:/bin/bash\n";
    let expect_group = "root:x:0:\nwheel:x:10:alice\nstaff:*:1:\nalice:*:1001:\n";
    assert_eq!(
        fs::read_to_string(root.path().join("etc/passwd")).expect("passwd"),
        expect_passwd
    );
    assert_eq!(
        fs::read_to_string(root.path().join("etc/group")).expect("group"),
        expect_group
    );
    // An update rewriting the info files adds nothing twice.
    let v2 = make(
        "alice:user",
        "2-1-1",
        &[
            file(
                "/etc/conary/userinfo/alice",
                b"USER=alice\nPREFERRED_UID=1001\nHOMEDIR=/home/alice\nSHELL=/bin/zsh\nSUPPLEMENTAL=wheel\n",
                &["user-info"],
            ),
            file("/etc/conary/groupinfo/staff", b"GROUP=staff\nPREFERRED_GID=5\n", &["group-info"]),
        ],
    );
    update(&mut db, &v1, &v2, &options()).expect("update");
    assert_eq!(
        fs::read_to_string(root.path().join("etc/passwd")).expect("passwd"),
        expect_passwd
    );
    assert_eq!(
        fs::read_to_string(root.path().join("etc/group")).expect("group"),
        expect_group
    );
}

#[test]
fn a_bad_description_fails_before_anything_changes() {
    let root = tempfile::tempdir().expect("root");
    fs::create_dir_all(root.path().join("etc/conary/tags")).expect("dir");
    fs::write(
        root.path().join("etc/conary/tags/bad"),
        "file /x\nimplements files sideways\n",
    )
    .expect("bad");
    let mut db = Database::open(root.path()).expect("db");
    let foo = make(
        "foo:runtime",
        "1-1-1",
        &[file("/usr/share/foo/a", b"a", &["bad"])],
    );
    let error = install(&mut db, &foo, &options()).expect_err("refused");
    assert_eq!(
        error.to_string(),
        "cannot apply the changeset: /etc/conary/tags/bad:2: unknown implements 'files sideways'"
    );
    assert!(!root.path().join("usr").exists());
    assert!(db.installed().expect("installed").is_empty());

    // A job not touching the tag goes on, with a warning.
    let other = make(
        "other:runtime",
        "1-1-1",
        &[file("/usr/share/other", b"o", &[])],
    );
    let report = install(&mut db, &other, &options()).expect("unrelated");
    let messages: Vec<String> = report.notes.iter().map(ToString::to_string).collect();
    assert!(
        messages.contains(
            &"tag description ignored: /etc/conary/tags/bad:2: unknown implements 'files sideways'"
                .to_owned()
        ),
        "{messages:?}"
    );
}

#[test]
fn a_failing_handler_is_a_warning() {
    let root = tempfile::tempdir().expect("root");
    let mut db = Database::open(root.path()).expect("db");
    let broken = make(
        "broken:runtime",
        "1-1-1",
        &[
            file(
                "/etc/conary/tags/x",
                b"file /usr/libexec/x
implements files update
",
                &[],
            ),
            program("/usr/libexec/x", b"#!/bin/sh\necho oops >&2\nexit 3\n"),
            file("/usr/share/x", b"x", &["x"]),
        ],
    );
    let report = install(&mut db, &broken, &options()).expect("installed anyway");
    let messages: Vec<String> = report.notes.iter().map(ToString::to_string).collect();
    assert!(
        messages.iter().any(|message| message.starts_with("tag handler (files update): /usr/libexec/x failed")),
        "{messages:?}"
    );
    assert_eq!(db.installed().expect("installed").len(), 1);
}

#[test]
fn an_installed_user_info_description_replaces_the_built_in() {
    let root = tempfile::tempdir().expect("root");
    let mut db = Database::open(root.path()).expect("db");
    let handler = make(
        "info:runtime",
        "1-1-1",
        &[
            file(
                "/etc/conary/tags/user-info",
                b"file /usr/libexec/conary/tags/one\ndatasource multitag\nimplements files update\n",
                &[],
            ),
            file(
                "/etc/conary/tags/group-info",
                b"file /usr/libexec/conary/tags/one\ndatasource multitag\nimplements files update\n",
                &[],
            ),
            program("/usr/libexec/conary/tags/one", &logger("one")),
        ],
    );
    install(&mut db, &handler, &options()).expect("install handler");
    let alice = make(
        "alice:user",
        "1-1-1",
        &[
            file(
                "/etc/conary/userinfo/alice",
                b"USER=alice\n",
                &["user-info"],
            ),
            file(
                "/etc/conary/groupinfo/alice",
                b"GROUP=alice\n",
                &["group-info"],
            ),
        ],
    );
    install(&mut db, &alice, &options()).expect("install alice");
    assert!(
        !root.path().join("etc/passwd").exists(),
        "the built-in did not run"
    );
    assert_eq!(
        log(root.path()),
        [
            "one files update",
            "one < group-info",
            "one < /etc/conary/groupinfo/alice",
            "one < user-info",
            "one < /etc/conary/userinfo/alice",
        ]
    );
}

#[test]
fn a_handler_outside_the_root_is_refused() {
    let root = tempfile::tempdir().expect("root");
    let mut db = Database::open(root.path()).expect("db");
    let sneaky = make(
        "sneaky:runtime",
        "1-1-1",
        &[
            file(
                "/etc/conary/tags/s",
                b"file /../../../../../../../bin/true\nimplements files update\n",
                &[],
            ),
            file("/usr/share/s", b"s", &["s"]),
        ],
    );
    let report = install(&mut db, &sneaky, &options()).expect("installed");
    let messages: Vec<String> = report.notes.iter().map(ToString::to_string).collect();
    assert!(
        messages
            .iter()
            .any(|message| message.starts_with("tag handler (files update): cannot run /../")),
        "{messages:?}"
    );
}
