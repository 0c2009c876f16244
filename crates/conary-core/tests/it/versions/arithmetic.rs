//! Shadow and branch arithmetic: new shadows and branches, source and
//! build counts, next versions, the kernel story of the seeds.

use conary_core::version::{Branch, Label, Version, VersionError};

use super::{assert_error, branch, label, revision, version};

#[test]
fn shadow_depths() {
    let cases = [
        ("/a@b:c", 0),
        ("/a@b:c//d", 1),
        ("/a@b:c//d//e", 2),
        ("/a@b:c//d/1.0-1.1/f", 0),
        ("/a@b:c//d/1.0-1.1/f//g", 1),
    ];
    for (text, depth) in cases {
        assert_eq!(branch(text).shadow_depth(), depth, "{text}");
    }
}

#[test]
fn shadows_and_branches_of_the_original_tests() {
    let trunk = branch("/foo@spc:linux");
    assert!(!trunk.is_shadow());
    assert!(!trunk.has_parent_branch());
    let shadow = trunk
        .create_shadow(label("foo@spc:shadow"))
        .expect("new label");
    assert!(shadow.is_shadow());
    assert_eq!(shadow.to_string(), "/foo@spc:linux//shadow");
    assert_eq!(shadow.parent_branch(), Some(trunk));

    let v = shadow.create_version(revision("1.1-1")).expect("fits");
    assert!(v.is_shadow() && !v.is_modified_shadow());
    assert_eq!(v.to_string(), "/foo@spc:linux//shadow/1.1-1");
    assert_eq!(v.canonical_version().to_string(), "/foo@spc:linux/1.1-1");
    assert_eq!(v.shadow_depth(), 1);

    let deeper = v
        .create_shadow(label("foo@spc:shadow2"))
        .expect("new label");
    assert_eq!(deeper.to_string(), "/foo@spc:linux//shadow//shadow2/1.1-1");
    assert_eq!(deeper.shadow_depth(), 2);
    let parent = deeper.parent_version().expect("unmodified");
    assert_eq!(parent.to_string(), "/foo@spc:linux//shadow/1.1-1");
    assert_eq!(
        parent.parent_version().map(|p| p.to_string()).as_deref(),
        Some("/foo@spc:linux/1.1-1")
    );
    assert!(!deeper.canonical_version().is_shadow());

    assert_error(
        "same label",
        deeper.create_branch(label("foo@spc:shadow2")),
        "onto its own label",
    );
    assert_error(
        "same label",
        deeper.create_shadow(label("foo@spc:shadow2")),
        "onto its own label",
    );
    assert_error(
        "circular",
        deeper.create_shadow(label("foo@spc:linux")),
        "circular shadow",
    );

    let new_branch = deeper
        .create_branch(label("foo@spc:branch"))
        .expect("new label");
    assert_eq!(
        new_branch.to_string(),
        "/foo@spc:linux//shadow//shadow2/1.1-1/branch"
    );
    let branched = deeper
        .create_branched_version(label("foo@spc:branch"))
        .expect("new label");
    assert_eq!(
        branched.to_string(),
        "/foo@spc:linux//shadow//shadow2/1.1-1/branch/1"
    );
    assert_eq!(branched.shadow_depth(), 0);
    assert!(!branched.is_shadow());

    let changed = deeper.increment_source_count().expect("no overflow");
    assert_eq!(
        changed.to_string(),
        "/foo@spc:linux//shadow//shadow2/1.1-1.0.1"
    );
    assert!(changed.is_modified_shadow());
    let branched = branched.increment_source_count().expect("no overflow");
    assert_eq!(
        branched.to_string(),
        "/foo@spc:linux//shadow//shadow2/1.1-1/branch/2"
    );

    let shadow3 = branched
        .create_shadow(label("foo@spc:shadow3"))
        .expect("new label");
    assert_eq!(
        shadow3.to_string(),
        "/foo@spc:linux//shadow//shadow2/1.1-1/branch//shadow3/2"
    );
    let mut chain = Vec::new();
    let mut current = Some(shadow3);
    while let Some(v) = current {
        current = v.parent_version();
        chain.push(v.to_string());
    }
    assert_eq!(
        chain,
        [
            "/foo@spc:linux//shadow//shadow2/1.1-1/branch//shadow3/2",
            "/foo@spc:linux//shadow//shadow2/1.1-1/branch/2",
            "/foo@spc:linux//shadow//shadow2/1.1-1",
            "/foo@spc:linux//shadow/1.1-1",
            "/foo@spc:linux/1.1-1",
        ]
    );
}

/// A predicate telling whether a version is on one special label.
type OnLabel = fn(&Version) -> bool;

#[test]
fn branches_onto_local_labels() {
    // (label, predicate name checked)
    let parent = version("/foo.com@spc:bar/1.2-3");
    let cases: [(Label, &str, OnLabel); 5] = [
        (
            Label::emerge(),
            "/foo.com@spc:bar/1.2-3/local@local:EMERGE/3",
            Version::on_emerge_label,
        ),
        (
            Label::cook(),
            "/foo.com@spc:bar/1.2-3/local@local:COOK/3",
            Version::on_local_cook_label,
        ),
        (
            Label::rollback(),
            "/foo.com@spc:bar/1.2-3/local@local:ROLLBACK/3",
            Version::on_rollback_label,
        ),
        (
            Label::local(),
            "/foo.com@spc:bar/1.2-3/local@local:LOCAL/3",
            Version::on_local_label,
        ),
        (
            Label::phantom(),
            "/foo.com@spc:bar/1.2-3/local@local:PHANTOM/3",
            Version::on_phantom_label,
        ),
    ];
    for (local, expected, on_label) in cases {
        let v = parent.create_branched_version(local).expect("new label");
        assert_eq!(v.to_string(), expected);
        assert!(on_label(&v), "{expected}");
        assert!(v.is_on_local_host() && v.is_in_local_namespace());
        assert_eq!(v.host(), "local");
        assert_eq!(version(expected), v);
    }
    assert!(!parent.is_on_local_host() && !parent.is_in_local_namespace());
    assert!(version("/foo.com@local:linux/1.0-1").is_in_local_namespace());
    assert!(version("/localhost@rpl:linux//local@local:ROLLBACK/2-1-1").on_rollback_label());
}

#[test]
fn new_versions_must_fit_their_branch() {
    let cases = [
        ("/a@b:c", "1.0-1.1", "too many shadow serial numbers"),
        ("/a@b:c//d", "1.0-1.1.1", "shadow depth 1"),
        (
            "/a@b:c/1.0-1-1/d",
            "1.0-2",
            "cannot follow the binary revision",
        ),
    ];
    for (on, rev, fragment) in cases {
        assert_error(rev, branch(on).create_version(revision(rev)), fragment);
    }
    let too_many = branch("/a@b:c").create_version(revision("1.0-1.1"));
    assert!(matches!(
        too_many,
        Err(VersionError::TooManyShadowCounts { depth: 0, .. })
    ));
}

#[test]
fn source_counts() {
    let cases = [
        (
            "/foo.com@spc:bar/1.2-3/bang.com@spc:branch/2.4-5",
            "/foo.com@spc:bar/1.2-3/bang.com@spc:branch/2.4-6",
        ),
        (
            "/branch@rpl:1//shadow/1.2.3-3",
            "/branch@rpl:1//shadow/1.2.3-3.1",
        ),
        ("/a@b:c//d//e/1.1-1", "/a@b:c//d//e/1.1-1.0.1"),
        ("/a@b:c//d//e//f/1.2-1", "/a@b:c//d//e//f/1.2-1.0.0.1"),
        ("/a@b:c/1.2a-2", "/a@b:c/1.2a-3"),
        ("/a@b:c//d/1.2-2.1", "/a@b:c//d/1.2-2.2"),
        ("/a@b:c//d/1.2-2.2", "/a@b:c//d/1.2-2.3"),
        ("/a@b:c//d/1.2-0.1", "/a@b:c//d/1.2-0.2"),
    ];
    for (text, expected) in cases {
        let next = version(text).increment_source_count().expect("no overflow");
        assert_eq!(next.to_string(), expected, "{text}");
        assert_eq!(next.timestamp(), None);
    }
    assert_error(
        "overflow",
        version("/a@b:c/1.0-18446744073709551615").increment_source_count(),
        "would overflow",
    );
}

#[test]
fn build_counts() {
    let cases = [
        (
            "/foo@spc:linux//shadow/1.2-1",
            "/foo@spc:linux//shadow/1.2-1-0.1",
        ),
        (
            "/foo@spc:linux//shadow/1.2-1.1",
            "/foo@spc:linux//shadow/1.2-1.1-1",
        ),
        ("/a@b:c/1.0-1", "/a@b:c/1.0-1-1"),
        ("/a@b:c/1.0-1-1", "/a@b:c/1.0-1-2"),
        ("/a@b:c/1.0-1-0", "/a@b:c/1.0-1-1"),
        ("/a@b:c//d//e/1.0-1", "/a@b:c//d//e/1.0-1-0.0.1"),
        ("/a@b:c//d//e/1.0-1-0.1", "/a@b:c//d//e/1.0-1-0.1.1"),
        ("/a@b:c//d/1.0-1.1-1", "/a@b:c//d/1.0-1.1-2"),
        ("/a@b:c//d/1.0-1-0.1", "/a@b:c//d/1.0-1-0.2"),
        ("/a@b:c//d//e/1.1-1.0.1", "/a@b:c//d//e/1.1-1.0.1-1"),
    ];
    for (text, expected) in cases {
        let next = version(text).increment_build_count().expect("no overflow");
        assert_eq!(next.to_string(), expected, "{text}");
    }
    // A fresh build of a shadowed source has no parent: it was built here.
    let built = version("/foo@spc:linux//shadow/1.2-1")
        .increment_build_count()
        .expect("no overflow");
    assert!(!built.has_parent_version());
    let local = built
        .create_branched_version(Label::local())
        .expect("new label");
    assert_eq!(
        local.to_string(),
        "/foo@spc:linux//shadow/1.2-1-0.1/local@local:LOCAL/1"
    );
}

#[test]
fn next_source_versions() {
    // (branch, desired revision, existing versions, expected)
    let cases: &[(&str, &str, &[&str], &str)] = &[
        ("/a@b:c", "1.0-1", &[], "/a@b:c/1.0-1"),
        ("/a@b:c", "1.0-0", &[], "/a@b:c/1.0-1"),
        ("/a@b:c", "1.0-1", &["/a@b:c/1.0-1"], "/a@b:c/1.0-2"),
        (
            "/a@b:c",
            "1.0-1",
            &["/a@b:c/1.0-1", "/a@b:c/1.0-2"],
            "/a@b:c/1.0-3",
        ),
        ("/a@b:c", "1.0-0", &["/a@b:c/0.9-1"], "/a@b:c/1.0-1"),
        ("/a@b:c", "1.2.3-3.1", &[], "/a@b:c/1.2.3-3"),
        ("/a@b:c//d", "1.2.4-0", &[], "/a@b:c//d/1.2.4-0.1"),
        (
            "/a@b:c//d",
            "1.2.4-0",
            &["/a@b:c//d/1.2.4-0.1"],
            "/a@b:c//d/1.2.4-0.2",
        ),
        (
            "/a@b:c//d",
            "1.2.3-3",
            &["/a@b:c//d/1.2.3-3"],
            "/a@b:c//d/1.2.3-3.1",
        ),
        (
            "/a@b:c//d",
            "1.2.3-3.1",
            &["/a@b:c//d/1.2.3-3"],
            "/a@b:c//d/1.2.3-3.1",
        ),
        (
            "/a@b:c//d",
            "1.2.3-3.1",
            &[
                "/a@b:c//d/1.2.3-3",
                "/a@b:c//d/1.2.3-3.1",
                "/a@b:c//d/1.2.3-3.2",
            ],
            "/a@b:c//d/1.2.3-3.3",
        ),
        (
            "/a@b:c//d//e",
            "1.1-1",
            &["/a@b:c//d//e/1.1-1"],
            "/a@b:c//d//e/1.1-1.0.1",
        ),
    ];
    for (on, desired, existing, expected) in cases {
        let existing: Vec<Version> = existing.iter().map(|v| version(v)).collect();
        let next = Version::next_source_version(&branch(on), &revision(desired), &existing)
            .expect("a free version");
        assert_eq!(next.to_string(), *expected, "{desired} on {on}");
    }
}

#[test]
fn next_build_versions() {
    // (source, existing binaries on its label, expected)
    let cases: &[(&str, &[&str], &str)] = &[
        ("/a@b:c/1.0-1", &[], "/a@b:c/1.0-1-1"),
        ("/a@b:c/1.0-1", &["/a@b:c/1.0-1-1"], "/a@b:c/1.0-1-2"),
        (
            "/a@b:c/1.0-1",
            &["/a@b:c/1.0-1-1", "/a@b:c/1.0-1-3", "/a@b:c/1.0-2-5"],
            "/a@b:c/1.0-1-4",
        ),
        ("/a@b:c/1.0-1", &["/x@y:z/1.0-1-7"], "/a@b:c/1.0-1-1"),
        ("/a@b:c/1.0-1/d/1.0-2", &[], "/a@b:c/1.0-1-0/d/2-1"),
        (
            "/a@b:c/1.0-1/d/1.0-2",
            &["/a@b:c/1.0-1-0/d/1.0-2-1"],
            "/a@b:c/1.0-1-0/d/2-2",
        ),
        ("/a@b:c//d/1.2-1", &[], "/a@b:c//d/1.2-1-0.1"),
        // A shadowed binary is not a build of the shadow.
        (
            "/a@b:c//d/1.2-1",
            &["/a@b:c//d/1.2-1-1"],
            "/a@b:c//d/1.2-1-0.1",
        ),
        (
            "/a@b:c//d/1.2-1",
            &["/a@b:c//d/1.2-1-0.1"],
            "/a@b:c//d/1.2-1-0.2",
        ),
        ("/a@b:c//d/1.2-1.1", &[], "/a@b:c//d/1.2-1.1-1"),
    ];
    for (source, existing, expected) in cases {
        let existing: Vec<Version> = existing.iter().map(|v| version(v)).collect();
        let next = Version::next_build_version(&version(source), &existing).expect("no overflow");
        assert_eq!(next.to_string(), *expected, "{source}");
    }
}

/// The seeds' story: a kernel on /linux26 shadowed to carry one patch.
#[test]
fn kernel_shadow_story() {
    let linux26 = branch("/kernel.example.com@rpl:linux26");
    let base = linux26.create_version(revision("2.6.5-1")).expect("fits");
    let mypatch = linux26
        .create_shadow(label("example.com@rpl:mypatch"))
        .expect("new label");
    assert_eq!(
        mypatch.to_string(),
        "/kernel.example.com@rpl:linux26//example.com@rpl:mypatch"
    );

    // Shadowing: the same contents under the same revision.
    let shadowed = base
        .create_shadow(mypatch.label().clone())
        .expect("new label");
    assert_eq!(shadowed.branch(), &mypatch);
    assert_eq!(shadowed.trailing_revision().to_string(), "2.6.5-1");
    assert!(shadowed.is_unmodified_shadow());
    assert_eq!(shadowed.parent_version().as_ref(), Some(&base));
    assert_eq!(shadowed.canonical_version(), base);

    // Committing the patch: 2.6.5-1.1.
    let desired = shadowed.increment_source_count().expect("no overflow");
    let patched = Version::next_source_version(
        &mypatch,
        desired.trailing_revision(),
        std::slice::from_ref(&shadowed),
    )
    .expect("free");
    assert_eq!(patched.trailing_revision().to_string(), "2.6.5-1.1");
    assert!(patched.is_modified_shadow());
    assert_eq!(patched.parent_version().as_ref(), Some(&base));
    let built = patched.increment_build_count().expect("no overflow");
    assert_eq!(built.trailing_revision().to_string(), "2.6.5-1.1-1");

    // /linux26 moves to 2.6.6-1; merging and committing gives 2.6.6-1.1.
    let upstream = linux26.create_version(revision("2.6.6-1")).expect("fits");
    let merged = upstream
        .create_shadow(mypatch.label().clone())
        .expect("new label");
    let desired = merged.increment_source_count().expect("no overflow");
    let existing = [shadowed, patched];
    let next = Version::next_source_version(&mypatch, desired.trailing_revision(), &existing)
        .expect("free");
    assert_eq!(
        next.to_string(),
        "/kernel.example.com@rpl:linux26//example.com@rpl:mypatch/2.6.6-1.1"
    );
    assert_eq!(next.parent_version(), Some(upstream));

    // A new upstream version only on the shadow: 0 stands for the parent.
    let own =
        Version::next_source_version(&mypatch, &revision("2.6.7-0"), &existing).expect("free");
    assert_eq!(own.trailing_revision().to_string(), "2.6.7-0.1");
    assert!(!own.has_parent_version());
    assert_eq!(
        own.increment_build_count()
            .map(|v| v.trailing_revision().to_string()),
        Ok("2.6.7-0.1-1".to_owned())
    );

    // Building the unmodified shadow of an unbuilt parent source.
    let unbuilt = linux26.create_version(revision("2.6.8-1")).expect("fits");
    let shadow_of_unbuilt = unbuilt
        .create_shadow(mypatch.label().clone())
        .expect("new label");
    let build = Version::next_build_version(&shadow_of_unbuilt, &[]).expect("no overflow");
    assert_eq!(build.trailing_revision().to_string(), "2.6.8-1-0.1");
}

#[test]
fn rebranching_makes_a_label_with_two_branches() {
    let first = version("/a@rpl:linux26/2.6.5-1").create_branch(label("a@rpl:mybranch"));
    let second = version("/a@rpl:linux26/2.6.6-1").create_branch(label("a@rpl:mybranch"));
    let (first, second): (Branch, Branch) = (first.expect("new label"), second.expect("new label"));
    assert_eq!(first.label(), second.label());
    assert_ne!(first, second);
    assert_eq!(first.to_string(), "/a@rpl:linux26/2.6.5-1/mybranch");
}
