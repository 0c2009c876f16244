//! Relative changesets between two versions of real Debian packages.

use std::collections::BTreeMap;

use conary_changeset::{
    ChangeSetBuilder, ChangeSetReader, ChangeSetWriter, ContentKind, PayloadId, Summary,
    write_changeset,
};
use conary_core::digest::Digest;

use crate::corpus::extract;
use crate::fixtures::version;
use crate::tree::scan;

/// Builds the relative changeset from `old` to `new` (corpus file names),
/// checks that it rebuilds the new tree, and returns its size with the
/// size of the newer `.deb`.
fn relative_between(name: &str, old: &str, new: &str) -> (u64, u64, Summary) {
    let old_dir = tempfile::tempdir().expect("temp dir");
    let new_dir = tempfile::tempdir().expect("temp dir");
    extract(old, old_dir.path());
    let new_deb = extract(new, new_dir.path());
    let old_tree = scan(old_dir.path(), name, &version("1-1-1", 1)).expect("scan old");
    let new_tree = scan(new_dir.path(), name, &version("1-2-1", 2)).expect("scan new");
    let mut streams = old_tree.streams.clone();
    streams.extend(new_tree.streams.clone());

    let builder = || {
        let mut builder = ChangeSetBuilder::new();
        builder.add_primary(new_tree.trove.tuple());
        builder
            .add_relative(&old_tree.trove, new_tree.trove.clone(), &streams)
            .expect("relative change");
        builder
    };
    let changeset = builder()
        .build(&old_tree.contents, &new_tree.contents)
        .expect("build");
    let bytes = write_changeset(
        Vec::new(),
        &changeset,
        &(&new_tree.contents, &old_tree.contents),
    )
    .expect("write");

    // The frames compressed while building, written as they are, give the
    // same bytes.
    let (same, prepared) = builder()
        .build_prepared(&old_tree.contents, &new_tree.contents)
        .expect("build prepared");
    assert_eq!(same, changeset);
    let deltas = changeset
        .contents
        .values()
        .filter(|contents| matches!(contents.kind, ContentKind::Delta { .. }))
        .count();
    assert!(prepared.len() >= deltas, "{} frames", prepared.len());
    let mut writer = ChangeSetWriter::new(Vec::new(), &changeset).expect("index");
    writer.use_prepared(prepared);
    writer
        .write_all(&(&new_tree.contents, &old_tree.contents))
        .expect("write prepared");
    assert!(
        writer.finish().expect("finish") == bytes,
        "{name}: bytes differ"
    );

    // Read it back: every carried payload decodes against the old tree and
    // matches its digest; every new file is accounted for.
    let mut reader = ChangeSetReader::new(&bytes[..]).expect("index");
    let mut carried = BTreeMap::new();
    while let Some(mut payload) = reader.next_payload(&old_tree.contents).expect("payload") {
        let id = payload.id();
        let data = payload.read_to_vec().expect("verified payload");
        carried.insert(id, Digest::of(&data));
    }
    let read = reader.finish().expect("finished");
    for file in new_tree.trove.files.values() {
        let stream = &new_tree.streams[&file.file_id];
        let Some(digest) = stream.content_digest() else {
            continue;
        };
        match read.contents.get(&digest).map(|contents| contents.kind) {
            None => assert!(
                !read.files.contains_key(&file.file_id),
                "{} changed but has no contents",
                file.path
            ),
            Some(ContentKind::Reference) => {}
            Some(_) => assert_eq!(carried[&PayloadId::Contents(digest)], digest),
        }
    }
    let summary = Summary::read(&bytes[..], Default::default()).expect("summary");
    let deb_len = std::fs::metadata(new_deb).expect("deb").len();
    (bytes.len() as u64, deb_len, summary)
}

#[test]
fn shared_library_update_travels_as_a_delta() {
    let (changeset, deb, summary) = relative_between(
        "libssl3:lib",
        "libssl3_3.0.17-1~deb12u2_amd64.deb",
        "libssl3_3.0.22-1~deb12u2_amd64.deb",
    );
    // Measured: 877 kB against 2.04 MB (libcrypto.so.3 and libssl.so.3 as
    // deltas); compressed whole they would exceed the .deb.
    assert!(
        changeset * 2 < deb,
        "changeset of {changeset} bytes against a .deb of {deb}:\n{summary}"
    );
    let libcrypto = summary.troves[0]
        .files
        .iter()
        .find(|file| file.path == "/usr/lib/x86_64-linux-gnu/libcrypto.so.3")
        .expect("libcrypto is in the package");
    assert!(
        matches!(libcrypto.contents, Some(ContentKind::Delta { .. })),
        "{summary}"
    );
}

#[test]
fn security_update_is_a_fraction_of_the_new_package() {
    // Measured: 109 kB against 1.89 MB.
    let (changeset, deb, summary) = relative_between(
        "sudo:runtime",
        "sudo_1.9.13p3-1+deb12u2_amd64.deb",
        "sudo_1.9.13p3-1+deb12u4_amd64.deb",
    );
    assert!(
        changeset * 10 < deb,
        "changeset of {changeset} bytes against a .deb of {deb}:\n{summary}"
    );
    assert!(summary.troves[0].files.iter().any(|file| !file.changed));
}
