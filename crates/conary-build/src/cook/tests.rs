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
