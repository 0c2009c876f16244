//! Versions: a branch and a trailing revision.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::{Branch, BranchStep, Label, Revision, Timestamp, VersionError, path};

/// A version: a branch plus the revision on it
/// (`/conary.rpath.com@rpl:devel/2.2.3-4-2`).
///
/// Equality, hashing and `Ord` ignore timestamps (a structural order for
/// collections). Which of two versions is newer is decided by the
/// timestamps of their trailing revisions only: see
/// [`Version::cmp_by_time`].
///
/// ```rust
/// use conary_core::version::Version;
/// let v: Version = "/foo.com@spc:trunk/1.2-3-1/bar.com@spc:linux/4".parse().expect("valid");
/// assert_eq!(v.trailing_revision().to_string(), "1.2-3-4");
/// assert_eq!(v.to_string(), "/foo.com@spc:trunk/1.2-3-1/bar.com@spc:linux/4");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Version {
    branch: Branch,
    revision: Revision,
}

impl Version {
    /// Puts `revision` on `branch`, checking that its counts fit the
    /// shadow depth and that a source revision does not follow a binary
    /// branch point (such a version has no text form).
    pub fn new(branch: Branch, revision: Revision) -> Result<Self, VersionError> {
        branch.check_revision(&revision)?;
        Ok(Self { branch, revision })
    }

    /// Joins a branch and a revision already known to fit together.
    pub(crate) fn assemble(branch: Branch, revision: Revision) -> Self {
        Self { branch, revision }
    }

    /// Parses `text`, taking it relative to `default` unless it starts
    /// with `/` (`1.2-3` on `/a@b:c` is `/a@b:c/1.2-3`).
    ///
    /// ```rust
    /// use conary_core::version::{Branch, Version};
    /// let branch: Branch = "/foo.com@spc:bar".parse().expect("valid");
    /// let v = Version::parse_relative("1.2-3", &branch).expect("valid");
    /// assert_eq!(v.to_string(), "/foo.com@spc:bar/1.2-3");
    /// ```
    pub fn parse_relative(text: &str, default: &Branch) -> Result<Self, VersionError> {
        if text.starts_with('/') {
            return text.parse();
        }
        let full = format!("{default}/{text}");
        full.parse()
    }

    /// The branch this version is on.
    pub fn branch(&self) -> &Branch {
        &self.branch
    }

    /// The branch and the trailing revision.
    pub fn into_parts(self) -> (Branch, Revision) {
        (self.branch, self.revision)
    }

    /// The revision at the end.
    pub fn trailing_revision(&self) -> &Revision {
        &self.revision
    }

    /// The label of the branch.
    pub fn trailing_label(&self) -> &Label {
        self.branch.label()
    }

    /// The host of the trailing label.
    pub fn host(&self) -> &str {
        self.branch.host()
    }

    /// All labels, from the root on.
    pub fn labels(&self) -> impl Iterator<Item = &Label> {
        self.branch.labels()
    }

    /// All revisions, branch points first, the trailing revision last.
    pub fn revisions(&self) -> impl Iterator<Item = &Revision> {
        self.branch
            .branch_points()
            .chain(std::iter::once(&self.revision))
    }

    /// The commit timestamp of the trailing revision.
    pub fn timestamp(&self) -> Option<Timestamp> {
        self.revision.timestamp()
    }

    /// The timestamps of all revisions, in order.
    pub fn timestamps(&self) -> Vec<Option<Timestamp>> {
        self.revisions().map(Revision::timestamp).collect()
    }

    /// This version with the trailing revision's timestamp set.
    pub fn with_timestamp(mut self, timestamp: Option<Timestamp>) -> Self {
        self.revision = self.revision.with_timestamp(timestamp);
        self
    }

    /// This version with one timestamp per revision, in order (the
    /// original's `strToFrozen`).
    pub fn with_timestamps(&self, timestamps: &[Timestamp]) -> Result<Self, VersionError> {
        let expected = self.revisions().count();
        if timestamps.len() != expected {
            return Err(VersionError::TimestampCount {
                version: self.to_string(),
                expected,
                found: timestamps.len(),
            });
        }
        let mut stamps = timestamps.iter().copied();
        let steps = self
            .branch
            .steps()
            .iter()
            .map(|step| match step {
                BranchStep::Branch { revision, label } => BranchStep::Branch {
                    revision: revision.clone().with_timestamp(stamps.next()),
                    label: label.clone(),
                },
                other => other.clone(),
            })
            .collect();
        Ok(Self {
            branch: Branch::from_parts(self.branch.root().clone(), steps),
            revision: self.revision.clone().with_timestamp(stamps.next()),
        })
    }

    /// This version with every timestamp removed.
    pub fn without_timestamps(&self) -> Self {
        Self {
            branch: self.branch.without_timestamps(),
            revision: self.revision.clone().with_timestamp(None),
        }
    }

    /// The frozen form: every revision prefixed with its timestamp
    /// (`/a@b:c/1234567890.123:1.0-1-1`); a missing timestamp is `0.000`.
    ///
    /// ```rust
    /// use conary_core::version::Version;
    /// let v = Version::thaw("/a@b:c/1234567890.123:1.0-1-1").expect("valid");
    /// assert_eq!(v.freeze(), "/a@b:c/1234567890.123:1.0-1-1");
    /// ```
    pub fn freeze(&self) -> String {
        path::render(&self.elems(), true, true)
    }

    /// Parses the frozen form made by [`Version::freeze`].
    pub fn thaw(text: &str) -> Result<Version, VersionError> {
        into_version(text, path::parse(text, true)?)
    }

    /// Which version is newer, by the timestamps of the trailing revisions
    /// only; `None` unless both have one.
    ///
    /// ```rust
    /// use std::cmp::Ordering;
    /// use conary_core::version::Version;
    /// let old = Version::thaw("/foo@a:b/1:1-1").expect("valid");
    /// let new = Version::thaw("/foo@a:b/2:1-1").expect("valid");
    /// assert_eq!(new.cmp_by_time(&old), Some(Ordering::Greater));
    /// ```
    pub fn cmp_by_time(&self, other: &Version) -> Option<Ordering> {
        Some(self.timestamp()?.cmp(&other.timestamp()?))
    }

    /// Whether this version was committed after `other` (both timestamps
    /// known).
    pub fn is_after(&self, other: &Version) -> bool {
        self.cmp_by_time(other) == Some(Ordering::Greater)
    }

    pub(crate) fn elems(&self) -> Vec<path::Elem<'_>> {
        path::elems(&self.branch, Some(&self.revision))
    }

    /// Prints this version with `default` left out when it is a proper
    /// prefix, as the original's `asString(defaultBranch)`. This can hide
    /// a shadow marker: with default `/a@b:c`, `/a@b:c//d@e:f/1.0-1.1-1`
    /// prints `d@e:f/1.0-1.1-1`.
    ///
    /// ```rust
    /// use conary_core::version::{Branch, Version};
    /// let default: Branch = "/a@b:c".parse().expect("valid");
    /// let v: Version = "/a@b:c/1.0-1-1".parse().expect("valid");
    /// assert_eq!(v.as_string_against(&default), "1.0-1-1");
    /// ```
    pub fn as_string_against(&self, default: &Branch) -> String {
        path::render_against(&self.elems(), default)
    }

    /// The shortest display against an install label path: the trailing
    /// revision alone when the version is on the first label of the path,
    /// `label/revision` otherwise.
    ///
    /// ```rust
    /// use conary_core::version::{Label, Version};
    /// let path: Vec<Label> = vec!["conary.rpath.com@rpl:trunk".parse().expect("valid")];
    /// let v: Version = "/conary.rpath.com@rpl:trunk/2.2.3-4/release-1/5".parse().expect("valid");
    /// assert_eq!(v.as_string_against_label_path(&path), "conary.rpath.com@rpl:release-1/2.2.3-5");
    /// ```
    pub fn as_string_against_label_path(&self, install_label_path: &[Label]) -> String {
        if install_label_path.first() == Some(self.trailing_label()) {
            self.revision.to_string()
        } else {
            format!("{}/{}", self.trailing_label(), self.revision)
        }
    }

    /// How close this version is to `other`, for branch affinity (see
    /// [`Branch::closeness`]).
    pub fn closeness(&self, other: &Version) -> f64 {
        path::closeness(&self.elems(), &other.elems())
    }

    /// The shadow depth of the branch (the original's `shadowLength`).
    pub fn shadow_depth(&self) -> usize {
        self.branch.shadow_depth()
    }

    /// Whether the branch is a shadow.
    pub fn is_shadow(&self) -> bool {
        self.branch.is_shadow()
    }

    /// Whether this version is on one of the labels of the local machine.
    pub fn is_on_local_host(&self) -> bool {
        self.trailing_label().is_local_host_label()
    }

    /// Whether this version is on `local@local:LOCAL`.
    pub fn on_local_label(&self) -> bool {
        *self.trailing_label() == Label::local()
    }

    /// Whether this version is on `local@local:ROLLBACK`.
    pub fn on_rollback_label(&self) -> bool {
        *self.trailing_label() == Label::rollback()
    }

    /// Whether this version is on `local@local:EMERGE`.
    pub fn on_emerge_label(&self) -> bool {
        *self.trailing_label() == Label::emerge()
    }

    /// Whether this version is on `local@local:COOK`.
    pub fn on_local_cook_label(&self) -> bool {
        *self.trailing_label() == Label::cook()
    }

    /// Whether this version is on `local@local:PHANTOM`.
    pub fn on_phantom_label(&self) -> bool {
        *self.trailing_label() == Label::phantom()
    }

    /// Whether the trailing label's namespace is `local`.
    pub fn is_in_local_namespace(&self) -> bool {
        self.trailing_label().namespace() == "local"
    }

    /// Whether this is a source version (no build count).
    pub fn is_source_version(&self) -> bool {
        self.revision.is_source()
    }

    /// Shadows this version onto `label`: the same revision on
    /// `branch//label`, without a timestamp until it is committed.
    ///
    /// ```rust
    /// use conary_core::version::Version;
    /// let v: Version = "/foo@spc:linux/1.1-1".parse().expect("valid");
    /// let shadow = v.create_shadow("foo@spc:shadow".parse().expect("valid")).expect("new label");
    /// assert_eq!(shadow.to_string(), "/foo@spc:linux//shadow/1.1-1");
    /// ```
    pub fn create_shadow(&self, label: Label) -> Result<Version, VersionError> {
        let branch = self
            .branch
            .create_shadow(label)
            .map_err(|error| match error {
                VersionError::SameLabel { label, .. } => VersionError::SameLabel {
                    version: self.to_string(),
                    label,
                },
                other => other,
            })?;
        Version::new(branch, self.revision.clone().with_timestamp(None))
    }

    /// The new branch off this version (`/a@b:c/1.2-3` → `/a@b:c/1.2-3/d`).
    ///
    /// ```rust
    /// use conary_core::version::Version;
    /// let v: Version = "/a@b:c/1.2-3".parse().expect("valid");
    /// let branch = v.create_branch("a@b:d".parse().expect("valid")).expect("new label");
    /// assert_eq!(branch.to_string(), "/a@b:c/1.2-3/d");
    /// ```
    pub fn create_branch(&self, label: Label) -> Result<Branch, VersionError> {
        if *self.trailing_label() == label {
            return Err(VersionError::SameLabel {
                version: self.to_string(),
                label: label.to_string(),
            });
        }
        let mut steps = self.branch.steps().to_vec();
        steps.push(BranchStep::Branch {
            revision: self.revision.clone(),
            label,
        });
        Ok(Branch::from_parts(self.branch.root().clone(), steps))
    }

    /// The first version of a new branch off this one: the counts keep
    /// only their last part (`/a@b:c/1.2-3` → `/a@b:c/1.2-3/d/3`).
    pub fn create_branched_version(&self, label: Label) -> Result<Version, VersionError> {
        let branch = self.create_branch(label)?;
        let source = self.revision.source_count().last_only();
        let build = self.revision.build_count().map(|b| b.last_only());
        let revision = self
            .revision
            .clone()
            .with_source_count(source)
            .with_build_count(build)
            .with_timestamp(None);
        Version::new(branch, revision)
    }
}

fn into_version(text: &str, parsed: path::Parsed) -> Result<Version, VersionError> {
    match parsed.trailing {
        Some(revision) => Ok(Version {
            branch: parsed.branch,
            revision,
        }),
        None => Err(VersionError::version(
            text,
            "ends with a label, a version ends with a revision",
        )),
    }
}

impl FromStr for Version {
    type Err = VersionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        into_version(text, path::parse(text, false)?)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&path::render(&self.elems(), true, false))
    }
}
