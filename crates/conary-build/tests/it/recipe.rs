//! Recipe evaluation through the public API: whole package, group and
//! factory recipes to exact `Recipe` values, use flags under two flavors,
//! errors with their `FILE:LINE:COLUMN`, and no panic on any text.

use std::collections::BTreeMap;

use conary_build::recipe::model::{
    Action, GroupOp, Located, Location, PolicyDirective, Recipe, RecipeKind,
};
use conary_build::recipe::{
    RecipeContext, RecipeMetadata, evaluate, evaluate_metadata, evaluate_with_factory,
};
use proptest::prelude::*;

const HELLO: &str = r#"# The classic.
name = "hello"
version = "2.12"
build_requires = ["gcc:runtime", "make:runtime"]

def setup(r):
    r.addArchive("hello-%(version)s.tar.gz")
    r.addPatch("hello-nls.patch")
    r.Macros(sysconfdir="/etc/hello")
    r.Environment("LC_ALL", "C")
    r.Configure("--without-nls" if not use.nls else "")
    r.Make()
    r.MakeInstall()
    r.Install("hello.conf", "%(sysconfdir)s/", mode=0o644)
    r.Create("/usr/share/hello/greeting", contents="hi\n")
    r.Symlink("hello", "/usr/bin/hi")
    r.Remove("/usr/share/info/dir")
    r.SetModes("/usr/bin/hello", 0o755)
    r.ComponentSpec("data", "/usr/share/hello/")
    r.Config("/usr/share/hello/greeting$")
    r.Requires("file: /bin/sh", "/usr/bin/hi$")
    r.Provides(exceptions="perl:.*")
"#;

fn at(file: &str, line: u32, column: u32) -> Location {
    Location {
        file: file.to_owned(),
        line,
        column,
    }
}

fn located<T>(line: u32, item: T) -> Located<T> {
    Located {
        at: at("hello.recipe", line, 5),
        item,
    }
}

fn context(flavor: &str) -> RecipeContext {
    RecipeContext {
        flavor: flavor.parse().expect("test flavor parses"),
        source_files: Vec::new(),
    }
}

#[test]
fn a_full_package_recipe_evaluates_to_its_exact_model() {
    let recipe = evaluate("hello.recipe", HELLO, &context("is: x86_64")).expect("evaluates");
    let expected = Recipe {
        file: "hello.recipe".into(),
        name: "hello".into(),
        version: "2.12".into(),
        kind: RecipeKind::Package,
        build_requires: vec!["gcc:runtime".into(), "make:runtime".into()],
        factory: None,
        use_flags: BTreeMap::from([("nls".to_owned(), false)]),
        reads_arch: false,
        macros: BTreeMap::from([("sysconfdir".to_owned(), "/etc/hello".to_owned())]),
        actions: vec![
            located(
                7,
                Action::AddArchive {
                    name: "hello-%(version)s.tar.gz".into(),
                    dir: None,
                },
            ),
            located(
                8,
                Action::AddPatch {
                    name: "hello-nls.patch".into(),
                    level: 1,
                },
            ),
            located(
                10,
                Action::Environment {
                    name: "LC_ALL".into(),
                    value: "C".into(),
                },
            ),
            located(
                11,
                Action::Configure {
                    args: "--without-nls".into(),
                },
            ),
            located(
                12,
                Action::Make {
                    args: String::new(),
                },
            ),
            located(
                13,
                Action::MakeInstall {
                    args: String::new(),
                },
            ),
            located(
                14,
                Action::Install {
                    from: "hello.conf".into(),
                    to: "%(sysconfdir)s/".into(),
                    mode: Some(0o644),
                },
            ),
            located(
                15,
                Action::Create {
                    path: "/usr/share/hello/greeting".into(),
                    contents: "hi\n".into(),
                    mode: 0o644,
                },
            ),
            located(
                16,
                Action::Symlink {
                    target: "hello".into(),
                    link: "/usr/bin/hi".into(),
                },
            ),
            located(
                17,
                Action::Remove {
                    paths: vec!["/usr/share/info/dir".into()],
                    recursive: false,
                },
            ),
            located(
                18,
                Action::SetModes {
                    paths: vec!["/usr/bin/hello".into()],
                    mode: 0o755,
                },
            ),
        ],
        policy: vec![
            located(
                19,
                PolicyDirective::ComponentSpec {
                    component: "data".into(),
                    patterns: vec!["/usr/share/hello/".into()],
                },
            ),
            located(
                20,
                PolicyDirective::Config {
                    patterns: vec!["/usr/share/hello/greeting$".into()],
                },
            ),
            located(
                21,
                PolicyDirective::Requires {
                    dep: Some("file: /bin/sh".into()),
                    patterns: vec!["/usr/bin/hi$".into()],
                },
            ),
            located(
                22,
                PolicyDirective::Provides {
                    dep: None,
                    patterns: vec!["perl:.*".into()],
                },
            ),
        ],
        group_ops: vec![],
    };
    assert_eq!(recipe, expected);
}

#[test]
fn evaluation_is_deterministic() {
    let first = evaluate("hello.recipe", HELLO, &context("nls")).expect("evaluates");
    let second = evaluate("hello.recipe", HELLO, &context("nls")).expect("evaluates");
    assert_eq!(first, second);
}

#[test]
fn two_flavors_give_different_actions_and_use_flags() {
    let text = r#"name = "curl"
version = "8.0"

def setup(r):
    r.addArchive("curl-8.0.tar.xz")
    if use.ssl:
        r.Configure("--with-openssl")
        r.Requires("soname: libssl.so.3", "/usr/bin/curl$")
    else:
        r.Configure("--without-ssl")
    r.Make()
"#;
    let with_ssl = evaluate("curl.recipe", text, &context("ssl is: x86_64")).expect("ssl");
    let without = evaluate("curl.recipe", text, &context("!ssl is: x86_64")).expect("!ssl");
    assert_eq!(
        with_ssl.use_flags,
        BTreeMap::from([("ssl".to_owned(), true)])
    );
    assert_eq!(
        without.use_flags,
        BTreeMap::from([("ssl".to_owned(), false)])
    );
    assert_eq!(
        with_ssl.actions[1].item,
        Action::Configure {
            args: "--with-openssl".into()
        }
    );
    assert_eq!(with_ssl.actions[1].at, at("curl.recipe", 7, 9));
    assert_eq!(
        without.actions[1].item,
        Action::Configure {
            args: "--without-ssl".into()
        }
    );
    assert_eq!(without.actions[1].at, at("curl.recipe", 10, 9));
    assert_eq!(with_ssl.policy.len(), 1);
    assert!(without.policy.is_empty());
}

#[test]
fn a_group_recipe_evaluates_to_its_group_ops() {
    let text = r#"name = "group-dist"
version = "1.0"

def setup(r):
    r.setSearchPath("conary.example.com@rpl:1")
    r.setAutoResolve(True)
    r.add("hello")
    r.add("curl", flavor="ssl")
    r.createGroup("group-extras", byDefault=False)
    r.add("emacs", groupName="group-extras")
    r.addNewGroup("group-extras")
    r.remove("hello:doc")
"#;
    let recipe = evaluate("group-dist.recipe", text, &context("")).expect("evaluates");
    assert_eq!(recipe.kind, RecipeKind::Group);
    let ops: Vec<(u32, GroupOp)> = recipe
        .group_ops
        .into_iter()
        .map(|op| (op.at.line, op.item))
        .collect();
    assert_eq!(
        ops,
        vec![
            (
                5,
                GroupOp::SetSearchPath {
                    path: vec!["conary.example.com@rpl:1".into()]
                }
            ),
            (6, GroupOp::SetAutoResolve { auto_resolve: true }),
            (
                7,
                GroupOp::Add {
                    spec: "hello".into(),
                    group: None,
                    by_default: None
                }
            ),
            (
                8,
                GroupOp::Add {
                    spec: "curl[ssl]".into(),
                    group: None,
                    by_default: None
                }
            ),
            (
                9,
                GroupOp::CreateGroup {
                    name: "group-extras".into(),
                    by_default: false
                }
            ),
            (
                10,
                GroupOp::Add {
                    spec: "emacs".into(),
                    group: Some("group-extras".into()),
                    by_default: None
                }
            ),
            (
                11,
                GroupOp::AddNewGroup {
                    name: "group-extras".into(),
                    group: None,
                    by_default: true
                }
            ),
            (
                12,
                GroupOp::Remove {
                    name: "hello:doc".into(),
                    group: None
                }
            ),
        ]
    );
    assert!(recipe.actions.is_empty() && recipe.policy.is_empty());
}

const PACKAGE_OF_FACTORY: &str = r#"name = "tzdata"
version = "2024a"
factory = "factory-archive"
build_requires = ["tar:runtime"]
"#;

const FACTORY: &str = r#"name = "factory-archive"
version = "1"
build_requires = ["tar:runtime", "gzip:runtime"]

def setup(r):
    for source in r.sources:
        if source.endswith(".tar.gz"):
            r.addArchive(source)
    r.Install("./", "/usr/share/" + r.name + "/")
    if arch == "x86_64":
        r.Environment("ARCH", arch)
"#;

#[test]
fn a_factory_cooks_the_package_that_names_it() {
    let ctx = RecipeContext {
        flavor: "is: x86_64".parse().expect("flavor"),
        source_files: vec!["tzdata2024a.tar.gz".into(), "README".into()],
    };
    let recipe = evaluate_with_factory(
        "tzdata.recipe",
        PACKAGE_OF_FACTORY,
        "factory-archive.recipe",
        FACTORY,
        &ctx,
    )
    .expect("evaluates");
    assert_eq!(recipe.file, "tzdata.recipe");
    assert_eq!(recipe.name, "tzdata");
    assert_eq!(recipe.version, "2024a");
    assert_eq!(recipe.kind, RecipeKind::Package);
    assert_eq!(recipe.factory.as_deref(), Some("factory-archive"));
    assert_eq!(
        recipe.build_requires,
        vec!["tar:runtime".to_owned(), "gzip:runtime".to_owned()]
    );
    assert!(recipe.reads_arch);
    let file = "factory-archive.recipe";
    assert_eq!(
        recipe.actions,
        vec![
            Located {
                at: at(file, 8, 13),
                item: Action::AddArchive {
                    name: "tzdata2024a.tar.gz".into(),
                    dir: None
                }
            },
            Located {
                at: at(file, 9, 5),
                item: Action::Install {
                    from: "./".into(),
                    to: "/usr/share/tzdata/".into(),
                    mode: None
                }
            },
            Located {
                at: at(file, 11, 9),
                item: Action::Environment {
                    name: "ARCH".into(),
                    value: "x86_64".into()
                }
            },
        ]
    );

    // Without the factory, the package evaluates to its top level only.
    let alone = evaluate("tzdata.recipe", PACKAGE_OF_FACTORY, &ctx).expect("top level");
    assert!(alone.actions.is_empty());
    assert_eq!(alone.factory.as_deref(), Some("factory-archive"));
    assert_eq!(
        evaluate_metadata("tzdata.recipe", PACKAGE_OF_FACTORY).expect("metadata"),
        RecipeMetadata {
            name: "tzdata".into(),
            version: "2024a".into(),
            factory: Some("factory-archive".into()),
            derived: false,
        }
    );
}

#[test]
fn factory_errors_name_the_file_at_fault() {
    let ctx = context("");
    let cases = [
        (
            PACKAGE_OF_FACTORY,
            "name = \"factory-other\"\nversion = \"1\"\ndef setup(r):\n    pass\n",
            "factory-archive.recipe:1:1: top-level `name`: is 'factory-other', but the recipe tzdata.recipe names factory 'factory-archive'",
        ),
        (
            PACKAGE_OF_FACTORY,
            "\nname = \"factory-other\"\nversion = \"1\"\n",
            "factory-archive.recipe:2:1: top-level `name`: is 'factory-other'",
        ),
        (
            PACKAGE_OF_FACTORY,
            "name = \"factory-archive\"\nversion = \"1\"\n",
            "factory-archive.recipe:1:1: recipe defines no `setup(r)`",
        ),
        (
            PACKAGE_OF_FACTORY,
            "name = \"factory-archive\"\nversion = \"1\"\ndef setup(r):\n    r.add(\"x\")\n",
            "factory-archive.recipe:4:5: group operation 'add' is only allowed",
        ),
        (
            "name = \"tzdata\"\nversion = \"1\"\n",
            FACTORY,
            "tzdata.recipe:1:1: recipe defines no `setup(r)`",
        ),
    ];
    for (package, factory, prefix) in cases {
        let shown = evaluate_with_factory(
            "tzdata.recipe",
            package,
            "factory-archive.recipe",
            factory,
            &ctx,
        )
        .expect_err(prefix)
        .to_string();
        assert!(shown.starts_with(prefix), "{shown}\n  want {prefix}");
    }
}

#[test]
fn errors_show_file_line_and_column() {
    let cases = [
        (
            "name = \"hello\"\nversion = \"1.0\"\n\ndef setup(r):\n    r.addArchive(\"x.tgz\")\n\n    r.Mkae()\n",
            "hello.recipe:7:5: unknown build action 'Mkae'",
        ),
        (
            "name = \"hello\"\nversion = \"1.0\"\ndef setup(r):\n    r.Make(\n        1)\n",
            "hello.recipe:4:5: type of parameter `args` doesn't match",
        ),
        (
            "name = \"hello\"\nversion = \"1.0\"\ndef setup(r)\n    pass\n",
            "hello.recipe:3:13: syntax error: ",
        ),
        (
            "version = \"1.0\"\ndef setup(r):\n    pass\n",
            "hello.recipe:1:1: missing top-level `name`",
        ),
        (
            "name = \"hello\"\nversion = \"1.0\"\ndef setup(r):\n    r.setAutoResolve(True)\n",
            "hello.recipe:4:5: group operation 'setAutoResolve' is only allowed in a group recipe",
        ),
        (
            "load(\"//lib.star\", \"helper\")\nname = \"hello\"\n",
            "hello.recipe:1:1: load() is not allowed in a recipe",
        ),
    ];
    for (text, prefix) in cases {
        let shown = evaluate("hello.recipe", text, &context(""))
            .expect_err(prefix)
            .to_string();
        assert!(shown.starts_with(prefix), "{shown}\n  want {prefix}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = evaluate("p.recipe", &text, &RecipeContext::default());
        let _ = evaluate_metadata("p.recipe", &text);
    }

    #[test]
    fn recipe_like_text_never_panics(
        lines in proptest::collection::vec(
            prop_oneof![
                Just("name = \"p\"".to_owned()),
                Just("name = \"group-p\"".to_owned()),
                Just("version = \"1\"".to_owned()),
                Just("factory = \"factory-p\"".to_owned()),
                Just("def setup(r):".to_owned()),
                Just("    r.Make()".to_owned()),
                Just("    r.add(\"x\")".to_owned()),
                Just("    r.SetModes(0o755)".to_owned()),
                Just("    r.Remove()".to_owned()),
                Just("    r.Requires(exceptions=1)".to_owned()),
                Just("    if use.ssl:".to_owned()),
                Just("        r.Run(arch)".to_owned()),
                Just("    r.macros.x = r.name".to_owned()),
                "[ -~]{0,30}",
            ],
            0..12,
        )
    ) {
        let text = lines.join("\n");
        let _ = evaluate("p.recipe", &text, &RecipeContext::default());
        let _ = evaluate_with_factory("p.recipe", &text, "f.recipe", &text, &RecipeContext::default());
    }
}

/// The ```starlark blocks of docs/RECIPES.md, in order.
fn documented_recipes() -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/RECIPES.md");
    let text = std::fs::read_to_string(path).expect("docs/RECIPES.md is readable");
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match (&mut current, line) {
            (None, "```starlark") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

#[test]
fn every_documented_example_evaluates() {
    let ctx = RecipeContext {
        flavor: "ssl is: x86_64".parse().expect("flavor"),
        source_files: vec!["tool.conf".into(), "tzdata2024a.tar.gz".into()],
    };
    let blocks = documented_recipes();
    // 13 actions, 9 directives, 13 group operations, 3 introductory, 2 factory,
    // 1 derived.
    assert_eq!(blocks.len(), 41, "examples found");
    for block in &blocks {
        let recipe =
            evaluate("doc.recipe", block, &ctx).unwrap_or_else(|error| panic!("{error}\n{block}"));
        let recorded = recipe.actions.len() + recipe.policy.len() + recipe.group_ops.len();
        assert!(
            recorded > 0 || recipe.factory.is_some(),
            "example records nothing:\n{block}"
        );
    }
    let factory = blocks
        .iter()
        .find(|block| block.starts_with("# factory-archive.recipe"))
        .expect("factory example");
    let package = blocks
        .iter()
        .find(|block| block.starts_with("# tzdata.recipe"))
        .expect("package example");
    let recipe = evaluate_with_factory(
        "tzdata.recipe",
        package,
        "factory-archive.recipe",
        factory,
        &ctx,
    )
    .expect("documented factory cooks the documented package");
    assert_eq!(recipe.actions.len(), 2);
}

#[test]
fn documented_error_messages_are_the_real_ones() {
    let cases = [
        (
            "name = \"hello\"\nversion = \"1.0\"\ndef setup(r):\n    pass\n\n\n    r.Mkae()\n",
            "hello.recipe:7:5: unknown build action 'Mkae' (did you mean 'Make'?)",
        ),
        (
            "name = \"hello\"\nversion = \"1.0\"\ndef setup(r):\n    r.Make(5)\n",
            "hello.recipe:4:5: type of parameter `args` doesn't match, expected `str`, actual `int (repr: 5)`",
        ),
        (
            "name = \"hello\"\nversion = \"1.0\"\ndef setup(r)\n    pass\n",
            "hello.recipe:3:13: syntax error: unexpected new line, expected symbol ':'",
        ),
        (
            "\nname = \"Hel lo\"\nversion = \"1.0\"\n",
            "hello.recipe:2:1: top-level `name`: invalid trove name 'Hel lo': character ' ' not allowed in package name",
        ),
        (
            "name = \"hello\"\nversion = \"1.0\"\ndef setup(r):\n    pass\n    r.add(\"x\")\n",
            "hello.recipe:5:5: group operation 'add' is only allowed in a group recipe (a name starting with 'group-')",
        ),
    ];
    for (text, shown) in cases {
        let error = evaluate("hello.recipe", text, &context("")).expect_err(shown);
        assert_eq!(error.to_string(), shown);
    }
}
