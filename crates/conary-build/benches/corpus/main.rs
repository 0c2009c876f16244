//! The Debian corpus through a repository: import rate, the repository's
//! disk size, and the size of one relative changeset.
//!
//! `cargo bench -p conary-build --bench corpus` (release) does what the
//! server does with every `.deb` of `shared/corpus/debian` (found as
//! `tests/it/corpus.rs` finds it), oldest versions first
//! (`order_for_import`): `import_deb` into memory, the absolute changeset
//! written to a `.ccs` in memory, and `Repository::commit` reading it
//! through a `ChangeSetReader` into a fresh repository. It prints:
//!
//! 1. the import, one package after the other: wall and CPU time, MB/s
//!    against the `.deb` bytes and against the uncompressed contents, and
//!    the time of each phase (read and decompress, hash, build troves,
//!    write the changeset, commit), the commit split by replaying its parts
//!    afterwards (decode each payload, put it into a batch of a scratch
//!    blob store, synced once per changeset);
//!    the same with the repository on tmpfs (`/dev/shm`, when there is
//!    one), where syncing costs nothing, so the difference is what waiting
//!    for the disk costs; and for reference the `.deb` reader alone,
//!    liblzma alone on the `data.tar.xz` members, and BLAKE3;
//! 2. the import with one thread per core importing and writing
//!    changesets while the main thread commits them in order;
//! 3. the disk size of the repository (contents store and database apart)
//!    against the `.deb` bytes and the uncompressed contents;
//! 4. one relative changeset taking every package from its oldest to its
//!    newest version (`Repository::plan_changeset` with recursion, then
//!    `Repository::write_changeset`: what `Repository::changeset` does):
//!    its bytes against the newest `.deb` files, its index, how its
//!    contents travel, and the time to make it and read it back.
//!
//! Plain `std::time::Instant` timing of one run each. CPU time is read from
//! `/proc/self/stat` (the whole process, in ticks of 10 ms). The disk
//! repository lives in the system's temporary directory.
//!
//! `cargo test --all-targets` also runs this binary, without `--bench`: it
//! then imports only the package of the corpus with the smallest `.deb`
//! files, as a smoke test that keeps CI fast.

#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]

#[allow(dead_code)]
#[path = "../../tests/it/corpus.rs"]
mod corpus;
mod import;
mod measure;
mod relative;
mod report;

use std::collections::BTreeMap;
use std::path::Path;

use conary_build::import::{ImportCandidate, order_for_import};
use conary_core::version::Label;
use conary_repository::Repository;
use conary_repository::repo::{CONTENTS_DIR, DATABASE_FILE};

use crate::measure::{BenchResult, decompress_only, disk_usage, xz_only};
use crate::report::{Corpus, mb};

/// The server name of the benchmark's repositories.
const SERVER: &str = "bench.example.com";

/// The label packages are imported on.
const LABEL: &str = "bench.example.com@debian:bookworm";

/// Where a repository in memory can live.
const TMPFS: &str = "/dev/shm";

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

fn file_size(path: &Path) -> BenchResult<u64> {
    Ok(std::fs::metadata(path)?.len())
}

fn main() -> BenchResult<()> {
    let benchmarking = std::env::args().any(|argument| argument == "--bench");
    let directory = corpus::corpus_dir();
    let paths: Vec<_> = corpus::deb_files()
        .into_iter()
        .map(|name| directory.join(name))
        .collect();
    let mut candidates = order_for_import(&paths)?;
    if !benchmarking {
        candidates = smallest_package(candidates)?;
    }
    let label: Label = LABEL.parse()?;
    // Imported oldest first, so the last of each package is its newest.
    let mut newest: BTreeMap<&str, &ImportCandidate> = BTreeMap::new();
    let mut debs = 0;
    for candidate in &candidates {
        debs += file_size(&candidate.path)?;
        newest.insert(&candidate.package, candidate);
    }
    let packages: Vec<&str> = newest.keys().copied().collect();
    let mut newest_bytes = 0;
    for candidate in newest.values() {
        newest_bytes += file_size(&candidate.path)?;
    }
    let (reader_alone, contents) = decompress_only(&candidates)?;
    let (xz_alone, tar) = xz_only(&candidates)?;
    let corpus = Corpus {
        debs,
        newest: newest_bytes,
        contents,
        tar,
    };
    println!(
        "corpus {}: {} .deb files of {} packages, {} (newest versions {})",
        directory.display(),
        candidates.len(),
        packages.len(),
        mb(corpus.debs),
        mb(corpus.newest)
    );

    let on_disk = tempfile::tempdir()?;
    let in_memory = Path::new(TMPFS)
        .is_dir()
        .then(|| tempfile::tempdir_in(TMPFS))
        .transpose()?;
    let repository_dir = on_disk.path().join("repository");
    if benchmarking {
        println!("per package, repository on disk:");
    }
    let (disk, identity) = import::sequential(
        &candidates,
        &repository_dir,
        &on_disk.path().join("scratch"),
        &label,
        benchmarking,
    )?;
    let mut runs = vec![("disk", &disk)];
    let memory = match &in_memory {
        Some(dir) => Some(
            import::sequential(
                &candidates,
                &dir.path().join("repository"),
                &dir.path().join("scratch"),
                &label,
                false,
            )?
            .0,
        ),
        None => None,
    };
    if let Some(memory) = &memory {
        runs.push(("tmpfs", memory));
    }
    report::sequential(&corpus, &runs, (reader_alone, xz_alone));

    let mut parallel_runs = Vec::new();
    let (times, workers) = import::parallel(&candidates, &on_disk.path().join("parallel"), &label)?;
    parallel_runs.push(("disk", times));
    if let Some(dir) = &in_memory {
        let (times, _) = import::parallel(&candidates, &dir.path().join("parallel"), &label)?;
        parallel_runs.push(("tmpfs", times));
    }
    report::parallel(&corpus, workers, &parallel_runs);

    report::disk(
        &corpus,
        &disk,
        disk_usage(&repository_dir)?,
        disk_usage(&repository_dir.join(CONTENTS_DIR))?,
        disk_usage(&repository_dir.join(DATABASE_FILE))?,
    );

    let repository = Repository::open(&repository_dir)?;
    let relative = relative::oldest_to_newest(&repository, &identity, &label, &packages)?;
    report::relative(&corpus, packages.len(), &relative);
    Ok(())
}
