//! Dependencies: refusal with who needs what, `--resolve`, `--no-deps`,
//! `--keep-required`.

use conary_core::trove::TroveTuple;
use conary_system::plan::{PlanError, PlanOptions};

use super::fixture::World;

const L1: &str = "/conary.example.com@rpl:1";
const SO1: &str = "soname: ELF64/libfoo.so.1(SysV x86_64)";
const SO2: &str = "soname: ELF64/libfoo.so.2(SysV x86_64)";

fn component(package: &TroveTuple, suffix: &str) -> TroveTuple {
    TroveTuple::new(
        package.name.with_component(suffix).expect("component name"),
        package.version.clone(),
        package.flavor.clone(),
    )
}

fn resolving() -> PlanOptions {
    PlanOptions {
        resolve: Some(true),
        ..PlanOptions::default()
    }
}

/// libfoo 1 installed (libfoo.so.1); libfoo 2 (so.1 and so.2) and
/// libfoo-compat (so.2) on the label; app needs so.2.
fn library_world() -> World {
    let mut world = World::new("installLabelPath conary.example.com@rpl:1\n");
    let libfoo1 = world.package("libfoo", &format!("{L1}/1.0-1-1"), "", &[(":lib", true)]);
    let lib1 = component(&libfoo1, "lib");
    world.provides(&lib1, SO1);
    let libfoo2 = world.package("libfoo", &format!("{L1}/2.0-1-1"), "", &[(":lib", true)]);
    let lib2 = component(&libfoo2, "lib");
    world.provides(&lib2, &format!("{SO1}\n{SO2}"));
    let compat = world.package(
        "libfoo-compat",
        &format!("{L1}/2.0-1-1"),
        "",
        &[(":lib", true)],
    );
    let compat_lib = component(&compat, "lib");
    world.provides(&compat_lib, SO2);
    let app = world.package("app", &format!("{L1}/1.0-1-1"), "", &[(":runtime", true)]);
    let app_runtime = component(&app, "runtime");
    world.requires(&app_runtime, SO2);
    world.install_all(&libfoo1);
    world
}

#[test]
fn unresolved_requirements_are_refused_with_who_needs_what() {
    let world = library_world();
    let error = world.plan(&["app"]).expect_err("so.2 is missing");
    assert!(matches!(&error, PlanError::Unresolved { problems } if problems.len() == 1));
    assert_eq!(
        error.to_string(),
        format!(
            "unresolved dependencies:\n    app:runtime=conary.example.com@rpl:1/1.0-1-1 requires {SO2}"
        )
    );
    // --no-deps goes on and says what is left.
    let options = PlanOptions {
        no_deps: true,
        ..PlanOptions::default()
    };
    assert_eq!(
        world.show_with(&["app"], options),
        format!(
            "Install app=1.0-1-1\nInstall app:runtime=1.0-1-1\n\
             Dependencies left unsatisfied (--no-deps):\n    app:runtime=1.0-1-1 requires {SO2}\n"
        )
    );
}

#[test]
fn resolve_prefers_updating_an_installed_trove() {
    let world = library_world();
    assert_eq!(
        world.show_with(&["app"], resolving()),
        format!(
            "Install app=1.0-1-1\nInstall app:runtime=1.0-1-1\n\
             Update libfoo (1.0-1-1 -> 2.0-1-1)\n\
             Update libfoo:lib (1.0-1-1 -> 2.0-1-1)\n\
             Resolved dependencies:\n    app:runtime=1.0-1-1 requires {SO2}: libfoo:lib=2.0-1-1\n"
        )
    );
    // autoResolve in the configuration does the same.
    let mut world = world;
    world.config.auto_resolve = true;
    assert!(
        world
            .show(&["app"])
            .contains("Update libfoo:lib (1.0-1-1 -> 2.0-1-1)")
    );
    // --no-resolve wins over the configuration.
    let options = PlanOptions {
        resolve: Some(false),
        ..PlanOptions::default()
    };
    assert!(
        world
            .show_with(&["app"], options)
            .starts_with("error: unresolved dependencies")
    );
}

#[test]
fn resolve_installs_a_provider_when_nothing_installed_provides() {
    let mut world = library_world();
    world.config.auto_resolve_packages = false;
    let libfoo1 = super::fixture::tuple("libfoo", &format!("{L1}/1.0-1-1"), "");
    let lib1 = component(&libfoo1, "lib");
    world.system.remove(&libfoo1);
    world.system.remove(&lib1);
    let plan = world.plan_with(&["app"], resolving()).expect("resolvable");
    let added: Vec<String> = plan
        .new_troves()
        .iter()
        .map(|t| t.name.to_string())
        .collect();
    // The latest provider: libfoo-compat:lib was committed after libfoo:lib 2.
    assert_eq!(added, ["app", "app:runtime", "libfoo-compat:lib"]);
    assert_eq!(plan.resolved_deps.len(), 1);
    assert_eq!(plan.resolved_deps[0].dependency.to_string(), SO2);
}

#[test]
fn resolution_goes_on_until_providers_are_satisfied_too() {
    let mut world = World::new("installLabelPath conary.example.com@rpl:1\n");
    let a = world.trove("a:runtime", &format!("{L1}/1.0-1-1"), "");
    let b = world.trove("b:runtime", &format!("{L1}/1.0-1-1"), "");
    let c = world.trove("c:lib", &format!("{L1}/1.0-1-1"), "");
    world.requires(&a, "trove: b:runtime");
    world.requires(&b, "file: /usr/lib/c.so");
    world.provides(&c, "file: /usr/lib/c.so");
    let unresolvable = world.trove("d:runtime", &format!("{L1}/1.0-1-1"), "");
    world.requires(&unresolvable, "file: /nowhere");
    assert_eq!(
        world.show_with(&["a:runtime"], resolving()),
        "Install a:runtime=1.0-1-1\nInstall b:runtime=1.0-1-1\nInstall c:lib=1.0-1-1\n\
         Resolved dependencies:\n    \
         a:runtime=1.0-1-1 requires trove: b:runtime: b:runtime=1.0-1-1\n    \
         b:runtime=1.0-1-1 requires file: /usr/lib/c.so: c:lib=1.0-1-1\n"
    );
    assert_eq!(
        world.show_with(&["d:runtime"], resolving()),
        "error: unresolved dependencies:\n    \
         d:runtime=conary.example.com@rpl:1/1.0-1-1 requires file: /nowhere"
    );
}

/// foo (foo:runtime, foo:lib with libfoo.so.1) and bar:runtime needing it,
/// all installed; foo 2 drops so.1 for so.2.
fn keep_world() -> World {
    let mut world = World::new("installLabelPath conary.example.com@rpl:1\n");
    let foo1 = world.package(
        "foo",
        &format!("{L1}/1.0-1-1"),
        "",
        &[(":runtime", true), (":lib", true)],
    );
    let lib = component(&foo1, "lib");
    world.provides(&lib, SO1);
    let requirer = world.trove("bar:runtime", &format!("{L1}/1.0-1-1"), "");
    world.requires(&requirer, SO1);
    let foo2 = world.package(
        "foo",
        &format!("{L1}/2.0-1-1"),
        "",
        &[(":runtime", true), (":lib", true)],
    );
    let lib2 = component(&foo2, "lib");
    world.provides(&lib2, SO2);
    world.install_all(&foo1);
    world.install(&requirer);
    world
}

#[test]
fn erasures_that_break_dependents_are_refused_unless_kept() {
    let world = keep_world();
    let broken = format!(
        "error: the job would break dependencies:\n    \
         bar:runtime=conary.example.com@rpl:1/1.0-1-1 requires {SO1}, \
         provided by foo:lib=conary.example.com@rpl:1/1.0-1-1"
    );
    let keep = PlanOptions {
        keep_required: Some(true),
        ..PlanOptions::default()
    };
    let cases: &[(&str, &PlanOptions, String)] = &[
        ("-foo", &PlanOptions::default(), broken.clone()),
        // The package goes; the component another trove needs stays.
        (
            "-foo",
            &keep,
            format!(
                "Erase foo=1.0-1-1\nErase foo:runtime=1.0-1-1\n\
                 Kept because required:\n    foo:lib=1.0-1-1 (bar:runtime=1.0-1-1 requires {SO1})\n"
            ),
        ),
        // Named by the user: not undone.
        ("-foo:lib", &keep, broken.clone()),
        // An update that drops the provide.
        ("foo", &PlanOptions::default(), broken.clone()),
        // ... goes beside the old trove instead.
        (
            "foo",
            &keep,
            format!(
                "Update foo (1.0-1-1 -> 2.0-1-1)\nInstall foo:lib=2.0-1-1\n\
                 Update foo:runtime (1.0-1-1 -> 2.0-1-1)\n\
                 Kept because required:\n    foo:lib=1.0-1-1 (bar:runtime=1.0-1-1 requires {SO1})\n"
            ),
        ),
    ];
    for (spec, options, expected) in cases {
        assert_eq!(
            &world.show_with(&[spec], (*options).clone()),
            expected,
            "{spec} {options:?}"
        );
    }
    // keepRequired in the configuration.
    let mut world = world;
    world.config.keep_required = true;
    assert!(world.show(&["-foo"]).contains("Kept because required:"));
}

#[test]
fn no_deps_lists_broken_dependents_in_the_plan() {
    let world = keep_world();
    let options = PlanOptions {
        no_deps: true,
        ..PlanOptions::default()
    };
    let plan = world.plan_with(&["-foo"], options).expect("no-deps plan");
    assert_eq!(plan.broken.len(), 1);
    assert_eq!(
        plan.to_string(),
        format!(
            "Erase foo=1.0-1-1\nErase foo:lib=1.0-1-1\nErase foo:runtime=1.0-1-1\n\
             Dependencies left unsatisfied (--no-deps):\n    \
             bar:runtime=1.0-1-1 requires {SO1}, provided by foo:lib=1.0-1-1\n"
        )
    );
}
