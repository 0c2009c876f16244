//! Choosing among the flavors of a trove, as the original's searchable trove
//! source does (`trovesource.py`: `_filterByFlavorQuery`,
//! `_calculateFlavorScores`, `_filterByPreferences`).
//!
//! For one query flavor: candidates that fail the primary flavor (if any) or
//! score `None` are dropped; then flavor preferences keep the candidates of
//! the best preference; the highest score wins. A flavor *path* (the
//! configured `flavor` list) tries each query in turn and the first that
//! yields a result wins.

use super::{Flavor, FlavorPreferences};

/// How a candidate trove flavor is checked against the query flavor.
///
/// ```rust
/// use conary_core::flavor::{Flavor, FlavorCheck};
///
/// let query: Flavor = "~!readline".parse()?;
/// let trove: Flavor = "readline,!ssl".parse()?;
/// assert_eq!(FlavorCheck::Regular.score(&query, &trove), Some(-2));
/// assert_eq!(FlavorCheck::Strong.score(&query, &trove), None);
/// # Ok::<(), conary_core::flavor::FlavorError>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FlavorCheck {
    /// Repository search: the query is the system, the candidate the trove
    /// (`query.score(candidate)`).
    #[default]
    Regular,
    /// Database search: the candidate, made strong, is the system and the
    /// query the trove, so that everything the query asks for must be in the
    /// candidate (`candidate.to_strong().score(query)`).
    Strong,
}

impl FlavorCheck {
    /// The score of `candidate` for `query` under this check; `None` if it fails.
    pub fn score(self, query: &Flavor, candidate: &Flavor) -> Option<i32> {
        match self {
            FlavorCheck::Regular => query.score(candidate),
            FlavorCheck::Strong => candidate.to_strong().score(query),
        }
    }
}

/// Picks the best flavor among the candidate flavors of a trove.
///
/// ```rust
/// use conary_core::flavor::{Flavor, FlavorPreferences, FlavorSelector};
///
/// let selector = FlavorSelector::new(FlavorPreferences::for_arches(&["x86_64"]));
/// let candidates: Vec<Flavor> = vec!["is: x86(i686)".parse()?, "is: x86_64".parse()?];
/// let query: Flavor = "is: x86(i686) x86_64".parse()?;
/// assert_eq!(selector.best(&query, &candidates), Some(&candidates[1]));
/// # Ok::<(), conary_core::flavor::FlavorError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct FlavorSelector {
    preferences: FlavorPreferences,
    check: FlavorCheck,
    primary: Option<Flavor>,
}

impl FlavorSelector {
    /// A selector with these preferences and the [`FlavorCheck::Regular`] check.
    pub fn new(preferences: FlavorPreferences) -> FlavorSelector {
        FlavorSelector {
            preferences,
            check: FlavorCheck::Regular,
            primary: None,
        }
    }

    /// Uses `check` to score candidates.
    pub fn with_check(mut self, check: FlavorCheck) -> FlavorSelector {
        self.check = check;
        self
    }

    /// Also requires every candidate, made strong, to satisfy `primary` (the
    /// flavor the user named, checked before the query flavor).
    pub fn with_primary(mut self, primary: Flavor) -> FlavorSelector {
        self.primary = Some(primary);
        self
    }

    /// The preferences in use when the query does not override them.
    pub fn preferences(&self) -> &FlavorPreferences {
        &self.preferences
    }

    /// The score of one candidate for `query`: `None` if it fails the primary
    /// flavor or the check.
    pub fn score(&self, query: &Flavor, candidate: &Flavor) -> Option<i32> {
        if let Some(primary) = &self.primary {
            candidate.to_strong().score(primary)?;
        }
        self.check.score(query, candidate)
    }

    /// Every candidate that passes, in input order, without preferences (the
    /// original's "all allowed flavors" filter).
    pub fn allowed<'c>(&self, query: &Flavor, candidates: &'c [Flavor]) -> Vec<&'c Flavor> {
        candidates
            .iter()
            .filter(|candidate| self.score(query, candidate).is_some())
            .collect()
    }

    /// The preferences for `query`: if its instruction sets name a major arch
    /// with built-in preferences (`is: x86 x86_64`), those replace the
    /// configured ones. A query whose instruction sets are incompatible keeps
    /// the configured preferences (the original raises an error here).
    pub fn preferences_for(&self, query: &Flavor) -> FlavorPreferences {
        match FlavorPreferences::from_flavor(query) {
            Ok(Some(preferences)) => preferences,
            _ => self.preferences.clone(),
        }
    }

    /// The best candidate for `query`: among those that pass, the ones of the
    /// best preference rank, then the highest score. Ties go to the greatest
    /// flavor in the structural order, so the choice is stable.
    pub fn best<'c>(&self, query: &Flavor, candidates: &'c [Flavor]) -> Option<&'c Flavor> {
        self.best_with(query, candidates, &self.preferences_for(query))
    }

    /// The best candidate for the first query of `path` that has one.
    pub fn best_on_path<'c>(
        &self,
        path: &[Flavor],
        candidates: &'c [Flavor],
    ) -> Option<&'c Flavor> {
        path.iter().find_map(|query| self.best(query, candidates))
    }

    /// Among the candidates that pass, those of the best preference rank (all
    /// of them if none has a rank), then the highest score.
    fn best_with<'c>(
        &self,
        query: &Flavor,
        candidates: &'c [Flavor],
        preferences: &FlavorPreferences,
    ) -> Option<&'c Flavor> {
        let passing: Vec<(&'c Flavor, i32, Option<usize>)> = candidates
            .iter()
            .filter_map(|candidate| {
                let score = self.score(query, candidate)?;
                Some((candidate, score, preferences.rank(candidate)))
            })
            .collect();
        let best_rank = passing.iter().filter_map(|(_, _, rank)| *rank).min();
        let kept = passing
            .into_iter()
            .filter(|(_, _, rank)| best_rank.is_none() || *rank == best_rank)
            .map(|(flavor, score, _)| (flavor, score));
        highest(kept)
    }

    /// The best trove among versions, newest preferred, as a repository picks
    /// the latest trove on a branch with the best flavor (`_filterByFlavorQuery`
    /// with "very latest" and "best flavor"). `candidates` pairs each flavor with
    /// its version key; a greater key is newer.
    ///
    /// Versions are visited newest first. A version with a candidate of a
    /// better preference rank than any newer one replaces the newer choice,
    /// even though it is older, unless a newer version had a candidate that
    /// matches no preference at all (such as a trove without instruction set),
    /// which then wins. With no preferences, the newest version with a passing
    /// candidate wins, and within it the highest score.
    ///
    /// ```rust
    /// use conary_core::flavor::{Flavor, FlavorPreferences, FlavorSelector};
    ///
    /// let selector = FlavorSelector::new(FlavorPreferences::for_arches(&["x86", "x86_64"]));
    /// let query: Flavor = "is: x86 x86_64".parse()?;
    /// let candidates: Vec<(u32, Flavor)> =
    ///     vec![(1, "is: x86_64".parse()?), (2, "is: x86".parse()?)];
    /// let (version, flavor) = selector.latest(&query, &candidates).expect("a match");
    /// assert_eq!((*version, flavor.to_string()), (1, "is: x86_64".to_string()));
    /// # Ok::<(), conary_core::flavor::FlavorError>(())
    /// ```
    pub fn latest<'c, V: Ord>(
        &self,
        query: &Flavor,
        candidates: &'c [(V, Flavor)],
    ) -> Option<(&'c V, &'c Flavor)> {
        let preferences = self.preferences_for(query);
        let mut by_version: Vec<&'c (V, Flavor)> = candidates.iter().collect();
        by_version.sort_by(|a, b| b.0.cmp(&a.0));
        let mut groups: Vec<(&'c V, Vec<&'c Flavor>)> = Vec::new();
        for (version, flavor) in by_version {
            match groups.last_mut() {
                Some((last, flavors)) if *last == version => {
                    flavors.push(flavor);
                }
                _ => groups.push((version, vec![flavor])),
            }
        }

        // Lower rank is better; `unranked` stands for "no preference matched".
        let unranked = preferences.len().saturating_add(1);
        let mut current_rank = unranked;
        let mut result: Option<(&'c V, &'c Flavor)> = None;
        let mut newer_unranked: Option<(&'c V, Vec<&'c Flavor>)> = None;
        for (version, flavors) in groups {
            let passing: Vec<(&'c Flavor, i32)> = flavors
                .into_iter()
                .filter_map(|flavor| Some((flavor, self.score(query, flavor)?)))
                .collect();
            if passing.is_empty() {
                continue;
            }
            let rank_of = |flavor: &Flavor| preferences.rank(flavor).filter(|r| *r <= current_rank);
            let best_rank = passing.iter().filter_map(|(f, _)| rank_of(f)).min();
            let (rank, chosen, unmatched): (usize, Vec<(&'c Flavor, i32)>, Vec<&'c Flavor>) =
                if preferences.is_empty() {
                    (0, passing, Vec::new())
                } else {
                    let unmatched: Vec<&'c Flavor> = passing
                        .iter()
                        .filter(|(f, _)| rank_of(f).is_none())
                        .map(|(f, _)| *f)
                        .collect();
                    match best_rank {
                        Some(best) => {
                            let chosen = passing
                                .into_iter()
                                .filter(|(f, _)| rank_of(f) == Some(best));
                            (best, chosen.collect(), unmatched)
                        }
                        None => (current_rank, passing, unmatched.clone()),
                    }
                };
            if rank == current_rank && result.is_some() {
                // An older version of the same rank never beats a newer one.
                continue;
            }
            if rank < current_rank {
                current_rank = rank;
                result = match &newer_unranked {
                    Some((newer_version, newer_flavors)) => {
                        let scored = newer_flavors
                            .iter()
                            .filter_map(|f| Some((*f, self.score(query, f)?)));
                        highest(scored).map(|flavor| (*newer_version, flavor))
                    }
                    None => highest(chosen.into_iter()).map(|flavor| (version, flavor)),
                };
            } else {
                result = highest(chosen.into_iter()).map(|flavor| (version, flavor));
            }
            if !unmatched.is_empty() && newer_unranked.is_none() {
                newer_unranked = Some((version, unmatched));
            }
            if current_rank == 0 {
                break;
            }
        }
        result
    }
}

/// The flavor with the highest score; ties go to the greatest flavor.
fn highest<'c>(scored: impl Iterator<Item = (&'c Flavor, i32)>) -> Option<&'c Flavor> {
    scored
        .max_by(|(a, score_a), (b, score_b)| score_a.cmp(score_b).then_with(|| a.cmp(b)))
        .map(|(flavor, _)| flavor)
}

/// The best of `candidates` for the first flavor of the system flavor `path`
/// that yields one, with the [`FlavorCheck::Regular`] check.
///
/// ```rust
/// use conary_core::flavor::{Flavor, FlavorPreferences, best_flavor};
///
/// let path: Vec<Flavor> = vec!["~!readline,ssl".parse()?];
/// let candidates: Vec<Flavor> = vec!["readline,ssl".parse()?, "~!readline,ssl".parse()?];
/// let best = best_flavor(&path, &FlavorPreferences::default(), &candidates);
/// assert_eq!(best, Some(&candidates[1]));
/// # Ok::<(), conary_core::flavor::FlavorError>(())
/// ```
pub fn best_flavor<'c>(
    path: &[Flavor],
    preferences: &FlavorPreferences,
    candidates: &'c [Flavor],
) -> Option<&'c Flavor> {
    FlavorSelector::new(preferences.clone()).best_on_path(path, candidates)
}
