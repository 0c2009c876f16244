//! Writing a transaction's outcome to the database, in one SQLite
//! transaction: the commit point of a journaled transaction.

use std::collections::BTreeMap;

use conary_core::deps::{Dependency, DependencySet};
use conary_core::digest::{Digest, FileId};
use conary_core::files::FileStream;
use conary_core::trove::{Trove, TroveTuple};
use rusqlite::{Transaction, TransactionBehavior, params};

use super::Database;
use crate::error::SystemError;

/// What kind of transaction a commit ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TransactionKind {
    /// An install, update or erase (gets a rollback entry).
    Update,
    /// The application of a rollback (gets none).
    Rollback,
}

impl TransactionKind {
    fn as_str(self) -> &'static str {
        match self {
            TransactionKind::Update => "update",
            TransactionKind::Rollback => "rollback",
        }
    }
}

/// A trove to record as installed, with the streams of its files.
#[derive(Debug)]
pub(crate) struct NewInstance {
    /// The pristine manifest.
    pub trove: Trove,
    /// The stream of every file of `trove`.
    pub streams: BTreeMap<FileId, FileStream>,
    /// Paths of `trove` that are not present (taken by another trove).
    pub absent: Vec<String>,
}

/// Everything one transaction changes in the database.
#[derive(Debug)]
pub(crate) struct Commit {
    /// The transaction's id (from its journal).
    pub transaction: i64,
    /// Update or rollback.
    pub kind: TransactionKind,
    /// When it ran, in seconds since the epoch.
    pub time: i64,
    /// One line per trove change.
    pub description: String,
    /// Troves no longer installed.
    pub removed: Vec<TroveTuple>,
    /// Troves newly installed.
    pub installed: Vec<NewInstance>,
    /// Files of troves that stay installed but lose their path to a new
    /// trove: (owner, path).
    pub taken_over: Vec<(TroveTuple, String)>,
    /// Paths a rollback gives back to the troves they were taken from.
    pub given_back: Vec<String>,
    /// Pristine contents of the new config files.
    pub config: BTreeMap<Digest, Vec<u8>>,
    /// Record a rollback entry for this transaction.
    pub add_rollback: bool,
    /// The rollback entry this transaction applied, to remove.
    pub drop_rollback: Option<i64>,
}

fn insert_dependencies(
    transaction: &Transaction<'_>,
    instance: i64,
    kind: i64,
    set: &DependencySet,
) -> Result<(), SystemError> {
    let mut statement = transaction
        .prepare_cached(
            "INSERT INTO dependencies (instance_id, kind, class, name, frozen) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .map_err(SystemError::db("recording dependencies"))?;
    for dependency in set.iter() {
        let mut one = DependencySet::new();
        one.insert(Dependency::clone(dependency));
        statement
            .execute(params![
                instance,
                kind,
                i64::from(dependency.class().id()),
                dependency.name(),
                one.freeze()
            ])
            .map_err(SystemError::db("recording dependencies"))?;
    }
    Ok(())
}

fn insert_instance(
    transaction: &Transaction<'_>,
    new: &NewInstance,
    transaction_id: i64,
    time: i64,
) -> Result<(), SystemError> {
    let trove = &new.trove;
    transaction
        .execute(
            "INSERT INTO instances (name, version, frozen_version, flavor, trove, install_time, transaction_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                trove.name.as_str(),
                trove.version.to_string(),
                trove.version.freeze(),
                trove.flavor.to_string(),
                trove.encode(),
                time,
                transaction_id
            ],
        )
        .map_err(SystemError::db("recording an installed trove"))?;
    let instance = transaction.last_insert_rowid();
    let mut stream_statement = transaction
        .prepare_cached("INSERT OR IGNORE INTO streams (file_id, stream) VALUES (?1, ?2)")
        .map_err(SystemError::db("recording file streams"))?;
    let mut file_statement = transaction
        .prepare_cached(
            "INSERT INTO trove_files (instance_id, path_id, path, file_id, digest, is_config, is_present)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .map_err(SystemError::db("recording files"))?;
    for (path_id, file) in &trove.files {
        let stream = new.streams.get(&file.file_id).ok_or_else(|| {
            SystemError::job(format!(
                "no file stream for '{}' of trove {}",
                file.path,
                trove.tuple()
            ))
        })?;
        stream_statement
            .execute(params![file.file_id.as_bytes().as_slice(), stream.encode()])
            .map_err(SystemError::db("recording file streams"))?;
        let digest = stream.content_digest().map(|d| d.as_bytes().to_vec());
        file_statement
            .execute(params![
                instance,
                path_id.as_bytes().as_slice(),
                file.path,
                file.file_id.as_bytes().as_slice(),
                digest,
                stream.flags.is_config(),
                !new.absent.contains(&file.path)
            ])
            .map_err(SystemError::db("recording files"))?;
    }
    let mut ref_statement = transaction
        .prepare_cached(
            "INSERT OR IGNORE INTO trove_refs (instance_id, name, version, flavor, strong, by_default)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .map_err(SystemError::db("recording references"))?;
    for (tuple, by_default, strong) in trove.iter_refs() {
        ref_statement
            .execute(params![
                instance,
                tuple.name.as_str(),
                tuple.version.to_string(),
                tuple.flavor.to_string(),
                strong,
                by_default
            ])
            .map_err(SystemError::db("recording references"))?;
    }
    insert_dependencies(transaction, instance, 0, &trove.provides)?;
    insert_dependencies(transaction, instance, 1, &trove.requires)
}

impl Database {
    /// Writes `commit` in one SQLite transaction. Once this returns, the
    /// journaled transaction with id `commit.transaction` is committed.
    pub(crate) fn commit(&mut self, commit: &Commit) -> Result<(), SystemError> {
        self.require_writable()?;
        let transaction = self
            .connection_mut()
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(SystemError::db("starting a transaction"))?;
        for tuple in &commit.removed {
            let removed = transaction
                .execute(
                    "DELETE FROM instances WHERE name = ?1 AND version = ?2 AND flavor = ?3",
                    params![
                        tuple.name.as_str(),
                        tuple.version.to_string(),
                        tuple.flavor.to_string()
                    ],
                )
                .map_err(SystemError::db("removing a trove"))?;
            if removed == 0 {
                return Err(SystemError::job(format!("trove {tuple} is not installed")));
            }
        }
        for new in &commit.installed {
            insert_instance(&transaction, new, commit.transaction, commit.time)?;
        }
        for (owner, path) in &commit.taken_over {
            transaction
                .execute(
                    "UPDATE trove_files SET is_present = 0 WHERE path = ?1 AND instance_id =
                     (SELECT id FROM instances WHERE name = ?2 AND version = ?3 AND flavor = ?4)",
                    params![
                        path,
                        owner.name.as_str(),
                        owner.version.to_string(),
                        owner.flavor.to_string()
                    ],
                )
                .map_err(SystemError::db("recording a file taken over"))?;
        }
        for path in &commit.given_back {
            transaction
                .execute(
                    "UPDATE trove_files SET is_present = 1 WHERE path = ?1 AND is_present = 0",
                    [path],
                )
                .map_err(SystemError::db("recording a file given back"))?;
        }
        for (digest, data) in &commit.config {
            transaction
                .execute(
                    "INSERT OR IGNORE INTO config_contents (digest, data) VALUES (?1, ?2)",
                    params![digest.as_bytes().as_slice(), data],
                )
                .map_err(SystemError::db("recording config contents"))?;
        }
        transaction
            .execute_batch(
                "DELETE FROM streams WHERE NOT EXISTS
                     (SELECT 1 FROM trove_files f WHERE f.file_id = streams.file_id);
                 DELETE FROM config_contents WHERE NOT EXISTS
                     (SELECT 1 FROM trove_files f WHERE f.digest = config_contents.digest AND f.is_config = 1);",
            )
            .map_err(SystemError::db("dropping unused streams"))?;
        transaction
            .execute(
                "INSERT INTO transactions (id, kind, time, description) VALUES (?1, ?2, ?3, ?4)",
                params![
                    commit.transaction,
                    commit.kind.as_str(),
                    commit.time,
                    commit.description
                ],
            )
            .map_err(SystemError::db("recording the transaction"))?;
        if commit.add_rollback {
            transaction
                .execute(
                    "INSERT INTO rollbacks (transaction_id, time, description) VALUES (?1, ?2, ?3)",
                    params![commit.transaction, commit.time, commit.description],
                )
                .map_err(SystemError::db("recording the rollback"))?;
        }
        if let Some(rollback) = commit.drop_rollback {
            transaction
                .execute("DELETE FROM rollbacks WHERE id = ?1", [rollback])
                .map_err(SystemError::db("removing the rollback"))?;
        }
        transaction
            .commit()
            .map_err(SystemError::db("committing the transaction"))
    }

    /// The id the next transaction gets.
    pub(crate) fn next_transaction_id(&self) -> Result<i64, SystemError> {
        self.connection()
            .query_row(
                "SELECT coalesce(max(id), 0) + 1 FROM transactions",
                [],
                |row| row.get(0),
            )
            .map_err(SystemError::db("numbering the transaction"))
    }

    /// True when the transaction `id` is committed.
    pub(crate) fn is_committed(&self, id: i64) -> Result<bool, SystemError> {
        self.connection()
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM transactions WHERE id = ?1)",
                [id],
                |row| row.get(0),
            )
            .map_err(SystemError::db("looking up a transaction"))
    }
}
