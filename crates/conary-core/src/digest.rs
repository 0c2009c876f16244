//! Digests and the two identities of a file: [`PathId`] and [`FileId`].
//!
//! Every hash in Conary-in-Rust is BLAKE3-256, shown as lowercase hex. A
//! [`PathId`] names a file *slot* (16 bytes, kept across versions and
//! renames); a [`FileId`] names a file's *metadata and contents* (the digest of
//! its canonical stream without the mtime, see
//! [`FileStream::file_id`](crate::files::FileStream::file_id)).

use std::fmt;
use std::str::FromStr;

/// An error from parsing a hexadecimal digest or identifier.
///
/// ```rust
/// use conary_core::digest::{DigestError, PathId};
/// let error = "00ff".parse::<PathId>().expect_err("too short");
/// assert!(matches!(error, DigestError::Length { expected: 32, found: 4, .. }));
/// assert_eq!(error.to_string(), "invalid pathId '00ff': expected 32 hex digits, found 4");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigestError {
    /// The text has the wrong number of characters.
    #[error("invalid {what} '{text}': expected {expected} hex digits, found {found}")]
    Length {
        /// What was being parsed (`digest`, `pathId`, `fileId`).
        what: &'static str,
        /// The text at fault.
        text: String,
        /// The number of hex digits required.
        expected: usize,
        /// The number of characters found.
        found: usize,
    },
    /// The text holds something other than lowercase hex digits.
    #[error("invalid {what} '{text}': '{character}' is not a lowercase hex digit")]
    NotHex {
        /// What was being parsed (`digest`, `pathId`, `fileId`).
        what: &'static str,
        /// The text at fault.
        text: String,
        /// The first offending character.
        character: char,
    },
}

/// Decodes `text` as exactly `N` bytes of lowercase hex.
fn parse_hex<const N: usize>(what: &'static str, text: &str) -> Result<[u8; N], DigestError> {
    let found = text.chars().count();
    if found != N * 2 {
        return Err(DigestError::Length {
            what,
            text: text.to_owned(),
            expected: N * 2,
            found,
        });
    }
    let nibble = |character: char| match character {
        '0'..='9' | 'a'..='f' => character.to_digit(16).map(|value| value as u8),
        _ => None,
    };
    let mut bytes = [0u8; N];
    let mut chars = text.chars();
    for byte in &mut bytes {
        let mut value = 0u8;
        for _ in 0..2 {
            let character = chars.next().unwrap_or('?');
            let digit = nibble(character).ok_or_else(|| DigestError::NotHex {
                what,
                text: text.to_owned(),
                character,
            })?;
            value = (value << 4) | digit;
        }
        *byte = value;
    }
    Ok(bytes)
}

/// Writes `bytes` as lowercase hex.
fn write_hex(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    for byte in bytes {
        write!(f, "{byte:02x}")?;
    }
    Ok(())
}

/// A BLAKE3-256 digest, shown as 64 lowercase hex digits.
///
/// ```rust
/// use conary_core::digest::Digest;
/// let digest = Digest::of(b"");
/// assert_eq!(digest.to_string(), "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262");
/// assert_eq!(digest.to_string().parse::<Digest>(), Ok(digest));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest([u8; 32]);

impl Digest {
    /// The number of bytes in a digest.
    pub const LEN: usize = 32;

    /// The digest of `data`.
    pub fn of(data: &[u8]) -> Digest {
        Digest(*blake3::hash(data).as_bytes())
    }

    /// Wraps raw digest bytes.
    pub const fn from_bytes(bytes: [u8; 32]) -> Digest {
        Digest(bytes)
    }

    /// The raw digest bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hex(f, &self.0)
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({self})")
    }
}

impl FromStr for Digest {
    type Err = DigestError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_hex("digest", text).map(Digest)
    }
}

/// Computes a [`Digest`] over data fed in pieces, e.g. while streaming a file.
///
/// ```rust
/// use conary_core::digest::{Digest, Hasher};
/// let mut hasher = Hasher::new();
/// hasher.update(b"hello, ");
/// hasher.update(b"world");
/// assert_eq!(hasher.finalize(), Digest::of(b"hello, world"));
/// ```
#[derive(Clone, Default)]
pub struct Hasher(blake3::Hasher);

impl Hasher {
    /// A hasher that has seen no data.
    pub fn new() -> Hasher {
        Hasher(blake3::Hasher::new())
    }

    /// Feeds more data.
    pub fn update(&mut self, data: &[u8]) -> &mut Hasher {
        self.0.update(data);
        self
    }

    /// The digest of everything fed so far (the hasher may keep being fed).
    pub fn finalize(&self) -> Digest {
        Digest(*self.0.finalize().as_bytes())
    }
}

impl fmt::Debug for Hasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Hasher")
    }
}

/// The identity of a file slot: 16 bytes given to a path when it first
/// appears on a branch and kept by every later version (renames keep it).
///
/// ```rust
/// use conary_core::digest::PathId;
/// let path_id: PathId = "00112233445566778899aabbccddeeff".parse().expect("path id");
/// assert_eq!(path_id.to_string(), "00112233445566778899aabbccddeeff");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PathId([u8; 16]);

impl PathId {
    /// The number of bytes in a pathId.
    pub const LEN: usize = 16;

    /// Wraps raw pathId bytes (for example 16 random bytes).
    pub const fn from_bytes(bytes: [u8; 16]) -> PathId {
        PathId(bytes)
    }

    /// A pathId derived deterministically from `seed` (the first 16 bytes of
    /// its digest); handy for tests and for slots whose identity is fixed.
    pub fn derive(seed: &[u8]) -> PathId {
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&Digest::of(seed).0[..16]);
        PathId(bytes)
    }

    /// The raw pathId bytes.
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl fmt::Display for PathId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hex(f, &self.0)
    }
}

impl fmt::Debug for PathId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PathId({self})")
    }
}

impl FromStr for PathId {
    type Err = DigestError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_hex("pathId", text).map(PathId)
    }
}

/// The identity of a file's metadata and contents: the [`Digest`] of its
/// canonical stream without the mtime, so identical files in different builds
/// share one fileId.
///
/// ```rust
/// use conary_core::digest::FileId;
/// let text = "0f".repeat(32);
/// let file_id: FileId = text.parse().expect("file id");
/// assert_eq!(file_id.to_string(), text);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId([u8; 32]);

impl FileId {
    /// The number of bytes in a fileId.
    pub const LEN: usize = 32;

    /// Wraps raw fileId bytes.
    pub const fn from_bytes(bytes: [u8; 32]) -> FileId {
        FileId(bytes)
    }

    /// The fileId whose bytes are those of `digest`.
    pub const fn from_digest(digest: Digest) -> FileId {
        FileId(digest.0)
    }

    /// The raw fileId bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for FileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hex(f, &self.0)
    }
}

impl fmt::Debug for FileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FileId({self})")
    }
}

impl FromStr for FileId {
    type Err = DigestError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_hex("fileId", text).map(FileId)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_and_errors() {
        let digest = Digest::of(b"abc");
        assert_eq!(digest.to_string().parse::<Digest>(), Ok(digest));
        assert!(matches!(
            "ab".parse::<PathId>(),
            Err(DigestError::Length { found: 2, .. })
        ));
        let upper = "AB".repeat(16);
        assert!(matches!(
            upper.parse::<PathId>(),
            Err(DigestError::NotHex { character: 'A', .. })
        ));
        // Multi-byte characters are counted as characters, never split.
        let odd = format!("é{}", "0".repeat(31));
        assert!(matches!(
            odd.parse::<PathId>(),
            Err(DigestError::NotHex {
                character: 'é', ..
            })
        ));
    }

    #[test]
    fn derived_path_ids_are_stable() {
        assert_eq!(
            PathId::derive(b"/usr/bin/foo"),
            PathId::derive(b"/usr/bin/foo")
        );
        assert_ne!(
            PathId::derive(b"/usr/bin/foo"),
            PathId::derive(b"/usr/bin/bar")
        );
    }
}
