//! Interned names: labels, branches, trove names, flavors and
//! dependencies each get one row and are referred to by id.
//!
//! The `*_id` functions insert what is missing and must run inside the
//! commit's write transaction; the `find_*` functions only read.

use conary_core::deps::{Dependency, DependencySet};
use conary_core::flavor::Flavor;
use conary_core::name::TroveName;
use conary_core::version::{Branch, Label};
use rusqlite::{Connection, OptionalExtension as _, params};

use crate::error::RepositoryError;

/// The id of the row of `table` whose `column` is `value`, if any.
fn find(
    connection: &Connection,
    table: &str,
    column: &str,
    value: &str,
) -> Result<Option<i64>, RepositoryError> {
    let sql = format!("SELECT id FROM {table} WHERE {column} = ?1");
    connection
        .prepare_cached(&sql)
        .and_then(|mut statement| statement.query_row([value], |row| row.get(0)).optional())
        .map_err(RepositoryError::database("looking up an interned name"))
}

/// The id of a label, if it was ever used.
pub(crate) fn find_label(
    connection: &Connection,
    label: &Label,
) -> Result<Option<i64>, RepositoryError> {
    find(connection, "labels", "label", &label.to_string())
}

/// The id of a branch, if it was ever used.
pub(crate) fn find_branch(
    connection: &Connection,
    branch: &Branch,
) -> Result<Option<i64>, RepositoryError> {
    find(connection, "branches", "branch", &branch.to_string())
}

/// The id of a trove name, if it was ever used.
pub(crate) fn find_item(
    connection: &Connection,
    name: &TroveName,
) -> Result<Option<i64>, RepositoryError> {
    find(connection, "items", "name", name.as_str())
}

/// The id of a flavor, if it was ever used.
pub(crate) fn find_flavor(
    connection: &Connection,
    flavor: &Flavor,
) -> Result<Option<i64>, RepositoryError> {
    find(connection, "flavors", "flavor", &flavor.to_string())
}

/// The id of a label, inserted when missing.
pub(crate) fn label_id(connection: &Connection, label: &Label) -> Result<i64, RepositoryError> {
    if let Some(id) = find_label(connection, label)? {
        return Ok(id);
    }
    connection
        .prepare_cached("INSERT INTO labels (label) VALUES (?1)")
        .and_then(|mut statement| statement.insert([label.to_string()]))
        .map_err(RepositoryError::database("recording a label"))
}

/// The id of a branch (and of its label), inserted when missing.
pub(crate) fn branch_id(connection: &Connection, branch: &Branch) -> Result<i64, RepositoryError> {
    if let Some(id) = find_branch(connection, branch)? {
        return Ok(id);
    }
    let label = label_id(connection, branch.label())?;
    connection
        .prepare_cached("INSERT INTO branches (branch, label_id) VALUES (?1, ?2)")
        .and_then(|mut statement| statement.insert(params![branch.to_string(), label]))
        .map_err(RepositoryError::database("recording a branch"))
}

/// The id of a trove name, inserted when missing.
pub(crate) fn item_id(connection: &Connection, name: &TroveName) -> Result<i64, RepositoryError> {
    if let Some(id) = find_item(connection, name)? {
        return Ok(id);
    }
    connection
        .prepare_cached("INSERT INTO items (name, package) VALUES (?1, ?2)")
        .and_then(|mut statement| statement.insert([name.as_str(), name.package_str()]))
        .map_err(RepositoryError::database("recording a trove name"))
}

/// The id of a flavor, inserted when missing.
pub(crate) fn flavor_id(connection: &Connection, flavor: &Flavor) -> Result<i64, RepositoryError> {
    if let Some(id) = find_flavor(connection, flavor)? {
        return Ok(id);
    }
    connection
        .prepare_cached("INSERT INTO flavors (flavor) VALUES (?1)")
        .and_then(|mut statement| statement.insert([flavor.to_string()]))
        .map_err(RepositoryError::database("recording a flavor"))
}

/// The frozen form of one dependency: what the `dependencies` table is
/// keyed by and parsed back from.
pub(crate) fn freeze_dependency(dependency: &Dependency) -> String {
    let mut set = DependencySet::new();
    set.insert(dependency.clone());
    set.freeze()
}

/// Parses a dependency stored by [`dependency_id`].
pub(crate) fn thaw_dependency(frozen: &str) -> Result<Dependency, RepositoryError> {
    let set = DependencySet::thaw(frozen).map_err(|error| {
        RepositoryError::corrupt(format!("stored dependency '{frozen}': {error}"))
    })?;
    let mut dependencies = set.iter();
    match (dependencies.next(), dependencies.next()) {
        (Some(dependency), None) => Ok(dependency.clone()),
        _ => Err(RepositoryError::corrupt(format!(
            "stored dependency '{frozen}' is not exactly one dependency"
        ))),
    }
}

/// The id of a dependency, inserted when missing.
pub(crate) fn dependency_id(
    connection: &Connection,
    dependency: &Dependency,
) -> Result<i64, RepositoryError> {
    let frozen = freeze_dependency(dependency);
    if let Some(id) = find(connection, "dependencies", "frozen", &frozen)? {
        return Ok(id);
    }
    let flags: Vec<&str> = dependency.flags().iter().map(String::as_str).collect();
    connection
        .prepare_cached(
            "INSERT INTO dependencies (class, name, flags, frozen) VALUES (?1, ?2, ?3, ?4)",
        )
        .and_then(|mut statement| {
            statement.insert(params![
                i64::from(dependency.class().id()),
                dependency.name(),
                flags.join(" "),
                frozen
            ])
        })
        .map_err(RepositoryError::database("recording a dependency"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependencies_round_trip_through_their_frozen_form() {
        for text in [
            "soname: ELF64/libc.so.6(GLIBC_2.34 SysV x86_64)",
            "perl: Foo::Bar",
            "trove: foo:runtime(ssl)",
            "deb: libc6(>=2.34)",
            "file: /bin/sh",
        ] {
            let dependency: Dependency = text.parse().expect("dependency");
            let frozen = freeze_dependency(&dependency);
            assert_eq!(
                thaw_dependency(&frozen).expect("thaw"),
                dependency,
                "{text}"
            );
        }
        assert!(thaw_dependency("").is_err());
        assert!(thaw_dependency("4#a|4#b").is_err());
    }
}
