//! `cvc` source control through the real binary against a real
//! `conary-repos` server: newpkg, add, commit (source counts), checkout,
//! diff, log, rdiff, a new upstream version, and the refusals.

use std::path::Path;
use std::process::{Command, Output};

use conary_test::{ADMIN_PASSWORD, ADMIN_USER, ConaryRc, TestRepository};

use crate::cli::{CVC, REPOS};

const HOST: &str = "conary.example.com";
const LABEL: &str = "conary.example.com@rpl:2";

/// Runs `cvc ARGS` in `dir` with `home` as `$HOME` (its `.conaryrc` is
/// the configuration).
fn cvc(args: &[&str], dir: &Path, home: &Path) -> Output {
    Command::new(CVC)
        .args(args)
        .current_dir(dir)
        .env("HOME", home)
        .env_remove("CONARY_LOG")
        .output()
        .expect("cvc runs")
}

/// `cvc ARGS` in `dir`, which must succeed; its standard output.
fn ok(args: &[&str], dir: &Path, home: &Path) -> String {
    let output = cvc(args, dir, home);
    assert!(
        output.status.success(),
        "cvc {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// `cvc ARGS` in `dir`, which must fail with one line on standard error.
fn fails(args: &[&str], dir: &Path, home: &Path) -> String {
    let output = cvc(args, dir, home);
    let stderr = String::from_utf8(output.stderr).expect("UTF-8 stderr");
    assert!(!output.status.success(), "cvc {args:?} succeeded");
    assert_eq!(stderr.lines().count(), 1, "one line on stderr: {stderr:?}");
    stderr.trim_end().to_owned()
}

fn set_version(recipe: &Path, version: &str) {
    let text = std::fs::read_to_string(recipe).expect("read recipe");
    let edited: String = text
        .lines()
        .map(|line| {
            if line.starts_with("version = ") {
                format!("version = \"{version}\"\n")
            } else {
                format!("{line}\n")
            }
        })
        .collect();
    std::fs::write(recipe, edited).expect("write recipe");
}

#[test]
fn source_control_round_trip() {
    let repository = TestRepository::new(REPOS, HOST);
    let server = repository.serve();
    let home = repository.scratch();
    let rc = ConaryRc::new()
        .repository_map(HOST, &server.url())
        .user(HOST, ADMIN_USER, ADMIN_PASSWORD)
        .line(&format!("buildLabel {LABEL}"))
        .line("name Jane Doe")
        .line("contact jane@example.com");
    std::fs::write(home.join(".conaryrc"), rc.text()).expect("write .conaryrc");

    // newpkg: a recipe skeleton, tracked.
    let out = ok(&["newpkg", "hello"], home, home);
    assert!(out.starts_with("created hello:source in "), "{out}");
    let work = home.join("hello");
    let recipe = work.join("hello.recipe");
    let skeleton = std::fs::read_to_string(&recipe).expect("recipe");
    assert!(
        skeleton.starts_with("name = \"hello\"\nversion = \"\"\n"),
        "{skeleton}"
    );
    assert!(skeleton.contains("def setup(r):") && skeleton.contains("# r.Make()"));
    let state = std::fs::read_to_string(work.join("CONARY")).expect("CONARY");
    assert!(
        state.starts_with(&format!(
            "stateversion 1\nname hello:source\nbranch /{LABEL}\nfile "
        )),
        "{state}"
    );

    let line = fails(&["commit", "-m", "too early"], &work, home);
    assert_eq!(
        line,
        "cvc: error: hello.recipe:2:1: top-level `version`: invalid revision '': empty upstream version"
    );

    // First commit: 1.0-1.
    set_version(&recipe, "1.0");
    std::fs::write(work.join("fix.patch"), "one\ntwo\n").expect("write");
    assert_eq!(ok(&["add", "fix.patch"], &work, home), "added fix.patch\n");
    let out = ok(&["commit", "-m", "first import"], &work, home);
    assert_eq!(out, format!("committed hello:source=/{LABEL}/1.0-1\n"));
    let state = std::fs::read_to_string(work.join("CONARY")).expect("CONARY");
    assert!(
        state.contains("\nversion /conary.example.com@rpl:2/"),
        "{state}"
    );
    assert!(!state.contains(" - -"), "every file committed: {state}");

    let line = fails(&["commit", "-m", "again"], &work, home);
    assert_eq!(line, "cvc: error: no changes to commit");

    // Second commit of the same upstream: 1.0-2.
    std::fs::write(work.join("fix.patch"), "one\nthree\n").expect("write");
    let out = ok(&["commit", "-m", "second change"], &work, home);
    assert_eq!(out, format!("committed hello:source=/{LABEL}/1.0-2\n"));

    // Checkout elsewhere: the same bytes.
    let other = home.join("other");
    let out = ok(&["checkout", "hello", "--dir", "other"], home, home);
    assert!(
        out.starts_with(&format!("checked out hello:source=/{LABEL}/1.0-2 into ")),
        "{out}"
    );
    for file in ["hello.recipe", "fix.patch"] {
        assert_eq!(
            std::fs::read(work.join(file)).expect("read"),
            std::fs::read(other.join(file)).expect("read"),
            "{file}"
        );
    }
    assert_eq!(ok(&["diff"], &other, home), "");
    std::fs::write(other.join("fix.patch"), "one\nfour\n").expect("write");
    let diff = ok(&["diff"], &other, home);
    assert!(
        diff.contains("--- a/fix.patch\n+++ b/fix.patch\n") && diff.contains("-three\n+four\n"),
        "{diff}"
    );

    // An older version by revision.
    let old = home.join("old");
    ok(&["checkout", "hello=1.0-1", "--dir", "old"], home, home);
    assert_eq!(
        std::fs::read(old.join("fix.patch")).expect("read"),
        b"one\ntwo\n"
    );

    // log: newest first, with the change log.
    let log = ok(&["log", "hello"], home, home);
    let second = log.find("second change").expect("second message");
    let first = log.find("first import").expect("first message");
    assert!(second < first, "newest first: {log}");
    assert!(
        log.starts_with(&format!(
            "hello:source=/{LABEL}/1.0-2\n  Jane Doe <jane@example.com>\n"
        )),
        "{log}"
    );
    assert_eq!(ok(&["log"], &work, home), log, "in a checkout");

    // rdiff between the two versions.
    let rdiff = ok(&["rdiff", "hello", "1.0-1", "1.0-2"], home, home);
    assert!(
        rdiff.contains("--- a/fix.patch\n+++ b/fix.patch\n"),
        "{rdiff}"
    );
    assert!(
        rdiff.contains("-two\n+three\n") && !rdiff.contains("hello.recipe"),
        "{rdiff}"
    );

    // A new upstream version starts again at source count 1.
    set_version(&recipe, "2.0");
    std::fs::write(work.join("notes.txt"), "new\n").expect("write");
    ok(&["add", "./notes.txt"], &work, home);
    assert_eq!(
        ok(&["remove", "fix.patch"], &work, home),
        "removed fix.patch\n"
    );
    assert!(!work.join("fix.patch").exists());
    let out = ok(&["commit", "-m", "version 2"], &work, home);
    assert_eq!(out, format!("committed hello:source=/{LABEL}/2.0-1\n"));
    let newest = home.join("newest");
    ok(&["checkout", "hello", "--dir", "newest"], home, home);
    assert!(newest.join("notes.txt").exists() && !newest.join("fix.patch").exists());

    // The other checkout is behind its branch now.
    let line = fails(&["commit", "-m", "stale"], &other, home);
    assert!(
        line.starts_with("cvc: error: the checkout is at "),
        "{line}"
    );
}

#[test]
fn refusals_are_one_line() {
    let repository = TestRepository::new(REPOS, HOST);
    let server = repository.serve();
    let home = repository.scratch();
    let rc = ConaryRc::new()
        .repository_map(HOST, &server.url())
        .user(HOST, ADMIN_USER, ADMIN_PASSWORD)
        .line(&format!("buildLabel {LABEL}"));
    std::fs::write(home.join(".conaryrc"), rc.text()).expect("write .conaryrc");

    let line = fails(&["checkout", "nothing"], home, home);
    assert_eq!(
        line,
        format!("cvc: error: nothing:source on {LABEL} not found")
    );
    let line = fails(&["log", "nothing"], home, home);
    assert_eq!(
        line,
        format!("cvc: error: nothing:source on {LABEL} not found")
    );

    ok(&["newpkg", "hello"], home, home);
    let work = home.join("hello");
    let line = fails(&["add", "../escape"], &work, home);
    assert!(
        line.starts_with("cvc: error: invalid file name '../escape'"),
        "{line}"
    );
    std::fs::write(
        work.join("hello.recipe"),
        "name = \"goodbye\"\nversion = \"1.0\"\n",
    )
    .expect("write");
    let line = fails(&["commit", "-m", "x"], &work, home);
    assert_eq!(
        line,
        "cvc: error: hello.recipe: recipe name 'goodbye' differs from the checkout's 'hello'"
    );
    let line = fails(&["diff"], home, home);
    assert!(
        line.starts_with("cvc: error: ") && line.contains("CONARY"),
        "{line}"
    );
    let line = fails(&["newpkg", "hello"], home, home);
    assert!(
        line.ends_with("directory exists and is not empty"),
        "{line}"
    );

    // Without a buildLabel, newpkg says how to set it.
    std::fs::write(home.join(".conaryrc"), "").expect("empty rc");
    let line = fails(&["newpkg", "other"], home, home);
    assert!(line.contains("no buildLabel"), "{line}");
}
