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
