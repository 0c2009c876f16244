//! Local changes of installed troves, seen and handled as such:
//! [`local_changeset`] (`conary localcs`), [`restore`] (`conary restore`,
//! journaled: see [`super::restore`]) and [`forget`] (`conary remove`).

use std::collections::BTreeMap;
use std::fs;
use std::io::Write as _;
use std::path::Path;

use conary_changeset::{ChangeSet, ChangeSetBuilder, MemContents, NoContents};
use conary_core::digest::{FileId, PathId};
use conary_core::files::{FileKind, FileStream};
use conary_core::trove::{Trove, TroveTuple};
use conary_core::version::Label;
use conary_util::{RelPath, safe_join};
use rusqlite::params;

use crate::apply::attrs::Ids;
use crate::apply::disk::disk_stream;
use crate::db::Database;
use crate::error::SystemError;
use crate::verify::{VerifyOptions, compare};

pub use super::restore::{Restored, restore};

pub(crate) fn full_path(db: &Database, path: &str) -> Result<std::path::PathBuf, SystemError> {
    let rel = RelPath::from_rooted(path).map_err(|error| SystemError::UnsafePath {
        path: path.to_owned(),
        reason: error.to_string(),
    })?;
    Ok(safe_join(db.root(), &rel.to_string())?)
}

/// The stream a file has on this machine: the pristine stream with what is
/// on disk (type, contents, target, mode, mtime; owners when `owners`).
fn local_stream(pristine: &FileStream, on_disk: &FileStream, owners: bool) -> FileStream {
    let mut stream = pristine.clone();
    stream.kind = match (&on_disk.kind, &pristine.kind) {
        (FileKind::Regular { size, digest, .. }, FileKind::Regular { link_group, .. }) => {
            FileKind::Regular {
                size: *size,
                digest: *digest,
                link_group: *link_group,
            }
        }
        (kind, _) => kind.clone(),
    };
    stream.mode = on_disk.mode;
    stream.mtime = on_disk.mtime;
    if owners {
        stream.owner.clone_from(&on_disk.owner);
        stream.group.clone_from(&on_disk.group);
    }
    stream
}

/// The local changes of the installed troves `tuples` as one changeset of
/// relative changes, each from the pristine trove to a version on
/// `local@local:LOCAL` (the original's local shadow): changed files with
/// their contents from disk, files removed from disk left out. `owners`:
/// count owner and group changes (meaningful as root). Returns the
/// changeset and the contents it carries.
pub fn local_changeset(
    db: &Database,
    tuples: &[TroveTuple],
    owners: bool,
) -> Result<(ChangeSet, MemContents), SystemError> {
    let ids = Ids::load(db.root())?;
    let mut contents = MemContents::new();
    let mut builder = ChangeSetBuilder::new();
    for tuple in tuples {
        let (pristine, local, streams) = local_trove(db, tuple, owners, &ids, &mut contents)?;
        builder.add_primary(local.tuple());
        builder.add_relative(&pristine, local, &streams)?;
    }
    let changeset = builder.build(&NoContents, &contents)?;
    Ok((changeset, contents))
}

/// The pristine trove `tuple`, its local version and every stream either
/// has; the contents of changed files go to `contents`.
fn local_trove(
    db: &Database,
    tuple: &TroveTuple,
    owners: bool,
    ids: &Ids,
    contents: &mut MemContents,
) -> Result<(Trove, Trove, BTreeMap<FileId, FileStream>), SystemError> {
    let pristine = db
        .trove(tuple)?
        .ok_or_else(|| SystemError::job(format!("trove {tuple} is not installed")))?;
    let mut local = pristine.clone();
    local.version = pristine
        .version
        .create_shadow(Label::local())
        .map_err(|error| SystemError::job(format!("no local version of {tuple}: {error}")))?;
    let path_ids: BTreeMap<String, PathId> = local
        .files
        .iter()
        .map(|(path_id, file)| (file.path.clone(), *path_id))
        .collect();
    let mut streams: BTreeMap<FileId, FileStream> = BTreeMap::new();
    let options = VerifyOptions { owners };
    for file in db.files(tuple)? {
        streams.insert(file.file_id, file.stream.clone());
        let Some(path_id) = path_ids.get(&file.path) else {
            continue;
        };
        if !file.is_present {
            continue;
        }
        let full = full_path(db, &file.path)?;
        let Some(on_disk) = disk_stream(&full, ids)? else {
            local.files.remove(path_id);
            continue;
        };
        if compare(&file.stream, Some(&on_disk), options).is_empty() {
            continue;
        }
        let stream = local_stream(&file.stream, &on_disk, owners);
        if let FileKind::Regular { .. } = stream.kind {
            let bytes = fs::read(&full).map_err(SystemError::io_with("read", &full))?;
            contents.insert(bytes);
        }
        if let Some(entry) = local.files.get_mut(path_id) {
            entry.file_id = stream.file_id();
            entry.file_version = local.version.clone();
        }
        streams.insert(stream.file_id(), stream);
    }
    Ok((pristine, local, streams))
}

/// Writes [`local_changeset`] of `tuples` to `out`; returns its size.
pub fn write_local_changeset(
    db: &Database,
    tuples: &[TroveTuple],
    owners: bool,
    out: &Path,
) -> Result<u64, SystemError> {
    let (changeset, contents) = local_changeset(db, tuples, owners)?;
    let bytes = conary_changeset::write_changeset(Vec::new(), &changeset, &contents)?;
    let mut file = fs::File::create(out).map_err(SystemError::io_with("create", out))?;
    file.write_all(&bytes)
        .map_err(SystemError::io_with("write", out))?;
    Ok(bytes.len() as u64)
}

/// Stops managing `path`: the troves owning it forget it (their file is
/// marked not present, as the original's `conary remove` does) and the file
/// stays on disk. Returns the troves that owned it.
pub fn forget(db: &mut Database, path: &str) -> Result<Vec<TroveTuple>, SystemError> {
    db.require_writable()?;
    let owners: Vec<TroveTuple> = db
        .owners(path)?
        .into_iter()
        .filter(|file| file.is_present)
        .map(|file| file.trove)
        .collect();
    if owners.is_empty() {
        return Err(SystemError::job(format!(
            "'{path}' is not a file of an installed trove"
        )));
    }
    db.connection_mut()
        .execute(
            "UPDATE trove_files SET is_present = 0 WHERE path = ?1 AND is_present = 1",
            params![path],
        )
        .map_err(SystemError::db("forget a file"))?;
    Ok(owners)
}
