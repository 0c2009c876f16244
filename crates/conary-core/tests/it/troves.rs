//! Tests for file streams, trove manifests, trove info and the canonical
//! encoding.

mod encoding;
mod files;
mod manifests;
mod props;
mod regressions;

use conary_core::deps::DependencySet;
use conary_core::digest::{Digest, FileId, PathId};
use conary_core::files::{FileKind, FileStream, Mode};
use conary_core::flavor::Flavor;
use conary_core::name::TroveName;
use conary_core::trove::{Trove, TroveTuple, TroveType};
use conary_core::troveinfo::{Capsule, ScriptSlot, TroveFlags, TroveScript};
use conary_core::version::{Branch, Version};

/// Frozen versions (with timestamps) used throughout.
const VERSIONS: [&str; 4] = [
    "/conary.example.com@plat:1/1700000000.000:2.2.3-4-2",
    "/conary.example.com@plat:1/1700000100.500:2.2.3-4-3",
    "/conary.example.com@plat:1/1700000200.250:2.2.4-1-1",
    "/conary.example.com@plat:devel/1700000300.000:3.0-1-1",
];
const NAMES: [&str; 6] = [
    "foo",
    "foo:runtime",
    "foo:lib",
    "bar:devel",
    "group-base",
    "fileset-foo",
];
const FLAVORS: [&str; 3] = ["", "is: x86_64", "ssl is: x86_64"];
const DEPS: [&str; 3] = [
    "",
    "soname: ELF64/libc.so.6(GLIBC_2.34 SysV x86_64)",
    "trove: foo:runtime",
];
const BRANCHES: [&str; 2] = [
    "/conary.example.com@plat:1",
    "/conary.example.com@plat:devel",
];

fn version(text: &str) -> Version {
    Version::thaw(text).expect("test versions are valid frozen versions")
}

fn name(text: &str) -> TroveName {
    text.parse().expect("test names are valid")
}

fn flavor(text: &str) -> Flavor {
    text.parse().expect("test flavors are valid")
}

fn deps(text: &str) -> DependencySet {
    text.parse().expect("test dependency sets are valid")
}

fn branch(text: &str) -> Branch {
    text.parse().expect("test branches are valid")
}

fn mode(bits: u32) -> Mode {
    Mode::new(bits).expect("test modes are valid")
}

fn tuple(name_text: &str, version_text: &str, flavor_text: &str) -> TroveTuple {
    TroveTuple::new(name(name_text), version(version_text), flavor(flavor_text))
}

/// A regular file with everything set.
fn sample_file() -> FileStream {
    let kind = FileKind::Regular {
        size: 12345,
        digest: Digest::of(b"contents"),
        link_group: None,
    };
    let mut stream = FileStream::new(kind, mode(0o755), "root", "wheel");
    stream.mtime = 1_700_000_000;
    stream.tags.insert("shlib".to_owned());
    stream.tags.insert("info-file".to_owned());
    stream.provides = deps(DEPS[1]);
    stream.requires = deps(DEPS[2]);
    stream.flavor = flavor(FLAVORS[1]);
    stream
        .flags
        .set(conary_core::files::FileFlags::CONFIG, true);
    stream
}

/// A component and package trove with most fields set.
fn sample_trove() -> Trove {
    let mut trove = Trove::new(
        name("foo:runtime"),
        version(VERSIONS[0]),
        flavor(FLAVORS[1]),
    );
    trove.provides = deps(DEPS[2]);
    trove.requires = deps(DEPS[1]);
    let file = sample_file();
    trove.add_file(
        PathId::derive(b"/usr/bin/foo"),
        "/usr/bin/foo",
        file.file_id(),
        version(VERSIONS[0]),
    );
    trove.add_file(
        PathId::derive(b"/etc/foo.conf"),
        "/etc/foo.conf",
        FileId::from_bytes([7; 32]),
        version(VERSIONS[1]),
    );
    trove.add_strong_ref(tuple("foo:lib", VERSIONS[0], FLAVORS[1]), true);
    trove.add_weak_ref(tuple("bar:devel", VERSIONS[2], FLAVORS[0]), false);
    let info = &mut trove.info;
    info.size = Some(4096);
    info.source_name = Some(name("foo"));
    info.source_version = Some(version(VERSIONS[0]));
    info.build_time = Some(1_700_000_000);
    info.builder = Some("builder@example.com".to_owned());
    info.conary_version = Some("3.0.0".to_owned());
    info.build_flavor = Some(flavor(FLAVORS[2]));
    info.build_requirements
        .insert(tuple("bar:devel", VERSIONS[2], FLAVORS[1]));
    info.loaded_troves
        .insert(tuple("foo", VERSIONS[3], FLAVORS[0]));
    info.flags.set(TroveFlags::DERIVED, true);
    info.cloned_from = Some(version(VERSIONS[3]));
    info.cloned_from_list = vec![version(VERSIONS[3]), version(VERSIONS[2])];
    info.derived_from
        .insert(tuple("foo", VERSIONS[1], FLAVORS[1]));
    info.metadata.short_desc = Some("the foo tool".to_owned());
    info.metadata.long_desc = Some("Foo does things.\n".to_owned());
    info.metadata.licenses.insert("MIT".to_owned());
    info.metadata.url = Some("https://foo.example.com/".to_owned());
    info.metadata
        .categories
        .insert("Development/Tools".to_owned());
    info.metadata
        .key_values
        .insert("maintainer".to_owned(), "Jo".to_owned());
    let mut capsule = Capsule::new("deb");
    capsule
        .entries
        .insert("postinst".to_owned(), "#!/bin/sh\nexit 0\n".to_owned());
    info.capsule = Some(capsule);
    let mut script = TroveScript::new("#!/bin/sh\necho rollback\n");
    script.conversions.insert((2, 1));
    info.scripts.set(ScriptSlot::PostRollback, script);
    info.scripts
        .set(ScriptSlot::PreUpdate, TroveScript::new("#!/bin/sh\n"));
    info.compatibility_class = Some(2);
    info.install_time = Some(1_700_000_500);
    info.factory = Some("factory-debian".to_owned());
    info.search_path = vec![
        "conary.example.com@plat:1".to_owned(),
        "group-base".to_owned(),
    ];
    info.path_hashes
        .insert(conary_core::troveinfo::path_hash("/usr/bin/foo"));
    info.path_hashes
        .insert(conary_core::troveinfo::path_hash("/etc/foo.conf"));
    info.mtimes = vec![1_700_000_000, 0];
    trove
}

/// A redirect trove.
fn sample_redirect() -> Trove {
    let mut trove = Trove::new(name("foo"), version(VERSIONS[1]), flavor(""));
    trove.trove_type = TroveType::Redirect;
    trove.add_redirect(name("bar"), branch(BRANCHES[1]), None);
    trove.add_redirect(name("foo"), branch(BRANCHES[0]), Some(flavor(FLAVORS[1])));
    trove
}

/// Splits an object into (header without body length, body).
fn split_object(bytes: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let header = bytes[..6].to_vec();
    let mut position = 6;
    while bytes[position] & 0x80 != 0 {
        position += 1;
    }
    (header, bytes[position + 1..].to_vec())
}

/// Rebuilds an object from a header (magic and format) and a body.
fn join_object(header: &[u8], body: &[u8]) -> Vec<u8> {
    let mut out = header.to_vec();
    conary_core::encoding::write_varint(&mut out, body.len() as u64);
    out.extend_from_slice(body);
    out
}
