//! Where a version comes from: parent versions, canonical versions,
//! modified and unmodified shadows, source versions of binaries.

use super::{Branch, BranchStep, Revision, Version};

impl Version {
    /// Whether the trailing revision was changed on the last shadow: one of
    /// its counts has a part for that shadow.
    fn touched_on_last_shadow(&self) -> bool {
        let depth = self.shadow_depth();
        let revision = self.trailing_revision();
        revision.source_count().shadow_count() >= depth
            || revision
                .build_count()
                .is_some_and(|build| build.shadow_count() >= depth)
    }

    /// Whether this version is on a shadow and was changed there (its
    /// source or build count has a part for the last shadow).
    ///
    /// ```rust
    /// use conary_core::version::Version;
    /// let v: Version = "/foo@spc:linux//shadow/1.2-1.1".parse().expect("valid");
    /// assert!(v.is_modified_shadow());
    /// ```
    pub fn is_modified_shadow(&self) -> bool {
        self.is_shadow() && self.touched_on_last_shadow()
    }

    /// Whether this version is on a shadow and is the parent's version
    /// unchanged.
    pub fn is_unmodified_shadow(&self) -> bool {
        self.is_shadow() && !self.touched_on_last_shadow()
    }

    /// Whether this version has a parent version, which
    /// [`Version::parent_version`] returns:
    ///
    /// - a trunk version has none;
    /// - a source on a branch has the revision it was branched from; a
    ///   binary only when the branch point is a binary too (a branched
    ///   binary, not one built on the branch, whose branch point is `-0`);
    /// - a source on a shadow has one unless its upstream version changed
    ///   there (all counts before the new part are zero: `3.0-0.1`);
    /// - a binary on a shadow has one only when neither count was touched
    ///   there (`1.2-1-0.1` and `1.0-1.1-1` were built on the shadow).
    ///
    /// ```rust
    /// use conary_core::version::Version;
    /// let v: Version = "/foo.com@spc:bar//shadow1/3.0-0.1".parse().expect("valid");
    /// assert!(!v.has_parent_version());
    /// ```
    pub fn has_parent_version(&self) -> bool {
        let revision = self.trailing_revision();
        match self.branch().steps().last() {
            None => false,
            Some(BranchStep::Branch {
                revision: point, ..
            }) => match revision.build_count() {
                None => true,
                Some(_) => point.build_count().is_some_and(|build| !build.is_zero()),
            },
            Some(BranchStep::Shadow(_)) => {
                let depth = self.shadow_depth();
                let source = revision.source_count();
                match revision.build_count() {
                    None => {
                        let touched = source.shadow_count() >= depth;
                        let leading_zeros =
                            source.counts().iter().take(depth).all(|count| *count == 0);
                        !(touched && leading_zeros)
                    }
                    Some(build) => source.shadow_count() < depth && build.shadow_count() < depth,
                }
            }
        }
    }

    /// The version this one was shadowed or branched from; `None` when
    /// [`Version::has_parent_version`] is false.
    ///
    /// For a branch, the revision branched from (with its timestamp). For a
    /// shadow, the same revision on the parent branch with its counts cut
    /// to the parent's shadow depth and trailing `.0`s removed, without a
    /// timestamp.
    ///
    /// ```rust
    /// use conary_core::version::Version;
    /// let v: Version = "/foo.com@spc:bar//shadow1/1.0-2.1".parse().expect("valid");
    /// let parent = v.parent_version().expect("has a parent");
    /// assert_eq!(parent.to_string(), "/foo.com@spc:bar/1.0-2");
    /// ```
    pub fn parent_version(&self) -> Option<Version> {
        if !self.has_parent_version() {
            return None;
        }
        self.step_up()
    }

    /// Undoes the last step without checking whether it has a parent.
    fn step_up(&self) -> Option<Version> {
        let parent_branch = self.branch().parent_branch()?;
        match self.branch().steps().last()? {
            // A branch point was a valid revision on the parent branch.
            BranchStep::Branch { revision, .. } => {
                Some(Version::assemble(parent_branch, revision.clone()))
            }
            BranchStep::Shadow(_) => {
                let depth = self.shadow_depth();
                // Cut to `depth` parts, the counts fit the parent's depth.
                let revision = unshadow(self.trailing_revision(), depth);
                Some(Version::assemble(parent_branch, revision))
            }
        }
    }

    /// This version with every shadow that did not change the revision
    /// removed: `/a//b//c/1.1-1` is `/a/1.1-1`, `/a//b//c/1.1-1.1` is
    /// `/a//b/1.1-1.1`.
    ///
    /// ```rust
    /// use conary_core::version::Version;
    /// let v: Version = "/foo@spc:linux//shadow//shadow2/1.1-1".parse().expect("valid");
    /// assert_eq!(v.canonical_version().to_string(), "/foo@spc:linux/1.1-1");
    /// ```
    pub fn canonical_version(&self) -> Version {
        let depth = self.shadow_depth();
        let strip = depth.saturating_sub(self.trailing_revision().shadow_count());
        if strip == 0 {
            return self.clone();
        }
        // Undoing `strip` shadows one by one cuts the counts to `depth`,
        // then `depth - 1`, … parts and removes trailing zeros each time,
        // which is the same as doing it once for the last shadow undone;
        // doing it at once keeps this linear in the length of the version.
        let steps = self.branch().steps();
        let kept = steps
            .get(..steps.len().saturating_sub(strip))
            .unwrap_or_default();
        let branch = Branch::from_parts(self.branch().root().clone(), kept.to_vec());
        let revision = unshadow(self.trailing_revision(), depth - strip + 1);
        Version::assemble(branch, revision)
    }

    /// Whether this binary was branched or shadowed as a binary, rather
    /// than built from a branched or shadowed source.
    pub fn is_branched_binary(&self) -> bool {
        if self.trailing_revision().is_source() {
            return false;
        }
        match self.parent_version() {
            Some(parent) => parent
                .trailing_revision()
                .build_count()
                .is_none_or(|build| !build.is_zero()),
            None => false,
        }
    }

    /// The source version a binary was built from: branched binaries are
    /// followed back to where they were built, then every build count and
    /// timestamp is removed (`/a@b:c/4.3-1-0/d/1` → `/a@b:c/4.3-1/d/1`).
    ///
    /// ```rust
    /// use conary_core::version::Version;
    /// let v: Version = "/a@rpl:linux/4.3-1-1/autoconf213/1".parse().expect("valid");
    /// assert_eq!(v.source_version().to_string(), "/a@rpl:linux/4.3-1");
    /// ```
    pub fn source_version(&self) -> Version {
        let mut version = self.clone();
        // Each step drops one branch or shadow, so this ends.
        while version.is_branched_binary() {
            match version.parent_version() {
                Some(parent) => version = parent,
                None => break,
            }
        }
        let (branch, revision) = version.into_parts();
        let steps = branch
            .steps()
            .iter()
            .map(|step| match step {
                BranchStep::Branch { revision, label } => BranchStep::Branch {
                    revision: revision.clone().with_build_count(None).with_timestamp(None),
                    label: label.clone(),
                },
                other => other.clone(),
            })
            .collect();
        let branch = Branch::from_parts(branch.root().clone(), steps);
        let revision = revision.with_build_count(None).with_timestamp(None);
        // Counts are unchanged and every branch point is a source now.
        Version::assemble(branch, revision)
    }
}

/// The revision on the parent branch of a shadow of depth `depth`: counts
/// cut to `depth` parts, trailing zeros removed, no timestamp.
fn unshadow(revision: &Revision, depth: usize) -> Revision {
    let source = revision
        .source_count()
        .truncated(depth)
        .without_trailing_zeros();
    let build = revision
        .build_count()
        .map(|build| build.truncated(depth).without_trailing_zeros());
    revision
        .clone()
        .with_source_count(source)
        .with_build_count(build)
        .with_timestamp(None)
}
