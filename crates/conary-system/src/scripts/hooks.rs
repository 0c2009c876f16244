//! What [`crate::apply`] calls around a transaction: trove scripts and tag
//! handlers before the files change (a failing pre-script aborts here,
//! with nothing changed), and after the commit (only notes). What is left
//! for after the commit is recorded (`super::pending`) before anything
//! changes, so recovery runs it when a crash follows the commit.

use std::collections::{BTreeMap, BTreeSet};

use conary_core::digest::FileId;
use conary_core::files::FileStream;

use super::pending::{self, PendingHooks, PendingScript, PendingTags};
use super::runner::Runner;
use super::{JobTrove, ScriptRun, is_rollback_fence, scripts_for};
use crate::apply::troves::TroveOps;
use crate::apply::{ApplyOptions, Note, Progress};
use crate::db::Database;
use crate::error::SystemError;
use crate::tags::job::{TagChanges, TagJob};

/// Scripts and tag handlers of one transaction.
#[derive(Debug)]
pub(crate) struct Hooks {
    runner: Runner,
    privileged: bool,
    tags: TagJob,
    pre: Vec<ScriptRun>,
    post: Vec<ScriptRun>,
    /// The trove changes that are rollback fences, as `old -> new` text.
    fences: Vec<String>,
    /// What runs after the commit, as recorded by [`Hooks::before`].
    record: Option<PendingHooks>,
    /// `--tag-script`, for the record.
    tag_script: Option<std::path::PathBuf>,
}

/// The tagged paths `ops` writes and removes.
fn tags_of<'a>(
    streams: &'a BTreeMap<FileId, FileStream>,
    id: &FileId,
    none: &'a BTreeSet<String>,
) -> &'a BTreeSet<String> {
    streams.get(id).map_or(none, |stream| &stream.tags)
}

fn tag_changes(
    ops: &TroveOps,
    new_streams: &BTreeMap<FileId, FileStream>,
    old_streams: &BTreeMap<FileId, FileStream>,
) -> TagChanges {
    let mut changes = TagChanges::default();
    let none = BTreeSet::new();
    for change in &ops.changes {
        let old = change
            .old
            .as_ref()
            .and_then(|tuple| ops.old_troves.get(tuple));
        for (path_id, file) in &change.new.files {
            let unchanged = old
                .and_then(|old| old.files.get(path_id))
                .is_some_and(|before| before.file_id == file.file_id && before.path == file.path);
            if !unchanged {
                changes.write(&file.path, tags_of(new_streams, &file.file_id, &none));
            }
        }
        if let Some(old) = old {
            for (path_id, file) in &old.files {
                let kept = change
                    .new
                    .files
                    .get(path_id)
                    .is_some_and(|after| after.path == file.path);
                if !kept {
                    changes.remove(&file.path, tags_of(old_streams, &file.file_id, &none));
                }
            }
        }
    }
    for tuple in &ops.erased {
        if let Some(old) = ops.old_troves.get(tuple) {
            for file in old.files.values() {
                changes.remove(&file.path, tags_of(old_streams, &file.file_id, &none));
            }
        }
    }
    changes.settle();
    changes
}

impl Hooks {
    /// The hooks of `ops` on the root of `db`.
    pub fn new(
        db: &Database,
        ops: &TroveOps,
        new_streams: &BTreeMap<FileId, FileStream>,
        old_streams: &BTreeMap<FileId, FileStream>,
        options: &ApplyOptions,
        rollback: bool,
    ) -> Result<Hooks, SystemError> {
        let privileged = options
            .privileged
            .unwrap_or_else(crate::apply::is_privileged);
        let runner = Runner::new(db.root(), privileged, options.tag_script.as_deref());
        let tags = TagJob::new(db, tag_changes(ops, new_streams, old_streams))?;
        let (pre, post) = if options.no_scripts {
            (Vec::new(), Vec::new())
        } else {
            let mut jobs: Vec<JobTrove<'_>> = ops
                .changes
                .iter()
                .map(|change| JobTrove {
                    new: Some(&change.new),
                    old: change
                        .old
                        .as_ref()
                        .and_then(|tuple| ops.old_troves.get(tuple)),
                })
                .collect();
            jobs.extend(ops.erased.iter().map(|tuple| JobTrove {
                new: None,
                old: ops.old_troves.get(tuple),
            }));
            scripts_for(&jobs, rollback)
        };
        let fences = if rollback {
            Vec::new()
        } else {
            ops.changes
                .iter()
                .filter_map(|change| {
                    let old = ops.old_troves.get(change.old.as_ref()?)?;
                    let old_class = old.info.compatibility_class;
                    is_rollback_fence(old_class, &change.new).then(|| {
                        format!(
                            "{} changes compatibility class {} -> {} without a postRollback conversion",
                            change.new.tuple(),
                            old_class.unwrap_or_default(),
                            change.new.info.compatibility_class.unwrap_or_default()
                        )
                    })
                })
                .collect()
        };
        Ok(Hooks {
            record: None,
            // Absolute: a replay after a crash may run from elsewhere.
            tag_script: options
                .tag_script
                .as_ref()
                .map(|path| std::path::absolute(path).unwrap_or_else(|_| path.clone())),
            fences,
            runner,
            privileged,
            tags,
            pre,
            post,
        })
    }

    /// Runs the pre-scripts, then the pre-phase tag handlers. A failing
    /// pre-script is an error naming the trove and the slot.
    pub fn before(
        &mut self,
        db: &Database,
        progress: &dyn Progress,
    ) -> Result<Vec<Note>, SystemError> {
        let mut notes = Vec::new();
        for script in &self.pre {
            if let Err(message) = script.run(&self.runner, progress) {
                let message = format!(
                    "{} script of trove {} failed: {message}",
                    script.slot, script.owner
                );
                if script.aborts() {
                    return Err(SystemError::job(message));
                }
                notes.push(Note::new(None, message));
            }
        }
        notes.extend(self.tags.before(db, &self.runner, progress)?);
        // The transaction about to run gets the next id (the lock is held).
        let record = PendingHooks::new(
            db.next_transaction_id()?,
            self.privileged,
            self.tag_script.clone(),
            self.tags.pending(db.root()),
            self.fences.clone(),
            self.post.iter().map(PendingScript::of).collect(),
        );
        pending::write(db.dir(), &record)?;
        self.record = Some(record);
        Ok(notes)
    }

    /// Runs the tag built-ins and post-phase handlers, then the
    /// post-scripts; every failure is a note. A rollback fence then
    /// empties the rollback stack (this transaction's entry too: it
    /// crosses the fence).
    pub fn after(self, db: &mut Database, progress: &dyn Progress) -> Vec<Note> {
        let record = self.record.unwrap_or_else(|| {
            PendingHooks::new(
                0,
                self.privileged,
                self.tag_script.clone(),
                PendingTags::default(),
                self.fences.clone(),
                self.post.iter().map(PendingScript::of).collect(),
            )
        });
        pending::run(
            db,
            &self.runner,
            &record,
            self.tags,
            &BTreeSet::new(),
            progress,
        )
    }
}
