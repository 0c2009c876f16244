//! File streams: everything Conary records about one file except its path
//! and its contents (which are addressed by digest).
//!
//! A [`FileStream`] holds the file's kind with the data only that kind has
//! (size and content digest for regular files, the target of a symlink,
//! device numbers), its mode, owner and group *by name*, mtime, flags, tags,
//! per-file provides and requires, and per-file flavor. Its canonical
//! encoding (object `CNYF`, format 1, described in `docs/FORMATS.md`) is
//! what [`FileStream::file_id`] hashes, without the mtime.
//!
//! ```rust
//! use conary_core::digest::Digest;
//! use conary_core::files::{FileKind, FileStream, Mode};
//! let kind = FileKind::Regular { size: 5, digest: Digest::of(b"hello"), link_group: None };
//! let mut stream = FileStream::new(kind, Mode::new(0o644).expect("mode"), "root", "root");
//! stream.mtime = 1_700_000_000;
//! let bytes = stream.encode();
//! assert_eq!(FileStream::decode(&bytes), Ok(stream.clone()));
//! let mut rebuilt = stream.clone();
//! rebuilt.mtime += 60;
//! assert_eq!(rebuilt.file_id(), stream.file_id());
//! ```

mod codec;
mod ls;
mod mode;

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use crate::deps::DependencySet;
use crate::digest::{Digest, FileId};
use crate::encoding::{DecodeError, Limits, UnknownFields};
use crate::flavor::Flavor;

pub use codec::FILE_STREAM_FORMAT;
pub use mode::{FileFlags, Mode};
pub(crate) use mode::{parse_flag_names, write_flag_names};

/// An error from parsing the textual forms in this module.
///
/// ```rust
/// use conary_core::files::{FileError, Mode};
/// let error = "0798".parse::<Mode>().expect_err("8 is not octal");
/// assert!(matches!(error, FileError::InvalidMode { .. }));
/// assert_eq!(error.to_string(), "invalid mode '0798': expected only octal digits");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    /// A mode is not one to four octal digits within `7777`.
    #[error("invalid mode '{text}': {reason}")]
    InvalidMode {
        /// The text at fault.
        text: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A file flag name is not known.
    #[error("invalid file flags '{text}': unknown flag '{item}'")]
    InvalidFlag {
        /// The whole text.
        text: String,
        /// The item at fault.
        item: String,
    },
    /// A file type name is not known.
    #[error(
        "invalid file type '{text}': expected regular, directory, symlink, char-device, block-device, fifo or socket"
    )]
    InvalidFileType {
        /// The text at fault.
        text: String,
    },
}

/// The type of a file, without the data that goes with it.
///
/// ```rust
/// use conary_core::files::FileType;
/// let file_type: FileType = "symlink".parse().expect("type");
/// assert_eq!(file_type.ls_char(), 'l');
/// assert_eq!(file_type.to_string(), "symlink");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileType {
    /// A regular file (hard links are regular files with a link group).
    Regular,
    /// A directory.
    Directory,
    /// A symbolic link.
    Symlink,
    /// A character device.
    CharDevice,
    /// A block device.
    BlockDevice,
    /// A named pipe.
    Fifo,
    /// A unix-domain socket.
    Socket,
}

/// Every file type with its name, `ls -l` character and encoded number.
const FILE_TYPES: [(FileType, &str, char); 7] = [
    (FileType::Regular, "regular", '-'),
    (FileType::Directory, "directory", 'd'),
    (FileType::Symlink, "symlink", 'l'),
    (FileType::CharDevice, "char-device", 'c'),
    (FileType::BlockDevice, "block-device", 'b'),
    (FileType::Fifo, "fifo", 'p'),
    (FileType::Socket, "socket", 's'),
];

impl FileType {
    /// The number written in the encoding (its position in the list above).
    pub fn number(self) -> u64 {
        FILE_TYPES
            .iter()
            .position(|(file_type, _, _)| *file_type == self)
            .unwrap_or(0) as u64
    }

    /// The type written as `number` in the encoding.
    pub fn from_number(number: u64) -> Option<FileType> {
        let index = usize::try_from(number).ok()?;
        FILE_TYPES.get(index).map(|(file_type, _, _)| *file_type)
    }

    /// The first character of an `ls -l` line.
    pub fn ls_char(self) -> char {
        FILE_TYPES
            .iter()
            .find(|(file_type, _, _)| *file_type == self)
            .map_or('?', |(_, _, ls)| *ls)
    }

    fn name(self) -> &'static str {
        FILE_TYPES
            .iter()
            .find(|(file_type, _, _)| *file_type == self)
            .map_or("?", |(_, name, _)| name)
    }
}

impl fmt::Display for FileType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for FileType {
    type Err = FileError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        FILE_TYPES
            .iter()
            .find(|(_, name, _)| *name == text)
            .map(|(file_type, _, _)| *file_type)
            .ok_or_else(|| FileError::InvalidFileType {
                text: text.to_owned(),
            })
    }
}

/// A file's type together with the data only that type has.
///
/// ```rust
/// use conary_core::files::{FileKind, FileType};
/// let kind = FileKind::CharDevice { major: 1, minor: 3 };
/// assert_eq!(kind.file_type(), FileType::CharDevice);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileKind {
    /// A regular file.
    Regular {
        /// The size of the contents in bytes.
        size: u64,
        /// The digest of the contents.
        digest: Digest,
        /// For hard links: an identifier shared by every path of the link
        /// group.
        link_group: Option<Digest>,
    },
    /// A directory.
    Directory,
    /// A symbolic link.
    Symlink {
        /// Where the link points, as written.
        target: String,
    },
    /// A character device.
    CharDevice {
        /// The major device number.
        major: u32,
        /// The minor device number.
        minor: u32,
    },
    /// A block device.
    BlockDevice {
        /// The major device number.
        major: u32,
        /// The minor device number.
        minor: u32,
    },
    /// A named pipe.
    Fifo,
    /// A unix-domain socket.
    Socket,
}

impl FileKind {
    /// The type without its data.
    pub fn file_type(&self) -> FileType {
        match self {
            FileKind::Regular { .. } => FileType::Regular,
            FileKind::Directory => FileType::Directory,
            FileKind::Symlink { .. } => FileType::Symlink,
            FileKind::CharDevice { .. } => FileType::CharDevice,
            FileKind::BlockDevice { .. } => FileType::BlockDevice,
            FileKind::Fifo => FileType::Fifo,
            FileKind::Socket => FileType::Socket,
        }
    }
}

/// One attribute of a file stream, as reported by [`FileStream::diff`].
///
/// ```rust
/// use conary_core::files::{FileAttr, FileKind, FileStream, Mode};
/// let dir = FileStream::new(FileKind::Directory, Mode::new(0o755).expect("mode"), "root", "root");
/// let mut other = dir.clone();
/// other.group = "wheel".to_owned();
/// assert_eq!(dir.diff(&other), [FileAttr::Group]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileAttr {
    /// The file type.
    Type,
    /// The permission bits.
    Mode,
    /// The owner name.
    Owner,
    /// The group name.
    Group,
    /// The modification time.
    Mtime,
    /// The size of a regular file.
    Size,
    /// The content digest of a regular file.
    Digest,
    /// The hard-link group of a regular file.
    LinkGroup,
    /// The target of a symlink.
    Target,
    /// The device numbers of a device.
    Device,
    /// The file flags.
    Flags,
    /// The tags.
    Tags,
    /// The per-file provides.
    Provides,
    /// The per-file requires.
    Requires,
    /// The per-file flavor.
    Flavor,
    /// Fields this code does not know.
    Unknown,
}

/// Everything Conary records about one file except its path and contents.
///
/// ```rust
/// use conary_core::files::{FileKind, FileStream, Mode};
/// let fifo = FileStream::new(FileKind::Fifo, Mode::new(0o600).expect("mode"), "root", "root");
/// assert_eq!(FileStream::decode(&fifo.encode()), Ok(fifo));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStream {
    /// The type and the data that goes with it.
    pub kind: FileKind,
    /// Permission bits, setuid, setgid and sticky.
    pub mode: Mode,
    /// The owner, by name.
    pub owner: String,
    /// The group, by name.
    pub group: String,
    /// The modification time, in seconds since the epoch.
    pub mtime: u64,
    /// How the file is treated on update.
    pub flags: FileFlags,
    /// Tags classifying the file (`shlib`, `info-file`, …).
    pub tags: BTreeSet<String>,
    /// What this file provides (sonames, perl modules, …).
    pub provides: DependencySet,
    /// What this file requires.
    pub requires: DependencySet,
    /// The flavor of this file (e.g. the instruction set of an ELF file).
    pub flavor: Flavor,
    /// Fields from a later format version, kept for re-encoding.
    pub unknown: UnknownFields,
}

impl FileStream {
    /// A stream with mtime 0, no flags, tags, dependencies or flavor.
    pub fn new(kind: FileKind, mode: Mode, owner: &str, group: &str) -> FileStream {
        FileStream {
            kind,
            mode,
            owner: owner.to_owned(),
            group: group.to_owned(),
            mtime: 0,
            flags: FileFlags::empty(),
            tags: BTreeSet::new(),
            provides: DependencySet::default(),
            requires: DependencySet::default(),
            flavor: Flavor::default(),
            unknown: UnknownFields::default(),
        }
    }

    /// The type without its data.
    pub fn file_type(&self) -> FileType {
        self.kind.file_type()
    }

    /// The size of a regular file.
    pub fn size(&self) -> Option<u64> {
        match &self.kind {
            FileKind::Regular { size, .. } => Some(*size),
            _ => None,
        }
    }

    /// The content digest of a regular file.
    pub fn content_digest(&self) -> Option<Digest> {
        match &self.kind {
            FileKind::Regular { digest, .. } => Some(*digest),
            _ => None,
        }
    }

    /// The link group of a hard-linked regular file.
    pub fn link_group(&self) -> Option<Digest> {
        match &self.kind {
            FileKind::Regular { link_group, .. } => *link_group,
            _ => None,
        }
    }

    /// The target of a symlink.
    pub fn symlink_target(&self) -> Option<&str> {
        match &self.kind {
            FileKind::Symlink { target } => Some(target),
            _ => None,
        }
    }

    /// The `(major, minor)` numbers of a device.
    pub fn device(&self) -> Option<(u32, u32)> {
        match &self.kind {
            FileKind::CharDevice { major, minor } | FileKind::BlockDevice { major, minor } => {
                Some((*major, *minor))
            }
            _ => None,
        }
    }

    /// True for a regular file that belongs to a hard-link group.
    pub fn is_hardlink(&self) -> bool {
        self.link_group().is_some()
    }

    /// The canonical encoding (object `CNYF`, format 1).
    pub fn encode(&self) -> Vec<u8> {
        codec::encode(self, true)
    }

    /// Decodes a canonical encoding with the default [`Limits`].
    pub fn decode(bytes: &[u8]) -> Result<FileStream, DecodeError> {
        codec::decode(bytes, &Limits::default())
    }

    /// Decodes a canonical encoding within `limits`.
    pub fn decode_with_limits(bytes: &[u8], limits: &Limits) -> Result<FileStream, DecodeError> {
        codec::decode(bytes, limits)
    }

    /// The fileId: the digest of the canonical encoding without the mtime
    /// field, so that identical files from different builds share it.
    pub fn file_id(&self) -> FileId {
        FileId::from_digest(Digest::of(&codec::encode(self, false)))
    }

    /// The attributes in which `other` differs from `self`, in [`FileAttr`]
    /// order; empty when the streams are equal.
    pub fn diff(&self, other: &FileStream) -> Vec<FileAttr> {
        let checks = [
            (FileAttr::Type, self.file_type() != other.file_type()),
            (FileAttr::Mode, self.mode != other.mode),
            (FileAttr::Owner, self.owner != other.owner),
            (FileAttr::Group, self.group != other.group),
            (FileAttr::Mtime, self.mtime != other.mtime),
            (FileAttr::Size, self.size() != other.size()),
            (
                FileAttr::Digest,
                self.content_digest() != other.content_digest(),
            ),
            (FileAttr::LinkGroup, self.link_group() != other.link_group()),
            (
                FileAttr::Target,
                self.symlink_target() != other.symlink_target(),
            ),
            (FileAttr::Device, self.device() != other.device()),
            (FileAttr::Flags, self.flags != other.flags),
            (FileAttr::Tags, self.tags != other.tags),
            (FileAttr::Provides, self.provides != other.provides),
            (FileAttr::Requires, self.requires != other.requires),
            (FileAttr::Flavor, self.flavor != other.flavor),
            (FileAttr::Unknown, self.unknown != other.unknown),
        ];
        checks
            .into_iter()
            .filter_map(|(attr, differs)| differs.then_some(attr))
            .collect()
    }

    /// One `ls -l`-style line for this file at `path`: type and permissions,
    /// owner, group, size (or device numbers), mtime in UTC, path, and the
    /// target of a symlink.
    ///
    /// ```rust
    /// use conary_core::files::{FileKind, FileStream, Mode};
    /// let kind = FileKind::Symlink { target: "libfoo.so.1".to_owned() };
    /// let link = FileStream::new(kind, Mode::new(0o777).expect("mode"), "root", "root");
    /// assert_eq!(
    ///     link.ls_line("/usr/lib/libfoo.so"),
    ///     "lrwxrwxrwx root     root             11 1970-01-01 00:00 /usr/lib/libfoo.so -> libfoo.so.1",
    /// );
    /// ```
    pub fn ls_line(&self, path: &str) -> String {
        ls::line(self, path)
    }
}

/// Decodes an untrusted file stream with the default [`Limits`]; the entry
/// point for fuzzing. Never panics.
pub fn decode_untrusted(bytes: &[u8]) -> Result<FileStream, DecodeError> {
    FileStream::decode(bytes)
}
