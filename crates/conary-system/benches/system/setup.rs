//! Not timed: the corpus imported into a repository, oldest versions
//! first, as the corpus bench of `conary-build` does it (each `.deb`
//! imported into memory, written as an absolute changeset, committed by
//! `Repository::commit` from a `ChangeSetReader`).
//!
//! After each commit, the deltas of updates to what it committed are
//! prepared (`Repository::prepare_deltas` with the default options: the
//! three versions before, both ways), as a server does in the background
//! after each commit (`conary-server`'s delta worker): the repository's
//! delta store then answers the update's and the rollback's deltas.
//! `CONARY_BENCH_DELTAS=off` skips that (and empties the delta store
//! before every conary step, should anything have filled it), to measure
//! without it; `CONARY_BENCH_DELTAS=forward` prepares old → new only.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use conary_api::Job;
use conary_build::import::{ImportCandidate, ImportOptions, MemorySink, import_deb};
use conary_changeset::{ChangeSetReader, write_changeset};
use conary_core::trove::TroveTuple;
use conary_core::version::Label;
use conary_repository::deltas::{DELTAS_DIR, PrepareOptions};
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
    /// Time the import took, preparing deltas included.
    pub time: Duration,
    /// Time spent preparing deltas after the commits.
    pub deltas_time: Duration,
    /// Delta store entries written, and their bytes.
    pub deltas_kept: (u64, u64),
}

/// The variable that chooses what deltas are prepared after each commit:
/// `on` (the default: the server's default, both ways), `forward` (only
/// old → new: no rollback deltas), `off` (none).
const DELTAS_VARIABLE: &str = "CONARY_BENCH_DELTAS";

/// The deltas prepared after each commit ([`DELTAS_VARIABLE`]), `None`
/// for none.
fn delta_options() -> BenchResult<Option<PrepareOptions>> {
    match std::env::var(DELTAS_VARIABLE).as_deref() {
        Err(_) | Ok("on") => Ok(Some(PrepareOptions::default())),
        Ok("forward") => Ok(Some(PrepareOptions {
            reverse: false,
            ..PrepareOptions::default()
        })),
        Ok("off") => Ok(None),
        Ok(other) => Err(format!("{DELTAS_VARIABLE}={other}: expected on, forward or off").into()),
    }
}

/// Whether deltas are prepared after each commit.
pub fn deltas_on() -> BenchResult<bool> {
    Ok(delta_options()?.is_some())
}

/// The bytes the files under `dir` take on disk (blocks), and their count.
fn disk_usage(dir: &Path) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt as _;
    let (mut bytes, mut files) = (0, 0);
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let Ok(metadata) = entry.metadata() else {
                continue;
            };
            bytes += metadata.blocks() * 512;
            if metadata.is_dir() {
                stack.push(entry.path());
            } else {
                files += 1;
            }
        }
    }
    (bytes, files)
}

/// Without prepared deltas, empties the delta store (not timed), so every
/// conary step makes its deltas (requests only read the store; this
/// guards against anything else having filled it).
pub fn reset_deltas(repository: &Path) -> BenchResult<()> {
    if deltas_on()? {
        return Ok(());
    }
    let store = repository.join(DELTAS_DIR);
    match std::fs::remove_dir_all(&store) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(format!("cannot empty {}: {error}", store.display()).into()),
    }
}

/// Checks that the delta store changes no byte: the update (oldest to
/// newest of every package, recursing) and its reverse made from the
/// store, then made again with the store moved aside, must be identical.
/// Not timed; the store is put back as it was.
pub fn check_identical(imported: &Imported, dir: &Path) -> BenchResult<String> {
    if !deltas_on()? {
        return Ok("not checked (no delta store)".into());
    }
    let repository = Repository::open(dir)?;
    let identity = login(&repository)?;
    let jobs = |forward: bool| -> Vec<Job> {
        imported
            .packages
            .iter()
            .map(|package| {
                let (old, new) = if forward {
                    (&package.oldest.tuple, &package.newest.tuple)
                } else {
                    (&package.newest.tuple, &package.oldest.tuple)
                };
                Job::update(
                    new.name.clone(),
                    (old.version.clone(), old.flavor.clone()),
                    (new.version.clone(), new.flavor.clone()),
                )
            })
            .collect()
    };
    let cache = dir.join(conary_repository::cache::CACHE_DIR);
    let make = |jobs: &[Job]| -> BenchResult<Vec<u8>> {
        match std::fs::remove_dir_all(&cache) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                return Err(error.into());
            }
            _ => {}
        }
        let mut out = Vec::new();
        repository.changeset(jobs, true, &identity, &mut out)?;
        Ok(out)
    };
    let store = dir.join(DELTAS_DIR);
    let aside = dir.join("deltas-aside");
    let mut times = Vec::new();
    for forward in [true, false] {
        let started = Instant::now();
        let from_store = make(&jobs(forward))?;
        let with = started.elapsed();
        std::fs::rename(&store, &aside)?;
        let started = Instant::now();
        let without = make(&jobs(forward));
        times.push((with.as_secs_f64(), started.elapsed().as_secs_f64()));
        match std::fs::remove_dir_all(&store) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                return Err(error.into());
            }
            _ => {}
        }
        std::fs::rename(&aside, &store)?;
        if without? != from_store {
            let which = if forward { "update" } else { "downgrade" };
            return Err(format!("the {which} made from the delta store differs").into());
        }
    }
    Ok(format!(
        "the update and its reverse made from the store are identical byte for byte to \
         those made without it (made into memory: update {:.3} s from the store, {:.3} s \
         without; reverse {:.3} s, {:.3} s)",
        times[0].0, times[0].1, times[1].0, times[1].1,
    ))
}

/// How the delta store is used, for the header.
pub fn deltas_header(imported: &Imported, repository: &Path) -> BenchResult<String> {
    Ok(if let Some(options) = delta_options()? {
        let (disk, files) = disk_usage(&repository.join(DELTAS_DIR));
        let (repository_disk, _) = disk_usage(repository);
        format!(
            "delta store: prepared after each commit, as a server does in the background \
             ({} earlier versions, {}): {} entries written, {} in {:.2} s of the import; \
             on disk {} files, {} (the whole repository {})",
            options.depth,
            if options.reverse {
                "both ways"
            } else {
                "old to new only"
            },
            imported.deltas_kept.0,
            crate::report::mb(imported.deltas_kept.1),
            imported.deltas_time.as_secs_f64(),
            files,
            crate::report::mb(disk),
            crate::report::mb(repository_disk),
        )
    } else {
        format!("delta store: off ({DELTAS_VARIABLE}=off: emptied before every conary step)")
    })
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
    let prepare = delta_options()?;
    let mut deltas_time = Duration::ZERO;
    let mut deltas_kept = (0, 0);
    for candidate in candidates {
        let file = BufReader::new(File::open(&candidate.path)?);
        let mut sink = MemorySink::new();
        let imported = import_deb(file, &label, &ImportOptions::default(), &mut sink)
            .map_err(|error| format!("{}: {error}", candidate.path.display()))?;
        let changeset = imported.to_changeset(&sink)?;
        let ccs = write_changeset(Vec::new(), &changeset, &sink)?;
        let result = repository.commit(ChangeSetReader::new(&ccs[..])?, &identity)?;
        if let Some(options) = &prepare {
            let started = Instant::now();
            let report = repository.prepare_deltas(&result.committed, options)?;
            deltas_time += started.elapsed();
            deltas_kept.0 += report.kept;
            deltas_kept.1 += report.bytes;
            if let Some(failure) = report.failed.first() {
                return Err(format!("deltas not prepared for {failure}").into());
            }
        }
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
        deltas_time,
        deltas_kept,
    })
}
