//! New source and build counts: what a commit or a cook on a branch or a
//! shadow is numbered.

use super::{Branch, Revision, SerialNumber, Version, VersionError};

impl Version {
    /// The next source revision on this branch: the source count is padded
    /// with zeros to one part per shadow level plus one, then its last part
    /// is incremented (`1.2.3-3` on a shadow → `1.2.3-3.1`, `1.1-1` on a
    /// depth-2 shadow → `1.1-1.0.1`, `1.0-1` on a trunk → `1.0-2`). A build
    /// count, if any, is kept. The result has no timestamp.
    ///
    /// ```rust
    /// use conary_core::version::Version;
    /// let v: Version = "/branch@rpl:1//shadow/1.2.3-3".parse().expect("valid");
    /// let next = v.increment_source_count().expect("no overflow");
    /// assert_eq!(next.to_string(), "/branch@rpl:1//shadow/1.2.3-3.1");
    /// ```
    pub fn increment_source_count(&self) -> Result<Version, VersionError> {
        let depth = self.shadow_depth();
        let revision = self.trailing_revision();
        let source = revision.source_count().increment(depth)?;
        let revision = revision
            .clone()
            .with_source_count(source)
            .with_timestamp(None);
        Version::new(self.branch().clone(), revision)
    }

    /// The next build of this version on this branch. When the source
    /// count already has a part for the last shadow, the build count is
    /// incremented at its own length (missing: `1`); otherwise it is padded
    /// to one part per shadow level plus one (missing: `0.…0.1`). A build
    /// count of `0` counts as missing. So `1.2-1` on a shadow builds as
    /// `1.2-1-0.1` and `1.2-1.1` as `1.2-1.1-1`. The result has no
    /// timestamp.
    ///
    /// ```rust
    /// use conary_core::version::Version;
    /// let v: Version = "/foo@spc:linux//shadow/1.2-1".parse().expect("valid");
    /// let built = v.increment_build_count().expect("no overflow");
    /// assert_eq!(built.to_string(), "/foo@spc:linux//shadow/1.2-1-0.1");
    /// ```
    pub fn increment_build_count(&self) -> Result<Version, VersionError> {
        let revision = next_build(self.trailing_revision(), self.shadow_depth())?;
        Version::new(self.branch().clone(), revision)
    }

    /// The version a commit of `desired` on `branch` gets, given the source
    /// versions that already exist there (`existing`), as cvc numbers a
    /// commit:
    ///
    /// - `desired` is usually the checked-out revision with
    ///   [`Version::increment_source_count`] applied, or `upstream-0` for a
    ///   new upstream version (the 0 is then counted up: `1.2.4-0.1` on a
    ///   shadow, `1.2.4-1` on a trunk);
    /// - counts deeper than the branch allows are cut;
    /// - when the revision (or a later one with the same upstream version and
    ///   the same parent counts) already exists, the count goes one past the
    ///   latest of them.
    ///
    /// The build count of `desired` is dropped; the result has no timestamp.
    ///
    /// ```rust
    /// use conary_core::version::{Branch, Version};
    /// let branch: Branch = "/a@b:c".parse().expect("valid");
    /// let existing: Vec<Version> = vec!["/a@b:c/1.0-1".parse().expect("valid")];
    /// let next = Version::next_source_version(&branch, &"1.0-1".parse().expect("valid"), &existing)
    ///     .expect("free");
    /// assert_eq!(next.to_string(), "/a@b:c/1.0-2");
    /// ```
    pub fn next_source_version(
        branch: &Branch,
        desired: &Revision,
        existing: &[Version],
    ) -> Result<Version, VersionError> {
        let depth = branch.shadow_depth();
        let mut revision = desired.clone().with_build_count(None).with_timestamp(None);
        if revision.shadow_count() > depth {
            let cut = revision.source_count().truncated(depth.saturating_add(1));
            revision = revision.with_source_count(cut);
        }
        let mut version = Version::new(branch.clone(), revision.clone())?;
        // The last count may not be a placeholder 0.
        if revision.source_count().last() == 0 {
            version = version.increment_source_count()?;
            revision = version.trailing_revision().clone();
        }
        let same_upstream: Vec<Revision> = existing
            .iter()
            .map(|v| v.trailing_revision().clone().with_build_count(None))
            .filter(|r| r.upstream() == revision.upstream())
            .collect();
        if same_upstream.contains(&revision) && depth > revision.shadow_count() {
            version = version.increment_source_count()?;
            revision = version.trailing_revision().clone();
        }
        let parent_counts = |r: &Revision| -> Vec<u64> {
            let counts = r.source_count().counts();
            counts
                .get(..counts.len().saturating_sub(1))
                .unwrap_or_default()
                .to_vec()
        };
        let siblings: Vec<&Revision> = same_upstream
            .iter()
            .filter(|r| parent_counts(r) == parent_counts(&revision))
            .collect();
        if let Some(latest) = siblings
            .iter()
            .max_by(|a, b| a.source_count().cmp(b.source_count()))
        {
            let latest = (*latest).clone().with_timestamp(None);
            if siblings.iter().any(|r| **r == revision)
                || latest.source_count() > revision.source_count()
            {
                version = Version::new(branch.clone(), latest)?.increment_source_count()?;
            }
        }
        if existing.contains(&version) {
            return Err(VersionError::VersionExists {
                version: version.to_string(),
            });
        }
        Ok(version)
    }

    /// The version a new build of `source` gets, given the binary versions
    /// already on its label (`existing`): one build past the latest build
    /// of the same source revision with the same shadow level, or the first
    /// build ([`Version::increment_build_count`]) on the binary branch
    /// ([`Branch::binary_branch`]) when there is none. Whether a new flavor
    /// may reuse an existing build count is the caller's choice; this
    /// always counts up. The result has no timestamp.
    ///
    /// ```rust
    /// use conary_core::version::Version;
    /// let source: Version = "/a@b:c/1.0-1".parse().expect("valid");
    /// let existing: Vec<Version> = vec!["/a@b:c/1.0-1-1".parse().expect("valid")];
    /// let next = Version::next_build_version(&source, &existing).expect("no overflow");
    /// assert_eq!(next.to_string(), "/a@b:c/1.0-1-2");
    /// ```
    pub fn next_build_version(
        source: &Version,
        existing: &[Version],
    ) -> Result<Version, VersionError> {
        let depth = source.shadow_depth();
        let binary_branch = source.branch().binary_branch();
        let source_revision = source.trailing_revision().clone().with_build_count(None);
        let first = next_build(&source_revision, depth)?;
        let shadow_count = first.shadow_count();
        let latest = existing
            .iter()
            .filter(|v| v.trailing_label() == source.trailing_label())
            .filter(|v| !v.is_branched_binary())
            .filter(|v| *v.source_version().trailing_revision() == source_revision)
            .filter(|v| v.trailing_revision().shadow_count() == shadow_count)
            .map(Version::trailing_revision)
            .max_by(|a, b| a.build_count().cmp(&b.build_count()));
        let revision = match latest {
            Some(latest) => next_build(latest, depth)?,
            None => first,
        };
        Version::new(binary_branch, revision)
    }
}

/// The next build revision of `revision` at shadow depth `depth`.
fn next_build(revision: &Revision, depth: usize) -> Result<Revision, VersionError> {
    let build = revision.build_count().filter(|build| !build.is_zero());
    let source_complete = revision.source_count().shadow_count() == depth;
    let next = match (build, source_complete) {
        (Some(build), true) => build.increment(build.shadow_count())?,
        (None, true) => SerialNumber::single(1),
        (Some(build), false) => build.increment(depth)?,
        (None, false) => SerialNumber::single(0).increment(depth)?,
    };
    Ok(revision
        .clone()
        .with_build_count(Some(next))
        .with_timestamp(None))
}
