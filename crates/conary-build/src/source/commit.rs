//! `cvc commit`: the checkout as a new version of its source trove, in an
//! absolute changeset (every file's contents carried) handed to the
//! caller's commit function.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::Path;

use conary_api::{TroveQuery, TroveSource};
use conary_changeset::{ChangeSetBuilder, MemContents, NoContents, write_changeset};
use conary_core::deps::Dependency;
use conary_core::digest::{Digest, FileId};
use conary_core::files::{FileKind, FileStream, Mode};
use conary_core::trove::{Trove, TroveTuple};
use conary_core::troveinfo::ChangeLog;
use conary_core::version::Version;

use super::error::SourceError;
use super::numbering::commit_version;
use super::repo::{SourceVersion, fetch_source, source_tuple, trove_path};
use super::working::{Checkout, WorkingFile};
use crate::import::batch::TargetError;

/// What a commit records besides the files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommitRequest<'a> {
    /// The commit message.
    pub message: &'a str,
    /// The committer's name (config key `name`).
    pub committer: &'a str,
    /// The committer's contact (config key `contact`).
    pub contact: &'a str,
    /// The commit time, seconds since the epoch (the mtime of changed
    /// files and the trove's build time).
    pub time: u64,
}

/// Commits `checkout` as the next version of its source trove on its
/// branch; returns the committed tuple (with the repository's
/// timestamps) and updates the checkout's state. The changeset is written
/// in `spool` and handed to `commit`.
///
/// Refused: a recipe that is missing, names another package or has an
/// empty version; a tracked file that is missing; a checkout behind its
/// branch; a new package whose source trove the branch has already; no
/// change since the checked-out version.
pub fn commit_checkout(
    checkout: &mut Checkout,
    source: &dyn TroveSource,
    request: &CommitRequest<'_>,
    commit: &dyn Fn(&Path) -> Result<(), TargetError>,
    spool: &Path,
) -> Result<TroveTuple, SourceError> {
    let name = checkout.state.name.clone();
    let branch = checkout.state.branch.clone();
    let recipe_file = checkout.recipe_file();
    let working = checkout.working_files()?;
    if checkout.state.last_merged.is_some() {
        let marked: Vec<&str> = working
            .iter()
            .filter(|(_, file)| has_conflict_markers(&file.contents))
            .map(|(name, _)| name.as_str())
            .collect();
        if !marked.is_empty() {
            return Err(SourceError::Merge {
                reason: format!(
                    "conflict markers from cvc merge remain in {}: resolve them, then commit",
                    marked.join(", ")
                ),
            });
        }
    }
    let recipe = working
        .get(&recipe_file)
        .ok_or_else(|| SourceError::NotTracked {
            name: recipe_file.clone(),
        })?;
    let text = String::from_utf8_lossy(&recipe.contents);
    let metadata = crate::recipe::evaluate_metadata(&recipe_file, &text)?;
    let (recipe_name, upstream) = (metadata.name, metadata.version);
    if recipe_name != checkout.state.package() {
        return Err(SourceError::NameMismatch {
            file: recipe_file,
            recipe: recipe_name,
            checkout: checkout.state.package().to_owned(),
        });
    }
    if upstream.is_empty() {
        return Err(SourceError::EmptyVersion { file: recipe_file });
    }

    let query = TroveQuery::on_branch(branch.clone())
        .named([name.clone()])
        .all_versions();
    let mut existing: Vec<Version> = source
        .trove_versions(&query)
        .map_err(|e| SourceError::repository(format!("cannot list {name} on {branch}"), e))?
        .into_iter()
        .filter(|tuple| tuple.name == name)
        .map(|tuple| tuple.version)
        .collect();
    existing.sort_by_key(|version| std::cmp::Reverse(version.timestamp()));
    let checked_out = checkout.state.version.clone();
    if let (Some(latest), Some(mine)) = (existing.first(), &checked_out)
        && latest.without_timestamps() != mine.without_timestamps()
    {
        return Err(SourceError::Stale {
            checked_out: mine.to_string(),
            latest: latest.to_string(),
        });
    }
    if checked_out.is_none() && !existing.is_empty() {
        return Err(SourceError::AlreadyExists {
            trove: name.to_string(),
            branch: branch.to_string(),
        });
    }
    let previous = match &checked_out {
        Some(version) => Some(fetch_source(source, &source_tuple(&name, version))?),
        None => None,
    };
    if let Some(previous) = &previous
        && unchanged(previous, &working)
    {
        return Err(SourceError::NoChanges);
    }

    let merged = checkout.state.last_merged.clone();
    let version = commit_version(
        &branch,
        &upstream,
        checked_out.as_ref(),
        merged.as_ref(),
        &existing,
    )?;
    // Files a merge took unchanged from the parent keep the parent's
    // stream and version (their contents stay where the parent's are).
    let parent = match &merged {
        Some(version) => Some(fetch_source(source, &source_tuple(&name, version))?),
        None => None,
    };
    let (trove, streams, contents, referenced) = assemble(
        checkout,
        &version,
        [previous.as_ref(), parent.as_ref()],
        &working,
        request,
    )?;
    let tuple = trove.tuple();
    let what = format!("cannot write the changeset of {tuple}");
    let mut builder = ChangeSetBuilder::new();
    for digest in referenced {
        builder.assume_available(digest);
    }
    builder
        .add_absolute(trove, &streams)
        .map_err(|e| SourceError::changeset(&what, e))?;
    builder.add_primary(tuple.clone());
    let changeset = builder
        .build(&NoContents, &contents)
        .map_err(|e| SourceError::changeset(&what, e))?;
    let path = spool.join(format!("{}-source.ccs", checkout.state.package()));
    let file = File::create(&path).map_err(|e| SourceError::io(&path, e))?;
    let mut out = write_changeset(BufWriter::new(file), &changeset, &contents)
        .map_err(|e| SourceError::changeset(&what, e))?;
    out.flush().map_err(|e| SourceError::io(&path, e))?;
    drop(out);
    commit(&path).map_err(SourceError::Commit)?;

    let stamped = stored_trove(source, &tuple)?;
    checkout.state.version = Some(stamped.version.clone());
    checkout.state.last_merged = None;
    for file in stamped.files.values() {
        let file_name = file.path.strip_prefix('/').unwrap_or(&file.path);
        if let Some(tracked) = checkout.state.files.get_mut(file_name) {
            tracked.committed = Some((file.file_id, file.file_version.clone()));
        }
    }
    checkout.save()?;
    Ok(stamped.tuple())
}

/// Whether `contents` hold a whole conflict left by `cvc merge` (a line
/// `<<<<<<< ours` and, after it, a line `>>>>>>> theirs`).
fn has_conflict_markers(contents: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(contents) else {
        return false;
    };
    let mut lines = text.lines();
    lines.any(|line| line == "<<<<<<< ours") && lines.any(|line| line == ">>>>>>> theirs")
}

/// Whether the working files are exactly the previous version's.
fn unchanged(previous: &SourceVersion, working: &BTreeMap<String, WorkingFile>) -> bool {
    previous.files.len() == working.len()
        && previous.files.iter().all(|(name, old)| {
            working.get(name).is_some_and(|new| {
                new.contents == old.contents && u32::from(old.stream.mode.bits()) == new.mode
            })
        })
}

type Assembled = (
    Trove,
    BTreeMap<FileId, FileStream>,
    MemContents,
    BTreeSet<Digest>,
);

/// The new source trove, the streams of its files and their contents.
/// A file whose contents and mode are unchanged (from the checked-out
/// version, or from the parent version a merge brought in) keeps its
/// stream and version, and its contents travel only when they live on
/// the commit's server; others get a new stream (mtime = commit time) at `version`.
fn assemble(
    checkout: &Checkout,
    version: &Version,
    previous: [Option<&SourceVersion>; 2],
    working: &BTreeMap<String, WorkingFile>,
    request: &CommitRequest<'_>,
) -> Result<Assembled, SourceError> {
    let name = &checkout.state.name;
    let mut trove = Trove::new(name.clone(), version.clone(), Default::default());
    let mut streams = BTreeMap::new();
    let mut contents = MemContents::new();
    let mut referenced = BTreeSet::new();
    let mut size = 0u64;
    for (file_name, file) in working {
        let tracked =
            checkout
                .state
                .files
                .get(file_name)
                .ok_or_else(|| SourceError::NotTracked {
                    name: file_name.clone(),
                })?;
        let kept = previous
            .iter()
            .flatten()
            .filter_map(|previous| previous.files.get(file_name))
            .find(|old| {
                old.path_id == tracked.path_id
                    && old.contents == file.contents
                    && u32::from(old.stream.mode.bits()) == file.mode
            });
        let (stream, file_version) = match kept {
            Some(old) => (old.stream.clone(), old.version.clone()),
            None => {
                let kind = FileKind::Regular {
                    size: file.contents.len() as u64,
                    digest: Digest::of(&file.contents),
                    link_group: None,
                };
                let mode = Mode::new(file.mode).map_err(|e| SourceError::BadTrove {
                    trove: name.to_string(),
                    reason: format!("{file_name}: {e}"),
                })?;
                let mut stream = FileStream::new(kind, mode, "root", "root");
                stream.mtime = request.time;
                (stream, version.clone())
            }
        };
        size = size.saturating_add(file.contents.len() as u64);
        if kept.is_none() || file_version.host() == version.host() {
            contents.insert(file.contents.clone());
        } else {
            referenced.insert(Digest::of(&file.contents));
        }
        let file_id = stream.file_id();
        trove.add_file(
            tracked.path_id,
            &trove_path(file_name),
            file_id,
            file_version,
        );
        streams.insert(file_id, stream);
    }
    trove.provides.insert(Dependency::trove(name));
    trove.info.source_name = Some(name.clone());
    trove.info.build_time = Some(request.time);
    trove.info.size = Some(size);
    trove.info.changelog = Some(ChangeLog::new(
        request.committer,
        request.contact,
        request.message,
    ));
    Ok((trove, streams, contents, referenced))
}

/// The trove the repository stored for `tuple` (with its timestamps).
fn stored_trove(source: &dyn TroveSource, tuple: &TroveTuple) -> Result<Trove, SourceError> {
    let what = format!("cannot read back {tuple}");
    let query = TroveQuery::on_branch(tuple.version.branch().clone())
        .named([tuple.name.clone()])
        .all_versions();
    let stored = source
        .trove_versions(&query)
        .map_err(|e| SourceError::repository(&what, e))?
        .into_iter()
        .find(|found| {
            found.name == tuple.name
                && found.version.without_timestamps() == tuple.version.without_timestamps()
        })
        .ok_or_else(|| SourceError::NotFound {
            what: format!("{tuple} after committing it"),
        })?;
    source
        .troves(std::slice::from_ref(&stored))
        .map_err(|e| SourceError::repository(&what, e))?
        .into_iter()
        .next()
        .ok_or_else(|| SourceError::NotFound {
            what: format!("{stored} after committing it"),
        })
}
