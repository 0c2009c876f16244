//! The commit's one write transaction: stamp the troves, compare them with
//! what is stored, and insert instances, file streams, files,
//! dependencies and references.

use std::collections::{BTreeMap, BTreeSet};

use conary_core::digest::FileId;
use conary_core::files::FileStream;
use conary_core::trove::{Trove, TroveTuple};
use rusqlite::{Connection, OptionalExtension as _, TransactionBehavior, params};

use crate::error::RepositoryError;
use crate::intern;
use crate::repo::Repository;
use crate::stamp::{Stamper, now_millis, without_timestamps};

/// What a commit did.
///
/// ```rust
/// let result = conary_repository::CommitResult::default();
/// assert!(result.committed.is_empty() && result.already_present.is_empty());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommitResult {
    /// The troves that were new and are now stored, with their timestamps.
    pub committed: Vec<TroveTuple>,
    /// The troves that were already stored with the same contents (a no-op
    /// for them).
    pub already_present: Vec<TroveTuple>,
}

impl From<&CommitResult> for conary_api::wire::CommitResult {
    fn from(result: &CommitResult) -> Self {
        let wire = |tuples: &[TroveTuple]| tuples.iter().map(Into::into).collect();
        Self {
            committed: wire(&result.committed),
            already_present: wire(&result.already_present),
        }
    }
}

/// The stored encoding of trove `tuple` (name, plain version, flavor).
pub(crate) fn stored_encoding(
    connection: &Connection,
    tuple: &TroveTuple,
) -> Result<Option<Vec<u8>>, RepositoryError> {
    connection
        .prepare_cached(
            "SELECT i.trove FROM instances i
             JOIN items t ON t.id = i.item_id JOIN flavors f ON f.id = i.flavor_id
             WHERE t.name = ?1 AND i.version = ?2 AND f.flavor = ?3",
        )
        .and_then(|mut statement| {
            statement
                .query_row(
                    params![
                        tuple.name.as_str(),
                        tuple.version.to_string(),
                        tuple.flavor.to_string()
                    ],
                    |row| row.get(0),
                )
                .optional()
        })
        .map_err(RepositoryError::database("looking up a trove"))
}

/// Decodes a stored trove.
pub(crate) fn decode_stored(bytes: &[u8]) -> Result<Trove, RepositoryError> {
    Trove::decode(bytes)
        .map_err(|error| RepositoryError::corrupt(format!("stored trove does not decode: {error}")))
}

/// Refuses `trove` when a trove with its name, version and flavor is
/// stored with a different manifest (timestamps aside): checked before
/// contents are stored, so such a commit stores nothing.
pub(crate) fn check_not_conflicting(
    connection: &Connection,
    trove: &Trove,
) -> Result<(), RepositoryError> {
    let Some(bytes) = stored_encoding(connection, &trove.tuple())? else {
        return Ok(());
    };
    let stored = decode_stored(&bytes)?;
    if without_timestamps(&stored).encode() != without_timestamps(trove).encode() {
        return Err(RepositoryError::Conflict {
            trove: trove.tuple().to_string(),
        });
    }
    Ok(())
}

/// Whether trove `tuple` is stored.
fn instance_exists(connection: &Connection, tuple: &TroveTuple) -> Result<bool, RepositoryError> {
    Ok(stored_encoding(connection, tuple)?.is_some())
}

impl Repository {
    /// Records checked troves and the new file streams they use, in one
    /// immediate transaction (so concurrent commits queue instead of
    /// failing, and timestamps are handed out in order).
    pub(crate) fn record(
        &self,
        troves: &[Trove],
        streams: &BTreeMap<FileId, FileStream>,
        subject: &str,
    ) -> Result<CommitResult, RepositoryError> {
        let mut connection = self.connection();
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(RepositoryError::database("starting a commit"))?;
        let now = now_millis();
        let mut stamper = Stamper::new(&transaction, self.name(), now);
        for trove in troves {
            stamper.own_version(&trove.name, &trove.version)?;
        }
        let stamped = troves
            .iter()
            .map(|trove| stamper.stamp(trove))
            .collect::<Result<Vec<_>, _>>()?;
        let mut result = CommitResult::default();
        let mut new = Vec::new();
        for trove in stamped {
            let encoding = trove.encode();
            match stored_encoding(&transaction, &trove.tuple())? {
                Some(stored) if stored == encoding => result.already_present.push(trove.tuple()),
                Some(_) => {
                    return Err(RepositoryError::Conflict {
                        trove: trove.tuple().to_string(),
                    });
                }
                None => new.push((trove, encoding)),
            }
        }
        if new.is_empty() {
            return Ok(result);
        }
        let arriving: BTreeSet<TroveTuple> = new.iter().map(|(trove, _)| trove.tuple()).collect();
        for (trove, _) in &new {
            for (target, _, _) in trove.iter_refs() {
                let ours = target.version.host() == self.name();
                if ours && !arriving.contains(target) && !instance_exists(&transaction, target)? {
                    return Err(RepositoryError::invalid_commit(format!(
                        "trove {} includes {target}, which is not in this repository",
                        trove.tuple()
                    )));
                }
            }
        }
        let commit_id = transaction
            .prepare_cached("INSERT INTO commits (committed_at, subject) VALUES (?1, ?2)")
            .and_then(|mut statement| {
                statement.insert(params![i64::try_from(now).unwrap_or(i64::MAX), subject])
            })
            .map_err(RepositoryError::database("recording a commit"))?;
        insert_streams(&transaction, streams)?;
        for (trove, encoding) in &new {
            insert_instance(&transaction, trove, encoding, commit_id)?;
            result.committed.push(trove.tuple());
        }
        transaction
            .commit()
            .map_err(RepositoryError::database("committing"))?;
        Ok(result)
    }
}

/// Inserts the streams not stored yet.
fn insert_streams(
    connection: &Connection,
    streams: &BTreeMap<FileId, FileStream>,
) -> Result<(), RepositoryError> {
    let mut statement = connection
        .prepare_cached(
            "INSERT INTO file_streams (file_id, stream, content_digest) VALUES (?1, ?2, ?3)
             ON CONFLICT (file_id) DO NOTHING",
        )
        .map_err(RepositoryError::database("recording file streams"))?;
    for (file_id, stream) in streams {
        let digest = stream
            .content_digest()
            .map(|digest| digest.as_bytes().to_vec());
        statement
            .execute(params![
                file_id.as_bytes().as_slice(),
                stream.encode(),
                digest
            ])
            .map_err(RepositoryError::database("recording file streams"))?;
    }
    Ok(())
}

/// Inserts one stamped trove and everything that indexes it.
fn insert_instance(
    connection: &Connection,
    trove: &Trove,
    encoding: &[u8],
    commit_id: i64,
) -> Result<(), RepositoryError> {
    let action = "recording a trove";
    let timestamp = trove
        .version
        .timestamp()
        .map(|stamp| i64::try_from(stamp.as_millis()).unwrap_or(i64::MAX))
        .ok_or_else(|| RepositoryError::corrupt(format!("{} has no timestamp", trove.tuple())))?;
    let item = intern::item_id(connection, &trove.name)?;
    let branch = intern::branch_id(connection, trove.version.branch())?;
    let flavor = intern::flavor_id(connection, &trove.flavor)?;
    let digest = conary_core::digest::Digest::of(encoding);
    let instance = connection
        .prepare_cached(
            "INSERT INTO instances (item_id, version, frozen, branch_id, timestamp, flavor_id,
                                    trove_type, trove, digest, commit_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )
        .and_then(|mut statement| {
            statement.insert(params![
                item,
                trove.version.to_string(),
                trove.version.freeze(),
                branch,
                timestamp,
                flavor,
                i64::try_from(trove.trove_type.number()).unwrap_or(0),
                encoding,
                digest.as_bytes().as_slice(),
                commit_id
            ])
        })
        .map_err(RepositoryError::database(action))?;
    let mut find_stream = connection
        .prepare_cached("SELECT id FROM file_streams WHERE file_id = ?1")
        .map_err(RepositoryError::database(action))?;
    let mut insert_file = connection
        .prepare_cached(
            "INSERT INTO trove_files (instance_id, path_id, path, stream_id, file_version)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .map_err(RepositoryError::database(action))?;
    for (path_id, file) in &trove.files {
        let stream: Option<i64> = find_stream
            .query_row([file.file_id.as_bytes().as_slice()], |row| row.get(0))
            .optional()
            .map_err(RepositoryError::database(action))?;
        let stream = stream.ok_or_else(|| {
            RepositoryError::invalid_commit(format!(
                "file '{}' of trove {} has no file stream {}",
                file.path,
                trove.tuple(),
                file.file_id
            ))
        })?;
        insert_file
            .execute(params![
                instance,
                path_id.as_bytes().as_slice(),
                file.path,
                stream,
                file.file_version.freeze()
            ])
            .map_err(RepositoryError::database(action))?;
    }
    for (table, dependencies) in [("provides", &trove.provides), ("requires", &trove.requires)] {
        let sql = format!(
            "INSERT INTO {table} (instance_id, dependency_id) VALUES (?1, ?2)
             ON CONFLICT DO NOTHING"
        );
        for dependency in dependencies.iter() {
            let id = intern::dependency_id(connection, dependency)?;
            connection
                .prepare_cached(&sql)
                .and_then(|mut statement| statement.execute(params![instance, id]))
                .map_err(RepositoryError::database(action))?;
        }
    }
    let mut insert_ref = connection
        .prepare_cached(
            "INSERT INTO trove_refs (instance_id, item_id, version, frozen, flavor_id, strong, by_default)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .map_err(RepositoryError::database(action))?;
    for (target, by_default, strong) in trove.iter_refs() {
        let item = intern::item_id(connection, &target.name)?;
        let flavor = intern::flavor_id(connection, &target.flavor)?;
        insert_ref
            .execute(params![
                instance,
                item,
                target.version.to_string(),
                target.version.freeze(),
                flavor,
                strong,
                by_default
            ])
            .map_err(RepositoryError::database(action))?;
    }
    Ok(())
}
