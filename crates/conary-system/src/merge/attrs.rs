//! The attribute-by-attribute three-way merge of one file.

use conary_core::files::{FileAttr, FileKind, FileStream};

/// Where the merged value of one attribute comes from.
///
/// ```rust
/// use conary_system::merge::attrs::{Side, pick};
/// assert_eq!(pick(&1, &1, &2), Side::New);
/// assert_eq!(pick(&1, &3, &1), Side::Local);
/// assert_eq!(pick(&1, &3, &3), Side::New);
/// assert_eq!(pick(&1, &3, &2), Side::Conflict);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The new value (the machine did not change it, or changed it the
    /// same way the package did).
    New,
    /// The machine's value (the package did not change it).
    Local,
    /// Both changed it, differently.
    Conflict,
}

/// The side of one attribute given its `base`, `local` and `new` values.
pub fn pick<T: PartialEq + ?Sized>(base: &T, local: &T, new: &T) -> Side {
    if local == base || local == new {
        Side::New
    } else if new == base {
        Side::Local
    } else {
        Side::Conflict
    }
}

/// What identifies a file's contents, whatever its type: the digest of a
/// regular file, the target of a symlink, the numbers of a device.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Identity {
    Regular(conary_core::digest::Digest),
    Directory,
    Symlink(String),
    Device(bool, u32, u32),
    Fifo,
    Socket,
}

fn identity(stream: &FileStream) -> Identity {
    match &stream.kind {
        FileKind::Regular { digest, .. } => Identity::Regular(*digest),
        FileKind::Directory => Identity::Directory,
        FileKind::Symlink { target } => Identity::Symlink(target.clone()),
        FileKind::CharDevice { major, minor } => Identity::Device(false, *major, *minor),
        FileKind::BlockDevice { major, minor } => Identity::Device(true, *major, *minor),
        FileKind::Fifo => Identity::Fifo,
        FileKind::Socket => Identity::Socket,
    }
}

/// The merge of one file's attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamMerge {
    /// Where the file itself (its type and, for anything but a regular
    /// file, what it is: symlink target, device numbers) comes from. For
    /// three regular files this is decided by the contents rules instead
    /// (see [`StreamMerge::all_regular`]).
    pub body: Side,
    /// True when base, local and new are all regular files: their contents
    /// follow the config / transient / initialContents rules.
    pub all_regular: bool,
    /// The permission bits.
    pub mode: Side,
    /// The owner.
    pub owner: Side,
    /// The group.
    pub group: Side,
    /// The modification time (never a conflict: the new one wins).
    pub mtime: Side,
    /// The new stream with the machine's mode, owner, group and mtime
    /// wherever those are kept (conflicts take the new value).
    pub merged: FileStream,
}

impl StreamMerge {
    /// The attributes both sides changed differently (mtime never counts;
    /// owners only when `owners`).
    pub fn conflicts(&self) -> Vec<FileAttr> {
        let mut conflicts = Vec::new();
        if self.keeps_local() {
            return conflicts;
        }
        if self.body == Side::Conflict && !self.all_regular {
            conflicts.push(FileAttr::Type);
        }
        for (side, attr) in [
            (self.mode, FileAttr::Mode),
            (self.owner, FileAttr::Owner),
            (self.group, FileAttr::Group),
        ] {
            if side == Side::Conflict {
                conflicts.push(attr);
            }
        }
        conflicts
    }

    /// True when the machine's file is kept as it is: the machine changed
    /// what it is (its type, symlink target or device numbers) and the
    /// package did not; its attributes stay the machine's too.
    pub fn keeps_local(&self) -> bool {
        self.body == Side::Local && !self.all_regular
    }
}

/// Merges `base` (installed pristine), `local` (on disk) and `new`
/// attribute by attribute. `owners`: compare owners and groups (only
/// meaningful when running as root: otherwise the disk's owners say
/// nothing about the administrator and the new ones are taken).
///
/// ```rust
/// use conary_core::files::{FileKind, FileStream, Mode};
/// use conary_core::digest::Digest;
/// use conary_system::merge::attrs::{Side, merge_stream};
/// let file = |mode, text: &[u8]| FileStream::new(
///     FileKind::Regular { size: 1, digest: Digest::of(text), link_group: None },
///     Mode::new(mode).expect("mode"), "root", "root");
/// let merge = merge_stream(&file(0o644, b"a"), &file(0o600, b"a"), &file(0o644, b"b"), true);
/// assert_eq!(merge.mode, Side::Local);
/// assert_eq!(merge.merged.mode.bits(), 0o600);
/// assert!(merge.conflicts().is_empty());
/// ```
pub fn merge_stream(
    base: &FileStream,
    local: &FileStream,
    new: &FileStream,
    owners: bool,
) -> StreamMerge {
    let all_regular = [base, local, new]
        .iter()
        .all(|stream| matches!(stream.kind, FileKind::Regular { .. }));
    let body = pick(&identity(base), &identity(local), &identity(new));
    let symlink = |stream: &FileStream| matches!(stream.kind, FileKind::Symlink { .. });
    // A symlink has no mode of its own; a file whose type changed on one
    // side takes the attributes of that side.
    let mode = if symlink(base) || symlink(local) || symlink(new) {
        Side::New
    } else {
        pick(&base.mode, &local.mode, &new.mode)
    };
    let (owner, group) = if owners {
        (
            pick(&base.owner, &local.owner, &new.owner),
            pick(&base.group, &local.group, &new.group),
        )
    } else {
        (Side::New, Side::New)
    };
    let mtime = match pick(&base.mtime, &local.mtime, &new.mtime) {
        Side::Conflict => Side::New,
        side => side,
    };
    let mut merged = new.clone();
    if mode == Side::Local {
        merged.mode = local.mode;
    }
    if owner == Side::Local {
        merged.owner.clone_from(&local.owner);
    }
    if group == Side::Local {
        merged.group.clone_from(&local.group);
    }
    if mtime == Side::Local {
        merged.mtime = local.mtime;
    }
    StreamMerge {
        body,
        all_regular,
        mode,
        owner,
        group,
        mtime,
        merged,
    }
}
