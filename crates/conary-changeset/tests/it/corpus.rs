//! The shared corpus of real Debian packages, and their extraction.
//!
//! The corpus lives in `shared/corpus/debian` beside the repository (CI
//! clones the repository with `shared/` next to it). It is looked up in each
//! ancestor of the repository root, so it is also found from a git worktree
//! nested deeper than the main checkout; `CONARY_DEBIAN_CORPUS` overrides
//! the search. A missing corpus fails the tests: it is never skipped.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root.
fn repository() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .ancestors()
        .nth(2)
        .expect("crates/conary-changeset sits two levels below the repository root")
        .to_path_buf()
}

/// The corpus directory, when it can be found.
pub fn find_corpus() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CONARY_DEBIAN_CORPUS") {
        return Some(PathBuf::from(dir));
    }
    repository()
        .ancestors()
        .skip(1)
        .map(|dir| dir.join("shared/corpus/debian"))
        .find(|dir| dir.join("MANIFEST").is_file())
}

/// The corpus directory; panics with a clear message when it is absent.
pub fn corpus_dir() -> PathBuf {
    find_corpus().unwrap_or_else(|| {
        panic!(
            "the Debian corpus is missing: expected shared/corpus/debian/MANIFEST beside {} \
             (or in one of its parents), or set CONARY_DEBIAN_CORPUS",
            repository().display()
        )
    })
}

/// Extracts `deb` (a file name in the corpus) into `target` with
/// `dpkg-deb -x`; panics with a clear message when that fails.
pub fn extract(deb: &str, target: &Path) -> PathBuf {
    let path = corpus_dir().join(deb);
    assert!(path.is_file(), "corpus file {} is missing", path.display());
    let status = Command::new("dpkg-deb")
        .arg("-x")
        .arg(&path)
        .arg(target)
        .status()
        .expect("dpkg-deb runs (install the dpkg package)");
    assert!(status.success(), "dpkg-deb -x {} failed", path.display());
    path
}
