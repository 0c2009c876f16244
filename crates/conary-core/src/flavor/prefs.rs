//! Flavor preferences: an ordered list of flavors a system would rather run,
//! such as `is: x86_64` before `is: x86` on a 64-bit x86 machine
//! (`conary/deps/arch.py`: `FlavorPreferences`, `getMajorArch`).

use super::{ArchMap, FlagMap, Flavor, FlavorError};

/// The original's table of preferences by the machine's instruction sets: the
/// key is the sorted, space-joined names; the value the preferred arches in order.
const PREFERENCE_TABLE: &[(&str, &[&str])] = &[
    ("ppc64", &["ppc64", "ppc"]),
    ("ppc ppc64", &["ppc64", "ppc"]),
    ("sparc64", &["sparc64", "sparc"]),
    ("sparc sparc64", &["sparc64", "sparc"]),
    ("s390x", &["s390x", "s390"]),
    ("s390 s390x", &["s390x", "s390"]),
    ("x86_64", &["x86_64", "x86"]),
    ("x86 x86_64", &["x86_64", "x86"]),
];

/// A flavor with one instruction set and no flags: `is: NAME`.
fn arch_flavor(name: &str) -> Flavor {
    let mut arches = ArchMap::new();
    arches.insert(name.to_string(), FlagMap::new());
    Flavor {
        instruction_sets: Some(arches),
        ..Flavor::default()
    }
}

/// The preferred arches for a machine key, from the table.
fn table_entry(key: &str) -> Option<&'static [&'static str]> {
    PREFERENCE_TABLE
        .iter()
        .find(|(table_key, _)| *table_key == key)
        .map(|(_, arches)| *arches)
}

/// An ordered list of flavors; a trove whose flavor, made strong, satisfies an
/// earlier entry is preferred to one that satisfies only a later entry.
///
/// ```rust
/// use conary_core::flavor::{Flavor, FlavorPreferences};
///
/// let preferences = FlavorPreferences::for_arches(&["x86", "x86_64"]);
/// let names: Vec<String> = preferences.flavors().iter().map(Flavor::to_string).collect();
/// assert_eq!(names, ["is: x86_64", "is: x86"]);
/// assert_eq!(preferences.rank(&"is: x86(i686)".parse()?), Some(1));
/// # Ok::<(), conary_core::flavor::FlavorError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FlavorPreferences {
    flavors: Vec<Flavor>,
}

impl FlavorPreferences {
    /// Preferences from an ordered list of flavors (config `flavorPreferences`).
    pub fn new(flavors: Vec<Flavor>) -> FlavorPreferences {
        FlavorPreferences { flavors }
    }

    /// The built-in preferences of a machine with these instruction sets
    /// (`['is: x86_64', 'is: x86']` for `x86_64` or `x86 x86_64`); empty when
    /// the machine has no multi-arch table entry (plain `x86`).
    pub fn for_arches<S: AsRef<str>>(arches: &[S]) -> FlavorPreferences {
        let mut names: Vec<&str> = arches.iter().map(AsRef::as_ref).collect();
        names.sort_unstable();
        names.dedup();
        let flavors = table_entry(&names.join(" "))
            .unwrap_or_default()
            .iter()
            .map(|name| arch_flavor(name))
            .collect();
        FlavorPreferences { flavors }
    }

    /// The preferences a query flavor asks for through its instruction sets
    /// (`getFlavorPreferencesFromFlavor`): those of its major arch, if the table
    /// has any. `Ok(None)` if the flavor names no instruction set or its major
    /// arch has no preferences.
    ///
    /// # Errors
    /// [`FlavorError::IncompatibleInstructionSets`] as for [`major_arch`].
    pub fn from_flavor(flavor: &Flavor) -> Result<Option<FlavorPreferences>, FlavorError> {
        let Some(arch) = major_arch(flavor)? else {
            return Ok(None);
        };
        let preferences = FlavorPreferences::for_arches(&[arch]);
        Ok(Some(preferences).filter(|preferences| !preferences.is_empty()))
    }

    /// The preferred flavors, best first.
    pub fn flavors(&self) -> &[Flavor] {
        &self.flavors
    }

    /// Whether there are no preferences.
    pub fn is_empty(&self) -> bool {
        self.flavors.is_empty()
    }

    /// The number of preferred flavors.
    pub fn len(&self) -> usize {
        self.flavors.len()
    }

    /// The index of the first preference that `candidate`, made strong,
    /// satisfies; `None` if it satisfies none.
    pub fn rank(&self, candidate: &Flavor) -> Option<usize> {
        let strong = candidate.to_strong();
        self.flavors
            .iter()
            .position(|preference| strong.satisfies(preference))
    }

    /// Keeps the candidates of the best rank (`_filterByPreferences` for one
    /// version): if any candidate satisfies a preference, only those that
    /// satisfy the earliest one remain; if none does, all remain. With no
    /// preferences every candidate remains.
    pub fn filter<'c>(&self, candidates: &[&'c Flavor]) -> Vec<&'c Flavor> {
        let ranks: Vec<Option<usize>> = candidates.iter().map(|c| self.rank(c)).collect();
        let Some(best) = ranks.iter().flatten().min().copied() else {
            return candidates.to_vec();
        };
        candidates
            .iter()
            .zip(&ranks)
            .filter(|(_, rank)| **rank == Some(best))
            .map(|(candidate, _)| *candidate)
            .collect()
    }
}

impl FromIterator<Flavor> for FlavorPreferences {
    fn from_iter<I: IntoIterator<Item = Flavor>>(flavors: I) -> FlavorPreferences {
        FlavorPreferences::new(flavors.into_iter().collect())
    }
}

/// The major instruction set of a flavor (`getMajorArch`): its only one, or the
/// one that has preferences when the others are among them (`x86_64` for
/// `is: x86 x86_64`). `Ok(None)` when the flavor names no instruction set.
///
/// ```rust
/// use conary_core::flavor::{Flavor, major_arch};
///
/// let flavor: Flavor = "is: x86 x86_64".parse()?;
/// assert_eq!(major_arch(&flavor)?, Some("x86_64"));
/// assert!(major_arch(&"is: x86 ppc".parse()?).is_err());
/// # Ok::<(), conary_core::flavor::FlavorError>(())
/// ```
///
/// # Errors
/// [`FlavorError::IncompatibleInstructionSets`] when several instruction sets
/// are named and they do not all belong to one major arch.
pub fn major_arch(flavor: &Flavor) -> Result<Option<&str>, FlavorError> {
    let names: Vec<&str> = flavor.instruction_sets().collect();
    let (major, preferred) = match names.as_slice() {
        [] => return Ok(None),
        [only] => return Ok(Some(only)),
        [first, second, ..] => {
            let found = names
                .iter()
                .find_map(|name| table_entry(name).map(|preferred| (*name, preferred)));
            found.ok_or_else(|| FlavorError::IncompatibleInstructionSets {
                first: (*first).to_string(),
                second: (*second).to_string(),
            })?
        }
    };
    for name in &names {
        let other_major = *name != major && table_entry(name).is_some();
        if other_major || !preferred.contains(name) {
            return Err(FlavorError::IncompatibleInstructionSets {
                first: major.to_string(),
                second: (*name).to_string(),
            });
        }
    }
    Ok(Some(major))
}
