//! Reading a changeset: [`ChangeSetReader`] reads and checks the whole
//! index first, then hands out each payload as a [`PayloadReader`] that
//! decompresses it and checks its size and digest.

use std::io::{self, BufReader, Read, Write};

use conary_core::digest::{Digest, Hasher};
use conary_core::encoding::DecodeError;

use crate::chunk::{CHUNK_LEN, ChunkReader, ChunkState, Input};
use crate::compress;
use crate::error::ChangeSetError;
use crate::index::{self, CHANGESET_FORMAT};
use crate::model::{ChangeSet, ContentKind, PayloadId};
use crate::source::{ContentSource, read_verified};
use crate::validate::{Limits, limit_u64, validate};

/// Reads a changeset as a stream.
///
/// [`ChangeSetReader::new`] reads the index and checks all of it (paths,
/// duplicates, streams, the content index, limits) before returning, so a
/// caller can refuse a changeset before writing anything. The payloads then
/// come one by one, in index order, from [`ChangeSetReader::next_payload`];
/// each is verified against its size and digest as it is read to its end.
///
/// ```rust
/// use conary_changeset::{ChangeSet, ChangeSetReader, MemContents, NoContents, write_changeset};
/// let bytes = write_changeset(Vec::new(), &ChangeSet::default(), &MemContents::new())?;
/// let mut reader = ChangeSetReader::new(&bytes[..])?;
/// assert!(reader.changeset().is_empty());
/// assert!(reader.next_payload(&NoContents)?.is_none());
/// reader.finish()?;
/// # Ok::<(), conary_changeset::ChangeSetError>(())
/// ```
pub struct ChangeSetReader<R: Read> {
    input: Input<R>,
    changeset: ChangeSet,
    index_digest: Digest,
    payloads: Vec<PayloadId>,
    next: usize,
    limits: Limits,
    state: ChunkState,
    /// The payload handed out last, while it may not have been read to its
    /// end.
    open: Option<PayloadId>,
    base: Vec<u8>,
    /// The zstd context full payloads are decoded with, made once (a
    /// delta needs one of its own, holding its base).
    context: Option<zstd::zstd_safe::DCtx<'static>>,
}

impl<R: Read> std::fmt::Debug for ChangeSetReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangeSetReader")
            .field("index_digest", &self.index_digest)
            .field("next", &self.next)
            .field("payloads", &self.payloads.len())
            .finish_non_exhaustive()
    }
}

impl<R: Read> ChangeSetReader<R> {
    /// Reads and checks the index with the default [`Limits`].
    pub fn new(input: R) -> Result<ChangeSetReader<R>, ChangeSetError> {
        ChangeSetReader::with_limits(input, Limits::default())
    }

    /// Reads and checks the index within `limits`.
    pub fn with_limits(input: R, limits: Limits) -> Result<ChangeSetReader<R>, ChangeSetError> {
        let mut input = Input::new(input);
        let bytes = read_index(&mut input, &limits)?;
        let max_len = usize::try_from(limits.max_index_len).unwrap_or(usize::MAX);
        let changeset = index::decode(&bytes, max_len.saturating_add(16))?;
        validate(&changeset, &limits)?;
        let payloads = changeset.payloads().collect();
        Ok(ChangeSetReader {
            input,
            index_digest: Digest::of(&bytes),
            changeset,
            payloads,
            next: 0,
            limits,
            state: ChunkState::start(),
            open: None,
            base: Vec::new(),
            context: None,
        })
    }

    /// The index: troves, file streams and the content index.
    pub fn changeset(&self) -> &ChangeSet {
        &self.changeset
    }

    /// The digest of the index's bytes (what a signature of the changeset
    /// signs; every payload is bound to it by its digest).
    pub fn index_digest(&self) -> Digest {
        self.index_digest
    }

    /// Bytes of the changeset read so far (envelope and index included).
    pub fn position(&self) -> u64 {
        self.input.offset()
    }

    /// The payload the next call hands out.
    pub fn peek_payload(&self) -> Option<PayloadId> {
        self.payloads.get(self.next).copied()
    }

    /// Skips what is left of a payload handed out earlier.
    fn close_open(&mut self) -> Result<(), ChangeSetError> {
        if let Some(id) = self.open.take()
            && !self.state.done
        {
            let mut chunks = ChunkReader {
                input: &mut self.input,
                state: &mut self.state,
                id,
                max_chunk_len: self.limits.max_chunk_len,
            };
            chunks.skip()?;
        }
        Ok(())
    }

    /// The next payload, decompressing and verifying as it is read; `None`
    /// after the last. The base of a delta is read from `bases` (and
    /// checked against its digest) first.
    pub fn next_payload(
        &mut self,
        bases: &dyn ContentSource,
    ) -> Result<Option<PayloadReader<'_, R>>, ChangeSetError> {
        self.close_open()?;
        let Some(id) = self.peek_payload() else {
            return Ok(None);
        };
        let (size, digest, base) = match id {
            PayloadId::Contents(digest) => {
                let contents = self.changeset.contents.get(&digest);
                let size = contents.map_or(0, |contents| contents.size);
                let base = match contents.map(|contents| contents.kind) {
                    Some(ContentKind::Delta { base }) => Some(base),
                    _ => None,
                };
                (size, digest, base)
            }
            PayloadId::TextDiff(key) => {
                let diff = self.changeset.text_diffs.get(&key);
                let size = diff.map_or(0, |diff| diff.size);
                (size, diff.map_or(key.target, |diff| diff.digest), None)
            }
        };
        self.base.clear();
        if let Some(base) = base {
            self.base = read_verified(bases, &base, self.limits.max_delta_base, "base contents")?;
            let span = (self.base.len() as u64).saturating_add(size);
            limit_u64(
                "bytes in a delta and its base",
                span,
                compress::MAX_DELTA_SPAN,
            )?;
        }
        if base.is_none() && self.context.is_none() {
            let context = zstd::zstd_safe::DCtx::try_create().ok_or_else(|| {
                ChangeSetError::io(
                    format!("start decoding {id}"),
                    io::Error::other("cannot allocate a zstd context"),
                )
            })?;
            self.context = Some(context);
        }
        self.next += 1;
        self.state = ChunkState::start();
        self.open = Some(id);
        let chunks = ChunkReader {
            input: &mut self.input,
            state: &mut self.state,
            id,
            max_chunk_len: self.limits.max_chunk_len,
        };
        let input = BufReader::with_capacity(CHUNK_LEN, chunks);
        let decoder = match (base, self.context.as_mut()) {
            (Some(_), _) => compress::decoder(input, size, Some(self.base.as_slice())),
            (None, Some(context)) => compress::full_decoder(input, size, context),
            (None, None) => Err(io::Error::other("no zstd context")),
        }
        .map_err(|e| ChangeSetError::io(format!("start decoding {id}"), e))?;
        Ok(Some(PayloadReader {
            id,
            decoder,
            hasher: Hasher::new(),
            produced: 0,
            size,
            digest,
            verified: false,
        }))
    }

    /// The next payload as the zstd frame stored in the changeset, neither
    /// decoded nor checked, when it is full contents (no delta, not a text
    /// diff) of at most `max_size` bytes; `Ok(None)`, consuming nothing,
    /// otherwise (read it with [`ChangeSetReader::next_payload`]). For a
    /// store that keeps contents compressed: the caller must check the
    /// frame against [`RawFrame::digest`] and [`RawFrame::size`] (or
    /// [`RawFrame::decode`] it) before trusting it. A frame longer than any
    /// zstd encoder makes for its size is refused as corrupt.
    pub fn next_full_frame(&mut self, max_size: u64) -> Result<Option<RawFrame>, ChangeSetError> {
        self.close_open()?;
        let Some(PayloadId::Contents(digest)) = self.peek_payload() else {
            return Ok(None);
        };
        let Some(contents) = self.changeset.contents.get(&digest) else {
            return Ok(None);
        };
        if contents.kind != ContentKind::Full || contents.size > max_size {
            return Ok(None);
        }
        let size = contents.size;
        let id = PayloadId::Contents(digest);
        let bound = usize::try_from(size)
            .map(zstd::zstd_safe::compress_bound)
            .unwrap_or(usize::MAX)
            .saturating_mul(2)
            .saturating_add(1024) as u64;
        self.next += 1;
        self.state = ChunkState::start();
        let mut chunks = ChunkReader {
            input: &mut self.input,
            state: &mut self.state,
            id,
            max_chunk_len: self.limits.max_chunk_len,
        };
        let mut bytes = Vec::new();
        (&mut chunks)
            .take(bound.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| ChangeSetError::from_io(e, "read a payload"))?;
        if bytes.len() as u64 > bound {
            return Err(ChangeSetError::Corrupt {
                what: id.to_string(),
                reason: format!("compressed payload longer than {bound} bytes for {size} bytes"),
            });
        }
        Ok(Some(RawFrame {
            digest,
            size,
            bytes,
        }))
    }

    /// Skips the next payload without decompressing it (its framing is still
    /// checked); returns it with the number of bytes it takes in the
    /// changeset, or `None` after the last.
    pub fn skip_payload(&mut self) -> Result<Option<(PayloadId, u64)>, ChangeSetError> {
        self.close_open()?;
        let Some(id) = self.peek_payload() else {
            return Ok(None);
        };
        self.next += 1;
        self.state = ChunkState::start();
        let mut chunks = ChunkReader {
            input: &mut self.input,
            state: &mut self.state,
            id,
            max_chunk_len: self.limits.max_chunk_len,
        };
        chunks.skip()?;
        Ok(Some((id, self.state.stored)))
    }

    /// Checks that every payload was handed out or skipped and that nothing
    /// follows the last one; returns the index. A payload dropped before its
    /// end counts as skipped: it was not verified.
    pub fn finish(mut self) -> Result<ChangeSet, ChangeSetError> {
        let remaining = self.payloads.len() - self.next;
        if remaining > 0 {
            return Err(ChangeSetError::Unfinished {
                remaining,
                action: "read",
            });
        }
        self.close_open()?;
        if !self.input.at_end()? {
            return Err(ChangeSetError::TrailingBytes {
                offset: self.input.offset(),
            });
        }
        Ok(self.changeset)
    }
}

/// Reads the index object's bytes (magic, format, length and body), from
/// the zstd envelope (`CNYZ`) the writer uses, or bare (`CNYC`).
fn read_index<R: Read>(input: &mut Input<R>, limits: &Limits) -> Result<Vec<u8>, ChangeSetError> {
    let mut head = [0u8; 6];
    input.read_exact(&mut head, "index header")?;
    if head[..4] == crate::index::ENVELOPE_MAGIC {
        let number = u16::from_be_bytes([head[4], head[5]]);
        if number != crate::index::ENVELOPE_FORMAT {
            return Err(DecodeError::UnsupportedFormat {
                object: "changeset envelope",
                expected: crate::index::ENVELOPE_FORMAT,
                found: number,
            }
            .into());
        }
        let compressed_len = input.varint("compressed index length")?;
        limit_u64(
            "bytes of compressed index",
            compressed_len,
            limits.max_index_len,
        )?;
        let mut compressed = Vec::new();
        input
            .take(compressed_len)
            .read_to_end(&mut compressed)
            .map_err(|e| ChangeSetError::io("read the changeset index", e))?;
        if (compressed.len() as u64) < compressed_len {
            return Err(ChangeSetError::Truncated {
                what: format!(
                    "compressed index at byte {} needs {} more bytes",
                    input.offset(),
                    compressed_len - compressed.len() as u64
                ),
            });
        }
        let inner = crate::index::decompress_index(&compressed, limits.max_index_len)?;
        let mut inner_input = Input::new(&inner[..]);
        let bytes = read_index(&mut inner_input, limits)?;
        if bytes.len() != inner.len() {
            return Err(ChangeSetError::Truncated {
                what: "compressed index holds bytes after the index object".to_owned(),
            });
        }
        if inner[..4] != CHANGESET_FORMAT.magic {
            return Err(DecodeError::BadMagic {
                object: CHANGESET_FORMAT.object,
                expected: String::from_utf8_lossy(&CHANGESET_FORMAT.magic).into_owned(),
                found: inner[..4].to_vec(),
            }
            .into());
        }
        return Ok(bytes);
    }
    let [m0, m1, m2, m3, f0, f1] = head;
    if [m0, m1, m2, m3] != CHANGESET_FORMAT.magic {
        return Err(DecodeError::BadMagic {
            object: CHANGESET_FORMAT.object,
            expected: String::from_utf8_lossy(&CHANGESET_FORMAT.magic).into_owned(),
            found: vec![m0, m1, m2, m3],
        }
        .into());
    }
    let number = u16::from_be_bytes([f0, f1]);
    if number != CHANGESET_FORMAT.number {
        return Err(DecodeError::UnsupportedFormat {
            object: CHANGESET_FORMAT.object,
            expected: CHANGESET_FORMAT.number,
            found: number,
        }
        .into());
    }
    let len = input.varint("index length")?;
    limit_u64("bytes of index", len, limits.max_index_len)?;
    let mut bytes = head.to_vec();
    conary_core::encoding::write_varint(&mut bytes, len);
    let header_len = bytes.len();
    input
        .take(len)
        .read_to_end(&mut bytes)
        .map_err(|e| ChangeSetError::io("read the changeset index", e))?;
    let body_len = (bytes.len() - header_len) as u64;
    if body_len < len {
        return Err(ChangeSetError::Truncated {
            what: format!(
                "index at byte {} needs {} more bytes",
                input.offset(),
                len - body_len
            ),
        });
    }
    Ok(bytes)
}

/// A full payload as stored in a changeset, from
/// [`ChangeSetReader::next_full_frame`]: not yet decoded nor checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawFrame {
    /// The digest the index announces for the contents.
    pub digest: Digest,
    /// The size the index announces for the contents.
    pub size: u64,
    /// The compressed bytes, as they were in the changeset.
    pub bytes: Vec<u8>,
}

impl RawFrame {
    /// Decodes the frame as a reader does a full payload (the same window
    /// limit), checking the size and digest the index announced.
    pub fn decode(&self) -> Result<Vec<u8>, ChangeSetError> {
        let id = PayloadId::Contents(self.digest);
        let corrupt = |error: io::Error| ChangeSetError::Corrupt {
            what: id.to_string(),
            reason: error.to_string(),
        };
        let decoder = compress::decoder(&self.bytes[..], self.size, None).map_err(corrupt)?;
        let mut out = Vec::new();
        decoder
            .take(self.size.saturating_add(1))
            .read_to_end(&mut out)
            .map_err(corrupt)?;
        if out.len() as u64 != self.size {
            return Err(ChangeSetError::SizeMismatch {
                what: "contents",
                digest: self.digest,
                expected: self.size,
                found: out.len() as u64,
            });
        }
        let found = Digest::of(&out);
        if found != self.digest {
            return Err(ChangeSetError::DigestMismatch {
                what: "contents",
                expected: self.digest,
                found,
            });
        }
        Ok(out)
    }
}

/// One payload being read: decompresses (against the base of a delta) and
/// checks the size and digest announced in the index. An error comes at the
/// latest when the end is reached; bytes read before it are not trusted
/// until then.
///
/// ```rust
/// use conary_changeset::{ChangeSetBuilder, ChangeSetReader, MemContents, NoContents, write_changeset};
/// use conary_core::files::{FileKind, FileStream, Mode};
/// let mut contents = MemContents::new();
/// let digest = contents.insert(b"hi\n".to_vec());
/// let stream = FileStream::new(FileKind::Regular { size: 3, digest, link_group: None }, Mode::new(0o644).expect("mode"), "root", "root");
/// let version = conary_core::version::Version::thaw("/a.example.com@ns:tag/1700000000.000:1-1-1").expect("version");
/// let mut trove = conary_core::trove::Trove::new("motd:data".parse().expect("name"), version.clone(), Default::default());
/// trove.add_file(conary_core::digest::PathId::derive(b"/etc/motd"), "/etc/motd", stream.file_id(), version);
/// let mut builder = ChangeSetBuilder::new();
/// builder.add_absolute(trove, &[(stream.file_id(), stream)].into_iter().collect())?;
/// let bytes = write_changeset(Vec::new(), &builder.build(&NoContents, &contents)?, &contents)?;
/// let mut reader = ChangeSetReader::new(&bytes[..])?;
/// let mut payload = reader.next_payload(&NoContents)?.expect("one payload");
/// assert_eq!((payload.size(), payload.read_to_vec()?), (3, b"hi\n".to_vec()));
/// # Ok::<(), conary_changeset::ChangeSetError>(())
/// ```
pub struct PayloadReader<'a, R: Read> {
    id: PayloadId,
    decoder: zstd::stream::read::Decoder<'a, BufReader<ChunkReader<'a, R>>>,
    hasher: Hasher,
    produced: u64,
    size: u64,
    digest: Digest,
    verified: bool,
}

/// The most room [`PayloadReader::read_to_vec`] reserves before reading.
const PREALLOCATE_MAX: u64 = 16 << 20;

impl<R: Read> std::fmt::Debug for PayloadReader<'_, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PayloadReader")
            .field("id", &self.id)
            .field("size", &self.size)
            .field("produced", &self.produced)
            .finish_non_exhaustive()
    }
}

impl<R: Read> PayloadReader<'_, R> {
    /// What this payload is.
    pub fn id(&self) -> PayloadId {
        self.id
    }

    /// Its size once decoded, as announced by the index.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Copies the whole payload to `out` and verifies it; returns its size.
    pub fn copy_to(&mut self, out: &mut dyn Write) -> Result<u64, ChangeSetError> {
        let mut buffer = vec![0u8; 64 << 10];
        loop {
            let read = self
                .read(&mut buffer)
                .map_err(|e| ChangeSetError::from_io(e, "read a payload"))?;
            let Some(data) = buffer.get(..read).filter(|data| !data.is_empty()) else {
                return Ok(self.produced);
            };
            out.write_all(data)
                .map_err(|e| ChangeSetError::io(format!("write {}", self.id), e))?;
        }
    }

    /// Reads the whole payload into memory and verifies it.
    pub fn read_to_vec(&mut self) -> Result<Vec<u8>, ChangeSetError> {
        // Room for the announced size (up to a bound: the index is not
        // trusted until the end), read into directly: no buffer to zero
        // and copy from for each payload.
        let room = usize::try_from(self.size.min(PREALLOCATE_MAX)).unwrap_or(0);
        let mut out = Vec::with_capacity(room);
        self.read_to_end(&mut out)
            .map_err(|e| ChangeSetError::from_io(e, "read a payload"))?;
        // `read_checked` ends a payload only once it is verified.
        if !self.verified {
            return Err(ChangeSetError::Corrupt {
                what: self.id.to_string(),
                reason: "the payload was not read to its end".to_owned(),
            });
        }
        Ok(out)
    }

    fn what(&self) -> &'static str {
        match self.id {
            PayloadId::Contents(_) => "contents",
            PayloadId::TextDiff(_) => "text diff",
        }
    }

    /// Checks the end of the payload.
    fn verify(&mut self) -> Result<(), ChangeSetError> {
        let chunks_done = self.decoder.get_ref().get_ref().state.done;
        if !chunks_done {
            return Err(ChangeSetError::Corrupt {
                what: self.id.to_string(),
                reason: "bytes after the end of the compressed data".to_owned(),
            });
        }
        if self.produced != self.size {
            return Err(ChangeSetError::SizeMismatch {
                what: self.what(),
                digest: self.digest,
                expected: self.size,
                found: self.produced,
            });
        }
        let found = self.hasher.finalize();
        if found != self.digest {
            return Err(ChangeSetError::DigestMismatch {
                what: self.what(),
                expected: self.digest,
                found,
            });
        }
        Ok(())
    }

    fn read_checked(&mut self, buffer: &mut [u8]) -> Result<usize, ChangeSetError> {
        if self.verified || buffer.is_empty() {
            return Ok(0);
        }
        let read = self.decoder.read(buffer).map_err(|error| {
            match error.downcast::<ChangeSetError>() {
                Ok(inner) => inner,
                Err(error) => ChangeSetError::Corrupt {
                    what: self.id.to_string(),
                    reason: error.to_string(),
                },
            }
        })?;
        if read == 0 {
            self.verify()?;
            self.verified = true;
            return Ok(0);
        }
        self.produced = self.produced.saturating_add(read as u64);
        if self.produced > self.size {
            return Err(ChangeSetError::SizeMismatch {
                what: self.what(),
                digest: self.digest,
                expected: self.size,
                found: self.produced,
            });
        }
        self.hasher.update(buffer.get(..read).unwrap_or_default());
        Ok(read)
    }
}

impl<R: Read> Read for PayloadReader<'_, R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        self.read_checked(buffer).map_err(io::Error::from)
    }
}
