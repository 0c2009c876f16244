//! Branches: `/label`, `/label/1.2-3/child`, `/label//shadow`.

use std::fmt;
use std::str::FromStr;

use super::{Label, Revision, Version, VersionError, path};

/// One step away from the root label of a branch.
///
/// ```rust
/// use conary_core::version::{Branch, BranchStep};
/// let branch: Branch = "/a@b:c/1.0-1/d//e".parse().expect("valid branch");
/// assert!(matches!(branch.steps(), [BranchStep::Branch { .. }, BranchStep::Shadow(_)]));
/// assert_eq!(branch.steps()[0].label().to_string(), "a@b:d");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BranchStep {
    /// A shadow of the branch so far (`//label`): it tracks the parent
    /// branch and dots the counts of revisions changed on it.
    Shadow(Label),
    /// A branch off one revision of the branch so far (`/1.2-3/label`): it
    /// goes its own way from that revision.
    Branch {
        /// The revision branched from.
        revision: Revision,
        /// The label of the new branch.
        label: Label,
    },
}

impl BranchStep {
    /// The label this step leads to.
    pub fn label(&self) -> &Label {
        match self {
            Self::Shadow(label) | Self::Branch { label, .. } => label,
        }
    }
}

/// A branch: a root label followed by shadows and branches, ending in a
/// label (`/conary.rpath.com@rpl:devel//contrib.example.com@rpl:shadow`).
///
/// The text form abbreviates each label against the previous one
/// (`/a@b:c//d` is `/a@b:c//a@b:d`) and each revision against the previous
/// revision. A revision may have as many dotted count parts as there are
/// shadows since the last branch point.
///
/// ```rust
/// use conary_core::version::Branch;
/// let branch: Branch = "/foo@spc:linux//shadow".parse().expect("valid branch");
/// assert!(branch.is_shadow());
/// assert_eq!(branch.label().to_string(), "foo@spc:shadow");
/// assert_eq!(branch.to_string(), "/foo@spc:linux//shadow");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Branch {
    root: Label,
    steps: Vec<BranchStep>,
}

impl Branch {
    /// A trunk: a branch of one label.
    ///
    /// ```rust
    /// use conary_core::version::{Branch, Label};
    /// let label: Label = "a@b:c".parse().expect("valid label");
    /// assert_eq!(Branch::new(label).to_string(), "/a@b:c");
    /// ```
    pub fn new(root: Label) -> Self {
        Self {
            root,
            steps: Vec::new(),
        }
    }

    pub(crate) fn from_parts(root: Label, steps: Vec<BranchStep>) -> Self {
        Self { root, steps }
    }

    /// The first label.
    pub fn root(&self) -> &Label {
        &self.root
    }

    /// The shadows and branches after the root label.
    pub fn steps(&self) -> &[BranchStep] {
        &self.steps
    }

    /// The label of this branch: its last label.
    pub fn label(&self) -> &Label {
        self.steps.last().map_or(&self.root, BranchStep::label)
    }

    /// The host of the last label.
    pub fn host(&self) -> &str {
        self.label().host()
    }

    /// All labels, from the root on.
    pub fn labels(&self) -> impl Iterator<Item = &Label> {
        std::iter::once(&self.root).chain(self.steps.iter().map(BranchStep::label))
    }

    /// The revisions branched from, from the root on.
    pub fn branch_points(&self) -> impl Iterator<Item = &Revision> {
        self.steps.iter().filter_map(|step| match step {
            BranchStep::Branch { revision, .. } => Some(revision),
            BranchStep::Shadow(_) => None,
        })
    }

    /// Whether this branch has a parent branch (it is not a trunk).
    pub fn has_parent_branch(&self) -> bool {
        !self.steps.is_empty()
    }

    /// The branch this one was shadowed or branched from; `None` for a
    /// trunk.
    ///
    /// ```rust
    /// use conary_core::version::Branch;
    /// let branch: Branch = "/a@b:c/1.0-1/d".parse().expect("valid");
    /// assert_eq!(branch.parent_branch().map(|b| b.to_string()).as_deref(), Some("/a@b:c"));
    /// ```
    pub fn parent_branch(&self) -> Option<Branch> {
        let (_, rest) = self.steps.split_last()?;
        Some(Self::from_parts(self.root.clone(), rest.to_vec()))
    }

    /// Whether the last step is a shadow.
    pub fn is_shadow(&self) -> bool {
        matches!(self.steps.last(), Some(BranchStep::Shadow(_)))
    }

    /// The number of shadows since the last branch point (the original's
    /// `shadowLength`): how many dotted parts counts may have here.
    pub fn shadow_depth(&self) -> usize {
        self.steps
            .iter()
            .rev()
            .take_while(|step| matches!(step, BranchStep::Shadow(_)))
            .count()
    }

    /// Shadows this branch onto `label` (`/a@b:c` → `/a@b:c//d`).
    ///
    /// Fails when `label` is already a label of this branch.
    ///
    /// ```rust
    /// use conary_core::version::{Branch, Label};
    /// let trunk: Branch = "/foo@spc:linux".parse().expect("valid");
    /// let label: Label = "foo@spc:shadow".parse().expect("valid");
    /// let shadow = trunk.create_shadow(label).expect("new label");
    /// assert_eq!(shadow.to_string(), "/foo@spc:linux//shadow");
    /// ```
    pub fn create_shadow(&self, label: Label) -> Result<Branch, VersionError> {
        if *self.label() == label {
            return Err(VersionError::SameLabel {
                version: self.to_string(),
                label: label.to_string(),
            });
        }
        if self.labels().any(|existing| *existing == label) {
            return Err(VersionError::CircularShadow {
                branch: self.to_string(),
                label: label.to_string(),
            });
        }
        let mut steps = self.steps.clone();
        steps.push(BranchStep::Shadow(label));
        Ok(Self::from_parts(self.root.clone(), steps))
    }

    /// Puts `revision` on this branch, making a version.
    ///
    /// Fails when the revision has more dotted count parts than the shadow
    /// depth allows, or is a source revision after a binary branch point.
    ///
    /// ```rust
    /// use conary_core::version::Branch;
    /// let branch: Branch = "/a@b:c".parse().expect("valid");
    /// let version = branch.create_version("1.0-1".parse().expect("valid")).expect("fits");
    /// assert_eq!(version.to_string(), "/a@b:c/1.0-1");
    /// ```
    pub fn create_version(&self, revision: Revision) -> Result<Version, VersionError> {
        Version::new(self.clone(), revision)
    }

    /// Checks that `revision` may be put on this branch.
    pub(crate) fn check_revision(&self, revision: &Revision) -> Result<(), VersionError> {
        let depth = self.shadow_depth();
        if revision.shadow_count() > depth {
            return Err(VersionError::TooManyShadowCounts {
                revision: revision.to_string(),
                branch: self.to_string(),
                depth,
            });
        }
        let after_binary = self
            .branch_points()
            .last()
            .is_some_and(|point| !point.is_source());
        if revision.is_source() && after_binary {
            return Err(VersionError::SourceAfterBinary {
                revision: revision.to_string(),
                branch: self.to_string(),
            });
        }
        Ok(())
    }

    /// The branch binaries built from sources on this branch live on: every
    /// branch point without a build count gets build count `0`
    /// (`/a@b:c/1.0-1/d` → `/a@b:c/1.0-1-0/d`).
    pub fn binary_branch(&self) -> Branch {
        let zero = super::SerialNumber::single(0);
        let steps = self
            .steps
            .iter()
            .map(|step| match step {
                BranchStep::Branch { revision, label } if revision.is_source() => {
                    BranchStep::Branch {
                        revision: revision.clone().with_build_count(Some(zero.clone())),
                        label: label.clone(),
                    }
                }
                other => other.clone(),
            })
            .collect();
        Self::from_parts(self.root.clone(), steps)
    }

    /// The branch with the timestamps of its branch points removed.
    pub(crate) fn without_timestamps(&self) -> Branch {
        let steps = self
            .steps
            .iter()
            .map(|step| match step {
                BranchStep::Branch { revision, label } => BranchStep::Branch {
                    revision: revision.clone().with_timestamp(None),
                    label: label.clone(),
                },
                other => other.clone(),
            })
            .collect();
        Self::from_parts(self.root.clone(), steps)
    }

    /// Prints this branch with `default` left out when it is a proper
    /// prefix, as the original's `asString(defaultBranch)`.
    ///
    /// ```rust
    /// use conary_core::version::Branch;
    /// let default: Branch = "/a@b:c".parse().expect("valid");
    /// let branch: Branch = "/a@b:c/1.0-1/d".parse().expect("valid");
    /// assert_eq!(branch.as_string_against(&default), "1.0-1/a@b:d");
    /// ```
    pub fn as_string_against(&self, default: &Branch) -> String {
        path::render_against(&path::elems(self, None), default)
    }

    /// How close this branch is to `other`, for branch affinity: shared
    /// labels, revisions and label transitions over the ones not shared.
    /// Identical branches are infinitely close.
    pub fn closeness(&self, other: &Branch) -> f64 {
        path::closeness(&path::elems(self, None), &path::elems(other, None))
    }

    /// The frozen form: every branch point carries its timestamp.
    pub fn freeze(&self) -> String {
        path::render(&path::elems(self, None), true, true)
    }

    /// Parses the frozen form made by [`Branch::freeze`].
    pub fn thaw(text: &str) -> Result<Branch, VersionError> {
        into_branch(text, path::parse(text, true)?)
    }
}

fn into_branch(text: &str, parsed: path::Parsed) -> Result<Branch, VersionError> {
    match parsed.trailing {
        None => Ok(parsed.branch),
        Some(_) => Err(VersionError::version(
            text,
            "ends with a revision, a branch ends with a label",
        )),
    }
}

impl FromStr for Branch {
    type Err = VersionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        into_branch(text, path::parse(text, false)?)
    }
}

impl fmt::Display for Branch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&path::render(&path::elems(self, None), true, false))
    }
}
