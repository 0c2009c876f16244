//! System management through the real binaries against a real server:
//! corpus packages imported with `cvc import-deb`, installed into a fresh
//! `--root` with `conary update`, compared byte for byte with
//! `dpkg-deb -x`, updated, queried, verified, rolled back and erased; and
//! failures that leave the root and its database as they were.
//!
//! The corpus lacks libc6, debconf and the other packages of a Debian base
//! system, so installs run with `--no-deps` (the plan lists what is left
//! unsatisfied); without it the update refuses, naming each dependency.

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use conary_build::import::ImportCandidate;
use conary_core::digest::Digest;
use conary_test::{ADMIN_PASSWORD, ADMIN_USER, ConaryRc, RunningServer, TestRepository, corpus};

use crate::cli::{CONARY, CVC, REPOS, fails, ok, paths, run};

const HOST: &str = "conary.example.com";
const LABEL: &str = "conary.example.com@deb:12";

/// The packages installed: a setuid binary and config files (sudo),
/// thousands of small files and symlinks (tzdata), config only
/// (nginx-common), a shared library (libssl3).
const PACKAGES: [&str; 4] = ["libssl3", "nginx-common", "sudo", "tzdata"];

/// A served repository, a `conaryrc` for it, and the corpus versions of
/// [`PACKAGES`].
struct World {
    repository: TestRepository,
    _server: RunningServer,
    rc: String,
    oldest: Vec<ImportCandidate>,
    newest: Vec<ImportCandidate>,
}

impl World {
    fn new() -> World {
        let repository = TestRepository::new(REPOS, HOST);
        let server = repository.serve();
        let rc = ConaryRc::new()
            .repository_map(HOST, &server.url())
            .user(HOST, ADMIN_USER, ADMIN_PASSWORD)
            .install_label(LABEL)
            .line("flavor is: x86_64")
            .write_in(repository.scratch())
            .display()
            .to_string();
        let pick = |candidates: Vec<ImportCandidate>| -> Vec<ImportCandidate> {
            candidates
                .into_iter()
                .filter(|candidate| PACKAGES.contains(&candidate.package.as_str()))
                .collect()
        };
        World {
            oldest: pick(corpus::oldest()),
            newest: pick(corpus::newest()),
            repository,
            _server: server,
            rc,
        }
    }

    fn home(&self) -> &Path {
        self.repository.scratch()
    }

    fn import(&self, candidates: &[ImportCandidate]) {
        let debs: Vec<PathBuf> = candidates.iter().map(|c| c.path.clone()).collect();
        let files = paths(&debs);
        let mut args = vec!["import-deb", "--label", LABEL, "--config-file", &self.rc];
        args.extend(files.iter().map(String::as_str));
        ok(CVC, &args, self.home());
    }

    /// `conary ARGS --root ROOT --config-file RC`, which must succeed.
    fn conary(&self, root: &Path, args: &[&str]) -> String {
        ok(CONARY, &self.with_root(root, args), self.home())
    }

    /// `conary ARGS --root ROOT --config-file RC`, which must fail; the
    /// last line of standard error, after checking that it is the only
    /// error line.
    fn conary_fails(&self, root: &Path, args: &[&str]) -> String {
        let output = run(CONARY, &self.with_root(root, args), self.home());
        assert!(!output.status.success(), "conary {args:?} succeeded");
        let stderr = String::from_utf8(output.stderr).expect("UTF-8 stderr");
        let errors: Vec<&str> = stderr
            .lines()
            .filter(|line| line.contains("error:"))
            .collect();
        assert_eq!(errors.len(), 1, "one error line: {stderr:?}");
        let last = stderr.lines().last().unwrap_or_default();
        assert_eq!(last, errors[0], "the error comes last: {stderr:?}");
        last.to_owned()
    }

    fn with_root<'a>(&'a self, root: &'a Path, args: &[&'a str]) -> Vec<&'a str> {
        let mut all = args.to_vec();
        all.extend([
            "--root",
            root.to_str().expect("UTF-8 root"),
            "--config-file",
            &self.rc,
        ]);
        all
    }

    /// What the database says: every trove with its whole version and
    /// flavor, and the rollback stack.
    fn db_view(&self, root: &Path) -> String {
        let troves = self.conary(root, &["q", "--components", "--full-versions", "--flavors"]);
        let stack = self.conary(root, &["rblist"]);
        format!("{troves}--\n{stack}")
    }
}

/// `NAME=VERSION` as `conary q` prints a corpus package.
fn q_line(candidate: &ImportCandidate) -> String {
    let upstream = candidate
        .version
        .to_string()
        .replace(':', ";")
        .replace('-', "_");
    format!("{}={upstream}-1-1", candidate.package)
}

/// The candidate of package `name`.
fn package<'c>(candidates: &'c [ImportCandidate], name: &str) -> &'c ImportCandidate {
    candidates
        .iter()
        .find(|candidate| candidate.package == name)
        .unwrap_or_else(|| panic!("{name} in the corpus"))
}

fn q_lines(candidates: &[ImportCandidate]) -> String {
    candidates.iter().map(|c| q_line(c) + "\n").collect()
}

/// What a path holds: type, permission bits, and contents or target.
fn tree(root: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        let mut children: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("read dir")
            .map(|entry| entry.expect("entry").path())
            .collect();
        children.sort();
        for path in children {
            let relative = path
                .strip_prefix(root)
                .expect("under root")
                .to_string_lossy()
                .into_owned();
            if relative == "var/lib/conarydb" {
                continue;
            }
            let metadata = std::fs::symlink_metadata(&path).expect("metadata");
            let mode = metadata.mode() & 0o7777;
            let entry = if metadata.is_dir() {
                walk(root, &path, out);
                "dir".to_owned()
            } else if metadata.file_type().is_symlink() {
                let target = std::fs::read_link(&path).expect("link");
                format!("link -> {}", target.display())
            } else {
                let bytes = std::fs::read(&path).expect("read");
                format!("file {mode:o} {}", Digest::of(&bytes))
            };
            out.insert(relative, entry);
        }
    }
    let mut out = BTreeMap::new();
    if root.exists() {
        walk(root, root, &mut out);
    }
    out
}

/// The tree `dpkg-deb -x` makes of these packages.
fn extracted(candidates: &[ImportCandidate]) -> BTreeMap<String, String> {
    let mut all = BTreeMap::new();
    for candidate in candidates {
        let dir = tempfile::tempdir().expect("temp dir");
        let status = Command::new("dpkg-deb")
            .arg("-x")
            .arg(&candidate.path)
            .arg(dir.path())
            .status()
            .expect("dpkg-deb runs");
        assert!(status.success(), "dpkg-deb -x {}", candidate.path.display());
        all.extend(tree(dir.path()));
    }
    all
}

/// Checks that `root` holds exactly what `dpkg-deb -x` makes of
/// `candidates`: every file with its contents and mode, every symlink
/// with its target, no other file (directories: those, plus the
/// database's parents).
fn assert_root_is(root: &Path, candidates: &[ImportCandidate]) {
    let expected = extracted(candidates);
    let found = tree(root);
    for (path, entry) in &expected {
        assert_eq!(found.get(path), Some(entry), "{path}");
    }
    for (path, entry) in &found {
        let database_parent = path == "var" || path == "var/lib";
        assert!(
            expected.contains_key(path) || (database_parent && entry == "dir"),
            "{path} should not be in the root"
        );
    }
}

#[test]
fn install_update_query_verify_roll_back_and_erase() {
    let world = World::new();
    world.import(&world.oldest);
    let root = world.home().join("root");
    let root = root.as_path();

    // The corpus lacks the base system: the update refuses, naming each
    // dependency, and creates nothing.
    let line = world.conary_fails(
        root,
        &["update", "sudo", "nginx-common", "tzdata", "libssl3"],
    );
    assert!(
        line.contains("sudo=") && line.contains("requires deb: libc6"),
        "{line}"
    );
    assert!(
        line.ends_with("(use --resolve, or --no-deps to go on)"),
        "{line}"
    );
    assert!(!root.exists());

    // --info and --test print the job and change nothing.
    let install = [
        "update",
        "sudo",
        "nginx-common",
        "tzdata",
        "libssl3",
        "--no-deps",
    ];
    let info = world.conary(root, &[&install[..], &["--info"]].concat());
    let sudo_old = q_line(package(&world.oldest, "sudo"));
    let (sudo_name, sudo_version) = sudo_old.split_once('=').expect("NAME=VERSION");
    assert!(
        info.lines().any(|line| line
            == format!("Install {sudo_name}(:config :data :devel :doc :lib :locale :runtime)={sudo_version}")),
        "{info}"
    );
    assert!(
        info.contains("Dependencies left unsatisfied (--no-deps):\n"),
        "{info}"
    );
    assert!(
        info.lines().any(|line| line.starts_with("Download size: ")),
        "{info}"
    );
    let test = world.conary(root, &[&install[..], &["--test"]].concat());
    assert!(test.starts_with(&info), "{test}");
    assert!(
        test.contains("Test only, nothing changed: would have 20 installed"),
        "{test}"
    );
    assert!(!root.exists());

    // The real run prints the same job, then what it did.
    let done = world.conary(root, &install);
    assert!(done.starts_with(&info), "{done}");
    assert!(
        done.contains("Applied: 20 installed, 0 updated, 0 erased"),
        "{done}"
    );
    assert_root_is(root, &world.oldest);

    // Queries.
    assert_eq!(world.conary(root, &["q"]), q_lines(&world.oldest));
    assert_eq!(
        world.conary(root, &["query", "sudo", "--full-versions", "--flavors"]),
        format!("sudo=/{LABEL}/{sudo_version}[is: x86_64]\n")
    );
    let owner = world.conary(root, &["q", "--path", "/usr/bin/sudo"]);
    assert_eq!(owner, format!("sudo:runtime={sudo_version}\n"));
    let files = world.conary(root, &["q", "sudo", "--ls"]);
    assert!(files.lines().any(|line| line == "/etc/sudoers"), "{files}");
    let lsl = world.conary(root, &["q", "sudo", "--lsl"]);
    let sudo_line = lsl
        .lines()
        .find(|line| line.ends_with(" /usr/bin/sudo"))
        .expect("sudo in --lsl");
    assert!(
        sudo_line.starts_with("-rwsr-xr-x root     root "),
        "{sudo_line}"
    );
    let info = world.conary(root, &["q", "sudo", "--info"]);
    for field in [
        "Name         : sudo",
        "Source       : sudo:source",
        "Capsule      : deb",
    ] {
        assert!(info.lines().any(|line| line == field), "{field} in {info}");
    }
    assert!(
        info.lines().any(|line| line.starts_with("Installed    : ")),
        "{info}"
    );
    let deps = world.conary(root, &["q", "sudo", "--deps"]);
    assert!(deps.contains("    deb: libc6(>=2.34)\n"), "{deps}");
    assert_eq!(
        world.conary(root, &["q", "--what-provides", "deb: sudo"]),
        format!("{sudo_old}\n")
    );
    let line = world.conary_fails(root, &["q", "bash"]);
    assert_eq!(line, "conary: error: bash is not installed");

    // verify: nothing differs, then each kind of change on disk.
    assert_eq!(world.conary(root, &["verify", "--all"]), "");
    let sudoers = root.join("etc/sudoers");
    let pristine = std::fs::read(&sudoers).expect("sudoers");
    std::fs::write(&sudoers, [&pristine[..], b"# a local change\n"].concat()).expect("edit");
    let utc = root.join("usr/share/zoneinfo/UTC");
    let utc_target = std::fs::read_link(&utc).ok();
    let utc_bytes = std::fs::read(&utc).expect("UTC");
    std::fs::remove_file(&utc).expect("remove UTC");
    let visudo = root.join("usr/sbin/visudo");
    std::fs::set_permissions(&visudo, std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .expect("chmod");
    assert_eq!(
        world.conary(root, &["verify", "--all"]),
        "/etc/sudoers: contents changed\n\
         /usr/sbin/visudo: mode 0700, expected 0755\n\
         /usr/share/zoneinfo/UTC: missing\n"
    );
    let diff = world.conary(root, &["verify", "sudo", "--diff"]);
    assert!(
        diff.starts_with("/etc/sudoers: contents changed\n--- a/etc/sudoers\n+++ b/etc/sudoers\n"),
        "{diff}"
    );
    assert!(diff.contains("\n+# a local change\n"), "{diff}");
    std::fs::write(&sudoers, &pristine).expect("restore");
    match utc_target {
        Some(target) => std::os::unix::fs::symlink(target, &utc).expect("restore"),
        None => std::fs::write(&utc, utc_bytes).expect("restore"),
    }
    std::fs::set_permissions(&visudo, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    assert_eq!(world.conary(root, &["verify", "--all"]), "");

    // The newest versions: `updateall --test` changes nothing, then the
    // update replaces every package, relative changesets and all.
    let before_update = tree(root);
    let db_before_update = world.db_view(root);
    world.import(&world.newest);
    let test = world.conary(root, &["updateall", "--no-deps", "--test"]);
    assert!(
        test.contains("would have 0 installed, 20 updated, 0 erased"),
        "{test}"
    );
    assert_eq!(tree(root), before_update);
    assert_eq!(world.db_view(root), db_before_update);
    let updated = world.conary(root, &["updateall", "--no-deps"]);
    let sudo_new = q_line(package(&world.newest, "sudo"));
    let sudo_new_version = sudo_new.split_once('=').expect("NAME=VERSION").1;
    assert!(
        updated.lines().any(|line| line
            == format!("Update sudo(:config :data :devel :doc :lib :locale :runtime) ({sudo_version} -> {sudo_new_version})")),
        "{updated}"
    );
    assert!(
        updated.contains("Applied: 0 installed, 20 updated, 0 erased"),
        "{updated}"
    );
    assert_root_is(root, &world.newest);
    assert_eq!(world.conary(root, &["q"]), q_lines(&world.newest));
    assert_eq!(world.conary(root, &["verify", "--all"]), "");
    let stack = world.conary(root, &["rblist"]);
    let heads: Vec<&str> = stack
        .lines()
        .filter(|line| !line.starts_with('\t'))
        .collect();
    assert_eq!(heads, ["r.2:", "r.1:"], "{stack}");
    assert!(
        stack.contains(&format!("\tupdate sudo=/{LABEL}/")),
        "{stack}"
    );

    // Rolling the update back restores the old files byte for byte.
    let rolled = world.conary(root, &["rollback", "1"]);
    assert!(rolled.starts_with("Roll back r.2:\n"), "{rolled}");
    assert!(rolled.contains("\nRolled back r.2: "), "{rolled}");
    assert_eq!(tree(root), before_update);
    assert_eq!(world.conary(root, &["q"]), q_lines(&world.oldest));
    assert_eq!(world.conary(root, &["verify", "--all"]), "");

    // Update again, then roll back two: the update and the first install.
    world.conary(
        root,
        &[
            "update",
            "sudo",
            "tzdata",
            "nginx-common",
            "libssl3",
            "--no-deps",
        ],
    );
    assert_root_is(root, &world.newest);
    let stack = world.conary(root, &["rblist"]);
    let heads: Vec<&str> = stack
        .lines()
        .filter(|line| !line.starts_with('\t'))
        .collect();
    assert_eq!(heads, ["r.3:", "r.1:"], "{stack}");
    let info = world.conary(root, &["rollback", "2", "--info"]);
    assert_eq!(
        info.lines()
            .filter(|line| line.starts_with("Roll back "))
            .collect::<Vec<_>>(),
        ["Roll back r.3:", "Roll back r.1:"]
    );
    world.conary(root, &["rollback", "2"]);
    assert_root_is(root, &[]);
    assert_eq!(world.conary(root, &["q"]), "");
    assert_eq!(world.conary(root, &["rblist"]), "");

    // Install one package, erase it (after a --test that changes nothing).
    world.conary(root, &["install", "sudo", "--no-deps"]);
    assert_root_is(root, std::slice::from_ref(package(&world.newest, "sudo")));
    let before = tree(root);
    let test = world.conary(root, &["erase", "sudo", "--test"]);
    assert!(
        test.starts_with(&format!(
            "Erase sudo(:config :data :devel :doc :lib :locale :runtime)={sudo_new_version}\n"
        )),
        "{test}"
    );
    assert_eq!(tree(root), before);
    let erased = world.conary(root, &["erase", "sudo"]);
    assert!(
        erased.contains("Applied: 0 installed, 0 updated, 8 erased"),
        "{erased}"
    );
    assert_root_is(root, &[]);
    assert_eq!(world.conary(root, &["q"]), "");
    assert_eq!(world.conary(root, &["verify", "--all"]), "");
}

#[test]
fn failures_are_one_clear_line_and_change_nothing() {
    let world = World::new();
    let sudo = package(&world.oldest, "sudo").clone();
    let tzdata = package(&world.newest, "tzdata").clone();
    world.import(&[sudo.clone(), tzdata.clone()]);
    let root = world.home().join("root");
    let root = root.as_path();
    world.conary(root, &["update", "sudo", "--no-deps"]);
    let home = world.home();
    let unchanged = |before: &(BTreeMap<String, String>, String)| {
        assert_eq!(tree(root), before.0);
        assert_eq!(world.db_view(root), before.1);
    };
    let before = (tree(root), world.db_view(root));

    // Errors found before anything is planned: exactly one line.
    let alone = |args: &[&str]| fails(CONARY, &world.with_root(root, args), home);
    let line = alone(&["update", "sudo=["]);
    assert!(
        line.starts_with("conary: error: invalid change spec"),
        "{line}"
    );
    let line = alone(&["update", "bash"]);
    assert_eq!(
        line,
        format!("conary: error: bash was not found (searched {LABEL})")
    );
    let line = alone(&["erase", "tzdata"]);
    assert_eq!(line, "conary: error: tzdata is not installed");
    let line = alone(&["rollback", "3"]);
    assert!(
        line.starts_with("conary: error: no rollback 3: the stack holds 1"),
        "{line}"
    );
    let line = alone(&["verify", "bash"]);
    assert_eq!(line, "conary: error: bash is not installed");
    let garbage = home.join("garbage.ccs");
    std::fs::write(&garbage, b"not a changeset at all").expect("write");
    let garbage = garbage.to_str().expect("UTF-8");
    let line = alone(&["update", "--from-file", garbage]);
    assert!(line.ends_with("garbage.ccs is not a valid changeset: invalid changeset index: bad magic at byte 0: expected \"CNYC\" for a changeset, found [6e, 6f, 74, 20]"), "{line}");
    unchanged(&before);

    // An unreachable server (nothing listens on port 1).
    let unreachable = ConaryRc::new()
        .repository_map(HOST, "http://127.0.0.1:1/")
        .install_label(LABEL)
        .write_in(&home.join("unreachable").tap_mkdir())
        .display()
        .to_string();
    let root_text = root.to_str().expect("UTF-8");
    let line = fails(
        CONARY,
        &[
            "update",
            "tzdata",
            "--no-deps",
            "--root",
            root_text,
            "--config-file",
            &unreachable,
        ],
        home,
    );
    assert!(
        line.starts_with("conary: error: ") && line.contains("127.0.0.1:1"),
        "{line}"
    );
    unchanged(&before);

    // A changeset file cut short: its index reads, a payload does not; the
    // transaction is undone.
    let version = q_line(&tzdata);
    let ccs = home.join("tzdata.ccs");
    let ccs_text = ccs.to_str().expect("UTF-8");
    ok(
        CONARY,
        &["changeset", &version, ccs_text, "--config-file", &world.rc],
        home,
    );
    let whole = std::fs::read(&ccs).expect("changeset");
    let cut = home.join("cut.ccs");
    std::fs::write(&cut, &whole[..whole.len() - 64]).expect("write");
    let line = world.conary_fails(
        root,
        &[
            "update",
            "--from-file",
            cut.to_str().expect("UTF-8"),
            "--no-deps",
        ],
    );
    assert!(line.starts_with("conary: error: "), "{line}");
    unchanged(&before);

    // A file no trove owns is in the way: refused, with the option that
    // replaces it.
    let in_the_way = root.join("usr/share/zoneinfo/Etc/UTC");
    std::fs::create_dir_all(in_the_way.parent().expect("parent")).expect("mkdir");
    std::fs::write(&in_the_way, b"mine\n").expect("write");
    let before = (tree(root), world.db_view(root));
    let line = world.conary_fails(root, &["update", ccs_text, "--no-deps"]);
    assert_eq!(
        line,
        "conary: error: file conflict at '/usr/share/zoneinfo/Etc/UTC': an unowned file is in the way (use --replace-unmanaged-files)"
    );
    unchanged(&before);
    let test = world.conary_fails(root, &["update", ccs_text, "--no-deps", "--test"]);
    assert!(test.contains("(use --replace-unmanaged-files)"), "{test}");
    unchanged(&before);

    // The whole changeset file, with the option: installed from the file.
    let done = world.conary(
        root,
        &["update", ccs_text, "--no-deps", "--replace-unmanaged-files"],
    );
    assert!(
        done.contains("Applied: 3 installed, 0 updated, 0 erased"),
        "{done}"
    );
    assert_root_is(root, &[sudo, tzdata]);
    assert_eq!(world.conary(root, &["verify", "--all"]), "");
}

trait TapMkdir {
    fn tap_mkdir(self) -> Self;
}

impl TapMkdir for PathBuf {
    fn tap_mkdir(self) -> Self {
        std::fs::create_dir_all(&self).expect("mkdir");
        self
    }
}

#[test]
fn system_commands_have_help_and_take_global_options_anywhere() {
    let home = tempfile::tempdir().expect("temp dir");
    let home = home.path();
    for command in [
        "update",
        "install",
        "erase",
        "updateall",
        "q",
        "query",
        "verify",
        "rblist",
        "rollback",
        "rb",
        "rmrollback",
        "revert",
        "pin",
        "unpin",
    ] {
        let help = ok(CONARY, &[command, "--help"], home);
        assert!(help.contains("Example"), "{command} --help:\n{help}");
    }
    // A root without a database has nothing installed and no rollbacks,
    // and reading it creates nothing.
    let root = home.join("empty-root");
    let root_text = root.to_str().expect("UTF-8");
    for args in [
        &["--root", root_text, "q"][..],
        &["q", "--root", root_text],
        &["--root", root_text, "rblist"],
        &["verify", "--all", "--root", root_text],
        &[
            "--config",
            "fullVersions True",
            "--root",
            root_text,
            "query",
            "--components",
        ],
    ] {
        assert_eq!(ok(CONARY, args, home), "", "{args:?}");
    }
    assert!(!root.exists());
    assert_eq!(
        ok(CONARY, &["revert", "--root", root_text], home),
        "no interrupted transaction to revert\n"
    );
    assert_eq!(
        ok(CONARY, &["rmrollback", "1", "--root", root_text], home),
        "removed 0 rollbacks\n"
    );
    let line = fails(CONARY, &["pin", "sudo", "--root", root_text], home);
    assert_eq!(line, "conary: error: sudo is not installed");
    let line = fails(CONARY, &["verify", "--root", root_text], home);
    assert!(line.starts_with("conary: error: "), "{line}");
    let line = fails(CONARY, &["update", "--root", root_text], home);
    assert_eq!(line, "conary: error: name at least one trove (see --help)");
    let line = fails(CONARY, &["rollback", "two", "--root", root_text], home);
    assert_eq!(
        line,
        "conary: error: invalid rollback 'two': expected a positive count or r.NUMBER"
    );
    assert!(!root.exists());
}
