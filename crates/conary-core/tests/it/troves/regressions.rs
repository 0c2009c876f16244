//! Regression tests for values the encoder wrote but the decoder refused,
//! breaking `decode(encode(value))`.

use conary_core::deps::DependencySet;
use conary_core::files::{FileKind, FileStream};
use conary_core::flavor::{Flavor, FlavorClass};
use conary_core::trove::Trove;

use super::{VERSIONS, mode, name, tuple, version};

/// A flavor with only an explicitly empty class (`is:`) prints as nothing;
/// it used to be written as an empty string, which the decoder refuses.
#[test]
fn explicitly_empty_flavor_class_is_omitted() {
    let empty_is: Flavor = "is:".parse().expect("valid flavor");
    assert!(empty_is.is_empty() && empty_is != Flavor::default());

    let mut reference = tuple("foo:runtime", VERSIONS[0], "");
    reference.flavor.add_empty_class(FlavorClass::Use);
    let mut trove = Trove::new(name("foo"), version(VERSIONS[0]), empty_is.clone());
    trove.add_strong_ref(reference, true);
    let bytes = trove.encode();
    let decoded = Trove::decode(&bytes).expect("own encoding decodes");
    assert_eq!(decoded.flavor, Flavor::default());
    assert_eq!(decoded.encode(), bytes);

    let mut stream = FileStream::new(FileKind::Directory, mode(0o755), "root", "root");
    stream.flavor = empty_is;
    let bytes = stream.encode();
    let decoded = FileStream::decode(&bytes).expect("own encoding decodes");
    assert_eq!(decoded.flavor, Flavor::default());
    assert_eq!(decoded.encode(), bytes);
}

/// Frozen data may hold a `soname:` (or `abi:`, `CIL:`) dependency without
/// flags; a trove providing one used to encode to bytes its own decoder
/// refused.
#[test]
fn flagless_dependencies_from_frozen_data_round_trip() {
    for frozen in ["6#ELF64/libc.so.6", "0#ELF32", "9#System.Xml|3#/bin/sh"] {
        let provides = DependencySet::thaw(frozen).expect("old frozen data thaws");
        let mut trove = Trove::new(name("foo:lib"), version(VERSIONS[0]), Flavor::default());
        trove.provides = provides.clone();
        trove.requires = provides.clone();
        let bytes = trove.encode();
        let decoded = Trove::decode(&bytes).expect("own encoding decodes");
        assert_eq!(decoded.provides, provides, "{frozen}");
        assert_eq!(decoded.encode(), bytes, "{frozen}");

        let mut stream = FileStream::new(FileKind::Directory, mode(0o755), "root", "root");
        stream.provides = provides.clone();
        let bytes = stream.encode();
        let decoded = FileStream::decode(&bytes).expect("own encoding decodes");
        assert_eq!(decoded.provides, provides, "{frozen}");
    }
}

/// A known tag put into the kept unknown fields must never be written, even
/// when the known field itself is omitted (here: an empty flavor, a
/// directory's size, empty metadata); it used to be written raw.
#[test]
fn known_tags_in_unknown_fields_are_never_written() {
    let mut trove = Trove::new(name("foo"), version(VERSIONS[0]), Flavor::default());
    let plain = trove.encode();
    trove.unknown.insert(3, b"ssl".to_vec());
    trove.info.unknown.insert(17, b"\x01\x01a".to_vec());
    trove.info.metadata.unknown.insert(1, b"short".to_vec());
    trove.info.scripts.unknown.insert(0, b"\x01\x00".to_vec());
    assert_eq!(trove.encode(), plain);
    Trove::decode(&trove.encode()).expect("own encoding decodes");

    let mut stream = FileStream::new(FileKind::Directory, mode(0o755), "root", "root");
    let plain = stream.encode();
    stream.unknown.insert(6, vec![5]);
    stream.unknown.insert(16, b"is: x86".to_vec());
    assert_eq!(stream.encode(), plain);
}
