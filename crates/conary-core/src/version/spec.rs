//! Version specs: the abbreviated versions users type
//! (`name=VERSION-OR-LABEL`), resolved against an install label path.

use std::fmt;
use std::str::FromStr;

use super::revision::check_upstream;
use super::{Branch, Label, Revision, SerialNumber, Version, VersionError, path};

/// The label part of a version spec: a whole label, or the parts that
/// replace those of each label of the install label path.
///
/// ```rust
/// use conary_core::version::LabelSpec;
/// let spec: LabelSpec = ":devel".parse().expect("valid spec");
/// assert_eq!(spec, LabelSpec::Tag("devel".to_owned()));
/// assert_eq!(spec.to_string(), ":devel");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LabelSpec {
    /// `host@namespace:tag`: that label only.
    Label(Label),
    /// `:tag`: each label of the path with its tag replaced.
    Tag(String),
    /// `@namespace:tag`: each label of the path with namespace and tag
    /// replaced.
    NamespaceTag {
        /// The namespace.
        namespace: String,
        /// The tag.
        tag: String,
    },
    /// `host@`: each label of the path with its host replaced.
    Host(String),
}

impl LabelSpec {
    /// The labels this spec stands for, given the install label path, in
    /// path order without repeats.
    pub fn apply(&self, install_label_path: &[Label]) -> Result<Vec<Label>, VersionError> {
        let mut labels: Vec<Label> = Vec::new();
        let candidates: Vec<Label> = match self {
            Self::Label(label) => vec![label.clone()],
            Self::Tag(tag) => install_label_path
                .iter()
                .map(|l| Label::new(l.host(), l.namespace(), tag))
                .collect::<Result<_, _>>()?,
            Self::NamespaceTag { namespace, tag } => install_label_path
                .iter()
                .map(|l| Label::new(l.host(), namespace, tag))
                .collect::<Result<_, _>>()?,
            Self::Host(host) => install_label_path
                .iter()
                .map(|l| Label::new(host, l.namespace(), l.tag()))
                .collect::<Result<_, _>>()?,
        };
        for label in candidates {
            if !labels.contains(&label) {
                labels.push(label);
            }
        }
        Ok(labels)
    }

    /// Whether `label` has the parts this spec names.
    pub fn matches(&self, label: &Label) -> bool {
        match self {
            Self::Label(wanted) => wanted == label,
            Self::Tag(tag) => label.tag() == tag,
            Self::NamespaceTag { namespace, tag } => {
                label.namespace() == namespace && label.tag() == tag
            }
            Self::Host(host) => label.host() == host,
        }
    }

    /// Whether this spec needs an install label path to mean anything.
    fn is_partial(&self) -> bool {
        !matches!(self, Self::Label(_))
    }
}

impl FromStr for LabelSpec {
    type Err = VersionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        // Check the parts by building a label with stand-ins for the
        // missing ones, then name the spec in the error.
        let wrap = |error: VersionError| match error {
            VersionError::InvalidLabel { reason, .. } => VersionError::spec(text, reason),
            other => other,
        };
        if let Some(tag) = text.strip_prefix(':') {
            let label = Label::new("h", "n", tag).map_err(wrap)?;
            Ok(Self::Tag(label.tag().to_owned()))
        } else if let Some(rest) = text.strip_prefix('@') {
            let Some((namespace, tag)) = rest.split_once(':') else {
                return Err(VersionError::spec(text, "missing ':' after namespace"));
            };
            let label = Label::new("h", namespace, tag).map_err(wrap)?;
            Ok(Self::NamespaceTag {
                namespace: label.namespace().to_owned(),
                tag: label.tag().to_owned(),
            })
        } else if let Some(host) = text.strip_suffix('@') {
            let label = Label::new(host, "n", "t").map_err(wrap)?;
            Ok(Self::Host(label.host().to_owned()))
        } else {
            Ok(Self::Label(text.parse().map_err(wrap)?))
        }
    }
}

impl fmt::Display for LabelSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Label(label) => write!(f, "{label}"),
            Self::Tag(tag) => write!(f, ":{tag}"),
            Self::NamespaceTag { namespace, tag } => write!(f, "@{namespace}:{tag}"),
            Self::Host(host) => write!(f, "{host}@"),
        }
    }
}

/// A revision to match: the upstream version, and optionally the source
/// count and the build count (`1.0`, `1.0-1`, `1.0-1-2`).
///
/// ```rust
/// use conary_core::version::{Revision, RevisionSpec};
/// let spec: RevisionSpec = "1.0-1".parse().expect("valid spec");
/// assert!(spec.matches(&"1.0-1-3".parse::<Revision>().expect("valid")));
/// assert_eq!(spec.to_string(), "1.0-1");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RevisionSpec {
    upstream: String,
    source_count: Option<SerialNumber>,
    build_count: Option<SerialNumber>,
}

impl RevisionSpec {
    /// The upstream version to match.
    pub fn upstream(&self) -> &str {
        &self.upstream
    }

    /// The source count to match, if given.
    pub fn source_count(&self) -> Option<&SerialNumber> {
        self.source_count.as_ref()
    }

    /// The build count to match, if given.
    pub fn build_count(&self) -> Option<&SerialNumber> {
        self.build_count.as_ref()
    }

    /// Whether `revision` has the upstream version and the counts given.
    pub fn matches(&self, revision: &Revision) -> bool {
        self.upstream == revision.upstream()
            && self
                .source_count
                .as_ref()
                .is_none_or(|count| count == revision.source_count())
            && self
                .build_count
                .as_ref()
                .is_none_or(|count| Some(count) == revision.build_count())
    }
}

impl From<&Revision> for RevisionSpec {
    fn from(revision: &Revision) -> Self {
        Self {
            upstream: revision.upstream().to_owned(),
            source_count: Some(revision.source_count().clone()),
            build_count: revision.build_count().cloned(),
        }
    }
}

impl FromStr for RevisionSpec {
    type Err = VersionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if !text.contains('-') {
            check_upstream(text, text)?;
            return Ok(Self {
                upstream: text.to_owned(),
                source_count: None,
                build_count: None,
            });
        }
        let revision: Revision = text.parse()?;
        Ok(Self::from(&revision))
    }
}

impl fmt::Display for RevisionSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.upstream)?;
        if let Some(source) = &self.source_count {
            write!(f, "-{source}")?;
            if let Some(build) = &self.build_count {
                write!(f, "-{build}")?;
            }
        }
        Ok(())
    }
}

/// A version as a user writes it after `name=`: a full version or branch,
/// a label (whole or in part) with an optional revision, or a bare
/// revision searched on the install label path.
///
/// ```rust
/// use conary_core::version::{Label, VersionSpec};
/// let path: Vec<Label> = vec!["localhost@rpl:linux".parse().expect("valid")];
/// let spec: VersionSpec = ":branch/2.0".parse().expect("valid spec");
/// let query = spec.resolve(&path).expect("resolvable");
/// assert_eq!(query.labels[0].to_string(), "localhost@rpl:branch");
/// assert_eq!(spec.to_string(), ":branch/2.0");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VersionSpec {
    /// `/label/.../revision`: exactly this version.
    Version(Version),
    /// `/label/...`: the latest version on this branch.
    Branch(Branch),
    /// `LABEL-SPEC[/REVISION]`: on the labels the spec stands for.
    Label {
        /// Which labels.
        label: LabelSpec,
        /// The revision to match, if given.
        revision: Option<RevisionSpec>,
    },
    /// `1.0`, `1.0-1`, `1.0-1-2`: the revision on the install label path.
    Revision(RevisionSpec),
}

/// Where to look for a version spec: the labels to search, in order, and
/// the revision to match on them. Candidates found there must also pass
/// [`VersionSpec::matches`].
///
/// ```rust
/// use conary_core::version::{Label, VersionSpec};
/// let path: Vec<Label> = vec!["a.com@rpl:devel".parse().expect("valid"), "b.com@rpl:devel".parse().expect("valid")];
/// let query = "@rpl:1/2.0".parse::<VersionSpec>().expect("valid").resolve(&path).expect("path given");
/// let labels: Vec<String> = query.labels.iter().map(|l| l.to_string()).collect();
/// assert_eq!(labels, ["a.com@rpl:1", "b.com@rpl:1"]);
/// assert_eq!(query.revision.map(|r| r.to_string()).as_deref(), Some("2.0"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecQuery {
    /// The labels to search, in order.
    pub labels: Vec<Label>,
    /// The revision to match, if any.
    pub revision: Option<RevisionSpec>,
}

impl VersionSpec {
    /// The labels to search and the revision to match, given the install
    /// label path. Fails when the spec is partial and the path is empty.
    pub fn resolve(&self, install_label_path: &[Label]) -> Result<SpecQuery, VersionError> {
        let needs_path = match self {
            Self::Label { label, .. } => label.is_partial(),
            Self::Revision(_) => true,
            Self::Version(_) | Self::Branch(_) => false,
        };
        if needs_path && install_label_path.is_empty() {
            return Err(VersionError::LabelPathNeeded {
                spec: self.to_string(),
            });
        }
        Ok(match self {
            Self::Version(version) => SpecQuery {
                labels: vec![version.trailing_label().clone()],
                revision: Some(RevisionSpec::from(version.trailing_revision())),
            },
            Self::Branch(branch) => SpecQuery {
                labels: vec![branch.label().clone()],
                revision: None,
            },
            Self::Label { label, revision } => SpecQuery {
                labels: label.apply(install_label_path)?,
                revision: revision.clone(),
            },
            Self::Revision(revision) => {
                let mut labels: Vec<Label> = Vec::new();
                for label in install_label_path {
                    if !labels.contains(label) {
                        labels.push(label.clone());
                    }
                }
                SpecQuery {
                    labels,
                    revision: Some(revision.clone()),
                }
            }
        })
    }

    /// Whether `version` is one this spec asks for: the same version, a
    /// version on the branch, or one whose trailing label and revision have
    /// the parts the spec names.
    pub fn matches(&self, version: &Version) -> bool {
        match self {
            Self::Version(wanted) => wanted == version,
            Self::Branch(branch) => version.branch() == branch,
            Self::Label { label, revision } => {
                label.matches(version.trailing_label())
                    && revision
                        .as_ref()
                        .is_none_or(|r| r.matches(version.trailing_revision()))
            }
            Self::Revision(revision) => revision.matches(version.trailing_revision()),
        }
    }

    /// Whether the spec names a label (or a branch or version): if not,
    /// the labels of installed troves (branch affinity) come first.
    pub fn names_label(&self) -> bool {
        !matches!(self, Self::Revision(_))
    }
}

impl FromStr for VersionSpec {
    type Err = VersionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.is_empty() {
            return Err(VersionError::spec(text, "empty version"));
        }
        if text.starts_with('/') {
            let parsed = path::parse(text, false)?;
            return Ok(match parsed.trailing {
                Some(revision) => Self::Version(Version::assemble(parsed.branch, revision)),
                None => Self::Branch(parsed.branch),
            });
        }
        if text.matches('/').count() > 1 {
            return Err(VersionError::spec(
                text,
                "a version not starting with '/' may hold only one '/'",
            ));
        }
        let (label_part, revision_part) = match text.split_once('/') {
            Some((label, revision)) => (label, Some(revision)),
            None => (text, None),
        };
        let names_label = label_part.starts_with(':')
            || label_part.starts_with('@')
            || label_part.ends_with('@')
            || label_part.contains('@');
        if !names_label {
            if revision_part.is_some() {
                return Err(VersionError::spec(
                    text,
                    format!(
                        "'{label_part}' is not a label (host@namespace:tag, :tag, \
                         @namespace:tag or host@)"
                    ),
                ));
            }
            return Ok(Self::Revision(text.parse()?));
        }
        let label: LabelSpec = label_part.parse()?;
        let revision = match revision_part {
            Some(part) if !part.is_empty() => Some(part.parse()?),
            _ => None,
        };
        Ok(Self::Label { label, revision })
    }
}

impl fmt::Display for VersionSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Version(version) => write!(f, "{version}"),
            Self::Branch(branch) => write!(f, "{branch}"),
            Self::Label { label, revision } => {
                write!(f, "{label}")?;
                if let Some(revision) = revision {
                    write!(f, "/{revision}")?;
                }
                Ok(())
            }
            Self::Revision(revision) => write!(f, "{revision}"),
        }
    }
}
