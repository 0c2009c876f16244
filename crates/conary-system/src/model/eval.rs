//! Evaluating a model: the statements in order give the label path and
//! the wanted troves; [`sync_specs`] turns them, with what is installed,
//! into the change specs of the job that makes the machine exactly that.

use std::collections::BTreeSet;

use conary_core::name::TroveName;
use conary_core::spec::{ChangeSpec, TroveSpec};
use conary_core::trove::TroveTuple;
use conary_core::version::{Label, VersionSpec};

use super::SystemModel;
use super::error::ModelError;
use super::parse::{SearchItem, Statement, TroveVerb};
use crate::plan::{InstalledSystem, InstalledTrove, PlanError};

/// What a model asks for, statement by statement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evaluation {
    /// Where to look: the labels of the `search` lines, the last line
    /// first, then the labels `offer` specs name.
    pub label_path: Vec<Label>,
    /// The troves wanted, in the order the model adds them; one spec a
    /// name (a later `install` or `update` of a name replaces the earlier).
    pub wanted: Vec<TroveSpec>,
    /// Troves `erase` lines name that no earlier line added (a component
    /// of a wanted package, say): erased when installed.
    pub erased: Vec<TroveSpec>,
    /// The `offer` specs: available to dependency resolution.
    pub offered: Vec<TroveSpec>,
}

impl Evaluation {
    /// The names of the wanted troves.
    pub fn wanted_names(&self) -> BTreeSet<&TroveName> {
        self.wanted.iter().map(TroveSpec::name).collect()
    }
}

/// The label a version spec names outright, if it does.
fn named_label(version: Option<&VersionSpec>) -> Option<Label> {
    match version? {
        VersionSpec::Version(version) => Some(version.trailing_label().clone()),
        VersionSpec::Branch(branch) => Some(branch.label().clone()),
        VersionSpec::Label { label, .. } => label.to_string().parse().ok(),
        VersionSpec::Revision(_) => None,
    }
}

impl SystemModel {
    /// The wanted set: `search` lines put their label in front of the
    /// path; `install` and `update` add troves (replacing a wanted trove
    /// of the same name); `erase` takes out the troves of that name;
    /// `offer` makes troves available to dependency resolution; `patch`
    /// replaces the spec of a trove already wanted and adds nothing.
    ///
    /// # Errors
    /// [`ModelError::Unsupported`] for `include` and for `search` of a
    /// trove (a group); [`ModelError::NoSearchPath`] when no `search` line
    /// names a label.
    pub fn evaluate(&self) -> Result<Evaluation, ModelError> {
        let mut evaluation = Evaluation::default();
        let mut offer_labels: Vec<Label> = Vec::new();
        for (line, statement) in self.numbered() {
            match statement {
                Statement::Version(_) => {}
                Statement::Include(_) => {
                    return Err(ModelError::Unsupported {
                        line,
                        what: "'include' (a model held by a trove)".to_owned(),
                    });
                }
                Statement::Search(SearchItem::Trove(spec)) => {
                    return Err(ModelError::Unsupported {
                        line,
                        what: format!("searching a trove ('search {spec}'); search a label"),
                    });
                }
                Statement::Search(SearchItem::Label(label)) => {
                    evaluation.label_path.retain(|known| known != label);
                    evaluation.label_path.insert(0, label.clone());
                }
                Statement::Troves { verb, specs } => {
                    for spec in specs.iter().map(|s| s.spec()) {
                        apply(&mut evaluation, &mut offer_labels, *verb, spec);
                    }
                }
            }
        }
        if evaluation.label_path.is_empty() {
            return Err(ModelError::NoSearchPath);
        }
        for label in offer_labels {
            if !evaluation.label_path.contains(&label) {
                evaluation.label_path.push(label);
            }
        }
        Ok(evaluation)
    }
}

/// One spec of a trove statement.
fn apply(
    evaluation: &mut Evaluation,
    offer_labels: &mut Vec<Label>,
    verb: TroveVerb,
    spec: &TroveSpec,
) {
    let wanted_at = evaluation
        .wanted
        .iter()
        .position(|wanted| wanted.name() == spec.name());
    match verb {
        TroveVerb::Install | TroveVerb::Update => {
            evaluation
                .erased
                .retain(|erased| erased.name() != spec.name());
            match wanted_at {
                Some(index) => {
                    if let Some(slot) = evaluation.wanted.get_mut(index) {
                        *slot = spec.clone();
                    }
                }
                None => evaluation.wanted.push(spec.clone()),
            }
        }
        TroveVerb::Patch => {
            if let Some(slot) = wanted_at.and_then(|index| evaluation.wanted.get_mut(index)) {
                *slot = spec.clone();
            }
        }
        TroveVerb::Erase => {
            if wanted_at.is_some() {
                evaluation
                    .wanted
                    .retain(|wanted| wanted.name() != spec.name());
            } else if !evaluation.erased.contains(spec) {
                evaluation.erased.push(spec.clone());
            }
        }
        TroveVerb::Offer => {
            if let Some(label) = named_label(spec.version())
                && !offer_labels.contains(&label)
            {
                offer_labels.push(label);
            }
            evaluation.offered.push(spec.clone());
        }
    }
}

/// The change specs that bring `system` to `evaluation`: every wanted
/// trove installed or updated (`Unmarked`, for a planner that updates by
/// default and does not keep existing troves), every installed top-level
/// trove (one no installed collection holds) that is not wanted erased
/// (plan with `keep_required` so what wanted troves need stays), and the
/// `erase` specs that name something installed. Pinned troves are never
/// erased for not being wanted.
///
/// # Errors
/// The installed system cannot be read.
pub fn sync_specs(
    evaluation: &Evaluation,
    system: &dyn InstalledSystem,
) -> Result<Vec<ChangeSpec>, PlanError> {
    let installed = system
        .installed()
        .map_err(|source| PlanError::System { source })?;
    let mut held: BTreeSet<TroveTuple> = BTreeSet::new();
    for collection in &installed {
        held.extend(
            collection
                .trove
                .iter_refs()
                .map(|(tuple, _, _)| tuple.clone()),
        );
    }
    let installed_names: BTreeSet<TroveName> =
        installed.iter().map(|trove| trove.tuple().name).collect();
    // Pinned troves stay whatever the model says.
    let top_level: BTreeSet<TroveName> = installed
        .iter()
        .filter(|trove| !trove.pinned)
        .map(InstalledTrove::tuple)
        .filter(|tuple| !held.contains(tuple))
        .map(|tuple| tuple.name)
        .collect();
    let wanted = evaluation.wanted_names();
    let mut specs: Vec<ChangeSpec> = evaluation
        .wanted
        .iter()
        .cloned()
        .map(ChangeSpec::Unmarked)
        .collect();
    let mut erased: BTreeSet<TroveName> = BTreeSet::new();
    for spec in &evaluation.erased {
        if installed_names.contains(spec.name()) && erased.insert(spec.name().clone()) {
            specs.push(ChangeSpec::Erase(spec.clone()));
        }
    }
    for name in top_level {
        if !wanted.contains(&name) && !erased.contains(&name) {
            specs.push(ChangeSpec::Erase(TroveSpec::from_name(name)));
        }
    }
    Ok(specs)
}

/// The change specs of a sync, as [`sync_specs`] gives them, less the
/// erasures of troves the planner had to keep (what a wanted trove
/// requires, found through a trial plan): a package a dependency brought
/// in stays whole instead of losing its package trove while its component
/// is kept. Planning errors are left for the caller's own plan to report.
///
/// # Errors
/// The installed system cannot be read.
pub fn sync_plan_specs(
    evaluation: &Evaluation,
    system: &dyn InstalledSystem,
    planner: &crate::plan::Planner<'_>,
) -> Result<Vec<ChangeSpec>, PlanError> {
    let mut specs = sync_specs(evaluation, system)?;
    // Each round drops at least one erasure, so this ends; the bound is a
    // guard only.
    for _ in 0..specs.len() {
        let Ok(plan) = planner.plan(&specs) else {
            break;
        };
        let kept: BTreeSet<TroveName> = plan
            .kept
            .iter()
            .flat_map(|kept| [kept.trove.name.clone(), kept.trove.name.package()])
            .collect();
        let before = specs.len();
        specs.retain(
            |spec| !matches!(spec, ChangeSpec::Erase(trove) if kept.contains(trove.name())),
        );
        if specs.len() == before {
            break;
        }
    }
    Ok(specs)
}
