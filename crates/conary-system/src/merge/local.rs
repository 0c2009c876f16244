//! Local changes of installed troves, seen and handled as such:
//! [`local_changeset`] (`conary localcs`), [`restore`] (`conary restore`)
//! and [`forget`] (`conary remove`).

use std::collections::BTreeMap;
use std::fs;
use std::io::Write as _;
use std::os::unix::fs::symlink;
use std::path::Path;

use conary_api::TroveSource;
use conary_changeset::{ChangeSet, ChangeSetBuilder, MemContents, NoContents};
use conary_core::digest::{Digest, FileId, PathId};
use conary_core::files::{FileKind, FileStream};
use conary_core::trove::{Trove, TroveTuple};
use conary_core::version::Label;
use conary_util::{RelPath, safe_join};
use rusqlite::params;

use crate::apply::attrs::{Attrs, Ids, set_attrs};
use crate::apply::disk::disk_stream;
use crate::db::{Database, InstalledFile};
use crate::error::SystemError;
use crate::verify::{VerifyOptions, compare};

fn full_path(db: &Database, path: &str) -> Result<std::path::PathBuf, SystemError> {
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

/// What [`restore`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Restored {
    /// Paths written back.
    pub paths: Vec<String>,
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

/// Writes `file` back as installed, through a temporary file renamed into
/// place.
fn write_back(
    db: &Database,
    file: &InstalledFile,
    full: &Path,
    ids: &Ids,
    privileged: bool,
    source: Option<&dyn TroveSource>,
) -> Result<bool, SystemError> {
    let stream = &file.stream;
    if let Some(parent) = full.parent() {
        fs::create_dir_all(parent).map_err(SystemError::io_with("create directory", parent))?;
    }
    let temp = full.with_file_name(format!(
        ".conary-restore-{}",
        full.file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    ));
    let _ = fs::remove_file(&temp);
    match &stream.kind {
        FileKind::Regular { digest, .. } => {
            let bytes = pristine_contents(db, digest, &file.path, source)?;
            fs::write(&temp, bytes).map_err(SystemError::io_with("write", &temp))?;
        }
        FileKind::Symlink { target } => {
            symlink(target, &temp).map_err(SystemError::io_with("create symlink", &temp))?;
        }
        FileKind::Directory => {
            if !full.is_dir() {
                fs::create_dir(full).map_err(SystemError::io_with("create directory", full))?;
            }
            return Ok(true);
        }
        // Devices, fifos and sockets are left to a reinstall.
        _ => return Ok(false),
    }
    let symlink_kind = matches!(stream.kind, FileKind::Symlink { .. });
    let attrs = Attrs {
        mode: (!symlink_kind).then_some(u32::from(stream.mode.bits())),
        uid: privileged.then(|| ids.user(&stream.owner).id()),
        gid: privileged.then(|| ids.group(&stream.group).id()),
        mtime: i64::try_from(stream.mtime).ok(),
    };
    set_attrs(&temp, &attrs, privileged)?;
    if full.is_dir() && !symlink_kind {
        let _ = fs::remove_file(&temp);
        return Ok(false);
    }
    fs::rename(&temp, full).map_err(SystemError::io_with("rename into place", full))?;
    Ok(true)
}

/// Re-creates the files of `troves` that were removed from disk (with
/// `all`, also writes back every file that differs from its pristine
/// stream: `conary migrate` uses it to overwrite local changes). Files the
/// database no longer manages ([`forget`]) are left alone. Contents come
/// from the database, the machine, or `source`.
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
    let mut restored = Restored::default();
    for tuple in troves {
        for file in db.files(tuple)? {
            if !file.is_present {
                continue;
            }
            let full = full_path(db, &file.path)?;
            let on_disk = disk_stream(&full, &ids)?;
            let wanted = match &on_disk {
                None => true,
                Some(on_disk) => all && !compare(&file.stream, Some(on_disk), options).is_empty(),
            };
            if wanted && write_back(db, &file, &full, &ids, privileged, source)? {
                restored.paths.push(file.path.clone());
            }
        }
    }
    restored.paths.sort();
    restored.paths.dedup();
    Ok(restored)
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
