//! Dependencies of the system the job leaves: every requirement of a new
//! trove must be provided by a trove of the resulting system, and no
//! requirement of an installed trove that was satisfied may be left
//! unsatisfied by what the job erases or replaces.
//!
//! With `--resolve` (`autoResolve`), providers are looked for on the
//! install label path ([`conary_api::TroveSource::dep_suggestions`]) and
//! chosen as the original's `selectResolutionTrove` does: a trove that
//! updates an installed trove (same label, flavor kept, no instruction set
//! dropped) first; else one that fits the system flavor path; then the
//! flavor preferences, the latest version of each name and label, the best
//! flavor score. The loop goes on while it adds troves.
//!
//! With `--keep-required` (`keepRequired`), an erasure that breaks an
//! installed trove's requirement is undone, and an update that does is
//! turned into an install beside the old trove, unless a spec asked for
//! that erasure itself.

use std::collections::{BTreeMap, BTreeSet};

use conary_core::deps::{DepClass, Dependency, DependencySet};
use conary_core::flavor::{Flavor, MergeMode};
use conary_core::trove::{Trove, TroveTuple};
use conary_core::version::Timestamp;

use super::Context;
use super::error::{BrokenDep, DepProblem, PlanError};
use super::recurse::recurse;
use super::work::Work;

/// Who provides what: each dependency class and name, with the troves
/// providing it and the flags they provide.
#[derive(Default)]
struct Provides<'t> {
    index: BTreeMap<(DepClass, &'t str), Vec<(&'t TroveTuple, &'t Dependency)>>,
}

impl<'t> Provides<'t> {
    fn add(&mut self, tuple: &'t TroveTuple, provides: &'t DependencySet) {
        for provide in provides.iter() {
            self.index
                .entry((provide.class(), provide.name()))
                .or_default()
                .push((tuple, provide));
        }
    }

    /// The troves whose provides satisfy `required`.
    fn providers(&self, required: &Dependency) -> Vec<&'t TroveTuple> {
        self.index
            .get(&(required.class(), required.name()))
            .map(|providers| {
                providers
                    .iter()
                    .filter(|(_, provide)| provide.satisfies(required))
                    .map(|(tuple, _)| *tuple)
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// What the dependency check found.
#[derive(Default)]
pub(crate) struct Report {
    /// Requirements of new troves nothing provides.
    pub unresolved: Vec<DepProblem>,
    /// Requirements of installed troves the job breaks.
    pub broken: Vec<BrokenDep>,
}

/// A trove the job would have removed, kept because an installed trove
/// needs it (`--keep-required`).
///
/// ```rust
/// use conary_system::plan::Kept;
/// let kept = Kept {
///     trove: "foo:lib=/a.example.com@rpl:1/1.0-1-1[]".parse().expect("tuple"),
///     needed_by: "bar:runtime=/a.example.com@rpl:1/1.0-1-1[]".parse().expect("tuple"),
///     dependency: "trove: foo:lib".parse().expect("dependency"),
/// };
/// assert_eq!(kept.dependency.to_string(), "trove: foo:lib");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Kept {
    /// The installed trove kept.
    pub trove: TroveTuple,
    /// The installed trove that needs it.
    pub needed_by: TroveTuple,
    /// What it needs.
    pub dependency: Dependency,
}

/// A trove added to satisfy a requirement (`--resolve`).
///
/// ```rust
/// use conary_system::plan::Resolution;
/// let resolution = Resolution {
///     requirer: "curl=/a.example.com@rpl:1/1.0-1-1[]".parse().expect("tuple"),
///     dependency: "deb: libcurl4".parse().expect("dependency"),
///     provider: "libcurl4=/a.example.com@rpl:1/1.0-1-1[]".parse().expect("tuple"),
/// };
/// assert_eq!(resolution.provider.name.as_str(), "libcurl4");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Resolution {
    /// The trove with the requirement.
    pub requirer: TroveTuple,
    /// The requirement.
    pub dependency: Dependency,
    /// The trove added to provide it.
    pub provider: TroveTuple,
}

/// Checks the requirements of the system the job leaves.
pub(crate) fn check(context: &Context<'_>, work: &Work) -> Report {
    let installed = &context.installed;
    let tuples: Vec<(TroveTuple, &Trove)> = installed
        .iter()
        .map(|trove| (trove.tuple(), &trove.trove))
        .collect();
    let mut before = Provides::default();
    let mut after = Provides::default();
    for (tuple, trove) in &tuples {
        before.add(tuple, &trove.provides);
        if !work.removed.contains(tuple) {
            after.add(tuple, &trove.provides);
        }
    }
    let new: Vec<(&TroveTuple, &Trove)> = work
        .added
        .keys()
        .filter_map(|tuple| Some((tuple, work.manifests.get(tuple)?)))
        .collect();
    for (tuple, trove) in &new {
        after.add(tuple, &trove.provides);
    }
    let mut report = Report::default();
    for (tuple, trove) in &new {
        for required in trove.requires.iter() {
            if after.providers(required).is_empty() {
                report.unresolved.push(DepProblem {
                    requirer: (*tuple).clone(),
                    dependency: required.clone(),
                });
            }
        }
    }
    for (tuple, trove) in &tuples {
        if work.removed.contains(tuple) {
            continue;
        }
        for required in trove.requires.iter() {
            if !after.providers(required).is_empty() {
                continue;
            }
            let removed: Vec<TroveTuple> = before
                .providers(required)
                .into_iter()
                .filter(|provider| work.removed.contains(*provider))
                .cloned()
                .collect();
            if !removed.is_empty() {
                report.broken.push(BrokenDep {
                    requirer: tuple.clone(),
                    dependency: required.clone(),
                    removed,
                });
            }
        }
    }
    report.unresolved.sort();
    report.broken.sort();
    report
}

/// Undoes removals that break requirements, where allowed; returns what
/// was kept.
fn keep_required(work: &mut Work, broken: &[BrokenDep]) -> Vec<Kept> {
    let mut kept = Vec::new();
    for problem in broken {
        for provider in &problem.removed {
            if work.primary_erased.contains(provider) || !work.removed.contains(provider) {
                continue;
            }
            work.keep(provider);
            kept.push(Kept {
                trove: provider.clone(),
                needed_by: problem.requirer.clone(),
                dependency: problem.dependency.clone(),
            });
        }
    }
    kept
}

/// What the dependency phase adds to the plan.
#[derive(Default)]
pub(crate) struct Outcome {
    pub resolved: Vec<Resolution>,
    pub kept: Vec<Kept>,
    pub report: Report,
}

/// Checks dependencies, resolving and keeping as the options say, until
/// nothing changes; returns what is left.
pub(crate) fn settle(context: &Context<'_>, work: &mut Work) -> Result<Outcome, PlanError> {
    let mut outcome = Outcome::default();
    let mut tried: BTreeSet<Dependency> = BTreeSet::new();
    loop {
        let added: Vec<TroveTuple> = work.added.keys().cloned().collect();
        context.fetch(work, &added)?;
        let report = check(context, work);
        if context.keep_required && !report.broken.is_empty() {
            let kept = keep_required(work, &report.broken);
            if !kept.is_empty() {
                outcome.kept.extend(kept);
                continue;
            }
        }
        if !context.resolve || report.unresolved.is_empty() {
            outcome.report = report;
            break;
        }
        let open: DependencySet = report
            .unresolved
            .iter()
            .map(|problem| problem.dependency.clone())
            .filter(|dependency| !tried.contains(dependency))
            .collect();
        if open.is_empty() {
            outcome.report = report;
            break;
        }
        tried.extend(open.iter().cloned());
        let suggestions = context
            .source
            .dep_suggestions(&context.config.install_label_path, &open)
            .map_err(|source| PlanError::Source {
                doing: "look for troves providing missing dependencies".to_owned(),
                source,
            })?;
        let mut progress = false;
        for problem in &report.unresolved {
            let Some(candidates) = suggestions.get(&problem.dependency) else {
                continue;
            };
            let Some(provider) = select_provider(context, work, candidates) else {
                continue;
            };
            if !work.is_present(&context.installed, &provider) {
                add_provider(context, work, provider.clone())?;
                progress = true;
            }
            outcome.resolved.push(Resolution {
                requirer: problem.requirer.clone(),
                dependency: problem.dependency.clone(),
                provider,
            });
        }
        if !progress {
            outcome.report = check(context, work);
            break;
        }
        recurse(context, work, &BTreeSet::new())?;
    }
    outcome.resolved.sort();
    outcome.resolved.dedup();
    Ok(outcome)
}

/// Adds a provider: it updates the installed trove of its name on its
/// branch, if any, and goes in beside what is there otherwise (a
/// dependency never moves a trove to another branch). A component brings
/// its package along (`autoResolvePackages`), without the package's other
/// components.
fn add_provider(
    context: &Context<'_>,
    work: &mut Work,
    provider: TroveTuple,
) -> Result<(), PlanError> {
    add_on_branch(context, work, provider.clone());
    if context.config.auto_resolve_packages && provider.name.is_component() {
        let package = TroveTuple::new(
            provider.name.package(),
            provider.version.clone(),
            provider.flavor.clone(),
        );
        if !work.is_present(&context.installed, &package)
            && context.fetch(work, std::slice::from_ref(&package)).is_ok()
        {
            add_on_branch(context, work, package.clone());
            // Only the component that provides: the package's other
            // members are not wanted.
            work.pending
                .retain(|(_, new)| new.as_ref() != Some(&package));
        }
    }
    Ok(())
}

/// Updates the installed trove of `new`'s name on `new`'s branch, or
/// installs `new` beside what is there.
fn add_on_branch(context: &Context<'_>, work: &mut Work, new: TroveTuple) {
    let installed = &context.installed;
    let same_branch = work
        .remaining(installed, &new.name)
        .into_iter()
        .find(|old| old.version.branch() == new.version.branch())
        .cloned();
    match same_branch {
        Some(old) => work.update(installed, old, new, false),
        None => work.install(installed, new, false),
    }
}

/// The original's `selectResolutionTrove`: the best of the troves that
/// provide one requirement, for the first flavor of the flavor path that
/// has one.
fn select_provider(
    context: &Context<'_>,
    work: &Work,
    candidates: &[TroveTuple],
) -> Option<TroveTuple> {
    let candidates: Vec<&TroveTuple> = candidates
        .iter()
        .filter(|candidate| !work.removed.contains(*candidate))
        .collect();
    context
        .flavor_path
        .iter()
        .find_map(|install_flavor| select_for_flavor(context, work, &candidates, install_flavor))
}

fn select_for_flavor(
    context: &Context<'_>,
    work: &Work,
    candidates: &[&TroveTuple],
    install_flavor: &Flavor,
) -> Option<TroveTuple> {
    let mut affinity: Vec<(Option<Flavor>, &TroveTuple)> = Vec::new();
    let mut others: Vec<(Option<Flavor>, &TroveTuple)> = Vec::new();
    // An empty install flavor filters nothing (and scores nothing), but
    // troves that update an installed trove still come first.
    let any_flavor = install_flavor.is_empty();
    {
        for candidate in candidates {
            let mut found = false;
            let label = candidate.version.trailing_label();
            for old in work.remaining(&context.installed, &candidate.name) {
                if old.version.trailing_label() != label {
                    continue;
                }
                let query = install_flavor
                    .override_with(&old.flavor, MergeMode::Prefs)
                    .unwrap_or_else(|_| old.flavor.clone());
                // Never drop an instruction set to satisfy a dependency.
                if !candidate
                    .flavor
                    .strongly_satisfies(&old.flavor.instruction_set_flavor())
                {
                    continue;
                }
                if query.satisfies(&candidate.flavor) {
                    affinity.push((Some(query), candidate));
                    found = true;
                }
            }
            if !found && affinity.is_empty() {
                if any_flavor {
                    others.push((None, candidate));
                } else if install_flavor.satisfies(&candidate.flavor) {
                    others.push((Some(install_flavor.clone()), candidate));
                }
            }
        }
    }
    let mut chosen = if affinity.is_empty() {
        others
    } else {
        affinity
    };
    let preferred: Vec<&Flavor> = context
        .preferences
        .flavors()
        .iter()
        .map(|preference| {
            chosen
                .iter()
                .map(|(_, candidate)| &candidate.flavor)
                .filter(|flavor| flavor.strongly_satisfies(preference))
                .collect::<Vec<_>>()
        })
        .find(|matching| !matching.is_empty())
        .unwrap_or_default();
    if !preferred.is_empty() {
        let preferred: Vec<Flavor> = preferred.into_iter().cloned().collect();
        chosen.retain(|(_, candidate)| preferred.contains(&candidate.flavor));
    }
    // The latest of each name and label, the better score on a tie.
    type Key = (i32, Option<Timestamp>);
    let mut best: BTreeMap<(&str, String), (Key, &TroveTuple)> = BTreeMap::new();
    for (query, candidate) in chosen {
        let score = query
            .as_ref()
            .and_then(|query| query.score(&candidate.flavor))
            .unwrap_or(0);
        let key = (
            candidate.name.as_str(),
            candidate.version.trailing_label().to_string(),
        );
        let timestamp = candidate.version.timestamp();
        let better = match best.get(&key) {
            None => true,
            Some(((current_score, current_time), _)) => {
                timestamp > *current_time || (timestamp == *current_time && score >= *current_score)
            }
        };
        if better {
            best.insert(key, ((score, timestamp), candidate));
        }
    }
    best.into_values()
        .max_by(|(a, a_tuple), (b, b_tuple)| a.cmp(b).then_with(|| a_tuple.cmp(b_tuple)))
        .map(|(_, tuple)| tuple.clone())
}
