//! The tag side of one transaction: the tagged paths it writes and
//! removes, the handler calls before files change (`handler preremove`,
//! `files preupdate`, `files preremove`) and after the commit (built-ins,
//! new or changed handlers over every installed file with their tag,
//! `files update`, `files remove`).

use std::collections::{BTreeMap, BTreeSet};

use super::builtin;
use super::commands::TagCommands;
use super::description::{Phase, TAG_DIR, TagDescription, load_each};
use crate::apply::{Note, Progress};
use crate::db::Database;
use crate::error::SystemError;
use crate::scripts::pending::{PendingTags, StepLog};
use crate::scripts::runner::Runner;

/// Tags with a meaning of their own, never given to a handler.
const SPECIAL: [&str; 2] = ["tagdescription", "taghandler"];

/// The paths a transaction writes and removes, with their tags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TagChanges {
    /// Tag → paths written with it.
    pub updates: BTreeMap<String, BTreeSet<String>>,
    /// Tag → paths removed that had it.
    pub removes: BTreeMap<String, BTreeSet<String>>,
    /// Every path written.
    pub written: BTreeSet<String>,
    /// Every path removed.
    pub removed: BTreeSet<String>,
}

impl TagChanges {
    /// Records that `path` is written with `tags`.
    pub fn write(&mut self, path: &str, tags: &BTreeSet<String>) {
        self.written.insert(path.to_owned());
        for tag in tags {
            self.updates
                .entry(tag.clone())
                .or_default()
                .insert(path.to_owned());
        }
    }

    /// Records that `path`, which had `tags`, is removed.
    pub fn remove(&mut self, path: &str, tags: &BTreeSet<String>) {
        self.removed.insert(path.to_owned());
        for tag in tags {
            self.removes
                .entry(tag.clone())
                .or_default()
                .insert(path.to_owned());
        }
    }

    /// Drops removals of paths written again (a file moving between
    /// troves of the job).
    pub fn settle(&mut self) {
        let written = &self.written;
        self.removed.retain(|path| !written.contains(path));
        for (tag, paths) in &mut self.removes {
            if let Some(updated) = self.updates.get(tag) {
                paths.retain(|path| !updated.contains(path));
            }
        }
        self.removes.retain(|_, paths| !paths.is_empty());
    }
}

/// The tag work of one transaction.
#[derive(Debug)]
pub(crate) struct TagJob {
    changes: TagChanges,
    before: BTreeMap<String, TagDescription>,
    /// Tags whose handler this job removes.
    dropped: BTreeSet<String>,
    /// Broken descriptions of tags this job does not touch.
    warnings: Vec<Note>,
}

/// The installed, present paths carrying `tag`.
fn files_with_tag(db: &Database, tag: &str) -> Result<BTreeSet<String>, SystemError> {
    Ok(db
        .all_files()?
        .into_iter()
        .filter(|file| file.is_present && file.stream.tags.contains(tag))
        .map(|file| file.path)
        .collect())
}

impl TagJob {
    /// The tag work of `changes` on the root of `db`, with the tag
    /// descriptions installed now. A broken description is an error when
    /// the job writes or removes files with its tag (or the description
    /// itself), else a warning.
    pub fn new(db: &Database, changes: TagChanges) -> Result<TagJob, SystemError> {
        let job = |error: super::TagError| SystemError::job(error.to_string());
        let (before, errors) = load_each(db.root()).map_err(job)?;
        let mut warnings = Vec::new();
        for (name, error) in errors {
            let path = format!("{TAG_DIR}/{name}");
            let involved = changes.updates.contains_key(&name)
                || changes.removes.contains_key(&name)
                || changes.written.contains(&path)
                || changes.removed.contains(&path);
            if !involved {
                warnings.push(Note::new(None, format!("tag description ignored: {error}")));
                continue;
            }
            return Err(job(error));
        }
        Ok(TagJob {
            changes,
            before,
            dropped: BTreeSet::new(),
            warnings,
        })
    }

    /// What is left for after the commit, to record before the
    /// transaction: the changes, the tags dropped and the text of the
    /// descriptions as they are now (read from `root`).
    pub fn pending(&self, root: &std::path::Path) -> PendingTags {
        let descriptions = self
            .before
            .iter()
            .filter_map(|(tag, description)| {
                let text =
                    std::fs::read_to_string(root.join(description.path.trim_start_matches('/')))
                        .ok()?;
                Some((tag.clone(), (description.path.clone(), text)))
            })
            .collect();
        PendingTags {
            updates: self.changes.updates.clone(),
            removes: self.changes.removes.clone(),
            written: self.changes.written.clone(),
            removed: self.changes.removed.clone(),
            descriptions,
            dropped: self.dropped.clone(),
        }
    }

    /// The tag job of a recorded transaction, ready for [`after`](Self::after).
    pub fn from_pending(pending: &PendingTags) -> TagJob {
        let before = pending
            .descriptions
            .iter()
            .filter_map(|(tag, (path, text))| {
                TagDescription::parse(tag, path, text)
                    .ok()
                    .map(|description| (tag.clone(), description))
            })
            .collect();
        TagJob {
            changes: pending.changes(),
            before,
            dropped: pending.dropped.clone(),
            warnings: Vec::new(),
        }
    }

    /// Runs the pre phases (before files change).
    pub fn before(
        &mut self,
        db: &Database,
        runner: &Runner,
        progress: &dyn Progress,
    ) -> Result<Vec<Note>, SystemError> {
        let mut commands = TagCommands::default();
        let warnings = std::mem::take(&mut self.warnings);
        for (tag, paths) in &self.changes.updates {
            if let Some(description) = self.before.get(tag)
                && !SPECIAL.contains(&tag.as_str())
                && description.implements.contains(&Phase::FilesPreupdate)
            {
                commands.add(description, Phase::FilesPreupdate, paths);
            }
        }
        for description in self.before.values() {
            let Some(handler) = &description.handler else {
                continue;
            };
            if !self.changes.removed.contains(handler) {
                continue;
            }
            // "handler preremove" replaces "files preremove"; "files remove"
            // cannot run once the handler is gone.
            self.dropped.insert(description.tag.clone());
            self.changes.removes.remove(&description.tag);
            if description.implements.contains(&Phase::HandlerPreremove) {
                let paths = files_with_tag(db, &description.tag)?;
                commands.add(description, Phase::HandlerPreremove, &paths);
            }
        }
        for (tag, paths) in &self.changes.removes {
            if let Some(description) = self.before.get(tag)
                && !SPECIAL.contains(&tag.as_str())
                && description.implements.contains(&Phase::FilesPreremove)
            {
                commands.add(description, Phase::FilesPreremove, paths);
            }
        }
        let mut notes = warnings;
        notes.extend(commands.run(runner, progress));
        Ok(notes)
    }

    /// Runs the built-ins and the post phases (after the commit). Nothing
    /// here fails the transaction: problems are notes. `steps` says which
    /// steps (`builtins`, then `tag:N` for the Nth handler call) already
    /// ran and is told of each as it ends.
    pub fn after(
        mut self,
        db: &Database,
        runner: &Runner,
        privileged: bool,
        progress: &dyn Progress,
        steps: &StepLog,
    ) -> Vec<Note> {
        let mut notes = Vec::new();
        let builtins_due = !steps.is_done("builtins");
        let root = db.root().to_path_buf();
        let has_description = |tag: &str| {
            root.join(TAG_DIR.trim_start_matches('/'))
                .join(tag)
                .is_file()
        };
        // Groups before users: a user's group may come from a group-info
        // file of the same job.
        if let Some(paths) = self.changes.updates.get("group-info")
            && !has_description("group-info")
        {
            if builtins_due {
                notes.extend(builtin::group_info(&root, paths));
            }
            self.changes.updates.remove("group-info");
        }
        if let Some(paths) = self.changes.updates.get("user-info")
            && !has_description("user-info")
        {
            if builtins_due {
                notes.extend(builtin::user_info(&root, paths));
            }
            self.changes.updates.remove("user-info");
        }
        if let Some(paths) = self.changes.updates.remove("shlib") {
            if builtins_due {
                notes.extend(builtin::shlib(runner, privileged, &paths));
            }
        } else if self.changes.removes.contains_key("shlib") && builtins_due {
            notes.extend(builtin::shlib(runner, privileged, &BTreeSet::new()));
        }
        if builtins_due {
            steps.mark("builtins");
        }

        let mut tag_set = self.before.clone();
        tag_set.retain(|tag, _| !self.dropped.contains(tag));
        let after = match load_each(&root) {
            Ok((after, errors)) => {
                // Only the ones this job wrote: the others were reported.
                for (name, error) in errors {
                    if self.changes.written.contains(&format!("{TAG_DIR}/{name}")) {
                        notes.push(Note::new(None, format!("tag description ignored: {error}")));
                    }
                }
                after
            }
            Err(error) => {
                notes.push(Note::new(None, error.to_string()));
                BTreeMap::new()
            }
        };
        let mut commands = TagCommands::default();
        for description in after.values() {
            let changed = self.changes.written.contains(&description.path)
                || description
                    .handler
                    .as_ref()
                    .is_some_and(|handler| self.changes.written.contains(handler));
            if changed {
                // Run over everything installed with the tag, which
                // includes the files of this job: not twice.
                self.changes.updates.remove(&description.tag);
                let paths = match files_with_tag(db, &description.tag) {
                    Ok(paths) => paths,
                    Err(error) => {
                        notes.push(Note::new(None, error.to_string()));
                        continue;
                    }
                };
                if description.implements.contains(&Phase::HandlerUpdate) {
                    commands.add(description, Phase::HandlerUpdate, &paths);
                } else if description.implements.contains(&Phase::FilesUpdate) && !paths.is_empty()
                {
                    commands.add(description, Phase::FilesUpdate, &paths);
                }
            }
            tag_set.insert(description.tag.clone(), description.clone());
        }
        for (tag, paths) in &self.changes.updates {
            if let Some(description) = tag_set.get(tag)
                && !SPECIAL.contains(&tag.as_str())
                && description.implements.contains(&Phase::FilesUpdate)
            {
                commands.add(description, Phase::FilesUpdate, paths);
            }
        }
        for (tag, paths) in &self.changes.removes {
            if let Some(description) = tag_set.get(tag)
                && !SPECIAL.contains(&tag.as_str())
                && description.implements.contains(&Phase::FilesRemove)
            {
                commands.add(description, Phase::FilesRemove, paths);
            }
        }
        notes.extend(commands.run_steps(
            runner,
            progress,
            &mut |index| !steps.is_done(&format!("tag:{index}")),
            &mut |index| steps.mark(&format!("tag:{index}")),
        ));
        notes
    }
}
