//! Descriptive metadata and capsule data of a trove.

use std::collections::{BTreeMap, BTreeSet};

use crate::encoding::{DecodeError, Record, UnknownFields, Value};

/// Descriptive metadata: what a trove is, under which licenses, where it
/// comes from. Tags follow the original's `_METADATA_ITEM_TAG_*` numbers.
///
/// ```rust
/// use conary_core::troveinfo::Metadata;
/// let mut metadata = Metadata::default();
/// metadata.short_desc = Some("the foo tool".to_owned());
/// metadata.licenses.insert("MIT".to_owned());
/// assert!(!metadata.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Metadata {
    /// A one-line description.
    pub short_desc: Option<String>,
    /// A longer description.
    pub long_desc: Option<String>,
    /// License identifiers.
    pub licenses: BTreeSet<String>,
    /// The upstream project's address.
    pub url: Option<String>,
    /// Categories such as `Development/Tools`.
    pub categories: BTreeSet<String>,
    /// Free-form key/value pairs.
    pub key_values: BTreeMap<String, String>,
    /// Fields from a later format version, kept for re-encoding.
    pub unknown: UnknownFields,
}

const TAG_SHORT_DESC: u8 = 1;
const TAG_LONG_DESC: u8 = 2;
const TAG_LICENSES: u8 = 3;
const TAG_URL: u8 = 5;
const TAG_CATEGORIES: u8 = 6;
const TAG_KEY_VALUES: u8 = 11;
/// Every tag the metadata record defines.
const KNOWN_TAGS: &[u8] = &[
    TAG_SHORT_DESC,
    TAG_LONG_DESC,
    TAG_LICENSES,
    TAG_URL,
    TAG_CATEGORIES,
    TAG_KEY_VALUES,
];

const TAG_KEY: u8 = 1;
const TAG_VALUE: u8 = 2;

impl Metadata {
    /// True when no field is set.
    pub fn is_empty(&self) -> bool {
        *self == Metadata::default()
    }

    pub(super) fn to_record(&self) -> Record {
        let mut record = Record::new();
        if let Some(text) = &self.short_desc {
            record.put_str(TAG_SHORT_DESC, text);
        }
        if let Some(text) = &self.long_desc {
            record.put_str(TAG_LONG_DESC, text);
        }
        record.put_string_set(TAG_LICENSES, &self.licenses);
        if let Some(text) = &self.url {
            record.put_str(TAG_URL, text);
        }
        record.put_string_set(TAG_CATEGORIES, &self.categories);
        record.put_set(TAG_KEY_VALUES, encode_pairs(&self.key_values));
        record.put_unknown(&self.unknown, KNOWN_TAGS);
        record
    }

    pub(super) fn from_value(value: Value<'_>) -> Result<Metadata, DecodeError> {
        let mut reader = value.record("troveinfo.metadata")?;
        let mut metadata = Metadata::default();
        while let Some(field) = reader.next_field()? {
            let value = field.value;
            match field.tag {
                TAG_SHORT_DESC => {
                    metadata.short_desc = Some(value.str("metadata.short_desc")?.to_owned());
                }
                TAG_LONG_DESC => {
                    metadata.long_desc = Some(value.str("metadata.long_desc")?.to_owned());
                }
                TAG_LICENSES => metadata.licenses = value.string_set("metadata.licenses")?,
                TAG_URL => metadata.url = Some(value.str("metadata.url")?.to_owned()),
                TAG_CATEGORIES => metadata.categories = value.string_set("metadata.categories")?,
                TAG_KEY_VALUES => {
                    metadata.key_values = decode_pairs(value, "metadata.key_values")?;
                }
                tag => metadata.unknown.insert(tag, value.bytes().to_vec()),
            }
        }
        Ok(metadata)
    }
}

/// What a trove that encapsulates a foreign package keeps of it: the kind
/// of package (`deb`, `rpm`) and its header data as key/value pairs (for a
/// Debian package, the control fields and maintainer scripts).
///
/// ```rust
/// use conary_core::troveinfo::Capsule;
/// let mut capsule = Capsule::new("deb");
/// capsule.entries.insert("Package".to_owned(), "hello".to_owned());
/// assert_eq!(capsule.kind, "deb");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Capsule {
    /// The kind of foreign package.
    pub kind: String,
    /// Header data of the package.
    pub entries: BTreeMap<String, String>,
    /// Fields from a later format version, kept for re-encoding.
    pub unknown: UnknownFields,
}

const TAG_CAPSULE_KIND: u8 = 1;
const TAG_CAPSULE_ENTRIES: u8 = 2;
/// Every tag the capsule record defines.
const CAPSULE_TAGS: &[u8] = &[TAG_CAPSULE_KIND, TAG_CAPSULE_ENTRIES];

impl Capsule {
    /// A capsule of `kind` with no entries.
    pub fn new(kind: &str) -> Capsule {
        Capsule {
            kind: kind.to_owned(),
            ..Capsule::default()
        }
    }

    pub(super) fn to_record(&self) -> Record {
        let mut record = Record::new();
        record.put_str(TAG_CAPSULE_KIND, &self.kind);
        record.put_set(TAG_CAPSULE_ENTRIES, encode_pairs(&self.entries));
        record.put_unknown(&self.unknown, CAPSULE_TAGS);
        record
    }

    pub(super) fn from_value(value: Value<'_>) -> Result<Capsule, DecodeError> {
        let mut reader = value.record("troveinfo.capsule")?;
        let mut kind = None;
        let mut entries = BTreeMap::new();
        let mut unknown = UnknownFields::default();
        while let Some(field) = reader.next_field()? {
            match field.tag {
                TAG_CAPSULE_KIND => kind = Some(field.value.str("capsule.kind")?.to_owned()),
                TAG_CAPSULE_ENTRIES => entries = decode_pairs(field.value, "capsule.entries")?,
                tag => unknown.insert(tag, field.value.bytes().to_vec()),
            }
        }
        Ok(Capsule {
            kind: reader.require(kind, "capsule.kind")?,
            entries,
            unknown,
        })
    }
}

/// Key/value pairs as a set of closed records `{1: key, 2: value}`.
fn encode_pairs(pairs: &BTreeMap<String, String>) -> Vec<Vec<u8>> {
    pairs
        .iter()
        .map(|(key, value)| {
            let mut record = Record::new();
            record.put_str(TAG_KEY, key);
            record.put_str(TAG_VALUE, value);
            record.into_bytes()
        })
        .collect()
}

fn decode_pairs(
    value: Value<'_>,
    field: &'static str,
) -> Result<BTreeMap<String, String>, DecodeError> {
    let mut pairs = BTreeMap::new();
    for item in value.set(field)? {
        let item = item?;
        let mut reader = item.record(field)?;
        let mut key = None;
        let mut text = None;
        while let Some(entry) = reader.next_field()? {
            match entry.tag {
                TAG_KEY => key = Some(entry.value.str(field)?.to_owned()),
                TAG_VALUE => text = Some(entry.value.str(field)?.to_owned()),
                _ => return Err(reader.unknown_tag(&entry)),
            }
        }
        let key = reader.require(key, field)?;
        let text = reader.require(text, field)?;
        if pairs.contains_key(&key) {
            return Err(DecodeError::DuplicateEntry {
                offset: item.offset(),
                field,
                key,
            });
        }
        pairs.insert(key, text);
    }
    Ok(pairs)
}
