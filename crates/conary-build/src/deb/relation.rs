//! Relationship fields of a binary package (`Depends`, `Provides`, ...):
//! comma-separated groups of `|`-separated alternatives, each
//! `name[:arch] [(op version)]` (Debian policy 7.1). Binary packages carry no
//! `[arch]` or `<profile>` restrictions (those are resolved at build time),
//! so they are refused here.
//!
//! Versions and operators are `conary-core`'s [`DebVersion`] and
//! [`DebRelation`], the types `deb:` dependencies use; the obsolete
//! operators `<` and `>` are read as `<=` and `>=`, as dpkg does.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

use conary_core::deps::{DebConstraint, DebRelation, DebVersion};

use super::control::is_package_name;

/// Why a relationship field was refused.
///
/// ```rust
/// let err = "a (>> )".parse::<conary_build::deb::DebRelations>().unwrap_err();
/// assert_eq!(err.to_string(), "relation 'a (>> )': version is empty");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("relation '{relation}': {reason}")]
pub struct DebRelationError {
    /// The (escaped) relation text at fault.
    pub relation: String,
    /// What is wrong with it.
    pub reason: String,
}

/// One alternative of a relationship: a package name, an optional
/// architecture qualifier and an optional version constraint.
///
/// ```rust
/// let alternative: conary_build::deb::DebAlternative = "libc6:any (>= 2.34)".parse().unwrap();
/// assert_eq!((alternative.name.as_str(), alternative.to_string()), ("libc6", "libc6:any (>= 2.34)".to_owned()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DebAlternative {
    /// The package name.
    pub name: String,
    /// The architecture qualifier after `:` (`any`, `native`, `amd64`).
    pub arch: Option<String>,
    /// The version constraint.
    pub constraint: Option<DebConstraint>,
}

impl fmt::Display for DebAlternative {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.name)?;
        if let Some(arch) = &self.arch {
            write!(formatter, ":{arch}")?;
        }
        if let Some(constraint) = &self.constraint {
            write!(
                formatter,
                " ({} {})",
                constraint.relation(),
                constraint.version()
            )?;
        }
        Ok(())
    }
}

/// Reads an operator, taking the obsolete `<` and `>` as `<=` and `>=`.
fn parse_operator(text: &str) -> Option<DebRelation> {
    match text {
        "<" => Some(DebRelation::LessOrEqual),
        ">" => Some(DebRelation::GreaterOrEqual),
        other => other.parse().ok(),
    }
}

impl FromStr for DebAlternative {
    type Err = DebRelationError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = |reason: &str| DebRelationError {
            relation: super::escape(text.as_bytes()),
            reason: reason.to_owned(),
        };
        let trimmed = text.trim();
        let (head, constraint) = match trimmed.split_once('(') {
            Some((head, rest)) => {
                let inner = rest
                    .strip_suffix(')')
                    .ok_or_else(|| error("missing ')' after the version"))?;
                let inner = inner.trim();
                let op_len = inner
                    .find(|character: char| !matches!(character, '<' | '>' | '='))
                    .unwrap_or(inner.len());
                let (op_text, version_text) = inner.split_at(op_len);
                if op_text.is_empty() {
                    return Err(error("missing version operator"));
                }
                let op = parse_operator(op_text)
                    .ok_or_else(|| error(&format!("unknown version operator '{op_text}'")))?;
                let version_text = version_text.trim();
                if version_text.is_empty() {
                    return Err(error("version is empty"));
                }
                let version: DebVersion = version_text
                    .parse()
                    .map_err(|err: conary_core::deps::DepError| error(&err.to_string()))?;
                (head.trim_end(), Some(DebConstraint::new(op, version)))
            }
            None => (trimmed, None),
        };
        if head.contains(['[', '<']) {
            return Err(error(
                "architecture or profile restrictions do not belong in a binary package",
            ));
        }
        let (name, arch) = match head.split_once(':') {
            Some((name, arch)) => {
                if arch.is_empty()
                    || !arch.bytes().all(|byte| {
                        byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-'
                    })
                {
                    return Err(error("invalid architecture qualifier"));
                }
                (name, Some(arch.to_owned()))
            }
            None => (head, None),
        };
        if !is_package_name(name) {
            return Err(error("invalid package name"));
        }
        Ok(DebAlternative {
            name: name.to_owned(),
            arch,
            constraint,
        })
    }
}

/// A whole relationship field: groups joined by `,`, each a list of
/// alternatives joined by `|`.
///
/// ```rust
/// let depends: conary_build::deb::DebRelations = "a (>= 1) | b, c".parse().unwrap();
/// assert_eq!((depends.len(), depends.to_string()), (2, "a (>= 1) | b, c".to_owned()));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct DebRelations {
    groups: Vec<Vec<DebAlternative>>,
}

impl DebRelations {
    /// The groups; each is satisfied by any one of its alternatives.
    pub fn groups(&self) -> &[Vec<DebAlternative>] {
        &self.groups
    }

    /// The number of groups.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// Whether there is no group.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

impl fmt::Display for DebRelations {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (group_index, group) in self.groups.iter().enumerate() {
            if group_index > 0 {
                formatter.write_str(", ")?;
            }
            for (index, relation) in group.iter().enumerate() {
                if index > 0 {
                    formatter.write_str(" | ")?;
                }
                write!(formatter, "{relation}")?;
            }
        }
        Ok(())
    }
}

impl FromStr for DebRelations {
    type Err = DebRelationError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut groups = Vec::new();
        if text.trim().is_empty() {
            return Ok(DebRelations { groups });
        }
        for group_text in text.split(',') {
            let group = group_text
                .split('|')
                .map(str::parse)
                .collect::<Result<Vec<DebAlternative>, _>>()?;
            groups.push(group);
        }
        Ok(DebRelations { groups })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn parses_real_fields() {
        let cases: &[(&str, &str)] = &[
            (
                "libaudit1 (>= 1:2.2.1), libc6 (>= 2.34), libpam0g (>= 0.99.7.1)",
                "libaudit1 (>= 1:2.2.1), libc6 (>= 2.34), libpam0g (>= 0.99.7.1)",
            ),
            (
                "debconf (>= 0.5) | debconf-2.0",
                "debconf (>= 0.5) | debconf-2.0",
            ),
            ("perl:any, python3:native", "perl:any, python3:native"),
            ("a(>=1.0),b (<<2)", "a (>= 1.0), b (<< 2)"),
            ("a (< 1), b (> 2)", "a (<= 1), b (>= 2)"),
            ("  a  (  =  1.0-1  )  ", "a (= 1.0-1)"),
            ("\n a,\n b", "a, b"),
            ("", ""),
        ];
        for (text, canonical) in cases {
            let relations: DebRelations = text.parse().expect("valid relations");
            assert_eq!(relations.to_string(), *canonical, "{text}");
        }
    }

    #[test]
    fn rejects_bad_relations() {
        let cases: &[(&str, &str)] = &[
            (
                "a (>= 1",
                "relation 'a (>= 1': missing ')' after the version",
            ),
            ("a (1.0)", "relation 'a (1.0)': missing version operator"),
            (
                "a (=> 1)",
                "relation 'a (=> 1)': unknown version operator '=>'",
            ),
            ("a (>= )", "relation 'a (>= )': version is empty"),
            ("A", "relation 'A': invalid package name"),
            ("a,,b", "relation '': invalid package name"),
            (
                "a [amd64]",
                "relation 'a [amd64]': architecture or profile restrictions do not belong in a binary package",
            ),
            ("a:", "relation 'a:': invalid architecture qualifier"),
            (
                "a (>= 1.0-)",
                "relation 'a (>= 1.0-)': invalid Debian version '1.0-': empty revision after '-'",
            ),
        ];
        for (text, message) in cases {
            let err = text.parse::<DebRelations>().expect_err("must be refused");
            assert_eq!(err.to_string(), *message);
        }
    }

    proptest! {
        #[test]
        fn parse_never_panics(text in "\\PC{0,60}") {
            if let Ok(relations) = text.parse::<DebRelations>() {
                let again: DebRelations = relations.to_string().parse().expect("formatted relations parse");
                prop_assert_eq!(again, relations);
            }
        }
    }
}
