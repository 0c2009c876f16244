//! `cvc import-deb` over every package of the corpus.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::BufReader;

use conary_build::deb::{ComponentSuffix, DebEntryKind, DebVersion, deb_to_conary_upstream};
use conary_build::import::{
    DigestOnlySink, ImportCheck, ImportError, ImportOptions, ImportedPackage, MemorySink,
    StoreSink, capsule_member, check_import, import_deb, order_for_import, path_id_for,
};
use conary_core::deps::DepClass;
use conary_core::digest::Digest;
use conary_core::files::FileKind;
use conary_core::flavor::Flavor;
use conary_core::version::{Label, Timestamp, Version};

use crate::corpus::{corpus_dir, deb_files, read_package};
use crate::deb_versions::DPKG_ORDER;

const LABEL: &str = "deb.example.com@debian:bookworm";

fn label() -> Label {
    LABEL.parse().expect("test label")
}

fn import_with(name: &str, sink: &mut dyn conary_build::import::ContentSink) -> ImportedPackage {
    let path = corpus_dir().join(name);
    let file = File::open(&path).unwrap_or_else(|err| panic!("open {}: {err}", path.display()));
    import_deb(
        BufReader::new(file),
        &label(),
        &ImportOptions::default(),
        sink,
    )
    .unwrap_or_else(|err| panic!("{name}: {err}"))
}

fn import(name: &str) -> ImportedPackage {
    import_with(name, &mut DigestOnlySink)
}

/// Every package imports; its troves, files and contents agree with what
/// the reader sees, and importing twice gives the same troves.
#[test]
fn every_corpus_package() {
    for name in deb_files() {
        let read = read_package(&name);
        let mut sink = MemorySink::new();
        let imported = import_with(&name, &mut sink);
        let control = read.metadata.control();
        let version: DebVersion = control.version().expect("version");

        // One file per data entry but the archive root.
        let entries: BTreeMap<&str, _> = read.by_path();
        let paths: BTreeSet<&str> = entries.keys().copied().filter(|p| *p != "/").collect();
        let files: BTreeSet<&str> = imported.files().keys().map(String::as_str).collect();
        assert_eq!(files, paths, "{name}");

        // The troves: one version, one flavor; components hold every file once.
        let expected_version = format!("/{LABEL}/{}-1-1", deb_to_conary_upstream(&version));
        let flavor = match control.architecture().expect("architecture") {
            "all" => "",
            "amd64" => "is: x86_64",
            other => panic!("{name}: unexpected architecture {other}"),
        };
        let package = imported.package();
        assert_eq!(package.name.as_str(), control.package().expect("package"));
        for trove in imported.troves() {
            assert_eq!(trove.version.to_string(), expected_version, "{name}");
            assert_eq!(trove.version.timestamp(), None, "{name}");
            assert_eq!(trove.flavor.to_string(), flavor, "{name}");
            assert_eq!(
                trove.info.source_name.as_ref().map(ToString::to_string),
                Some(format!("{}:source", package.name)),
                "{name}"
            );
        }
        let in_components: usize = imported.components().values().map(|t| t.files.len()).sum();
        assert_eq!(in_components, files.len(), "{name}");
        let referenced: Vec<String> = package
            .iter_strong_refs()
            .map(|(tuple, by_default)| {
                assert!(by_default, "{name}: {tuple}");
                assert_eq!(tuple.version, package.version);
                tuple.name.to_string()
            })
            .collect();
        let components: Vec<String> = imported
            .components()
            .values()
            .map(|trove| trove.name.to_string())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        assert_eq!(referenced, components, "{name}");
        for (suffix, trove) in imported.components() {
            assert_eq!(
                trove.provides.to_string(),
                format!("trove: {}{suffix}", package.name),
                "{name}"
            );
            for (path_id, file) in trove.iter_files() {
                let imported_file = imported.file(&file.path).expect("file of a component");
                assert_eq!(imported_file.component, *suffix, "{name}: {}", file.path);
                assert_eq!(*path_id, path_id_for(package.name.as_str(), &file.path));
            }
        }
        let exact = format!("deb: {}(={version})", package.name);
        assert!(
            package
                .provides
                .to_string()
                .lines()
                .any(|line| line == exact),
            "{name}: {}",
            package.provides
        );

        // Streams match the entries; contents are in the sink.
        let mut digests = BTreeSet::new();
        for (path, file) in imported.files() {
            let entry = entries.get(path.as_str()).expect("entry of the path");
            let stream = &file.stream;
            assert_eq!(u32::from(stream.mode.bits()), entry.mode, "{name}: {path}");
            assert_eq!(stream.mtime, entry.mtime, "{name}: {path}");
            assert_eq!(stream.owner, entry.owner.to_string(), "{name}: {path}");
            assert_eq!(stream.group, entry.group.to_string(), "{name}: {path}");
            assert_eq!(
                stream.flags.is_config(),
                entry.is_regular() && read.metadata.is_conffile(path),
                "{name}: {path}"
            );
            match (&entry.kind, &stream.kind) {
                (
                    DebEntryKind::Regular,
                    FileKind::Regular {
                        size,
                        digest,
                        link_group,
                    },
                ) => {
                    assert_eq!(*size, entry.size, "{name}: {path}");
                    assert_eq!(*link_group, None, "{name}: no hard links in the corpus");
                    let contents = sink.get(digest).expect("contents in the sink");
                    assert_eq!(Digest::of(contents), *digest, "{name}: {path}");
                    assert_eq!(contents.len() as u64, *size, "{name}: {path}");
                    digests.insert(*digest);
                }
                (DebEntryKind::Directory, FileKind::Directory) => {}
                (DebEntryKind::Symlink { target }, FileKind::Symlink { target: found }) => {
                    assert_eq!(found, target, "{name}: {path}");
                }
                (entry_kind, kind) => panic!("{name}: {path}: {entry_kind} became {kind:?}"),
            }
        }
        assert_eq!(imported.contents(), &digests, "{name}");
        assert_eq!(sink.len(), digests.len(), "{name}");

        // Deterministic: a second import (into another sink) is identical.
        let again = import(&name);
        assert_eq!(again, imported, "{name}");
        let trove_digests = |imported: &ImportedPackage| -> Vec<Digest> {
            imported.troves().map(|trove| trove.digest()).collect()
        };
        assert_eq!(trove_digests(&again), trove_digests(&imported), "{name}");
    }
}

/// Components and their file counts (directories included), checked
/// against `dpkg-deb -c` when the table was written.
#[test]
fn components_and_file_counts() {
    use ComponentSuffix::{Config, Data, Devel, Doc, Lib, Locale, Runtime};
    let cases: &[(&str, &[(ComponentSuffix, usize)])] = &[
        (
            "ca-certificates_20250419~deb12u2_all.deb",
            &[(Runtime, 8), (Doc, 25), (Data, 151)],
        ),
        (
            "curl_7.88.1-10+deb12u15_amd64.deb",
            &[(Runtime, 3), (Doc, 9), (Data, 3)],
        ),
        (
            "libcurl4_7.88.1-10+deb12u15_amd64.deb",
            &[(Lib, 5), (Doc, 6)],
        ),
        ("libexpat1_2.5.0-1+deb12u5_amd64.deb", &[(Lib, 9), (Doc, 7)]),
        ("libssl3_3.0.22-1~deb12u2_amd64.deb", &[(Lib, 11), (Doc, 6)]),
        (
            "nginx-common_1.22.1-9+deb12u11_all.deb",
            &[(Runtime, 11), (Lib, 4), (Doc, 6), (Config, 24), (Data, 21)],
        ),
        ("nginx-core_1.22.1-9+deb12u11_all.deb", &[(Doc, 8)]),
        (
            "openssl_3.0.22-1~deb12u2_amd64.deb",
            &[(Runtime, 6), (Lib, 10), (Doc, 298), (Config, 3), (Data, 3)],
        ),
        (
            "redis-server_5%3a7.0.15-1~deb12u10_amd64.deb",
            &[(Runtime, 5), (Lib, 5), (Doc, 12), (Config, 7)],
        ),
        (
            "redis-tools_5%3a7.0.15-1~deb12u10_amd64.deb",
            &[(Runtime, 6), (Doc, 18), (Data, 4)],
        ),
        (
            "rsyslog_8.2302.0-1+deb12u2_amd64.deb",
            &[(Runtime, 6), (Lib, 48), (Doc, 20), (Config, 7)],
        ),
        (
            "sudo_1.9.13p3-1+deb12u4_amd64.deb",
            &[
                (Runtime, 28),
                (Lib, 7),
                (Devel, 3),
                (Doc, 41),
                (Config, 8),
                (Data, 7),
                (Locale, 151),
            ],
        ),
        ("tzdata_2026f-0+deb12u1_all.deb", &[(Doc, 8), (Data, 1311)]),
        (
            "xz-utils_5.4.1-1+deb12u2_amd64.deb",
            &[(Runtime, 13), (Doc, 162), (Locale, 70)],
        ),
    ];
    for (name, expected) in cases {
        let imported = import(name);
        let found: Vec<(ComponentSuffix, usize)> = imported
            .components()
            .iter()
            .map(|(suffix, trove)| (*suffix, trove.files.len()))
            .collect();
        assert_eq!(found, *expected, "{name}");
    }
}

#[test]
fn sudo_is_setuid_root() {
    let imported = import("sudo_1.9.13p3-1+deb12u4_amd64.deb");
    let sudo = imported.file("/usr/bin/sudo").expect("sudo");
    assert_eq!(sudo.component, ComponentSuffix::Runtime);
    let stream = &sudo.stream;
    assert!(stream.mode.is_setuid());
    assert_eq!(stream.mode.bits(), 0o4755);
    assert_eq!(
        (stream.owner.as_str(), stream.group.as_str()),
        ("root", "root")
    );
    assert_eq!(stream.size(), Some(281_624));
    assert!(!stream.flags.is_config());
    assert!(
        stream
            .ls_line("/usr/bin/sudo")
            .starts_with("-rwsr-xr-x root     root ")
    );
    let readme = &imported
        .file("/etc/sudoers.d/README")
        .expect("README")
        .stream;
    assert_eq!(readme.mode.bits(), 0o440);
    assert!(readme.flags.is_config());
    let runtime = imported
        .component(ComponentSuffix::Runtime)
        .expect("runtime");
    assert!(runtime.file(&sudo.path_id).is_some());
}

#[test]
fn nginx_conffiles_are_config() {
    let imported = import("nginx-common_1.22.1-9+deb12u11_all.deb");
    let conf = imported.file("/etc/nginx/nginx.conf").expect("nginx.conf");
    assert!(conf.stream.flags.is_config());
    assert_eq!(conf.component, ComponentSuffix::Config);
    let conffiles = imported.deb_metadata().conffiles();
    assert!(conffiles.len() > 10);
    for path in conffiles.keys() {
        let file = imported.file(path).expect("conffile in the package");
        assert!(file.stream.flags.is_config(), "{path}");
    }
    let config_flagged = imported
        .files()
        .values()
        .filter(|file| file.stream.flags.is_config())
        .count();
    assert_eq!(config_flagged, conffiles.len());
    let directory = imported.file("/etc/nginx/conf.d").expect("conf.d");
    assert_eq!(directory.stream.kind, FileKind::Directory);
    assert!(!directory.stream.flags.is_config());
}

#[test]
fn symlink_targets() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "libexpat1_2.5.0-1+deb12u5_amd64.deb",
            "/lib/x86_64-linux-gnu/libexpat.so.1",
            "libexpat.so.1.8.10",
        ),
        (
            "nginx-common_1.22.1-9+deb12u11_all.deb",
            "/usr/share/nginx/modules",
            "../../lib/nginx/modules",
        ),
    ];
    for (name, path, target) in cases {
        let imported = import(name);
        let file = imported.file(path).expect("symlink");
        assert_eq!(
            file.stream.symlink_target(),
            Some(*target),
            "{name}: {path}"
        );
        assert_eq!(file.stream.mode.bits(), 0o777, "{name}: {path}");
    }
    let tzdata = import("tzdata_2026f-0+deb12u1_all.deb");
    let symlinks = tzdata
        .files()
        .values()
        .filter(|file| file.stream.symlink_target().is_some())
        .count();
    assert_eq!(symlinks, 365, "as dpkg-deb -c lists them");
}

#[test]
fn path_ids_are_stable_across_versions() {
    for (package, versions) in DPKG_ORDER {
        let imports: Vec<ImportedPackage> = deb_files()
            .into_iter()
            .filter(|name| name.split('_').next() == Some(package))
            .map(|name| import(&name))
            .collect();
        assert_eq!(imports.len(), versions.len(), "{package}");
        let mut common = 0;
        for pair in imports.windows(2) {
            let [older, newer] = pair else { continue };
            assert_ne!(older.package().version, newer.package().version);
            for (path, file) in older.files() {
                if let Some(other) = newer.file(path) {
                    assert_eq!(file.path_id, other.path_id, "{package}: {path}");
                    common += 1;
                }
            }
        }
        assert!(common > 0, "{package}");
    }
    // The same path in two packages has two pathIds.
    let curl = import("curl_7.88.1-10+deb12u15_amd64.deb");
    let libcurl = import("libcurl4_7.88.1-10+deb12u15_amd64.deb");
    let shared = "/usr/share/doc";
    assert_ne!(
        curl.file(shared).expect("curl doc dir").path_id,
        libcurl.file(shared).expect("libcurl doc dir").path_id
    );
}

#[test]
fn deb_dependencies() {
    let curl = import("curl_7.88.1-10+deb12u5_amd64.deb");
    assert_eq!(
        curl.package().requires.to_string(),
        "deb: libc6(>=2.34)\ndeb: libcurl4(=7.88.1-10+deb12u5)\ndeb: zlib1g(>=1:1.1.4)"
    );
    let libcurl_requirement = curl
        .package()
        .requires
        .get(DepClass::Deb, "libcurl4")
        .expect("curl requires libcurl4");
    let libcurl = import("libcurl4_7.88.1-10+deb12u5_amd64.deb");
    assert!(
        libcurl
            .package()
            .provides
            .satisfies_dependency(libcurl_requirement)
    );
    let newer_libcurl = import("libcurl4_7.88.1-10+deb12u15_amd64.deb");
    assert!(
        !newer_libcurl
            .package()
            .provides
            .satisfies_dependency(libcurl_requirement)
    );

    // Alternatives: the first one is the requirement, the field is kept.
    let nginx = import("nginx-common_1.22.1-9+deb12u11_all.deb");
    assert_eq!(nginx.package().requires.to_string(), "deb: debconf(>=0.5)");
    let capsule = nginx.package().info.capsule.as_ref().expect("capsule");
    assert_eq!(
        capsule.entries.get("field:Depends").map(String::as_str),
        Some("debconf (>= 0.5) | debconf-2.0")
    );
    // Virtual packages.
    let rsyslog = import("rsyslog_8.2302.0-1+deb12u2_amd64.deb");
    assert_eq!(
        rsyslog.package().provides.to_string(),
        "deb: linux-kernel-log-daemon\ndeb: rsyslog(=8.2302.0-1+deb12u2)\ndeb: system-log-daemon"
    );
    for component in rsyslog.components().values() {
        assert!(component.requires.is_empty());
    }
}

#[test]
fn trove_info_and_capsule() {
    let name = "nginx-common_1.22.1-9+deb12u11_all.deb";
    let imported = import(name);
    let read = read_package(name);
    let package = imported.package();
    let info = &package.info;
    assert!(info.flags.is_collection());
    assert_eq!(
        info.metadata.short_desc.as_deref(),
        Some("small, powerful, scalable web/proxy server - common files")
    );
    let long = info
        .metadata
        .long_desc
        .as_deref()
        .expect("long description");
    assert!(
        long.starts_with(
            "Nginx (\"engine X\") is a high-performance web and reverse proxy server\n"
        )
    );
    assert!(!long.contains("\n ."), "{long}");
    assert_eq!(info.metadata.url.as_deref(), Some("https://nginx.org"));
    let newest = read.entries.iter().map(|entry| entry.mtime).max();
    assert_eq!(info.build_time, newest);
    let sizes: u64 = imported
        .components()
        .values()
        .filter_map(|t| t.info.size)
        .sum();
    assert_eq!(info.size, Some(sizes));
    assert_eq!(info.size, Some(read.summary.regular_bytes));
    assert!(
        info.scripts.scripts.is_empty(),
        "maintainer scripts are never run"
    );

    let capsule = info.capsule.as_ref().expect("capsule");
    assert_eq!(capsule.kind, "deb");
    for (field, value) in read.metadata.control().fields() {
        assert_eq!(
            capsule
                .entries
                .get(&format!("field:{field}"))
                .map(String::as_str),
            Some(value),
            "{field}"
        );
    }
    assert_eq!(
        capsule.entries.get("field:Source").map(String::as_str),
        Some("nginx")
    );
    for member in [
        "control",
        "conffiles",
        "md5sums",
        "preinst",
        "postinst",
        "prerm",
        "postrm",
        "config",
        "templates",
    ] {
        let stored = read.metadata.member(member).expect("member in the package");
        assert_eq!(
            capsule_member(capsule, member).as_deref(),
            Some(stored),
            "{member}"
        );
    }
    assert_eq!(
        capsule.entries.len(),
        read.metadata.control().fields().count() + 9
    );
    for component in imported.components().values() {
        assert!(component.info.capsule.is_none());
        assert_eq!(component.info.metadata, info.metadata);
        assert_eq!(component.info.path_hashes.len(), component.files.len());
    }
}

#[test]
fn store_sink_over_the_filesystem() {
    let directory = tempfile::tempdir().expect("temporary directory");
    let url = format!("file://{}", directory.path().display());
    let store = conary_store::open_store(&url).expect("filesystem store");
    let imported = import_with(
        "libexpat1_2.5.0-1+deb12u5_amd64.deb",
        &mut StoreSink::new(store.as_ref()),
    );
    for digest in imported.contents() {
        let name = conary_store::Digest::from_bytes(*digest.as_bytes());
        let bytes = store.get_bytes(&name).expect("stored contents");
        assert_eq!(Digest::of(&bytes), *digest);
    }
}

/// A batch in import order, committed one by one: every import is new,
/// re-importing is a no-op, and an older version is refused unless forced.
#[test]
fn import_order_over_the_corpus() {
    let mut paths: Vec<_> = deb_files()
        .into_iter()
        .map(|name| corpus_dir().join(name))
        .collect();
    paths.reverse();
    let ordered = order_for_import(&paths).expect("every package orders");
    assert_eq!(ordered.len(), paths.len());
    for (package, versions) in DPKG_ORDER {
        let found: Vec<String> = ordered
            .iter()
            .filter(|candidate| candidate.package == *package)
            .map(|candidate| candidate.version.to_string())
            .collect();
        assert_eq!(found, *versions, "{package}");
    }
    let mut branch: BTreeMap<String, Vec<(Version, Flavor)>> = BTreeMap::new();
    for (index, candidate) in ordered.iter().enumerate() {
        let file = BufReader::new(File::open(&candidate.path).expect("open"));
        let imported = import_deb(
            file,
            &label(),
            &ImportOptions::default(),
            &mut DigestOnlySink,
        )
        .expect("imports");
        let flavor = imported.package().flavor.clone();
        let on_branch = branch.entry(candidate.package.clone()).or_default();
        let check = check_import(
            &candidate.package,
            &candidate.version,
            &flavor,
            on_branch,
            false,
        )
        .expect("in order, nothing is refused");
        assert_eq!(check, ImportCheck::New, "{candidate}");
        let committed = imported
            .package()
            .version
            .clone()
            .with_timestamp(Some(Timestamp::from_millis(1_000 * (index as u64 + 1))));
        on_branch.push((committed, flavor.clone()));
        let again = check_import(
            &candidate.package,
            &candidate.version,
            &flavor,
            on_branch,
            false,
        )
        .expect("re-import");
        assert!(!again.should_import(), "{candidate}");
    }
    for (package, versions) in DPKG_ORDER {
        let on_branch = branch.get(*package).expect("committed");
        let oldest: DebVersion = versions
            .first()
            .expect("a version")
            .parse()
            .expect("version");
        // An older version that is not on the branch: between nothing and the oldest.
        let older: DebVersion = format!("{oldest}~older").parse().expect("older version");
        let flavor = on_branch
            .first()
            .map(|(_, flavor)| flavor.clone())
            .unwrap_or_default();
        let refused = check_import(package, &older, &flavor, on_branch, false);
        assert!(
            matches!(refused, Err(ImportError::OlderThanBranch { .. })),
            "{package}: {refused:?}"
        );
        let forced = check_import(package, &older, &flavor, on_branch, true).expect("forced");
        assert!(
            matches!(forced, ImportCheck::ForcedOlder { .. }),
            "{package}"
        );
    }
}
