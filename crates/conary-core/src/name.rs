//! Trove names and kinds.
//!
//! A trove name is a package name, optionally followed by `:` and a
//! component suffix: `bash`, `bash:runtime`, `bash:source`. The kind of a
//! trove follows from its name alone (the seeds, §1.2–1.4):
//!
//! | name                  | [`TroveKind`]          |
//! |-----------------------|------------------------|
//! | `bash`                | [`TroveKind::Package`] |
//! | `bash:runtime`        | [`TroveKind::Component`] |
//! | `bash:source`         | [`TroveKind::Source`]  |
//! | `group-dist`          | [`TroveKind::Group`]   |
//! | `fileset-base`        | [`TroveKind::Fileset`] |
//! | `factory-python`      | [`TroveKind::Factory`] |
//! | `info-apache`         | [`TroveKind::Info`]    |
//!
//! The prefixes `group-`, `fileset-`, `factory-` and `info-` are reserved:
//! a trove whose name carries one *is* of that kind. A redirect is not a
//! kind of name: it is a trove *type* (the original's `TROVE_TYPE_REDIRECT`)
//! that any name may have, so it belongs to the trove, not here.
//!
//! # Characters
//!
//! Every component provides `trove: name:comp`, so a trove name must be
//! valid inside a `trove:` dependency. The original's rule for that class is
//! the one used here: the package part is made of ASCII letters, digits and
//! `. _ + -`; the component suffix of ASCII letters, digits and `_ -`. This
//! also keeps out every character the original's `troveNameIsValid`
//! forbids (`/ [ ] ! ~ , : = ( )`), which trove specs use as separators
//! (`name=version[flavor]`).
//!
//! Two rules are ours: the package part must start with a letter, a digit
//! or `_` (a leading `-` or `+` would read as the erase/install marker of
//! an update spec, a leading `.` as a hidden or relative path), and a
//! reserved prefix must be followed by something (`group-` alone names
//! nothing).
//!
//! ```rust
//! use conary_core::name::{TroveKind, TroveName};
//!
//! let name: TroveName = "gzip:runtime".parse()?;
//! assert_eq!(name.kind(), TroveKind::Component);
//! assert_eq!(name.package().to_string(), "gzip");
//! assert_eq!(name.component_suffix(), Some("runtime"));
//! # Ok::<(), conary_core::name::NameError>(())
//! ```

use std::fmt;
use std::str::FromStr;

/// The standard component suffixes, without the `:`.
///
/// They come from the original's component filters (`config/components`)
/// and the seeds; any other valid suffix is allowed too, since packagers may
/// make their own components.
pub const STANDARD_COMPONENT_SUFFIXES: &[&str] = &[
    "runtime",
    "lib",
    "devel",
    "devellib",
    "doc",
    "docs",
    "supdoc",
    "config",
    "data",
    "locale",
    "python",
    "perl",
    "ruby",
    "java",
    "cil",
    "emacs",
    "cml",
    "recipe",
    "debuginfo",
    "test",
    "user",
    "group",
    "source",
];

/// The component suffix of source components.
pub const SOURCE_SUFFIX: &str = "source";

/// The reserved name prefixes and the kind each one marks.
const RESERVED_PREFIXES: &[(&str, TroveKind)] = &[
    ("group-", TroveKind::Group),
    ("fileset-", TroveKind::Fileset),
    ("factory-", TroveKind::Factory),
    ("info-", TroveKind::Info),
];

/// Why a text is not a valid trove name.
///
/// ```rust
/// use conary_core::name::{NameError, TroveName};
///
/// let error = "foo:".parse::<TroveName>().expect_err("empty suffix");
/// assert!(matches!(error, NameError::EmptyComponent { .. }));
/// assert_eq!(error.to_string(), "invalid trove name 'foo:': empty component suffix");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// The text is empty.
    #[error("invalid trove name '': empty name")]
    Empty,
    /// Nothing comes before the `:`.
    #[error("invalid trove name '{name}': empty package name")]
    EmptyPackage {
        /// The text at fault.
        name: String,
    },
    /// Nothing comes after the `:`.
    #[error("invalid trove name '{name}': empty component suffix")]
    EmptyComponent {
        /// The text at fault.
        name: String,
    },
    /// The text has more than one `:`.
    #[error("invalid trove name '{name}': more than one ':'")]
    TooManyColons {
        /// The text at fault.
        name: String,
    },
    /// A character that trove names may not contain.
    #[error("invalid trove name '{name}': character {character:?} not allowed in {part}")]
    InvalidCharacter {
        /// The text at fault.
        name: String,
        /// The offending character.
        character: char,
        /// Which part holds it: `package name` or `component suffix`.
        part: &'static str,
    },
    /// The package part starts with something other than a letter, a digit or `_`.
    #[error("invalid trove name '{name}': must start with a letter, a digit or '_'")]
    InvalidStart {
        /// The text at fault.
        name: String,
    },
    /// A trove kind name (`package`, `component`, …) is not known.
    #[error(
        "invalid trove kind '{text}': expected package, component, source, group, fileset, factory or info"
    )]
    InvalidKind {
        /// The text at fault.
        text: String,
    },
    /// A reserved prefix (`group-`, …) with nothing after it.
    #[error("invalid trove name '{name}': nothing after the reserved prefix '{prefix}'")]
    EmptyReservedName {
        /// The text at fault.
        name: String,
        /// The reserved prefix.
        prefix: &'static str,
    },
}

/// What a trove is, as told by its name.
///
/// Redirects are not listed: a redirect is a trove type that any name can
/// have, recorded in the trove itself.
///
/// ```rust
/// use conary_core::name::{TroveKind, TroveName};
///
/// let kind = "group-dist".parse::<TroveName>()?.kind();
/// assert_eq!(kind, TroveKind::Group);
/// assert_eq!(kind.to_string(), "group");
/// assert_eq!("group".parse::<TroveKind>()?, kind);
/// # Ok::<(), conary_core::name::NameError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TroveKind {
    /// `pkg`: a package, which references its components.
    Package,
    /// `pkg:comp`: a component, which holds files.
    Component,
    /// `pkg:source`: the source component (recipe, patches, sources).
    Source,
    /// `group-*`: a group of troves bound to exact versions.
    Group,
    /// `fileset-*`: files picked from other components.
    Fileset,
    /// `factory-*`: a factory, which generates recipes.
    Factory,
    /// `info-*`: a user or group info package.
    Info,
}

impl TroveKind {
    /// Every kind, in declaration order.
    pub const ALL: [TroveKind; 7] = [
        TroveKind::Package,
        TroveKind::Component,
        TroveKind::Source,
        TroveKind::Group,
        TroveKind::Fileset,
        TroveKind::Factory,
        TroveKind::Info,
    ];

    /// The kind's name in lowercase words (`package`, `component`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            TroveKind::Package => "package",
            TroveKind::Component => "component",
            TroveKind::Source => "source",
            TroveKind::Group => "group",
            TroveKind::Fileset => "fileset",
            TroveKind::Factory => "factory",
            TroveKind::Info => "info",
        }
    }
}

impl fmt::Display for TroveKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TroveKind {
    type Err = NameError;

    fn from_str(text: &str) -> Result<TroveKind, NameError> {
        TroveKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
            .ok_or_else(|| NameError::InvalidKind {
                text: text.to_owned(),
            })
    }
}

/// A valid trove name: `package` or `package:component`.
///
/// ```rust
/// use conary_core::name::TroveName;
///
/// let name: TroveName = "libstdc++:devel".parse()?;
/// assert_eq!(name.to_string(), "libstdc++:devel");
/// # Ok::<(), conary_core::name::NameError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TroveName {
    text: String,
}

impl TroveName {
    /// Checks `text` and makes a trove name of it.
    pub fn new(text: &str) -> Result<TroveName, NameError> {
        validate(text)?;
        Ok(TroveName {
            text: text.to_owned(),
        })
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The package part: `gzip` for `gzip:runtime`, the name itself for a
    /// package.
    pub fn package(&self) -> TroveName {
        TroveName {
            text: self.package_str().to_owned(),
        }
    }

    /// The package part as text.
    pub fn package_str(&self) -> &str {
        match self.text.split_once(':') {
            Some((package, _)) => package,
            None => &self.text,
        }
    }

    /// The component suffix without the `:`, if this is a component.
    pub fn component_suffix(&self) -> Option<&str> {
        self.text.split_once(':').map(|(_, suffix)| suffix)
    }

    /// The kind of trove this name designates.
    pub fn kind(&self) -> TroveKind {
        match self.component_suffix() {
            Some(SOURCE_SUFFIX) => TroveKind::Source,
            Some(_) => TroveKind::Component,
            None => RESERVED_PREFIXES
                .iter()
                .find(|(prefix, _)| self.text.starts_with(prefix))
                .map_or(TroveKind::Package, |&(_, kind)| kind),
        }
    }

    /// Whether this names a component (`pkg:comp`, `:source` included).
    pub fn is_component(&self) -> bool {
        self.component_suffix().is_some()
    }

    /// Whether this names a source component (`pkg:source`).
    pub fn is_source(&self) -> bool {
        self.kind() == TroveKind::Source
    }

    /// Whether this names a collection, a trove that references other
    /// troves: anything but a component or a fileset (as the original's
    /// `troveIsCollection`).
    pub fn is_collection(&self) -> bool {
        !matches!(
            self.kind(),
            TroveKind::Component | TroveKind::Source | TroveKind::Fileset
        )
    }

    /// Whether the component suffix is one of [`STANDARD_COMPONENT_SUFFIXES`].
    pub fn has_standard_suffix(&self) -> bool {
        self.component_suffix()
            .is_some_and(|suffix| STANDARD_COMPONENT_SUFFIXES.contains(&suffix))
    }

    /// The component `suffix` of this name's package: `gzip` with `doc`
    /// gives `gzip:doc`.
    pub fn with_component(&self, suffix: &str) -> Result<TroveName, NameError> {
        TroveName::new(&format!("{}:{suffix}", self.package_str()))
    }

    /// The source component of this name's package: `gzip:source`.
    pub fn source(&self) -> TroveName {
        TroveName {
            text: format!("{}:{SOURCE_SUFFIX}", self.package_str()),
        }
    }
}

fn validate(text: &str) -> Result<(), NameError> {
    if text.is_empty() {
        return Err(NameError::Empty);
    }
    let (package, suffix) = match text.split_once(':') {
        Some((package, suffix)) => (package, Some(suffix)),
        None => (text, None),
    };
    if package.is_empty() {
        return Err(NameError::EmptyPackage {
            name: text.to_owned(),
        });
    }
    if let Some(suffix) = suffix {
        if suffix.contains(':') {
            return Err(NameError::TooManyColons {
                name: text.to_owned(),
            });
        }
        if suffix.is_empty() {
            return Err(NameError::EmptyComponent {
                name: text.to_owned(),
            });
        }
        if let Some(character) = suffix.chars().find(|&c| !is_ident_char(c)) {
            return Err(NameError::InvalidCharacter {
                name: text.to_owned(),
                character,
                part: "component suffix",
            });
        }
    }
    if let Some(character) = package.chars().find(|&c| !is_word_char(c)) {
        return Err(NameError::InvalidCharacter {
            name: text.to_owned(),
            character,
            part: "package name",
        });
    }
    if !package
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(NameError::InvalidStart {
            name: text.to_owned(),
        });
    }
    if let Some(&(prefix, _)) = RESERVED_PREFIXES
        .iter()
        .find(|(prefix, _)| package == *prefix)
    {
        return Err(NameError::EmptyReservedName {
            name: text.to_owned(),
            prefix,
        });
    }
    Ok(())
}

/// The original's `WORD` characters: ASCII letters, digits and `. _ + -`.
/// Package names are made of them, and so are the names and flags of most
/// dependency classes.
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '+' | '-')
}

/// The original's `IDENT` characters: ASCII letters, digits and `_ -`.
/// Component suffixes, flavor flags and instruction sets are made of them.
pub(crate) fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-')
}

impl FromStr for TroveName {
    type Err = NameError;

    fn from_str(text: &str) -> Result<TroveName, NameError> {
        TroveName::new(text)
    }
}

impl fmt::Display for TroveName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl AsRef<str> for TroveName {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        let cases = [
            ("bash", TroveKind::Package),
            ("bash:runtime", TroveKind::Component),
            ("bash:source", TroveKind::Source),
            ("group-dist", TroveKind::Group),
            ("group-dist:source", TroveKind::Source),
            ("fileset-base", TroveKind::Fileset),
            ("factory-python", TroveKind::Factory),
            ("info-apache", TroveKind::Info),
            ("info-apache:user", TroveKind::Component),
            ("groupie", TroveKind::Package),
        ];
        for (text, kind) in cases {
            let name: TroveName = text.parse().expect("valid name");
            assert_eq!(name.kind(), kind, "{text}");
        }
    }

    #[test]
    fn kind_names_round_trip() {
        for kind in TroveKind::ALL {
            assert_eq!(kind.to_string().parse::<TroveKind>(), Ok(kind));
        }
        let error = "redirect".parse::<TroveKind>().expect_err("not a kind");
        assert!(matches!(error, NameError::InvalidKind { .. }));
        assert!(
            error
                .to_string()
                .starts_with("invalid trove kind 'redirect': ")
        );
    }

    #[test]
    fn errors() {
        let cases = [
            ("", "empty name"),
            ("foo:", "empty component suffix"),
            (":runtime", "empty package name"),
            ("a:b:c", "more than one ':'"),
            ("fo o", "' ' not allowed in package name"),
            ("foo:run+time", "'+' not allowed in component suffix"),
            ("-foo", "must start with"),
            ("group-", "nothing after the reserved prefix 'group-'"),
        ];
        for (text, fragment) in cases {
            let error = text.parse::<TroveName>().expect_err(text).to_string();
            assert!(error.contains(fragment), "{text}: {error}");
        }
    }
}
