//! Update planning on a real server with troves cooked in the test:
//! branch affinity (an installed trove keeps updating from its own
//! branch), flavor affinity (an installed flavor is kept), side-by-side
//! installs with `--keep-existing`, pins, and file conflicts.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use conary_test::{ADMIN_PASSWORD, ADMIN_USER, ConaryRc, RunningServer, TestRepository};

use crate::cli::{self, CONARY, CVC, REPOS};

const HOST: &str = "conary.example.com";
const DEVEL: &str = "conary.example.com@rpl:devel";
const OTHER: &str = "conary.example.com@rpl:other";

struct World {
    repository: TestRepository,
    _server: RunningServer,
    rc: String,
    root: PathBuf,
}

impl World {
    fn new() -> World {
        let repository = TestRepository::new(REPOS, HOST);
        let server = repository.serve();
        let rc = ConaryRc::new()
            .repository_map(HOST, &server.url())
            .user(HOST, ADMIN_USER, ADMIN_PASSWORD)
            .install_label(DEVEL)
            .line(&format!("buildLabel {DEVEL}"))
            .line("flavor is: x86_64")
            .write_in(repository.scratch())
            .display()
            .to_string();
        let root = repository.scratch().join("root");
        World {
            repository,
            _server: server,
            rc,
            root,
        }
    }

    fn home(&self) -> &Path {
        self.repository.scratch()
    }

    /// Runs `BIN ARGS --config-file RC` in `dir`.
    fn run_in(&self, bin: &str, dir: &Path, args: &[&str]) -> Output {
        cli::run_in(bin, dir, self.home(), &self.rc, args)
    }

    /// `BIN ARGS` in `dir`, which must succeed; standard output.
    fn ok_in(&self, bin: &str, dir: &Path, args: &[&str]) -> String {
        cli::ok_in(bin, dir, self.home(), &self.rc, args)
    }

    /// `conary ARGS --root ROOT`, which must succeed.
    fn conary(&self, args: &[&str]) -> String {
        let mut all = args.to_vec();
        let root = self.root.to_str().expect("utf-8").to_owned();
        all.extend(["--root", &root]);
        self.ok_in(CONARY, self.home(), &all)
    }

    /// `conary ARGS --root ROOT`, which must fail; the error line.
    fn conary_fails(&self, args: &[&str]) -> String {
        let mut all = args.to_vec();
        let root = self.root.to_str().expect("utf-8").to_owned();
        all.extend(["--root", &root]);
        let output = self.run_in(CONARY, self.home(), &all);
        assert!(!output.status.success(), "{args:?} succeeded");
        // Progress lines may come first; the error is the last line.
        let stderr = String::from_utf8(output.stderr).expect("UTF-8");
        let last = stderr
            .trim_end()
            .lines()
            .last()
            .unwrap_or_default()
            .to_owned();
        assert!(last.starts_with("conary: error: "), "{stderr:?}");
        last
    }

    /// The installed troves, `NAME=VERSION[FLAVOR]` per line, sorted.
    fn installed(&self) -> String {
        self.conary(&["q", "--full-versions"])
    }

    /// Commits `recipe` as the source of `name` on `label` (checkout
    /// directory `dir`, created on first use) and cooks it there, for each
    /// of `flavors` (none: the default flavor).
    fn cook(&self, dir: &str, name: &str, label: &str, recipe: &str, flavors: &[&str]) {
        let checkout = self.home().join(dir);
        if !checkout.exists() {
            let build_label = format!("buildLabel {label}");
            self.ok_in(
                CVC,
                self.home(),
                &["newpkg", name, "--dir", dir, "--config", &build_label],
            );
        }
        fs::write(checkout.join(format!("{name}.recipe")), recipe).expect("write the recipe");
        self.ok_in(CVC, &checkout, &["commit", "-m", "next"]);
        let mut targets: Vec<String> = flavors
            .iter()
            .map(|flavor| format!("{name}={label}[{flavor}]"))
            .collect();
        if targets.is_empty() {
            targets.push(format!("{name}={label}"));
        }
        let mut args = vec!["cook"];
        args.extend(targets.iter().map(String::as_str));
        self.ok_in(CVC, self.home(), &args);
    }
}

/// A recipe that installs one file per version (so versions do not
/// overlap) and, when `shared` is given, a file every version owns.
fn recipe(name: &str, version: &str, shared: Option<&str>) -> String {
    let mut text = format!(
        "name = '{name}'\nversion = '{version}'\n\ndef setup(r):\n    r.Create('/usr/share/{name}/{version}/README', contents = '{name} {version}\\n')\n"
    );
    if let Some(contents) = shared {
        text.push_str(&format!(
            "    r.Create('/usr/share/shared/common.txt', contents = '{contents}\\n')\n"
        ));
    }
    text
}

const FLAVORED: &str = "name = 'tunable'\nversion = 'VERSION'\n\ndef setup(r):\n    if use.ssl:\n        r.Create('/usr/share/tunable/mode', contents = 'ssl VERSION\\n')\n    else:\n        r.Create('/usr/share/tunable/mode', contents = 'plain VERSION\\n')\n";

#[test]
fn an_installed_trove_updates_from_its_own_branch() {
    let world = World::new();
    world.cook(
        "hello-devel",
        "hello",
        DEVEL,
        &recipe("hello", "1.0", None),
        &[],
    );
    world.cook(
        "hello-other",
        "hello",
        OTHER,
        &recipe("hello", "2.0", None),
        &[],
    );

    // The install label path finds devel's; the other branch is asked for.
    world.conary(&["update", &format!("hello={OTHER}")]);
    assert!(
        world
            .installed()
            .contains("hello=/conary.example.com@rpl:other/2.0-1-1")
    );

    // Both branches move on; the update follows the installed branch.
    world.cook(
        "hello-devel",
        "hello",
        DEVEL,
        &recipe("hello", "1.1", None),
        &[],
    );
    world.cook(
        "hello-other",
        "hello",
        OTHER,
        &recipe("hello", "2.1", None),
        &[],
    );
    world.conary(&["update", "hello"]);
    let installed = world.installed();
    assert!(
        installed.contains("hello=/conary.example.com@rpl:other/2.1-1-1"),
        "{installed}"
    );
    assert!(!installed.contains("rpl:devel"), "{installed}");

    // Naming the other label moves it back.
    world.conary(&["update", &format!("hello={DEVEL}")]);
    let installed = world.installed();
    assert!(
        installed.contains("hello=/conary.example.com@rpl:devel/1.1-1-1"),
        "{installed}"
    );
    assert!(world.root.join("usr/share/hello/1.1/README").exists());
    assert!(!world.root.join("usr/share/hello/2.1/README").exists());
}

#[test]
fn keep_existing_installs_two_branches_side_by_side() {
    let world = World::new();
    world.cook(
        "hello-devel",
        "hello",
        DEVEL,
        &recipe("hello", "1.0", None),
        &[],
    );
    world.cook(
        "hello-other",
        "hello",
        OTHER,
        &recipe("hello", "2.0", None),
        &[],
    );
    world.conary(&["update", "hello"]);
    world.conary(&["update", &format!("hello={OTHER}"), "--keep-existing"]);
    let installed = world.installed();
    assert!(
        installed.contains("hello=/conary.example.com@rpl:devel/1.0-1-1"),
        "{installed}"
    );
    assert!(
        installed.contains("hello=/conary.example.com@rpl:other/2.0-1-1"),
        "{installed}"
    );
    assert!(world.root.join("usr/share/hello/1.0/README").exists());
    assert!(world.root.join("usr/share/hello/2.0/README").exists());
}

#[test]
fn an_installed_flavor_is_kept_on_update() {
    let world = World::new();
    let v1 = FLAVORED.replace("VERSION", "1");
    world.cook("tunable", "tunable", DEVEL, &v1, &["ssl", "!ssl"]);
    // The system flavor has no ssl: a plain install picks [!ssl]; [ssl] is
    // asked for by name.
    world.conary(&["update", "tunable[ssl]"]);
    let v2 = FLAVORED.replace("VERSION", "2");
    world.cook("tunable", "tunable", DEVEL, &v2, &["ssl", "!ssl"]);
    world.conary(&["update", "tunable"]);
    let installed = world.installed();
    assert!(
        installed.contains("tunable=/conary.example.com@rpl:devel/2-1-1"),
        "{installed}"
    );
    let mode = fs::read_to_string(world.root.join("usr/share/tunable/mode")).expect("installed");
    assert_eq!(mode, "ssl 2\n");
}

#[test]
fn a_pinned_trove_is_never_replaced_nor_erased() {
    let world = World::new();
    world.cook("hello", "hello", DEVEL, &recipe("hello", "1.0", None), &[]);
    world.conary(&["update", "hello"]);
    world.conary(&["pin", "hello"]);
    world.cook("hello", "hello", DEVEL, &recipe("hello", "1.1", None), &[]);

    // As in the original, the update goes beside the pinned trove.
    world.conary(&["updateall"]);
    let installed = world.installed();
    assert!(
        installed.contains("hello=/conary.example.com@rpl:devel/1.0-1-1"),
        "{installed}"
    );
    assert!(world.root.join("usr/share/hello/1.0/README").exists());
    let old = format!("hello={DEVEL}/1.0-1-1");
    let refused = world.conary_fails(&["erase", &old]);
    assert!(refused.contains("pinned"), "{refused}");
    assert!(world.root.join("usr/share/hello/1.0/README").exists());

    world.conary(&["unpin", &old]);
    world.conary(&["erase", &old]);
    let installed = world.installed();
    assert!(!installed.contains("1.0-1-1"), "{installed}");
    assert!(!world.root.join("usr/share/hello/1.0/README").exists());
}

#[test]
fn a_file_owned_by_another_trove_is_refused_unless_replaced() {
    let world = World::new();
    world.cook(
        "alpha",
        "alpha",
        DEVEL,
        &recipe("alpha", "1", Some("from alpha")),
        &[],
    );
    world.cook(
        "beta",
        "beta",
        DEVEL,
        &recipe("beta", "1", Some("from beta")),
        &[],
    );
    world.conary(&["update", "alpha"]);
    let refused = world.conary_fails(&["update", "beta"]);
    assert!(
        refused.contains("/usr/share/shared/common.txt"),
        "{refused}"
    );
    assert!(!world.installed().contains("beta"));
    assert!(!world.root.join("usr/share/beta/1/README").exists());

    world.conary(&["update", "beta", "--replace-files"]);
    let common = fs::read_to_string(world.root.join("usr/share/shared/common.txt")).expect("file");
    assert_eq!(common, "from beta\n");
    let owner = world.conary(&["q", "--path", "/usr/share/shared/common.txt"]);
    assert!(owner.contains("beta"), "{owner}");
}
