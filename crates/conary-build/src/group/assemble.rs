//! Cooking one group of a recipe from its [`GroupPlan`]: replaces and
//! removes, the weak references, conflicts, dependency closure, and the
//! group trove itself.

use std::collections::{BTreeMap, BTreeSet};

use conary_core::deps::Dependency;
use conary_core::flavor::{Flavor, MergeMode};
use conary_core::name::TroveName;
use conary_core::trove::{Trove, TroveTuple};
use conary_core::troveinfo::TroveFlags;

use super::GroupContext;
use super::closure::{suggestions, unresolved_error, unsatisfied};
use super::contents::{
    Adjust, Contents, Manifests, check_conflicts, check_normal, check_path_conflicts, expand,
};
use super::error::GroupError;
use super::plan::{GroupPlan, Plan};

/// One group, cooked.
pub(crate) struct Cooked {
    /// The group trove.
    pub(crate) trove: Trove,
    /// Troves autoResolve added.
    pub(crate) resolved: Vec<TroveTuple>,
}

/// Which recipe-wide `replace` operations matched some group.
pub(crate) type ReplaceMatches = BTreeSet<usize>;

/// Cooks group `name` of `plan`; the groups it includes are already in
/// `cooked` (and their troves in `manifests`).
pub(crate) fn cook_one(
    name: &TroveName,
    plan: &Plan,
    cooked: &BTreeMap<TroveName, Trove>,
    manifests: &mut Manifests<'_>,
    ctx: &GroupContext<'_>,
    recipe_replaces_matched: &mut ReplaceMatches,
) -> Result<Cooked, GroupError> {
    let Some(group) = plan.groups.get(name) else {
        return Err(GroupError::MissingManifest {
            tuple: name.to_string(),
        });
    };
    let mut strong = group.strong.clone();
    for (child, by_default) in &group.new_groups {
        let Some(trove) = cooked.get(child) else {
            return Err(GroupError::MissingManifest {
                tuple: child.to_string(),
            });
        };
        strong.insert(trove.tuple(), *by_default);
    }

    // Replaces: strong references are swapped in place; a trove included
    // only weakly is left out and its replacement referenced strongly.
    let mut excluded = BTreeSet::new();
    let mut weak_replaces = Vec::new();
    let replaces = plan
        .recipe_replaces
        .iter()
        .enumerate()
        .map(|(index, op)| (Some(index), op))
        .chain(group.replaces.iter().map(|op| (None, op)));
    for (recipe_index, op) in replaces {
        let (old, new) = &op.item;
        let flags: Vec<bool> = take_named(&mut strong, old);
        if flags.is_empty() {
            weak_replaces.push((recipe_index, op));
            continue;
        }
        strong.insert(new.clone(), flags.into_iter().any(|flag| flag));
        if let Some(index) = recipe_index {
            recipe_replaces_matched.insert(index);
        }
    }

    // Removes: a strong reference is dropped; a trove included only
    // weakly stays, not by default.
    let mut not_by_default = BTreeSet::new();
    let mut weak_removes = Vec::new();
    for op in &group.removes {
        if take_named(&mut strong, &op.item).is_empty() {
            not_by_default.insert(op.item.clone());
            weak_removes.push(op);
        }
    }

    let forced = packages_for_components(&mut strong, manifests)?;
    let probe = expand(&strong, manifests, &Adjust::default())?;
    for op in weak_removes {
        if !probe.has_weak_name(&op.item) {
            return Err(GroupError::NothingToRemove {
                at: op.at.clone(),
                name: op.item.to_string(),
                group: name.to_string(),
            });
        }
    }
    for (recipe_index, op) in weak_replaces {
        let (old, new) = &op.item;
        let found: Vec<(&TroveTuple, bool)> = probe
            .weak
            .iter()
            .filter(|(tuple, _)| &tuple.name == old)
            .map(|(tuple, flag)| (tuple, *flag))
            .collect();
        // A group this one includes may have made the replace already.
        let done = !found.is_empty() && found.iter().all(|(tuple, _)| *tuple == new);
        let flag = found.iter().map(|(_, flag)| *flag).reduce(|a, b| a || b);
        match (flag, recipe_index) {
            (Some(_), index) if done => {
                if let Some(index) = index {
                    recipe_replaces_matched.insert(index);
                }
            }
            (Some(flag), index) => {
                excluded.insert(old.clone());
                strong.insert(new.clone(), flag);
                if let Some(index) = index {
                    recipe_replaces_matched.insert(index);
                }
            }
            // A recipe-wide replace need not match every group.
            (None, Some(_)) => {}
            (None, None) => {
                return Err(GroupError::NothingToReplace {
                    at: op.at.clone(),
                    name: old.to_string(),
                    group: Some(name.to_string()),
                });
            }
        }
    }

    let adjust = Adjust {
        excluded,
        not_by_default,
        forced,
    };
    let mut contents = expand(&strong, manifests, &adjust)?;
    check_conflicts(name, &contents)?;
    let mut resolved = Vec::new();
    if name == &plan.main {
        resolve(
            name,
            plan,
            ctx,
            manifests,
            &mut strong,
            &mut contents,
            &mut resolved,
            &adjust,
        )?;
    }
    let trove = group_trove(name, group, &contents, manifests, plan, ctx)?;
    Ok(Cooked { trove, resolved })
}

/// Components named by the recipe are referenced through their package
/// when the source has it (same version and flavor) and the group does
/// not reference the package itself: the package becomes the strong
/// reference, by default if one of its named components is, and its
/// components are by default exactly when named so. Returns those
/// by-default flags.
fn packages_for_components(
    strong: &mut BTreeMap<TroveTuple, bool>,
    manifests: &mut Manifests<'_>,
) -> Result<BTreeMap<TroveTuple, bool>, GroupError> {
    let mut by_package: BTreeMap<TroveTuple, BTreeMap<TroveTuple, bool>> = BTreeMap::new();
    for (tuple, by_default) in strong.iter() {
        if tuple.name.is_component() {
            let package = TroveTuple::new(
                tuple.name.package(),
                tuple.version.clone(),
                tuple.flavor.clone(),
            );
            if !strong.contains_key(&package) {
                by_package
                    .entry(package)
                    .or_default()
                    .insert(tuple.clone(), *by_default);
            }
        }
    }
    let mut forced = BTreeMap::new();
    for (package, named) in by_package {
        if !manifests.exists(&package)? {
            continue;
        }
        let Some(manifest) = manifests.get(&package) else {
            continue;
        };
        for (child, _) in manifest.iter_strong_refs() {
            forced.insert(child.clone(), named.get(child).copied().unwrap_or(false));
        }
        for component in named.keys() {
            strong.remove(component);
        }
        strong.insert(package, named.values().any(|flag| *flag));
    }
    Ok(forced)
}

/// Removes every strong reference named `name`, returning their flags.
fn take_named(strong: &mut BTreeMap<TroveTuple, bool>, name: &TroveName) -> Vec<bool> {
    let tuples: Vec<TroveTuple> = strong
        .keys()
        .filter(|tuple| &tuple.name == name)
        .cloned()
        .collect();
    tuples
        .iter()
        .filter_map(|tuple| strong.remove(tuple))
        .collect()
}

/// Checks the dependency closure of the main group, pulling providers in
/// when autoResolve is on.
#[allow(clippy::too_many_arguments)]
fn resolve(
    name: &TroveName,
    plan: &Plan,
    ctx: &GroupContext<'_>,
    manifests: &mut Manifests<'_>,
    strong: &mut BTreeMap<TroveTuple, bool>,
    contents: &mut Contents,
    resolved: &mut Vec<TroveTuple>,
    adjust: &Adjust,
) -> Result<(), GroupError> {
    let by_default = plan.groups.get(name).is_none_or(|group| group.by_default);
    loop {
        let leaves: BTreeSet<TroveTuple> = contents
            .all()
            .filter(|(tuple, _)| !manifests_has(manifests, tuple))
            .map(|(tuple, _)| tuple.clone())
            .collect();
        manifests.fetch(&leaves)?;
        let missing = unsatisfied(contents, manifests)?;
        if missing.is_empty() {
            return Ok(());
        }
        if !plan.auto_resolve {
            return Err(unresolved_error(name, &missing));
        }
        let found = suggestions(
            manifests,
            ctx.source,
            &plan.search_path,
            &ctx.flavor,
            &missing,
            contents,
        )?;
        if found.is_empty() {
            return Err(unresolved_error(name, &missing));
        }
        for tuple in found {
            strong.insert(tuple.clone(), by_default);
            resolved.push(tuple);
        }
        *contents = expand(strong, manifests, adjust)?;
        check_conflicts(name, contents)?;
    }
}

fn manifests_has(manifests: &Manifests<'_>, tuple: &TroveTuple) -> bool {
    manifests.get(tuple).is_some()
}

/// The group trove: references, flavor, size, provides and requires.
fn group_trove(
    name: &TroveName,
    group: &GroupPlan,
    contents: &Contents,
    manifests: &mut Manifests<'_>,
    plan: &Plan,
    ctx: &GroupContext<'_>,
) -> Result<Trove, GroupError> {
    let all: BTreeSet<TroveTuple> = contents.all().map(|(tuple, _)| tuple.clone()).collect();
    manifests.fetch(&all)?;
    check_normal(contents, manifests)?;
    check_path_conflicts(name, contents, manifests)?;
    let flavors: Vec<Flavor> = all.iter().map(|tuple| tuple.flavor.clone()).collect();
    let flavor = Flavor::merge_list(&flavors, MergeMode::DropConflicts).map_err(|source| {
        GroupError::Flavor {
            context: format!("flavor of {name}"),
            source,
        }
    })?;
    let mut trove = Trove::new(name.clone(), ctx.version.clone(), flavor);
    for (tuple, by_default) in &contents.strong {
        trove.add_strong_ref(tuple.clone(), *by_default);
    }
    for (tuple, by_default) in &contents.weak {
        trove.add_weak_ref(tuple.clone(), *by_default);
    }
    trove.provides.insert(Dependency::trove(name));
    for required in &group.requires {
        trove.requires.insert(Dependency::trove(required));
    }
    trove.info = ctx.info.clone();
    trove.info.flags.set(TroveFlags::COLLECTION, true);
    trove.info.scripts = group.scripts.clone();
    if group.compatibility_class.is_some() {
        trove.info.compatibility_class = group.compatibility_class;
    }
    trove.info.size = size(contents, manifests);
    if trove.info.search_path.is_empty() {
        trove.info.search_path = plan.search_path.iter().map(ToString::to_string).collect();
    }
    Ok(trove)
}

/// The installed size: the sum of the by-default components' sizes, or
/// `None` when one is unknown.
fn size(contents: &Contents, manifests: &Manifests<'_>) -> Option<u64> {
    let mut total = 0u64;
    for (tuple, by_default) in contents.all() {
        if !by_default || tuple.name.is_collection() {
            continue;
        }
        let size = manifests.get(tuple)?.info.size?;
        total = total.saturating_add(size);
    }
    Some(total)
}
