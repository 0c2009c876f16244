//! Trove info: what is known about a trove besides its contents (build
//! facts, lineage, descriptive metadata, scripts, capsule data).
//!
//! The fields follow the original's `_TROVEINFO_TAG_*` table, and where a
//! field exists there, its tag number is the original's; fields new to this
//! implementation (source version, builder, change log) start at 40. Fields this code
//! does not know are kept in [`TroveInfo::unknown`] and written back, so
//! troves from newer builders keep their digests.
//!
//! ```rust
//! use conary_core::troveinfo::{TroveFlags, TroveInfo};
//! let mut info = TroveInfo::default();
//! info.size = Some(4096);
//! info.flags.set(TroveFlags::COLLECTION, true);
//! assert!(info.flags.is_collection());
//! assert_eq!(info.flags.to_string(), "collection");
//! ```

mod changelog;
mod metadata;
mod scripts;

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use crate::digest::Digest;
use crate::encoding::{DecodeError, Record, UnknownFields, Value, encode_uint};
use crate::files::{parse_flag_names, write_flag_names};
use crate::flavor::Flavor;
use crate::name::TroveName;
use crate::trove::{TroveTuple, decode_tuple_set, encode_tuple};
use crate::version::Version;

pub use changelog::ChangeLog;
pub use metadata::{Capsule, Metadata};
pub use scripts::{ScriptSlot, TroveScript, TroveScripts};

/// An error from parsing the textual forms in this module.
///
/// ```rust
/// use conary_core::troveinfo::{TroveFlags, TroveInfoError};
/// let error = "collection,shiny".parse::<TroveFlags>().expect_err("unknown flag");
/// assert!(matches!(error, TroveInfoError::InvalidFlag { .. }));
/// assert_eq!(error.to_string(), "invalid trove flags 'collection,shiny': unknown flag 'shiny'");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TroveInfoError {
    /// A trove flag name is not known.
    #[error("invalid trove flags '{text}': unknown flag '{item}'")]
    InvalidFlag {
        /// The whole text.
        text: String,
        /// The item at fault.
        item: String,
    },
    /// A script slot name is not known.
    #[error(
        "invalid script slot '{text}': expected preInstall, postInstall, preUpdate, postUpdate, preErase, postErase, preRollback or postRollback"
    )]
    InvalidScriptSlot {
        /// The text at fault.
        text: String,
    },
}

/// Flags of a trove, kept as bits so that flags added later survive.
///
/// ```rust
/// use conary_core::troveinfo::TroveFlags;
/// let flags: TroveFlags = "collection,derived".parse().expect("flags");
/// assert!(flags.is_derived() && !flags.is_missing());
/// assert_eq!(flags.to_string(), "collection,derived");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct TroveFlags(u64);

const TROVE_FLAG_NAMES: [(u64, &str); 3] = [
    (TroveFlags::COLLECTION, "collection"),
    (TroveFlags::DERIVED, "derived"),
    (TroveFlags::MISSING, "missing"),
];

impl TroveFlags {
    /// A package or group.
    pub const COLLECTION: u64 = 1 << 0;
    /// A derived package (built by modifying another binary package).
    pub const DERIVED: u64 = 1 << 1;
    /// A placeholder for a trove the repository does not have.
    pub const MISSING: u64 = 1 << 2;

    /// Flags from bits; unknown bits are kept.
    pub const fn from_bits(bits: u64) -> TroveFlags {
        TroveFlags(bits)
    }

    /// The bits, unknown ones included.
    pub const fn bits(self) -> u64 {
        self.0
    }

    /// True when every bit of `flag` is set.
    pub const fn contains(self, flag: u64) -> bool {
        self.0 & flag == flag
    }

    /// Sets or clears the bits of `flag`.
    pub fn set(&mut self, flag: u64, on: bool) {
        if on {
            self.0 |= flag;
        } else {
            self.0 &= !flag;
        }
    }

    /// True for a package or group.
    pub const fn is_collection(self) -> bool {
        self.contains(TroveFlags::COLLECTION)
    }

    /// True for a derived package.
    pub const fn is_derived(self) -> bool {
        self.contains(TroveFlags::DERIVED)
    }

    /// True for a missing-trove placeholder.
    pub const fn is_missing(self) -> bool {
        self.contains(TroveFlags::MISSING)
    }
}

impl fmt::Display for TroveFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_flag_names(f, self.0, &TROVE_FLAG_NAMES)
    }
}

impl FromStr for TroveFlags {
    type Err = TroveInfoError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_flag_names(text, &TROVE_FLAG_NAMES)
            .map(TroveFlags)
            .map_err(|item| TroveInfoError::InvalidFlag {
                text: text.to_owned(),
                item,
            })
    }
}

/// The path hash recorded in [`TroveInfo::path_hashes`]: the first eight
/// bytes of the path's digest, big-endian. Two troves whose path hashes
/// are disjoint cannot conflict on a path.
///
/// ```rust
/// let hash = conary_core::troveinfo::path_hash("/usr/bin/foo");
/// assert_eq!(hash, conary_core::troveinfo::path_hash("/usr/bin/foo"));
/// ```
pub fn path_hash(path: &str) -> u64 {
    let digest = Digest::of(path.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest.as_bytes()[..8]);
    u64::from_be_bytes(first)
}

/// What is known about a trove besides its contents. Every field is
/// optional; empty fields are not encoded.
///
/// ```rust
/// let info = conary_core::troveinfo::TroveInfo::default();
/// assert!(info.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TroveInfo {
    /// The installed size in bytes.
    pub size: Option<u64>,
    /// The source component it was built from (`foo:source`).
    pub source_name: Option<TroveName>,
    /// The version of that source component.
    pub source_version: Option<Version>,
    /// When it was built, in seconds since the epoch.
    pub build_time: Option<u64>,
    /// Who or what built it.
    pub builder: Option<String>,
    /// The version of Conary that built it.
    pub conary_version: Option<String>,
    /// The flavor it was built with.
    pub build_flavor: Option<Flavor>,
    /// The exact troves installed when it was built.
    pub build_requirements: BTreeSet<TroveTuple>,
    /// Recipe superclasses and `loadSuperClass` troves loaded for the build.
    pub loaded_troves: BTreeSet<TroveTuple>,
    /// Collection, derived and missing flags.
    pub flags: TroveFlags,
    /// The trove this one was cloned from.
    pub cloned_from: Option<Version>,
    /// Every version in its clone history, oldest first.
    pub cloned_from_list: Vec<Version>,
    /// The troves a derived package was derived from.
    pub derived_from: BTreeSet<TroveTuple>,
    /// Descriptions, licenses, url, categories and key/value pairs.
    pub metadata: Metadata,
    /// Data from a foreign package (Debian, RPM) this trove encapsulates.
    pub capsule: Option<Capsule>,
    /// Scripts run on install, update, erase and rollback.
    pub scripts: TroveScripts,
    /// The group's compatibility class, for rollback invalidation.
    pub compatibility_class: Option<u16>,
    /// When it was installed (local database only).
    pub install_time: Option<u64>,
    /// The factory used to build it.
    pub factory: Option<String>,
    /// The search path of a group (labels or trove specs), in order.
    pub search_path: Vec<String>,
    /// The [`path_hash`] of every path, to rule out conflicts cheaply.
    pub path_hashes: BTreeSet<u64>,
    /// The mtimes of the files, in pathId order (for capsules).
    pub mtimes: Vec<u64>,
    /// Who committed a source trove and why (source troves only).
    pub changelog: Option<ChangeLog>,
    /// Fields from a later format version, kept for re-encoding.
    pub unknown: UnknownFields,
}

const TAG_SIZE: u8 = 0;
const TAG_SOURCE_NAME: u8 = 1;
const TAG_BUILD_TIME: u8 = 2;
const TAG_CONARY_VERSION: u8 = 3;
const TAG_BUILD_REQUIREMENTS: u8 = 4;
const TAG_LOADED_TROVES: u8 = 5;
const TAG_FLAGS: u8 = 7;
const TAG_CLONED_FROM: u8 = 8;
const TAG_PATH_HASHES: u8 = 10;
const TAG_SCRIPTS: u8 = 16;
const TAG_METADATA: u8 = 17;
const TAG_COMPATIBILITY_CLASS: u8 = 19;
const TAG_BUILD_FLAVOR: u8 = 20;
const TAG_FACTORY: u8 = 23;
const TAG_SEARCH_PATH: u8 = 24;
const TAG_DERIVED_FROM: u8 = 25;
const TAG_CLONED_FROM_LIST: u8 = 27;
const TAG_CAPSULE: u8 = 28;
const TAG_MTIMES: u8 = 29;
const TAG_INSTALL_TIME: u8 = 33;
const TAG_SOURCE_VERSION: u8 = 40;
const TAG_BUILDER: u8 = 41;
const TAG_CHANGELOG: u8 = 42;
/// Every tag trove info defines.
const KNOWN_TAGS: &[u8] = &[
    TAG_SIZE,
    TAG_SOURCE_NAME,
    TAG_BUILD_TIME,
    TAG_CONARY_VERSION,
    TAG_BUILD_REQUIREMENTS,
    TAG_LOADED_TROVES,
    TAG_FLAGS,
    TAG_CLONED_FROM,
    TAG_PATH_HASHES,
    TAG_SCRIPTS,
    TAG_METADATA,
    TAG_COMPATIBILITY_CLASS,
    TAG_BUILD_FLAVOR,
    TAG_FACTORY,
    TAG_SEARCH_PATH,
    TAG_DERIVED_FROM,
    TAG_CLONED_FROM_LIST,
    TAG_CAPSULE,
    TAG_MTIMES,
    TAG_INSTALL_TIME,
    TAG_SOURCE_VERSION,
    TAG_BUILDER,
    TAG_CHANGELOG,
];

fn tuple_items(tuples: &BTreeSet<TroveTuple>) -> Vec<Vec<u8>> {
    tuples.iter().map(encode_tuple).collect()
}

impl TroveInfo {
    /// True when no field is set.
    pub fn is_empty(&self) -> bool {
        *self == TroveInfo::default()
    }

    /// The record written as the trove's info field.
    pub(crate) fn to_record(&self) -> Record {
        let mut record = Record::new();
        if let Some(size) = self.size {
            record.put_uint(TAG_SIZE, size);
        }
        if let Some(name) = &self.source_name {
            record.put_str(TAG_SOURCE_NAME, name.as_ref());
        }
        if let Some(time) = self.build_time {
            record.put_uint(TAG_BUILD_TIME, time);
        }
        if let Some(version) = &self.conary_version {
            record.put_str(TAG_CONARY_VERSION, version);
        }
        record.put_set(
            TAG_BUILD_REQUIREMENTS,
            tuple_items(&self.build_requirements),
        );
        record.put_set(TAG_LOADED_TROVES, tuple_items(&self.loaded_troves));
        if self.flags != TroveFlags::default() {
            record.put_uint(TAG_FLAGS, self.flags.bits());
        }
        if let Some(version) = &self.cloned_from {
            record.put_version(TAG_CLONED_FROM, version);
        }
        if !self.path_hashes.is_empty() {
            let bytes = self.path_hashes.iter().flat_map(|hash| hash.to_be_bytes());
            record.put_bytes(TAG_PATH_HASHES, bytes.collect());
        }
        record.put_record(TAG_SCRIPTS, self.scripts.to_record());
        record.put_record(TAG_METADATA, self.metadata.to_record());
        if let Some(class) = self.compatibility_class {
            record.put_uint(TAG_COMPATIBILITY_CLASS, u64::from(class));
        }
        if let Some(flavor) = &self.build_flavor {
            record.put_str(TAG_BUILD_FLAVOR, &flavor.to_string());
        }
        if let Some(factory) = &self.factory {
            record.put_str(TAG_FACTORY, factory);
        }
        record.put_string_list(TAG_SEARCH_PATH, &self.search_path);
        record.put_set(TAG_DERIVED_FROM, tuple_items(&self.derived_from));
        let clones: Vec<Vec<u8>> = self
            .cloned_from_list
            .iter()
            .map(|version| version.freeze().into_bytes())
            .collect();
        record.put_list(TAG_CLONED_FROM_LIST, &clones);
        if let Some(capsule) = &self.capsule {
            record.put_bytes(TAG_CAPSULE, capsule.to_record().into_bytes());
        }
        let mtimes: Vec<Vec<u8>> = self.mtimes.iter().map(|time| encode_uint(*time)).collect();
        record.put_list(TAG_MTIMES, &mtimes);
        if let Some(time) = self.install_time {
            record.put_uint(TAG_INSTALL_TIME, time);
        }
        if let Some(version) = &self.source_version {
            record.put_version(TAG_SOURCE_VERSION, version);
        }
        if let Some(builder) = &self.builder {
            record.put_str(TAG_BUILDER, builder);
        }
        if let Some(changelog) = &self.changelog {
            record.put_record(TAG_CHANGELOG, changelog.to_record());
        }
        record.put_unknown(&self.unknown, KNOWN_TAGS);
        record
    }

    /// Decodes the trove's info field.
    pub(crate) fn from_value(value: Value<'_>) -> Result<TroveInfo, DecodeError> {
        let mut reader = value.record("trove.info")?;
        let mut info = TroveInfo::default();
        while let Some(field) = reader.next_field()? {
            let value = field.value;
            match field.tag {
                TAG_SIZE => info.size = Some(value.uint("troveinfo.size")?),
                TAG_SOURCE_NAME => info.source_name = Some(value.parse("troveinfo.source_name")?),
                TAG_BUILD_TIME => info.build_time = Some(value.uint("troveinfo.build_time")?),
                TAG_CONARY_VERSION => {
                    info.conary_version = Some(value.str("troveinfo.conary_version")?.to_owned());
                }
                TAG_BUILD_REQUIREMENTS => {
                    info.build_requirements =
                        decode_tuple_set(value, "troveinfo.build_requirements")?;
                }
                TAG_LOADED_TROVES => {
                    info.loaded_troves = decode_tuple_set(value, "troveinfo.loaded_troves")?;
                }
                TAG_FLAGS => {
                    let bits = value.uint("troveinfo.flags")?;
                    if bits == 0 {
                        return Err(
                            value.non_canonical("troveinfo.flags", "zero flags must be omitted")
                        );
                    }
                    info.flags = TroveFlags::from_bits(bits);
                }
                TAG_CLONED_FROM => info.cloned_from = Some(value.version("troveinfo.cloned_from")?),
                TAG_PATH_HASHES => info.path_hashes = decode_path_hashes(value)?,
                TAG_SCRIPTS => info.scripts = TroveScripts::from_value(value)?,
                TAG_METADATA => info.metadata = Metadata::from_value(value)?,
                TAG_COMPATIBILITY_CLASS => {
                    info.compatibility_class =
                        Some(value.uint_as("troveinfo.compatibility_class")?);
                }
                TAG_BUILD_FLAVOR => {
                    info.build_flavor = Some(value.parse("troveinfo.build_flavor")?);
                }
                TAG_FACTORY => info.factory = Some(value.str("troveinfo.factory")?.to_owned()),
                TAG_SEARCH_PATH => {
                    info.search_path = value.string_list("troveinfo.search_path")?;
                }
                TAG_DERIVED_FROM => {
                    info.derived_from = decode_tuple_set(value, "troveinfo.derived_from")?;
                }
                TAG_CLONED_FROM_LIST => {
                    for item in value.list("troveinfo.cloned_from_list")? {
                        let version = item?.version("troveinfo.cloned_from_list")?;
                        info.cloned_from_list.push(version);
                    }
                }
                TAG_CAPSULE => info.capsule = Some(Capsule::from_value(value)?),
                TAG_MTIMES => {
                    for item in value.list("troveinfo.mtimes")? {
                        info.mtimes.push(item?.uint("troveinfo.mtimes")?);
                    }
                }
                TAG_INSTALL_TIME => info.install_time = Some(value.uint("troveinfo.install_time")?),
                TAG_SOURCE_VERSION => {
                    info.source_version = Some(value.version("troveinfo.source_version")?);
                }
                TAG_BUILDER => info.builder = Some(value.str("troveinfo.builder")?.to_owned()),
                TAG_CHANGELOG => info.changelog = Some(ChangeLog::from_value(value)?),
                tag => info.unknown.insert(tag, value.bytes().to_vec()),
            }
        }
        Ok(info)
    }
}

/// Decodes path hashes: a non-empty run of 8-byte big-endian values in
/// strictly ascending order.
fn decode_path_hashes(value: Value<'_>) -> Result<BTreeSet<u64>, DecodeError> {
    const FIELD: &str = "troveinfo.path_hashes";
    let bytes = value.bytes();
    if bytes.is_empty() {
        return Err(value.non_canonical(FIELD, "empty path hashes must be omitted"));
    }
    if !bytes.len().is_multiple_of(8) {
        let reason = format!("{} bytes is not a multiple of 8", bytes.len());
        return Err(value.invalid(FIELD, reason));
    }
    let mut hashes = BTreeSet::new();
    let mut previous = None;
    for chunk in bytes.chunks_exact(8) {
        let mut array = [0u8; 8];
        array.copy_from_slice(chunk);
        let hash = u64::from_be_bytes(array);
        if previous.is_some_and(|previous| previous >= hash) {
            return Err(value.non_canonical(FIELD, "hashes are not strictly ascending"));
        }
        previous = Some(hash);
        hashes.insert(hash);
    }
    Ok(hashes)
}
