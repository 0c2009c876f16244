//! `safe_join` against real symlink setups, and as a property.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use conary_util::{PathProblem, RelPath, SafeRoot, UtilError, safe_join};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// A root with symlinks that stay inside it and symlinks that lead out.
struct Fixture {
    _base: tempfile::TempDir,
    root: PathBuf,
    canonical_root: PathBuf,
}

impl Fixture {
    fn new() -> Self {
        let base = tempfile::tempdir().expect("temp dir");
        let root = base.path().join("root");
        let outside = base.path().join("outside");
        for dir in [root.join("usr/lib"), outside.clone()] {
            fs::create_dir_all(dir).expect("create dir");
        }
        fs::write(root.join("file"), b"not a directory").expect("write file");
        let canonical_root = fs::canonicalize(&root).expect("canonical root");
        let links: &[(&str, PathBuf)] = &[
            ("lib", "usr/lib".into()),
            ("abs", outside.clone()),
            ("slash", "/".into()),
            ("inside_abs", canonical_root.join("usr")),
            ("out", "../outside".into()),
            ("dangling", "nowhere".into()),
            ("sneaky", "usr/../../outside".into()),
            ("to_file", "file".into()),
            ("cycle1", "cycle2".into()),
            ("cycle2", "cycle1".into()),
            ("usr/up", "..".into()),
            ("usr/upup", "../..".into()),
        ];
        for (link, target) in links {
            symlink(target, root.join(link)).expect("create symlink");
        }
        Self {
            _base: base,
            root,
            canonical_root,
        }
    }
}

#[derive(Debug)]
enum Expect {
    Ok,
    Unsafe(PathProblem),
    Escape,
    Dangling,
    NotADirectory,
    Io,
}

#[test]
fn symlink_table() {
    let fixture = Fixture::new();
    let cases = [
        ("lib/libc.so.6", Expect::Ok),
        ("usr/lib/libc.so.6", Expect::Ok),
        ("usr/up/usr/lib/x", Expect::Ok),
        ("inside_abs/lib/x", Expect::Ok),
        ("new/dir/x", Expect::Ok),
        ("lib/new/x", Expect::Ok),
        // The last component is never followed.
        ("abs", Expect::Ok),
        ("out", Expect::Ok),
        ("dangling", Expect::Ok),
        ("abs/passwd", Expect::Escape),
        ("slash/etc/passwd", Expect::Escape),
        ("out/x", Expect::Escape),
        ("sneaky/x", Expect::Escape),
        ("usr/upup/x", Expect::Escape),
        ("usr/upup/root/usr/x", Expect::Escape),
        ("dangling/x", Expect::Dangling),
        ("file/x", Expect::NotADirectory),
        ("to_file/x", Expect::NotADirectory),
        ("cycle1/x", Expect::Io),
        ("usr/lib/../x", Expect::Unsafe(PathProblem::ParentComponent)),
        ("/etc/passwd", Expect::Unsafe(PathProblem::Absolute)),
        ("usr\0/x", Expect::Unsafe(PathProblem::NulByte)),
        ("usr//x", Expect::Unsafe(PathProblem::EmptyComponent)),
        ("", Expect::Unsafe(PathProblem::Empty)),
    ];
    // The same checks whether the root is resolved for each path or once.
    let resolved = SafeRoot::new(&fixture.root).expect("resolve root");
    let joins = cases.iter().flat_map(|(input, expect)| {
        [
            (*input, expect, safe_join(&fixture.root, input)),
            (*input, expect, resolved.join(input)),
        ]
    });
    for (input, expect, result) in joins {
        match (expect, &result) {
            (Expect::Ok, Ok(path)) => assert_eq!(path, &fixture.root.join(input), "{input}"),
            (Expect::Unsafe(problem), Err(UtilError::UnsafePath { problem: got, .. })) => {
                assert_eq!(got, problem, "{input}");
            }
            (
                Expect::Escape,
                Err(UtilError::SymlinkEscape {
                    dangling: false,
                    link,
                    ..
                }),
            )
            | (
                Expect::Dangling,
                Err(UtilError::SymlinkEscape {
                    dangling: true,
                    link,
                    ..
                }),
            ) => {
                assert!(link.starts_with(&fixture.root), "{input}: {link:?}");
            }
            (Expect::NotADirectory, Err(UtilError::NotADirectory { .. }))
            | (Expect::Io, Err(UtilError::Io { .. })) => {}
            _ => panic!("{input:?}: expected {expect:?}, got {result:?}"),
        }
    }
}

#[test]
fn escape_message_names_link_and_target() {
    let fixture = Fixture::new();
    let error = safe_join(&fixture.root, "out/x").expect_err("escape");
    assert_eq!(
        error.to_string(),
        format!(
            "refusing to follow symlink '{}' -> '../outside': it points outside the root",
            fixture.root.join("out").display()
        )
    );
}

#[test]
fn missing_root_is_an_error() {
    let base = tempfile::tempdir().expect("temp dir");
    let error = safe_join(&base.path().join("missing"), "x").expect_err("missing root");
    assert!(
        error.to_string().starts_with("cannot resolve root"),
        "{error}"
    );
}

/// The deepest ancestor of `path` (not `path` itself) that exists resolves
/// inside the root: writing `path` cannot land outside it.
fn assert_stays_inside(fixture: &Fixture, path: &Path) -> Result<(), TestCaseError> {
    prop_assert!(path.starts_with(&fixture.root), "{path:?}");
    for ancestor in path.ancestors().skip(1) {
        if fs::symlink_metadata(ancestor).is_ok() {
            let resolved = fs::canonicalize(ancestor)
                .map_err(|error| TestCaseError::fail(format!("{ancestor:?}: {error}")))?;
            prop_assert!(
                resolved.starts_with(&fixture.canonical_root),
                "{path:?} resolves through {ancestor:?} to {resolved:?}"
            );
            return Ok(());
        }
    }
    Err(TestCaseError::fail(format!(
        "no ancestor of {path:?} exists"
    )))
}

fn component() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(vec![
            "usr", "lib", "abs", "slash", "inside_abs", "out", "dangling", "sneaky", "to_file",
            "cycle1", "up", "upup", "file", "new", "root", "outside", "..", ".", "", "\0", "a\0b",
        ])
        .prop_map(str::to_owned),
        1 => "[a-z./\\\\\0]{0,4}",
    ]
}

fn relative_path() -> impl Strategy<Value = String> {
    (any::<bool>(), prop::collection::vec(component(), 0..6)).prop_map(|(leading_slash, parts)| {
        let joined = parts.join("/");
        if leading_slash {
            format!("/{joined}")
        } else {
            joined
        }
    })
}

#[test]
fn safe_join_never_leaves_the_root() {
    let fixture = Fixture::new();
    let mut runner = TestRunner::new(Config::with_cases(2000));
    runner
        .run(&relative_path(), |input| {
            let result = safe_join(&fixture.root, &input);
            let lexically_unsafe = input.is_empty()
                || input.starts_with('/')
                || input.contains('\0')
                || input.split('/').any(|part| matches!(part, "" | "." | ".."));
            if lexically_unsafe {
                prop_assert!(
                    matches!(result, Err(UtilError::UnsafePath { .. })),
                    "{input:?} gave {result:?}"
                );
            }
            if let Ok(path) = result {
                prop_assert_eq!(&path, &fixture.root.join(&input));
                assert_stays_inside(&fixture, &path)?;
            }
            Ok(())
        })
        .expect("safe_join stays under the root");
}

proptest! {
    #[test]
    fn parsing_never_panics_and_round_trips(input in "\\PC*") {
        if let Ok(path) = input.parse::<RelPath>() {
            prop_assert_eq!(path.to_string(), input.clone());
            prop_assert!(!path.as_path().is_absolute());
            prop_assert!(path.components().all(|part| !part.is_empty() && part != "." && part != ".."));
        }
    }

    #[test]
    fn rooted_parse_is_relative_parse_with_a_slash(input in "[a-z./]{0,12}") {
        let relative = input.parse::<RelPath>().ok();
        let rooted = RelPath::from_rooted(&format!("/{input}")).ok();
        prop_assert_eq!(relative, rooted);
    }
}
