//! Satisfaction and scoring, with the original's `flavorScores` table.
//!
//! The system (or query) flavor plays "provides" and the trove flavor plays
//! "requires". Only what the trove mentions counts: every use flag of the
//! trove adds the table's value for the pair of senses, every instruction set
//! of the trove must be in the system and adds 1 plus the values of its flags.
//! Any pair the table marks as impossible makes the trove incompatible.

use super::{ArchMap, FlagMap, Flavor, Sense};

/// The original's `flavorScores` table: the score of a trove flag of sense
/// `trove` against a system that holds it with `system` (`None`: the system
/// does not mention the flag). `None` means incompatible.
///
/// | system ↓ / trove → | required | disallowed | preferred | prefer-not |
/// |---|---|---|---|---|
/// | unspecified | ✗ | 0 | −1 | +1 |
/// | required    | +2 | ✗ | +1 | ✗ |
/// | disallowed  | ✗ | +2 | ✗ | +1 |
/// | preferred   | +1 | ✗ | +2 | −1 |
/// | prefer-not  | −2 | +1 | −1 | +1 |
///
/// ```rust
/// use conary_core::flavor::{Sense, flag_score};
///
/// assert_eq!(flag_score(None, Sense::Disallowed), Some(0));
/// assert_eq!(flag_score(Some(Sense::PreferNot), Sense::Required), Some(-2));
/// assert_eq!(flag_score(Some(Sense::Required), Sense::Disallowed), None);
/// ```
pub fn flag_score(system: Option<Sense>, trove: Sense) -> Option<i32> {
    use Sense::{Disallowed, PreferNot, Preferred, Required};
    match (system, trove) {
        (None, Required) => None,
        (None, Disallowed) => Some(0),
        (None, Preferred) => Some(-1),
        (None, PreferNot) => Some(1),

        (Some(Required), Required) => Some(2),
        (Some(Required), Disallowed) => None,
        (Some(Required), Preferred) => Some(1),
        (Some(Required), PreferNot) => None,

        (Some(Disallowed), Required) => None,
        (Some(Disallowed), Disallowed) => Some(2),
        (Some(Disallowed), Preferred) => None,
        (Some(Disallowed), PreferNot) => Some(1),

        (Some(Preferred), Required) => Some(1),
        (Some(Preferred), Disallowed) => None,
        (Some(Preferred), Preferred) => Some(2),
        (Some(Preferred), PreferNot) => Some(-1),

        (Some(PreferNot), Required) => Some(-2),
        (Some(PreferNot), Disallowed) => Some(1),
        (Some(PreferNot), Preferred) => Some(-1),
        (Some(PreferNot), PreferNot) => Some(1),
    }
}

/// The score of the trove's flags of one dependency against the system's.
fn flags_score(system: Option<&FlagMap>, trove: &FlagMap) -> Option<i32> {
    trove.iter().try_fold(0i32, |total, (flag, &sense)| {
        let system_sense = system.and_then(|flags| flags.get(flag)).copied();
        Some(total.saturating_add(flag_score(system_sense, sense)?))
    })
}

/// The score of the trove's instruction sets: each must be in the system and
/// adds 1 for its name plus its flags.
fn arches_score(system: Option<&ArchMap>, trove: &ArchMap) -> Option<i32> {
    trove.iter().try_fold(0i32, |total, (arch, flags)| {
        let system_flags = system?.get(arch)?;
        let score = flags_score(Some(system_flags), flags)?;
        Some(total.saturating_add(score).saturating_add(1))
    })
}

fn map_senses(flags: &FlagMap, map: fn(Sense) -> Sense) -> FlagMap {
    flags
        .iter()
        .map(|(name, sense)| (name.clone(), map(*sense)))
        .collect()
}

fn map_arch_senses(arches: &ArchMap, map: fn(Sense) -> Sense) -> ArchMap {
    arches
        .iter()
        .map(|(name, flags)| (name.clone(), map_senses(flags, map)))
        .collect()
}

impl Flavor {
    /// How well a trove of flavor `trove` fits this system (or query) flavor:
    /// `None` if it cannot be used, otherwise a score where higher is better.
    /// A score of 0 is compatible.
    ///
    /// ```rust
    /// use conary_core::flavor::Flavor;
    ///
    /// let system: Flavor = "is: x86".parse()?;
    /// assert_eq!(system.score(&"is: x86".parse()?), Some(1));
    /// assert_eq!(system.score(&"is: x86(~!i686)".parse()?), Some(2));
    /// assert_eq!(system.score(&"is: x86_64".parse()?), None);
    /// assert_eq!(Flavor::new().score(&"!ssl".parse()?), Some(0));
    /// # Ok::<(), conary_core::flavor::FlavorError>(())
    /// ```
    pub fn score(&self, trove: &Flavor) -> Option<i32> {
        let mut total = 0i32;
        if let Some(flags) = trove.use_flags.as_ref().filter(|flags| !flags.is_empty()) {
            total = total.saturating_add(flags_score(self.use_flags.as_ref(), flags)?);
        }
        for (system, trove) in [
            (&self.instruction_sets, &trove.instruction_sets),
            (&self.targets, &trove.targets),
        ] {
            if let Some(arches) = trove.as_ref().filter(|arches| !arches.is_empty()) {
                total = total.saturating_add(arches_score(system.as_ref(), arches)?);
            }
        }
        Some(total)
    }

    /// Whether a trove of flavor `trove` can be used on this system: its
    /// score is not `None`.
    pub fn satisfies(&self, trove: &Flavor) -> bool {
        self.score(trove).is_some()
    }

    /// Whether this flavor satisfies `trove` once both have every weak flag
    /// made strong, so that the trove's `~ssl` needs `ssl` here.
    ///
    /// ```rust
    /// use conary_core::flavor::Flavor;
    ///
    /// let trove: Flavor = "~ssl".parse()?;
    /// assert!(Flavor::new().satisfies(&trove));
    /// assert!(!Flavor::new().strongly_satisfies(&trove));
    /// assert!("~ssl".parse::<Flavor>()?.strongly_satisfies(&trove));
    /// # Ok::<(), conary_core::flavor::FlavorError>(())
    /// ```
    pub fn strongly_satisfies(&self, trove: &Flavor) -> bool {
        self.to_strong().satisfies(&trove.to_strong())
    }

    /// A copy with `~flag` made `flag` and `~!flag` made `!flag`.
    pub fn to_strong(&self) -> Flavor {
        self.map_senses(Sense::to_strong)
    }

    /// A copy with `flag` made `~flag` and `!flag` made `~!flag`.
    pub fn to_weak(&self) -> Flavor {
        self.map_senses(Sense::to_weak)
    }

    fn map_senses(&self, map: fn(Sense) -> Sense) -> Flavor {
        Flavor {
            use_flags: self.use_flags.as_ref().map(|flags| map_senses(flags, map)),
            instruction_sets: self
                .instruction_sets
                .as_ref()
                .map(|arches| map_arch_senses(arches, map)),
            targets: self
                .targets
                .as_ref()
                .map(|arches| map_arch_senses(arches, map)),
        }
    }
}
