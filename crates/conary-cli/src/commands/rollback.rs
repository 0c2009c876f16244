//! `conary rblist`, `rollback`, `rmrollback` and `revert`: the rollback
//! stack, and the journal of an interrupted transaction.

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use anyhow::Context as _;
use clap::Args;
use conary_api::TroveSource;
use conary_core::config::Config;
use conary_system::db::Database;
use conary_system::rollback::{self, RollbackInfo, RollbackTarget};

use super::update::{DryRunArgs, ReplaceArgs};
use crate::progress::ApplyReporter;
use crate::system;

/// Arguments of `conary rollback`.
#[derive(Debug, Clone, Args)]
pub struct RollbackArgs {
    /// N (undo the N newest transactions) or r.N (undo every transaction
    /// from rollback r.N on, as `conary rblist` numbers them)
    #[arg(value_name = "N|r.N")]
    pub target: String,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub replace: ReplaceArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub dry_run: DryRunArgs,
}

/// Arguments of `conary rmrollback`.
#[derive(Debug, Clone, Args)]
pub struct RmRollbackArgs {
    /// N (remove the N oldest rollbacks) or r.N (remove every rollback up
    /// to r.N)
    #[arg(value_name = "N|r.N")]
    pub target: String,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub dry_run: DryRunArgs,
}

/// Arguments of `conary revert`.
#[derive(Debug, Clone, Default, Args)]
pub struct RevertArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub dry_run: DryRunArgs,
}

fn target(text: &str) -> anyhow::Result<RollbackTarget> {
    text.parse().map_err(system::error)
}

/// The rollback stack, newest first: `r.N:` then one change a line.
pub fn list(db: &Database) -> anyhow::Result<String> {
    let mut out = String::new();
    for info in rollback::list(db).map_err(system::error)? {
        let _ = writeln!(out, "{info}");
    }
    Ok(out)
}

/// The entries `target` names, newest first (as the library applies
/// them), or a clear refusal.
fn chosen(db: &Database, target: RollbackTarget) -> anyhow::Result<Vec<RollbackInfo>> {
    let stack = rollback::list(db).map_err(system::error)?;
    let chosen: Vec<RollbackInfo> = match target {
        RollbackTarget::Count(count) => stack.iter().take(count).cloned().collect(),
        RollbackTarget::From(number) => stack
            .iter()
            .filter(|info| info.number >= number)
            .cloned()
            .collect(),
    };
    let enough = match target {
        RollbackTarget::Count(count) => chosen.len() == count,
        RollbackTarget::From(number) => chosen.iter().any(|info| info.number == number),
    };
    if !enough {
        anyhow::bail!(
            "no rollback {target}: the stack holds {} (see conary rblist)",
            stack.len()
        );
    }
    Ok(chosen)
}

/// Prints the rollbacks `args` names on `out`, then (unless `--info` or
/// `--test`) applies them to `root`, newest first; returns the summary.
pub fn run(
    args: &RollbackArgs,
    root: &Path,
    config: &Config,
    source: Option<&dyn TroveSource>,
    out: &mut dyn Write,
) -> anyhow::Result<String> {
    let target = target(&args.target)?;
    let dry_run = args.dry_run.test || args.dry_run.info;
    let mut db = if dry_run {
        system::open_readonly(root)?
    } else {
        system::open(root)?
    };
    let chosen = chosen(&db, target)?;
    let mut shown = String::new();
    for info in &chosen {
        let _ = writeln!(shown, "Roll back {info}");
    }
    out.write_all(shown.as_bytes())
        .and_then(|()| out.flush())
        .context("cannot write the rollbacks")?;
    if args.dry_run.info {
        return Ok(String::new());
    }
    let options = args.replace.apply_options(config, args.dry_run.test);
    let reporter = ApplyReporter::stderr().testing(args.dry_run.test);
    let result = rollback::rollback(&mut db, target, source, &options, &reporter);
    reporter.finish();
    let reports = result.map_err(system::error)?;
    let mut summary = String::new();
    if args.dry_run.test {
        for (info, report) in chosen.iter().zip(&reports) {
            let _ = writeln!(
                summary,
                "Test only, nothing changed: r.{} would write {} files, remove {}",
                info.number, report.files_written, report.files_removed
            );
        }
        return Ok(summary);
    }
    for (info, report) in chosen.iter().zip(&reports) {
        let _ = writeln!(
            summary,
            "Rolled back r.{}: {} files written, {} removed",
            info.number, report.files_written, report.files_removed
        );
    }
    Ok(summary)
}

/// Removes old rollbacks; says which. With `--test` or `--info`, says
/// which it would remove.
pub fn remove(args: &RmRollbackArgs, root: &Path) -> anyhow::Result<String> {
    let target = target(&args.target)?;
    let mut stack = rollback::list(&system::open_readonly(root)?).map_err(system::error)?;
    stack.reverse();
    let doomed: Vec<i64> = match target {
        RollbackTarget::Count(count) => stack.iter().take(count).map(|info| info.number).collect(),
        RollbackTarget::From(number) => stack
            .iter()
            .map(|info| info.number)
            .filter(|n| *n <= number)
            .collect(),
    };
    let names: Vec<String> = doomed.iter().map(|number| format!("r.{number}")).collect();
    if args.dry_run.test || args.dry_run.info {
        return Ok(format!(
            "would remove {} rollbacks: {}\n",
            names.len(),
            names.join(" ")
        ));
    }
    if doomed.is_empty() {
        return Ok("removed 0 rollbacks\n".to_owned());
    }
    let mut db = system::open(root)?;
    let removed = rollback::remove(&mut db, target).map_err(system::error)?;
    Ok(format!(
        "removed {removed} rollbacks: {}\n",
        names.join(" ")
    ))
}

/// Completes or undoes a transaction a crash interrupted (opening the
/// database does it); says which. With `--test` or `--info`, says whether
/// there is one.
pub fn revert(args: &RevertArgs, root: &Path) -> anyhow::Result<String> {
    let dir = root.join(conary_system::db::DB_DIR);
    let journal = dir.join(conary_system::journal::JOURNAL_FILE);
    // Post-phase hooks recorded by a transaction; left behind when a
    // crash followed its commit.
    let pending = dir.join(conary_system::scripts::PENDING_HOOKS_FILE);
    if !system::has_database(root) || !(journal.exists() || pending.exists()) {
        return Ok("no interrupted transaction to revert\n".to_owned());
    }
    if args.dry_run.test || args.dry_run.info {
        return Ok(
            "a transaction was interrupted: conary revert completes or undoes it\n".to_owned(),
        );
    }
    let db = system::open(root)?;
    let mut text = match db.recovery() {
        Some(recovery) => format!("{recovery}\n"),
        None => "no interrupted transaction to revert\n".to_owned(),
    };
    for note in db.hook_notes() {
        text.push_str(&format!("warning: {note}\n"));
    }
    Ok(text)
}
