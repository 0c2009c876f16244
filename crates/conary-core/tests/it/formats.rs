//! The text-form examples of `docs/FORMATS.md` §13, checked.

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
