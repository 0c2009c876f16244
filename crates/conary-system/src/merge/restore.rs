//! `conary restore` and the write-back of `conary migrate`, as one
//! journaled transaction: installed files removed from disk (and, for
//! migrate, files that differ from their pristine stream) are written back
//! through the journal of [`crate::journal`], so a kill at any step is
//! completed or undone by the next open of the database.
//!
//! The steps are those of an apply: pick the files and fetch their
//! pristine contents (nothing changed yet), write the journal (new
//! directories, each file staged under `.conary-T-N`, each file replaced
//! moved aside to `.conary-T-bN`, directory attributes), create the
//! directories and stage every file, sync, mark `staged`, move the old
//! files aside, rename the staged files into place, sync, commit (the
//! transaction id in the database: restore changes no trove), finish.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::os::unix::fs::symlink;
use std::path::PathBuf;

use conary_api::TroveSource;
use conary_core::digest::Digest;
use conary_core::files::FileKind;
use conary_core::trove::TroveTuple;
use conary_util::{RelPath, SafeRoot, syncfs};
use rusqlite::params;

use super::local::full_path;
use crate::apply::attrs::{Attrs, Ids, set_attrs};
use crate::apply::disk::disk_stream;
use crate::crash;
use crate::db::{Database, InstalledFile};
use crate::error::SystemError;
use crate::journal::{self, Backup, DirAttrs, Journal, Marker, Stage};
use crate::verify::{VerifyOptions, compare};

/// What [`restore`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Restored {
    /// Paths written back.
    pub paths: Vec<String>,
    /// The transaction that wrote them (`None` when nothing was written).
    pub transaction: Option<i64>,
}

/// The pristine contents `digest` of `path`: config contents in the
/// database, an identical installed file, or the trove source.
fn pristine_contents(
    db: &Database,
    digest: &Digest,
    path: &str,
    source: Option<&dyn TroveSource>,
) -> Result<Vec<u8>, SystemError> {
    if let Some(bytes) = db.config_contents(digest)? {
        return Ok(bytes);
    }
    for other in db.paths_with_digest(digest)? {
        let Ok(full) = full_path(db, &other) else {
            continue;
        };
        if let Ok(bytes) = fs::read(&full)
            && Digest::of(&bytes) == *digest
        {
            return Ok(bytes);
        }
    }
    let Some(source) = source else {
        return Err(SystemError::ContentsUnavailable {
            digest: *digest,
            path: path.to_owned(),
            reason: "they are not on this machine and no repository was given".to_owned(),
        });
    };
    let mut bytes = Vec::new();
    source
        .contents(digest, &mut bytes)
        .map_err(|error| SystemError::Source {
            what: format!("contents {digest} of '{path}'"),
            source: error,
        })?;
    if Digest::of(&bytes) != *digest {
        return Err(SystemError::ContentsUnavailable {
            digest: *digest,
            path: path.to_owned(),
            reason: "the trove source sent other contents".to_owned(),
        });
    }
    Ok(bytes)
}

/// What a staged file holds.
enum Body {
    Bytes(Vec<u8>),
    Link(String),
}

/// One file to write back: its temporary name, what it holds, its
/// attributes.
struct Staged {
    temp: PathBuf,
    body: Body,
    attrs: Attrs,
}

fn exists(path: &std::path::Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// The attributes of `file` as installed.
fn attrs_of(file: &InstalledFile, ids: &Ids, privileged: bool) -> Attrs {
    let stream = &file.stream;
    let symlink_kind = matches!(stream.kind, FileKind::Symlink { .. });
    Attrs {
        mode: (!symlink_kind).then_some(u32::from(stream.mode.bits())),
        uid: privileged.then(|| ids.user(&stream.owner).id()),
        gid: privileged.then(|| ids.group(&stream.group).id()),
        mtime: i64::try_from(stream.mtime).ok(),
    }
}

/// The directories above `rel` (relative to the root) that do not exist,
/// into `mkdirs`.
fn missing_parents(
    safe: &SafeRoot,
    rel: &str,
    mkdirs: &mut BTreeSet<String>,
) -> Result<(), SystemError> {
    let mut prefix = String::new();
    let parts: Vec<&str> = rel.split('/').collect();
    for part in parts.iter().take(parts.len().saturating_sub(1)) {
        if !prefix.is_empty() {
            prefix.push('/');
        }
        prefix.push_str(part);
        if mkdirs.contains(&prefix) || !exists(&safe.join(&prefix)?) {
            mkdirs.insert(prefix.clone());
        }
    }
    Ok(())
}

/// Re-creates the files of `troves` that were removed from disk (with
/// `all`, also writes back every file that differs from its pristine
/// stream: `conary migrate` uses it to overwrite local changes), in one
/// journaled transaction (see the module docs). Files the database no
/// longer manages ([`super::local::forget`]) are left alone; devices,
/// fifos and sockets are left to a reinstall. Contents come from the
/// database, the machine, or `source`, all fetched before anything
/// changes.
///
/// # Errors
/// Contents that cannot be found, file-system and database errors; the
/// root is then as it was.
pub fn restore(
    db: &Database,
    troves: &[TroveTuple],
    all: bool,
    source: Option<&dyn TroveSource>,
) -> Result<Restored, SystemError> {
    db.require_writable()?;
    let ids = Ids::load(db.root())?;
    let privileged = crate::apply::is_privileged();
    let options = VerifyOptions { owners: privileged };
    let mut chosen: BTreeMap<String, InstalledFile> = BTreeMap::new();
    for tuple in troves {
        for file in db.files(tuple)? {
            if !file.is_present || chosen.contains_key(&file.path) {
                continue;
            }
            let full = full_path(db, &file.path)?;
            let wanted = match disk_stream(&full, &ids)? {
                None => true,
                Some(on_disk) => all && !compare(&file.stream, Some(&on_disk), options).is_empty(),
            };
            if wanted {
                chosen.insert(file.path.clone(), file);
            }
        }
    }
    let transaction = db.next_transaction_id()?;
    let root = db.root().to_path_buf();
    let safe = SafeRoot::new(&root)?;
    let mut plan = journal::Plan::new(transaction);
    let mut mkdirs: BTreeSet<String> = BTreeSet::new();
    let mut staged: Vec<Staged> = Vec::new();
    let mut restored = Restored::default();
    for (path, file) in &chosen {
        let rel = RelPath::from_rooted(path)
            .map_err(|error| SystemError::UnsafePath {
                path: path.clone(),
                reason: error.to_string(),
            })?
            .to_string();
        let full = safe.join(&rel)?;
        let is_dir = fs::symlink_metadata(&full).is_ok_and(|metadata| metadata.is_dir());
        let body = match &file.stream.kind {
            FileKind::Regular { digest, .. } if !is_dir => {
                Body::Bytes(pristine_contents(db, digest, path, source)?)
            }
            FileKind::Symlink { target } if !is_dir => Body::Link(target.clone()),
            FileKind::Directory if is_dir || !exists(&full) => {
                missing_parents(&safe, &rel, &mut mkdirs)?;
                if !is_dir {
                    mkdirs.insert(rel.clone());
                }
                plan.dir_attrs.push(DirAttrs {
                    path: rel,
                    attrs: attrs_of(file, &ids, privileged),
                });
                restored.paths.push(path.clone());
                continue;
            }
            // A directory where a file belongs, a file where a directory
            // belongs, devices, fifos and sockets: left to a reinstall.
            _ => continue,
        };
        missing_parents(&safe, &rel, &mut mkdirs)?;
        let index = plan.stages.len();
        let temp = format!(".conary-{transaction}-{index}");
        if exists(&full) {
            plan.backups.push(Backup {
                path: rel.clone(),
                backup: format!(".conary-{transaction}-b{}", plan.backups.len()),
            });
        }
        staged.push(Staged {
            temp: full.with_file_name(&temp),
            body,
            attrs: attrs_of(file, &ids, privileged),
        });
        plan.stages.push(Stage { path: rel, temp });
        restored.paths.push(path.clone());
    }
    if restored.paths.is_empty() {
        return Ok(restored);
    }
    plan.mkdirs = mkdirs.into_iter().collect();
    let description = format!("restore {} file(s)", restored.paths.len());
    let mut journal = Journal::create(db.dir(), plan)?;
    let mut committed = false;
    let outcome = (|| -> Result<(), SystemError> {
        for dir in &journal.plan.mkdirs {
            let full = safe.join(dir)?;
            if !full.is_dir() {
                fs::create_dir(&full).map_err(SystemError::io_with("create directory", &full))?;
            }
            crash::point("mkdir");
        }
        for file in &staged {
            let _ = fs::remove_file(&file.temp);
            match &file.body {
                Body::Bytes(bytes) => {
                    fs::write(&file.temp, bytes)
                        .map_err(SystemError::io_with("write", &file.temp))?;
                }
                Body::Link(target) => symlink(target, &file.temp)
                    .map_err(SystemError::io_with("create symlink", &file.temp))?,
            }
            set_attrs(&file.temp, &file.attrs, privileged)?;
            crash::point("stage");
        }
        syncfs(&root)?;
        journal.mark(Marker::Staged)?;
        crash::point("staged");
        for backup in &journal.plan.backups {
            let full = safe.join(&backup.path)?;
            fs::rename(&full, full.with_file_name(&backup.backup))
                .map_err(SystemError::io_with("move aside", &full))?;
            crash::point("backup");
        }
        for (stage, file) in journal.plan.stages.iter().zip(&staged) {
            let full = safe.join(&stage.path)?;
            fs::rename(&file.temp, &full)
                .map_err(SystemError::io_with("rename into place", &full))?;
            crash::point("rename");
        }
        syncfs(&root)?;
        crash::point("renamed");
        // Hooks recorded by a transaction that never committed must not
        // be taken for this one's (same id).
        crate::scripts::pending::discard_uncommitted(db)?;
        let time = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| {
                i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
            });
        db.connection()
            .execute(
                "INSERT INTO transactions (id, kind, time, description) VALUES (?1, 'update', ?2, ?3)",
                params![transaction, time, description],
            )
            .map_err(SystemError::db("recording the transaction"))?;
        committed = true;
        crash::point("committed");
        journal::finish(&root, db.dir(), &journal, privileged)?;
        Ok(())
    })();
    if let Err(error) = outcome {
        if !committed && journal::undo(&root, db.dir(), &journal).is_ok() {
            let _ = journal.remove();
        }
        return Err(error);
    }
    journal.remove()?;
    crash::point("done");
    restored.paths.sort();
    restored.transaction = Some(transaction);
    Ok(restored)
}
