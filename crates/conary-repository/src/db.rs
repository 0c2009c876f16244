//! The metadata database: opening SQLite the way the repository needs it,
//! and versioned schema migrations.
//!
//! The schema is an ordered list of [`MIGRATIONS`]; migration `n` (counting
//! from 1) takes a database from schema version `n - 1` to `n`. The version
//! lives in the one-row table `schema_version`. Opening a database applies
//! every pending migration in one transaction, so a database is always at a
//! version this list names; a database newer than the list is refused
//! ([`RepositoryError::SchemaTooNew`]) before anything is written.
//! New tables (troves, files, …) arrive as new entries at the end of the
//! list; entries already released are never edited.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension as _, TransactionBehavior};

use crate::error::RepositoryError;

/// How long a statement waits for another writer before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Migration 1: the server's settings, users, roles, ACLs and entitlements.
///
/// The `anonymous` role exists from the start with read access to
/// everything; it is used only while anonymous access is on (the
/// `server_info` key `anonymous`).
const MIGRATION_1_ACCESS: &str = "
CREATE TABLE server_info (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    is_admin      INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1))
) STRICT;

CREATE TABLE roles (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE user_roles (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role_id INTEGER NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, role_id)
) STRICT;

CREATE TABLE acls (
    id            INTEGER PRIMARY KEY,
    role_id       INTEGER NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    label_pattern TEXT NOT NULL,
    trove_pattern TEXT NOT NULL,
    can_read      INTEGER NOT NULL CHECK (can_read IN (0, 1)),
    can_write     INTEGER NOT NULL CHECK (can_write IN (0, 1)),
    can_admin     INTEGER NOT NULL CHECK (can_admin IN (0, 1)),
    UNIQUE (role_id, label_pattern, trove_pattern)
) STRICT;

CREATE TABLE entitlement_classes (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE entitlement_class_roles (
    class_id INTEGER NOT NULL REFERENCES entitlement_classes (id) ON DELETE CASCADE,
    role_id  INTEGER NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    PRIMARY KEY (class_id, role_id)
) STRICT;

CREATE TABLE entitlement_keys (
    key_hash TEXT PRIMARY KEY NOT NULL,
    class_id INTEGER NOT NULL REFERENCES entitlement_classes (id) ON DELETE CASCADE
) STRICT;

INSERT INTO server_info (key, value) VALUES ('anonymous', '0');
INSERT INTO roles (name) VALUES ('anonymous');
INSERT INTO acls (role_id, label_pattern, trove_pattern, can_read, can_write, can_admin)
    SELECT id, 'ALL', 'ALL', 1, 0, 0 FROM roles WHERE name = 'anonymous';
";

/// Migration 2: troves, versions, file streams, trove files, dependencies
/// and references (the SQL and its comments are in
/// `src/migrations/0002_troves.sql`).
const MIGRATION_2_TROVES: &str = include_str!("migrations/0002_troves.sql");

/// The schema, one migration per version, oldest first. Append only.
pub const MIGRATIONS: &[&str] = &[MIGRATION_1_ACCESS, MIGRATION_2_TROVES];

/// The schema version this program writes: the number of [`MIGRATIONS`].
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Opens (`create`: creates) the database at `path` in WAL mode with foreign
/// keys on and a busy timeout, and brings its schema up to
/// [`SCHEMA_VERSION`].
pub(crate) fn open(path: &Path, create: bool) -> Result<Connection, RepositoryError> {
    open_with(path, create, MIGRATIONS)
}

/// [`open`] with an explicit migration list (tests use longer ones).
pub(crate) fn open_with(
    path: &Path,
    create: bool,
    migrations: &[&str],
) -> Result<Connection, RepositoryError> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let mut connection = Connection::open_with_flags(path, flags)
        .map_err(RepositoryError::database("opening the database"))?;
    connection
        .busy_timeout(BUSY_TIMEOUT)
        .map_err(RepositoryError::database("setting the busy timeout"))?;
    let mode: String = connection
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        .map_err(RepositoryError::database("switching to WAL mode"))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(RepositoryError::Corrupt {
            reason: format!("cannot use WAL mode (journal mode is '{mode}')"),
        });
    }
    connection
        .execute_batch("PRAGMA foreign_keys = ON")
        .map_err(RepositoryError::database("turning on foreign keys"))?;
    migrate(&mut connection, path, migrations)?;
    Ok(connection)
}

/// The schema version recorded in the database (0 for a new database).
pub(crate) fn schema_version(connection: &Connection) -> Result<i64, RepositoryError> {
    let has_table: bool = connection
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version')",
            [],
            |row| row.get(0),
        )
        .map_err(RepositoryError::database("reading the schema version"))?;
    if !has_table {
        return Ok(0);
    }
    let version: Option<i64> = connection
        .query_row("SELECT version FROM schema_version", [], |row| row.get(0))
        .optional()
        .map_err(RepositoryError::database("reading the schema version"))?;
    Ok(version.unwrap_or(0))
}

/// Applies the migrations the database lacks, all in one transaction.
fn migrate(
    connection: &mut Connection,
    path: &Path,
    migrations: &[&str],
) -> Result<(), RepositoryError> {
    let known = i64::try_from(migrations.len()).unwrap_or(i64::MAX);
    let found = schema_version(connection)?;
    if found > known {
        return Err(RepositoryError::SchemaTooNew {
            path: path.to_path_buf(),
            found,
            known,
        });
    }
    if found == known {
        return Ok(());
    }
    let transaction = connection
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(RepositoryError::database("starting a schema migration"))?;
    // Another process may have migrated between the check and the lock.
    let found = schema_version(&transaction)?;
    if found > known {
        return Err(RepositoryError::SchemaTooNew {
            path: path.to_path_buf(),
            found,
            known,
        });
    }
    transaction
        .execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL) STRICT",
        )
        .map_err(RepositoryError::database(
            "creating the schema_version table",
        ))?;
    let pending = usize::try_from(found)
        .ok()
        .and_then(|applied| migrations.get(applied..))
        .unwrap_or_default();
    for sql in pending {
        transaction
            .execute_batch(sql)
            .map_err(RepositoryError::database("migrating the schema"))?;
    }
    transaction
        .execute("DELETE FROM schema_version", [])
        .map_err(RepositoryError::database("recording the schema version"))?;
    transaction
        .execute("INSERT INTO schema_version (version) VALUES (?1)", [known])
        .map_err(RepositoryError::database("recording the schema version"))?;
    transaction
        .commit()
        .map_err(RepositoryError::database("committing a schema migration"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table_names(connection: &Connection) -> Vec<String> {
        let mut statement = connection
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
            .expect("prepare");
        statement
            .query_map([], |row| row.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    }

    #[test]
    fn fresh_database_gets_every_migration() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("repository.db");
        let connection = open(&path, true).expect("create");
        assert_eq!(
            schema_version(&connection).expect("version"),
            SCHEMA_VERSION
        );
        assert_eq!(
            table_names(&connection),
            [
                "acls",
                "branches",
                "commits",
                "dependencies",
                "entitlement_class_roles",
                "entitlement_classes",
                "entitlement_keys",
                "file_streams",
                "flavors",
                "instances",
                "items",
                "labels",
                "provides",
                "removals",
                "requires",
                "roles",
                "schema_version",
                "server_info",
                "trove_files",
                "trove_refs",
                "user_roles",
                "users"
            ]
        );
        let mode: String = connection
            .query_row("PRAGMA journal_mode", [], |row| row.get(0))
            .expect("journal mode");
        assert_eq!(mode, "wal");
        let foreign_keys: i64 = connection
            .query_row("PRAGMA foreign_keys", [], |row| row.get(0))
            .expect("foreign keys");
        assert_eq!(foreign_keys, 1);
    }

    #[test]
    fn reopening_applies_nothing_twice() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("repository.db");
        drop(open(&path, true).expect("create"));
        let connection = open(&path, false).expect("reopen");
        assert_eq!(
            schema_version(&connection).expect("version"),
            SCHEMA_VERSION
        );
        let anonymous_roles: i64 = connection
            .query_row(
                "SELECT count(*) FROM roles WHERE name = 'anonymous'",
                [],
                |row| row.get(0),
            )
            .expect("count");
        assert_eq!(anonymous_roles, 1);
        let rows: i64 = connection
            .query_row("SELECT count(*) FROM schema_version", [], |row| row.get(0))
            .expect("count");
        assert_eq!(rows, 1);
    }

    #[test]
    fn later_migrations_append() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("repository.db");
        drop(open_with(&path, true, &[MIGRATION_1_ACCESS]).expect("create"));
        let longer = [
            MIGRATION_1_ACCESS,
            "CREATE TABLE troves (id INTEGER PRIMARY KEY)",
        ];
        let connection = open_with(&path, false, &longer).expect("upgrade");
        assert_eq!(schema_version(&connection).expect("version"), 2);
        assert!(table_names(&connection).contains(&"troves".to_owned()));
    }

    #[test]
    fn failed_migration_changes_nothing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("repository.db");
        drop(open_with(&path, true, &[MIGRATION_1_ACCESS]).expect("create"));
        let broken = [
            MIGRATION_1_ACCESS,
            "CREATE TABLE troves (id INTEGER PRIMARY KEY)",
            "THIS IS NOT SQL",
        ];
        let error = open_with(&path, false, &broken).expect_err("bad migration");
        assert!(matches!(error, RepositoryError::Database { .. }), "{error}");
        let connection = open_with(&path, false, &[MIGRATION_1_ACCESS]).expect("reopen");
        assert_eq!(schema_version(&connection).expect("version"), 1);
        assert!(!table_names(&connection).contains(&"troves".to_owned()));
    }

    #[test]
    fn version_1_databases_upgrade_keeping_their_data() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("repository.db");
        let old = open_with(&path, true, &[MIGRATION_1_ACCESS]).expect("create");
        old.execute("INSERT INTO roles (name) VALUES ('devel')", [])
            .expect("role");
        drop(old);
        let connection = open(&path, false).expect("upgrade");
        assert_eq!(
            schema_version(&connection).expect("version"),
            SCHEMA_VERSION
        );
        let roles: i64 = connection
            .query_row("SELECT count(*) FROM roles", [], |row| row.get(0))
            .expect("count");
        assert_eq!(roles, 2);
        assert!(table_names(&connection).contains(&"instances".to_owned()));
    }

    #[test]
    fn newer_schema_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("repository.db");
        let connection = open(&path, true).expect("create");
        connection
            .execute("UPDATE schema_version SET version = 99", [])
            .expect("pretend newer");
        drop(connection);
        let error = open(&path, false).expect_err("too new");
        assert!(
            matches!(
                error,
                RepositoryError::SchemaTooNew {
                    found: 99,
                    known: SCHEMA_VERSION,
                    ..
                }
            ),
            "{error}"
        );
        assert_eq!(
            error.to_string(),
            format!(
                "database '{}' has schema version 99, newer than the {SCHEMA_VERSION} this program knows: upgrade conary-repos",
                path.display()
            )
        );
    }

    #[test]
    fn missing_database_is_not_created_on_open() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("repository.db");
        open(&path, false).expect_err("no database");
        assert!(!path.exists());
    }
}
