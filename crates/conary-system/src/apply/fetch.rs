//! Fetching many missing contents at once: a rollback's inverse changeset
//! refers to repository contents that the update replaced, so they are
//! no longer on the machine. Instead of fetching each whole, the trove
//! source is asked for ONE relative changeset of the inverse jobs
//! (installed → restored troves): it carries the old contents as deltas
//! against what is installed, the update's size rather than the contents'
//! (on the Debian corpus, 2.7 MB instead of 17.6 MB).
//!
//! Each wanted payload is decoded (against installed contents, checked by
//! digest) into the download cache, where the stager finds it as it finds
//! a file fetched alone. Whatever this does not give (the source refuses
//! the changeset, a base was changed on disk, a payload is missing) is
//! left to the one-by-one fetch, so it can only save work.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::{BufReader, BufWriter, Write as _};
use std::path::PathBuf;

use conary_api::{Job, TroveSource};
use conary_changeset::{ChangeSet, ChangeSetReader, ContentKind, PayloadId};
use conary_core::digest::Digest;
use conary_util::create_dir_all_synced;

use super::content::{Bases, cache_dir, local_file};
use crate::db::Database;
use crate::error::SystemError;

/// The name of the fetched changeset in the download cache.
const FETCHED: &str = "fetched.ccs";

/// The jobs whose changeset carries the contents `missing`: one per trove
/// change of `changeset` that has a file with such contents (relative
/// changes as updates from the installed trove, others as installs).
pub(crate) fn jobs_for(changeset: &ChangeSet, missing: &BTreeSet<Digest>) -> Vec<Job> {
    let mut jobs = Vec::new();
    for change in changeset.troves.values() {
        let wanted = change.new.files.values().any(|file| {
            changeset
                .files
                .get(&file.file_id)
                .and_then(|stream| stream.content_digest())
                .is_some_and(|digest| missing.contains(&digest))
        });
        if !wanted {
            continue;
        }
        let new = (change.new.version.clone(), change.new.flavor.clone());
        jobs.push(match &change.old {
            Some(old) => Job::update(
                change.new.name.clone(),
                (old.version.clone(), old.flavor.clone()),
                new,
            ),
            None => Job::install(change.new.name.clone(), new.0, new.1),
        });
    }
    jobs
}

/// Asks `source` for one changeset of the trove changes of `changeset`
/// that need the contents `missing`, and decodes those it carries into the
/// download cache. Returns where each contents it got now is; an empty map
/// when the source cannot make that changeset.
pub(crate) fn fetch_by_changeset(
    db: &Database,
    changeset: &ChangeSet,
    missing: &BTreeSet<Digest>,
    source: &dyn TroveSource,
) -> Result<BTreeMap<Digest, PathBuf>, SystemError> {
    let jobs = jobs_for(changeset, missing);
    if jobs.is_empty() {
        return Ok(BTreeMap::new());
    }
    let dir = cache_dir(db);
    create_dir_all_synced(&dir)?;
    let path = dir.join(FETCHED);
    let file = File::create(&path).map_err(SystemError::io_with("create", &path))?;
    let mut out = BufWriter::new(file);
    let asked = source.changeset(&jobs, false, &mut out);
    let flushed = out.flush();
    drop(out);
    let found = match (asked, flushed) {
        // A source that cannot make it (an old trove from elsewhere, an
        // older server) leaves every contents to be fetched alone.
        (Err(_), _) | (_, Err(_)) => Ok(BTreeMap::new()),
        (Ok(_), Ok(())) => decode(db, &path, missing),
    };
    let _ = fs::remove_file(&path);
    found
}

/// Decodes the payloads of the changeset at `path` whose contents are in
/// `missing` into the download cache.
fn decode(
    db: &Database,
    path: &PathBuf,
    missing: &BTreeSet<Digest>,
) -> Result<BTreeMap<Digest, PathBuf>, SystemError> {
    let dir = cache_dir(db);
    let file = File::open(path).map_err(SystemError::io_with("open", path))?;
    let Ok(mut reader) = ChangeSetReader::new(BufReader::new(file)) else {
        return Ok(BTreeMap::new());
    };
    let mut bases = Bases::default();
    let mut found = BTreeMap::new();
    // A changeset that turns out unreadable stops the loop: what it did
    // not give is fetched alone.
    while let Some(id) = reader.peek_payload() {
        let kind = match id {
            PayloadId::Contents(digest) if missing.contains(&digest) => reader
                .changeset()
                .contents
                .get(&digest)
                .map(|contents| contents.kind),
            _ => None,
        };
        let usable = match kind {
            Some(ContentKind::Full) => true,
            Some(ContentKind::Delta { base }) => find_base(db, &mut bases, &base)?,
            _ => false,
        };
        let PayloadId::Contents(digest) = id else {
            if reader.skip_payload().is_err() {
                break;
            }
            continue;
        };
        if !usable {
            if reader.skip_payload().is_err() {
                break;
            }
            continue;
        }
        let target = dir.join(digest.to_string());
        let part = dir.join(format!("{digest}.part"));
        let file = File::create(&part).map_err(SystemError::io_with("create", &part))?;
        let mut out = BufWriter::new(file);
        let copied = match reader.next_payload(&bases) {
            Ok(Some(mut payload)) => payload.copy_to(&mut out).is_ok(),
            Ok(None) | Err(_) => false,
        };
        let flushed = out.flush().is_ok();
        drop(out);
        if copied && flushed {
            fs::rename(&part, &target).map_err(SystemError::io_with("rename", &target))?;
            found.insert(digest, target);
        } else {
            // Not verified: left to the one-by-one fetch.
            let _ = fs::remove_file(&part);
        }
    }
    Ok(found)
}

/// Finds the base `digest` of a delta on the machine; false when it is
/// not there as it was installed.
fn find_base(db: &Database, bases: &mut Bases, digest: &Digest) -> Result<bool, SystemError> {
    if bases.has(digest) {
        return Ok(true);
    }
    if let Some(bytes) = db.config_contents(digest)? {
        bases.add_bytes(*digest, bytes);
        return Ok(true);
    }
    match local_file(db, digest)? {
        Some(file) => {
            bases.add_file(*digest, file);
            Ok(true)
        }
        None => Ok(false),
    }
}
