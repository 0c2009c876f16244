//! Recursion into packages and groups: by-default members, named
//! members, members erased on purpose.

use conary_core::trove::TroveTuple;
use conary_system::plan::PlanOptions;

use super::fixture::World;

const L1: &str = "/conary.example.com@rpl:1";

fn member(world: &World, package: &TroveTuple, suffix: &str) -> TroveTuple {
    world.troves[package]
        .iter_refs()
        .map(|(tuple, _, _)| tuple.clone())
        .find(|tuple| tuple.name.component_suffix() == Some(suffix.trim_start_matches(':')))
        .unwrap_or_else(|| panic!("{package} has {suffix}"))
}

#[test]
fn a_package_brings_its_by_default_components_unless_more_are_named() {
    let mut world = World::new("installLabelPath conary.example.com@rpl:1\n");
    world.package(
        "foo",
        &format!("{L1}/1.0-1-1"),
        "",
        &[(":runtime", true), (":debuginfo", false)],
    );
    world.trove("foo:debuginfo", &format!("{L1}/0.9-1-1"), "");
    let cases: &[(&[&str], bool, &str)] = &[
        (
            &["foo"],
            true,
            "Install foo=1.0-1-1\nInstall foo:runtime=1.0-1-1\n",
        ),
        // Named with its package: the package's own :debuginfo, not the
        // newer one on the label.
        (
            &["foo", "foo:debuginfo"],
            true,
            "Install foo=1.0-1-1\nInstall foo:debuginfo=1.0-1-1\nInstall foo:runtime=1.0-1-1\n",
        ),
        // Named alone: looked for on the label path.
        (&["foo:debuginfo"], true, "Install foo:debuginfo=0.9-1-1\n"),
        (&["foo"], false, "Install foo=1.0-1-1\n"),
    ];
    for (specs, recurse, expected) in cases {
        let options = PlanOptions {
            recurse: *recurse,
            ..PlanOptions::default()
        };
        assert_eq!(&world.show_with(specs, options), expected, "{specs:?}");
    }
}

/// group-dist 1 holds foo and bar; group-dist 2 holds newer foo and bar,
/// and baz instead of qux.
fn group_world() -> (World, TroveTuple) {
    let mut world = World::new("installLabelPath conary.example.com@rpl:1\n");
    let foo1 = world.package("foo", &format!("{L1}/1.0-1-1"), "", &[(":runtime", true)]);
    let bar1 = world.package(
        "bar",
        &format!("{L1}/1.0-1-1"),
        "",
        &[(":runtime", true), (":doc", true)],
    );
    let qux = world.package("qux", &format!("{L1}/1.0-1-1"), "", &[(":runtime", true)]);
    let group1 = world.group(
        "group-dist",
        &format!("{L1}/1-1-1"),
        &[(&foo1, true), (&bar1, true), (&qux, true)],
    );
    let foo2 = world.package("foo", &format!("{L1}/2.0-1-1"), "", &[(":runtime", true)]);
    let bar2 = world.package(
        "bar",
        &format!("{L1}/2.0-1-1"),
        "",
        &[(":runtime", true), (":doc", true)],
    );
    let baz1 = world.package("baz", &format!("{L1}/1.0-1-1"), "", &[(":runtime", true)]);
    world.group(
        "group-dist",
        &format!("{L1}/2-1-1"),
        &[(&foo2, true), (&bar2, true), (&baz1, true)],
    );
    world.install(&group1);
    for package in [&foo1, &bar1, &qux] {
        world.install_all(package);
    }
    (world, group1)
}

#[test]
fn a_group_update_follows_its_members() {
    let (world, _) = group_world();
    assert_eq!(
        world.show(&["group-dist"]),
        "Update bar (1.0-1-1 -> 2.0-1-1)\n\
         Update bar:doc (1.0-1-1 -> 2.0-1-1)\n\
         Update bar:runtime (1.0-1-1 -> 2.0-1-1)\n\
         Install baz=1.0-1-1\n\
         Install baz:runtime=1.0-1-1\n\
         Update foo (1.0-1-1 -> 2.0-1-1)\n\
         Update foo:runtime (1.0-1-1 -> 2.0-1-1)\n\
         Update group-dist (1-1-1 -> 2-1-1)\n\
         Erase qux=1.0-1-1\n\
         Erase qux:runtime=1.0-1-1\n"
    );
}

#[test]
fn group_members_erased_on_purpose_stay_erased() {
    let (mut world, _) = group_world();
    let bar1 = super::fixture::tuple("bar", &format!("{L1}/1.0-1-1"), "");
    let bar_doc = member(&world, &bar1, ":doc");
    // The user erased bar:doc alone, and the whole of foo.
    world.system.remove(&bar_doc);
    let foo1 = super::fixture::tuple("foo", &format!("{L1}/1.0-1-1"), "");
    let foo_runtime = member(&world, &foo1, ":runtime");
    world.system.remove(&foo1);
    world.system.remove(&foo_runtime);
    assert_eq!(
        world.show(&["group-dist"]),
        "Update bar (1.0-1-1 -> 2.0-1-1)\n\
         Update bar:runtime (1.0-1-1 -> 2.0-1-1)\n\
         Install baz=1.0-1-1\n\
         Install baz:runtime=1.0-1-1\n\
         Update group-dist (1-1-1 -> 2-1-1)\n\
         Erase qux=1.0-1-1\n\
         Erase qux:runtime=1.0-1-1\n"
    );
    // Naming a member erased on purpose brings it back.
    assert!(
        world
            .show(&["group-dist", "bar:doc"])
            .contains("Install bar:doc=2.0-1-1\n")
    );
}

#[test]
fn erasing_a_group_keeps_members_another_collection_holds() {
    let (mut world, _) = group_world();
    let foo1 = super::fixture::tuple("foo", &format!("{L1}/1.0-1-1"), "");
    let other = world.group("group-extra", &format!("{L1}/1-1-1"), &[(&foo1, true)]);
    world.install(&other);
    assert_eq!(
        world.show(&["-group-dist"]),
        "Erase bar=1.0-1-1\n\
         Erase bar:doc=1.0-1-1\n\
         Erase bar:runtime=1.0-1-1\n\
         Erase group-dist=1-1-1\n\
         Erase qux=1.0-1-1\n\
         Erase qux:runtime=1.0-1-1\n"
    );
}

#[test]
fn a_member_new_to_a_collection_updates_a_trove_installed_alone() {
    let mut world = World::new("installLabelPath conary.example.com@rpl:1\n");
    let alone = world.trove("foo:data", &format!("{L1}/0.5-1-1"), "");
    world.package(
        "foo",
        &format!("{L1}/1.0-1-1"),
        "",
        &[(":runtime", true), (":data", true)],
    );
    world.install(&alone);
    assert_eq!(
        world.show(&["foo"]),
        "Install foo=1.0-1-1\nUpdate foo:data (0.5-1-1 -> 1.0-1-1)\nInstall foo:runtime=1.0-1-1\n"
    );
}

#[test]
fn exclude_troves_keeps_members_out() {
    let mut world = World::new("installLabelPath conary.example.com@rpl:1\nexcludeTroves .*:doc\n");
    world.package(
        "foo",
        &format!("{L1}/1.0-1-1"),
        "",
        &[(":runtime", true), (":doc", true)],
    );
    assert_eq!(
        world.show(&["foo"]),
        "Install foo=1.0-1-1\nInstall foo:runtime=1.0-1-1\n"
    );
}
