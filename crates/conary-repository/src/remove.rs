//! Marking troves removed: the one change an admin may make to a stored
//! trove.
//!
//! The instance keeps its row, version and timestamps, so history, the
//! order of versions and mirrors stay consistent; it is flagged removed
//! and the removal is recorded (who and when). From then on queries leave
//! it out, its manifest is served as a `removed` stub, and contents that
//! only removed troves hold are no longer served.

use conary_core::trove::TroveTuple;
use rusqlite::{TransactionBehavior, params};

use crate::access::{Action, Identity};
use crate::error::RepositoryError;
use crate::repo::Repository;
use crate::stamp::now_millis;

impl Repository {
    /// Marks `tuples` removed, all or none: each must be stored, readable
    /// and administrable by `identity` (else [`RepositoryError::TroveNotFound`]
    /// or [`RepositoryError::Denied`], and nothing changes). Returns the
    /// troves newly marked (those already marked are left as they are).
    pub fn mark_removed(
        &self,
        tuples: &[TroveTuple],
        identity: &Identity,
    ) -> Result<Vec<TroveTuple>, RepositoryError> {
        let mut connection = self.connection();
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(RepositoryError::database("starting to mark troves removed"))?;
        let mut marked = Vec::new();
        for tuple in tuples {
            let instance = self.readable_instance(&transaction, tuple, identity)?;
            if !identity.can(Action::Admin, &instance.label, instance.tuple.name.as_str()) {
                return Err(RepositoryError::Denied {
                    subject: identity.subject().to_string(),
                    action: "mark removed",
                    trove: instance.tuple.to_string(),
                });
            }
            if instance.removed || marked.contains(&instance.tuple) {
                continue;
            }
            let action = "marking a trove removed";
            transaction
                .prepare_cached("UPDATE instances SET removed = 1 WHERE id = ?1")
                .and_then(|mut statement| statement.execute([instance.id]))
                .map_err(RepositoryError::database(action))?;
            transaction
                .prepare_cached(
                    "INSERT INTO removals (instance_id, removed_at, subject) VALUES (?1, ?2, ?3)",
                )
                .and_then(|mut statement| {
                    statement.execute(params![
                        instance.id,
                        i64::try_from(now_millis()).unwrap_or(i64::MAX),
                        identity.subject().to_string()
                    ])
                })
                .map_err(RepositoryError::database(action))?;
            marked.push(instance.tuple);
        }
        transaction
            .commit()
            .map_err(RepositoryError::database("marking troves removed"))?;
        // Cached changesets holding these troves are never served again
        // (their key changed); free their space now.
        self.changeset_cache().invalidate(&marked);
        Ok(marked)
    }
}

#[cfg(test)]
mod tests {
    use conary_core::trove::TroveType;

    use crate::query::Query;
    use crate::testutil::{Bundle, LABEL, acl, admin, repository, user, version};

    #[test]
    fn removed_troves_become_stubs_and_leave_listings() {
        let (_dir, repository) = repository();
        let mut tuples = Vec::new();
        for build in 1..=2 {
            let mut bundle = Bundle::default();
            let v = version(&format!("/conary.example.com@rpl:2/1.0-1-{build}"));
            let contents = format!("build {build}\n");
            bundle.component("foo:runtime", &v, &[("/usr/bin/foo", contents.as_bytes())]);
            tuples.extend(
                bundle
                    .commit(&repository, &admin())
                    .expect("commit")
                    .committed,
            );
        }
        let newest = tuples[1].clone();
        let writer = user("writer", vec![acl("ALL", "ALL").with_write()]);
        let error = repository
            .mark_removed(std::slice::from_ref(&newest), &writer)
            .expect_err("not admin");
        assert!(error.is_denied(), "{error}");
        let marked = repository
            .mark_removed(std::slice::from_ref(&newest), &admin())
            .expect("mark");
        assert_eq!(marked, std::slice::from_ref(&newest));
        assert!(
            repository
                .mark_removed(std::slice::from_ref(&newest), &admin())
                .expect("again")
                .is_empty()
        );

        let label = Query::on_label(LABEL.parse().expect("label"));
        let latest = repository.trove_versions(&label, &admin()).expect("latest");
        assert_eq!(
            latest,
            [tuples[0].clone()],
            "the previous version is latest again"
        );
        let all = repository
            .trove_versions(&label.clone().all_versions().show_removed(), &admin())
            .expect("all");
        assert_eq!(all.len(), 2, "history is kept");
        let stub = repository
            .manifests(std::slice::from_ref(&newest), &admin())
            .expect("stub");
        assert_eq!(stub[0].trove_type, TroveType::Removed);
        assert!(stub[0].files.is_empty());
        assert!(
            repository
                .files(&newest, &admin())
                .expect("files")
                .is_empty()
        );
        let details = repository
            .trove_details(&newest, &admin())
            .expect("details");
        assert!(details.removed);
        assert_eq!(details.trove_type, TroveType::Normal);
        assert_eq!(details.committed_by, "user root");
    }
}
