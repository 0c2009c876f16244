//! Every version of the corpus MANIFEST: parsing, the Conary mapping and
//! dpkg's order.

use std::cmp::Ordering;

use conary_build::deb::{DebVersion, conary_upstream_to_deb, deb_to_conary_upstream};

use crate::corpus::corpus_dir;

/// Every `name=version` of the MANIFEST with the Conary upstream version
/// it maps to.
const MAPPED: &[(&str, &str, &str)] = &[
    ("ca-certificates", "20230311+deb12u1", "20230311+deb12u1"),
    ("ca-certificates", "20250419~deb12u2", "20250419~deb12u2"),
    ("curl", "7.88.1-10+deb12u15", "7.88.1_10+deb12u15"),
    ("curl", "7.88.1-10+deb12u5", "7.88.1_10+deb12u5"),
    ("libcurl4", "7.88.1-10+deb12u15", "7.88.1_10+deb12u15"),
    ("libcurl4", "7.88.1-10+deb12u5", "7.88.1_10+deb12u5"),
    ("libexpat1", "2.5.0-1+deb12u2", "2.5.0_1+deb12u2"),
    ("libexpat1", "2.5.0-1+deb12u5", "2.5.0_1+deb12u5"),
    ("libssl3", "3.0.17-1~deb12u2", "3.0.17_1~deb12u2"),
    ("libssl3", "3.0.20-1~deb12u2", "3.0.20_1~deb12u2"),
    ("libssl3", "3.0.22-1~deb12u2", "3.0.22_1~deb12u2"),
    ("nginx-common", "1.22.1-9+deb12u11", "1.22.1_9+deb12u11"),
    ("nginx-common", "1.22.1-9+deb12u9", "1.22.1_9+deb12u9"),
    ("nginx-core", "1.22.1-9+deb12u11", "1.22.1_9+deb12u11"),
    ("nginx-core", "1.22.1-9+deb12u9", "1.22.1_9+deb12u9"),
    ("openssl", "3.0.17-1~deb12u2", "3.0.17_1~deb12u2"),
    ("openssl", "3.0.20-1~deb12u2", "3.0.20_1~deb12u2"),
    ("openssl", "3.0.22-1~deb12u2", "3.0.22_1~deb12u2"),
    ("redis-server", "5:7.0.15-1~deb12u10", "5;7.0.15_1~deb12u10"),
    ("redis-server", "5:7.0.15-1~deb12u7", "5;7.0.15_1~deb12u7"),
    ("redis-tools", "5:7.0.15-1~deb12u10", "5;7.0.15_1~deb12u10"),
    ("redis-tools", "5:7.0.15-1~deb12u7", "5;7.0.15_1~deb12u7"),
    ("rsyslog", "8.2302.0-1+deb12u1", "8.2302.0_1+deb12u1"),
    ("rsyslog", "8.2302.0-1+deb12u2", "8.2302.0_1+deb12u2"),
    ("sudo", "1.9.13p3-1+deb12u2", "1.9.13p3_1+deb12u2"),
    ("sudo", "1.9.13p3-1+deb12u4", "1.9.13p3_1+deb12u4"),
    ("tzdata", "2025b-0+deb12u1", "2025b_0+deb12u1"),
    ("tzdata", "2026b-0+deb12u1", "2026b_0+deb12u1"),
    ("tzdata", "2026f-0+deb12u1", "2026f_0+deb12u1"),
    ("xz-utils", "5.4.1-1+deb12u1", "5.4.1_1+deb12u1"),
    ("xz-utils", "5.4.1-1+deb12u2", "5.4.1_1+deb12u2"),
];

/// Each package's versions, oldest first, as sorted by `dpkg --compare-versions`
/// when this table was written.
pub(crate) const DPKG_ORDER: &[(&str, &[&str])] = &[
    ("ca-certificates", &["20230311+deb12u1", "20250419~deb12u2"]),
    ("curl", &["7.88.1-10+deb12u5", "7.88.1-10+deb12u15"]),
    ("libcurl4", &["7.88.1-10+deb12u5", "7.88.1-10+deb12u15"]),
    ("libexpat1", &["2.5.0-1+deb12u2", "2.5.0-1+deb12u5"]),
    (
        "libssl3",
        &["3.0.17-1~deb12u2", "3.0.20-1~deb12u2", "3.0.22-1~deb12u2"],
    ),
    ("nginx-common", &["1.22.1-9+deb12u9", "1.22.1-9+deb12u11"]),
    ("nginx-core", &["1.22.1-9+deb12u9", "1.22.1-9+deb12u11"]),
    (
        "openssl",
        &["3.0.17-1~deb12u2", "3.0.20-1~deb12u2", "3.0.22-1~deb12u2"],
    ),
    (
        "redis-server",
        &["5:7.0.15-1~deb12u7", "5:7.0.15-1~deb12u10"],
    ),
    (
        "redis-tools",
        &["5:7.0.15-1~deb12u7", "5:7.0.15-1~deb12u10"],
    ),
    ("rsyslog", &["8.2302.0-1+deb12u1", "8.2302.0-1+deb12u2"]),
    ("sudo", &["1.9.13p3-1+deb12u2", "1.9.13p3-1+deb12u4"]),
    (
        "tzdata",
        &["2025b-0+deb12u1", "2026b-0+deb12u1", "2026f-0+deb12u1"],
    ),
    ("xz-utils", &["5.4.1-1+deb12u1", "5.4.1-1+deb12u2"]),
];

fn manifest() -> Vec<(String, String)> {
    let text =
        std::fs::read_to_string(corpus_dir().join("MANIFEST")).expect("MANIFEST is readable");
    let mut lines: Vec<(String, String)> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let (name, version) = line
                .split_once('=')
                .expect("MANIFEST lines are name=version");
            (name.to_owned(), version.to_owned())
        })
        .collect();
    lines.sort();
    lines
}

#[test]
fn manifest_versions_map_and_round_trip() {
    let listed: Vec<(String, String)> = MAPPED
        .iter()
        .map(|(name, version, _)| ((*name).to_owned(), (*version).to_owned()))
        .collect();
    assert_eq!(manifest(), listed, "the MANIFEST and the table disagree");
    for (name, debian, conary) in MAPPED {
        let version: DebVersion = debian.parse().unwrap_or_else(|err| panic!("{name}: {err}"));
        assert_eq!(version.to_string(), *debian);
        assert_eq!(deb_to_conary_upstream(&version), *conary, "{name}");
        let back = conary_upstream_to_deb(conary).unwrap_or_else(|err| panic!("{name}: {err}"));
        assert_eq!(back, version, "{name}");
        assert_eq!(
            format!("{conary}-1-1").matches('-').count(),
            2,
            "{name}: a valid revision"
        );
    }
}

#[test]
fn manifest_versions_sort_like_dpkg() {
    for (name, expected) in DPKG_ORDER {
        let mut versions: Vec<DebVersion> = manifest()
            .into_iter()
            .filter(|(package, _)| package == name)
            .map(|(_, version)| version.parse().expect("MANIFEST version parses"))
            .collect();
        versions.sort_by(DebVersion::cmp_dpkg);
        let sorted: Vec<String> = versions.iter().map(ToString::to_string).collect();
        assert_eq!(sorted, *expected, "{name}");
        for pair in versions.windows(2) {
            if let [older, newer] = pair {
                assert_eq!(older.cmp_dpkg(newer), Ordering::Less, "{name}");
            }
        }
    }
}
