//! The rollback stack: every committed update stores its inverse; rolling
//! back applies them newest first, strictly stacked.
//!
//! - [`list`] is `conary rblist`: the stack, newest first, each with its
//!   number and the trove changes it undoes.
//! - [`rollback`] is `conary rollback N` (the `N` newest) and
//!   `conary rollback r.K` (every entry from number `K` up): each is applied
//!   as a transaction of its own, journaled like any other, and removed
//!   from the stack in the same database commit. Applying a rollback
//!   records no rollback of its own, so a rollback cannot be rolled back.
//! - [`remove`] is `conary rmrollback`: trims the oldest entries.
//!
//! An entry (`rollbacks/<transaction>/`, see [`entry`]) holds the inverse
//! changeset, with references to repository contents (fetched again from
//! the trove source when they are no longer on the machine) and whole
//! contents of config files and of anything only the machine had, plus the
//! files whose local contents a transaction replaced, restored last.

pub(crate) mod entry;

use std::fmt;
use std::fs::{self, File};
use std::io::BufReader;
use std::str::FromStr;

use conary_api::TroveSource;
use conary_changeset::ChangeSetReader;

use crate::apply::{self, ApplyOptions, ApplyReport, Progress, RollbackApply};
use crate::db::Database;
use crate::error::SystemError;

pub(crate) use entry::{inverse, write_entry};

/// Which rollbacks: the `N` newest, or every one from number `K` up
/// (`r.K`).
///
/// ```rust
/// use conary_system::rollback::RollbackTarget;
/// assert_eq!("2".parse::<RollbackTarget>()?, RollbackTarget::Count(2));
/// assert_eq!("r.7".parse::<RollbackTarget>()?, RollbackTarget::From(7));
/// assert_eq!(RollbackTarget::From(7).to_string(), "r.7");
/// # Ok::<(), conary_system::SystemError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RollbackTarget {
    /// The `N` newest entries.
    Count(usize),
    /// Every entry from this number up (for [`remove`]: up to it).
    From(i64),
}

impl FromStr for RollbackTarget {
    type Err = SystemError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = |reason: &str| SystemError::Parse {
            what: "rollback",
            text: text.to_owned(),
            reason: reason.to_owned(),
        };
        match text.strip_prefix("r.") {
            Some(number) => number
                .parse()
                .ok()
                .filter(|number: &i64| *number > 0)
                .map(RollbackTarget::From)
                .ok_or_else(|| error("expected r. followed by a rollback number")),
            None => text
                .parse()
                .ok()
                .filter(|count: &usize| *count > 0)
                .map(RollbackTarget::Count)
                .ok_or_else(|| error("expected a positive count or r.NUMBER")),
        }
    }
}

impl fmt::Display for RollbackTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RollbackTarget::Count(count) => write!(f, "{count}"),
            RollbackTarget::From(number) => write!(f, "r.{number}"),
        }
    }
}

/// One entry of the rollback stack.
///
/// ```rust
/// let info = conary_system::rollback::RollbackInfo {
///     number: 3,
///     transaction: 5,
///     time: 1_700_000_000,
///     changes: vec!["install foo=/conary.example.com@rpl:2/1.0-1-1[]".into()],
/// };
/// assert_eq!(info.to_string(), "r.3:\n\tinstall foo=/conary.example.com@rpl:2/1.0-1-1[]");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollbackInfo {
    /// Its number (`r.N`), never reused.
    pub number: i64,
    /// The transaction it undoes.
    pub transaction: i64,
    /// When that transaction ran, in seconds since the epoch.
    pub time: i64,
    /// The trove changes of that transaction, one a line.
    pub changes: Vec<String>,
}

impl fmt::Display for RollbackInfo {
    /// As `conary rblist` shows it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "r.{}:", self.number)?;
        for change in &self.changes {
            write!(f, "\n\t{change}")?;
        }
        Ok(())
    }
}

/// The rollback stack, newest first.
pub fn list(db: &Database) -> Result<Vec<RollbackInfo>, SystemError> {
    let mut statement = db
        .connection()
        .prepare("SELECT id, transaction_id, time, description FROM rollbacks ORDER BY id DESC")
        .map_err(SystemError::db("listing rollbacks"))?;
    let rows = statement
        .query_map([], |row| {
            Ok(RollbackInfo {
                number: row.get(0)?,
                transaction: row.get(1)?,
                time: row.get(2)?,
                changes: row
                    .get::<_, String>(3)?
                    .lines()
                    .map(str::to_owned)
                    .collect(),
            })
        })
        .map_err(SystemError::db("listing rollbacks"))?;
    rows.collect::<Result<_, _>>()
        .map_err(SystemError::db("listing rollbacks"))
}

/// The entries `target` names, newest first; refuses a target beyond the
/// stack.
fn select(db: &Database, target: RollbackTarget) -> Result<Vec<RollbackInfo>, SystemError> {
    let stack = list(db)?;
    let chosen: Vec<RollbackInfo> = match target {
        RollbackTarget::Count(count) => {
            if count > stack.len() {
                return Err(SystemError::NoRollback {
                    what: target.to_string(),
                    reason: format!("the stack holds {} rollbacks", stack.len()),
                });
            }
            stack.into_iter().take(count).collect()
        }
        RollbackTarget::From(number) => {
            if !stack.iter().any(|info| info.number == number) {
                return Err(SystemError::NoRollback {
                    what: target.to_string(),
                    reason: "it is not on the stack".to_owned(),
                });
            }
            stack
                .into_iter()
                .filter(|info| info.number >= number)
                .collect()
        }
    };
    Ok(chosen)
}

/// Applies the rollbacks `target` names, newest first, each as its own
/// transaction that also removes it from the stack. `source` gives the
/// repository contents the entries refer to that are no longer on the
/// machine. Returns one report per rollback applied.
///
/// With [`ApplyOptions::test`] nothing changes and only the newest entry
/// is checked (the others apply to the state it leaves); one report.
pub fn rollback(
    db: &mut Database,
    target: RollbackTarget,
    source: Option<&dyn TroveSource>,
    options: &ApplyOptions,
    progress: &dyn Progress,
) -> Result<Vec<ApplyReport>, SystemError> {
    if !options.test {
        db.require_writable()?;
    }
    let mut chosen = select(db, target)?;
    if options.test {
        chosen.truncate(1);
    }
    let mut reports = Vec::new();
    for info in chosen {
        let dir_name = info.transaction.to_string();
        let dir = apply::rollback_dir(db).join(&dir_name);
        let path = dir.join(entry::REPOS_FILE);
        let file = File::open(&path).map_err(SystemError::io_with("open", &path))?;
        let reader = ChangeSetReader::new(BufReader::new(file))?;
        let overrides = entry::read_overrides(&dir)?;
        // The system model in effect before the transaction, if it kept one.
        let model = crate::model::saved_for_rollback(&dir)?;
        let rollback = RollbackApply {
            id: info.number,
            dir_name,
            overrides,
        };
        reports.push(apply::run(
            db,
            &[],
            reader,
            source,
            options,
            progress,
            Some(rollback),
        )?);
        if let Some(model) = model.filter(|_| !options.test) {
            crate::model::restore_from_rollback(db.root(), &model)?;
        }
    }
    Ok(reports)
}

/// Removes the oldest rollbacks: every entry up to number `K` (`r.K`), or
/// the `N` oldest. Returns how many were removed.
pub fn remove(db: &mut Database, target: RollbackTarget) -> Result<usize, SystemError> {
    db.require_writable()?;
    let mut stack = list(db)?;
    stack.reverse();
    let doomed: Vec<RollbackInfo> = match target {
        RollbackTarget::Count(count) => stack.into_iter().take(count).collect(),
        RollbackTarget::From(number) => stack
            .into_iter()
            .filter(|info| info.number <= number)
            .collect(),
    };
    if let Some(last) = doomed.last() {
        db.connection()
            .execute("DELETE FROM rollbacks WHERE id <= ?1", [last.number])
            .map_err(SystemError::db("removing rollbacks"))?;
    }
    sweep(db)?;
    Ok(doomed.len())
}

/// Deletes rollback directories no entry refers to (left by an
/// interrupted `rmrollback`, or by a crash before a commit).
pub(crate) fn sweep(db: &Database) -> Result<(), SystemError> {
    let dir = apply::rollback_dir(db);
    let Ok(entries) = fs::read_dir(&dir) else {
        return Ok(());
    };
    let kept: Vec<String> = list(db)?
        .into_iter()
        .map(|info| info.transaction.to_string())
        .collect();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !kept.contains(&name) {
            let path = entry.path();
            fs::remove_dir_all(&path).map_err(SystemError::io_with("remove", &path))?;
        }
    }
    Ok(())
}
