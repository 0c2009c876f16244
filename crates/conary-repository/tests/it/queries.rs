//! Queries: labels, branches, latest versions, flavors, name patterns,
//! paths, dependency suggestions, removed troves, and what each caller
//! may see.

use conary_api::{TroveQuery, TroveSource};
use conary_core::flavor::Flavor;
use conary_core::trove::{TroveTuple, TroveType};
use conary_repository::{LocalSource, Query};

use crate::fixtures::{Bundle, Fixture, HOST, LABEL, version};

/// Commits `name` at each version, one commit each, with `flavor`.
fn commit_versions(
    fixture: &Fixture,
    name: &str,
    versions: &[&str],
    flavor: &str,
) -> Vec<TroveTuple> {
    let mut tuples = Vec::new();
    for text in versions {
        let mut bundle = Bundle::new();
        let contents = format!("{name} {text} {flavor}\n");
        bundle.component(name, &version(text), &[("/usr/share/data", &contents)]);
        bundle.troves[0].flavor = flavor.parse().expect("flavor");
        tuples.extend(
            fixture
                .commit(&bundle, &fixture.root())
                .expect("commit")
                .committed,
        );
    }
    tuples
}

#[test]
fn latest_is_per_name_branch_and_flavor() {
    let fixture = Fixture::new(HOST);
    let root = fixture.root();
    let trunk = commit_versions(
        &fixture,
        "foo:runtime",
        &[
            "/conary.example.com@rpl:2/1.0-1-1",
            "/conary.example.com@rpl:2/1.1-1-1",
        ],
        "is: x86_64",
    );
    let x86 = commit_versions(
        &fixture,
        "foo:runtime",
        &["/conary.example.com@rpl:2/1.0-1-1"],
        "is: x86",
    );
    let shadow = commit_versions(
        &fixture,
        "foo:runtime",
        &["/conary.example.com@rpl:1//conary.example.com@rpl:2/0.9-1-1"],
        "is: x86_64",
    );
    let other_label = commit_versions(
        &fixture,
        "bar:runtime",
        &["/conary.example.com@rpl:3/2.0-1-1"],
        "",
    );

    let label: conary_core::version::Label = LABEL.parse().expect("label");
    let latest = fixture
        .repository
        .troves_on_label(&label, false, &root)
        .expect("latest");
    // Ordered by name, branch, time, flavor.
    assert_eq!(
        latest,
        [shadow[0].clone(), x86[0].clone(), trunk[1].clone()]
    );
    let all = fixture
        .repository
        .troves_on_label(&label, true, &root)
        .expect("all");
    assert_eq!(all.len(), 4);

    let branch = trunk[0].version.branch().clone();
    let on_branch = fixture
        .repository
        .latest_on_branch(&"foo:runtime".parse().expect("name"), &branch, &root)
        .expect("branch");
    assert_eq!(on_branch, [x86[0].clone(), trunk[1].clone()]);

    let name = "foo:runtime".parse().expect("name");
    assert_eq!(
        fixture
            .repository
            .all_versions(&name, &root)
            .expect("all")
            .len(),
        4
    );
    let flavors = fixture
        .repository
        .all_flavors(&name, &trunk[0].version, &root)
        .expect("flavors");
    let flavors: Vec<String> = flavors
        .iter()
        .map(|tuple| tuple.flavor.to_string())
        .collect();
    assert_eq!(flavors, ["is: x86", "is: x86_64"]);
    let exact = Query::everywhere()
        .named([name.clone()])
        .flavor("is: x86".parse::<Flavor>().expect("flavor"));
    assert_eq!(
        fixture
            .repository
            .trove_versions(&exact, &root)
            .expect("exact"),
        x86
    );

    let names = fixture.repository.trove_names(None, &root).expect("names");
    let names: Vec<&str> = names.iter().map(|name| name.as_str()).collect();
    assert_eq!(names, ["bar:runtime", "foo:runtime"]);
    let pattern = Query::everywhere().matching("ba*");
    assert_eq!(
        fixture
            .repository
            .trove_versions(&pattern, &root)
            .expect("glob"),
        other_label
    );

    let with_path = fixture
        .repository
        .troves_with_path("/usr/share/data", &root)
        .expect("path");
    assert_eq!(with_path.len(), 5);
}

#[test]
fn callers_see_only_what_they_may_read() {
    let fixture = Fixture::new(HOST);
    let foo_runtime = commit_versions(
        &fixture,
        "foo:runtime",
        &["/conary.example.com@rpl:2/1.0-1-1"],
        "",
    );
    commit_versions(
        &fixture,
        "bar:runtime",
        &["/conary.example.com@rpl:2/1.0-1-1"],
        "",
    );
    commit_versions(
        &fixture,
        "foo:lib",
        &["/conary.example.com@rpl:3/1.0-1-1"],
        "",
    );
    let narrow = fixture.user("narrow");
    let everywhere = Query::everywhere().all_versions();
    assert_eq!(
        fixture
            .repository
            .trove_versions(&everywhere, &narrow)
            .expect("narrow"),
        foo_runtime
    );
    assert_eq!(
        fixture
            .repository
            .trove_versions(&everywhere, &fixture.user("reader"))
            .expect("reader")
            .len(),
        3
    );
    let names = fixture
        .repository
        .trove_names(None, &narrow)
        .expect("names");
    assert_eq!(names.len(), 1);
    let hidden = fixture
        .repository
        .trove_versions(&everywhere, &fixture.root())
        .expect("all");
    let bar_runtime = hidden
        .iter()
        .find(|tuple| tuple.name.as_str() == "bar:runtime")
        .expect("bar");
    let error = fixture
        .repository
        .manifests(std::slice::from_ref(bar_runtime), &narrow)
        .expect_err("hidden");
    assert!(error.is_not_found(), "{error}");
    let error = fixture
        .repository
        .files(bar_runtime, &narrow)
        .expect_err("hidden");
    assert!(error.is_not_found(), "{error}");
    assert!(
        fixture
            .repository
            .troves_with_path("/usr/share/data", &narrow)
            .expect("path")
            .len()
            == 1
    );
}

#[test]
fn removed_troves_are_stubs_with_their_history_kept() {
    let fixture = Fixture::new(HOST);
    let root = fixture.root();
    let tuples = commit_versions(
        &fixture,
        "foo:runtime",
        &[
            "/conary.example.com@rpl:2/1.0-1-1",
            "/conary.example.com@rpl:2/1.0-1-2",
        ],
        "",
    );
    let error = fixture
        .repository
        .mark_removed(&tuples[1..], &fixture.user("writer"))
        .expect_err("not admin");
    assert!(error.is_denied(), "{error}");
    let marked = fixture
        .repository
        .mark_removed(&tuples[1..], &root)
        .expect("mark");
    assert_eq!(marked, &tuples[1..]);
    let label: conary_core::version::Label = LABEL.parse().expect("label");
    let latest = fixture
        .repository
        .troves_on_label(&label, false, &root)
        .expect("latest");
    assert_eq!(latest, &tuples[..1]);
    let history = Query::on_label(label).all_versions().show_removed();
    assert_eq!(
        fixture
            .repository
            .trove_versions(&history, &root)
            .expect("history"),
        tuples
    );
    let stub = fixture
        .repository
        .manifests(&tuples[1..], &root)
        .expect("stub")
        .remove(0);
    assert_eq!(stub.trove_type, TroveType::Removed);
    assert!(stub.files.is_empty());
    assert!(
        fixture
            .repository
            .trove_details(&tuples[1], &root)
            .expect("details")
            .removed
    );
    // A removed version keeps its place: the next commit is newer still.
    let next = commit_versions(
        &fixture,
        "foo:runtime",
        &["/conary.example.com@rpl:2/1.0-1-3"],
        "",
    );
    assert!(next[0].version.is_after(&tuples[1].version));
}

#[test]
fn a_local_source_answers_as_its_caller() {
    let fixture = Fixture::new(HOST);
    let foo_runtime = commit_versions(
        &fixture,
        "foo:runtime",
        &["/conary.example.com@rpl:2/1.0-1-1"],
        "",
    );
    commit_versions(
        &fixture,
        "bar:runtime",
        &["/conary.example.com@rpl:2/1.0-1-1"],
        "",
    );
    let narrow = LocalSource::new(&fixture.repository, fixture.user("narrow"));
    let query = TroveQuery::on_label(LABEL.parse().expect("label"));
    assert_eq!(
        narrow.trove_versions(&query).expect("versions"),
        foo_runtime
    );
    let troves = narrow.troves(&foo_runtime).expect("troves");
    assert_eq!(troves[0].tuple(), foo_runtime[0]);
    let digest =
        conary_core::digest::Digest::of(b"foo:runtime /conary.example.com@rpl:2/1.0-1-1 \n");
    let mut out = Vec::new();
    narrow.contents(&digest, &mut out).expect("contents");
    assert_eq!(out, b"foo:runtime /conary.example.com@rpl:2/1.0-1-1 \n");
    let bar_digest =
        conary_core::digest::Digest::of(b"bar:runtime /conary.example.com@rpl:2/1.0-1-1 \n");
    let error = narrow
        .contents(&bar_digest, &mut Vec::new())
        .expect_err("hidden");
    assert!(
        matches!(error, conary_api::SourceError::NotFound(_)),
        "{error}"
    );
}

#[test]
fn dependency_suggestions_through_a_local_source() {
    let fixture = Fixture::new(HOST);
    let mut bundle = Bundle::new();
    bundle.component(
        "libfoo:lib",
        &version("/conary.example.com@rpl:2/1.0-1-1"),
        &[],
    );
    bundle.troves[0].provides = "soname: ELF64/libfoo.so.1(SysV x86_64) trove: libfoo:lib"
        .parse()
        .expect("provides");
    let libfoo = fixture
        .commit(&bundle, &fixture.root())
        .expect("commit")
        .committed;
    let source = LocalSource::new(&fixture.repository, fixture.user("reader"));
    let requires = "soname: ELF64/libfoo.so.1(x86_64)"
        .parse()
        .expect("requires");
    let labels = [LABEL.parse().expect("label")];
    let found = source
        .dep_suggestions(&labels, &requires)
        .expect("suggestions");
    assert_eq!(found.values().next().expect("found"), &libfoo);
    let narrow = LocalSource::new(&fixture.repository, fixture.user("narrow"));
    assert!(
        narrow
            .dep_suggestions(&labels, &requires)
            .expect("none")
            .is_empty()
    );
}
