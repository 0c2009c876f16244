//! The canonical encoding of a file stream (object `CNYF`, format 1).

use std::collections::BTreeSet;

use super::{FileFlags, FileKind, FileStream, FileType, Mode};
use crate::deps::DependencySet;
use crate::digest::Digest;
use crate::encoding::{
    DecodeError, Format, Limits, Record, UnknownFields, Value, decode_object, encode_object,
};

/// The magic and format number of an encoded file stream.
pub const FILE_STREAM_FORMAT: Format = Format {
    object: "file stream",
    magic: *b"CNYF",
    number: 1,
};

const TAG_TYPE: u8 = 1;
const TAG_MODE: u8 = 2;
const TAG_OWNER: u8 = 3;
const TAG_GROUP: u8 = 4;
const TAG_MTIME: u8 = 5;
const TAG_SIZE: u8 = 6;
const TAG_DIGEST: u8 = 7;
const TAG_LINK_GROUP: u8 = 8;
const TAG_TARGET: u8 = 9;
const TAG_MAJOR: u8 = 10;
const TAG_MINOR: u8 = 11;
const TAG_FLAGS: u8 = 12;
const TAG_TAGS: u8 = 13;
const TAG_PROVIDES: u8 = 14;
const TAG_REQUIRES: u8 = 15;
const TAG_FLAVOR: u8 = 16;
/// Every tag a file stream defines.
const KNOWN_TAGS: &[u8] = &[
    TAG_TYPE,
    TAG_MODE,
    TAG_OWNER,
    TAG_GROUP,
    TAG_MTIME,
    TAG_SIZE,
    TAG_DIGEST,
    TAG_LINK_GROUP,
    TAG_TARGET,
    TAG_MAJOR,
    TAG_MINOR,
    TAG_FLAGS,
    TAG_TAGS,
    TAG_PROVIDES,
    TAG_REQUIRES,
    TAG_FLAVOR,
];

/// Encodes `stream`; without the mtime when computing its fileId.
pub(super) fn encode(stream: &FileStream, with_mtime: bool) -> Vec<u8> {
    let mut record = Record::new();
    record.put_uint(TAG_TYPE, stream.file_type().number());
    record.put_uint(TAG_MODE, u64::from(stream.mode.bits()));
    record.put_str(TAG_OWNER, &stream.owner);
    record.put_str(TAG_GROUP, &stream.group);
    if with_mtime {
        record.put_uint(TAG_MTIME, stream.mtime);
    }
    match &stream.kind {
        FileKind::Regular {
            size,
            digest,
            link_group,
        } => {
            record.put_uint(TAG_SIZE, *size);
            record.put_bytes(TAG_DIGEST, digest.as_bytes().to_vec());
            if let Some(link_group) = link_group {
                record.put_bytes(TAG_LINK_GROUP, link_group.as_bytes().to_vec());
            }
        }
        FileKind::Symlink { target } => record.put_str(TAG_TARGET, target),
        FileKind::CharDevice { major, minor } | FileKind::BlockDevice { major, minor } => {
            record.put_uint(TAG_MAJOR, u64::from(*major));
            record.put_uint(TAG_MINOR, u64::from(*minor));
        }
        FileKind::Directory | FileKind::Fifo | FileKind::Socket => {}
    }
    if stream.flags != FileFlags::empty() {
        record.put_uint(TAG_FLAGS, stream.flags.bits());
    }
    record.put_string_set(TAG_TAGS, &stream.tags);
    record.put_non_default(TAG_PROVIDES, &stream.provides);
    record.put_non_default(TAG_REQUIRES, &stream.requires);
    record.put_non_default(TAG_FLAVOR, &stream.flavor);
    record.put_unknown(&stream.unknown, KNOWN_TAGS);
    encode_object(&FILE_STREAM_FORMAT, record)
}

/// The fields that only some file types have, as read.
#[derive(Default)]
struct KindFields<'a> {
    size: Option<Value<'a>>,
    digest: Option<Value<'a>>,
    link_group: Option<Value<'a>>,
    target: Option<Value<'a>>,
    major: Option<Value<'a>>,
    minor: Option<Value<'a>>,
}

/// Decodes a file stream within `limits`.
pub(super) fn decode(bytes: &[u8], limits: &Limits) -> Result<FileStream, DecodeError> {
    let mut reader = decode_object(bytes, &FILE_STREAM_FORMAT, limits)?;
    let mut file_type = None;
    let mut mode = None;
    let mut owner = None;
    let mut group = None;
    let mut mtime = None;
    let mut kind_fields = KindFields::default();
    let mut flags = FileFlags::empty();
    let mut tags = BTreeSet::new();
    let mut provides = Default::default();
    let mut requires = Default::default();
    let mut flavor = Default::default();
    let mut unknown = UnknownFields::default();
    while let Some(field) = reader.next_field()? {
        let value = field.value;
        match field.tag {
            TAG_TYPE => {
                let number = value.uint("filestream.type")?;
                let parsed = FileType::from_number(number).ok_or_else(|| {
                    value.invalid("filestream.type", format!("unknown file type {number}"))
                })?;
                file_type = Some((parsed, value));
            }
            TAG_MODE => {
                let bits = value.uint_as::<u32>("filestream.mode")?;
                let parsed = Mode::new(bits)
                    .map_err(|error| value.invalid("filestream.mode", error.to_string()))?;
                mode = Some(parsed);
            }
            TAG_OWNER => owner = Some(value.str("filestream.owner")?.to_owned()),
            TAG_GROUP => group = Some(value.str("filestream.group")?.to_owned()),
            TAG_MTIME => mtime = Some(value.uint("filestream.mtime")?),
            TAG_SIZE => kind_fields.size = Some(value),
            TAG_DIGEST => kind_fields.digest = Some(value),
            TAG_LINK_GROUP => kind_fields.link_group = Some(value),
            TAG_TARGET => kind_fields.target = Some(value),
            TAG_MAJOR => kind_fields.major = Some(value),
            TAG_MINOR => kind_fields.minor = Some(value),
            TAG_FLAGS => {
                let bits = value.uint("filestream.flags")?;
                if bits == 0 {
                    return Err(
                        value.non_canonical("filestream.flags", "zero flags must be omitted")
                    );
                }
                flags = FileFlags::from_bits(bits);
            }
            TAG_TAGS => tags = value.string_set("filestream.tags")?,
            TAG_PROVIDES => {
                provides = value
                    .parse_non_default_with("filestream.provides", DependencySet::parse_stored)?
            }
            TAG_REQUIRES => {
                requires = value
                    .parse_non_default_with("filestream.requires", DependencySet::parse_stored)?
            }
            TAG_FLAVOR => flavor = value.parse_non_default("filestream.flavor")?,
            _ => unknown.insert(field.tag, value.bytes().to_vec()),
        }
    }
    let (file_type, type_value) = reader.require(file_type, "filestream.type")?;
    let kind = decode_kind(file_type, type_value, &kind_fields)?;
    Ok(FileStream {
        kind,
        mode: reader.require(mode, "filestream.mode")?,
        owner: reader.require(owner, "filestream.owner")?,
        group: reader.require(group, "filestream.group")?,
        mtime: reader.require(mtime, "filestream.mtime")?,
        flags,
        tags,
        provides,
        requires,
        flavor,
        unknown,
    })
}

/// Builds the kind from the type-specific fields, refusing missing ones and
/// ones that do not belong to the type.
fn decode_kind<'a>(
    file_type: FileType,
    type_value: Value<'a>,
    fields: &KindFields<'a>,
) -> Result<FileKind, DecodeError> {
    let required = |value: Option<Value<'a>>, field: &'static str| {
        value.ok_or_else(|| {
            type_value.invalid(field, format!("required for a {file_type} but missing"))
        })
    };
    let allowed: &[&'static str] = match file_type {
        FileType::Regular => &["size", "digest", "link_group"],
        FileType::Symlink => &["target"],
        FileType::CharDevice | FileType::BlockDevice => &["major", "minor"],
        FileType::Directory | FileType::Fifo | FileType::Socket => &[],
    };
    let present = [
        ("size", "filestream.size", fields.size),
        ("digest", "filestream.digest", fields.digest),
        ("link_group", "filestream.link_group", fields.link_group),
        ("target", "filestream.target", fields.target),
        ("major", "filestream.major", fields.major),
        ("minor", "filestream.minor", fields.minor),
    ];
    for (name, field, value) in present {
        if let Some(value) = value
            && !allowed.contains(&name)
        {
            return Err(value.invalid(field, format!("not allowed for a {file_type}")));
        }
    }
    let device = || -> Result<(u32, u32), DecodeError> {
        let major = required(fields.major, "filestream.major")?.uint_as("filestream.major")?;
        let minor = required(fields.minor, "filestream.minor")?.uint_as("filestream.minor")?;
        Ok((major, minor))
    };
    Ok(match file_type {
        FileType::Regular => FileKind::Regular {
            size: required(fields.size, "filestream.size")?.uint("filestream.size")?,
            digest: Digest::from_bytes(
                required(fields.digest, "filestream.digest")?.fixed("filestream.digest")?,
            ),
            link_group: fields
                .link_group
                .map(|value| value.fixed("filestream.link_group").map(Digest::from_bytes))
                .transpose()?,
        },
        FileType::Directory => FileKind::Directory,
        FileType::Symlink => FileKind::Symlink {
            target: required(fields.target, "filestream.target")?
                .str("filestream.target")?
                .to_owned(),
        },
        FileType::CharDevice => {
            let (major, minor) = device()?;
            FileKind::CharDevice { major, minor }
        }
        FileType::BlockDevice => {
            let (major, minor) = device()?;
            FileKind::BlockDevice { major, minor }
        }
        FileType::Fifo => FileKind::Fifo,
        FileType::Socket => FileKind::Socket,
    })
}
