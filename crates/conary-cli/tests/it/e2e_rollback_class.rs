//! Compatibility classes and postRollback conversions through the real
//! binaries: groups cooked with `r.setCompatibilityClass` and
//! `r.addPostRollbackScript(toClass=…)`, updated and rolled back with
//! `conary` on a root that has a shell for the scripts.

use std::fs;
use std::path::Path;

use crate::cli::CONARY;
use crate::e2e_model_include::World;
use crate::e2e_tags::give_shell;

const LABEL: &str = "conary.example.com@rpl:devel";

const LOGGER: &str = "#!/bin/sh\\necho \\\"$CONARY_OLD_COMPATIBILITY_CLASS -> $CONARY_NEW_COMPATIBILITY_CLASS\\\" >> \\\"$CONARY_ROOT/rollback.log\\\"\\n";

fn group_body(class: u16, to_class: Option<&str>) -> String {
    let mut body = format!("    r.add('motd')\n    r.setCompatibilityClass({class})\n");
    if let Some(to_class) = to_class {
        body.push_str(&format!(
            "    r.addPostRollbackScript(contents = '{LOGGER}', toClass = {to_class})\n"
        ));
    }
    body
}

fn conary(world: &World, root: &Path, args: &[&str]) -> String {
    let mut all = args.to_vec();
    all.extend(["--root", root.to_str().expect("UTF-8 root")]);
    if matches!(args.first(), Some(&"update")) {
        all.extend(["--install-label", LABEL, "--no-deps"]);
    }
    world.ok(CONARY, world.home(), &all)
}

fn rollbacks(world: &World, root: &Path) -> usize {
    conary(world, root, &["rblist"])
        .lines()
        .filter(|line| line.starts_with("r."))
        .count()
}

#[test]
fn a_post_rollback_conversion_keeps_the_rollback_stack_and_runs_on_rollback() {
    let world = World::new();
    world.cook(
        "motd",
        LABEL,
        "    r.Create('/etc/motd', contents='hello\\n')\n",
    );
    world.cook_version("group-dist", LABEL, "1.0", &group_body(1, None));
    let root = world.home().join("root");
    fs::create_dir_all(&root).expect("root");
    give_shell(&root);
    conary(&world, &root, &["update", "group-dist"]);
    assert_eq!(rollbacks(&world, &root), 1);

    // Class 1 -> 2 with a conversion back to 1: the stack stays.
    world.cook_version("group-dist", LABEL, "2.0", &group_body(2, Some("[1]")));
    conary(&world, &root, &["update", "group-dist"]);
    assert_eq!(rollbacks(&world, &root), 2, "the stack is kept");

    // Rolling back runs the script, converting 2 -> 1.
    conary(&world, &root, &["rollback", "1"]);
    assert_eq!(
        fs::read_to_string(root.join("rollback.log")).expect("the script ran"),
        "2 -> 1\n"
    );
    let q = conary(&world, &root, &["q"]);
    assert!(
        q.contains("group-dist=conary.example.com@rpl:devel/1.0-1-1"),
        "{q}"
    );

    // Class 1 -> 3 without a conversion for 1: the stack is emptied.
    world.cook_version("group-dist", LABEL, "3.0", &group_body(3, Some("[2]")));
    conary(&world, &root, &["update", "group-dist"]);
    assert_eq!(rollbacks(&world, &root), 0, "a fence empties the stack");
}
