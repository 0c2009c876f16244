//! Finding troves for a trove spec: where to look (the install label path,
//! the labels a version spec names, or the branch of an installed trove),
//! which version (the latest by commit time that matches) and which flavor
//! (the best for the system flavor path and the flavor preferences, or the
//! closest to an installed flavor).

use conary_api::{Location, TroveQuery};
use conary_core::flavor::{Flavor, FlavorSelector, MergeMode};
use conary_core::name::TroveName;
use conary_core::trove::TroveTuple;
use conary_core::version::{Timestamp, Version, VersionError, VersionSpec};

use super::Context;
use super::error::PlanError;

/// What to look for, and where.
pub(crate) struct Search<'s> {
    /// The spec as the user wrote it, for messages.
    pub spec: String,
    /// The trove name.
    pub name: &'s TroveName,
    /// The version asked for, if any; candidates must match it.
    pub version: Option<&'s VersionSpec>,
    /// The flavor asked for, if any.
    pub flavor: Option<&'s Flavor>,
    /// Where to look, in order; the first place with a fitting trove wins.
    pub locations: Vec<Location>,
    /// The installed flavor to stay close to (flavor affinity).
    pub affinity: Option<&'s Flavor>,
}

/// The outcome of a search that found nothing.
pub(crate) enum Missing {
    /// No trove of that name and version at any place searched.
    NotFound,
    /// Troves were there, in these flavors, but none fits.
    NoFlavor(Vec<Flavor>),
}

impl Missing {
    /// The error for `search`.
    pub fn into_error(self, search: &Search<'_>) -> PlanError {
        match self {
            Missing::NotFound => PlanError::NotFound {
                spec: search.spec.clone(),
                searched: search.locations.iter().map(location_text).collect(),
            },
            Missing::NoFlavor(available) => PlanError::NoFittingFlavor {
                spec: search.spec.clone(),
                available,
            },
        }
    }
}

/// A label or branch as text.
pub(crate) fn location_text(location: &Location) -> String {
    match location {
        Location::Label(label) => label.to_string(),
        Location::Branch(branch) => branch.to_string(),
    }
}

/// Where a version spec says to look, given the install label path; `None`
/// for no version (the install label path itself).
pub(crate) fn locations_for(
    context: &Context<'_>,
    spec: &str,
    version: Option<&VersionSpec>,
) -> Result<Vec<Location>, PlanError> {
    let label_path = &context.config.install_label_path;
    let Some(version) = version else {
        if label_path.is_empty() {
            return Err(PlanError::NoLabelPath {
                spec: spec.to_owned(),
            });
        }
        let mut locations: Vec<Location> = Vec::new();
        for label in label_path {
            let location = Location::Label(label.clone());
            if !locations.contains(&location) {
                locations.push(location);
            }
        }
        return Ok(locations);
    };
    match version {
        VersionSpec::Version(version) => Ok(vec![Location::Branch(version.branch().clone())]),
        VersionSpec::Branch(branch) => Ok(vec![Location::Branch(branch.clone())]),
        VersionSpec::Label { .. } | VersionSpec::Revision(_) => match version.resolve(label_path) {
            Ok(query) => Ok(query.labels.into_iter().map(Location::Label).collect()),
            Err(VersionError::LabelPathNeeded { .. }) => Err(PlanError::NoLabelPath {
                spec: spec.to_owned(),
            }),
            Err(source) => Err(PlanError::InvalidSpec {
                spec: spec.to_owned(),
                source,
            }),
        },
    }
}

/// Whether finding `version` needs every version rather than the latest of
/// each branch: when it names a revision.
fn needs_all_versions(version: Option<&VersionSpec>) -> bool {
    match version {
        None | Some(VersionSpec::Branch(_)) => false,
        Some(VersionSpec::Label { revision, .. }) => revision.is_some(),
        Some(VersionSpec::Version(_) | VersionSpec::Revision(_)) => true,
    }
}

/// The query flavors, in order: the system flavor path, each laid under
/// the installed flavor (flavor affinity) and then under the flavor asked
/// for.
fn query_flavors(context: &Context<'_>, search: &Search<'_>) -> Vec<Flavor> {
    let mut flavors = Vec::new();
    for system in &context.flavor_path {
        let mut query = system.clone();
        if let Some(installed) = search.affinity {
            query = query
                .override_with(installed, MergeMode::Prefs)
                .unwrap_or_else(|_| installed.clone());
        }
        if let Some(asked) = search.flavor {
            query = query
                .override_with(asked, MergeMode::Override)
                .unwrap_or_else(|_| asked.clone());
        }
        if !flavors.contains(&query) {
            flavors.push(query);
        }
    }
    flavors
}

/// The ordering key of a candidate: newer commits are greater; versions
/// without a timestamp order structurally after older ones.
type VersionKey = (Option<Timestamp>, Version);

/// Finds the trove `search` asks for: at the first location that has a
/// fitting one, the latest version with the best flavor for the first
/// query flavor that yields one.
pub(crate) fn find(
    context: &Context<'_>,
    search: &Search<'_>,
) -> Result<Result<TroveTuple, Missing>, PlanError> {
    let flavors = query_flavors(context, search);
    let mut selector = FlavorSelector::new(context.preferences.clone());
    if let Some(asked) = search.flavor {
        selector = selector.with_primary(asked.clone());
    }
    let mut available: Vec<Flavor> = Vec::new();
    for location in &search.locations {
        let mut query = TroveQuery {
            names: Some(vec![search.name.clone()]),
            location: location.clone(),
            all_versions: false,
        };
        if needs_all_versions(search.version) {
            query = query.all_versions();
        }
        let found = context
            .source
            .trove_versions(&query)
            .map_err(|source| PlanError::Source {
                doing: format!("look for {} on {}", search.spec, location_text(location)),
                source,
            })?;
        let candidates: Vec<(VersionKey, Flavor)> = found
            .into_iter()
            .filter(|tuple| &tuple.name == search.name)
            .filter(|tuple| {
                search
                    .version
                    .is_none_or(|spec| spec.matches(&tuple.version))
            })
            .map(|tuple| ((tuple.version.timestamp(), tuple.version), tuple.flavor))
            .collect();
        if candidates.is_empty() {
            continue;
        }
        for flavor in &flavors {
            if let Some(((_, version), flavor)) = selector.latest(flavor, &candidates) {
                return Ok(Ok(TroveTuple::new(
                    search.name.clone(),
                    version.clone(),
                    flavor.clone(),
                )));
            }
        }
        for (_, flavor) in candidates {
            if !available.contains(&flavor) {
                available.push(flavor);
            }
        }
    }
    if available.is_empty() {
        Ok(Err(Missing::NotFound))
    } else {
        available.sort();
        Ok(Err(Missing::NoFlavor(available)))
    }
}
