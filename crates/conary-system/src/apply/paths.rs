//! Joining the many paths of one transaction under its root, checking each
//! directory on the way once rather than once per file.
//!
//! [`SafeRoot::join`] inspects every directory between the root and a
//! path's last component (a symlink leading out of the root is refused).
//! A transaction joins each of its paths several times (plan, staging,
//! renames, finishing), and most paths share their directory with others:
//! an update of 792 files made 44,000 `lstat` calls, three quarters of them
//! in those checks. [`Joiner`] remembers the directories it has checked:
//! the checks of `a/b/c` and `a/b/d` are the same (those of `a` and `a/b`),
//! so a path whose directory was checked is joined without looking at the
//! file system again. Every path is still parsed and validated as a
//! [`RelPath`].

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

use conary_util::{RelPath, SafeRoot, UtilError};

/// A [`SafeRoot`] that checks each directory once; see the module docs.
#[derive(Debug)]
pub(crate) struct Joiner {
    root: SafeRoot,
    /// Checked directories (relative, as validated) and their full paths.
    parents: Mutex<BTreeMap<String, PathBuf>>,
}

impl Joiner {
    /// A joiner under `root`, with nothing checked yet.
    pub(crate) fn new(root: SafeRoot) -> Joiner {
        Joiner {
            root,
            parents: Mutex::new(BTreeMap::new()),
        }
    }

    /// Joins an untrusted relative path, as [`SafeRoot::join`] does.
    pub(crate) fn join(&self, relative: &str) -> Result<PathBuf, UtilError> {
        self.join_rel(&relative.parse::<RelPath>()?)
    }

    /// Joins a [`RelPath`], as [`SafeRoot::join_rel`] does.
    pub(crate) fn join_rel(&self, rel: &RelPath) -> Result<PathBuf, UtilError> {
        let Some((parent, name)) = rel.as_str().rsplit_once('/') else {
            // Directly under the root: nothing on the way to check.
            return self.root.join_rel(rel);
        };
        if let Some(dir) = self.lock().get(parent) {
            return Ok(dir.join(name));
        }
        let full = self.root.join_rel(rel)?;
        if let Some(dir) = full.parent() {
            self.lock().insert(parent.to_owned(), dir.to_path_buf());
        }
        Ok(full)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, PathBuf>> {
        crate::parallel::lock(&self.parents)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_as_the_safe_root_does_and_refuses_the_same_paths() {
        let dir = tempfile::tempdir().expect("temp dir");
        let outside = tempfile::tempdir().expect("outside");
        std::fs::create_dir_all(dir.path().join("usr/bin")).expect("dirs");
        std::os::unix::fs::symlink(outside.path(), dir.path().join("escape")).expect("symlink");
        let safe = SafeRoot::new(dir.path()).expect("root");
        let joiner = Joiner::new(safe.clone());
        for path in [
            "usr/bin/a",
            "usr/bin/b",
            "top",
            "new/dir/file",
            "new/dir/other",
        ] {
            assert_eq!(
                joiner.join(path).expect("join"),
                safe.join(path).expect("safe join"),
                "{path}"
            );
        }
        for path in [
            "escape/file",
            "../etc/passwd",
            "usr/../../x",
            "usr/bin/../../..",
        ] {
            assert!(safe.join(path).is_err(), "{path}");
            assert!(joiner.join(path).is_err(), "{path}");
        }
        // A checked directory is remembered: a second path in it is
        // joined without the file system, and a bad name is still refused.
        assert!(joiner.join("usr/bin/..").is_err());
        assert!(joiner.join("usr/bin/").is_err() == safe.join("usr/bin/").is_err());
    }
}
