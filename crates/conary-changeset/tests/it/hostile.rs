//! Hostile changesets: each is refused with a clear one-line error, before
//! any payload is handed out when the index is at fault.

use std::io::Read;

use conary_changeset::{
    ChangeSet, ChangeSetError, ChangeSetReader, ChangeSetWriter, ContentKind, Contents,
    MemContents, NoContents, TextDiff, TextDiffKey, TroveChange, encode_index,
};
use conary_core::digest::PathId;
use conary_core::files::{FileKind, FileStream};

use crate::fixtures::{
    digest, frame, noise, read_all, regular, streams, symlink, trove, tuple, version, write, zstd,
};

/// A change made to a valid value to make it hostile.
type Edit<T> = Box<dyn Fn(&mut T)>;

const TROVE: &str = "foo:runtime=/conary.example.com@plat:1/1.0-1-1[]";

/// A valid absolute changeset of one file, `/usr/bin/foo`, with its contents.
fn valid() -> (ChangeSet, MemContents, FileStream) {
    let mut contents = MemContents::new();
    let stream = regular(&mut contents, b"#!/bin/sh\necho foo\n");
    let new = trove(
        "foo:runtime",
        &version("1.0-1-1", 1),
        &[("/usr/bin/foo", &stream)],
    );
    let mut changeset = ChangeSet::default();
    changeset.add_stream(stream.clone());
    changeset.contents.insert(
        stream.content_digest().expect("regular"),
        Contents {
            size: 19,
            kind: ContentKind::Full,
        },
    );
    changeset.add_trove(TroveChange::absolute(new));
    (changeset, contents, stream)
}

/// The only trove of `changeset`, to be edited.
fn only_trove(changeset: &mut ChangeSet) -> &mut conary_core::trove::Trove {
    &mut changeset.troves.values_mut().next().expect("one trove").new
}

/// Index bytes followed by the payloads a correct writer would add.
fn bytes_of(changeset: &ChangeSet, contents: &MemContents) -> Vec<u8> {
    let mut bytes = encode_index(changeset);
    for id in changeset.payloads() {
        if let conary_changeset::PayloadId::Contents(d) = id {
            bytes.extend(frame(&zstd(contents.get(&d).unwrap_or_default())));
        }
    }
    bytes
}

/// The error reading the whole of `bytes` (index, payloads, end).
fn refusal(bytes: &[u8]) -> ChangeSetError {
    read_all(bytes, &NoContents).expect_err("hostile changeset accepted")
}

/// The error opening `changeset` (its index is at fault); the writer
/// refuses it the same way.
fn index_refusal(changeset: &ChangeSet, contents: &MemContents) -> String {
    let error = ChangeSetReader::new(&bytes_of(changeset, contents)[..]).expect_err("accepted");
    let writer_error = ChangeSetWriter::new(Vec::new(), changeset).expect_err("written");
    assert_eq!(error.to_string(), writer_error.to_string());
    error.to_string()
}

fn with_path(path: &str) -> String {
    let (mut changeset, contents, _) = valid();
    let trove = only_trove(&mut changeset);
    let file = trove.files.values_mut().next().expect("one file");
    file.path = path.to_owned();
    index_refusal(&changeset, &contents)
}

#[test]
fn the_valid_case_is_accepted() {
    let (changeset, contents, _) = valid();
    let (read, _) = read_all(&bytes_of(&changeset, &contents), &NoContents).expect("valid");
    assert_eq!(read, changeset);
}

#[test]
fn unsafe_paths_are_refused() {
    let cases: &[(&str, &str)] = &[
        ("/usr/../etc/shadow", "it contains a '..' component"),
        ("/..", "it contains a '..' component"),
        ("etc/shadow", "it does not start with '/'"),
        ("//etc/shadow", "it is absolute (starts with '/')"),
        ("/etc/sha\0dow", "it contains a NUL byte"),
        ("/usr/./bin", "it contains a '.' component"),
        (
            "/usr//bin",
            "it contains an empty component ('//' or a trailing '/')",
        ),
        (
            "/usr/bin/",
            "it contains an empty component ('//' or a trailing '/')",
        ),
        ("/", "it is empty"),
        ("", "it does not start with '/'"),
    ];
    for (path, reason) in cases {
        let expected = format!(
            "unsafe path '{}' in trove {TROVE}: {reason}",
            path.escape_debug()
        );
        assert_eq!(with_path(path), expected, "path {path:?}");
    }
    let long = format!("/{}", "a/".repeat(2100));
    assert!(with_path(&long).ends_with("longer than 4096 bytes"));
    let long_component = format!("/{}", "x".repeat(300));
    assert!(with_path(&long_component).ends_with("a component is longer than 255 bytes"));
}

#[test]
fn duplicate_paths_are_refused() {
    let (mut changeset, contents, stream) = valid();
    let version = version("1.0-1-1", 1);
    only_trove(&mut changeset).add_file(
        PathId::derive(b"another slot"),
        "/usr/bin/foo",
        stream.file_id(),
        version,
    );
    assert_eq!(
        index_refusal(&changeset, &contents),
        format!("duplicate path '/usr/bin/foo' in trove {TROVE}")
    );
}

#[test]
fn missing_streams_and_contents_are_refused() {
    let (mut changeset, contents, stream) = valid();
    changeset.files.clear();
    changeset.contents.clear();
    assert_eq!(
        index_refusal(&changeset, &contents),
        format!(
            "missing file stream {} for '/usr/bin/foo' in trove {TROVE}",
            stream.file_id()
        )
    );

    let (mut changeset, contents, stream) = valid();
    changeset.contents.clear();
    assert_eq!(
        index_refusal(&changeset, &contents),
        format!(
            "missing contents {} for '/usr/bin/foo' in trove {TROVE}",
            stream.content_digest().expect("regular")
        )
    );
}

#[test]
fn orphans_and_inconsistencies_are_refused() {
    let (mut changeset, contents, _) = valid();
    let stray = digest(b"stray");
    changeset.contents.insert(
        stray,
        Contents {
            size: 5,
            kind: ContentKind::Full,
        },
    );
    assert_eq!(
        index_refusal(&changeset, &contents),
        format!("inconsistent changeset: contents {stray} are not used by any file")
    );

    let (mut changeset, contents, _) = valid();
    let orphan = changeset.add_stream(symlink("elsewhere"));
    assert_eq!(
        index_refusal(&changeset, &contents),
        format!("inconsistent changeset: file stream {orphan} is not used by any trove")
    );

    let (mut changeset, contents, stream) = valid();
    let digest = stream.content_digest().expect("regular");
    changeset.contents.insert(
        digest,
        Contents {
            size: 20,
            kind: ContentKind::Full,
        },
    );
    assert_eq!(
        index_refusal(&changeset, &contents),
        format!(
            "inconsistent changeset: contents {digest} are 20 bytes, but '/usr/bin/foo' in trove {TROVE} has 19"
        )
    );

    let (mut changeset, contents, stream) = valid();
    let digest = stream.content_digest().expect("regular");
    let key = TextDiffKey {
        target: digest,
        base: crate::fixtures::digest(b"old"),
    };
    changeset.text_diffs.insert(key, TextDiff::of("-a\n+b\n"));
    assert!(
        index_refusal(&changeset, &contents)
            .ends_with("does not lead to the contents of a config file")
    );

    let (mut changeset, contents, stream) = valid();
    let digest = stream.content_digest().expect("regular");
    changeset.contents.insert(
        digest,
        Contents {
            size: 19,
            kind: ContentKind::Delta { base: digest },
        },
    );
    assert!(index_refusal(&changeset, &contents).ends_with("are a delta against themselves"));
}

#[test]
fn contradicting_trove_changes_are_refused() {
    let cases: Vec<(Edit<ChangeSet>, &str)> = vec![
        (
            Box::new(|changeset| {
                changeset
                    .primary
                    .insert(tuple("bar=/conary.example.com@plat:1/1-1-1[]"));
            }),
            "primary trove bar=/conary.example.com@plat:1/1-1-1[] is not in the changeset",
        ),
        (
            Box::new(|changeset| {
                changeset.erased.insert(tuple(TROVE));
            }),
            "is both installed and erased",
        ),
        (
            Box::new(|changeset| {
                let change = changeset.troves.values_mut().next().expect("one");
                change.old = Some(tuple("bar:runtime=/conary.example.com@plat:1/0.9-1-1[]"));
            }),
            "changes the trove name",
        ),
        (
            Box::new(|changeset| {
                let change = changeset.troves.values_mut().next().expect("one");
                change.old = Some(tuple(TROVE));
            }),
            "relative change of foo:runtime=/conary.example.com@plat:1/1.0-1-1[] to itself",
        ),
    ];
    for (edit, message) in cases {
        let (mut changeset, contents, _) = valid();
        edit(&mut changeset);
        let error = index_refusal(&changeset, &contents);
        assert!(error.starts_with("inconsistent changeset: "), "{error}");
        assert!(error.contains(message), "{error}");
    }
}

#[test]
fn names_that_reach_the_file_system_are_checked() {
    let edits: Vec<(Edit<FileStream>, &str)> = vec![
        (
            Box::new(|s| s.owner = "../root".into()),
            "owner of '/usr/bin/foo'",
        ),
        (
            Box::new(|s| s.group = String::new()),
            "group of '/usr/bin/foo'",
        ),
        (
            Box::new(|s| {
                s.tags.insert("../../bin/sh".into());
            }),
            "'../../bin/sh' is not a tag name",
        ),
        (
            Box::new(|s| {
                s.kind = FileKind::Symlink {
                    target: "a\0b".into(),
                }
            }),
            "the symlink target of '/usr/bin/foo'",
        ),
    ];
    for (edit, message) in edits {
        let (mut changeset, mut contents, mut stream) = valid();
        edit(&mut stream);
        changeset.files.clear();
        let file_id = changeset.add_stream(stream.clone());
        only_trove(&mut changeset)
            .files
            .values_mut()
            .for_each(|f| f.file_id = file_id);
        if stream.content_digest().is_none() {
            changeset.contents.clear();
            contents = MemContents::new();
        }
        let error = index_refusal(&changeset, &contents);
        assert!(error.contains(message), "{error}");
    }
}

#[test]
fn absurd_sizes_are_refused() {
    let (mut changeset, contents, stream) = valid();
    let digest = stream.content_digest().expect("regular");
    let mut huge = stream.clone();
    huge.kind = FileKind::Regular {
        size: 1 << 40,
        digest,
        link_group: None,
    };
    changeset.files.clear();
    let file_id = changeset.add_stream(huge);
    only_trove(&mut changeset)
        .files
        .values_mut()
        .for_each(|f| f.file_id = file_id);
    changeset.contents.insert(
        digest,
        Contents {
            size: 1 << 40,
            kind: ContentKind::Full,
        },
    );
    assert_eq!(
        index_refusal(&changeset, &contents),
        "changeset has 1099511627776 bytes in one file, over the limit of 17179869184"
    );

    // An index announcing a terabyte.
    let mut bytes = b"CNYC\x00\x01".to_vec();
    conary_core::encoding::write_varint(&mut bytes, 1 << 40);
    assert_eq!(
        refusal(&bytes).to_string(),
        "changeset has 1099511627776 bytes of index, over the limit of 268435456"
    );

    // A chunk announcing a terabyte.
    let (changeset, _, _) = valid();
    let mut bytes = encode_index(&changeset);
    conary_core::encoding::write_varint(&mut bytes, 1 << 40);
    let error = refusal(&bytes).to_string();
    assert!(
        error.starts_with("corrupt contents ") && error.contains("over the limit"),
        "{error}"
    );
}

#[test]
fn bad_magic_format_and_unknown_kinds_are_refused() {
    assert_eq!(
        refusal(b"PK\x03\x04zip").to_string(),
        "invalid changeset index: bad magic at byte 0: expected \"CNYC\" for a changeset, found [50, 4b, 03, 04]"
    );
    assert_eq!(
        refusal(b"CNYC\x00\x07\x00").to_string(),
        "invalid changeset index: unsupported changeset format 7 at byte 4: this reader knows format 1"
    );
    let (changeset, contents, stream) = valid();
    let mut bytes = bytes_of(&changeset, &contents);
    let digest = stream.content_digest().expect("regular");
    let index_len = encode_index(&changeset).len();
    let at = bytes[..index_len]
        .windows(32)
        .rposition(|window| window == digest.as_bytes())
        .expect("digest in the content index");
    // digest, then size (tag 2, length 1, 19), then kind (tag 3, length 1, 0).
    assert_eq!(bytes[at + 32..at + 38], [2, 1, 19, 3, 1, 0]);
    bytes[at + 37] = 9;
    let error = refusal(&bytes).to_string();
    assert!(error.ends_with("unknown content kind 9"), "{error}");
}

#[test]
fn payload_digest_and_size_are_checked() {
    let (changeset, _, stream) = valid();
    let digest = stream.content_digest().expect("regular");
    let cases: &[(&[u8], String)] = &[
        (
            b"#!/bin/sh\necho bar\n",
            format!(
                "contents {digest} do not match their digest: found {}",
                crate::fixtures::digest(b"#!/bin/sh\necho bar\n")
            ),
        ),
        (
            b"#!/bin/sh\necho foo\n\n",
            format!("contents {digest} are 20 bytes, but 19 were announced"),
        ),
        (
            b"#!/bin/sh\n",
            format!("contents {digest} are 10 bytes, but 19 were announced"),
        ),
        (
            b"",
            format!("contents {digest} are 0 bytes, but 19 were announced"),
        ),
    ];
    for (payload, message) in cases {
        let mut bytes = encode_index(&changeset);
        bytes.extend(frame(&zstd(payload)));
        assert_eq!(&refusal(&bytes).to_string(), message);
    }
}

#[test]
fn damaged_payloads_are_refused() {
    let (changeset, contents, _) = valid();
    let good = bytes_of(&changeset, &contents);
    let index_len = encode_index(&changeset).len();

    let mut trailing = good.clone();
    trailing.extend_from_slice(b"garbage");
    assert_eq!(
        refusal(&trailing).to_string(),
        format!(
            "trailing bytes after the last payload of the changeset, at byte {}",
            good.len()
        )
    );

    let mut garbage = encode_index(&changeset);
    garbage.extend(frame(b"not zstd at all"));
    assert!(
        refusal(&garbage)
            .to_string()
            .starts_with("corrupt contents ")
    );

    let mut extra = encode_index(&changeset);
    let mut data = zstd(b"#!/bin/sh\necho foo\n");
    data.extend_from_slice(b"extra");
    extra.extend(frame(&data));
    assert!(refusal(&extra).to_string().starts_with("corrupt contents "));

    let cut = &good[..good.len() - 1];
    assert!(
        refusal(cut)
            .to_string()
            .starts_with("truncated changeset: contents ")
    );
    let missing = &good[..index_len];
    assert!(
        refusal(missing)
            .to_string()
            .starts_with("truncated changeset: contents ")
    );
}

#[test]
fn bases_are_checked_before_use() {
    let mut old_contents = MemContents::new();
    let mut new_contents = MemContents::new();
    let old = noise(5, 20_000);
    let mut new = old.clone();
    new[10] ^= 1;
    let s1 = regular(&mut old_contents, &old);
    let s2 = regular(&mut new_contents, &new);
    let t1 = trove("x:lib", &version("1-1-1", 1), &[("/usr/lib/x", &s1)]);
    let t2 = trove("x:lib", &version("1-2-1", 2), &[("/usr/lib/x", &s2)]);
    let mut builder = conary_changeset::ChangeSetBuilder::new();
    builder
        .add_relative(&t1, t2, &streams([&s1, &s2]))
        .expect("relative");
    let changeset = builder.build(&old_contents, &new_contents).expect("build");
    let bytes = write(&changeset, &(&new_contents, &old_contents));

    struct Wrong;
    impl conary_changeset::ContentSource for Wrong {
        fn open(
            &self,
            _digest: &conary_core::digest::Digest,
        ) -> std::io::Result<Option<Box<dyn Read + '_>>> {
            Ok(Some(Box::new(&b"not the base"[..])))
        }
    }
    let error = read_all(&bytes, &Wrong).expect_err("wrong base");
    assert!(
        error
            .to_string()
            .starts_with(&format!("base contents {} do not match", digest(&old))),
        "{error}"
    );
    let (_, payloads) = read_all(&bytes, &old_contents).expect("right base");
    assert_eq!(payloads.values().next(), Some(&new));
}

#[test]
fn duplicate_troves_are_refused() {
    use conary_core::encoding::{Record, encode_object};
    let (changeset, _, _) = valid();
    let change = changeset.troves.values().next().expect("one trove");
    let old = tuple("foo:runtime=/conary.example.com@plat:1/0.9-1-1[]");
    let mut old_record = Record::new();
    old_record.put_str(1, old.name.as_ref());
    old_record.put_version(2, &old.version);
    let item = |with_old: bool| {
        let mut record = Record::new();
        if with_old {
            record.put_bytes(1, old_record.clone().into_bytes());
        }
        record.put_bytes(2, change.new.encode());
        record.into_bytes()
    };
    // The same new trove twice, once absolute and once relative: distinct
    // bytes, one key.
    let mut body = Record::new();
    body.put_set(2, vec![item(false), item(true)]);
    let bytes = encode_object(&conary_changeset::CHANGESET_FORMAT, body);
    let error = refusal(&bytes).to_string();
    assert!(
        error.starts_with("invalid changeset index: duplicate entry at byte ")
            && error.ends_with(&format!("in changeset.troves: {TROVE}")),
        "{error}"
    );
}
