//! System management on the Debian corpus: install, update and rollback
//! through conary's library, against `dpkg --unpack` of the same packages
//! in the same run.
//!
//! `cargo bench -p conary-system --bench system` (release):
//!
//! - **setup** (not timed): every `.deb` of `shared/corpus/debian` is
//!   imported into a repository in a temporary directory, each package's
//!   versions oldest first (see `setup`);
//! - then, [`RUNS`] times, each conary operation in a child process of its
//!   own (this program again, with `--phase`), into a fresh root in the
//!   system's temporary directory, fsync on:
//!   1. **install** the oldest version of every package into an empty
//!      root: `Planner::plan` with `--no-deps`-like options (the corpus
//!      lacks libc6 and the rest of a base system), ONE changeset for the
//!      planned jobs from the repository's `LocalSource` into a temporary
//!      file, `apply_changeset`;
//!   2. **update** every package to its newest version the same way (one
//!      relative changeset);
//!   3. **rollback** of that update (`rollback 1`);
//!
//!   and `dpkg --unpack` of the oldest set into an empty root, of the
//!   newest set over it, and (as the nearest thing dpkg has to a rollback)
//!   of the oldest set over that again, each timed around the command.
//!   Bytes fetched count everything that went through the trove source
//!   (the changeset and contents fetched one by one). Each child reports
//!   its peak memory (`VmHWM`). After each step the roots are compared
//!   (files, modes, contents, link targets): the rollback must give back
//!   the installed root exactly. Before each timed step the file system
//!   is synced (not timed), so no step writes back another's data.
//!
//! It prints each run, then the medians. For profiling, the conary
//! children can run under another command: `CONARY_BENCH_WRAP='perf record
//! -g -o /tmp/perf-{phase}.data'` (`{phase}` becomes e.g. `update-2`),
//! and `CONARY_BENCH_RUNS=1` makes one run instead of three.
//!
//! The repository keeps a cache of the changesets it makes. By default the
//! bench empties it before every conary step (**cold**: each changeset is
//! made, as on a first request); `CONARY_BENCH_CACHE=warm` keeps it, so
//! run 1 makes each changeset and the later runs are served from the cache
//! (a repeated request, many clients updating the same way).
//!
//! The setup prepares the repository's delta store after each commit, as
//! a server does in the background (see `setup`), so a cold request finds
//! its deltas made; `CONARY_BENCH_DELTAS=off` measures without them.
//!
//! `cargo test --all-targets` runs this binary without `--bench`: it then
//! takes only the package of the corpus with the smallest `.deb` files,
//! runs the three conary operations once, checks the roots and skips
//! dpkg, as a smoke test that keeps CI fast.

#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]

#[allow(dead_code)]
#[path = "../../../conary-build/tests/it/corpus.rs"]
mod corpus;
mod dpkg;
mod measure;
mod phase;
mod report;
mod setup;
mod tree;

use std::collections::BTreeMap;
use std::path::Path;

use conary_build::import::{ImportCandidate, order_for_import};
use conary_util::syncfs;

use crate::measure::BenchResult;
use crate::phase::{Outcome, Phase, Request};
use crate::setup::Imported;

/// The server name of the benchmark's repository.
const SERVER: &str = "bench.example.com";

/// The label packages are imported on.
const LABEL: &str = "bench.example.com@debian:bookworm";

/// How many times each operation runs; the report gives medians.
const RUNS: usize = 3;

/// The variable that changes [`RUNS`] (for profiling).
const RUNS_VARIABLE: &str = "CONARY_BENCH_RUNS";

/// The variable that chooses how the repository's changeset cache is
/// used: `cold` (the default) empties it before every conary step, so each
/// changeset is made, as on a first request; `warm` keeps it, so run 1
/// fills it and later runs are served from it.
const CACHE_VARIABLE: &str = "CONARY_BENCH_CACHE";

/// Whether the changeset cache is kept between runs ([`CACHE_VARIABLE`]).
fn warm_cache() -> BenchResult<bool> {
    match std::env::var(CACHE_VARIABLE).as_deref() {
        Err(_) | Ok("cold") => Ok(false),
        Ok("warm") => Ok(true),
        Ok(other) => Err(format!("{CACHE_VARIABLE}={other}: expected cold or warm").into()),
    }
}

/// Empties the repository's changeset cache unless it is to stay warm
/// (not timed).
fn prepare_cache(repository: &Path) -> BenchResult<()> {
    setup::reset_deltas(repository)?;
    if warm_cache()? {
        return Ok(());
    }
    let cache = repository.join(conary_repository::cache::CACHE_DIR);
    match std::fs::remove_dir_all(&cache) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(format!("cannot empty {}: {error}", cache.display()).into()),
    }
}

/// One run of every operation.
pub struct Run {
    /// The oldest set installed into an empty root.
    pub install: Outcome,
    /// Every package updated to its newest version.
    pub update: Outcome,
    /// The update rolled back.
    pub rollback: Outcome,
    /// dpkg: oldest into an empty root, newest over it, oldest again.
    pub dpkg: Option<[dpkg::Unpack; 3]>,
    /// The run's roots, removed only when every run is done (see
    /// [`run_once`]).
    pub dir: tempfile::TempDir,
}

/// Of `candidates`, those of the package with the smallest `.deb` files.
fn smallest_package(candidates: Vec<ImportCandidate>) -> BenchResult<Vec<ImportCandidate>> {
    let mut sizes: BTreeMap<&str, u64> = BTreeMap::new();
    for candidate in &candidates {
        *sizes.entry(&candidate.package).or_default() += std::fs::metadata(&candidate.path)?.len();
    }
    let smallest = sizes
        .iter()
        .min_by_key(|(_, size)| **size)
        .map(|(name, _)| (*name).to_owned())
        .ok_or("the corpus has no package")?;
    Ok(candidates
        .into_iter()
        .filter(|candidate| candidate.package == smallest)
        .collect())
}

/// The 1, 5 and 15 minute load averages (the machine is shared).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// One run in a fresh directory under `base`: conary's three operations,
/// then dpkg's (when `with_dpkg`), the roots compared after each.
///
/// The directory is returned with the run and removed only after the last
/// run: this machine's ext4 has no journal, and there the kernel's inode
/// allocator walks over every inode freed in the last minute (several
/// with dirty inode tables) before it takes one (`recently_deleted` in
/// `fs/ext4/ialloc.c`). Removing a run's 4,400 files just before the next
/// run made both tools' file creation scan them each time: half of the
/// install's samples, and installs of the same binary from 0.3 to 0.8 s.
fn run_once(
    number: usize,
    imported: &Imported,
    repository: &Path,
    base: &Path,
    with_dpkg: bool,
) -> BenchResult<Run> {
    let dir = tempfile::tempdir_in(base)?;
    let root = dir.path().join("conary");
    std::fs::create_dir(&root)?;
    let request = |phase, specs: Vec<String>| Request {
        phase,
        repository: repository.to_path_buf(),
        root: root.clone(),
        specs,
    };
    // Before each timed step the file system is synced, so that no step
    // pays for writing back what an earlier one left.
    prepare_cache(repository)?;
    syncfs(base)?;
    let install = phase::spawn(&request(Phase::Install, imported.oldest_specs()), number)?;
    let installed = tree::snapshot(&root)?;
    prepare_cache(repository)?;
    syncfs(base)?;
    let update = phase::spawn(&request(Phase::Update, imported.update_specs()), number)?;
    let updated = tree::snapshot(&root)?;
    prepare_cache(repository)?;
    syncfs(base)?;
    let rollback = phase::spawn(&request(Phase::Rollback, Vec::new()), number)?;
    let rolled_back = tree::snapshot(&root)?;
    let back = tree::differences(&installed, &rolled_back);
    if !back.is_empty() {
        return Err(format!(
            "the rollback does not restore the root: {}",
            tree::describe(&back)
        )
        .into());
    }
    if tree::differences(&installed, &updated).is_empty() {
        return Err("the update changed nothing".into());
    }
    println!(
        "run {number}: conary install {:.3} s, update {:.3} s, rollback {:.3} s \
         ({} files; rollback restores the root: identical)",
        install.wall,
        update.wall,
        rollback.wall,
        installed.len()
    );
    let dpkg = if with_dpkg {
        let dpkg_root = dir.path().join("dpkg");
        dpkg::prepare_root(&dpkg_root)?;
        syncfs(base)?;
        let first = dpkg::unpack(&dpkg_root, &imported.oldest_debs())?;
        let same_install = tree::differences(&installed, &tree::snapshot(&dpkg_root)?);
        syncfs(base)?;
        let second = dpkg::unpack(&dpkg_root, &imported.newest_debs())?;
        let same_update = tree::differences(&updated, &tree::snapshot(&dpkg_root)?);
        syncfs(base)?;
        let third = dpkg::unpack(&dpkg_root, &imported.oldest_debs())?;
        let same_back = tree::differences(&installed, &tree::snapshot(&dpkg_root)?);
        println!(
            "run {number}: dpkg unpack oldest {:.3} s, newest over it {:.3} s, \
             oldest again {:.3} s",
            first.wall, second.wall, third.wall
        );
        println!(
            "run {number}: conary's root against dpkg's: after install {}; after update {}; \
             after rollback / downgrade {}",
            tree::describe(&same_install),
            tree::describe(&same_update),
            tree::describe(&same_back)
        );
        Some([first, second, third])
    } else {
        None
    };
    Ok(Run {
        install,
        update,
        rollback,
        dpkg,
        dir,
    })
}

fn main() -> BenchResult<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|argument| argument == "--phase") {
        return phase::child(&args);
    }
    let benchmarking = args.iter().any(|argument| argument == "--bench");
    let directory = corpus::corpus_dir();
    let paths: Vec<_> = corpus::deb_files()
        .into_iter()
        .map(|name| directory.join(name))
        .collect();
    let mut candidates = order_for_import(&paths)?;
    if !benchmarking {
        candidates = smallest_package(candidates)?;
    }
    let base = tempfile::tempdir()?;
    let repository = base.path().join("repository");
    let imported = setup::import(&candidates, &repository)?;
    let names: Vec<&str> = imported
        .packages
        .iter()
        .map(|package| package.name.as_str())
        .collect();
    println!(
        "corpus {}: {} packages ({}); oldest .debs {}, newest .debs {}",
        directory.display(),
        imported.packages.len(),
        names.join(" "),
        report::mb(imported.oldest_bytes()),
        report::mb(imported.newest_bytes()),
    );
    println!(
        "setup (not timed): {} .deb files imported into {} in {:.2} s",
        imported.debs,
        repository.display(),
        imported.time.as_secs_f64()
    );
    println!(
        "changeset cache: {}",
        if warm_cache()? {
            "warm (kept between runs: run 1 makes each changeset, later runs are served from the cache)"
        } else {
            "cold (emptied before every conary step: every changeset is made)"
        }
    );
    println!("{}", setup::deltas_header(&imported, &repository)?);
    println!(
        "delta store check (not timed): {}",
        setup::check_identical(&imported, &repository)?
    );
    println!("load average before: {}", load_average());
    let runs = if benchmarking {
        match std::env::var(RUNS_VARIABLE) {
            Ok(text) => text
                .parse()
                .map_err(|_| format!("{RUNS_VARIABLE}={text}: expected a count"))?,
            Err(_) => RUNS,
        }
    } else {
        1
    };
    let mut results = Vec::with_capacity(runs);
    for number in 1..=runs {
        results.push(run_once(
            number,
            &imported,
            &repository,
            base.path(),
            benchmarking,
        )?);
    }
    println!("load average after: {}", load_average());
    report::table(&imported, &results);
    report::phases(&results);
    if benchmarking {
        println!("\ndpkg command: {}", dpkg::command_line("R", "FILES"));
    }
    Ok(())
}
