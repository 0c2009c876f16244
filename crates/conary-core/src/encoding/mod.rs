//! The canonical binary encoding shared by troves, file streams and
//! changesets: deterministic, so digests and signatures are stable, and
//! forward compatible, so fields added later survive a round trip through an
//! older reader.
//!
//! An *object* is a 4-byte magic, a big-endian `u16` format number, a varint
//! body length and a *record*. A record is a run of *fields* in strictly
//! ascending tag order, each `tag: u8`, `length: varint`, `value`. Values are
//! unsigned integers (minimal LEB128 varints), UTF-8 strings, fixed-size byte
//! strings, nested records, and counted lists. Absent and empty values are
//! omitted, and the decoder refuses anything the encoder would not have
//! written, so `encode(decode(bytes)) == bytes` for every accepted input.
//! The byte-level description, with examples, is in `docs/FORMATS.md`.
//!
//! Writing goes through [`Record`]; reading through [`decode_object`], which
//! hands back a [`RecordReader`] over [`Field`]s. Decoding is bounded by
//! [`Limits`] and never panics; every failure is a [`DecodeError`] naming
//! the byte offset and the field.
//!
//! ```rust
//! use conary_core::encoding::{decode_object, encode_object, Format, Limits, Record};
//! const DEMO: Format = Format { object: "demo", magic: *b"DEMO", number: 1 };
//! let mut record = Record::new();
//! record.put_str(1, "hello");
//! let bytes = encode_object(&DEMO, record);
//! assert_eq!(bytes, b"DEMO\x00\x01\x07\x01\x05hello");
//! let mut reader = decode_object(&bytes, &DEMO, &Limits::default()).expect("valid");
//! let field = reader.next_field().expect("valid").expect("one field");
//! assert_eq!(field.value.str("demo.greeting"), Ok("hello"));
//! ```

mod error;
mod read;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Display;

use crate::version::Version;

pub use error::DecodeError;
pub use read::{Field, ListReader, RecordReader, Value, decode_object};

/// The identity of one kind of top-level object: its magic and the one
/// format number this code reads and writes.
///
/// ```rust
/// assert_eq!(&conary_core::trove::TROVE_FORMAT.magic, b"CNYT");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Format {
    /// A short name used in error messages (`trove`, `file stream`).
    pub object: &'static str,
    /// The four bytes every encoding of this object starts with.
    pub magic: [u8; 4],
    /// The format number written after the magic.
    pub number: u16,
}

/// Bounds on what a decoder accepts, so hostile input cannot exhaust memory
/// or the stack.
///
/// ```rust
/// let limits = conary_core::encoding::Limits::default();
/// assert_eq!(limits.max_depth, 16);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest whole input, in bytes.
    pub max_input_len: usize,
    /// The largest single field value or list item, in bytes.
    pub max_field_len: usize,
    /// The most items in one list.
    pub max_list_len: usize,
    /// The deepest nesting of records and lists below the object's body.
    pub max_depth: usize,
}

impl Default for Limits {
    /// 256 MiB of input, 64 MiB per field, a million items per list, depth 16.
    fn default() -> Self {
        Limits {
            max_input_len: 256 << 20,
            max_field_len: 64 << 20,
            max_list_len: 1 << 20,
            max_depth: 16,
        }
    }
}

/// Appends `value` as an unsigned LEB128 varint: seven bits per byte, least
/// significant group first, the high bit set on every byte but the last.
///
/// ```rust
/// let mut out = Vec::new();
/// conary_core::encoding::write_varint(&mut out, 300);
/// assert_eq!(out, [0xac, 0x02]);
/// ```
pub fn write_varint(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let low = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(low);
            return;
        }
        out.push(low | 0x80);
    }
}

/// The value bytes of an unsigned integer: its varint.
pub fn encode_uint(value: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(10);
    write_varint(&mut out, value);
    out
}

/// The value bytes of a list that keeps its order: the item count, then
/// each item as a varint length and its bytes.
pub fn encode_list(items: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    write_varint(&mut out, items.len() as u64);
    for item in items {
        write_varint(&mut out, item.len() as u64);
        out.extend_from_slice(item);
    }
    out
}

/// The value bytes of a set or map: like [`encode_list`], with the items
/// sorted by their bytes and duplicates dropped.
pub fn encode_set(mut items: Vec<Vec<u8>>) -> Vec<u8> {
    items.sort();
    items.dedup();
    encode_list(&items)
}

/// Fields of a record that this code does not know, kept byte for byte so
/// that re-encoding reproduces the original (and its digest and signatures).
///
/// ```rust
/// let mut unknown = conary_core::encoding::UnknownFields::default();
/// unknown.insert(200, b"future".to_vec());
/// assert_eq!(unknown.get(200), Some(&b"future"[..]));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownFields(BTreeMap<u8, Vec<u8>>);

impl UnknownFields {
    /// Keeps the value of field `tag`. A tag that the record knows is
    /// ignored when the record is encoded (the known field wins, even when
    /// it is omitted).
    pub fn insert(&mut self, tag: u8, value: Vec<u8>) {
        self.0.insert(tag, value);
    }

    /// The value kept for `tag`.
    pub fn get(&self, tag: u8) -> Option<&[u8]> {
        self.0.get(&tag).map(Vec::as_slice)
    }

    /// True when nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The number of fields kept.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The kept fields in tag order.
    pub fn iter(&self) -> impl Iterator<Item = (u8, &[u8])> {
        self.0.iter().map(|(tag, value)| (*tag, value.as_slice()))
    }
}

/// A record being written: fields are collected by tag and emitted in
/// ascending tag order, whatever order they were put in.
///
/// ```rust
/// let mut record = conary_core::encoding::Record::new();
/// record.put_uint(2, 300);
/// record.put_str(1, "a");
/// assert_eq!(record.into_bytes(), [0x01, 0x01, b'a', 0x02, 0x02, 0xac, 0x02]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    fields: BTreeMap<u8, Vec<u8>>,
}

impl Record {
    /// An empty record.
    pub fn new() -> Record {
        Record::default()
    }

    /// Puts raw value bytes for `tag` (replacing any earlier value).
    pub fn put_bytes(&mut self, tag: u8, value: Vec<u8>) {
        self.fields.insert(tag, value);
    }

    /// Puts a UTF-8 string.
    pub fn put_str(&mut self, tag: u8, value: &str) {
        self.put_bytes(tag, value.as_bytes().to_vec());
    }

    /// Puts an unsigned integer as a varint.
    pub fn put_uint(&mut self, tag: u8, value: u64) {
        self.put_bytes(tag, encode_uint(value));
    }

    /// Puts the canonical text of `value`, or nothing when that text is
    /// empty; for flavors and dependency sets. The test is on the text, not
    /// on `T::default()`: a flavor holding only an explicitly empty class
    /// (`is:`) is not the default flavor, yet prints as nothing.
    pub fn put_non_default<T: Display>(&mut self, tag: u8, value: &T) {
        let text = value.to_string();
        if !text.is_empty() {
            self.put_str(tag, &text);
        }
    }

    /// Puts a version in its frozen form, so its timestamps survive.
    pub fn put_version(&mut self, tag: u8, version: &Version) {
        self.put_str(tag, &version.freeze());
    }

    /// Puts a nested record, or nothing when it is empty.
    pub fn put_record(&mut self, tag: u8, record: Record) {
        if !record.is_empty() {
            self.put_bytes(tag, record.into_bytes());
        }
    }

    /// Puts an ordered list of item values, or nothing when it is empty.
    pub fn put_list(&mut self, tag: u8, items: &[Vec<u8>]) {
        if !items.is_empty() {
            self.put_bytes(tag, encode_list(items));
        }
    }

    /// Puts a set of item values (sorted by bytes), or nothing when empty.
    pub fn put_set(&mut self, tag: u8, items: Vec<Vec<u8>>) {
        if !items.is_empty() {
            self.put_bytes(tag, encode_set(items));
        }
    }

    /// Puts a set of strings, or nothing when it is empty.
    pub fn put_string_set(&mut self, tag: u8, strings: &BTreeSet<String>) {
        let items = strings.iter().map(|text| text.as_bytes().to_vec());
        self.put_set(tag, items.collect());
    }

    /// Puts an ordered list of strings, or nothing when it is empty.
    pub fn put_string_list(&mut self, tag: u8, strings: &[String]) {
        let items: Vec<Vec<u8>> = strings
            .iter()
            .map(|text| text.as_bytes().to_vec())
            .collect();
        self.put_list(tag, &items);
    }

    /// Puts the fields kept by a decoder, except the tags of `known` (the
    /// tags the record defines, whether or not they were put: an omitted
    /// known field stays omitted) and tags already put.
    pub fn put_unknown(&mut self, unknown: &UnknownFields, known: &[u8]) {
        for (tag, value) in unknown.iter() {
            if !known.contains(&tag) {
                self.fields.entry(tag).or_insert_with(|| value.to_vec());
            }
        }
    }

    /// True when no field has been put.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The encoded fields, in ascending tag order.
    pub fn into_bytes(self) -> Vec<u8> {
        let mut out = Vec::new();
        for (tag, value) in self.fields {
            out.push(tag);
            write_varint(&mut out, value.len() as u64);
            out.extend_from_slice(&value);
        }
        out
    }
}

/// Encodes a top-level object: magic, big-endian format number, varint body
/// length, then the body record.
pub fn encode_object(format: &Format, body: Record) -> Vec<u8> {
    let body = body.into_bytes();
    let mut out = Vec::with_capacity(body.len() + 16);
    out.extend_from_slice(&format.magic);
    out.extend_from_slice(&format.number.to_be_bytes());
    write_varint(&mut out, body.len() as u64);
    out.extend_from_slice(&body);
    out
}
