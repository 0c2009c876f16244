//! Tables of the three-way merge: every attribute changed by the
//! administrator, by the package, by both the same way and by both
//! differently.

use conary_core::digest::Digest;
use conary_core::files::{FileAttr, FileKind, FileStream, Mode};

use super::attrs::{Side, merge_stream};
use super::text::{TextMergeError, conaryorig_path, conflicts_path, merge_text};

fn regular(text: &[u8]) -> FileStream {
    let mut stream = FileStream::new(
        FileKind::Regular {
            size: text.len() as u64,
            digest: Digest::of(text),
            link_group: None,
        },
        Mode::new(0o644).expect("mode"),
        "root",
        "root",
    );
    stream.mtime = 100;
    stream
}

fn symlink(target: &str) -> FileStream {
    FileStream::new(
        FileKind::Symlink {
            target: target.to_owned(),
        },
        Mode::new(0o777).expect("mode"),
        "root",
        "root",
    )
}

/// Which side changed an attribute, and what the merge must say.
const CASES: [(&str, bool, bool, bool, Side); 5] = [
    // (case, admin changed, package changed, same change, expected)
    ("nobody", false, false, false, Side::New),
    ("admin", true, false, false, Side::Local),
    ("package", false, true, false, Side::New),
    ("both the same way", true, true, true, Side::New),
    ("both differently", true, true, false, Side::Conflict),
];

fn variants(
    admin: bool,
    package: bool,
    same: bool,
    change: impl Fn(&mut FileStream, u8),
) -> (FileStream, FileStream, FileStream) {
    let base = regular(b"x\n");
    let mut local = base.clone();
    let mut new = base.clone();
    if admin {
        change(&mut local, 1);
    }
    if package {
        change(&mut new, if same { 1 } else { 2 });
    }
    (base, local, new)
}

#[test]
fn mode_table() {
    for (case, admin, package, same, expected) in CASES {
        let (base, local, new) = variants(admin, package, same, |stream, n| {
            stream.mode = Mode::new(0o600 + u32::from(n)).expect("mode");
        });
        let merge = merge_stream(&base, &local, &new, true);
        assert_eq!(merge.mode, expected, "mode changed by {case}");
        let wanted = if expected == Side::Local {
            &local
        } else {
            &new
        };
        assert_eq!(merge.merged.mode, wanted.mode, "merged mode, {case}");
        assert_eq!(
            merge.conflicts().contains(&FileAttr::Mode),
            expected == Side::Conflict,
            "{case}"
        );
    }
}

#[test]
fn owner_and_group_tables() {
    for (case, admin, package, same, expected) in CASES {
        let (base, local, new) = variants(admin, package, same, |stream, n| {
            stream.owner = format!("user{n}");
        });
        let merge = merge_stream(&base, &local, &new, true);
        assert_eq!(merge.owner, expected, "owner changed by {case}");
        if expected == Side::Local {
            assert_eq!(merge.merged.owner, "user1");
        }
        let (base, local, new) = variants(admin, package, same, |stream, n| {
            stream.group = format!("group{n}");
        });
        let merge = merge_stream(&base, &local, &new, true);
        assert_eq!(merge.group, expected, "group changed by {case}");
        assert_eq!(
            merge.conflicts().contains(&FileAttr::Group),
            expected == Side::Conflict
        );
    }
}

#[test]
fn owners_are_not_compared_when_not_privileged() {
    let (base, local, new) = variants(true, true, false, |stream, n| {
        stream.owner = format!("user{n}");
    });
    let merge = merge_stream(&base, &local, &new, false);
    assert_eq!(merge.owner, Side::New);
    assert!(merge.conflicts().is_empty());
}

#[test]
fn mtime_table_never_conflicts() {
    for (case, admin, package, same, expected) in CASES {
        let (base, local, new) = variants(admin, package, same, |stream, n| {
            stream.mtime = 1000 + u64::from(n);
        });
        let merge = merge_stream(&base, &local, &new, true);
        let expected = if expected == Side::Conflict {
            Side::New
        } else {
            expected
        };
        assert_eq!(merge.mtime, expected, "mtime changed by {case}");
        assert!(merge.conflicts().is_empty(), "{case}");
    }
}

#[test]
fn contents_table_is_left_to_the_contents_rules() {
    for (case, admin, package, same, expected) in CASES {
        let base = regular(b"base\n");
        let local = if admin {
            regular(b"one\n")
        } else {
            base.clone()
        };
        let new = match (package, same) {
            (false, _) => base.clone(),
            (true, true) => regular(b"one\n"),
            (true, false) => regular(b"two\n"),
        };
        let merge = merge_stream(&base, &local, &new, true);
        assert!(merge.all_regular);
        assert_eq!(merge.body, expected, "contents changed by {case}");
        // Contents conflicts are for the config/transient rules, not an
        // attribute conflict.
        assert!(merge.conflicts().is_empty(), "{case}");
    }
}

#[test]
fn symlink_target_table() {
    for (case, admin, package, same, expected) in CASES {
        let base = symlink("a");
        let local = if admin { symlink("b") } else { base.clone() };
        let new = match (package, same) {
            (false, _) => base.clone(),
            (true, true) => symlink("b"),
            (true, false) => symlink("c"),
        };
        let merge = merge_stream(&base, &local, &new, true);
        assert!(!merge.all_regular);
        assert_eq!(merge.body, expected, "target changed by {case}");
        assert_eq!(
            merge.conflicts().contains(&FileAttr::Type),
            expected == Side::Conflict,
            "{case}"
        );
        assert_eq!(merge.keeps_local(), expected == Side::Local, "{case}");
    }
}

#[test]
fn type_table() {
    // The administrator replaced a file with a symlink.
    let base = regular(b"x\n");
    let local = symlink("/elsewhere");
    let merge = merge_stream(&base, &local, &base, true);
    assert_eq!(merge.body, Side::Local);
    assert!(merge.keeps_local());
    // ... and the package changed the file too.
    let merge = merge_stream(&base, &local, &regular(b"y\n"), true);
    assert_eq!(merge.conflicts(), vec![FileAttr::Type]);
    // The package made it a symlink; the machine did not touch it.
    let merge = merge_stream(&base, &base, &local, true);
    assert_eq!(merge.body, Side::New);
    assert!(merge.conflicts().is_empty());
    // The package made it a symlink; the machine edited the file.
    let merge = merge_stream(&base, &regular(b"edited\n"), &local, true);
    assert_eq!(merge.conflicts(), vec![FileAttr::Type]);
}

#[test]
fn independent_attributes_merge_together() {
    let base = regular(b"x\n");
    let mut local = base.clone();
    local.mode = Mode::new(0o600).expect("mode");
    let mut new = regular(b"y\n");
    new.group = "adm".to_owned();
    let merge = merge_stream(&base, &local, &new, true);
    assert_eq!(merge.merged.mode, local.mode);
    assert_eq!(merge.merged.group, "adm");
    assert_eq!(merge.merged.content_digest(), new.content_digest());
    assert!(merge.conflicts().is_empty());
}

#[test]
fn text_merge_clean() {
    let base = b"one\ntwo\nthree\nfour\nfive\n";
    let local = b"one\ntwo\nthree\nfour\nfive\n# admin\n";
    let new = b"ONE\ntwo\nthree\nfour\nfive\n";
    let merged = merge_text(base, local, new).expect("merges");
    assert_eq!(merged, b"ONE\ntwo\nthree\nfour\nfive\n# admin\n");
    // One side only.
    assert_eq!(merge_text(base, base, new).expect("new"), new);
    assert_eq!(merge_text(base, local, base).expect("local"), local);
    assert_eq!(merge_text(base, new, new).expect("same"), new);
}

#[test]
fn text_merge_conflicting() {
    let base = b"a\nkey = 1\nz\n";
    let local = b"a\nkey = 2\nz\n";
    let new = b"a\nkey = 3\nz\n";
    let Err(TextMergeError::Conflict { marked }) = merge_text(base, local, new) else {
        panic!("expected a conflict");
    };
    assert!(marked.contains("<<<<<<<"), "{marked}");
    assert!(marked.contains("key = 2"), "{marked}");
    assert!(marked.contains("key = 3"), "{marked}");
    assert!(marked.contains(">>>>>>>"), "{marked}");
}

#[test]
fn binary_is_not_merged() {
    assert_eq!(
        merge_text(b"a\0", b"b\0", b"c\0"),
        Err(TextMergeError::NotText)
    );
}

#[test]
fn side_files() {
    let full = std::path::Path::new("/r/etc/sudoers");
    assert_eq!(
        conflicts_path(full),
        std::path::Path::new("/r/etc/sudoers.conflicts")
    );
    assert_eq!(
        conaryorig_path(full),
        std::path::Path::new("/r/etc/sudoers.conaryorig")
    );
}

#[test]
fn conflicts_error_names_every_file_sorted() {
    use super::hooks::conflicts_error;
    assert!(conflicts_error(&[]).is_none());
    let one = conflicts_error(&["/etc/a".to_owned()]).expect("error");
    assert_eq!(
        one.to_string(),
        "cannot merge '/etc/a': local changes conflict with the update (see /etc/a.conflicts); nothing was changed"
    );
    assert_eq!(one.hint(), Some("--replace-config-files"));
    let two = conflicts_error(&["/etc/b".to_owned(), "/etc/a".to_owned()]).expect("error");
    assert!(
        two.to_string()
            .starts_with("cannot merge '/etc/a': local changes conflict with the update (see /etc/a.conflicts); so do /etc/b (/etc/b.conflicts)"),
        "{two}"
    );
}
