//! Why a plan cannot be made: [`PlanError`], and the dependency problems it
//! lists.

use std::fmt;

use conary_api::SourceError;
use conary_core::deps::Dependency;
use conary_core::flavor::Flavor;
use conary_core::trove::TroveTuple;
use conary_core::version::VersionError;

use super::system::SystemError;

/// A trove named briefly, `name=label/revision[flavor]`: enough to tell it
/// from the others in a message, short enough to read.
///
/// ```rust
/// use conary_system::plan::ShortTuple;
/// let tuple = "foo:lib=/a.example.com@rpl:1/1.0-1-1[is: x86]".parse().expect("tuple");
/// assert_eq!(ShortTuple(&tuple).to_string(), "foo:lib=a.example.com@rpl:1/1.0-1-1[is: x86]");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ShortTuple<'a>(pub &'a TroveTuple);

impl fmt::Display for ShortTuple<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tuple = self.0;
        write!(
            f,
            "{}={}/{}",
            tuple.name,
            tuple.version.trailing_label(),
            tuple.version.trailing_revision()
        )?;
        if !tuple.flavor.is_empty() {
            write!(f, "[{}]", tuple.flavor)?;
        }
        Ok(())
    }
}

/// A requirement of a trove the plan installs that nothing in the
/// resulting system provides.
///
/// ```rust
/// use conary_system::plan::DepProblem;
/// let problem = DepProblem {
///     requirer: "curl=/a.example.com@rpl:1/1.0-1-1[]".parse().expect("tuple"),
///     dependency: "deb: libcurl4".parse().expect("dependency"),
/// };
/// assert_eq!(problem.to_string(), "curl=a.example.com@rpl:1/1.0-1-1 requires deb: libcurl4");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct DepProblem {
    /// The trove with the requirement.
    pub requirer: TroveTuple,
    /// What it requires.
    pub dependency: Dependency,
}

impl fmt::Display for DepProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} requires {}",
            ShortTuple(&self.requirer),
            self.dependency
        )
    }
}

/// A requirement of a trove that stays installed which only troves the plan
/// erases or replaces provided.
///
/// ```rust
/// use conary_system::plan::BrokenDep;
/// let broken = BrokenDep {
///     requirer: "bar:runtime=/a.example.com@rpl:1/1.0-1-1[]".parse().expect("tuple"),
///     dependency: "trove: foo:lib".parse().expect("dependency"),
///     removed: vec!["foo:lib=/a.example.com@rpl:1/1.0-1-1[]".parse().expect("tuple")],
/// };
/// assert_eq!(
///     broken.to_string(),
///     "bar:runtime=a.example.com@rpl:1/1.0-1-1 requires trove: foo:lib, provided by foo:lib=a.example.com@rpl:1/1.0-1-1"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct BrokenDep {
    /// The installed trove with the requirement.
    pub requirer: TroveTuple,
    /// What it requires.
    pub dependency: Dependency,
    /// The installed troves that provided it and that the plan removes.
    pub removed: Vec<TroveTuple>,
}

impl fmt::Display for BrokenDep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} requires {}, provided by ",
            ShortTuple(&self.requirer),
            self.dependency
        )?;
        for (index, removed) in self.removed.iter().enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}", ShortTuple(removed))?;
        }
        Ok(())
    }
}

/// Writes each item on its own indented line.
fn lines<T: fmt::Display>(items: &[T]) -> String {
    items.iter().map(|item| format!("\n    {item}")).collect()
}

/// Writes flavors as `[flavor], [flavor]`.
fn flavors(flavors: &[Flavor]) -> String {
    flavors
        .iter()
        .map(|flavor| format!("[{flavor}]"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why the planner could not make a plan.
///
/// ```rust
/// use conary_system::plan::PlanError;
/// let error = PlanError::NotFound {
///     spec: "gimp".to_owned(),
///     searched: vec!["conary.rpath.com@rpl:1".to_owned()],
/// };
/// assert_eq!(error.to_string(), "gimp was not found (searched conary.rpath.com@rpl:1)");
/// ```
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// No trove of that name (and version) is on the labels or branches
    /// searched.
    #[error("{spec} was not found (searched {})", .searched.join(", "))]
    NotFound {
        /// The trove spec.
        spec: String,
        /// The labels or branches searched, in order.
        searched: Vec<String>,
    },
    /// The spec needs the install label path, which is empty.
    #[error("cannot look for {spec}: the install label path (installLabelPath) is empty")]
    NoLabelPath {
        /// The trove spec.
        spec: String,
    },
    /// The version part of a spec cannot be applied to the label path.
    #[error("cannot look for {spec}: {source}")]
    InvalidSpec {
        /// The trove spec.
        spec: String,
        /// What is wrong.
        #[source]
        source: VersionError,
    },
    /// The trove exists, but none of its flavors fits the system flavor
    /// (or the flavor asked for).
    #[error("no flavor of {spec} fits this system (available: {})", flavors(.available))]
    NoFittingFlavor {
        /// The trove spec.
        spec: String,
        /// The flavors found.
        available: Vec<Flavor>,
    },
    /// An erasure or a change names a trove that is not installed.
    #[error("{spec} is not installed")]
    NotInstalled {
        /// The trove spec.
        spec: String,
    },
    /// An erasure names a pinned trove.
    #[error("cannot erase {}: it is pinned (unpin it first)", ShortTuple(.trove))]
    Pinned {
        /// The pinned trove.
        trove: Box<TroveTuple>,
    },
    /// A trove would be installed beside another that owns the same path
    /// with different contents (`--keep-existing`, pins).
    #[error(
        "cannot install {} beside {}: both have {path}",
        ShortTuple(.new),
        ShortTuple(.kept)
    )]
    Overlap {
        /// The trove to install.
        new: Box<TroveTuple>,
        /// The installed trove kept.
        kept: Box<TroveTuple>,
        /// A path both own.
        path: String,
    },
    /// Requirements of troves the plan installs that nothing provides
    /// (use `--resolve` to look for providers, `--no-deps` to go on).
    #[error("unresolved dependencies:{}", lines(.problems))]
    Unresolved {
        /// Each trove and what it lacks.
        problems: Vec<DepProblem>,
    },
    /// Erasing or replacing troves would leave requirements of installed
    /// troves unsatisfied (`--keep-required` keeps what is needed).
    #[error("the job would break dependencies:{}", lines(.problems))]
    BreaksDependents {
        /// Each installed trove, what it loses, and who provided it.
        problems: Vec<BrokenDep>,
    },
    /// A `pinTroves` or `excludeTroves` pattern is not a valid regular
    /// expression.
    #[error("invalid {setting} pattern '{pattern}': {reason}")]
    InvalidPattern {
        /// The configuration key.
        setting: &'static str,
        /// The pattern.
        pattern: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The trove source failed.
    #[error("cannot {doing}: {source}")]
    Source {
        /// What the planner asked for.
        doing: String,
        /// The source's error.
        #[source]
        source: SourceError,
    },
    /// The trove source answered with the wrong number of manifests.
    #[error("the repository returned {got} manifests for {asked} troves")]
    ManifestCount {
        /// How many were asked for.
        asked: usize,
        /// How many came back.
        got: usize,
    },
    /// A redirect cannot be followed: it points to nothing, to a branch
    /// without its target, or loops.
    #[error("cannot follow the redirect {trove}: {reason}")]
    Redirect {
        /// The redirect trove.
        trove: String,
        /// Why.
        reason: String,
    },
    /// The installed system could not be read.
    #[error("cannot read the installed system: {source}")]
    System {
        /// Its error.
        #[source]
        source: SystemError,
    },
}
