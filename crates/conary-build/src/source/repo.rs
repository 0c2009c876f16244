//! What the repository holds of a source trove: its versions (newest
//! first), the version a spec names, and one version's files with their
//! streams and contents (read from an absolute changeset).

use std::collections::BTreeMap;

use conary_api::{Job, TroveQuery, TroveSource};
use conary_changeset::{ChangeSetReader, NoContents, PayloadId};
use conary_core::digest::{Digest, FileId, PathId};
use conary_core::files::{FileKind, FileStream};
use conary_core::flavor::Flavor;
use conary_core::name::TroveName;
use conary_core::trove::{Trove, TroveTuple};
use conary_core::version::{Label, Version, VersionSpec};

use super::error::SourceError;
use super::state::check_file_name;

/// The source trove name `NAME:source` for a package name (or a name that
/// already ends in `:source`).
///
/// ```rust
/// assert_eq!(conary_build::source::source_name("hello").expect("valid").as_str(), "hello:source");
/// ```
pub fn source_name(name: &str) -> Result<TroveName, SourceError> {
    let parsed: TroveName = name.parse().map_err(|e| SourceError::BadTrove {
        trove: name.to_owned(),
        reason: format!("invalid trove name: {e}"),
    })?;
    Ok(parsed.source())
}

/// Every version of source trove `name` on `label` (every branch ending
/// there), newest first (by commit timestamp).
pub fn source_versions(
    source: &dyn TroveSource,
    name: &TroveName,
    label: &Label,
) -> Result<Vec<TroveTuple>, SourceError> {
    let query = TroveQuery::on_label(label.clone())
        .named([name.clone()])
        .all_versions();
    let mut tuples: Vec<TroveTuple> = source
        .trove_versions(&query)
        .map_err(|e| SourceError::repository(format!("cannot list {name} on {label}"), e))?
        .into_iter()
        .filter(|tuple| &tuple.name == name)
        .collect();
    tuples.sort_by_key(|tuple| std::cmp::Reverse(tuple.version.timestamp()));
    Ok(tuples)
}

/// The source version `spec` names, looked up from `label` (the build
/// label): no spec is the newest on `label`; otherwise a full version
/// (`/…/1.0-2`), a branch, a label (`host@ns:tag`, `:tag`), or a revision
/// on `label` (`1.0`, `1.0-2`); the newest match wins. Without `label`,
/// only a spec that names its label whole can be resolved.
pub fn resolve_source(
    source: &dyn TroveSource,
    name: &TroveName,
    spec: Option<&str>,
    label: Option<&Label>,
) -> Result<TroveTuple, SourceError> {
    let from = label.map_or_else(|| "no buildLabel".to_owned(), Label::to_string);
    let not_found = || SourceError::NotFound {
        what: match spec {
            Some(spec) => format!("{name}={spec} (from {from})"),
            None => format!("{name} on {from}"),
        },
    };
    let Some(spec) = spec else {
        let label = label.ok_or(SourceError::NoLabel)?;
        let found = source_versions(source, name, label)?;
        check_one_branch(name, &label.to_string(), &found)?;
        return found.into_iter().next().ok_or_else(not_found);
    };
    let parsed: VersionSpec = spec
        .parse()
        .map_err(|e| SourceError::version(format!("{name}={spec}"), e))?;
    let query = parsed
        .resolve(label.map(std::slice::from_ref).unwrap_or_default())
        .map_err(|e| SourceError::version(format!("{name}={spec}"), e))?;
    let mut found: Vec<TroveTuple> = Vec::new();
    for label in &query.labels {
        found.extend(
            source_versions(source, name, label)?
                .into_iter()
                .filter(|tuple| parsed.matches(&tuple.version.without_timestamps())),
        );
    }
    found.sort_by_key(|tuple| std::cmp::Reverse(tuple.version.timestamp()));
    if !matches!(parsed, VersionSpec::Version(_) | VersionSpec::Branch(_)) {
        check_one_branch(name, spec, &found)?;
    }
    found.into_iter().next().ok_or_else(not_found)
}

/// Refuses a label that names several branch instances of `name` (the
/// same label branched again from another version, or shadows of several
/// parents): the caller must name the branch whole.
fn check_one_branch(name: &TroveName, spec: &str, found: &[TroveTuple]) -> Result<(), SourceError> {
    let branches: std::collections::BTreeSet<String> = found
        .iter()
        .map(|tuple| tuple.version.without_timestamps().branch().to_string())
        .collect();
    if branches.len() > 1 {
        let list: Vec<String> = branches.into_iter().collect();
        return Err(SourceError::AmbiguousLabel {
            what: format!("{name}={spec}"),
            branches: list.join(", "),
            example: format!("{}={}", name.package_str(), list[0]),
        });
    }
    Ok(())
}

/// The path of checkout file `name` in a source trove: `/NAME`
/// (changesets hold absolute paths only).
pub(crate) fn trove_path(name: &str) -> String {
    format!("/{name}")
}

/// One file of a source version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    /// Its pathId.
    pub path_id: PathId,
    /// Its fileId.
    pub file_id: FileId,
    /// The version it was last changed in.
    pub version: Version,
    /// Its stream (mode, contents digest).
    pub stream: FileStream,
    /// Its contents.
    pub contents: Vec<u8>,
}

/// A source version as the repository holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceVersion {
    /// The source trove.
    pub trove: Trove,
    /// Its files, by name in the checkout (the trove's path without its
    /// leading `/`).
    pub files: BTreeMap<String, SourceFile>,
}

/// Reads source version `tuple`: its trove, every file's stream and
/// contents (from an absolute changeset; contents it only references are
/// fetched with [`TroveSource::contents`]).
pub fn fetch_source(
    source: &dyn TroveSource,
    tuple: &TroveTuple,
) -> Result<SourceVersion, SourceError> {
    let what = format!("cannot fetch {}={}", tuple.name, tuple.version);
    let job = Job::install(
        tuple.name.clone(),
        tuple.version.clone(),
        tuple.flavor.clone(),
    );
    let mut bytes = Vec::new();
    source
        .changeset(&[job], false, &mut bytes)
        .map_err(|e| SourceError::repository(&what, e))?;
    let mut reader =
        ChangeSetReader::new(&bytes[..]).map_err(|e| SourceError::changeset(&what, e))?;
    let mut carried: BTreeMap<Digest, Vec<u8>> = BTreeMap::new();
    while let Some(mut payload) = reader
        .next_payload(&NoContents)
        .map_err(|e| SourceError::changeset(&what, e))?
    {
        let id = payload.id();
        let data = payload
            .read_to_vec()
            .map_err(|e| SourceError::changeset(&what, e))?;
        if let PayloadId::Contents(digest) = id {
            carried.insert(digest, data);
        }
    }
    let changeset = reader
        .finish()
        .map_err(|e| SourceError::changeset(&what, e))?;
    let trove = changeset
        .troves
        .values()
        .map(|change| &change.new)
        .find(|trove| trove.name == tuple.name)
        .cloned()
        .ok_or_else(|| SourceError::BadTrove {
            trove: tuple.to_string(),
            reason: "not in the changeset the repository sent".to_owned(),
        })?;
    let mut files = BTreeMap::new();
    for (path_id, file) in &trove.files {
        let bad = |reason: String| SourceError::BadTrove {
            trove: tuple.to_string(),
            reason,
        };
        let stream = changeset
            .files
            .get(&file.file_id)
            .cloned()
            .ok_or_else(|| bad(format!("no stream for {}", file.path)))?;
        let FileKind::Regular { digest, .. } = &stream.kind else {
            return Err(bad(format!("{} is not a regular file", file.path)));
        };
        let contents = match carried.get(digest) {
            Some(data) => data.clone(),
            None => {
                let mut data = Vec::new();
                source
                    .contents(digest, &mut data)
                    .map_err(|e| SourceError::repository(format!("{what}: {}", file.path), e))?;
                data
            }
        };
        let name = file.path.strip_prefix('/').unwrap_or(&file.path);
        check_file_name(name).map_err(|e| bad(e.to_string()))?;
        files.insert(
            name.to_owned(),
            SourceFile {
                path_id: *path_id,
                file_id: file.file_id,
                version: file.file_version.clone(),
                stream,
                contents,
            },
        );
    }
    Ok(SourceVersion { trove, files })
}

/// The tuple of source trove `name` at `version` (source troves have the
/// empty flavor).
pub(crate) fn source_tuple(name: &TroveName, version: &Version) -> TroveTuple {
    TroveTuple::new(name.clone(), version.clone(), Flavor::default())
}
