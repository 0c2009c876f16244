//! Finding troves for trove specs on an install label path, through any
//! [`TroveSource`]: what `conary rq`, `conary changeset` and `conary
//! update` ask before they act (the original's `findtrove.py`).
//!
//! A spec without a version is looked for on each label of the install
//! label path in turn, and the first label that has the trove wins; a
//! version spec names its labels (or a branch, or a version), resolved
//! against the path by [`VersionSpec::resolve`]. Of what is found, the
//! latest version — by commit time, never by comparing upstream strings —
//! with the best flavor for the configured flavor path is chosen (see
//! [`FlavorSelector::latest`]); an empty flavor path filters nothing, and
//! then every flavor of the latest version is returned.
//!
//! ```rust
//! use conary_api::find::{FindOptions, Finder};
//! # use conary_api::{Job, SourceError, TroveQuery, TroveSource};
//! # use conary_core::trove::{Trove, TroveTuple};
//! # struct Empty;
//! # impl TroveSource for Empty {
//! #     fn trove_versions(&self, _: &TroveQuery) -> Result<Vec<TroveTuple>, SourceError> { Ok(Vec::new()) }
//! #     fn troves(&self, _: &[TroveTuple]) -> Result<Vec<Trove>, SourceError> { Ok(Vec::new()) }
//! #     fn changeset(&self, _: &[Job], _: bool, _: &mut dyn std::io::Write) -> Result<u64, SourceError> { Ok(0) }
//! #     fn contents(&self, _: &conary_core::digest::Digest, _: &mut dyn std::io::Write) -> Result<u64, SourceError> { Ok(0) }
//! #     fn dep_suggestions(&self, _: &[conary_core::version::Label], _: &conary_core::deps::DependencySet)
//! #         -> Result<std::collections::BTreeMap<conary_core::deps::Dependency, Vec<TroveTuple>>, SourceError> { Ok(Default::default()) }
//! # }
//! let finder = Finder::new(&Empty, vec!["conary.example.com@rpl:2".parse()?], Vec::new(), Default::default());
//! let error = finder.find(&"sudo".parse()?, FindOptions::default()).expect_err("nothing there");
//! assert_eq!(error.to_string(), "sudo was not found on conary.example.com@rpl:2");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;

use conary_core::flavor::{Flavor, FlavorPreferences, FlavorSelector};
use conary_core::name::TroveName;
use conary_core::spec::TroveSpec;
use conary_core::trove::TroveTuple;
use conary_core::version::{Label, Timestamp, Version, VersionError, VersionSpec};

use crate::{Location, SourceError, TroveQuery, TroveSource};

/// Why no trove could be found.
#[derive(Debug, thiserror::Error)]
pub enum FindError {
    /// Nothing on the labels searched matches the spec.
    #[error("{spec} was not found on {labels}")]
    NotFound {
        /// The spec as given.
        spec: String,
        /// The labels (or branch) searched, space-separated.
        labels: String,
    },
    /// The spec needs an install label path and none is configured.
    #[error(
        "no label to search for {spec}: set installLabelPath, pass --install-label, or give NAME=LABEL"
    )]
    NoLabelPath {
        /// The spec as given.
        spec: String,
    },
    /// The spec matches several flavors and one trove was asked for.
    #[error("{spec} matches several flavors ({flavors}): give one as NAME=VERSION[FLAVOR]")]
    Ambiguous {
        /// The spec as given.
        spec: String,
        /// The flavors found, `[..]` each.
        flavors: String,
    },
    /// The version part of the spec cannot be resolved.
    #[error("{0}")]
    Version(#[from] VersionError),
    /// The trove source failed.
    #[error(transparent)]
    Source(#[from] SourceError),
}

/// What to return besides the latest version with the best flavor.
///
/// ```rust
/// let options = conary_api::find::FindOptions { all_versions: true, ..Default::default() };
/// assert!(!options.components);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FindOptions {
    /// Every version that matches, oldest first, not only the latest.
    pub all_versions: bool,
    /// Every flavor that passes the flavor path, not only the best.
    pub all_flavors: bool,
    /// When listing everything on the path, components (`NAME:SUFFIX`)
    /// too; a spec that names a component always finds it.
    pub components: bool,
}

/// Finds troves through a [`TroveSource`] as a configuration says: the
/// install label path, the flavor path (`flavor` lines) and the flavor
/// preferences.
pub struct Finder<'s> {
    source: &'s dyn TroveSource,
    label_path: Vec<Label>,
    flavor_path: Vec<Flavor>,
    selector: FlavorSelector,
}

impl std::fmt::Debug for Finder<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Finder")
            .field("label_path", &self.label_path)
            .field("flavor_path", &self.flavor_path)
            .finish_non_exhaustive()
    }
}

/// A version ordered by commit time (then structurally, for a total order).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct ByTime(Option<Timestamp>, Version);

impl<'s> Finder<'s> {
    /// A finder over `source` searching `label_path` and choosing flavors
    /// for `flavor_path` with `preferences` (config `flavorPreferences`;
    /// empty means those of each query flavor's instruction set).
    pub fn new(
        source: &'s dyn TroveSource,
        label_path: Vec<Label>,
        flavor_path: Vec<Flavor>,
        preferences: FlavorPreferences,
    ) -> Finder<'s> {
        Finder {
            source,
            label_path,
            flavor_path,
            selector: FlavorSelector::new(preferences),
        }
    }

    /// The install label path searched.
    pub fn label_path(&self) -> &[Label] {
        &self.label_path
    }

    /// The troves `spec` names: the latest matching version with the best
    /// flavor on the first label that has one (more as `options` say), in
    /// name, then commit-time order.
    pub fn find(
        &self,
        spec: &TroveSpec,
        options: FindOptions,
    ) -> Result<Vec<TroveTuple>, FindError> {
        let locations = self.locations(spec)?;
        let needs_history = spec.version().is_some_and(|version| {
            !matches!(
                version,
                VersionSpec::Branch(_) | VersionSpec::Label { revision: None, .. }
            )
        });
        let flavor_path: Vec<Flavor> = match spec.flavor() {
            Some(flavor) => vec![flavor.clone()],
            None => self.flavor_path.clone(),
        };
        for location in &locations {
            let query = TroveQuery {
                names: Some(vec![spec.name().clone()]),
                location: location.clone(),
                all_versions: options.all_versions || needs_history,
            };
            let found: Vec<TroveTuple> = self
                .source
                .trove_versions(&query)?
                .into_iter()
                .filter(|tuple| &tuple.name == spec.name())
                .filter(|tuple| spec.version().is_none_or(|v| v.matches(&tuple.version)))
                .collect();
            let chosen = self.choose(found, &flavor_path, options);
            if !chosen.is_empty() {
                return Ok(chosen);
            }
        }
        Err(FindError::NotFound {
            spec: spec.to_string(),
            labels: describe(&locations),
        })
    }

    /// Exactly one trove for `spec` (the latest with the best flavor);
    /// refuses a spec that matches several flavors equally.
    pub fn find_one(&self, spec: &TroveSpec) -> Result<TroveTuple, FindError> {
        let mut found = self.find(spec, FindOptions::default())?;
        if found.len() > 1 {
            let flavors: Vec<String> = found.iter().map(|t| format!("[{}]", t.flavor)).collect();
            return Err(FindError::Ambiguous {
                spec: spec.to_string(),
                flavors: flavors.join(", "),
            });
        }
        found.pop().ok_or_else(|| FindError::NotFound {
            spec: spec.to_string(),
            labels: self.path_text(),
        })
    }

    /// Every trove on the install label path: for each name, what
    /// [`find`](Self::find) would give for the bare name. Components only
    /// with [`FindOptions::components`].
    pub fn list_all(&self, options: FindOptions) -> Result<Vec<TroveTuple>, FindError> {
        if self.label_path.is_empty() {
            return Err(FindError::NoLabelPath {
                spec: "every trove".to_owned(),
            });
        }
        let mut by_name: BTreeMap<TroveName, Vec<TroveTuple>> = BTreeMap::new();
        for label in &self.label_path {
            let mut query = TroveQuery::on_label(label.clone());
            query.all_versions = options.all_versions;
            let mut here: BTreeMap<TroveName, Vec<TroveTuple>> = BTreeMap::new();
            for tuple in self.source.trove_versions(&query)? {
                if !options.components && tuple.name.is_component() {
                    continue;
                }
                here.entry(tuple.name.clone()).or_default().push(tuple);
            }
            for (name, tuples) in here {
                if by_name.contains_key(&name) {
                    continue;
                }
                let chosen = self.choose(tuples, &self.flavor_path, options);
                if !chosen.is_empty() {
                    by_name.insert(name, chosen);
                }
            }
        }
        Ok(by_name.into_values().flatten().collect())
    }

    /// Where to look for `spec`, in order.
    fn locations(&self, spec: &TroveSpec) -> Result<Vec<Location>, FindError> {
        match spec.version() {
            None if self.label_path.is_empty() => Err(FindError::NoLabelPath {
                spec: spec.to_string(),
            }),
            None => Ok(self
                .label_path
                .iter()
                .cloned()
                .map(Location::Label)
                .collect()),
            Some(VersionSpec::Version(version)) => {
                Ok(vec![Location::Branch(version.branch().clone())])
            }
            Some(VersionSpec::Branch(branch)) => Ok(vec![Location::Branch(branch.clone())]),
            Some(version) => {
                let query = version
                    .resolve(&self.label_path)
                    .map_err(|error| match error {
                        VersionError::LabelPathNeeded { .. } => FindError::NoLabelPath {
                            spec: spec.to_string(),
                        },
                        other => FindError::Version(other),
                    })?;
                Ok(query.labels.into_iter().map(Location::Label).collect())
            }
        }
    }

    /// Of the versions of one or more names found at one location: per
    /// name, the latest with the best flavor (more as `options` say), in
    /// name then commit-time order.
    fn choose(
        &self,
        found: Vec<TroveTuple>,
        flavor_path: &[Flavor],
        options: FindOptions,
    ) -> Vec<TroveTuple> {
        // The flavors of one version may have been committed at different
        // times: a version is as new as its newest commit.
        let mut stamps: BTreeMap<(TroveName, Version), Option<Timestamp>> = BTreeMap::new();
        for tuple in &found {
            let stamp = stamps
                .entry((tuple.name.clone(), tuple.version.clone()))
                .or_default();
            *stamp = (*stamp).max(tuple.version.timestamp());
        }
        let mut by_name: BTreeMap<TroveName, Vec<(ByTime, Flavor)>> = BTreeMap::new();
        for tuple in found {
            let stamp = stamps
                .get(&(tuple.name.clone(), tuple.version.clone()))
                .copied()
                .flatten();
            let key = ByTime(stamp, tuple.version);
            by_name
                .entry(tuple.name)
                .or_default()
                .push((key, tuple.flavor));
        }
        let mut chosen = Vec::new();
        for (name, mut candidates) in by_name {
            candidates.sort();
            candidates.dedup();
            let passing: Vec<(ByTime, Flavor)> = if flavor_path.is_empty() {
                candidates
            } else {
                candidates
                    .into_iter()
                    .filter(|(_, flavor)| {
                        flavor_path
                            .iter()
                            .any(|query| self.selector.score(query, flavor).is_some())
                    })
                    .collect()
            };
            let picked: Vec<(ByTime, Flavor)> = if options.all_versions {
                passing
            } else if flavor_path.is_empty() || options.all_flavors {
                let latest = passing.iter().map(|(key, _)| key).max().cloned();
                passing
                    .into_iter()
                    .filter(|(key, _)| Some(key) == latest.as_ref())
                    .collect()
            } else {
                flavor_path
                    .iter()
                    .find_map(|query| self.selector.latest(query, &passing))
                    .map(|(key, flavor)| vec![(key.clone(), flavor.clone())])
                    .unwrap_or_default()
            };
            chosen.extend(picked.into_iter().map(|(ByTime(_, version), flavor)| {
                TroveTuple::new(name.clone(), version, flavor)
            }));
        }
        chosen
    }

    fn path_text(&self) -> String {
        let labels: Vec<Location> = self
            .label_path
            .iter()
            .cloned()
            .map(Location::Label)
            .collect();
        describe(&labels)
    }
}

/// The locations searched, for messages.
fn describe(locations: &[Location]) -> String {
    let names: Vec<String> = locations
        .iter()
        .map(|location| match location {
            Location::Label(label) => label.to_string(),
            Location::Branch(branch) => branch.to_string(),
        })
        .collect();
    if names.is_empty() {
        "an empty label path".to_owned()
    } else {
        names.join(" ")
    }
}

#[cfg(test)]
mod tests;
