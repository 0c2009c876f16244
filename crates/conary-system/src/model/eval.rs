//! Evaluating a model: the statements in order (an `include` line's
//! model in its place) give the label path and the wanted troves;
//! [`sync_specs`] turns them, with what is installed, into the change
//! specs of the job that makes the machine exactly that.

use std::collections::{BTreeMap, BTreeSet};

use conary_core::name::TroveName;
use conary_core::spec::{ChangeSpec, TroveSpec};
use conary_core::trove::TroveTuple;
use conary_core::version::{Label, VersionSpec};

use super::SystemModel;
use super::error::ModelError;
use super::include::{MAX_INCLUDE_DEPTH, ModelLoader, NoLoader};
use super::parse::{ModelSpec, SearchItem, Statement, TroveVerb};
use crate::plan::{InstalledSystem, PlanError};

/// What a model asks for, statement by statement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evaluation {
    /// Where to look: the labels of the model's `search` lines, the last
    /// line first, then those of included models (in the order met), then
    /// the labels `offer` specs name.
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
    /// As [`evaluate_with`](Self::evaluate_with); an `include` line and a
    /// `search` of a trove always fail here (there is no repository to
    /// read the trove from).
    pub fn evaluate(&self) -> Result<Evaluation, ModelError> {
        self.evaluate_with(&NoLoader)
    }

    /// The wanted set, `include` lines read through `loader` (a
    /// [`ModelLoader`]) and evaluated in their place; an included model's
    /// `search` lines are searched first by its own lookups and join the
    /// end of the label path, after the including model's labels.
    ///
    /// # Errors
    /// [`ModelError::Search`] for a searched trove that cannot be found;
    /// [`ModelError::Include`] for a trove that cannot be found or read,
    /// [`ModelError::IncludeCycle`] for a trove that includes itself,
    /// [`ModelError::Included`] for an error in an included model;
    /// [`ModelError::NoSearchPath`] when no `search` line names a label.
    pub fn evaluate_with(&self, loader: &dyn ModelLoader) -> Result<Evaluation, ModelError> {
        let mut evaluator = Evaluator {
            evaluation: Evaluation::default(),
            offer_labels: Vec::new(),
            included_labels: Vec::new(),
            loader,
            stack: Vec::new(),
        };
        let mut scope = Vec::new();
        evaluator.run(self, &mut scope, None)?;
        let Evaluator {
            mut evaluation,
            offer_labels,
            included_labels,
            ..
        } = evaluator;
        evaluation.label_path = labels(&scope);
        for label in included_labels.into_iter().chain(offer_labels) {
            if !evaluation.label_path.contains(&label) {
                evaluation.label_path.push(label);
            }
        }
        if evaluation.label_path.is_empty() {
            return Err(ModelError::NoSearchPath);
        }
        Ok(evaluation)
    }
}

/// One place a model's lookups search, the newest `search` line first.
enum Source {
    /// A label.
    Label(Label),
    /// The troves a searched trove (a group) holds, by name.
    Trove(BTreeMap<TroveName, TroveTuple>),
}

/// The labels of `scope`, in search order.
fn labels(scope: &[Source]) -> Vec<Label> {
    scope
        .iter()
        .filter_map(|source| match source {
            Source::Label(label) => Some(label.clone()),
            Source::Trove(_) => None,
        })
        .collect()
}

/// A spec without a version or flavor that a searched trove holds, newer
/// than any label on the scope, becomes that exact trove
/// (`NAME=/BRANCH/REVISION[FLAVOR]`): lookups check searched troves in
/// `search` order, and a label searched after a trove comes first.
fn resolve(scope: &[Source], spec: &TroveSpec) -> TroveSpec {
    if spec.version().is_some() || spec.flavor().is_some() {
        return spec.clone();
    }
    for source in scope {
        let Source::Trove(members) = source else {
            break;
        };
        if let Some(tuple) = members.get(spec.name()) {
            let mut text = format!("{}={}", tuple.name, tuple.version);
            if !tuple.flavor.is_empty() {
                text.push_str(&format!("[{}]", tuple.flavor));
            }
            if let Ok(exact) = text.parse() {
                return exact;
            }
        }
    }
    spec.clone()
}

/// One evaluation: the wanted set so far and the includes being read.
struct Evaluator<'l> {
    evaluation: Evaluation,
    offer_labels: Vec<Label>,
    /// The labels of included models' `search` lines, in the order met.
    included_labels: Vec<Label>,
    loader: &'l dyn ModelLoader,
    /// The includes being read: (the spec as written, the trove found).
    stack: Vec<(String, TroveName)>,
}

impl Evaluator<'_> {
    /// Evaluates `model`'s statements; `scope` is what its lookups search
    /// (its own `search` lines go in front); `context` names the trove an
    /// included model came from, `None` for the model file.
    fn run(
        &mut self,
        model: &SystemModel,
        scope: &mut Vec<Source>,
        context: Option<&str>,
    ) -> Result<(), ModelError> {
        let at = |line: usize| match context {
            None => format!("system-model:{line}"),
            Some(trove) => format!("{trove}:{line}"),
        };
        for (line, statement) in model.numbered() {
            match statement {
                Statement::Version(_) => {}
                Statement::Include(spec) => self.include(spec, scope, at(line))?,
                Statement::Search(SearchItem::Trove(spec)) => {
                    let (trove, members) = self
                        .loader
                        .members(spec.spec(), &labels(scope))
                        .map_err(|reason| ModelError::Search {
                            at: at(line),
                            spec: spec.to_string(),
                            reason,
                        })?;
                    // The trove's and its members' labels close the path.
                    for tuple in std::iter::once(&trove).chain(&members) {
                        let label = tuple.version.trailing_label().clone();
                        if !self.included_labels.contains(&label) {
                            self.included_labels.push(label);
                        }
                    }
                    let mut by_name = BTreeMap::new();
                    for tuple in members {
                        by_name.entry(tuple.name.clone()).or_insert(tuple);
                    }
                    scope.insert(0, Source::Trove(by_name));
                }
                Statement::Search(SearchItem::Label(label)) => {
                    scope.retain(|known| !matches!(known, Source::Label(l) if l == label));
                    scope.insert(0, Source::Label(label.clone()));
                    if context.is_some() && !self.included_labels.contains(label) {
                        self.included_labels.push(label.clone());
                    }
                }
                Statement::Troves { verb, specs } => {
                    for spec in specs.iter().map(|s| s.spec()) {
                        let spec = resolve(scope, spec);
                        apply(&mut self.evaluation, &mut self.offer_labels, *verb, &spec);
                    }
                }
            }
        }
        Ok(())
    }

    /// `include SPEC` at `at`: the trove's model, evaluated in place with
    /// a copy of the including model's path.
    fn include(
        &mut self,
        spec: &ModelSpec,
        scope: &[Source],
        at: String,
    ) -> Result<(), ModelError> {
        let error = |reason: String| ModelError::Include {
            at: at.clone(),
            spec: spec.to_string(),
            reason,
        };
        if self.stack.len() >= MAX_INCLUDE_DEPTH {
            return Err(error(format!(
                "includes nest more than {MAX_INCLUDE_DEPTH} deep"
            )));
        }
        let found = self
            .loader
            .load(spec.spec(), &labels(scope))
            .map_err(error)?;
        let name = found.trove.name.clone();
        if let Some(first) = self.stack.iter().position(|(_, known)| *known == name) {
            let mut chain: Vec<String> = self
                .stack
                .iter()
                .skip(first)
                .map(|(written, _)| format!("include {written}"))
                .collect();
            chain.push(format!("include {spec}"));
            return Err(ModelError::IncludeCycle {
                at,
                spec: spec.to_string(),
                chain: chain.join(" -> "),
            });
        }
        let shown = format!("{}={}", found.trove.name, found.trove.version);
        let included = SystemModel::parse(&found.text).map_err(|source| match source {
            ModelError::Syntax { line, message } => ModelError::IncludedSyntax {
                at: format!("{shown}:{line}"),
                message,
            },
            other => ModelError::Included {
                trove: shown.clone(),
                source: Box::new(other),
            },
        })?;
        self.stack.push((spec.to_string(), name));
        let mut inner_scope: Vec<Source> = scope
            .iter()
            .map(|source| match source {
                Source::Label(label) => Source::Label(label.clone()),
                Source::Trove(members) => Source::Trove(members.clone()),
            })
            .collect();
        let result = self.run(&included, &mut inner_scope, Some(&shown));
        self.stack.pop();
        result.map_err(|source| match source {
            // Errors already naming where they are pass through.
            ModelError::Include { .. }
            | ModelError::Search { .. }
            | ModelError::IncludeCycle { .. }
            | ModelError::Included { .. } => source,
            other => ModelError::Included {
                trove: shown,
                source: Box::new(other),
            },
        })
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
    let installed_names: BTreeSet<TroveName> =
        installed.iter().map(|trove| trove.tuple().name).collect();
    // Pinned troves stay whatever the model says.
    let top_level: BTreeSet<TroveName> = crate::plan::top_level(&installed)
        .filter(|trove| !trove.pinned)
        .map(|trove| trove.tuple().name)
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
