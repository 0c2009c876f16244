//! Property tests: decode∘encode is the identity, encoding is deterministic,
//! and decoding never panics.

use std::collections::{BTreeMap, BTreeSet};

use proptest::collection::{btree_map, btree_set, vec};
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;

use conary_core::digest::{Digest, FileId, PathId};
use conary_core::encoding::UnknownFields;
use conary_core::files::{FileFlags, FileKind, FileStream, Mode};
use conary_core::trove::{Redirect, Trove, TroveRef, TroveTuple, TroveType};
use conary_core::troveinfo::{
    Capsule, ChangeLog, Metadata, ScriptSlot, TroveFlags, TroveInfo, TroveScript, TroveScripts,
};
use conary_core::version::Version;

use super::{BRANCHES, DEPS, FLAVORS, NAMES, VERSIONS, branch, deps, flavor, name, version};

fn a_version() -> impl Strategy<Value = Version> {
    select(&VERSIONS[..]).prop_map(version)
}

fn a_name() -> impl Strategy<Value = conary_core::name::TroveName> {
    select(&NAMES[..]).prop_map(name)
}

fn a_flavor() -> impl Strategy<Value = conary_core::flavor::Flavor> {
    select(&FLAVORS[..]).prop_map(flavor)
}

fn a_deps() -> impl Strategy<Value = conary_core::deps::DependencySet> {
    select(&DEPS[..]).prop_map(deps)
}

fn a_digest() -> impl Strategy<Value = Digest> {
    any::<[u8; 32]>().prop_map(Digest::from_bytes)
}

fn some_text() -> impl Strategy<Value = String> {
    prop_oneof!["[a-z0-9/._-]{0,12}", any::<String>()]
}

/// Unknown fields with tags at or above `first` (above every known tag).
fn unknown(first: u8) -> impl Strategy<Value = UnknownFields> {
    btree_map(first..=255u8, vec(any::<u8>(), 0..6), 0..3).prop_map(|fields| {
        let mut unknown = UnknownFields::default();
        for (tag, value) in fields {
            unknown.insert(tag, value);
        }
        unknown
    })
}

fn a_kind() -> impl Strategy<Value = FileKind> {
    prop_oneof![
        (any::<u64>(), a_digest(), option::of(a_digest())).prop_map(
            |(size, digest, link_group)| FileKind::Regular {
                size,
                digest,
                link_group
            }
        ),
        Just(FileKind::Directory),
        some_text().prop_map(|target| FileKind::Symlink { target }),
        (any::<u32>(), any::<u32>())
            .prop_map(|(major, minor)| FileKind::CharDevice { major, minor }),
        (any::<u32>(), any::<u32>())
            .prop_map(|(major, minor)| FileKind::BlockDevice { major, minor }),
        Just(FileKind::Fifo),
        Just(FileKind::Socket),
    ]
}

fn a_file_stream() -> impl Strategy<Value = FileStream> {
    (
        (
            a_kind(),
            0..=Mode::MAX,
            some_text(),
            some_text(),
            any::<u64>(),
        ),
        (
            any::<u64>(),
            btree_set(some_text(), 0..4),
            a_deps(),
            a_deps(),
            a_flavor(),
            unknown(17),
        ),
    )
        .prop_map(
            |(
                (kind, bits, owner, group, mtime),
                (flags, tags, provides, requires, flavor, unknown),
            )| FileStream {
                kind,
                mode: Mode::new(bits).expect("in range"),
                owner,
                group,
                mtime,
                flags: FileFlags::from_bits(flags),
                tags,
                provides,
                requires,
                flavor,
                unknown,
            },
        )
}

fn a_tuple() -> impl Strategy<Value = TroveTuple> {
    (a_name(), a_version(), a_flavor())
        .prop_map(|(name, version, flavor)| TroveTuple::new(name, version, flavor))
}

fn some_refs() -> impl Strategy<Value = BTreeMap<TroveTuple, TroveRef>> {
    btree_map(
        a_tuple(),
        (any::<bool>(), unknown(5)).prop_map(|(by_default, unknown)| TroveRef {
            by_default,
            unknown,
        }),
        0..4,
    )
}

fn a_script() -> impl Strategy<Value = TroveScript> {
    (
        some_text(),
        btree_set(any::<(u16, u16)>(), 0..3),
        unknown(3),
    )
        .prop_map(|(script, conversions, unknown)| TroveScript {
            script,
            conversions,
            unknown,
        })
}

fn some_scripts() -> impl Strategy<Value = TroveScripts> {
    (
        btree_map(select(&ScriptSlot::ALL[..]), a_script(), 0..3),
        unknown(8),
    )
        .prop_map(|(scripts, unknown)| TroveScripts { scripts, unknown })
}

fn some_metadata() -> impl Strategy<Value = Metadata> {
    (
        option::of(some_text()),
        option::of(some_text()),
        btree_set(some_text(), 0..3),
        option::of(some_text()),
        btree_set(some_text(), 0..3),
        btree_map(some_text(), some_text(), 0..3),
        unknown(12),
    )
        .prop_map(
            |(short_desc, long_desc, licenses, url, categories, key_values, unknown)| Metadata {
                short_desc,
                long_desc,
                licenses,
                url,
                categories,
                key_values,
                unknown,
            },
        )
}

fn a_capsule() -> impl Strategy<Value = Capsule> {
    (
        some_text(),
        btree_map(some_text(), some_text(), 0..3),
        unknown(3),
    )
        .prop_map(|(kind, entries, unknown)| Capsule {
            kind,
            entries,
            unknown,
        })
}

fn some_info() -> impl Strategy<Value = TroveInfo> {
    let facts = (
        option::of(any::<u64>()),
        option::of(a_name()),
        option::of(a_version()),
        option::of(any::<u64>()),
        option::of(some_text()),
        option::of(some_text()),
        option::of(a_flavor()),
        any::<u64>(),
    );
    let lineage = (
        btree_set(a_tuple(), 0..3),
        btree_set(a_tuple(), 0..2),
        option::of(a_version()),
        vec(a_version(), 0..3),
        btree_set(a_tuple(), 0..2),
    );
    let rest = (
        some_metadata(),
        option::of(a_capsule()),
        some_scripts(),
        option::of(any::<u16>()),
        option::of(any::<u64>()),
        option::of(some_text()),
        vec(some_text(), 0..3),
        btree_set(any::<u64>(), 0..4),
    );
    let changelog = option::of(
        (some_text(), some_text(), some_text(), unknown(4)).prop_map(
            |(name, contact, message, unknown)| ChangeLog {
                name,
                contact,
                message,
                unknown,
            },
        ),
    );
    (
        facts,
        lineage,
        rest,
        (vec(any::<u64>(), 0..3), changelog),
        unknown(43),
    )
        .prop_map(|(facts, lineage, rest, (mtimes, changelog), unknown)| {
            let (
                size,
                source_name,
                source_version,
                build_time,
                builder,
                conary_version,
                build_flavor,
                flags,
            ) = facts;
            let (build_requirements, loaded_troves, cloned_from, cloned_from_list, derived_from) =
                lineage;
            let (
                metadata,
                capsule,
                scripts,
                compatibility_class,
                install_time,
                factory,
                search_path,
                path_hashes,
            ) = rest;
            TroveInfo {
                size,
                source_name,
                source_version,
                build_time,
                builder,
                conary_version,
                build_flavor,
                build_requirements,
                loaded_troves,
                flags: TroveFlags::from_bits(flags),
                cloned_from,
                cloned_from_list,
                derived_from,
                metadata,
                capsule,
                scripts,
                compatibility_class,
                install_time,
                factory,
                search_path,
                path_hashes,
                mtimes,
                changelog,
                unknown,
            }
        })
}

fn some_files() -> impl Strategy<Value = BTreeMap<PathId, conary_core::trove::FileRef>> {
    btree_map(
        any::<[u8; 16]>().prop_map(PathId::from_bytes),
        (some_text(), any::<[u8; 32]>(), a_version(), unknown(5)).prop_map(
            |(path, file_id, file_version, unknown)| conary_core::trove::FileRef {
                path,
                file_id: FileId::from_bytes(file_id),
                file_version,
                unknown,
            },
        ),
        0..4,
    )
}

fn some_redirects() -> impl Strategy<Value = BTreeSet<Redirect>> {
    btree_set(
        (a_name(), select(&BRANCHES[..]), option::of(a_flavor())).prop_map(
            |(name, branch_text, flavor)| Redirect {
                name,
                branch: branch(branch_text),
                flavor,
            },
        ),
        0..3,
    )
}

fn a_trove() -> impl Strategy<Value = Trove> {
    let identity = (
        a_name(),
        a_version(),
        a_flavor(),
        select(&[TroveType::Normal, TroveType::Redirect, TroveType::Removed][..]),
        a_deps(),
        a_deps(),
    );
    let contents = (some_files(), some_refs(), some_refs(), some_redirects());
    (identity, contents, some_info(), unknown(12)).prop_map(
        |(identity, contents, info, unknown)| {
            let (name, version, flavor, trove_type, provides, requires) = identity;
            let (files, strong_refs, weak_refs, redirects) = contents;
            Trove {
                name,
                version,
                flavor,
                trove_type,
                provides,
                requires,
                files,
                strong_refs,
                weak_refs,
                redirects,
                info,
                unknown,
            }
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn file_stream_round_trips(stream in a_file_stream()) {
        let bytes = stream.encode();
        prop_assert_eq!(stream.encode(), bytes.clone(), "deterministic");
        let decoded = FileStream::decode(&bytes).expect("own encoding decodes");
        prop_assert_eq!(&decoded, &stream);
        prop_assert_eq!(decoded.encode(), bytes);
        prop_assert_eq!(decoded.file_id(), stream.file_id());
    }

    #[test]
    fn trove_round_trips(trove in a_trove()) {
        let bytes = trove.encode();
        prop_assert_eq!(trove.encode(), bytes.clone(), "deterministic");
        let decoded = Trove::decode(&bytes).expect("own encoding decodes");
        prop_assert_eq!(&decoded, &trove);
        prop_assert_eq!(decoded.encode(), bytes);
        prop_assert_eq!(decoded.digest(), trove.digest());
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in vec(any::<u8>(), 0..256)) {
        let _ = FileStream::decode(&bytes);
        let _ = Trove::decode(&bytes);
        let mut trove_like = b"CNYT\x00\x01".to_vec();
        trove_like.extend_from_slice(&bytes);
        let _ = Trove::decode(&trove_like);
    }

    #[test]
    fn decoding_mutated_encodings_never_panics(
        trove in a_trove(),
        edits in vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let mut bytes = trove.encode();
        for (index, byte) in edits {
            let position = index.index(bytes.len());
            bytes[position] = byte;
        }
        // Whatever decodes must re-encode to the very same bytes.
        if let Ok(decoded) = Trove::decode(&bytes) {
            prop_assert_eq!(decoded.encode(), bytes);
        }
    }

    #[test]
    fn mutated_file_streams_decode_canonically(
        stream in a_file_stream(),
        edits in vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let mut bytes = stream.encode();
        for (index, byte) in edits {
            let position = index.index(bytes.len());
            bytes[position] = byte;
        }
        if let Ok(decoded) = FileStream::decode(&bytes) {
            prop_assert_eq!(decoded.encode(), bytes);
        }
    }
}
