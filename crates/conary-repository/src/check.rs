//! What a commit must satisfy before anything of it is stored: the
//! committer may write every trove, every trove is on a label this
//! repository serves, every file has a stream and a safe path, and every
//! file's contents are carried, held by another repository (see
//! [`crate::contents_host`]), or already stored and readable by the
//! committer (see [`crate::contents`]); so are the bases of carried deltas.
//!
//! The checks also plan the storing of contents ([`ContentsPlan`]): which
//! carried payloads need not be decoded, and which stored blobs the commit
//! relies on without writing them.

use std::collections::{BTreeMap, BTreeSet};

use conary_core::digest::{Digest, FileId};
use conary_core::files::FileStream;
use conary_core::trove::{Trove, TroveType};
use rusqlite::{Connection, OptionalExtension as _};

use crate::access::{Action, Identity};
use crate::contents::ContentsAccess;
use crate::error::RepositoryError;
use crate::record::check_not_conflicting;
use crate::repo::Repository;

/// The stream stored under `file_id`, if any.
pub(crate) fn stored_stream(
    connection: &Connection,
    file_id: &FileId,
) -> Result<Option<FileStream>, RepositoryError> {
    let bytes: Option<Vec<u8>> = connection
        .prepare_cached("SELECT stream FROM file_streams WHERE file_id = ?1")
        .and_then(|mut statement| {
            statement
                .query_row([file_id.as_bytes().as_slice()], |row| row.get(0))
                .optional()
        })
        .map_err(RepositoryError::database("looking up a file stream"))?;
    bytes
        .map(|bytes| {
            FileStream::decode(&bytes).map_err(|error| {
                RepositoryError::corrupt(format!("stored file stream {file_id}: {error}"))
            })
        })
        .transpose()
}

/// How a checked commit stores its contents.
#[derive(Debug, Default)]
pub(crate) struct ContentsPlan {
    /// Carried contents that are already stored and that the committer may
    /// read: their payloads are skipped without being decoded. Carried
    /// contents that are stored but that the committer may not read are
    /// decoded and hashed like new ones, so carrying them proves having
    /// them.
    pub(crate) skip: BTreeSet<Digest>,
    /// Stored contents the commit will reference without writing them that
    /// no trove holds yet: the contents batch makes sure they are durable
    /// before the commit is recorded. (Contents a committed trove holds are
    /// durable already.)
    pub(crate) rely: BTreeSet<Digest>,
}

/// Why `identity` may not use contents `digest` as it asked: `what` is the
/// use, e.g. `reference contents … without carrying them`.
fn contents_denied(identity: &Identity, what: String) -> RepositoryError {
    RepositoryError::Denied {
        subject: identity.subject().to_string(),
        action: "reference",
        trove: format!("{what}, as no trove they may read holds them"),
    }
}

impl Repository {
    /// Refuses the commit unless `identity` may write every trove (checked
    /// first, so a refusal says nothing about the rest) and every trove is
    /// one this repository can take.
    pub(crate) fn check_troves(
        &self,
        troves: &[&Trove],
        identity: &Identity,
    ) -> Result<(), RepositoryError> {
        for trove in troves {
            let label = trove.version.trailing_label().to_string();
            if !identity.can(Action::Write, &label, trove.name.as_str()) {
                return Err(RepositoryError::Denied {
                    subject: identity.subject().to_string(),
                    action: "commit",
                    trove: trove.tuple().to_string(),
                });
            }
        }
        for trove in troves {
            let tuple = trove.tuple();
            if trove.version.host() != self.name() {
                return Err(RepositoryError::invalid_commit(format!(
                    "trove {tuple} is on label {}, which repository {} does not serve",
                    trove.version.trailing_label(),
                    self.name()
                )));
            }
            if trove.trove_type == TroveType::Removed {
                return Err(RepositoryError::invalid_commit(format!(
                    "trove {tuple} is a removed stub: troves are marked removed, not committed removed"
                )));
            }
        }
        let connection = self.connection();
        for trove in troves {
            check_not_conflicting(&connection, trove)?;
        }
        Ok(())
    }

    /// What `identity` may do with contents `digest`, asked once per
    /// commit.
    fn access_once(
        &self,
        memo: &mut BTreeMap<Digest, ContentsAccess>,
        digest: &Digest,
        identity: &Identity,
    ) -> Result<ContentsAccess, RepositoryError> {
        if let Some(access) = memo.get(digest) {
            return Ok(*access);
        }
        let access = self.contents_access(digest, identity)?;
        memo.insert(*digest, access);
        Ok(access)
    }

    /// Refuses the commit unless `identity` may read the base of every
    /// delta in `deltas` (contents → base) and each base is stored (checked
    /// in that order, so a refusal does not say whether contents one may
    /// not read are stored): a delta against contents one may not read
    /// would make contents that depend on them.
    pub(crate) fn check_bases(
        &self,
        deltas: &BTreeMap<Digest, Digest>,
        identity: &Identity,
    ) -> Result<(), RepositoryError> {
        let mut memo = BTreeMap::new();
        for (digest, base) in deltas {
            if !self.access_once(&mut memo, base, identity)?.readable() {
                return Err(contents_denied(
                    identity,
                    format!("contents {base} as the base of a delta for contents {digest}"),
                ));
            }
            if !self.store().contains(base)? {
                return Err(RepositoryError::invalid_commit(format!(
                    "contents {digest} come as a delta against {base}, which is not in the repository"
                )));
            }
        }
        Ok(())
    }

    /// Refuses the commit unless every file of `troves` has a safe path, a
    /// stream (in `streams`, checked against its fileId, or stored), and
    /// contents that are `carried`, held by the host of the file's version,
    /// or stored and readable by `identity` (checked in that order, so a
    /// refusal does not say whether contents one may not read are stored).
    /// Returns the plan for storing the contents.
    pub(crate) fn check_files(
        &self,
        troves: &[&Trove],
        streams: &BTreeMap<FileId, FileStream>,
        carried: &BTreeSet<Digest>,
        identity: &Identity,
    ) -> Result<ContentsPlan, RepositoryError> {
        let mut plan = ContentsPlan::default();
        let mut memo = BTreeMap::new();
        for (file_id, stream) in streams {
            if stream.file_id() != *file_id {
                return Err(RepositoryError::invalid_commit(format!(
                    "file stream filed under {file_id} has fileId {}",
                    stream.file_id()
                )));
            }
        }
        for trove in troves {
            let tuple = trove.tuple();
            for file in trove.files.values() {
                if let Err(error) = conary_util::RelPath::from_rooted(&file.path) {
                    return Err(RepositoryError::invalid_commit(format!(
                        "unsafe path '{}' in trove {tuple}: {error}",
                        file.path.escape_debug()
                    )));
                }
                let stream = match streams.get(&file.file_id) {
                    Some(stream) => Some(stream.clone()),
                    None => stored_stream(&self.connection(), &file.file_id)?,
                };
                let Some(stream) = stream else {
                    return Err(RepositoryError::invalid_commit(format!(
                        "file '{}' of trove {tuple} has no file stream {} in the changeset or the repository",
                        file.path, file.file_id
                    )));
                };
                let Some(digest) = stream.content_digest() else {
                    continue;
                };
                let elsewhere = file.file_version.host() != self.name();
                if carried.contains(&digest) || elsewhere {
                    continue;
                }
                let access = self.access_once(&mut memo, &digest, identity)?;
                if !access.readable() {
                    return Err(contents_denied(
                        identity,
                        format!(
                            "contents {digest} of file '{}' of trove {tuple} without carrying them",
                            file.path
                        ),
                    ));
                }
                if !self.store().contains(&digest)? {
                    return Err(RepositoryError::invalid_commit(format!(
                        "contents {digest} of file '{}' of trove {tuple} are neither in the changeset nor in the repository",
                        file.path
                    )));
                }
                if access == ContentsAccess::Unheld {
                    plan.rely.insert(digest);
                }
            }
        }
        for digest in carried {
            if !self.store().contains(digest)? {
                continue;
            }
            match self.access_once(&mut memo, digest, identity)? {
                ContentsAccess::Held => {
                    plan.skip.insert(*digest);
                }
                ContentsAccess::Unheld => {
                    plan.skip.insert(*digest);
                    plan.rely.insert(*digest);
                }
                ContentsAccess::Hidden | ContentsAccess::Denied => {}
            }
        }
        Ok(plan)
    }
}
