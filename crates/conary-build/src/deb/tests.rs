//! Reader tests over small packages built in memory: the happy path, every
//! compression, and one hostile package per rejection.

use proptest::prelude::*;
use tar::EntryType;

use super::test_support::{
    CONTROL, TarBuilder, ar, compress, control_tar, deb, read_all, read_error, sample_data,
};
use super::*;

fn limits() -> DebLimits {
    DebLimits::default()
}

fn sample_deb() -> Vec<u8> {
    deb(
        &control_tar(
            CONTROL,
            &[
                ("conffiles", b"/etc/hello.conf\n"),
                ("postinst", b"#!/bin/sh\nexit 0\n"),
                (
                    "md5sums",
                    b"0123456789abcdef0123456789abcdef  usr/bin/hello\n",
                ),
            ],
        ),
        &sample_data(),
    )
}

#[test]
fn reads_a_small_package() {
    let (metadata, entries) = read_all(&sample_deb(), limits()).expect("valid package");
    assert_eq!(metadata.control().package().expect("package"), "hello");
    assert_eq!(
        metadata.control().version().expect("version").to_string(),
        "1:2.10-3"
    );
    assert!(metadata.is_conffile("/etc/hello.conf"));
    assert_eq!(
        metadata.maintainer_scripts().collect::<Vec<_>>(),
        [("postinst", &b"#!/bin/sh\nexit 0\n"[..])]
    );
    assert!(metadata.md5sums().contains_key("/usr/bin/hello"));
    let listing: Vec<String> = entries.iter().map(|(entry, _)| entry.to_string()).collect();
    assert_eq!(
        listing,
        [
            "drwxr-xr-x root/root 0 /",
            "drwxr-xr-x root/root 0 /usr",
            "drwxr-xr-x root/root 0 /usr/bin",
            "-rwsr-xr-x root/root 21 /usr/bin/hello",
            "-rw-r--r-- root/root 0 /usr/bin/hi link to /usr/bin/hello",
            "lrwxrwxrwx root/root 0 /usr/bin/hey -> hello",
            "drwxr-xr-x root/root 0 /etc",
            "-rw-r--r-- root/root 12 /etc/hello.conf",
        ]
    );
    let hello = entries
        .iter()
        .find(|(entry, _)| entry.path == "/usr/bin/hello")
        .expect("hello is listed");
    assert_eq!(hello.1, b"#!/bin/sh\necho hello\n");
    assert_eq!(hello.0.mode, 0o4755);
    assert_eq!(hello.0.mtime, 1_700_000_000);
    assert_eq!(hello.0.owner.name.as_deref(), Some("root"));
}

#[test]
fn reads_every_compression() {
    let compressions = [
        Compression::None,
        Compression::Gzip,
        Compression::Xz,
        Compression::Zstd,
        Compression::Bzip2,
        Compression::Lzma,
    ];
    for compression in compressions {
        let suffix = match compression {
            Compression::None => String::new(),
            other => format!(".{other}"),
        };
        let control_name = format!("control.tar{suffix}");
        let data_name = format!("data.tar{suffix}");
        let package = ar(&[
            ("debian-binary", b"2.0\n"),
            (
                &control_name,
                &compress(compression, &control_tar(CONTROL, &[])),
            ),
            (&data_name, &compress(compression, &sample_data())),
        ]);
        let (_, entries) = read_all(&package, limits())
            .unwrap_or_else(|err| panic!("{compression} package reads: {err}"));
        assert_eq!(entries.len(), 8, "{compression}");
    }
}

#[test]
fn devices_fifos_and_numeric_owners() {
    let data = TarBuilder::new()
        .with_header(
            |header| {
                header.set_path("./dev/null").expect("short path");
                header.set_entry_type(EntryType::Char);
                header.set_device_major(1).expect("gnu header");
                header.set_device_minor(3).expect("gnu header");
                header.set_mode(0o666);
                header.set_uid(33);
                header.set_gid(44);
            },
            b"",
        )
        .with_header(
            |header| {
                header.set_path("./dev/sda").expect("short path");
                header.set_entry_type(EntryType::Block);
                header.set_device_major(8).expect("gnu header");
                header.set_device_minor(0).expect("gnu header");
            },
            b"",
        )
        .with_header(
            |header| {
                header.set_path("./run/fifo").expect("short path");
                header.set_entry_type(EntryType::Fifo);
                header.set_mode(0o1640);
            },
            b"",
        )
        .finish();
    let (_, entries) =
        read_all(&deb(&control_tar(CONTROL, &[]), &data), limits()).expect("valid package");
    let listing: Vec<String> = entries.iter().map(|(entry, _)| entry.to_string()).collect();
    assert_eq!(
        listing,
        [
            "crw-rw-rw- 33/44 0 /dev/null",
            "brw-r--r-- 0/0 0 /dev/sda",
            "prw-r----T 0/0 0 /run/fifo",
        ]
    );
    assert_eq!(
        entries.first().map(|(entry, _)| entry.kind.clone()),
        Some(DebEntryKind::CharDevice { major: 1, minor: 3 })
    );
}

#[test]
fn skips_underscore_members() {
    let package = ar(&[
        ("debian-binary", b"2.0\n"),
        ("_gpgbuilder", b"sig"),
        ("control.tar", &control_tar(CONTROL, &[])),
        ("data.tar", &sample_data()),
        ("_gpgorigin", b"signature"),
    ]);
    assert_eq!(read_error(&package, limits()), "no error");
}

/// One hostile package per rejection, with the exact message.
#[test]
fn rejects_hostile_packages() {
    let control = control_tar(CONTROL, &[]);
    let data = sample_data();
    let with_data = |data: Vec<u8>| deb(&control, &data);
    let with_control = |control: Vec<u8>| deb(&control, &sample_data());
    let mut truncated = sample_deb();
    truncated.truncate(truncated.len() - 700);
    let xz_package = ar(&[
        ("debian-binary", b"2.0\n"),
        ("control.tar.xz", &compress(Compression::Xz, &control)),
        ("data.tar.xz", &compress(Compression::Xz, &data)),
    ]);
    let mut truncated_xz = xz_package.clone();
    truncated_xz.truncate(truncated_xz.len() - 20);
    let mut corrupt_xz = xz_package.clone();
    let corrupt_at = corrupt_xz.len() - 40;
    corrupt_xz[corrupt_at] ^= 0xff;
    let mut bad_checksum = sample_data();
    bad_checksum[600] ^= 0x01;
    let big = vec![b'a'; 2 << 20];
    let long_path_message = format!(
        "unsafe path '.{}...' in data.tar: path is too long",
        &"/abcdefghi".repeat(20)[..199]
    );

    let cases: Vec<(&str, Vec<u8>, DebLimits, &str)> = vec![
        (
            "empty input",
            Vec::new(),
            limits(),
            "not a debian package: missing ar magic '!<arch>'",
        ),
        (
            "wrong magic",
            b"PK\x03\x04 not an ar file".to_vec(),
            limits(),
            "not a debian package: missing ar magic '!<arch>'",
        ),
        (
            "magic only",
            b"!<arch>\n".to_vec(),
            limits(),
            "missing member debian-binary",
        ),
        (
            "cut header",
            b"!<arch>\ndebian-binary   0".to_vec(),
            limits(),
            "truncated package: ar member header at offset 8 ends early",
        ),
        (
            "bad ar size",
            b"!<arch>\ndebian-binary   0           0     0     100644  4x        `\n2.0\n".to_vec(),
            limits(),
            "invalid ar member header at offset 8: member size '4x        ' is not a decimal number",
        ),
        (
            "format 3.0",
            ar(&[("debian-binary", b"3.0\n")]),
            limits(),
            "unsupported package format in debian-binary: '3.0\\n' (expected '2.0')",
        ),
        (
            "debian-binary too big",
            ar(&[("debian-binary", &[b'2'; 100])]),
            limits(),
            "member size in debian-binary exceeds the limit of 64",
        ),
        (
            "control first",
            ar(&[("control.tar", &control)]),
            limits(),
            "unexpected member 'control.tar': the first member must be debian-binary",
        ),
        (
            "no control",
            ar(&[("debian-binary", b"2.0\n")]),
            limits(),
            "missing member control.tar.*",
        ),
        (
            "no data",
            ar(&[("debian-binary", b"2.0\n"), ("control.tar", &control)]),
            limits(),
            "missing member data.tar.*",
        ),
        (
            "data before control",
            ar(&[("debian-binary", b"2.0\n"), ("data.tar", &data)]),
            limits(),
            "unexpected member 'data.tar': expected control.tar.* after debian-binary",
        ),
        (
            "unknown compression",
            ar(&[
                ("debian-binary", b"2.0\n"),
                ("control.tar", &control),
                ("data.tar.lz4", &data),
            ]),
            limits(),
            "unknown compression in member 'data.tar.lz4'",
        ),
        (
            "member after data",
            ar(&[
                ("debian-binary", b"2.0\n"),
                ("control.tar", &control),
                ("data.tar", &data),
                ("evil", b"x"),
            ]),
            limits(),
            "unexpected member 'evil': only members starting with '_' may follow data.tar",
        ),
        (
            "truncated data",
            truncated,
            limits(),
            "truncated package: data.tar ends early",
        ),
        (
            "truncated xz",
            truncated_xz,
            limits(),
            "truncated package: data.tar.xz ends early",
        ),
        (
            "corrupt xz",
            corrupt_xz,
            limits(),
            "cannot decompress data.tar.xz: ",
        ),
        (
            "bad tar checksum",
            with_data(bad_checksum),
            limits(),
            "invalid tar stream in data.tar: archive header checksum mismatch",
        ),
        (
            "dot-dot",
            with_data(
                TarBuilder::new()
                    .file("./../etc/passwd", 0o644, b"x")
                    .finish(),
            ),
            limits(),
            "unsafe path './../etc/passwd' in data.tar: path contains '..'",
        ),
        (
            "inner dot-dot",
            with_data(
                TarBuilder::new()
                    .file("./usr/../../x", 0o644, b"x")
                    .finish(),
            ),
            limits(),
            "unsafe path './usr/../../x' in data.tar: path contains '..'",
        ),
        (
            "absolute",
            with_data(TarBuilder::new().file("/etc/passwd", 0o644, b"x").finish()),
            limits(),
            "unsafe path '/etc/passwd' in data.tar: absolute path in archive",
        ),
        (
            "nul in pax path",
            with_data(TarBuilder::new().pax_file(b"./etc/a\0b", b"x").finish()),
            limits(),
            "unsafe path './etc/a\\u{0}b' in data.tar: path contains NUL",
        ),
        (
            "newline",
            with_data(TarBuilder::new().file("./etc/a\nb", 0o644, b"x").finish()),
            limits(),
            "unsafe path './etc/a\\nb' in data.tar: path contains a newline",
        ),
        (
            "duplicate",
            with_data(
                TarBuilder::new()
                    .file("./etc/x", 0o644, b"1")
                    .file("etc//x", 0o644, b"2")
                    .finish(),
            ),
            limits(),
            "duplicate path '/etc/x' in data.tar",
        ),
        (
            "hardlink to unseen",
            with_data(
                TarBuilder::new()
                    .hardlink("./usr/bin/a", "./usr/bin/b")
                    .file("./usr/bin/b", 0o755, b"x")
                    .finish(),
            ),
            limits(),
            "hardlink '/usr/bin/a' in data.tar points to './usr/bin/b', which is not an earlier regular file of the package",
        ),
        (
            "hardlink to directory",
            with_data(
                TarBuilder::new()
                    .dir("./usr/")
                    .hardlink("./a", "./usr/")
                    .finish(),
            ),
            limits(),
            "hardlink '/a' in data.tar points to './usr/', which is not an earlier regular file of the package",
        ),
        (
            "hardlink outside",
            with_data(TarBuilder::new().hardlink("./a", "/etc/shadow").finish()),
            limits(),
            "unsafe path '/etc/shadow' in data.tar: absolute path in archive",
        ),
        (
            "hardlink dot-dot",
            with_data(TarBuilder::new().hardlink("./a", "../x").finish()),
            limits(),
            "unsafe path '../x' in data.tar: path contains '..'",
        ),
        (
            "empty symlink",
            with_data(TarBuilder::new().symlink("./a", "").finish()),
            limits(),
            "invalid symlink target of '/a' in data.tar: empty",
        ),
        (
            "sparse entry",
            with_data(
                TarBuilder::new()
                    .raw(b"./x", EntryType::new(b'V'), 0o644, b"", b"")
                    .finish(),
            ),
            limits(),
            "unsupported entry type 'V' for '/x' in data.tar",
        ),
        (
            "too many entries",
            with_data(sample_data()),
            DebLimits {
                max_entries: 3,
                ..limits()
            },
            "number of entries in data.tar exceeds the limit of 3",
        ),
        (
            "long path",
            with_data(
                TarBuilder::new()
                    .long_file(&format!("./{}", "abcdefghi/".repeat(500)), b"x")
                    .finish(),
            ),
            limits(),
            &long_path_message,
        ),
        (
            "big file",
            with_data(sample_data()),
            DebLimits {
                max_entry_size: 10,
                ..limits()
            },
            "file size in data.tar '/usr/bin/hello' exceeds the limit of 10",
        ),
        (
            "lying size",
            with_data(
                TarBuilder::new()
                    .with_header(
                        |header| {
                            header.set_path("./big").expect("short path");
                            header.set_size(1 << 30);
                        },
                        b"tiny",
                    )
                    .finish(),
            ),
            limits(),
            "truncated package: data.tar ends early",
        ),
        (
            "long name bomb",
            with_data(
                TarBuilder::new()
                    .raw(b"././@LongLink", EntryType::GNULongName, 0o644, b"", &big)
                    .finish(),
            ),
            limits(),
            "tar headers of one entry in data.tar exceeds the limit of 1048576",
        ),
        (
            "control too big",
            with_control(control_tar(CONTROL, &[("templates", &big)])),
            DebLimits {
                max_control_size: 1 << 20,
                ..limits()
            },
            "decompressed control archive in control.tar exceeds the limit of 1048576",
        ),
        (
            "control subdir",
            with_control(control_tar(CONTROL, &[("sub/x", b"x")])),
            limits(),
            "invalid control member './sub/x': control archive members must not be in a subdirectory",
        ),
        (
            "control symlink",
            with_control(
                TarBuilder::new()
                    .file("./control", 0o644, CONTROL.as_bytes())
                    .symlink("./postinst", "/bin/sh")
                    .finish(),
            ),
            limits(),
            "invalid control member './postinst': not a regular file",
        ),
        (
            "control twice",
            with_control(
                TarBuilder::new()
                    .file("./control", 0o644, CONTROL.as_bytes())
                    .file("control", 0o644, CONTROL.as_bytes())
                    .finish(),
            ),
            limits(),
            "invalid control member 'control': appears twice",
        ),
        (
            "control traversal",
            with_control(
                TarBuilder::new()
                    .file("../control", 0o644, CONTROL.as_bytes())
                    .finish(),
            ),
            limits(),
            "invalid control member '../control': path contains '..'",
        ),
        (
            "no control file",
            with_control(TarBuilder::new().file("./postinst", 0o755, b"x").finish()),
            limits(),
            "missing member control",
        ),
        (
            "bad control",
            with_control(control_tar("Package: a\nnonsense\n", &[])),
            limits(),
            "invalid control file line 2: 'nonsense' is not a field (missing ':')",
        ),
        (
            "bad version",
            with_control(control_tar("Package: a\nVersion: 1_0\n", &[])),
            limits(),
            "invalid Debian version '1_0': character '_' not allowed in upstream version",
        ),
        (
            "latin-1 control",
            with_control(
                control_tar("Package: a\nVersion: 1\nMaintainer: J\u{e9}\n", &[])
                    .into_iter()
                    .map(|byte| if byte == 0xc3 { 0xe9 } else { byte })
                    .collect(),
            ),
            limits(),
            "invalid control member 'control': not valid UTF-8 (invalid utf-8 sequence of 2 bytes from index 35)",
        ),
        (
            "bad conffiles",
            with_control(control_tar(CONTROL, &[("conffiles", b"etc/x\n")])),
            limits(),
            "invalid conffiles line 1: 'etc/x' is not an absolute path",
        ),
    ];
    for (name, package, case_limits, expected) in cases {
        let message = read_error(&package, case_limits);
        assert!(
            message.starts_with(expected) && message != "no error",
            "{name}: got '{message}', expected '{expected}'"
        );
        assert!(!message.contains('\n'), "{name}: message has a newline");
    }
}

#[test]
fn visitor_errors_pass_through() {
    let package = sample_deb();
    let reader = DebReader::new(&package[..]).expect("valid package");
    let result = reader.for_each_entry(|entry, _| {
        if entry.path == "/usr/bin/hello" {
            Err(DebError::MissingField { field: "stop" })
        } else {
            Ok(())
        }
    });
    assert_eq!(
        result.expect_err("visitor stops").to_string(),
        "control file has no stop field"
    );
}

#[test]
fn stream_failure_wins_over_visitor_error() {
    let data = TarBuilder::new()
        .with_header(
            |header| {
                header.set_path("./big").expect("short path");
                header.set_size(10_000);
            },
            b"",
        )
        .finish();
    let mut package = deb(&control_tar(CONTROL, &[]), &data);
    // Cut the archive inside the file's contents.
    package.truncate(package.len() - 1024 + 600);
    let reader = DebReader::new(&package[..]).expect("metadata is intact");
    let result = reader.for_each_entry(|_, contents| {
        std::io::copy(contents, &mut std::io::sink())
            .map_err(|_| DebError::MissingField { field: "visitor" })?;
        Ok::<(), DebError>(())
    });
    assert_eq!(
        result.expect_err("truncated").to_string(),
        "truncated package: data.tar ends early"
    );
}

#[test]
fn data_of_non_regular_entries_is_skipped() {
    let data = TarBuilder::new()
        .raw(b"./dir/", EntryType::Directory, 0o755, b"", b"stray data")
        .file("./dir/file", 0o644, b"contents")
        .finish();
    let (_, entries) =
        read_all(&deb(&control_tar(CONTROL, &[]), &data), limits()).expect("valid package");
    let sizes: Vec<(String, u64, Vec<u8>)> = entries
        .into_iter()
        .map(|(entry, contents)| (entry.path, entry.size, contents))
        .collect();
    assert_eq!(
        sizes,
        [
            ("/dir".to_owned(), 0, Vec::new()),
            ("/dir/file".to_owned(), 8, b"contents".to_vec())
        ]
    );
}

/// The sample package with both tar members compressed.
fn compressed_deb(compression: Compression) -> Vec<u8> {
    let control_name = format!("control.tar.{compression}");
    let data_name = format!("data.tar.{compression}");
    ar(&[
        ("debian-binary", b"2.0\n"),
        (
            &control_name,
            &compress(compression, &control_tar(CONTROL, &[])),
        ),
        (&data_name, &compress(compression, &sample_data())),
    ])
}

#[test]
fn fuzz_read_accepts_anything() {
    fuzz_read(b"");
    fuzz_read(&sample_deb());
    fuzz_read(&sample_deb()[..100]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn mutated_packages_never_panic(
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
        cut in any::<usize>(),
    ) {
        let mut package = sample_deb();
        for (position, value) in flips {
            let index = position % package.len();
            package[index] = value;
        }
        package.truncate(cut % (package.len() + 1));
        fuzz_read(&package);
    }

    #[test]
    fn mutated_compressed_packages_never_panic(
        which in 0usize..5,
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..4),
        cut in any::<usize>(),
    ) {
        let compressions = [
            Compression::Gzip,
            Compression::Xz,
            Compression::Zstd,
            Compression::Bzip2,
            Compression::Lzma,
        ];
        let mut package = compressed_deb(compressions[which]);
        for (position, value) in flips {
            let index = position % package.len();
            package[index] = value;
        }
        package.truncate(cut % (package.len() + 1));
        fuzz_read(&package);
    }

    #[test]
    fn random_bytes_never_panic(mut bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        fuzz_read(&bytes);
        let mut prefixed = b"!<arch>\n".to_vec();
        prefixed.append(&mut bytes);
        fuzz_read(&prefixed);
    }
}
