//! The job under construction: which installed troves go, which new troves
//! come, and which installed trove each new one replaces.

use std::collections::{BTreeMap, BTreeSet};

use conary_api::Job;
use conary_core::name::TroveName;
use conary_core::trove::{Trove, TroveTuple};
use regex::Regex;

use super::error::PlanError;
use super::system::InstalledTrove;

/// The installed troves, indexed by tuple and by name.
pub(crate) struct Installed {
    troves: BTreeMap<TroveTuple, InstalledTrove>,
    by_name: BTreeMap<TroveName, Vec<TroveTuple>>,
    pin_patterns: Vec<Regex>,
}

impl Installed {
    /// Indexes `troves`; names matching `pin_patterns` count as pinned.
    pub fn new(troves: Vec<InstalledTrove>, pin_patterns: Vec<Regex>) -> Installed {
        let mut index = Installed {
            troves: BTreeMap::new(),
            by_name: BTreeMap::new(),
            pin_patterns,
        };
        for installed in troves {
            let tuple = installed.tuple();
            index
                .by_name
                .entry(tuple.name.clone())
                .or_default()
                .push(tuple.clone());
            index.troves.insert(tuple, installed);
        }
        index
    }

    /// The installed trove with this tuple.
    pub fn get(&self, tuple: &TroveTuple) -> Option<&InstalledTrove> {
        self.troves.get(tuple)
    }

    /// Whether this tuple is installed.
    pub fn contains(&self, tuple: &TroveTuple) -> bool {
        self.troves.contains_key(tuple)
    }

    /// The installed troves named `name`, in tuple order.
    pub fn named(&self, name: &TroveName) -> &[TroveTuple] {
        self.by_name.get(name).map_or(&[], Vec::as_slice)
    }

    /// Every installed trove.
    pub fn iter(&self) -> impl Iterator<Item = &InstalledTrove> {
        self.troves.values()
    }

    /// Whether the trove is pinned, by `conary pin` or by `pinTroves`.
    pub fn is_pinned(&self, tuple: &TroveTuple) -> bool {
        self.troves.get(tuple).is_some_and(|installed| {
            installed.pinned
                || self
                    .pin_patterns
                    .iter()
                    .any(|pattern| pattern.is_match(tuple.name.as_str()))
        })
    }
}

/// The job being built.
#[derive(Debug, Default)]
pub(crate) struct Work {
    /// New troves, each with the installed trove it replaces (`None`: a
    /// fresh install, or an install beside what is there).
    pub added: BTreeMap<TroveTuple, Option<TroveTuple>>,
    /// Installed troves that go (erased or replaced).
    pub removed: BTreeSet<TroveTuple>,
    /// New troves asked for by a spec.
    pub primary_new: BTreeSet<TroveTuple>,
    /// Installed troves a spec asked to erase.
    pub primary_erased: BTreeSet<TroveTuple>,
    /// Collections whose members still have to be visited:
    /// (old, new) pairs.
    pub pending: Vec<(Option<TroveTuple>, Option<TroveTuple>)>,
    /// Manifests of new troves, fetched from the trove source.
    pub manifests: BTreeMap<TroveTuple, Trove>,
}

impl Work {
    /// Whether `tuple` is part of the system after the job.
    pub fn is_present(&self, installed: &Installed, tuple: &TroveTuple) -> bool {
        self.added.contains_key(tuple)
            || (installed.contains(tuple) && !self.removed.contains(tuple))
    }

    /// The installed troves named `name` that the job has not removed.
    pub fn remaining<'i>(&self, installed: &'i Installed, name: &TroveName) -> Vec<&'i TroveTuple> {
        installed
            .named(name)
            .iter()
            .filter(|tuple| !self.removed.contains(*tuple))
            .collect()
    }

    /// Installs `new` beside what is there.
    pub fn install(&mut self, installed: &Installed, new: TroveTuple, primary: bool) {
        if installed.contains(&new) && self.removed.contains(&new) {
            // Erased and asked for again: it stays.
            self.keep(&new);
            return;
        }
        if self.is_present(installed, &new) {
            if primary && self.added.contains_key(&new) {
                self.primary_new.insert(new);
            }
            return;
        }
        if primary {
            self.primary_new.insert(new.clone());
        }
        self.queue(None, Some(new.clone()));
        self.added.insert(new, None);
    }

    /// Replaces the installed `old` with `new`; a pinned `old` stays and
    /// `new` goes beside it. Nothing happens when `new` is already there
    /// or `old` is already gone.
    pub fn update(
        &mut self,
        installed: &Installed,
        old: TroveTuple,
        new: TroveTuple,
        primary: bool,
    ) {
        if old == new || self.removed.contains(&old) {
            return;
        }
        if installed.is_pinned(&old) {
            self.install(installed, new, primary);
            return;
        }
        if self.is_present(installed, &new) {
            return;
        }
        if primary {
            self.primary_new.insert(new.clone());
        }
        self.removed.insert(old.clone());
        self.queue(Some(old.clone()), Some(new.clone()));
        self.added.insert(new, Some(old));
    }

    /// Erases the installed `old`. A pinned trove is refused when a spec
    /// named it and silently kept otherwise.
    pub fn erase(
        &mut self,
        installed: &Installed,
        old: TroveTuple,
        primary: bool,
    ) -> Result<(), PlanError> {
        if installed.is_pinned(&old) {
            if primary {
                return Err(PlanError::Pinned {
                    trove: Box::new(old),
                });
            }
            return Ok(());
        }
        if !installed.contains(&old) || self.removed.contains(&old) {
            return Ok(());
        }
        if primary {
            self.primary_erased.insert(old.clone());
        }
        self.removed.insert(old.clone());
        self.queue(Some(old), None);
        Ok(())
    }

    /// Keeps an installed trove the job was going to erase or replace; a
    /// trove replacing it goes in beside it instead.
    pub fn keep(&mut self, old: &TroveTuple) {
        if !self.removed.remove(old) {
            return;
        }
        for replaced in self.added.values_mut() {
            if replaced.as_ref() == Some(old) {
                *replaced = None;
            }
        }
    }

    /// Queues a collection change for its members to be visited.
    fn queue(&mut self, old: Option<TroveTuple>, new: Option<TroveTuple>) {
        let is_collection = |tuple: &Option<TroveTuple>| {
            tuple
                .as_ref()
                .is_some_and(|tuple| tuple.name.is_collection())
        };
        if is_collection(&old) || is_collection(&new) {
            self.pending.push((old, new));
        }
    }

    /// The jobs, in order: one per new trove (install or update), one per
    /// removed trove nothing replaces (erase).
    pub fn jobs(&self) -> Vec<Job> {
        let mut jobs: Vec<Job> = Vec::new();
        let mut replaced: BTreeSet<&TroveTuple> = BTreeSet::new();
        for (new, old) in &self.added {
            let new_side = (new.version.clone(), new.flavor.clone());
            jobs.push(match old {
                Some(old) => {
                    replaced.insert(old);
                    Job::update(
                        new.name.clone(),
                        (old.version.clone(), old.flavor.clone()),
                        new_side,
                    )
                }
                None => Job::install(new.name.clone(), new_side.0, new_side.1),
            });
        }
        for old in &self.removed {
            if !replaced.contains(old) {
                jobs.push(Job::erase(
                    old.name.clone(),
                    old.version.clone(),
                    old.flavor.clone(),
                ));
            }
        }
        jobs.sort();
        jobs
    }

    /// Whether `job` comes straight from a spec.
    pub fn is_primary(&self, job: &Job) -> bool {
        match (job.new_tuple(), job.old_tuple()) {
            (Some(new), _) => self.primary_new.contains(&new),
            (None, Some(old)) => self.primary_erased.contains(&old),
            (None, None) => false,
        }
    }
}

/// How well an installed trove matches a new trove of the same name, for
/// deciding which one the new trove replaces: same branch first, then the
/// same instruction set, then the same label, then the closest version.
pub(crate) fn replacement_score(
    installed: &TroveTuple,
    new: &TroveTuple,
) -> (bool, bool, bool, u64) {
    let same_branch = installed.version.branch() == new.version.branch();
    let same_arch = new
        .flavor
        .strongly_satisfies(&installed.flavor.instruction_set_flavor());
    let same_label = installed.version.trailing_label() == new.version.trailing_label();
    // Closeness is a fraction in [0, 1]; a whole number keeps the key `Ord`.
    let closeness = (installed.version.closeness(&new.version) * 1_000_000.0) as u64;
    (same_branch, same_arch, same_label, closeness)
}

/// Of `candidates` (installed troves of the new trove's name), the one the
/// new trove replaces.
pub(crate) fn best_replaced<'c>(
    candidates: &[&'c TroveTuple],
    new: &TroveTuple,
) -> Option<&'c TroveTuple> {
    candidates.iter().copied().max_by(|a, b| {
        replacement_score(a, new)
            .cmp(&replacement_score(b, new))
            .then_with(|| b.cmp(a))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tuple(text: &str) -> TroveTuple {
        text.parse().expect("tuple")
    }

    fn installed(tuples: &[&str], pinned: &[&str]) -> Installed {
        let troves = tuples
            .iter()
            .map(|text| {
                let tuple = tuple(text);
                let trove = Trove::new(tuple.name, tuple.version, tuple.flavor);
                let installed = InstalledTrove::new(trove);
                if pinned.contains(text) {
                    installed.pinned()
                } else {
                    installed
                }
            })
            .collect();
        Installed::new(troves, Vec::new())
    }

    const OLD: &str = "foo=/a.example.com@rpl:1/1.0-1-1[]";
    const NEW: &str = "foo=/a.example.com@rpl:1/1.1-1-1[]";

    fn job_texts(work: &Work) -> Vec<String> {
        work.jobs()
            .iter()
            .map(|job| {
                format!(
                    "{:?} {:?}",
                    job.old_tuple().map(|t| t.to_string()),
                    job.new_tuple().map(|t| t.to_string())
                )
            })
            .collect()
    }

    #[test]
    fn bookkeeping_of_installs_updates_and_erasures() {
        // (installed, pinned, operations, expected jobs as (old, new))
        type Operation = fn(&mut Work, &Installed);
        /// Installed, pinned, operations, expected jobs as (old, new).
        type Case<'a> = (&'a [&'a str], &'a [&'a str], &'a [Operation], Expected<'a>);
        type Expected<'a> = &'a [(Option<&'a str>, Option<&'a str>)];
        let cases: &[Case<'_>] = &[
            (
                &[OLD],
                &[],
                &[|w, i| w.update(i, tuple(OLD), tuple(NEW), true)],
                &[(Some(OLD), Some(NEW))],
            ),
            // A pinned trove stays; its update goes beside it.
            (
                &[OLD],
                &[OLD],
                &[|w, i| w.update(i, tuple(OLD), tuple(NEW), true)],
                &[(None, Some(NEW))],
            ),
            (
                &[OLD],
                &[],
                &[|w, i| w.erase(i, tuple(OLD), true).expect("not pinned")],
                &[(Some(OLD), None)],
            ),
            // Erased, then asked for again: nothing happens.
            (
                &[OLD],
                &[],
                &[
                    |w, i| w.erase(i, tuple(OLD), true).expect("not pinned"),
                    |w, i| w.install(i, tuple(OLD), true),
                ],
                &[],
            ),
            // Updated, then kept: the new trove goes beside.
            (
                &[OLD],
                &[],
                &[
                    |w, i| w.update(i, tuple(OLD), tuple(NEW), false),
                    |w, _| w.keep(&tuple(OLD)),
                ],
                &[(None, Some(NEW))],
            ),
            // Already installed: nothing to do.
            (&[OLD], &[], &[|w, i| w.install(i, tuple(OLD), true)], &[]),
            // A second update of a trove already replaced does nothing.
            (
                &[OLD],
                &[],
                &[
                    |w, i| w.update(i, tuple(OLD), tuple(NEW), true),
                    |w, i| {
                        w.update(
                            i,
                            tuple(OLD),
                            tuple("foo=/a.example.com@rpl:1/1.2-1-1[]"),
                            true,
                        )
                    },
                ],
                &[(Some(OLD), Some(NEW))],
            ),
        ];
        for (index, (present, pinned, operations, expected)) in cases.iter().enumerate() {
            let installed = installed(present, pinned);
            let mut work = Work::default();
            for operation in *operations {
                operation(&mut work, &installed);
            }
            let expected: Vec<String> = expected
                .iter()
                .map(|(old, new)| {
                    format!(
                        "{:?} {:?}",
                        old.map(|t| tuple(t).to_string()),
                        new.map(|t| tuple(t).to_string())
                    )
                })
                .collect();
            assert_eq!(job_texts(&work), expected, "case {index}");
        }
    }

    #[test]
    fn erasing_a_pinned_trove_is_refused_only_when_asked_for() {
        let installed = installed(&[OLD], &[OLD]);
        let mut work = Work::default();
        assert!(matches!(
            work.erase(&installed, tuple(OLD), true),
            Err(PlanError::Pinned { .. })
        ));
        work.erase(&installed, tuple(OLD), false)
            .expect("implied erasure skipped");
        assert!(work.jobs().is_empty());
    }

    #[test]
    fn replacement_prefers_the_same_branch_then_the_same_instruction_set() {
        let new = tuple("foo=/a.example.com@rpl:1/1.1-1-1[is: x86]");
        let candidates = [
            tuple("foo=/a.example.com@rpl:1//b.example.com@rpl:2/1.0-1-1[is: x86]"),
            tuple("foo=/a.example.com@rpl:1/1.0-1-1[is: x86_64]"),
            tuple("foo=/a.example.com@rpl:1/1.0-1-1[is: x86]"),
        ];
        let refs: Vec<&TroveTuple> = candidates.iter().collect();
        assert_eq!(best_replaced(&refs, &new), Some(&candidates[2]));
        assert_eq!(best_replaced(&refs[..2], &new), Some(&candidates[1]));
        assert_eq!(best_replaced(&[], &new), None);
    }
}
