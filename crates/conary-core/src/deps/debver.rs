//! Debian versions and version relations, for `deb:` dependencies.
//!
//! A Debian version is `[epoch:]upstream[-revision]` and is ordered the
//! way `dpkg --compare-versions` orders it: epochs numerically, then the
//! upstream version and the revision part by part, where runs of digits
//! compare as numbers, letters sort before other characters, and `~` sorts
//! before anything, even the end of the text (`1.0~rc1 < 1.0 < 1.0a <
//! 1.0+b1`).
//!
//! A relation is one of `<<`, `<=`, `=`, `>=`, `>>` followed, without a
//! space, by a version: `>=2.34`. That is how a `deb:` dependency carries a
//! version in its flags (see [`crate::deps`]).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::DepError;

/// A Debian package version: `[epoch:]upstream[-revision]`.
///
/// `Eq` and `Hash` are structural (`1.0` and `0:1.0` differ), and `Ord`
/// sorts by [`DebVersion::cmp_dpkg`] first, then structurally, so the
/// order is total and agrees with `Eq`. Use [`DebVersion::cmp_dpkg`] to
/// compare the way dpkg does, where `1.0`, `0:1.0` and `1.00` are equal.
///
/// ```rust
/// use conary_core::deps::DebVersion;
///
/// let version: DebVersion = "1:2.36-9+deb12u4".parse()?;
/// assert_eq!(version.to_string(), "1:2.36-9+deb12u4");
/// assert!("1.0~rc1".parse::<DebVersion>()? < "1.0".parse::<DebVersion>()?);
/// # Ok::<(), conary_core::deps::DepError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DebVersion {
    epoch: Option<u32>,
    upstream: String,
    revision: Option<String>,
}

impl DebVersion {
    /// The epoch, if one was written (`0` is the default).
    pub fn epoch(&self) -> Option<u32> {
        self.epoch
    }

    /// The upstream version.
    pub fn upstream(&self) -> &str {
        &self.upstream
    }

    /// The Debian revision, if any.
    pub fn revision(&self) -> Option<&str> {
        self.revision.as_deref()
    }

    /// Compares two versions the way dpkg does.
    pub fn cmp_dpkg(&self, other: &DebVersion) -> Ordering {
        self.epoch
            .unwrap_or(0)
            .cmp(&other.epoch.unwrap_or(0))
            .then_with(|| compare_part(&self.upstream, &other.upstream))
            .then_with(|| {
                compare_part(
                    self.revision.as_deref().unwrap_or(""),
                    other.revision.as_deref().unwrap_or(""),
                )
            })
    }
}

impl Ord for DebVersion {
    fn cmp(&self, other: &DebVersion) -> Ordering {
        self.cmp_dpkg(other).then_with(|| {
            (self.epoch, &self.upstream, &self.revision).cmp(&(
                other.epoch,
                &other.upstream,
                &other.revision,
            ))
        })
    }
}

impl PartialOrd for DebVersion {
    fn partial_cmp(&self, other: &DebVersion) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Sort weight of one character of a non-digit run; `None` is the end of the run.
fn weight(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(b'~') => -1,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(c) => i32::from(c) + 256,
    }
}

/// dpkg's comparison of one part (upstream version or revision).
fn compare_part(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    let is_digit = |s: &[u8], k: usize| s.get(k).is_some_and(u8::is_ascii_digit);
    while i < a.len() || j < b.len() {
        // A run of non-digits, compared character by character.
        while (i < a.len() && !is_digit(a, i)) || (j < b.len() && !is_digit(b, j)) {
            let (wa, wb) = (weight(a.get(i).copied()), weight(b.get(j).copied()));
            if wa != wb {
                return wa.cmp(&wb);
            }
            i += 1;
            j += 1;
        }
        // A run of digits, compared as a number of any length.
        while a.get(i) == Some(&b'0') {
            i += 1;
        }
        while b.get(j) == Some(&b'0') {
            j += 1;
        }
        let mut first_difference = Ordering::Equal;
        while is_digit(a, i) && is_digit(b, j) {
            if first_difference == Ordering::Equal {
                first_difference = a.get(i).cmp(&b.get(j));
            }
            i += 1;
            j += 1;
        }
        if is_digit(a, i) {
            return Ordering::Greater;
        }
        if is_digit(b, j) {
            return Ordering::Less;
        }
        if first_difference != Ordering::Equal {
            return first_difference;
        }
    }
    Ordering::Equal
}

fn version_error(text: &str, reason: impl Into<String>) -> DepError {
    DepError::InvalidDebVersion {
        text: text.to_owned(),
        reason: reason.into(),
    }
}

impl FromStr for DebVersion {
    type Err = DepError;

    fn from_str(text: &str) -> Result<DebVersion, DepError> {
        let (epoch, rest) = match text.split_once(':') {
            Some((epoch_text, rest)) => {
                if epoch_text.is_empty() || !epoch_text.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(version_error(text, "epoch is not a number"));
                }
                let epoch = epoch_text
                    .parse::<u32>()
                    .map_err(|_| version_error(text, "epoch is too large"))?;
                (Some(epoch), rest)
            }
            None => (None, text),
        };
        let (upstream, revision) = match rest.rsplit_once('-') {
            Some((upstream, revision)) => (upstream, Some(revision)),
            None => (rest, None),
        };
        if upstream.is_empty() {
            return Err(version_error(text, "empty upstream version"));
        }
        if !upstream.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(version_error(
                text,
                "upstream version does not start with a digit",
            ));
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '~');
        if let Some(c) = upstream
            .chars()
            .find(|&c| !(allowed(c) || c == '-' || c == ':'))
        {
            return Err(version_error(
                text,
                format!("character {c:?} not allowed in upstream version"),
            ));
        }
        if let Some(revision) = revision {
            if revision.is_empty() {
                return Err(version_error(text, "empty revision after '-'"));
            }
            if let Some(c) = revision.chars().find(|&c| !allowed(c)) {
                return Err(version_error(
                    text,
                    format!("character {c:?} not allowed in revision"),
                ));
            }
        }
        Ok(DebVersion {
            epoch,
            upstream: upstream.to_owned(),
            revision: revision.map(str::to_owned),
        })
    }
}

impl fmt::Display for DebVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(epoch) = self.epoch {
            write!(f, "{epoch}:")?;
        }
        f.write_str(&self.upstream)?;
        if let Some(revision) = &self.revision {
            write!(f, "-{revision}")?;
        }
        Ok(())
    }
}

/// A Debian version relation operator.
///
/// ```rust
/// use conary_core::deps::DebRelation;
///
/// let relation: DebRelation = ">>".parse()?;
/// assert_eq!(relation, DebRelation::Greater);
/// assert_eq!(relation.to_string(), ">>");
/// # Ok::<(), conary_core::deps::DepError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DebRelation {
    /// `<<`: strictly earlier.
    Less,
    /// `<=`: earlier or equal.
    LessOrEqual,
    /// `=`: exactly equal.
    Equal,
    /// `>=`: later or equal.
    GreaterOrEqual,
    /// `>>`: strictly later.
    Greater,
}

impl DebRelation {
    /// The operator as written: `<<`, `<=`, `=`, `>=` or `>>`.
    pub fn as_str(self) -> &'static str {
        match self {
            DebRelation::Less => "<<",
            DebRelation::LessOrEqual => "<=",
            DebRelation::Equal => "=",
            DebRelation::GreaterOrEqual => ">=",
            DebRelation::Greater => ">>",
        }
    }

    /// Whether `ordering` (a version compared with the relation's version)
    /// fulfils the relation.
    pub fn accepts(self, ordering: Ordering) -> bool {
        match self {
            DebRelation::Less => ordering == Ordering::Less,
            DebRelation::LessOrEqual => ordering != Ordering::Greater,
            DebRelation::Equal => ordering == Ordering::Equal,
            DebRelation::GreaterOrEqual => ordering != Ordering::Less,
            DebRelation::Greater => ordering == Ordering::Greater,
        }
    }

    /// Splits a leading operator off `text`.
    fn split(text: &str) -> Option<(DebRelation, &str)> {
        [
            DebRelation::Less,
            DebRelation::LessOrEqual,
            DebRelation::GreaterOrEqual,
            DebRelation::Greater,
            DebRelation::Equal,
        ]
        .into_iter()
        .find_map(|relation| {
            text.strip_prefix(relation.as_str())
                .map(|rest| (relation, rest))
        })
    }
}

impl FromStr for DebRelation {
    type Err = DepError;

    fn from_str(text: &str) -> Result<DebRelation, DepError> {
        match DebRelation::split(text) {
            Some((relation, "")) => Ok(relation),
            _ => Err(DepError::InvalidDebConstraint {
                text: text.to_owned(),
                reason: "expected one of '<<', '<=', '=', '>=', '>>'".to_owned(),
            }),
        }
    }
}

impl fmt::Display for DebRelation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A relation and a version, as carried by a `deb:` flag: `>=2.34`.
///
/// ```rust
/// use conary_core::deps::{DebConstraint, DebVersion};
///
/// let constraint: DebConstraint = ">=2.34".parse()?;
/// assert!(constraint.matches(&"2.36-9".parse::<DebVersion>()?));
/// assert_eq!(constraint.to_string(), ">=2.34");
/// # Ok::<(), conary_core::deps::DepError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DebConstraint {
    relation: DebRelation,
    version: DebVersion,
}

impl DebConstraint {
    /// A constraint from its parts.
    pub fn new(relation: DebRelation, version: DebVersion) -> DebConstraint {
        DebConstraint { relation, version }
    }

    /// The relation operator.
    pub fn relation(&self) -> DebRelation {
        self.relation
    }

    /// The version the relation compares against.
    pub fn version(&self) -> &DebVersion {
        &self.version
    }

    /// Whether `version` fulfils this constraint.
    pub fn matches(&self, version: &DebVersion) -> bool {
        self.relation.accepts(version.cmp_dpkg(&self.version))
    }
}

impl FromStr for DebConstraint {
    type Err = DepError;

    fn from_str(text: &str) -> Result<DebConstraint, DepError> {
        let Some((relation, rest)) = DebRelation::split(text) else {
            let reason = if text.starts_with(['<', '>']) {
                "'<' and '>' are ambiguous, use '<<', '<=', '>=' or '>>'"
            } else {
                "expected '<<', '<=', '=', '>=' or '>>' before the version"
            };
            return Err(DepError::InvalidDebConstraint {
                text: text.to_owned(),
                reason: reason.to_owned(),
            });
        };
        let version =
            rest.parse::<DebVersion>()
                .map_err(|error| DepError::InvalidDebConstraint {
                    text: text.to_owned(),
                    reason: error.to_string(),
                })?;
        Ok(DebConstraint { relation, version })
    }
}

impl fmt::Display for DebConstraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.relation, self.version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(text: &str) -> DebVersion {
        text.parse().expect("valid version")
    }

    #[test]
    fn dpkg_order() {
        let cases = [
            ("1.0", "1.0", Ordering::Equal),
            ("1.0", "1.00", Ordering::Equal),
            ("1.0", "0:1.0", Ordering::Equal),
            ("1.0", "1.0-0", Ordering::Equal),
            ("1.0~rc1", "1.0", Ordering::Less),
            ("1.0~~", "1.0~", Ordering::Less),
            ("1.0", "1.0a", Ordering::Less),
            ("1.0a", "1.0+", Ordering::Less),
            ("1.2", "1.10", Ordering::Less),
            ("1:0.1", "2.0", Ordering::Greater),
            ("2.36-9", "2.36-10", Ordering::Less),
            ("2.36-9+deb12u4", "2.36-9", Ordering::Greater),
        ];
        for (a, b, expected) in cases {
            assert_eq!(version(a).cmp_dpkg(&version(b)), expected, "{a} vs {b}");
            assert_eq!(
                version(b).cmp_dpkg(&version(a)),
                expected.reverse(),
                "{b} vs {a}"
            );
        }
    }

    /// Answers of `dpkg --compare-versions A lt|eq B` (dpkg 1.21, Debian
    /// 12), kept as literals; moved here from the `.deb` reader of
    /// `conary-build`, which now uses this type.
    #[test]
    fn dpkg_answers() {
        use Ordering::{Equal, Greater, Less};
        let cases = [
            ("1.0", "1.1", Less),
            ("1.0", "1.0-1", Less),
            ("1.0-1", "1.0-2", Less),
            ("1.0~rc1", "1.0~rc2", Less),
            ("1.0~", "1.0", Less),
            ("1.0+", "1.0.", Less),
            ("1.0.", "1.0", Greater),
            ("1.2.10", "1.2.9", Greater),
            ("1.002", "1.2", Equal),
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
            ("1.0+dfsg-1", "1.0-1", Greater),
            ("1.0+dfsg-1", "1.0.1-1", Less),
            ("1-a", "1-b", Less),
            ("1-a1", "1-a", Greater),
            ("1a", "1b", Less),
            ("1A", "1a", Less),
            ("1.0-1ubuntu1", "1.0-1+deb1", Less),
            ("0.9", "0.10", Less),
            ("1.0-1.1", "1.0-1", Greater),
            ("1~", "1", Less),
            ("1:1.2-3-4", "1:1.2-3", Greater),
            ("2.30-22", "2.30-3", Greater),
            ("1:1.0:1-1", "1:1.0-1", Greater),
            ("1.0++", "1.0+~", Greater),
            ("1.0-a", "1.0-A", Greater),
            ("0001", "1", Equal),
            ("1.0-1a", "1.0-1~", Greater),
        ];
        for (a, b, expected) in cases {
            assert_eq!(version(a).cmp_dpkg(&version(b)), expected, "{a} vs {b}");
            assert_eq!(
                version(b).cmp_dpkg(&version(a)),
                expected.reverse(),
                "{b} vs {a}"
            );
        }
    }

    #[test]
    fn parts_and_canonical_epochs() {
        let cases = [
            ("0:1.0", Some(0), "1.0", None),
            ("1:2.3-4-5", Some(1), "2.3-4", Some("5")),
            ("1:2:3-1", Some(1), "2:3", Some("1")),
            ("5:7.0.15-1~deb12u7", Some(5), "7.0.15", Some("1~deb12u7")),
            ("20230311+deb12u1", None, "20230311+deb12u1", None),
            ("2026f-0+deb12u1", None, "2026f", Some("0+deb12u1")),
        ];
        for (text, epoch, upstream, revision) in cases {
            let parsed = version(text);
            assert_eq!(
                (parsed.epoch(), parsed.upstream(), parsed.revision()),
                (epoch, upstream, revision),
                "{text}"
            );
            assert_eq!(parsed.to_string(), text);
        }
        assert_eq!(version("01:1.0").to_string(), "1:1.0");
        for bad in ["1;0", "1_0", "1:1.0-1:2", "1.0\u{e9}", "1:-1", "1.0:2"] {
            assert!(bad.parse::<DebVersion>().is_err(), "{bad}");
        }
    }
}
