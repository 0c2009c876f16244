//! The system model through the real binaries against a real server:
//! corpus packages imported with `cvc import-deb`, a model written to
//! `<root>/etc/conary/system-model`, and `conary sync`, `install`,
//! `erase`, `updateall` and `rollback` on it. The corpus lacks the Debian
//! base system, so every sync runs with `--no-deps`.

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};

use conary_build::import::ImportCandidate;
use conary_core::digest::Digest;
use conary_test::{ADMIN_PASSWORD, ADMIN_USER, ConaryRc, RunningServer, TestRepository, corpus};

use crate::cli::{CONARY, CVC, REPOS, ok, paths, run};

const HOST: &str = "conary.example.com";
const LABEL: &str = "conary.example.com@deb:12";
const PACKAGES: [&str; 4] = ["libssl3", "nginx-common", "sudo", "tzdata"];

/// A served repository holding the corpus versions of [`PACKAGES`], and
/// a `conaryrc` for it (with no install label path: the model's `search`
/// lines give it).
struct World {
    repository: TestRepository,
    _server: RunningServer,
    rc: String,
}

impl World {
    fn new(versions: &[Vec<ImportCandidate>]) -> World {
        let repository = TestRepository::new(REPOS, HOST);
        let server = repository.serve();
        let rc = ConaryRc::new()
            .repository_map(HOST, &server.url())
            .user(HOST, ADMIN_USER, ADMIN_PASSWORD)
            .line("flavor is: x86_64")
            .write_in(repository.scratch())
            .display()
            .to_string();
        let world = World {
            repository,
            _server: server,
            rc,
        };
        for candidates in versions {
            let debs: Vec<PathBuf> = candidates
                .iter()
                .filter(|c| PACKAGES.contains(&c.package.as_str()))
                .map(|c| c.path.clone())
                .collect();
            let files = paths(&debs);
            let mut args = vec!["import-deb", "--label", LABEL, "--config-file", &world.rc];
            args.extend(files.iter().map(String::as_str));
            ok(CVC, &args, world.home());
        }
        world
    }

    fn home(&self) -> &Path {
        self.repository.scratch()
    }

    fn args<'a>(&'a self, root: &'a Path, args: &[&'a str]) -> Vec<&'a str> {
        let mut all = args.to_vec();
        all.extend([
            "--root",
            root.to_str().expect("UTF-8 root"),
            "--config-file",
            &self.rc,
        ]);
        all
    }

    /// `conary ARGS --root ROOT --config-file RC`, which must succeed:
    /// standard output.
    fn conary(&self, root: &Path, args: &[&str]) -> String {
        ok(CONARY, &self.args(root, args), self.home())
    }

    /// Standard output and standard error of a run that must succeed.
    fn conary_both(&self, root: &Path, args: &[&str]) -> (String, String) {
        let output = run(CONARY, &self.args(root, args), self.home());
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(output.status.success(), "conary {args:?}: {stderr}");
        (String::from_utf8_lossy(&output.stdout).into_owned(), stderr)
    }

    /// The error line of a run that must fail.
    fn conary_fails(&self, root: &Path, args: &[&str]) -> String {
        let output = run(CONARY, &self.args(root, args), self.home());
        assert!(!output.status.success(), "conary {args:?} succeeded");
        String::from_utf8_lossy(&output.stderr)
            .trim_end()
            .to_owned()
    }

    /// Every installed trove with its whole version and flavor.
    fn installed(&self, root: &Path) -> String {
        self.conary(root, &["q", "--components", "--full-versions", "--flavors"])
    }
}

fn model_path(root: &Path) -> PathBuf {
    root.join("etc/conary/system-model")
}

fn write_model(root: &Path, text: &str) {
    let path = model_path(root);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write model");
}

fn read_model(root: &Path) -> String {
    std::fs::read_to_string(model_path(root)).expect("read model")
}

/// The revision `conary q` prints for a corpus package.
fn revision(candidates: &[ImportCandidate], name: &str) -> String {
    let candidate = candidates
        .iter()
        .find(|c| c.package == name)
        .unwrap_or_else(|| panic!("{name} in the corpus"));
    let upstream = candidate
        .version
        .to_string()
        .replace(':', ";")
        .replace('-', "_");
    format!("{upstream}-1-1")
}

/// Every path under `root` but the database: type, mode, contents.
fn tree(root: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).expect("read dir") {
            let path = entry.expect("entry").path();
            let relative = path
                .strip_prefix(root)
                .expect("under root")
                .to_string_lossy()
                .into_owned();
            if relative == "var/lib/conarydb" {
                continue;
            }
            let metadata = std::fs::symlink_metadata(&path).expect("metadata");
            let value = if metadata.is_dir() {
                walk(root, &path, out);
                "dir".to_owned()
            } else if metadata.file_type().is_symlink() {
                format!(
                    "link -> {}",
                    std::fs::read_link(&path).expect("link").display()
                )
            } else {
                let bytes = std::fs::read(&path).expect("read");
                format!("file {:o} {}", metadata.mode() & 0o7777, Digest::of(&bytes))
            };
            out.insert(relative, value);
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

#[test]
fn one_model_on_two_roots_then_install_erase_and_roll_back() {
    let world = World::new(&[corpus::oldest()]);
    let model = format!("# the web machine\nsearch {LABEL}\n\ninstall sudo tzdata   # base\n");
    let first = world.home().join("first");
    let second = world.home().join("second");
    write_model(&first, &model);
    write_model(&second, &model);

    // --info shows the job and changes nothing.
    let info = world.conary(&first, &["sync", "--no-deps", "--info"]);
    assert!(info.contains("Install sudo("), "{info}");
    assert!(info.contains("Install tzdata("), "{info}");
    assert!(!first.join("var/lib/conarydb").exists());

    world.conary(&first, &["sync", "--no-deps"]);
    world.conary(&second, &["sync", "--no-deps"]);
    let installed = world.installed(&first);
    assert!(
        installed.contains("\nsudo=") || installed.starts_with("sudo="),
        "{installed}"
    );
    assert!(installed.contains("tzdata="), "{installed}");
    assert!(!installed.contains("nginx-common"), "{installed}");
    assert_eq!(installed, world.installed(&second));
    assert_eq!(tree(&first), tree(&second));
    assert_eq!(
        read_model(&first),
        model,
        "a sync leaves the model as it was"
    );
    assert!(!first.join("etc/conary/system-model.next").exists());

    // A second sync has nothing to do.
    assert_eq!(
        world.conary(&first, &["sync", "--no-deps"]),
        "Nothing to do\n"
    );

    // install edits the model, comments and all, then syncs.
    world.conary(&first, &["install", "nginx-common", "--no-deps"]);
    let with_nginx = format!("{model}install nginx-common\n");
    assert_eq!(read_model(&first), with_nginx);
    assert!(world.installed(&first).contains("nginx-common="));

    // --model prints the model the command would make and changes nothing.
    let printed = world.conary(&first, &["erase", "tzdata", "--model"]);
    assert_eq!(printed, format!("{with_nginx}erase tzdata\n"));
    assert_eq!(read_model(&first), with_nginx);
    assert!(world.installed(&first).contains("tzdata="));

    // A label alone is written with the revision found there.
    let sudo_label = format!("sudo={LABEL}");
    let printed = world.conary(&first, &["update", &sudo_label, "--model"]);
    let sudo = revision(&corpus::oldest(), "sudo");
    assert_eq!(printed, format!("{with_nginx}update sudo={LABEL}/{sudo}\n"));
    let held = format!("sudo=={LABEL}");
    let printed = world.conary(&first, &["install", &held, "--model"]);
    assert_eq!(
        printed,
        format!("{with_nginx}install sudo=={LABEL}/{sudo}\n")
    );

    // erase takes it out of the model and off the machine.
    let before_erase = tree(&first);
    world.conary(&first, &["erase", "tzdata", "--no-deps"]);
    assert_eq!(read_model(&first), format!("{with_nginx}erase tzdata\n"));
    let after = world.installed(&first);
    assert!(!after.contains("tzdata"), "{after}");
    assert!(after.contains("sudo="), "{after}");
    let zoneinfo: Vec<String> = tree(&first)
        .into_iter()
        .filter(|(path, value)| path.starts_with("usr/share/zoneinfo/") && value != "dir")
        .map(|(path, _)| path)
        .collect();
    assert!(zoneinfo.is_empty(), "tzdata's files stay: {zoneinfo:?}");

    // Rolling the erase back restores the troves, the files and the model.
    world.conary(&first, &["rollback", "1"]);
    assert_eq!(read_model(&first), with_nginx);
    assert!(world.installed(&first).contains("tzdata="));
    assert_eq!(tree(&first), before_erase);

    // The second root, given the edited model, becomes the same machine.
    write_model(&second, &with_nginx);
    world.conary(&second, &["sync", "--no-deps"]);
    assert_eq!(world.installed(&first), world.installed(&second));
    assert_eq!(tree(&first), tree(&second));
}

#[test]
fn updateall_moves_equals_and_keeps_double_equals() {
    let oldest = corpus::oldest();
    let newest = corpus::newest();
    let world = World::new(&[oldest.clone(), newest.clone()]);
    let root = world.home().join("root");
    let sudo_old = revision(&oldest, "sudo");
    let sudo_new = revision(&newest, "sudo");
    let tzdata_old = revision(&oldest, "tzdata");
    assert_ne!(sudo_old, sudo_new);
    let model = format!("search {LABEL}\ninstall sudo={sudo_old} tzdata=={tzdata_old} # held\n");
    write_model(&root, &model);
    world.conary(&root, &["sync", "--no-deps"]);
    let installed = world.conary(&root, &["q"]);
    // The rc names no install label path, so versions show their label.
    assert_eq!(
        installed,
        format!("sudo={LABEL}/{sudo_old}\ntzdata={LABEL}/{tzdata_old}\n")
    );

    // --model shows the moved model without applying it.
    let printed = world.conary(&root, &["updateall", "--model"]);
    let moved = format!("search {LABEL}\ninstall sudo={sudo_new} tzdata=={tzdata_old}\n");
    assert_eq!(printed, moved);
    assert_eq!(read_model(&root), model);

    world.conary(&root, &["updateall", "--no-deps"]);
    assert_eq!(read_model(&root), moved);
    assert_eq!(
        world.conary(&root, &["q"]),
        format!("sudo={LABEL}/{sudo_new}\ntzdata={LABEL}/{tzdata_old}\n")
    );

    // patch replaces the spec of a trove the model has, and adds nothing.
    let tzdata_new = revision(&newest, "tzdata");
    let patch = format!("tzdata={tzdata_new}");
    world.conary(&root, &["patch", &patch, "nginx-common", "--no-deps"]);
    assert_eq!(
        read_model(&root),
        format!("{moved}patch {patch} nginx-common\n")
    );
    assert_eq!(
        world.conary(&root, &["q"]),
        format!("sudo={LABEL}/{sudo_new}\ntzdata={LABEL}/{tzdata_new}\n")
    );
}

#[test]
fn an_interrupted_sync_is_finished_by_the_next() {
    let world = World::new(&[corpus::oldest()]);
    let root = world.home().join("root");
    let model = format!("search {LABEL}\ninstall tzdata\n");
    write_model(&root, &model);
    world.conary(&root, &["sync", "--no-deps"]);

    // A sync to a model that adds sudo was killed after writing its
    // snapshot.
    let next = format!("{model}install sudo\n");
    std::fs::write(root.join("etc/conary/system-model.next"), &next).expect("snapshot");

    // Other model commands refuse until it is finished.
    let error = world.conary_fails(&root, &["install", "nginx-common", "--no-deps"]);
    assert!(error.contains("an interrupted sync left"), "{error}");

    let (_, stderr) = world.conary_both(&root, &["sync", "--no-deps"]);
    assert!(stderr.contains("finishing an interrupted sync"), "{stderr}");
    assert_eq!(read_model(&root), next);
    assert!(!root.join("etc/conary/system-model.next").exists());
    let installed = world.conary(&root, &["q"]);
    assert!(
        installed.contains("sudo=") && installed.contains("tzdata="),
        "{installed}"
    );
}

#[test]
fn model_errors_name_the_line_and_change_nothing() {
    let world = World::new(&[]);
    let root = world.home().join("root");
    write_model(&root, &format!("search {LABEL}\ninstal sudo\n"));
    let error = world.conary_fails(&root, &["sync"]);
    assert!(
        error.ends_with("system-model:2: unknown statement 'instal' (expected search, install, update, erase, offer, patch, include or version)"),
        "{error}"
    );
    write_model(&root, &format!("search {LABEL}\ninclude group-base\n"));
    let error = world.conary_fails(&root, &["sync"]);
    assert!(
        error.contains("system-model:2: include group-base: ")
            && error.contains("group-base was not found"),
        "{error}"
    );
    assert!(!root.join("var").exists());
    assert!(!root.join("etc/conary/system-model.next").exists());
}

#[test]
fn a_sync_killed_mid_way_is_finished_by_the_next() {
    let world = World::new(&[corpus::oldest()]);
    let killed = world.home().join("killed");
    let clean = world.home().join("clean");
    let model = format!("search {LABEL}\ninstall tzdata sudo nginx-common\n");
    write_model(&killed, &model);
    write_model(&clean, &model);
    let next = killed.join("etc/conary/system-model.next");

    // Kill the sync as soon as its snapshot exists: before or while the
    // changeset is fetched and applied.
    let mut child = std::process::Command::new(CONARY)
        .args(world.args(&killed, &["sync", "--no-deps"]))
        .env("HOME", world.home())
        .env_remove("CONARY_LOG")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("conary sync starts");
    let started = std::time::Instant::now();
    let mut seen = false;
    while started.elapsed() < std::time::Duration::from_secs(120) {
        if next.exists() {
            seen = true;
            break;
        }
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    child.kill().expect("kill");
    let status = child.wait().expect("wait");
    assert!(
        seen,
        "the sync wrote its snapshot before it ended ({status})"
    );
    assert!(!status.success(), "the sync was killed before it finished");
    assert!(next.exists(), "the snapshot is left behind");

    let (_, stderr) = world.conary_both(&killed, &["sync", "--no-deps"]);
    assert!(stderr.contains("finishing an interrupted sync"), "{stderr}");
    assert!(!next.exists());
    world.conary(&clean, &["sync", "--no-deps"]);
    assert_eq!(world.installed(&killed), world.installed(&clean));
    assert_eq!(tree(&killed), tree(&clean));
    assert_eq!(
        world.conary(&killed, &["sync", "--no-deps"]),
        "Nothing to do\n"
    );
}
