//! Redirects on update: a rename followed, chains, loops, and a redirect
//! to nothing.

use conary_core::trove::{TroveTuple, TroveType};
use conary_core::version::Branch;

use super::fixture::World;

const LABEL: &str = "/conary.example.com@rpl:1";

/// Turns `tuple` (committed in `world`) into a redirect to `targets`.
fn redirect(world: &mut World, tuple: &TroveTuple, targets: &[(&str, &str)]) {
    let trove = world.edit(tuple);
    trove.trove_type = TroveType::Redirect;
    trove.strong_refs.clear();
    for (name, branch) in targets {
        let branch: Branch = branch.parse().expect("branch");
        trove.add_redirect(name.parse().expect("name"), branch, None);
    }
}

fn renamed_world() -> World {
    let mut world = World::new("installLabelPath conary.example.com@rpl:1\n");
    let old = world.package(
        "foo",
        &format!("{LABEL}/1.0-1-1"),
        "",
        &[(":runtime", true)],
    );
    world.install_all(&old);
    world.package(
        "bar",
        &format!("{LABEL}/2.0-1-1"),
        "",
        &[(":runtime", true)],
    );
    world
}

#[test]
fn an_update_follows_a_rename() {
    let mut world = renamed_world();
    let stub = world.trove("foo", &format!("{LABEL}/1.0-1-2"), "");
    redirect(&mut world, &stub, &[("bar", LABEL)]);
    assert_eq!(
        world.show(&["foo"]),
        "Install bar=2.0-1-1\nInstall bar:runtime=2.0-1-1\nErase foo=1.0-1-1\nErase foo:runtime=1.0-1-1\n"
    );
}

#[test]
fn chains_are_followed_and_loops_refused() {
    let mut world = renamed_world();
    let other = "/conary.example.com@rpl:2";
    let stub = world.trove("foo", &format!("{LABEL}/1.0-1-2"), "");
    redirect(&mut world, &stub, &[("baz", other)]);
    let hop = world.trove("baz", &format!("{other}/1.0-1-1"), "");
    redirect(&mut world, &hop, &[("bar", LABEL)]);
    assert_eq!(
        world.show(&["foo"]),
        "Install bar=2.0-1-1\nInstall bar:runtime=2.0-1-1\nErase foo=1.0-1-1\nErase foo:runtime=1.0-1-1\n"
    );

    redirect(&mut world, &hop, &[("foo", LABEL)]);
    let shown = world.show(&["foo"]);
    assert!(
        shown.starts_with("error: cannot follow the redirect foo=")
            && shown.contains("loops back to foo"),
        "{shown}"
    );
}

#[test]
fn a_redirect_to_nothing_is_an_error() {
    let mut world = renamed_world();
    let stub = world.trove("foo", &format!("{LABEL}/1.0-1-2"), "");
    redirect(&mut world, &stub, &[]);
    let shown = world.show(&["foo"]);
    assert!(shown.contains("points to nothing"), "{shown}");
    redirect(&mut world, &stub, &[("nowhere", LABEL)]);
    let shown = world.show(&["foo"]);
    assert!(
        shown.contains(
            "it points to nowhere on /conary.example.com@rpl:1, which has none that fits"
        ),
        "{shown}"
    );
}

#[test]
fn a_split_package_installs_every_target() {
    let mut world = renamed_world();
    world.package(
        "baz",
        &format!("{LABEL}/3.0-1-1"),
        "",
        &[(":runtime", true)],
    );
    let stub = world.trove("foo", &format!("{LABEL}/1.0-1-2"), "");
    redirect(&mut world, &stub, &[("bar", LABEL), ("baz", LABEL)]);
    assert_eq!(
        world.show(&["foo"]),
        "Install bar=2.0-1-1\nInstall bar:runtime=2.0-1-1\nInstall baz=3.0-1-1\nInstall baz:runtime=3.0-1-1\nErase foo=1.0-1-1\nErase foo:runtime=1.0-1-1\n"
    );
}
