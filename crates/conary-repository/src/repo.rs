//! [`Repository`]: a repository directory and the handles it opens.
//!
//! Layout of a repository directory:
//!
//! ```text
//! DIR/config           settings (serverName), see crate::config
//! DIR/repository.db    metadata in SQLite (WAL), see crate::db
//! DIR/contents/        file contents, a conary-store FsStore
//! ```

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use conary_store::{BlobStore, FsStore};
use rusqlite::{Connection, OptionalExtension as _};

use crate::config::RepositoryConfig;
use crate::db;
use crate::error::RepositoryError;
use crate::password::VerifiedCache;

/// Name of the config file in a repository directory.
pub const CONFIG_FILE: &str = "config";
/// Name of the metadata database in a repository directory.
pub const DATABASE_FILE: &str = "repository.db";
/// Name of the contents store directory in a repository directory.
pub const CONTENTS_DIR: &str = "contents";

/// An open repository: its settings, its metadata database and its
/// contents store. Shareable between threads; database work is serialized
/// on one connection.
///
/// ```rust
/// use conary_repository::Repository;
/// let dir = tempfile::tempdir()?;
/// let created = Repository::init(dir.path().join("repo"), "conary.example.com")?;
/// drop(created);
/// let repository = Repository::open(dir.path().join("repo"))?;
/// assert_eq!(repository.name(), "conary.example.com");
/// assert!(!repository.anonymous()?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Repository {
    dir: PathBuf,
    name: String,
    connection: Mutex<Connection>,
    store: Box<dyn BlobStore>,
    verified: VerifiedCache,
}

impl Repository {
    /// Creates a repository named `name` in directory `dir` (created when
    /// missing). Refuses when `dir` already holds a repository or any of
    /// its files.
    pub fn init(dir: impl AsRef<Path>, name: &str) -> Result<Self, RepositoryError> {
        let dir = dir.as_ref();
        crate::names::check_server_name(name)?;
        for file in [CONFIG_FILE, DATABASE_FILE, CONTENTS_DIR] {
            let path = dir.join(file);
            match path.try_exists() {
                Ok(false) => {}
                Ok(true) => return Err(RepositoryError::AlreadyExists { path }),
                Err(error) => return Err(RepositoryError::io("inspect", path, error)),
            }
        }
        conary_util::create_dir_all_synced(dir)?;
        let store = FsStore::open(dir.join(CONTENTS_DIR))?;
        let connection = db::open(&dir.join(DATABASE_FILE), true)?;
        connection
            .execute(
                "INSERT INTO server_info (key, value) VALUES ('name', ?1)",
                [name],
            )
            .map_err(RepositoryError::database("recording the server name"))?;
        // The config file comes last: a directory with one is complete.
        let config = RepositoryConfig {
            server_name: name.to_owned(),
        };
        conary_util::atomic_write(dir.join(CONFIG_FILE), config.to_text().as_bytes())?;
        Ok(Self {
            dir: dir.to_path_buf(),
            name: name.to_owned(),
            connection: Mutex::new(connection),
            store: Box::new(store),
            verified: VerifiedCache::new(),
        })
    }

    /// Opens the repository in `dir`, upgrading its database schema when
    /// it is older than this program's.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, RepositoryError> {
        let dir = dir.as_ref();
        let config_path = dir.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&config_path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Err(RepositoryError::NotARepository {
                    path: dir.to_path_buf(),
                    reason: "it has no config file",
                });
            }
            Err(error) => return Err(RepositoryError::io("read", config_path, error)),
        };
        let config = RepositoryConfig::parse(&text, &config_path)?;
        let database_path = dir.join(DATABASE_FILE);
        if !database_path.is_file() {
            return Err(RepositoryError::NotARepository {
                path: dir.to_path_buf(),
                reason: "it has no repository.db",
            });
        }
        let connection = db::open(&database_path, false)?;
        let recorded: Option<String> = connection
            .query_row(
                "SELECT value FROM server_info WHERE key = 'name'",
                [],
                |row| row.get(0),
            )
            .optional()
            .map_err(RepositoryError::database("reading the server name"))?;
        match recorded {
            Some(recorded) if recorded == config.server_name => {}
            Some(recorded) => {
                return Err(RepositoryError::NameMismatch {
                    config: config.server_name,
                    database: recorded,
                });
            }
            None => {
                return Err(RepositoryError::Corrupt {
                    reason: "no server name recorded".to_owned(),
                });
            }
        }
        let store = FsStore::open(dir.join(CONTENTS_DIR))?;
        Ok(Self {
            dir: dir.to_path_buf(),
            name: config.server_name,
            connection: Mutex::new(connection),
            store: Box::new(store),
            verified: VerifiedCache::new(),
        })
    }

    /// The repository's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The server name, which labels of this repository start with.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The contents store.
    pub fn store(&self) -> &dyn BlobStore {
        self.store.as_ref()
    }

    /// This repository with its contents in `store` instead of its
    /// directory, for tests that watch what a commit does to the store.
    #[cfg(test)]
    pub(crate) fn with_store(mut self, store: Box<dyn BlobStore>) -> Self {
        self.store = store;
        self
    }

    /// The schema version of the database.
    pub fn schema_version(&self) -> Result<i64, RepositoryError> {
        db::schema_version(&self.connection())
    }

    /// Whether callers without credentials may read (as the `anonymous`
    /// role allows).
    pub fn anonymous(&self) -> Result<bool, RepositoryError> {
        let value: Option<String> = self
            .connection()
            .query_row(
                "SELECT value FROM server_info WHERE key = 'anonymous'",
                [],
                |row| row.get(0),
            )
            .optional()
            .map_err(RepositoryError::database("reading the anonymous setting"))?;
        Ok(value.as_deref() == Some("1"))
    }

    /// Turns anonymous access on or off.
    pub fn set_anonymous(&self, on: bool) -> Result<(), RepositoryError> {
        self.connection()
            .execute(
                "INSERT INTO server_info (key, value) VALUES ('anonymous', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [if on { "1" } else { "0" }],
            )
            .map_err(RepositoryError::database("changing the anonymous setting"))?;
        Ok(())
    }

    /// Recently verified passwords.
    pub(crate) fn verified(&self) -> &VerifiedCache {
        &self.verified
    }

    /// The database connection. A panic while it was held cannot leave it
    /// inconsistent (open transactions roll back on drop), so a poisoned
    /// lock is taken over.
    pub(crate) fn connection(&self) -> MutexGuard<'_, Connection> {
        self.connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_refuses_to_overwrite() {
        let dir = tempfile::tempdir().expect("temp dir");
        drop(Repository::init(dir.path(), "a.example.com").expect("init"));
        let error = Repository::init(dir.path(), "b.example.com").expect_err("exists");
        assert!(
            matches!(error, RepositoryError::AlreadyExists { .. }),
            "{error}"
        );
        let repository = Repository::open(dir.path()).expect("open");
        assert_eq!(repository.name(), "a.example.com");
    }

    #[test]
    fn init_creates_the_layout() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("new/repo");
        let repository = Repository::init(&root, "a.example.com").expect("init");
        assert!(root.join(CONFIG_FILE).is_file());
        assert!(root.join(DATABASE_FILE).is_file());
        assert!(root.join(CONTENTS_DIR).is_dir());
        assert_eq!(
            repository.schema_version().expect("version"),
            db::SCHEMA_VERSION
        );
        let (digest, _) = repository.store().put_bytes(b"x").expect("put");
        assert!(
            root.join(CONTENTS_DIR)
                .join(&digest.to_string()[..2])
                .is_dir()
        );
    }

    #[test]
    fn init_rejects_bad_names() {
        let dir = tempfile::tempdir().expect("temp dir");
        let error = Repository::init(dir.path(), "a@b").expect_err("bad name");
        assert!(
            matches!(error, RepositoryError::InvalidName { .. }),
            "{error}"
        );
        assert!(!dir.path().join(DATABASE_FILE).exists());
    }

    #[test]
    fn open_checks_the_name() {
        let dir = tempfile::tempdir().expect("temp dir");
        drop(Repository::init(dir.path(), "a.example.com").expect("init"));
        std::fs::write(dir.path().join(CONFIG_FILE), "serverName b.example.com\n")
            .expect("edit config");
        let error = Repository::open(dir.path()).expect_err("mismatch");
        assert_eq!(
            error.to_string(),
            "config names the server 'b.example.com' but the database was created for 'a.example.com'"
        );
    }

    #[test]
    fn open_needs_the_database() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join(CONFIG_FILE), "serverName b.example.com\n").expect("config");
        let error = Repository::open(dir.path()).expect_err("no database");
        assert!(
            matches!(error, RepositoryError::NotARepository { .. }),
            "{error}"
        );
        assert!(!dir.path().join(DATABASE_FILE).exists());
    }

    #[test]
    fn anonymous_flag() {
        let dir = tempfile::tempdir().expect("temp dir");
        let repository = Repository::init(dir.path(), "a.example.com").expect("init");
        assert!(!repository.anonymous().expect("read"));
        repository.set_anonymous(true).expect("on");
        assert!(repository.anonymous().expect("read"));
        drop(repository);
        let repository = Repository::open(dir.path()).expect("open");
        assert!(repository.anonymous().expect("read"));
        repository.set_anonymous(false).expect("off");
        assert!(!repository.anonymous().expect("read"));
    }
}
