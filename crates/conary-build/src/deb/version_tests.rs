use std::cmp::Ordering::{self, Equal, Greater, Less};

use proptest::prelude::*;

use super::{DebVersion, DebVersionError};

/// Expected answers produced by `dpkg --compare-versions A lt|eq B` (dpkg
/// 1.21, Debian 12) when this table was written; kept as literals.
const DPKG_ORDER: &[(&str, &str, Ordering)] = &[
    ("1.0", "1.0", Equal),
    ("1.0", "1.1", Less),
    ("1.0", "1.0-1", Less),
    ("1.0-1", "1.0-2", Less),
    ("1.0-0", "1.0", Equal),
    ("1.0~rc1", "1.0", Less),
    ("1.0~rc1", "1.0~rc2", Less),
    ("1.0~~", "1.0~", Less),
    ("1.0~", "1.0", Less),
    ("1.0a", "1.0", Greater),
    ("1.0a", "1.0+", Less),
    ("1.0+", "1.0.", Less),
    ("1.0.", "1.0", Greater),
    ("1.2.10", "1.2.9", Greater),
    ("1.002", "1.2", Equal),
    ("1:0.1", "2.0", Greater),
    ("0:1.0", "1.0", Equal),
    ("2:1.0", "10:0.1", Less),
    ("7.0.15-1~deb12u7", "7.0.15-1~deb12u10", Less),
    ("5:7.0.15-1~deb12u7", "5:7.0.15-1~deb12u10", Less),
    ("1.22.1-9+deb12u9", "1.22.1-9+deb12u11", Less),
    ("3.0.17-1~deb12u2", "3.0.20-1~deb12u2", Less),
    ("20230311+deb12u1", "20250419~deb12u2", Less),
    ("2025b-0+deb12u1", "2026b-0+deb12u1", Less),
    ("2026b-0+deb12u1", "2026f-0+deb12u1", Less),
    ("1.9.13p3-1+deb12u2", "1.9.13p3-1+deb12u4", Less),
    ("8.2302.0-1+deb12u1", "8.2302.0-1+deb12u2", Less),
    ("1.0-1", "1.0-1+b1", Less),
    ("1.0-1~bpo1", "1.0-1", Less),
    ("1.0+dfsg-1", "1.0-1", Greater),
    ("1.0+dfsg-1", "1.0.1-1", Less),
    ("a", "b", Less),
    ("a1", "a", Greater),
    ("1a", "1b", Less),
    ("1A", "1a", Less),
    ("1.0-1ubuntu1", "1.0-1", Greater),
    ("1.0-1ubuntu1", "1.0-1+deb1", Less),
    ("0.9", "0.10", Less),
    ("1.0-1.1", "1.0-1", Greater),
    ("10", "9", Greater),
    ("1~", "1", Less),
    ("1:1.2-3-4", "1:1.2-3", Greater),
    ("2.30-22", "2.30-3", Greater),
    ("1:1.0:1-1", "1:1.0-1", Greater),
    ("1.0++", "1.0+~", Greater),
    ("1.0-a", "1.0-A", Greater),
    ("0001", "1", Equal),
    ("1.0-1a", "1.0-1~", Greater),
];

fn version(text: &str) -> DebVersion {
    text.parse()
        .unwrap_or_else(|err| panic!("test version '{text}' must parse: {err}"))
}

#[test]
fn compare_matches_dpkg() {
    for (left, right, expected) in DPKG_ORDER {
        let (left_version, right_version) = (version(left), version(right));
        assert_eq!(
            left_version.dpkg_cmp(&right_version),
            *expected,
            "{left} vs {right}"
        );
        assert_eq!(
            right_version.dpkg_cmp(&left_version),
            expected.reverse(),
            "{right} vs {left}"
        );
    }
}

#[test]
fn parses_parts() {
    let cases: &[(&str, Option<u32>, &str, Option<&str>)] = &[
        ("1.0", None, "1.0", None),
        ("0:1.0", Some(0), "1.0", None),
        ("1.0-1", None, "1.0", Some("1")),
        ("1:2.3-4-5", Some(1), "2.3-4", Some("5")),
        ("1:2:3-1", Some(1), "2:3", Some("1")),
        ("5:7.0.15-1~deb12u7", Some(5), "7.0.15", Some("1~deb12u7")),
        ("20230311+deb12u1", None, "20230311+deb12u1", None),
        ("2026f-0+deb12u1", None, "2026f", Some("0+deb12u1")),
        ("a1", None, "a1", None),
    ];
    for (text, epoch, upstream, revision) in cases {
        let parsed = version(text);
        assert_eq!(parsed.epoch(), *epoch, "{text}");
        assert_eq!(parsed.upstream(), *upstream, "{text}");
        assert_eq!(parsed.revision(), *revision, "{text}");
        assert_eq!(parsed.to_string(), *text);
    }
}

#[test]
fn leading_zeros_in_epoch_are_normalized() {
    assert_eq!(version("01:1.0").to_string(), "1:1.0");
}

#[test]
fn rejects_invalid() {
    let cases: &[(&str, &str)] = &[
        ("", "version is empty"),
        ("1.0 2", "version has embedded spaces"),
        (":1.0", "epoch is empty"),
        ("a:1.0", "epoch is not a number"),
        ("1.0:2", "epoch is not a number"),
        ("99999999999:1", "epoch is too big"),
        ("3000000000:1", "epoch is too big"),
        ("1:", "nothing after colon"),
        ("1.0-", "revision is empty"),
        ("-1", "upstream version is empty"),
        ("1:-1", "upstream version is empty"),
        ("1_0", "invalid character '_' in upstream version"),
        ("1;0", "invalid character ';' in upstream version"),
        ("1.0-1_2", "invalid character '_' in revision"),
        ("1:1.0-1:2", "invalid character ':' in revision"),
        (
            "1.0\u{e9}",
            "invalid character '\\u{e9}' in upstream version",
        ),
    ];
    for (text, reason) in cases {
        match text.parse::<DebVersion>() {
            Err(DebVersionError::Invalid { reason: found, .. }) => {
                assert_eq!(found, *reason, "{text}");
            }
            other => panic!("'{text}' should be refused, got {other:?}"),
        }
    }
}

#[test]
fn new_checks_parts() {
    assert!(DebVersion::new(None, "1-2", None).is_err());
    assert!(DebVersion::new(None, "1:2", Some("1")).is_err());
    assert!(DebVersion::new(Some(1), "1:2", Some("1")).is_ok());
    assert!(DebVersion::new(None, "1", Some("")).is_err());
}

/// Valid Debian versions as dpkg would accept them (canonical epochs).
pub(crate) fn valid_version() -> impl Strategy<Value = DebVersion> {
    let epoch = proptest::option::of(0u32..100_000);
    let plain = "[0-9][A-Za-z0-9.+~]{0,12}";
    let revision = proptest::option::of("[A-Za-z0-9.+~]{1,10}");
    (epoch, plain, "[A-Za-z0-9.+~:-]{0,6}", revision).prop_map(|(epoch, head, tail, revision)| {
        // '-' in the upstream part needs a revision, ':' needs an epoch.
        let mut upstream = head;
        for character in tail.chars() {
            let allowed = match character {
                '-' => revision.is_some(),
                ':' => epoch.is_some(),
                _ => true,
            };
            if allowed {
                upstream.push(character);
            }
        }
        DebVersion {
            epoch,
            upstream,
            revision,
        }
    })
}

proptest! {
    #[test]
    fn parse_never_panics(text in "\\PC{0,40}") {
        let _ = text.parse::<DebVersion>();
    }

    #[test]
    fn format_parse_round_trip(version in valid_version()) {
        let reparsed: DebVersion = version.to_string().parse().expect("formatted version parses");
        prop_assert_eq!(&reparsed, &version);
        prop_assert_eq!(reparsed.dpkg_cmp(&version), Equal);
    }

    #[test]
    fn compare_is_antisymmetric(left in valid_version(), right in valid_version()) {
        prop_assert_eq!(left.dpkg_cmp(&right), right.dpkg_cmp(&left).reverse());
    }
}
