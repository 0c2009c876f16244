//! The executor refuses paths and archive entries that would write outside
//! the build directory or the destdir, and names them.

use std::fs;

use conary_build::recipe::model::Action;

use super::{Fixture, archive, compress, create, install, read};

/// A raw tar entry whose name is written as given (the `tar` crate's
/// builder refuses hostile names, which is what these tests need).
fn raw_entry(
    builder: &mut tar::Builder<Vec<u8>>,
    name: &str,
    kind: tar::EntryType,
    link: &str,
    data: &[u8],
) {
    let mut header = tar::Header::new_old();
    {
        let old = header.as_old_mut();
        old.name[..name.len()].copy_from_slice(name.as_bytes());
        old.linkname[..link.len()].copy_from_slice(link.as_bytes());
    }
    header.set_entry_type(kind);
    header.set_size(data.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    builder.append(&header, data).expect("append raw");
}

/// A raw entry: name, kind, link target.
type RawEntry = (String, tar::EntryType, String);

#[test]
fn install_outside_the_destdir_is_refused() {
    let fixture = Fixture::new();
    let outside = tempfile::tempdir().expect("tempdir");
    let outside_text = outside.path().to_string_lossy().into_owned();
    fixture.source("f", b"x");
    let cases: Vec<(Vec<Action>, String)> = vec![
        (
            vec![Action::AddSource {
                name: "f".into(),
                dest: None,
                mode: None,
                macros: false,
            }, install("f", "/../../etc/passwd", None)],
            "hello.recipe:2:5: Install: '/../../etc/passwd' is outside the destdir".into(),
        ),
        (
            vec![create("/usr/../../x", "", 0o644)],
            "hello.recipe:1:5: Create: '/usr/../../x' is outside the destdir".into(),
        ),
        (
            vec![
                Action::Symlink {
                    target: "../../../../../../../../../../..".into(),
                    link: "/escape".into(),
                },
                create("/escape/x", "", 0o644),
            ],
            "hello.recipe:2:5: Create: '/escape/x' is outside the destdir".into(),
        ),
        (
            vec![Action::Remove {
                paths: vec![format!("/..{outside_text}/*")],
                recursive: true,
            }],
            format!("hello.recipe:1:5: Remove: '/..{outside_text}/*' is outside the destdir"),
        ),
        (
            vec![create("relative/path", "", 0o644)],
            "hello.recipe:1:5: Create: 'relative/path' is not an absolute path (paths in the destdir start with '/')".into(),
        ),
        (
            vec![install("/etc/passwd", "/passwd", None)],
            "hello.recipe:1:5: Install: '/etc/passwd' is outside the build directory".into(),
        ),
        (
            vec![install("../../../../../../../etc/passwd", "/passwd", None)],
            "hello.recipe:1:5: Install: '../../../../../../../etc/passwd' is outside the build directory".into(),
        ),
    ];
    fs::write(outside.path().join("precious"), "keep").expect("write");
    for (actions, expected) in cases {
        let fixture = Fixture::new();
        fixture.source("f", b"x");
        let (message, _) = fixture.fail(&actions);
        assert_eq!(message, expected);
    }
    assert_eq!(read(&outside.path().join("precious")), "keep");
}

#[test]
fn absolute_symlinks_in_the_destdir_stay_in_the_destdir() {
    let fixture = Fixture::new();
    let outside = tempfile::tempdir().expect("tempdir");
    let outside_text = outside.path().to_string_lossy().into_owned();
    fixture.build(&[
        // An absolute link means a path of the installed system, so writing
        // through it lands in the destdir, never on this machine.
        Action::Symlink {
            target: outside_text.clone(),
            link: "/out".into(),
        },
        create("/out/x", "inside\n", 0o644),
        Action::Symlink {
            target: "/usr/lib".into(),
            link: "/lib".into(),
        },
        create("/lib/libz.so.1", "", 0o644),
    ]);
    assert_eq!(fs::read_dir(outside.path()).expect("list").count(), 0);
    let inside = fixture
        .dest
        .path()
        .join(outside_text.trim_start_matches('/'))
        .join("x");
    assert_eq!(read(&inside), "inside\n");
    assert!(fixture.dest("usr/lib/libz.so.1").is_file());
    assert!(
        fs::symlink_metadata(fixture.dest("lib"))
            .expect("link")
            .file_type()
            .is_symlink()
    );
}

#[test]
fn hostile_archives_are_refused() {
    let outside = tempfile::tempdir().expect("tempdir");
    let outside_text = outside.path().to_string_lossy().into_owned();
    let absolute = format!("{outside_text}/abs");
    let cases: Vec<(Vec<RawEntry>, String)> = vec![
        (
            vec![(absolute.clone(), tar::EntryType::Regular, String::new())],
            format!("entry '{absolute}' has an absolute path"),
        ),
        (
            vec![("a/../../up".into(), tar::EntryType::Regular, String::new())],
            "entry 'a/../../up' has a '..' component".into(),
        ),
        (
            vec![
                ("evil".into(), tar::EntryType::Symlink, outside_text.clone()),
                ("evil/x".into(), tar::EntryType::Regular, String::new()),
            ],
            "entry 'evil/x' leads outside the build directory through a symlink".into(),
        ),
        (
            vec![
                (
                    "up".into(),
                    tar::EntryType::Symlink,
                    "../../../../../../../..".into(),
                ),
                ("up/x".into(), tar::EntryType::Regular, String::new()),
            ],
            "entry 'up/x' leads outside the build directory through a symlink".into(),
        ),
        (
            vec![(
                "hard".into(),
                tar::EntryType::Link,
                "../../etc/passwd".into(),
            )],
            "entry 'hard' links to '../../etc/passwd': it has a '..' component".into(),
        ),
    ];
    for (entries, expected) in cases {
        let fixture = Fixture::new();
        let mut builder = tar::Builder::new(Vec::new());
        for (name, kind, link) in &entries {
            raw_entry(&mut builder, name, *kind, link, b"pwned\n");
        }
        let bytes = compress("evil.tar.gz", builder.into_inner().expect("tar"));
        fixture.source("evil.tar.gz", &bytes);
        let (message, _) = fixture.fail(&[archive("evil.tar.gz")]);
        assert_eq!(
            message,
            format!("hello.recipe:1:5: addArchive: archive 'evil.tar.gz': {expected}")
        );
        assert_eq!(
            fs::read_dir(outside.path()).expect("list").count(),
            0,
            "{expected}"
        );
    }
}

#[test]
fn a_symlink_in_an_archive_is_replaced_not_written_through() {
    let fixture = Fixture::new();
    let mut builder = tar::Builder::new(Vec::new());
    raw_entry(
        &mut builder,
        "top/link",
        tar::EntryType::Symlink,
        "/etc/hostname",
        b"",
    );
    raw_entry(
        &mut builder,
        "top/link",
        tar::EntryType::Regular,
        "",
        b"data\n",
    );
    raw_entry(
        &mut builder,
        "top/same",
        tar::EntryType::Link,
        "top/link",
        b"",
    );
    fixture.source("t.tar", &builder.into_inner().expect("tar"));
    fixture.build(&[archive("t.tar"), install("same", "/same", None)]);
    assert_eq!(read(&fixture.build.path().join("top/link")), "data\n");
    assert_eq!(read(&fixture.dest("same")), "data\n");
}

#[test]
fn an_archive_stays_in_its_directory() {
    let fixture = Fixture::new();
    let mut builder = tar::Builder::new(Vec::new());
    raw_entry(&mut builder, "up", tar::EntryType::Symlink, "..", b"");
    raw_entry(
        &mut builder,
        "up/x",
        tar::EntryType::Regular,
        "",
        b"pwned\n",
    );
    fixture.source("t.tar", &builder.into_inner().expect("tar"));
    let (message, _) = fixture.fail(&[Action::AddArchive {
        name: "t.tar".into(),
        dir: Some("sub".into()),
    }]);
    assert_eq!(
        message,
        "hello.recipe:1:5: addArchive: archive 't.tar': entry 'up/x' leads outside the directory it is unpacked into"
    );
    assert!(!fixture.build.path().join("x").exists());
}
