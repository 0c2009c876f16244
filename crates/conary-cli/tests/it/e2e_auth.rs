//! Who may read and import, through the real binaries: no credentials,
//! a wrong password, an entitlement key, and an ACL that does not allow
//! writing. A refused import writes nothing.

use std::path::PathBuf;

use conary_test::{ADMIN_PASSWORD, ADMIN_USER, ConaryRc, TestRepository, corpus};

use crate::cli::{CONARY, CVC, REPOS, fails, ok};

const HOST: &str = "conary.example.com";
const LABEL: &str = "conary.example.com@deb:12";

/// The `.deb`s of one package, oldest first.
fn debs(package: &str) -> Vec<PathBuf> {
    corpus::by_package()
        .remove(package)
        .unwrap_or_else(|| panic!("{package} in the corpus"))
        .into_iter()
        .map(|candidate| candidate.path)
        .collect()
}

#[test]
fn refused_callers_get_one_line_and_nothing_is_written() {
    let repository = TestRepository::new(REPOS, HOST);
    repository.set_anonymous(false);
    repository.add_user("reader", "reader-password");
    repository.add_user("narrow", "narrow-password");
    repository.add_role("readers", &["reader"]);
    repository.add_role("narrow", &["narrow"]);
    repository.add_acl("readers", "ALL", "ALL", false);
    repository.add_acl("narrow", &format!("{HOST}@other:*"), "ALL", true);
    let key = repository.add_entitlement("customers", "readers");
    let server = repository.serve();
    let home = repository.scratch();
    let url = server.url();

    let rc_for = |name: &str, rc: ConaryRc| {
        let dir = home.join(name);
        std::fs::create_dir_all(&dir).expect("rc dir");
        rc.repository_map(HOST, &url)
            .install_label(LABEL)
            .write_in(&dir)
            .display()
            .to_string()
    };
    let admin = rc_for(
        "admin",
        ConaryRc::new().user(HOST, ADMIN_USER, ADMIN_PASSWORD),
    );
    let nobody = rc_for("nobody", ConaryRc::new());
    let wrong = rc_for(
        "wrong",
        ConaryRc::new().user(HOST, "reader", "not-the-password"),
    );
    let entitled = rc_for(
        "entitled",
        ConaryRc::new().entitlement(HOST, "customers", &key),
    );
    let narrow = rc_for(
        "narrow",
        ConaryRc::new().user(HOST, "narrow", "narrow-password"),
    );

    let sudo = debs("sudo");
    let first = sudo[0].display().to_string();
    let second = sudo[1].display().to_string();
    fn import<'a>(rc: &'a str, deb: &'a str) -> Vec<&'a str> {
        vec!["import-deb", "--label", LABEL, "--config-file", rc, deb]
    }
    ok(CVC, &import(&admin, &first), home);
    let blobs = repository.blob_count();
    let listing = ok(
        CONARY,
        &["rq", "--all-versions", "--config-file", &admin],
        home,
    );
    assert_eq!(listing, "sudo=1.9.13p3_1+deb12u2-1-1\n");

    // Without credentials, with anonymous access off.
    let line = fails(CONARY, &["rq", "--config-file", &nobody], home);
    assert!(line.starts_with("conary: error: "), "{line}");
    assert!(
        line.contains("user") || line.contains("credentials"),
        "{line}"
    );
    let line = fails(CVC, &import(&nobody, &second), home);
    assert!(line.starts_with("cvc: error: "), "{line}");

    // A wrong password.
    let line = fails(CONARY, &["rq", "--config-file", &wrong], home);
    assert!(
        line.contains("authentication") || line.contains("password"),
        "{line}"
    );
    fails(CVC, &import(&wrong, &second), home);

    // An entitlement key reads, but may not import.
    assert_eq!(
        ok(CONARY, &["rq", "--config-file", &entitled], home),
        listing
    );
    let line = fails(CVC, &import(&entitled, &second), home);
    assert!(
        line.contains("denied") || line.contains("permission"),
        "{line}"
    );

    // An ACL that allows writing elsewhere only.
    let line = fails(CVC, &import(&narrow, &second), home);
    assert!(
        line.contains("denied") || line.contains("permission"),
        "{line}"
    );

    // Nothing was written by any refused import.
    assert_eq!(repository.blob_count(), blobs);
    let after = ok(
        CONARY,
        &["rq", "--all-versions", "--config-file", &admin],
        home,
    );
    assert_eq!(after, listing);
}
