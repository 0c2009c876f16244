//! Generating changesets: absolute, relative (only changed files),
//! recursion into packages and groups, erasures, dedup, removed troves.

use conary_api::Job;
use conary_changeset::{ChangeSet, ChangeSetReader, ContentKind, NoContents};
use conary_core::trove::{TroveTuple, TroveType};
use conary_repository::Identity;

use crate::fixtures::{Bundle, Fixture, HOST, tuple, version};

/// Generates the changeset for `jobs` and reads it back, payloads and all.
fn generate(
    fixture: &Fixture,
    jobs: &[Job],
    recurse: bool,
    identity: &Identity,
) -> (ChangeSet, Vec<Vec<u8>>) {
    let mut bytes = Vec::new();
    let written = fixture
        .repository
        .changeset(jobs, recurse, identity, &mut bytes)
        .expect("changeset");
    assert_eq!(written, bytes.len() as u64);
    let mut reader = ChangeSetReader::new(&bytes[..]).expect("reader");
    let mut payloads = Vec::new();
    while let Some(mut payload) = reader.next_payload(&NoContents).expect("payload") {
        payloads.push(payload.read_to_vec().expect("contents"));
    }
    (reader.finish().expect("finish"), payloads)
}

fn install(tuple: &TroveTuple) -> Job {
    Job::install(
        tuple.name.clone(),
        tuple.version.clone(),
        tuple.flavor.clone(),
    )
}

fn update(old: &TroveTuple, new: &TroveTuple) -> Job {
    Job::update(
        new.name.clone(),
        (old.version.clone(), old.flavor.clone()),
        (new.version.clone(), new.flavor.clone()),
    )
}

/// Commits foo (package) and foo:runtime at `revision` with these files.
fn commit_foo(fixture: &Fixture, revision: &str, files: &[(&str, &str)]) -> Vec<TroveTuple> {
    let v = version(&format!("/conary.example.com@rpl:2/{revision}"));
    let mut bundle = Bundle::new();
    bundle
        .component("foo:runtime", &v, files)
        .collection("foo", &v, &[tuple("foo:runtime", &v)]);
    fixture
        .commit(&bundle, &fixture.root())
        .expect("commit")
        .committed
}

#[test]
fn absolute_changesets_carry_everything() {
    let fixture = Fixture::new(HOST);
    let v1 = commit_foo(
        &fixture,
        "1.0-1-1",
        &[("/usr/bin/foo", "foo 1\n"), ("/etc/foo.conf", "x=1\n")],
    );
    let (changeset, payloads) = generate(&fixture, &[install(&v1[1])], false, &fixture.root());
    assert_eq!(changeset.primary.iter().collect::<Vec<_>>(), [&v1[1]]);
    assert_eq!(changeset.troves.len(), 1);
    assert!(changeset.is_absolute());
    assert_eq!(changeset.files.len(), 2);
    assert_eq!(payloads.len(), 2);
    let change = changeset.troves.values().next().expect("one");
    assert_eq!(change.new.tuple(), v1[1]);
    assert_eq!(
        change.new.version.freeze(),
        v1[1].version.freeze(),
        "timestamps travel"
    );
}

#[test]
fn relative_changesets_carry_only_changed_files() {
    let fixture = Fixture::new(HOST);
    let root = fixture.root();
    let v1 = commit_foo(
        &fixture,
        "1.0-1-1",
        &[("/usr/bin/foo", "foo 1\n"), ("/usr/share/same", "same\n")],
    );
    let v2 = commit_foo(
        &fixture,
        "1.0-1-2",
        &[("/usr/bin/foo", "foo 2\n"), ("/usr/share/same", "same\n")],
    );
    assert_eq!(fixture.blobs(), 3, "unchanged contents are stored once");
    let (changeset, payloads) = generate(&fixture, &[update(&v1[1], &v2[1])], false, &root);
    let change = changeset.troves.values().next().expect("one");
    assert_eq!(change.old.as_ref(), Some(&v1[1]));
    assert_eq!(changeset.files.len(), 1, "{:?}", changeset.files);
    let stream = changeset.files.values().next().expect("one stream");
    assert_eq!(
        stream.content_digest(),
        Some(conary_core::digest::Digest::of(b"foo 2\n"))
    );
    assert_eq!(payloads, [b"foo 2\n".to_vec()]);

    // With recursion, the package's update brings its component's.
    let (changeset, _) = generate(&fixture, &[update(&v1[0], &v2[0])], true, &root);
    let names: Vec<String> = changeset.troves.keys().map(ToString::to_string).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert_eq!(changeset.primary.len(), 1);
    assert!(changeset.troves.values().all(|change| change.old.is_some()));
}

#[test]
fn prepared_payloads_give_the_same_bytes() {
    let fixture = Fixture::new(HOST);
    let root = fixture.root();
    let old_text: String = (0..2000).map(|n| format!("line {n} of foo\n")).collect();
    let new_text = old_text.replace("line 1000 of", "line one thousand of");
    let v1 = commit_foo(&fixture, "1.0-1-1", &[("/usr/bin/foo", &old_text)]);
    let v2 = commit_foo(
        &fixture,
        "1.0-1-2",
        &[("/usr/bin/foo", &new_text), ("/usr/bin/bar", "bar\n")],
    );
    let jobs = [update(&v1[0], &v2[0])];
    let mut bytes = Vec::new();
    fixture
        .repository
        .changeset(&jobs, true, &root, &mut bytes)
        .expect("changeset");
    let (planned, prepared) = fixture
        .repository
        .plan_prepared_changeset(&jobs, true, &root)
        .expect("plan prepared");
    assert_eq!(prepared.len(), 1, "the delta's frame is kept");
    let changeset = fixture
        .repository
        .plan_changeset(&jobs, true, &root)
        .expect("plan");
    assert_eq!(planned, changeset);
    let delta = conary_core::digest::Digest::of(new_text.as_bytes());
    assert!(matches!(
        changeset.contents[&delta].kind,
        ContentKind::Delta { .. }
    ));
    let mut again = Vec::new();
    fixture
        .repository
        .write_changeset(&changeset, &mut again)
        .expect("write");
    assert!(again == bytes, "the bytes differ");
}

#[test]
fn groups_recurse_to_every_member() {
    let fixture = Fixture::new(HOST);
    let root = fixture.root();
    let foo_troves = commit_foo(&fixture, "1.0-1-1", &[("/usr/bin/foo", "foo\n")]);
    let g = version("/conary.example.com@rpl:2/1-1-1");
    let mut group = Bundle::new();
    group.collection("group-base", &g, &[foo_troves[0].clone()]);
    group.troves[0].add_weak_ref(foo_troves[1].clone(), true);
    let group = fixture.commit(&group, &root).expect("group").committed;
    let (changeset, payloads) = generate(&fixture, &[install(&group[0])], true, &root);
    assert_eq!(changeset.troves.len(), 3);
    assert_eq!(payloads.len(), 1);
    let (alone, _) = generate(&fixture, &[install(&group[0])], false, &root);
    assert_eq!(alone.troves.len(), 1);

    let erase = Job::erase(
        group[0].name.clone(),
        group[0].version.clone(),
        group[0].flavor.clone(),
    );
    let (changeset, _) = generate(&fixture, &[erase], true, &root);
    assert_eq!(changeset.erased.len(), 3);
    assert!(changeset.troves.is_empty());
}

#[test]
fn hidden_and_removed_troves_do_not_travel() {
    let fixture = Fixture::new(HOST);
    let root = fixture.root();
    let foo_troves = commit_foo(&fixture, "1.0-1-1", &[("/usr/bin/foo", "foo\n")]);
    let mut bar_troves = Bundle::new();
    let v = version("/conary.example.com@rpl:2/1.0-1-1");
    bar_troves.component("bar:runtime", &v, &[("/usr/bin/bar", "bar\n")]);
    let bar_troves = fixture.commit(&bar_troves, &root).expect("bar").committed;
    let narrow = fixture.user("narrow");
    let error = fixture
        .repository
        .changeset(&[install(&bar_troves[0])], false, &narrow, &mut Vec::new())
        .expect_err("hidden");
    assert!(error.is_not_found(), "{error}");
    let (changeset, _) = generate(&fixture, &[install(&foo_troves[0])], true, &narrow);
    assert_eq!(changeset.troves.len(), 2);

    fixture
        .repository
        .mark_removed(&foo_troves[1..], &root)
        .expect("remove");
    let (changeset, payloads) = generate(&fixture, &[install(&foo_troves[1])], false, &root);
    let stub = &changeset.troves.values().next().expect("stub").new;
    assert_eq!(stub.trove_type, TroveType::Removed);
    assert!(
        payloads.is_empty(),
        "contents of removed troves are not served"
    );
    let _ = ContentKind::Full;
}

/// A repeated request is answered from the changeset cache, with the same
/// bytes; a caller who sees other troves gets its own changeset; marking a
/// trove removed drops the entries holding it.
#[test]
fn repeated_changesets_come_from_the_cache() {
    let fixture = Fixture::new(HOST);
    let v1 = version("/conary.example.com@rpl:2/1.0-1-1");
    let v2 = version("/conary.example.com@rpl:2/1.0-2-1");
    let mut old = Bundle::new();
    old.component("foo:runtime", &v1, &[("/usr/bin/foo", "foo 1\n")]);
    old.component("bar:runtime", &v1, &[("/usr/bin/bar", "bar 1\n")]);
    fixture.commit(&old, &fixture.root()).expect("commit old");
    let mut new = Bundle::new();
    new.component("foo:runtime", &v2, &[("/usr/bin/foo", "foo 2\n")]);
    new.component("bar:runtime", &v2, &[("/usr/bin/bar", "bar 2\n")]);
    let committed = fixture
        .commit(&new, &fixture.root())
        .expect("commit new")
        .committed;
    let jobs: Vec<Job> = ["foo:runtime", "bar:runtime"]
        .into_iter()
        .map(|name| {
            update(
                &tuple(name, &v1),
                &tuple(name, &version(&committed[0].version.to_string())),
            )
        })
        .collect();
    let repository = &fixture.repository;
    let make = |identity: &Identity| {
        let planned = repository
            .plan_cached_changeset(&jobs, false, identity)
            .expect("plan");
        let cached = planned.is_cached();
        let mut bytes = Vec::new();
        repository
            .write_planned_changeset(planned, &mut bytes)
            .expect("write");
        (cached, bytes)
    };
    let (cold, first) = make(&fixture.root());
    assert!(!cold, "the first request is made");
    let (warm, second) = make(&fixture.root());
    assert!(warm, "the second comes from the cache");
    assert_eq!(first, second);
    assert_eq!(make(&fixture.user("reader")), (true, first.clone()));
    // `narrow` may read foo* only: asking for bar is refused, cached or
    // not, and asking for foo alone is another changeset.
    let narrow = fixture.user("narrow");
    assert!(
        repository
            .plan_cached_changeset(&jobs, false, &narrow)
            .is_err()
    );
    // Through `Repository::changeset` (what LocalSource uses) too.
    let mut through = Vec::new();
    repository
        .changeset(&jobs, false, &fixture.root(), &mut through)
        .expect("changeset");
    assert_eq!(through, first);
    let cache = repository.changeset_cache();
    let entries = || std::fs::read_dir(cache.dir()).map_or(0, |dir| dir.count());
    assert_eq!(entries(), 1);
    // Marking a trove of it removed drops the entry, and the next request
    // makes a new changeset (carrying the removed stub).
    let bar = committed
        .iter()
        .find(|t| t.name.as_str() == "bar:runtime")
        .expect("bar")
        .clone();
    repository
        .mark_removed(&[bar], &fixture.root())
        .expect("mark removed");
    assert_eq!(entries(), 0);
    let (cached, after) = make(&fixture.root());
    assert!(!cached);
    assert_ne!(after, first);
}

#[test]
fn streams_changesets_carry_troves_and_streams_but_no_contents() {
    let fixture = Fixture::new(HOST);
    let v1 = commit_foo(
        &fixture,
        "1.0-1-1",
        &[("/usr/bin/foo", "foo 1\n"), ("/etc/foo.conf", "x=1\n")],
    );
    let jobs = [install(&v1[0]), install(&v1[1])];
    let (whole, payloads) = generate(&fixture, &jobs, false, &fixture.root());
    assert_eq!(payloads.len(), 2);

    let mut bytes = Vec::new();
    let written = fixture
        .repository
        .streams_changeset(&jobs, false, &fixture.root(), &mut bytes)
        .expect("streams changeset");
    assert_eq!(written, bytes.len() as u64);
    let mut reader = ChangeSetReader::new(&bytes[..]).expect("reader");
    assert!(
        reader.next_payload(&NoContents).expect("payload").is_none(),
        "no contents travel"
    );
    let streams = reader.finish().expect("finish");
    assert_eq!(streams.troves, whole.troves, "the same troves");
    assert_eq!(streams.files, whole.files, "the same file streams");
    assert!(!streams.contents.is_empty());
    assert!(
        streams
            .contents
            .values()
            .all(|contents| contents.kind == ContentKind::Reference),
        "every contents is a reference"
    );

    // The same refusal as a whole changeset for what the caller may not read.
    let mut bar = Bundle::new();
    let v = version("/conary.example.com@rpl:2/1.0-1-1");
    bar.component("bar:runtime", &v, &[("/usr/bin/bar", "bar\n")]);
    let bar = fixture
        .commit(&bar, &fixture.root())
        .expect("bar")
        .committed;
    let error = fixture
        .repository
        .streams_changeset(
            &[install(&bar[0])],
            false,
            &fixture.user("narrow"),
            &mut Vec::new(),
        )
        .expect_err("hidden");
    assert!(error.is_not_found(), "{error}");
}
