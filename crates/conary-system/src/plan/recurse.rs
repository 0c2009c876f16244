//! Recursion into collections: when a package or group is installed,
//! updated or erased, so are its members.
//!
//! - A fresh collection brings its by-default members, and the others the
//!   user named.
//! - An updated collection pairs each new member with the old member of
//!   the same name it matches best (same branch, same instruction set). An
//!   installed old member is updated; an old member that is *not*
//!   installed although it was by default was erased on purpose and stays
//!   erased; one that was not by default is installed only if the new
//!   collection makes it by default. A member new to the collection updates
//!   an installed trove of its name, or is installed if by default. An old
//!   member the new collection dropped is erased unless another collection
//!   still holds it.
//! - An erased collection takes its installed members with it, except
//!   those another remaining collection holds.
//!
//! Pinned members are never replaced nor erased (see [`Work::update`]).

use std::collections::{BTreeMap, BTreeSet};

use conary_core::name::TroveName;
use conary_core::trove::{Trove, TroveTuple};

use super::Context;
use super::error::PlanError;
use super::work::{Work, best_replaced, replacement_score};

/// A member of a collection: its tuple and whether it is by default.
type Member = (TroveTuple, bool);

/// The members of a collection, strong references first, each once.
fn members(trove: &Trove) -> Vec<Member> {
    let mut seen = BTreeSet::new();
    trove
        .iter_refs()
        .filter(|(tuple, _, _)| seen.insert((*tuple).clone()))
        .map(|(tuple, by_default, _)| (tuple.clone(), by_default))
        .collect()
}

/// Members grouped by name.
fn by_name(members: Vec<Member>) -> BTreeMap<TroveName, Vec<Member>> {
    let mut grouped: BTreeMap<TroveName, Vec<Member>> = BTreeMap::new();
    for member in members {
        grouped
            .entry(member.0.name.clone())
            .or_default()
            .push(member);
    }
    grouped
}

/// Visits the members of every collection the job changes, until no
/// change is left to visit. `named` are trove names the user gave, which
/// are installed even when their collection does not hold them by default.
pub(crate) fn recurse(
    context: &Context<'_>,
    work: &mut Work,
    named: &BTreeSet<TroveName>,
) -> Result<(), PlanError> {
    if !context.options.recurse {
        work.pending.clear();
        return Ok(());
    }
    let mut visited: BTreeSet<(Option<TroveTuple>, Option<TroveTuple>)> = BTreeSet::new();
    while !work.pending.is_empty() {
        let batch: Vec<_> = std::mem::take(&mut work.pending);
        let new_collections: Vec<TroveTuple> =
            batch.iter().filter_map(|(_, new)| new.clone()).collect();
        context.fetch(work, &new_collections)?;
        for change in batch {
            if visited.insert(change.clone()) {
                visit(context, work, named, change.0.as_ref(), change.1.as_ref())?;
            }
        }
    }
    Ok(())
}

/// Visits the members of one collection change.
fn visit(
    context: &Context<'_>,
    work: &mut Work,
    named: &BTreeSet<TroveName>,
    old: Option<&TroveTuple>,
    new: Option<&TroveTuple>,
) -> Result<(), PlanError> {
    let old_members = old
        .and_then(|old| context.installed.get(old))
        .map(|installed| members(&installed.trove))
        .unwrap_or_default();
    let new_members = new
        .and_then(|new| work.manifests.get(new))
        .map(members)
        .unwrap_or_default();
    let mut old_by_name = by_name(old_members);
    let new_by_name = by_name(new_members);
    let mut dropped: Vec<Member> = Vec::new();
    for (name, news) in new_by_name {
        let mut olds = old_by_name.remove(&name).unwrap_or_default();
        for (new_member, new_default) in news {
            let best = olds
                .iter()
                .enumerate()
                .max_by(|(_, a), (_, b)| {
                    replacement_score(&a.0, &new_member).cmp(&replacement_score(&b.0, &new_member))
                })
                .map(|(index, _)| index);
            match best {
                Some(index) => {
                    let old_member = olds.remove(index);
                    visit_pair(context, work, named, old_member, (new_member, new_default));
                }
                None => visit_new(context, work, named, new_member, new_default),
            }
        }
        dropped.extend(olds);
    }
    dropped.extend(old_by_name.into_values().flatten());
    for (old_member, _) in dropped {
        if work.is_present(&context.installed, &old_member)
            && context.installed.contains(&old_member)
            && !held_elsewhere(context, work, &old_member, old)
        {
            work.erase(&context.installed, old_member, false)?;
        }
    }
    Ok(())
}

/// Whether a member that is not installed comes with its collection: when
/// the user named it, or when it is by default, `excludeTroves` does not
/// keep it out and `--update-only` does not forbid new troves.
fn wanted(context: &Context<'_>, named: &BTreeSet<TroveName>, member: &Member) -> bool {
    if named.contains(&member.0.name) {
        return true;
    }
    member.1 && !context.is_excluded(&member.0.name) && !context.options.update_only
}

/// A member held by both the old and the new collection.
fn visit_pair(
    context: &Context<'_>,
    work: &mut Work,
    named: &BTreeSet<TroveName>,
    (old_member, old_default): Member,
    new: Member,
) {
    let installed = &context.installed;
    if installed.contains(&old_member) {
        if !work.removed.contains(&old_member) {
            work.update(installed, old_member, new.0, false);
        }
        return;
    }
    if old_default && !named.contains(&new.0.name) {
        // By default and not installed: erased on purpose.
        return;
    }
    if wanted(context, named, &new) {
        work.install(installed, new.0, false);
    }
}

/// A member only the new collection holds.
fn visit_new(
    context: &Context<'_>,
    work: &mut Work,
    named: &BTreeSet<TroveName>,
    new_member: TroveTuple,
    by_default: bool,
) {
    let installed = &context.installed;
    if work.is_present(installed, &new_member) {
        return;
    }
    // An installed trove of that name that another collection still holds
    // belongs to that collection (one kept beside this one): leave it.
    let remaining: Vec<&TroveTuple> = work
        .remaining(installed, &new_member.name)
        .into_iter()
        .filter(|tuple| !held_by_installed(context, work, tuple))
        .collect();
    if let Some(old) = best_replaced(&remaining, &new_member) {
        let old = old.clone();
        work.update(installed, old, new_member, false);
        return;
    }
    if wanted(context, named, &(new_member.clone(), by_default)) {
        work.install(installed, new_member, false);
    }
}

/// Whether an installed collection the job keeps holds `member`.
fn held_by_installed(context: &Context<'_>, work: &Work, member: &TroveTuple) -> bool {
    context.installed.iter().any(|installed| {
        installed.trove.name.is_collection()
            && !work.removed.contains(&installed.tuple())
            && (installed.trove.strong_refs.contains_key(member)
                || installed.trove.weak_refs.contains_key(member))
    })
}

/// Whether a collection other than `except` that stays (installed and not
/// removed, or new) holds `member`.
fn held_elsewhere(
    context: &Context<'_>,
    work: &Work,
    member: &TroveTuple,
    except: Option<&TroveTuple>,
) -> bool {
    let holds = |trove: &Trove| {
        trove.strong_refs.contains_key(member) || trove.weak_refs.contains_key(member)
    };
    let installed_holder = context.installed.iter().any(|installed| {
        let tuple = installed.tuple();
        Some(&tuple) != except
            && tuple.name.is_collection()
            && !work.removed.contains(&tuple)
            && holds(&installed.trove)
    });
    installed_holder
        || work
            .added
            .keys()
            .filter_map(|tuple| work.manifests.get(tuple))
            .any(holds)
}
