//! The canonical encoding of a changeset's index (object `CNYC`, format 1).
//!
//! The index reuses `conary-core`'s encoding: troves and file streams are
//! embedded as their own canonical objects (`CNYT`, `CNYF`), so their
//! digests and signatures survive the trip unchanged.

use std::collections::{BTreeMap, BTreeSet};

use conary_core::digest::{Digest, FileId};
use conary_core::encoding::{
    DecodeError, Format, Limits as EncodingLimits, Record, Value, decode_object, encode_object,
};
use conary_core::files::FileStream;
use conary_core::trove::{Trove, TroveTuple};

use crate::model::{ChangeSet, ContentKind, Contents, TextDiff, TextDiffKey, TroveChange};

/// The magic and format number of a changeset's index, which is also how a
/// `.ccs` file starts.
///
/// ```rust
/// assert_eq!(&conary_changeset::CHANGESET_FORMAT.magic, b"CNYC");
/// ```
pub const CHANGESET_FORMAT: Format = Format {
    object: "changeset",
    magic: *b"CNYC",
    number: 1,
};

const TAG_PRIMARY: u8 = 1;
const TAG_TROVES: u8 = 2;
const TAG_ERASED: u8 = 3;
const TAG_FILES: u8 = 4;
const TAG_CONTENTS: u8 = 5;
const TAG_TEXT_DIFFS: u8 = 6;

const TAG_TUPLE_NAME: u8 = 1;
const TAG_TUPLE_VERSION: u8 = 2;
const TAG_TUPLE_FLAVOR: u8 = 3;

const TAG_CHANGE_OLD: u8 = 1;
const TAG_CHANGE_NEW: u8 = 2;

const TAG_CONTENT_DIGEST: u8 = 1;
const TAG_CONTENT_SIZE: u8 = 2;
const TAG_CONTENT_KIND: u8 = 3;
const TAG_CONTENT_BASE: u8 = 4;

const TAG_DIFF_TARGET: u8 = 1;
const TAG_DIFF_BASE: u8 = 2;
const TAG_DIFF_SIZE: u8 = 3;
const TAG_DIFF_DIGEST: u8 = 4;

/// Encodes the index of `changeset` without checking it (readers check
/// everything; [`crate::ChangeSetWriter`] checks before writing).
pub(crate) fn encode(changeset: &ChangeSet) -> Vec<u8> {
    let mut record = Record::new();
    record.put_set(TAG_PRIMARY, changeset.primary.iter().map(tuple).collect());
    let troves = changeset.troves.values().map(|change| {
        let mut record = Record::new();
        if let Some(old) = &change.old {
            record.put_bytes(TAG_CHANGE_OLD, tuple(old));
        }
        record.put_bytes(TAG_CHANGE_NEW, change.new.encode());
        record.into_bytes()
    });
    record.put_set(TAG_TROVES, troves.collect());
    record.put_set(TAG_ERASED, changeset.erased.iter().map(tuple).collect());
    let files = changeset.files.values().map(FileStream::encode);
    record.put_set(TAG_FILES, files.collect());
    let contents = changeset.contents.iter().map(|(digest, contents)| {
        let mut record = Record::new();
        record.put_bytes(TAG_CONTENT_DIGEST, digest.as_bytes().to_vec());
        record.put_uint(TAG_CONTENT_SIZE, contents.size);
        record.put_uint(TAG_CONTENT_KIND, contents.kind.number());
        if let ContentKind::Delta { base } = contents.kind {
            record.put_bytes(TAG_CONTENT_BASE, base.as_bytes().to_vec());
        }
        record.into_bytes()
    });
    record.put_set(TAG_CONTENTS, contents.collect());
    let diffs = changeset.text_diffs.iter().map(|(key, diff)| {
        let mut record = Record::new();
        record.put_bytes(TAG_DIFF_TARGET, key.target.as_bytes().to_vec());
        record.put_bytes(TAG_DIFF_BASE, key.base.as_bytes().to_vec());
        record.put_uint(TAG_DIFF_SIZE, diff.size);
        record.put_bytes(TAG_DIFF_DIGEST, diff.digest.as_bytes().to_vec());
        record.into_bytes()
    });
    record.put_set(TAG_TEXT_DIFFS, diffs.collect());
    encode_object(&CHANGESET_FORMAT, record)
}

fn tuple(tuple: &TroveTuple) -> Vec<u8> {
    let mut record = Record::new();
    record.put_str(TAG_TUPLE_NAME, tuple.name.as_ref());
    record.put_version(TAG_TUPLE_VERSION, &tuple.version);
    record.put_non_default(TAG_TUPLE_FLAVOR, &tuple.flavor);
    record.into_bytes()
}

/// Decodes an index within `limits` (a bound on its length in bytes and on
/// every list in it). Only the encoding is checked here; the meaning is
/// checked by [`crate::validate`].
pub(crate) fn decode(bytes: &[u8], max_len: usize) -> Result<ChangeSet, DecodeError> {
    let limits = EncodingLimits {
        max_input_len: max_len,
        max_field_len: max_len,
        ..EncodingLimits::default()
    };
    let mut reader = decode_object(bytes, &CHANGESET_FORMAT, &limits)?;
    let mut changeset = ChangeSet::default();
    while let Some(field) = reader.next_field()? {
        let value = field.value;
        match field.tag {
            TAG_PRIMARY => changeset.primary = decode_tuples(value, "changeset.primary")?,
            TAG_TROVES => changeset.troves = decode_troves(value, &limits)?,
            TAG_ERASED => changeset.erased = decode_tuples(value, "changeset.erased")?,
            TAG_FILES => changeset.files = decode_files(value, &limits)?,
            TAG_CONTENTS => changeset.contents = decode_contents(value)?,
            TAG_TEXT_DIFFS => changeset.text_diffs = decode_text_diffs(value)?,
            _ => return Err(reader.unknown_tag(&field)),
        }
    }
    Ok(changeset)
}

fn duplicate(item: Value<'_>, field: &'static str, key: &dyn std::fmt::Display) -> DecodeError {
    DecodeError::DuplicateEntry {
        offset: item.offset(),
        field,
        key: key.to_string(),
    }
}

fn decode_tuple(value: Value<'_>, field: &'static str) -> Result<TroveTuple, DecodeError> {
    let mut reader = value.record(field)?;
    let mut name = None;
    let mut version = None;
    let mut flavor = Default::default();
    while let Some(item) = reader.next_field()? {
        match item.tag {
            TAG_TUPLE_NAME => name = Some(item.value.parse(field)?),
            TAG_TUPLE_VERSION => version = Some(item.value.version(field)?),
            TAG_TUPLE_FLAVOR => flavor = item.value.parse_non_default(field)?,
            _ => return Err(reader.unknown_tag(&item)),
        }
    }
    Ok(TroveTuple {
        name: reader.require(name, field)?,
        version: reader.require(version, field)?,
        flavor,
    })
}

fn decode_tuples(
    value: Value<'_>,
    field: &'static str,
) -> Result<BTreeSet<TroveTuple>, DecodeError> {
    let mut tuples = BTreeSet::new();
    for item in value.set(field)? {
        let item = item?;
        let tuple = decode_tuple(item, field)?;
        if tuples.contains(&tuple) {
            return Err(duplicate(item, field, &tuple));
        }
        tuples.insert(tuple);
    }
    Ok(tuples)
}

fn decode_troves(
    value: Value<'_>,
    limits: &EncodingLimits,
) -> Result<BTreeMap<TroveTuple, TroveChange>, DecodeError> {
    const FIELD: &str = "changeset.troves";
    let mut troves = BTreeMap::new();
    for item in value.set(FIELD)? {
        let item = item?;
        let mut reader = item.record(FIELD)?;
        let mut old = None;
        let mut new = None;
        while let Some(entry) = reader.next_field()? {
            match entry.tag {
                TAG_CHANGE_OLD => old = Some(decode_tuple(entry.value, "changeset.troves.old")?),
                TAG_CHANGE_NEW => {
                    let trove = Trove::decode_with_limits(entry.value.bytes(), limits)
                        .map_err(|error| nested(entry.value, "changeset.troves.new", &error))?;
                    new = Some(trove);
                }
                _ => return Err(reader.unknown_tag(&entry)),
            }
        }
        let change = TroveChange {
            old,
            new: reader.require(new, "changeset.troves.new")?,
        };
        let key = change.new.tuple();
        if troves.contains_key(&key) {
            return Err(duplicate(item, FIELD, &key));
        }
        troves.insert(key, change);
    }
    Ok(troves)
}

/// Re-anchors an error from an embedded object at the object's offset.
fn nested(value: Value<'_>, field: &'static str, error: &DecodeError) -> DecodeError {
    value.invalid(field, error.to_string())
}

fn decode_files(
    value: Value<'_>,
    limits: &EncodingLimits,
) -> Result<BTreeMap<FileId, FileStream>, DecodeError> {
    const FIELD: &str = "changeset.files";
    let mut files = BTreeMap::new();
    for item in value.set(FIELD)? {
        let item = item?;
        let stream = FileStream::decode_with_limits(item.bytes(), limits)
            .map_err(|error| nested(item, FIELD, &error))?;
        let file_id = stream.file_id();
        if files.contains_key(&file_id) {
            return Err(duplicate(item, FIELD, &file_id));
        }
        files.insert(file_id, stream);
    }
    Ok(files)
}

fn digest(value: Value<'_>, field: &'static str) -> Result<Digest, DecodeError> {
    value.fixed(field).map(Digest::from_bytes)
}

fn decode_contents(value: Value<'_>) -> Result<BTreeMap<Digest, Contents>, DecodeError> {
    const FIELD: &str = "changeset.contents";
    let mut contents = BTreeMap::new();
    for item in value.set(FIELD)? {
        let item = item?;
        let mut reader = item.record(FIELD)?;
        let mut key = None;
        let mut size = None;
        let mut kind = None;
        let mut base = None;
        while let Some(entry) = reader.next_field()? {
            let value = entry.value;
            match entry.tag {
                TAG_CONTENT_DIGEST => key = Some(digest(value, "changeset.contents.digest")?),
                TAG_CONTENT_SIZE => size = Some(value.uint("changeset.contents.size")?),
                TAG_CONTENT_KIND => kind = Some((value.uint("changeset.contents.kind")?, value)),
                TAG_CONTENT_BASE => base = Some(digest(value, "changeset.contents.base")?),
                _ => return Err(reader.unknown_tag(&entry)),
            }
        }
        let key = reader.require(key, "changeset.contents.digest")?;
        let (number, kind_value) = reader.require(kind, "changeset.contents.kind")?;
        let kind = match (number, base) {
            (0, None) => ContentKind::Full,
            (1, Some(base)) => ContentKind::Delta { base },
            (2, None) => ContentKind::Reference,
            (1, None) => {
                return Err(kind_value.invalid("changeset.contents.base", "a delta needs a base"));
            }
            (0 | 2, Some(_)) => {
                let reason = "only a delta has a base";
                return Err(kind_value.invalid("changeset.contents.base", reason));
            }
            (other, _) => {
                let reason = format!("unknown content kind {other}");
                return Err(kind_value.invalid("changeset.contents.kind", reason));
            }
        };
        let entry = Contents {
            size: reader.require(size, "changeset.contents.size")?,
            kind,
        };
        if contents.insert(key, entry).is_some() {
            return Err(duplicate(item, FIELD, &key));
        }
    }
    Ok(contents)
}

fn decode_text_diffs(value: Value<'_>) -> Result<BTreeMap<TextDiffKey, TextDiff>, DecodeError> {
    const FIELD: &str = "changeset.text_diffs";
    let mut diffs = BTreeMap::new();
    for item in value.set(FIELD)? {
        let item = item?;
        let mut reader = item.record(FIELD)?;
        let mut target = None;
        let mut base = None;
        let mut size = None;
        let mut text_digest = None;
        while let Some(entry) = reader.next_field()? {
            let value = entry.value;
            match entry.tag {
                TAG_DIFF_TARGET => target = Some(digest(value, "changeset.text_diffs.target")?),
                TAG_DIFF_BASE => base = Some(digest(value, "changeset.text_diffs.base")?),
                TAG_DIFF_SIZE => size = Some(value.uint("changeset.text_diffs.size")?),
                TAG_DIFF_DIGEST => {
                    text_digest = Some(digest(value, "changeset.text_diffs.digest")?);
                }
                _ => return Err(reader.unknown_tag(&entry)),
            }
        }
        let key = TextDiffKey {
            target: reader.require(target, "changeset.text_diffs.target")?,
            base: reader.require(base, "changeset.text_diffs.base")?,
        };
        let diff = TextDiff {
            size: reader.require(size, "changeset.text_diffs.size")?,
            digest: reader.require(text_digest, "changeset.text_diffs.digest")?,
        };
        if diffs.insert(key, diff).is_some() {
            return Err(duplicate(item, FIELD, &key));
        }
    }
    Ok(diffs)
}

/// Magic of the envelope a `.ccs` file starts with: the index object,
/// zstd-compressed (manifests of many small files compress 3-4×).
pub const ENVELOPE_MAGIC: [u8; 4] = *b"CNYZ";

/// Format number of the envelope.
pub const ENVELOPE_FORMAT: u16 = 1;

/// The zstd level of a changeset's index: manifests shrink 3-4×, and the
/// bytes a client fetches count.
pub const INDEX_LEVEL: i32 = 9;

/// The zstd level of one fast to write: a changeset kept on the machine
/// that wrote it (a rollback entry), where writing time counts and size
/// hardly does.
pub const LOCAL_INDEX_LEVEL: i32 = 1;

thread_local! {
    /// The level [`envelope`] uses on this thread (see [`with_index_level`]).
    static LEVEL: std::cell::Cell<i32> = const { std::cell::Cell::new(INDEX_LEVEL) };
}

/// Runs `write` with the indexes of the changesets written on this thread
/// compressed at zstd `level` instead of [`INDEX_LEVEL`]. The format does
/// not change: an index of any level reads back the same.
///
/// ```rust
/// use conary_changeset::{ChangeSet, ChangeSetReader, LOCAL_INDEX_LEVEL, with_index_level, write_changeset, NoContents};
/// let bytes = with_index_level(LOCAL_INDEX_LEVEL, || write_changeset(Vec::new(), &ChangeSet::default(), &NoContents))?;
/// assert!(ChangeSetReader::new(&bytes[..])?.changeset().is_empty());
/// # Ok::<(), conary_changeset::ChangeSetError>(())
/// ```
pub fn with_index_level<T>(level: i32, write: impl FnOnce() -> T) -> T {
    /// Puts the level back, also when `write` panics.
    struct Restore(i32);
    impl Drop for Restore {
        fn drop(&mut self) {
            LEVEL.with(|current| current.set(self.0));
        }
    }
    let _restore = Restore(LEVEL.with(|current| current.replace(level)));
    write()
}

/// The index object wrapped in its envelope: `CNYZ`, format, varint length,
/// zstd frame of the `CNYC` object.
pub(crate) fn envelope(index: &[u8]) -> Vec<u8> {
    let level = LEVEL.with(std::cell::Cell::get);
    let compressed =
        zstd::bulk::compress(index, level).expect("compressing into memory cannot fail");
    let mut out = Vec::with_capacity(compressed.len() + 16);
    out.extend_from_slice(&ENVELOPE_MAGIC);
    out.extend_from_slice(&ENVELOPE_FORMAT.to_be_bytes());
    conary_core::encoding::write_varint(&mut out, compressed.len() as u64);
    out.extend_from_slice(&compressed);
    out
}

/// Decompresses an index frame, refusing more than `max_len` bytes.
pub(crate) fn decompress_index(
    compressed: &[u8],
    max_len: u64,
) -> Result<Vec<u8>, crate::ChangeSetError> {
    use std::io::Read as _;
    let decoder = zstd::stream::read::Decoder::new(compressed)
        .map_err(|e| crate::ChangeSetError::io("decompress the changeset index", e))?;
    let mut inner = Vec::new();
    decoder
        .take(max_len.saturating_add(1))
        .read_to_end(&mut inner)
        .map_err(|e| crate::ChangeSetError::io("decompress the changeset index", e))?;
    if inner.len() as u64 > max_len {
        return Err(
            crate::validate::limit_u64("bytes of index", inner.len() as u64, max_len)
                .expect_err("over the limit"),
        );
    }
    if inner.len() < 6 {
        return Err(crate::ChangeSetError::Truncated {
            what: "compressed index shorter than an object header".to_owned(),
        });
    }
    Ok(inner)
}
