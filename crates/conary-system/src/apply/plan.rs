//! Planning the file operations of a transaction: for every path a trove
//! change touches, what is written, kept, shared, moved away or removed,
//! and every conflict refused before anything is touched.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use conary_core::digest::{Digest, FileId};
use conary_core::files::{FileKind, FileStream};
use conary_core::trove::TroveTuple;
use conary_util::{RelPath, SafeRoot, UtilError, safe_join};

use super::attrs::{Attrs, Ids, Lookup};
use super::disk::{self, Disk};
use super::paths::Joiner;
use super::troves::{OldFiles, TroveOps};
use super::{ApplyOptions, Note};
use crate::db::Database;
use crate::error::SystemError;

mod contents;

/// Where the contents of a regular file come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Content {
    /// The contents with this digest (from the changeset, the machine or
    /// the trove source).
    Digest(Digest),
    /// The file's current contents on disk (attributes change only).
    KeepDisk,
    /// A three-way merge of a locally changed config file: `base` is the
    /// pristine installed contents, `head` the new.
    Merge {
        /// The pristine contents (in the database).
        base: Digest,
        /// The new contents.
        head: Digest,
    },
    /// Local contents saved by a rollback.
    Override(PathBuf),
}

/// What kind of file to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Make {
    /// A regular file.
    Regular {
        /// Where its contents come from.
        content: Content,
        /// Its hard-link group, if any.
        link_group: Option<Digest>,
    },
    /// A symlink to this target.
    Symlink(String),
    /// A named pipe.
    Fifo,
    /// A unix-domain socket.
    Socket,
    /// A device node.
    Device {
        /// Block (true) or character device.
        block: bool,
        /// The major number.
        major: u32,
        /// The minor number.
        minor: u32,
    },
}

/// A file written under a temporary name and renamed into place.
#[derive(Debug, Clone)]
pub(crate) struct StageOp {
    /// The path as installed (`/usr/bin/foo`).
    pub path: String,
    /// The path relative to the root.
    pub rel: String,
    /// What to create.
    pub make: Make,
    /// Attributes to set on it.
    pub attrs: Attrs,
    /// The new contents, when they are config contents to keep in the
    /// database.
    pub config: Option<Digest>,
}

/// A file of the machine whose contents only the machine has, saved in the
/// rollback so that rolling back restores it.
#[derive(Debug, Clone)]
pub(crate) struct LocalSave {
    /// The path as installed.
    pub path: String,
    /// Where it is on disk.
    pub full: PathBuf,
    /// Its stream on disk (regular file).
    pub stream: FileStream,
}

/// Every file operation of a transaction.
#[derive(Debug, Default)]
pub(crate) struct FilePlan {
    /// Directories to create before staging, parents first, with the
    /// attributes of the trove directory they are (none for a parent made
    /// on the way).
    pub mkdirs: Vec<(String, Option<Attrs>)>,
    /// Files to write.
    pub stages: Vec<StageOp>,
    /// Files to move out of the way (replaced or removed), relative.
    pub backups: Vec<String>,
    /// Directories to remove after the commit when empty, relative.
    pub rmdirs: Vec<String>,
    /// Attributes of existing directories to set after the commit.
    pub dir_attrs: Vec<(String, Attrs)>,
    /// Local contents to save in the rollback.
    pub saves: Vec<LocalSave>,
    /// Files of other troves taken over (`--replace-managed-files`).
    pub taken_over: Vec<(TroveTuple, String)>,
    /// Paths of new troves left to another owner (shared) or on disk.
    pub notes: Vec<Note>,
    /// Files removed from disk.
    pub removed: usize,
    /// Paths of new troves recorded as not present: files the machine no
    /// longer manages (`conary remove`).
    pub absent: Vec<String>,
    /// Installed files hashed while planning, by the digest found: bases
    /// for deltas without hashing them again (the reader still checks each
    /// base it reads).
    pub verified: BTreeMap<Digest, PathBuf>,
}

/// A file of a new trove.
#[derive(Debug, Clone)]
struct NewFile {
    trove: TroveTuple,
    stream: FileStream,
}

/// A file of a trove being replaced or erased.
#[derive(Debug, Clone)]
struct OldFile {
    stream: FileStream,
    file_id: FileId,
}

/// Two files may share a path: same stream but for the mtime, or both
/// directories (as dpkg shares `/usr/bin`).
fn shareable(a: &FileStream, b: &FileStream) -> bool {
    let both_dirs = matches!(a.kind, FileKind::Directory) && matches!(b.kind, FileKind::Directory);
    both_dirs || a.file_id() == b.file_id()
}

fn unsafe_path(path: &str, error: UtilError) -> SystemError {
    let reason = match error {
        UtilError::UnsafePath { problem, .. } => problem.to_string(),
        other => other.to_string(),
    };
    SystemError::UnsafePath {
        path: path.to_owned(),
        reason,
    }
}

/// A local content already on the machine: where to read it.
pub(crate) struct Planner<'a> {
    pub db: &'a Database,
    pub root: &'a Path,
    /// The root resolved once (`None` when it cannot be: every path then
    /// fails as it would alone).
    safe_root: Option<Joiner>,
    pub options: &'a ApplyOptions,
    pub ids: &'a Ids,
    pub privileged: bool,
    plan: FilePlan,
    planned_dirs: BTreeSet<String>,
    known_dirs: BTreeMap<String, bool>,
    missing_users: BTreeSet<String>,
    owner_note: bool,
}

impl<'a> Planner<'a> {
    pub(crate) fn new(
        db: &'a Database,
        options: &'a ApplyOptions,
        ids: &'a Ids,
        privileged: bool,
    ) -> Planner<'a> {
        Planner {
            db,
            root: db.root(),
            safe_root: SafeRoot::new(db.root()).ok().map(Joiner::new),
            options,
            ids,
            privileged,
            plan: FilePlan::default(),
            planned_dirs: BTreeSet::new(),
            known_dirs: BTreeMap::new(),
            missing_users: BTreeSet::new(),
            owner_note: false,
        }
    }

    /// The attributes `stream` asks for, ids resolved in the root.
    pub(crate) fn attrs(&mut self, stream: &FileStream) -> Attrs {
        let symlink = matches!(stream.kind, FileKind::Symlink { .. });
        let (uid, gid) = if self.privileged {
            let user = self.ids.user(&stream.owner);
            let group = self.ids.group(&stream.group);
            for (lookup, name, what) in [
                (&user, &stream.owner, "user"),
                (&group, &stream.group, "group"),
            ] {
                if *lookup == Lookup::Missing && self.missing_users.insert(format!("{what} {name}"))
                {
                    self.plan.notes.push(Note::new(
                        None,
                        format!("{what} '{name}' does not exist in the root: using root"),
                    ));
                }
            }
            (Some(user.id()), Some(group.id()))
        } else {
            if !self.owner_note {
                self.owner_note = true;
                self.plan.notes.push(Note::new(
                    None,
                    "not running as root: file owners and groups are not set".to_owned(),
                ));
            }
            (None, None)
        };
        Attrs {
            mode: (!symlink).then_some(u32::from(stream.mode.bits())),
            uid,
            gid,
            mtime: i64::try_from(stream.mtime).ok(),
        }
    }

    fn full(&self, path: &str, rel: &RelPath) -> Result<PathBuf, SystemError> {
        match &self.safe_root {
            Some(root) => root.join_rel(rel),
            // Fails as resolving the root did.
            None => rel.under(self.root),
        }
        .map_err(|e| unsafe_path(path, e))
    }

    /// Makes sure every parent directory of `rel` exists or is planned.
    fn ensure_parents(&mut self, path: &str, rel: &RelPath) -> Result<(), SystemError> {
        let components: Vec<&str> = rel.components().collect();
        let mut ancestor = String::new();
        for component in components.iter().take(components.len().saturating_sub(1)) {
            if !ancestor.is_empty() {
                ancestor.push('/');
            }
            ancestor.push_str(component);
            if self.planned_dirs.contains(&ancestor) {
                continue;
            }
            let exists = match self.known_dirs.get(&ancestor) {
                Some(exists) => *exists,
                None => {
                    let full = match &self.safe_root {
                        Some(root) => root.join(&ancestor),
                        None => safe_join(self.root, &ancestor),
                    }
                    .map_err(|e| unsafe_path(path, e))?;
                    let exists = match disk::inspect(&full)? {
                        Disk::Dir => true,
                        Disk::Missing => false,
                        // A symlink safe_join accepted leads to a directory
                        // inside the root.
                        Disk::Other if full.is_dir() => true,
                        _ => {
                            return Err(SystemError::UnsafePath {
                                path: path.to_owned(),
                                reason: format!("'/{ancestor}' is not a directory"),
                            });
                        }
                    };
                    self.known_dirs.insert(ancestor.clone(), exists);
                    exists
                }
            };
            if !exists {
                self.planned_dirs.insert(ancestor.clone());
                self.plan.mkdirs.push((ancestor.clone(), None));
            }
        }
        Ok(())
    }

    fn stage(
        &mut self,
        path: &str,
        rel: &RelPath,
        make: Make,
        stream: &FileStream,
    ) -> Result<(), SystemError> {
        self.ensure_parents(path, rel)?;
        let attrs = self.attrs(stream);
        let config = stream
            .flags
            .is_config()
            .then(|| stream.content_digest())
            .flatten();
        self.plan.stages.push(StageOp {
            path: path.to_owned(),
            rel: rel.to_string(),
            make,
            attrs,
            config,
        });
        Ok(())
    }

    /// What to create for `stream`, or `None` (with a note) when it cannot
    /// be created here.
    fn make_for(&mut self, path: &str, stream: &FileStream, content: Content) -> Option<Make> {
        match &stream.kind {
            FileKind::Regular { link_group, .. } => Some(Make::Regular {
                content,
                link_group: *link_group,
            }),
            FileKind::Symlink { target } => Some(Make::Symlink(target.clone())),
            FileKind::Fifo => Some(Make::Fifo),
            FileKind::Socket => Some(Make::Socket),
            FileKind::CharDevice { major, minor } | FileKind::BlockDevice { major, minor } => {
                if self.privileged {
                    Some(Make::Device {
                        block: matches!(stream.kind, FileKind::BlockDevice { .. }),
                        major: *major,
                        minor: *minor,
                    })
                } else {
                    self.plan.notes.push(Note::new(
                        Some(path),
                        "device node not created: not running as root".to_owned(),
                    ));
                    None
                }
            }
            FileKind::Directory => None,
        }
    }

    fn save_local(&mut self, path: &str, full: &Path) -> Result<(), SystemError> {
        if let Some(stream) = disk::disk_stream(full, self.ids)?
            && matches!(stream.kind, FileKind::Regular { .. })
        {
            self.plan.saves.push(LocalSave {
                path: path.to_owned(),
                full: full.to_path_buf(),
                stream,
            });
        }
        Ok(())
    }

    fn conflict(path: &str, reason: String, hint: &'static str) -> SystemError {
        SystemError::FileConflict {
            path: path.to_owned(),
            reason,
            hint: Some(hint),
        }
    }
}

/// A file a rollback restores with contents only the machine had.
#[derive(Debug, Clone)]
pub(crate) struct Override {
    /// The path as installed.
    pub path: String,
    /// The stream it had (regular file).
    pub stream: FileStream,
    /// Where the saved contents are.
    pub file: PathBuf,
}

impl Planner<'_> {
    /// Plans every path of `ops`, then the rollback's `overrides`.
    pub(crate) fn plan(
        mut self,
        ops: &TroveOps,
        old_files: &OldFiles,
        new_streams: &BTreeMap<FileId, FileStream>,
        overrides: &[Override],
    ) -> Result<FilePlan, SystemError> {
        let removed = ops.removed();
        let mut news: BTreeMap<String, Vec<NewFile>> = BTreeMap::new();
        for change in &ops.changes {
            for file in change.new.files.values() {
                let stream = new_streams.get(&file.file_id).ok_or_else(|| {
                    SystemError::job(format!(
                        "no stream for '{}' of {}",
                        file.path,
                        change.new.tuple()
                    ))
                })?;
                news.entry(file.path.clone()).or_default().push(NewFile {
                    trove: change.new.tuple(),
                    stream: stream.clone(),
                });
            }
        }
        let mut olds: BTreeMap<String, Vec<OldFile>> = BTreeMap::new();
        // Paths the machine stopped managing (`conary remove`).
        let mut forgotten: BTreeSet<String> = BTreeSet::new();
        for file in old_files.values().flatten() {
            if file.is_present {
                olds.entry(file.path.clone()).or_default().push(OldFile {
                    stream: file.stream.clone(),
                    file_id: file.file_id,
                });
            } else {
                forgotten.insert(file.path.clone());
            }
        }
        let paths: BTreeSet<&String> = news.keys().chain(olds.keys()).collect();
        let mut owners = self
            .db
            .present_owners(paths.iter().map(|path| path.as_str()), &removed)?;
        for path in paths {
            let rel = RelPath::from_rooted(path).map_err(|e| unsafe_path(path, e))?;
            let full = self.full(path, &rel)?;
            let others = owners.remove(path.as_str()).unwrap_or_default();
            let old = olds.get(path).and_then(|files| files.first());
            match news.get(path) {
                Some(_) if old.is_none() && others.is_empty() && forgotten.contains(path) => {
                    self.plan.absent.push(path.clone());
                    self.plan.notes.push(Note::new(
                        Some(path),
                        "not managed on this machine (conary remove): left alone".to_owned(),
                    ));
                }
                Some(new_files) => {
                    check_ancestors(path, &news)?;
                    let others: Vec<(TroveTuple, FileStream)> = others
                        .into_iter()
                        .map(|file| (file.trove, file.stream))
                        .collect();
                    self.plan_new(path, &rel, &full, new_files, old, &others)?;
                }
                None if others.is_empty() => {
                    if let Some(old) = old {
                        self.plan_removal(path, &rel, &full, old)?;
                    }
                }
                None => {}
            }
        }
        for item in overrides {
            self.plan_override(item)?;
        }
        Ok(self.plan)
    }

    fn plan_new(
        &mut self,
        path: &str,
        rel: &RelPath,
        full: &Path,
        new_files: &[NewFile],
        old: Option<&OldFile>,
        others: &[(TroveTuple, FileStream)],
    ) -> Result<(), SystemError> {
        let Some(first) = new_files.first() else {
            return Ok(());
        };
        let new = &first.stream;
        if let Some(clash) = new_files.iter().find(|file| !shareable(new, &file.stream)) {
            let reason = format!(
                "troves {} and {} of the changeset both have it, with different contents",
                first.trove, clash.trove
            );
            return Err(SystemError::FileConflict {
                path: path.to_owned(),
                reason,
                hint: None,
            });
        }
        let mut take_over = false;
        if !others.is_empty() {
            if others.iter().all(|(_, stream)| shareable(stream, new)) {
                return Ok(());
            }
            if !self.options.replace_managed_files {
                let owner = others
                    .first()
                    .map(|(trove, _)| trove.to_string())
                    .unwrap_or_default();
                let reason = format!("it is owned by {owner}");
                return Err(Self::conflict(path, reason, "--replace-managed-files"));
            }
            for (trove, _) in others {
                self.plan.taken_over.push((trove.clone(), path.to_owned()));
            }
            take_over = true;
        }
        let on_disk = disk::inspect(full)?;
        if matches!(new.kind, FileKind::Directory) {
            return self.plan_directory(path, rel, new, old, &on_disk, others.is_empty());
        }
        let head = Content::Digest(new.content_digest().unwrap_or(Digest::of(b"")));
        if !take_over && old.is_some_and(|old| old.file_id == new.file_id()) {
            return Ok(());
        }
        // The new stream with the machine's attributes where it keeps them.
        let mut merged: Option<FileStream> = None;
        let content = match (&on_disk, old) {
            // Files the administrator deleted stay deleted (a transient
            // file is always written).
            (Disk::Missing, Some(_)) if !new.flags.is_transient() => {
                self.plan.notes.push(Note::new(
                    Some(path),
                    "removed on this machine: not restored".to_owned(),
                ));
                return Ok(());
            }
            (Disk::Missing, _) => head,
            (Disk::Dir, _) => {
                if !disk::dir_is_empty(full)? {
                    let reason = "a directory that is not empty is in the way".to_owned();
                    return Err(SystemError::FileConflict {
                        path: path.to_owned(),
                        reason,
                        hint: None,
                    });
                }
                if old.is_none() && !take_over && !self.options.replace_unmanaged_files {
                    let reason = "an unowned directory is in the way".to_owned();
                    return Err(Self::conflict(path, reason, "--replace-unmanaged-files"));
                }
                head
            }
            (_, None) => {
                if !take_over {
                    if new.flags.is_initial_contents() {
                        self.plan.notes.push(Note::new(
                            Some(path),
                            "kept the file already there (initial contents)".to_owned(),
                        ));
                        return Ok(());
                    }
                    if !self.options.replace_unmanaged_files {
                        let reason = "an unowned file is in the way".to_owned();
                        return Err(Self::conflict(path, reason, "--replace-unmanaged-files"));
                    }
                }
                self.save_local(path, full)?;
                head
            }
            (_, Some(old)) => {
                use crate::merge::hooks::{Attributes, attributes};
                let (options, privileged) = (self.options, self.privileged);
                match attributes(path, full, &old.stream, new, options, privileged, self.ids)? {
                    Attributes::Keep(note) => {
                        self.plan.notes.push(Note::new(Some(path), note));
                        return Ok(());
                    }
                    Attributes::Stage(stream) => merged = Some(*stream),
                }
                let both_regular = matches!(new.kind, FileKind::Regular { .. })
                    && matches!(old.stream.kind, FileKind::Regular { .. });
                if both_regular {
                    match self.regular_content(path, full, old, new, &on_disk)? {
                        Some(content) => content,
                        None => {
                            self.plan.notes.push(Note::new(
                                Some(path),
                                "kept the local contents (initial contents)".to_owned(),
                            ));
                            return Ok(());
                        }
                    }
                } else {
                    if on_disk == Disk::Regular
                        && disk::digest_if_regular(full)? != old.stream.content_digest()
                    {
                        self.save_local(path, full)?;
                    }
                    head
                }
            }
        };
        let Some(make) = self.make_for(path, new, content) else {
            return Ok(());
        };
        if on_disk.exists() {
            self.plan.backups.push(rel.to_string());
        }
        self.stage(path, rel, make, merged.as_ref().unwrap_or(new))
    }

    fn plan_directory(
        &mut self,
        path: &str,
        rel: &RelPath,
        new: &FileStream,
        old: Option<&OldFile>,
        on_disk: &Disk,
        sole_owner: bool,
    ) -> Result<(), SystemError> {
        match on_disk {
            Disk::Dir => {
                let changed = old.is_none_or(|old| {
                    old.stream.diff(new).iter().any(|attr| {
                        matches!(
                            attr,
                            conary_core::files::FileAttr::Mode
                                | conary_core::files::FileAttr::Owner
                                | conary_core::files::FileAttr::Group
                        )
                    })
                });
                if changed && sole_owner {
                    let attrs = self.attrs(new);
                    self.plan.dir_attrs.push((rel.to_string(), attrs));
                }
                Ok(())
            }
            Disk::Missing => {
                self.ensure_parents(path, rel)?;
                let attrs = self.attrs(new);
                self.planned_dirs.insert(rel.to_string());
                self.plan.mkdirs.push((rel.to_string(), Some(attrs)));
                Ok(())
            }
            _ => Err(SystemError::FileConflict {
                path: path.to_owned(),
                reason: "a directory would replace the file there: remove the file first"
                    .to_owned(),
                hint: None,
            }),
        }
    }

    fn plan_removal(
        &mut self,
        path: &str,
        rel: &RelPath,
        full: &Path,
        old: &OldFile,
    ) -> Result<(), SystemError> {
        let old_is_dir = matches!(old.stream.kind, FileKind::Directory);
        match disk::inspect(full)? {
            Disk::Missing => {}
            Disk::Dir if old_is_dir => self.plan.rmdirs.push(rel.to_string()),
            Disk::Dir => {}
            _ if old_is_dir => {}
            on_disk => {
                if on_disk == Disk::Regular
                    && disk::digest_if_regular(full)? != old.stream.content_digest()
                {
                    self.save_local(path, full)?;
                }
                self.plan.backups.push(rel.to_string());
                self.plan.removed += 1;
            }
        }
        Ok(())
    }

    fn plan_override(&mut self, item: &Override) -> Result<(), SystemError> {
        let rel = RelPath::from_rooted(&item.path).map_err(|e| unsafe_path(&item.path, e))?;
        let full = self.full(&item.path, &rel)?;
        let on_disk = disk::inspect(&full)?;
        if on_disk == Disk::Dir {
            self.plan.notes.push(Note::new(
                Some(&item.path),
                "local contents not restored: a directory is there".to_owned(),
            ));
            return Ok(());
        }
        let replaced = self
            .plan
            .stages
            .iter()
            .find(|stage| stage.path == item.path);
        let was_staged = replaced.is_some();
        // The pristine config contents stay known to the database.
        let config = replaced.and_then(|stage| stage.config);
        self.plan.stages.retain(|stage| stage.path != item.path);
        let rel_text = rel.to_string();
        if on_disk.exists() && !self.plan.backups.contains(&rel_text) {
            self.plan.backups.push(rel_text.clone());
        } else if !was_staged && self.plan.backups.contains(&rel_text) {
            // A removal: the file comes back with its local contents.
            self.plan.removed = self.plan.removed.saturating_sub(1);
        }
        let make = Make::Regular {
            content: Content::Override(item.file.clone()),
            link_group: None,
        };
        self.stage(&item.path, &rel, make, &item.stream)?;
        if let Some(stage) = self.plan.stages.last_mut() {
            stage.config = config;
        }
        Ok(())
    }
}

/// Refuses a new path below a new file of the changeset that is not a
/// directory (a symlink could lead the write anywhere).
fn check_ancestors(path: &str, news: &BTreeMap<String, Vec<NewFile>>) -> Result<(), SystemError> {
    let mut ancestor = String::new();
    let components: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
    for component in components.iter().take(components.len().saturating_sub(1)) {
        ancestor.push('/');
        ancestor.push_str(component);
        if let Some(file) = news.get(&ancestor).and_then(|files| files.first())
            && !matches!(file.stream.kind, FileKind::Directory)
        {
            return Err(SystemError::UnsafePath {
                path: path.to_owned(),
                reason: format!(
                    "it is below '{ancestor}', which the changeset makes a {}",
                    file.stream.file_type()
                ),
            });
        }
    }
    Ok(())
}
