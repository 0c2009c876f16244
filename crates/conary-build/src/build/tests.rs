//! Unit tests of the build executor's parts: macro expansion, globs, path
//! resolution under the destdir and the build directory.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

use super::BuildError;
use super::command::shell_quote;
use super::macros::{MacroError, Macros};
use super::paths::{Tree, TreeKind, glob_matches};

fn macros() -> Macros {
    Macros::defaults(
        "hello",
        "1.0",
        Path::new("/dest"),
        Path::new("/build"),
        "x86_64",
    )
}

#[test]
fn macro_expansion_table() {
    let mut macros = macros();
    macros.set("greeting", "hi %(name)s");
    let cases: &[(&str, &str)] = &[
        ("", ""),
        ("plain", "plain"),
        ("%(name)s-%(version)s", "hello-1.0"),
        ("%(prefix)s", "/usr"),
        ("%(exec_prefix)s", "/usr"),
        ("%(bindir)s", "/usr/bin"),
        ("%(sbindir)s", "/usr/sbin"),
        ("%(libdir)s", "/usr/lib"),
        ("%(libexecdir)s", "/usr/libexec"),
        ("%(includedir)s", "/usr/include"),
        ("%(datadir)s", "/usr/share"),
        ("%(mandir)s", "/usr/share/man"),
        ("%(infodir)s", "/usr/share/info"),
        ("%(docdir)s", "/usr/share/doc"),
        ("%(sysconfdir)s", "/etc"),
        ("%(localstatedir)s", "/var"),
        ("%(servicedir)s", "/srv"),
        ("%(cc)s %(cxx)s", "cc c++"),
        ("%(cflags)s|%(cxxflags)s|%(ldflags)s", "-O2 -g|-O2 -g|"),
        ("%(lib)s %(arch)s", "lib x86_64"),
        ("%(destdir)s %(builddir)s", "/dest /build"),
        ("100%%", "100%"),
        ("%%(name)s", "%(name)s"),
        ("date +%s", "date +%s"),
        ("trailing %", "trailing %"),
        ("%(greeting)s!", "hi hello!"),
    ];
    for (input, expected) in cases {
        assert_eq!(macros.expand(input).as_deref(), Ok(*expected), "{input:?}");
    }
}

#[test]
fn macros_follow_a_changed_prefix() {
    let mut macros = macros();
    macros.set("prefix", "/opt/hello");
    macros.set("lib", "lib64");
    assert_eq!(
        macros.expand("%(libdir)s %(mandir)s").as_deref(),
        Ok("/opt/hello/lib64 /opt/hello/share/man")
    );
    assert_eq!(macros.get("bindir"), Some("%(exec_prefix)s/bin"));
}

#[test]
fn macro_errors() {
    let mut macros = macros();
    assert_eq!(
        macros.expand("%(nosuch)s"),
        Err(MacroError::Unknown {
            name: "nosuch".into(),
            text: "%(nosuch)s".into()
        })
    );
    assert!(matches!(
        macros.expand("%(name"),
        Err(MacroError::Unterminated { .. })
    ));
    assert!(matches!(
        macros.expand("%(na me)s"),
        Err(MacroError::Unterminated { .. })
    ));
    macros.set("a", "%(b)s");
    macros.set("b", "x%(a)s");
    let err = macros.expand("%(a)s").expect_err("loop");
    assert!(matches!(err, MacroError::TooDeep { .. }), "{err:?}");
    assert!(err.to_string().contains("refers to itself"), "{err}");
    // A value that expands to a percent sign is not expanded again.
    macros.set("pct", "%%(name)s");
    assert_eq!(macros.expand("%(pct)s").as_deref(), Ok("%(name)s"));
}

#[test]
fn glob_table() {
    let cases: &[(&str, &str, bool)] = &[
        ("*", "a", true),
        ("*", "", true),
        ("*", ".hidden", false),
        (".*", ".hidden", true),
        ("*.la", "libfoo.la", true),
        ("*.la", "libfoo.la.1", false),
        ("lib?.so", "liba.so", true),
        ("lib?.so", "libab.so", false),
        ("a*b*c", "aXXbYYc", true),
        ("a*b*c", "aXXbYY", false),
        ("**", "abc", true),
        ("exact", "exact", true),
        ("exact", "exac", false),
    ];
    for (pattern, name, expected) in cases {
        assert_eq!(
            glob_matches(pattern, name),
            *expected,
            "{pattern} vs {name}"
        );
    }
}

#[test]
fn shell_quoting() {
    assert_eq!(shell_quote("/usr"), "/usr");
    assert_eq!(shell_quote("a b"), "'a b'");
    assert_eq!(shell_quote("it's"), r"'it'\''s'");
    assert_eq!(shell_quote(""), "''");
}

#[test]
fn destdir_paths_stay_inside() {
    let root = tempfile::tempdir().expect("tempdir");
    let tree = Tree::new(root.path(), TreeKind::Destdir).expect("tree");
    let ok = tree
        .resolve_installed("/usr/bin/../lib/x", false)
        .expect("inside");
    assert_eq!(ok.path, root.path().join("usr/lib/x"));
    for bad in ["/../etc/passwd", "/usr/../../etc/passwd", "/.."] {
        assert!(
            matches!(
                tree.resolve_installed(bad, false),
                Err(BuildError::OutsideDestdir { .. })
            ),
            "{bad}"
        );
    }
    assert!(matches!(
        tree.resolve_installed("usr/bin", false),
        Err(BuildError::NotAbsolute { .. })
    ));
}

#[test]
fn destdir_symlinks_resolve_as_installed() {
    let root = tempfile::tempdir().expect("tempdir");
    fs::create_dir_all(root.path().join("usr/lib")).expect("mkdir");
    // An absolute target means the installed system's /usr/lib.
    symlink("/usr/lib", root.path().join("lib")).expect("symlink");
    // A relative one that climbs out is refused.
    symlink("../../../../../../etc", root.path().join("etc")).expect("symlink");
    symlink("loop", root.path().join("loop")).expect("symlink");
    let tree = Tree::new(root.path(), TreeKind::Destdir).expect("tree");
    let through = tree
        .resolve_installed("/lib/libfoo.so", false)
        .expect("inside");
    assert_eq!(through.path, root.path().join("usr/lib/libfoo.so"));
    // The last component is not followed unless asked.
    assert_eq!(
        tree.resolve_installed("/lib", false).expect("link").path,
        root.path().join("lib")
    );
    assert_eq!(
        tree.resolve_installed("/lib", true).expect("dir").path,
        root.path().join("usr/lib")
    );
    assert!(matches!(
        tree.resolve_installed("/etc/passwd", false),
        Err(BuildError::OutsideDestdir { .. })
    ));
    assert!(matches!(
        tree.resolve_installed("/loop/x", false),
        Err(BuildError::SymlinkLoop { .. })
    ));
}

#[test]
fn builddir_symlinks_must_stay_inside() {
    let root = tempfile::tempdir().expect("tempdir");
    fs::create_dir_all(root.path().join("src")).expect("mkdir");
    symlink("/etc", root.path().join("abs")).expect("symlink");
    symlink(root.path().join("src"), root.path().join("back")).expect("symlink");
    symlink("..", root.path().join("src/up")).expect("symlink");
    let tree = Tree::new(root.path(), TreeKind::BuildDir).expect("tree");
    assert!(matches!(
        tree.resolve_relative(&[], "abs/passwd", false),
        Err(BuildError::OutsideBuildDir { .. })
    ));
    assert_eq!(
        tree.resolve_relative(&[], "back/x", false)
            .expect("inside")
            .path,
        root.path().join("src/x")
    );
    assert_eq!(
        tree.resolve_relative(&[], "src/up/y", false)
            .expect("inside")
            .path,
        root.path().join("y")
    );
    assert!(matches!(
        tree.resolve_relative(&[], "src/up/../y", false),
        Err(BuildError::OutsideBuildDir { .. })
    ));
    let absolute = root.path().join("src/z");
    let text = absolute.to_string_lossy();
    assert_eq!(
        tree.resolve_relative(&[], &text, false)
            .expect("inside")
            .path,
        absolute
    );
    assert!(matches!(
        tree.resolve_relative(&[], "/etc/passwd", false),
        Err(BuildError::OutsideBuildDir { .. })
    ));
}

#[test]
fn globs_list_existing_paths_in_order() {
    let root = tempfile::tempdir().expect("tempdir");
    for dir in ["usr/lib/a", "usr/lib/b", "usr/share"] {
        fs::create_dir_all(root.path().join(dir)).expect("mkdir");
    }
    for file in [
        "usr/lib/a/x.la",
        "usr/lib/b/y.la",
        "usr/lib/b/y.so",
        "usr/lib/.z.la",
    ] {
        fs::write(root.path().join(file), "").expect("write");
    }
    let tree = Tree::new(root.path(), TreeKind::Destdir).expect("tree");
    let found: Vec<String> = tree
        .glob("/usr/lib/*/*.la")
        .expect("glob")
        .into_iter()
        .map(|(text, _)| text)
        .collect();
    assert_eq!(found, ["/usr/lib/a/x.la", "/usr/lib/b/y.la"]);
    assert_eq!(tree.glob("/usr/lib/*.la").expect("glob").len(), 0);
    assert_eq!(tree.glob("/usr/share").expect("glob").len(), 1);
    assert_eq!(tree.glob("/usr/nothing").expect("glob").len(), 0);
    assert!(matches!(
        tree.glob("/../*"),
        Err(BuildError::OutsideDestdir { .. })
    ));
}

#[test]
fn compression_from_names() {
    use super::archive::Compression;
    let cases = [
        ("a.tar", Compression::None, true),
        ("a.tar.gz", Compression::Gzip, true),
        ("A.TGZ", Compression::Gzip, true),
        ("a.tar.bz2", Compression::Bzip2, true),
        ("a.tar.xz", Compression::Xz, true),
        ("a.tar.zst", Compression::Zstd, true),
        ("fix.patch.gz", Compression::Gzip, false),
        ("fix.patch", Compression::None, false),
        ("a.zip", Compression::None, false),
    ];
    for (name, compression, tar) in cases {
        assert_eq!(Compression::of(name), (compression, tar), "{name}");
    }
}

#[test]
fn source_names() {
    use super::sources::{DirSources, SourceFiles, file_name_of, is_url};
    assert!(is_url("http://example.com/a.tar.gz"));
    assert!(is_url("git+https://example.com/a"));
    assert!(!is_url("a.tar.gz"));
    assert!(!is_url("://x"));
    assert_eq!(
        file_name_of("https://example.com/dl/a-1.0.tar.gz?x=1#f"),
        "a-1.0.tar.gz"
    );
    assert_eq!(file_name_of("patches/fix.patch"), "fix.patch");
    let dir = tempfile::tempdir().expect("tempdir");
    fs::create_dir(dir.path().join("patches")).expect("mkdir");
    fs::write(dir.path().join("patches/fix.patch"), "").expect("write");
    let sources = DirSources {
        dir: dir.path().into(),
        cache: None,
    };
    assert_eq!(
        sources.path_of("patches/fix.patch").expect("found"),
        dir.path().join("patches/fix.patch")
    );
    for bad in [
        "../x",
        "/etc/passwd",
        "a//b",
        "",
        "http://example.com/dir/",
        "http://example.com/..",
    ] {
        assert!(
            matches!(sources.path_of(bad), Err(BuildError::BadSourceName { .. })),
            "{bad}"
        );
    }
    assert!(matches!(
        sources.path_of("patches"),
        Err(BuildError::SourceNotFound { .. })
    ));
    let err = sources
        .path_of("http://example.com/a.tar.gz")
        .expect_err("no cache");
    assert_eq!(
        err.to_string(),
        "source 'http://example.com/a.tar.gz' is not in the source cache (none is configured; builds never download)"
    );
}
