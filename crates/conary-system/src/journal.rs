//! The transaction journal: what makes applying a changeset crash-safe.
//!
//! A transaction writes `<root>/var/lib/conarydb/journal` (atomically, and
//! synced) *before* it touches the root. It lists every file-system step the
//! transaction will take, under names fixed in advance:
//!
//! - `mkdirs`: directories to create (they did not exist);
//! - `stages`: each new file, first written under a temporary name
//!   (`.conary-T-N`) in its target's directory, then renamed into place;
//! - `backups`: each file replaced or removed, first renamed to a backup
//!   name (`.conary-T-bN`) in the same directory (so the rename never
//!   crosses file systems, unlike a backup directory in the database
//!   directory would);
//! - `rmdirs` and `dir_attrs`: directories to remove (when empty) and
//!   directory attributes to set after the commit;
//! - the rollback directory the transaction creates, or the one it uses up.
//!
//! The order is: journal, create directories and stage every file, sync,
//! mark `staged`, rename the old files to their backups, rename the staged
//! files into place, sync, **commit the database** (one SQLite transaction
//! that also records the transaction id), then finish: delete backups,
//! remove directories, set directory attributes, sync the directories
//! touched (not the whole file system), delete the journal.
//!
//! Whether the transaction id is in the database's `transactions` table is
//! the one fact that decides recovery ([`recover`], run by
//! [`Database::open`](crate::db::Database::open) and so by every `conary`
//! command, `conary revert` included):
//!
//! - committed: *finish* (delete what is left of the backups, …);
//! - not committed: *undo*: delete the temporary files; when everything was
//!   staged, a temporary name that is gone means the rename happened, so the
//!   new file at the path is deleted; rename every backup that still exists
//!   back; remove the directories created; delete the rollback directory.
//!
//! Both are idempotent, so a crash during recovery is recovered by the next
//! start. Then the post-phase hooks a committed transaction recorded and
//! did not run (a crash after the commit) run, each step once
//! (`scripts::pending`). The format is JSON: the plan on the first line, one marker a line
//! after it (a torn last line is ignored).

use std::collections::BTreeSet;
use std::fs::{self, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use conary_util::{SafeRoot, atomic_write, fsync_dir, syncfs};
use serde::{Deserialize, Serialize};

use crate::apply::attrs::{Attrs, set_attrs};
use crate::apply::paths::Joiner;
use crate::crash;
use crate::db::Database;
use crate::error::SystemError;
use crate::parallel;

/// The journal's file name in the database directory.
pub const JOURNAL_FILE: &str = "journal";

/// The format number written in every journal.
const FORMAT: u32 = 1;

/// A file written under a temporary name and renamed into place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Stage {
    /// The target, relative to the root.
    pub path: String,
    /// The temporary name in the target's directory.
    pub temp: String,
}

/// A file renamed out of the way before its path is reused or removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Backup {
    /// The file, relative to the root.
    pub path: String,
    /// The backup name in its directory.
    pub backup: String,
}

/// Attributes to set on a directory after the commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DirAttrs {
    /// The directory, relative to the root.
    pub path: String,
    /// What to set.
    pub attrs: Attrs,
}

/// Everything a transaction will do to the root, written before it starts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Plan {
    /// The journal format.
    pub format: u32,
    /// The transaction id; committed once the database has it.
    pub transaction: i64,
    /// The rollback directory this transaction writes (removed on undo).
    pub rollback_dir: Option<String>,
    /// The rollback directory this transaction applies (removed on finish).
    pub drop_rollback_dir: Option<String>,
    /// Directories created before staging, parents first.
    pub mkdirs: Vec<String>,
    /// New files.
    pub stages: Vec<Stage>,
    /// Replaced or removed files.
    pub backups: Vec<Backup>,
    /// Directories to remove after the commit when empty.
    pub rmdirs: Vec<String>,
    /// Directory attributes to set after the commit.
    pub dir_attrs: Vec<DirAttrs>,
}

impl Plan {
    /// An empty plan for transaction `transaction`.
    pub(crate) fn new(transaction: i64) -> Plan {
        Plan {
            format: FORMAT,
            transaction,
            ..Plan::default()
        }
    }
}

/// A marker appended to the journal as the transaction advances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Marker {
    /// Every file was staged and synced; renames may follow.
    Staged,
}

#[derive(Serialize, Deserialize)]
struct MarkerLine {
    marker: Marker,
}

/// What recovery did about an interrupted transaction.
///
/// ```rust
/// use conary_system::journal::{Recovery, RecoveryOutcome};
/// let recovery = Recovery { transaction: 3, outcome: RecoveryOutcome::Undone };
/// assert_eq!(recovery.to_string(), "undid interrupted transaction 3");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recovery {
    /// The transaction's id.
    pub transaction: i64,
    /// Completed or undone.
    pub outcome: RecoveryOutcome,
}

/// Whether an interrupted transaction was completed or undone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecoveryOutcome {
    /// The database had committed it: its last steps were done.
    Completed,
    /// The database had not committed it: the root was put back.
    Undone,
}

impl std::fmt::Display for Recovery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verb = match self.outcome {
            RecoveryOutcome::Completed => "completed",
            RecoveryOutcome::Undone => "undid",
        };
        write!(f, "{verb} interrupted transaction {}", self.transaction)
    }
}

/// The journal's path in database directory `dir`.
pub(crate) fn journal_path(dir: &Path) -> PathBuf {
    dir.join(JOURNAL_FILE)
}

/// An open journal of a running transaction.
#[derive(Debug)]
pub(crate) struct Journal {
    path: PathBuf,
    pub plan: Plan,
    pub staged: bool,
}

impl Journal {
    /// Writes `plan` as the journal in `dir`, durably.
    pub(crate) fn create(dir: &Path, plan: Plan) -> Result<Journal, SystemError> {
        let path = journal_path(dir);
        let mut bytes = serde_json::to_vec(&plan)
            .map_err(|e| SystemError::corrupt(format!("cannot encode the journal: {e}")))?;
        bytes.push(b'\n');
        atomic_write(&path, &bytes)?;
        crash::point("journal");
        Ok(Journal {
            path,
            plan,
            staged: false,
        })
    }

    /// Reads the journal in `dir`, if there is one.
    fn read(dir: &Path) -> Result<Option<Journal>, SystemError> {
        let path = journal_path(dir);
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(SystemError::io("read", &path, error)),
        };
        let mut lines = text.lines();
        let first = lines.next().unwrap_or_default();
        let plan: Plan = serde_json::from_str(first)
            .map_err(|e| SystemError::corrupt(format!("journal '{}': {e}", path.display())))?;
        if plan.format != FORMAT {
            return Err(SystemError::corrupt(format!(
                "journal '{}' has format {}, this program knows {FORMAT}",
                path.display(),
                plan.format
            )));
        }
        let staged = lines
            .filter_map(|line| serde_json::from_str::<MarkerLine>(line).ok())
            .any(|line| line.marker == Marker::Staged);
        Ok(Some(Journal { path, plan, staged }))
    }

    /// Appends `marker` durably.
    pub(crate) fn mark(&mut self, marker: Marker) -> Result<(), SystemError> {
        let mut line = serde_json::to_vec(&MarkerLine { marker })
            .map_err(|e| SystemError::corrupt(format!("cannot encode a journal marker: {e}")))?;
        line.push(b'\n');
        let mut file = OpenOptions::new()
            .append(true)
            .open(&self.path)
            .map_err(SystemError::io_with("open", &self.path))?;
        file.write_all(&line)
            .and_then(|()| file.sync_all())
            .map_err(SystemError::io_with("append to", &self.path))?;
        if marker == Marker::Staged {
            self.staged = true;
        }
        Ok(())
    }

    /// Deletes the journal durably: the transaction is over.
    pub(crate) fn remove(self) -> Result<(), SystemError> {
        remove_file_if_exists(&self.path)?;
        fsync_dir(self.path.parent().unwrap_or(Path::new(".")))?;
        Ok(())
    }
}

fn remove_file_if_exists(path: &Path) -> Result<(), SystemError> {
    removed_file(path).map(|_| ())
}

/// Removes the file at `path`; true when there was one.
fn removed_file(path: &Path) -> Result<bool, SystemError> {
    match fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(error) => Err(SystemError::io("remove", path, error)),
    }
}

fn exists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// `path` relative to the root, joined safely, and the sibling `name`.
fn sibling(root: &Joiner, path: &str, name: &str) -> Result<(PathBuf, PathBuf), SystemError> {
    let full = root.join(path)?;
    let other = full
        .parent()
        .map(|parent| parent.join(name))
        .ok_or_else(|| SystemError::corrupt(format!("journal path '{path}' has no parent")))?;
    Ok((full, other))
}

/// Removes an empty directory; a missing or non-empty one is left alone.
fn remove_dir_if_empty(path: &Path) -> Result<(), SystemError> {
    match fs::remove_dir(path) {
        Ok(()) => Ok(()),
        Err(error)
            if matches!(
                error.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::DirectoryNotEmpty
            ) =>
        {
            Ok(())
        }
        Err(error) if error.raw_os_error() == Some(20) => Ok(()), // ENOTDIR
        Err(error) => Err(SystemError::io("remove directory", path, error)),
    }
}

fn remove_any(path: &Path) -> Result<(), SystemError> {
    match fs::symlink_metadata(path) {
        Ok(metadata) if metadata.is_dir() => {
            fs::remove_dir_all(path).map_err(SystemError::io_with("remove", path))
        }
        Ok(_) => remove_file_if_exists(path),
        Err(_) => Ok(()),
    }
}

/// [`remove_any`] that tries to unlink first (a backup is nearly always a
/// file: one call instead of two).
fn remove_backup(path: &Path) -> Result<(), SystemError> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        // A directory (EISDIR on Linux, EPERM elsewhere), or a real error
        // that remove_any meets again.
        Err(_) => remove_any(path),
    }
}

/// Puts the root back as it was before the transaction of `journal`.
pub(crate) fn undo(root: &Path, db_dir: &Path, journal: &Journal) -> Result<(), SystemError> {
    let plan = &journal.plan;
    let safe = SafeRoot::new(root)?;
    let safe = Joiner::new(safe);
    for stage in plan.stages.iter().rev() {
        let (path, temp) = sibling(&safe, &stage.path, &stage.temp)?;
        if exists(&temp) {
            remove_file_if_exists(&temp)?;
        } else if journal.staged {
            // Everything was staged, and this temporary name is gone: it was
            // renamed into place (over a path emptied by its backup first).
            remove_file_if_exists(&path)?;
        }
    }
    for backup in plan.backups.iter().rev() {
        let (path, saved) = sibling(&safe, &backup.path, &backup.backup)?;
        if exists(&saved) {
            fs::rename(&saved, &path).map_err(SystemError::io_with("restore", &path))?;
        }
    }
    for dir in plan.mkdirs.iter().rev() {
        remove_dir_if_empty(&safe.join(dir)?)?;
    }
    if let Some(name) = &plan.rollback_dir {
        remove_any(&db_dir.join("rollbacks").join(name))?;
    }
    syncfs(root)?;
    syncfs(db_dir)?;
    Ok(())
}

/// Does the steps of a committed transaction that follow its commit.
///
/// The cleanup is made durable before the journal goes by syncing the
/// directories whose entries or attributes changed, not the whole file
/// system: `syncfs` would also wait for every other process's dirty pages.
/// Backups are removed and directories synced on a few threads: each
/// unlink waits for the device when the file system discards freed blocks
/// (`-o discard`), each directory sync for its write, and those waits
/// overlap. Nothing between them depends on their order.
pub(crate) fn finish(
    root: &Path,
    db_dir: &Path,
    journal: &Journal,
    privileged: bool,
) -> Result<(), SystemError> {
    let plan = &journal.plan;
    let safe = SafeRoot::new(root)?;
    let safe = Joiner::new(safe);
    let mut touched: BTreeSet<PathBuf> = BTreeSet::new();
    for stage in &plan.stages {
        let (_, temp) = sibling(&safe, &stage.path, &stage.temp)?;
        // Renamed into place unless a crash came first.
        if removed_file(&temp)?
            && let Some(parent) = temp.parent()
        {
            touched.insert(parent.to_path_buf());
        }
    }
    let mut backups = Vec::with_capacity(plan.backups.len());
    for backup in &plan.backups {
        let (_, saved) = sibling(&safe, &backup.path, &backup.backup)?;
        if let Some(parent) = saved.parent() {
            touched.insert(parent.to_path_buf());
        }
        backups.push(saved);
    }
    parallel::try_for_each(&backups, |saved| {
        remove_backup(saved)?;
        crash::point("finish-backup");
        Ok(())
    })?;
    let mut rmdirs: Vec<&String> = plan.rmdirs.iter().collect();
    rmdirs.sort_by(|a, b| b.cmp(a));
    for dir in rmdirs {
        let path = safe.join(dir)?;
        remove_dir_if_empty(&path)?;
        if let Some(parent) = path.parent() {
            touched.insert(parent.to_path_buf());
        }
    }
    for dir in &plan.dir_attrs {
        let path = safe.join(&dir.path)?;
        if fs::symlink_metadata(&path).is_ok_and(|metadata| metadata.is_dir()) {
            set_attrs(&path, &dir.attrs, privileged)?;
            touched.insert(path);
        }
    }
    if let Some(name) = &plan.drop_rollback_dir {
        let rollbacks = db_dir.join("rollbacks");
        remove_any(&rollbacks.join(name))?;
        touched.insert(rollbacks);
    }
    let touched: Vec<PathBuf> = touched.into_iter().collect();
    parallel::try_for_each(&touched, |dir| {
        // A directory removed since is synced through its parent.
        match fsync_dir(dir) {
            Ok(()) => Ok(()),
            Err(_) if !fs::symlink_metadata(dir).is_ok_and(|metadata| metadata.is_dir()) => Ok(()),
            Err(error) => Err(error.into()),
        }
    })?;
    crash::point("finished");
    Ok(())
}

/// Completes or undoes the transaction a crash interrupted, if any; see
/// the module docs. Then runs the post-phase hooks (tag handlers,
/// post-scripts) a committed transaction left pending, or drops those of
/// one that did not commit (`scripts::pending`).
pub fn recover(db: &mut Database) -> Result<Option<Recovery>, SystemError> {
    db.require_writable()?;
    let recovery = recover_journal(db)?;
    // Post-phase hooks of a committed transaction that did not run.
    let replayed = crate::scripts::pending::replay(db)?;
    Ok(match (recovery, replayed) {
        (recovery, Some((transaction, notes))) => {
            db.set_hook_notes(notes);
            recovery.or(Some(Recovery {
                transaction,
                outcome: RecoveryOutcome::Completed,
            }))
        }
        (recovery, None) => recovery,
    })
}

/// The journal part of [`recover`].
fn recover_journal(db: &mut Database) -> Result<Option<Recovery>, SystemError> {
    let Some(journal) = Journal::read(db.dir())? else {
        return Ok(None);
    };
    let transaction = journal.plan.transaction;
    let outcome = if db.is_committed(transaction)? {
        let privileged = crate::apply::attrs::is_privileged();
        finish(db.root(), db.dir(), &journal, privileged)?;
        RecoveryOutcome::Completed
    } else {
        undo(db.root(), db.dir(), &journal)?;
        RecoveryOutcome::Undone
    };
    journal.remove()?;
    Ok(Some(Recovery {
        transaction,
        outcome,
    }))
}
