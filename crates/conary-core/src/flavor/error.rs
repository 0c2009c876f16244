//! The one error type of the flavor module.

/// Everything that can go wrong when parsing, thawing or merging flavors.
///
/// Every message names the text at fault, so the CLI can print it as is.
///
/// ```rust
/// use conary_core::flavor::{Flavor, FlavorError};
///
/// let error = "is: x86(".parse::<Flavor>().expect_err("no closing parenthesis");
/// assert!(matches!(error, FlavorError::MissingParen { .. }));
/// assert_eq!(error.to_string(), "invalid flavor 'is: x86(': missing ')'");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FlavorError {
    /// A flag is not a valid name with an optional sense prefix (`~`, `!`, `~!`).
    #[error("invalid flavor '{flavor}': bad flag '{flag}'")]
    BadFlag {
        /// The whole flavor text.
        flavor: String,
        /// The flag at fault.
        flag: String,
    },
    /// A comma or parenthesis is not followed by a flag.
    #[error("invalid flavor '{flavor}': empty flag")]
    EmptyFlag {
        /// The whole flavor text.
        flavor: String,
    },
    /// An instruction set (or target) name is not a valid name.
    #[error("invalid flavor '{flavor}': bad instruction set '{arch}'")]
    BadInstructionSet {
        /// The whole flavor text.
        flavor: String,
        /// The instruction set at fault.
        arch: String,
    },
    /// A parenthesised flag list is not closed.
    #[error("invalid flavor '{flavor}': missing ')'")]
    MissingParen {
        /// The whole flavor text.
        flavor: String,
    },
    /// A section keyword is out of order: the order is `use:`, `is:`, `target:`.
    #[error(
        "invalid flavor '{flavor}': '{section}' out of order (use: flags, then is:, then target:)"
    )]
    SectionOrder {
        /// The whole flavor text.
        flavor: String,
        /// The keyword found out of place, e.g. `is:`.
        section: String,
    },
    /// Text that fits nowhere in the flavor grammar.
    #[error("invalid flavor '{flavor}': unexpected '{text}'")]
    Unexpected {
        /// The whole flavor text.
        flavor: String,
        /// The text from the point where parsing stopped.
        text: String,
    },
    /// The same instruction set appears twice with flags that contradict.
    #[error("invalid flavor '{flavor}': conflicting flags '{first}' and '{second}'")]
    ConflictingFlags {
        /// The whole flavor text.
        flavor: String,
        /// The first flag, with its sense prefix.
        first: String,
        /// The second flag, with its sense prefix.
        second: String,
    },
    /// A merge in [`MergeMode::Normal`](super::MergeMode::Normal) met two flags of the
    /// same strength and opposite direction (`ssl` and `!ssl`, `~ssl` and `~!ssl`).
    #[error("conflicting flags in merge: '{first}' and '{second}'")]
    MergeConflict {
        /// The flag already present, with its sense prefix.
        first: String,
        /// The flag merged in, with its sense prefix.
        second: String,
    },
    /// A name given to a builder method is not a valid flag or instruction set name.
    #[error("invalid flavor name '{name}': {reason}")]
    BadName {
        /// The name at fault.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The instruction sets of a flavor cannot run on one machine (`is: x86 ppc`).
    #[error("incompatible instruction sets '{first}' and '{second}'")]
    IncompatibleInstructionSets {
        /// One instruction set.
        first: String,
        /// Another instruction set that does not go with the first.
        second: String,
    },
    /// A frozen flavor (`1#x86:i686|5#use:ssl`) could not be thawed.
    #[error("invalid frozen flavor '{frozen}': {reason}")]
    BadFrozen {
        /// The whole frozen text.
        frozen: String,
        /// What is wrong with it, naming the part at fault.
        reason: String,
    },
}
