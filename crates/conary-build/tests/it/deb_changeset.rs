//! Imported packages as absolute changesets: written, read back, verified.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::BufReader;

use conary_build::import::{ImportOptions, MemorySink, StoreSink, import_deb};
use conary_changeset::{ChangeSetReader, ContentKind, NoContents, PayloadId, write_changeset};
use conary_core::digest::Digest;

use crate::corpus::{corpus_dir, deb_files};

#[test]
fn every_package_round_trips_as_a_changeset() {
    let label = "deb.example.com@debian:bookworm".parse().expect("label");
    for name in deb_files() {
        let file = BufReader::new(File::open(corpus_dir().join(&name)).expect("open"));
        let mut sink = MemorySink::new();
        let imported = import_deb(file, &label, &ImportOptions::default(), &mut sink)
            .unwrap_or_else(|err| panic!("{name}: {err}"));
        let changeset = imported
            .to_changeset(&sink)
            .unwrap_or_else(|err| panic!("{name}: {err}"));
        assert!(changeset.is_absolute(), "{name}");
        assert_eq!(
            changeset.primary,
            BTreeSet::from([imported.tuple()]),
            "{name}"
        );
        let troves: Vec<_> = imported.troves().map(|trove| trove.tuple()).collect();
        assert_eq!(
            changeset.troves.keys().cloned().collect::<BTreeSet<_>>(),
            troves.into_iter().collect::<BTreeSet<_>>(),
            "{name}"
        );
        assert_eq!(changeset.files, imported.streams(), "{name}");
        let digests: BTreeSet<Digest> = changeset.contents.keys().copied().collect();
        assert_eq!(&digests, imported.contents(), "{name}");
        assert!(
            changeset
                .contents
                .values()
                .all(|contents| contents.kind == ContentKind::Full),
            "{name}"
        );

        let bytes = write_changeset(Vec::new(), &changeset, &sink)
            .unwrap_or_else(|err| panic!("{name}: {err}"));
        let mut reader =
            ChangeSetReader::new(&bytes[..]).unwrap_or_else(|err| panic!("{name}: {err}"));
        let mut seen = BTreeSet::new();
        while let Some(mut payload) = reader.next_payload(&NoContents).expect("payload") {
            let PayloadId::Contents(digest) = payload.id() else {
                panic!("{name}: only contents travel");
            };
            let data = payload.read_to_vec().expect("payload reads");
            assert_eq!(sink.get(&digest), Some(&data[..]), "{name}");
            seen.insert(digest);
        }
        assert_eq!(&seen, imported.contents(), "{name}");
        assert_eq!(reader.finish().expect("finish"), changeset, "{name}");
    }
}

#[test]
fn store_sink_is_a_content_source() {
    let store = conary_store::open_store("memory:").expect("memory store");
    let label = "deb.example.com@debian:bookworm".parse().expect("label");
    let name = "libexpat1_2.5.0-1+deb12u5_amd64.deb";
    let file = BufReader::new(File::open(corpus_dir().join(name)).expect("open"));
    let sink = StoreSink::new(store.as_ref());
    let imported =
        import_deb(file, &label, &ImportOptions::default(), &mut { sink }).expect("imports");
    let source = StoreSink::new(store.as_ref());
    let changeset = imported.to_changeset(&source).expect("changeset");
    let bytes = write_changeset(Vec::new(), &changeset, &source).expect("writes");
    let mut reader = ChangeSetReader::new(&bytes[..]).expect("reads");
    let mut count = 0;
    while let Some(mut payload) = reader.next_payload(&NoContents).expect("payload") {
        payload.read_to_vec().expect("verified payload");
        count += 1;
    }
    assert_eq!(count, imported.contents().len());
    reader.finish().expect("finish");
}
