//! Generating changesets for jobs: install (absolute), update old → new
//! (relative: only files that changed travel), erase; with `recurse`, the
//! components of packages and the members of groups come along as jobs of
//! their own.
//!
//! [`Repository::plan_changeset`] decides what travels (reading contents
//! only to weigh deltas); [`Repository::write_changeset`] streams it;
//! [`Repository::changeset`] does both, writing the payloads compressed
//! while weighing deltas as they are (`plan_prepared_changeset`,
//! `write_prepared_changeset`), and keeping what it wrote in the
//! changeset cache ([`crate::cache`]) so that the same request is answered
//! from disk next time (`plan_cached_changeset`,
//! `write_planned_changeset`). Contents of files whose version
//! lives on another host and that this repository does not hold travel as
//! references: the client fetches them from that host.
//!
//! A relative job needs the old trove here: an update from a trove on
//! another repository is refused, and the client asks for an absolute
//! changeset of the new trove instead (its own old trove tells it what
//! changed).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io::{self, Write};

use conary_api::Job;
use conary_changeset::{
    ChangeSet, ChangeSetBuilder, ChangeSetError, ChangeSetWriter, NoContents, PreparedPayloads,
};
use conary_core::digest::{Digest, FileId};
use conary_core::files::FileStream;
use conary_core::trove::{Trove, TroveTuple};
use rusqlite::Connection;

use crate::access::Identity;
use crate::cache::{CACHE_DIR, ChangesetCache, MAX_CACHE_BYTES, MAX_ENTRY_BYTES};
use crate::check::stored_stream;
use crate::contents::StoreContents;
use crate::error::RepositoryError;
use crate::repo::Repository;

/// A changeset planned by [`Repository::plan_cached_changeset`], for
/// [`Repository::write_planned_changeset`]: found in the changeset cache
/// (see [`crate::cache`]), or built and to be written (then kept there).
#[derive(Debug)]
pub struct PlannedChangeset {
    planned: Planned,
}

#[derive(Debug)]
enum Planned {
    Cached(Vec<u8>),
    Fresh {
        changeset: Box<ChangeSet>,
        prepared: PreparedPayloads,
        key: Digest,
    },
}

impl PlannedChangeset {
    /// Whether the changeset comes from the cache.
    pub fn is_cached(&self) -> bool {
        matches!(self.planned, Planned::Cached(_))
    }
}

/// Passes everything written on to `out`, keeping a copy of up to
/// [`MAX_ENTRY_BYTES`] for the cache (none once it grows beyond).
struct Capture<'a> {
    out: &'a mut dyn Write,
    kept: Option<Vec<u8>>,
}

impl Write for Capture<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let written = self.out.write(data)?;
        if let Some(kept) = &mut self.kept {
            if (kept.len() + written) as u64 > MAX_ENTRY_BYTES {
                self.kept = None;
            } else {
                kept.extend_from_slice(data.get(..written).unwrap_or_default());
            }
        }
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Every trove a changeset names: old and new of each change, erasures.
fn troves_named(changeset: &ChangeSet) -> Vec<TroveTuple> {
    let mut troves: BTreeSet<TroveTuple> = changeset.erased.clone();
    for (tuple, change) in &changeset.troves {
        troves.insert(tuple.clone());
        if let Some(old) = &change.old {
            troves.insert(old.clone());
        }
    }
    troves.into_iter().collect()
}

/// A changeset error caused by the repository's own data or output.
pub(crate) fn internal(error: ChangeSetError) -> RepositoryError {
    RepositoryError::Changeset {
        reason: error.to_string(),
        from_caller: false,
    }
}

/// The streams of every file of `troves`, from the database.
fn streams_of(
    connection: &Connection,
    troves: &[&Trove],
) -> Result<BTreeMap<FileId, FileStream>, RepositoryError> {
    let mut streams = BTreeMap::new();
    for trove in troves {
        for file in trove.files.values() {
            if streams.contains_key(&file.file_id) {
                continue;
            }
            let stream = stored_stream(connection, &file.file_id)?.ok_or_else(|| {
                RepositoryError::corrupt(format!(
                    "file '{}' of trove {} has no stored stream {}",
                    file.path,
                    trove.tuple(),
                    file.file_id
                ))
            })?;
            streams.insert(file.file_id, stream);
        }
    }
    Ok(streams)
}

/// Pairs the references of an old and a new collection into jobs: same
/// name and flavor first, then same name; the rest are installs and
/// erasures. Unchanged references make no job.
fn pair_refs(old: &Trove, new: &Trove) -> Vec<Job> {
    let mut olds: Vec<TroveTuple> = old.iter_refs().map(|(t, _, _)| t.clone()).collect();
    olds.dedup();
    let mut news: Vec<TroveTuple> = new.iter_refs().map(|(t, _, _)| t.clone()).collect();
    news.dedup();
    let mut jobs = Vec::new();
    let mut unmatched = Vec::new();
    for target in news {
        if let Some(index) = olds.iter().position(|old| *old == target) {
            olds.remove(index);
        } else if let Some(index) = olds
            .iter()
            .position(|old| old.name == target.name && old.flavor == target.flavor)
        {
            let old = olds.remove(index);
            jobs.push(Job::update(
                target.name.clone(),
                (old.version, old.flavor),
                (target.version, target.flavor),
            ));
        } else {
            unmatched.push(target);
        }
    }
    for target in unmatched {
        match olds.iter().position(|old| old.name == target.name) {
            Some(index) => {
                let old = olds.remove(index);
                jobs.push(Job::update(
                    target.name.clone(),
                    (old.version, old.flavor),
                    (target.version, target.flavor),
                ));
            }
            None => jobs.push(Job::install(target.name, target.version, target.flavor)),
        }
    }
    for old in olds {
        jobs.push(Job::erase(old.name, old.version, old.flavor));
    }
    jobs
}

impl Repository {
    /// Decides the changeset for `jobs` as `identity` sees the repository:
    /// a trove of a job asked for that is missing or unreadable is
    /// [`RepositoryError::TroveNotFound`]; troves reached by recursion that
    /// are unreadable, or that live on another host, are left out. A trove
    /// marked removed travels as its `removed` stub.
    pub fn plan_changeset(
        &self,
        jobs: &[Job],
        recurse: bool,
        identity: &Identity,
    ) -> Result<ChangeSet, RepositoryError> {
        let builder = self.changeset_builder(jobs, recurse, identity)?;
        let store = StoreContents(self.store());
        builder
            .build_using(&store, &store, &self.delta_files())
            .map_err(internal)
    }

    /// [`Repository::plan_changeset`], also keeping the payloads compressed
    /// while weighing deltas, for [`Repository::write_prepared_changeset`]
    /// (which then does not compress them again).
    pub fn plan_prepared_changeset(
        &self,
        jobs: &[Job],
        recurse: bool,
        identity: &Identity,
    ) -> Result<(ChangeSet, PreparedPayloads), RepositoryError> {
        let builder = self.changeset_builder(jobs, recurse, identity)?;
        let store = StoreContents(self.store());
        builder
            .build_prepared_using(&store, &store, &self.delta_files())
            .map_err(internal)
    }

    /// The repository's changeset cache (see [`crate::cache`]), in
    /// `DIR/changeset-cache/`.
    pub fn changeset_cache(&self) -> ChangesetCache {
        ChangesetCache::new(self.dir().join(CACHE_DIR), MAX_CACHE_BYTES)
    }

    /// [`Repository::plan_prepared_changeset`], answered from the changeset
    /// cache when the same changeset (the same troves as `identity` sees
    /// them, the same options and format) was made before: then nothing is
    /// weighed. The access checks run either way, and a trove asked for
    /// that is missing or unreadable is refused as by `plan_changeset`.
    pub fn plan_cached_changeset(
        &self,
        jobs: &[Job],
        recurse: bool,
        identity: &Identity,
    ) -> Result<PlannedChangeset, RepositoryError> {
        let builder = self.changeset_builder(jobs, recurse, identity)?;
        let key = builder.fingerprint();
        if let Some(bytes) = self.changeset_cache().get(&key) {
            return Ok(PlannedChangeset {
                planned: Planned::Cached(bytes),
            });
        }
        let store = StoreContents(self.store());
        let (changeset, prepared) = builder
            .build_prepared_using(&store, &store, &self.delta_files())
            .map_err(internal)?;
        Ok(PlannedChangeset {
            planned: Planned::Fresh {
                changeset: Box::new(changeset),
                prepared,
                key,
            },
        })
    }

    /// Writes a changeset planned by [`Repository::plan_cached_changeset`]
    /// to `out`: copied from the cache, or written and then kept in the
    /// cache (when it changes some trove relatively, i.e. deltas were
    /// weighed, and is small enough). Returns the bytes written.
    pub fn write_planned_changeset(
        &self,
        planned: PlannedChangeset,
        out: &mut dyn Write,
    ) -> Result<u64, RepositoryError> {
        match planned.planned {
            Planned::Cached(bytes) => {
                out.write_all(&bytes)
                    .map_err(|error| RepositoryError::Changeset {
                        reason: format!("cannot write the changeset: {error}"),
                        from_caller: false,
                    })?;
                Ok(bytes.len() as u64)
            }
            Planned::Fresh {
                changeset,
                prepared,
                key,
            } => {
                // Only relative changesets are kept: an absolute one is
                // made by copying stored frames, about as fast as reading
                // it back, and would take the most room.
                let relative = changeset.troves.values().any(|change| change.old.is_some());
                let mut capture = Capture {
                    out,
                    kept: relative.then(Vec::new),
                };
                let written = self.write_prepared_changeset(&changeset, prepared, &mut capture)?;
                if let Some(bytes) = capture.kept {
                    self.changeset_cache()
                        .put(&key, &troves_named(&changeset), &bytes);
                }
                Ok(written)
            }
        }
    }

    /// A builder holding every trove change of `jobs`, before contents are
    /// weighed.
    pub(crate) fn changeset_builder(
        &self,
        jobs: &[Job],
        recurse: bool,
        identity: &Identity,
    ) -> Result<ChangeSetBuilder, RepositoryError> {
        let mut builder = ChangeSetBuilder::new();
        let mut queue: VecDeque<(Job, bool)> = jobs.iter().map(|job| (job.clone(), true)).collect();
        let mut seen = BTreeSet::new();
        let connection = self.connection();
        let here = |tuple: &TroveTuple| tuple.version.host() == self.name();
        while let Some((job, primary)) = queue.pop_front() {
            if !seen.insert(job.clone()) {
                continue;
            }
            let load = |tuple: &TroveTuple| -> Result<Option<Trove>, RepositoryError> {
                match self.readable_instance(&connection, tuple, identity) {
                    Ok(instance) => instance.served().map(Some),
                    Err(error) if error.is_not_found() && !primary => Ok(None),
                    Err(error) => Err(error),
                }
            };
            match (job.old_tuple(), job.new_tuple()) {
                (None, None) => {
                    return Err(RepositoryError::invalid_request(format!(
                        "job for {} has neither an old nor a new trove",
                        job.name
                    )));
                }
                (Some(old), None) => {
                    if recurse
                        && here(&old)
                        && let Some(trove) = load(&old)?
                    {
                        for (target, _, _) in trove.iter_refs() {
                            let job = Job::erase(
                                target.name.clone(),
                                target.version.clone(),
                                target.flavor.clone(),
                            );
                            queue.push_back((job, false));
                        }
                    }
                    if primary {
                        builder.add_primary(old.clone());
                    }
                    builder.erase(old);
                }
                (None, Some(new)) => {
                    let Some(trove) = load(&new)? else { continue };
                    if recurse {
                        for (target, _, _) in trove.iter_refs() {
                            if here(target) {
                                let job = Job::install(
                                    target.name.clone(),
                                    target.version.clone(),
                                    target.flavor.clone(),
                                );
                                queue.push_back((job, false));
                            }
                        }
                    }
                    let streams = streams_of(&connection, &[&trove])?;
                    self.declare_elsewhere(&mut builder, &trove, &streams)?;
                    if primary {
                        builder.add_primary(trove.tuple());
                    }
                    builder.add_absolute(trove, &streams).map_err(internal)?;
                }
                (Some(old), Some(new)) => {
                    if !here(&old) {
                        return Err(RepositoryError::invalid_request(format!(
                            "cannot make a relative changeset from {old}, which is not in this repository: ask for {new} alone (absolute)"
                        )));
                    }
                    let (Some(old_trove), Some(new_trove)) = (load(&old)?, load(&new)?) else {
                        continue;
                    };
                    if recurse {
                        for job in pair_refs(&old_trove, &new_trove) {
                            let local = job.new_tuple().or_else(|| job.old_tuple());
                            if local.is_some_and(|tuple| here(&tuple)) {
                                queue.push_back((job, false));
                            }
                        }
                    }
                    let streams = streams_of(&connection, &[&old_trove, &new_trove])?;
                    self.declare_elsewhere(&mut builder, &new_trove, &streams)?;
                    if primary {
                        builder.add_primary(new_trove.tuple());
                    }
                    builder
                        .add_relative(&old_trove, new_trove, &streams)
                        .map_err(internal)?;
                }
            }
        }
        drop(connection);
        Ok(builder)
    }

    /// Marks the contents of `trove`'s files that this repository does not
    /// hold and whose file version lives on another host as available
    /// elsewhere; refuses when contents that should be here are missing.
    fn declare_elsewhere(
        &self,
        builder: &mut ChangeSetBuilder,
        trove: &Trove,
        streams: &BTreeMap<FileId, FileStream>,
    ) -> Result<(), RepositoryError> {
        for file in trove.files.values() {
            let Some(digest) = streams
                .get(&file.file_id)
                .and_then(FileStream::content_digest)
            else {
                continue;
            };
            if self.store().contains(&digest)? {
                continue;
            }
            if file.file_version.host() != self.name() {
                builder.assume_available(digest);
            } else {
                return Err(RepositoryError::corrupt(format!(
                    "contents {digest} of '{}' in trove {} are missing from the store",
                    file.path,
                    trove.tuple()
                )));
            }
        }
        Ok(())
    }

    /// Writes `changeset` to `out`, reading contents from the store;
    /// returns the bytes written. A failure part way leaves `out` holding
    /// something a reader refuses.
    pub fn write_changeset(
        &self,
        changeset: &ChangeSet,
        out: &mut dyn Write,
    ) -> Result<u64, RepositoryError> {
        self.write_prepared_changeset(changeset, PreparedPayloads::default(), out)
    }

    /// [`Repository::write_changeset`] with the payloads
    /// [`Repository::plan_prepared_changeset`] already compressed: those
    /// are copied as they are. The bytes written are the same.
    pub fn write_prepared_changeset(
        &self,
        changeset: &ChangeSet,
        prepared: PreparedPayloads,
        out: &mut dyn Write,
    ) -> Result<u64, RepositoryError> {
        let store = StoreContents(self.store());
        let mut writer = ChangeSetWriter::new(out, changeset).map_err(internal)?;
        writer.use_prepared(prepared);
        writer.write_all(&store).map_err(internal)?;
        let written = writer.bytes_written();
        writer.finish().map_err(internal)?;
        Ok(written)
    }

    /// Writes the changeset of `jobs` without contents: the troves and
    /// file streams [`Repository::plan_changeset`] would give, every
    /// contents left out as a reference. Nothing is weighed or compressed,
    /// and nothing is cached: for callers that read only the troves and
    /// streams (shadow, clone, promote). Returns the bytes written.
    pub fn streams_changeset(
        &self,
        jobs: &[Job],
        recurse: bool,
        identity: &Identity,
        out: &mut dyn Write,
    ) -> Result<u64, RepositoryError> {
        let mut builder = self.changeset_builder(jobs, recurse, identity)?;
        builder.references_only();
        let changeset = builder.build(&NoContents, &NoContents).map_err(internal)?;
        let mut writer = ChangeSetWriter::new(out, &changeset).map_err(internal)?;
        writer.write_all(&NoContents).map_err(internal)?;
        let written = writer.bytes_written();
        writer.finish().map_err(internal)?;
        Ok(written)
    }

    /// Plans and writes the changeset for `jobs` (see
    /// [`Repository::plan_changeset`]), through the changeset cache
    /// ([`Repository::plan_cached_changeset`]); returns the bytes written.
    pub fn changeset(
        &self,
        jobs: &[Job],
        recurse: bool,
        identity: &Identity,
        out: &mut dyn Write,
    ) -> Result<u64, RepositoryError> {
        let planned = self.plan_cached_changeset(jobs, recurse, identity)?;
        self.write_planned_changeset(planned, out)
    }
}
