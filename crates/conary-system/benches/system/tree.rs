//! What a root holds, to check that conary and dpkg leave the same files
//! (not timed).

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::MetadataExt as _;
use std::path::Path;

use conary_core::digest::Digest;

use crate::measure::BenchResult;

/// The package managers' own state, left out.
const SKIPPED: [&str; 2] = ["var/lib/conarydb", "var/lib/dpkg"];

/// The suffix `dpkg --unpack` gives config files until they are
/// configured.
const DPKG_NEW: &str = ".dpkg-new";

/// A file or symbolic link (directories are not compared: each package
/// manager makes its own).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    File { mode: u32, digest: Digest },
    Link { target: String },
    Other { mode: u32 },
}

/// Every file and link under `root` by relative path; `name.dpkg-new`
/// counts as `name`.
pub fn snapshot(root: &Path) -> BenchResult<BTreeMap<String, Entry>> {
    let mut entries = BTreeMap::new();
    walk(root, root, &mut entries)?;
    Ok(entries)
}

fn walk(root: &Path, dir: &Path, entries: &mut BTreeMap<String, Entry>) -> BenchResult<()> {
    for child in fs::read_dir(dir)? {
        let path = child?.path();
        let relative = path.strip_prefix(root)?.to_string_lossy().into_owned();
        if SKIPPED.contains(&relative.as_str()) {
            continue;
        }
        let metadata = fs::symlink_metadata(&path)?;
        let mode = metadata.mode() & 0o7777;
        let entry = if metadata.is_dir() {
            walk(root, &path, entries)?;
            continue;
        } else if metadata.is_file() {
            Entry::File {
                mode,
                digest: Digest::of(&fs::read(&path)?),
            }
        } else if metadata.file_type().is_symlink() {
            Entry::Link {
                target: fs::read_link(&path)?.to_string_lossy().into_owned(),
            }
        } else {
            Entry::Other { mode }
        };
        match relative.strip_suffix(DPKG_NEW) {
            Some(configured) => {
                entries.insert(configured.to_owned(), entry);
            }
            None => {
                entries.entry(relative).or_insert(entry);
            }
        }
    }
    Ok(())
}

/// The paths where two snapshots differ (missing on one side, or
/// different), sorted.
pub fn differences(left: &BTreeMap<String, Entry>, right: &BTreeMap<String, Entry>) -> Vec<String> {
    let mut paths: Vec<String> = left
        .iter()
        .filter(|(path, entry)| right.get(*path) != Some(entry))
        .map(|(path, _)| path.clone())
        .collect();
    paths.extend(
        right
            .keys()
            .filter(|path| !left.contains_key(*path))
            .cloned(),
    );
    paths.sort();
    paths
}

/// "identical", or how many paths differ with the first few.
pub fn describe(differences: &[String]) -> String {
    if differences.is_empty() {
        return "identical".to_owned();
    }
    let shown: Vec<&str> = differences.iter().take(5).map(String::as_str).collect();
    format!("{} paths differ: {}", differences.len(), shown.join(", "))
}
