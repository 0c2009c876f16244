//! Repositories that refer to each other: a shadow on server B of a trove
//! on server A stores only what is new; clients fetch the rest from A.

use conary_changeset::{ChangeSetBuilder, ContentKind, NoContents};
use conary_core::digest::Digest;
use conary_core::trove::TroveTuple;

use crate::fixtures::{Bundle, Fixture, commit_changeset, regular, version};

const A: &str = "a.example.com";
const B: &str = "b.example.com";

#[test]
fn shadows_by_reference_store_only_what_is_new() {
    let server_a = Fixture::new(A);
    let server_b = Fixture::new(B);
    let v1 = version("/a.example.com@rpl:2/1.0-1-1");
    let mut parent = Bundle::new();
    parent.component(
        "foo:runtime",
        &v1,
        &[("/usr/bin/foo", "foo\n"), ("/etc/foo.conf", "a=1\n")],
    );
    let on_a = server_a
        .commit(&parent, &server_a.root())
        .expect("commit on A")
        .committed;
    let parent_trove = server_a
        .repository
        .manifests(&on_a, &server_a.root())
        .expect("manifest")
        .remove(0);

    // The shadow on B changes the config file; the binary keeps A's file
    // version, and its contents stay on A.
    let shadow_version = parent_trove
        .version
        .create_shadow("b.example.com@rpl:2".parse().expect("label"))
        .expect("shadow")
        .increment_source_count()
        .expect("modified shadow")
        .increment_build_count()
        .expect("build");
    let mut shadow = parent_trove.clone();
    shadow.version = shadow_version.clone();
    let changed = regular(b"a=2\n", true);
    let config = shadow
        .files
        .values_mut()
        .find(|file| file.path == "/etc/foo.conf")
        .expect("config");
    config.file_id = changed.file_id();
    config.file_version = shadow_version.clone();
    let mut streams = parent.streams.clone();
    streams.insert(changed.file_id(), changed);
    let mut contents = conary_changeset::MemContents::new();
    contents.insert(b"a=2\n".to_vec());
    let mut builder = ChangeSetBuilder::new();
    builder.assume_available(Digest::of(b"foo\n"));
    builder.add_absolute(shadow, &streams).expect("absolute");
    let changeset = builder.build(&NoContents, &contents).expect("build");
    let result = commit_changeset(
        &server_b.repository,
        &changeset,
        &contents,
        &server_b.root(),
    )
    .expect("commit on B");
    let on_b: &TroveTuple = &result.committed[0];
    assert!(
        on_b.version.is_after(&on_a[0].version),
        "a new timestamp on B"
    );
    assert_eq!(server_b.blobs(), 1, "B holds only the changed contents");

    let files = server_b
        .repository
        .files(on_b, &server_b.root())
        .expect("files");
    let hosts: Vec<(&str, &str)> = files
        .iter()
        .map(|file| (file.path.as_str(), file.contents_host.as_str()))
        .collect();
    assert_eq!(hosts, [("/etc/foo.conf", B), ("/usr/bin/foo", A)]);
    let binary = files
        .iter()
        .find(|file| file.path == "/usr/bin/foo")
        .expect("binary");
    assert_eq!(
        binary.file_version.freeze(),
        on_a[0].version.freeze(),
        "A's timestamps kept"
    );

    // B's changeset refers the client to A for A's contents.
    let job =
        conary_api::Job::install(on_b.name.clone(), on_b.version.clone(), on_b.flavor.clone());
    let planned = server_b
        .repository
        .plan_changeset(&[job], false, &server_b.root())
        .expect("plan");
    assert_eq!(
        planned.contents[&Digest::of(b"foo\n")].kind,
        ContentKind::Reference
    );
    assert_eq!(
        planned.contents[&Digest::of(b"a=2\n")].kind,
        ContentKind::Full
    );

    // A relative job from A's trove is for the client to assemble.
    let update = conary_api::Job::update(
        on_b.name.clone(),
        (on_a[0].version.clone(), on_a[0].flavor.clone()),
        (on_b.version.clone(), on_b.flavor.clone()),
    );
    let error = server_b
        .repository
        .plan_changeset(&[update], false, &server_b.root())
        .expect_err("old trove on A");
    assert!(
        error.to_string().contains("not in this repository"),
        "{error}"
    );

    // Contents B neither holds nor refers to elsewhere are refused.
    let mut missing = Bundle::new();
    missing.component(
        "bar:runtime",
        &version("/b.example.com@rpl:2/1.0-1-1"),
        &[("/usr/bin/bar", "bar\n")],
    );
    let mut builder = ChangeSetBuilder::new();
    builder.assume_available(Digest::of(b"bar\n"));
    builder
        .add_absolute(missing.troves[0].clone(), &missing.streams)
        .expect("absolute");
    let changeset = builder.build(&NoContents, &NoContents).expect("build");
    let error = commit_changeset(
        &server_b.repository,
        &changeset,
        &missing.contents,
        &server_b.root(),
    )
    .expect_err("contents nowhere");
    assert!(
        error
            .to_string()
            .contains("neither in the changeset nor in the repository"),
        "{error}"
    );
}
