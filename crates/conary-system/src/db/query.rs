//! The read API of the local database: what the update planner and the
//! CLI's queries ask.

use std::collections::{BTreeMap, BTreeSet};

use conary_core::deps::{Dependency, DependencySet};
use conary_core::digest::{Digest, FileId, PathId};
use conary_core::files::FileStream;
use conary_core::flavor::Flavor;
use conary_core::name::TroveName;
use conary_core::trove::{Trove, TroveTuple};
use conary_core::version::Version;
use rusqlite::{OptionalExtension as _, params};

use super::Database;
use crate::error::SystemError;

/// An installed trove with what only the machine knows about it.
///
/// ```rust
/// use conary_system::db::InstalledTrove;
/// let trove = InstalledTrove {
///     tuple: "foo:runtime=/conary.example.com@rpl:2/1.0-1-1[]".parse().expect("tuple"),
///     pinned: false,
///     install_time: 1_700_000_000,
/// };
/// assert_eq!(trove.tuple.to_string(), "foo:runtime=/conary.example.com@rpl:2/1.0-1-1[]");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalledTrove {
    /// Name, version (with its timestamps) and flavor.
    pub tuple: TroveTuple,
    /// Never replaced or erased while pinned.
    pub pinned: bool,
    /// When it was installed, in seconds since the epoch.
    pub install_time: u64,
}

/// A file of an installed trove, with its pristine stream.
///
/// ```rust
/// use conary_core::digest::{FileId, PathId};
/// use conary_core::files::{FileKind, FileStream, Mode};
/// use conary_system::db::InstalledFile;
/// let stream = FileStream::new(FileKind::Directory, Mode::new(0o755).expect("mode"), "root", "root");
/// let file = InstalledFile {
///     trove: "foo:runtime=/conary.example.com@rpl:2/1.0-1-1[]".parse().expect("tuple"),
///     path_id: PathId::derive(b"/usr/share/foo"),
///     path: "/usr/share/foo".to_owned(),
///     file_id: stream.file_id(),
///     stream,
///     is_present: true,
/// };
/// assert_eq!(file.stream.ls_line(&file.path).chars().next(), Some('d'));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalledFile {
    /// The trove that owns it.
    pub trove: TroveTuple,
    /// Its pathId in that trove.
    pub path_id: PathId,
    /// Where it is installed (`/usr/bin/foo`).
    pub path: String,
    /// Its fileId.
    pub file_id: FileId,
    /// Its stream as installed (pristine: local changes are not recorded).
    pub stream: FileStream,
    /// False when another trove took the path over
    /// (`--replace-managed-files`).
    pub is_present: bool,
}

/// Whether a member of an installed collection is installed.
///
/// ```rust
/// use conary_system::db::MemberState;
/// assert_ne!(MemberState::Installed, MemberState::NotInstalled);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberState {
    /// Exactly this trove is installed.
    Installed,
    /// Other versions or flavors of the same name are installed instead
    /// (the member was updated on its own).
    Replaced(Vec<TroveTuple>),
    /// No trove of that name is installed: not installed by default, or
    /// erased on purpose when the reference is by default.
    NotInstalled,
}

/// A reference of an installed collection, with what is installed of it.
///
/// ```rust
/// use conary_system::db::{Member, MemberState};
/// let member = Member {
///     tuple: "foo:debuginfo=/conary.example.com@rpl:2/1.0-1-1[]".parse().expect("tuple"),
///     strong: true,
///     by_default: false,
///     state: MemberState::NotInstalled,
/// };
/// assert!(!member.erased_on_purpose());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The referenced trove.
    pub tuple: TroveTuple,
    /// Referenced directly (not through another member).
    pub strong: bool,
    /// Installed with the collection unless asked otherwise.
    pub by_default: bool,
    /// What is installed of it.
    pub state: MemberState,
}

impl Member {
    /// A by-default member of which nothing is installed: the user erased
    /// it, and updates of the collection must not bring it back.
    pub fn erased_on_purpose(&self) -> bool {
        self.by_default && self.state == MemberState::NotInstalled
    }
}

/// An installed collection that references a trove.
///
/// ```rust
/// use conary_system::db::Parent;
/// let parent = Parent {
///     tuple: "foo=/conary.example.com@rpl:2/1.0-1-1[]".parse().expect("tuple"),
///     strong: true,
///     by_default: true,
/// };
/// assert!(parent.strong);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parent {
    /// The collection.
    pub tuple: TroveTuple,
    /// The reference is strong.
    pub strong: bool,
    /// The reference is by default.
    pub by_default: bool,
}

/// Reads a tuple from its stored columns.
pub(crate) fn stored_tuple(
    name: &str,
    frozen_version: &str,
    flavor: &str,
) -> Result<TroveTuple, SystemError> {
    let bad = |what: &str, error: String| {
        SystemError::corrupt(format!("stored {what} of trove '{name}': {error}"))
    };
    let name: TroveName = name.parse().map_err(|e| bad("name", format!("{e}")))?;
    let version = Version::thaw(frozen_version).map_err(|e| bad("version", format!("{e}")))?;
    let flavor: Flavor = flavor.parse().map_err(|e| bad("flavor", format!("{e}")))?;
    Ok(TroveTuple::new(name, version, flavor))
}

/// Reads a reference's tuple (stored without timestamps).
/// The name, version and flavor text of a row's first three columns
/// (`TUPLE_COLUMNS`), still to be parsed.
fn raw_tuple(row: &rusqlite::Row<'_>) -> rusqlite::Result<(String, String, String)> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
}

fn stored_ref(name: &str, version: &str, flavor: &str) -> Result<TroveTuple, SystemError> {
    let bad = |error: String| SystemError::corrupt(format!("stored reference '{name}': {error}"));
    Ok(TroveTuple::new(
        name.parse().map_err(|e| bad(format!("{e}")))?,
        version.parse().map_err(|e| bad(format!("{e}")))?,
        flavor.parse().map_err(|e| bad(format!("{e}")))?,
    ))
}

pub(crate) fn decode_stream(bytes: &[u8]) -> Result<FileStream, SystemError> {
    FileStream::decode(bytes).map_err(|e| SystemError::corrupt(format!("stored file stream: {e}")))
}

fn blob16(bytes: &[u8]) -> Result<[u8; 16], SystemError> {
    bytes
        .try_into()
        .map_err(|_| SystemError::corrupt("stored pathId is not 16 bytes"))
}

fn blob32(bytes: &[u8]) -> Result<[u8; 32], SystemError> {
    bytes
        .try_into()
        .map_err(|_| SystemError::corrupt("stored fileId or digest is not 32 bytes"))
}

/// The columns of `instances` that make a tuple.
/// How many paths [`Database::present_owners`] asks for in one query
/// (SQLite allows 32,766 parameters).
pub(crate) const OWNER_BATCH: usize = 500;

const TUPLE_COLUMNS: &str = "i.name, i.frozen_version, i.flavor";

impl Database {
    /// The id of an installed trove.
    pub(crate) fn instance_id(&self, tuple: &TroveTuple) -> Result<Option<i64>, SystemError> {
        self.connection()
            .prepare_cached(
                "SELECT id FROM instances WHERE name = ?1 AND version = ?2 AND flavor = ?3",
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
            .map_err(SystemError::db("looking up an installed trove"))
    }

    /// Runs `sql` with `params` and maps every row through `map`; a
    /// failure is reported as `action` (e.g. "querying files").
    fn select<T>(
        &self,
        action: &'static str,
        sql: &str,
        params: impl rusqlite::Params,
        map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, SystemError> {
        let mut statement = self
            .connection()
            .prepare_cached(sql)
            .map_err(SystemError::db(action))?;
        let rows = statement
            .query_map(params, map)
            .map_err(SystemError::db(action))?;
        rows.collect::<Result<_, _>>()
            .map_err(SystemError::db(action))
    }

    fn tuples(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<TroveTuple>, SystemError> {
        let rows = self.select("querying installed troves", sql, params, raw_tuple)?;
        let mut tuples = rows
            .iter()
            .map(|(name, version, flavor)| stored_tuple(name, version, flavor))
            .collect::<Result<Vec<_>, _>>()?;
        tuples.sort();
        Ok(tuples)
    }

    /// Every installed trove, sorted.
    pub fn installed(&self) -> Result<Vec<TroveTuple>, SystemError> {
        self.tuples(&format!("SELECT {TUPLE_COLUMNS} FROM instances i"), [])
    }

    /// Every installed trove with its pin and install time, sorted.
    pub fn installed_troves(&self) -> Result<Vec<InstalledTrove>, SystemError> {
        let rows = self.select(
            "querying installed troves",
            &format!("SELECT {TUPLE_COLUMNS}, i.pinned, i.install_time FROM instances i"),
            [],
            |row| {
                Ok((
                    raw_tuple(row)?,
                    row.get::<_, bool>(3)?,
                    row.get::<_, i64>(4)?,
                ))
            },
        )?;
        let mut troves = Vec::new();
        for ((name, version, flavor), pinned, time) in rows {
            troves.push(InstalledTrove {
                tuple: stored_tuple(&name, &version, &flavor)?,
                pinned,
                install_time: u64::try_from(time).unwrap_or(0),
            });
        }
        troves.sort_by(|a, b| a.tuple.cmp(&b.tuple));
        Ok(troves)
    }

    /// The installed troves named `name` (any version or flavor), sorted.
    pub fn installed_named(&self, name: &TroveName) -> Result<Vec<TroveTuple>, SystemError> {
        self.tuples(
            &format!("SELECT {TUPLE_COLUMNS} FROM instances i WHERE i.name = ?1"),
            [name.as_str()],
        )
    }

    /// True when exactly this trove is installed.
    pub fn is_installed(&self, tuple: &TroveTuple) -> Result<bool, SystemError> {
        Ok(self.instance_id(tuple)?.is_some())
    }

    /// The pristine manifest of an installed trove.
    pub fn trove(&self, tuple: &TroveTuple) -> Result<Option<Trove>, SystemError> {
        let bytes: Option<Vec<u8>> = self
            .connection()
            .prepare_cached(
                "SELECT trove FROM instances WHERE name = ?1 AND version = ?2 AND flavor = ?3",
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
            .map_err(SystemError::db("reading a trove"))?;
        bytes
            .map(|bytes| {
                Trove::decode(&bytes)
                    .map_err(|e| SystemError::corrupt(format!("stored trove {tuple}: {e}")))
            })
            .transpose()
    }

    /// The manifests of installed troves, in the same order; `None` for a
    /// trove that is not installed.
    pub fn troves(&self, tuples: &[TroveTuple]) -> Result<Vec<Option<Trove>>, SystemError> {
        tuples.iter().map(|tuple| self.trove(tuple)).collect()
    }

    /// Whether an installed trove is pinned (`None`: not installed).
    pub fn is_pinned(&self, tuple: &TroveTuple) -> Result<Option<bool>, SystemError> {
        self.connection()
            .query_row(
                "SELECT pinned FROM instances WHERE name = ?1 AND version = ?2 AND flavor = ?3",
                params![
                    tuple.name.as_str(),
                    tuple.version.to_string(),
                    tuple.flavor.to_string()
                ],
                |row| row.get(0),
            )
            .optional()
            .map_err(SystemError::db("reading a pin"))
    }

    /// The pinned troves, sorted.
    pub fn pinned(&self) -> Result<Vec<TroveTuple>, SystemError> {
        self.tuples(
            &format!("SELECT {TUPLE_COLUMNS} FROM instances i WHERE i.pinned = 1"),
            [],
        )
    }

    /// Pins (`true`) or unpins an installed trove; false when it is not
    /// installed.
    pub fn set_pinned(&mut self, tuple: &TroveTuple, pinned: bool) -> Result<bool, SystemError> {
        self.require_writable()?;
        let changed = self
            .connection()
            .execute(
                "UPDATE instances SET pinned = ?4 WHERE name = ?1 AND version = ?2 AND flavor = ?3",
                params![
                    tuple.name.as_str(),
                    tuple.version.to_string(),
                    tuple.flavor.to_string(),
                    pinned
                ],
            )
            .map_err(SystemError::db("setting a pin"))?;
        Ok(changed > 0)
    }

    fn file_rows(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<InstalledFile>, SystemError> {
        let rows = self.select("querying files", sql, params, |row| {
            Ok((
                raw_tuple(row)?,
                row.get::<_, Vec<u8>>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, Vec<u8>>(5)?,
                row.get::<_, Vec<u8>>(6)?,
                row.get::<_, bool>(7)?,
            ))
        })?;
        let mut files = Vec::new();
        // Rows come trove by trove: each tuple is parsed once.
        let mut last: Option<((String, String, String), TroveTuple)> = None;
        for (raw, path_id, path, file_id, stream, is_present) in rows {
            let trove = match &last {
                Some((seen, tuple)) if *seen == raw => tuple.clone(),
                _ => {
                    let tuple = stored_tuple(&raw.0, &raw.1, &raw.2)?;
                    last = Some((raw, tuple.clone()));
                    tuple
                }
            };
            files.push(InstalledFile {
                trove,
                path_id: PathId::from_bytes(blob16(&path_id)?),
                path,
                file_id: FileId::from_bytes(blob32(&file_id)?),
                stream: decode_stream(&stream)?,
                is_present,
            });
        }
        files.sort_by(|a, b| (&a.path, &a.trove).cmp(&(&b.path, &b.trove)));
        Ok(files)
    }

    /// The files of an installed trove, by path (empty when it is not
    /// installed).
    pub fn files(&self, tuple: &TroveTuple) -> Result<Vec<InstalledFile>, SystemError> {
        self.file_rows(
            &format!(
                "SELECT {TUPLE_COLUMNS}, f.path_id, f.path, f.file_id, s.stream, f.is_present
                 FROM instances i JOIN trove_files f ON f.instance_id = i.id
                 JOIN streams s ON s.file_id = f.file_id
                 WHERE i.name = ?1 AND i.version = ?2 AND i.flavor = ?3"
            ),
            params![
                tuple.name.as_str(),
                tuple.version.to_string(),
                tuple.flavor.to_string()
            ],
        )
    }

    /// The installed files at `path` (`/usr/bin/foo`): which troves own it.
    pub fn owners(&self, path: &str) -> Result<Vec<InstalledFile>, SystemError> {
        self.file_rows(
            &format!(
                "SELECT {TUPLE_COLUMNS}, f.path_id, f.path, f.file_id, s.stream, f.is_present
                 FROM instances i JOIN trove_files f ON f.instance_id = i.id
                 JOIN streams s ON s.file_id = f.file_id
                 WHERE f.path = ?1"
            ),
            [path],
        )
    }

    /// The present installed files at each of `paths`, by path, each
    /// path's sorted by trove, leaving out the files of the troves in
    /// `except` (their streams are not even decoded): what the file plan
    /// checks for every path, in one query per [`OWNER_BATCH`] paths
    /// instead of one per path.
    pub(crate) fn present_owners<'p>(
        &self,
        paths: impl IntoIterator<Item = &'p str>,
        except: &BTreeSet<TroveTuple>,
    ) -> Result<BTreeMap<String, Vec<InstalledFile>>, SystemError> {
        let paths: Vec<&str> = paths.into_iter().collect();
        let error = |source| SystemError::Database {
            action: "looking up the owners of paths",
            source,
        };
        let mut tuples: BTreeMap<[String; 3], TroveTuple> = BTreeMap::new();
        let mut owners: BTreeMap<String, Vec<InstalledFile>> = BTreeMap::new();
        for chunk in paths.chunks(OWNER_BATCH) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let sql = format!(
                "SELECT {TUPLE_COLUMNS}, f.path_id, f.path, f.file_id, s.stream
                 FROM trove_files f JOIN instances i ON f.instance_id = i.id
                 JOIN streams s ON s.file_id = f.file_id
                 WHERE f.is_present = 1 AND f.path IN ({marks})"
            );
            let mut statement = self.connection().prepare(&sql).map_err(error)?;
            let mut rows = statement
                .query(rusqlite::params_from_iter(chunk.iter()))
                .map_err(error)?;
            while let Some(row) = rows.next().map_err(error)? {
                let key: [String; 3] = [
                    row.get(0).map_err(error)?,
                    row.get(1).map_err(error)?,
                    row.get(2).map_err(error)?,
                ];
                let trove = match tuples.get(&key) {
                    Some(trove) => trove.clone(),
                    None => {
                        let [name, version, flavor] = &key;
                        let trove = stored_tuple(name, version, flavor)?;
                        tuples.insert(key, trove.clone());
                        trove
                    }
                };
                if except.contains(&trove) {
                    continue;
                }
                let path_id: Vec<u8> = row.get(3).map_err(error)?;
                let path: String = row.get(4).map_err(error)?;
                let file_id: Vec<u8> = row.get(5).map_err(error)?;
                let stream: Vec<u8> = row.get(6).map_err(error)?;
                owners.entry(path.clone()).or_default().push(InstalledFile {
                    trove,
                    path_id: PathId::from_bytes(blob16(&path_id)?),
                    path,
                    file_id: FileId::from_bytes(blob32(&file_id)?),
                    stream: decode_stream(&stream)?,
                    is_present: true,
                });
            }
        }
        for files in owners.values_mut() {
            files.sort_by(|a, b| a.trove.cmp(&b.trove));
        }
        Ok(owners)
    }

    /// Every installed file, by path.
    pub fn all_files(&self) -> Result<Vec<InstalledFile>, SystemError> {
        self.file_rows(
            &format!(
                "SELECT {TUPLE_COLUMNS}, f.path_id, f.path, f.file_id, s.stream, f.is_present
                 FROM instances i JOIN trove_files f ON f.instance_id = i.id
                 JOIN streams s ON s.file_id = f.file_id"
            ),
            [],
        )
    }

    /// The paths of installed, present regular files whose pristine
    /// contents have `digest`.
    pub(crate) fn paths_with_digest(&self, digest: &Digest) -> Result<Vec<String>, SystemError> {
        self.select(
            "looking up contents",
            "SELECT DISTINCT path FROM trove_files WHERE digest = ?1 AND is_present = 1 ORDER BY path",
            [digest.as_bytes().as_slice()],
            |row| row.get(0),
        )
    }

    /// The stored stream with `file_id`, if an installed file has it.
    pub fn stream(&self, file_id: &FileId) -> Result<Option<FileStream>, SystemError> {
        let bytes: Option<Vec<u8>> = self
            .connection()
            .prepare_cached("SELECT stream FROM streams WHERE file_id = ?1")
            .and_then(|mut statement| {
                statement
                    .query_row([file_id.as_bytes().as_slice()], |row| row.get(0))
                    .optional()
            })
            .map_err(SystemError::db("reading a file stream"))?;
        bytes.map(|bytes| decode_stream(&bytes)).transpose()
    }

    /// The pristine contents of an installed config file, by digest.
    pub fn config_contents(&self, digest: &Digest) -> Result<Option<Vec<u8>>, SystemError> {
        self.connection()
            .prepare_cached("SELECT data FROM config_contents WHERE digest = ?1")
            .and_then(|mut statement| {
                statement
                    .query_row([digest.as_bytes().as_slice()], |row| row.get(0))
                    .optional()
            })
            .map_err(SystemError::db("reading config contents"))
    }

    /// What an installed trove provides (`None`: not installed).
    pub fn provides(&self, tuple: &TroveTuple) -> Result<Option<DependencySet>, SystemError> {
        Ok(self.trove(tuple)?.map(|trove| trove.provides))
    }

    /// What an installed trove requires (`None`: not installed).
    pub fn requires(&self, tuple: &TroveTuple) -> Result<Option<DependencySet>, SystemError> {
        Ok(self.trove(tuple)?.map(|trove| trove.requires))
    }

    fn dependency_matches(
        &self,
        kind: i64,
        dependency: &Dependency,
    ) -> Result<Vec<(TroveTuple, Dependency)>, SystemError> {
        let rows = self.select(
            "querying dependencies",
            &format!(
                "SELECT {TUPLE_COLUMNS}, d.frozen FROM instances i
                 JOIN dependencies d ON d.instance_id = i.id
                 WHERE d.kind = ?1 AND d.class = ?2 AND d.name = ?3"
            ),
            params![kind, i64::from(dependency.class().id()), dependency.name()],
            |row| Ok((raw_tuple(row)?, row.get::<_, String>(3)?)),
        )?;
        let mut found = Vec::new();
        for ((name, version, flavor), frozen) in rows {
            let set = DependencySet::thaw(&frozen)
                .map_err(|e| SystemError::corrupt(format!("stored dependency '{frozen}': {e}")))?;
            let tuple = stored_tuple(&name, &version, &flavor)?;
            for stored in set.iter() {
                found.push((tuple.clone(), stored.clone()));
            }
        }
        Ok(found)
    }

    /// The installed troves whose provides satisfy `required`, sorted.
    pub fn what_provides(&self, required: &Dependency) -> Result<Vec<TroveTuple>, SystemError> {
        let troves: BTreeSet<TroveTuple> = self
            .dependency_matches(0, required)?
            .into_iter()
            .filter(|(_, provided)| provided.satisfies(required))
            .map(|(tuple, _)| tuple)
            .collect();
        Ok(troves.into_iter().collect())
    }

    /// The installed troves with a requirement that `provided` satisfies,
    /// sorted.
    pub fn what_requires(&self, provided: &Dependency) -> Result<Vec<TroveTuple>, SystemError> {
        let troves: BTreeSet<TroveTuple> = self
            .dependency_matches(1, provided)?
            .into_iter()
            .filter(|(_, required)| provided.satisfies(required))
            .map(|(tuple, _)| tuple)
            .collect();
        Ok(troves.into_iter().collect())
    }

    /// Every installed trove with what it provides, sorted.
    pub fn all_provides(&self) -> Result<Vec<(TroveTuple, DependencySet)>, SystemError> {
        self.all_dependencies(|trove| trove.provides)
    }

    /// Every installed trove with what it requires, sorted.
    pub fn all_requires(&self) -> Result<Vec<(TroveTuple, DependencySet)>, SystemError> {
        self.all_dependencies(|trove| trove.requires)
    }

    fn all_dependencies(
        &self,
        pick: impl Fn(Trove) -> DependencySet,
    ) -> Result<Vec<(TroveTuple, DependencySet)>, SystemError> {
        let mut all = Vec::new();
        for tuple in self.installed()? {
            if let Some(trove) = self.trove(&tuple)? {
                all.push((tuple, pick(trove)));
            }
        }
        Ok(all)
    }

    /// The references of an installed collection with what is installed
    /// of each (empty when it is not installed or not a collection).
    pub fn members(&self, collection: &TroveTuple) -> Result<Vec<Member>, SystemError> {
        let Some(trove) = self.trove(collection)? else {
            return Ok(Vec::new());
        };
        let mut members = Vec::new();
        for (tuple, by_default, strong) in trove.iter_refs() {
            let state = if self.is_installed(tuple)? {
                MemberState::Installed
            } else {
                let others = self.installed_named(&tuple.name)?;
                if others.is_empty() {
                    MemberState::NotInstalled
                } else {
                    MemberState::Replaced(others)
                }
            };
            members.push(Member {
                tuple: tuple.clone(),
                strong,
                by_default,
                state,
            });
        }
        Ok(members)
    }

    /// The installed collections that reference `tuple` (by name, version
    /// and flavor), sorted.
    pub fn parents(&self, tuple: &TroveTuple) -> Result<Vec<Parent>, SystemError> {
        let rows = self.select(
            "querying references",
            &format!(
                "SELECT {TUPLE_COLUMNS}, r.strong, r.by_default FROM instances i
                 JOIN trove_refs r ON r.instance_id = i.id
                 WHERE r.name = ?1 AND r.version = ?2 AND r.flavor = ?3"
            ),
            params![
                tuple.name.as_str(),
                tuple.version.to_string(),
                tuple.flavor.to_string()
            ],
            |row| {
                Ok((
                    raw_tuple(row)?,
                    row.get::<_, bool>(3)?,
                    row.get::<_, bool>(4)?,
                ))
            },
        )?;
        let mut parents = Vec::new();
        for ((name, version, flavor), strong, by_default) in rows {
            parents.push(Parent {
                tuple: stored_tuple(&name, &version, &flavor)?,
                strong,
                by_default,
            });
        }
        parents.sort_by(|a, b| (&a.tuple, a.strong).cmp(&(&b.tuple, b.strong)));
        Ok(parents)
    }

    /// The members that installed collections reference by default but of
    /// which nothing is installed: erased on purpose, so that an update of
    /// the collection does not bring them back. Sorted, each once.
    pub fn erased_on_purpose(&self) -> Result<Vec<TroveTuple>, SystemError> {
        let rows = self.select(
            "querying references",
            "SELECT DISTINCT r.name, r.version, r.flavor FROM trove_refs r
             WHERE r.by_default = 1
               AND NOT EXISTS (SELECT 1 FROM instances i WHERE i.name = r.name)",
            [],
            raw_tuple,
        )?;
        let mut tuples = BTreeSet::new();
        for (name, version, flavor) in rows {
            tuples.insert(stored_ref(&name, &version, &flavor)?);
        }
        Ok(tuples.into_iter().collect())
    }
}
