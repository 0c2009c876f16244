//! An in-memory [`TroveSource`] for unit tests (group cooking, the clone
//! map): troves held in a map, every version returned (the finder picks),
//! dependency suggestions from the troves' provides. No changesets or
//! contents.

use std::collections::BTreeMap;
use std::io::Write;

use conary_api::{Job, Location, SourceError, TroveQuery, TroveSource};
use conary_core::deps::{Dependency, DependencySet};
use conary_core::digest::Digest;
use conary_core::trove::{Trove, TroveTuple};
use conary_core::version::{Label, Timestamp};

/// Troves held in memory.
#[derive(Default)]
pub(crate) struct MemorySource {
    /// The troves, by tuple.
    pub(crate) troves: BTreeMap<TroveTuple, Trove>,
    /// How many times [`MemorySource::commit`] ran (its timestamps).
    commits: u64,
}

impl MemorySource {
    /// Stores `trove` as it is.
    pub(crate) fn put(&mut self, trove: Trove) {
        self.troves.insert(trove.tuple(), trove);
    }

    /// Commits `troves` as a repository would: stamps their versions and
    /// the references to them.
    pub(crate) fn commit(&mut self, troves: &[Trove]) {
        self.commits += 1;
        let stamp = Timestamp::from_secs(1_800_000_000 + self.commits).expect("stamp");
        let stamped: BTreeMap<TroveTuple, TroveTuple> = troves
            .iter()
            .map(|t| {
                let mut s = t.tuple();
                s.version = s.version.with_timestamp(Some(stamp));
                (t.tuple(), s)
            })
            .collect();
        for trove in troves {
            let mut trove = trove.clone();
            trove.version = stamped[&trove.tuple()].version.clone();
            for refs in [&mut trove.strong_refs, &mut trove.weak_refs] {
                *refs = std::mem::take(refs)
                    .into_iter()
                    .map(|(t, r)| (stamped.get(&t).cloned().unwrap_or(t), r))
                    .collect();
            }
            self.put(trove);
        }
    }
}

impl TroveSource for MemorySource {
    fn trove_versions(&self, query: &TroveQuery) -> Result<Vec<TroveTuple>, SourceError> {
        Ok(self
            .troves
            .keys()
            .filter(|tuple| match &query.location {
                Location::Label(label) => tuple.version.trailing_label() == label,
                Location::Branch(branch) => tuple.version.branch() == branch,
            })
            .filter(|tuple| {
                query
                    .names
                    .as_ref()
                    .is_none_or(|names| names.contains(&tuple.name))
            })
            .cloned()
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

    fn changeset(&self, _: &[Job], _: bool, _: &mut dyn Write) -> Result<u64, SourceError> {
        Ok(0)
    }

    fn contents(&self, _: &Digest, _: &mut dyn Write) -> Result<u64, SourceError> {
        Ok(0)
    }

    fn dep_suggestions(
        &self,
        _: &[Label],
        requires: &DependencySet,
    ) -> Result<BTreeMap<Dependency, Vec<TroveTuple>>, SourceError> {
        let mut found: BTreeMap<Dependency, Vec<TroveTuple>> = BTreeMap::new();
        for required in requires.iter() {
            for trove in self.troves.values() {
                if trove.provides.satisfies_dependency(required) {
                    found
                        .entry(required.clone())
                        .or_default()
                        .push(trove.tuple());
                }
            }
        }
        Ok(found)
    }
}
