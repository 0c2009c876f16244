//! The pieces of a derived cook that need no repository: the recipe
//! `cvc derive` writes, the comparison with the parent's files, new
//! files' components and unsafe parent paths.

use std::collections::BTreeMap;

use conary_core::files::{FileKind, FileStream, Mode};
use conary_core::trove::Trove;

use super::*;

#[test]
fn the_written_recipe_is_a_derived_recipe_that_evaluates() {
    let text = derived_recipe("foo", "1.0");
    let metadata = crate::recipe::evaluate_metadata("foo.recipe", &text).expect("metadata");
    assert!(metadata.derived);
    assert_eq!(
        (metadata.name.as_str(), metadata.version.as_str()),
        ("foo", "1.0")
    );
    let recipe = crate::recipe::evaluate("foo.recipe", &text, &Default::default()).expect("setup");
    assert!(recipe.actions.is_empty());
    let plain = "name = 'foo'\nversion = '1.0'\n\ndef setup(r):\n    pass\n";
    assert!(
        !crate::recipe::evaluate_metadata("foo.recipe", plain)
            .expect("plain")
            .derived
    );
    let bad = "name = 'foo'\nversion = '1.0'\nderived = 'yes'\n\ndef setup(r):\n    pass\n";
    let error = crate::recipe::evaluate_metadata("foo.recipe", bad).expect_err("not a bool");
    assert!(
        error.to_string().contains("must be True or False"),
        "{error}"
    );
}

fn regular(text: &str, mode: u32) -> FileStream {
    FileStream::new(
        FileKind::Regular {
            size: text.len() as u64,
            digest: Digest::of(text.as_bytes()),
            link_group: None,
        },
        Mode::new(mode).expect("mode"),
        "root",
        "root",
    )
}

#[test]
fn a_file_is_unchanged_only_with_the_same_contents_and_mode() {
    let stream = regular("a\n", 0o644);
    let same = Found::Regular {
        contents: b"a\n".to_vec(),
        mode: 0o644,
    };
    assert!(unchanged(&stream, &same));
    let other_mode = Found::Regular {
        contents: b"a\n".to_vec(),
        mode: 0o755,
    };
    assert!(!unchanged(&stream, &other_mode));
    let other_contents = Found::Regular {
        contents: b"b\n".to_vec(),
        mode: 0o644,
    };
    assert!(!unchanged(&stream, &other_contents));
    assert!(!unchanged(&stream, &Found::Symlink("a".into())));
    let link = FileStream::new(
        FileKind::Symlink { target: "a".into() },
        Mode::new(0o777).expect("mode"),
        "root",
        "root",
    );
    assert!(unchanged(&link, &Found::Symlink("a".into())));
    assert!(!unchanged(&link, &Found::Symlink("b".into())));
}

#[test]
fn a_new_file_goes_to_its_nearest_directorys_component() {
    let mut dirs = BTreeMap::new();
    dirs.insert("/etc".to_owned(), "foo:config".parse().expect("name"));
    dirs.insert("/usr/bin".to_owned(), "foo:runtime".parse().expect("name"));
    let near = |path| nearest_component(path, &dirs).map(|name| name.to_string());
    assert_eq!(near("/etc/foo.d/extra.conf").as_deref(), Some("foo:config"));
    assert_eq!(near("/usr/bin/bar").as_deref(), Some("foo:runtime"));
    assert_eq!(near("/opt/x"), None);
}

#[test]
fn unsafe_parent_paths_are_refused() {
    let trove = Trove::new(
        "foo:runtime".parse().expect("name"),
        "/a.example.com@rpl:1/1.0-1-1".parse().expect("version"),
        Default::default(),
    );
    let root = Path::new("/tmp/root");
    assert_eq!(
        under(root, "/etc/foo.conf", &trove).expect("safe"),
        root.join("etc/foo.conf")
    );
    for bad in ["/etc/../../x", "relative", "/.."] {
        let error = under(root, bad, &trove).expect_err("unsafe");
        assert!(error.to_string().contains("unsafe path"), "{bad}: {error}");
    }
}

#[test]
fn a_path_under_a_symbolic_link_is_found() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::create_dir_all(root.join("etc")).expect("dir");
    std::os::unix::fs::symlink("/tmp", root.join("etc/link")).expect("symlink");
    assert_eq!(
        symlinked_ancestor(root, &root.join("etc/link/file")),
        Some(root.join("etc/link"))
    );
    assert_eq!(symlinked_ancestor(root, &root.join("etc/file")), None);
    assert_eq!(symlinked_ancestor(root, &root.join("etc/link")), None);
}
