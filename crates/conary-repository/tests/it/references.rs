//! A commit may reference, without carrying them, only contents the
//! committer could already read: committing a trove is not a way to read
//! contents one knows only the digest of.

use conary_changeset::{
    ChangeSetBuilder, ChangeSetReader, ContentKind, MemContents, NoContents, write_changeset,
};
use conary_core::digest::Digest;
use conary_core::trove::Trove;
use conary_repository::{Query, RepositoryError};

use crate::fixtures::{Bundle, Fixture, HOST, LABEL, commit_changeset, version};

/// Contents only the hidden label holds.
const SECRET: &str = "root:$6$secret-hash:19000:0:99999:7:::\n";

/// A repository where root has committed `secret:runtime`, holding
/// [`SECRET`], on a label that the `narrow` user (who may read and write
/// `foo*` on [`LABEL`]) may not read.
fn with_secret() -> Fixture {
    let fixture = Fixture::new(HOST);
    let mut secret = Bundle::new();
    secret.component(
        "secret:runtime",
        &version("/conary.example.com@hidden:1/1.0-1-1"),
        &[("/etc/shadow", SECRET)],
    );
    fixture
        .commit(&secret, &fixture.root())
        .expect("commit secret");
    let narrow = fixture.user("narrow");
    let error = fixture
        .repository
        .check_contents_access(&Digest::of(SECRET.as_bytes()), &narrow)
        .expect_err("hidden from narrow");
    assert!(error.is_not_found(), "{error}");
    fixture
}

/// `foo:runtime` on [`LABEL`] holding [`SECRET`] as `/etc/stolen`.
fn thief() -> Bundle {
    let mut bundle = Bundle::new();
    bundle.component(
        "foo:runtime",
        &version("/conary.example.com@rpl:2/1.0-1-1"),
        &[("/etc/stolen", SECRET)],
    );
    bundle
}

/// Number of troves `narrow` can see on [`LABEL`].
fn visible_to_narrow(fixture: &Fixture) -> usize {
    fixture
        .repository
        .trove_versions(
            &Query::on_label(LABEL.parse().expect("label")).all_versions(),
            &fixture.user("narrow"),
        )
        .expect("query")
        .len()
}

fn assert_refused_naming(error: &RepositoryError, digest: &Digest) {
    assert!(error.is_denied(), "{error}");
    let message = error.to_string();
    assert!(
        message.starts_with("user narrow may not reference contents "),
        "{message}"
    );
    assert!(message.contains(&digest.to_string()), "{message}");
    assert!(
        message.contains("no trove they may read holds them"),
        "{message}"
    );
}

#[test]
fn a_writer_cannot_reference_contents_they_may_not_read() {
    let fixture = with_secret();
    let narrow = fixture.user("narrow");
    let digest = Digest::of(SECRET.as_bytes());
    let bundle = thief();
    let mut builder = ChangeSetBuilder::new();
    builder.assume_available(digest);
    builder
        .add_absolute(bundle.trove("foo:runtime").clone(), &bundle.streams)
        .expect("absolute");
    let changeset = builder.build(&NoContents, &NoContents).expect("build");
    assert_eq!(changeset.contents[&digest].kind, ContentKind::Reference);

    // Through a written changeset (the server's path) and in memory.
    let error = commit_changeset(
        &fixture.repository,
        &changeset,
        &MemContents::new(),
        &narrow,
    )
    .expect_err("a reference to hidden contents");
    assert_refused_naming(&error, &digest);
    let error = fixture
        .repository
        .commit_changeset(&changeset, &NoContents, &narrow)
        .expect_err("a reference to hidden contents");
    assert_refused_naming(&error, &digest);

    assert_eq!(visible_to_narrow(&fixture), 0, "nothing was committed");
    let error = fixture
        .repository
        .check_contents_access(&digest, &narrow)
        .expect_err("still hidden");
    assert!(error.is_not_found(), "{error}");

    // The same reference is fine for a writer who may read everything.
    commit_changeset(
        &fixture.repository,
        &changeset,
        &MemContents::new(),
        &fixture.user("writer"),
    )
    .expect("writer may read the contents");
}

#[test]
fn contents_nobody_holds_are_referenced_only_by_those_who_read_everything() {
    let fixture = Fixture::new(HOST);
    let (digest, _) = fixture
        .repository
        .store()
        .put_bytes(SECRET.as_bytes())
        .expect("uploaded ahead");
    let bundle = thief();
    let mut builder = ChangeSetBuilder::new();
    builder.assume_available(digest);
    builder
        .add_absolute(bundle.trove("foo:runtime").clone(), &bundle.streams)
        .expect("absolute");
    let changeset = builder.build(&NoContents, &NoContents).expect("build");
    let error = commit_changeset(
        &fixture.repository,
        &changeset,
        &MemContents::new(),
        &fixture.user("narrow"),
    )
    .expect_err("narrow may not read unheld contents");
    assert_refused_naming(&error, &digest);
    commit_changeset(
        &fixture.repository,
        &changeset,
        &MemContents::new(),
        &fixture.user("writer"),
    )
    .expect("writer may");
}

#[test]
fn a_writer_who_carries_the_contents_may_commit_them() {
    let fixture = with_secret();
    let narrow = fixture.user("narrow");
    let blobs = fixture.blobs();
    let result = fixture.commit(&thief(), &narrow).expect("carried");
    assert_eq!(result.committed.len(), 1);
    assert_eq!(fixture.blobs(), blobs, "the contents are stored once");
    fixture
        .repository
        .check_contents_access(&Digest::of(SECRET.as_bytes()), &narrow)
        .expect("narrow has shown it has the contents, and may read them now");
}

#[test]
fn carried_contents_one_may_not_read_are_checked_not_skipped() {
    let fixture = with_secret();
    let bundle = thief();
    let mut bytes =
        write_changeset(Vec::new(), &bundle.absolute(), &bundle.contents).expect("write changeset");
    // Small contents travel as a raw zstd block: damage them in place.
    let at = bytes
        .windows(SECRET.len())
        .position(|window| window == SECRET.as_bytes())
        .expect("the contents appear verbatim");
    bytes[at] ^= 0x20;
    let reader = ChangeSetReader::new(&bytes[..]).expect("the index is intact");
    let error = fixture
        .repository
        .commit(reader, &fixture.user("narrow"))
        .expect_err("payload does not match its digest");
    assert!(error.is_invalid_request(), "{error}");
    assert_eq!(visible_to_narrow(&fixture), 0);
}

#[test]
fn deltas_against_contents_one_may_not_read_are_refused() {
    let fixture = Fixture::new(HOST);
    let hidden: String = (0..4000).map(|n| format!("secret line {n}\n")).collect();
    let derived = format!("{hidden}one more line\n");
    let mut secret = Bundle::new();
    secret.component(
        "secret:runtime",
        &version("/conary.example.com@hidden:1/1.0-1-1"),
        &[("/usr/share/secret", &hidden)],
    );
    fixture
        .commit(&secret, &fixture.root())
        .expect("commit secret");

    // A made-up older foo:runtime holding the hidden contents, so that the
    // new one travels as a delta against them.
    let mut old = Bundle::new();
    old.component(
        "foo:runtime",
        &version("/conary.example.com@rpl:2/1.0-1-1"),
        &[("/usr/share/foo", &hidden)],
    );
    let mut new = Bundle::new();
    new.component(
        "foo:runtime",
        &version("/conary.example.com@rpl:2/1.0-1-2"),
        &[("/usr/share/foo", &derived)],
    );
    let old_trove: &Trove = old.trove("foo:runtime");
    let mut streams = new.streams.clone();
    streams.extend(old.streams.clone());
    let mut builder = ChangeSetBuilder::new();
    builder
        .add_relative(old_trove, new.trove("foo:runtime").clone(), &streams)
        .expect("relative");
    let changeset = builder.build(&old.contents, &new.contents).expect("build");
    let base = Digest::of(hidden.as_bytes());
    assert_eq!(
        changeset.contents[&Digest::of(derived.as_bytes())].kind,
        ContentKind::Delta { base }
    );
    let mut both = MemContents::new();
    both.insert(hidden.into_bytes());
    both.insert(derived.into_bytes());
    let blobs = fixture.blobs();
    let error = commit_changeset(
        &fixture.repository,
        &changeset,
        &both,
        &fixture.user("narrow"),
    )
    .expect_err("delta against hidden contents");
    assert!(error.is_denied(), "{error}");
    let message = error.to_string();
    assert!(
        message.contains(&format!("contents {base} as the base of a delta")),
        "{message}"
    );
    assert_eq!(fixture.blobs(), blobs, "nothing stored");
    commit_changeset(
        &fixture.repository,
        &changeset,
        &both,
        &fixture.user("writer"),
    )
    .expect("writer may read the base");
}
