//! Trove manifests: what a trove is made of.
//!
//! A [`Trove`] is named, versioned and flavored. A component lists its files
//! (`pathId → path, fileId, file version`); a package or group lists the
//! troves it includes, *strongly* (named directly) or *weakly* (reachable
//! through a strong reference), each by default or not. A redirect lists the
//! branches it points to. Build facts live in its [`TroveInfo`].
//!
//! The canonical encoding (object `CNYT`, format 1, described in
//! `docs/FORMATS.md`) is what [`Trove::digest`] hashes and what signatures
//! sign; unknown fields survive a round trip so signatures stay valid.
//!
//! ```rust
//! use conary_core::trove::{Trove, TroveTuple};
//! use conary_core::version::Version;
//! let version = Version::thaw("/conary.example.com@plat:1/1700000000.000:2.2.3-4-2").expect("version");
//! let mut package = Trove::new("foo".parse().expect("name"), version.clone(), "is: x86_64".parse().expect("flavor"));
//! let runtime = TroveTuple::new("foo:runtime".parse().expect("name"), version, "is: x86_64".parse().expect("flavor"));
//! package.add_strong_ref(runtime, true);
//! assert!(package.is_collection());
//! assert_eq!(Trove::decode(&package.encode()), Ok(package.clone()));
//! ```

mod codec;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use crate::deps::DependencySet;
use crate::digest::{Digest, FileId, PathId};
use crate::encoding::{DecodeError, Limits, UnknownFields};
use crate::flavor::Flavor;
use crate::name::TroveName;
use crate::troveinfo::TroveInfo;
use crate::version::{Branch, Version};

pub use codec::TROVE_FORMAT;
pub(crate) use codec::{decode_tuple_set, encode_tuple};

/// An error from parsing the textual forms in this module.
///
/// ```rust
/// use conary_core::trove::{TroveError, TroveTuple};
/// let error = "foo=/a@b:c/1.0-1-1".parse::<TroveTuple>().expect_err("no flavor");
/// assert!(matches!(error, TroveError::InvalidTuple { .. }));
/// assert_eq!(error.to_string(), "invalid trove tuple 'foo=/a@b:c/1.0-1-1': missing '[' before the flavor");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TroveError {
    /// A trove type name is not known.
    #[error("invalid trove type '{text}': expected normal, redirect or removed")]
    InvalidTroveType {
        /// The text at fault.
        text: String,
    },
    /// A trove tuple is not `name=version[flavor]`.
    #[error("invalid trove tuple '{text}': {reason}")]
    InvalidTuple {
        /// The text at fault.
        text: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// What kind of trove this is, beyond its name.
///
/// ```rust
/// use conary_core::trove::TroveType;
/// assert_eq!("redirect".parse::<TroveType>(), Ok(TroveType::Redirect));
/// assert_eq!(TroveType::Removed.to_string(), "removed");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum TroveType {
    /// An ordinary trove with files or references.
    #[default]
    Normal,
    /// Points to other troves or branches; following it on update replaces
    /// the trove.
    Redirect,
    /// A stub left when a trove is removed from the repository.
    Removed,
}

/// Every trove type with its name, in encoded-number order.
const TROVE_TYPES: [(TroveType, &str); 3] = [
    (TroveType::Normal, "normal"),
    (TroveType::Redirect, "redirect"),
    (TroveType::Removed, "removed"),
];

impl TroveType {
    /// The number written in the encoding.
    pub fn number(self) -> u64 {
        match self {
            TroveType::Normal => 0,
            TroveType::Redirect => 1,
            TroveType::Removed => 2,
        }
    }

    /// The type written as `number` in the encoding.
    pub fn from_number(number: u64) -> Option<TroveType> {
        let index = usize::try_from(number).ok()?;
        TROVE_TYPES.get(index).map(|(trove_type, _)| *trove_type)
    }
}

impl fmt::Display for TroveType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = TROVE_TYPES
            .iter()
            .find(|(trove_type, _)| trove_type == self)
            .map_or("?", |(_, name)| name);
        f.write_str(name)
    }
}

impl FromStr for TroveType {
    type Err = TroveError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        TROVE_TYPES
            .iter()
            .find(|(_, name)| *name == text)
            .map(|(trove_type, _)| *trove_type)
            .ok_or_else(|| TroveError::InvalidTroveType {
                text: text.to_owned(),
            })
    }
}

/// The exact identity of a trove: name, version and flavor, written
/// `name=version[flavor]`.
///
/// ```rust
/// use conary_core::trove::TroveTuple;
/// let tuple: TroveTuple = "foo:runtime=/conary.example.com@plat:1/2.2.3-4-2[is: x86_64]".parse().expect("tuple");
/// assert_eq!(tuple.name.to_string(), "foo:runtime");
/// assert_eq!(tuple.to_string(), "foo:runtime=/conary.example.com@plat:1/2.2.3-4-2[is: x86_64]");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TroveTuple {
    /// The trove's name.
    pub name: TroveName,
    /// The trove's version (with its timestamps, when known).
    pub version: Version,
    /// The trove's flavor.
    pub flavor: Flavor,
}

impl TroveTuple {
    /// A tuple from its parts.
    pub fn new(name: TroveName, version: Version, flavor: Flavor) -> TroveTuple {
        TroveTuple {
            name,
            version,
            flavor,
        }
    }
}

impl fmt::Display for TroveTuple {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}[{}]", self.name, self.version, self.flavor)
    }
}

impl FromStr for TroveTuple {
    type Err = TroveError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = |reason: String| TroveError::InvalidTuple {
            text: text.to_owned(),
            reason,
        };
        let (name, rest) = text
            .split_once('=')
            .ok_or_else(|| error("missing '=' after the name".to_owned()))?;
        let (version, flavor) = rest
            .split_once('[')
            .ok_or_else(|| error("missing '[' before the flavor".to_owned()))?;
        let flavor = flavor
            .strip_suffix(']')
            .ok_or_else(|| error("missing ']' at the end".to_owned()))?;
        Ok(TroveTuple {
            name: name.parse().map_err(|e| error(format!("{e}")))?,
            version: version.parse().map_err(|e| error(format!("{e}")))?,
            flavor: flavor.parse().map_err(|e| error(format!("{e}")))?,
        })
    }
}

/// How a collection includes another trove.
///
/// ```rust
/// assert!(!conary_core::trove::TroveRef::new(false).by_default);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct TroveRef {
    /// Installed along with the collection unless asked otherwise (false for
    /// e.g. `:debuginfo` and `:test`).
    pub by_default: bool,
    /// Fields from a later format version, kept for re-encoding.
    pub unknown: UnknownFields,
}

impl TroveRef {
    /// A reference with the given default.
    pub fn new(by_default: bool) -> TroveRef {
        TroveRef {
            by_default,
            unknown: UnknownFields::default(),
        }
    }
}

/// A file of a trove, found under its pathId.
///
/// ```rust
/// use conary_core::digest::FileId;
/// use conary_core::trove::FileRef;
/// use conary_core::version::Version;
/// let version = Version::thaw("/conary.example.com@plat:1/1700000000.000:1.0-1-1").expect("version");
/// let file = FileRef::new("/etc/foo.conf", FileId::from_bytes([0; 32]), version);
/// assert_eq!(file.path, "/etc/foo.conf");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileRef {
    /// Where the file is installed.
    pub path: String,
    /// The identity of its stream (metadata and contents).
    pub file_id: FileId,
    /// The version in which this fileId first appeared on the branch.
    pub file_version: Version,
    /// Fields from a later format version, kept for re-encoding.
    pub unknown: UnknownFields,
}

impl FileRef {
    /// A file reference from its parts.
    pub fn new(path: &str, file_id: FileId, file_version: Version) -> FileRef {
        FileRef {
            path: path.to_owned(),
            file_id,
            file_version,
            unknown: UnknownFields::default(),
        }
    }
}

/// Where a redirect points: a trove name on a branch, with a flavor or (when
/// `None`) the flavor of whatever is being redirected.
///
/// ```rust
/// use conary_core::trove::Redirect;
/// let redirect = Redirect {
///     name: "bar".parse().expect("name"),
///     branch: "/conary.example.com@plat:2".parse().expect("branch"),
///     flavor: None,
/// };
/// assert_eq!(redirect.branch.to_string(), "/conary.example.com@plat:2");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Redirect {
    /// The target trove's name.
    pub name: TroveName,
    /// The target branch.
    pub branch: Branch,
    /// The target flavor, if fixed.
    pub flavor: Option<Flavor>,
}

/// A trove manifest.
///
/// ```rust
/// use conary_core::trove::{Trove, TroveType};
/// use conary_core::version::Version;
/// let version = Version::thaw("/conary.example.com@plat:1/1700000000.000:1.0-1-1").expect("version");
/// let mut trove = Trove::new("foo".parse().expect("name"), version, Default::default());
/// trove.trove_type = TroveType::Removed;
/// assert_eq!(Trove::decode(&trove.encode()).map(|t| t.digest()), Ok(trove.digest()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trove {
    /// The trove's name.
    pub name: TroveName,
    /// The trove's version.
    pub version: Version,
    /// The trove's flavor.
    pub flavor: Flavor,
    /// Normal, redirect or removed.
    pub trove_type: TroveType,
    /// What this trove provides.
    pub provides: DependencySet,
    /// What this trove requires.
    pub requires: DependencySet,
    /// The files of a component or fileset, by pathId.
    pub files: BTreeMap<PathId, FileRef>,
    /// Troves this collection includes directly.
    pub strong_refs: BTreeMap<TroveTuple, TroveRef>,
    /// Troves this collection includes through its strong references.
    pub weak_refs: BTreeMap<TroveTuple, TroveRef>,
    /// Where a redirect points.
    pub redirects: BTreeSet<Redirect>,
    /// Build facts and other information.
    pub info: TroveInfo,
    /// Fields from a later format version, kept for re-encoding.
    pub unknown: UnknownFields,
}

impl Trove {
    /// An empty normal trove.
    pub fn new(name: TroveName, version: Version, flavor: Flavor) -> Trove {
        Trove {
            name,
            version,
            flavor,
            trove_type: TroveType::Normal,
            provides: DependencySet::default(),
            requires: DependencySet::default(),
            files: BTreeMap::new(),
            strong_refs: BTreeMap::new(),
            weak_refs: BTreeMap::new(),
            redirects: BTreeSet::new(),
            info: TroveInfo::default(),
            unknown: UnknownFields::default(),
        }
    }

    /// This trove's name, version and flavor.
    pub fn tuple(&self) -> TroveTuple {
        TroveTuple::new(self.name.clone(), self.version.clone(), self.flavor.clone())
    }

    /// True for packages and groups: names without `:` that are not
    /// filesets (as the original's `troveIsCollection`; see
    /// [`TroveName::is_collection`]).
    pub fn is_collection(&self) -> bool {
        self.name.is_collection()
    }

    /// Adds (or replaces) the file under `path_id`, returning what it replaced.
    pub fn add_file(
        &mut self,
        path_id: PathId,
        path: &str,
        file_id: FileId,
        file_version: Version,
    ) -> Option<FileRef> {
        self.files
            .insert(path_id, FileRef::new(path, file_id, file_version))
    }

    /// Removes the file under `path_id`, returning it.
    pub fn remove_file(&mut self, path_id: &PathId) -> Option<FileRef> {
        self.files.remove(path_id)
    }

    /// The file under `path_id`.
    pub fn file(&self, path_id: &PathId) -> Option<&FileRef> {
        self.files.get(path_id)
    }

    /// The files in pathId order.
    pub fn iter_files(&self) -> impl Iterator<Item = (&PathId, &FileRef)> {
        self.files.iter()
    }

    /// Adds (or replaces) a strong reference, returning what it replaced.
    pub fn add_strong_ref(&mut self, tuple: TroveTuple, by_default: bool) -> Option<TroveRef> {
        self.strong_refs.insert(tuple, TroveRef::new(by_default))
    }

    /// Adds (or replaces) a weak reference, returning what it replaced.
    pub fn add_weak_ref(&mut self, tuple: TroveTuple, by_default: bool) -> Option<TroveRef> {
        self.weak_refs.insert(tuple, TroveRef::new(by_default))
    }

    /// Adds a reference, strong or weak.
    pub fn add_ref(
        &mut self,
        tuple: TroveTuple,
        by_default: bool,
        strong: bool,
    ) -> Option<TroveRef> {
        if strong {
            self.add_strong_ref(tuple, by_default)
        } else {
            self.add_weak_ref(tuple, by_default)
        }
    }

    /// Removes a reference, strong or weak, returning it.
    pub fn remove_ref(&mut self, tuple: &TroveTuple, strong: bool) -> Option<TroveRef> {
        if strong {
            self.strong_refs.remove(tuple)
        } else {
            self.weak_refs.remove(tuple)
        }
    }

    /// The strong references with their by-default flag.
    pub fn iter_strong_refs(&self) -> impl Iterator<Item = (&TroveTuple, bool)> {
        self.strong_refs
            .iter()
            .map(|(tuple, reference)| (tuple, reference.by_default))
    }

    /// The weak references with their by-default flag.
    pub fn iter_weak_refs(&self) -> impl Iterator<Item = (&TroveTuple, bool)> {
        self.weak_refs
            .iter()
            .map(|(tuple, reference)| (tuple, reference.by_default))
    }

    /// Every reference, strong ones first: `(tuple, by_default, strong)`.
    pub fn iter_refs(&self) -> impl Iterator<Item = (&TroveTuple, bool, bool)> {
        let strong = self.iter_strong_refs().map(|(t, d)| (t, d, true));
        let weak = self.iter_weak_refs().map(|(t, d)| (t, d, false));
        strong.chain(weak)
    }

    /// Adds a redirect target.
    pub fn add_redirect(&mut self, name: TroveName, branch: Branch, flavor: Option<Flavor>) {
        self.redirects.insert(Redirect {
            name,
            branch,
            flavor,
        });
    }

    /// The canonical encoding (object `CNYT`, format 1).
    pub fn encode(&self) -> Vec<u8> {
        codec::encode(self)
    }

    /// Decodes a canonical encoding with the default [`Limits`].
    pub fn decode(bytes: &[u8]) -> Result<Trove, DecodeError> {
        codec::decode(bytes, &Limits::default())
    }

    /// Decodes a canonical encoding within `limits`.
    pub fn decode_with_limits(bytes: &[u8], limits: &Limits) -> Result<Trove, DecodeError> {
        codec::decode(bytes, limits)
    }

    /// The digest of the canonical encoding; what signatures sign.
    pub fn digest(&self) -> Digest {
        Digest::of(&self.encode())
    }
}

/// Decodes an untrusted trove with the default [`Limits`]; the entry point
/// for fuzzing. Never panics.
pub fn decode_untrusted(bytes: &[u8]) -> Result<Trove, DecodeError> {
    Trove::decode(bytes)
}
