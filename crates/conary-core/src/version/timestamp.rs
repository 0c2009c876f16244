//! Commit timestamps.

use std::fmt;
use std::str::FromStr;

use super::VersionError;

/// The time a revision was committed, in milliseconds since the epoch.
///
/// It prints as `SECONDS.mmm`, the form of the original's frozen versions.
/// Versions on a branch are ordered by the timestamp of their trailing
/// revision and by nothing else.
///
/// ```rust
/// use conary_core::version::Timestamp;
/// let ts: Timestamp = "1234567890.123".parse().expect("valid timestamp");
/// assert_eq!(ts.as_millis(), 1_234_567_890_123);
/// assert_eq!(ts.to_string(), "1234567890.123");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp(u64);

impl Timestamp {
    /// A timestamp from milliseconds since the epoch.
    pub const fn from_millis(millis: u64) -> Self {
        Self(millis)
    }

    /// A timestamp from whole seconds since the epoch, `None` on overflow.
    pub fn from_secs(secs: u64) -> Option<Self> {
        secs.checked_mul(1000).map(Self)
    }

    /// Milliseconds since the epoch.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// Whether this is zero, which the original uses for "no timestamp".
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl FromStr for Timestamp {
    type Err = VersionError;

    /// Parses `SECONDS[.FRACTION]`; a fraction finer than milliseconds is
    /// rounded half up.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (secs, fraction) = text.split_once('.').unwrap_or((text, ""));
        if secs.is_empty() || !secs.bytes().all(|b| b.is_ascii_digit()) {
            return Err(VersionError::timestamp(
                text,
                "expected seconds since the epoch",
            ));
        }
        if text.contains('.') && fraction.is_empty() {
            return Err(VersionError::timestamp(text, "missing digits after '.'"));
        }
        if !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return Err(VersionError::timestamp(text, "fraction must be digits"));
        }
        let too_large = || VersionError::timestamp(text, "too large");
        let secs: u64 = secs.parse().map_err(|_| too_large())?;
        let digits = fraction.as_bytes();
        let mut millis: u64 = 0;
        for place in 0..3 {
            let digit = digits.get(place).map_or(0, |d| u64::from(d - b'0'));
            millis = millis * 10 + digit;
        }
        if digits.get(3).is_some_and(|d| *d >= b'5') {
            millis += 1;
        }
        secs.checked_mul(1000)
            .and_then(|ms| ms.checked_add(millis))
            .map(Self)
            .ok_or_else(too_large)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:03}", self.0 / 1000, self.0 % 1000)
    }
}
