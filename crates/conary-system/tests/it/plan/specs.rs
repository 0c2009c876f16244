//! Finding troves for specs: label path, flavors, pins, `--update-only`,
//! erasures, `OLD--NEW`, and the errors that name the spec at fault.

use conary_core::trove::Trove;
use conary_core::version::Version;
use conary_system::plan::{LayeredSource, MemorySource, PlanError, PlanOptions, Planner};

use super::fixture::World;

const L1: &str = "/conary.example.com@rpl:1";
const L2: &str = "/other.example.com@rpl:2";

#[test]
fn the_first_label_of_the_path_that_has_the_trove_wins() {
    let mut world =
        World::new("installLabelPath conary.example.com@rpl:1 other.example.com@rpl:2\n");
    world.trove("foo:runtime", &format!("{L2}/2.0-1-1"), "");
    world.trove("bar:runtime", &format!("{L2}/1.0-1-1"), "");
    world.trove("foo:runtime", &format!("{L1}/1.0-1-1"), "");
    world.trove("foo:runtime", &format!("{L1}/1.1-1-1"), "");
    world.trove("foo:runtime", &format!("{L1}/0.9-1-1"), "");
    let cases: &[(&[&str], &str)] = &[
        // Latest by commit time, not by upstream version.
        (&["foo:runtime"], "Install foo:runtime=0.9-1-1\n"),
        (&["foo:runtime=1.1"], "Install foo:runtime=1.1-1-1\n"),
        (&["foo:runtime=1.0-1-1"], "Install foo:runtime=1.0-1-1\n"),
        (
            &["foo:runtime=other.example.com@rpl:2"],
            "Install foo:runtime=other.example.com@rpl:2/2.0-1-1\n",
        ),
        (
            &["foo:runtime=/other.example.com@rpl:2"],
            "Install foo:runtime=other.example.com@rpl:2/2.0-1-1\n",
        ),
        (
            &["foo:runtime=/conary.example.com@rpl:1/1.0-1-1"],
            "Install foo:runtime=1.0-1-1\n",
        ),
        (
            &["bar:runtime"],
            "Install bar:runtime=other.example.com@rpl:2/1.0-1-1\n",
        ),
        // `@ns:tag` keeps the host of each label of the path.
        (
            &["foo:runtime=@rpl:2"],
            "Install foo:runtime=other.example.com@rpl:2/2.0-1-1\n",
        ),
        (
            &["baz"],
            "error: baz was not found (searched conary.example.com@rpl:1, other.example.com@rpl:2)",
        ),
        (
            &["foo:runtime=3.0"],
            "error: foo:runtime=3.0 was not found (searched conary.example.com@rpl:1, other.example.com@rpl:2)",
        ),
    ];
    for (specs, expected) in cases {
        assert_eq!(&world.show(specs), expected, "{specs:?}");
    }
}

#[test]
fn no_label_path_is_named_in_the_error() {
    let world = World::new("");
    assert_eq!(
        world.show(&["foo"]),
        "error: cannot look for foo: the install label path (installLabelPath) is empty"
    );
    assert_eq!(
        world.show(&["foo=:devel"]),
        "error: cannot look for foo=:devel: the install label path (installLabelPath) is empty"
    );
}

#[test]
fn flavors_are_chosen_by_the_flavor_path_and_the_preferences() {
    // (system configuration, (version, flavor) candidates in commit order,
    // expected flavor or error)
    // (version, flavor) candidates, in commit order.
    type Candidates<'a> = &'a [(&'a str, &'a str)];
    let cases: &[(&str, Candidates<'_>, &str)] = &[
        // Use flags: the system's `ssl` rules out `!ssl`.
        (
            "flavor ssl is: x86_64\n",
            &[
                ("1.0-1-1", "ssl is: x86_64"),
                ("1.0-1-1", "!ssl is: x86_64"),
            ],
            "1.0-1-1[ssl is: x86_64]",
        ),
        // The best score among the passing flavors.
        (
            "flavor ~ssl is: x86_64\n",
            &[
                ("1.0-1-1", "!ssl is: x86_64"),
                ("1.0-1-1", "ssl is: x86_64"),
            ],
            "1.0-1-1[ssl is: x86_64]",
        ),
        // A preferred instruction set beats a newer version of a worse one.
        (
            "flavor is: x86(i686) x86_64\nflavorPreferences is: x86_64\nflavorPreferences is: x86\n",
            &[("1.0-1-1", "is: x86_64"), ("1.1-1-1", "is: x86(i686)")],
            "1.0-1-1[is: x86_64]",
        ),
        // The system's own instruction sets bring the built-in
        // preferences (x86_64, then x86) when none are configured.
        (
            "flavor is: x86(i686) x86_64\n",
            &[("1.0-1-1", "is: x86_64"), ("1.1-1-1", "is: x86(i686)")],
            "1.0-1-1[is: x86_64]",
        ),
        // Otherwise the newest fitting version wins over a better score.
        (
            "flavor is: x86_64\n",
            &[
                ("1.0-1-1", "~!ssl is: x86_64"),
                ("1.1-1-1", "~ssl is: x86_64"),
            ],
            "1.1-1-1[~ssl is: x86_64]",
        ),
        // The flavor path: the first entry that fits anything wins.
        (
            "flavor is: ppc\nflavor is: x86_64\n",
            &[("1.0-1-1", "is: x86_64"), ("1.0-1-1", "is: s390")],
            "1.0-1-1[is: x86_64]",
        ),
        (
            "flavor is: x86_64\nflavor is: x86(i686) x86_64\n",
            &[("1.0-1-1", "is: x86(i686)"), ("1.0-1-1", "is: x86_64")],
            "1.0-1-1[is: x86_64]",
        ),
        // Nothing fits: the error lists what exists.
        (
            "flavor is: x86_64\n",
            &[("1.0-1-1", "is: ppc"), ("1.0-1-1", "is: s390")],
            "error: no flavor of foo:lib fits this system (available: [is: ppc], [is: s390])",
        ),
    ];
    for (config, candidates, expected) in cases {
        let mut world = World::new(&format!(
            "installLabelPath conary.example.com@rpl:1\n{config}"
        ));
        for (version, flavor) in *candidates {
            world.trove("foo:lib", &format!("{L1}/{version}"), flavor);
        }
        let found = match world.plan(&["foo:lib"]) {
            Ok(plan) => {
                let tuple = plan.new_troves().pop().expect("one trove");
                format!("{}[{}]", tuple.version.trailing_revision(), tuple.flavor)
            }
            Err(error) => format!("error: {error}"),
        };
        assert_eq!(&found, expected, "{config} {candidates:?}");
    }
}

#[test]
fn a_flavor_in_the_spec_is_laid_over_the_system_flavor() {
    let mut world =
        World::new("installLabelPath conary.example.com@rpl:1\nflavor ssl is: x86(i686) x86_64\n");
    world.trove("foo:lib", &format!("{L1}/1.0-1-1"), "ssl is: x86_64");
    world.trove("foo:lib", &format!("{L1}/1.0-1-1"), "!ssl is: x86_64");
    world.trove("foo:lib", &format!("{L1}/1.0-1-1"), "ssl is: x86(i686)");
    let cases: &[(&str, &str)] = &[
        ("foo:lib", "ssl is: x86_64"),
        ("foo:lib[!ssl]", "!ssl is: x86_64"),
        ("foo:lib[is: x86]", "ssl is: x86(i686)"),
    ];
    for (spec, flavor) in cases {
        let plan = world.plan(&[spec]).expect("plan");
        assert_eq!(plan.new_troves()[0].flavor.to_string(), *flavor, "{spec}");
    }
}

#[test]
fn pinned_troves_are_never_replaced_nor_erased() {
    let mut world = World::new("installLabelPath conary.example.com@rpl:1\npinTroves kernel.*\n");
    let kernel = world.trove("kernel:runtime", &format!("{L1}/6.1-1-1"), "");
    let pinned = world.trove("foo:runtime", &format!("{L1}/1.0-1-1"), "");
    world.trove("kernel:runtime", &format!("{L1}/6.2-1-1"), "");
    world.trove("foo:runtime", &format!("{L1}/1.1-1-1"), "");
    world.install(&kernel);
    world.pin(&pinned);
    let cases: &[(&[&str], &str)] = &[
        // Updates go beside the pinned trove.
        (&["kernel:runtime"], "Install kernel:runtime=6.2-1-1\n"),
        (&["foo:runtime"], "Install foo:runtime=1.1-1-1\n"),
        (
            &["-foo:runtime"],
            "error: cannot erase foo:runtime=conary.example.com@rpl:1/1.0-1-1: it is pinned (unpin it first)",
        ),
        (
            &["-kernel:runtime"],
            "error: cannot erase kernel:runtime=conary.example.com@rpl:1/6.1-1-1: it is pinned (unpin it first)",
        ),
    ];
    for (specs, expected) in cases {
        assert_eq!(&world.show(specs), expected, "{specs:?}");
    }
}

#[test]
fn update_only_never_installs_new_troves() {
    let mut world = World::new("installLabelPath conary.example.com@rpl:1\n");
    let package = world.package("foo", &format!("{L1}/1.0-1-1"), "", &[(":runtime", true)]);
    world.package(
        "foo",
        &format!("{L1}/1.1-1-1"),
        "",
        &[(":runtime", true), (":data", true)],
    );
    world.package("bar", &format!("{L1}/1.0-1-1"), "", &[(":runtime", true)]);
    world.install_all(&package);
    let options = PlanOptions {
        update_only: true,
        ..PlanOptions::default()
    };
    // bar is not installed, foo:data is new in foo: neither comes.
    assert_eq!(
        world.show_with(&["foo", "bar"], options),
        "Update foo (1.0-1-1 -> 1.1-1-1)\nUpdate foo:runtime (1.0-1-1 -> 1.1-1-1)\n"
    );
    assert_eq!(
        world.show(&["foo", "bar"]),
        "Install bar=1.0-1-1\nInstall bar:runtime=1.0-1-1\n\
         Update foo (1.0-1-1 -> 1.1-1-1)\nInstall foo:data=1.1-1-1\n\
         Update foo:runtime (1.0-1-1 -> 1.1-1-1)\n"
    );
}

#[test]
fn erase_specs_match_installed_troves() {
    let mut world = World::new("installLabelPath conary.example.com@rpl:1\n");
    let package = world.package(
        "foo",
        &format!("{L1}/1.0-1-1"),
        "",
        &[(":runtime", true), (":doc", true)],
    );
    let x86 = world.trove("bar:lib", &format!("{L1}/1.0-1-1"), "is: x86");
    let x86_64 = world.trove("bar:lib", &format!("{L1}/1.0-1-1"), "is: x86_64");
    world.install_all(&package);
    world.install(&x86);
    world.install(&x86_64);
    let cases: &[(&[&str], bool, &str)] = &[
        (
            &["-foo"],
            true,
            "Erase foo=1.0-1-1\nErase foo:doc=1.0-1-1\nErase foo:runtime=1.0-1-1\n",
        ),
        // `conary erase foo`: unmarked specs erase.
        (&["foo:doc"], false, "Erase foo:doc=1.0-1-1\n"),
        (
            &["-foo=1.0"],
            true,
            "Erase foo=1.0-1-1\nErase foo:doc=1.0-1-1\nErase foo:runtime=1.0-1-1\n",
        ),
        (&["-foo=2.0"], true, "error: foo=2.0 is not installed"),
        (&["-baz"], true, "error: baz is not installed"),
        // One job of the name: no flavor needed to tell it apart.
        (&["-bar:lib[is: x86]"], true, "Erase bar:lib=1.0-1-1\n"),
        (
            &["-bar:lib"],
            true,
            "Erase bar:lib=1.0-1-1[is: x86]\nErase bar:lib=1.0-1-1[is: x86_64]\n",
        ),
    ];
    for (specs, update_by_default, expected) in cases {
        let options = PlanOptions {
            update_by_default: *update_by_default,
            ..PlanOptions::default()
        };
        assert_eq!(&world.show_with(specs, options), expected, "{specs:?}");
    }
}

#[test]
fn old_new_specs_change_exactly_what_they_name() {
    let mut world = World::new("installLabelPath conary.example.com@rpl:1\n");
    let old = world.trove("foo:runtime", &format!("{L1}/1.0-1-1"), "");
    world.trove("foo:runtime", &format!("{L1}/1.1-1-1"), "");
    world.trove("foo:runtime", &format!("{L1}/1.2-1-1"), "");
    world.trove("foo:runtime", &format!("{L2}/2.0-1-1"), "");
    world.install(&old);
    let cases: &[(&str, &str)] = &[
        (
            "foo:runtime=1.0--1.1",
            "Update foo:runtime (1.0-1-1 -> 1.1-1-1)\n",
        ),
        (
            "foo:runtime=1.0--other.example.com@rpl:2",
            "Update foo:runtime (1.0-1-1 -> other.example.com@rpl:2/2.0-1-1)\n",
        ),
        ("foo:runtime=--1.1", "Install foo:runtime=1.1-1-1\n"),
        ("foo:runtime=1.0--", "Erase foo:runtime=1.0-1-1\n"),
        (
            "foo:runtime=0.9--1.1",
            "error: foo:runtime=0.9 is not installed",
        ),
        (
            "foo:runtime=1.0--1.5",
            "error: foo:runtime=1.0--1.5 was not found (searched /conary.example.com@rpl:1)",
        ),
    ];
    for (spec, expected) in cases {
        assert_eq!(&world.show(&[spec]), expected, "{spec}");
    }
}

#[test]
fn an_up_to_date_trove_plans_nothing() {
    let mut world = World::new("installLabelPath conary.example.com@rpl:1\n");
    let installed = world.trove("foo:runtime", &format!("{L1}/1.0-1-1"), "");
    world.install(&installed);
    let plan = world.plan(&["foo:runtime"]).expect("plan");
    assert!(plan.is_empty());
    assert_eq!(plan.to_string(), "");
}

#[test]
fn errors_name_the_pattern_at_fault() {
    let world = World::new("installLabelPath conary.example.com@rpl:1\npinTroves kernel(\n");
    let error = world.plan(&["foo"]).expect_err("bad pattern");
    assert!(matches!(
        error,
        PlanError::InvalidPattern {
            setting: "pinTroves",
            ..
        }
    ));
    assert!(
        error
            .to_string()
            .starts_with("invalid pinTroves pattern 'kernel(': "),
        "{error}"
    );
}

#[test]
fn primary_jobs_are_those_the_specs_asked_for() {
    let mut world = World::new("installLabelPath conary.example.com@rpl:1\n");
    world.package("foo", &format!("{L1}/1.0-1-1"), "", &[(":runtime", true)]);
    let plan = world.plan(&["foo"]).expect("plan");
    assert_eq!(plan.jobs.len(), 2);
    assert_eq!(plan.primary.len(), 1);
    assert_eq!(plan.primary[0].name.as_str(), "foo");
}

#[test]
fn updateall_updates_every_top_level_trove() {
    let mut world = World::new("installLabelPath conary.example.com@rpl:1\n");
    let package = world.package("foo", &format!("{L1}/1.0-1-1"), "", &[(":runtime", true)]);
    let group = world.group("group-base", &format!("{L1}/1-1-1"), &[(&package, true)]);
    let tool = world.trove("tool:runtime", &format!("{L1}/1.0-1-1"), "");
    world.package("foo", &format!("{L1}/1.1-1-1"), "", &[(":runtime", true)]);
    world.trove("tool:runtime", &format!("{L1}/1.1-1-1"), "");
    world.install(&group);
    world.install_all(&package);
    world.install(&tool);
    let source = world.source();
    let planner = Planner::new(
        &source,
        &world.system,
        &world.config,
        PlanOptions::default(),
    );
    let specs = planner.update_all_specs().expect("installed troves");
    let texts: Vec<String> = specs.iter().map(ToString::to_string).collect();
    assert_eq!(texts, ["group-base", "tool:runtime"]);
    // group-base has no newer version: only tool moves.
    assert_eq!(
        planner.plan(&specs).expect("plan").to_string(),
        "Update tool:runtime (1.0-1-1 -> 1.1-1-1)\n"
    );
}

#[test]
fn troves_of_a_changeset_file_are_installed_exactly() {
    let mut world = World::new("installLabelPath conary.example.com@rpl:1\n");
    let old = world.trove("foo:runtime", &format!("{L1}/1.0-1-1"), "");
    world.trove("foo:runtime", &format!("{L1}/1.2-1-1"), "");
    world.install(&old);
    // The file holds 1.1, which the repository does not have.
    let mut in_file = Trove::new(
        "foo:runtime".parse().expect("name"),
        Version::thaw(&format!("{}/5000.000:1.1-1-1", L1)).expect("version"),
        Default::default(),
    );
    in_file.provides = "trove: foo:runtime".parse().expect("provides");
    let file_source = MemorySource::from_troves([in_file.clone()]);
    let repository = world.source();
    let layered = LayeredSource::new(vec![&file_source, &repository]);
    let plan = Planner::new(
        &layered,
        &world.system,
        &world.config,
        PlanOptions::default(),
    )
    .with_troves(vec![in_file.tuple()])
    .plan(&[])
    .expect("plan");
    assert_eq!(
        plan.to_string(),
        "Update foo:runtime (1.0-1-1 -> 1.1-1-1)\n"
    );
    assert_eq!(plan.primary.len(), 1);
    let keep = PlanOptions {
        keep_existing: true,
        ..PlanOptions::default()
    };
    let plan = Planner::new(&layered, &world.system, &world.config, keep)
        .with_troves(vec![in_file.tuple()])
        .plan(&[])
        .expect("plan");
    assert_eq!(plan.to_string(), "Install foo:runtime=1.1-1-1\n");
}
