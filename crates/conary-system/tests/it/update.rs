//! Updates oldest to newest, erasures and rollbacks of corpus packages.

use conary_system::apply::{self, ApplyOptions, NoProgress};
use conary_system::db::Database;
use conary_system::rollback::{self, RollbackTarget};
use conary_system::verify::{VerifyOptions, verify};

use crate::fixtures::{
    Repo, assert_root_is, erase_job, install_job, leftovers, run_jobs, snapshot, update_job,
};

/// Families of versions, oldest first.
const FAMILIES: &[&[&str]] = &[
    &[
        "libexpat1_2.5.0-1+deb12u2_amd64.deb",
        "libexpat1_2.5.0-1+deb12u5_amd64.deb",
    ],
    &[
        "tzdata_2025b-0+deb12u1_all.deb",
        "tzdata_2026b-0+deb12u1_all.deb",
        "tzdata_2026f-0+deb12u1_all.deb",
    ],
    &[
        "sudo_1.9.13p3-1+deb12u2_amd64.deb",
        "sudo_1.9.13p3-1+deb12u4_amd64.deb",
    ],
    &[
        "ca-certificates_20230311+deb12u1_all.deb",
        "ca-certificates_20250419~deb12u2_all.deb",
    ],
    &[
        "rsyslog_8.2302.0-1+deb12u1_amd64.deb",
        "rsyslog_8.2302.0-1+deb12u2_amd64.deb",
    ],
    &[
        "libssl3_3.0.17-1~deb12u2_amd64.deb",
        "libssl3_3.0.20-1~deb12u2_amd64.deb",
        "libssl3_3.0.22-1~deb12u2_amd64.deb",
    ],
];

fn clean(db: &Database) {
    assert!(
        verify(db, None, VerifyOptions::default())
            .expect("verify")
            .is_empty()
    );
    assert!(leftovers(db.root()).is_empty());
}

#[test]
fn updates_oldest_to_newest_then_rolls_back_to_nothing() {
    for family in FAMILIES {
        let repo = Repo::new();
        let tuples = repo.import(family);
        let root = tempfile::tempdir().expect("root");
        let mut db = Database::open(root.path()).expect("open");
        run_jobs(&mut db, &repo, &[install_job(&tuples[0])]);
        assert_root_is(root.path(), &family[..1]);
        clean(&db);
        for step in 1..tuples.len() {
            let report = run_jobs(
                &mut db,
                &repo,
                &[update_job(&tuples[step - 1], &tuples[step])],
            );
            assert!(
                report
                    .updated
                    .iter()
                    .any(|(old, new)| *old == tuples[step - 1] && *new == tuples[step])
            );
            assert_root_is(root.path(), &family[step..=step]);
            assert!(!db.is_installed(&tuples[step - 1]).expect("query"));
            assert!(db.is_installed(&tuples[step]).expect("query"));
            clean(&db);
        }
        assert_eq!(rollback::list(&db).expect("list").len(), tuples.len());
        let source = repo.source();
        for step in (0..tuples.len()).rev() {
            let reports = rollback::rollback(
                &mut db,
                RollbackTarget::Count(1),
                Some(&source),
                &ApplyOptions::default(),
                &NoProgress,
            )
            .expect("rollback");
            assert_eq!(reports.len(), 1);
            assert!(!reports[0].rollback_recorded);
            if step > 0 {
                assert_root_is(root.path(), &family[step - 1..step]);
                assert!(db.is_installed(&tuples[step - 1]).expect("query"));
            }
            clean(&db);
        }
        assert!(db.installed().expect("installed").is_empty());
        assert!(rollback::list(&db).expect("list").is_empty());
        let left: Vec<String> = snapshot(root.path()).into_keys().collect();
        assert_eq!(left, ["var", "var/lib"], "{family:?}");
    }
}

#[test]
fn erasing_removes_files_and_directories_but_shared_ones() {
    let repo = Repo::new();
    let tuples = repo.import(&[
        "libcurl4_7.88.1-10+deb12u15_amd64.deb",
        "curl_7.88.1-10+deb12u15_amd64.deb",
    ]);
    let root = tempfile::tempdir().expect("root");
    let mut db = Database::open(root.path()).expect("open");
    run_jobs(
        &mut db,
        &repo,
        &[install_job(&tuples[0]), install_job(&tuples[1])],
    );
    let report = run_jobs(&mut db, &repo, &[erase_job(&tuples[1])]);
    assert!(report.erased.contains(&tuples[1]));
    assert!(report.files_removed > 0);
    assert_root_is(root.path(), &["libcurl4_7.88.1-10+deb12u15_amd64.deb"]);
    assert!(
        db.installed_named(&"curl:runtime".parse().expect("name"))
            .expect("query")
            .is_empty()
    );
    clean(&db);
    apply::erase(
        &mut db,
        &[tuples[0].clone()],
        true,
        &ApplyOptions::default(),
        &NoProgress,
    )
    .expect("erase");
    assert!(db.installed().expect("installed").is_empty());
    let left: Vec<String> = snapshot(root.path()).into_keys().collect();
    assert_eq!(left, ["var", "var/lib"]);
    // Both erasures roll back, newest first, in one call.
    let source = repo.source();
    rollback::rollback(
        &mut db,
        RollbackTarget::Count(2),
        Some(&source),
        &ApplyOptions::default(),
        &NoProgress,
    )
    .expect("rollback of two");
    assert_root_is(
        root.path(),
        &[
            "libcurl4_7.88.1-10+deb12u15_amd64.deb",
            "curl_7.88.1-10+deb12u15_amd64.deb",
        ],
    );
    clean(&db);
}

#[test]
fn rollback_stack_lists_trims_and_refuses_what_it_lacks() {
    let repo = Repo::new();
    let tuples = repo.import(&[
        "libexpat1_2.5.0-1+deb12u2_amd64.deb",
        "xz-utils_5.4.1-1+deb12u1_amd64.deb",
        "xz-utils_5.4.1-1+deb12u2_amd64.deb",
    ]);
    let root = tempfile::tempdir().expect("root");
    let mut db = Database::open(root.path()).expect("open");
    run_jobs(&mut db, &repo, &[install_job(&tuples[0])]);
    run_jobs(&mut db, &repo, &[install_job(&tuples[1])]);
    run_jobs(&mut db, &repo, &[update_job(&tuples[1], &tuples[2])]);
    let stack = rollback::list(&db).expect("list");
    assert_eq!(
        stack.iter().map(|info| info.number).collect::<Vec<_>>(),
        [3, 2, 1]
    );
    assert!(
        stack[0].changes[0].starts_with("update xz-utils="),
        "{:?}",
        stack[0].changes
    );
    assert!(
        stack[2]
            .to_string()
            .starts_with("r.1:\n\tinstall libexpat1=")
    );
    let source = repo.source();
    let error = rollback::rollback(
        &mut db,
        RollbackTarget::Count(4),
        Some(&source),
        &ApplyOptions::default(),
        &NoProgress,
    )
    .expect_err("only three");
    assert_eq!(
        error.to_string(),
        "no rollback 4: the stack holds 3 rollbacks"
    );
    assert_eq!(
        rollback::remove(&mut db, RollbackTarget::From(1)).expect("trim"),
        1
    );
    assert_eq!(rollback::list(&db).expect("list").len(), 2);
    assert!(!apply::rollback_dir(&db).join("1").exists());
    // r.2 undoes 3 then 2: xz-utils is gone, libexpat1 stays.
    rollback::rollback(
        &mut db,
        RollbackTarget::From(2),
        Some(&source),
        &ApplyOptions::default(),
        &NoProgress,
    )
    .expect("rollback r.2");
    assert_root_is(root.path(), &["libexpat1_2.5.0-1+deb12u2_amd64.deb"]);
    assert!(rollback::list(&db).expect("list").is_empty());
    clean(&db);
}

/// A trove source that counts what goes through it, and can refuse to
/// make changesets (as a source that cannot make a relative one would).
struct Counting<'r> {
    inner: conary_repository::LocalSource<'r>,
    refuse_changesets: bool,
    changeset_bytes: std::cell::Cell<u64>,
    contents_calls: std::cell::Cell<u64>,
    contents_bytes: std::cell::Cell<u64>,
}

impl<'r> Counting<'r> {
    fn new(inner: conary_repository::LocalSource<'r>, refuse_changesets: bool) -> Self {
        Counting {
            inner,
            refuse_changesets,
            changeset_bytes: Default::default(),
            contents_calls: Default::default(),
            contents_bytes: Default::default(),
        }
    }
}

impl conary_api::TroveSource for Counting<'_> {
    fn trove_versions(
        &self,
        query: &conary_api::TroveQuery,
    ) -> Result<Vec<conary_core::trove::TroveTuple>, conary_api::SourceError> {
        self.inner.trove_versions(query)
    }

    fn troves(
        &self,
        tuples: &[conary_core::trove::TroveTuple],
    ) -> Result<Vec<conary_core::trove::Trove>, conary_api::SourceError> {
        self.inner.troves(tuples)
    }

    fn changeset(
        &self,
        jobs: &[conary_api::Job],
        recurse: bool,
        out: &mut dyn std::io::Write,
    ) -> Result<u64, conary_api::SourceError> {
        if self.refuse_changesets {
            return Err(conary_api::SourceError::Invalid("refused".to_owned()));
        }
        let written = self.inner.changeset(jobs, recurse, out)?;
        self.changeset_bytes
            .set(self.changeset_bytes.get() + written);
        Ok(written)
    }

    fn contents(
        &self,
        digest: &conary_core::digest::Digest,
        out: &mut dyn std::io::Write,
    ) -> Result<u64, conary_api::SourceError> {
        let written = self.inner.contents(digest, out)?;
        self.contents_calls.set(self.contents_calls.get() + 1);
        self.contents_bytes.set(self.contents_bytes.get() + written);
        Ok(written)
    }

    fn dep_suggestions(
        &self,
        labels: &[conary_core::version::Label],
        requires: &conary_core::deps::DependencySet,
    ) -> Result<
        std::collections::BTreeMap<
            conary_core::deps::Dependency,
            Vec<conary_core::trove::TroveTuple>,
        >,
        conary_api::SourceError,
    > {
        self.inner.dep_suggestions(labels, requires)
    }
}

#[test]
fn a_rollback_fetches_one_relative_changeset_or_each_contents_when_refused() {
    let family = &[
        "libssl3_3.0.17-1~deb12u2_amd64.deb",
        "libssl3_3.0.22-1~deb12u2_amd64.deb",
    ];
    let mut fetched = Vec::new();
    for refuse in [false, true] {
        let repo = Repo::new();
        let tuples = repo.import(family);
        let root = tempfile::tempdir().expect("root");
        let mut db = Database::open(root.path()).expect("open");
        run_jobs(&mut db, &repo, &[install_job(&tuples[0])]);
        run_jobs(&mut db, &repo, &[update_job(&tuples[0], &tuples[1])]);
        let source = Counting::new(repo.source(), refuse);
        rollback::rollback(
            &mut db,
            RollbackTarget::Count(1),
            Some(&source),
            &ApplyOptions::default(),
            &NoProgress,
        )
        .expect("rollback");
        assert_root_is(root.path(), &family[..1]);
        clean(&db);
        assert!(db.is_installed(&tuples[0]).expect("query"));
        assert!(!apply::rollback_dir(&db).join("..").join("cache").exists());
        fetched.push((
            source.changeset_bytes.get(),
            source.contents_calls.get(),
            source.contents_bytes.get(),
        ));
    }
    let [(changeset, calls, _), (refused, alone_calls, alone)] = fetched[..] else {
        panic!("two runs");
    };
    assert_eq!(refused, 0);
    assert!(alone_calls > 0 && alone > 0, "{fetched:?}");
    // Everything came in the one changeset, as deltas: far less than the
    // old contents whole.
    assert_eq!(calls, 0, "{fetched:?}");
    assert!(changeset > 0 && changeset * 3 < alone, "{fetched:?}");
}
