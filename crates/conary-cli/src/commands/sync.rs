//! `conary sync`, and `install`, `update`, `erase`, `patch` and `updateall` on a
//! root with a system model (`<root>/etc/conary/system-model`): the
//! command edits the model (appends `install`/`update`/`erase`/`patch` lines,
//! moves `NAME=VERSION` specs to the newest version on their label), then
//! brings the machine to exactly what the model says. `--model` prints the
//! new model and changes nothing.
//!
//! `include` lines are read from the repository (`SourceLoader`); the
//! search paths of the groups the model wants join the end of the label
//! path the sync plans with.
//!
//! The new model is written to `system-model.next` before anything
//! changes and renamed over `system-model` once every transaction
//! succeeded; a snapshot found at the start is an interrupted sync, which
//! `conary sync` finishes. The model in effect before is kept with the
//! rollback entries, so `conary rollback` writes it back.

use std::io::Write;
use std::path::Path;

use conary_api::TroveSource;
use conary_api::find::Finder;
use conary_core::config::Config;
use conary_core::flavor::{Flavor, FlavorPreferences};
use conary_core::spec::{ChangeSpec, TroveSpec};
use conary_core::version::VersionSpec;
use conary_system::db::Database;
use conary_system::model::{
    Evaluation, ModelError, ModelFiles, ModelSpec, SourceLoader, SystemModel, TroveVerb,
    save_for_rollbacks, sync_plan_specs,
};
use conary_system::plan::{PlanOptions, Planner};

use super::update::{Execution, ModelHooks, UpdateArgs, Verb, execute};
use crate::progress;
use crate::system;

/// Whether `root` has a system model (or the snapshot of an interrupted
/// sync to one).
pub fn has_model(root: &Path) -> bool {
    let files = ModelFiles::new(root);
    files.exists() || files.next_path().exists()
}

/// `conary sync`: brings the machine to its model, finishing an
/// interrupted sync first.
pub fn run(
    args: &UpdateArgs,
    root: &Path,
    config: &Config,
    source: &dyn TroveSource,
    out: &mut dyn Write,
) -> anyhow::Result<String> {
    if !args.specs.is_empty() || !args.from_file.is_empty() {
        anyhow::bail!(
            "conary sync takes no trove specs: edit the model, or use conary install, update or erase"
        );
    }
    let files = ModelFiles::new(root);
    let previous = files.read()?;
    let model = match files.read_next()? {
        Some((next, _)) => {
            if !args.model && !args.dry_run.test && !args.dry_run.info {
                progress::note(format!(
                    "finishing an interrupted sync: applying {}",
                    files.next_path().display()
                ));
            }
            next
        }
        None => match &previous {
            Some((model, _)) => model.clone(),
            None => anyhow::bail!(
                "there is no system model: {} does not exist",
                files.path().display()
            ),
        },
    };
    sync_to(
        &model,
        previous.map(|(_, text)| text),
        args,
        root,
        config,
        source,
        out,
    )
}

/// `conary install|update|erase|updateall` on a root with a model: edit
/// the model, then sync to it.
pub fn run_verb(
    verb: Verb,
    args: &UpdateArgs,
    root: &Path,
    config: &Config,
    source: &dyn TroveSource,
    out: &mut dyn Write,
) -> anyhow::Result<String> {
    let files = ModelFiles::new(root);
    if files.next_path().exists() {
        anyhow::bail!(
            "an interrupted sync left {}: run conary sync to finish it first",
            files.next_path().display()
        );
    }
    let Some((mut model, previous)) = files.read()? else {
        anyhow::bail!(
            "there is no system model: {} does not exist",
            files.path().display()
        );
    };
    if !args.from_file.is_empty()
        || args
            .specs
            .iter()
            .any(|spec| spec.ends_with(".ccs") || (spec.contains('/') && Path::new(spec).is_file()))
    {
        anyhow::bail!(
            "changeset files cannot be added to a system model yet (use --from-file without a model)"
        );
    }
    match verb {
        Verb::UpdateAll => {
            if !args.specs.is_empty() {
                anyhow::bail!("conary updateall takes no trove specs");
            }
            let evaluation = evaluate(&model, config, source)?;
            move_versions(&mut model, &evaluation, config, source)?;
        }
        _ => {
            if args.specs.is_empty() {
                anyhow::bail!("name at least one trove (see --help)");
            }
            let plain = match verb {
                Verb::Erase => TroveVerb::Erase,
                Verb::Install => TroveVerb::Install,
                Verb::Patch => TroveVerb::Patch,
                _ if args.keep_existing => TroveVerb::Install,
                _ => TroveVerb::Update,
            };
            let marked = if plain == TroveVerb::Erase {
                TroveVerb::Update
            } else {
                plain
            };
            let lines = model_lines(&args.specs, plain, marked)?;
            let finder = finder(&evaluate(&model, config, source)?, config, source);
            for (line_verb, specs) in lines {
                let specs = if line_verb == TroveVerb::Erase {
                    specs
                } else {
                    specs
                        .into_iter()
                        .map(|spec| with_revision(&finder, spec))
                        .collect::<anyhow::Result<_>>()?
                };
                model.append(line_verb, specs);
            }
        }
    }
    sync_to(&model, Some(previous), args, root, config, source, out)
}

/// The model lines the command's specs make, consecutive specs of one
/// statement on one line: `-NAME` erases, `+NAME` installs or updates
/// (`marked`), an unmarked spec does what the command does (`plain`).
fn model_lines(
    texts: &[String],
    plain: TroveVerb,
    marked: TroveVerb,
) -> anyhow::Result<Vec<(TroveVerb, Vec<ModelSpec>)>> {
    let mut lines: Vec<(TroveVerb, Vec<ModelSpec>)> = Vec::new();
    for text in texts {
        let text = text.trim();
        let (verb, spec_text) = if let Some(rest) = text.strip_prefix('-') {
            (TroveVerb::Erase, rest)
        } else if let Some(rest) = text.strip_prefix('+') {
            (marked, rest)
        } else {
            (plain, text)
        };
        if spec_text.contains("--") {
            anyhow::bail!(
                "'{text}': a change from one version to another cannot go into a system model; name the version wanted"
            );
        }
        let spec: ModelSpec = spec_text.parse()?;
        match lines.last_mut() {
            Some((last, specs)) if *last == verb => specs.push(spec),
            _ => lines.push((verb, vec![spec])),
        }
    }
    Ok(lines)
}

/// The model's wanted set, its `include` lines read from `source`.
fn evaluate(
    model: &SystemModel,
    config: &Config,
    source: &dyn TroveSource,
) -> Result<Evaluation, ModelError> {
    let loader = SourceLoader::new(
        source,
        config.flavor.clone(),
        FlavorPreferences::new(config.flavor_preferences.clone()),
    );
    model.evaluate_with(&loader)
}

/// The labels of the search paths of the groups the model wants (trove
/// info `search_path`, set by `r.setSearchPath`), in the order the groups
/// are wanted: searched after the model's own labels, so what a group
/// needs is found where the group was built to find it. Entries that are
/// not labels (trove specs) are left out.
fn group_search_path(
    evaluation: &Evaluation,
    config: &Config,
    source: &dyn TroveSource,
) -> anyhow::Result<Vec<conary_core::version::Label>> {
    let finder = finder(evaluation, config, source);
    let mut labels = Vec::new();
    for spec in &evaluation.wanted {
        if !spec.name().as_str().starts_with("group-") {
            continue;
        }
        // A group that cannot be found is reported by the plan itself.
        let Ok(tuple) = finder.find_one(spec) else {
            continue;
        };
        for trove in source.troves(std::slice::from_ref(&tuple))? {
            for entry in &trove.info.search_path {
                if let Ok(label) = entry.parse::<conary_core::version::Label>()
                    && !labels.contains(&label)
                {
                    labels.push(label);
                }
            }
        }
    }
    Ok(labels)
}

/// A finder over the model's search path, with the configured flavors.
fn finder<'s>(evaluation: &Evaluation, config: &Config, source: &'s dyn TroveSource) -> Finder<'s> {
    let mut flavor_path = config.flavor.clone();
    if flavor_path.is_empty() {
        flavor_path.push(Flavor::default());
    }
    Finder::new(
        source,
        evaluation.label_path.clone(),
        flavor_path,
        FlavorPreferences::new(config.flavor_preferences.clone()),
    )
}

/// A spec naming a label only (`foo=LABEL`) becomes `foo=LABEL/REVISION`
/// of the newest version there, as the original writes it into the model;
/// other specs stay as they are.
fn with_revision(finder: &Finder<'_>, spec: ModelSpec) -> anyhow::Result<ModelSpec> {
    let Some(VersionSpec::Label {
        label,
        revision: None,
    }) = spec.spec().version()
    else {
        return Ok(spec);
    };
    let found = finder.find_one(spec.spec())?;
    let equals = if spec.held() { "==" } else { "=" };
    let mut text = format!(
        "{}{equals}{label}/{}",
        spec.spec().name(),
        found.version.trailing_revision()
    );
    if let Some(flavor) = spec.spec().flavor() {
        text.push_str(&format!("[{flavor}]"));
    }
    Ok(text.parse()?)
}

/// `updateall`: each `NAME=VERSION` spec (not `==`) that names a revision
/// moves to the newest revision on its label (the model's search path for
/// a bare revision); a full version moves along its branch.
fn move_versions(
    model: &mut SystemModel,
    evaluation: &Evaluation,
    config: &Config,
    source: &dyn TroveSource,
) -> anyhow::Result<()> {
    let finder = finder(evaluation, config, source);
    model.move_versions(|spec| {
        let version = spec.spec().version();
        let (floating, keep_label): (Option<VersionSpec>, Option<String>) = match version {
            Some(VersionSpec::Revision(_)) => (None, None),
            Some(VersionSpec::Label {
                label,
                revision: Some(_),
            }) => (
                Some(VersionSpec::Label {
                    label: label.clone(),
                    revision: None,
                }),
                Some(label.to_string()),
            ),
            Some(VersionSpec::Version(full)) => {
                (Some(VersionSpec::Branch(full.branch().clone())), None)
            }
            _ => return Ok(None),
        };
        let query = TroveSpec::new(
            spec.spec().name().clone(),
            floating.clone(),
            spec.spec().flavor().cloned(),
        )
        .map_err(|error| ModelError::Spec {
            spec: spec.to_string(),
            reason: error.to_string(),
        })?;
        let newest = finder.find_one(&query).map_err(|error| ModelError::Spec {
            spec: spec.to_string(),
            reason: format!("cannot find a newer version: {error}"),
        })?;
        Ok(Some(match (floating, keep_label) {
            (None, _) => newest.version.trailing_revision().to_string(),
            (Some(_), Some(label)) => {
                format!("{label}/{}", newest.version.trailing_revision())
            }
            (Some(_), None) => newest.version.to_string(),
        }))
    })?;
    Ok(())
}

/// Snapshot, commit and rollback copy of one sync.
struct SyncHooks {
    files: ModelFiles,
    next: String,
    previous: Option<String>,
}

impl ModelHooks for SyncHooks {
    fn before_apply(&self) -> anyhow::Result<()> {
        Ok(self.files.write_next(&self.next)?)
    }

    fn after_apply(&self, db: &Database, since: Option<i64>) -> anyhow::Result<()> {
        self.files.commit_next()?;
        if let Some(previous) = &self.previous {
            save_for_rollbacks(db, since, previous).map_err(system::error)?;
        }
        Ok(())
    }

    fn failed(&self) {
        if let Err(error) = self.files.discard_next() {
            progress::note(error);
        }
    }
}

/// Brings the machine to `model` (`previous` is the model file's text
/// before, kept with the rollback entries), or prints the model with
/// `--model`.
fn sync_to(
    model: &SystemModel,
    previous: Option<String>,
    args: &UpdateArgs,
    root: &Path,
    config: &Config,
    source: &dyn TroveSource,
    out: &mut dyn Write,
) -> anyhow::Result<String> {
    let text = model.format();
    if args.model {
        return Ok(text);
    }
    let evaluation = evaluate(model, config, source)?;
    let mut config = config.clone();
    config.install_label_path = evaluation.label_path.clone();
    for label in group_search_path(&evaluation, &config, source)? {
        if !config.install_label_path.contains(&label) {
            config.install_label_path.push(label);
        }
    }
    let options = PlanOptions {
        keep_existing: false,
        update_only: false,
        update_by_default: true,
        recurse: !args.no_recurse,
        resolve: Some(!args.no_resolve),
        no_deps: args.no_deps,
        keep_required: Some(true),
    };
    let hooks = SyncHooks {
        files: ModelFiles::new(root),
        next: text,
        previous,
    };
    let choose = |planner: &Planner<'_>, db: &Database| -> anyhow::Result<Vec<ChangeSpec>> {
        sync_plan_specs(&evaluation, db, planner).map_err(system::plan_error)
    };
    execute(
        &Execution {
            args,
            options,
            root,
            config: &config,
            source,
            file_sets: &[],
        },
        &choose,
        Some(&hooks),
        out,
    )
}
