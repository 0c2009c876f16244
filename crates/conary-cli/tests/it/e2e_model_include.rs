//! `include` lines, `search GROUP` lines and group search paths in a
//! system model, through the real binaries against a real server:
//! packages cooked with `cvc cook` (a model file under
//! `/usr/share/conary/cml/` in one of them), a group whose
//! `r.setSearchPath` names a label the model does not search, a group
//! that holds an older version, and `conary sync` on roots that hold only
//! the model.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use conary_test::{ADMIN_PASSWORD, ADMIN_USER, ConaryRc, RunningServer, TestRepository};

use crate::cli::{self, CONARY, CVC, REPOS};

const HOST: &str = "conary.example.com";
const LABEL: &str = "conary.example.com@rpl:devel";
const EXTRA: &str = "conary.example.com@rpl:extra";

pub(crate) struct World {
    repository: TestRepository,
    _server: RunningServer,
    rc: String,
}

impl World {
    pub(crate) fn new() -> World {
        let repository = TestRepository::new(REPOS, HOST);
        let server = repository.serve();
        let rc = ConaryRc::new()
            .repository_map(HOST, &server.url())
            .user(HOST, ADMIN_USER, ADMIN_PASSWORD)
            .line(&format!("buildLabel {LABEL}"))
            .line("flavor is: x86_64")
            .line("name Test Builder")
            .line("contact builder@example.com")
            .write_in(repository.scratch())
            .display()
            .to_string();
        World {
            repository,
            _server: server,
            rc,
        }
    }

    pub(crate) fn home(&self) -> &Path {
        self.repository.scratch()
    }

    fn run(&self, bin: &str, dir: &Path, args: &[&str]) -> Output {
        cli::run_in(bin, dir, self.home(), &self.rc, args)
    }

    pub(crate) fn ok(&self, bin: &str, dir: &Path, args: &[&str]) -> String {
        cli::ok_in(bin, dir, self.home(), &self.rc, args)
    }

    /// Commits and cooks a source on `label` whose recipe is `body`
    /// (the lines of `setup`).
    pub(crate) fn cook(&self, name: &str, label: &str, body: &str) {
        self.cook_version(name, label, "1.0", body);
    }

    /// [`cook`](Self::cook) at `version`: a new source the first time, a
    /// new commit of it after.
    pub(crate) fn cook_version(&self, name: &str, label: &str, version: &str, body: &str) {
        let checkout = self.home().join(name);
        if !checkout.exists() {
            let build_label = format!("buildLabel {label}");
            self.ok(
                CVC,
                self.home(),
                &["newpkg", name, "--config", &build_label],
            );
        }
        let recipe = format!("name = '{name}'\nversion = '{version}'\n\ndef setup(r):\n{body}");
        fs::write(checkout.join(format!("{name}.recipe")), recipe).expect("write the recipe");
        self.ok(CVC, &checkout, &["commit", "-m", version]);
        self.ok(CVC, self.home(), &["cook", &format!("{name}={label}")]);
    }

    fn root(&self, name: &str, model: &str) -> PathBuf {
        let root = self.home().join(name);
        let path = root.join("etc/conary/system-model");
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, model).expect("write the model");
        root
    }

    fn conary(&self, root: &Path, args: &[&str]) -> Output {
        let mut all = args.to_vec();
        all.extend(["--root", root.to_str().expect("UTF-8 root")]);
        self.run(CONARY, self.home(), &all)
    }

    fn conary_ok(&self, root: &Path, args: &[&str]) -> String {
        let output = self.conary(root, args);
        assert!(
            output.status.success(),
            "conary {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// The one error line of a run that must fail.
    fn conary_fails(&self, root: &Path, args: &[&str]) -> String {
        let output = self.conary(root, args);
        assert!(!output.status.success(), "conary {args:?} succeeded");
        let stderr = String::from_utf8_lossy(&output.stderr)
            .trim_end()
            .to_owned();
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        stderr
    }
}

#[test]
fn an_included_model_is_synced_and_include_errors_name_the_spec() {
    let world = World::new();
    world.cook(
        "motd",
        LABEL,
        "    r.Create('/etc/motd', contents='hello\\n')\n",
    );
    world.cook(
        "tzinfo",
        EXTRA,
        "    r.Create('/usr/share/zoneinfo/UTC', contents='utc\\n')\n",
    );
    world.cook(
        "web-model",
        LABEL,
        &format!(
            "    r.Create('/usr/share/conary/cml/web.cml', contents='search {EXTRA}\\ninstall motd tzinfo\\n')\n"
        ),
    );
    world.cook(
        "loop-model",
        LABEL,
        "    r.Create('/usr/share/conary/cml/loop.cml', contents='include loop-model\\n')\n",
    );

    let model = format!("search {LABEL}\ninclude web-model\n");
    let root = world.root("root", &model);
    world.conary_ok(&root, &["sync"]);
    assert_eq!(
        fs::read_to_string(root.join("etc/motd")).expect("motd"),
        "hello\n"
    );
    // tzinfo is only on the label the included model searches.
    assert!(root.join("usr/share/zoneinfo/UTC").exists());
    let installed = world.conary_ok(&root, &["q"]);
    assert!(
        installed.contains("motd=conary.example.com@rpl:devel/1.0-1-1"),
        "{installed}"
    );
    assert!(
        installed.contains("tzinfo=conary.example.com@rpl:extra/1.0-1-1"),
        "{installed}"
    );
    assert!(
        !installed.contains("web-model"),
        "the included trove is read, not installed: {installed}"
    );
    // The model file itself is unchanged; --model prints it.
    assert_eq!(world.conary_ok(&root, &["sync", "--model"]), model);

    // The same model on a second root gives the same installed set.
    let second = world.root("second", &model);
    world.conary_ok(&second, &["sync"]);
    assert_eq!(world.conary_ok(&second, &["q"]), installed);

    // Erasing from the including model takes effect after the include.
    world.conary_ok(&root, &["erase", "tzinfo"]);
    assert!(!root.join("usr/share/zoneinfo/UTC").exists());
    assert!(root.join("etc/motd").exists());

    let missing = world.root(
        "missing",
        &format!("search {LABEL}\ninclude no-such-model\n"),
    );
    let error = world.conary_fails(&missing, &["sync"]);
    assert!(
        error.contains("system-model:2: include no-such-model:"),
        "{error}"
    );
    let plain = world.root("plain", &format!("search {LABEL}\ninclude motd\n"));
    let error = world.conary_fails(&plain, &["sync"]);
    assert!(
        error.contains("include motd: motd=")
            && error.contains("holds no model file under /usr/share/conary/cml/"),
        "{error}"
    );
    let looping = world.root("looping", &format!("search {LABEL}\ninclude loop-model\n"));
    let error = world.conary_fails(&looping, &["sync"]);
    assert!(
        error.contains(
            "include loop-model: a cycle of includes (include loop-model -> include loop-model)"
        ),
        "{error}"
    );
    assert!(!looping.join("etc/motd").exists());
}

#[test]
fn a_group_search_path_resolves_what_the_group_needs() {
    let world = World::new();
    world.cook(
        "motd",
        LABEL,
        "    r.Create('/etc/motd', contents='hello\\n')\n",
    );
    world.cook(
        "tzinfo",
        EXTRA,
        "    r.Create('/usr/share/zoneinfo/UTC', contents='utc\\n')\n",
    );
    world.cook(
        "group-web",
        LABEL,
        &format!(
            "    r.setSearchPath(['{LABEL}', '{EXTRA}'])\n    r.add('motd')\n    r.requires('tzinfo:data')\n"
        ),
    );
    let root = world.root("root", &format!("search {LABEL}\ninstall group-web\n"));
    world.conary_ok(&root, &["sync"]);
    let installed = world.conary_ok(&root, &["q"]);
    assert!(
        installed.contains("group-web=conary.example.com@rpl:devel/1.0-1-1"),
        "{installed}"
    );
    assert!(
        installed.contains("tzinfo=conary.example.com@rpl:extra/1.0-1-1"),
        "found on the group's search path: {installed}"
    );
    assert!(root.join("usr/share/zoneinfo/UTC").exists());
}

#[test]
fn a_searched_group_gives_the_versions_it_holds() {
    let world = World::new();
    world.cook_version(
        "motd",
        LABEL,
        "1.0",
        "    r.Create('/etc/motd', contents='one\\n')\n",
    );
    world.cook_version(
        "motd",
        LABEL,
        "2.0",
        "    r.Create('/etc/motd', contents='two\\n')\n",
    );
    world.cook(
        "group-base",
        LABEL,
        "    r.add('motd', versionStr = '1.0-1-1')\n",
    );
    // Without the group the newest motd; searching the group, its motd.
    let newest = world.root("newest", &format!("search {LABEL}\ninstall motd\n"));
    world.conary_ok(&newest, &["sync"]);
    assert_eq!(
        fs::read_to_string(newest.join("etc/motd")).expect("motd"),
        "two\n"
    );
    let model = format!("search {LABEL}\nsearch group-base\ninstall motd\n");
    let root = world.root("root", &model);
    world.conary_ok(&root, &["sync"]);
    assert_eq!(
        fs::read_to_string(root.join("etc/motd")).expect("motd"),
        "one\n"
    );
    let installed = world.conary_ok(&root, &["q"]);
    assert!(
        installed.contains("motd=conary.example.com@rpl:devel/1.0-1-1"),
        "{installed}"
    );
    assert!(
        !installed.contains("group-base"),
        "searched, not installed: {installed}"
    );

    let missing = world.root("missing", &format!("search {LABEL}\nsearch group-none\n"));
    let error = world.conary_fails(&missing, &["sync"]);
    assert!(
        error.contains("system-model:2: search group-none: "),
        "{error}"
    );
}
