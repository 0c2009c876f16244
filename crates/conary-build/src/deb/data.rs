//! Walking `data.tar`: each tar entry is checked, turned into a [`DebEntry`]
//! and handed to the visitor with a reader of its contents.
//!
//! Checks, in order: the entry count limit; the path (see
//! [`normalize_path`]); duplicates; the entry type; header fields; the size
//! limit; for a hard link, that its target is an earlier regular file.

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::rc::Rc;

use tar::EntryType;

use super::ar::ArReader;
use super::compression::Compression;
use super::entry::{DebEntry, DebEntryKind, DebOwner, normalize_path};
use super::error::{DebError, escape};
use super::reader::{DebLimits, with_tar_member};
use super::stream::{ExactEntry, StreamState};

/// The caller's visitor, wrapped so its type can be named.
pub(crate) struct DataVisitor<F> {
    visit: F,
}

impl<F> DataVisitor<F> {
    pub(crate) fn new(visit: F) -> Self {
        DataVisitor { visit }
    }
}

/// Counts of one walk.
#[derive(Debug, Default)]
pub(crate) struct DataCounts {
    pub(crate) entries: u64,
    pub(crate) regular_bytes: u64,
}

/// Streams the current `ar` member as `data.tar` to the visitor.
pub(crate) fn read_data_tar<R, E, F>(
    ar: &mut ArReader<R>,
    member: &str,
    compression: Compression,
    limits: &DebLimits,
    visitor: DataVisitor<F>,
) -> Result<DataCounts, E>
where
    R: Read,
    E: From<DebError>,
    F: FnMut(&DebEntry, &mut dyn Read) -> Result<(), E>,
{
    let mut visit = visitor.visit;
    with_tar_member(ar, member, compression, limits, |archive, state| {
        // Path → whether it is a regular file (a valid hard link target).
        let mut seen: BTreeMap<String, bool> = BTreeMap::new();
        let mut counts = DataCounts::default();
        state.set_budget("tar headers of one entry", limits.max_header_size);
        let entries = archive
            .entries()
            .map_err(|err| state.classify(member, err))?;
        for entry in entries {
            let mut entry = entry.map_err(|err| state.classify(member, err))?;
            state.unlimited();
            if entry.header().entry_type() == EntryType::XGlobalHeader {
                skip_global_header(&mut entry, member, limits, state)?;
                state.set_budget("tar headers of one entry", limits.max_header_size);
                continue;
            }
            counts.entries = counts.entries.saturating_add(1);
            if counts.entries > limits.max_entries {
                return Err(DebError::LimitExceeded {
                    member: member.to_owned(),
                    what: "number of entries",
                    limit: limits.max_entries,
                }
                .into());
            }
            let deb_entry = convert(&mut entry, member, limits, &seen)?;
            seen.insert(deb_entry.path.clone(), deb_entry.is_regular());
            counts.regular_bytes = counts.regular_bytes.saturating_add(deb_entry.size);
            let mut contents = ExactEntry::new(&mut entry, deb_entry.size, Rc::clone(state));
            if let Err(err) = visit(&deb_entry, &mut contents) {
                // A failure of the package stream wins over what the visitor made of it.
                return Err(match state.take_first_error() {
                    Some(stream_error) => state.classify(member, stream_error).into(),
                    None => err,
                });
            }
            contents
                .drain()
                .map_err(|err| state.classify(member, err))?;
            // Data of non-regular entries (some writers give hard links a size).
            io::copy(&mut entry, &mut io::sink()).map_err(|err| state.classify(member, err))?;
            state.set_budget("tar headers of one entry", limits.max_header_size);
        }
        Ok(counts)
    })
}

fn skip_global_header<R: Read>(
    entry: &mut tar::Entry<'_, R>,
    member: &str,
    limits: &DebLimits,
    state: &Rc<StreamState>,
) -> Result<(), DebError> {
    if entry.size() > limits.max_header_size {
        return Err(DebError::LimitExceeded {
            member: member.to_owned(),
            what: "pax global header",
            limit: limits.max_header_size,
        });
    }
    io::copy(entry, &mut io::sink()).map_err(|err| state.classify(member, err))?;
    Ok(())
}

/// Checks one tar entry and describes it as a [`DebEntry`].
fn convert<R: Read>(
    entry: &mut tar::Entry<'_, R>,
    member: &str,
    limits: &DebLimits,
    seen: &BTreeMap<String, bool>,
) -> Result<DebEntry, DebError> {
    let raw_path = entry.path_bytes().into_owned();
    let path =
        normalize_path(&raw_path, limits.max_path_len).map_err(|reason| DebError::UnsafePath {
            member: member.to_owned(),
            path: escape(&raw_path),
            reason,
        })?;
    if seen.contains_key(&path) {
        return Err(DebError::DuplicatePath {
            member: member.to_owned(),
            path,
        });
    }
    let field_error = |field: &'static str, reason: String| DebError::BadEntryField {
        member: member.to_owned(),
        path: path.clone(),
        field,
        reason,
    };
    let header = entry.header();
    let entry_type = header.entry_type();
    let kind = match entry_type {
        EntryType::Regular | EntryType::Continuous => DebEntryKind::Regular,
        EntryType::Directory => DebEntryKind::Directory,
        EntryType::Fifo => DebEntryKind::Fifo,
        EntryType::Symlink => {
            let target = entry.link_name_bytes().unwrap_or_default();
            DebEntryKind::Symlink {
                target: symlink_target(&target, limits)
                    .map_err(|reason| field_error("symlink target", reason.to_owned()))?,
            }
        }
        EntryType::Link => {
            let raw_target = entry.link_name_bytes().unwrap_or_default().into_owned();
            let target = normalize_path(&raw_target, limits.max_path_len).map_err(|reason| {
                DebError::UnsafePath {
                    member: member.to_owned(),
                    path: escape(&raw_target),
                    reason,
                }
            })?;
            if seen.get(&target) != Some(&true) {
                return Err(DebError::BadHardlink {
                    member: member.to_owned(),
                    path,
                    target: escape(&raw_target),
                });
            }
            DebEntryKind::Hardlink { target }
        }
        EntryType::Char | EntryType::Block => {
            let device = |number: io::Result<Option<u32>>| {
                number
                    .map_err(|err| field_error("device numbers", err.to_string()))?
                    .ok_or_else(|| field_error("device numbers", "missing".to_owned()))
            };
            let major = device(header.device_major())?;
            let minor = device(header.device_minor())?;
            if entry_type == EntryType::Char {
                DebEntryKind::CharDevice { major, minor }
            } else {
                DebEntryKind::BlockDevice { major, minor }
            }
        }
        other => {
            return Err(DebError::UnsupportedEntry {
                member: member.to_owned(),
                path,
                kind: escape(&[other.as_byte()]),
            });
        }
    };
    let mode = header
        .mode()
        .map_err(|err| field_error("mode", err.to_string()))?
        & 0o7777;
    let uid = header
        .uid()
        .map_err(|err| field_error("uid", err.to_string()))?;
    let gid = header
        .gid()
        .map_err(|err| field_error("gid", err.to_string()))?;
    let mtime = header
        .mtime()
        .map_err(|err| field_error("mtime", err.to_string()))?;
    let owner_name =
        account_name(header.username_bytes()).map_err(|reason| field_error("owner", reason))?;
    let group_name =
        account_name(header.groupname_bytes()).map_err(|reason| field_error("group", reason))?;
    let declared_size = entry.size();
    if declared_size > limits.max_entry_size {
        return Err(DebError::LimitExceeded {
            member: format!("{member} '{path}'"),
            what: "file size",
            limit: limits.max_entry_size,
        });
    }
    let size = if kind == DebEntryKind::Regular {
        declared_size
    } else {
        0
    };
    Ok(DebEntry {
        path,
        kind,
        mode,
        owner: DebOwner {
            name: owner_name,
            id: uid,
        },
        group: DebOwner {
            name: group_name,
            id: gid,
        },
        mtime,
        size,
    })
}

fn symlink_target(raw: &[u8], limits: &DebLimits) -> Result<String, &'static str> {
    if raw.is_empty() {
        return Err("empty");
    }
    if raw.len() > limits.max_path_len {
        return Err("too long");
    }
    if raw.contains(&0) || raw.contains(&b'\n') {
        return Err("contains NUL or a newline");
    }
    std::str::from_utf8(raw)
        .map(str::to_owned)
        .map_err(|_| "not valid UTF-8")
}

/// A user or group name from a tar header: `None` when absent or empty.
fn account_name(raw: Option<&[u8]>) -> Result<Option<String>, String> {
    let Some(raw) = raw.filter(|raw| !raw.is_empty()) else {
        return Ok(None);
    };
    let name =
        std::str::from_utf8(raw).map_err(|_| format!("'{}' is not valid UTF-8", escape(raw)))?;
    if name
        .chars()
        .any(|character| character.is_control() || character == ':' || character == '/')
    {
        return Err(format!("'{}' is not a valid name", escape(raw)));
    }
    Ok(Some(name.to_owned()))
}
