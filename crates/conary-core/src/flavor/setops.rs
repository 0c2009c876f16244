//! Set operations on flavors: difference, intersection, compatibility and the
//! smallest change that makes one flavor match another ("did you mean").

use super::{ARCH_CLASSES, ArchMap, FlagMap, Flavor, Sense};

/// Whether two senses count as the same: equal when `strict`, else the same direction.
fn same_sense(first: Sense, second: Sense, strict: bool) -> bool {
    if strict {
        first == second
    } else {
        first.to_strong() == second.to_strong()
    }
}

/// The flags of `flags` that `other` does not hold with the same sense.
fn flags_difference(flags: &FlagMap, other: &FlagMap, strict: bool) -> FlagMap {
    flags
        .iter()
        .filter(|(flag, sense)| {
            other
                .get(*flag)
                .is_none_or(|other_sense| !same_sense(**sense, *other_sense, strict))
        })
        .map(|(flag, sense)| (flag.clone(), *sense))
        .collect()
}

/// The flags both hold with the same sense; not `strict` keeps the strong sense.
fn flags_intersection(flags: &FlagMap, other: &FlagMap, strict: bool) -> FlagMap {
    flags
        .iter()
        .filter_map(|(flag, sense)| {
            let other_sense = *other.get(flag)?;
            if !same_sense(*sense, other_sense, strict) {
                return None;
            }
            Some((
                flag.clone(),
                if strict { *sense } else { sense.to_strong() },
            ))
        })
        .collect()
}

/// The non-empty use flags, as the original's single `use` dependency.
fn use_dependency(flavor: &Flavor) -> Option<&FlagMap> {
    flavor.use_flags.as_ref().filter(|flags| !flags.is_empty())
}

/// The flags a system holding `mine` (or nothing) must add, weakly, to match
/// `wanted` (`getMinimalFlagChanges`).
fn minimal_flag_changes(mine: Option<&FlagMap>, wanted: &FlagMap) -> FlagMap {
    let mut changes = FlagMap::new();
    for (flag, &sense) in wanted {
        let my_sense = mine.and_then(|flags| flags.get(flag)).copied();
        let change = match (mine, sense, my_sense) {
            (None, Sense::Required, _) => Some(Sense::Preferred),
            (None, _, _) => None,
            (Some(_), Sense::Required, None | Some(Sense::Disallowed)) => Some(Sense::Preferred),
            (Some(_), Sense::Preferred, Some(Sense::Disallowed)) => Some(Sense::Preferred),
            (Some(_), Sense::PreferNot, Some(Sense::Required)) => Some(Sense::PreferNot),
            (Some(_), Sense::Disallowed, Some(Sense::Required | Sense::Preferred)) => {
                Some(Sense::PreferNot)
            }
            _ => None,
        };
        if let Some(change) = change {
            changes.insert(flag.clone(), change);
        }
    }
    changes
}

impl Flavor {
    /// What this flavor says that `other` does not (the original's
    /// `difference`): flags `other` holds with the same sense are removed
    /// (with `strict` false, the same direction is enough: `~!foo` and
    /// `!foo`), and instruction sets left without flags are removed when
    /// `other` has them too.
    ///
    /// ```rust
    /// use conary_core::flavor::Flavor;
    ///
    /// let a: Flavor = "foo,bar is: x86".parse()?;
    /// let b: Flavor = "foo,~!bar".parse()?;
    /// assert_eq!(a.difference(&b, true).to_string(), "bar is: x86");
    /// # Ok::<(), conary_core::flavor::FlavorError>(())
    /// ```
    pub fn difference(&self, other: &Flavor, strict: bool) -> Flavor {
        let mut result = Flavor::default();
        if let Some(flags) = use_dependency(self) {
            let remaining = match use_dependency(other) {
                Some(other_flags) => flags_difference(flags, other_flags, strict),
                None => flags.clone(),
            };
            result.use_flags = Some(remaining).filter(|flags| !flags.is_empty());
        }
        for class in ARCH_CLASSES {
            let Some(arches) = self.arch_map(class) else {
                continue;
            };
            let other_arches = other.arch_map(class);
            let remaining: ArchMap = arches
                .iter()
                .filter_map(
                    |(arch, flags)| match other_arches.and_then(|m| m.get(arch)) {
                        Some(other_flags) => {
                            let left = flags_difference(flags, other_flags, strict);
                            (!left.is_empty()).then(|| (arch.clone(), left))
                        }
                        None => Some((arch.clone(), flags.clone())),
                    },
                )
                .collect();
            *result.arch_map_mut(class) = Some(remaining).filter(|m| !m.is_empty());
        }
        result
    }

    /// What both flavors say (the original's `intersection`): the flags both
    /// hold with the same sense (with `strict` false, the same direction,
    /// kept strong), for the use flags and instruction sets both have.
    ///
    /// ```rust
    /// use conary_core::flavor::Flavor;
    ///
    /// let a: Flavor = "foo,bar".parse()?;
    /// let b: Flavor = "~foo,~!bar,bam".parse()?;
    /// assert_eq!(a.intersection(&b, false).to_string(), "foo");
    /// # Ok::<(), conary_core::flavor::FlavorError>(())
    /// ```
    pub fn intersection(&self, other: &Flavor, strict: bool) -> Flavor {
        let mut result = Flavor::default();
        if let (Some(flags), Some(other_flags)) = (use_dependency(self), use_dependency(other)) {
            result.use_flags = Some(flags_intersection(flags, other_flags, strict));
        }
        for class in ARCH_CLASSES {
            let (Some(arches), Some(other_arches)) = (self.arch_map(class), other.arch_map(class))
            else {
                continue;
            };
            let common: ArchMap = arches
                .iter()
                .filter_map(|(arch, flags)| {
                    let other_flags = other_arches.get(arch)?;
                    Some((arch.clone(), flags_intersection(flags, other_flags, strict)))
                })
                .collect();
            *result.arch_map_mut(class) = Some(common).filter(|m| !m.is_empty());
        }
        result
    }

    /// Whether the two flavors never point opposite ways (the original's
    /// `compatibleFlavors`): no flag is `foo` in one and `!foo` or `~!foo` in
    /// the other, and where both have instruction sets, this flavor's are all
    /// in `other`.
    ///
    /// ```rust
    /// use conary_core::flavor::Flavor;
    ///
    /// let a: Flavor = "foo,bar".parse()?;
    /// assert!(a.is_compatible_with(&"~foo is: x86".parse()?));
    /// assert!(!a.is_compatible_with(&"~!foo".parse()?));
    /// # Ok::<(), conary_core::flavor::FlavorError>(())
    /// ```
    pub fn is_compatible_with(&self, other: &Flavor) -> bool {
        let agree = |flags: &FlagMap, other_flags: &FlagMap| {
            flags.iter().all(|(flag, sense)| {
                other_flags
                    .get(flag)
                    .is_none_or(|other_sense| sense.to_strong() == other_sense.to_strong())
            })
        };
        if let (Some(flags), Some(other_flags)) = (&self.use_flags, &other.use_flags)
            && !agree(flags, other_flags)
        {
            return false;
        }
        ARCH_CLASSES.iter().all(|&class| {
            let (Some(arches), Some(other_arches)) = (self.arch_map(class), other.arch_map(class))
            else {
                return true;
            };
            arches.iter().all(|(arch, flags)| {
                other_arches
                    .get(arch)
                    .is_some_and(|other_flags| agree(flags, other_flags))
            })
        })
    }

    /// The smallest flavor that, laid over this one, lets it match `wanted`
    /// (the original's `getMinimalCompatibleChanges`, used for "closest
    /// alternate flavors" messages). Flags are added weakly: a required flag
    /// this flavor lacks or disallows becomes `~flag`, a disallowed one it holds
    /// becomes `~!flag`. Instruction sets this flavor lacks are listed, and with
    /// `keep_arch` every instruction set of `wanted` is.
    ///
    /// ```rust
    /// use conary_core::flavor::Flavor;
    ///
    /// let system: Flavor = "ssl is: x86".parse()?;
    /// let wanted: Flavor = "!ssl is: x86_64(i686)".parse()?;
    /// let changes = system.minimal_compatible_changes(&wanted, false);
    /// assert_eq!(changes.to_string(), "~!ssl is: x86_64(~i686)");
    /// # Ok::<(), conary_core::flavor::FlavorError>(())
    /// ```
    pub fn minimal_compatible_changes(&self, wanted: &Flavor, keep_arch: bool) -> Flavor {
        let mut result = Flavor::default();
        if let Some(wanted_flags) = use_dependency(wanted) {
            let changes = minimal_flag_changes(use_dependency(self), wanted_flags);
            result.use_flags = Some(changes).filter(|flags| !flags.is_empty());
        }
        for class in ARCH_CLASSES {
            let Some(wanted_arches) = wanted.arch_map(class) else {
                continue;
            };
            let mine = self.arch_map(class);
            let mut arches = ArchMap::new();
            for (arch, wanted_flags) in wanted_arches {
                let my_flags = mine.and_then(|m| m.get(arch));
                let changes = minimal_flag_changes(my_flags, wanted_flags);
                if my_flags.is_none() || !changes.is_empty() || keep_arch {
                    arches.insert(arch.clone(), changes);
                }
            }
            *result.arch_map_mut(class) = Some(arches).filter(|m| !m.is_empty());
        }
        result
    }
}

/// For each flavor, only what sets it apart from the others (the original's
/// `flavorDifferences`): the intersection of all of them is removed from each.
/// Returns one flavor per input, in the same order.
///
/// ```rust
/// use conary_core::flavor::{Flavor, flavor_differences};
///
/// let flavors: Vec<Flavor> = vec!["foo,bar is: x86".parse()?, "foo,~!bar".parse()?];
/// let differences = flavor_differences(&flavors, true);
/// assert_eq!(differences[0].to_string(), "bar is: x86");
/// assert_eq!(differences[1].to_string(), "~!bar");
/// # Ok::<(), conary_core::flavor::FlavorError>(())
/// ```
pub fn flavor_differences(flavors: &[Flavor], strict: bool) -> Vec<Flavor> {
    let Some((first, rest)) = flavors.split_first() else {
        return Vec::new();
    };
    let common = rest.iter().fold(first.clone(), |common, flavor| {
        common.intersection(flavor, strict)
    });
    flavors
        .iter()
        .map(|flavor| flavor.difference(&common, strict))
        .collect()
}

#[cfg(test)]
mod tests {
    //! Cases from the original's `conary_test/depstest/depstest.py`.

    use super::*;

    fn fl(text: &str) -> Flavor {
        text.parse()
            .unwrap_or_else(|error| panic!("test flavor '{text}' must parse: {error}"))
    }

    fn texts(flavors: &[Flavor]) -> Vec<String> {
        flavors.iter().map(Flavor::to_string).collect()
    }

    // ---------------------------------------------------------------- set operations

    #[test]
    fn differences_and_intersections() {
        // conary_test/depstest/depstest.py testFlavorSetOps
        let (a, b) = (fl("foo,bar is: x86"), fl("foo,~!bar"));
        assert_eq!(a.intersection(&b, true).freeze(), "5#use:foo");
        assert_eq!(a.difference(&b, true).freeze(), "1#x86|5#use:bar");
        let differences = flavor_differences(&[a.clone(), b.clone()], true);
        assert_eq!(differences[0].freeze(), "1#x86|5#use:bar");
        assert_eq!(differences[1].freeze(), "5#use:~!bar");
        assert!(a.difference(&a, true).is_empty());
        assert!(
            flavor_differences(&[a.clone(), a.clone()], true)
                .iter()
                .all(Flavor::is_empty)
        );
        assert_eq!(a.intersection(&a, true), a);

        let (a, b) = (fl("foo,bar"), fl("~foo,~!bar,bam"));
        assert_eq!(a.intersection(&b, false).to_string(), "foo");
        assert_eq!(a.difference(&b, false).to_string(), "bar");
        assert_eq!(
            texts(&flavor_differences(&[a, b], false)),
            ["bar", "bam,~!bar"]
        );
        assert!(flavor_differences(&[], true).is_empty());

        #[rustfmt::skip]
        let cases: &[(&str, &str, bool, &str)] = &[
            ("is: x86(sse)", "is: x86", true, "is: x86(sse)"),
            ("is: x86", "is: x86(sse)", true, ""),
            ("is: x86 x86_64", "is: x86", true, "is: x86_64"),
            ("ssl is: x86", "is:", true, "ssl is: x86"),
            ("~!ssl", "!ssl", true, "~!ssl"),
            ("~!ssl", "!ssl", false, ""),
        ];
        for (first, second, strict, difference) in cases {
            let result = fl(first).difference(&fl(second), *strict);
            assert_eq!(result.to_string(), *difference, "'{first}' - '{second}'");
        }
    }

    #[test]
    fn compatible_flavors() {
        // conary_test/depstest/depstest.py testCompatibleFlavors: both directions agree
        #[rustfmt::skip]
        let cases: &[(&str, &str, bool)] = &[
            ("foo", "~foo", true),
            ("foo,bar", "~foo is:x86", true),
            ("foo,bar is:x86_64", "~foo is:x86", false),
            ("foo,bar", "", true),
            ("foo,bar is:x86(i686)", "~foo is:x86(~!i686)", false),
            ("~!foo", "!foo", true),
            ("foo", "~!foo", false),
        ];
        for (first, second, compatible) in cases {
            assert_eq!(
                fl(first).is_compatible_with(&fl(second)),
                *compatible,
                "'{first}' with '{second}'"
            );
            assert_eq!(
                fl(second).is_compatible_with(&fl(first)),
                *compatible,
                "'{second}' with '{first}'"
            );
        }
    }

    #[rustfmt::skip]
    const MINIMAL_CHANGES: &[(&str, &str, &str)] = &[
        // conary_test/depstest/depstest.py testGetSmallestDifference
        ("is:x86", "", ""),      ("", "is:x86", "is: x86"),   ("", "use:", ""),
        ("is:x86", "is:x86(i686)", "is: x86(~i686)"),
        ("ssl is:x86", "is:x86_64(i686)", "is: x86_64(~i686)"),
        ("~ssl", "!ssl", "~!ssl"), ("ssl", "!ssl", "~!ssl"),  ("~!ssl", "!ssl", ""),
        ("!ssl", "!ssl", ""),      ("", "!ssl", ""),          ("ssl", "~!ssl", "~!ssl"),
        ("~ssl", "~!ssl", ""),     ("~!ssl", "~!ssl", ""),    ("!ssl", "~!ssl", ""),
        ("", "~!ssl", ""),         ("ssl", "~ssl", ""),       ("~ssl", "~ssl", ""),
        ("~!ssl", "~ssl", ""),     ("!ssl", "~ssl", "~ssl"),  ("", "~ssl", ""),
        ("ssl", "ssl", ""),        ("~ssl", "ssl", ""),       ("~!ssl", "ssl", ""),
        ("!ssl", "ssl", "~ssl"),   ("", "ssl", "~ssl"),       ("ssl", "", ""),
        ("~ssl", "", ""),          ("~!ssl", "", ""),         ("!ssl", "", ""),
        ("", "", ""),
    ];

    #[test]
    fn minimal_compatible_changes() {
        for (flavor, wanted, changes) in MINIMAL_CHANGES {
            let result = fl(flavor).minimal_compatible_changes(&fl(wanted), false);
            assert_eq!(
                result.to_string(),
                *changes,
                "'{flavor}' to match '{wanted}'"
            );
        }
        let keep = fl("is: x86").minimal_compatible_changes(&fl("is: x86"), true);
        assert_eq!(keep.to_string(), "is: x86");
    }
}
