//! `cvc shadow` and `cvc branch`: new troves on a shadow (`/parent//label`)
//! or a branch (`/parent/1.2-3/label`) that reference the parent's files.
//!
//! Where to start reading:
//!
//! - [`plan`]: which troves a request names (a package's source, the
//!   package with its components, every flavor of the matched build) and
//!   the version each gets on the target; the ones already there are
//!   marked so that shadowing twice changes nothing.
//! - [`ShadowPlan::write_changeset`]: the new troves in one absolute
//!   changeset whose file streams travel but whose contents stay where
//!   they are (the target server stores only the new troves, see
//!   `conary-repository`'s `contents_host`).
//! - [`relabel`] (`relabel.rs`): the rewrite of a trove onto another
//!   version, shared with clone and promote.
//!
//! No network here: troves come from a [`TroveSource`]; the caller commits
//! the changeset.

mod relabel;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::{BufWriter, Write as _};
use std::path::Path;

use conary_api::find::{FindError, FindOptions, Finder};
use conary_api::{Job, TroveQuery, TroveSource};
use conary_changeset::{ChangeSetBuilder, ChangeSetReader, MemContents, NoContents};
use conary_core::flavor::{Flavor, FlavorPreferences};
use conary_core::spec::TroveSpec;
use conary_core::trove::{TroveRef, TroveTuple};
use conary_core::version::{Label, Version, VersionError};

pub use relabel::relabel;

/// Why a shadow or branch could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ShadowError {
    /// A trove spec named nothing (or was not valid).
    #[error("cannot find {spec}: {source}")]
    Find {
        /// The spec as given.
        spec: String,
        /// Why.
        source: FindError,
    },
    /// A trove spec is not valid.
    #[error("invalid trove spec '{spec}': {reason}")]
    Spec {
        /// The spec as given.
        spec: String,
        /// What is wrong.
        reason: String,
    },
    /// The request names a component; shadow its package instead.
    #[error("{spec} names a component: shadow the package ({package})")]
    Component {
        /// The spec as given.
        spec: String,
        /// Its package.
        package: String,
    },
    /// The new version cannot be made (same label, circular shadow…).
    #[error("cannot put {trove} on {target}: {source}")]
    Version {
        /// The trove at fault.
        trove: String,
        /// The target label.
        target: String,
        /// Why.
        source: VersionError,
    },
    /// A branch is made from a source version only.
    #[error("{spec}: a branch is made from a source version; give NAME=VERSION of the source")]
    BranchBinary {
        /// The spec as given.
        spec: String,
    },
    /// The repository could not answer.
    #[error("{what}: {source}")]
    Repository {
        /// What was asked.
        what: String,
        /// Why it failed.
        source: conary_api::SourceError,
    },
    /// The repository sent a changeset that lacks a trove or stream.
    #[error("{what}: {reason}")]
    Changeset {
        /// What was being read or written.
        what: String,
        /// What is wrong.
        reason: String,
    },
    /// The changeset file could not be written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// What a request shadows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ShadowOptions {
    /// Only the `:source` troves (`--source-only`).
    pub source_only: bool,
    /// Only the binary packages and their components (`--binary-only`).
    pub binary_only: bool,
}

/// Where the new troves go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A shadow of each trove's branch onto this label.
    Shadow(Label),
    /// A branch off each source version onto this label.
    Branch(Label),
}

impl Target {
    /// The label of the new troves.
    pub fn label(&self) -> &Label {
        match self {
            Target::Shadow(label) | Target::Branch(label) => label,
        }
    }

    /// The version `parent` gets on this target.
    pub fn version_of(&self, parent: &Version) -> Result<Version, VersionError> {
        match self {
            Target::Shadow(label) => parent.without_timestamps().create_shadow(label.clone()),
            Target::Branch(label) => parent.create_branched_version(label.clone()),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Shadow(label) => write!(f, "shadow {label}"),
            Target::Branch(label) => write!(f, "branch {label}"),
        }
    }
}

/// One trove of a plan.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ShadowItem {
    /// The trove shadowed (with its timestamps).
    pub parent: TroveTuple,
    /// The new trove (no timestamps yet).
    pub new: TroveTuple,
    /// Whether the target holds it already.
    pub already: bool,
}

/// What a shadow or branch request makes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShadowPlan {
    /// Where the troves go.
    pub target: Target,
    /// The troves, in name order.
    pub items: Vec<ShadowItem>,
}

impl ShadowPlan {
    /// The items still to make.
    pub fn new_items(&self) -> impl Iterator<Item = &ShadowItem> {
        self.items.iter().filter(|item| !item.already)
    }

    /// Whether everything is there already.
    pub fn is_noop(&self) -> bool {
        self.new_items().next().is_none()
    }

    /// One line per trove: `shadow PARENT -> NEW` (or `already shadowed
    /// NEW`), as `--info` prints them.
    pub fn describe(&self) -> String {
        let (verb, done) = match self.target {
            Target::Shadow(_) => ("shadow", "already shadowed"),
            Target::Branch(_) => ("branch", "already branched"),
        };
        let mut out = String::new();
        for item in &self.items {
            let line = if item.already {
                format!("{done} {}\n", item.new)
            } else {
                format!(
                    "{verb} {}={}[{}] -> {}\n",
                    item.parent.name, item.parent.version, item.parent.flavor, item.new.version
                )
            };
            out.push_str(&line);
        }
        out
    }

    /// References of a relabelled collection: those the plan relabels get
    /// their new version, the others keep the parent's.
    fn references(
        &self,
        parent: &BTreeMap<TroveTuple, TroveRef>,
    ) -> Result<BTreeMap<TroveTuple, TroveRef>, ShadowError> {
        let mut out = BTreeMap::new();
        for (tuple, reference) in parent {
            let mut tuple = tuple.clone();
            if let Some(item) = self
                .items
                .iter()
                .find(|item| same_tuple(&item.parent, &tuple))
            {
                tuple.version = item.new.version.clone();
            }
            out.insert(tuple, reference.clone());
        }
        Ok(out)
    }

    /// Writes the new troves to `out` as one absolute changeset: each is
    /// its parent relabelled ([`relabel`]), its file streams carried, its
    /// contents only referenced (they stay with the parent's files).
    /// Returns the tuples written; nothing is written when the plan is a
    /// no-op.
    pub fn write_changeset(
        &self,
        source: &dyn TroveSource,
        out: &Path,
    ) -> Result<Vec<TroveTuple>, ShadowError> {
        let items: Vec<&ShadowItem> = self.new_items().collect();
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let what = format!("cannot read the troves to {}", self.target);
        let jobs: Vec<Job> = items
            .iter()
            .map(|item| {
                Job::install(
                    item.parent.name.clone(),
                    item.parent.version.clone(),
                    item.parent.flavor.clone(),
                )
            })
            .collect();
        let mut bytes = Vec::new();
        source
            .streams_changeset(&jobs, false, &mut bytes)
            .map_err(|source| ShadowError::Repository {
                what: what.clone(),
                source,
            })?;
        let index = ChangeSetReader::new(&bytes[..])
            .map_err(|e| changeset_error(&what, e))?
            .changeset()
            .clone();
        let mut parents = BTreeMap::new();
        for change in index.troves.values() {
            parents.insert(change.new.tuple(), &change.new);
        }
        let mut builder = ChangeSetBuilder::new();
        for stream in index.files.values() {
            if let Some(digest) = stream.content_digest() {
                builder.assume_available(digest);
            }
        }
        let mut written = Vec::new();
        for item in items {
            let parent = parents
                .iter()
                .find(|(tuple, _)| same_tuple(tuple, &item.parent))
                .map(|(_, trove)| *trove)
                .ok_or_else(|| ShadowError::Changeset {
                    what: what.clone(),
                    reason: format!("{} is not in the changeset sent", item.parent),
                })?;
            let map = |version: &Version| self.target.version_of(version);
            let mut trove = relabel(parent, &map).map_err(|source| ShadowError::Version {
                trove: item.parent.to_string(),
                target: self.target.label().to_string(),
                source,
            })?;
            // A reference to a trove outside the plan (a group's member)
            // keeps pointing at the parent's trove.
            trove.strong_refs = self.references(&parent.strong_refs)?;
            trove.weak_refs = self.references(&parent.weak_refs)?;
            let tuple = trove.tuple();
            if !tuple.name.is_component() {
                builder.add_primary(tuple.clone());
            }
            builder
                .add_absolute(trove, &index.files)
                .map_err(|e| changeset_error(&what, e))?;
            written.push(tuple);
        }
        let changeset = builder
            .build(&NoContents, &MemContents::new())
            .map_err(|e| changeset_error(&what, e))?;
        let file = std::fs::File::create(out).map_err(|source| ShadowError::Io {
            path: out.to_path_buf(),
            source,
        })?;
        let mut writer = conary_changeset::write_changeset(
            BufWriter::new(file),
            &changeset,
            &MemContents::new(),
        )
        .map_err(|e| changeset_error(&what, e))?;
        writer.flush().map_err(|source| ShadowError::Io {
            path: out.to_path_buf(),
            source,
        })?;
        Ok(written)
    }
}

fn changeset_error(what: &str, error: impl fmt::Display) -> ShadowError {
    ShadowError::Changeset {
        what: what.to_owned(),
        reason: error.to_string(),
    }
}

/// Whether two tuples name the same trove, timestamps aside.
fn same_tuple(a: &TroveTuple, b: &TroveTuple) -> bool {
    a.name == b.name
        && a.flavor == b.flavor
        && a.version.without_timestamps() == b.version.without_timestamps()
}

/// The troves `specs` name and what each becomes on `target`:
///
/// - `NAME` (a package): its newest build on `label_path` (or the version
///   the spec names), every flavor of that build (or the flavors matching
///   the spec's), with their components, and the `:source` it was built
///   from; without any build, the `:source` alone;
/// - `NAME:source`: that source trove alone;
/// - `options` leave out sources or binaries.
///
/// A branch ([`Target::Branch`]) is made from `:source` troves only.
/// Troves the target already holds are marked [`ShadowItem::already`].
pub fn plan(
    source: &dyn TroveSource,
    target: &Target,
    specs: &[TroveSpec],
    label_path: &[Label],
    options: ShadowOptions,
) -> Result<ShadowPlan, ShadowError> {
    let finder = Finder::new(
        source,
        label_path.to_vec(),
        Vec::new(),
        FlavorPreferences::default(),
    );
    let all = FindOptions {
        all_flavors: true,
        ..FindOptions::default()
    };
    let mut parents: BTreeSet<TroveTuple> = BTreeSet::new();
    for spec in specs {
        let text = spec.to_string();
        let find_error = |source| ShadowError::Find {
            spec: text.clone(),
            source,
        };
        let name = spec.name();
        if name.is_component() && !name.is_source() {
            return Err(ShadowError::Component {
                spec: text.clone(),
                package: name.package_str().to_owned(),
            });
        }
        let branch = matches!(target, Target::Branch(_));
        if name.is_source() || (options.source_only && !branch) {
            if options.binary_only {
                continue;
            }
            let source_spec = source_spec(spec)?;
            let found = finder.find(&source_spec, all).map_err(find_error)?;
            parents.extend(found);
            continue;
        }
        if branch {
            return Err(ShadowError::BranchBinary { spec: text });
        }
        let binaries = match finder.find(spec, all) {
            Ok(found) => found,
            Err(FindError::NotFound { .. }) if !options.binary_only => {
                // Never cooked: its source alone.
                let source_spec = source_spec(spec)?;
                parents.extend(finder.find(&source_spec, all).map_err(find_error)?);
                continue;
            }
            Err(error) => return Err(find_error(error)),
        };
        let troves = source
            .troves(&binaries)
            .map_err(|source| ShadowError::Repository {
                what: format!("cannot read {text}"),
                source,
            })?;
        for trove in &troves {
            if !options.source_only {
                parents.insert(trove.tuple());
                parents.extend(
                    trove
                        .strong_refs
                        .keys()
                        .filter(|child| child.name.package_str() == trove.name.as_str())
                        .filter(|child| child.version == trove.version)
                        .cloned(),
                );
            }
            if !options.binary_only {
                let source_version = trove
                    .info
                    .source_version
                    .clone()
                    .unwrap_or_else(|| trove.version.source_version());
                // A package imported without its source (a .deb) is
                // shadowed alone.
                let tuple = TroveTuple::new(name.source(), source_version, Flavor::default());
                if let Some(stored) = stored(source, &tuple)? {
                    parents.insert(stored);
                }
            }
        }
    }
    let mut items = Vec::new();
    for parent in parents {
        let new_version =
            target
                .version_of(&parent.version)
                .map_err(|source| ShadowError::Version {
                    trove: parent.to_string(),
                    target: target.label().to_string(),
                    source,
                })?;
        let new = TroveTuple::new(parent.name.clone(), new_version, parent.flavor.clone());
        let already = exists(source, &new)?;
        items.push(ShadowItem {
            parent,
            new,
            already,
        });
    }
    Ok(ShadowPlan {
        target: target.clone(),
        items,
    })
}

/// `NAME:source` with the version of `spec`.
fn source_spec(spec: &TroveSpec) -> Result<TroveSpec, ShadowError> {
    TroveSpec::new(spec.name().source(), spec.version().cloned(), None).map_err(|error| {
        ShadowError::Spec {
            spec: spec.to_string(),
            reason: error.to_string(),
        }
    })
}

/// Whether the repository holds `tuple` (timestamps aside).
fn exists(source: &dyn TroveSource, tuple: &TroveTuple) -> Result<bool, ShadowError> {
    Ok(stored(source, tuple)?.is_some())
}

/// The repository's tuple (with its timestamps) for `tuple`, if it holds
/// it.
fn stored(source: &dyn TroveSource, tuple: &TroveTuple) -> Result<Option<TroveTuple>, ShadowError> {
    let query = TroveQuery::on_branch(tuple.version.branch().clone())
        .named([tuple.name.clone()])
        .all_versions();
    match source.trove_versions(&query) {
        Ok(found) => Ok(found.into_iter().find(|found| same_tuple(found, tuple))),
        Err(conary_api::SourceError::NotFound(_)) => Ok(None),
        Err(source) => Err(ShadowError::Repository {
            what: format!("cannot list {} on {}", tuple.name, tuple.version.branch()),
            source,
        }),
    }
}
