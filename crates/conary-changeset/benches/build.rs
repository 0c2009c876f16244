//! Building, writing and reading relative changesets: time and size.
//!
//! `cargo bench -p conary-changeset` builds a relative changeset between two
//! versions of a generated tree (in memory), then, when the Debian corpus is
//! found (see `tests/it/corpus.rs`), between the oldest and newest version
//! of each corpus package, and prints one line for each: the time to build
//! (which compresses changed files twice to choose full or delta), write and
//! read, and the size of the changeset against the new contents and the
//! newer `.deb`. Plain `std::time::Instant` timing of one run each.
//!
//! `cargo test --all-targets` also runs this binary, without `--bench`: it
//! then builds one tiny tree, as a smoke test that keeps CI fast.

#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]

#[allow(dead_code)]
#[path = "../tests/it/corpus.rs"]
mod corpus;
#[allow(dead_code)]
#[path = "../tests/it/tree.rs"]
mod tree;

use std::collections::BTreeMap;
use std::io;
use std::time::{Duration, Instant};

use conary_changeset::{
    BuildOptions, ChangeSetBuilder, ChangeSetReader, ContentSource, MemContents, write_changeset,
};
use conary_core::digest::{FileId, PathId};
use conary_core::files::{FileKind, FileStream, Mode};
use conary_core::trove::Trove;
use conary_core::version::Version;

fn version(revision: &str, seconds: u64) -> Version {
    Version::thaw(&format!(
        "/conary.example.com@plat:1/{}.000:{revision}",
        1_700_000_000 + seconds
    ))
    .expect("version")
}

/// Deterministic pseudo-random numbers (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound.max(1)
    }
}

/// Text-like or binary-like contents of about `size` bytes.
fn contents(rng: &mut Rng, size: usize) -> Vec<u8> {
    const WORDS: &[&str] = &[
        "trove",
        "label",
        "branch",
        "shadow",
        "flavor",
        "changeset",
        "config",
        "update",
        "the",
        "of",
        "and",
        "files",
        "version",
        "\n",
    ];
    let mut out = Vec::with_capacity(size + 16);
    if rng.below(2) == 0 {
        while out.len() < size {
            let word = WORDS[rng.below(WORDS.len() as u64) as usize];
            out.extend_from_slice(word.as_bytes());
            out.push(b' ');
        }
    } else {
        while out.len() < size {
            // Machine code: runs of similar instructions with varying operands.
            out.extend_from_slice(&[0x48, 0x8b, 0x45, rng.below(256) as u8, 0xe8]);
            out.extend_from_slice(&(rng.below(1 << 20) as u32).to_le_bytes());
        }
    }
    out.truncate(size);
    out
}

/// A changed copy: a few bytes patched, a block inserted, relocations shifted.
fn mutate(rng: &mut Rng, old: &[u8]) -> Vec<u8> {
    let mut new = old.to_vec();
    for _ in 0..1 + rng.below(8) {
        if !new.is_empty() {
            let at = rng.below(new.len() as u64) as usize;
            new[at] = rng.next() as u8;
        }
    }
    let at = rng.below(new.len() as u64 + 1) as usize;
    let len = 1 + rng.below(200) as usize;
    let inserted = contents(rng, len);
    new.splice(at..at, inserted);
    new
}

struct Tree {
    trove: Trove,
    streams: BTreeMap<FileId, FileStream>,
    contents: MemContents,
    bytes: u64,
}

impl Tree {
    fn new(name: &str, version: &Version) -> Tree {
        Tree {
            trove: Trove::new(
                name.parse().expect("name"),
                version.clone(),
                Default::default(),
            ),
            streams: BTreeMap::new(),
            contents: MemContents::new(),
            bytes: 0,
        }
    }

    fn add(&mut self, path: &str, data: Vec<u8>) {
        let size = data.len() as u64;
        self.bytes += size;
        let digest = self.contents.insert(data);
        let kind = FileKind::Regular {
            size,
            digest,
            link_group: None,
        };
        let stream = FileStream::new(kind, Mode::new(0o644).expect("mode"), "root", "root");
        let file_id = stream.file_id();
        self.streams.insert(file_id, stream);
        let version = self.trove.version.clone();
        self.trove
            .add_file(PathId::derive(path.as_bytes()), path, file_id, version);
    }
}

/// Two versions of a generated tree: `files` files of about `size` bytes;
/// a third of them changed, a few added and removed.
fn generated(files: usize, size: usize) -> (Tree, Tree) {
    let mut rng = Rng(0x5eed_cafe);
    let mut old = Tree::new("generated:runtime", &version("1-1-1", 1));
    let mut new = Tree::new("generated:runtime", &version("1-2-1", 2));
    for index in 0..files {
        let path = format!("/usr/share/generated/{:02}/file{index}", index % 37);
        let len = size / 2 + rng.below(size as u64) as usize;
        let data = contents(&mut rng, len);
        match rng.below(30) {
            0 => old.add(&path, data),
            1 => new.add(&path, data),
            2..=10 => {
                let changed = mutate(&mut rng, &data);
                old.add(&path, data);
                new.add(&path, changed);
            }
            _ => {
                old.add(&path, data.clone());
                new.add(&path, data);
            }
        }
    }
    (old, new)
}

fn seconds(elapsed: Duration) -> String {
    format!("{:>6.2} s", elapsed.as_secs_f64())
}

/// Builds, writes and reads the relative changeset from `old` to `new` and
/// prints one line; returns the changeset's size.
#[allow(clippy::too_many_arguments)]
fn measure(
    label: &str,
    old: &Trove,
    new: &Trove,
    streams: &BTreeMap<FileId, FileStream>,
    old_contents: &dyn ContentSource,
    new_contents: &dyn ContentSource,
    new_bytes: u64,
    deb: Option<u64>,
) -> io::Result<u64> {
    let start = Instant::now();
    let mut builder = ChangeSetBuilder::with_options(BuildOptions::default());
    builder
        .add_relative(old, new.clone(), streams)
        .map_err(io::Error::other)?;
    let changeset = builder
        .build(old_contents, new_contents)
        .map_err(io::Error::other)?;
    let build = start.elapsed();

    let start = Instant::now();
    let bytes = write_changeset(Vec::new(), &changeset, &(new_contents, old_contents))
        .map_err(io::Error::other)?;
    let write = start.elapsed();

    let start = Instant::now();
    let mut reader = ChangeSetReader::new(&bytes[..]).map_err(io::Error::other)?;
    while let Some(mut payload) = reader
        .next_payload(old_contents)
        .map_err(io::Error::other)?
    {
        io::copy(&mut payload, &mut io::sink())?;
    }
    reader.finish().map_err(io::Error::other)?;
    let read = start.elapsed();

    let deltas = changeset
        .contents
        .values()
        .filter(|contents| matches!(contents.kind, conary_changeset::ContentKind::Delta { .. }))
        .count();
    let deb = deb.map_or(String::new(), |deb| {
        format!(
            "  .deb {deb:>9} B ({:>5.1} %)",
            bytes.len() as f64 * 100.0 / deb as f64
        )
    });
    println!(
        "{label:<34} build {} write {} read {}  new {new_bytes:>10} B  changeset {:>9} B  {deltas:>4} deltas{deb}",
        seconds(build),
        seconds(write),
        seconds(read),
        bytes.len(),
    );
    Ok(bytes.len() as u64)
}

const CORPUS_PAIRS: &[(&str, &str, &str)] = &[
    (
        "ca-certificates",
        "ca-certificates_20230311+deb12u1_all.deb",
        "ca-certificates_20250419~deb12u2_all.deb",
    ),
    (
        "curl",
        "curl_7.88.1-10+deb12u5_amd64.deb",
        "curl_7.88.1-10+deb12u15_amd64.deb",
    ),
    (
        "libcurl4",
        "libcurl4_7.88.1-10+deb12u5_amd64.deb",
        "libcurl4_7.88.1-10+deb12u15_amd64.deb",
    ),
    (
        "libexpat1",
        "libexpat1_2.5.0-1+deb12u2_amd64.deb",
        "libexpat1_2.5.0-1+deb12u5_amd64.deb",
    ),
    (
        "libssl3",
        "libssl3_3.0.17-1~deb12u2_amd64.deb",
        "libssl3_3.0.22-1~deb12u2_amd64.deb",
    ),
    (
        "nginx-common",
        "nginx-common_1.22.1-9+deb12u9_all.deb",
        "nginx-common_1.22.1-9+deb12u11_all.deb",
    ),
    (
        "nginx-core",
        "nginx-core_1.22.1-9+deb12u9_all.deb",
        "nginx-core_1.22.1-9+deb12u11_all.deb",
    ),
    (
        "openssl",
        "openssl_3.0.17-1~deb12u2_amd64.deb",
        "openssl_3.0.22-1~deb12u2_amd64.deb",
    ),
    (
        "redis-server",
        "redis-server_5%3a7.0.15-1~deb12u7_amd64.deb",
        "redis-server_5%3a7.0.15-1~deb12u10_amd64.deb",
    ),
    (
        "redis-tools",
        "redis-tools_5%3a7.0.15-1~deb12u7_amd64.deb",
        "redis-tools_5%3a7.0.15-1~deb12u10_amd64.deb",
    ),
    (
        "rsyslog",
        "rsyslog_8.2302.0-1+deb12u1_amd64.deb",
        "rsyslog_8.2302.0-1+deb12u2_amd64.deb",
    ),
    (
        "sudo",
        "sudo_1.9.13p3-1+deb12u2_amd64.deb",
        "sudo_1.9.13p3-1+deb12u4_amd64.deb",
    ),
    (
        "tzdata",
        "tzdata_2025b-0+deb12u1_all.deb",
        "tzdata_2026f-0+deb12u1_all.deb",
    ),
    (
        "xz-utils",
        "xz-utils_5.4.1-1+deb12u1_amd64.deb",
        "xz-utils_5.4.1-1+deb12u2_amd64.deb",
    ),
];

fn corpus() -> io::Result<()> {
    let Some(dir) = corpus::find_corpus() else {
        println!("Debian corpus not found: skipping the corpus pairs");
        return Ok(());
    };
    let (mut total, mut total_deb) = (0u64, 0u64);
    for (name, old_deb, new_deb) in CORPUS_PAIRS {
        let old_dir = tempfile::tempdir()?;
        let new_dir = tempfile::tempdir()?;
        corpus::extract(old_deb, old_dir.path());
        corpus::extract(new_deb, new_dir.path());
        let trove_name = format!("{name}:runtime");
        let old = tree::scan(old_dir.path(), &trove_name, &version("1-1-1", 1))?;
        let new = tree::scan(new_dir.path(), &trove_name, &version("1-2-1", 2))?;
        let mut streams = old.streams.clone();
        streams.extend(new.streams.clone());
        let deb = std::fs::metadata(dir.join(new_deb))?.len();
        total_deb += deb;
        total += measure(
            name,
            &old.trove,
            &new.trove,
            &streams,
            &old.contents,
            &new.contents,
            new.bytes,
            Some(deb),
        )?;
    }
    println!(
        "{:<34} changesets {total} B, newer .debs {total_deb} B ({:.1} %)",
        "corpus, oldest to newest",
        total as f64 * 100.0 / total_deb as f64
    );
    Ok(())
}

fn main() -> io::Result<()> {
    let benchmarking = std::env::args().any(|argument| argument == "--bench");
    let (files, size) = if benchmarking {
        (3000, 32 << 10)
    } else {
        (30, 2 << 10)
    };
    let (old, new) = generated(files, size);
    let mut streams = old.streams.clone();
    streams.extend(new.streams.clone());
    let label = format!("generated ({files} files of ~{} KiB)", size >> 10);
    measure(
        &label,
        &old.trove,
        &new.trove,
        &streams,
        &old.contents,
        &new.contents,
        new.bytes,
        None,
    )?;
    if benchmarking {
        corpus()?;
    }
    Ok(())
}
