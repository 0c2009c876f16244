//! Unit tests of group cooking over an in-memory trove source.

use std::collections::{BTreeMap, BTreeSet};

use conary_core::flavor::Flavor;
use conary_core::name::TroveName;
use conary_core::trove::{Trove, TroveTuple};
use conary_core::troveinfo::TroveInfo;
use conary_core::version::Version;

use super::contents::{Adjust, Contents, Manifests, check_conflicts, expand};
use super::{CookedGroups, GroupContext, GroupError, cook_group};
use crate::recipe::model::{GroupOp, Located, Location, Recipe, RecipeKind};

const LABEL: &str = "conary.example.com@rpl:devel";

type Memory = crate::test_source::MemorySource;

impl Memory {
    /// Adds `name` at `/LABEL/STAMP.000:1.STAMP-1-1` with `flavor`, made
    /// as `build` says.
    fn add(&mut self, name: &str, stamp: u32, flavor: &str, build: impl FnOnce(&mut Trove)) {
        let version =
            Version::thaw(&format!("/{LABEL}/{stamp}.000:1.{stamp}-1-1")).expect("version");
        let mut trove = Trove::new(
            name.parse().expect("name"),
            version,
            flavor.parse().expect("flavor"),
        );
        build(&mut trove);
        self.troves.insert(trove.tuple(), trove);
    }
}

fn at(line: u32) -> Location {
    Location {
        file: "group-foo.recipe".into(),
        line,
        column: 3,
    }
}

fn recipe(ops: Vec<GroupOp>) -> Recipe {
    Recipe {
        file: "group-foo.recipe".into(),
        name: "group-foo".into(),
        version: "1".into(),
        kind: RecipeKind::Group,
        build_requires: Vec::new(),
        factory: None,
        use_flags: BTreeMap::new(),
        reads_arch: false,
        macros: BTreeMap::new(),
        actions: Vec::new(),
        policy: Vec::new(),
        group_ops: ops
            .into_iter()
            .zip(1..)
            .map(|(item, line)| Located { at: at(line), item })
            .collect(),
    }
}

fn cook(
    source: &Memory,
    ops: Vec<GroupOp>,
    auto_resolve: bool,
) -> Result<CookedGroups, GroupError> {
    let ctx = GroupContext {
        source,
        label_path: vec![LABEL.parse().expect("label")],
        flavor: "is: x86_64".parse().expect("flavor"),
        version: format!("/{LABEL}/1-1-1").parse().expect("version"),
        info: TroveInfo::default(),
        auto_resolve,
    };
    cook_group(&recipe(ops), &ctx)
}

fn add(spec: &str) -> GroupOp {
    GroupOp::Add {
        spec: spec.into(),
        group: None,
        by_default: None,
    }
}

fn tuple(name: &str, stamp: u32, flavor: &str) -> TroveTuple {
    TroveTuple::new(
        name.parse().expect("name"),
        Version::thaw(&format!("/{LABEL}/{stamp}.000:1.{stamp}-1-1")).expect("version"),
        flavor.parse().expect("flavor"),
    )
}

/// A package `name` with one component `name:runtime`, both at `stamp`.
fn package(source: &mut Memory, name: &str, stamp: u32, flavor: &str, deps: (&[&str], &[&str])) {
    let runtime = format!("{name}:runtime");
    source.add(&runtime, stamp, flavor, |trove| {
        trove.info.size = Some(10);
        for dep in deps.0 {
            trove.provides.insert(dep.parse().expect("dependency"));
        }
        for dep in deps.1 {
            trove.requires.insert(dep.parse().expect("dependency"));
        }
    });
    source.add(name, stamp, flavor, |trove| {
        trove.add_strong_ref(tuple(&runtime, stamp, flavor), true);
    });
}

#[test]
fn search_path_entries_that_are_not_labels_are_set_aside() {
    let mut source = Memory::default();
    package(&mut source, "foo", 1, "is: x86_64", (&[], &[]));
    let ops = vec![
        GroupOp::SetSearchPath {
            path: vec![LABEL.into(), "group-dist=:1".into()],
        },
        add("foo"),
    ];
    let cooked = cook(&source, ops, false).expect("cook");
    assert_eq!(cooked.groups[0].info.search_path, [LABEL]);
    let bad = vec![GroupOp::SetSearchPath {
        path: vec!["conary.example.com@".into()],
    }];
    let error = cook(&source, bad, false).expect_err("bad label");
    assert!(
        error.to_string().starts_with(
            "group-foo.recipe:1:3: invalid label 'conary.example.com@' in the search path: "
        ),
        "{error}"
    );
}

#[test]
fn operations_are_checked_where_they_stand() {
    let source = Memory::default();
    let cases: Vec<(Vec<GroupOp>, &str)> = vec![
        (
            vec![add("foo[is: x86_64")],
            "group-foo.recipe:1:3: invalid trove spec 'foo[is: x86_64': ",
        ),
        (
            vec![
                GroupOp::CreateGroup {
                    name: "group-a".into(),
                    by_default: true,
                },
                GroupOp::CreateGroup {
                    name: "group-a".into(),
                    by_default: true,
                },
            ],
            "group-foo.recipe:2:3: group 'group-a' was already created",
        ),
        (
            vec![GroupOp::AddNewGroup {
                name: "group-foo".into(),
                group: None,
                by_default: true,
            }],
            "group-foo.recipe:1:3: group 'group-foo' has not been created",
        ),
        (
            vec![GroupOp::Requires {
                name: "".into(),
                group: None,
            }],
            "group-foo.recipe:1:3: invalid trove name '': ",
        ),
    ];
    for (ops, expected) in cases {
        let error = cook(&source, ops, false).expect_err(expected);
        assert!(error.to_string().starts_with(expected), "{error}");
    }
}

#[test]
fn weak_references_are_by_default_when_any_path_is() {
    let mut source = Memory::default();
    source.add("foo:doc", 1, "", |_| {});
    source.add("foo:runtime", 1, "", |_| {});
    source.add("foo", 1, "", |trove| {
        trove.add_strong_ref(tuple("foo:doc", 1, ""), false);
        trove.add_strong_ref(tuple("foo:runtime", 1, ""), true);
    });
    source.add("group-a", 1, "", |trove| {
        trove.add_strong_ref(tuple("foo", 1, ""), false);
        trove.add_weak_ref(tuple("foo:doc", 1, ""), false);
        trove.add_weak_ref(tuple("foo:runtime", 1, ""), false);
    });
    let mut manifests = Manifests::new(&source);
    let strong = BTreeMap::from([(tuple("group-a", 1, ""), true), (tuple("foo", 1, ""), true)]);
    let contents = expand(&strong, &mut manifests, &Adjust::default()).expect("expand");
    let weak: Vec<(String, bool)> = contents
        .weak
        .iter()
        .map(|(tuple, flag)| (tuple.name.to_string(), *flag))
        .collect();
    assert_eq!(
        weak,
        [
            ("foo:doc".to_owned(), false),
            ("foo:runtime".to_owned(), true)
        ]
    );
    let excluded: BTreeSet<TroveName> = BTreeSet::from(["foo:doc".parse().expect("name")]);
    let off: BTreeSet<TroveName> = BTreeSet::from(["foo:runtime".parse().expect("name")]);
    let adjust = Adjust {
        excluded,
        not_by_default: off,
        forced: BTreeMap::new(),
    };
    let contents = expand(&strong, &mut manifests, &adjust).expect("expand");
    assert_eq!(
        contents.weak,
        BTreeMap::from([(tuple("foo:runtime", 1, ""), false)])
    );
}

#[test]
fn two_flavors_of_one_version_stand_side_by_side() {
    let group: TroveName = "group-foo".parse().expect("name");
    let mut contents = Contents::default();
    contents.strong.insert(tuple("foo", 1, "is: x86"), true);
    contents.strong.insert(tuple("foo", 1, "is: x86_64"), true);
    check_conflicts(&group, &contents).expect("side by side");
    contents.weak.insert(tuple("foo", 2, "is: x86"), false);
    let error = check_conflicts(&group, &contents).expect_err("two versions");
    assert!(matches!(error, GroupError::Conflict { ref name, .. } if name == "foo"));
}

#[test]
fn unresolved_lines_are_sorted_across_troves() {
    let mut source = Memory::default();
    package(
        &mut source,
        "zed",
        1,
        "",
        (&[], &["trove: zzz", "file: /bin/sh"]),
    );
    package(
        &mut source,
        "abc",
        1,
        "",
        (&[], &["trove: abc:runtime", "trove: nothing"]),
    );
    let error = cook(&source, vec![add("zed"), add("abc")], false).expect_err("unresolved");
    assert_eq!(
        error.to_string(),
        "group-foo has unresolved dependencies:\n  \
         abc:runtime requires trove: nothing\n  \
         zed:runtime requires file: /bin/sh\n  \
         zed:runtime requires trove: zzz"
    );
}

#[test]
fn auto_resolve_prefers_the_flavor_that_fits_and_the_package() {
    let mut source = Memory::default();
    package(
        &mut source,
        "foo",
        1,
        "is: x86_64",
        (&[], &["file: /bin/sh"]),
    );
    package(&mut source, "sh", 2, "is: x86", (&["file: /bin/sh"], &[]));
    package(
        &mut source,
        "sh",
        3,
        "is: x86_64",
        (&["file: /bin/sh"], &[]),
    );
    // A newer provider in a flavor that does not fit is not chosen.
    package(&mut source, "sh", 4, "is: ppc", (&["file: /bin/sh"], &[]));
    let cooked = cook(&source, vec![add("foo")], true).expect("resolved");
    assert_eq!(cooked.resolved, [tuple("sh", 3, "is: x86_64")]);
    assert_eq!(cooked.groups[0].info.size, Some(20));
}

#[test]
fn size_is_unknown_when_a_component_size_is() {
    let mut source = Memory::default();
    package(&mut source, "foo", 1, "", (&[], &[]));
    source.add("bar:runtime", 1, "", |_| {});
    source.add("bar", 1, "", |trove| {
        trove.add_strong_ref(tuple("bar:runtime", 1, ""), true);
    });
    let cooked = cook(&source, vec![add("foo")], false).expect("cook");
    assert_eq!(cooked.groups[0].info.size, Some(10));
    let cooked = cook(&source, vec![add("foo"), add("bar")], false).expect("cook");
    assert_eq!(cooked.groups[0].info.size, None);
    let empty = Flavor::default();
    assert_eq!(cooked.groups[0].flavor, empty);
}
