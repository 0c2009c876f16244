//! Committing: round trips, idempotence, refusals, relative changesets
//! and deltas.

use conary_changeset::{ChangeSetBuilder, MemContents, NoContents};
use conary_core::trove::TroveType;
use conary_repository::{Query, RepositoryError};

use crate::fixtures::{Bundle, Fixture, HOST, LABEL, commit_changeset, tuple, version};

fn count_troves(fixture: &Fixture) -> usize {
    let query = Query::everywhere().all_versions().show_removed();
    fixture
        .repository
        .trove_versions(&query, &fixture.root())
        .expect("query")
        .len()
}

#[test]
fn commit_then_query_round_trips() {
    let fixture = Fixture::new(HOST);
    let v1 = version("/conary.example.com@rpl:2/1.0-1-1");
    let mut bundle = Bundle::new();
    bundle
        .component(
            "foo:runtime",
            &v1,
            &[
                ("/usr/bin/foo", "#!/bin/sh\necho foo\n"),
                ("/etc/foo.conf", "a=1\n"),
            ],
        )
        .collection("foo", &v1, &[tuple("foo:runtime", &v1)]);
    let result = fixture
        .commit(&bundle, &fixture.user("writer"))
        .expect("commit");
    assert_eq!(result.committed.len(), 2);
    assert!(result.already_present.is_empty());

    let root = fixture.root();
    let listed = fixture
        .repository
        .trove_versions(&Query::on_label(LABEL.parse().expect("label")), &root)
        .expect("list");
    assert_eq!(listed, result.committed, "sorted by name: foo, foo:runtime");
    let stamp = listed[0].version.timestamp().expect("stamped");
    assert!(
        listed
            .iter()
            .all(|tuple| tuple.version.timestamp() == Some(stamp))
    );

    let manifests = fixture
        .repository
        .manifests(&listed, &root)
        .expect("manifests");
    let runtime = &manifests[1];
    assert_eq!(runtime.files.len(), 2);
    assert!(
        runtime
            .files
            .values()
            .all(|file| file.file_version.timestamp() == Some(stamp))
    );
    let mut expected = bundle.trove("foo:runtime").clone();
    expected.version = listed[1].version.clone();
    for file in expected.files.values_mut() {
        file.file_version = listed[1].version.clone();
    }
    assert_eq!(*runtime, expected, "the manifest as committed, stamped");

    let files = fixture.repository.files(&listed[1], &root).expect("files");
    let paths: Vec<&str> = files.iter().map(|file| file.path.as_str()).collect();
    assert_eq!(paths, ["/etc/foo.conf", "/usr/bin/foo"]);
    assert!(files.iter().all(|file| file.contents_host == HOST));
    assert!(files[0].stream.flags.is_config());

    let details = fixture
        .repository
        .trove_details(&listed[0], &root)
        .expect("details");
    assert_eq!(details.committed_by, "user writer");
    assert_eq!(details.digest, manifests[0].digest());
    assert_eq!(details.trove_type, TroveType::Normal);
    assert_eq!(fixture.blobs(), 2);
}

#[test]
fn recommitting_is_a_no_op_reported_as_present() {
    let fixture = Fixture::new(HOST);
    let v1 = version("/conary.example.com@rpl:2/1.0-1-1");
    let mut bundle = Bundle::new();
    bundle.component("foo:runtime", &v1, &[("/usr/bin/foo", "foo\n")]);
    let first = fixture.commit(&bundle, &fixture.root()).expect("commit");
    let second = fixture.commit(&bundle, &fixture.root()).expect("again");
    assert!(second.committed.is_empty());
    assert_eq!(second.already_present, first.committed);
    assert_eq!(
        second.already_present[0].version.timestamp(),
        first.committed[0].version.timestamp(),
        "the stored timestamps"
    );
    assert_eq!(count_troves(&fixture), 1);
    assert_eq!(fixture.blobs(), 1);
}

#[test]
fn a_different_trove_under_a_stored_name_is_refused() {
    let fixture = Fixture::new(HOST);
    let v1 = version("/conary.example.com@rpl:2/1.0-1-1");
    let mut first = Bundle::new();
    first.component("foo:runtime", &v1, &[("/usr/bin/foo", "one\n")]);
    fixture.commit(&first, &fixture.root()).expect("commit");
    let mut second = Bundle::new();
    second.component("foo:runtime", &v1, &[("/usr/bin/foo", "two\n")]);
    let error = fixture
        .commit(&second, &fixture.root())
        .expect_err("conflict");
    assert!(matches!(error, RepositoryError::Conflict { .. }), "{error}");
    assert_eq!(
        error.to_string(),
        "trove foo:runtime=/conary.example.com@rpl:2/1.0-1-1[] is already in the repository with different contents"
    );
    assert_eq!(fixture.blobs(), 1, "the refused contents were not stored");
    assert_eq!(count_troves(&fixture), 1);
}

#[test]
fn refusals_leave_database_and_store_unchanged() {
    let fixture = Fixture::new(HOST);
    let v1 = version("/conary.example.com@rpl:2/1.0-1-1");
    let mut bar_bundle = Bundle::new();
    bar_bundle.component("bar:runtime", &v1, &[("/usr/bin/bar", "bar\n")]);
    let mut foo_elsewhere = Bundle::new();
    foo_elsewhere.component(
        "foo:runtime",
        &version("/conary.example.com@rpl:3/1.0-1-1"),
        &[("/usr/bin/foo", "foo\n")],
    );
    let mut foreign = Bundle::new();
    foreign.component(
        "foo:runtime",
        &version("/other.example.com@rpl:2/1.0-1-1"),
        &[("/usr/bin/foo", "foo\n")],
    );
    let cases: [(&Bundle, &str, &str); 4] = [
        (
            &bar_bundle,
            "reader",
            "user reader may not commit bar:runtime=/conary.example.com@rpl:2/1.0-1-1[]",
        ),
        (
            &bar_bundle,
            "narrow",
            "user narrow may not commit bar:runtime=/conary.example.com@rpl:2/1.0-1-1[]",
        ),
        (
            &foo_elsewhere,
            "narrow",
            "user narrow may not commit foo:runtime=/conary.example.com@rpl:3/1.0-1-1[]",
        ),
        (
            &foreign,
            "root",
            "invalid commit: trove foo:runtime=/other.example.com@rpl:2/1.0-1-1[] is on label other.example.com@rpl:2, which repository conary.example.com does not serve",
        ),
    ];
    for (bundle, user, message) in cases {
        let error = fixture.commit(bundle, &fixture.user(user)).expect_err(user);
        assert_eq!(error.to_string(), message);
    }
    assert_eq!(fixture.blobs(), 0);
    assert_eq!(count_troves(&fixture), 0);

    let mut good = Bundle::new();
    good.component("foo:runtime", &v1, &[("/usr/bin/foo", "foo\n")]);
    fixture
        .commit(&good, &fixture.user("narrow"))
        .expect("narrow writes foo");
}

#[test]
fn relative_changesets_carry_only_what_changed() {
    let fixture = Fixture::new(HOST);
    let root = fixture.root();
    let v1 = version("/conary.example.com@rpl:2/1.0-1-1");
    let v2 = version("/conary.example.com@rpl:2/1.0-1-2");
    let mut old = Bundle::new();
    old.component(
        "foo:runtime",
        &v1,
        &[("/usr/bin/foo", "foo 1\n"), ("/usr/share/foo", "data\n")],
    );
    let stored_old = fixture.commit(&old, &root).expect("commit v1").committed;
    let old_trove = fixture
        .repository
        .manifests(&stored_old, &root)
        .expect("manifest")
        .remove(0);

    // v2 changes one file and keeps the other (its fileId and file version).
    let mut new = Bundle::new();
    new.component("foo:runtime", &v2, &[("/usr/bin/foo", "foo 2\n")]);
    let mut new_trove = new.troves.remove(0);
    let kept = old_trove
        .files
        .iter()
        .find(|(_, file)| file.path == "/usr/share/foo")
        .map(|(path_id, file)| (*path_id, file.clone()))
        .expect("kept file");
    new_trove.files.insert(kept.0, kept.1.clone());
    let mut streams = new.streams.clone();
    streams.extend(old.streams.clone());
    let mut builder = ChangeSetBuilder::new();
    builder
        .add_relative(&old_trove, new_trove, &streams)
        .expect("relative");
    let changeset = builder.build(&old.contents, &new.contents).expect("build");
    assert_eq!(changeset.files.len(), 1, "only the changed stream travels");
    let result =
        commit_changeset(&fixture.repository, &changeset, &new.contents, &root).expect("commit v2");
    let files = fixture
        .repository
        .files(&result.committed[0], &root)
        .expect("files");
    let kept_file = files
        .iter()
        .find(|file| file.path == "/usr/share/foo")
        .expect("kept");
    assert_eq!(
        kept_file.file_version.freeze(),
        kept.1.file_version.freeze(),
        "keeps v1's file version"
    );
    assert_eq!(fixture.blobs(), 3);
}

#[test]
fn deltas_resolve_against_stored_contents() {
    let fixture = Fixture::new(HOST);
    let root = fixture.root();
    let big_old: String = (0..4000).map(|n| format!("line {n}\n")).collect();
    let big_new = format!("{big_old}one more line\n");
    let v1 = version("/conary.example.com@rpl:2/1.0-1-1");
    let v2 = version("/conary.example.com@rpl:2/1.0-1-2");
    let mut old = Bundle::new();
    old.component("foo:runtime", &v1, &[("/usr/share/foo", &big_old)]);
    let stored = fixture.commit(&old, &root).expect("commit v1").committed;
    let old_trove = fixture
        .repository
        .manifests(&stored, &root)
        .expect("manifest")
        .remove(0);
    let mut new = Bundle::new();
    new.component("foo:runtime", &v2, &[("/usr/share/foo", &big_new)]);
    let mut streams = new.streams.clone();
    streams.extend(old.streams.clone());
    let mut builder = ChangeSetBuilder::new();
    builder
        .add_relative(&old_trove, new.troves[0].clone(), &streams)
        .expect("relative");
    let changeset = builder.build(&old.contents, &new.contents).expect("build");
    let kind = changeset.contents.values().next().expect("one entry").kind;
    assert!(
        matches!(kind, conary_changeset::ContentKind::Delta { .. }),
        "{kind}"
    );
    let mut both = MemContents::new();
    both.insert(big_old.clone().into_bytes());
    both.insert(big_new.clone().into_bytes());
    commit_changeset(&fixture.repository, &changeset, &both, &root).expect("commit delta");
    let digest = conary_store::Digest::of(big_new.as_bytes());
    assert_eq!(
        fixture
            .repository
            .store()
            .get_bytes(&digest)
            .expect("stored"),
        big_new.as_bytes()
    );

    // The same delta against contents this repository never had.
    let other = Fixture::new(HOST);
    let error =
        commit_changeset(&other.repository, &changeset, &both, &other.root()).expect_err("no base");
    assert!(
        error.to_string().contains("which is not in the repository"),
        "{error}"
    );
    assert_eq!(other.blobs(), 0);
}

#[test]
fn erasures_cannot_be_committed() {
    let fixture = Fixture::new(HOST);
    let v1 = version("/conary.example.com@rpl:2/1.0-1-1");
    let mut builder = ChangeSetBuilder::new();
    builder.erase(tuple("foo:runtime", &v1));
    let changeset = builder.build(&NoContents, &NoContents).expect("build");
    let error = commit_changeset(
        &fixture.repository,
        &changeset,
        &MemContents::new(),
        &fixture.root(),
    )
    .expect_err("erase");
    assert!(
        error.to_string().contains("commits only add troves"),
        "{error}"
    );
}

#[test]
fn in_memory_changesets_commit_too() {
    let fixture = Fixture::new(HOST);
    let v1 = version("/conary.example.com@rpl:2/1.0-1-1");
    let mut bundle = Bundle::new();
    bundle.component("foo:runtime", &v1, &[("/usr/bin/foo", "foo\n")]);
    let result = fixture
        .repository
        .commit_changeset(&bundle.absolute(), &bundle.contents, &fixture.root())
        .expect("commit");
    assert_eq!(result.committed.len(), 1);
    let error = fixture
        .repository
        .commit_changeset(&bundle.absolute(), &NoContents, &fixture.root())
        .expect("already present: no contents needed");
    assert_eq!(error.already_present.len(), 1);
}

#[test]
fn truncated_changesets_store_no_troves() {
    let fixture = Fixture::new(HOST);
    let v1 = version("/conary.example.com@rpl:2/1.0-1-1");
    let mut bundle = Bundle::new();
    bundle.component(
        "foo:runtime",
        &v1,
        &[("/usr/bin/foo", "foo\n"), ("/usr/bin/bar", "bar\n")],
    );
    let bytes = conary_changeset::write_changeset(Vec::new(), &bundle.absolute(), &bundle.contents)
        .expect("write");
    let cut = &bytes[..bytes.len() - 3];
    let reader = conary_changeset::ChangeSetReader::new(cut).expect("index is whole");
    let error = fixture
        .repository
        .commit(reader, &fixture.root())
        .expect_err("truncated");
    assert!(error.is_invalid_request(), "{error}");
    assert_eq!(count_troves(&fixture), 0);
}
