//! Trove manifests and trove info: helpers, textual forms, round trips.

use conary_core::digest::{FileId, PathId};
use conary_core::trove::{Trove, TroveTuple, TroveType};
use conary_core::troveinfo::{ScriptSlot, TroveFlags, TroveInfo};

use super::{FLAVORS, VERSIONS, flavor, name, sample_redirect, sample_trove, tuple, version};

#[test]
fn samples_round_trip() {
    for trove in [sample_trove(), sample_redirect()] {
        let bytes = trove.encode();
        let decoded = Trove::decode(&bytes).expect("valid");
        assert_eq!(decoded, trove);
        assert_eq!(decoded.encode(), bytes);
        assert_eq!(decoded.digest(), trove.digest());
        assert_eq!(conary_core::trove::decode_untrusted(&bytes), Ok(trove));
    }
}

#[test]
fn digest_covers_every_part() {
    let base = sample_trove();
    type Change = fn(&mut Trove);
    let changes: [(&str, Change); 8] = [
        ("flavor", |t| t.flavor = flavor(FLAVORS[0])),
        ("type", |t| t.trove_type = TroveType::Removed),
        ("by default", |t| {
            for reference in t.weak_refs.values_mut() {
                reference.by_default = true;
            }
        }),
        ("file path", |t| {
            for file in t.files.values_mut() {
                file.path.push('~');
            }
        }),
        ("size", |t| t.info.size = Some(1)),
        ("script", |t| {
            t.info.scripts.scripts.remove(&ScriptSlot::PreUpdate);
        }),
        ("metadata", |t| t.info.metadata.licenses.clear()),
        ("version timestamp", |t| {
            t.version = version(VERSIONS[0].replace("000.000", "000.001").as_str())
        }),
    ];
    for (what, change) in changes {
        let mut changed = base.clone();
        change(&mut changed);
        assert_ne!(changed.digest(), base.digest(), "{what}");
    }
}

#[test]
fn file_helpers() {
    let mut trove = Trove::new(name("foo:runtime"), version(VERSIONS[0]), flavor(""));
    let path_id = PathId::derive(b"/usr/bin/foo");
    let file_id = FileId::from_bytes([1; 32]);
    assert_eq!(
        trove.add_file(path_id, "/usr/bin/foo", file_id, version(VERSIONS[0])),
        None
    );
    let replaced = trove.add_file(path_id, "/usr/bin/foo2", file_id, version(VERSIONS[1]));
    assert_eq!(
        replaced.map(|file| file.path),
        Some("/usr/bin/foo".to_owned())
    );
    assert_eq!(
        trove.file(&path_id).map(|file| file.path.as_str()),
        Some("/usr/bin/foo2")
    );
    assert_eq!(trove.iter_files().count(), 1);
    assert!(trove.remove_file(&path_id).is_some());
    assert!(trove.files.is_empty());
    assert_eq!(trove.remove_file(&path_id), None);
}

#[test]
fn reference_helpers() {
    let mut group = Trove::new(name("group-base"), version(VERSIONS[0]), flavor(""));
    let package = tuple("foo", VERSIONS[0], FLAVORS[1]);
    let runtime = tuple("foo:runtime", VERSIONS[0], FLAVORS[1]);
    let debuginfo = tuple("foo:debuginfo", VERSIONS[0], FLAVORS[1]);
    group.add_strong_ref(package.clone(), true);
    group.add_ref(runtime.clone(), true, false);
    group.add_weak_ref(debuginfo.clone(), false);
    let strong: Vec<_> = group.iter_strong_refs().collect();
    assert_eq!(strong, [(&package, true)]);
    let weak: Vec<_> = group.iter_weak_refs().collect();
    assert!(weak.contains(&(&runtime, true)) && weak.contains(&(&debuginfo, false)));
    assert_eq!(group.iter_refs().count(), 3);
    assert_eq!(
        group.iter_refs().next(),
        Some((&package, true, true)),
        "strong references come first"
    );
    assert!(group.remove_ref(&debuginfo, false).is_some());
    assert_eq!(group.remove_ref(&debuginfo, true), None);
    assert_eq!(group.tuple().name, name("group-base"));
}

#[test]
fn collections_by_name() {
    let cases = [
        ("foo", true),
        ("group-base", true),
        ("foo:runtime", false),
        ("foo:source", false),
        ("fileset-foo", false),
    ];
    for (text, expected) in cases {
        let trove = Trove::new(name(text), version(VERSIONS[0]), flavor(""));
        assert_eq!(trove.is_collection(), expected, "{text}");
    }
}

#[test]
fn tuple_text() {
    let text = "foo:runtime=/conary.example.com@plat:1/2.2.3-4-2[is: x86_64]";
    let parsed: TroveTuple = text.parse().expect("valid tuple");
    assert_eq!(parsed.name, name("foo:runtime"));
    assert_eq!(
        parsed.version.to_string(),
        "/conary.example.com@plat:1/2.2.3-4-2"
    );
    assert_eq!(parsed.flavor, flavor(FLAVORS[1]));
    assert_eq!(parsed.to_string(), text);
    // Display then parse gives the tuple back (timestamps are not shown,
    // and versions compare without them).
    for (name_text, version_text, flavor_text) in [
        ("foo:runtime", VERSIONS[0], FLAVORS[1]),
        ("group-base", VERSIONS[3], FLAVORS[0]),
    ] {
        let original = tuple(name_text, version_text, flavor_text);
        let reparsed: TroveTuple = original.to_string().parse().expect("valid tuple");
        assert_eq!(reparsed, original);
    }
    let errors = [
        ("foo", "missing '=' after the name"),
        ("foo=/a@b:c/1-1-1", "missing '[' before the flavor"),
        ("foo=/a@b:c/1-1-1[is: x86", "missing ']' at the end"),
    ];
    for (text, reason) in errors {
        let error = text.parse::<TroveTuple>().expect_err("invalid tuple");
        assert_eq!(
            error.to_string(),
            format!("invalid trove tuple '{text}': {reason}")
        );
    }
}

#[test]
fn trove_types_and_flags() {
    for (text, trove_type) in [
        ("normal", TroveType::Normal),
        ("redirect", TroveType::Redirect),
        ("removed", TroveType::Removed),
    ] {
        assert_eq!(text.parse(), Ok(trove_type));
        assert_eq!(trove_type.to_string(), text);
        assert_eq!(
            TroveType::from_number(trove_type.number()),
            Some(trove_type)
        );
    }
    assert!("group".parse::<TroveType>().is_err());
    let flags = TroveFlags::from_bits(TroveFlags::MISSING | 0x40);
    assert_eq!(flags.to_string(), "missing,0x40");
    assert_eq!(flags.to_string().parse(), Ok(flags));
    assert!(flags.is_missing() && !flags.is_collection());
}

#[test]
fn script_slots() {
    let names = [
        ("preInstall", 4),
        ("postInstall", 1),
        ("preUpdate", 0),
        ("postUpdate", 2),
        ("preErase", 5),
        ("postErase", 6),
        ("preRollback", 7),
        ("postRollback", 3),
    ];
    for ((text, tag), slot) in names.into_iter().zip(ScriptSlot::ALL) {
        assert_eq!(slot.to_string(), text);
        assert_eq!(text.parse(), Ok(slot));
        assert_eq!(slot.tag(), tag);
        assert_eq!(ScriptSlot::from_tag(tag), Some(slot));
    }
    assert!("postinstall".parse::<ScriptSlot>().is_err());
}

#[test]
fn empty_info_is_omitted() {
    let trove = Trove::new(name("foo"), version(VERSIONS[0]), flavor(""));
    assert!(trove.info.is_empty());
    let mut with_info = trove.clone();
    with_info.info = TroveInfo {
        size: Some(0),
        ..TroveInfo::default()
    };
    assert!(with_info.encode().len() > trove.encode().len());
    assert_eq!(Trove::decode(&with_info.encode()), Ok(with_info));
}
