//! Combining flavors: union with a merge mode (`DependencySet.union`), the
//! user's flavor over the configured one (`overrideFlavor`), filling missing
//! classes from a base (`mergeFlavor`) and merging a list (`mergeFlavorList`).

use std::collections::{BTreeMap, BTreeSet};

use super::{ARCH_CLASSES, ArchMap, FlagMap, Flavor, FlavorError, Sense, flag_text};

/// How two senses of the same flag combine when flavors are merged.
///
/// ```rust
/// use conary_core::flavor::{Flavor, MergeMode};
///
/// let config: Flavor = "ssl is: x86_64".parse()?;
/// let command_line: Flavor = "!ssl".parse()?;
/// let flavor = config.override_with(&command_line, MergeMode::Override)?;
/// assert_eq!(flavor.to_string(), "!ssl is: x86_64");
/// # Ok::<(), conary_core::flavor::FlavorError>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MergeMode {
    /// A strong sense beats a weak one; two senses of the same strength and
    /// opposite direction (`ssl` and `!ssl`) are an error.
    #[default]
    Normal,
    /// The new sense wins.
    Override,
    /// Like `Override`, but a new weak sense does not beat an old strong sense
    /// of the same direction (`ssl` then `~ssl` stays `ssl`), and a new sense
    /// that differs in strength is kept weak (`ssl` then `~!ssl` gives `~!ssl`,
    /// `~ssl` then `!ssl` gives `~!ssl`).
    Prefs,
    /// Like `Normal`, but conflicting flags are dropped instead of failing.
    DropConflicts,
}

/// Combines the sense already present with a new one; `None` drops the flag.
fn merge_sense(
    flag: &str,
    this: Sense,
    other: Sense,
    mode: MergeMode,
) -> Result<Option<Sense>, FlavorError> {
    if mode == MergeMode::Override || this == other {
        return Ok(Some(other));
    }
    if this.is_strong() == other.is_strong() {
        return match mode {
            MergeMode::DropConflicts => Ok(None),
            MergeMode::Prefs | MergeMode::Override => Ok(Some(other)),
            MergeMode::Normal => Err(FlavorError::MergeConflict {
                first: flag_text(flag, this),
                second: flag_text(flag, other),
            }),
        };
    }
    if mode == MergeMode::Prefs {
        if this.is_strong() && other.to_strong() == this {
            return Ok(Some(this));
        }
        return Ok(Some(other.to_weak()));
    }
    Ok(Some(if this.is_strong() { this } else { other }))
}

/// Merges the flags of one dependency into another (`Dependency.mergeFlags`).
pub(crate) fn merge_flags(
    into: &mut FlagMap,
    other: &FlagMap,
    mode: MergeMode,
) -> Result<(), FlavorError> {
    for (flag, &other_sense) in other {
        match into.get(flag).copied() {
            None => {
                into.insert(flag.clone(), other_sense);
            }
            Some(this_sense) => match merge_sense(flag, this_sense, other_sense, mode)? {
                Some(sense) => {
                    into.insert(flag.clone(), sense);
                }
                None => {
                    into.remove(flag);
                }
            },
        }
    }
    Ok(())
}

/// Merges instruction sets; one only in `other` is copied.
fn merge_arches(into: &mut ArchMap, other: &ArchMap, mode: MergeMode) -> Result<(), FlavorError> {
    for (arch, flags) in other {
        match into.get_mut(arch) {
            Some(existing) => merge_flags(existing, flags, mode)?,
            None => {
                into.insert(arch.clone(), flags.clone());
            }
        }
    }
    Ok(())
}

impl Flavor {
    /// Adds `other` into this flavor (the original's `union`): flags of the same
    /// name combine by `mode`, new flags and instruction sets are added. A class
    /// that `other` has only as explicitly empty adds nothing. With
    /// [`MergeMode::DropConflicts`], use flags that all cancel leave no use class.
    ///
    /// ```rust
    /// use conary_core::flavor::{Flavor, MergeMode};
    ///
    /// let mut flavor: Flavor = "~ssl is: x86(~i686)".parse()?;
    /// flavor.union(&"ssl,pam is: x86(!mmx)".parse()?, MergeMode::Normal)?;
    /// assert_eq!(flavor.to_string(), "pam,ssl is: x86(~i686,!mmx)");
    /// # Ok::<(), conary_core::flavor::FlavorError>(())
    /// ```
    ///
    /// # Errors
    /// [`FlavorError::MergeConflict`] in [`MergeMode::Normal`] when two flags of
    /// the same strength contradict; this flavor is then left unchanged.
    pub fn union(&mut self, other: &Flavor, mode: MergeMode) -> Result<(), FlavorError> {
        let mut merged = self.clone();
        match (&mut merged.use_flags, &other.use_flags) {
            (Some(flags), Some(other_flags)) => {
                merge_flags(flags, other_flags, mode)?;
                if mode == MergeMode::DropConflicts && flags.is_empty() {
                    merged.use_flags = None;
                }
            }
            (None, Some(other_flags)) if !other_flags.is_empty() => {
                merged.use_flags = Some(other_flags.clone());
            }
            _ => {}
        }
        for class in ARCH_CLASSES {
            let other_arches = other.arch_map(class);
            match (merged.arch_map_mut(class), other_arches) {
                (Some(arches), Some(other_arches)) => merge_arches(arches, other_arches, mode)?,
                (slot @ None, Some(other_arches)) if !other_arches.is_empty() => {
                    *slot = Some(other_arches.clone());
                }
                _ => {}
            }
        }
        *self = merged;
        Ok(())
    }

    /// This flavor with `new` laid over it, as a flavor given by the user
    /// overrides the configured one (the original's `overrideFlavor`, whose
    /// default mode is [`MergeMode::Override`]): use flags are merged by `mode`;
    /// if `new` names instruction sets (or targets), only those remain, with
    /// their flags merged. An explicitly empty `is:` in `new` removes every
    /// instruction set. Explicitly empty classes of `self` are not kept.
    ///
    /// ```rust
    /// use conary_core::flavor::{Flavor, MergeMode};
    ///
    /// let old: Flavor = "foo is: x86(i686,!i586) x86_64".parse()?;
    /// let new: Flavor = "!foo is: x86(i586)".parse()?;
    /// let flavor = old.override_with(&new, MergeMode::Override)?;
    /// assert_eq!(flavor.to_string(), "!foo is: x86(i586,i686)");
    /// # Ok::<(), conary_core::flavor::FlavorError>(())
    /// ```
    ///
    /// # Errors
    /// [`FlavorError::MergeConflict`] in [`MergeMode::Normal`] when flags contradict.
    pub fn override_with(&self, new: &Flavor, mode: MergeMode) -> Result<Flavor, FlavorError> {
        let mut flavor = self.without_empty_classes();
        for class in ARCH_CLASSES {
            let Some(new_arches) = new.arch_map(class) else {
                continue;
            };
            let slot = flavor.arch_map_mut(class);
            if let Some(arches) = slot {
                arches.retain(|arch, _| new_arches.contains_key(arch));
                if arches.is_empty() {
                    *slot = None;
                }
            }
        }
        flavor.union(new, mode)?;
        Ok(flavor)
    }

    /// This flavor with the classes it lacks taken from `base` (the
    /// original's `mergeFlavor`): without any use class it takes the base's use
    /// flags, without any `is:` class the base's instruction sets. An
    /// explicitly empty class counts as present, so `use: gnome is:` over
    /// `is: x86` stays `gnome`. Target instruction sets are not taken.
    ///
    /// ```rust
    /// use conary_core::flavor::Flavor;
    ///
    /// let flavor: Flavor = "use: ssl".parse()?;
    /// let base: Flavor = "gtk is: x86(mmx) x86_64".parse()?;
    /// assert_eq!(flavor.fill_from(&base).to_string(), "ssl is: x86(mmx) x86_64");
    /// # Ok::<(), conary_core::flavor::FlavorError>(())
    /// ```
    pub fn fill_from(&self, base: &Flavor) -> Flavor {
        let needs_instruction_sets = self.instruction_sets.is_none();
        let needs_use = self.use_flags.is_none();
        if !needs_instruction_sets && !needs_use {
            return self.clone();
        }
        let mut merged = self.without_empty_classes();
        if needs_instruction_sets {
            merged.instruction_sets = base
                .instruction_sets
                .clone()
                .filter(|arches| !arches.is_empty());
        }
        if needs_use {
            merged.use_flags = base.use_flags.clone().filter(|flags| !flags.is_empty());
        }
        merged
    }

    /// Merges several flavors at once (the original's `mergeFlavorList`). For
    /// each flag the strongest sense in either direction is found; the result
    /// depends on `mode`:
    ///
    /// - `Override`: the last sense given;
    /// - equally strong in both directions: `DropConflicts` drops the flag,
    ///   `Prefs` takes the last of the two, `Normal` fails;
    /// - otherwise `Prefs` keeps a strong first sense if only one direction
    ///   was seen, else takes the last sense made weak; `Normal` and
    ///   `DropConflicts` take the stronger direction.
    ///
    /// ```rust
    /// use conary_core::flavor::{Flavor, MergeMode};
    ///
    /// let flavors: Vec<Flavor> = ["foo", "~bar", "!bar", "baz"]
    ///     .iter()
    ///     .map(|text| text.parse())
    ///     .collect::<Result<_, _>>()?;
    /// let merged = Flavor::merge_list(&flavors, MergeMode::Normal)?;
    /// assert_eq!(merged.to_string(), "!bar,baz,foo");
    /// # Ok::<(), conary_core::flavor::FlavorError>(())
    /// ```
    ///
    /// # Errors
    /// [`FlavorError::MergeConflict`] in [`MergeMode::Normal`] for a flag that
    /// is equally strong in both directions.
    pub fn merge_list(flavors: &[Flavor], mode: MergeMode) -> Result<Flavor, FlavorError> {
        let mut result = Flavor::default();
        let use_lists: Vec<&FlagMap> = flavors
            .iter()
            .filter_map(|f| f.use_flags.as_ref())
            .collect();
        let use_flags = merge_flag_lists(&use_lists, mode)?;
        if !use_flags.is_empty() {
            result.use_flags = Some(use_flags);
        }
        for class in ARCH_CLASSES {
            let mut by_arch: ArchMap = ArchMap::new();
            let names: BTreeSet<&String> = flavors
                .iter()
                .filter_map(|f| f.arch_map(class))
                .flat_map(|m| m.keys())
                .collect();
            for name in names {
                let lists: Vec<&FlagMap> = flavors
                    .iter()
                    .filter_map(|f| f.arch_map(class)?.get(name))
                    .collect();
                by_arch.insert(name.clone(), merge_flag_lists(&lists, mode)?);
            }
            if !by_arch.is_empty() {
                *result.arch_map_mut(class) = Some(by_arch);
            }
        }
        Ok(result)
    }
}

/// Merges the flags of one dependency taken from several flavors (`_mergeDeps`).
fn merge_flag_lists(lists: &[&FlagMap], mode: MergeMode) -> Result<FlagMap, FlavorError> {
    let mut senses_by_flag: BTreeMap<&String, Vec<Sense>> = BTreeMap::new();
    for flags in lists {
        for (flag, sense) in *flags {
            senses_by_flag.entry(flag).or_default().push(*sense);
        }
    }
    let mut result = FlagMap::new();
    for (flag, senses) in senses_by_flag {
        if let Some(sense) = merge_sense_list(flag, &senses, mode)? {
            result.insert(flag.clone(), sense);
        }
    }
    Ok(result)
}

/// The strength (0, 1 or 2) and sense of the strongest sense in one direction.
fn strongest(senses: &[Sense], strong: Sense, weak: Sense) -> (u8, Option<Sense>) {
    if senses.contains(&strong) {
        (2, Some(strong))
    } else if senses.contains(&weak) {
        (1, Some(weak))
    } else {
        (0, None)
    }
}

fn merge_sense_list(
    flag: &str,
    senses: &[Sense],
    mode: MergeMode,
) -> Result<Option<Sense>, FlavorError> {
    let (Some(&first), Some(&last)) = (senses.first(), senses.last()) else {
        return Ok(None);
    };
    if mode == MergeMode::Override {
        return Ok(Some(last));
    }
    let (positive_strength, positive) = strongest(senses, Sense::Required, Sense::Preferred);
    let (negative_strength, negative) = strongest(senses, Sense::Disallowed, Sense::PreferNot);
    if positive_strength == negative_strength {
        return match mode {
            MergeMode::DropConflicts => Ok(None),
            MergeMode::Prefs | MergeMode::Override => Ok(senses
                .iter()
                .rev()
                .find(|sense| Some(**sense) == positive || Some(**sense) == negative)
                .copied()),
            MergeMode::Normal => Err(FlavorError::MergeConflict {
                first: flag_text(flag, negative.unwrap_or(Sense::Disallowed)),
                second: flag_text(flag, positive.unwrap_or(Sense::Required)),
            }),
        };
    }
    if mode == MergeMode::Prefs {
        let one_direction = positive.is_none() || negative.is_none();
        if first.is_strong() && one_direction {
            return Ok(Some(first));
        }
        return Ok(Some(last.to_weak()));
    }
    Ok(if positive_strength > negative_strength {
        positive
    } else {
        negative
    })
}
