//! Unit tests of the importer over small packages built in memory.

use std::io::{self, Read};

use conary_core::digest::Digest;
use conary_core::files::FileKind;
use conary_core::version::Label;
use proptest::prelude::*;

use super::*;
use crate::deb::ComponentSuffix;
use crate::deb::test_support::{CONTROL, TarBuilder, control_tar, deb, sample_data};

fn label() -> Label {
    "deb.example.com@debian:test".parse().expect("label")
}

fn import_bytes(bytes: &[u8], sink: &mut dyn ContentSink) -> Result<ImportedPackage, ImportError> {
    import_deb(bytes, &label(), &ImportOptions::default(), sink)
}

fn sample(extra: &[(&str, &[u8])]) -> Vec<u8> {
    deb(&control_tar(CONTROL, extra), &sample_data())
}

#[test]
fn sample_package() {
    let bytes = sample(&[
        ("conffiles", b"/etc/hello.conf\n"),
        ("postinst", b"#!/bin/sh\nexit 0\n"),
    ]);
    let mut sink = MemorySink::new();
    let imported = import_bytes(&bytes, &mut sink).expect("imports");
    assert_eq!(imported.deb_name(), "hello");
    assert_eq!(
        imported.tuple().to_string(),
        "hello=/deb.example.com@debian:test/1;2.10_3-1-1[is: x86_64]"
    );
    let names: Vec<String> = imported.troves().map(|t| t.name.to_string()).collect();
    assert_eq!(names, ["hello", "hello:runtime", "hello:config"]);
    let paths: Vec<&str> = imported.files().keys().map(String::as_str).collect();
    assert_eq!(
        paths,
        [
            "/etc",
            "/etc/hello.conf",
            "/usr",
            "/usr/bin",
            "/usr/bin/hello",
            "/usr/bin/hey",
            "/usr/bin/hi"
        ]
    );
    // Directories follow the first file below them.
    let component = |path: &str| imported.file(path).expect(path).component;
    assert_eq!(component("/etc"), ComponentSuffix::Config);
    assert_eq!(component("/usr"), ComponentSuffix::Runtime);

    let hello = &imported.file("/usr/bin/hello").expect("hello").stream;
    assert!(hello.mode.is_setuid());
    let hi = &imported.file("/usr/bin/hi").expect("hi").stream;
    assert_eq!(hello.content_digest(), hi.content_digest());
    assert_eq!(hello.size(), hi.size());
    assert_eq!(
        hello.link_group(),
        Some(link_group_for("hello", "/usr/bin/hello"))
    );
    assert_eq!(hello.link_group(), hi.link_group());
    let hey = &imported.file("/usr/bin/hey").expect("hey").stream;
    assert_eq!(hey.symlink_target(), Some("hello"));
    assert!(
        imported
            .file("/etc/hello.conf")
            .expect("conf")
            .stream
            .flags
            .is_config()
    );
    assert!(!hello.flags.is_config());

    // Contents went to the sink, once per digest.
    assert_eq!(imported.contents().len(), 2);
    assert_eq!(sink.len(), 2);
    let digest = hello.content_digest().expect("regular");
    assert_eq!(sink.get(&digest), Some(&b"#!/bin/sh\necho hello\n"[..]));

    // The package trove: references, dependencies, info.
    let package = imported.package();
    let refs: Vec<(String, bool)> = package
        .iter_strong_refs()
        .map(|(tuple, by_default)| (tuple.name.to_string(), by_default))
        .collect();
    assert_eq!(
        refs,
        [
            ("hello:config".to_owned(), true),
            ("hello:runtime".to_owned(), true)
        ]
    );
    assert!(package.files.is_empty());
    assert_eq!(package.provides.to_string(), "deb: hello(=1:2.10-3)");
    assert_eq!(package.requires.to_string(), "deb: libc6(>=2.34)");
    assert_eq!(
        package.info.source_name.as_ref().map(ToString::to_string),
        Some("hello:source".to_owned())
    );
    assert_eq!(package.info.build_time, Some(1_700_000_000));
    // 21 bytes of hello (its hard link counts once) and 12 of hello.conf.
    assert_eq!(package.info.size, Some(33));
    assert!(package.info.flags.is_collection());
    let capsule = package.info.capsule.as_ref().expect("capsule");
    assert_eq!(capsule.kind, "deb");
    assert_eq!(
        capsule.entries.get("field:Version").map(String::as_str),
        Some("1:2.10-3")
    );
    assert_eq!(
        capsule_member(capsule, "postinst"),
        Some(b"#!/bin/sh\nexit 0\n".to_vec())
    );
    assert_eq!(
        capsule_member(capsule, "conffiles"),
        Some(b"/etc/hello.conf\n".to_vec())
    );
    assert!(
        package.info.scripts.scripts.is_empty(),
        "scripts are not run"
    );

    let runtime = imported
        .component(ComponentSuffix::Runtime)
        .expect("runtime");
    assert_eq!(runtime.provides.to_string(), "trove: hello:runtime");
    assert!(runtime.requires.is_empty());
    assert_eq!(runtime.files.len(), 5);
    assert_eq!(runtime.info.size, Some(21));
    assert!(runtime.info.capsule.is_none());
    for (path_id, file) in runtime.iter_files() {
        let imported_file = imported.file(&file.path).expect("file of the trove");
        assert_eq!(*path_id, imported_file.path_id);
        assert_eq!(*path_id, path_id_for("hello", &file.path));
        assert_eq!(file.file_id, imported_file.stream.file_id());
        assert_eq!(file.file_version, runtime.version);
    }
    let streams = imported.streams();
    for trove in imported.troves() {
        for file in trove.files.values() {
            assert!(streams.contains_key(&file.file_id), "{}", file.path);
        }
    }
}

#[test]
fn import_is_deterministic() {
    let bytes = sample(&[]);
    let first = import_bytes(&bytes, &mut DigestOnlySink).expect("imports");
    let second = import_bytes(&bytes, &mut MemorySink::new()).expect("imports");
    assert_eq!(first, second);
    let digests = |imported: &ImportedPackage| -> Vec<Digest> {
        imported.troves().map(|trove| trove.digest()).collect()
    };
    assert_eq!(digests(&first), digests(&second));
}

#[test]
fn refuses_from_the_control_file_before_storing() {
    let cases: &[(&str, &str)] = &[
        (
            "Package: hello\nVersion: 1.0\nArchitecture: mips\n",
            "unsupported architecture 'mips'",
        ),
        (
            "Package: group-hello\nVersion: 1.0\nArchitecture: all\n",
            "debian package 'group-hello' cannot be imported: its name would make it a group trove",
        ),
        (
            "Package: hello\nVersion: 1.0\nArchitecture: all\nProvides: a | b\n",
            "invalid Provides field 'a | b': alternatives are not allowed",
        ),
        (
            "Package: hello\nVersion: 1.0\nArchitecture: all\nDepends: a (>= 1\n",
            "invalid Depends field",
        ),
        (
            "Package: hello\nVersion: 1.0\n",
            "control file has no Architecture field",
        ),
    ];
    for (control, message) in cases {
        let bytes = deb(&control_tar(control, &[]), &sample_data());
        let mut sink = MemorySink::new();
        let err = import_bytes(&bytes, &mut sink).expect_err(control);
        assert!(err.to_string().starts_with(message), "{control}: {err}");
        assert!(sink.is_empty(), "{control}");
    }
}

#[test]
fn metapackage_and_directories() {
    let control = "Package: meta\nVersion: 2\nArchitecture: all\nDepends: hello\n";
    let empty = TarBuilder::new().dir("./").finish();
    let imported = import_bytes(
        &deb(&control_tar(control, &[]), &empty),
        &mut DigestOnlySink,
    )
    .expect("meta");
    assert!(imported.components().is_empty());
    assert!(imported.package().strong_refs.is_empty());
    assert!(imported.package().flavor.is_empty());
    assert_eq!(imported.package().info.build_time, Some(1_700_000_000));

    let data = TarBuilder::new()
        .dir("./")
        .dir("./var/")
        .dir("./var/lib/")
        .dir("./var/lib/meta/")
        .dir("./usr/")
        .dir("./usr/lib/")
        .dir("./usr/lib/x86_64-linux-gnu/")
        .file("./usr/lib/x86_64-linux-gnu/libmeta.so.1", 0o644, b"\x7fELF")
        .dir("./usr/share/")
        .dir("./usr/share/doc/")
        .dir("./usr/share/doc/meta/")
        .file("./usr/share/doc/meta/copyright", 0o644, b"free\n")
        .finish();
    let imported =
        import_bytes(&deb(&control_tar(control, &[]), &data), &mut DigestOnlySink).expect("dirs");
    let component = |path: &str| imported.file(path).expect(path).component;
    assert_eq!(component("/usr"), ComponentSuffix::Lib);
    assert_eq!(component("/usr/lib/x86_64-linux-gnu"), ComponentSuffix::Lib);
    assert_eq!(component("/usr/share"), ComponentSuffix::Doc);
    assert_eq!(component("/var/lib/meta"), ComponentSuffix::Runtime);
    let suffixes: Vec<ComponentSuffix> = imported.components().keys().copied().collect();
    assert_eq!(
        suffixes,
        [
            ComponentSuffix::Runtime,
            ComponentSuffix::Lib,
            ComponentSuffix::Doc
        ]
    );
}

#[test]
fn devices_fifos_and_owners() {
    let data = TarBuilder::new()
        .dir("./")
        .with_header(
            |header| {
                header.set_path("./dev/null").expect("path");
                header.set_entry_type(tar::EntryType::Char);
                header.set_device_major(1).expect("major");
                header.set_device_minor(3).expect("minor");
                header.set_mode(0o666);
            },
            b"",
        )
        .with_header(
            |header| {
                header.set_path("./run/fifo").expect("path");
                header.set_entry_type(tar::EntryType::Fifo);
                header.set_mode(0o600);
                header.set_uid(33);
                header.set_gid(0);
            },
            b"",
        )
        .finish();
    let control = "Package: dev\nVersion: 1\nArchitecture: all\n";
    let imported =
        import_bytes(&deb(&control_tar(control, &[]), &data), &mut DigestOnlySink).expect("dev");
    let null = &imported.file("/dev/null").expect("null").stream;
    assert_eq!(null.kind, FileKind::CharDevice { major: 1, minor: 3 });
    assert_eq!(null.owner, "root");
    let fifo = &imported.file("/run/fifo").expect("fifo").stream;
    assert_eq!(fifo.kind, FileKind::Fifo);
    assert_eq!((fifo.owner.as_str(), fifo.group.as_str()), ("33", "root"));
    assert_eq!(fifo.mode.bits(), 0o600);
}

/// A sink that fails, or lies about what it stored.
enum BadSink {
    Fails,
    WrongDigest,
    ReadsNothing,
}

impl ContentSink for BadSink {
    fn put(&mut self, contents: &mut dyn Read) -> io::Result<Digest> {
        match self {
            BadSink::Fails => Err(io::Error::other("disk full")),
            BadSink::WrongDigest => {
                io::copy(contents, &mut io::sink())?;
                Ok(Digest::of(b"something else"))
            }
            BadSink::ReadsNothing => Ok(Digest::of(b"")),
        }
    }
}

#[test]
fn sink_failures_are_reported() {
    let bytes = sample(&[]);
    let cases = [
        (
            BadSink::Fails,
            "cannot store the contents of '/usr/bin/hello': disk full",
        ),
        (
            BadSink::WrongDigest,
            "the content sink stored '/usr/bin/hello' as ",
        ),
        (
            BadSink::ReadsNothing,
            "the content sink read 0 of the 21 bytes of '/usr/bin/hello'",
        ),
    ];
    for (mut sink, message) in cases {
        let err = import_bytes(&bytes, &mut sink).expect_err(message);
        assert!(err.to_string().starts_with(message), "{err}");
    }
}

#[test]
fn store_sink_keeps_contents() {
    let store = conary_store::open_store("memory:").expect("memory store");
    let imported =
        import_bytes(&sample(&[]), &mut StoreSink::new(store.as_ref())).expect("imports");
    for digest in imported.contents() {
        let name = conary_store::Digest::from_bytes(*digest.as_bytes());
        assert!(store.contains(&name).expect("contains"), "{digest}");
    }
}

proptest! {
    #[test]
    fn import_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        fuzz_import(&bytes);
    }

    #[test]
    fn corrupted_sample_never_panics(index in 0usize..4096, byte in any::<u8>()) {
        let mut bytes = sample(&[("conffiles", b"/etc/hello.conf\n")]);
        let position = index % bytes.len().max(1);
        if let Some(slot) = bytes.get_mut(position) {
            *slot = byte;
        }
        if let Ok(imported) = import_bytes(&bytes, &mut DigestOnlySink) {
            // Whatever survives the corruption is still self-consistent.
            let streams = imported.streams();
            for trove in imported.troves() {
                for file in trove.files.values() {
                    prop_assert!(streams.contains_key(&file.file_id));
                }
            }
        }
    }
}

#[test]
fn sample_as_a_changeset() {
    let mut sink = MemorySink::new();
    let imported =
        import_bytes(&sample(&[("conffiles", b"/etc/hello.conf\n")]), &mut sink).expect("imports");
    let changeset = imported.to_changeset(&sink).expect("changeset");
    // Two hard-linked paths share their contents: two payloads for three
    // regular files.
    assert_eq!(changeset.payloads().count(), 2);
    assert_eq!(changeset.troves.len(), 3);
    let bytes = conary_changeset::write_changeset(Vec::new(), &changeset, &sink).expect("writes");
    let mut reader = conary_changeset::ChangeSetReader::new(&bytes[..]).expect("reads");
    while let Some(mut payload) = reader
        .next_payload(&conary_changeset::NoContents)
        .expect("payload")
    {
        payload.read_to_vec().expect("verified payload");
    }
    assert_eq!(reader.finish().expect("finish"), changeset);
    // Without the contents, building still works (nothing needs reading),
    // but writing cannot.
    let bare = imported
        .to_changeset(&conary_changeset::NoContents)
        .expect("changeset");
    assert_eq!(bare, changeset);
    assert!(
        conary_changeset::write_changeset(Vec::new(), &changeset, &conary_changeset::NoContents)
            .is_err()
    );
}
