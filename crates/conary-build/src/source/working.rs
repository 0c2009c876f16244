//! A checkout directory: creating one (`newpkg`, `checkout`), tracking
//! files (`add`, `remove`) and reading the working files.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use conary_api::TroveSource;
use conary_core::digest::PathId;
use conary_core::trove::TroveTuple;
use conary_core::version::Branch;

use super::error::SourceError;
use super::repo::{fetch_source, source_name};
use super::state::{CheckoutState, STATE_FILE, TrackedFile, check_file_name};

/// A file of the checkout as it is on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkingFile {
    /// Its contents.
    pub contents: Vec<u8>,
    /// `0o755` when any execute bit is set, else `0o644`.
    pub mode: u32,
}

/// A checkout: a directory with a `CONARY` state file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkout {
    dir: PathBuf,
    /// What the state file says (write it back with [`Checkout::save`]).
    pub state: CheckoutState,
}

impl Checkout {
    /// Opens the checkout in `dir` (reads `dir/CONARY`).
    pub fn open(dir: &Path) -> Result<Checkout, SourceError> {
        Ok(Checkout {
            dir: dir.to_path_buf(),
            state: CheckoutState::read(dir)?,
        })
    }

    /// The checkout directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The recipe's file name, `NAME.recipe`.
    pub fn recipe_file(&self) -> String {
        format!("{}.recipe", self.state.package())
    }

    /// Writes the state file.
    pub fn save(&self) -> Result<(), SourceError> {
        self.state.write(&self.dir)
    }

    /// Starts tracking files of the checkout directory (each must exist
    /// there as a regular file). Nothing changes when any name fails.
    pub fn add(&mut self, names: &[String]) -> Result<(), SourceError> {
        let mut added = BTreeMap::new();
        for name in names {
            check_file_name(name)?;
            if self.state.files.contains_key(name) || added.contains_key(name) {
                return Err(SourceError::AlreadyTracked { name: name.clone() });
            }
            let path = self.dir.join(name);
            let metadata = std::fs::metadata(&path).map_err(|e| SourceError::io(&path, e))?;
            if !metadata.is_file() {
                return Err(SourceError::BadFileName {
                    name: name.clone(),
                    reason: "not a regular file",
                });
            }
            let file = TrackedFile {
                path_id: new_path_id(self.state.package(), name),
                committed: None,
            };
            added.insert(name.clone(), file);
        }
        self.state.files.extend(added);
        Ok(())
    }

    /// Stops tracking files and deletes them from the directory (a file
    /// already gone is fine). Nothing changes when any name fails.
    pub fn remove(&mut self, names: &[String]) -> Result<(), SourceError> {
        for name in names {
            check_file_name(name)?;
            if !self.state.files.contains_key(name) {
                return Err(SourceError::NotTracked { name: name.clone() });
            }
        }
        for name in names {
            self.state.files.remove(name);
            let path = self.dir.join(name);
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(SourceError::io(&path, e)),
            }
        }
        Ok(())
    }

    /// The tracked files as they are on disk; a tracked file that is
    /// missing is an error.
    pub fn working_files(&self) -> Result<BTreeMap<String, WorkingFile>, SourceError> {
        let mut files = BTreeMap::new();
        for name in self.state.files.keys() {
            let path = self.dir.join(name);
            let contents = match std::fs::read(&path) {
                Ok(contents) => contents,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(SourceError::Missing { name: name.clone() });
                }
                Err(e) => return Err(SourceError::io(&path, e)),
            };
            let metadata = std::fs::metadata(&path).map_err(|e| SourceError::io(&path, e))?;
            let mode = if metadata.permissions().mode() & 0o111 != 0 {
                0o755
            } else {
                0o644
            };
            files.insert(name.clone(), WorkingFile { contents, mode });
        }
        Ok(files)
    }
}

/// The recipe `cvc newpkg NAME` starts from.
///
/// ```rust
/// let text = conary_build::source::recipe_skeleton("hello");
/// assert!(text.starts_with("name = \"hello\"\nversion = \"\"\n"));
/// ```
pub fn recipe_skeleton(name: &str) -> String {
    format!(
        "name = \"{name}\"\n\
         version = \"\"\n\
         build_requires = []\n\
         \n\
         def setup(r):\n\
         \x20   # r.addArchive(\"https://example.com/{name}-%(version)s.tar.gz\")\n\
         \x20   # r.Make()\n\
         \x20   # r.MakeInstall()\n\
         \x20   pass\n"
    )
}

/// Creates a checkout of a new package `name` in `dir` (created if
/// needed; it must be empty): the recipe skeleton, tracked, and a state
/// with no version whose commits go to `branch`.
pub fn new_package(dir: &Path, name: &str, branch: &Branch) -> Result<Checkout, SourceError> {
    let trove = source_name(name)?;
    let package = trove.package_str().to_owned();
    prepare_dir(dir)?;
    let recipe = format!("{package}.recipe");
    let path = dir.join(&recipe);
    std::fs::write(&path, recipe_skeleton(&package)).map_err(|e| SourceError::io(&path, e))?;
    let mut files = BTreeMap::new();
    files.insert(
        recipe.clone(),
        TrackedFile {
            path_id: new_path_id(&package, &recipe),
            committed: None,
        },
    );
    let checkout = Checkout {
        dir: dir.to_path_buf(),
        state: CheckoutState {
            name: trove,
            version: None,
            branch: branch.clone(),
            last_merged: None,
            files,
        },
    };
    checkout.save()?;
    Ok(checkout)
}

/// Checks out source version `tuple` into `dir` (created if needed; it
/// must be empty): every file with its mode, and the state.
pub fn checkout(
    source: &dyn TroveSource,
    tuple: &TroveTuple,
    dir: &Path,
) -> Result<Checkout, SourceError> {
    let fetched = fetch_source(source, tuple)?;
    prepare_dir(dir)?;
    let mut files = BTreeMap::new();
    for (name, file) in &fetched.files {
        let path = dir.join(name);
        std::fs::write(&path, &file.contents).map_err(|e| SourceError::io(&path, e))?;
        let mode = if file.stream.mode.bits() & 0o111 != 0 {
            0o755
        } else {
            0o644
        };
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))
            .map_err(|e| SourceError::io(&path, e))?;
        files.insert(
            name.clone(),
            TrackedFile {
                path_id: file.path_id,
                committed: Some((file.file_id, file.version.clone())),
            },
        );
    }
    let checkout = Checkout {
        dir: dir.to_path_buf(),
        state: CheckoutState {
            name: tuple.name.clone(),
            version: Some(tuple.version.clone()),
            branch: tuple.version.branch().clone(),
            last_merged: None,
            files,
        },
    };
    checkout.save()?;
    Ok(checkout)
}

/// Creates `dir`, or checks that it is empty.
fn prepare_dir(dir: &Path) -> Result<(), SourceError> {
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).map_err(|e| SourceError::io(dir, e))?;
        if entries.next().is_some() || dir.join(STATE_FILE).exists() {
            return Err(SourceError::DirectoryExists {
                path: dir.to_path_buf(),
            });
        }
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|e| SourceError::io(dir, e))
}

/// A fresh pathId for file `name` of `package`: BLAKE3 of the names, the
/// current time in nanoseconds and the process id (unique enough: a
/// pathId only has to differ from the other files of the trove).
fn new_path_id(package: &str, name: &str) -> PathId {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos());
    let seed = [
        b"source-pathid".as_slice(),
        package.as_bytes(),
        name.as_bytes(),
        &nanos.to_le_bytes(),
        &std::process::id().to_le_bytes(),
    ]
    .join(&0u8);
    PathId::derive(&seed)
}
