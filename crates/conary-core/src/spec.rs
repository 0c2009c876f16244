//! Trove specs and change specs: how troves are named on the command line.
//!
//! A [`TroveSpec`] names troves to look for: `NAME[=VERSION][[FLAVOR]]`, as
//! in `bash`, `bash:runtime=1.2`, `kernel=:devel[smp is: x86_64]`. The
//! version is a [`VersionSpec`] (a full version, a branch, a label in whole
//! or in part, a revision), the flavor is any [`Flavor`] and may hold spaces.
//!
//! A [`ChangeSpec`] is one argument of `conary update` or `conary erase`:
//!
//! | change spec          | meaning                                             |
//! |----------------------|-----------------------------------------------------|
//! | `foo`, `foo=1.0`     | unmarked: `update` installs or updates, `erase` erases |
//! | `+foo[ssl]`          | install or update, whatever the command             |
//! | `-foo=:devel`        | erase, whatever the command                         |
//! | `foo=1.0--2.0`       | change the installed `foo=1.0` into `foo=2.0`       |
//! | `foo=--2.0`          | install `foo=2.0` beside what is installed          |
//! | `foo=1.0--`          | erase `foo=1.0`                                     |
//! | `foo[!ssl]--[ssl]`   | change the flavor only                              |
//!
//! Both follow the original's `parseTroveSpec` and `parseChangeSpec`, with
//! three deliberate differences: the name must be a valid [`TroveName`]
//! (so `+` and `-` are only marks), a `=` must be followed by a version
//! (except on the left of a transition, `foo=--2.0`), and `--` is found
//! outside the flavor brackets only. Since `--` splits a transition, no part
//! of a spec outside its brackets may hold `--`, even in a trove spec.
//! Whitespace around a spec is ignored (the original's CNY-3219). An argument
//! naming a changeset file is the command's business, before it gets here.
//!
//! ```rust
//! use conary_core::spec::{ChangeSpec, TroveSpec, parse_change_list};
//!
//! let spec: TroveSpec = "kernel=:devel[smp is: x86_64]".parse()?;
//! assert_eq!(spec.name().as_str(), "kernel");
//! assert_eq!(spec.version().map(|v| v.to_string()).as_deref(), Some(":devel"));
//! assert_eq!(spec.to_string(), "kernel=:devel[smp is: x86_64]");
//!
//! let changes = parse_change_list(&["foo=1.0--2.0", "-bar", "foo=1.0--2.0"])?;
//! assert_eq!(changes.len(), 2);
//! assert!(matches!(changes[1], ChangeSpec::Erase(_)));
//! # Ok::<(), conary_core::spec::SpecError>(())
//! ```

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use crate::flavor::Flavor;
use crate::name::TroveName;
use crate::version::VersionSpec;

mod error;

pub use error::{SpecError, SpecKind};

/// The separator of a transition, `OLD--NEW`.
const TRANSITION: &str = "--";

/// A trove spec: a trove name with an optional version and flavor,
/// `NAME[=VERSION][[FLAVOR]]`.
///
/// A missing flavor (`None`) and an empty one (`foo[]`, `Some` of the empty
/// flavor) differ, as in the original: only the first lets the configured
/// flavors apply. A flavor that holds explicitly empty classes (`foo[is:]`)
/// prints them as nothing, so it reads back without them.
///
/// ```rust
/// use conary_core::spec::TroveSpec;
///
/// let spec: TroveSpec = " group-dist=conary.rpath.com@rpl:1/2.0[is: x86_64] ".parse()?;
/// assert_eq!(spec.name().as_str(), "group-dist");
/// assert_eq!(spec.flavor().map(|f| f.to_string()).as_deref(), Some("is: x86_64"));
/// assert_eq!(spec.to_string(), "group-dist=conary.rpath.com@rpl:1/2.0[is: x86_64]");
/// # Ok::<(), conary_core::spec::SpecError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TroveSpec {
    name: TroveName,
    version: Option<VersionSpec>,
    flavor: Option<Flavor>,
}

impl TroveSpec {
    /// A trove spec from its parts.
    ///
    /// # Errors
    /// [`SpecError::UnexpectedTransition`] if the name or the version holds
    /// `--`, which would read back as a transition.
    pub fn new(
        name: TroveName,
        version: Option<VersionSpec>,
        flavor: Option<Flavor>,
    ) -> Result<TroveSpec, SpecError> {
        let spec = TroveSpec {
            name,
            version,
            flavor,
        };
        if spec.name.as_str().contains(TRANSITION)
            || spec
                .version
                .as_ref()
                .is_some_and(|v| v.to_string().contains(TRANSITION))
        {
            return Err(SpecError::UnexpectedTransition {
                spec: spec.to_string(),
            });
        }
        Ok(spec)
    }

    /// A trove spec of a name alone: any version, any flavor.
    pub fn from_name(name: TroveName) -> TroveSpec {
        TroveSpec {
            name,
            version: None,
            flavor: None,
        }
    }

    /// The trove name.
    pub fn name(&self) -> &TroveName {
        &self.name
    }

    /// The version asked for, if any.
    pub fn version(&self) -> Option<&VersionSpec> {
        self.version.as_ref()
    }

    /// The flavor asked for, if any.
    pub fn flavor(&self) -> Option<&Flavor> {
        self.flavor.as_ref()
    }

    /// Whether the spec gives neither a version nor a flavor.
    pub fn is_name_only(&self) -> bool {
        self.version.is_none() && self.flavor.is_none()
    }

    /// The name, version and flavor.
    pub fn into_parts(self) -> (TroveName, Option<VersionSpec>, Option<Flavor>) {
        (self.name, self.version, self.flavor)
    }

    /// Writes `[=VERSION][[FLAVOR]]`, with `=` even before a flavor alone
    /// when `always_equals` (the left side of a transition).
    fn fmt_tail(&self, f: &mut fmt::Formatter<'_>, always_equals: bool) -> fmt::Result {
        if let Some(version) = &self.version {
            write!(f, "={version}")?;
        } else if always_equals {
            f.write_str("=")?;
        }
        if let Some(flavor) = &self.flavor {
            write!(f, "[{flavor}]")?;
        }
        Ok(())
    }
}

impl FromStr for TroveSpec {
    type Err = SpecError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let context = Context {
            kind: SpecKind::Trove,
            whole: text,
        };
        let spec = text.trim();
        if spec.is_empty() {
            return Err(context.empty());
        }
        if split_transition(spec).len() > 1 {
            return Err(SpecError::UnexpectedTransition {
                spec: text.to_owned(),
            });
        }
        let parts = context.split_spec(spec)?;
        context.build(parts, false)
    }
}

impl fmt::Display for TroveSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name)?;
        self.fmt_tail(f, false)
    }
}

/// A transition, `NAME=[OLD]--[NEW]`: a relative change from the troves
/// matching the old side to those matching the new side.
///
/// A side with neither version nor flavor is no side at all: `foo=--2.0`
/// installs beside what is installed, `foo=1.0--` erases. At least one
/// side is there.
///
/// ```rust
/// use conary_core::spec::Transition;
///
/// let transition: Transition = "foo[!ssl]--2.0[ssl]".parse()?;
/// assert_eq!(transition.old().map(|s| s.to_string()).as_deref(), Some("foo[!ssl]"));
/// assert_eq!(transition.new_side().map(|s| s.to_string()).as_deref(), Some("foo=2.0[ssl]"));
/// assert_eq!(transition.to_string(), "foo=[!ssl]--2.0[ssl]");
/// # Ok::<(), conary_core::spec::SpecError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Transition {
    name: TroveName,
    // Boxed: a trove spec is large, and most change specs are not transitions.
    old: Option<Box<TroveSpec>>,
    new: Option<Box<TroveSpec>>,
}

impl Transition {
    /// A transition of `name` from the `old` version and flavor to the `new`
    /// ones; a side with neither is no side.
    ///
    /// # Errors
    /// [`SpecError::EmptyTransition`] if neither side gives anything,
    /// [`SpecError::UnexpectedTransition`] if a version or the name holds `--`.
    pub fn new(
        name: TroveName,
        old: (Option<VersionSpec>, Option<Flavor>),
        new: (Option<VersionSpec>, Option<Flavor>),
    ) -> Result<Transition, SpecError> {
        let side = |(version, flavor): (Option<VersionSpec>, Option<Flavor>)| {
            TroveSpec::new(name.clone(), version, flavor)
                .map(|spec| Some(Box::new(spec)).filter(|spec| !spec.is_name_only()))
        };
        let transition = Transition {
            old: side(old)?,
            new: side(new)?,
            name,
        };
        if transition.old.is_none() && transition.new.is_none() {
            return Err(SpecError::EmptyTransition {
                spec: transition.to_string(),
            });
        }
        Ok(transition)
    }

    /// The trove name.
    pub fn name(&self) -> &TroveName {
        &self.name
    }

    /// What to change from, if anything.
    pub fn old(&self) -> Option<&TroveSpec> {
        self.old.as_deref()
    }

    /// What to change to, if anything.
    pub fn new_side(&self) -> Option<&TroveSpec> {
        self.new.as_deref()
    }
}

impl FromStr for Transition {
    type Err = SpecError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.parse::<ChangeSpec>()? {
            ChangeSpec::Transition(transition) => Ok(transition),
            _ => Err(SpecError::NotATransition {
                spec: text.to_owned(),
            }),
        }
    }
}

impl fmt::Display for Transition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name)?;
        match &self.old {
            Some(old) => old.fmt_tail(f, true)?,
            None => f.write_str("=")?,
        }
        f.write_str(TRANSITION)?;
        if let Some(new) = &self.new {
            if let Some(version) = &new.version {
                write!(f, "{version}")?;
            }
            if let Some(flavor) = &new.flavor {
                write!(f, "[{flavor}]")?;
            }
        }
        Ok(())
    }
}

/// One argument of `conary update` or `conary erase`.
///
/// ```rust
/// use conary_core::spec::ChangeSpec;
///
/// let spec: ChangeSpec = "-bash:runtime=:devel".parse()?;
/// assert!(matches!(&spec, ChangeSpec::Erase(trove) if trove.name().as_str() == "bash:runtime"));
/// assert_eq!(spec.to_string(), "-bash:runtime=:devel");
/// # Ok::<(), conary_core::spec::SpecError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChangeSpec {
    /// `NAME[=VERSION][[FLAVOR]]` without a mark: the command decides
    /// (`update` installs or updates, `erase` erases).
    Unmarked(TroveSpec),
    /// `+NAME[=VERSION][[FLAVOR]]`: install or update.
    Install(TroveSpec),
    /// `-NAME[=VERSION][[FLAVOR]]`: erase.
    Erase(TroveSpec),
    /// `NAME=[OLD]--[NEW]`: a relative change.
    Transition(Transition),
}

/// A change spec read as a job, the original's
/// `(name, (oldVersion, oldFlavor), (newVersion, newFlavor), isAbsolute)`.
///
/// ```rust
/// use conary_core::spec::ChangeSpec;
///
/// let job = "foo=1.0".parse::<ChangeSpec>()?.job(true, false);
/// assert!(job.old.is_none());
/// assert_eq!(job.new.map(|s| s.to_string()).as_deref(), Some("foo=1.0"));
/// assert!(job.absolute);
/// # Ok::<(), conary_core::spec::SpecError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChangeJob {
    /// The trove name.
    pub name: TroveName,
    /// The troves to remove, if any.
    pub old: Option<TroveSpec>,
    /// The troves to install, if any.
    pub new: Option<TroveSpec>,
    /// Whether the new troves replace the installed troves of the same name
    /// (an absolute job) rather than going in beside them.
    pub absolute: bool,
}

impl ChangeSpec {
    /// The trove name.
    pub fn name(&self) -> &TroveName {
        match self {
            ChangeSpec::Unmarked(spec) | ChangeSpec::Install(spec) | ChangeSpec::Erase(spec) => {
                spec.name()
            }
            ChangeSpec::Transition(transition) => transition.name(),
        }
    }

    /// The job this spec asks for. An unmarked spec installs when
    /// `update_by_default` (`conary update`) and erases otherwise
    /// (`conary erase`); an install is absolute unless `keep_existing`.
    /// Transitions are never absolute.
    pub fn job(&self, update_by_default: bool, keep_existing: bool) -> ChangeJob {
        let install = |spec: &TroveSpec| ChangeJob {
            name: spec.name.clone(),
            old: None,
            new: Some(spec.clone()),
            absolute: !keep_existing,
        };
        let erase = |spec: &TroveSpec| ChangeJob {
            name: spec.name.clone(),
            old: Some(spec.clone()),
            new: None,
            absolute: false,
        };
        match self {
            ChangeSpec::Unmarked(spec) if update_by_default => install(spec),
            ChangeSpec::Unmarked(spec) | ChangeSpec::Erase(spec) => erase(spec),
            ChangeSpec::Install(spec) => install(spec),
            ChangeSpec::Transition(transition) => ChangeJob {
                name: transition.name.clone(),
                old: transition.old().cloned(),
                new: transition.new_side().cloned(),
                absolute: false,
            },
        }
    }
}

impl FromStr for ChangeSpec {
    type Err = SpecError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let context = Context {
            kind: SpecKind::Change,
            whole: text,
        };
        let spec = text.trim();
        if spec.is_empty() {
            return Err(context.empty());
        }
        match split_transition(spec)[..] {
            [single] => {
                if let Some(rest) = single.strip_prefix('+') {
                    Ok(ChangeSpec::Install(context.trove(rest)?))
                } else if let Some(rest) = single.strip_prefix('-') {
                    Ok(ChangeSpec::Erase(context.trove(rest)?))
                } else {
                    Ok(ChangeSpec::Unmarked(context.trove(single)?))
                }
            }
            [old, new] => context.transition(old, new).map(ChangeSpec::Transition),
            _ => Err(SpecError::TooManyTransitions {
                spec: text.to_owned(),
            }),
        }
    }
}

impl fmt::Display for ChangeSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChangeSpec::Unmarked(spec) => write!(f, "{spec}"),
            ChangeSpec::Install(spec) => write!(f, "+{spec}"),
            ChangeSpec::Erase(spec) => write!(f, "-{spec}"),
            ChangeSpec::Transition(transition) => write!(f, "{transition}"),
        }
    }
}

/// Parses the change specs of a command line, dropping repeats but keeping
/// the order of first appearance (the original's `parseChangeList`).
///
/// # Errors
/// The first spec that does not parse.
///
/// ```rust
/// use conary_core::spec::parse_change_list;
///
/// let specs = parse_change_list(&["foo", "+bar", " foo ", "foo=1.0--2.0"])?;
/// let texts: Vec<String> = specs.iter().map(|s| s.to_string()).collect();
/// assert_eq!(texts, ["foo", "+bar", "foo=1.0--2.0"]);
/// # Ok::<(), conary_core::spec::SpecError>(())
/// ```
pub fn parse_change_list<S: AsRef<str>>(specs: &[S]) -> Result<Vec<ChangeSpec>, SpecError> {
    let mut seen = BTreeSet::new();
    let mut changes = Vec::new();
    for text in specs {
        let change: ChangeSpec = text.as_ref().parse()?;
        if seen.insert(change.clone()) {
            changes.push(change);
        }
    }
    Ok(changes)
}

/// Splits at each `--` outside brackets (a flavor flag may hold `--`).
fn split_transition(spec: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut in_brackets = false;
    let mut previous_dash = false;
    for (index, c) in spec.char_indices() {
        match c {
            '[' => in_brackets = true,
            ']' => in_brackets = false,
            '-' if !in_brackets && previous_dash => {
                // `index` is the second '-', one byte after the first.
                parts.push(spec.get(start..index - 1).unwrap_or_default());
                start = index + 1;
                previous_dash = false;
                continue;
            }
            _ => {}
        }
        previous_dash = c == '-' && !in_brackets;
    }
    parts.push(spec.get(start..).unwrap_or_default());
    parts
}

/// The pieces of one `NAME[=VERSION][[FLAVOR]]`, not yet checked.
struct Parts<'a> {
    name: &'a str,
    version: Option<&'a str>,
    flavor: Option<&'a str>,
}

/// What is being parsed, to name it in errors.
struct Context<'a> {
    kind: SpecKind,
    whole: &'a str,
}

impl Context<'_> {
    fn spec(&self) -> String {
        self.whole.to_owned()
    }

    fn empty(&self) -> SpecError {
        SpecError::Empty {
            kind: self.kind,
            spec: self.spec(),
        }
    }

    /// Splits `HEAD[[FLAVOR]]` into the head and the flavor text.
    fn split_flavor<'t>(&self, text: &'t str) -> Result<(&'t str, Option<&'t str>), SpecError> {
        let stray = |bracket| SpecError::StrayBracket {
            kind: self.kind,
            spec: self.spec(),
            bracket,
        };
        let Some((head, rest)) = text.split_once('[') else {
            if text.contains(']') {
                return Err(stray(']'));
            }
            return Ok((text, None));
        };
        if head.contains(']') {
            return Err(stray(']'));
        }
        let Some((flavor, after)) = rest.split_once(']') else {
            return Err(SpecError::MissingBracket {
                kind: self.kind,
                spec: self.spec(),
            });
        };
        if flavor.contains('[') {
            return Err(stray('['));
        }
        if !after.is_empty() {
            return Err(SpecError::TextAfterFlavor {
                kind: self.kind,
                spec: self.spec(),
                text: after.to_owned(),
            });
        }
        Ok((head, Some(flavor)))
    }

    /// Splits `NAME[=VERSION][[FLAVOR]]` into its pieces.
    fn split_spec<'t>(&self, text: &'t str) -> Result<Parts<'t>, SpecError> {
        let (head, flavor) = self.split_flavor(text)?;
        let (name, version) = match head.split_once('=') {
            Some((name, version)) => {
                if version.contains('=') {
                    return Err(SpecError::TooManyEquals {
                        kind: self.kind,
                        spec: self.spec(),
                    });
                }
                (name, Some(version))
            }
            None => (head, None),
        };
        Ok(Parts {
            name,
            version,
            flavor,
        })
    }

    /// Checks and parses the pieces; an empty version is no version when
    /// `allow_empty_version`, an error otherwise.
    fn build(&self, parts: Parts<'_>, allow_empty_version: bool) -> Result<TroveSpec, SpecError> {
        if parts.name.is_empty() {
            return Err(SpecError::MissingName {
                kind: self.kind,
                spec: self.spec(),
            });
        }
        let name: TroveName = parts.name.parse().map_err(|source| SpecError::Name {
            kind: self.kind,
            spec: self.spec(),
            source,
        })?;
        Ok(TroveSpec {
            name,
            version: self.version(parts.version, allow_empty_version)?,
            flavor: self.flavor(parts.flavor)?,
        })
    }

    fn version(
        &self,
        text: Option<&str>,
        allow_empty: bool,
    ) -> Result<Option<VersionSpec>, SpecError> {
        match text {
            None => Ok(None),
            Some("") if allow_empty => Ok(None),
            Some("") => Err(SpecError::EmptyVersion {
                kind: self.kind,
                spec: self.spec(),
            }),
            Some(text) => text.parse().map(Some).map_err(|source| SpecError::Version {
                kind: self.kind,
                spec: self.spec(),
                source,
            }),
        }
    }

    fn flavor(&self, text: Option<&str>) -> Result<Option<Flavor>, SpecError> {
        text.map(|text| {
            text.parse().map_err(|source| SpecError::Flavor {
                kind: self.kind,
                spec: self.spec(),
                source,
            })
        })
        .transpose()
    }

    /// A whole trove spec inside a change spec.
    fn trove(&self, text: &str) -> Result<TroveSpec, SpecError> {
        let parts = self.split_spec(text)?;
        self.build(parts, false)
    }

    /// `NAME[=[VERSION]][[FLAVOR]]` before `--`, `[VERSION][[FLAVOR]]` after.
    fn transition(&self, old: &str, new: &str) -> Result<Transition, SpecError> {
        let old_parts = self.split_spec(old)?;
        if old_parts.name.is_empty() {
            return Err(SpecError::MissingName {
                kind: self.kind,
                spec: self.spec(),
            });
        }
        if old_parts.name.starts_with(['+', '-']) {
            return Err(SpecError::MarkedTransition { spec: self.spec() });
        }
        let old_spec = self.build(old_parts, true)?;
        let (new_version, new_flavor) = self.split_flavor(new)?;
        if new_version.contains('=') {
            return Err(SpecError::TooManyEquals {
                kind: self.kind,
                spec: self.spec(),
            });
        }
        let new_version = self.version(Some(new_version), true)?;
        let new_flavor = self.flavor(new_flavor)?;
        let (name, old_version, old_flavor) = old_spec.into_parts();
        Transition::new(name, (old_version, old_flavor), (new_version, new_flavor)).map_err(
            |error| match error {
                SpecError::EmptyTransition { .. } => {
                    SpecError::EmptyTransition { spec: self.spec() }
                }
                other => other,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_transition_skips_brackets_and_keeps_empty_sides() {
        let cases: &[(&str, &[&str])] = &[
            ("foo", &["foo"]),
            ("foo=1--2", &["foo=1", "2"]),
            ("foo=--", &["foo=", ""]),
            ("--foo", &["", "foo"]),
            ("foo[a--b]--[c--d]", &["foo[a--b]", "[c--d]"]),
            ("foo=1---2", &["foo=1", "-2"]),
            ("a--b--c", &["a", "b", "c"]),
            ("-foo", &["-foo"]),
            ("é--é", &["é", "é"]),
        ];
        for (text, parts) in cases {
            assert_eq!(split_transition(text), *parts, "{text}");
        }
    }
}
