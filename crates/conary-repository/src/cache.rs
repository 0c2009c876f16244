//! The changeset cache: generated changesets kept on disk, so that a
//! request made again (many clients updating the same way) is answered by
//! copying a file instead of weighing deltas and writing payloads.
//!
//! Only relative changesets (at least one trove changed from an old
//! version) are kept: they are the ones whose making weighs deltas. An
//! absolute changeset is made by copying stored zstd frames, about as fast
//! as reading it back.
//!
//! Entries live in `DIR/changeset-cache/` (see [`CACHE_DIR`]), one file per
//! changeset, named by its key: the
//! [fingerprint](conary_changeset::ChangeSetBuilder::fingerprint) of what
//! the changeset is built from, i.e. the changeset format, the build
//! options, and every trove change *as the caller sees it* with its files
//! and contents. Two callers who see different troves (access rules, a
//! trove marked removed since, contents that arrived since) get different
//! keys, so an entry is only ever served for exactly the changeset it holds.
//!
//! The rules:
//!
//! - **Atomic**: an entry is written to a temporary file in the cache
//!   directory, then renamed to its name. It is not synced: a crash may
//!   leave a damaged entry, which the next read finds (length and BLAKE3 of
//!   the changeset) and removes. A cache miss is never an error.
//! - **Bounded**: after each write, the entries beyond [`MAX_CACHE_BYTES`]
//!   are removed, least recently used first (a hit refreshes an entry's
//!   modification time). A changeset above [`MAX_ENTRY_BYTES`] is not kept.
//! - **Invalidated**: [`crate::Repository::mark_removed`] removes every
//!   entry naming a trove it marks (the key would no longer match anyway;
//!   this frees the space at once).
//! - Failures of the cache (a full disk, a read-only directory) make it a
//!   miss, never a failed request.
//!
//! The entry format (docs/FORMATS.md §"Changeset cache entry"): magic
//! `CNYK`, format `u16` (1), `u32` count of trove tuples then each as a
//! `u32` length and its UTF-8 text, `u64` changeset length, the 32-byte
//! BLAKE3 of the changeset, the changeset; integers big-endian.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use conary_core::digest::Digest;
use conary_core::trove::TroveTuple;

/// The cache's directory under the repository's.
pub const CACHE_DIR: &str = "changeset-cache";

/// The most bytes all entries may take together (256 MiB).
pub const MAX_CACHE_BYTES: u64 = 256 << 20;

/// The largest changeset kept (64 MiB).
pub const MAX_ENTRY_BYTES: u64 = 64 << 20;

/// The magic number of an entry.
const MAGIC: &[u8; 4] = b"CNYK";

/// The entry format written.
const FORMAT: u16 = 1;

/// The suffix of entry files.
const ENTRY_SUFFIX: &str = ".ccs-entry";

/// The prefix of temporary files.
const TEMP_PREFIX: &str = "tmp-";

/// Temporary files older than this are left over from a crash.
const STALE_TEMPORARY: Duration = Duration::from_secs(3600);

/// The most trove tuples an entry may name.
const MAX_TUPLES: u32 = 1 << 20;

/// The changeset cache of one repository (see the
/// [module documentation](self)).
///
/// ```rust
/// use conary_repository::cache::ChangesetCache;
/// let dir = tempfile::tempdir()?;
/// let cache = ChangesetCache::new(dir.path().join("cache"), 1 << 20);
/// let key = conary_core::digest::Digest::of(b"jobs");
/// assert_eq!(cache.get(&key), None);
/// cache.put(&key, &[], b"a changeset");
/// assert_eq!(cache.get(&key).as_deref(), Some(&b"a changeset"[..]));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ChangesetCache {
    dir: PathBuf,
    max_bytes: u64,
}

impl ChangesetCache {
    /// The cache in `dir` (created when first written), holding at most
    /// `max_bytes` of entries.
    pub fn new(dir: impl Into<PathBuf>, max_bytes: u64) -> ChangesetCache {
        ChangesetCache {
            dir: dir.into(),
            max_bytes,
        }
    }

    /// The cache's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn entry_path(&self, key: &Digest) -> PathBuf {
        self.dir.join(format!("{key}{ENTRY_SUFFIX}"))
    }

    /// The changeset kept under `key`, checked; `None` when there is none
    /// or it is damaged (it is then removed). A hit makes the entry the
    /// most recently used.
    pub fn get(&self, key: &Digest) -> Option<Vec<u8>> {
        let path = self.entry_path(key);
        let mut bytes = Vec::new();
        File::open(&path)
            .and_then(|mut file| file.read_to_end(&mut bytes))
            .ok()?;
        match parse(&bytes) {
            Some((_, changeset)) => {
                // Best effort (a read-only cache is still read): a failure
                // only makes eviction less exact.
                let _ = File::options()
                    .write(true)
                    .open(&path)
                    .and_then(|file| file.set_modified(SystemTime::now()));
                Some(changeset.to_vec())
            }
            None => {
                let _ = fs::remove_file(&path);
                None
            }
        }
    }

    /// Keeps `changeset` under `key`, naming `troves` (for
    /// [`ChangesetCache::invalidate`]), then evicts the least recently used
    /// entries beyond the bound. Best effort: failures are ignored.
    pub fn put(&self, key: &Digest, troves: &[TroveTuple], changeset: &[u8]) {
        if changeset.len() as u64 > MAX_ENTRY_BYTES || changeset.len() as u64 > self.max_bytes {
            return;
        }
        if self.write_entry(key, troves, changeset).is_ok() {
            self.evict();
        }
    }

    fn write_entry(&self, key: &Digest, troves: &[TroveTuple], changeset: &[u8]) -> io::Result<()> {
        fs::create_dir_all(&self.dir)?;
        let tuples: Vec<String> = troves.iter().map(ToString::to_string).collect();
        let count = u32::try_from(tuples.len())
            .ok()
            .filter(|count| *count <= MAX_TUPLES)
            .ok_or_else(|| io::Error::other("too many troves"))?;
        let mut header = Vec::new();
        header.extend_from_slice(MAGIC);
        header.extend_from_slice(&FORMAT.to_be_bytes());
        header.extend_from_slice(&count.to_be_bytes());
        for tuple in &tuples {
            let len = u32::try_from(tuple.len()).map_err(io::Error::other)?;
            header.extend_from_slice(&len.to_be_bytes());
            header.extend_from_slice(tuple.as_bytes());
        }
        header.extend_from_slice(&(changeset.len() as u64).to_be_bytes());
        header.extend_from_slice(Digest::of(changeset).as_bytes());
        write_by_rename(&self.dir, &self.entry_path(key), &[&header, changeset])
    }

    /// The entries with their size and last use, oldest first; removes
    /// stale temporary files on the way.
    fn entries(&self) -> Vec<(SystemTime, u64, PathBuf)> {
        let Ok(listing) = fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let now = SystemTime::now();
        let mut entries = Vec::new();
        for entry in listing.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let Ok(metadata) = entry.metadata() else {
                continue;
            };
            let modified = metadata.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            if name.starts_with(TEMP_PREFIX) {
                if is_stale(now, modified) {
                    let _ = fs::remove_file(entry.path());
                }
            } else if name.ends_with(ENTRY_SUFFIX) && metadata.is_file() {
                entries.push((modified, metadata.len(), entry.path()));
            }
        }
        entries.sort();
        entries
    }

    /// Removes the least recently used entries until the rest fit.
    fn evict(&self) {
        let entries = self.entries();
        let mut total: u64 = entries.iter().map(|(_, size, _)| size).sum();
        for (_, size, path) in entries {
            if total <= self.max_bytes {
                break;
            }
            if fs::remove_file(&path).is_ok() {
                total = total.saturating_sub(size);
            }
        }
    }

    /// Removes every entry naming one of `troves` (and damaged ones).
    pub fn invalidate(&self, troves: &[TroveTuple]) {
        if troves.is_empty() {
            return;
        }
        let names: Vec<String> = troves.iter().map(ToString::to_string).collect();
        for (_, _, path) in self.entries() {
            let Ok(bytes) = fs::read(&path) else { continue };
            let stale = match parse(&bytes) {
                Some((tuples, _)) => tuples.iter().any(|tuple| names.contains(tuple)),
                None => true,
            };
            if stale {
                let _ = fs::remove_file(&path);
            }
        }
    }
}

/// Writes `parts` one after the other to a new temporary file in `dir`
/// and renames it to `path` (not synced: readers check what they read);
/// the temporary file is removed when anything fails.
pub(crate) fn write_by_rename(dir: &Path, path: &Path, parts: &[&[u8]]) -> io::Result<()> {
    let temp = dir.join(temporary_name());
    let written = File::options()
        .write(true)
        .create_new(true)
        .open(&temp)
        .and_then(|mut file| parts.iter().try_for_each(|part| file.write_all(part)))
        .and_then(|()| fs::rename(&temp, path));
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written
}

/// True for a temporary file last written more than [`STALE_TEMPORARY`]
/// before `now`: a writer that crashed left it.
fn is_stale(now: SystemTime, modified: SystemTime) -> bool {
    now.duration_since(modified)
        .is_ok_and(|age| age > STALE_TEMPORARY)
}

/// Removes the temporary files (named by [`temporary_name`]) a crashed
/// writer left in `dir`; files being written now are left alone.
pub(crate) fn remove_stale_temporaries(dir: &Path) {
    let Ok(listing) = fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for entry in listing.flatten() {
        let temporary = entry
            .file_name()
            .to_str()
            .is_some_and(|name| name.starts_with(TEMP_PREFIX));
        let modified = entry.metadata().and_then(|metadata| metadata.modified());
        if temporary && modified.is_ok_and(|modified| is_stale(now, modified)) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// A name for a temporary file no other writer uses: the process, a
/// counter and the time.
fn temporary_name() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos());
    format!("{TEMP_PREFIX}{}-{count}-{nanos}", std::process::id())
}

/// Reads `count` bytes at `*at`, advancing it (the cache's and the delta
/// store's entry parsers).
pub(crate) fn take<'a>(bytes: &'a [u8], at: &mut usize, count: usize) -> Option<&'a [u8]> {
    let end = at.checked_add(count)?;
    let slice = bytes.get(*at..end)?;
    *at = end;
    Some(slice)
}

fn be_u32(bytes: &[u8], at: &mut usize) -> Option<u32> {
    Some(u32::from_be_bytes(take(bytes, at, 4)?.try_into().ok()?))
}

/// An entry's trove tuples and changeset, when it is whole and intact;
/// `None` for anything else, never a panic (the `delta_entry` fuzz target
/// offers it arbitrary bytes too).
pub fn parse(bytes: &[u8]) -> Option<(Vec<String>, &[u8])> {
    let mut at = 0;
    if take(bytes, &mut at, 4)? != MAGIC {
        return None;
    }
    let format = u16::from_be_bytes(take(bytes, &mut at, 2)?.try_into().ok()?);
    if format != FORMAT {
        return None;
    }
    let count = be_u32(bytes, &mut at)?;
    if count > MAX_TUPLES {
        return None;
    }
    let mut tuples = Vec::new();
    for _ in 0..count {
        let len = usize::try_from(be_u32(bytes, &mut at)?).ok()?;
        let text = std::str::from_utf8(take(bytes, &mut at, len)?).ok()?;
        tuples.push(text.to_owned());
    }
    let len = u64::from_be_bytes(take(bytes, &mut at, 8)?.try_into().ok()?);
    let digest = take(bytes, &mut at, 32)?;
    let changeset = bytes.get(at..)?;
    if changeset.len() as u64 != len || Digest::of(changeset).as_bytes()[..] != *digest {
        return None;
    }
    Some((tuples, changeset))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tuple(text: &str) -> TroveTuple {
        text.parse().expect("tuple")
    }

    const FOO: &str = "foo:runtime=/conary.example.com@rpl:2/1.0-1-1[]";
    const BAR: &str = "bar:runtime=/conary.example.com@rpl:2/1.0-1-1[]";

    fn cache(dir: &Path, max: u64) -> ChangesetCache {
        ChangesetCache::new(dir.join(CACHE_DIR), max)
    }

    #[test]
    fn hit_and_miss() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = cache(dir.path(), 1 << 20);
        let (one, two) = (Digest::of(b"one"), Digest::of(b"two"));
        assert_eq!(cache.get(&one), None, "nothing yet, not even a directory");
        cache.put(&one, &[tuple(FOO)], b"first changeset");
        assert_eq!(cache.get(&one).as_deref(), Some(&b"first changeset"[..]));
        assert_eq!(cache.get(&two), None);
        // No temporary file is left behind.
        let names: Vec<_> = fs::read_dir(cache.dir())
            .expect("list")
            .map(|entry| entry.expect("entry").file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn damaged_entries_are_misses_and_removed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = cache(dir.path(), 1 << 20);
        let key = Digest::of(b"key");
        let path = cache.entry_path(&key);
        type Damage = fn(&mut Vec<u8>);
        let damages: [(&str, Damage); 4] = [
            ("flipped byte", |bytes| {
                let last = bytes.len() - 1;
                bytes[last] ^= 1;
            }),
            ("truncated", |bytes| bytes.truncate(bytes.len() - 3)),
            ("empty", Vec::clear),
            ("trailing byte", |bytes| bytes.push(0)),
        ];
        for (name, damage) in damages {
            cache.put(&key, &[tuple(FOO)], b"a changeset to damage");
            let mut bytes = fs::read(&path).expect("entry");
            damage(&mut bytes);
            fs::write(&path, &bytes).expect("damage");
            assert_eq!(cache.get(&key), None, "{name}");
            assert!(!path.exists(), "{name}: the damaged entry is removed");
        }
    }

    #[test]
    fn least_recently_used_entries_are_evicted() {
        let dir = tempfile::tempdir().expect("temp dir");
        // Room for two entries of 1,000 bytes with their headers, not three.
        let cache = cache(dir.path(), 2_400);
        let keys: Vec<Digest> = (0..3u8).map(|n| Digest::of(&[n])).collect();
        let old = SystemTime::now() - Duration::from_secs(100);
        cache.put(&keys[0], &[], &[0; 1000]);
        cache.put(&keys[1], &[], &[1; 1000]);
        for (key, age) in [(&keys[0], 20), (&keys[1], 10)] {
            File::options()
                .write(true)
                .open(cache.entry_path(key))
                .and_then(|file| file.set_modified(old + Duration::from_secs(age)))
                .expect("age the entry");
        }
        // Using the older entry makes the other the least recently used.
        assert!(cache.get(&keys[0]).is_some());
        cache.put(&keys[2], &[], &[2; 1000]);
        assert!(cache.get(&keys[0]).is_some(), "used last: kept");
        assert_eq!(cache.get(&keys[1]), None, "least recently used: evicted");
        assert!(cache.get(&keys[2]).is_some(), "new: kept");
        // A changeset larger than the whole cache is not kept.
        let big = Digest::of(b"big");
        cache.put(&big, &[], &[3; 3000]);
        assert_eq!(cache.get(&big), None);
        assert!(cache.get(&keys[2]).is_some());
    }

    #[test]
    fn invalidation_removes_entries_naming_a_trove() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = cache(dir.path(), 1 << 20);
        let (foo, bar, both) = (Digest::of(b"1"), Digest::of(b"2"), Digest::of(b"3"));
        cache.put(&foo, &[tuple(FOO)], b"foo");
        cache.put(&bar, &[tuple(BAR)], b"bar");
        cache.put(&both, &[tuple(BAR), tuple(FOO)], b"both");
        cache.invalidate(&[tuple(FOO)]);
        assert_eq!(cache.get(&foo), None);
        assert_eq!(cache.get(&both), None);
        assert_eq!(cache.get(&bar).as_deref(), Some(&b"bar"[..]));
    }

    #[test]
    fn stale_temporary_files_are_removed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = cache(dir.path(), 1 << 20);
        cache.put(&Digest::of(b"k"), &[], b"x");
        let stale = cache.dir().join("tmp-crashed");
        let fresh = cache.dir().join("tmp-writing");
        fs::write(&stale, b"partial").expect("stale");
        fs::write(&fresh, b"partial").expect("fresh");
        File::options()
            .write(true)
            .open(&stale)
            .and_then(|file| {
                file.set_modified(SystemTime::now() - STALE_TEMPORARY - Duration::from_secs(60))
            })
            .expect("age");
        cache.put(&Digest::of(b"k2"), &[], b"y");
        assert!(!stale.exists());
        assert!(fresh.exists());
    }
}
