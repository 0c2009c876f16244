//! One rollback entry on disk: `rollbacks/<transaction>/` holds
//! `repos.ccs` (the inverse changeset: repository contents as references,
//! config contents and local-only contents whole) and `local.json` with
//! `local/N` (files whose contents only the machine had, restored after the
//! inverse is applied).

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read};
use std::path::{Path, PathBuf};

use conary_changeset::{ChangeSet, ChangeSetWriter, ContentSource, invert};
use conary_core::digest::{Digest, FileId};
use conary_core::files::{FileKind, FileStream};
use conary_util::{create_dir_all_synced, fsync_batch, fsync_dir, safe_join};
use serde::{Deserialize, Serialize};

use crate::apply::disk;
use crate::apply::plan::{LocalSave, Override};
use crate::apply::troves::{OldFiles, TroveOps};
use crate::db::Database;
use crate::error::SystemError;

/// The inverse changeset's file name.
pub(crate) const REPOS_FILE: &str = "repos.ccs";
/// The local part's file name.
pub(crate) const LOCAL_FILE: &str = "local.json";

/// Contents only the machine can give: config contents from the database,
/// and (with local rollbacks) installed files that still match.
#[derive(Debug, Default)]
pub(crate) struct LocalContents {
    bytes: BTreeMap<Digest, Vec<u8>>,
    files: BTreeMap<Digest, PathBuf>,
}

impl LocalContents {
    fn has(&self, digest: &Digest) -> bool {
        self.bytes.contains_key(digest) || self.files.contains_key(digest)
    }
}

impl ContentSource for LocalContents {
    fn open(&self, digest: &Digest) -> io::Result<Option<Box<dyn Read + '_>>> {
        if let Some(bytes) = self.bytes.get(digest) {
            return Ok(Some(Box::new(&bytes[..])));
        }
        match self.files.get(digest) {
            Some(path) => Ok(Some(Box::new(BufReader::new(File::open(path)?)))),
            None => Ok(None),
        }
    }
}

/// The inverse of applying `changeset` as `ops` says, and the local
/// contents to write it with.
pub(crate) fn inverse(
    db: &Database,
    changeset: &ChangeSet,
    ops: &TroveOps,
    old_files: &OldFiles,
    new_streams: &BTreeMap<FileId, FileStream>,
    old_streams: &BTreeMap<FileId, FileStream>,
    local_rollbacks: bool,
) -> Result<(ChangeSet, LocalContents), SystemError> {
    // The changeset as applied: absolute changes that replaced a trove
    // become relative, so that the inverse restores it.
    let mut applied = ChangeSet {
        primary: changeset.primary.clone(),
        files: changeset.files.clone(),
        erased: ops.erased.iter().cloned().collect(),
        ..ChangeSet::default()
    };
    for change in &ops.changes {
        let change = match &change.old {
            Some(old) => conary_changeset::TroveChange::relative(old.clone(), change.new.clone()),
            None => conary_changeset::TroveChange::absolute(change.new.clone()),
        };
        applied.add_trove(change);
    }
    let mut local = LocalContents::default();
    for files in old_files.values() {
        for file in files {
            let Some(digest) = file.stream.content_digest() else {
                continue;
            };
            if local.has(&digest) {
                continue;
            }
            if file.stream.flags.is_config()
                && let Some(bytes) = db.config_contents(&digest)?
            {
                local.bytes.insert(digest, bytes);
            } else if local_rollbacks
                && let Some(relative) = file.path.strip_prefix('/')
                && let Ok(full) = safe_join(db.root(), relative)
                && disk::digest_if_regular(&full)? == Some(digest)
            {
                local.files.insert(digest, full);
            }
        }
    }
    let mut streams = old_streams.clone();
    streams.extend(new_streams.iter().map(|(id, stream)| (*id, stream.clone())));
    let inverse = invert(&applied, &ops.old_troves, &streams, &|digest| {
        !local.has(digest)
    })?;
    Ok((inverse, local))
}

/// One saved file in `local.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SavedFile {
    /// The path as installed.
    path: String,
    /// The canonical encoding of its stream on disk, in hex.
    stream: String,
    /// The saved contents, relative to the entry's directory.
    file: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|at| {
            text.get(at..at + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
        })
        .collect()
}

/// Writes a rollback entry in `dir` (which must not exist), durably.
pub(crate) fn write_entry(
    dir: &Path,
    inverse: &ChangeSet,
    local: &LocalContents,
    saves: &[LocalSave],
) -> Result<(), SystemError> {
    create_dir_all_synced(&dir.join("local"))?;
    let repos = dir.join(REPOS_FILE);
    let file = File::create(&repos).map_err(SystemError::io_with("create", &repos))?;
    // Kept on this machine: its index is written fast rather than small.
    let mut writer =
        conary_changeset::with_index_level(conary_changeset::LOCAL_INDEX_LEVEL, || {
            ChangeSetWriter::new(BufWriter::new(file), inverse)
        })?;
    writer.write_all(local)?;
    let out = writer.finish()?;
    out.into_inner()
        .map_err(|e| SystemError::io("write", &repos, e.into_error()))?;
    let mut written = vec![repos];
    let mut saved = Vec::new();
    for (index, save) in saves.iter().enumerate() {
        let name = format!("local/{index}");
        let target = dir.join(&name);
        fs::copy(&save.full, &target).map_err(SystemError::io_with("save", &save.full))?;
        let (digest, _) = disk::hash_file(&target)?;
        if Some(digest) != save.stream.content_digest() {
            return Err(SystemError::ContentsUnavailable {
                digest,
                path: save.path.clone(),
                reason: "the file changed while it was saved for the rollback".to_owned(),
            });
        }
        saved.push(SavedFile {
            path: save.path.clone(),
            stream: hex(&save.stream.encode()),
            file: name,
        });
        written.push(target);
    }
    let list = dir.join(LOCAL_FILE);
    let json = serde_json::to_vec_pretty(&saved).map_err(|e| {
        SystemError::corrupt(format!("cannot encode the rollback's local files: {e}"))
    })?;
    fs::write(&list, json).map_err(SystemError::io_with("write", &list))?;
    written.push(list);
    fsync_batch(&written)?;
    fsync_dir(dir)?;
    Ok(())
}

/// Reads the local part of the entry in `dir`.
pub(crate) fn read_overrides(dir: &Path) -> Result<Vec<Override>, SystemError> {
    let list = dir.join(LOCAL_FILE);
    let text = match fs::read(&list) {
        Ok(text) => text,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(SystemError::io("read", &list, error)),
    };
    let saved: Vec<SavedFile> = serde_json::from_slice(&text)
        .map_err(|e| SystemError::corrupt(format!("'{}': {e}", list.display())))?;
    saved
        .into_iter()
        .map(|item| {
            let bad = || {
                SystemError::corrupt(format!(
                    "'{}': bad entry for '{}'",
                    list.display(),
                    item.path
                ))
            };
            let bytes = unhex(&item.stream).ok_or_else(bad)?;
            let stream = FileStream::decode(&bytes).map_err(|_| bad())?;
            if !matches!(stream.kind, FileKind::Regular { .. }) || item.file.contains("..") {
                return Err(bad());
            }
            Ok(Override {
                path: item.path,
                stream,
                file: dir.join(item.file),
            })
        })
        .collect()
}
