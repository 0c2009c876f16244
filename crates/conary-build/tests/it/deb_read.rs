//! Reading every package of the corpus, checked against `dpkg-deb -c`.

use conary_build::deb::{ComponentSuffix, DebEntryKind, DebRelation, DebVersion, component_for};

use crate::corpus::{deb_files, read_package};

/// Per package, from `dpkg-deb -c` (dpkg 1.21) when this table was written:
/// entries, sum of the size column, symlinks, directories.
const DPKG_LISTING: &[(&str, u64, u64, u64, u64)] = &[
    (
        "ca-certificates_20230311+deb12u1_all.deb",
        179,
        252_936,
        0,
        20,
    ),
    (
        "ca-certificates_20250419~deb12u2_all.deb",
        185,
        259_747,
        0,
        20,
    ),
    ("curl_7.88.1-10+deb12u15_amd64.deb", 16, 485_406, 0, 10),
    ("curl_7.88.1-10+deb12u5_amd64.deb", 16, 483_831, 0, 10),
    ("libcurl4_7.88.1-10+deb12u15_amd64.deb", 12, 842_336, 1, 7),
    ("libcurl4_7.88.1-10+deb12u5_amd64.deb", 12, 844_856, 1, 7),
    ("libexpat1_2.5.0-1+deb12u2_amd64.deb", 17, 373_266, 2, 9),
    ("libexpat1_2.5.0-1+deb12u5_amd64.deb", 17, 398_845, 2, 9),
    ("libssl3_3.0.17-1~deb12u2_amd64.deb", 18, 5_899_805, 0, 9),
    ("libssl3_3.0.20-1~deb12u2_amd64.deb", 18, 5_908_293, 0, 9),
    ("libssl3_3.0.22-1~deb12u2_amd64.deb", 18, 5_920_651, 0, 9),
    ("nginx-common_1.22.1-9+deb12u11_all.deb", 67, 264_086, 1, 37),
    ("nginx-common_1.22.1-9+deb12u9_all.deb", 67, 263_318, 1, 37),
    ("nginx-core_1.22.1-9+deb12u11_all.deb", 9, 86_671, 0, 5),
    ("nginx-core_1.22.1-9+deb12u9_all.deb", 9, 85_903, 0, 5),
    ("openssl_3.0.17-1~deb12u2_amd64.deb", 321, 2_135_627, 94, 20),
    ("openssl_3.0.20-1~deb12u2_amd64.deb", 321, 2_141_737, 94, 20),
    ("openssl_3.0.22-1~deb12u2_amd64.deb", 321, 2_147_082, 94, 20),
    (
        "redis-server_5%3a7.0.15-1~deb12u10_amd64.deb",
        30,
        153_589,
        2,
        16,
    ),
    (
        "redis-server_5%3a7.0.15-1~deb12u7_amd64.deb",
        30,
        153_089,
        2,
        16,
    ),
    (
        "redis-tools_5%3a7.0.15-1~deb12u10_amd64.deb",
        29,
        5_951_977,
        1,
        12,
    ),
    (
        "redis-tools_5%3a7.0.15-1~deb12u7_amd64.deb",
        29,
        5_951_477,
        1,
        12,
    ),
    ("rsyslog_8.2302.0-1+deb12u1_amd64.deb", 82, 1_921_625, 0, 27),
    ("rsyslog_8.2302.0-1+deb12u2_amd64.deb", 82, 1_921_734, 0, 27),
    ("sudo_1.9.13p3-1+deb12u2_amd64.deb", 246, 6_000_923, 5, 111),
    ("sudo_1.9.13p3-1+deb12u4_amd64.deb", 246, 6_001_194, 5, 111),
    ("tzdata_2025b-0+deb12u1_all.deb", 1320, 1_397_256, 365, 50),
    ("tzdata_2026b-0+deb12u1_all.deb", 1320, 1_406_519, 365, 50),
    ("tzdata_2026f-0+deb12u1_all.deb", 1320, 1_406_161, 365, 50),
    (
        "xz-utils_5.4.1-1+deb12u1_amd64.deb",
        246,
        1_048_841,
        100,
        69,
    ),
    (
        "xz-utils_5.4.1-1+deb12u2_amd64.deb",
        246,
        1_048_994,
        100,
        69,
    ),
];

#[test]
fn every_package_matches_dpkg_deb() {
    let files = deb_files();
    let listed: Vec<&str> = DPKG_LISTING.iter().map(|row| row.0).collect();
    assert_eq!(files, listed, "the corpus and the expected table disagree");
    for (name, entries, bytes, symlinks, directories) in DPKG_LISTING {
        let package = read_package(name);
        let count = |wanted: fn(&DebEntryKind) -> bool| {
            package
                .entries
                .iter()
                .filter(|entry| wanted(&entry.kind))
                .count() as u64
        };
        assert_eq!(package.summary.entries, *entries, "{name}: entries");
        assert_eq!(package.entries.len() as u64, *entries, "{name}: visited");
        assert_eq!(package.summary.regular_bytes, *bytes, "{name}: bytes");
        assert_eq!(package.bytes_read, *bytes, "{name}: bytes read");
        assert_eq!(
            count(|kind| matches!(kind, DebEntryKind::Symlink { .. })),
            *symlinks,
            "{name}: symlinks"
        );
        assert_eq!(
            count(|kind| *kind == DebEntryKind::Directory),
            *directories,
            "{name}: directories"
        );
        assert_eq!(
            package.entries.first().map(|entry| entry.path.as_str()),
            Some("/"),
            "{name}: the archive starts with ./"
        );
    }
}

#[test]
fn control_fields_match_file_names() {
    for name in deb_files() {
        let package = read_package(&name);
        let control = package.metadata.control();
        let mut parts = name.trim_end_matches(".deb").split('_');
        let (Some(package_name), Some(version), Some(architecture)) =
            (parts.next(), parts.next(), parts.next())
        else {
            panic!("{name} is name_version_arch.deb");
        };
        assert_eq!(control.package().expect("Package"), package_name);
        assert_eq!(
            control.version().expect("Version").to_string(),
            version.replace("%3a", ":")
        );
        assert_eq!(control.architecture().expect("Architecture"), architecture);
        for field in [
            "Depends",
            "Pre-Depends",
            "Recommends",
            "Suggests",
            "Breaks",
            "Replaces",
            "Conflicts",
            "Provides",
        ] {
            control
                .relations(field)
                .unwrap_or_else(|err| panic!("{name}: {field}: {err}"));
        }
        for path in package.metadata.md5sums().keys() {
            let entry = package.entry(path);
            assert!(entry.is_regular(), "{name}: md5sums lists {path}");
        }
        for path in package.metadata.conffiles().keys() {
            assert!(package.entry(path).is_regular(), "{name}: conffile {path}");
        }
    }
}

#[test]
fn sudo_is_setuid_root() {
    let package = read_package("sudo_1.9.13p3-1+deb12u4_amd64.deb");
    let sudo = package.entry("/usr/bin/sudo");
    assert_eq!(sudo.kind, DebEntryKind::Regular);
    assert_eq!(sudo.mode, 0o4755);
    assert_eq!(sudo.size, 281_624);
    assert_eq!(sudo.owner.to_string(), "root");
    assert_eq!(sudo.group.to_string(), "root");
    assert_eq!(sudo.owner.id, 0);
    assert_eq!(package.entry("/etc/sudoers.d/README").mode, 0o440);
    assert_eq!(
        package.entry("/usr/bin/sudoedit").kind,
        DebEntryKind::Symlink {
            target: "sudo".to_owned()
        }
    );
    assert_eq!(
        package.entry("/lib/systemd/system/sudo.service").kind,
        DebEntryKind::Symlink {
            target: "/dev/null".to_owned()
        }
    );
    let depends = package
        .metadata
        .control()
        .relations("Depends")
        .expect("Depends");
    let first = depends
        .groups()
        .first()
        .and_then(|group| group.first())
        .expect("sudo depends on something");
    assert_eq!(first.name, "libaudit1");
    assert_eq!(
        first
            .constraint
            .as_ref()
            .map(|constraint| (constraint.relation(), constraint.version().to_string())),
        Some((DebRelation::GreaterOrEqual, "1:2.2.1".to_owned()))
    );
}

#[test]
fn nginx_common_conffiles_and_scripts() {
    let package = read_package("nginx-common_1.22.1-9+deb12u11_all.deb");
    let metadata = &package.metadata;
    assert!(metadata.is_conffile("/etc/nginx/nginx.conf"));
    assert_eq!(metadata.conffiles().len(), 17);
    let nginx_conf = package.entry("/etc/nginx/nginx.conf");
    assert_eq!(component_for(nginx_conf, true), ComponentSuffix::Config);
    let init_script = package.entry("/etc/init.d/nginx");
    assert!(metadata.is_conffile("/etc/init.d/nginx"));
    assert_eq!(component_for(init_script, true), ComponentSuffix::Runtime);
    let scripts: Vec<&str> = metadata
        .maintainer_scripts()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(
        scripts,
        ["config", "preinst", "postinst", "prerm", "postrm"]
    );
    let postinst = metadata.member("postinst").expect("postinst");
    assert!(postinst.starts_with(b"#!/bin/sh"));
    assert!(metadata.member("templates").is_some());
    let members: Vec<&str> = metadata.members().keys().map(String::as_str).collect();
    assert_eq!(
        members,
        [
            "conffiles",
            "config",
            "control",
            "md5sums",
            "postinst",
            "postrm",
            "preinst",
            "prerm",
            "templates"
        ]
    );
    let depends = metadata.control().relations("Depends").expect("Depends");
    assert_eq!(depends.to_string(), "debconf (>= 0.5) | debconf-2.0");
    assert_eq!(depends.groups().first().map(Vec::len), Some(2));
}

#[test]
fn tzdata_has_many_symlinks() {
    let package = read_package("tzdata_2026f-0+deb12u1_all.deb");
    let by_path = package.by_path();
    let symlinks = by_path
        .values()
        .filter(|entry| matches!(entry.kind, DebEntryKind::Symlink { .. }))
        .count();
    assert_eq!(symlinks, 365);
    assert!(by_path.contains_key("/usr/share/zoneinfo/Europe/Paris"));
    let version = package.metadata.control().version().expect("Version");
    assert_eq!(version.upstream(), "2026f");
    assert_eq!(version.revision(), Some("0+deb12u1"));
}

#[test]
fn libssl3_ships_its_soname() {
    let package = read_package("libssl3_3.0.22-1~deb12u2_amd64.deb");
    let library = package.entry("/usr/lib/x86_64-linux-gnu/libssl.so.3");
    assert_eq!(library.kind, DebEntryKind::Regular);
    assert_eq!(library.size, 688_160);
    assert_eq!(component_for(library, false), ComponentSuffix::Lib);
}

#[test]
fn redis_has_an_epoch() {
    let package = read_package("redis-server_5%3a7.0.15-1~deb12u10_amd64.deb");
    let version: DebVersion = package.metadata.control().version().expect("Version");
    assert_eq!(version.epoch(), Some(5));
    assert_eq!(version.to_string(), "5:7.0.15-1~deb12u10");
}
