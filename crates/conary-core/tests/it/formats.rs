//! The text-form examples of `docs/FORMATS.md` §14, checked.

use conary_core::deps::DependencySet;
use conary_core::flavor::Flavor;
use conary_core::version::{Label, Revision, Version};

#[test]
fn versions() {
    let label: Label = "conary.rpath.com@rpl:devel".parse().expect("label");
    assert_eq!(label.to_string(), "conary.rpath.com@rpl:devel");

    let revision: Revision = "2.2.3-4-2".parse().expect("revision");
    assert_eq!(revision.upstream(), "2.2.3");
    assert_eq!(revision.source_count().to_string(), "4");
    assert_eq!(
        revision.build_count().map(ToString::to_string).as_deref(),
        Some("2")
    );

    let shadowed: Version = "/conary.rpath.com@rpl:devel//shadow/1.2.3-3.1"
        .parse()
        .expect("version");
    assert_eq!(
        shadowed.trailing_label().to_string(),
        "conary.rpath.com@rpl:shadow"
    );
    assert!(shadowed.is_modified_shadow());

    let branched: Version = "/a@b:c/1.0-1-1/d/2".parse().expect("version");
    assert_eq!(branched.trailing_label().to_string(), "a@b:d");
    assert_eq!(branched.trailing_revision().to_string(), "1.0-1-2");
    assert_eq!(branched.to_string(), "/a@b:c/1.0-1-1/d/2");

    let frozen = Version::thaw("/a@b:c/1234567890.123:1.0-1/d/1234567900.5:2").expect("frozen");
    assert_eq!(
        frozen.freeze(),
        "/a@b:c/1234567890.123:1.0-1/d/1234567900.500:2"
    );
    assert_eq!(frozen.to_string(), "/a@b:c/1.0-1/d/2");
    let one = Version::thaw("/a@b:c/1234567890.123:1.0-1-1").expect("frozen");
    assert_eq!(
        one.timestamp().map(|t| t.to_string()).as_deref(),
        Some("1234567890.123")
    );
}

#[test]
fn flavors() {
    #[rustfmt::skip]
    let cases = [
        ("ssl,!pam,~builddocs,~!bootstrap is: x86(sse2,i686) x86_64 target: arm",
         "~!bootstrap,~builddocs,!pam,ssl is: x86(i686,sse2) x86_64 target: arm",
         "1#x86:i686:sse2|1#x86_64|5#use:~!bootstrap:~builddocs:!pam:ssl|15#arm"),
        ("use: kernel.smp is:", "kernel.smp", "5#use:kernel.smp"),
    ];
    for (text, canonical, frozen) in cases {
        let flavor: Flavor = text.parse().expect("flavor");
        assert_eq!(flavor.to_string(), canonical);
        assert_eq!(flavor.freeze(), frozen);
    }
}

#[test]
fn dependencies() {
    let set: DependencySet =
        "trove: foo:runtime file: /bin/sh soname: ELF64/libc.so.6(SysV x86_64 GLIBC_2.34) rpm: config[foo](rpmlib:1)"
            .parse()
            .expect("dependency set");
    assert_eq!(
        set.to_string(),
        "file: /bin/sh\ntrove: foo:runtime\nsoname: ELF64/libc.so.6(GLIBC_2.34 SysV x86_64)\nrpm: config[foo](rpmlib:1)"
    );
    assert_eq!(
        set.freeze(),
        "3#/bin/sh|4#foo::runtime|6#ELF64/libc.so.6:GLIBC_2.34:SysV:x86_64|16#config[foo]:rpmlib\\:1"
    );
    assert_eq!(DependencySet::thaw(&set.freeze()), Ok(set));
}

/// Parses `text` as a `T`; when it parses, the printed form must parse and
/// print the same again (it is canonical). Values are not compared: a
/// flavor's explicitly empty class (`is:`) prints as nothing, by design.
fn stable<T>(text: &str)
where
    T: std::str::FromStr + std::fmt::Display,
{
    if let Ok(value) = text.parse::<T>() {
        let printed = value.to_string();
        let again: T = printed
            .parse()
            .unwrap_or_else(|_| panic!("'{printed}' (from '{text}') must parse"));
        assert_eq!(again.to_string(), printed, "'{text}'");
    }
}

proptest::proptest! {
    /// Every text parser of the crate is total: any input gives a value or
    /// an error, never a panic; and what parses prints canonically.
    #[test]
    fn every_text_parser_is_total(text in "\\PC{0,40}") {
        every_parser(&text);
    }

    /// The same on text made of the characters the grammars use, which
    /// parses far more often.
    #[test]
    fn near_misses_parse_canonically(
        text in "(is: |use: |target: |file: |soname: |trove: |deb: |unknown-9: |[a-c0-2/@:.=,()!~#| _-]|\\[|\\]|<<|>=){0,16}",
    ) {
        every_parser(&text);
    }
}

fn every_parser(text: &str) {
    let text = text.to_owned();
    {
        use conary_core::deps::{DebConstraint, DebRelation, DebVersion, DepClass, Dependency};
        use conary_core::digest::{Digest, FileId, PathId};
        use conary_core::files::{FileFlags, FileType, Mode};
        use conary_core::name::{TroveKind, TroveName};
        use conary_core::trove::{TroveTuple, TroveType};
        use conary_core::troveinfo::{ScriptSlot, TroveFlags};
        use conary_core::version::{
            Branch, LabelSpec, RevisionSpec, SerialNumber, Timestamp, VersionSpec,
        };

        stable::<Label>(&text);
        stable::<Revision>(&text);
        stable::<SerialNumber>(&text);
        stable::<Timestamp>(&text);
        stable::<Branch>(&text);
        stable::<Version>(&text);
        stable::<VersionSpec>(&text);
        stable::<LabelSpec>(&text);
        stable::<RevisionSpec>(&text);
        stable::<Flavor>(&text);
        stable::<DependencySet>(&text);
        stable::<Dependency>(&text);
        stable::<DepClass>(&text);
        stable::<DebVersion>(&text);
        stable::<DebConstraint>(&text);
        stable::<DebRelation>(&text);
        stable::<TroveName>(&text);
        stable::<TroveKind>(&text);
        stable::<TroveTuple>(&text);
        stable::<TroveType>(&text);
        stable::<Digest>(&text);
        stable::<PathId>(&text);
        stable::<FileId>(&text);
        stable::<Mode>(&text);
        stable::<FileFlags>(&text);
        stable::<FileType>(&text);
        stable::<TroveFlags>(&text);
        stable::<ScriptSlot>(&text);
        let _ = DependencySet::parse_stored(&text);
        let _ = DependencySet::thaw(&text);
        let _ = Flavor::thaw(&text);
        let _ = Version::thaw(&text);
        let _ = Branch::thaw(&text);
        let _ = Revision::thaw(&text);
    }
}
