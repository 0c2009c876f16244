//! One changeset from several repositories: [`assemble`].
//!
//! 1. Each job goes to its repository ([`super::jobs`]); the groups are
//!    received in parallel ([`super::receive`]); with `recurse`, troves
//!    that collections include from other repositories are asked of those
//!    in further rounds.
//! 2. When a single repository answered and its changeset is complete (no
//!    contents held elsewhere, nothing to follow, no update turned into an
//!    install), it goes out as it came, verified.
//! 3. Otherwise the changesets are merged: contents that live on other
//!    hosts (`Reference` entries whose files' versions are on another
//!    host, or that belong to an absolute change) are fetched from the
//!    hosts of their file versions, in parallel; the bases of deltas and of
//!    text diffs are fetched from the repository that made them; deltas
//!    are decoded. The result carries every content whole except those the
//!    receiver's old troves hold, and every content it carries has been
//!    verified against its digest.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Seek, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use conary_api::Job;
use conary_changeset::{ChangeSet, ChangeSetWriter, ContentKind, Contents};
use conary_core::digest::{Digest, FileId};
use conary_core::files::FileStream;

use crate::error::{ClientError, chain};
use crate::source::NetworkSource;
use crate::source::jobs::{Routed, follow_ups, group, host_key, reaches_elsewhere, route};
use crate::source::receive::{Part, decode_deltas, receive};
use crate::source::work::{ContentsDir, Counting, WorkArea, local};

/// Contents to fetch, and where to look for them, in order.
struct Need {
    digest: Digest,
    hosts: Vec<String>,
    /// False for the sides of text diffs: without them the diff is left
    /// out (it is advice for merging config files, not needed to apply).
    required: bool,
}

/// The contents of the changeset `host` answered that the receiver
/// cannot have: references in absolute changes, or whose files' versions
/// live on another host; with the hosts to ask, those of the file versions
/// first, `host` last.
fn elsewhere(host: &str, index: &ChangeSet) -> BTreeMap<Digest, Vec<String>> {
    let mut found: BTreeMap<Digest, Vec<String>> = BTreeMap::new();
    for change in index.troves.values() {
        for file in change.new.files.values() {
            let Some(digest) = index
                .files
                .get(&file.file_id)
                .and_then(FileStream::content_digest)
            else {
                continue;
            };
            let reference = index
                .contents
                .get(&digest)
                .is_some_and(|contents| contents.kind == ContentKind::Reference);
            let file_host = host_key(file.file_version.host());
            if !reference || (file_host == host && !change.is_absolute()) {
                continue;
            }
            let hosts = found.entry(digest).or_default();
            if file_host != host && !hosts.contains(&file_host) {
                hosts.push(file_host);
            }
        }
    }
    for hosts in found.values_mut() {
        hosts.push(host.to_string());
    }
    found
}

/// Writes the changeset of `jobs` to `out` (see the module); returns the
/// bytes written.
pub(crate) fn assemble(
    source: &NetworkSource,
    jobs: &[Job],
    recurse: bool,
    out: &mut dyn Write,
) -> Result<u64, ClientError> {
    let work = WorkArea::new(source.work_dir())?;
    let mut pending = jobs.iter().map(route).collect::<Result<Vec<_>, _>>()?;
    let mut asked: BTreeSet<Job> = pending.iter().map(|routed| routed.job.clone()).collect();
    let mut parts: Vec<Part> = Vec::new();
    let mut primary = true;
    while !pending.is_empty() {
        let groups = group(std::mem::take(&mut pending));
        let lone = primary && groups.len() == 1;
        let received = receive_all(source, groups, recurse, primary, lone, &work)?;
        if recurse {
            for part in &received {
                for job in follow_ups(&part.host, &part.client, &part.index)? {
                    if covered(parts.iter().chain(&received), &job) {
                        continue;
                    }
                    let routed = route(&job)?;
                    if asked.insert(routed.job.clone()) {
                        pending.push(routed);
                    }
                }
            }
        }
        parts.extend(received);
        primary = false;
    }
    if let [part] = parts.as_mut_slice()
        && !part.kept
    {
        source.learn(&part.index);
        return send_as_received(part, out);
    }
    let written = merge(source, &mut parts, &work, out)?;
    Ok(written)
}

/// Whether a changeset already received does what `job` would.
fn covered<'p>(mut parts: impl Iterator<Item = &'p Part>, job: &Job) -> bool {
    parts.any(|part| match (job.new_tuple(), job.old_tuple()) {
        (Some(new), _) => part.index.troves.contains_key(&new),
        (None, Some(old)) => part.index.erased.contains(&old),
        (None, None) => true,
    })
}

/// Receives every group, in parallel. Jobs followed into another
/// repository (not `primary`) that it does not have, or hides, are left
/// out, as a repository leaves out what its recursion cannot read.
fn receive_all(
    source: &NetworkSource,
    groups: Vec<(String, Vec<Routed>)>,
    recurse: bool,
    primary: bool,
    lone: bool,
    work: &WorkArea,
) -> Result<Vec<Part>, ClientError> {
    let results: Vec<Result<Vec<Part>, ClientError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = groups
            .into_iter()
            .map(|(host, jobs)| {
                scope.spawn(move || {
                    let client = source.client(&host)?;
                    let replaced = jobs.iter().any(|routed| routed.replaces.is_some());
                    let keep = |index: &ChangeSet| {
                        !lone
                            || replaced
                            || (recurse && reaches_elsewhere(&host, index))
                            || !elsewhere(&host, index).is_empty()
                    };
                    let answer =
                        receive(&client, &host, jobs.clone(), recurse, primary, work, &keep);
                    match answer {
                        Ok(part) => Ok(vec![part]),
                        Err(ClientError::NotFound { .. }) if !primary => {
                            let mut parts = Vec::new();
                            for job in jobs {
                                match receive(
                                    &client,
                                    &host,
                                    vec![job],
                                    recurse,
                                    primary,
                                    work,
                                    &keep,
                                ) {
                                    Ok(part) => parts.push(part),
                                    Err(ClientError::NotFound { .. }) => {}
                                    Err(error) => return Err(error),
                                }
                            }
                            Ok(parts)
                        }
                        Err(error) => Err(error),
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle.join().unwrap_or_else(|_| {
                    Err(ClientError::Local {
                        action: "receive a changeset".into(),
                        reason: "a download thread panicked".into(),
                    })
                })
            })
            .collect()
    });
    let mut parts = Vec::new();
    for result in results {
        parts.extend(result?);
    }
    Ok(parts)
}

/// Copies a changeset received whole and complete to `out`.
fn send_as_received(part: &mut Part, out: &mut dyn Write) -> Result<u64, ClientError> {
    let path = part.spool.path().display().to_string();
    let file = part.spool.as_file_mut();
    file.rewind()
        .map_err(|error| local(format!("read {path}"), &error))?;
    let mut counting = Counting {
        inner: out,
        count: 0,
    };
    io::copy(file, &mut counting).map_err(|error| local("write the changeset", &error))?;
    counting
        .flush()
        .map_err(|error| local("write the changeset", &error))?;
    Ok(counting.count)
}

/// Merges `parts` into one changeset on `out` (see the module).
fn merge(
    source: &NetworkSource,
    parts: &mut [Part],
    work: &WorkArea,
    out: &mut dyn Write,
) -> Result<u64, ClientError> {
    let contents = work.contents();
    let needs = needs(parts, contents);
    let missing = fetch(source, needs, contents)?;
    for part in parts.iter_mut().filter(|part| part.has_deltas()) {
        decode_deltas(part, contents)?;
    }
    let merged = merged_index(parts, contents, &missing);
    source.learn(&merged);
    let mut counting = Counting {
        inner: out,
        count: 0,
    };
    let write_error = |error: conary_changeset::ChangeSetError| ClientError::Local {
        action: "write the changeset".into(),
        reason: chain(&error),
    };
    let mut writer = ChangeSetWriter::new(&mut counting, &merged).map_err(write_error)?;
    writer.write_all(contents).map_err(write_error)?;
    writer.finish().map_err(write_error)?;
    Ok(counting.count)
}

/// What must be fetched before the parts can be merged.
fn needs(parts: &[Part], contents: &ContentsDir) -> Vec<Need> {
    let mut carried_whole = BTreeSet::new();
    let mut carried_delta = BTreeSet::new();
    let mut hosts_seen: Vec<String> = Vec::new();
    for part in parts {
        if !hosts_seen.contains(&part.host) {
            hosts_seen.push(part.host.clone());
        }
        for (digest, entry) in &part.index.contents {
            match entry.kind {
                ContentKind::Full => carried_whole.insert(*digest),
                ContentKind::Delta { .. } => carried_delta.insert(*digest),
                ContentKind::Reference => false,
            };
        }
    }
    let mut needs: BTreeMap<Digest, Need> = BTreeMap::new();
    let mut add = |digest: Digest, hosts: Vec<String>, required: bool, base: bool| {
        if carried_whole.contains(&digest)
            || contents.contains(&digest)
            || (!base && carried_delta.contains(&digest))
        {
            return;
        }
        let need = needs.entry(digest).or_insert_with(|| Need {
            digest,
            hosts: Vec::new(),
            required,
        });
        need.required |= required;
        for host in hosts {
            if !need.hosts.contains(&host) {
                need.hosts.push(host);
            }
        }
    };
    for part in parts {
        let from_part = || {
            let mut hosts = vec![part.host.clone()];
            hosts.extend(
                hosts_seen
                    .iter()
                    .filter(|host| **host != part.host)
                    .cloned(),
            );
            hosts
        };
        for (digest, hosts) in elsewhere(&part.host, &part.index) {
            add(digest, hosts, true, false);
        }
        for entry in part.index.contents.values() {
            if let ContentKind::Delta { base } = entry.kind {
                add(base, from_part(), true, true);
            }
        }
        for key in part.index.text_diffs.keys() {
            add(key.base, from_part(), false, true);
            add(key.target, from_part(), false, false);
        }
    }
    needs.into_values().collect()
}

/// Fetches `needs` into `contents`, at most the source's parallelism at a
/// time; returns the optional ones that no host had.
fn fetch(
    source: &NetworkSource,
    needs: Vec<Need>,
    contents: &ContentsDir,
) -> Result<BTreeSet<Digest>, ClientError> {
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let first_error: Mutex<Option<ClientError>> = Mutex::new(None);
    let missing: Mutex<BTreeSet<Digest>> = Mutex::new(BTreeSet::new());
    let workers = source.parallelism().clamp(1, needs.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while !failed.load(Ordering::Relaxed) {
                    let Some(need) = needs.get(next.fetch_add(1, Ordering::Relaxed)) else {
                        break;
                    };
                    match fetch_one(source, need, contents) {
                        Ok(()) => {}
                        Err(_) if !need.required => {
                            lock(&missing).insert(need.digest);
                        }
                        Err(error) => {
                            failed.store(true, Ordering::Relaxed);
                            lock(&first_error).get_or_insert(error);
                        }
                    }
                }
            });
        }
    });
    match first_error
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
    {
        Some(error) => Err(error),
        None => Ok(missing
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)),
    }
}

/// Locks a mutex, poisoned or not.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Fetches one need from the first of its hosts that has it.
fn fetch_one(
    source: &NetworkSource,
    need: &Need,
    contents: &ContentsDir,
) -> Result<(), ClientError> {
    let mut last: Option<ClientError> = None;
    let mut unmapped: Option<ClientError> = None;
    for host in &need.hosts {
        let attempt = source
            .client(host)
            .and_then(|client| client.fetch_into(&need.digest, contents, source.progress()));
        match attempt {
            Ok(_) => return Ok(()),
            Err(ClientError::NotFound { .. } | ClientError::PermissionDenied { .. }) => {}
            Err(error @ ClientError::NoServer { .. }) => {
                unmapped.get_or_insert(error);
            }
            Err(error) => last = Some(error),
        }
    }
    Err(last
        .or(unmapped)
        .unwrap_or_else(|| ClientError::ContentsNotFound {
            digest: need.digest,
            hosts: need.hosts.join(", "),
        }))
}

/// The index of the merged changeset: the union of the parts (the first
/// answer for a trove wins), every content here carried whole, updates
/// asked as installs made relative again, and nothing unused.
fn merged_index(parts: &[Part], contents: &ContentsDir, missing: &BTreeSet<Digest>) -> ChangeSet {
    let mut merged = ChangeSet::default();
    for part in parts {
        if part.primary {
            merged.primary.extend(part.index.primary.iter().cloned());
        }
        for (tuple, change) in &part.index.troves {
            merged
                .troves
                .entry(tuple.clone())
                .or_insert_with(|| change.clone());
        }
        merged.erased.extend(part.index.erased.iter().cloned());
        for (file_id, stream) in &part.index.files {
            merged
                .files
                .entry(*file_id)
                .or_insert_with(|| stream.clone());
        }
        for (digest, entry) in &part.index.contents {
            let here = contents.contains(digest);
            let merged_entry = merged.contents.entry(*digest).or_insert(*entry);
            if here {
                *merged_entry = Contents {
                    size: entry.size,
                    kind: ContentKind::Full,
                };
            }
        }
        for (key, diff) in &part.index.text_diffs {
            if !missing.contains(&key.base)
                && !missing.contains(&key.target)
                && contents.contains(&key.base)
                && contents.contains(&key.target)
            {
                merged.text_diffs.insert(*key, *diff);
            }
        }
    }
    let installed: BTreeSet<_> = merged.troves.keys().cloned().collect();
    merged.erased.retain(|tuple| !installed.contains(tuple));
    let mut replaced: BTreeSet<_> = merged
        .troves
        .values()
        .filter_map(|change| change.old.clone())
        .collect();
    for part in parts {
        for (new, old) in part.replaced() {
            if merged.erased.contains(old) || replaced.contains(old) {
                continue;
            }
            if let Some(change) = merged.troves.get_mut(&new)
                && change.old.is_none()
            {
                change.old = Some(old.clone());
                replaced.insert(old.clone());
            }
        }
    }
    prune(&mut merged);
    merged
}

/// Drops the file streams, contents and text diffs no trove uses.
fn prune(changeset: &mut ChangeSet) {
    let mut streams: BTreeSet<FileId> = BTreeSet::new();
    let mut digests = BTreeSet::new();
    let mut config = BTreeSet::new();
    for change in changeset.troves.values() {
        for file in change.new.files.values() {
            let Some(stream) = changeset.files.get(&file.file_id) else {
                continue;
            };
            streams.insert(file.file_id);
            if let Some(digest) = stream.content_digest() {
                digests.insert(digest);
                if stream.flags.is_config() {
                    config.insert(digest);
                }
            }
        }
    }
    changeset
        .files
        .retain(|file_id, _| streams.contains(file_id));
    changeset
        .contents
        .retain(|digest, _| digests.contains(digest));
    changeset
        .text_diffs
        .retain(|key, _| config.contains(&key.target));
}

#[cfg(test)]
mod tests {
    use super::*;
    use conary_changeset::TroveChange;
    use conary_core::digest::PathId;
    use conary_core::files::{FileKind, Mode};
    use conary_core::trove::Trove;

    /// A changeset from B: one trove (relative when `old`), with a file per
    /// (path, contents, file version's host, how the contents travel).
    fn changeset(old: bool, files: &[(&str, &[u8], &str, ContentKind)]) -> ChangeSet {
        let version = "/a.example.com@rpl:2//b.example.com@rpl:2/1.0-1.1-1"
            .parse()
            .expect("version");
        let mut trove = Trove::new(
            "foo:runtime".parse().expect("name"),
            version,
            Default::default(),
        );
        let mut changeset = ChangeSet::default();
        for (path, contents, host, kind) in files {
            let digest = Digest::of(contents);
            let kind_of_file = FileKind::Regular {
                size: contents.len() as u64,
                digest,
                link_group: None,
            };
            let stream = FileStream::new(
                kind_of_file,
                Mode::new(0o644).expect("mode"),
                "root",
                "root",
            );
            let file_version = format!("/{host}@rpl:2/1.0-1-1")
                .parse()
                .expect("file version");
            trove.add_file(
                PathId::derive(path.as_bytes()),
                path,
                stream.file_id(),
                file_version,
            );
            changeset.add_stream(stream);
            changeset.contents.insert(
                digest,
                Contents {
                    size: contents.len() as u64,
                    kind: *kind,
                },
            );
        }
        let change = if old {
            let parent = "foo:runtime=/b.example.com@rpl:2/0.9-1-1[]"
                .parse()
                .expect("old");
            TroveChange::relative(parent, trove)
        } else {
            TroveChange::absolute(trove)
        };
        changeset.add_trove(change);
        changeset
    }

    #[test]
    fn contents_held_elsewhere_are_found() {
        let files: &[(&str, &[u8], &str, ContentKind)] = &[
            (
                "/usr/bin/a",
                b"from a",
                "a.example.com",
                ContentKind::Reference,
            ),
            (
                "/usr/bin/b",
                b"on b",
                "b.example.com",
                ContentKind::Reference,
            ),
            ("/usr/bin/c", b"carried", "a.example.com", ContentKind::Full),
        ];
        let b = "b.example.com";
        let absolute = elsewhere(b, &changeset(false, files));
        let expected: BTreeMap<Digest, Vec<String>> = [
            (
                Digest::of(b"from a"),
                vec!["a.example.com".to_string(), b.to_string()],
            ),
            (Digest::of(b"on b"), vec![b.to_string()]),
        ]
        .into();
        assert_eq!(
            absolute, expected,
            "an absolute change needs every reference"
        );
        let relative = elsewhere(b, &changeset(true, files));
        assert_eq!(
            relative.keys().collect::<Vec<_>>(),
            [&Digest::of(b"from a")],
            "the receiver's old trove holds what B holds"
        );
    }

    #[test]
    fn merged_indexes_drop_what_no_trove_uses() {
        let mut merged = changeset(
            false,
            &[("/usr/bin/a", b"a", "a.example.com", ContentKind::Full)],
        );
        let orphan = FileStream::new(
            FileKind::Regular {
                size: 1,
                digest: Digest::of(b"x"),
                link_group: None,
            },
            Mode::new(0o644).expect("mode"),
            "root",
            "root",
        );
        merged.add_stream(orphan);
        merged.contents.insert(
            Digest::of(b"x"),
            Contents {
                size: 1,
                kind: ContentKind::Full,
            },
        );
        prune(&mut merged);
        assert_eq!(merged.files.len(), 1);
        assert_eq!(
            merged.contents.keys().collect::<Vec<_>>(),
            [&Digest::of(b"a")]
        );
    }
}
