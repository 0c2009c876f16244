//! Build, write, read: absolute and relative changesets come back bit for bit.

use conary_changeset::{
    BuildOptions, ChangeSetBuilder, ChangeSetReader, ChangeSetWriter, ContentKind, MemContents,
    NoContents, PayloadId, TextDiffKey, apply_text_diff, encode_index,
};
use conary_core::files::Mode;

use crate::fixtures::{
    config, digest, directory, noise, read_all, regular, streams, symlink, trove, tuple, version,
    write,
};

#[test]
fn absolute_round_trip() {
    let mut contents = MemContents::new();
    let binary = regular(&mut contents, &noise(1, 10_000));
    let conf = config(&mut contents, b"Port 22\nPermitRootLogin no\n");
    let empty = regular(&mut contents, b"");
    let same = regular(&mut contents, &noise(1, 10_000));
    let link = symlink("../lib/libfoo.so.1");
    let dir = directory();
    let v1 = version("1.0-1-1", 1);
    let files = [
        ("/usr/bin/foo", &binary),
        ("/usr/bin/foo-copy", &same),
        ("/etc/foo.conf", &conf),
        ("/var/lib/foo/empty", &empty),
        ("/usr/lib/libfoo.so", &link),
        ("/var/lib/foo", &dir),
    ];
    let new = trove("foo:runtime", &v1, &files);
    let mut builder = ChangeSetBuilder::new();
    builder.add_primary(new.tuple());
    builder
        .add_absolute(new.clone(), &streams(files.iter().map(|(_, s)| *s)))
        .expect("absolute");
    let changeset = builder.build(&NoContents, &contents).expect("build");
    assert!(changeset.is_absolute());
    // One entry per distinct contents: the copy shares the binary's.
    assert_eq!(changeset.contents.len(), 3);
    assert!(
        changeset
            .contents
            .values()
            .all(|c| c.kind == ContentKind::Full)
    );
    assert!(changeset.text_diffs.is_empty());

    let bytes = write(&changeset, &contents);
    assert!(
        bytes.starts_with(b"CNYZ\x00\x01"),
        "the index travels compressed"
    );
    let (read, payloads) = read_all(&bytes, &NoContents).expect("read back");
    assert_eq!(read, changeset);
    assert_eq!(payloads.len(), 3);
    for (id, data) in &payloads {
        let PayloadId::Contents(d) = id else {
            panic!("unexpected payload {id}");
        };
        assert_eq!(contents.get(d), Some(&data[..]));
    }
    // Writing again gives the same bytes.
    assert_eq!(write(&changeset, &contents), bytes);
}

#[test]
fn relative_round_trip() {
    let mut old_contents = MemContents::new();
    let mut new_contents = MemContents::new();
    let big_old = noise(7, 200_000);
    let mut big_new = big_old.clone();
    big_new[1000..1010].copy_from_slice(b"0123456789");
    big_new.extend_from_slice(b"appended tail");
    let old_conf = b"# foo\nlisten 80\nworkers 4\nlog /var/log/foo\n".to_vec();
    let new_conf = b"# foo\nlisten 8080\nworkers 4\nlog /var/log/foo\n".to_vec();

    let binary_1 = regular(&mut old_contents, &big_old);
    let binary_2 = regular(&mut new_contents, &big_new);
    let conf_1 = config(&mut old_contents, &old_conf);
    let conf_2 = config(&mut new_contents, &new_conf);
    let doc = regular(&mut old_contents, b"unchanged documentation\n");
    let script_1 = regular(&mut old_contents, b"#!/bin/sh\nexit 0\n");
    let mut script_2 = script_1.clone();
    script_2.mode = Mode::new(0o755).expect("mode");
    let added = regular(&mut new_contents, b"a new file\n");
    let removed = regular(&mut old_contents, b"going away\n");

    let v1 = version("1.0-1-1", 1);
    let v2 = version("1.0-2-1", 2);
    let old = trove(
        "foo:runtime",
        &v1,
        &[
            ("/usr/bin/foo", &binary_1),
            ("/etc/foo.conf", &conf_1),
            ("/usr/share/doc/foo", &doc),
            ("/usr/bin/foo-script", &script_1),
            ("/usr/share/foo/old", &removed),
        ],
    );
    let new = trove(
        "foo:runtime",
        &v2,
        &[
            ("/usr/bin/foo", &binary_2),
            ("/etc/foo.conf", &conf_2),
            ("/usr/share/doc/foo", &doc),
            ("/usr/bin/foo-script", &script_2),
            ("/usr/share/foo/new", &added),
        ],
    );
    let all = streams([
        &binary_1, &binary_2, &conf_1, &conf_2, &doc, &script_1, &script_2, &added, &removed,
    ]);
    let mut builder = ChangeSetBuilder::new();
    builder.add_primary(new.tuple());
    builder
        .add_relative(&old, new.clone(), &all)
        .expect("relative");
    let changeset = builder.build(&old_contents, &new_contents).expect("build");
    assert!(!changeset.is_absolute());

    // Only the changed files travel: the doc is unchanged.
    assert_eq!(changeset.files.len(), 4);
    assert!(!changeset.files.contains_key(&doc.file_id()));
    let kind = |stream: &conary_core::files::FileStream| {
        changeset.contents[&stream.content_digest().expect("regular")].kind
    };
    assert_eq!(
        kind(&binary_2),
        ContentKind::Delta {
            base: digest(&big_old)
        }
    );
    assert_eq!(kind(&script_2), ContentKind::Reference);
    assert_eq!(kind(&added), ContentKind::Full);
    let key = TextDiffKey {
        target: digest(&new_conf),
        base: digest(&old_conf),
    };
    assert!(changeset.text_diffs.contains_key(&key));

    let source = (&new_contents, &old_contents);
    let bytes = write(&changeset, &source);
    // The delta makes the whole changeset far smaller than the new binary.
    assert!(bytes.len() < 2_000, "changeset of {} bytes", bytes.len());
    let (read, payloads) = read_all(&bytes, &old_contents).expect("read back");
    assert_eq!(read, changeset);
    assert_eq!(payloads[&PayloadId::Contents(digest(&big_new))], big_new);
    assert_eq!(payloads[&PayloadId::Contents(digest(&new_conf))], new_conf);
    let diff = String::from_utf8(payloads[&PayloadId::TextDiff(key)].clone()).expect("utf-8");
    let patched = apply_text_diff(std::str::from_utf8(&old_conf).expect("text"), &diff);
    assert_eq!(patched.expect("applies").as_bytes(), new_conf);

    // Without the old contents, the delta cannot be read.
    let error = read_all(&bytes, &NoContents).expect_err("no base");
    assert_eq!(
        error.to_string(),
        format!("base contents {} are not available", digest(&big_old))
    );
}

#[test]
fn delta_is_much_smaller_than_full_on_similar_contents() {
    let old = noise(3, 1 << 20);
    let mut new = old.clone();
    for index in (0..new.len()).step_by(100_000) {
        new[index] ^= 0xff;
    }
    let mut old_contents = MemContents::new();
    let mut new_contents = MemContents::new();
    let s1 = regular(&mut old_contents, &old);
    let s2 = regular(&mut new_contents, &new);
    let old_trove = trove("big:lib", &version("1-1-1", 1), &[("/usr/lib/big", &s1)]);
    let new_trove = trove("big:lib", &version("1-2-1", 2), &[("/usr/lib/big", &s2)]);
    let all = streams([&s1, &s2]);

    let build = |deltas: bool| {
        let mut builder = ChangeSetBuilder::with_options(BuildOptions {
            deltas,
            ..BuildOptions::default()
        });
        builder
            .add_relative(&old_trove, new_trove.clone(), &all)
            .expect("relative");
        let changeset = builder.build(&old_contents, &new_contents).expect("build");
        write(&changeset, &(&new_contents, &old_contents)).len()
    };
    let (with_delta, full) = (build(true), build(false));
    assert!(full > 1 << 20, "noise does not compress: {full}");
    assert!(with_delta < 2_000, "delta of {with_delta} bytes");
}

#[test]
fn prepared_payloads_are_written_without_reading_contents_again() {
    let old = noise(3, 200_000);
    let mut new = old.clone();
    new[1000] ^= 0xff;
    let mut old_contents = MemContents::new();
    let mut new_contents = MemContents::new();
    let s1 = regular(&mut old_contents, &old);
    let s2 = regular(&mut new_contents, &new);
    let s3 = regular(&mut new_contents, &noise(4, 5_000));
    let s4 = regular(&mut new_contents, &[b'z'; 30_000]);
    let old_trove = trove("p:lib", &version("1-1-1", 1), &[("/usr/lib/p", &s1)]);
    let files = [
        ("/usr/lib/p", &s2),
        ("/usr/lib/q", &s3),
        ("/usr/lib/r", &s4),
    ];
    let new_trove = trove("p:lib", &version("1-2-1", 2), &files);
    let all = streams([&s1, &s2, &s3, &s4]);
    let builder = || {
        let mut builder = ChangeSetBuilder::new();
        builder
            .add_relative(&old_trove, new_trove.clone(), &all)
            .expect("relative");
        builder
    };
    let changeset = builder()
        .build(&old_contents, &new_contents)
        .expect("build");
    let expected = write(&changeset, &(&new_contents, &old_contents));
    let (same, prepared) = builder()
        .build_prepared(&old_contents, &new_contents)
        .expect("build prepared");
    assert_eq!(same, changeset);
    // Only the delta was weighed (the new files had no base).
    let target = s2.content_digest().expect("regular");
    assert!(matches!(
        changeset.contents[&target].kind,
        ContentKind::Delta { .. }
    ));
    assert_eq!(prepared.len(), 1);

    // The prepared delta needs neither the new contents nor its base.
    let mut others = MemContents::new();
    regular(&mut others, &noise(4, 5_000));
    regular(&mut others, &[b'z'; 30_000]);
    let mut writer = ChangeSetWriter::new(Vec::new(), &changeset).expect("index");
    writer.use_prepared(prepared.clone());
    writer.write_all(&others).expect("write");
    assert_eq!(writer.finish().expect("finish"), expected);

    // Without it, the writer needs them.
    let mut writer = ChangeSetWriter::new(Vec::new(), &changeset).expect("index");
    let error = writer.write_all(&others).expect_err("no base");
    assert!(error.to_string().contains("not available"), "{error}");

    // Frames made at other levels are not used.
    let options = conary_changeset::WriteOptions {
        delta_level: 5,
        ..Default::default()
    };
    let mut writer = ChangeSetWriter::with_options(Vec::new(), &changeset, options).expect("index");
    writer.use_prepared(prepared);
    writer
        .write_all(&others)
        .expect_err("levels differ: needs the base");
    let (read, payloads) = read_all(&expected, &old_contents).expect("read back");
    assert_eq!(read, changeset);
    assert_eq!(payloads[&PayloadId::Contents(target)], new);
}

#[test]
fn delta_is_not_used_when_it_does_not_help() {
    let mut old_contents = MemContents::new();
    let mut new_contents = MemContents::new();
    let s1 = regular(&mut old_contents, &noise(1, 50_000));
    let s2 = regular(&mut new_contents, &[b'a'; 50_000]);
    let old_trove = trove("x:lib", &version("1-1-1", 1), &[("/usr/lib/x", &s1)]);
    let new_trove = trove("x:lib", &version("1-2-1", 2), &[("/usr/lib/x", &s2)]);
    let mut builder = ChangeSetBuilder::new();
    builder
        .add_relative(&old_trove, new_trove, &streams([&s1, &s2]))
        .expect("relative");
    let changeset = builder.build(&old_contents, &new_contents).expect("build");
    let digest = s2.content_digest().expect("regular");
    assert_eq!(changeset.contents[&digest].kind, ContentKind::Full);
}

#[test]
fn writer_streams_one_payload_at_a_time() {
    let mut contents = MemContents::new();
    let a = regular(&mut contents, b"first\n");
    let b = regular(&mut contents, b"second\n");
    let v1 = version("1-1-1", 1);
    let new = trove("ab:runtime", &v1, &[("/a", &a), ("/b", &b)]);
    let mut builder = ChangeSetBuilder::new();
    builder
        .add_absolute(new, &streams([&a, &b]))
        .expect("absolute");
    let changeset = builder.build(&NoContents, &contents).expect("build");

    let mut writer = ChangeSetWriter::new(Vec::new(), &changeset).expect("index");
    let first = writer.next_payload().expect("two payloads");
    assert_eq!(writer.write_next(&contents).expect("write"), Some(first));
    let early = ChangeSetWriter::new(Vec::new(), &changeset).expect("index");
    assert_eq!(
        early.finish().expect_err("unfinished").to_string(),
        "2 payloads of the changeset were not written"
    );
    writer.write_next(&contents).expect("write");
    assert_eq!(writer.write_next(&contents).expect("nothing left"), None);
    let bytes = writer.finish().expect("finish");

    // Payloads may be skipped, or dropped half read: the reader moves on.
    let mut reader = ChangeSetReader::new(&bytes[..]).expect("index");
    let mut payload = reader.next_payload(&NoContents).expect("ok").expect("one");
    let mut byte = [0u8; 1];
    std::io::Read::read_exact(&mut payload, &mut byte).expect("one byte");
    drop(payload);
    let (id, stored) = reader.skip_payload().expect("skip").expect("second");
    assert_eq!(Some(id), changeset.payloads().nth(1));
    assert!(stored > 0);
    reader.finish().expect("finished");

    // Finishing without reading or skipping is refused.
    let reader = ChangeSetReader::new(&bytes[..]).expect("index");
    assert!(reader.finish().is_err());
}

#[test]
fn writer_refuses_contents_that_do_not_match() {
    let mut contents = MemContents::new();
    let a = regular(&mut contents, b"the real contents\n");
    let new = trove("a:runtime", &version("1-1-1", 1), &[("/a", &a)]);
    let mut builder = ChangeSetBuilder::new();
    builder.add_absolute(new, &streams([&a])).expect("absolute");
    let changeset = builder.build(&NoContents, &contents).expect("build");
    let error = conary_changeset::write_changeset(Vec::new(), &changeset, &NoContents)
        .expect_err("no contents");
    assert!(error.to_string().ends_with("are not available"), "{error}");

    // A source that lies about what it holds.
    struct Liar;
    impl conary_changeset::ContentSource for Liar {
        fn open(
            &self,
            _digest: &conary_core::digest::Digest,
        ) -> std::io::Result<Option<Box<dyn std::io::Read + '_>>> {
            Ok(Some(Box::new(&b"the fake contents!"[..])))
        }
    }
    let error =
        conary_changeset::write_changeset(Vec::new(), &changeset, &Liar).expect_err("lying source");
    assert!(
        matches!(
            error,
            conary_changeset::ChangeSetError::DigestMismatch { .. }
        ),
        "{error}"
    );
}

#[test]
fn erase_only_changeset() {
    let mut builder = ChangeSetBuilder::new();
    let gone = tuple("foo:runtime=/conary.example.com@plat:1/1.0-1-1[]");
    builder.erase(gone.clone());
    builder.add_primary(gone.clone());
    let changeset = builder.build(&NoContents, &NoContents).expect("build");
    let bytes = write(&changeset, &NoContents);
    let (read, payloads) = read_all(&bytes, &NoContents).expect("read");
    assert!(payloads.is_empty());
    assert!(read.erased.contains(&gone));
}

#[test]
fn formats_md_example_bytes() {
    // docs/FORMATS.md §13.8: a changeset erasing one primary trove.
    let mut changeset = conary_changeset::ChangeSet::default();
    let version = "/conary.example.com@plat:1/1700000000.000:1.0-1-1";
    let gone = conary_core::trove::TroveTuple::new(
        "foo".parse().expect("name"),
        crate::fixtures::version("1.0-1-1", 0),
        Default::default(),
    );
    changeset.erased.insert(gone.clone());
    changeset.primary.insert(gone);
    let mut item = b"\x01\x38\x01\x03foo\x02\x31".to_vec();
    item.extend_from_slice(version.as_bytes());
    let mut expected = b"CNYC\x00\x01\x78\x01\x3a".to_vec();
    expected.extend_from_slice(&item);
    expected.extend_from_slice(b"\x03\x3a");
    expected.extend_from_slice(&item);
    assert_eq!(encode_index(&changeset), expected);
    // No payload follows: the compressed index is the whole changeset, and
    // a bare (uncompressed) index reads back the same.
    let written = write(&changeset, &NoContents);
    assert!(written.starts_with(b"CNYZ\x00\x01"));
    let (from_envelope, _) = read_all(&written, &NoContents).expect("envelope reads");
    let (from_bare, _) = read_all(&expected, &NoContents).expect("bare index reads");
    assert_eq!(from_envelope, changeset);
    assert_eq!(from_bare, changeset);
}
