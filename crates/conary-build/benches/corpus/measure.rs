//! Clocks, and the reference measurements: the `.deb` reader alone,
//! liblzma alone, and the disk usage of a directory.

use std::fs::File;
use std::io::{self, BufReader};
use std::os::unix::fs::MetadataExt as _;
use std::path::Path;
use std::time::{Duration, Instant};

use conary_build::deb::{DebError, DebReader};
use conary_build::import::ImportCandidate;

/// What the benchmark's steps return.
pub type BenchResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// CPU time of the whole process so far: (user, system).
fn cpu_time() -> (Duration, Duration) {
    let ticks = || -> Option<(u64, u64)> {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        // Fields after the command name, which ends at the last ')':
        // state is field 3, utime field 14, stime field 15.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        Some((fields.get(11)?.parse().ok()?, fields.get(12)?.parse().ok()?))
    };
    // Linux reports these in USER_HZ, 100 per second on every platform.
    let (user, system) = ticks().unwrap_or((0, 0));
    (
        Duration::from_millis(user.saturating_mul(10)),
        Duration::from_millis(system.saturating_mul(10)),
    )
}

/// Wall and CPU time of a stretch of work.
#[derive(Clone, Copy, Debug, Default)]
pub struct Times {
    pub wall: Duration,
    pub user: Duration,
    pub system: Duration,
}

impl Times {
    /// User and system time together.
    pub fn cpu(&self) -> Duration {
        self.user + self.system
    }
}

/// Measures [`Times`] from its start.
pub struct Clock {
    wall: Instant,
    cpu: (Duration, Duration),
}

impl Clock {
    pub fn start() -> Clock {
        Clock {
            wall: Instant::now(),
            cpu: cpu_time(),
        }
    }

    pub fn stop(&self) -> Times {
        let (user, system) = cpu_time();
        Times {
            wall: self.wall.elapsed(),
            user: user.saturating_sub(self.cpu.0),
            system: system.saturating_sub(self.cpu.1),
        }
    }
}

/// The `.deb` reader alone over every package, contents read and
/// discarded: (time, bytes of the regular files).
pub fn decompress_only(candidates: &[ImportCandidate]) -> BenchResult<(Duration, u64)> {
    let start = Instant::now();
    let mut contents = 0;
    for candidate in candidates {
        let reader = DebReader::new(BufReader::new(File::open(&candidate.path)?))?;
        let summary = reader.for_each_entry(|entry, data| {
            io::copy(data, &mut io::sink()).map_err(|source| DebError::Io {
                member: entry.path.clone(),
                source,
            })?;
            Ok::<(), DebError>(())
        })?;
        contents += summary.regular_bytes;
    }
    Ok((start.elapsed(), contents))
}

/// The `data.tar.*` member of a `.deb` held in memory: its name and bytes.
fn data_member(deb: &[u8]) -> Option<(&str, &[u8])> {
    let mut rest = deb.strip_prefix(b"!<arch>\n")?;
    while let (Some(header), Some(body)) = (rest.get(..60), rest.get(60..)) {
        let name = std::str::from_utf8(header.get(..16)?).ok()?.trim_end();
        let size: usize = std::str::from_utf8(header.get(48..58)?)
            .ok()?
            .trim()
            .parse()
            .ok()?;
        if name.starts_with("data.tar") {
            return Some((name.trim_end_matches('/'), body.get(..size)?));
        }
        rest = body.get(size.checked_add(size % 2)?..)?;
    }
    None
}

/// liblzma alone on every `data.tar.xz`, read into memory first: (time,
/// bytes of tar).
pub fn xz_only(candidates: &[ImportCandidate]) -> BenchResult<(Duration, u64)> {
    let mut elapsed = Duration::ZERO;
    let mut tar = 0;
    for candidate in candidates {
        let deb = std::fs::read(&candidate.path)?;
        let Some(("data.tar.xz", data)) = data_member(&deb) else {
            return Err(format!("{}: no data.tar.xz", candidate.path.display()).into());
        };
        let start = Instant::now();
        tar += io::copy(&mut liblzma::read::XzDecoder::new(data), &mut io::sink())?;
        elapsed += start.elapsed();
    }
    Ok((elapsed, tar))
}

/// Bytes under a path as `du` counts them.
#[derive(Clone, Copy, Debug, Default)]
pub struct Usage {
    /// Files (not directories).
    pub files: u64,
    /// Their apparent size.
    pub apparent: u64,
    /// Blocks allocated to them.
    pub allocated: u64,
    /// Blocks allocated to directories.
    pub directories: u64,
}

impl Usage {
    /// Everything allocated, as `du -s` shows it.
    pub fn total(&self) -> u64 {
        self.allocated + self.directories
    }
}

/// The disk usage of `path` and everything below it.
pub fn disk_usage(path: &Path) -> io::Result<Usage> {
    let metadata = std::fs::symlink_metadata(path)?;
    let allocated = metadata.blocks().saturating_mul(512);
    if !metadata.is_dir() {
        return Ok(Usage {
            files: 1,
            apparent: metadata.len(),
            allocated,
            directories: 0,
        });
    }
    let mut usage = Usage {
        directories: allocated,
        ..Usage::default()
    };
    for entry in std::fs::read_dir(path)? {
        let below = disk_usage(&entry?.path())?;
        usage.files += below.files;
        usage.apparent += below.apparent;
        usage.allocated += below.allocated;
        usage.directories += below.directories;
    }
    Ok(usage)
}
