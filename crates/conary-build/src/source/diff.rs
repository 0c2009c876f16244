//! Unified diffs of source files: a checkout against the version it was
//! checked out at (`cvc diff`), and two versions in the repository
//! (`cvc rdiff`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use conary_api::TroveSource;
use conary_core::trove::TroveTuple;

use super::error::SourceError;
use super::repo::{fetch_source, source_tuple};
use super::working::Checkout;

/// One side of a diff: each file's contents and mode.
pub type FileSet = BTreeMap<String, (Vec<u8>, u32)>;

/// The differences between `old` and `new`, file by file in name order:
/// a unified diff (`--- a/NAME`, `+++ b/NAME`) for a changed text file,
/// from `/dev/null` for an added one and to `/dev/null` for a removed one;
/// `Binary files a/NAME and b/NAME differ` for other contents; a line
/// `mode NAME 0644 -> 0755` for a changed mode. Empty when they are equal.
///
/// ```rust
/// use conary_build::source::{FileSet, diff_file_sets};
/// let old: FileSet = [("a".to_owned(), (b"x\n".to_vec(), 0o644))].into();
/// let new: FileSet = [("a".to_owned(), (b"y\n".to_vec(), 0o644))].into();
/// assert!(diff_file_sets(&old, &new).contains("-x\n+y\n"));
/// ```
pub fn diff_file_sets(old: &FileSet, new: &FileSet) -> String {
    let names: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let mut out = String::new();
    for name in names {
        let (old_file, new_file) = (old.get(name), new.get(name));
        if let (Some((_, old_mode)), Some((_, new_mode))) = (old_file, new_file)
            && old_mode != new_mode
        {
            let _ = writeln!(out, "mode {name} {old_mode:04o} -> {new_mode:04o}");
        }
        let old_bytes = old_file.map_or(&[][..], |(bytes, _)| bytes.as_slice());
        let new_bytes = new_file.map_or(&[][..], |(bytes, _)| bytes.as_slice());
        if old_file.is_some() && new_file.is_some() && old_bytes == new_bytes {
            continue;
        }
        let original = if old_file.is_some() {
            format!("a/{name}")
        } else {
            "/dev/null".to_owned()
        };
        let modified = if new_file.is_some() {
            format!("b/{name}")
        } else {
            "/dev/null".to_owned()
        };
        match (text(old_bytes), text(new_bytes)) {
            (Some(old_text), Some(new_text)) => {
                let patch = diffy::DiffOptions::new()
                    .set_original_filename(original)
                    .set_modified_filename(modified)
                    .create_patch(old_text, new_text)
                    .to_string();
                out.push_str(&patch);
                if !patch.ends_with('\n') {
                    out.push('\n');
                }
            }
            _ => {
                let _ = writeln!(out, "Binary files {original} and {modified} differ");
            }
        }
    }
    out
}

/// The bytes as text, if they are text (UTF-8 without NUL).
fn text(bytes: &[u8]) -> Option<&str> {
    std::str::from_utf8(bytes)
        .ok()
        .filter(|text| !text.contains('\0'))
}

/// The files of source version `tuple`.
fn version_files(source: &dyn TroveSource, tuple: &TroveTuple) -> Result<FileSet, SourceError> {
    Ok(fetch_source(source, tuple)?
        .files
        .into_iter()
        .map(|(name, file)| {
            let mode = u32::from(file.stream.mode.bits());
            (name, (file.contents, mode))
        })
        .collect())
}

/// `cvc diff`: the checkout's tracked files against the version it holds
/// (against nothing before the first commit).
pub fn diff_checkout(checkout: &Checkout, source: &dyn TroveSource) -> Result<String, SourceError> {
    let old = match &checkout.state.version {
        Some(version) => version_files(source, &source_tuple(&checkout.state.name, version))?,
        None => FileSet::new(),
    };
    let new: FileSet = checkout
        .working_files()?
        .into_iter()
        .map(|(name, file)| (name, (file.contents, file.mode)))
        .collect();
    Ok(diff_file_sets(&old, &new))
}

/// `cvc rdiff`: the differences from source version `old` to `new`.
pub fn diff_versions(
    source: &dyn TroveSource,
    old: &TroveTuple,
    new: &TroveTuple,
) -> Result<String, SourceError> {
    Ok(diff_file_sets(
        &version_files(source, old)?,
        &version_files(source, new)?,
    ))
}
