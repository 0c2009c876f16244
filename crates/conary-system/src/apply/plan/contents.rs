//! The contents of a regular file both the machine and an update may have
//! changed: kept, taken, merged as text (config files), or a conflict;
//! the rules of `transient`, `initialContents` and the `--replace-*`
//! options. The attribute merge and the text merge themselves live in
//! [`crate::merge`].

use std::path::Path;

use conary_core::digest::Digest;
use conary_core::files::FileStream;
use conary_util::RelPath;

use super::{Content, Make, OldFile, Planner, unsafe_path};
use crate::apply::Note;
use crate::apply::disk::{self, Disk};
use crate::error::SystemError;

impl Planner<'_> {
    /// `--replace-config-files`: the machine's version of `path` is kept
    /// beside it as `PATH.conaryorig` (a file no trove owns).
    fn keep_conaryorig(&mut self, path: &str, full: &Path) -> Result<(), SystemError> {
        let Some(mut stream) = disk::disk_stream(full, self.ids)? else {
            return Ok(());
        };
        stream.flags = conary_core::files::FileFlags::empty();
        let orig = format!("{path}.conaryorig");
        let rel = RelPath::from_rooted(&orig).map_err(|e| unsafe_path(&orig, e))?;
        let orig_full = self.full(&orig, &rel)?;
        if disk::inspect(&orig_full)?.exists() {
            self.plan.backups.push(rel.to_string());
        }
        let make = Make::Regular {
            content: Content::Override(full.to_path_buf()),
            link_group: None,
        };
        self.plan.notes.push(Note::new(
            Some(path),
            format!("replaced; the local version is kept as {orig}"),
        ));
        self.stage(&orig, &rel, make, &stream)
    }

    /// True when the regular file at `full` still has the size, mtime and
    /// mode (and, when privileged, the owner and group) `old` was
    /// installed with, to the nanosecond: its contents are then taken as
    /// the installed ones without hashing them, as the original's
    /// `FileFromFilesystem` takes a possible match whose inode stream and
    /// size agree. Installing sets whole-second mtimes, which an editor's
    /// write does not leave. Config files, where local edits are the rule,
    /// are always hashed. Should a file changed in place without any trace
    /// serve as a delta's base, the changeset reader's check of the base
    /// refuses it and the transaction is undone.
    fn as_installed(
        &self,
        full: &Path,
        old: &OldFile,
        new: &FileStream,
    ) -> Result<bool, SystemError> {
        use std::os::unix::fs::MetadataExt as _;
        let installed = &old.stream;
        if installed.flags.is_config() || new.flags.is_config() || installed.mtime == 0 {
            return Ok(false);
        }
        let Some(size) = installed.size() else {
            return Ok(false);
        };
        let metadata = match std::fs::symlink_metadata(full) {
            Ok(metadata) if metadata.is_file() => metadata,
            Ok(_) => return Ok(false),
            Err(error) => return Err(SystemError::io("inspect", full, error)),
        };
        let owners = !self.privileged
            || (metadata.uid() == self.ids.user(&installed.owner).id()
                && metadata.gid() == self.ids.group(&installed.group).id());
        Ok(owners
            && metadata.len() == size
            && u64::try_from(metadata.mtime()).ok() == Some(installed.mtime)
            && metadata.mtime_nsec() == 0
            && metadata.mode() & 0o7777 == u32::from(installed.mode.bits()))
    }

    /// The contents decision for a regular file replacing `old` where the
    /// disk may hold local changes; `None` keeps the disk as it is.
    pub(super) fn regular_content(
        &mut self,
        path: &str,
        full: &Path,
        old: &OldFile,
        new: &FileStream,
        on_disk: &Disk,
    ) -> Result<Option<Content>, SystemError> {
        let (Some(base), Some(head)) = (old.stream.content_digest(), new.content_digest()) else {
            return Ok(Some(Content::Digest(
                new.content_digest().unwrap_or(Digest::of(b"")),
            )));
        };
        let disk_digest = match on_disk {
            Disk::Regular if self.as_installed(full, old, new)? => Some(base),
            Disk::Regular => Some(disk::hash_file(full)?.0),
            _ => None,
        };
        let modified = disk_digest.is_some_and(|digest| digest != base);
        if disk_digest == Some(base) {
            // Checked: a base for a delta against `base` (content::resolve).
            self.plan
                .verified
                .entry(base)
                .or_insert_with(|| full.to_path_buf());
        }
        if modified {
            self.save_local(path, full)?;
        }
        if head == base {
            return Ok(Some(if modified {
                Content::KeepDisk
            } else {
                Content::Digest(head)
            }));
        }
        let flags = new.flags;
        // initialContents: written once, never again on update.
        if flags.is_initial_contents() && disk_digest.is_some() {
            return Ok(None);
        }
        if !modified {
            return Ok(Some(Content::Digest(head)));
        }
        let both_config = flags.is_config() && old.stream.flags.is_config();
        if flags.is_transient() || self.options.replace_modified_files {
            return Ok(Some(Content::Digest(head)));
        }
        if both_config && self.options.replace_config_files {
            self.keep_conaryorig(path, full)?;
            return Ok(Some(Content::Digest(head)));
        }
        if both_config {
            return Ok(Some(Content::Merge { base, head }));
        }
        if flags.is_config() {
            // It just became a config file: the machine's contents stay.
            self.plan.notes.push(Note::new(
                Some(path),
                "now a config file: the local contents are kept".to_owned(),
            ));
            return Ok(Some(Content::KeepDisk));
        }
        Err(SystemError::MergeConflict {
            path: path.to_owned(),
            reason: "the file was changed on disk and the update changes it too".to_owned(),
            hint: "--replace-modified-files",
        })
    }
}
