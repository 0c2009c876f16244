//! [`StoreUrl`]: which backend a store lives in, and [`open_store`].
//!
//! Stores are chosen by URL so that configuration, tests and tools name
//! them the same way: `file:///srv/conary/contents` for a directory,
//! `memory:` for a fresh in-memory store. Object storage (`s3://…`) is
//! planned; it will pass the same [`crate::conformance`] suite.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::blob_store::BlobStore;
use crate::error::StoreError;
use crate::fs::FsStore;
use crate::memory::MemStore;

/// The location of a blob store.
///
/// `file:` URLs hold an absolute path with an empty host (or `localhost`);
/// bytes other than letters, digits, `/` and `-._~!$&'()*+,;=:@` are
/// percent-encoded, so any path round-trips.
///
/// ```rust
/// use conary_store::StoreUrl;
/// let url: StoreUrl = "file:///srv/conary/my%20contents".parse()?;
/// assert_eq!(url, StoreUrl::File("/srv/conary/my contents".into()));
/// assert_eq!(url.to_string(), "file:///srv/conary/my%20contents");
/// assert_eq!("memory:".parse::<StoreUrl>()?, StoreUrl::Memory);
/// # Ok::<(), conary_store::StoreError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum StoreUrl {
    /// A [`FsStore`] in this directory (absolute when parsed from a URL).
    File(PathBuf),
    /// A new, empty [`MemStore`] each time it is opened.
    Memory,
}

impl StoreUrl {
    /// Opens (creating when needed) the store this URL names.
    pub fn open(&self) -> Result<Box<dyn BlobStore>, StoreError> {
        Ok(match self {
            Self::File(path) => Box::new(FsStore::open(path)?),
            Self::Memory => Box::new(MemStore::new()),
        })
    }
}

/// Opens the store named by `url`, e.g. `file:///srv/conary/contents` or
/// `memory:`.
///
/// ```rust
/// let store = conary_store::open_store("memory:")?;
/// let (digest, _) = store.put_bytes(b"contents")?;
/// assert!(store.contains(&digest)?);
/// assert!(conary_store::open_store("ftp://example.com/x").is_err());
/// # Ok::<(), conary_store::StoreError>(())
/// ```
pub fn open_store(url: &str) -> Result<Box<dyn BlobStore>, StoreError> {
    url.parse::<StoreUrl>()?.open()
}

impl FromStr for StoreUrl {
    type Err = StoreError;

    fn from_str(url: &str) -> Result<Self, Self::Err> {
        let invalid = |reason: String| StoreError::InvalidUrl {
            url: url.to_owned(),
            reason,
        };
        let Some((scheme, rest)) = url.split_once(':') else {
            return Err(invalid(
                "missing scheme, expected 'file:///path' or 'memory:'".into(),
            ));
        };
        match scheme.to_ascii_lowercase().as_str() {
            "memory" if rest.is_empty() || rest == "//" => Ok(Self::Memory),
            "memory" => Err(invalid("'memory:' takes no path".into())),
            "file" => parse_file(rest).map(Self::File).map_err(invalid),
            other => Err(invalid(format!(
                "unknown scheme '{other}', expected 'file' or 'memory'"
            ))),
        }
    }
}

/// Parses what follows `file:` into a path.
fn parse_file(rest: &str) -> Result<PathBuf, String> {
    let Some(authority_and_path) = rest.strip_prefix("//") else {
        return Err("expected 'file:///absolute/path'".into());
    };
    let path = match authority_and_path.find('/') {
        Some(0) => authority_and_path,
        Some(slash) if authority_and_path[..slash].eq_ignore_ascii_case("localhost") => {
            &authority_and_path[slash..]
        }
        _ => return Err("only local paths are supported, expected 'file:///absolute/path'".into()),
    };
    if path.contains(['?', '#']) {
        return Err(
            "a query or fragment is not allowed ('?' and '#' must be written %3F and %23)".into(),
        );
    }
    let bytes = percent_decode(path)?;
    if bytes.contains(&0) {
        return Err("the path contains a NUL byte".into());
    }
    path_from_bytes(bytes)
}

fn percent_decode(text: &str) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut input = text.bytes();
    while let Some(byte) = input.next() {
        if byte != b'%' {
            bytes.push(byte);
            continue;
        }
        let high = input
            .next()
            .and_then(|digit| char::from(digit).to_digit(16));
        let low = input
            .next()
            .and_then(|digit| char::from(digit).to_digit(16));
        match (high, low) {
            (Some(high), Some(low)) => {
                bytes.push(u8::try_from(high * 16 + low).map_err(|_| "bad escape")?)
            }
            _ => return Err("'%' must be followed by two hex digits".into()),
        }
    }
    Ok(bytes)
}

/// Bytes written as themselves in a URL path.
fn is_plain(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&byte)
}

#[cfg(unix)]
fn path_bytes(path: &Path) -> std::borrow::Cow<'_, [u8]> {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes().into()
}

#[cfg(not(unix))]
fn path_bytes(path: &Path) -> std::borrow::Cow<'_, [u8]> {
    match path.to_string_lossy() {
        std::borrow::Cow::Borrowed(text) => text.as_bytes().into(),
        std::borrow::Cow::Owned(text) => text.into_bytes().into(),
    }
}

#[cfg(unix)]
fn path_from_bytes(bytes: Vec<u8>) -> Result<PathBuf, String> {
    use std::os::unix::ffi::OsStringExt;
    Ok(std::ffi::OsString::from_vec(bytes).into())
}

#[cfg(not(unix))]
fn path_from_bytes(bytes: Vec<u8>) -> Result<PathBuf, String> {
    String::from_utf8(bytes)
        .map(PathBuf::from)
        .map_err(|_| "the path is not valid UTF-8".into())
}

impl fmt::Display for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Memory => f.write_str("memory:"),
            Self::File(path) => {
                f.write_str("file://")?;
                for &byte in path_bytes(path).iter() {
                    if is_plain(byte) {
                        write!(f, "{}", char::from(byte))?;
                    } else {
                        write!(f, "%{byte:02X}")?;
                    }
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_table() {
        let cases: &[(&str, Result<StoreUrl, &str>)] = &[
            ("memory:", Ok(StoreUrl::Memory)),
            ("memory://", Ok(StoreUrl::Memory)),
            ("MEMORY:", Ok(StoreUrl::Memory)),
            ("file:///srv/store", Ok(StoreUrl::File("/srv/store".into()))),
            ("file:///", Ok(StoreUrl::File("/".into()))),
            ("FILE:///a", Ok(StoreUrl::File("/a".into()))),
            ("file://localhost/srv", Ok(StoreUrl::File("/srv".into()))),
            ("file:///a%20b%2fc", Ok(StoreUrl::File("/a b/c".into()))),
            ("file:///caf%C3%A9", Ok(StoreUrl::File("/café".into()))),
            ("file:///café", Ok(StoreUrl::File("/café".into()))),
            (
                "/srv/store",
                Err("missing scheme, expected 'file:///path' or 'memory:'"),
            ),
            ("memory:/x", Err("'memory:' takes no path")),
            (
                "s3://bucket/x",
                Err("unknown scheme 's3', expected 'file' or 'memory'"),
            ),
            ("file:/srv/store", Err("expected 'file:///absolute/path'")),
            (
                "file://",
                Err("only local paths are supported, expected 'file:///absolute/path'"),
            ),
            (
                "file://host/srv",
                Err("only local paths are supported, expected 'file:///absolute/path'"),
            ),
            (
                "file:///a?b",
                Err("a query or fragment is not allowed ('?' and '#' must be written %3F and %23)"),
            ),
            ("file:///a%2", Err("'%' must be followed by two hex digits")),
            (
                "file:///a%zz",
                Err("'%' must be followed by two hex digits"),
            ),
            ("file:///a%00", Err("the path contains a NUL byte")),
        ];
        for (input, expected) in cases {
            match (input.parse::<StoreUrl>(), expected) {
                (Ok(url), Ok(expected)) => assert_eq!(&url, expected, "{input}"),
                (Err(error), Err(reason)) => {
                    assert_eq!(
                        error.to_string(),
                        format!("invalid store url '{input}': {reason}")
                    );
                }
                (got, expected) => panic!("{input}: expected {expected:?}, got {got:?}"),
            }
        }
    }

    #[test]
    fn display_escapes_what_parsing_would_misread() {
        let url = StoreUrl::File("/a b/%/?#/ü".into());
        assert_eq!(url.to_string(), "file:///a%20b/%25/%3F%23/%C3%BC");
        assert_eq!(url.to_string().parse::<StoreUrl>().expect("reparse"), url);
    }
}
