//! Flavors: instruction sets and use flags.
//!
//! A flavor says what a trove was built for, or what a system offers:
//!
//! - **use flags**, comma separated: `ssl,!pam,~builddocs,~!bootstrap,kernel.smp`
//!   (a flag may carry one dot: a per-package flag such as `kernel.smp`);
//! - **instruction sets** after `is:`, space separated, each with optional
//!   sub-flags: `is: x86(i686,sse2) x86_64`;
//! - **target instruction sets** for cross compilers after `target:`.
//!
//! Each flag has a [`Sense`]: required (no prefix), disallowed (`!`),
//! preferred (`~`) or prefer-not (`~!`). The first two are *strong*, the
//! others *weak*.
//!
//! Scoring follows the original Conary exactly: the system (or query) flavor
//! plays "provides" and the trove flavor "requires"; see [`Flavor::score`] and
//! [`flag_score`]. Merging follows `overrideFlavor`, `mergeFlavor` and
//! `mergeFlavorList` (see [`MergeMode`]), and choosing among candidate troves
//! follows the repository trove source: [`FlavorSelector`], [`FlavorPreferences`].
//!
//! A class written with nothing after it (`is:` or `use:` alone) is recorded as
//! an *explicitly empty* class. It prints as nothing and does not score, but it
//! changes how merges behave ("explicitly no instruction set").
//!
//! ```rust
//! use conary_core::flavor::Flavor;
//!
//! let system: Flavor = "ssl,~builddocs is: x86(i686,sse2) x86_64".parse()?;
//! let trove: Flavor = "~!builddocs,ssl is: x86(i686)".parse()?;
//! assert_eq!(trove.to_string(), "~!builddocs,ssl is: x86(i686)");
//! assert_eq!(system.score(&trove), Some(4));
//! # Ok::<(), conary_core::flavor::FlavorError>(())
//! ```

mod error;
mod merge;
mod parse;
mod prefs;
mod score;
mod select;
mod setops;

use std::collections::BTreeMap;

pub use error::FlavorError;
pub use merge::MergeMode;
pub use prefs::{FlavorPreferences, major_arch};
pub use score::flag_score;
pub use select::{FlavorCheck, FlavorSelector, best_flavor};
pub use setops::flavor_differences;

/// Flags of one dependency (the use flags, or one instruction set), by name.
pub(crate) type FlagMap = BTreeMap<String, Sense>;
/// Instruction sets of one class (`is:` or `target:`), by name.
pub(crate) type ArchMap = BTreeMap<String, FlagMap>;

/// How strongly a flavor holds a flag.
///
/// ```rust
/// use conary_core::flavor::Sense;
///
/// assert_eq!(Sense::PreferNot.prefix(), "~!");
/// assert_eq!(Sense::PreferNot.to_strong(), Sense::Disallowed);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sense {
    /// Must have the flag (no prefix).
    Required,
    /// Must not have the flag (`!`).
    Disallowed,
    /// Would rather have the flag (`~`).
    Preferred,
    /// Would rather not have the flag (`~!`).
    PreferNot,
}

impl Sense {
    /// The prefix written before a flag of this sense: ``, `!`, `~` or `~!`.
    pub fn prefix(self) -> &'static str {
        match self {
            Sense::Required => "",
            Sense::Disallowed => "!",
            Sense::Preferred => "~",
            Sense::PreferNot => "~!",
        }
    }

    /// Whether this is a strong sense (required or disallowed).
    pub fn is_strong(self) -> bool {
        matches!(self, Sense::Required | Sense::Disallowed)
    }

    /// The strong sense with the same direction: `~` becomes required, `~!` disallowed.
    pub fn to_strong(self) -> Sense {
        match self {
            Sense::Required | Sense::Preferred => Sense::Required,
            Sense::Disallowed | Sense::PreferNot => Sense::Disallowed,
        }
    }

    /// The weak sense with the same direction: required becomes `~`, disallowed `~!`.
    pub fn to_weak(self) -> Sense {
        match self {
            Sense::Required | Sense::Preferred => Sense::Preferred,
            Sense::Disallowed | Sense::PreferNot => Sense::PreferNot,
        }
    }
}

/// One of the three classes a flavor is made of.
///
/// ```rust
/// use conary_core::flavor::{Flavor, FlavorClass};
///
/// let flavor: Flavor = "ssl is:".parse()?;
/// assert!(flavor.has_class(FlavorClass::InstructionSet));
/// assert!(!flavor.has_class(FlavorClass::Target));
/// # Ok::<(), conary_core::flavor::FlavorError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FlavorClass {
    /// Use flags (`ssl,!pam`).
    Use,
    /// Instruction sets (`is: x86_64`).
    InstructionSet,
    /// Target instruction sets of a cross compiler (`target: arm`).
    Target,
}

/// The two classes that hold instruction sets.
const ARCH_CLASSES: [FlavorClass; 2] = [FlavorClass::InstructionSet, FlavorClass::Target];

/// A flavor: use flags, instruction sets and target instruction sets.
///
/// `Eq`, `Hash` and `Ord` are structural and include the explicitly empty
/// classes (`is:` alone), which print as nothing; `Default` is the empty flavor.
///
/// ```rust
/// use conary_core::flavor::Flavor;
///
/// let flavor: Flavor = "use: ~!bootstrap,ssl,~builddocs is: x86(sse2,i686) x86_64".parse()?;
/// assert_eq!(flavor.to_string(), "~!bootstrap,~builddocs,ssl is: x86(i686,sse2) x86_64");
/// assert_eq!(Flavor::default().to_string(), "");
/// # Ok::<(), conary_core::flavor::FlavorError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Flavor {
    /// `None`: no use class; `Some(empty)`: explicitly empty (`use:`).
    use_flags: Option<FlagMap>,
    /// `None`: no `is:` class; `Some(empty)`: explicitly empty (`is:`).
    instruction_sets: Option<ArchMap>,
    /// `None`: no `target:` class; `Some(empty)`: explicitly empty (`target:`).
    targets: Option<ArchMap>,
}

impl Flavor {
    /// The empty flavor, the same as `Flavor::default()`.
    pub fn new() -> Flavor {
        Flavor::default()
    }

    /// Whether the flavor has no flags and no instruction sets, so that it
    /// prints as the empty string. Explicitly empty classes are ignored.
    pub fn is_empty(&self) -> bool {
        self.use_flags.as_ref().is_none_or(BTreeMap::is_empty)
            && self
                .instruction_sets
                .as_ref()
                .is_none_or(BTreeMap::is_empty)
            && self.targets.as_ref().is_none_or(BTreeMap::is_empty)
    }

    /// Whether the class is present, even if explicitly empty (`is:` alone).
    pub fn has_class(&self, class: FlavorClass) -> bool {
        match class {
            FlavorClass::Use => self.use_flags.is_some(),
            FlavorClass::InstructionSet => self.instruction_sets.is_some(),
            FlavorClass::Target => self.targets.is_some(),
        }
    }

    /// The use flags with their senses, sorted by name.
    pub fn use_flags(&self) -> impl Iterator<Item = (&str, Sense)> {
        self.use_flags
            .iter()
            .flatten()
            .map(|(name, sense)| (name.as_str(), *sense))
    }

    /// The sense of one use flag, if the flavor mentions it.
    pub fn use_flag(&self, name: &str) -> Option<Sense> {
        self.use_flags.as_ref()?.get(name).copied()
    }

    /// The names of the instruction sets (`is:`), sorted.
    pub fn instruction_sets(&self) -> impl Iterator<Item = &str> {
        self.instruction_sets
            .iter()
            .flatten()
            .map(|(name, _)| name.as_str())
    }

    /// The names of the target instruction sets (`target:`), sorted.
    pub fn targets(&self) -> impl Iterator<Item = &str> {
        self.targets.iter().flatten().map(|(name, _)| name.as_str())
    }

    /// The flags of one instruction set of `class` (`InstructionSet` or
    /// `Target`), sorted by name, or `None` if the flavor lacks it.
    pub fn arch_flags(
        &self,
        class: FlavorClass,
        arch: &str,
    ) -> Option<impl Iterator<Item = (&str, Sense)>> {
        let flags = self.arch_map(class)?.get(arch)?;
        Some(flags.iter().map(|(name, sense)| (name.as_str(), *sense)))
    }

    /// Sets one use flag, replacing any sense it had.
    ///
    /// # Errors
    /// [`FlavorError::BadName`] if `name` is not a valid use flag name
    /// (letters, digits, `_`, `-`, with at most one inner `.`).
    pub fn set_use_flag(&mut self, name: &str, sense: Sense) -> Result<(), FlavorError> {
        parse::check_name(name, true)?;
        self.use_flags
            .get_or_insert_with(FlagMap::new)
            .insert(name.to_string(), sense);
        Ok(())
    }

    /// Adds an instruction set with flags to `class` (`InstructionSet` or
    /// `Target`; `Use` is treated as `InstructionSet`). If the instruction set is
    /// already there, the flags are merged as [`MergeMode::Normal`] does.
    ///
    /// # Errors
    /// [`FlavorError::BadName`] for an invalid name, [`FlavorError::MergeConflict`]
    /// if a flag contradicts one already present.
    pub fn add_arch(
        &mut self,
        class: FlavorClass,
        arch: &str,
        flags: &[(&str, Sense)],
    ) -> Result<(), FlavorError> {
        parse::check_name(arch, false)?;
        let mut new_flags = FlagMap::new();
        for (name, sense) in flags {
            parse::check_name(name, false)?;
            new_flags.insert((*name).to_string(), *sense);
        }
        let arches = self.arch_map_mut(class).get_or_insert_with(ArchMap::new);
        match arches.get_mut(arch) {
            Some(existing) => merge::merge_flags(existing, &new_flags, MergeMode::Normal)?,
            None => {
                arches.insert(arch.to_string(), new_flags);
            }
        }
        Ok(())
    }

    /// Records the class as present but explicitly empty, like `is:` alone.
    /// Does nothing if the class is already present.
    pub fn add_empty_class(&mut self, class: FlavorClass) {
        match class {
            FlavorClass::Use => {
                self.use_flags.get_or_insert_with(FlagMap::new);
            }
            FlavorClass::InstructionSet | FlavorClass::Target => {
                self.arch_map_mut(class).get_or_insert_with(ArchMap::new);
            }
        }
    }

    /// Only the instruction set and target names, without flags or use flags
    /// (the original's `getInstructionSetFlavor`).
    pub fn instruction_set_flavor(&self) -> Flavor {
        let names_only = |arches: &Option<ArchMap>| {
            arches.as_ref().filter(|map| !map.is_empty()).map(|map| {
                map.keys()
                    .map(|name| (name.clone(), FlagMap::new()))
                    .collect()
            })
        };
        Flavor {
            use_flags: None,
            instruction_sets: names_only(&self.instruction_sets),
            targets: names_only(&self.targets),
        }
    }

    /// The instruction sets of `class`; `Use` maps to `InstructionSet`.
    pub(crate) fn arch_map(&self, class: FlavorClass) -> Option<&ArchMap> {
        match class {
            FlavorClass::Target => self.targets.as_ref(),
            FlavorClass::Use | FlavorClass::InstructionSet => self.instruction_sets.as_ref(),
        }
    }

    /// Mutable access to the instruction sets of `class`; `Use` maps to `InstructionSet`.
    pub(crate) fn arch_map_mut(&mut self, class: FlavorClass) -> &mut Option<ArchMap> {
        match class {
            FlavorClass::Target => &mut self.targets,
            FlavorClass::Use | FlavorClass::InstructionSet => &mut self.instruction_sets,
        }
    }

    /// A copy without explicitly empty classes, as the original's `copy()` makes.
    pub(crate) fn without_empty_classes(&self) -> Flavor {
        let keep_nonempty_flags = |flags: &Option<FlagMap>| flags.clone().filter(|m| !m.is_empty());
        let keep_nonempty_arches =
            |arches: &Option<ArchMap>| arches.clone().filter(|m| !m.is_empty());
        Flavor {
            use_flags: keep_nonempty_flags(&self.use_flags),
            instruction_sets: keep_nonempty_arches(&self.instruction_sets),
            targets: keep_nonempty_arches(&self.targets),
        }
    }
}

/// Writes `prefix` and `name`, as a flag is printed.
pub(crate) fn flag_text(name: &str, sense: Sense) -> String {
    format!("{}{name}", sense.prefix())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fl(text: &str) -> Flavor {
        text.parse()
            .unwrap_or_else(|error| panic!("test flavor '{text}' must parse: {error}"))
    }

    #[test]
    fn accessors_and_builders() {
        let flavor = fl("~!bootstrap,ssl is: x86(i686,~sse2) x86_64 target: arm");
        let flags: Vec<(&str, Sense)> = flavor.use_flags().collect();
        assert_eq!(
            flags,
            [("bootstrap", Sense::PreferNot), ("ssl", Sense::Required)]
        );
        assert_eq!(flavor.use_flag("ssl"), Some(Sense::Required));
        assert_eq!(flavor.use_flag("pam"), None);
        assert_eq!(
            flavor.instruction_sets().collect::<Vec<_>>(),
            ["x86", "x86_64"]
        );
        assert_eq!(flavor.targets().collect::<Vec<_>>(), ["arm"]);
        let x86: Vec<(&str, Sense)> = flavor
            .arch_flags(FlavorClass::InstructionSet, "x86")
            .expect("x86 is there")
            .collect();
        assert_eq!(x86, [("i686", Sense::Required), ("sse2", Sense::Preferred)]);
        assert!(flavor.arch_flags(FlavorClass::Target, "x86").is_none());
        assert_eq!(
            flavor.instruction_set_flavor().to_string(),
            "is: x86 x86_64 target: arm"
        );

        let mut built = Flavor::new();
        built
            .set_use_flag("ssl", Sense::Required)
            .expect("valid name");
        built
            .set_use_flag("bootstrap", Sense::PreferNot)
            .expect("valid name");
        let is = FlavorClass::InstructionSet;
        built
            .add_arch(is, "x86", &[("i686", Sense::Required)])
            .expect("valid arch");
        built
            .add_arch(is, "x86", &[("sse2", Sense::Preferred)])
            .expect("flags merge");
        built.add_arch(is, "x86_64", &[]).expect("valid arch");
        built
            .add_arch(FlavorClass::Target, "arm", &[])
            .expect("valid arch");
        assert_eq!(built, flavor);

        #[rustfmt::skip]
        let bad_names: &[(&str, bool)] = &[("", true), ("a.b.c", true), ("a b", true), ("!ssl", true), ("x.86", false), ("", false)];
        for (name, use_flag) in bad_names {
            let mut flavor = Flavor::new();
            let result = if *use_flag {
                flavor.set_use_flag(name, Sense::Required)
            } else {
                flavor.add_arch(is, name, &[])
            };
            assert!(
                matches!(result, Err(FlavorError::BadName { .. })),
                "name '{name}'"
            );
        }
        let mut conflicting = fl("is: x86(i686)");
        let error = conflicting
            .add_arch(is, "x86", &[("i686", Sense::Disallowed)])
            .expect_err("i686 and !i686 conflict");
        assert_eq!(
            error.to_string(),
            "conflicting flags in merge: 'i686' and '!i686'"
        );
    }
}
