//! Text merges of config files, and the files a merge leaves beside them.

use std::path::{Path, PathBuf};

/// Why two edits of a config file could not be merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextMergeError {
    /// One of the three versions is not text (UTF-8 without NUL).
    #[error("it is not text")]
    NotText,
    /// Hunks changed on both sides overlap.
    #[error("local changes conflict with the update")]
    Conflict {
        /// The merge with conflict markers (`<<<<<<<`, `|||||||`,
        /// `=======`, `>>>>>>>`), for the administrator.
        marked: String,
    },
}

fn text(bytes: &[u8]) -> Result<&str, TextMergeError> {
    std::str::from_utf8(bytes)
        .ok()
        .filter(|text| !text.contains('\0'))
        .ok_or(TextMergeError::NotText)
}

/// Three-way merge of the text `base` (pristine installed), `local` (on
/// disk) and `new` (the update).
///
/// ```rust
/// use conary_system::merge::text::merge_text;
/// let merged = merge_text(b"a\nb\nc\n", b"a\nb\nc\n# mine\n", b"A\nb\nc\n").expect("merges");
/// assert_eq!(merged, b"A\nb\nc\n# mine\n");
/// ```
pub fn merge_text(base: &[u8], local: &[u8], new: &[u8]) -> Result<Vec<u8>, TextMergeError> {
    let (base, local, new) = (text(base)?, text(local)?, text(new)?);
    if local == base {
        return Ok(new.as_bytes().to_vec());
    }
    if new == base || new == local {
        return Ok(local.as_bytes().to_vec());
    }
    diffy::merge(base, local, new)
        .map(String::into_bytes)
        .map_err(|marked| TextMergeError::Conflict { marked })
}

/// Where a failed merge of `full` leaves its conflict markers:
/// `PATH.conflicts`.
pub fn conflicts_path(full: &Path) -> PathBuf {
    with_suffix(full, ".conflicts")
}

/// Where `--replace-config-files` keeps the machine's version of `full`:
/// `PATH.conaryorig`.
pub fn conaryorig_path(full: &Path) -> PathBuf {
    with_suffix(full, ".conaryorig")
}

fn with_suffix(full: &Path, suffix: &str) -> PathBuf {
    let mut name = full.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}
