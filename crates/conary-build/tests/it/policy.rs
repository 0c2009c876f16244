//! Packaging policy on real destdirs: components, flags, owners, ELF and
//! script dependencies, directives, enforcement, determinism, changesets.

mod elf;

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::Command;

use conary_build::policy::{Packaged, PolicyError, PolicyInput, apply_policy, path_id_for};
use conary_build::recipe::model::{Located, Location, PolicyDirective};
use conary_changeset::{ChangeSetReader, NoContents, PayloadId};
use conary_core::files::FileKind;
use conary_core::troveinfo::TroveInfo;
use conary_core::version::Version;

/// A destdir in a temporary directory.
struct Destdir {
    dir: tempfile::TempDir,
}

impl Destdir {
    fn new() -> Destdir {
        Destdir {
            dir: tempfile::tempdir().expect("temporary directory"),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn disk(&self, path: &str) -> PathBuf {
        self.path().join(path.trim_start_matches('/'))
    }

    fn file(&self, path: &str, contents: &[u8], mode: u32) -> &Destdir {
        let disk = self.disk(path);
        fs::create_dir_all(disk.parent().expect("parent")).expect("create parents");
        fs::write(&disk, contents).expect("write file");
        fs::set_permissions(&disk, fs::Permissions::from_mode(mode)).expect("chmod");
        self
    }

    fn dir(&self, path: &str) -> &Destdir {
        fs::create_dir_all(self.disk(path)).expect("create directory");
        self
    }

    fn link(&self, path: &str, target: &str) -> &Destdir {
        let disk = self.disk(path);
        fs::create_dir_all(disk.parent().expect("parent")).expect("create parents");
        symlink(target, disk).expect("symlink");
        self
    }

    fn copy(&self, from: &Path, path: &str) -> &Destdir {
        let bytes = fs::read(from).expect("read system file");
        self.file(path, &bytes, 0o755)
    }

    fn apply(&self, directives: &[Located<PolicyDirective>]) -> Result<Packaged, PolicyError> {
        apply_policy(&PolicyInput {
            name: "hello",
            destdir: self.path(),
            directives,
            mtime: 1_700_000_000,
        })
    }

    fn packaged(&self, directives: &[Located<PolicyDirective>]) -> Packaged {
        self.apply(directives).expect("policy applies")
    }

    fn error(&self, directives: &[Located<PolicyDirective>]) -> String {
        self.apply(directives)
            .expect_err("policy refuses")
            .to_string()
    }
}

fn at(line: u32) -> Location {
    Location {
        file: "hello.recipe".to_owned(),
        line,
        column: 5,
    }
}

fn directive(line: u32, item: PolicyDirective) -> Located<PolicyDirective> {
    Located { at: at(line), item }
}

fn patterns(list: &[&str]) -> Vec<String> {
    list.iter().map(|pattern| (*pattern).to_owned()).collect()
}

fn requires(packaged: &Packaged, path: &str) -> String {
    packaged.files[path].stream.requires.to_string()
}

fn provides(packaged: &Packaged, path: &str) -> String {
    packaged.files[path].stream.provides.to_string()
}

fn version() -> Version {
    Version::thaw("/conary.example.com@test:1/1700000000.000:1.0-1-1").expect("version")
}

#[test]
fn built_in_components() {
    let destdir = Destdir::new();
    let cases = [
        ("/usr/bin/hello", 0o755, "runtime"),
        ("/usr/lib/debug/usr/bin/hello.debug", 0o644, "debuginfo"),
        ("/usr/libexec/conary/tags/hello", 0o755, "runtime"),
        ("/etc/hello.conf", 0o644, "config"),
        ("/etc/init.d/hello", 0o755, "runtime"),
        (
            "/usr/lib/python3.11/site-packages/hello/__init__.py",
            0o644,
            "python",
        ),
        ("/usr/lib64/perl5/vendor_perl/Hello.pm", 0o644, "perl"),
        ("/usr/share/locale/de/LC_MESSAGES/hello.mo", 0o644, "locale"),
        ("/usr/share/man/man1/hello.1.gz", 0o644, "doc"),
        ("/usr/share/info/hello.info", 0o644, "doc"),
        ("/usr/share/doc/hello/README", 0o644, "doc"),
        ("/usr/include/hello.h", 0o644, "devel"),
        ("/usr/lib64/libhello.a", 0o644, "devel"),
        ("/usr/lib64/libhello.la", 0o644, "devel"),
        ("/usr/lib64/pkgconfig/hello.pc", 0o644, "devel"),
        ("/usr/bin/hello-config", 0o755, "devel"),
        ("/usr/lib64/libhello.so.1", 0o755, "lib"),
        ("/usr/share/hello/greeting.txt", 0o644, "data"),
        ("/var/lib/hello/state", 0o644, "runtime"),
    ];
    for (path, mode, _) in cases {
        destdir.file(path, b"x\n", mode);
    }
    destdir.link("/usr/lib64/libhello.so", "libhello.so.1");
    destdir.dir("/var/log/hello");
    let packaged = destdir.packaged(&[]);
    for (path, _, component) in cases {
        assert_eq!(packaged.files[path].component, component, "{path}");
    }
    assert_eq!(packaged.files["/usr/lib64/libhello.so"].component, "devel");
    assert_eq!(packaged.files["/var/log/hello"].component, "runtime");
    // Non-empty directories come with their files.
    assert!(!packaged.files.contains_key("/usr/bin"));
    assert!(!packaged.files.contains_key("/var/log"));
    assert!(packaged.flavor.is_empty());
}

#[test]
fn component_spec_comes_first_and_is_checked() {
    let destdir = Destdir::new();
    destdir
        .file("/usr/share/hello/manual/index.html", b"<html/>\n", 0o644)
        .file("/usr/share/hello/data", b"d\n", 0o644)
        .file("/etc/hello.conf", b"c\n", 0o644);
    let packaged = destdir.packaged(&[
        directive(
            3,
            PolicyDirective::ComponentSpec {
                component: "manual".to_owned(),
                patterns: patterns(&["/usr/share/hello/manual/"]),
            },
        ),
        directive(
            4,
            PolicyDirective::ComponentSpec {
                component: "runtime".to_owned(),
                patterns: patterns(&["/usr/share/hello/", "/etc/hello\\.conf$"]),
            },
        ),
    ]);
    assert_eq!(
        packaged.files["/usr/share/hello/manual/index.html"].component,
        "manual"
    );
    assert_eq!(packaged.files["/usr/share/hello/data"].component, "runtime");
    assert_eq!(packaged.files["/etc/hello.conf"].component, "runtime");
    assert!(packaged.files["/etc/hello.conf"].stream.flags.is_config());

    for (component, reason) in [
        ("source", "the source component holds no built files"),
        (
            "bad name",
            "a component suffix is made of letters, digits, '_' and '-'",
        ),
        (":doc", "write the suffix without ':'"),
    ] {
        let error = destdir.error(&[directive(
            7,
            PolicyDirective::ComponentSpec {
                component: component.to_owned(),
                patterns: patterns(&["/"]),
            },
        )]);
        assert_eq!(
            error,
            format!("hello.recipe:7:5: invalid component name '{component}': {reason}")
        );
    }
    let error = destdir.error(&[directive(
        9,
        PolicyDirective::Config {
            patterns: patterns(&["/etc/(hello"]),
        },
    )]);
    assert_eq!(
        error,
        "hello.recipe:9:5: invalid pattern '/etc/(hello': unclosed group"
    );
}

#[test]
fn config_initial_contents_transient_and_tags() {
    let destdir = Destdir::new();
    destdir
        .file("/etc/hello.conf", b"a\n", 0o644)
        .file("/etc/hello.d/first-run", b"b\n", 0o644)
        .file("/etc/init.d/hello", b"#!/bin/sh\n", 0o755)
        .file("/var/lib/hello/seed", b"c\n", 0o644)
        .file("/var/cache/hello/index", b"d\n", 0o644)
        .file("/usr/share/hello/hello.cfg", b"e\n", 0o644)
        .file("/usr/lib64/libhello.so.1", b"f\n", 0o755);
    let directives = [
        directive(
            2,
            PolicyDirective::Config {
                patterns: patterns(&["/usr/share/hello/.*\\.cfg$"]),
            },
        ),
        directive(
            3,
            PolicyDirective::InitialContents {
                patterns: patterns(&["/var/lib/hello/", "/etc/hello\\.d/"]),
            },
        ),
        directive(
            4,
            PolicyDirective::Transient {
                patterns: patterns(&["/var/cache/"]),
            },
        ),
        directive(
            5,
            PolicyDirective::TagSpec {
                tag: "shlib".to_owned(),
                patterns: patterns(&["/usr/lib64/lib.*\\.so\\."]),
            },
        ),
    ];
    let packaged = destdir.packaged(&directives);
    let flags = |path: &str| {
        let flags = packaged.files[path].stream.flags;
        (
            flags.is_config(),
            flags.is_initial_contents(),
            flags.is_transient(),
        )
    };
    assert_eq!(flags("/etc/hello.conf"), (true, false, false));
    assert_eq!(flags("/etc/init.d/hello"), (true, false, false));
    assert_eq!(flags("/etc/hello.d/first-run"), (false, true, false));
    assert_eq!(flags("/var/lib/hello/seed"), (false, true, false));
    assert_eq!(flags("/var/cache/hello/index"), (false, false, true));
    assert_eq!(flags("/usr/share/hello/hello.cfg"), (true, false, false));
    assert_eq!(flags("/usr/lib64/libhello.so.1"), (false, false, false));
    assert_eq!(
        packaged.files["/usr/lib64/libhello.so.1"].stream.tags,
        BTreeSet::from(["shlib".to_owned()])
    );
    assert!(packaged.files["/etc/hello.conf"].stream.tags.is_empty());

    let tags = Destdir::new();
    tags.file("/usr/libexec/conary/tags/hello", b"#!/bin/sh\n", 0o755)
        .file(
            "/etc/conary/tags/hello",
            b"file /usr/libexec/conary/tags/hello\n",
            0o644,
        );
    let packaged = tags.packaged(&[]);
    let handler = &packaged.files["/usr/libexec/conary/tags/hello"];
    assert_eq!(
        handler.stream.tags,
        BTreeSet::from(["taghandler".to_owned()])
    );
    assert!(handler.stream.flags.is_config());
    assert_eq!(handler.component, "runtime");
    let description = &packaged.files["/etc/conary/tags/hello"];
    assert_eq!(
        description.stream.tags,
        BTreeSet::from(["tagdescription".to_owned()])
    );
    assert_eq!(description.component, "runtime");

    let error = destdir.error(&[
        directive(
            2,
            PolicyDirective::Config {
                patterns: patterns(&["/var/lib/hello/seed$"]),
            },
        ),
        directive(
            3,
            PolicyDirective::InitialContents {
                patterns: patterns(&["/var/lib/hello/"]),
            },
        ),
    ]);
    assert_eq!(
        error,
        "hello.recipe:3:5: /var/lib/hello/seed cannot be both config and initialContents"
    );
    let error = destdir.error(&[
        directive(
            3,
            PolicyDirective::InitialContents {
                patterns: patterns(&["/var/cache/"]),
            },
        ),
        directive(
            4,
            PolicyDirective::Transient {
                patterns: patterns(&["/var/cache/"]),
            },
        ),
    ]);
    assert_eq!(
        error,
        "hello.recipe:4:5: /var/cache/hello/index cannot be both initialContents and transient"
    );
}

#[test]
fn ownership_modes_and_mtime() {
    let destdir = Destdir::new();
    destdir
        .file("/usr/bin/hello", b"\x00bin", 0o4755)
        .file("/var/lib/hello/db", b"db\n", 0o600);
    let packaged = destdir.packaged(&[directive(
        6,
        PolicyDirective::Ownership {
            user: "hello".to_owned(),
            group: "daemon".to_owned(),
            patterns: patterns(&["/var/lib/hello/"]),
        },
    )]);
    let bin = &packaged.files["/usr/bin/hello"].stream;
    assert_eq!((bin.owner.as_str(), bin.group.as_str()), ("root", "root"));
    assert_eq!(bin.mode.bits(), 0o4755);
    assert_eq!(bin.mtime, 1_700_000_000);
    let db = &packaged.files["/var/lib/hello/db"].stream;
    assert_eq!((db.owner.as_str(), db.group.as_str()), ("hello", "daemon"));
    assert_eq!(db.mode.bits(), 0o600);
    assert_eq!(
        db.requires.to_string(),
        "userinfo: hello\ngroupinfo: daemon"
    );
    let error = destdir.error(&[directive(
        6,
        PolicyDirective::Ownership {
            user: "hel lo".to_owned(),
            group: "daemon".to_owned(),
            patterns: patterns(&["/"]),
        },
    )]);
    assert!(
        error.starts_with("hello.recipe:6:5: invalid user 'hel lo'"),
        "{error}"
    );
}

#[test]
fn empty_directories_and_exclude_directories() {
    let destdir = Destdir::new();
    destdir
        .dir("/var/log/hello")
        .dir("/var/run/hello")
        .file("/usr/bin/hello", b"x", 0o755);
    let packaged = destdir.packaged(&[]);
    let paths: Vec<&str> = packaged.files.keys().map(String::as_str).collect();
    assert_eq!(
        paths,
        ["/usr/bin/hello", "/var/log/hello", "/var/run/hello"]
    );
    assert_eq!(
        packaged.files["/var/log/hello"].stream.kind,
        FileKind::Directory
    );
    let packaged = destdir.packaged(&[directive(
        8,
        PolicyDirective::ExcludeDirectories {
            patterns: patterns(&["/var/run/"]),
        },
    )]);
    let paths: Vec<&str> = packaged.files.keys().map(String::as_str).collect();
    assert_eq!(paths, ["/usr/bin/hello", "/var/log/hello"]);
    let only_dirs = Destdir::new();
    only_dirs.dir("/var/run/hello");
    let exclude = [directive(
        8,
        PolicyDirective::ExcludeDirectories {
            patterns: patterns(&["/var/run/"]),
        },
    )];
    assert_eq!(
        only_dirs.error(&exclude),
        "nothing was installed into the destdir"
    );
}

#[test]
fn scripts_require_their_interpreter() {
    let destdir = Destdir::new();
    destdir
        .file("/usr/bin/hello", b"#!/bin/sh\necho hello\n", 0o755)
        .file("/usr/bin/hello-py", b"#! /usr/bin/env python3\n", 0o755)
        .file(
            "/usr/libexec/hello/helper",
            b"#!/usr/bin/hello-tool -x\n",
            0o755,
        )
        .file("/usr/bin/hello-tool", b"\x00", 0o755)
        .file("/usr/share/hello/example.sh", b"#!/bin/bash\n", 0o644)
        .file("/usr/bin/relative", b"#!bash\n", 0o755);
    let packaged = destdir.packaged(&[]);
    assert_eq!(requires(&packaged, "/usr/bin/hello"), "file: /bin/sh");
    assert_eq!(
        requires(&packaged, "/usr/bin/hello-py"),
        "file: /usr/bin/env"
    );
    // Its interpreter is in the package.
    assert_eq!(requires(&packaged, "/usr/libexec/hello/helper"), "");
    // Not executable, or not an absolute interpreter: no requirement.
    assert_eq!(requires(&packaged, "/usr/share/hello/example.sh"), "");
    assert_eq!(requires(&packaged, "/usr/bin/relative"), "");
    assert_eq!(provides(&packaged, "/usr/bin/hello"), "");
    assert_eq!(provides(&packaged, "/usr/libexec/hello/helper"), "");
}

#[test]
fn requires_and_provides_directives_and_exceptions() {
    let destdir = Destdir::new();
    destdir
        .file("/usr/bin/hello", b"#!/usr/bin/env python3\n", 0o755)
        .file("/usr/bin/other", b"#!/bin/sh\n", 0o755)
        .link("/usr/bin/hi", "hello");
    let directives = [
        directive(
            2,
            PolicyDirective::Requires {
                dep: Some("trove: python3:runtime".to_owned()),
                patterns: patterns(&["/usr/bin/hello$"]),
            },
        ),
        directive(
            3,
            PolicyDirective::Requires {
                dep: None,
                patterns: patterns(&["file: /usr/bin/env"]),
            },
        ),
        directive(
            4,
            PolicyDirective::Provides {
                dep: Some("python: hello".to_owned()),
                patterns: patterns(&["/usr/bin/h"]),
            },
        ),
        directive(
            5,
            PolicyDirective::Provides {
                dep: None,
                patterns: patterns(&["/usr/bin/other"]),
            },
        ),
    ];
    let packaged = destdir.packaged(&directives);
    assert_eq!(
        requires(&packaged, "/usr/bin/hello"),
        "trove: python3:runtime"
    );
    assert_eq!(requires(&packaged, "/usr/bin/other"), "file: /bin/sh");
    assert_eq!(provides(&packaged, "/usr/bin/hello"), "python: hello");
    assert_eq!(provides(&packaged, "/usr/bin/hi"), "python: hello");
    // The exception matched the name of the path provide.
    assert_eq!(
        packaged.path_provides.iter().collect::<Vec<_>>(),
        ["/usr/bin/hello", "/usr/bin/hi"]
    );
    let error = destdir.error(&[directive(
        2,
        PolicyDirective::Requires {
            dep: Some("soname: libfoo.so.1".to_owned()),
            patterns: patterns(&["/"]),
        },
    )]);
    assert!(
        error.starts_with("hello.recipe:2:5: invalid dependency 'soname: libfoo.so.1': "),
        "{error}"
    );
}

#[test]
fn symlinks_are_checked_inside_the_destdir() {
    let destdir = Destdir::new();
    destdir
        .file("/usr/lib64/libfoo.so.1", b"x", 0o755)
        .link("/usr/lib64/libfoo.so", "libfoo.so.1")
        .link("/usr/lib/libfoo.so", "../lib64/libfoo.so")
        .link("/usr/bin/sh", "/bin/bash")
        .link("/usr/lib/lib64", "/usr/lib64")
        .link("/usr/lib/viaabs", "lib64/libfoo.so.1");
    let packaged = destdir.packaged(&[]);
    let kind = &packaged.files["/usr/lib/libfoo.so"].stream.kind;
    assert_eq!(
        kind,
        &FileKind::Symlink {
            target: "../lib64/libfoo.so".to_owned()
        }
    );
    assert_eq!(
        packaged.files["/usr/lib/libfoo.so"].stream.mode.bits(),
        0o777
    );

    destdir.link("/usr/lib64/libbar.so", "libbar.so.9");
    assert_eq!(
        destdir.error(&[]),
        "broken symlink /usr/lib64/libbar.so -> libbar.so.9"
    );
    fs::remove_file(destdir.disk("/usr/lib64/libbar.so")).expect("remove");
    destdir.link("/usr/lib64/up", "../../../../etc/passwd");
    assert_eq!(
        destdir.error(&[]),
        "symlink /usr/lib64/up -> ../../../../etc/passwd points outside the destdir"
    );
    fs::remove_file(destdir.disk("/usr/lib64/up")).expect("remove");
    destdir.link("/usr/lib64/abs", "/../etc/passwd");
    assert_eq!(
        destdir.error(&[]),
        "symlink /usr/lib64/abs -> /../etc/passwd points outside the destdir"
    );
    fs::remove_file(destdir.disk("/usr/lib64/abs")).expect("remove");
    destdir
        .link("/usr/lib64/a", "b/x")
        .link("/usr/lib64/b", "a/x");
    assert_eq!(
        destdir.error(&[]),
        "symlink /usr/lib64/a -> b/x: too many levels of symbolic links"
    );
}

#[test]
fn unsupported_entries_and_empty_destdirs_are_refused() {
    let destdir = Destdir::new();
    assert_eq!(destdir.error(&[]), "nothing was installed into the destdir");
    destdir.dir("/run");
    let status = Command::new("mkfifo")
        .arg(destdir.disk("/run/hello.fifo"))
        .status();
    if status.is_ok_and(|status| status.success()) {
        assert_eq!(
            destdir.error(&[]),
            "/run/hello.fifo is a fifo: only regular files, directories and symlinks can be packaged"
        );
    }
}

#[test]
fn hard_links_share_a_link_group() {
    let destdir = Destdir::new();
    destdir.file("/usr/bin/hello", b"#!/bin/sh\n", 0o755);
    fs::hard_link(destdir.disk("/usr/bin/hello"), destdir.disk("/usr/bin/hi")).expect("link");
    destdir.file("/usr/bin/other", b"#!/bin/sh\n", 0o755);
    let packaged = destdir.packaged(&[]);
    let group = |path: &str| packaged.files[path].stream.link_group();
    assert!(group("/usr/bin/hello").is_some());
    assert_eq!(group("/usr/bin/hello"), group("/usr/bin/hi"));
    assert_eq!(group("/usr/bin/other"), None);
    let built = packaged
        .to_troves(
            "hello",
            &version(),
            &Default::default(),
            &TroveInfo::default(),
        )
        .expect("troves");
    assert_eq!(built.components["runtime"].info.size, Some(20));
}

fn sample() -> Destdir {
    let destdir = Destdir::new();
    destdir
        .file("/usr/bin/hello", b"#!/bin/sh\necho hello\n", 0o755)
        .file("/etc/hello.conf", b"greeting=hello\n", 0o644)
        .file("/usr/share/doc/hello/README", b"hello\n", 0o644)
        .file("/usr/lib/debug/usr/bin/hello.debug", b"debug\n", 0o644)
        .link("/usr/bin/hi", "hello")
        .dir("/var/log/hello");
    destdir
}

#[test]
fn troves_of_a_package() {
    let destdir = sample();
    let packaged = destdir.packaged(&[]);
    let info = TroveInfo {
        builder: Some("test".to_owned()),
        ..TroveInfo::default()
    };
    let flavor = "is: x86_64".parse().expect("flavor");
    let built = packaged
        .to_troves("hello", &version(), &flavor, &info)
        .expect("troves");
    let names: Vec<&str> = built.troves().map(|trove| trove.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "hello",
            "hello:config",
            "hello:debuginfo",
            "hello:doc",
            "hello:runtime"
        ]
    );
    let refs: Vec<(String, bool)> = built
        .package
        .iter_strong_refs()
        .map(|(tuple, by_default)| (tuple.name.to_string(), by_default))
        .collect();
    assert_eq!(
        refs,
        [
            ("hello:config".to_owned(), true),
            ("hello:debuginfo".to_owned(), false),
            ("hello:doc".to_owned(), true),
            ("hello:runtime".to_owned(), true),
        ]
    );
    assert!(
        built
            .package
            .info
            .flags
            .contains(conary_core::troveinfo::TroveFlags::COLLECTION)
    );
    let runtime = &built.components["runtime"];
    assert_eq!(
        runtime.provides.to_string(),
        "file: /usr/bin/hello\nfile: /usr/bin/hi\ntrove: hello:runtime"
    );
    assert_eq!(runtime.requires.to_string(), "file: /bin/sh");
    assert_eq!(runtime.flavor.to_string(), "is: x86_64");
    assert_eq!(runtime.info.builder.as_deref(), Some("test"));
    assert_eq!(runtime.info.size, Some(21));
    assert_eq!(built.package.info.size, Some(21 + 15 + 6 + 6));
    let file = runtime
        .file(&path_id_for("hello", "/usr/bin/hello"))
        .expect("hello in :runtime");
    assert_eq!(file.path, "/usr/bin/hello");
    assert_eq!(file.file_version, version());
    assert!(built.streams.contains_key(&file.file_id));
    assert_eq!(built.contents.len(), 4);
    let error = packaged
        .to_troves("hello:runtime", &version(), &flavor, &info)
        .expect_err("a component name is refused");
    assert_eq!(
        error.to_string(),
        "invalid package name 'hello:runtime': a package name has no component suffix"
    );
}

#[test]
fn same_destdir_same_troves_and_changeset() {
    let encode = |destdir: &Destdir| {
        let packaged = destdir.packaged(&[]);
        let built = packaged
            .to_troves(
                "hello",
                &version(),
                &Default::default(),
                &TroveInfo::default(),
            )
            .expect("troves");
        let troves: Vec<Vec<u8>> = built.troves().map(|trove| trove.encode()).collect();
        let streams: Vec<Vec<u8>> = built.streams.values().map(|s| s.encode()).collect();
        let changeset = built.write_changeset(Vec::new()).expect("changeset");
        (troves, streams, changeset)
    };
    let first = sample();
    let again = encode(&first);
    assert_eq!(encode(&first), again);
    // Another destdir with the same contents, written at another time.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let second = sample();
    assert_eq!(encode(&second), again);
}

#[test]
fn changeset_reads_back() {
    let destdir = sample();
    let packaged = destdir.packaged(&[]);
    let built = packaged
        .to_troves(
            "hello",
            &version(),
            &Default::default(),
            &TroveInfo::default(),
        )
        .expect("troves");
    let changeset = built.to_changeset().expect("changeset");
    assert!(changeset.is_absolute());
    assert_eq!(changeset.primary, BTreeSet::from([built.package.tuple()]));
    assert_eq!(changeset.troves.len(), 5);
    let bytes = built.write_changeset(Vec::new()).expect("write");
    let mut reader = ChangeSetReader::new(&bytes[..]).expect("reader");
    let mut seen = BTreeSet::new();
    while let Some(mut payload) = reader.next_payload(&NoContents).expect("payload") {
        let PayloadId::Contents(digest) = payload.id() else {
            panic!("only contents travel");
        };
        let data = payload.read_to_vec().expect("payload reads");
        let disk = &built.contents[&digest];
        assert_eq!(data, fs::read(disk).expect("destdir file"));
        seen.insert(digest);
    }
    assert_eq!(seen.len(), 4);
    assert_eq!(reader.finish().expect("finish"), changeset);
}

#[test]
fn a_repository_accepts_the_changeset() {
    let destdir = sample();
    let packaged = destdir.packaged(&[]);
    let info = TroveInfo {
        source_name: Some("hello:source".parse().expect("name")),
        build_time: Some(1_700_000_000),
        ..TroveInfo::default()
    };
    let built = packaged
        .to_troves("hello", &version(), &Default::default(), &info)
        .expect("troves");
    let bytes = built.write_changeset(Vec::new()).expect("write");
    let dir = tempfile::tempdir().expect("repository directory");
    let repository =
        conary_repository::Repository::init(dir.path(), "conary.example.com").expect("init");
    repository.add_user("root", "secret", true).expect("user");
    let root = repository
        .authenticate(&conary_repository::Credentials::Basic {
            user: "root".into(),
            password: "secret".into(),
        })
        .expect("root");
    let result = repository
        .commit(ChangeSetReader::new(&bytes[..]).expect("reader"), &root)
        .expect("commit");
    assert_eq!(result.committed.len(), 5);
}
