//! Local changes through the real binaries against a real server: edits
//! of config files (the corpus's `/etc/sudoers` and
//! `/etc/nginx/nginx.conf`), a mode and an owner changed, an update across
//! versions that keeps them beside the package's own changes, a
//! conflicting edit (in a package built here with `dpkg-deb`) that fails
//! leaving `PATH.conflicts`, transient and initialContents files (troves
//! built by hand into changeset files), rollbacks that give the edits back
//! byte for byte, and `verify --diff`, `localcs`, `restore`, `remove` and
//! `migrate`.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write as _;
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::process::Command;

use conary_build::import::ImportCandidate;
use conary_core::digest::Digest;
use conary_test::{ADMIN_PASSWORD, ADMIN_USER, ConaryRc, RunningServer, TestRepository, corpus};

use crate::cli::{CONARY, CVC, REPOS, ok, paths, run};

const HOST: &str = "conary.example.com";
const LABEL: &str = "conary.example.com@deb:12";

/// A served repository and a `conaryrc` for it.
struct World {
    repository: TestRepository,
    _server: RunningServer,
    rc: String,
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
        World {
            repository,
            _server: server,
            rc,
        }
    }

    fn home(&self) -> &Path {
        self.repository.scratch()
    }

    fn import(&self, debs: &[PathBuf]) {
        let files = paths(debs);
        let mut args = vec!["import-deb", "--label", LABEL, "--config-file", &self.rc];
        args.extend(files.iter().map(String::as_str));
        ok(CVC, &args, self.home());
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

    /// `conary ARGS --root ROOT --config-file RC`, which must succeed.
    fn conary(&self, root: &Path, args: &[&str]) -> String {
        ok(CONARY, &self.args(root, args), self.home())
    }

    /// The same, which must fail: standard error.
    fn conary_fails(&self, root: &Path, args: &[&str]) -> String {
        let output = run(CONARY, &self.args(root, args), self.home());
        assert!(!output.status.success(), "conary {args:?} succeeded");
        String::from_utf8(output.stderr).expect("UTF-8 stderr")
    }
}

/// `NAME=VERSION` of a corpus package as imported.
fn spec(candidate: &ImportCandidate) -> String {
    let upstream = candidate
        .version
        .to_string()
        .replace(':', ";")
        .replace('-', "_");
    format!("{}={upstream}-1-1", candidate.package)
}

fn find<'c>(candidates: &'c [ImportCandidate], name: &str) -> &'c ImportCandidate {
    candidates
        .iter()
        .find(|candidate| candidate.package == name)
        .unwrap_or_else(|| panic!("{name} in the corpus"))
}

/// Every path under `root` but the database, with its mode and digest or
/// symlink target.
fn tree(root: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let rel = path
                .strip_prefix(root)
                .expect("below root")
                .display()
                .to_string();
            if rel.starts_with("var/lib/conarydb") {
                continue;
            }
            let metadata = fs::symlink_metadata(&path).expect("stat");
            let what = if metadata.is_symlink() {
                format!("-> {}", fs::read_link(&path).expect("link").display())
            } else if metadata.is_dir() {
                walk(root, &path, out);
                format!("dir {:o}", metadata.mode() & 0o7777)
            } else {
                let bytes = fs::read(&path).expect("read");
                format!("{:o} {}", metadata.mode() & 0o7777, Digest::of(&bytes))
            };
            out.insert(rel, what);
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn mode_of(path: &Path) -> u32 {
    fs::symlink_metadata(path).expect("stat").mode() & 0o7777
}

fn chmod(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|output| output.stdout.trim_ascii() == b"0")
        .unwrap_or(false)
}

/// A `.deb` built with `dpkg-deb --build` in `dir`: `files` (path,
/// contents), the paths in `conffiles` marked as config files.
fn make_deb(
    dir: &Path,
    name: &str,
    version: &str,
    files: &[(&str, &[u8])],
    conffiles: &[&str],
) -> PathBuf {
    let tree = dir.join(format!("{name}_{version}"));
    fs::create_dir_all(tree.join("DEBIAN")).expect("DEBIAN");
    let control = format!(
        "Package: {name}\nVersion: {version}\nArchitecture: all\nMaintainer: Test <test@example.com>\nDescription: a package for merge tests\n"
    );
    fs::write(tree.join("DEBIAN/control"), control).expect("control");
    let conffiles: String = conffiles.iter().map(|path| format!("{path}\n")).collect();
    fs::write(tree.join("DEBIAN/conffiles"), conffiles).expect("conffiles");
    for (path, bytes) in files {
        let full = tree.join(path.trim_start_matches('/'));
        fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        fs::write(&full, bytes).expect("write");
    }
    let deb = dir.join(format!("{name}_{version}_all.deb"));
    let output = Command::new("dpkg-deb")
        .args(["--root-owner-group", "--build"])
        .arg(&tree)
        .arg(&deb)
        .output()
        .expect("dpkg-deb runs");
    assert!(
        output.status.success(),
        "dpkg-deb: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    deb
}

#[test]
fn edits_survive_an_update_beside_the_package_changes_and_roll_back_byte_for_byte() {
    let world = World::new();
    let names = ["sudo", "nginx-common"];
    let pick = |all: Vec<ImportCandidate>| -> Vec<ImportCandidate> {
        all.into_iter()
            .filter(|c| names.contains(&c.package.as_str()))
            .collect()
    };
    let (oldest, newest) = (pick(corpus::oldest()), pick(corpus::newest()));
    let debs: Vec<PathBuf> = oldest
        .iter()
        .chain(&newest)
        .map(|c| c.path.clone())
        .collect();
    world.import(&debs);
    let root = world.home().join("root");
    let root = root.as_path();
    let old_specs: Vec<String> = names.iter().map(|n| spec(find(&oldest, n))).collect();
    let mut install = vec!["update", "--no-deps"];
    install.extend(old_specs.iter().map(String::as_str));
    world.conary(root, &install);

    // The administrator's changes.
    let sudoers = root.join("etc/sudoers");
    let mut edited_sudoers = fs::read(&sudoers).expect("sudoers");
    edited_sudoers.extend_from_slice(b"# the administrator's line\n");
    fs::write(&sudoers, &edited_sudoers).expect("edit sudoers");
    let nginx = root.join("etc/nginx/nginx.conf");
    let pristine_nginx = fs::read_to_string(&nginx).expect("nginx.conf");
    assert!(pristine_nginx.contains("worker_connections 768;"));
    let edited_nginx =
        pristine_nginx.replace("worker_connections 768;", "worker_connections 4096;");
    fs::write(&nginx, &edited_nginx).expect("edit nginx.conf");
    // A file the update changes: its mode (and owner) are the machine's.
    let cvtsudoers = root.join("usr/bin/cvtsudoers");
    let old_cvtsudoers = fs::read(&cvtsudoers).expect("cvtsudoers");
    chmod(&cvtsudoers, 0o750);
    let root_user = is_root();
    if root_user {
        std::os::unix::fs::chown(&cvtsudoers, Some(4321), Some(4321)).expect("chown");
    } else {
        let _ = writeln!(
            std::io::stderr(),
            "note: not running as root: the owner part of this test is skipped"
        );
    }

    // A file the update changes, deleted by the administrator.
    let sudoreplay = root.join("usr/bin/sudoreplay");
    fs::remove_file(&sudoreplay).expect("rm sudoreplay");

    // verify --diff shows the edits.
    let diff = world.conary(root, &["verify", "--all", "--diff"]);
    assert!(diff.contains("/etc/sudoers: contents changed"), "{diff}");
    assert!(diff.contains("+# the administrator's line"), "{diff}");
    assert!(diff.contains("-\tworker_connections 768;"), "{diff}");
    assert!(diff.contains("+\tworker_connections 4096;"), "{diff}");
    assert!(
        diff.contains("/usr/bin/cvtsudoers: mode 0750, expected 0755"),
        "{diff}"
    );
    assert!(diff.contains("/usr/bin/sudoreplay: missing"), "{diff}");

    // localcs: the edits as a changeset.
    let ccs = world.home().join("sudo-local.ccs");
    let written = world.conary(root, &["localcs", "sudo", ccs.to_str().expect("path")]);
    assert!(
        written.contains("sudo:config") && written.contains("sudo:runtime"),
        "{written}"
    );
    let shown = ok(
        CONARY,
        &["showcs", ccs.to_str().expect("path")],
        world.home(),
    );
    assert!(shown.contains("local@local:LOCAL"), "{shown}");
    for path in ["/etc/sudoers", "/usr/bin/cvtsudoers"] {
        assert!(shown.contains(path), "{path} in {shown}");
    }
    assert!(!shown.contains("/usr/bin/sudoreplay"), "{shown}");

    // The update keeps every edit and brings the package's changes.
    let before_update = tree(root);
    let mut update = vec!["update", "--no-deps"];
    update.extend(names);
    world.conary(root, &update);
    assert_eq!(fs::read(&sudoers).expect("sudoers"), edited_sudoers);
    assert_eq!(fs::read_to_string(&nginx).expect("nginx"), edited_nginx);
    let new_deb = corpus_file(&find(&newest, "sudo").path, "usr/bin/cvtsudoers");
    assert_eq!(fs::read(&cvtsudoers).expect("cvtsudoers"), new_deb);
    assert_ne!(new_deb, old_cvtsudoers, "the package changes cvtsudoers");
    assert_eq!(mode_of(&cvtsudoers), 0o750);
    assert!(!sudoreplay.exists(), "a deleted file stays deleted");
    if root_user {
        let metadata = fs::metadata(&cvtsudoers).expect("stat");
        assert_eq!((metadata.uid(), metadata.gid()), (4321, 4321));
    }
    let q = world.conary(root, &["q"]);
    for name in names {
        assert!(q.contains(&spec(find(&newest, name))), "{q}");
    }

    // Rollback: the old package, with the machine's edits byte for byte.
    world.conary(root, &["rollback", "1"]);
    assert_eq!(tree(root), before_update);
    assert_eq!(fs::read(&sudoers).expect("sudoers"), edited_sudoers);
    assert_eq!(fs::read_to_string(&nginx).expect("nginx"), edited_nginx);
    assert_eq!(fs::read(&cvtsudoers).expect("cvtsudoers"), old_cvtsudoers);

    // restore: a removed file comes back; remove: a file is forgotten.
    let readme = root.join("etc/sudoers.d/README");
    let readme_bytes = fs::read(&readme).expect("README");
    fs::remove_file(&readme).expect("rm");
    let restored = world.conary(root, &["restore", "sudo"]);
    assert!(
        restored.contains("restored /etc/sudoers.d/README"),
        "{restored}"
    );
    assert_eq!(fs::read(&readme).expect("README"), readme_bytes);
    // It went through the journal, which is gone once it is done.
    assert!(!root.join("var/lib/conarydb/journal").exists());
    let names: Vec<String> = fs::read_dir(root.join("etc/sudoers.d"))
        .expect("read dir")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert!(
        names.iter().all(|name| !name.starts_with(".conary-")),
        "{names:?}"
    );
    let removed = world.conary(root, &["remove", "/etc/sudoers.d/README"]);
    assert!(removed.contains("no longer managed"), "{removed}");
    let owner = world.conary_fails(root, &["q", "--path", "/etc/sudoers.d/README"]);
    assert!(!owner.is_empty());
    assert!(readme.exists());
}

/// The bytes of `path` in the `.deb` at `deb`.
fn corpus_file(deb: &Path, path: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("dir");
    let status = Command::new("dpkg-deb")
        .arg("-x")
        .arg(deb)
        .arg(dir.path())
        .status()
        .expect("dpkg-deb");
    assert!(status.success());
    fs::read(dir.path().join(path)).expect("file in the deb")
}

const CONF_V1: &[u8] =
    b"# mergetest\nalpha = 1\nbeta = 2\ngamma = 3\ndelta = 4\nepsilon = 5\nzeta = 6\n";
const CONF_V2: &[u8] =
    b"# mergetest\nalpha = 1\nbeta = 20\ngamma = 3\ndelta = 4\nepsilon = 5\nzeta = 6\n";

#[test]
fn a_conflicting_config_edit_fails_leaving_conflicts_and_nothing_else() {
    let world = World::new();
    let dir = world.home().join("debs");
    fs::create_dir_all(&dir).expect("dir");
    let v1 = make_deb(
        &dir,
        "mergetest",
        "1.0-1",
        &[
            ("/etc/mergetest.conf", CONF_V1),
            ("/usr/share/mergetest/data", b"one\n"),
        ],
        &["/etc/mergetest.conf"],
    );
    let v2 = make_deb(
        &dir,
        "mergetest",
        "1.0-2",
        &[
            ("/etc/mergetest.conf", CONF_V2),
            ("/usr/share/mergetest/data", b"two\n"),
        ],
        &["/etc/mergetest.conf"],
    );
    world.import(&[v1, v2]);
    let root = world.home().join("root");
    let root = root.as_path();
    world.conary(root, &["update", "mergetest=1.0_1-1-1"]);
    let conf = root.join("etc/mergetest.conf");
    let conflicts = root.join("etc/mergetest.conf.conflicts");
    let data = root.join("usr/share/mergetest/data");

    // The administrator edits the line the package changes.
    let edited = String::from_utf8(CONF_V1.to_vec())
        .expect("text")
        .replace("beta = 2\n", "beta = 200\n");
    fs::write(&conf, &edited).expect("edit");
    let before = tree(root);
    let db_before = world.conary(root, &["q", "--full-versions"]);
    let stderr = world.conary_fails(root, &["update", "mergetest"]);
    assert!(stderr.contains("/etc/mergetest.conf"), "{stderr}");
    assert!(stderr.contains("--replace-config-files"), "{stderr}");
    let marked = fs::read_to_string(&conflicts).expect("PATH.conflicts");
    assert!(marked.contains("<<<<<<<"), "{marked}");
    assert!(marked.contains("beta = 200"), "{marked}");
    assert!(marked.contains("beta = 20\n"), "{marked}");
    fs::remove_file(&conflicts).expect("rm conflicts");
    assert_eq!(tree(root), before, "nothing else changed");
    assert_eq!(fs::read(&data).expect("data"), b"one\n");
    assert_eq!(world.conary(root, &["q", "--full-versions"]), db_before);

    // --replace-config-files takes the new file and keeps the machine's.
    world.conary(root, &["update", "mergetest", "--replace-config-files"]);
    assert_eq!(fs::read(&conf).expect("conf"), CONF_V2);
    assert_eq!(
        fs::read_to_string(root.join("etc/mergetest.conf.conaryorig")).expect("orig"),
        edited
    );
    assert_eq!(fs::read(&data).expect("data"), b"two\n");
    // Rollback gives the edit back byte for byte.
    world.conary(root, &["rollback", "1"]);
    assert_eq!(fs::read_to_string(&conf).expect("conf"), edited);
    assert_eq!(fs::read(&data).expect("data"), b"one\n");

    // An edit elsewhere merges with the package's change.
    let elsewhere = String::from_utf8(CONF_V1.to_vec())
        .expect("text")
        .replace("zeta = 6\n", "zeta = 60\n");
    fs::write(&conf, &elsewhere).expect("edit");
    world.conary(root, &["update", "mergetest"]);
    assert_eq!(
        fs::read_to_string(&conf).expect("merged"),
        String::from_utf8(CONF_V2.to_vec())
            .expect("text")
            .replace("zeta = 6\n", "zeta = 60\n")
    );
    world.conary(root, &["rollback", "1"]);
    assert_eq!(fs::read_to_string(&conf).expect("conf"), elsewhere);

    // A modified plain file is a conflict unless --replace-modified-files.
    fs::write(&data, b"mine\n").expect("edit data");
    let stderr = world.conary_fails(root, &["update", "mergetest"]);
    assert!(stderr.contains("/usr/share/mergetest/data"), "{stderr}");
    assert!(stderr.contains("--replace-modified-files"), "{stderr}");
    world.conary(root, &["update", "mergetest", "--replace-modified-files"]);
    assert_eq!(fs::read(&data).expect("data"), b"two\n");
}

mod by_hand {
    //! Troves with transient and initialContents files, built into
    //! changeset files and installed from them.

    use std::collections::BTreeMap;

    use conary_changeset::{ChangeSetBuilder, MemContents, NoContents, write_changeset};
    use conary_core::digest::PathId;
    use conary_core::files::{FileFlags, FileKind, FileStream, Mode};
    use conary_core::trove::Trove;

    use super::LABEL;

    /// A changeset file of `name=revision` with `files` (path, contents,
    /// flags), written to `out`.
    pub fn changeset(
        out: &std::path::Path,
        name: &str,
        revision: &str,
        files: &[(&str, &[u8], u64)],
    ) {
        let version: conary_core::version::Version =
            format!("/{LABEL}/{revision}").parse().expect("version");
        let mut trove = Trove::new(
            name.parse().expect("name"),
            version.clone(),
            "is: x86_64".parse().expect("flavor"),
        );
        let mut contents = MemContents::new();
        let mut streams = BTreeMap::new();
        for (path, data, flags) in files {
            let kind = FileKind::Regular {
                size: data.len() as u64,
                digest: contents.insert(data.to_vec()),
                link_group: None,
            };
            let mut stream = FileStream::new(kind, Mode::new(0o644).expect("mode"), "root", "root");
            stream.flags = FileFlags::from_bits(*flags);
            trove.add_file(
                PathId::derive(path.as_bytes()),
                path,
                stream.file_id(),
                version.clone(),
            );
            streams.insert(stream.file_id(), stream);
        }
        let mut builder = ChangeSetBuilder::new();
        builder.add_primary(trove.tuple());
        builder.add_absolute(trove, &streams).expect("absolute");
        let changeset = builder.build(&NoContents, &contents).expect("build");
        let bytes = write_changeset(Vec::new(), &changeset, &contents).expect("write");
        std::fs::write(out, bytes).expect("write ccs");
    }

    /// A changeset file of the group `name=revision` holding `package`
    /// (and, through it, `component`), written to `out`.
    pub fn group(
        out: &std::path::Path,
        name: &str,
        revision: &str,
        package: &conary_core::trove::TroveTuple,
        component: &conary_core::trove::TroveTuple,
    ) {
        let version: conary_core::version::Version =
            format!("/{LABEL}/{revision}").parse().expect("version");
        let mut trove = Trove::new(name.parse().expect("name"), version, package.flavor.clone());
        trove.add_strong_ref(package.clone(), true);
        trove.add_weak_ref(component.clone(), true);
        let mut builder = ChangeSetBuilder::new();
        builder.add_primary(trove.tuple());
        builder
            .add_absolute(trove, &BTreeMap::new())
            .expect("absolute");
        let contents = MemContents::new();
        let changeset = builder.build(&NoContents, &contents).expect("build");
        let bytes = write_changeset(Vec::new(), &changeset, &contents).expect("write");
        std::fs::write(out, bytes).expect("write ccs");
    }
}

#[test]
fn transient_files_are_replaced_and_initial_contents_kept() {
    use conary_core::files::FileFlags;
    let world = World::new();
    let root = world.home().join("root");
    let root = root.as_path();
    let v1 = world.home().join("flags-1.ccs");
    let v2 = world.home().join("flags-2.ccs");
    let (transient, initial) = (FileFlags::TRANSIENT, FileFlags::INITIAL_CONTENTS);
    by_hand::changeset(
        &v1,
        "flags:runtime",
        "1-1-1",
        &[
            ("/var/lib/flags/state", b"state one\n", transient),
            ("/etc/flags/seed", b"seed one\n", initial),
            ("/etc/flags/edited-seed", b"seed one\n", initial),
        ],
    );
    by_hand::changeset(
        &v2,
        "flags:runtime",
        "2-1-1",
        &[
            ("/var/lib/flags/state", b"state two\n", transient),
            ("/etc/flags/seed", b"seed two\n", initial),
            ("/etc/flags/edited-seed", b"seed two\n", initial),
        ],
    );
    world.conary(root, &["update", v1.to_str().expect("path")]);
    assert_eq!(
        fs::read(root.join("etc/flags/seed")).expect("seed"),
        b"seed one\n"
    );
    fs::write(root.join("var/lib/flags/state"), b"the machine's state\n").expect("edit");
    fs::write(root.join("etc/flags/edited-seed"), b"the machine's seed\n").expect("edit");
    world.conary(root, &["update", v2.to_str().expect("path")]);
    assert_eq!(
        fs::read(root.join("var/lib/flags/state")).expect("state"),
        b"state two\n"
    );
    assert_eq!(
        fs::read(root.join("etc/flags/seed")).expect("seed"),
        b"seed one\n"
    );
    assert_eq!(
        fs::read(root.join("etc/flags/edited-seed")).expect("seed"),
        b"the machine's seed\n"
    );
    let q = world.conary(root, &["q", "flags:runtime", "--full-versions"]);
    assert!(q.contains("/2-1-1"), "{q}");
}

#[test]
fn migrate_shows_local_changes_then_makes_the_machine_exactly_the_group() {
    let world = World::new();
    let dir = world.home().join("debs");
    fs::create_dir_all(&dir).expect("dir");
    let keep = make_deb(
        &dir,
        "keepme",
        "1.0-1",
        &[("/etc/keepme.conf", b"keep = 1\n")],
        &["/etc/keepme.conf"],
    );
    let extra = make_deb(
        &dir,
        "extra",
        "1.0-1",
        &[("/usr/share/extra/file", b"extra\n")],
        &[],
    );
    world.import(&[keep, extra]);
    // A group holding keepme only, built by hand and committed.
    let rq = |name: &str| -> conary_core::trove::TroveTuple {
        let line = ok(
            CONARY,
            &[
                "rq",
                name,
                "--full-versions",
                "--flavors",
                "--config-file",
                &world.rc,
            ],
            world.home(),
        );
        // An empty flavor prints as nothing.
        let mut text = line.trim().to_owned();
        if !text.contains('[') {
            text.push_str("[]");
        }
        text.parse().unwrap_or_else(|e| panic!("{line}: {e}"))
    };
    let (package, component) = (rq("keepme"), rq("keepme:config"));
    let ccs = world.home().join("group-migrate.ccs");
    by_hand::group(&ccs, "group-migrate", "1-1-1", &package, &component);
    let ccs_arg = ccs.to_str().expect("path");
    ok(
        CONARY,
        &["commit", ccs_arg, "--config-file", &world.rc],
        world.home(),
    );
    let root = world.home().join("root");
    let root = root.as_path();
    world.conary(root, &["update", "keepme", "extra"]);
    fs::write(root.join("etc/keepme.conf"), b"keep = 2\n").expect("edit");

    let test = world.conary(root, &["migrate", "group-migrate", "--test"]);
    assert!(test.contains("+keep = 2"), "{test}");
    assert!(test.contains("Erase extra"), "{test}");
    assert_eq!(
        fs::read(root.join("etc/keepme.conf")).expect("conf"),
        b"keep = 2\n"
    );

    let done = world.conary(root, &["migrate", "group-migrate"]);
    assert!(done.contains("+keep = 2"), "{done}");
    // One transaction: the group in, everything else out.
    assert!(done.contains("Erase extra"), "{done}");
    assert_eq!(
        world
            .conary(root, &["rblist"])
            .lines()
            .filter(|l| l.starts_with("r."))
            .count(),
        2
    );
    assert!(!root.join("usr/share/extra/file").exists());
    assert_eq!(
        fs::read(root.join("etc/keepme.conf")).expect("conf"),
        b"keep = 1\n"
    );
    let q = world.conary(root, &["q"]);
    assert!(
        q.contains("keepme=") && q.contains("group-migrate=") && !q.contains("extra="),
        "{q}"
    );
    assert_eq!(world.conary(root, &["verify", "--all"]), "");
    assert!(!root.join("var/lib/conarydb/journal").exists());
}
