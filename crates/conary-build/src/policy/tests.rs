//! Unit tests of the policy pieces: pattern compilation, symlink
//! resolution, script and ELF helpers, flags.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::directives::{Matcher, Rules};
use super::elf::{is_system_lib_dir, soname_dep_name};
use super::scan::interpreter;
use super::walk::{Entry, EntryKind, check_symlinks};
use super::{PolicyError, flags, search_dir};
use crate::recipe::model::{Located, Location, PolicyDirective};

fn at() -> Location {
    Location {
        file: "x.recipe".to_owned(),
        line: 2,
        column: 1,
    }
}

fn rules(directives: Vec<PolicyDirective>) -> Result<Rules, PolicyError> {
    let located: Vec<Located<PolicyDirective>> = directives
        .into_iter()
        .map(|item| Located { at: at(), item })
        .collect();
    Rules::compile(&"hello".parse().expect("name"), &located)
}

fn matcher(patterns: &[&str]) -> Matcher {
    let patterns: Vec<String> = patterns.iter().map(|p| (*p).to_owned()).collect();
    let rules = rules(vec![PolicyDirective::Config { patterns }]).expect("compiles");
    rules.config.into_iter().next().expect("one matcher")
}

#[test]
fn patterns_match_from_the_start_like_re_match() {
    let m = matcher(&["/usr/include/", "/etc/foo$"]);
    assert!(m.matches("/usr/include/stdio.h"));
    assert!(!m.matches("/usr/include"));
    assert!(!m.matches("/opt/usr/include/x.h"));
    assert!(m.matches("/etc/foo"));
    assert!(!m.matches("/etc/foo.d/x"));
    // Alternation stays inside the anchor.
    let m = matcher(&["/a|/b"]);
    assert!(m.matches("/b/c"));
    assert!(!m.matches("/c/b"));
    let m = matcher(&[".*\\.so$"]);
    assert!(m.matches("/usr/lib/libx.so"));
}

#[test]
fn invalid_patterns_name_the_directive_on_one_line() {
    for (pattern, reason) in [
        ("/usr/(lib", "unclosed group"),
        ("/usr/lib[", "unclosed character class"),
        ("(?P<n>a)(?P<n>b)", "duplicate capture group name"),
    ] {
        let error = rules(vec![PolicyDirective::Transient {
            patterns: vec![pattern.to_owned()],
        }])
        .expect_err("invalid")
        .to_string();
        assert_eq!(
            error,
            format!("x.recipe:2:1: invalid pattern '{pattern}': {reason}")
        );
        assert!(!error.contains('\n'));
    }
}

#[test]
fn tags_users_and_dependencies_are_checked() {
    let error = rules(vec![PolicyDirective::TagSpec {
        tag: "a b".to_owned(),
        patterns: vec!["/".to_owned()],
    }])
    .expect_err("bad tag");
    assert_eq!(
        error.to_string(),
        "x.recipe:2:1: invalid tag 'a b': use letters, digits and '_ . + -'"
    );
    let error = rules(vec![PolicyDirective::Provides {
        dep: Some("file: bin/sh".to_owned()),
        patterns: vec!["/".to_owned()],
    }])
    .expect_err("bad dependency");
    assert_eq!(
        error.to_string(),
        "x.recipe:2:1: invalid dependency 'file: bin/sh': invalid file dependency 'file: bin/sh': not an absolute path"
    );
}

fn entries(list: &[(&str, EntryKind)]) -> BTreeMap<String, Entry> {
    list.iter()
        .map(|(path, kind)| {
            let entry = Entry {
                kind: kind.clone(),
                mode: 0o777,
                disk: PathBuf::from(path),
            };
            ((*path).to_owned(), entry)
        })
        .collect()
}

fn dir() -> EntryKind {
    EntryKind::Directory { empty: false }
}

fn file() -> EntryKind {
    EntryKind::Regular { inode: None }
}

fn link(target: &str) -> EntryKind {
    EntryKind::Symlink {
        target: target.to_owned(),
    }
}

#[test]
fn symlinks_resolve_through_the_destdirs_own_links() {
    let base = [
        ("/usr", dir()),
        ("/usr/lib64", dir()),
        ("/usr/lib64/libz.so.1", file()),
        ("/lib64", link("usr/lib64")),
        ("/usr/lib", link("/usr/lib64")),
    ];
    let ok = |extra: (&str, EntryKind)| {
        let mut list = base.to_vec();
        list.push(extra);
        check_symlinks(&entries(&list)).map_err(|error| error.to_string())
    };
    assert_eq!(ok(("/usr/libz.so", link("lib64/libz.so.1"))), Ok(()));
    assert_eq!(ok(("/usr/libz.so", link("../lib64/libz.so.1"))), Ok(()));
    assert_eq!(ok(("/usr/libz.so", link("lib/libz.so.1"))), Ok(()));
    assert_eq!(
        ok(("/usr/libz.so", link("./lib64/../lib64/libz.so.1"))),
        Ok(())
    );
    assert_eq!(ok(("/usr/libz.so", link("/opt/elsewhere"))), Ok(()));
    assert_eq!(ok(("/usr/libz.so", link("/usr/lib/missing"))), Ok(()));
    assert_eq!(
        ok(("/usr/libz.so", link("lib64/libz.so.2"))),
        Err("broken symlink /usr/libz.so -> lib64/libz.so.2".to_owned())
    );
    assert_eq!(
        ok(("/usr/libz.so", link("lib64/libz.so.1/x"))),
        Err("broken symlink /usr/libz.so -> lib64/libz.so.1/x".to_owned())
    );
    assert_eq!(
        ok(("/usr/libz.so", link("../../x"))),
        Err("symlink /usr/libz.so -> ../../x points outside the destdir".to_owned())
    );
    assert_eq!(
        ok(("/x", link("x/y"))),
        Err("symlink /x -> x/y: too many levels of symbolic links".to_owned())
    );
}

#[test]
fn interpreters_of_scripts() {
    assert_eq!(interpreter(b"#!/bin/sh\necho"), Some("/bin/sh".to_owned()));
    assert_eq!(
        interpreter(b"#! /usr/bin/env python3\n"),
        Some("/usr/bin/env".to_owned())
    );
    assert_eq!(
        interpreter(b"#!/bin/bash -e\r\n"),
        Some("/bin/bash".to_owned())
    );
    assert_eq!(interpreter(b"#!\n"), None);
    assert_eq!(interpreter(b"echo #!/bin/sh"), None);
    assert_eq!(interpreter(b"#!/bin/\xff\n"), None);
}

#[test]
fn system_library_directories() {
    for dir in [
        "/lib",
        "/lib64",
        "/usr/lib",
        "/usr/lib64",
        "/usr/lib32",
        "/usr/libx32",
        "/usr/lib/x86_64-linux-gnu",
        "/lib/aarch64-linux-gnu",
    ] {
        assert!(is_system_lib_dir(dir), "{dir}");
    }
    for dir in [
        "/usr/lib/hello",
        "/usr/libexec",
        "/opt/lib",
        "/usr/lib/x86_64-linux-gnu/sub",
        "/usr/local/lib",
    ] {
        assert!(!is_system_lib_dir(dir), "{dir}");
    }
    assert_eq!(
        soname_dep_name("ELF64", "/usr/lib64", "libz.so.1"),
        "ELF64/libz.so.1"
    );
    assert_eq!(
        soname_dep_name("ELF32", "/usr/lib/hello", "libz.so.1"),
        "ELF32/usr/lib/hello/libz.so.1"
    );
    assert_eq!(
        search_dir("$ORIGIN/../lib/hello", "/usr/bin"),
        "/usr/lib/hello"
    );
    assert_eq!(search_dir("${ORIGIN}", "/opt/x"), "/opt/x");
    assert_eq!(search_dir("/usr/lib//hello/", "/"), "/usr/lib/hello");
}

#[test]
fn implicit_config_yields_to_initial_contents_but_directives_conflict() {
    let patterns = |p: &str| vec![p.to_owned()];
    let rules = rules(vec![
        PolicyDirective::InitialContents {
            patterns: patterns("/etc/seed"),
        },
        PolicyDirective::Transient {
            patterns: patterns("/var/cache/"),
        },
    ])
    .expect("rules");
    let bits = |path: &str, is_elf: bool| {
        let flags = flags(&rules, path, is_elf).expect("flags");
        (
            flags.is_config(),
            flags.is_initial_contents(),
            flags.is_transient(),
        )
    };
    assert_eq!(bits("/etc/hello.conf", false), (true, false, false));
    assert_eq!(bits("/etc/hello.bin", true), (false, false, false));
    assert_eq!(
        bits("/usr/libexec/conary/tags/x", false),
        (true, false, false)
    );
    assert_eq!(bits("/etc/seed", false), (false, true, false));
    assert_eq!(bits("/var/cache/x", false), (false, false, true));
    assert_eq!(bits("/etc", false), (false, false, false));
}

#[test]
fn damaged_elf_files_do_not_panic() {
    let Ok(bytes) = std::fs::read("/bin/true") else {
        return;
    };
    let whole = super::elf::analyze(&bytes).expect("/bin/true parses");
    assert!(whole.needed.keys().any(|name| name.starts_with("libc.so")));
    let mut state = 0x2545_f491_u64;
    for cut in (0..bytes.len()).step_by(97) {
        let _ = super::elf::analyze(&bytes[..cut]);
    }
    // Damage the headers (first and last 4 KiB) as well as anywhere.
    let len = bytes.len() as u64;
    for round in 0..2000u64 {
        let mut damaged = bytes.clone();
        for _ in 0..4 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let at = match round % 3 {
                0 => state % len.min(4096),
                1 => len - 1 - state % len.min(4096),
                _ => state % len,
            } as usize;
            if let Some(byte) = damaged.get_mut(at) {
                *byte ^= (state >> 32) as u8 | 1;
            }
        }
        let _ = super::elf::analyze(&damaged);
    }
}

#[test]
fn tag_descriptions_in_the_destdir_tag_matching_files() {
    let destdir = tempfile::tempdir().expect("destdir");
    let write = |path: &str, text: &str| {
        let full = destdir.path().join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(full, text).expect("write");
    };
    write(
        "etc/conary/tags/info-file",
        "file /usr/libexec/conary/tags/info-file\nimplements files update\n\
         exclude /usr/share/info/dir\ninclude /usr/share/info/.*\\.info(\\.gz)?\n",
    );
    write("usr/share/info/dir", "index");
    write("usr/share/info/foo.info.gz", "info");
    write("usr/share/info/foo.txt", "text");
    write("opt/usr/share/info/bar.info", "elsewhere");
    let input = super::PolicyInput {
        name: "foo",
        destdir: destdir.path(),
        directives: &[],
        mtime: 0,
    };
    let packaged = super::apply_policy(&input).expect("policy");
    let tags =
        |path: &str| -> Vec<String> { packaged.files[path].stream.tags.iter().cloned().collect() };
    assert_eq!(tags("/usr/share/info/foo.info.gz"), ["info-file"]);
    assert!(tags("/usr/share/info/dir").is_empty(), "excluded first");
    assert!(tags("/usr/share/info/foo.txt").is_empty());
    assert!(tags("/opt/usr/share/info/bar.info").is_empty(), "anchored");
    assert_eq!(tags("/etc/conary/tags/info-file"), ["tagdescription"]);

    write("etc/conary/tags/bad", "include (\n");
    let error = super::apply_policy(&input).expect_err("bad filter");
    assert!(
        error
            .to_string()
            .starts_with("/etc/conary/tags/bad:1: invalid regular expression '('"),
        "{error}"
    );
}

#[test]
fn tag_descriptions_installed_in_the_build_root_tag_matching_files() {
    let destdir = tempfile::tempdir().expect("destdir");
    let root = tempfile::tempdir().expect("root");
    let write = |base: &std::path::Path, path: &str, text: &str| {
        let full = base.join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(full, text).expect("write");
    };
    write(
        root.path(),
        "etc/conary/tags/info-file",
        "file /usr/libexec/conary/tags/info-file\nimplements files update\n\
         include /usr/share/info/.*\\.info\n",
    );
    write(
        root.path(),
        "etc/conary/tags/doc-file",
        "file /usr/libexec/conary/tags/doc-file\ninclude /usr/share/doc/.*\n",
    );
    write(destdir.path(), "usr/share/info/foo.info", "info");
    write(destdir.path(), "usr/share/doc/foo/README", "doc");
    let input = super::PolicyInput {
        name: "foo",
        destdir: destdir.path(),
        directives: &[],
        mtime: 0,
    };
    let tags = |packaged: &super::Packaged, path: &str| -> Vec<String> {
        packaged.files[path].stream.tags.iter().cloned().collect()
    };
    let plain = super::apply_policy(&input).expect("policy");
    assert!(tags(&plain, "/usr/share/info/foo.info").is_empty());
    let rooted = super::apply_policy_with_root(&input, Some(root.path())).expect("policy");
    assert_eq!(tags(&rooted, "/usr/share/info/foo.info"), ["info-file"]);
    assert_eq!(tags(&rooted, "/usr/share/doc/foo/README"), ["doc-file"]);

    // The package's own description of a tag replaces the root's.
    write(
        destdir.path(),
        "etc/conary/tags/doc-file",
        "file /usr/libexec/conary/tags/doc-file\ninclude /usr/share/man/.*\n",
    );
    let replaced = super::apply_policy_with_root(&input, Some(root.path())).expect("policy");
    assert!(tags(&replaced, "/usr/share/doc/foo/README").is_empty());
    assert_eq!(tags(&replaced, "/usr/share/info/foo.info"), ["info-file"]);

    // A broken description of the root is named where it is.
    write(root.path(), "etc/conary/tags/bad", "include (\n");
    let error = super::apply_policy_with_root(&input, Some(root.path()))
        .expect_err("bad filter")
        .to_string();
    let expected = format!(
        "{}:1: invalid regular expression '('",
        root.path().join("etc/conary/tags/bad").display()
    );
    assert!(error.starts_with(&expected), "{error}");
}
