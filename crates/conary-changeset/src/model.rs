//! The changeset as plain data: trove changes, file streams and the index of
//! contents.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use conary_core::digest::{Digest, FileId};
use conary_core::files::FileStream;
use conary_core::trove::{Trove, TroveTuple};

use crate::error::ChangeSetError;

/// One trove of a changeset: its whole new manifest, and for a relative
/// change the trove it replaces.
///
/// Manifests are small, so a relative change ships the new one whole; what
/// makes it relative is that only the file streams and contents that differ
/// from `old` travel with it.
///
/// ```rust
/// use conary_changeset::TroveChange;
/// use conary_core::trove::Trove;
/// use conary_core::version::Version;
/// let version = Version::thaw("/conary.example.com@plat:1/1700000000.000:1.0-1-1").expect("version");
/// let trove = Trove::new("foo:runtime".parse().expect("name"), version, Default::default());
/// let change = TroveChange::absolute(trove);
/// assert!(change.is_absolute());
/// assert_eq!(change.to_string(), "foo:runtime=/conary.example.com@plat:1/1.0-1-1[]");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TroveChange {
    /// The trove replaced, for a relative change; `None` for an absolute one.
    pub old: Option<TroveTuple>,
    /// The new trove's whole manifest.
    pub new: Trove,
}

impl TroveChange {
    /// A change that installs `new` from nothing.
    pub fn absolute(new: Trove) -> TroveChange {
        TroveChange { old: None, new }
    }

    /// A change from `old` to `new`.
    pub fn relative(old: TroveTuple, new: Trove) -> TroveChange {
        TroveChange {
            old: Some(old),
            new,
        }
    }

    /// True when there is no old trove.
    pub fn is_absolute(&self) -> bool {
        self.old.is_none()
    }
}

impl fmt::Display for TroveChange {
    /// `new` for an absolute change, `old -> new` for a relative one.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.old {
            Some(old) => write!(f, "{old} -> {}", self.new.tuple()),
            None => write!(f, "{}", self.new.tuple()),
        }
    }
}

/// How a content entry travels.
///
/// ```rust
/// use conary_changeset::ContentKind;
/// assert_eq!("full".parse::<ContentKind>().ok(), Some(ContentKind::Full));
/// assert!(ContentKind::Reference.to_string() == "reference");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ContentKind {
    /// Carried whole, zstd-compressed.
    Full,
    /// Carried as a binary delta: zstd-compressed with the contents `base`
    /// (which the receiver already has) as reference prefix, as
    /// `zstd --patch-from` does.
    Delta {
        /// The digest of the old contents the delta is made against.
        base: Digest,
    },
    /// Not carried: the receiver already has these contents (an unchanged
    /// file, its blob store, or the repository they came from).
    Reference,
}

impl ContentKind {
    /// The number written in the index.
    pub fn number(&self) -> u64 {
        match self {
            ContentKind::Full => 0,
            ContentKind::Delta { .. } => 1,
            ContentKind::Reference => 2,
        }
    }

    /// The name shown by `showcs` and in errors.
    pub fn name(&self) -> &'static str {
        match self {
            ContentKind::Full => "full",
            ContentKind::Delta { .. } => "delta",
            ContentKind::Reference => "reference",
        }
    }

    /// True when the bytes travel in the changeset.
    pub fn is_carried(&self) -> bool {
        !matches!(self, ContentKind::Reference)
    }
}

impl fmt::Display for ContentKind {
    /// `full`, `reference`, or `delta:BASE` with the base digest in hex.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContentKind::Delta { base } => write!(f, "delta:{base}"),
            other => f.write_str(other.name()),
        }
    }
}

impl FromStr for ContentKind {
    type Err = ChangeSetError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = |reason: String| ChangeSetError::Parse {
            what: "content kind",
            text: text.to_owned(),
            reason,
        };
        match text {
            "full" => Ok(ContentKind::Full),
            "reference" => Ok(ContentKind::Reference),
            _ => match text.strip_prefix("delta:") {
                Some(base) => base
                    .parse()
                    .map(|base| ContentKind::Delta { base })
                    .map_err(|e| error(e.to_string())),
                None => Err(error("expected full, reference or delta:DIGEST".to_owned())),
            },
        }
    }
}

/// An entry of the content index: the contents with some digest, how big
/// they are and how they travel.
///
/// ```rust
/// use conary_changeset::{ContentKind, Contents};
/// let contents = Contents { size: 5, kind: ContentKind::Full };
/// assert!(contents.kind.is_carried());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Contents {
    /// The size of the contents (not of what travels), in bytes.
    pub size: u64,
    /// How they travel.
    pub kind: ContentKind,
}

/// The key of a text diff: the config contents it leads to and those it
/// starts from.
///
/// ```rust
/// use conary_changeset::TextDiffKey;
/// use conary_core::digest::Digest;
/// let key = TextDiffKey { target: Digest::of(b"new\n"), base: Digest::of(b"old\n") };
/// assert_eq!(key.to_string().parse::<TextDiffKey>().ok(), Some(key));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TextDiffKey {
    /// The digest of the new contents.
    pub target: Digest,
    /// The digest of the old contents.
    pub base: Digest,
}

impl fmt::Display for TextDiffKey {
    /// `BASE..TARGET` in hex.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.base, self.target)
    }
}

impl FromStr for TextDiffKey {
    type Err = ChangeSetError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = |reason: String| ChangeSetError::Parse {
            what: "text diff key",
            text: text.to_owned(),
            reason,
        };
        let (base, target) = text
            .split_once("..")
            .ok_or_else(|| error("expected BASE..TARGET".to_owned()))?;
        let parse = |hex: &str| hex.parse::<Digest>().map_err(|e| error(e.to_string()));
        Ok(TextDiffKey {
            target: parse(target)?,
            base: parse(base)?,
        })
    }
}

/// A unified diff between two versions of a config file, carried besides
/// the new contents themselves so that local edits can be merged; applying
/// the changeset never depends on it.
///
/// ```rust
/// use conary_changeset::TextDiff;
/// use conary_core::digest::Digest;
/// let text = "@@ -1 +1 @@\n-a\n+b\n";
/// let diff = TextDiff::of(text);
/// assert_eq!((diff.size, diff.digest), (18, Digest::of(text.as_bytes())));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TextDiff {
    /// The length of the diff text.
    pub size: u64,
    /// The digest of the diff text.
    pub digest: Digest,
}

impl TextDiff {
    /// The entry for diff `text`.
    pub fn of(text: &str) -> TextDiff {
        TextDiff {
            size: text.len() as u64,
            digest: Digest::of(text.as_bytes()),
        }
    }
}

/// What one payload after the index is: contents, or a text diff.
///
/// ```rust
/// use conary_changeset::PayloadId;
/// use conary_core::digest::Digest;
/// let id = PayloadId::Contents(Digest::of(b""));
/// assert!(id.to_string().starts_with("contents af1349b9"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PayloadId {
    /// The contents with this digest (full or delta).
    Contents(Digest),
    /// The text diff with this key.
    TextDiff(TextDiffKey),
}

impl fmt::Display for PayloadId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PayloadId::Contents(digest) => write!(f, "contents {digest}"),
            PayloadId::TextDiff(key) => write!(f, "text diff {key}"),
        }
    }
}

/// A changeset: the difference between two states of some troves
/// (relative), or a whole state (absolute).
///
/// The index (everything here) is small and read whole; the contents it
/// lists travel after it and are streamed one by one, in the order of
/// [`ChangeSet::payloads`].
///
/// ```rust
/// let changeset = conary_changeset::ChangeSet::default();
/// assert!(changeset.is_empty() && changeset.is_absolute());
/// assert_eq!(changeset.payloads().count(), 0);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeSet {
    /// The troves asked for; others are included because these need them.
    pub primary: BTreeSet<TroveTuple>,
    /// The troves installed or updated, by their new tuple.
    pub troves: BTreeMap<TroveTuple, TroveChange>,
    /// The troves removed.
    pub erased: BTreeSet<TroveTuple>,
    /// The file streams of new or changed files, by fileId (one stream per
    /// fileId however many files share it).
    pub files: BTreeMap<FileId, FileStream>,
    /// The content index, by the digest of the contents.
    pub contents: BTreeMap<Digest, Contents>,
    /// Text diffs of config files.
    pub text_diffs: BTreeMap<TextDiffKey, TextDiff>,
}

impl ChangeSet {
    /// True when the changeset changes nothing.
    pub fn is_empty(&self) -> bool {
        self.troves.is_empty() && self.erased.is_empty()
    }

    /// True when no trove change is relative (so the changeset can be
    /// applied to a machine that has none of the old troves).
    pub fn is_absolute(&self) -> bool {
        self.troves.values().all(TroveChange::is_absolute)
            && self
                .contents
                .values()
                .all(|contents| !matches!(contents.kind, ContentKind::Delta { .. }))
    }

    /// Adds (or replaces) a trove change, keyed by its new tuple.
    pub fn add_trove(&mut self, change: TroveChange) {
        self.troves.insert(change.new.tuple(), change);
    }

    /// Adds a file stream under its fileId, returning that fileId.
    pub fn add_stream(&mut self, stream: FileStream) -> FileId {
        let file_id = stream.file_id();
        self.files.insert(file_id, stream);
        file_id
    }

    /// The payloads that travel after the index, in order: carried contents
    /// (full and delta) by digest, then text diffs by key.
    pub fn payloads(&self) -> impl Iterator<Item = PayloadId> + '_ {
        let contents = self
            .contents
            .iter()
            .filter(|(_, contents)| contents.kind.is_carried())
            .map(|(digest, _)| PayloadId::Contents(*digest));
        contents.chain(self.text_diffs.keys().map(|key| PayloadId::TextDiff(*key)))
    }

    /// The size of a payload once decoded: the contents' size or the diff
    /// text's length.
    pub fn payload_size(&self, id: &PayloadId) -> Option<u64> {
        match id {
            PayloadId::Contents(digest) => self.contents.get(digest).map(|c| c.size),
            PayloadId::TextDiff(key) => self.text_diffs.get(key).map(|d| d.size),
        }
    }
}
