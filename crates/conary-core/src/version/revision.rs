//! Revisions: `upstream-source[-build]`, with a commit timestamp.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use super::label::describe_char;
use super::{SerialNumber, Timestamp, VersionError};

/// One revision of a trove on a branch: the upstream version, the source
/// count and, for built troves, the build count (`2.2.3-4-2`).
///
/// The upstream version holds only ASCII letters, digits and `()+,.;_~`
/// (it need not start with a digit: `.2a-3` is valid, as in the original);
/// it is never compared for "newer": only commit timestamps order revisions.
/// Equality, hashing and `Ord` ignore the timestamp, as the original does.
///
/// ```rust
/// use conary_core::version::Revision;
/// let rev: Revision = "2.2.3-4-2".parse().expect("valid revision");
/// assert_eq!(rev.upstream(), "2.2.3");
/// assert_eq!(rev.to_string(), "2.2.3-4-2");
/// ```
#[derive(Clone, Debug)]
pub struct Revision {
    upstream: String,
    source_count: SerialNumber,
    build_count: Option<SerialNumber>,
    // Never `Some(0)`: zero means "no timestamp".
    timestamp: Option<Timestamp>,
}

/// Whether `c` may appear in an upstream version.
fn upstream_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "()+,.;_~".contains(c)
}

/// Checks an upstream version string; `text` is named in the error.
pub(crate) fn check_upstream(text: &str, upstream: &str) -> Result<(), VersionError> {
    if upstream.is_empty() {
        return Err(VersionError::revision(text, "empty upstream version"));
    }
    if let Some(c) = upstream.chars().find(|c| !upstream_char(*c)) {
        return Err(VersionError::revision(
            text,
            format!("{} is not allowed in an upstream version", describe_char(c)),
        ));
    }
    Ok(())
}

fn count(text: &str, field: &str, what: &str) -> Result<SerialNumber, VersionError> {
    field.parse().map_err(|error| match error {
        VersionError::InvalidSerialNumber { reason, .. } => {
            VersionError::revision(text, format!("{what} '{field}': {reason}"))
        }
        other => other,
    })
}

impl Revision {
    /// Builds a revision from its parts, checking the upstream version.
    ///
    /// ```rust
    /// use conary_core::version::{Revision, SerialNumber};
    /// let rev = Revision::new("1.0", SerialNumber::single(1), None).expect("valid");
    /// assert_eq!(rev.to_string(), "1.0-1");
    /// ```
    pub fn new(
        upstream: &str,
        source_count: SerialNumber,
        build_count: Option<SerialNumber>,
    ) -> Result<Self, VersionError> {
        check_upstream(upstream, upstream)?;
        Ok(Self {
            upstream: upstream.to_owned(),
            source_count,
            build_count,
            timestamp: None,
        })
    }

    /// Parses a revision that may be abbreviated against `template`, the
    /// previous revision of a version string: after a revision with a build
    /// count the text gives `build` or `source-build`; otherwise it gives
    /// `source` or `upstream-source`. Three fields are always a full
    /// revision.
    ///
    /// ```rust
    /// use conary_core::version::Revision;
    /// let base: Revision = "1.2-3-1".parse().expect("valid");
    /// let rev = Revision::parse_relative("4", &base).expect("valid");
    /// assert_eq!(rev.to_string(), "1.2-3-4");
    /// ```
    pub fn parse_relative(text: &str, template: &Revision) -> Result<Self, VersionError> {
        parse(text, Some(template))
    }

    /// Parses the frozen form `TIMESTAMP:revision` (`15.000:1.2a-2`).
    ///
    /// ```rust
    /// use conary_core::version::Revision;
    /// let rev = Revision::thaw("15:1.2a-2").expect("valid");
    /// assert_eq!(rev.freeze(), "15.000:1.2a-2");
    /// ```
    pub fn thaw(text: &str) -> Result<Self, VersionError> {
        thaw(text, None)
    }

    /// The frozen form, `TIMESTAMP:revision`; a missing timestamp is `0.000`.
    pub fn freeze(&self) -> String {
        format!("{}:{}", self.frozen_timestamp(), self)
    }

    pub(crate) fn frozen_timestamp(&self) -> Timestamp {
        self.timestamp.unwrap_or(Timestamp::from_millis(0))
    }

    /// The upstream version (`2.2.3`).
    pub fn upstream(&self) -> &str {
        &self.upstream
    }

    /// The source count.
    pub fn source_count(&self) -> &SerialNumber {
        &self.source_count
    }

    /// The build count; `None` for a source revision.
    pub fn build_count(&self) -> Option<&SerialNumber> {
        self.build_count.as_ref()
    }

    /// Whether this is a source revision (no build count).
    pub fn is_source(&self) -> bool {
        self.build_count.is_none()
    }

    /// The commit timestamp, if known.
    pub fn timestamp(&self) -> Option<Timestamp> {
        self.timestamp
    }

    /// This revision with the given timestamp; zero means none.
    pub fn with_timestamp(mut self, timestamp: Option<Timestamp>) -> Self {
        self.timestamp = timestamp.filter(|ts| !ts.is_zero());
        self
    }

    /// This revision with another source count.
    pub fn with_source_count(mut self, source_count: SerialNumber) -> Self {
        self.source_count = source_count;
        self
    }

    /// This revision with another build count (`None` makes it a source).
    pub fn with_build_count(mut self, build_count: Option<SerialNumber>) -> Self {
        self.build_count = build_count;
        self
    }

    /// The deepest shadow level any of the counts carries.
    pub fn shadow_count(&self) -> usize {
        let build = self
            .build_count
            .as_ref()
            .map_or(0, SerialNumber::shadow_count);
        self.source_count.shadow_count().max(build)
    }

    /// Prints this revision as short as possible after `versus`, the
    /// previous revision in a version string: only the counts that differ.
    /// The short form is used only when both revisions agree on having a
    /// build count, so that it always reads back the same.
    ///
    /// ```rust
    /// use conary_core::version::Revision;
    /// let a: Revision = "1.2-3-1".parse().expect("valid");
    /// let b: Revision = "1.2-3-4".parse().expect("valid");
    /// assert_eq!(b.as_string_against(&a), "4");
    /// ```
    pub fn as_string_against(&self, versus: &Revision) -> String {
        let same_kind = self.build_count.is_some() == versus.build_count.is_some();
        if !same_kind || self.upstream != versus.upstream {
            return self.to_string();
        }
        match &self.build_count {
            None => self.source_count.to_string(),
            Some(build) if self.source_count == versus.source_count => build.to_string(),
            Some(build) => format!("{}-{}", self.source_count, build),
        }
    }

    /// Prints relative to an optional previous revision.
    pub(crate) fn render(&self, versus: Option<&Revision>, frozen: bool) -> String {
        let text = match versus {
            Some(versus) => self.as_string_against(versus),
            None => self.to_string(),
        };
        if frozen {
            format!("{}:{}", self.frozen_timestamp(), text)
        } else {
            text
        }
    }
}

/// Parses the frozen form `TS:rev`, abbreviated against `template`.
pub(crate) fn thaw(text: &str, template: Option<&Revision>) -> Result<Revision, VersionError> {
    let Some((stamp, rest)) = text.split_once(':') else {
        return Err(VersionError::revision(
            text,
            "missing 'TIMESTAMP:' of a frozen revision",
        ));
    };
    let timestamp: Timestamp = stamp.parse()?;
    Ok(parse(rest, template)?.with_timestamp(Some(timestamp)))
}

/// Parses a revision, abbreviated against `template` if given.
pub(crate) fn parse(text: &str, template: Option<&Revision>) -> Result<Revision, VersionError> {
    if text.is_empty() {
        return Err(VersionError::revision(text, "empty revision"));
    }
    let fields: Vec<&str> = text.split('-').collect();
    let (upstream, source, build) = match (fields.as_slice(), template) {
        ([upstream, source, build], _) => (*upstream, Some(*source), Some(*build)),
        (_, _) if fields.len() > 3 => {
            return Err(VersionError::revision(text, "too many '-' characters"));
        }
        ([build], Some(t)) if t.build_count.is_some() => (t.upstream.as_str(), None, Some(*build)),
        ([source, build], Some(t)) if t.build_count.is_some() => {
            (t.upstream.as_str(), Some(*source), Some(*build))
        }
        ([source], Some(t)) => (t.upstream.as_str(), Some(*source), None),
        ([upstream, source], _) => (*upstream, Some(*source), None),
        ([upstream], None) => {
            check_upstream(text, upstream)?;
            return Err(VersionError::revision(text, "missing source count"));
        }
        _ => return Err(VersionError::revision(text, "malformed revision")),
    };
    check_upstream(text, upstream)?;
    let source_count = match (source, template) {
        (Some(field), _) => count(text, field, "source count")?,
        (None, Some(t)) => t.source_count.clone(),
        (None, None) => return Err(VersionError::revision(text, "missing source count")),
    };
    let build_count = build
        .map(|field| count(text, field, "build count"))
        .transpose()?;
    Ok(Revision {
        upstream: upstream.to_owned(),
        source_count,
        build_count,
        timestamp: None,
    })
}

impl FromStr for Revision {
    type Err = VersionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse(text, None)
    }
}

impl fmt::Display for Revision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.upstream, self.source_count)?;
        if let Some(build) = &self.build_count {
            write!(f, "-{build}")?;
        }
        Ok(())
    }
}

impl PartialEq for Revision {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Revision {}

impl Hash for Revision {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.upstream.hash(state);
        self.source_count.hash(state);
        self.build_count.hash(state);
    }
}

impl PartialOrd for Revision {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Revision {
    /// A structural order (upstream, source count, build count) for
    /// collections; it says nothing about which revision is newer.
    fn cmp(&self, other: &Self) -> Ordering {
        self.upstream
            .cmp(&other.upstream)
            .then_with(|| self.source_count.cmp(&other.source_count))
            .then_with(|| self.build_count.cmp(&other.build_count))
    }
}
