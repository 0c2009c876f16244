//! File streams: fileIds, diffs, `ls -l` lines and round trips.

use std::collections::BTreeSet;

use conary_core::digest::Digest;
use conary_core::files::{FileAttr, FileFlags, FileKind, FileStream, FileType, Mode};

use super::{DEPS, FLAVORS, deps, flavor, mode, sample_file};

fn every_kind() -> Vec<FileKind> {
    vec![
        FileKind::Regular {
            size: 0,
            digest: Digest::of(b""),
            link_group: None,
        },
        FileKind::Regular {
            size: 3,
            digest: Digest::of(b"abc"),
            link_group: Some(Digest::of(b"group")),
        },
        FileKind::Directory,
        FileKind::Symlink {
            target: "../lib/libfoo.so.1".to_owned(),
        },
        FileKind::CharDevice { major: 1, minor: 3 },
        FileKind::BlockDevice {
            major: 8,
            minor: u32::MAX,
        },
        FileKind::Fifo,
        FileKind::Socket,
    ]
}

#[test]
fn every_kind_round_trips() {
    for kind in every_kind() {
        let mut stream = FileStream::new(kind, mode(0o4755), "nobody", "nogroup");
        stream.mtime = u64::MAX;
        let bytes = stream.encode();
        assert_eq!(FileStream::decode(&bytes), Ok(stream.clone()), "{stream:?}");
        assert_eq!(
            conary_core::files::decode_untrusted(&bytes),
            Ok(stream.clone())
        );
    }
    let full = sample_file();
    assert_eq!(FileStream::decode(&full.encode()), Ok(full));
}

#[test]
fn file_id_ignores_mtime_only() {
    let base = sample_file();
    let mut later = base.clone();
    later.mtime += 3600;
    assert_eq!(later.file_id(), base.file_id());
    assert_ne!(later.encode(), base.encode());

    type Change = fn(&mut FileStream);
    let changes: [(&str, Change); 10] = [
        ("mode", |s| s.mode = mode(0o644)),
        ("owner", |s| s.owner = "daemon".to_owned()),
        ("group", |s| s.group = "root".to_owned()),
        ("contents", |s| {
            s.kind = FileKind::Regular {
                size: 12345,
                digest: Digest::of(b"other"),
                link_group: None,
            }
        }),
        ("link group", |s| {
            s.kind = FileKind::Regular {
                size: 12345,
                digest: Digest::of(b"contents"),
                link_group: Some(Digest::of(b"group")),
            }
        }),
        ("flags", |s| s.flags.set(FileFlags::TRANSIENT, true)),
        ("tags", |s| {
            s.tags.insert("desktop-file".to_owned());
        }),
        ("provides", |s| s.provides = deps(DEPS[0])),
        ("requires", |s| s.requires = deps(DEPS[1])),
        ("flavor", |s| s.flavor = flavor(FLAVORS[2])),
    ];
    let mut seen = BTreeSet::new();
    seen.insert(base.file_id());
    for (what, change) in changes {
        let mut changed = base.clone();
        change(&mut changed);
        assert!(
            seen.insert(changed.file_id()),
            "{what} must change the fileId"
        );
    }
}

#[test]
fn diff_names_changed_attributes() {
    let base = sample_file();
    assert!(base.diff(&base).is_empty());
    let mut other = base.clone();
    other.mtime = 1;
    other.owner = "daemon".to_owned();
    other.tags.clear();
    assert_eq!(
        base.diff(&other),
        [FileAttr::Owner, FileAttr::Mtime, FileAttr::Tags]
    );
    let mut link = base.clone();
    link.kind = FileKind::Symlink {
        target: "foo".to_owned(),
    };
    assert_eq!(
        base.diff(&link),
        [
            FileAttr::Type,
            FileAttr::Size,
            FileAttr::Digest,
            FileAttr::Target
        ]
    );
    let char_device = FileStream::new(
        FileKind::CharDevice { major: 1, minor: 3 },
        mode(0o666),
        "root",
        "root",
    );
    let mut block_device = char_device.clone();
    block_device.kind = FileKind::BlockDevice { major: 1, minor: 4 };
    assert_eq!(
        char_device.diff(&block_device),
        [FileAttr::Type, FileAttr::Device]
    );
}

#[test]
fn accessors() {
    let stream = sample_file();
    assert_eq!(stream.file_type(), FileType::Regular);
    assert_eq!(stream.size(), Some(12345));
    assert_eq!(stream.content_digest(), Some(Digest::of(b"contents")));
    assert!(!stream.is_hardlink());
    assert!(stream.flags.is_config());
    assert_eq!(stream.symlink_target(), None);
    let device = FileStream::new(
        FileKind::BlockDevice { major: 8, minor: 1 },
        mode(0o660),
        "root",
        "disk",
    );
    assert_eq!(device.device(), Some((8, 1)));
    assert_eq!(device.size(), None);
}

#[test]
fn ls_lines() {
    let cases: [(FileKind, u32, &str, &str); 5] = [
        (
            FileKind::Regular {
                size: 1234,
                digest: Digest::of(b""),
                link_group: None,
            },
            0o4755,
            "/usr/bin/su",
            "-rwsr-xr-x root     root           1234 2023-11-14 22:13 /usr/bin/su",
        ),
        (
            FileKind::Directory,
            0o1777,
            "/tmp",
            "drwxrwxrwt root     root              0 2023-11-14 22:13 /tmp",
        ),
        (
            FileKind::CharDevice { major: 1, minor: 3 },
            0o666,
            "/dev/null",
            "crw-rw-rw- root     root           1, 3 2023-11-14 22:13 /dev/null",
        ),
        (
            FileKind::Fifo,
            0o600,
            "/run/fifo",
            "prw------- root     root              0 2023-11-14 22:13 /run/fifo",
        ),
        (
            FileKind::Socket,
            0o2755,
            "/run/sock",
            "srwxr-sr-x root     root              0 2023-11-14 22:13 /run/sock",
        ),
    ];
    for (kind, bits, path, expected) in cases {
        let mut stream = FileStream::new(kind, mode(bits), "root", "root");
        stream.mtime = 1_700_000_000;
        assert_eq!(stream.ls_line(path), expected);
    }
}

#[test]
fn textual_forms() {
    let modes = [
        ("0755", 0o755),
        ("4755", 0o4755),
        ("7777", 0o7777),
        ("0", 0),
    ];
    for (text, bits) in modes {
        let parsed: Mode = text.parse().expect("valid mode");
        assert_eq!(parsed.bits(), bits);
        assert_eq!(parsed.to_string(), format!("{bits:04o}"));
    }
    for name in [
        "regular",
        "directory",
        "symlink",
        "char-device",
        "block-device",
        "fifo",
        "socket",
    ] {
        let file_type: FileType = name.parse().expect("valid type");
        assert_eq!(file_type.to_string(), name);
        assert_eq!(FileType::from_number(file_type.number()), Some(file_type));
    }
    let error = "hardlink".parse::<FileType>().expect_err("not a type");
    assert!(
        error
            .to_string()
            .starts_with("invalid file type 'hardlink'")
    );
    let flags: FileFlags = "initialContents,transient".parse().expect("flags");
    assert!(flags.is_initial_contents() && flags.is_transient() && !flags.is_config());
    let error = "config,sticky".parse::<FileFlags>().expect_err("bad flag");
    assert_eq!(
        error.to_string(),
        "invalid file flags 'config,sticky': unknown flag 'sticky'"
    );
}
