//! Not timed: the corpus imported into a repository, oldest versions
//! first, as the corpus bench of `conary-build` does it (each `.deb`
//! imported into memory, written as an absolute changeset, committed by
//! `Repository::commit` from a `ChangeSetReader`).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use conary_build::import::{ImportCandidate, ImportOptions, MemorySink, import_deb};
use conary_changeset::{ChangeSetReader, write_changeset};
use conary_core::trove::TroveTuple;
use conary_core::version::Label;
use conary_repository::{Credentials, Identity, Repository};

use crate::measure::BenchResult;

/// The user the benchmark's repository knows.
const USER: &str = "bench";
const PASSWORD: &str = "bench-password";

/// One package of the corpus: its oldest and newest version.
#[derive(Clone, Debug)]
pub struct Package {
    pub name: String,
    pub oldest: Version,
    pub newest: Version,
}

/// One version of a package: its `.deb` and the package trove it became.
#[derive(Clone, Debug)]
pub struct Version {
    pub deb: PathBuf,
    pub bytes: u64,
    pub tuple: TroveTuple,
}

/// The imported corpus.
pub struct Imported {
    pub packages: Vec<Package>,
    /// `.deb` files imported.
    pub debs: usize,
    /// Time the import took.
    pub time: Duration,
}

impl Imported {
    /// Bytes of the oldest `.deb` files.
    pub fn oldest_bytes(&self) -> u64 {
        self.packages
            .iter()
            .map(|package| package.oldest.bytes)
            .sum()
    }

    /// Bytes of the newest `.deb` files.
    pub fn newest_bytes(&self) -> u64 {
        self.packages
            .iter()
            .map(|package| package.newest.bytes)
            .sum()
    }

    /// The specs installing exactly the oldest versions.
    pub fn oldest_specs(&self) -> Vec<String> {
        self.packages
            .iter()
            .map(|package| format!("{}={}", package.name, package.oldest.tuple.version))
            .collect()
    }

    /// The specs updating every package to its newest version.
    pub fn update_specs(&self) -> Vec<String> {
        self.packages
            .iter()
            .map(|package| package.name.clone())
            .collect()
    }

    /// The oldest `.deb` files.
    pub fn oldest_debs(&self) -> Vec<&Path> {
        self.packages
            .iter()
            .map(|package| package.oldest.deb.as_path())
            .collect()
    }

    /// The newest `.deb` files.
    pub fn newest_debs(&self) -> Vec<&Path> {
        self.packages
            .iter()
            .map(|package| package.newest.deb.as_path())
            .collect()
    }
}

/// The identity the benchmark's repository answers.
pub fn login(repository: &Repository) -> BenchResult<Identity> {
    Ok(repository.authenticate(&Credentials::Basic {
        user: USER.into(),
        password: PASSWORD.into(),
    })?)
}

/// Imports `candidates` (in import order: each package's versions oldest
/// first) into a fresh repository in `dir`.
pub fn import(candidates: &[ImportCandidate], dir: &Path) -> BenchResult<Imported> {
    let start = Instant::now();
    let repository = Repository::init(dir, crate::SERVER)?;
    repository.add_user(USER, PASSWORD, true)?;
    let identity = login(&repository)?;
    let label: Label = crate::LABEL.parse()?;
    let mut versions: BTreeMap<String, Vec<Version>> = BTreeMap::new();
    for candidate in candidates {
        let file = BufReader::new(File::open(&candidate.path)?);
        let mut sink = MemorySink::new();
        let imported = import_deb(file, &label, &ImportOptions::default(), &mut sink)
            .map_err(|error| format!("{}: {error}", candidate.path.display()))?;
        let changeset = imported.to_changeset(&sink)?;
        let ccs = write_changeset(Vec::new(), &changeset, &sink)?;
        let result = repository.commit(ChangeSetReader::new(&ccs[..])?, &identity)?;
        let name = &imported.package().name;
        let tuple = result
            .committed
            .into_iter()
            .find(|tuple| &tuple.name == name)
            .ok_or_else(|| format!("{}: no package trove committed", candidate.path.display()))?;
        versions
            .entry(candidate.package.clone())
            .or_default()
            .push(Version {
                deb: candidate.path.clone(),
                bytes: std::fs::metadata(&candidate.path)?.len(),
                tuple,
            });
    }
    let mut packages = Vec::new();
    for (name, versions) in versions {
        if let (Some(oldest), Some(newest)) = (versions.first(), versions.last())
            && versions.len() > 1
        {
            packages.push(Package {
                name: oldest.tuple.name.to_string(),
                oldest: oldest.clone(),
                newest: newest.clone(),
            });
        } else {
            return Err(format!("package {name} has a single version in the corpus").into());
        }
    }
    Ok(Imported {
        packages,
        debs: candidates.len(),
        time: start.elapsed(),
    })
}
