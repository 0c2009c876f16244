//! The calls the apply planner and stager make into the merge: what to do
//! with a file both the machine and the update touch, and a config merge
//! at staging time that leaves `PATH.conflicts` when it fails.

use std::fs;
use std::os::unix::fs::MetadataExt as _;
use std::path::Path;

use conary_core::files::{FileAttr, FileKind, FileStream, Mode};

use super::attrs::merge_stream;
use super::text::{TextMergeError, conflicts_path, merge_text};
use crate::apply::ApplyOptions;
use crate::apply::attrs::Ids;
use crate::apply::disk::disk_stream;
use crate::error::SystemError;

/// What the planner does with a file the update changes and that is on
/// disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Attributes {
    /// Leave the machine's file as it is (with this note).
    Keep(String),
    /// Write the file with this stream's attributes (the new stream with
    /// the machine's mode, owner, group and mtime where it keeps them).
    Stage(Box<FileStream>),
}

/// The stream of the file at `full` for the merge. Its contents are only
/// hashed when they decide something here: when base and new are not both
/// regular files (the contents of three regular files follow the contents
/// rules of the planner, which hashes the file itself).
fn local_stream(
    full: &Path,
    base: &FileStream,
    new: &FileStream,
    ids: &Ids,
) -> Result<Option<FileStream>, SystemError> {
    let regular = |stream: &FileStream| matches!(stream.kind, FileKind::Regular { .. });
    if !(regular(base) && regular(new)) {
        return disk_stream(full, ids);
    }
    let metadata = match fs::symlink_metadata(full) {
        Ok(metadata) if metadata.is_file() => metadata,
        Ok(_) => return disk_stream(full, ids),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(SystemError::io("inspect", full, error)),
    };
    let mode = Mode::new(metadata.mode() & 0o7777)
        .map_err(|e| SystemError::corrupt(format!("mode of '{}': {e}", full.display())))?;
    let mut stream = FileStream::new(
        base.kind.clone(),
        mode,
        &ids.user_name(metadata.uid()),
        &ids.group_name(metadata.gid()),
    );
    stream.mtime = u64::try_from(metadata.mtime()).unwrap_or(0);
    Ok(Some(stream))
}

fn attr_name(attr: FileAttr) -> &'static str {
    match attr {
        FileAttr::Type => "what the file is",
        FileAttr::Mode => "mode",
        FileAttr::Owner => "owner",
        FileAttr::Group => "group",
        _ => "attributes",
    }
}

/// Merges the attributes of the file at `full` (installed as `base`,
/// updated to `new`) with what the machine changed. A conflict is an error
/// unless the file is transient or `--replace-modified-files` is given
/// (then the new attributes win).
pub(crate) fn attributes(
    path: &str,
    full: &Path,
    base: &FileStream,
    new: &FileStream,
    options: &ApplyOptions,
    privileged: bool,
    ids: &Ids,
) -> Result<Attributes, SystemError> {
    let Some(mut local) = local_stream(full, base, new, ids)? else {
        return Ok(Attributes::Stage(Box::new(new.clone())));
    };
    // An owner the root does not know was installed as root (or by
    // number): the same id on disk is no local change.
    if ids.user(&local.owner).id() == ids.user(&base.owner).id() {
        local.owner.clone_from(&base.owner);
    }
    if ids.group(&local.group).id() == ids.group(&base.group).id() {
        local.group.clone_from(&base.group);
    }
    let merge = merge_stream(base, &local, new, privileged);
    let forced = options.replace_modified_files || new.flags.is_transient();
    if merge.keeps_local() && !forced {
        return Ok(Attributes::Keep(format!(
            "kept the local {} (the update does not change it)",
            local.file_type()
        )));
    }
    let conflicts = merge.conflicts();
    if conflicts.is_empty() {
        return Ok(Attributes::Stage(Box::new(merge.merged)));
    }
    if forced {
        return Ok(Attributes::Stage(Box::new(new.clone())));
    }
    let names: Vec<&str> = conflicts.into_iter().map(attr_name).collect();
    Err(SystemError::MergeConflict {
        path: path.to_owned(),
        reason: format!(
            "its {} changed on this machine and in the update",
            names.join(", ")
        ),
        hint: "--replace-modified-files",
    })
}

/// Merges a config file at staging: `base` (pristine), `local` (on disk at
/// `full`) and `head` (new). `None` when hunks conflict: the merge with its
/// markers is then written to `PATH.conflicts`, and the transaction fails
/// after staging ([`conflicts_error`]) so that every conflicting file gets
/// its `.conflicts`.
pub(crate) fn merge_config(
    path: &str,
    full: &Path,
    base: &[u8],
    local: &[u8],
    head: &[u8],
) -> Result<Option<Vec<u8>>, SystemError> {
    match merge_text(base, local, head) {
        Ok(merged) => Ok(Some(merged)),
        Err(TextMergeError::NotText) => Err(SystemError::MergeConflict {
            path: path.to_owned(),
            reason: "it is not text and was changed both on this machine and by the update"
                .to_owned(),
            hint: "--replace-config-files",
        }),
        Err(TextMergeError::Conflict { marked }) => {
            let conflicts = conflicts_path(full);
            fs::write(&conflicts, marked.as_bytes())
                .map_err(SystemError::io_with("write", &conflicts))?;
            Ok(None)
        }
    }
}

/// The error of a transaction whose config merges conflicted at `paths`
/// (each left with its `PATH.conflicts`); `None` when there were none.
pub(crate) fn conflicts_error(paths: &[String]) -> Option<SystemError> {
    let mut paths = paths.to_vec();
    paths.sort();
    let (first, rest) = paths.split_first()?;
    let others = if rest.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = rest
            .iter()
            .map(|p| format!("{p} ({p}.conflicts)"))
            .collect();
        format!("; so do {}", list.join(", "))
    };
    Some(SystemError::MergeConflict {
        path: first.clone(),
        reason: format!(
            "local changes conflict with the update (see {first}.conflicts){others}; nothing was changed"
        ),
        hint: "--replace-config-files",
    })
}

/// The pristine config contents of the files staged with the machine's
/// own contents (saved by a rollback, or kept from disk): the database
/// keeps the pristine contents of every installed config file, for the
/// next merge.
pub(crate) fn override_configs(
    stages: &[crate::apply::plan::StageOp],
) -> std::collections::BTreeSet<conary_core::digest::Digest> {
    use crate::apply::plan::{Content, Make};
    stages
        .iter()
        .filter(|stage| {
            matches!(
                stage.make,
                Make::Regular {
                    content: Content::Override(_) | Content::KeepDisk,
                    ..
                }
            )
        })
        .filter_map(|stage| stage.config)
        .collect()
}
