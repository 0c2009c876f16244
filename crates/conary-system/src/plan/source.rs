//! Trove sources the planner builds itself: [`MemorySource`], troves held
//! in memory (the troves of a changeset file for `--from-file`, and tests),
//! and [`LayeredSource`], several sources searched in order.

use std::collections::BTreeMap;
use std::io::Write;

use conary_api::{Job, Location, SourceError, TroveQuery, TroveSource};
use conary_core::deps::{Dependency, DependencySet};
use conary_core::digest::Digest;
use conary_core::flavor::Flavor;
use conary_core::name::TroveName;
use conary_core::trove::{Trove, TroveTuple};
use conary_core::version::{Branch, Label, Version};

/// Troves held in memory, answering queries as a repository does: the
/// latest version of each name, branch and flavor unless every version is
/// asked for; newer means committed later (by timestamp).
///
/// It has manifests only: asking it for a changeset or contents fails.
///
/// ```rust
/// use conary_api::{TroveQuery, TroveSource};
/// use conary_core::trove::Trove;
/// use conary_core::version::Version;
/// use conary_system::plan::MemorySource;
/// let mut source = MemorySource::new();
/// for frozen in ["/a.example.com@rpl:1/1000.000:1.0-1-1", "/a.example.com@rpl:1/2000.000:1.1-1-1"] {
///     let version = Version::thaw(frozen).expect("version");
///     source.add(Trove::new("foo".parse().expect("name"), version, Default::default()));
/// }
/// let query = TroveQuery::on_label("a.example.com@rpl:1".parse().expect("label"));
/// let found = source.trove_versions(&query).expect("in memory");
/// assert_eq!(found.len(), 1);
/// assert_eq!(found[0].version.trailing_revision().to_string(), "1.1-1-1");
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemorySource {
    troves: BTreeMap<TroveTuple, Trove>,
}

impl MemorySource {
    /// An empty source.
    pub fn new() -> MemorySource {
        MemorySource::default()
    }

    /// A source holding `troves`.
    pub fn from_troves(troves: impl IntoIterator<Item = Trove>) -> MemorySource {
        let mut source = MemorySource::new();
        for trove in troves {
            source.add(trove);
        }
        source
    }

    /// Adds (or replaces) a trove.
    pub fn add(&mut self, trove: Trove) -> &mut MemorySource {
        self.troves.insert(trove.tuple(), trove);
        self
    }

    /// The number of troves held.
    pub fn len(&self) -> usize {
        self.troves.len()
    }

    /// Whether no trove is held.
    pub fn is_empty(&self) -> bool {
        self.troves.is_empty()
    }

    /// The troves at `location` named as asked: every version, or the
    /// latest of each name, branch and flavor.
    fn at(
        &self,
        names: Option<&[TroveName]>,
        location: &Location,
        all_versions: bool,
    ) -> Vec<&Trove> {
        let here = self.troves.values().filter(|trove| {
            names.is_none_or(|names| names.contains(&trove.name))
                && match location {
                    Location::Label(label) => trove.version.trailing_label() == label,
                    Location::Branch(branch) => trove.version.branch() == branch,
                }
        });
        if all_versions {
            return here.collect();
        }
        let mut latest: BTreeMap<(&TroveName, &Branch, &Flavor), &Trove> = BTreeMap::new();
        for trove in here {
            let key = (&trove.name, trove.version.branch(), &trove.flavor);
            match latest.get(&key) {
                Some(present) if !is_newer(&trove.version, &present.version) => {}
                _ => {
                    latest.insert(key, trove);
                }
            }
        }
        latest.into_values().collect()
    }
}

/// Whether `version` was committed after `other`; versions without
/// timestamps fall back to their structural order, so the choice is stable.
fn is_newer(version: &Version, other: &Version) -> bool {
    (version.timestamp(), version) > (other.timestamp(), other)
}

impl TroveSource for MemorySource {
    fn trove_versions(&self, query: &TroveQuery) -> Result<Vec<TroveTuple>, SourceError> {
        Ok(self
            .at(query.names.as_deref(), &query.location, query.all_versions)
            .into_iter()
            .map(Trove::tuple)
            .collect())
    }

    fn troves(&self, tuples: &[TroveTuple]) -> Result<Vec<Trove>, SourceError> {
        tuples
            .iter()
            .map(|tuple| {
                self.troves
                    .get(tuple)
                    .cloned()
                    .ok_or_else(|| SourceError::NotFound(tuple.to_string()))
            })
            .collect()
    }

    fn changeset(
        &self,
        _jobs: &[Job],
        _recurse: bool,
        _out: &mut dyn Write,
    ) -> Result<u64, SourceError> {
        Err(SourceError::Unavailable(
            "troves held in memory have no changesets".to_owned(),
        ))
    }

    fn contents(&self, digest: &Digest, _out: &mut dyn Write) -> Result<u64, SourceError> {
        Err(SourceError::NotFound(format!("contents {digest}")))
    }

    fn dep_suggestions(
        &self,
        labels: &[Label],
        requires: &DependencySet,
    ) -> Result<BTreeMap<Dependency, Vec<TroveTuple>>, SourceError> {
        let mut suggestions = BTreeMap::new();
        for required in requires.iter() {
            for label in labels {
                let providers: Vec<TroveTuple> = self
                    .at(None, &Location::Label(label.clone()), false)
                    .into_iter()
                    .filter(|trove| trove.provides.satisfies_dependency(required))
                    .map(Trove::tuple)
                    .collect();
                if !providers.is_empty() {
                    suggestions.insert(required.clone(), providers);
                    break;
                }
            }
        }
        Ok(suggestions)
    }
}

/// Several trove sources searched in order, as `--from-file` puts the
/// troves of changeset files before the repositories: a query is answered
/// by the first source with an answer, a manifest comes from the first
/// source that has it, and each requirement's providers from the first
/// source that suggests any.
///
/// ```rust
/// use conary_api::{TroveQuery, TroveSource};
/// use conary_system::plan::{LayeredSource, MemorySource};
/// let (first, second) = (MemorySource::new(), MemorySource::new());
/// let layered = LayeredSource::new(vec![&first, &second]);
/// let query = TroveQuery::on_label("a.example.com@rpl:1".parse().expect("label"));
/// assert!(layered.trove_versions(&query).expect("in memory").is_empty());
/// ```
pub struct LayeredSource<'a> {
    layers: Vec<&'a dyn TroveSource>,
}

impl<'a> LayeredSource<'a> {
    /// The sources, first searched first.
    pub fn new(layers: Vec<&'a dyn TroveSource>) -> LayeredSource<'a> {
        LayeredSource { layers }
    }
}

impl TroveSource for LayeredSource<'_> {
    fn trove_versions(&self, query: &TroveQuery) -> Result<Vec<TroveTuple>, SourceError> {
        for layer in &self.layers {
            let found = layer.trove_versions(query)?;
            if !found.is_empty() {
                return Ok(found);
            }
        }
        Ok(Vec::new())
    }

    fn troves(&self, tuples: &[TroveTuple]) -> Result<Vec<Trove>, SourceError> {
        let mut found: Vec<Option<Trove>> = vec![None; tuples.len()];
        for layer in &self.layers {
            let missing: Vec<(usize, TroveTuple)> = found
                .iter()
                .zip(tuples)
                .enumerate()
                .filter(|(_, (trove, _))| trove.is_none())
                .map(|(index, (_, tuple))| (index, tuple.clone()))
                .collect();
            if missing.is_empty() {
                break;
            }
            for (index, tuple) in missing {
                match layer.troves(std::slice::from_ref(&tuple)) {
                    Ok(mut troves) if troves.len() == 1 => {
                        if let Some(slot) = found.get_mut(index) {
                            *slot = troves.pop();
                        }
                    }
                    Ok(_) | Err(SourceError::NotFound(_)) => {}
                    Err(other) => return Err(other),
                }
            }
        }
        found
            .into_iter()
            .zip(tuples)
            .map(|(trove, tuple)| trove.ok_or_else(|| SourceError::NotFound(tuple.to_string())))
            .collect()
    }

    fn changeset(
        &self,
        jobs: &[Job],
        recurse: bool,
        out: &mut dyn Write,
    ) -> Result<u64, SourceError> {
        let mut last = SourceError::NotFound("no trove source".to_owned());
        for layer in &self.layers {
            match layer.changeset(jobs, recurse, out) {
                Ok(written) => return Ok(written),
                Err(error) => last = error,
            }
        }
        Err(last)
    }

    fn contents(&self, digest: &Digest, out: &mut dyn Write) -> Result<u64, SourceError> {
        let mut last = SourceError::NotFound(format!("contents {digest}"));
        for layer in &self.layers {
            match layer.contents(digest, out) {
                Ok(written) => return Ok(written),
                Err(error) => last = error,
            }
        }
        Err(last)
    }

    fn dep_suggestions(
        &self,
        labels: &[Label],
        requires: &DependencySet,
    ) -> Result<BTreeMap<Dependency, Vec<TroveTuple>>, SourceError> {
        let mut suggestions = BTreeMap::new();
        for layer in &self.layers {
            let open: DependencySet = requires
                .iter()
                .filter(|required| !suggestions.contains_key(*required))
                .cloned()
                .collect();
            if open.is_empty() {
                break;
            }
            for (dependency, providers) in layer.dep_suggestions(labels, &open)? {
                suggestions.entry(dependency).or_insert(providers);
            }
        }
        Ok(suggestions)
    }
}
