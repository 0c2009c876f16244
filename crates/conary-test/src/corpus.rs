//! The shared corpus of real Debian packages.
//!
//! It lives in `shared/corpus/debian` beside the repository (CI clones the
//! repository with `shared/` next to it) and is looked up in each ancestor
//! of the repository root, so it is also found from a git worktree nested
//! deeper than the main checkout; `CONARY_DEBIAN_CORPUS` overrides the
//! search. A missing corpus fails the tests: it is never skipped.

use std::collections::BTreeMap;
use std::path::PathBuf;

use conary_build::import::{ImportCandidate, order_for_import};

/// The corpus directory; panics with a clear message when it is absent.
pub fn corpus_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CONARY_DEBIAN_CORPUS") {
        return PathBuf::from(dir);
    }
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let repository = manifest_dir
        .ancestors()
        .nth(2)
        .expect("crates/conary-test sits two levels below the repository root");
    repository
        .ancestors()
        .skip(1)
        .map(|dir| dir.join("shared/corpus/debian"))
        .find(|dir| dir.join("MANIFEST").is_file())
        .unwrap_or_else(|| {
            panic!(
                "the Debian corpus is missing: expected shared/corpus/debian/MANIFEST beside {} \
                 (or in one of its parents), or set CONARY_DEBIAN_CORPUS",
                repository.display()
            )
        })
}

/// Every `.deb` of the corpus, sorted by path.
pub fn deb_files() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("the corpus directory is readable")
        .map(|entry| entry.expect("a corpus entry is readable").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "deb"))
        .collect();
    paths.sort();
    paths
}

/// The `.deb` files of each package, oldest first as dpkg orders versions.
pub fn by_package() -> BTreeMap<String, Vec<ImportCandidate>> {
    let mut packages: BTreeMap<String, Vec<ImportCandidate>> = BTreeMap::new();
    for candidate in order_for_import(&deb_files()).expect("the corpus reads") {
        packages
            .entry(candidate.package.clone())
            .or_default()
            .push(candidate);
    }
    packages
}

/// The oldest `.deb` of each package.
pub fn oldest() -> Vec<ImportCandidate> {
    by_package()
        .into_values()
        .filter_map(|versions| versions.into_iter().next())
        .collect()
}

/// The newest `.deb` of each package.
pub fn newest() -> Vec<ImportCandidate> {
    by_package()
        .into_values()
        .filter_map(|versions| versions.into_iter().last())
        .collect()
}
