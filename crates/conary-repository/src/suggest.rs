//! Dependency suggestions: which troves on a label path provide what a
//! set of requirements asks for.
//!
//! As the original's `getDepSuggestions`: for each requirement the labels
//! are searched in order and the first label with providers wins; only the
//! latest version of each name, branch and flavor is offered, marked-removed
//! troves never, and troves the caller may not read are left out.

use std::collections::BTreeMap;

use conary_core::deps::{Dependency, DependencySet};
use conary_core::trove::TroveTuple;
use conary_core::version::Label;

use crate::access::{Action, Identity};
use crate::error::RepositoryError;
use crate::intern::thaw_dependency;
use crate::query::{INSTANCE_JOINS, leaf_condition, tuple_from_row};
use crate::repo::Repository;

impl Repository {
    /// For each requirement in `requires`, the troves on the first of
    /// `labels` that provide it (requirements nobody provides are left
    /// out).
    pub fn dep_suggestions(
        &self,
        labels: &[Label],
        requires: &DependencySet,
        identity: &Identity,
    ) -> Result<BTreeMap<Dependency, Vec<TroveTuple>>, RepositoryError> {
        let action = "finding dependency providers";
        let sql = format!(
            "SELECT t.name, i.frozen, f.flavor, d.frozen
             FROM dependencies d
             JOIN provides p ON p.dependency_id = d.id
             JOIN instances i ON i.id = p.instance_id
             {joins}
             WHERE d.class = ?1 AND d.name = ?2 AND l.label = ?3 AND {leaf}
             ORDER BY t.name, b.branch, f.flavor",
            joins = INSTANCE_JOINS
                .trim_start_matches("FROM instances i")
                .trim_start(),
            leaf = leaf_condition(false),
        );
        let connection = self.connection();
        let mut statement = connection
            .prepare_cached(&sql)
            .map_err(RepositoryError::database(action))?;
        let mut suggestions = BTreeMap::new();
        for required in requires.iter() {
            for label in labels {
                let label_text = label.to_string();
                let rows = statement
                    .query_map(
                        rusqlite::params![
                            i64::from(required.class().id()),
                            required.name(),
                            label_text
                        ],
                        |row| {
                            Ok((
                                row.get::<_, String>(0)?,
                                row.get::<_, String>(1)?,
                                row.get::<_, String>(2)?,
                                row.get::<_, String>(3)?,
                            ))
                        },
                    )
                    .map_err(RepositoryError::database(action))?;
                let mut providers: Vec<TroveTuple> = Vec::new();
                for row in rows {
                    let (name, frozen, flavor, provided) =
                        row.map_err(RepositoryError::database(action))?;
                    if !identity.can(Action::Read, &label_text, &name) {
                        continue;
                    }
                    if !thaw_dependency(&provided)?.satisfies(required) {
                        continue;
                    }
                    let tuple = tuple_from_row(&name, &frozen, &flavor)?;
                    if !providers.contains(&tuple) {
                        providers.push(tuple);
                    }
                }
                if !providers.is_empty() {
                    suggestions.insert(required.clone(), providers);
                    break;
                }
            }
        }
        Ok(suggestions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{Bundle, LABEL, acl, admin, repository, user, version};

    #[test]
    fn providers_on_the_first_label_that_has_them() {
        let (_dir, repository) = repository();
        let mut tuples = Vec::new();
        for (label, name, provides) in [
            (
                "conary.example.com@rpl:2",
                "libfoo:lib",
                "soname: ELF64/libfoo.so.1(SysV x86_64)",
            ),
            (
                "conary.example.com@rpl:3",
                "libfoo:lib",
                "soname: ELF64/libfoo.so.1(SysV x86_64)",
            ),
            ("conary.example.com@rpl:3", "sh:runtime", "file: /bin/sh"),
        ] {
            let mut bundle = Bundle::default();
            let trove = bundle.component(name, &version(&format!("/{label}/1.0-1-1")), &[]);
            trove.provides = provides.parse().expect("provides");
            tuples.extend(
                bundle
                    .commit(&repository, &admin())
                    .expect("commit")
                    .committed,
            );
        }
        let labels: Vec<Label> = [LABEL, "conary.example.com@rpl:3"]
            .iter()
            .map(|label| label.parse().expect("label"))
            .collect();
        let requires: DependencySet =
            "soname: ELF64/libfoo.so.1(x86_64) file: /bin/sh file: /bin/bash"
                .parse()
                .expect("requires");
        let found = repository
            .dep_suggestions(&labels, &requires, &admin())
            .expect("suggestions");
        assert_eq!(found.len(), 2, "{found:?}");
        let soname: Dependency = "soname: ELF64/libfoo.so.1(x86_64)".parse().expect("dep");
        assert_eq!(found[&soname], [tuples[0].clone()]);
        let sh: Dependency = "file: /bin/sh".parse().expect("dep");
        assert_eq!(found[&sh], [tuples[2].clone()]);

        let narrow = user("narrow", vec![acl("conary.example.com@rpl:3", "ALL")]);
        let found = repository
            .dep_suggestions(&labels, &requires, &narrow)
            .expect("suggestions");
        assert_eq!(
            found[&soname],
            [tuples[1].clone()],
            "unreadable providers are skipped"
        );
        let stricter: DependencySet = "soname: ELF64/libfoo.so.1(x86_64 GLIBC_9)"
            .parse()
            .expect("req");
        assert!(
            repository
                .dep_suggestions(&labels, &stricter, &admin())
                .expect("suggestions")
                .is_empty()
        );
    }
}
