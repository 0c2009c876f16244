//! One relative changeset taking every package of the repository from its
//! oldest to its newest version.

use std::collections::BTreeMap;
use std::io;
use std::time::{Duration, Instant};

use conary_api::Job;
use conary_build::import::StoreSink;
use conary_changeset::{ChangeSetReader, Limits, Summary};
use conary_core::name::TroveName;
use conary_core::trove::TroveTuple;
use conary_core::version::Label;
use conary_repository::{Identity, Query, Repository};

use crate::measure::BenchResult;

/// The changeset, made and read back.
pub struct Relative {
    /// Its bytes.
    pub bytes: u64,
    /// What `showcs` would show.
    pub summary: Summary,
    /// Bytes of the index, uncompressed.
    pub index: u64,
    /// Bytes the index takes in the changeset (its zstd envelope).
    pub index_stored: u64,
    /// Bytes of the capsules' entries (keys and values) in the index.
    pub capsules: u64,
    /// `Repository::plan_changeset`.
    pub plan: Duration,
    /// `Repository::write_changeset`.
    pub write: Duration,
    /// Reading it back, deltas applied against the repository's contents.
    pub read: Duration,
}

/// Makes, with recursion, the changeset updating each of `packages` from
/// its oldest to its newest version on `label` (`Repository::changeset` is
/// `plan_changeset` then `write_changeset`, timed apart here), then reads
/// it back as a client would.
pub fn oldest_to_newest(
    repository: &Repository,
    identity: &Identity,
    label: &Label,
    packages: &[&str],
) -> BenchResult<Relative> {
    let names: Vec<TroveName> = packages
        .iter()
        .map(|name| name.parse())
        .collect::<Result<_, _>>()?;
    let query = Query::on_label(label.clone()).named(names).all_versions();
    let mut versions: BTreeMap<TroveName, Vec<TroveTuple>> = BTreeMap::new();
    for tuple in repository.trove_versions(&query, identity)? {
        versions.entry(tuple.name.clone()).or_default().push(tuple);
    }
    let mut jobs = Vec::new();
    for (name, tuples) in versions {
        // Listed oldest first (by commit time).
        if let (Some(oldest), Some(newest)) = (tuples.first(), tuples.last())
            && tuples.len() > 1
        {
            jobs.push(Job::update(
                name,
                (oldest.version.clone(), oldest.flavor.clone()),
                (newest.version.clone(), newest.flavor.clone()),
            ));
        }
    }
    if jobs.len() != packages.len() {
        return Err(format!("{} update jobs for {} packages", jobs.len(), packages.len()).into());
    }

    let start = Instant::now();
    let changeset = repository.plan_changeset(&jobs, true, identity)?;
    let planned = Instant::now();
    let mut bytes = Vec::new();
    repository.write_changeset(&changeset, &mut bytes)?;
    let written = Instant::now();
    let bases = StoreSink::new(repository.store());
    let mut reader = ChangeSetReader::new(&bytes[..])?;
    while let Some(mut payload) = reader.next_payload(&bases)? {
        payload.copy_to(&mut io::sink())?;
    }
    if reader.finish()? != changeset {
        return Err("the relative changeset reads back different".into());
    }
    let read = written.elapsed();

    let summary = Summary::read(&bytes[..], Limits::default())?;
    let index = conary_changeset::encode_index(&changeset);
    let capsules = changeset
        .troves
        .values()
        .filter_map(|change| change.new.info.capsule.as_ref())
        .flat_map(|capsule| capsule.entries.iter())
        .map(|(key, value)| (key.len() + value.len()) as u64)
        .sum();
    Ok(Relative {
        bytes: bytes.len() as u64,
        summary,
        index: index.len() as u64,
        index_stored: envelope_size(&bytes)?,
        capsules,
        plan: planned - start,
        write: written - planned,
        read,
    })
}

/// Bytes of the index envelope a changeset starts with: `CNYZ`, a 2-byte
/// format, the varint length of the zstd frame, and the frame.
fn envelope_size(changeset: &[u8]) -> BenchResult<u64> {
    let header = changeset
        .get(..6)
        .filter(|header| header.starts_with(b"CNYZ"))
        .ok_or("the changeset does not start with an index envelope")?;
    let mut length: u64 = 0;
    let mut read = header.len();
    for (shift, byte) in (0..64).step_by(7).zip(changeset.iter().skip(read)) {
        read += 1;
        length |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(read as u64 + length);
        }
    }
    Err("the index envelope's length does not end".into())
}
