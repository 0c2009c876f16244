//! Permission bits and file flags.

use std::fmt;
use std::str::FromStr;

use super::FileError;

/// Permission bits of a file, including setuid, setgid and sticky (at most
/// `0o7777`; the file type lives in [`FileKind`](super::FileKind)).
/// Written as four octal digits.
///
/// ```rust
/// use conary_core::files::Mode;
/// let mode: Mode = "4755".parse().expect("mode");
/// assert!(mode.is_setuid());
/// assert_eq!(mode.to_string(), "4755");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Mode(u16);

impl Mode {
    /// The largest mode: every permission bit plus setuid, setgid and sticky.
    pub const MAX: u32 = 0o7777;

    /// A mode from its bits, which must not exceed [`Mode::MAX`].
    pub fn new(bits: u32) -> Result<Mode, FileError> {
        u16::try_from(bits)
            .ok()
            .filter(|bits| u32::from(*bits) <= Mode::MAX)
            .map(Mode)
            .ok_or_else(|| FileError::InvalidMode {
                text: format!("{bits:o}"),
                reason: "more than permission, setuid, setgid and sticky bits",
            })
    }

    /// The bits.
    pub const fn bits(self) -> u16 {
        self.0
    }

    /// True when the setuid bit is set.
    pub const fn is_setuid(self) -> bool {
        self.0 & 0o4000 != 0
    }

    /// True when the setgid bit is set.
    pub const fn is_setgid(self) -> bool {
        self.0 & 0o2000 != 0
    }

    /// True when the sticky bit is set.
    pub const fn is_sticky(self) -> bool {
        self.0 & 0o1000 != 0
    }

    /// The nine `rwx` characters of `ls -l`, with `s`/`S` and `t`/`T` for
    /// setuid, setgid and sticky.
    pub fn permissions_string(self) -> String {
        let bit = |mask: u16, on: char| if self.0 & mask != 0 { on } else { '-' };
        let special = |execute: u16, special: u16, lower: char, upper: char| match (
            self.0 & execute != 0,
            self.0 & special != 0,
        ) {
            (true, true) => lower,
            (false, true) => upper,
            (true, false) => 'x',
            (false, false) => '-',
        };
        [
            bit(0o400, 'r'),
            bit(0o200, 'w'),
            special(0o100, 0o4000, 's', 'S'),
            bit(0o040, 'r'),
            bit(0o020, 'w'),
            special(0o010, 0o2000, 's', 'S'),
            bit(0o004, 'r'),
            bit(0o002, 'w'),
            special(0o001, 0o1000, 't', 'T'),
        ]
        .iter()
        .collect()
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04o}", self.0)
    }
}

impl FromStr for Mode {
    type Err = FileError;

    /// Parses one to four octal digits.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = |reason| FileError::InvalidMode {
            text: text.to_owned(),
            reason,
        };
        if text.is_empty() || text.len() > 4 {
            return Err(error("expected one to four octal digits"));
        }
        if !text.bytes().all(|byte| (b'0'..=b'7').contains(&byte)) {
            return Err(error("expected only octal digits"));
        }
        let bits = u32::from_str_radix(text, 8).map_err(|_| error("expected only octal digits"))?;
        Mode::new(bits)
    }
}

/// How a file is treated on update: flags kept as bits, so that flags added
/// by later versions survive a round trip.
///
/// ```rust
/// use conary_core::files::FileFlags;
/// let flags: FileFlags = "config,missingOk".parse().expect("flags");
/// assert!(flags.is_config() && flags.is_missing_ok());
/// assert_eq!(flags.to_string(), "config,missingOk");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileFlags(u64);

/// The names of the known flags, in bit order.
const FLAG_NAMES: [(u64, &str); 4] = [
    (FileFlags::CONFIG, "config"),
    (FileFlags::INITIAL_CONTENTS, "initialContents"),
    (FileFlags::TRANSIENT, "transient"),
    (FileFlags::MISSING_OK, "missingOk"),
];

impl FileFlags {
    /// A config file: merged on update, carried as a diff in changesets.
    pub const CONFIG: u64 = 1 << 0;
    /// Installed once, then never overwritten.
    pub const INITIAL_CONTENTS: u64 = 1 << 1;
    /// Always overwritten, never merged or reported as a conflict.
    pub const TRANSIENT: u64 = 1 << 2;
    /// May be missing from the system without complaint.
    pub const MISSING_OK: u64 = 1 << 3;

    /// No flags.
    pub const fn empty() -> FileFlags {
        FileFlags(0)
    }

    /// Flags from bits; unknown bits are kept.
    pub const fn from_bits(bits: u64) -> FileFlags {
        FileFlags(bits)
    }

    /// The bits, unknown ones included.
    pub const fn bits(self) -> u64 {
        self.0
    }

    /// True when every bit of `flag` is set.
    pub const fn contains(self, flag: u64) -> bool {
        self.0 & flag == flag
    }

    /// Sets or clears the bits of `flag`.
    pub fn set(&mut self, flag: u64, on: bool) {
        if on {
            self.0 |= flag;
        } else {
            self.0 &= !flag;
        }
    }

    /// True for a config file.
    pub const fn is_config(self) -> bool {
        self.contains(FileFlags::CONFIG)
    }

    /// True for a file installed only once.
    pub const fn is_initial_contents(self) -> bool {
        self.contains(FileFlags::INITIAL_CONTENTS)
    }

    /// True for a file always overwritten.
    pub const fn is_transient(self) -> bool {
        self.contains(FileFlags::TRANSIENT)
    }

    /// True for a file that may be missing.
    pub const fn is_missing_ok(self) -> bool {
        self.contains(FileFlags::MISSING_OK)
    }
}

impl fmt::Display for FileFlags {
    /// Known flags by name and any other bits as one `0x…` item,
    /// comma-separated; nothing for no flags.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_flag_names(f, self.0, &FLAG_NAMES)
    }
}

impl FromStr for FileFlags {
    type Err = FileError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_flag_names(text, &FLAG_NAMES)
            .map(FileFlags)
            .map_err(|item| FileError::InvalidFlag {
                text: text.to_owned(),
                item,
            })
    }
}

/// Writes `bits` as the comma-separated names of `names`, then any other
/// bits as one `0x…` item.
pub(crate) fn write_flag_names(
    f: &mut fmt::Formatter<'_>,
    bits: u64,
    names: &[(u64, &str)],
) -> fmt::Result {
    let mut rest = bits;
    let mut items = Vec::new();
    for (bit, name) in names {
        if rest & bit != 0 {
            rest &= !bit;
            items.push((*name).to_owned());
        }
    }
    if rest != 0 {
        items.push(format!("{rest:#x}"));
    }
    f.write_str(&items.join(","))
}

/// Parses what [`write_flag_names`] writes; the error is the item at fault.
pub(crate) fn parse_flag_names(text: &str, names: &[(u64, &str)]) -> Result<u64, String> {
    let mut bits = 0;
    if text.is_empty() {
        return Ok(bits);
    }
    for item in text.split(',') {
        let known = names.iter().find(|(_, name)| *name == item);
        bits |= match (known, item.strip_prefix("0x")) {
            (Some((bit, _)), _) => *bit,
            (None, Some(hex)) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                u64::from_str_radix(hex, 16).map_err(|_| item.to_owned())?
            }
            _ => return Err(item.to_owned()),
        };
    }
    Ok(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_strings() {
        let cases = [
            (0o755, "rwxr-xr-x"),
            (0o4755, "rwsr-xr-x"),
            (0o4644, "rwSr--r--"),
            (0o2775, "rwxrwsr-x"),
            (0o1777, "rwxrwxrwt"),
            (0o1776, "rwxrwxrwT"),
            (0, "---------"),
        ];
        for (bits, expected) in cases {
            let mode = Mode::new(bits).expect("valid mode");
            assert_eq!(mode.permissions_string(), expected, "{bits:o}");
        }
    }

    #[test]
    fn mode_parse_errors() {
        for text in ["", "8", "12345", "-1", "0x1"] {
            assert!(text.parse::<Mode>().is_err(), "{text:?}");
        }
        assert!(Mode::new(0o10000).is_err());
        assert_eq!("7".parse::<Mode>().map(Mode::bits), Ok(7));
    }

    #[test]
    fn flags_keep_unknown_bits() {
        let flags = FileFlags::from_bits(FileFlags::CONFIG | 0x100);
        assert_eq!(flags.to_string(), "config,0x100");
        assert_eq!(flags.to_string().parse::<FileFlags>(), Ok(flags));
        assert_eq!("".parse::<FileFlags>(), Ok(FileFlags::empty()));
        assert!("config,bogus".parse::<FileFlags>().is_err());
    }
}
