//! Dependency closure and autoResolve.

use conary_build::group::GroupError;
use conary_build::recipe::model::GroupOp;
use conary_core::trove::TroveTuple;

use super::fixture::*;

const LIBBAR: &str = "soname: ELF64/libbar.so.1(SysV x86_64)";

/// foo:runtime needs libbar.so.1, which bar:lib (on `OTHER_LABEL` when
/// `elsewhere`) provides.
fn needs_libbar(repo: &Repo, elsewhere: bool) -> TroveTuple {
    repo.package(
        "foo",
        "1.0-1-1",
        FLAVOR,
        &[Comp {
            requires: &[LIBBAR, "trove: bar:lib"],
            ..comp("runtime", "foo")
        }],
    );
    let version = if elsewhere {
        format!("/{OTHER_LABEL}/2.0-1-1")
    } else {
        "2.0-1-1".to_owned()
    };
    repo.package(
        "bar",
        &version,
        FLAVOR,
        &[
            Comp {
                provides: &[LIBBAR],
                ..comp("lib", "libbar")
            },
            comp("doc", "bar doc"),
        ],
    )
}

#[test]
fn unresolved_dependencies_list_who_needs_what() {
    let repo = Repo::new();
    needs_libbar(&repo, false);
    let error = cook(&repo, vec![add("foo")]).expect_err("unresolved");
    assert_eq!(
        error.to_string(),
        "group-foo has unresolved dependencies:\n  \
         foo:runtime requires soname: ELF64/libbar.so.1(SysV x86_64)\n  \
         foo:runtime requires trove: bar:lib"
    );
    // A provider that is included but not by default does not count.
    let ops = vec![
        add("foo"),
        add("bar"),
        GroupOp::Remove {
            name: "bar:lib".into(),
            group: None,
        },
    ];
    let error = cook(&repo, ops).expect_err("not by default");
    assert!(matches!(error, GroupError::Unresolved { ref lines, .. } if lines.len() == 2));
    // Included, it closes.
    cook(&repo, vec![add("foo"), add("bar")]).expect("closed");
}

#[test]
fn auto_resolve_pulls_the_package_in() {
    let repo = Repo::new();
    let bar = needs_libbar(&repo, false);
    let cooked = cook_with(&repo, vec![add("foo")], FLAVOR, true).expect("resolved");
    assert_eq!(cooked.resolved, std::slice::from_ref(&bar));
    let group = cooked.main().expect("main");
    assert_eq!(
        refs(group, true),
        [
            "bar=2.0-1-1[is: x86_64] true",
            "foo=1.0-1-1[is: x86_64] true"
        ]
    );
    assert!(refs(group, false).contains(&"bar:lib=2.0-1-1[is: x86_64] true".to_owned()));
    // The recipe turns it on, or off, over the configuration.
    let on = vec![GroupOp::SetAutoResolve { auto_resolve: true }, add("foo")];
    assert_eq!(cook(&repo, on).expect("resolved").resolved, [bar]);
    let off = vec![
        add("foo"),
        GroupOp::SetAutoResolve {
            auto_resolve: false,
        },
    ];
    assert!(matches!(
        cook_with(&repo, off, FLAVOR, true),
        Err(GroupError::Unresolved { .. })
    ));
}

#[test]
fn the_search_path_decides_where_resolving_looks() {
    let repo = Repo::new();
    needs_libbar(&repo, true);
    let error = cook_with(&repo, vec![add("foo")], FLAVOR, true).expect_err("not on path");
    assert!(matches!(error, GroupError::Unresolved { .. }), "{error}");
    let ops = vec![
        GroupOp::SetSearchPath {
            path: vec![LABEL.into(), OTHER_LABEL.into(), "group-os=:1".into()],
        },
        add("foo"),
    ];
    let cooked = cook_with(&repo, ops, FLAVOR, true).expect("resolved");
    assert_eq!(
        cooked.resolved,
        [tuple("bar", &format!("/{OTHER_LABEL}/2.0-1-1"), FLAVOR)]
    );
    assert_eq!(
        cooked.main().expect("main").info.search_path,
        [LABEL, OTHER_LABEL]
    );
}
