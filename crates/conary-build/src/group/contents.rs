//! What a group includes: its strong references and, through them, every
//! trove they include (weak references), with the manifests needed to
//! follow them, and the check that no trove is included in two versions.

use std::collections::{BTreeMap, BTreeSet};

use conary_api::{SourceError, TroveSource};
use conary_core::name::TroveName;
use conary_core::trove::{Trove, TroveTuple, TroveType};

use super::error::GroupError;

/// Manifests fetched so far, and the groups cooked by this recipe (which
/// the trove source does not have).
pub(crate) struct Manifests<'s> {
    source: &'s dyn TroveSource,
    known: BTreeMap<TroveTuple, Trove>,
}

impl<'s> Manifests<'s> {
    /// An empty cache over `source`.
    pub(crate) fn new(source: &'s dyn TroveSource) -> Manifests<'s> {
        Manifests {
            source,
            known: BTreeMap::new(),
        }
    }

    /// Makes a trove cooked here known, so groups that include it can
    /// follow it.
    pub(crate) fn insert(&mut self, trove: Trove) {
        self.known.insert(trove.tuple(), trove);
    }

    /// The manifest of `tuple`, fetched earlier.
    pub(crate) fn get(&self, tuple: &TroveTuple) -> Option<&Trove> {
        self.known.get(tuple)
    }

    /// Fetches the manifests of `tuples` not known yet, in one request.
    pub(crate) fn fetch(&mut self, tuples: &BTreeSet<TroveTuple>) -> Result<(), GroupError> {
        let missing: Vec<TroveTuple> = tuples
            .iter()
            .filter(|tuple| !self.known.contains_key(*tuple))
            .cloned()
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let troves = self.source.troves(&missing)?;
        if troves.len() != missing.len() {
            return Err(GroupError::Source(SourceError::Invalid(format!(
                "asked for {} manifests, got {}",
                missing.len(),
                troves.len()
            ))));
        }
        for (tuple, trove) in missing.into_iter().zip(troves) {
            self.known.insert(tuple, trove);
        }
        Ok(())
    }

    /// Whether the source has `tuple` (a package a suggested component
    /// belongs to, say).
    pub(crate) fn exists(&mut self, tuple: &TroveTuple) -> Result<bool, GroupError> {
        if self.known.contains_key(tuple) {
            return Ok(true);
        }
        match self.source.troves(std::slice::from_ref(tuple)) {
            Ok(mut troves) => match troves.pop() {
                Some(trove) => {
                    self.known.insert(tuple.clone(), trove);
                    Ok(true)
                }
                None => Ok(false),
            },
            Err(SourceError::NotFound(_)) => Ok(false),
            Err(other) => Err(other.into()),
        }
    }
}

/// Everything a group includes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Contents {
    /// Strong references, with their by-default flag.
    pub(crate) strong: BTreeMap<TroveTuple, bool>,
    /// Weak references (never also strong), with their by-default flag.
    pub(crate) weak: BTreeMap<TroveTuple, bool>,
}

impl Contents {
    /// Every included trove, strong then weak, with its flag.
    pub(crate) fn all(&self) -> impl Iterator<Item = (&TroveTuple, bool)> {
        self.strong
            .iter()
            .chain(self.weak.iter())
            .map(|(tuple, flag)| (tuple, *flag))
    }

    /// Whether some included trove has this name.
    pub(crate) fn has_weak_name(&self, name: &TroveName) -> bool {
        self.weak.keys().any(|tuple| &tuple.name == name)
    }
}

/// How a group changes what its strong references include.
#[derive(Debug, Clone, Default)]
pub(crate) struct Adjust {
    /// Names left out of the weak references (replaced).
    pub(crate) excluded: BTreeSet<TroveName>,
    /// Names kept but not by default (removed).
    pub(crate) not_by_default: BTreeSet<TroveName>,
    /// Troves whose by-default flag the group decides, whatever the
    /// including trove says (the components of a package the recipe
    /// named components of).
    pub(crate) forced: BTreeMap<TroveTuple, bool>,
}

/// Follows `strong` through the manifests: every trove a strong reference
/// includes (strongly or weakly, recursively) becomes a weak reference,
/// by default when the whole path to it is, as `adjust` changes it.
pub(crate) fn expand(
    strong: &BTreeMap<TroveTuple, bool>,
    manifests: &mut Manifests<'_>,
    adjust: &Adjust,
) -> Result<Contents, GroupError> {
    let mut weak: BTreeMap<TroveTuple, bool> = BTreeMap::new();
    let mut frontier: BTreeMap<TroveTuple, bool> = strong
        .iter()
        .filter(|(tuple, _)| tuple.name.is_collection())
        .map(|(tuple, flag)| (tuple.clone(), *flag))
        .collect();
    // Which collections were followed with which flag: following again is
    // needed only when a by-default path appears.
    let mut followed: BTreeMap<TroveTuple, bool> = BTreeMap::new();
    while !frontier.is_empty() {
        let wanted: BTreeSet<TroveTuple> = frontier.keys().cloned().collect();
        manifests.fetch(&wanted)?;
        let mut next: BTreeMap<TroveTuple, bool> = BTreeMap::new();
        for (parent, parent_flag) in frontier {
            if followed
                .get(&parent)
                .is_some_and(|done| *done || !parent_flag)
            {
                continue;
            }
            followed.insert(parent.clone(), parent_flag);
            let manifest = manifests
                .get(&parent)
                .ok_or_else(|| GroupError::MissingManifest {
                    tuple: parent.to_string(),
                })?;
            // A group lists everything it includes (weakly too), with its
            // own by-default choices: do not look past it. A package lists
            // only its components.
            let complete =
                parent.name.as_str().starts_with("group-") && !manifest.weak_refs.is_empty();
            for (child, child_flag, _) in manifest.iter_refs() {
                if strong.contains_key(child) || adjust.excluded.contains(&child.name) {
                    continue;
                }
                let child_flag = adjust.forced.get(child).copied().unwrap_or(child_flag);
                let flag =
                    parent_flag && child_flag && !adjust.not_by_default.contains(&child.name);
                let entry = weak.entry(child.clone()).or_insert(false);
                *entry = *entry || flag;
                if child.name.is_collection() && !complete {
                    let pending = next.entry(child.clone()).or_insert(false);
                    *pending = *pending || flag;
                }
            }
        }
        frontier = next;
    }
    let strong = strong
        .iter()
        .map(|(tuple, flag)| (tuple.clone(), *flag))
        .collect();
    Ok(Contents { strong, weak })
}

/// Refuses a group that includes one trove name in two versions (two
/// flavors of one version may stand side by side).
pub(crate) fn check_conflicts(group: &TroveName, contents: &Contents) -> Result<(), GroupError> {
    let mut by_name: BTreeMap<&TroveName, &TroveTuple> = BTreeMap::new();
    let tuples: BTreeSet<&TroveTuple> = contents.all().map(|(tuple, _)| tuple).collect();
    for tuple in tuples {
        match by_name.get(&tuple.name) {
            Some(first) if first.version != tuple.version => {
                return Err(GroupError::Conflict {
                    group: group.to_string(),
                    name: tuple.name.to_string(),
                    first: first.to_string(),
                    second: tuple.to_string(),
                });
            }
            Some(_) => {}
            None => {
                by_name.insert(&tuple.name, tuple);
            }
        }
    }
    Ok(())
}

/// Refuses a group whose by-default troves (of different names) install
/// the same path, found through their path hashes.
pub(crate) fn check_path_conflicts(
    group: &TroveName,
    contents: &Contents,
    manifests: &Manifests<'_>,
) -> Result<(), GroupError> {
    let mut owners: BTreeMap<u64, &TroveTuple> = BTreeMap::new();
    let mut conflicts: BTreeSet<(String, String)> = BTreeSet::new();
    for (tuple, by_default) in contents.all() {
        if !by_default {
            continue;
        }
        let Some(manifest) = manifests.get(tuple) else {
            continue;
        };
        for hash in &manifest.info.path_hashes {
            match owners.get(hash) {
                Some(owner) if owner.name != tuple.name => {
                    conflicts.insert((owner.to_string(), tuple.to_string()));
                }
                Some(_) => {}
                None => {
                    owners.insert(*hash, tuple);
                }
            }
        }
    }
    if conflicts.is_empty() {
        return Ok(());
    }
    let pairs: Vec<String> = conflicts
        .into_iter()
        .map(|(first, second)| format!("{first} and {second}"))
        .collect();
    Err(GroupError::PathConflict {
        group: group.to_string(),
        pairs,
    })
}

/// Refuses redirects and removed troves in a group.
pub(crate) fn check_normal(
    contents: &Contents,
    manifests: &Manifests<'_>,
) -> Result<(), GroupError> {
    for (tuple, _) in contents.all() {
        if let Some(manifest) = manifests.get(tuple)
            && manifest.trove_type != TroveType::Normal
        {
            return Err(GroupError::NotNormal {
                tuple: tuple.to_string(),
                trove_type: manifest.trove_type.to_string(),
            });
        }
    }
    Ok(())
}
