//! Dependency closure: what the by-default troves of a group require must
//! be provided by the by-default troves of the same group; with
//! autoResolve, providers found on the search path are added until it is.

use std::collections::{BTreeMap, BTreeSet};

use conary_core::deps::{Dependency, DependencySet};
use conary_core::flavor::Flavor;
use conary_core::name::TroveName;
use conary_core::trove::TroveTuple;
use conary_core::version::Label;

use super::contents::{Contents, Manifests};
use super::error::GroupError;

/// What the by-default troves of `contents` require and nothing there
/// provides: per trove name, the unsatisfied dependencies. Every trove
/// provides `trove: NAME` of its own name.
pub(crate) fn unsatisfied(
    contents: &Contents,
    manifests: &Manifests<'_>,
) -> Result<BTreeMap<TroveName, DependencySet>, GroupError> {
    let mut provides = DependencySet::new();
    let mut included = Vec::new();
    for (tuple, by_default) in contents.all() {
        if !by_default {
            continue;
        }
        let manifest = manifests
            .get(tuple)
            .ok_or_else(|| GroupError::MissingManifest {
                tuple: tuple.to_string(),
            })?;
        provides.merge(&manifest.provides);
        provides.insert(Dependency::trove(&tuple.name));
        included.push(manifest);
    }
    let mut missing: BTreeMap<TroveName, DependencySet> = BTreeMap::new();
    for manifest in included {
        let open = manifest.requires.unsatisfied_by(&provides);
        if !open.is_empty() {
            missing
                .entry(manifest.name.clone())
                .or_default()
                .merge(&open);
        }
    }
    Ok(missing)
}

/// The error for what is still missing: `TROVE requires DEP`, sorted.
pub(crate) fn unresolved_error(
    group: &TroveName,
    missing: &BTreeMap<TroveName, DependencySet>,
) -> GroupError {
    let mut lines: Vec<String> = missing
        .iter()
        .flat_map(|(name, deps)| deps.iter().map(move |dep| format!("{name} requires {dep}")))
        .collect();
    lines.sort();
    GroupError::Unresolved {
        group: group.to_string(),
        lines,
    }
}

/// The troves to add for `missing`: for each requirement, of the
/// suggestions the source makes on `labels`, the one whose flavor fits
/// `flavor` best, newest first; a component is replaced by its package
/// when the source has it. Troves already in `contents` are not offered.
pub(crate) fn suggestions(
    manifests: &mut Manifests<'_>,
    source: &dyn conary_api::TroveSource,
    labels: &[Label],
    flavor: &Flavor,
    missing: &BTreeMap<TroveName, DependencySet>,
    contents: &Contents,
) -> Result<BTreeSet<TroveTuple>, GroupError> {
    let mut requires = DependencySet::new();
    for deps in missing.values() {
        requires.merge(deps);
    }
    let offered = source.dep_suggestions(labels, &requires)?;
    let included: BTreeSet<&TroveTuple> = contents.all().map(|(tuple, _)| tuple).collect();
    let mut chosen = BTreeSet::new();
    for candidates in offered.values() {
        let Some(best) = best_candidate(candidates, flavor) else {
            continue;
        };
        let tuple = package_of(manifests, best)?;
        if !included.contains(&tuple) && !included.contains(best) {
            chosen.insert(tuple);
        }
    }
    Ok(chosen)
}

/// Of one requirement's providers, the best flavor for `flavor`, then the
/// newest commit, then the greatest tuple (for a total order).
fn best_candidate<'c>(candidates: &'c [TroveTuple], flavor: &Flavor) -> Option<&'c TroveTuple> {
    candidates
        .iter()
        .filter_map(|tuple| flavor.score(&tuple.flavor).map(|score| (score, tuple)))
        .max_by(|(score_a, a), (score_b, b)| {
            score_a
                .cmp(score_b)
                .then_with(|| a.version.timestamp().cmp(&b.version.timestamp()))
                .then_with(|| a.cmp(b))
        })
        .map(|(_, tuple)| tuple)
}

/// The package a component belongs to, when the source has it (same
/// version and flavor); otherwise the trove itself.
fn package_of(manifests: &mut Manifests<'_>, tuple: &TroveTuple) -> Result<TroveTuple, GroupError> {
    if !tuple.name.is_component() {
        return Ok(tuple.clone());
    }
    let package = TroveTuple::new(
        tuple.name.package(),
        tuple.version.clone(),
        tuple.flavor.clone(),
    );
    if manifests.exists(&package)? {
        Ok(package)
    } else {
        Ok(tuple.clone())
    }
}
