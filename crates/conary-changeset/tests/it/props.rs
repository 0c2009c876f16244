//! Properties: arbitrary small trees survive absolute and relative round
//! trips, and the new tree can be rebuilt from the old one and the changeset.

use std::collections::BTreeMap;

use conary_changeset::{
    ChangeSet, ChangeSetBuilder, ContentKind, MemContents, NoContents, PayloadId, invert,
};
use conary_core::digest::{Digest, FileId};
use conary_core::files::FileStream;
use conary_core::trove::Trove;
use proptest::prelude::*;

use crate::fixtures::{config, read_all, regular, trove, version, write};

/// A tree: path -> (contents, config?).
type Tree = BTreeMap<String, (Vec<u8>, bool)>;

fn contents_strategy() -> impl Strategy<Value = Vec<u8>> {
    let base = prop_oneof![
        Just(b"line one\nline two\nline three\n".to_vec()),
        Just(
            (0..2000u32)
                .flat_map(|n| n.to_le_bytes())
                .collect::<Vec<u8>>()
        ),
        Just(Vec::new()),
        proptest::collection::vec(any::<u8>(), 0..300),
    ];
    (
        base,
        proptest::collection::vec((any::<u16>(), any::<u8>()), 0..3),
    )
        .prop_map(|(mut bytes, edits)| {
            for (at, value) in edits {
                if !bytes.is_empty() {
                    let index = usize::from(at) % bytes.len();
                    bytes[index] = value;
                }
            }
            bytes
        })
}

fn tree_strategy() -> impl Strategy<Value = Tree> {
    let path = (0..3u8, 0..6u8).prop_map(|(dir, file)| format!("/d{dir}/f{file}"));
    proptest::collection::btree_map(path, (contents_strategy(), any::<bool>()), 0..8)
}

/// The trove of `tree`, its streams, and its contents.
fn materialize(
    tree: &Tree,
    revision: &str,
    seconds: u64,
) -> (Trove, BTreeMap<FileId, FileStream>, MemContents) {
    let mut contents = MemContents::new();
    let mut files = Vec::new();
    for (path, (bytes, is_config)) in tree {
        let stream = if *is_config {
            config(&mut contents, bytes)
        } else {
            regular(&mut contents, bytes)
        };
        files.push((path.as_str(), stream));
    }
    let refs: Vec<(&str, &FileStream)> = files.iter().map(|(p, s)| (*p, s)).collect();
    let trove = trove("t:runtime", &version(revision, seconds), &refs);
    let streams = files.into_iter().map(|(_, s)| (s.file_id(), s)).collect();
    (trove, streams, contents)
}

/// Rebuilds the contents of every file of the changeset's only trove from
/// the payloads, falling back on `old` for unchanged files and references.
fn rebuild(
    changeset: &ChangeSet,
    payloads: &BTreeMap<PayloadId, Vec<u8>>,
    old_streams: &BTreeMap<FileId, FileStream>,
    old: &MemContents,
) -> BTreeMap<String, Vec<u8>> {
    let change = changeset.troves.values().next().expect("one trove");
    change
        .new
        .files
        .values()
        .map(|file| {
            let stream = changeset
                .files
                .get(&file.file_id)
                .or_else(|| old_streams.get(&file.file_id))
                .expect("stream travels or is unchanged");
            let digest = stream.content_digest().expect("regular");
            let bytes = match changeset.contents.get(&digest).map(|c| c.kind) {
                Some(ContentKind::Reference) | None => {
                    old.get(&digest).expect("receiver has it").to_vec()
                }
                Some(_) => payloads[&PayloadId::Contents(digest)].clone(),
            };
            assert_eq!(Digest::of(&bytes), digest);
            (file.path.clone(), bytes)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn absolute_round_trip(tree in tree_strategy()) {
        let (new, streams, contents) = materialize(&tree, "1-1-1", 1);
        let mut builder = ChangeSetBuilder::new();
        builder.add_absolute(new, &streams).expect("absolute");
        let changeset = builder.build(&NoContents, &contents).expect("build");
        let bytes = write(&changeset, &contents);
        let (read, payloads) = read_all(&bytes, &NoContents).expect("read");
        prop_assert_eq!(&read, &changeset);
        let rebuilt = rebuild(&read, &payloads, &BTreeMap::new(), &MemContents::new());
        let expected: BTreeMap<String, Vec<u8>> = tree.into_iter().map(|(p, (b, _))| (p, b)).collect();
        prop_assert_eq!(rebuilt, expected);
    }

    #[test]
    fn relative_round_trip_and_inverse(old_tree in tree_strategy(), new_tree in tree_strategy()) {
        let (old, old_streams, old_contents) = materialize(&old_tree, "1-1-1", 1);
        let (new, new_streams, new_contents) = materialize(&new_tree, "1-2-1", 2);
        let mut all = old_streams.clone();
        all.extend(new_streams.clone());
        let mut builder = ChangeSetBuilder::new();
        builder.add_relative(&old, new.clone(), &all).expect("relative");
        let changeset = builder.build(&old_contents, &new_contents).expect("build");
        let bytes = write(&changeset, &(&new_contents, &old_contents));
        let (read, payloads) = read_all(&bytes, &old_contents).expect("read");
        prop_assert_eq!(&read, &changeset);
        let rebuilt = rebuild(&read, &payloads, &old_streams, &old_contents);
        let expected: BTreeMap<String, Vec<u8>> = new_tree.into_iter().map(|(p, (b, _))| (p, b)).collect();
        prop_assert_eq!(rebuilt, expected);

        // The inverse, with every old contents kept locally, rebuilds the old tree.
        let olds = [(old.tuple(), old.clone())].into_iter().collect();
        let inverse = invert(&changeset, &olds, &old_streams, &|_| false).expect("invert");
        let bytes = write(&inverse, &old_contents);
        let (read, payloads) = read_all(&bytes, &NoContents).expect("read inverse");
        prop_assert_eq!(&read, &inverse);
        let rebuilt = rebuild(&read, &payloads, &new_streams, &new_contents);
        let expected: BTreeMap<String, Vec<u8>> = old_tree.into_iter().map(|(p, (b, _))| (p, b)).collect();
        prop_assert_eq!(rebuilt, expected);
    }

    #[test]
    fn reading_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        conary_changeset::fuzz_read(&bytes);
        let mut prefixed = b"CNYC\x00\x01".to_vec();
        prefixed.extend_from_slice(&bytes);
        conary_changeset::fuzz_read(&prefixed);
    }
}
