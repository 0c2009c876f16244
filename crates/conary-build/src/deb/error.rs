//! The error type of the `.deb` reader.
//!
//! Every message is one line, lowercase, without a trailing period, and names
//! the archive member or the path at fault. Text taken from the package (paths,
//! member names, field values) is escaped with [`escape`] first, so a hostile
//! name with a newline or a terminal escape cannot forge extra lines.

use std::io;

use conary_core::deps::DepError;
use thiserror::Error;

/// What went wrong while reading a Debian package.
///
/// ```rust
/// use conary_build::deb::DebError;
/// let err = DebError::DuplicatePath { member: "data.tar.xz".into(), path: "/etc/x".into() };
/// assert_eq!(err.to_string(), "duplicate path '/etc/x' in data.tar.xz");
/// ```
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum DebError {
    /// The underlying stream failed with an I/O error.
    #[error("cannot read {member}: {source}")]
    Io {
        /// The archive member (or `ar archive`) being read.
        member: String,
        /// The error of the underlying stream.
        #[source]
        source: io::Error,
    },
    /// The stream ended before the end of a member or header.
    #[error("truncated package: {member} ends early")]
    Truncated {
        /// The member or header that is cut short.
        member: String,
    },
    /// The file does not start with the `ar` magic `!<arch>\n`.
    #[error("not a debian package: missing ar magic '!<arch>'")]
    BadMagic,
    /// An `ar` member header is malformed.
    #[error("invalid ar member header at offset {offset}: {reason}")]
    BadArHeader {
        /// Byte offset of the header in the package.
        offset: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// The `debian-binary` member does not hold format version `2.0`.
    #[error("unsupported package format in debian-binary: '{found}' (expected '2.0')")]
    BadFormatVersion {
        /// The (escaped, shortened) contents found.
        found: String,
    },
    /// A member that is unknown or out of place.
    #[error("unexpected member '{name}': {reason}")]
    UnexpectedMember {
        /// The member name.
        name: String,
        /// Why it is not accepted here.
        reason: &'static str,
    },
    /// A required member is absent.
    #[error("missing member {name}")]
    MissingMember {
        /// The member expected (`debian-binary`, `control.tar.*`, `data.tar.*`).
        name: &'static str,
    },
    /// A `control.tar.*` or `data.tar.*` member with an unknown compression suffix.
    #[error("unknown compression in member '{name}'")]
    UnknownCompression {
        /// The member name.
        name: String,
    },
    /// The compressed stream of a member is corrupt.
    #[error("cannot decompress {member}: {source}")]
    Decompress {
        /// The member name.
        member: String,
        /// The decoder's error.
        #[source]
        source: io::Error,
    },
    /// The tar stream of a member is malformed.
    #[error("invalid tar stream in {member}: {source}")]
    Tar {
        /// The member name.
        member: String,
        /// The tar reader's error.
        #[source]
        source: io::Error,
    },
    /// A size or count limit of [`DebLimits`](super::DebLimits) was exceeded.
    #[error("{what} in {member} exceeds the limit of {limit}")]
    LimitExceeded {
        /// The member (or member/path) at fault.
        member: String,
        /// What was counted or measured.
        what: &'static str,
        /// The limit in force.
        limit: u64,
    },
    /// A path that could escape the install root or cannot be represented.
    #[error("unsafe path '{path}' in {member}: {reason}")]
    UnsafePath {
        /// The member holding the path.
        member: String,
        /// The (escaped) path.
        path: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The same path appears twice.
    #[error("duplicate path '{path}' in {member}")]
    DuplicatePath {
        /// The member holding the path.
        member: String,
        /// The normalized path.
        path: String,
    },
    /// A hard link whose target is not an earlier regular file of the package.
    #[error(
        "hardlink '{path}' in {member} points to '{target}', which is not an earlier regular file of the package"
    )]
    BadHardlink {
        /// The member holding the link.
        member: String,
        /// The link's normalized path.
        path: String,
        /// The (escaped) target.
        target: String,
    },
    /// A tar entry type that a package may not contain.
    #[error("unsupported entry type '{kind}' for '{path}' in {member}")]
    UnsupportedEntry {
        /// The member holding the entry.
        member: String,
        /// The entry's path.
        path: String,
        /// The tar type flag, escaped.
        kind: String,
    },
    /// A header field of an entry is invalid (mode, owner, device numbers, ...).
    #[error("invalid {field} of '{path}' in {member}: {reason}")]
    BadEntryField {
        /// The member holding the entry.
        member: String,
        /// The entry's path.
        path: String,
        /// The field name.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A file of `control.tar.*` is invalid (not UTF-8, wrong type, ...).
    #[error("invalid control member '{name}': {reason}")]
    BadControlMember {
        /// The control member name (`control`, `conffiles`, `postinst`, ...).
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A line of the control file does not parse.
    #[error("invalid control file line {line}: {reason}")]
    ControlSyntax {
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// A required control field is absent.
    #[error("control file has no {field} field")]
    MissingField {
        /// The field name.
        field: &'static str,
    },
    /// A control field value is invalid.
    #[error("invalid {field} field '{value}': {reason}")]
    BadField {
        /// The field name.
        field: String,
        /// The (escaped, shortened) value.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The `Version` field of the control file does not parse.
    #[error(transparent)]
    Version(#[from] DepError),
    /// A line of `conffiles` or `md5sums` is invalid.
    #[error("invalid {member} line {line}: {reason}")]
    BadListLine {
        /// `conffiles` or `md5sums`.
        member: &'static str,
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
}

/// Escapes text taken from a package for an error message: invalid UTF-8 is
/// replaced, control characters and quotes are escaped, and anything longer
/// than 200 characters is shortened with `...`.
///
/// ```rust
/// assert_eq!(conary_build::deb::escape(b"a\nb"), "a\\nb");
/// ```
pub fn escape(text: &[u8]) -> String {
    const MAX_CHARS: usize = 200;
    let lossy = String::from_utf8_lossy(text);
    let mut out = String::new();
    for (count, character) in lossy.chars().enumerate() {
        if count == MAX_CHARS {
            out.push_str("...");
            break;
        }
        if character.is_control() || character == '\'' || character == '\\' {
            out.extend(character.escape_default());
        } else {
            out.push(character);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escape_keeps_one_line() {
        let cases: &[(&[u8], &str)] = &[
            (b"/usr/bin/x", "/usr/bin/x"),
            (b"a\nb", "a\\nb"),
            (b"it's", "it\\'s"),
            (b"\x1b[31m", "\\u{1b}[31m"),
            (b"\xff", "\u{fffd}"),
        ];
        for (input, expected) in cases {
            assert_eq!(escape(input), *expected);
        }
        assert_eq!(escape(&[b'a'; 300]).len(), 203);
    }
}
