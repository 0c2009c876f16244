//! The read API the planner and the CLI's queries use.

use conary_system::db::{Database, MemberState};
use conary_system::verify::{VerifyOptions, verify};

use crate::fixtures::{Repo, erase_job, install_job, run_jobs};

#[test]
fn installed_troves_files_references_and_dependencies() {
    let repo = Repo::new();
    let tuples = repo.import(&[
        "libcurl4_7.88.1-10+deb12u15_amd64.deb",
        "curl_7.88.1-10+deb12u15_amd64.deb",
        "rsyslog_8.2302.0-1+deb12u2_amd64.deb",
    ]);
    let (libcurl, curl, rsyslog) = (&tuples[0], &tuples[1], &tuples[2]);
    let root = tempfile::tempdir().expect("root");
    let mut db = Database::open(root.path()).expect("open");
    run_jobs(
        &mut db,
        &repo,
        &tuples.iter().map(install_job).collect::<Vec<_>>(),
    );

    assert_eq!(
        db.installed_named(&curl.name).expect("named"),
        std::slice::from_ref(curl)
    );
    let troves = db.installed_troves().expect("troves");
    assert!(
        troves
            .iter()
            .all(|trove| trove.install_time > 1_600_000_000 && !trove.pinned)
    );
    let manifest = db.trove(curl).expect("trove").expect("installed");
    assert_eq!(
        manifest.version.freeze(),
        curl.version.freeze(),
        "timestamps kept"
    );

    let members = db.members(curl).expect("members");
    let runtime = members
        .iter()
        .find(|member| member.tuple.name.as_str() == "curl:runtime")
        .expect("curl:runtime");
    assert_eq!(runtime.state, MemberState::Installed);
    assert!(runtime.strong && runtime.by_default);
    let parents = db.parents(&runtime.tuple).expect("parents");
    assert_eq!(parents.len(), 1);
    assert_eq!(parents[0].tuple, *curl);

    let files = db.files(&runtime.tuple).expect("files");
    assert!(files.iter().any(|file| file.path == "/usr/bin/curl"));
    assert_eq!(
        db.owners("/usr/bin/curl").expect("owners")[0].trove,
        runtime.tuple
    );

    let provided = manifest
        .provides
        .iter()
        .find(|dep| dep.name() == "curl")
        .expect("deb: curl");
    assert_eq!(
        db.what_provides(provided).expect("provides"),
        std::slice::from_ref(curl)
    );
    let libcurl_manifest = db.trove(libcurl).expect("trove").expect("installed");
    let libcurl_provide = libcurl_manifest
        .provides
        .iter()
        .find(|dep| dep.name() == "libcurl4")
        .expect("deb: libcurl4");
    assert!(
        db.what_requires(libcurl_provide)
            .expect("requires")
            .contains(curl)
    );
    assert_eq!(
        db.requires(curl).expect("requires"),
        Some(manifest.requires.clone())
    );
    assert!(
        db.all_provides()
            .expect("all")
            .iter()
            .any(|(tuple, _)| tuple == libcurl)
    );

    let conf = db.owners("/etc/rsyslog.conf").expect("owners");
    assert_eq!(conf.len(), 1);
    assert!(conf[0].stream.flags.is_config());
    let digest = conf[0].stream.content_digest().expect("regular");
    let kept = db
        .config_contents(&digest)
        .expect("query")
        .expect("config contents kept");
    assert_eq!(
        kept,
        std::fs::read(root.path().join("etc/rsyslog.conf")).expect("read")
    );
    assert!(db.is_installed(rsyslog).expect("query"));

    // Erasing a member on purpose: the package remembers it.
    run_jobs(&mut db, &repo, &[erase_job(&runtime.tuple)]);
    let members = db.members(curl).expect("members");
    let runtime = members
        .iter()
        .find(|member| member.tuple.name.as_str() == "curl:runtime")
        .expect("curl:runtime");
    assert_eq!(runtime.state, MemberState::NotInstalled);
    assert!(runtime.erased_on_purpose());
    let erased: Vec<String> = db
        .erased_on_purpose()
        .expect("erased")
        .iter()
        .map(|tuple| tuple.name.to_string())
        .collect();
    assert!(erased.contains(&"curl:runtime".to_owned()), "{erased:?}");
    assert!(db.owners("/usr/bin/curl").expect("owners").is_empty());
    assert!(!root.path().join("usr/bin/curl").exists());
    assert!(
        verify(&db, None, VerifyOptions::default())
            .expect("verify")
            .is_empty()
    );
}

#[test]
fn verify_reports_what_changed_on_disk() {
    use std::os::unix::fs::PermissionsExt as _;
    let repo = Repo::new();
    let curl = repo
        .import(&["curl_7.88.1-10+deb12u15_amd64.deb"])
        .remove(0);
    let root = tempfile::tempdir().expect("root");
    let mut db = Database::open(root.path()).expect("open");
    run_jobs(&mut db, &repo, &[install_job(&curl)]);
    let binary = root.path().join("usr/bin/curl");
    std::fs::set_permissions(&binary, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    let doc = root.path().join("usr/share/doc/curl/copyright");
    std::fs::write(&doc, b"changed\n").expect("write");
    let manual = root.path().join("usr/share/man/man1/curl.1.gz");
    std::fs::remove_file(&manual).expect("remove");
    let report: Vec<String> = verify(&db, None, VerifyOptions::default())
        .expect("verify")
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        report,
        [
            "/usr/bin/curl: mode 0700, expected 0755",
            "/usr/share/doc/curl/copyright: contents changed",
            "/usr/share/man/man1/curl.1.gz: missing",
        ]
    );
}
