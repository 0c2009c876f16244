//! Unit tests of recipe evaluation: each action, directive and group
//! operation as one call, and each kind of error with its exact place.

use super::model::{Action, GroupOp, Location, PolicyDirective, RecipeKind};
use super::*;

fn at(line: u32, column: u32) -> Location {
    Location {
        file: "t.recipe".to_owned(),
        line,
        column,
    }
}

/// A package recipe whose setup is the one line `call`.
fn package(call: &str) -> String {
    format!("name = \"t\"\nversion = \"1\"\n\ndef setup(r):\n    {call}\n")
}

fn group(call: &str) -> String {
    format!("name = \"group-t\"\nversion = \"1\"\n\ndef setup(r):\n    {call}\n")
}

fn eval(text: &str) -> Result<Recipe, RecipeError> {
    evaluate("t.recipe", text, &RecipeContext::default())
}

#[test]
fn each_action_is_recorded_at_its_call() {
    let cases: Vec<(&str, Action)> = vec![
        (
            r#"r.addArchive("t-1.tar.gz")"#,
            Action::AddArchive {
                name: "t-1.tar.gz".into(),
                dir: None,
            },
        ),
        (
            r#"r.addArchive("t-1.tar.gz", dir="sub")"#,
            Action::AddArchive {
                name: "t-1.tar.gz".into(),
                dir: Some("sub".into()),
            },
        ),
        (
            r#"r.addSource("t.conf")"#,
            Action::AddSource {
                name: "t.conf".into(),
                dest: None,
                mode: None,
                macros: false,
            },
        ),
        (
            r#"r.addSource("t.conf", dest="/etc/t.conf", mode=0o600, macros=True)"#,
            Action::AddSource {
                name: "t.conf".into(),
                dest: Some("/etc/t.conf".into()),
                mode: Some(0o600),
                macros: true,
            },
        ),
        (
            r#"r.addPatch("fix.patch")"#,
            Action::AddPatch {
                name: "fix.patch".into(),
                level: 1,
            },
        ),
        (
            r#"r.addPatch("fix.patch", level=0)"#,
            Action::AddPatch {
                name: "fix.patch".into(),
                level: 0,
            },
        ),
        (
            r#"r.Configure()"#,
            Action::Configure {
                args: String::new(),
            },
        ),
        (
            r#"r.Configure("--disable-nls")"#,
            Action::Configure {
                args: "--disable-nls".into(),
            },
        ),
        (r#"r.Make("-j1")"#, Action::Make { args: "-j1".into() }),
        (
            r#"r.MakeInstall()"#,
            Action::MakeInstall {
                args: String::new(),
            },
        ),
        (
            r#"r.Run("echo hi > out", dir="src")"#,
            Action::Run {
                command: "echo hi > out".into(),
                dir: Some("src".into()),
            },
        ),
        (
            r#"r.Install("t", "%(bindir)s/", mode=0o755)"#,
            Action::Install {
                from: "t".into(),
                to: "%(bindir)s/".into(),
                mode: Some(0o755),
            },
        ),
        (
            r#"r.Create("/etc/t.conf")"#,
            Action::Create {
                path: "/etc/t.conf".into(),
                contents: String::new(),
                mode: 0o644,
            },
        ),
        (
            r##"r.Create("/usr/bin/t", contents="#!/bin/sh\n", mode=0o755)"##,
            Action::Create {
                path: "/usr/bin/t".into(),
                contents: "#!/bin/sh\n".into(),
                mode: 0o755,
            },
        ),
        (
            r#"r.Symlink("t", "/usr/bin/tt")"#,
            Action::Symlink {
                target: "t".into(),
                link: "/usr/bin/tt".into(),
            },
        ),
        (
            r#"r.Remove("/usr/share/info/dir", "/usr/lib/*.la")"#,
            Action::Remove {
                paths: vec!["/usr/share/info/dir".into(), "/usr/lib/*.la".into()],
                recursive: false,
            },
        ),
        (
            r#"r.Remove(["/usr/share/doc"], recursive=True)"#,
            Action::Remove {
                paths: vec!["/usr/share/doc".into()],
                recursive: true,
            },
        ),
        (
            r#"r.SetModes("/usr/bin/a", "/usr/bin/b", 0o4755)"#,
            Action::SetModes {
                paths: vec!["/usr/bin/a".into(), "/usr/bin/b".into()],
                mode: 0o4755,
            },
        ),
        (
            r#"r.Environment("LC_ALL", "C")"#,
            Action::Environment {
                name: "LC_ALL".into(),
                value: "C".into(),
            },
        ),
    ];
    for (call, expected) in cases {
        let recipe = eval(&package(call)).expect(call);
        assert_eq!(recipe.actions.len(), 1, "{call}");
        assert_eq!(recipe.actions[0].item, expected, "{call}");
        assert_eq!(recipe.actions[0].at, at(5, 5), "{call}");
        assert!(
            recipe.policy.is_empty() && recipe.group_ops.is_empty(),
            "{call}"
        );
    }
}

#[test]
fn each_policy_directive_is_recorded() {
    let cases: Vec<(&str, PolicyDirective)> = vec![
        (
            r#"r.ComponentSpec("runtime", "/usr/share/t/", "/usr/lib/t$")"#,
            PolicyDirective::ComponentSpec {
                component: "runtime".into(),
                patterns: vec!["/usr/share/t/".into(), "/usr/lib/t$".into()],
            },
        ),
        (
            r#"r.ComponentSpec(":devel", ["/usr/share/aclocal/"])"#,
            PolicyDirective::ComponentSpec {
                component: "devel".into(),
                patterns: vec!["/usr/share/aclocal/".into()],
            },
        ),
        (
            r#"r.Config("/usr/share/t/t.conf$")"#,
            PolicyDirective::Config {
                patterns: vec!["/usr/share/t/t.conf$".into()],
            },
        ),
        (
            r#"r.InitialContents("/var/lib/t/db$")"#,
            PolicyDirective::InitialContents {
                patterns: vec!["/var/lib/t/db$".into()],
            },
        ),
        (
            r#"r.Transient("/var/cache/t/")"#,
            PolicyDirective::Transient {
                patterns: vec!["/var/cache/t/".into()],
            },
        ),
        (
            r#"r.TagSpec("shlib", "/usr/lib/t/")"#,
            PolicyDirective::TagSpec {
                tag: "shlib".into(),
                patterns: vec!["/usr/lib/t/".into()],
            },
        ),
        (
            r#"r.ExcludeDirectories("/var/empty")"#,
            PolicyDirective::ExcludeDirectories {
                patterns: vec!["/var/empty".into()],
            },
        ),
        (
            r#"r.Requires("trove: bash:runtime", "/usr/bin/t$")"#,
            PolicyDirective::Requires {
                dep: Some("trove: bash:runtime".into()),
                patterns: vec!["/usr/bin/t$".into()],
            },
        ),
        (
            r#"r.Requires(exceptions="perl:.*")"#,
            PolicyDirective::Requires {
                dep: None,
                patterns: vec!["perl:.*".into()],
            },
        ),
        (
            r#"r.Provides("soname: libt.so.1", "/usr/lib/libt.so.1.0$")"#,
            PolicyDirective::Provides {
                dep: Some("soname: libt.so.1".into()),
                patterns: vec!["/usr/lib/libt.so.1.0$".into()],
            },
        ),
        (
            r#"r.Provides(exceptions=["file: /usr/bin/.*"])"#,
            PolicyDirective::Provides {
                dep: None,
                patterns: vec!["file: /usr/bin/.*".into()],
            },
        ),
        (
            r#"r.Ownership("daemon", "daemon", "/var/lib/t/")"#,
            PolicyDirective::Ownership {
                user: "daemon".into(),
                group: "daemon".into(),
                patterns: vec!["/var/lib/t/".into()],
            },
        ),
    ];
    for (call, expected) in cases {
        let recipe = eval(&package(call)).expect(call);
        assert_eq!(recipe.policy.len(), 1, "{call}");
        assert_eq!(recipe.policy[0].item, expected, "{call}");
        assert_eq!(recipe.policy[0].at, at(5, 5), "{call}");
        assert!(recipe.actions.is_empty(), "{call}");
    }
}

#[test]
fn each_group_op_is_recorded() {
    let cases: Vec<(&str, GroupOp)> = vec![
        (
            r#"r.add("t")"#,
            GroupOp::Add {
                spec: "t".into(),
                group: None,
                by_default: None,
            },
        ),
        (
            r#"r.add("t:doc", versionStr=":1", flavor="ssl", groupName="group-x", byDefault=False)"#,
            GroupOp::Add {
                spec: "t:doc=:1[ssl]".into(),
                group: Some("group-x".into()),
                by_default: Some(false),
            },
        ),
        (
            r#"r.addAll("group-base=:1")"#,
            GroupOp::AddAll {
                spec: "group-base=:1".into(),
                group: None,
            },
        ),
        (
            r#"r.remove("t:doc", groupName="group-x")"#,
            GroupOp::Remove {
                name: "t:doc".into(),
                group: Some("group-x".into()),
            },
        ),
        (
            r#"r.replace("t", "u=:2")"#,
            GroupOp::Replace {
                name: "t".into(),
                spec: "u=:2".into(),
                group: None,
            },
        ),
        (
            r#"r.createGroup("group-extra", byDefault=False)"#,
            GroupOp::CreateGroup {
                name: "group-extra".into(),
                by_default: false,
            },
        ),
        (
            r#"r.addNewGroup("group-extra", groupName="group-t")"#,
            GroupOp::AddNewGroup {
                name: "group-extra".into(),
                group: Some("group-t".into()),
                by_default: true,
            },
        ),
        (
            r#"r.setSearchPath("conary.example.com@rpl:1", "base=:2")"#,
            GroupOp::SetSearchPath {
                path: vec!["conary.example.com@rpl:1".into(), "base=:2".into()],
            },
        ),
        (
            r#"r.setByDefault(False)"#,
            GroupOp::SetByDefault {
                by_default: false,
                group: None,
            },
        ),
        (
            r#"r.requires("t:runtime")"#,
            GroupOp::Requires {
                name: "t:runtime".into(),
                group: None,
            },
        ),
        (
            r#"r.setAutoResolve(True)"#,
            GroupOp::SetAutoResolve { auto_resolve: true },
        ),
        (
            r#"r.addPreInstallScript(contents="exit 1")"#,
            GroupOp::AddScript {
                slot: "preInstall".into(),
                contents: "exit 1".into(),
                group: None,
                to_class: Vec::new(),
            },
        ),
        (
            r##"r.addPostRollbackScript(contents="#!/bin/sh\ntrue\n", groupName="group-x")"##,
            GroupOp::AddScript {
                slot: "postRollback".into(),
                contents: "#!/bin/sh\ntrue\n".into(),
                group: Some("group-x".into()),
                to_class: Vec::new(),
            },
        ),
        (
            r#"r.addPostRollbackScript(contents="true", toClass=[1, 3])"#,
            GroupOp::AddScript {
                slot: "postRollback".into(),
                contents: "true".into(),
                group: None,
                to_class: vec![1, 3],
            },
        ),
        (
            r#"r.addPostRollbackScript(contents="true", toClass=2)"#,
            GroupOp::AddScript {
                slot: "postRollback".into(),
                contents: "true".into(),
                group: None,
                to_class: vec![2],
            },
        ),
        (
            r#"r.setCompatibilityClass(2)"#,
            GroupOp::SetCompatibilityClass {
                class: 2,
                group: None,
            },
        ),
    ];
    for (call, expected) in cases {
        let recipe = eval(&group(call)).expect(call);
        assert_eq!(recipe.kind, RecipeKind::Group, "{call}");
        assert_eq!(recipe.group_ops.len(), 1, "{call}");
        assert_eq!(recipe.group_ops[0].item, expected, "{call}");
        assert_eq!(recipe.group_ops[0].at, at(5, 5), "{call}");
    }
}

#[test]
fn errors_name_the_place() {
    let cases: Vec<(String, &str)> = vec![
        (
            group("r.setCompatibilityClass(70000)"),
            "t.recipe:5:5: compatibility class 70000 is out of range (0 to 65535)",
        ),
        (
            group("r.addPostRollbackScript(contents=\"true\", toClass=[1, 70000])"),
            "t.recipe:5:5: toClass: compatibility class 70000 is out of range (0 to 65535)",
        ),
        (
            group("r.addPostRollbackScript(contents=\"true\", toClass=\"1\")"),
            "t.recipe:5:5: toClass must be a compatibility class or a list of them, not string",
        ),
        (
            group("r.addPostRollbackScript(contents=\"true\", toClass=[])"),
            "t.recipe:5:5: toClass names no compatibility class",
        ),
        (
            package("r.Mkae()"),
            "t.recipe:5:5: unknown build action 'Mkae'",
        ),
        (
            package("r.Make(5)"),
            "t.recipe:5:5: type of parameter `args`",
        ),
        (
            package("r.Make(x=1)"),
            "t.recipe:5:5: found `x` extra named",
        ),
        (
            package("r.add(\"foo\")"),
            "t.recipe:5:5: group operation 'add' is only allowed",
        ),
        (
            group("r.Make()"),
            "t.recipe:5:5: build action 'Make' is not allowed in a group",
        ),
        (
            group("r.Config(\"/etc/\")"),
            "t.recipe:5:5: policy directive 'Config' is not allowed",
        ),
        (
            package("r.Config()"),
            "t.recipe:5:5: r.Config needs at least one pattern",
        ),
        (
            package("r.SetModes(\"/a\")"),
            "t.recipe:5:5: r.SetModes: the last argument",
        ),
        (
            package("r.SetModes(0o755)"),
            "t.recipe:5:5: r.SetModes needs at least one path",
        ),
        (
            package("r.Create(\"/a\", mode=-1)"),
            "t.recipe:5:5: r.Create: mode",
        ),
        (
            package("r.Create(\"/a\", mode=0o10000)"),
            "t.recipe:5:5: r.Create: mode",
        ),
        (
            package("r.addPatch(\"p\", level=-1)"),
            "t.recipe:5:5: r.addPatch: level -1",
        ),
        (
            package("r.Remove([1])"),
            "t.recipe:5:5: r.Remove: expected strings, got int",
        ),
        (
            package("r.Remove()"),
            "t.recipe:5:5: r.Remove needs at least one path",
        ),
        (
            package("r.Requires(\"x\")"),
            "t.recipe:5:5: r.Requires needs at least one pattern",
        ),
        (
            package("r.Requires(\"x\", \"/a\", exceptions=\"y\")"),
            "t.recipe:5:5: r.Requires: give either",
        ),
        (
            package("r.ComponentSpec(\"a:b\", \"/\")"),
            "t.recipe:5:5: r.ComponentSpec: invalid component",
        ),
        (
            package("r.Macros(x=1)"),
            "t.recipe:5:5: r.Macros: macro 'x' must be a string",
        ),
        (
            package("r.macros.x = 1"),
            "t.recipe:5:5: macro 'x' must be a string, not int",
        ),
        (
            group("r.createGroup(\"extra\")"),
            "t.recipe:5:5: r.createGroup: 'extra' is not a group",
        ),
        (package("fail(\"boom\")"), "t.recipe:5:5: fail: boom"),
        (package("r.Make(1 2)"), "t.recipe:5:14: syntax error: "),
        (
            "name = \"t\"\nversion = \"1\"\n  x = 1\n".into(),
            "t.recipe:3:1: syntax error: ",
        ),
        (
            "name = \"t\"\nload(\"x.star\", \"y\")\n".into(),
            "t.recipe:2:1: load() is not allowed",
        ),
        (
            "version = \"1\"\n".into(),
            "t.recipe:1:1: missing top-level `name`",
        ),
        (
            "name = \"t\"\n".into(),
            "t.recipe:1:1: missing top-level `version`",
        ),
        (
            "\nname = 5\nversion = \"1\"\n".into(),
            "t.recipe:2:1: top-level `name`: must be a string, not int",
        ),
        (
            "\nname = \"a b\"\nversion = \"1\"\n".into(),
            "t.recipe:2:1: top-level `name`: invalid trove name",
        ),
        (
            "name = \"t:runtime\"\nversion = \"1\"\n".into(),
            "t.recipe:1:1: top-level `name`: 't:runtime' names a component",
        ),
        (
            "name = \"t\"\n\nversion = \"1-2\"\n".into(),
            "t.recipe:3:1: top-level `version`: invalid revision",
        ),
        (
            "name = \"t\"\nversion = \"1\"\nbuild_requires = \"gcc\"\n".into(),
            "t.recipe:3:1: top-level `build_requires`: must be a list",
        ),
        (
            "name = \"t\"\nversion = \"1\"\nfactory = \"x\"\n".into(),
            "t.recipe:3:1: top-level `factory`: 'x' is not a factory name",
        ),
        (
            "name = \"t\"\nversion = \"1\"\n".into(),
            "t.recipe:1:1: recipe defines no `setup(r)`",
        ),
        (
            "name = \"t\"\nversion = \"1\"\nsetup = 1\n".into(),
            "t.recipe:3:1: top-level `setup`: must be a function",
        ),
        (
            "name = \"t\"\nversion = \"1\"\nx = 1 + \"a\"\n".into(),
            "t.recipe:3:5: operation `+` not supported",
        ),
        (
            "name = \"t\"\nversion = \"1\"\nx = y\n".into(),
            "t.recipe:3:5: variable `y` not found",
        ),
        (
            "name = \"t\"\nversion = \"1\"\n\ndef setup():\n    pass\n".into(),
            "t.recipe:4:1: found 1 extra positional",
        ),
        (
            "name = \"t\"\nversion = \"1\"\n\ndef setup(r, x):\n    pass\n".into(),
            "t.recipe:4:1: missing parameter `x`",
        ),
        (
            package("r.Run(r.macros.nope)"),
            "t.recipe:5:11: macro 'nope' is not set",
        ),
        (
            package("r.name = \"x\""),
            "t.recipe:5:5: operation `.name=` not supported on type `recipe`",
        ),
        (
            package("print(\"x\")"),
            "t.recipe:5:5: variable `print` not found",
        ),
    ];
    for (text, prefix) in cases {
        let error = eval(&text).expect_err(&text);
        let shown = error.to_string();
        assert!(
            shown.starts_with(prefix),
            "{text:?}\n  gave {shown}\n  want {prefix}"
        );
        assert!(error.location().is_some(), "{shown}");
    }
}

#[test]
fn use_flags_follow_the_flavor() {
    let text = "name = \"t\"\nversion = \"1\"\n\ndef setup(r):\n    if use.ssl:\n        r.Configure(\"--with-ssl\")\n    else:\n        r.Configure(\"--without-ssl\")\n    if use.pam or use.ssl:\n        r.Make()\n";
    let cases = [
        ("ssl", "--with-ssl", vec![("pam", false), ("ssl", true)], 2),
        ("~ssl", "--with-ssl", vec![("pam", false), ("ssl", true)], 2),
        (
            "!ssl",
            "--without-ssl",
            vec![("pam", false), ("ssl", false)],
            1,
        ),
        ("", "--without-ssl", vec![("pam", false), ("ssl", false)], 1),
        (
            "pam,~!ssl",
            "--without-ssl",
            vec![("pam", true), ("ssl", false)],
            2,
        ),
    ];
    for (flavor, configure, flags, actions) in cases {
        let ctx = RecipeContext {
            flavor: flavor.parse().expect("flavor"),
            source_files: Vec::new(),
        };
        let recipe = evaluate("t.recipe", text, &ctx).expect(flavor);
        assert_eq!(
            recipe.actions[0].item,
            Action::Configure {
                args: configure.into()
            },
            "{flavor}"
        );
        let expected: std::collections::BTreeMap<String, bool> = flags
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value))
            .collect();
        assert_eq!(recipe.use_flags, expected, "{flavor}");
        assert_eq!(recipe.actions.len(), actions, "{flavor}");
        assert!(!recipe.reads_arch, "{flavor}");
    }
}

#[test]
fn arch_is_the_instruction_set_and_reading_it_is_recorded() {
    let text = package("r.Make(\"ARCH=\" + arch)");
    let cases = [("is: x86_64", "ARCH=x86_64"), ("", "ARCH=")];
    for (flavor, args) in cases {
        let ctx = RecipeContext {
            flavor: flavor.parse().expect("flavor"),
            source_files: Vec::new(),
        };
        let recipe = evaluate("t.recipe", &text, &ctx).expect(flavor);
        assert_eq!(recipe.actions[0].item, Action::Make { args: args.into() });
        assert!(recipe.reads_arch);
    }
    let recipe = eval(&package("r.Make()")).expect("no arch");
    assert!(!recipe.reads_arch);
}

#[test]
fn attributes_of_r_and_macros() {
    let text = "name = \"t\"\nversion = \"2.1\"\n\ndef setup(r):\n    r.Macros(docdir=\"/usr/doc\", x=\"1\")\n    r.macros.prefix = \"/opt/\" + r.name\n    r.addArchive(f\"{r.name}-{r.version}.tar.gz\")\n    for source in r.sources:\n        r.addSource(source)\n    r.Run(r.macros.prefix)\n";
    let ctx = RecipeContext {
        flavor: Default::default(),
        source_files: vec!["a.conf".into(), "b.conf".into()],
    };
    let recipe = evaluate("t.recipe", text, &ctx).expect("evaluates");
    let macros: Vec<(&str, &str)> = recipe
        .macros
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    assert_eq!(
        macros,
        [("docdir", "/usr/doc"), ("prefix", "/opt/t"), ("x", "1")]
    );
    let items: Vec<Action> = recipe.actions.into_iter().map(|a| a.item).collect();
    assert_eq!(
        items,
        [
            Action::AddArchive {
                name: "t-2.1.tar.gz".into(),
                dir: None
            },
            Action::AddSource {
                name: "a.conf".into(),
                dest: None,
                mode: None,
                macros: false
            },
            Action::AddSource {
                name: "b.conf".into(),
                dest: None,
                mode: None,
                macros: false
            },
            Action::Run {
                command: "/opt/t".into(),
                dir: None
            },
        ]
    );
}

#[test]
fn calls_in_helper_functions_are_located_at_the_innermost_call() {
    let text = "name = \"t\"\nversion = \"1\"\n\ndef install_docs(r, names):\n    for n in names:\n        r.Install(n, \"/usr/share/doc/t/\")\n\ndef setup(r):\n    install_docs(r, [\"README\"])\n";
    let recipe = eval(text).expect("evaluates");
    assert_eq!(recipe.actions[0].at, at(6, 9));
}

#[test]
fn metadata_does_not_call_setup() {
    let text = "name = \"t\"\nversion = \"1\"\nfactory = \"factory-x\"\n\ndef setup(r):\n    fail(\"not called\")\n";
    let metadata = evaluate_metadata("t.recipe", text).expect("metadata");
    assert_eq!(
        metadata,
        RecipeMetadata {
            name: "t".into(),
            version: "1".into(),
            factory: Some("factory-x".into()),
            derived: false,
        }
    );
}

#[test]
fn recipe_text_over_the_limit_is_refused() {
    let text = format!("name = \"t\"\n#{}\n", "x".repeat(MAX_RECIPE_BYTES));
    let error = eval(&text).expect_err("too large");
    assert!(
        error.to_string().starts_with("t.recipe: recipe is "),
        "{error}"
    );
}

#[test]
fn endless_work_is_stopped() {
    let cases = [
        (
            package("for i in range(1000000000):\n        pass"),
            "t.recipe:4:1: execution duration limit of 1000000 ticks has been exceeded",
        ),
        (
            "name = \"t\"\nversion = \"1\"\ndef f(n):\n    return f(n + 1)\nx = f(0)\n".to_owned(),
            "t.recipe:4:12: ",
        ),
    ];
    for (text, prefix) in cases {
        let shown = eval(&text).expect_err(&text).to_string();
        assert!(shown.starts_with(prefix), "{shown}");
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let deep = 3_000;
    let long = 100_000;
    let cases = [
        (
            format!("x = {}1{}\n", "(".repeat(deep), ")".repeat(deep)),
            "t.recipe:1:205: recipe too complex: brackets nested more than 200 deep",
        ),
        (
            format!("x = {}1{}\n", "[".repeat(long), "]".repeat(long)),
            "t.recipe:1:205: recipe too complex: brackets nested more than 200 deep",
        ),
        (
            format!("x = 1{}\n", " + 1".repeat(deep)),
            "recipe too complex: code nested more than 200 deep",
        ),
        (
            format!("x = 1{}\n", " + 1".repeat(long)),
            "t.recipe:1:20003: recipe too complex: more than 5000 operators in one statement",
        ),
        (
            format!("x = {}1\n", "not ".repeat(deep)),
            "recipe too complex: code nested more than 200 deep",
        ),
        (
            format!("x = {}1\n", "-".repeat(long)),
            "recipe too complex: more than 5000 operators",
        ),
        (
            format!("x = f{}\n", "()".repeat(deep)),
            "recipe too complex: code nested more than 200 deep",
        ),
        (
            format!("x = 1{}\n", " if 1 else 1".repeat(deep)),
            "recipe too complex: more than 5000 operators",
        ),
        (
            (0..1_000)
                .map(|i| format!("{}if 1:\n", " ".repeat(i)))
                .collect::<String>()
                + &" ".repeat(1_000)
                + "pass\n",
            "recipe too complex: code nested more than 200 deep",
        ),
    ];
    for (text, expected) in cases {
        let shown = eval(&text).expect_err("too deep").to_string();
        assert!(shown.contains(expected), "{shown}\n  want {expected}");
    }
}

#[test]
fn brackets_and_operators_in_strings_and_comments_do_not_count() {
    let text = format!(
        "name = \"t\"\nversion = \"1\"\n# {comment}\n\ndef setup(r):\n    r.Run(\"{parens}\")\n    r.Run('{brackets}')\n    r.Create(\"/a\", contents=\"\"\"{plus}\n{plus}\"\"\")\n    r.Run(\"\\\"{parens}\")\n",
        comment = "[".repeat(300),
        parens = "(".repeat(300),
        brackets = "{".repeat(300),
        plus = "+ not ".repeat(3_000),
    );
    let recipe = eval(&text).expect("strings and comments are not code");
    assert_eq!(recipe.actions.len(), 4);
}
