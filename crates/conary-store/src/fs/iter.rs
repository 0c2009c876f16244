//! Listing an [`FsStore`](super::FsStore)'s blobs in order, one fan-out
//! directory at a time, in both layouts.
//!
//! Every digest starting with byte `ab` is under `ab/`: as a file named by
//! the other 62 hex digits (one level), or, in stores written by earlier
//! versions, as a file named by the last 60 under `ab/cd/`; a blob kept
//! compressed is the same name with `.zst` added. A directory's
//! digests are gathered from both, sorted, and deduplicated, so the whole
//! walk is in ascending order.

use std::fs;
use std::path::Path;

use crate::digest::{DIGEST_LEN, Digest};
use crate::error::StoreError;

/// Hex digits of a digest.
const HEX_LEN: usize = DIGEST_LEN * 2;

/// Walks the fan-out directories in order.
pub(super) struct FsIter<'a> {
    root: &'a Path,
    firsts: std::vec::IntoIter<String>,
    digests: std::vec::IntoIter<Digest>,
    error: Option<StoreError>,
}

impl<'a> FsIter<'a> {
    pub(super) fn new(root: &'a Path) -> Self {
        let (firsts, error) = match hex_names(root) {
            Ok(names) => (names.directories(2), None),
            Err(error) => (Vec::new(), Some(error)),
        };
        Self {
            root,
            firsts: firsts.into_iter(),
            digests: Vec::new().into_iter(),
            error,
        }
    }
}

impl Iterator for FsIter<'_> {
    type Item = Result<Digest, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(error) = self.error.take() {
                return Some(Err(error));
            }
            if let Some(digest) = self.digests.next() {
                return Some(Ok(digest));
            }
            let first = self.firsts.next()?;
            match digests_under(self.root, &first) {
                Ok(digests) => self.digests = digests.into_iter(),
                Err(error) => self.error = Some(error),
            }
        }
    }
}

/// The digests of the blobs under fan-out directory `first`, in order.
fn digests_under(root: &Path, first: &str) -> Result<Vec<Digest>, StoreError> {
    let directory = root.join(first);
    let names = hex_names(&directory)?;
    let mut digests: Vec<Digest> = names
        .files(HEX_LEN - 2)
        .iter()
        .filter_map(|name| format!("{first}{name}").parse().ok())
        .collect();
    for second in names.directories(2) {
        let legacy = hex_names(&directory.join(&second))?;
        digests.extend(
            legacy
                .files(HEX_LEN - 4)
                .iter()
                .filter_map(|name| format!("{first}{second}{name}").parse::<Digest>().ok()),
        );
    }
    digests.sort_unstable();
    digests.dedup();
    Ok(digests)
}

/// The names in a directory made of lowercase hex digits, with whether
/// each is a directory.
struct HexNames(Vec<(String, bool)>);

impl HexNames {
    /// The sorted names of directories of `length` digits.
    fn directories(&self, length: usize) -> Vec<String> {
        self.select(length, true)
    }

    /// The sorted names of files of `length` digits.
    fn files(&self, length: usize) -> Vec<String> {
        self.select(length, false)
    }

    fn select(&self, length: usize, directories: bool) -> Vec<String> {
        let mut names: Vec<String> = self
            .0
            .iter()
            .filter(|(name, is_directory)| name.len() == length && *is_directory == directories)
            .map(|(name, _)| name.clone())
            .collect();
        names.sort_unstable();
        names
    }
}

/// The lowercase hex names in `directory`.
fn hex_names(directory: &Path) -> Result<HexNames, StoreError> {
    let entries =
        fs::read_dir(directory).map_err(|error| StoreError::io("list", directory, error))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|error| StoreError::io("list", directory, error))?;
        if let Some(name) = entry.file_name().to_str() {
            // A blob kept as a zstd frame is a file `<hex>.zst`.
            let (name, frame) = match name.strip_suffix(super::FRAME_SUFFIX) {
                Some(stem) => (stem, true),
                None => (name, false),
            };
            let is_hex = name
                .bytes()
                .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte));
            if !is_hex {
                continue;
            }
            let is_directory = entry
                .file_type()
                .map_err(|error| StoreError::io("inspect", entry.path(), error))?
                .is_dir();
            if frame && is_directory {
                continue;
            }
            names.push((name.to_owned(), is_directory));
        }
    }
    Ok(HexNames(names))
}
