//! `cvc merge`: a shadow's checkout brings in its parent branch's newer
//! source version. Each file is merged three ways: the base is the parent
//! version the shadow last merged (the checked-out version's parent, or
//! the `lastmerged` of the `CONARY` file), local is the checkout, new is
//! the parent's latest. Text files merge line by line (`diffy`), leaving
//! diff3-style conflict markers; a binary file changed on both sides is a
//! conflict (the local file is kept). The commit that follows is
//! numbered after the merged parent version (see `numbering.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::PermissionsExt as _;

use conary_api::{TroveQuery, TroveSource};
use conary_core::trove::TroveTuple;
use conary_core::version::Version;

use super::error::SourceError;
use super::repo::{SourceVersion, fetch_source};
use super::state::TrackedFile;
use super::working::Checkout;

/// What a merge did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MergeOutcome {
    /// The parent has nothing newer than what the shadow last merged.
    NothingToMerge {
        /// The parent's latest source version.
        latest: Box<TroveTuple>,
    },
    /// The parent's newer version was merged into the checkout.
    Merged(Box<MergeReport>),
}

/// The files a merge touched.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergeReport {
    /// The parent version brought in.
    pub merged: Option<TroveTuple>,
    /// The base the merge was made against.
    pub base: Option<TroveTuple>,
    /// Files changed by the merge (merged cleanly, added or removed).
    pub changed: BTreeSet<String>,
    /// Files with conflicts: text files hold the markers, binary files
    /// keep the local version.
    pub conflicts: BTreeSet<String>,
}

/// How one file merges.
#[derive(Debug, PartialEq, Eq)]
enum FileMerge {
    /// Keep the local file as it is.
    Keep,
    /// Write these contents (mode from the parent when the file is new).
    Write(Vec<u8>),
    /// Remove the file (removed by the parent, unchanged locally).
    Remove,
    /// Conflicting changes: write these contents (with markers) or keep
    /// the local file (`None`, a binary file).
    Conflict(Option<Vec<u8>>),
}

/// Merges one file: `base`, `local` and `new` are its contents in each
/// version (absent when the file is not there).
fn merge_file(base: Option<&[u8]>, local: Option<&[u8]>, new: Option<&[u8]>) -> FileMerge {
    if new == base || local == new {
        return FileMerge::Keep;
    }
    if local == base {
        return match new {
            Some(new) => FileMerge::Write(new.to_vec()),
            None => FileMerge::Remove,
        };
    }
    let (Some(local), Some(new)) = (local, new) else {
        // Removed on one side, changed on the other.
        return FileMerge::Conflict(None);
    };
    let base = base.unwrap_or_default();
    match (text(base), text(local), text(new)) {
        (Some(base), Some(local), Some(new)) => match diffy::merge(base, local, new) {
            Ok(merged) => FileMerge::Write(merged.into_bytes()),
            Err(marked) => FileMerge::Conflict(Some(marked.into_bytes())),
        },
        _ => FileMerge::Conflict(None),
    }
}

/// The contents as text, when they are (UTF-8 without NUL bytes).
fn text(contents: &[u8]) -> Option<&str> {
    if contents.contains(&0) {
        return None;
    }
    std::str::from_utf8(contents).ok()
}

/// Merges the parent branch's newest source version into `checkout` (a
/// checkout of a shadow): files are written in the checkout, files the
/// parent added are tracked, files it removed (unchanged locally) are
/// removed, and the state records the merged version as `lastmerged`.
///
/// Refused: a checkout that is not on a shadow, that has no committed
/// version, or whose version has no parent to merge from (a new upstream
/// version committed on the shadow).
pub fn merge_checkout(
    checkout: &mut Checkout,
    source: &dyn TroveSource,
) -> Result<MergeOutcome, SourceError> {
    let name = checkout.state.name.clone();
    let branch = checkout.state.branch.clone();
    let not_shadow = || SourceError::Merge {
        reason: format!("{name} is checked out on {branch}, which is not a shadow"),
    };
    if !branch.is_shadow() {
        return Err(not_shadow());
    }
    let parent_branch = branch.parent_branch().ok_or_else(not_shadow)?;
    let checked_out = checkout
        .state
        .version
        .clone()
        .ok_or_else(|| SourceError::Merge {
            reason: format!("{name} has no committed version on {branch} yet"),
        })?;
    let base_version = match &checkout.state.last_merged {
        Some(merged) => merged.clone(),
        None => checked_out
            .parent_version()
            .ok_or_else(|| SourceError::Merge {
                reason: format!(
                    "{checked_out} has no parent version on {parent_branch} to merge from"
                ),
            })?,
    };
    let query = TroveQuery::on_branch(parent_branch.clone())
        .named([name.clone()])
        .all_versions();
    let mut versions: Vec<TroveTuple> = source
        .trove_versions(&query)
        .map_err(|e| SourceError::repository(format!("cannot list {name} on {parent_branch}"), e))?
        .into_iter()
        .filter(|tuple| tuple.name == name)
        .collect();
    versions.sort_by_key(|tuple| std::cmp::Reverse(tuple.version.timestamp()));
    let latest = versions
        .first()
        .cloned()
        .ok_or_else(|| SourceError::NotFound {
            what: format!("{name} on {parent_branch}"),
        })?;
    let same = |a: &Version, b: &Version| a.without_timestamps() == b.without_timestamps();
    if same(&latest.version, &base_version) {
        return Ok(MergeOutcome::NothingToMerge {
            latest: Box::new(latest),
        });
    }
    let base_tuple = versions
        .iter()
        .find(|tuple| same(&tuple.version, &base_version))
        .cloned()
        .ok_or_else(|| SourceError::NotFound {
            what: format!("{name}={base_version} (the merge base)"),
        })?;
    let base = fetch_source(source, &base_tuple)?;
    let new = fetch_source(source, &latest)?;
    let mut report = merge_files(checkout, &base, &new)?;
    report.merged = Some(latest.clone());
    report.base = Some(base_tuple);
    checkout.state.last_merged = Some(latest.version);
    checkout.save()?;
    Ok(MergeOutcome::Merged(Box::new(report)))
}

/// Merges every file of `base`, the checkout and `new` into the checkout.
fn merge_files(
    checkout: &mut Checkout,
    base: &SourceVersion,
    new: &SourceVersion,
) -> Result<MergeReport, SourceError> {
    let working = checkout.working_files()?;
    let names: BTreeSet<String> = base
        .files
        .keys()
        .chain(working.keys())
        .chain(new.files.keys())
        .cloned()
        .collect();
    let mut report = MergeReport::default();
    for name in names {
        let base_file = base.files.get(&name).map(|f| f.contents.as_slice());
        let local_file = working.get(&name).map(|f| f.contents.as_slice());
        let new_file = new.files.get(&name);
        let path = checkout.dir().join(&name);
        match merge_file(
            base_file,
            local_file,
            new_file.map(|f| f.contents.as_slice()),
        ) {
            FileMerge::Keep => {}
            FileMerge::Remove => {
                std::fs::remove_file(&path).map_err(|e| SourceError::io(&path, e))?;
                checkout.state.files.remove(&name);
                report.changed.insert(name);
            }
            FileMerge::Write(contents) => {
                std::fs::write(&path, contents).map_err(|e| SourceError::io(&path, e))?;
                if let Some(new_file) = new_file
                    && !checkout.state.files.contains_key(&name)
                {
                    let mode = if new_file.stream.mode.bits() & 0o111 != 0 {
                        0o755
                    } else {
                        0o644
                    };
                    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))
                        .map_err(|e| SourceError::io(&path, e))?;
                    checkout.state.files.insert(
                        name.clone(),
                        TrackedFile {
                            path_id: new_file.path_id,
                            committed: None,
                        },
                    );
                }
                report.changed.insert(name);
            }
            FileMerge::Conflict(contents) => {
                if let Some(contents) = contents {
                    std::fs::write(&path, contents).map_err(|e| SourceError::io(&path, e))?;
                }
                report.conflicts.insert(name);
            }
        }
    }
    Ok(report)
}

/// Lines a merge's outcome prints (`cvc merge`).
pub fn describe_merge(outcome: &MergeOutcome) -> String {
    match outcome {
        MergeOutcome::NothingToMerge { latest } => {
            format!("nothing to merge: {latest} is merged already\n")
        }
        MergeOutcome::Merged(report) => {
            let mut out = String::new();
            if let Some(merged) = &report.merged {
                out.push_str(&format!("merged {merged}\n"));
            }
            let lines: BTreeMap<&String, &str> = report
                .changed
                .iter()
                .map(|name| (name, "M"))
                .chain(report.conflicts.iter().map(|name| (name, "C")))
                .collect();
            for (name, mark) in lines {
                out.push_str(&format!("{mark} {name}\n"));
            }
            if !report.conflicts.is_empty() {
                let names: Vec<&str> = report.conflicts.iter().map(String::as_str).collect();
                out.push_str(&format!(
                    "conflicts in {}: resolve them, then cvc commit\n",
                    names.join(", ")
                ));
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{FileMerge, merge_file};

    #[test]
    fn one_sided_changes_are_taken() {
        let base = b"a\nb\nc\n".as_slice();
        let changed = b"a\nB\nc\n".as_slice();
        assert_eq!(
            merge_file(Some(base), Some(base), Some(changed)),
            FileMerge::Write(changed.to_vec())
        );
        assert_eq!(
            merge_file(Some(base), Some(changed), Some(base)),
            FileMerge::Keep
        );
        assert_eq!(merge_file(Some(base), Some(base), None), FileMerge::Remove);
        assert_eq!(
            merge_file(None, None, Some(changed)),
            FileMerge::Write(changed.to_vec())
        );
        assert_eq!(merge_file(None, Some(changed), None), FileMerge::Keep);
    }

    #[test]
    fn text_changes_on_both_sides_merge_or_conflict() {
        let base = b"1\n2\n3\n4\n5\n6\n7\n".as_slice();
        let local = b"1\n2\n3\n4\n5\n6\n7\nlocal\n".as_slice();
        let new = b"one\n2\n3\n4\n5\n6\n7\n".as_slice();
        assert_eq!(
            merge_file(Some(base), Some(local), Some(new)),
            FileMerge::Write(b"one\n2\n3\n4\n5\n6\n7\nlocal\n".to_vec())
        );
        let clash = b"uno\n2\n3\n4\n5\n6\n7\n".as_slice();
        let FileMerge::Conflict(Some(marked)) = merge_file(Some(base), Some(clash), Some(new))
        else {
            panic!("a conflict with markers");
        };
        let marked = String::from_utf8(marked).expect("text");
        assert!(marked.contains("<<<<<<< ours\nuno\n"), "{marked}");
        assert!(
            marked.contains("=======\none\n>>>>>>> theirs\n"),
            "{marked}"
        );
    }

    #[test]
    fn binary_changes_on_both_sides_conflict() {
        let base = b"\0base".as_slice();
        assert_eq!(
            merge_file(Some(base), Some(b"\0local"), Some(b"\0new")),
            FileMerge::Conflict(None)
        );
        assert_eq!(
            merge_file(Some(base), Some(b"\0same"), Some(b"\0same")),
            FileMerge::Keep
        );
        // Removed by the parent, changed locally.
        assert_eq!(
            merge_file(Some(base), Some(b"\0local"), None),
            FileMerge::Conflict(None)
        );
    }
}
