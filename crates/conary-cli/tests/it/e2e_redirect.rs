//! Redirects and removed troves with the real binaries against a real
//! server: `cvc redirect` of a renamed package followed by `conary
//! update`, shown by `conary rq --info`; a redirect to nothing refused and
//! a redirect loop reported; `cvc markremoved` leaving a stub that queries
//! and updates step around.

use crate::cli::CVC;
use crate::e2e_promote::{OTHER, World};

const DEV: &str = "conary.example.com@rpl:dev";

fn recipe(name: &str, version: &str) -> String {
    format!(
        "name = '{name}'\nversion = '{version}'\n\ndef setup(r):\n    r.Create('/usr/share/{name}/README', contents = '{name}\\n')\n"
    )
}

#[test]
fn an_update_follows_a_rename_and_a_loop_is_reported() {
    let world = World::new();
    for name in ["oldname", "newname"] {
        world.commit_source(name, &recipe(name, "1.0"));
        world.cvc(&["cook", &format!("{name}={DEV}")]);
    }
    let root = world.home().join("root");
    let root = root.to_str().expect("utf-8").to_owned();
    world.conary(&["update", "oldname", "--root", &root]);

    let refused = world.fails(
        CVC,
        &[
            "redirect",
            &format!("oldname={DEV}"),
            &format!("missing={DEV}"),
        ],
    );
    assert!(
        refused.contains(&format!("redirect to nothing: no missing on /{DEV}")),
        "{refused}"
    );
    let made = world.cvc(&[
        "redirect",
        &format!("oldname={DEV}"),
        &format!("newname={DEV}"),
    ]);
    assert_eq!(made, format!("committed oldname=/{DEV}/1.0-1-2[]\n"));
    let shown = world.conary(&["rq", "oldname", "--info"]);
    assert!(shown.contains("Type         : redirect"), "{shown}");
    assert!(
        shown.contains(&format!("Redirect to  : newname on /{DEV}")),
        "{shown}"
    );

    let plan = world.conary(&["update", "oldname", "--root", &root, "--info"]);
    assert!(plan.contains("Install newname"), "{plan}");
    assert!(plan.contains("Erase oldname"), "{plan}");
    world.conary(&["update", "oldname", "--root", &root]);
    let installed = world.conary(&["q", "--root", &root]);
    assert!(installed.contains("newname"), "{installed}");
    assert!(!installed.contains("oldname"), "{installed}");
    assert!(world.home().join("root/usr/share/newname/README").exists());
    assert!(!world.home().join("root/usr/share/oldname/README").exists());

    // newname redirected back to oldname, which redirects to newname.
    world.cvc(&[
        "redirect",
        &format!("newname={DEV}"),
        &format!("oldname={DEV}"),
    ]);
    let looped = world.fails(crate::cli::CONARY, &["update", "newname", "--root", &root]);
    assert!(
        looped.contains("cannot follow the redirect newname="),
        "{looped}"
    );
    assert!(looped.contains("loops back to newname"), "{looped}");
}

#[test]
fn a_removed_trove_is_stepped_around() {
    let world = World::new();
    world.commit_source("hello", &recipe("hello", "1.0"));
    world.cvc(&["cook", &format!("hello={DEV}")]);
    world.cvc(&["cook", &format!("hello={DEV}")]);
    let removed = world.cvc(&["markremoved", &format!("hello=/{DEV}/1.0-1-2")]);
    assert_eq!(
        removed,
        format!("removed hello=/{DEV}/1.0-1-2[]\nremoved hello:data=/{DEV}/1.0-1-2[]\n")
    );
    let listed = world.conary(&["rq", "hello", "--full-versions"]);
    assert_eq!(listed, format!("hello=/{DEV}/1.0-1-1\n"));
    let root = world.home().join("root");
    let root = root.to_str().expect("utf-8").to_owned();
    world.conary(&["update", "hello", "--root", &root]);
    let installed = world.conary(&["q", "--root", &root, "--full-versions"]);
    assert_eq!(installed, format!("hello=/{DEV}/1.0-1-1\n"));
}

#[test]
fn an_update_follows_a_move_to_another_repository() {
    let world = World::with_other();
    world.commit_source("foo", &recipe("foo", "1.0"));
    world.cvc(&["cook", &format!("foo={DEV}")]);
    let root = world.home().join("root");
    let root = root.to_str().expect("utf-8").to_owned();
    world.conary(&["update", "foo", "--root", &root]);

    let moved = format!("{OTHER}@rpl:1");
    world.cvc(&["promote", "foo", &format!(":dev--{moved}")]);
    world.cvc(&["redirect", &format!("foo={DEV}"), &format!("foo=/{moved}")]);
    world.conary(&["update", "foo", "--root", &root]);
    let installed = world.conary(&["q", "--root", &root, "--full-versions"]);
    assert_eq!(installed, format!("foo=/{moved}/1.0-1-1\n"));
    assert!(world.home().join("root/usr/share/foo/README").exists());

    // It stays there: the next update looks on its new branch.
    let again = world.conary(&["update", "foo", "--root", &root, "--info"]);
    assert!(
        !again.contains("Install") && !again.contains("Update"),
        "{again}"
    );
}
