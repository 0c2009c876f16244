//! What a changeset must satisfy before anything from it is written: safe
//! and unique paths, a stream for every file that needs one, an index entry
//! for every contents, nothing orphaned, and sizes within [`Limits`].

use std::collections::BTreeSet;

use conary_core::digest::Digest;
use conary_core::files::{FileKind, FileStream};
use conary_core::trove::TroveTuple;
use conary_util::RelPath;

use crate::error::ChangeSetError;
use crate::model::{ChangeSet, ContentKind};

/// Bounds on what a reader accepts (and a writer writes), so that hostile
/// input cannot exhaust memory or disk.
///
/// ```rust
/// let limits = conary_changeset::Limits::default();
/// assert_eq!(limits.max_entry_size, 16 << 30);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The longest index, in bytes.
    pub max_index_len: u64,
    /// The most trove changes, erased troves or primary troves (each).
    pub max_troves: usize,
    /// The most file streams, and the most files of all troves together.
    pub max_files: usize,
    /// The most entries of the content index and text diffs together.
    pub max_contents: usize,
    /// The longest path, in bytes.
    pub max_path_len: usize,
    /// The largest contents, in bytes.
    pub max_entry_size: u64,
    /// The largest base of a delta (held in memory while the delta is
    /// encoded or decoded), in bytes.
    pub max_delta_base: u64,
    /// The largest text diff, and the largest config file a text diff is
    /// made for, in bytes.
    pub max_text_diff: u64,
    /// The longest chunk of a payload, in bytes.
    pub max_chunk_len: u64,
}

impl Default for Limits {
    /// A 256 MiB index, 65536 troves, 2²¹ files and contents, 4096-byte
    /// paths, 16 GiB contents, 512 MiB delta bases, 16 MiB text diffs and
    /// 4 MiB chunks.
    fn default() -> Self {
        Limits {
            max_index_len: 256 << 20,
            max_troves: 1 << 16,
            max_files: 1 << 21,
            max_contents: 1 << 21,
            max_path_len: 4096,
            max_entry_size: 16 << 30,
            max_delta_base: 512 << 20,
            max_text_diff: 16 << 20,
            max_chunk_len: 4 << 20,
        }
    }
}

fn limit(what: &str, found: usize, limit: usize) -> Result<(), ChangeSetError> {
    limit_u64(what, found as u64, limit as u64)
}

pub(crate) fn limit_u64(what: &str, found: u64, limit: u64) -> Result<(), ChangeSetError> {
    if found > limit {
        return Err(ChangeSetError::Limit {
            what: what.to_owned(),
            found,
            limit,
        });
    }
    Ok(())
}

/// Checks a path of a trove: absolute, normalized, no NUL, within limits.
pub(crate) fn check_path(
    trove: &TroveTuple,
    path: &str,
    limits: &Limits,
) -> Result<(), ChangeSetError> {
    let unsafe_path = |reason: String| ChangeSetError::UnsafePath {
        trove: trove.to_string(),
        path: path.escape_debug().to_string(),
        reason,
    };
    if path.len() > limits.max_path_len {
        let reason = format!("longer than {} bytes", limits.max_path_len);
        return Err(unsafe_path(reason));
    }
    match RelPath::from_rooted(path) {
        Ok(_) => Ok(()),
        Err(conary_util::UtilError::UnsafePath { problem, .. }) => {
            Err(unsafe_path(problem.to_string()))
        }
        Err(other) => Err(unsafe_path(other.to_string())),
    }
}

/// Checks the parts of a stream that end up as names on a machine.
fn check_stream(stream: &FileStream, path: &str, trove: &TroveTuple) -> Result<(), ChangeSetError> {
    let bad = |what: &str, reason: &str| {
        ChangeSetError::inconsistent(format!(
            "{what} of '{}' in trove {trove} {reason}",
            path.escape_debug()
        ))
    };
    for (what, name) in [("owner", &stream.owner), ("group", &stream.group)] {
        if name.is_empty() || name.len() > 256 || name.contains(['\0', '/', ':', '\n']) {
            return Err(bad(what, "is not a user or group name"));
        }
    }
    if let FileKind::Symlink { target } = &stream.kind
        && (target.is_empty() || target.len() > 4096 || target.contains('\0'))
    {
        return Err(bad(
            "the symlink target",
            "is empty, too long or has a NUL byte",
        ));
    }
    for tag in &stream.tags {
        let valid = !tag.is_empty()
            && tag.len() <= 255
            && !tag.starts_with('.')
            && tag
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || b"-_.+".contains(&byte));
        if !valid {
            return Err(bad(
                "a tag",
                &format!("'{}' is not a tag name", tag.escape_debug()),
            ));
        }
    }
    Ok(())
}

/// Checks everything about `changeset` that does not need its payloads.
pub(crate) fn validate(changeset: &ChangeSet, limits: &Limits) -> Result<(), ChangeSetError> {
    limit("troves", changeset.troves.len(), limits.max_troves)?;
    limit("erased troves", changeset.erased.len(), limits.max_troves)?;
    limit("primary troves", changeset.primary.len(), limits.max_troves)?;
    limit("file streams", changeset.files.len(), limits.max_files)?;
    let entries = changeset
        .contents
        .len()
        .saturating_add(changeset.text_diffs.len());
    limit("content entries", entries, limits.max_contents)?;
    check_troves(changeset)?;
    let uses = check_files(changeset, limits)?;
    check_contents(changeset, limits, &uses)
}

/// Trove changes, erasures and primary troves agree with each other.
fn check_troves(changeset: &ChangeSet) -> Result<(), ChangeSetError> {
    let mut olds = BTreeSet::new();
    for (key, change) in &changeset.troves {
        let new = change.new.tuple();
        if *key != new {
            let reason = format!("trove {new} is filed under {key}");
            return Err(ChangeSetError::inconsistent(reason));
        }
        if changeset.erased.contains(&new) {
            let reason = format!("trove {new} is both installed and erased");
            return Err(ChangeSetError::inconsistent(reason));
        }
        if let Some(old) = &change.old {
            if old.name != new.name {
                let reason = format!("relative change {change} changes the trove name");
                return Err(ChangeSetError::inconsistent(reason));
            }
            if *old == new {
                let reason = format!("relative change of {new} to itself");
                return Err(ChangeSetError::inconsistent(reason));
            }
            if changeset.erased.contains(old) || !olds.insert(old.clone()) {
                let reason = format!("trove {old} is replaced or erased more than once");
                return Err(ChangeSetError::inconsistent(reason));
            }
        }
    }
    for primary in &changeset.primary {
        if !changeset.troves.contains_key(primary) && !changeset.erased.contains(primary) {
            let reason = format!("primary trove {primary} is not in the changeset");
            return Err(ChangeSetError::inconsistent(reason));
        }
    }
    Ok(())
}

/// How the contents of the changeset are used by its files.
#[derive(Default)]
struct Uses {
    /// Digests of regular files.
    digests: BTreeSet<Digest>,
    /// Digests of regular config files.
    config: BTreeSet<Digest>,
}

/// Paths, streams and the contents entries of every file.
fn check_files(changeset: &ChangeSet, limits: &Limits) -> Result<Uses, ChangeSetError> {
    let mut total_files = 0usize;
    let mut used_streams = BTreeSet::new();
    let mut uses = Uses::default();
    for change in changeset.troves.values() {
        let trove = change.new.tuple();
        total_files = total_files.saturating_add(change.new.files.len());
        limit("files in troves", total_files, limits.max_files)?;
        let mut paths = BTreeSet::new();
        for file in change.new.files.values() {
            check_path(&trove, &file.path, limits)?;
            if !paths.insert(file.path.as_str()) {
                return Err(ChangeSetError::DuplicatePath {
                    trove: trove.to_string(),
                    path: file.path.escape_debug().to_string(),
                });
            }
            let Some(stream) = changeset.files.get(&file.file_id) else {
                if change.is_absolute() {
                    return Err(ChangeSetError::MissingStream {
                        trove: trove.to_string(),
                        path: file.path.clone(),
                        file_id: file.file_id.to_string(),
                    });
                }
                // Unchanged from the old trove: the receiver has the stream.
                continue;
            };
            used_streams.insert(file.file_id);
            check_stream(stream, &file.path, &trove)?;
            let FileKind::Regular { size, digest, .. } = stream.kind else {
                continue;
            };
            limit_u64("bytes in one file", size, limits.max_entry_size)?;
            let Some(contents) = changeset.contents.get(&digest) else {
                return Err(ChangeSetError::MissingContents {
                    trove: trove.to_string(),
                    path: file.path.clone(),
                    digest,
                });
            };
            if contents.size != size {
                let reason = format!(
                    "contents {digest} are {} bytes, but '{}' in trove {trove} has {size}",
                    contents.size,
                    file.path.escape_debug()
                );
                return Err(ChangeSetError::inconsistent(reason));
            }
            uses.digests.insert(digest);
            if stream.flags.is_config() {
                uses.config.insert(digest);
            }
        }
    }
    for (file_id, stream) in &changeset.files {
        if stream.file_id() != *file_id {
            let reason = format!("file stream filed under {file_id} has another fileId");
            return Err(ChangeSetError::inconsistent(reason));
        }
        if !used_streams.contains(file_id) {
            let reason = format!("file stream {file_id} is not used by any trove");
            return Err(ChangeSetError::inconsistent(reason));
        }
    }
    Ok(uses)
}

/// The content index and text diffs against the files that use them.
fn check_contents(
    changeset: &ChangeSet,
    limits: &Limits,
    uses: &Uses,
) -> Result<(), ChangeSetError> {
    for (digest, contents) in &changeset.contents {
        if !uses.digests.contains(digest) {
            let reason = format!("contents {digest} are not used by any file");
            return Err(ChangeSetError::inconsistent(reason));
        }
        if let ContentKind::Delta { base } = contents.kind
            && base == *digest
        {
            let reason = format!("contents {digest} are a delta against themselves");
            return Err(ChangeSetError::inconsistent(reason));
        }
    }
    for (key, diff) in &changeset.text_diffs {
        if !uses.config.contains(&key.target) {
            let reason = format!("text diff {key} does not lead to the contents of a config file");
            return Err(ChangeSetError::inconsistent(reason));
        }
        if key.base == key.target {
            let reason = format!("text diff {key} changes nothing");
            return Err(ChangeSetError::inconsistent(reason));
        }
        limit_u64("bytes in one text diff", diff.size, limits.max_text_diff)?;
    }
    Ok(())
}
