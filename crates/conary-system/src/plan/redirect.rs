//! Following redirects: a new trove that is a redirect
//! ([`TroveType::Redirect`]) is not installed; the installed trove it
//! replaces is erased and the redirect's targets (the latest of each
//! target name on its branch, close to the redirect's flavor) are
//! installed or updated instead, through chains of redirects. A redirect
//! to nothing, to a branch without its target, or one that loops is an
//! error naming it.

use std::collections::BTreeSet;

use conary_api::Location;
use conary_core::name::TroveName;
use conary_core::trove::{TroveTuple, TroveType};
use conary_core::version::Branch;

use super::Context;
use super::error::{PlanError, ShortTuple};
use super::find::{Search, find};
use super::work::Work;

/// Replaces every new redirect of `work` by what it points to.
pub(crate) fn follow(context: &Context<'_>, work: &mut Work) -> Result<(), PlanError> {
    let new: Vec<TroveTuple> = work.added.keys().cloned().collect();
    context.fetch(work, &new)?;
    let redirects: Vec<(TroveTuple, Option<TroveTuple>)> = work
        .added
        .iter()
        .filter(|(tuple, _)| {
            work.manifests
                .get(*tuple)
                .is_some_and(|trove| trove.trove_type == TroveType::Redirect)
        })
        .map(|(new, old)| (new.clone(), old.clone()))
        .collect();
    for (redirect, old) in redirects {
        let targets = resolve(context, work, &redirect)?;
        let primary = work.primary_new.remove(&redirect);
        work.added.remove(&redirect);
        work.pending
            .retain(|(_, new)| new.as_ref() != Some(&redirect));
        if let Some(old) = old
            && old.name.is_collection()
        {
            // The replaced trove stays removed; its members go with it.
            work.pending.push((Some(old), None));
        }
        for target in targets {
            let installed = work
                .remaining(&context.installed, &target.name)
                .first()
                .map(|tuple| (*tuple).clone());
            match installed {
                Some(old) if !context.options.keep_existing => {
                    work.update(&context.installed, old, target, primary);
                }
                _ => work.install(&context.installed, target, primary),
            }
        }
    }
    Ok(())
}

/// The troves `redirect` leads to, through chains of redirects.
fn resolve(
    context: &Context<'_>,
    work: &mut Work,
    redirect: &TroveTuple,
) -> Result<Vec<TroveTuple>, PlanError> {
    let error = |reason: String| PlanError::Redirect {
        trove: ShortTuple(redirect).to_string(),
        reason,
    };
    let mut visited: BTreeSet<(TroveName, Branch)> = BTreeSet::new();
    let mut frontier = vec![redirect.clone()];
    let mut targets = Vec::new();
    while let Some(tuple) = frontier.pop() {
        let branch = tuple.version.without_timestamps().branch().clone();
        if !visited.insert((tuple.name.clone(), branch.clone())) {
            return Err(error(format!(
                "it loops back to {} on {branch}",
                tuple.name
            )));
        }
        context.fetch(work, std::slice::from_ref(&tuple))?;
        let Some(trove) = work.manifests.get(&tuple).cloned() else {
            return Err(error(format!("no manifest for {}", ShortTuple(&tuple))));
        };
        if trove.trove_type != TroveType::Redirect {
            targets.push(tuple);
            continue;
        }
        if trove.redirects.is_empty() {
            return Err(error(format!("{} points to nothing", ShortTuple(&tuple))));
        }
        for target in &trove.redirects {
            let search = Search {
                spec: format!("{}={}", target.name, target.branch),
                name: &target.name,
                version: None,
                flavor: target.flavor.as_ref(),
                locations: vec![Location::Branch(target.branch.clone())],
                affinity: Some(&tuple.flavor),
            };
            match find(context, &search)? {
                Ok(found) => frontier.push(found),
                Err(_) => {
                    return Err(error(format!(
                        "it points to {} on {}, which has none that fits",
                        target.name, target.branch
                    )));
                }
            }
        }
    }
    Ok(targets)
}
