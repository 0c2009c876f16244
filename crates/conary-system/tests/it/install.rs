//! Installing, updating and erasing corpus packages.

use conary_system::db::Database;
use conary_system::verify::{VerifyOptions, verify};

use crate::fixtures::{Repo, assert_matches_dpkg, install_job, leftovers, run_jobs, snapshot};

/// The newest version of every corpus package.
const NEWEST: &[&str] = &[
    "ca-certificates_20250419~deb12u2_all.deb",
    "curl_7.88.1-10+deb12u15_amd64.deb",
    "libcurl4_7.88.1-10+deb12u15_amd64.deb",
    "libexpat1_2.5.0-1+deb12u5_amd64.deb",
    "libssl3_3.0.22-1~deb12u2_amd64.deb",
    "nginx-common_1.22.1-9+deb12u11_all.deb",
    "nginx-core_1.22.1-9+deb12u11_all.deb",
    "openssl_3.0.22-1~deb12u2_amd64.deb",
    "redis-server_5%3a7.0.15-1~deb12u10_amd64.deb",
    "redis-tools_5%3a7.0.15-1~deb12u10_amd64.deb",
    "rsyslog_8.2302.0-1+deb12u2_amd64.deb",
    "sudo_1.9.13p3-1+deb12u4_amd64.deb",
    "tzdata_2026f-0+deb12u1_all.deb",
    "xz-utils_5.4.1-1+deb12u2_amd64.deb",
];

#[test]
fn every_package_installs_as_dpkg_extracts_it() {
    let repo = Repo::new();
    let tuples = repo.import(NEWEST);
    let root = tempfile::tempdir().expect("root");
    let mut db = Database::open(root.path()).expect("open");
    let jobs: Vec<_> = tuples.iter().map(install_job).collect();
    let report = run_jobs(&mut db, &repo, &jobs);
    assert!(report.rollback_recorded);
    for tuple in &tuples {
        assert!(db.is_installed(tuple).expect("query"), "{tuple}");
        assert!(report.installed.contains(tuple), "{tuple}");
    }
    for deb in NEWEST {
        assert_matches_dpkg(root.path(), deb);
    }
    let sudo = snapshot(root.path());
    match sudo.get("usr/bin/sudo") {
        Some(crate::fixtures::Entry::File { mode, .. }) => assert_eq!(*mode, 0o4755),
        other => panic!("sudo is {other:?}"),
    }
    let owners = db.owners("/usr/bin/sudo").expect("owners");
    assert_eq!(owners.len(), 1);
    assert_eq!(owners[0].trove.name.as_str(), "sudo:runtime");
    assert!(
        verify(&db, None, VerifyOptions::default())
            .expect("verify")
            .is_empty()
    );
    assert!(leftovers(root.path()).is_empty());
    drop(db);
    let reopened = Database::open_readonly(root.path()).expect("reopen");
    assert!(reopened.recovery().is_none());
    assert_eq!(
        reopened.installed().expect("installed").len(),
        db_count(&tuples, &reopened)
    );
}

/// Every installed trove is a package of `tuples` or one of its components.
fn db_count(tuples: &[conary_core::trove::TroveTuple], db: &Database) -> usize {
    let installed = db.installed().expect("installed");
    for tuple in &installed {
        assert!(
            tuples
                .iter()
                .any(|package| package.name == tuple.name.package()),
            "{tuple}"
        );
    }
    installed.len()
}
