//! The version tree end to end, with two real servers on loopback: the
//! seeds' kernel example (a shadow on another server that follows its
//! parent through `cvc merge`), shadows of shadows, branches, derived
//! packages and branch affinity on update with true shadows.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use conary_changeset::ChangeSetReader;
use conary_test::{ADMIN_PASSWORD, ADMIN_USER, ConaryRc, RunningServer, TestRepository};

use crate::cli::{self, CONARY, CVC, REPOS};

const A: &str = "a.example.com";
const B: &str = "b.example.com";
/// The parent branch, on A.
const LINUX26: &str = "a.example.com@rpl:linux26";
/// The shadow, on B.
const MYPATCH: &str = "b.example.com@rpl:mypatch";

struct World {
    a: TestRepository,
    b: TestRepository,
    _servers: (RunningServer, RunningServer),
    rc: String,
    root: PathBuf,
}

impl World {
    fn new() -> World {
        let a = TestRepository::new(REPOS, A);
        let b = TestRepository::new(REPOS, B);
        let servers = (a.serve(), b.serve());
        let rc = ConaryRc::new()
            .repository_map(A, &servers.0.url())
            .repository_map(B, &servers.1.url())
            .user(A, ADMIN_USER, ADMIN_PASSWORD)
            .user(B, ADMIN_USER, ADMIN_PASSWORD)
            .install_label(LINUX26)
            .line(&format!("buildLabel {LINUX26}"))
            .line("flavor is: x86_64")
            .write_in(a.scratch())
            .display()
            .to_string();
        let root = a.scratch().join("root");
        World {
            a,
            b,
            _servers: servers,
            rc,
            root,
        }
    }

    fn home(&self) -> &Path {
        self.a.scratch()
    }

    fn run_in(&self, bin: &str, dir: &Path, args: &[&str]) -> Output {
        cli::run_in(bin, dir, self.home(), &self.rc, args)
    }

    /// `BIN ARGS` in `dir`, which must succeed; standard output.
    fn ok_in(&self, bin: &str, dir: &Path, args: &[&str]) -> String {
        cli::ok_in(bin, dir, self.home(), &self.rc, args)
    }

    /// `cvc ARGS` in the home directory, which must succeed.
    fn cvc(&self, args: &[&str]) -> String {
        self.ok_in(CVC, self.home(), args)
    }

    /// `cvc ARGS` in `dir`, which must fail; standard error.
    fn cvc_fails_in(&self, dir: &Path, args: &[&str]) -> String {
        let output = self.run_in(CVC, dir, args);
        assert!(!output.status.success(), "cvc {args:?} succeeded");
        String::from_utf8(output.stderr).expect("UTF-8")
    }

    /// `conary ARGS --root ROOT`, which must succeed.
    fn conary(&self, args: &[&str]) -> String {
        let mut all = args.to_vec();
        let root = self.root.to_str().expect("utf-8").to_owned();
        all.extend(["--root", &root]);
        self.ok_in(CONARY, self.home(), &all)
    }

    /// The installed troves, `NAME=VERSION[FLAVOR]` per line.
    fn installed(&self) -> String {
        self.conary(&["q", "--full-versions"])
    }

    fn dir(&self, name: &str) -> PathBuf {
        self.home().join(name)
    }

    /// The full versions of `name` on `label`, oldest first.
    fn versions(&self, name: &str, label: &str) -> Vec<String> {
        let listed = self.ok_in(
            CONARY,
            self.home(),
            &[
                "rq",
                &format!("{name}={label}"),
                "--full-versions",
                "--all-versions",
            ],
        );
        listed
            .lines()
            .filter_map(|line| line.split_once('=').map(|(_, v)| v.to_owned()))
            .map(|v| v.split('[').next().unwrap_or_default().to_owned())
            .collect()
    }
}

/// The kernel recipe at `version`, with the shadow's patch line or not.
fn kernel_recipe(version: &str, patched: bool) -> String {
    let mut text = format!(
        "name = 'kernel'\nversion = '{version}'\n\ndef setup(r):\n    r.Create('/boot/vmlinuz', contents = 'linux {version}\\n')\n    r.Create('/usr/share/kernel/README', contents = 'stock kernel\\n')\n"
    );
    if patched {
        text.push_str("    r.Create('/usr/share/kernel/mypatch', contents = 'my patch\\n')\n");
    }
    text
}

/// The line `committed NAME=VERSION[…]` of `out` for trove `name`.
fn committed(out: &str, name: &str) -> String {
    out.lines()
        .find_map(|line| {
            let rest = line.strip_prefix("committed ")?;
            let (trove, version) = rest.split_once('=')?;
            (trove == name).then(|| version.split('[').next().unwrap_or_default().to_owned())
        })
        .unwrap_or_else(|| panic!("no 'committed {name}=' in {out:?}"))
}

#[test]
fn the_kernel_example_shadow_on_another_server_merges_its_parent() {
    let world = World::new();
    let parent = world.dir("kernel-a");
    world.cvc(&["newpkg", "kernel", "--dir", "kernel-a"]);
    fs::write(parent.join("kernel.recipe"), kernel_recipe("2.6.5", false)).expect("recipe");
    let out = world.ok_in(CVC, &parent, &["commit", "-m", "2.6.5"]);
    assert_eq!(
        out,
        "committed kernel:source=/a.example.com@rpl:linux26/2.6.5-1\n"
    );
    let out = world.cvc(&["cook", &format!("kernel={LINUX26}")]);
    assert_eq!(
        committed(&out, "kernel"),
        "/a.example.com@rpl:linux26/2.6.5-1-1"
    );

    // The shadow on B: the source and the build keep their revisions;
    // B stores the new troves and no contents.
    let info = world.cvc(&["shadow", MYPATCH, "kernel", "--info"]);
    assert!(
        info.contains("shadow kernel:source=/a.example.com@rpl:linux26/2.6.5-1[] -> /a.example.com@rpl:linux26//b.example.com@rpl:mypatch/2.6.5-1\n"),
        "{info}"
    );
    let out = world.cvc(&["shadow", MYPATCH, "kernel"]);
    assert_eq!(
        committed(&out, "kernel:source"),
        "/a.example.com@rpl:linux26//b.example.com@rpl:mypatch/2.6.5-1"
    );
    assert_eq!(
        committed(&out, "kernel"),
        "/a.example.com@rpl:linux26//b.example.com@rpl:mypatch/2.6.5-1-1"
    );
    assert!(
        committed(&out, "kernel:runtime").ends_with("//b.example.com@rpl:mypatch/2.6.5-1-1"),
        "{out}"
    );
    assert_eq!(world.b.blob_count(), 0, "B stores no contents: {out}");
    let again = world.cvc(&["shadow", MYPATCH, "kernel"]);
    assert!(!again.contains("committed"), "{again}");
    assert!(
        again.contains(
            "already shadowed kernel:source=/a.example.com@rpl:linux26//b.example.com@rpl:mypatch/2.6.5-1[]"
        ),
        "{again}"
    );

    // A build of the unchanged shadow: the build count gets the 0
    // placeholder for the parent's count.
    let out = world.cvc(&["cook", &format!("kernel={MYPATCH}")]);
    assert_eq!(
        committed(&out, "kernel"),
        "/a.example.com@rpl:linux26//b.example.com@rpl:mypatch/2.6.5-1-0.1"
    );

    // One patch committed on the shadow: a dotted source count; its build
    // counts from 1 (the source count has a part for the shadow).
    world.cvc(&[
        "checkout",
        &format!("kernel={MYPATCH}"),
        "--dir",
        "kernel-b",
    ]);
    let shadow = world.dir("kernel-b");
    assert_eq!(
        fs::read_to_string(shadow.join("kernel.recipe")).expect("checked out"),
        kernel_recipe("2.6.5", false)
    );
    fs::write(shadow.join("kernel.recipe"), kernel_recipe("2.6.5", true)).expect("recipe");
    fs::write(shadow.join("mypatch.patch"), "--- a\n+++ b\n").expect("patch");
    world.ok_in(CVC, &shadow, &["add", "mypatch.patch"]);
    let out = world.ok_in(CVC, &shadow, &["commit", "-m", "my patch"]);
    assert_eq!(
        out,
        "committed kernel:source=/a.example.com@rpl:linux26//b.example.com@rpl:mypatch/2.6.5-1.1\n"
    );
    let out = world.cvc(&["cook", &format!("kernel={MYPATCH}")]);
    assert_eq!(
        committed(&out, "kernel"),
        "/a.example.com@rpl:linux26//b.example.com@rpl:mypatch/2.6.5-1.1-1"
    );

    // The parent moves to 2.6.6-1.
    fs::write(parent.join("kernel.recipe"), kernel_recipe("2.6.6", false)).expect("recipe");
    let out = world.ok_in(CVC, &parent, &["commit", "-m", "2.6.6"]);
    assert_eq!(
        out,
        "committed kernel:source=/a.example.com@rpl:linux26/2.6.6-1\n"
    );
    let out = world.cvc(&["cook", &format!("kernel={LINUX26}")]);
    assert_eq!(
        committed(&out, "kernel"),
        "/a.example.com@rpl:linux26/2.6.6-1-1"
    );

    // Merge on the shadow: the parent's new version line and the
    // shadow's patch line together; the commit is 2.6.6-1.1.
    let out = world.ok_in(CVC, &shadow, &["merge"]);
    assert!(
        out.contains("merged kernel:source=/a.example.com@rpl:linux26/2.6.6-1"),
        "{out}"
    );
    assert_eq!(
        fs::read_to_string(shadow.join("kernel.recipe")).expect("merged"),
        kernel_recipe("2.6.6", true)
    );
    assert!(shadow.join("mypatch.patch").exists());
    let out = world.ok_in(CVC, &shadow, &["commit", "-m", "merge 2.6.6"]);
    assert_eq!(
        out,
        "committed kernel:source=/a.example.com@rpl:linux26//b.example.com@rpl:mypatch/2.6.6-1.1\n"
    );
    let nothing = world.ok_in(CVC, &shadow, &["merge"]);
    assert!(nothing.contains("nothing to merge"), "{nothing}");
    let out = world.cvc(&["cook", &format!("kernel={MYPATCH}")]);
    assert_eq!(
        committed(&out, "kernel"),
        "/a.example.com@rpl:linux26//b.example.com@rpl:mypatch/2.6.6-1.1-1"
    );
    assert_eq!(
        world.versions("kernel:source", MYPATCH),
        [
            "/a.example.com@rpl:linux26//b.example.com@rpl:mypatch/2.6.5-1",
            "/a.example.com@rpl:linux26//b.example.com@rpl:mypatch/2.6.5-1.1",
            "/a.example.com@rpl:linux26//b.example.com@rpl:mypatch/2.6.6-1.1",
        ]
    );

    // Installed from the shadow, the patched kernel's files are there.
    world.conary(&["update", &format!("kernel={MYPATCH}")]);
    assert!(
        world
            .installed()
            .contains("kernel=/a.example.com@rpl:linux26//b.example.com@rpl:mypatch/2.6.6-1.1-1"),
        "{}",
        world.installed()
    );
    assert_eq!(
        fs::read_to_string(world.root.join("usr/share/kernel/mypatch")).expect("installed"),
        "my patch\n"
    );
    assert_eq!(
        fs::read_to_string(world.root.join("boot/vmlinuz")).expect("installed"),
        "linux 2.6.6\n"
    );
}

/// A small recipe: `lines` are the `r.Create` calls' contents, one file
/// each.
fn hello_recipe(version: &str, lines: &[&str]) -> String {
    let mut text = format!("name = 'hello'\nversion = '{version}'\n\ndef setup(r):\n");
    for (index, line) in lines.iter().enumerate() {
        text.push_str(&format!(
            "    r.Create('/usr/share/hello/{index}', contents = '{line}\\n')\n"
        ));
    }
    text
}

#[test]
fn a_shadow_of_a_shadow_counts_deeper_and_merges_from_its_parent_shadow() {
    let world = World::new();
    let deep = "a.example.com@rpl:deep";
    let parent = world.dir("hello-a");
    world.cvc(&["newpkg", "hello", "--dir", "hello-a"]);
    fs::write(
        parent.join("hello.recipe"),
        hello_recipe("1.0", &["a", "b", "c", "d", "e"]),
    )
    .expect("recipe");
    world.ok_in(CVC, &parent, &["commit", "-m", "1.0"]);
    world.cvc(&["cook", &format!("hello={LINUX26}")]);

    // Onto B, then from B's shadow onto A again: /linux26//mypatch//deep.
    world.cvc(&["shadow", MYPATCH, "hello"]);
    assert_eq!(world.b.blob_count(), 0, "B stores the new troves only");
    // (`:deep` is relative to the buildLabel; written to a file, then
    // committed.)
    let ccs = world.dir("deep.ccs");
    let ccs_text = ccs.to_str().expect("utf-8");
    let out = world.cvc(&[
        "shadow",
        ":deep",
        &format!("hello={MYPATCH}"),
        "--to-file",
        ccs_text,
    ]);
    let deep_branch =
        "/a.example.com@rpl:linux26//b.example.com@rpl:mypatch//a.example.com@rpl:deep";
    assert!(
        out.contains(&format!("shadowed hello:source={deep_branch}/1.0-1[]\n")),
        "{out}"
    );
    assert!(out.ends_with(&format!("wrote {ccs_text}\n")), "{out}");
    let out = world.ok_in(CONARY, world.home(), &["commit", ccs_text]);
    assert_eq!(
        committed(&out, "hello:source"),
        format!("{deep_branch}/1.0-1")
    );
    assert_eq!(committed(&out, "hello"), format!("{deep_branch}/1.0-1-1"));

    // A change on the deep shadow pads the count to its depth.
    world.cvc(&["checkout", &format!("hello={deep}"), "--dir", "hello-deep"]);
    let deep_dir = world.dir("hello-deep");
    fs::write(
        deep_dir.join("hello.recipe"),
        hello_recipe("1.0", &["a", "b", "c", "d", "deep"]),
    )
    .expect("recipe");
    let out = world.ok_in(CVC, &deep_dir, &["commit", "-m", "deep"]);
    assert_eq!(
        committed(&out, "hello:source"),
        format!("{deep_branch}/1.0-1.0.1")
    );
    let out = world.cvc(&["cook", &format!("hello={deep}")]);
    assert_eq!(
        committed(&out, "hello"),
        format!("{deep_branch}/1.0-1.0.1-1")
    );

    // The middle shadow moves; the deep one merges it.
    world.cvc(&["checkout", &format!("hello={MYPATCH}"), "--dir", "hello-b"]);
    let middle = world.dir("hello-b");
    fs::write(
        middle.join("hello.recipe"),
        hello_recipe("1.0", &["middle", "b", "c", "d", "e"]),
    )
    .expect("recipe");
    world.ok_in(CVC, &middle, &["commit", "-m", "middle"]);
    let out = world.ok_in(CVC, &deep_dir, &["merge"]);
    assert!(out.contains("M hello.recipe"), "{out}");
    assert_eq!(
        fs::read_to_string(deep_dir.join("hello.recipe")).expect("merged"),
        hello_recipe("1.0", &["middle", "b", "c", "d", "deep"])
    );
    let out = world.ok_in(CVC, &deep_dir, &["commit", "-m", "merged"]);
    assert_eq!(
        committed(&out, "hello:source"),
        format!("{deep_branch}/1.0-1.1.1")
    );
    let out = world.cvc(&["cook", &format!("hello={deep}")]);
    assert_eq!(
        committed(&out, "hello"),
        format!("{deep_branch}/1.0-1.1.1-1")
    );

    // Installed from the deep shadow: contents from A and B.
    world.conary(&["update", "hello=:deep"]);
    let read = |name: &str| fs::read_to_string(world.root.join("usr/share/hello").join(name));
    assert_eq!(read("0").expect("installed"), "middle\n");
    assert_eq!(read("4").expect("installed"), "deep\n");

    // Conflicting changes of one line: marked, and said so.
    fs::write(
        middle.join("hello.recipe"),
        hello_recipe("1.0", &["middle", "b", "c", "d", "clash"]),
    )
    .expect("recipe");
    world.ok_in(CVC, &middle, &["commit", "-m", "clash"]);
    let out = world.ok_in(CVC, &deep_dir, &["merge"]);
    assert!(out.contains("C hello.recipe\n"), "{out}");
    assert!(out.contains("conflicts in hello.recipe"), "{out}");
    let marked = fs::read_to_string(deep_dir.join("hello.recipe")).expect("marked");
    assert!(marked.contains("<<<<<<< ours\n"), "{marked}");
    assert!(marked.contains(">>>>>>> theirs\n"), "{marked}");
    let refused = world.cvc_fails_in(&deep_dir, &["commit", "-m", "not yet"]);
    assert!(
        refused.contains("conflict markers from cvc merge remain in hello.recipe"),
        "{refused}"
    );
    fs::write(
        deep_dir.join("hello.recipe"),
        hello_recipe("1.0", &["middle", "b", "c", "d", "resolved"]),
    )
    .expect("resolved");
    let out = world.ok_in(CVC, &deep_dir, &["commit", "-m", "resolved"]);
    assert_eq!(
        committed(&out, "hello:source"),
        format!("{deep_branch}/1.0-1.2.1")
    );

    // A checkout of the trunk has no parent to merge from.
    let refused = world.cvc_fails_in(&parent, &["merge"]);
    assert!(refused.contains("which is not a shadow"), "{refused}");
}

#[test]
fn a_branch_counts_on_from_its_branch_point_and_a_label_of_two_branches_is_ambiguous() {
    let world = World::new();
    let stable = "a.example.com@rpl:stable";
    let trunk = world.dir("hello-a");
    world.cvc(&["newpkg", "hello", "--dir", "hello-a"]);
    for (version, line) in [("1.2", "one"), ("1.2", "two"), ("1.2", "three")] {
        fs::write(trunk.join("hello.recipe"), hello_recipe(version, &[line])).expect("recipe");
        world.ok_in(CVC, &trunk, &["commit", "-m", line]);
    }
    let info = world.cvc(&["branch", stable, "hello=1.2-3", "--info"]);
    assert_eq!(
        info,
        "branch hello:source=/a.example.com@rpl:linux26/1.2-3[] -> /a.example.com@rpl:linux26/1.2-3/stable/3\n"
    );
    let out = world.cvc(&["branch", stable, "hello=1.2-3"]);
    assert_eq!(
        committed(&out, "hello:source"),
        "/a.example.com@rpl:linux26/1.2-3/stable/3"
    );
    let again = world.cvc(&["branch", stable, "hello=1.2-3"]);
    assert!(again.starts_with("already branched "), "{again}");

    // New source counts on the branch go on from the branch point.
    world.cvc(&[
        "checkout",
        &format!("hello={stable}"),
        "--dir",
        "hello-stable",
    ]);
    let branch = world.dir("hello-stable");
    fs::write(
        branch.join("hello.recipe"),
        hello_recipe("1.2", &["stable"]),
    )
    .expect("recipe");
    let out = world.ok_in(CVC, &branch, &["commit", "-m", "stable fix"]);
    assert_eq!(
        committed(&out, "hello:source"),
        "/a.example.com@rpl:linux26/1.2-3/stable/4"
    );
    let out = world.cvc(&["cook", &format!("hello={stable}")]);
    assert_eq!(
        committed(&out, "hello"),
        "/a.example.com@rpl:linux26/1.2-3-0/stable/4-1"
    );

    // Branching again from another version onto the same label: the label
    // now names two branch instances, and a checkout by label says so.
    world.cvc(&["branch", stable, "hello=1.2-2"]);
    let refused = world.cvc_fails_in(world.home(), &["checkout", &format!("hello={stable}")]);
    assert!(
        refused.contains("names several branches: /a.example.com@rpl:linux26/1.2-2/stable, /a.example.com@rpl:linux26/1.2-3/stable"),
        "{refused}"
    );
    let refused = world.cvc_fails_in(world.home(), &["cook", &format!("hello={stable}")]);
    assert!(refused.contains("names several branches"), "{refused}");
    let out = world.cvc(&["cook", "hello=/a.example.com@rpl:linux26/1.2-3/stable"]);
    assert_eq!(
        committed(&out, "hello"),
        "/a.example.com@rpl:linux26/1.2-3-0/stable/4-2"
    );
    world.cvc(&[
        "checkout",
        "hello=/a.example.com@rpl:linux26/1.2-3/stable",
        "--dir",
        "hello-whole",
    ]);
    assert_eq!(
        fs::read_to_string(world.dir("hello-whole").join("hello.recipe")).expect("checked out"),
        hello_recipe("1.2", &["stable"])
    );
}

/// The seeds' gimp: a recipe whose files carry the version (so two
/// versions do not overlap).
fn gimp_recipe(version: &str) -> String {
    format!(
        "name = 'gimp'\nversion = '{version}'\n\ndef setup(r):\n    r.Create('/usr/share/gimp/{version}/README', contents = 'gimp {version}\\n')\n"
    )
}

#[test]
fn gimp_keeps_to_the_shadow_it_was_moved_to_and_both_branches_install_side_by_side() {
    let world = World::new();
    let release = LINUX26;
    let devel = "b.example.com@rpl:gimpdevel";
    let stable = world.dir("gimp-a");
    world.cvc(&["newpkg", "gimp", "--dir", "gimp-a"]);
    let build_stable = |version: &str| {
        fs::write(stable.join("gimp.recipe"), gimp_recipe(version)).expect("recipe");
        world.ok_in(CVC, &stable, &["commit", "-m", version]);
        world.cvc(&["cook", &format!("gimp={release}")]);
    };
    build_stable("2.2.2");
    world.conary(&["update", "gimp"]);
    assert!(
        world
            .installed()
            .contains("gimp=/a.example.com@rpl:linux26/2.2.2-1-1"),
        "{}",
        world.installed()
    );

    // The development gimp on a shadow on another server.
    world.cvc(&["shadow", devel, "gimp"]);
    world.cvc(&["checkout", &format!("gimp={devel}"), "--dir", "gimp-b"]);
    let shadow = world.dir("gimp-b");
    let build_devel = |version: &str| -> String {
        fs::write(shadow.join("gimp.recipe"), gimp_recipe(version)).expect("recipe");
        world.ok_in(CVC, &shadow, &["commit", "-m", version]);
        committed(&world.cvc(&["cook", &format!("gimp={devel}")]), "gimp")
    };
    let devel_branch = "/a.example.com@rpl:linux26//b.example.com@rpl:gimpdevel";
    assert_eq!(build_devel("2.3.0"), format!("{devel_branch}/2.3.0-0.1-1"));

    // Moved onto the shadow, it stays there when the release moves on.
    world.conary(&["update", &format!("gimp={devel}")]);
    let installed = world.installed();
    assert!(
        installed.contains(&format!("gimp={devel_branch}/2.3.0-0.1-1")),
        "{installed}"
    );
    assert!(!installed.contains("linux26/2.2.2"), "{installed}");
    build_stable("2.2.3");
    assert_eq!(build_devel("2.3.1"), format!("{devel_branch}/2.3.1-0.1-1"));
    world.conary(&["update", "gimp"]);
    let installed = world.installed();
    assert!(
        installed.contains(&format!("gimp={devel_branch}/2.3.1-0.1-1")),
        "{installed}"
    );
    assert!(!installed.contains("2.2.3"), "{installed}");
    assert!(world.root.join("usr/share/gimp/2.3.1/README").exists());

    // Naming the release label moves it back.
    world.conary(&["update", &format!("gimp={release}")]);
    let installed = world.installed();
    assert!(
        installed.contains("gimp=/a.example.com@rpl:linux26/2.2.3-1-1"),
        "{installed}"
    );
    assert!(!installed.contains("gimpdevel"), "{installed}");
    assert!(!world.root.join("usr/share/gimp/2.3.1/README").exists());

    // --keep-existing: both branches side by side, and a plain update
    // moves each along its own branch.
    world.conary(&["update", "--keep-existing", &format!("gimp={devel}")]);
    let installed = world.installed();
    assert!(
        installed.contains("gimp=/a.example.com@rpl:linux26/2.2.3-1-1"),
        "{installed}"
    );
    assert!(
        installed.contains(&format!("gimp={devel_branch}/2.3.1-0.1-1")),
        "{installed}"
    );
    build_stable("2.2.4");
    assert_eq!(build_devel("2.3.2"), format!("{devel_branch}/2.3.2-0.1-1"));
    world.conary(&["update", "gimp"]);
    let installed = world.installed();
    assert!(
        installed.contains("gimp=/a.example.com@rpl:linux26/2.2.4-1-1"),
        "{installed}"
    );
    assert!(
        installed.contains(&format!("gimp={devel_branch}/2.3.2-0.1-1")),
        "{installed}"
    );
    assert!(world.root.join("usr/share/gimp/2.2.4/README").exists());
    assert!(world.root.join("usr/share/gimp/2.3.2/README").exists());
    assert!(!world.root.join("usr/share/gimp/2.2.3/README").exists());

    // Naming one branch updates that one only.
    build_stable("2.2.5");
    assert_eq!(build_devel("2.3.3"), format!("{devel_branch}/2.3.3-0.1-1"));
    world.conary(&["update", &format!("gimp={devel}")]);
    let installed = world.installed();
    assert!(
        installed.contains(&format!("gimp={devel_branch}/2.3.3-0.1-1")),
        "{installed}"
    );
    assert!(
        installed.contains("gimp=/a.example.com@rpl:linux26/2.2.4-1-1"),
        "{installed}"
    );
}

const TUNABLE: &str = "name = 'tunable'\nversion = '1'\n\ndef setup(r):\n    if use.ssl:\n        r.Create('/usr/share/tunable/mode', contents = 'ssl\\n')\n    else:\n        r.Create('/usr/share/tunable/mode', contents = 'plain\\n')\n";

#[test]
fn a_shadow_takes_every_flavor_of_the_build_unless_one_is_named() {
    let world = World::new();
    let dir = world.dir("tunable");
    world.cvc(&["newpkg", "tunable"]);
    fs::write(dir.join("tunable.recipe"), TUNABLE).expect("recipe");
    world.ok_in(CVC, &dir, &["commit", "-m", "1"]);
    world.cvc(&[
        "cook",
        &format!("tunable={LINUX26}[ssl]"),
        &format!("tunable={LINUX26}[!ssl]"),
    ]);
    let out = world.cvc(&["shadow", MYPATCH, "tunable"]);
    let packages: Vec<&str> = out
        .lines()
        .filter(|line| line.starts_with("committed tunable="))
        .collect();
    assert_eq!(packages.len(), 2, "{out}");
    assert!(out.contains("[ssl]\n") && out.contains("[!ssl]\n"), "{out}");

    let one = "b.example.com@rpl:one";
    let out = world.cvc(&["shadow", one, "tunable[ssl]"]);
    let packages: Vec<&str> = out
        .lines()
        .filter(|line| line.starts_with("committed tunable="))
        .collect();
    assert_eq!(packages.len(), 1, "{out}");
    assert!(packages[0].ends_with("[ssl]"), "{out}");
}

const FOO: &str = "name = 'foo'\nversion = '1.0'\n\ndef setup(r):\n    r.Create('/etc/foo.conf', contents = 'setting = 0\\n')\n    r.Create('/usr/bin/foo', contents = 'foo tool\\n', mode = 0o755)\n    r.Create('/usr/share/foo/README', contents = 'read me\\n')\n";

#[test]
fn a_derived_package_replaces_a_config_file_and_keeps_the_rest_by_reference() {
    let world = World::new();
    let custom = "b.example.com@rpl:custom";
    let upstream = world.dir("foo-a");
    world.cvc(&["newpkg", "foo", "--dir", "foo-a"]);
    fs::write(upstream.join("foo.recipe"), FOO).expect("recipe");
    world.ok_in(CVC, &upstream, &["commit", "-m", "1.0"]);
    world.cvc(&["cook", &format!("foo={LINUX26}")]);

    let out = world.cvc(&[
        "derive",
        "foo",
        "--target",
        custom,
        "--dir",
        "foo-derived",
        "--extract",
    ]);
    let branch = "/a.example.com@rpl:linux26//b.example.com@rpl:custom";
    assert!(
        out.contains(&format!("derived foo={branch}/1.0-1-1 in ")),
        "{out}"
    );
    let derived = world.dir("foo-derived");
    let recipe = fs::read_to_string(derived.join("foo.recipe")).expect("derived recipe");
    assert!(recipe.contains("derived = True"), "{recipe}");
    assert_eq!(
        fs::read_to_string(derived.join("_ROOT_/etc/foo.conf")).expect("extracted"),
        "setting = 0\n"
    );
    let recipe = recipe.replace(
        "    pass\n",
        "    r.Create('/etc/foo.conf', contents = 'setting = 1\\n')\n    r.Remove('/usr/share/foo/README')\n",
    );
    fs::write(derived.join("foo.recipe"), recipe).expect("recipe");
    let refused = world.cvc_fails_in(&derived, &["cook", "."]);
    assert!(
        refused.contains("a derived recipe cooks from its parent in the repository"),
        "{refused}"
    );
    let out = world.ok_in(CVC, &derived, &["commit", "-m", "our setting"]);
    assert_eq!(committed(&out, "foo:source"), format!("{branch}/1.0-1.1"));
    let blobs = world.b.blob_count();
    let out = world.cvc(&["cook", &format!("foo={custom}")]);
    let version = committed(&out, "foo");
    assert_eq!(version, format!("{branch}/1.0-1.1-1"));
    assert_eq!(
        world.b.blob_count(),
        blobs + 1,
        "B stores the new config file only: {out}"
    );

    let info = world.ok_in(
        CONARY,
        world.home(),
        &["rq", &format!("foo={custom}"), "--info"],
    );
    assert!(
        info.contains(&format!("Derived from : foo={branch}/1.0-1-1[")),
        "{info}"
    );

    // The derived troves: the config file is new, the rest is the parent's.
    let ccs = world.dir("foo-derived.ccs");
    world.ok_in(
        CONARY,
        world.home(),
        &[
            "changeset",
            &format!("foo={version}"),
            ccs.to_str().expect("utf-8"),
        ],
    );
    let file = std::io::BufReader::new(fs::File::open(&ccs).expect("changeset"));
    let index = ChangeSetReader::new(file)
        .expect("index")
        .changeset()
        .clone();
    let mut paths = Vec::new();
    for change in index.troves.values() {
        let trove = &change.new;
        assert_eq!(trove.version.to_string(), version, "{}", trove.name);
        assert!(trove.info.flags.is_derived(), "{} is derived", trove.name);
        for file in trove.files.values() {
            let expected = if file.path == "/etc/foo.conf" {
                version.clone()
            } else {
                "/a.example.com@rpl:linux26/1.0-1-1".to_owned()
            };
            assert_eq!(file.file_version.to_string(), expected, "{}", file.path);
            paths.push(file.path.clone());
        }
    }
    paths.sort();
    assert_eq!(paths, ["/etc/foo.conf", "/usr/bin/foo"]);

    world.conary(&["update", &format!("foo={custom}")]);
    assert_eq!(
        fs::read_to_string(world.root.join("etc/foo.conf")).expect("installed"),
        "setting = 1\n"
    );
    assert_eq!(
        fs::read_to_string(world.root.join("usr/bin/foo")).expect("installed"),
        "foo tool\n"
    );
    assert!(!world.root.join("usr/share/foo/README").exists());
}
