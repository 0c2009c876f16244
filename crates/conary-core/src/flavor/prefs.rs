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

#[cfg(test)]
mod tests {
    //! Cases from the original's `conary_test/depstest/depstest.py` and `depstest/archtest.py`.

    use super::*;

    fn fl(text: &str) -> Flavor {
        text.parse()
            .unwrap_or_else(|error| panic!("test flavor '{text}' must parse: {error}"))
    }

    fn fls(texts: &[&str]) -> Vec<Flavor> {
        texts.iter().map(|text| fl(text)).collect()
    }

    fn texts<'a>(flavors: impl IntoIterator<Item = &'a Flavor>) -> Vec<String> {
        flavors.into_iter().map(Flavor::to_string).collect()
    }

    // ---------------------------------------------------------------- preferences

    #[test]
    fn preferences_by_arch() {
        // conary_test/depstest/archtest.py and the table in conary/deps/arch.py
        #[rustfmt::skip]
        let cases: &[(&[&str], &[&str])] = &[
            (&["x86_64"], &["is: x86_64", "is: x86"]),
            (&["x86", "x86_64"], &["is: x86_64", "is: x86"]),
            (&["x86_64", "x86"], &["is: x86_64", "is: x86"]),
            (&["x86"], &[]),
            (&["ppc64"], &["is: ppc64", "is: ppc"]),
            (&["ppc", "ppc64"], &["is: ppc64", "is: ppc"]),
            (&["sparc64"], &["is: sparc64", "is: sparc"]),
            (&["s390", "s390x"], &["is: s390x", "is: s390"]),
            (&["mips"], &[]),
            (&[], &[]),
        ];
        for (arches, preferred) in cases {
            let preferences = FlavorPreferences::for_arches(arches);
            assert_eq!(
                texts(preferences.flavors()),
                *preferred,
                "preferences for {arches:?}"
            );
            assert_eq!(preferences.len(), preferred.len());
        }
        let x86_64 = FlavorPreferences::for_arches(&["x86_64"]);
        assert_eq!(x86_64.flavors(), fls(&["is: x86_64", "is:x86"]).as_slice());
        assert_eq!(
            x86_64,
            fls(&["is: x86_64", "is: x86"]).into_iter().collect()
        );
    }

    #[test]
    fn major_arches() {
        #[rustfmt::skip]
        let cases: &[(&str, Result<Option<&str>, &str>)] = &[
            ("", Ok(None)),
            ("ssl", Ok(None)),
            ("is: x86", Ok(Some("x86"))),
            ("is: ppc", Ok(Some("ppc"))),
            ("is: x86 x86_64", Ok(Some("x86_64"))),
            ("is: x86(i686) x86_64(sse3)", Ok(Some("x86_64"))),
            ("is: ppc ppc64", Ok(Some("ppc64"))),
            ("is: x86 ppc", Err("incompatible instruction sets 'ppc' and 'x86'")),
            ("is: x86 x86_64 ppc", Err("incompatible instruction sets 'x86_64' and 'ppc'")),
            ("is: ppc64 x86_64", Err("incompatible instruction sets 'ppc64' and 'x86_64'")),
        ];
        for (text, major) in cases {
            let flavor = fl(text);
            let result = major_arch(&flavor).map_err(|error| error.to_string());
            assert_eq!(
                result,
                major.map_err(str::to_string),
                "major arch of '{text}'"
            );
        }
        let from_flavor = |text: &str| {
            FlavorPreferences::from_flavor(&fl(text)).map(|p| p.map(|p| texts(p.flavors())))
        };
        assert_eq!(
            from_flavor("is: x86 x86_64"),
            Ok(Some(vec!["is: x86_64".into(), "is: x86".into()]))
        );
        assert_eq!(from_flavor("is: x86"), Ok(None));
        assert_eq!(from_flavor("ssl"), Ok(None));
        assert!(from_flavor("is: x86 ppc").is_err());
    }

    #[test]
    fn preference_ranks() {
        let preferences = FlavorPreferences::for_arches(&["x86_64"]);
        #[rustfmt::skip]
        let cases: &[(&str, Option<usize>)] = &[
            ("is: x86_64", Some(0)), ("is: x86 x86_64", Some(0)), ("ssl is: x86_64(sse3)", Some(0)),
            ("is: x86", Some(1)), ("is: x86(i686,~sse2)", Some(1)),
            ("", None), ("ssl", None), ("is: ppc", None),
        ];
        for (text, rank) in cases {
            assert_eq!(preferences.rank(&fl(text)), *rank, "rank of '{text}'");
        }
        let candidates = fls(&["is: x86", "", "is: x86_64", "is: x86 x86_64"]);
        let refs: Vec<&Flavor> = candidates.iter().collect();
        assert_eq!(
            texts(preferences.filter(&refs)),
            ["is: x86_64", "is: x86 x86_64"]
        );
        let unmatched = fls(&["", "ssl"]);
        let refs: Vec<&Flavor> = unmatched.iter().collect();
        assert_eq!(preferences.filter(&refs).len(), 2);
        assert_eq!(FlavorPreferences::default().filter(&refs).len(), 2);
    }
}
