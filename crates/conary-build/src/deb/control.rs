//! The `control` file of a binary package: one RFC 822-style stanza of
//! `Name: value` fields, where lines that start with a space or a tab
//! continue the previous field (`deb822(5)`).
//!
//! Fields keep their order and their exact text: a value is its first line
//! with surrounding blanks removed, then each continuation line (trailing
//! blanks removed, leading blank kept) after a `\n`. Names are matched
//! without regard to case, as dpkg does. `#` comment lines are skipped.

use std::fmt;
use std::str::FromStr;

use conary_core::deps::DebVersion;

use super::error::{DebError, escape};
use super::relation::DebRelations;

/// A parsed `control` stanza with its fields in file order.
///
/// ```rust
/// let control: conary_build::deb::DebControl = "Package: sudo\nVersion: 1.9.13p3-1+deb12u4\n".parse().unwrap();
/// assert_eq!((control.get("package"), control.to_string().lines().count()), (Some("sudo"), 2));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct DebControl {
    fields: Vec<(String, String)>,
}

impl DebControl {
    /// The value of field `name` (any case), if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(field, _)| field.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// All fields as `(name, value)` in file order.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
    }

    /// The value of a field that must be present.
    pub fn required(&self, name: &'static str) -> Result<&str, DebError> {
        self.get(name).ok_or(DebError::MissingField { field: name })
    }

    /// The `Package` field, checked against Debian's package name rules
    /// (`[a-z0-9][a-z0-9+.-]*`).
    pub fn package(&self) -> Result<&str, DebError> {
        let name = self.required("Package")?;
        if !is_package_name(name) {
            return Err(bad_field("Package", name, "not a valid package name"));
        }
        Ok(name)
    }

    /// The `Version` field, parsed.
    pub fn version(&self) -> Result<DebVersion, DebError> {
        Ok(self.required("Version")?.parse()?)
    }

    /// The `Architecture` field (`amd64`, `all`, ...).
    pub fn architecture(&self) -> Result<&str, DebError> {
        self.required("Architecture")
    }

    /// A relationship field (`Depends`, `Pre-Depends`, `Provides`, `Conflicts`,
    /// `Breaks`, `Replaces`, `Recommends`, `Suggests`, `Enhances`), parsed;
    /// an absent field is an empty list.
    pub fn relations(&self, name: &str) -> Result<DebRelations, DebError> {
        match self.get(name) {
            None => Ok(DebRelations::default()),
            Some(value) => value
                .parse::<DebRelations>()
                .map_err(|reason| bad_field(name, value, &reason.to_string())),
        }
    }
}

/// Whether `name` is a package name: the characters of Debian policy 5.6.1
/// (`[a-z0-9][a-z0-9+.-]*`); like dpkg, a single character is accepted.
pub(crate) fn is_package_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    bytes
        .first()
        .is_some_and(|first| first.is_ascii_lowercase() || first.is_ascii_digit())
        && bytes.iter().all(|byte| {
            byte.is_ascii_lowercase() || byte.is_ascii_digit() || matches!(byte, b'+' | b'-' | b'.')
        })
}

fn bad_field(field: &str, value: &str, reason: &str) -> DebError {
    DebError::BadField {
        field: escape(field.as_bytes()),
        value: escape(value.as_bytes()),
        reason: reason.to_owned(),
    }
}

impl FromStr for DebControl {
    type Err = DebError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let syntax = |line: usize, reason: &str| DebError::ControlSyntax {
            line,
            reason: reason.to_owned(),
        };
        let mut fields: Vec<(String, String)> = Vec::new();
        let mut stanza_ended = false;
        for (index, raw_line) in text.split('\n').enumerate() {
            let number = index.saturating_add(1);
            let line = raw_line.trim_end();
            if line.is_empty() {
                stanza_ended = !fields.is_empty();
                continue;
            }
            if line.starts_with('#') {
                continue;
            }
            if stanza_ended {
                return Err(syntax(number, "more than one stanza"));
            }
            if line.starts_with([' ', '\t']) {
                let Some((_, value)) = fields.last_mut() else {
                    return Err(syntax(number, "continuation line before the first field"));
                };
                value.push('\n');
                value.push_str(line);
                continue;
            }
            let Some((name, value)) = line.split_once(':') else {
                return Err(syntax(
                    number,
                    &format!("'{}' is not a field (missing ':')", escape(line.as_bytes())),
                ));
            };
            if name.is_empty()
                || name.starts_with('-')
                || !name.bytes().all(|byte| byte.is_ascii_graphic())
            {
                return Err(syntax(
                    number,
                    &format!("invalid field name '{}'", escape(name.as_bytes())),
                ));
            }
            if fields
                .iter()
                .any(|(existing, _)| existing.eq_ignore_ascii_case(name))
            {
                return Err(syntax(
                    number,
                    &format!("duplicate field '{}'", escape(name.as_bytes())),
                ));
            }
            fields.push((name.to_owned(), value.trim().to_owned()));
        }
        if fields.is_empty() {
            return Err(syntax(1, "no fields"));
        }
        Ok(DebControl { fields })
    }
}

impl fmt::Display for DebControl {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, value) in &self.fields {
            if value.is_empty() || value.starts_with('\n') {
                writeln!(formatter, "{name}:{value}")?;
            } else {
                writeln!(formatter, "{name}: {value}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const SUDO: &str = "Package: sudo\nVersion: 1.9.13p3-1+deb12u4\nArchitecture: amd64\n\
Depends: libaudit1 (>= 1:2.2.1), libc6 (>= 2.34), libpam-modules\n\
Description: Provide limited super user privileges to specific users\n \
Sudo is a program designed to allow a sysadmin to give limited root\n .\n \
privileges to users.\n";

    #[test]
    fn parses_fields_in_order() {
        let control: DebControl = SUDO.parse().expect("sudo control parses");
        let names: Vec<&str> = control.fields().map(|(name, _)| name).collect();
        assert_eq!(
            names,
            [
                "Package",
                "Version",
                "Architecture",
                "Depends",
                "Description"
            ]
        );
        assert_eq!(control.package().expect("package"), "sudo");
        assert_eq!(
            control.version().expect("version").to_string(),
            "1.9.13p3-1+deb12u4"
        );
        assert_eq!(control.architecture().expect("architecture"), "amd64");
        assert_eq!(
            control.get("description"),
            Some(
                "Provide limited super user privileges to specific users\n \
Sudo is a program designed to allow a sysadmin to give limited root\n .\n privileges to users."
            )
        );
        assert_eq!(control.relations("Depends").expect("depends").len(), 3);
        assert_eq!(control.relations("Recommends").expect("empty").len(), 0);
        assert_eq!(control.to_string(), SUDO);
    }

    #[test]
    fn accepts_layout_variants() {
        let text = "\n# comment\nPackage:foo\nConffiles:\n /etc/a 0123\nVersion: 1\n\n\n";
        let control: DebControl = text.parse().expect("parses");
        assert_eq!(control.get("Package"), Some("foo"));
        assert_eq!(control.get("Conffiles"), Some("\n /etc/a 0123"));
        let again: DebControl = control.to_string().parse().expect("formatted parses");
        assert_eq!(again, control);
    }

    #[test]
    fn rejects_bad_stanzas() {
        let cases: &[(&str, &str)] = &[
            ("", "invalid control file line 1: no fields"),
            (
                " x\nPackage: a\n",
                "invalid control file line 1: continuation line before the first field",
            ),
            (
                "Package: a\nnot a field\n",
                "invalid control file line 2: 'not a field' is not a field (missing ':')",
            ),
            (
                "Package: a\npackage: b\n",
                "invalid control file line 2: duplicate field 'package'",
            ),
            (
                "Package: a\n\nPackage: b\n",
                "invalid control file line 3: more than one stanza",
            ),
            (
                "-Bad: a\n",
                "invalid control file line 1: invalid field name '-Bad'",
            ),
            (
                "Bad Name: a\n",
                "invalid control file line 1: invalid field name 'Bad Name'",
            ),
        ];
        for (text, message) in cases {
            let err = text.parse::<DebControl>().expect_err("must be refused");
            assert_eq!(err.to_string(), *message, "{text:?}");
        }
    }

    #[test]
    fn checks_required_fields() {
        let control: DebControl = "Package: Foo_Bar\n".parse().expect("parses");
        assert_eq!(
            control.package().expect_err("bad name").to_string(),
            "invalid Package field 'Foo_Bar': not a valid package name"
        );
        assert_eq!(
            control.version().expect_err("no version").to_string(),
            "control file has no Version field"
        );
        let bad: DebControl = "Version: 1.0-\nDepends: a (>>)\n".parse().expect("parses");
        assert_eq!(
            bad.version().expect_err("bad version").to_string(),
            "invalid Debian version '1.0-': empty revision after '-'"
        );
        assert!(bad.relations("Depends").is_err());
    }

    proptest! {
        #[test]
        fn parse_never_panics(text in "\\PC{0,200}") {
            if let Ok(control) = text.parse::<DebControl>() {
                let again: DebControl = control.to_string().parse().expect("formatted control parses");
                prop_assert_eq!(again, control);
            }
        }
    }
}
