//! The jobs the change specs ask for directly (the primary jobs): install
//! or update (`foo`, `+foo=:devel[ssl]`), erase (`-foo`), change
//! (`foo=1.0--2.0`), with branch and flavor affinity for troves already
//! installed.

use conary_api::Location;
use conary_core::flavor::FlavorCheck;
use conary_core::spec::{ChangeSpec, TroveSpec};
use conary_core::trove::TroveTuple;
use conary_core::version::VersionSpec;

use super::Context;
use super::error::PlanError;
use super::find::{Missing, Search, find, locations_for};
use super::work::{Work, best_replaced};

/// Applies one change spec to the job.
pub(crate) fn apply_spec(
    context: &Context<'_>,
    work: &mut Work,
    spec: &ChangeSpec,
) -> Result<(), PlanError> {
    let job = spec.job(
        context.options.update_by_default,
        context.options.keep_existing,
    );
    match (&job.old, &job.new) {
        (None, Some(new)) => apply_install(context, work, new, job.absolute),
        (Some(old), None) => {
            for tuple in matching_installed(context, work, old)? {
                work.erase(&context.installed, tuple, true)?;
            }
            Ok(())
        }
        (Some(old), Some(new)) => apply_change(context, work, old, new, &spec.to_string()),
        (None, None) => Ok(()),
    }
}

/// Whether a version spec keeps branch affinity: it names no label, branch
/// or version (none at all, or a bare revision).
fn keeps_affinity(version: Option<&VersionSpec>) -> bool {
    version.is_none_or(|version| !version.names_label())
}

/// Installs or updates what `spec` names; with `replace`, a new trove
/// replaces the installed trove of the same name it matches best.
pub(crate) fn apply_install(
    context: &Context<'_>,
    work: &mut Work,
    spec: &TroveSpec,
    replace: bool,
) -> Result<(), PlanError> {
    let installed: Vec<TroveTuple> = work
        .remaining(&context.installed, spec.name())
        .into_iter()
        .cloned()
        .collect();
    let text = spec.to_string();
    if installed.is_empty() && context.options.update_only {
        // Nothing to update, and nothing new may come.
        return Ok(());
    }
    if installed.is_empty() {
        let search = Search {
            spec: text.clone(),
            name: spec.name(),
            version: spec.version(),
            flavor: spec.flavor(),
            locations: locations_for(context, &text, spec.version())?,
            affinity: None,
        };
        let new = find(context, &search)?.map_err(|missing| missing.into_error(&search))?;
        work.install(&context.installed, new, true);
        return Ok(());
    }
    let by_branch = keeps_affinity(spec.version());
    // Troves built on this machine have no branch to update from; a label
    // in the spec still replaces them.
    let updatable: Vec<&TroveTuple> = installed
        .iter()
        .filter(|tuple| !by_branch || !tuple.version.is_on_local_host())
        .collect();
    let label_locations = if by_branch {
        Vec::new()
    } else {
        locations_for(context, &text, spec.version())?
    };
    let mut found: Vec<(TroveTuple, TroveTuple)> = Vec::new();
    let mut first_missing: Option<(Missing, Vec<Location>)> = None;
    for old in &updatable {
        let locations = if by_branch {
            vec![Location::Branch(old.version.branch().clone())]
        } else {
            label_locations.clone()
        };
        let search = Search {
            spec: text.clone(),
            name: spec.name(),
            version: spec.version(),
            flavor: spec.flavor(),
            locations,
            affinity: Some(&old.flavor),
        };
        match find(context, &search)? {
            Ok(new) => found.push(((*old).clone(), new)),
            Err(missing) => {
                if first_missing.is_none() {
                    first_missing = Some((missing, search.locations));
                }
            }
        }
    }
    if found.is_empty() {
        // Nothing newer on the installed branches is not an error; a
        // version or label that is not there is.
        return match first_missing {
            Some((missing, locations)) if !by_branch || spec.version().is_some() => Err(missing
                .into_error(&Search {
                    spec: text.clone(),
                    name: spec.name(),
                    version: spec.version(),
                    flavor: spec.flavor(),
                    locations: if by_branch {
                        updatable
                            .iter()
                            .map(|old| Location::Branch(old.version.branch().clone()))
                            .collect()
                    } else {
                        locations
                    },
                    affinity: None,
                })),
            _ => Ok(()),
        };
    }
    let mut news: Vec<&TroveTuple> = found.iter().map(|(_, new)| new).collect();
    news.sort();
    news.dedup();
    for new in news {
        if !replace {
            work.install(&context.installed, new.clone(), true);
            continue;
        }
        let olds: Vec<&TroveTuple> = found
            .iter()
            .filter(|(_, candidate)| candidate == new)
            .map(|(old, _)| old)
            .filter(|old| !work.removed.contains(*old))
            .collect();
        match best_replaced(&olds, new) {
            Some(old) => work.update(&context.installed, old.clone(), new.clone(), true),
            None => work.install(&context.installed, new.clone(), true),
        }
    }
    Ok(())
}

/// The installed troves (not already going) that `spec` names: same name,
/// a version the spec matches, a flavor the spec's flavor is in.
fn matching_installed(
    context: &Context<'_>,
    work: &Work,
    spec: &TroveSpec,
) -> Result<Vec<TroveTuple>, PlanError> {
    let matching: Vec<TroveTuple> = work
        .remaining(&context.installed, spec.name())
        .into_iter()
        .filter(|tuple| {
            spec.version()
                .is_none_or(|version| version.matches(&tuple.version))
        })
        .filter(|tuple| {
            spec.flavor()
                .is_none_or(|flavor| FlavorCheck::Strong.score(flavor, &tuple.flavor).is_some())
        })
        .cloned()
        .collect();
    if matching.is_empty() {
        return Err(PlanError::NotInstalled {
            spec: spec.to_string(),
        });
    }
    Ok(matching)
}

/// `NAME=OLD--NEW`: each installed trove matching the old side becomes
/// the trove the new side names, looked for on the old trove's branch
/// unless the new side names a label.
fn apply_change(
    context: &Context<'_>,
    work: &mut Work,
    old: &TroveSpec,
    new: &TroveSpec,
    text: &str,
) -> Result<(), PlanError> {
    for installed in matching_installed(context, work, old)? {
        let locations = if keeps_affinity(new.version()) {
            vec![Location::Branch(installed.version.branch().clone())]
        } else {
            locations_for(context, text, new.version())?
        };
        let search = Search {
            spec: text.to_owned(),
            name: new.name(),
            version: new.version(),
            flavor: new.flavor(),
            locations,
            affinity: Some(&installed.flavor),
        };
        let found = find(context, &search)?.map_err(|missing| missing.into_error(&search))?;
        work.update(&context.installed, installed, found, true);
    }
    Ok(())
}
