//! The local database: what is installed on one root.
//!
//! It lives in `<root>/var/lib/conarydb/`:
//!
//! - `conarydb`: SQLite (WAL, `synchronous = FULL`, foreign keys), schema
//!   versioned by [`MIGRATIONS`] as the repository's is. Installed troves
//!   are kept whole (their pristine manifests) with indexes over their
//!   files, references and dependencies; plus pins, install times, the
//!   contents of installed config files, the transaction log and the
//!   rollback stack.
//! - `lock`: held by [`Database::open`] for as long as the [`Database`]
//!   lives, so two `conary` processes never change one root at once.
//! - `journal`: present only while a transaction runs (see
//!   [`crate::journal`]); [`Database::open`] completes or undoes an
//!   interrupted one before anything else.
//! - `rollbacks/<transaction>/`: the inverse of each committed update.
//!
//! The read API here is what the update planner and the CLI's queries use;
//! writes go through [`crate::apply`] and [`crate::rollback`], except pins.
//!
//! ```rust
//! let root = tempfile::tempdir()?;
//! let db = conary_system::db::Database::open(root.path())?;
//! assert!(db.installed()?.is_empty());
//! assert!(root.path().join("var/lib/conarydb/conarydb").is_file());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod planner;
mod query;
mod record;

use std::path::{Path, PathBuf};
use std::time::Duration;

use conary_util::{LockFile, create_dir_all_synced, safe_join};
use rusqlite::{Connection, OpenFlags, OptionalExtension as _, TransactionBehavior};

pub use query::{InstalledFile, InstalledTrove, Member, MemberState, Parent};
pub(crate) use record::{Commit, NewInstance, TransactionKind};

use crate::error::SystemError;
use crate::journal::{self, Recovery};

/// Where the database directory sits under a root.
pub const DB_DIR: &str = "var/lib/conarydb";

/// The name of the SQLite file in [`DB_DIR`].
pub const DB_FILE: &str = "conarydb";

/// How long a statement waits for a reader to finish a checkpoint.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The schema, one migration per version, oldest first. Append only.
pub const MIGRATIONS: &[&str] = &[include_str!("schema.sql")];

/// The schema version this program writes: the number of [`MIGRATIONS`].
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The local database of one root, open.
///
/// Opened with [`Database::open`] it holds the root's lock and may change
/// it (apply changesets, roll back, pin); opened with
/// [`Database::open_readonly`] it only answers queries.
pub struct Database {
    root: PathBuf,
    dir: PathBuf,
    connection: Connection,
    lock: Option<LockFile>,
    recovery: Option<Recovery>,
    /// Notes of post-phase hooks recovery ran (see `scripts::pending`).
    hook_notes: Vec<String>,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("root", &self.root)
            .field("locked", &self.lock.is_some())
            .finish_non_exhaustive()
    }
}

impl Database {
    /// Opens (creating when absent) the database of `root`, takes its lock
    /// (failing at once when another process holds it), and completes or
    /// undoes a transaction a crash interrupted ([`Database::recovery`]
    /// says which).
    pub fn open(root: impl AsRef<Path>) -> Result<Database, SystemError> {
        let root = root.as_ref().to_path_buf();
        let dir = safe_join(&root, DB_DIR)?;
        create_dir_all_synced(&dir)?;
        let lock = acquire_lock(&dir.join("lock"))?;
        let connection = open_connection(&dir.join(DB_FILE), false)?;
        let mut db = Database {
            root,
            dir,
            connection,
            lock: Some(lock),
            recovery: None,
            hook_notes: Vec::new(),
        };
        db.recovery = journal::recover(&mut db)?;
        crate::rollback::sweep(&db)?;
        Ok(db)
    }

    /// Opens the database of `root` for queries only. When a crash left a
    /// transaction unfinished and no other process is at work, it is
    /// recovered first (which needs the lock for a moment).
    pub fn open_readonly(root: impl AsRef<Path>) -> Result<Database, SystemError> {
        let root = root.as_ref().to_path_buf();
        let dir = safe_join(&root, DB_DIR)?;
        let file = dir.join(DB_FILE);
        if !file.is_file() {
            return Err(SystemError::NoDatabase { path: file });
        }
        if (journal::journal_path(&dir).exists()
            || dir.join(crate::scripts::PENDING_HOOKS_FILE).exists())
            && let Ok(lock) = LockFile::try_acquire(dir.join("lock"))
        {
            drop(lock);
            let recovered = Database::open(&root)?;
            let recovery = recovered.recovery;
            let hook_notes = recovered.hook_notes.clone();
            drop(recovered);
            let mut db = Database::open_readonly(&root)?;
            db.recovery = recovery;
            db.hook_notes = hook_notes;
            return Ok(db);
        }
        let connection = open_connection(&file, true)?;
        Ok(Database {
            root,
            dir,
            connection,
            lock: None,
            recovery: None,
            hook_notes: Vec::new(),
        })
    }

    /// An empty database for `root`, held in memory: nothing under the
    /// root is created or locked. It answers queries as a root with
    /// nothing installed does, for planning and `--test` on a root that
    /// has no database yet (or does not exist); it cannot change the root.
    ///
    /// ```rust
    /// let root = tempfile::tempdir()?;
    /// let db = conary_system::db::Database::in_memory(root.path())?;
    /// assert!(db.installed()?.is_empty() && !db.is_writable());
    /// assert!(!root.path().join("var").exists());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn in_memory(root: impl AsRef<Path>) -> Result<Database, SystemError> {
        let root = root.as_ref().to_path_buf();
        // Not resolved: the root need not exist.
        let dir = root.join(DB_DIR);
        let mut connection = Connection::open_in_memory()
            .map_err(SystemError::db("opening an in-memory database"))?;
        connection
            .execute_batch("PRAGMA foreign_keys = ON")
            .map_err(SystemError::db("setting foreign keys"))?;
        migrate(&mut connection, Path::new(":memory:"))?;
        Ok(Database {
            root,
            dir,
            connection,
            lock: None,
            recovery: None,
            hook_notes: Vec::new(),
        })
    }

    /// The root this database describes.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The database directory (`<root>/var/lib/conarydb`).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What opening did about an interrupted transaction, if there was one.
    pub fn recovery(&self) -> Option<&Recovery> {
        self.recovery.as_ref()
    }

    /// The notes (failures) of the post-phase hooks that opening ran for a
    /// transaction a crash interrupted after its commit.
    pub fn hook_notes(&self) -> &[String] {
        &self.hook_notes
    }

    pub(crate) fn set_hook_notes(&mut self, notes: Vec<String>) {
        self.hook_notes = notes;
    }

    /// True when this handle holds the root's lock and may change it.
    pub fn is_writable(&self) -> bool {
        self.lock.is_some()
    }

    /// Refuses changes through a read-only handle.
    pub(crate) fn require_writable(&self) -> Result<(), SystemError> {
        if self.is_writable() {
            Ok(())
        } else {
            Err(SystemError::job(
                "the database was opened read-only: open it with Database::open to change it",
            ))
        }
    }

    pub(crate) fn connection(&self) -> &Connection {
        &self.connection
    }

    pub(crate) fn connection_mut(&mut self) -> &mut Connection {
        &mut self.connection
    }

    /// The schema version recorded in the database.
    pub fn schema_version(&self) -> Result<i64, SystemError> {
        schema_version(&self.connection)
    }
}

/// How long [`Database::open`] retries a held lock before giving up.
const LOCK_PATIENCE: Duration = Duration::from_millis(500);

/// Takes the lock, retrying for [`LOCK_PATIENCE`]: a lock just released
/// can stay held for a moment by a child process that another thread is
/// forking (its copy of the descriptor lives until it executes).
fn acquire_lock(path: &Path) -> Result<LockFile, SystemError> {
    let start = std::time::Instant::now();
    loop {
        match LockFile::try_acquire(path) {
            Err(conary_util::UtilError::Locked { .. }) if start.elapsed() < LOCK_PATIENCE => {
                std::thread::sleep(Duration::from_millis(10));
            }
            result => return Ok(result?),
        }
    }
}

/// Opens the SQLite file in WAL mode with durable commits and brings its
/// schema up to date (not for a read-only handle).
fn open_connection(path: &Path, readonly: bool) -> Result<Connection, SystemError> {
    let flags = if readonly {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
    };
    let mut connection = Connection::open_with_flags(path, flags)
        .map_err(SystemError::db("opening the database"))?;
    connection
        .busy_timeout(BUSY_TIMEOUT)
        .map_err(SystemError::db("setting the busy timeout"))?;
    if readonly {
        let found = schema_version(&connection)?;
        if found > SCHEMA_VERSION {
            return Err(SystemError::SchemaTooNew {
                path: path.to_path_buf(),
                found,
                known: SCHEMA_VERSION,
            });
        }
        return Ok(connection);
    }
    let mode: String = connection
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        .map_err(SystemError::db("switching to WAL mode"))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(SystemError::corrupt(format!(
            "cannot use WAL mode (journal mode is '{mode}')"
        )));
    }
    // A commit is the point of no return of a transaction on disk: it must
    // survive a power cut once it returns.
    connection
        .execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON")
        .map_err(SystemError::db("setting durability and foreign keys"))?;
    migrate(&mut connection, path)?;
    Ok(connection)
}

/// The schema version recorded in the database (0 for a new database).
fn schema_version(connection: &Connection) -> Result<i64, SystemError> {
    let has_table: bool = connection
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version')",
            [],
            |row| row.get(0),
        )
        .map_err(SystemError::db("reading the schema version"))?;
    if !has_table {
        return Ok(0);
    }
    let version: Option<i64> = connection
        .query_row("SELECT version FROM schema_version", [], |row| row.get(0))
        .optional()
        .map_err(SystemError::db("reading the schema version"))?;
    Ok(version.unwrap_or(0))
}

/// Applies the migrations the database lacks, all in one transaction.
fn migrate(connection: &mut Connection, path: &Path) -> Result<(), SystemError> {
    let found = schema_version(connection)?;
    if found > SCHEMA_VERSION {
        return Err(SystemError::SchemaTooNew {
            path: path.to_path_buf(),
            found,
            known: SCHEMA_VERSION,
        });
    }
    if found == SCHEMA_VERSION {
        return Ok(());
    }
    let transaction = connection
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(SystemError::db("starting a schema migration"))?;
    transaction
        .execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL) STRICT",
        )
        .map_err(SystemError::db("creating the schema_version table"))?;
    let pending = usize::try_from(found)
        .ok()
        .and_then(|applied| MIGRATIONS.get(applied..))
        .unwrap_or_default();
    for sql in pending {
        transaction
            .execute_batch(sql)
            .map_err(SystemError::db("migrating the schema"))?;
    }
    transaction
        .execute("DELETE FROM schema_version", [])
        .map_err(SystemError::db("recording the schema version"))?;
    transaction
        .execute(
            "INSERT INTO schema_version (version) VALUES (?1)",
            [SCHEMA_VERSION],
        )
        .map_err(SystemError::db("recording the schema version"))?;
    transaction
        .commit()
        .map_err(SystemError::db("committing a schema migration"))
}
