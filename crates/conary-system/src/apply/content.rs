//! Where each needed contents comes from: the changeset's payloads, the
//! machine (config contents kept in the database, installed files checked
//! against their digest, earlier downloads), or the trove source. Everything
//! not in the changeset is found or fetched before the root is touched.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write as _};
use std::path::{Path, PathBuf};

use conary_api::TroveSource;
use conary_changeset::{ChangeSet, ContentKind, ContentSource};
use conary_core::digest::Digest;
use conary_util::{create_dir_all_synced, safe_join};

use super::disk;
use super::plan::{Content, FilePlan, Make};
use crate::db::Database;
use crate::error::SystemError;

/// Where one contents comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A payload of the changeset (full or delta).
    Payload,
    /// The database's config contents.
    Config,
    /// A file on disk, checked against the digest when read.
    File(PathBuf),
    /// A file this transaction downloaded into the cache: staging may move
    /// it into place instead of copying it (checked against the digest
    /// there).
    Download(PathBuf),
}

/// The contents a transaction needs, and where each comes from.
#[derive(Debug, Default)]
pub(crate) struct Contents {
    /// Every needed digest.
    pub origins: BTreeMap<Digest, Origin>,
    /// Bytes held in memory: config contents from the database (merge
    /// bases and unchanged config files).
    pub bytes: BTreeMap<Digest, Vec<u8>>,
    /// The bases of deltas, found on the machine.
    pub bases: Bases,
}

/// The bases of binary deltas: a [`ContentSource`] over the machine.
#[derive(Debug, Default)]
pub(crate) struct Bases {
    bytes: BTreeMap<Digest, Vec<u8>>,
    files: BTreeMap<Digest, PathBuf>,
}

impl Bases {
    /// True when the base `digest` is at hand.
    pub(crate) fn has(&self, digest: &Digest) -> bool {
        self.bytes.contains_key(digest) || self.files.contains_key(digest)
    }

    /// Adds a base held in memory.
    pub(crate) fn add_bytes(&mut self, digest: Digest, bytes: Vec<u8>) {
        self.bytes.insert(digest, bytes);
    }

    /// Adds a base in a file (checked against its digest when read).
    pub(crate) fn add_file(&mut self, digest: Digest, file: PathBuf) {
        self.files.insert(digest, file);
    }
}

impl ContentSource for Bases {
    fn open(&self, digest: &Digest) -> io::Result<Option<Box<dyn Read + '_>>> {
        if let Some(bytes) = self.bytes.get(digest) {
            return Ok(Some(Box::new(&bytes[..])));
        }
        match self.files.get(digest) {
            Some(path) => Ok(Some(Box::new(File::open(path)?))),
            None => Ok(None),
        }
    }
}

/// The download cache in the database directory: complete, verified
/// contents by digest, kept until a transaction using them commits, so an
/// interrupted fetch resumes where it stopped.
pub(crate) fn cache_dir(db: &Database) -> PathBuf {
    db.dir().join("cache")
}

/// An installed file with contents `digest`, checked by hashing it.
pub(crate) fn local_file(db: &Database, digest: &Digest) -> Result<Option<PathBuf>, SystemError> {
    for path in db.paths_with_digest(digest)? {
        let Some(relative) = path.strip_prefix('/') else {
            continue;
        };
        let Ok(full) = safe_join(db.root(), relative) else {
            continue;
        };
        if disk::digest_if_regular(&full)? == Some(*digest) {
            return Ok(Some(full));
        }
    }
    let cached = cache_dir(db).join(digest.to_string());
    if cached.is_file() && disk::hash_file(&cached)?.0 == *digest {
        return Ok(Some(cached));
    }
    Ok(None)
}

/// Downloads `digest` from `source` into the cache and checks it.
fn fetch(
    db: &Database,
    source: &dyn TroveSource,
    digest: &Digest,
    path: &str,
) -> Result<PathBuf, SystemError> {
    let dir = cache_dir(db);
    create_dir_all_synced(&dir)?;
    let target = dir.join(digest.to_string());
    let part = dir.join(format!("{digest}.part"));
    let file = File::create(&part).map_err(SystemError::io_with("create", &part))?;
    let mut out = BufWriter::new(file);
    source
        .contents(digest, &mut out)
        .map_err(|error| SystemError::Source {
            what: format!("contents {digest} of '{path}'"),
            source: error,
        })?;
    out.flush().map_err(SystemError::io_with("write", &part))?;
    drop(out);
    let (found, _) = disk::hash_file(&part)?;
    if found != *digest {
        let _ = fs::remove_file(&part);
        return Err(SystemError::ContentsUnavailable {
            digest: *digest,
            path: path.to_owned(),
            reason: format!("the trove source sent contents with digest {found}"),
        });
    }
    fs::rename(&part, &target).map_err(SystemError::io_with("rename", &target))?;
    Ok(target)
}

/// Finds or fetches every contents `plan` needs that the changeset does not
/// carry, and every base of a needed delta. With `by_changeset` (a
/// rollback), contents to fetch are first asked for as one changeset of
/// the trove changes that need them ([`super::fetch`]).
pub(crate) fn resolve(
    db: &Database,
    changeset: &ChangeSet,
    plan: &FilePlan,
    source: Option<&dyn TroveSource>,
    by_changeset: bool,
) -> Result<Contents, SystemError> {
    let mut contents = Contents::default();
    let mut to_fetch: BTreeMap<Digest, &str> = BTreeMap::new();
    let mut needed: BTreeMap<Digest, &str> = BTreeMap::new();
    for stage in &plan.stages {
        let Make::Regular { content, .. } = &stage.make else {
            continue;
        };
        match content {
            Content::Digest(digest) => {
                needed.entry(*digest).or_insert(&stage.path);
            }
            Content::Merge { base, head } => {
                needed.entry(*head).or_insert(&stage.path);
                let bytes =
                    db.config_contents(base)?
                        .ok_or_else(|| SystemError::MergeConflict {
                            path: stage.path.clone(),
                            reason: "its pristine contents are not in the database".to_owned(),
                            hint: "--replace-config-files",
                        })?;
                contents.bytes.insert(*base, bytes);
            }
            Content::KeepDisk | Content::Override(_) => {}
        }
    }
    for (digest, path) in needed {
        match changeset.contents.get(&digest).map(|entry| entry.kind) {
            Some(ContentKind::Full) => {
                contents.origins.insert(digest, Origin::Payload);
            }
            Some(ContentKind::Delta { base }) => {
                contents.origins.insert(digest, Origin::Payload);
                if contents.bases.bytes.contains_key(&base)
                    || contents.bases.files.contains_key(&base)
                {
                    continue;
                }
                if let Some(file) = plan.verified.get(&base) {
                    contents.bases.files.insert(base, file.clone());
                } else if let Some(bytes) = db.config_contents(&base)? {
                    contents.bases.bytes.insert(base, bytes);
                } else if let Some(file) = local_file(db, &base)? {
                    contents.bases.files.insert(base, file);
                } else {
                    let installed = db.paths_with_digest(&base)?;
                    let path = installed.first().map_or(path, String::as_str);
                    return Err(SystemError::DeltaBase {
                        path: path.to_owned(),
                        base,
                    });
                }
            }
            Some(ContentKind::Reference) | None => {
                if let Some(bytes) = db.config_contents(&digest)? {
                    contents.bytes.insert(digest, bytes);
                    contents.origins.insert(digest, Origin::Config);
                } else if let Some(file) = local_file(db, &digest)? {
                    contents.origins.insert(digest, Origin::File(file));
                } else if source.is_some() {
                    to_fetch.insert(digest, path);
                } else {
                    return Err(SystemError::ContentsUnavailable {
                        digest,
                        path: path.to_owned(),
                        reason: "they are not on this machine and no repository was given"
                            .to_owned(),
                    });
                }
            }
        }
    }
    let Some(source) = source.filter(|_| !to_fetch.is_empty()) else {
        return Ok(contents);
    };
    if by_changeset {
        let missing = to_fetch.keys().copied().collect();
        for (digest, file) in super::fetch::fetch_by_changeset(db, changeset, &missing, source)? {
            to_fetch.remove(&digest);
            contents.origins.insert(digest, Origin::Download(file));
        }
    }
    for (digest, path) in to_fetch {
        let file = fetch(db, source, &digest, path)?;
        contents.origins.insert(digest, Origin::Download(file));
    }
    Ok(contents)
}

/// Removes the download cache (after a commit: what it held is installed).
pub(crate) fn clear_cache(db: &Database) {
    let dir = cache_dir(db);
    if Path::new(&dir).exists() {
        let _ = fs::remove_dir_all(&dir);
    }
}
