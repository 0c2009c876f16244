//! The version each copy gets, and the troves already on the target.
//!
//! In order: an ancestor already on the target is reused (an unmodified
//! shadow cloned to its parent is the parent's trove); otherwise the copy
//! has the original's revision on the target, where a trove whose
//! `clonedFrom` is the original is reused ("already cloned") and any
//! other trove is a conflict. A revision
//! changed on a shadow does not fit its parent ("uphill"): a source gets
//! the next source version on the target, a binary the next build of its
//! new source, the same for every trove of one original version.

use std::collections::BTreeMap;

use conary_api::{TroveQuery, TroveSource};
use conary_core::trove::{Trove, TroveTuple};
use conary_core::version::{Branch, Version};

use super::CloneError;
use super::labels::reshape;
use super::plan::{CloneEntry, is_source};

/// Whether two versions are the same but for timestamps.
pub(super) fn same_version(a: &Version, b: &Version) -> bool {
    a.without_timestamps() == b.without_timestamps()
}

/// Whether `trove` was cloned from `original`.
fn is_clone_of(trove: &Trove, original: &TroveTuple) -> bool {
    trove
        .info
        .cloned_from
        .as_ref()
        .is_some_and(|from| same_version(from, &original.version))
}

/// `branch` without the timestamps of its branch points (its text form,
/// read back).
fn plain(branch: &Branch) -> Branch {
    branch
        .to_string()
        .parse()
        .unwrap_or_else(|_| branch.clone())
}

/// The troves on the target, found by name and branch, with manifests
/// fetched once.
pub(super) struct Existing<'a> {
    source: &'a dyn TroveSource,
    manifests: BTreeMap<TroveTuple, Trove>,
    listed: BTreeMap<(String, Branch), Vec<TroveTuple>>,
}

impl<'a> Existing<'a> {
    /// Nothing known yet about `source`.
    pub(super) fn new(source: &'a dyn TroveSource) -> Existing<'a> {
        Existing {
            source,
            manifests: BTreeMap::new(),
            listed: BTreeMap::new(),
        }
    }

    /// Every version of `name` on `branch`.
    fn versions(
        &mut self,
        name: &TroveTuple,
        branch: &Branch,
    ) -> Result<&[TroveTuple], CloneError> {
        let key = (name.name.to_string(), branch.clone());
        if !self.listed.contains_key(&key) {
            let query = TroveQuery::on_branch(branch.clone())
                .named([name.name.clone()])
                .all_versions();
            let found = self.source.trove_versions(&query)?;
            self.listed.insert(key.clone(), found);
        }
        Ok(self.listed.get(&key).map_or(&[], Vec::as_slice))
    }

    fn manifest(&mut self, tuple: &TroveTuple) -> Result<Option<Trove>, CloneError> {
        if !self.manifests.contains_key(tuple) {
            let mut troves = self.source.troves(std::slice::from_ref(tuple))?;
            if let Some(trove) = troves.pop() {
                self.manifests.insert(tuple.clone(), trove);
            }
        }
        Ok(self.manifests.get(tuple).cloned())
    }

    /// The trove on the target with `wanted`'s version and flavor.
    pub(super) fn find(&mut self, wanted: &TroveTuple) -> Result<Option<Trove>, CloneError> {
        let branch = wanted.version.without_timestamps().branch().clone();
        let Some(tuple) = self
            .versions(wanted, &branch)?
            .iter()
            .find(|t| same_version(&t.version, &wanted.version) && t.flavor == wanted.flavor)
            .cloned()
        else {
            return Ok(None);
        };
        self.manifest(&tuple)
    }

    /// The trove on `target` cloned from `original`, if any.
    pub(super) fn clone_of(
        &mut self,
        original: &TroveTuple,
        target: &Branch,
    ) -> Result<Option<TroveTuple>, CloneError> {
        let candidates: Vec<TroveTuple> = self
            .versions(original, target)?
            .iter()
            .filter(|t| t.flavor == original.flavor)
            .cloned()
            .collect();
        for candidate in candidates {
            if let Some(trove) = self.manifest(&candidate)?
                && is_clone_of(&trove, original)
            {
                return Ok(Some(candidate));
            }
        }
        Ok(None)
    }

    /// The copy of `original` already on `target`, if any: its ancestor
    /// there, or a trove cloned from it.
    pub(super) fn present(
        &mut self,
        original: &TroveTuple,
        target: &Branch,
    ) -> Result<Option<TroveTuple>, CloneError> {
        let target = &plain(target);
        if let Some(found) = self.ancestor(original, target)? {
            return Ok(Some(found));
        }
        match reshape(&original.version, target) {
            Ok(version) => {
                let wanted =
                    TroveTuple::new(original.name.clone(), version, original.flavor.clone());
                Ok(self
                    .find(&wanted)?
                    .filter(|found| is_clone_of(found, original))
                    .map(|found| found.tuple()))
            }
            Err(_) => self.clone_of(original, target),
        }
    }

    /// The original's unmodified-shadow ancestor on `target`, when it is
    /// there.
    fn ancestor(
        &mut self,
        original: &TroveTuple,
        target: &Branch,
    ) -> Result<Option<TroveTuple>, CloneError> {
        let mut version = original.version.clone();
        while version.is_unmodified_shadow()
            && version.without_timestamps().branch() != target
            && let Some(parent) = version.parent_version()
        {
            version = parent;
        }
        if version.without_timestamps().branch() != target
            || same_version(&version, &original.version)
        {
            return Ok(None);
        }
        let wanted = TroveTuple::new(original.name.clone(), version, original.flavor.clone());
        Ok(self.find(&wanted)?.map(|trove| trove.tuple()))
    }
}

/// The copy of `trove` on `target`: already there, or its new version.
/// `map` holds the sources assigned so far; `numbered` the versions of
/// uphill clones, by original version.
pub(super) fn assign(
    existing: &mut Existing<'_>,
    map: &BTreeMap<TroveTuple, CloneEntry>,
    numbered: &mut BTreeMap<Version, Version>,
    trove: &Trove,
    target: &Branch,
) -> Result<CloneEntry, CloneError> {
    let tuple = trove.tuple();
    let target = &plain(target);
    let already = |to: TroveTuple| CloneEntry {
        from: tuple.clone(),
        to,
        already: true,
    };
    if let Some(found) = existing.ancestor(&tuple, target)? {
        return Ok(already(found));
    }
    let version = match reshape(&tuple.version, target) {
        // The clone of a revision that fits can only be at that revision.
        Ok(version) => {
            let wanted = TroveTuple::new(tuple.name.clone(), version.clone(), tuple.flavor.clone());
            if let Some(found) = existing.find(&wanted)? {
                if is_clone_of(&found, &tuple) {
                    return Ok(already(found.tuple()));
                }
                return Err(CloneError::Conflict {
                    existing: found.tuple().to_string(),
                    from: tuple.version.to_string(),
                });
            }
            version
        }
        Err(error) if tuple.version.is_modified_shadow() => {
            if let Some(found) = existing.clone_of(&tuple, target)? {
                return Ok(already(found));
            }
            uphill(existing, map, numbered, trove, target).map_err(|_| error)?
        }
        Err(error) => return Err(error),
    };
    Ok(CloneEntry {
        to: TroveTuple::new(tuple.name.clone(), version, tuple.flavor.clone()),
        from: tuple,
        already: false,
    })
}

/// The version of a trove changed on a shadow, cloned to a branch where
/// its revision does not fit: the next source version there, or the next
/// build of its (cloned) source.
fn uphill(
    existing: &mut Existing<'_>,
    map: &BTreeMap<TroveTuple, CloneEntry>,
    numbered: &mut BTreeMap<Version, Version>,
    trove: &Trove,
    target: &Branch,
) -> Result<Version, CloneError> {
    let tuple = trove.tuple();
    let key = tuple.version.without_timestamps();
    if let Some(version) = numbered.get(&key) {
        return Ok(version.clone());
    }
    let unnumbered = |reason: String| CloneError::Reshape {
        version: tuple.version.to_string(),
        branch: target.to_string(),
        reason,
    };
    let on_target: Vec<Version> = existing
        .versions(&tuple, target)?
        .iter()
        .map(|t| t.version.clone())
        .collect();
    let version = if is_source(&tuple) {
        Version::next_source_version(target, tuple.version.trailing_revision(), &on_target)
            .map_err(|error| unnumbered(error.to_string()))?
    } else {
        let source = trove
            .info
            .source_name
            .as_ref()
            .zip(trove.info.source_version.as_ref())
            .and_then(|(name, version)| {
                map.iter()
                    .find(|(from, _)| &from.name == name && same_version(&from.version, version))
                    .map(|(_, entry)| entry.to.version.clone())
            })
            .ok_or_else(|| unnumbered("its source is not cloned with it".to_owned()))?;
        Version::next_build_version(&source, &on_target)
            .map_err(|error| unnumbered(error.to_string()))?
    };
    numbered.insert(key, version.clone());
    Ok(version)
}
