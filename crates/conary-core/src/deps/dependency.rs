//! One dependency: class, name and flags; its text form and satisfaction.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use super::DepError;
use super::class::{DepClass, FlagRule};
use super::debver::{DebConstraint, DebRelation, DebVersion};
use crate::name::TroveName;

/// One dependency: `class: name(flag flag)`.
///
/// A `Dependency` is always valid for its class (see [`DepClass`]); flags
/// are kept sorted and without duplicates.
///
/// ```rust
/// use conary_core::deps::{DepClass, Dependency};
///
/// let dep: Dependency = "soname: ELF64/libc.so.6(SysV x86_64 GLIBC_2.34)".parse()?;
/// assert_eq!(dep.class(), DepClass::Soname);
/// assert_eq!(dep.name(), "ELF64/libc.so.6");
/// assert_eq!(dep.to_string(), "soname: ELF64/libc.so.6(GLIBC_2.34 SysV x86_64)");
/// # Ok::<(), conary_core::deps::DepError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Dependency {
    class: DepClass,
    name: String,
    flags: BTreeSet<String>,
}

impl Dependency {
    /// Checks and builds a dependency, with the same rules as the text form
    /// (a `soname:`, `abi:` or `CIL:` dependency needs flags).
    pub fn new<N, I, F>(class: DepClass, name: N, flags: I) -> Result<Dependency, DepError>
    where
        N: Into<String>,
        I: IntoIterator<Item = F>,
        F: Into<String>,
    {
        let dependency = Dependency::new_unchecked_rule(class, name, flags)?;
        if class.flag_rule() == FlagRule::Required && dependency.flags.is_empty() {
            return Err(DepError::FlagsRequired {
                class,
                text: dependency.to_string(),
            });
        }
        Ok(dependency)
    }

    /// Like [`Dependency::new`], except that a class needing flags may have
    /// none: frozen data from old repositories holds such dependencies.
    pub(crate) fn new_unchecked_rule<N, I, F>(
        class: DepClass,
        name: N,
        flags: I,
    ) -> Result<Dependency, DepError>
    where
        N: Into<String>,
        I: IntoIterator<Item = F>,
        F: Into<String>,
    {
        let dependency = Dependency {
            class,
            name: name.into(),
            flags: flags.into_iter().map(Into::into).collect(),
        };
        if let Err(reason) = class.check_name(&dependency.name) {
            return Err(DepError::InvalidName {
                class,
                text: dependency.to_string(),
                reason,
            });
        }
        if class.flag_rule() == FlagRule::Forbidden && !dependency.flags.is_empty() {
            return Err(DepError::FlagsNotAllowed {
                class,
                text: dependency.to_string(),
            });
        }
        for flag in &dependency.flags {
            if let Err(reason) = class.check_flag(flag) {
                return Err(DepError::InvalidFlag {
                    class,
                    text: dependency.to_string(),
                    flag: flag.clone(),
                    reason,
                });
            }
        }
        Ok(dependency)
    }

    /// The `trove:` dependency on `name`, as every component provides for
    /// itself: `trove: foo:runtime`.
    ///
    /// ```rust
    /// use conary_core::deps::Dependency;
    /// use conary_core::name::TroveName;
    ///
    /// let name: TroveName = "foo:runtime".parse()?;
    /// assert_eq!(Dependency::trove(&name).to_string(), "trove: foo:runtime");
    /// # Ok::<(), conary_core::name::NameError>(())
    /// ```
    pub fn trove(name: &TroveName) -> Dependency {
        Dependency {
            class: DepClass::Trove,
            name: name.as_str().to_owned(),
            flags: BTreeSet::new(),
        }
    }

    /// The class.
    pub fn class(&self) -> DepClass {
        self.class
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The flags, sorted.
    pub fn flags(&self) -> &BTreeSet<String> {
        &self.flags
    }

    /// Whether the dependency carries `flag`.
    pub fn has_flag(&self, flag: &str) -> bool {
        self.flags.contains(flag)
    }

    /// The version constraints of a `deb:` dependency (empty for any other
    /// class).
    pub fn deb_constraints(&self) -> Vec<DebConstraint> {
        if self.class != DepClass::Deb {
            return Vec::new();
        }
        self.flags
            .iter()
            .filter_map(|flag| flag.parse().ok())
            .collect()
    }

    /// Whether this dependency, as a provide, satisfies `required`: same
    /// class, same name, and every required flag provided. For `deb:`, each
    /// required constraint must hold for one of the provided `=VERSION`
    /// flags.
    pub fn satisfies(&self, required: &Dependency) -> bool {
        if self.class != required.class || self.name != required.name {
            return false;
        }
        if self.class == DepClass::Deb {
            return self.deb_satisfies(required);
        }
        required.flags.is_subset(&self.flags)
    }

    fn deb_satisfies(&self, required: &Dependency) -> bool {
        let provided: Vec<DebVersion> = self
            .deb_constraints()
            .into_iter()
            .filter(|constraint| constraint.relation() == DebRelation::Equal)
            .map(|constraint| constraint.version().clone())
            .collect();
        required
            .flags
            .iter()
            .all(|flag| match flag.parse::<DebConstraint>() {
                Ok(constraint) => provided.iter().any(|version| constraint.matches(version)),
                Err(_) => self.flags.contains(flag),
            })
    }

    /// Adds `other`'s flags to this dependency's (same class and name).
    pub(crate) fn merge_flags(&mut self, other: &Dependency) {
        self.flags.extend(other.flags.iter().cloned());
    }

    /// Removes the flags `other` also has; `None` when no flag is left.
    pub(crate) fn without_flags_of(&self, other: &Dependency) -> Option<Dependency> {
        let flags: BTreeSet<String> = self.flags.difference(&other.flags).cloned().collect();
        (!flags.is_empty()).then(|| Dependency {
            class: self.class,
            name: self.name.clone(),
            flags,
        })
    }
}

impl fmt::Display for Dependency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.class, self.name)?;
        if !self.flags.is_empty() {
            f.write_str("(")?;
            for (index, flag) in self.flags.iter().enumerate() {
                if index > 0 {
                    f.write_str(" ")?;
                }
                f.write_str(flag)?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl FromStr for Dependency {
    type Err = DepError;

    fn from_str(text: &str) -> Result<Dependency, DepError> {
        let mut dependencies = parse_text(text, true)?;
        match dependencies.len() {
            1 => dependencies.pop().ok_or(DepError::NotOneDependency {
                text: text.to_owned(),
                count: 0,
            }),
            count => Err(DepError::NotOneDependency {
                text: text.to_owned(),
                count,
            }),
        }
    }
}

fn syntax(text: &str, reason: &'static str) -> DepError {
    DepError::Syntax {
        text: text.trim().to_owned(),
        reason,
    }
}

/// Parses dependencies separated by white space, in the order written.
/// With `require_flags`, a class that needs flags (`soname:`, `abi:`,
/// `CIL:`) must have some, as typed text must; stored data, like the frozen
/// form, may hold such a dependency without flags.
pub(crate) fn parse_text(text: &str, require_flags: bool) -> Result<Vec<Dependency>, DepError> {
    let mut dependencies = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let (dependency, after) = parse_clause(rest, require_flags)?;
        dependencies.push(dependency);
        rest = after.trim_start();
    }
    Ok(dependencies)
}

/// Parses one `class: name(flags)` at the start of `input` (which starts
/// with a non-space), returning the dependency and the text after it.
fn parse_clause(input: &str, require_flags: bool) -> Result<(Dependency, &str), DepError> {
    let token_end = input.find(char::is_whitespace).unwrap_or(input.len());
    let Some(colon) = input.find([':', '(', ')']).filter(|&i| i < token_end) else {
        return Err(syntax(&input[..token_end], "missing ':' after the class"));
    };
    if !input[colon..].starts_with(':') {
        return Err(syntax(&input[..token_end], "missing ':' after the class"));
    }
    let tag = &input[..colon];
    if tag.is_empty() {
        return Err(syntax(&input[..token_end], "missing class before ':'"));
    }
    let after_colon = &input[colon + 1..];
    let name_part = after_colon.trim_start();
    let name_end = name_part
        .find(|c: char| c.is_whitespace() || c == '(')
        .unwrap_or(name_part.len());
    let name = &name_part[..name_end];
    let after_name = &name_part[name_end..];
    let flags_part = after_name.trim_start();
    let (flags_text, rest) = match flags_part.strip_prefix('(') {
        Some(inside) => {
            let Some(close) = inside.find(')') else {
                return Err(syntax(input, "missing ')' after the flags"));
            };
            let rest = &inside[close + 1..];
            if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
                let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                let clause = &input[..input.len() - rest.len() + end];
                return Err(syntax(clause, "expected white space after ')'"));
            }
            (Some(&inside[..close]), rest)
        }
        None => (None, after_name),
    };
    let text = input[..input.len() - rest.len()].trim_end();
    if name.is_empty() {
        return Err(syntax(text, "missing name after the class"));
    }
    let class = DepClass::parse_tag(tag, text)?;
    if flags_text.is_some_and(|flags| flags.contains('(')) {
        return Err(syntax(text, "'(' inside the flags"));
    }
    let flags: Vec<&str> = flags_text
        .map(|flags| flags.split_whitespace().collect())
        .unwrap_or_default();
    match class.flag_rule() {
        FlagRule::Forbidden if flags_text.is_some() => {
            return Err(DepError::FlagsNotAllowed {
                class,
                text: text.to_owned(),
            });
        }
        FlagRule::Required if require_flags && flags.is_empty() => {
            return Err(DepError::FlagsRequired {
                class,
                text: text.to_owned(),
            });
        }
        _ => {}
    }
    let dependency =
        Dependency::new_unchecked_rule(class, name, flags).map_err(|error| match error {
            DepError::InvalidName { class, reason, .. } => DepError::InvalidName {
                class,
                text: text.to_owned(),
                reason,
            },
            DepError::InvalidFlag {
                class,
                flag,
                reason,
                ..
            } => DepError::InvalidFlag {
                class,
                text: text.to_owned(),
                flag,
                reason,
            },
            other => other,
        })?;
    Ok((dependency, rest))
}
