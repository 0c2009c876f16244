//! Serial numbers: the dotted source and build counts of a revision.

use std::fmt;
use std::str::FromStr;

use super::VersionError;

/// A source or build count: one number per shadow level, dotted (`1`,
/// `3.1`, `0.1`, `1.0.1`).
///
/// The number of dots is the shadow depth the count belongs to: `3.1` is
/// the first change on a shadow to source count 3 of the parent branch, and
/// `0.1` a count on a shadow with no counterpart on the parent.
///
/// ```rust
/// use conary_core::version::SerialNumber;
/// let count: SerialNumber = "3.1".parse().expect("valid count");
/// assert_eq!(count.shadow_count(), 1);
/// assert_eq!(count.to_string(), "3.1");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SerialNumber {
    // Never empty.
    counts: Vec<u64>,
}

impl SerialNumber {
    /// The deepest shadow level [`SerialNumber::increment`] pads to.
    pub const MAX_SHADOW_LENGTH: usize = 4096;

    /// Builds a serial number from its parts; `None` when `counts` is empty.
    ///
    /// ```rust
    /// use conary_core::version::SerialNumber;
    /// let count = SerialNumber::new(vec![1, 0, 1]).expect("not empty");
    /// assert_eq!(count.to_string(), "1.0.1");
    /// ```
    pub fn new(counts: Vec<u64>) -> Option<Self> {
        if counts.is_empty() {
            None
        } else {
            Some(Self { counts })
        }
    }

    /// A single-part count, such as the `1` of a first build.
    pub fn single(count: u64) -> Self {
        Self {
            counts: vec![count],
        }
    }

    /// The parts, outermost branch first.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// The number of shadow levels this count carries (parts minus one).
    pub fn shadow_count(&self) -> usize {
        self.counts.len().saturating_sub(1)
    }

    /// Whether this is the count `0` (the original treats it as "no count").
    pub fn is_zero(&self) -> bool {
        self.counts == [0]
    }

    /// The last part.
    pub fn last(&self) -> u64 {
        self.counts.last().copied().unwrap_or(0)
    }

    /// Pads this count with zeros to `shadow_length + 1` parts, then adds one
    /// to the last part: `1` at shadow length 2 becomes `1.0.1`.
    ///
    /// ```rust
    /// use conary_core::version::SerialNumber;
    /// let count: SerialNumber = "3".parse().expect("valid count");
    /// assert_eq!(count.increment(1).expect("no overflow").to_string(), "3.1");
    /// ```
    ///
    /// Fails on overflow, or when `shadow_length` is beyond any real branch
    /// ([`SerialNumber::MAX_SHADOW_LENGTH`]).
    pub fn increment(&self, shadow_length: usize) -> Result<Self, VersionError> {
        let overflow = || VersionError::CountOverflow {
            count: self.to_string(),
        };
        if shadow_length > Self::MAX_SHADOW_LENGTH {
            return Err(overflow());
        }
        let mut counts = self.counts.clone();
        let wanted = shadow_length + 1;
        if counts.len() < wanted {
            counts.resize(wanted, 0);
        }
        let last = counts.last_mut().ok_or_else(overflow)?;
        *last = last.checked_add(1).ok_or_else(overflow)?;
        Ok(Self { counts })
    }

    /// Keeps at most the first `parts` parts (at least one).
    pub fn truncated(&self, parts: usize) -> Self {
        let keep = parts.max(1).min(self.counts.len());
        Self {
            counts: self.counts.iter().take(keep).copied().collect(),
        }
    }

    /// Keeps only the last part, as a freshly branched count does.
    pub fn last_only(&self) -> Self {
        Self::single(self.last())
    }

    /// Removes trailing zero parts, keeping at least one part.
    pub fn without_trailing_zeros(&self) -> Self {
        let mut counts = self.counts.clone();
        while counts.len() > 1 && counts.last() == Some(&0) {
            counts.pop();
        }
        Self { counts }
    }
}

impl FromStr for SerialNumber {
    type Err = VersionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.is_empty() {
            return Err(VersionError::serial(text, "empty count"));
        }
        let mut counts = Vec::new();
        for part in text.split('.') {
            if part.is_empty() {
                return Err(VersionError::serial(text, "empty part between dots"));
            }
            if !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(VersionError::serial(
                    text,
                    "counts must be numbers separated by dots",
                ));
            }
            let value = part
                .parse::<u64>()
                .map_err(|_| VersionError::serial(text, format!("'{part}' is too large")))?;
            counts.push(value);
        }
        Ok(Self { counts })
    }
}

impl fmt::Display for SerialNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, count) in self.counts.iter().enumerate() {
            if index > 0 {
                f.write_str(".")?;
            }
            write!(f, "{count}")?;
        }
        Ok(())
    }
}
