//! Unified diffs of config files, made with `diffy`.
//!
//! A config file that changed between two versions travels whole (or as a
//! binary delta) *and* as a unified diff: applying a changeset never depends
//! on a patch succeeding, while merging local edits (the system's job) uses
//! the diff.

use crate::error::ChangeSetError;

/// True when `bytes` are UTF-8 text without NUL bytes, so a text diff can be
/// made of them.
///
/// ```rust
/// assert!(conary_changeset::is_text(b"Port 22\n"));
/// assert!(!conary_changeset::is_text(b"\x7fELF\x00"));
/// ```
pub fn is_text(bytes: &[u8]) -> bool {
    !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok()
}

/// The unified diff that turns `old` into `new`, when both are text.
///
/// ```rust
/// let diff = conary_changeset::text_diff(b"a\nb\n", b"a\nc\n").expect("text");
/// assert!(diff.contains("-b\n+c\n"));
/// assert_eq!(conary_changeset::apply_text_diff("a\nb\n", &diff).ok().as_deref(), Some("a\nc\n"));
/// ```
pub fn text_diff(old: &[u8], new: &[u8]) -> Option<String> {
    if !is_text(old) || !is_text(new) {
        return None;
    }
    let old = std::str::from_utf8(old).ok()?;
    let new = std::str::from_utf8(new).ok()?;
    Some(diffy::create_patch(old, new).to_string())
}

/// Applies a unified diff made by [`text_diff`] to `base` (for example a
/// locally edited config file).
pub fn apply_text_diff(base: &str, diff: &str) -> Result<String, ChangeSetError> {
    let patch = diffy::Patch::from_str(diff).map_err(|error| ChangeSetError::Parse {
        what: "text diff",
        text: diff.lines().next().unwrap_or_default().to_owned(),
        reason: error.to_string(),
    })?;
    diffy::apply(base, &patch).map_err(|error| ChangeSetError::DiffConflict {
        reason: error.to_string(),
    })
}
