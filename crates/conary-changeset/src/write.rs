//! Writing a changeset: [`ChangeSetWriter`] checks the index, writes it,
//! then streams each payload from a [`ContentSource`], compressing on the
//! fly, or copying a full payload's frame when the source keeps the
//! contents compressed ([`ContentSource::open_frame`]).

use std::io::{self, Read, Write};

use conary_core::digest::Digest;

use crate::chunk::ChunkWriter;
use crate::compress::{self, HashingReader};
use crate::error::ChangeSetError;
use crate::index;
use crate::model::{ChangeSet, ContentKind, PayloadId, TextDiff};
use crate::prepared::PreparedPayloads;
use crate::source::{ContentSource, read_verified, stored_frame};
use crate::textdiff::text_diff;
use crate::validate::{Limits, validate};

/// Knobs for writing.
///
/// ```rust
/// let options = conary_changeset::WriteOptions::default();
/// assert_eq!(options.level, 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteOptions {
    /// The zstd level of full payloads and text diffs.
    pub level: i32,
    /// The zstd level of deltas.
    pub delta_level: i32,
    /// The limits the changeset must respect (the same a reader enforces).
    pub limits: Limits,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            level: compress::DEFAULT_LEVEL,
            delta_level: compress::DEFAULT_DELTA_LEVEL,
            limits: Limits::default(),
        }
    }
}

/// What a payload is made from.
#[derive(Debug, Clone, Copy)]
enum Plan {
    Contents {
        digest: Digest,
        size: u64,
        base: Option<Digest>,
    },
    TextDiff {
        base: Digest,
        target: Digest,
        diff: TextDiff,
    },
}

/// Writes a changeset as a stream: the index first, then each payload in
/// order, read from a [`ContentSource`] and compressed on the fly. Nothing
/// is held in memory but the index, one chunk, and the base of a delta.
///
/// When writing fails the output is unusable (a reader will refuse it).
///
/// ```rust
/// use conary_changeset::{ChangeSet, ChangeSetWriter, MemContents};
/// let mut writer = ChangeSetWriter::new(Vec::new(), &ChangeSet::default())?;
/// writer.write_all(&MemContents::new())?;
/// let bytes = writer.finish()?;
/// assert!(bytes.starts_with(b"CNYZ"));
/// # Ok::<(), conary_changeset::ChangeSetError>(())
/// ```
#[derive(Debug)]
pub struct ChangeSetWriter<W: Write> {
    out: W,
    plans: Vec<(PayloadId, Plan)>,
    next: usize,
    options: WriteOptions,
    written: u64,
    prepared: PreparedPayloads,
}

impl<W: Write> ChangeSetWriter<W> {
    /// Checks `changeset` and writes its index to `out`, with default options.
    pub fn new(out: W, changeset: &ChangeSet) -> Result<ChangeSetWriter<W>, ChangeSetError> {
        ChangeSetWriter::with_options(out, changeset, WriteOptions::default())
    }

    /// Checks `changeset` and writes its index to `out`.
    pub fn with_options(
        mut out: W,
        changeset: &ChangeSet,
        options: WriteOptions,
    ) -> Result<ChangeSetWriter<W>, ChangeSetError> {
        validate(changeset, &options.limits)?;
        let bytes = index::encode(changeset);
        crate::validate::limit_u64(
            "bytes of index",
            bytes.len() as u64,
            options.limits.max_index_len,
        )?;
        let envelope = crate::index::envelope(&bytes);
        out.write_all(&envelope)
            .map_err(|e| ChangeSetError::io("write the changeset index", e))?;
        let plans = changeset
            .payloads()
            .filter_map(|id| {
                let plan = match id {
                    PayloadId::Contents(digest) => {
                        let contents = changeset.contents.get(&digest)?;
                        let base = match contents.kind {
                            ContentKind::Delta { base } => Some(base),
                            _ => None,
                        };
                        Plan::Contents {
                            digest,
                            size: contents.size,
                            base,
                        }
                    }
                    PayloadId::TextDiff(key) => Plan::TextDiff {
                        base: key.base,
                        target: key.target,
                        diff: *changeset.text_diffs.get(&key)?,
                    },
                };
                Some((id, plan))
            })
            .collect();
        Ok(ChangeSetWriter {
            out,
            plans,
            next: 0,
            options,
            written: envelope.len() as u64,
            prepared: PreparedPayloads::default(),
        })
    }

    fn levels(&self) -> compress::Levels {
        compress::Levels {
            full: self.options.level,
            delta: self.options.delta_level,
        }
    }

    /// Hands over payloads the builder already compressed
    /// ([`crate::ChangeSetBuilder::build_prepared`]): each is copied into
    /// the changeset as it is instead of being read and compressed again,
    /// when it matches the index entry and this writer's levels. What is
    /// written does not change.
    pub fn use_prepared(&mut self, prepared: PreparedPayloads) {
        self.prepared = prepared;
    }

    /// The payload the next call to [`ChangeSetWriter::write_next`] writes.
    pub fn next_payload(&self) -> Option<PayloadId> {
        self.plans.get(self.next).map(|(id, _)| *id)
    }

    /// The bytes written so far.
    pub fn bytes_written(&self) -> u64 {
        self.written
    }

    /// Writes the next payload, reading its contents (and the base of a
    /// delta, and both sides of a text diff) from `contents`. Returns what
    /// was written, or `None` when every payload has been.
    pub fn write_next(
        &mut self,
        contents: &dyn ContentSource,
    ) -> Result<Option<PayloadId>, ChangeSetError> {
        let Some((id, plan)) = self.plans.get(self.next).copied() else {
            return Ok(None);
        };
        let emitted = match plan {
            Plan::Contents { digest, size, base } => {
                self.write_contents(contents, &digest, size, base.as_ref())?
            }
            Plan::TextDiff { base, target, diff } => {
                self.write_text_diff(contents, &base, &target, &diff)?
            }
        };
        self.written += emitted;
        self.next += 1;
        Ok(Some(id))
    }

    /// Writes every remaining payload from `contents`.
    pub fn write_all(&mut self, contents: &dyn ContentSource) -> Result<(), ChangeSetError> {
        while self.write_next(contents)?.is_some() {}
        Ok(())
    }

    /// Checks that every payload was written, flushes, and returns the output.
    pub fn finish(mut self) -> Result<W, ChangeSetError> {
        let remaining = self.plans.len() - self.next;
        if remaining > 0 {
            return Err(ChangeSetError::Unfinished {
                remaining,
                action: "written",
            });
        }
        self.out
            .flush()
            .map_err(|e| ChangeSetError::io("flush the changeset", e))?;
        Ok(self.out)
    }

    /// Writes `frame`, a compressed payload already made for the contents
    /// `digest`, as the payload's chunks; returns the bytes written.
    fn write_frame(&mut self, digest: &Digest, frame: &[u8]) -> Result<u64, ChangeSetError> {
        let action = || format!("write contents {digest}");
        let mut chunks = ChunkWriter::new(&mut self.out);
        chunks
            .write_all(frame)
            .map_err(|e| ChangeSetError::io(action(), e))?;
        chunks.finish().map_err(|e| ChangeSetError::io(action(), e))
    }

    fn write_contents(
        &mut self,
        source: &dyn ContentSource,
        digest: &Digest,
        size: u64,
        base: Option<&Digest>,
    ) -> Result<u64, ChangeSetError> {
        if let Some(frame) = self.prepared.take(digest, size, base, self.levels()) {
            // Made from contents read and checked against `digest` while
            // building, with the same encoder settings as below.
            return self.write_frame(digest, &frame);
        }
        if base.is_none()
            && let Some(frame) = stored_frame(source, digest, size)?
        {
            // Kept compressed by the source: copied as it is. The reader
            // checks it against `digest` like any payload.
            return self.write_frame(digest, &frame);
        }
        let limits = &self.options.limits;
        let base = base
            .map(|base| read_verified(source, base, limits.max_delta_base, "base contents"))
            .transpose()?;
        let action = || format!("write contents {digest}");
        let reader = source
            .open(digest)
            .map_err(|e| ChangeSetError::io(action(), e))?
            .ok_or(ChangeSetError::Unavailable {
                what: "contents",
                digest: *digest,
            })?;
        let mut reader = HashingReader::new(reader.take(size.saturating_add(1)));
        let levels = self.levels();
        let chunks = ChunkWriter::new(&mut self.out);
        let compress = |reader: &mut HashingReader<_>| -> io::Result<u64> {
            let mut encoder = compress::encoder(chunks, levels, size, base.as_deref())?;
            io::copy(reader, &mut encoder)?;
            encoder.finish()?.finish()
        };
        let result = compress(&mut reader);
        let (found, count) = reader.result();
        if count != size {
            return Err(ChangeSetError::SizeMismatch {
                what: "contents",
                digest: *digest,
                expected: size,
                found: count,
            });
        }
        let emitted = result.map_err(|e| ChangeSetError::io(action(), e))?;
        if found != *digest {
            return Err(ChangeSetError::DigestMismatch {
                what: "contents",
                expected: *digest,
                found,
            });
        }
        Ok(emitted)
    }

    fn write_text_diff(
        &mut self,
        source: &dyn ContentSource,
        base: &Digest,
        target: &Digest,
        diff: &TextDiff,
    ) -> Result<u64, ChangeSetError> {
        let max = self.options.limits.max_text_diff;
        let old = read_verified(source, base, max, "base contents")?;
        let new = read_verified(source, target, max, "contents")?;
        let text = text_diff(&old, &new).ok_or_else(|| {
            ChangeSetError::inconsistent(format!("contents {target} or {base} are not text"))
        })?;
        if TextDiff::of(&text) != *diff {
            let reason = format!("text diff {base}..{target} differs from its index entry");
            return Err(ChangeSetError::inconsistent(reason));
        }
        let action = || format!("write text diff {base}..{target}");
        let levels = self.levels();
        let chunks = ChunkWriter::new(&mut self.out);
        let mut encoder = compress::encoder(chunks, levels, diff.size, None)
            .map_err(|e| ChangeSetError::io(action(), e))?;
        encoder
            .write_all(text.as_bytes())
            .map_err(|e| ChangeSetError::io(action(), e))?;
        encoder
            .finish()
            .and_then(ChunkWriter::finish)
            .map_err(|e| ChangeSetError::io(action(), e))
    }
}

/// Writes `changeset` to `out` whole, reading contents from `contents`.
///
/// ```rust
/// use conary_changeset::{ChangeSet, MemContents, write_changeset};
/// let bytes = write_changeset(Vec::new(), &ChangeSet::default(), &MemContents::new())?;
/// assert_eq!(&bytes[..4], b"CNYZ");
/// # Ok::<(), conary_changeset::ChangeSetError>(())
/// ```
pub fn write_changeset<W: Write>(
    out: W,
    changeset: &ChangeSet,
    contents: &dyn ContentSource,
) -> Result<W, ChangeSetError> {
    let mut writer = ChangeSetWriter::new(out, changeset)?;
    writer.write_all(contents)?;
    writer.finish()
}
