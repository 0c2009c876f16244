//! Clone and promote with the real binaries against a real server:
//! packages cooked on `dev` (one in two flavors) and a group holding both
//! flavors, promoted `dev → qa → prod` with `cvc promote`, installed from `prod`
//! on a machine whose system model searches `prod`; file digests the same
//! on every label, `clonedFrom` recorded, a second promote a no-op,
//! `--info` changing nothing, lineage refused when a build requirement is
//! not on the target, and `cvc clone` to a sibling or an unrelated branch.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::BufReader;
use std::path::Path;

use conary_changeset::ChangeSetReader;
use conary_core::files::FileKind;
use conary_test::{ADMIN_PASSWORD, ADMIN_USER, ConaryRc, RunningServer, TestRepository};

use crate::cli::{self, CONARY, CVC, REPOS};

const HOST: &str = "conary.example.com";
const DEV: &str = "conary.example.com@rpl:dev";
const QA: &str = "conary.example.com@rpl:qa";
const PROD: &str = "conary.example.com@rpl:prod";

const TUNABLE: &str = r#"
name = "tunable"
version = "3.1"

def setup(r):
    if use.ssl:
        r.Create("/etc/tunable-tls.conf", contents = "tls = on\n")
    else:
        r.Create("/etc/tunable.conf", contents = "tls = off\n")
"#;

const HELLO: &str = r#"
name = "hello"
version = "1.0"

def setup(r):
    r.Create("/usr/share/hello/greeting", contents = "hello, world\n")
"#;

const GROUP: &str = "name = 'group-dist'\nversion = '1.0'\n\ndef setup(r):\n    r.add('hello')\n    r.add('tunable', flavor = '!ssl')\n    r.add('tunable', flavor = 'ssl')\n";

/// A served repository and a `conaryrc` whose build label is [`DEV`].
pub(crate) struct World {
    repository: TestRepository,
    server: RunningServer,
    /// A second repository, [`OTHER`], when asked for.
    other: Option<(TestRepository, RunningServer)>,
    rc: String,
}

/// The host of the second repository of [`World::with_other`].
pub(crate) const OTHER: &str = "other.example.com";

impl World {
    pub(crate) fn new() -> World {
        World::make(false)
    }

    /// A world with a second repository, [`OTHER`].
    pub(crate) fn with_other() -> World {
        World::make(true)
    }

    fn make(two: bool) -> World {
        let repository = TestRepository::new(REPOS, HOST);
        let server = repository.serve();
        let other = two.then(|| {
            let other = TestRepository::new(REPOS, OTHER);
            let served = other.serve();
            (other, served)
        });
        let mut rc = ConaryRc::new().repository_map(HOST, &server.url()).user(
            HOST,
            ADMIN_USER,
            ADMIN_PASSWORD,
        );
        if let Some((_, served)) = &other {
            rc = rc
                .repository_map(OTHER, &served.url())
                .user(OTHER, ADMIN_USER, ADMIN_PASSWORD);
        }
        let rc = rc
            .install_label(DEV)
            .line(&format!("buildLabel {DEV}"))
            .line("flavor is: x86_64")
            .line("name Test Builder")
            .line("contact builder@example.com")
            .write_in(repository.scratch())
            .display()
            .to_string();
        World {
            repository,
            server,
            other,
            rc,
        }
    }

    /// How many contents the first repository stores.
    pub(crate) fn blobs(&self) -> usize {
        self.repository.blob_count()
    }

    /// How many contents the second repository stores.
    pub(crate) fn other_blobs(&self) -> usize {
        self.other
            .as_ref()
            .map_or(0, |(repository, _)| repository.blob_count())
    }

    pub(crate) fn home(&self) -> &Path {
        self.repository.scratch()
    }

    pub(crate) fn run(&self, bin: &str, args: &[&str]) -> std::process::Output {
        cli::run_in(bin, self.home(), self.home(), &self.rc, args)
    }

    pub(crate) fn ok(&self, bin: &str, args: &[&str]) -> String {
        cli::ok_in(bin, self.home(), self.home(), &self.rc, args)
    }

    /// `BIN ARGS`, which must fail; its standard error.
    pub(crate) fn fails(&self, bin: &str, args: &[&str]) -> String {
        let output = self.run(bin, args);
        assert!(
            !output.status.success(),
            "{args:?} succeeded: {}",
            String::from_utf8_lossy(&output.stdout)
        );
        String::from_utf8(output.stderr).expect("UTF-8 stderr")
    }

    pub(crate) fn cvc(&self, args: &[&str]) -> String {
        self.ok(CVC, args)
    }

    pub(crate) fn conary(&self, args: &[&str]) -> String {
        self.ok(CONARY, args)
    }

    /// `cvc newpkg NAME`, the recipe, `cvc commit`.
    pub(crate) fn commit_source(&self, name: &str, recipe: &str) {
        self.cvc(&["newpkg", name]);
        let checkout = self.home().join(name);
        fs::write(checkout.join(format!("{name}.recipe")), recipe).expect("write the recipe");
        cli::ok_in(
            CVC,
            &checkout,
            self.home(),
            &self.rc,
            &["commit", "-m", &format!("{name} source")],
        );
    }

    /// A `conaryrc` with no install label path (a machine whose model
    /// says where to search).
    pub(crate) fn machine_rc(&self) -> String {
        fs::create_dir_all(self.home().join("machine")).expect("mkdir");
        let mut rc = ConaryRc::new()
            .repository_map(HOST, &self.server.url())
            .user(HOST, ADMIN_USER, ADMIN_PASSWORD);
        if let Some((_, served)) = &self.other {
            rc = rc
                .repository_map(OTHER, &served.url())
                .user(OTHER, ADMIN_USER, ADMIN_PASSWORD);
        }
        rc.line("flavor is: x86_64")
            .write_in(&self.home().join("machine"))
            .display()
            .to_string()
    }

    /// The content digest of every regular file of `spec`'s troves, by
    /// trove name, flavor and path, read from `conary changeset`.
    fn digests(&self, spec: &str) -> BTreeMap<String, String> {
        let out = self.home().join("digests.ccs");
        let out_text = out.display().to_string();
        self.conary(&["changeset", spec, &out_text]);
        let reader = ChangeSetReader::new(BufReader::new(File::open(&out).expect("changeset")))
            .expect("changeset index");
        let index = reader.changeset();
        let mut digests = BTreeMap::new();
        for change in index.troves.values() {
            for file in change.new.files.values() {
                if let FileKind::Regular { digest, .. } = &index.files[&file.file_id].kind {
                    let key = format!("{}[{}]{}", change.new.name, change.new.flavor, file.path);
                    digests.insert(key, digest.to_string());
                }
            }
        }
        digests
    }
}

/// The dev world: tunable in two flavors, hello, and group-dist, cooked.
fn dev_world() -> World {
    let world = World::new();
    world.commit_source("tunable", TUNABLE);
    world.cvc(&[
        "cook",
        &format!("tunable={DEV}[ssl]"),
        &format!("tunable={DEV}[!ssl]"),
    ]);
    world.commit_source("hello", HELLO);
    world.cvc(&["cook", &format!("hello={DEV}")]);
    world.commit_source("group-dist", GROUP);
    world.cvc(&["cook", &format!("group-dist={DEV}")]);
    world
}

#[test]
fn a_group_goes_dev_to_qa_to_prod_unchanged_and_installs_from_prod() {
    let world = dev_world();

    // --info shows the plan and changes nothing.
    let info = world.cvc(&["promote", "group-dist", ":dev--:qa", "--info"]);
    assert!(
        info.contains(&format!(
            "would promote group-dist=/{DEV}/1.0-1-1[] to /{QA}/1.0-1-1"
        )),
        "{info}"
    );
    assert!(
        info.contains(&format!(
            "would promote tunable=/{DEV}/3.1-1-1[ssl] to /{QA}/3.1-1-1"
        )),
        "every flavor of the cook: {info}"
    );
    assert!(info.contains("would promote hello:source="), "{info}");
    assert!(
        world
            .run(CONARY, &["rq", &format!("group-dist={QA}")])
            .stdout
            .is_empty()
    );

    // One commit holds the whole promotion; no contents are uploaded.
    let blobs = world.blobs();
    let promoted = world.cvc(&["promote", "group-dist", ":dev--:qa"]);
    assert_eq!(world.blobs(), blobs, "the promotion stores no contents");
    let committed: Vec<&str> = promoted.lines().collect();
    assert_eq!(committed.len(), 10, "{promoted}");
    assert!(
        committed.iter().all(|line| line.starts_with("committed ")),
        "{promoted}"
    );
    for expected in [
        format!("committed group-dist=/{QA}/"),
        format!("committed tunable:config=/{QA}/"),
        format!("committed tunable:source=/{QA}/"),
    ] {
        assert!(promoted.contains(&expected), "{expected} in {promoted}");
    }

    // Promoting again is a no-op that says so.
    let again = world.cvc(&["promote", "group-dist", ":dev--:qa"]);
    assert!(
        again.ends_with("nothing to promote: every trove is already cloned\n"),
        "{again}"
    );
    assert_eq!(
        again
            .lines()
            .filter(|l| l.starts_with("already cloned "))
            .count(),
        10
    );

    // qa to prod, abbreviated as @ns:tag.
    let to_prod = world.cvc(&["promote", "group-dist", "@rpl:qa--@rpl:prod"]);
    assert_eq!(to_prod.lines().count(), 10, "{to_prod}");
    let members = world.conary(&[
        "rq",
        &format!("group-dist={PROD}"),
        "--troves",
        "--full-versions",
    ]);
    assert!(
        members.contains(&format!("hello=/{PROD}/1.0-1-1")),
        "{members}"
    );
    assert!(
        members.contains(&format!("tunable=/{PROD}/3.1-1-1")),
        "{members}"
    );
    assert!(
        !members.contains("rpl:dev") && !members.contains("rpl:qa"),
        "{members}"
    );
    let info = world.conary(&["rq", &format!("group-dist={PROD}"), "--info"]);
    assert!(
        info.contains(&format!("Cloned from  : /{QA}/1.0-1-1")),
        "{info}"
    );

    // The same files, byte for byte, on every label.
    for spec in [
        "tunable:config=@[ssl]",
        "tunable:config=@[!ssl]",
        "hello:data=@",
    ] {
        let on = |label: &str| world.digests(&spec.replace('@', label));
        let dev = on(DEV);
        assert!(!dev.is_empty(), "{spec} has files");
        assert_eq!(on(QA), dev, "{spec} on qa");
        assert_eq!(on(PROD), dev, "{spec} on prod");
    }

    // A machine whose model searches prod installs the promoted group.
    let root = world.home().join("root");
    let root_text = root.display().to_string();
    fs::create_dir_all(root.join("etc/conary")).expect("mkdir");
    fs::write(
        root.join("etc/conary/system-model"),
        format!("search {PROD}\ninstall group-dist\n"),
    )
    .expect("model");
    let machine = world.machine_rc();
    let machine_args = |args: &[&str]| {
        let mut all: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        all.extend([
            "--root".to_owned(),
            root_text.clone(),
            "--config-file".to_owned(),
            machine.clone(),
        ]);
        all
    };
    let run = |args: &[&str]| {
        let all = machine_args(args);
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        cli::ok(CONARY, &all, world.home())
    };
    run(&["sync", "--no-deps"]);
    let installed = run(&["q", "--full-versions", "--flavors"]);
    assert!(
        installed.contains(&format!("group-dist=/{PROD}/1.0-1-1")),
        "{installed}"
    );
    for flavor in ["ssl", "!ssl"] {
        assert!(
            installed.contains(&format!("tunable=/{PROD}/3.1-1-1[{flavor}]")),
            "both flavors the group holds: {installed}"
        );
    }
    assert_eq!(
        fs::read_to_string(root.join("etc/tunable.conf")).expect("installed"),
        "tls = off\n"
    );
    assert_eq!(
        fs::read_to_string(root.join("etc/tunable-tls.conf")).expect("installed"),
        "tls = on\n"
    );
    let lineage = run(&["q", "hello", "--info"]);
    assert!(
        lineage.contains(&format!("Cloned from  : /{QA}/1.0-1-1")),
        "{lineage}"
    );
}

const BASE: &str = "name = 'base'\nversion = '2.0'\n\ndef setup(r):\n    r.Create('/usr/share/base/README', contents = 'base\\n')\n";

#[test]
fn lineage_is_refused_when_a_build_requirement_is_not_on_the_target() {
    let world = World::new();
    world.commit_source("base", BASE);
    world.cvc(&["cook", &format!("base={DEV}")]);
    let build_root = world.home().join("buildroot");
    let build_root = build_root.to_str().expect("utf-8");
    world.conary(&["update", "base", "--root", build_root]);
    world.commit_source(
        "needy",
        &HELLO.replace("hello", "needy").replace(
            "version = \"1.0\"\n",
            "version = \"1.0\"\nbuild_requires = [\"base:data\"]\n",
        ),
    );
    world.cvc(&["cook", &format!("needy={DEV}"), "--root", build_root]);

    let refused = world.fails(CVC, &["promote", "needy", ":dev--:qa"]);
    assert!(
        refused.contains(&format!(
            "lineage would break: build requirement base:data=/{DEV}/2.0-1-1[] of needy"
        )),
        "{refused}"
    );
    assert!(refused.contains(&format!("is not on /{QA}")), "{refused}");
    assert!(
        world
            .run(CONARY, &["rq", &format!("needy={QA}")])
            .stdout
            .is_empty()
    );

    // --skip-build-info keeps the requirement as it is.
    let skipped = world.cvc(&[
        "promote",
        "needy",
        ":dev--:qa",
        "--skip-build-info",
        "--info",
    ]);
    assert!(skipped.contains("would promote needy="), "{skipped}");

    // Once base is promoted, needy follows with its requirement mapped.
    world.cvc(&["promote", "base", ":dev--:qa"]);
    world.cvc(&["promote", "needy", ":dev--:qa"]);
    let info = world.conary(&["rq", &format!("needy:data={QA}"), "--info"]);
    assert!(
        info.contains(&format!("Build req.   : base:data=/{QA}/2.0-1-1[]")),
        "{info}"
    );
}

#[test]
fn clone_goes_to_a_related_branch_only() {
    let world = World::new();
    world.commit_source("hello", HELLO);
    world.cvc(&["cook", &format!("hello={DEV}")]);
    let refused = world.fails(
        CVC,
        &["clone", "/other.example.com@x:y", &format!("hello={DEV}")],
    );
    assert!(
        refused.contains(&format!(
            "cannot clone from /{DEV} to /other.example.com@x:y"
        )),
        "{refused}"
    );
    let refused = world.fails(CVC, &["clone", &format!("/{QA}"), &format!("hello={DEV}")]);
    assert!(
        refused.contains("lineage would break: source hello:source="),
        "{refused}"
    );
    let qa = format!("/{QA}");
    let hello = format!("hello={DEV}");
    let tested = world.cvc(&["clone", &qa, &hello, "--with-sources", "--test"]);
    assert_eq!(tested.lines().count(), 3, "{tested}");
    assert!(
        tested.lines().all(|line| line.starts_with("would commit ")),
        "{tested}"
    );
    assert!(
        world
            .run(CONARY, &["rq", &format!("hello={QA}")])
            .stdout
            .is_empty()
    );
    let file = world.home().join("clone.ccs").display().to_string();
    let written = world.cvc(&["clone", &qa, &hello, "--with-sources", "--to-file", &file]);
    assert!(written.ends_with(&format!("wrote {file}\n")), "{written}");
    let cloned = world.conary(&["commit", &file]);
    assert_eq!(cloned.lines().count(), 3, "{cloned}");
    assert!(
        cloned.contains(&format!("committed hello:source=/{QA}/1.0-1[]")),
        "{cloned}"
    );
    let again = world.cvc(&[
        "clone",
        &format!("/{QA}"),
        &format!("hello={DEV}"),
        "--with-sources",
    ]);
    assert!(
        again.ends_with("nothing to clone: every trove is already cloned\n"),
        "{again}"
    );
}

#[test]
fn a_promotion_to_another_repository_stores_no_contents_there() {
    let world = World::with_other();
    world.commit_source("hello", HELLO);
    world.cvc(&["cook", &format!("hello={DEV}")]);
    let prod = format!("{OTHER}@rpl:prod");
    let promoted = world.cvc(&["promote", "hello", &format!(":dev--{prod}")]);
    assert!(
        promoted.contains(&format!("committed hello=/{prod}/1.0-1-1[]")),
        "{promoted}"
    );
    assert_eq!(world.other_blobs(), 0, "the contents stay on {HOST}");
    assert_eq!(
        world.digests(&format!("hello:data={prod}")),
        world.digests(&format!("hello:data={DEV}"))
    );
    let root = world.home().join("root");
    let root_text = root.display().to_string();
    let machine = world.machine_rc();
    cli::ok(
        CONARY,
        &[
            "update",
            &format!("hello={prod}"),
            "--root",
            &root_text,
            "--config-file",
            &machine,
        ],
        world.home(),
    );
    assert_eq!(
        fs::read_to_string(root.join("usr/share/hello/greeting")).expect("installed"),
        "hello, world\n"
    );
}

#[test]
fn every_flavor_of_a_cook_goes_along_unless_exact_flavors() {
    let world = World::new();
    world.commit_source("tunable", TUNABLE);
    world.cvc(&[
        "cook",
        &format!("tunable={DEV}[ssl]"),
        &format!("tunable={DEV}[!ssl]"),
    ]);
    let flavors = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["promote", "tunable[ssl]", ":dev--:qa", "--info"];
        all.extend(args);
        world
            .cvc(&all)
            .lines()
            .filter(|line| line.starts_with("would promote tunable="))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(flavors(&[]).len(), 2, "both flavors of the cook");
    let exact = flavors(&["--exact-flavors"]);
    assert_eq!(exact.len(), 1, "{exact:?}");
    assert!(exact[0].contains("[ssl]"), "{exact:?}");
}

/// The typical staging setup of the original: `devel`, `qa` and `prod` are
/// sibling shadows of one trunk (here `dev`). A change made on `devel` is promoted to
/// `qa`, then to `prod`, keeping its revision string for string, with the
/// same contents; promoting again is a no-op; and `cvc clone` takes the
/// shadow's change uphill to the trunk as the trunk's next source version.
#[test]
fn sibling_shadows_of_one_trunk_promote_with_their_revisions() {
    const TRUNK: &str = DEV;
    const DEVEL: &str = "conary.example.com@rpl:devel";
    let world = World::new();
    world.commit_source("hello", HELLO);
    world.cvc(&["cook", &format!("hello={TRUNK}")]);
    let shadowed = world.cvc(&["shadow", DEVEL, &format!("hello={TRUNK}")]);
    assert!(
        shadowed.contains("committed hello:source=/conary.example.com@rpl:dev//devel/1.0-1[]"),
        "{shadowed}"
    );
    world.cvc(&[
        "checkout",
        &format!("hello={DEVEL}"),
        "--dir",
        "hello-devel",
    ]);
    let checkout = world.home().join("hello-devel");
    fs::write(
        checkout.join("hello.recipe"),
        HELLO.replace("hello, world", "hello from devel"),
    )
    .expect("edit the recipe");
    let committed = cli::ok_in(
        CVC,
        &checkout,
        world.home(),
        &world.rc,
        &["commit", "-m", "a change on devel"],
    );
    assert!(
        committed.contains("hello:source=/conary.example.com@rpl:dev//devel/1.0-1.1"),
        "{committed}"
    );
    world.cvc(&["cook", &format!("hello={DEVEL}")]);

    let to_qa = world.cvc(&["promote", "hello", &format!("{DEVEL}--{QA}")]);
    assert!(
        to_qa.contains("committed hello=/conary.example.com@rpl:dev//qa/1.0-1.1-1[]"),
        "{to_qa}"
    );
    assert!(
        to_qa.contains("committed hello:source=/conary.example.com@rpl:dev//qa/1.0-1.1[]"),
        "{to_qa}"
    );
    let to_prod = world.cvc(&["promote", "hello", ":qa--:prod"]);
    assert!(
        to_prod.contains("committed hello=/conary.example.com@rpl:dev//prod/1.0-1.1-1[]"),
        "{to_prod}"
    );
    let again = world.cvc(&["promote", "hello", ":qa--:prod"]);
    assert!(again.contains("nothing to promote"), "{again}");
    let info = world.ok(CONARY, &["rq", &format!("hello:data={PROD}"), "--info"]);
    assert!(
        info.contains("Cloned from  : /conary.example.com@rpl:dev//qa/1.0-1.1-1"),
        "{info}"
    );
    let on = |label: &str| -> Vec<String> {
        world
            .digests(&format!("hello={label}"))
            .into_values()
            .collect()
    };
    let devel = on(DEVEL);
    assert!(!devel.is_empty());
    assert_eq!(devel, on(QA));
    assert_eq!(devel, on(PROD));

    let uphill = world.cvc(&[
        "clone",
        "/conary.example.com@rpl:dev",
        &format!("hello={DEVEL}"),
        "--with-sources",
    ]);
    assert!(
        uphill.contains("committed hello:source=/conary.example.com@rpl:dev/1.0-2[]"),
        "{uphill}"
    );
    assert!(
        uphill.contains("committed hello=/conary.example.com@rpl:dev/1.0-2-1[]"),
        "{uphill}"
    );
    assert_eq!(devel, on(TRUNK));
}
