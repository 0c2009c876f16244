//! Which troves exist: [`Query`] and [`Repository::trove_versions`].
//!
//! A query names a place (a label, a branch, or everywhere), optionally
//! names or a name glob, a version and a flavor, and asks for the latest
//! version of each name, branch and flavor (a *leaf*) or for every
//! version. "Latest" means committed last (by the trailing revision's
//! timestamp). Troves marked removed are left out, and so are troves the
//! caller may not read: silently, as if they did not exist.

use conary_api::{Location, TroveQuery};
use conary_core::flavor::Flavor;
use conary_core::name::TroveName;
use conary_core::trove::TroveTuple;
use conary_core::version::{Branch, Label, Version};
use rusqlite::types::Value;

use crate::access::{Action, Identity};
use crate::error::RepositoryError;
use crate::repo::Repository;
use crate::stamp::thaw;

/// A question about which troves exist.
///
/// ```rust
/// use conary_repository::Query;
/// let query = Query::on_label("conary.example.com@rpl:2".parse()?)
///     .matching("group-*")
///     .all_versions();
/// assert!(query.all_versions && query.pattern.as_deref() == Some("group-*"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    /// Where to look; `None` looks everywhere.
    pub location: Option<Location>,
    /// Only these names.
    pub names: Option<Vec<TroveName>>,
    /// Only names this glob matches (`*` any run, `?` one character,
    /// `[…]` a class, as SQLite's `GLOB`).
    pub pattern: Option<String>,
    /// Only this version (every flavor of it).
    pub version: Option<Version>,
    /// Only this flavor, exactly.
    pub flavor: Option<Flavor>,
    /// Every version, not only the latest of each name, branch and flavor.
    pub all_versions: bool,
    /// Include troves marked removed.
    pub show_removed: bool,
}

impl Query {
    /// Every trove on every label.
    pub fn everywhere() -> Self {
        Self::default()
    }

    /// The troves on branches whose label is `label`.
    pub fn on_label(label: Label) -> Self {
        Self {
            location: Some(Location::Label(label)),
            ..Self::default()
        }
    }

    /// The troves on exactly `branch`.
    pub fn on_branch(branch: Branch) -> Self {
        Self {
            location: Some(Location::Branch(branch)),
            ..Self::default()
        }
    }

    /// Restricts to these names.
    #[must_use]
    pub fn named(mut self, names: impl IntoIterator<Item = TroveName>) -> Self {
        self.names = Some(names.into_iter().collect());
        self
    }

    /// Restricts to names matching `glob`.
    #[must_use]
    pub fn matching(mut self, glob: &str) -> Self {
        self.pattern = Some(glob.to_owned());
        self
    }

    /// Restricts to one version (all its flavors).
    #[must_use]
    pub fn version(mut self, version: Version) -> Self {
        self.version = Some(version);
        self
    }

    /// Restricts to one flavor.
    #[must_use]
    pub fn flavor(mut self, flavor: Flavor) -> Self {
        self.flavor = Some(flavor);
        self
    }

    /// Asks for every version.
    #[must_use]
    pub fn all_versions(mut self) -> Self {
        self.all_versions = true;
        self
    }

    /// Includes troves marked removed.
    #[must_use]
    pub fn show_removed(mut self) -> Self {
        self.show_removed = true;
        self
    }
}

impl From<&TroveQuery> for Query {
    fn from(query: &TroveQuery) -> Self {
        Self {
            location: Some(query.location.clone()),
            names: query.names.clone(),
            all_versions: query.all_versions,
            ..Self::default()
        }
    }
}

/// The `WHERE` clause of instance `i`, with `b` its branch, `l` its label,
/// `t` its name and `f` its flavor, and its parameters.
pub(crate) struct Filter {
    pub(crate) sql: String,
    pub(crate) params: Vec<Value>,
}

impl Filter {
    fn new() -> Self {
        Self {
            sql: String::from("1 = 1"),
            params: Vec::new(),
        }
    }

    /// Adds `AND condition` with `?` replaced by numbered parameters.
    pub(crate) fn and(&mut self, condition: &str, values: Vec<Value>) {
        let mut sql = String::new();
        let mut values = values.into_iter();
        for piece in condition.split('?').enumerate() {
            let (index, text) = piece;
            if index > 0 {
                if let Some(value) = values.next() {
                    self.params.push(value);
                }
                sql.push_str(&format!("?{}", self.params.len()));
            }
            sql.push_str(text);
        }
        self.sql.push_str(" AND ");
        self.sql.push_str(&sql);
    }
}

/// The latest-version condition: no newer instance of the same name,
/// branch and flavor (removed ones count only with `show_removed`).
pub(crate) fn leaf_condition(show_removed: bool) -> &'static str {
    if show_removed {
        "NOT EXISTS (SELECT 1 FROM instances j WHERE j.item_id = i.item_id
             AND j.branch_id = i.branch_id AND j.flavor_id = i.flavor_id
             AND j.timestamp > i.timestamp)"
    } else {
        "i.removed = 0 AND NOT EXISTS (SELECT 1 FROM instances j WHERE j.item_id = i.item_id
             AND j.branch_id = i.branch_id AND j.flavor_id = i.flavor_id
             AND j.removed = 0 AND j.timestamp > i.timestamp)"
    }
}

/// The joins every instance listing uses.
pub(crate) const INSTANCE_JOINS: &str = "FROM instances i
     JOIN items t ON t.id = i.item_id
     JOIN flavors f ON f.id = i.flavor_id
     JOIN branches b ON b.id = i.branch_id
     JOIN labels l ON l.id = b.label_id";

/// Parses a row of (name, frozen version, flavor) into a tuple.
pub(crate) fn tuple_from_row(
    name: &str,
    frozen: &str,
    flavor: &str,
) -> Result<TroveTuple, RepositoryError> {
    let name = name.parse().map_err(|error| {
        RepositoryError::corrupt(format!("stored trove name '{name}': {error}"))
    })?;
    let flavor = flavor
        .parse()
        .map_err(|error| RepositoryError::corrupt(format!("stored flavor '{flavor}': {error}")))?;
    Ok(TroveTuple::new(name, thaw(frozen)?, flavor))
}

impl Repository {
    /// The troves that answer `query` and that `identity` may read: the
    /// latest of each name, branch and flavor unless every version is
    /// asked for (or one version is named), ordered by name, branch,
    /// commit time and flavor. Versions carry their timestamps.
    ///
    /// ```rust
    /// use conary_repository::{Query, Repository};
    /// let dir = tempfile::tempdir()?;
    /// let repository = Repository::init(dir.path(), "conary.example.com")?;
    /// repository.add_user("root", "secret", true)?;
    /// let root = repository.authenticate(&conary_repository::Credentials::Basic {
    ///     user: "root".into(), password: "secret".into() })?;
    /// let query = Query::on_label("conary.example.com@rpl:2".parse()?);
    /// assert!(repository.trove_versions(&query, &root)?.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn trove_versions(
        &self,
        query: &Query,
        identity: &Identity,
    ) -> Result<Vec<TroveTuple>, RepositoryError> {
        let mut filter = Filter::new();
        match &query.location {
            Some(Location::Label(label)) => {
                filter.and("l.label = ?", vec![Value::Text(label.to_string())]);
            }
            Some(Location::Branch(branch)) => {
                filter.and("b.branch = ?", vec![Value::Text(branch.to_string())]);
            }
            None => {}
        }
        if let Some(names) = &query.names {
            if names.is_empty() {
                return Ok(Vec::new());
            }
            let marks = vec!["?"; names.len()].join(", ");
            let values = names
                .iter()
                .map(|name| Value::Text(name.as_str().to_owned()))
                .collect();
            filter.and(&format!("t.name IN ({marks})"), values);
        }
        if let Some(pattern) = &query.pattern {
            filter.and("t.name GLOB ?", vec![Value::Text(pattern.clone())]);
        }
        if let Some(version) = &query.version {
            filter.and("i.version = ?", vec![Value::Text(version.to_string())]);
        }
        if let Some(flavor) = &query.flavor {
            filter.and("f.flavor = ?", vec![Value::Text(flavor.to_string())]);
        }
        if query.all_versions || query.version.is_some() {
            if !query.show_removed {
                filter.and("i.removed = 0", Vec::new());
            }
        } else {
            filter.and(leaf_condition(query.show_removed), Vec::new());
        }
        let sql = format!(
            "SELECT t.name, i.frozen, f.flavor, l.label {INSTANCE_JOINS}
             WHERE {} ORDER BY t.name, b.branch, i.timestamp, f.flavor",
            filter.sql
        );
        self.readable_tuples(&sql, filter.params, identity)
    }

    /// Runs `sql`, which selects (name, frozen version, flavor, label), and
    /// keeps the rows `identity` may read.
    pub(crate) fn readable_tuples(
        &self,
        sql: &str,
        params: Vec<Value>,
        identity: &Identity,
    ) -> Result<Vec<TroveTuple>, RepositoryError> {
        let action = "listing troves";
        let connection = self.connection();
        let mut statement = connection
            .prepare_cached(sql)
            .map_err(RepositoryError::database(action))?;
        let rows = statement
            .query_map(rusqlite::params_from_iter(params), |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                ))
            })
            .map_err(RepositoryError::database(action))?;
        let mut tuples = Vec::new();
        for row in rows {
            let (name, frozen, flavor, label) = row.map_err(RepositoryError::database(action))?;
            if identity.can(Action::Read, &label, &name) {
                tuples.push(tuple_from_row(&name, &frozen, &flavor)?);
            }
        }
        Ok(tuples)
    }

    /// The latest troves on `label` (all versions with `all_versions`).
    pub fn troves_on_label(
        &self,
        label: &Label,
        all_versions: bool,
        identity: &Identity,
    ) -> Result<Vec<TroveTuple>, RepositoryError> {
        let mut query = Query::on_label(label.clone());
        query.all_versions = all_versions;
        self.trove_versions(&query, identity)
    }

    /// The latest version of each flavor of `name` on `branch`.
    pub fn latest_on_branch(
        &self,
        name: &TroveName,
        branch: &Branch,
        identity: &Identity,
    ) -> Result<Vec<TroveTuple>, RepositoryError> {
        let query = Query::on_branch(branch.clone()).named([name.clone()]);
        self.trove_versions(&query, identity)
    }

    /// Every version and flavor of `name`, on every branch.
    pub fn all_versions(
        &self,
        name: &TroveName,
        identity: &Identity,
    ) -> Result<Vec<TroveTuple>, RepositoryError> {
        let query = Query::everywhere().named([name.clone()]).all_versions();
        self.trove_versions(&query, identity)
    }

    /// Every flavor of `name` at `version`.
    pub fn all_flavors(
        &self,
        name: &TroveName,
        version: &Version,
        identity: &Identity,
    ) -> Result<Vec<TroveTuple>, RepositoryError> {
        let query = Query::everywhere()
            .named([name.clone()])
            .version(version.clone());
        self.trove_versions(&query, identity)
    }

    /// The names of the troves on `label` (everywhere with `None`) that
    /// `identity` may read, sorted.
    pub fn trove_names(
        &self,
        label: Option<&Label>,
        identity: &Identity,
    ) -> Result<Vec<TroveName>, RepositoryError> {
        let action = "listing trove names";
        let connection = self.connection();
        let mut statement = connection
            .prepare_cached(
                "SELECT DISTINCT t.name, l.label FROM instances i
                 JOIN items t ON t.id = i.item_id
                 JOIN branches b ON b.id = i.branch_id
                 JOIN labels l ON l.id = b.label_id
                 WHERE i.removed = 0 AND (?1 IS NULL OR l.label = ?1)
                 ORDER BY t.name",
            )
            .map_err(RepositoryError::database(action))?;
        let rows = statement
            .query_map([label.map(ToString::to_string)], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })
            .map_err(RepositoryError::database(action))?;
        let mut names = Vec::new();
        for row in rows {
            let (name, label) = row.map_err(RepositoryError::database(action))?;
            if identity.can(Action::Read, &label, &name) {
                let name: TroveName = name.parse().map_err(|error| {
                    RepositoryError::corrupt(format!("stored trove name: {error}"))
                })?;
                if names.last() != Some(&name) {
                    names.push(name);
                }
            }
        }
        Ok(names)
    }
}
