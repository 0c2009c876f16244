//! Reading the destdir: every entry with its kind and mode, without
//! following symlinks, and the symlink checks.

use std::collections::BTreeMap;
use std::collections::VecDeque;
use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use super::error::PolicyError;

/// The kind of a destdir entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EntryKind {
    /// A regular file; `inode` is `(device, inode)` when it has more than
    /// one link (a hard-link group candidate).
    Regular { inode: Option<(u64, u64)> },
    /// A directory, and whether it holds nothing.
    Directory { empty: bool },
    /// A symlink and its target as written.
    Symlink { target: String },
}

/// One destdir entry.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) kind: EntryKind,
    /// Permission bits (`0o7777`).
    pub(crate) mode: u32,
    /// Where it is on disk.
    pub(crate) disk: PathBuf,
}

/// Every entry below `destdir` (not the destdir itself), by absolute
/// installed path.
pub(crate) fn walk(destdir: &Path) -> Result<BTreeMap<String, Entry>, PolicyError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| PolicyError::Io { path, source }
    };
    let mut entries = BTreeMap::new();
    let mut pending = vec![(destdir.to_path_buf(), String::new())];
    while let Some((dir, installed)) = pending.pop() {
        let mut children = Vec::new();
        for child in fs::read_dir(&dir).map_err(io(&dir))? {
            let child = child.map_err(io(&dir))?;
            let name = child.file_name();
            let Some(name) = name.to_str() else {
                return Err(PolicyError::NotUtf8 {
                    path: format!("{installed}/{}", name.to_string_lossy()),
                });
            };
            children.push((name.to_owned(), child.path()));
        }
        if installed.is_empty() && children.is_empty() {
            return Err(PolicyError::NothingInstalled);
        }
        if let Some(Entry {
            kind: EntryKind::Directory { empty },
            ..
        }) = entries.get_mut(&installed)
        {
            *empty = children.is_empty();
        }
        children.sort();
        for (name, disk) in children {
            let path = format!("{installed}/{name}");
            let metadata = fs::symlink_metadata(&disk).map_err(io(&disk))?;
            let file_type = metadata.file_type();
            let kind = if file_type.is_file() {
                let inode = (metadata.nlink() > 1).then(|| (metadata.dev(), metadata.ino()));
                EntryKind::Regular { inode }
            } else if file_type.is_dir() {
                pending.push((disk.clone(), path.clone()));
                EntryKind::Directory { empty: false }
            } else if file_type.is_symlink() {
                let target = fs::read_link(&disk).map_err(io(&disk))?;
                let Some(target) = target.to_str() else {
                    return Err(PolicyError::NotUtf8 {
                        path: format!("{path} -> {}", target.to_string_lossy()),
                    });
                };
                EntryKind::Symlink {
                    target: target.to_owned(),
                }
            } else {
                let kind = if file_type.is_fifo() {
                    "fifo"
                } else if file_type.is_char_device() {
                    "character device"
                } else if file_type.is_block_device() {
                    "block device"
                } else {
                    "socket"
                };
                return Err(PolicyError::UnsupportedFile { path, kind });
            };
            let mode = metadata.mode() & 0o7777;
            entries.insert(path, Entry { kind, mode, disk });
        }
    }
    Ok(entries)
}

/// How many symlinks a resolution may cross, as Linux's `MAXSYMLINKS`.
const MAX_HOPS: u32 = 40;

/// Checks every symlink of `entries`: one whose target goes above the root
/// is refused; a relative one must lead to an entry of the destdir (an
/// absolute target, or a path through an absolute symlink, may belong to
/// another package).
pub(crate) fn check_symlinks(entries: &BTreeMap<String, Entry>) -> Result<(), PolicyError> {
    for (path, entry) in entries {
        if let EntryKind::Symlink { target } = &entry.kind {
            check_symlink(entries, path, target)?;
        }
    }
    Ok(())
}

fn check_symlink(
    entries: &BTreeMap<String, Entry>,
    path: &str,
    target: &str,
) -> Result<(), PolicyError> {
    let error = |make: fn(String, String) -> PolicyError| make(path.to_owned(), target.to_owned());
    let mut absolute = target.starts_with('/');
    let mut resolved: Vec<&str> = if absolute {
        Vec::new()
    } else {
        parent_parts(path)
    };
    let mut queue: VecDeque<&str> = target.split('/').collect();
    let mut hops = 0u32;
    while let Some(part) = queue.pop_front() {
        match part {
            "" | "." => continue,
            ".." => {
                if resolved.pop().is_none() {
                    return Err(error(|path, target| PolicyError::EscapingSymlink {
                        path,
                        target,
                    }));
                }
                continue;
            }
            _ => resolved.push(part),
        }
        let joined = format!("/{}", resolved.join("/"));
        match entries.get(&joined).map(|entry| &entry.kind) {
            None => {
                if absolute {
                    return Ok(());
                }
                return Err(error(|path, target| PolicyError::BrokenSymlink {
                    path,
                    target,
                }));
            }
            Some(EntryKind::Symlink { target: next }) if !queue.is_empty() => {
                hops += 1;
                if hops > MAX_HOPS {
                    return Err(error(|path, target| PolicyError::SymlinkLoop {
                        path,
                        target,
                    }));
                }
                resolved.pop();
                if next.starts_with('/') {
                    absolute = true;
                    resolved.clear();
                }
                for part in next.split('/').rev() {
                    queue.push_front(part);
                }
            }
            Some(EntryKind::Regular { .. }) if queue.iter().any(|part| !part.is_empty()) => {
                return Err(error(|path, target| PolicyError::BrokenSymlink {
                    path,
                    target,
                }));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// The directories of `path`'s parent, from the root.
fn parent_parts(path: &str) -> Vec<&str> {
    let parent = path.rsplit_once('/').map_or("", |(parent, _)| parent);
    parent.split('/').filter(|part| !part.is_empty()).collect()
}
