//! The post-phase hooks of a transaction, recorded before it starts so
//! that a crash after the database commit does not lose them.
//!
//! [`Hooks::before`](super::hooks::Hooks::before) writes
//! `<db>/hooks-pending` (atomically, synced): the transaction id, the
//! tag work left for after the commit (paths written and removed with
//! their tags, the tag descriptions as they were before, the handlers the
//! job drops), the rollback fences and the post-scripts with their
//! environment. [`Hooks::after`](super::hooks::Hooks::after) runs them in
//! steps (`builtins` for the tag built-ins, `tag:N` for each handler
//! call, `fences`, `script:N` for each post-script), appending a `done`
//! line after each, and deletes the file.
//!
//! Recovery ([`replay`], called by [`crate::journal::recover`] on every
//! open) finds the file: when the transaction is committed, the steps not
//! marked done run now, each once; when it is not (undone, failed, or
//! never started), the file is deleted and nothing runs. A crash inside a
//! step may run that one step again.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use conary_util::{atomic_write, fsync_dir};
use serde::{Deserialize, Serialize};

use super::ScriptRun;
use super::runner::Runner;
use crate::apply::{NoProgress, Note, Progress};
use crate::crash;
use crate::db::Database;
use crate::error::SystemError;
use crate::tags::job::{TagChanges, TagJob};

/// The file's name in the database directory.
pub const PENDING_FILE: &str = "hooks-pending";

/// The format number written in every record.
const FORMAT: u32 = 1;

/// The tag work left for after the commit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PendingTags {
    /// Tag → paths written with it.
    pub updates: BTreeMap<String, BTreeSet<String>>,
    /// Tag → paths removed that had it.
    pub removes: BTreeMap<String, BTreeSet<String>>,
    /// Every path written.
    pub written: BTreeSet<String>,
    /// Every path removed.
    pub removed: BTreeSet<String>,
    /// The tag descriptions before the transaction: tag → (path, text).
    pub descriptions: BTreeMap<String, (String, String)>,
    /// Tags whose handler the job removes.
    pub dropped: BTreeSet<String>,
}

impl PendingTags {
    /// The recorded changes, as the tag job reads them.
    pub(crate) fn changes(&self) -> TagChanges {
        TagChanges {
            updates: self.updates.clone(),
            removes: self.removes.clone(),
            written: self.written.clone(),
            removed: self.removed.clone(),
        }
    }

    fn is_empty(&self) -> bool {
        self.updates.is_empty() && self.removes.is_empty() && self.written.is_empty()
    }
}

/// A post-script, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PendingScript {
    slot: String,
    owner: String,
    new: Option<String>,
    old: Option<String>,
    new_class: Option<u16>,
    old_class: Option<u16>,
    script: String,
}

impl PendingScript {
    pub(crate) fn of(run: &ScriptRun) -> PendingScript {
        PendingScript {
            slot: run.slot.to_string(),
            owner: run.owner.to_string(),
            new: run.new.as_ref().map(ToString::to_string),
            old: run.old.as_ref().map(ToString::to_string),
            new_class: run.new_class,
            old_class: run.old_class,
            script: run.script.clone(),
        }
    }

    fn run(&self) -> Result<ScriptRun, String> {
        let tuple = |text: &str| {
            text.parse()
                .map_err(|error| format!("pending hooks: {error}"))
        };
        Ok(ScriptRun {
            slot: self
                .slot
                .parse()
                .map_err(|_| format!("pending hooks: unknown script slot '{}'", self.slot))?,
            owner: tuple(&self.owner)?,
            new: self.new.as_deref().map(tuple).transpose()?,
            old: self.old.as_deref().map(tuple).transpose()?,
            new_class: self.new_class,
            old_class: self.old_class,
            script: self.script.clone(),
        })
    }
}

/// Everything a transaction does after its commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PendingHooks {
    format: u32,
    /// The transaction; the hooks are due once the database has it.
    pub transaction: i64,
    /// Whether programs run chrooted.
    pub privileged: bool,
    /// `--tag-script`: where calls are written instead of run.
    pub tag_script: Option<PathBuf>,
    /// The tag work.
    pub tags: PendingTags,
    /// Rollback fences crossed (each a line for the note).
    pub fences: Vec<String>,
    /// The post-scripts, in order.
    pub post: Vec<PendingScript>,
}

impl PendingHooks {
    /// A record for `transaction`.
    pub(crate) fn new(
        transaction: i64,
        privileged: bool,
        tag_script: Option<PathBuf>,
        tags: PendingTags,
        fences: Vec<String>,
        post: Vec<PendingScript>,
    ) -> PendingHooks {
        PendingHooks {
            format: FORMAT,
            transaction,
            privileged,
            tag_script,
            tags,
            fences,
            post,
        }
    }

    /// True when there is nothing to do after the commit.
    pub(crate) fn is_empty(&self) -> bool {
        self.tags.is_empty() && self.fences.is_empty() && self.post.is_empty()
    }
}

#[derive(Serialize, Deserialize)]
struct DoneLine {
    done: String,
}

fn path(dir: &Path) -> PathBuf {
    dir.join(PENDING_FILE)
}

/// Writes `hooks` as the record in `dir`, durably (an empty one removes
/// any record instead).
pub(crate) fn write(dir: &Path, hooks: &PendingHooks) -> Result<(), SystemError> {
    if hooks.is_empty() {
        return remove(dir);
    }
    let mut bytes = serde_json::to_vec(hooks)
        .map_err(|e| SystemError::corrupt(format!("cannot encode the pending hooks: {e}")))?;
    bytes.push(b'\n');
    atomic_write(path(dir), &bytes)?;
    Ok(())
}

/// Appends that `step` is done, durably.
pub(crate) fn mark_done(dir: &Path, step: &str) -> Result<(), SystemError> {
    let file_path = path(dir);
    let mut line = serde_json::to_vec(&DoneLine {
        done: step.to_owned(),
    })
    .map_err(|e| SystemError::corrupt(format!("cannot encode a pending-hooks marker: {e}")))?;
    line.push(b'\n');
    let mut file = match OpenOptions::new().append(true).open(&file_path) {
        Ok(file) => file,
        // Nothing was recorded (nothing to do after the commit).
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(SystemError::io("open", &file_path, error)),
    };
    file.write_all(&line)
        .and_then(|()| file.sync_all())
        .map_err(SystemError::io_with("append to", &file_path))
}

/// The record in `dir` and the steps done, if there is one.
fn read(dir: &Path) -> Result<Option<(PendingHooks, BTreeSet<String>)>, SystemError> {
    let file_path = path(dir);
    let text = match fs::read_to_string(&file_path) {
        Ok(text) => text,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(SystemError::io("read", &file_path, error)),
    };
    let mut lines = text.lines();
    let hooks: PendingHooks = serde_json::from_str(lines.next().unwrap_or_default())
        .map_err(|e| SystemError::corrupt(format!("'{}': {e}", file_path.display())))?;
    if hooks.format != FORMAT {
        return Err(SystemError::corrupt(format!(
            "'{}' has format {}, this program knows {FORMAT}",
            file_path.display(),
            hooks.format
        )));
    }
    // A torn last line is a step not marked done.
    let done = lines
        .filter_map(|line| serde_json::from_str::<DoneLine>(line).ok())
        .map(|line| line.done)
        .collect();
    Ok(Some((hooks, done)))
}

/// Deletes the record in `dir`, durably.
pub(crate) fn remove(dir: &Path) -> Result<(), SystemError> {
    let file_path = path(dir);
    match fs::remove_file(&file_path) {
        Ok(()) => fsync_dir(dir).map_err(SystemError::from),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(SystemError::io("remove", &file_path, error)),
    }
}

/// Deletes a record whose transaction the database does not have (one
/// that failed or was undone): called before a transaction that does not
/// go through the hooks commits, so that it cannot take that id's hooks.
pub(crate) fn discard_uncommitted(db: &Database) -> Result<(), SystemError> {
    if let Some((hooks, _)) = read(db.dir())?
        && !db.is_committed(hooks.transaction)?
    {
        remove(db.dir())?;
    }
    Ok(())
}

/// The steps of a recorded transaction's hooks already run, and the
/// record to mark each new one in, durably, as it ends.
#[derive(Debug)]
pub(crate) struct StepLog {
    dir: PathBuf,
    done: BTreeSet<String>,
    errors: std::cell::RefCell<Vec<Note>>,
}

impl StepLog {
    /// The log of the record in `dir`, with the steps `done`.
    pub(crate) fn new(dir: &Path, done: BTreeSet<String>) -> StepLog {
        StepLog {
            dir: dir.to_path_buf(),
            done,
            errors: std::cell::RefCell::new(Vec::new()),
        }
    }

    /// Whether `step` already ran.
    pub(crate) fn is_done(&self, step: &str) -> bool {
        self.done.contains(step)
    }

    /// Records that `step` ran (a failure to record is a note).
    pub(crate) fn mark(&self, step: &str) {
        if let Err(error) = mark_done(&self.dir, step) {
            self.errors
                .borrow_mut()
                .push(Note::new(None, error.to_string()));
        }
        crash::point("post-hook");
    }

    fn take_errors(&self) -> Vec<Note> {
        std::mem::take(&mut *self.errors.borrow_mut())
    }
}

/// Runs the steps of `hooks` not in `done`, marking each, then deletes the
/// record. Failures are notes.
pub(crate) fn run(
    db: &mut Database,
    runner: &Runner,
    hooks: &PendingHooks,
    tag_job: TagJob,
    done: &BTreeSet<String>,
    progress: &dyn Progress,
) -> Vec<Note> {
    let mut notes = Vec::new();
    let steps = StepLog::new(db.dir(), done.clone());
    notes.extend(tag_job.after(db, runner, hooks.privileged, progress, &steps));
    if !steps.is_done("fences") && !hooks.fences.is_empty() {
        for fence in &hooks.fences {
            notes.push(Note::new(
                None,
                format!("rollback stack invalidated: {fence}"),
            ));
        }
        let removed = crate::rollback::list(db).and_then(|stack| {
            crate::rollback::remove(db, crate::rollback::RollbackTarget::Count(stack.len()))
        });
        if let Err(error) = removed {
            notes.push(Note::new(
                None,
                format!("cannot invalidate the rollback stack: {error}"),
            ));
        }
        steps.mark("fences");
    }
    for (index, script) in hooks.post.iter().enumerate() {
        let step = format!("script:{index}");
        if steps.is_done(&step) {
            continue;
        }
        let outcome = script
            .run()
            .and_then(|script| script.run(runner, progress).map(|()| script))
            .map_err(|message| (message, script));
        if let Err((message, script)) = outcome {
            notes.push(Note::new(
                None,
                format!(
                    "{} script of trove {} failed: {message}",
                    script.slot, script.owner
                ),
            ));
        }
        steps.mark(&step);
    }
    notes.extend(steps.take_errors());
    if let Err(error) = remove(db.dir()) {
        notes.push(Note::new(None, error.to_string()));
    }
    notes
}

/// Recovery: runs the hooks of a committed transaction a crash left
/// pending, or drops those of a transaction that never committed. Returns
/// the transaction whose hooks ran and their notes.
pub(crate) fn replay(db: &mut Database) -> Result<Option<(i64, Vec<String>)>, SystemError> {
    let Some((hooks, done)) = read(db.dir())? else {
        return Ok(None);
    };
    if !db.is_committed(hooks.transaction)? {
        remove(db.dir())?;
        return Ok(None);
    }
    let tag_job = TagJob::from_pending(&hooks.tags);
    let runner = Runner::new(db.root(), hooks.privileged, hooks.tag_script.as_deref());
    let notes = run(db, &runner, &hooks, tag_job, &done, &NoProgress);
    Ok(Some((
        hooks.transaction,
        notes.iter().map(ToString::to_string).collect(),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> PendingHooks {
        let mut tags = PendingTags::default();
        tags.updates
            .entry("t1".to_owned())
            .or_default()
            .insert("/usr/share/a".to_owned());
        tags.written.insert("/usr/share/a".to_owned());
        PendingHooks::new(
            7,
            false,
            None,
            tags,
            Vec::new(),
            vec![PendingScript {
                slot: "postInstall".to_owned(),
                owner: "foo=/a.example.com@x:1/1-1-1[]".to_owned(),
                new: Some("foo=/a.example.com@x:1/1-1-1[]".to_owned()),
                old: None,
                new_class: None,
                old_class: None,
                script: "true".to_owned(),
            }],
        )
    }

    #[test]
    fn a_record_reads_back_with_its_done_steps_and_a_torn_line_is_not_done() {
        let dir = tempfile::tempdir().expect("dir");
        write(dir.path(), &record()).expect("write");
        mark_done(dir.path(), "tags").expect("mark");
        let mut file = OpenOptions::new()
            .append(true)
            .open(path(dir.path()))
            .expect("open");
        file.write_all(b"{\"done\": \"scr").expect("torn line");
        let (read_back, done) = read(dir.path()).expect("read").expect("a record");
        assert_eq!(read_back, record());
        assert_eq!(done, BTreeSet::from(["tags".to_owned()]));
        let script = read_back.post[0].run().expect("a script run");
        assert_eq!(script.owner.to_string(), "foo=/a.example.com@x:1/1-1-1[]");
        remove(dir.path()).expect("remove");
        assert!(read(dir.path()).expect("read").is_none());
        // Marking without a record is a no-op (nothing was due).
        mark_done(dir.path(), "tags").expect("no record");
        assert!(!path(dir.path()).exists());
    }

    #[test]
    fn an_empty_record_is_not_written_and_a_foreign_format_is_refused() {
        let dir = tempfile::tempdir().expect("dir");
        write(dir.path(), &record()).expect("write");
        let empty = PendingHooks::new(
            8,
            false,
            None,
            PendingTags::default(),
            Vec::new(),
            Vec::new(),
        );
        assert!(empty.is_empty());
        write(dir.path(), &empty).expect("write empty");
        assert!(
            !path(dir.path()).exists(),
            "an empty record removes the old"
        );
        let mut other = record();
        other.format = 99;
        fs::write(
            path(dir.path()),
            serde_json::to_vec(&other).expect("encode"),
        )
        .expect("write");
        let error = read(dir.path()).expect_err("format 99").to_string();
        assert!(error.contains("has format 99"), "{error}");
    }
}
