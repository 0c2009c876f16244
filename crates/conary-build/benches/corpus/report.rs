//! The printed tables.

use std::time::Duration;

use conary_build::import::ImportCandidate;

use crate::import::{Import, Prepared};
use crate::measure::{Times, Usage};
use crate::relative::Relative;

const MB: f64 = 1_000_000.0;

/// The corpus as imported: bytes of each kind.
pub struct Corpus {
    /// The `.deb` files.
    pub debs: u64,
    /// The newest `.deb` of each package.
    pub newest: u64,
    /// The regular files, uncompressed.
    pub contents: u64,
    /// The `data.tar` members, uncompressed.
    pub tar: u64,
}

fn secs(duration: Duration) -> f64 {
    duration.as_secs_f64()
}

fn rate(bytes: u64, duration: Duration) -> f64 {
    bytes as f64 / MB / secs(duration).max(1e-9)
}

pub fn mb(bytes: u64) -> String {
    format!("{:.2} MB", bytes as f64 / MB)
}

fn row(name: &str, cells: impl IntoIterator<Item = String>) {
    let cells: Vec<String> = cells
        .into_iter()
        .map(|cell| format!("{cell:>18}"))
        .collect();
    println!("   {name:<48}{}", cells.concat());
}

/// One package of the sequential import.
pub fn package_line(
    candidate: &ImportCandidate,
    prepared: &Prepared,
    commit: Duration,
    new: usize,
) {
    let (import, write) = prepared.times();
    println!(
        "   {:<44} {:>5.0} ms import {:>4.0} ms write {:>5.0} ms commit ({new} new contents)",
        format!("{}={}", candidate.package, candidate.version),
        secs(import) * 1e3,
        secs(write) * 1e3,
        secs(commit) * 1e3,
    );
}

/// Wall, CPU and rates of runs side by side.
fn times_rows(corpus: &Corpus, runs: &[Times]) {
    row(
        "wall",
        runs.iter().map(|t| format!("{:.2} s", secs(t.wall))),
    );
    row(
        "CPU, user + system",
        runs.iter()
            .map(|t| format!("{:.2}+{:.2} s", secs(t.user), secs(t.system))),
    );
    row(
        "MB/s of .deb (wall)",
        runs.iter()
            .map(|t| format!("{:.1}", rate(corpus.debs, t.wall))),
    );
    row(
        "MB/s of contents (wall)",
        runs.iter()
            .map(|t| format!("{:.1}", rate(corpus.contents, t.wall))),
    );
    row(
        "MB/s of contents per CPU second",
        runs.iter()
            .map(|t| format!("{:.1}", rate(corpus.contents, t.cpu()))),
    );
}

/// A phase of the import: its name and how to read its time.
type Phase = (&'static str, fn(&Import) -> Duration);

/// Section 1: the sequential imports, one column each.
pub fn sequential(corpus: &Corpus, runs: &[(&str, &Import)], references: (Duration, Duration)) {
    println!();
    println!("1. import, one package after the other (import_deb -> .ccs -> Repository::commit)");
    row(
        "repository in",
        runs.iter().map(|(place, _)| (*place).to_owned()),
    );
    let times: Vec<Times> = runs.iter().map(|(_, import)| import.times).collect();
    times_rows(corpus, &times);
    let phases: [Phase; 8] = [
        ("read + decompress .deb (tar, BLAKE3 in import)", |i| i.read),
        ("hash + keep contents (BLAKE3, memory)", |i| i.hash),
        ("build troves (control, streams, troves)", |i| {
            i.import.saturating_sub(i.read + i.hash)
        }),
        ("write changeset (zstd -3)", |i| i.write),
        ("commit", |i| i.commit),
        ("  decode payloads (zstd, BLAKE3), replayed", |i| i.decode),
        ("  store contents (batch + sync), replayed", |i| i.put),
        ("  checks + SQLite (the rest)", |i| {
            i.commit.saturating_sub(i.decode + i.put)
        }),
    ];
    for (name, phase) in phases {
        row(
            name,
            runs.iter().map(|(_, import)| {
                let time = phase(import);
                let share = 100.0 * secs(time) / secs(import.times.wall).max(1e-9);
                format!("{:.3} s {share:>3.0}%", secs(time))
            }),
        );
    }
    if let Some((_, import)) = runs.first() {
        let distinct: u64 = import.contents.values().sum();
        println!(
            "   contents {} ({} distinct, {}), data.tar {}; .ccs written {}, carrying {} contents",
            mb(corpus.contents),
            import.contents.len(),
            mb(distinct),
            mb(corpus.tar),
            mb(import.ccs_bytes),
            import.payloads,
        );
        let (reader, xz) = references;
        println!(
            "   alone: .deb reader {:.3} s ({:.1} MB/s of contents), liblzma {:.3} s ({:.1} MB/s of tar), BLAKE3 {:.0} MB/s",
            secs(reader),
            rate(corpus.contents, reader),
            secs(xz),
            rate(corpus.tar, xz),
            rate(corpus.contents, import.hash)
        );
    }
}

/// Section 2: the parallel imports.
pub fn parallel(corpus: &Corpus, workers: usize, runs: &[(&str, Times)]) {
    println!();
    println!("2. import, {workers} threads import_deb -> .ccs, the main thread commits in order");
    row(
        "repository in",
        runs.iter().map(|(place, _)| (*place).to_owned()),
    );
    let times: Vec<Times> = runs.iter().map(|(_, times)| *times).collect();
    times_rows(corpus, &times);
}

/// Section 3: the repository's size.
pub fn disk(corpus: &Corpus, import: &Import, whole: Usage, contents: Usage, database: Usage) {
    println!();
    println!("3. repository on disk after importing every version (du)");
    println!(
        "   total {} = {:.2}x the .debs, {:.2}x the uncompressed contents",
        mb(whole.total()),
        whole.total() as f64 / corpus.debs.max(1) as f64,
        whole.total() as f64 / corpus.contents.max(1) as f64
    );
    println!(
        "   contents store {}: {} files of {} ({} allocated), directories {}",
        mb(contents.total()),
        contents.files,
        mb(contents.apparent),
        mb(contents.allocated),
        mb(contents.directories)
    );
    println!(
        "   database {} (after the last connection closed)",
        mb(database.total())
    );
    let compressed: u64 = import.compressed.values().sum();
    println!(
        "   the distinct contents compressed as in a .ccs (zstd -3) would take {} = {:.2}x the .debs",
        mb(compressed),
        compressed as f64 / corpus.debs.max(1) as f64
    );
}

/// Section 4: the relative changeset.
pub fn relative(corpus: &Corpus, packages: usize, relative: &Relative) {
    let summary = &relative.summary;
    let files = summary.troves.iter().flat_map(|trove| &trove.files);
    let changed = files.clone().filter(|file| file.changed).count();
    let unchanged = files.filter(|file| !file.changed).count();
    let of_newest = |bytes: u64| bytes as f64 / corpus.newest.max(1) as f64;
    println!();
    println!(
        "4. relative changeset, {packages} packages oldest -> newest, recursing ({} troves)",
        summary.troves.len()
    );
    println!(
        "   {} bytes = {:.3}x the newest .debs ({}); {changed} files changed, {unchanged} unchanged",
        relative.bytes,
        of_newest(relative.bytes),
        mb(corpus.newest)
    );
    println!(
        "   index     {:>11} bytes in the changeset (zstd), {} decoded, {} of them capsules",
        relative.index_stored, relative.index, relative.capsules
    );
    for (kind, total) in &summary.totals {
        println!(
            "   {kind:<9} {:>5} contents, {:>11} bytes, {:>9} bytes in the changeset",
            total.count,
            total.size,
            total.stored.unwrap_or(0)
        );
    }
    println!(
        "   plan {:.3} s (compresses each changed file twice) + write {:.3} s = {:.3} s; read back, deltas applied, {:.3} s",
        secs(relative.plan),
        secs(relative.write),
        secs(relative.plan + relative.write),
        secs(relative.read)
    );
}
