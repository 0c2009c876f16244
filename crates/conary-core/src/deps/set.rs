//! Dependency sets: ordered, one dependency per class and name.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use super::DepError;
use super::class::DepClass;
use super::dependency::{Dependency, parse_text};

/// An ordered set of dependencies, at most one per class and name.
///
/// Inserting a dependency whose class and name are already present merges
/// its flags into the present one. Iteration and printing go by class id,
/// then by name. The empty set prints as the empty string.
///
/// ```rust
/// use conary_core::deps::DependencySet;
///
/// let set: DependencySet = "trove: foo:runtime file: /bin/sh python: os(lib64) python: os(2.7)".parse()?;
/// assert_eq!(set.to_string(), "file: /bin/sh\ntrove: foo:runtime\npython: os(2.7 lib64)");
/// assert_eq!(set.len(), 3);
/// # Ok::<(), conary_core::deps::DepError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DependencySet {
    /// Never holds an empty inner map, so structural equality is set equality.
    classes: BTreeMap<DepClass, BTreeMap<String, Dependency>>,
}

impl DependencySet {
    /// The empty set.
    pub fn new() -> DependencySet {
        DependencySet::default()
    }

    /// Adds a dependency, merging its flags with those of a present
    /// dependency of the same class and name.
    pub fn insert(&mut self, dependency: Dependency) {
        let members = self.classes.entry(dependency.class()).or_default();
        match members.get_mut(dependency.name()) {
            Some(present) => present.merge_flags(&dependency),
            None => {
                members.insert(dependency.name().to_owned(), dependency);
            }
        }
    }

    /// The dependency of class `class` named `name`.
    pub fn get(&self, class: DepClass, name: &str) -> Option<&Dependency> {
        self.classes.get(&class)?.get(name)
    }

    /// Removes and returns the dependency of class `class` named `name`.
    pub fn remove(&mut self, class: DepClass, name: &str) -> Option<Dependency> {
        let members = self.classes.get_mut(&class)?;
        let removed = members.remove(name);
        if members.is_empty() {
            self.classes.remove(&class);
        }
        removed
    }

    /// Whether the set holds exactly `dependency` (same flags too).
    pub fn contains(&self, dependency: &Dependency) -> bool {
        self.get(dependency.class(), dependency.name()) == Some(dependency)
    }

    /// The number of dependencies.
    pub fn len(&self) -> usize {
        self.classes.values().map(BTreeMap::len).sum()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.classes.is_empty()
    }

    /// The dependencies, by class id then name.
    pub fn iter(&self) -> impl Iterator<Item = &Dependency> {
        self.classes.values().flat_map(BTreeMap::values)
    }

    /// The dependencies of one class, by name.
    pub fn iter_class(&self, class: DepClass) -> impl Iterator<Item = &Dependency> {
        self.classes
            .get(&class)
            .into_iter()
            .flat_map(BTreeMap::values)
    }

    /// The classes present, in id order.
    pub fn classes(&self) -> impl Iterator<Item = DepClass> + '_ {
        self.classes.keys().copied()
    }

    /// Adds every dependency of `other` to this set, merging flags.
    pub fn merge(&mut self, other: &DependencySet) {
        for dependency in other.iter() {
            self.insert(dependency.clone());
        }
    }

    /// The dependencies of both sets, flags merged.
    pub fn union(&self, other: &DependencySet) -> DependencySet {
        let mut union = self.clone();
        union.merge(other);
        union
    }

    /// This set without what `other` has, flag by flag (as the original's
    /// `difference`): a dependency absent from `other` stays; one present
    /// in `other` keeps only the flags `other` lacks, and goes when none
    /// is left.
    ///
    /// For "which requirements do these provides leave open", use
    /// [`DependencySet::unsatisfied_by`].
    pub fn difference(&self, other: &DependencySet) -> DependencySet {
        self.iter()
            .filter_map(
                |dependency| match other.get(dependency.class(), dependency.name()) {
                    Some(theirs) => dependency.without_flags_of(theirs),
                    None => Some(dependency.clone()),
                },
            )
            .collect()
    }

    /// Whether this set, as provides, satisfies `required`.
    pub fn satisfies_dependency(&self, required: &Dependency) -> bool {
        self.get(required.class(), required.name())
            .is_some_and(|provide| provide.satisfies(required))
    }

    /// Whether this set, as provides, satisfies every dependency of
    /// `requires`.
    pub fn satisfies(&self, requires: &DependencySet) -> bool {
        requires
            .iter()
            .all(|required| self.satisfies_dependency(required))
    }

    /// The requirements of this set that `provides` does not satisfy.
    pub fn unsatisfied_by(&self, provides: &DependencySet) -> DependencySet {
        self.iter()
            .filter(|required| !provides.satisfies_dependency(required))
            .cloned()
            .collect()
    }
}

impl FromIterator<Dependency> for DependencySet {
    fn from_iter<I: IntoIterator<Item = Dependency>>(iter: I) -> DependencySet {
        let mut set = DependencySet::new();
        set.extend(iter);
        set
    }
}

impl Extend<Dependency> for DependencySet {
    fn extend<I: IntoIterator<Item = Dependency>>(&mut self, iter: I) {
        for dependency in iter {
            self.insert(dependency);
        }
    }
}

impl<'a> IntoIterator for &'a DependencySet {
    type Item = &'a Dependency;
    type IntoIter = Box<dyn Iterator<Item = &'a Dependency> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl fmt::Display for DependencySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, dependency) in self.iter().enumerate() {
            if index > 0 {
                f.write_str("\n")?;
            }
            dependency.fmt(f)?;
        }
        Ok(())
    }
}

impl FromStr for DependencySet {
    type Err = DepError;

    fn from_str(text: &str) -> Result<DependencySet, DepError> {
        Ok(parse_text(text, true)?.into_iter().collect())
    }
}

impl DependencySet {
    /// Parses the text form as stored in the canonical encoding of troves
    /// and file streams: like [`FromStr`], except that a `soname:`, `abi:`
    /// or `CIL:` dependency may come without flags, as
    /// [`DependencySet::thaw`] allows, so that every set this code can hold
    /// survives an encoding round trip.
    ///
    /// ```rust
    /// use conary_core::deps::DependencySet;
    ///
    /// let old = DependencySet::thaw("6#ELF64/libc.so.6")?;
    /// assert!(old.to_string().parse::<DependencySet>().is_err());
    /// assert_eq!(DependencySet::parse_stored(&old.to_string())?, old);
    /// # Ok::<(), conary_core::deps::DepError>(())
    /// ```
    pub fn parse_stored(text: &str) -> Result<DependencySet, DepError> {
        Ok(parse_text(text, false)?.into_iter().collect())
    }
}
