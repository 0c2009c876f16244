//! Debian versions: `[epoch:]upstream[-revision]`, parsed strictly and
//! compared with dpkg's algorithm.
//!
//! Parsing follows dpkg's `parseversion`: the epoch ends at the first `:`,
//! the Debian revision starts after the last `-`. The epoch is a decimal
//! number; the upstream version may hold `[A-Za-z0-9.+~]`, plus `-` (only
//! when there is a revision) and `:` (only when there is an epoch); the
//! revision may hold `[A-Za-z0-9.+~]`. Where dpkg merely warns (a bad
//! character) we refuse, because the mapping to a Conary revision in
//! [`super::version_map`] must be a bijection; an upstream version that does
//! not start with a digit is accepted, as dpkg does.
//!
//! [`DebVersion`]'s `Eq` is structural: `1.0` and `0:1.0` are different
//! values that dpkg orders as equal. Compare with [`DebVersion::dpkg_cmp`].

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use thiserror::Error;

/// Why a Debian version (or the Conary form of one) was refused.
///
/// ```rust
/// let err = "1.0-".parse::<conary_build::deb::DebVersion>().unwrap_err();
/// assert_eq!(err.to_string(), "invalid debian version '1.0-': revision is empty");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DebVersionError {
    /// The text is not a valid Debian version.
    #[error("invalid debian version '{text}': {reason}")]
    Invalid {
        /// The (escaped) version text.
        text: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The text is not a Conary upstream version produced by
    /// [`deb_to_conary_upstream`](super::deb_to_conary_upstream).
    #[error("invalid imported conary version '{text}': {reason}")]
    NotImported {
        /// The (escaped) Conary upstream version text.
        text: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// A Debian package version: `[epoch:]upstream[-revision]`.
///
/// ```rust
/// let version: conary_build::deb::DebVersion = "5:7.0.15-1~deb12u7".parse().unwrap();
/// assert_eq!((version.epoch(), version.upstream(), version.revision()), (Some(5), "7.0.15", Some("1~deb12u7")));
/// assert_eq!(version.to_string(), "5:7.0.15-1~deb12u7");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DebVersion {
    epoch: Option<u32>,
    upstream: String,
    revision: Option<String>,
}

impl DebVersion {
    /// Builds a version from its parts, checking each as [`FromStr`] does.
    ///
    /// ```rust
    /// let version = conary_build::deb::DebVersion::new(Some(1), "2.0", None).unwrap();
    /// assert_eq!(version.to_string(), "1:2.0");
    /// ```
    pub fn new(
        epoch: Option<u32>,
        upstream: &str,
        revision: Option<&str>,
    ) -> Result<Self, DebVersionError> {
        let version = DebVersion {
            epoch,
            upstream: upstream.to_owned(),
            revision: revision.map(str::to_owned),
        };
        // Re-parse the formatted text so both constructors share one set of rules
        // (for example an upstream `1-2` without a revision would not survive).
        let reparsed: DebVersion = version.to_string().parse()?;
        if reparsed == version {
            Ok(version)
        } else {
            Err(invalid(
                &version.to_string(),
                "parts do not survive formatting (a '-' or ':' in the wrong part)",
            ))
        }
    }

    /// The epoch, if one is written (`0:` is kept as `Some(0)`).
    pub fn epoch(&self) -> Option<u32> {
        self.epoch
    }

    /// The upstream version.
    pub fn upstream(&self) -> &str {
        &self.upstream
    }

    /// The Debian revision, if one is written.
    pub fn revision(&self) -> Option<&str> {
        self.revision.as_deref()
    }

    /// Orders two versions as `dpkg --compare-versions` does: epochs
    /// numerically (absent is 0), then upstream and revision with dpkg's
    /// `verrevcmp` (absent revision is empty).
    ///
    /// ```rust
    /// use conary_build::deb::DebVersion;
    /// let a: DebVersion = "1.0~rc1".parse().unwrap();
    /// let b: DebVersion = "1.0".parse().unwrap();
    /// assert_eq!(a.dpkg_cmp(&b), std::cmp::Ordering::Less);
    /// ```
    pub fn dpkg_cmp(&self, other: &DebVersion) -> Ordering {
        self.epoch
            .unwrap_or(0)
            .cmp(&other.epoch.unwrap_or(0))
            .then_with(|| verrevcmp(self.upstream.as_bytes(), other.upstream.as_bytes()))
            .then_with(|| {
                verrevcmp(
                    self.revision.as_deref().unwrap_or("").as_bytes(),
                    other.revision.as_deref().unwrap_or("").as_bytes(),
                )
            })
    }
}

impl fmt::Display for DebVersion {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(epoch) = self.epoch {
            write!(formatter, "{epoch}:")?;
        }
        formatter.write_str(&self.upstream)?;
        if let Some(revision) = &self.revision {
            write!(formatter, "-{revision}")?;
        }
        Ok(())
    }
}

impl FromStr for DebVersion {
    type Err = DebVersionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.is_empty() {
            return Err(invalid(text, "version is empty"));
        }
        if text.chars().any(char::is_whitespace) {
            return Err(invalid(text, "version has embedded spaces"));
        }
        let (epoch, rest) = match text.split_once(':') {
            Some((epoch_text, rest)) => {
                if epoch_text.is_empty() {
                    return Err(invalid(text, "epoch is empty"));
                }
                if !epoch_text.bytes().all(|byte| byte.is_ascii_digit()) {
                    return Err(invalid(text, "epoch is not a number"));
                }
                let epoch = epoch_text
                    .parse::<u32>()
                    .map_err(|_| invalid(text, "epoch is too big"))?;
                if epoch > i32::MAX as u32 {
                    return Err(invalid(text, "epoch is too big"));
                }
                if rest.is_empty() {
                    return Err(invalid(text, "nothing after colon"));
                }
                (Some(epoch), rest)
            }
            None => (None, text),
        };
        let (upstream, revision) = match rest.rsplit_once('-') {
            Some((upstream, revision)) => {
                if revision.is_empty() {
                    return Err(invalid(text, "revision is empty"));
                }
                (upstream, Some(revision))
            }
            None => (rest, None),
        };
        if upstream.is_empty() {
            return Err(invalid(text, "upstream version is empty"));
        }
        if let Some(bad) = upstream
            .chars()
            .find(|&character| !is_version_char(character) && character != '-' && character != ':')
        {
            return Err(invalid(
                text,
                &format!(
                    "invalid character '{}' in upstream version",
                    bad.escape_default()
                ),
            ));
        }
        if let Some(revision) = revision
            && let Some(bad) = revision
                .chars()
                .find(|&character| !is_version_char(character))
        {
            return Err(invalid(
                text,
                &format!("invalid character '{}' in revision", bad.escape_default()),
            ));
        }
        Ok(DebVersion {
            epoch,
            upstream: upstream.to_owned(),
            revision: revision.map(str::to_owned),
        })
    }
}

/// Characters allowed in both the upstream version and the revision.
fn is_version_char(character: char) -> bool {
    character.is_ascii_alphanumeric() || matches!(character, '.' | '+' | '~')
}

fn invalid(text: &str, reason: &str) -> DebVersionError {
    DebVersionError::Invalid {
        text: super::escape(text.as_bytes()),
        reason: reason.to_owned(),
    }
}

/// dpkg's weight of one character in the non-digit part: `~` before the end
/// of the string, the end before letters, letters before everything else.
fn order(byte: Option<u8>) -> i32 {
    match byte {
        None => 0,
        Some(byte) if byte.is_ascii_digit() => 0,
        Some(byte) if byte.is_ascii_alphabetic() => i32::from(byte),
        Some(b'~') => -1,
        Some(byte) => i32::from(byte) + 256,
    }
}

/// dpkg's `verrevcmp`: alternating non-digit and digit runs; non-digit runs
/// compare by [`order`], digit runs numerically (leading zeros ignored).
fn verrevcmp(left: &[u8], right: &[u8]) -> Ordering {
    let is_digit = |bytes: &[u8], index: usize| bytes.get(index).is_some_and(u8::is_ascii_digit);
    let (mut left_index, mut right_index) = (0usize, 0usize);
    while left_index < left.len() || right_index < right.len() {
        while (left_index < left.len() && !is_digit(left, left_index))
            || (right_index < right.len() && !is_digit(right, right_index))
        {
            let left_order = order(left.get(left_index).copied());
            let right_order = order(right.get(right_index).copied());
            if left_order != right_order {
                return left_order.cmp(&right_order);
            }
            left_index += 1;
            right_index += 1;
        }
        while left.get(left_index) == Some(&b'0') {
            left_index += 1;
        }
        while right.get(right_index) == Some(&b'0') {
            right_index += 1;
        }
        let mut first_difference = Ordering::Equal;
        while is_digit(left, left_index) && is_digit(right, right_index) {
            if first_difference == Ordering::Equal {
                first_difference = left.get(left_index).cmp(&right.get(right_index));
            }
            left_index += 1;
            right_index += 1;
        }
        if is_digit(left, left_index) {
            return Ordering::Greater;
        }
        if is_digit(right, right_index) {
            return Ordering::Less;
        }
        if first_difference != Ordering::Equal {
            return first_difference;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
#[path = "version_tests.rs"]
pub(crate) mod tests;
