//! Branch affinity (the gimp example of the seeds) and flavor affinity.

use conary_core::trove::TroveTuple;
use conary_system::plan::PlanOptions;

use super::fixture::World;

const RELEASE: &str = "/conary.rpath.com@rpl:release1";
const DEVEL: &str = "/conary.rpath.com@rpl:release1//contrib.rpath.com@rpl:gimpdevel";

/// gimp 2.2.2 in the distribution, 2.3.0 on the gimpdevel shadow, then
/// 2.2.3 and 2.3.1 committed later on each.
fn gimp_world() -> (World, [TroveTuple; 4]) {
    let mut world = World::new("installLabelPath conary.rpath.com@rpl:release1\n");
    let stable = world.package(
        "gimp",
        &format!("{RELEASE}/2.2.2-1-1"),
        "",
        &[(":runtime", true)],
    );
    let devel = world.package(
        "gimp",
        &format!("{DEVEL}/2.3.0-0.1-1"),
        "",
        &[(":runtime", true)],
    );
    let stable_new = world.package(
        "gimp",
        &format!("{RELEASE}/2.2.3-1-1"),
        "",
        &[(":runtime", true)],
    );
    let devel_new = world.package(
        "gimp",
        &format!("{DEVEL}/2.3.1-0.1-1"),
        "",
        &[(":runtime", true)],
    );
    (world, [stable, devel, stable_new, devel_new])
}

#[test]
fn gimp_installed_from_a_shadow_stays_there() {
    let (mut world, [_, devel, _, _]) = gimp_world();
    world.install_all(&devel);
    let devel_label = "contrib.rpath.com@rpl:gimpdevel";
    let cases: &[(&[&str], bool, String)] = &[
        // No label: the installed branch, not the newer 2.2.3 of the path.
        (
            &["gimp"],
            false,
            format!(
                "Update gimp ({devel_label}/2.3.0-0.1-1 -> {devel_label}/2.3.1-0.1-1)\n\
                 Update gimp:runtime ({devel_label}/2.3.0-0.1-1 -> {devel_label}/2.3.1-0.1-1)\n"
            ),
        ),
        // A bare revision is looked for on the installed branch too.
        (
            &["gimp=2.3.1"],
            false,
            format!(
                "Update gimp ({devel_label}/2.3.0-0.1-1 -> {devel_label}/2.3.1-0.1-1)\n\
                 Update gimp:runtime ({devel_label}/2.3.0-0.1-1 -> {devel_label}/2.3.1-0.1-1)\n"
            ),
        ),
        // Naming the distribution label moves it back.
        (
            &["gimp=conary.rpath.com@rpl:release1"],
            false,
            format!(
                "Update gimp ({devel_label}/2.3.0-0.1-1 -> 2.2.3-1-1)\n\
                 Update gimp:runtime ({devel_label}/2.3.0-0.1-1 -> 2.2.3-1-1)\n"
            ),
        ),
        // --keep-existing installs both side by side.
        (
            &["gimp=conary.rpath.com@rpl:release1"],
            true,
            "Install gimp=2.2.3-1-1\nInstall gimp:runtime=2.2.3-1-1\n".to_owned(),
        ),
        // A revision that is not on the installed branch.
        (
            &["gimp=2.2.3"],
            false,
            format!("error: gimp=2.2.3 was not found (searched {DEVEL})"),
        ),
    ];
    for (specs, keep_existing, expected) in cases {
        let options = PlanOptions {
            keep_existing: *keep_existing,
            ..PlanOptions::default()
        };
        assert_eq!(
            &world.show_with(specs, options),
            expected,
            "{specs:?} keep={keep_existing}"
        );
    }
}

#[test]
fn both_branches_installed_update_each_on_its_own_branch() {
    let (mut world, [stable, devel, _, _]) = gimp_world();
    world.install_all(&stable);
    world.install_all(&devel);
    let devel_label = "contrib.rpath.com@rpl:gimpdevel";
    assert_eq!(
        world.show(&["gimp"]),
        format!(
            "Update gimp (2.2.2-1-1 -> 2.2.3-1-1)\n\
             Update gimp ({devel_label}/2.3.0-0.1-1 -> {devel_label}/2.3.1-0.1-1)\n\
             Update gimp:runtime (2.2.2-1-1 -> 2.2.3-1-1)\n\
             Update gimp:runtime ({devel_label}/2.3.0-0.1-1 -> {devel_label}/2.3.1-0.1-1)\n"
        )
    );
    // Naming one branch's label updates that branch only.
    assert_eq!(
        world.show(&["gimp=contrib.rpath.com@rpl:gimpdevel"]),
        format!(
            "Update gimp ({devel_label}/2.3.0-0.1-1 -> {devel_label}/2.3.1-0.1-1)\n\
             Update gimp:runtime ({devel_label}/2.3.0-0.1-1 -> {devel_label}/2.3.1-0.1-1)\n"
        )
    );
}

#[test]
fn keep_existing_refuses_overlapping_files() {
    let (mut world, [_, devel, stable_new, _]) = gimp_world();
    let devel_runtime: TroveTuple = world.troves[&devel]
        .iter_refs()
        .map(|(tuple, _, _)| tuple.clone())
        .next()
        .expect("a component");
    let stable_runtime: TroveTuple = world.troves[&stable_new]
        .iter_refs()
        .map(|(tuple, _, _)| tuple.clone())
        .next()
        .expect("a component");
    world.file(&devel_runtime, "/usr/bin/gimp-2.3", 1);
    world.file(&devel_runtime, "/usr/share/gimp/README", 2);
    world.file(&stable_runtime, "/usr/bin/gimp-2.2", 3);
    world.file(&stable_runtime, "/usr/share/gimp/README", 4);
    world.install_all(&devel);
    let options = PlanOptions {
        keep_existing: true,
        ..PlanOptions::default()
    };
    assert_eq!(
        world.show_with(&["gimp=conary.rpath.com@rpl:release1"], options.clone()),
        "error: cannot install gimp:runtime=conary.rpath.com@rpl:release1/2.2.3-1-1 beside \
         gimp:runtime=contrib.rpath.com@rpl:gimpdevel/2.3.0-0.1-1: both have /usr/share/gimp/README"
    );
    // The same file (same fileId) is shared, not a conflict.
    world.file(&stable_runtime, "/usr/share/gimp/README", 2);
    assert!(
        world
            .plan_with(&["gimp=conary.rpath.com@rpl:release1"], options)
            .is_ok()
    );
}

#[test]
fn a_shadow_named_by_tag_keeps_the_trove_until_the_parent_label_is_named() {
    let trunk = "/conary.example.com@rpl:1";
    let shadow = "/conary.example.com@rpl:1//qa";
    let mut world = World::new("installLabelPath conary.example.com@rpl:1\n");
    let old = world.trove("foo:runtime", &format!("{trunk}/1.0-1-1"), "");
    let on_shadow = world.trove("foo:runtime", &format!("{shadow}/1.0-1-1"), "");
    world.install(&old);
    assert_eq!(
        world.show(&["foo:runtime=:qa"]),
        "Update foo:runtime (1.0-1-1 -> conary.example.com@rpl:qa/1.0-1-1)\n"
    );
    world.system.remove(&old);
    world.install(&on_shadow);
    world.trove("foo:runtime", &format!("{trunk}/1.1-1-1"), "");
    // The trunk moved on; the shadow did not: nothing to do.
    assert_eq!(world.show(&["foo:runtime"]), "");
    world.trove("foo:runtime", &format!("{shadow}/1.0-1.1-1"), "");
    assert_eq!(
        world.show(&["foo:runtime"]),
        "Update foo:runtime (conary.example.com@rpl:qa/1.0-1-1 -> conary.example.com@rpl:qa/1.0-1.1-1)\n"
    );
    assert_eq!(
        world.show(&["foo:runtime=conary.example.com@rpl:1"]),
        "Update foo:runtime (conary.example.com@rpl:qa/1.0-1-1 -> 1.1-1-1)\n"
    );
}

/// foo in x86 and x86_64, versions 1.0 then 1.1, on an x86_64 system that
/// runs x86 too.
fn multilib_world() -> World {
    let mut world = World::new(
        "installLabelPath conary.example.com@rpl:1\n\
         flavor is: x86(i686) x86_64\n\
         flavorPreferences is: x86_64\n\
         flavorPreferences is: x86\n",
    );
    for version in ["1.0-1-1", "1.1-1-1"] {
        for flavor in ["is: x86(i686)", "is: x86_64"] {
            world.trove(
                "foo:lib",
                &format!("/conary.example.com@rpl:1/{version}"),
                flavor,
            );
        }
    }
    world
}

#[test]
fn an_installed_x86_trove_stays_x86_on_x86_64() {
    let mut world = multilib_world();
    assert_eq!(
        world.show(&["foo:lib"]),
        "Install foo:lib=1.1-1-1\n",
        "a fresh install takes the preferred x86_64"
    );
    let fresh = world.plan(&["foo:lib"]).expect("plan");
    assert_eq!(fresh.new_troves()[0].flavor.to_string(), "is: x86_64");

    let x86 = super::fixture::tuple(
        "foo:lib",
        "/conary.example.com@rpl:1/1.0-1-1",
        "is: x86(i686)",
    );
    world.install(&x86);
    let plan = world.plan(&["foo:lib"]).expect("plan");
    assert_eq!(plan.to_string(), "Update foo:lib (1.0-1-1 -> 1.1-1-1)\n");
    assert_eq!(plan.new_troves()[0].flavor.to_string(), "is: x86(i686)");

    // A flavor in the spec overrides the affinity.
    assert_eq!(
        world.show(&["foo:lib[is: x86_64]"]),
        "Update foo:lib (1.0-1-1[is: x86(i686)] -> 1.1-1-1[is: x86_64])\n"
    );
    // Installing the other flavor beside it shows both flavors apart.
    let options = PlanOptions {
        keep_existing: true,
        ..PlanOptions::default()
    };
    assert_eq!(
        world.show_with(&["foo:lib[is: x86_64]"], options),
        "Install foo:lib=1.1-1-1\n"
    );
}

#[test]
fn both_flavors_installed_update_each_to_its_own_flavor() {
    let mut world = multilib_world();
    for flavor in ["is: x86(i686)", "is: x86_64"] {
        let tuple = super::fixture::tuple("foo:lib", "/conary.example.com@rpl:1/1.0-1-1", flavor);
        world.install(&tuple);
    }
    assert_eq!(
        world.show(&["foo:lib"]),
        "Update foo:lib (1.0-1-1[is: x86(i686)] -> 1.1-1-1[is: x86(i686)])\n\
         Update foo:lib (1.0-1-1[is: x86_64] -> 1.1-1-1[is: x86_64])\n"
    );
}
