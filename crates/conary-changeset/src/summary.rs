//! What `conary showcs` shows: troves, files with sizes, which files travel
//! as deltas, and the bytes of each kind.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;

use conary_core::digest::{FileId, PathId};
use conary_core::trove::TroveTuple;

use crate::error::ChangeSetError;
use crate::model::{ChangeSet, ContentKind, PayloadId, TextDiffKey};
use crate::read::ChangeSetReader;
use crate::validate::Limits;

/// One file of a trove in a changeset.
///
/// ```rust
/// use conary_changeset::FileSummary;
/// let file = FileSummary { path: "/etc/motd".into(), path_id: conary_core::digest::PathId::derive(b"/etc/motd"),
///     file_id: conary_core::digest::FileId::from_bytes([0; 32]), changed: false, size: None, contents: None, text_diff: false, stored: None };
/// assert!(!file.changed);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSummary {
    /// Where the file is installed.
    pub path: String,
    /// Its pathId.
    pub path_id: PathId,
    /// Its new fileId.
    pub file_id: FileId,
    /// True when its stream travels (new or changed file); false when the
    /// receiver already has it.
    pub changed: bool,
    /// The size of a regular file whose stream travels.
    pub size: Option<u64>,
    /// How its contents travel, for a changed regular file.
    pub contents: Option<ContentKind>,
    /// True when a text diff of it travels too.
    pub text_diff: bool,
    /// The bytes its contents take in the changeset, when known (see
    /// [`read_summary`](Summary::read)).
    pub stored: Option<u64>,
}

/// One trove of a changeset.
///
/// ```rust
/// let trove = conary_changeset::TroveSummary { tuple: "foo=/a@b:c/1-1-1[]".parse().expect("tuple"), old: None, primary: true, files: Vec::new() };
/// assert!(trove.primary);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TroveSummary {
    /// The new trove.
    pub tuple: TroveTuple,
    /// The trove it replaces, for a relative change.
    pub old: Option<TroveTuple>,
    /// True for a primary trove.
    pub primary: bool,
    /// Its files, in path order.
    pub files: Vec<FileSummary>,
}

/// The payloads of one kind: how many, their size, and the bytes they take.
///
/// ```rust
/// let total = conary_changeset::KindTotal::default();
/// assert_eq!(total.count, 0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KindTotal {
    /// The number of entries.
    pub count: u64,
    /// Their size once decoded.
    pub size: u64,
    /// The bytes they take in the changeset, when known.
    pub stored: Option<u64>,
}

/// A changeset described for people.
///
/// ```rust
/// let summary = conary_changeset::Summary::of(&conary_changeset::ChangeSet::default());
/// assert!(summary.to_string().contains("0 troves"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// True when no trove change is relative and nothing travels as a delta.
    pub absolute: bool,
    /// The troves installed or updated.
    pub troves: Vec<TroveSummary>,
    /// The troves erased.
    pub erased: Vec<TroveTuple>,
    /// Totals by kind: `full`, `delta`, `reference`, `text diff`.
    pub totals: BTreeMap<&'static str, KindTotal>,
    /// The bytes of the whole changeset, when known.
    pub stored: Option<u64>,
}

impl Summary {
    /// Describes `changeset` from its index alone.
    pub fn of(changeset: &ChangeSet) -> Summary {
        Summary::with_stored(changeset, None, None)
    }

    /// Reads a whole changeset, skipping its payloads without decompressing
    /// them, and describes it with the bytes each payload takes.
    pub fn read<R: Read>(input: R, limits: Limits) -> Result<Summary, ChangeSetError> {
        let mut reader = ChangeSetReader::with_limits(input, limits)?;
        let mut stored = BTreeMap::new();
        while let Some((id, bytes)) = reader.skip_payload()? {
            stored.insert(id, bytes);
        }
        let whole = reader.position();
        let changeset = reader.finish()?;
        Ok(Summary::with_stored(&changeset, Some(&stored), Some(whole)))
    }

    fn with_stored(
        changeset: &ChangeSet,
        stored: Option<&BTreeMap<PayloadId, u64>>,
        whole: Option<u64>,
    ) -> Summary {
        let stored_of = |id: PayloadId| stored.map(|stored| stored.get(&id).copied().unwrap_or(0));
        let mut totals: BTreeMap<&'static str, KindTotal> = BTreeMap::new();
        for (digest, contents) in &changeset.contents {
            let total = totals.entry(contents.kind.name()).or_default();
            total.count += 1;
            total.size = total.size.saturating_add(contents.size);
            if contents.kind.is_carried() {
                let bytes = stored_of(PayloadId::Contents(*digest));
                total.stored = add(total.stored, bytes);
            } else if stored.is_some() {
                total.stored = Some(total.stored.unwrap_or(0));
            }
        }
        for (key, diff) in &changeset.text_diffs {
            let total = totals.entry("text diff").or_default();
            total.count += 1;
            total.size = total.size.saturating_add(diff.size);
            total.stored = add(total.stored, stored_of(PayloadId::TextDiff(*key)));
        }
        let diffed: Vec<&TextDiffKey> = changeset.text_diffs.keys().collect();
        let troves = changeset
            .troves
            .iter()
            .map(|(tuple, change)| {
                let mut files: Vec<FileSummary> = change
                    .new
                    .files
                    .iter()
                    .map(|(path_id, file)| {
                        let stream = changeset.files.get(&file.file_id);
                        let digest = stream.and_then(|stream| stream.content_digest());
                        let contents = digest
                            .and_then(|digest| changeset.contents.get(&digest))
                            .map(|contents| contents.kind);
                        let carried = contents.is_some_and(|kind| kind.is_carried());
                        FileSummary {
                            path: file.path.clone(),
                            path_id: *path_id,
                            file_id: file.file_id,
                            changed: stream.is_some(),
                            size: stream.and_then(|stream| stream.size()),
                            contents,
                            text_diff: digest
                                .is_some_and(|d| diffed.iter().any(|key| key.target == d)),
                            stored: digest
                                .filter(|_| carried)
                                .and_then(|d| stored_of(PayloadId::Contents(d))),
                        }
                    })
                    .collect();
                files.sort_by(|a, b| a.path.cmp(&b.path));
                TroveSummary {
                    tuple: tuple.clone(),
                    old: change.old.clone(),
                    primary: changeset.primary.contains(tuple),
                    files,
                }
            })
            .collect();
        Summary {
            absolute: changeset.is_absolute(),
            troves,
            erased: changeset.erased.iter().cloned().collect(),
            totals,
            stored: whole,
        }
    }
}

fn add(total: Option<u64>, bytes: Option<u64>) -> Option<u64> {
    match (total, bytes) {
        (Some(total), Some(bytes)) => Some(total.saturating_add(bytes)),
        (None, Some(bytes)) => Some(bytes),
        (total, None) => total,
    }
}

impl fmt::Display for Summary {
    /// One line per trove, one indented line per changed file, then the
    /// totals by kind.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.absolute {
            "absolute"
        } else {
            "relative"
        };
        write!(
            f,
            "{kind} changeset: {} troves, {} erased",
            self.troves.len(),
            self.erased.len()
        )?;
        if let Some(stored) = self.stored {
            write!(f, ", {stored} bytes")?;
        }
        writeln!(f)?;
        for trove in &self.troves {
            let primary = if trove.primary { " (primary)" } else { "" };
            match &trove.old {
                Some(old) => writeln!(f, "update {old} -> {}{primary}", trove.tuple)?,
                None => writeln!(f, "install {}{primary}", trove.tuple)?,
            }
            let unchanged = trove.files.iter().filter(|file| !file.changed).count();
            for file in trove.files.iter().filter(|file| file.changed) {
                write!(f, "  {}", file.path)?;
                if let Some(size) = file.size {
                    write!(f, " {size} bytes")?;
                }
                if let Some(kind) = file.contents {
                    write!(f, " {}", kind.name())?;
                }
                if let Some(stored) = file.stored {
                    write!(f, " ({stored} stored)")?;
                }
                if file.text_diff {
                    write!(f, " +text diff")?;
                }
                writeln!(f)?;
            }
            if unchanged > 0 {
                writeln!(f, "  {unchanged} unchanged files")?;
            }
        }
        for erased in &self.erased {
            writeln!(f, "erase {erased}")?;
        }
        for (name, total) in &self.totals {
            write!(f, "{name}: {} entries, {} bytes", total.count, total.size)?;
            if let Some(stored) = total.stored {
                write!(f, ", {stored} stored")?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}
