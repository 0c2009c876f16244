//! The canonical encoding of a trove (object `CNYT`, format 1).

use std::collections::{BTreeMap, BTreeSet};

use super::{FileRef, Redirect, Trove, TroveRef, TroveTuple, TroveType};
use crate::deps::DependencySet;
use crate::digest::{FileId, PathId};
use crate::encoding::{
    DecodeError, Format, Limits, Record, UnknownFields, Value, decode_object, encode_object,
};
use crate::troveinfo::TroveInfo;

/// The magic and format number of an encoded trove.
pub const TROVE_FORMAT: Format = Format {
    object: "trove",
    magic: *b"CNYT",
    number: 1,
};

const TAG_NAME: u8 = 1;
const TAG_VERSION: u8 = 2;
const TAG_FLAVOR: u8 = 3;
const TAG_TYPE: u8 = 4;
const TAG_PROVIDES: u8 = 5;
const TAG_REQUIRES: u8 = 6;
const TAG_FILES: u8 = 7;
const TAG_STRONG_REFS: u8 = 8;
const TAG_WEAK_REFS: u8 = 9;
const TAG_REDIRECTS: u8 = 10;
const TAG_INFO: u8 = 11;
/// Every tag a trove defines.
const KNOWN_TAGS: &[u8] = &[
    TAG_NAME,
    TAG_VERSION,
    TAG_FLAVOR,
    TAG_TYPE,
    TAG_PROVIDES,
    TAG_REQUIRES,
    TAG_FILES,
    TAG_STRONG_REFS,
    TAG_WEAK_REFS,
    TAG_REDIRECTS,
    TAG_INFO,
];

// Trove tuples, references and redirects share the first three tags.
const TAG_TUPLE_NAME: u8 = 1;
const TAG_TUPLE_VERSION: u8 = 2;
const TAG_TUPLE_FLAVOR: u8 = 3;
const TAG_REF_BY_DEFAULT: u8 = 4;
/// Every tag a reference entry defines.
const REF_TAGS: &[u8] = &[
    TAG_TUPLE_NAME,
    TAG_TUPLE_VERSION,
    TAG_TUPLE_FLAVOR,
    TAG_REF_BY_DEFAULT,
];

const TAG_FILE_PATH_ID: u8 = 1;
const TAG_FILE_PATH: u8 = 2;
const TAG_FILE_ID: u8 = 3;
const TAG_FILE_VERSION: u8 = 4;
/// Every tag a file entry defines.
const FILE_TAGS: &[u8] = &[
    TAG_FILE_PATH_ID,
    TAG_FILE_PATH,
    TAG_FILE_ID,
    TAG_FILE_VERSION,
];

/// Encodes `trove`.
pub(super) fn encode(trove: &Trove) -> Vec<u8> {
    let mut record = Record::new();
    record.put_str(TAG_NAME, trove.name.as_ref());
    record.put_version(TAG_VERSION, &trove.version);
    record.put_non_default(TAG_FLAVOR, &trove.flavor);
    if trove.trove_type != TroveType::Normal {
        record.put_uint(TAG_TYPE, trove.trove_type.number());
    }
    record.put_non_default(TAG_PROVIDES, &trove.provides);
    record.put_non_default(TAG_REQUIRES, &trove.requires);
    let files = trove
        .files
        .iter()
        .map(|(path_id, file)| encode_file(path_id, file));
    record.put_set(TAG_FILES, files.collect());
    record.put_set(TAG_STRONG_REFS, encode_refs(&trove.strong_refs));
    record.put_set(TAG_WEAK_REFS, encode_refs(&trove.weak_refs));
    let redirects = trove.redirects.iter().map(encode_redirect);
    record.put_set(TAG_REDIRECTS, redirects.collect());
    record.put_record(TAG_INFO, trove.info.to_record());
    record.put_unknown(&trove.unknown, KNOWN_TAGS);
    encode_object(&TROVE_FORMAT, record)
}

/// Decodes a trove within `limits`.
pub(super) fn decode(bytes: &[u8], limits: &Limits) -> Result<Trove, DecodeError> {
    let mut reader = decode_object(bytes, &TROVE_FORMAT, limits)?;
    let mut name = None;
    let mut version = None;
    let mut trove_type = TroveType::Normal;
    let mut flavor = Default::default();
    let mut provides = Default::default();
    let mut requires = Default::default();
    let mut files = BTreeMap::new();
    let mut strong_refs = BTreeMap::new();
    let mut weak_refs = BTreeMap::new();
    let mut redirects = BTreeSet::new();
    let mut info = TroveInfo::default();
    let mut unknown = UnknownFields::default();
    while let Some(field) = reader.next_field()? {
        let value = field.value;
        match field.tag {
            TAG_NAME => name = Some(value.parse("trove.name")?),
            TAG_VERSION => version = Some(value.version("trove.version")?),
            TAG_FLAVOR => flavor = value.parse_non_default("trove.flavor")?,
            TAG_TYPE => {
                let number = value.uint("trove.trove_type")?;
                trove_type = match TroveType::from_number(number) {
                    Some(TroveType::Normal) => {
                        return Err(
                            value.non_canonical("trove.trove_type", "normal must be omitted")
                        );
                    }
                    Some(trove_type) => trove_type,
                    None => {
                        let reason = format!("unknown trove type {number}");
                        return Err(value.invalid("trove.trove_type", reason));
                    }
                };
            }
            TAG_PROVIDES => {
                provides =
                    value.parse_non_default_with("trove.provides", DependencySet::parse_stored)?
            }
            TAG_REQUIRES => {
                requires =
                    value.parse_non_default_with("trove.requires", DependencySet::parse_stored)?
            }
            TAG_FILES => files = decode_files(value)?,
            TAG_STRONG_REFS => strong_refs = decode_refs(value, "trove.strong_refs")?,
            TAG_WEAK_REFS => weak_refs = decode_refs(value, "trove.weak_refs")?,
            TAG_REDIRECTS => redirects = decode_redirects(value)?,
            TAG_INFO => info = TroveInfo::from_value(value)?,
            _ => unknown.insert(field.tag, value.bytes().to_vec()),
        }
    }
    Ok(Trove {
        name: reader.require(name, "trove.name")?,
        version: reader.require(version, "trove.version")?,
        flavor,
        trove_type,
        provides,
        requires,
        files,
        strong_refs,
        weak_refs,
        redirects,
        info,
        unknown,
    })
}

/// The value bytes of a trove tuple: a closed record of name, frozen
/// version and (unless empty) flavor.
pub(crate) fn encode_tuple(tuple: &TroveTuple) -> Vec<u8> {
    tuple_record(tuple).into_bytes()
}

fn tuple_record(tuple: &TroveTuple) -> Record {
    let mut record = Record::new();
    record.put_str(TAG_TUPLE_NAME, tuple.name.as_ref());
    record.put_version(TAG_TUPLE_VERSION, &tuple.version);
    record.put_non_default(TAG_TUPLE_FLAVOR, &tuple.flavor);
    record
}

/// Receives the fields of a reference record beyond those of its tuple.
type ExtraFields<'f> = dyn FnMut(u8, Value<'_>) -> Result<(), DecodeError> + 'f;

/// Decodes a trove tuple; with `extra`, fields beyond the tuple's are handed
/// to it instead of being refused.
fn decode_tuple_with(
    value: Value<'_>,
    field: &'static str,
    mut extra: Option<&mut ExtraFields<'_>>,
) -> Result<TroveTuple, DecodeError> {
    let mut reader = value.record(field)?;
    let mut name = None;
    let mut version = None;
    let mut flavor = Default::default();
    while let Some(item) = reader.next_field()? {
        match (item.tag, extra.as_mut()) {
            (TAG_TUPLE_NAME, _) => name = Some(item.value.parse(field)?),
            (TAG_TUPLE_VERSION, _) => version = Some(item.value.version(field)?),
            (TAG_TUPLE_FLAVOR, _) => flavor = item.value.parse_non_default(field)?,
            (tag, Some(extra)) => extra(tag, item.value)?,
            (_, None) => return Err(reader.unknown_tag(&item)),
        }
    }
    Ok(TroveTuple {
        name: reader.require(name, field)?,
        version: reader.require(version, field)?,
        flavor,
    })
}

/// Decodes a set of trove tuples.
pub(crate) fn decode_tuple_set(
    value: Value<'_>,
    field: &'static str,
) -> Result<BTreeSet<TroveTuple>, DecodeError> {
    let mut tuples = BTreeSet::new();
    for item in value.set(field)? {
        let item = item?;
        let tuple = decode_tuple_with(item, field, None)?;
        if tuples.contains(&tuple) {
            return Err(duplicate(item, field, &tuple));
        }
        tuples.insert(tuple);
    }
    Ok(tuples)
}

fn duplicate(item: Value<'_>, field: &'static str, key: &dyn std::fmt::Display) -> DecodeError {
    DecodeError::DuplicateEntry {
        offset: item.offset(),
        field,
        key: key.to_string(),
    }
}

fn encode_refs(refs: &BTreeMap<TroveTuple, TroveRef>) -> Vec<Vec<u8>> {
    refs.iter()
        .map(|(tuple, reference)| {
            let mut record = tuple_record(tuple);
            record.put_uint(TAG_REF_BY_DEFAULT, u64::from(reference.by_default));
            record.put_unknown(&reference.unknown, REF_TAGS);
            record.into_bytes()
        })
        .collect()
}

fn decode_refs(
    value: Value<'_>,
    field: &'static str,
) -> Result<BTreeMap<TroveTuple, TroveRef>, DecodeError> {
    let mut refs = BTreeMap::new();
    for item in value.set(field)? {
        let item = item?;
        let mut by_default = None;
        let mut unknown = UnknownFields::default();
        let mut extra = |tag: u8, value: Value<'_>| -> Result<(), DecodeError> {
            if tag == TAG_REF_BY_DEFAULT {
                by_default = Some(match value.uint(field)? {
                    0 => false,
                    1 => true,
                    other => {
                        return Err(
                            value.invalid(field, format!("byDefault {other} is not 0 or 1"))
                        );
                    }
                });
            } else {
                unknown.insert(tag, value.bytes().to_vec());
            }
            Ok(())
        };
        let tuple = decode_tuple_with(item, field, Some(&mut extra))?;
        let by_default = by_default.ok_or(DecodeError::MissingField {
            offset: item.offset(),
            field,
        })?;
        if refs.contains_key(&tuple) {
            return Err(duplicate(item, field, &tuple));
        }
        refs.insert(
            tuple,
            TroveRef {
                by_default,
                unknown,
            },
        );
    }
    Ok(refs)
}

fn encode_file(path_id: &PathId, file: &FileRef) -> Vec<u8> {
    let mut record = Record::new();
    record.put_bytes(TAG_FILE_PATH_ID, path_id.as_bytes().to_vec());
    record.put_str(TAG_FILE_PATH, &file.path);
    record.put_bytes(TAG_FILE_ID, file.file_id.as_bytes().to_vec());
    record.put_version(TAG_FILE_VERSION, &file.file_version);
    record.put_unknown(&file.unknown, FILE_TAGS);
    record.into_bytes()
}

fn decode_files(value: Value<'_>) -> Result<BTreeMap<PathId, FileRef>, DecodeError> {
    const FIELD: &str = "trove.files";
    let mut files = BTreeMap::new();
    for item in value.set(FIELD)? {
        let item = item?;
        let mut reader = item.record(FIELD)?;
        let mut path_id = None;
        let mut path = None;
        let mut file_id = None;
        let mut file_version = None;
        let mut unknown = UnknownFields::default();
        while let Some(entry) = reader.next_field()? {
            let value = entry.value;
            match entry.tag {
                TAG_FILE_PATH_ID => path_id = Some(PathId::from_bytes(value.fixed(FIELD)?)),
                TAG_FILE_PATH => path = Some(value.str(FIELD)?.to_owned()),
                TAG_FILE_ID => file_id = Some(FileId::from_bytes(value.fixed(FIELD)?)),
                TAG_FILE_VERSION => file_version = Some(value.version(FIELD)?),
                tag => unknown.insert(tag, value.bytes().to_vec()),
            }
        }
        let path_id = reader.require(path_id, "trove.files.path_id")?;
        let file = FileRef {
            path: reader.require(path, "trove.files.path")?,
            file_id: reader.require(file_id, "trove.files.file_id")?,
            file_version: reader.require(file_version, "trove.files.file_version")?,
            unknown,
        };
        if files.contains_key(&path_id) {
            return Err(duplicate(item, FIELD, &path_id));
        }
        files.insert(path_id, file);
    }
    Ok(files)
}

fn encode_redirect(redirect: &Redirect) -> Vec<u8> {
    let mut record = Record::new();
    record.put_str(TAG_TUPLE_NAME, redirect.name.as_ref());
    record.put_str(TAG_TUPLE_VERSION, &redirect.branch.to_string());
    if let Some(flavor) = &redirect.flavor {
        record.put_str(TAG_TUPLE_FLAVOR, &flavor.to_string());
    }
    record.into_bytes()
}

fn decode_redirects(value: Value<'_>) -> Result<BTreeSet<Redirect>, DecodeError> {
    const FIELD: &str = "trove.redirects";
    let mut redirects = BTreeSet::new();
    for item in value.set(FIELD)? {
        let item = item?;
        let mut reader = item.record(FIELD)?;
        let mut name = None;
        let mut branch = None;
        let mut flavor = None;
        while let Some(entry) = reader.next_field()? {
            match entry.tag {
                TAG_TUPLE_NAME => name = Some(entry.value.parse(FIELD)?),
                TAG_TUPLE_VERSION => branch = Some(entry.value.parse(FIELD)?),
                TAG_TUPLE_FLAVOR => flavor = Some(entry.value.parse(FIELD)?),
                _ => return Err(reader.unknown_tag(&entry)),
            }
        }
        let redirect = Redirect {
            name: reader.require(name, "trove.redirects.name")?,
            branch: reader.require(branch, "trove.redirects.branch")?,
            flavor,
        };
        if redirects.contains(&redirect) {
            return Err(duplicate(item, FIELD, &redirect.name));
        }
        redirects.insert(redirect);
    }
    Ok(redirects)
}
