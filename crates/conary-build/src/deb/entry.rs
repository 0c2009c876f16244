//! One entry of a package's `data.tar`: its normalized path, type, mode,
//! owner, group, mtime and size.

use std::fmt;

/// The type of a data entry, with what each type carries.
///
/// ```rust
/// use conary_build::deb::DebEntryKind;
/// assert_eq!(DebEntryKind::Symlink { target: "../x".into() }.to_string(), "symlink");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum DebEntryKind {
    /// A regular file; its contents are streamed to the visitor.
    Regular,
    /// A directory.
    Directory,
    /// A symbolic link and its target, kept exactly as written (it may be
    /// absolute or relative; it is never followed here).
    Symlink {
        /// The link target.
        target: String,
    },
    /// A hard link to an earlier regular file of the package.
    Hardlink {
        /// The normalized absolute path of the earlier file.
        target: String,
    },
    /// A character device.
    CharDevice {
        /// Major device number.
        major: u32,
        /// Minor device number.
        minor: u32,
    },
    /// A block device.
    BlockDevice {
        /// Major device number.
        major: u32,
        /// Minor device number.
        minor: u32,
    },
    /// A named pipe.
    Fifo,
}

impl fmt::Display for DebEntryKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            DebEntryKind::Regular => "regular",
            DebEntryKind::Directory => "directory",
            DebEntryKind::Symlink { .. } => "symlink",
            DebEntryKind::Hardlink { .. } => "hardlink",
            DebEntryKind::CharDevice { .. } => "char-device",
            DebEntryKind::BlockDevice { .. } => "block-device",
            DebEntryKind::Fifo => "fifo",
        })
    }
}

/// An owner or group: the name from the tar header when there is one, and
/// the numeric id, used when there is no name.
///
/// ```rust
/// use conary_build::deb::DebOwner;
/// assert_eq!(DebOwner { name: Some("root".into()), id: 0 }.to_string(), "root");
/// assert_eq!(DebOwner { name: None, id: 33 }.to_string(), "33");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DebOwner {
    /// The user or group name, if the archive records one.
    pub name: Option<String>,
    /// The numeric uid or gid.
    pub id: u64,
}

impl fmt::Display for DebOwner {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => formatter.write_str(name),
            None => write!(formatter, "{}", self.id),
        }
    }
}

/// One entry of the data archive.
///
/// ```rust
/// use conary_build::deb::{DebEntry, DebEntryKind, DebOwner};
/// let root = DebOwner { name: Some("root".into()), id: 0 };
/// let entry = DebEntry { path: "/usr/bin/sudo".into(), kind: DebEntryKind::Regular, mode: 0o4755,
///     owner: root.clone(), group: root, mtime: 0, size: 10 };
/// assert_eq!(entry.to_string(), "-rwsr-xr-x root/root 10 /usr/bin/sudo");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DebEntry {
    /// The normalized absolute path: `./etc/x` becomes `/etc/x`, the archive
    /// root `./` becomes `/`; never holds `..`, `.`, `//`, NUL or a newline.
    pub path: String,
    /// The entry type.
    pub kind: DebEntryKind,
    /// Permission bits, setuid (`0o4000`), setgid (`0o2000`) and sticky
    /// (`0o1000`) included; the file type bits are removed.
    pub mode: u32,
    /// The owner.
    pub owner: DebOwner,
    /// The group.
    pub group: DebOwner,
    /// Modification time, seconds since the epoch.
    pub mtime: u64,
    /// Size of the contents in bytes (0 for anything but a regular file).
    pub size: u64,
}

impl DebEntry {
    /// Whether the entry has contents to read.
    pub fn is_regular(&self) -> bool {
        self.kind == DebEntryKind::Regular
    }
}

impl fmt::Display for DebEntry {
    /// One `ls -l`-like line: mode string, `owner/group`, size, path, and
    /// `-> target` for links.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let type_char = match self.kind {
            DebEntryKind::Regular | DebEntryKind::Hardlink { .. } => '-',
            DebEntryKind::Directory => 'd',
            DebEntryKind::Symlink { .. } => 'l',
            DebEntryKind::CharDevice { .. } => 'c',
            DebEntryKind::BlockDevice { .. } => 'b',
            DebEntryKind::Fifo => 'p',
        };
        write!(
            formatter,
            "{type_char}{} {}/{} {} {}",
            mode_string(self.mode),
            self.owner,
            self.group,
            self.size,
            self.path
        )?;
        match &self.kind {
            DebEntryKind::Symlink { target } => write!(formatter, " -> {target}"),
            DebEntryKind::Hardlink { target } => write!(formatter, " link to {target}"),
            _ => Ok(()),
        }
    }
}

/// `rwxr-xr-x` with `s`/`S` and `t`/`T` for the special bits.
fn mode_string(mode: u32) -> String {
    let mut out = String::with_capacity(9);
    let special = [(0o4000, 6), (0o2000, 3), (0o1000, 0)];
    for shift in [6u32, 3, 0] {
        let bits = (mode >> shift) & 0o7;
        out.push(if bits & 0o4 != 0 { 'r' } else { '-' });
        out.push(if bits & 0o2 != 0 { 'w' } else { '-' });
        let special_set = special
            .iter()
            .any(|(bit, special_shift)| *special_shift == shift && mode & bit != 0);
        let execute = bits & 0o1 != 0;
        out.push(match (special_set, execute, shift) {
            (true, true, 0) => 't',
            (true, false, 0) => 'T',
            (true, true, _) => 's',
            (true, false, _) => 'S',
            (false, true, _) => 'x',
            (false, false, _) => '-',
        });
    }
    out
}

/// Normalizes a path from a tar header to an absolute path.
///
/// Leading `./`, repeated `/` and `.` components are dropped and a trailing
/// `/` is removed. Refused, with the reason: an absolute path (a `.deb` lists
/// `./etc/x`, never `/etc/x`), `..` components, NUL or newline, invalid
/// UTF-8, an empty path, a path longer than `max_len` bytes or with a
/// component over 255 bytes.
pub(crate) fn normalize_path(raw: &[u8], max_len: usize) -> Result<String, &'static str> {
    if raw.is_empty() {
        return Err("empty path");
    }
    if raw.len() > max_len {
        return Err("path is too long");
    }
    if raw.contains(&0) {
        return Err("path contains NUL");
    }
    if raw.contains(&b'\n') {
        return Err("path contains a newline");
    }
    if raw.first() == Some(&b'/') {
        return Err("absolute path in archive");
    }
    let text = std::str::from_utf8(raw).map_err(|_| "path is not valid UTF-8")?;
    let mut normalized = String::with_capacity(text.len().saturating_add(1));
    for component in text.split('/') {
        match component {
            "" | "." => {}
            ".." => return Err("path contains '..'"),
            name if name.len() > 255 => return Err("path component is too long"),
            name => {
                normalized.push('/');
                normalized.push_str(name);
            }
        }
    }
    if normalized.is_empty() {
        normalized.push('/');
    }
    Ok(normalized)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn normalizes_paths() {
        let cases: &[(&[u8], &str)] = &[
            (b"./", "/"),
            (b".", "/"),
            (b"./etc/x", "/etc/x"),
            (b"etc/x", "/etc/x"),
            (b"./usr//lib/./x/", "/usr/lib/x"),
            (b"./usr/share/doc/a b", "/usr/share/doc/a b"),
        ];
        for (raw, expected) in cases {
            assert_eq!(normalize_path(raw, 4096), Ok((*expected).to_owned()));
        }
    }

    #[test]
    fn refuses_unsafe_paths() {
        let long_component = [b'a'; 256];
        let cases: &[(&[u8], &str)] = &[
            (b"", "empty path"),
            (b"./../etc/passwd", "path contains '..'"),
            (b"./usr/../../x", "path contains '..'"),
            (b"..", "path contains '..'"),
            (b"/etc/passwd", "absolute path in archive"),
            (b"./a\0b", "path contains NUL"),
            (b"./a\nb", "path contains a newline"),
            (b"./\xff", "path is not valid UTF-8"),
            (&long_component, "path component is too long"),
        ];
        for (raw, reason) in cases {
            assert_eq!(normalize_path(raw, 4096), Err(*reason), "{raw:?}");
        }
        assert_eq!(normalize_path(b"./abc", 4), Err("path is too long"));
    }

    #[test]
    fn mode_strings() {
        let cases: &[(u32, &str)] = &[
            (0o755, "rwxr-xr-x"),
            (0o4755, "rwsr-xr-x"),
            (0o2644, "rw-r-Sr--"),
            (0o1777, "rwxrwxrwt"),
            (0o1640, "rw-r----T"),
            (0o000, "---------"),
        ];
        for (mode, expected) in cases {
            assert_eq!(mode_string(*mode), *expected);
        }
    }

    proptest! {
        #[test]
        fn normalized_paths_are_clean(raw in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Ok(path) = normalize_path(&raw, 4096) {
                prop_assert!(path.starts_with('/'));
                prop_assert!(path == "/" || !path.ends_with('/'));
                prop_assert!(!path.contains("//"));
                prop_assert!(path.split('/').all(|part| part != ".." && part != "."));
                prop_assert_eq!(normalize_path(format!(".{path}").as_bytes(), 4096), Ok(path.clone()));
            }
        }
    }
}
