//! Applying a changeset to a root: the executor of a job.
//!
//! The planner decides *what* to do (a `Vec<Job>`); the CLI fetches one
//! changeset for those jobs from a trove source; [`apply_changeset`] makes
//! the root and the database agree with it, crash-safely:
//!
//! 1. **Troves** ([`troves`]): which installed trove each new trove
//!    replaces (the old side of a relative change, or of a job for an
//!    absolute one), which are erased; all checked against the database.
//! 2. **Files** ([`plan`]): for every path, write, keep, share, move away or
//!    remove; conflicts (a path owned by another trove, an unowned file, a
//!    locally changed file the update also changes) are refused here,
//!    before anything is touched, unless the `replace_*` options say so.
//!    Identical shared files (and directories) are allowed.
//! 3. **Contents** ([`content`]): what the changeset does not carry is
//!    found on the machine or fetched from the trove source (verified, into
//!    a download cache that survives an interruption; a rollback asks for
//!    them as one relative changeset, [`fetch`]); bases of deltas are
//!    checked.
//! 4. **Journal** ([`crate::journal`]), then the rollback entry
//!    ([`crate::rollback`]), then **staging** ([`stage`]): every file under
//!    a temporary name beside its target, attributes set, then one sync per
//!    file system; backups; renames into place; sync; **database commit**;
//!    cleanup.
//!
//! Owners are set by name through the root's `/etc/passwd` and
//! `/etc/group` (a number is used as is; an unknown name becomes root, as
//! in the original), and only when running as root; device nodes are
//! skipped when not root. Both leave a [`Note`].

pub(crate) mod attrs;
pub(crate) mod content;
pub(crate) mod disk;
pub(crate) mod fetch;
pub(crate) mod paths;
pub(crate) mod plan;
pub(crate) mod stage;
pub(crate) mod troves;
pub(crate) mod writers;

use std::fmt;
use std::fs;
use std::io::Read;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use conary_api::{Job, TroveSource};
use conary_changeset::ChangeSetReader;
use conary_core::trove::TroveTuple;
use conary_util::{SafeRoot, syncfs};

use crate::crash;
use crate::db::{Commit, Database, NewInstance, TransactionKind};
use crate::error::SystemError;
use crate::journal::{self, Backup, DirAttrs, Journal, Marker, Stage};
use crate::rollback;

/// Knobs of a transaction (the `--replace-*` family and friends).
///
/// ```rust
/// let options = conary_system::apply::ApplyOptions::default().replace_files();
/// assert!(options.replace_managed_files && options.replace_unmanaged_files);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyOptions {
    /// Take over paths owned by other troves (`--replace-managed-files`).
    pub replace_managed_files: bool,
    /// Replace files no trove owns (`--replace-unmanaged-files`).
    pub replace_unmanaged_files: bool,
    /// Take the new contents of files changed on disk
    /// (`--replace-modified-files`).
    pub replace_modified_files: bool,
    /// Take the new contents of config files changed on disk instead of
    /// merging (`--replace-config-files`).
    pub replace_config_files: bool,
    /// Store whole contents in rollbacks instead of references to the
    /// repository (the original's `localRollbacks`).
    pub local_rollbacks: bool,
    /// Whether to set owners and create device nodes; `None` asks the
    /// system (root or not).
    pub privileged: Option<bool>,
    /// `--test`: resolve the troves and plan every file operation, refusing
    /// conflicts as a real run would, then stop before anything on the
    /// machine changes (no download cache, no journal, no rollback). A
    /// read-only database will do.
    pub test: bool,
    /// `--no-scripts`: run no trove scripts (tag handlers still run).
    pub no_scripts: bool,
    /// `--tag-script FILE`: append the tag handler calls and trove scripts
    /// to FILE as shell lines instead of running them.
    pub tag_script: Option<PathBuf>,
}

impl ApplyOptions {
    /// All four `replace` options on (`--replace-files`).
    pub fn replace_files(mut self) -> ApplyOptions {
        self.replace_managed_files = true;
        self.replace_unmanaged_files = true;
        self.replace_modified_files = true;
        self.replace_config_files = true;
        self
    }
}

/// Something the user should know about a transaction that did not stop
/// it (an owner that does not exist, a device not created, a local file
/// kept).
///
/// ```rust
/// let note = conary_system::apply::Note::new(Some("/dev/null"), "device node not created: not running as root".into());
/// assert_eq!(note.to_string(), "/dev/null: device node not created: not running as root");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The path concerned, if one.
    pub path: Option<String>,
    /// What happened.
    pub message: String,
}

impl Note {
    /// A note about `path` (or the whole transaction).
    pub fn new(path: Option<&str>, message: String) -> Note {
        Note {
            path: path.map(str::to_owned),
            message,
        }
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(path) => write!(f, "{path}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// A step of a transaction, reported as it is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Files planned: how many are written and removed.
    Planned {
        /// Files to write.
        write: usize,
        /// Files to remove.
        remove: usize,
    },
    /// Every file is staged under its temporary name.
    Staged,
    /// The database committed the transaction.
    Committed,
}

/// Receives the progress of a transaction; the CLI implements it (the
/// library never prints). Every method does nothing by default.
pub trait Progress {
    /// A step was reached.
    fn step(&self, step: Step) {
        let _ = step;
    }
    /// Something to tell the user.
    fn note(&self, note: &Note) {
        let _ = note;
    }
    /// A file was written under its temporary name (one call per file of
    /// [`Step::Planned`]'s `write`), with the bytes written for it.
    fn file_staged(&self, path: &str, bytes: u64) {
        let _ = (path, bytes);
    }
}

/// A [`Progress`] that ignores everything.
///
/// ```rust
/// use conary_system::apply::{NoProgress, Progress, Step};
/// NoProgress.step(Step::Staged);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// What a committed transaction did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyReport {
    /// The transaction's id.
    pub transaction: i64,
    /// Troves installed fresh.
    pub installed: Vec<TroveTuple>,
    /// Troves updated: (old, new).
    pub updated: Vec<(TroveTuple, TroveTuple)>,
    /// Troves erased.
    pub erased: Vec<TroveTuple>,
    /// Files written.
    pub files_written: usize,
    /// Files removed.
    pub files_removed: usize,
    /// What the user should know.
    pub notes: Vec<Note>,
    /// True when a rollback entry was recorded.
    pub rollback_recorded: bool,
}

/// The rollback being applied, for [`run`].
#[derive(Debug)]
pub(crate) struct RollbackApply {
    /// Its id in the stack.
    pub id: i64,
    /// Its directory name under `rollbacks/`.
    pub dir_name: String,
    /// Files it restores with local contents.
    pub overrides: Vec<plan::Override>,
}

/// Applies the changeset read by `reader` to the root of `db` (opened with
/// [`Database::open`]), as one crash-safe transaction that records its
/// inverse on the rollback stack.
///
/// `jobs` are the jobs the changeset was made for: they tell which trove an
/// *absolute* new trove replaces (relative changes say it themselves); pass
/// `&[]` when there are none. `source` is asked for contents the changeset
/// refers to but does not carry and the machine does not have.
pub fn apply_changeset<R: Read>(
    db: &mut Database,
    jobs: &[Job],
    reader: ChangeSetReader<R>,
    source: Option<&dyn TroveSource>,
    options: &ApplyOptions,
    progress: &dyn Progress,
) -> Result<ApplyReport, SystemError> {
    run(db, jobs, reader, source, options, progress, None)
}

/// Erases installed troves (with the members of collections they include
/// when `recurse`), without a trove source: the changeset is made here.
pub fn erase(
    db: &mut Database,
    troves: &[TroveTuple],
    recurse: bool,
    options: &ApplyOptions,
    progress: &dyn Progress,
) -> Result<ApplyReport, SystemError> {
    let mut changeset = conary_changeset::ChangeSet::default();
    let mut queue: Vec<TroveTuple> = troves.to_vec();
    while let Some(tuple) = queue.pop() {
        let Some(trove) = db.trove(&tuple)? else {
            if changeset.primary.is_empty() || troves.contains(&tuple) {
                return Err(SystemError::job(format!("trove {tuple} is not installed")));
            }
            continue;
        };
        if troves.contains(&tuple) {
            changeset.primary.insert(tuple.clone());
        }
        if recurse {
            for (member, _, _) in trove.iter_refs() {
                if db.is_installed(member)? && !changeset.erased.contains(member) {
                    queue.push(member.clone());
                }
            }
        }
        changeset.erased.insert(tuple);
    }
    let bytes =
        conary_changeset::write_changeset(Vec::new(), &changeset, &conary_changeset::NoContents)?;
    let reader = ChangeSetReader::new(&bytes[..])?;
    run(db, &[], reader, None, options, progress, None)
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}

/// The engine of [`apply_changeset`] and of rollbacks.
pub(crate) fn run<R: Read>(
    db: &mut Database,
    jobs: &[Job],
    mut reader: ChangeSetReader<R>,
    source: Option<&dyn TroveSource>,
    options: &ApplyOptions,
    progress: &dyn Progress,
    rollback: Option<RollbackApply>,
) -> Result<ApplyReport, SystemError> {
    if !options.test {
        db.require_writable()?;
    }
    let index = reader.changeset().clone();
    let ops = troves::resolve(db, &index, jobs, rollback.is_some())?;
    let new_streams = troves::new_streams(db, &index, &ops)?;
    let old_files = troves::old_files(db, &ops)?;
    let old_streams = troves::old_streams(&old_files);
    let privileged = options.privileged.unwrap_or_else(attrs::is_privileged);
    let ids = attrs::Ids::load(db.root())?;
    let overrides = rollback.as_ref().map_or(&[][..], |r| &r.overrides[..]);
    let file_plan = plan::Planner::new(db, options, &ids, privileged).plan(
        &ops,
        &old_files,
        &new_streams,
        overrides,
    )?;
    progress.step(Step::Planned {
        write: file_plan.stages.len(),
        remove: file_plan.removed,
    });
    if options.test {
        return Ok(report(0, &ops, &file_plan, false));
    }
    let contents = content::resolve(db, &index, &file_plan, source, rollback.is_some())?;
    let inverse = match rollback {
        Some(_) => None,
        None => Some(rollback::inverse(
            db,
            &index,
            &ops,
            &old_files,
            &new_streams,
            &old_streams,
            options.local_rollbacks,
        )?),
    };

    // Trove scripts and tag handlers: see crate::scripts::hooks.
    let mut hooks = crate::scripts::hooks::Hooks::new(
        db,
        &ops,
        &new_streams,
        &old_streams,
        options,
        rollback.is_some(),
    )?;
    let mut hook_notes = hooks.before(db, progress)?;

    let transaction = db.next_transaction_id()?;
    let root = db.root().to_path_buf();
    let safe_root = SafeRoot::new(&root)?;
    let joiner = paths::Joiner::new(safe_root);
    let mut journal_plan = journal::Plan::new(transaction);
    journal_plan.rollback_dir = inverse.as_ref().map(|_| transaction.to_string());
    journal_plan.drop_rollback_dir = rollback.as_ref().map(|r| r.dir_name.clone());
    journal_plan.mkdirs = file_plan
        .mkdirs
        .iter()
        .map(|(rel, _)| rel.clone())
        .collect();
    // Every path joined once: (target, temporary name) of each stage,
    // (file, backup name) of each backup.
    let mut temps = Vec::new();
    let mut targets = Vec::new();
    for (index, stage) in file_plan.stages.iter().enumerate() {
        let temp = format!(".conary-{transaction}-{index}");
        let full = joiner.join(&stage.rel)?;
        temps.push(full.with_file_name(&temp));
        targets.push(full);
        journal_plan.stages.push(Stage {
            path: stage.rel.clone(),
            temp,
        });
    }
    let mut moved = Vec::new();
    for (index, rel) in file_plan.backups.iter().enumerate() {
        let backup = format!(".conary-{transaction}-b{index}");
        let full = joiner.join(rel)?;
        moved.push((full.with_file_name(&backup), full));
        journal_plan.backups.push(Backup {
            path: rel.clone(),
            backup,
        });
    }
    journal_plan.rmdirs = file_plan.rmdirs.clone();
    journal_plan.dir_attrs = file_plan
        .dir_attrs
        .iter()
        .map(|(rel, attrs)| DirAttrs {
            path: rel.clone(),
            attrs: attrs.clone(),
        })
        .collect();

    let mut journal = Journal::create(db.dir(), journal_plan)?;
    let mut committed = false;
    let outcome = (|| -> Result<(), SystemError> {
        if let Some((inverse, local)) = &inverse {
            let dir = db.dir().join("rollbacks").join(transaction.to_string());
            rollback::write_entry(&dir, inverse, local, &file_plan.saves)?;
            crash::point("rollback-entry");
        }
        let staged =
            stage::Stager::new(&joiner, &file_plan, &temps, &contents, privileged, progress)
                .stage_all(&mut reader)?;
        reader.finish()?;
        syncfs(&root)?;
        for dir in staged.sync_dirs.values() {
            syncfs(dir)?;
        }
        journal.mark(Marker::Staged)?;
        progress.step(Step::Staged);
        crash::point("staged");
        for (backup, full) in &moved {
            fs::rename(full, backup).map_err(SystemError::io_with("move aside", full))?;
            crash::point("backup");
        }
        for (temp, full) in temps.iter().zip(&targets) {
            fs::rename(temp, full).map_err(SystemError::io_with("rename into place", full))?;
            crash::point("rename");
        }
        syncfs(&root)?;
        for dir in staged.sync_dirs.values() {
            syncfs(dir)?;
        }
        crash::point("renamed");
        let commit = build_commit(
            &ops,
            &new_streams,
            &file_plan,
            staged,
            transaction,
            &rollback,
        );
        db.commit(&commit)?;
        committed = true;
        progress.step(Step::Committed);
        crash::point("committed");
        journal::finish(&root, db.dir(), &journal, privileged)?;
        Ok(())
    })();
    if let Err(error) = outcome {
        if !committed {
            // Put the root back now; if even that fails, the journal stays
            // and the next open finishes the job.
            if journal::undo(&root, db.dir(), &journal).is_ok() {
                let _ = journal.remove();
            }
        }
        return Err(error);
    }
    journal.remove()?;
    content::clear_cache(db);
    crash::point("done");
    hook_notes.extend(hooks.after(db, progress));
    for note in file_plan.notes.iter().chain(&hook_notes) {
        progress.note(note);
    }
    let mut report = report(transaction, &ops, &file_plan, inverse.is_some());
    report.notes.extend(hook_notes);
    Ok(report)
}

fn build_commit(
    ops: &troves::TroveOps,
    new_streams: &std::collections::BTreeMap<
        conary_core::digest::FileId,
        conary_core::files::FileStream,
    >,
    file_plan: &plan::FilePlan,
    staged: stage::Staged,
    transaction: i64,
    rollback: &Option<RollbackApply>,
) -> Commit {
    let installed = ops
        .changes
        .iter()
        .map(|change| NewInstance {
            trove: change.new.clone(),
            streams: change
                .new
                .files
                .values()
                .filter_map(|file| {
                    new_streams
                        .get(&file.file_id)
                        .map(|stream| (file.file_id, stream.clone()))
                })
                .collect(),
            absent: file_plan.absent.clone(),
        })
        .collect();
    Commit {
        transaction,
        kind: if rollback.is_some() {
            TransactionKind::Rollback
        } else {
            TransactionKind::Update
        },
        time: now(),
        description: ops.description(),
        removed: ops.removed().into_iter().collect(),
        installed,
        taken_over: file_plan.taken_over.clone(),
        given_back: rollback
            .as_ref()
            .map(|r| r.overrides.iter().map(|item| item.path.clone()).collect())
            .unwrap_or_default(),
        config: staged.config,
        add_rollback: rollback.is_none(),
        drop_rollback: rollback.as_ref().map(|r| r.id),
    }
}

fn report(
    transaction: i64,
    ops: &troves::TroveOps,
    file_plan: &plan::FilePlan,
    rollback_recorded: bool,
) -> ApplyReport {
    let mut report = ApplyReport {
        transaction,
        erased: ops.erased.clone(),
        files_written: file_plan.stages.len(),
        files_removed: file_plan.removed,
        notes: file_plan.notes.clone(),
        rollback_recorded,
        ..ApplyReport::default()
    };
    for change in &ops.changes {
        match &change.old {
            Some(old) => report.updated.push((old.clone(), change.new.tuple())),
            None => report.installed.push(change.new.tuple()),
        }
    }
    report
}

/// True when this process may set owners and create device nodes (it
/// runs as root): what [`ApplyOptions::privileged`] defaults to, and
/// whether `verify` should compare owners.
pub fn is_privileged() -> bool {
    attrs::is_privileged()
}

/// Where the journal and rollbacks of `db` live (for tests and tools).
pub fn rollback_dir(db: &Database) -> PathBuf {
    db.dir().join("rollbacks")
}
