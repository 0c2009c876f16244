//! Commit timestamps: the repository gives every new version its
//! timestamps, and fills in those of the versions a trove refers to.
//!
//! Rules (run inside the commit's write transaction, so concurrent commits
//! see each other):
//!
//! - A version already stored for a trove of the same package (`foo`,
//!   `foo:runtime`, any flavor) keeps the timestamps it was stored with:
//!   re-committing is idempotent and the troves of one build share them.
//! - A new version's trailing revision gets a new timestamp: the current
//!   time in milliseconds, or one more than the newest on its branch when
//!   that is not earlier, so timestamps are strictly increasing per
//!   branch. A timestamp the committer sent for it is replaced: a shadow
//!   made from another server's version keeps only its parent's
//!   *branch-point* timestamps.
//! - A branch point (`/a@b:c/1.0-1/d/…`) keeps the timestamp it carries;
//!   one without is looked up among stored versions.
//! - A referenced version (a file version, a package's components, a
//!   group's members) is, in order: a version of this commit; for this
//!   repository's host, the stored one (so references always agree with
//!   what is stored); for another host, the version as sent when it
//!   carries every timestamp. Anything else is refused.

use std::collections::BTreeMap;

use conary_core::name::TroveName;
use conary_core::trove::{Trove, TroveRef, TroveTuple};
use conary_core::version::{Branch, BranchStep, Timestamp, Version};
use rusqlite::{Connection, OptionalExtension as _};

use crate::error::RepositoryError;

/// The current time in milliseconds since the epoch.
pub(crate) fn now_millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |elapsed| {
            u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
        })
}

/// Whether every revision of `version` has a timestamp.
pub(crate) fn fully_stamped(version: &Version) -> bool {
    version.timestamps().iter().all(Option::is_some)
}

/// Parses a frozen version read from the database.
pub(crate) fn thaw(frozen: &str) -> Result<Version, RepositoryError> {
    Version::thaw(frozen)
        .map_err(|error| RepositoryError::corrupt(format!("stored version '{frozen}': {error}")))
}

/// `trove` with every version it holds (its own, its files', its
/// references') stripped of timestamps: what two commits of the same trove
/// must agree on.
pub(crate) fn without_timestamps(trove: &Trove) -> Trove {
    let mut plain = trove.clone();
    plain.version = trove.version.without_timestamps();
    for file in plain.files.values_mut() {
        file.file_version = file.file_version.without_timestamps();
    }
    let strip = |refs: &BTreeMap<TroveTuple, TroveRef>| {
        refs.iter()
            .map(|(tuple, reference)| {
                let mut tuple = tuple.clone();
                tuple.version = tuple.version.without_timestamps();
                (tuple, reference.clone())
            })
            .collect()
    };
    plain.strong_refs = strip(&trove.strong_refs);
    plain.weak_refs = strip(&trove.weak_refs);
    plain
}

/// Assigns and resolves timestamps for one commit.
pub(crate) struct Stamper<'c> {
    connection: &'c Connection,
    host: &'c str,
    now: u64,
    /// Versions of this commit's troves, by (package, plain version).
    own: BTreeMap<(String, String), Version>,
    /// The same, by plain version only.
    own_any: BTreeMap<String, Version>,
    /// The newest timestamp handed out per branch in this commit.
    newest: BTreeMap<String, u64>,
}

impl<'c> Stamper<'c> {
    /// A stamper for a commit to the repository named `host`, at `now`.
    pub(crate) fn new(connection: &'c Connection, host: &'c str, now: u64) -> Self {
        Self {
            connection,
            host,
            now,
            own: BTreeMap::new(),
            own_any: BTreeMap::new(),
            newest: BTreeMap::new(),
        }
    }

    /// The frozen version stored for `version` by a trove of `package`.
    fn stored_for_package(
        &self,
        package: &str,
        version: &Version,
    ) -> Result<Option<Version>, RepositoryError> {
        let frozen: Option<String> = self
            .connection
            .prepare_cached(
                "SELECT i.frozen FROM instances i JOIN items t ON t.id = i.item_id
                 WHERE i.version = ?1 AND t.package = ?2 LIMIT 1",
            )
            .and_then(|mut statement| {
                statement
                    .query_row([version.to_string().as_str(), package], |row| row.get(0))
                    .optional()
            })
            .map_err(RepositoryError::database("looking up a version"))?;
        frozen.as_deref().map(thaw).transpose()
    }

    /// The frozen version stored for `version` by a trove named `name`.
    fn stored_for_item(
        &self,
        name: &TroveName,
        version: &Version,
    ) -> Result<Option<Version>, RepositoryError> {
        let frozen: Option<String> = self
            .connection
            .prepare_cached(
                "SELECT i.frozen FROM instances i JOIN items t ON t.id = i.item_id
                 WHERE i.version = ?1 AND t.name = ?2 LIMIT 1",
            )
            .and_then(|mut statement| {
                statement
                    .query_row([version.to_string().as_str(), name.as_str()], |row| {
                        row.get(0)
                    })
                    .optional()
            })
            .map_err(RepositoryError::database("looking up a version"))?;
        frozen.as_deref().map(thaw).transpose()
    }

    /// The frozen version stored for `version` by any trove.
    fn stored_for_any(&self, version: &Version) -> Result<Option<Version>, RepositoryError> {
        let frozen: Option<String> = self
            .connection
            .prepare_cached("SELECT frozen FROM instances WHERE version = ?1 LIMIT 1")
            .and_then(|mut statement| {
                statement
                    .query_row([version.to_string()], |row| row.get(0))
                    .optional()
            })
            .map_err(RepositoryError::database("looking up a version"))?;
        frozen.as_deref().map(thaw).transpose()
    }

    /// The next timestamp on `branch`: now, or one past the newest there.
    fn next_timestamp(&mut self, branch: &Branch) -> Result<Timestamp, RepositoryError> {
        let key = branch.to_string();
        let newest = match self.newest.get(&key) {
            Some(newest) => *newest,
            None => {
                let stored: Option<i64> = self
                    .connection
                    .prepare_cached(
                        "SELECT max(i.timestamp) FROM instances i
                         JOIN branches b ON b.id = i.branch_id WHERE b.branch = ?1",
                    )
                    .and_then(|mut statement| statement.query_row([&key], |row| row.get(0)))
                    .map_err(RepositoryError::database("reading the newest timestamp"))?;
                stored
                    .and_then(|value| u64::try_from(value).ok())
                    .unwrap_or(0)
            }
        };
        let next = newest
            .checked_add(1)
            .ok_or_else(|| {
                RepositoryError::corrupt(format!("branch {key} has no timestamps left"))
            })?
            .max(self.now);
        self.newest.insert(key, next);
        Ok(Timestamp::from_millis(next))
    }

    /// The timestamps of the branch points of `branch`, root first: kept
    /// when carried, else looked up.
    fn branch_point_timestamps(
        &self,
        branch: &Branch,
        whole: &Version,
    ) -> Result<Vec<Timestamp>, RepositoryError> {
        let mut stamps = Vec::new();
        let mut current = branch.clone();
        while let Some(step) = current.steps().last().cloned() {
            let Some(parent) = current.parent_branch() else {
                break;
            };
            if let BranchStep::Branch { revision, .. } = step {
                let stamp = match revision.timestamp() {
                    Some(stamp) => stamp,
                    None => {
                        let point = Version::new(parent.clone(), revision).map_err(|error| {
                            RepositoryError::invalid_commit(format!(
                                "version {whole} has an impossible branch point: {error}"
                            ))
                        })?;
                        self.lookup_any(&point)?
                            .and_then(|stored| stored.timestamp())
                            .ok_or_else(|| {
                                RepositoryError::invalid_commit(format!(
                                    "version {whole} branches from {point}, which carries no timestamp and is not in this repository"
                                ))
                            })?
                    }
                };
                stamps.push(stamp);
            }
            current = parent;
        }
        stamps.reverse();
        Ok(stamps)
    }

    /// A version of this commit or a stored one, by plain version only.
    fn lookup_any(&self, version: &Version) -> Result<Option<Version>, RepositoryError> {
        if let Some(own) = self.own_any.get(&version.to_string()) {
            return Ok(Some(own.clone()));
        }
        self.stored_for_any(version)
    }

    /// The version a trove named `name` of this commit is stored under:
    /// stored timestamps when the package has the version, new ones
    /// otherwise.
    pub(crate) fn own_version(
        &mut self,
        name: &TroveName,
        version: &Version,
    ) -> Result<Version, RepositoryError> {
        let key = (name.package_str().to_owned(), version.to_string());
        if let Some(own) = self.own.get(&key) {
            return Ok(own.clone());
        }
        let stamped = match self.stored_for_package(name.package_str(), version)? {
            Some(stored) => stored,
            None => {
                let mut stamps = self.branch_point_timestamps(version.branch(), version)?;
                stamps.push(self.next_timestamp(version.branch())?);
                version.with_timestamps(&stamps).map_err(|error| {
                    RepositoryError::invalid_commit(format!("version {version}: {error}"))
                })?
            }
        };
        self.own_any
            .entry(key.1.clone())
            .or_insert_with(|| stamped.clone());
        self.own.insert(key, stamped.clone());
        Ok(stamped)
    }

    /// The stamped form of a version a trove of `package` refers to, with
    /// `item` the referenced trove's name (for references) or `None` (for
    /// file versions).
    fn resolve(
        &self,
        package: &str,
        item: Option<&TroveName>,
        version: &Version,
        what: &dyn Fn() -> String,
    ) -> Result<Version, RepositoryError> {
        let plain = version.to_string();
        let own_package = item.map_or(package, TroveName::package_str);
        if let Some(own) = self.own.get(&(own_package.to_owned(), plain.clone())) {
            return Ok(own.clone());
        }
        let ours = version.host() == self.host;
        if !ours && fully_stamped(version) {
            return Ok(version.clone());
        }
        let stored = match item {
            Some(name) => self.stored_for_item(name, version)?,
            None => match self.stored_for_package(package, version)? {
                Some(stored) => Some(stored),
                None => self.lookup_any(version)?,
            },
        };
        if let Some(stored) = stored {
            return Ok(stored);
        }
        if ours && item.is_none() && fully_stamped(version) {
            return Ok(version.clone());
        }
        Err(RepositoryError::invalid_commit(format!(
            "{} refers to version {version}, which {}",
            what(),
            if ours {
                "is not in this repository"
            } else {
                "carries no timestamps and is not in this repository"
            }
        )))
    }

    /// `trove` with its own version, file versions and references stamped.
    /// Call [`Stamper::own_version`] for every trove of the commit first.
    pub(crate) fn stamp(&mut self, trove: &Trove) -> Result<Trove, RepositoryError> {
        let mut stamped = trove.clone();
        stamped.version = self.own_version(&trove.name, &trove.version)?;
        let package = trove.name.package_str();
        let tuple = trove.tuple();
        for file in stamped.files.values_mut() {
            let what = || format!("file '{}' of trove {tuple}", file.path);
            file.file_version = self.resolve(package, None, &file.file_version, &what)?;
        }
        let resolve_refs = |refs: &BTreeMap<TroveTuple, TroveRef>| {
            refs.iter()
                .map(|(target, reference)| {
                    let what = || format!("trove {tuple}");
                    let version =
                        self.resolve(package, Some(&target.name), &target.version, &what)?;
                    let mut target = target.clone();
                    target.version = version;
                    Ok((target, reference.clone()))
                })
                .collect::<Result<BTreeMap<_, _>, RepositoryError>>()
        };
        stamped.strong_refs = resolve_refs(&trove.strong_refs)?;
        stamped.weak_refs = resolve_refs(&trove.weak_refs)?;
        Ok(stamped)
    }
}
