//! `conary update`, `install`, `erase` and `updateall`: plan the job
//! against the installed system and the repositories, print it, then fetch
//! its changesets and apply them (`--info` stops after printing; `--test`
//! also fetches and checks every file operation, changing nothing).

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;
use conary_api::{Job, TroveSource};
use conary_core::config::Config;
use conary_core::spec::{ChangeSpec, parse_change_list};
use conary_core::trove::TroveTuple;
use conary_system::apply::{self, ApplyOptions, ApplyReport};
use conary_system::db::Database;
use conary_system::plan::{LayeredSource, MemorySource, Plan, PlanOptions, Planner};

use crate::from_file::FileChangeset;
use crate::progress::{self, ApplyReporter};
use crate::system;

/// Which command runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// `conary update`: install, or replace what is installed.
    Update,
    /// `conary install`: install beside what is installed
    /// (`--keep-existing`).
    Install,
    /// `conary erase`: an unmarked spec erases.
    Erase,
    /// `conary updateall`: update every top-level installed trove.
    UpdateAll,
    /// `conary patch`: update only what is installed (with a system
    /// model, a `patch` line).
    Patch,
}

/// The `--replace-*` options of the commands that change the system.
#[derive(Debug, Clone, Default, Args)]
pub struct ReplaceArgs {
    /// All four --replace-*-files options below
    #[arg(long)]
    pub replace_files: bool,
    /// Take over files owned by other troves
    #[arg(long)]
    pub replace_managed_files: bool,
    /// Replace files on disk that no trove owns
    #[arg(long)]
    pub replace_unmanaged_files: bool,
    /// Replace files changed on disk since they were installed
    #[arg(long)]
    pub replace_modified_files: bool,
    /// Take new config files whole instead of merging local changes
    #[arg(long)]
    pub replace_config_files: bool,
    /// Append the tag handler calls and trove scripts to FILE as shell
    /// lines instead of running them
    #[arg(long, value_name = "FILE")]
    pub tag_script: Option<std::path::PathBuf>,
    /// Do not run trove scripts (tag handlers still run)
    #[arg(long)]
    pub no_scripts: bool,
}

impl ReplaceArgs {
    /// The executor's options: these, `localRollbacks`, and `test`.
    pub fn apply_options(&self, config: &Config, test: bool) -> ApplyOptions {
        let options = ApplyOptions {
            replace_managed_files: self.replace_managed_files,
            replace_unmanaged_files: self.replace_unmanaged_files,
            replace_modified_files: self.replace_modified_files,
            replace_config_files: self.replace_config_files,
            local_rollbacks: config.local_rollbacks,
            test,
            no_scripts: self.no_scripts,
            tag_script: self.tag_script.clone(),
            ..ApplyOptions::default()
        };
        if self.replace_files {
            options.replace_files()
        } else {
            options
        }
    }
}

/// `--test` and `--info`.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct DryRunArgs {
    /// Show the job, fetch its changesets and check that they apply (file
    /// conflicts and all), changing nothing
    #[arg(long)]
    pub test: bool,
    /// Show the job only, changing nothing
    #[arg(long, short = 'i')]
    pub info: bool,
}

/// Arguments of `conary update`, `install`, `erase` and `updateall`.
#[derive(Debug, Clone, Default, Args)]
pub struct UpdateArgs {
    /// [+|-]NAME[=VERSION][[FLAVOR]], NAME=[OLD]--[NEW], or a changeset
    /// file; erasures (-NAME) go after `--`, at the end
    #[arg(value_name = "SPEC")]
    pub specs: Vec<String>,
    /// Install new troves beside the installed ones instead of replacing them
    #[arg(long)]
    pub keep_existing: bool,
    /// Only update installed troves, never install new ones
    #[arg(long)]
    pub update_only: bool,
    /// Leave out the members of packages and groups
    #[arg(long)]
    pub no_recurse: bool,
    /// Add troves from the install label path that satisfy dependencies
    /// (config: autoResolve)
    #[arg(long, conflicts_with = "no_resolve")]
    pub resolve: bool,
    /// Do not resolve dependencies, whatever autoResolve says
    #[arg(long)]
    pub no_resolve: bool,
    /// Go on when dependencies are unsatisfied (they are listed)
    #[arg(long)]
    pub no_deps: bool,
    /// Do not erase troves other troves require (config: keepRequired)
    #[arg(long)]
    pub keep_required: bool,
    /// With a system model: print the model the command would make, and
    /// change nothing
    #[arg(long)]
    pub model: bool,
    /// Take troves from this changeset file (repeatable)
    #[arg(long, value_name = "CCS")]
    pub from_file: Vec<PathBuf>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub replace: ReplaceArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub dry_run: DryRunArgs,
}

impl UpdateArgs {
    /// The planner's options for `verb`.
    pub fn plan_options(&self, verb: Verb) -> PlanOptions {
        PlanOptions {
            keep_existing: self.keep_existing || verb == Verb::Install,
            update_only: self.update_only || verb == Verb::Patch,
            update_by_default: verb != Verb::Erase,
            recurse: !self.no_recurse,
            resolve: match (self.resolve, self.no_resolve) {
                (true, _) => Some(true),
                (_, true) => Some(false),
                _ => None,
            },
            no_deps: self.no_deps,
            keep_required: self.keep_required.then_some(true),
        }
    }
}

/// Plans, prints the plan on `out`, and (unless `--info`) applies it to
/// `root`; returns the closing summary. With a system model on the root
/// (and none of `--from-file`), the command edits the model and syncs to
/// it instead (see [`super::sync`]).
pub fn run(
    verb: Verb,
    args: &UpdateArgs,
    root: &Path,
    config: &Config,
    source: &dyn TroveSource,
    out: &mut dyn Write,
) -> anyhow::Result<String> {
    if super::sync::has_model(root) {
        return super::sync::run_verb(verb, args, root, config, source, out);
    }
    if args.model {
        anyhow::bail!(
            "--model needs a system model: {} does not exist",
            root.join(conary_system::model::MODEL_PATH).display()
        );
    }
    let (specs, file_sets) = read_specs(verb, args)?;
    let choose = |planner: &Planner<'_>, _: &Database| -> anyhow::Result<Vec<ChangeSpec>> {
        match verb {
            Verb::UpdateAll => planner.update_all_specs().map_err(system::plan_error),
            _ => Ok(specs.clone()),
        }
    };
    execute(
        &Execution {
            args,
            options: args.plan_options(verb),
            root,
            config,
            source,
            file_sets: &file_sets,
        },
        &choose,
        None,
        out,
    )
}

/// What one planned run works with.
pub(crate) struct Execution<'a> {
    /// The command's arguments (`--test`, `--info`, `--replace-*`).
    pub args: &'a UpdateArgs,
    /// The planner's options.
    pub options: PlanOptions,
    /// The root.
    pub root: &'a Path,
    /// The configuration the planner uses.
    pub config: &'a Config,
    /// Where troves come from.
    pub source: &'a dyn TroveSource,
    /// Changeset files given on the command line.
    pub file_sets: &'a [FileChangeset],
}

/// What a sync to a system model does around the transactions: the
/// snapshot written before, renamed over the model after, and the model
/// kept in the rollback entries.
pub(crate) trait ModelHooks {
    /// Before anything changes (not for `--test` and `--info`).
    fn before_apply(&self) -> anyhow::Result<()>;
    /// After every transaction succeeded (or there was nothing to do);
    /// `since` is the newest rollback before them.
    fn after_apply(&self, db: &Database, since: Option<i64>) -> anyhow::Result<()>;
    /// After a failure.
    fn failed(&self);
}

/// Plans with the specs `choose` gives, prints the plan on `out`, and
/// (unless `--info`) applies it; returns the closing summary.
pub(crate) fn execute(
    run: &Execution<'_>,
    choose: &dyn Fn(&Planner<'_>, &Database) -> anyhow::Result<Vec<ChangeSpec>>,
    hooks: Option<&dyn ModelHooks>,
    out: &mut dyn Write,
) -> anyhow::Result<String> {
    let Execution {
        args,
        root,
        config,
        source,
        file_sets,
        ..
    } = *run;
    let memory = MemorySource::from_troves(file_sets.iter().flat_map(FileChangeset::troves));
    let layered = LayeredSource::new(vec![&memory, source]);
    let existed = system::has_database(root);
    let (mut db, _scratch) = open_for_planning(args, root, existed)?;
    if let Some(recovery) = db.recovery() {
        progress::note(recovery);
    }
    for note in db.hook_notes() {
        progress::note(note);
    }
    let from_files: Vec<TroveTuple> = file_sets.iter().flat_map(FileChangeset::primary).collect();
    let planner = Planner::new(&layered, &db, config, run.options.clone()).with_troves(from_files);
    let specs = choose(&planner, &db)?;
    let plan = planner.plan(&specs).map_err(system::plan_error)?;
    let dry_run = args.dry_run.test || args.dry_run.info;
    if plan.is_empty() {
        if let Some(hooks) = hooks.filter(|_| !dry_run) {
            let since = newest_rollback(&db, true)?;
            hooks.before_apply()?;
            hooks.after_apply(&db, since)?;
        }
        return Ok("Nothing to do\n".to_owned());
    }
    write!(out, "{}", crate::jobs::plan_text(&plan))
        .and_then(|()| out.flush())
        .context("cannot write the plan")?;
    if args.dry_run.info {
        return Ok(String::new());
    }
    let hooks = hooks.filter(|_| !dry_run);
    if let Some(hooks) = hooks {
        hooks.before_apply()?;
    }
    let options = args.replace.apply_options(config, args.dry_run.test);
    let reporter = ApplyReporter::stderr().testing(args.dry_run.test);
    let result = if args.dry_run.test || existed {
        let since = newest_rollback(&db, hooks.is_some())?;
        let result = apply_plan(&mut db, &plan, file_sets, source, &options, &reporter);
        finish(hooks, &db, since, result)
    } else {
        // The root had no database: make it now that there is work, and
        // take it away again if the work fails.
        drop(db);
        let (mut db, fresh) = system::FreshDatabase::open(root)?;
        let result = apply_plan(&mut db, &plan, file_sets, source, &options, &reporter);
        let result = finish(hooks, &db, None, result);
        if result.is_err() {
            fresh.discard(db);
        }
        result
    };
    reporter.finish();
    Ok(summary(&result?, args.dry_run.test))
}

/// The newest rollback entry, when a model sync needs to know it.
fn newest_rollback(db: &Database, wanted: bool) -> anyhow::Result<Option<i64>> {
    if !wanted {
        return Ok(None);
    }
    conary_system::model::newest_rollback(db).map_err(system::error)
}

/// Runs the model hooks after the transactions.
fn finish(
    hooks: Option<&dyn ModelHooks>,
    db: &Database,
    since: Option<i64>,
    result: anyhow::Result<Vec<Done>>,
) -> anyhow::Result<Vec<Done>> {
    let Some(hooks) = hooks else {
        return result;
    };
    match result {
        Ok(done) => {
            hooks.after_apply(db, since)?;
            Ok(done)
        }
        Err(error) => {
            hooks.failed();
            Err(error)
        }
    }
}

/// The change specs, and the changeset files among the specs (arguments
/// ending in `.ccs`, or paths naming an existing file) and `--from-file`,
/// their indexes read.
fn read_specs(
    verb: Verb,
    args: &UpdateArgs,
) -> anyhow::Result<(Vec<ChangeSpec>, Vec<FileChangeset>)> {
    let mut files: Vec<PathBuf> = args.from_file.clone();
    let mut texts = Vec::new();
    for spec in &args.specs {
        let path = Path::new(spec);
        if spec.ends_with(".ccs") || (spec.contains('/') && path.is_file()) {
            files.push(path.to_path_buf());
        } else {
            texts.push(spec.as_str());
        }
    }
    let specs = parse_change_list(&texts).context("invalid change spec")?;
    if verb != Verb::UpdateAll && specs.is_empty() && files.is_empty() {
        anyhow::bail!("name at least one trove (see --help)");
    }
    let file_sets = files
        .iter()
        .map(|path| FileChangeset::read(path))
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok((specs, file_sets))
}

/// The database to plan against: the root's, writable for a real run on
/// a root that has one; read-only for `--info` and `--test`; an empty one
/// in memory for a root without one (nothing is created before there is
/// work). `--test` on a root that does not exist checks against an empty
/// scratch directory (the same as far as conflicts go), returned to be
/// kept while the database is in use.
fn open_for_planning(
    args: &UpdateArgs,
    root: &Path,
    existed: bool,
) -> anyhow::Result<(Database, Option<tempfile::TempDir>)> {
    if args.dry_run.test && !root.exists() {
        let scratch = tempfile::tempdir().context("cannot create a temporary directory")?;
        let db = Database::in_memory(scratch.path()).map_err(system::error)?;
        return Ok((db, Some(scratch)));
    }
    let db = if args.dry_run.test || args.dry_run.info || !existed {
        system::open_readonly(root)?
    } else {
        system::open(root)?
    };
    Ok((db, None))
}

/// Where the changeset of a group of jobs comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Origin {
    /// Erasures only: made on the machine.
    Local,
    /// A changeset file given on the command line.
    File(usize),
    /// The repository of this host.
    Repository(String),
}

/// The plan's jobs in transactions: one per changeset file and per
/// repository (erasures join the repository of the trove they erase, or
/// a local transaction); usually one in all.
fn transactions(plan: &Plan, file_sets: &[FileChangeset]) -> Vec<(Origin, Vec<Job>)> {
    fn add(groups: &mut Vec<(Origin, Vec<Job>)>, origin: Origin, job: &Job) {
        match groups.iter_mut().find(|(o, _)| *o == origin) {
            Some((_, jobs)) => jobs.push(job.clone()),
            None => groups.push((origin, vec![job.clone()])),
        }
    }
    let mut groups: Vec<(Origin, Vec<Job>)> = Vec::new();
    let mut erasures = Vec::new();
    for job in &plan.jobs {
        let Some(new) = job.new_tuple() else {
            erasures.push(job);
            continue;
        };
        match file_sets.iter().position(|file| file.holds(&new)) {
            Some(index) => add(&mut groups, Origin::File(index), job),
            None => add(
                &mut groups,
                Origin::Repository(new.version.host().to_owned()),
                job,
            ),
        }
    }
    for job in erasures {
        let host = job
            .old_tuple()
            .map(|old| old.version.host().to_owned())
            .unwrap_or_default();
        let repository = Origin::Repository(host);
        if groups.iter().any(|(origin, _)| *origin == repository) {
            add(&mut groups, repository, job);
        } else {
            add(&mut groups, Origin::Local, job);
        }
    }
    // Erasures first, then the repositories (what the files may need),
    // then the files.
    groups.sort_by_key(|(origin, _)| match origin {
        Origin::Local => 0,
        Origin::Repository(_) => 1,
        Origin::File(index) => index.saturating_add(2),
    });
    groups
}

/// What one transaction did, and the bytes fetched for it.
struct Done {
    report: ApplyReport,
    fetched: Option<u64>,
}

/// Applies each transaction of the plan in turn.
fn apply_plan(
    db: &mut Database,
    plan: &Plan,
    file_sets: &[FileChangeset],
    source: &dyn TroveSource,
    options: &ApplyOptions,
    reporter: &ApplyReporter,
) -> anyhow::Result<Vec<Done>> {
    let mut done = Vec::new();
    for (origin, jobs) in transactions(plan, file_sets) {
        let mut fetched = None;
        let report = match origin {
            Origin::Local => {
                let old: Vec<TroveTuple> = jobs.iter().filter_map(Job::old_tuple).collect();
                apply::erase(db, &old, false, options, reporter)
            }
            Origin::File(index) => {
                let file = file_sets
                    .get(index)
                    .context("a changeset file vanished from the list")?;
                let reader = file.reader()?;
                apply::apply_changeset(db, &jobs, reader, Some(source), options, reporter)
            }
            Origin::Repository(host) => {
                reporter.fetching(&host);
                let total = std::cell::Cell::new(0u64);
                let reader = system::fetch_changeset(source, &jobs, &|bytes| {
                    total.set(total.get().saturating_add(bytes));
                    reporter.downloaded(bytes);
                })?;
                reporter.fetched(total.get());
                fetched = Some(total.get());
                apply::apply_changeset(db, &jobs, reader, Some(source), options, reporter)
            }
        };
        let report = report.map_err(system::error)?;
        done.push(Done { report, fetched });
    }
    Ok(done)
}

/// The closing lines: what each transaction did, or would do.
fn summary(done: &[Done], test: bool) -> String {
    let mut out = String::new();
    for Done { report, fetched } in done {
        let mut line = format!(
            "{} installed, {} updated, {} erased; {} files written, {} removed",
            report.installed.len(),
            report.updated.len(),
            report.erased.len(),
            report.files_written,
            report.files_removed
        );
        if let Some(bytes) = fetched {
            let _ = write!(line, "; fetched {}", progress::human_bytes(*bytes));
        }
        if test {
            let _ = writeln!(out, "Test only, nothing changed: would have {line}");
        } else {
            let _ = writeln!(out, "Applied: {line}");
        }
    }
    out
}
