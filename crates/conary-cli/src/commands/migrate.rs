//! `conary migrate GROUP`: make the machine exactly the group. The local
//! changes it overwrites are shown first (as `conary verify --all --diff`
//! shows them); then the group is installed or updated with every
//! `--replace-*-files` on, every trove outside it is erased, and the files
//! the update did not touch are written back as installed.
//!
//! Both steps are journaled transactions (the update, then the write-back
//! of `conary_system::merge::restore`): a kill inside either is completed
//! or undone by the next command; a kill between them leaves the group
//! installed with some local changes still there, and running `conary
//! migrate GROUP` again writes them back.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use anyhow::Context as _;
use clap::Args;
use conary_api::TroveSource;
use conary_core::config::Config;
use conary_core::spec::parse_change_list;
use conary_core::trove::TroveTuple;
use conary_system::db::Database;
use conary_system::plan::Planner;

use super::update::{DryRunArgs, ReplaceArgs, UpdateArgs, Verb};
use super::verify::{self, VerifyArgs};
use crate::system;

/// Arguments of `conary migrate`.
#[derive(Debug, Clone, Default, Args)]
pub struct MigrateArgs {
    /// The group, NAME[=VERSION][[FLAVOR]]
    #[arg(value_name = "GROUP")]
    pub group: String,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub dry_run: DryRunArgs,
}

/// Every trove `group` includes (installed), the group itself first.
fn closure(db: &Database, group: &TroveTuple) -> anyhow::Result<Vec<TroveTuple>> {
    let mut all = vec![group.clone()];
    let mut index = 0;
    while let Some(tuple) = all.get(index).cloned() {
        for member in system::with_members(db, &tuple)? {
            if !all.contains(&member) {
                all.push(member);
            }
        }
        index += 1;
    }
    Ok(all)
}

/// The names of the troves updating to `group` installs or updates.
fn planned_names(
    group: &str,
    db: &Database,
    config: &Config,
    source: &dyn TroveSource,
) -> anyhow::Result<BTreeSet<String>> {
    let specs = parse_change_list(&[group]).context("invalid change spec")?;
    let options = UpdateArgs::default().plan_options(Verb::Update);
    let plan = Planner::new(source, db, config, options)
        .plan(&specs)
        .map_err(system::plan_error)?;
    Ok(plan
        .jobs
        .iter()
        .filter_map(conary_api::Job::new_tuple)
        .map(|tuple| tuple.name.to_string())
        .collect())
}

/// The installed troves inside the installed `group` (with its members),
/// and those outside it whose names `also_kept` does not hold.
fn outside(
    db: &Database,
    group_name: &str,
    also_kept: &BTreeSet<String>,
) -> anyhow::Result<(Vec<TroveTuple>, Vec<TroveTuple>)> {
    let groups = match db.installed_named(&group_name.parse().context("invalid group name")?) {
        Ok(groups) => groups,
        Err(error) => return Err(system::error(error)),
    };
    let mut keep = Vec::new();
    for group in &groups {
        for tuple in closure(db, group)? {
            if !keep.contains(&tuple) {
                keep.push(tuple);
            }
        }
    }
    let erase = db
        .installed()
        .map_err(system::error)?
        .into_iter()
        .filter(|tuple| !keep.contains(tuple) && !also_kept.contains(&tuple.name.to_string()))
        .collect();
    Ok((keep, erase))
}

/// The top-level installed troves (no installed collection includes them)
/// among `tuples`, as erase specs `-NAME=VERSION[FLAVOR]`.
fn erase_specs(db: &Database, tuples: &[TroveTuple]) -> anyhow::Result<Vec<String>> {
    let mut specs = Vec::new();
    for tuple in tuples {
        let parents = db.parents(tuple).map_err(system::error)?;
        if parents.is_empty() {
            specs.push(format!(
                "-{}={}[{}]",
                tuple.name, tuple.version, tuple.flavor
            ));
        }
    }
    Ok(specs)
}

/// Shows the local changes, then (unless `--test`/`--info`) migrates: one
/// transaction installs or updates the group and erases every top-level
/// trove outside it; then the files the transaction did not write are put
/// back as installed.
pub fn run(
    args: &MigrateArgs,
    root: &Path,
    config: &Config,
    source: &dyn TroveSource,
    out: &mut dyn Write,
) -> anyhow::Result<String> {
    let group_name = args
        .group
        .split(['=', '['])
        .next()
        .unwrap_or(&args.group)
        .to_owned();
    let mut specs = vec![args.group.clone()];
    if system::has_database(root) {
        let db = system::open_readonly(root)?;
        let verify_args = VerifyArgs {
            names: Vec::new(),
            all: true,
            diff: true,
        };
        let changes = verify::run(&verify_args, &db, Some(source))?;
        if !changes.is_empty() {
            write!(out, "Local changes migrate overwrites:\n{changes}")
                .and_then(|()| out.flush())
                .context("cannot write the local changes")?;
        }
        let planned = planned_names(&args.group, &db, config, source)?;
        let (_, erase) = outside(&db, &group_name, &planned)?;
        specs.extend(erase_specs(&db, &erase)?);
    }
    let update_args = UpdateArgs {
        specs,
        replace: ReplaceArgs {
            replace_files: true,
            ..ReplaceArgs::default()
        },
        dry_run: args.dry_run,
        ..UpdateArgs::default()
    };
    let mut summary = super::update::run(Verb::Update, &update_args, root, config, source, out)?;
    if args.dry_run.test || args.dry_run.info {
        return Ok(summary);
    }
    let db = system::open(root)?;
    let (keep, _) = outside(&db, &group_name, &BTreeSet::new())?;
    if keep.is_empty() {
        anyhow::bail!("{} is not installed after the update", args.group);
    }
    let restored = conary_system::merge::local::restore(&db, &keep, true, Some(source))
        .map_err(system::error)?;
    for path in &restored.paths {
        let _ = writeln!(summary, "Overwrote the local changes of {path}");
    }
    Ok(summary)
}
