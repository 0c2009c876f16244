//! The reversible mapping between Debian versions and Conary upstream versions.
//!
//! A Conary revision is `upstream-sourcecount-buildcount`; its upstream part
//! may hold only `[A-Za-z0-9]` and `()+,.;_~`, never `-` or `:`. A Debian
//! version holds only `[A-Za-z0-9]` and `.+~-:` (see [`DebVersion`]). The
//! mapping writes the whole Debian version, epoch and revision included, into
//! the Conary upstream version, replacing the two characters Conary forbids by
//! two that Debian forbids:
//!
//! | Debian | Conary | meaning in Debian |
//! |---|---|---|
//! | `:` | `;` | the epoch separator (and a colon inside the upstream version) |
//! | `-` | `_` | the revision separator (and a hyphen inside the upstream version) |
//!
//! Every other character is kept. Because `;` and `_` never occur in a
//! Debian version, the substitution is a bijection on strings, and the
//! structure comes back for free: the inverse substitutes back and parses
//! with dpkg's rules (epoch before the first `:`, revision after the last
//! `-`). The epoch is written without leading zeros, so each Debian version
//! has exactly one Conary form, and a Conary string that is not that form
//! (`01;1.0`, or one holding `(`, `)` or `,`) is refused by the inverse.
//!
//! | Debian version | Conary upstream | Conary revision on import |
//! |---|---|---|
//! | `1.22.1-9+deb12u9` | `1.22.1_9+deb12u9` | `1.22.1_9+deb12u9-1-1` |
//! | `5:7.0.15-1~deb12u7` | `5;7.0.15_1~deb12u7` | `5;7.0.15_1~deb12u7-1-1` |
//! | `20230311+deb12u1` | `20230311+deb12u1` | `20230311+deb12u1-1-1` |
//! | `1:2.3-4-5` (upstream `2.3-4`) | `1;2.3_4_5` | `1;2.3_4_5-1-1` |
//! | `0:1.0` (explicit epoch 0) | `0;1.0` | `0;1.0-1-1` |
//!
//! Conary orders the versions of a branch by commit time, not by comparing
//! these strings; the importer compares Debian versions with
//! [`DebVersion::cmp_dpkg`] so that a newer `.deb` is committed as a newer
//! version on the branch.

use conary_core::deps::{DebVersion, DepError};
use thiserror::Error;

/// Why a Conary upstream version is not the image of a Debian version.
///
/// ```rust
/// let err = conary_build::deb::conary_upstream_to_deb("1.0-1").unwrap_err();
/// assert_eq!(err.to_string(), "invalid imported conary version '1.0-1': character '-' cannot come from a debian version");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("invalid imported conary version '{text}': {reason}")]
pub struct NotImportedError {
    /// The (escaped) Conary upstream version text.
    pub text: String,
    /// What is wrong with it.
    pub reason: String,
}

/// The Conary upstream version holding `version` (see the module docs).
///
/// ```rust
/// use conary_build::deb::{DebVersion, deb_to_conary_upstream};
/// let version: DebVersion = "5:7.0.15-1~deb12u7".parse().unwrap();
/// assert_eq!(deb_to_conary_upstream(&version), "5;7.0.15_1~deb12u7");
/// ```
pub fn deb_to_conary_upstream(version: &DebVersion) -> String {
    version
        .to_string()
        .chars()
        .map(|character| match character {
            ':' => ';',
            '-' => '_',
            other => other,
        })
        .collect()
}

/// The Debian version held in a Conary upstream version made by
/// [`deb_to_conary_upstream`]; refuses any other string.
///
/// ```rust
/// use conary_build::deb::conary_upstream_to_deb;
/// assert_eq!(conary_upstream_to_deb("5;7.0.15_1~deb12u7").unwrap().to_string(), "5:7.0.15-1~deb12u7");
/// ```
pub fn conary_upstream_to_deb(upstream: &str) -> Result<DebVersion, NotImportedError> {
    let not_imported = |reason: String| NotImportedError {
        text: super::escape(upstream.as_bytes()),
        reason,
    };
    if let Some(bad) = upstream
        .chars()
        .find(|&character| !character.is_ascii_alphanumeric() && !".+~;_".contains(character))
    {
        return Err(not_imported(format!(
            "character '{}' cannot come from a debian version",
            bad.escape_default()
        )));
    }
    let debian: String = upstream
        .chars()
        .map(|character| match character {
            ';' => ':',
            '_' => '-',
            other => other,
        })
        .collect();
    let version: DebVersion = debian.parse().map_err(|err| match err {
        DepError::InvalidDebVersion { reason, .. } => not_imported(reason),
        other => not_imported(other.to_string()),
    })?;
    if deb_to_conary_upstream(&version) != upstream {
        return Err(not_imported(
            "not in canonical form (leading zeros in the epoch)".to_owned(),
        ));
    }
    Ok(version)
}

#[cfg(test)]
pub(crate) mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Valid Debian versions as dpkg writes them (canonical epochs, an
    /// upstream version starting with a digit, `-` in it only with a
    /// revision and `:` only with an epoch).
    pub(crate) fn valid_version() -> impl Strategy<Value = DebVersion> {
        let epoch = proptest::option::of(0u32..100_000);
        let revision = proptest::option::of("[A-Za-z0-9.+~]{1,10}");
        let head = "[0-9][A-Za-z0-9.+~]{0,12}";
        (epoch, head, "[A-Za-z0-9.+~:-]{0,6}", revision).prop_map(
            |(epoch, head, tail, revision)| {
                let mut text = epoch.map(|epoch| format!("{epoch}:")).unwrap_or_default();
                text.push_str(&head);
                text.extend(tail.chars().filter(|character| match character {
                    '-' => revision.is_some(),
                    ':' => epoch.is_some(),
                    _ => true,
                }));
                if let Some(revision) = revision {
                    text.push('-');
                    text.push_str(&revision);
                }
                text.parse().expect("generated version is valid")
            },
        )
    }

    #[test]
    fn table() {
        let cases: &[(&str, &str)] = &[
            ("1.22.1-9+deb12u9", "1.22.1_9+deb12u9"),
            ("5:7.0.15-1~deb12u7", "5;7.0.15_1~deb12u7"),
            ("20230311+deb12u1", "20230311+deb12u1"),
            ("20250419~deb12u2", "20250419~deb12u2"),
            ("1:2.3-4-5", "1;2.3_4_5"),
            ("1:2:3-1", "1;2;3_1"),
            ("0:1.0", "0;1.0"),
            ("1.0", "1.0"),
        ];
        for (debian, conary) in cases {
            let version: DebVersion = debian.parse().expect("table version parses");
            assert_eq!(deb_to_conary_upstream(&version), *conary);
            let back = conary_upstream_to_deb(conary).expect("table conary form maps back");
            assert_eq!(back, version);
            assert_eq!(back.to_string(), *debian);
        }
    }

    #[test]
    fn refuses_foreign_strings() {
        let cases: &[(&str, &str)] = &[
            ("1.0-1", "character '-' cannot come from a debian version"),
            ("1:0", "character ':' cannot come from a debian version"),
            ("1(2)", "character '(' cannot come from a debian version"),
            ("1,2", "character ',' cannot come from a debian version"),
            (
                "01;1.0",
                "not in canonical form (leading zeros in the epoch)",
            ),
            ("1.0_", "empty revision after '-'"),
            (";1", "epoch is not a number"),
            ("", "empty upstream version"),
            ("abc", "upstream version does not start with a digit"),
        ];
        for (text, reason) in cases {
            match conary_upstream_to_deb(text) {
                Err(NotImportedError { reason: found, .. }) => {
                    assert_eq!(found, *reason, "{text}");
                }
                Ok(version) => panic!("'{text}' should be refused, got {version}"),
            }
        }
    }

    proptest! {
        #[test]
        fn round_trip(version in valid_version()) {
            let conary = deb_to_conary_upstream(&version);
            prop_assert!(conary.chars().all(|c| c.is_ascii_alphanumeric() || "()+,.;_~".contains(c)));
            prop_assert!(!conary.is_empty());
            prop_assert_eq!(conary_upstream_to_deb(&conary).expect("mapped version maps back"), version);
        }

        #[test]
        fn inverse_never_panics(text in "\\PC{0,30}") {
            if let Ok(version) = conary_upstream_to_deb(&text) {
                prop_assert_eq!(deb_to_conary_upstream(&version), text);
            }
        }
    }
}
