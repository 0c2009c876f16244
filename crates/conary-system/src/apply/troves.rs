//! What a changeset does to troves: which installed trove each new trove
//! replaces, and which are erased; checked against the database.

use std::collections::{BTreeMap, BTreeSet};

use conary_api::Job;
use conary_changeset::ChangeSet;
use conary_core::digest::FileId;
use conary_core::files::FileStream;
use conary_core::trove::{Trove, TroveTuple};

use crate::db::{Database, InstalledFile};
use crate::error::SystemError;

/// One trove the transaction installs, and the one it replaces.
#[derive(Debug, Clone)]
pub(crate) struct TroveChange {
    /// The trove replaced (updated from), if any.
    pub old: Option<TroveTuple>,
    /// The new trove's manifest.
    pub new: Trove,
}

/// The trove-level effect of a changeset on this machine.
#[derive(Debug, Clone, Default)]
pub(crate) struct TroveOps {
    /// Troves installed, each with what it replaces.
    pub changes: Vec<TroveChange>,
    /// Troves erased without replacement.
    pub erased: Vec<TroveTuple>,
    /// The manifests of every trove replaced or erased, from the database.
    pub old_troves: BTreeMap<TroveTuple, Trove>,
}

impl TroveOps {
    /// Every trove that stops being installed.
    pub(crate) fn removed(&self) -> BTreeSet<TroveTuple> {
        self.changes
            .iter()
            .filter_map(|change| change.old.clone())
            .chain(self.erased.iter().cloned())
            .collect()
    }

    /// One line per trove change, as the rollback stack shows it.
    pub(crate) fn description(&self) -> String {
        let mut lines: Vec<String> = self
            .changes
            .iter()
            .map(|change| match &change.old {
                Some(old) => format!("update {old} -> {}", change.new.version),
                None => format!("install {}", change.new.tuple()),
            })
            .collect();
        lines.extend(self.erased.iter().map(|tuple| format!("erase {tuple}")));
        lines.join("\n")
    }
}

/// The installed trove an absolute change of `new` replaces: the old trove
/// of a job `old -> new`, else the member of a replaced collection that
/// references `new` with the same name (the same flavor first).
fn replaced_by_absolute(
    db: &Database,
    changeset: &ChangeSet,
    jobs: &[Job],
    new: &TroveTuple,
    taken: &BTreeSet<TroveTuple>,
) -> Result<Option<TroveTuple>, SystemError> {
    if let Some(job) = jobs
        .iter()
        .find(|job| job.new_tuple().as_ref() == Some(new))
    {
        return Ok(job.old_tuple());
    }
    for change in changeset.troves.values() {
        if !change.new.iter_refs().any(|(tuple, _, _)| tuple == new) {
            continue;
        }
        let old_parent = match &change.old {
            Some(old) => Some(old.clone()),
            None => jobs
                .iter()
                .find(|job| job.new_tuple().as_ref() == Some(&change.new.tuple()))
                .and_then(Job::old_tuple),
        };
        let Some(old_parent) = old_parent else {
            continue;
        };
        let Some(parent) = db.trove(&old_parent)? else {
            continue;
        };
        let mut candidates: Vec<&TroveTuple> = parent
            .iter_refs()
            .map(|(tuple, _, _)| tuple)
            .filter(|tuple| tuple.name == new.name && !taken.contains(*tuple))
            .collect();
        candidates.sort_by_key(|tuple| tuple.flavor != new.flavor);
        for candidate in candidates {
            if db.is_installed(candidate)? {
                return Ok(Some(candidate.clone()));
            }
        }
    }
    Ok(None)
}

/// Works out and checks the trove changes of `changeset`.
pub(crate) fn resolve(
    db: &Database,
    changeset: &ChangeSet,
    jobs: &[Job],
    ignore_pins: bool,
) -> Result<TroveOps, SystemError> {
    let mut ops = TroveOps::default();
    let mut taken: BTreeSet<TroveTuple> = changeset
        .troves
        .values()
        .filter_map(|change| change.old.clone())
        .chain(changeset.erased.iter().cloned())
        .collect();
    for change in changeset.troves.values() {
        let new = change.new.tuple();
        if db.is_installed(&new)? {
            return Err(SystemError::job(format!(
                "trove {new} is already installed"
            )));
        }
        let old = match &change.old {
            Some(old) => Some(old.clone()),
            None => {
                let old = replaced_by_absolute(db, changeset, jobs, &new, &taken)?;
                if let Some(old) = &old {
                    taken.insert(old.clone());
                }
                old
            }
        };
        ops.changes.push(TroveChange {
            old,
            new: change.new.clone(),
        });
    }
    ops.erased = changeset.erased.iter().cloned().collect();
    for tuple in ops.removed() {
        let trove = db.trove(&tuple)?.ok_or_else(|| {
            SystemError::job(format!(
                "trove {tuple} is not installed, but the changeset replaces or erases it"
            ))
        })?;
        if !ignore_pins && db.is_pinned(&tuple)? == Some(true) {
            return Err(SystemError::Pinned {
                trove: tuple.to_string(),
            });
        }
        ops.old_troves.insert(tuple, trove);
    }
    Ok(ops)
}

/// The streams of every file of the new troves: from the changeset, or for
/// files it does not carry (unchanged since the old trove) from the
/// database.
pub(crate) fn new_streams(
    db: &Database,
    changeset: &ChangeSet,
    ops: &TroveOps,
) -> Result<BTreeMap<FileId, FileStream>, SystemError> {
    let mut streams = BTreeMap::new();
    for change in &ops.changes {
        for file in change.new.files.values() {
            if streams.contains_key(&file.file_id) {
                continue;
            }
            let stream = match changeset.files.get(&file.file_id) {
                Some(stream) => stream.clone(),
                None => db.stream(&file.file_id)?.ok_or_else(|| {
                    SystemError::job(format!(
                        "the changeset has no stream for '{}' of trove {} and none is installed",
                        file.path,
                        change.new.tuple()
                    ))
                })?,
            };
            streams.insert(file.file_id, stream);
        }
    }
    Ok(streams)
}

/// The installed files of each trove replaced or erased.
pub(crate) type OldFiles = BTreeMap<TroveTuple, Vec<InstalledFile>>;

/// The installed files of every trove replaced or erased, read once for
/// the whole transaction (the streams, the file plan and the rollback all
/// need them).
pub(crate) fn old_files(db: &Database, ops: &TroveOps) -> Result<OldFiles, SystemError> {
    ops.old_troves
        .keys()
        .map(|tuple| Ok((tuple.clone(), db.files(tuple)?)))
        .collect()
}

/// The streams of every file of the troves replaced or erased.
pub(crate) fn old_streams(old_files: &OldFiles) -> BTreeMap<FileId, FileStream> {
    old_files
        .values()
        .flatten()
        .map(|file| (file.file_id, file.stream.clone()))
        .collect()
}
