//! Packaging policy on a generated destdir: `apply_policy`, `to_troves`
//! and writing the changeset to a file, per 1,000 files.
//!
//! `cargo bench -p conary-build --bench policy` (release) generates a
//! destdir of 5,000 files in the system's temporary directory: regular
//! files of mixed sizes (64 B to 16 KiB, one in 97 of 256 KiB; half text,
//! half random bytes; about 37 MB in all) in 100 directories, one in ten
//! an executable `#!` script, plus symlinks and empty directories. Then,
//! five times, it runs `apply_policy` with a few directives,
//! `Packaged::to_troves` and `BuiltTroves::write_changeset` into a
//! temporary `.ccs` file (synced), and prints the median and the range of
//! each phase, in seconds per 1,000 files.
//!
//! Plain `std::time::Instant` timing. The first run is not thrown away:
//! the files are in the page cache from their creation already.
//!
//! `cargo test --all-targets` also runs this binary, without `--bench`: it
//! then packages 200 files once, as a smoke test.

#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use std::fs;
use std::io::BufWriter;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;
use std::time::{Duration, Instant};

use conary_build::policy::{PolicyInput, apply_policy};
use conary_build::recipe::model::{Located, Location, PolicyDirective};
use conary_core::troveinfo::TroveInfo;
use conary_core::version::Version;

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

const SIZES: [usize; 8] = [
    64,
    512,
    1 << 10,
    2 << 10,
    4 << 10,
    8 << 10,
    16 << 10,
    256 << 10,
];
const WORDS: [&str; 8] = [
    "hello",
    "conary",
    "trove",
    "policy",
    "component",
    "flavor",
    "label",
    "changeset",
];

/// Writes `count` files (and some symlinks and empty directories) below
/// `destdir`.
fn generate(destdir: &Path, count: usize) -> BenchResult<u64> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let tops = [
        "usr/bin",
        "usr/lib64/hello",
        "usr/share/hello",
        "usr/share/doc/hello",
        "etc/hello",
    ];
    let mut bytes = 0u64;
    for index in 0..count {
        let top = tops[index % tops.len()];
        let dir = destdir.join(format!("{top}/d{:02}", index % 20));
        fs::create_dir_all(&dir)?;
        let path = dir.join(format!("f{index:05}"));
        // 64 B to 16 KiB evenly over the sizes; one file in 97 of 256 KiB.
        let size = if index.is_multiple_of(97) {
            SIZES[7]
        } else {
            SIZES[(rng.next() % 7) as usize]
        };
        let mut data = Vec::with_capacity(size + 32);
        if index.is_multiple_of(10) {
            data.extend_from_slice(b"#!/bin/sh\n");
        }
        if index.is_multiple_of(2) {
            while data.len() < size {
                data.extend_from_slice(WORDS[(rng.next() % 8) as usize].as_bytes());
                data.push(if rng.next().is_multiple_of(12) {
                    b'\n'
                } else {
                    b' '
                });
            }
            data.truncate(size);
            data.push(b'\n');
        } else {
            while data.len() < size {
                data.extend_from_slice(&rng.next().to_le_bytes());
            }
            data.truncate(size);
        }
        data.extend_from_slice(format!("{index}\n").as_bytes());
        bytes += data.len() as u64;
        fs::write(&path, &data)?;
        let mode = if index.is_multiple_of(10) {
            0o755
        } else {
            0o644
        };
        fs::set_permissions(&path, fs::Permissions::from_mode(mode))?;
        if index.is_multiple_of(50) {
            symlink(format!("f{index:05}"), dir.join(format!("l{index:05}")))?;
            fs::create_dir_all(destdir.join(format!("var/lib/hello/empty{index:05}")))?;
        }
    }
    Ok(bytes)
}

fn directives() -> Vec<Located<PolicyDirective>> {
    let at = |line| Location {
        file: "hello.recipe".to_owned(),
        line,
        column: 5,
    };
    let list = |patterns: &[&str]| patterns.iter().map(|p| (*p).to_owned()).collect();
    vec![
        Located {
            at: at(10),
            item: PolicyDirective::ComponentSpec {
                component: "extra".to_owned(),
                patterns: list(&["/usr/share/hello/d0[0-4]/"]),
            },
        },
        Located {
            at: at(11),
            item: PolicyDirective::Ownership {
                user: "hello".to_owned(),
                group: "hello".to_owned(),
                patterns: list(&["/var/lib/hello/"]),
            },
        },
        Located {
            at: at(12),
            item: PolicyDirective::TagSpec {
                tag: "hello-data".to_owned(),
                patterns: list(&["/usr/share/hello/.*7$"]),
            },
        },
        Located {
            at: at(13),
            item: PolicyDirective::InitialContents {
                patterns: list(&["/etc/hello/d1"]),
            },
        },
    ]
}

struct Timing {
    policy: Duration,
    troves: Duration,
    changeset: Duration,
    commit: Duration,
}

fn run_once(
    destdir: &Path,
    out: &Path,
    directives: &[Located<PolicyDirective>],
) -> BenchResult<(Timing, u64, usize)> {
    let version = Version::thaw("/bench.example.com@test:1/1700000000.000:1.0-1-1")?;
    let start = Instant::now();
    let packaged = apply_policy(&PolicyInput {
        name: "hello",
        destdir,
        directives,
        mtime: 1_700_000_000,
    })?;
    let policy = start.elapsed();
    let start = Instant::now();
    let built = packaged.to_troves("hello", &version, &packaged.flavor, &TroveInfo::default())?;
    let troves = start.elapsed();
    let start = Instant::now();
    let file = BufWriter::new(fs::File::create(out)?);
    let file = built.write_changeset(file)?;
    file.into_inner()
        .map_err(|error| error.into_error())?
        .sync_all()?;
    let changeset = start.elapsed();

    // Commit into a new repository on the same disk (blobs stored, SQLite
    // transaction, syncs), as `cvc cook NAME=LABEL` does through the server.
    let start = Instant::now();
    let repository_dir = out.with_extension("repo");
    if repository_dir.exists() {
        fs::remove_dir_all(&repository_dir)?;
    }
    let repository = conary_repository::Repository::init(&repository_dir, "bench.example.com")?;
    repository.add_user("root", "secret", true)?;
    let root = repository.authenticate(&conary_repository::Credentials::Basic {
        user: "root".into(),
        password: "secret".into(),
    })?;
    let reader =
        conary_changeset::ChangeSetReader::new(std::io::BufReader::new(fs::File::open(out)?))?;
    repository.commit(reader, &root)?;
    let commit = start.elapsed();
    Ok((
        Timing {
            policy,
            troves,
            changeset,
            commit,
        },
        fs::metadata(out)?.len(),
        packaged.files.len(),
    ))
}

/// Median, minimum and maximum of `values`, in seconds per 1,000 files.
fn summary(mut values: Vec<f64>) -> String {
    values.sort_by(f64::total_cmp);
    let median = values[values.len() / 2];
    format!(
        "{median:.3} s (min {:.3}, max {:.3})",
        values[0],
        values[values.len() - 1]
    )
}

fn main() -> BenchResult<()> {
    let benchmarking = std::env::args().any(|argument| argument == "--bench");
    let (count, runs) = if benchmarking { (5_000, 5) } else { (200, 1) };
    let work = tempfile::tempdir()?;
    let destdir = work.path().join("destdir");
    let bytes = generate(&destdir, count)?;
    let out = work.path().join("hello.ccs");
    let directives = directives();
    let mut policy = Vec::new();
    let mut troves = Vec::new();
    let mut changeset = Vec::new();
    let mut commit = Vec::new();
    let mut total = Vec::new();
    let per_thousand = |duration: Duration| duration.as_secs_f64() * 1000.0 / count as f64;
    let mut last = (0, 0);
    for _ in 0..runs {
        let (timing, size, files) = run_once(&destdir, &out, &directives)?;
        policy.push(per_thousand(timing.policy));
        troves.push(per_thousand(timing.troves));
        changeset.push(per_thousand(timing.changeset));
        commit.push(per_thousand(timing.commit));
        total.push(per_thousand(
            timing.policy + timing.troves + timing.changeset + timing.commit,
        ));
        last = (size, files);
    }
    println!(
        "destdir: {count} regular files, {:.1} MB, {} packaged entries; changeset {:.1} MB; {runs} runs",
        bytes as f64 / 1e6,
        last.1,
        last.0 as f64 / 1e6
    );
    println!("per 1,000 files (median, range):");
    println!("  apply_policy      {}", summary(policy));
    println!("  to_troves         {}", summary(troves));
    println!("  write changeset   {}", summary(changeset));
    println!("  commit            {}", summary(commit));
    println!("  total             {}", summary(total));
    Ok(())
}
