//! Binding trove specs: versions, flavors, the search path, errors.

use conary_build::group::{GroupContext, GroupError, cook_group};
use conary_build::recipe::model::{GroupOp, RecipeKind};
use conary_core::deps::Dependency;
use conary_core::flavor::Flavor;
use conary_core::trove::Trove;
use conary_core::troveinfo::TroveInfo;

use super::fixture::*;

#[test]
fn add_two_packages_binds_the_newest_with_exact_references() {
    let repo = Repo::new();
    two_packages(&repo);
    let cooked = cook(&repo, vec![add("foo"), add("bar")]).expect("cook");
    assert_eq!(cooked.groups.len(), 1);
    assert!(cooked.resolved.is_empty());
    let group = cooked.main().expect("main group");
    assert_eq!(group.name.as_str(), "group-foo");
    assert_eq!(group.version, full_version("1.0-1-1"));
    assert_eq!(group.flavor.to_string(), FLAVOR);
    assert_eq!(
        refs(group, true),
        [
            "bar=1.0-1-1[is: x86_64] true",
            "foo=1.1-1-1[is: x86_64] true"
        ]
    );
    assert_eq!(
        refs(group, false),
        [
            "bar:runtime=1.0-1-1[is: x86_64] true",
            "foo:debuginfo=1.1-1-1[is: x86_64] false",
            "foo:doc=1.1-1-1[is: x86_64] true",
            "foo:runtime=1.1-1-1[is: x86_64] true",
        ]
    );
    // The bound versions carry their commit timestamps.
    assert!(
        group
            .strong_refs
            .keys()
            .all(|t| t.version.timestamp().is_some())
    );
    assert!(group.info.flags.is_collection());
    assert!(
        group
            .provides
            .contains(&Dependency::trove(&"group-foo".parse().expect("name")))
    );
    assert_eq!(group.provides.len(), 1);
    assert!(group.requires.is_empty());
    // By-default components only: "bar" + "foo runtime" + "foo doc".
    assert_eq!(group.info.size, Some(3 + 11 + 7));
    assert_eq!(group.info.source_name, info().source_name);
    assert_eq!(group.info.build_time, Some(1_700_000_000));
    assert_eq!(group.info.search_path, [LABEL]);
}

#[test]
fn a_spec_with_a_version_binds_that_version() {
    let repo = Repo::new();
    two_packages(&repo);
    let cooked = cook(&repo, vec![add("foo=1.0"), add("bar=1.0-1-1")]).expect("cook");
    let group = cooked.main().expect("main group");
    assert_eq!(
        refs(group, true),
        [
            "bar=1.0-1-1[is: x86_64] true",
            "foo=1.0-1-1[is: x86_64] true"
        ]
    );
    assert!(
        refs(group, false).contains(&"foo:runtime=1.0-1-1[is: x86_64] true".to_owned()),
        "{:?}",
        refs(group, false)
    );
}

#[test]
fn newest_means_last_committed() {
    let repo = Repo::new();
    repo.package("foo", "2.0-1-1", FLAVOR, &[comp("runtime", "two")]);
    repo.package(
        "foo",
        "1.5-1-1",
        FLAVOR,
        &[comp("runtime", "one and a half")],
    );
    let cooked = cook(&repo, vec![add("foo")]).expect("cook");
    assert_eq!(
        refs(cooked.main().expect("main"), true),
        ["foo=1.5-1-1[is: x86_64] true"]
    );
}

#[test]
fn the_flavor_that_fits_the_cooked_flavor_is_bound() {
    let repo = Repo::new();
    repo.package("foo", "1.0-1-1", "is: x86", &[comp("runtime", "32")]);
    repo.package("foo", "1.0-1-1", "is: x86_64", &[comp("runtime", "64")]);
    let cooked = cook_with(&repo, vec![add("foo")], "is: x86_64", false).expect("cook");
    assert_eq!(
        refs(cooked.main().expect("main"), true),
        ["foo=1.0-1-1[is: x86_64] true"]
    );
    let cooked = cook_with(&repo, vec![add("foo")], "is: x86", false).expect("cook");
    assert_eq!(
        refs(cooked.main().expect("main"), true),
        ["foo=1.0-1-1[is: x86] true"]
    );
    // A flavor in the spec narrows the cooked one.
    let cooked = cook_with(&repo, vec![add("foo[is: x86]")], "is: x86_64", false).expect("cook");
    let group = cooked.main().expect("main");
    assert_eq!(refs(group, true), ["foo=1.0-1-1[is: x86] true"]);
    assert_eq!(refs(group, false), ["foo:runtime=1.0-1-1[is: x86] true"]);
    assert_eq!(group.flavor.to_string(), "is: x86");
}

#[test]
fn a_missing_trove_names_the_operation() {
    let repo = Repo::new();
    two_packages(&repo);
    let mut ops = vec![add("foo")];
    ops.extend((0..3).map(|_| add("bar")));
    ops.push(add("nosuch"));
    let error = cook(&repo, ops).expect_err("missing");
    assert_eq!(
        error.to_string(),
        "group-foo.recipe:5:5: trove 'nosuch' not found on conary.example.com@rpl:devel"
    );
    assert!(matches!(error, GroupError::NotFound { .. }));
}

#[test]
fn the_first_label_of_the_search_path_that_has_the_name_wins() {
    let repo = Repo::new();
    repo.package(
        "foo",
        &format!("/{OTHER_LABEL}/3.0-1-1"),
        FLAVOR,
        &[comp("runtime", "other")],
    );
    repo.package(
        "bar",
        &format!("/{OTHER_LABEL}/3.0-1-1"),
        FLAVOR,
        &[comp("runtime", "other")],
    );
    repo.package("bar", "1.0-1-1", FLAVOR, &[comp("runtime", "devel")]);
    let error = cook(&repo, vec![add("foo")]).expect_err("not on the default path");
    assert!(matches!(error, GroupError::NotFound { .. }), "{error}");
    let ops = vec![
        GroupOp::SetSearchPath {
            path: vec![LABEL.into(), OTHER_LABEL.into()],
        },
        add("foo"),
        add("bar"),
        add("bar:runtime"),
    ];
    let cooked = cook(&repo, ops).expect("cook");
    let group = cooked.main().expect("main");
    let strong: Vec<String> = group.strong_refs.keys().map(ToString::to_string).collect();
    assert_eq!(
        strong,
        [
            "bar=/conary.example.com@rpl:devel/1.0-1-1[is: x86_64]",
            "bar:runtime=/conary.example.com@rpl:devel/1.0-1-1[is: x86_64]",
            "foo=/conary.example.com@rpl:extra/3.0-1-1[is: x86_64]",
        ]
    );
    // A component added directly is strong only.
    assert_eq!(refs(group, false), ["foo:runtime=3.0-1-1[is: x86_64] true"]);
}

#[test]
fn cooking_is_deterministic() {
    let repo = Repo::new();
    two_packages(&repo);
    let ops = vec![
        GroupOp::CreateGroup {
            name: "group-extra".into(),
            by_default: true,
        },
        add("bar"),
        add_to("foo", "group-extra"),
        add("foo"),
    ];
    let first = cook(&repo, ops.clone()).expect("cook");
    let second = cook(&repo, ops).expect("cook");
    assert_eq!(first, second);
    let encoded: Vec<Vec<u8>> = first.groups.iter().map(Trove::encode).collect();
    let again: Vec<Vec<u8>> = second.groups.iter().map(Trove::encode).collect();
    assert_eq!(encoded, again);
}

#[test]
fn a_recipe_that_is_not_a_group_is_refused() {
    let repo = Repo::new();
    let mut not_group = recipe(vec![add("foo")]);
    not_group.name = "foo".into();
    not_group.kind = RecipeKind::Package;
    let source = repo.source();
    let ctx = GroupContext {
        source: &source,
        label_path: vec![LABEL.parse().expect("label")],
        flavor: Flavor::default(),
        version: full_version("1.0-1-1"),
        info: TroveInfo::default(),
        auto_resolve: false,
    };
    let error = cook_group(&not_group, &ctx).expect_err("not a group");
    assert_eq!(
        error.to_string(),
        "group-foo.recipe: 'foo' is not a group recipe: group names start with 'group-'"
    );
    let bad = vec![GroupOp::CreateGroup {
        name: "extra".into(),
        by_default: true,
    }];
    let error = cook(&repo, bad).expect_err("bad name");
    assert_eq!(
        error.to_string(),
        "group-foo.recipe:1:5: cannot create group 'extra': group names start with 'group-'"
    );
}
