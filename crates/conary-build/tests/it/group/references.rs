//! What groups reference: removes, nested groups, replaces, addAll,
//! by-default choices and conflicts.

use conary_api::TroveSource;
use conary_build::recipe::model::GroupOp;

use super::fixture::*;

#[test]
fn removing_a_component_makes_it_not_by_default() {
    let repo = Repo::new();
    two_packages(&repo);
    let ops = vec![
        add("foo"),
        add("bar"),
        GroupOp::Remove {
            name: "foo:doc".into(),
            group: None,
        },
        GroupOp::Remove {
            name: "bar".into(),
            group: None,
        },
    ];
    let cooked = cook(&repo, ops).expect("cook");
    let group = cooked.main().expect("main");
    assert_eq!(refs(group, true), ["foo=1.1-1-1[is: x86_64] true"]);
    assert_eq!(
        refs(group, false),
        [
            "foo:debuginfo=1.1-1-1[is: x86_64] false",
            "foo:doc=1.1-1-1[is: x86_64] false",
            "foo:runtime=1.1-1-1[is: x86_64] true",
        ]
    );
    assert_eq!(group.info.size, Some(11));
}

#[test]
fn removing_what_the_group_lacks_is_an_error() {
    let repo = Repo::new();
    two_packages(&repo);
    let ops = vec![
        add("foo"),
        GroupOp::Remove {
            name: "bar:runtime".into(),
            group: None,
        },
    ];
    let error = cook(&repo, ops).expect_err("nothing to remove");
    assert_eq!(
        error.to_string(),
        "group-foo.recipe:2:5: cannot remove 'bar:runtime': group-foo does not include it"
    );
}

#[test]
fn a_nested_group_is_cooked_and_included() {
    let repo = Repo::new();
    two_packages(&repo);
    let ops = vec![
        GroupOp::CreateGroup {
            name: "group-extra".into(),
            by_default: false,
        },
        add("foo"),
        add_to("bar", "group-extra"),
        GroupOp::Requires {
            name: "baz".into(),
            group: Some("group-extra".into()),
        },
    ];
    let cooked = cook(&repo, ops).expect("cook");
    let names: Vec<&str> = cooked.groups.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, ["group-foo", "group-extra"]);
    let extra = cooked.group("group-extra").expect("nested");
    assert_eq!(extra.version, full_version("1.0-1-1"));
    assert_eq!(refs(extra, true), ["bar=1.0-1-1[is: x86_64] true"]);
    assert_eq!(refs(extra, false), ["bar:runtime=1.0-1-1[is: x86_64] true"]);
    assert!(extra.info.flags.is_collection());
    assert_eq!(extra.info.source_name, info().source_name);
    assert_eq!(
        extra
            .requires
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["trove: baz"]
    );
    let main = cooked.main().expect("main");
    assert_eq!(
        refs(main, true),
        [
            "foo=1.1-1-1[is: x86_64] true",
            "group-extra=1.0-1-1[is: x86_64] false"
        ]
    );
    // The nested group's contents come weakly, not by default with it.
    assert_eq!(
        refs(main, false),
        [
            "bar=1.0-1-1[is: x86_64] false",
            "bar:runtime=1.0-1-1[is: x86_64] false",
            "foo:debuginfo=1.1-1-1[is: x86_64] false",
            "foo:doc=1.1-1-1[is: x86_64] true",
            "foo:runtime=1.1-1-1[is: x86_64] true",
        ]
    );
}

#[test]
fn groups_may_include_each_other_but_not_in_a_cycle() {
    let repo = Repo::new();
    two_packages(&repo);
    let create = |name: &str| GroupOp::CreateGroup {
        name: name.into(),
        by_default: true,
    };
    let link = |name: &str, group: &str| GroupOp::AddNewGroup {
        name: name.into(),
        group: Some(group.into()),
        by_default: true,
    };
    let ops = vec![
        create("group-a"),
        create("group-b"),
        add_to("bar", "group-b"),
        link("group-b", "group-a"),
    ];
    let cooked = cook(&repo, ops.clone()).expect("cook");
    let a = cooked.group("group-a").expect("group-a");
    assert_eq!(refs(a, true), ["group-b=1.0-1-1[is: x86_64] true"]);
    assert_eq!(
        refs(a, false),
        [
            "bar=1.0-1-1[is: x86_64] true",
            "bar:runtime=1.0-1-1[is: x86_64] true"
        ]
    );
    let mut cyclic = ops;
    cyclic.push(link("group-a", "group-b"));
    let error = cook(&repo, cyclic).expect_err("cycle");
    assert_eq!(
        error.to_string(),
        "group-foo.recipe:5:5: groups include each other: group-a -> group-b -> group-a"
    );
    let error = cook(&repo, vec![add_to("bar", "group-none")]).expect_err("unknown group");
    assert_eq!(
        error.to_string(),
        "group-foo.recipe:1:5: group 'group-none' has not been created"
    );
}

#[test]
fn replace_swaps_a_reference() {
    let repo = Repo::new();
    two_packages(&repo);
    let ops = vec![
        add("foo"),
        add("bar"),
        GroupOp::Replace {
            name: "foo".into(),
            spec: "foo=1.0".into(),
            group: None,
        },
    ];
    let cooked = cook(&repo, ops).expect("cook");
    let group = cooked.main().expect("main");
    assert_eq!(
        refs(group, true),
        [
            "bar=1.0-1-1[is: x86_64] true",
            "foo=1.0-1-1[is: x86_64] true"
        ]
    );
    assert!(
        refs(group, false)
            .iter()
            .all(|line| !line.contains("1.1-1-1")),
        "{:?}",
        refs(group, false)
    );
    let error = cook(
        &repo,
        vec![GroupOp::Replace {
            name: "nosuch".into(),
            spec: "foo".into(),
            group: None,
        }],
    )
    .expect_err("nothing to replace");
    assert_eq!(
        error.to_string(),
        "group-foo.recipe:1:5: cannot replace 'nosuch': no group of the recipe includes it"
    );
}

#[test]
fn replacing_a_component_of_a_package_references_the_new_one_strongly() {
    let repo = Repo::new();
    two_packages(&repo);
    let ops = vec![
        add("foo"),
        GroupOp::Replace {
            name: "foo:doc".into(),
            spec: "foo:doc=1.0".into(),
            group: None,
        },
    ];
    let cooked = cook(&repo, ops).expect("cook");
    let group = cooked.main().expect("main");
    assert_eq!(
        refs(group, true),
        [
            "foo=1.1-1-1[is: x86_64] true",
            "foo:doc=1.0-1-1[is: x86_64] true"
        ]
    );
    assert_eq!(
        refs(group, false),
        [
            "foo:debuginfo=1.1-1-1[is: x86_64] false",
            "foo:runtime=1.1-1-1[is: x86_64] true",
        ]
    );
    // In a named group, a replace that matches nothing is an error.
    let ops = vec![
        add("foo"),
        GroupOp::Replace {
            name: "bar".into(),
            spec: "bar".into(),
            group: Some("group-foo".into()),
        },
    ];
    let error = cook(&repo, ops).expect_err("nothing to replace");
    assert_eq!(
        error.to_string(),
        "group-foo.recipe:2:5: cannot replace 'bar': group-foo does not include it"
    );
}

#[test]
fn a_named_component_is_referenced_through_its_package() {
    let repo = Repo::new();
    two_packages(&repo);
    let ops = vec![
        add("foo:runtime"),
        GroupOp::Add {
            spec: "foo:doc".into(),
            group: None,
            by_default: Some(false),
        },
    ];
    let cooked = cook(&repo, ops).expect("cook");
    let group = cooked.main().expect("main");
    assert_eq!(refs(group, true), ["foo=1.1-1-1[is: x86_64] true"]);
    assert_eq!(
        refs(group, false),
        [
            "foo:debuginfo=1.1-1-1[is: x86_64] false",
            "foo:doc=1.1-1-1[is: x86_64] false",
            "foo:runtime=1.1-1-1[is: x86_64] true",
        ]
    );
    assert_eq!(group.info.size, Some(11));
}

#[test]
fn a_recipe_wide_replace_reaches_nested_groups_once() {
    let repo = Repo::new();
    two_packages(&repo);
    let ops = vec![
        GroupOp::CreateGroup {
            name: "group-extra".into(),
            by_default: true,
        },
        add_to("foo", "group-extra"),
        GroupOp::Replace {
            name: "foo".into(),
            spec: "foo=1.0".into(),
            group: None,
        },
    ];
    let cooked = cook(&repo, ops).expect("cook");
    let extra = cooked.group("group-extra").expect("nested");
    assert_eq!(refs(extra, true), ["foo=1.0-1-1[is: x86_64] true"]);
    let main = cooked.main().expect("main");
    assert_eq!(refs(main, true), ["group-extra=1.0-1-1[is: x86_64] true"]);
    assert_eq!(
        refs(main, false),
        [
            "foo=1.0-1-1[is: x86_64] true",
            "foo:debuginfo=1.0-1-1[is: x86_64] false",
            "foo:doc=1.0-1-1[is: x86_64] true",
            "foo:runtime=1.0-1-1[is: x86_64] true",
        ]
    );
}

#[test]
fn two_versions_of_one_trove_conflict() {
    let repo = Repo::new();
    two_packages(&repo);
    let old_foo = tuple("foo", "1.0-1-1", FLAVOR);
    let stamped = repo
        .source()
        .trove_versions(
            &conary_api::TroveQuery::on_label(LABEL.parse().expect("label"))
                .named(["foo".parse().expect("name")])
                .all_versions(),
        )
        .expect("versions")
        .into_iter()
        .find(|t| *t == old_foo)
        .expect("foo 1.0");
    repo.group("group-base", "1-1-1", &[stamped]);
    let error = cook(&repo, vec![add("foo"), add("group-base")]).expect_err("conflict");
    let text = error.to_string();
    assert!(
        text.starts_with("group-foo includes two versions of foo: foo=/conary.example.com@rpl:devel/1.0-1-1[is: x86_64] and foo=/conary.example.com@rpl:devel/1.1-1-1[is: x86_64]"),
        "{text}"
    );
}

#[test]
fn add_all_takes_a_groups_strong_references() {
    let repo = Repo::new();
    two_packages(&repo);
    let source = repo.source();
    let latest = |name: &str| {
        source
            .trove_versions(
                &conary_api::TroveQuery::on_label(LABEL.parse().expect("label"))
                    .named([name.parse().expect("name")]),
            )
            .expect("versions")
            .pop()
            .expect("one")
    };
    let foo = latest("foo");
    let bar = latest("bar");
    repo.group("group-base", "1-1-1", &[foo, bar]);
    let ops = vec![GroupOp::AddAll {
        spec: "group-base".into(),
        group: None,
    }];
    let cooked = cook(&repo, ops).expect("cook");
    let group = cooked.main().expect("main");
    assert_eq!(
        refs(group, true),
        [
            "bar=1.0-1-1[is: x86_64] true",
            "foo=1.1-1-1[is: x86_64] true"
        ]
    );
    assert_eq!(refs(group, false).len(), 4);
}

#[test]
fn set_by_default_applies_to_later_adds() {
    let repo = Repo::new();
    two_packages(&repo);
    let ops = vec![
        add("foo"),
        GroupOp::SetByDefault {
            by_default: false,
            group: None,
        },
        add("bar"),
    ];
    let cooked = cook(&repo, ops).expect("cook");
    let group = cooked.main().expect("main");
    assert_eq!(
        refs(group, true),
        [
            "bar=1.0-1-1[is: x86_64] false",
            "foo=1.1-1-1[is: x86_64] true"
        ]
    );
    assert!(refs(group, false).contains(&"bar:runtime=1.0-1-1[is: x86_64] false".to_owned()));
}

#[test]
fn an_explicit_by_default_wins_over_set_by_default() {
    let repo = Repo::new();
    two_packages(&repo);
    let ops = vec![
        GroupOp::SetByDefault {
            by_default: false,
            group: None,
        },
        add("foo"),
        GroupOp::Add {
            spec: "bar".into(),
            group: None,
            by_default: Some(true),
        },
    ];
    let cooked = cook(&repo, ops).expect("cook");
    let group = cooked.main().expect("main");
    assert_eq!(
        refs(group, true),
        [
            "bar=1.0-1-1[is: x86_64] true",
            "foo=1.1-1-1[is: x86_64] false"
        ]
    );
}

#[test]
fn troves_installing_one_path_conflict() {
    let repo = Repo::new();
    let shared = |contents| Comp {
        path: "/usr/bin/tool",
        ..comp("runtime", contents)
    };
    repo.package("foo", "1.0-1-1", FLAVOR, &[shared("foo tool")]);
    repo.package("bar", "1.0-1-1", FLAVOR, &[shared("bar tool")]);
    let error = cook(&repo, vec![add("foo"), add("bar")]).expect_err("path conflict");
    assert_eq!(
        error.to_string(),
        "group-foo has path conflicts:\n  \
         bar:runtime=/conary.example.com@rpl:devel/1.0-1-1[is: x86_64] and \
         foo:runtime=/conary.example.com@rpl:devel/1.0-1-1[is: x86_64]"
    );
    // Not by default, the path is not installed twice.
    let ops = vec![
        add("foo"),
        add("bar"),
        GroupOp::Remove {
            name: "bar:runtime".into(),
            group: None,
        },
    ];
    cook(&repo, ops).expect("no conflict");
}

#[test]
fn an_included_group_keeps_its_own_by_default_choices() {
    let repo = Repo::new();
    two_packages(&repo);
    let source = repo.source();
    let foo = source
        .trove_versions(
            &conary_api::TroveQuery::on_label(LABEL.parse().expect("label"))
                .named(["foo".parse().expect("name")]),
        )
        .expect("versions")
        .pop()
        .expect("foo");
    repo.group_with("group-base", "1-1-1", &[foo], &["foo:doc"]);
    let cooked = cook(&repo, vec![add("group-base")]).expect("cook");
    let group = cooked.main().expect("main");
    assert_eq!(refs(group, true), ["group-base=1-1-1[] true"]);
    assert_eq!(
        refs(group, false),
        [
            "foo=1.1-1-1[is: x86_64] true",
            "foo:debuginfo=1.1-1-1[is: x86_64] false",
            "foo:doc=1.1-1-1[is: x86_64] false",
            "foo:runtime=1.1-1-1[is: x86_64] true",
        ]
    );
}

#[test]
fn scripts_and_the_compatibility_class_go_into_the_group_trove() {
    let repo = Repo::new();
    two_packages(&repo);
    let ops = vec![
        add("foo"),
        GroupOp::AddScript {
            slot: "postInstall".into(),
            contents: "echo installed\n".into(),
            group: None,
            to_class: Vec::new(),
        },
        GroupOp::SetCompatibilityClass {
            class: 3,
            group: None,
        },
    ];
    let cooked = cook(&repo, ops).expect("cook");
    let group = cooked.main().expect("main");
    let script = group
        .info
        .scripts
        .get(conary_core::troveinfo::ScriptSlot::PostInstall)
        .expect("a postInstall script");
    assert_eq!(script.script, "echo installed\n");
    assert_eq!(group.info.compatibility_class, Some(3));

    let bad = vec![
        add("foo"),
        GroupOp::AddScript {
            slot: "duringInstall".into(),
            contents: String::new(),
            group: None,
            to_class: Vec::new(),
        },
    ];
    let error = cook(&repo, bad).expect_err("no such slot");
    assert!(
        error
            .to_string()
            .contains("unknown script slot 'duringInstall'"),
        "{error}"
    );
}

#[test]
fn a_post_rollback_script_with_to_class_records_conversions_from_the_group_class() {
    let repo = Repo::new();
    two_packages(&repo);
    let script = |to_class: Vec<u16>| GroupOp::AddScript {
        slot: "postRollback".into(),
        contents: "#!/bin/sh\nexit 0\n".into(),
        group: None,
        to_class,
    };
    let class = GroupOp::SetCompatibilityClass {
        class: 3,
        group: None,
    };
    // The class may be set after the script: conversions use the last.
    let cooked = cook(&repo, vec![add("foo"), script(vec![1, 2]), class.clone()]).expect("cook");
    let group = cooked.main().expect("main");
    let post = group
        .info
        .scripts
        .get(conary_core::troveinfo::ScriptSlot::PostRollback)
        .expect("a postRollback script");
    assert_eq!(
        post.conversions.iter().copied().collect::<Vec<_>>(),
        [(3, 1), (3, 2)]
    );

    // Without toClass: no conversions.
    let cooked = cook(&repo, vec![add("foo"), script(Vec::new()), class]).expect("cook");
    let group = cooked.main().expect("main");
    let post = group
        .info
        .scripts
        .get(conary_core::troveinfo::ScriptSlot::PostRollback)
        .expect("a postRollback script");
    assert!(post.conversions.is_empty());

    let error = cook(&repo, vec![add("foo"), script(vec![1])]).expect_err("no class");
    assert!(
        error
            .to_string()
            .contains("addPostRollbackScript(toClass=...) needs the compatibility class of group-"),
        "{error}"
    );
}
