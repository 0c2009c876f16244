//! Groups over packages imported from the corpus `.deb`s: real `deb:`
//! requirements, closed (or not) by autoResolve.

use std::fs::File;
use std::io::BufReader;

use conary_build::group::{GroupContext, GroupError, cook_group};
use conary_build::import::{ImportOptions, MemorySink, import_deb};
use conary_repository::{Credentials, LocalSource, Repository};

use super::fixture::{add, info, recipe};
use crate::corpus::corpus_dir;

const DEB_LABEL: &str = "deb.example.com@debian:bookworm";

/// A repository with the newest openssl, libssl3 and libexpat1 of the
/// corpus imported, with its directory.
fn imported() -> (tempfile::TempDir, Repository) {
    let dir = tempfile::tempdir().expect("temp dir");
    let repository = Repository::init(dir.path().join("repo"), "deb.example.com").expect("init");
    repository.add_user("root", "pw", true).expect("user");
    let root = repository
        .authenticate(&Credentials::Basic {
            user: "root".into(),
            password: "pw".into(),
        })
        .expect("authenticate");
    let label = DEB_LABEL.parse().expect("label");
    for name in [
        "openssl_3.0.22-1~deb12u2_amd64.deb",
        "libssl3_3.0.22-1~deb12u2_amd64.deb",
        "libexpat1_2.5.0-1+deb12u5_amd64.deb",
    ] {
        let file = BufReader::new(File::open(corpus_dir().join(name)).expect("open"));
        let mut sink = MemorySink::new();
        let package =
            import_deb(file, &label, &ImportOptions::default(), &mut sink).expect("import");
        let changeset = package.to_changeset(&sink).expect("changeset");
        repository
            .commit_changeset(&changeset, &sink, &root)
            .expect("commit");
    }
    (dir, repository)
}

fn cook(repository: &Repository, spec: &str, auto_resolve: bool) -> Result<(), GroupError> {
    let source = LocalSource::new(
        repository,
        repository
            .authenticate(&Credentials::Basic {
                user: "root".into(),
                password: "pw".into(),
            })
            .expect("authenticate"),
    );
    let ctx = GroupContext {
        source: &source,
        label_path: vec![DEB_LABEL.parse().expect("label")],
        flavor: "is: x86_64".parse().expect("flavor"),
        version: format!("/{DEB_LABEL}/1-1-1").parse().expect("version"),
        info: info(),
        auto_resolve,
    };
    cook_group(&recipe(vec![add(spec)]), &ctx).map(|_| ())
}

#[test]
fn deb_requirements_are_checked_and_resolved_from_the_corpus() {
    let (_dir, repository) = imported();
    // libexpat1 needs libc6 only, which the corpus lacks.
    let error = cook(&repository, "libexpat1", true).expect_err("libc6 is missing");
    let text = error.to_string();
    assert!(
        text.starts_with("group-foo has unresolved dependencies:\n"),
        "{text}"
    );
    assert!(text.contains("\n  libexpat1 requires deb: libc6"), "{text}");

    // openssl needs libssl3, which autoResolve finds; libc6 stays missing.
    let error = cook(&repository, "openssl", false).expect_err("unresolved");
    let text = error.to_string();
    assert!(text.contains("\n  openssl requires deb: libssl3"), "{text}");
    let error = cook(&repository, "openssl", true).expect_err("libc6 is missing");
    let text = error.to_string();
    assert_eq!(
        text,
        "group-foo has unresolved dependencies:\n  \
         libssl3 requires deb: libc6(>=2.34)\n  \
         openssl requires deb: libc6(>=2.34)"
    );
}
