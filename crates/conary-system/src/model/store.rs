//! The model on disk: `<root>/etc/conary/system-model`, the snapshot
//! `system-model.next` written before a sync applies anything and renamed
//! over the model once it succeeded (a leftover snapshot is an interrupted
//! sync, finished by the next one), and the model in effect before a
//! transaction, kept in its rollback entry (`system-model` beside the
//! inverse changeset) so that rolling back writes it back.

use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use super::SystemModel;
use super::error::ModelError;
use crate::apply;
use crate::db::Database;
use crate::error::SystemError;

/// Where the model lives, under the root.
pub const MODEL_PATH: &str = "etc/conary/system-model";

/// The suffix of the snapshot of a model being applied.
pub const NEXT_SUFFIX: &str = ".next";

/// The name of the model kept in a rollback entry.
const ROLLBACK_FILE: &str = "system-model";

/// The model files of one root.
///
/// ```rust
/// use conary_system::model::ModelFiles;
/// let root = tempfile::tempdir()?;
/// let files = ModelFiles::new(root.path());
/// assert!(files.read()?.is_none());
/// files.write_next("search conary.example.com@deb:12\n")?;
/// files.commit_next()?;
/// assert_eq!(files.read()?.map(|(_, text)| text).as_deref(), Some("search conary.example.com@deb:12\n"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ModelFiles {
    path: PathBuf,
    next: PathBuf,
}

impl ModelFiles {
    /// The model files under `root`.
    pub fn new(root: &Path) -> ModelFiles {
        let path = root.join(MODEL_PATH);
        let mut next = path.clone().into_os_string();
        next.push(NEXT_SUFFIX);
        ModelFiles {
            path,
            next: PathBuf::from(next),
        }
    }

    /// `<root>/etc/conary/system-model`.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `<root>/etc/conary/system-model.next`.
    pub fn next_path(&self) -> &Path {
        &self.next
    }

    /// Whether the root has a model.
    pub fn exists(&self) -> bool {
        self.path.exists()
    }

    /// The model and its text, `None` when there is none.
    ///
    /// # Errors
    /// The file cannot be read, is not UTF-8, or is not a valid model.
    pub fn read(&self) -> Result<Option<(SystemModel, String)>, ModelError> {
        read_model(&self.path)
    }

    /// The snapshot an interrupted sync left, `None` when there is none.
    ///
    /// # Errors
    /// As [`read`](Self::read).
    pub fn read_next(&self) -> Result<Option<(SystemModel, String)>, ModelError> {
        read_model(&self.next)
    }

    /// Writes the snapshot (durably, readable by all).
    ///
    /// # Errors
    /// The directory cannot be made or the file written.
    pub fn write_next(&self, text: &str) -> Result<(), ModelError> {
        if let Some(parent) = self.next.parent() {
            fs::create_dir_all(parent).map_err(ModelError::io("create", parent))?;
        }
        write(&self.next, text)
    }

    /// Writes the model itself (durably, readable by all).
    ///
    /// # Errors
    /// The directory cannot be made or the file written.
    pub fn write(&self, text: &str) -> Result<(), ModelError> {
        if let Some(parent) = self.path.parent() {
            fs::create_dir_all(parent).map_err(ModelError::io("create", parent))?;
        }
        write(&self.path, text)
    }

    /// Renames the snapshot over the model: the sync it was written for
    /// succeeded.
    ///
    /// # Errors
    /// The rename fails.
    pub fn commit_next(&self) -> Result<(), ModelError> {
        fs::rename(&self.next, &self.path).map_err(ModelError::io("rename", &self.next))?;
        if let Some(parent) = self.path.parent() {
            conary_util::fsync_dir(parent).map_err(|source| ModelError::Write {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        Ok(())
    }

    /// Removes the snapshot (a dry run, or nothing applied).
    ///
    /// # Errors
    /// It exists and cannot be removed.
    pub fn discard_next(&self) -> Result<(), ModelError> {
        match fs::remove_file(&self.next) {
            Ok(()) => Ok(()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(error) => Err(ModelError::Io {
                action: "remove",
                path: self.next.clone(),
                source: error,
            }),
        }
    }
}

fn write(path: &Path, text: &str) -> Result<(), ModelError> {
    let mut file = conary_util::AtomicFile::create(path).map_err(|source| ModelError::Write {
        path: path.to_path_buf(),
        source,
    })?;
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(ModelError::io("write", path))?;
    file.as_file()
        .set_permissions(fs::Permissions::from_mode(0o644))
        .map_err(ModelError::io("set the mode of", path))?;
    file.commit().map_err(|source| ModelError::Write {
        path: path.to_path_buf(),
        source,
    })
}

fn read_model(path: &Path) -> Result<Option<(SystemModel, String)>, ModelError> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => {
            return Err(ModelError::Io {
                action: "read",
                path: path.to_path_buf(),
                source: error,
            });
        }
    };
    let text = String::from_utf8(bytes).map_err(|_| ModelError::NotUtf8 {
        path: path.to_path_buf(),
    })?;
    let model = SystemModel::parse(&text)?;
    Ok(Some((model, text)))
}

/// The number of the newest rollback entry, to pass to
/// [`save_for_rollbacks`] after the transactions of a sync.
///
/// # Errors
/// The database cannot be read.
pub fn newest_rollback(db: &Database) -> Result<Option<i64>, SystemError> {
    Ok(crate::rollback::list(db)?.first().map(|info| info.number))
}

/// Keeps `previous` (the model in effect before a sync) in every rollback
/// entry newer than `since` (the newest entry before the sync, from
/// [`newest_rollback`]), so that rolling any of them back restores it.
///
/// # Errors
/// The database cannot be read or a file cannot be written.
pub fn save_for_rollbacks(
    db: &Database,
    since: Option<i64>,
    previous: &str,
) -> Result<usize, SystemError> {
    let mut saved = 0usize;
    for info in crate::rollback::list(db)? {
        if since.is_some_and(|since| info.number <= since) {
            continue;
        }
        let dir = apply::rollback_dir(db).join(info.transaction.to_string());
        if !dir.is_dir() {
            continue;
        }
        let path = dir.join(ROLLBACK_FILE);
        conary_util::atomic_write(&path, previous.as_bytes()).map_err(SystemError::from)?;
        saved = saved.saturating_add(1);
    }
    Ok(saved)
}

/// The model a rollback entry's directory keeps, if any.
///
/// # Errors
/// The file exists and cannot be read.
pub fn saved_for_rollback(entry_dir: &Path) -> Result<Option<String>, SystemError> {
    let path = entry_dir.join(ROLLBACK_FILE);
    match fs::read(&path) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(SystemError::io_with("read", &path)(error)),
    }
}

/// Writes back the model a rolled-back entry kept.
///
/// # Errors
/// The model cannot be written.
pub fn restore_from_rollback(root: &Path, text: &str) -> Result<(), SystemError> {
    let files = ModelFiles::new(root);
    files.write(text)?;
    Ok(files.discard_next()?)
}
