//! Access to the shared corpus of real Debian packages.
//!
//! The corpus lives in `shared/corpus/debian` beside the repository (CI
//! clones the repository with `shared/` next to it). It is looked up in each
//! ancestor of the repository root, so it is also found from a git worktree
//! nested deeper than the main checkout; `CONARY_DEBIAN_CORPUS` overrides
//! the search. A missing corpus fails the tests: it is never skipped.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

use conary_build::deb::{DebEntry, DebError, DebMetadata, DebReader, DebSummary};

/// The corpus directory; panics with a clear message when it is absent.
pub fn corpus_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CONARY_DEBIAN_CORPUS") {
        return PathBuf::from(dir);
    }
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let repository = manifest_dir
        .ancestors()
        .nth(2)
        .expect("crates/conary-build sits two levels below the repository root");
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

/// Every `.deb` file name of the corpus, sorted.
pub fn deb_files() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(corpus_dir())
        .expect("corpus directory is readable")
        .map(|entry| {
            entry
                .expect("corpus entry is readable")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".deb"))
        .collect();
    names.sort();
    names
}

/// A corpus package read whole: metadata, entries by path (in archive
/// order), and the summary; contents are read and counted, not kept.
pub struct ReadPackage {
    pub metadata: DebMetadata,
    pub entries: Vec<DebEntry>,
    pub summary: DebSummary,
    pub bytes_read: u64,
}

impl ReadPackage {
    pub fn entry(&self, path: &str) -> &DebEntry {
        self.entries
            .iter()
            .find(|entry| entry.path == path)
            .unwrap_or_else(|| panic!("{path} is in the package"))
    }

    pub fn by_path(&self) -> BTreeMap<&str, &DebEntry> {
        self.entries
            .iter()
            .map(|entry| (entry.path.as_str(), entry))
            .collect()
    }
}

/// Reads corpus package `name`.
pub fn read_package(name: &str) -> ReadPackage {
    let path = corpus_dir().join(name);
    let file = File::open(&path).unwrap_or_else(|err| panic!("open {}: {err}", path.display()));
    let reader = DebReader::new(BufReader::new(file))
        .unwrap_or_else(|err| panic!("{name}: cannot read metadata: {err}"));
    let metadata = reader.metadata().clone();
    let mut entries = Vec::new();
    let mut bytes_read = 0u64;
    let summary = reader
        .for_each_entry(|entry, contents| {
            let mut buffer = [0u8; 64 * 1024];
            loop {
                let read = contents.read(&mut buffer).map_err(|source| DebError::Io {
                    member: entry.path.clone(),
                    source,
                })?;
                if read == 0 {
                    break;
                }
                bytes_read += read as u64;
            }
            entries.push(entry.clone());
            Ok::<(), DebError>(())
        })
        .unwrap_or_else(|err| panic!("{name}: cannot read data: {err}"));
    assert_eq!(summary.metadata, metadata);
    ReadPackage {
        metadata,
        entries,
        summary,
        bytes_read,
    }
}
