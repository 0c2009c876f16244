//! Staging: every new file written under its temporary name beside its
//! target, with its attributes, contents streamed from the changeset (or
//! copied from the machine, checked against their digest).

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::os::unix::fs::{MetadataExt as _, OpenOptionsExt as _, symlink};
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use conary_changeset::{ChangeSetReader, PayloadId};
use conary_core::digest::{Digest, Hasher};
use rustix::fs::{CWD, FileType, Mode as RawMode, makedev, mknodat};

use super::Progress;
use super::attrs::{Attrs, set_attrs};
use super::content::{Contents, Origin};
use super::disk;
use super::paths::Joiner;
use super::plan::{Content, FilePlan, Make, StageOp};
use super::writers::{self, Job, Pool};
use crate::crash;
use crate::error::SystemError;

/// `rename` across file systems.
const EXDEV: i32 = 18;

/// The largest config file whose contents are kept in the database.
const MAX_CONFIG: u64 = 16 << 20;

/// Contents above this size stream from the changeset to their file
/// instead of through memory.
const STREAM_ABOVE: u64 = 1 << 20;

/// The new contents of a regular file, however they are at hand.
enum Head<'b> {
    /// In memory (shareable with a writer thread).
    Shared(&'b Arc<Vec<u8>>),
    /// A payload being read (verified at its end).
    Reader(&'b mut dyn Read),
    /// A file already staged with them.
    File(&'b Path),
    /// A downloaded file with them, to move into place (checked there).
    Download(&'b Path),
}

/// What staging leaves for the commit.
#[derive(Debug, Default)]
pub(crate) struct Staged {
    /// Pristine contents of new config files, for the database.
    pub config: BTreeMap<Digest, Vec<u8>>,
    /// One directory per file system written to, to sync.
    pub sync_dirs: BTreeMap<u64, PathBuf>,
}

/// Writes the staged files of `plan` under the names `temps` (one per
/// stage, full paths).
pub(crate) struct Stager<'a> {
    pub root: &'a Joiner,
    pub plan: &'a FilePlan,
    pub temps: &'a [PathBuf],
    pub contents: &'a Contents,
    pub privileged: bool,
    progress: &'a dyn Progress,
    staged: Staged,
    links: BTreeMap<(Digest, Digest), PathBuf>,
    /// Directories already looked at for [`Staged::sync_dirs`].
    noted: BTreeSet<PathBuf>,
    /// Config files whose merge conflicted (each left a `.conflicts`).
    conflicts: std::cell::RefCell<Vec<String>>,
    /// The writer threads' queue, while [`Stager::stage_all`] runs.
    pool: Option<Arc<Pool>>,
}

/// Creates the temporary file `path`, which must not exist, readable by
/// its owner only until its attributes are set.
pub(crate) fn create_temp(path: &Path) -> Result<File, SystemError> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(SystemError::io_with("create", path))
}

/// Copies `from` to `out`, checking the copy against `digest` when given.
fn copy_checked(
    from: impl Read,
    out: &mut dyn Write,
    digest: Option<&Digest>,
    what: &Path,
) -> Result<(), SystemError> {
    disk::with_buffer(|buffer| copy_through(from, out, digest, what, buffer))
}

fn copy_through(
    mut from: impl Read,
    out: &mut dyn Write,
    digest: Option<&Digest>,
    what: &Path,
    buffer: &mut [u8],
) -> Result<(), SystemError> {
    let mut hasher = Hasher::new();
    loop {
        let read = from
            .read(buffer)
            .map_err(SystemError::io_with("read", what))?;
        let Some(chunk) = buffer.get(..read).filter(|chunk| !chunk.is_empty()) else {
            break;
        };
        hasher.update(chunk);
        out.write_all(chunk)
            .map_err(SystemError::io_with("write a copy of", what))?;
    }
    if let Some(digest) = digest
        && hasher.finalize() != *digest
    {
        return Err(SystemError::ContentsUnavailable {
            digest: *digest,
            path: what.display().to_string(),
            reason: "the file changed since it was checked".to_owned(),
        });
    }
    Ok(())
}

impl<'a> Stager<'a> {
    pub(crate) fn new(
        root: &'a Joiner,
        plan: &'a FilePlan,
        temps: &'a [PathBuf],
        contents: &'a Contents,
        privileged: bool,
        progress: &'a dyn Progress,
    ) -> Stager<'a> {
        Stager {
            root,
            plan,
            temps,
            contents,
            privileged,
            progress,
            staged: Staged::default(),
            links: BTreeMap::new(),
            noted: BTreeSet::new(),
            conflicts: std::cell::RefCell::new(Vec::new()),
            pool: None,
        }
    }

    fn note_dir(&mut self, path: &Path) {
        if let Some(parent) = path.parent()
            && !self.noted.contains(parent)
            && self.noted.insert(parent.to_path_buf())
            && let Ok(metadata) = fs::metadata(parent)
        {
            self.staged
                .sync_dirs
                .entry(metadata.dev())
                .or_insert_with(|| parent.to_path_buf());
        }
    }

    /// Creates the planned directories.
    pub(crate) fn make_dirs(&mut self) -> Result<(), SystemError> {
        for (rel, attrs) in &self.plan.mkdirs {
            let full = self.root.join(rel)?;
            match fs::create_dir(&full) {
                Ok(()) => {}
                Err(error) if error.kind() == io::ErrorKind::AlreadyExists && full.is_dir() => {}
                Err(error) => return Err(SystemError::io("create directory", &full, error)),
            }
            let default = Attrs {
                mode: Some(0o755),
                uid: None,
                gid: None,
                mtime: None,
            };
            set_attrs(&full, attrs.as_ref().unwrap_or(&default), self.privileged)?;
            self.note_dir(&full);
            crash::point("mkdir");
        }
        Ok(())
    }

    /// Writes every staged file: those that need no payload first, then
    /// each payload in changeset order. Returns what the commit needs.
    ///
    /// Files whose contents are in memory, and symlinks, are made by
    /// writer threads ([`writers`]) while this thread reads on; all are
    /// written when this returns.
    pub(crate) fn stage_all<R: Read>(
        mut self,
        reader: &mut ChangeSetReader<R>,
    ) -> Result<Staged, SystemError> {
        let pool = Arc::new(Pool::new(self.privileged));
        let result = std::thread::scope(|scope| {
            // Closes the queue however this closure ends (a panic too), so
            // the writers return and the scope can join them.
            let _close = writers::CloseOnDrop(&pool);
            let started = (0..writers::WRITERS)
                .filter(|_| {
                    std::thread::Builder::new()
                        .spawn_scoped(scope, || pool.work())
                        .is_ok()
                })
                .count();
            // Without a writer (no thread could start), this thread
            // writes every file itself.
            if started > 0 {
                self.pool = Some(Arc::clone(&pool));
            }
            self.stage_in_order(reader)
        });
        // A writer's error explains the staging thread's stop.
        match pool.take_error() {
            Some(error) => Err(error),
            None => result,
        }
    }

    fn stage_in_order<R: Read>(
        mut self,
        reader: &mut ChangeSetReader<R>,
    ) -> Result<Staged, SystemError> {
        self.make_dirs()?;
        let mut by_digest: BTreeMap<Digest, Vec<usize>> = BTreeMap::new();
        for (index, stage) in self.plan.stages.iter().enumerate() {
            match &stage.make {
                Make::Regular {
                    content: Content::Digest(digest) | Content::Merge { head: digest, .. },
                    ..
                } => by_digest.entry(*digest).or_default().push(index),
                _ => self.stage_one(index, None)?,
            }
        }
        let mut done = BTreeSet::new();
        // Pristine config contents of files staged with the machine's own
        // contents (a rollback's saved copy, or the disk's): kept for the
        // database all the same.
        let override_configs = crate::merge::hooks::override_configs(&self.plan.stages);
        while let Some(id) = reader.peek_payload() {
            let wanted = match id {
                PayloadId::Contents(digest) => by_digest
                    .get(&digest)
                    .filter(|_| self.contents.origins.get(&digest) == Some(&Origin::Payload)),
                PayloadId::TextDiff(_) => None,
            };
            if let (PayloadId::Contents(digest), None) = (id, wanted)
                && override_configs.contains(&digest)
                && let Some(mut payload) = reader.next_payload(&self.contents.bases)?
            {
                if payload.size() <= MAX_CONFIG {
                    let bytes = payload.read_to_vec()?;
                    self.staged.config.insert(digest, bytes);
                }
                continue;
            }
            let (PayloadId::Contents(digest), Some(indexes)) = (id, wanted) else {
                reader.skip_payload()?;
                continue;
            };
            let mut payload = reader
                .next_payload(&self.contents.bases)?
                .ok_or_else(|| SystemError::job("a payload vanished while reading"))?;
            if self.needs_bytes(&digest, indexes) || payload.size() <= STREAM_ABOVE {
                let bytes = payload.read_to_vec()?;
                drop(payload);
                self.stage_group(&digest, indexes, Arc::new(bytes))?;
            } else if let Some((first, rest)) = indexes.split_first() {
                // Large contents stream into the first file, verified at
                // their end; the other paths copy that file.
                self.stage_one(*first, Some(Head::Reader(&mut payload)))?;
                drop(payload);
                let written = self.temp(*first)?.clone();
                for index in rest {
                    self.stage_one(*index, Some(Head::File(&written)))?;
                }
            }
            done.insert(digest);
        }
        for (digest, indexes) in &by_digest {
            if done.contains(digest) {
                continue;
            }
            if let Some(Origin::Download(path)) = self.contents.origins.get(digest)
                && !self.needs_bytes(digest, indexes)
                && let Some((first, rest)) = indexes.split_first()
            {
                // Moved into the first path, copied to the others: the
                // download is written once.
                self.stage_one(*first, Some(Head::Download(path)))?;
                let written = self.temp(*first)?.clone();
                for index in rest {
                    self.stage_one(*index, Some(Head::File(&written)))?;
                }
                continue;
            }
            let bytes = match self.contents.origins.get(digest) {
                Some(Origin::Config) => self.contents.bytes.get(digest).cloned(),
                Some(Origin::File(path) | Origin::Download(path)) => {
                    let file = File::open(path).map_err(SystemError::io_with("open", path))?;
                    let mut bytes = Vec::new();
                    copy_checked(BufReader::new(file), &mut bytes, Some(digest), path)?;
                    Some(bytes)
                }
                _ => None,
            };
            let Some(bytes) = bytes else {
                let path = indexes
                    .first()
                    .and_then(|index| self.plan.stages.get(*index))
                    .map_or_else(String::new, |stage| stage.path.clone());
                return Err(SystemError::ContentsUnavailable {
                    digest: *digest,
                    path,
                    reason: "the changeset does not carry them".to_owned(),
                });
            };
            self.stage_group(digest, indexes, Arc::new(bytes))?;
        }
        if let Some(error) = crate::merge::hooks::conflicts_error(&self.conflicts.borrow()) {
            return Err(error);
        }
        Ok(self.staged)
    }

    /// True when the contents `digest` are needed in memory: kept as
    /// config contents, or merged.
    fn needs_bytes(&self, digest: &Digest, indexes: &[usize]) -> bool {
        indexes.iter().any(|index| {
            self.plan.stages.get(*index).is_some_and(|stage| {
                stage.config == Some(*digest)
                    || matches!(
                        stage.make,
                        Make::Regular {
                            content: Content::Merge { .. },
                            ..
                        }
                    )
            })
        })
    }

    fn stage_group(
        &mut self,
        digest: &Digest,
        indexes: &[usize],
        bytes: Arc<Vec<u8>>,
    ) -> Result<(), SystemError> {
        let config = self
            .plan
            .stages
            .iter()
            .any(|stage| stage.config == Some(*digest));
        if config && bytes.len() as u64 <= MAX_CONFIG {
            self.staged.config.insert(*digest, bytes.to_vec());
        }
        for index in indexes {
            self.stage_one(*index, Some(Head::Shared(&bytes)))?;
        }
        Ok(())
    }

    fn temp(&self, index: usize) -> Result<&PathBuf, SystemError> {
        self.temps
            .get(index)
            .ok_or_else(|| SystemError::job("a staged file has no temporary name"))
    }

    /// Writes stage `index`; `head` holds the new contents of a regular
    /// file taken from a digest.
    fn stage_one(&mut self, index: usize, head: Option<Head<'_>>) -> Result<(), SystemError> {
        let stage: &StageOp = self
            .plan
            .stages
            .get(index)
            .ok_or_else(|| SystemError::job("a staged file is missing"))?;
        let temp = self.temp(index)?.clone();
        if let Some(pool) = &self.pool
            && let Some(make) = writer_make(&stage.make, head.as_ref())
        {
            // Made by a writer thread; everything else stays here.
            let bytes = match &make {
                writers::Make::Regular(contents) => contents.len() as u64,
                writers::Make::Symlink(_) => 0,
            };
            let job = Job {
                temp: temp.clone(),
                make,
                attrs: stage.attrs.clone(),
            };
            if !pool.submit(job) {
                return Err(SystemError::job("a writer thread failed"));
            }
            self.note_dir(&temp);
            self.progress.file_staged(&stage.path, bytes);
            crash::point("stage");
            return Ok(());
        }
        let mut bytes = 0;
        match &stage.make {
            Make::Regular {
                content,
                link_group,
            } => {
                let key = match (link_group, content) {
                    (Some(group), Content::Digest(digest)) => Some((*group, *digest)),
                    _ => None,
                };
                if let Some(first) = key.and_then(|key| self.links.get(&key))
                    && fs::hard_link(first, &temp).is_ok()
                {
                    // Same inode as the first path of its link group.
                    bytes = fs::symlink_metadata(&temp).map_or(0, |m| m.len());
                } else {
                    bytes = self.write_regular(stage, content, head, &temp)?;
                    if let Some(key) = key {
                        self.links.insert(key, temp.clone());
                    }
                }
            }
            Make::Symlink(target) => {
                symlink(target, &temp).map_err(SystemError::io_with("create symlink", &temp))?;
            }
            Make::Fifo => mknodat(CWD, &temp, FileType::Fifo, RawMode::from_raw_mode(0o600), 0)
                .map_err(|errno| SystemError::io("create fifo", &temp, errno.into()))?,
            Make::Socket => {
                let listener = UnixListener::bind(&temp)
                    .map_err(SystemError::io_with("create socket", &temp))?;
                drop(listener);
            }
            Make::Device {
                block,
                major,
                minor,
            } => {
                let kind = if *block {
                    FileType::BlockDevice
                } else {
                    FileType::CharacterDevice
                };
                mknodat(
                    CWD,
                    &temp,
                    kind,
                    RawMode::from_raw_mode(0o600),
                    makedev(*major, *minor),
                )
                .map_err(|errno| SystemError::io("create device", &temp, errno.into()))?;
            }
        }
        set_attrs(&temp, &stage.attrs, self.privileged)?;
        self.note_dir(&temp);
        self.progress.file_staged(&stage.path, bytes);
        crash::point("stage");
        Ok(())
    }

    fn write_regular(
        &self,
        stage: &StageOp,
        content: &Content,
        head: Option<Head<'_>>,
        temp: &Path,
    ) -> Result<u64, SystemError> {
        if let (Content::Digest(digest), Some(Head::Download(path))) = (content, &head) {
            match fs::rename(path, temp) {
                Ok(()) => {
                    let (found, size) = disk::hash_file(temp)?;
                    if found != *digest {
                        return Err(SystemError::ContentsUnavailable {
                            digest: *digest,
                            path: stage.path.clone(),
                            reason: "the downloaded file changed since it was checked".to_owned(),
                        });
                    }
                    return Ok(size);
                }
                // Another file system: copied below.
                Err(error) if error.raw_os_error() == Some(EXDEV) => {}
                Err(error) => return Err(SystemError::io("move into place", path, error)),
            }
        }
        let file = create_temp(temp)?;
        let mut out = Counted {
            out: BufWriter::new(file),
            count: 0,
        };
        // The path itself, read for local contents (kept or merged).
        let target = || self.root.join(&stage.rel);
        match content {
            Content::Digest(digest) => match head {
                Some(Head::Shared(bytes)) => {
                    out.write_all(bytes)
                        .map_err(SystemError::io_with("write", temp))?;
                }
                Some(Head::Reader(reader)) => copy_checked(reader, &mut out, None, temp)?,
                Some(Head::File(path)) => {
                    let from = File::open(path).map_err(SystemError::io_with("open", path))?;
                    copy_checked(BufReader::new(from), &mut out, None, path)?;
                }
                Some(Head::Download(path)) => {
                    let from = File::open(path).map_err(SystemError::io_with("open", path))?;
                    copy_checked(BufReader::new(from), &mut out, Some(digest), path)?;
                }
                None => return Err(SystemError::job("contents missing while staging")),
            },
            Content::KeepDisk => {
                let target = target()?;
                let from = File::open(&target).map_err(SystemError::io_with("open", &target))?;
                copy_checked(BufReader::new(from), &mut out, None, &target)?;
            }
            Content::Override(saved) => {
                let from = File::open(saved).map_err(SystemError::io_with("open", saved))?;
                copy_checked(BufReader::new(from), &mut out, None, saved)?;
            }
            Content::Merge { base, .. } => {
                let Some(Head::Shared(head)) = head else {
                    return Err(SystemError::job("contents missing while merging"));
                };
                let base = self
                    .contents
                    .bytes
                    .get(base)
                    .ok_or_else(|| SystemError::job("merge base missing"))?;
                let target = target()?;
                let local = fs::read(&target).map_err(SystemError::io_with("read", &target))?;
                let merged =
                    crate::merge::hooks::merge_config(&stage.path, &target, base, &local, head)?;
                let merged = merged.unwrap_or_else(|| {
                    // Staged as it is; the transaction fails after staging.
                    self.conflicts.borrow_mut().push(stage.path.clone());
                    local.clone()
                });
                out.write_all(&merged)
                    .map_err(SystemError::io_with("write", temp))?;
            }
        }
        out.flush().map_err(SystemError::io_with("write", temp))?;
        Ok(out.count)
    }
}

/// What a writer thread can make of `make` with `head`: a regular file
/// of contents in memory outside any hard-link group (a link must find
/// its first file written), or a symlink.
fn writer_make(make: &Make, head: Option<&Head<'_>>) -> Option<writers::Make> {
    match (make, head) {
        (
            Make::Regular {
                content: Content::Digest(_),
                link_group: None,
            },
            Some(Head::Shared(contents)),
        ) => Some(writers::Make::Regular(Arc::clone(contents))),
        (Make::Symlink(target), _) => Some(writers::Make::Symlink(target.clone())),
        _ => None,
    }
}

/// A writer that counts the bytes written through it.
struct Counted<W> {
    out: W,
    count: u64,
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.out.write(buf)?;
        self.count = self.count.saturating_add(written as u64);
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
