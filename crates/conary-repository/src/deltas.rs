//! The delta store: file deltas made when a version is committed, so that
//! the first client to ask for a relative changeset is served as fast as a
//! repeated one (OSTree's static deltas, per file).
//!
//! Making a relative changeset weighs, for each changed file, a zstd delta
//! of its new contents against its old contents (the base) against the
//! full payload. That is most of a first request's work. This module keeps
//! each weighed delta on disk, keyed by (target contents, base contents,
//! encoding): [`Repository::prepare_deltas`] makes them ahead of any
//! request (the server runs it in the background after each commit), and
//! every changeset the repository builds reads them through
//! `DeltaFiles`, the [`DeltaStore`] the changeset builder uses. Requests
//! only read the store: a delta a request had to make is not written
//! (a file per delta would slow the request; the changeset cache keeps
//! the whole answer for the next one).
//!
//! Where to start: [`Repository::prepare_deltas`] pairs each committed
//! trove with the versions before it on its branch and flavor exactly as
//! a relative changeset pairs them (it builds that changeset's
//! [`conary_changeset::ChangeSetBuilder`] and weighs its deltas with
//! [`conary_changeset::ChangeSetBuilder::store_deltas`]).
//!
//! The rules:
//!
//! - **Exact**: an entry holds the delta frame the builder made, or only
//!   its length when the full payload was smaller; the builder checks
//!   sizes and makes again what a record cannot decide. A changeset made
//!   with the store is byte for byte the one made without it.
//! - **Keyed by encoding**: the first directory level is
//!   [`conary_changeset::delta_encoding`] (changeset format, delta
//!   encoding version, delta level, zstd version), so another level or
//!   library never reads an entry.
//! - **Atomic, checked**: an entry is written to a temporary file beside
//!   it and renamed (not synced); each read checks the BLAKE3 of the whole
//!   entry (kept at its end), the header against the key and the lengths,
//!   and removes an entry that fails (the builder then makes the delta
//!   again).
//! - **Never stale**: contents are addressed by digest, so an entry stays
//!   right forever. Nothing removes entries; deleting the directory (or
//!   any entry) only makes the next request slower. Temporary files a
//!   crashed writer left (older than an hour) are removed by the next
//!   writer to that directory.
//!
//! Layout (docs/FORMATS.md §"Delta store entry"):
//! `DIR/deltas/<encoding>/<first two hex digits of target>/<target>-<base>`.

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io::Read;
use std::path::{Path, PathBuf};

use conary_api::Job;
use conary_changeset::{DeltaKey, DeltaStore, StoredDelta};
use conary_core::digest::Digest;
use conary_core::trove::TroveTuple;
use conary_store::BlobStore;
use rusqlite::params;

use crate::access::{Identity, Subject};
use crate::cache::take;
use crate::contents::StoreContents;
use crate::error::RepositoryError;
use crate::query::tuple_from_row;
use crate::repo::Repository;

/// The delta store's directory under the repository's.
pub const DELTAS_DIR: &str = "deltas";

/// The magic number of an entry.
const MAGIC: &[u8; 4] = b"CNYD";

/// The entry format written.
const FORMAT: u16 = 1;

/// The length of an entry's fixed header (magic to the frame flag).
const HEADER_LEN: usize = 4 + 2 + 32 * 3 + 8 * 3 + 1;

/// The largest entry read (a frame is at most a full payload, which a
/// changeset's delta limits keep far below this).
const MAX_ENTRY_BYTES: u64 = 1 << 30;

/// The files of the delta store, as a [`DeltaStore`] for the changeset
/// builder, counting what it found and kept. A store opened for requests
/// only reads: what a request makes is not written (creating a file per
/// delta would slow the request down; the changeset cache keeps the
/// whole answer, and the server's worker fills the store).
pub(crate) struct DeltaFiles<'s> {
    dir: PathBuf,
    /// Whether [`DeltaStore::put`] writes.
    writable: bool,
    /// Directories known to exist (created or seen by this store).
    made_dirs: RefCell<BTreeSet<PathBuf>>,
    /// The blob store: a stored delta is used only while its base is there
    /// (a builder skips bases it cannot read).
    blobs: &'s dyn BlobStore,
    found: Cell<u64>,
    kept: Cell<u64>,
    kept_bytes: Cell<u64>,
    damaged: Cell<u64>,
}

impl<'s> DeltaFiles<'s> {
    /// The store in `dir`, with bases in `blobs`; `writable` for one that
    /// keeps what it is given.
    pub(crate) fn new(dir: PathBuf, blobs: &'s dyn BlobStore, writable: bool) -> DeltaFiles<'s> {
        DeltaFiles {
            dir,
            writable,
            made_dirs: RefCell::new(BTreeSet::new()),
            blobs,
            found: Cell::new(0),
            kept: Cell::new(0),
            kept_bytes: Cell::new(0),
            damaged: Cell::new(0),
        }
    }

    /// The file of the entry `key`.
    pub(crate) fn entry_path(&self, key: &DeltaKey) -> PathBuf {
        let target = key.target.to_string();
        self.dir
            .join(key.encoding.to_string())
            .join(target.get(..2).unwrap_or("00"))
            .join(format!("{target}-{}", key.base))
    }

    fn write_entry(&self, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        let parent = path
            .parent()
            .ok_or_else(|| std::io::Error::other("an entry path without a directory"))?;
        if !self.made_dirs.borrow().contains(parent) {
            fs::create_dir_all(parent)?;
            // Once per directory and store: what a crashed writer left.
            crate::cache::remove_stale_temporaries(parent);
            self.made_dirs.borrow_mut().insert(parent.to_path_buf());
        }
        crate::cache::write_by_rename(parent, path, &[bytes])
    }
}

impl DeltaStore for DeltaFiles<'_> {
    fn get(&self, key: &DeltaKey) -> Option<StoredDelta> {
        let path = self.entry_path(key);
        let mut bytes = Vec::new();
        File::open(&path)
            .and_then(|file| file.take(MAX_ENTRY_BYTES).read_to_end(&mut bytes))
            .ok()?;
        let Some(delta) = parse(&bytes, key) else {
            self.damaged.set(self.damaged.get() + 1);
            let _ = fs::remove_file(&path);
            return None;
        };
        if !self.blobs.contains(&key.base).unwrap_or(false) {
            return None;
        }
        self.found.set(self.found.get() + 1);
        Some(delta)
    }

    fn put(&self, key: &DeltaKey, delta: &StoredDelta) {
        if !self.writable {
            return;
        }
        let bytes = encode(key, delta);
        if self.write_entry(&self.entry_path(key), &bytes).is_ok() {
            self.kept.set(self.kept.get() + 1);
            self.kept_bytes
                .set(self.kept_bytes.get() + bytes.len() as u64);
        }
    }
}

/// An entry's bytes (the module documentation and docs/FORMATS.md give
/// the layout). Public for the `delta_entry` fuzz target.
pub fn encode(key: &DeltaKey, delta: &StoredDelta) -> Vec<u8> {
    let frame_len = delta.frame.as_ref().map_or(0, Vec::len);
    let mut bytes = Vec::with_capacity(HEADER_LEN + frame_len + 32);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&FORMAT.to_be_bytes());
    for digest in [&key.encoding, &key.target, &key.base] {
        bytes.extend_from_slice(digest.as_bytes());
    }
    for number in [delta.base_size, delta.size, delta.len] {
        bytes.extend_from_slice(&number.to_be_bytes());
    }
    match &delta.frame {
        Some(frame) => {
            bytes.push(1);
            bytes.extend_from_slice(frame);
        }
        None => bytes.push(0),
    }
    let check = Digest::of(&bytes);
    bytes.extend_from_slice(check.as_bytes());
    bytes
}

fn be_u64(bytes: &[u8], at: &mut usize) -> Option<u64> {
    Some(u64::from_be_bytes(take(bytes, at, 8)?.try_into().ok()?))
}

/// The delta an entry holds for `key`, when the entry is whole, intact and
/// made for exactly that key; `None` for anything else, never a panic
/// (the `delta_entry` fuzz target offers it arbitrary bytes).
pub fn parse(bytes: &[u8], key: &DeltaKey) -> Option<StoredDelta> {
    let (body, check) = bytes.split_at_checked(bytes.len().checked_sub(32)?)?;
    if Digest::of(body).as_bytes()[..] != *check {
        return None;
    }
    let mut at = 0;
    if take(body, &mut at, 4)? != MAGIC {
        return None;
    }
    if u16::from_be_bytes(take(body, &mut at, 2)?.try_into().ok()?) != FORMAT {
        return None;
    }
    for digest in [&key.encoding, &key.target, &key.base] {
        if take(body, &mut at, 32)? != digest.as_bytes() {
            return None;
        }
    }
    let base_size = be_u64(body, &mut at)?;
    let size = be_u64(body, &mut at)?;
    let len = be_u64(body, &mut at)?;
    let frame = match take(body, &mut at, 1)? {
        [0] => None,
        [1] => {
            let frame = body.get(at..)?;
            if frame.len() as u64 != len {
                return None;
            }
            at = body.len();
            Some(frame.to_vec())
        }
        _ => return None,
    };
    (at == body.len()).then_some(StoredDelta {
        base_size,
        size,
        len,
        frame,
    })
}

/// Which pairs [`Repository::prepare_deltas`] prepares.
///
/// ```rust
/// let options = conary_repository::deltas::PrepareOptions::default();
/// assert_eq!((options.depth, options.reverse), (3, true));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrepareOptions {
    /// How many earlier versions of a trove (on its branch and flavor,
    /// newest first) it is paired with: clients that lag a few versions
    /// behind are served from the store too.
    pub depth: usize,
    /// Also the reverse pairs (new → old), which a rollback or a
    /// downgrade asks for.
    pub reverse: bool,
}

impl Default for PrepareOptions {
    fn default() -> Self {
        PrepareOptions {
            depth: 3,
            reverse: true,
        }
    }
}

/// What [`Repository::prepare_deltas`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreparedDeltas {
    /// Trove pairs (old → new) whose deltas were weighed.
    pub pairs: usize,
    /// Contents with deltas to weigh, over all pairs.
    pub contents: usize,
    /// Deltas found in the store already.
    pub found: u64,
    /// Entries written (deltas made).
    pub kept: u64,
    /// Bytes of the entries written.
    pub bytes: u64,
    /// Damaged entries found and removed.
    pub damaged: u64,
    /// Pairs that failed, each with why (the rest were still prepared).
    pub failed: Vec<String>,
}

/// The identity the repository prepares deltas as: it reads every trove,
/// and never leaves this module.
fn preparer() -> Identity {
    Identity::new(
        Subject::User("(delta store)".to_owned()),
        true,
        BTreeSet::new(),
        Vec::new(),
    )
}

impl Repository {
    /// The delta store of this repository (see [`crate::deltas`]), in
    /// `DIR/deltas/`, read only (as requests use it).
    pub(crate) fn delta_files(&self) -> DeltaFiles<'_> {
        DeltaFiles::new(self.dir().join(DELTAS_DIR), self.store(), false)
    }

    /// The delta store, keeping the deltas it is given (as
    /// [`Repository::prepare_deltas`] uses it).
    pub(crate) fn writable_delta_files(&self) -> DeltaFiles<'_> {
        DeltaFiles::new(self.dir().join(DELTAS_DIR), self.store(), true)
    }

    /// The versions of `tuple` before it on its branch and flavor, newest
    /// first, at most `depth`, not marked removed.
    pub fn predecessors(
        &self,
        tuple: &TroveTuple,
        depth: usize,
    ) -> Result<Vec<TroveTuple>, RepositoryError> {
        let action = "finding earlier versions";
        let connection = self.connection();
        let mut statement = connection
            .prepare_cached(
                "SELECT t.name, j.frozen, f.flavor FROM instances i
                 JOIN items t ON t.id = i.item_id
                 JOIN flavors f ON f.id = i.flavor_id
                 JOIN instances j ON j.item_id = i.item_id AND j.branch_id = i.branch_id
                      AND j.flavor_id = i.flavor_id AND j.removed = 0
                      AND j.timestamp < i.timestamp
                 WHERE t.name = ?1 AND i.version = ?2 AND f.flavor = ?3
                 ORDER BY j.timestamp DESC LIMIT ?4",
            )
            .map_err(RepositoryError::database(action))?;
        let depth = i64::try_from(depth).unwrap_or(i64::MAX);
        let rows = statement
            .query_map(
                params![
                    tuple.name.as_str(),
                    tuple.version.to_string(),
                    tuple.flavor.to_string(),
                    depth
                ],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                    ))
                },
            )
            .map_err(RepositoryError::database(action))?;
        let mut tuples = Vec::new();
        for row in rows {
            let (name, frozen, flavor) = row.map_err(RepositoryError::database(action))?;
            tuples.push(tuple_from_row(&name, &frozen, &flavor)?);
        }
        Ok(tuples)
    }

    /// Makes and stores, ahead of any request, the deltas a relative
    /// changeset updating to each of `tuples` from its earlier versions
    /// (see [`PrepareOptions`]) would weigh, paired exactly as such a
    /// changeset pairs files; what is stored already is not made again.
    /// A pair that fails is reported in [`PreparedDeltas::failed`] and the
    /// others are still prepared; only a failure to find earlier versions
    /// is an error. A server runs this after each commit, in the
    /// background.
    pub fn prepare_deltas(
        &self,
        tuples: &[TroveTuple],
        options: &PrepareOptions,
    ) -> Result<PreparedDeltas, RepositoryError> {
        let identity = preparer();
        let files = self.writable_delta_files();
        let store = StoreContents(self.store());
        let mut report = PreparedDeltas::default();
        for tuple in tuples {
            for old in self.predecessors(tuple, options.depth)? {
                let mut pairs = vec![(old.clone(), tuple.clone())];
                if options.reverse {
                    pairs.push((tuple.clone(), old));
                }
                for (from, to) in pairs {
                    report.pairs += 1;
                    let job = Job::update(
                        to.name.clone(),
                        (from.version.clone(), from.flavor.clone()),
                        (to.version.clone(), to.flavor.clone()),
                    );
                    let weighed =
                        self.changeset_builder(&[job], false, &identity)
                            .and_then(|builder| {
                                builder
                                    .store_deltas(&store, &store, &files)
                                    .map_err(crate::generate::internal)
                            });
                    match weighed {
                        Ok(count) => report.contents += count,
                        Err(error) => report.failed.push(format!("{from} -> {to}: {error}")),
                    }
                }
            }
        }
        report.found = files.found.get();
        report.kept = files.kept.get();
        report.bytes = files.kept_bytes.get();
        report.damaged = files.damaged.get();
        Ok(report)
    }
}

#[cfg(test)]
mod tests;
