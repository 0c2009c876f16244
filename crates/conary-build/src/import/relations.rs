//! The flavor and the `deb:` provides and requires of an imported package,
//! from its control file.

use conary_core::deps::{DepClass, Dependency, DependencySet};
use conary_core::flavor::{Flavor, FlavorClass};

use super::error::ImportError;
use crate::deb::{DebAlternative, DebControl, DebRelation, DebVersion, escape};

/// Debian architectures and the instruction set of their flavor; `all`
/// has the empty flavor.
pub const ARCHITECTURES: [(&str, Option<&str>); 8] = [
    ("all", None),
    ("amd64", Some("x86_64")),
    ("i386", Some("x86")),
    ("arm64", Some("aarch64")),
    ("armhf", Some("armv7hl")),
    ("ppc64el", Some("ppc64le")),
    ("s390x", Some("s390x")),
    ("riscv64", Some("riscv64")),
];

/// The flavor of a package built for Debian architecture `architecture`
/// (see [`ARCHITECTURES`]).
///
/// ```rust
/// use conary_build::import::flavor_for_architecture;
/// assert_eq!(flavor_for_architecture("amd64").expect("known").to_string(), "is: x86_64");
/// assert!(flavor_for_architecture("all").expect("known").is_empty());
/// assert!(flavor_for_architecture("hurd-i386").is_err());
/// ```
pub fn flavor_for_architecture(architecture: &str) -> Result<Flavor, ImportError> {
    let unsupported = || ImportError::Architecture {
        architecture: escape(architecture.as_bytes()),
    };
    let (_, instruction_set) = ARCHITECTURES
        .iter()
        .find(|(name, _)| *name == architecture)
        .ok_or_else(unsupported)?;
    let mut flavor = Flavor::new();
    if let Some(instruction_set) = instruction_set {
        flavor
            .add_arch(FlavorClass::InstructionSet, instruction_set, &[])
            .map_err(|_| unsupported())?;
    }
    Ok(flavor)
}

/// What the package trove provides: `deb: NAME(=VERSION)`, the same as
/// `deb: NAME:any(=VERSION)` when the package is `Multi-Arch: allowed`, and
/// each `Provides:` entry, with `=VERSION` when versioned.
pub(crate) fn package_provides(
    control: &DebControl,
    package: &str,
    version: &DebVersion,
) -> Result<DependencySet, ImportError> {
    let exact = format!("={version}");
    let mut provides = DependencySet::new();
    provides.insert(deb_dependency("Package", package, Some(&exact))?);
    if control
        .get("Multi-Arch")
        .is_some_and(|value| value.trim() == "allowed")
    {
        let any = format!("{package}:any");
        provides.insert(deb_dependency("Package", &any, Some(&exact))?);
    }
    let field = "Provides";
    let relations = control.relations(field)?;
    for group in relations.groups() {
        let alternative = match group.as_slice() {
            [single] => single,
            _ => return Err(relation_error(field, group, "alternatives are not allowed")),
        };
        if alternative.arch.is_some() {
            let reason = "an architecture qualifier is not allowed";
            return Err(relation_error(field, group, reason));
        }
        let flag = match &alternative.constraint {
            None => None,
            Some(constraint) if constraint.relation() == DebRelation::Equal => {
                Some(constraint.to_string())
            }
            Some(_) => {
                let reason = "only '=' versions may be provided";
                return Err(relation_error(field, group, reason));
            }
        };
        provides.insert(deb_dependency(field, &alternative.name, flag.as_deref())?);
    }
    Ok(provides)
}

/// What the package trove requires: for each group of `Pre-Depends` and
/// `Depends`, its first alternative (see the module docs of
/// [`crate::import`]), without those the package provides itself.
pub(crate) fn package_requires(
    control: &DebControl,
    provides: &DependencySet,
) -> Result<DependencySet, ImportError> {
    let mut requires = DependencySet::new();
    for field in ["Pre-Depends", "Depends"] {
        let relations = control.relations(field)?;
        for group in relations.groups() {
            let Some(first) = group.first() else {
                continue;
            };
            requires.insert(requirement(field, first)?);
        }
    }
    Ok(requires.unsatisfied_by(provides))
}

/// One alternative as a `deb:` requirement: the name keeps an architecture
/// qualifier except `:native`, which means the plain name.
fn requirement(
    field: &'static str,
    alternative: &DebAlternative,
) -> Result<Dependency, ImportError> {
    let name = match alternative.arch.as_deref() {
        None | Some("native") => alternative.name.clone(),
        Some(arch) => format!("{}:{arch}", alternative.name),
    };
    let flag = alternative.constraint.as_ref().map(ToString::to_string);
    deb_dependency(field, &name, flag.as_deref())
}

fn deb_dependency(
    field: &'static str,
    name: &str,
    flag: Option<&str>,
) -> Result<Dependency, ImportError> {
    Dependency::new(DepClass::Deb, name, flag).map_err(|source| ImportError::Dependency {
        field,
        value: match flag {
            Some(flag) => escape(format!("{name} ({flag})").as_bytes()),
            None => escape(name.as_bytes()),
        },
        source,
    })
}

fn relation_error(field: &'static str, group: &[DebAlternative], reason: &str) -> ImportError {
    let text: Vec<String> = group.iter().map(ToString::to_string).collect();
    ImportError::Relation {
        field,
        value: escape(text.join(" | ").as_bytes()),
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn control(text: &str) -> DebControl {
        text.parse().expect("test control parses")
    }

    #[test]
    fn flavors() {
        for (architecture, expected) in [
            ("amd64", "is: x86_64"),
            ("i386", "is: x86"),
            ("arm64", "is: aarch64"),
            ("all", ""),
        ] {
            let flavor = flavor_for_architecture(architecture).expect("known architecture");
            assert_eq!(flavor.to_string(), expected, "{architecture}");
        }
        for (architecture, _) in ARCHITECTURES {
            assert!(
                flavor_for_architecture(architecture).is_ok(),
                "{architecture}"
            );
        }
        assert!(flavor_for_architecture("AMD64").is_err());
        assert!(flavor_for_architecture("").is_err());
    }

    #[test]
    fn provides_and_requires() {
        let control = control(
            "Package: mailer\nVersion: 1:2.0-1\nArchitecture: amd64\nMulti-Arch: allowed\n\
             Provides: mail-transport-agent, libfoo (= 3.0), mailer-compat\n\
             Pre-Depends: init-system-helpers (>= 1.54~)\n\
             Depends: libc6 (>= 2.34), debconf (>= 0.5) | debconf-2.0, perl:any, python3:native (<< 4), \
             libc6 (<< 3), mail-transport-agent\n",
        );
        let version: DebVersion = "1:2.0-1".parse().expect("version");
        let provides = package_provides(&control, "mailer", &version).expect("provides");
        assert_eq!(
            provides.to_string(),
            "deb: libfoo(=3.0)\ndeb: mail-transport-agent\ndeb: mailer(=1:2.0-1)\n\
             deb: mailer-compat\ndeb: mailer:any(=1:2.0-1)"
        );
        let requires = package_requires(&control, &provides).expect("requires");
        assert_eq!(
            requires.to_string(),
            "deb: debconf(>=0.5)\ndeb: init-system-helpers(>=1.54~)\ndeb: libc6(<<3 >=2.34)\n\
             deb: perl:any\ndeb: python3(<<4)"
        );
    }

    #[test]
    fn refuses_what_debian_refuses() {
        let version: DebVersion = "1.0".parse().expect("version");
        let cases = [
            (
                "Provides: a | b\n",
                "invalid Provides field 'a | b': alternatives are not allowed",
            ),
            (
                "Provides: foo (>= 1.0)\n",
                "invalid Provides field 'foo (>= 1.0)': only '=' versions may be provided",
            ),
            (
                "Provides: foo:any\n",
                "invalid Provides field 'foo:any': an architecture qualifier is not allowed",
            ),
            (
                "Provides: x\n",
                "cannot express 'x' of the Provides field as a deb: dependency: ",
            ),
        ];
        for (extra, message) in cases {
            let control = control(&format!("Package: pkg\nVersion: 1.0\n{extra}"));
            let err = package_provides(&control, "pkg", &version).expect_err(extra);
            assert!(err.to_string().starts_with(message), "{extra}: {err}");
        }
        let control = control("Package: pkg\nVersion: 1.0\nDepends: a (>= 1\n");
        assert!(package_requires(&control, &DependencySet::new()).is_err());
    }
}
