//! The order of imports: a batch commits oldest first, and a package older
//! than what its branch already has is refused unless forced.
//!
//! A repository orders the versions of a branch by commit time, never by
//! comparing upstream strings. Importing a newer `.deb` after an older one
//! therefore makes it the newer version on the branch, and importing an
//! older one afterwards would make *it* the newest: [`check_import`]
//! refuses that unless forced.

use std::cmp::Ordering;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use conary_core::flavor::Flavor;
use conary_core::version::Version;

use super::error::ImportError;
use crate::deb::{DebReader, DebVersion, conary_upstream_to_deb};

/// A `.deb` of a batch, as [`order_for_import`] reads it from its control file.
///
/// ```rust
/// let candidate = conary_build::import::ImportCandidate {
///     path: "a_1.0_all.deb".into(),
///     package: "a".into(),
///     version: "1.0".parse().expect("version"),
///     architecture: "all".into(),
/// };
/// assert_eq!(candidate.to_string(), "a=1.0 (all) from a_1.0_all.deb");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportCandidate {
    /// The file.
    pub path: PathBuf,
    /// The Debian package name.
    pub package: String,
    /// The Debian version.
    pub version: DebVersion,
    /// The Debian architecture.
    pub architecture: String,
}

impl std::fmt::Display for ImportCandidate {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "{}={} ({}) from {}",
            self.package,
            self.version,
            self.architecture,
            self.path.display()
        )
    }
}

/// Reads the control file of each of `paths` (not the contents) and returns
/// them in import order (see [`sort_for_import`]).
pub fn order_for_import<P: AsRef<Path>>(paths: &[P]) -> Result<Vec<ImportCandidate>, ImportError> {
    let mut candidates = Vec::with_capacity(paths.len());
    for path in paths {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let file = File::open(path).map_err(|source| ImportError::Open {
            path: shown.clone(),
            source,
        })?;
        let read_error = |source| ImportError::Read {
            path: shown.clone(),
            source: Box::new(source),
        };
        let reader = DebReader::new(BufReader::new(file)).map_err(read_error)?;
        let control = reader.metadata().control();
        candidates.push(ImportCandidate {
            path: path.to_path_buf(),
            package: control.package().map_err(read_error)?.to_owned(),
            version: control.version().map_err(read_error)?,
            architecture: control.architecture().map_err(read_error)?.to_owned(),
        });
    }
    sort_for_import(&mut candidates);
    Ok(candidates)
}

/// Sorts a batch for import: by package name, then oldest version first as
/// dpkg orders them ([`DebVersion::cmp_dpkg`]), then by version text, by
/// architecture and by path, so the order never depends on the order given.
///
/// ```rust
/// use conary_build::import::{ImportCandidate, sort_for_import};
/// let candidate = |version: &str| ImportCandidate {
///     path: format!("tzdata_{version}_all.deb").into(),
///     package: "tzdata".into(),
///     version: version.parse().expect("version"),
///     architecture: "all".into(),
/// };
/// let mut batch = vec![candidate("2026f-0+deb12u1"), candidate("2025b-0+deb12u1"), candidate("2026b-0+deb12u1")];
/// sort_for_import(&mut batch);
/// let versions: Vec<String> = batch.iter().map(|c| c.version.to_string()).collect();
/// assert_eq!(versions, ["2025b-0+deb12u1", "2026b-0+deb12u1", "2026f-0+deb12u1"]);
/// ```
pub fn sort_for_import(candidates: &mut [ImportCandidate]) {
    candidates.sort_by(|left, right| {
        left.package
            .cmp(&right.package)
            .then_with(|| left.version.cmp_dpkg(&right.version))
            .then_with(|| left.version.to_string().cmp(&right.version.to_string()))
            .then_with(|| left.architecture.cmp(&right.architecture))
            .then_with(|| left.path.cmp(&right.path))
    });
}

/// What [`check_import`] decided.
///
/// ```rust
/// use conary_build::import::ImportCheck;
/// assert!(ImportCheck::New.should_import());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportCheck {
    /// Newer than every version on the branch (or the branch is empty).
    New,
    /// The branch has this exact version, but not in this flavor: the
    /// import adds a flavor to that version.
    NewFlavor,
    /// The branch has this version (as dpkg compares) in this flavor:
    /// importing again is a no-op.
    AlreadyImported {
        /// The version on the branch.
        version: Version,
    },
    /// Older than the newest version on the branch, imported because it was
    /// forced: it becomes the newest version by commit time.
    ForcedOlder {
        /// The newest version on the branch.
        newest: Version,
    },
}

impl ImportCheck {
    /// Whether the package should be committed.
    pub fn should_import(&self) -> bool {
        !matches!(self, ImportCheck::AlreadyImported { .. })
    }
}

/// Decides whether Debian package `package` at `candidate` in `flavor` may
/// be imported onto a branch that already holds `on_branch` (the versions
/// and flavors of that package there, in any order); a pure function.
///
/// - a version that dpkg orders equal to `candidate`, in the same flavor:
///   [`ImportCheck::AlreadyImported`] (re-importing is a no-op);
/// - the very same version in other flavors only: [`ImportCheck::NewFlavor`];
/// - older than the newest version on the branch (as dpkg orders them):
///   refused with [`ImportError::OlderThanBranch`], or
///   [`ImportCheck::ForcedOlder`] when `force` is set;
/// - otherwise [`ImportCheck::New`].
///
/// A version on the branch that the importer did not make is an error:
/// the branch could not be ordered.
///
/// ```rust
/// use conary_build::import::{ImportCheck, check_import};
/// use conary_core::flavor::Flavor;
/// use conary_core::version::Version;
/// let flavor: Flavor = "is: x86_64".parse().expect("flavor");
/// let on_branch = [(Version::thaw("/deb.example.com@debian:12/10.000:1.0_2-1-1").expect("version"), flavor.clone())];
/// let newer = "1.0-3".parse().expect("version");
/// assert_eq!(check_import("hello", &newer, &flavor, &on_branch, false)?, ImportCheck::New);
/// let older = "1.0-1".parse().expect("version");
/// assert!(check_import("hello", &older, &flavor, &on_branch, false).is_err());
/// # Ok::<(), conary_build::import::ImportError>(())
/// ```
pub fn check_import(
    package: &str,
    candidate: &DebVersion,
    flavor: &Flavor,
    on_branch: &[(Version, Flavor)],
    force: bool,
) -> Result<ImportCheck, ImportError> {
    let mut existing = Vec::with_capacity(on_branch.len());
    for (version, version_flavor) in on_branch {
        let upstream = version.trailing_revision().upstream();
        let deb_version =
            conary_upstream_to_deb(upstream).map_err(|source| ImportError::ForeignVersion {
                version: version.to_string(),
                source,
            })?;
        existing.push((deb_version, version, version_flavor));
    }
    if let Some((_, version, _)) = existing.iter().find(|(deb_version, _, version_flavor)| {
        deb_version.cmp_dpkg(candidate) == Ordering::Equal && *version_flavor == flavor
    }) {
        return Ok(ImportCheck::AlreadyImported {
            version: (*version).clone(),
        });
    }
    if existing
        .iter()
        .any(|(deb_version, _, _)| deb_version == candidate)
    {
        return Ok(ImportCheck::NewFlavor);
    }
    let newest = existing
        .iter()
        .max_by(|left, right| left.0.cmp_dpkg(&right.0));
    match newest {
        Some((newest_deb, newest, _)) if newest_deb.cmp_dpkg(candidate) == Ordering::Greater => {
            if force {
                Ok(ImportCheck::ForcedOlder {
                    newest: (*newest).clone(),
                })
            } else {
                Err(ImportError::OlderThanBranch {
                    package: package.to_owned(),
                    candidate: candidate.to_string(),
                    newest: newest_deb.to_string(),
                })
            }
        }
        _ => Ok(ImportCheck::New),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const BRANCH: &str = "/deb.example.com@debian:12";

    fn on_branch(entries: &[(&str, &str)]) -> Vec<(Version, Flavor)> {
        entries
            .iter()
            .enumerate()
            .map(|(index, (revision, flavor))| {
                let version = Version::thaw(&format!("{BRANCH}/{}.000:{revision}", index + 1))
                    .expect("test version");
                (version, flavor.parse().expect("test flavor"))
            })
            .collect()
    }

    #[test]
    fn decisions() {
        let x86_64 = "is: x86_64";
        let x86 = "is: x86";
        let branch = [
            ("7.88.1_10+deb12u5-1-1", x86_64),
            ("7.88.1_10+deb12u15-1-1", x86_64),
        ];
        let cases: &[(&str, &str, bool, Result<&str, &str>)] = &[
            ("7.88.1-10+deb12u16", x86_64, false, Ok("new")),
            (
                "7.88.1-10+deb12u15",
                x86_64,
                false,
                Ok("already 7.88.1_10+deb12u15-1-1"),
            ),
            (
                "7.88.1-10+deb12u5",
                x86_64,
                false,
                Ok("already 7.88.1_10+deb12u5-1-1"),
            ),
            ("7.88.1-10+deb12u15", x86, false, Ok("new flavor")),
            ("7.88.1-10+deb12u5", x86, false, Ok("new flavor")),
            (
                "7.88.1-10+deb12u6",
                x86_64,
                false,
                Err(
                    "refusing to import curl=7.88.1-10+deb12u6: the branch already has the newer curl=7.88.1-10+deb12u15 (force to import it anyway)",
                ),
            ),
            (
                "7.88.1-10+deb12u6",
                x86_64,
                true,
                Ok("forced 7.88.1_10+deb12u15-1-1"),
            ),
            ("1:7.0-1", x86_64, false, Ok("new")),
        ];
        let existing = on_branch(&branch);
        for (candidate, flavor, force, expected) in cases {
            let version: DebVersion = candidate.parse().expect("candidate");
            let flavor: Flavor = flavor.parse().expect("flavor");
            let found = check_import("curl", &version, &flavor, &existing, *force)
                .map(|check| match check {
                    ImportCheck::New => "new".to_owned(),
                    ImportCheck::NewFlavor => "new flavor".to_owned(),
                    ImportCheck::AlreadyImported { version } => {
                        format!("already {}", version.trailing_revision())
                    }
                    ImportCheck::ForcedOlder { newest } => {
                        format!("forced {}", newest.trailing_revision())
                    }
                })
                .map_err(|err| err.to_string());
            let expected = expected.map(str::to_owned).map_err(str::to_owned);
            assert_eq!(found, expected, "{candidate} [{flavor}] force={force}");
        }
        let empty = check_import(
            "curl",
            &"1.0".parse().expect("v"),
            &Flavor::new(),
            &[],
            false,
        );
        assert_eq!(empty.expect("empty branch"), ImportCheck::New);
        // dpkg says 1.0 and 1.0-0 are the same version.
        let same = on_branch(&[("1.0_0-1-1", "")]);
        let check = check_import(
            "a",
            &"1.0".parse().expect("v"),
            &Flavor::new(),
            &same,
            false,
        );
        assert!(matches!(check, Ok(ImportCheck::AlreadyImported { .. })));
        let foreign = on_branch(&[("1.0,2-1-1", "")]);
        let err = check_import(
            "a",
            &"1.0".parse().expect("v"),
            &Flavor::new(),
            &foreign,
            false,
        )
        .expect_err("foreign version");
        assert_eq!(
            err.to_string(),
            "version /deb.example.com@debian:12/1.0,2-1-1 on the branch is not an imported debian version: \
             invalid imported conary version '1.0,2': character ',' cannot come from a debian version"
        );
    }

    fn candidate(package: &str, version: &DebVersion, path: &str) -> ImportCandidate {
        ImportCandidate {
            path: path.into(),
            package: package.to_owned(),
            version: version.clone(),
            architecture: "all".to_owned(),
        }
    }

    proptest! {
        #[test]
        fn sorted_batches_go_oldest_first(
            versions in proptest::collection::vec(crate::deb::version_map::tests::valid_version(), 0..8),
            packages in proptest::collection::vec(0usize..3, 8),
        ) {
            let mut batch: Vec<ImportCandidate> = versions
                .iter()
                .zip(&packages)
                .enumerate()
                .map(|(index, (version, package))| candidate(&format!("pkg{package}"), version, &format!("{index}.deb")))
                .collect();
            let mut reversed = batch.clone();
            reversed.reverse();
            sort_for_import(&mut batch);
            sort_for_import(&mut reversed);
            prop_assert_eq!(&batch, &reversed);
            for pair in batch.windows(2) {
                if let [older, newer] = pair && older.package == newer.package {
                    prop_assert_ne!(older.version.cmp_dpkg(&newer.version), Ordering::Greater);
                }
            }
            // Committing the batch in order never trips the older-version check.
            let label: conary_core::version::Label = "deb.example.com@debian:12".parse().expect("label");
            let mut committed: std::collections::BTreeMap<String, Vec<(Version, Flavor)>> =
                std::collections::BTreeMap::new();
            for (index, item) in batch.iter().enumerate() {
                let on_branch = committed.entry(item.package.clone()).or_default();
                let check = check_import(&item.package, &item.version, &Flavor::new(), on_branch, false);
                prop_assert!(check.is_ok(), "{}: {:?}", item, check);
                let millis = 1000 * (index as u64 + 1);
                let version = crate::import::import_version(&label, &item.version)
                    .expect("version")
                    .with_timestamp(Some(conary_core::version::Timestamp::from_millis(millis)));
                on_branch.push((version, Flavor::new()));
            }
        }
    }
}
