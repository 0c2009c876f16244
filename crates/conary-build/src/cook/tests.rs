use std::fs;

use super::{CookError, SourceTree};

#[test]
fn a_directory_with_one_recipe_is_a_source_tree() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(dir.path().join("hello.recipe"), "name = 'hello'\n").expect("write");
    fs::write(dir.path().join("hello-1.0.tar.gz"), b"x").expect("write");
    fs::write(dir.path().join("CONARY"), "stateversion 1\n").expect("write");
    fs::create_dir(dir.path().join("subdir")).expect("mkdir");
    let tree = SourceTree::from_dir(dir.path()).expect("a tree");
    assert_eq!(tree.recipe_file, "hello.recipe");
    assert_eq!(tree.files, vec!["hello-1.0.tar.gz".to_owned()]);
}

#[test]
fn a_directory_without_a_recipe_or_with_two_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let error = SourceTree::from_dir(dir.path()).expect_err("no recipe");
    assert!(matches!(error, CookError::Invalid(_)), "{error}");
    assert!(error.to_string().ends_with("no *.recipe file"), "{error}");
    fs::write(dir.path().join("a.recipe"), "").expect("write");
    fs::write(dir.path().join("b.recipe"), "").expect("write");
    let error = SourceTree::from_dir(dir.path()).expect_err("two recipes");
    assert!(
        error
            .to_string()
            .contains("several recipes (a.recipe, b.recipe)"),
        "{error}"
    );
}

#[test]
fn a_recipe_file_names_its_tree() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(dir.path().join("a.recipe"), "").expect("write");
    fs::write(dir.path().join("b.recipe"), "").expect("write");
    fs::write(dir.path().join("patch.diff"), "").expect("write");
    let tree = SourceTree::from_recipe(&dir.path().join("b.recipe")).expect("a tree");
    assert_eq!(tree.recipe_file, "b.recipe");
    assert_eq!(tree.files, vec!["patch.diff".to_owned()]);
}

#[test]
fn macros_expand_in_file_patterns_but_not_in_dependency_exceptions() {
    use crate::build::Macros;
    use crate::recipe::model::{Located, Location, PolicyDirective};

    let macros = Macros::defaults(
        "hello",
        "1.0",
        std::path::Path::new("/dest"),
        std::path::Path::new("/build"),
        "x86_64",
    );
    let at = Location {
        file: "hello.recipe".into(),
        line: 5,
        column: 5,
    };
    let located = |item| Located {
        at: at.clone(),
        item,
    };
    let directives = vec![
        located(PolicyDirective::Config {
            patterns: vec!["%(sysconfdir)s/hello/".into()],
        }),
        located(PolicyDirective::Requires {
            dep: None,
            patterns: vec!["file: %(x)s".into()],
        }),
        located(PolicyDirective::Requires {
            dep: Some("file: /bin/sh".into()),
            patterns: vec!["%(bindir)s/".into()],
        }),
    ];
    let expanded = super::expand_directives(&directives, &macros).expect("expands");
    let patterns: Vec<Vec<String>> = expanded
        .iter()
        .map(|located| match &located.item {
            PolicyDirective::Config { patterns } | PolicyDirective::Requires { patterns, .. } => {
                patterns.clone()
            }
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        patterns,
        vec![
            vec!["/etc/hello/".to_owned()],
            vec!["file: %(x)s".to_owned()],
            vec!["/usr/bin/".to_owned()],
        ]
    );

    let unknown = vec![located(PolicyDirective::Config {
        patterns: vec!["%(nosuch)s".into()],
    })];
    let error = super::expand_directives(&unknown, &macros).expect_err("unknown macro");
    assert!(
        error.to_string().starts_with("hello.recipe:5:5: "),
        "{error}"
    );
}
