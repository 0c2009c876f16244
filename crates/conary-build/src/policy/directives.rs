//! The recipe's policy directives, checked and compiled once: patterns
//! to anchored regular expressions, dependencies parsed, names checked.

use conary_core::deps::Dependency;
use conary_core::name::TroveName;
use regex::Regex;

use super::error::PolicyError;
use crate::recipe::model::{Located, Location, PolicyDirective};

/// The patterns of one directive: a path matches when one of them matches
/// from the start of it (Python's `re.match`).
#[derive(Debug)]
pub(crate) struct Matcher {
    pub(crate) at: Location,
    regexes: Vec<Regex>,
}

impl Matcher {
    fn new(at: &Location, patterns: &[String]) -> Result<Matcher, PolicyError> {
        let regexes = patterns
            .iter()
            .map(|pattern| compile(at, pattern))
            .collect::<Result<_, _>>()?;
        Ok(Matcher {
            at: at.clone(),
            regexes,
        })
    }

    /// Whether one pattern matches `text` from its start.
    pub(crate) fn matches(&self, text: &str) -> bool {
        self.regexes.iter().any(|regex| regex.is_match(text))
    }
}

/// Compiles `pattern` anchored at the start; the error names the
/// directive and gives the regex engine's reason on one line.
fn compile(at: &Location, pattern: &str) -> Result<Regex, PolicyError> {
    let invalid = |error: regex::Error| PolicyError::InvalidPattern {
        at: at.clone(),
        pattern: pattern.to_owned(),
        reason: one_line(&error),
    };
    Regex::new(pattern).map_err(invalid)?;
    Regex::new(&format!("^(?:{pattern})")).map_err(invalid)
}

/// The reason of a regex error without the multi-line excerpt.
fn one_line(error: &regex::Error) -> String {
    match error {
        regex::Error::Syntax(text) => text
            .lines()
            .find_map(|line| line.strip_prefix("error: "))
            .unwrap_or("syntax error")
            .to_owned(),
        regex::Error::CompiledTooBig(limit) => {
            format!("compiled pattern exceeds the size limit of {limit} bytes")
        }
        other => other.to_string().replace('\n', " "),
    }
}

/// A dependency a `Requires` or `Provides` directive adds, or an exception
/// that drops discovered ones.
#[derive(Debug)]
pub(crate) enum DepRule {
    /// Add the dependency to the files matching.
    Add(Dependency, Matcher),
    /// Drop discovered dependencies whose text (`soname: ELF64/libfoo.so.1(…)`)
    /// or name (`ELF64/libfoo.so.1`) the patterns match.
    Except(Matcher),
}

impl DepRule {
    fn new(at: &Location, dep: Option<&String>, patterns: &[String]) -> Result<Self, PolicyError> {
        let matcher = Matcher::new(at, patterns)?;
        let Some(text) = dep else {
            return Ok(DepRule::Except(matcher));
        };
        let dependency =
            text.parse::<Dependency>()
                .map_err(|error| PolicyError::InvalidDependency {
                    at: at.clone(),
                    dependency: text.clone(),
                    reason: error.to_string(),
                })?;
        Ok(DepRule::Add(dependency, matcher))
    }
}

/// Whether an exception drops `dependency`.
pub(crate) fn excepted(rules: &[DepRule], dependency: &Dependency) -> bool {
    rules.iter().any(|rule| match rule {
        DepRule::Except(matcher) => {
            matcher.matches(&dependency.to_string()) || matcher.matches(dependency.name())
        }
        DepRule::Add(..) => false,
    })
}

/// Every directive of a recipe, compiled, in call order within each kind.
#[derive(Debug, Default)]
pub(crate) struct Rules {
    /// `ComponentSpec`: component suffix and patterns (first match wins).
    pub(crate) components: Vec<(String, Matcher)>,
    pub(crate) config: Vec<Matcher>,
    pub(crate) initial_contents: Vec<Matcher>,
    pub(crate) transient: Vec<Matcher>,
    pub(crate) tags: Vec<(String, Matcher)>,
    pub(crate) exclude_directories: Vec<Matcher>,
    pub(crate) requires: Vec<DepRule>,
    pub(crate) provides: Vec<DepRule>,
    /// `Ownership`: user, group and patterns (first match wins).
    pub(crate) ownership: Vec<(String, String, Matcher)>,
}

impl Rules {
    /// Checks and compiles `directives` for package `package`.
    pub(crate) fn compile(
        package: &TroveName,
        directives: &[Located<PolicyDirective>],
    ) -> Result<Rules, PolicyError> {
        let mut rules = Rules::default();
        for Located { at, item } in directives {
            match item {
                PolicyDirective::ComponentSpec {
                    component,
                    patterns,
                } => {
                    check_component(at, package, component)?;
                    let matcher = Matcher::new(at, patterns)?;
                    rules.components.push((component.clone(), matcher));
                }
                PolicyDirective::Config { patterns } => {
                    rules.config.push(Matcher::new(at, patterns)?);
                }
                PolicyDirective::InitialContents { patterns } => {
                    rules.initial_contents.push(Matcher::new(at, patterns)?);
                }
                PolicyDirective::Transient { patterns } => {
                    rules.transient.push(Matcher::new(at, patterns)?);
                }
                PolicyDirective::TagSpec { tag, patterns } => {
                    check_name(at, "tag", tag)?;
                    rules.tags.push((tag.clone(), Matcher::new(at, patterns)?));
                }
                PolicyDirective::ExcludeDirectories { patterns } => {
                    rules.exclude_directories.push(Matcher::new(at, patterns)?);
                }
                PolicyDirective::Requires { dep, patterns } => {
                    rules
                        .requires
                        .push(DepRule::new(at, dep.as_ref(), patterns)?);
                }
                PolicyDirective::Provides { dep, patterns } => {
                    rules
                        .provides
                        .push(DepRule::new(at, dep.as_ref(), patterns)?);
                }
                PolicyDirective::Ownership {
                    user,
                    group,
                    patterns,
                } => {
                    check_name(at, "user", user)?;
                    check_name(at, "group", group)?;
                    let matcher = Matcher::new(at, patterns)?;
                    rules.ownership.push((user.clone(), group.clone(), matcher));
                }
            }
        }
        Ok(rules)
    }

    /// The component a `ComponentSpec` gives `path`, if one matches.
    pub(crate) fn component_of(&self, path: &str) -> Option<&str> {
        self.components
            .iter()
            .find(|(_, matcher)| matcher.matches(path))
            .map(|(component, _)| component.as_str())
    }

    /// The owner and group of `path`: the first `Ownership` that matches,
    /// else `root`/`root`.
    pub(crate) fn owner_of(&self, path: &str) -> (&str, &str) {
        self.ownership
            .iter()
            .find(|(_, _, matcher)| matcher.matches(path))
            .map_or(("root", "root"), |(user, group, _)| {
                (user.as_str(), group.as_str())
            })
    }
}

/// A component suffix must make a valid trove name with the package and
/// must not be `source`.
fn check_component(at: &Location, package: &TroveName, component: &str) -> Result<(), PolicyError> {
    let invalid = |reason: String| PolicyError::InvalidComponent {
        at: at.clone(),
        component: component.to_owned(),
        reason,
    };
    let suffix = component.strip_prefix(':').unwrap_or(component);
    if suffix.is_empty() {
        return Err(invalid("empty name".to_owned()));
    }
    if suffix == "source" {
        return Err(invalid(
            "the source component holds no built files".to_owned(),
        ));
    }
    if suffix != component {
        return Err(invalid("write the suffix without ':'".to_owned()));
    }
    if !suffix
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
    {
        return Err(invalid(
            "a component suffix is made of letters, digits, '_' and '-'".to_owned(),
        ));
    }
    package
        .with_component(suffix)
        .map(drop)
        .map_err(|error| invalid(error.to_string()))
}

fn check_name(at: &Location, what: &'static str, name: &str) -> Result<(), PolicyError> {
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '+' | '-'));
    if valid {
        Ok(())
    } else {
        Err(PolicyError::InvalidName {
            at: at.clone(),
            what,
            name: name.to_owned(),
        })
    }
}
