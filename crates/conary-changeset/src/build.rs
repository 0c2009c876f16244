//! Building a changeset from old and new troves: [`ChangeSetBuilder`]
//! decides, file by file, what travels and how.

use std::collections::{BTreeMap, BTreeSet};

use conary_core::digest::{Digest, FileId};
use conary_core::files::{FileKind, FileStream};
use conary_core::trove::{Trove, TroveTuple};

use crate::compress;
use crate::error::ChangeSetError;
use crate::model::{ChangeSet, ContentKind, Contents, TextDiff, TextDiffKey, TroveChange};
use crate::prepared::{Frame, PreparedPayloads};
use crate::source::{
    ContentSource, DeltaKey, DeltaStore, StoredDelta, delta_encoding, read_verified, stored_frame,
};
use crate::textdiff::text_diff;
use crate::validate::{Limits, validate};

/// The bytes a delta costs in the index beyond a full entry (its base
/// digest and tag), added to its length when comparing.
const DELTA_INDEX_COST: u64 = 34;

/// Knobs for building.
///
/// ```rust
/// let options = conary_changeset::BuildOptions { deltas: false, ..Default::default() };
/// assert!(options.text_diffs);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuildOptions {
    /// The zstd level of full payloads, at which full and delta sizes are
    /// compared (write with the same levels).
    pub level: i32,
    /// The zstd level of deltas.
    pub delta_level: i32,
    /// Send changed contents as binary deltas against their old contents
    /// when that is smaller.
    pub deltas: bool,
    /// Send unified diffs of changed config files.
    pub text_diffs: bool,
    /// Limits of the changeset (bases of deltas, text diffs, counts).
    pub limits: Limits,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            level: compress::DEFAULT_LEVEL,
            delta_level: compress::DEFAULT_DELTA_LEVEL,
            deltas: true,
            text_diffs: true,
            limits: Limits::default(),
        }
    }
}

/// What is known about new contents while building.
#[derive(Debug, Default)]
struct Needed {
    size: u64,
    /// Old contents of the same file slots: candidates for a delta base.
    bases: BTreeSet<Digest>,
}

/// Builds a changeset from old and new troves.
///
/// For each file of a new trove: a file whose fileId did not change is left
/// out (the receiver has it); otherwise its stream travels and, for a
/// regular file, its contents: as a [`ContentKind::Reference`] when the
/// receiver already has them (the old troves hold the same contents, or
/// [`ChangeSetBuilder::assume_available`] said so), as a
/// [`ContentKind::Delta`] against the old contents of the same pathId when
/// that compresses smaller, else [`ContentKind::Full`]. A config file that
/// changed and is text on both sides also gets a [`TextDiff`].
///
/// ```rust
/// use conary_changeset::{ChangeSetBuilder, NoContents};
/// let changeset = ChangeSetBuilder::new().build(&NoContents, &NoContents)?;
/// assert!(changeset.is_empty());
/// # Ok::<(), conary_changeset::ChangeSetError>(())
/// ```
#[derive(Debug, Default)]
pub struct ChangeSetBuilder {
    options: BuildOptions,
    changeset: ChangeSet,
    needed: BTreeMap<Digest, Needed>,
    /// Contents the receiver has: those of the old troves, and those
    /// declared available.
    known: BTreeSet<Digest>,
    text_diffs: BTreeSet<TextDiffKey>,
}

impl ChangeSetBuilder {
    /// A builder with default options.
    pub fn new() -> ChangeSetBuilder {
        ChangeSetBuilder::default()
    }

    /// A builder with `options`.
    pub fn with_options(options: BuildOptions) -> ChangeSetBuilder {
        ChangeSetBuilder {
            options,
            ..ChangeSetBuilder::default()
        }
    }

    /// Marks `tuple` as a primary trove (one that was asked for).
    pub fn add_primary(&mut self, tuple: TroveTuple) {
        self.changeset.primary.insert(tuple);
    }

    /// Erases the trove `tuple`.
    pub fn erase(&mut self, tuple: TroveTuple) {
        self.changeset.erased.insert(tuple);
    }

    /// Declares that the receiver can get the contents `digest` without the
    /// changeset (from the repository, say), so they travel as a reference.
    pub fn assume_available(&mut self, digest: Digest) {
        self.known.insert(digest);
    }

    /// Makes every contents the troves added so far need travel as a
    /// reference, and no text diff: a changeset of troves and file streams
    /// alone, for receivers that never read contents (shadow, clone).
    pub fn references_only(&mut self) {
        self.known.extend(self.needed.keys().copied());
        self.options.text_diffs = false;
    }

    fn stream<'s>(
        streams: &'s BTreeMap<FileId, FileStream>,
        trove: &Trove,
        path: &str,
        file_id: &FileId,
    ) -> Result<&'s FileStream, ChangeSetError> {
        streams
            .get(file_id)
            .ok_or_else(|| ChangeSetError::MissingStream {
                trove: trove.tuple().to_string(),
                path: path.to_owned(),
                file_id: file_id.to_string(),
            })
    }

    fn need(&mut self, stream: &FileStream, base: Option<Digest>) {
        if let FileKind::Regular { size, digest, .. } = stream.kind {
            let needed = self.needed.entry(digest).or_default();
            needed.size = size;
            if let Some(base) = base.filter(|base| *base != digest) {
                needed.bases.insert(base);
            }
        }
    }

    /// Adds `new` whole: every file's stream and contents travel.
    /// `streams` holds the stream of every file of `new`.
    pub fn add_absolute(
        &mut self,
        new: Trove,
        streams: &BTreeMap<FileId, FileStream>,
    ) -> Result<(), ChangeSetError> {
        for file in new.files.values() {
            let stream = Self::stream(streams, &new, &file.path, &file.file_id)?;
            self.need(stream, None);
            self.changeset.files.insert(file.file_id, stream.clone());
        }
        self.changeset.add_trove(TroveChange::absolute(new));
        Ok(())
    }

    /// Adds the change from `old` to `new`: only new or changed files travel.
    /// `streams` holds the stream of every file of `new` that is not in
    /// `old` with the same fileId, and should hold those of `old` (without
    /// them, no delta or text diff is made and their contents are not known
    /// to the receiver).
    pub fn add_relative(
        &mut self,
        old: &Trove,
        new: Trove,
        streams: &BTreeMap<FileId, FileStream>,
    ) -> Result<(), ChangeSetError> {
        if old.name != new.name {
            let reason = format!(
                "cannot make a relative change from {} to {}",
                old.tuple(),
                new.tuple()
            );
            return Err(ChangeSetError::inconsistent(reason));
        }
        for file in old.files.values() {
            if let Some(digest) = streams.get(&file.file_id).and_then(|s| s.content_digest()) {
                self.known.insert(digest);
            }
        }
        for (path_id, file) in &new.files {
            let old_stream = match old.files.get(path_id) {
                Some(old_file) if old_file.file_id == file.file_id => continue,
                Some(old_file) => streams.get(&old_file.file_id),
                None => None,
            };
            let stream = Self::stream(streams, &new, &file.path, &file.file_id)?;
            let base = old_stream.and_then(FileStream::content_digest);
            self.need(stream, base);
            let both_config =
                stream.flags.is_config() && old_stream.is_some_and(|old| old.flags.is_config());
            if let (Some(target), Some(base), true) = (stream.content_digest(), base, both_config)
                && target != base
            {
                self.text_diffs.insert(TextDiffKey { target, base });
            }
            self.changeset.files.insert(file.file_id, stream.clone());
        }
        self.changeset
            .add_trove(TroveChange::relative(old.tuple(), new));
        Ok(())
    }

    /// A digest of everything this builder will base its changeset on
    /// (the format, the options, every trove change with its files, the
    /// contents needed and the bases of their deltas, the contents the
    /// receiver has): two builders with the same fingerprint build and
    /// write the same changeset from the same contents. A repository keys
    /// its cache of generated changesets by it.
    ///
    /// ```rust
    /// use conary_changeset::{BuildOptions, ChangeSetBuilder};
    /// let plain = ChangeSetBuilder::new().fingerprint();
    /// assert_eq!(plain, ChangeSetBuilder::new().fingerprint());
    /// let no_deltas = BuildOptions { deltas: false, ..Default::default() };
    /// assert_ne!(plain, ChangeSetBuilder::with_options(no_deltas).fingerprint());
    /// ```
    pub fn fingerprint(&self) -> Digest {
        let mut hasher = conary_core::digest::Hasher::new();
        let mut field = |bytes: &[u8]| {
            hasher.update(&(bytes.len() as u64).to_le_bytes());
            hasher.update(bytes);
        };
        field(b"conary changeset builder");
        field(&crate::index::CHANGESET_FORMAT.number.to_le_bytes());
        field(&crate::index::ENVELOPE_FORMAT.to_le_bytes());
        field(format!("{:?}", self.options).as_bytes());
        field(&crate::index::encode(&self.changeset));
        for (digest, needed) in &self.needed {
            field(digest.as_bytes());
            field(&needed.size.to_le_bytes());
            for base in &needed.bases {
                field(base.as_bytes());
            }
        }
        field(b"known");
        for digest in &self.known {
            field(digest.as_bytes());
        }
        field(b"text diffs");
        for key in &self.text_diffs {
            field(key.base.as_bytes());
            field(key.target.as_bytes());
        }
        hasher.finalize()
    }

    /// Decides how each contents travels, reading old and new contents
    /// where a delta or a text diff is tried, and returns the checked
    /// changeset. Write it with a source that has both old and new contents
    /// (e.g. `(&new_contents, &old_contents)`).
    pub fn build(
        self,
        old_contents: &dyn ContentSource,
        new_contents: &dyn ContentSource,
    ) -> Result<ChangeSet, ChangeSetError> {
        self.build_inner(old_contents, new_contents, false, None)
            .map(|(changeset, _)| changeset)
    }

    /// [`ChangeSetBuilder::build`], taking the deltas it weighs from
    /// `deltas` when they are there and offering it those it makes. The
    /// changeset is the same as without the store. When every delta of
    /// some contents is stored and the source keeps the contents as a
    /// frame ([`ContentSource::open_frame`]), those contents are not read.
    pub fn build_using(
        self,
        old_contents: &dyn ContentSource,
        new_contents: &dyn ContentSource,
        deltas: &dyn DeltaStore,
    ) -> Result<ChangeSet, ChangeSetError> {
        self.build_inner(old_contents, new_contents, false, Some(deltas))
            .map(|(changeset, _)| changeset)
    }

    /// [`ChangeSetBuilder::build_prepared`] with a store of deltas, as
    /// [`ChangeSetBuilder::build_using`]. The changeset written is the
    /// same byte for byte.
    pub fn build_prepared_using(
        self,
        old_contents: &dyn ContentSource,
        new_contents: &dyn ContentSource,
        deltas: &dyn DeltaStore,
    ) -> Result<(ChangeSet, PreparedPayloads), ChangeSetError> {
        self.build_inner(old_contents, new_contents, true, Some(deltas))
    }

    /// Weighs every delta [`ChangeSetBuilder::build_using`] would weigh,
    /// through `deltas` (so that a later build finds them there), and
    /// builds nothing: what a repository does ahead of the requests.
    /// Returns how many contents had deltas to weigh.
    pub fn store_deltas(
        self,
        old_contents: &dyn ContentSource,
        new_contents: &dyn ContentSource,
        deltas: &dyn DeltaStore,
    ) -> Result<usize, ChangeSetError> {
        let encoding = delta_encoding(self.options.delta_level);
        let mut weighed = 0;
        for (digest, needed) in &self.needed {
            if self.known.contains(digest) || !self.weighs_deltas(needed) {
                continue;
            }
            self.choose(
                digest,
                needed,
                old_contents,
                new_contents,
                Some((deltas, encoding)),
            )?;
            weighed += 1;
        }
        Ok(weighed)
    }

    /// [`ChangeSetBuilder::build`], also returning the payloads it
    /// compressed to weigh deltas against full contents (up to a bound of
    /// memory), so that [`crate::ChangeSetWriter::use_prepared`] writes
    /// them without compressing them again. The changeset written is the
    /// same byte for byte.
    pub fn build_prepared(
        self,
        old_contents: &dyn ContentSource,
        new_contents: &dyn ContentSource,
    ) -> Result<(ChangeSet, PreparedPayloads), ChangeSetError> {
        self.build_inner(old_contents, new_contents, true, None)
    }

    fn levels(&self) -> compress::Levels {
        compress::Levels {
            full: self.options.level,
            delta: self.options.delta_level,
        }
    }

    fn build_inner(
        mut self,
        old_contents: &dyn ContentSource,
        new_contents: &dyn ContentSource,
        keep: bool,
        deltas: Option<&dyn DeltaStore>,
    ) -> Result<(ChangeSet, PreparedPayloads), ChangeSetError> {
        let deltas = deltas.map(|store| (store, delta_encoding(self.options.delta_level)));
        let needed = std::mem::take(&mut self.needed);
        let mut prepared = PreparedPayloads::new(self.levels());
        for (digest, needed) in &needed {
            let kind = if self.known.contains(digest) {
                ContentKind::Reference
            } else {
                let (kind, frame) =
                    self.choose(digest, needed, old_contents, new_contents, deltas)?;
                if keep && let Some(frame) = frame {
                    prepared.keep(*digest, frame);
                }
                kind
            };
            let contents = Contents {
                size: needed.size,
                kind,
            };
            self.changeset.contents.insert(*digest, contents);
        }
        if self.options.text_diffs {
            self.add_text_diffs(old_contents, new_contents)?;
        }
        validate(&self.changeset, &self.options.limits)?;
        Ok((self.changeset, prepared))
    }

    /// Whether deltas are weighed for `needed` at all.
    fn weighs_deltas(&self, needed: &Needed) -> bool {
        self.options.deltas
            && !needed.bases.is_empty()
            && needed.size != 0
            && needed.size <= self.options.limits.max_delta_base
    }

    /// Full or delta, whichever is smaller, with the compressed frame of
    /// the form chosen when one was made (the contents were read and are
    /// exactly `needed.size` bytes). With `deltas` (a store and the
    /// encoding of this builder's deltas), a delta stored for a base is
    /// taken from it instead of being made, and a delta made is stored;
    /// the contents are read only when something must be compressed.
    fn choose(
        &self,
        digest: &Digest,
        needed: &Needed,
        old_contents: &dyn ContentSource,
        new_contents: &dyn ContentSource,
        deltas: Option<(&dyn DeltaStore, Digest)>,
    ) -> Result<(ContentKind, Option<Frame>), ChangeSetError> {
        let max = self.options.limits.max_delta_base;
        if !self.weighs_deltas(needed) {
            return Ok((ContentKind::Full, None));
        }
        let read_new = || read_verified(new_contents, digest, max, "contents");
        // Without a store the contents are always needed: read them first,
        // as they always were (a missing or damaged blob fails here).
        let mut new = match deltas {
            None => Some(read_new()?),
            Some(_) => None,
        };
        let levels = self.levels();
        // Contents the source keeps compressed weigh what their frame
        // weighs, and the writer copies that frame: only a delta needs
        // compressing here.
        let (full_len, full) = match stored_frame(new_contents, digest, needed.size)? {
            Some(frame) => (frame.len() as u64, None),
            None => {
                let new = match &mut new {
                    Some(new) => new,
                    slot => slot.insert(read_new()?),
                };
                let full = compress(new, levels, None)?;
                (full.len() as u64, Some(full))
            }
        };
        let mut best = (full_len, ContentKind::Full, full);
        for base in &needed.bases {
            let key = deltas.map(|(_, encoding)| DeltaKey {
                target: *digest,
                base: *base,
                encoding,
            });
            let stored = deltas
                .zip(key.as_ref())
                .and_then(|((store, _), key)| store.get(key))
                .filter(|stored| stored.size == needed.size);
            let (delta_len, delta) = match stored {
                // A stored delta serves when its frame is there or when it
                // loses anyway; the base must still be one a build reads.
                Some(stored)
                    if stored.frame.is_some()
                        || stored.len.saturating_add(DELTA_INDEX_COST) >= best.0 =>
                {
                    if stored.base_size > max
                        || !compress::delta_fits(stored.base_size, needed.size)
                    {
                        continue;
                    }
                    (stored.len, stored.frame)
                }
                _ => {
                    let old = match read_verified(old_contents, base, max, "base contents") {
                        Ok(old) => old,
                        Err(ChangeSetError::Unavailable { .. } | ChangeSetError::Limit { .. }) => {
                            continue;
                        }
                        Err(error) => return Err(error),
                    };
                    if !compress::delta_fits(old.len() as u64, needed.size) {
                        continue;
                    }
                    let new = match &mut new {
                        Some(new) => new,
                        slot => slot.insert(read_new()?),
                    };
                    let delta = compress(new, levels, Some(&old))?;
                    let len = delta.len() as u64;
                    if let (Some((store, _)), Some(key)) = (deltas, &key) {
                        let smaller = len.saturating_add(DELTA_INDEX_COST) < full_len;
                        let record = StoredDelta {
                            base_size: old.len() as u64,
                            size: new.len() as u64,
                            len,
                            frame: smaller.then(|| delta.clone()),
                        };
                        store.put(key, &record);
                    }
                    (len, Some(delta))
                }
            };
            let delta_len = delta_len.saturating_add(DELTA_INDEX_COST);
            if delta_len < best.0
                && let Some(delta) = delta
            {
                best = (delta_len, ContentKind::Delta { base: *base }, Some(delta));
            }
        }
        let (_, kind, bytes) = best;
        let Some(bytes) = bytes else {
            return Ok((kind, None));
        };
        // A stream whose size disagrees with its contents is left to the
        // writer, which reports it. Contents not read were weighed only
        // from stored deltas of exactly `needed.size` bytes.
        let exact = new
            .as_ref()
            .is_none_or(|new| new.len() as u64 == needed.size);
        let frame = exact.then_some(Frame {
            base: match kind {
                ContentKind::Delta { base } => Some(base),
                _ => None,
            },
            size: needed.size,
            bytes,
        });
        Ok((kind, frame))
    }

    fn add_text_diffs(
        &mut self,
        old_contents: &dyn ContentSource,
        new_contents: &dyn ContentSource,
    ) -> Result<(), ChangeSetError> {
        let max = self.options.limits.max_text_diff;
        for key in std::mem::take(&mut self.text_diffs) {
            // A diff is made for carried contents only: contents the
            // receiver already has need no help to be merged from.
            let carried = self
                .changeset
                .contents
                .get(&key.target)
                .is_some_and(|contents| contents.size <= max && contents.kind.is_carried());
            if !carried {
                continue;
            }
            let old = match read_verified(old_contents, &key.base, max, "base contents") {
                Ok(old) => old,
                Err(ChangeSetError::Unavailable { .. } | ChangeSetError::Limit { .. }) => continue,
                Err(error) => return Err(error),
            };
            let new = read_verified(new_contents, &key.target, max, "contents")?;
            if let Some(text) = text_diff(&old, &new)
                && text.len() as u64 <= max
            {
                self.changeset.text_diffs.insert(key, TextDiff::of(&text));
            }
        }
        Ok(())
    }
}

fn compress(
    data: &[u8],
    levels: compress::Levels,
    base: Option<&[u8]>,
) -> Result<Vec<u8>, ChangeSetError> {
    compress::compress(data, levels, base)
        .map_err(|e| ChangeSetError::io("compress contents to compare sizes", e))
}
