//! [`GroupError`]: why a group recipe could not be cooked.

use conary_api::SourceError;
use conary_core::flavor::FlavorError;

use crate::recipe::model::Location;

/// Why a group recipe could not be cooked. Errors caused by one operation
/// of the recipe start with its `FILE:LINE:COLUMN`.
#[derive(Debug, thiserror::Error)]
pub enum GroupError {
    /// The recipe does not cook a group.
    #[error("{file}: '{name}' is not a group recipe: group names start with 'group-'")]
    NotAGroup {
        /// The recipe file.
        file: String,
        /// The recipe's name.
        name: String,
    },
    /// A trove spec does not parse.
    #[error("{at}: invalid trove spec '{spec}': {reason}")]
    InvalidSpec {
        /// The operation.
        at: Location,
        /// The spec as written.
        spec: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A trove or group name does not parse.
    #[error("{at}: invalid trove name '{name}': {reason}")]
    InvalidName {
        /// The operation.
        at: Location,
        /// The name as written.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A search path entry looks like a label but does not parse.
    #[error("{at}: invalid label '{label}' in the search path: {reason}")]
    InvalidLabel {
        /// The operation.
        at: Location,
        /// The entry as written.
        label: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Nothing on the search path matches a trove spec.
    #[error("{at}: trove '{spec}' not found on {labels}")]
    NotFound {
        /// The operation.
        at: Location,
        /// The spec as written.
        spec: String,
        /// The labels (or branch) searched, space-separated.
        labels: String,
    },
    /// A trove spec matches several flavors equally well.
    #[error("{at}: trove '{spec}' matches several flavors ({flavors}): give one as NAME[FLAVOR]")]
    Ambiguous {
        /// The operation.
        at: Location,
        /// The spec as written.
        spec: String,
        /// The flavors found, `[..]` each.
        flavors: String,
    },
    /// A trove spec cannot be looked up: no search path, or a version that
    /// does not resolve against it.
    #[error("{at}: cannot look up trove '{spec}': {reason}")]
    Lookup {
        /// The operation.
        at: Location,
        /// The spec as written.
        spec: String,
        /// Why.
        reason: String,
    },
    /// An operation names a group the recipe has not created.
    #[error("{at}: group '{name}' has not been created")]
    UnknownGroup {
        /// The operation.
        at: Location,
        /// The group named.
        name: String,
    },
    /// `createGroup` of a name already taken.
    #[error("{at}: group '{name}' was already created")]
    GroupExists {
        /// The operation.
        at: Location,
        /// The group named.
        name: String,
    },
    /// `addPostRollbackScript(toClass=…)` in a group with no
    /// compatibility class to convert from.
    #[error(
        "{at}: addPostRollbackScript(toClass=...) needs the compatibility class of {group}: call r.setCompatibilityClass"
    )]
    ToClassWithoutClass {
        /// Where the script is added.
        at: Location,
        /// The group.
        group: String,
    },
    /// A script slot that does not exist.
    #[error("{at}: unknown script slot '{slot}'")]
    BadScriptSlot {
        /// Where the operation is.
        at: Location,
        /// The slot named.
        slot: String,
    },
    /// `createGroup` of a name that does not start with `group-`.
    #[error("{at}: cannot create group '{name}': group names start with 'group-'")]
    BadGroupName {
        /// The operation.
        at: Location,
        /// The name given.
        name: String,
    },
    /// `addNewGroup` would make a group include itself.
    #[error("{at}: groups include each other: {cycle}")]
    GroupCycle {
        /// The operation that closes the cycle.
        at: Location,
        /// The groups of the cycle, ` -> `-separated.
        cycle: String,
    },
    /// `remove` of a trove the group does not include.
    #[error("{at}: cannot remove '{name}': {group} does not include it")]
    NothingToRemove {
        /// The operation.
        at: Location,
        /// The trove name.
        name: String,
        /// The group.
        group: String,
    },
    /// `replace` of a trove no group includes.
    #[error("{at}: cannot replace '{name}': {}", not_included(.group.as_deref()))]
    NothingToReplace {
        /// The operation.
        at: Location,
        /// The trove name.
        name: String,
        /// The group named by the operation (`None`: every group).
        group: Option<String>,
    },
    /// `addAll` of a trove that includes nothing.
    #[error("{at}: cannot add all of '{spec}': {tuple} includes no troves")]
    EmptyAddAll {
        /// The operation.
        at: Location,
        /// The spec as written.
        spec: String,
        /// The trove found.
        tuple: String,
    },
    /// Two versions of one trove in one group.
    #[error("{group} includes two versions of {name}: {first} and {second}")]
    Conflict {
        /// The group.
        group: String,
        /// The trove name.
        name: String,
        /// One of the troves.
        first: String,
        /// The other.
        second: String,
    },
    /// By-default troves of different names install the same path.
    #[error("{group} has path conflicts:{}", indented(pairs))]
    PathConflict {
        /// The group.
        group: String,
        /// `A and B`, one per pair of troves, sorted.
        pairs: Vec<String>,
    },
    /// A redirect or removed trove in a group.
    #[error("cannot include {tuple} in a group: it is a {trove_type} trove")]
    NotNormal {
        /// The trove.
        tuple: String,
        /// Its type.
        trove_type: String,
    },
    /// Requirements of included troves that nothing included provides;
    /// `lines` are `TROVE requires DEP`, sorted.
    #[error("{group} has unresolved dependencies:{}", indented(lines))]
    Unresolved {
        /// The group.
        group: String,
        /// `TROVE requires DEP`, one per requirement.
        lines: Vec<String>,
    },
    /// The trove source did not return the manifest of a trove it listed.
    #[error("the trove source has no manifest for {tuple}")]
    MissingManifest {
        /// The trove.
        tuple: String,
    },
    /// Flavors could not be combined.
    #[error("{context}: {source}")]
    Flavor {
        /// What was being combined.
        context: String,
        /// Why it failed.
        source: FlavorError,
    },
    /// The trove source failed.
    #[error("trove source failed: {0}")]
    Source(#[from] SourceError),
}

/// Each line on its own line, indented by two spaces.
fn indented(lines: &[String]) -> String {
    lines.iter().map(|line| format!("\n  {line}")).collect()
}

/// Who does not include a trove to replace.
fn not_included(group: Option<&str>) -> String {
    match group {
        Some(group) => format!("{group} does not include it"),
        None => "no group of the recipe includes it".to_owned(),
    }
}
