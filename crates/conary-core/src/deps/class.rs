//! Dependency classes: their numeric ids, tags and the rules for names and
//! flags in each.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::DepError;
use super::debver::DebConstraint;
use crate::name::{TroveName, is_ident_char, is_word_char};

/// The kind of thing a dependency names.
///
/// Each class has the numeric id the frozen form uses (the original's
/// `DEP_CLASS_*`) and the tag the text form uses. Classes sort by id, which
/// is the order in which a [`DependencySet`](super::DependencySet) prints.
///
/// | id | tag | name | flags |
/// |---|---|---|---|
/// | 0 | `abi` | `ELF64` | required |
/// | 3 | `file` | an absolute path | none |
/// | 4 | `trove` | a [`TroveName`] | optional |
/// | 6 | `soname` | `ELF64/libc.so.6`: ABI, optional path, soname | required |
/// | 7 | `userinfo` | a user name | none |
/// | 8 | `groupinfo` | a group name | none |
/// | 9 | `CIL` | `System.Xml` | required, dotted numbers |
/// | 10 | `java` | `org.foo.Bar` | optional |
/// | 11 | `python` | `os.path` | optional |
/// | 12 | `perl` | `File::Glob` | optional |
/// | 13 | `ruby` | `1.8/digest` | optional |
/// | 14 | `php` | `pear` | optional |
/// | 16 | `rpm` | `foo[bar]` (`[]:` allowed) | optional, `:` allowed |
/// | 17 | `rpmlib` | `PayloadIsXz` | optional |
/// | 100 | `deb` | a Debian package name | optional, [`DebConstraint`]s |
///
/// Any other id is kept as [`DepClass::Unknown`] and printed
/// `unknown-ID:`, so dependencies of classes this code does not know
/// survive a round trip. The original's flavor classes (`is` = 1,
/// `oldsoname` = 2, `use` = 5, `target` = 15) are not dependency classes:
/// text naming them is refused, and in frozen data they are unknown.
///
/// ```rust
/// use conary_core::deps::DepClass;
///
/// let class: DepClass = "soname".parse()?;
/// assert_eq!(class, DepClass::Soname);
/// assert_eq!(class.id(), 6);
/// assert_eq!(DepClass::from_id(65535).to_string(), "unknown-65535");
/// # Ok::<(), conary_core::deps::DepError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DepClass {
    /// `abi:` the ABI of ELF objects, with flags (`ELF32(SysV x86)`).
    Abi,
    /// `file:` an absolute path, no flags.
    File,
    /// `trove:` a trove name, optional capability flags.
    Trove,
    /// `soname:` a shared library by ABI and soname, with flags.
    Soname,
    /// `userinfo:` a user account, no flags.
    UserInfo,
    /// `groupinfo:` a group account, no flags.
    GroupInfo,
    /// `CIL:` a .NET assembly with version flags.
    Cil,
    /// `java:` a Java class.
    Java,
    /// `python:` a Python module.
    Python,
    /// `perl:` a Perl module.
    Perl,
    /// `ruby:` a Ruby library.
    Ruby,
    /// `php:` a PHP module.
    Php,
    /// `rpm:` an RPM capability of an encapsulated RPM.
    Rpm,
    /// `rpmlib:` an rpmlib feature.
    RpmLib,
    /// `deb:` a Debian package of an imported `.deb`, flags are version
    /// constraints (this class is ours, not the original's).
    Deb,
    /// A class this code does not know, kept by id.
    Unknown(UnknownClass),
}

/// The id of a dependency class this code does not know.
///
/// Only [`DepClass::from_id`] makes one, so it never holds the id of a
/// known class.
///
/// ```rust
/// use conary_core::deps::DepClass;
///
/// let DepClass::Unknown(unknown) = DepClass::from_id(42) else { unreachable!() };
/// assert_eq!(unknown.id(), 42);
/// assert_eq!(unknown.to_string(), "unknown-42");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownClass(u32);

impl UnknownClass {
    /// The numeric id of the class.
    pub fn id(self) -> u32 {
        self.0
    }
}

impl fmt::Display for UnknownClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{UNKNOWN_PREFIX}{}", self.0)
    }
}

/// The prefix of the tag of an unknown class.
const UNKNOWN_PREFIX: &str = "unknown-";

/// Tags of the original's flavor classes, refused in dependency text.
const FLAVOR_TAGS: &[&str] = &["is", "use", "target", "oldsoname"];

/// Whether a class takes flags.
///
/// ```rust
/// use conary_core::deps::{DepClass, FlagRule};
///
/// assert_eq!(DepClass::File.flag_rule(), FlagRule::Forbidden);
/// assert_eq!(DepClass::Soname.flag_rule(), FlagRule::Required);
/// assert_eq!("python".parse::<DepClass>()?.flag_rule(), FlagRule::Optional);
/// # Ok::<(), conary_core::deps::DepError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FlagRule {
    /// Flags are not allowed, not even `()`.
    Forbidden,
    /// Flags may be given.
    Optional,
    /// At least one flag must be given when parsed from text.
    Required,
}

const KNOWN: &[DepClass] = &[
    DepClass::Abi,
    DepClass::File,
    DepClass::Trove,
    DepClass::Soname,
    DepClass::UserInfo,
    DepClass::GroupInfo,
    DepClass::Cil,
    DepClass::Java,
    DepClass::Python,
    DepClass::Perl,
    DepClass::Ruby,
    DepClass::Php,
    DepClass::Rpm,
    DepClass::RpmLib,
    DepClass::Deb,
];

impl DepClass {
    /// Every class this code knows, in id order.
    pub fn known() -> &'static [DepClass] {
        KNOWN
    }

    /// The numeric id used in the frozen form.
    pub fn id(self) -> u32 {
        match self {
            DepClass::Abi => 0,
            DepClass::File => 3,
            DepClass::Trove => 4,
            DepClass::Soname => 6,
            DepClass::UserInfo => 7,
            DepClass::GroupInfo => 8,
            DepClass::Cil => 9,
            DepClass::Java => 10,
            DepClass::Python => 11,
            DepClass::Perl => 12,
            DepClass::Ruby => 13,
            DepClass::Php => 14,
            DepClass::Rpm => 16,
            DepClass::RpmLib => 17,
            DepClass::Deb => 100,
            DepClass::Unknown(unknown) => unknown.0,
        }
    }

    /// The class with numeric id `id`; [`DepClass::Unknown`] when no known
    /// class has it.
    pub fn from_id(id: u32) -> DepClass {
        KNOWN
            .iter()
            .copied()
            .find(|class| class.id() == id)
            .unwrap_or(DepClass::Unknown(UnknownClass(id)))
    }

    /// The tag of a known class (`soname`, `CIL`, …); `None` for an unknown
    /// class, whose tag is `unknown-ID`.
    pub fn known_tag(self) -> Option<&'static str> {
        Some(match self {
            DepClass::Abi => "abi",
            DepClass::File => "file",
            DepClass::Trove => "trove",
            DepClass::Soname => "soname",
            DepClass::UserInfo => "userinfo",
            DepClass::GroupInfo => "groupinfo",
            DepClass::Cil => "CIL",
            DepClass::Java => "java",
            DepClass::Python => "python",
            DepClass::Perl => "perl",
            DepClass::Ruby => "ruby",
            DepClass::Php => "php",
            DepClass::Rpm => "rpm",
            DepClass::RpmLib => "rpmlib",
            DepClass::Deb => "deb",
            DepClass::Unknown(_) => return None,
        })
    }

    /// Whether dependencies of this class take flags.
    pub fn flag_rule(self) -> FlagRule {
        match self {
            DepClass::File | DepClass::UserInfo | DepClass::GroupInfo => FlagRule::Forbidden,
            DepClass::Abi | DepClass::Soname | DepClass::Cil => FlagRule::Required,
            _ => FlagRule::Optional,
        }
    }

    /// Checks a dependency name of this class; the error is the reason.
    pub(crate) fn check_name(self, name: &str) -> Result<(), String> {
        if name.is_empty() {
            return Err("empty name".to_owned());
        }
        match self {
            DepClass::Abi
            | DepClass::UserInfo
            | DepClass::GroupInfo
            | DepClass::Java
            | DepClass::Python
            | DepClass::Php
            | DepClass::RpmLib => check_chars(name, is_word_char, "name"),
            DepClass::File => check_path(name),
            DepClass::Trove => TroveName::new(name)
                .map(drop)
                .map_err(|error| error.to_string()),
            DepClass::Soname => check_soname(name),
            DepClass::Cil => check_parts(name, ".", is_ident_char, "name"),
            DepClass::Perl => check_parts(name, "::", is_word_char, "module name"),
            DepClass::Ruby => check_ruby(name),
            DepClass::Rpm => check_chars(name, is_rpm_name_char, "name"),
            DepClass::Deb => check_deb_name(name),
            DepClass::Unknown(_) => check_chars(name, is_token_char, "name"),
        }
    }

    /// Checks one flag of this class; the error is the reason.
    pub(crate) fn check_flag(self, flag: &str) -> Result<(), String> {
        if flag.is_empty() {
            return Err("empty flag".to_owned());
        }
        match self {
            DepClass::Cil => check_chars(flag, |c| c.is_ascii_digit() || c == '.', "flag"),
            DepClass::Rpm => check_chars(flag, |c| is_word_char(c) || c == ':', "flag"),
            DepClass::Deb => flag
                .parse::<DebConstraint>()
                .map(drop)
                .map_err(|error| error.to_string()),
            DepClass::Unknown(_) => check_chars(flag, is_token_char, "flag"),
            _ => check_chars(flag, is_word_char, "flag"),
        }
    }
}

/// Names of `rpm:` dependencies also take `[]:` (`config(foo)` becomes `config[foo]`).
fn is_rpm_name_char(c: char) -> bool {
    is_word_char(c) || matches!(c, '[' | ']' | ':')
}

/// Characters that survive both the text form and the frozen form: anything
/// printable but white space, parentheses (which delimit flags), `|` (which
/// separates frozen dependencies) and `\` (the frozen escape).
fn is_token_char(c: char) -> bool {
    !(c.is_whitespace() || c.is_control() || matches!(c, '(' | ')' | '|' | '\\'))
}

fn check_chars(text: &str, allowed: impl Fn(char) -> bool, what: &str) -> Result<(), String> {
    match text.chars().find(|&c| !allowed(c)) {
        Some(c) => Err(format!("character {c:?} not allowed in {what}")),
        None => Ok(()),
    }
}

/// `part(SEP part)*` where every part is non-empty and made of `allowed`.
fn check_parts(
    text: &str,
    separator: &str,
    allowed: impl Fn(char) -> bool,
    what: &str,
) -> Result<(), String> {
    for part in text.split(separator) {
        if part.is_empty() {
            return Err(format!("empty part between '{separator}' in {what}"));
        }
        check_chars(part, &allowed, what)?;
    }
    Ok(())
}

fn check_path(path: &str) -> Result<(), String> {
    let Some(rest) = path.strip_prefix('/') else {
        return Err("not an absolute path".to_owned());
    };
    for component in rest.split('/') {
        match component {
            "" => return Err("empty path component".to_owned()),
            "." | ".." => return Err(format!("path component '{component}' not allowed")),
            _ => check_chars(component, is_token_char, "path")?,
        }
    }
    Ok(())
}

fn check_soname(name: &str) -> Result<(), String> {
    let Some((abi, rest)) = name.split_once('/') else {
        return Err("missing ABI before the soname (as in 'ELF64/libc.so.6')".to_owned());
    };
    if abi.is_empty() {
        return Err("empty ABI".to_owned());
    }
    check_chars(abi, is_ident_char, "ABI")?;
    check_parts(rest, "/", is_word_char, "soname path")
}

fn check_ruby(name: &str) -> Result<(), String> {
    let (first, rest) = match name.split_once('/') {
        Some((first, rest)) => (first, Some(rest)),
        None => (name, None),
    };
    if first.is_empty() {
        return Err("empty first part".to_owned());
    }
    check_chars(first, is_ident_char, "name")?;
    match rest {
        Some(rest) => check_parts(rest, "/", is_word_char, "name"),
        None => Ok(()),
    }
}

/// Debian package names: lowercase letters, digits and `+ - .`, at least two
/// characters, starting with a letter or digit; an architecture qualifier
/// (`:any`, `:amd64`) may follow.
fn check_deb_name(name: &str) -> Result<(), String> {
    let (package, arch) = match name.split_once(':') {
        Some((package, arch)) => (package, Some(arch)),
        None => (name, None),
    };
    if package.len() < 2 {
        return Err("package name shorter than two characters".to_owned());
    }
    if !package.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit()) {
        return Err("package name must start with a lowercase letter or a digit".to_owned());
    }
    check_chars(
        package,
        |c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '+' | '-' | '.'),
        "package name",
    )?;
    if let Some(arch) = arch {
        if arch.is_empty() {
            return Err("empty architecture after ':'".to_owned());
        }
        check_chars(
            arch,
            |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-',
            "architecture",
        )?;
    }
    Ok(())
}

impl Ord for DepClass {
    fn cmp(&self, other: &DepClass) -> Ordering {
        self.id().cmp(&other.id())
    }
}

impl PartialOrd for DepClass {
    fn partial_cmp(&self, other: &DepClass) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for DepClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DepClass::Unknown(unknown) => unknown.fmt(f),
            known => f.write_str(known.known_tag().unwrap_or_default()),
        }
    }
}

impl DepClass {
    /// Reads a class tag, naming `text` (the whole dependency) in errors.
    pub(crate) fn parse_tag(tag: &str, text: &str) -> Result<DepClass, DepError> {
        if let Some(class) = KNOWN.iter().find(|class| class.known_tag() == Some(tag)) {
            return Ok(*class);
        }
        if FLAVOR_TAGS.contains(&tag) {
            return Err(DepError::FlavorClass {
                text: text.to_owned(),
                class: tag.to_owned(),
            });
        }
        let unknown_id = tag
            .strip_prefix(UNKNOWN_PREFIX)
            .filter(|digits| {
                !digits.is_empty()
                    && digits.bytes().all(|b| b.is_ascii_digit())
                    && (*digits == "0" || !digits.starts_with('0'))
            })
            .and_then(|digits| digits.parse::<u32>().ok());
        match unknown_id.map(DepClass::from_id) {
            Some(class @ DepClass::Unknown(_)) => Ok(class),
            Some(known) => Err(DepError::KnownClassAsUnknown {
                text: text.to_owned(),
                tag: tag.to_owned(),
                class: known,
            }),
            None => Err(DepError::UnknownClass {
                text: text.to_owned(),
                class: tag.to_owned(),
            }),
        }
    }
}

impl FromStr for DepClass {
    type Err = DepError;

    fn from_str(tag: &str) -> Result<DepClass, DepError> {
        DepClass::parse_tag(tag, tag)
    }
}
